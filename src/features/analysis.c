/* analysis.c — one analysis per track: the STFT, mel dB, MFCC, onset envelopes and chroma that
 * the GTZAN features, the quality metrics and the report all read, computed once. The arrays are
 * made by the same functions as_features_compute uses (feat_stft, feat_mel_db, feat_mfcc,
 * feat_onset_env, feat_tuning, feat_chroma), so features computed from an analysis equal the
 * direct ones bit for bit. */
#include "features.h"
#include "dsp/dsp.h"

#include <stdlib.h>
#include <string.h>

void feat_onset_env_mean(float *env, const float *Mdb, int T)
{
    /* ref: librosa 0.9.2 onset_strength(S=power_to_db(melspectrogram)): lag 1, max_size 1,
     * aggregate np.mean over bands, centred (3 leading zeros: lag + n_fft / (2 hop)), trimmed
     * to T. np.mean along axis 0 of the float32 (128, T) array adds the band rows in order in
     * float32, then divides by 128. */
    for (int t = 0; t < T && t < 3; t++) env[t] = 0;
    for (int t = 3; t < T; t++) {
        const float *a = Mdb + (size_t)(t - 3) * FEAT_NMELS, *b = a + FEAT_NMELS;
        float s = 0;
        for (int m = 0; m < FEAT_NMELS; m++) {
            float d = b[m] - a[m];
            s += d > 0.0f ? d : 0.0f;
        }
        env[t] = s / (float)FEAT_NMELS;
    }
}

void as_analysis_destroy(as_analysis *a)
{
    if (!a) return;
    free(a->y);
    dsp_free(a->X);
    free(a->S);
    free(a->P);
    free(a->Mdb);
    free(a->mfcc);
    free(a->onset_median);
    free(a->onset_mean);
    free(a->chroma);
    free(a);
}

as_status as_analysis_create(as_features *fx, const float *y, int64_t n, as_analysis **out)
{
    if (!out) return AS_ERR_ARG;
    *out = NULL;
    as_status st = feat_check_signal(y, n);
    if (st != AS_OK) return st;
    if ((int64_t)(n / FEAT_HOP + 1) > INT32_MAX / FEAT_F) return AS_ERR_TOO_LONG;
    as_features *own = NULL;
    if (!fx) {
        own = as_features_create(&st);
        if (!own) return st;
        fx = own;
    }
    st = AS_ERR_NOMEM;
    int T = (int)(n / FEAT_HOP + 1);
    size_t TF = (size_t)T * FEAT_F;
    float *pip = NULL;
    as_analysis *a = calloc(1, sizeof *a);
    if (!a) goto fail;
    a->n = n;
    a->T = T;
    a->y = malloc(sizeof(float) * (size_t)n);
    a->X = dsp_alloc(sizeof(float) * 2 * TF);
    a->S = malloc(sizeof(float) * TF);
    a->P = malloc(sizeof(float) * TF);
    a->Mdb = malloc(sizeof(float) * (size_t)T * FEAT_NMELS);
    a->mfcc = malloc(sizeof(double) * (size_t)T * FEAT_NMFCC);
    a->onset_median = malloc(sizeof(float) * (size_t)T);
    a->onset_mean = malloc(sizeof(float) * (size_t)T);
    a->chroma = malloc(sizeof(float) * (size_t)T * FEAT_NCHROMA);
    pip = malloc(sizeof(float) * 3 * (size_t)T * 358);
    if (!a->y || !a->X || !a->S || !a->P || !a->Mdb || !a->mfcc || !a->onset_median ||
        !a->onset_mean || !a->chroma || !pip)
        goto fail;
    memcpy(a->y, y, sizeof(float) * (size_t)n);

    const float *mel_fb;
    const int *lo, *hi;
    const double *dct;
    feat_tables(fx, &mel_fb, &lo, &hi, &dct);
    if ((st = feat_stft(fx, a->y, n, a->X, a->S, a->P)) != AS_OK) goto fail;
    feat_mel_db(a->Mdb, a->P, T, mel_fb, lo, hi);
    feat_mfcc(a->mfcc, a->Mdb, T, dct);
    float work[FEAT_NMELS];
    feat_onset_env(a->onset_median, a->Mdb, T, work);
    feat_onset_env_mean(a->onset_mean, a->Mdb, T);
    a->tuning = feat_tuning(a->P, T, pip, NULL, NULL);
    float *cfb = malloc(sizeof(float) * FEAT_NCHROMA * FEAT_F);
    if (!cfb) {
        st = AS_ERR_NOMEM;
        goto fail;
    }
    feat_chroma_fb(cfb, a->tuning);
    st = feat_chroma(a->chroma, a->P, cfb, T);
    free(cfb);
    if (st != AS_OK) goto fail;
    free(pip);
    as_features_destroy(own);
    *out = a;
    return AS_OK;
fail:
    free(pip);
    as_analysis_destroy(a);
    as_features_destroy(own);
    return st;
}

int as_analysis_frames(const as_analysis *a) { return a ? a->T : 0; }

const float *as_analysis_signal(const as_analysis *a, int64_t *n)
{
    if (n) *n = a ? a->n : 0;
    return a ? a->y : NULL;
}

const float *as_analysis_magnitude(const as_analysis *a) { return a ? a->S : NULL; }
const float *as_analysis_power(const as_analysis *a) { return a ? a->P : NULL; }
const float *as_analysis_mel_db(const as_analysis *a) { return a ? a->Mdb : NULL; }
const double *as_analysis_mfcc(const as_analysis *a) { return a ? a->mfcc : NULL; }
const float *as_analysis_onset(const as_analysis *a) { return a ? a->onset_mean : NULL; }
const float *as_analysis_onset_median(const as_analysis *a) { return a ? a->onset_median : NULL; }
const float *as_analysis_chroma(const as_analysis *a) { return a ? a->chroma : NULL; }
double as_analysis_tuning(const as_analysis *a) { return a ? a->tuning : 0.0; }
