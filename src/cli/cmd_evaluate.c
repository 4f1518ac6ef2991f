/* cmd_evaluate.c — audiostyle evaluate (not built yet: a later issue fills it in). */
#include "cli.h"

#include <stdio.h>

int cmd_evaluate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "audiostyle evaluate: not available in this build yet\n");
    return 1;
}
