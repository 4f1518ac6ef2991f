/* input_check.c — is a signal long and loud enough for a meaningful genre (as_genre_input_check),
 * and the one RMS level definition (as_rms_dbfs). */
#include "core/internal.h"

#include <math.h>

AS_API double as_rms_dbfs(const float *y, int64_t n)
{
    if (!y || n <= 0) return -INFINITY;
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += (double)y[i] * y[i];
    double rms = sqrt(s / (double)n);
    return rms > 0 ? 20.0 * log10(rms) : -INFINITY;
}

AS_API int as_genre_input_check(const float *y, int64_t n, int sr, double *seconds, double *rms_dbfs)
{
    double sec = sr > 0 && n > 0 ? (double)n / sr : 0.0;
    double db = as_rms_dbfs(y, n);
    if (seconds) *seconds = sec;
    if (rms_dbfs) *rms_dbfs = db;
    int w = 0;
    if (sec < AS_GENRE_MIN_SECONDS) w |= AS_GENRE_WARN_SHORT;
    if (!(db >= AS_GENRE_MIN_RMS_DBFS)) w |= AS_GENRE_WARN_QUIET;
    return w;
}
