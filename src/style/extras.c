/* extras.c — the tonal-style additions to the loss (docs/notes-tonal.md), built from the config:
 * the spectral-statistics terms (src/nn/stats.c) and the parallel random layer on mel bands or
 * with another kernel width (src/nn/branch.c). transfer.c calls these beside the main layer. */
#include "core/internal.h"
#include "dsp/dsp.h"
#include "nn/nn.h"
#include "style/style.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EX_NFFT 2048
#define EX_BRANCH_SEED 0xb4a9c5ULL /* the branch's weights: another stream than the main layer's */

const char *style_extras_check(const as_style_config *c)
{
    if (c->loss_norm != AS_STYLE_NORM_NONE && c->loss_norm != AS_STYLE_NORM_TARGET) return "unknown loss normalisation";
    if (!(c->feature_mean_weight >= 0) || !isfinite(c->feature_mean_weight)) return "feature-mean weight must be >= 0";
    if (!(c->envelope_weight >= 0) || !isfinite(c->envelope_weight)) return "envelope weight must be >= 0";
    if (!(c->spread_weight >= 0) || !isfinite(c->spread_weight)) return "spread weight must be >= 0";
    if (!(c->temporal_weight >= 0) || !isfinite(c->temporal_weight)) return "temporal weight must be >= 0";
    if (!(c->flatness_weight >= 0) || !isfinite(c->flatness_weight)) return "flatness weight must be >= 0";
    if (!(c->render_eq >= 0 && c->render_eq <= 1)) return "render EQ must be in [0, 1]";
    if (!(c->floor_quantile >= 0 && c->floor_quantile < 1)) return "floor quantile must be in [0, 1)";
    if (!(c->render_match >= 0 && c->render_match <= 1)) return "render match must be in [0, 1]";
    if (!(c->render_match_below >= 0 && c->render_match_below <= 1))
        return "render match's flatness bound must be in [0, 1]";
    if (!(c->envelope_floor > 0) || !isfinite(c->envelope_floor)) return "envelope floor must be > 0";
    if (c->branch < AS_STYLE_BRANCH_NONE || c->branch > AS_STYLE_BRANCH_LINEAR) return "unknown branch";
    if (c->branch != AS_STYLE_BRANCH_NONE) {
        if (c->branch_filters < 1 || c->branch_filters > 65536) return "branch filters must be 1..65536";
        if (c->branch_kernel_width < 1 || c->branch_kernel_width > 1001) return "branch kernel width must be 1..1001";
        if (c->branch == AS_STYLE_BRANCH_MEL && (c->branch_bands < 1 || c->branch_bands > 512))
            return "branch bands must be 1..512";
        if (!(c->branch_weight >= 0) || !isfinite(c->branch_weight)) return "branch weight must be >= 0";
    }
    return NULL;
}

static int has_stats(const as_style_config *c)
{
    return c->envelope_weight > 0 || c->spread_weight > 0 || c->temporal_weight > 0 ||
           c->flatness_weight > 0;
}

static nn_stats_shape stats_shape(const as_style_config *c, int bins, int64_t L, int64_t Ts)
{
    nn_stats_shape sh = {.C = bins, .T = L, .Ts = Ts, .eps = c->envelope_floor,
                         .w_env = c->envelope_weight, .w_std = c->spread_weight,
                         .w_tenv = c->temporal_weight, .w_flat = c->flatness_weight};
    return sh;
}

static nn_nst_shape branch_shape(const as_style_config *c, int bins, int64_t L, int64_t Ts)
{
    int K = c->branch_kernel_width;
    nn_nst_shape sh = {.C = c->branch == AS_STYLE_BRANCH_MEL ? c->branch_bands : bins,
                       .N = c->branch_filters, .K = K,
                       .padding = c->padding == AS_STYLE_PAD_SAME ? NN_PAD_SAME : NN_PAD_VALID,
                       .T = L, .Ts = Ts, .alpha = c->content_weight, .beta = c->branch_weight,
                       .style_mode = NN_STYLE_AUTO, .precision = c->precision,
                       .threads = c->threads, .norm = c->loss_norm,
                       .mean_w = c->feature_mean_weight};
    int64_t shrink = c->padding == AS_STYLE_PAD_SAME ? 0 : K - 1;
    sh.div_x = (double)(c->gram_divisor == AS_STYLE_GRAM_OUTPUT_FRAMES ? L - shrink : L);
    sh.div_s = (double)(c->gram_divisor == AS_STYLE_GRAM_OUTPUT_FRAMES ? Ts - shrink : Ts);
    return sh;
}

double style_extras_bytes(const as_style_config *c, int bins, int64_t L, int64_t Ts)
{
    double b = 0;
    if (has_stats(c)) {
        nn_stats_shape s = stats_shape(c, bins, L, Ts);
        b += (double)nn_stats_bytes(&s);
    }
    if (c->branch != AS_STYLE_BRANCH_NONE) {
        nn_nst_shape s = branch_shape(c, bins, L, Ts);
        b += (double)nn_branch_bytes(bins, &s);
    }
    return b;
}

double style_extras_flops(const as_style_config *c, int bins, int64_t L, int64_t Ts)
{
    double f = 0;
    if (c->branch != AS_STYLE_BRANCH_NONE) {
        nn_nst_shape s = branch_shape(c, bins, L, Ts);
        f += nn_nst_flops(&s);
        if (c->branch == AS_STYLE_BRANCH_MEL) f += 2.0 * 2.0 * s.C * (double)bins * (double)L; /* P x, P^T g */
    }
    return f;
}

as_status style_extras_create(style_extras *e, const as_style_config *c, int bins, int64_t L,
                              int64_t Ts)
{
    memset(e, 0, sizeof *e);
    as_status rc = AS_OK;
    if (has_stats(c)) {
        nn_stats_shape s = stats_shape(c, bins, L, Ts);
        rc = nn_stats_create(&e->stats, &s);
        if (rc != AS_OK) return rc;
    }
    if (c->branch != AS_STYLE_BRANCH_NONE) {
        nn_nst_shape s = branch_shape(c, bins, L, Ts);
        float *P = NULL; /* (bands, bins) mel triangles, each row scaled to sum 1 (band averages) */
        if (c->branch == AS_STYLE_BRANCH_MEL) {
            P = malloc(sizeof(float) * (size_t)s.C * (size_t)bins);
            if (!P) rc = AS_ERR_NOMEM;
            if (rc == AS_OK) rc = as_mel_filterbank(P, AS_SR, EX_NFFT, s.C, 0.0, 0.0);
            for (int b = 0; rc == AS_OK && b < s.C; b++) {
                double sum = 0;
                for (int k = 0; k < bins; k++) sum += P[(size_t)b * bins + k];
                for (int k = 0; k < bins && sum > 0; k++) P[(size_t)b * bins + k] = (float)(P[(size_t)b * bins + k] / sum);
            }
        }
        if (rc == AS_OK) rc = nn_branch_create(&e->branch, bins, P, &s);
        free(P);
        if (rc == AS_OK) rc = nn_nst_init_weights(e->branch->net, c->seed ^ EX_BRANCH_SEED);
        if (rc != AS_OK) {
            style_extras_destroy(e);
            return rc;
        }
    }
    return AS_OK;
}

void style_extras_destroy(style_extras *e)
{
    nn_stats_destroy(e->stats);
    nn_branch_destroy(e->branch);
    memset(e, 0, sizeof *e);
}

as_status style_extras_set_targets(style_extras *e, const float *c, const float *s)
{
    if (e->stats) nn_stats_set_targets(e->stats, c, s);
    return e->branch ? nn_branch_set_targets(e->branch, c, s) : AS_OK;
}

as_status style_extras_set_content(style_extras *e, const float *c)
{
    if (e->stats) nn_stats_set_content(e->stats, c);
    return e->branch ? nn_branch_set_content(e->branch, c) : AS_OK;
}

as_status style_extras_eval(style_extras *e, const float *x, float *grad, double *content, double *style)
{
    as_status rc = AS_OK;
    if (e->branch) {
        double lc = 0, ls = 0;
        rc = nn_branch_eval(e->branch, x, grad, &lc, &ls);
        *content += lc;
        *style += ls;
    }
    if (e->stats) *style += nn_stats_eval(e->stats, x, grad);
    return rc;
}

as_status as_style_flatness(const float *y, int64_t n, double *flatness)
{
    if (!y || !flatness || n < EX_NFFT) return AS_ERR_ARG;
    as_status rc;
    as_stft *s = as_stft_create(EX_NFFT, EX_NFFT / 4, &rc);
    if (!s) return rc;
    int64_t T = as_stft_frames(s, n, 1), F = EX_NFFT / 2 + 1;
    float *X = malloc(sizeof(float) * 2 * (size_t)F * (size_t)T); /* (F, T, 2) */
    if (!X) {
        as_stft_destroy(s);
        return AS_ERR_NOMEM;
    }
    rc = as_stft_forward(s, y, n, 1, AS_PAD_REFLECT, X);
    if (rc == AS_OK) *flatness = style_flatness_of_stft(X, (int)F, T);
    free(X);
    as_stft_destroy(s);
    return rc;
}

double style_flatness_of_stft(const float *X, int F, int64_t T)
{
    double tot = 0;
    for (int64_t t = 0; t < T; t++) {
        double lg = 0, ar = 0; /* ref: librosa.feature.spectral_flatness(S=|X|, power=2, amin=1e-10) */
        for (int64_t k = 0; k < F; k++) {
            double re = X[2 * (k * T + t)], im = X[2 * (k * T + t) + 1], p = re * re + im * im;
            if (p < 1e-10) p = 1e-10;
            lg += log(p);
            ar += p;
        }
        tot += exp(lg / (double)F) / (ar / (double)F);
    }
    return tot / (double)T;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* v (n) ascending at the fractional index pos, linear between neighbours, clamped to its ends. */
static double sorted_at(const float *v, int64_t n, double pos)
{
    if (pos <= 0) return v[0];
    int64_t i = (int64_t)pos;
    if (i >= n - 1) return v[n - 1];
    return v[i] + (pos - (double)i) * (v[i + 1] - v[i]);
}

double style_quantile(float *v, int64_t n, double q)
{
    qsort(v, (size_t)n, sizeof *v, cmp_float);
    return sorted_at(v, n, q * (double)(n - 1));
}

/* ref: Boll, "Suppression of acoustic noise in speech using spectral subtraction" (IEEE TASSP
 * 1979): |X| - noise estimate, floored at 0. The noise estimate here is the result's background
 * above the style's: per bin, its q-quantile over time minus the style's, where positive. */
as_status style_extras_floor(double q, float *mag, int bins, int64_t T, const float *Ss, int64_t Ts)
{
    float *v = malloc(sizeof(float) * (size_t)AS_MAX(T, Ts)); /* (max(T, Ts)) one bin's values */
    if (!v) return AS_ERR_NOMEM;
    for (int k = 0; k < bins; k++) {
        float *m = mag + (size_t)k * T;
        for (int64_t t = 0; t < Ts; t++) v[t] = expm1f(Ss[(size_t)k * Ts + t]);
        double qs = style_quantile(v, Ts, q);
        memcpy(v, m, sizeof(float) * (size_t)T);
        double qr = style_quantile(v, T, q), ex = qr - qs;
        if (!(ex > 0)) continue;
        for (int64_t t = 0; t < T; t++) m[t] = m[t] > ex ? (float)(m[t] - ex) : 0.0f;
    }
    free(v);
    return AS_OK;
}

/* A matching EQ in the log domain: the per-bin mean of log(EQ_FLOOR + m) over time (the
 * long-term log spectrum, which the MFCC means of the quality metric and the spectral flatness
 * both read) moved to the style's by a per-bin gain. Onsets (dB differences in time) do not
 * change with a per-bin gain. ref: Verma & Smith 2018 (spectral energy envelope), here imposed
 * as a projection rather than a loss, as McDermott & Simoncelli 2011 impose marginal statistics. */
#define EQ_FLOOR 1e-5 /* |X| of the quality metrics' power floor, amin 1e-10 */
void style_extras_eq(double r, float *mag, int bins, int64_t T, const float *Ss, int64_t Ts)
{
    for (int k = 0; k < bins; k++) {
        double ls = 0, lr = 0;
        for (int64_t t = 0; t < Ts; t++) ls += log(EQ_FLOOR + expm1((double)Ss[(size_t)k * Ts + t]));
        float *m = mag + (size_t)k * T;
        for (int64_t t = 0; t < T; t++) lr += log(EQ_FLOOR + (double)m[t]);
        /* cut only: a bin mostly at 0 has a low mean log, and boosting its few cells would
         * spray broadband bursts (measured: flatness 403x on rock -> blues) */
        float g = (float)exp(fmin(r * (ls / (double)Ts - lr / (double)T), 0.0));
        for (int64_t t = 0; t < T; t++) m[t] *= g;
    }
}

void style_init_logeq(float *x0, const float *Sc, int bins, int64_t T, const float *Ss, int64_t Ts)
{
    for (int k = 0; k < bins; k++) {
        const float *c = Sc + (size_t)k * T;
        double ls = 0, lc = 0;
        for (int64_t t = 0; t < Ts; t++) ls += log(EQ_FLOOR + expm1((double)Ss[(size_t)k * Ts + t]));
        for (int64_t t = 0; t < T; t++) lc += log(EQ_FLOOR + expm1((double)c[t]));
        double g = exp(ls / (double)Ts - lc / (double)T);
        for (int64_t t = 0; t < T; t++) x0[(size_t)k * T + t] = (float)log1p(g * expm1((double)c[t]));
    }
}

/* ---- the render's histogram matching (cfg->render_match) ------------------------------------ */

/* ref: Heeger & Bergen, "Pyramid-based texture analysis/synthesis" (SIGGRAPH 1995): each subband
 * of the synthesis is histogram-matched to the texture's subband. Here the subbands are the STFT
 * bins: bin k's magnitudes over time are mapped, rank for rank, onto the style's distribution in
 * that bin, so the result keeps its timing (the order of its values in each bin) and takes the
 * style's level, dynamics and noise floor in every bin; mix < 1 goes that fraction of the way in
 * the log. The Gram of one random layer cannot see a tonal style's floor (docs/notes-tonal.md);
 * this projection sets it. */
typedef struct match_cell {
    float v;   /* a magnitude */
    int32_t t; /* its frame: ties keep their order in time */
} match_cell;

static int cmp_cell(const void *a, const void *b)
{
    const match_cell *x = a, *y = b;
    if (x->v != y->v) return (x->v > y->v) - (x->v < y->v);
    return (x->t > y->t) - (x->t < y->t);
}

#define MATCH_EPS 1e-9 /* |STFT| units: far below the metrics' 1e-5 amplitude floor */

void style_match_gains(double mix, const float *r, int64_t T, const float *ss, int64_t Ts,
                       match_cell_scratch *cells, float *gain)
{
    match_cell *c = (match_cell *)cells;
    for (int64_t t = 0; t < T; t++) c[t] = (match_cell){r[t], (int32_t)t};
    qsort(c, (size_t)T, sizeof *c, cmp_cell);
    for (int64_t i = 0; i < T; i++) {
        /* rank i of T at quantile (i + 0.5) / T; the style's value there, linear between its
         * order statistics (position (i + 0.5) Ts / T - 0.5, clamped to its ends) */
        double v = sorted_at(ss, Ts, ((double)i + 0.5) * (double)Ts / (double)T - 0.5);
        double g = (v + MATCH_EPS) / ((double)c[i].v + MATCH_EPS);
        gain[c[i].t] = (float)(mix == 1 ? g : pow(g, mix));
    }
}

size_t style_match_scratch_bytes(int64_t T) { return sizeof(match_cell) * (size_t)T; }

as_status style_render_match(double mix, const as_stft *s, float *y, int64_t n, const float *Ss,
                             int64_t Ts)
{
    int F = s->F;
    int64_t T = as_stft_frames(s, n, 1);
    if (T < 1 || Ts < 1 || T > INT32_MAX) return AS_ERR_ARG;
    float *X = malloc(sizeof(float) * 2 * (size_t)F * (size_t)T); /* (F, T, 2) the result's STFT */
    float *ss = malloc(sizeof(float) * (size_t)Ts);               /* (Ts,) one bin of the style, sorted */
    float *r = malloc(sizeof(float) * (size_t)T);                 /* (T,) one bin's magnitudes */
    float *g = malloc(sizeof(float) * (size_t)T);                 /* (T,) their gains */
    match_cell_scratch *cells = malloc(style_match_scratch_bytes(T));
    as_status rc = AS_ERR_NOMEM;
    if (!X || !ss || !r || !g || !cells) goto done;
    rc = as_stft_forward(s, y, n, 1, AS_PAD_REFLECT, X);
    if (rc != AS_OK) goto done;
    for (int k = 0; k < F; k++) {
        float *xk = X + (size_t)2 * k * T;
        for (int64_t t = 0; t < Ts; t++) {
            float v = expm1f(Ss[(size_t)k * Ts + t]);
            ss[t] = v > 0 ? v : 0.0f;
        }
        qsort(ss, (size_t)Ts, sizeof *ss, cmp_float);
        for (int64_t t = 0; t < T; t++) r[t] = hypotf(xk[2 * t], xk[2 * t + 1]);
        style_match_gains(mix, r, T, ss, Ts, cells, g);
        for (int64_t t = 0; t < T; t++) xk[2 * t] *= g[t], xk[2 * t + 1] *= g[t];
    }
    rc = as_istft(s, X, T, n, y, NULL);
done:
    free(X);
    free(ss);
    free(r);
    free(g);
    free(cells);
    return rc;
}
