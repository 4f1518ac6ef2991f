/* engine_fp32.c — the fp32 engine: OpenBLAS sgemm through nn_conv1d_forward/backward (K GEMMs on
 * shifted views of the input, no staging). Reads the caller's Wk in place: prepare is free. */
#include "nn/engine.h"
#include "nn/nn.h"

#include <stdlib.h>

typedef struct fp32_conv {
    nn_conv base;
    const float *Wk; /* (K, C, N), the caller's */
    int C, N, K;
} fp32_conv;

static size_t fp32_bytes(int C, int N, int K, const int64_t *rows, int n_rows)
{
    (void)C, (void)N, (void)K, (void)rows, (void)n_rows;
    return sizeof(fp32_conv);
}

static as_status fp32_create(nn_conv **out, const float *Wk, int C, int N, int K,
                             const int64_t *rows, int n_rows, int threads);

static as_status fp32_prepare(nn_conv *c)
{
    (void)c;
    return AS_OK;
}

static as_status fp32_forward(nn_conv *c, float *out, const float *in, int64_t ld, int64_t To)
{
    const fp32_conv *f = (const fp32_conv *)c;
    nn_conv1d_forward(out, in, ld, f->Wk, f->C, f->N, f->K, To);
    return AS_OK;
}

static as_status fp32_backward(nn_conv *c, float *din, int64_t ld, const float *dout, int64_t To)
{
    const fp32_conv *f = (const fp32_conv *)c;
    nn_conv1d_backward(din, ld, dout, f->Wk, f->C, f->N, f->K, To);
    return AS_OK;
}

static const char *fp32_impl(const nn_conv *c)
{
    (void)c;
    return "OpenBLAS sgemm";
}

static size_t fp32_allocated(const nn_conv *c)
{
    (void)c;
    return sizeof(fp32_conv);
}

static void fp32_destroy(nn_conv *c) { free(c); }

const nn_conv_engine nn_engine_fp32 = {"fp32",        fp32_bytes,     fp32_create,
                                       fp32_prepare,  fp32_forward,   fp32_backward,
                                       fp32_impl,     fp32_allocated, fp32_destroy};

static as_status fp32_create(nn_conv **out, const float *Wk, int C, int N, int K,
                             const int64_t *rows, int n_rows, int threads)
{
    (void)rows, (void)n_rows, (void)threads; /* OpenBLAS's own threads (nn_set_threads) */
    *out = NULL;
    fp32_conv *f = calloc(1, sizeof *f);
    if (!f) return AS_ERR_NOMEM;
    f->base.engine = &nn_engine_fp32;
    f->Wk = Wk;
    f->C = C;
    f->N = N;
    f->K = K;
    *out = &f->base;
    return AS_OK;
}
