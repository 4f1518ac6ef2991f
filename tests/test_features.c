/* test_features.c — the GTZAN features against librosa 0.7.2 (tests/ref/seg, seg_whole and
 * the feature CSVs in tests/ref/features) and the fast median filters against a naive sort-based twin. */
#include "harness.h"
#include "features/features.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* (F, T) reference -> (T, F) float */
static float *to_frame_major(const as_npy *a)
{
    int F = (int)a->shape[0], T = (int)a->shape[1];
    float *o = malloc(sizeof *o * (size_t)F * T);
    const float *s = a->data;
    for (int k = 0; k < F; k++)
        for (int t = 0; t < T; t++) o[(size_t)t * F + k] = s[(size_t)k * T + t];
    return o;
}

static float *transpose_ff(const float *x, int T, int C)
{
    float *o = malloc(sizeof *o * (size_t)T * C);
    for (int t = 0; t < T; t++)
        for (int c = 0; c < C; c++) o[(size_t)c * T + t] = x[(size_t)t * C + c];
    return o;
}

TEST(features_median_fast_vs_naive)
{
    as_rng r;
    as_rng_seed(&r, 42);
    const int Ts[] = {1, 2, 3, 5, 16, 44, 130};
    const int Fs[] = {1, 7, 8, 9, 33, 1025};
    float *S = malloc(sizeof *S * 130 * 1025), *a = malloc(sizeof *a * 130 * 1025),
          *b = malloc(sizeof *b * 130 * 1025);
    for (int scalar = 0; scalar < 2; scalar++) {
        feat_median_force_scalar(scalar);
        for (size_t it = 0; it < sizeof Ts / sizeof *Ts; it++)
            for (size_t jf = 0; jf < sizeof Fs / sizeof *Fs; jf++) {
                int T = Ts[it], F = Fs[jf];
                if ((size_t)T * F > 130 * 1025 || (T > 44 && F > 33 && F < 1025)) continue;
                for (int i = 0; i < T * F; i++) {
                    /* repeated values exercise the delete-one-copy logic */
                    double u = as_rng_uniform(&r);
                    S[i] = (i % 5 == 0) ? (float)(int)(u * 4) : (float)u;
                }
                for (int axis = 0; axis < 2; axis++)
                    for (int k = 1; k <= 31; k += (k < 5 ? 2 : 26)) {
                        if (axis == 0) feat_median_time(a, S, T, F, k);
                        else feat_median_freq(a, S, T, F, k);
                        feat_median_naive(b, S, T, F, k, axis);
                        CHECK_MSG(memcmp(a, b, sizeof *a * (size_t)T * F) == 0,
                                  "median axis %d k %d T %d F %d scalar %d differs from naive",
                                  axis, k, T, F, scalar);
                    }
            }
    }
    feat_median_force_scalar(0);
    free(S);
    free(a);
    free(b);
}

/* The AVX-512 median kernel (16 lanes, time axis) against the naive twin; the test above covers
 * whichever kernel this CPU picks, so on a CPU without AVX-512 this one cannot run. */
TEST(features_median_avx512_vs_naive)
{
    if (!feat_simd(3)) SKIP("this CPU has no AVX-512F (the AVX-512 median kernel cannot run)");
    as_rng r;
    as_rng_seed(&r, 7);
    enum { T = 97, F = 1025 };
    float *S = malloc(sizeof *S * T * F), *a = malloc(sizeof *a * T * F), *b = malloc(sizeof *b * T * F);
    for (int i = 0; i < T * F; i++) S[i] = (i % 5 == 0) ? (float)(int)(as_rng_uniform(&r) * 4) : (float)as_rng_uniform(&r);
    for (int k = 1; k <= 31; k += 2) {
        feat_median_time(a, S, T, F, k);
        feat_median_naive(b, S, T, F, k, 0);
        CHECK_MSG(memcmp(a, b, sizeof *a * (size_t)T * F) == 0, "AVX-512 median k %d differs from naive", k);
    }
    free(S);
    free(a);
    free(b);
}

TEST(features_seg_stft_power)
{
    as_npy y, mag, pw;
    if (!load_ref("seg/y.npy", &y) || !load_ref("seg/stft_mag.npy", &mag) ||
        !load_ref("seg/stft_power.npy", &pw))
        return;
    int T = (int)mag.shape[1];
    as_status st;
    as_features *f = as_features_create(&st);
    CHECK_OK(st);
    float *X = malloc(sizeof *X * 2 * T * FEAT_F), *S = malloc(sizeof *S * T * FEAT_F),
          *P = malloc(sizeof *P * T * FEAT_F);
    CHECK_OK(feat_stft(f, y.data, y.count, X, S, P));
    float *Sr = transpose_ff(S, T, FEAT_F), *Pr = transpose_ff(P, T, FEAT_F);
    ref_check_npy("stft_mag", Sr, &mag, 1e-4, 1e-5 * npy_maxabs(&mag));
    ref_check_npy("stft_power", Pr, &pw, 2e-4, 1e-5 * npy_maxabs(&pw));
    free(X); free(S); free(P); free(Sr); free(Pr);
    as_features_destroy(f);
    as_npy_free(&y); as_npy_free(&mag); as_npy_free(&pw);
}

TEST(features_seg_piptrack_tuning_chroma)
{
    as_npy pw, pitch, mag, tun, fb, chroma;
    if (!load_ref("seg/stft_power.npy", &pw) || !load_ref("seg/piptrack_pitch.npy", &pitch) ||
        !load_ref("seg/piptrack_mag.npy", &mag) || !load_ref("seg/tuning.npy", &tun) ||
        !load_ref("seg/chroma_fb.npy", &fb) || !load_ref("seg/chroma_stft.npy", &chroma))
        return;
    int T = (int)pw.shape[1];
    float *P = to_frame_major(&pw);
    float *work = malloc(sizeof *work * 3 * T * 358);
    float *pp = malloc(sizeof *pp * T * FEAT_F), *pm = malloc(sizeof *pm * T * FEAT_F);
    double tuning = feat_tuning(P, T, work, pp, pm);
    CHECK_MSG(tuning == ((const double *)tun.data)[0], "tuning %.17g, librosa %.17g", tuning,
              ((const double *)tun.data)[0]);
    float *ppr = transpose_ff(pp, T, FEAT_F), *pmr = transpose_ff(pm, T, FEAT_F);
    ref_check_npy("piptrack_pitch", ppr, &pitch, 1e-6, 0);
    ref_check_npy("piptrack_mag", pmr, &mag, 1e-6, 1e-7 * npy_maxabs(&mag));
    float *cfb = malloc(sizeof *cfb * 12 * FEAT_F);
    feat_chroma_fb(cfb, ((const double *)tun.data)[0]);
    ref_check_npy("chroma_fb", cfb, &fb, 1e-6, 1e-7);
    float *ch = malloc(sizeof *ch * T * 12);
    CHECK_OK(feat_chroma(ch, P, fb.data, T));
    float *chr = transpose_ff(ch, T, 12);
    ref_check_npy("chroma_stft", chr, &chroma, 1e-5, 1e-6);
    free(P); free(work); free(pp); free(pm); free(ppr); free(pmr); free(cfb); free(ch); free(chr);
    as_npy_free(&pw); as_npy_free(&pitch); as_npy_free(&mag); as_npy_free(&tun);
    as_npy_free(&fb); as_npy_free(&chroma);
}

TEST(features_seg_mel_mfcc)
{
    as_npy pw, mb, mdb, mfcc;
    if (!load_ref("seg/stft_power.npy", &pw) || !load_ref("seg/mel_basis.npy", &mb) ||
        !load_ref("seg/melspec_db.npy", &mdb) || !load_ref("seg/mfcc.npy", &mfcc))
        return;
    int T = (int)pw.shape[1];
    float *P = to_frame_major(&pw);
    float *fb = malloc(sizeof *fb * FEAT_NMELS * FEAT_F);
    int lo[FEAT_NMELS], hi[FEAT_NMELS];
    feat_mel_fb(fb, lo, hi);
    ref_check_npy("mel_basis", fb, &mb, 1e-6, 0);
    float *M = malloc(sizeof *M * T * FEAT_NMELS);
    feat_mel_db(M, P, T, fb, lo, hi);
    float *Mr = transpose_ff(M, T, FEAT_NMELS);
    ref_check_npy("melspec_db", Mr, &mdb, 0, 1e-3);
    double D[FEAT_NMFCC * FEAT_NMELS];
    feat_dct_matrix(D);
    double *c = malloc(sizeof *c * T * FEAT_NMFCC);
    feat_mfcc(c, M, T, D);
    float *cf = malloc(sizeof *cf * T * FEAT_NMFCC);
    for (int i = 0; i < T * FEAT_NMFCC; i++) cf[i] = (float)c[i];
    float *cr = transpose_ff(cf, T, FEAT_NMFCC);
    ref_check_npy("mfcc", cr, &mfcc, 1e-5, 1e-3);
    free(P); free(fb); free(M); free(Mr); free(c); free(cf); free(cr);
    as_npy_free(&pw); as_npy_free(&mb); as_npy_free(&mdb); as_npy_free(&mfcc);
}

TEST(features_seg_spectral_rms_zcr)
{
    as_npy y, mag, cen, bw, ro, rms, zcr;
    if (!load_ref("seg/y.npy", &y) || !load_ref("seg/stft_mag.npy", &mag) ||
        !load_ref("seg/spectral_centroid.npy", &cen) ||
        !load_ref("seg/spectral_bandwidth.npy", &bw) ||
        !load_ref("seg/spectral_rolloff.npy", &ro) || !load_ref("seg/rms.npy", &rms) ||
        !load_ref("seg/zcr.npy", &zcr))
        return;
    int T = (int)mag.shape[1];
    float *S = to_frame_major(&mag);
    double *c = malloc(sizeof *c * T), *b = malloc(sizeof *b * T), *r = malloc(sizeof *r * T);
    feat_spectral(c, b, r, S, T);
    ref_check_dd("spectral_centroid", c, cen.data, T, 1e-6, 0);
    ref_check_dd("spectral_bandwidth", b, bw.data, T, 1e-6, 0);
    ref_check_dd("spectral_rolloff", r, ro.data, T, 0, 0);
    double *q = malloc(sizeof *q * T);
    CHECK_OK(feat_rms(q, y.data, y.count, T));
    float *qf = malloc(sizeof *qf * T);
    for (int t = 0; t < T; t++) qf[t] = (float)q[t];
    ref_check_npy("rms", qf, &rms, 1e-6, 0);
    CHECK_OK(feat_zcr(q, y.data, y.count, T));
    ref_check_dd("zcr", q, zcr.data, T, 0, 0);
    free(S); free(c); free(b); free(r); free(q); free(qf);
    as_npy_free(&y); as_npy_free(&mag); as_npy_free(&cen); as_npy_free(&bw);
    as_npy_free(&ro); as_npy_free(&rms); as_npy_free(&zcr);
}

TEST(features_seg_onset_tempo)
{
    as_npy mdb, env, tgm, sc, tempo;
    if (!load_ref("seg/melspec_db.npy", &mdb) || !load_ref("seg/onset_env.npy", &env) ||
        !load_ref("seg/tempogram_mean.npy", &tgm) || !load_ref("seg/tempo_score.npy", &sc) ||
        !load_ref("seg/tempo.npy", &tempo))
        return;
    int T = (int)mdb.shape[1];
    float *M = to_frame_major(&mdb);
    float *e = malloc(sizeof *e * T), work[FEAT_NMELS];
    feat_onset_env(e, M, T, work);
    ref_check_npy("onset_env", e, &env, 1e-6, 1e-6);
    feat_tempo_ws *w = feat_tempo_create();
    double g[FEAT_AC], s[FEAT_AC];
    double bpm = feat_tempo(w, env.data, T, g, s);
    ref_check_dd("tempogram_mean", g, tgm.data, FEAT_AC, 1e-5, 1e-9);
    const double *sr = sc.data;
    for (int l = 0; l < 9; l++) CHECK(isinf(s[l]) && s[l] < 0 && isinf(sr[l]));
    ref_check_dd("tempo_score", s + 9, sr + 9, FEAT_AC - 9, 1e-6, 1e-6);
    CHECK_MSG(bpm == ((const double *)tempo.data)[0], "tempo %.17g, librosa %.17g", bpm,
              ((const double *)tempo.data)[0]);
    /* the envelope computed here gives the same tempo */
    CHECK(feat_tempo(w, e, T, NULL, NULL) == bpm);
    feat_tempo_destroy(w);
    free(M); free(e);
    as_npy_free(&mdb); as_npy_free(&env); as_npy_free(&tgm); as_npy_free(&sc); as_npy_free(&tempo);
}

TEST(features_seg_hpss)
{
    as_npy mag, mh, mp, y, harm, perc;
    if (!load_ref("seg/stft_mag.npy", &mag) || !load_ref("seg/hpss_mask_harm.npy", &mh) ||
        !load_ref("seg/hpss_mask_perc.npy", &mp) || !load_ref("seg/y.npy", &y) ||
        !load_ref("seg/harmonic.npy", &harm) || !load_ref("seg/percussive.npy", &perc))
        return;
    int T = (int)mag.shape[1];
    size_t TF = (size_t)T * FEAT_F;
    float *S = to_frame_major(&mag);
    float *H = malloc(sizeof *H * TF), *Q = malloc(sizeof *Q * TF);
    CHECK_OK(feat_median_time(H, S, T, FEAT_F, 31));
    CHECK_OK(feat_median_freq(Q, S, T, FEAT_F, 31));
    feat_hpss_masks(H, Q, H, Q, TF);
    float *Hr = transpose_ff(H, T, FEAT_F), *Qr = transpose_ff(Q, T, FEAT_F);
    /* identical input magnitudes: the masks are float32 ops on exact medians */
    ref_check_npy("hpss_mask_harm", Hr, &mh, 0, 1e-6);
    ref_check_npy("hpss_mask_perc", Qr, &mp, 0, 1e-6);
    /* the SIMD masks equal the scalar ones bit for bit */
    {
        float *H2 = malloc(sizeof *H2 * TF), *Q2 = malloc(sizeof *Q2 * TF);
        float *a = malloc(sizeof *a * TF), *b = malloc(sizeof *b * TF);
        feat_median_time(H2, S, T, FEAT_F, 31);
        feat_median_freq(Q2, S, T, FEAT_F, 31);
        feat_median_force_scalar(1);
        feat_hpss_masks(a, b, H2, Q2, TF);
        feat_median_force_scalar(0);
        CHECK(memcmp(a, H, sizeof *a * TF) == 0 && memcmp(b, Q, sizeof *b * TF) == 0);
        free(H2); free(Q2); free(a); free(b);
    }
    /* whole pipeline from y: compare the time-domain signals through the public API path */
    as_status st;
    as_features *f = as_features_create(&st);
    CHECK_OK(st);
    double out[AS_FEATURES_COUNT];
    CHECK_OK(as_features_compute(f, y.data, y.count, out));
    double hmax = npy_maxabs(&harm), pmax = npy_maxabs(&perc);
    ref_check_npy("harmonic", feat_last_hpss(f, 0), &harm, 0, 2e-6 * hmax);
    ref_check_npy("percussive", feat_last_hpss(f, 1), &perc, 0, 2e-6 * pmax);
    /* the fix_length tail: the last n - 512 (T - 1) samples are exactly zero */
    const float *hh = feat_last_hpss(f, 0), *pp = feat_last_hpss(f, 1);
    int zeros = 1;
    for (int64_t i = (int64_t)512 * (T - 1); i < y.count; i++) zeros &= hh[i] == 0.0f && pp[i] == 0.0f;
    CHECK(zeros && y.count - 512 * (T - 1) == 101);
    free(S); free(H); free(Q); free(Hr); free(Qr);
    as_features_destroy(f);
    as_npy_free(&mag); as_npy_free(&mh); as_npy_free(&mp); as_npy_free(&y);
    as_npy_free(&harm); as_npy_free(&perc);
}

/* ---- full rows ------------------------------------------------------------------------------*/

/* Tolerance of column i (MANIFEST section 3): |d| <= atol + rtol |ref|. */
static void col_tol(int i, double *rtol, double *atol)
{
    *rtol = 1e-5;
    *atol = 1e-12;
    if (i == 16) { *rtol = 0; *atol = 0; }                    /* tempo: exact */
    else if (i == 10 || i == 11) { *rtol = 1e-12; *atol = 0; } /* zcr: exact counts */
    else if (i == 8 || i == 9) *rtol = 5e-4;                   /* rolloff: bin flips */
    else if (i == 12 || i == 14) *atol = 1e-8;                 /* harmony/perceptr means */
    else if (i >= 17 && (i - 17) % 2 == 0) *atol = 1e-4;       /* mfcc means */
}

static int check_row(const char *what, const double *got, const double *ref)
{
    int ok = 1;
    for (int i = 0; i < AS_FEATURES_COUNT; i++) {
        double rt, at;
        col_tol(i, &rt, &at);
        double d = fabs(got[i] - ref[i]);
        if (!isfinite(got[i]) || !(d <= at + rt * fabs(ref[i]))) {
            harness_fail(__FILE__, __LINE__, "%s: %s = %.17g, librosa %.17g (rel %.3g)", what,
                         as_features_column(i), got[i], ref[i], d / fabs(ref[i]));
            ok = 0;
        }
    }
    return ok;
}

/* Finds the row named `name` in a Kaggle-schema CSV; fills length and the 57 values. */
static int csv_row(const char *rel, const char *name, long *length, double *v)
{
    FILE *fp = fopen(ref_path(rel), "r");
    if (!fp) { harness_fail(__FILE__, __LINE__, "cannot open %s", rel); return 0; }
    char line[8192];
    int found = 0;
    while (fgets(line, sizeof line, fp)) {
        char *c = strchr(line, ',');
        if (!c) continue;
        *c = 0;
        if (strcmp(line, name) != 0) continue;
        char *p = c + 1, *end;
        *length = strtol(p, &end, 10);
        p = end;
        for (int i = 0; i < AS_FEATURES_COUNT; i++) {
            if (*p != ',') break;
            v[i] = strtod(p + 1, &end);
            p = end;
            found = i + 1;
        }
        break;
    }
    fclose(fp);
    if (found != AS_FEATURES_COUNT) {
        harness_fail(__FILE__, __LINE__, "row %s not found in %s", name, rel);
        return 0;
    }
    return 1;
}

TEST(features_columns)
{
    CHECK(as_features_count() == 57);
    CHECK(strcmp(as_features_column(0), "chroma_stft_mean") == 0);
    CHECK(strcmp(as_features_column(16), "tempo") == 0);
    CHECK(strcmp(as_features_column(56), "mfcc20_var") == 0);
    CHECK(as_features_column(57) == NULL && as_features_column(-1) == NULL);
    int64_t hop, len;
    CHECK(as_features_segments(661794, 3, &hop, &len) == 10 && hop == 66150 && len == 66149);
    CHECK(as_features_segments(661408, 3, NULL, NULL) == 9);
    CHECK(as_features_segments(220500, 3, NULL, NULL) == 3);
    CHECK(as_features_segments(66148, 3, NULL, NULL) == 0);
    CHECK(as_features_segments(66149, 3, NULL, NULL) == 1);
    /* the header of the committed Kaggle CSV lists the same columns */
    FILE *fp = fopen("data/gtzan/features_30_sec.csv", "r");
    if (fp) {
        char line[4096];
        if (fgets(line, sizeof line, fp)) {
            char want[4096];
            int o = snprintf(want, sizeof want, "filename,length");
            for (int i = 0; i < 57; i++) o += snprintf(want + o, sizeof want - o, ",%s", as_features_column(i));
            snprintf(want + o, sizeof want - o, ",label");
            CHECK_MSG(strncmp(line, want, strlen(want)) == 0, "header differs: %s", line);
        }
        fclose(fp);
    }
}

TEST(features_seg_row)
{
    as_npy y;
    if (!load_ref("seg/y.npy", &y)) return;
    double ref[57], out[57];
    long len;
    if (!csv_row("features/demo_3sec.csv", "techno_torustrooper_tt1.1.flac", &len, ref)) return;
    CHECK(len == y.count);
    as_status st;
    as_features *f = as_features_create(&st);
    CHECK_OK(as_features_compute(f, y.data, y.count, out));
    check_row("seg", out, ref);
    double bpm;
    CHECK_OK(as_features_tempo(f, y.data, y.count, &bpm));
    CHECK(bpm == ref[16]);
    as_features_destroy(f);
    as_npy_free(&y);
}

TEST(features_seg_whole_cases)
{
    as_npy y;
    if (!load_ref("seg_whole/full/y.npy", &y)) return;
    as_status st;
    as_features *f = as_features_create(&st);
    struct { const char *dir; int64_t n; int zeros; } cases[] = {
        {"full", y.count, 0}, {"prefix_1s", 22050, 0}, {"prefix_0.1s", 2205, 0}, {"zeros_1s", 22050, 1},
    };
    float *z = calloc(22050, sizeof *z);
    for (int c = 0; c < 4; c++) {
        char rel[128];
        snprintf(rel, sizeof rel, "seg_whole/%s/features.npy", cases[c].dir);
        as_npy ref;
        if (!load_ref(rel, &ref)) continue;
        double out[57];
        CHECK_OK(as_features_compute(f, cases[c].zeros ? z : y.data, cases[c].n, out));
        check_row(cases[c].dir, out, ref.data);
        as_npy_free(&ref);
    }
    /* short signals around the frame boundaries: all outputs finite, tempo 0 or a lag's BPM */
    double out[57];
    const int64_t lens[] = {1025, 1500, 2047, 2048, 2049, 2560, 3000, 4096, 5000, 66149};
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
        CHECK_OK(as_features_compute(f, (const float *)y.data + 1000, lens[i], out));
        int finite = 1;
        for (int c = 0; c < 57; c++) finite &= isfinite(out[c]);
        CHECK_MSG(finite, "non-finite feature for n = %lld", (long long)lens[i]);
        double lag = out[16] > 0 ? 60.0 * 22050 / (512.0 * out[16]) : 0;
        CHECK(out[16] == 0 || fabs(lag - floor(lag + 0.5)) < 1e-9);
    }
    /* too short and bad input */
    CHECK(as_features_compute(f, y.data, 1024, out) == AS_ERR_ARG);
    CHECK(as_features_compute(f, y.data, 0, out) == AS_ERR_EMPTY);
    z[5] = NAN;
    CHECK(as_features_compute(f, z, 22050, out) == AS_ERR_NUMERIC);
    free(z);
    as_features_destroy(f);
    as_npy_free(&y);
}

static void check_example(const char *name, int segments)
{
    char path[256];
    snprintf(path, sizeof path, "examples/%s.flac", name);
    as_signal s = {0};
    as_error err = {0};
    if (as_audio_load(path, NULL, &s, &err) != AS_OK) {
        harness_fail(__FILE__, __LINE__, "%s", err.msg);
        return;
    }
    as_status st;
    as_features *f = as_features_create(&st);
    double out[57], ref[57];
    long len;
    if (!segments) {
        char row[256];
        snprintf(row, sizeof row, "%s.flac", name);
        if (csv_row("features/demo_whole.csv", row, &len, ref)) {
            CHECK(len == s.n);
            CHECK_OK(as_features_compute(f, s.data, s.n, out));
            check_row(row, out, ref);
        }
    } else {
        int64_t hop, sl, ns = as_features_segments(s.n, 3, &hop, &sl);
        CHECK(ns == 3);
        for (int64_t k = 0; k < ns; k++) {
            char row[256];
            snprintf(row, sizeof row, "%s.%d.flac", name, (int)k);
            if (!csv_row("features/demo_3sec.csv", row, &len, ref)) continue;
            CHECK(len == sl);
            CHECK_OK(as_features_compute(f, s.data + k * hop, sl, out));
            check_row(row, out, ref);
        }
    }
    as_features_destroy(f);
    as_signal_free(&s);
}

TEST(features_simd_equals_scalar)
{
    /* every SIMD kernel of the module is built to give the scalar kernel's bits exactly */
    as_npy y;
    if (!load_ref("seg/y.npy", &y)) return;
    as_status st;
    as_features *f = as_features_create(&st);
    double a[57], b[57];
    CHECK_OK(as_features_compute(f, y.data, y.count, a));
    feat_median_force_scalar(1);
    CHECK_OK(as_features_compute(f, y.data, y.count, b));
    feat_median_force_scalar(0);
    for (int i = 0; i < 57; i++)
        CHECK_MSG(memcmp(&a[i], &b[i], sizeof a[i]) == 0, "%s: SIMD %.17g, scalar %.17g",
                  as_features_column(i), a[i], b[i]);
    as_features_destroy(f);
    as_npy_free(&y);
}

TEST(features_examples_whole)
{
    check_example("techno_torustrooper_tt1", 0);
    check_example("misc_funnyboat_jdruid", 0);
    check_example("metal_sectoid_metal_madness", 0);
    check_example("rock_sectoid_feelings", 0);
}

TEST(features_examples_3sec)
{
    check_example("techno_torustrooper_tt1", 1);
    check_example("misc_funnyboat_jdruid", 1);
    check_example("metal_sectoid_metal_madness", 1);
    check_example("rock_sectoid_feelings", 1);
}

TEST(features_csv_roundtrip)
{
    /* header exact, one line per row, every number reads back to the same double */
    double v[2][57];
    as_rng r;
    as_rng_seed(&r, 7);
    for (int i = 0; i < 57; i++) {
        v[0][i] = (as_rng_uniform(&r) - 0.5) * pow(10.0, (int)(as_rng_uniform(&r) * 40) - 20);
        v[1][i] = i;
    }
    v[0][16] = 123.046875;
    v[0][3] = 0.1;
    v[0][4] = -0.0;
    v[0][5] = 1e-300;
    as_features_row rows[2] = {{"a,b \"c\".wav", 661794, v[0], "blues"}, {"x.flac", 66149, v[1], NULL}};
    char path[512];
    snprintf(path, sizeof path, "%s/f.csv", scratch_dir());
    as_error err = {0};
    CHECK_OK(as_features_write_csv(path, rows, 2, &err));
    FILE *fp = fopen(path, "r");
    CHECK(fp != NULL);
    if (!fp) return;
    char line[8192];
    CHECK(fgets(line, sizeof line, fp) != NULL);
    char want[4096];
    int o = snprintf(want, sizeof want, "filename,length");
    for (int i = 0; i < 57; i++) o += snprintf(want + o, sizeof want - o, ",%s", as_features_column(i));
    snprintf(want + o, sizeof want - o, ",label\n");
    CHECK(strcmp(line, want) == 0);
    for (int rr = 0; rr < 2; rr++) {
        CHECK(fgets(line, sizeof line, fp) != NULL);
        char *p = line;
        if (rr == 0) {
            const char *q = "\"a,b \"\"c\"\".wav\",";
            CHECK(strncmp(p, q, strlen(q)) == 0);
            p += strlen(q);
        } else {
            CHECK(strncmp(p, "x.flac,", 7) == 0);
            p += 7;
        }
        char *end;
        long len = strtol(p, &end, 10);
        CHECK(len == rows[rr].length);
        p = end;
        for (int i = 0; i < 57; i++) {
            CHECK(*p == ',');
            double d = strtod(p + 1, &end);
            CHECK_MSG(memcmp(&d, &v[rr][i], sizeof d) == 0 || (d == 0 && v[rr][i] == 0),
                      "row %d column %d: %.17g read back as %.17g", rr, i, v[rr][i], d);
            p = end;
        }
        CHECK(strcmp(p, rr == 0 ? ",blues\n" : ",\n") == 0);
    }
    CHECK(fgets(line, sizeof line, fp) == NULL);
    fclose(fp);
    /* a folder that does not exist: an error naming the file, nothing left behind */
    snprintf(path, sizeof path, "%s/no/such/f.csv", scratch_dir());
    CHECK(as_features_write_csv(path, rows, 2, &err) == AS_ERR_IO);
    CHECK(strstr(err.msg, "f.csv") != NULL);
}

static int cmp_f32(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

TEST(features_select_kth_matches_sort)
{
    as_rng r;
    as_rng_seed(&r, 11);
    float v[300], s[300];
    for (int trial = 0; trial < 300; trial++) {
        size_t n = 1 + as_rng_next(&r) % 300;
        for (size_t i = 0; i < n; i++) v[i] = (float)(as_rng_next(&r) % 50) - 25.0f; /* many ties */
        memcpy(s, v, sizeof(float) * n);
        qsort(s, n, sizeof(float), cmp_f32);
        size_t k = as_rng_next(&r) % n;
        float got = feat_select_kth(v, n, k);
        CHECK_MSG(got == s[k], "n %zu k %zu: got %g want %g", n, k, got, s[k]);
    }
}
