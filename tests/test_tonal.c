/* test_tonal.c — the tonal-style additions to the loss (docs/notes-tonal.md): the target
 * normalisation and feature-mean term of nst.c, the spectral-statistics terms (stats.c) and the
 * parallel branch (branch.c). Each: the double twin against central finite differences of itself,
 * the fast float path against the twin, and numbers from an independent numpy implementation
 * (tests/ref/tonal, made by tests/ref/tonal/gen_tonal.py). */
#include "harness.h"
#include "nn/engine.h"
#include "nn/nn.h"
#include "style/style.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static void fill_normal(float *x, int64_t n, uint64_t seed, double scale, double shift)
{
    as_rng r;
    as_rng_seed(&r, seed);
    for (int64_t i = 0; i < n; i++) x[i] = (float)(shift + scale * as_rng_normal(&r));
}

/* worst |fd - g| / max|g| over every coordinate, central differences of f at x (n) */
typedef double (*loss_fn)(const double *x, void *u);
static double fd_worst(loss_fn f, void *u, double *x, const double *g, int n, double h)
{
    double gmax = 0, worst = 0;
    for (int i = 0; i < n; i++) gmax = fmax(gmax, fabs(g[i]));
    for (int i = 0; i < n; i++) {
        double xi = x[i];
        x[i] = xi + h;
        double lp = f(x, u);
        x[i] = xi - h;
        double lm = f(x, u);
        x[i] = xi;
        worst = fmax(worst, fabs((lp - lm) / (2 * h) - g[i]) / gmax);
    }
    return worst;
}

/* ---- nst.c: normalisation and feature means --------------------------------------------------- */

typedef struct { nn_nst_shape sh; const double *W, *c, *s; } nst_ctx;
static double nst_loss(const double *x, void *u)
{
    nst_ctx *k = u;
    double a, b;
    nn_nst_eval_naive(&k->sh, k->W, x, k->c, k->s, NULL, &a, &b);
    return a + b;
}

TEST(tonal_nst_norm_and_means_match_twin_and_differences)
{
    enum { C = 13, N = 9, K = 3, T = 8, TS = 19 };
    for (int padding = 0; padding < 2; padding++)
        for (int mode = NN_STYLE_EXACT; mode <= NN_STYLE_GRAM; mode++) {
            nn_nst_shape sh = {.precision = NN_PRECISION_FP32, .C = C, .N = N, .K = K, .padding = padding, .T = T, .Ts = TS,
                               .div_x = T, .div_s = TS, .alpha = 0.3, .beta = 0.7,
                               .style_mode = mode, .norm = NN_NORM_TARGET, .mean_w = 0.5};
            float Wf[N * C * K], xf[C * T], cf[C * T], sf[C * TS], gf[C * T];
            double W[N * C * K], x[C * T], c[C * T], s[C * TS], g[C * T];
            fill_normal(Wf, N * C * K, 21 + padding, 0.3, 0);
            fill_normal(xf, C * T, 22, 1, 1);
            fill_normal(cf, C * T, 23, 1, 1);
            fill_normal(sf, C * TS, 24, 1, 1);
            for (int i = 0; i < N * C * K; i++) W[i] = Wf[i];
            for (int i = 0; i < C * T; i++) { x[i] = xf[i]; c[i] = cf[i]; }
            for (int i = 0; i < C * TS; i++) s[i] = sf[i];
            double lc, ls;
            nn_nst_eval_naive(&sh, W, x, c, s, g, &lc, &ls);
            if (mode == NN_STYLE_EXACT) {
                nst_ctx k = {sh, W, c, s};
                double worst = fd_worst(nst_loss, &k, x, g, C * T, 1e-6);
                printf("    padding %d: twin gradient vs central differences: worst %.3g of max|g|\n",
                       padding, worst);
                CHECK(worst < 1e-6);
                /* the normalisation is a rescaling: the same loss with norm off, divided by the scales */
                nn_nst_shape plain = sh;
                plain.norm = NN_NORM_NONE;
                plain.mean_w = 0;
                double a0, b0, a1, b1;
                nn_nst_eval_naive(&plain, W, x, c, s, NULL, &a0, &b0);
                nn_nst_shape nomean = sh;
                nomean.mean_w = 0;
                nn_nst_eval_naive(&nomean, W, x, c, s, NULL, &a1, &b1);
                CHECK(fabs(a1 - a0) > 1e-3 * a0); /* the scales are not 1 here */
                CHECK(ls > b1);                    /* the mean term adds something */
            }
            nn_nst *m = NULL;
            CHECK_OK(nn_nst_create(&m, &sh));
            if (!m) continue;
            nn_conv1d_relayout(m->Wk, Wf, C, N, K);
            CHECK_OK(nn_nst_set_targets(m, cf, sf));
            double lcf, lsf;
            CHECK_OK(nn_nst_eval(m, xf, gf, &lcf, &lsf));
            CHECK_NEAR(lcf, lc, 1e-4 * lc);
            CHECK_NEAR(lsf, ls, 1e-4 * ls);
            double gmax = 0;
            for (int i = 0; i < C * T; i++) gmax = fmax(gmax, fabs(g[i]));
            ref_check_fd(m->exact ? "fast grad (exact form)" : "fast grad (Gram form)", gf, g, C * T,
                         1e-3, 1e-5 * gmax);
            /* a new content (the next segment) rescales the content term by its own features */
            fill_normal(cf, C * T, 25, 2, 1);
            for (int i = 0; i < C * T; i++) c[i] = cf[i];
            CHECK_OK(nn_nst_set_content(m, cf));
            nn_nst_eval_naive(&sh, W, x, c, s, NULL, &lc, &ls);
            CHECK_OK(nn_nst_eval(m, xf, gf, &lcf, &lsf));
            CHECK_NEAR(lcf, lc, 1e-4 * lc);
            nn_nst_destroy(m);
        }
}

/* The normalised loss does not depend on the tracks' levels: scaling content and style (and x)
 * by the same factor scales every feature by it (ReLU is positively homogeneous); the
 * normalised terms then differ only by the factor squared (content) and to the fourth (style)
 * from the unnormalised ones — so with norm on, a joint level change of c, s and x leaves them
 * as they were, and off it does not. */
TEST(tonal_nst_norm_is_level_independent)
{
    enum { C = 11, N = 7, K = 3, T = 9, TS = 12 };
    double W[N * C * K], x[C * T], c[C * T], s[C * TS], x2[C * T], c2[C * T], s2[C * TS];
    float f[N * C * K + C * TS];
    fill_normal(f, N * C * K, 31, 0.3, 0);
    for (int i = 0; i < N * C * K; i++) W[i] = f[i];
    fill_normal(f, C * TS, 32, 1, 1);
    for (int i = 0; i < C * TS; i++) s[i] = f[i], s2[i] = 3.0 * f[i];
    fill_normal(f, C * T, 33, 1, 1);
    for (int i = 0; i < C * T; i++) c[i] = f[i], c2[i] = 3.0 * f[i];
    fill_normal(f, C * T, 34, 1, 1);
    for (int i = 0; i < C * T; i++) x[i] = f[i], x2[i] = 3.0 * f[i];
    for (int norm = 0; norm < 2; norm++) {
        nn_nst_shape sh = {.precision = NN_PRECISION_FP32, .C = C, .N = N, .K = K, .T = T, .Ts = TS, .div_x = T, .div_s = TS,
                           .alpha = 0.01, .beta = 1, .norm = norm, .mean_w = 0.2};
        double a, b, a2, b2;
        nn_nst_eval_naive(&sh, W, x, c, s, NULL, &a, &b);
        nn_nst_eval_naive(&sh, W, x2, c2, s2, NULL, &a2, &b2);
        if (norm) {
            CHECK_NEAR(a2, a, 1e-9 * a);
            CHECK_NEAR(b2, b, 1e-9 * b);
        } else {
            CHECK(fabs(a2 / a - 9) < 1e-6);
            CHECK(b2 > 10 * b);
        }
    }
}

/* ---- stats.c ------------------------------------------------------------------------------- */

typedef struct { nn_stats_shape sh; const double *c, *s; } stats_ctx;
static double stats_loss(const double *x, void *u)
{
    stats_ctx *k = u;
    return nn_stats_eval_naive(&k->sh, x, k->c, k->s, NULL);
}

/* log1p magnitudes: positive mostly, some cells negative (the optimiser goes there) */
static void fill_spec(float *x, int64_t n, uint64_t seed)
{
    fill_normal(x, n, seed, 0.8, 0.6);
}

TEST(tonal_stats_match_twin_and_differences)
{
    enum { C = 7, T = 6, TS = 9 };
    float xf[C * T], cf[C * T], sf[C * TS], gf[C * T];
    double x[C * T], c[C * T], s[C * TS], g[C * T];
    fill_spec(xf, C * T, 41);
    fill_spec(cf, C * T, 42);
    fill_spec(sf, C * TS, 43);
    /* keep every x cell away from the kink at 0 for the differences */
    for (int i = 0; i < C * T; i++)
        if (fabsf(xf[i]) < 0.05f) xf[i] = 0.1f;
    for (int i = 0; i < C * T; i++) { x[i] = xf[i]; c[i] = cf[i]; }
    for (int i = 0; i < C * TS; i++) s[i] = sf[i];
    const double w[5][4] = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}, {0.3, 0.5, 0.7, 0.9}};
    for (int j = 0; j < 5; j++) {
        nn_stats_shape sh = {.C = C, .T = T, .Ts = TS, .eps = 0.05, .w_env = w[j][0],
                             .w_std = w[j][1], .w_tenv = w[j][2], .w_flat = w[j][3]};
        double l = nn_stats_eval_naive(&sh, x, c, s, g);
        stats_ctx k = {sh, c, s};
        double worst = fd_worst(stats_loss, &k, x, g, C * T, 1e-6);
        printf("    weights %.1f %.1f %.1f %.1f: loss %.6g, twin gradient vs differences: worst %.3g\n",
               w[j][0], w[j][1], w[j][2], w[j][3], l, worst);
        CHECK(l > 0);
        CHECK(worst < 1e-6);
        nn_stats *m = NULL;
        CHECK_OK(nn_stats_create(&m, &sh));
        if (!m) continue;
        nn_stats_set_targets(m, cf, sf);
        for (int i = 0; i < C * T; i++) gf[i] = 1.0f; /* the gradient is added */
        double lf = nn_stats_eval(m, xf, gf);
        CHECK_NEAR(lf, l, 1e-5 * l);
        for (int i = 0; i < C * T; i++) gf[i] -= 1.0f;
        double gmax = 0;
        for (int i = 0; i < C * T; i++) gmax = fmax(gmax, fabs(g[i]));
        ref_check_fd("stats fast grad", gf, g, C * T, 1e-3, 1e-5 * gmax);
        nn_stats_destroy(m);
    }
    /* zero at the target: x = the style (same length) has the style's envelope and spread */
    nn_stats_shape sh = {.C = C, .T = TS, .Ts = TS, .eps = 0.05, .w_env = 1, .w_std = 1};
    CHECK(fabs(nn_stats_eval_naive(&sh, s, s, s, NULL)) < 1e-20);
}

/* The numpy implementation's numbers (tests/ref/tonal/gen_tonal.py: its own formulas, vectorised) */
TEST(tonal_stats_match_numpy)
{
    as_npy X, Cn, S, G;
    if (!load_ref("tonal/stats_x.npy", &X)) return;
    if (!load_ref("tonal/stats_c.npy", &Cn) || !load_ref("tonal/stats_s.npy", &S) ||
        !load_ref("tonal/stats_grad.npy", &G)) {
        CHECK(0);
        return;
    }
    int C = (int)X.shape[0], T = (int)X.shape[1], Ts = (int)S.shape[1];
    nn_stats_shape sh = {.C = C, .T = T, .Ts = Ts, .eps = ref_json_number("tonal/stats.json", "eps"),
                         .w_env = ref_json_number("tonal/stats.json", "w_env"),
                         .w_std = ref_json_number("tonal/stats.json", "w_std"),
                         .w_tenv = ref_json_number("tonal/stats.json", "w_tenv"),
                         .w_flat = ref_json_number("tonal/stats.json", "w_flat")};
    double *x = malloc(sizeof(double) * C * T), *c = malloc(sizeof(double) * C * T);
    double *s = malloc(sizeof(double) * C * Ts), *g = malloc(sizeof(double) * C * T);
    for (int i = 0; i < C * T; i++) x[i] = ((double *)X.data)[i], c[i] = ((double *)Cn.data)[i];
    for (int i = 0; i < C * Ts; i++) s[i] = ((double *)S.data)[i];
    double l = nn_stats_eval_naive(&sh, x, c, s, g);
    double lref = ref_json_number("tonal/stats.json", "loss");
    printf("    loss %.12g (numpy %.12g)\n", l, lref);
    CHECK_NEAR(l, lref, 1e-10 * lref);
    ref_check_dd("stats grad vs numpy", g, G.data, (size_t)C * T, 0, 1e-10 * npy_maxabs(&G));
    free(x);
    free(c);
    free(s);
    free(g);
    as_npy_free(&X);
    as_npy_free(&Cn);
    as_npy_free(&S);
    as_npy_free(&G);
}

/* The normalised content and style terms with feature means on the PyTorch fixture's inputs
 * (tests/ref/nst: C 1025, T 40, N 32, K 11, valid), against numpy's own forward pass. */
TEST(tonal_nst_norm_means_match_numpy)
{
    as_npy W, x, c, s;
    if (!load_ref("nst/W.npy", &W)) return;
    if (!load_ref("nst/x.npy", &x) || !load_ref("nst/c.npy", &c) || !load_ref("nst/s.npy", &s)) {
        CHECK(0);
        return;
    }
    double ref_c = ref_json_number("tonal/nst_norm.json", "content_loss");
    double ref_s = ref_json_number("tonal/nst_norm.json", "style_loss");
    if (!(ref_c > 0)) {
        CHECK(0);
        return;
    }
    for (int mode = NN_STYLE_EXACT; mode <= NN_STYLE_GRAM; mode++) {
        nn_nst_shape sh = {.precision = NN_PRECISION_FP32, .C = 1025, .N = 32, .K = 11, .padding = NN_PAD_VALID, .T = 40, .Ts = 40,
                           .div_x = 40, .div_s = 40, .alpha = 1e-2, .beta = 1, .style_mode = mode,
                           .norm = NN_NORM_TARGET,
                           .mean_w = ref_json_number("tonal/nst_norm.json", "mean_w")};
        nn_nst *m = NULL;
        CHECK_OK(nn_nst_create(&m, &sh));
        if (!m) break;
        nn_conv1d_relayout(m->Wk, W.data, 1025, 32, 11);
        CHECK_OK(nn_nst_set_targets(m, c.data, s.data));
        float *g = malloc(sizeof(float) * 1025 * 40);
        double lc, ls;
        CHECK_OK(nn_nst_eval(m, x.data, g, &lc, &ls));
        printf("    %s: content %.8g (numpy %.8g)  style %.8g (numpy %.8g)\n",
               m->exact ? "exact" : "Gram", lc, ref_c, ls, ref_s);
        CHECK_NEAR(lc, ref_c, 2e-4 * ref_c);
        CHECK_NEAR(ls, ref_s, 1e-4 * ref_s);
        as_npy gr;
        if (load_ref("tonal/nst_norm_grad_style.npy", &gr)) { /* style + means gradient (alpha 0) */
            nn_nst_shape s2 = sh;
            s2.alpha = 0;
            nn_nst *m2 = NULL;
            CHECK_OK(nn_nst_create(&m2, &s2));
            if (m2) {
                nn_conv1d_relayout(m2->Wk, W.data, 1025, 32, 11);
                CHECK_OK(nn_nst_set_targets(m2, c.data, s.data));
                CHECK_OK(nn_nst_eval(m2, x.data, g, &lc, &ls));
                ref_check_npy("norm+means style grad", g, &gr, 0, 1e-5 * npy_maxabs(&gr));
                nn_nst_destroy(m2);
            }
            as_npy_free(&gr);
        } else {
            CHECK(0);
        }
        free(g);
        nn_nst_destroy(m);
    }
    as_npy_free(&W);
    as_npy_free(&x);
    as_npy_free(&c);
    as_npy_free(&s);
}

/* ---- branch.c ------------------------------------------------------------------------------ */

typedef struct { int C; const double *P; nn_nst_shape sh; const double *W, *c, *s; } br_ctx;
static double br_loss(const double *x, void *u)
{
    br_ctx *k = u;
    double a, b;
    nn_branch_eval_naive(k->C, k->P, &k->sh, k->W, x, k->c, k->s, NULL, &a, &b);
    return a + b;
}

TEST(tonal_branch_matches_twin_and_differences)
{
    enum { C = 12, B = 5, N = 6, K = 4, T = 9, TS = 14 };
    for (int proj = 0; proj < 2; proj++) {
        int Bi = proj ? B : C;
        nn_nst_shape sh = {.precision = NN_PRECISION_FP32, .C = Bi, .N = N, .K = K, .padding = NN_PAD_VALID, .T = T, .Ts = TS,
                           .div_x = T, .div_s = TS, .alpha = 0.2, .beta = 0.9,
                           .style_mode = NN_STYLE_AUTO, .norm = NN_NORM_TARGET, .mean_w = 0.3};
        float Wf[N * C * K], Pf[B * C], xf[C * T], cf[C * T], sf[C * TS], gf[C * T];
        double W[N * C * K], P[B * C], x[C * T], c[C * T], s[C * TS], g[C * T];
        fill_normal(Wf, N * Bi * K, 51, 0.3, 0);
        fill_normal(Pf, B * C, 52, 0.4, 0.2);
        fill_normal(xf, C * T, 53, 1, 1);
        fill_normal(cf, C * T, 54, 1, 1);
        fill_normal(sf, C * TS, 55, 1, 1);
        for (int i = 0; i < N * Bi * K; i++) W[i] = Wf[i];
        for (int i = 0; i < B * C; i++) P[i] = Pf[i];
        for (int i = 0; i < C * T; i++) { x[i] = xf[i]; c[i] = cf[i]; }
        for (int i = 0; i < C * TS; i++) s[i] = sf[i];
        double lc, ls;
        nn_branch_eval_naive(C, proj ? P : NULL, &sh, W, x, c, s, g, &lc, &ls);
        br_ctx k = {C, proj ? P : NULL, sh, W, c, s};
        double worst = fd_worst(br_loss, &k, x, g, C * T, 1e-6);
        printf("    %s: twin gradient vs central differences: worst %.3g of max|g|\n",
               proj ? "projected" : "identity", worst);
        CHECK(worst < 1e-6);
        nn_branch *b = NULL;
        CHECK_OK(nn_branch_create(&b, C, proj ? Pf : NULL, &sh));
        if (!b) continue;
        nn_conv1d_relayout(b->net->Wk, Wf, Bi, N, K);
        CHECK_OK(nn_branch_set_targets(b, cf, sf));
        for (int i = 0; i < C * T; i++) gf[i] = 0.5f; /* the gradient is added */
        double lcf, lsf;
        CHECK_OK(nn_branch_eval(b, xf, gf, &lcf, &lsf));
        for (int i = 0; i < C * T; i++) gf[i] -= 0.5f;
        CHECK_NEAR(lcf, lc, 1e-4 * lc);
        CHECK_NEAR(lsf, ls, 1e-4 * ls);
        double gmax = 0;
        for (int i = 0; i < C * T; i++) gmax = fmax(gmax, fabs(g[i]));
        ref_check_fd("branch fast grad", gf, g, C * T, 1e-3, 1e-5 * gmax);
        nn_branch_destroy(b);
    }
}

/* ---- the config ---------------------------------------------------------------------------- */

TEST(tonal_extras_are_off_in_the_presets_and_checked)
{
    as_style_config cfg;
    for (int p = AS_STYLE_PRESET_DEFAULT; p <= AS_STYLE_PRESET_NOTEBOOK; p++) {
        CHECK_OK(as_style_config_preset(&cfg, p));
        CHECK(cfg.loss_norm == AS_STYLE_NORM_NONE && cfg.branch == AS_STYLE_BRANCH_NONE);
        CHECK(cfg.feature_mean_weight == 0 && cfg.envelope_weight == 0 && cfg.spread_weight == 0 &&
              cfg.temporal_weight == 0);
        CHECK(style_extras_check(&cfg) == NULL);
        CHECK(style_extras_bytes(&cfg, 1025, 431, 431) == 0);
        CHECK(style_extras_flops(&cfg, 1025, 431, 431) == 0);
        /* the render's histogram matching: the default's, for styles below 0.03 in flatness */
        if (p == AS_STYLE_PRESET_DEFAULT) CHECK(cfg.render_match == 1 && cfg.render_match_below == 0.03);
        else CHECK(cfg.render_match == 0);
    }
    as_style_config_default(&cfg);
    cfg.render_match_below = -0.1;
    CHECK(style_extras_check(&cfg) != NULL);
    as_style_config_default(&cfg);
    cfg.envelope_floor = 0;
    CHECK(style_extras_check(&cfg) != NULL);
    as_style_config_default(&cfg);
    cfg.render_match = 1.5;
    CHECK(style_extras_check(&cfg) != NULL);
    cfg.render_match = 1;
    CHECK(style_extras_check(&cfg) == NULL);
    as_style_config_default(&cfg);
    cfg.branch = 7;
    CHECK(style_extras_check(&cfg) != NULL);
    as_style_config_default(&cfg);
    cfg.branch = AS_STYLE_BRANCH_MEL;
    cfg.branch_bands = 0;
    CHECK(style_extras_check(&cfg) != NULL);
    cfg.branch_bands = 128;
    CHECK(style_extras_check(&cfg) == NULL);
    /* a mel branch of 1024 filters, width 31: at least its convolution's 2 * 2 To N B K FLOPs */
    double f = style_extras_flops(&cfg, 1025, 431, 431), To = 431 - 30;
    CHECK(f > 4.0 * To * 1024 * 128 * 31);
    CHECK(style_extras_bytes(&cfg, 1025, 431, 431) > 4.0 * 1024 * 128 * 31);
}

/* as_style_flatness (the quality metrics' flatness of a signal): a sine is tonal, noise is not. */
TEST(tonal_style_flatness)
{
    enum { N = 22050 };
    float *y = malloc(sizeof(float) * N);
    for (int i = 0; i < N; i++) y[i] = (float)(0.5 * sin(2 * M_PI * 440.0 * i / 22050.0));
    double fs = -1, fn = -1;
    CHECK_OK(as_style_flatness(y, N, &fs));
    fill_normal(y, N, 61, 0.1, 0);
    CHECK_OK(as_style_flatness(y, N, &fn));
    printf("    flatness: sine %.3g, white noise %.3g\n", fs, fn);
    CHECK(fs > 0 && fs < 1e-3 && fn > 0.3 && fn <= 1);
    CHECK(as_style_flatness(y, 100, &fn) == AS_ERR_ARG);
    free(y);
}

/* The render's floor matching: a result with a background of 0.1 in every cell and a few peaks,
 * a style whose background is 0.001: after it the background is the style's (0.001) and the
 * peaks keep all but the excess (0.099); a bin whose background is below the style's is left alone; the
 * quantile is the usual interpolated one. */
TEST(tonal_floor_matching)
{
    float v[5] = {4, 1, 3, 2, 0};
    CHECK_NEAR(style_quantile(v, 5, 0.5), 2, 1e-12);
    float w[4] = {1, 0, 3, 2};
    CHECK_NEAR(style_quantile(w, 4, 0.5), 1.5, 1e-7);
    CHECK_NEAR(style_quantile(w, 4, 0.9), 2.7, 1e-6);
    enum { C = 3, T = 10, TS = 12 };
    float mag[C * T], Ss[C * TS];
    for (int k = 0; k < C; k++) {
        for (int t = 0; t < T; t++) mag[k * T + t] = t % 4 == 0 ? 5.0f : 0.1f;
        for (int t = 0; t < TS; t++) Ss[k * TS + t] = log1pf(k == 2 ? 0.5f : 0.001f);
    }
    CHECK_OK(style_extras_floor(0.5, mag, C, T, Ss, TS));
    for (int k = 0; k < 2; k++)
        for (int t = 0; t < T; t++) {
            float want = t % 4 == 0 ? 5.0f - 0.099f : 0.001f;
            CHECK_NEAR(mag[k * T + t], want, 1e-5);
        }
    for (int t = 0; t < T; t++) CHECK(mag[2 * T + t] == (t % 4 == 0 ? 5.0f : 0.1f));
}

/* The render's matching EQ: with magnitudes well above its 1e-5 floor, r = 1 moves each bin's
 * mean log magnitude down onto the style's, r = 0.5 half-way (in the log), never up, the shape
 * over time of each bin unchanged (a gain). */
TEST(tonal_render_eq)
{
    enum { C = 4, T = 8, TS = 6 };
    float mag[C * T], m0[C * T], Ss[C * TS];
    fill_normal(mag, C * T, 71, 0.3, 1.0);
    for (int i = 0; i < C * T; i++) mag[i] = expf(mag[i]), m0[i] = mag[i];
    fill_normal(Ss, C * TS, 72, 0.5, 0.5);
    for (int i = 0; i < C * TS; i++) Ss[i] = fabsf(Ss[i]) + 0.05f;
    for (int t = 0; t < TS; t++) Ss[3 * TS + t] = 3.0f; /* a bin louder in the style: no boost */
    int cut = 0, boost = 0;
    for (int pass = 0; pass < 2; pass++) {
        double r = pass ? 0.5 : 1.0;
        memcpy(mag, m0, sizeof mag);
        style_extras_eq(r, mag, C, T, Ss, TS);
        for (int k = 0; k < C; k++) {
            double ls = 0, lr = 0, l0 = 0;
            for (int t = 0; t < TS; t++) ls += log(expm1(Ss[k * TS + t])) / TS;
            for (int t = 0; t < T; t++) lr += log(mag[k * T + t]) / T, l0 += log(m0[k * T + t]) / T;
            CHECK_NEAR(lr, l0 + r * fmin(ls - l0, 0), 2e-3 * (1 + fabs(ls)));
            if (ls < l0) cut++;
            else boost++;
            for (int t = 1; t < T; t++)
                CHECK_NEAR(mag[k * T + t] / mag[k * T], m0[k * T + t] / m0[k * T], 1e-4 * m0[k * T + t] / m0[k * T]);
        }
    }
    CHECK(cut > 0 && boost > 0); /* both cases were met */
}

/* The log-EQ start: each bin of the content scaled so that its mean log magnitude is the
 * style's (magnitudes well above the 1e-5 floor), its shape over time kept; a louder style bin
 * is boosted, a quieter one cut. */
TEST(tonal_init_logeq)
{
    enum { C = 3, T = 7, TS = 5 };
    float Sc[C * T], Ss[C * TS], x0[C * T];
    fill_normal(Sc, C * T, 81, 0.3, 1.0);
    for (int i = 0; i < C * T; i++) Sc[i] = fabsf(Sc[i]) + 0.2f;
    for (int t = 0; t < TS; t++) Ss[t] = 3.0f, Ss[TS + t] = 0.01f, Ss[2 * TS + t] = 0.5f + 0.1f * t;
    style_init_logeq(x0, Sc, C, T, Ss, TS);
    for (int k = 0; k < C; k++) {
        double ls = 0, lx = 0;
        for (int t = 0; t < TS; t++) ls += log(expm1(Ss[k * TS + t])) / TS;
        for (int t = 0; t < T; t++) lx += log(expm1(x0[k * T + t])) / T;
        CHECK_NEAR(lx, ls, 1e-3 * (1 + fabs(ls)));
        for (int t = 1; t < T; t++)
            CHECK_NEAR(expm1(x0[k * T + t]) / expm1(x0[k * T]), expm1(Sc[k * T + t]) / expm1(Sc[k * T]),
                       1e-3 * expm1(Sc[k * T + t]) / expm1(Sc[k * T]));
    }
    CHECK(x0[0] > Sc[0] && x0[T] < Sc[T]); /* boosted, cut */
}

/* The naive twin of style_match_gains, in double: rank t by counting (values below it, and equal
 * values earlier in time), the style's value at that quantile, the gain to the power mix. */
static void match_gains_twin(double mix, const float *r, int T, const float *ss, int Ts, double *g)
{
    for (int t = 0; t < T; t++) {
        int rank = 0;
        for (int u = 0; u < T; u++) rank += r[u] < r[t] || (r[u] == r[t] && u < t);
        double pos = (rank + 0.5) * Ts / T - 0.5, v;
        if (pos <= 0) v = ss[0];
        else if (pos >= Ts - 1) v = ss[Ts - 1];
        else v = ss[(int)pos] + (pos - (int)pos) * ((double)ss[(int)pos + 1] - ss[(int)pos]);
        g[t] = pow((v + 1e-9) / ((double)r[t] + 1e-9), mix);
    }
}

/* The render's histogram matching, one bin: the gains match the naive twin and the numpy
 * reference (tests/ref/tonal/match_*.npy: ties, a zero, T != Ts); with T = Ts and mix 1 the
 * matched values are the style's sorted values exactly, in the result's order; mix 0 is 1. */
TEST(tonal_match_gains_twin_and_numpy)
{
    as_npy R, SS;
    if (!load_ref("tonal/match_r.npy", &R)) return;
    if (!load_ref("tonal/match_ss.npy", &SS)) {
        as_npy_free(&R);
        return;
    }
    int T = (int)R.count, Ts = (int)SS.count;
    const float *r = R.data, *ss = SS.data;
    float *g = malloc(sizeof(float) * T);
    double *gt = malloc(sizeof(double) * T);
    match_cell_scratch *cells = malloc(style_match_scratch_bytes(T));
    const char *names[2] = {"tonal/match_gain_1.npy", "tonal/match_gain_0.6.npy"};
    const double mixes[2] = {1.0, 0.6};
    for (int i = 0; i < 2; i++) {
        style_match_gains(mixes[i], r, T, ss, Ts, cells, g);
        match_gains_twin(mixes[i], r, T, ss, Ts, gt);
        double worst = 0;
        for (int t = 0; t < T; t++) worst = fmax(worst, fabs(g[t] - gt[t]) / fabs(gt[t]));
        printf("    mix %.1f: fast vs twin worst relative %.2g\n", mixes[i], worst);
        CHECK(worst < 1e-6);
        as_npy G;
        if (load_ref(names[i], &G)) {
            ref_check_npy(names[i], g, &G, 1e-6, 0);
            as_npy_free(&G);
        }
    }
    /* T = Ts, mix 1: every value lands on a style order statistic, the order in time kept */
    enum { N = 50 };
    float a[N], b[N], gb[N], sorted[N];
    fill_normal(a, N, 91, 1.0, 0);
    fill_normal(b, N, 92, 1.0, 0);
    for (int t = 0; t < N; t++) a[t] = expf(a[t]), b[t] = expf(b[t] - 4);
    memcpy(sorted, b, sizeof b);
    style_quantile(sorted, N, 0.5); /* sorts */
    match_cell_scratch *c2 = malloc(style_match_scratch_bytes(N));
    style_match_gains(1.0, a, N, sorted, N, c2, gb);
    for (int t = 0; t < N; t++) {
        int rank = 0;
        for (int u = 0; u < N; u++) rank += a[u] < a[t];
        CHECK_NEAR(a[t] * gb[t], sorted[rank], 1e-6 * sorted[rank]);
    }
    style_match_gains(0.0, a, N, sorted, N, c2, gb);
    for (int t = 0; t < N; t++) CHECK(gb[t] == 1.0f);
    free(c2);
    free(cells);
    free(g);
    free(gt);
    as_npy_free(&R);
    as_npy_free(&SS);
}

/* The render's histogram matching on audio: a sine in white noise matched to a pure sine's
 * spectrogram becomes about as tonal as the style (flatness down by orders of magnitude); a
 * signal matched to its own spectrogram, or with mix 0, comes back as it was (the STFT-ISTFT
 * round trip); too short a signal is refused. */
TEST(tonal_render_match_audio)
{
    enum { N = 3 * 22050 };
    as_status st;
    as_stft *s = as_stft_create(2048, 512, &st);
    CHECK(s != NULL);
    if (!s) return;
    float *y = malloc(sizeof(float) * N), *z = malloc(sizeof(float) * N), *y0 = malloc(sizeof(float) * N);
    int64_t T = as_stft_frames(s, N, 1);
    float *X = malloc(sizeof(float) * 2 * 1025 * T), *Ss = malloc(sizeof(float) * 1025 * T);
    fill_normal(y, N, 93, 0.05, 0);
    for (int i = 0; i < N; i++) {
        y[i] += (float)(0.3 * sin(2 * M_PI * 440.0 * i / 22050.0));
        z[i] = (float)(0.3 * sin(2 * M_PI * 660.0 * i / 22050.0));
    }
    memcpy(y0, y, sizeof(float) * N);
    CHECK_OK(as_stft_forward(s, z, N, 1, AS_PAD_REFLECT, X));
    for (int64_t i = 0; i < 1025 * T; i++) Ss[i] = log1pf(hypotf(X[2 * i], X[2 * i + 1]));
    double fy = 0, fz = 0, fm = 0;
    CHECK_OK(as_style_flatness(y, N, &fy));
    CHECK_OK(as_style_flatness(z, N, &fz));
    CHECK_OK(style_render_match(1.0, s, y, N, Ss, T));
    CHECK_OK(as_style_flatness(y, N, &fm));
    printf("    flatness: noisy sine %.3g, style %.3g, matched %.3g\n", fy, fz, fm);
    CHECK(fm < fy / 100 && fm < 10 * fz);
    for (int pass = 0; pass < 2; pass++) { /* its own spectrogram (mix 1), then mix 0 */
        memcpy(y, y0, sizeof(float) * N);
        CHECK_OK(as_stft_forward(s, y, N, 1, AS_PAD_REFLECT, X));
        for (int64_t i = 0; i < 1025 * T; i++) Ss[i] = log1pf(hypotf(X[2 * i], X[2 * i + 1]));
        CHECK_OK(style_render_match(pass ? 0.0 : 1.0, s, y, N, Ss, T));
        double worst = 0;
        for (int i = 0; i < N; i++) worst = fmax(worst, fabs(y[i] - y0[i]));
        printf("    %s: round trip worst %.2g\n", pass ? "mix 0" : "own spectrogram", worst);
        CHECK(worst < 1e-4);
    }
    CHECK(style_render_match(1.0, s, y, 100, Ss, T) == AS_ERR_ARG);
    as_stft_destroy(s);
    free(y);
    free(z);
    free(y0);
    free(X);
    free(Ss);
}
