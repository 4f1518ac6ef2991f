/* bench_genre.c — the genre classifier: time to train the default model (the recipe of `make
 * model`, as_genre_train_defaults) on GTZAN's 30-s table, and prediction time per file with the
 * built-in model (features excluded). Ceilings in the same run: the budgets of the issue (30 s to
 * train on 2 cores, 0.1 s per classified file), and the time the prediction's multiply-adds would
 * take at this machine's single-thread sgemm rate. */
#include "bench.h"
#include "genre/genre.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>

#define CSV "data/gtzan/features_30_sec.csv"

/* Single-thread sgemm rate in GFLOP/s on 256x256x256 products (median of 9). */
static double sgemm_gflops(void)
{
    enum { N = 256 };
    float *a = malloc(sizeof(float) * N * N), *b = malloc(sizeof(float) * N * N), *c = malloc(sizeof(float) * N * N);
    for (int i = 0; i < N * N; i++) {
        a[i] = (float)(i % 7) * 0.1f;
        b[i] = (float)(i % 5) * 0.1f;
    }
    double t[9];
    for (int r = 0; r < 9; r++) {
        double t0 = bench_now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1, a, N, b, N, 0, c, N);
        t[r] = bench_now() - t0;
    }
    free(a);
    free(b);
    free(c);
    return 2.0 * N * N * N / bench_median(t, 9) * 1e-9;
}

BENCH(genre)
{
    as_genre_dataset d;
    as_error err = {0};
    if (as_genre_dataset_load_csv(CSV, &d, &err) != AS_OK) {
        printf("bench genre: %s\n", err.msg);
        return;
    }
    as_genre_train_opts o;
    as_genre_train_defaults(&o);
    printf("| what | median | ceiling (same run) | notes |\n|---|---|---|---|\n");

    enum { RT = 3 };
    double tt[RT];
    as_genre_model *m = NULL;
    for (int r = 0; r < RT; r++) {
        double t0 = bench_now();
        as_genre_model *k = NULL;
        if (as_genre_train(&d, NULL, &o, &k, &err) != AS_OK) {
            printf("bench genre: %s\n", err.msg);
            as_genre_dataset_free(&d);
            return;
        }
        tt[r] = bench_now() - t0;
        as_genre_destroy(m);
        m = k;
    }
    printf("| train default model (%s, %d members, %d epochs, %d rows) | %.2f s | 30 s budget | %d BLAS thread(s), median of %d |\n",
           as_genre_type_name(o.type), o.members, o.epochs, d.n, bench_median(tt, RT), bench_threads(), RT);
    as_genre_destroy(m);

    enum { RL = 7 };
    double tl[RL];
    for (int r = 0; r < RL; r++) {
        double t0 = bench_now();
        if (as_genre_load_default(&m, &err) != AS_OK) {
            printf("bench genre: %s\n", err.msg);
            as_genre_dataset_free(&d);
            return;
        }
        tl[r] = bench_now() - t0;
        if (r < RL - 1) as_genre_destroy(m);
    }
    printf("| load the built-in model (%zu bytes, checksum included) | %.2f ms | 100 ms budget | once per classify run |\n",
           genre_default_model_len, bench_median(tl, RL) * 1e3);
    double macs = 0;
    for (int e = 0; e < m->n_members; e++)
        for (int l = 0; l < m->net[e].n_layers; l++) macs += (double)m->net[e].dims[l] * m->net[e].dims[l + 1];
    enum { RP = 7 };
    double tp[RP], p[AS_GENRE_MAX_CLASSES], sink = 0;
    for (int r = 0; r < RP; r++) {
        double t0 = bench_now();
        for (int i = 0; i < d.n; i++) {
            as_genre_predict(m, d.x + (size_t)i * GENRE_NF, p);
            sink += p[0];
        }
        tp[r] = (bench_now() - t0) / d.n;
    }
    double per = bench_median(tp, RP), gf = sgemm_gflops();
    printf("| predict one file, built-in model (features excluded) | %.3f ms | 100 ms budget; %.3f ms at sgemm's %.1f GFLOP/s | %.2f M multiply-adds, %d members (sum %.0f) |\n",
           per * 1e3, 2 * macs / (gf * 1e9) * 1e3, gf, macs * 1e-6, m->n_members, sink);
    as_genre_destroy(m);
    as_genre_dataset_free(&d);
}
