/* bench_nst.c — the style transfer's loss + gradient evaluation (src/nn/nst.c) against the sgemm
 * ceiling of the same GEMM shapes measured in the same run.
 *
 * Configurations: the canonical one (10-s content and style, N = 4096, T = 431), N = 2048, and a
 * 30-s content (three bundled clips end to end) with a 10-s style. For each: the FLOPs of one
 * evaluation (counted from the shapes: every GEMM), the median seconds of >= 10 evaluations,
 * the sgemm time those FLOPs would take at the rate OpenBLAS reaches on each GEMM shape alone
 * (contiguous operands, median of repeats), the achieved fraction of that ceiling, the one-off
 * target computation, and the peak RSS. NST_BENCH_REPS sets the repeats (default 10).
 * A full canonical run is timed with the CLI:
 *     audiostyle transfer examples/rock_sectoid_feelings.flac examples/techno_torustrooper_tt1.flac
 *         -o out.wav --json                                                                    */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"
#include "nn/nn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

/* log1p |STFT| (1025, T) of y, centred, reflect padding (the notebook's front end). */
static float *log_spec(const float *y, int64_t n, int64_t *T)
{
    as_status st;
    as_stft *s = as_stft_create(2048, 512, &st);
    *T = as_stft_frames(s, n, 1);
    float *X = malloc(sizeof(float) * 1025 * (size_t)*T * 2);
    float *S = malloc(sizeof(float) * 1025 * (size_t)*T);
    if (!s || !X || !S || as_stft_forward(s, y, n, 1, AS_PAD_REFLECT, X) != AS_OK) {
        fprintf(stderr, "bench nst: STFT failed\n");
        exit(1);
    }
    for (int64_t i = 0; i < 1025 * *T; i++) S[i] = log1pf(hypotf(X[2 * i], X[2 * i + 1]));
    free(X);
    as_stft_destroy(s);
    return S;
}

/* Median seconds of one (ta, tb, M, N, K) sgemm on contiguous operands. */
static double gemm_seconds(int ta, int tb, int64_t M, int64_t N, int64_t K, int reps)
{
    float *A = malloc(sizeof(float) * (size_t)(M * K)), *B = malloc(sizeof(float) * (size_t)(K * N));
    float *C = malloc(sizeof(float) * (size_t)(M * N));
    for (int64_t i = 0; i < M * K; i++) A[i] = (float)((i % 17) - 8) * 0.01f;
    for (int64_t i = 0; i < K * N; i++) B[i] = (float)((i % 13) - 6) * 0.01f;
    memset(C, 0, sizeof(float) * (size_t)(M * N));
    double *t = malloc(sizeof(double) * (size_t)(reps + 1));
    for (int r = 0; r <= reps; r++) {
        double t0 = bench_now();
        nn_gemm(ta, tb, M, N, K, 1.0f, A, ta ? M : K, B, tb ? K : N, 0.0f, C, N);
        t[r] = bench_now() - t0;
    }
    double med = bench_median(t + 1, reps); /* the first call warms up */
    free(A);
    free(B);
    free(C);
    free(t);
    return med;
}

/* The sgemm-only time of one evaluation: each GEMM of nn_nst_eval at its own measured rate. */
static double ceiling_seconds(const nn_nst *m, int reps)
{
    int C = m->sh.C, N = m->sh.N, K = m->sh.K;
    int64_t To = m->To, Tso = m->Tso;
    double t = 0;
    t += K * gemm_seconds(NN_TRANS, NN_NOTRANS, To, N, C, reps);   /* forward, per tap */
    t += K * gemm_seconds(NN_NOTRANS, NN_TRANS, C, To, N, reps);   /* input gradient, per tap */
    if (m->exact) {
        t += gemm_seconds(NN_NOTRANS, NN_TRANS, To, To, N, reps);  /* A = F F^T */
        t += gemm_seconds(NN_NOTRANS, NN_TRANS, To, Tso, N, reps); /* B = F Fs^T */
        t += gemm_seconds(NN_NOTRANS, NN_NOTRANS, To, N, To, reps);  /* A F */
        t += gemm_seconds(NN_NOTRANS, NN_NOTRANS, To, N, Tso, reps); /* B Fs */
    } else {
        t += gemm_seconds(NN_TRANS, NN_NOTRANS, N, N, To, reps);   /* G = F^T F */
        t += gemm_seconds(NN_NOTRANS, NN_NOTRANS, To, N, N, reps); /* F D */
    }
    return t;
}

static void run_config(const char *label, const float *c, int64_t T, const float *s, int64_t Ts,
                       int N, int reps)
{
    nn_nst_shape sh = {.C = 1025, .N = N, .K = 11, .padding = NN_PAD_VALID, .T = T, .Ts = Ts,
                       .div_x = (double)T, .div_s = (double)Ts, .alpha = 1e-2, .beta = 1};
    nn_nst *m = NULL;
    if (nn_nst_create(&m, &sh) != AS_OK) {
        printf("| %s | out of memory |\n", label);
        return;
    }
    nn_nst_init_weights(m, 0);
    double t0 = bench_now();
    nn_nst_set_targets(m, c, s);
    double t_targets = bench_now() - t0;
    float *x = malloc(sizeof(float) * 1025 * (size_t)T), *g = malloc(sizeof(float) * 1025 * (size_t)T);
    as_rng r;
    as_rng_seed(&r, 1);
    for (int64_t i = 0; i < 1025 * T; i++) x[i] = (float)(1e-3 * as_rng_normal(&r));
    double *t = malloc(sizeof(double) * (size_t)(reps + 1)), lc, ls;
    for (int i = 0; i <= reps; i++) {
        double a = bench_now();
        nn_nst_eval(m, x, g, &lc, &ls);
        t[i] = bench_now() - a;
    }
    double sec = bench_median(t + 1, reps);
    double flops = nn_nst_flops(&sh);
    double ceil_s = ceiling_seconds(m, reps);
    printf("| %s | %lld | %lld | %d | %s | %.1f | %.3f | %.0f | %.3f | %.0f | %.0f %% | %.2f | %.0f |\n",
           label, (long long)T, (long long)Ts, N, m->exact ? "T'xT'" : "NxN", flops / 1e9, sec,
           flops / sec / 1e9, ceil_s, flops / ceil_s / 1e9, 100.0 * ceil_s / sec, t_targets,
           peak_rss_mb());
    fflush(stdout);
    free(t);
    free(x);
    free(g);
    nn_nst_destroy(m);
}

BENCH(nst)
{
    const char *e = getenv("NST_BENCH_REPS");
    int reps = e && atoi(e) > 0 ? atoi(e) : 10;
    int threads = bench_threads();
    nn_set_threads(threads);
    as_signal a = bench_load("rock_sectoid_feelings.flac");
    as_signal b = bench_load("techno_torustrooper_tt1.flac");
    as_signal c2 = bench_load("metal_sectoid_metal_madness.flac");
    as_signal c3 = bench_load("misc_funnyboat_jdruid.flac");
    int64_t T, Ts, T30;
    float *Sc = log_spec(a.data, a.n, &T), *Ss = log_spec(b.data, b.n, &Ts);
    int64_t n30 = a.n + c2.n + c3.n;
    float *y30 = malloc(sizeof(float) * (size_t)n30);
    memcpy(y30, a.data, sizeof(float) * (size_t)a.n);
    memcpy(y30 + a.n, c2.data, sizeof(float) * (size_t)c2.n);
    memcpy(y30 + a.n + c2.n, c3.data, sizeof(float) * (size_t)c3.n);
    float *S30 = log_spec(y30, n30, &T30);

    printf("Loss + gradient evaluation of the style transfer (K = 11, valid padding), %d BLAS "
           "thread(s), median of %d; ceiling = each GEMM shape alone at its measured sgemm rate.\n\n",
           threads, reps);
    printf("| config | T | Ts | N | style form | GFLOP/eval | s/eval | GFLOP/s | sgemm ceiling s "
           "| ceiling GFLOP/s | of ceiling | targets s | peak RSS MB |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    run_config("10 s, N 4096 (canonical)", Sc, T, Ss, Ts, 4096, reps);
    run_config("10 s, N 2048", Sc, T, Ss, Ts, 2048, reps);
    run_config("30 s content, N 4096", S30, T30, Ss, Ts, 4096, reps);
    printf("\nTargets (2 threads, Debian OpenBLAS): canonical >= 85 %% of the ceiling (~0.30 s), "
           "30-s content <= 1.0 s per evaluation.\n");
    free(Sc);
    free(Ss);
    free(S30);
    free(y30);
    as_signal_free(&a);
    as_signal_free(&b);
    as_signal_free(&c2);
    as_signal_free(&c3);
}
