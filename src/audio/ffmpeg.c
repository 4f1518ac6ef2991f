/* ffmpeg.c — the second decoder: FFmpeg's libavformat/libavcodec for what libsndfile cannot
 * open (AAC/ALAC in MP4/M4A/MOV, WMA in ASF, Matroska/WebM, AVI and ADTS AAC; the first audio
 * stream of a video). load.c tries libsndfile first and comes here only when it refuses.
 *
 * Hostile input: bytes reach FFmpeg only through our own AVIOContext (pread on our fd or a
 * memcpy from the caller's buffer, bounded by the real size); only the demuxers and audio
 * decoders listed below are used; probing reads at most PROBE_BYTES and analyses at most
 * PROBE_US of media; what a header declares about duration is a hint (load.c grows its buffers
 * with the samples that actually arrive). Decoding is single-threaded (thread_count 1).
 *
 * Logging: FFmpeg logs through one process-wide callback (av_log_set_callback); by default it
 * prints to stderr, which the library must not do. At the first FFmpeg open (pthread_once) the
 * library installs a callback that forwards FFmpeg's messages (info and louder) to the
 * library's own log callback (as_set_log) at AS_LOG_DEBUG, prefixed "ffmpeg: ", since the
 * outcome is reported through as_error anyway. This is the one process-wide setting the
 * library makes; it is documented in audiostyle.h, idempotent, and a program that uses FFmpeg
 * itself can keep its own callback with as_audio_set_ffmpeg_log(0) before the first decode.
 */
#define _POSIX_C_SOURCE 200809L
#include "audio.h"

#include <dlfcn.h>
#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/channel_layout.h>
#include <libavutil/macros.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROBE_BYTES (1 << 20) /* bytes FFmpeg may read to recognise the container */
#define PROBE_US 2000000      /* media time avformat_find_stream_info may analyse (2 s) */
#define IO_BUF 32768
#define MIN_PROBE_SCORE 25    /* AVPROBE_SCORE_RETRY: below, FFmpeg itself is guessing */

/* --- logging --------------------------------------------------------------------------- */

/* read by FFmpeg's log callback on whichever thread decodes: atomic */
static atomic_int ff_route_log = 1;

AS_API void as_audio_set_ffmpeg_log(int route) { atomic_store(&ff_route_log, route != 0); }

/* --- FFmpeg, loaded on first use --------------------------------------------------------
 * libavcodec brings about 140 shared libraries with it (every codec Debian builds in): linked
 * directly, each start of a program using libaudiostyle would map and relocate them all (~45 ms
 * of CPU and ~35 MB of resident pages per process here, for `audiostyle --help` too). So the
 * three libraries are opened with dlopen, by the sonames of the headers we were built with, the
 * first time libsndfile refuses a file; a process that never meets such a file pays nothing, and
 * a machine without them still reads everything libsndfile reads. */
#define FF_UTIL(X) X(av_frame_alloc) X(av_frame_free) X(av_frame_unref) X(av_free) X(av_freep) X(av_get_packed_sample_fmt) X(av_log_format_line2) X(av_log_set_callback) X(av_malloc) X(av_sample_fmt_is_planar) X(av_strdup) X(av_strerror)
#define FF_CODEC(X) X(av_packet_alloc) X(av_packet_free) X(av_packet_unref) X(avcodec_alloc_context3) X(avcodec_find_decoder) X(avcodec_free_context) X(avcodec_get_name) X(avcodec_open2) X(avcodec_parameters_to_context) X(avcodec_receive_frame) X(avcodec_send_packet)
#define FF_FORMAT(X) X(av_probe_input_buffer2) X(av_read_frame) X(avformat_alloc_context) X(avformat_close_input) X(avformat_find_stream_info) X(avformat_open_input) X(avio_alloc_context) X(avio_context_free) X(avio_seek)
static struct {
#define X(n) __typeof__(&n) n;
    FF_UTIL(X) FF_CODEC(X) FF_FORMAT(X)
#undef X
} ff;
static int ff_ok;              /* the libraries and every symbol were found */
static char ff_why[256];       /* else why not */
static pthread_once_t ff_once = PTHREAD_ONCE_INIT;

static void *ff_open(const char *soname)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) snprintf(ff_why, sizeof ff_why, "%s", dlerror());
    return h;
}

static void ff_log(void *avcl, int level, const char *fmt, va_list vl)
{
    if (level > AV_LOG_INFO || !as__log_enabled()) return;
    char line[1024];
    int print_prefix = 1;
    ff.av_log_format_line2(avcl, level, fmt, vl, line, (int)sizeof line, &print_prefix);
    size_t k = strlen(line);
    while (k && (line[k - 1] == '\n' || line[k - 1] == '\r')) line[--k] = 0;
    if (k) as__log(AS_LOG_DEBUG, "ffmpeg: %s", line);
}

static void ff_load_symbols(void);

/* once per process (pthread_once): the libraries, the symbols, the log callback */
static void ff_load(void)
{
    ff_load_symbols();
    if (!ff_ok)
        as__log(AS_LOG_WARN, "FFmpeg's libraries cannot be loaded (%s): M4A/MP4, WMA, "
                "Matroska/WebM and AVI files cannot be read", ff_why);
    else if (atomic_load(&ff_route_log))
        ff.av_log_set_callback(ff_log);
}

static void ff_load_symbols(void)
{
    void *hu = ff_open("libavutil.so." AV_STRINGIFY(LIBAVUTIL_VERSION_MAJOR));
    void *hc = hu ? ff_open("libavcodec.so." AV_STRINGIFY(LIBAVCODEC_VERSION_MAJOR)) : NULL;
    void *hf = hc ? ff_open("libavformat.so." AV_STRINGIFY(LIBAVFORMAT_VERSION_MAJOR)) : NULL;
    if (!hf) return;
    void *p;
    /* dlsym returns an object pointer; memcpy moves it into the function pointer (ISO C) */
#define X(n) if (!(p = dlsym(H, #n))) { snprintf(ff_why, sizeof ff_why, "no symbol %s", #n); return; } \
             memcpy(&ff.n, &p, sizeof p);
#define H hu
    FF_UTIL(X)
#undef H
#define H hc
    FF_CODEC(X)
#undef H
#define H hf
    FF_FORMAT(X)
#undef H
#undef X
    ff_ok = 1;
}


/* --- what we accept --------------------------------------------------------------------- */

/* demuxer names as FFmpeg spells them (AVInputFormat.name) and how we name the container */
static const struct { const char *demuxer, *name; } containers[] = {
    {"mov,mp4,m4a,3gp,3g2,mj2", "MP4/M4A"},
    {"asf", "ASF"},
    {"matroska,webm", "Matroska/WebM"},
    {"avi", "AVI"},
    {"aac", "AAC (ADTS)"},
};

static const struct { enum AVCodecID id; const char *name; } codecs[] = {
    {AV_CODEC_ID_AAC, "AAC"},          {AV_CODEC_ID_ALAC, "ALAC"},
    {AV_CODEC_ID_WMAV1, "WMA v1"},     {AV_CODEC_ID_WMAV2, "WMA v2"},
    {AV_CODEC_ID_WMAPRO, "WMA Pro"},   {AV_CODEC_ID_WMALOSSLESS, "WMA Lossless"},
    {AV_CODEC_ID_OPUS, "Opus"},        {AV_CODEC_ID_VORBIS, "Vorbis"},
    {AV_CODEC_ID_FLAC, "FLAC"},        {AV_CODEC_ID_MP3, "MP3"},
    {AV_CODEC_ID_MP2, "MP2"},          {AV_CODEC_ID_AC3, "AC-3"},
    {AV_CODEC_ID_EAC3, "E-AC-3"},      {AV_CODEC_ID_PCM_S16LE, "16-bit PCM"},
    {AV_CODEC_ID_PCM_S16BE, "16-bit PCM"}, {AV_CODEC_ID_PCM_S24LE, "24-bit PCM"},
    {AV_CODEC_ID_PCM_S32LE, "32-bit PCM"}, {AV_CODEC_ID_PCM_F32LE, "32-bit float"},
    {AV_CODEC_ID_PCM_U8, "8-bit PCM"},
};

/* --- I/O: our fd or the caller's buffer ------------------------------------------------- */

static int next_frame(audio_ff *f, as_status *st, as_error *err);

struct audio_ff {
    const char *name;
    int fd;                   /* >= 0: pread */
    const unsigned char *buf; /* else this buffer */
    int64_t len, pos;
    AVIOContext *io;
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;
    int stream;      /* index of the audio stream */
    int channels, sample_rate; /* of the decoded frames (0 until the first) */
    int frame_pos;   /* frames of *frame already handed out */
    int have_frame;  /* *frame holds decoded samples */
    int eof_sent;    /* the decoder was flushed */
    int done;        /* no more samples */
    int64_t limit;   /* > 0: stop after this many frames (MP4's declared length) */
    int64_t emitted; /* frames handed out */
};

static int io_read(void *u, uint8_t *b, int size)
{
    audio_ff *f = u;
    if (size <= 0 || f->pos >= f->len) return AVERROR_EOF;
    int64_t k = AS_MIN((int64_t)size, f->len - f->pos);
    if (f->fd >= 0) {
        int64_t got = 0;
        while (got < k) {
            ssize_t r = pread(f->fd, b + got, (size_t)(k - got), (off_t)(f->pos + got));
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            got += r;
        }
        k = got;
        if (k == 0) return AVERROR_EOF;
    } else {
        memcpy(b, f->buf + f->pos, (size_t)k);
    }
    f->pos += k;
    return (int)k;
}

static int64_t io_seek(void *u, int64_t off, int whence)
{
    audio_ff *f = u;
    whence &= ~AVSEEK_FORCE;
    if (whence == AVSEEK_SIZE) return f->len;
    int64_t p = whence == SEEK_SET ? off : whence == SEEK_CUR ? f->pos + off
              : whence == SEEK_END ? f->len + off : -1;
    if (p < 0) return AVERROR(EINVAL);
    f->pos = p; /* past the end is allowed; reads there return EOF */
    return p;
}

void audio_ff_close(audio_ff *f)
{
    if (!f) return;
    ff.avcodec_free_context(&f->dec);
    ff.avformat_close_input(&f->fmt);
    if (f->io) {
        ff.av_freep(&f->io->buffer);
        ff.avio_context_free(&f->io);
    }
    ff.av_packet_free(&f->pkt);
    ff.av_frame_free(&f->frame);
    free(f);
}

static const char *container_name(const AVInputFormat *in)
{
    for (size_t i = 0; i < sizeof containers / sizeof containers[0]; i++)
        if (strcmp(in->name, containers[i].demuxer) == 0) return containers[i].name;
    return NULL;
}

as_status audio_ff_open(const char *name, int fd, const unsigned char *buf, int64_t len,
                        audio_ff **out, audio_ff_info *info, int *recognised, as_error *err)
{
    *out = NULL;
    *recognised = 0;
    memset(info, 0, sizeof *info);
    pthread_once(&ff_once, ff_load);
    if (!ff_ok) return AS_ERR_FORMAT; /* not recognised: the caller reports libsndfile's refusal */
    audio_ff *f = calloc(1, sizeof *f);
    if (!f) return as__fail(err, AS_ERR_NOMEM, name, "out of memory");
    f->name = name;
    f->fd = fd;
    f->buf = buf;
    f->len = len;
    f->stream = -1;
    as_status st = AS_ERR_NOMEM;
    unsigned char *iobuf = ff.av_malloc(IO_BUF);
    if (!iobuf) goto fail;
    f->io = ff.avio_alloc_context(iobuf, IO_BUF, 0, f, io_read, NULL, io_seek);
    if (!f->io) {
        ff.av_free(iobuf);
        goto fail;
    }
    f->io->seekable = AVIO_SEEKABLE_NORMAL;

    /* Recognise the container ourselves (bounded), so only our list of demuxers ever runs. */
    const AVInputFormat *in = NULL;
    int score = ff.av_probe_input_buffer2(f->io, &in, NULL, NULL, 0, PROBE_BYTES);
    const char *cname = in && score >= MIN_PROBE_SCORE ? container_name(in) : NULL;
    if (!cname) {
        st = AS_ERR_FORMAT; /* not ours: load.c reports libsndfile's refusal */
        goto fail;
    }
    *recognised = 1;
    snprintf(info->container, sizeof info->container, "%s", cname);
    if (ff.avio_seek(f->io, 0, SEEK_SET) < 0) {
        st = as__fail(err, AS_ERR_IO, name, "cannot read the file");
        goto fail;
    }
    f->fmt = ff.avformat_alloc_context();
    if (!f->fmt) goto fail;
    f->fmt->pb = f->io;
    f->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    f->fmt->probesize = PROBE_BYTES;
    f->fmt->max_analyze_duration = PROBE_US;
    f->fmt->max_streams = 64;
    char cw[512] = "";
    for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++) {
        const AVCodec *c = ff.avcodec_find_decoder(codecs[i].id);
        if (c && strlen(cw) + strlen(c->name) + 2 < sizeof cw)
            snprintf(cw + strlen(cw), sizeof cw - strlen(cw), "%s%s", cw[0] ? "," : "", c->name);
    }
    f->fmt->codec_whitelist = ff.av_strdup(cw);
    if (!f->fmt->codec_whitelist) goto fail;
    int r = ff.avformat_open_input(&f->fmt, NULL, in, NULL);
    if (r < 0) {
        f->fmt = NULL; /* freed by avformat_open_input on failure */
        char e[128];
        ff.av_strerror(r, e, sizeof e);
        st = as__fail(err, AS_ERR_FORMAT, name, "not a readable %s file (FFmpeg: %s)", cname, e);
        as__hint(err, "the file may be cut short or damaged; copy or export it again");
        goto fail;
    }
    for (unsigned i = 0; i < f->fmt->nb_streams; i++) {
        AVStream *s = f->fmt->streams[i];
        if (f->stream < 0 && s->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) f->stream = (int)i;
        else s->discard = AVDISCARD_ALL;
    }
    if (f->fmt->nb_streams == 0) {
        st = as__fail(err, AS_ERR_FORMAT, name, "not a readable %s file (no streams found)", cname);
        as__hint(err, "the file may be cut short or damaged; copy or export it again");
        goto fail;
    }
    if (f->stream < 0) {
        int video = 0;
        for (unsigned i = 0; i < f->fmt->nb_streams; i++)
            video |= f->fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO;
        st = as__fail(err, AS_ERR_FORMAT, name, "%s file with no audio stream%s", cname,
                      video ? " (video only)" : "");
        as__hint(err, "audiostyle uses a file's first audio stream; this one has none");
        goto fail;
    }
    AVStream *as = f->fmt->streams[f->stream];
    if (as->codecpar->sample_rate <= 0 || as->codecpar->ch_layout.nb_channels <= 0) {
        r = ff.avformat_find_stream_info(f->fmt, NULL);
        if (r < 0 || as->codecpar->sample_rate <= 0 || as->codecpar->ch_layout.nb_channels <= 0) {
            st = as__fail(err, AS_ERR_FORMAT, name, "not a readable %s file (the audio stream's "
                          "sample rate or channel count cannot be found)", cname);
            goto fail;
        }
    }
    const char *codec = NULL;
    for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++)
        if (codecs[i].id == as->codecpar->codec_id) codec = codecs[i].name;
    const AVCodec *dc = codec ? ff.avcodec_find_decoder(as->codecpar->codec_id) : NULL;
    if (!dc) {
        st = as__fail(err, AS_ERR_UNSUPPORTED, name, "%s file whose audio codec (%s) is not "
                      "supported", cname, ff.avcodec_get_name(as->codecpar->codec_id));
        goto fail;
    }
    snprintf(info->codec, sizeof info->codec, "%s", codec);
    f->dec = ff.avcodec_alloc_context3(dc);
    if (!f->dec) goto fail;
    if (ff.avcodec_parameters_to_context(f->dec, as->codecpar) < 0) goto fail;
    f->dec->thread_count = 1;
    f->dec->pkt_timebase = as->time_base;
    r = ff.avcodec_open2(f->dec, dc, NULL);
    if (r < 0) {
        char e[128];
        ff.av_strerror(r, e, sizeof e);
        st = as__fail(err, AS_ERR_FORMAT, name, "cannot decode the %s audio of this %s file "
                      "(FFmpeg: %s)", codec, cname, e);
        goto fail;
    }
    f->pkt = ff.av_packet_alloc();
    f->frame = ff.av_frame_alloc();
    if (!f->pkt || !f->frame) goto fail;
    /* What the decoder delivers can differ from the header (Opus always decodes at 48 kHz,
     * HE-AAC's SBR doubles the rate): the first decoded frame says, so decode it now. */
    r = next_frame(f, &st, err);
    if (r < 0) goto fail;
    f->have_frame = r;
    if (!r) { /* no audio at all: the header's values; reading gives 0 frames */
        f->channels = f->dec->ch_layout.nb_channels > 0 ? f->dec->ch_layout.nb_channels
                                                        : as->codecpar->ch_layout.nb_channels;
        f->sample_rate = f->dec->sample_rate > 0 ? f->dec->sample_rate : as->codecpar->sample_rate;
        f->done = 1;
    }
    info->channels = f->channels;
    info->sample_rate = f->sample_rate;
    /* Declared length: the stream's, else the container's. Only a hint (see load.c). */
    double secs = -1;
    if (as->duration > 0 && as->time_base.num > 0 && as->time_base.den > 0) {
        secs = (double)as->duration * as->time_base.num / as->time_base.den;
        /* MP4's track duration counts the samples to play: FFmpeg 5.1 skips the encoder's
         * priming (edit list) but not the padding of the last frame, which this trims. */
        if (strcmp(in->name, containers[0].demuxer) == 0 && secs < 1e9)
            f->limit = (int64_t)llround(secs * f->sample_rate);
    }
    else if (f->fmt->duration > 0)
        secs = (double)f->fmt->duration / AV_TIME_BASE;
    info->frames = secs > 0 && secs < 1e12 ? (int64_t)llround(secs * f->sample_rate) : -1;
    *out = f;
    return AS_OK;
fail:
    if (st == AS_ERR_NOMEM) as__fail(err, AS_ERR_NOMEM, name, "out of memory");
    audio_ff_close(f);
    return st;
}

/* Frames [k0, k0 + k) of the current frame, all channels, into out ((k, C) interleaved) as
 * float: 16-bit as int16 / 32768 (as libsndfile), 32-bit as int32 / 2^31, 8-bit unsigned
 * centred on 128. The format is resolved once per call, the inner loops are typed. */
#define CONVERT(T, EXPR)                                                                         \
    for (int c = 0; c < C; c++) {                                                                \
        const T *p = (const T *)(const void *)(planar ? fr->extended_data[c] : fr->extended_data[0]); \
        size_t step = planar ? 1 : (size_t)C, at = planar ? (size_t)k0 : (size_t)k0 * (size_t)C + (size_t)c; \
        float *o = out + c;                                                                      \
        for (int64_t t = 0; t < k; t++, at += step, o += C) {                                    \
            T v = p[at];                                                                         \
            *o = (EXPR);                                                                         \
        }                                                                                        \
    }

static void convert(const AVFrame *fr, int64_t k0, int64_t k, int C, float *out)
{
    enum AVSampleFormat sf = (enum AVSampleFormat)fr->format;
    int planar = ff.av_sample_fmt_is_planar(sf);
    switch (ff.av_get_packed_sample_fmt(sf)) {
    case AV_SAMPLE_FMT_U8: CONVERT(uint8_t, ((float)v - 128.0f) / 128.0f) break;
    case AV_SAMPLE_FMT_S16: CONVERT(int16_t, (float)v / 32768.0f) break;
    case AV_SAMPLE_FMT_S32: CONVERT(int32_t, (float)((double)v / 2147483648.0)) break;
    case AV_SAMPLE_FMT_S64: CONVERT(int64_t, (float)((double)v / 9223372036854775808.0)) break;
    case AV_SAMPLE_FMT_FLT: CONVERT(float, v) break;
    case AV_SAMPLE_FMT_DBL: CONVERT(double, (float)v) break;
    default: break; /* refused in next_frame */
    }
}
#undef CONVERT

static int known_sample_fmt(int f)
{
    switch (ff.av_get_packed_sample_fmt((enum AVSampleFormat)f)) {
    case AV_SAMPLE_FMT_U8: case AV_SAMPLE_FMT_S16: case AV_SAMPLE_FMT_S32:
    case AV_SAMPLE_FMT_S64: case AV_SAMPLE_FMT_FLT: case AV_SAMPLE_FMT_DBL: return 1;
    default: return 0;
    }
}

/* Makes the next decoded frame current. 1: a frame, 0: end of stream, < 0: error (set). */
static int next_frame(audio_ff *f, as_status *st, as_error *err)
{
    for (;;) {
        int r = ff.avcodec_receive_frame(f->dec, f->frame);
        if (r == 0) {
            if (f->frame->nb_samples <= 0) { ff.av_frame_unref(f->frame); continue; }
            if (f->channels == 0) { /* the first frame fixes the stream's layout */
                f->channels = f->frame->ch_layout.nb_channels;
                f->sample_rate = f->frame->sample_rate;
                if (f->channels <= 0 || f->sample_rate <= 0) {
                    *st = as__fail(err, AS_ERR_FORMAT, f->name, "the decoder gives no channel "
                                   "count or sample rate");
                    return -1;
                }
            }
            if (f->frame->ch_layout.nb_channels != f->channels || f->frame->sample_rate != f->sample_rate) {
                *st = as__fail(err, AS_ERR_UNSUPPORTED, f->name, "the audio changes its channel "
                               "count or sample rate mid-stream (%d ch %d Hz -> %d ch %d Hz)",
                               f->channels, f->sample_rate, f->frame->ch_layout.nb_channels,
                               f->frame->sample_rate);
                return -1;
            }
            if (!known_sample_fmt(f->frame->format)) {
                *st = as__fail(err, AS_ERR_UNSUPPORTED, f->name, "unsupported sample format from "
                               "the decoder");
                return -1;
            }
            return 1;
        }
        if (r == AVERROR_EOF) return 0;
        if (r != AVERROR(EAGAIN)) {
            /* A damaged frame: FFmpeg's decoders report it and can go on. */
            if (r == AVERROR_INVALIDDATA) continue;
            char e[128];
            ff.av_strerror(r, e, sizeof e);
            *st = as__fail(err, AS_ERR_FORMAT, f->name, "decoding failed (FFmpeg: %s)", e);
            return -1;
        }
        if (f->eof_sent) return 0;
        /* the decoder wants input: the next packet of our stream, or the flush at the end */
        for (;;) {
            r = ff.av_read_frame(f->fmt, f->pkt);
            if (r < 0) {
                ff.avcodec_send_packet(f->dec, NULL);
                f->eof_sent = 1;
                break;
            }
            if (f->pkt->stream_index != f->stream) { ff.av_packet_unref(f->pkt); continue; }
            r = ff.avcodec_send_packet(f->dec, f->pkt);
            ff.av_packet_unref(f->pkt);
            if (r < 0 && r != AVERROR(EAGAIN) && r != AVERROR_INVALIDDATA) {
                char e[128];
                ff.av_strerror(r, e, sizeof e);
                *st = as__fail(err, AS_ERR_FORMAT, f->name, "decoding failed (FFmpeg: %s)", e);
                return -1;
            }
            break;
        }
    }
}

int64_t audio_ff_read(audio_ff *f, float *out, int64_t frames, as_status *st, as_error *err)
{
    *st = AS_OK;
    int64_t n = 0;
    const int C = f->channels;
    while (n < frames && !f->done) {
        if (!f->have_frame) {
            int r = next_frame(f, st, err);
            if (r < 0) return -1;
            if (r == 0) { f->done = 1; break; }
            f->have_frame = 1;
            f->frame_pos = 0;
        }
        int avail = f->frame->nb_samples - f->frame_pos;
        int64_t k = AS_MIN((int64_t)avail, frames - n);
        if (f->limit > 0 && f->emitted + k >= f->limit) {
            k = f->limit - f->emitted;
            f->done = 1;
        }
        convert(f->frame, f->frame_pos, k, C, out + (size_t)n * (size_t)C);
        n += k;
        f->emitted += k;
        f->frame_pos += (int)k;
        if (f->frame_pos >= f->frame->nb_samples) {
            ff.av_frame_unref(f->frame);
            f->have_frame = 0;
        }
    }
    return n;
}
