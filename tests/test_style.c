/* test_style.c — the style-transfer engine (src/style/transfer.c) end to end on tiny
 * configurations: determinism, decreasing losses, lengths, cancellation, options, refusals. */
#include "harness.h"
#include "style/style.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ~2 s test signals: a melody of harmonic tones (content) and rhythmic noise bursts (style). */
static float *make_content(int64_t n)
{
    float *y = malloc(sizeof(float) * (size_t)n);
    for (int64_t i = 0; i < n; i++) {
        double t = (double)i / AS_SR, f = 220.0 * pow(2.0, (double)((i / 5512) % 5) / 12.0);
        y[i] = (float)(0.3 * sin(2 * M_PI * f * t) + 0.15 * sin(4 * M_PI * f * t) +
                       0.05 * sin(6 * M_PI * f * t));
    }
    return y;
}

static float *make_style(int64_t n)
{
    float *y = malloc(sizeof(float) * (size_t)n);
    as_rng r;
    as_rng_seed(&r, 3);
    for (int64_t i = 0; i < n; i++) {
        double env = exp(-(double)(i % 5512) / 800.0);
        y[i] = (float)(0.4 * env * as_rng_normal(&r) + 0.1 * sin(2 * M_PI * 55.0 * i / AS_SR));
    }
    return y;
}

static void tiny_config(as_style_config *c)
{
    as_style_config_preset(c, AS_STYLE_PRESET_NOTEBOOK);
    c->filters = 64;
    c->iterations = 20;
    c->griffin_lim_iterations = 8;
    c->seed = 7;
    c->threads = 1;
}

TEST(style_notebook_preset_is_the_notebook)
{
    as_style_config c;
    CHECK_OK(as_style_config_preset(&c, AS_STYLE_PRESET_NOTEBOOK));
    CHECK(c.iterations == 0 && c.phase == AS_STYLE_PHASE_RANDOM && c.level == AS_STYLE_LEVEL_NONE);
    CHECK(c.stop_decrease == 0 && c.lbfgs_memory == 10 && c.seed == 0);
    CHECK(c.precision == AS_STYLE_PRECISION_FP32);
    CHECK(c.filters == 4096 && c.kernel_width == 11 && c.padding == AS_STYLE_PAD_VALID);
    CHECK(c.content_weight == 1e-2 && c.style_weight == 1 && c.init == AS_STYLE_INIT_NOISE);
    CHECK(c.init_scale == 1e-3 && c.optimizer == AS_STYLE_LBFGS && c.griffin_lim_iterations == 500);
    CHECK(c.gram_divisor == AS_STYLE_GRAM_FRAMES);
    as_style_estimate e;
    CHECK_OK(as_style_estimate_cost(&c, 220500, 220500, 0, &e));
    CHECK(e.content_frames == 431 && e.style_frames == 431);
    /* 2 convolutions of 2 * 421 * 4096 * 1025 * 11 FLOPs plus the T'xT' style products */
    CHECK_NEAR(e.flops_per_evaluation, 4.0 * 421 * 4096 * 1025 * 11 + 4.0 * 421 * 4096 * 842, 1);
    CHECK(e.evaluations >= 300 && e.evaluations <= 330);
    CHECK(e.memory_mb > 200 && e.memory_mb < 500);
    printf("    canonical estimate: %.0f MB, %.1f GFLOP/eval, %d evaluations\n", e.memory_mb,
           e.flops_per_evaluation / 1e9, e.evaluations);
}

typedef struct cancel_at {
    int at, at_eval, at_gl; /* cancel at this iteration, evaluation, Griffin-Lim iteration */
    int calls, last_iter, stage_gl, losses_ok;
} cancel_at;

static int on_progress(const as_style_progress *p, void *user)
{
    cancel_at *c = user;
    c->calls++;
    if (p->stage == AS_STYLE_STAGE_GRIFFIN_LIM) c->stage_gl++;
    else {
        c->last_iter = p->iteration;
        if (!(p->content_loss >= 0 && p->style_loss >= 0 && p->evaluations >= p->iteration))
            c->losses_ok = 0;
    }
    return (c->at > 0 && p->stage == AS_STYLE_STAGE_OPTIMIZE && p->iteration >= c->at) ||
           (c->at_eval > 0 && p->evaluations >= c->at_eval) ||
           (c->at_gl > 0 && p->stage == AS_STYLE_STAGE_GRIFFIN_LIM && p->iteration >= c->at_gl);
}

/* Runs one tiny job; returns the audio (malloc'd copy) and its length. */
static float *run_job(const as_style_config *cfg, int64_t nc, int64_t ns, int64_t *n_out,
                      as_style_stats *stats)
{
    float *c = make_content(nc), *s = make_style(ns);
    as_style *st = NULL;
    as_error err = {0};
    float *out = NULL;
    CHECK_OK(as_style_create(&st, cfg, c, nc, s, ns, &err));
    if (st) {
        cancel_at cb = {.losses_ok = 1};
        CHECK_OK(as_style_run(st, on_progress, &cb));
        CHECK(cb.losses_ok);
        CHECK(cb.stage_gl == cfg->griffin_lim_iterations);
        const float *y = NULL;
        int64_t n = 0;
        CHECK_OK(as_style_get_audio(st, &y, &n));
        if (y) {
            out = malloc(sizeof(float) * (size_t)n);
            memcpy(out, y, sizeof(float) * (size_t)n);
        }
        *n_out = n;
        as_style_get_stats(st, stats);
        as_style_destroy(st);
    }
    free(c);
    free(s);
    return out;
}

TEST(style_lbfgs_decreases_loss_keeps_length_and_is_deterministic)
{
    as_style_config cfg;
    tiny_config(&cfg);
    int64_t nc = 44100 + 123, ns = 50000, n1 = 0, n2 = 0;
    as_style_stats s1, s2;
    float *y1 = run_job(&cfg, nc, ns, &n1, &s1);
    float *y2 = run_job(&cfg, nc, ns, &n2, &s2);
    CHECK(n1 == nc && n2 == nc);
    CHECK(y1 && y2 && memcmp(y1, y2, sizeof(float) * (size_t)nc) == 0);
    printf("    L-BFGS: %d iterations, %d evaluations (%s); content %.4g -> %.4g, style %.4g -> %.4g, "
           "SC %.3f\n", s1.iterations, s1.evaluations, s1.stop_reason, s1.initial_content_loss,
           s1.content_loss, s1.initial_style_loss, s1.style_loss, s1.spectral_convergence);
    CHECK(s1.iterations == 20 && strcmp(s1.stop_reason, "iterations") == 0);
    CHECK(s1.evaluations >= 20 && s1.evaluations <= 40);
    CHECK(s1.content_loss + s1.style_loss < 0.2 * (s1.initial_content_loss + s1.initial_style_loss));
    CHECK(s1.style_loss < s1.initial_style_loss);
    CHECK(isfinite(s1.spectral_convergence) && s1.spectral_convergence < 1.0);
    double peak = 0;
    for (int64_t i = 0; y1 && i < n1; i++) peak = fmax(peak, fabs(y1[i]));
    CHECK(peak > 0 && isfinite(peak));

    /* the written file is bit-identical too */
    char p1[512], p2[512];
    snprintf(p1, sizeof p1, "%s/a.wav", scratch_dir());
    snprintf(p2, sizeof p2, "%s/b.wav", scratch_dir());
    as_save_opts so = {.level = AS_LEVEL_PEAK_LIMIT};
    as_error err = {0};
    if (y1 && y2) {
        CHECK_OK(as_audio_save(p1, y1, n1, AS_SR, &so, &err));
        CHECK_OK(as_audio_save(p2, y2, n2, AS_SR, &so, &err));
        FILE *f1 = fopen(p1, "rb"), *f2 = fopen(p2, "rb");
        int same = f1 && f2;
        while (same) {
            int a = fgetc(f1), b = fgetc(f2);
            if (a != b) same = 0;
            if (a == EOF || b == EOF) break;
        }
        CHECK(same);
        if (f1) fclose(f1);
        if (f2) fclose(f2);
    }
    /* a different seed gives a different result */
    cfg.seed = 8;
    int64_t n3 = 0;
    as_style_stats s3;
    float *y3 = run_job(&cfg, nc, ns, &n3, &s3);
    CHECK(y3 && y1 && memcmp(y1, y3, sizeof(float) * (size_t)nc) != 0);
    free(y1);
    free(y2);
    free(y3);
}

TEST(style_cancellation_returns_cancelled_and_renders_nothing)
{
    as_style_config cfg;
    tiny_config(&cfg);
    int64_t nc = 44100, ns = 44100;
    float *c = make_content(nc), *s = make_style(ns);
    as_style *st = NULL;
    as_error err = {0};
    CHECK_OK(as_style_create(&st, &cfg, c, nc, s, ns, &err));
    if (st) {
        cancel_at cb = {.at = 3, .losses_ok = 1};
        CHECK(as_style_run(st, on_progress, &cb) == AS_ERR_CANCELLED);
        CHECK(cb.last_iter == 3 && cb.stage_gl == 0);
        const float *y = NULL;
        int64_t n = 0;
        CHECK(as_style_get_audio(st, &y, &n) == AS_ERR_ARG);
        as_style_stats stats;
        as_style_get_stats(st, &stats);
        CHECK(strcmp(stats.stop_reason, "cancelled") == 0 && stats.iterations == 3);
        /* what there is can still be rendered (--save-on-interrupt) */
        CHECK_OK(as_style_render(st, NULL, NULL));
        CHECK_OK(as_style_get_audio(st, &y, &n));
        CHECK(n == nc);
        /* and Griffin-Lim can be cancelled too */
        cancel_at gl = {.at_gl = 2, .losses_ok = 1};
        CHECK(as_style_render(st, on_progress, &gl) == AS_ERR_CANCELLED);
        CHECK(as_style_get_audio(st, &y, &n) == AS_ERR_ARG);
        as_style_destroy(st);
    }
    /* a cancel inside the first line search (the notebook's first step takes several
     * evaluations) is honoured within one evaluation */
    st = NULL;
    CHECK_OK(as_style_create(&st, &cfg, c, nc, s, ns, &err));
    if (st) {
        cancel_at cb = {.at_eval = 3, .losses_ok = 1};
        CHECK(as_style_optimize(st, on_progress, &cb) == AS_ERR_CANCELLED);
        as_style_stats stats;
        as_style_get_stats(st, &stats);
        printf("    cancelled at evaluation %d, iteration %d\n", stats.evaluations, stats.iterations);
        CHECK(stats.evaluations == 3);
        as_style_destroy(st);
    }
    free(c);
    free(s);
}

TEST(style_options_adam_same_padding_content_phase_style_only)
{
    int64_t nc = 30000, ns = 60000;
    for (int variant = 0; variant < 4; variant++) {
        as_style_config cfg;
        tiny_config(&cfg);
        if (variant == 0) { /* Adam with early stopping, as the Keras notebook */
            cfg.optimizer = AS_STYLE_ADAM;
            cfg.iterations = 30;
            cfg.learning_rate = 0.05;
        } else if (variant == 1) { /* 'same' padding, the T' Gram divisor, Gram form */
            cfg.padding = AS_STYLE_PAD_SAME;
            cfg.gram_divisor = AS_STYLE_GRAM_OUTPUT_FRAMES;
            cfg.filters = 40; /* T' + Ts' > N: the N x N Gram form */
        } else if (variant == 2) { /* Griffin-Lim from the content's phase */
            cfg.phase = AS_STYLE_PHASE_CONTENT;
            cfg.kernel_width = 5;
        } else { /* Grinstein et al.: style loss only, from the content */
            cfg.content_weight = 0;
            cfg.init = AS_STYLE_INIT_CONTENT;
        }
        int64_t n = 0;
        as_style_stats s;
        float *y = run_job(&cfg, nc, ns, &n, &s);
        printf("    variant %d: %d it, %d ev (%s): content %.4g -> %.4g, style %.4g -> %.4g, SC %.3f\n",
               variant, s.iterations, s.evaluations, s.stop_reason, s.initial_content_loss,
               s.content_loss, s.initial_style_loss, s.style_loss, s.spectral_convergence);
        CHECK(y && n == nc);
        CHECK(s.content_loss + s.style_loss < s.initial_content_loss + s.initial_style_loss);
        if (variant == 3) CHECK(s.content_loss == 0 && s.initial_content_loss == 0);
        if (variant == 2) CHECK(s.spectral_convergence < 0.9);
        free(y);
    }
}

TEST(style_adam_patience_stops_early)
{
    as_style_config cfg;
    tiny_config(&cfg);
    cfg.optimizer = AS_STYLE_ADAM;
    cfg.learning_rate = 50; /* far too large: the loss stops improving at once */
    cfg.iterations = 200;
    cfg.patience = 5;
    int64_t n = 0;
    as_style_stats s;
    float *y = run_job(&cfg, 30000, 30000, &n, &s);
    CHECK(strcmp(s.stop_reason, "patience") == 0 && s.iterations < 200);
    free(y);
}

TEST(style_refuses_bad_input_with_a_message)
{
    as_style_config cfg;
    tiny_config(&cfg);
    float *c = make_content(44100), *s = make_style(44100);
    as_style *st = NULL;
    as_error err = {0};
    CHECK(as_style_create(&st, &cfg, c, 900, s, 44100, &err) == AS_ERR_ARG && !st);
    CHECK(strstr(err.msg, "content") && strstr(err.msg, "short"));
    CHECK(as_style_create(&st, &cfg, c, 44100, s, 3000, &err) == AS_ERR_ARG && !st);
    CHECK(strstr(err.msg, "style"));
    cfg.max_memory_mb = 1;
    CHECK(as_style_create(&st, &cfg, c, 44100, s, 44100, &err) == AS_ERR_MEMLIMIT && !st);
    CHECK(strstr(err.msg, "MB") && err.hint[0]);
    tiny_config(&cfg);
    cfg.filters = 0;
    CHECK(as_style_create(&st, &cfg, c, 44100, s, 44100, &err) == AS_ERR_ARG && !st);
    tiny_config(&cfg);
    cfg.content_weight = -1;
    CHECK(as_style_create(&st, &cfg, c, 44100, s, 44100, &err) == AS_ERR_ARG && !st);
    as_style_destroy(NULL);
    free(c);
    free(s);
}

TEST(style_spectrograms_round_trip)
{
    as_style_config cfg;
    tiny_config(&cfg);
    cfg.init = AS_STYLE_INIT_CONTENT;
    int64_t nc = 30000, ns = 40000;
    float *c = make_content(nc), *s = make_style(ns);
    as_style *st = NULL;
    as_error err = {0};
    CHECK_OK(as_style_create(&st, &cfg, c, nc, s, ns, &err));
    if (st) {
        CHECK(as_style_frames(st, AS_STYLE_CONTENT) == 1 + nc / 512);
        CHECK(as_style_frames(st, AS_STYLE_STYLE) == 1 + ns / 512);
        CHECK(as_style_frames(st, AS_STYLE_RESULT) == 1 + nc / 512);
        int64_t T = 1 + nc / 512;
        float *a = malloc(sizeof(float) * 1025 * T), *b = malloc(sizeof(float) * 1025 * T);
        float *X = malloc(sizeof(float) * 1025 * T * 2);
        as_status sst;
        as_stft *ft = as_stft_create(2048, 512, &sst);
        CHECK_OK(as_stft_forward(ft, c, nc, 1, AS_PAD_REFLECT, X));
        for (int64_t i = 0; i < 1025 * T; i++) b[i] = hypotf(X[2 * i], X[2 * i + 1]);
        CHECK_OK(as_style_get_spectrogram(st, AS_STYLE_CONTENT, a));
        ref_check_ff("content |X|", a, b, (size_t)(1025 * T), 1e-5, 1e-6);
        /* before optimising, the result is the initial x (= the content here) */
        CHECK_OK(as_style_get_spectrogram(st, AS_STYLE_RESULT, a));
        ref_check_ff("result = x0", a, b, (size_t)(1025 * T), 1e-5, 1e-6);
        as_stft_destroy(ft);
        free(a);
        free(b);
        free(X);
        as_style_destroy(st);
    }
    free(c);
    free(s);
}

/* The default preset is the notebook's network and loss, started from the content, fewer
 * iterations, Griffin-Lim from the content's phase, the content's level; names round-trip. */
TEST(style_default_preset)
{
    as_style_config d, nb;
    as_style_config_default(&d);
    CHECK_OK(as_style_config_preset(&nb, AS_STYLE_PRESET_NOTEBOOK));
    CHECK(d.filters == nb.filters && d.kernel_width == nb.kernel_width && d.padding == nb.padding);
    CHECK(d.content_weight == nb.content_weight && d.style_weight == nb.style_weight);
    CHECK(d.gram_divisor == nb.gram_divisor && d.optimizer == AS_STYLE_LBFGS);
    CHECK(d.init == AS_STYLE_INIT_CONTENT_LOGEQ && d.phase == AS_STYLE_PHASE_RANDOM);
    CHECK(d.level == AS_STYLE_LEVEL_CONTENT && d.precision == AS_STYLE_PRECISION_AUTO);
    CHECK(d.iterations > 0 && d.iterations < 300);
    as_style_config e;
    CHECK_OK(as_style_config_preset(&e, AS_STYLE_PRESET_DEFAULT));
    CHECK(memcmp(&d, &e, sizeof d) == 0);
    CHECK(as_style_config_preset(&e, 7) == AS_ERR_ARG && as_style_config_preset(NULL, 0) == AS_ERR_ARG);
    CHECK(strcmp(as_style_preset_name(AS_STYLE_PRESET_DEFAULT), "default") == 0);
    CHECK(strcmp(as_style_preset_name(AS_STYLE_PRESET_NOTEBOOK), "notebook") == 0);
    CHECK(as_style_preset_name(2) == NULL);
    CHECK(as_style_preset_from_name("notebook") == AS_STYLE_PRESET_NOTEBOOK);
    CHECK(as_style_preset_from_name("default") == AS_STYLE_PRESET_DEFAULT);
    CHECK(as_style_preset_from_name("fast") == -1 && as_style_preset_from_name(NULL) == -1);
}

typedef struct eta_seen {
    int calls, with_eta, bad;
    double last_eta;
} eta_seen;

static int watch_eta(const as_style_progress *p, void *user)
{
    eta_seen *e = user;
    if (p->stage != AS_STYLE_STAGE_OPTIMIZE) return 0;
    e->calls++;
    if (p->eta_seconds >= 0) {
        e->with_eta++;
        /* at the pace so far: seconds per iteration times the iterations left */
        double want = p->iteration > 0 ? p->seconds / p->iteration * (p->iterations - p->iteration) : -1;
        if (fabs(p->eta_seconds - want) > 1e-9 + 1e-9 * want) e->bad++;
        e->last_eta = p->eta_seconds;
    }
    return 0;
}

/* The stop rule ends a run whose loss stalls; the content level is matched under the -1 dBFS
 * limiter; the progress carries an ETA. */
TEST(style_stop_rule_level_and_eta)
{
    as_style_config cfg;
    tiny_config(&cfg);
    cfg.iterations = 200;
    cfg.stop_decrease = 0.2; /* a loose rule: stops long before 200 iterations */
    cfg.level = AS_STYLE_LEVEL_CONTENT;
    int64_t nc = 44100, ns = 44100;
    float *c = make_content(nc), *s = make_style(ns);
    as_style *st = NULL;
    as_error err = {0};
    eta_seen e = {0};
    CHECK_OK(as_style_create(&st, &cfg, c, nc, s, ns, &err));
    if (st) {
        CHECK_OK(as_style_optimize(st, watch_eta, &e));
        as_style_stats ss;
        as_style_get_stats(st, &ss);
        printf("    stop rule: %d iterations (%s)\n", ss.iterations, ss.stop_reason);
        CHECK(strcmp(ss.stop_reason, "converged (stop decrease)") == 0);
        CHECK(ss.iterations > 10 && ss.iterations < 200);
        CHECK(e.with_eta > 0 && e.bad == 0);
        CHECK_OK(as_style_render(st, NULL, NULL));
        const float *y;
        int64_t n;
        CHECK_OK(as_style_get_audio(st, &y, &n));
        double rc = 0, ry = 0, peak = 0;
        for (int64_t i = 0; i < n; i++) {
            rc += (double)c[i] * c[i];
            ry += (double)y[i] * y[i];
            peak = fmax(peak, fabs(y[i]));
        }
        double level = 10 * log10(ry / rc);
        as_style_get_stats(st, &ss);
        printf("    level: %+.3f dB against the content (gain %+.1f dB), peak %.3f\n", level,
               ss.level_gain_db, peak);
        CHECK(fabs(level) < 0.05);
        CHECK(peak <= pow(10.0, -1.0 / 20.0) + 1e-7);
        as_style_destroy(st);
    }
    free(c);
    free(s);
}

/* --init content-eq: x0 is the content with each bin shifted by the difference of the two
 * tracks' means over time (clamped at 0): where nothing is clamped, the start's per-bin mean is
 * the style's. Read back through as_style_get_spectrogram before any optimisation. */
TEST(style_init_content_eq_has_the_style_mean)
{
    as_style_config cfg;
    tiny_config(&cfg);
    cfg.init = AS_STYLE_INIT_CONTENT_EQ;
    int64_t nc = 44100, ns = 30000;
    float *c = make_content(nc), *s = make_style(ns);
    as_style *st = NULL;
    as_error err = {0};
    CHECK_OK(as_style_create(&st, &cfg, c, nc, s, ns, &err));
    if (st) {
        int64_t T = as_style_frames(st, AS_STYLE_CONTENT), Ts = as_style_frames(st, AS_STYLE_STYLE);
        float *x = malloc(sizeof(float) * 1025 * (size_t)T), *sm = malloc(sizeof(float) * 1025 * (size_t)Ts);
        CHECK_OK(as_style_get_spectrogram(st, AS_STYLE_RESULT, x));
        CHECK_OK(as_style_get_spectrogram(st, AS_STYLE_STYLE, sm));
        int checked = 0, bad = 0;
        for (int k = 0; k < 1025; k++) {
            double mx = 0, ms = 0;
            int clamped = 0;
            for (int64_t t = 0; t < T; t++) { /* back to the log1p domain */
                mx += log1p(x[(size_t)k * T + t]);
                clamped |= x[(size_t)k * T + t] == 0;
            }
            for (int64_t t = 0; t < Ts; t++) ms += log1p(sm[(size_t)k * Ts + t]);
            if (clamped) continue;
            checked++;
            if (fabs(mx / T - ms / Ts) > 1e-4 * (1 + fabs(ms / Ts))) bad++;
        }
        printf("    %d bins unclamped, %d off\n", checked, bad);
        CHECK(checked > 500 && bad == 0);
        free(x);
        free(sm);
        as_style_destroy(st);
    }
    free(c);
    free(s);
}

/* The precision in effect is reported; bf16 runs (natively or emulated) and reaches a loss close
 * to fp32's; AUTO resolves as as_style_precision says; a bad value is refused. */
TEST(style_precision_is_chosen_and_reported)
{
    as_style_config cfg;
    tiny_config(&cfg);
    cfg.iterations = 10;
    cfg.griffin_lim_iterations = 2;
    cfg.precision = AS_STYLE_PRECISION_AUTO; /* what AUTO resolves to here */
    const char *engine = NULL;
    const char *autop = as_style_precision(&cfg, &engine);
    CHECK(autop && (strcmp(autop, "fp32") == 0 || strcmp(autop, "bf16") == 0) && engine);
    printf("    AUTO here: %s (%s)\n", autop ? autop : "?", engine ? engine : "?");
    as_style_stats s[3];
    const int prec[3] = {AS_STYLE_PRECISION_FP32, AS_STYLE_PRECISION_BF16, AS_STYLE_PRECISION_AUTO};
    for (int i = 0; i < 3; i++) {
        cfg.precision = prec[i];
        int64_t n = 0;
        memset(&s[i], 0, sizeof s[i]);
        free(run_job(&cfg, 30000, 30000, &n, &s[i])); /* s[i].engine died with the job */
        CHECK(s[i].precision != NULL);
        if (!s[i].precision) return;
        printf("    %s: style loss %.6g, content loss %.6g\n", s[i].precision, s[i].style_loss,
               s[i].content_loss);
    }
    CHECK(strcmp(s[0].precision, "fp32") == 0);
    CHECK(strcmp(s[1].precision, "bf16") == 0);
    CHECK(strcmp(s[2].precision, autop) == 0);
    /* after 10 L-BFGS iterations from the same start, bf16's loss is fp32's within 10 % */
    CHECK_NEAR(s[1].style_loss + s[1].content_loss, s[0].style_loss + s[0].content_loss,
               0.1 * (s[0].style_loss + s[0].content_loss));
    {   /* the engine string, while the job lives */
        float *c = make_content(30000), *y = make_style(30000);
        for (int i = 0; i < 2; i++) {
            cfg.precision = prec[i];
            as_style *st = NULL;
            as_error err = {0};
            CHECK_OK(as_style_create(&st, &cfg, c, 30000, y, 30000, &err));
            if (!st) continue;
            as_style_stats ss;
            as_style_get_stats(st, &ss);
            CHECK(ss.engine && strcmp(ss.precision, s[i].precision) == 0);
            if (i == 0) CHECK(ss.engine && strcmp(ss.engine, "OpenBLAS sgemm") == 0);
            printf("    %s: %s\n", ss.precision, ss.engine ? ss.engine : "?");
            as_style_destroy(st);
        }
        free(c);
        free(y);
    }
    as_style_estimate e16, e32;
    cfg.precision = AS_STYLE_PRECISION_BF16;
    CHECK_OK(as_style_estimate_cost(&cfg, 30000, 30000, 0, &e16));
    cfg.precision = AS_STYLE_PRECISION_FP32;
    CHECK_OK(as_style_estimate_cost(&cfg, 30000, 30000, 0, &e32));
    CHECK(strcmp(e16.precision, "bf16") == 0 && strcmp(e32.precision, "fp32") == 0);
    CHECK(e32.conv_gflops == e32.gflops && e16.conv_gflops != e16.gflops);
    cfg.precision = 3;
    CHECK(as_style_precision(&cfg, NULL) == NULL);
    CHECK(as_style_estimate_cost(&cfg, 30000, 30000, 0, &e32) == AS_ERR_ARG);
    float *c = make_content(30000), *st_sig = make_style(30000);
    as_style *st = NULL;
    as_error err = {0};
    CHECK(as_style_create(&st, &cfg, c, 30000, st_sig, 30000, &err) == AS_ERR_ARG && !st);
    CHECK(strstr(err.msg, "precision"));
    free(c);
    free(st_sig);
}

/* cfg.segment_seconds: the plan covers the content with equal segments that overlap by at least
 * 32 frames and end at T; short contents stay whole; the notebook never segments. */
TEST(style_segment_plan)
{
    as_style_config cfg;
    as_style_config_default(&cfg);
    CHECK(cfg.segment_seconds == 20);
    int64_t L, starts[64];
    int nseg;
    style_plan_segments(&cfg, 431, &L, &nseg, starts); /* 10 s: whole */
    CHECK(nseg == 1 && L == 431 && starts[0] == 0);
    style_plan_segments(&cfg, 1290, &L, &nseg, starts); /* 1.5 segments: still whole */
    CHECK(nseg == 1 && L == 1290);
    const int64_t Ts[4] = {1300, 2154, 7752, 52000};
    for (int c = 0; c < 4; c++) {
        int64_t T = Ts[c];
        style_plan_segments(&cfg, T, &L, &nseg, starts);
        CHECK_MSG(nseg > 1 && nseg <= 64, "T %lld: %d segments", (long long)T, nseg);
        CHECK(L >= 400 && L <= 862 + 32); /* about 20 s each */
        CHECK(starts[0] == 0 && starts[nseg - 1] + L == T);
        for (int i = 1; i < nseg; i++)
            CHECK_MSG(starts[i] > starts[i - 1] && starts[i - 1] + L - starts[i] >= 32,
                      "T %lld: segment %d starts at %lld, the previous ends at %lld", (long long)T, i,
                      (long long)starts[i], (long long)(starts[i - 1] + L));
    }
    style_plan_segments(&cfg, 7752, &L, &nseg, NULL);
    printf("    3 min: %d segments of %lld frames\n", nseg, (long long)L);
    int nseg3 = nseg;
    as_style_config nb;
    as_style_config_preset(&nb, AS_STYLE_PRESET_NOTEBOOK);
    style_plan_segments(&nb, 7752, &L, &nseg, NULL);
    CHECK(nseg == 1 && L == 7752);
    /* the estimate follows the segment: a 3-minute content fits in 1.5 GB with the default */
    as_style_estimate e, ew;
    CHECK_OK(as_style_estimate_cost(&cfg, 180 * 22050, 220500, 0, &e));
    cfg.segment_seconds = 0;
    CHECK_OK(as_style_estimate_cost(&cfg, 180 * 22050, 220500, 0, &ew));
    printf("    3-min estimate: %.0f MB in %d segments, %.0f MB whole\n", e.memory_mb, e.segments, ew.memory_mb);
    CHECK(e.segments == nseg3 && nseg3 >= 9 && ew.segments == 1);
    CHECK(e.memory_mb < 1500 && ew.memory_mb > 2 * e.memory_mb);
    cfg.segment_seconds = 3; /* too short to be a segment */
    CHECK(as_style_estimate_cost(&cfg, 180 * 22050, 220500, 0, &e) == AS_ERR_ARG);
}

/* A 50-s content in 20-s segments: three optimisations, one render of the whole length, finite
 * and peak-limited; the progress counts iterations over all segments. */
TEST(style_segments_run_whole_length)
{
    as_style_config cfg;
    tiny_config(&cfg);
    cfg.segment_seconds = 20;
    cfg.iterations = 3;
    cfg.level = AS_STYLE_LEVEL_CONTENT;
    int64_t nc = 50 * 22050, ns = 44100;
    float *c = make_content(nc), *s = make_style(ns);
    as_style *st = NULL;
    as_error err = {0};
    eta_seen e = {0};
    CHECK_OK(as_style_create(&st, &cfg, c, nc, s, ns, &err));
    if (st) {
        CHECK_OK(as_style_optimize(st, watch_eta, &e));
        as_style_stats ss;
        as_style_get_stats(st, &ss);
        printf("    %d segments, %d iterations, %d evaluations, content %.4g style %.4g\n", ss.segments,
               ss.iterations, ss.evaluations, ss.content_loss, ss.style_loss);
        CHECK(ss.segments == 3 && ss.iterations == 9 && ss.evaluations >= 9);
        CHECK(isfinite(ss.content_loss) && isfinite(ss.style_loss));
        CHECK(e.with_eta > 0 && e.bad == 0);
        CHECK_OK(as_style_render(st, NULL, NULL));
        const float *y;
        int64_t n;
        CHECK_OK(as_style_get_audio(st, &y, &n));
        CHECK(n == nc);
        int finite = 1;
        double peak = 0;
        for (int64_t i = 0; i < n; i++) {
            finite &= isfinite(y[i]);
            peak = fmax(peak, fabs(y[i]));
        }
        CHECK(finite && peak > 0 && peak <= pow(10.0, -1.0 / 20.0) + 1e-7);
        /* the result spectrogram is continuous across the seams: no frame-to-frame jump at a
         * seam larger than the largest elsewhere */
        int64_t T = as_style_frames(st, AS_STYLE_RESULT);
        float *X = malloc(sizeof(float) * 1025 * (size_t)T);
        CHECK_OK(as_style_get_spectrogram(st, AS_STYLE_RESULT, X));
        int64_t L, starts[8];
        int nseg;
        style_plan_segments(&cfg, T, &L, &nseg, starts);
        double jump_max = 0, seam_max = 0;
        for (int64_t t = 1; t < T; t++) {
            double d = 0;
            for (int k = 0; k < 1025; k++) d += fabs(log1p(X[(size_t)k * T + t]) - log1p(X[(size_t)k * T + t - 1]));
            int seam = 0;
            for (int i = 1; i < nseg; i++) seam |= t == starts[i] || t == starts[i - 1] + L;
            if (seam) seam_max = fmax(seam_max, d);
            else jump_max = fmax(jump_max, d);
        }
        printf("    largest frame-to-frame change: %.1f at a seam, %.1f elsewhere\n", seam_max, jump_max);
        CHECK(seam_max <= jump_max);
        free(X);
        as_style_destroy(st);
    }
    free(c);
    free(s);
}
