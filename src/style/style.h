/* style.h — what the style transfer exposes to its tests (not exported). */
#ifndef AS_STYLE_H
#define AS_STYLE_H

#include "core/internal.h"

/* The segments a T-frame content is optimised in under cfg->segment_seconds: *nseg segments of
 * *L frames, consecutive ones sharing at least 32 frames (cross-faded), the last ending at T;
 * their first frames in starts (nseg,) when not NULL. (1, T) when whole. */
void style_plan_segments(const as_style_config *cfg, int64_t T, int64_t *L, int *nseg, int64_t *starts);

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
