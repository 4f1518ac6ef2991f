/* engine.c — the engine table and the run-time choice between them (see engine.h). */
#include "nn/engine.h"

extern const nn_conv_engine nn_engine_fp32, nn_engine_bf16;

const nn_conv_engine *nn_conv_engine_get(int precision)
{
    switch (precision) {
    case NN_PRECISION_FP32: return &nn_engine_fp32;
    case NN_PRECISION_BF16: return &nn_engine_bf16;
    default: return NULL;
    }
}

int nn_precision_resolve(int requested, unsigned isa)
{
    if (requested == NN_PRECISION_FP32 || requested == NN_PRECISION_BF16) return requested;
    return (isa & NN_ISA_AVX512_BF16) == NN_ISA_AVX512_BF16 ? NN_PRECISION_BF16 : NN_PRECISION_FP32;
}

const char *nn_cpu_isa_name(unsigned isa)
{
    /* oneDNN 2.6's dnnl_cpu_isa_t values, largest first; each is a superset of its bits */
    static const struct { unsigned v; const char *name; } t[] = {
        {0x3e7u, "avx512_core_amx"}, {0xe7u, "avx512_core_bf16"}, {0x67u, "avx512_core_vnni"},
        {0x27u, "avx512_core"},      {0x407u, "avx2_vnni"},        {0x7u, "avx2"},
        {0x3u, "avx"},               {0x1u, "sse41"},
    };
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++)
        if ((isa & t[i].v) == t[i].v) return t[i].name;
    return "generic";
}
