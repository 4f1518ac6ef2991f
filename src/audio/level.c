/* level.c — loudness matching with a peak limiter: scale a signal to a target RMS level and keep
 * every sample under a peak ceiling by lowering the gain smoothly around the peaks that would go
 * over it (never clipping). Used by the style transfer's cfg.level.
 *
 * The limiter's gain g[i] <= r[i] = min(1, ceiling / |y[i]|) for every i: g is the mean over
 * j in [i - H, i + H] of the minimum of r over a window containing [j - H, j + H], and every such
 * window contains i. H is a 2.5-ms half window: the gain moves within 5 ms, smoothly enough that it
 * adds no audible distortion to the rare peaks it touches. */
#include "core/internal.h"

#include <math.h>
#include <stdlib.h>

#define LIMIT_HALF 55 /* samples: 2.5 ms at 22050 Hz */

/* out[i] = min of in over a window containing [i - h, i + h] (clamped to the signal; exactly that
 * window away from the ends), by van Herk / Gil-Werman blocks of width 2h + 1: a prefix and a
 * suffix minimum per block, O(n). */
static void sliding_min(float *out, const float *in, int64_t n, int64_t h, float *pre, float *suf)
{
    int64_t w = 2 * h + 1;
    for (int64_t i = 0; i < n; i++) pre[i] = (i % w == 0) ? in[i] : fminf(pre[i - 1], in[i]);
    for (int64_t i = n - 1; i >= 0; i--)
        suf[i] = (i == n - 1 || (i + 1) % w == 0) ? in[i] : fminf(suf[i + 1], in[i]);
    for (int64_t i = 0; i < n; i++) {
        int64_t lo = AS_MAX(i - h, 0), hi = AS_MIN(i + h, n - 1);
        out[i] = fminf(suf[lo], pre[hi]); /* [lo, hi] spans at most two blocks */
    }
}

/* Gains (n,) that keep |y[i] * g[i]| <= ceiling; 1 where nothing is near the ceiling. */
static void limiter_gains(float *g, const float *y, int64_t n, double ceiling, float *r, float *pre,
                          float *suf)
{
    for (int64_t i = 0; i < n; i++) {
        double a = fabs(y[i]);
        r[i] = a > ceiling ? (float)(ceiling / a) : 1.0f;
    }
    sliding_min(g, r, n, LIMIT_HALF, pre, suf);
    /* moving mean over +-H (windows clamped at the ends), in double */
    double s = 0;
    int64_t lo = 0, hi = -1;
    for (int64_t i = 0; i < n; i++) {
        int64_t want_lo = AS_MAX(i - LIMIT_HALF, 0), want_hi = AS_MIN(i + LIMIT_HALF, n - 1);
        while (hi < want_hi) s += g[++hi];
        while (lo < want_lo) s -= g[lo++];
        r[i] = (float)(s / (double)(hi - lo + 1));
    }
    /* float rounding of the mean must not lift a gain over its bound */
    for (int64_t i = 0; i < n; i++) {
        double a = fabs(y[i]);
        g[i] = a * r[i] > ceiling ? (float)(ceiling / a) : r[i];
    }
}

static double rms_of(const float *y, int64_t n)
{
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += (double)y[i] * y[i];
    return n > 0 ? sqrt(s / (double)n) : 0;
}

as_status as_audio_match_level(float *y, int64_t n, double target_rms, double ceiling_db,
                               double *gain_db)
{
    if (gain_db) *gain_db = 0;
    if (!y || n < 1 || !(target_rms >= 0) || !isfinite(target_rms) || !(ceiling_db <= 0) ||
        !isfinite(ceiling_db))
        return AS_ERR_ARG;
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(y[i])) return AS_ERR_NUMERIC;
    double ceiling = pow(10.0, ceiling_db / 20.0), r0 = rms_of(y, n);
    if (r0 == 0) return AS_OK; /* silence stays silence */
    float *buf = malloc(sizeof(float) * 4 * (size_t)n); /* g, r, pre, suf: (n,) each */
    if (!buf) return AS_ERR_NOMEM;
    float *g = buf, *r = buf + n, *pre = buf + 2 * n, *suf = buf + 3 * n;
    float *z = NULL;
    /* the limiter takes a little level off the peaks: raise the gain until the limited signal
     * has the target RMS (a few rounds; the gain needed grows monotonically) */
    double want = target_rms > 0 ? target_rms : r0, gain = want / r0;
    z = malloc(sizeof(float) * (size_t)n); /* (n,) the trial signal */
    if (!z) {
        free(buf);
        return AS_ERR_NOMEM;
    }
    for (int round = 0; round < 6; round++) {
        for (int64_t i = 0; i < n; i++) z[i] = (float)(y[i] * gain);
        limiter_gains(g, z, n, ceiling, r, pre, suf);
        for (int64_t i = 0; i < n; i++) z[i] *= g[i];
        double got = rms_of(z, n);
        if (got <= 0 || fabs(got / want - 1) < 1e-3) break;
        gain *= want / got;
        if (gain > 1e6) break; /* nearly all peaks: give up raising */
    }
    for (int64_t i = 0; i < n; i++) y[i] = z[i];
    if (gain_db) *gain_db = 20.0 * log10(rms_of(y, n) / r0);
    free(z);
    free(buf);
    return AS_OK;
}
