/* fuzz_npy.c — libFuzzer target: the strict .npy parser. */
#include "core/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_npy a;
    as_error err;
    if (as_npy_parse(data, size, "fuzz.npy", &a, &err) == AS_OK) as_npy_free(&a);
    return 0;
}
