/* act.c — ReLU forward and backward. */
#include "nn/nn.h"

void nn_relu_forward(float *x, int64_t n)
{
    for (int64_t i = 0; i < n; i++) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void nn_relu_backward(float *dx, const float *y, int64_t n)
{
    for (int64_t i = 0; i < n; i++) dx[i] = y[i] > 0.0f ? dx[i] : 0.0f;
}
