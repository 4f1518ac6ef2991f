/* bench_presets.c — how the default preset was chosen: the five quality metrics
 * (as_quality_*) and the genre shift against wall seconds for families of candidate settings on
 * the demo pair (techno content, metal style), all with the notebook's network and loss:
 *   noise      the notebook's start (N(0, 1e-3)), 50..300 L-BFGS iterations
 *   content    started from the content's spectrogram
 *   content-eq started from the content equalised to the style's average spectrum
 *   content a=0.001  started from the content, content weight 0.001
 * Every run is the library's whole job (create, optimise, Griffin-Lim 500 from random phase),
 * timed alone; results carry the content's level (the default preset's) except the noise family,
 * which is the notebook's (as Griffin-Lim made it, scaled down to -1 dBFS when louder, as the CLI
 * writes it). Prints a table and writes PRESETS_PNG (default docs/presets.png): style distance
 * against evaluations of the loss and gradient (the cost: wall time is evaluations x seconds per
 * evaluation, plus ~1.5 s), one line per family. PRESETS_QUICK=1 runs two points per family;
 * PRESETS_FROM=FILE draws the picture from the table of an earlier run instead of running. */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct family {
    const char *name;
    int init, level;
    double content_weight;
    int iters[6];
} family;

static const family FAMILIES[] = {
    {"content-eq", AS_STYLE_INIT_CONTENT_EQ, AS_STYLE_LEVEL_CONTENT, 1e-2, {25, 40, 55, 70}},
    {"content", AS_STYLE_INIT_CONTENT, AS_STYLE_LEVEL_CONTENT, 1e-2, {25, 40, 55, 70, 100}},
    {"content, a=0.001", AS_STYLE_INIT_CONTENT, AS_STYLE_LEVEL_CONTENT, 1e-3, {40, 55, 70}},
    {"noise (notebook)", AS_STYLE_INIT_NOISE, AS_STYLE_LEVEL_NONE, 1e-2, {50, 100, 200, 300}},
};
#define N_FAMILIES (int)(sizeof FAMILIES / sizeof FAMILIES[0])

static void plot_sweep(const char *png, float xs[][8], float ys[][8], const int *np)
{
    as_curve cv[N_FAMILIES];
    int nc = 0;
    for (int f = 0; f < N_FAMILIES; f++)
        if (np[f] > 0)
            cv[nc++] = (as_curve){.y = ys[f], .n = np[f], .name = FAMILIES[f].name, .x = xs[f], .dt = 1};
    as_curves_opts po = {.width = 900, .height = 420, .y_log = 1,
                         .x_label = "Evaluations of the loss and gradient (wall time is proportional)",
                         .y_label = "Style distance (lower is better)",
                         .title = "Style distance against cost, techno content, metal style"};
    as_error err = {0};
    if (nc > 0 && as_plot_curves(png, cv, nc, &po, &err) == AS_OK) printf("\nwrote %s\n", png);
    else printf("\n%s not written: %s\n", png, err.msg);
}

/* Reads the rows "| family | iterations | evaluations | seconds | style dist. | ..." of an earlier
 * run's table. */
static void replot(const char *table, const char *png)
{
    FILE *f = fopen(table, "r");
    if (!f) {
        printf("presets: cannot read %s\n", table);
        return;
    }
    float xs[N_FAMILIES][8], ys[N_FAMILIES][8];
    int np[N_FAMILIES] = {0};
    char line[512];
    while (fgets(line, sizeof line, f)) {
        for (int fa = 0; fa < N_FAMILIES; fa++) {
            char head[96];
            snprintf(head, sizeof head, "| %s | ", FAMILIES[fa].name);
            if (strncmp(line, head, strlen(head)) != 0) continue;
            int it, ev;
            double sec, sd;
            if (sscanf(line + strlen(head), "%d | %d | %lf | %lf", &it, &ev, &sec, &sd) == 4 && np[fa] < 8) {
                xs[fa][np[fa]] = (float)ev;
                ys[fa][np[fa]] = (float)sd;
                np[fa]++;
            }
        }
    }
    fclose(f);
    plot_sweep(png, xs, ys, np);
}

BENCH(presets)
{
    int quick = getenv("PRESETS_QUICK") && atoi(getenv("PRESETS_QUICK")) > 0;
    const char *png = getenv("PRESETS_PNG") ? getenv("PRESETS_PNG") : "docs/presets.png";
    if (getenv("PRESETS_FROM")) {
        replot(getenv("PRESETS_FROM"), png);
        return;
    }
    as_signal c = bench_load("techno_torustrooper_tt1.flac");
    as_signal s = bench_load("metal_sectoid_metal_madness.flac");
    as_error err = {0};
    as_analysis *ac = NULL, *as = NULL;
    as_genre_model *gm = NULL;
    if (as_analysis_create(NULL, c.data, c.n, &ac) != AS_OK ||
        as_analysis_create(NULL, s.data, s.n, &as) != AS_OK ||
        as_genre_load_default(&gm, &err) != AS_OK) {
        printf("presets: cannot analyse the demo pair\n");
        return;
    }
    as_features *fx = as_features_create(NULL);
    double pc[AS_GENRE_MAX_CLASSES], ps[AS_GENRE_MAX_CLASSES], pr[AS_GENRE_MAX_CLASSES];
    as_genre_classify_signal(gm, fx, c.data, c.n, pc);
    as_genre_classify_signal(gm, fx, s.data, s.n, ps);
    int top = 0;
    for (int k = 1; k < as_genre_n_classes(gm); k++)
        if (ps[k] > ps[top]) top = k;

    printf("Candidates on the demo pair (techno → metal), %d threads; %s = the style's top genre\n\n",
           bench_threads(), as_genre_label(gm, top));
    printf("| family | iterations | evaluations | seconds | style dist. | rhythm | chroma | flatness "
           "| level dB | %s in result |\n|---|---|---|---|---|---|---|---|---|---|\n",
           as_genre_label(gm, top));
    float xs[N_FAMILIES][8], ys[N_FAMILIES][8];
    int np[N_FAMILIES];
    for (int f = 0; f < N_FAMILIES; f++) {
        const family *fa = &FAMILIES[f];
        np[f] = 0;
        for (int i = 0; i < 6 && fa->iters[i] > 0; i++) {
            if (quick && i >= 2) break;
            as_style_config cfg;
            as_style_config_default(&cfg);
            cfg.init = fa->init;
            cfg.level = fa->level;
            cfg.content_weight = fa->content_weight;
            cfg.iterations = fa->iters[i];
            cfg.threads = bench_threads();
            as_style *st = NULL;
            double t0 = bench_now();
            as_status rc = as_style_create(&st, &cfg, c.data, c.n, s.data, s.n, &err);
            if (rc == AS_OK) rc = as_style_run(st, NULL, NULL);
            double sec = bench_now() - t0;
            const float *y = NULL;
            int64_t n = 0;
            if (rc == AS_OK) rc = as_style_get_audio(st, &y, &n);
            float *r = rc == AS_OK ? malloc(sizeof(float) * (size_t)n) : NULL; /* (n,) as written */
            as_quality q = {0};
            as_analysis *ar = NULL;
            if (r) {
                memcpy(r, y, sizeof(float) * (size_t)n);
                double peak = 0, ceiling = pow(10.0, -1.0 / 20.0);
                for (int64_t k = 0; k < n; k++) peak = fmax(peak, fabs(r[k]));
                if (peak > ceiling)
                    for (int64_t k = 0; k < n; k++) r[k] = (float)(r[k] * (ceiling / peak));
                rc = as_analysis_create(NULL, r, n, &ar);
                if (rc == AS_OK) rc = as_quality_from_analyses(ac, as, ar, &q, &err);
                if (rc == AS_OK) rc = as_genre_classify_signal(gm, fx, r, n, pr);
            }
            if (rc != AS_OK) {
                printf("| %s | %d | failed: %s |\n", fa->name, fa->iters[i], as_strerror(rc));
            } else {
                as_style_stats ss;
                as_style_get_stats(st, &ss);
                printf("| %s | %d | %d | %.1f | %.3f | %.3f | %.3f | %.2f | %+.1f | %.0f %% |\n", fa->name,
                       fa->iters[i], ss.evaluations, sec, q.style_distance_ratio, q.rhythm_correlation,
                       q.chroma_similarity, q.flatness_ratio, q.level_db, 100 * pr[top]);
                fflush(stdout);
                xs[f][np[f]] = (float)ss.evaluations;
                ys[f][np[f]] = (float)q.style_distance_ratio;
                np[f]++;
            }
            as_analysis_destroy(ar);
            free(r);
            as_style_destroy(st);
        }
    }
    plot_sweep(png, xs, ys, np);
    as_features_destroy(fx);
    as_genre_destroy(gm);
    as_analysis_destroy(ac);
    as_analysis_destroy(as);
    as_signal_free(&c);
    as_signal_free(&s);
}
