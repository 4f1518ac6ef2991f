/* classify.c — the genre probabilities of a whole signal of any length (owned by helper
 * "report"): the model's windows (30 s, or its segment length) averaged, as `audiostyle classify`
 * does. */
#include "core/internal.h"

#include <stdlib.h>
#include <string.h>

#define WIN_30S ((int64_t)30 * AS_SR)

AS_API int as_genre_top(const double *p, int n, int *idx, int k)
{
    /* Insertion into a short sorted list: descending probability, ties to the lower class. */
    int m = 0;
    for (int i = 0; i < k; i++) idx[i] = -1;
    for (int c = 0; c < n; c++) {
        int pos = m < k ? m : k;
        while (pos > 0 && p[c] > p[idx[pos - 1]]) pos--;
        if (pos >= k) continue;
        for (int j = (m < k ? m : k - 1); j > pos; j--) idx[j] = idx[j - 1];
        idx[pos] = c;
        if (m < k) m++;
    }
    return m;
}

AS_API int as_genre_windows(int64_t n, int64_t seg, int64_t *starts, int max, int64_t *len)
{
    if (n <= 0 || max <= 0 || !starts || !len) return 0;
    /* 30-s models: consecutive 30-s windows; 3-s models: y[66150 k : 66150 k + 66149] */
    int64_t wl = seg > 0 ? seg : WIN_30S, step = seg > 0 ? seg + 1 : WIN_30S;
    if (n < wl + wl / 3) { /* one window: the whole signal (a GTZAN clip gives exactly its CSV row) */
        *len = n;
        starts[0] = 0;
        return 1;
    }
    int64_t full = 1 + (n - wl) / step;
    int k = 0;
    for (int64_t i = 0; i < full && k < max; i++) starts[k++] = i * step;
    if (n - (starts[k - 1] + wl) >= wl / 3 && k < max) starts[k++] = n - wl;
    *len = wl;
    return k;
}

AS_API as_status as_genre_classify_signal(const as_genre_model *m, as_features *fx, const float *y,
                                          int64_t n, double *probs)
{
    if (!m || !fx || !y || !probs) return AS_ERR_ARG;
    if (n <= 0) return AS_ERR_EMPTY;
    int C = as_genre_n_classes(m);
    if (C <= 0 || C > AS_GENRE_MAX_CLASSES) return AS_ERR_ARG;
    double p[AS_GENRE_MAX_CLASSES], x[AS_FEATURES_COUNT];
    for (int c = 0; c < C; c++) probs[c] = 0;
    int64_t start, wl = 0;
    /* Window by window, so a long signal needs no table of starts. */
    int64_t seg = as_genre_segment_length(m);
    int nw = as_genre_windows(n, seg, &start, 1, &wl);
    if (nw == 1 && wl == n) {
        as_status st = as_features_compute(fx, y, n, x);
        return st == AS_OK ? as_genre_predict(m, x, probs) : st;
    }
    int64_t starts_max = n / (seg > 0 ? seg : WIN_30S) + 2;
    int64_t *starts = malloc(sizeof(int64_t) * (size_t)starts_max);
    if (!starts) return AS_ERR_NOMEM;
    nw = as_genre_windows(n, seg, starts, (int)starts_max, &wl);
    as_status st = AS_OK;
    for (int w = 0; w < nw && st == AS_OK; w++) {
        st = as_features_compute(fx, y + starts[w], wl, x);
        if (st == AS_OK) st = as_genre_predict(m, x, p);
        for (int c = 0; st == AS_OK && c < C; c++) probs[c] += p[c] / (double)nw;
    }
    free(starts);
    return st;
}
