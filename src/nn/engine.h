/* engine.h — the backend seam of src/nn: who runs the style transfer's convolution.
 *
 * The convolution (forward pass and input gradient) is ~93 % of the canonical evaluation's
 * FLOPs; it runs on an engine chosen at run time. Everything else of the loss (ReLU, content and
 * style terms, the Grams) stays fp32 on nn_gemm. An engine is a small table of functions over an opaque instance
 * made once per layer; a new engine (a GPU one) is a new file with its own table, listed in
 * nn_conv_engine_get — nothing else changes.
 *
 *   fp32  engine_fp32.c  OpenBLAS sgemm, K shifted-view GEMMs per pass (nn_conv1d_forward/backward,
 *                        numerically today's code exactly)
 *   bf16  engine_bf16.c  oneDNN matmul, bf16 operands, fp32 accumulation and fp32 outputs: an
 *                        im2col staging (rows, C K) in bf16 and one (rows x C K) . (C K x N) matmul
 *                        forward; dcol (rows, C K) = dF_bf16 (rows, N) . W^T (N, C K) then an fp32
 *                        col2im accumulation backward; time in chunks so the staging stays bounded.
 *
 * Contract of every engine (shapes as in nn.h):
 *   create   allocates everything (weights copies, staging, primitives) for a layer (C, N, K) that
 *            will be called with output lengths from rows[0 .. n_rows) only; Wk (K, C, N) is the
 *            caller's and must outlive the instance.
 *   prepare  reads Wk (again): called after the weights are drawn or copied, before any pass;
 *            the bf16 engine converts them to bf16 here, once.
 *   forward  out (To, N) = conv(in (C, ld)), written (VALID cross-correlation, columns 0 .. To+K-2
 *            of in are read); To must be one of the declared rows.
 *   backward din (C, ld) += conv^T(dout (To, N)), ACCUMULATED.
 *   None of them but create allocates; all return AS_OK or a status (a GPU launch can fail). */
#ifndef AS_NN_ENGINE_H
#define AS_NN_ENGINE_H

#include "core/internal.h"

#include <stddef.h>
#include <stdint.h>

enum { NN_PRECISION_AUTO = 0, NN_PRECISION_FP32 = 1, NN_PRECISION_BF16 = 2 }; /* = AS_STYLE_PRECISION_* */

typedef struct nn_conv nn_conv;
typedef struct nn_conv_engine {
    const char *name; /* "fp32", "bf16" */
    /* Bytes create would allocate (an estimate where a library allocates for us). */
    size_t (*bytes)(int C, int N, int K, const int64_t *rows, int n_rows);
    as_status (*create)(nn_conv **out, const float *Wk /* (K, C, N) */, int C, int N, int K,
                        const int64_t *rows, int n_rows, int threads);
    as_status (*prepare)(nn_conv *c);
    as_status (*forward)(nn_conv *c, float *out /* (To, N) */, const float *in /* (C, ld) */,
                         int64_t ld, int64_t To);
    as_status (*backward)(nn_conv *c, float *din /* (C, ld) */, int64_t ld,
                          const float *dout /* (To, N) */, int64_t To);
    /* What runs the GEMMs, e.g. "OpenBLAS sgemm" or "oneDNN brg:avx512_core_amx" (static string
     * or owned by the instance). */
    const char *(*impl)(const nn_conv *c);
    /* Bytes the instance holds, what oneDNN allocated for it (weights, scratchpad) included. */
    size_t (*allocated)(const nn_conv *c);
    void (*destroy)(nn_conv *c);
} nn_conv_engine;

/* Every engine's instance starts with this header. */
struct nn_conv {
    const nn_conv_engine *engine;
};

/* The engine of a resolved precision (NN_PRECISION_FP32 or _BF16); NULL otherwise. */
const nn_conv_engine *nn_conv_engine_get(int precision);

/* The precision AUTO resolves to on a CPU whose oneDNN ISA value (dnnl_cpu_isa_t) is isa:
 * BF16 when the ISA includes AVX512-BF16 (every bit of dnnl_cpu_isa_avx512_core_bf16 = 0xe7 set;
 * AMX, 0x3e7, includes them), else FP32. A bit test, not >=: avx2_vnni (0x407) is numerically
 * larger than 0xe7 and has no bf16. An explicit FP32 or BF16 is returned as is. */
int nn_precision_resolve(int requested, unsigned isa);
#define NN_ISA_AVX512_BF16 0xe7u /* == dnnl_cpu_isa_avx512_core_bf16 (checked in engine_bf16.c) */
/* oneDNN's dnnl_get_effective_cpu_isa() on this machine. */
unsigned nn_cpu_isa(void);
/* "avx2", "avx512_core_bf16", ... for an ISA value (the largest named set it contains). */
const char *nn_cpu_isa_name(unsigned isa);
/* 1 when oneDNN has a bf16 matmul (bf16 x bf16 -> f32) for this CPU: with oneDNN 2.6 that needs
 * AVX-512; on an AVX2-only CPU it answers "unimplemented" (the bf16 engine then emulates). */
int nn_bf16_native(void);

/* Round to nearest even fp32 -> bf16 (NaN stays NaN) and back (exact). */
static inline uint16_t nn_f32_to_bf16(float f)
{
    union { float f; uint32_t u; } v = {f};
    if ((v.u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((v.u >> 16) | 0x40u); /* quiet NaN */
    v.u += 0x7fffu + ((v.u >> 16) & 1u);
    return (uint16_t)(v.u >> 16);
}
static inline float nn_bf16_to_f32(uint16_t h)
{
    union { uint32_t u; float f; } v = {(uint32_t)h << 16};
    return v.f;
}
static inline float nn_round_bf16(float f) { return nn_bf16_to_f32(nn_f32_to_bf16(f)); }

/* The bf16 engine with a forced GEMM back end and chunk length, for tests and the bench:
 * mode NN_BF16_AUTO = as create chooses (oneDNN bf16 when native, else the emulation),
 * NN_BF16_EMUL = the emulation (bf16-rounded operands, OpenBLAS sgemm), NN_BF16_DNNL_F32 = oneDNN
 * in f32 (exercises the oneDNN plumbing on CPUs without bf16; no rounding), NN_BF16_DNNL =
 * oneDNN bf16 (AS_ERR_UNSUPPORTED where it has none). chunk > 0 forces the rows per chunk. */
enum { NN_BF16_AUTO = 0, NN_BF16_EMUL = 1, NN_BF16_DNNL_F32 = 2, NN_BF16_DNNL = 3 };
as_status nn_conv_bf16_create_mode(nn_conv **out, const float *Wk, int C, int N, int K,
                                   const int64_t *rows, int n_rows, int threads, int mode,
                                   int64_t chunk);

/* Median seconds of one oneDNN matmul (M x K) . (K x N) -> f32 with bf16 operands (f32 operands
 * when f32 != 0), the weights in oneDNN's chosen layout, over reps runs after a warm-up, with
 * OpenMP's default threads (threads > 0: that many); -1 where oneDNN has no such matmul. Its
 * implementation name goes to impl (may be NULL). Allocates. For the bench. */
double nn_dnnl_matmul_seconds(int64_t M, int64_t N, int64_t K, int reps, int f32, int threads,
                              char *impl, size_t impl_size);

/* The output lengths the staging is chunked into: chunks of at most nn_conv_chunk_rows(C, N, K)
 * (the bf16 engine keeps its staging near 48 MB). */
int64_t nn_conv_chunk_rows(int C, int N, int K);

#endif
