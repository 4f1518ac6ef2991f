/* chroma.c — chroma_stft: the piptrack tuning estimate, the chroma filterbank and the
 * max-normalised chroma (recipe 3.1). piptrack is reproduced in float32 operation by operation,
 * because its peaks and the tuning histogram are discrete. */
#include "features.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PIP_LO 14  /* first bin with f_k >= 150 Hz */
#define PIP_HI 371 /* last bin with f_k < 4000 Hz */
#define PIP_N (PIP_HI - PIP_LO + 1)

double feat_tuning(const float *P, int T, float *work, float *pitch, float *mag)
{
    /* ref: librosa.piptrack(S=P, sr=22050, n_fft=2048, fmin=150, fmax=4000, threshold=0.1) */
    float *pitches = work;                       /* (npk,) */
    float *mags = work + (size_t)T * PIP_N;      /* (npk,) */
    size_t npk = 0;
    if (pitch) memset(pitch, 0, sizeof *pitch * (size_t)T * FEAT_F);
    if (mag) memset(mag, 0, sizeof *mag * (size_t)T * FEAT_F);
    for (int t = 0; t < T; t++) {
        const float *p = P + (size_t)t * FEAT_F;
        float mx = p[0];
        for (int k = 1; k < FEAT_F; k++) mx = p[k] > mx ? p[k] : mx;
        float ref = 0.1f * mx; /* threshold * np.max(S, axis=0), float32 */
        for (int k = PIP_LO; k <= PIP_HI; k++) {
            /* util.localmax(S * (S > ref)): Z[k] > Z[k-1] and Z[k] >= Z[k+1] */
            float z = p[k] > ref ? p[k] : 0.0f;
            float zl = p[k - 1] > ref ? p[k - 1] : 0.0f;
            float zr = p[k + 1] > ref ? p[k + 1] : 0.0f;
            if (!(z > zl && z >= zr)) continue;
            float avg = 0.5f * (p[k + 1] - p[k - 1]);
            float den = 2.0f * p[k] - p[k + 1] - p[k - 1];
            float shift = avg / (den + (fabsf(den) < FEAT_TINY32 ? 1.0f : 0.0f));
            float dskew = 0.5f * avg * shift;
            float pt = (float)(((double)k + (double)shift) * (double)FEAT_SR / FEAT_NFFT);
            float mg = p[k] + dskew;
            if (pitch) pitch[(size_t)t * FEAT_F + k] = pt;
            if (mag) mag[(size_t)t * FEAT_F + k] = mg;
            if (pt > 0) {
                pitches[npk] = pt;
                mags[npk] = mg;
                npk++;
            }
        }
    }
    if (npk == 0) return 0.0; /* librosa warns "empty frequency set" and uses 0 */
    /* ref: estimate_tuning: threshold = np.median(mag[pitch > 0]) (float32 mean of the middle two) */
    /* the median selection reorders a copy held in the third part of work */
    float *cp = mags + (size_t)T * PIP_N;
    memcpy(cp, mags, sizeof *cp * npk);
    float thr;
    if (npk % 2) thr = feat_select_kth(cp, npk, npk / 2);
    else {
        float a = feat_select_kth(cp, npk, npk / 2 - 1);
        float b = feat_select_kth(cp, npk, npk / 2);
        thr = (a + b) / 2.0f;
    }
    /* ref: pitch_tuning(resolution=0.01, bins_per_octave=12): residuals of 12 log2(f / 27.5)
     * in float32, histogram over np.linspace(-0.5, 0.5, 101), left edge of the fullest bin. */
    int counts[100] = {0};
    size_t kept = 0;
    for (size_t i = 0; i < npk; i++) {
        if (!(mags[i] >= thr)) continue;
        float f = pitches[i];
        float octs = log2f(f / 27.5f);
        float x = 12.0f * octs;
        float r = fmodf(x, 1.0f);
        if (r != 0.0f) { if (r < 0) r += 1.0f; }
        else r = 0.0f;
        if (r >= 0.5f) r -= 1.0f;
        double rd = r;
        if (rd < -0.5 || rd > 0.5) continue;
        int b = (int)((rd - -0.5) * 100.0);
        if (b == 100) b--;
        if (b > 0 && rd < b * 0.01 + -0.5) b--;
        if (b < 99 && rd >= (b + 1) * 0.01 + -0.5) b++;
        counts[b]++;
        kept++;
    }
    if (kept == 0) return 0.0;
    int best = 0;
    for (int b = 1; b < 100; b++)
        if (counts[b] > counts[best]) best = b;
    return best * 0.01 + -0.5; /* np.linspace: i * step + start */
}

void feat_chroma_fb(float *fb, double tuning)
{
    /* ref: librosa.filters.chroma(22050, 2048, tuning, n_chroma=12, ctroct=5, octwidth=2,
     * norm=2, base_c=True), built in double over the full FFT length, cast to float32. */
    enum { N = FEAT_NFFT, C = FEAT_NCHROMA };
    double A440 = 440.0 * pow(2.0, tuning / C);
    double step = (double)FEAT_SR / N;
    double qq[FEAT_NFFT], bww[FEAT_NFFT];
    for (int j = 1; j < N; j++) qq[j] = C * log2((j * step) / (A440 / 16.0));
    qq[0] = qq[1] - 1.5 * C;
    for (int j = 0; j + 1 < N; j++) {
        double d = qq[j + 1] - qq[j];
        bww[j] = d > 1.0 ? d : 1.0;
    }
    bww[N - 1] = 1.0;
    for (int j = 0; j < FEAT_F; j++) {
        double norm = 0;
        double col[C];
        for (int c = 0; c < C; c++) {
            double D = fmod(qq[j] - c + 6.0 + 10.0 * C, (double)C);
            if (D < 0) D += C;
            D -= 6.0;
            double x = 2.0 * D / bww[j];
            col[c] = exp(-0.5 * (x * x));
            norm += col[c] * col[c];
        }
        norm = sqrt(norm);
        double g = (qq[j] / C - 5.0) / 2.0;
        double oct = exp(-0.5 * (g * g));
        /* np.roll(wts, -3, axis=0): output row c is chroma row (c + 3) mod 12 */
        for (int c = 0; c < C; c++) {
            double w = norm < 2.2250738585072014e-308 ? col[(c + 3) % C] : col[(c + 3) % C] / norm;
            fb[(size_t)c * FEAT_F + j] = (float)(w * oct);
        }
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* The same float sums as the portable loop below, 8 chroma rows per vector (mul then add, no
 * FMA, so the two paths agree bit for bit). */
__attribute__((target("avx"))) static void chroma_frame_avx(double *acc /* (16,) */,
                                                            const float *p, const float *fbt)
{
    for (int k0 = 0; k0 < FEAT_F; k0 += 64) {
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
        int k1 = AS_MIN(FEAT_F, k0 + 64);
        for (int k = k0; k < k1; k++) {
            __m256 v = _mm256_set1_ps(p[k]);
            a0 = _mm256_add_ps(a0, _mm256_mul_ps(_mm256_loadu_ps(fbt + 16 * k), v));
            a1 = _mm256_add_ps(a1, _mm256_mul_ps(_mm256_loadu_ps(fbt + 16 * k + 8), v));
        }
        float part[16];
        _mm256_storeu_ps(part, a0);
        _mm256_storeu_ps(part + 8, a1);
        for (int c = 0; c < 16; c++) acc[c] += part[c];
    }
}
#define FEAT_CHROMA_AVX 1
#endif

as_status feat_chroma(float *chroma, const float *P, const float *fb, int T)
{
    /* ref: chroma_stft: raw = fb . P (float32 product), then util.normalize(norm=inf, axis=0).
     * Float partial sums over blocks of 64 bins, added in double (closer to librosa's sgemm than
     * one long float sum). The filterbank is read transposed so the 12 sums vectorise. */
    enum { C = FEAT_NCHROMA, CP = 16 };
    float *fbt = malloc(sizeof *fbt * FEAT_F * CP);
    if (!fbt) return AS_ERR_NOMEM;
    for (int k = 0; k < FEAT_F; k++)
        for (int c = 0; c < CP; c++) fbt[k * CP + c] = c < C ? fb[(size_t)c * FEAT_F + k] : 0.0f;
#ifdef FEAT_CHROMA_AVX
    int avx = feat_simd(0);
#endif
    for (int t = 0; t < T; t++) {
        const float *p = P + (size_t)t * FEAT_F;
        double acc[CP] = {0};
#ifdef FEAT_CHROMA_AVX
        if (avx) chroma_frame_avx(acc, p, fbt);
        else
#endif
        for (int k0 = 0; k0 < FEAT_F; k0 += 64) {
            float part[CP] = {0};
            int k1 = AS_MIN(FEAT_F, k0 + 64);
            for (int k = k0; k < k1; k++) {
                float v = p[k];
                for (int c = 0; c < CP; c++) part[c] += fbt[k * CP + c] * v;
            }
            for (int c = 0; c < CP; c++) acc[c] += part[c];
        }
        float raw[C];
        float mx = 0;
        for (int c = 0; c < C; c++) {
            raw[c] = (float)acc[c];
            float a = fabsf(raw[c]);
            mx = a > mx ? a : mx;
        }
        float *o = chroma + (size_t)t * C;
        for (int c = 0; c < C; c++) o[c] = mx < FEAT_TINY32 ? raw[c] : raw[c] / mx;
    }
    free(fbt);
    return AS_OK;
}
