/* save.c — writing a mono signal as WAV, FLAC or Ogg Vorbis, atomically.
 *
 * The format follows the extension (.wav, .flac, .ogg/.oga; any case). WAV is 16-bit PCM or
 * 32-bit float; FLAC is always 16-bit PCM and Ogg always Vorbis (neither stores float).
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
        as__hint(err, "name the output .wav, .flac or .ogg");
        return AS_ERR_UNSUPPORTED;
    }
    if (o.sample_format == AS_SAVE_FLOAT && (format & SF_FORMAT_TYPEMASK) != SF_FORMAT_WAV)
        as__log(AS_LOG_INFO, "%s: %s stores no float samples; writing %s", path, kind,
                (format & SF_FORMAT_SUBMASK) == SF_FORMAT_VORBIS ? "Vorbis" : "16-bit PCM");

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

    char tmp[4096];
    int fd = as__tmp_open(path, tmp, sizeof tmp);
    if (fd < 0) return as__fail(err, AS_ERR_IO, path, "cannot create the output file (%s)",
                                strerror(errno));
    SF_INFO info = {0};
    info.samplerate = sr;
    info.channels = 1;
    info.format = format;
    SNDFILE *sf = sf_open_fd(fd, SFM_WRITE, &info, 0);
    if (!sf) {
        const char *m = sf_strerror(NULL);
        close(fd);
        as__tmp_abort(tmp);
        return as__fail(err, AS_ERR_IO, path, "cannot write %s (libsndfile: %s)", kind, m);
    }
    if ((format & SF_FORMAT_SUBMASK) == SF_FORMAT_VORBIS) {
        double q = 0.6; /* libsndfile's scale 0..1: ~ Vorbis -q 5, transparent for music */
        sf_command(sf, SFC_SET_VBR_ENCODING_QUALITY, &q, sizeof q);
    }
    as_status st = write_all(sf, format, x, n, (float)scale);
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
