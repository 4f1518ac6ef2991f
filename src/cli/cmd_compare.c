/* cmd_compare.c — audiostyle compare (not built yet: a later issue fills it in). */
#include "cli.h"

#include <stdio.h>

int cmd_compare(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "audiostyle compare: not available in this build yet\n");
    return 1;
}
