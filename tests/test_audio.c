/* test_audio.c — decoding, downmix, resampling, saving (src/audio). */
#include "harness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

TEST(audio_load_example_equals_librosa)
{
    as_npy ref;
    if (!load_ref("seg_whole/full/y.npy", &ref)) return;
    as_signal y = {0};
    as_error err = {0};
    char path[1024];
    snprintf(path, sizeof path, "%s", ref_path("../../examples/techno_torustrooper_tt1.flac"));
    CHECK_OK(as_audio_load(path, NULL, &y, &err));
    CHECK_MSG(y.n == ref.count, "n %lld vs %lld", (long long)y.n, (long long)ref.count);
    CHECK(y.sr == 22050);
    if (y.n == ref.count) ref_check_npy("y", y.data, &ref, 0, 0);
    as_signal_free(&y);
    as_npy_free(&ref);
}
