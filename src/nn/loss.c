/* loss.c — the content loss of the style transfer. ref: the TF notebook's
 * alpha * 2 * tf.nn.l2_loss(F(x) - F(c)). */
#include "nn/nn.h"

double nn_content_loss(float *dF, const float *F, const float *Fc, int64_t n, double alpha)
{
    double s = 0;
    float two_a = (float)(2.0 * alpha);
    for (int64_t i = 0; i < n; i++) {
        float d = F[i] - Fc[i];
        s += (double)d * d;
        dF[i] = two_a * d;
    }
    return alpha * s;
}

double nn_sumsq(const float *x, int64_t n)
{
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += (double)x[i] * x[i];
    return s;
}
