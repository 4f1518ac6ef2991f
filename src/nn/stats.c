/* stats.c — spectral-statistics terms of the style loss, computed on the spectrogram itself
 * (no network): what makes a style tonal is where its energy is not, and the Gram of random
 * ReLU features on log1p magnitudes barely sees the low-level floor between partials
 * (docs/notes-tonal.md). Each term reads the spectrogram in a floored log domain
 *
 *   u(x) = log(eps + expm1(x))  for x >= 0,   log(eps)  for x < 0 (the render clamps there)
 *
 * (x is log1p |STFT|, so expm1(x) is the magnitude; eps the floor, 1e-3 by default: -60 dB of a
 * unit magnitude) and is normalised so that its weight means the same on every pair:
 *
 *   envelope  w_env * T * sum_k (mean_t u[k, t] - mean_t us[k, t])^2              (per-bin mean:
 *             the style's long-term spectral envelope, in nepers)
 *   spread    w_std * T * sum_k (sd_t u[k, t] - sd_t us[k, t])^2                  (per-bin
 *             standard deviation over time: how much each band comes and goes)
 *   temporal  w_tenv * C * sum_t (e[t] - mean e - (ec[t] - mean ec))^2,  e[t] = log(mean_k m^2 + eps^2)
 *             (m = max(expm1(x), 0)): the content's energy envelope up to a constant, its rhythm
 *   flatness  w_flat * C * T * (mean_t f[t] - mean_t fs[t])^2,  f[t] = mean_k log(m^2 + eps^2)
 *             - log(mean_k m^2 + eps^2): the log spectral flatness (Wiener entropy) of each frame
 *             (of the power m^2, floored), on average as the style's. NB it is the quantity the
 *             quality benchmark's flatness ratio measures (docs/transfer-quality.md), so that
 *             metric is no longer independent of the loss when this term is on.
 * Each is counted once per spectrogram cell (T or C times its mean square): an error of one
 * neper everywhere costs w * C * T, the scale of the other terms' sums.
 *
 * ref: Verma & Smith, "Neural style transfer for audio spectrograms" (NIPS 2017 workshop, 2018):
 * temporal and spectral energy-envelope losses beside the Gram; McDermott & Simoncelli, "Sound
 * texture perception via statistics of the auditory periphery" (Neuron 2011): per-band marginal
 * moments as texture statistics. Nothing allocates after nn_stats_create. */
#include "nn/nn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static inline double u_of(double x, double eps, double *du)
{
    if (x < 0) {
        if (du) *du = 0;
        return log(eps);
    }
    double m = expm1(x);
    if (du) *du = exp(x) / (eps + m);
    return log(eps + m);
}

/* per-bin mean and standard deviation over time of u(z), z (C, T) */
static void bin_moments(const float *z, int C, int64_t T, double eps, float *mean, float *sd)
{
    for (int k = 0; k < C; k++) {
        double s = 0, s2 = 0;
        for (int64_t t = 0; t < T; t++) {
            double u = u_of(z[(size_t)k * T + t], eps, NULL);
            s += u;
            s2 += u * u;
        }
        double m = s / (double)T, v = s2 / (double)T - m * m;
        mean[k] = (float)m;
        sd[k] = (float)sqrt(v > 0 ? v : 0);
    }
}

/* mean over frames of the floored log flatness of z (C, T); f (T) scratch */
static double mean_flatness(const float *z, int C, int64_t T, double eps, float *f, float *p)
{
    for (int64_t t = 0; t < T; t++) f[t] = p[t] = 0;
    for (int k = 0; k < C; k++)
        for (int64_t t = 0; t < T; t++) {
            double m = z[(size_t)k * T + t] > 0 ? expm1(z[(size_t)k * T + t]) : 0;
            f[t] += (float)log(m * m + eps * eps);
            p[t] += (float)(m * m);
        }
    double tot = 0;
    for (int64_t t = 0; t < T; t++) {
        p[t] = (float)(p[t] / C + eps * eps);
        tot += f[t] / C - log(p[t]);
    }
    return tot / (double)T;
}

/* e[t] = log(mean_k max(expm1(z), 0)^2 + eps^2) of z (C, T), centred over t */
static void temporal_env(const float *z, int C, int64_t T, double eps, float *e)
{
    double tot = 0;
    for (int64_t t = 0; t < T; t++) e[t] = 0;
    for (int k = 0; k < C; k++)
        for (int64_t t = 0; t < T; t++) {
            double m = z[(size_t)k * T + t] > 0 ? expm1(z[(size_t)k * T + t]) : 0;
            e[t] += (float)(m * m);
        }
    for (int64_t t = 0; t < T; t++) {
        e[t] = (float)log(e[t] / C + eps * eps);
        tot += e[t];
    }
    for (int64_t t = 0; t < T; t++) e[t] -= (float)(tot / (double)T);
}

size_t nn_stats_bytes(const nn_stats_shape *sh)
{
    return sizeof(nn_stats) + sizeof(float) * (4 * (size_t)sh->C + 3 * (size_t)AS_MAX(sh->T, sh->Ts));
}

as_status nn_stats_create(nn_stats **out, const nn_stats_shape *sh)
{
    *out = NULL;
    if (sh->C < 1 || sh->T < 1 || sh->Ts < 1 || !(sh->eps > 0) || !(sh->w_env >= 0) ||
        !(sh->w_std >= 0) || !(sh->w_tenv >= 0) || !(sh->w_flat >= 0))
        return AS_ERR_ARG;
    nn_stats *m = calloc(1, sizeof *m);
    size_t Tm = (size_t)AS_MAX(sh->T, sh->Ts); /* the style's flatness goes through e and p */
    float *blk = calloc(4 * (size_t)sh->C + 3 * Tm, sizeof(float));
    if (!m || !blk) {
        free(m);
        free(blk);
        return AS_ERR_NOMEM;
    }
    m->sh = *sh;
    m->Es = blk;
    m->Ds = m->Es + sh->C;
    m->E = m->Ds + sh->C;
    m->D = m->E + sh->C;
    m->ec = m->D + sh->C;
    m->e = m->ec + Tm;
    m->p = m->e + Tm;
    m->bytes = nn_stats_bytes(sh);
    *out = m;
    return AS_OK;
}

void nn_stats_destroy(nn_stats *m)
{
    if (!m) return;
    free(m->Es);
    free(m);
}

void nn_stats_set_targets(nn_stats *m, const float *c, const float *s)
{
    bin_moments(s, m->sh.C, m->sh.Ts, m->sh.eps, m->Es, m->Ds);
    m->fs = mean_flatness(s, m->sh.C, m->sh.Ts, m->sh.eps, m->e, m->p);
    if (c) nn_stats_set_content(m, c);
}

void nn_stats_set_content(nn_stats *m, const float *c)
{
    temporal_env(c, m->sh.C, m->sh.T, m->sh.eps, m->ec);
}

double nn_stats_eval(nn_stats *m, const float *x, float *grad)
{
    const int C = m->sh.C;
    const int64_t T = m->sh.T;
    const double eps = m->sh.eps, we = m->sh.w_env, wd = m->sh.w_std, wt = m->sh.w_tenv;
    double loss = 0;
    if (we != 0 || wd != 0) {
        bin_moments(x, C, T, eps, m->E, m->D);
        for (int k = 0; k < C; k++) {
            double de = m->E[k] - m->Es[k], dd = m->D[k] - m->Ds[k];
            loss += (we * de * de + wd * dd * dd) * (double)T;
            /* dL/du[k, t] = a + b (u[k, t] - E[k]) */
            double a = 2 * we * de;
            double b = m->D[k] > 1e-12 ? 2 * wd * dd / m->D[k] : 0;
            for (int64_t t = 0; t < T; t++) {
                size_t i = (size_t)k * T + t;
                double du, u = u_of(x[i], eps, &du);
                grad[i] += (float)((a + b * (u - m->E[k])) * du);
            }
        }
    }
    if (m->sh.w_flat != 0) {
        /* dL/df[t] = 2 w C (mean f - fs); df[t]/dm_k = (2 m_k / C) (1 / (m_k^2 + eps^2) - 1 / p[t]) */
        double fx = mean_flatness(x, C, T, eps, m->e, m->p), d = fx - m->fs;
        loss += m->sh.w_flat * C * (double)T * d * d;
        double a = 2 * m->sh.w_flat * C * d * 2 / C;
        for (int k = 0; k < C; k++)
            for (int64_t t = 0; t < T; t++) {
                size_t i = (size_t)k * T + t;
                if (x[i] <= 0) continue;
                double mg = expm1(x[i]);
                grad[i] += (float)(a * mg * (1 / (mg * mg + eps * eps) - 1 / (double)m->p[t]) * exp(x[i]));
            }
    }
    if (wt != 0) {
        /* p[t] = mean_k m^2 + eps^2; e = log p, centred; L = wt / T |e - ec|^2 */
        for (int64_t t = 0; t < T; t++) m->p[t] = 0;
        for (int k = 0; k < C; k++)
            for (int64_t t = 0; t < T; t++) {
                float xv = x[(size_t)k * T + t];
                double mg = xv > 0 ? expm1(xv) : 0;
                m->p[t] += (float)(mg * mg);
            }
        double tot = 0;
        for (int64_t t = 0; t < T; t++) {
            m->p[t] = (float)(m->p[t] / C + eps * eps);
            m->e[t] = (float)log(m->p[t]);
            tot += m->e[t];
        }
        double dsum = 0;
        for (int64_t t = 0; t < T; t++) {
            double d = m->e[t] - tot / (double)T - m->ec[t];
            m->e[t] = (float)d;
            dsum += d;
            loss += wt * d * d * (double)C;
        }
        /* dL/de[t] = 2 wt C (d[t] - mean d) (the centring is a projection); de/dx = 2 m e^x / (C p) */
        for (int64_t t = 0; t < T; t++)
            m->e[t] = (float)(2 * wt * (m->e[t] - dsum / (double)T) / m->p[t]);
        for (int k = 0; k < C; k++)
            for (int64_t t = 0; t < T; t++) {
                size_t i = (size_t)k * T + t;
                if (x[i] > 0) grad[i] += (float)(m->e[t] * 2 * expm1(x[i]) * exp(x[i]));
            }
    }
    return loss;
}

/* The double twin: the definitions above, in double, straight from the formulas. */
double nn_stats_eval_naive(const nn_stats_shape *sh, const double *x, const double *c,
                           const double *s, double *grad)
{
    const int C = sh->C;
    const int64_t T = sh->T, Ts = sh->Ts;
    const double eps = sh->eps;
    double loss = 0;
    if (grad) memset(grad, 0, sizeof(double) * (size_t)C * T);
    for (int k = 0; k < C; k++) {
        double mx = 0, ms = 0, vx = 0, vs = 0;
        for (int64_t t = 0; t < T; t++) mx += u_of(x[k * T + t], eps, NULL) / T;
        for (int64_t t = 0; t < Ts; t++) ms += u_of(s[k * Ts + t], eps, NULL) / Ts;
        for (int64_t t = 0; t < T; t++) vx += pow(u_of(x[k * T + t], eps, NULL) - mx, 2) / T;
        for (int64_t t = 0; t < Ts; t++) vs += pow(u_of(s[k * Ts + t], eps, NULL) - ms, 2) / Ts;
        double sx = sqrt(vx), ss = sqrt(vs);
        loss += sh->w_env * (mx - ms) * (mx - ms) * T + sh->w_std * (sx - ss) * (sx - ss) * T;
        if (grad)
            for (int64_t t = 0; t < T; t++) {
                double du, u = u_of(x[k * T + t], eps, &du);
                double g = 2 * sh->w_env * (mx - ms);
                if (sx > 1e-12) g += 2 * sh->w_std * (sx - ss) * (u - mx) / sx;
                grad[k * T + t] = g * du;
            }
    }
    if (sh->w_flat != 0) {
        double fx = 0, fs = 0;
        for (int64_t t = 0; t < Ts; t++) {
            double a = 0, b = 0;
            for (int k = 0; k < C; k++) {
                double m = s[k * Ts + t] > 0 ? expm1(s[k * Ts + t]) : 0;
                a += log(m * m + eps * eps) / C;
                b += m * m / C;
            }
            fs += (a - log(b + eps * eps)) / Ts;
        }
        for (int64_t t = 0; t < T; t++) {
            double a = 0, b = 0;
            for (int k = 0; k < C; k++) {
                double m = x[k * T + t] > 0 ? expm1(x[k * T + t]) : 0;
                a += log(m * m + eps * eps) / C;
                b += m * m / C;
            }
            fx += (a - log(b + eps * eps)) / T;
        }
        loss += sh->w_flat * C * T * (fx - fs) * (fx - fs);
        if (grad)
            for (int64_t t = 0; t < T; t++) {
                double P = 0;
                for (int k = 0; k < C; k++) {
                    double m = x[k * T + t] > 0 ? expm1(x[k * T + t]) : 0;
                    P += m * m / C;
                }
                P += eps * eps;
                for (int k = 0; k < C; k++) {
                    double xv = x[k * T + t];
                    if (xv <= 0) continue;
                    double m = expm1(xv);
                    /* dL/dfx = 2 w C T (fx - fs); dfx/dx = (1/T) [(1/C) 2m/(m^2+eps^2) - 2m/(C P)] e^x */
                    grad[k * T + t] += 2 * sh->w_flat * C * T * (fx - fs) / T *
                                       (2 * m / (C * (m * m + eps * eps)) - 2 * m / (C * P)) * exp(xv);
                }
            }
    }
    if (sh->w_tenv != 0) {
        double *ex = calloc((size_t)T, sizeof(double)), *ecn = calloc((size_t)T, sizeof(double));
        double *px = calloc((size_t)T, sizeof(double));
        if (!ex || !ecn || !px) {
            free(ex);
            free(ecn);
            free(px);
            return NAN;
        }
        double mxe = 0, mce = 0;
        for (int64_t t = 0; t < T; t++) {
            double a = 0, b = 0;
            for (int k = 0; k < C; k++) {
                double mx = x[k * T + t] > 0 ? expm1(x[k * T + t]) : 0;
                double mc = c[k * T + t] > 0 ? expm1(c[k * T + t]) : 0;
                a += mx * mx / C;
                b += mc * mc / C;
            }
            px[t] = a + eps * eps;
            ex[t] = log(px[t]);
            ecn[t] = log(b + eps * eps);
            mxe += ex[t] / T;
            mce += ecn[t] / T;
        }
        double *d = ecn; /* d[t] = (ex - mean ex) - (ec - mean ec) */
        for (int64_t t = 0; t < T; t++) {
            d[t] = ex[t] - mxe - (ecn[t] - mce);
            loss += sh->w_tenv * d[t] * d[t] * C;
        }
        if (grad) {
            double md = 0;
            for (int64_t t = 0; t < T; t++) md += d[t] / T;
            for (int64_t t = 0; t < T; t++)
                for (int k = 0; k < C; k++) {
                    double xv = x[k * T + t];
                    if (xv > 0)
                        grad[k * T + t] += 2 * sh->w_tenv * C * (d[t] - md) * 2 * expm1(xv) * exp(xv) / (C * px[t]);
                }
        }
        free(ex);
        free(ecn);
        free(px);
    }
    return loss;
}
