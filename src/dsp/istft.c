/* istft.c — inverse STFT by window-sum normalised overlap-add (librosa 0.7.2 istft). */
#include "dsp/dsp.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

// ref: librosa.filters.window_sumsquare(window='hann', n_frames, hop_length, n_fft, norm=None,
// dtype=float32) 0.7.2: a float32 buffer += the float64 squared window, frame by frame. Sample p
// thus sums win_sq[p - t hop] over its frames t in ascending order; where every frame that can
// cover p exists, that sum depends only on p mod hop, so the interior repeats with period hop.
static float wss_at(const as_stft *s, int64_t nf, int64_t p)
{
    int64_t tlo = p - s->n_fft + 1 <= 0 ? 0 : (p - s->n_fft + 1 + s->hop - 1) / s->hop;
    int64_t thi = AS_MIN(nf - 1, p / s->hop);
    float acc = 0.0f;
    for (int64_t t = tlo; t <= thi; t++) acc = (float)((double)acc + s->window_sq[p - t * s->hop]);
    return acc;
}

void dsp_window_sumsquare(const as_stft *s, int64_t nf, float *wss)
{
    int64_t L = nf > 0 ? s->n_fft + (int64_t)s->hop * (nf - 1) : 0;
    int64_t full0 = s->n_fft - 1, full1 = nf * s->hop; /* covered by every possible frame */
    for (int64_t p = 0; p < L; p++) {
        if (p >= full0 + s->hop && p < full1)
            wss[p] = wss[p - s->hop];
        else
            wss[p] = wss_at(s, nf, p);
    }
}

// ref: librosa.istft 0.7.2: `if length:` trims the frames to ceil((length + n_fft) / hop).
int64_t dsp_istft_frames_used(const as_stft *s, int64_t T, int64_t length)
{
    if (length < 0) return T;
    int64_t need = (length + s->n_fft + s->hop - 1) / s->hop;
    return AS_MIN(T, need);
}

int64_t as_istft_length(const as_stft *s, int64_t T, int64_t length)
{
    if (!s) return 0;
    if (length >= 0) return length;
    return T > 0 ? (int64_t)s->hop * (T - 1) : 0;
}

/* X[k, t] at X + (k * ks + t * ts) * 2 (interleaved complex), so both layouts share the code. */
static as_status istft_core(const as_stft *s, const float *X, int64_t T, int64_t ks, int64_t ts,
                            int64_t length, float *y, int64_t *n_out)
{
    if (!s || (!X && T > 0) || T < 0) return AS_ERR_ARG;
    int64_t n = as_istft_length(s, T, length);
    if (n_out) *n_out = n;
    if (n > 0 && !y) return AS_ERR_ARG;
    int64_t nf = dsp_istft_frames_used(s, T, length);
    if (nf <= 0) {
        if (n > 0) memset(y, 0, sizeof(float) * (size_t)n);
        return AS_OK;
    }
    const int n_fft = s->n_fft, F = s->F, h = n_fft / 2, B = 16; /* frames per gather block */
    const int Fs = (F + 7) & ~7; /* 64-byte row stride keeps every row as aligned as the plan's */
    const int64_t L = n_fft + (int64_t)s->hop * (nf - 1);
    const float inv_n = 1.0f / (float)n_fft; /* a power of two for even sizes: exact scaling */
    float *buf = calloc((size_t)L, sizeof(float));
    float *wss = malloc(sizeof(float) * (size_t)L);
    float *rbuf = dsp_alloc(sizeof(float) * 2 * (size_t)n_fft);
    float *tmp = rbuf ? rbuf + n_fft : NULL;
    fftwf_complex *cbuf = dsp_alloc(sizeof(fftwf_complex) * (size_t)Fs * B);
    as_status st = AS_ERR_NOMEM;
    if (!buf || !wss || !rbuf || !cbuf) goto done;
    for (int64_t t0 = 0; t0 < nf; t0 += B) {
        int nb = (int)AS_MIN((int64_t)B, nf - t0);
        /* gather B frames; with (F, T) input the inner loop reads along time (contiguous) */
        for (int k = 0; k < F; k++)
            for (int b = 0; b < nb; b++) {
                const float *x = X + ((size_t)k * (size_t)ks + (size_t)(t0 + b) * (size_t)ts) * 2;
                cbuf[(size_t)b * Fs + k][0] = x[0];
                cbuf[(size_t)b * Fs + k][1] = x[1];
            }
        for (int b = 0; b < nb; b++) {
            fftwf_complex *cb = cbuf + (size_t)b * Fs;
            cb[0][1] = 0.0f; /* irfft ignores the imaginary parts of DC and Nyquist */
            cb[F - 1][1] = 0.0f;
            fftwf_execute_dft_c2r(s->c2r, cb, rbuf);
            s->k.mul_scaled(tmp, s->window, rbuf, inv_n, n_fft); /* w * (irfft / n_fft) */
            s->k.add(buf + (t0 + b) * s->hop, tmp, n_fft);
        }
    }
    dsp_window_sumsquare(s, nf, wss);
    for (int64_t i = 0; i < L; i++) /* divide only where the sum > tiny: x / 1 = x elsewhere */
        if (!(wss[i] > FLT_MIN)) wss[i] = 1.0f;
    s->k.div(buf, wss, L);
    /* drop the centre padding, then fix_length (truncate or zero-pad at the end) */
    int64_t avail = AS_MAX((int64_t)0, AS_MIN(n, L - h));
    if (avail > 0) memcpy(y, buf + h, sizeof(float) * (size_t)avail);
    if (n > avail) memset(y + avail, 0, sizeof(float) * (size_t)(n - avail));
    st = AS_OK;
done:
    free(buf);
    free(wss);
    dsp_free(rbuf);
    dsp_free(cbuf);
    return st;
}

// ref: librosa.istft(stft_matrix, hop_length, window='hann', center=True, length) 0.7.2
as_status as_istft(const as_stft *s, const float *X, int64_t T, int64_t length, float *y,
                   int64_t *n_out)
{
    return istft_core(s, X, T, T, 1, length, y, n_out);
}

as_status dsp_istft_frames(const as_stft *s, const float *Xf, int64_t T, int64_t length,
                           float *y, int64_t *n_out)
{
    return istft_core(s, Xf, T, 1, s ? s->F : 0, length, y, n_out);
}
