/*
 * audiostyle.h — the one public header of libaudiostyle.
 *
 * audiostyle makes one track (the content) sound as if played in the manner of another (the
 * style), by spectrogram neural style transfer, and tells the genre of any track with a model
 * trained on GTZAN from features that match librosa 0.7.2.
 *
 * A first program:
 *
 *     #include <audiostyle.h>
 *     as_error err = {0};
 *     as_signal y = {0};
 *     if (as_audio_load("song.flac", NULL, &y, &err) != AS_OK) {
 *         fprintf(stderr, "%s\n", err.msg);          // "song.flac: not a readable audio file"
 *         return 1;
 *     }
 *     // y.data holds y.n mono float samples at y.sr = 22050 Hz (librosa.load's rules)
 *     as_signal_free(&y);
 *
 * Conventions
 * - Every function that can fail returns an as_status (AS_OK = 0, errors negative and stable).
 *   Functions that touch files take an optional as_error* that receives a one-line message
 *   naming the file and the problem. The library never prints and never exits; diagnostics go
 *   to the callback set with as_set_log().
 * - Spectrograms are row-major (F, T): frequency rows, time contiguous, as in librosa. Complex
 *   spectrograms interleave real and imaginary parts: (F, T, 2).
 * - Objects are opaque: as_x_create() allocates everything, as_x_destroy(NULL) is a no-op.
 * - Thread-safety: functions on distinct objects may run concurrently; a const object (for
 *   example an as_stft) may be shared by several threads.
 */
#ifndef AUDIOSTYLE_H
#define AUDIOSTYLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AS_VERSION_MAJOR 0
#define AS_VERSION_MINOR 1
#define AS_VERSION_PATCH 0
#define AS_VERSION_STRING "0.1.0"

#if defined(AS_BUILDING_LIBRARY) && defined(__GNUC__)
#define AS_API __attribute__((visibility("default")))
#else
#define AS_API
#endif

/* ============================================================================================
 * Core: status codes, error messages, logging
 * ============================================================================================ */

typedef enum as_status {
    AS_OK = 0,
    AS_ERR_NOMEM = -1,       /* out of memory */
    AS_ERR_ARG = -2,         /* invalid argument */
    AS_ERR_IO = -3,          /* file cannot be opened, read or written */
    AS_ERR_FORMAT = -4,      /* malformed file contents */
    AS_ERR_UNSUPPORTED = -5, /* recognised but not supported */
    AS_ERR_NUMERIC = -6,     /* NaN or infinity in input or result */
    AS_ERR_OPTIM = -7,       /* optimiser failed */
    AS_ERR_EMPTY = -8,       /* no samples / no data */
    AS_ERR_TOO_LONG = -9,    /* input exceeds a configured limit */
    AS_ERR_CANCELLED = -10,  /* stopped by a progress callback */
    AS_ERR_SCHEMA = -11,     /* model or table does not match the feature schema */
    AS_ERR_MEMLIMIT = -12,   /* the job would need more memory than allowed */
    AS_ERR_INTERNAL = -13    /* a bug: an internal invariant failed */
} as_status;

/* A short English description of a status code; never NULL. */
AS_API const char *as_strerror(int status);

/* Version of the library actually linked. */
AS_API const char *as_version(void);

/* Error detail: a one-line message (file name and problem) plus an optional hint. */
typedef struct as_error {
    int status;
    char msg[512];
    char hint[256];
} as_error;

enum { AS_LOG_ERROR = 0, AS_LOG_WARN = 1, AS_LOG_INFO = 2, AS_LOG_DEBUG = 3 };
typedef void (*as_log_fn)(int level, const char *msg, void *user);
/* Sets the process-wide log callback (NULL: discard, the default). Not thread-safe against
 * concurrent logging; set it once at start-up. */
AS_API void as_set_log(as_log_fn fn, void *user);

/* ============================================================================================
 * Audio I/O (src/audio): libsndfile decoding, mono downmix, libsoxr resampling, atomic writes
 * ============================================================================================ */

#define AS_SR 22050 /* the sample rate everything runs at (librosa's default) */

/* A mono signal; the caller owns data and frees it with as_signal_free(). */
typedef struct as_signal {
    float *data; /* (n,) */
    int64_t n;
    int sr;
} as_signal;
AS_API void as_signal_free(as_signal *s);

typedef struct as_load_opts {
    int sr;                /* target rate; 0 = 22050, -1 = keep the file's rate */
    double offset_s;       /* start reading here (seconds, >= 0) */
    double duration_s;     /* read at most this much (seconds); <= 0 = to the end */
    double max_duration_s; /* refuse longer inputs with AS_ERR_TOO_LONG; <= 0 = no limit */
} as_load_opts;

/* What a file is, without decoding it all. */
typedef struct as_audio_info {
    char format[64];  /* e.g. "FLAC", "WAV", "OGG (Vorbis)", "MP3" */
    char subtype[64]; /* e.g. "16-bit PCM", "32-bit float" */
    int channels;
    int sample_rate;
    int64_t frames;   /* per channel */
    double duration_s;
} as_audio_info;

/* frames is what the header declares (-1 when unknown, e.g. some streams); duration_s likewise.
 * Refuses what as_audio_load would refuse at open time (no such file, not audio, sample rate 0,
 * absurd channel counts, truncated WAV). */
AS_API as_status as_audio_probe(const char *path, as_audio_info *info, as_error *err);

/* Levels of the whole decoded file at its own rate, all channels (what `audiostyle info`
 * prints). Decodes everything: same refusals as as_audio_load (empty, NaN/inf, ...). */
typedef struct as_audio_levels {
    int64_t frames; /* frames actually decoded (per channel) */
    double peak;    /* max |x| over all samples of all channels (1.0 = 0 dBFS) */
    double rms;     /* sqrt(mean x^2) over all samples of all channels */
} as_audio_levels;
/* info (may be NULL) receives the same as as_audio_probe. */
AS_API as_status as_audio_measure(const char *path, as_audio_info *info, as_audio_levels *lv,
                                 as_error *err);

/* Decodes any file libsndfile or FFmpeg reads (below) to mono float32 at opts->sr (default 22050) following
 * librosa.load: channels averaged, libsoxr high quality, length ceil(n * sr_out / sr_in).
 * NULL opts = defaults. offset/duration are rounded to frames of the file's own rate and
 * seek in the file (no decode-then-cut where the format can seek). Statuses, each with a
 * "<path>: <problem>" message: AS_ERR_IO (no such file, a directory, unreadable),
 * AS_ERR_EMPTY (empty file, no samples, offset past the end), AS_ERR_FORMAT (not audio, bad
 * header, truncated WAV), AS_ERR_UNSUPPORTED (more than 256 channels), AS_ERR_NUMERIC (NaN or
 * infinite samples), AS_ERR_TOO_LONG (more than max_duration_s; the hint names
 * --max-duration). Never prints: decoder chatter (libmpg123) is kept off stderr. Thread-safe;
 * MP3 decoding is serialised process-wide (see src/audio/load.c). */
AS_API as_status as_audio_load(const char *path, const as_load_opts *opts, as_signal *out,
                               as_error *err);
/* The same from a buffer in memory (name is used in messages only). */
AS_API as_status as_audio_load_memory(const void *buf, size_t len, const char *name,
                                      const as_load_opts *opts, as_signal *out, as_error *err);

/* Files libsndfile cannot open (M4A/MP4/MOV with AAC or ALAC, WMA in ASF, Matroska/WebM, AVI,
 * ADTS AAC; the first audio stream of a video) are decoded with FFmpeg's libavformat and
 * libavcodec, with the same downmix and resampling; as_audio_info's format is then the
 * container ("MP4/M4A", "ASF", "Matroska/WebM", "AVI", "AAC (ADTS)") and subtype the codec
 * ("AAC", "ALAC", "WMA v2", "Opus", ...). A file with no audio stream is AS_ERR_FORMAT.
 * FFmpeg logs through one process-wide callback that prints to stderr by default: at the first
 * FFmpeg decode the library installs (once) a callback that forwards FFmpeg's messages to
 * as_set_log's callback at AS_LOG_DEBUG. A program that uses FFmpeg itself and sets its own
 * av_log callback calls as_audio_set_ffmpeg_log(0) before its first decode, and audiostyle
 * then leaves FFmpeg's logging alone (1, the default, routes it). */
AS_API void as_audio_set_ffmpeg_log(int route);

/* Resamples x (n samples at sr_in) to sr_out with libsoxr high quality; *out has
 * ceil(n * sr_out / sr_in) samples and is owned by the caller (free()). */
AS_API as_status as_resample(const float *x, int64_t n, int sr_in, int sr_out, float **out,
                             int64_t *n_out);

enum { AS_SAVE_PCM16 = 0, AS_SAVE_FLOAT = 1 };
enum { AS_LEVEL_AS_IS = 0, AS_LEVEL_PEAK_LIMIT = 1, AS_LEVEL_NORMALIZE = 2 };
typedef struct as_save_opts {
    int sample_format; /* AS_SAVE_PCM16 (default) or AS_SAVE_FLOAT */
    int level;         /* AS_LEVEL_AS_IS, AS_LEVEL_PEAK_LIMIT (scale down only if peak > ceiling),
                          AS_LEVEL_NORMALIZE (scale peak to ceiling) */
    double ceiling_db; /* peak ceiling in dBFS for the two level modes; 0 = -1 dBFS */
    int bitrate_kbps;  /* MP3 and Opus: constant bitrate in kbit/s; 0 = the default (MP3: 192,
                          or the most the rate allows, 160 at 22050 Hz; Opus: 96). MP3 takes
                          8..160 at 16..24 kHz, 32..320 from 32 kHz; Opus 6..256. Ignored by
                          WAV, FLAC and Vorbis */
} as_save_opts;

/* Scales y (n) in place to the RMS level target_rms (0 = keep its own) while a peak limiter keeps
 * every sample within ceiling_db dBFS (<= 0): around the peaks that would go over, the gain is
 * lowered smoothly (5-ms windows), so nothing is clipped and the RMS still reaches the target
 * unless the signal is almost all peaks. *gain_db (may be NULL) receives the RMS change.
 * Silence is left alone. AS_ERR_ARG, AS_ERR_NUMERIC (NaN/inf in y), AS_ERR_NOMEM. */
AS_API as_status as_audio_match_level(float *y, int64_t n, double target_rms, double ceiling_db,
                                      double *gain_db);

/* Writes a mono signal as WAV, FLAC, Ogg Vorbis, MP3 or Ogg Opus, chosen by the extension of
 * path (.wav, .flac, .ogg/.oga, .mp3, .opus, any case; anything else is AS_ERR_UNSUPPORTED
 * before anything is written), through a temporary file renamed on success (a failure leaves
 * nothing). FLAC is always 16-bit and Ogg always Vorbis, whatever sample_format says. MP3 is
 * LAME through libsndfile at the signal's rate (constant bitrate, with the info tag that lets
 * decoders drop the encoder delay and padding); Opus is coded at the lowest Opus rate at or
 * above sr (24 kHz for 22050 Hz: resampled with libsoxr, the header records sr). Decoded
 * again, both give the signal's length within one codec frame (tests/test_formats.c). A
 * bitrate outside the format's range is AS_ERR_ARG. PCM16 is round(x * 32768)
 * saturated, the inverse of the loader. A signal that would exceed full scale in a fixed-point
 * or Vorbis file after the level step is refused (AS_ERR_ARG, with a hint), never clipped or
 * wrapped; ceiling_db must be <= 0. NaN/inf samples: AS_ERR_NUMERIC. */
AS_API as_status as_audio_save(const char *path, const float *x, int64_t n, int sr,
                               const as_save_opts *opts, as_error *err);

/* ============================================================================================
 * DSP (src/dsp): the librosa 0.7.2 primitives
 * ============================================================================================ */

enum { AS_PAD_REFLECT = 0, AS_PAD_CONSTANT = 1 };

/* Periodic Hann window of length n: w[i] = 0.5 - 0.5 cos(2 pi i / n). ref: scipy
 * get_window('hann', n, fftbins=True). */
AS_API void as_hann(float *w /* (n,) */, int n);

/* A short-time Fourier transform of a fixed size (periodic Hann window of n_fft, hop).
 * Holds FFTW plans; const after creation and safe to share between threads. */
typedef struct as_stft as_stft;
AS_API as_stft *as_stft_create(int n_fft, int hop, as_status *status);
AS_API void as_stft_destroy(as_stft *s);
AS_API int as_stft_n_fft(const as_stft *s);
AS_API int as_stft_hop(const as_stft *s);
AS_API int as_stft_bins(const as_stft *s); /* n_fft / 2 + 1 */
/* Frames for n samples: centred 1 + n / hop; not centred 1 + (n - n_fft) / hop (0 if n < n_fft). */
AS_API int64_t as_stft_frames(const as_stft *s, int64_t n, int center);

/* X = stft(y). ref: librosa.stft(y, n_fft, hop_length, center, pad_mode) 0.7.2 (pad_mode
 * 'reflect' by default there). Reflect padding needs n > n_fft / 2 (AS_ERR_ARG otherwise; we
 * do not reflect repeatedly), constant padding any n >= 1; n = 0 is AS_ERR_EMPTY. Computed in
 * float32 with FFTW (librosa computes in double and stores complex64): about 1e-7 of max |X|. */
AS_API as_status as_stft_forward(const as_stft *s, const float *y /* (n,) */, int64_t n,
                                 int center, int pad_mode, float *X /* (F, T, 2) */);

/* y = istft(X): window-sum normalised overlap-add. length < 0: librosa's plain variant,
 * hop * (T - 1) samples; length >= 0: the length-aware variant (librosa istft(length=)),
 * exactly `length` samples, zero-padded at the end if needed. The centre padding n_fft/2 is
 * removed. Returns the number of samples written via *n_out (may be NULL). */
AS_API as_status as_istft(const as_stft *s, const float *X /* (F, T, 2) */, int64_t T,
                          int64_t length, float *y, int64_t *n_out);
/* The output size as_istft will produce for T frames and this length argument. */
AS_API int64_t as_istft_length(const as_stft *s, int64_t T, int64_t length);

/* Fast Griffin-Lim (Perraudin et al.; librosa.griffinlim 0.7.2): reconstruct a signal whose
 * STFT magnitude approximates S. */
enum { AS_GL_INIT_RANDOM = 0, AS_GL_INIT_ONES = 1, AS_GL_INIT_PHASE = 2 };
typedef struct as_gl_opts {
    int n_iter;            /* default 32 when 0 */
    double momentum;       /* used as given (0 = classic Griffin-Lim); librosa's default is 0.99
                              (AS_GL_MOMENTUM); negative = 0 */
    int init;              /* AS_GL_INIT_* */
    uint64_t seed;         /* for AS_GL_INIT_RANDOM: angles 2 pi uniform, drawn in (F, T) order */
    const float *phase;    /* (F, T, 2) unit phasors for AS_GL_INIT_PHASE */
    int64_t length;        /* output length; < 0 = hop * (T - 1) (plain istft); >= 0 = the
                              length-aware istft, and then 1 + length / hop must equal T */
    int threads;           /* worker threads over frames; 0 = number of cores */
    int (*progress)(void *user, int iter, int n_iter); /* after each iteration, on the calling
                              thread; non-zero return cancels (AS_ERR_CANCELLED) */
    void *user;
} as_gl_opts;
#define AS_GL_MOMENTUM 0.99
/* y gets as_istft_length(s, T, opts->length) samples. *spectral_convergence (may be NULL)
 * receives || |STFT(y)| - S ||_F / ||S||_F of the result. NULL opts = librosa's defaults
 * (32 iterations, momentum 0.99, random init with seed 0, plain length). Centred STFT with
 * reflect padding (librosa's default), so the output needs more than n_fft / 2 samples.
 * The result is bit-identical for the same inputs whatever the thread count. */
AS_API as_status as_griffinlim(const as_stft *s, const float *S /* (F, T) */, int64_t T,
                               const as_gl_opts *opts, float *y, double *spectral_convergence);

/* Slaney mel filterbank, area normalised. ref: librosa.filters.mel(sr, n_fft, n_mels,
 * fmin, fmax, htk=False, norm=1) 0.7.2; fmax <= 0 means sr / 2. Built in double, stored float. */
AS_API as_status as_mel_filterbank(float *M /* (n_mels, n_fft/2+1) */, int sr, int n_fft,
                                   int n_mels, double fmin, double fmax);
/* Hz <-> mel on the Slaney scale (librosa hz_to_mel / mel_to_hz, htk=False). */
AS_API double as_hz_to_mel(double hz);
AS_API double as_mel_to_hz(double mel);

/* dB = 10 log10(max(amin, x) / ref), then floored at max(dB) - top_db when top_db > 0.
 * ref: librosa.power_to_db(S, ref=1.0, amin=1e-10, top_db=80.0). In place allowed. */
AS_API void as_power_to_db(float *db /* (n,) */, const float *x /* (n,) */, int64_t n,
                           double ref, double amin, double top_db);

/* Orthonormal DCT-II matrix D (n_out, n_in): D[q, m] = a_q cos(pi q (2m+1) / (2 n_in)),
 * a_0 = sqrt(1/n_in), a_q = sqrt(2/n_in). ref: scipy.fftpack.dct(type=2, norm='ortho'). */
AS_API void as_dct_matrix(float *D /* (n_out, n_in) */, int n_out, int n_in);

/* ============================================================================================
 * Pictures (src/plot): spectrograms and curves with cairo, written as PNG atomically
 * ============================================================================================ */

enum { AS_FREQ_LINEAR = 0, AS_FREQ_LOG = 1, AS_FREQ_MEL = 2 };
enum { AS_CMAP_MAGMA = 0, AS_CMAP_VIRIDIS = 1 };

/* One panel: a magnitude spectrogram and its labels. */
typedef struct as_spec_panel {
    const float *S;    /* (F, T) magnitudes (or mel power when freq_scale = AS_FREQ_MEL) */
    int F;             /* rows: n_fft/2+1 bins, or n_mels */
    int64_t T;         /* frames */
    int sr, hop, n_fft;
    const char *title; /* may be NULL */
} as_spec_panel;

typedef struct as_plot_opts {
    int width, height;  /* whole picture in pixels; 0 = defaults (>= 1000 px wide) */
    int freq_scale;     /* AS_FREQ_* */
    int cmap;           /* AS_CMAP_* */
    double db_range;    /* dB below the maximum shown; 0 = 80 */
    const char *title;  /* picture title; may be NULL */
    double time_offset_s; /* time of the first frame on the time axis (e.g. a load offset) */
} as_plot_opts;

/* Renders n panels side by side on one shared dB colour scale (0 dB = the loudest panel's
 * maximum) with time (s), frequency (Hz) axes and a colourbar; writes a PNG atomically. */
AS_API as_status as_plot_spectrograms(const char *png_path, const as_spec_panel *panels, int n,
                                      const as_plot_opts *opts, as_error *err);

/* A labelled confusion matrix (rows = true class, columns = predicted), counts and row-normalised
 * shading, as PNG. */
AS_API as_status as_plot_confusion(const char *png_path, const int *counts /* (n, n) */, int n,
                                   const char *const *labels /* (n,) */, const char *title,
                                   as_error *err);
/* Horizontal bars (e.g. genre probabilities), values in [0, 1], as PNG. */
AS_API as_status as_plot_bars(const char *png_path, const double *values /* (n,) */,
                              const char *const *labels /* (n,) */, int n, const char *title,
                              as_error *err);

/* One named series for as_plot_curves: y[i] is at time t0 + i * dt seconds, or at x[i] when x
 * is given (then each point is also marked). Non-finite values (and values <= 0 on a log axis)
 * leave gaps in the line. */
typedef struct as_curve {
    const float *y;    /* (n,) */
    int64_t n;
    double t0, dt;     /* seconds; ignored when x is given */
    const char *name;  /* legend label; may be NULL */
    const float *x;    /* (n,) x positions, finite and ascending; NULL = t0 + i * dt */
} as_curve;
typedef struct as_curves_opts {
    int width, height;   /* pixels; 0 = 1000 x 400 */
    const char *title;   /* may be NULL */
    const char *y_label; /* e.g. "Spectral centroid (Hz)"; may be NULL */
    const char *x_label; /* NULL = "Time (s)" */
    int y_log;           /* logarithmic y axis */
    double y_min, y_max; /* fixed y range when y_max > y_min, else from the data */
} as_curves_opts;
/* Several series over time on one pair of axes with a legend (e.g. the spectral centroid of
 * content, style and result), as PNG. AS_ERR_EMPTY when no series has a drawable point. */
AS_API as_status as_plot_curves(const char *png_path, const as_curve *curves, int n,
                                const as_curves_opts *opts, as_error *err);

/* One signal for as_plot_waveforms. */
typedef struct as_wave {
    const float *x;   /* (n,) samples, nominally in [-1, 1] */
    int64_t n;
    int sr;
    const char *name; /* may be NULL */
} as_wave;
/* Waveforms stacked one above another on a shared time axis (min/max envelope per pixel
 * column, amplitude axis -1..1, wider if a signal exceeds it), as PNG. width/height 0 =
 * 1000 x (120 + 150 per signal). Non-finite samples: AS_ERR_NUMERIC. */
AS_API as_status as_plot_waveforms(const char *png_path, const as_wave *waves, int n,
                                   const char *title, int width, int height, as_error *err);

/* @@ SECTION nn/style (issue 3) @@ */

/* Spectrogram neural style transfer (Ulyanov & Lebedev 2016; the TensorFlow notebook's recipe).
 *
 *     as_style_config cfg;
 *     as_style_config_default(&cfg);                  // the notebook's defaults
 *     as_style *st = NULL;
 *     if (as_style_create(&st, &cfg, content.data, content.n, style.data, style.n, &err) != AS_OK) ...
 *     as_status s = as_style_run(st, my_progress, my_data);   // optimise, then Griffin-Lim
 *     const float *y; int64_t n;
 *     as_style_get_audio(st, &y, &n);                 // n == content.n, 22050 Hz
 *     as_style_destroy(st);
 *
 * Both signals are mono at 22050 Hz (as_audio_load). S = log1p(|STFT|) (n_fft 2048, hop 512,
 * centred, reflect padding) gives (F = 1025, T) for each track. One fixed random convolution
 * (F input channels, kernel_width taps along time, `filters` outputs, no bias, ReLU) maps a
 * spectrogram to features F(.). The result spectrogram x (F, T_content) minimises
 *     content_weight * sum (F(x) - F(c))^2 + style_weight * sum (G(F(x)) - G(F(s)))^2,
 * G(F) = F^T F / T (each track's own frame count T), by L-BFGS (or Adam), then Griffin-Lim turns
 * max(exp(x) - 1, 0) into audio of exactly the content's length.
 *
 * Cost: one evaluation is ~2 * 2 * T' * filters * 1025 * kernel_width FLOPs (OpenBLAS sgemm);
 * as_style_estimate_cost tells the memory and time before anything is allocated. Memory grows
 * linearly with the tracks' lengths. An as_style object is used by one thread at a time; the
 * work inside uses OpenBLAS's threads (cfg.threads sets their number, process-wide).
 *
 * Precision: the convolution (forward and input gradient, ~3/4 of the work) runs on one of two
 * engines. fp32: OpenBLAS sgemm (the notebook's numerics). bf16: oneDNN matmuls on bf16 operands
 * with fp32 accumulation and fp32 outputs (the content and style terms stay fp32); about 2.4x
 * faster where the CPU has AVX512-BF16 or AMX, and a relative error of about 2^-8 in the features
 * and the gradient. AS_STYLE_PRECISION_AUTO (the default) picks bf16 exactly when oneDNN reports
 * such a CPU. An explicit _BF16 on a CPU without a oneDNN bf16 matmul (oneDNN 2.6 needs AVX-512)
 * runs an emulation: the same bf16 numerics, slower than fp32. The bf16 engine runs on oneDNN's
 * OpenMP threads: cfg.threads, when set, is applied to the calling thread's OpenMP count for the
 * duration of each oneDNN call only; otherwise OMP_NUM_THREADS or all cores. as_style_stats
 * tells which engine ran. */
enum { AS_STYLE_LBFGS = 0, AS_STYLE_ADAM = 1 };
/* x0: small noise (the notebook), the content's spectrogram, or the content equalised to the
 * style: each frequency bin shifted (in the log1p domain) by the difference of the two tracks'
 * mean over time, so the start already has the style's average spectrum. */
/* _CONTENT_LOGEQ: the content with a per-bin gain instead of a shift, so that each bin's mean over
 * time of log(1e-5 + |X|) is the style's (a matching EQ in the log domain: it reaches the
 * quiet high bins of a tonal style, which the log1p shift cannot; docs/notes-tonal.md). */
enum { AS_STYLE_INIT_NOISE = 0, AS_STYLE_INIT_CONTENT = 1, AS_STYLE_INIT_CONTENT_EQ = 2,
       AS_STYLE_INIT_CONTENT_LOGEQ = 3 };
enum { AS_STYLE_PAD_VALID = 0, AS_STYLE_PAD_SAME = 1 };
enum { AS_STYLE_GRAM_FRAMES = 0, AS_STYLE_GRAM_OUTPUT_FRAMES = 1 };
enum { AS_STYLE_PHASE_RANDOM = 0, AS_STYLE_PHASE_CONTENT = 1 };
/* The result's loudness (as_style_render): the content's RMS level (default) or the style's, under
 * a -1 dBFS peak limiter (as_audio_match_level: never clipped), or as Griffin-Lim made it
 * (AS_STYLE_LEVEL_NONE, the notebook's; the CLI then scales it down to -1 dBFS when louder). */
enum { AS_STYLE_LEVEL_CONTENT = 0, AS_STYLE_LEVEL_STYLE = 1, AS_STYLE_LEVEL_NONE = 2 };
enum { AS_STYLE_PRECISION_AUTO = 0, AS_STYLE_PRECISION_FP32 = 1, AS_STYLE_PRECISION_BF16 = 2 };

typedef struct as_style_config {
    int filters;             /* N convolution filters; 4096 */
    int kernel_width;        /* taps along time; 11 */
    int padding;             /* AS_STYLE_PAD_VALID (T' = T - kernel_width + 1, default) or _SAME */
    int gram_divisor;        /* AS_STYLE_GRAM_FRAMES: G / T, the notebook (default);
                                AS_STYLE_GRAM_OUTPUT_FRAMES: G / T' */
    double content_weight;   /* alpha; 1e-2. 0 with init CONTENT = Grinstein et al.'s style-only mode */
    double style_weight;     /* 1 */
    int init;                /* AS_STYLE_INIT_NOISE (x0 ~ Normal(0, init_scale), default) or _CONTENT */
    double init_scale;       /* 1e-3 */
    int optimizer;           /* AS_STYLE_LBFGS (default) or AS_STYLE_ADAM */
    int iterations;          /* optimiser iterations; 0 = 300 for L-BFGS, 2000 for Adam */
    int lbfgs_memory;        /* L-BFGS history pairs; 10 (scipy's L-BFGS-B default) */
    double learning_rate;    /* Adam; 1.0 (the Keras notebook) */
    int patience;            /* Adam: stop after this many steps without a lower loss; 50; 0 = never */
    int griffin_lim_iterations; /* 500 */
    int phase;               /* AS_STYLE_PHASE_RANDOM (default) or _CONTENT (start from the content's phase) */
    uint64_t seed;           /* weights, x0 and Griffin-Lim's random phase; 0 */
    int threads;             /* OpenBLAS and Griffin-Lim threads; 0 = leave as they are / all cores */
    double max_memory_mb;    /* as_style_create refuses (AS_ERR_MEMLIMIT) above this; 0 = no limit */
    int level;               /* AS_STYLE_LEVEL_*: the result's loudness */
    double stop_decrease;    /* L-BFGS: stop when the loss fell by less than this fraction over the
                                last 10 iterations; 0 = never (run all iterations) */
    double segment_seconds;  /* a content longer than 1.5x this is optimised in segments of about
                                this length, one after another (each with the style's statistics as
                                its target, 0.74 s of overlap cross-faded), then rendered whole:
                                memory follows the segment, not the track. 0 = the whole content
                                at once (the notebook); the default preset: 20 */
    int precision;           /* the convolution's engine: AS_STYLE_PRECISION_AUTO (default), _FP32, _BF16 */
    /* Style features for tonal styles (docs/notes-tonal.md); every one off in the default and
     * notebook presets. */
    int loss_norm;           /* AS_STYLE_NORM_NONE (the notebook) or _TARGET: the content term divided
                                by mean F(c)^2 and the style term by mean G(F(s))^2, so the weights
                                mean the same whatever the tracks' levels */
    double feature_mean_weight; /* w |mean_t F(x) - mean_t F(s)|^2 / |mean_t F(s)|^2; 0 = off */
    double envelope_weight;  /* per-bin mean over time of u = log(floor + |STFT|) against the
                                style's, mean square in nepers; 0 = off */
    double spread_weight;    /* per-bin standard deviation over time of u against the style's; 0 = off */
    double temporal_weight;  /* the frame energy envelope (log mean power, centred) against the
                                content's; 0 = off */
    double flatness_weight;  /* each frame's log spectral flatness (floored), on average against the
                                style's; 0 = off. NB the quality benchmark measures flatness too */
    double envelope_floor;   /* the floor of u, in |STFT| units; 1e-3 */
    double floor_quantile;   /* render: per bin, the result's magnitude quantile q over time (its
                                background) minus the style's, where positive, is subtracted from
                                the result's magnitudes before Griffin-Lim (spectral subtraction of
                                the excess noise floor); 0 = off, e.g. 0.5 (the medians) */
    double render_eq;        /* render: per bin, a gain that moves the result's mean over time of
                                log(1e-5 + |X|) down to the style's, by this fraction (1 = all the
                                way; a cut-only matching EQ of the long-term log spectrum); 0 = off */
    int branch;              /* AS_STYLE_BRANCH_NONE, _MEL (a second random layer on mel bands of
                                the spectrogram: Barry & Kim 2017) or _LINEAR (on the spectrogram,
                                another kernel width) */
    int branch_filters;      /* the branch's filters; 1024 */
    int branch_kernel_width; /* its width in frames; 31 */
    int branch_bands;        /* mel bands of _MEL; 128 */
    double branch_weight;    /* the branch's style weight (its content weight is content_weight); 1 */
    double render_match;     /* render: after Griffin-Lim, each STFT bin's magnitudes over time mapped
                                rank for rank onto the style's distribution in that bin (histogram
                                matching, Heeger & Bergen 1995), the result's phase kept, by this
                                fraction in the log (1 = all the way); 0 = off; the default preset: 1 */
    double render_match_below; /* render_match applies only to a style whose spectral flatness
                                (as_style_flatness) is below this: tonal to moderately dense styles;
                                noise-like ones (metal, 0.05-0.08) are left to the Gram. 1 = every
                                style; the default preset: 0.03 (docs/notes-tonal.md) */
} as_style_config;
enum { AS_STYLE_NORM_NONE = 0, AS_STYLE_NORM_TARGET = 1 };
enum { AS_STYLE_BRANCH_NONE = 0, AS_STYLE_BRANCH_MEL = 1, AS_STYLE_BRANCH_LINEAR = 2 };

/* Presets: whole configurations, named on the command line by --preset.
 *   AS_STYLE_PRESET_DEFAULT   the best measured quality per second (docs/notes-presets.md): the
 *                             notebook's network and loss, started from the content equalised
 *                             to the style in the log domain (AS_STYLE_INIT_CONTENT_LOGEQ, since
 *                             issue 17: docs/notes-tonal.md), 55 L-BFGS iterations,
 *                             Griffin-Lim 500 from random phase, the content's loudness, long
 *                             contents in 20-s segments, bf16 where the CPU has it
 *   AS_STYLE_PRESET_NOTEBOOK  the TensorFlow notebook's recipe exactly: noise init, 300 L-BFGS
 *                             iterations, 500 Griffin-Lim iterations from random phase, fp32,
 *                             loudness as Griffin-Lim made it */
enum { AS_STYLE_PRESET_DEFAULT = 0, AS_STYLE_PRESET_NOTEBOOK = 1 };
/* The mean spectral flatness of a signal y (n samples, 22050 Hz): over frames (n_fft 2048, hop
 * 512, centred, reflect) of geometric / arithmetic mean of |X|^2 (amin 1e-10), the quality
 * metrics' definition (docs/transfer-quality.md), e.g. to tell a tonal style (below ~0.01:
 * docs/notes-tonal.md) from a dense one. AS_ERR_ARG when n < 2048. */
AS_API as_status as_style_flatness(const float *y, int64_t n, double *flatness);
/* Fills every field of cfg with the preset; AS_ERR_ARG for an unknown preset (cfg untouched). */
AS_API as_status as_style_config_preset(as_style_config *cfg, int preset);
/* "default", "notebook"; NULL for an unknown preset. */
AS_API const char *as_style_preset_name(int preset);
/* The preset named name, or -1. */
AS_API int as_style_preset_from_name(const char *name);
/* Fills cfg with AS_STYLE_PRESET_DEFAULT. */
AS_API void as_style_config_default(as_style_config *cfg);
/* The precision cfg->precision resolves to on this machine, "fp32" or "bf16" (a static string;
 * AUTO asks oneDNN about the CPU), and what will run the convolution (e.g. "OpenBLAS sgemm",
 * "oneDNN matmul", "emulated bf16 (no oneDNN bf16 matmul on avx2)"); NULL for a bad value. */
AS_API const char *as_style_precision(const as_style_config *cfg, const char **engine);

/* What a job will cost, computed from the shapes alone (no allocation). */
typedef struct as_style_estimate {
    int64_t content_frames, style_frames; /* T of the content (and result) and of the style */
    double memory_mb;                     /* peak memory of the job (library side) */
    double flops_per_evaluation;
    int evaluations;                      /* expected loss + gradient evaluations (all segments) */
    int segments;                         /* optimised one after another (cfg.segment_seconds) */
    double gflops;                        /* the sgemm rate assumed (measured when calibrated) */
    double conv_gflops;                   /* the rate assumed for the convolution's engine */
    const char *precision;                /* "fp32" or "bf16": the engine the job would use */
    double optimize_seconds, griffin_lim_seconds, seconds; /* estimates */
} as_style_estimate;
/* calibrate != 0 times a short sgemm (~0.1 s) to estimate the rate; 0 assumes 100 GFLOP/s. */
AS_API as_status as_style_estimate_cost(const as_style_config *cfg, int64_t content_samples,
                                        int64_t style_samples, int calibrate,
                                        as_style_estimate *est);

typedef struct as_style as_style;

/* Computes both spectrograms, draws the weights and allocates everything the job needs
 * (nothing is allocated while it runs). The signals are copied. AS_ERR_ARG for a bad config or
 * tracks too short (each needs more than n_fft/2 samples and at least kernel_width frames);
 * AS_ERR_MEMLIMIT beyond cfg->max_memory_mb (err tells the figure); AS_ERR_NOMEM. */
AS_API as_status as_style_create(as_style **out, const as_style_config *cfg,
                                 const float *content, int64_t content_n, const float *style,
                                 int64_t style_n, as_error *err);
AS_API void as_style_destroy(as_style *st);

enum { AS_STYLE_STAGE_OPTIMIZE = 0, AS_STYLE_STAGE_GRIFFIN_LIM = 1 };
typedef struct as_style_progress {
    int stage;                  /* AS_STYLE_STAGE_* */
    int iteration, iterations;  /* optimiser iterations done / planned; Griffin-Lim's in its stage */
    int evaluations;            /* loss + gradient evaluations so far */
    double content_loss, style_loss; /* of the current iterate */
    double seconds;             /* since the stage began */
    double eta_seconds;         /* optimisation: seconds left in the stage at the pace so far
                                   (iterations left x seconds per iteration); Griffin-Lim: the
                                   same for its iterations; -1 before the first iteration */
} as_style_progress;
/* Called after each optimiser iteration (and after each further evaluation of a long L-BFGS
 * line search, with the same iteration number) and after each Griffin-Lim iteration; a non-zero
 * return stops the job within one evaluation: the call returns AS_ERR_CANCELLED, the best
 * spectrogram so far is kept. */
typedef int (*as_style_progress_fn)(const as_style_progress *p, void *user);

/* Optimises the spectrogram (the first call also computes the content features and the style
 * statistics). fn may be NULL. A line-search failure of L-BFGS is not an error: the best x found
 * is kept and the run ends early (as_style_stats tells why). */
AS_API as_status as_style_optimize(as_style *st, as_style_progress_fn fn, void *user);
/* Griffin-Lim on the current result spectrogram -> audio of the content's length. Can be called
 * after a cancelled as_style_optimize to render what there is. */
AS_API as_status as_style_render(as_style *st, as_style_progress_fn fn, void *user);
/* as_style_optimize then as_style_render. */
AS_API as_status as_style_run(as_style *st, as_style_progress_fn fn, void *user);

enum { AS_STYLE_CONTENT = 0, AS_STYLE_STYLE = 1, AS_STYLE_RESULT = 2 };
/* Frames of the content, style or result spectrogram (the result has the content's). */
AS_API int64_t as_style_frames(const as_style *st, int which);
/* Copies the magnitude spectrogram |X| (1025, frames) of the content, the style or the result
 * (max(exp(x) - 1, 0)) into out. */
AS_API as_status as_style_get_spectrogram(const as_style *st, int which, float *out);
/* The rendered audio (valid after as_style_render, owned by st); AS_ERR_ARG before. */
AS_API as_status as_style_get_audio(const as_style *st, const float **y, int64_t *n);

typedef struct as_style_stats {
    int iterations, evaluations;
    double optimize_seconds;               /* all of as_style_optimize: targets, evaluations, optimiser */
    double targets_seconds;                /* F(content) and the style statistics, once */
    double evaluation_seconds;             /* inside the loss + gradient evaluations */
    double seconds_per_evaluation;         /* evaluation_seconds / evaluations */
    double griffin_lim_seconds;
    double content_loss, style_loss;       /* of the result spectrogram */
    double initial_content_loss, initial_style_loss;
    double spectral_convergence;           /* Griffin-Lim's, NaN before rendering */
    const char *stop_reason;               /* "iterations", "converged (gradient)", "converged (relative
                                              decrease)", "converged (stop decrease)",
                                              "line search", "patience", "cancelled",
                                              "checkpoint error" */
    double memory_mb;                      /* allocated by as_style_create */
    double level_gain_db;                  /* the RMS change cfg.level applied, dB */
    int segments;                          /* the content was optimised in this many segments */
    const char *precision;                 /* the convolution's engine in effect: "fp32" or "bf16" */
    const char *engine;                    /* what runs it, e.g. "OpenBLAS sgemm", "oneDNN
                                              brg:avx512_core_amx"; valid while st lives */
    double style_flatness;                 /* the style's spectral flatness (as_style_flatness) */
    double render_match;                   /* the histogram matching in effect: cfg.render_match
                                              if style_flatness < cfg.render_match_below, else 0 */
} as_style_stats;
AS_API void as_style_get_stats(const as_style *st, as_style_stats *out);

/* Checkpoints (issue 13): a long optimisation can be killed and continued with the same bits.
 *
 *     as_style_set_checkpoint(st, "out.wav.ckpt", 30, settings);  // before as_style_optimize
 *     if (resume) as_style_resume(st, "out.wav.ckpt", settings, &err); // same inputs and options
 *     as_style_run(st, fn, user);                                  // then delete the file
 *
 * With a path set, as_style_optimize writes the optimiser's whole state (the current segment's
 * point, best point and L-BFGS history or Adam moments, the finished segments' result, the
 * counters, the stop-test history) at the end of its first iteration and then at the end of
 * the last iteration before every_seconds have passed since the last write (the last
 * iteration's duration predicts the next one's; 0: every iteration), and once more
 * when the optimisation is complete (the final spectrogram: a resume goes straight to
 * Griffin-Lim). Writes are atomic (a temporary file beside path, fsync, rename, fsync of the
 * folder) and happen between iterations only, so the clock never changes the computation. A
 * failed write ends as_style_optimize with its status (as_style_checkpoint_error tells why).
 * path NULL turns checkpoints off. settings is the caller's own description of the job, one
 * "key value" per line (a CLI's options and input files): it is stored and must be equal on
 * resume. The file format: docs/checkpoint-format.md. AS_ERR_ARG for a negative interval. */
AS_API as_status as_style_set_checkpoint(as_style *st, const char *path, double every_seconds,
                                         const char *settings);
/* Loads a checkpoint written for this job; the next as_style_optimize continues from it and
 * ends exactly as an uninterrupted run with the same configuration (threads included) would.
 * Refused, with a message in err naming what differs: AS_ERR_SCHEMA when the settings lines,
 * the configuration (as_style_config's fields, max_memory_mb excepted), the content or the
 * style (hashes of their spectrograms) differ from the job's; AS_ERR_FORMAT for a damaged file
 * (truncated, bad magic, CRC mismatch), AS_ERR_UNSUPPORTED for another version, AS_ERR_IO. */
AS_API as_status as_style_resume(as_style *st, const char *path, const char *settings, as_error *err);
/* Why the last checkpoint write failed (err->msg names the file). */
AS_API void as_style_checkpoint_error(const as_style *st, as_error *err);

/* @@ SECTION features (issue 4) @@ */

/* The 57 GTZAN features of the Kaggle CSV (librosa 0.7.2 defaults, sr 22050, n_fft 2048, hop
 * 512), in the CSV's column order: chroma_stft_mean, chroma_stft_var, rms_mean, ..., tempo,
 * mfcc1_mean, mfcc1_var, ..., mfcc20_var. */
#define AS_FEATURES_COUNT 57
AS_API int as_features_count(void);             /* 57 */
AS_API const char *as_features_column(int i);   /* column name of feature i, NULL if out of range */

/* A reusable extraction workspace (FFTW plans, filterbanks, buffers). Not shareable between
 * threads: make one per thread. */
typedef struct as_features as_features;
AS_API as_features *as_features_create(as_status *status);
AS_API void as_features_destroy(as_features *f);
/* The 57 features of one mono 22050 Hz signal (a whole file, or one 3-s segment of 66149
 * samples), as librosa 0.7.2 computes them. */
AS_API as_status as_features_compute(as_features *f, const float *y /* (n,) */, int64_t n,
                                     double *out /* (57,) */);
/* Errors of as_features_compute / as_features_tempo: AS_ERR_EMPTY (n = 0), AS_ERR_ARG (n <= 1024:
 * librosa's centred reflect padding needs more than 1024 samples), AS_ERR_NUMERIC (NaN or
 * infinity in y), AS_ERR_NOMEM. A silent signal is fine (tempo 0, as librosa).
 * Cost: about 45 ms of one core and 60 bytes of workspace per input sample (40 MB for 30 s,
 * 800 MB for 10 min), kept in f and reused by the next call. */

/* The tempo column alone (librosa.beat.beat_track(y)[0], BPM; 0 when no onsets). */
AS_API as_status as_features_tempo(as_features *f, const float *y /* (n,) */, int64_t n,
                                   double *bpm);

/* Segment layout of features_3_sec.csv generalised to S seconds: segment k is
 * y[k * hop, k * hop + len) with hop = S * 22050 and len = hop - 1 (66150 and 66149 for S = 3);
 * only segments that fit entirely count. Returns the number of segments of an n-sample signal
 * (0 when seconds <= 0); hop and len may be NULL. */
AS_API int64_t as_features_segments(int64_t n, int seconds, int64_t *hop, int64_t *len);

/* One row of a features CSV. */
typedef struct as_features_row {
    const char *filename; /* e.g. "blues.00000.wav" or, for a segment, "blues.00000.3.wav" */
    int64_t length;       /* samples of the signal or segment */
    const double *values; /* (57,) */
    const char *label;    /* may be NULL or "" (empty label column) */
} as_features_row;
/* Writes rows in the Kaggle schema (header filename,length,<57 columns>,label), numbers as the
 * shortest decimal that reads back exactly, atomically (temporary file renamed on success). */
AS_API as_status as_features_write_csv(const char *path, const as_features_row *rows, size_t n,
                                       as_error *err);
/* The same text to an open stream: the header line when header is set, then the rows (what
 * as_features_write_csv writes, byte for byte; a catalog's part files are made of it).
 * AS_ERR_IO when the stream reports an error. */
AS_API as_status as_features_print_csv(FILE *fp, const as_features_row *rows, size_t n, int header);

/* One analysis per track (src/features/analysis.c): the per-frame arrays every consumer of a
 * track reads — the GTZAN features, the quality metrics, the report — computed once:
 * the centred, reflect-padded STFT (n_fft 2048, hop 512, periodic Hann) X, its magnitude S and
 * power P = S^2 (float32, as librosa), the 128-band Slaney mel power in dB (power_to_db, ref 1,
 * amin 1e-10, top_db 80), 20 MFCCs (DCT-II ortho), two onset-strength envelopes of the mel dB
 * (lag 1, centred; aggregated by the median over bands as beat_track in librosa 0.7.2, and by
 * the mean as librosa's onset_strength default), the piptrack tuning and the max-normalised
 * chroma_stft (12 bins). T = 1 + n / 512 frames. Arrays are FRAME-MAJOR (T, F): frame t's values
 * are contiguous (librosa's (F, T) transposed). Memory: about 37 bytes per sample (X, S, P
 * dominate: 10 s = 8 MB), plus a copy of y. A made analysis is const and may be read by several
 * threads at once. */
typedef struct as_analysis as_analysis;
/* Analyses y (n > 1024 samples, mono 22050 Hz; copied). fx: a features workspace whose FFT plans
 * and filterbanks are reused (NULL = a temporary one). Errors as as_features_compute. */
AS_API as_status as_analysis_create(as_features *fx, const float *y /* (n,) */, int64_t n,
                                    as_analysis **out);
AS_API void as_analysis_destroy(as_analysis *a);
AS_API int as_analysis_frames(const as_analysis *a);                 /* T */
AS_API const float *as_analysis_signal(const as_analysis *a, int64_t *n); /* (n,) the copy of y */
AS_API const float *as_analysis_magnitude(const as_analysis *a);     /* (T, 1025) |X| */
AS_API const float *as_analysis_power(const as_analysis *a);         /* (T, 1025) |X|^2 */
AS_API const float *as_analysis_mel_db(const as_analysis *a);        /* (T, 128) */
AS_API const double *as_analysis_mfcc(const as_analysis *a);         /* (T, 20) */
AS_API const float *as_analysis_onset(const as_analysis *a);         /* (T,) mean over bands */
AS_API const float *as_analysis_onset_median(const as_analysis *a);  /* (T,) median (beat_track) */
AS_API const float *as_analysis_chroma(const as_analysis *a);        /* (T, 12) */
AS_API double as_analysis_tuning(const as_analysis *a);              /* in bins, -0.5 .. 0.49 */
/* as_features_compute / as_features_tempo of the analysed signal, bit for bit, without a
 * second STFT. */
AS_API as_status as_features_compute_analysis(as_features *f, const as_analysis *a,
                                              double *out /* (57,) */);
AS_API as_status as_features_tempo_analysis(as_features *f, const as_analysis *a, double *bpm);

/* @@ SECTION genre (issue 5) @@ */

/* Genre classification from the 57 GTZAN features (src/genre).
 *
 *     as_genre_model *m = NULL;
 *     as_genre_load_default(&m, &err);              // the GTZAN model built into the library
 *     double p[AS_GENRE_MAX_CLASSES];
 *     as_genre_predict(m, features, p);             // features from as_features_compute
 *     printf("%s %.2f\n", as_genre_label(m, 0), p[0]);
 *     as_genre_destroy(m);
 *
 * A model holds its own preprocessing (optional log of the *_var columns, standardisation with
 * the training set's statistics), the feature schema it was trained on (column names and order,
 * sr, n_fft, hop, segment length) and its label names; loading refuses a model whose schema
 * differs from this library's extractor (AS_ERR_SCHEMA). The file format is documented in
 * docs/model-format.md. A loaded model is const: several threads may predict with it at once. */

#define AS_GENRE_MAX_CLASSES 64

/* Model types (presets): multinomial logistic regression and the notebooks' three MLPs. */
enum {
    AS_GENRE_LOGREG = 0,    /* softmax(W x + b) */
    AS_GENRE_MLP_SMALL = 1, /* 256-128-64, ReLU */
    AS_GENRE_MLP = 2,       /* 512-256-128-64, ReLU, dropout 0.2 */
    AS_GENRE_MLP_LARGE = 3  /* 1024-512-256-128-64, ReLU, dropout 0.3 */
};
AS_API const char *as_genre_type_name(int type);   /* "logreg", "mlp-small", ...; NULL if bad */
AS_API int as_genre_type_parse(const char *name);  /* the type, or -1 */

typedef struct as_genre_model as_genre_model;

AS_API as_status as_genre_load(const char *path, as_genre_model **out, as_error *err);
/* The same from a buffer (name is used in messages). */
AS_API as_status as_genre_load_memory(const void *buf, size_t len, const char *name,
                                      as_genre_model **out, as_error *err);
/* The model compiled into the library (trained by `make model` on GTZAN's 30-s features). */
AS_API as_status as_genre_load_default(as_genre_model **out, as_error *err);
/* Writes the model file atomically. */
AS_API as_status as_genre_save(const as_genre_model *m, const char *path, as_error *err);
/* The model file's bytes in a malloc'd buffer (free()). */
AS_API as_status as_genre_serialize(const as_genre_model *m, void **buf, size_t *len);
AS_API void as_genre_destroy(as_genre_model *m);

AS_API int as_genre_n_classes(const as_genre_model *m);
AS_API const char *as_genre_label(const as_genre_model *m, int k); /* NULL if out of range */
AS_API int as_genre_type(const as_genre_model *m);
/* Samples per classified segment the model was trained on: 0 = whole (30-s) files, 66149 for
 * the 3-s rows of features_3_sec.csv. */
AS_API int64_t as_genre_segment_length(const as_genre_model *m);
/* Class probabilities (summing to 1; the average over the model's ensemble members) for one
 * row of the 57 features in as_features_column order. Never allocates. */
AS_API as_status as_genre_predict(const as_genre_model *m, const double *features /* (57,) */,
                                  double *probs /* (n_classes,) */);

/* Class probabilities of a whole signal (22050 Hz mono) of any length, as `audiostyle classify`
 * computes them: the model's window (30 s, or its segment length) averaged over consecutive
 * windows, plus one window ending at the end when the remainder is at least a third of one; a
 * signal shorter than 4/3 of a window is classified whole. fx: a features workspace. */
/* The k most probable classes of p (n values), most probable first, ties to the lower index;
 * idx[i] = -1 beyond n. Returns min(k, n). */
AS_API int as_genre_top(const double *p, int n, int *idx /* (k,) */, int k);
/* The windows a signal of n samples is classified by, for a model of segment length seg
 * (as_genre_segment_length): writes up to max window starts, the window length to *len, and
 * returns the number of windows (0 when n <= 0). */
AS_API int as_genre_windows(int64_t n, int64_t seg, int64_t *starts, int max, int64_t *len);
AS_API as_status as_genre_classify_signal(const as_genre_model *m, as_features *fx,
                                          const float *y /* (n,) */, int64_t n,
                                          double *probs /* (n_classes,) */);

/* Whether a signal can carry a meaningful genre: shorter than AS_GENRE_MIN_SECONDS or with an
 * RMS level below AS_GENRE_MIN_RMS_DBFS it cannot (the probabilities are still computed, but
 * `classify` and the report flag them). Returns 0 or AS_GENRE_WARN_SHORT | AS_GENRE_WARN_QUIET;
 * the duration and the RMS level (as_rms_dbfs) go to *seconds and *rms_dbfs when not NULL. */
#define AS_GENRE_MIN_SECONDS 3.0
#define AS_GENRE_MIN_RMS_DBFS (-60.0)
enum { AS_GENRE_WARN_SHORT = 1, AS_GENRE_WARN_QUIET = 2 };
AS_API int as_genre_input_check(const float *y /* (n,) */, int64_t n, int sr, double *seconds,
                                double *rms_dbfs);

/* The RMS level of the library, in dBFS: 20 log10(sqrt(mean(y^2))) over all n samples (double
 * accumulation); -INFINITY for silence or n <= 0. as_audio_levels.rms is the same definition on
 * the file as stored (all channels at its own rate). */
AS_API double as_rms_dbfs(const float *y /* (n,) */, int64_t n);

/* A labelled feature table: rows of 57 features with a genre and a song id. */
typedef struct as_genre_dataset {
    int n;                  /* rows */
    int cap;
    double *x;              /* (n, 57) */
    int *y;                 /* (n,) label index */
    int *song;              /* (n,) song index: 3-s segments of one file share it */
    char **name;            /* (n,) row file name, e.g. "blues.00000.wav" or "blues.00000.3.wav" */
    int n_classes;
    char *labels[AS_GENRE_MAX_CLASSES]; /* label names in order of first appearance */
    int n_songs;
    int64_t segment_length; /* 0 = whole files; 66149 when every row is a 3-s segment */
} as_genre_dataset;

/* Reads a features CSV in the Kaggle schema (filename, length, the 57 features, label); the
 * feature columns must match as_features_column() (AS_ERR_SCHEMA otherwise). */
AS_API as_status as_genre_dataset_load_csv(const char *path, as_genre_dataset *d, as_error *err);
/* Appends one row (copies everything). length: samples the features came from. */
AS_API as_status as_genre_dataset_add(as_genre_dataset *d, const char *name, const char *label,
                                      int64_t length, const double *features /* (57,) */);
AS_API void as_genre_dataset_free(as_genre_dataset *d);
/* The song id of a row name: "blues.00000.3.wav" -> "blues.00000", "x/blues.00000.wav" ->
 * "blues.00000". Writes at most n bytes (NUL included). */
AS_API void as_genre_song_id(const char *name, char *out, size_t n);
/* Reads a split list (one `genre/genre.NNNNN.wav` per line; blank lines and '#' comments
 * skipped) and marks the rows of d whose song is listed: mask[i] = 1. *n_missing receives the
 * number of listed songs with no row in d (they are skipped, with a log warning). */
AS_API as_status as_genre_split_mark(const as_genre_dataset *d, const char *list_path,
                                     unsigned char *mask /* (d->n,) */, int *n_missing,
                                     as_error *err);
/* Stratified K-fold assignment grouped by song: fold[i] in 0..k-1 for every row; all rows of
 * one song share a fold; each fold gets about 1/k of each genre's songs. Seeded. */
AS_API as_status as_genre_folds(const as_genre_dataset *d, int k, uint64_t seed,
                                int *fold /* (d->n,) */);

typedef struct as_genre_train_opts {
    int type;              /* AS_GENRE_*; default AS_GENRE_LOGREG (0) */
    int epochs;            /* maximum epochs; 0 = 300 */
    int batch_size;        /* 0 = 32 */
    double lr;             /* Adam learning rate; 0 = 1e-3 */
    double weight_decay;   /* decoupled (AdamW); < 0 = the preset's default */
    double dropout;        /* < 0 = the preset's default */
    double valid_fraction; /* held out (stratified, by song) for early stopping; 0 = none, < 0 = 0.15 */
    int patience;          /* epochs without a better validation loss before stopping; 0 = 30 */
    int log_var;           /* log1p of the *_var columns before standardising: 1 yes, 0 no, -1 default (yes) */
    int members;           /* ensemble members (seeds) averaged; 0 = 1 */
    uint64_t seed;
    /* Called after each epoch; non-zero return cancels (AS_ERR_CANCELLED). May be NULL. */
    int (*progress)(void *user, int member, int epoch, int max_epochs, double train_loss,
                    double valid_loss);
    void *user;
} as_genre_train_opts;

/* Fills o with the recipe of the built-in model (chosen by cross-validation on GTZAN's
 * fault-filtered training songs; docs/notes-genre.md). A zeroed struct also works: logreg with
 * the library's defaults. */
AS_API void as_genre_train_defaults(as_genre_train_opts *o);

/* Trains a model on the rows of d where use[i] != 0 (use NULL: every row). */
AS_API as_status as_genre_train(const as_genre_dataset *d, const unsigned char *use,
                                const as_genre_train_opts *opts, as_genre_model **out,
                                as_error *err);

/* Evaluation results: counts and per-class scores. */
typedef struct as_genre_eval {
    int n_classes;
    int n_test;                                     /* rows predicted */
    double accuracy;                                /* fraction of rows right */
    int confusion[AS_GENRE_MAX_CLASSES * AS_GENRE_MAX_CLASSES]; /* (true, predicted) counts */
    double precision[AS_GENRE_MAX_CLASSES], recall[AS_GENRE_MAX_CLASSES], f1[AS_GENRE_MAX_CLASSES];
    int support[AS_GENRE_MAX_CLASSES];              /* true rows per class */
} as_genre_eval;

/* Adds the predictions of m on rows with test[i] != 0 (NULL: all) to ev's confusion matrix
 * (ev must be zeroed before the first call), then recomputes the scores. For 3-s segment rows
 * each row counts once. */
AS_API as_status as_genre_eval_add(const as_genre_model *m, const as_genre_dataset *d,
                                   const unsigned char *test, as_genre_eval *ev);
/* Stratified, song-grouped K-fold cross-validation of a model type (opts) on d. */
AS_API as_status as_genre_cross_validate(const as_genre_dataset *d, int k,
                                         const as_genre_train_opts *opts, as_genre_eval *ev,
                                         as_error *err);

/* @@ SECTION quality (issue 10) @@ */

/* Transfer quality (src/quality, docs/notes-quality.md): the five numbers of
 * docs/transfer-quality.md for a content, style and result triple of mono 22050-Hz signals.
 *
 *     as_quality q;
 *     if (as_quality_compute(c, nc, s, ns, r, nr, &q, &err) == AS_OK)
 *         printf("style distance %.3f, rhythm %.3f\n", q.style_distance_ratio, q.rhythm_correlation);
 *
 * Statistics in double. Frame-wise comparisons (rhythm, chroma) use the frames the two signals
 * share (the first min(T)). */
typedef struct as_quality {
    /* FD(result, style) / FD(content, style), FD the Frechet distance of Gaussians (mean,
     * covariance with ddof 1) fitted to the frames' MFCCs 1..19. 0 = the style's timbre
     * statistics, 1 = no closer to the style than the content. Lower is better. */
    double style_distance_ratio;
    /* Pearson correlation of the onset envelopes (mean over mel bands) of result and content;
     * 0 when either envelope is constant. 1 = the content's rhythm kept. Higher is better. */
    double rhythm_correlation;
    /* Mean over frames of the cosine of the chroma vectors of result and content (a frame where
     * either is all zero counts 0). Harmony kept. Higher is better. */
    double chroma_similarity;
    /* Mean spectral flatness (of |X|^2, amin 1e-10) of the result / of the style. 1 = as tonal
     * as the style, above 1 = noisier. Closer to 1 is better. */
    double flatness_ratio;
    /* RMS level of the result minus that of the content, dB (a silent result: the RMS floored
     * at 1e-10, -200 dBFS). 0 is best. */
    double level_db;
    /* FD(content, style): the denominator of style_distance_ratio. */
    double fd_content_style;
} as_quality;

/* The metrics from three analyses (as_analysis_create), so a caller that scores several results
 * against one content and style analyses those once. Errors (with a message in err, which may
 * be NULL): AS_ERR_ARG for a NULL argument, a silent content (level undefined) or content and
 * style with identical MFCC statistics (FD(content, style) = 0: the ratio is undefined);
 * AS_ERR_NUMERIC when LAPACK fails; AS_ERR_NOMEM. Every field is finite on AS_OK. */
AS_API as_status as_quality_from_analyses(const as_analysis *content, const as_analysis *style,
                                          const as_analysis *result, as_quality *q,
                                          as_error *err);
/* The same from signals (each more than 1024 samples: AS_ERR_ARG otherwise; AS_ERR_EMPTY for
 * none; AS_ERR_NUMERIC for NaN or infinity). */
AS_API as_status as_quality_compute(const float *content, int64_t nc, const float *style,
                                    int64_t ns, const float *result, int64_t nr, as_quality *q,
                                    as_error *err);
/* The Frechet distance of two Gaussians of dimension d (means (d,), covariances (d, d) symmetric
 * positive semi-definite, row-major): |ma - mb|^2 + tr(A + B - 2 (A^1/2 B A^1/2)^1/2), the matrix
 * square roots by LAPACK's symmetric eigen-decomposition (negative round-off eigenvalues taken
 * as 0). AS_ERR_ARG for d < 1, AS_ERR_NUMERIC when LAPACK fails, AS_ERR_NOMEM. */
AS_API as_status as_quality_frechet(const double *ma, const double *A, const double *mb,
                                    const double *B, int d, double *fd);

/* @@ SECTION report (issue 6) @@ */

/* The journey report (src/report): one self-contained HTML page comparing a content, a style
 * and a result track — audio players, spectrograms, waveforms, chroma, spectral curves, tempo,
 * genres and similarity metrics, pictures as PNG and audio as WAV data URIs, no JavaScript. */
typedef struct as_report_track {
    const char *name; /* shown on the page, e.g. the file name */
    const float *y;   /* (n,) mono samples at 22050 Hz */
    int64_t n;
} as_report_track;
typedef struct as_report_opts {
    const char *title;        /* page title; NULL = "audiostyle report" */
    const char *settings;     /* one line describing the run (e.g. the command); may be NULL */
    double content_loss;      /* final losses and Griffin-Lim spectral convergence of the run */
    double style_loss;        /* that made the result; NaN when unknown (shown as a dash) */
    double spectral_convergence;
    double max_audio_s;       /* audio embedded per track, seconds; 0 = 300 (longer is cut) */
} as_report_opts;
/* Sets every number of o to "unknown" (NaN) and the rest to defaults. */
AS_API void as_report_opts_default(as_report_opts *o);
/* Writes the report for tracks[0..2] = content, style, result atomically to html_path. m is the
 * genre model (NULL = the built-in one). Each track needs more than 1024 samples. */
AS_API as_status as_report_write_html(const char *html_path, const as_report_track tracks[3],
                                      const as_genre_model *m, const as_report_opts *opts,
                                      as_error *err);

#ifdef __cplusplus
}
#endif

#endif /* AUDIOSTYLE_H */
