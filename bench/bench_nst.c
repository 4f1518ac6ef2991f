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
#include "nn/engine.h"
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

/* The sgemm-only time of the convolution's GEMMs (the fp32 engine's K per-tap shapes). */
static double conv_ceiling_seconds(const nn_nst *m, int reps)
{
    int C = m->sh.C, N = m->sh.N, K = m->sh.K;
    int64_t To = m->To;
    double t = 0;
    t += K * gemm_seconds(NN_TRANS, NN_NOTRANS, To, N, C, reps);   /* forward, per tap */
    t += K * gemm_seconds(NN_NOTRANS, NN_TRANS, C, To, N, reps);   /* input gradient, per tap */
    return t;
}

/* The sgemm-only time of the style term's GEMMs. */
static double style_ceiling_seconds(const nn_nst *m, int reps)
{
    int N = m->sh.N;
    int64_t To = m->To, Tso = m->Tso;
    double t = 0;
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

/* The sgemm-only time of one evaluation: each GEMM of nn_nst_eval at its own measured rate. */
static double ceiling_seconds(const nn_nst *m, int reps)
{
    return conv_ceiling_seconds(m, reps) + style_ceiling_seconds(m, reps);
}

/* Creates the canonical-shaped network for a precision, draws the weights, sets the targets
 * (timed into *t_targets) and returns the median seconds of reps evaluations at noise x. */
static double eval_seconds(nn_nst **out, const nn_nst_shape *sh, const float *c, const float *s,
                           int reps, double *t_targets)
{
    nn_nst *m = NULL;
    *out = NULL;
    if (nn_nst_create(&m, sh) != AS_OK || nn_nst_init_weights(m, 0) != AS_OK) {
        nn_nst_destroy(m);
        return -1;
    }
    double t0 = bench_now();
    as_status st = nn_nst_set_targets(m, c, s);
    *t_targets = bench_now() - t0;
    int64_t T = sh->T;
    float *x = malloc(sizeof(float) * 1025 * (size_t)T), *g = malloc(sizeof(float) * 1025 * (size_t)T);
    as_rng r;
    as_rng_seed(&r, 1);
    for (int64_t i = 0; i < 1025 * T; i++) x[i] = (float)(1e-3 * as_rng_normal(&r));
    double *t = malloc(sizeof(double) * (size_t)(reps + 1)), lc, ls;
    for (int i = 0; i <= reps && st == AS_OK; i++) {
        double a = bench_now();
        st = nn_nst_eval(m, x, g, &lc, &ls);
        t[i] = bench_now() - a;
    }
    double sec = st == AS_OK ? bench_median(t + 1, reps) : -1;
    free(t);
    free(x);
    free(g);
    *out = m;
    return sec;
}

static void run_config(const char *label, const float *c, int64_t T, const float *s, int64_t Ts,
                       int N, int reps)
{
    nn_nst_shape sh = {.C = 1025, .N = N, .K = 11, .padding = NN_PAD_VALID, .T = T, .Ts = Ts,
                       .div_x = (double)T, .div_s = (double)Ts, .alpha = 1e-2, .beta = 1,
                       .precision = NN_PRECISION_FP32};
    nn_nst *m = NULL;
    double t_targets = 0, sec = eval_seconds(&m, &sh, c, s, reps, &t_targets);
    if (!m || sec < 0) {
        printf("| %s | out of memory |\n", label);
        nn_nst_destroy(m);
        return;
    }
    double flops = nn_nst_flops(&sh);
    double ceil_s = ceiling_seconds(m, reps);
    printf("| %s | %lld | %lld | %d | %s | %.1f | %.3f | %.0f | %.3f | %.0f | %.0f %% | %.2f | %.0f |\n",
           label, (long long)T, (long long)Ts, N, m->exact ? "T'xT'" : "NxN", flops / 1e9, sec,
           flops / sec / 1e9, ceil_s, flops / ceil_s / 1e9, 100.0 * ceil_s / sec, t_targets,
           peak_rss_mb());
    fflush(stdout);
    nn_nst_destroy(m);
}

/* One matmul shape of the bf16 engine's convolution: oneDNN bf16, oneDNN f32 and OpenBLAS sgemm
 * alone. Returns the oneDNN bf16 seconds (-1 where it has none). */
static double matmul_row(const char *label, int64_t M, int64_t N, int64_t K, int reps, int threads)
{
    char impl16[64], impl32[64];
    double fl = 2.0 * M * N * K;
    double t16 = nn_dnnl_matmul_seconds(M, N, K, reps, 0, threads, impl16, sizeof impl16);
    double t32 = nn_dnnl_matmul_seconds(M, N, K, reps, 1, threads, impl32, sizeof impl32);
    double ts = gemm_seconds(NN_NOTRANS, NN_NOTRANS, M, N, K, reps);
    char b16[96] = "none (unimplemented)", r16[32] = "-";
    if (t16 > 0) {
        snprintf(b16, sizeof b16, "%.3f (%s)", t16, impl16);
        snprintf(r16, sizeof r16, "%.0f", fl / t16 / 1e9);
    }
    printf("| %s | %lld x %lld x %lld | %.1f | %s | %s | %.3f (%s) | %.0f | %.3f | %.0f |\n", label,
           (long long)M, (long long)K, (long long)N, fl / 1e9, b16, r16, t32, impl32, fl / t32 / 1e9,
           ts, fl / ts / 1e9);
    fflush(stdout);
    return t16;
}

/* The canonical evaluation per engine, with the ratio to fp32 and the share of each engine's own
 * ceiling: its convolution matmuls alone (oneDNN bf16 at the engine's two shapes where native;
 * sgemm at the same shapes for the emulation; the K per-tap sgemms for fp32) plus the style
 * GEMMs at the sgemm rate. */
static void run_precisions(const float *c, int64_t T, const float *s, int64_t Ts, int reps,
                           int threads)
{
    nn_nst_shape sh = {.C = 1025, .N = 4096, .K = 11, .padding = NN_PAD_VALID, .T = T, .Ts = Ts,
                       .div_x = (double)T, .div_s = (double)Ts, .alpha = 1e-2, .beta = 1,
                       .threads = threads};
    int64_t To = T - 10, CK = 1025 * 11;
    printf("\nPrecision (10 s content and style, N 4096, T = %lld): the bf16 engine's matmuls alone "
           "at its shapes (median of %d), then one evaluation per engine.\n\n", (long long)T, reps);
    printf("| matmul | M x K x N | GFLOP | oneDNN bf16 s | GFLOP/s | oneDNN f32 s | GFLOP/s | sgemm s "
           "| GFLOP/s |\n|---|---|---|---|---|---|---|---|---|\n");
    double f16 = matmul_row("forward xcol . W", To, 4096, CK, reps, threads);
    double b16 = matmul_row("backward dF . W^T", To, CK, 4096, reps, threads);
    double fs = gemm_seconds(NN_NOTRANS, NN_NOTRANS, To, 4096, CK, reps);
    double bs = gemm_seconds(NN_NOTRANS, NN_NOTRANS, To, CK, 4096, reps);
    printf("\n| precision | engine | s/eval | vs fp32 | conv ceiling s | style ceiling s | of ceiling "
           "| targets s | peak RSS MB |\n|---|---|---|---|---|---|---|---|---|\n");
    double t_fp32 = -1;
    for (int e = 0; e < 2; e++) {
        sh.precision = e ? NN_PRECISION_BF16 : NN_PRECISION_FP32;
        nn_nst *m = NULL;
        double tt = 0, sec = eval_seconds(&m, &sh, c, s, reps, &tt);
        if (!m || sec < 0) {
            printf("| %s | failed |\n", e ? "bf16" : "fp32");
            nn_nst_destroy(m);
            continue;
        }
        double conv_c = e == 0 ? conv_ceiling_seconds(m, reps) : (f16 > 0 && b16 > 0 ? f16 + b16 : fs + bs);
        double style_c = style_ceiling_seconds(m, reps);
        if (e == 0) t_fp32 = sec;
        printf("| %s | %s | %.3f | %.2fx | %.3f | %.3f | %.0f %% | %.2f | %.0f |\n", e ? "bf16" : "fp32",
               nn_nst_engine_impl(m), sec, t_fp32 > 0 ? t_fp32 / sec : 0, conv_c, style_c,
               100.0 * (conv_c + style_c) / sec, tt, peak_rss_mb());
        fflush(stdout);
        nn_nst_destroy(m);
    }
    printf("\nTargets (issue 10, an AVX512-BF16 machine): bf16 >= 2.0x fp32 per evaluation and >= 85 %% "
           "of its ceiling. Where oneDNN has no bf16 matmul (AVX2), the bf16 engine is an emulation "
           "(sgemm on bf16-rounded operands): its row shows the numerics' cost, not bf16 speed.\n");
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
    unsigned isa = nn_cpu_isa();
    printf("\noneDNN: CPU ISA %s (%#x), bf16 matmul %s; AUTO picks %s.\n", nn_cpu_isa_name(isa), isa,
           nn_bf16_native() ? "native" : "unimplemented", nn_nst_resolve_precision(NN_PRECISION_AUTO) ==
           NN_PRECISION_BF16 ? "bf16" : "fp32");
    run_precisions(Sc, T, Ss, Ts, reps, threads);
    free(Sc);
    free(Ss);
    free(S30);
    free(y30);
    as_signal_free(&a);
    as_signal_free(&b);
    as_signal_free(&c2);
    as_signal_free(&c3);
}
