/* cmd_spectrogram.c — audiostyle spectrogram (not built yet: a later issue fills it in). */
#include "cli.h"

#include <stdio.h>

int cmd_spectrogram(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "audiostyle spectrogram: not available in this build yet\n");
    return 1;
}
