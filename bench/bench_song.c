/* bench_song.c — a whole song: a 3-minute content (the four bundled clips end to end, repeated
 * to 180 s; nothing downloaded) styled by a 10-s clip with the default preset, through the
 * library as the CLI runs it. Prints the estimate made before the run (time, memory) against
 * what happened, the wall time of each stage, the peak RSS, and how well the ETA shown during
 * the run held: at 10, 25, 50 and 75 % of the optimisation, the predicted end of the
 * optimisation against the real one. SONG_SECONDS sets the content length (180). */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct eta_log {
    int n;
    double at[4], elapsed[4], predicted_end[4]; /* fraction marks, seconds, elapsed + ETA */
    int iterations;
    double gl_start;
} eta_log;

static const double MARKS[4] = {0.10, 0.25, 0.50, 0.75};

static int on_progress(const as_style_progress *p, void *user)
{
    eta_log *e = user;
    if (p->stage != AS_STYLE_STAGE_OPTIMIZE || p->iterations <= 0) return 0;
    e->iterations = p->iterations;
    double f = (double)p->iteration / p->iterations;
    while (e->n < 4 && f >= MARKS[e->n] && p->eta_seconds >= 0) {
        e->at[e->n] = f;
        e->elapsed[e->n] = p->seconds;
        e->predicted_end[e->n] = p->seconds + p->eta_seconds;
        e->n++;
    }
    return 0;
}

BENCH(song)
{
    double want = 180;
    const char *e = getenv("SONG_SECONDS");
    if (e && atof(e) > 10) want = atof(e);
    const char *clips[4] = {"techno_torustrooper_tt1.flac", "rock_sectoid_feelings.flac",
                            "misc_funnyboat_jdruid.flac", "metal_sectoid_metal_madness.flac"};
    as_signal part[4];
    for (int i = 0; i < 4; i++) part[i] = bench_load(clips[i]);
    int64_t n = (int64_t)(want * AS_SR);
    float *y = malloc(sizeof(float) * (size_t)n); /* (n,) the song */
    if (!y) {
        printf("song: out of memory\n");
        return;
    }
    for (int64_t i = 0, k = 0; i < n; k++) {
        const as_signal *s = &part[k % 4];
        int64_t m = AS_MIN(s->n, n - i);
        memcpy(y + i, s->data, sizeof(float) * (size_t)m);
        i += m;
    }
    /* SONG_STYLES: the styles, files in examples/ (default the metal clip, noise-like: no
     * histogram matching, and rock_sectoid_feelings, tonal: matched) */
    const char *styles_env = getenv("SONG_STYLES");
    char styles[512];
    snprintf(styles, sizeof styles, "%s",
             styles_env ? styles_env : "metal_sectoid_metal_madness.flac rock_sectoid_feelings.flac");
    printf("\nWhole song: %.0f-s content (the four clips end to end), 10-s style, default preset, "
           "%d threads\n\n", want, bench_threads());
    printf("| style | render match | content s | frames | evaluations | stop | estimate s | wall s | create s | optimise s "
           "| s/eval | Griffin-Lim s | render s | estimate MB | peak RSS MB (process so far) |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    fflush(stdout);
    char etas[16][2048];
    int nstyles = 0;
    char *save = NULL;
    for (char *sv = strtok_r(styles, " ", &save); sv && nstyles < 16; sv = strtok_r(NULL, " ", &save), nstyles++) {
        etas[nstyles][0] = 0;
        as_signal style = bench_load(sv);

        as_style_config cfg;
        as_style_config_default(&cfg);
        cfg.threads = bench_threads();
        as_style_estimate est;
        as_style_estimate_cost(&cfg, n, style.n, 1, &est);

        double t0 = bench_now();
        as_style *st = NULL;
        as_error err = {0};
        eta_log log = {0};
        as_status rc = as_style_create(&st, &cfg, y, n, style.data, style.n, &err);
        double t_create = bench_now() - t0;
        if (rc == AS_OK) rc = as_style_optimize(st, on_progress, &log);
        double t_opt = bench_now() - t0 - t_create;
        double t_r0 = bench_now();
        if (rc == AS_OK) rc = as_style_render(st, NULL, NULL);
        double t_render = bench_now() - t_r0;
        double wall = bench_now() - t0;
        if (rc != AS_OK) {
            printf("song: %s\n", err.msg[0] ? err.msg : as_strerror(rc));
            as_style_destroy(st);
            as_signal_free(&style);
            continue;
        }
        as_style_stats ss;
        as_style_get_stats(st, &ss);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);

        printf("| %s | %.2g | %.0f | %lld | %d | %s | %.0f | %.1f | %.1f | %.1f | %.2f | %.1f | %.1f | %.0f | %.0f |\n",
               sv, ss.render_match, want, (long long)est.content_frames, ss.evaluations, ss.stop_reason,
               est.seconds, wall, t_create, t_opt, ss.seconds_per_evaluation, ss.griffin_lim_seconds,
               t_render, est.memory_mb, ru.ru_maxrss / 1024.0);
        fflush(stdout);
        {
            size_t u = 0, L = sizeof etas[0];
            u += (size_t)snprintf(etas[nstyles] + u, L - u, "\nETA during the optimisation, style %s (predicted end = "
                                  "elapsed + ETA shown, against the real end %.1f s):\n\n| at | elapsed s | predicted end s | "
                                  "error |\n|---|---|---|---|\n", sv, ss.optimize_seconds);
            for (int i = 0; i < log.n && u < L; i++)
                u += (size_t)snprintf(etas[nstyles] + u, L - u, "| %.0f %% | %.1f | %.1f | %+.1f %% |\n", 100 * log.at[i],
                                      log.elapsed[i], log.predicted_end[i],
                                      100 * (log.predicted_end[i] / ss.optimize_seconds - 1));
        }
        as_style_destroy(st);
        as_signal_free(&style);
    }
    for (int i = 0; i < nstyles; i++) fputs(etas[i], stdout);
    printf("\nTargets: wall <= 8 min (480 s), peak RSS <= 1.5 GB, ETA within 20 %%.\n");
    free(y);
    for (int i = 0; i < 4; i++) as_signal_free(&part[i]);
}
