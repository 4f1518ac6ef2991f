/* fuzz_ffmpeg.c — libFuzzer target: the FFmpeg decoder (src/audio/ffmpeg.c) from memory through
 * its custom AVIOContext: container recognition, the first audio stream, decoding and sample
 * conversion (up to 10 s of frames), then the whole loader (libsndfile first, FFmpeg for what
 * it refuses, downmix, resampling) on the same bytes. Seeds: the small fixtures of
 * tests/ref/formats (M4A/AAC, WMA, WebM, a video without audio, a cut MP4). */
#include "audio/audio.h"

#include <math.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    audio_ff *f = NULL;
    audio_ff_info info;
    as_error err;
    int recognised = 0;
    if (size && audio_ff_open("fuzz", -1, data, (int64_t)size, &f, &info, &recognised, &err) == AS_OK) {
        if (info.channels <= 0 || info.channels > 4096 || info.sample_rate <= 0) abort();
        float *buf = malloc(sizeof(float) * 1024 * (size_t)info.channels);
        int64_t total = 0, k;
        as_status st;
        volatile float sink = 0; /* every sample is read (ASan sees uninitialised reads) */
        while (buf && total < 10LL * info.sample_rate &&
               (k = audio_ff_read(f, buf, 1024, &st, &err)) > 0) {
            for (int64_t i = 0; i < k * info.channels; i++) sink += buf[i];
            total += k;
        }
        (void)sink;
        free(buf);
        audio_ff_close(f);
    }
    as_signal s = {0};
    as_load_opts o = {0};
    o.max_duration_s = 10;
    if (as_audio_load_memory(data, size, "fuzz", &o, &s, &err) == AS_OK) {
        for (int64_t i = 0; i < s.n; i++)
            if (!isfinite(s.data[i])) abort(); /* the loader promises finite samples */
        as_signal_free(&s);
    }
    return 0;
}
