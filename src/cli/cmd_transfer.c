/* cmd_transfer.c — audiostyle transfer (not built yet: a later issue fills it in). */
#include "cli.h"

#include <stdio.h>

int cmd_transfer(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "audiostyle transfer: not available in this build yet\n");
    return 1;
}
