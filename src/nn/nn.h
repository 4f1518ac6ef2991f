/* nn.h — the neural-network kernels of the library (internal): the style transfer's convolution
 * and losses, and the GEMM, ReLU and optimiser steps the genre classifier uses too.
 *
 * Layouts (row-major, time contiguous for spectrograms, as everywhere in audiostyle):
 *   spectrogram / conv input   x    (C, ld)      C = frequency bins, ld >= used frames
 *   conv weights, as drawn     W    (N, C, K)    PyTorch conv1d layout, cross-correlation
 *   conv weights, as used      Wk   (K, C, N)    re-laid once so each tap j is one GEMM operand
 *   conv output / features     F    (To, N)      time-major, as in the TF notebook
 * Every fast kernel has a naive twin (double accumulation) that the tests compare against.
 * Nothing here allocates except nn_nst_create. */
#ifndef AS_NN_H
#define AS_NN_H

#include "core/internal.h"

#include <stddef.h>
#include <stdint.h>

/* ---- gemm.c -------------------------------------------------------------------------------- */
enum { NN_NOTRANS = 0, NN_TRANS = 1 };
/* C (M, N) = alpha * op(A) (M, K) * op(B) (K, N) + beta * C, row-major, like cblas_sgemm.
 * All GEMMs of the library go through this one wrapper (OpenBLAS sgemm). */
void nn_gemm(int trans_a, int trans_b, int64_t M, int64_t N, int64_t K, float alpha,
             const float *A, int64_t lda, const float *B, int64_t ldb, float beta, float *C,
             int64_t ldc);
/* The naive twin: the same contract, accumulating in double. For tests. */
void nn_gemm_naive(int trans_a, int trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                   const float *A, int64_t lda, const float *B, int64_t ldb, float beta, float *C,
                   int64_t ldc);
/* Sets the OpenBLAS thread count (n > 0); returns the count in effect. */
int nn_set_threads(int n);
/* Measures the sgemm rate (FLOP/s) of an (M, N, K) product, best of reps; allocates. */
double nn_gemm_rate(int64_t M, int64_t N, int64_t K, int reps);

/* ---- conv1d.c ------------------------------------------------------------------------------ */
/* Re-lays conv weights W (N, C, K) as Wk (K, C, N). */
void nn_conv1d_relayout(float *Wk /* (K, C, N) */, const float *W /* (N, C, K) */, int C, int N,
                        int K);
/* out[t, n] = sum_{k, j} Wk[j, k, n] * in[k, t + j] for t < To: VALID cross-correlation of the
 * already padded input in (C, ld) (columns 0 .. To+K-2 are read). K sgemms on shifted views,
 * no im2col copy. ref: torch.nn.functional.conv1d(in[None], W, padding=0) transposed. */
void nn_conv1d_forward(float *out /* (To, N) */, const float *in /* (C, ld) */, int64_t ld,
                       const float *Wk /* (K, C, N) */, int C, int N, int K, int64_t To);
/* Input gradient, ACCUMULATED: din[k, t + j] += sum_n Wk[j, k, n] * dout[t, n]. */
void nn_conv1d_backward(float *din /* (C, ld) */, int64_t ld, const float *dout /* (To, N) */,
                        const float *Wk /* (K, C, N) */, int C, int N, int K, int64_t To);
/* Naive twins with W in the PyTorch layout (N, C, K), double accumulation. backward accumulates. */
void nn_conv1d_forward_naive(float *out /* (To, N) */, const float *in /* (C, ld) */, int64_t ld,
                             const float *W /* (N, C, K) */, int C, int N, int K, int64_t To);
void nn_conv1d_backward_naive(float *din /* (C, ld) */, int64_t ld, const float *dout /* (To, N) */,
                              const float *W /* (N, C, K) */, int C, int N, int K, int64_t To);

/* ---- act.c --------------------------------------------------------------------------------- */
/* x = max(x, 0) in place. */
void nn_relu_forward(float *x, int64_t n);
/* dx *= [y > 0] where y is the ReLU output (y > 0 exactly where the input was > 0). */
void nn_relu_backward(float *dx, const float *y, int64_t n);

/* ---- loss.c -------------------------------------------------------------------------------- */
/* Content loss alpha * sum (F - Fc)^2 (double); WRITES dF = 2 alpha (F - Fc). */
double nn_content_loss(float *dF, const float *F, const float *Fc, int64_t n, double alpha);

/* ---- gram.c -------------------------------------------------------------------------------- */
/* G (N, N) = scale * F^T F for F (To, N). */
void nn_gram(float *G, const float *F, int64_t To, int N, float scale);
/* Style loss on N x N Grams: D = F^T F / div_x - Gs (D overwrites G), loss = w * sum D^2,
 * dF += (4 w / div_x) F D. Returns the loss (double). */
double nn_style_loss_gram(float *dF /* (To, N) */, float *G /* (N, N) scratch */,
                          const float *F /* (To, N) */, const float *Gs /* (N, N) */, int64_t To,
                          int N, double div_x, double w);
/* The same loss in the exact T'xT' form, cheaper when To + Tso < N (never builds N x N):
 *   A = F F^T (To, To), B = F Fs^T (To, Tso)
 *   loss = w (|A|^2 / dx^2 - 2 |B|^2 / (dx ds) + ss),  ss = |Fs Fs^T|^2 / ds^2 (precomputed)
 *   dF  += w ((4 / dx^2) A F - (4 / (dx ds)) B Fs).
 * A and B are scratch. Scalar sums in double. */
double nn_style_loss_exact(float *dF, float *A /* (To, To) */, float *B /* (To, Tso) */,
                           const float *F /* (To, N) */, const float *Fs /* (Tso, N) */,
                           int64_t To, int64_t Tso, int N, double div_x, double div_s, double ss,
                           double w);
/* sum of squares in double. */
double nn_sumsq(const float *x, int64_t n);

/* ---- adam.c -------------------------------------------------------------------------------- */
typedef struct nn_adam {
    double lr, beta1, beta2, eps; /* Keras defaults: 0.9, 0.999, 1e-7 */
    int64_t t;                    /* steps taken */
} nn_adam;
/* One Adam step on x (n) with gradient g; m and v (n) are the moment buffers (zero at start). */
void nn_adam_step(nn_adam *a, float *x, const float *g, float *m, float *v, int64_t n);
/* AdamW (decoupled weight decay, epsilon added to sqrt(v-hat), arithmetic in double): the genre
 * classifier's optimiser. */
typedef struct nn_adamw {
    double lr, beta1, beta2, eps, weight_decay; /* torch's defaults: 0.9, 0.999; here eps 1e-7 */
    int64_t t;                                  /* steps taken */
} nn_adamw;
/* One AdamW step on x (n) with gradient g; m and v (n) are the moment buffers (zero at start). */
void nn_adamw_step(nn_adamw *a, float *x, const float *g, float *m, float *v, int64_t n);

/* ---- nst.c: the whole loss of Ulyanov & Lebedev's audio style transfer ----------------------- */
enum { NN_PAD_VALID = 0, NN_PAD_SAME = 1 };

typedef struct nn_nst_shape {
    int C, N, K;          /* bins, filters, kernel width */
    int padding;          /* NN_PAD_* */
    int64_t T;            /* frames of x (and of the content) */
    int64_t Ts;           /* frames of the style */
    double div_x, div_s;  /* Gram divisors (the notebook: T and Ts) */
    double alpha;         /* content weight */
    double beta;          /* style weight */
    int style_mode;       /* NN_STYLE_AUTO / EXACT / GRAM */
    int precision;        /* the convolution's engine: NN_PRECISION_AUTO / FP32 / BF16 (engine.h) */
    int threads;          /* the bf16 engine's OpenMP threads per pass; 0 = OpenMP's default */
    int norm;             /* NN_NORM_NONE (the notebook) or NN_NORM_TARGET: the content term divided
                             by mean Fc^2 and the style term by mean Gs^2 (each by its target's own
                             scale), so alpha and beta mean the same whatever the tracks' levels */
    double mean_w;        /* feature-mean term: mean_w * |mean_t F(x) - mean_t F(s)|^2 / |mean_t F(s)|^2
                             (counted in the style loss); 0 = off */
} nn_nst_shape;
enum { NN_NORM_NONE = 0, NN_NORM_TARGET = 1 };
enum { NN_STYLE_AUTO = 0, NN_STYLE_EXACT = 1, NN_STYLE_GRAM = 2 };

typedef struct nn_nst {
    nn_nst_shape sh;
    int pl, pr;        /* zero frames added left and right */
    int64_t Tp, To;    /* padded and output frames of x */
    int64_t Tsp, Tso;  /* the same for the style */
    int exact;         /* style loss in the T'xT' form */
    double ss;         /* |Fs Fs^T|^2 / div_s^2 (exact form) */
    double alpha_eff, beta_eff; /* alpha and beta, divided by their targets' scales (sh.norm) */
    double ms2;        /* |ms|^2 (mean term) */
    float *ms;         /* (N) mean over time of the style's features (sh.mean_w) */
    float *mu;         /* (N) the same of x's features (scratch) */
    float *Wk;         /* (K, C, N) */
    float *Fc;         /* (To, N) content features; NULL when alpha == 0 */
    float *Fs;         /* (Tso, N) style features (exact form) */
    float *Gs;         /* (N, N) style Gram / div_s (Gram form) */
    float *xp;         /* (C, Tp) padded input staging */
    float *gp;         /* (C, Tp) padded gradient (same padding) */
    float *F;          /* (To, N) features of x */
    float *dF;         /* (To, N) their gradient */
    float *A;          /* (To, To) exact form */
    float *B;          /* (To, Tso) exact form */
    float *G;          /* (N, N) Gram form */
    void *block;       /* every float buffer above lives in this one block */
    size_t bytes;      /* the block, the struct and the engine's own buffers */
    int precision;     /* the engine in effect: NN_PRECISION_FP32 or _BF16 */
    struct nn_conv *conv; /* the convolution's engine instance (engine.h), reads Wk */
    float *wk_own;     /* (K, C, N): Wk's own allocation where the engine copies the weights
                          (bf16); freed by nn_nst_set_targets, then Wk == NULL */
    size_t wk_bytes;
} nn_nst;

/* Bytes nn_nst_create will allocate for this shape, its engine included (and whether it picks
 * the exact form). */
size_t nn_nst_bytes(const nn_nst_shape *sh, int *exact);
/* FLOPs of one loss + gradient evaluation (GEMMs only). */
double nn_nst_flops(const nn_nst_shape *sh);
/* Allocates everything, the engine's instance included (sh->precision AUTO resolves with
 * nn_precision_resolve on this CPU's ISA); Wk is left for the caller to fill
 * (nn_nst_init_weights or a copy). AS_ERR_UNSUPPORTED when the engine cannot run here. */
as_status nn_nst_create(nn_nst **out, const nn_nst_shape *sh);
/* The precision AUTO (or an explicit one) resolves to here: NN_PRECISION_FP32 or _BF16. AUTO is
 * nn_precision_resolve on this CPU's ISA, and fp32 unless oneDNN also has the bf16 matmul. */
int nn_nst_resolve_precision(int precision);
/* What runs the convolution ("OpenBLAS sgemm", "oneDNN brg:avx512_core_amx", ...). */
const char *nn_nst_engine_impl(const nn_nst *m);
void nn_nst_destroy(nn_nst *m);
/* Draws W (N, C, K) ~ Normal(0, 1) * sqrt(2) * sqrt(2 / ((C + N) K)) in that order from the
 * seeded generator (Marsaglia polar pairs on as_rng_uniform) and stores it re-laid in Wk. ref: the TF
 * notebook's kernel initialiser. Allocates a 16-filter staging block (AS_ERR_NOMEM). */
as_status nn_nst_init_weights(nn_nst *m, uint64_t seed);
/* Hands the weights in Wk to the engine, then precomputes F(c) from the content spectrogram
 * c (C, T) and the style statistics from s (C, Ts). Call it after Wk is filled. fp32: Wk is the
 * engine's own, call again whenever Wk changes. bf16: the engine converts Wk once and Wk is
 * released (m->Wk becomes NULL, 185 MB at the canonical shape): one call per nn_nst (a second
 * returns AS_ERR_ARG). Uses the scratch buffers; processes the style in chunks of To frames
 * (linear memory). An engine failure is returned. */
as_status nn_nst_set_targets(nn_nst *m, const float *c /* (C, T) */, const float *s /* (C, Ts) */);
/* Replaces the content target alone by F(c) of another content c (C, T) of the same length (the
 * next segment of a long track); the style statistics stay. After nn_nst_set_targets. */
as_status nn_nst_set_content(nn_nst *m, const float *c /* (C, T) */);
/* One loss + gradient evaluation at x (C, T): grad (C, T) is written; losses in double. An
 * engine failure is returned (then the outputs are meaningless). */
as_status nn_nst_eval(nn_nst *m, const float *x /* (C, T) */, float *grad /* (C, T) */,
                      double *content, double *style);

/* The double twin of the whole loss and gradient: W in (N, C, K), everything in double,
 * naive loops, N x N Grams. For tests (small sizes). grad may be NULL. */
void nn_nst_eval_naive(const nn_nst_shape *sh, const double *W, const double *x,
                       const double *c, const double *s, double *grad, double *content,
                       double *style);

/* ---- stats.c: spectral-statistics terms on the spectrogram itself (docs/notes-tonal.md) ------ */
typedef struct nn_stats_shape {
    int C;                      /* bins */
    int64_t T, Ts;              /* frames of x (and of the content) and of the style */
    double eps;                 /* floor of the log domain u(x) = log(eps + expm1(x)); 1e-3 */
    double w_env, w_std, w_tenv; /* weights of the envelope, spread and temporal terms; 0 = off */
    double w_flat;              /* weight of the frames' mean log flatness against the style's; 0 = off */
} nn_stats_shape;
typedef struct nn_stats {
    nn_stats_shape sh;
    float *Es, *Ds;   /* (C) the style's per-bin mean and standard deviation of u over time */
    float *E, *D;     /* (C) the same of x (scratch) */
    float *ec;        /* (T) the content's temporal envelope, centred */
    float *e, *p;     /* (max(T, Ts)) scratch */
    double fs;        /* the style's mean log flatness (w_flat) */
    size_t bytes;
} nn_stats;
size_t nn_stats_bytes(const nn_stats_shape *sh);
as_status nn_stats_create(nn_stats **out, const nn_stats_shape *sh);
void nn_stats_destroy(nn_stats *m);
/* The style's moments from s (C, Ts) and, when c is not NULL, the content's envelope from c (C, T). */
void nn_stats_set_targets(nn_stats *m, const float *c /* (C, T) */, const float *s /* (C, Ts) */);
void nn_stats_set_content(nn_stats *m, const float *c /* (C, T) */);
/* The terms' sum at x (C, T); their gradient is ADDED to grad (C, T). */
double nn_stats_eval(nn_stats *m, const float *x /* (C, T) */, float *grad /* (C, T) */);
/* The double twin (naive loops from the formulas); grad (C, T) is WRITTEN when not NULL. */
double nn_stats_eval_naive(const nn_stats_shape *sh, const double *x /* (C, T) */,
                           const double *c /* (C, T) */, const double *s /* (C, Ts) */,
                           double *grad /* (C, T) */);

/* ---- branch.c: a second random layer beside the first, on a reduced input --------------------- */
/* x (C, T) -> P x (B, T) (P (B, C), or the identity when P is NULL and B == C) -> an nn_nst of
 * its own (its shape's C is B): content and style terms of its features; the gradient goes back
 * through P^T. Barry & Kim (WASPAA 2017) / multi-width kernels (docs/notes-tonal.md). */
typedef struct nn_branch {
    int C, B;
    int64_t T, Ts;
    float *P;         /* (B, C) the projection, owned; NULL = identity */
    float *xm, *gm;   /* (B, T) projected x and its gradient */
    float *sm;        /* (B, max(T, Ts)) projected targets (scratch of set_targets) */
    nn_nst *net;      /* the layer, C = B */
    size_t bytes;
} nn_branch;
size_t nn_branch_bytes(int C, const nn_nst_shape *inner);
/* inner->C is B; P (B, C) is copied (NULL: identity, then B must be C). */
as_status nn_branch_create(nn_branch **out, int C, const float *P /* (B, C) */, const nn_nst_shape *inner);
void nn_branch_destroy(nn_branch *b);
as_status nn_branch_set_targets(nn_branch *b, const float *c /* (C, T) */, const float *s /* (C, Ts) */);
as_status nn_branch_set_content(nn_branch *b, const float *c /* (C, T) */);
/* The branch's losses at x (C, T); its gradient is ADDED to grad (C, T). */
as_status nn_branch_eval(nn_branch *b, const float *x /* (C, T) */, float *grad /* (C, T) */,
                         double *content, double *style);
/* The double twin: P (B, C) in double (NULL = identity), W (N, B, K); grad (C, T) WRITTEN. */
void nn_branch_eval_naive(int C, const double *P /* (B, C) */, const nn_nst_shape *inner,
                          const double *W /* (N, B, K) */, const double *x /* (C, T) */,
                          const double *c /* (C, T) */, const double *s /* (C, Ts) */,
                          double *grad /* (C, T) */, double *content, double *style);

#endif
