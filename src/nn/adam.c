/* adam.c — Adam (Kingma & Ba), the Keras formulation. ref: tf.keras.optimizers.Adam(lr,
 * beta_1=0.9, beta_2=0.999, epsilon=1e-7): lr_t = lr sqrt(1 - b2^t) / (1 - b1^t),
 * x -= lr_t m / (sqrt(v) + eps). */
#include "nn/nn.h"

#include <math.h>

void nn_adam_step(nn_adam *a, float *x, const float *g, float *m, float *v, int64_t n)
{
    a->t++;
    double lr_t = a->lr * sqrt(1.0 - pow(a->beta2, (double)a->t)) / (1.0 - pow(a->beta1, (double)a->t));
    float b1 = (float)a->beta1, b2 = (float)a->beta2, eps = (float)a->eps, lr = (float)lr_t;
    for (int64_t i = 0; i < n; i++) {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        x[i] -= lr * m[i] / (sqrtf(v[i]) + eps);
    }
}
