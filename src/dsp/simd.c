/* simd.c — the few float loops the STFT, ISTFT and Griffin-Lim spend their non-FFT time in:
 * SSE2 (the x86-64 baseline) with a scalar fallback, and AVX variants picked at run time. Only
 * IEEE-exact operations (mul, add, div, sqrt; no FMA), so every variant gives the same bits. */
#include "dsp/dsp.h"

#include <math.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define DSP_HAVE_AVX 1
#endif

/* o = a * b (n floats) */
static void vmul(float *restrict o, const float *restrict a, const float *restrict b, int n)
{
    int j = 0;
#if defined(__SSE2__)
    for (; j + 4 <= n; j += 4)
        _mm_storeu_ps(o + j, _mm_mul_ps(_mm_loadu_ps(a + j), _mm_loadu_ps(b + j)));
#endif
    for (; j < n; j++) o[j] = a[j] * b[j];
}

/* o = w * (r * scale) (n floats) */
static void vmul_scaled(float *restrict o, const float *restrict w, const float *restrict r,
                        float scale, int n)
{
    int j = 0;
#if defined(__SSE2__)
    const __m128 sc = _mm_set1_ps(scale);
    for (; j + 4 <= n; j += 4)
        _mm_storeu_ps(o + j, _mm_mul_ps(_mm_loadu_ps(w + j), _mm_mul_ps(_mm_loadu_ps(r + j), sc)));
#endif
    for (; j < n; j++) o[j] = w[j] * (r[j] * scale);
}

/* y += f (n floats) */
static void vadd(float *restrict y, const float *restrict f, int64_t n)
{
    int64_t j = 0;
#if defined(__SSE2__)
    for (; j + 4 <= n; j += 4)
        _mm_storeu_ps(y + j, _mm_add_ps(_mm_loadu_ps(y + j), _mm_loadu_ps(f + j)));
#endif
    for (; j < n; j++) y[j] += f[j];
}

/* y /= d (n floats) */
static void vdiv(float *restrict y, const float *restrict d, int64_t n)
{
    int64_t j = 0;
#if defined(__SSE2__)
    for (; j + 4 <= n; j += 4)
        _mm_storeu_ps(y + j, _mm_div_ps(_mm_loadu_ps(y + j), _mm_loadu_ps(d + j)));
#endif
    for (; j < n; j++) y[j] /= d[j];
}

// ref: librosa.griffinlim 0.7.2 update: angles = rebuilt - (m / (1 + m)) * tprev;
// angles /= |angles| + 1e-16; next istft input S * angles. Done in float32 as
// a * (S / (|a| + 1e-16)), four bins at a time (one sqrt and one division per four bins).
static void update_bins(float *restrict x /* (F, 2) R in, S·A out */,
                        float *restrict p /* (F, 2) */, const float *restrict S /* (F,) */,
                        int F, float coef)
{
    int k = 0;
#if defined(__SSE2__)
    const __m128 vc = _mm_set1_ps(coef), eps = _mm_set1_ps(1e-16f);
    for (; k + 4 <= F; k += 4) {
        __m128 r0 = _mm_loadu_ps(x + 2 * k), r1 = _mm_loadu_ps(x + 2 * k + 4);
        __m128 a0 = _mm_sub_ps(r0, _mm_mul_ps(vc, _mm_loadu_ps(p + 2 * k)));
        __m128 a1 = _mm_sub_ps(r1, _mm_mul_ps(vc, _mm_loadu_ps(p + 2 * k + 4)));
        _mm_storeu_ps(p + 2 * k, r0);
        _mm_storeu_ps(p + 2 * k + 4, r1);
        __m128 s0 = _mm_mul_ps(a0, a0), s1 = _mm_mul_ps(a1, a1);
        __m128 re2 = _mm_shuffle_ps(s0, s1, _MM_SHUFFLE(2, 0, 2, 0));
        __m128 im2 = _mm_shuffle_ps(s0, s1, _MM_SHUFFLE(3, 1, 3, 1));
        __m128 m = _mm_add_ps(_mm_sqrt_ps(_mm_add_ps(re2, im2)), eps);
        __m128 q = _mm_div_ps(_mm_loadu_ps(S + k), m); /* S / (|a| + eps), bins k..k+3 */
        _mm_storeu_ps(x + 2 * k, _mm_mul_ps(a0, _mm_unpacklo_ps(q, q)));
        _mm_storeu_ps(x + 2 * k + 4, _mm_mul_ps(a1, _mm_unpackhi_ps(q, q)));
    }
#endif
    for (; k < F; k++) {
        float re = x[2 * k], im = x[2 * k + 1];
        float ar = re - coef * p[2 * k], ai = im - coef * p[2 * k + 1];
        p[2 * k] = re;
        p[2 * k + 1] = im;
        float q = S[k] / (sqrtf(ar * ar + ai * ai) + 1e-16f);
        x[2 * k] = ar * q;
        x[2 * k + 1] = ai * q;
    }
}


#if defined(DSP_HAVE_AVX)
/* The same kernels eight floats at a time (no FMA: every result is bit-identical). */
__attribute__((target("avx"))) static void vmul_avx(float *restrict o, const float *restrict a,
                                                    const float *restrict b, int n)
{
    int j = 0;
    for (; j + 8 <= n; j += 8)
        _mm256_storeu_ps(o + j, _mm256_mul_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j)));
    vmul(o + j, a + j, b + j, n - j);
}

__attribute__((target("avx"))) static void vmul_scaled_avx(float *restrict o,
                                                           const float *restrict w,
                                                           const float *restrict r, float scale,
                                                           int n)
{
    int j = 0;
    const __m256 sc = _mm256_set1_ps(scale);
    for (; j + 8 <= n; j += 8)
        _mm256_storeu_ps(o + j, _mm256_mul_ps(_mm256_loadu_ps(w + j),
                                              _mm256_mul_ps(_mm256_loadu_ps(r + j), sc)));
    vmul_scaled(o + j, w + j, r + j, scale, n - j);
}

__attribute__((target("avx"))) static void vadd_avx(float *restrict y, const float *restrict f,
                                                    int64_t n)
{
    int64_t j = 0;
    for (; j + 8 <= n; j += 8)
        _mm256_storeu_ps(y + j, _mm256_add_ps(_mm256_loadu_ps(y + j), _mm256_loadu_ps(f + j)));
    vadd(y + j, f + j, n - j);
}

__attribute__((target("avx"))) static void vdiv_avx(float *restrict y, const float *restrict d,
                                                    int64_t n)
{
    int64_t j = 0;
    for (; j + 8 <= n; j += 8)
        _mm256_storeu_ps(y + j, _mm256_div_ps(_mm256_loadu_ps(y + j), _mm256_loadu_ps(d + j)));
    vdiv(y + j, d + j, n - j);
}

__attribute__((target("avx"))) static void update_bins_avx(float *restrict x, float *restrict p,
                                                           const float *restrict S, int F,
                                                           float coef)
{
    int k = 0;
    const __m256 vc = _mm256_set1_ps(coef), eps = _mm256_set1_ps(1e-16f);
    for (; k + 8 <= F; k += 8) {
        __m256 r0 = _mm256_loadu_ps(x + 2 * k), r1 = _mm256_loadu_ps(x + 2 * k + 8);
        __m256 a0 = _mm256_sub_ps(r0, _mm256_mul_ps(vc, _mm256_loadu_ps(p + 2 * k)));
        __m256 a1 = _mm256_sub_ps(r1, _mm256_mul_ps(vc, _mm256_loadu_ps(p + 2 * k + 8)));
        _mm256_storeu_ps(p + 2 * k, r0);
        _mm256_storeu_ps(p + 2 * k + 8, r1);
        __m256 s0 = _mm256_mul_ps(a0, a0), s1 = _mm256_mul_ps(a1, a1);
        /* per 128-bit lane: bins in the order k, k+1, k+4, k+5 | k+2, k+3, k+6, k+7 */
        __m256 re2 = _mm256_shuffle_ps(s0, s1, _MM_SHUFFLE(2, 0, 2, 0));
        __m256 im2 = _mm256_shuffle_ps(s0, s1, _MM_SHUFFLE(3, 1, 3, 1));
        __m256 m = _mm256_add_ps(_mm256_sqrt_ps(_mm256_add_ps(re2, im2)), eps);
        __m128 lo = _mm_loadu_ps(S + k), hi = _mm_loadu_ps(S + k + 4);
        __m256 sv = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_movelh_ps(lo, hi)),
                                         _mm_movehl_ps(hi, lo), 1);
        __m256 q = _mm256_div_ps(sv, m);
        _mm256_storeu_ps(x + 2 * k, _mm256_mul_ps(a0, _mm256_unpacklo_ps(q, q)));
        _mm256_storeu_ps(x + 2 * k + 8, _mm256_mul_ps(a1, _mm256_unpackhi_ps(q, q)));
    }
    update_bins(x + 2 * k, p + 2 * k, S + k, F - k, coef);
}
#endif


dsp_kernels dsp_pick_kernels(void)
{
    dsp_kernels k = {vmul, vmul_scaled, vadd, vdiv, update_bins};
#if defined(DSP_HAVE_AVX)
    if (__builtin_cpu_supports("avx"))
        k = (dsp_kernels){vmul_avx, vmul_scaled_avx, vadd_avx, vdiv_avx, update_bins_avx};
#endif
    return k;
}
