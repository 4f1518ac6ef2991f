/* metrics.c — spectral flatness, correlation / MSE, smoothing and base64 for the report. */
#include "report/report.h"
#include "quality/quality.h"

#include <math.h>

void report_flatness(double *out, const float *P, int64_t T, int F)
{
    for (int64_t t = 0; t < T; t++) out[t] = quality_frame_flatness(P + (size_t)t * (size_t)F, F);
}

void report_compare(const float *a, const float *b, size_t n, double *corr, double *mse)
{
    double ma = 0, mb = 0;
    for (size_t i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    if (n) {
        ma /= (double)n;
        mb /= (double)n;
    }
    double saa = 0, sbb = 0, sab = 0, se = 0;
    for (size_t i = 0; i < n; i++) {
        double da = a[i] - ma, db = b[i] - mb, d = (double)a[i] - (double)b[i];
        saa += da * da;
        sbb += db * db;
        sab += da * db;
        se += d * d;
    }
    if (mse) *mse = n ? se / (double)n : NAN;
    if (corr) *corr = n >= 2 && saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : NAN;
}

void report_compare_log1p(const float *A, int64_t Ta, const float *B, int64_t Tb, int F, int64_t T,
                          double *corr, double *mse)
{
    double ma = 0, mb = 0, n = (double)F * (double)T;
    for (int f = 0; f < F; f++) {
        const float *a = A + (size_t)f * (size_t)Ta, *b = B + (size_t)f * (size_t)Tb;
        for (int64_t t = 0; t < T; t++) {
            ma += log1pf(a[t]);
            mb += log1pf(b[t]);
        }
    }
    if (n > 0) {
        ma /= n;
        mb /= n;
    }
    double saa = 0, sbb = 0, sab = 0, se = 0;
    for (int f = 0; f < F; f++) {
        const float *a = A + (size_t)f * (size_t)Ta, *b = B + (size_t)f * (size_t)Tb;
        for (int64_t t = 0; t < T; t++) {
            double x = log1pf(a[t]), y = log1pf(b[t]), da = x - ma, db = y - mb;
            saa += da * da;
            sbb += db * db;
            sab += da * db;
            se += (x - y) * (x - y);
        }
    }
    if (mse) *mse = n > 0 ? se / n : NAN;
    if (corr) *corr = n >= 2 && saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : NAN;
}

size_t report_base64_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

size_t report_base64(char *out, const unsigned char *in, size_t n)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = A[v >> 18];
        out[o++] = A[(v >> 12) & 63];
        out[o++] = A[(v >> 6) & 63];
        out[o++] = A[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
        out[o++] = A[v >> 18];
        out[o++] = A[(v >> 12) & 63];
        out[o++] = i + 1 < n ? A[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = 0;
    return o;
}

void report_smooth(float *out, const float *x, int64_t n, int w)
{
    int h = w / 2;
    for (int64_t i = 0; i < n; i++) {
        double s = 0;
        int k = 0;
        for (int64_t j = i - h; j <= i + h; j++) {
            if (j < 0 || j >= n || !isfinite(x[j])) continue;
            s += x[j];
            k++;
        }
        out[i] = k ? (float)(s / k) : NAN;
    }
}
