/* spectral.c — mel/MFCC, spectral centroid, bandwidth, rolloff, RMS and zero-crossing rate
 * (recipe 3.2-3.6, 3.8 step 2, 3.9). */
#include "features.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BIN_HZ ((double)FEAT_SR / FEAT_NFFT) /* 10.7666015625, exact */

void feat_mel_fb(float *fb, int *lo, int *hi)
{
    /* ref: librosa.filters.mel(22050, 2048, n_mels=128) 0.7.2, recipe 3.9 step 1: the dsp
     * module's filterbank (bit-identical to librosa's float32 weights), plus each band's
     * non-zero bin range for the sparse product in feat_mel_db. */
    as_mel_filterbank(fb, FEAT_SR, FEAT_NFFT, FEAT_NMELS, 0.0, 0.0);
    for (int i = 0; i < FEAT_NMELS; i++) {
        lo[i] = FEAT_F;
        hi[i] = 0;
        for (int k = 0; k < FEAT_F; k++)
            if (fb[(size_t)i * FEAT_F + k] != 0.0f) {
                if (k < lo[i]) lo[i] = k;
                hi[i] = k + 1;
            }
        if (hi[i] == 0) lo[i] = 0;
    }
}

void feat_mel_db(float *Mdb, const float *P, int T, const float *fb, const int *lo, const int *hi)
{
    /* ref: power_to_db(melspectrogram(y)): M = fb . P (float32), 10 log10(max(1e-10, M)),
     * floored at max - 80 over the whole array. */
    float mx = -INFINITY;
    for (int t = 0; t < T; t++) {
        const float *p = P + (size_t)t * FEAT_F;
        float *o = Mdb + (size_t)t * FEAT_NMELS;
        for (int m = 0; m < FEAT_NMELS; m++) {
            const float *w = fb + (size_t)m * FEAT_F;
            double acc = 0;
            for (int k = lo[m]; k < hi[m]; k++) acc += (double)w[k] * p[k];
            float v = (float)acc;
            v = v > 1e-10f ? v : 1e-10f;
            float d = 10.0f * log10f(v); /* numpy: float32 log10, then a float32 product */
            o[m] = d;
            mx = d > mx ? d : mx;
        }
    }
    float floor_db = (float)((double)mx - 80.0);
    size_t n = (size_t)T * FEAT_NMELS;
    for (size_t i = 0; i < n; i++) Mdb[i] = Mdb[i] > floor_db ? Mdb[i] : floor_db;
}

void feat_dct_matrix(double *D)
{
    /* ref: scipy.fftpack.dct(type=2, norm='ortho') along the 128 mel bands, first 20 rows. */
    for (int q = 0; q < FEAT_NMFCC; q++) {
        double a = q == 0 ? sqrt(1.0 / FEAT_NMELS) : sqrt(2.0 / FEAT_NMELS);
        for (int m = 0; m < FEAT_NMELS; m++)
            D[q * FEAT_NMELS + m] = a * cos(M_PI * q * (2 * m + 1) / (2.0 * FEAT_NMELS));
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* 20 coefficients of one frame, the 20 sums side by side (4 per vector), each summed over the
 * 128 bands in order with mul then add: bit-identical to the scalar loop. Dt is (128, 20). */
__attribute__((target("avx"))) static void mfcc_frame_avx(double *out, const float *x,
                                                          const double *Dt)
{
    __m256d a[5];
    for (int v = 0; v < 5; v++) a[v] = _mm256_setzero_pd();
    for (int m = 0; m < FEAT_NMELS; m++) {
        __m256d xm = _mm256_set1_pd((double)x[m]);
        for (int v = 0; v < 5; v++)
            a[v] = _mm256_add_pd(a[v], _mm256_mul_pd(_mm256_loadu_pd(Dt + m * FEAT_NMFCC + 4 * v), xm));
    }
    for (int v = 0; v < 5; v++) _mm256_storeu_pd(out + 4 * v, a[v]);
}
#define FEAT_MFCC_AVX 1
#endif

void feat_mfcc(double *mfcc, const float *Mdb, int T, const double *D)
{
    double Dt[FEAT_NMELS * FEAT_NMFCC]; /* (128, 20) */
    for (int q = 0; q < FEAT_NMFCC; q++)
        for (int m = 0; m < FEAT_NMELS; m++) Dt[m * FEAT_NMFCC + q] = D[q * FEAT_NMELS + m];
#ifdef FEAT_MFCC_AVX
    if (feat_simd(0)) {
        for (int t = 0; t < T; t++)
            mfcc_frame_avx(mfcc + (size_t)t * FEAT_NMFCC, Mdb + (size_t)t * FEAT_NMELS, Dt);
        return;
    }
#endif
    for (int t = 0; t < T; t++) {
        const float *x = Mdb + (size_t)t * FEAT_NMELS;
        double acc[FEAT_NMFCC] = {0};
        for (int m = 0; m < FEAT_NMELS; m++) {
            double xm = x[m];
            for (int q = 0; q < FEAT_NMFCC; q++) acc[q] += Dt[m * FEAT_NMFCC + q] * xm;
        }
        for (int q = 0; q < FEAT_NMFCC; q++) mfcc[(size_t)t * FEAT_NMFCC + q] = acc[q];
    }
}

/* Two frames at a time: the float32 cumulative sum is a chain of dependent adds (it must stay
 * sequential to match numpy), so two independent chains hide each other's latency. */
void feat_spectral(double *centroid, double *bandwidth, double *rolloff, const float *S, int T)
{
    float cum[2][FEAT_F];
    for (int t0 = 0; t0 < T; t0 += 2) {
        int nf = AS_MIN(2, T - t0);
        const float *s0 = S + (size_t)t0 * FEAT_F;
        const float *s1 = nf == 2 ? s0 + FEAT_F : s0;
        /* ref: spectral_centroid: normalize(S, norm=1) (columns with sum < tiny stay as they
         * are), sum_k f_k Sn[k]; f_k = linspace(0, 11025, 1025). np.cumsum(S) in float32. */
        double sum0 = 0, sum1 = 0, m10 = 0, m11 = 0;
        float c0 = 0, c1 = 0;
        for (int k = 0; k < FEAT_F; k++) {
            double fk = k * BIN_HZ;
            c0 += s0[k];
            c1 += s1[k];
            cum[0][k] = c0;
            cum[1][k] = c1;
            sum0 += s0[k];
            sum1 += s1[k];
            m10 += fk * s0[k];
            m11 += fk * s1[k];
        }
        double sums[2] = {sum0, sum1}, m1s[2] = {m10, m11};
        for (int q = 0; q < nf; q++) {
            const float *s = q ? s1 : s0;
            double norm = sums[q] < FEAT_TINY32 ? 1.0 : sums[q];
            double c = m1s[q] / norm;
            /* ref: spectral_bandwidth(p=2, norm=True): sqrt(sum_k Sn[k] (f_k - centroid)^2) */
            double m2a = 0, m2b = 0;
            int k = 0;
            for (; k + 1 < FEAT_F; k += 2) {
                double d0 = k * BIN_HZ - c, d1 = (k + 1) * BIN_HZ - c;
                m2a += s[k] * (d0 * d0);
                m2b += s[k + 1] * (d1 * d1);
            }
            for (; k < FEAT_F; k++) {
                double d = k * BIN_HZ - c;
                m2a += s[k] * (d * d);
            }
            centroid[t0 + q] = c;
            bandwidth[t0 + q] = sqrt((m2a + m2b) / norm);
            /* ref: spectral_rolloff(roll_percent=0.85): the first bin whose float32 cumulative
             * sum reaches float32(0.85) * total; the cumulative sum never decreases, so a
             * binary search finds it. */
            const float *cs = cum[q];
            float thr = 0.85f * cs[FEAT_F - 1];
            int lo = 0, hi = FEAT_F - 1;
            while (lo < hi) {
                int mid = (lo + hi) / 2;
                if (cs[mid] >= thr) hi = mid;
                else lo = mid + 1;
            }
            rolloff[t0 + q] = lo * BIN_HZ;
        }
    }
}

/* Reflect index (numpy 'reflect': edge not repeated), valid for |overhang| < n. */
static int64_t reflect_idx(int64_t i, int64_t n)
{
    if (n == 1) return 0;
    int64_t p = 2 * (n - 1);
    int64_t m = i % p;
    if (m < 0) m += p;
    return m < n ? m : p - m;
}

as_status feat_rms(double *rms, const float *y, int64_t n, int T)
{
    /* ref: librosa.feature.rms(y): reflect pad 1024, frames of 2048 hop 512,
     * sqrt(mean(x^2)). Block sums of squares of 512 padded samples; frame t = blocks t..t+3. */
    int nb = T + 3;
    double *blk = malloc(sizeof *blk * (size_t)nb);
    if (!blk) return AS_ERR_NOMEM;
    for (int b = 0; b < nb; b++) {
        double acc = 0;
        for (int j = 0; j < FEAT_HOP; j++) {
            int64_t i = (int64_t)b * FEAT_HOP + j - FEAT_NFFT / 2;
            float v = (i >= 0 && i < n) ? y[i] : y[reflect_idx(i, n)];
            acc += (double)v * v;
        }
        blk[b] = acc;
    }
    for (int t = 0; t < T; t++)
        rms[t] = sqrt((blk[t] + blk[t + 1] + blk[t + 2] + blk[t + 3]) / FEAT_NFFT);
    free(blk);
    return AS_OK;
}

/* sign bit after zeroing |x| <= 1e-10, of padded sample i (edge padding) */
static inline int zsign(const float *y, int64_t n, int64_t i)
{
    int64_t j = i - FEAT_NFFT / 2;
    float v = y[j < 0 ? 0 : (j >= n ? n - 1 : j)];
    return fabsf(v) <= 1e-10f ? 0 : (signbit(v) ? 1 : 0);
}

as_status feat_zcr(double *zcr, const float *y, int64_t n, int T)
{
    /* ref: librosa.feature.zero_crossing_rate(y): edge pad 1024, frames 2048 hop 512,
     * |x| <= 1e-10 -> 0, signbit, crossings between consecutive samples of a frame, / 2048.
     * A crossing "at" padded position p is sign(p) != sign(p - 1); frame t counts positions
     * 512t + 1 .. 512t + 2047. blk[b] counts positions 512b + 1 .. 512b + 512, so frame t is
     * blk[t..t+3] minus the crossing at 512t + 2048. */
    int nb = T + 3;
    int *blk = malloc(sizeof *blk * (size_t)nb);
    if (!blk) return AS_ERR_NOMEM;
    for (int b = 0; b < nb; b++) {
        int64_t p0 = (int64_t)b * FEAT_HOP + 1; /* positions p0 .. p0 + 511 */
        int64_t j0 = p0 - 1 - FEAT_NFFT / 2;    /* sample of position p0 - 1 */
        int c = 0;
        if (j0 >= 0 && j0 + FEAT_HOP < n) {
            /* interior: s = (x < -1e-10) equals "signbit after zeroing |x| <= 1e-10" */
            const float *x = y + j0;
            for (int q = 1; q <= FEAT_HOP; q++) c += (x[q] < -1e-10f) != (x[q - 1] < -1e-10f);
        } else {
            int prev = zsign(y, n, p0 - 1);
            for (int64_t p = p0; p < p0 + FEAT_HOP; p++) {
                int sg = zsign(y, n, p);
                c += sg != prev;
                prev = sg;
            }
        }
        blk[b] = c;
    }
    for (int t = 0; t < T; t++) {
        int64_t e = (int64_t)t * FEAT_HOP + FEAT_NFFT;
        int c = blk[t] + blk[t + 1] + blk[t + 2] + blk[t + 3] - (zsign(y, n, e) != zsign(y, n, e - 1));
        zcr[t] = c / (double)FEAT_NFFT;
    }
    free(blk);
    return AS_OK;
}
