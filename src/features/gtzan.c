/* gtzan.c — the 57 GTZAN features of the Kaggle CSV (librosa 0.7.2), computed from ONE shared
 * STFT (librosa recomputes it seven times). Recipe: shared/docs/gtzan-features-recipe.md.
 *
 * Flow for a signal y of n samples (T = 1 + n / 512 frames, frame-major arrays):
 *   STFT X (T,F,2) -> S = |X|, P = S^2 (float32, as librosa stores them)
 *   P -> mel dB (T,128) -> MFCC (T,20);  mel dB -> onset envelope -> tempo
 *   P -> piptrack tuning -> chroma filterbank -> chroma (T,12)
 *   S -> centroid, bandwidth, rolloff;  y -> rms, zcr
 *   S -> median filters (time, freq) -> soft masks -> istft(X mask_H), istft(X mask_P)
 * Statistics are mean and population variance in double; the columns librosa produces as
 * float32 arrays (chroma, rms, harmony, perceptr, mfcc) are rounded to float32 at the end, as
 * in the CSV. */
#include "features.h"
#include "dsp/dsp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const columns[AS_FEATURES_COUNT] = {
    "chroma_stft_mean", "chroma_stft_var", "rms_mean", "rms_var", "spectral_centroid_mean",
    "spectral_centroid_var", "spectral_bandwidth_mean", "spectral_bandwidth_var", "rolloff_mean",
    "rolloff_var", "zero_crossing_rate_mean", "zero_crossing_rate_var", "harmony_mean",
    "harmony_var", "perceptr_mean", "perceptr_var", "tempo",
    "mfcc1_mean", "mfcc1_var", "mfcc2_mean", "mfcc2_var", "mfcc3_mean", "mfcc3_var",
    "mfcc4_mean", "mfcc4_var", "mfcc5_mean", "mfcc5_var", "mfcc6_mean", "mfcc6_var",
    "mfcc7_mean", "mfcc7_var", "mfcc8_mean", "mfcc8_var", "mfcc9_mean", "mfcc9_var",
    "mfcc10_mean", "mfcc10_var", "mfcc11_mean", "mfcc11_var", "mfcc12_mean", "mfcc12_var",
    "mfcc13_mean", "mfcc13_var", "mfcc14_mean", "mfcc14_var", "mfcc15_mean", "mfcc15_var",
    "mfcc16_mean", "mfcc16_var", "mfcc17_mean", "mfcc17_var", "mfcc18_mean", "mfcc18_var",
    "mfcc19_mean", "mfcc19_var", "mfcc20_mean", "mfcc20_var",
};

const char *const feat_stage_names[FEAT_T_COUNT] = {
    "stft", "mel+mfcc", "tempo", "chroma", "centroid/bandwidth/rolloff", "rms+zcr",
    "hpss median filters", "hpss masks+istft", "statistics",
};

int as_features_count(void) { return AS_FEATURES_COUNT; }

const char *as_features_column(int i)
{
    return (i >= 0 && i < AS_FEATURES_COUNT) ? columns[i] : NULL;
}

int64_t as_features_segments(int64_t n, int seconds, int64_t *hop, int64_t *len)
{
    int64_t h = (int64_t)seconds * AS_SR, l = h - 1;
    if (hop) *hop = h;
    if (len) *len = l;
    if (seconds <= 0 || n < l) return 0;
    return (n - l) / h + 1;
}

struct as_features {
    as_stft *stft;
    feat_tempo_ws *tempo;
    float mel_fb[FEAT_NMELS * FEAT_F]; /* (128, F) */
    int mel_lo[FEAT_NMELS], mel_hi[FEAT_NMELS];
    double dct[FEAT_NMFCC * FEAT_NMELS]; /* (20, 128) */
    float chroma_fb[FEAT_NCHROMA * FEAT_F]; /* (12, F), per signal (depends on tuning) */
    float mel_work[FEAT_NMELS];
    /* per-signal buffers, grown on demand */
    int cap_T;
    int64_t cap_n;
    float *X;           /* (T, F, 2) */
    float *S, *P;       /* (T, F) */
    float *H, *Q;       /* (T, F): median filtered, then masks in place */
    float *Mdb;         /* (T, 128) */
    float *chroma;      /* (T, 12) */
    float *pip;         /* (3 * T * 358) piptrack work */
    float *env;         /* (T,) */
    double *mfcc;       /* (T, 20) */
    double *cent, *bw, *roll, *rms, *zcr; /* (T,) each */
    float *harm, *perc; /* (n,) */
    float *ola_h;       /* (n + 2048,) overlap-add buffer of the harmonic istft */
    float *rb;          /* (2048,) FFTW-aligned frame buffer */
    fftwf_complex *cb;  /* (F,) */
    int timing;
    double ms[FEAT_T_COUNT];
};

/* Stage timing uses this thread's CPU time: the build machine is shared, wall time is noisy. */
static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

void feat_timing(as_features *f, int on, double *ms)
{
    if (ms) memcpy(ms, f->ms, sizeof f->ms);
    f->timing = on;
    memset(f->ms, 0, sizeof f->ms);
}

static void free_buffers(as_features *f)
{
    dsp_free(f->X);
    free(f->S);
    free(f->P);
    free(f->H);
    free(f->Q);
    free(f->Mdb);
    free(f->chroma);
    free(f->pip);
    free(f->env);
    free(f->mfcc);
    free(f->cent);
    free(f->bw);
    free(f->roll);
    free(f->rms);
    free(f->zcr);
    free(f->harm);
    free(f->perc);
    free(f->ola_h);
}

as_features *as_features_create(as_status *status)
{
    as_status st = AS_ERR_NOMEM;
    as_features *f = calloc(1, sizeof *f);
    if (!f) goto fail;
    f->stft = as_stft_create(FEAT_NFFT, FEAT_HOP, &st);
    if (!f->stft) goto fail;
    st = AS_ERR_NOMEM;
    f->tempo = feat_tempo_create();
    f->rb = dsp_alloc(sizeof(float) * FEAT_NFFT);
    f->cb = dsp_alloc(sizeof(fftwf_complex) * FEAT_F);
    if (!f->tempo || !f->rb || !f->cb) goto fail;
    feat_mel_fb(f->mel_fb, f->mel_lo, f->mel_hi);
    feat_dct_matrix(f->dct);
    if (status) *status = AS_OK;
    return f;
fail:
    as_features_destroy(f);
    if (status) *status = st;
    return NULL;
}

void as_features_destroy(as_features *f)
{
    if (!f) return;
    as_stft_destroy(f->stft);
    feat_tempo_destroy(f->tempo);
    dsp_free(f->rb);
    dsp_free(f->cb);
    free_buffers(f);
    free(f);
}

#define GROW(p, n) (tmp = realloc((p), sizeof *(p) * (size_t)(n)), tmp ? ((p) = tmp, 0) : -1)

static as_status reserve(as_features *f, int T, int64_t n)
{
    void *tmp;
    if (T > f->cap_T) {
        size_t TF = (size_t)T * FEAT_F;
        dsp_free(f->X);
        f->X = dsp_alloc(sizeof(float) * 2 * TF);
        f->cap_T = 0;
        if (!f->X) return AS_ERR_NOMEM;
        if (GROW(f->S, TF) || GROW(f->P, TF) || GROW(f->H, TF) || GROW(f->Q, TF) ||
            GROW(f->Mdb, (size_t)T * FEAT_NMELS) || GROW(f->chroma, (size_t)T * FEAT_NCHROMA) ||
            GROW(f->pip, (size_t)T * 3 * 358) || GROW(f->env, T) ||
            GROW(f->mfcc, (size_t)T * FEAT_NMFCC) || GROW(f->cent, T) || GROW(f->bw, T) ||
            GROW(f->roll, T) || GROW(f->rms, T) || GROW(f->zcr, T))
            return AS_ERR_NOMEM;
        f->cap_T = T;
    }
    if (n > f->cap_n) {
        f->cap_n = 0;
        if (GROW(f->harm, n) || GROW(f->perc, n) || GROW(f->ola_h, n + FEAT_NFFT))
            return AS_ERR_NOMEM;
        f->cap_n = n;
    }
    return AS_OK;
}

/* S = |x| rounded once from double (np.abs of complex64 is a correctly rounded hypot in
 * practice), P = S * S in float32. */
static void magnitudes_scalar(float *S, float *P, const float *x, int i0, int n)
{
    for (int k = i0; k < n; k++) {
        double re = x[2 * k], im = x[2 * k + 1];
        float m = (float)sqrt(re * re + im * im);
        S[k] = m;
        P[k] = m * m;
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
__attribute__((target("avx2"))) static int magnitudes_avx(float *S, float *P, const float *x, int n)
{
    int k = 0;
    for (; k + 4 <= n; k += 4) {
        __m256d a = _mm256_cvtps_pd(_mm_loadu_ps(x + 2 * k));     /* re0 im0 re1 im1 */
        __m256d b = _mm256_cvtps_pd(_mm_loadu_ps(x + 2 * k + 4)); /* re2 im2 re3 im3 */
        a = _mm256_mul_pd(a, a);
        b = _mm256_mul_pd(b, b);
        __m256d s = _mm256_hadd_pd(a, b); /* |x0|^2 |x2|^2 |x1|^2 |x3|^2 */
        s = _mm256_permute4x64_pd(s, 0xD8);
        __m128 m = _mm256_cvtpd_ps(_mm256_sqrt_pd(s));
        _mm_storeu_ps(S + k, m);
        _mm_storeu_ps(P + k, _mm_mul_ps(m, m));
    }
    return k;
}
#define FEAT_MAG_AVX 1
#endif

static void magnitudes(float *S, float *P, const float *x, int n)
{
    int k = 0;
#ifdef FEAT_MAG_AVX
    if (feat_simd(1)) k = magnitudes_avx(S, P, x, n);
#endif
    magnitudes_scalar(S, P, x, k, n);
}

as_status feat_stft(as_features *f, const float *y, int64_t n, float *X, float *S, float *P)
{
    /* ref: librosa.stft(y, 2048, 512, center=True, pad_mode='reflect') (recipe 2): frame t is
     * ypad[512 t .. 512 t + 2047] with ypad[1024 - j] = y[j], ypad[1024 + n - 1 + j] = y[n - 1 - j];
     * S = np.abs(X) and P = S**2 in float32. One pass per frame: window, r2c, magnitudes. */
    if (n <= FEAT_NFFT / 2) return AS_ERR_ARG;
    const float *w = f->stft->window;
    int T = (int)(n / FEAT_HOP + 1);
    for (int t = 0; t < T; t++) {
        int64_t start = (int64_t)t * FEAT_HOP - FEAT_NFFT / 2;
        if (start >= 0 && start + FEAT_NFFT <= n) {
            const float *src = y + start;
            for (int j = 0; j < FEAT_NFFT; j++) f->rb[j] = src[j] * w[j];
        } else {
            for (int j = 0; j < FEAT_NFFT; j++) {
                int64_t i = start + j;
                if (i < 0) i = -i;
                else if (i >= n) i = 2 * (n - 1) - i;
                f->rb[j] = y[i] * w[j];
            }
        }
        fftwf_execute_dft_r2c(f->stft->r2c, f->rb, f->cb);
        float *x = X + (size_t)t * FEAT_F * 2;
        memcpy(x, f->cb, sizeof(float) * 2 * FEAT_F);
        magnitudes(S + (size_t)t * FEAT_F, P + (size_t)t * FEAT_F, x, FEAT_F);
    }
    return AS_OK;
}

/* Harmonic and percussive signals from the median-filtered magnitudes H, Q (T, F): masks, then
 * librosa's istft without length (window-sum normalised overlap-add, 1024 samples dropped at
 * each end: hop (T - 1) samples), then fix_length to n with zeros. ref: recipe 3.7 steps 3-6.
 * Only the harmonic part goes through an inverse FFT: the istft is linear and mask_P = 1 - mask_H
 * (to float32 round-off), so percussive = istft(X) - harmonic = y - harmonic on the kept samples
 * (istft(stft(y)) = y to 1e-7). That saves 1293 inverse FFTs per 30 s; the difference from a
 * second istft is ~1e-7 of the signal, far inside the feature tolerances (tests compare the
 * percussive signal with librosa's). */
static void hpss_signals(as_features *f, const float *y, const float *X, const float *H,
                         const float *Q, int T, int64_t n, float *harm, float *perc)
{
    const float *w = f->stft->window;
    const double *wsq = f->stft->window_sq;
    const int64_t L = FEAT_NFFT + (int64_t)FEAT_HOP * (T - 1);
    const float inv_n = 1.0f / FEAT_NFFT;
    float mh[FEAT_F], mp[FEAT_F];
    memset(f->ola_h, 0, sizeof(float) * (size_t)L);
    for (int t = 0; t < T; t++) {
        const float *x = X + (size_t)t * FEAT_F * 2;
        feat_hpss_masks(mh, mp, H + (size_t)t * FEAT_F, Q + (size_t)t * FEAT_F, FEAT_F);
        for (int k = 0; k < FEAT_F; k++) {
            f->cb[k][0] = x[2 * k] * mh[k];
            f->cb[k][1] = x[2 * k + 1] * mh[k];
        }
        /* irfft ignores the imaginary parts of DC and Nyquist */
        f->cb[0][1] = f->cb[FEAT_F - 1][1] = 0.0f;
        fftwf_execute_dft_c2r(f->stft->c2r, f->cb, f->rb);
        float *oh = f->ola_h + (size_t)t * FEAT_HOP;
        for (int j = 0; j < FEAT_NFFT; j++) oh[j] += w[j] * (f->rb[j] * inv_n);
    }
    /* window sum of squares (librosa window_sumsquare: float32 sums of float64 squares, frame
     * order) for the kept samples i = 1024 .. 1024 + hop (T - 1) - 1 of the padded axis; it is
     * 512-periodic away from the ends, so the periodic part is computed once */
    int64_t keep = (int64_t)FEAT_HOP * (T - 1);
    /* wss of padded position i, generic (ends) and 512-periodic (where 4 frames overlap) */
    float per[FEAT_HOP];
    for (int r = 0; r < FEAT_HOP; r++) {
        float w4 = 0;
        for (int q = FEAT_NFFT / FEAT_HOP - 1; q >= 0; q--) w4 = (float)((double)w4 + wsq[r + q * FEAT_HOP]);
        per[r] = w4;
    }
    /* kept sample m is padded position i = m + 1024; all four frames overlap it when
     * 2048 <= i < 512 (T - 1) + 512, i.e. 1024 <= m < keep - 512 */
    int64_t m0 = AS_MIN((int64_t)FEAT_NFFT / 2, keep), m1 = AS_MAX(m0, keep - FEAT_HOP);
    for (int64_t m = 0; m < keep; m++) {
        if (m == m0 && m1 > m0) {
            /* interior: whole periods, a loop the compiler can vectorise */
            for (; m + FEAT_HOP <= m1; m += FEAT_HOP) {
                const float *o = f->ola_h + m + FEAT_NFFT / 2;
                const float *yy = y + m;
                float *hh = harm + m, *pp = perc + m;
                for (int r = 0; r < FEAT_HOP; r++) {
                    float a = o[r] / per[r]; /* per[] > 0: interior sums of four squares */
                    hh[r] = a;
                    pp[r] = yy[r] - a;
                }
            }
            if (m >= keep) break;
        }
        int64_t i = m + FEAT_NFFT / 2;
        int64_t t0 = i >= FEAT_NFFT ? (i - FEAT_NFFT) / FEAT_HOP + 1 : 0;
        int64_t t1 = AS_MIN((int64_t)T - 1, i / FEAT_HOP);
        float wss = 0;
        for (int64_t t = t0; t <= t1; t++) wss = (float)((double)wss + wsq[i - t * FEAT_HOP]);
        float a = f->ola_h[i];
        if (wss > FEAT_TINY32) a /= wss;
        harm[m] = a;
        perc[m] = y[m] - a;
    }
    memset(harm + keep, 0, sizeof(float) * (size_t)(n - keep));
    memset(perc + keep, 0, sizeof(float) * (size_t)(n - keep));
}

void feat_istft(as_features *f, const float *X, int T, float *y)
{
    dsp_istft_frames(f->stft, X, T, -1, y, NULL);
}

const float *feat_last_hpss(const as_features *f, int percussive)
{
    return percussive ? f->perc : f->harm;
}

void feat_mean_var_f(const float *x, size_t n, double *mean, double *var)
{
    /* two passes in double, four partial sums each (the sums are latency-bound otherwise) */
    double s[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++) s[j] += x[i + j];
    for (; i < n; i++) s[0] += x[i];
    double m = n ? ((s[0] + s[1]) + (s[2] + s[3])) / n : 0;
    double v[4] = {0, 0, 0, 0};
    for (i = 0; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++) {
            double d = x[i + j] - m;
            v[j] += d * d;
        }
    for (; i < n; i++) {
        double d = x[i] - m;
        v[0] += d * d;
    }
    *mean = m;
    *var = n ? ((v[0] + v[1]) + (v[2] + v[3])) / n : 0;
}

void feat_mean_var_d(const double *x, size_t n, size_t stride, double *mean, double *var)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i * stride];
    double m = n ? s / n : 0;
    double v = 0;
    for (size_t i = 0; i < n; i++) {
        double d = x[i * stride] - m;
        v += d * d;
    }
    *mean = m;
    *var = n ? v / n : 0;
}

#define STAGE(id, ...)                                                 \
    do {                                                               \
        double t0_ = f->timing ? now_ms() : 0;                         \
        __VA_ARGS__;                                                   \
        if (f->timing) f->ms[id] += now_ms() - t0_;                    \
    } while (0)

as_status feat_check_signal(const float *y, int64_t n)
{
    if (!y || n < 0) return AS_ERR_ARG;
    if (n == 0) return AS_ERR_EMPTY;
    /* centred reflect padding of 1024 samples needs more than 1024 samples (46 ms) */
    if (n <= FEAT_NFFT / 2) return AS_ERR_ARG;
    if (n / FEAT_HOP + 1 > 100000000) return AS_ERR_TOO_LONG;
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(y[i])) return AS_ERR_NUMERIC;
    return AS_OK;
}

static as_status check_input(const as_features *f, const float *y, int64_t n, const void *out)
{
    if (!f || !y || !out || n < 0) return AS_ERR_ARG;
    return feat_check_signal(y, n);
}

void feat_tables(const as_features *f, const float **mel_fb, const int **mel_lo, const int **mel_hi,
                 const double **dct)
{
    *mel_fb = f->mel_fb;
    *mel_lo = f->mel_lo;
    *mel_hi = f->mel_hi;
    *dct = f->dct;
}

as_status as_features_tempo(as_features *f, const float *y, int64_t n, double *bpm)
{
    as_status st = check_input(f, y, n, bpm);
    if (st != AS_OK) return st;
    int T = (int)(n / FEAT_HOP + 1);
    if ((st = reserve(f, T, n)) != AS_OK) return st;
    if ((st = feat_stft(f, y, n, f->X, f->S, f->P)) != AS_OK) return st;
    feat_mel_db(f->Mdb, f->P, T, f->mel_fb, f->mel_lo, f->mel_hi);
    feat_onset_env(f->env, f->Mdb, T, f->mel_work);
    *bpm = feat_tempo(f->tempo, f->env, T, NULL, NULL);
    return *bpm < 0 ? AS_ERR_NOMEM : AS_OK;
}

as_status as_features_tempo_analysis(as_features *f, const as_analysis *a, double *bpm)
{
    if (!f || !a || !bpm) return AS_ERR_ARG;
    *bpm = feat_tempo(f->tempo, a->onset_median, a->T, NULL, NULL);
    return *bpm < 0 ? AS_ERR_NOMEM : AS_OK;
}

/* Everything after the shared per-frame arrays: tempo, spectral shape, rms/zcr, HPSS, the
 * statistics. The arrays come from f's own buffers (as_features_compute) or from an analysis
 * (as_features_compute_analysis): the same functions on the same inputs, so the same bits. */
static as_status finish(as_features *f, const float *y, int64_t n, int T, const float *X,
                        const float *S, const double *mfcc, const float *env,
                        const float *chroma, double *out)
{
    as_status st = AS_OK;
    double tempo = 0;
    STAGE(FEAT_T_TEMPO, tempo = feat_tempo(f->tempo, env, T, NULL, NULL));
    if (tempo < 0) return AS_ERR_NOMEM;
    /* ref: recipe 3.3-3.6 */
    STAGE(FEAT_T_SPECTRAL, feat_spectral(f->cent, f->bw, f->roll, S, T));
    STAGE(FEAT_T_RMS_ZCR, {
        st = feat_rms(f->rms, y, n, T);
        if (st == AS_OK) st = feat_zcr(f->zcr, y, n, T);
    });
    if (st != AS_OK) return st;
    /* ref: recipe 3.7: effects.hpss(y) */
    STAGE(FEAT_T_HPSS_MEDIAN, {
        st = feat_median_time(f->H, S, T, FEAT_F, FEAT_MEDIAN_K);
        if (st == AS_OK) st = feat_median_freq(f->Q, S, T, FEAT_F, FEAT_MEDIAN_K);
    });
    if (st != AS_OK) return st;
    STAGE(FEAT_T_HPSS_ISTFT, hpss_signals(f, y, X, f->H, f->Q, T, n, f->harm, f->perc));

    STAGE(FEAT_T_STATS, {
        double m, v;
        feat_mean_var_f(chroma, (size_t)T * FEAT_NCHROMA, &m, &v);
        out[0] = (float)m;
        out[1] = (float)v;
        feat_mean_var_d(f->rms, T, 1, &m, &v);
        out[2] = (float)m;
        out[3] = (float)v;
        feat_mean_var_d(f->cent, T, 1, &out[4], &out[5]);
        feat_mean_var_d(f->bw, T, 1, &out[6], &out[7]);
        feat_mean_var_d(f->roll, T, 1, &out[8], &out[9]);
        feat_mean_var_d(f->zcr, T, 1, &out[10], &out[11]);
        feat_mean_var_f(f->harm, (size_t)n, &m, &v);
        out[12] = (float)m;
        out[13] = (float)v;
        feat_mean_var_f(f->perc, (size_t)n, &m, &v);
        out[14] = (float)m;
        out[15] = (float)v;
        out[16] = tempo;
        for (int q = 0; q < FEAT_NMFCC; q++) {
            feat_mean_var_d(mfcc + q, T, FEAT_NMFCC, &m, &v);
            out[17 + 2 * q] = (float)m;
            out[18 + 2 * q] = (float)v;
        }
    });
    return AS_OK;
}

as_status as_features_compute(as_features *f, const float *y, int64_t n, double *out)
{
    as_status st = check_input(f, y, n, out);
    if (st != AS_OK) return st;
    int T = (int)(n / FEAT_HOP + 1);
    if ((st = reserve(f, T, n)) != AS_OK) return st;

    STAGE(FEAT_T_STFT, st = feat_stft(f, y, n, f->X, f->S, f->P));
    if (st != AS_OK) return st;

    /* ref: recipe 3.9 (mfcc) and 3.8 (tempo) share the mel dB spectrogram */
    STAGE(FEAT_T_MEL_MFCC, {
        feat_mel_db(f->Mdb, f->P, T, f->mel_fb, f->mel_lo, f->mel_hi);
        feat_mfcc(f->mfcc, f->Mdb, T, f->dct);
    });
    STAGE(FEAT_T_TEMPO, feat_onset_env(f->env, f->Mdb, T, f->mel_work));
    /* ref: recipe 3.1 */
    STAGE(FEAT_T_CHROMA, {
        double tuning = feat_tuning(f->P, T, f->pip, NULL, NULL);
        feat_chroma_fb(f->chroma_fb, tuning);
        st = feat_chroma(f->chroma, f->P, f->chroma_fb, T);
    });
    if (st != AS_OK) return st;
    return finish(f, y, n, T, f->X, f->S, f->mfcc, f->env, f->chroma, out);
}

as_status as_features_compute_analysis(as_features *f, const as_analysis *a, double *out)
{
    if (!f || !a || !out) return AS_ERR_ARG;
    /* only the buffers finish() writes are needed; reserve() grows them all (a few spare
     * arrays: simpler than a second growth policy) */
    as_status st = reserve(f, a->T, a->n);
    if (st != AS_OK) return st;
    return finish(f, a->y, a->n, a->T, a->X, a->S, a->mfcc, a->onset_median, a->chroma, out);
}
