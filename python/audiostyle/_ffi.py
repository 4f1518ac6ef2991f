"""The C declarations audiostyle uses, and the loading of libaudiostyle.so (cffi ABI mode).

Only what the package calls is declared. tests/test_cdef.py checks every function here against
include/audiostyle.h (name and parameter count) and every struct against the C compiler's
sizeof/offsetof, so this file and the header cannot drift apart unnoticed.
"""
import os
import threading

from cffi import FFI

CDEF = r"""
typedef struct as_error { int status; char msg[512]; char hint[256]; } as_error;
const char *as_strerror(int status);
const char *as_version(void);

typedef struct as_signal { float *data; int64_t n; int sr; } as_signal;
void as_signal_free(as_signal *s);
typedef struct as_load_opts { int sr; double offset_s; double duration_s; double max_duration_s; } as_load_opts;
typedef struct as_audio_info {
    char format[64]; char subtype[64]; int channels; int sample_rate; int64_t frames; double duration_s;
} as_audio_info;
typedef struct as_audio_levels { int64_t frames; double peak; double rms; } as_audio_levels;
int as_audio_probe(const char *path, as_audio_info *info, as_error *err);
int as_audio_measure(const char *path, as_audio_info *info, as_audio_levels *lv, as_error *err);
int as_audio_load(const char *path, const as_load_opts *opts, as_signal *out, as_error *err);
typedef struct as_save_opts { int sample_format; int level; double ceiling_db; int bitrate_kbps; } as_save_opts;
int as_audio_save(const char *path, const float *x, int64_t n, int sr, const as_save_opts *opts,
                  as_error *err);

typedef struct as_stft as_stft;
as_stft *as_stft_create(int n_fft, int hop, int *status);
void as_stft_destroy(as_stft *s);
int as_stft_bins(const as_stft *s);
int64_t as_stft_frames(const as_stft *s, int64_t n, int center);
int as_stft_forward(const as_stft *s, const float *y, int64_t n, int center, int pad_mode, float *X);
int as_istft(const as_stft *s, const float *X, int64_t T, int64_t length, float *y, int64_t *n_out);
int64_t as_istft_length(const as_stft *s, int64_t T, int64_t length);
typedef struct as_gl_opts {
    int n_iter; double momentum; int init; uint64_t seed; const float *phase; int64_t length;
    int threads; int (*progress)(void *user, int iter, int n_iter); void *user;
} as_gl_opts;
int as_griffinlim(const as_stft *s, const float *S, int64_t T, const as_gl_opts *opts, float *y,
                  double *spectral_convergence);
int as_mel_filterbank(float *M, int sr, int n_fft, int n_mels, double fmin, double fmax);
void as_power_to_db(float *db, const float *x, int64_t n, double ref, double amin, double top_db);

typedef struct as_spec_panel {
    const float *S; int F; int64_t T; int sr, hop, n_fft; const char *title;
} as_spec_panel;
typedef struct as_plot_opts {
    int width, height; int freq_scale; int cmap; double db_range; const char *title;
    double time_offset_s;
} as_plot_opts;
int as_plot_spectrograms(const char *png_path, const as_spec_panel *panels, int n,
                         const as_plot_opts *opts, as_error *err);

typedef struct as_style_config {
    int filters; int kernel_width; int padding; int gram_divisor; double content_weight;
    double style_weight; int init; double init_scale; int optimizer; int iterations;
    int lbfgs_memory; double learning_rate; int patience; int griffin_lim_iterations; int phase;
    uint64_t seed; int threads; double max_memory_mb; int level; double stop_decrease;
    double segment_seconds; int precision;
    int loss_norm; double feature_mean_weight; double envelope_weight; double spread_weight;
    double temporal_weight; double flatness_weight; double envelope_floor; double floor_quantile;
    double render_eq; int branch; int branch_filters; int branch_kernel_width; int branch_bands;
    double branch_weight; double render_match; double render_match_below;
} as_style_config;
int as_style_config_preset(as_style_config *cfg, int preset);
int as_style_preset_from_name(const char *name);
const char *as_style_precision(const as_style_config *cfg, const char **engine);
typedef struct as_style as_style;
int as_style_create(as_style **out, const as_style_config *cfg, const float *content,
                    int64_t content_n, const float *style, int64_t style_n, as_error *err);
void as_style_destroy(as_style *st);
typedef struct as_style_progress {
    int stage; int iteration, iterations; int evaluations; double content_loss, style_loss;
    double seconds; double eta_seconds;
} as_style_progress;
typedef int (*as_style_progress_fn)(const as_style_progress *p, void *user);
int as_style_optimize(as_style *st, as_style_progress_fn fn, void *user);
int as_style_render(as_style *st, as_style_progress_fn fn, void *user);
int64_t as_style_frames(const as_style *st, int which);
int as_style_get_spectrogram(const as_style *st, int which, float *out);
int as_style_get_audio(const as_style *st, const float **y, int64_t *n);
typedef struct as_style_stats {
    int iterations, evaluations; double optimize_seconds; double targets_seconds;
    double evaluation_seconds; double seconds_per_evaluation; double griffin_lim_seconds;
    double content_loss, style_loss; double initial_content_loss, initial_style_loss;
    double spectral_convergence; const char *stop_reason; double memory_mb; double level_gain_db;
    int segments; const char *precision; const char *engine; double style_flatness;
    double render_match;
} as_style_stats;
void as_style_get_stats(const as_style *st, as_style_stats *out);

int as_features_count(void);
const char *as_features_column(int i);
typedef struct as_features as_features;
as_features *as_features_create(int *status);
void as_features_destroy(as_features *f);
int as_features_compute(as_features *f, const float *y, int64_t n, double *out);
int as_features_tempo(as_features *f, const float *y, int64_t n, double *bpm);
int64_t as_features_segments(int64_t n, int seconds, int64_t *hop, int64_t *len);

typedef struct as_genre_model as_genre_model;
const char *as_genre_type_name(int type);
int as_genre_type_parse(const char *name);
int as_genre_load(const char *path, as_genre_model **out, as_error *err);
int as_genre_load_default(as_genre_model **out, as_error *err);
int as_genre_save(const as_genre_model *m, const char *path, as_error *err);
void as_genre_destroy(as_genre_model *m);
int as_genre_n_classes(const as_genre_model *m);
const char *as_genre_label(const as_genre_model *m, int k);
int as_genre_type(const as_genre_model *m);
int64_t as_genre_segment_length(const as_genre_model *m);
int as_genre_predict(const as_genre_model *m, const double *features, double *probs);
int as_genre_classify_signal(const as_genre_model *m, as_features *fx, const float *y, int64_t n,
                             double *probs);
typedef struct as_genre_dataset {
    int n; int cap; double *x; int *y; int *song; char **name; int n_classes; char *labels[64];
    int n_songs; int64_t segment_length;
} as_genre_dataset;
int as_genre_dataset_load_csv(const char *path, as_genre_dataset *d, as_error *err);
void as_genre_dataset_free(as_genre_dataset *d);
typedef struct as_genre_train_opts {
    int type; int epochs; int batch_size; double lr; double weight_decay; double dropout;
    double valid_fraction; int patience; int log_var; int members; uint64_t seed;
    int (*progress)(void *user, int member, int epoch, int max_epochs, double train_loss,
                    double valid_loss);
    void *user;
} as_genre_train_opts;
void as_genre_train_defaults(as_genre_train_opts *o);
int as_genre_train(const as_genre_dataset *d, const unsigned char *use,
                   const as_genre_train_opts *opts, as_genre_model **out, as_error *err);

typedef struct as_quality {
    double style_distance_ratio; double rhythm_correlation; double chroma_similarity;
    double flatness_ratio; double level_db; double fd_content_style;
} as_quality;
int as_quality_compute(const float *content, int64_t nc, const float *style, int64_t ns,
                       const float *result, int64_t nr, as_quality *q, as_error *err);

typedef struct as_report_track { const char *name; const float *y; int64_t n; } as_report_track;
typedef struct as_report_opts {
    const char *title; const char *settings; double content_loss; double style_loss;
    double spectral_convergence; double max_audio_s;
} as_report_opts;
void as_report_opts_default(as_report_opts *o);
int as_report_write_html(const char *html_path, const as_report_track tracks[3],
                         const as_genre_model *m, const as_report_opts *opts, as_error *err);

void free(void *ptr); /* libc's, reached through the library's dependencies */
"""

ffi = FFI()
ffi.cdef(CDEF)

_HERE = os.path.dirname(os.path.abspath(__file__))


def _candidates():
    env = os.environ.get("AUDIOSTYLE_LIB")
    if env:
        return [env]
    c = []
    # a source checkout: python/audiostyle/ -> <repo>/$BUILD (or build)/libaudiostyle.so
    repo = os.path.dirname(os.path.dirname(_HERE))
    if os.path.exists(os.path.join(repo, "include", "audiostyle.h")):
        for build in dict.fromkeys((os.environ.get("BUILD", "build"), "build")):
            c.append(os.path.join(repo, build, "libaudiostyle.so"))
    # `make install-python` records the library it installed beside the package
    try:
        from ._install import LIBRARY
        c.append(LIBRARY)
    except ImportError:
        pass
    # an installed library: the dynamic loader's path, then the usual prefixes
    c.append("libaudiostyle.so.0")
    for prefix in ("/usr/local", "/usr"):
        c.append(os.path.join(prefix, "lib", "libaudiostyle.so.0"))
    return c


_lib = None
_lock = threading.Lock()
lib_path = None


def get_lib():
    """The loaded library (loaded on first use). Raises OSError naming every place tried."""
    global _lib, lib_path
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is not None:
            return _lib
        tried = []
        for p in _candidates():
            if os.sep in p and not os.path.exists(p):
                tried.append(p + " (no such file)")
                continue
            try:
                _lib = ffi.dlopen(p)
                lib_path = p
                return _lib
            except OSError as e:
                tried.append("%s (%s)" % (p, e))
        raise OSError("audiostyle: cannot load libaudiostyle.so; tried: " + "; ".join(tried)
                      + ". Build it with `make`, install it with `make install`, or set "
                      "AUDIOSTYLE_LIB to its path.")


