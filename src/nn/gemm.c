/* gemm.c — the one GEMM wrapper of the library (OpenBLAS sgemm through CBLAS) and its naive twin. */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include "nn/nn.h"

#include <cblas.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

void nn_gemm(int trans_a, int trans_b, int64_t M, int64_t N, int64_t K, float alpha,
             const float *A, int64_t lda, const float *B, int64_t ldb, float beta, float *C,
             int64_t ldc)
{
    if (M <= 0 || N <= 0) return;
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (blasint)M, (blasint)N, (blasint)K, alpha, A,
                (blasint)lda, B, (blasint)ldb, beta, C, (blasint)ldc);
}

void nn_gemm_naive(int trans_a, int trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                   const float *A, int64_t lda, const float *B, int64_t ldb, float beta, float *C,
                   int64_t ldc)
{
    for (int64_t i = 0; i < M; i++) {
        for (int64_t j = 0; j < N; j++) {
            double s = 0;
            for (int64_t k = 0; k < K; k++) {
                double a = trans_a ? A[k * lda + i] : A[i * lda + k];
                double b = trans_b ? B[j * ldb + k] : B[k * ldb + j];
                s += a * b;
            }
            /* beta == 0 ignores C (BLAS semantics: C may hold NaN garbage) */
            double c = beta == 0.0f ? 0.0 : (double)beta * C[i * ldc + j];
            C[i * ldc + j] = (float)(alpha * s + c);
        }
    }
}

/* The thread controls live in libopenblas.so.0, which pkg-config's -lblas loads indirectly (the
 * libblas.so.3 shim does not re-export them), so they are looked up at run time (once); with
 * another BLAS they are absent and the thread count is left alone.
 * OpenBLAS's count is process-wide and resizing its pool while another thread is inside an sgemm
 * is unsafe, so: calls are serialised, and the count is only set when it differs from the current
 * one. Two jobs in one process that ask for the same count (the CLI's, the server's children,
 * tests/test_threads.c) thus set it at most once and never under each other's GEMMs; jobs asking
 * for different counts still change it for each other (as_style_config.threads says so). */
static void (*blas_set)(int);
static int (*blas_get)(void);
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t blas_mu = PTHREAD_MUTEX_INITIALIZER;

static void blas_find(void)
{
    *(void **)(&blas_set) = dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
    *(void **)(&blas_get) = dlsym(RTLD_DEFAULT, "openblas_get_num_threads");
}

int nn_set_threads(int n)
{
    pthread_once(&blas_once, blas_find);
    pthread_mutex_lock(&blas_mu);
    int cur = blas_get ? blas_get() : 1;
    if (n > 0 && blas_set && cur != n) {
        blas_set(n);
        cur = blas_get ? blas_get() : n;
    }
    pthread_mutex_unlock(&blas_mu);
    return cur;
}

double nn_gemm_rate(int64_t M, int64_t N, int64_t K, int reps)
{
    float *a = malloc(sizeof(float) * (size_t)(M * K));
    float *b = malloc(sizeof(float) * (size_t)(K * N));
    float *c = malloc(sizeof(float) * (size_t)(M * N));
    double best = 0;
    if (a && b && c) {
        for (int64_t i = 0; i < M * K; i++) a[i] = (float)((i * 7 % 13) - 6) * 0.01f;
        for (int64_t i = 0; i < K * N; i++) b[i] = (float)((i * 5 % 11) - 5) * 0.01f;
        for (int r = 0; r < reps + 1; r++) {
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            nn_gemm(NN_NOTRANS, NN_NOTRANS, M, N, K, 1.0f, a, K, b, N, 0.0f, c, N);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
            double rate = 2.0 * (double)M * (double)N * (double)K / s;
            if (r > 0 && rate > best) best = rate; /* the first call warms up threads and caches */
        }
    }
    free(a);
    free(b);
    free(c);
    return best;
}
