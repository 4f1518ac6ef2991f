/* cmd_train.c — audiostyle train DATA -o MODEL: train a genre model on a features CSV or a
 * folder of audio in genre sub-folders. Also the helpers the genre commands share
 * (genre_cli.h). */
#define _POSIX_C_SOURCE 200809L
#include "genre_cli.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- shared helpers ------------------------------------------------------------------------- */

const char genre_cli_train_help[] =
    "  --model-type T        logreg | mlp-small | mlp | mlp-large (default: mlp-small)\n"
    "  --epochs N            epochs, or the most epochs with early stopping (default 50)\n"
    "  --seed N              random seed (default 0); the same seed gives the same model\n"
    "  --valid-fraction F    songs held out for early stopping, 0 to 0.5 (default 0: none,\n"
    "                        train for --epochs; cross-validation found that better on GTZAN)\n"
    "  --patience N          early-stopping patience in epochs (default 30)\n"
    "  --members N           ensemble: N networks with different seeds, averaged (default 5)\n"
    "  --weight-decay W      AdamW weight decay (default 1e-4)\n"
    "  --dropout P           dropout on hidden layers (default 0.3 for mlp-small, else the\n"
    "                        type's: mlp 0.2, mlp-large 0.3)\n"
    "  --lr R                Adam learning rate (default 1e-3)\n"
    "  --batch-size N        mini-batch size (default 32)\n"
    "  --no-log-var          do not take the log of the *_var columns\n"
    "  --segments 3          with an audio folder: 3-s rows instead of whole files\n"
    "The defaults are the recipe of the built-in model (docs/notes-genre.md).\n";

void genre_cli_train_defaults(as_genre_train_opts *o)
{
    as_genre_train_defaults(o);
}

static int dropout_given; /* one command per process */

int genre_cli_train_opt(const char *cmd, int argc, char **argv, int *i, as_genre_train_opts *o)
{
    const char *a = argv[*i];
    const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    int ok = 1;
    if (strcmp(a, "--no-log-var") == 0) {
        o->log_var = 0;
        return 1;
    }
    if (strcmp(a, "--model-type") == 0 || (strcmp(cmd, "train") == 0 && strcmp(a, "--model") == 0)) {
        int t = as_genre_type_parse(v);
        if (t < 0) {
            cli_usage(cmd, "%s needs logreg, mlp-small, mlp or mlp-large (got '%s')", a, v ? v : "");
            return -1;
        }
        /* the default dropout belongs to the default type; other types keep their preset's
         * unless --dropout says otherwise */
        if (t != o->type && !dropout_given) o->dropout = -1;
        o->type = t;
    } else if (strcmp(a, "--epochs") == 0) ok = cli_parse_int(cmd, a, v, 1, 100000, &o->epochs);
    else if (strcmp(a, "--seed") == 0) ok = cli_parse_u64(cmd, a, v, &o->seed);
    else if (strcmp(a, "--valid-fraction") == 0) ok = cli_parse_double(cmd, a, v, 0, 0.5, &o->valid_fraction);
    else if (strcmp(a, "--members") == 0) ok = cli_parse_int(cmd, a, v, 1, 16, &o->members);
    else if (strcmp(a, "--weight-decay") == 0) ok = cli_parse_double(cmd, a, v, 0, 1, &o->weight_decay);
    else if (strcmp(a, "--dropout") == 0) {
        ok = cli_parse_double(cmd, a, v, 0, 0.9, &o->dropout);
        dropout_given = 1;
    }
    else if (strcmp(a, "--lr") == 0) ok = cli_parse_double(cmd, a, v, 1e-6, 1, &o->lr);
    else if (strcmp(a, "--batch-size") == 0) ok = cli_parse_int(cmd, a, v, 1, 65536, &o->batch_size);
    else if (strcmp(a, "--patience") == 0) ok = cli_parse_int(cmd, a, v, 1, 100000, &o->patience);
    else return 0;
    if (!ok) return -1;
    (*i)++;
    return 1;
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

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted names in a folder (no dot files); NULL on failure. */
static char **list_dir(const char *path, int *n)
{
    *n = 0;
    DIR *d = opendir(path);
    if (!d) return NULL;
    int cap = 64;
    char **v = malloc(sizeof(char *) * cap);
    struct dirent *e;
    while (v && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (*n == cap) {
            char **nv = realloc(v, sizeof(char *) * (cap *= 2));
            if (!nv) break;
            v = nv;
        }
        v[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    if (v) qsort(v, (size_t)*n, sizeof *v, cmp_str);
    return v;
}

static void free_list(char **v, int n)
{
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Features of every file in DIR/<genre>/; unreadable files are reported and skipped. */
static int load_audio_folder(const char *cmd, const char *root, int segments_s, int quiet, as_genre_dataset *d)
{
    int ng = 0, rc = 0, total = 0, done = 0, bad = 0;
    char **genres = list_dir(root, &ng);
    if (!genres) {
        fprintf(stderr, "audiostyle: %s: cannot read the folder\n", root);
        return 1;
    }
    as_status st;
    as_features *fx = as_features_create(&st);
    if (!fx) {
        free_list(genres, ng);
        return cli_error(NULL, st, "features");
    }
    char path[4096];
    for (int g = 0; g < ng; g++) { /* count files for the progress line */
        snprintf(path, sizeof path, "%s/%s", root, genres[g]);
        if (!is_dir(path)) continue;
        int nf = 0;
        char **files = list_dir(path, &nf);
        if (files) free_list(files, nf);
        total += nf;
    }
    cli_progress p;
    cli_progress_begin(&p, "features", quiet);
    for (int g = 0; g < ng && !rc; g++) {
        snprintf(path, sizeof path, "%s/%s", root, genres[g]);
        if (!is_dir(path)) continue;
        int nf = 0;
        char **files = list_dir(path, &nf);
        for (int f = 0; files && f < nf && !rc; f++) {
            if (cli_interrupted()) {
                rc = 1;
                break;
            }
            snprintf(path, sizeof path, "%s/%s/%s", root, genres[g], files[f]);
            as_signal y = {0};
            as_error err = {0};
            double x[AS_FEATURES_COUNT];
            st = as_audio_load(path, NULL, &y, &err);
            if (st != AS_OK) {
                cli_progress_end(&p);
                cli_error(&err, st, path);
                bad++;
                done++;
                continue;
            }
            if (segments_s <= 0) {
                st = as_features_compute(fx, y.data, y.n, x);
                if (st == AS_OK) st = as_genre_dataset_add(d, files[f], genres[g], y.n, x);
            } else { /* recipe 1: segment k = y[66150 k : 66150 k + 66149] */
                const int64_t step = 66150, len = 66149;
                for (int64_t k = 0; st == AS_OK && step * k + len <= y.n; k++) {
                    char name[600];
                    const char *dot = strrchr(files[f], '.');
                    int stem = dot ? (int)(dot - files[f]) : (int)strlen(files[f]);
                    snprintf(name, sizeof name, "%.*s.%d%s", stem, files[f], (int)k, dot ? dot : "");
                    st = as_features_compute(fx, y.data + step * k, len, x);
                    if (st == AS_OK) st = as_genre_dataset_add(d, name, genres[g], len, x);
                }
            }
            as_signal_free(&y);
            if (st != AS_OK) {
                cli_progress_end(&p);
                fprintf(stderr, "audiostyle: %s: features failed: %s\n", path, as_strerror(st));
                bad++;
            }
            done++;
            cli_progress_update(&p, done, total, genres[g]);
        }
        if (files) free_list(files, nf);
    }
    cli_progress_end(&p);
    as_features_destroy(fx);
    free_list(genres, ng);
    if (rc) return rc;
    if (bad) fprintf(stderr, "audiostyle: %s: %d file(s) skipped\n", root, bad);
    if (d->n_classes < 2) {
        fprintf(stderr, "audiostyle: %s: need audio in at least two genre sub-folders\n", root);
        fprintf(stderr, "hint: the layout is DATA/<genre>/<file>, e.g. GTZAN's genres_original\n");
        return 1;
    }
    (void)cmd;
    return 0;
}

int genre_cli_load_data(const char *cmd, const char *path, int segments_s, int quiet, as_genre_dataset *d)
{
    memset(d, 0, sizeof *d);
    if (is_dir(path)) {
        int rc = load_audio_folder(cmd, path, segments_s, quiet, d);
        if (rc) as_genre_dataset_free(d);
        return rc;
    }
    as_error err = {0};
    as_status st = as_genre_dataset_load_csv(path, d, &err);
    if (st != AS_OK) {
        if (st == AS_ERR_SCHEMA && !err.hint[0])
            snprintf(err.hint, sizeof err.hint, "DATA is a features CSV in the Kaggle GTZAN schema or a folder of genre sub-folders");
        return cli_error(&err, st, path);
    }
    return 0;
}

/* ---- the command ---------------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f, "usage: audiostyle train DATA -o MODEL [options]\n\n"
               "Trains a genre model. DATA is a features CSV in the Kaggle GTZAN schema (30-s or 3-s\n"
               "rows) or a folder of audio in genre sub-folders (GTZAN's genres_original).\n\n"
               "options:\n"
               "  -o, --output MODEL    the model file to write\n"
               "  --model T             same as --model-type\n"
               "  --quiet               no progress line\n"
               "%s",
            genre_cli_train_help);
}

int cmd_train(int argc, char **argv)
{
    const char *data = NULL, *outp = NULL;
    int quiet = 0, segments = 0;
    as_genre_train_opts o;
    genre_cli_train_defaults(&o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        int r = genre_cli_train_opt("train", argc, argv, &i, &o);
        if (r < 0) return 2;
        if (r > 0) continue;
        if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= argc) return cli_usage("train", "%s needs a file name", a);
            outp = argv[++i];
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (strcmp(a, "--segments") == 0) {
            if (!cli_parse_int("train", a, i + 1 < argc ? argv[i + 1] : NULL, 0, 3, &segments)) return 2;
            if (segments != 0 && segments != 3) return cli_usage("train", "--segments takes 3 (or 0 for whole files)");
            i++;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage("train", "unknown option '%s'", a);
        } else if (!data) {
            data = a;
        } else {
            return cli_usage("train", "one DATA argument only (got '%s' too)", a);
        }
    }
    if (!data) return cli_usage("train", "missing DATA (a features CSV or a folder of genre sub-folders)");
    if (!outp) return cli_usage("train", "missing -o MODEL");
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
