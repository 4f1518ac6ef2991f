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

/* Short names for libsndfile format codes ("WAV", "FLAC", "OGG (Vorbis)", "MP3"; "16-bit PCM",
 * "32-bit float", ...). */
void audio_format_names(int sf_format, char *format, size_t format_len, char *subtype,
                        size_t subtype_len);

#endif
