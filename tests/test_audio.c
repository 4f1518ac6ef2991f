/* test_audio.c — decoding, downmix, resampling, saving (src/audio).
 * Test files are written here with libsndfile directly (not with as_audio_save), so what the
 * loader returns is checked against values computed independently: int16 / 32768 for PCM16,
 * exact channel means, ideal sines for the resampler. */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static const char *spath(const char *name)
{
    static char buf[8][1024];
    static int slot;
    char *b = buf[slot++ % 8];
    snprintf(b, sizeof buf[0], "%s/%s", scratch_dir(), name);
    return b;
}

/* Writes frames (interleaved, ch channels) with libsndfile: ints (sf_write_int, full 32-bit
 * scale) when xi, else floats (sf_write_float). Returns 1 on success. */
static int write_sf(const char *path, int format, int sr, int ch, const int *xi, const float *xf,
                    int64_t frames)
{
    SF_INFO info = {0};
    info.samplerate = sr;
    info.channels = ch;
    info.format = format;
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) {
        harness_fail(__FILE__, __LINE__, "sf_open(%s): %s", path, sf_strerror(NULL));
        return 0;
    }
    sf_count_t k = xi ? sf_writef_int(f, xi, frames) : sf_writef_float(f, xf, frames);
    sf_close(f);
    CHECK(k == frames);
    return k == frames;
}

static float *sine(int64_t n, double f, double sr, double amp, double phase)
{
    float *x = malloc((size_t)n * sizeof(float));
    for (int64_t i = 0; i < n; i++) x[i] = (float)(amp * sin(2 * M_PI * f * (double)i / sr + phase));
    return x;
}

static const char *example(const char *name)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s", ref_path(name));
    return buf;
}

TEST(audio_load_example_equals_librosa)
{
    as_npy ref;
    if (!load_ref("seg_whole/full/y.npy", &ref)) return;
    as_signal y = {0};
    as_error err = {0};
    CHECK_OK(as_audio_load(example("../../examples/techno_torustrooper_tt1.flac"), NULL, &y, &err));
    CHECK_MSG(y.n == ref.count, "n %lld vs %lld", (long long)y.n, (long long)ref.count);
    CHECK(y.sr == 22050);
    if (y.n == ref.count) ref_check_npy("y", y.data, &ref, 0, 0);
    as_signal_free(&y);
    as_npy_free(&ref);
}

/* offset/duration on the real example: 3 s in, 66149 samples = librosa's seg/y.npy
 * (y[66150:132299] of the whole clip), read by seeking in the FLAC. */
TEST(audio_offset_matches_librosa_segment)
{
    as_npy ref;
    if (!load_ref("seg/y.npy", &ref)) return;
    as_signal y = {0};
    as_error err = {0};
    as_load_opts o = {.offset_s = 66150.0 / 22050, .duration_s = 66149.0 / 22050};
    CHECK_OK(as_audio_load(example("../../examples/techno_torustrooper_tt1.flac"), &o, &y, &err));
    CHECK_MSG(y.n == ref.count, "n %lld vs %lld", (long long)y.n, (long long)ref.count);
    if (y.n == ref.count) ref_check_npy("segment", y.data, &ref, 0, 0);
    as_signal_free(&y);
    as_npy_free(&ref);
}

/* Every 16-bit value decodes to exactly int16 / 32768 (what librosa gets from libsndfile). */
TEST(audio_pcm16_decodes_exactly)
{
    enum { N = 65536 };
    int *xi = malloc(N * sizeof(int));
    for (int i = 0; i < N; i++) xi[i] = (i - 32768) * 65536; /* every int16, via the 32-bit API */
    const char *p = spath("all16.wav");
    if (!write_sf(p, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 22050, 1, xi, NULL, N)) return;
    as_signal y = {0};
    as_error err = {0};
    CHECK_OK(as_audio_load(p, NULL, &y, &err));
    CHECK(y.n == N && y.sr == 22050);
    int bad = 0;
    for (int i = 0; i < N && y.n == N; i++)
        if (y.data[i] != (float)(i - 32768) / 32768.0f) bad++;
    CHECK_MSG(bad == 0, "%d of %d samples differ from int16/32768", bad, N);
    as_signal_free(&y);
    free(xi);
}

/* 8-bit, 24-bit, 32-bit PCM and float WAV, FLAC 16/24: value / 2^(bits-1). */
TEST(audio_bit_depths_and_flac)
{
    enum { N = 4000 };
    static const struct { int format; int bits; const char *name; } cases[] = {
        {SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 8, "u8.wav"},
        {SF_FORMAT_WAV | SF_FORMAT_PCM_24, 24, "p24.wav"},
        {SF_FORMAT_WAV | SF_FORMAT_PCM_32, 32, "p32.wav"},
        {SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16, "f16.flac"},
        {SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 24, "f24.flac"},
        {SF_FORMAT_AU | SF_FORMAT_PCM_16, 16, "p16.au"},
    };
    int *xi = malloc(N * sizeof(int));
    as_rng r;
    as_rng_seed(&r, 7);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int b = cases[c].bits;
        for (int i = 0; i < N; i++) {
            int64_t lim = (int64_t)1 << (b - 1);
            int64_t v = (int64_t)(as_rng_uniform(&r) * 2 * lim) - lim;
            if (i == 0) v = -lim;
            if (i == 1) v = lim - 1;
            xi[i] = (int)(v * ((int64_t)1 << (32 - b)));
        }
        const char *p = spath(cases[c].name);
        if (!write_sf(p, cases[c].format, 22050, 1, xi, NULL, N)) continue;
        as_signal y = {0};
        as_error err = {0};
        CHECK_OK(as_audio_load(p, NULL, &y, &err));
        CHECK_MSG(y.n == N, "%s: n = %lld", cases[c].name, (long long)y.n);
        double worst = 0;
        for (int i = 0; i < N && y.n == N; i++) {
            double want = (double)(xi[i] / (1 << (32 - b)) * 1.0) / (double)((int64_t)1 << (b - 1));
            if (b == 32) want = (double)xi[i] / 2147483648.0;
            worst = fmax(worst, fabs(y.data[i] - want));
        }
        /* exact up to float32 rounding of the quotient */
        CHECK_MSG(worst <= 6e-8, "%s: worst |error| %.3g", cases[c].name, worst);
        as_signal_free(&y);
    }
    free(xi);

    /* float WAV: bit-exact, including values beyond full scale (librosa keeps them) */
    float xf[5] = {0.1f, -0.75f, 1.5f, -2.0f, 3e-8f};
    const char *p = spath("f32.wav");
    if (write_sf(p, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 22050, 1, NULL, xf, 5)) {
        as_signal y = {0};
        as_error err = {0};
        CHECK_OK(as_audio_load(p, NULL, &y, &err));
        CHECK(y.n == 5);
        if (y.n == 5) ref_check_ff("float wav", y.data, xf, 5, 0, 0);
        as_signal_free(&y);
    }
}

/* Channels are averaged in float32: stereo (a+b)/2, 8 channels sum/8. */
TEST(audio_downmix_averages_channels)
{
    enum { N = 3000 };
    for (int C = 2; C <= 8; C += 6) {
        float *x = malloc((size_t)N * C * sizeof(float));
        float *want = malloc(N * sizeof(float));
        as_rng r;
        as_rng_seed(&r, (uint64_t)C);
        for (int i = 0; i < N; i++) {
            float acc = 0;
            for (int c = 0; c < C; c++) {
                /* 16-bit values so that the file stores them exactly */
                float v = (float)((int)(as_rng_uniform(&r) * 65536) - 32768) / 32768.0f;
                x[(size_t)i * C + c] = v;
                acc += v;
            }
            want[i] = acc / (float)C;
        }
        const char *p = spath(C == 2 ? "st.wav" : "ch8.wav");
        if (write_sf(p, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 22050, C, NULL, x, N)) {
            as_signal y = {0};
            as_error err = {0};
            CHECK_OK(as_audio_load(p, NULL, &y, &err));
            CHECK(y.n == N);
            if (y.n == N) ref_check_ff(C == 2 ? "stereo mean" : "8-channel mean", y.data, want, N, 0, 0);
            as_signal_free(&y);
        }
        free(x);
        free(want);
    }
}

/* A sine survives resampling from 8/44.1/48/96 kHz: same frequency, amplitude and phase (the
 * output is aligned: soxr's delay is compensated), compared sample by sample with the ideal
 * sine at 22050 Hz away from the edges. */
TEST(audio_resample_keeps_sine)
{
    static const int rates[] = {8000, 44100, 48000, 96000, 16000};
    const double f = 1000.0, amp = 0.5;
    for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++) {
        int sr = rates[k];
        int64_t n = sr; /* 1 s */
        float *x = sine(n, f, sr, amp, 0.3);
        char name[64];
        snprintf(name, sizeof name, "sine%d.wav", sr);
        const char *p = spath(name);
        if (!write_sf(p, SF_FORMAT_WAV | SF_FORMAT_FLOAT, sr, 1, NULL, x, n)) { free(x); continue; }
        as_signal y = {0};
        as_error err = {0};
        CHECK_OK(as_audio_load(p, NULL, &y, &err));
        int64_t want_n = (n * 22050 + sr - 1) / sr;
        CHECK_MSG(y.n == want_n, "%d Hz: n %lld, want %lld", sr, (long long)y.n, (long long)want_n);
        double worst = 0, ss = 0;
        int64_t lo = 1000, hi = y.n - 1000, zc = 0;
        for (int64_t i = lo; i < hi; i++) {
            double ideal = amp * sin(2 * M_PI * f * (double)i / 22050.0 + 0.3);
            worst = fmax(worst, fabs(y.data[i] - ideal));
            ss += (double)y.data[i] * y.data[i];
            if ((y.data[i - 1] < 0) != (y.data[i] < 0)) zc++;
        }
        double rms = sqrt(ss / (double)(hi - lo));
        double f_est = zc / 2.0 / ((double)(hi - lo) / 22050.0);
        CHECK_MSG(worst < 1e-5, "%d Hz: worst |y - ideal sine| = %.3g (misaligned or distorted)", sr, worst);
        CHECK_NEAR(rms, amp / sqrt(2.0), 1e-4);
        CHECK_NEAR(f_est, f, 2.0);
        as_signal_free(&y);
        free(x);
    }
}

/* Output length is ceil(n * sr_out / sr_in) for many n and rates (librosa's rule). */
TEST(audio_resample_length_rule)
{
    static const int rates[] = {8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000, 192000};
    static const int64_t ns[] = {1, 2, 3, 7, 100, 319, 320, 321, 1000, 44099, 44100, 44101, 66150, 96001};
    float *x = calloc(96001, sizeof(float));
    for (int i = 0; i < 96001; i++) x[i] = (float)sin(i * 0.01);
    for (size_t a = 0; a < sizeof rates / sizeof rates[0]; a++)
        for (size_t b = 0; b < sizeof ns / sizeof ns[0]; b++) {
            float *y = NULL;
            int64_t ny = -1;
            CHECK_OK(as_resample(x, ns[b], rates[a], 22050, &y, &ny));
            int64_t want = (ns[b] * 22050 + rates[a] - 1) / rates[a];
            CHECK_MSG(ny == want, "n %lld at %d Hz: got %lld, want %lld", (long long)ns[b], rates[a],
                      (long long)ny, (long long)want);
            free(y);
        }
    /* and to other targets */
    float *y = NULL;
    int64_t ny = 0;
    CHECK_OK(as_resample(x, 1000, 22050, 44100, &y, &ny));
    CHECK(ny == 2000);
    free(y);
    CHECK(as_resample(x, 10, 0, 22050, &y, &ny) == AS_ERR_ARG);
    CHECK(as_resample(x, -1, 8000, 22050, &y, &ny) == AS_ERR_ARG);
    free(x);
}

/* offset/duration select samples [round(off*sr), +round(dur*sr)) of the file's own rate, then
 * resample; max_duration refuses; an offset past the end is empty. */
TEST(audio_offset_duration_and_limits)
{
    enum { N = 44100 * 2 };
    int *xi = malloc(N * sizeof(int));
    for (int i = 0; i < N; i++) xi[i] = ((i % 30000) - 15000) * 65536;
    const char *p = spath("ramp.wav");
    if (!write_sf(p, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 1, xi, NULL, N)) return;
    as_signal y = {0};
    as_error err = {0};
    as_load_opts o = {.sr = -1, .offset_s = 0.5, .duration_s = 0.25};
    CHECK_OK(as_audio_load(p, &o, &y, &err));
    CHECK(y.sr == 44100 && y.n == 11025);
    int bad = 0;
    for (int64_t i = 0; i < y.n; i++)
        if (y.data[i] != (float)((int)((22050 + i) % 30000) - 15000) / 32768.0f) bad++;
    CHECK_MSG(bad == 0, "%d samples of the window differ", bad);
    as_signal_free(&y);

    /* resampled window: ceil(11025 * 22050 / 44100) samples */
    o.sr = 0;
    CHECK_OK(as_audio_load(p, &o, &y, &err));
    CHECK(y.sr == 22050 && y.n == 5513);
    as_signal_free(&y);

    /* duration past the end: what is there */
    o = (as_load_opts){.sr = -1, .offset_s = 1.5, .duration_s = 10};
    CHECK_OK(as_audio_load(p, &o, &y, &err));
    CHECK(y.n == N - 66150);
    as_signal_free(&y);

    o = (as_load_opts){.offset_s = 3.0};
    CHECK(as_audio_load(p, &o, &y, &err) == AS_ERR_EMPTY);
    CHECK(strstr(err.msg, "ramp.wav: ") != NULL);

    o = (as_load_opts){.max_duration_s = 1.5};
    CHECK(as_audio_load(p, &o, &y, &err) == AS_ERR_TOO_LONG);
    CHECK_MSG(strstr(err.hint, "--max-duration") != NULL, "hint: %s", err.hint);
    CHECK(y.data == NULL && y.n == 0);
    o.duration_s = 1.0; /* reading 1 s of it is within the limit */
    CHECK_OK(as_audio_load(p, &o, &y, &err));
    CHECK(y.n == 22050);
    as_signal_free(&y);

    o = (as_load_opts){.offset_s = -1};
    CHECK(as_audio_load(p, &o, &y, &err) == AS_ERR_ARG);
    o = (as_load_opts){.duration_s = NAN};
    CHECK(as_audio_load(p, &o, &y, &err) == AS_ERR_ARG);
    free(xi);
}

static int64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

/* as_audio_save -> as_audio_load: PCM16 within half a step (1/32768 at full scale), float
 * exact, FLAC like PCM16, Ogg Vorbis close; the extension picks the format. */
TEST(audio_save_round_trips)
{
    enum { N = 22050 };
    float *x = sine(N, 440, 22050, 0.8, 0);
    x[10] = 0.99999f;
    x[11] = -1.0f;
    as_error err = {0};
    as_signal y = {0};
    as_save_opts pcm = {0}, flt = {.sample_format = AS_SAVE_FLOAT};

    CHECK_OK(as_audio_save(spath("rt16.wav"), x, N, 22050, &pcm, &err));
    CHECK_OK(as_audio_load(spath("rt16.wav"), NULL, &y, &err));
    CHECK(y.n == N);
    if (y.n == N) ref_check_ff("pcm16 round trip", y.data, x, N, 0, 1.0 / 32768);
    as_signal_free(&y);

    CHECK_OK(as_audio_save(spath("rtf.WAV"), x, N, 22050, &flt, &err));
    CHECK_OK(as_audio_load(spath("rtf.WAV"), NULL, &y, &err));
    if (y.n == N) ref_check_ff("float round trip", y.data, x, N, 0, 0);
    as_signal_free(&y);

    as_audio_info info;
    CHECK_OK(as_audio_probe(spath("rtf.WAV"), &info, &err));
    CHECK(strcmp(info.format, "WAV") == 0 && strcmp(info.subtype, "32-bit float") == 0);
    CHECK(info.channels == 1 && info.sample_rate == 22050 && info.frames == N);

    CHECK_OK(as_audio_save(spath("rt.flac"), x, N, 22050, &flt, &err)); /* float: FLAC stays PCM16 */
    CHECK_OK(as_audio_probe(spath("rt.flac"), &info, &err));
    CHECK(strcmp(info.format, "FLAC") == 0 && strcmp(info.subtype, "16-bit PCM") == 0);
    CHECK_OK(as_audio_load(spath("rt.flac"), NULL, &y, &err));
    if (y.n == N) ref_check_ff("flac round trip", y.data, x, N, 0, 1.0 / 32768);
    as_signal_free(&y);

    CHECK_OK(as_audio_save(spath("rt.ogg"), x, N, 22050, &pcm, &err));
    CHECK_OK(as_audio_probe(spath("rt.ogg"), &info, &err));
    CHECK(strcmp(info.format, "OGG (Vorbis)") == 0 && strcmp(info.subtype, "Vorbis") == 0);
    CHECK_OK(as_audio_load(spath("rt.ogg"), NULL, &y, &err));
    CHECK(y.n == N);
    if (y.n == N) {
        double e = 0, s = 0;
        for (int i = 1000; i < N - 1000; i++) {
            e += (y.data[i] - x[i]) * (y.data[i] - x[i]);
            s += x[i] * x[i];
        }
        CHECK_MSG(10 * log10(s / e) > 30, "vorbis SNR %.1f dB", 10 * log10(s / e));
    }
    as_signal_free(&y);

    /* 44.1 kHz is written at its own rate */
    CHECK_OK(as_audio_save(spath("rt44.wav"), x, N, 44100, &pcm, &err));
    CHECK_OK(as_audio_probe(spath("rt44.wav"), &info, &err));
    CHECK(info.sample_rate == 44100 && info.frames == N);
    free(x);
}

/* Level modes: normalise puts the peak at the ceiling; peak limit only scales down; as-is
 * refuses a PCM16 signal that would clip (never wraps, never clips silently). */
TEST(audio_save_level_modes)
{
    enum { N = 1000 };
    float x[N];
    for (int i = 0; i < N; i++) x[i] = 0.25f * (float)sin(i * 0.1);
    x[500] = 0.3f;
    as_error err = {0};
    as_signal y = {0};
    double c1 = pow(10.0, -1.0 / 20); /* default ceiling -1 dBFS */
    as_save_opts o = {.sample_format = AS_SAVE_FLOAT, .level = AS_LEVEL_NORMALIZE};
    CHECK_OK(as_audio_save(spath("norm.wav"), x, N, 22050, &o, &err));
    CHECK_OK(as_audio_load(spath("norm.wav"), NULL, &y, &err));
    if (y.n == N) {
        CHECK_NEAR(y.data[500], c1, 1e-6);
        CHECK_NEAR(y.data[7], x[7] * c1 / 0.3, 1e-6);
    }
    as_signal_free(&y);

    o.ceiling_db = -6;
    CHECK_OK(as_audio_save(spath("norm6.wav"), x, N, 22050, &o, &err));
    CHECK_OK(as_audio_load(spath("norm6.wav"), NULL, &y, &err));
    if (y.n == N) CHECK_NEAR(y.data[500], pow(10.0, -6.0 / 20), 1e-6);
    as_signal_free(&y);

    /* peak limit: under the ceiling -> unchanged */
    o = (as_save_opts){.sample_format = AS_SAVE_FLOAT, .level = AS_LEVEL_PEAK_LIMIT};
    CHECK_OK(as_audio_save(spath("lim.wav"), x, N, 22050, &o, &err));
    CHECK_OK(as_audio_load(spath("lim.wav"), NULL, &y, &err));
    if (y.n == N) ref_check_ff("peak limit, under", y.data, x, N, 0, 0);
    as_signal_free(&y);

    /* over full scale: limited to the ceiling in PCM16; as-is refused with a hint, no file */
    float loud[N];
    for (int i = 0; i < N; i++) loud[i] = 4.0f * x[i]; /* peak 1.2 */
    o = (as_save_opts){.level = AS_LEVEL_PEAK_LIMIT};
    CHECK_OK(as_audio_save(spath("lim16.wav"), loud, N, 22050, &o, &err));
    CHECK_OK(as_audio_load(spath("lim16.wav"), NULL, &y, &err));
    if (y.n == N) {
        CHECK_NEAR(y.data[500], c1, 1.0 / 32768);
        CHECK_NEAR(y.data[7], loud[7] * c1 / 1.2, 1.0 / 32768);
    }
    as_signal_free(&y);
    o.level = AS_LEVEL_AS_IS;
    CHECK(as_audio_save(spath("clip16.wav"), loud, N, 22050, &o, &err) == AS_ERR_ARG);
    CHECK_MSG(strstr(err.msg, "clip") != NULL && err.hint[0], "msg: %s", err.msg);
    CHECK(file_size(spath("clip16.wav")) < 0);
    /* float WAV keeps it as is */
    o.sample_format = AS_SAVE_FLOAT;
    CHECK_OK(as_audio_save(spath("loudf.wav"), loud, N, 22050, &o, &err));
    CHECK_OK(as_audio_load(spath("loudf.wav"), NULL, &y, &err));
    if (y.n == N) ref_check_ff("float as is", y.data, loud, N, 0, 0);
    as_signal_free(&y);
    o.ceiling_db = 3; /* above full scale */
    CHECK(as_audio_save(spath("bad.wav"), loud, N, 22050, &o, &err) == AS_ERR_ARG);
}

/* A failed save leaves nothing: unknown extension (refused before writing), NaN input, a target
 * that is a directory (the temporary file is removed), a folder that does not exist. */
TEST(audio_save_failure_leaves_nothing)
{
    float x[100] = {0};
    as_error err = {0};
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/outdir", scratch_dir());
    CHECK(mkdir(dir, 0755) == 0);
    char path[1100];

    snprintf(path, sizeof path, "%s/x.m4a", dir);
    CHECK(as_audio_save(path, x, 100, 22050, NULL, &err) == AS_ERR_UNSUPPORTED);
    CHECK(strstr(err.msg, "x.m4a: ") != NULL);
    snprintf(path, sizeof path, "%s/noext", dir);
    CHECK(as_audio_save(path, x, 100, 22050, NULL, &err) == AS_ERR_UNSUPPORTED);

    x[50] = NAN;
    snprintf(path, sizeof path, "%s/nan.wav", dir);
    CHECK(as_audio_save(path, x, 100, 22050, NULL, &err) == AS_ERR_NUMERIC);
    x[50] = 0;

    snprintf(path, sizeof path, "%s/sub.wav", dir); /* a directory named like the output */
    CHECK(mkdir(path, 0755) == 0);
    CHECK(as_audio_save(path, x, 100, 22050, NULL, &err) == AS_ERR_IO);
    CHECK(rmdir(path) == 0); /* still empty: nothing was written into it */

    snprintf(path, sizeof path, "%s/missing/x.wav", dir);
    CHECK(as_audio_save(path, x, 100, 22050, NULL, &err) == AS_ERR_IO);
    CHECK(as_audio_save(spath("zero.wav"), x, 0, 22050, NULL, &err) == AS_ERR_EMPTY);
    CHECK(as_audio_save(spath("sr.wav"), x, 100, 0, NULL, &err) == AS_ERR_ARG);

    /* the folder holds nothing at all: no output, no temporary file */
    CHECK(rmdir(dir) == 0);
}


/* as_audio_load_memory gives exactly what as_audio_load gives (FLAC, stereo 48 kHz WAV with
 * resampling, an offset); every prefix of a FLAC fails cleanly or loads. */
TEST(audio_memory_loader_equals_file_loader)
{
    enum { N = 48000 };
    float *x = malloc(2 * N * sizeof(float));
    for (int i = 0; i < 2 * N; i++) x[i] = (float)sin(i * 0.013) * 0.4f;
    const char *st = spath("st48.wav");
    write_sf(st, SF_FORMAT_WAV | SF_FORMAT_PCM_24, 48000, 2, NULL, x, N);
    free(x);
    const char *files[] = {example("../../examples/rock_sectoid_feelings.flac"), st};
    as_load_opts opts[] = {{0}, {.offset_s = 0.1, .duration_s = 0.5}};
    for (int f = 0; f < 2; f++)
        for (int k = 0; k < 2; k++) {
            size_t len = 0;
            void *buf = read_all(files[f], &len);
            CHECK(buf != NULL);
            if (!buf) continue;
            as_signal a = {0}, b = {0};
            as_error err = {0};
            CHECK_OK(as_audio_load(files[f], &opts[k], &a, &err));
            CHECK_OK(as_audio_load_memory(buf, len, "mem", &opts[k], &b, &err));
            CHECK(a.n == b.n && a.sr == b.sr && a.n > 0);
            if (a.n == b.n) ref_check_ff("memory vs file", b.data, a.data, (size_t)a.n, 0, 0);
            as_signal_free(&a);
            as_signal_free(&b);
            free(buf);
        }
    /* truncated FLAC in memory: any status, no crash, no leak (ASan), message names "cut" */
    size_t len = 0;
    unsigned char *buf = (unsigned char *)read_all(files[0], &len);
    if (!buf) return;
    for (size_t cut = 0; cut < 4096 && cut < len; cut += 97) {
        as_signal y = {0};
        as_error err = {0};
        as_status s = as_audio_load_memory(buf, cut, "cut.flac", NULL, &y, &err);
        if (s != AS_OK) CHECK_MSG(strncmp(err.msg, "cut.flac: ", 10) == 0, "msg: %s", err.msg);
        else CHECK(y.n > 0 && y.data != NULL);
        as_signal_free(&y);
    }
    free(buf);
}

/* Runs fn on path with fd 2 pointed at a file; returns what was printed there (static). */
static const char *stderr_during(const char *path, as_status *st, as_error *err)
{
    static char out[4096];
    const char *cap = spath("stderr.txt");
    fflush(stderr);
    int saved = dup(2);
    int fd = open(cap, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 2);
    close(fd);
    as_signal y = {0};
    *st = as_audio_load(path, NULL, &y, err);
    as_signal_free(&y);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    size_t n = 0;
    char *b = read_all(cap, &n);
    snprintf(out, sizeof out, "%.*s", b ? (int)n : 0, b ? b : "");
    free(b);
    return out;
}

/* Bad files from tests/bad/make_bad.sh: the right status, a message naming the file, nothing
 * on stderr (no libmpg123 chatter), and a streamed WAV (size 0xFFFFFFFF) still loads. */
TEST(audio_bad_inputs_are_refused_cleanly)
{
    char cmd[2048];
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/bad", scratch_dir());
    snprintf(cmd, sizeof cmd, "bash %s %s", ref_path("../bad/make_bad.sh"), dir);
    CHECK(system(cmd) == 0);
    static const struct { const char *name; as_status st; const char *msg; } cases[] = {
        {"empty.wav", AS_ERR_EMPTY, "file is empty"},
        {"random.wav", AS_ERR_FORMAT, "not a readable audio file"},
        {"random.mp3", AS_ERR_FORMAT, "not a readable audio file"},
        {"random.flac", AS_ERR_FORMAT, "not a readable audio file"},
        {"flac_magic.flac", AS_ERR_FORMAT, "not a readable audio file"},
        {"text.mp3", AS_ERR_FORMAT, "not a readable audio file"},
        {"sync_text.mp3", AS_ERR_FORMAT, "not a readable audio file"},
        {"sync_random.mp3", AS_ERR_FORMAT, "not a readable audio file"},
        {"noframes.wav", AS_ERR_EMPTY, "contains no audio samples"},
        {"trunc_header.wav", AS_ERR_FORMAT, "not a readable audio file"},
        {"trunc_data.wav", AS_ERR_FORMAT, "truncated"},
        {"huge_decl.wav", AS_ERR_FORMAT, "truncated"},
        {"nan.wav", AS_ERR_NUMERIC, "contains NaN or infinite samples"},
        {"inf.wav", AS_ERR_NUMERIC, "contains NaN or infinite samples"},
        {"rate0.wav", AS_ERR_FORMAT, "sample rate 0"},
        {"channels.wav", AS_ERR_UNSUPPORTED, "5000 channels"},
        {"", AS_ERR_IO, "is a directory"},
        {"missing.wav", AS_ERR_IO, "no such file"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, cases[i].name);
        if (!cases[i].name[0]) path[strlen(path) - 1] = '\0'; /* the folder itself */
        as_error err = {0};
        as_status st;
        const char *said = stderr_during(path, &st, &err);
        CHECK_MSG(st == cases[i].st, "%s: status %d (%s), want %d", cases[i].name, st, err.msg, cases[i].st);
        CHECK_MSG(strncmp(err.msg, path, strlen(path)) == 0 && strstr(err.msg, cases[i].msg),
                  "%s: message '%s'", cases[i].name, err.msg);
        CHECK_MSG(said[0] == '\0', "%s: printed on stderr: %s", cases[i].name, said);
        /* the memory loader agrees (except for file-system cases) */
        size_t len = 0;
        void *buf = cases[i].st != AS_ERR_IO ? read_all(path, &len) : NULL;
        if (buf || len) {
            as_signal y = {0};
            CHECK_MSG(as_audio_load_memory(buf, len, cases[i].name, NULL, &y, &err) == cases[i].st,
                      "memory %s: %s", cases[i].name, err.msg);
            as_signal_free(&y);
        }
        free(buf);
    }
    char path[1200];
    snprintf(path, sizeof path, "%s/stream.wav", dir);
    as_signal y = {0};
    as_error err = {0};
    as_load_opts o = {.sr = -1};
    CHECK_OK(as_audio_load(path, &o, &y, &err));
    CHECK_MSG(y.n == 2028, "stream.wav: %lld samples", (long long)y.n);
    as_signal_free(&y);
}

/* as_audio_measure: peak and RMS over all channels at the file's own rate. */
TEST(audio_measure_levels)
{
    enum { N = 44100 };
    float *x = malloc(2 * N * sizeof(float));
    for (int i = 0; i < N; i++) {
        x[2 * i] = (i % 2) ? 0.5f : -0.5f; /* square: rms 0.5 */
        x[2 * i + 1] = 0.0f;
    }
    x[2 * 100 + 1] = -0.75f;
    const char *p = spath("lv.wav");
    if (!write_sf(p, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 2, NULL, x, N)) return;
    as_audio_levels lv;
    as_audio_info info;
    as_error err = {0};
    CHECK_OK(as_audio_measure(p, &info, &lv, &err));
    CHECK(lv.frames == N && info.channels == 2 && info.sample_rate == 44100);
    CHECK_NEAR(lv.peak, 0.75, 0);
    CHECK_NEAR(lv.rms, sqrt((0.25 * N + 0.5625) / (2.0 * N)), 1e-12);
    memset(x, 0, 2 * N * sizeof(float));
    write_sf(p, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, NULL, x, N);
    CHECK_OK(as_audio_measure(p, NULL, &lv, &err));
    CHECK(lv.peak == 0 && lv.rms == 0);
    free(x);
}

/* Lossy formats libsndfile writes here too: Ogg Vorbis (44.1 kHz stereo), Ogg Opus (48 kHz) and
 * MP3 (when libsndfile has an MPEG encoder): the loader decodes, downmixes and resamples them
 * to the length rule, and a 440 Hz tone keeps its frequency and level. */
TEST(audio_lossy_formats_decode)
{
    static const struct { int format, sr; const char *name, *fmt; } cases[] = {
        {SF_FORMAT_OGG | SF_FORMAT_VORBIS, 44100, "v.ogg", "OGG (Vorbis)"},
        {SF_FORMAT_OGG | SF_FORMAT_OPUS, 48000, "o.opus", "OGG (Opus)"},
        {SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100, "m.mp3", "MP3"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int sr = cases[c].sr;
        int64_t n = sr; /* 1 s, stereo: L = R = 0.5 sin */
        float *x = malloc(2 * (size_t)n * sizeof(float));
        for (int64_t i = 0; i < n; i++) x[2 * i] = x[2 * i + 1] = (float)(0.5 * sin(2 * M_PI * 440 * i / sr));
        SF_INFO info = {0};
        info.samplerate = sr;
        info.channels = 2;
        info.format = cases[c].format;
        if (!sf_format_check(&info)) {
            printf("    %s: this libsndfile cannot write it; skipped\n", cases[c].name);
            free(x);
            continue;
        }
        const char *p = spath(cases[c].name);
        if (!write_sf(p, cases[c].format, sr, 2, NULL, x, n)) { free(x); continue; }
        as_audio_info ai;
        as_error err = {0};
        CHECK_OK(as_audio_probe(p, &ai, &err));
        CHECK_MSG(strcmp(ai.format, cases[c].fmt) == 0, "%s: format '%s'", cases[c].name, ai.format);
        as_signal y = {0};
        CHECK_OK(as_audio_load(p, NULL, &y, &err));
        /* decoders may add or drop an encoder delay's worth; the rule applies to what they give */
        CHECK_MSG(llabs(y.n - 22050) < 4000, "%s: %lld samples", cases[c].name, (long long)y.n);
        double ss = 0;
        int64_t zc = 0, lo = y.n / 4, hi = 3 * y.n / 4;
        for (int64_t i = lo; i < hi; i++) {
            ss += (double)y.data[i] * y.data[i];
            if ((y.data[i - 1] < 0) != (y.data[i] < 0)) zc++;
        }
        CHECK_NEAR(sqrt(ss / (double)(hi - lo)), 0.5 / sqrt(2.0), 0.02);
        CHECK_NEAR(zc / 2.0 / ((double)(hi - lo) / 22050.0), 440.0, 3.0);
        as_signal_free(&y);
        free(x);
    }
}

/* as_audio_match_level: a sine with a few spikes, raised 12 dB: the target RMS is reached, no
 * sample passes the ceiling, samples far from the spikes get exactly the plain gain. Checked
 * against a brute-force bound: |y| <= ceiling everywhere, gain 1 region identified by hand. */
TEST(audio_match_level_limits_peaks_and_reaches_the_rms)
{
    int64_t n = 22050;
    float *y = malloc(sizeof(float) * (size_t)n), *orig = malloc(sizeof(float) * (size_t)n);
    for (int64_t i = 0; i < n; i++) y[i] = (float)(0.1 * sin(2 * M_PI * 220.0 * i / AS_SR));
    int64_t spikes[3] = {5000, 12000, 12040};
    for (int k = 0; k < 3; k++) y[spikes[k]] = 0.6f;
    memcpy(orig, y, sizeof(float) * (size_t)n);
    double r0 = 0;
    for (int64_t i = 0; i < n; i++) r0 += (double)y[i] * y[i];
    r0 = sqrt(r0 / n);
    double target = r0 * 4.0, gain_db = 0; /* +12 dB: the spikes would reach 2.4 */
    CHECK_OK(as_audio_match_level(y, n, target, -1.0, &gain_db));
    double ceiling = pow(10.0, -1.0 / 20.0), peak = 0, r = 0;
    for (int64_t i = 0; i < n; i++) {
        peak = fmax(peak, fabs(y[i]));
        r += (double)y[i] * y[i];
    }
    r = sqrt(r / n);
    CHECK_MSG(peak <= ceiling + 1e-7, "peak %.9f over the ceiling %.9f", peak, ceiling);
    CHECK_MSG(fabs(r / target - 1) < 2e-3, "RMS %.6f, target %.6f", r, target);
    CHECK_NEAR(gain_db, 20 * log10(r / r0), 1e-9);
    /* away from the spikes (more than 3 half windows), the gain is one constant, a bit over 4 */
    double g = y[1000] / orig[1000];
    CHECK(g > 4.0 && g < 4.1);
    int far_ok = 1;
    for (int64_t i = 1; i < n; i++) {
        int near = 0;
        for (int k = 0; k < 3; k++) near |= llabs(i - spikes[k]) < 3 * 55;
        if (!near && fabs(orig[i]) > 1e-3 && fabs(y[i] / orig[i] - g) > 1e-5) far_ok = 0;
    }
    CHECK(far_ok);
    /* at the spikes the gain is what the ceiling allows, no more */
    CHECK(fabs(y[5000]) <= ceiling + 1e-7 && fabs(y[5000]) > 0.5 * ceiling);

    /* a quiet signal under the ceiling only gets the gain; silence stays silence */
    memcpy(y, orig, sizeof(float) * (size_t)n);
    CHECK_OK(as_audio_match_level(y, n, r0 * 0.5, -1.0, NULL));
    CHECK_NEAR(y[1000], orig[1000] * 0.5, 1e-6);
    memset(y, 0, sizeof(float) * (size_t)n);
    CHECK_OK(as_audio_match_level(y, n, 0.1, -1.0, &gain_db));
    CHECK(y[100] == 0 && gain_db == 0);
    /* bad arguments and NaN */
    CHECK(as_audio_match_level(y, n, -1, -1.0, NULL) == AS_ERR_ARG);
    CHECK(as_audio_match_level(y, n, 0.1, 3.0, NULL) == AS_ERR_ARG);
    y[7] = NAN;
    CHECK(as_audio_match_level(y, n, 0.1, -1.0, NULL) == AS_ERR_NUMERIC);
    free(y);
    free(orig);
}

/* A long-running process keeps its stderr while the library decodes a FLAC or WAV (no fd 2
 * redirection for containers libmpg123 never sees): lines written to fd 2 by another thread
 * during 20 loads all arrive (before, those written while a file was opened were lost). */
static atomic_int loads_done; /* written by the loader, read by the test's thread */
static void *load_many(void *arg)
{
    for (int i = 0; i < 20; i++) {
        as_signal y = {0};
        as_error err = {0};
        if (as_audio_load((const char *)arg, NULL, &y, &err) != AS_OK) return (void *)1;
        as_signal_free(&y);
    }
    atomic_store(&loads_done, 1);
    return NULL;
}

TEST(audio_loading_flac_leaves_stderr_alone)
{
    char tmpl[] = "/tmp/as_stderr_XXXXXX";
    int fd = mkstemp(tmpl);
    CHECK(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    CHECK(saved >= 0 && dup2(fd, 2) == 2);
    pthread_t t;
    atomic_store(&loads_done, 0); /* before the thread starts: it may finish at once */
    CHECK(pthread_create(&t, NULL, load_many, (void *)example("../../examples/rock_sectoid_feelings.flac")) == 0);
    long n = 0;
    while (!atomic_load(&loads_done)) n += write(2, "x\n", 2) == 2;
    void *rc = NULL;
    pthread_join(t, &rc);
    dup2(saved, 2);
    close(saved);
    struct stat st;
    CHECK(fstat(fd, &st) == 0);
    close(fd);
    unlink(tmpl);
    CHECK(rc == NULL);
    CHECK_MSG(st.st_size == 2 * n, "%lld of %ld bytes written to stderr arrived", (long long)st.st_size, 2 * n);
}
