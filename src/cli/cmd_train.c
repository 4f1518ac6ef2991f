/* cmd_train.c — audiostyle train DATA -o MODEL: train a genre model on a features CSV or a
 * folder of audio in genre sub-folders. Also the helpers the genre commands share
 * (genre_cli.h). */
#define _POSIX_C_SOURCE 200809L
#include "genre_cli.h"
#include "walk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- shared helpers ------------------------------------------------------------------------- */

void genre_cli_train_defaults(genre_cli_common *g)
{
    memset(g, 0, sizeof *g);
    as_genre_train_defaults(&g->t);
}

void genre_cli_train_finish(const cli_command *c, const cli_args *a, genre_cli_common *g)
{
    /* the default dropout belongs to the default type; other types keep their preset's unless
     * --dropout says otherwise */
    as_genre_train_opts def;
    as_genre_train_defaults(&def);
    if (g->t.type != def.type && !cli_given(c, a, "dropout")) g->t.dropout = -1;
    if (g->no_log_var) g->t.log_var = 0;
    g->segments = g->segments == 1 ? 3 : 0; /* the choice index of "0|3" */
}

typedef struct prog_state {
    cli_progress p;
    int members;
} prog_state;

int genre_cli_train_progress(void *user, int member, int epoch, int max_epochs, double train_loss,
                             double valid_loss)
{
    prog_state *s = user;
    if (s) {
        char extra[96];
        snprintf(extra, sizeof extra, "member %d/%d  loss %.3f  valid %.3f", member + 1, s->members, train_loss, valid_loss);
        cli_progress_update(&s->p, epoch, max_epochs, extra);
    }
    return cli_interrupted();
}

/* Features of every labelled audio file under DATA; unreadable files are reported and skipped. */
static int load_audio_folder(const char *root, int segments_s, int quiet, as_genre_dataset *d)
{
    char *paths[1] = {(char *)root};
    cli_inputs in = {0};
    if (cli_walk(paths, 1, &in) != 0 && in.n == 0) {
        fprintf(stderr, "hint: " GENRE_CLI_DATA_IS "\n");
        cli_inputs_free(&in);
        return 1;
    }
    as_status st;
    as_features *fx = as_features_create(&st);
    if (!fx) {
        cli_inputs_free(&in);
        return cli_error(NULL, st, "features");
    }
    int rc = 0, bad = 0, unlabelled = 0;
    size_t done = 0;
    cli_progress p;
    cli_progress_begin(&p, "features", quiet);
    for (size_t i = 0; i < in.n && !rc; i++) {
        const cli_input *e = &in.v[i];
        if (cli_interrupted()) {
            rc = 1;
            break;
        }
        done++;
        if (!e->label) {
            unlabelled++;
            continue;
        }
        as_signal y = {0};
        as_error err = {0};
        double x[AS_FEATURES_COUNT];
        st = as_audio_load(e->path, NULL, &y, &err);
        if (st != AS_OK) {
            cli_progress_end(&p);
            cli_error(&err, st, e->path);
            bad++;
            continue;
        }
        if (segments_s <= 0) {
            st = as_features_compute(fx, y.data, y.n, x);
            if (st == AS_OK) st = as_genre_dataset_add(d, e->name, e->label, y.n, x);
        } else { /* recipe 1: segment k = y[66150 k : 66150 k + 66149] */
            const int64_t step = 66150, len = 66149;
            for (int64_t k = 0; st == AS_OK && step * k + len <= y.n; k++) {
                char name[4200];
                const char *slash = strrchr(e->name, '/');
                const char *dot = strrchr(slash ? slash : e->name, '.');
                int stem = dot ? (int)(dot - e->name) : (int)strlen(e->name);
                snprintf(name, sizeof name, "%.*s.%d%s", stem, e->name, (int)k, dot ? dot : "");
                st = as_features_compute(fx, y.data + step * k, len, x);
                if (st == AS_OK) st = as_genre_dataset_add(d, name, e->label, len, x);
            }
        }
        as_signal_free(&y);
        if (st != AS_OK) {
            cli_progress_end(&p);
            fprintf(stderr, "audiostyle: %s: features failed: %s\n", e->path, as_strerror(st));
            bad++;
        }
        cli_progress_update(&p, (double)done, (double)in.n, e->label);
    }
    cli_progress_end(&p);
    as_features_destroy(fx);
    cli_inputs_free(&in);
    if (rc) return rc;
    if (bad) fprintf(stderr, "audiostyle: %s: %d file(s) skipped\n", root, bad);
    if (unlabelled && !quiet)
        fprintf(stderr, "audiostyle: %s: %d file(s) not in a genre folder, skipped\n", root, unlabelled);
    if (d->n_classes < 2) {
        fprintf(stderr, "audiostyle: %s: need audio in at least two genre folders\n", root);
        fprintf(stderr, "hint: " GENRE_CLI_DATA_IS "\n");
        return 1;
    }
    return 0;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int genre_cli_load_data(const char *cmd, const char *path, int segments_s, int quiet, as_genre_dataset *d)
{
    memset(d, 0, sizeof *d);
    if (is_dir(path)) {
        int rc = load_audio_folder(path, segments_s, quiet, d);
        if (rc) as_genre_dataset_free(d);
        return rc;
    }
    if (segments_s > 0)
        return cli_usage(cmd, "--segments applies to a folder of audio, not to a features CSV (%s); "
                              "a 3-s table comes from `audiostyle features --segments 3`", path);
    if (cli_is_audio_name(path)) {
        fprintf(stderr, "audiostyle: %s: an audio file, not training data\n", path);
        fprintf(stderr, "hint: " GENRE_CLI_DATA_IS "\n");
        return 1;
    }
    as_error err = {0};
    as_status st = as_genre_dataset_load_csv(path, d, &err);
    if (st != AS_OK) {
        if (st != AS_ERR_IO || !err.hint[0]) snprintf(err.hint, sizeof err.hint, "%s", GENRE_CLI_DATA_IS);
        return cli_error(&err, st, path);
    }
    return 0;
}

/* ---- the command ---------------------------------------------------------------------------- */

typedef struct train_args {
    genre_cli_common g; /* first: the shared entries' offsets are into it */
    const char *out;
} train_args;

static const cli_opt train_opts[] = {
    {.name = "output", .short_name = 'o', .type = CLI_FILE_OUT, .metavar = "MODEL", .help = "the model file to write", .offset = offsetof(train_args, out)},
    {.name = "force", .type = CLI_FLAG, .help = "replace existing files the command would write without being named", .offset = offsetof(train_args, g.force)},
    {.name = "quiet", .short_name = 'q', .type = CLI_FLAG, .help = "print nothing but errors", .offset = offsetof(train_args, g.quiet)},
    GENRE_CLI_TRAIN_OPTS,
};

/* The table's training defaults are the library's recipe (`audiostyle options --check`). */
static int train_check_defaults(void)
{
    train_args lib, tab;
    memset(&lib, 0, sizeof lib);
    genre_cli_train_defaults(&lib.g);
    tab = lib;
    return cli_check_defaults(&cli_cmd_train, &tab, &lib, offsetof(train_args, g.t), sizeof(as_genre_train_opts));
}

const cli_command cli_cmd_train = {
    .name = "train",
    .synopsis = "DATA -o MODEL [--model-type logreg|mlp-small|mlp|mlp-large] [options]",
    .summary = "train a genre model from a features CSV or a folder of audio",
    .description = "Trains a genre model. DATA is a features CSV in the Kaggle GTZAN schema (30-s or 3-s rows, a "
                   "label in every row) or a folder of audio whose files sit in genre folders: a GTZAN tree at "
                   "any level (Data, genres_original, ...) or DATA/<genre>/<file>. The defaults are the recipe of "
                   "the built-in model (docs/notes-genre.md).",
    .opts = train_opts,
    .n_opts = CLI_N(train_opts),
    .run = cmd_train,
    .check_defaults = train_check_defaults,
};

static const char *const not_model_exts = ".csv|.wav|.flac|.ogg|.oga|.opus|.mp3|.au|.aiff|.aif|.png|.html|.htm|.json|.txt";

int cmd_train(int argc, char **argv)
{
    train_args ta;
    genre_cli_train_defaults(&ta.g);
    ta.out = NULL;
    cli_args pa;
    int prc = cli_parse(&cli_cmd_train, argc, argv, &ta, &pa);
    if (prc != CLI_CONTINUE) return prc;
    genre_cli_train_finish(&cli_cmd_train, &pa, &ta.g);
    as_genre_train_opts o = ta.g.t;
    int quiet = ta.g.quiet, segments = ta.g.segments;
    const char *outp = ta.out;
    if (pa.npos == 0) return cli_usage("train", "missing DATA (a features CSV or a folder of genre sub-folders)");
    if (pa.npos > 1) return cli_usage("train", "one DATA argument only (got '%s' too)", pa.pos[1]);
    const char *data = pa.pos[0];
    if (!outp) return cli_usage("train", "missing -o MODEL");
    {
        cli_out outs[] = {{.path = outp, .what = "the model", .not_exts = not_model_exts, .named = 1}};
        const char *ins[] = {data};
        int bad = cli_check_paths("train", outs, 1, ins, 1, ta.g.force);
        if (bad) return bad;
    }
    cli_catch_interrupts();
    as_genre_dataset d;
    int rc = genre_cli_load_data("train", data, segments, quiet, &d);
    if (rc) return rc;
    prog_state ps;
    cli_progress_begin(&ps.p, "training", quiet);
    ps.members = o.members;
    o.progress = genre_cli_train_progress;
    o.user = &ps;
    as_genre_model *m = NULL;
    as_error err = {0};
    double t0 = cli_now();
    as_status st = as_genre_train(&d, NULL, &o, &m, &err);
    cli_progress_end(&ps.p);
    if (st == AS_OK) st = as_genre_save(m, outp, &err);
    if (st != AS_OK) {
        as_genre_destroy(m);
        as_genre_dataset_free(&d);
        return cli_error(&err, st, outp);
    }
    if (!quiet)
        fprintf(stderr, "audiostyle: %s: %s model, %d members, trained on %d rows (%d songs, %d genres) in %.1f s\n",
                outp, as_genre_type_name(o.type), o.members, d.n, d.n_songs, d.n_classes, cli_now() - t0);
    as_genre_destroy(m);
    as_genre_dataset_free(&d);
    return 0;
}
