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

/* AdamW (Loshchilov & Hutter), the genre classifier's optimiser: bias-corrected moments, epsilon
 * outside the square root of v-hat, decoupled weight decay. Per coordinate, in double:
 *     m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2  (stored as float),
 *     x -= lr ((m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) + wd x).
 * ref: torch.optim.AdamW(lr, betas=(0.9, 0.999), eps, weight_decay) (the same update, written
 * as one expression: torch first scales x by (1 - lr wd), identical in exact arithmetic). */
void nn_adamw_step(nn_adamw *a, float *x, const float *g, float *m, float *v, int64_t n)
{
    a->t++;
    double b1 = a->beta1, b2 = a->beta2;
    double c1 = 1 - pow(b1, (double)a->t), c2 = 1 - pow(b2, (double)a->t);
    for (int64_t i = 0; i < n; i++) {
        double gi = g[i];
        m[i] = (float)(b1 * m[i] + (1 - b1) * gi);
        v[i] = (float)(b2 * v[i] + (1 - b2) * gi * gi);
        double upd = (m[i] / c1) / (sqrt(v[i] / c2) + a->eps) + a->weight_decay * x[i];
        x[i] = (float)(x[i] - a->lr * upd);
    }
}
