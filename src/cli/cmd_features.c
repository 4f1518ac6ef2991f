/* cmd_features.c — audiostyle features (not built yet: a later issue fills it in). */
#include "cli.h"

#include <stdio.h>

int cmd_features(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "audiostyle features: not available in this build yet\n");
    return 1;
}
