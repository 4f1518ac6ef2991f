/* fuzz_model.c — libFuzzer target: the genre model-file loader, then one prediction with the
 * loaded model (every size it declares must have been checked). */
#include "core/internal.h"

#include <math.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_genre_model *m = NULL;
    as_error err;
    if (as_genre_load_memory(data, size, "fuzz.model", &m, &err) == AS_OK) {
        double feat[AS_FEATURES_COUNT];
        for (int i = 0; i < AS_FEATURES_COUNT; i++) feat[i] = 0.5 + i;
        int k = as_genre_n_classes(m);
        double *p = malloc(sizeof(double) * (size_t)(k > 0 ? k : 1));
        if (p && as_genre_predict(m, feat, p) == AS_OK)
            for (int i = 0; i < k; i++)
                if (!isfinite(p[i])) abort();
        free(p);
        as_genre_destroy(m);
    }
    return 0;
}
