/* cmd_features.c — audiostyle features PATH... -o OUT.csv [--segments S] [--jobs N]
 * [--max-duration S] [--quiet]: the 57 GTZAN features of audio files (or of their S-second
 * segments) in the Kaggle CSV schema. Files are processed in parallel (one as_features per
 * thread); rows come out in sorted path order whatever the thread timing; a file that fails is
 * reported and skipped (exit 1; no table at all when every file failed). Before the work, the
 * memory each file needs is estimated from its header: a file that cannot fit in MemAvailable
 * is refused, and fewer files run at once when `jobs` of them would not fit. */
#define _POSIX_C_SOURCE 200809L
#include "catalog.h"
#include "cli.h"
#include "walk.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct job {
    const char *path;     /* the walker's (cli_inputs) */
    const char *name;     /* relative to the folder given */
    const char *label;    /* the genre folder, or NULL */
    double *values;       /* (nrows, 57) */
    int64_t *lengths;     /* (nrows,) */
    int64_t nrows;
    as_status status;
    as_error err;
    size_t idx;   /* in the full sorted list */
    int finished; /* under shared.lock */
    int recorded; /* --shard: written to the part (main thread) */
} job;

typedef struct joblist {
    job *v;
    size_t n;
} joblist;

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
        sh->jobs->v[i].finished = 1;
        pthread_mutex_unlock(&sh->lock);
    }
    return NULL;
}

typedef struct features_args {
    const char *out, *shard;
    int segments, jobs, quiet, force;
    double max_duration;
} features_args;

#define O(f) offsetof(features_args, f)
static const cli_opt features_opts[] = {
    {.name = "output", .short_name = 'o', .type = CLI_FILE_OUT, .metavar = "OUT.csv", .help = "where to write the table (atomically; - for standard output)", .offset = O(out)},
    {.name = "segments", .type = CLI_INT, .metavar = "S", .min = 1, .max = 3600, .def_text = "whole files", .help = "one row per complete S-second segment (3: features_3_sec.csv)", .offset = O(segments)},
    {.name = "jobs", .short_name = 'j', .type = CLI_INT, .min = 1, .max = 1024, .def_text = "number of cores, fewer when memory is short", .help = "files processed in parallel", .offset = O(jobs)},
    {.name = "max-duration", .type = CLI_DOUBLE, .metavar = "S", .min = 0, .max = 1e9, .def = "1200", .help = "refuse files longer than S seconds (0 = no limit)", .offset = O(max_duration)},
    {.name = "force", .type = CLI_FLAG, .help = "replace existing files the command would write without being named", .offset = O(force)},
    {.name = "shard", .type = CLI_STRING, .metavar = "K/N", .help = "only the inputs whose index in the sorted list is K modulo N, into the part file OUT.part that `audiostyle merge` joins; rerun, it resumes (slurm: K and N of the Slurm array task; slurm/N: K is the task id)", .offset = O(shard)},
    {.name = "quiet", .short_name = 'q', .type = CLI_FLAG, .help = "print nothing but errors", .offset = O(quiet)},
};
#undef O

const cli_command cli_cmd_features = {
    .name = "features",
    .synopsis = "PATH... -o OUT.csv [--segments S] [--jobs N] [--max-duration S] [--quiet]",
    .summary = "compute the 57 GTZAN features (Kaggle CSV schema)",
    .description = "The 57 GTZAN features (librosa 0.7.2, Kaggle CSV schema) of audio files. PATH is a file or a "
                   "folder (searched recursively for audio files). The filename column is the path relative to "
                   "the folder given (the base name for a file given by itself). The label column is the genre "
                   "folder: in a GTZAN tree (genres_original/<genre>/*.wav, at any level) or the sub-folder of "
                   "PATH that holds the file.",
    .opts = features_opts,
    .n_opts = CLI_N(features_opts),
    .run = cmd_features,
};

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

static void free_jobs(joblist *L, cli_inputs *in)
{
    for (size_t i = 0; i < L->n; i++) {
        free(L->v[i].values);
        free(L->v[i].lengths);
    }
    free(L->v);
    cli_inputs_free(in);
}

static char *row_name(const char *name, int segments, int64_t k)
{
    const char *base = name;
    size_t L = strlen(base) + 32;
    char *o = malloc(L);
    if (!o) return NULL;
    if (segments <= 0) {
        snprintf(o, L, "%s", base);
        return o;
    }
    const char *dot = strrchr(base, '.'), *slash = strrchr(base, '/');
    if (dot && slash && dot < slash) dot = NULL;
    if (!dot || dot == base || dot == slash + 1) snprintf(o, L, "%s.%lld", base, (long long)k);
    else snprintf(o, L, "%.*s.%lld%s", (int)(dot - base), base, (long long)k, dot);
    return o;
}

/* The text of rows (a header line when header is set) as the CSV has it; NULL on failure. */
static char *csv_text(const as_features_row *rows, size_t n, int header, size_t *len)
{
    char *t = NULL;
    FILE *m = open_memstream(&t, len);
    if (!m) return NULL;
    as_status st = as_features_print_csv(m, rows, n, header);
    if (fclose(m) != 0 || st != AS_OK) {
        free(t);
        return NULL;
    }
    return t;
}

/* --shard: the part of the sorted list this run takes, as a catalog (catalog.h). */
static cli_part *open_part(const char *out, const cli_inputs *in, int segments, double max_duration, cli_shard s,
                           unsigned char *done, int quiet)
{
    const char **names = malloc(sizeof *names * (in->n ? in->n : 1));
    size_t hl = 0;
    char *header = csv_text(NULL, 0, 1, &hl);
    cli_part *p = NULL;
    if (names && header) {
        uint64_t h = CLI_HASH_INIT;
        for (size_t i = 0; i < in->n; i++) {
            const char *lab = in->v[i].label ? in->v[i].label : "";
            names[i] = in->v[i].name;
            h = cli_hash(h, in->v[i].name, strlen(in->v[i].name) + 1);
            h = cli_hash(h, lab, strlen(lab) + 1);
        }
        char opts[128];
        snprintf(opts, sizeof opts, "segments=%d max-duration=%.17g", segments, max_duration);
        cli_catalog c = {.command = "features", .ext = ".csv", .options = opts, .header = header, .total = in->n,
                         .names = names, .list_hash = h};
        p = cli_part_open(out, &c, s, done, quiet);
    } else {
        cli_error(NULL, AS_ERR_NOMEM, out);
    }
    free(names);
    free(header);
    return p;
}

/* --shard: appends the jobs finished since the last call to the part; 1 when one could not be. */
static int record_finished(joblist *L, shared *sh, cli_part *part, int segments)
{
    int bad = 0;
    for (size_t i = 0; i < L->n; i++) {
        job *j = &L->v[i];
        pthread_mutex_lock(&sh->lock);
        int fin = j->finished;
        pthread_mutex_unlock(&sh->lock);
        if (!fin || j->recorded) continue;
        j->recorded = 1;
        if (j->status != AS_OK) {
            char msg[sizeof j->err.msg + 64];
            if (j->err.msg[0]) snprintf(msg, sizeof msg, "%s", j->err.msg);
            else snprintf(msg, sizeof msg, "%s: %s", j->path, as_strerror(j->status));
            cli_error(&j->err, j->status, j->path);
            bad |= cli_part_fail(part, j->idx, msg);
            continue;
        }
        as_features_row *rows = calloc((size_t)j->nrows, sizeof *rows);
        size_t len = 0;
        char *text = NULL;
        int ok = rows != NULL;
        for (int64_t k = 0; ok && k < j->nrows; k++) {
            rows[k].filename = row_name(j->name, segments, k);
            rows[k].length = j->lengths[k];
            rows[k].values = j->values + k * AS_FEATURES_COUNT;
            rows[k].label = j->label ? j->label : "";
            ok = rows[k].filename != NULL;
        }
        if (ok) text = csv_text(rows, (size_t)j->nrows, 0, &len);
        for (int64_t k = 0; rows && k < j->nrows; k++) free((char *)rows[k].filename);
        free(rows);
        if (!text) bad |= cli_error(NULL, AS_ERR_NOMEM, j->path);
        else bad |= cli_part_add(part, j->idx, text, len);
        free(text);
        free(j->values);
        free(j->lengths);
        j->values = NULL;
        j->lengths = NULL;
    }
    return bad;
}

int cmd_features(int argc, char **argv)
{
    features_args o = {0};
    cli_args a;
    int prc = cli_parse(&cli_cmd_features, argc, argv, &o, &a);
    if (prc != CLI_CONTINUE) return prc;
    const char *out = o.out;
    int segments = o.segments, jobs = o.jobs, quiet = o.quiet;
    double max_duration = o.max_duration;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (!out) return cli_usage("features", "no output file (-o OUT.csv)");
    if (a.npos == 0) return cli_usage("features", "no input file or folder");
    if (jobs <= 0) jobs = ncpu > 0 ? (int)ncpu : 1;
    cli_shard shard = {0, 0};
    if (o.shard && !cli_shard_parse("features", o.shard, &shard)) return 2;
    cli_out outs[] = {{.path = out, .what = shard.n ? "the part" : "the table", .exts = shard.n ? ".part" : ".csv",
                       .stdout_ok = !shard.n, .named = 1}};
    int bad = cli_check_paths("features", outs, 1, (const char *const *)a.pos, a.npos, o.force);
    if (bad) return bad;

    cli_inputs in = {0};
    int failed = cli_walk(a.pos, a.npos, &in);
    if (in.n == 0) {
        cli_inputs_free(&in);
        return 1;
    }
    {
        /* the output among the files found in a folder (a .csv never is, but be sure) */
        const char **paths = malloc(sizeof *paths * in.n);
        if (!paths) return cli_error(NULL, AS_ERR_NOMEM, "features");
        for (size_t i = 0; i < in.n; i++) paths[i] = in.v[i].path;
        bad = cli_check_paths("features", outs, 1, paths, (int)in.n, o.force);
        free(paths);
        if (bad) {
            cli_inputs_free(&in);
            return bad;
        }
    }
    cli_part *part = NULL;
    unsigned char *was_done = calloc(in.n, 1);
    if (was_done && shard.n && !(part = open_part(out, &in, segments, max_duration, shard, was_done, quiet))) {
        free(was_done);
        cli_inputs_free(&in);
        return 1;
    }
    joblist L = {calloc(in.n, sizeof(job)), 0};
    if (!L.v || !was_done) {
        free(was_done);
        free(L.v);
        cli_part_close(part);
        cli_inputs_free(&in);
        return cli_error(NULL, AS_ERR_NOMEM, "features");
    }
    for (size_t i = 0; i < in.n; i++) {
        if (shard.n && (i % (size_t)shard.n != (size_t)shard.k || was_done[i])) continue;
        job *j = &L.v[L.n++];
        j->path = in.v[i].path;
        j->name = in.v[i].name;
        j->label = in.v[i].label;
        j->idx = i;
    }
    free(was_done);
    if (part && L.n == 0) { /* the shard was done already (or has no input) */
        int rc = cli_part_close(part);
        free_jobs(&L, &in);
        return rc ? 1 : failed;
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
            free_jobs(&L, &in);
            cli_part_close(part);
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
        free_jobs(&L, &in);
        cli_part_close(part);
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
        if (part) {
            failed |= record_finished(&L, &sh, part, segments);
            cli_part_progress(part, 0);
        }
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
    if (part) { /* the shard: its part has every input finished; merge writes the table */
        failed |= record_finished(&L, &sh, part, segments);
        pthread_mutex_destroy(&sh.lock);
        int interrupted = cli_interrupted();
        cli_part_progress(part, 1);
        int rc = cli_part_close(part);
        if (interrupted)
            fprintf(stderr, "audiostyle: features: interrupted; %s keeps the inputs done (the same command resumes)\n", out);
        free_jobs(&L, &in);
        return (rc || failed || interrupted) ? 1 : 0;
    }
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
            free_jobs(&L, &in);
            return 1;
        }
        as_features_row *rows = calloc(nrows, sizeof *rows);
        size_t r = 0;
        for (size_t i = 0; rows && i < L.n; i++)
            for (int64_t k = 0; k < L.v[i].nrows; k++, r++) {
                rows[r].filename = row_name(L.v[i].name, segments, k);
                rows[r].length = L.v[i].lengths[k];
                rows[r].values = L.v[i].values + k * AS_FEATURES_COUNT;
                rows[r].label = L.v[i].label ? L.v[i].label : "";
            }
        as_error err = {0};
        char tmp[4096];
        const char *dst = cli_out_path(out, ".csv", tmp, sizeof tmp);
        as_status ws = !dst ? AS_ERR_IO : rows ? as_features_write_csv(dst, rows, nrows, &err) : AS_ERR_NOMEM;
        if (ws != AS_OK) {
            rc = dst ? cli_error(&err, ws, out) : 1;
            cli_out_discard(out, dst);
        } else {
            rc = cli_out_finish(out, dst);
            if (!rc && !quiet)
                fprintf(stderr, "audiostyle: features: %zu rows from %zu files -> %s\n", nrows, L.n,
                        cli_is_stdout(out) ? "standard output" : out);
        }
        for (size_t q = 0; rows && q < nrows; q++) free((char *)rows[q].filename);
        free(rows);
    }
    free_jobs(&L, &in);
    return (rc || failed) ? 1 : 0;
}
