/* conv1d.c — the one convolution of the style transfer: C input channels (frequency bins), N
 * filters, kernel width K along time, no bias, cross-correlation (no kernel flip).
 *
 * Without im2col: with the input time-contiguous (C, ld) and the weights re-laid as Wk (K, C, N),
 * the output is a sum of K products of shifted views,
 *     out (To, N) = sum_j in[:, j : j + To]^T (To, C) . Wk[j] (C, N),
 * each one sgemm reading the input in place (lda = ld). The input gradient is the transpose,
 *     din[:, j : j + To] += Wk[j] (C, N) . dout^T (N, To),
 * K sgemms writing shifted, overlapping views with beta = 1 (ldc = ld). */
#include "nn/nn.h"

void nn_conv1d_relayout(float *Wk, const float *W, int C, int N, int K)
{
    for (int n = 0; n < N; n++)
        for (int k = 0; k < C; k++)
            for (int j = 0; j < K; j++)
                Wk[((size_t)j * C + k) * N + n] = W[((size_t)n * C + k) * K + j];
}

void nn_conv1d_forward(float *out, const float *in, int64_t ld, const float *Wk, int C, int N,
                       int K, int64_t To)
{
    // ref: torch.nn.functional.conv1d(in[None], W) -> (1, N, To), here stored transposed (To, N)
    for (int j = 0; j < K; j++)
        nn_gemm(NN_TRANS, NN_NOTRANS, To, N, C, 1.0f, in + j, ld, Wk + (size_t)j * C * N, N,
                j == 0 ? 0.0f : 1.0f, out, N);
}

void nn_conv1d_backward(float *din, int64_t ld, const float *dout, const float *Wk, int C, int N,
                        int K, int64_t To)
{
    for (int j = 0; j < K; j++)
        nn_gemm(NN_NOTRANS, NN_TRANS, C, To, N, 1.0f, Wk + (size_t)j * C * N, N, dout, N, 1.0f,
                din + j, ld);
}

void nn_conv1d_forward_naive(float *out, const float *in, int64_t ld, const float *W, int C,
                             int N, int K, int64_t To)
{
    for (int64_t t = 0; t < To; t++)
        for (int n = 0; n < N; n++) {
            double s = 0;
            for (int k = 0; k < C; k++)
                for (int j = 0; j < K; j++)
                    s += (double)W[((size_t)n * C + k) * K + j] * in[(size_t)k * ld + t + j];
            out[t * N + n] = (float)s;
        }
}

void nn_conv1d_backward_naive(float *din, int64_t ld, const float *dout, const float *W, int C,
                              int N, int K, int64_t To)
{
    int64_t Tin = To + K - 1;
    for (int k = 0; k < C; k++)
        for (int64_t u = 0; u < Tin; u++) {
            double s = 0;
            for (int j = 0; j < K; j++) {
                int64_t t = u - j;
                if (t < 0 || t >= To) continue;
                for (int n = 0; n < N; n++)
                    s += (double)W[((size_t)n * C + k) * K + j] * dout[t * N + n];
            }
            din[(size_t)k * ld + u] = (float)(din[(size_t)k * ld + u] + s);
        }
}
