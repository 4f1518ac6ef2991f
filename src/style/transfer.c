/* transfer.c — spectrogram neural style transfer: the spectrograms, the optimisation loop
 * (L-BFGS of src/nn/lbfgs.c, or Adam) over the loss of src/nn/nst.c, checkpoints and resume
 * (src/style/checkpoint.c), and Griffin-Lim.
 *
 * ref: the TF notebook (Ulyanov's neural-style-audio-tf): scipy.optimize.minimize(method
 * 'L-BFGS-B', options maxiter 300) from x0 ~ Normal(0, 1e-3), then librosa.griffinlim(exp(x)-1,
 * 500). L-BFGS-B's defaults are mirrored (history 10, Moré-Thuente with ftol 1e-3 and gtol 0.9,
 * at most 20 evaluations per line search, stop when max|g| <= 1e-5 or the relative decrease of
 * f is below 1e7 * DBL_EPSILON), with the parameters liblbfgs was run with before our own L-BFGS
 * replaced it (its state must be saved; liblbfgs hides it): no gradient-norm test, so a run goes
 * to its iteration count unless it has truly converged. */
#define _POSIX_C_SOURCE 200809L
#include "core/internal.h"
#include "nn/engine.h"
#include "nn/lbfgs.h"
#include "nn/nn.h"
#include "style/style.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NST_NFFT 2048
#define NST_HOP 512
#define NST_F (NST_NFFT / 2 + 1)
/* L-BFGS iterations of the default preset (chosen in docs/notes-presets.md) */
#define PRESET_DEFAULT_ITERATIONS 55
/* cfg.stop_decrease compares the loss with the one this many iterations before */
#define STOP_WINDOW STYLE_CKPT_WINDOW
/* cfg.segment_seconds: frames two neighbouring segments share (cross-faded), 0.74 s */
#define SEG_OVERLAP 32
/* the default preset's segment length, seconds */
#define PRESET_DEFAULT_SEGMENT 20.0
#define PRESET_DEFAULT_MATCH 1.0        /* cfg.render_match of the default preset */
#define PRESET_DEFAULT_MATCH_BELOW 0.03 /* ... for styles below this flatness */

struct as_style {
    as_style_config cfg;
    as_stft *stft;
    int64_t T, Ts;      /* frames of the content (= result) and of the style */
    int64_t n_content;  /* samples of the content (= result) */
    int64_t L;          /* frames of a segment (T when the content is optimised whole) */
    int nseg;           /* segments (1: whole) */
    int64_t *seg_start; /* (nseg,) first frame of each segment */
    int64_t n;          /* NST_F * L, the variables optimised at a time */
    float *Sc;          /* (F, T) log1p |STFT(content)| */
    float *Scs;         /* (F, L) the content of the segment being optimised (Sc when whole) */
    float *xr;          /* (F, T) the result spectrogram (x when whole) */
    float *mag;         /* (F, T) Griffin-Lim's magnitudes (grad when whole) */
    float *Ss;          /* (F, Ts) log1p |STFT(style)| */
    float *phase;       /* (F, T, 2) unit phasors of the content, for AS_STYLE_PHASE_CONTENT */
    float *x;           /* (F, L) the current spectrogram of the segment (log1p domain) */
    float *best;        /* (F, L) the best one seen */
    float *grad;        /* (F, L) gradient */
    float *m, *v;       /* (F, L) Adam moments */
    nn_adam adam;       /* Adam's step count and constants */
    int since_best;     /* Adam: steps without a lower loss */
    nn_lbfgs lb;        /* L-BFGS's state, allocated on the first optimisation */
    int lb_restart, lb_it0; /* run_lbfgs's restarts: which, and the iterations when it began */
    double lb_f0;       /* ... and the best loss then */
    float *audio;       /* (n_content,) */
    nn_nst *net;
    style_extras ex;    /* the tonal-style terms and branch (extras.c); empty by default */
    int targets_ready, started, rendered;
    double best_f, best_lc, best_ls, cur_lc, cur_ls;
    double rms[2];      /* RMS of the content and of the style, for cfg.level */
    double past[STOP_WINDOW + 1]; /* best loss at the end of the last iterations (ring) */
    int evals, iters, iter_budget;
    int seg;            /* the segment being optimised */
    int evals_at_iter;  /* evaluations when the last iteration ended */
    double t0, t0_run; /* progress's time origin; when this as_style_optimize began */
    as_style_progress_fn fn;
    void *user;
    int cancelled, converged, stalled;
    as_status engine_rc; /* an engine failure inside an evaluation ends the run with it */
    as_style_stats stats;
    /* as_style_optimize's totals over the segments (kept here so that a checkpoint holds them) */
    double lc_sum, ls_sum;
    int all_best, iters_sum;
    const char *stop_before; /* the stop reason before the current segment */
    /* checkpoints (as_style_set_checkpoint, as_style_resume) */
    uint64_t content_hash, style_hash; /* style_hash64 of Sc and Ss */
    char *ck_path, *ck_settings;       /* NULL: no checkpoints */
    double ck_every, ck_last;          /* seconds between writes; when the last was written */
    double ck_iter_end;                /* when the last iteration ended (0: none yet) */
    int ck_written;                    /* writes by this object */
    as_status ck_rc;                   /* a write failed: the run ends with it */
    as_error ck_err;
    char *rs_buf;                      /* a loaded checkpoint, applied by the next optimisation */
    size_t rs_len;
    style_ckpt rs;                     /* its parsed view into rs_buf */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The TF notebook's recipe; the default preset changes what docs/notes-presets.md measured. */
static void notebook_config(as_style_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->filters = 4096;
    cfg->kernel_width = 11;
    cfg->padding = AS_STYLE_PAD_VALID;
    cfg->gram_divisor = AS_STYLE_GRAM_FRAMES;
    cfg->content_weight = 1e-2;
    cfg->style_weight = 1.0;
    cfg->init = AS_STYLE_INIT_NOISE;
    cfg->init_scale = 1e-3;
    cfg->optimizer = AS_STYLE_LBFGS;
    cfg->iterations = 0;
    cfg->lbfgs_memory = 10;
    cfg->learning_rate = 1.0;
    cfg->patience = 50;
    cfg->griffin_lim_iterations = 500;
    cfg->phase = AS_STYLE_PHASE_RANDOM;
    cfg->seed = 0;
    cfg->threads = 0;
    cfg->max_memory_mb = 0;
    cfg->level = AS_STYLE_LEVEL_NONE;
    cfg->stop_decrease = 0;
    cfg->segment_seconds = 0;
    cfg->precision = AS_STYLE_PRECISION_FP32; /* the notebook's arithmetic */
    cfg->envelope_floor = 1e-3; /* the tonal-style extras: all off (docs/notes-tonal.md) */
    cfg->branch_filters = 1024;
    cfg->branch_kernel_width = 31;
    cfg->branch_bands = 128;
    cfg->branch_weight = 1.0;
}

_Static_assert((int)AS_STYLE_PRECISION_AUTO == (int)NN_PRECISION_AUTO &&
                   (int)AS_STYLE_PRECISION_FP32 == (int)NN_PRECISION_FP32 &&
                   (int)AS_STYLE_PRECISION_BF16 == (int)NN_PRECISION_BF16,
               "the public precision values are src/nn's");

static const char *precision_name(int p) { return p == NN_PRECISION_BF16 ? "bf16" : "fp32"; }

const char *as_style_precision(const as_style_config *cfg, const char **engine)
{
    if (engine) *engine = NULL;
    if (!cfg || cfg->precision < AS_STYLE_PRECISION_AUTO || cfg->precision > AS_STYLE_PRECISION_BF16)
        return NULL;
    int p = nn_nst_resolve_precision(cfg->precision);
    if (engine)
        *engine = p == NN_PRECISION_FP32 ? "OpenBLAS sgemm"
                  : nn_bf16_native()     ? "oneDNN matmul"
                                         : "emulated bf16 (no oneDNN bf16 matmul on this CPU)";
    return precision_name(p);
}

static const char *const PRESET_NAMES[] = {"default", "notebook"};

as_status as_style_config_preset(as_style_config *cfg, int preset)
{
    if (!cfg || preset < AS_STYLE_PRESET_DEFAULT || preset > AS_STYLE_PRESET_NOTEBOOK)
        return AS_ERR_ARG;
    notebook_config(cfg);
    if (preset == AS_STYLE_PRESET_DEFAULT) {
        /* the content equalised in the log domain: no worse than content-eq on the six dense
         * benchmark pairs and better on the three tonal ones (docs/notes-tonal.md) */
        cfg->init = AS_STYLE_INIT_CONTENT_LOGEQ;
        cfg->iterations = PRESET_DEFAULT_ITERATIONS;
        cfg->level = AS_STYLE_LEVEL_CONTENT;
        cfg->precision = AS_STYLE_PRECISION_AUTO; /* bf16 where the CPU has it */
        cfg->segment_seconds = PRESET_DEFAULT_SEGMENT;
        /* each bin's distribution onto the style's after Griffin-Lim, for styles below 0.03 in
         * flatness: better on all five metrics on the nine benchmark pairs, no worse within the
         * benchmark's slack on any dense one (docs/notes-tonal.md) */
        cfg->render_match = PRESET_DEFAULT_MATCH;
        cfg->render_match_below = PRESET_DEFAULT_MATCH_BELOW;
    }
    return AS_OK;
}

const char *as_style_preset_name(int preset)
{
    if (preset < AS_STYLE_PRESET_DEFAULT || preset > AS_STYLE_PRESET_NOTEBOOK) return NULL;
    return PRESET_NAMES[preset];
}

int as_style_preset_from_name(const char *name)
{
    for (int i = 0; name && i <= AS_STYLE_PRESET_NOTEBOOK; i++)
        if (strcmp(name, PRESET_NAMES[i]) == 0) return i;
    return -1;
}

void as_style_config_default(as_style_config *cfg) { as_style_config_preset(cfg, AS_STYLE_PRESET_DEFAULT); }

static int iterations_of(const as_style_config *cfg)
{
    if (cfg->iterations > 0) return cfg->iterations;
    return cfg->optimizer == AS_STYLE_ADAM ? 2000 : 300;
}

static as_status check_config(const as_style_config *c, as_error *err)
{
    const char *bad = NULL;
    if (c->filters < 1 || c->filters > 65536) bad = "filters must be 1..65536";
    else if (c->kernel_width < 1 || c->kernel_width > 1001) bad = "kernel width must be 1..1001";
    else if (c->padding != AS_STYLE_PAD_VALID && c->padding != AS_STYLE_PAD_SAME) bad = "unknown padding";
    else if (c->gram_divisor != AS_STYLE_GRAM_FRAMES && c->gram_divisor != AS_STYLE_GRAM_OUTPUT_FRAMES)
        bad = "unknown Gram divisor";
    else if (!(c->content_weight >= 0) || !isfinite(c->content_weight)) bad = "content weight must be >= 0";
    else if (!(c->style_weight >= 0) || !isfinite(c->style_weight)) bad = "style weight must be >= 0";
    else if (c->content_weight == 0 && c->style_weight == 0) bad = "content and style weights are both 0";
    else if (c->init < AS_STYLE_INIT_NOISE || c->init > AS_STYLE_INIT_CONTENT_LOGEQ) bad = "unknown init";
    else if (!(c->init_scale >= 0) || !isfinite(c->init_scale)) bad = "init scale must be >= 0";
    else if (c->optimizer != AS_STYLE_LBFGS && c->optimizer != AS_STYLE_ADAM) bad = "unknown optimizer";
    else if (c->iterations < 0) bad = "iterations must be >= 0";
    else if (c->lbfgs_memory < 1 || c->lbfgs_memory > 100) bad = "L-BFGS memory must be 1..100";
    else if (!(c->learning_rate > 0) || !isfinite(c->learning_rate)) bad = "learning rate must be > 0";
    else if (c->patience < 0) bad = "patience must be >= 0";
    else if (c->griffin_lim_iterations < 1) bad = "Griffin-Lim iterations must be >= 1";
    else if (c->phase != AS_STYLE_PHASE_RANDOM && c->phase != AS_STYLE_PHASE_CONTENT) bad = "unknown phase";
    else if (c->threads < 0) bad = "threads must be >= 0";
    else if (!(c->max_memory_mb >= 0)) bad = "max memory must be >= 0";
    else if (c->level < AS_STYLE_LEVEL_CONTENT || c->level > AS_STYLE_LEVEL_NONE) bad = "unknown level";
    else if (!(c->stop_decrease >= 0 && c->stop_decrease < 1)) bad = "stop decrease must be in [0, 1)";
    else if (!(c->segment_seconds == 0 || (c->segment_seconds >= 5 && c->segment_seconds <= 1e6)))
        bad = "segment length must be 0 (whole) or 5 s or more";
    else if (c->precision < AS_STYLE_PRECISION_AUTO || c->precision > AS_STYLE_PRECISION_BF16)
        bad = "unknown precision";
    if (!bad) bad = style_extras_check(c);
    if (bad) return as__fail(err, AS_ERR_ARG, "style transfer", "%s", bad);
    return AS_OK;
}

static int64_t frames_of(int64_t samples) { return 1 + samples / NST_HOP; } /* centred STFT */

/* Segments of a T-frame content: *nseg of *L frames each, consecutive ones sharing at least
 * SEG_OVERLAP frames, the last one ending at T; starts (nseg,) when not NULL. Whole (1, T) when
 * segment_seconds is 0 or the content is at most 1.5 segments long. */
void style_plan_segments(const as_style_config *cfg, int64_t T, int64_t *L, int *nseg, int64_t *starts)
{
    int64_t w = (int64_t)(cfg->segment_seconds * AS_SR / NST_HOP + 0.5);
    if (cfg->segment_seconds <= 0 || 2 * T <= 3 * w || w <= 2 * SEG_OVERLAP) {
        *L = T;
        *nseg = 1;
        if (starts) starts[0] = 0;
        return;
    }
    int64_t k = (T - SEG_OVERLAP + (w - SEG_OVERLAP) - 1) / (w - SEG_OVERLAP); /* ceil */
    int64_t len = (T + (k - 1) * SEG_OVERLAP + k - 1) / k;                      /* ceil */
    *L = len;
    *nseg = (int)k;
    for (int64_t i = 0; starts && i < k; i++) starts[i] = i + 1 < k ? i * (len - SEG_OVERLAP) : T - len;
}

static nn_nst_shape shape_of(const as_style_config *cfg, int64_t T, int64_t Ts)
{
    nn_nst_shape sh = {.C = NST_F, .N = cfg->filters, .K = cfg->kernel_width,
                       .padding = cfg->padding == AS_STYLE_PAD_SAME ? NN_PAD_SAME : NN_PAD_VALID,
                       .T = T, .Ts = Ts, .alpha = cfg->content_weight, .beta = cfg->style_weight,
                       .style_mode = NN_STYLE_AUTO, .precision = cfg->precision,
                       .threads = cfg->threads, .norm = cfg->loss_norm,
                       .mean_w = cfg->feature_mean_weight};
    int64_t shrink = cfg->padding == AS_STYLE_PAD_SAME ? 0 : cfg->kernel_width - 1;
    if (cfg->gram_divisor == AS_STYLE_GRAM_OUTPUT_FRAMES) {
        sh.div_x = (double)(T - shrink);
        sh.div_s = (double)(Ts - shrink);
    } else {
        sh.div_x = (double)T;
        sh.div_s = (double)Ts;
    }
    return sh;
}

/* Bytes as_style_create allocates besides the network: spectrograms, optimiser, audio. */
static double side_bytes(const as_style_config *cfg, int64_t T, int64_t Ts, int64_t n_content)
{
    int64_t L;
    int nseg;
    style_plan_segments(cfg, T, &L, &nseg, NULL);
    double n = (double)NST_F * L, b = 0;
    b += 4.0 * n * 3;                           /* x, best, grad */
    b += 4.0 * NST_F * (double)T;               /* Sc */
    if (nseg > 1) b += 4.0 * n + 8.0 * NST_F * (double)T; /* Scs, xr, mag */
    b += 4.0 * NST_F * (double)Ts;              /* Ss */
    if (cfg->phase == AS_STYLE_PHASE_CONTENT) b += 8.0 * NST_F * (double)T;
    b += 4.0 * (double)n_content;               /* audio */
    b += 8.0 * NST_F * (double)AS_MAX(T, Ts);   /* the complex STFT while creating */
    if (cfg->optimizer == AS_STYLE_ADAM) b += 8.0 * n;
    else b += 8.0 * n * (2.0 * cfg->lbfgs_memory + 5); /* nn_lbfgs: x, g, xt, gt, d + (s, y) pairs */
    b += 4.0 * 8.0 * NST_F * (double)T;          /* Griffin-Lim's complex buffers (rough) */
    b += style_extras_bytes(cfg, NST_F, L, Ts);  /* the tonal-style extras */
    if (cfg->render_match > 0) b += 8.0 * NST_F * (double)T + 16.0 * (double)AS_MAX(T, Ts); /* its STFT */
    return b;
}

#define NST_BASE_MB 40.0 /* the process besides the job: code, OpenBLAS buffers, FFTW */

as_status as_style_estimate_cost(const as_style_config *cfg, int64_t content_samples,
                                 int64_t style_samples, int calibrate, as_style_estimate *est)
{
    memset(est, 0, sizeof *est);
    if (check_config(cfg, NULL) != AS_OK || content_samples < 1 || style_samples < 1) return AS_ERR_ARG;
    int64_t T = frames_of(content_samples), Ts = frames_of(style_samples);
    int64_t shrink = cfg->padding == AS_STYLE_PAD_SAME ? 0 : cfg->kernel_width - 1;
    if (T - shrink < 1 || Ts - shrink < 1) return AS_ERR_ARG; /* too short for the kernel */
    int64_t L;
    int nseg;
    style_plan_segments(cfg, T, &L, &nseg, NULL);
    nn_nst_shape sh = shape_of(cfg, L, Ts);
    est->content_frames = T;
    est->style_frames = Ts;
    est->segments = nseg;
    est->memory_mb = (nn_nst_bytes(&sh, NULL) + side_bytes(cfg, T, Ts, content_samples)) / 1e6 + NST_BASE_MB;
    est->flops_per_evaluation = nn_nst_flops(&sh) + style_extras_flops(cfg, NST_F, L, Ts);
    int it = iterations_of(cfg);
    /* scipy's L-BFGS-B (and liblbfgs here) needs ~1.07 evaluations per iteration on this loss;
     * each segment is one such run */
    est->evaluations = nseg * (cfg->optimizer == AS_STYLE_ADAM ? it : (int)(it * 1.07 + 1));
    double rate = 100e9;
    if (calibrate) {
        if (cfg->threads > 0) nn_set_threads(cfg->threads);
        int64_t M = AS_MIN(AS_MAX(T - cfg->kernel_width + 1, 64), 512);
        double r = nn_gemm_rate(M, AS_MIN(cfg->filters, 4096), NST_F, 2);
        if (r > 0) rate = r * 0.9; /* the whole evaluation runs at ~90 % of the bare sgemm rate */
    }
    est->gflops = rate / 1e9;
    /* The convolution's engine: bf16 on oneDNN ran 2.3-2.4x the sgemm rate at the conv's shapes
     * on an AVX512-BF16 Xeon (issue 10); the emulated bf16 (no oneDNN bf16 matmul on this CPU)
     * is an sgemm of a longer reduction plus the im2col/col2im staging: ~0.9x (bench nst). */
    int prec = nn_nst_resolve_precision(cfg->precision);
    double conv_rate = rate;
    if (prec == NN_PRECISION_BF16) conv_rate = nn_bf16_native() ? 2.3 * rate : 0.9 * rate;
    est->conv_gflops = conv_rate / 1e9;
    est->precision = precision_name(prec);
    int64_t To = L - shrink;
    double conv_flops = 4.0 * (double)To * cfg->filters * NST_F * cfg->kernel_width;
    double eval_s = conv_flops / conv_rate + (est->flops_per_evaluation - conv_flops) / rate;
    /* the targets cost about one evaluation's forward half for each track; the weights ~20 ns
     * each; L-BFGS's two-loop recursion streams 2m vectors of n doubles per iteration
     * (memory-bound, ~2 ns per double and pair measured) */
    double n = (double)NST_F * L;
    est->optimize_seconds = eval_s * (est->evaluations + nseg) +
                            20e-9 * (double)cfg->filters * NST_F * cfg->kernel_width;
    if (cfg->optimizer == AS_STYLE_LBFGS) est->optimize_seconds += 2e-9 * n * cfg->lbfgs_memory * it * nseg;
    /* Griffin-Lim: two FFT passes per frame and iteration, ~4 us each on one core */
    est->griffin_lim_seconds = 8e-6 * (double)T * cfg->griffin_lim_iterations /
                               (cfg->threads > 0 ? cfg->threads : 1);
    est->seconds = est->optimize_seconds + est->griffin_lim_seconds;
    return AS_OK;
}

static double signal_rms(const float *y, int64_t n)
{
    double ss = 0;
    for (int64_t i = 0; i < n; i++) ss += (double)y[i] * y[i];
    return n > 0 ? sqrt(ss / (double)n) : 0;
}

/* log1p |STFT(y)| (F, T) and optionally the unit phasors (F, T, 2). X is scratch (F, T, 2). */
static as_status spectrogram_of(const as_stft *s, const float *y, int64_t n, float *X, float *S,
                                float *phase, int64_t T)
{
    as_status st = as_stft_forward(s, y, n, 1, AS_PAD_REFLECT, X);
    if (st != AS_OK) return st;
    for (int64_t i = 0; i < NST_F * T; i++) {
        float re = X[2 * i], im = X[2 * i + 1];
        float mag = (float)hypot(re, im);
        // ref: np.log1p(np.abs(librosa.stft(y)))  (float32)
        S[i] = log1pf(mag);
        if (phase) {
            phase[2 * i] = mag > 0 ? re / mag : 1.0f;
            phase[2 * i + 1] = mag > 0 ? im / mag : 0.0f;
        }
    }
    return AS_OK;
}

as_status as_style_create(as_style **out, const as_style_config *cfg, const float *content,
                          int64_t content_n, const float *style, int64_t style_n, as_error *err)
{
    if (!out) return AS_ERR_ARG;
    *out = NULL;
    as_status rc = check_config(cfg, err);
    if (rc != AS_OK) return rc;
    if (!content || !style) return as__fail(err, AS_ERR_ARG, "style transfer", "no signal");
    const char *names[2] = {"content", "style"};
    int64_t lens[2] = {content_n, style_n};
    for (int i = 0; i < 2; i++) {
        int64_t need = NST_NFFT / 2 + 1;
        int64_t frames_needed = cfg->padding == AS_STYLE_PAD_SAME ? 1 : cfg->kernel_width;
        int64_t need2 = (frames_needed - 1) * NST_HOP;
        if (need2 > need) need = need2;
        if (lens[i] < need) {
            rc = as__fail(err, AS_ERR_ARG, names[i], "too short (%.3f s): at least %.3f s needed",
                          lens[i] / (double)AS_SR, need / (double)AS_SR);
            as__hint(err, "use a longer track or a smaller --kernel-width");
            return rc;
        }
    }
    int64_t T = frames_of(content_n), Ts = frames_of(style_n);
    double rms[2];
    rms[0] = signal_rms(content, content_n);
    rms[1] = signal_rms(style, style_n);
    if ((double)NST_F * T > 2e9)
        return as__fail(err, AS_ERR_TOO_LONG, "content", "too long for one optimisation (%lld frames)",
                        (long long)T);
    int64_t L;
    int nseg;
    style_plan_segments(cfg, T, &L, &nseg, NULL);
    nn_nst_shape sh = shape_of(cfg, L, Ts);
    double mb = (nn_nst_bytes(&sh, NULL) + side_bytes(cfg, T, Ts, content_n)) / 1e6 + NST_BASE_MB;
    if (cfg->max_memory_mb > 0 && mb > cfg->max_memory_mb) {
        rc = as__fail(err, AS_ERR_MEMLIMIT, "style transfer",
                      "the job needs about %.0f MB, more than the %.0f MB allowed", mb,
                      cfg->max_memory_mb);
        as__hint(err, "use shorter excerpts (--content-duration, --style-duration) or fewer --filters");
        return rc;
    }
    if (cfg->threads > 0) nn_set_threads(cfg->threads);

    as_style *st = calloc(1, sizeof *st);
    float *X = NULL;
    int at_engine = 0;
    if (!st) return as__fail(err, AS_ERR_NOMEM, "style transfer", NULL);
    st->cfg = *cfg;
    st->T = T;
    st->Ts = Ts;
    st->n_content = content_n;
    st->L = L;
    st->nseg = nseg;
    st->n = (int64_t)NST_F * L;
    st->rms[0] = rms[0];
    st->rms[1] = rms[1];
    st->stats.spectral_convergence = NAN;
    st->stats.stop_reason = "not run";
    size_t nF = (size_t)NST_F * (size_t)T, nL = (size_t)st->n, nS = (size_t)NST_F * (size_t)Ts;
    st->stft = as_stft_create(NST_NFFT, NST_HOP, &rc);
    if (!st->stft) goto fail;
    rc = AS_ERR_NOMEM;
    st->seg_start = malloc(sizeof(int64_t) * (size_t)nseg);
    st->Sc = malloc(nF * sizeof(float));
    st->Ss = malloc(nS * sizeof(float));
    st->x = malloc(nL * sizeof(float));
    st->best = malloc(nL * sizeof(float));
    st->grad = malloc(nL * sizeof(float));
    st->audio = calloc((size_t)content_n, sizeof(float));
    X = malloc((size_t)NST_F * (size_t)AS_MAX(T, Ts) * 2 * sizeof(float));
    if (!st->seg_start || !st->Sc || !st->Ss || !st->x || !st->best || !st->grad || !st->audio || !X)
        goto fail;
    style_plan_segments(cfg, T, &L, &nseg, st->seg_start);
    if (nseg > 1) {
        st->Scs = malloc(nL * sizeof(float));
        st->xr = malloc(nF * sizeof(float));
        st->mag = malloc(nF * sizeof(float));
        if (!st->Scs || !st->xr || !st->mag) goto fail;
    } else {
        st->Scs = st->Sc;
        st->xr = st->x;
        st->mag = st->grad;
    }
    if (cfg->phase == AS_STYLE_PHASE_CONTENT && !(st->phase = malloc(2 * nF * sizeof(float)))) goto fail;
    if (cfg->optimizer == AS_STYLE_ADAM) {
        st->m = calloc(nL, sizeof(float));
        st->v = calloc(nL, sizeof(float));
        if (!st->m || !st->v) goto fail;
    }
    rc = spectrogram_of(st->stft, content, content_n, X, st->Sc, st->phase, T);
    if (rc == AS_OK) rc = spectrogram_of(st->stft, style, style_n, X, st->Ss, NULL, Ts);
    /* the style's flatness from its STFT in X, as as_style_flatness would compute it */
    if (rc == AS_OK) st->stats.style_flatness = style_flatness_of_stft(X, NST_F, Ts);
    free(X);
    X = NULL;
    if (rc != AS_OK) goto fail;
    st->content_hash = style_hash64(st->Sc, nF * sizeof(float));
    st->style_hash = style_hash64(st->Ss, nS * sizeof(float));
    at_engine = 1;
    rc = nn_nst_create(&st->net, &sh);
    if (rc != AS_OK && rc != AS_ERR_NOMEM && cfg->precision == AS_STYLE_PRECISION_AUTO &&
        nn_nst_resolve_precision(sh.precision) == NN_PRECISION_BF16) {
        as__log(AS_LOG_INFO, "style transfer: the bf16 engine failed (%s); using fp32", as_strerror(rc));
        sh.precision = NN_PRECISION_FP32;
        rc = nn_nst_create(&st->net, &sh);
    }
    if (rc == AS_OK) rc = nn_nst_init_weights(st->net, cfg->seed);
    if (rc == AS_OK) rc = style_extras_create(&st->ex, cfg, NST_F, L, Ts);
    if (rc != AS_OK) goto fail;
    st->stats.memory_mb = (st->net->bytes + side_bytes(cfg, T, Ts, content_n)) / 1e6;
    st->stats.precision = precision_name(st->net->precision);
    st->stats.engine = nn_nst_engine_impl(st->net);
    st->stats.render_match = st->stats.style_flatness < cfg->render_match_below ? cfg->render_match : 0;

    /* x0 of the whole result: the notebook's Normal(0, 1e-3) noise, or the content itself */
    if (cfg->init == AS_STYLE_INIT_CONTENT) {
        memcpy(st->xr, st->Sc, nF * sizeof(float));
    } else if (cfg->init == AS_STYLE_INIT_CONTENT_EQ) {
        for (int k = 0; k < NST_F; k++) { /* x0[k, :] = max(Sc[k, :] + mean(Ss[k, :]) - mean(Sc[k, :]), 0) */
            const float *c = st->Sc + (size_t)k * T, *sr = st->Ss + (size_t)k * Ts;
            double mc = 0, ms = 0;
            for (int64_t t = 0; t < T; t++) mc += c[t];
            for (int64_t t = 0; t < Ts; t++) ms += sr[t];
            float shift = (float)(ms / (double)Ts - mc / (double)T);
            for (int64_t t = 0; t < T; t++) st->xr[(size_t)k * T + t] = fmaxf(c[t] + shift, 0.0f);
        }
    } else if (cfg->init == AS_STYLE_INIT_CONTENT_LOGEQ) { /* a per-bin gain (extras.c) */
        style_init_logeq(st->xr, st->Sc, NST_F, T, st->Ss, Ts);
    } else {
        as_rng r;
        as_rng_seed(&r, cfg->seed ^ 0x5eed0f5eedULL);
        for (size_t i = 0; i < nF; i++) st->xr[i] = (float)(cfg->init_scale * as_rng_normal(&r));
    }
    if (nseg == 1) memcpy(st->best, st->x, nL * sizeof(float));
    *out = st;
    return AS_OK;
fail:
    free(X);
    as_style_destroy(st);
    if (rc == AS_ERR_NOMEM) return as__fail(err, rc, "style transfer", "out of memory (needs about %.0f MB)", mb);
    if (at_engine)
        return as__fail(err, rc, "style transfer", "cannot set up the %s engine: %s",
                        precision_name(nn_nst_resolve_precision(sh.precision)), as_strerror(rc));
    return as__fail(err, rc, "style transfer", "cannot compute the spectrograms: %s", as_strerror(rc));
}

void as_style_destroy(as_style *st)
{
    if (!st) return;
    as_stft_destroy(st->stft);
    nn_nst_destroy(st->net);
    style_extras_destroy(&st->ex);
    if (st->Scs != st->Sc) free(st->Scs);
    if (st->xr != st->x) free(st->xr);
    if (st->mag != st->grad) free(st->mag);
    free(st->seg_start);
    free(st->Sc);
    free(st->Ss);
    free(st->phase);
    free(st->x);
    free(st->best);
    free(st->grad);
    free(st->m);
    free(st->v);
    free(st->audio);
    nn_lbfgs_destroy(&st->lb);
    free(st->ck_path);
    free(st->ck_settings);
    free(st->rs_buf);
    free(st);
}


/* ---- optimisation --------------------------------------------------------------------------- */

/* One evaluation at st->x; keeps the best point. Returns the total loss. */
static double evaluate(as_style *st)
{
    double lc, ls, t0 = now_s();
    as_status rc = nn_nst_eval(st->net, st->x, st->grad, &lc, &ls);
    if (rc == AS_OK) rc = style_extras_eval(&st->ex, st->x, st->grad, &lc, &ls);
    st->stats.evaluation_seconds += now_s() - t0;
    if (rc != AS_OK) { /* never a best point; the optimiser is stopped by the caller */
        st->engine_rc = rc;
        return INFINITY;
    }
    double f = lc + ls;
    st->evals++;
    st->cur_lc = lc;
    st->cur_ls = ls;
    if (st->evals == 1) {
        st->stats.initial_content_loss = lc;
        st->stats.initial_style_loss = ls;
    }
    if (f < st->best_f) {
        st->best_f = f;
        st->best_lc = lc;
        st->best_ls = ls;
        memcpy(st->best, st->x, (size_t)st->n * sizeof(float));
    }
    return f;
}

static int report(as_style *st)
{
    if (!st->fn) return 0;
    as_style_progress p = {.stage = AS_STYLE_STAGE_OPTIMIZE,
                           .iteration = st->seg * st->iter_budget + st->iters,
                           .iterations = st->nseg * st->iter_budget, .evaluations = st->evals,
                           .content_loss = st->cur_lc, .style_loss = st->cur_ls,
                           .seconds = now_s() - st->t0, .eta_seconds = -1};
    if (p.iteration > 0) p.eta_seconds = p.seconds / p.iteration * AS_MAX(p.iterations - p.iteration, 0);
    return st->fn(&p, st->user) != 0;
}

/* ---- checkpoints ------------------------------------------------------------------------------ */

static const char *const STOP_NAMES[] = {
    "not run", "iterations", "converged (gradient)", "converged (relative decrease)",
    "converged (stop decrease)", "line search", "patience", "cancelled", "engine error", "checkpoint error"};
#define N_STOP_NAMES ((int)(sizeof STOP_NAMES / sizeof STOP_NAMES[0]))

static int stop_index(const char *s)
{
    for (int i = 0; s && i < N_STOP_NAMES; i++)
        if (strcmp(s, STOP_NAMES[i]) == 0) return i;
    return 0;
}

/* The configuration a checkpoint must match, one "field value" a line: every as_style_config
 * field that changes the result (all but max_memory_mb), with iterations and precision resolved. */
static size_t config_text(const as_style *st, char *out, size_t len)
{
    const as_style_config *c = &st->cfg;
    int k = snprintf(out, len,
                     "filters %d\nkernel_width %d\npadding %d\ngram_divisor %d\ncontent_weight %.17g\n"
                     "style_weight %.17g\ninit %d\ninit_scale %.17g\noptimizer %d\niterations %d\n"
                     "lbfgs_memory %d\nlearning_rate %.17g\npatience %d\ngriffin_lim_iterations %d\n"
                     "phase %d\nseed %llu\nthreads %d\nlevel %d\nstop_decrease %.17g\n"
                     "segment_seconds %.17g\nprecision %s\nsamples %lld\n",
                     c->filters, c->kernel_width, c->padding, c->gram_divisor, c->content_weight,
                     c->style_weight, c->init, c->init_scale, c->optimizer, iterations_of(c),
                     c->lbfgs_memory, c->learning_rate, c->patience, c->griffin_lim_iterations, c->phase,
                     (unsigned long long)c->seed, c->threads, c->level, c->stop_decrease,
                     c->segment_seconds, precision_name(st->net->precision), (long long)st->n_content);
    if (k < 0 || (size_t)k >= len) return k < 0 ? 0 : len - 1;
    /* the tonal-style terms (docs/notes-tonal.md) */
    int k2 = snprintf(out + k, len - (size_t)k,
                      "loss_norm %d\nfeature_mean_weight %.17g\nenvelope_weight %.17g\nspread_weight %.17g\n"
                      "temporal_weight %.17g\nflatness_weight %.17g\nenvelope_floor %.17g\n"
                      "floor_quantile %.17g\nrender_eq %.17g\nbranch %d\nbranch_filters %d\n"
                      "branch_kernel_width %d\nbranch_bands %d\nbranch_weight %.17g\n"
                      "render_match %.17g\nrender_match_below %.17g\n",
                      c->loss_norm, c->feature_mean_weight, c->envelope_weight, c->spread_weight,
                      c->temporal_weight, c->flatness_weight, c->envelope_floor, c->floor_quantile,
                      c->render_eq, c->branch, c->branch_filters, c->branch_kernel_width, c->branch_bands,
                      c->branch_weight, c->render_match, c->render_match_below);
    if (k2 < 0) return (size_t)k;
    k += k2;
    return (size_t)k < len ? (size_t)k : len - 1;
}

static as_status ck_write(as_style *st, int stage)
{
    char conf[4096];
    style_ckpt c;
    memset(&c, 0, sizeof c);
    c.optimizer = st->cfg.optimizer;
    c.stage = stage;
    c.n = st->n;
    c.T = st->T;
    c.nseg = st->nseg;
    c.m = st->cfg.lbfgs_memory;
    c.settings = st->ck_settings;
    c.settings_len = (uint32_t)strlen(st->ck_settings);
    c.config = conf;
    c.config_len = (uint32_t)config_text(st, conf, sizeof conf);
    c.content_hash = st->content_hash;
    c.style_hash = st->style_hash;
    int64_t *I = c.i;
    double *R = c.r;
    I[CKI_SEG] = st->seg;
    I[CKI_EVALS] = st->evals;
    I[CKI_ITERS] = st->iters;
    I[CKI_EVALS_AT_ITER] = st->evals_at_iter;
    I[CKI_ITERS_SUM] = st->iters_sum;
    I[CKI_ALL_BEST] = st->all_best;
    I[CKI_STOP_REASON] = stop_index(st->stats.stop_reason);
    I[CKI_STOP_BEFORE] = stop_index(st->stop_before);
    I[CKI_RESTART] = st->lb_restart;
    I[CKI_IT0] = st->lb_it0;
    I[CKI_LB_K] = st->lb.k;
    I[CKI_LB_END] = st->lb.end;
    I[CKI_ADAM_T] = st->adam.t;
    I[CKI_SINCE_BEST] = st->since_best;
    R[CKR_LC_SUM] = st->lc_sum;
    R[CKR_LS_SUM] = st->ls_sum;
    R[CKR_BEST_F] = st->best_f;
    R[CKR_BEST_LC] = st->best_lc;
    R[CKR_BEST_LS] = st->best_ls;
    R[CKR_CUR_LC] = st->cur_lc;
    R[CKR_CUR_LS] = st->cur_ls;
    R[CKR_F0] = st->lb_f0;
    R[CKR_LB_F] = st->lb.f;
    R[CKR_LB_PF] = st->lb.pf ? st->lb.pf[0] : 0;
    R[CKR_INIT_LC] = st->stats.initial_content_loss;
    R[CKR_INIT_LS] = st->stats.initial_style_loss;
    R[CKR_EVAL_S] = st->stats.evaluation_seconds;
    R[CKR_TARGETS_S] = st->stats.targets_seconds;
    R[CKR_OPTIMIZE_S] = st->stats.optimize_seconds + (now_s() - st->t0_run);
    for (int k = 0; k <= STOP_WINDOW; k++) R[CKR_PAST + k] = st->past[k];
    c.best = st->best;
    c.xr = st->xr;
    c.ax = st->x;
    c.am = st->m;
    c.av = st->v;
    c.lx = st->lb.x;
    c.lg = st->lb.g;
    c.lys = st->lb.ys;
    c.ls = st->lb.s;
    c.ly = st->lb.y;
    as_status rc = style_ckpt_write(st->ck_path, &c, &st->ck_err);
    st->ck_last = now_s();
    if (rc == AS_OK) st->ck_written++;
    return rc;
}

/* At the end of an iteration: a checkpoint at the first, then whenever the next one would end
 * more than ck_every seconds after the last write (the last iteration's duration predicts it),
 * so that a kill loses at most about ck_every seconds of work. Only the moment of writing
 * depends on the clock, never the computation. Non-zero: the write failed (st->ck_rc). */
static int ck_maybe(as_style *st)
{
    if (!st->ck_path) return 0;
    double t = now_s(), iter_s = st->ck_iter_end > 0 ? t - st->ck_iter_end : 0;
    st->ck_iter_end = t;
    if (st->ck_written > 0 && t - st->ck_last + iter_s < st->ck_every) return 0;
    st->ck_rc = ck_write(st, STYLE_CKPT_OPTIMIZING);
    st->ck_iter_end = now_s(); /* the write is not the next iteration's time */
    return st->ck_rc != AS_OK;
}

as_status as_style_set_checkpoint(as_style *st, const char *path, double every_seconds, const char *settings)
{
    if (!st || !(every_seconds >= 0) || (path && !*path)) return AS_ERR_ARG;
    free(st->ck_path);
    free(st->ck_settings);
    st->ck_path = st->ck_settings = NULL;
    if (!path) return AS_OK;
    st->ck_path = strdup(path);
    st->ck_settings = strdup(settings ? settings : "");
    if (!st->ck_path || !st->ck_settings) {
        free(st->ck_path);
        free(st->ck_settings);
        st->ck_path = st->ck_settings = NULL;
        return AS_ERR_NOMEM;
    }
    st->ck_every = every_seconds;
    st->ck_written = 0;
    st->ck_iter_end = 0;
    return AS_OK;
}

void as_style_checkpoint_error(const as_style *st, as_error *err)
{
    if (st && err) *err = st->ck_err;
}

#define CK_MAX_BYTES ((size_t)64 << 30)

as_status as_style_resume(as_style *st, const char *path, const char *settings, as_error *err)
{
    if (!st || !path) return as__fail(err, AS_ERR_ARG, path ? path : "checkpoint", "no job or path");
    char *buf = NULL;
    size_t len = 0;
    as_status rc = as_read_file(path, CK_MAX_BYTES, &buf, &len, err);
    if (rc != AS_OK) return rc;
    style_ckpt c;
    rc = style_ckpt_parse(buf, len, path, &c, err);
    if (rc != AS_OK) {
        free(buf);
        return rc;
    }
    char conf[4096], what[640];
    size_t cl = config_text(st, conf, sizeof conf);
    const char *now = settings ? settings : "";
    if (style_settings_diff(c.settings, c.settings_len, now, strlen(now), what, sizeof what)) {
        rc = as__fail(err, AS_ERR_SCHEMA, path, "made with other settings: %s", what);
    } else if (style_settings_diff(c.config, c.config_len, conf, cl, what, sizeof what)) {
        rc = as__fail(err, AS_ERR_SCHEMA, path, "made with another configuration: %s", what);
    } else if (c.content_hash != st->content_hash) {
        rc = as__fail(err, AS_ERR_SCHEMA, path, "made from another content (its spectrogram differs)");
    } else if (c.style_hash != st->style_hash) {
        rc = as__fail(err, AS_ERR_SCHEMA, path, "made from another style (its spectrogram differs)");
    } else if (c.optimizer != st->cfg.optimizer || c.n != st->n || c.T != st->T || c.nseg != st->nseg ||
               c.m != st->cfg.lbfgs_memory) {
        rc = as__fail(err, AS_ERR_SCHEMA, path, "made for a job of another shape");
    } else if (c.i[CKI_STOP_REASON] >= N_STOP_NAMES || c.i[CKI_STOP_BEFORE] >= N_STOP_NAMES ||
               c.i[CKI_LB_K] > 0x7fffffff || c.i[CKI_ITERS] > 0x7fffffff || c.i[CKI_EVALS] > 0x7fffffff ||
               c.i[CKI_ITERS_SUM] > 0x7fffffff || c.i[CKI_RESTART] > 5) {
        rc = as__fail(err, AS_ERR_FORMAT, path, "counters out of range");
    }
    if (rc != AS_OK) {
        free(buf);
        if (rc == AS_ERR_SCHEMA) as__hint(err, "resume with the same inputs and options, or delete the checkpoint to start afresh");
        return rc;
    }
    free(st->rs_buf);
    st->rs_buf = buf;
    st->rs_len = len;
    st->rs = c;
    return AS_OK;
}

/* The totals of a loaded checkpoint (as_style_optimize's, before its segment loop). */
static void rs_totals(as_style *st)
{
    const int64_t *I = st->rs.i;
    const double *R = st->rs.r;
    st->evals = (int)I[CKI_EVALS];
    st->iters_sum = (int)I[CKI_ITERS_SUM];
    st->all_best = (int)I[CKI_ALL_BEST];
    st->stats.stop_reason = STOP_NAMES[I[CKI_STOP_REASON]];
    st->lc_sum = R[CKR_LC_SUM];
    st->ls_sum = R[CKR_LS_SUM];
    st->stats.initial_content_loss = R[CKR_INIT_LC];
    st->stats.initial_style_loss = R[CKR_INIT_LS];
    st->stats.evaluation_seconds = R[CKR_EVAL_S];
    st->stats.targets_seconds = R[CKR_TARGETS_S];
    st->stats.optimize_seconds = R[CKR_OPTIMIZE_S];
    if (st->rs.xr) memcpy(st->xr, st->rs.xr, sizeof(float) * (size_t)NST_F * (size_t)st->T);
}

/* The state of the segment a loaded checkpoint stopped in. */
static void rs_segment(as_style *st)
{
    const int64_t *I = st->rs.i;
    const double *R = st->rs.r;
    st->iters = (int)I[CKI_ITERS];
    st->evals_at_iter = (int)I[CKI_EVALS_AT_ITER];
    st->stop_before = STOP_NAMES[I[CKI_STOP_BEFORE]];
    st->best_f = R[CKR_BEST_F];
    st->best_lc = R[CKR_BEST_LC];
    st->best_ls = R[CKR_BEST_LS];
    st->cur_lc = R[CKR_CUR_LC];
    st->cur_ls = R[CKR_CUR_LS];
    for (int k = 0; k <= STOP_WINDOW; k++) st->past[k] = R[CKR_PAST + k];
    memcpy(st->best, st->rs.best, sizeof(float) * (size_t)st->n);
}

static void rs_release(as_style *st)
{
    free(st->rs_buf);
    st->rs_buf = NULL;
    st->rs_len = 0;
    memset(&st->rs, 0, sizeof st->rs);
}

static double lb_evaluate(void *inst, const double *x, double *g, int64_t n, int *stop)
{
    as_style *st = inst;
    /* Cancelled inside a line search (or the engine failed): the search ends at once; the best
     * point is restored afterwards. */
    if (st->cancelled || st->engine_rc) {
        *stop = 1;
        return INFINITY;
    }
    for (int64_t i = 0; i < n; i++) st->x[i] = (float)x[i];
    double f = evaluate(st);
    if (st->engine_rc) {
        *stop = 1;
        return INFINITY;
    }
    for (int64_t i = 0; i < n; i++) g[i] = st->grad[i];
    /* a long line search reports too, so that a cancel is honoured within one evaluation */
    if (st->evals - st->evals_at_iter >= 2 && report(st)) st->cancelled = 1;
    return f;
}

static int lb_iteration(void *inst, const nn_lbfgs *lb, int ls)
{
    as_style *st = inst;
    (void)ls;
    st->iters++;
    st->evals_at_iter = st->evals;
    if (st->engine_rc) return 1;
    if (st->cancelled || report(st)) {
        st->cancelled = 1;
        return 1;
    }
    /* L-BFGS-B's projected-gradient test, pgtol 1e-5 (no bounds here: max |g|) */
    double gmax = 0;
    for (int64_t i = 0; i < lb->n; i++) gmax = fmax(gmax, fabs(lb->g[i]));
    if (gmax <= 1e-5) {
        st->converged = 1;
        return 1;
    }
    /* cfg.stop_decrease: the loss fell by less than that fraction over STOP_WINDOW iterations */
    st->past[st->iters % (STOP_WINDOW + 1)] = st->best_f;
    if (st->cfg.stop_decrease > 0 && st->iters > STOP_WINDOW) {
        double before = st->past[(st->iters - STOP_WINDOW) % (STOP_WINDOW + 1)];
        if (before - st->best_f < st->cfg.stop_decrease * fabs(st->best_f)) {
            st->stalled = 1;
            return 1;
        }
    }
    return st->iters >= st->iter_budget;
}

static int lb_save(void *inst, const nn_lbfgs *lb)
{
    (void)lb;
    return ck_maybe(inst);
}

static as_status run_lbfgs(as_style *st)
{
    nn_lbfgs *lb = &st->lb;
    int64_t n = st->n;
    if (!lb->block) { /* after the targets: a bf16 engine has released its fp32 weights by now */
        nn_lbfgs_param p;
        nn_lbfgs_param_init(&p);
        p.m = st->cfg.lbfgs_memory;
        p.past = 1; /* L-BFGS-B's factr 1e7 test on the relative decrease */
        p.delta = 1e7 * DBL_EPSILON;
        p.max_linesearch = 20;
        p.ftol = 1e-3;
        p.gtol = 0.9;
        if (nn_lbfgs_create(lb, n, &p) != AS_OK) return AS_ERR_NOMEM;
    }
    int cont = st->rs_buf != NULL;
    if (cont) { /* a loaded checkpoint: the state at the end of its last iteration */
        const style_ckpt *c = &st->rs;
        size_t nb = sizeof(double) * (size_t)n, mb = sizeof(double) * (size_t)lb->p.m;
        memcpy(lb->x, c->lx, nb);
        memcpy(lb->g, c->lg, nb);
        memcpy(lb->ys, c->lys, mb);
        memcpy(lb->s, c->ls, nb * (size_t)lb->p.m);
        memcpy(lb->y, c->ly, nb * (size_t)lb->p.m);
        lb->k = c->i[CKI_LB_K];
        lb->end = (int)c->i[CKI_LB_END];
        lb->f = c->r[CKR_LB_F];
        lb->pf[0] = c->r[CKR_LB_PF];
        st->lb_restart = (int)c->i[CKI_RESTART];
        st->lb_it0 = (int)c->i[CKI_IT0];
        st->lb_f0 = c->r[CKR_F0];
        rs_release(st);
    } else {
        for (int64_t i = 0; i < n; i++) lb->x[i] = st->x[i];
        st->lb_restart = 0;
    }
    as_status rc = AS_OK;
    /* A line-search failure (rounding errors near a minimum in float32) restarts from the best
     * point with a fresh history while iterations remain and the last leg made progress. */
    for (; st->lb_restart <= 5; st->lb_restart++) {
        int ret = 0;
        if (!cont) {
            st->lb_it0 = st->iters;
            st->lb_f0 = st->best_f;
            ret = nn_lbfgs_start(lb, lb_evaluate, st);
        }
        cont = 0;
        if (ret == 0) ret = nn_lbfgs_run(lb, lb_evaluate, lb_iteration, lb_save, st);
        if (st->ck_rc) {
            st->stats.stop_reason = "checkpoint error";
            rc = st->ck_rc;
            break;
        }
        if (st->engine_rc) {
            st->stats.stop_reason = "engine error";
            rc = st->engine_rc;
            break;
        }
        if (st->cancelled) {
            st->stats.stop_reason = "cancelled";
            rc = AS_ERR_CANCELLED;
            break;
        }
        if (st->converged) {
            st->stats.stop_reason = "converged (gradient)";
            break;
        }
        if (st->stalled) {
            st->stats.stop_reason = "converged (stop decrease)";
            break;
        }
        if (st->iters >= st->iter_budget) { /* lb_iteration stopped it: the budget is spent */
            st->stats.stop_reason = "iterations";
            break;
        }
        if (ret >= 0) { /* the relative-decrease test (or g == 0 at the start) */
            st->stats.stop_reason = "converged (relative decrease)";
            break;
        }
        as__log(AS_LOG_INFO, "style transfer: L-BFGS stopped (line search %d) after %d iterations", ret,
                st->iters);
        st->stats.stop_reason = "line search";
        if (st->iters >= st->iter_budget || st->iters == st->lb_it0 || !(st->best_f < st->lb_f0)) break;
        for (int64_t i = 0; i < n; i++) lb->x[i] = st->best[i];
    }
    return rc;
}

static as_status run_adam(as_style *st)
{
    if (st->rs_buf) { /* a loaded checkpoint: the point and moments after its last step */
        size_t nb = sizeof(float) * (size_t)st->n;
        memcpy(st->x, st->rs.ax, nb);
        memcpy(st->m, st->rs.am, nb);
        memcpy(st->v, st->rs.av, nb);
        st->adam = (nn_adam){.lr = st->cfg.learning_rate, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-7,
                             .t = st->rs.i[CKI_ADAM_T]};
        st->since_best = (int)st->rs.i[CKI_SINCE_BEST];
        rs_release(st);
    } else {
        st->adam = (nn_adam){.lr = st->cfg.learning_rate, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-7};
        st->since_best = 0;
    }
    st->stats.stop_reason = "iterations";
    while (st->iters < st->iter_budget) {
        double prev_best = st->best_f;
        evaluate(st);
        if (st->engine_rc) {
            st->stats.stop_reason = "engine error";
            return st->engine_rc;
        }
        st->since_best = st->best_f < prev_best ? 0 : st->since_best + 1;
        // ref: keras.callbacks.EarlyStopping(monitor='loss', patience=50, min_delta=0)
        if (st->cfg.patience > 0 && st->since_best >= st->cfg.patience) {
            st->stats.stop_reason = "patience";
            break;
        }
        nn_adam_step(&st->adam, st->x, st->grad, st->m, st->v, st->n);
        st->iters++;
        if (report(st)) {
            st->stats.stop_reason = "cancelled";
            return AS_ERR_CANCELLED;
        }
        if (ck_maybe(st)) {
            st->stats.stop_reason = "checkpoint error";
            return st->ck_rc;
        }
    }
    return AS_OK;
}


/* Writes the optimised segment i (st->best, (F, L)) into the result xr: where it overlaps the
 * previous segment, a linear cross-fade from what is there to the new values. */
static void put_segment(as_style *st, int i)
{
    int64_t T = st->T, L = st->L, s0 = st->seg_start[i];
    int64_t prev_end = i > 0 ? st->seg_start[i - 1] + L : s0; /* overlap: [s0, prev_end) */
    for (int k = 0; k < NST_F; k++) {
        const float *src = st->best + (size_t)k * L;
        float *dst = st->xr + (size_t)k * T + s0;
        for (int64_t t = 0; t < L; t++) {
            if (s0 + t < prev_end) {
                float w = (float)(((double)t + 0.5) / (double)(prev_end - s0));
                dst[t] = (1.0f - w) * dst[t] + w * src[t];
            } else {
                dst[t] = src[t];
            }
        }
    }
}

/* Copies frames [s0, s0 + L) of a (F, T) spectrogram into a (F, L) one. */
static void get_window(float *out, const float *in, int64_t T, int64_t s0, int64_t L)
{
    for (int k = 0; k < NST_F; k++)
        memcpy(out + (size_t)k * L, in + (size_t)k * T + s0, (size_t)L * sizeof(float));
}

as_status as_style_optimize(as_style *st, as_style_progress_fn fn, void *user)
{
    if (!st) return AS_ERR_ARG;
    if (st->cfg.threads > 0) nn_set_threads(st->cfg.threads);
    double t0 = now_s();
    int segmented = st->nseg > 1;
    st->fn = fn;
    st->user = user;
    st->t0 = st->t0_run = t0;
    st->iter_budget = iterations_of(&st->cfg);
    st->ck_rc = AS_OK;
    as_status rc = AS_OK;
    st->lc_sum = st->ls_sum = 0;
    st->all_best = 1;
    st->iters_sum = 0;
    st->stats.stop_reason = "iterations";
    int resuming = st->rs_buf != NULL, seg0 = 0;
    if (resuming) {
        rs_totals(st);
        st->t0 = t0 - st->stats.optimize_seconds; /* progress counts the earlier runs' time */
        if (st->rs.stage == STYLE_CKPT_OPTIMIZED) { /* straight to Griffin-Lim */
            st->seg = st->nseg;
            rs_release(st);
            goto finish;
        }
        seg0 = (int)st->rs.i[CKI_SEG];
    }
    for (st->seg = seg0; st->seg < st->nseg; st->seg++) {
        int cont = resuming && st->seg == seg0;
        if (segmented) {
            get_window(st->Scs, st->Sc, st->T, st->seg_start[st->seg], st->L);
            if (!cont) get_window(st->x, st->xr, st->T, st->seg_start[st->seg], st->L);
        }
        double ts = now_s();
        if (!st->targets_ready) {
            as_status trc = nn_nst_set_targets(st->net, st->Scs, st->Ss);
            if (trc == AS_OK) trc = style_extras_set_targets(&st->ex, st->Scs, st->Ss);
            if (trc != AS_OK) {
                st->stats.stop_reason = "engine error";
                rc = trc;
                break;
            }
            st->targets_ready = 1;
        } else if (segmented) {
            as_status trc = nn_nst_set_content(st->net, st->Scs);
            if (trc == AS_OK) trc = style_extras_set_content(&st->ex, st->Scs);
            if (trc != AS_OK) {
                st->stats.stop_reason = "engine error";
                rc = trc;
                break;
            }
        }
        st->stats.targets_seconds += now_s() - ts;
        st->cancelled = st->converged = st->stalled = 0;
        st->engine_rc = AS_OK;
        if (cont) {
            rs_segment(st);
        } else {
            st->best_f = INFINITY;
            st->iters = 0;
            st->evals_at_iter = st->evals;
            st->stop_before = st->stats.stop_reason;
            if (segmented && st->m) { /* Adam's moments start afresh in each segment */
                memset(st->m, 0, (size_t)st->n * sizeof(float));
                memset(st->v, 0, (size_t)st->n * sizeof(float));
            }
        }
        if (st->iter_budget > 0)
            rc = st->cfg.optimizer == AS_STYLE_ADAM ? run_adam(st) : run_lbfgs(st);
        /* a segment that ran its budget says nothing new; a different reason is kept */
        if (segmented && strcmp(st->stats.stop_reason, "iterations") == 0) st->stats.stop_reason = st->stop_before;
        if (st->best_f < INFINITY) {
            if (segmented) put_segment(st, st->seg);
            else memcpy(st->x, st->best, (size_t)st->n * sizeof(float));
            st->lc_sum += st->best_lc;
            st->ls_sum += st->best_ls;
        } else {
            st->all_best = 0;
        }
        st->iters_sum += st->iters;
        if (rc != AS_OK) break;
    }
finish:
    if (st->seg >= st->nseg) st->seg = st->nseg - 1;
    rs_release(st);
    st->rendered = 0;
    st->stats.segments = st->nseg;
    st->stats.iterations = st->iters_sum;
    st->stats.evaluations = st->evals;
    st->stats.optimize_seconds += now_s() - t0;
    st->stats.seconds_per_evaluation = st->evals > 0 ? st->stats.evaluation_seconds / st->evals : 0;
    st->stats.content_loss = st->all_best ? st->lc_sum : NAN;
    st->stats.style_loss = st->all_best ? st->ls_sum : NAN;
    if (rc == AS_OK && st->ck_path) { /* the final spectrogram: a resume goes to Griffin-Lim */
        st->t0_run = now_s();
        rc = st->ck_rc = ck_write(st, STYLE_CKPT_OPTIMIZED);
    }
    st->fn = NULL;
    st->user = NULL;
    return rc;
}


/* ---- Griffin-Lim ----------------------------------------------------------------------------- */

typedef struct gl_ctx {
    as_style *st;
    as_style_progress_fn fn;
    void *user;
    double t0;
} gl_ctx;

static int gl_progress(void *user, int iter, int n_iter)
{
    gl_ctx *c = user;
    as_style_progress p = {.stage = AS_STYLE_STAGE_GRIFFIN_LIM, .iteration = iter,
                           .iterations = n_iter, .evaluations = c->st->evals,
                           .content_loss = c->st->stats.content_loss,
                           .style_loss = c->st->stats.style_loss, .seconds = now_s() - c->t0,
                           .eta_seconds = -1};
    if (iter > 0) p.eta_seconds = p.seconds / iter * AS_MAX(n_iter - iter, 0);
    return c->fn(&p, c->user);
}

/* cfg.level: the content's (or style's) RMS level, peak-limited to -1 dBFS; AS_STYLE_LEVEL_NONE
 * leaves Griffin-Lim's output as it is (the notebook's). */
static as_status apply_level(as_style *st)
{
    st->stats.level_gain_db = 0;
    if (st->cfg.level == AS_STYLE_LEVEL_NONE) return AS_OK;
    double want = st->rms[st->cfg.level == AS_STYLE_LEVEL_STYLE];
    return as_audio_match_level(st->audio, st->n_content, want, -1.0, &st->stats.level_gain_db);
}

as_status as_style_render(as_style *st, as_style_progress_fn fn, void *user)
{
    if (!st) return AS_ERR_ARG;
    double t0 = now_s();
    float *a = st->mag; /* (F, T) free after the optimisation */
    for (int64_t i = 0; i < (int64_t)NST_F * st->T; i++) {
        float v = expm1f(st->xr[i]); // ref: a = np.exp(x) - 1 (clipped: magnitudes are >= 0)
        a[i] = v > 0 ? v : 0.0f;
    }
    if (st->cfg.render_eq > 0) /* the matching EQ (extras.c) */
        style_extras_eq(st->cfg.render_eq, a, NST_F, st->T, st->Ss, st->Ts);
    if (st->cfg.floor_quantile > 0) { /* the excess noise floor off (extras.c) */
        as_status frc = style_extras_floor(st->cfg.floor_quantile, a, NST_F, st->T, st->Ss, st->Ts);
        if (frc != AS_OK) return frc;
    }
    gl_ctx ctx = {st, fn, user, t0};
    as_gl_opts o = {0};
    o.n_iter = st->cfg.griffin_lim_iterations;
    o.momentum = AS_GL_MOMENTUM;
    o.init = st->cfg.phase == AS_STYLE_PHASE_CONTENT ? AS_GL_INIT_PHASE : AS_GL_INIT_RANDOM;
    o.seed = st->cfg.seed;
    o.phase = st->phase;
    o.length = st->n_content;
    o.threads = st->cfg.threads;
    if (fn) {
        o.progress = gl_progress;
        o.user = &ctx;
    }
    double sc = NAN;
    st->rendered = 0;
    as_status rc = as_griffinlim(st->stft, a, st->T, &o, st->audio, &sc);
    st->stats.griffin_lim_seconds = now_s() - t0;
    if (rc != AS_OK) return rc;
    st->stats.spectral_convergence = sc;
    if (st->stats.render_match > 0) { /* each bin's distribution onto the style's (extras.c) */
        rc = style_render_match(st->stats.render_match, st->stft, st->audio, st->n_content, st->Ss, st->Ts);
        if (rc != AS_OK) return rc;
    }
    rc = apply_level(st);
    if (rc != AS_OK) return rc;
    st->rendered = 1;
    return AS_OK;
}

as_status as_style_run(as_style *st, as_style_progress_fn fn, void *user)
{
    as_status rc = as_style_optimize(st, fn, user);
    if (rc != AS_OK) return rc;
    return as_style_render(st, fn, user);
}

int64_t as_style_frames(const as_style *st, int which)
{
    if (!st) return 0;
    return which == AS_STYLE_STYLE ? st->Ts : st->T;
}

as_status as_style_get_spectrogram(const as_style *st, int which, float *out)
{
    if (!st || !out || which < AS_STYLE_CONTENT || which > AS_STYLE_RESULT) return AS_ERR_ARG;
    const float *src = which == AS_STYLE_CONTENT ? st->Sc : which == AS_STYLE_STYLE ? st->Ss : st->xr;
    int64_t n = (int64_t)NST_F * (which == AS_STYLE_STYLE ? st->Ts : st->T);
    for (int64_t i = 0; i < n; i++) {
        float v = expm1f(src[i]);
        out[i] = v > 0 ? v : 0.0f;
    }
    return AS_OK;
}

as_status as_style_get_audio(const as_style *st, const float **y, int64_t *n)
{
    if (!st || !y || !n || !st->rendered) return AS_ERR_ARG;
    *y = st->audio;
    *n = st->n_content;
    return AS_OK;
}

void as_style_get_stats(const as_style *st, as_style_stats *out)
{
    if (!st || !out) return;
    *out = st->stats;
}
