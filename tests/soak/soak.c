/* soak.c — make soak: the library for a given time in one process, through the public API only
 * (include/audiostyle.h), round after round, watching for what a long-running user (the server,
 * a notebook) would suffer from: memory that grows, descriptors or threads that are not given
 * back, a bad file that stops failing cleanly.
 *
 * One round, on the examples and then on the hostile corpus (tests/bad/make_bad.sh's folder):
 * every file is loaded; each that loads gets its 57 features, its genre (the built-in model,
 * loaded afresh each round), a short style transfer (a tiny configuration, 1 s against 1 s of an
 * example), and the examples' first transfer a journey report (HTML) written to a temporary
 * folder, plus one Griffin-Lim on 2 worker threads. A file that fails must fail every round with
 * the same status and message as in round 1; a file that loads must give the same features.
 *
 * After each round: VmRSS and VmHWM (/proc/self/status), open descriptors (/proc/self/fd) and
 * threads (/proc/self/task). Fails (exit 1) when the peak RSS (VmHWM) at the end exceeds the peak
 * after round 1 by more than --max-growth percent (5), or when descriptors or threads are not back
 * at their starting counts after a round. Prints one line per round and the RSS curve (the RSS
 * at the end of each round: printed, not judged, as glibc keeps or returns freed memory to the
 * system depending on what was freed last; the peak is what a leak moves).
 *
 *   soak --seconds S --examples DIR --bad DIR --out DIR [--max-growth PCT] [--min-rounds N] [--baseline-round R]
 *        [--inject-leak MB] */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <audiostyle.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FILES 256
#define MAX_ROUNDS 100000

typedef struct file_rec {
    char path[1024];
    int seen;          /* round 1 recorded */
    int status;        /* of as_audio_load in round 1 */
    char msg[512];     /* its message */
    int feat_status;
    double feat[AS_FEATURES_COUNT];
    int xfer_status;
} file_rec;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static long status_kb(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long v = -1;
    size_t k = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, k) && line[k] == ':') {
            v = strtol(line + k + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

static int count_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n - (strcmp(path, "/proc/self/fd") == 0); /* the descriptor opendir holds */
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The files of dir (not recursive, sorted; folders too: a folder named like audio must fail). */
static int list_dir(const char *dir, file_rec *out, int max)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    char *names[MAX_FILES];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max && n < MAX_FILES) {
        if (e->d_name[0] == '.' || strstr(e->d_name, ".md") || strstr(e->d_name, ".txt")) continue;
        if (!strcmp(e->d_name, "licenses")) continue;
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        snprintf(out[i].path, sizeof out[i].path, "%s/%s", dir, names[i]);
        free(names[i]);
    }
    return n;
}

static void tiny_config(as_style_config *c, uint64_t seed)
{
    as_style_config_preset(c, AS_STYLE_PRESET_DEFAULT);
    c->filters = 16;
    c->iterations = 3;
    c->griffin_lim_iterations = 4;
    c->segment_seconds = 0;
    c->threads = 1; /* OpenBLAS's pool left as it is (OPENBLAS_NUM_THREADS=1 in make soak) */
    c->precision = AS_STYLE_PRECISION_FP32;
    c->seed = seed;
}

static int failures;
#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "soak: FAIL: " __VA_ARGS__);                                               \
        fputc('\n', stderr);                                                                       \
        failures++;                                                                                \
    } while (0)

/* One transfer of 1 s of content against 1 s of style; optionally the journey report. */
static int transfer(const float *c, int64_t nc, const float *s, int64_t ns, uint64_t seed,
                    const char *report_path, const as_genre_model *m)
{
    as_style_config cfg;
    tiny_config(&cfg, seed);
    as_style *st = NULL;
    as_error err = {0};
    int64_t n1 = AS_SR;
    as_status rc = as_style_create(&st, &cfg, c, nc < n1 ? nc : n1, s, ns < n1 ? ns : n1, &err);
    if (rc == AS_OK) rc = as_style_run(st, NULL, NULL);
    if (rc == AS_OK && report_path) {
        const float *y = NULL;
        int64_t n = 0;
        rc = as_style_get_audio(st, &y, &n);
        as_style_stats ss;
        as_style_get_stats(st, &ss);
        as_report_track tr[3] = {{"content", c, nc < n1 ? nc : n1}, {"style", s, ns < n1 ? ns : n1},
                                 {"result", y, n}};
        as_report_opts ro;
        as_report_opts_default(&ro);
        ro.title = "soak";
        ro.content_loss = ss.content_loss;
        ro.style_loss = ss.style_loss;
        ro.spectral_convergence = ss.spectral_convergence;
        if (rc == AS_OK) rc = as_report_write_html(report_path, tr, m, &ro, &err);
        if (rc != AS_OK) FAIL("report %s: %s", report_path, err.msg[0] ? err.msg : as_strerror(rc));
    }
    as_style_destroy(st);
    return rc;
}

/* Griffin-Lim on 2 worker threads of the first second of y (whose workers must be joined). */
static int griffinlim2(const float *y, int64_t n)
{
    as_status rc;
    as_stft *s = as_stft_create(2048, 512, &rc);
    if (!s) return rc;
    if (n > AS_SR) n = AS_SR;
    int F = as_stft_bins(s);
    int64_t T = as_stft_frames(s, n, 1);
    float *X = malloc(sizeof(float) * (size_t)F * (size_t)T * 2), *S = malloc(sizeof(float) * (size_t)F * (size_t)T);
    float *out = malloc(sizeof(float) * (size_t)n);
    rc = X && S && out ? AS_OK : AS_ERR_NOMEM;
    if (rc == AS_OK) rc = as_stft_forward(s, y, n, 1, AS_PAD_REFLECT, X);
    if (rc == AS_OK) {
        for (int64_t i = 0; i < (int64_t)F * T; i++) S[i] = hypotf(X[2 * i], X[2 * i + 1]);
        as_gl_opts o = {.n_iter = 4, .momentum = 0.99, .seed = 1, .length = n, .threads = 2};
        double sc = 0;
        rc = as_griffinlim(s, S, T, &o, out, &sc);
    }
    free(X);
    free(S);
    free(out);
    as_stft_destroy(s);
    return rc;
}

/* One pass over a folder's files; examples: the first file's transfer also writes the report and
 * runs Griffin-Lim on 2 threads. */
static void pass(file_rec *fr, int n, int round, int examples, const as_signal *style,
                 const char *out_dir, const as_genre_model *m, as_features *fx, int *n_ok, int *n_bad)
{
    for (int i = 0; i < n; i++) {
        file_rec *r = &fr[i];
        as_signal y = {0};
        as_error err = {0};
        as_load_opts lo = {.max_duration_s = 120};
        int st = as_audio_load(r->path, &lo, &y, &err);
        int fst = AS_ERR_ARG, xst = AS_ERR_ARG;
        double feat[AS_FEATURES_COUNT];
        if (st == AS_OK) {
            (*n_ok)++;
            fst = y.n > 1024 ? as_features_compute(fx, y.data, y.n, feat) : AS_ERR_ARG;
            if (fst == AS_OK) {
                double p[AS_GENRE_MAX_CLASSES];
                int cs = as_genre_classify_signal(m, fx, y.data, y.n, p);
                if (cs != AS_OK) FAIL("%s: classify: %s", r->path, as_strerror(cs));
            }
            char rp[1200];
            snprintf(rp, sizeof rp, "%s/report.html", out_dir);
            /* the same seed every round: the same work, so the same memory */
            xst = transfer(y.data, y.n, style->data, style->n, 1, examples && i == 0 ? rp : NULL, m);
            if (examples && i == 0) {
                int g = griffinlim2(y.data, y.n);
                if (g != AS_OK && y.n > 2048) FAIL("%s: Griffin-Lim on 2 threads: %s", r->path, as_strerror(g));
            }
        } else {
            (*n_bad)++;
            if (!err.msg[0]) FAIL("%s: failed (%s) without a message", r->path, as_strerror(st));
        }
        if (!r->seen) {
            r->seen = 1;
            r->status = st;
            snprintf(r->msg, sizeof r->msg, "%s", err.msg);
            r->feat_status = fst;
            if (fst == AS_OK) memcpy(r->feat, feat, sizeof feat);
            r->xfer_status = xst;
        } else {
            if (st != r->status || strcmp(err.msg, r->msg) != 0)
                FAIL("%s: round %d loads with %d \"%s\", round 1 with %d \"%s\"", r->path, round, st,
                     err.msg, r->status, r->msg);
            if (fst != r->feat_status || (fst == AS_OK && memcmp(feat, r->feat, sizeof feat) != 0))
                FAIL("%s: round %d's features differ from round 1's", r->path, round);
            if (xst != r->xfer_status)
                FAIL("%s: round %d's transfer gives %s, round 1's %s", r->path, round, as_strerror(xst),
                     as_strerror(r->xfer_status));
        }
        as_signal_free(&y);
    }
}

int main(int argc, char **argv)
{
    double seconds = 600, max_growth = 5;
    int min_rounds = 3, inject = 0, base = 1;
    const char *ex_dir = "examples", *bad_dir = NULL, *out_dir = "/tmp";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--examples")) ex_dir = argv[i + 1];
        else if (!strcmp(argv[i], "--bad")) bad_dir = argv[i + 1];
        else if (!strcmp(argv[i], "--out")) out_dir = argv[i + 1];
        else if (!strcmp(argv[i], "--max-growth")) max_growth = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--min-rounds")) min_rounds = atoi(argv[i + 1]);
        /* the round whose peak the later ones are judged against (1: the first) */
        else if (!strcmp(argv[i], "--baseline-round")) base = atoi(argv[i + 1]);
        /* the checker's own test (tests/cli/t_soak_catches_leaks.sh): from round 2 on, leak
         * this many MB (touched) and one descriptor per round */
        else if (!strcmp(argv[i], "--inject-leak")) inject = atoi(argv[i + 1]);
        else {
            fprintf(stderr, "usage: soak --seconds S --examples DIR --bad DIR --out DIR [--max-growth PCT] [--min-rounds N] [--baseline-round R]\n");
            return 2;
        }
    }
    static file_rec ex[MAX_FILES], bad[MAX_FILES];
    int nex = list_dir(ex_dir, ex, MAX_FILES), nbad = bad_dir ? list_dir(bad_dir, bad, MAX_FILES) : 0;
    if (nex <= 0 || nbad < 0) {
        fprintf(stderr, "soak: cannot list %s or %s\n", ex_dir, bad_dir ? bad_dir : "(no --bad)");
        return 2;
    }
    /* the style every transfer uses: the first example, loaded once (outside the rounds) */
    as_signal style = {0};
    as_error err = {0};
    if (as_audio_load(ex[0].path, NULL, &style, &err) != AS_OK) {
        fprintf(stderr, "soak: %s\n", err.msg);
        return 2;
    }
    int fd0 = count_dir("/proc/self/fd"), th0 = count_dir("/proc/self/task");
    long rss0 = status_kb("VmRSS");
    printf("soak: %d examples (%s), %d hostile files (%s), %.0f s; start: RSS %.1f MB, %d fds, %d threads\n",
           nex, ex_dir, nbad, bad_dir ? bad_dir : "-", seconds, rss0 / 1024.0, fd0, th0);
    fflush(stdout);
    static long rss[MAX_ROUNDS], hwm[MAX_ROUNDS];
    double t0 = now_s();
    int rounds = 0;
    while (rounds < MAX_ROUNDS && (rounds < min_rounds || now_s() - t0 < seconds)) {
        double tr = now_s();
        int round = rounds + 1, ok = 0, badn = 0;
        as_genre_model *m = NULL;
        as_status rc = as_genre_load_default(&m, &err);
        as_features *fx = as_features_create(&rc);
        if (!m || !fx) {
            FAIL("round %d: cannot load the model or make a features workspace: %s", round, as_strerror(rc));
            as_genre_destroy(m);
            as_features_destroy(fx);
            break;
        }
        pass(ex, nex, round, 1, &style, out_dir, m, fx, &ok, &badn);
        pass(bad, nbad, round, 0, &style, out_dir, m, fx, &ok, &badn);
        as_features_destroy(fx);
        as_genre_destroy(m);
        if (inject > 0 && round > 1) {
            char *leak = malloc((size_t)inject << 20);
            if (leak) memset(leak, round, (size_t)inject << 20);
            if (!fopen("/dev/null", "r")) FAIL("cannot open /dev/null");
        }
        rss[rounds] = status_kb("VmRSS");
        hwm[rounds] = status_kb("VmHWM");
        int fds = count_dir("/proc/self/fd"), ths = count_dir("/proc/self/task");
        printf("round %d: %.1f s, %d files loaded, %d refused; RSS %.1f MB, peak %.1f MB, %d fds, %d threads\n",
               round, now_s() - tr, ok, badn, rss[rounds] / 1024.0, hwm[rounds] / 1024.0, fds, ths);
        fflush(stdout);
        if (fds != fd0) FAIL("round %d: %d open descriptors, %d at the start", round, fds, fd0);
        if (ths != th0) FAIL("round %d: %d threads, %d at the start", round, ths, th0);
        rounds++;
        if (failures && !inject) break;
    }
    double el = now_s() - t0;
    printf("soak: %d rounds in %.0f s\n", rounds, el);
    printf("soak: RSS curve (MB, end of each round):");
    int step = (rounds + 59) / 60; /* at most ~60 points, and always the last */
    for (int i = 0; i < rounds; i++)
        if (i % step == 0 || i == rounds - 1) printf(" %.1f", rss[i] / 1024.0);
    printf("\n");
    if (base < 1) base = 1;
    if (rounds > base) {
        double gh = 100.0 * (hwm[rounds - 1] - hwm[base - 1]) / hwm[base - 1];
        if (base > 1)
            printf("soak: peak RSS %.1f MB after round 1, %.1f MB after round %d (the baseline: %+.2f %%)\n",
                   hwm[0] / 1024.0, hwm[base - 1] / 1024.0, base, 100.0 * (hwm[base - 1] - hwm[0]) / hwm[0]);
        double gr = 100.0 * (rss[rounds - 1] - rss[0]) / rss[0];
        printf("soak: peak RSS %.1f MB after round %d, %.1f MB after round %d (%+.2f %%); RSS at the end of "
               "round 1 %.1f MB, of round %d %.1f MB (%+.2f %%); limit +%.1f %% on the peak\n",
               hwm[base - 1] / 1024.0, base, hwm[rounds - 1] / 1024.0, rounds, gh, rss[0] / 1024.0, rounds,
               rss[rounds - 1] / 1024.0, gr, max_growth);
        if (gh > max_growth)
            FAIL("the peak RSS grew by %.2f %% after round %d (limit %.1f %%)", gh, base, max_growth);
    } else {
        FAIL("only %d round(s): nothing to compare after round %d", rounds, base);
    }
    printf("soak: descriptors %d at the start, %d at the end; threads %d, %d\n", fd0,
           count_dir("/proc/self/fd"), th0, count_dir("/proc/self/task"));
    as_signal_free(&style);
    printf("soak: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
