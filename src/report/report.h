/* report.h — internals of the journey report (src/report): per-frame descriptors, similarity
 * metrics, base64 and the chroma picture. Not exported. */
#ifndef AS_REPORT_H
#define AS_REPORT_H

#include "core/internal.h"

#include <stddef.h>
#include <stdint.h>

/* Spectral flatness per frame from a power spectrogram P = |X|^2 (T, F) frame-major:
 * exp(mean(log(max(P, amin)))) / mean(max(P, amin)), amin = 1e-10.
 * ref: librosa.feature.spectral_flatness(S=|X|, power=2.0, amin=1e-10). */
void report_flatness(double *out /* (T,) */, const float *P /* (T, F) */, int64_t T, int F);

/* Pearson correlation and mean squared error of a and b (n values), accumulated in double.
 * corr is NaN when either has zero variance or n < 2. */
void report_compare(const float *a, const float *b, size_t n, double *corr, double *mse);

/* report_compare of log(1 + A) and log(1 + B) over the first T columns of two row-major
 * (F, Ta) and (F, Tb) arrays (T <= Ta, Tb), without copies: two passes in double. */
void report_compare_log1p(const float *A, int64_t Ta, const float *B, int64_t Tb, int F, int64_t T,
                          double *corr, double *mse);

/* Standard base64 (RFC 4648, '+' '/', '=' padding) of n bytes into out, which needs
 * report_base64_len(n) + 1 bytes; NUL-terminated. Returns the length written. */
size_t report_base64_len(size_t n);
size_t report_base64(char *out, const unsigned char *in, size_t n);

/* Centred moving mean over w points (odd), ignoring non-finite values (NaN where a window has
 * none). In place is not allowed. */
void report_smooth(float *out, const float *x, int64_t n, int w);

/* chroma_plot.c: three chroma maps (T_k, 12) frame-major, values in [0, 1], side by side with
 * pitch-class rows C..B (bottom to top) and a time axis (hop 512 at 22050 Hz), as PNG. */
as_status report_chroma_png(const char *path, const float *const chroma[3], const int64_t T[3],
                            const char *const titles[3], int width, int height, as_error *err);

/* Genre probabilities of the three tracks as grouped horizontal bars (one group per class, one
 * bar per track in the series colours, legend on top), as PNG. */
as_status report_genres_png(const char *path, const double *const probs[3], const char *const *labels,
                            int C, const char *const names[3], int width, as_error *err);

#endif
