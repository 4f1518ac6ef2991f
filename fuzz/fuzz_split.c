/* fuzz_split.c — libFuzzer target: the split-list reader (as_genre_split_mark). It reads a file,
 * so each input is written to a per-process file in /dev/shm (or /tmp) and read back, against a
 * small dataset of GTZAN-style rows (whole files and 3-s segments). */
#include "audiostyle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static as_genre_dataset ds;
static char list_path[128];

static void setup(void)
{
    static const char *const names[] = {"blues.00000.wav", "blues.00001.3.wav", "rock.00042.wav",
                                        "genres_original/jazz/jazz.00054.wav", "x", ""};
    static const char *const labels[] = {"blues", "blues", "rock", "jazz", "x", "y"};
    double f[AS_FEATURES_COUNT];
    for (int i = 0; i < AS_FEATURES_COUNT; i++) f[i] = i;
    for (int i = 0; i < 6; i++)
        if (as_genre_dataset_add(&ds, names[i], labels[i], 66149, f) != AS_OK) abort();
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(list_path, sizeof list_path, "%s/as_fuzz_split_%ld.txt", dir, (long)getpid());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!list_path[0]) setup();
    FILE *fp = fopen(list_path, "wb");
    if (!fp) abort();
    if (size && fwrite(data, 1, size, fp) != size) abort();
    fclose(fp);
    unsigned char mask[6] = {0};
    int missing = -1;
    as_error err;
    as_status st = as_genre_split_mark(&ds, list_path, mask, &missing, &err);
    if (st == AS_OK && (missing < 0 || missing > (int)size)) abort();
    for (int i = 0; i < 6; i++)
        if (mask[i] > 1) abort();
    unlink(list_path);
    return 0;
}
