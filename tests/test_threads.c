/* test_threads.c — the library used from several threads of one process, through the public API:
 * two style transfers at once, Griffin-Lim on 2 worker threads, feature extraction and genre
 * classification in two threads at once (one workspace each, one shared const model and STFT).
 * Each result must equal the one computed alone, bit for bit. `make check-tsan` runs these under
 * ThreadSanitizer, where a data race fails the test (and the run) even when the results agree. */
#include "harness.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static int load_example(const char *name, double seconds, as_signal *out)
{
    char path[256];
    snprintf(path, sizeof path, "examples/%s.flac", name);
    as_load_opts o = {.duration_s = seconds};
    as_error err = {0};
    if (as_audio_load(path, &o, out, &err) != AS_OK) {
        harness_fail(__FILE__, __LINE__, "%s", err.msg);
        return 0;
    }
    return 1;
}

/* ---- two transfers at once ----------------------------------------------------------------- */

typedef struct xfer {
    const as_signal *content, *style;
    uint64_t seed;
    as_status rc;
    float *y; /* (n,) the result, malloc'd */
    int64_t n;
    int progress_calls;
} xfer;

static int count_progress(const as_style_progress *p, void *user)
{
    (void)p;
    ((xfer *)user)->progress_calls++;
    return 0;
}

static void *xfer_main(void *arg)
{
    xfer *x = arg;
    as_style_config cfg;
    as_style_config_preset(&cfg, AS_STYLE_PRESET_DEFAULT);
    cfg.filters = 24;
    cfg.iterations = 4;
    cfg.griffin_lim_iterations = 4;
    cfg.threads = 1; /* the same OpenBLAS count in both: nothing process-wide changes under a job */
    cfg.segment_seconds = 0;
    cfg.precision = AS_STYLE_PRECISION_FP32;
    cfg.seed = x->seed;
    as_style *st = NULL;
    as_error err = {0};
    x->rc = as_style_create(&st, &cfg, x->content->data, x->content->n, x->style->data, x->style->n, &err);
    if (x->rc == AS_OK) x->rc = as_style_run(st, count_progress, x);
    const float *y = NULL;
    if (x->rc == AS_OK) x->rc = as_style_get_audio(st, &y, &x->n);
    if (x->rc == AS_OK) {
        x->y = malloc(sizeof(float) * (size_t)x->n);
        if (x->y) memcpy(x->y, y, sizeof(float) * (size_t)x->n);
    }
    as_style_destroy(st);
    return NULL;
}

TEST(threads_two_transfers_at_once_equal_each_alone)
{
    as_signal a = {0}, b = {0};
    if (!load_example("rock_sectoid_feelings", 1.0, &a) || !load_example("techno_torustrooper_tt1", 1.0, &b))
        return;
    xfer alone[2] = {{.content = &a, .style = &b, .seed = 1}, {.content = &b, .style = &a, .seed = 2}};
    xfer both[2] = {alone[0], alone[1]};
    for (int i = 0; i < 2; i++) xfer_main(&alone[i]);
    pthread_t th[2];
    for (int i = 0; i < 2; i++) CHECK(pthread_create(&th[i], NULL, xfer_main, &both[i]) == 0);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < 2; i++) {
        CHECK_OK(alone[i].rc);
        CHECK_OK(both[i].rc);
        CHECK(alone[i].y && both[i].y && alone[i].n == both[i].n);
        CHECK_MSG(alone[i].y && both[i].y && alone[i].n == both[i].n &&
                      memcmp(alone[i].y, both[i].y, sizeof(float) * (size_t)alone[i].n) == 0,
                  "transfer %d: the result run beside another differs from the one run alone", i);
        CHECK(both[i].progress_calls == alone[i].progress_calls && both[i].progress_calls > 0);
        free(alone[i].y);
        free(both[i].y);
    }
    as_signal_free(&a);
    as_signal_free(&b);
}

/* ---- Griffin-Lim on 2 worker threads, and two Griffin-Lims sharing one const STFT ----------- */

typedef struct gl_job {
    const as_stft *s;
    const float *S; /* (F, T) */
    int64_t T, len;
    int threads;
    float *y;
    double sc;
    as_status rc;
} gl_job;

static void *gl_main(void *arg)
{
    gl_job *g = arg;
    as_gl_opts o = {.n_iter = 6, .momentum = 0.99, .seed = 5, .length = g->len, .threads = g->threads};
    g->rc = as_griffinlim(g->s, g->S, g->T, &o, g->y, &g->sc);
    return NULL;
}

TEST(threads_griffinlim_two_workers_and_two_callers)
{
    as_signal a = {0};
    if (!load_example("misc_funnyboat_jdruid", 1.5, &a)) return;
    as_status st;
    as_stft *s = as_stft_create(2048, 512, &st);
    CHECK_OK(st);
    if (!s) return;
    int F = as_stft_bins(s);
    int64_t T = as_stft_frames(s, a.n, 1);
    float *X = malloc(sizeof(float) * (size_t)F * T * 2), *S = malloc(sizeof(float) * (size_t)F * T);
    CHECK_OK(as_stft_forward(s, a.data, a.n, 1, AS_PAD_REFLECT, X));
    for (int64_t i = 0; i < (int64_t)F * T; i++) S[i] = hypotf(X[2 * i], X[2 * i + 1]);
    gl_job one = {.s = s, .S = S, .T = T, .len = a.n, .threads = 1}, two = one, par[2];
    two.threads = 2;
    par[0] = par[1] = two;
    gl_job *all[4] = {&one, &two, &par[0], &par[1]};
    for (int i = 0; i < 4; i++) all[i]->y = malloc(sizeof(float) * (size_t)a.n);
    gl_main(&one);
    gl_main(&two);
    pthread_t th[2];
    for (int i = 0; i < 2; i++) CHECK(pthread_create(&th[i], NULL, gl_main, &par[i]) == 0);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < 4; i++) {
        CHECK_OK(all[i]->rc);
        CHECK_MSG(memcmp(all[i]->y, one.y, sizeof(float) * (size_t)a.n) == 0,
                  "Griffin-Lim %d (threads %d) differs from the one on 1 thread", i, all[i]->threads);
        CHECK(all[i]->sc == one.sc && isfinite(one.sc));
    }
    for (int i = 0; i < 4; i++) free(all[i]->y);
    free(X);
    free(S);
    as_stft_destroy(s);
    as_signal_free(&a);
}

/* ---- features and classification in two threads (one workspace each, one shared model) ------ */

typedef struct feat_job {
    const as_signal *y;
    const as_genre_model *m;
    double f[AS_FEATURES_COUNT];
    double p[AS_GENRE_MAX_CLASSES];
    as_status rc;
} feat_job;

static void *feat_main(void *arg)
{
    feat_job *j = arg;
    as_status st;
    as_features *fx = as_features_create(&st);
    j->rc = st;
    if (!fx) return NULL;
    j->rc = as_features_compute(fx, j->y->data, j->y->n, j->f);
    if (j->rc == AS_OK) j->rc = as_genre_classify_signal(j->m, fx, j->y->data, j->y->n, j->p);
    as_features_destroy(fx);
    return NULL;
}

TEST(threads_features_and_classify_two_at_once)
{
    as_signal a = {0}, b = {0};
    if (!load_example("metal_sectoid_metal_madness", 4.0, &a) || !load_example("rock_sectoid_feelings", 4.0, &b))
        return;
    as_genre_model *m = NULL;
    as_error err = {0};
    CHECK_OK(as_genre_load_default(&m, &err));
    if (!m) return;
    feat_job alone[2] = {{.y = &a, .m = m}, {.y = &b, .m = m}}, both[2] = {{.y = &a, .m = m}, {.y = &b, .m = m}};
    for (int i = 0; i < 2; i++) feat_main(&alone[i]);
    pthread_t th[2];
    for (int i = 0; i < 2; i++) CHECK(pthread_create(&th[i], NULL, feat_main, &both[i]) == 0);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    int nc = as_genre_n_classes(m);
    for (int i = 0; i < 2; i++) {
        CHECK_OK(alone[i].rc);
        CHECK_OK(both[i].rc);
        CHECK_MSG(memcmp(alone[i].f, both[i].f, sizeof alone[i].f) == 0, "features %d differ run beside another", i);
        CHECK_MSG(memcmp(alone[i].p, both[i].p, sizeof(double) * (size_t)nc) == 0, "genres %d differ", i);
    }
    as_genre_destroy(m);
    as_signal_free(&a);
    as_signal_free(&b);
}

/* ---- failed opens in two threads at once keep their own messages --------------------------- */

typedef struct open_job {
    const char *path, *want; /* the message must contain want */
    int wrong, loads;
} open_job;

static void *open_main(void *arg)
{
    open_job *j = arg;
    for (int i = 0; i < 40; i++) {
        as_signal y = {0};
        as_error err = {0};
        if (as_audio_load(j->path, NULL, &y, &err) == AS_OK) as_signal_free(&y);
        else if (!strstr(err.msg, j->want)) j->wrong++;
        j->loads++;
    }
    return NULL;
}

/* libsndfile keeps a failed open's error in process-wide variables (src/audio/audio.h): without
 * the library's lock two threads could read each other's reason (and TSan reports the race). */
TEST(threads_failed_opens_keep_their_own_messages)
{
    char rnd[512], trunc[512];
    snprintf(rnd, sizeof rnd, "%s/random.wav", scratch_dir());
    snprintf(trunc, sizeof trunc, "%s/trunc_header.wav", scratch_dir());
    FILE *f = fopen(rnd, "wb");
    CHECK(f != NULL);
    if (!f) return;
    as_rng r;
    as_rng_seed(&r, 11);
    for (int i = 0; i < 4096; i++) fputc((int)(as_rng_uniform(&r) * 256) & 255, f);
    fclose(f);
    f = fopen(trunc, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fwrite("RIFF\x24\x08\x00\x00WAVEfmt \x10\x00\x00\x00", 1, 20, f); /* a WAV header cut at 20 bytes */
    fclose(f);
    open_job j[2] = {{.path = rnd, .want = "Format not recognised"}, {.path = trunc, .want = "fmt"}};
    /* each alone first: the messages this test expects */
    for (int i = 0; i < 2; i++) {
        as_signal y = {0};
        as_error err = {0};
        CHECK(as_audio_load(j[i].path, NULL, &y, &err) == AS_ERR_FORMAT);
        CHECK_MSG(strstr(err.msg, j[i].want) != NULL, "%s alone: \"%s\"", j[i].path, err.msg);
        as_signal_free(&y);
    }
    pthread_t th[2];
    for (int i = 0; i < 2; i++) CHECK(pthread_create(&th[i], NULL, open_main, &j[i]) == 0);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < 2; i++)
        CHECK_MSG(j[i].loads == 40 && j[i].wrong == 0, "%s: %d of %d messages not its own", j[i].path,
                  j[i].wrong, j[i].loads);
}
