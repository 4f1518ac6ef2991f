/* bench_formats.c — decoding time of one 30-s clip per input format against the same clip as
 * FLAC (target: every format within 2x of FLAC). The clips are made by scripts/bench_formats.sh
 * (the three 10-s examples end to end, encoded with the ffmpeg program into
 * $AS_BENCH_FORMATS, default build/bench-formats); without them the part times the committed
 * 2-s fixtures of tests/ref/formats decoded 15 times each (30 s of audio, 15 opens), against the
 * same 2 s of FLAC decoded 15 times. Each time is as_audio_load to 22050 Hz mono (what every
 * command does: decode, downmix, resample when needed), median of 7, in process CPU time (the
 * machine is shared; wall time there measures the neighbours). */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RUNS 7

/* process CPU seconds: the machine is shared, and CPU time is what decoding costs */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const struct { const char *clip, *fixture, *what; } formats[] = {
    {"clip30.flac", NULL, "FLAC (libsndfile)"},
    {"clip30_aac.m4a", "tests/ref/formats/aac.m4a", "AAC in M4A (FFmpeg)"},
    {"clip30_alac.m4a", "tests/ref/formats/alac.m4a", "ALAC in M4A (FFmpeg)"},
    {"clip30.wma", "tests/ref/formats/wma.wma", "WMA v2 in ASF (FFmpeg)"},
    {"clip30.webm", "tests/ref/formats/opus_vp8.webm", "Opus in WebM, with video (FFmpeg)"},
    {"clip30_video.mp4", "tests/ref/formats/h264_aac.mp4", "AAC in MP4, with video (FFmpeg)"},
    {"clip30.mp3", NULL, "MP3 (libsndfile)"},
    {"clip30.opus", NULL, "Ogg Opus (libsndfile)"},
    {"clip30.ogg", NULL, "Ogg Vorbis (libsndfile)"},
};

/* median seconds of `reps` loads of path; -1 when it cannot be read */
static double time_load(const char *path, int reps, int64_t *n)
{
    double t[RUNS];
    for (int r = -1; r < RUNS; r++) { /* r = -1: an untimed warm-up (page cache, first touch) */
        double t0 = cpu_now();
        for (int k = 0; k < reps; k++) {
            as_signal y = {0};
            as_error err = {0};
            if (as_audio_load(path, NULL, &y, &err) != AS_OK) {
                fprintf(stderr, "bench formats: %s\n", err.msg);
                return -1;
            }
            *n = y.n;
            as_signal_free(&y);
        }
        if (r >= 0) t[r] = cpu_now() - t0;
    }
    return bench_median(t, RUNS);
}

BENCH(formats)
{
    const char *dir = getenv("AS_BENCH_FORMATS");
    if (!dir || !*dir) dir = "build/bench-formats";
    char flac[1024];
    snprintf(flac, sizeof flac, "%s/%s", dir, formats[0].clip);
    int clips = access(flac, R_OK) == 0;
    printf("\n## Decoding by format (%s)\n\n", clips ? "one 30-s clip each"
           : "no 30-s clips (scripts/bench_formats.sh makes them): the 2-s fixtures, 15 loads each");
    printf("| format | file | audio decoded | median CPU time | vs FLAC (target <= 2x) |\n|---|---|---|---|---|\n");
    double t_flac = -1;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        char path[1024];
        int reps = 1;
        if (clips) {
            snprintf(path, sizeof path, "%s/%s", dir, formats[i].clip);
        } else {
            reps = 15;
            if (i == 0) snprintf(path, sizeof path, "%s", "build/bench-formats-2s.flac");
            else if (formats[i].fixture) snprintf(path, sizeof path, "%s", formats[i].fixture);
            else continue;
            if (i == 0) { /* the fixtures' source: the first 2 s of the techno example as FLAC */
                as_signal y = {0};
                as_load_opts o = {0};
                o.duration_s = 2;
                if (as_audio_load("examples/techno_torustrooper_tt1.flac", &o, &y, NULL) != AS_OK ||
                    as_audio_save(path, y.data, y.n, y.sr, NULL, NULL) != AS_OK) {
                    printf("| FLAC | (cannot make the 2-s FLAC) | | | |\n");
                    as_signal_free(&y);
                    return;
                }
                as_signal_free(&y);
            }
        }
        if (access(path, R_OK) != 0) {
            printf("| %s | %s missing | | | |\n", formats[i].what, path);
            continue;
        }
        int64_t n = 0;
        double t = time_load(path, reps, &n);
        if (t < 0) continue;
        if (i == 0) t_flac = t;
        char ratio[32] = "1.00x";
        if (i > 0 && t_flac > 0) snprintf(ratio, sizeof ratio, "%.2fx", t / t_flac);
        printf("| %s | %s | %.1f s x %d | %.1f ms | %s |\n", formats[i].what, path,
               (double)n / 22050.0, reps, t * 1e3, ratio);
        fflush(stdout);
    }
}
