/* test_checkpoint.c — the transfer's checkpoints (src/style/checkpoint.c, transfer.c): the file
 * round trip, the loader's refusals, and resume in the same process giving the same bits as an
 * uninterrupted run (L-BFGS and Adam, whole and in segments, and from the Griffin-Lim stage). */
#include "harness.h"
#include "style/style.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static float *tone(int64_t n, double f0)
{
    float *y = malloc(sizeof(float) * (size_t)n);
    for (int64_t i = 0; i < n; i++) {
        double t = (double)i / AS_SR, f = f0 * pow(2.0, (double)((i / 5512) % 5) / 12.0);
        y[i] = (float)(0.3 * sin(2 * M_PI * f * t) + 0.1 * sin(6 * M_PI * f * t));
    }
    return y;
}

static float *noise_bursts(int64_t n)
{
    float *y = malloc(sizeof(float) * (size_t)n);
    as_rng r;
    as_rng_seed(&r, 3);
    for (int64_t i = 0; i < n; i++) y[i] = (float)(0.4 * exp(-(double)(i % 5512) / 800.0) * as_rng_normal(&r));
    return y;
}

static void small_config(as_style_config *c, int optimizer)
{
    as_style_config_preset(c, AS_STYLE_PRESET_DEFAULT);
    c->filters = 24;
    c->optimizer = optimizer;
    c->iterations = optimizer == AS_STYLE_ADAM ? 14 : 12;
    c->learning_rate = 0.05;
    c->griffin_lim_iterations = 6;
    c->precision = AS_STYLE_PRECISION_FP32;
    c->seed = 5;
    c->threads = 1;
}

typedef struct stopper {
    int stage, at; /* cancel at this stage's iteration (-1: never) */
    int calls;
} stopper;

static int stop_at(const as_style_progress *p, void *u)
{
    stopper *s = u;
    s->calls++;
    return s->at >= 0 && p->stage == s->stage && p->iteration >= s->at;
}

typedef struct job {
    const float *c, *s;
    int64_t nc, ns;
    as_style_config cfg;
} job;

/* Runs the job; with ck, checkpoints every iteration into ck; with resume, continues it first;
 * with stop, cancels there. Returns the status of the run and copies the audio into *out. */
static as_status run_job(const job *j, const char *ck, int resume, stopper *stop, float **out,
                         as_style_stats *stats, as_error *err)
{
    as_style *st = NULL;
    *out = NULL;
    as_status rc = as_style_create(&st, &j->cfg, j->c, j->nc, j->s, j->ns, err);
    if (rc != AS_OK) return rc;
    if (ck) CHECK_OK(as_style_set_checkpoint(st, ck, 0, "--test 1\ncontent a.wav\n"));
    if (resume) {
        rc = as_style_resume(st, ck, "--test 1\ncontent a.wav\n", err);
        if (rc != AS_OK) {
            as_style_destroy(st);
            return rc;
        }
    }
    stopper none = {0, -1, 0};
    rc = as_style_run(st, stop_at, stop ? stop : &none);
    if (rc == AS_OK) {
        const float *y;
        int64_t n;
        CHECK_OK(as_style_get_audio(st, &y, &n));
        *out = malloc(sizeof(float) * (size_t)n);
        memcpy(*out, y, sizeof(float) * (size_t)n);
    }
    if (stats) as_style_get_stats(st, stats);
    as_style_destroy(st);
    return rc;
}

static int file_exists(const char *p) { return access(p, F_OK) == 0; }

/* An uninterrupted run, then runs cancelled at each of `stops` and resumed: the same bits. */
static void resume_case(const char *name, const job *j, const stopper *stops, int nstops)
{
    float *ref = NULL, *got = NULL;
    as_style_stats sref, sgot;
    as_error err = {0};
    CHECK_OK(run_job(j, NULL, 0, NULL, &ref, &sref, &err));
    char ck[512];
    snprintf(ck, sizeof ck, "%s/%s.ckpt", scratch_dir(), name);
    /* checkpoints themselves change nothing */
    CHECK_OK(run_job(j, ck, 0, NULL, &got, &sgot, &err));
    CHECK_MSG(ref && got && memcmp(ref, got, sizeof(float) * (size_t)j->nc) == 0, "%s: checkpointing changed the result", name);
    free(got);
    for (int k = 0; k < nstops; k++) {
        stopper s = stops[k];
        unlink(ck);
        as_status rc = run_job(j, ck, 0, &s, &got, NULL, &err);
        CHECK(rc == AS_ERR_CANCELLED);
        CHECK_MSG(file_exists(ck), "%s: no checkpoint after the cancel at %d", name, s.at);
        rc = run_job(j, ck, 1, NULL, &got, &sgot, &err);
        CHECK_MSG(rc == AS_OK, "%s: resume: %s", name, err.msg);
        int same = ref && got && memcmp(ref, got, sizeof(float) * (size_t)j->nc) == 0;
        CHECK_MSG(same, "%s: resumed after a cancel at stage %d iteration %d differs", name, s.stage, s.at);
        CHECK_MSG(sgot.iterations == sref.iterations && sgot.evaluations == sref.evaluations &&
                      strcmp(sgot.stop_reason, sref.stop_reason) == 0 && sgot.content_loss == sref.content_loss,
                  "%s: stats differ: %d/%d iterations, %d/%d evaluations, %s/%s", name, sgot.iterations,
                  sref.iterations, sgot.evaluations, sref.evaluations, sgot.stop_reason, sref.stop_reason);
        printf("    %s: cancelled at %s %d, resumed: %s (%d iterations, %d evaluations)\n", name,
               s.stage ? "griffin-lim" : "iteration", s.at, same ? "same bits" : "DIFFERENT", sgot.iterations,
               sgot.evaluations);
        free(got);
    }
    unlink(ck);
    free(ref);
}

TEST(checkpoint_resume_lbfgs_whole)
{
    int64_t nc = 2 * AS_SR, ns = AS_SR;
    float *c = tone(nc, 220), *s = noise_bursts(ns);
    job j = {.c = c, .s = s, .nc = nc, .ns = ns};
    small_config(&j.cfg, AS_STYLE_LBFGS);
    stopper stops[] = {{0, 2, 0}, {0, 5, 0}, {0, 11, 0}, {1, 2, 0}};
    resume_case("lbfgs", &j, stops, 4);
    free(c);
    free(s);
}

TEST(checkpoint_resume_adam_whole)
{
    int64_t nc = 2 * AS_SR, ns = AS_SR;
    float *c = tone(nc, 220), *s = noise_bursts(ns);
    job j = {.c = c, .s = s, .nc = nc, .ns = ns};
    small_config(&j.cfg, AS_STYLE_ADAM);
    stopper stops[] = {{0, 3, 0}, {0, 13, 0}};
    resume_case("adam", &j, stops, 2);
    free(c);
    free(s);
}

TEST(checkpoint_resume_segments)
{
    int64_t nc = 12 * AS_SR, ns = AS_SR;
    float *c = tone(nc, 330), *s = noise_bursts(ns);
    job j = {.c = c, .s = s, .nc = nc, .ns = ns};
    small_config(&j.cfg, AS_STYLE_LBFGS);
    j.cfg.segment_seconds = 5;
    j.cfg.iterations = 4;
    j.cfg.filters = 8;
    as_style_estimate e;
    CHECK_OK(as_style_estimate_cost(&j.cfg, nc, ns, 0, &e));
    CHECK(e.segments == 3);
    /* progress counts iterations across segments: 4 per segment */
    stopper stops[] = {{0, 2, 0}, {0, 6, 0}, {0, 9, 0}};
    resume_case("lbfgs-segments", &j, stops, 3);
    j.cfg.optimizer = AS_STYLE_ADAM;
    stopper astops[] = {{0, 5, 0}, {0, 11, 0}};
    resume_case("adam-segments", &j, astops, 2);
    free(c);
    free(s);
}

/* What differs is named; a checkpoint is only ever continued by its own job. */
TEST(checkpoint_refuses_other_jobs)
{
    int64_t nc = 2 * AS_SR, ns = AS_SR;
    float *c = tone(nc, 220), *s = noise_bursts(ns), *c2 = tone(nc, 247);
    job j = {.c = c, .s = s, .nc = nc, .ns = ns};
    small_config(&j.cfg, AS_STYLE_LBFGS);
    char ck[512];
    snprintf(ck, sizeof ck, "%s/other.ckpt", scratch_dir());
    float *got = NULL;
    as_error err = {0};
    stopper st5 = {0, 5, 0};
    CHECK(run_job(&j, ck, 0, &st5, &got, NULL, &err) == AS_ERR_CANCELLED);
    as_style *x = NULL;
    /* other settings lines */
    CHECK_OK(as_style_create(&x, &j.cfg, c, nc, s, ns, &err));
    CHECK(as_style_resume(x, ck, "--test 2\ncontent a.wav\n", &err) == AS_ERR_SCHEMA);
    CHECK_MSG(strstr(err.msg, "other settings: --test 1 (now 2)") != NULL, "message: %s", err.msg);
    CHECK(as_style_resume(x, ck, "--test 1\n", &err) == AS_ERR_SCHEMA);
    CHECK_MSG(strstr(err.msg, "content a.wav (now not given)") != NULL, "message: %s", err.msg);
    as_style_destroy(x);
    /* another configuration */
    as_style_config c2cfg = j.cfg;
    c2cfg.content_weight = 0.5;
    CHECK_OK(as_style_create(&x, &c2cfg, c, nc, s, ns, &err));
    CHECK(as_style_resume(x, ck, "--test 1\ncontent a.wav\n", &err) == AS_ERR_SCHEMA);
    CHECK_MSG(strstr(err.msg, "content_weight 0.01") != NULL && strstr(err.msg, "(now 0.5)"), "message: %s", err.msg);
    as_style_destroy(x);
    /* ... also in a field the tonal-style terms added (docs/notes-tonal.md) */
    c2cfg = j.cfg;
    c2cfg.envelope_weight = 0.25;
    CHECK_OK(as_style_create(&x, &c2cfg, c, nc, s, ns, &err));
    CHECK(as_style_resume(x, ck, "--test 1\ncontent a.wav\n", &err) == AS_ERR_SCHEMA);
    CHECK_MSG(strstr(err.msg, "envelope_weight 0") != NULL && strstr(err.msg, "(now 0.25)"), "message: %s", err.msg);
    as_style_destroy(x);
    /* another content, another style */
    CHECK_OK(as_style_create(&x, &j.cfg, c2, nc, s, ns, &err));
    CHECK(as_style_resume(x, ck, "--test 1\ncontent a.wav\n", &err) == AS_ERR_SCHEMA);
    CHECK_MSG(strstr(err.msg, "another content") != NULL, "message: %s", err.msg);
    as_style_destroy(x);
    CHECK_OK(as_style_create(&x, &j.cfg, c, nc, c2, nc, &err));
    CHECK(as_style_resume(x, ck, "--test 1\ncontent a.wav\n", &err) == AS_ERR_SCHEMA);
    CHECK_MSG(strstr(err.msg, "another style") != NULL || strstr(err.msg, "samples") != NULL, "message: %s", err.msg);
    as_style_destroy(x);
    /* no such file */
    CHECK_OK(as_style_create(&x, &j.cfg, c, nc, s, ns, &err));
    CHECK(as_style_resume(x, "/nonexistent/x.ckpt", "", &err) == AS_ERR_IO);
    as_style_destroy(x);
    unlink(ck);
    free(c);
    free(c2);
    free(s);
}

/* A synthetic checkpoint through the writer and the parser, then damaged copies of it. */
TEST(checkpoint_file_round_trip_and_refusals)
{
    int64_t T = 7, n = STYLE_CKPT_F * 5;
    int m = 3;
    style_ckpt c;
    memset(&c, 0, sizeof c);
    c.optimizer = AS_STYLE_LBFGS;
    c.stage = STYLE_CKPT_OPTIMIZING;
    c.n = n;
    c.T = T;
    c.nseg = 2;
    c.m = m;
    c.settings = "--filters 32\n";
    c.settings_len = 13;
    c.config = "filters 32\n";
    c.config_len = 11;
    c.content_hash = 0x1234567890abcdefULL;
    c.style_hash = 42;
    for (int k = 0; k < STYLE_CKPT_NI; k++) c.i[k] = k;
    c.i[CKI_SEG] = 1;
    c.i[CKI_LB_END] = 2;
    for (int k = 0; k < STYLE_CKPT_NR; k++) c.r[k] = k * 0.25 - 1;
    float *best = malloc(sizeof(float) * (size_t)n), *xr = malloc(sizeof(float) * STYLE_CKPT_F * (size_t)T);
    double *lx = malloc(sizeof(double) * (size_t)n), *lg = malloc(sizeof(double) * (size_t)n);
    double *ls = malloc(sizeof(double) * (size_t)(n * m)), *ly = malloc(sizeof(double) * (size_t)(n * m));
    double lys[3] = {1, 2, 3};
    for (int64_t i = 0; i < n; i++) best[i] = (float)i, lx[i] = i * 0.5, lg[i] = -(double)i;
    for (int64_t i = 0; i < STYLE_CKPT_F * T; i++) xr[i] = (float)(i % 97);
    for (int64_t i = 0; i < n * m; i++) ls[i] = i * 1e-3, ly[i] = -i * 1e-3;
    c.best = best;
    c.xr = xr;
    c.lx = lx;
    c.lg = lg;
    c.lys = lys;
    c.ls = ls;
    c.ly = ly;
    char path[512];
    snprintf(path, sizeof path, "%s/rt.ckpt", scratch_dir());
    as_error err = {0};
    CHECK_OK(style_ckpt_write(path, &c, &err));
    size_t len = 0;
    char *buf = read_all(path, &len);
    CHECK(buf && len == style_ckpt_bytes(&c));
    style_ckpt d;
    CHECK_OK(style_ckpt_parse(buf, len, path, &d, &err));
    CHECK(d.optimizer == c.optimizer && d.stage == c.stage && d.n == n && d.T == T && d.nseg == 2 && d.m == m);
    CHECK(d.content_hash == c.content_hash && d.style_hash == 42);
    CHECK(d.settings_len == 13 && memcmp(d.settings, c.settings, 13) == 0);
    CHECK(d.config_len == 11 && memcmp(d.config, c.config, 11) == 0);
    CHECK(memcmp(d.i, c.i, sizeof c.i) == 0 && memcmp(d.r, c.r, sizeof c.r) == 0);
    CHECK(d.best && memcmp(d.best, best, sizeof(float) * (size_t)n) == 0);
    CHECK(d.xr && memcmp(d.xr, xr, sizeof(float) * STYLE_CKPT_F * (size_t)T) == 0);
    CHECK(d.lx && memcmp(d.lx, lx, sizeof(double) * (size_t)n) == 0);
    CHECK(d.lg && memcmp(d.lg, lg, sizeof(double) * (size_t)n) == 0);
    CHECK(d.lys && memcmp(d.lys, lys, sizeof lys) == 0);
    CHECK(d.ls && memcmp(d.ls, ls, sizeof(double) * (size_t)(n * m)) == 0);
    CHECK(d.ly && memcmp(d.ly, ly, sizeof(double) * (size_t)(n * m)) == 0);
    CHECK(d.ax == NULL && d.am == NULL);
    /* no temporary file left beside it */
    CHECK(access(path, F_OK) == 0);
    /* damaged copies */
    char *bad = malloc(len + 1);
    struct {
        const char *what;
        size_t cut;      /* length to parse (0 = len) */
        long flip;       /* byte to change (-1: none) */
        int status;
        const char *msg;
    } cases[] = {
        {"truncated header", 20, -1, AS_ERR_FORMAT, "truncated"},
        {"truncated state", len / 2, -1, AS_ERR_FORMAT, "truncated"},
        {"truncated checksum", len - 2, -1, AS_ERR_FORMAT, "truncated"},
        {"empty", 1, -1, AS_ERR_FORMAT, "magic"},
        {"wrong magic", 0, 0, AS_ERR_FORMAT, "magic"},
        {"wrong version", 0, 8, AS_ERR_UNSUPPORTED, "version"},
        {"bad optimizer", 0, 12, AS_ERR_FORMAT, "optimizer"},
        {"bad segment count", 0, 20 + 3, AS_ERR_FORMAT, "segment"},
        {"flipped state bit", 0, (long)len - 100, AS_ERR_FORMAT, "checksum"},
        {"flipped settings", 0, 8 + 20 + 32 + 4 + 3, AS_ERR_FORMAT, "checksum"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        memcpy(bad, buf, len);
        size_t l = cases[k].cut ? cases[k].cut : len;
        if (cases[k].flip >= 0) bad[cases[k].flip] ^= 0x40;
        as_error e = {0};
        int rc = style_ckpt_parse(bad, l, "bad.ckpt", &d, &e);
        CHECK_MSG(rc == cases[k].status && strstr(e.msg, cases[k].msg) && strstr(e.msg, "bad.ckpt"),
                  "%s: status %d, message '%s'", cases[k].what, rc, e.msg);
    }
    /* one byte too many */
    memcpy(bad, buf, len);
    bad[len] = 0;
    as_error e = {0};
    CHECK(style_ckpt_parse(bad, len + 1, "bad.ckpt", &d, &e) == AS_ERR_FORMAT && strstr(e.msg, "trailing"));
    free(bad);
    free(buf);
    free(best);
    free(xr);
    free(lx);
    free(lg);
    free(ls);
    free(ly);
}

TEST(checkpoint_settings_diff_names_the_line)
{
    char out[256];
    const char *a = "--filters 1024\n--seed 0\ncontent x.wav\n", *b = "--filters 512\n--seed 0\ncontent x.wav\n";
    CHECK(style_settings_diff(a, strlen(a), b, strlen(b), out, sizeof out) == 1);
    CHECK_MSG(strcmp(out, "--filters 1024 (now 512)") == 0, "%s", out);
    CHECK(style_settings_diff(a, strlen(a), a, strlen(a), out, sizeof out) == 0);
    const char *c = "--filters 1024\n--seed 0\ncontent x.wav\n--new 3\n";
    CHECK(style_settings_diff(a, strlen(a), c, strlen(c), out, sizeof out) == 1);
    CHECK_MSG(strcmp(out, "--new not given (now 3)") == 0, "%s", out);
}

/* The fuzz seeds are written by an independent writer (a few lines of Python following
 * docs/checkpoint-format.md): the parser must accept each, so the document and the code agree. */
TEST(checkpoint_fuzz_seeds_follow_the_documented_layout)
{
    const char *names[] = {"lbfgs_whole", "adam_segments", "optimized", "lbfgs_m2"};
    for (int k = 0; k < 4; k++) {
        char path[256];
        snprintf(path, sizeof path, "fuzz/seeds/checkpoint/%s.ckpt", names[k]);
        size_t len = 0;
        char *buf = read_all(path, &len);
        CHECK_MSG(buf != NULL, "cannot read %s", path);
        if (!buf) continue;
        style_ckpt c;
        as_error err = {0};
        CHECK_MSG(style_ckpt_parse(buf, len, path, &c, &err) == AS_OK, "%s", err.msg);
        free(buf);
    }
}
