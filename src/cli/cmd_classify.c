/* cmd_classify.c — audiostyle classify (not built yet: a later issue fills it in). */
#include "cli.h"

#include <stdio.h>

int cmd_classify(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "audiostyle classify: not available in this build yet\n");
    return 1;
}
