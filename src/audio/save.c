/* save.c — writing a mono signal as WAV, FLAC, Ogg Vorbis, MP3 or Opus, atomically.
 *
 * The format follows the extension (.wav, .flac, .ogg/.oga, .mp3, .opus; any case). WAV is
 * 16-bit PCM or 32-bit float; FLAC is always 16-bit PCM and Ogg always Vorbis (neither stores
 * float). MP3 is libsndfile's MPEG writer (LAME), constant bitrate, with the LAME info tag that
 * records the encoder delay and padding, so gapless decoders (libmpg123, FFmpeg) return
 * exactly the samples written. Opus is libsndfile's Ogg Opus writer: Opus codes 8/12/16/24/48
 * kHz only, so a 22050-Hz signal is resampled (libsoxr, as_resample) to 24 kHz first and the
 * header records 22050 Hz as the original rate; the pre-skip and the last page's granule
 * position carry the codec delay and padding.
 * PCM16 is converted here, not by libsndfile: q = round(x * 32768) saturated to
 * [-32768, 32767], the exact inverse of the reader's int16 / 32768 (libsndfile's own writer
 * scales by 32767). Samples beyond full scale are never clipped silently: unless a level mode
 * brings the peak under the ceiling, a signal that would clip is refused with a hint.
 */
#include "audio.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define AS_MAX_RATE 1000000

static int format_for(const char *path, int sample_format, const char **kind)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash)) return 0;
    if (strcasecmp(dot, ".wav") == 0) {
        *kind = "WAV";
        return SF_FORMAT_WAV | (sample_format == AS_SAVE_FLOAT ? SF_FORMAT_FLOAT : SF_FORMAT_PCM_16);
    }
    if (strcasecmp(dot, ".flac") == 0) {
        *kind = "FLAC";
        return SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    }
    if (strcasecmp(dot, ".ogg") == 0 || strcasecmp(dot, ".oga") == 0) {
        *kind = "Ogg Vorbis";
        return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
    }
    if (strcasecmp(dot, ".mp3") == 0) {
        *kind = "MP3";
        return SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
    }
    if (strcasecmp(dot, ".opus") == 0) {
        *kind = "Ogg Opus";
        return SF_FORMAT_OGG | SF_FORMAT_OPUS;
    }
    return 0;
}

/* The Opus coding rate for a signal at sr: the lowest Opus rate at or above it. */
static int opus_rate(int sr)
{
    static const int rates[] = {8000, 12000, 16000, 24000, 48000};
    for (int i = 0; i < 5; i++)
        if (sr <= rates[i]) return rates[i];
    return 48000;
}

/* Bitrate limits (kbit/s) of the lossy writers at rate sr; 0 when the format has none. MP3:
 * MPEG-1 Layer III (>= 32 kHz) 32..320, MPEG-2 (16..24 kHz) 8..160, MPEG-2.5 8..64; libsndfile's
 * Ogg Opus 6..256 a channel. The default is 192 kbit/s for MP3 or the highest the rate allows
 * (160 at 22050 Hz), 96 kbit/s for Opus. */
static void bitrate_range(int format, int sr, int *lo, int *hi, int *def)
{
    *lo = *hi = *def = 0;
    if ((format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG) {
        *lo = sr >= 32000 ? 32 : 8;
        *hi = sr >= 32000 ? 320 : sr >= 16000 ? 160 : 64;
        *def = AS_MIN(192, *hi);
    } else if ((format & SF_FORMAT_SUBMASK) == SF_FORMAT_OPUS) {
        *lo = 6;
        *hi = 256;
        *def = 96;
    }
}

/* Sets a constant bitrate of kbps on an open MP3 or Opus writer (libsndfile 1.2's mapping of
 * its compression level 0..1 onto each codec's range, inverted). 0 on success. */
static int set_bitrate(SNDFILE *sf, int format, int sr, int kbps)
{
    double c;
    const int mpeg = (format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG;
    if (mpeg) {
        double top = sr >= 32000 ? 320 : sr >= 16000 ? 160 : 64, bottom = sr >= 32000 ? 32 : 8;
        /* libsndfile: bitrate = (int)(top - c * (top - bottom)); aim half a kbit/s above */
        c = (top - kbps - 0.5) / (top - bottom);
    } else {
        /* libsndfile: bitrate = (int)((1 - c) * 250000 + 6000) bit/s a channel */
        c = 1.0 - (kbps * 1000.0 + 0.5 - 6000.0) / 250000.0;
    }
    c = c < 0 ? 0 : c > 1 ? 1 : c;
    if (!sf_command(sf, SFC_SET_COMPRESSION_LEVEL, &c, sizeof c)) return -1;
    /* MP3: constant bitrate. libsndfile re-applies the level when the mode changes, and refuses
     * the mode while no level is set, so the level goes first. */
    int mode = SF_BITRATE_MODE_CONSTANT;
    if (mpeg && !sf_command(sf, SFC_SET_BITRATE_MODE, &mode, sizeof mode)) return -1;
    return 0;
}

static as_status write_all(SNDFILE *sf, int format, const float *x, int64_t n, float scale)
{
    enum { B = 8192 };
    if ((format & SF_FORMAT_SUBMASK) == SF_FORMAT_PCM_16) {
        short buf[B];
        for (int64_t i = 0; i < n; i += B) {
            int64_t m = AS_MIN((int64_t)B, n - i);
            for (int64_t k = 0; k < m; k++) {
                double q = nearbyint((double)(x[i + k] * scale) * 32768.0);
                buf[k] = (short)(q > 32767.0 ? 32767 : q < -32768.0 ? -32768 : q);
            }
            if (sf_write_short(sf, buf, (sf_count_t)m) != (sf_count_t)m) return AS_ERR_IO;
        }
    } else {
        float buf[B];
        for (int64_t i = 0; i < n; i += B) {
            int64_t m = AS_MIN((int64_t)B, n - i);
            for (int64_t k = 0; k < m; k++) buf[k] = x[i + k] * scale;
            if (sf_write_float(sf, buf, (sf_count_t)m) != (sf_count_t)m) return AS_ERR_IO;
        }
    }
    return AS_OK;
}

AS_API as_status as_audio_save(const char *path, const float *x, int64_t n, int sr,
                               const as_save_opts *opts, as_error *err)
{
    as_save_opts o = {0};
    if (opts) o = *opts;
    if (!path || !*path) return as__fail(err, AS_ERR_ARG, "(no name)", "no output file name");
    if (n < 0 || (n > 0 && !x)) return as__fail(err, AS_ERR_ARG, path, "no samples given");
    if (n == 0) return as__fail(err, AS_ERR_EMPTY, path, "nothing to write (0 samples)");
    if (sr <= 0 || sr > AS_MAX_RATE)
        return as__fail(err, AS_ERR_ARG, path, "invalid sample rate %d Hz", sr);
    if (o.sample_format != AS_SAVE_PCM16 && o.sample_format != AS_SAVE_FLOAT)
        return as__fail(err, AS_ERR_ARG, path, "unknown sample format %d", o.sample_format);
    if (o.level < AS_LEVEL_AS_IS || o.level > AS_LEVEL_NORMALIZE)
        return as__fail(err, AS_ERR_ARG, path, "unknown level mode %d", o.level);
    if (!isfinite(o.ceiling_db) || o.ceiling_db > 0)
        return as__fail(err, AS_ERR_ARG, path, "peak ceiling %g dBFS is above full scale",
                        o.ceiling_db);
    const char *kind = NULL;
    int format = format_for(path, o.sample_format, &kind);
    if (!format) {
        as__fail(err, AS_ERR_UNSUPPORTED, path, "unknown output format (extension)");
        as__hint(err, "name the output .wav, .flac, .ogg, .mp3 or .opus");
        return AS_ERR_UNSUPPORTED;
    }
    if (o.sample_format == AS_SAVE_FLOAT && (format & SF_FORMAT_TYPEMASK) != SF_FORMAT_WAV)
        as__log(AS_LOG_INFO, "%s: %s stores no float samples; writing %s", path, kind,
                (format & SF_FORMAT_SUBMASK) == SF_FORMAT_PCM_16 ? "16-bit PCM" : kind);
    const int is_opus = (format & SF_FORMAT_SUBMASK) == SF_FORMAT_OPUS;
    const int sr_file = is_opus ? opus_rate(sr) : sr;
    int br_lo, br_hi, br_def;
    bitrate_range(format, sr_file, &br_lo, &br_hi, &br_def);
    int kbps = o.bitrate_kbps ? o.bitrate_kbps : br_def;
    if (o.bitrate_kbps < 0 || (br_hi && (kbps < br_lo || kbps > br_hi))) {
        as__fail(err, AS_ERR_ARG, path, "%s at %d Hz takes %d to %d kbit/s (asked for %d)", kind,
                 sr_file, br_lo, br_hi, o.bitrate_kbps);
        as__hint(err, "choose a bitrate from %d to %d", br_lo, br_hi);
        return AS_ERR_ARG;
    }
    if (o.bitrate_kbps && !br_hi)
        as__log(AS_LOG_INFO, "%s: %s has no bitrate; --bitrate ignored", path, kind);

    double peak = 0;
    for (int64_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            return as__fail(err, AS_ERR_NUMERIC, path, "signal contains NaN or infinite samples "
                            "(first at sample %lld); nothing written", (long long)i);
        double a = fabs((double)x[i]);
        if (a > peak) peak = a;
    }
    double ceiling = pow(10.0, (o.ceiling_db == 0 ? -1.0 : o.ceiling_db) / 20.0);
    double scale = 1.0;
    if (o.level == AS_LEVEL_PEAK_LIMIT && peak > ceiling) scale = ceiling / peak;
    if (o.level == AS_LEVEL_NORMALIZE && peak > 0) scale = ceiling / peak;
    int is_float = (format & SF_FORMAT_SUBMASK) == SF_FORMAT_FLOAT;
    /* Fixed-point (and Vorbis, whose decoders clip at full scale) cannot hold |x| > 1. */
    if (!is_float && (float)(peak * scale) > 1.0f) {
        as__fail(err, AS_ERR_ARG, path, "peak %+.2f dBFS would clip in %s%s; nothing written",
                 20 * log10(peak * scale), kind, (format & SF_FORMAT_SUBMASK) == SF_FORMAT_PCM_16 ? " 16-bit PCM" : "");
        as__hint(err, "limit or normalise the level (peak ceiling), or write a float WAV");
        return AS_ERR_ARG;
    }

    /* Opus: the signal, level applied, at the Opus rate (the limiter runs before resampling) */
    float *rs = NULL;
    int64_t nw = n;
    if (is_opus && sr_file != sr) {
        float *scaled = malloc((size_t)n * sizeof(float));
        if (!scaled) return as__fail(err, AS_ERR_NOMEM, path, "out of memory");
        for (int64_t i = 0; i < n; i++) scaled[i] = x[i] * (float)scale;
        as_status rst = as_resample(scaled, n, sr, sr_file, &rs, &nw);
        free(scaled);
        if (rst != AS_OK)
            return as__fail(err, rst, path, "resampling to %d Hz for Opus failed (%s)", sr_file,
                            as_strerror(rst));
        /* as_resample's ceil() may add a sample; the file holds round(n * sr_file / sr) */
        int64_t want = (int64_t)llround((double)n * sr_file / sr);
        if (want >= 1 && want < nw) nw = want;
        x = rs;
        scale = 1.0;
    }

    char tmp[4096];
    int fd = as__tmp_open(path, tmp, sizeof tmp);
    if (fd < 0) {
        free(rs);
        return as__fail(err, AS_ERR_IO, path, "cannot create the output file (%s)",
                        strerror(errno));
    }
    SF_INFO info = {0};
    info.samplerate = sr_file;
    info.channels = 1;
    info.format = format;
    char m[256] = "";
    audio_sf_open_lock(); /* sf_strerror(NULL) is process-wide (audio.h) */
    SNDFILE *sf = sf_open_fd(fd, SFM_WRITE, &info, 0);
    if (!sf) snprintf(m, sizeof m, "%s", sf_strerror(NULL));
    audio_sf_open_unlock();
    if (!sf) {
        close(fd);
        as__tmp_abort(tmp);
        free(rs);
        return as__fail(err, AS_ERR_IO, path, "cannot write %s (libsndfile: %s)", kind, m);
    }
    if (br_hi && set_bitrate(sf, format, sr_file, kbps) != 0) {
        sf_close(sf);
        close(fd);
        as__tmp_abort(tmp);
        free(rs);
        return as__fail(err, AS_ERR_IO, path, "cannot set %s's bitrate to %d kbit/s (libsndfile)",
                        kind, kbps);
    }
    if (is_opus && sr_file != sr) {
        int orig = sr; /* recorded in the header as the original rate */
        sf_command(sf, SFC_SET_ORIGINAL_SAMPLERATE, &orig, sizeof orig);
    }
    if ((format & SF_FORMAT_SUBMASK) == SF_FORMAT_VORBIS) {
        double q = 0.6; /* libsndfile's scale 0..1: ~ Vorbis -q 5, transparent for music */
        sf_command(sf, SFC_SET_VBR_ENCODING_QUALITY, &q, sizeof q);
    }
    as_status st = write_all(sf, format, x, nw, (float)scale);
    free(rs);
    char sfmsg[256] = "";
    if (st != AS_OK) snprintf(sfmsg, sizeof sfmsg, "%s", sf_strerror(sf));
    if (sf_close(sf) != 0 && st == AS_OK) st = AS_ERR_IO;
    if (st == AS_OK && fsync(fd) != 0) st = AS_ERR_IO;
    if (close(fd) != 0 && st == AS_OK) st = AS_ERR_IO;
    if (st != AS_OK) {
        as__tmp_abort(tmp);
        return as__fail(err, st, path, "writing failed (%s)", sfmsg[0] ? sfmsg : strerror(errno));
    }
    st = as__tmp_commit(tmp, path);
    if (st != AS_OK)
        return as__fail(err, st, path, "cannot move the finished file into place (%s)",
                        strerror(errno));
    return AS_OK;
}
