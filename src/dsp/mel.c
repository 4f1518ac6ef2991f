/* mel.c — the Slaney mel scale and filterbank (librosa 0.7.2, htk=False, norm=1). */
#include "dsp/dsp.h"

#include <math.h>
#include <stdlib.h>

#define MEL_F_SP (200.0 / 3.0)
#define MEL_MIN_LOG_HZ 1000.0
#define MEL_MIN_LOG_MEL ((MEL_MIN_LOG_HZ - 0.0) / MEL_F_SP)

// ref: librosa.core.hz_to_mel(f, htk=False) 0.7.2
double as_hz_to_mel(double hz)
{
    const double logstep = log(6.4) / 27.0;
    if (hz >= MEL_MIN_LOG_HZ) return MEL_MIN_LOG_MEL + log(hz / MEL_MIN_LOG_HZ) / logstep;
    return (hz - 0.0) / MEL_F_SP;
}

// ref: librosa.core.mel_to_hz(m, htk=False) 0.7.2
double as_mel_to_hz(double mel)
{
    const double logstep = log(6.4) / 27.0;
    if (mel >= MEL_MIN_LOG_MEL) return MEL_MIN_LOG_HZ * exp(logstep * (mel - MEL_MIN_LOG_MEL));
    return 0.0 + MEL_F_SP * mel;
}

/* np.linspace(a, b, n)[i] (endpoint included, last point exactly b). */
static double linspace_at(double a, double b, int n, int i)
{
    if (n == 1) return a;
    if (i == n - 1) return b;
    return (double)i * ((b - a) / (double)(n - 1)) + a;
}

// ref: librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False, norm=1, dtype=float32)
// 0.7.2: the triangles are stored as float32, then multiplied in double by 2 / (f[i+2] - f[i]).
as_status as_mel_filterbank(float *M, int sr, int n_fft, int n_mels, double fmin, double fmax)
{
    if (!M || sr <= 0 || n_fft < 2 || n_mels < 1 || fmin < 0 || !isfinite(fmin) ||
        !isfinite(fmax))
        return AS_ERR_ARG;
    if (fmax <= 0) fmax = (double)sr / 2.0;
    if (fmax <= fmin) return AS_ERR_ARG;
    const int F = n_fft / 2 + 1;
    double *mel_f = malloc(sizeof(double) * (size_t)(n_mels + 2));
    double *fft_f = malloc(sizeof(double) * (size_t)F);
    if (!mel_f || !fft_f) {
        free(mel_f);
        free(fft_f);
        return AS_ERR_NOMEM;
    }
    const double min_mel = as_hz_to_mel(fmin), max_mel = as_hz_to_mel(fmax);
    for (int i = 0; i < n_mels + 2; i++)
        mel_f[i] = as_mel_to_hz(linspace_at(min_mel, max_mel, n_mels + 2, i));
    for (int k = 0; k < F; k++) fft_f[k] = linspace_at(0.0, (double)sr / 2.0, F, k);
    for (int i = 0; i < n_mels; i++) {
        const double fd0 = mel_f[i + 1] - mel_f[i], fd1 = mel_f[i + 2] - mel_f[i + 1];
        const double enorm = 2.0 / (mel_f[i + 2] - mel_f[i]);
        for (int k = 0; k < F; k++) {
            double lower = -(mel_f[i] - fft_f[k]) / fd0;
            double upper = (mel_f[i + 2] - fft_f[k]) / fd1;
            double w = lower < upper ? lower : upper;
            float wf = (float)(w > 0.0 ? w : 0.0);
            M[(size_t)i * F + k] = (float)((double)wf * enorm);
        }
    }
    free(mel_f);
    free(fft_f);
    return AS_OK;
}
