/* gram.c — the style loss of the style transfer, sum (G(F(x)) - G(F(s)))^2 with G(F) = F^T F / T,
 * in two algebraically equal forms. ref: the TF notebook's 2 * tf.nn.l2_loss(G - Gs).
 *
 * The N x N form builds both Grams. The exact T'xT' form never does: with A = F F^T and
 * B = F Fs^T,
 *     |F^T F|^2 = |F F^T|^2 = |A|^2   and   <F^T F, Fs^T Fs> = |F Fs^T|^2 = |B|^2,
 * so the loss and its gradient (4/dx^2) A F - (4/(dx ds)) B Fs need only To x To and To x Tso
 * products, which is cheaper whenever To + Tso < N. */
#include "nn/nn.h"

void nn_gram(float *G, const float *F, int64_t To, int N, float scale)
{
    nn_gemm(NN_TRANS, NN_NOTRANS, N, N, To, scale, F, N, F, N, 0.0f, G, N);
}

double nn_style_loss_gram(float *dF, float *G, const float *F, const float *Gs, int64_t To, int N,
                          double div_x, double w)
{
    nn_gram(G, F, To, N, (float)(1.0 / div_x));
    int64_t nn = (int64_t)N * N;
    double s = 0;
    for (int64_t i = 0; i < nn; i++) {
        G[i] -= Gs[i];
        s += (double)G[i] * G[i];
    }
    /* d/dF sum (F^T F / dx - Gs)^2 = (4 / dx) F D, D symmetric */
    nn_gemm(NN_NOTRANS, NN_NOTRANS, To, N, N, (float)(4.0 * w / div_x), F, N, G, N, 1.0f, dF, N);
    return w * s;
}

double nn_style_loss_exact(float *dF, float *A, float *B, const float *F, const float *Fs,
                           int64_t To, int64_t Tso, int N, double div_x, double div_s, double ss,
                           double w)
{
    nn_gemm(NN_NOTRANS, NN_TRANS, To, To, N, 1.0f, F, N, F, N, 0.0f, A, To);
    nn_gemm(NN_NOTRANS, NN_TRANS, To, Tso, N, 1.0f, F, N, Fs, N, 0.0f, B, Tso);
    double aa = nn_sumsq(A, To * To), bb = nn_sumsq(B, To * Tso);
    double loss = aa / (div_x * div_x) - 2.0 * bb / (div_x * div_s) + ss;
    nn_gemm(NN_NOTRANS, NN_NOTRANS, To, N, To, (float)(4.0 * w / (div_x * div_x)), A, To, F, N,
            1.0f, dF, N);
    nn_gemm(NN_NOTRANS, NN_NOTRANS, To, N, Tso, (float)(-4.0 * w / (div_x * div_s)), B, Tso, Fs,
            N, 1.0f, dF, N);
    return w * loss;
}
