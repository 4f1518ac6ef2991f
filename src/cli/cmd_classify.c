/* cmd_classify.c — audiostyle classify FILE...: the genres of audio files, with the built-in
 * GTZAN model or a trained one. Long tracks are cut into consecutive windows of the length the
 * model was trained on (30 s, or 3 s for a 3-s model) whose probabilities are averaged. */
#define _POSIX_C_SOURCE 200809L
#include "genre_cli.h"
#include "walk.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


typedef struct classify_args {
    const char *model;
    int top, json, timeline;
    double max_duration;
} classify_args;

#define O(f) offsetof(classify_args, f)
static const cli_opt classify_opts[] = {
    {.name = "model", .type = CLI_FILE_IN, .metavar = "FILE", .def_text = "the built-in GTZAN model", .help = "a model file from `audiostyle train`", .offset = O(model)},
    {.name = "top", .type = CLI_INT, .metavar = "K", .min = 0, .max = AS_GENRE_MAX_CLASSES, .def = "3", .help = "how many genres to print (0 = all)", .offset = O(top)},
    {.name = "json", .type = CLI_FLAG, .help = "a JSON array of {\"file\", \"genres\": [{\"genre\", \"probability\"}], \"warning\"}", .offset = O(json)},
    {.name = "timeline", .type = CLI_FLAG, .help = "also the genres of each window (30 s, or the model's segment length)", .offset = O(timeline)},
    {.name = "max-duration", .type = CLI_DOUBLE, .metavar = "S", .min = 0, .max = 1e7, .def = "1200", .help = "refuse files longer than S seconds (0 = no limit)", .offset = O(max_duration)},
    {.name = "model-type", .type = CLI_REFUSED, .help = "classify takes a model file (--model FILE); --model-type is for train and evaluate"},
};
#undef O

const cli_command cli_cmd_classify = {
    .name = "classify",
    .synopsis = "PATH... [--model FILE] [--top K] [--json] [--timeline]",
    .summary = "tell the genre of audio files",
    .description = "Prints the most likely genres of each file with their probabilities. PATH is a file or a folder "
                   "(searched recursively for audio files). Tracks of at least 4/3 of a window are cut into "
                   "consecutive windows whose probabilities are averaged; a remainder of at least a third of a "
                   "window is covered by one more window that ends at the end of the track. Shorter tracks are "
                   "classified whole. A track under 3 s, or with an RMS level under -60 dBFS, gets a warning "
                   "line on stderr (and a \"warning\" in --json): its genres mean little.",
    .opts = classify_opts,
    .n_opts = CLI_N(classify_opts),
    .run = cmd_classify,
};

static void print_genres_json(const as_genre_model *m, const double *p, int top)
{
    int r[AS_GENRE_MAX_CLASSES];
    top = as_genre_top(p, as_genre_n_classes(m), r, top);
    printf("[");
    for (int i = 0; i < top; i++) {
        printf("%s{\"genre\": ", i ? ", " : "");
        cli_json_str(stdout, as_genre_label(m, r[i]));
        printf(", \"probability\": %.6f}", p[r[i]]);
    }
    printf("]");
}

static void print_genres_text(const as_genre_model *m, const double *p, int top)
{
    int r[AS_GENRE_MAX_CLASSES];
    top = as_genre_top(p, as_genre_n_classes(m), r, top);
    for (int i = 0; i < top; i++) printf("%s%s %.1f %%", i ? ", " : "", as_genre_label(m, r[i]), 100 * p[r[i]]);
}

static void fmt_t(char *b, size_t n, double s)
{
    long t = (long)(s + 0.5);
    snprintf(b, n, "%ld:%02ld", t / 60, t % 60);
}

int cmd_classify(int argc, char **argv)
{
    classify_args o = {0};
    cli_args pa;
    int prc = cli_parse(&cli_cmd_classify, argc, argv, &o, &pa);
    if (prc != CLI_CONTINUE) return prc;
    const char *model_path = o.model;
    int top = o.top, json = o.json, timeline = o.timeline;
    as_load_opts lo = {0};
    lo.max_duration_s = o.max_duration;
    if (!pa.npos) return cli_usage("classify", "no input files");
    cli_inputs in = {0};
    int walk_failed = cli_walk(pa.pos, pa.npos, &in);
    int nfiles = (int)in.n;
    char **files = calloc(in.n + 1, sizeof *files);
    if (!files) {
        cli_inputs_free(&in);
        return cli_error(NULL, AS_ERR_NOMEM, "classify");
    }
    for (size_t i = 0; i < in.n; i++) files[i] = in.v[i].path;
    as_error err = {0};
    as_genre_model *m = NULL;
    as_status st = model_path ? as_genre_load(model_path, &m, &err) : as_genre_load_default(&m, &err);
    if (st != AS_OK) {
        free(files);
        cli_inputs_free(&in);
        return cli_error(&err, st, model_path ? model_path : "built-in model");
    }
    as_features *fx = as_features_create(&st);
    if (!fx) {
        as_genre_destroy(m);
        free(files);
        cli_inputs_free(&in);
        return cli_error(NULL, st, "features");
    }
    int C = as_genre_n_classes(m);
    if (top <= 0 || top > C) top = C;
    int64_t seg = as_genre_segment_length(m);
    int failed = walk_failed, printed = 0;
    enum { MAXW = 4096 }; /* 34 hours of 30-s windows, 3.4 hours of 3-s ones */
    int64_t *starts = malloc(sizeof(int64_t) * MAXW);
    double *wp = malloc(sizeof(double) * (size_t)MAXW * C);
    if (!starts || !wp) {
        free(starts);
        free(wp);
        as_features_destroy(fx);
        as_genre_destroy(m);
        free(files);
        cli_inputs_free(&in);
        return cli_error(NULL, AS_ERR_NOMEM, "classify");
    }
    if (json) printf("[");
    for (int f = 0; f < nfiles; f++) {
        as_signal y = {0};
        memset(&err, 0, sizeof err);
        st = as_audio_load(files[f], &lo, &y, &err);
        if (st != AS_OK) {
            cli_error(&err, st, files[f]);
            failed++;
            continue;
        }
        int64_t wl = 0;
        int nw = as_genre_windows(y.n, seg, starts, MAXW, &wl);
        double avg[AS_GENRE_MAX_CLASSES] = {0};
        for (int w = 0; w < nw && st == AS_OK; w++) {
            double x[AS_FEATURES_COUNT];
            st = as_features_compute(fx, y.data + starts[w], wl, x);
            if (st == AS_OK) st = as_genre_predict(m, x, wp + (size_t)w * C);
            for (int c = 0; st == AS_OK && c < C; c++) avg[c] += wp[(size_t)w * C + c] / nw;
        }
        int64_t n_samples = y.n;
        char warning[160];
        cli_genre_warning(y.data, y.n, warning, sizeof warning);
        as_signal_free(&y);
        if (st != AS_OK && (st == AS_ERR_ARG || st == AS_ERR_EMPTY) && n_samples <= 1024) {
            fprintf(stderr, "audiostyle: %s: too short to classify (%lld samples at 22050 Hz; "
                            "more than 1024 needed)\n", files[f], (long long)n_samples);
            failed++;
            continue;
        }
        if (st != AS_OK) {
            fprintf(stderr, "audiostyle: %s: cannot classify: %s\n", files[f], as_strerror(st));
            if (st == AS_ERR_ARG || st == AS_ERR_EMPTY) fprintf(stderr, "hint: the track may be too short\n");
            failed++;
            continue;
        }
        if (warning[0]) {
            fflush(stdout);
            fprintf(stderr, "audiostyle: warning: %s: %s\n", files[f], warning);
        }
        if (json) {
            printf("%s\n {\"file\": ", printed ? "," : "");
            cli_json_str(stdout, files[f]);
            printf(", \"genres\": ");
            print_genres_json(m, avg, top);
            printf(", \"warning\": ");
            if (warning[0]) cli_json_str(stdout, warning);
            else printf("null");
            if (timeline) {
                printf(", \"windows\": [");
                for (int w = 0; w < nw; w++) {
                    printf("%s{\"start_s\": %.3f, \"end_s\": %.3f, \"genres\": ", w ? ", " : "",
                           (double)starts[w] / AS_SR, (double)(starts[w] + wl) / AS_SR);
                    print_genres_json(m, wp + (size_t)w * C, top);
                    printf("}");
                }
                printf("]");
            }
            printf("}");
        } else {
            printf("%s: ", files[f]);
            print_genres_text(m, avg, top);
            printf("\n");
            if (timeline)
                for (int w = 0; w < nw; w++) {
                    char a[32], b[32];
                    fmt_t(a, sizeof a, (double)starts[w] / AS_SR);
                    fmt_t(b, sizeof b, (double)(starts[w] + wl) / AS_SR);
                    printf("  %s-%s  ", a, b);
                    print_genres_text(m, wp + (size_t)w * C, top);
                    printf("\n");
                }
        }
        printed++;
        fflush(stdout);
    }
    if (json) printf("%s]\n", printed ? "\n" : "");
    free(starts);
    free(wp);
    as_features_destroy(fx);
    as_genre_destroy(m);
    free(files);
    cli_inputs_free(&in);
    return failed ? 1 : 0;
}
