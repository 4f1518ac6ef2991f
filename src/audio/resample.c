/* resample.c — sample-rate conversion with libsoxr, as librosa.load does it.
 *
 * ref: librosa.resample(y, orig_sr, target_sr, res_type='soxr_hq') (librosa >= 0.10; python-soxr
 * resample(quality='HQ') is soxr_oneshot, then librosa.util.fix_length to
 * n_out = int(np.ceil(n * (target_sr / orig_sr)))).
 *
 * Alignment: libsoxr removes its own filter delay from what it hands back (its first output
 * sample is at input time 0), as long as the whole input is announced as final (the `~ilen`
 * convention of soxr_process, which soxr_oneshot uses) so that the filter tail is flushed.
 * We feed the whole signal at once with that flag and keep draining until soxr has nothing
 * left, then trim or zero-pad to n_out exactly (fix_length), so nothing depends on how soxr
 * chunks its work. The tests check the alignment (a sine keeps its phase) and the length rule.
 */
#include "audio.h"

#include <math.h>
#include <soxr.h>
#include <stdlib.h>
#include <string.h>

#define AS_MAX_RATE 1000000 /* above this a "sample rate" is a corrupt header, not audio */

/* ref: librosa resample: int(np.ceil(y.shape[-1] * (target_sr / orig_sr))) in double. */
static int64_t resampled_length(int64_t n, int sr_in, int sr_out)
{
    return (int64_t)ceil((double)n * ((double)sr_out / (double)sr_in));
}

AS_API as_status as_resample(const float *x, int64_t n, int sr_in, int sr_out, float **out,
                             int64_t *n_out)
{
    if (!out || !n_out || n < 0 || (n > 0 && !x) || sr_in <= 0 || sr_out <= 0 ||
        sr_in > AS_MAX_RATE || sr_out > AS_MAX_RATE)
        return AS_ERR_ARG;
    *out = NULL;
    *n_out = 0;
    int64_t want = n > 0 ? resampled_length(n, sr_in, sr_out) : 0;
    size_t bytes;
    if (want > (int64_t)(SIZE_MAX / sizeof(float)) - 64 ||
        as__mul_size((size_t)want + 64, sizeof(float), &bytes))
        return AS_ERR_NOMEM;
    float *y = malloc(bytes);
    if (!y) return AS_ERR_NOMEM;
    if (n == 0) {
        *out = y;
        return AS_OK;
    }
    if (sr_in == sr_out) {
        memcpy(y, x, (size_t)n * sizeof(float));
        *out = y;
        *n_out = n;
        return AS_OK;
    }

    soxr_error_t e = NULL;
    soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
    soxr_runtime_spec_t rt = soxr_runtime_spec(1);
    soxr_t s = soxr_create((double)sr_in, (double)sr_out, 1, &e, &io, &q, &rt);
    if (!s || e) {
        free(y);
        as__log(AS_LOG_ERROR, "soxr_create(%d -> %d): %s", sr_in, sr_out, e ? e : "failed");
        return AS_ERR_INTERNAL;
    }
    /* Room for a few samples more than wanted, so that a short soxr output is seen as short
     * (padded) and a long one is trimmed, never truncated inside soxr. */
    size_t cap = (size_t)want + 64, done = 0, idone = 0, odone = 0;
    /* ~n: "this is all the input" — soxr then flushes its filter tail. */
    e = soxr_process(s, x, ~(size_t)n, &idone, y, cap, &odone);
    done = odone;
    while (!e && done < cap) {
        odone = 0;
        e = soxr_process(s, NULL, 0, NULL, y + done, cap - done, &odone);
        if (odone == 0) break;
        done += odone;
    }
    soxr_delete(s);
    if (e) {
        free(y);
        as__log(AS_LOG_ERROR, "soxr_process(%d -> %d): %s", sr_in, sr_out, e);
        return AS_ERR_INTERNAL;
    }
    /* ref: librosa.util.fix_length: zero-pad or trim to exactly `want`. */
    if ((int64_t)done < want) memset(y + done, 0, ((size_t)want - done) * sizeof(float));
    *out = y;
    *n_out = want;
    return AS_OK;
}
