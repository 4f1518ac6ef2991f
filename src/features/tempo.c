/* tempo.c — beat_track's tempo: median-aggregated onset strength, an 8-s autocorrelation
 * tempogram and a log-normal prior around 120 BPM (recipe 3.8). */
#include "features.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define AC_FFT 1024 /* >= 2 * 344 - 1: linear autocorrelation without wrap-around */

float feat_select_kth(float *v, size_t n, size_t k)
{
    /* Hoare-partition quickselect; insertion sort once the range is small. */
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
    while (hi - lo > 8) {
        float p = v[lo + (hi - lo) / 2];
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < p) i++;
            while (v[j] > p) j--;
            if (i <= j) {
                float t = v[i]; v[i] = v[j]; v[j] = t;
                i++;
                j--;
            }
        }
        if (kk <= j) hi = j;
        else if (kk >= i) lo = i;
        else return v[kk];
    }
    for (ptrdiff_t i = lo + 1; i <= hi; i++) {
        float x = v[i];
        ptrdiff_t j = i;
        while (j > lo && v[j - 1] > x) { v[j] = v[j - 1]; j--; }
        v[j] = x;
    }
    return v[kk];
}

void feat_onset_env(float *env, const float *Mdb, int T, float *work)
{
    /* ref: onset_strength(y, aggregate=np.median): lag 1, max_size 1, centre shift
     * 1 + n_fft / (2 hop) = 3 frames, trimmed to T. */
    for (int t = 0; t < T && t < 3; t++) env[t] = 0;
    for (int t = 3; t < T; t++) {
        const float *a = Mdb + (size_t)(t - 3) * FEAT_NMELS, *b = a + FEAT_NMELS;
        for (int m = 0; m < FEAT_NMELS; m++) {
            float d = b[m] - a[m];
            work[m] = d > 0.0f ? d : 0.0f;
        }
        /* np.median of 128 values: mean (float32) of the 64th and 65th smallest */
        float hi = feat_select_kth(work, FEAT_NMELS, FEAT_NMELS / 2);
        float lo = work[0]; /* after selection, work[0 .. 63] are the 64 smallest */
        for (int m = 1; m < FEAT_NMELS / 2; m++) lo = work[m] > lo ? work[m] : lo;
        env[t] = (lo + hi) / 2.0f;
    }
}

struct feat_tempo_ws {
    double re[AC_FFT], im[AC_FFT]; /* complex FFT workspace (two real frames at once) */
    double wr[AC_FFT / 2], wi[AC_FFT / 2]; /* twiddles e^{-2 pi i k / N} */
    double sr[AC_FFT], si[AC_FFT];  /* per stage: the stage with half-size h uses [h, 2h) */
    int rev[AC_FFT];                /* bit reversal */
    double h[FEAT_AC];              /* periodic Hann of 344 */
    double cosx[AC_FFT];            /* cos(2 pi i / AC_FFT) */
    float *pad;                     /* grown: T + 344 */
    size_t pad_cap;
};

feat_tempo_ws *feat_tempo_create(void)
{
    feat_tempo_ws *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    for (int n = 0; n < FEAT_AC; n++) w->h[n] = 0.5 - 0.5 * cos(2.0 * M_PI * n / FEAT_AC);
    for (int i = 0; i < AC_FFT; i++) w->cosx[i] = cos(2.0 * M_PI * i / AC_FFT);
    for (int k = 0; k < AC_FFT / 2; k++) {
        w->wr[k] = cos(2.0 * M_PI * k / AC_FFT);
        w->wi[k] = -sin(2.0 * M_PI * k / AC_FFT);
    }
    for (int h = 1; h < AC_FFT; h <<= 1)
        for (int j = 0; j < h; j++) {
            w->sr[h + j] = w->wr[j * (AC_FFT / (2 * h))];
            w->si[h + j] = w->wi[j * (AC_FFT / (2 * h))];
        }
    int bits = 0;
    while ((1 << bits) < AC_FFT) bits++;
    for (int i = 0; i < AC_FFT; i++) {
        int r = 0;
        for (int b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
        w->rev[i] = r;
    }
    return w;
}

void feat_tempo_destroy(feat_tempo_ws *w)
{
    if (!w) return;
    free(w->pad);
    free(w);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* Stages with half-size >= 4, four butterflies per vector; the same operations in the same
 * order as the scalar stage loop (mul then add/sub, no FMA): bit-identical. */
__attribute__((target("avx"))) static void fft_stages_avx(feat_tempo_ws *w, int h0)
{
    double *re = w->re, *im = w->im;
    for (int half = h0; half < AC_FFT; half <<= 1) {
        const double *cr = w->sr + half, *ci = w->si + half;
        for (int i = 0; i < AC_FFT; i += 2 * half)
            for (int j = 0; j < half; j += 4) {
                int a = i + j, b = a + half;
                __m256d c_r = _mm256_loadu_pd(cr + j), c_i = _mm256_loadu_pd(ci + j);
                __m256d br = _mm256_loadu_pd(re + b), bi = _mm256_loadu_pd(im + b);
                __m256d ar = _mm256_loadu_pd(re + a), ai = _mm256_loadu_pd(im + a);
                __m256d xr = _mm256_sub_pd(_mm256_mul_pd(br, c_r), _mm256_mul_pd(bi, c_i));
                __m256d xi = _mm256_add_pd(_mm256_mul_pd(br, c_i), _mm256_mul_pd(bi, c_r));
                _mm256_storeu_pd(re + b, _mm256_sub_pd(ar, xr));
                _mm256_storeu_pd(im + b, _mm256_sub_pd(ai, xi));
                _mm256_storeu_pd(re + a, _mm256_add_pd(ar, xr));
                _mm256_storeu_pd(im + a, _mm256_add_pd(ai, xi));
            }
    }
}
#define FEAT_FFT_AVX 1
#endif

/* In-place iterative radix-2 complex FFT in double (the tempogram needs double: librosa's
 * autocorrelation is float64, and log1p(1e6 g) magnifies float32 round-off on small lags). */
static void fft_double(feat_tempo_ws *w)
{
    double *re = w->re, *im = w->im;
    for (int i = 0; i < AC_FFT; i++) {
        int j = w->rev[i];
        if (j > i) {
            double t = re[i]; re[i] = re[j]; re[j] = t;
            t = im[i]; im[i] = im[j]; im[j] = t;
        }
    }
    int half = 1;
#ifdef FEAT_FFT_AVX
    int avx = feat_simd(0);
#endif
    for (; half < AC_FFT; half <<= 1) {
#ifdef FEAT_FFT_AVX
        if (avx && half >= 4) {
            fft_stages_avx(w, half);
            return;
        }
#endif
        const double *cr = w->sr + half, *ci = w->si + half;
        for (int i = 0; i < AC_FFT; i += 2 * half)
            for (int j = 0; j < half; j++) {
                int a = i + j, b = a + half;
                double xr = re[b] * cr[j] - im[b] * ci[j], xi = re[b] * ci[j] + im[b] * cr[j];
                re[b] = re[a] - xr;
                im[b] = im[a] - xi;
                re[a] += xr;
                im[a] += xi;
            }
    }
}

double feat_tempo(feat_tempo_ws *w, const float *env, int T, double *tg_mean, double *score)
{
    enum { W = FEAT_AC, H = FEAT_AC / 2, NB = AC_FFT / 2 + 1 };
    int any = 0;
    for (int t = 0; t < T; t++) any |= env[t] != 0.0f;
    if (tg_mean) memset(tg_mean, 0, sizeof *tg_mean * W);
    if (score) for (int l = 0; l < W; l++) score[l] = -INFINITY;
    if (!any) return 0.0; /* ref: beat_track returns tempo 0 for an all-zero envelope */

    size_t need = (size_t)T + W;
    if (need > w->pad_cap) {
        float *p = realloc(w->pad, sizeof *p * need);
        if (!p) return -1.0;
        w->pad = p;
        w->pad_cap = need;
    }
    /* ref: np.pad(env, 172, mode='linear_ramp', end_values=0), ramps built in float64 and
     * cast to float32 */
    float *pad = w->pad;
    double s0 = env[0] / (double)H, s1 = env[T - 1] / (double)H;
    for (int i = 0; i < H; i++) {
        pad[i] = (float)(i * s0);
        pad[H + T + i] = (float)((H - 1 - i) * s1);
    }
    memcpy(pad + H, env, sizeof *env * (size_t)T);

    /* ref: tempogram(win_length=344, norm=inf) averaged over frames. Each frame's
     * autocorrelation is normalised by its lag-0 value (its maximum), and the inverse FFT is
     * linear, so the frame average is one inverse transform of the averaged power spectra. */
    double acc[NB];
    memset(acc, 0, sizeof acc);
    /* two real frames per complex FFT: z = x1 + i x2, |X1_k|^2 = |z_k + conj z_{N-k}|^2 / 4,
     * |X2_k|^2 = |z_k - conj z_{N-k}|^2 / 4 */
    for (int t = 0; t < T; t += 2) {
        double e[2] = {0, 0};
        memset(w->re, 0, sizeof w->re);
        memset(w->im, 0, sizeof w->im);
        for (int q = 0; q < 2 && t + q < T; q++) {
            double *dst = q ? w->im : w->re;
            for (int n = 0; n < W; n++) {
                double x = pad[t + q + n] * w->h[n];
                dst[n] = x;
                e[q] += x * x;
            }
        }
        if (e[0] < 2.2250738585072014e-308 && e[1] < 2.2250738585072014e-308) continue;
        fft_double(w);
        /* a frame's autocorrelation a[l] = (1/N) sum_k |X_k|^2 cos(2 pi k l / N), a[0] = e;
         * all-zero frames stay zero (librosa's normalize leaves them) */
        double i0 = e[0] >= 2.2250738585072014e-308 ? 0.25 / e[0] : 0;
        double i1 = e[1] >= 2.2250738585072014e-308 ? 0.25 / e[1] : 0;
        for (int k = 0; k < NB; k++) {
            int kk = (AC_FFT - k) & (AC_FFT - 1);
            double ar = w->re[k], ai = w->im[k], br = w->re[kk], bi = -w->im[kk];
            double p1 = (ar + br) * (ar + br) + (ai + bi) * (ai + bi);
            double p2 = (ar - br) * (ar - br) + (ai - bi) * (ai - bi);
            acc[k] += p1 * i0 + p2 * i1;
        }
    }
    double g[W];
    for (int l = 0; l < W; l++) {
        double s = acc[0] + ((l & 1) ? -acc[NB - 1] : acc[NB - 1]);
        for (int k = 1; k < NB - 1; k++) s += 2.0 * acc[k] * w->cosx[(k * l) & (AC_FFT - 1)];
        g[l] = s / AC_FFT / T;
    }
    if (tg_mean) memcpy(tg_mean, g, sizeof g);

    /* ref: librosa.beat.tempo: bpms = 60 sr / (hop * l), log-normal prior (start 120, std 1),
     * max_tempo 320 kills lags < 9, argmax of log1p(1e6 g) + prior (first on ties). */
    int best = -1;
    double best_s = -INFINITY;
    for (int l = 1; l < W; l++) {
        double bpm = 60.0 * FEAT_SR / ((double)FEAT_HOP * l);
        double sc;
        if (l < 9) sc = -INFINITY;
        else {
            double x = (log2(bpm) - log2(120.0)) / 1.0;
            sc = log1p(1e6 * g[l]) + -0.5 * (x * x);
        }
        if (score) score[l] = sc;
        if (best < 0 || sc > best_s) { best = l; best_s = sc; }
    }
    return 60.0 * FEAT_SR / ((double)FEAT_HOP * best);
}
