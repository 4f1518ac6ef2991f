/* quality.c — the five transfer-quality metrics of docs/transfer-quality.md from three analyses
 * (content, style, result). Statistics in double; matrix square roots by LAPACK (LAPACKE_dsyevd,
 * the symmetric eigen-decomposition: OpenBLAS ships LAPACK). */
#include "quality/quality.h"
#include "features/features.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define QNAME "quality"

as_status quality_sqrtm_sym(double *R, const double *A, int d)
{
    if (d < 1) return AS_ERR_ARG;
    size_t dd = (size_t)d * (size_t)d;
    double *V = malloc(sizeof *V * (dd + (size_t)d));
    if (!V) return AS_ERR_NOMEM;
    double *w = V + dd;
    /* symmetrise: LAPACK reads one triangle, so asymmetric round-off must not decide which */
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) V[(size_t)i * d + j] = 0.5 * (A[(size_t)i * d + j] + A[(size_t)j * d + i]);
    /* row-major: on return column k of V is the eigenvector of w[k] */
    lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', d, V, d, w);
    if (info != 0) {
        free(V);
        return AS_ERR_NUMERIC;
    }
    for (int k = 0; k < d; k++) w[k] = w[k] > 0 ? sqrt(w[k]) : 0.0;
    /* R = V diag(sqrt w) V^T */
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) {
            double s = 0;
            for (int k = 0; k < d; k++) s += V[(size_t)i * d + k] * w[k] * V[(size_t)j * d + k];
            R[(size_t)i * d + j] = s;
        }
    free(V);
    return AS_OK;
}

as_status quality_trace_sqrt_product(const double *A, const double *B, int d, double *tr)
{
    if (d < 1) return AS_ERR_ARG;
    size_t dd = (size_t)d * (size_t)d;
    double *R = malloc(sizeof *R * (3 * dd + (size_t)d));
    if (!R) return AS_ERR_NOMEM;
    double *RB = R + dd, *M = RB + dd, *w = M + dd;
    as_status st = quality_sqrtm_sym(R, A, d);
    if (st == AS_OK) {
        /* M = A^1/2 B A^1/2 (symmetric PSD), the symmetric form of (A B)^1/2's trace */
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) s += R[(size_t)i * d + k] * B[(size_t)k * d + j];
                RB[(size_t)i * d + j] = s;
            }
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) s += RB[(size_t)i * d + k] * R[(size_t)k * d + j];
                M[(size_t)i * d + j] = s;
            }
        for (int i = 0; i < d; i++)
            for (int j = 0; j < i; j++) {
                double s = 0.5 * (M[(size_t)i * d + j] + M[(size_t)j * d + i]);
                M[(size_t)i * d + j] = M[(size_t)j * d + i] = s;
            }
        lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', d, M, d, w);
        if (info != 0) st = AS_ERR_NUMERIC;
        else {
            double s = 0;
            for (int k = 0; k < d; k++) s += w[k] > 0 ? sqrt(w[k]) : 0.0;
            *tr = s;
        }
    }
    free(R);
    return st;
}

as_status as_quality_frechet(const double *ma, const double *A, const double *mb, const double *B,
                             int d, double *fd)
{
    if (!ma || !A || !mb || !B || !fd || d < 1) return AS_ERR_ARG;
    double tr_sqrt = 0;
    as_status st = quality_trace_sqrt_product(A, B, d, &tr_sqrt);
    if (st != AS_OK) return st;
    double dm = 0, tr = 0;
    for (int i = 0; i < d; i++) {
        double e = ma[i] - mb[i];
        dm += e * e;
        tr += A[(size_t)i * d + i] + B[(size_t)i * d + i];
    }
    double v = dm + tr - 2.0 * tr_sqrt;
    if (!isfinite(v)) return AS_ERR_NUMERIC;
    /* a tiny negative from round-off (identical Gaussians) is a distance of 0 */
    *fd = v > 0 ? v : 0.0;
    return AS_OK;
}

double quality_pearson(const float *a, const float *b, int n)
{
    if (n < 2) return 0.0;
    double ma = 0, mb = 0;
    for (int i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= n;
    mb /= n;
    double saa = 0, sbb = 0, sab = 0;
    for (int i = 0; i < n; i++) {
        double da = a[i] - ma, db = b[i] - mb;
        saa += da * da;
        sbb += db * db;
        sab += da * db;
    }
    return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : 0.0;
}

double quality_mean_cosine(const float *a, const float *b, int T, int C)
{
    if (T < 1) return 0.0;
    double s = 0;
    for (int t = 0; t < T; t++) {
        const float *x = a + (size_t)t * C, *y = b + (size_t)t * C;
        double xy = 0, xx = 0, yy = 0;
        for (int c = 0; c < C; c++) {
            xy += (double)x[c] * y[c];
            xx += (double)x[c] * x[c];
            yy += (double)y[c] * y[c];
        }
        if (xx > 0 && yy > 0) s += xy / sqrt(xx * yy);
    }
    return s / T;
}

double quality_frame_flatness(const float *p, int F)
{
    const double amin = 1e-10; // ref: librosa.feature.spectral_flatness(S=|X|^2, amin=1e-10, power=1)
    double slog = 0, sum = 0;
    for (int f = 0; f < F; f++) {
        double v = p[f] > amin ? (double)p[f] : amin;
        slog += log(v);
        sum += v;
    }
    return exp(slog / F) / (sum / F);
}

double quality_mean_flatness(const float *P, int T, int F)
{
    double s = 0;
    for (int t = 0; t < T; t++) s += quality_frame_flatness(P + (size_t)t * (size_t)F, F);
    return T > 0 ? s / T : 0.0;
}

as_status quality_track_stats(quality_track *q, const as_analysis *a)
{
    enum { D = QUALITY_D };
    int T = a->T;
    if (T < 2) return AS_ERR_ARG;
    const double *m = a->mfcc; /* (T, 20); coefficients 1..19 */
    for (int i = 0; i < D; i++) {
        double s = 0;
        for (int t = 0; t < T; t++) s += m[(size_t)t * FEAT_NMFCC + 1 + i];
        q->mu[i] = s / T;
    }
    /* ref: np.cov(mfcc[1:20], ddof=1) */
    for (int i = 0; i < D; i++)
        for (int j = 0; j <= i; j++) {
            double s = 0;
            for (int t = 0; t < T; t++) {
                const double *x = m + (size_t)t * FEAT_NMFCC + 1;
                s += (x[i] - q->mu[i]) * (x[j] - q->mu[j]);
            }
            q->cov[i * D + j] = q->cov[j * D + i] = s / (T - 1);
        }
    double e = 0;
    for (int64_t i = 0; i < a->n; i++) e += (double)a->y[i] * a->y[i];
    q->rms = sqrt(e / (double)a->n);
    q->flatness = quality_mean_flatness(a->P, T, FEAT_F);
    return AS_OK;
}

as_status quality_combine(const quality_track t[3], const float *onset_c, const float *chroma_c,
                          int Tc, const float *onset_r, const float *chroma_r, int Tr, as_quality *q,
                          as_error *err)
{
    if (!(t[0].rms > 0)) return as__fail(err, AS_ERR_ARG, "content", "silent: the level difference is undefined");
    double fd_cs = 0, fd_rs = 0;
    as_status st = as_quality_frechet(t[0].mu, t[0].cov, t[1].mu, t[1].cov, QUALITY_D, &fd_cs);
    if (st == AS_OK) st = as_quality_frechet(t[2].mu, t[2].cov, t[1].mu, t[1].cov, QUALITY_D, &fd_rs);
    if (st != AS_OK) return as__fail(err, st, QNAME, "Frechet distance failed (LAPACK dsyevd)");
    /* FD is a sum of squared MFCC differences (dB-scaled): far below 1e-9 only when content and
     * style are the same sound */
    if (!(fd_cs > 1e-9))
        return as__fail(err, AS_ERR_ARG, QNAME,
                        "content and style have the same MFCC statistics: the style distance ratio is undefined");
    memset(q, 0, sizeof *q);
    q->fd_content_style = fd_cs;
    q->style_distance_ratio = fd_rs / fd_cs;
    int T = AS_MIN(Tc, Tr);
    q->rhythm_correlation = quality_pearson(onset_r, onset_c, T);
    q->chroma_similarity = quality_mean_cosine(chroma_r, chroma_c, T, FEAT_NCHROMA);
    q->flatness_ratio = t[2].flatness / t[1].flatness; /* flatness > 0: amin keeps every frame's */
    q->level_db = 20.0 * log10(fmax(t[2].rms, 1e-10) / t[0].rms);
    double v[6] = {q->style_distance_ratio, q->rhythm_correlation, q->chroma_similarity,
                   q->flatness_ratio, q->level_db, q->fd_content_style};
    for (int i = 0; i < 6; i++)
        if (!isfinite(v[i])) return as__fail(err, AS_ERR_NUMERIC, QNAME, "a metric is not finite");
    return AS_OK;
}

as_status as_quality_from_analyses(const as_analysis *content, const as_analysis *style,
                                   const as_analysis *result, as_quality *q, as_error *err)
{
    if (!content || !style || !result || !q)
        return as__fail(err, AS_ERR_ARG, QNAME, "missing analysis or output");
    quality_track t[3];
    const as_analysis *an[3] = {content, style, result};
    static const char *const role[3] = {"content", "style", "result"};
    for (int k = 0; k < 3; k++) {
        as_status st = quality_track_stats(&t[k], an[k]);
        if (st != AS_OK)
            return as__fail(err, st, role[k], "too short for the quality metrics (%d frames; 2 needed)",
                            an[k]->T);
    }
    return quality_combine(t, content->onset_mean, content->chroma, content->T, result->onset_mean,
                           result->chroma, result->T, q, err);
}

as_status as_quality_compute(const float *content, int64_t nc, const float *style, int64_t ns,
                             const float *result, int64_t nr, as_quality *q, as_error *err)
{
    if (!q) return as__fail(err, AS_ERR_ARG, QNAME, "no output");
    const float *y[3] = {content, style, result};
    int64_t n[3] = {nc, ns, nr};
    static const char *const role[3] = {"content", "style", "result"};
    as_analysis *a[3] = {NULL, NULL, NULL};
    as_status st = AS_OK;
    as_features *fx = as_features_create(&st);
    if (!fx) return as__fail(err, st, QNAME, "cannot make a features workspace");
    for (int k = 0; k < 3 && st == AS_OK; k++) {
        st = as_analysis_create(fx, y[k], n[k], &a[k]);
        if (st == AS_ERR_ARG && y[k] && n[k] > 0)
            as__fail(err, st, role[k], "too short for the quality metrics (%lld samples; more than 1024 needed)",
                     (long long)n[k]);
        else if (st != AS_OK)
            as__fail(err, st, role[k], "cannot analyse (%s)", as_strerror(st));
    }
    if (st == AS_OK) st = as_quality_from_analyses(a[0], a[1], a[2], q, err);
    for (int k = 0; k < 3; k++) as_analysis_destroy(a[k]);
    as_features_destroy(fx);
    return st;
}
