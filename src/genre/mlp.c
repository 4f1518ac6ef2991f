/* mlp.c — a dense ReLU network with a softmax cross-entropy head: forward, backward, and a
 * naive double twin. Logistic regression is the same network with no hidden layer. Every GEMM
 * and ReLU is src/nn's (nn_gemm, nn_relu_*), the ones the style transfer uses. */
#include "genre/genre.h"
#include "nn/nn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- parameters ----------------------------------------------------------------------------- */

as_status genre_net_init(genre_net *n, int n_layers, const int *dims, float *block)
{
    memset(n, 0, sizeof *n);
    if (n_layers < 1 || n_layers > GENRE_MAX_LAYERS) return AS_ERR_ARG;
    size_t total = 0;
    for (int l = 0; l <= n_layers; l++) {
        if (dims[l] < 1 || dims[l] > GENRE_MAX_WIDTH) return AS_ERR_ARG;
        n->dims[l] = dims[l];
    }
    for (int l = 0; l < n_layers; l++) total += (size_t)dims[l + 1] * dims[l] + dims[l + 1];
    n->n_layers = n_layers;
    n->n_params = total;
    n->params = block ? block : calloc(total, sizeof(float));
    if (!n->params) return AS_ERR_NOMEM;
    genre_net_view(n, n->params, n->W, n->b);
    return AS_OK;
}

void genre_net_free(genre_net *n)
{
    if (!n) return;
    free(n->params);
    n->params = NULL;
}

void genre_net_view(const genre_net *n, float *block, float **W, float **b)
{
    float *p = block;
    for (int l = 0; l < n->n_layers; l++) {
        W[l] = p;
        p += (size_t)n->dims[l + 1] * n->dims[l];
        b[l] = p;
        p += n->dims[l + 1];
    }
}

void genre_net_init_weights(genre_net *n, as_rng *rng)
{
    for (int l = 0; l < n->n_layers; l++) {
        int in = n->dims[l], out = n->dims[l + 1];
        double lim = sqrt(6.0 / (in + out));
        for (size_t i = 0; i < (size_t)in * out; i++) n->W[l][i] = (float)((2 * as_rng_uniform(rng) - 1) * lim);
        memset(n->b[l], 0, (size_t)out * sizeof(float));
    }
}

/* ---- activations ---------------------------------------------------------------------------- */

as_status genre_acts_init(genre_acts *a, const genre_net *n, int B)
{
    memset(a, 0, sizeof *a);
    size_t total = 0;
    int wmax = 0;
    for (int l = 0; l <= n->n_layers; l++) {
        total += (size_t)B * n->dims[l];
        wmax = AS_MAX(wmax, n->dims[l]);
    }
    total += 2 * (size_t)B * wmax;
    a->block = malloc(total * sizeof(float));
    if (!a->block) return AS_ERR_NOMEM;
    a->B = B;
    float *p = a->block;
    for (int l = 0; l <= n->n_layers; l++) {
        a->h[l] = p;
        p += (size_t)B * n->dims[l];
    }
    a->g0 = p;
    p += (size_t)B * wmax;
    a->g1 = p;
    return AS_OK;
}

void genre_acts_free(genre_acts *a)
{
    if (!a) return;
    free(a->block);
    memset(a, 0, sizeof *a);
}

/* ---- forward / backward --------------------------------------------------------------------- */

void genre_net_forward(const genre_net *n, genre_acts *a, int B, float dropout, as_rng *rng)
{
    int train = dropout > 0 && rng;
    float keep_scale = train ? 1.0f / (1.0f - dropout) : 1.0f;
    for (int l = 0; l < n->n_layers; l++) {
        int in = n->dims[l], out = n->dims[l + 1];
        float *y = a->h[l + 1]; /* (B, out) */
        for (int r = 0; r < B; r++) memcpy(y + (size_t)r * out, n->b[l], (size_t)out * sizeof(float));
        /* y += x W^T: x (B, in), W (out, in) */
        nn_gemm(NN_NOTRANS, NN_TRANS, B, out, in, 1.0f, a->h[l], in, n->W[l], in, 1.0f, y, out);
        if (l == n->n_layers - 1) break;
        size_t m = (size_t)B * out;
        nn_relu_forward(y, (int64_t)m);
        if (train)
            for (size_t i = 0; i < m; i++)
                y[i] = as_rng_uniform(rng) < dropout ? 0.0f : y[i] * keep_scale;
    }
}

double genre_softmax_xent(const genre_net *n, genre_acts *a, int B, const int *y, int want_grad)
{
    int C = n->dims[n->n_layers];
    const float *z = a->h[n->n_layers]; /* (B, C) logits */
    double loss = 0;
    for (int r = 0; r < B; r++) {
        const float *zr = z + (size_t)r * C;
        double mx = zr[0];
        for (int c = 1; c < C; c++) mx = zr[c] > mx ? zr[c] : mx;
        double s = 0;
        for (int c = 0; c < C; c++) s += exp(zr[c] - mx);
        double lse = mx + log(s);
        loss += lse - zr[y[r]];
        if (want_grad) {
            float *g = a->g0 + (size_t)r * C; /* dL/dz = (softmax - onehot) / B */
            for (int c = 0; c < C; c++) g[c] = (float)((exp(zr[c] - lse) - (c == y[r])) / B);
        }
    }
    return loss / B;
}

void genre_net_backward(const genre_net *n, genre_acts *a, int B, float dropout, float **gW,
                        float **gb)
{
    float keep_scale = dropout > 0 ? 1.0f / (1.0f - dropout) : 1.0f;
    float *g = a->g0, *gin = a->g1; /* g: (B, dims[l+1]) gradient at layer l's output */
    for (int l = n->n_layers - 1; l >= 0; l--) {
        int in = n->dims[l], out = n->dims[l + 1];
        /* gW += g^T x: (out, in); gb += sum over rows of g */
        nn_gemm(NN_TRANS, NN_NOTRANS, out, in, B, 1.0f, g, out, a->h[l], in, 1.0f, gW[l], in);
        for (int r = 0; r < B; r++) {
            const float *gr = g + (size_t)r * out;
            for (int j = 0; j < out; j++) gb[l][j] += gr[j];
        }
        if (l == 0) break;
        /* gin = g W: (B, in), then through ReLU and dropout of layer l-1: h = relu(z) * mask,
         * so dh/dz is the mask scale where h > 0 and 0 elsewhere. */
        nn_gemm(NN_NOTRANS, NN_NOTRANS, B, in, out, 1.0f, g, out, n->W[l], in, 0.0f, gin, in);
        const float *h = a->h[l];
        size_t m = (size_t)B * in;
        nn_relu_backward(gin, h, (int64_t)m);
        if (keep_scale != 1.0f)
            for (size_t i = 0; i < m; i++) gin[i] *= keep_scale; /* 0 stays 0: bit-identical */
        float *t = g;
        g = gin;
        gin = t;
    }
}

double genre_net_loss_naive(const genre_net *n, const double *x, const int *y, int B)
{
    int wmax = 0;
    for (int l = 0; l <= n->n_layers; l++) wmax = AS_MAX(wmax, n->dims[l]);
    double *cur = malloc(sizeof(double) * wmax), *nxt = malloc(sizeof(double) * wmax);
    if (!cur || !nxt) {
        free(cur);
        free(nxt);
        return NAN;
    }
    double loss = 0;
    for (int r = 0; r < B; r++) {
        memcpy(cur, x + (size_t)r * n->dims[0], sizeof(double) * n->dims[0]);
        for (int l = 0; l < n->n_layers; l++) {
            int in = n->dims[l], out = n->dims[l + 1];
            for (int j = 0; j < out; j++) {
                double s = n->b[l][j];
                for (int k = 0; k < in; k++) s += (double)n->W[l][(size_t)j * in + k] * cur[k];
                nxt[j] = (l < n->n_layers - 1 && s < 0) ? 0 : s;
            }
            double *t = cur;
            cur = nxt;
            nxt = t;
        }
        int C = n->dims[n->n_layers];
        double mx = cur[0];
        for (int c = 1; c < C; c++) mx = cur[c] > mx ? cur[c] : mx;
        double s = 0;
        for (int c = 0; c < C; c++) s += exp(cur[c] - mx);
        loss += mx + log(s) - cur[y[r]];
    }
    free(cur);
    free(nxt);
    return loss / B;
}
