/* fuzz_ffmpeg.c — libFuzzer target: the FFmpeg decoder (src/audio/ffmpeg.c) from memory through
 * its custom AVIOContext: container recognition, the first audio stream, decoding and sample
 * conversion (up to 2 s of frames), then the whole loader (libsndfile first, FFmpeg for what it
 * refuses, downmix; inputs capped at 2 s) on the same bytes. Seeds (fuzz/seeds/
 * ffmpeg, 0.1-0.4 s cut from the techno example with the ffmpeg program): AAC and ALAC in M4A,
 * ADTS AAC, WMA v2, Vorbis in Matroska, Opus + VP8 in WebM, PCM in AVI, an H.264 MP4 without
 * audio, the first 100 bytes of an MP4. FFmpeg's own code is not instrumented (Debian's
 * libraries): the fuzzer is guided by our code's coverage only, and memory errors inside FFmpeg
 * show only as crashes. */
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
        while (buf && total < 2LL * info.sample_rate &&
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
    o.max_duration_s = 2; /* at a corrupt header's 1 MHz, 10 s would be 10 M samples */
    o.sr = -1; /* no resampling: fuzz_audio covers it; the time goes to decoding */
    if (as_audio_load_memory(data, size, "fuzz", &o, &s, &err) == AS_OK) {
        for (int64_t i = 0; i < s.n; i++)
            if (!isfinite(s.data[i])) abort(); /* the loader promises finite samples */
        as_signal_free(&s);
    }
    return 0;
}
