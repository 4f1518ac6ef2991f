/* fuzz_audio.c — libFuzzer target: audio decoding from memory through libsndfile's virtual I/O,
 * downmix and resampling (what every command does first). Inputs are capped at 10 s. */
#include "core/internal.h"

#include <math.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_signal s = {0};
    as_error err;
    as_load_opts o = {0};
    o.max_duration_s = 10;
    if (as_audio_load_memory(data, size, "fuzz", &o, &s, &err) == AS_OK) {
        for (int64_t i = 0; i < s.n; i++)
            if (!isfinite(s.data[i])) abort(); /* the loader promises finite samples */
        as_signal_free(&s);
    }
    return 0;
}
