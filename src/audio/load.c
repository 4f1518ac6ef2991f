/* load.c — decoding with libsndfile: probe, load (mono, resampled), levels, load from memory.
 *
 * ref: librosa.load(path, sr=22050, mono=True, offset, duration): samples as libsndfile's float
 * conversion gives them (16-bit: int16 / 32768), channels averaged in float32 (np.mean), then
 * resampled (resample.c) to ceil(n * sr / sr_native) samples.
 *
 * Hostile input: every size a header declares is only a hint. Buffers start small and grow
 * as decoded data actually arrives, so a header claiming 4 GB on a 4 KB file costs 4 KB.
 */
#define _POSIX_C_SOURCE 200809L
#include "audio.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define AS_MAX_RATE 1000000  /* samples per second; above is a corrupt header */
#define AS_MAX_CHANNELS 256  /* libsndfile allows 1024; no real music file has more than 256 */
#define CHUNK_FRAMES 4096

/* --- decoder chatter ------------------------------------------------------------------------
 * libmpg123, which libsndfile 1.2 uses for MP3, prints notes ("Note: Illegal Audio-MPEG-Header
 * 0x... at offset ...") with fprintf(stderr) while libsndfile probes a file or decodes MPEG
 * data, and libsndfile offers no switch to silence it. The library must not print, so while
 * libsndfile opens any file, and while it decodes MPEG audio, fd 2 points at /dev/null.
 * Trade-offs: fd 2 is process-wide, so (a) this is serialised under one mutex — opening is
 * quick, but parallel MP3 decoding in one process runs one file at a time; (b) anything another
 * thread writes to stderr in that window is lost (the CLI prints progress from the thread that
 * loads, so nothing of ours is). The alternative, sniffing "is this really MP3" before handing
 * the file over, would have to reimplement mpg123's resynchronisation rules and would still
 * let chatter through on damaged frames in the middle of a real MP3. */
static pthread_mutex_t quiet_mu = PTHREAD_MUTEX_INITIALIZER;

/* Whether opening data that starts with these bytes can reach libmpg123. libsndfile recognises
 * its containers by their magic first and hands a file to libmpg123 only when no magic matched
 * (or for an ID3 tag / MPEG sync word), so a file that starts with a container's magic is opened
 * without touching fd 2: WAV, RF64, W64, FLAC, Ogg, AIFF, AU, CAF, WavPack-free formats alike.
 * What is left behind the guard is MP3 and data nothing recognises. A long-running process (the
 * server, a notebook) that opens only such containers never sees fd 2 change. */
static int may_reach_mpg123(const unsigned char *b, size_t n)
{
    if (n < 12) return 1;
    if (!memcmp(b, "RIFF", 4) && (!memcmp(b + 8, "WAVE", 4))) return 0;
    if (!memcmp(b, "RF64", 4) || !memcmp(b, "riff", 4)) return 0;
    if (!memcmp(b, "fLaC", 4) || !memcmp(b, "OggS", 4)) return 0;
    if (!memcmp(b, "FORM", 4) && (!memcmp(b + 8, "AIFF", 4) || !memcmp(b + 8, "AIFC", 4))) return 0;
    if (!memcmp(b, ".snd", 4) || !memcmp(b, "caff", 4)) return 0;
    return 1;
}
static int quiet_saved = -1;

static pthread_mutex_t sf_open_mu = PTHREAD_MUTEX_INITIALIZER;
void audio_sf_open_lock(void) { pthread_mutex_lock(&sf_open_mu); }
void audio_sf_open_unlock(void) { pthread_mutex_unlock(&sf_open_mu); }

void audio_quiet_begin(void)
{
    pthread_mutex_lock(&quiet_mu);
    fflush(stderr);
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    quiet_saved = -1;
    if (devnull >= 0) {
        quiet_saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        if (quiet_saved >= 0 && dup2(devnull, STDERR_FILENO) < 0) {
            close(quiet_saved);
            quiet_saved = -1;
        }
        close(devnull);
    }
}

void audio_quiet_end(void)
{
    if (quiet_saved >= 0) {
        fflush(stderr);
        dup2(quiet_saved, STDERR_FILENO);
        close(quiet_saved);
        quiet_saved = -1;
    }
    pthread_mutex_unlock(&quiet_mu);
}

/* --- format names ------------------------------------------------------------------------ */

void audio_format_names(int f, char *format, size_t format_len, char *subtype, size_t subtype_len)
{
    const char *maj, *sub;
    switch (f & SF_FORMAT_TYPEMASK) {
    case SF_FORMAT_WAV: maj = "WAV"; break;
    case SF_FORMAT_WAVEX: maj = "WAV (extensible)"; break;
    case SF_FORMAT_RF64: maj = "RF64"; break;
    case SF_FORMAT_W64: maj = "W64"; break;
    case SF_FORMAT_AIFF: maj = "AIFF"; break;
    case SF_FORMAT_AU: maj = "AU"; break;
    case SF_FORMAT_CAF: maj = "CAF"; break;
    case SF_FORMAT_FLAC: maj = "FLAC"; break;
    case SF_FORMAT_OGG:
        maj = (f & SF_FORMAT_SUBMASK) == SF_FORMAT_OPUS ? "OGG (Opus)" : "OGG (Vorbis)";
        break;
    case SF_FORMAT_MPEG:
        maj = (f & SF_FORMAT_SUBMASK) == SF_FORMAT_MPEG_LAYER_III ? "MP3" : "MPEG audio";
        break;
    default: maj = "other (libsndfile)"; break;
    }
    switch (f & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8: sub = "8-bit PCM (signed)"; break;
    case SF_FORMAT_PCM_U8: sub = "8-bit PCM"; break;
    case SF_FORMAT_PCM_16: sub = "16-bit PCM"; break;
    case SF_FORMAT_PCM_24: sub = "24-bit PCM"; break;
    case SF_FORMAT_PCM_32: sub = "32-bit PCM"; break;
    case SF_FORMAT_FLOAT: sub = "32-bit float"; break;
    case SF_FORMAT_DOUBLE: sub = "64-bit float"; break;
    case SF_FORMAT_ULAW: sub = "u-law"; break;
    case SF_FORMAT_ALAW: sub = "A-law"; break;
    case SF_FORMAT_IMA_ADPCM: sub = "IMA ADPCM"; break;
    case SF_FORMAT_MS_ADPCM: sub = "MS ADPCM"; break;
    case SF_FORMAT_GSM610: sub = "GSM 6.10"; break;
    case SF_FORMAT_VORBIS: sub = "Vorbis"; break;
    case SF_FORMAT_OPUS: sub = "Opus"; break;
    case SF_FORMAT_MPEG_LAYER_I: sub = "MPEG Layer I"; break;
    case SF_FORMAT_MPEG_LAYER_II: sub = "MPEG Layer II"; break;
    case SF_FORMAT_MPEG_LAYER_III: sub = "MPEG Layer III"; break;
    default: sub = "other"; break;
    }
    if (format) snprintf(format, format_len, "%s", maj);
    if (subtype) snprintf(subtype, subtype_len, "%s", sub);
}

/* --- sources: a file descriptor or a buffer in memory ---------------------------------------
 * Both go through libsndfile's virtual I/O. For files this keeps the descriptor ours:
 * sf_open_fd closes the descriptor when opening fails even when asked not to (libsndfile
 * 1.2.0), which would make our own close() a double close. */

typedef struct vsrc {
    int fd;                   /* >= 0: read with pread */
    const unsigned char *buf; /* else: this buffer */
    sf_count_t len, pos;
} vsrc;

static sf_count_t v_len(void *u) { return ((vsrc *)u)->len; }
static sf_count_t v_tell(void *u) { return ((vsrc *)u)->pos; }
static sf_count_t v_seek(sf_count_t off, int whence, void *u)
{
    vsrc *m = u;
    sf_count_t p = whence == SEEK_SET ? off : whence == SEEK_CUR ? m->pos + off : m->len + off;
    if (p < 0) return -1;
    m->pos = p; /* past the end is allowed, as for files; reads there return 0 */
    return p;
}
static sf_count_t v_read(void *ptr, sf_count_t count, void *u)
{
    vsrc *m = u;
    if (count <= 0 || m->pos >= m->len) return 0;
    sf_count_t k = AS_MIN(count, m->len - m->pos);
    if (m->fd >= 0) {
        sf_count_t got = 0;
        while (got < k) {
            ssize_t r = pread(m->fd, (char *)ptr + got, (size_t)(k - got), (off_t)(m->pos + got));
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            got += r;
        }
        k = got;
    } else {
        memcpy(ptr, m->buf + m->pos, (size_t)k);
    }
    m->pos += k;
    return k;
}
static sf_count_t v_write(const void *ptr, sf_count_t count, void *u)
{
    (void)ptr, (void)count, (void)u;
    return 0;
}

static SF_VIRTUAL_IO vio = {v_len, v_seek, v_read, v_write, v_tell};

typedef struct source {
    const char *name;
    int fd;         /* -1 for memory */
    vsrc io;
    SNDFILE *sf;    /* libsndfile, or */
    audio_ff *ff;   /* FFmpeg (ffmpeg.c) when libsndfile refused the file */
    audio_ff_info ffi;
    SF_INFO info;   /* rate, channels, frames of either (format 0 for FFmpeg) */
    int64_t nbytes; /* size of the file or buffer */
} source;

static void source_close(source *s)
{
    if (s->sf) sf_close(s->sf);
    audio_ff_close(s->ff);
    if (s->fd >= 0) close(s->fd);
    s->sf = NULL;
    s->ff = NULL;
    s->fd = -1;
}

/* Reads up to len bytes at offset off of the source (not through libsndfile). */
static size_t source_peek(const source *s, int64_t off, unsigned char *b, size_t len)
{
    if (off < 0 || off >= s->nbytes) return 0;
    if (s->fd < 0) {
        size_t k = (size_t)AS_MIN((int64_t)len, s->nbytes - off);
        memcpy(b, s->io.buf + off, k);
        return k;
    }
    ssize_t k = pread(s->fd, b, len, (off_t)off);
    return k < 0 ? 0 : (size_t)k;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A RIFF/WAVE whose data chunk declares more bytes than the file holds was cut short
 * (libsndfile would quietly read what is there). Sizes 0 and 0xFFFFFFFF are the streaming
 * conventions for "unknown" and are accepted. Only chunks within the first 64 KB are looked at. */
static as_status check_wav_truncation(const source *s, as_error *err)
{
    unsigned char h[12], c[8];
    if (source_peek(s, 0, h, 12) < 12 || memcmp(h, "RIFF", 4) != 0 || memcmp(h + 8, "WAVE", 4) != 0)
        return AS_OK;
    int64_t off = 12;
    while (off + 8 <= s->nbytes && off < 65536) {
        if (source_peek(s, off, c, 8) < 8) return AS_OK;
        uint32_t size = le32(c + 4);
        if (memcmp(c, "data", 4) == 0) {
            int64_t avail = s->nbytes - (off + 8);
            if (size != 0 && size != 0xFFFFFFFFu && (int64_t)size > avail) {
                as__fail(err, AS_ERR_FORMAT, s->name,
                         "file is truncated (its header declares %lu bytes of audio, the file "
                         "holds %lld)", (unsigned long)size, (long long)AS_MAX(avail, 0));
                as__hint(err, "the file was cut short while being written or copied; "
                              "export or copy it again");
                return AS_ERR_FORMAT;
            }
            return AS_OK;
        }
        off += 8 + (int64_t)size + (size & 1);
    }
    return AS_OK;
}

static as_status check_info(const source *s, as_error *err)
{
    const SF_INFO *i = &s->info;
    if (i->samplerate <= 0 || i->samplerate > AS_MAX_RATE)
        return as__fail(err, AS_ERR_FORMAT, s->name, "invalid sample rate %d Hz in the header",
                        i->samplerate);
    if (i->channels <= 0 || i->channels > AS_MAX_CHANNELS)
        return as__fail(err, AS_ERR_UNSUPPORTED, s->name,
                        "%d channels (at most %d are supported)", i->channels, AS_MAX_CHANNELS);
    return check_wav_truncation(s, err);
}

/* When libsndfile refuses a RIFF/WAVE, its message for a zero sample rate or channel count is
 * "SF_INFO struct incomplete"; name the field instead. Returns the status set, or AS_OK. */
static as_status wav_fmt_problem(const source *s, as_error *err)
{
    unsigned char h[12], c[8], f[16];
    if (source_peek(s, 0, h, 12) < 12 || memcmp(h, "RIFF", 4) != 0 || memcmp(h + 8, "WAVE", 4) != 0)
        return AS_OK;
    for (int64_t off = 12; off + 8 <= s->nbytes && off < 65536;) {
        if (source_peek(s, off, c, 8) < 8) return AS_OK;
        uint32_t size = le32(c + 4);
        if (memcmp(c, "fmt ", 4) == 0) {
            if (size < 16 || source_peek(s, off + 8, f, 16) < 16) return AS_OK;
            unsigned ch = (unsigned)f[2] | (unsigned)f[3] << 8;
            uint32_t rate = le32(f + 4);
            if (rate == 0 || rate > AS_MAX_RATE) {
                return as__fail(err, AS_ERR_FORMAT, s->name,
                                "invalid sample rate %lu Hz in the header", (unsigned long)rate);
            }
            if (ch == 0 || ch > AS_MAX_CHANNELS) {
                return as__fail(err, ch ? AS_ERR_UNSUPPORTED : AS_ERR_FORMAT, s->name,
                                "%u channels in the header (at most %d are supported)", ch,
                                AS_MAX_CHANNELS);
            }
            return AS_OK;
        }
        off += 8 + (int64_t)size + (size & 1);
    }
    return AS_OK;
}

/* A file libsndfile refused goes to FFmpeg (ffmpeg.c) when it is one of the containers FFmpeg
 * is used for; AS_OK with s->ff open, or the refusal. */
static as_status try_ffmpeg(source *s, as_error *err, int *recognised)
{
    as_status st = audio_ff_open(s->name, s->fd, s->io.buf, s->nbytes, &s->ff, &s->ffi,
                                 recognised, err);
    if (st != AS_OK) return st;
    s->info.samplerate = s->ffi.sample_rate;
    s->info.channels = s->ffi.channels;
    s->info.format = 0;
    s->info.seekable = 0;
    /* A declared length is believed only when the file could hold it: at 32 bytes a second or
     * more (real codecs need far more), so a header claiming years does not size anything. */
    int64_t fr = s->ffi.frames;
    if (fr > 0 && (double)fr / s->ffi.sample_rate * 32.0 > (double)s->nbytes) {
        as__log(AS_LOG_DEBUG, "%s: declares %.0f s in %lld bytes; length treated as unknown",
                s->name, (double)fr / s->ffi.sample_rate, (long long)s->nbytes);
        fr = -1;
    }
    s->info.frames = fr >= 0 ? (sf_count_t)fr : SF_COUNT_MAX;
    return AS_OK;
}

static as_status sf_open_failed(source *s, const char *sfmsg, as_error *err)
{
    as_status st = wav_fmt_problem(s, err);
    if (st != AS_OK) return st;
    int recognised = 0;
    st = try_ffmpeg(s, err, &recognised);
    if (st == AS_OK || recognised) return st;
    /* libsndfile reports MPEG data without a valid frame as "File does not exist or is not a
     * regular file": the file exists (it was just opened), so say what happened instead. */
    if (strstr(sfmsg, "does not exist"))
        return as__fail(err, AS_ERR_FORMAT, s->name,
                        "not a readable audio file (no valid audio frames found)");
    as__fail(err, AS_ERR_FORMAT, s->name, "not a readable audio file (libsndfile: %s)", sfmsg);
    if (strstr(sfmsg, "not recognised"))
        as__hint(err, "audiostyle reads WAV, FLAC, Ogg Vorbis/Opus, MP3, AIFF, AU, CAF "
                      "(libsndfile) and M4A/MP4 (AAC, ALAC), WMA, Matroska/WebM, AVI (FFmpeg)");
    return AS_ERR_FORMAT;
}

/* Opens s->io with libsndfile (standard error quietened only when the bytes head (n,) may reach
 * libmpg123), falls back to FFmpeg when libsndfile refuses, and checks the stream; closes s on
 * failure. */
static as_status source_open_sf(source *s, const void *head, size_t n, as_error *err)
{
    char sfmsg[256];
    int quiet = may_reach_mpg123(head, n);
    if (quiet) audio_quiet_begin();
    audio_sf_open_lock();
    s->sf = sf_open_virtual(&vio, SFM_READ, &s->info, &s->io);
    if (!s->sf) snprintf(sfmsg, sizeof sfmsg, "%s", sf_strerror(NULL));
    audio_sf_open_unlock();
    if (quiet) audio_quiet_end();
    if (!s->sf) {
        as_status st1 = sf_open_failed(s, sfmsg, err); /* AS_OK: FFmpeg opened it */
        if (st1 != AS_OK) {
            source_close(s);
            return st1;
        }
    }
    as_status st = check_info(s, err);
    if (st != AS_OK) source_close(s);
    return st;
}

/* Opens path (fd >= 0 path) or a buffer; checks the file system first for clear messages. */
static as_status source_open_path(source *s, const char *path, as_error *err)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->name = path;
    if (!path || !*path) return as__fail(err, AS_ERR_ARG, "(no name)", "no file name given");
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return as__fail(err, AS_ERR_IO, path, "no such file");
        return as__fail(err, AS_ERR_IO, path, "%s", strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) return as__fail(err, AS_ERR_IO, path, "is a directory");
    if (!S_ISREG(st.st_mode)) return as__fail(err, AS_ERR_IO, path, "not a regular file");
    if (st.st_size == 0) return as__fail(err, AS_ERR_EMPTY, path, "file is empty");
    s->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0) return as__fail(err, AS_ERR_IO, path, "%s", strerror(errno));
    s->nbytes = (int64_t)st.st_size;
    s->io.fd = s->fd;
    s->io.len = (sf_count_t)st.st_size;
    unsigned char head[12];
    ssize_t got = pread(s->fd, head, sizeof head, 0);
    return source_open_sf(s, head, got > 0 ? (size_t)got : 0, err);
}

static as_status source_open_memory(source *s, const void *buf, size_t len, const char *name,
                                    as_error *err)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->name = name && *name ? name : "(memory)";
    if (!buf && len) return as__fail(err, AS_ERR_ARG, s->name, "no buffer");
    if (len == 0) return as__fail(err, AS_ERR_EMPTY, s->name, "file is empty");
    if ((uint64_t)len > (uint64_t)INT64_MAX) return as__fail(err, AS_ERR_ARG, s->name, "buffer too large");
    s->io.fd = -1;
    s->io.buf = buf;
    s->io.len = (sf_count_t)len;
    s->nbytes = (int64_t)len;
    return source_open_sf(s, buf, len, err);
}

/* Frames the header declares, or -1 when unknown. */
static int64_t declared_frames(const source *s)
{
    sf_count_t f = s->info.frames;
    return (f < 0 || f == SF_COUNT_MAX) ? -1 : (int64_t)f;
}

/* --- decoding ------------------------------------------------------------------------------- */

typedef struct decode_req {
    int64_t start;      /* first frame */
    int64_t count;      /* frames to read; -1 = to the end */
    int64_t max_frames; /* refuse more than this; -1 = no limit */
    double max_s;       /* for the message */
    int want_mono;      /* fill *mono with the channel average */
} decode_req;

typedef struct decode_res {
    float *mono;  /* (n,) when want_mono */
    int64_t n;    /* frames decoded */
    double peak;  /* max |x| over all channels */
    double sumsq; /* sum of x^2 over all channels */
} decode_res;

static as_status too_long(const source *s, double seconds_at_least, double max_s, as_error *err)
{
    as__fail(err, AS_ERR_TOO_LONG, s->name, "%.1f s or longer, more than the %g s allowed",
             seconds_at_least, max_s);
    as__hint(err, "raise the limit with --max-duration SECONDS (0 = no limit)");
    return AS_ERR_TOO_LONG;
}

/* Up to want interleaved frames into chunk from either decoder: > 0 frames, 0 at the end,
 * -1 with *st set (FFmpeg errors; libsndfile's end-of-data and errors both read as 0). */
static sf_count_t source_read(source *s, float *chunk, int64_t want, as_status *st, as_error *err)
{
    *st = AS_OK;
    if (s->ff) return (sf_count_t)audio_ff_read(s->ff, chunk, want, st, err);
    return sf_readf_float(s->sf, chunk, (sf_count_t)want);
}

static as_status decode(source *s, const decode_req *rq, decode_res *res, as_error *err)
{
    const int C = s->info.channels;
    const double sr = s->info.samplerate;
    const int is_mpeg = (s->info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG;
    memset(res, 0, sizeof *res);
    int64_t total = declared_frames(s);

    /* Refuse early what the header already says is too long (the header may lie the other way,
     * so the limit is enforced again as data arrives). */
    if (rq->max_frames >= 0 && total >= 0) {
        int64_t left = AS_MAX(total - rq->start, 0);
        if (rq->count >= 0) left = AS_MIN(left, rq->count);
        if (left > rq->max_frames) return too_long(s, left / sr, rq->max_s, err);
    }

    float *chunk = malloc((size_t)CHUNK_FRAMES * (size_t)C * sizeof(float));
    float *mono = NULL;
    size_t cap = 0;
    as_status st = AS_OK;
    if (!chunk) return AS_ERR_NOMEM;

    if (is_mpeg) audio_quiet_begin();
    /* Seek to the start: directly when the decoder can, else by reading and discarding. */
    int64_t skip = rq->start;
    if (skip > 0 && s->sf && s->info.seekable) {
        if (total >= 0 && skip >= total) skip = -1; /* past the end: nothing to read */
        else if (sf_seek(s->sf, (sf_count_t)skip, SEEK_SET) >= 0) skip = 0;
    }
    while (skip > 0) {
        sf_count_t k = source_read(s, chunk, AS_MIN(skip, CHUNK_FRAMES), &st, err);
        if (k < 0) goto done;
        if (k == 0) { skip = -1; break; }
        skip -= k;
    }
    double peak = 0, sumsq = 0;
    int64_t n = 0;
    while (skip == 0 && (rq->count < 0 || n < rq->count)) {
        int64_t want = CHUNK_FRAMES;
        if (rq->count >= 0) want = AS_MIN(want, rq->count - n);
        sf_count_t k = source_read(s, chunk, want, &st, err);
        if (k < 0) goto done;
        if (k == 0) break;
        if (rq->max_frames >= 0 && n + k > rq->max_frames) {
            st = too_long(s, (double)(n + k) / sr, rq->max_s, err);
            goto done;
        }
        size_t m = (size_t)k * (size_t)C;
        for (size_t i = 0; i < m; i++) {
            double v = chunk[i];
            if (!isfinite(v)) {
                int64_t at = rq->start + n + (int64_t)(i / (size_t)C);
                st = as__fail(err, AS_ERR_NUMERIC, s->name, "contains NaN or infinite samples "
                              "(first at frame %lld, %.3f s)", (long long)at, (double)at / sr);
                goto done;
            }
            double a = fabs(v);
            if (a > peak) peak = a;
            sumsq += v * v;
        }
        if (rq->want_mono) {
            if ((size_t)(n + k) > cap) {
                /* Grow with the data that actually arrived, never with what the header claims. */
                size_t ncap = cap ? cap * 2 : (size_t)AS_MAX(CHUNK_FRAMES, AS_MIN(total, 1 << 20));
                while (ncap < (size_t)(n + k)) ncap *= 2;
                size_t bytes;
                float *p = as__mul_size(ncap, sizeof(float), &bytes) ? NULL : realloc(mono, bytes);
                if (!p) { st = AS_ERR_NOMEM; goto done; }
                mono = p;
                cap = ncap;
            }
            /* ref: librosa.to_mono = np.mean(y, axis=0) in float32: sum channel by channel,
             * then divide by the count. */
            float *o = mono + n;
            if (C == 1) {
                memcpy(o, chunk, (size_t)k * sizeof(float));
            } else {
                for (sf_count_t t = 0; t < k; t++) {
                    const float *f = chunk + (size_t)t * (size_t)C;
                    float acc = f[0];
                    for (int c = 1; c < C; c++) acc += f[c];
                    o[t] = acc / (float)C;
                    if (!isfinite(o[t])) {
                        st = as__fail(err, AS_ERR_NUMERIC, s->name, "channel average overflows");
                        goto done;
                    }
                }
            }
        }
        n += k;
    }
    if (s->sf && sf_error(s->sf) != SF_ERR_NO_ERROR && n == 0) {
        st = as__fail(err, AS_ERR_FORMAT, s->name, "not a readable audio file (decoding "
                      "failed: libsndfile: %s)", sf_strerror(s->sf));
        goto done;
    }
    if (n == 0) {
        if (rq->start > 0)
            st = as__fail(err, AS_ERR_EMPTY, s->name, "nothing to read at offset %.3f s "
                          "(the file is %.3f s long)", rq->start / sr, total >= 0 ? total / sr : 0.0);
        else
            st = as__fail(err, AS_ERR_EMPTY, s->name, "contains no audio samples");
        goto done;
    }
    res->mono = mono;
    mono = NULL;
    res->n = n;
    res->peak = peak;
    res->sumsq = sumsq;
done:
    if (is_mpeg) audio_quiet_end();
    free(chunk);
    free(mono);
    return st;
}

/* --- public entry points -------------------------------------------------------------------- */

AS_API void as_signal_free(as_signal *s)
{
    if (!s) return;
    free(s->data);
    s->data = NULL;
    s->n = 0;
}

static void fill_info(const source *s, as_audio_info *info)
{
    memset(info, 0, sizeof *info);
    if (s->ff) {
        snprintf(info->format, sizeof info->format, "%s", s->ffi.container);
        snprintf(info->subtype, sizeof info->subtype, "%s", s->ffi.codec);
    } else {
        audio_format_names(s->info.format, info->format, sizeof info->format, info->subtype,
                           sizeof info->subtype);
    }
    info->channels = s->info.channels;
    info->sample_rate = s->info.samplerate;
    info->frames = declared_frames(s);
    info->duration_s = info->frames >= 0 ? (double)info->frames / s->info.samplerate : -1.0;
}

AS_API as_status as_audio_probe(const char *path, as_audio_info *info, as_error *err)
{
    if (!info) return as__fail(err, AS_ERR_ARG, path, "no output given");
    source s;
    as_status st = source_open_path(&s, path, err);
    if (st != AS_OK) return st;
    fill_info(&s, info);
    source_close(&s);
    return AS_OK;
}

AS_API as_status as_audio_measure(const char *path, as_audio_info *info, as_audio_levels *lv,
                                 as_error *err)
{
    if (!lv) return as__fail(err, AS_ERR_ARG, path, "no output given");
    memset(lv, 0, sizeof *lv);
    source s;
    as_status st = source_open_path(&s, path, err);
    if (st != AS_OK) return st;
    if (info) fill_info(&s, info);
    decode_req rq = {0, -1, -1, 0, 0};
    decode_res r;
    st = decode(&s, &rq, &r, err);
    source_close(&s);
    if (st != AS_OK) {
        if (st == AS_ERR_NOMEM) as__fail(err, st, path, "out of memory while decoding");
        return st;
    }
    lv->frames = r.n;
    lv->peak = r.peak;
    lv->rms = sqrt(r.sumsq / ((double)r.n * (double)s.info.channels));
    return AS_OK;
}

static as_status load_source(source *s, const as_load_opts *opts, as_signal *out, as_error *err)
{
    as_load_opts o = {0};
    if (opts) o = *opts;
    const double sr = s->info.samplerate;
    int sr_out = o.sr == 0 ? AS_SR : o.sr == -1 ? s->info.samplerate : o.sr;
    if (sr_out <= 0 || sr_out > AS_MAX_RATE)
        return as__fail(err, AS_ERR_ARG, s->name, "invalid target sample rate %d", o.sr);
    if (!(o.offset_s >= 0) || !isfinite(o.offset_s) || !isfinite(o.duration_s) ||
        !isfinite(o.max_duration_s) || o.offset_s * sr > 9e15 || o.duration_s * sr > 9e15)
        return as__fail(err, AS_ERR_ARG, s->name, "invalid offset or duration");
    /* ref: librosa.load 0.7.2: s_start = round(sr_native * offset), length round(sr * duration) */
    decode_req rq;
    rq.start = (int64_t)llround(o.offset_s * sr);
    rq.count = o.duration_s > 0 ? (int64_t)llround(o.duration_s * sr) : -1;
    rq.max_frames = o.max_duration_s > 0 ? (int64_t)floor(o.max_duration_s * sr) : -1;
    rq.max_s = o.max_duration_s;
    rq.want_mono = 1;
    if (rq.count == 0)
        return as__fail(err, AS_ERR_EMPTY, s->name, "duration %g s is less than one sample",
                        o.duration_s);
    decode_res r;
    as_status st = decode(s, &rq, &r, err);
    if (st != AS_OK) {
        if (st == AS_ERR_NOMEM) as__fail(err, st, s->name, "out of memory while decoding");
        return st;
    }
    if (sr_out == s->info.samplerate) {
        out->data = r.mono;
        out->n = r.n;
        out->sr = sr_out;
        return AS_OK;
    }
    float *y = NULL;
    int64_t ny = 0;
    st = as_resample(r.mono, r.n, s->info.samplerate, sr_out, &y, &ny);
    free(r.mono);
    if (st != AS_OK)
        return as__fail(err, st, s->name, "resampling from %d Hz to %d Hz failed (%s)",
                        s->info.samplerate, sr_out, as_strerror(st));
    out->data = y;
    out->n = ny;
    out->sr = sr_out;
    return AS_OK;
}

AS_API as_status as_audio_load(const char *path, const as_load_opts *opts, as_signal *out,
                               as_error *err)
{
    if (!out) return as__fail(err, AS_ERR_ARG, path, "no output given");
    memset(out, 0, sizeof *out);
    source s;
    as_status st = source_open_path(&s, path, err);
    if (st != AS_OK) return st;
    st = load_source(&s, opts, out, err);
    source_close(&s);
    return st;
}

AS_API as_status as_audio_load_memory(const void *buf, size_t len, const char *name,
                                      const as_load_opts *opts, as_signal *out, as_error *err)
{
    if (!out) return as__fail(err, AS_ERR_ARG, name, "no output given");
    memset(out, 0, sizeof *out);
    source s;
    as_status st = source_open_memory(&s, buf, len, name, err);
    if (st != AS_OK) return st;
    st = load_source(&s, opts, out, err);
    source_close(&s);
    return st;
}
