/* bench_dsp.c — STFT, ISTFT and 500 Griffin-Lim iterations on a 10-s clip (1025 x 431), beside
 * the FFT-only floor measured in the same run: the same number of r2c + c2r transforms of the
 * same size with the same plans, nothing else. */
#include "bench.h"
#include "dsp/dsp.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUNS 7
#define GL_ITERS 500

/* The clip: examples/techno_torustrooper_tt1.flac, or the same samples from the fixtures. */
static float *load_clip(int64_t *n, const char **what)
{
    as_signal sig = {0};
    if (as_audio_load("examples/techno_torustrooper_tt1.flac", NULL, &sig, NULL) == AS_OK) {
        *n = sig.n;
        *what = "examples/techno_torustrooper_tt1.flac";
        return sig.data;
    }
    as_npy a;
    if (as_npy_load("tests/ref/seg_whole/full/y.npy", &a, NULL) != AS_OK || a.dtype != AS_NPY_F4)
        return NULL;
    *n = a.count;
    *what = "tests/ref/seg_whole/full/y.npy";
    return a.data; /* the npy's data block is owned by us now (freed with free) */
}

enum { FLOOR_PAIRS, FLOOR_R2C, FLOOR_C2R };
typedef struct floor_job {
    const as_stft *s;
    int64_t t0, t1;
    int iters, mode;
} floor_job;

/* iters x (r2c + c2r) (or only one of them) on frames [t0, t1) of private buffers */
static void *floor_run(void *arg)
{
    floor_job *j = arg;
    const as_stft *s = j->s;
    float *r = dsp_alloc(sizeof(float) * s->n_fft);
    fftwf_complex *c = dsp_alloc(sizeof(fftwf_complex) * s->F);
    for (int i = 0; i < s->n_fft; i++) r[i] = (float)((i * 7919) % 1000) * 1e-3f;
    for (int it = 0; it < j->iters; it++)
        for (int64_t t = j->t0; t < j->t1; t++) {
            if (j->mode != FLOOR_C2R) fftwf_execute_dft_r2c(s->r2c, r, c);
            if (j->mode != FLOOR_R2C) fftwf_execute_dft_c2r(s->c2r, c, r);
            r[0] *= 1.0f / s->n_fft; /* keep the values bounded */
        }
    dsp_free(r);
    dsp_free(c);
    return NULL;
}

static double floor_time(const as_stft *s, int64_t T, int iters, int nth, int mode)
{
    floor_job jobs[64];
    pthread_t tid[64];
    if (nth > 64) nth = 64;
    double t0 = bench_now();
    for (int i = 0; i < nth; i++) {
        jobs[i] = (floor_job){s, T * i / nth, T * (i + 1) / nth, iters, mode};
        if (i) pthread_create(&tid[i], NULL, floor_run, &jobs[i]);
    }
    floor_run(&jobs[0]);
    for (int i = 1; i < nth; i++) pthread_join(tid[i], NULL);
    return bench_now() - t0;
}

BENCH(dsp)
{
    int64_t n = 0;
    const char *what = NULL;
    float *y = load_clip(&n, &what);
    if (!y) {
        printf("bench dsp: no input clip\n");
        return;
    }
    if (n > 220500) n = 220500; /* 10 s */
    as_stft *s = as_stft_create(2048, 512, NULL);
    const int64_t T = as_stft_frames(s, n, 1), F = as_stft_bins(s);
    float *X = malloc(sizeof(float) * F * T * 2), *S = malloc(sizeof(float) * F * T);
    float *out = malloc(sizeof(float) * n);
    double v[RUNS];
    const int nthr = bench_threads();

    double load[3] = {0};
    if (getloadavg(load, 3) < 1) load[0] = -1;
    printf("load average at start: %.2f (timings on a busy machine are not comparable)\n", load[0]);
    printf("input: %s, %lld samples, n_fft 2048, hop 512, F x T = %lld x %lld; median of %d "
           "runs\n\n",
           what, (long long)n, (long long)F, (long long)T, RUNS);
    printf("| operation | threads | median ms | FFT-only floor ms | ratio to floor |\n");
    printf("|---|---|---|---|---|\n");

    /* STFT against T r2c, ISTFT against T c2r, alternating with their floors */
    double f[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double t0 = bench_now();
        as_stft_forward(s, y, n, 1, AS_PAD_REFLECT, X);
        v[r] = bench_now() - t0;
        f[r] = floor_time(s, T, 1, 1, FLOOR_R2C);
    }
    double stft_ms = 1e3 * bench_median(v, RUNS), stft_fl = 1e3 * bench_median(f, RUNS);
    printf("| STFT (reflect, centred; floor: %lld r2c) | 1 | %.2f | %.2f | %.2f |\n", (long long)T,
           stft_ms, stft_fl, stft_ms / stft_fl);
    for (int r = 0; r < RUNS; r++) {
        double t0 = bench_now();
        as_istft(s, X, T, n, out, NULL);
        v[r] = bench_now() - t0;
        f[r] = floor_time(s, T, 1, 1, FLOOR_C2R);
    }
    double istft_ms = 1e3 * bench_median(v, RUNS), istft_fl = 1e3 * bench_median(f, RUNS);
    printf("| ISTFT (length-aware; floor: %lld c2r) | 1 | %.2f | %.2f | %.2f |\n", (long long)T,
           istft_ms, istft_fl, istft_ms / istft_fl);

    for (int64_t i = 0; i < F * T; i++) S[i] = hypotf(X[2 * i], X[2 * i + 1]);
    int thr[2] = {1, nthr};
    for (int c = 0; c < (nthr > 1 ? 2 : 1); c++) {
        double sc = 0;
        as_gl_opts o = {.n_iter = GL_ITERS, .momentum = 0.99, .seed = 1, .length = n,
                        .threads = thr[c]};
        /* GL and its floor alternate, so both see the same machine load */
        for (int r = 0; r < RUNS; r++) {
            double t0 = bench_now();
            as_griffinlim(s, S, T, &o, out, &sc);
            v[r] = bench_now() - t0;
            f[r] = floor_time(s, T, GL_ITERS, thr[c], FLOOR_PAIRS);
        }
        double gl_ms = 1e3 * bench_median(v, RUNS);
        double fl_ms = 1e3 * bench_median(f, RUNS);
        printf("| Griffin-Lim %d iterations (SC %.4f) | %d | %.1f | %.1f | %.2f |\n", GL_ITERS, sc,
               thr[c], gl_ms, fl_ms, gl_ms / fl_ms);
    }
    printf("\nFloor: %d x %lld (r2c + c2r) pairs of size 2048 with the same FFTW plans (FFTW_ESTIMATE),"
           " frames split over the same number of threads.\n",
           GL_ITERS, (long long)T);
    free(X);
    free(S);
    free(out);
    free(y);
    as_stft_destroy(s);
}
