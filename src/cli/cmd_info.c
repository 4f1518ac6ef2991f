/* cmd_info.c — audiostyle info (not built yet: a later issue fills it in). */
#include "cli.h"

#include <stdio.h>

int cmd_info(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "audiostyle info: not available in this build yet\n");
    return 1;
}
