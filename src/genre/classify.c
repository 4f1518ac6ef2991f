/* classify.c — the genre probabilities of a whole signal of any length (owned by helper
 * "report"): the model's windows (30 s, or its segment length) averaged, as `audiostyle classify`
 * does. */
#include "core/internal.h"

#include <string.h>

#define WIN_30S ((int64_t)30 * AS_SR)

as_status as_genre_classify_signal(const as_genre_model *m, as_features *fx, const float *y,
                                   int64_t n, double *probs)
{
    if (!m || !fx || !y || !probs) return AS_ERR_ARG;
    if (n <= 0) return AS_ERR_EMPTY;
    int C = as_genre_n_classes(m);
    if (C <= 0 || C > AS_GENRE_MAX_CLASSES) return AS_ERR_ARG;
    int64_t seg = as_genre_segment_length(m);
    int64_t wl = seg > 0 ? seg : WIN_30S, step = seg > 0 ? seg + 1 : WIN_30S;
    double p[AS_GENRE_MAX_CLASSES], x[AS_FEATURES_COUNT];
    for (int c = 0; c < C; c++) probs[c] = 0;
    if (n < wl + wl / 3) { /* one window: the whole signal (a GTZAN clip gives exactly its CSV row) */
        as_status st = as_features_compute(fx, y, n, x);
        if (st == AS_OK) st = as_genre_predict(m, x, probs);
        return st;
    }
    int64_t full = 1 + (n - wl) / step;
    int64_t last_end = (full - 1) * step + wl;
    int extra = n - last_end >= wl / 3;
    int64_t nw = full + extra;
    for (int64_t w = 0; w < nw; w++) {
        int64_t start = w < full ? w * step : n - wl;
        as_status st = as_features_compute(fx, y + start, wl, x);
        if (st == AS_OK) st = as_genre_predict(m, x, p);
        if (st != AS_OK) return st;
        for (int c = 0; c < C; c++) probs[c] += p[c] / (double)nw;
    }
    return AS_OK;
}
