/* dct.c — the orthonormal DCT-II as a matrix (MFCC). */
#include "dsp/dsp.h"

#include <math.h>

// ref: scipy.fftpack.dct(x, type=2, norm='ortho') as librosa.feature.mfcc 0.7.2 applies it
// along the mel axis: c[q] = a_q sum_m x[m] cos(pi q (2m + 1) / (2 n_in)).
void as_dct_matrix(float *D, int n_out, int n_in)
{
    if (!D || n_out <= 0 || n_in <= 0) return;
    const double a0 = sqrt(1.0 / n_in), a = sqrt(2.0 / n_in);
    for (int q = 0; q < n_out; q++)
        for (int m = 0; m < n_in; m++) {
            /* reduce the angle's integer part exactly before cos for large q * m */
            long long num = (long long)q * (2LL * m + 1) % (4LL * n_in);
            double c = cos(M_PI * (double)num / (2.0 * n_in));
            D[(size_t)q * n_in + m] = (float)((q == 0 ? a0 : a) * c);
        }
}
