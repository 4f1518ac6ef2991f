/* cmd_train.c — audiostyle train (not built yet: a later issue fills it in). */
#include "cli.h"

#include <stdio.h>

int cmd_train(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "audiostyle train: not available in this build yet\n");
    return 1;
}
