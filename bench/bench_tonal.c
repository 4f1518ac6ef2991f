/* bench_tonal.c — the picture of docs/notes-tonal.md: on the tonal-style pairs (7-9), the style distance,
 * flatness ratio and rhythm correlation of each candidate, from the rows the quality benchmark
 * keeps (QUALITY_TSV=FILE make bench PART=quality ...; TONAL_FROM=FILE make bench PART=tonal
 * draws them into TONAL_PNG, default docs/tonal.png). One line per candidate and metric, over
 * the pair number, on a log axis (the three metrics span 0.03 .. 100). Runs nothing itself. */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAXC = 8, MAXP = 16 };

BENCH(tonal)
{
    const char *from = getenv("TONAL_FROM");
    const char *png = getenv("TONAL_PNG") ? getenv("TONAL_PNG") : "docs/tonal.png";
    if (!from) {
        printf("tonal: set TONAL_FROM to a QUALITY_TSV file of the quality benchmark\n");
        return;
    }
    FILE *f = fopen(from, "r");
    if (!f) {
        printf("tonal: cannot read %s\n", from);
        return;
    }
    char names[MAXC][32];
    int nc = 0;
    /* (candidate, metric, pair) */
    static float val[MAXC][3][MAXP], xs[MAXC][3][MAXP]; /* (candidate, metric, pair) */
    static int np[MAXC][3];
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        /* i, pair, candidate, wall, evals, style, rhythm, chroma, flatness, level, ... (tab) */
        char *fld[16];
        int n = 0;
        for (char *p = strtok(line, "\t\n"); p && n < 16; p = strtok(NULL, "\t\n")) fld[n++] = p;
        if (n < 10) continue;
        int pair = atoi(fld[0]), c;
        for (c = 0; c < nc; c++)
            if (strcmp(names[c], fld[2]) == 0) break;
        if (c == nc) {
            if (nc == MAXC) continue;
            snprintf(names[nc++], sizeof names[0], "%s", fld[2]);
        }
        const double v[3] = {atof(fld[5]), atof(fld[8]), atof(fld[6])};
        for (int m = 0; m < 3; m++)
            if (np[c][m] < MAXP && pair > 0) {
                xs[c][m][np[c][m]] = (float)pair;
                val[c][m][np[c][m]++] = (float)v[m];
            }
    }
    fclose(f);
    /* one line per candidate over three groups of x: pairs 7-9's style distance at 1..3, their
     * flatness ratio at 5..7, their rhythm at 9..11 (NaN between groups leaves a gap) */
    static float gx[MAXC][11], gy[MAXC][11];
    as_curve cv[MAXC];
    int n = 0;
    for (int c = 0; c < nc; c++) {
        for (int k = 0; k < 11; k++) gx[c][k] = (float)(k + 1), gy[c][k] = NAN;
        for (int m = 0; m < 3; m++)
            for (int i = 0; i < np[c][m]; i++) {
                int pr = (int)xs[c][m][i];
                if (pr >= 7 && pr <= 9) gy[c][4 * m + pr - 7] = val[c][m][i];
            }
        cv[n++] = (as_curve){.y = gy[c], .n = 11, .name = names[c], .x = gx[c], .dt = 1};
    }
    as_curves_opts po = {.width = 1000, .height = 520, .y_log = 1,
                         .x_label = "1-3 style distance (lower better) | 5-7 flatness ratio (lower) | 9-11 rhythm (higher); "
                                    "each: →blues, →orchestral, →ambient",
                         .y_label = "metric (log scale)",
                         .title = "Tonal-style pairs: style distance, flatness and rhythm per candidate"};
    as_error err = {0};
    if (n > 0 && as_plot_curves(png, cv, n, &po, &err) == AS_OK) printf("wrote %s (%d candidates)\n", png, nc);
    else printf("%s not written: %s\n", png, n > 0 ? err.msg : "no rows");
}

/* make bench PART=match: the cost of the render's histogram matching (cfg.render_match, the
 * default preset's for styles below 0.03 in flatness) on a 10-s and a 180-s result against a
 * 10-s style, against its ceiling measured in the same run: the STFT and ISTFT it wraps (the
 * part that cannot go away), medians of 5. */
#include "style/style.h"

static void match_row(int64_t n, const float *style, int64_t ns, as_stft *s)
{
    int64_t T = as_stft_frames(s, n, 1), Ts = as_stft_frames(s, ns, 1);
    float *y = malloc(sizeof(float) * (size_t)n), *y2 = malloc(sizeof(float) * (size_t)n);
    float *X = malloc(sizeof(float) * 2 * 1025 * (size_t)AS_MAX(T, Ts)); /* (F, T, 2) */
    float *Ss = malloc(sizeof(float) * 1025 * (size_t)Ts);              /* (F, Ts) log1p */
    if (!y || !y2 || !X || !Ss) {
        printf("| %.0f s | out of memory | |\n", (double)n / 22050);
        goto done;
    }
    as_stft_forward(s, style, ns, 1, AS_PAD_REFLECT, X);
    for (int64_t i = 0; i < 1025 * Ts; i++) Ss[i] = log1pf(hypotf(X[2 * i], X[2 * i + 1]));
    for (int64_t i = 0; i < n; i++) y[i] = style[i % ns] * (float)(0.5 + 0.5 * sin(i * 1e-4));
    double tm[5], tc[5];
    for (int r = 0; r < 5; r++) {
        memcpy(y2, y, sizeof(float) * (size_t)n);
        double t0 = bench_now();
        as_status rc = style_render_match(1.0, s, y2, n, Ss, Ts);
        double t1 = bench_now();
        as_stft_forward(s, y, n, 1, AS_PAD_REFLECT, X);
        as_istft(s, X, T, n, y2, NULL);
        double t2 = bench_now();
        if (rc != AS_OK) {
            printf("| %.0f s | failed: %s | |\n", (double)n / 22050, as_strerror(rc));
            goto done;
        }
        tm[r] = t1 - t0;
        tc[r] = t2 - t1;
    }
    double m = bench_median(tm, 5), c = bench_median(tc, 5);
    printf("| %.0f s (%lld frames) | %.3f | %.3f | %.1fx | %.0f |\n", (double)n / 22050, (long long)T, m,
           c, m / c, (8.0 * 1025 * T + 16.0 * AS_MAX(T, Ts)) / 1e6);
done:
    free(y);
    free(y2);
    free(X);
    free(Ss);
}

BENCH(match)
{
    as_signal st = bench_load("rock_sectoid_feelings.flac");
    as_status rc;
    as_stft *s = as_stft_create(2048, 512, &rc);
    if (!s) return;
    printf("\n### Render histogram matching (style: 10 s of rock_sectoid_feelings; medians of 5, one thread)\n\n");
    printf("| result | match s | ceiling: STFT + ISTFT s | ratio | its memory MB |\n|---|---|---|---|---|\n");
    match_row(10 * 22050, st.data, st.n, s);
    match_row(180 * 22050, st.data, st.n, s);
    as_stft_destroy(s);
    as_signal_free(&st);
}
