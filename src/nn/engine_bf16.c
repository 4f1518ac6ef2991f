/* engine_bf16.c — the bf16 engine: the convolution as oneDNN matmuls on bf16 operands with fp32
 * accumulation and fp32 outputs (oneDNN C API, dnnl.h).
 *
 * Forward, per chunk of m <= Tc output frames starting at t0:
 *   xT (m + K - 1, C) bf16 = the input window transposed: xT[u, k] = bf16(in[k, t0 + u])
 *   xcol (m, C K) = im2col: row t is xT rows t .. t + K - 1, which are contiguous in xT, so
 *     xcol[t, j C + k] = xT[t + j, k] is one memcpy of C K elements per row (oneDNN 2.6 refuses
 *     the overlapping-rows view (strides (C, 1)) that would avoid the copy: invalid_arguments)
 *   out[t0 .. t0+m) (m, N) f32 = xcol . Wf,  Wf = Wk as (C K, N) in bf16, oneDNN's chosen layout
 * Backward (input gradient, accumulated):
 *   dfs (m, N) bf16 = bf16(dout[t0 .. t0+m))
 *   dcol (m, C K) f32 = dfs . Wb,  Wb = Wk^T as (N, C K) in bf16, oneDNN's chosen layout
 *   dxT_flat[t C .. t C + C K) += dcol[t, :] for each t (col2im as contiguous adds, fp32), then
 *   din[k, t0 + u] += dxT[u, k] (one transpose of the window)
 * One matmul per chunk with the whole C K = 11275 reduction (the best shape for oneDNN's brgemm
 * kernels). The strided work is two window transposes ((m + K - 1) C elements each, 1/K of an
 * im2col); the rest is contiguous copies and adds. Primitives, both weight copies (converted by
 * oneDNN reorders from the caller's fp32 Wk in prepare, once) and a user-managed scratchpad are
 * made in create; a pass only sets data handles and executes. Chunks keep the staging near
 * 48 MB at any length.
 *
 * oneDNN 2.6 has a bf16 matmul only on AVX-512 CPUs (brgemm/gemm kernels for avx512_core and up;
 * its reference matmul also refuses bf16 below AVX-512): on an AVX2 CPU primitive creation
 * answers dnnl_unimplemented. The engine then emulates: the same staging with values rounded to
 * bf16 but stored as fp32, an im2col copy and OpenBLAS sgemm — the same numerics (bf16 operands,
 * fp32 accumulation), not the speed. impl() says which runs.
 *
 * Threads: Debian's oneDNN runs on OpenMP (libgomp); it uses omp_get_max_threads() of the calling
 * thread. With threads > 0, a pass sets the calling thread's OpenMP thread count around each
 * execution and restores it after (no lasting change); the staging loops are single-threaded. */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include "nn/engine.h"
#include "nn/nn.h"

#include <dlfcn.h>
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Static_assert((unsigned)dnnl_cpu_isa_avx512_core_bf16 == NN_ISA_AVX512_BF16,
               "NN_ISA_AVX512_BF16 must be oneDNN's dnnl_cpu_isa_avx512_core_bf16");

enum { MODE_AUTO = NN_BF16_AUTO, MODE_EMUL = NN_BF16_EMUL, MODE_DNNL_F32 = NN_BF16_DNNL_F32,
       MODE_DNNL_BF16 = NN_BF16_DNNL };
enum { MAX_PRIMS = 8 };
#define STAGING_BYTES 48e6

typedef struct bf_prim {
    int64_t M;                                   /* rows of this shape */
    dnnl_primitive_t fwd, bwd;
    dnnl_memory_t f_src, f_dst, b_src, b_dst;    /* (M, CK), (M, N), (M, N), (M, CK); handles set per pass */
    dnnl_memory_t f_pad, b_pad;                  /* scratchpads (the shared buffer) */
} bf_prim;

typedef struct bf16_conv {
    nn_conv base;
    const float *Wk;  /* (K, C, N) = (C K, N) fp32, the caller's */
    int C, N, K;
    int64_t CK, Tc;   /* reduction length; rows per chunk */
    int mode;         /* MODE_EMUL / MODE_DNNL_F32 / MODE_DNNL_BF16 */
    int threads;
    size_t es;        /* bytes of one staged element: 2 (bf16) or 4 */
    void *xT;         /* (Tc + K - 1, C) bf16 or f32: the input window, transposed */
    void *xcol;       /* (Tc, CK) bf16 or f32: the im2col */
    void *dfs;        /* (Tc, N) bf16 or f32 */
    float *dcol;      /* (Tc, CK) f32 */
    float *dxT;       /* (Tc + K - 1, C) f32: the gradient window, transposed */
    float *wr;        /* (CK, N) bf16-rounded weights as f32 (emulation only) */
    /* oneDNN */
    dnnl_engine_t eng;
    dnnl_stream_t strm;
    dnnl_memory_t wf, wb;      /* (CK, N) and (N, CK) weights in the matmuls' layouts */
    dnnl_memory_t uf, ub;      /* the caller's Wk viewed as (CK, N) and (N, CK) f32 */
    dnnl_primitive_t rf, rb;   /* reorders uf -> wf, ub -> wb */
    void *pad;                 /* the scratchpad buffer, the largest any primitive asks for */
    size_t pad_bytes;
    int n_prim;
    bf_prim prim[MAX_PRIMS];
    char impl[128];
} bf16_conv;

static as_status status_of(dnnl_status_t s)
{
    if (s == dnnl_success) return AS_OK;
    if (s == dnnl_out_of_memory) return AS_ERR_NOMEM;
    if (s == dnnl_unimplemented) return AS_ERR_UNSUPPORTED;
    return AS_ERR_INTERNAL;
}
#define DN(x)                                                                                \
    do {                                                                                     \
        dnnl_status_t s_ = (x);                                                              \
        if (s_ != dnnl_success) {                                                            \
            rc = status_of(s_);                                                              \
            goto fail;                                                                       \
        }                                                                                    \
    } while (0)

int64_t nn_conv_chunk_rows(int C, int N, int K)
{
    double per_row = (double)C * K * 6 + (double)N * 2 + (double)C * 6; /* xcol, dcol, dfs, xT, dxT */
    int64_t r = (int64_t)(STAGING_BYTES / per_row);
    return r < 16 ? 16 : r;
}

static int64_t max_rows(const int64_t *rows, int n_rows)
{
    int64_t m = 0;
    for (int i = 0; i < n_rows; i++) m = AS_MAX(m, rows[i]);
    return m;
}

static size_t bf16_bytes(int C, int N, int K, const int64_t *rows, int n_rows)
{
    int64_t Tc = AS_MIN(nn_conv_chunk_rows(C, N, K), max_rows(rows, n_rows));
    double CK = (double)C * K;
    /* upper bound over the modes: f32 staging with an im2col copy (emulation), two bf16 weight
     * copies or one f32 copy */
    double b = (double)Tc * (CK * 4 * 2 + (double)N * 4) + (double)(Tc + K) * C * 8 +
               CK * N * 4 + sizeof(bf16_conv);
    return (size_t)b;
}

/* ---- OpenMP thread count around a oneDNN execution (the calling thread's only) ------------- */

typedef struct omp_scope {
    void (*set)(int);
    int saved;
} omp_scope;

static void omp_enter(omp_scope *o, int threads)
{
    o->set = NULL;
    if (threads <= 0) return;
    int (*get)(void) = NULL;
    *(void **)(&get) = dlsym(RTLD_DEFAULT, "omp_get_max_threads");
    *(void **)(&o->set) = dlsym(RTLD_DEFAULT, "omp_set_num_threads");
    if (!get || !o->set) {
        o->set = NULL;
        return;
    }
    o->saved = get();
    if (o->saved == threads) o->set = NULL;
    else o->set(threads);
}

static void omp_leave(omp_scope *o)
{
    if (o->set) o->set(o->saved);
}

/* ---- ISA and availability ------------------------------------------------------------------ */

unsigned nn_cpu_isa(void) { return (unsigned)dnnl_get_effective_cpu_isa(); }

/* Can oneDNN make an (M x K) . (K x N) matmul of type dt -> f32 here? */
static int matmul_available(dnnl_engine_t eng, dnnl_data_type_t dt)
{
    dnnl_memory_desc_t a, b, c;
    dnnl_dims_t da = {16, 64}, db = {64, 64}, dc = {16, 64};
    dnnl_matmul_desc_t d;
    dnnl_primitive_desc_t pd = NULL;
    int ok = dnnl_memory_desc_init_by_tag(&a, 2, da, dt, dnnl_ab) == dnnl_success &&
             dnnl_memory_desc_init_by_tag(&b, 2, db, dt, dnnl_format_tag_any) == dnnl_success &&
             dnnl_memory_desc_init_by_tag(&c, 2, dc, dnnl_f32, dnnl_ab) == dnnl_success &&
             dnnl_matmul_desc_init(&d, &a, &b, NULL, &c) == dnnl_success &&
             dnnl_primitive_desc_create(&pd, &d, NULL, eng, NULL) == dnnl_success;
    if (pd) dnnl_primitive_desc_destroy(pd);
    return ok;
}

int nn_bf16_native(void)
{
    dnnl_engine_t eng = NULL;
    if (dnnl_engine_create(&eng, dnnl_cpu, 0) != dnnl_success) return 0;
    int ok = matmul_available(eng, dnnl_bf16);
    dnnl_engine_destroy(eng);
    return ok;
}

/* ---- staging --------------------------------------------------------------------------------- */

enum { TB = 32 }; /* a 32 x 32 tile of a transpose stays in L1 */

/* xT[u, k] = cvt(in[k, t0 + u]) for u < w (a blocked transpose). */
#define STAGE_XT(TYPE, CVT)                                                                  \
    do {                                                                                     \
        TYPE *X = (TYPE *)c->xT;                                                             \
        for (int k0 = 0; k0 < C; k0 += TB)                                                   \
            for (int64_t u0 = 0; u0 < w; u0 += TB) {                                         \
                int ke = AS_MIN(C, k0 + TB);                                                 \
                int64_t ue = AS_MIN(w, u0 + TB);                                             \
                for (int64_t u = u0; u < ue; u++)                                            \
                    for (int k = k0; k < ke; k++)                                            \
                        X[u * C + k] = CVT(in[(int64_t)k * ld + t0 + u]);                    \
            }                                                                                \
    } while (0)

static float same_f32(float f) { return f; }

static void stage_xT(bf16_conv *c, const float *in, int64_t ld, int64_t t0, int64_t m)
{
    int C = c->C;
    int64_t w = m + c->K - 1;
    if (c->mode == MODE_DNNL_BF16) STAGE_XT(uint16_t, nn_f32_to_bf16);
    else if (c->mode == MODE_EMUL) STAGE_XT(float, nn_round_bf16);
    else STAGE_XT(float, same_f32);
    for (int64_t t = 0; t < m; t++) /* im2col: row t of xcol is xT rows t .. t + K - 1 */
        memcpy((char *)c->xcol + (size_t)(t * c->CK) * c->es,
               (const char *)c->xT + (size_t)(t * C) * c->es, (size_t)c->CK * c->es);
}

/* dfs (m, N) = cvt(dout rows [t0, t0 + m)). */
static void stage_rows(bf16_conv *c, const float *dout, int64_t t0, int64_t m)
{
    int64_t n = m * c->N;
    const float *src = dout + t0 * c->N;
    if (c->mode == MODE_DNNL_BF16) {
        uint16_t *d = c->dfs;
        for (int64_t i = 0; i < n; i++) d[i] = nn_f32_to_bf16(src[i]);
    } else if (c->mode == MODE_EMUL) {
        float *d = c->dfs;
        for (int64_t i = 0; i < n; i++) d[i] = nn_round_bf16(src[i]);
    } else {
        memcpy(c->dfs, src, (size_t)n * sizeof(float));
    }
}

/* col2im, fp32: dxT_flat[t C + i] += dcol[t, i] for i < C K, then din[k, t0 + u] += dxT[u, k]. */
static void col2im_add(const bf16_conv *c, float *din, int64_t ld, int64_t t0, int64_t m)
{
    int C = c->C;
    int64_t w = m + c->K - 1, CK = c->CK;
    float *D = c->dxT;
    memset(D, 0, (size_t)(w * C) * sizeof(float));
    for (int64_t t = 0; t < m; t++) {
        float *dst = D + t * C;
        const float *src = c->dcol + t * CK;
        for (int64_t i = 0; i < CK; i++) dst[i] += src[i];
    }
    for (int k0 = 0; k0 < C; k0 += TB)
        for (int64_t u0 = 0; u0 < w; u0 += TB) {
            int ke = AS_MIN(C, k0 + TB);
            int64_t ue = AS_MIN(w, u0 + TB);
            for (int k = k0; k < ke; k++)
                for (int64_t u = u0; u < ue; u++) din[(int64_t)k * ld + t0 + u] += D[u * C + k];
        }
}

/* ---- the GEMMs ----------------------------------------------------------------------------- */

static const bf_prim *prim_of(const bf16_conv *c, int64_t M)
{
    for (int i = 0; i < c->n_prim; i++)
        if (c->prim[i].M == M) return &c->prim[i];
    return NULL;
}

static as_status run(const bf16_conv *c, dnnl_primitive_t p, dnnl_memory_t src, dnnl_memory_t wei,
                     dnnl_memory_t dst, dnnl_memory_t pad)
{
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst},
                               {DNNL_ARG_SCRATCHPAD, pad}};
    omp_scope o;
    omp_enter(&o, c->threads);
    dnnl_status_t s = dnnl_primitive_execute(p, c->strm, pad ? 4 : 3, args);
    if (s == dnnl_success) s = dnnl_stream_wait(c->strm);
    omp_leave(&o);
    return status_of(s);
}

/* out (m, N) = xcol (m, CK) . W (CK, N) */
static as_status gemm_fwd(bf16_conv *c, int64_t m, float *out)
{
    if (c->mode == MODE_EMUL) {
        nn_gemm(NN_NOTRANS, NN_NOTRANS, m, c->N, c->CK, 1.0f, c->xcol, c->CK, c->wr, c->N, 0.0f, out,
                c->N);
        return AS_OK;
    }
    const bf_prim *p = prim_of(c, m);
    AS_ASSERT(p != NULL); /* nst.c declares every length it calls with */
    if (dnnl_memory_set_data_handle(p->f_src, c->xcol) != dnnl_success ||
        dnnl_memory_set_data_handle(p->f_dst, out) != dnnl_success)
        return AS_ERR_INTERNAL;
    return run(c, p->fwd, p->f_src, c->wf, p->f_dst, p->f_pad);
}

/* dcol (m, CK) = dfs (m, N) . W^T (N, CK) */
static as_status gemm_bwd(bf16_conv *c, int64_t m)
{
    if (c->mode == MODE_EMUL) {
        nn_gemm(NN_NOTRANS, NN_TRANS, m, c->CK, c->N, 1.0f, c->dfs, c->N, c->wr, c->N, 0.0f, c->dcol,
                c->CK);
        return AS_OK;
    }
    const bf_prim *p = prim_of(c, m);
    AS_ASSERT(p != NULL);
    if (dnnl_memory_set_data_handle(p->b_src, c->dfs) != dnnl_success ||
        dnnl_memory_set_data_handle(p->b_dst, c->dcol) != dnnl_success)
        return AS_ERR_INTERNAL;
    return run(c, p->bwd, p->b_src, c->wb, p->b_dst, p->b_pad);
}

static as_status bf16_forward(nn_conv *cc, float *out, const float *in, int64_t ld, int64_t To)
{
    bf16_conv *c = (bf16_conv *)cc;
    for (int64_t t0 = 0; t0 < To; t0 += c->Tc) {
        int64_t m = AS_MIN(c->Tc, To - t0);
        stage_xT(c, in, ld, t0, m);
        as_status rc = gemm_fwd(c, m, out + t0 * c->N);
        if (rc != AS_OK) return rc;
    }
    return AS_OK;
}

static as_status bf16_backward(nn_conv *cc, float *din, int64_t ld, const float *dout, int64_t To)
{
    bf16_conv *c = (bf16_conv *)cc;
    for (int64_t t0 = 0; t0 < To; t0 += c->Tc) {
        int64_t m = AS_MIN(c->Tc, To - t0);
        stage_rows(c, dout, t0, m);
        as_status rc = gemm_bwd(c, m);
        if (rc != AS_OK) return rc;
        col2im_add(c, din, ld, t0, m);
    }
    return AS_OK;
}

static as_status bf16_prepare(nn_conv *cc)
{
    bf16_conv *c = (bf16_conv *)cc;
    if (c->mode == MODE_EMUL) {
        int64_t n = c->CK * c->N;
        for (int64_t i = 0; i < n; i++) c->wr[i] = nn_round_bf16(c->Wk[i]);
        return AS_OK;
    }
    dnnl_exec_arg_t af[2] = {{DNNL_ARG_FROM, c->uf}, {DNNL_ARG_TO, c->wf}};
    dnnl_exec_arg_t ab[2] = {{DNNL_ARG_FROM, c->ub}, {DNNL_ARG_TO, c->wb}};
    omp_scope o;
    omp_enter(&o, c->threads);
    dnnl_status_t s = dnnl_primitive_execute(c->rf, c->strm, 2, af);
    if (s == dnnl_success) s = dnnl_primitive_execute(c->rb, c->strm, 2, ab);
    if (s == dnnl_success) s = dnnl_stream_wait(c->strm);
    omp_leave(&o);
    return status_of(s);
}

static const char *bf16_impl(const nn_conv *cc) { return ((const bf16_conv *)cc)->impl; }

static size_t md_bytes(dnnl_memory_t m)
{
    const dnnl_memory_desc_t *md = NULL;
    if (!m || dnnl_memory_get_memory_desc(m, &md) != dnnl_success || !md) return 0;
    return dnnl_memory_desc_get_size(md);
}

static size_t bf16_allocated(const nn_conv *cc)
{
    const bf16_conv *c = (const bf16_conv *)cc;
    size_t w = (size_t)(c->Tc + c->K - 1) * (size_t)c->C;
    size_t b = sizeof *c + w * c->es + w * sizeof(float) + (size_t)(c->Tc * c->CK) * (c->es + 4) +
               (size_t)(c->Tc * c->N) * c->es + c->pad_bytes + md_bytes(c->wf) + md_bytes(c->wb);
    if (c->wr) b += (size_t)(c->CK * c->N) * sizeof(float);
    return b;
}

static void bf16_destroy(nn_conv *cc)
{
    bf16_conv *c = (bf16_conv *)cc;
    if (!c) return;
    for (int i = 0; i < c->n_prim; i++) {
        bf_prim *p = &c->prim[i];
        if (p->fwd) dnnl_primitive_destroy(p->fwd);
        if (p->bwd) dnnl_primitive_destroy(p->bwd);
        dnnl_memory_t mems[6] = {p->f_src, p->f_dst, p->b_src, p->b_dst, p->f_pad, p->b_pad};
        for (int k = 0; k < 6; k++)
            if (mems[k]) dnnl_memory_destroy(mems[k]);
    }
    if (c->rf) dnnl_primitive_destroy(c->rf);
    if (c->rb) dnnl_primitive_destroy(c->rb);
    dnnl_memory_t mems[4] = {c->wf, c->wb, c->uf, c->ub};
    for (int k = 0; k < 4; k++)
        if (mems[k]) dnnl_memory_destroy(mems[k]);
    if (c->strm) dnnl_stream_destroy(c->strm);
    if (c->eng) dnnl_engine_destroy(c->eng);
    free(c->pad);
    free(c->xT);
    free(c->xcol);
    free(c->dfs);
    free(c->dcol);
    free(c->dxT);
    free(c->wr);
    free(c);
}

static as_status bf16_create(nn_conv **out, const float *Wk, int C, int N, int K,
                             const int64_t *rows, int n_rows, int threads)
{
    return nn_conv_bf16_create_mode(out, Wk, C, N, K, rows, n_rows, threads, MODE_AUTO, 0);
}

const nn_conv_engine nn_engine_bf16 = {"bf16",        bf16_bytes,     bf16_create,
                                       bf16_prepare,  bf16_forward,   bf16_backward,
                                       bf16_impl,     bf16_allocated, bf16_destroy};

/* ---- create ---------------------------------------------------------------------------------- */

static void add_M(bf16_conv *c, int64_t M, int *overflow)
{
    if (M <= 0 || prim_of(c, M)) return;
    if (c->n_prim == MAX_PRIMS) {
        *overflow = 1;
        return;
    }
    c->prim[c->n_prim++].M = M;
}

/* Matmul (M x Kd) . (Kd x Nd) -> f32 with the weights md `wmd` (format any the first time: then
 * *wmd is replaced by the layout oneDNN chose, which the other shapes reuse). */
static dnnl_status_t make_matmul(bf16_conv *c, int64_t M, int64_t Kd, int64_t Nd,
                                 dnnl_memory_desc_t *wmd, int *wmd_fixed, dnnl_primitive_t *prim,
                                 dnnl_memory_t *msrc, dnnl_memory_t *mdst, dnnl_memory_t *mpad,
                                 dnnl_primitive_attr_t attr, int first)
{
    dnnl_data_type_t dt = c->mode == MODE_DNNL_BF16 ? dnnl_bf16 : dnnl_f32;
    dnnl_memory_desc_t a, d;
    dnnl_dims_t da = {M, Kd}, dd = {M, Nd};
    dnnl_matmul_desc_t desc;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t s = dnnl_memory_desc_init_by_tag(&a, 2, da, dt, dnnl_ab);
    if (s == dnnl_success) s = dnnl_memory_desc_init_by_tag(&d, 2, dd, dnnl_f32, dnnl_ab);
    if (s == dnnl_success) s = dnnl_matmul_desc_init(&desc, &a, wmd, NULL, &d);
    if (s == dnnl_success) s = dnnl_primitive_desc_create(&pd, &desc, attr, c->eng, NULL);
    if (s != dnnl_success) return s;
    if (!*wmd_fixed) {
        *wmd = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
        *wmd_fixed = 1;
    }
    const dnnl_memory_desc_t *pad = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    size_t pb = pad ? dnnl_memory_desc_get_size(pad) : 0;
    if (first) {
        const char *impl = NULL;
        dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
        snprintf(c->impl, sizeof c->impl, "oneDNN %s%s", impl ? impl : "?",
                 c->mode == MODE_DNNL_F32 ? " (f32: the test mode)" : "");
    }
    s = dnnl_primitive_create(prim, pd);
    if (s == dnnl_success) s = dnnl_memory_create(msrc, &a, c->eng, DNNL_MEMORY_NONE);
    if (s == dnnl_success) s = dnnl_memory_create(mdst, &d, c->eng, DNNL_MEMORY_NONE);
    if (s == dnnl_success && pb > 0) {
        if (pb > c->pad_bytes) { /* grow the shared scratchpad before any pass */
            void *np = realloc(c->pad, pb);
            if (!np) s = dnnl_out_of_memory;
            else {
                c->pad = np;
                c->pad_bytes = pb;
            }
        }
        if (s == dnnl_success) s = dnnl_memory_create(mpad, pad, c->eng, DNNL_MEMORY_NONE);
    }
    dnnl_primitive_desc_destroy(pd);
    return s;
}

as_status nn_conv_bf16_create_mode(nn_conv **out, const float *Wk, int C, int N, int K,
                                   const int64_t *rows, int n_rows, int threads, int mode,
                                   int64_t chunk)
{
    *out = NULL;
    if (C < 1 || N < 1 || K < 1 || n_rows < 1 || max_rows(rows, n_rows) < 1) return AS_ERR_ARG;
    as_status rc = AS_ERR_NOMEM;
    dnnl_primitive_attr_t attr = NULL;
    bf16_conv *c = calloc(1, sizeof *c);
    if (!c) return AS_ERR_NOMEM;
    c->base.engine = &nn_engine_bf16;
    c->Wk = Wk;
    c->C = C;
    c->N = N;
    c->K = K;
    c->CK = (int64_t)C * K;
    c->threads = threads;
    c->Tc = AS_MIN(chunk > 0 ? chunk : nn_conv_chunk_rows(C, N, K), max_rows(rows, n_rows));
    DN(dnnl_engine_create(&c->eng, dnnl_cpu, 0));
    DN(dnnl_stream_create(&c->strm, c->eng, dnnl_stream_default_flags));
    if (mode == MODE_AUTO) mode = matmul_available(c->eng, dnnl_bf16) ? MODE_DNNL_BF16 : MODE_EMUL;
    else if (mode == MODE_DNNL_BF16 && !matmul_available(c->eng, dnnl_bf16)) {
        rc = AS_ERR_UNSUPPORTED;
        goto fail;
    }
    c->mode = mode;
    c->es = mode == MODE_DNNL_BF16 ? 2 : 4;

    c->xT = malloc((size_t)((c->Tc + K - 1) * C) * c->es);
    c->dfs = malloc((size_t)(c->Tc * N) * c->es);
    c->dcol = malloc((size_t)(c->Tc * c->CK) * sizeof(float));
    c->dxT = malloc((size_t)((c->Tc + K - 1) * C) * sizeof(float));
    c->xcol = malloc((size_t)(c->Tc * c->CK) * c->es);
    if (!c->xT || !c->dfs || !c->dcol || !c->dxT || !c->xcol) goto fail;

    if (mode == MODE_EMUL) {
        c->wr = malloc((size_t)(c->CK * N) * sizeof(float));
        if (!c->wr) goto fail;
        snprintf(c->impl, sizeof c->impl,
                 "emulated: bf16-rounded operands on OpenBLAS sgemm (oneDNN has no bf16 matmul for %s)",
                 nn_cpu_isa_name(nn_cpu_isa()));
        *out = &c->base;
        return AS_OK;
    }

    /* every chunk length the declared calls produce */
    int overflow = 0;
    for (int i = 0; i < n_rows; i++) {
        if (rows[i] >= c->Tc) add_M(c, c->Tc, &overflow);
        add_M(c, rows[i] % c->Tc, &overflow);
    }
    rc = AS_ERR_INTERNAL;
    if (overflow) goto fail;
    DN(dnnl_primitive_attr_create(&attr));
    DN(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user));
    dnnl_data_type_t dt = mode == MODE_DNNL_BF16 ? dnnl_bf16 : dnnl_f32;
    dnnl_memory_desc_t wfd, wbd;
    dnnl_dims_t dwf = {c->CK, N}, dwb = {N, c->CK};
    DN(dnnl_memory_desc_init_by_tag(&wfd, 2, dwf, dt, dnnl_format_tag_any));
    DN(dnnl_memory_desc_init_by_tag(&wbd, 2, dwb, dt, dnnl_format_tag_any));
    int wf_fixed = 0, wb_fixed = 0;
    /* the largest shape first: its weight layouts are the ones every shape uses */
    int order[MAX_PRIMS], n = c->n_prim;
    for (int i = 0; i < n; i++) order[i] = i;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (c->prim[order[j]].M > c->prim[order[i]].M) {
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
    for (int i = 0; i < n; i++) {
        bf_prim *p = &c->prim[order[i]];
        DN(make_matmul(c, p->M, c->CK, N, &wfd, &wf_fixed, &p->fwd, &p->f_src, &p->f_dst, &p->f_pad,
                       attr, i == 0));
        DN(make_matmul(c, p->M, N, c->CK, &wbd, &wb_fixed, &p->bwd, &p->b_src, &p->b_dst, &p->b_pad,
                       attr, 0));
    }
    for (int i = 0; i < n; i++) { /* the scratchpad buffer no longer moves */
        if (c->prim[i].f_pad) DN(dnnl_memory_set_data_handle(c->prim[i].f_pad, c->pad));
        if (c->prim[i].b_pad) DN(dnnl_memory_set_data_handle(c->prim[i].b_pad, c->pad));
    }
    /* the weights: oneDNN owns the buffers in its layouts; reorders from the caller's Wk */
    DN(dnnl_memory_create(&c->wf, &wfd, c->eng, DNNL_MEMORY_ALLOCATE));
    DN(dnnl_memory_create(&c->wb, &wbd, c->eng, DNNL_MEMORY_ALLOCATE));
    dnnl_memory_desc_t ufd, ubd;
    dnnl_dims_t sf = {N, 1}, sb = {1, N}; /* Wk (CK, N) row-major, and its transpose */
    DN(dnnl_memory_desc_init_by_strides(&ufd, 2, dwf, dnnl_f32, sf));
    DN(dnnl_memory_desc_init_by_strides(&ubd, 2, dwb, dnnl_f32, sb));
    DN(dnnl_memory_create(&c->uf, &ufd, c->eng, (void *)Wk));
    DN(dnnl_memory_create(&c->ub, &ubd, c->eng, (void *)Wk));
    dnnl_primitive_desc_t rpd = NULL;
    DN(dnnl_reorder_primitive_desc_create(&rpd, &ufd, c->eng, &wfd, c->eng, NULL));
    dnnl_status_t s = dnnl_primitive_create(&c->rf, rpd);
    dnnl_primitive_desc_destroy(rpd);
    DN(s);
    DN(dnnl_reorder_primitive_desc_create(&rpd, &ubd, c->eng, &wbd, c->eng, NULL));
    s = dnnl_primitive_create(&c->rb, rpd);
    dnnl_primitive_desc_destroy(rpd);
    DN(s);
    dnnl_primitive_attr_destroy(attr);
    *out = &c->base;
    return AS_OK;
fail:
    if (attr) dnnl_primitive_attr_destroy(attr);
    bf16_destroy(&c->base);
    return rc;
}

/* ---- the bench's ceiling: one matmul alone ------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double nn_dnnl_matmul_seconds(int64_t M, int64_t N, int64_t K, int reps, int f32, int threads,
                              char *impl, size_t impl_size)
{
    double best = -1;
    dnnl_engine_t eng = NULL;
    dnnl_stream_t strm = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_t prim = NULL;
    dnnl_memory_t ma = NULL, mb = NULL, mc = NULL;
    double *t = malloc(sizeof(double) * (size_t)(reps > 0 ? reps : 1));
    dnnl_data_type_t dt = f32 ? dnnl_f32 : dnnl_bf16;
    dnnl_memory_desc_t a, b, c;
    dnnl_dims_t da = {M, K}, db = {K, N}, dc = {M, N};
    dnnl_matmul_desc_t d;
    if (impl && impl_size) impl[0] = 0;
    if (!t || reps < 1 || dnnl_engine_create(&eng, dnnl_cpu, 0) != dnnl_success ||
        dnnl_stream_create(&strm, eng, dnnl_stream_default_flags) != dnnl_success ||
        dnnl_memory_desc_init_by_tag(&a, 2, da, dt, dnnl_ab) != dnnl_success ||
        dnnl_memory_desc_init_by_tag(&b, 2, db, dt, dnnl_format_tag_any) != dnnl_success ||
        dnnl_memory_desc_init_by_tag(&c, 2, dc, dnnl_f32, dnnl_ab) != dnnl_success ||
        dnnl_matmul_desc_init(&d, &a, &b, NULL, &c) != dnnl_success ||
        dnnl_primitive_desc_create(&pd, &d, NULL, eng, NULL) != dnnl_success)
        goto done;
    const char *name = NULL;
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name);
    if (impl && impl_size) snprintf(impl, impl_size, "%s", name ? name : "?");
    const dnnl_memory_desc_t *bw = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    if (dnnl_primitive_create(&prim, pd) != dnnl_success ||
        dnnl_memory_create(&ma, &a, eng, DNNL_MEMORY_ALLOCATE) != dnnl_success ||
        dnnl_memory_create(&mb, bw, eng, DNNL_MEMORY_ALLOCATE) != dnnl_success ||
        dnnl_memory_create(&mc, &c, eng, DNNL_MEMORY_ALLOCATE) != dnnl_success)
        goto done;
    void *pa = NULL, *pb = NULL;
    dnnl_memory_get_data_handle(ma, &pa);
    dnnl_memory_get_data_handle(mb, &pb);
    memset(pa, 0x3c, dnnl_memory_desc_get_size(&a)); /* small finite values in both types */
    memset(pb, 0x3c, dnnl_memory_desc_get_size(bw));
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb}, {DNNL_ARG_DST, mc}};
    omp_scope o;
    omp_enter(&o, threads);
    int ok = 1;
    for (int r = -1; r < reps && ok; r++) { /* r = -1 warms up */
        double t0 = now_s();
        ok = dnnl_primitive_execute(prim, strm, 3, args) == dnnl_success &&
             dnnl_stream_wait(strm) == dnnl_success;
        if (r >= 0) t[r] = now_s() - t0;
    }
    omp_leave(&o);
    if (ok) {
        for (int i = 1; i < reps; i++) /* insertion sort for the median */
            for (int j = i; j > 0 && t[j] < t[j - 1]; j--) {
                double x = t[j];
                t[j] = t[j - 1];
                t[j - 1] = x;
            }
        best = reps % 2 ? t[reps / 2] : 0.5 * (t[reps / 2 - 1] + t[reps / 2]);
    }
done:
    if (ma) dnnl_memory_destroy(ma);
    if (mb) dnnl_memory_destroy(mb);
    if (mc) dnnl_memory_destroy(mc);
    if (prim) dnnl_primitive_destroy(prim);
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (strm) dnnl_stream_destroy(strm);
    if (eng) dnnl_engine_destroy(eng);
    free(t);
    return best;
}
