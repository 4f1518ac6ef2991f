/* branch.c — a second random layer in parallel with the first (docs/notes-tonal.md): its input
 * is the spectrogram reduced by a fixed projection P (mel bands: Barry & Kim, "Transferring
 * musical style without learning it using random convolutions", WASPAA 2017, parallel random
 * networks on several time-frequency representations), or the spectrogram itself with another
 * kernel width (several widths in parallel). P is linear, so
 *
 *   xm = P x                 (B, T)
 *   L  = L_nst(xm)           (nst.c: content + style terms of the branch's own features)
 *   dL/dx = P^T dL/dxm       (C, T)
 *
 * Nothing allocates after nn_branch_create. */
#include "nn/nn.h"

#include <stdlib.h>
#include <string.h>

size_t nn_branch_bytes(int C, const nn_nst_shape *inner)
{
    int64_t Tm = AS_MAX(inner->T, inner->Ts);
    size_t f = (size_t)inner->C * (size_t)C + 2 * (size_t)inner->C * (size_t)inner->T +
               (size_t)inner->C * (size_t)Tm;
    return sizeof(nn_branch) + f * sizeof(float) + nn_nst_bytes(inner, NULL);
}

as_status nn_branch_create(nn_branch **out, int C, const float *P, const nn_nst_shape *inner)
{
    *out = NULL;
    if (C < 1 || inner->C < 1 || (!P && inner->C != C)) return AS_ERR_ARG;
    nn_branch *b = calloc(1, sizeof *b);
    if (!b) return AS_ERR_NOMEM;
    b->C = C;
    b->B = inner->C;
    b->T = inner->T;
    b->Ts = inner->Ts;
    b->bytes = sizeof *b;
    if (P) {
        size_t B = (size_t)b->B, Tm = (size_t)AS_MAX(b->T, b->Ts);
        b->P = malloc(B * (size_t)C * sizeof(float));
        b->xm = malloc(B * (size_t)b->T * sizeof(float));
        b->gm = malloc(B * (size_t)b->T * sizeof(float));
        b->sm = malloc(B * Tm * sizeof(float));
        if (!b->P || !b->xm || !b->gm || !b->sm) {
            nn_branch_destroy(b);
            return AS_ERR_NOMEM;
        }
        memcpy(b->P, P, B * (size_t)C * sizeof(float));
        b->bytes += (B * (size_t)C + 2 * B * (size_t)b->T + B * Tm) * sizeof(float);
    } else { /* identity: only the gradient needs its own buffer */
        b->gm = malloc((size_t)C * (size_t)b->T * sizeof(float));
        if (!b->gm) {
            nn_branch_destroy(b);
            return AS_ERR_NOMEM;
        }
        b->bytes += (size_t)C * (size_t)b->T * sizeof(float);
    }
    as_status rc = nn_nst_create(&b->net, inner);
    if (rc != AS_OK) {
        nn_branch_destroy(b);
        return rc;
    }
    b->bytes += b->net->bytes;
    *out = b;
    return AS_OK;
}

void nn_branch_destroy(nn_branch *b)
{
    if (!b) return;
    nn_nst_destroy(b->net);
    free(b->P);
    free(b->xm);
    free(b->gm);
    free(b->sm);
    free(b);
}

/* out (B, T) = P (B, C) z (C, T) */
static void project(const nn_branch *b, float *out, const float *z, int64_t T)
{
    nn_gemm(NN_NOTRANS, NN_NOTRANS, b->B, T, b->C, 1.0f, b->P, b->C, z, T, 0.0f, out, T);
}

as_status nn_branch_set_targets(nn_branch *b, const float *c, const float *s)
{
    if (!b->P) return nn_nst_set_targets(b->net, c, s);
    /* the style through sm, then the content through xm (its own buffer is free until eval) */
    project(b, b->sm, s, b->Ts);
    project(b, b->xm, c, b->T);
    return nn_nst_set_targets(b->net, b->xm, b->sm);
}

as_status nn_branch_set_content(nn_branch *b, const float *c)
{
    if (!b->P) return nn_nst_set_content(b->net, c);
    project(b, b->xm, c, b->T);
    return nn_nst_set_content(b->net, b->xm);
}

as_status nn_branch_eval(nn_branch *b, const float *x, float *grad, double *content, double *style)
{
    as_status rc;
    if (!b->P) {
        rc = nn_nst_eval(b->net, x, b->gm, content, style);
        for (size_t i = 0; i < (size_t)b->C * (size_t)b->T; i++) grad[i] += b->gm[i];
        return rc;
    }
    project(b, b->xm, x, b->T);
    rc = nn_nst_eval(b->net, b->xm, b->gm, content, style);
    /* grad (C, T) += P^T (C, B) gm (B, T) */
    nn_gemm(NN_TRANS, NN_NOTRANS, b->C, b->T, b->B, 1.0f, b->P, b->C, b->gm, b->T, 1.0f, grad, b->T);
    return rc;
}

void nn_branch_eval_naive(int C, const double *P, const nn_nst_shape *inner, const double *W,
                          const double *x, const double *c, const double *s, double *grad,
                          double *content, double *style)
{
    int B = inner->C;
    int64_t T = inner->T, Ts = inner->Ts;
    if (!P) {
        nn_nst_eval_naive(inner, W, x, c, s, grad, content, style);
        return;
    }
    double *xm = calloc((size_t)B * T, sizeof(double)), *cm = calloc((size_t)B * T, sizeof(double));
    double *sm = calloc((size_t)B * Ts, sizeof(double)), *gm = calloc((size_t)B * T, sizeof(double));
    if (!xm || !cm || !sm || !gm) goto done;
    for (int b = 0; b < B; b++)
        for (int k = 0; k < C; k++) {
            double p = P[(size_t)b * C + k];
            for (int64_t t = 0; t < T; t++) {
                xm[b * T + t] += p * x[k * T + t];
                cm[b * T + t] += p * c[k * T + t];
            }
            for (int64_t t = 0; t < Ts; t++) sm[b * Ts + t] += p * s[k * Ts + t];
        }
    nn_nst_eval_naive(inner, W, xm, cm, sm, grad ? gm : NULL, content, style);
    if (grad)
        for (int k = 0; k < C; k++)
            for (int64_t t = 0; t < T; t++) {
                double g = 0;
                for (int b = 0; b < B; b++) g += P[(size_t)b * C + k] * gm[b * T + t];
                grad[k * T + t] = g;
            }
done:
    free(xm);
    free(cm);
    free(sm);
    free(gm);
}
