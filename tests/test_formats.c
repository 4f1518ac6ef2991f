/* test_formats.c — the FFmpeg decoder (src/audio/ffmpeg.c) and the MP3/Opus outputs.
 * The fixtures in tests/ref/formats (MANIFEST.md) are the first 2 s of
 * examples/techno_torustrooper_tt1.flac encoded with the ffmpeg program; each is decoded at
 * 22050 Hz and compared with the same 2 s decoded from the FLAC: container and codec names,
 * rate, channels, length (within one codec frame) and the signal-to-noise ratio against the
 * FLAC (above a floor per codec: lossless codecs are bit-exact). */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static as_signal flac_2s(void)
{
    as_signal y = {0};
    as_error err = {0};
    as_load_opts o = {0};
    o.duration_s = 2;
    CHECK_OK(as_audio_load(ref_path("../../examples/techno_torustrooper_tt1.flac"), &o, &y, &err));
    CHECK(y.n == 44100);
    return y;
}

/* SNR in dB of got against ref over their common length, at lag 0. */
static double snr_db(const float *got, const float *ref, int64_t n)
{
    double s = 0, e = 0;
    for (int64_t i = 0; i < n; i++) {
        double d = (double)got[i] - ref[i];
        s += (double)ref[i] * ref[i];
        e += d * d;
    }
    return e == 0 ? INFINITY : 10 * log10(s / e);
}

/* The lag (got later than ref by lag samples) in [-maxlag, maxlag] with the best SNR over a
 * window of 8192 samples from 0.25 s in; *snr is the SNR at that lag over the whole overlap. */
static int64_t best_lag(const float *got, int64_t ng, const float *ref, int64_t nr, int64_t maxlag,
                        double *snr)
{
    int64_t best = 0, w0 = 5512 + maxlag, w = 8192;
    double top = -INFINITY;
    for (int64_t lag = -maxlag; lag <= maxlag; lag++) {
        if (w0 + lag < 0 || w0 + w + AS_MAX(lag, 0) > AS_MIN(ng, nr)) continue;
        double v = snr_db(got + w0 + lag, ref + w0, w);
        if (v > top) { top = v; best = lag; }
    }
    int64_t g0 = best > 0 ? best : 0, r0 = best < 0 ? -best : 0;
    *snr = snr_db(got + g0, ref + r0, AS_MIN(ng - g0, nr - r0));
    return best;
}

static const struct {
    const char *file, *format, *subtype;
    int sr, channels;
    int64_t frame; /* one codec frame, in samples at 22050 Hz */
    int64_t lag;   /* the codec's own shift (see below) */
    double snr_floor; /* at that lag */
} fixtures[] = {
    {"formats/aac.m4a", "MP4/M4A", "AAC", 22050, 1, 1024, 0, 20},
    {"formats/alac.m4a", "MP4/M4A", "ALAC", 22050, 1, 0, 0, INFINITY},
    {"formats/h264_aac.mp4", "MP4/M4A", "AAC", 22050, 1, 1024, 0, 20},
    /* FFmpeg's WMA v2 encoder/decoder pair loses the first frame (2048 samples at 44.1 kHz):
     * ASF records no encoder delay to undo it (ffmpeg's own decoding of the file gives the same
     * samples as ours, checked by hand). The samples start one frame in. */
    {"formats/wma.wma", "ASF", "WMA v2", 44100, 2, 1024, -1024, 8},
    {"formats/opus_vp8.webm", "Matroska/WebM", "Opus", 48000, 1, 441, 0, 17},
};

TEST(formats_ffmpeg_fixtures_match_flac)
{
    as_signal ref = flac_2s();
    if (!ref.data) return;
    for (size_t c = 0; c < sizeof fixtures / sizeof fixtures[0]; c++) {
        const char *p = ref_path(fixtures[c].file);
        as_audio_info ai;
        as_error err = {0};
        CHECK_OK(as_audio_probe(p, &ai, &err));
        CHECK_MSG(strcmp(ai.format, fixtures[c].format) == 0 && strcmp(ai.subtype, fixtures[c].subtype) == 0,
                  "%s: format '%s' subtype '%s'", fixtures[c].file, ai.format, ai.subtype);
        CHECK_MSG(ai.sample_rate == fixtures[c].sr && ai.channels == fixtures[c].channels,
                  "%s: %d Hz %d ch", fixtures[c].file, ai.sample_rate, ai.channels);
        as_signal y = {0};
        CHECK_OK(as_audio_load(p, NULL, &y, &err));
        if (!y.data) continue;
        CHECK(y.sr == 22050);
        int64_t dn = y.n - ref.n;
        double snr = snr_db(y.data, ref.data, AS_MIN(y.n, ref.n));
        double snr_best;
        int64_t lag = best_lag(y.data, y.n, ref.data, ref.n, 2048, &snr_best);
        printf("    %-24s %-14s %-7s %6d Hz %d ch: %lld samples (%+lld), SNR %.1f dB (floor %.0f; "
               "best lag %lld: %.1f dB)\n", fixtures[c].file, ai.format, ai.subtype, ai.sample_rate,
               ai.channels, (long long)y.n, (long long)dn, snr, fixtures[c].snr_floor,
               (long long)lag, snr_best);
        CHECK_MSG(llabs(dn) <= fixtures[c].frame, "%s: %lld samples, FLAC %lld", fixtures[c].file,
                  (long long)y.n, (long long)ref.n);
        CHECK_MSG(lag == fixtures[c].lag, "%s: best lag %lld, want %lld", fixtures[c].file,
                  (long long)lag, (long long)fixtures[c].lag);
        CHECK_MSG(snr_best >= fixtures[c].snr_floor, "%s: SNR %.2f dB < %.0f", fixtures[c].file,
                  snr_best, fixtures[c].snr_floor);
        if (isinf(fixtures[c].snr_floor) && y.n == ref.n)
            ref_check_ff(fixtures[c].file, y.data, ref.data, (size_t)y.n, 0, 0);
        /* the same bytes from memory (custom AVIOContext) give the same samples */
        size_t len = 0;
        void *buf = read_all(p, &len);
        as_signal m = {0};
        CHECK_OK(as_audio_load_memory(buf, len, "mem", NULL, &m, &err));
        CHECK(m.n == y.n);
        if (m.n == y.n) ref_check_ff("memory vs file", m.data, y.data, (size_t)y.n, 0, 0);
        /* offset and duration: read-and-discard gives the same samples as the whole decode */
        as_load_opts o = {0};
        o.sr = -1;
        as_signal w = {0}, part = {0};
        CHECK_OK(as_audio_load(p, &o, &w, &err));
        o.offset_s = 0.5;
        o.duration_s = 1.0;
        CHECK_OK(as_audio_load(p, &o, &part, &err));
        int64_t at = (int64_t)llround(0.5 * ai.sample_rate);
        CHECK(part.n == ai.sample_rate);
        if (part.n == ai.sample_rate && w.n >= at + part.n)
            ref_check_ff("offset", part.data, w.data + at, (size_t)part.n, 0, 0);
        as_signal_free(&w);
        as_signal_free(&part);
        as_signal_free(&m);
        free(buf);
        as_signal_free(&y);
    }
    as_signal_free(&ref);
}

TEST(formats_video_without_audio_is_refused)
{
    const char *p = ref_path("formats/video_only.mp4");
    as_signal y = {0};
    as_error err = {0};
    as_status st = as_audio_load(p, NULL, &y, &err);
    CHECK(st == AS_ERR_FORMAT);
    CHECK_MSG(strstr(err.msg, "no audio stream") && strstr(err.msg, "video_only.mp4"), "msg: %s", err.msg);
    as_audio_info ai;
    CHECK(as_audio_probe(p, &ai, &err) == AS_ERR_FORMAT);
    size_t len = 0;
    void *buf = read_all(p, &len);
    CHECK(as_audio_load_memory(buf, len, "v.mp4", NULL, &y, &err) == AS_ERR_FORMAT);
    free(buf);
}

/* Cut and damaged copies of the M4A in memory: any status, never a crash (ASan), a message
 * naming the buffer on failure; no FFmpeg message reaches stderr (they go to the log). */
static int logged;
static void count_log(int level, const char *msg, void *user)
{
    (void)level, (void)user;
    if (strncmp(msg, "ffmpeg: ", 8) == 0) logged++;
}

TEST(formats_damaged_m4a_in_memory)
{
    size_t len = 0;
    unsigned char *buf = (unsigned char *)read_all(ref_path("formats/aac.m4a"), &len);
    CHECK(buf != NULL);
    if (!buf) return;
    as_set_log(count_log, NULL);
    int ok = 0, refused = 0;
    for (size_t cut = 8; cut < len; cut += len / 37) {
        as_signal y = {0};
        as_error err = {0};
        as_status s = as_audio_load_memory(buf, cut, "cut.m4a", NULL, &y, &err);
        if (s != AS_OK) {
            refused++;
            CHECK_MSG(strncmp(err.msg, "cut.m4a: ", 9) == 0, "msg: %s", err.msg);
        } else {
            ok++;
            CHECK(y.n > 0 && y.n <= 44100);
        }
        as_signal_free(&y);
    }
    unsigned char *bad = malloc(len);
    uint32_t r = 12345;
    for (int k = 0; k < 20; k++) {
        memcpy(bad, buf, len);
        for (int j = 0; j < 64; j++) {
            r = r * 1103515245u + 12345u;
            bad[(r >> 8) % len] = (unsigned char)(r >> 24);
        }
        as_signal y = {0};
        as_error err = {0};
        if (as_audio_load_memory(bad, len, "bad.m4a", NULL, &y, &err) == AS_OK) {
            for (int64_t i = 0; i < y.n; i++) CHECK(isfinite(y.data[i]));
        }
        as_signal_free(&y);
    }
    as_set_log(NULL, NULL);
    printf("    cut copies: %d decoded (shorter), %d refused; FFmpeg messages routed to the log: %d\n",
           ok, refused, logged);
    free(bad);
    free(buf);
}

/* MP3 and Opus outputs: the first 3 s of the techno example written by as_audio_save and read
 * back: the length within one codec frame (MP3 at 22050 Hz: 576 samples; Opus: 20 ms = 441),
 * no shift (SNR at lag 0 above a floor), the bitrate asked for (file size within 15 %), and
 * refusals of bitrates out of range that leave nothing behind. */
TEST(formats_mp3_opus_round_trip)
{
    as_signal x = {0};
    as_error err = {0};
    as_load_opts lo = {0};
    lo.duration_s = 3;
    CHECK_OK(as_audio_load(ref_path("../../examples/techno_torustrooper_tt1.flac"), &lo, &x, &err));
    if (!x.data) return;
    static const struct { const char *name, *format; int kbps, nominal; int64_t frame; double floor; } cases[] = {
        {"r.mp3", "MP3", 0, 160, 576, 20},  {"r64.mp3", "MP3", 64, 64, 576, 12},
        {"r.opus", "OGG (Opus)", 0, 96, 441, 15}, {"r32.opus", "OGG (Opus)", 32, 32, 441, 8},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", scratch_dir(), cases[c].name);
        as_save_opts so = {0};
        so.level = AS_LEVEL_PEAK_LIMIT;
        so.bitrate_kbps = cases[c].kbps;
        CHECK_OK(as_audio_save(p, x.data, x.n, x.sr, &so, &err));
        as_audio_info ai;
        CHECK_OK(as_audio_probe(p, &ai, &err));
        CHECK_MSG(strcmp(ai.format, cases[c].format) == 0, "%s: format %s", cases[c].name, ai.format);
        as_signal y = {0};
        CHECK_OK(as_audio_load(p, NULL, &y, &err));
        if (!y.data) continue;
        size_t bytes = 0;
        free(read_all(p, &bytes));
        double kbps = bytes * 8.0 / 1000.0 / 3.0;
        /* the reference: the signal as written (peak-limited to -1 dBFS when louder) */
        double peak = 0;
        for (int64_t i = 0; i < x.n; i++) peak = fmax(peak, fabs(x.data[i]));
        float g = peak > pow(10, -1 / 20.0) ? (float)(pow(10, -1 / 20.0) / peak) : 1.0f;
        float *ref = malloc((size_t)x.n * sizeof(float));
        for (int64_t i = 0; i < x.n; i++) ref[i] = x.data[i] * g;
        double snr = snr_db(y.data, ref, AS_MIN(y.n, x.n)), snr_best;
        int64_t lag = best_lag(y.data, y.n, ref, x.n, 1200, &snr_best);
        printf("    %-9s %-11s %3d kbit/s asked, %5.1f kbit/s in the file: %lld samples (%+lld), "
               "SNR %.1f dB (floor %.0f; best lag %lld)\n", cases[c].name, ai.format, cases[c].nominal,
               kbps, (long long)y.n, (long long)(y.n - x.n), snr, cases[c].floor, (long long)lag);
        CHECK_MSG(llabs(y.n - x.n) <= cases[c].frame, "%s: %lld samples for %lld", cases[c].name,
                  (long long)y.n, (long long)x.n);
        CHECK_MSG(llabs(lag) <= 1, "%s: shifted by %lld samples", cases[c].name, (long long)lag);
        CHECK_MSG(snr >= cases[c].floor, "%s: SNR %.2f dB", cases[c].name, snr);
        CHECK_MSG(fabs(kbps - cases[c].nominal) <= 0.15 * cases[c].nominal, "%s: %.1f kbit/s",
                  cases[c].name, kbps);
        free(ref);
        as_signal_free(&y);
    }
    /* out of range: refused before anything is written */
    static const struct { const char *name; int kbps; } bad[] = {{"b.mp3", 192}, {"b.mp3", 4},
                                                               {"b.opus", 300}, {"b.opus", -1}};
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", scratch_dir(), bad[c].name);
        as_save_opts so = {0};
        so.level = AS_LEVEL_PEAK_LIMIT;
        so.bitrate_kbps = bad[c].kbps;
        CHECK(as_audio_save(p, x.data, x.n, x.sr, &so, &err) == AS_ERR_ARG);
        CHECK_MSG(strstr(err.msg, "kbit/s") != NULL, "msg: %s", err.msg);
        CHECK(access(p, F_OK) != 0);
    }
    as_signal_free(&x);
}
