/* cmd_classify.c — audiostyle classify FILE...: the genres of audio files, with the built-in
 * GTZAN model or a trained one. Long tracks are cut into consecutive windows of the length the
 * model was trained on (30 s, or 3 s for a 3-s model) whose probabilities are averaged. */
#define _POSIX_C_SOURCE 200809L
#include "genre_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void usage(FILE *f)
{
    fprintf(f, "usage: audiostyle classify FILE... [--model M] [--top K] [--json] [--timeline]\n\n"
               "Prints the most likely genres of each file with their probabilities.\n"
               "  --model M      a model file from `audiostyle train` (default: the built-in GTZAN model)\n"
               "  --top K        how many genres to print (default 3; 0 = all)\n"
               "  --json         a JSON array of {\"file\", \"genres\": [{\"genre\", \"probability\"}]}\n"
               "  --timeline     also the genres of each window (30 s, or the model's segment length)\n"
               "  --max-duration S  refuse files longer than S seconds (default 1200; 0 = no limit)\n"
               "Tracks of at least 4/3 of a window are cut into consecutive windows whose probabilities\n"
               "are averaged; a remainder of at least a third of a window is covered by one more window\n"
               "that ends at the end of the track. Shorter tracks are classified whole.\n");
}

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
    const char *model_path = NULL;
    int top = 3, json = 0, timeline = 0, nfiles = 0;
    as_load_opts lo = {0};
    lo.max_duration_s = 1200;
    char **files = calloc((size_t)argc, sizeof *files);
    if (!files) return cli_error(NULL, AS_ERR_NOMEM, "classify");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            free(files);
            return 0;
        }
        if (strcmp(a, "--model") == 0) {
            if (i + 1 >= argc) {
                free(files);
                return cli_usage("classify", "--model needs a model file");
            }
            model_path = argv[++i];
        } else if (strcmp(a, "--top") == 0) {
            if (!cli_parse_int("classify", a, i + 1 < argc ? argv[i + 1] : NULL, 0, AS_GENRE_MAX_CLASSES, &top)) {
                free(files);
                return 2;
            }
            i++;
        } else if (strcmp(a, "--max-duration") == 0) {
            if (!cli_parse_double("classify", a, i + 1 < argc ? argv[i + 1] : NULL, 0, 1e7, &lo.max_duration_s)) {
                free(files);
                return 2;
            }
            i++;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--timeline") == 0) {
            timeline = 1;
        } else if (strcmp(a, "--") == 0) {
            while (++i < argc) files[nfiles++] = argv[i];
        } else if (a[0] == '-' && a[1]) {
            free(files);
            return cli_usage("classify", "unknown option '%s'", a);
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (!nfiles) {
        free(files);
        return cli_usage("classify", "no input files");
    }
    as_error err = {0};
    as_genre_model *m = NULL;
    as_status st = model_path ? as_genre_load(model_path, &m, &err) : as_genre_load_default(&m, &err);
    if (st != AS_OK) {
        free(files);
        return cli_error(&err, st, model_path ? model_path : "built-in model");
    }
    as_features *fx = as_features_create(&st);
    if (!fx) {
        as_genre_destroy(m);
        free(files);
        return cli_error(NULL, st, "features");
    }
    int C = as_genre_n_classes(m);
    if (top <= 0 || top > C) top = C;
    int64_t seg = as_genre_segment_length(m);
    int failed = 0, printed = 0;
    enum { MAXW = 4096 }; /* 34 hours of 30-s windows, 3.4 hours of 3-s ones */
    int64_t *starts = malloc(sizeof(int64_t) * MAXW);
    double *wp = malloc(sizeof(double) * (size_t)MAXW * C);
    if (!starts || !wp) {
        free(starts);
        free(wp);
        as_features_destroy(fx);
        as_genre_destroy(m);
        free(files);
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
        if (json) {
            printf("%s\n {\"file\": ", printed ? "," : "");
            cli_json_str(stdout, files[f]);
            printf(", \"genres\": ");
            print_genres_json(m, avg, top);
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
    return failed ? 1 : 0;
}
