/* fuzz_csv.c — libFuzzer target: the strict CSV reader (feature tables). */
#include "core/csv.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_csv c;
    as_error err;
    as_csv_limits lim = {1 << 20, 256, 128, 10000};
    if (as_csv_parse((const char *)data, size, "fuzz.csv", &lim, &c, &err) == AS_OK) {
        for (size_t r = 0; r < c.n_rows; r++)
            for (size_t k = 0; k < c.n_cols; k++) (void)strlen(as_csv_at(&c, r, k));
        as_csv_free(&c);
    }
    return 0;
}
