/* features.h — internals of the GTZAN feature module (src/features). Not exported.
 *
 * Layout: every spectrogram in this module is frame-major (T, F): frame t's F = 1025 bins are
 * contiguous, because that is how the STFT produces them and how every per-frame feature reads
 * them. librosa and the reference arrays are (F, T); the tests transpose.
 * Recipe sections are cited as "recipe 3.7" (shared/docs/gtzan-features-recipe.md). */
#ifndef AS_FEATURES_INTERNAL_H
#define AS_FEATURES_INTERNAL_H

#include "core/internal.h"

#include <stdint.h>

#define FEAT_SR 22050
#define FEAT_NFFT 2048
#define FEAT_HOP 512
#define FEAT_F 1025 /* n_fft / 2 + 1 */
#define FEAT_NMELS 128
#define FEAT_NMFCC 20
#define FEAT_NCHROMA 12
#define FEAT_AC 344        /* tempo autocorrelation window: floor(8 s * 22050 / 512) frames */
#define FEAT_MEDIAN_K 31   /* HPSS median kernel */
#define FEAT_TINY32 1.17549435e-38f

/* ---- hpss.c ---------------------------------------------------------------------------------
 * Median filters of a (T, F) array with kernel k (odd) and scipy.ndimage mode 'reflect'
 * (half-sample symmetric, periodic with period 2n for short axes). ref: recipe 3.7 step 2. */
/* Along time (librosa's harmonic filter, size (1, k) on (F, T)). */
as_status feat_median_time(float *out /* (T, F) */, const float *S /* (T, F) */, int T, int F, int k);
/* Along frequency (librosa's percussive filter, size (k, 1) on (F, T)). */
as_status feat_median_freq(float *out /* (T, F) */, const float *S /* (T, F) */, int T, int F, int k);
/* Naive twins: copy each window, sort it, take the middle. axis 0 = time, 1 = frequency. */
as_status feat_median_naive(float *out /* (T, F) */, const float *S /* (T, F) */, int T, int F,
                            int k, int axis);
/* Selects the portable (scalar) kernels instead of the SIMD ones everywhere in the module
 * (medians, masks, chroma, magnitudes, MFCC): 1 = force scalar. For tests; not thread-safe. */
void feat_median_force_scalar(int on);
/* 1 when the SIMD kernels of a level may run (CPU support and not forced scalar): level 0 AVX,
 * 1 AVX2, 3 AVX-512F. */
int feat_simd(int need2);
/* Soft masks (power 2, split zeros), float32 as librosa.util.softmask. ref: recipe 3.7 step 3. */
void feat_hpss_masks(float *mh /* (n,) */, float *mp /* (n,) */, const float *H /* (n,) */,
                     const float *P /* (n,) */, size_t n);

/* ---- chroma.c -------------------------------------------------------------------------------*/
/* Tuning estimate from the power spectrogram. ref: recipe 3.1 step 2 (estimate_tuning ->
 * piptrack(S=P, fmin=150, fmax=4000, threshold=0.1), pitch_tuning(resolution=0.01)).
 * pitch, mag (T, F) may be NULL; when given they receive piptrack's outputs (zero elsewhere).
 * work: 3 * T * 358 floats. Returns the tuning in {-0.5, -0.49, ..., 0.49}. */
double feat_tuning(const float *P /* (T, F) */, int T, float *work, float *pitch, float *mag);
/* Chroma filterbank (12, F) for a tuning. ref: recipe 3.1 step 3, librosa.filters.chroma. */
void feat_chroma_fb(float *fb /* (12, F) */, double tuning);
/* Max-normalised chroma (T, 12) = fb . P per frame. ref: recipe 3.1 steps 4-5. */
as_status feat_chroma(float *chroma /* (T, 12) */, const float *P /* (T, F) */, const float *fb, int T);

/* ---- spectral.c -----------------------------------------------------------------------------*/
/* Slaney mel filterbank (128, F) as float32 exactly as librosa.filters.mel builds it, plus for
 * each band the first and one-past-last non-zero bin. ref: recipe 3.9 step 1. */
void feat_mel_fb(float *fb /* (128, F) */, int *lo /* (128,) */, int *hi /* (128,) */);
/* Mel power (T, 128) then dB with amin 1e-10, top_db 80 over the whole array. ref: recipe 3.8
 * step 2 (power_to_db(melspectrogram)). */
void feat_mel_db(float *Mdb /* (T, 128) */, const float *P /* (T, F) */, int T, const float *fb,
                 const int *lo, const int *hi);
/* 20 MFCCs per frame (T, 20): orthonormal DCT-II of the dB mel rows. ref: recipe 3.9 step 3. */
void feat_mfcc(double *mfcc /* (T, 20) */, const float *Mdb /* (T, 128) */, int T,
               const double *dct /* (20, 128) */);
void feat_dct_matrix(double *D /* (20, 128) */);
/* Centroid, bandwidth, rolloff per frame from the magnitude. ref: recipe 3.3-3.5. */
void feat_spectral(double *centroid, double *bandwidth, double *rolloff /* (T,) each */,
                   const float *S /* (T, F) */, int T);
/* RMS per frame (reflect pad, frame 2048, hop 512). ref: recipe 3.2. */
as_status feat_rms(double *rms /* (T,) */, const float *y, int64_t n, int T);
/* Zero-crossing rate per frame (edge pad). ref: recipe 3.6. */
as_status feat_zcr(double *zcr /* (T,) */, const float *y, int64_t n, int T);

/* ---- tempo.c --------------------------------------------------------------------------------*/
/* k-th smallest (0-based) of v[0..n-1], reordering v (quickselect); n > k. Used for the onset
 * envelope's median over mel bands and piptrack's median magnitude. */
float feat_select_kth(float *v, size_t n, size_t k);
/* Onset strength with median aggregation (lag 1, centred, shifted by 3). ref: recipe 3.8 step 3. */
void feat_onset_env(float *env /* (T,) */, const float *Mdb /* (T, 128) */, int T, float *work /* 128 */);
typedef struct feat_tempo_ws feat_tempo_ws;
feat_tempo_ws *feat_tempo_create(void);
void feat_tempo_destroy(feat_tempo_ws *w);
/* beat_track's tempo from the onset envelope; 0 when env is all zero, -1 when out of memory.
 * tg_mean (344,) and score (344,) may be NULL. ref: recipe 3.8 steps 4-5. */
double feat_tempo(feat_tempo_ws *w, const float *env, int T, double *tg_mean, double *score);

/* ---- gtzan.c --------------------------------------------------------------------------------*/
/* Stage timing for the bench (milliseconds accumulated since the last reset). */
enum { FEAT_T_STFT, FEAT_T_MEL_MFCC, FEAT_T_TEMPO, FEAT_T_CHROMA, FEAT_T_SPECTRAL, FEAT_T_RMS_ZCR,
       FEAT_T_HPSS_MEDIAN, FEAT_T_HPSS_ISTFT, FEAT_T_STATS, FEAT_T_COUNT };
extern const char *const feat_stage_names[FEAT_T_COUNT];
void feat_timing(as_features *f, int on, double *ms /* (FEAT_T_COUNT,) or NULL */);
/* Centred reflect-padded STFT of y, frame-major; S = |X|, P = S^2 (float32 as librosa). */
as_status feat_stft(as_features *f, const float *y, int64_t n, float *X /* (T, F, 2) */,
                    float *S /* (T, F) */, float *P /* (T, F) */);
/* librosa's istft without length: hop * (T - 1) samples. */
void feat_istft(as_features *f, const float *X /* (T, F, 2) */, int T, float *y);

/* The harmonic and percussive signals (n,) of the last as_features_compute (for tests). */
const float *feat_last_hpss(const as_features *f, int percussive);

/* Statistics: mean and population variance (ddof 0) accumulated in double. ref: recipe 4. */
void feat_mean_var_f(const float *x, size_t n, double *mean, double *var);
void feat_mean_var_d(const double *x, size_t n, size_t stride, double *mean, double *var);

/* ---- analysis.c -----------------------------------------------------------------------------
 * The one analysis of a track (public as_analysis; see audiostyle.h). Frame-major throughout. */
struct as_analysis {
    int64_t n;
    int T;               /* 1 + n / 512 */
    float *y;            /* (n,) copy of the signal */
    float *X;            /* (T, F, 2) complex STFT, dsp_alloc'd */
    float *S, *P;        /* (T, F) magnitude and power */
    float *Mdb;          /* (T, 128) mel power in dB */
    double *mfcc;        /* (T, 20) */
    float *onset_median; /* (T,) feat_onset_env (GTZAN tempo, librosa 0.7.2 beat_track) */
    float *onset_mean;   /* (T,) librosa onset_strength default: mean over the 128 bands */
    double tuning;       /* piptrack estimate, bins */
    float *chroma;       /* (T, 12) max-normalised chroma_stft */
};
/* Onset strength aggregated by the mean over bands (float32 sums in band order, / 128, as
 * numpy's mean along axis 0). ref: librosa.onset.onset_strength(S=mel dB) 0.9.2 defaults. */
void feat_onset_env_mean(float *env /* (T,) */, const float *Mdb /* (T, 128) */, int T);
/* The workspace's filterbank tables (for analysis.c). */
void feat_tables(const as_features *f, const float **mel_fb, const int **mel_lo, const int **mel_hi,
                 const double **dct);
/* Input checks of as_features_compute (AS_ERR_ARG / EMPTY / TOO_LONG / NUMERIC). */
as_status feat_check_signal(const float *y, int64_t n);

#endif
