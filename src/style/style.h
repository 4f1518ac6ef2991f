/* style.h — what the style transfer exposes to its tests (not exported). */
#ifndef AS_STYLE_H
#define AS_STYLE_H

#include "core/internal.h"

/* The segments a T-frame content is optimised in under cfg->segment_seconds: *nseg segments of
 * *L frames, consecutive ones sharing at least 32 frames (cross-faded), the last ending at T;
 * their first frames in starts (nseg,) when not NULL. (1, T) when whole. */
void style_plan_segments(const as_style_config *cfg, int64_t T, int64_t *L, int *nseg, int64_t *starts);

/* ---- checkpoint.c: the checkpoint file (docs/checkpoint-format.md) ---------------------------- */

#define STYLE_CKPT_VERSION 1
#define STYLE_CKPT_F 1025        /* frequency bins */
#define STYLE_CKPT_WINDOW 10     /* the stop-decrease ring holds WINDOW + 1 losses */
enum { STYLE_CKPT_OPTIMIZING = 0, STYLE_CKPT_OPTIMIZED = 1 };

/* Every integer and real of a checkpoint, in file order (STYLE_CKPT_NI int64, STYLE_CKPT_NR
 * double); the names are those of docs/checkpoint-format.md. */
enum {
    CKI_SEG, CKI_EVALS, CKI_ITERS, CKI_EVALS_AT_ITER, CKI_ITERS_SUM, CKI_ALL_BEST, CKI_STOP_REASON,
    CKI_STOP_BEFORE, CKI_RESTART, CKI_IT0, CKI_LB_K, CKI_LB_END, CKI_ADAM_T, CKI_SINCE_BEST,
    STYLE_CKPT_NI
};
enum {
    CKR_LC_SUM, CKR_LS_SUM, CKR_BEST_F, CKR_BEST_LC, CKR_BEST_LS, CKR_CUR_LC, CKR_CUR_LS, CKR_F0,
    CKR_LB_F, CKR_LB_PF, CKR_INIT_LC, CKR_INIT_LS, CKR_EVAL_S, CKR_TARGETS_S, CKR_OPTIMIZE_S,
    CKR_PAST, /* STYLE_CKPT_WINDOW + 1 values */
    STYLE_CKPT_NR = CKR_PAST + STYLE_CKPT_WINDOW + 1
};

/* A checkpoint in memory. Saving: the arrays point at the job's buffers. Parsing: they point
 * into the file's bytes (little-endian, possibly unaligned: read them with memcpy), and the
 * texts are not NUL-terminated. Which arrays are present follows from stage, optimizer, nseg. */
typedef struct style_ckpt {
    int optimizer;              /* AS_STYLE_LBFGS or AS_STYLE_ADAM */
    int stage;                  /* STYLE_CKPT_OPTIMIZING or _OPTIMIZED (go to Griffin-Lim) */
    int64_t n, T;               /* variables of a segment (F L), frames of the content */
    int nseg, m;                /* segments; L-BFGS history pairs */
    const char *settings;       /* the caller's "key value" lines (the options, the inputs) */
    uint32_t settings_len;
    const char *config;         /* the library's as_style_config, one "field value" a line */
    uint32_t config_len;
    uint64_t content_hash, style_hash; /* FNV-1a 64 of the spectrograms' float32 bytes */
    int64_t i[STYLE_CKPT_NI];
    double r[STYLE_CKPT_NR];
    const void *best;           /* (n,) f32: the best point of the current segment (stage 0) */
    const void *xr;             /* (F, T) f32: the result so far (nseg > 1 or stage 1) */
    const void *ax, *am, *av;   /* (n,) f32 each: Adam's point and moments (stage 0, Adam) */
    const void *lx, *lg;        /* (n,) f64 each: L-BFGS's point and gradient (stage 0, L-BFGS) */
    const void *lys;            /* (m,) f64: s'y of each history slot */
    const void *ls, *ly;        /* (m, n) f64 each: the history pairs */
} style_ckpt;

/* Writes c to path atomically (a temporary file beside it, fsync, rename, fsync of the folder). */
as_status style_ckpt_write(const char *path, const style_ckpt *c, as_error *err);
/* Parses a checkpoint from buf (len bytes; name for messages): every size is checked against its
 * bound and the bytes left, the CRC last. AS_ERR_FORMAT (naming the field), AS_ERR_UNSUPPORTED
 * (another version). The views in c point into buf. */
as_status style_ckpt_parse(const void *buf, size_t len, const char *name, style_ckpt *c, as_error *err);
/* Bytes of the file c describes. */
uint64_t style_ckpt_bytes(const style_ckpt *c);
/* FNV-1a 64 of len bytes. */
uint64_t style_hash64(const void *buf, size_t len);
/* The first difference between two "key value" line lists, as "KEY OLD (now NEW)" into out;
 * 0 when they hold the same lines. */
int style_settings_diff(const char *old, size_t old_len, const char *now, size_t now_len, char *out,
                        size_t out_len);

/* The tonal-style extras beside the main layer (src/style/extras.c, docs/notes-tonal.md): the
 * spectral-statistics terms and the parallel branch, built from cfg for L-frame segments and a
 * Ts-frame style. */
struct nn_stats;
struct nn_branch;
typedef struct style_extras {
    struct nn_stats *stats;   /* NULL when every statistics weight is 0 */
    struct nn_branch *branch; /* NULL when cfg->branch is none */
} style_extras;
/* The render's floor matching (cfg->floor_quantile q > 0): mag (bins, T) magnitudes of the
 * result, Ss (bins, Ts) the style's log1p magnitudes. Allocates its scratch. */
as_status style_extras_floor(double q, float *mag, int bins, int64_t T, const float *Ss, int64_t Ts);
/* The render's matching EQ (cfg->render_eq r > 0): each bin k of mag (bins, T) times
 * exp(min(r (mean_t log(1e-5 + ms[k, t]) - mean_t log(1e-5 + mag[k, t])), 0)), ms = expm1(Ss)
 * (bins, Ts): a cut, never a boost. */
void style_extras_eq(double r, float *mag, int bins, int64_t T, const float *Ss, int64_t Ts);
/* x0 (bins, T) = log1p(g[k] expm1(Sc)), g[k] = exp(mean_t log(1e-5 + expm1(Ss[k, :])) -
 * mean_t log(1e-5 + expm1(Sc[k, :]))): the content, each bin's long-term log spectrum moved onto
 * the style's (AS_STYLE_INIT_CONTENT_LOGEQ). */
void style_init_logeq(float *x0, const float *Sc, int bins, int64_t T, const float *Ss, int64_t Ts);
/* The render's histogram matching (cfg->render_match mix > 0; Heeger & Bergen 1995, per STFT
 * bin): gain (T,) for one bin's magnitudes r (T,) so that r[t] gain[t] is, at r[t]'s rank i among
 * the T values (ties in time order), the style's quantile (i + 0.5) / T of its sorted magnitudes
 * ss (Ts,) ascending (linear between order statistics, clamped at the ends), to the power mix in
 * the log: gain = ((v + 1e-9) / (r + 1e-9))^mix. cells: style_match_scratch_bytes(T). */
typedef struct match_cell_scratch match_cell_scratch;
size_t style_match_scratch_bytes(int64_t T);
void style_match_gains(double mix, const float *r, int64_t T, const float *ss, int64_t Ts,
                       match_cell_scratch *cells, float *gain);
/* y (n,) in place: stft (centred, reflect), every bin k's magnitudes matched to the style's
 * expm1(Ss[k, :]) (Ss (bins, Ts) log1p magnitudes) by style_match_gains, the result's own phase
 * kept, istft to n samples. Allocates an (F, T, 2) STFT and its scratch. */
as_status style_render_match(double mix, const as_stft *s, float *y, int64_t n, const float *Ss,
                             int64_t Ts);
/* The mean spectral flatness of X (F, T, 2), an STFT, as as_style_flatness (the metrics'). */
double style_flatness_of_stft(const float *X, int F, int64_t T);
/* The q-quantile (0..1, linear between order statistics) of v (n), which is sorted in place. */
double style_quantile(float *v, int64_t n, double q);
const char *style_extras_check(const as_style_config *cfg); /* NULL or what is wrong */
double style_extras_bytes(const as_style_config *cfg, int bins, int64_t L, int64_t Ts);
double style_extras_flops(const as_style_config *cfg, int bins, int64_t L, int64_t Ts);
as_status style_extras_create(style_extras *e, const as_style_config *cfg, int bins, int64_t L,
                              int64_t Ts);
void style_extras_destroy(style_extras *e);
as_status style_extras_set_targets(style_extras *e, const float *c, const float *s);
as_status style_extras_set_content(style_extras *e, const float *c);
/* Adds the extras' losses to *content and *style and their gradient to grad (bins, L). */
as_status style_extras_eval(style_extras *e, const float *x, float *grad, double *content, double *style);

#endif
