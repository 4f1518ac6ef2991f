/* cmd_evaluate.c — audiostyle evaluate DATA (--folds K | --split TRAIN TEST): cross-validate or
 * test a genre model type, and print accuracy, per-genre scores and the confusion matrix. */
#define _POSIX_C_SOURCE 200809L
#include "genre_cli.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct evaluate_args {
    genre_cli_common g; /* first: the shared entries' offsets are into it */
    int folds, json;
    const char *split[2];
    const char *confusion;
} evaluate_args;

#define O(f) offsetof(evaluate_args, f)
static const cli_opt evaluate_opts[] = {
    {.name = "folds", .type = CLI_INT, .metavar = "K", .min = 2, .max = 1000, .def_text = "10, without --split", .help = "stratified K-fold cross-validation, grouped by song", .offset = O(folds)},
    {.name = "split", .type = CLI_PAIR, .metavar = "TRAIN TEST", .help = "train on the files of TRAIN (a list of genre/genre.NNNNN.wav lines; several lists joined by commas are merged), test on TEST", .offset = O(split)},
    {.name = "confusion", .type = CLI_FILE_OUT, .metavar = "OUT.png", .help = "also draw the confusion matrix", .offset = O(confusion)},
    {.name = "json", .type = CLI_FLAG, .help = "print a JSON object (accuracy, per_class, confusion)", .offset = O(json)},
    {.name = "force", .type = CLI_FLAG, .help = "replace existing files the command would write without being named", .offset = O(g.force)},
    {.name = "quiet", .short_name = 'q', .type = CLI_FLAG, .help = "print nothing but errors", .offset = O(g.quiet)},
    GENRE_CLI_TRAIN_OPTS,
};
#undef O

const cli_command cli_cmd_evaluate = {
    .name = "evaluate",
    .synopsis = "DATA (--folds K | --split TRAIN_LIST TEST_LIST) [options]",
    .summary = "cross-validate or test a genre model type",
    .description = "Trains and tests a model type (--model-type) on DATA (a features CSV or a folder of audio in "
                   "genre folders, as for train) and prints accuracy, per-genre precision, recall and F1 and the "
                   "confusion matrix. GTZAN fault-filtered: --split train_filtered.txt,valid_filtered.txt "
                   "test_filtered.txt.",
    .opts = evaluate_opts,
    .n_opts = CLI_N(evaluate_opts),
    .run = cmd_evaluate,
};

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
    evaluate_args ea;
    memset(&ea, 0, sizeof ea);
    genre_cli_train_defaults(&ea.g);
    cli_args pa;
    int prc = cli_parse(&cli_cmd_evaluate, argc, argv, &ea, &pa);
    if (prc != CLI_CONTINUE) return prc;
    genre_cli_train_finish(&cli_cmd_evaluate, &pa, &ea.g);
    as_genre_train_opts o = ea.g.t;
    const char *train_lists = ea.split[0], *test_list = ea.split[1], *png = ea.confusion;
    int folds = ea.folds, json = ea.json, quiet = ea.g.quiet, segments = ea.g.segments;
    if (pa.npos == 0) return cli_usage("evaluate", "missing DATA (a features CSV or a folder of genre sub-folders)");
    if (pa.npos > 1) return cli_usage("evaluate", "one DATA argument only (got '%s' too)", pa.pos[1]);
    const char *data = pa.pos[0];
    if (folds && train_lists) return cli_usage("evaluate", "--folds and --split exclude each other");
    if (!folds && !train_lists) folds = 10;
    {
        cli_out outs[] = {{.path = png, .what = "the confusion matrix", .exts = ".png", .named = 1}};
        const char *ins[] = {data, train_lists, test_list};
        int bad = cli_check_paths("evaluate", outs, 1, ins, 3, ea.g.force);
        if (bad) return bad;
    }
    if (train_lists) { /* the lists must be there before the features of a folder are computed */
        char lists[8192];
        snprintf(lists, sizeof lists, "%s,%s", train_lists, test_list);
        char *save = NULL;
        for (char *p = strtok_r(lists, ",", &save); p; p = strtok_r(NULL, ",", &save))
            if (access(p, R_OK) != 0)
                return cli_path_problem(1, p, "--split TRAIN TEST takes lists of genre/genre.NNNNN.wav lines",
                                        "cannot read the list (%s)", strerror(errno));
    }
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
        else if (!quiet) fprintf(stderr, "audiostyle: wrote %s\n", png);
    }
done:
    free(ev);
    free(tr);
    free(te);
    as_genre_dataset_free(&d);
    return rc;
}
