/* bench_tonal.c — the picture of docs/notes-tonal.md: per benchmark pair, the style distance,
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
    static float val[MAXC][3][MAXP], xs[MAXC][3][MAXP];
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
    for (int c = 0; c < nc; c++) /* x ascending, whatever order the pairs ran in */
        for (int m = 0; m < 3; m++)
            for (int i = 1; i < np[c][m]; i++)
                for (int j = i; j > 0 && xs[c][m][j - 1] > xs[c][m][j]; j--) {
                    float tx = xs[c][m][j], tv = val[c][m][j];
                    xs[c][m][j] = xs[c][m][j - 1], val[c][m][j] = val[c][m][j - 1];
                    xs[c][m][j - 1] = tx, val[c][m][j - 1] = tv;
                }
    static const char *metric[3] = {"style distance", "flatness ratio", "rhythm"};
    static char labels[MAXC * 3][64];
    as_curve cv[MAXC * 3];
    int n = 0;
    for (int m = 0; m < 3; m++)
        for (int c = 0; c < nc; c++) {
            if (np[c][m] == 0) continue;
            snprintf(labels[n], sizeof labels[0], "%s: %s", names[c], metric[m]);
            cv[n] = (as_curve){.y = val[c][m], .n = np[c][m], .name = labels[n], .x = xs[c][m], .dt = 1};
            n++;
        }
    as_curves_opts po = {.width = 1000, .height = 520, .y_log = 1,
                         .x_label = "Benchmark pair (1-6 dense styles, 7-9 tonal: rock→blues, techno→orchestral, metal→ambient)",
                         .y_label = "style distance, flatness ratio (lower better); rhythm (higher)",
                         .title = "Quality benchmark per pair and candidate (docs/notes-tonal.md)"};
    as_error err = {0};
    if (n > 0 && as_plot_curves(png, cv, n, &po, &err) == AS_OK) printf("wrote %s (%d candidates)\n", png, nc);
    else printf("%s not written: %s\n", png, n > 0 ? err.msg : "no rows");
}
