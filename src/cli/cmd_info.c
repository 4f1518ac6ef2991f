/* cmd_info.c — audiostyle info PATH... [--json]: what a file is, how long and how loud.
 *
 * Text output, one block per file (a blank line between blocks), one "key: value" per line:
 *     file: examples/techno_torustrooper_tt1.flac
 *     format: FLAC
 *     subtype: 16-bit PCM
 *     channels: 1
 *     sample_rate: 22050 Hz
 *     duration: 10.000 s
 *     samples: 220500
 *     peak: -0.41 dBFS
 *     rms: -12.74 dBFS
 * Levels are of the decoded file at its own rate, all channels; silence is "-inf dBFS".
 * --json prints one JSON array with an object per readable file (levels in dBFS, null for
 * silence). A file that cannot be read gives one error line on stderr naming it; the others are
 * still printed, and the exit status is 1. A file longer than --max-duration (default 1200 s,
 * from its header) is refused like an unreadable one, before it is decoded.
 */
#include "cli.h"
#include "walk.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct info_args {
    int json;
    double max_duration;
} info_args;

static const cli_opt info_opts[] = {
    {.name = "json", .type = CLI_FLAG, .help = "one JSON array, an object per file", .offset = offsetof(info_args, json)},
    {.name = "max-duration", .type = CLI_DOUBLE, .metavar = "S", .min = 0, .max = 1e9, .def = "1200",
     .help = "refuse files longer than S seconds (0 = no limit)", .offset = offsetof(info_args, max_duration)},
};

const cli_command cli_cmd_info = {
    .name = "info",
    .synopsis = "PATH... [--json] [--max-duration S]",
    .summary = "format, duration, levels and tempo of a file",
    .description = "Prints format (the container: FLAC, WAV, MP3, MP4/M4A, ASF, Matroska/WebM, ...), "
                   "subtype (the codec or sample encoding: 16-bit PCM, AAC, ALAC, WMA v2, Opus, ...), channels, sample rate, duration, samples (per channel), the peak and "
                   "the RMS level and the tempo of each file. PATH is a file or a folder (searched recursively "
                   "for audio files). Levels are in dBFS over all samples of all channels at the file's own rate; "
                   "RMS is sqrt(mean(x^2)) over the whole file, the same definition as the report's RMS row. "
                   "The tempo (beat_track at 22050 Hz) is n/a for clips too short to hold two beats "
                   "(shorter than 1 s or than two beats at the estimated tempo).",
    .opts = info_opts,
    .n_opts = CLI_N(info_opts),
    .run = cmd_info,
};

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
    /* a tempo needs two beats: none for clips under 1 s or under two beats at the estimate */
    double dur = (double)y.n / y.sr;
    if (!(bpm > 0) || dur < 1.0 || dur < 2 * 60.0 / bpm) bpm = NAN;
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
    info_args o = {0};
    cli_args a;
    int rc = cli_parse(&cli_cmd_info, argc, argv, &o, &a);
    if (rc != CLI_CONTINUE) return rc;
    int json = o.json;
    double max_duration = o.max_duration;
    if (a.npos == 0) return cli_usage("info", "no input file given");
    cli_inputs in = {0};
    int failed = cli_walk(a.pos, a.npos, &in);

    int printed = 0;
    if (json) printf("[");
    for (size_t i = 0; i < in.n; i++) {
        const char *path = in.v[i].path;
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
            printf(", \"channels\": %d, \"sample_rate\": %d, \"duration_s\": %.6f, \"samples\": %lld",
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
                   "duration: %.3f s\nsamples: %lld\npeak: %s\nrms: %s\n",
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
    cli_inputs_free(&in);
    return failed ? 1 : 0;
}
