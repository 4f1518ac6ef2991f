/* audio.h — what the files of src/audio share (not exported). */
#ifndef AS_AUDIO_H
#define AS_AUDIO_H

#include "core/internal.h"

#include <sndfile.h>

/* Decoder chatter guard: libmpg123 (inside libsndfile) writes notes such as "Note: Illegal
 * Audio-MPEG-Header" straight to fd 2. audio_quiet_begin points fd 2 at /dev/null under a
 * process-wide mutex; audio_quiet_end restores it. Always paired, never nested. Used only for
 * data that can reach libmpg123 (MP3, unrecognised bytes): a WAV, FLAC, Ogg or AIFF file is
 * opened and decoded without touching fd 2 (load.c, may_reach_mpg123). */
void audio_quiet_begin(void);
void audio_quiet_end(void);
/* libsndfile keeps the error of a failed open in process-wide variables (sf_errno and its parse
 * log, read back by sf_strerror(NULL)): two threads failing an open at once write them together
 * and may read each other's message (make check-tsan: features --jobs 2 on the hostile corpus).
 * Every sf_open* and its sf_strerror(NULL) run between these two (a process-wide mutex, taken
 * inside audio_quiet_begin's when both are); reading and writing samples does not. */
void audio_sf_open_lock(void);
void audio_sf_open_unlock(void);

/* Short names for libsndfile format codes ("WAV", "FLAC", "OGG (Vorbis)", "MP3"; "16-bit PCM",
 * "32-bit float", ...). */
void audio_format_names(int sf_format, char *format, size_t format_len, char *subtype,
                        size_t subtype_len);

/* The FFmpeg decoder (ffmpeg.c), for what libsndfile cannot open. Reads through our own I/O
 * from fd (>= 0, with pread) or from buf; len is the size in bytes. */
typedef struct audio_ff audio_ff;
typedef struct audio_ff_info {
    char container[64]; /* "MP4/M4A", "ASF", "Matroska/WebM", ... */
    char codec[64];     /* "AAC", "ALAC", "WMA v2", "Opus", ... */
    int channels, sample_rate;
    int64_t frames;     /* declared, -1 when unknown: a hint only */
} audio_ff_info;
/* AS_OK: *out is open. Otherwise *recognised says whether the bytes were one of the containers
 * FFmpeg is used for: when 0 nothing is set in err (the caller reports libsndfile's refusal). */
as_status audio_ff_open(const char *name, int fd, const unsigned char *buf, int64_t len,
                        audio_ff **out, audio_ff_info *info, int *recognised, as_error *err);
/* Up to frames interleaved float frames (out: (frames, channels)); returns how many (0 at the
 * end) or -1 with *st and err set. */
int64_t audio_ff_read(audio_ff *f, float *out, int64_t frames, as_status *st, as_error *err);
void audio_ff_close(audio_ff *f);

#endif
