/* cmd_info.c — audiostyle info FILE... [--json]: what a file is, how long and how loud.
 *
 * Text output, one block per file (a blank line between blocks), one "key: value" per line:
 *     file: examples/techno_torustrooper_tt1.flac
 *     format: FLAC
 *     subtype: 16-bit PCM
 *     channels: 1
 *     sample_rate: 22050 Hz
 *     duration: 10.000 s
 *     frames: 220500
 *     peak: -0.41 dBFS
 *     rms: -12.74 dBFS
 * Levels are of the decoded file at its own rate, all channels; silence is "-inf dBFS".
 * --json prints one JSON array with an object per readable file (levels in dBFS, null for
 * silence). A file that cannot be read gives one error line on stderr naming it; the others are
 * still printed, and the exit status is 1. A file longer than --max-duration (default 1200 s,
 * from its header) is refused like an unreadable one, before it is decoded.
 */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: audiostyle info FILE... [--json] [--max-duration S]\n"
               "  Prints format (the container), subtype (the codec), channels, sample rate, duration,\n"
               "  frames, and the peak and RMS level (dBFS, all channels, at the file's own rate) of\n"
               "  each FILE.\n"
               "  --json             one JSON array, an object per file\n"
               "  --max-duration S   refuse files longer than S seconds (default 1200; 0 = no limit)\n");
}

/* tempo: added by the features module. beat_track's tempo of the file decoded at 22050 Hz (the
 * GTZAN tempo column); NAN when it cannot be computed (unreadable, or 46 ms or shorter). */
static double info_tempo(const char *path, double max_duration)
{
    static as_features *f;
    as_signal y = {0};
    as_load_opts lo = {0};
    lo.max_duration_s = max_duration;
    double bpm = NAN;
    if (!f && !(f = as_features_create(NULL))) return NAN;
    if (as_audio_load(path, &lo, &y, NULL) != AS_OK) return NAN;
    if (as_features_tempo(f, y.data, y.n, &bpm) != AS_OK) bpm = NAN;
    as_signal_free(&y);
    return bpm;
}

static void fmt_db(char *b, size_t n, double lin)
{
    if (lin > 0) snprintf(b, n, "%.2f dBFS", 20.0 * log10(lin));
    else snprintf(b, n, "-inf dBFS");
}

static void json_db(const char *key, double lin)
{
    if (lin > 0) printf(", \"%s\": %.4f", key, 20.0 * log10(lin));
    else printf(", \"%s\": null", key);
}

int cmd_info(int argc, char **argv)
{
    int json = 0, nfiles = 0, opts_done = 0;
    double max_duration = 1200.0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && a[0] == '-' && a[1] != '\0') {
            if (strcmp(a, "--") == 0) opts_done = 1;
            else if (strcmp(a, "--json") == 0) json = 1;
            else if (strcmp(a, "--max-duration") == 0) {
                if (++i >= argc) return cli_usage("info", "--max-duration needs a number of seconds");
                if (!cli_parse_double("info", a, argv[i], 0, 1e9, &max_duration)) return 2;
            }
            else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) { usage(stdout); return 0; }
            else return cli_usage("info", "unknown option '%s'", a);
        } else {
            nfiles++;
        }
    }
    if (nfiles == 0) return cli_usage("info", "no input file given");

    int failed = 0, printed = 0;
    opts_done = 0;
    if (json) printf("[");
    for (int i = 1; i < argc; i++) {
        const char *path = argv[i];
        if (!opts_done && path[0] == '-' && path[1] != '\0') {
            if (strcmp(path, "--") == 0) opts_done = 1;
            else if (strcmp(path, "--max-duration") == 0) i++;
            continue;
        }
        as_error err = {0};
        as_audio_info info;
        as_audio_levels lv;
        as_status st = as_audio_probe(path, &info, &err);
        if (st == AS_OK && max_duration > 0 && info.duration_s > max_duration) {
            fflush(stdout);
            fprintf(stderr, "audiostyle: %s: %.1f s long, more than the %g s allowed\n", path, info.duration_s,
                    max_duration);
            fprintf(stderr, "hint: raise the limit with --max-duration SECONDS (0 = no limit)\n");
            failed = 1;
            continue;
        }
        if (st == AS_OK) st = as_audio_measure(path, &info, &lv, &err);
        if (st != AS_OK) {
            fflush(stdout);
            cli_error(&err, st, path);
            failed = 1;
            continue;
        }
        double dur = (double)lv.frames / info.sample_rate;
        if (json) {
            printf("%s\n  {\"file\": ", printed ? "," : "");
            cli_json_str(stdout, path);
            printf(", \"format\": ");
            cli_json_str(stdout, info.format);
            printf(", \"subtype\": ");
            cli_json_str(stdout, info.subtype);
            printf(", \"channels\": %d, \"sample_rate\": %d, \"duration_s\": %.6f, \"frames\": %lld",
                   info.channels, info.sample_rate, dur, (long long)lv.frames);
            json_db("peak_dbfs", lv.peak);
            json_db("rms_dbfs", lv.rms);
            /* tempo: added by the features module */
            double bpm = info_tempo(path, max_duration);
            if (isfinite(bpm)) printf(", \"tempo_bpm\": %.4f", bpm);
            else printf(", \"tempo_bpm\": null");
            printf("}");
        } else {
            char pk[32], rms[32];
            fmt_db(pk, sizeof pk, lv.peak);
            fmt_db(rms, sizeof rms, lv.rms);
            if (printed) printf("\n");
            printf("file: %s\nformat: %s\nsubtype: %s\nchannels: %d\nsample_rate: %d Hz\n"
                   "duration: %.3f s\nframes: %lld\npeak: %s\nrms: %s\n",
                   path, info.format, info.subtype, info.channels, info.sample_rate, dur,
                   (long long)lv.frames, pk, rms);
            /* tempo: added by the features module */
            double bpm = info_tempo(path, max_duration);
            if (isfinite(bpm)) printf("tempo: %.2f BPM\n", bpm);
            else printf("tempo: n/a\n");
        }
        printed++;
        fflush(stdout);
    }
    if (json) printf("%s]\n", printed ? "\n" : "");
    return failed ? 1 : 0;
}
