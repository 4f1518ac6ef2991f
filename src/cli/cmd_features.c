/* cmd_features.c — audiostyle features PATH... -o OUT.csv [--segments S] [--jobs N]
 * [--max-duration S] [--quiet]: the 57 GTZAN features of audio files (or of their S-second
 * segments) in the Kaggle CSV schema. Files are processed in parallel (one as_features per
 * thread); rows come out in sorted path order whatever the thread timing; a file that fails is
 * reported and skipped (exit 1; no table at all when every file failed). Before the work, the
 * memory each file needs is estimated from its header: a file that cannot fit in MemAvailable
 * is refused, and fewer files run at once when `jobs` of them would not fit. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const audio_ext[] = {"wav", "flac", "ogg", "oga", "opus", "mp3", "au",
                                        "aiff", "aif", "caf", "w64", NULL};

static int is_audio_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot || name[0] == '.') return 0;
    for (int i = 0; audio_ext[i]; i++)
        if (strcasecmp(dot + 1, audio_ext[i]) == 0) return 1;
    return 0;
}

typedef struct job {
    char *path;
    char *label;          /* parent folder for GTZAN-style trees, else NULL */
    double *values;       /* (nrows, 57) */
    int64_t *lengths;     /* (nrows,) */
    int64_t nrows;
    as_status status;
    as_error err;
} job;

typedef struct joblist {
    job *v;
    size_t n, cap;
} joblist;

static int push(joblist *l, const char *path)
{
    if (l->n == l->cap) {
        size_t c = l->cap ? 2 * l->cap : 64;
        job *nv = realloc(l->v, sizeof *nv * c);
        if (!nv) return -1;
        l->v = nv;
        l->cap = c;
    }
    memset(&l->v[l->n], 0, sizeof l->v[l->n]);
    l->v[l->n].path = strdup(path);
    if (!l->v[l->n].path) return -1;
    l->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Adds the audio files under dir (recursively, sorted by name). */
static int scan_dir(joblist *l, const char *dir, int depth)
{
    if (depth > 32) return 0;
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "audiostyle: %s: cannot open the folder\n", dir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(names, sizeof *nn * cap);
            if (!nn) break;
            names = nn;
        }
        names[n] = strdup(e->d_name);
        if (names[n]) n++;
    }
    closedir(d);
    if (n > 1) qsort(names, n, sizeof *names, cmp_str); /* names is NULL for an empty folder */
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        size_t L = strlen(dir) + strlen(names[i]) + 2;
        char *p = malloc(L);
        if (p) {
            snprintf(p, L, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
            struct stat st;
            if (stat(p, &st) == 0) {
                if (S_ISDIR(st.st_mode)) {
                    if (scan_dir(l, p, depth + 1) != 0) rc = -1;
                } else if (S_ISREG(st.st_mode) && is_audio_name(names[i])) {
                    if (push(l, p) != 0) rc = -1;
                }
            }
            free(p);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

/* GTZAN layout: genres_original/<genre>/<file>, or <genre>/<genre>.NNNNN.<ext>: the label is the
 * parent folder's name. */
static char *label_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) return NULL;
    const char *base = slash + 1;
    const char *ps = slash - 1;
    while (ps > path && *ps != '/') ps--;
    const char *parent = *ps == '/' ? ps + 1 : ps;
    size_t plen = (size_t)(slash - parent);
    if (plen == 0) return NULL;
    int gtzan = 0;
    if (strncmp(base, parent, plen) == 0 && base[plen] == '.') gtzan = 1;
    if (ps > path) {
        const char *gs = ps - 1;
        while (gs > path && *gs != '/') gs--;
        const char *gp = *gs == '/' ? gs + 1 : gs;
        if ((size_t)(ps - gp) == strlen("genres_original") && strncmp(gp, "genres_original", 15) == 0)
            gtzan = 1;
    }
    if (!gtzan) return NULL;
    char *l = malloc(plen + 1);
    if (l) {
        memcpy(l, parent, plen);
        l[plen] = 0;
    }
    return l;
}

typedef struct shared {
    joblist *jobs;
    int segments;
    double max_duration; /* seconds; 0 = no limit */
    pthread_mutex_t lock;
    size_t next, done;
    int stop;
} shared;

typedef struct worker {
    shared *sh;
    as_features *f;
    pthread_t th;
} worker;

static void run_job(as_features *f, job *j, int segments, double max_duration)
{
    as_signal s = {0};
    as_load_opts lo = {0};
    lo.max_duration_s = max_duration;
    j->status = as_audio_load(j->path, &lo, &s, &j->err);
    if (j->status != AS_OK) return;
    int64_t len = s.n, nrows = 1;
    int64_t hop = len;
    if (segments > 0) {
        nrows = as_features_segments(s.n, segments, &hop, &len);
        if (nrows == 0) {
            j->status = AS_ERR_EMPTY;
            snprintf(j->err.msg, sizeof j->err.msg, "%s: shorter than one %d-s segment (%.2f s)",
                     j->path, segments, (double)s.n / s.sr);
            as_signal_free(&s);
            return;
        }
    }
    j->values = malloc(sizeof *j->values * (size_t)nrows * AS_FEATURES_COUNT);
    j->lengths = malloc(sizeof *j->lengths * (size_t)nrows);
    if (!j->values || !j->lengths) {
        j->status = AS_ERR_NOMEM;
        as_signal_free(&s);
        return;
    }
    for (int64_t k = 0; k < nrows; k++) {
        j->status = as_features_compute(f, s.data + k * hop, len, j->values + k * AS_FEATURES_COUNT);
        if (j->status != AS_OK) {
            if (j->status == AS_ERR_ARG)
                snprintf(j->err.msg, sizeof j->err.msg,
                         "%s: too short for the features (%lld samples; more than 1024 needed)",
                         j->path, (long long)len);
            else
                snprintf(j->err.msg, sizeof j->err.msg, "%s: %s", j->path, as_strerror(j->status));
            as_signal_free(&s);
            return;
        }
        j->lengths[k] = len;
    }
    j->nrows = nrows;
    as_signal_free(&s);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    for (;;) {
        pthread_mutex_lock(&sh->lock);
        size_t i = sh->next;
        int stop = sh->stop || cli_interrupted();
        if (!stop && i < sh->jobs->n) sh->next++;
        pthread_mutex_unlock(&sh->lock);
        if (stop || i >= sh->jobs->n) break;
        run_job(w->f, &sh->jobs->v[i], sh->segments, sh->max_duration);
        pthread_mutex_lock(&sh->lock);
        sh->done++;
        pthread_mutex_unlock(&sh->lock);
    }
    return NULL;
}

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: audiostyle features PATH... -o OUT.csv [--segments S] [--jobs N] [--max-duration S]\n"
            "                           [--quiet]\n"
            "\n"
            "The 57 GTZAN features (librosa 0.7.2, Kaggle CSV schema) of audio files. PATH is a\n"
            "file or a folder (searched recursively for audio files). In a GTZAN tree\n"
            "(genres_original/<genre>/*.wav) the label column is the genre folder.\n"
            "\n"
            "  -o, --output OUT.csv  where to write the table (atomically)\n"
            "  --segments S          one row per complete S-second segment (3: features_3_sec.csv)\n"
            "  --jobs N              files processed in parallel (default: number of cores,\n"
            "                        fewer when memory is short)\n"
            "  --max-duration S      refuse files longer than S seconds (default 1200; 0 = no\n"
            "                        limit)\n"
            "  --quiet               no progress line\n");
}

/* MemAvailable from /proc/meminfo in MB (AUDIOSTYLE_MEMAVAIL_MB overrides it, for tests);
 * -1 when unknown. */
static double mem_available_mb(void)
{
    const char *env = getenv("AUDIOSTYLE_MEMAVAIL_MB");
    if (env && *env) return atof(env);
    FILE *fp = fopen("/proc/meminfo", "r");
    if (!fp) return -1;
    char line[256];
    double mb = -1;
    while (fgets(line, sizeof line, fp))
        if (strncmp(line, "MemAvailable:", 13) == 0) {
            mb = atof(line + 13) / 1024.0;
            break;
        }
    fclose(fp);
    return mb;
}

/* Peak memory of one job in MB, from the header (0 when the header does not say): the decoded
 * file at its own rate (4 bytes a sample per channel), the 22050-Hz signal (4 bytes a sample)
 * and as_features_compute's workspace (60 bytes per input sample, see audiostyle.h) on the
 * whole signal or on one segment. */
static double job_memory_mb(const char *path, int segments, double max_duration)
{
    as_audio_info in;
    if (as_audio_probe(path, &in, NULL) != AS_OK || in.frames <= 0 || in.sample_rate <= 0) return 0;
    double sec = (double)in.frames / in.sample_rate;
    if (max_duration > 0 && sec > max_duration) return 0; /* refused by the loader anyway */
    double n22 = sec * 22050.0, work = segments > 0 && segments < sec ? segments * 22050.0 : n22;
    return ((double)in.frames * in.channels * 4.0 + n22 * 4.0 + work * 60.0) / (1024.0 * 1024.0);
}

static char *row_name(const char *path, int segments, int64_t k)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t L = strlen(base) + 32;
    char *o = malloc(L);
    if (!o) return NULL;
    if (segments <= 0) {
        snprintf(o, L, "%s", base);
        return o;
    }
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base) snprintf(o, L, "%s.%lld", base, (long long)k);
    else snprintf(o, L, "%.*s.%lld%s", (int)(dot - base), base, (long long)k, dot);
    return o;
}

int cmd_features(int argc, char **argv)
{
    const char *out = NULL;
    int segments = 0, jobs = 0, quiet = 0;
    double max_duration = 1200;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    joblist L = {0};
    char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    int ninputs = 0;
    if (!inputs) return cli_error(NULL, AS_ERR_NOMEM, "features");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) { usage(stdout); free(inputs); return 0; }
        if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (++i >= argc) { free(inputs); return cli_usage("features", "%s needs a file name", a); }
            out = argv[i];
        } else if (strcmp(a, "--segments") == 0) {
            if (++i >= argc || !cli_parse_int("features", "--segments", argv[i], 1, 3600, &segments)) {
                free(inputs);
                return i >= argc ? cli_usage("features", "--segments needs a number of seconds") : 2;
            }
        } else if (strcmp(a, "--jobs") == 0 || strcmp(a, "-j") == 0) {
            if (++i >= argc || !cli_parse_int("features", "--jobs", argv[i], 1, 1024, &jobs)) {
                free(inputs);
                return i >= argc ? cli_usage("features", "--jobs needs a number") : 2;
            }
        } else if (strcmp(a, "--max-duration") == 0) {
            if (++i >= argc || !cli_parse_double("features", "--max-duration", argv[i], 0, 1e9, &max_duration)) {
                free(inputs);
                return i >= argc ? cli_usage("features", "--max-duration needs a number of seconds") : 2;
            }
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            quiet = 1;
        } else if (a[0] == '-' && a[1] != 0) {
            free(inputs);
            return cli_usage("features", "unknown option '%s'", a);
        } else {
            inputs[ninputs++] = argv[i];
        }
    }
    if (!out) { free(inputs); return cli_usage("features", "no output file (-o OUT.csv)"); }
    if (ninputs == 0) { free(inputs); return cli_usage("features", "no input file or folder"); }
    if (jobs <= 0) jobs = ncpu > 0 ? (int)ncpu : 1;
    {
        /* fail before the work when the output folder cannot take the file */
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", out);
        char *sl = strrchr(dir, '/');
        if (!sl) snprintf(dir, sizeof dir, ".");
        else if (sl == dir) dir[1] = 0;
        else *sl = 0;
        struct stat ds;
        if (stat(dir, &ds) != 0 || !S_ISDIR(ds.st_mode) || access(dir, W_OK) != 0) {
            fprintf(stderr, "audiostyle: %s: cannot write there (folder %s missing or read-only)\n", out, dir);
            free(inputs);
            return 1;
        }
    }

    int failed = 0;
    for (int i = 0; i < ninputs; i++) {
        struct stat st;
        if (stat(inputs[i], &st) != 0) {
            fprintf(stderr, "audiostyle: %s: no such file or folder\n", inputs[i]);
            failed = 1;
        } else if (S_ISDIR(st.st_mode)) {
            if (scan_dir(&L, inputs[i], 0) != 0) failed = 1;
        } else if (push(&L, inputs[i]) != 0) {
            failed = 1;
        }
    }
    const char *first_input = inputs[0]; /* an argv string: outlives inputs */
    free(inputs);
    for (size_t i = 0; i < L.n; i++) L.v[i].label = label_of(L.v[i].path);
    if (L.n == 0) {
        if (!failed)
            fprintf(stderr, "audiostyle: %s%s: no audio files found\n", first_input,
                    ninputs > 1 ? " (and the other inputs)" : "");
        free(L.v);
        return 1;
    }
    if ((size_t)jobs > L.n) jobs = (int)L.n;
    {
        /* memory: refuse a file whose features cannot fit before any work, and run fewer
         * files at once when `jobs` of the largest would not fit */
        double avail = mem_available_mb(), biggest = 0;
        const char *big = NULL;
        for (size_t i = 0; avail > 0 && i < L.n; i++) {
            double mb = job_memory_mb(L.v[i].path, segments, max_duration);
            if (mb > biggest) {
                biggest = mb;
                big = L.v[i].path;
            }
        }
        if (big && biggest > avail) {
            fprintf(stderr, "audiostyle: %s: the features need about %.0f MB of memory, %.0f MB is available\n",
                    big, biggest, avail);
            fprintf(stderr, "hint: --segments S needs less (one row per S-second segment), or cut the file "
                            "shorter; --max-duration S refuses long files\n");
            for (size_t i = 0; i < L.n; i++) {
                free(L.v[i].path);
                free(L.v[i].label);
            }
            free(L.v);
            return 1;
        }
        if (big && biggest * jobs > avail) {
            int fit = (int)(avail / biggest);
            jobs = fit > 1 ? fit : 1;
            if (!quiet)
                fprintf(stderr, "audiostyle: features: %d file(s) at a time (about %.0f MB each, %.0f MB available)\n",
                        jobs, biggest, avail);
        }
    }

    cli_catch_interrupts();
    shared sh = {.jobs = &L, .segments = segments, .max_duration = max_duration};
    pthread_mutex_init(&sh.lock, NULL);
    worker *W = calloc((size_t)jobs, sizeof *W);
    int started = 0;
    as_status st = AS_OK;
    for (int t = 0; W && t < jobs; t++) {
        W[t].sh = &sh;
        W[t].f = as_features_create(&st);
        if (!W[t].f) break;
        if (pthread_create(&W[t].th, NULL, worker_main, &W[t]) != 0) {
            as_features_destroy(W[t].f);
            W[t].f = NULL;
            break;
        }
        started++;
    }
    if (started == 0) {
        fprintf(stderr, "audiostyle: features: cannot start (%s)\n", as_strerror(st != AS_OK ? st : AS_ERR_NOMEM));
        free(W);
        return 1;
    }
    cli_progress p;
    cli_progress_begin(&p, "features", quiet);
    for (;;) {
        pthread_mutex_lock(&sh.lock);
        size_t done = sh.done, next = sh.next;
        pthread_mutex_unlock(&sh.lock);
        int finished = done >= L.n || (cli_interrupted() && done >= next);
        double el = cli_now() - p.t0;
        char extra[64];
        snprintf(extra, sizeof extra, "%.1f files/s", el > 0 ? done / el : 0.0);
        cli_progress_update(&p, (double)done, (double)L.n, extra);
        if (finished) break;
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    for (int t = 0; t < started; t++) {
        pthread_join(W[t].th, NULL);
        as_features_destroy(W[t].f);
    }
    cli_progress_end(&p);
    free(W);
    pthread_mutex_destroy(&sh.lock);

    int rc = 0;
    if (cli_interrupted()) {
        fprintf(stderr, "audiostyle: features: interrupted; %s not written\n", out);
        rc = 1;
    } else {
        size_t nrows = 0;
        for (size_t i = 0; i < L.n; i++) {
            if (L.v[i].status != AS_OK) {
                cli_error(&L.v[i].err, L.v[i].status, L.v[i].path);
                failed = 1;
            }
            nrows += (size_t)L.v[i].nrows;
        }
        if (nrows == 0) {
            /* every input failed: an empty table would look like a result */
            fprintf(stderr, "audiostyle: features: no file could be read; %s not written\n", out);
            for (size_t i = 0; i < L.n; i++) {
                free(L.v[i].path);
                free(L.v[i].label);
                free(L.v[i].values);
                free(L.v[i].lengths);
            }
            free(L.v);
            return 1;
        }
        as_features_row *rows = calloc(nrows, sizeof *rows);
        size_t r = 0;
        for (size_t i = 0; rows && i < L.n; i++)
            for (int64_t k = 0; k < L.v[i].nrows; k++, r++) {
                rows[r].filename = row_name(L.v[i].path, segments, k);
                rows[r].length = L.v[i].lengths[k];
                rows[r].values = L.v[i].values + k * AS_FEATURES_COUNT;
                rows[r].label = L.v[i].label ? L.v[i].label : "";
            }
        as_error err = {0};
        as_status ws = rows ? as_features_write_csv(out, rows, nrows, &err) : AS_ERR_NOMEM;
        if (ws != AS_OK) rc = cli_error(&err, ws, out);
        else if (!quiet)
            fprintf(stderr, "audiostyle: features: %zu rows from %zu files -> %s\n", nrows, L.n, out);
        for (size_t q = 0; rows && q < nrows; q++) free((char *)rows[q].filename);
        free(rows);
    }
    for (size_t i = 0; i < L.n; i++) {
        free(L.v[i].path);
        free(L.v[i].label);
        free(L.v[i].values);
        free(L.v[i].lengths);
    }
    free(L.v);
    return (rc || failed) ? 1 : 0;
}
