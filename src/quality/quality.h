/* quality.h — internals of the transfer-quality metrics (src/quality). Not exported. */
#ifndef AS_QUALITY_INTERNAL_H
#define AS_QUALITY_INTERNAL_H

#include "core/internal.h"

#define QUALITY_D 19 /* MFCCs 1..19 of 20 (c0 dropped: level is metric 5) */

/* Statistics of one track that the metrics compare. */
typedef struct quality_track {
    double mu[QUALITY_D];               /* (19,) mean of MFCC 1..19 over frames */
    double cov[QUALITY_D * QUALITY_D];  /* (19, 19) covariance, ddof 1 */
    double rms;                         /* sqrt(mean(y^2)) of the whole signal */
    double flatness;                    /* mean over frames of the spectral flatness of |X|^2 */
} quality_track;

/* The statistics of an analysed track (T >= 2 frames: AS_ERR_ARG otherwise). */
as_status quality_track_stats(quality_track *q, const as_analysis *a);

/* The metrics from the three tracks' statistics t[3] (content, style, result) and the content's
 * and the result's onset envelopes (T,) and chroma (T, 12): what as_quality_from_analyses does,
 * for callers (the report) that keep these and free the analyses early. */
as_status quality_combine(const quality_track t[3], const float *onset_c, const float *chroma_c,
                          int Tc, const float *onset_r, const float *chroma_r, int Tr, as_quality *q,
                          as_error *err);

/* R = A^1/2 of a symmetric positive semi-definite (d, d) matrix through LAPACK dsyevd
 * (eigenvalues below 0, round-off, count as 0). AS_ERR_NUMERIC when LAPACK fails. */
as_status quality_sqrtm_sym(double *R /* (d, d) */, const double *A /* (d, d) */, int d);
/* tr((A^1/2 B A^1/2)^1/2) = tr((A B)^1/2) for symmetric PSD A, B. */
as_status quality_trace_sqrt_product(const double *A /* (d, d) */, const double *B /* (d, d) */,
                                     int d, double *tr);

/* Pearson correlation of a and b (n values) in double; 0 when either is constant or n < 2. */
double quality_pearson(const float *a, const float *b, int n);
/* Mean over T frames of the cosine of two (T, C) frame-major arrays; a frame where either vector
 * is all zero counts 0. */
double quality_mean_cosine(const float *a, const float *b, int T, int C);
/* Mean over frames of exp(mean(log(max(P, 1e-10)))) / mean(max(P, 1e-10)) of a (T, F) power
 * spectrogram. ref: librosa.feature.spectral_flatness(S=|X|, power=2, amin=1e-10). */
/* Spectral flatness of one power spectrum p (F,): geometric over arithmetic mean, amin 1e-10. */
double quality_frame_flatness(const float *p /* (F,) */, int F);
double quality_mean_flatness(const float *P /* (T, F) */, int T, int F);

#endif
