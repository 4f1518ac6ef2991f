/* dsp.h — what src/dsp shares with the other modules of libaudiostyle (not exported).
 *
 * - FFTW plans: FFTW's planner is not thread-safe, so every module makes and destroys its plans
 *   through dsp_plan_* (one process-wide mutex, FFTW_ESTIMATE: deterministic). Executing a plan
 *   with the new-array functions (fftwf_execute_dft_r2c(plan, in, out)) is thread-safe; the
 *   arrays must be allocated with fftwf_malloc (dsp_alloc) so their alignment matches the plan's.
 * - A frame-major STFT: (T, F) complex, frequency contiguous — what per-frame consumers (features,
 *   Griffin-Lim) want, and what FFTW writes without a transpose.
 */
#ifndef AS_DSP_H
#define AS_DSP_H

#include "core/internal.h"

#include <fftw3.h>

/* Plans for a real transform of size n (out-of-place; c2r destroys its input). NULL when FFTW
 * cannot plan. Made under the process-wide FFTW mutex with FFTW_ESTIMATE. */
fftwf_plan dsp_plan_r2c(int n);
fftwf_plan dsp_plan_c2r(int n);
void dsp_plan_destroy(fftwf_plan p); /* NULL is a no-op */

/* fftwf_malloc / fftwf_free (SIMD-aligned, as the plans expect); dsp_alloc(0) returns NULL. */
void *dsp_alloc(size_t bytes);
void dsp_free(void *p);

/* The periodic Hann window in double, computed as scipy does (0.5 + 0.5 cos(linspace(-pi, pi))). */
void dsp_hann_double(double *w /* (n,) */, int n);

/* simd.c: float loops, SSE2 or AVX chosen at run time (same bits either way).
 *   mul:        o = a * b                    mul_scaled: o = w * (r * scale)
 *   add:        y += f                       div:        y /= d
 *   update:     Griffin-Lim phase update of F bins: with R = x (interleaved complex) and
 *               a = R - coef * p: p = R, x = a * (S / (|a| + 1e-16)). */
typedef struct dsp_kernels {
    void (*mul)(float *restrict o, const float *restrict a, const float *restrict b, int n);
    void (*mul_scaled)(float *restrict o, const float *restrict w, const float *restrict r,
                       float scale, int n);
    void (*add)(float *restrict y, const float *restrict f, int64_t n);
    void (*div)(float *restrict y, const float *restrict d, int64_t n);
    void (*update)(float *restrict x, float *restrict p, const float *restrict S, int F,
                   float coef);
} dsp_kernels;
dsp_kernels dsp_pick_kernels(void);

/* The STFT object's insides, for dsp files and for modules that drive FFTW themselves. */
struct as_stft {
    int n_fft, hop, F;      /* F = n_fft / 2 + 1 */
    float *window;          /* (n_fft,) periodic Hann, float32 */
    double *window_sq;      /* (n_fft,) Hann^2 in double (librosa window_sumsquare) */
    fftwf_plan r2c, c2r;    /* size n_fft, planned on dsp_alloc'd arrays */
    dsp_kernels k;          /* float loops for this CPU */
};

/* Frame t of the padded signal: frame[j] = ypad[t * hop + j], j = 0..n_fft-1 (not windowed).
 * ypad is y with n_fft/2 samples of reflect or zero padding on each side when centred. */
void dsp_stft_get_frame(const as_stft *s, const float *y, int64_t n, int center, int pad_mode,
                        int64_t t, float *frame /* (n_fft,) */);

/* Frame-major STFT: Xf[(t * F + k) * 2 + {0,1}] = X[k, t] for t = 0..T-1 with
 * T = as_stft_frames(s, n, center). Same arguments and errors as as_stft_forward; allocates
 * two small scratch arrays per call (not per frame). */
as_status dsp_stft_frames(const as_stft *s, const float *y, int64_t n, int center, int pad_mode,
                          float *Xf /* (T, F, 2) */);

/* Window sum of squares as librosa.filters.window_sumsquare accumulates it (float32 sums of
 * double squares): wss[i] for i = 0 .. n_fft + hop * (nf - 1) - 1. */
void dsp_window_sumsquare(const as_stft *s, int64_t nf, float *wss);

/* Frames istft overlap-adds for T input frames and a length argument (librosa 0.7.2):
 * all T when length < 0, else min(T, ceil((length + n_fft) / hop)). */
int64_t dsp_istft_frames_used(const as_stft *s, int64_t T, int64_t length);

/* Frame-major ISTFT: the same as as_istft with X given as (T, F, 2). */
as_status dsp_istft_frames(const as_stft *s, const float *Xf /* (T, F, 2) */, int64_t T,
                           int64_t length, float *y, int64_t *n_out);

/* Number of online processors (>= 1). */
int dsp_cpu_count(void);

#endif
