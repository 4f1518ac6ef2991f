/* stft.c — the STFT object (plans, window) and the forward transform. */
#include "dsp/dsp.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* FFTW's planner is not thread-safe: every plan in the library is made under this lock. */
static pthread_mutex_t fftw_lock = PTHREAD_MUTEX_INITIALIZER;

void *dsp_alloc(size_t bytes) { return bytes ? fftwf_malloc(bytes) : NULL; }
void dsp_free(void *p)
{
    if (p) fftwf_free(p);
}

int dsp_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Plans on freshly aligned scratch arrays, so any dsp_alloc'd array can be passed later. */
static fftwf_plan plan_real(int n, int forward)
{
    if (n <= 0) return NULL;
    size_t F = (size_t)n / 2 + 1;
    float *r = dsp_alloc(sizeof(float) * (size_t)n);
    fftwf_complex *c = dsp_alloc(sizeof(fftwf_complex) * F);
    fftwf_plan p = NULL;
    if (r && c) {
        pthread_mutex_lock(&fftw_lock);
        p = forward ? fftwf_plan_dft_r2c_1d(n, r, c, FFTW_ESTIMATE)
                    : fftwf_plan_dft_c2r_1d(n, c, r, FFTW_ESTIMATE);
        pthread_mutex_unlock(&fftw_lock);
    }
    dsp_free(r);
    dsp_free(c);
    return p;
}

fftwf_plan dsp_plan_r2c(int n) { return plan_real(n, 1); }
fftwf_plan dsp_plan_c2r(int n) { return plan_real(n, 0); }

void dsp_plan_destroy(fftwf_plan p)
{
    if (!p) return;
    pthread_mutex_lock(&fftw_lock);
    fftwf_destroy_plan(p);
    pthread_mutex_unlock(&fftw_lock);
}

as_stft *as_stft_create(int n_fft, int hop, as_status *status)
{
    as_status st = AS_ERR_ARG;
    as_stft *s = NULL;
    /* even n_fft: F = n_fft/2 + 1 bins and n_fft = 2 (F - 1), as librosa's istft infers it */
    if (n_fft < 2 || n_fft % 2 || n_fft > (1 << 24) || hop < 1 || hop > n_fft) goto fail;
    st = AS_ERR_NOMEM;
    s = calloc(1, sizeof *s);
    if (!s) goto fail;
    s->n_fft = n_fft;
    s->hop = hop;
    s->F = n_fft / 2 + 1;
    s->window = malloc(sizeof(float) * (size_t)n_fft);
    s->window_sq = malloc(sizeof(double) * (size_t)n_fft);
    if (!s->window || !s->window_sq) goto fail;
    dsp_hann_double(s->window_sq, n_fft);
    for (int i = 0; i < n_fft; i++) {
        s->window[i] = (float)s->window_sq[i];
        s->window_sq[i] = s->window_sq[i] * s->window_sq[i];
    }
    s->k = dsp_pick_kernels();
    s->r2c = dsp_plan_r2c(n_fft);
    s->c2r = dsp_plan_c2r(n_fft);
    if (!s->r2c || !s->c2r) goto fail;
    if (status) *status = AS_OK;
    return s;
fail:
    as_stft_destroy(s);
    if (status) *status = st;
    return NULL;
}

void as_stft_destroy(as_stft *s)
{
    if (!s) return;
    dsp_plan_destroy(s->r2c);
    dsp_plan_destroy(s->c2r);
    free(s->window);
    free(s->window_sq);
    free(s);
}

int as_stft_n_fft(const as_stft *s) { return s ? s->n_fft : 0; }
int as_stft_hop(const as_stft *s) { return s ? s->hop : 0; }
int as_stft_bins(const as_stft *s) { return s ? s->F : 0; }

int64_t as_stft_frames(const as_stft *s, int64_t n, int center)
{
    if (!s || n < 0) return 0;
    if (center) return 1 + n / s->hop;
    return n < s->n_fft ? 0 : 1 + (n - s->n_fft) / s->hop;
}

/* ypad[j] for the padded signal, j in [0, n + n_fft) when centred. np.pad 'reflect' mirrors
 * without repeating the edge sample: ypad[h - i] = y[i], ypad[h + n - 1 + i] = y[n - 1 - i]. */
static inline float padded_at(const float *y, int64_t n, int64_t i, int pad_mode)
{
    if (i >= 0 && i < n) return y[i];
    if (pad_mode == AS_PAD_CONSTANT) return 0.0f;
    if (i < 0) return y[-i];           /* needs n > h (checked by the callers) */
    return y[2 * (n - 1) - i];
}

void dsp_stft_get_frame(const as_stft *s, const float *y, int64_t n, int center, int pad_mode,
                        int64_t t, float *frame)
{
    int64_t start = t * s->hop - (center ? s->n_fft / 2 : 0);
    int n_fft = s->n_fft;
    if (start >= 0 && start + n_fft <= n) {
        memcpy(frame, y + start, sizeof(float) * (size_t)n_fft);
        return;
    }
    for (int j = 0; j < n_fft; j++) frame[j] = padded_at(y, n, start + j, pad_mode);
}

static as_status check_forward(const as_stft *s, const float *y, int64_t n, int center,
                               int pad_mode, const float *X)
{
    if (!s || !y || !X || n < 0) return AS_ERR_ARG;
    if (n == 0) return AS_ERR_EMPTY;
    if (pad_mode != AS_PAD_REFLECT && pad_mode != AS_PAD_CONSTANT) return AS_ERR_ARG;
    /* librosa (np.pad reflect inside a frame check) cannot reflect a signal that is not longer
     * than the pad; we refuse rather than reflect repeatedly. */
    if (center && pad_mode == AS_PAD_REFLECT && n <= s->n_fft / 2) return AS_ERR_ARG;
    return AS_OK;
}

/* One windowed frame through the r2c plan (tmp holds edge frames while they are padded). */
static void frame_fft(const as_stft *s, const float *y, int64_t n, int center, int pad_mode,
                      int64_t t, float *tmp, float *rbuf, fftwf_complex *cbuf)
{
    int64_t start = t * s->hop - (center ? s->n_fft / 2 : 0);
    const float *src = y + start;
    if (start < 0 || start + s->n_fft > n) {
        dsp_stft_get_frame(s, y, n, center, pad_mode, t, tmp);
        src = tmp;
    }
    s->k.mul(rbuf, src, s->window, s->n_fft);
    fftwf_execute_dft_r2c(s->r2c, rbuf, cbuf);
}

// ref: librosa.stft(y, n_fft, hop_length, window='hann', center, pad_mode) 0.7.2
as_status dsp_stft_frames(const as_stft *s, const float *y, int64_t n, int center, int pad_mode,
                          float *Xf)
{
    as_status st = check_forward(s, y, n, center, pad_mode, Xf);
    if (st != AS_OK) return st;
    int64_t T = as_stft_frames(s, n, center);
    float *rbuf = dsp_alloc(sizeof(float) * 2 * (size_t)s->n_fft);
    float *tmp = rbuf ? rbuf + s->n_fft : NULL;
    fftwf_complex *cbuf = dsp_alloc(sizeof(fftwf_complex) * (size_t)s->F);
    if (!rbuf || !cbuf) {
        dsp_free(rbuf);
        dsp_free(cbuf);
        return AS_ERR_NOMEM;
    }
    for (int64_t t = 0; t < T; t++) {
        frame_fft(s, y, n, center, pad_mode, t, tmp, rbuf, cbuf);
        memcpy(Xf + (size_t)t * s->F * 2, cbuf, sizeof(fftwf_complex) * (size_t)s->F);
    }
    dsp_free(rbuf);
    dsp_free(cbuf);
    return AS_OK;
}

as_status as_stft_forward(const as_stft *s, const float *y, int64_t n, int center, int pad_mode,
                          float *X)
{
    as_status st = check_forward(s, y, n, center, pad_mode, X);
    if (st != AS_OK) return st;
    int64_t T = as_stft_frames(s, n, center);
    const int F = s->F, B = 16; /* frames per block: transposed through a small buffer */
    const int Fs = (F + 7) & ~7; /* 64-byte row stride keeps every row as aligned as the plan's */
    float *rbuf = dsp_alloc(sizeof(float) * 2 * (size_t)s->n_fft);
    float *tmp = rbuf ? rbuf + s->n_fft : NULL;
    fftwf_complex *cbuf = dsp_alloc(sizeof(fftwf_complex) * (size_t)Fs * B);
    if (!rbuf || !cbuf) {
        dsp_free(rbuf);
        dsp_free(cbuf);
        return AS_ERR_NOMEM;
    }
    for (int64_t t0 = 0; t0 < T; t0 += B) {
        int nb = (int)AS_MIN((int64_t)B, T - t0);
        for (int b = 0; b < nb; b++)
            frame_fft(s, y, n, center, pad_mode, t0 + b, tmp, rbuf, cbuf + (size_t)b * Fs);
        /* (F, T, 2): time contiguous */
        for (int k = 0; k < F; k++) {
            float *row = X + ((size_t)k * (size_t)T + (size_t)t0) * 2;
            for (int b = 0; b < nb; b++) {
                row[2 * b] = cbuf[(size_t)b * Fs + k][0];
                row[2 * b + 1] = cbuf[(size_t)b * Fs + k][1];
            }
        }
    }
    dsp_free(rbuf);
    dsp_free(cbuf);
    return AS_OK;
}
