/* window.c — the periodic Hann window. */
#include "dsp/dsp.h"

#include <math.h>

// ref: scipy.signal.get_window('hann', n, fftbins=True): general_cosine over
// fac = linspace(-pi, pi, n + 1), w = 0.5 + 0.5 cos(fac), last point dropped.
void dsp_hann_double(double *w, int n)
{
    if (n <= 0) return;
    if (n == 1) {
        w[0] = 1.0; /* scipy: a window of length 1 is [1.] */
        return;
    }
    double step = (M_PI - -M_PI) / (double)n; /* linspace(-pi, pi, n + 1) */
    for (int i = 0; i < n; i++) w[i] = 0.5 + 0.5 * cos((double)i * step + -M_PI);
}

void as_hann(float *w, int n)
{
    if (!w || n <= 0) return;
    if (n == 1) {
        w[0] = 1.0f;
        return;
    }
    double step = (M_PI - -M_PI) / (double)n;
    for (int i = 0; i < n; i++) w[i] = (float)(0.5 + 0.5 * cos((double)i * step + -M_PI));
}
