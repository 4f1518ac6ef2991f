/* cmd_evaluate.c — audiostyle evaluate DATA (--folds K | --split TRAIN TEST): cross-validate or
 * test a genre model type, and print accuracy, per-genre scores and the confusion matrix. */
#define _POSIX_C_SOURCE 200809L
#include "genre_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: audiostyle evaluate DATA (--folds K | --split TRAIN_LIST TEST_LIST) [options]\n\n"
               "Trains and tests a model type on DATA (a features CSV or a folder of genre sub-folders).\n"
               "  --folds K             stratified K-fold cross-validation, grouped by song (default 10)\n"
               "  --split TRAIN TEST    train on the files of TRAIN (a list of genre/genre.NNNNN.wav lines;\n"
               "                        several lists joined by commas are merged), test on TEST.\n"
               "                        GTZAN fault-filtered: --split train_filtered.txt,valid_filtered.txt test_filtered.txt\n"
               "  --confusion OUT.png   also draw the confusion matrix\n"
               "  --json                print a JSON object (accuracy, per_class, confusion)\n"
               "  --quiet               no progress line\n"
               "training options:\n%s",
            genre_cli_train_help);
}

/* Marks the rows of every comma-separated list in `lists`. */
static int mark_lists(const as_genre_dataset *d, const char *lists, unsigned char *mask, int *missing)
{
    char *copy = strdup(lists), *save = NULL;
    if (!copy) return cli_error(NULL, AS_ERR_NOMEM, lists);
    *missing = 0;
    for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        as_error err = {0};
        int miss = 0;
        as_status st = as_genre_split_mark(d, p, mask, &miss, &err);
        if (st != AS_OK) {
            free(copy);
            return cli_error(&err, st, p);
        }
        *missing += miss;
    }
    free(copy);
    return 0;
}

static void print_text(const as_genre_eval *ev, const as_genre_dataset *d, const char *protocol, const char *type)
{
    int C = ev->n_classes;
    printf("%s, %s: accuracy %.1f %% (%d of %d)\n\n", type, protocol, 100 * ev->accuracy,
           (int)(ev->accuracy * ev->n_test + 0.5), ev->n_test);
    printf("%-12s %9s %9s %9s %8s\n", "genre", "precision", "recall", "f1", "support");
    double mp = 0, mr = 0, mf = 0;
    for (int c = 0; c < C; c++) {
        printf("%-12s %9.3f %9.3f %9.3f %8d\n", d->labels[c], ev->precision[c], ev->recall[c], ev->f1[c], ev->support[c]);
        mp += ev->precision[c] / C;
        mr += ev->recall[c] / C;
        mf += ev->f1[c] / C;
    }
    printf("%-12s %9.3f %9.3f %9.3f %8d\n\n", "macro avg", mp, mr, mf, ev->n_test);
    printf("confusion (rows: true genre, columns: predicted)\n%-10s", "");
    for (int c = 0; c < C; c++) printf(" %5.5s", d->labels[c]);
    printf("\n");
    for (int a = 0; a < C; a++) {
        printf("%-10.10s", d->labels[a]);
        for (int b = 0; b < C; b++) printf(" %5d", ev->confusion[a * AS_GENRE_MAX_CLASSES + b]);
        printf("\n");
    }
}

static void print_json(const as_genre_eval *ev, const as_genre_dataset *d, const char *protocol, const char *type,
                       int missing)
{
    int C = ev->n_classes;
    printf("{\"model_type\": ");
    cli_json_str(stdout, type);
    printf(", \"protocol\": ");
    cli_json_str(stdout, protocol);
    printf(", \"accuracy\": %.6f, \"n_test\": %d, \"missing_from_lists\": %d,\n \"labels\": [", ev->accuracy,
           ev->n_test, missing);
    for (int c = 0; c < C; c++) {
        if (c) printf(", ");
        cli_json_str(stdout, d->labels[c]);
    }
    printf("],\n \"per_class\": {");
    for (int c = 0; c < C; c++) {
        printf("%s\n  ", c ? "," : "");
        cli_json_str(stdout, d->labels[c]);
        printf(": {\"precision\": %.6f, \"recall\": %.6f, \"f1\": %.6f, \"support\": %d}", ev->precision[c],
               ev->recall[c], ev->f1[c], ev->support[c]);
    }
    printf("},\n \"confusion\": [");
    for (int a = 0; a < C; a++) {
        printf("%s[", a ? ", " : "");
        for (int b = 0; b < C; b++) printf("%s%d", b ? ", " : "", ev->confusion[a * AS_GENRE_MAX_CLASSES + b]);
        printf("]");
    }
    printf("]}\n");
}

int cmd_evaluate(int argc, char **argv)
{
    const char *data = NULL, *train_lists = NULL, *test_list = NULL, *png = NULL;
    int folds = 0, json = 0, quiet = 0, segments = 0;
    as_genre_train_opts o;
    genre_cli_train_defaults(&o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        int r = genre_cli_train_opt("evaluate", argc, argv, &i, &o);
        if (r < 0) return 2;
        if (r > 0) continue;
        if (strcmp(a, "--folds") == 0) {
            if (!cli_parse_int("evaluate", a, i + 1 < argc ? argv[i + 1] : NULL, 2, 1000, &folds)) return 2;
            i++;
        } else if (strcmp(a, "--split") == 0) {
            if (i + 2 >= argc) return cli_usage("evaluate", "--split needs TRAIN_LIST and TEST_LIST");
            train_lists = argv[++i];
            test_list = argv[++i];
        } else if (strcmp(a, "--confusion") == 0) {
            if (i + 1 >= argc) return cli_usage("evaluate", "--confusion needs a PNG file name");
            png = argv[++i];
        } else if (strcmp(a, "--segments") == 0) {
            if (!cli_parse_int("evaluate", a, i + 1 < argc ? argv[i + 1] : NULL, 0, 3, &segments)) return 2;
            if (segments != 0 && segments != 3) return cli_usage("evaluate", "--segments takes 3 (or 0 for whole files)");
            i++;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage("evaluate", "unknown option '%s'", a);
        } else if (!data) {
            data = a;
        } else {
            return cli_usage("evaluate", "one DATA argument only (got '%s' too)", a);
        }
    }
    if (!data) return cli_usage("evaluate", "missing DATA (a features CSV or a folder of genre sub-folders)");
    if (folds && train_lists) return cli_usage("evaluate", "--folds and --split exclude each other");
    if (!folds && !train_lists) folds = 10;
    cli_catch_interrupts();
    as_genre_dataset d;
    int rc = genre_cli_load_data("evaluate", data, segments, quiet || json, &d);
    if (rc) return rc;

    as_genre_eval *ev = calloc(1, sizeof *ev);
    unsigned char *tr = calloc((size_t)d.n, 1), *te = calloc((size_t)d.n, 1);
    char protocol[600];
    int missing = 0;
    as_error err = {0};
    as_status st = AS_OK;
    if (!ev || !tr || !te) {
        rc = cli_error(NULL, AS_ERR_NOMEM, "evaluate");
        goto done;
    }
    struct {
        cli_progress p;
        int members;
    } ps;
    cli_progress_begin(&ps.p, "training", quiet || json);
    ps.members = o.members;
    o.progress = genre_cli_train_progress;
    o.user = &ps;
    if (folds) {
        snprintf(protocol, sizeof protocol, "stratified %d-fold cross-validation%s", folds,
                 d.segment_length ? " (grouped by song)" : "");
        st = as_genre_cross_validate(&d, folds, &o, ev, &err);
    } else {
        int m1 = 0, m2 = 0;
        if ((rc = mark_lists(&d, train_lists, tr, &m1)) != 0) goto done;
        if ((rc = mark_lists(&d, test_list, te, &m2)) != 0) goto done;
        missing = m1 + m2;
        for (int i = 0; i < d.n; i++)
            if (tr[i] && te[i]) {
                cli_progress_end(&ps.p);
                fprintf(stderr, "audiostyle: %s: '%s' is in both the training and the test lists\n", test_list, d.name[i]);
                rc = 1;
                goto done;
            }
        snprintf(protocol, sizeof protocol, "train on %.250s, test on %.250s", train_lists, test_list);
        as_genre_model *m = NULL;
        st = as_genre_train(&d, tr, &o, &m, &err);
        if (st == AS_OK) {
            ev->n_classes = d.n_classes;
            st = as_genre_eval_add(m, &d, te, ev);
            if (st != AS_OK) snprintf(err.msg, sizeof err.msg, "%.400s: prediction failed", data);
        }
        as_genre_destroy(m);
    }
    cli_progress_end(&ps.p);
    if (st != AS_OK) {
        rc = cli_error(&err, st, data);
        goto done;
    }
    if (missing && !json) fprintf(stderr, "audiostyle: %d listed file(s) have no row in %s (skipped)\n", missing, data);
    if (json) print_json(ev, &d, protocol, as_genre_type_name(o.type), missing);
    else print_text(ev, &d, protocol, as_genre_type_name(o.type));
    if (png) {
        const char *labels[AS_GENRE_MAX_CLASSES];
        int counts[AS_GENRE_MAX_CLASSES * AS_GENRE_MAX_CLASSES];
        int C = ev->n_classes;
        for (int a = 0; a < C; a++) {
            labels[a] = d.labels[a];
            for (int b = 0; b < C; b++) counts[a * C + b] = ev->confusion[a * AS_GENRE_MAX_CLASSES + b];
        }
        char title[200];
        if (folds) snprintf(title, sizeof title, "%s, %d-fold cross-validation", as_genre_type_name(o.type), folds);
        else {
            const char *b = strrchr(test_list, '/');
            snprintf(title, sizeof title, "%s, test on %.150s", as_genre_type_name(o.type), b ? b + 1 : test_list);
        }
        st = as_plot_confusion(png, counts, C, labels, title, &err);
        if (st != AS_OK) rc = cli_error(&err, st, png);
    }
done:
    free(ev);
    free(tr);
    free(te);
    as_genre_dataset_free(&d);
    return rc;
}
