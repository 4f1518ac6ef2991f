/* test_quality.c — the transfer-quality metrics (src/quality) and the one analysis per track
 * (src/features/analysis.c): per-frame arrays of the demo content and style against librosa
 * 0.9.2 (tests/ref/quality), the five metrics against expected.tsv, the matrix square roots
 * against a Denman-Beavers twin, and the short, silent and constant cases. */
#include "harness.h"
#include "features/features.h"
#include "quality/quality.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONTENT "../../examples/techno_torustrooper_tt1.flac"
#define STYLE "../../examples/metal_sectoid_metal_madness.flac"

static int load_audio(const char *rel, as_signal *y)
{
    as_error err = {0};
    if (as_audio_load(ref_path(rel), NULL, y, &err) != AS_OK) {
        harness_fail(__FILE__, __LINE__, "cannot load %s: %s", rel, err.msg);
        return 0;
    }
    return 1;
}

/* ---- per-frame arrays vs librosa 0.9.2 ------------------------------------------------------ */
static void check_arrays(const char *which, const char *audio)
{
    char p[3][128];
    snprintf(p[0], sizeof p[0], "quality/%s_mfcc1_19.npy", which);
    snprintf(p[1], sizeof p[1], "quality/%s_onset.npy", which);
    snprintf(p[2], sizeof p[2], "quality/%s_chroma_tc.npy", which);
    as_npy mf, on, ch;
    as_signal y = {0};
    if (!load_ref(p[0], &mf) || !load_ref(p[1], &on) || !load_ref(p[2], &ch) || !load_audio(audio, &y)) return;
    as_analysis *a = NULL;
    CHECK_OK(as_analysis_create(NULL, y.data, y.n, &a));
    if (!a) goto out;
    int T = as_analysis_frames(a);
    CHECK_MSG(mf.shape[0] == 19 && mf.shape[1] == T && on.shape[0] == T && ch.shape[0] == T && ch.shape[1] == 12,
              "%s: reference shapes (%lld, %lld), (%lld,), (%lld, %lld) vs T = %d", which,
              (long long)mf.shape[0], (long long)mf.shape[1], (long long)on.shape[0], (long long)ch.shape[0],
              (long long)ch.shape[1], T);
    if (harness_failed()) goto out;
    /* MFCC 1..19 as (19, T): the project's MFCC tolerance (rtol 1e-5, atol 1e-3 on dB-scaled
     * coefficients) */
    double *m = malloc(sizeof *m * 19 * (size_t)T);
    const double *mfcc = as_analysis_mfcc(a);
    for (int q = 0; q < 19; q++)
        for (int t = 0; t < T; t++) m[(size_t)q * T + t] = mfcc[(size_t)t * FEAT_NMFCC + 1 + q];
    char name[64];
    snprintf(name, sizeof name, "%s mfcc1_19", which);
    ref_check_dd(name, m, mf.data, 19 * (size_t)T, 1e-5, 1e-3);
    /* the mean onset envelope (librosa's default aggregate): onset tolerance rtol 1e-6 with an
     * absolute floor of 1e-5 of the envelope's maximum (float32 sums of 128 dB differences) */
    snprintf(name, sizeof name, "%s onset", which);
    ref_check_fd(name, as_analysis_onset(a), on.data, (size_t)T, 1e-6, 1e-5 * npy_maxabs(&on));
    /* chroma (T, 12) as the project's chroma_stft tolerance */
    snprintf(name, sizeof name, "%s chroma", which);
    ref_check_fd(name, as_analysis_chroma(a), ch.data, 12 * (size_t)T, 1e-5, 1e-6);
    free(m);
out:
    as_analysis_destroy(a);
    as_signal_free(&y);
    as_npy_free(&mf);
    as_npy_free(&on);
    as_npy_free(&ch);
}

TEST(quality_content_arrays_vs_librosa) { check_arrays("content", CONTENT); }
TEST(quality_style_arrays_vs_librosa) { check_arrays("style", STYLE); }

/* ---- the metrics vs expected.tsv ------------------------------------------------------------ */
typedef struct expected_row {
    char result[100];
    double v[6]; /* fd_content_style, style_distance_ratio, rhythm, chroma, flatness, level_db */
} expected_row;

static int read_expected(expected_row *rows, int max)
{
    char *txt = read_all(ref_path("quality/expected.tsv"), NULL);
    if (!txt) {
        harness_fail(__FILE__, __LINE__, "cannot read quality/expected.tsv");
        return 0;
    }
    int n = 0;
    char *save = NULL;
    for (char *line = strtok_r(txt, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!strncmp(line, "content\t", 8) || n >= max) continue;
        char c[100], s[100];
        expected_row *r = &rows[n];
        if (sscanf(line, "%99s %99s %99s %lf %lf %lf %lf %lf %lf", c, s, r->result, &r->v[0], &r->v[1],
                   &r->v[2], &r->v[3], &r->v[4], &r->v[5]) == 9)
            n++;
    }
    free(txt);
    return n;
}

TEST(quality_metrics_vs_expected)
{
    expected_row rows[8];
    int nrows = read_expected(rows, 8);
    CHECK(nrows == 5);
    as_signal c = {0}, s = {0};
    if (!load_audio(CONTENT, &c) || !load_audio(STYLE, &s)) return;
    as_status st;
    as_features *fx = as_features_create(&st);
    as_analysis *ac = NULL, *as = NULL;
    CHECK_OK(as_analysis_create(fx, c.data, c.n, &ac));
    CHECK_OK(as_analysis_create(fx, s.data, s.n, &as));
    static const char *const key[6] = {"fd_content_style", "style_distance_ratio", "rhythm_correlation",
                                       "chroma_similarity", "flatness_ratio", "level_db"};
    double worst = 0;
    int tested = 0;
    for (int i = 0; i < nrows && ac && as; i++) {
        char rel[2048];
        snprintf(rel, sizeof rel, "quality/%s", rows[i].result);
        FILE *fp = fopen(ref_path(rel), "rb");
        if (!fp) continue; /* only three of the five results are kept in tests/ref */
        fclose(fp);
        as_signal r = {0};
        if (!load_audio(rel, &r)) continue;
        as_analysis *ar = NULL;
        as_quality q;
        as_error err = {0};
        CHECK_OK(as_analysis_create(fx, r.data, r.n, &ar));
        CHECK_OK(as_quality_from_analyses(ac, as, ar, &q, &err));
        double got[6] = {q.fd_content_style, q.style_distance_ratio, q.rhythm_correlation,
                         q.chroma_similarity, q.flatness_ratio, q.level_db};
        for (int k = 0; k < 6; k++) {
            double ref = rows[i].v[k], e = fabs(got[k] - ref);
            double rel_e = fabs(ref) > 1 ? e / fabs(ref) : e; /* relative, absolute near 0 */
            worst = fmax(worst, rel_e);
            printf("  %-36s %-20s %.9g (ref %.9g, err %.2e)\n", rows[i].result, key[k], got[k], ref, rel_e);
            CHECK_MSG(rel_e <= 1e-3, "%s %s = %.9g, expected %.9g", rows[i].result, key[k], got[k], ref);
        }
        /* the signal entry point gives the same numbers */
        as_quality q2;
        CHECK_OK(as_quality_compute(c.data, c.n, s.data, s.n, r.data, r.n, &q2, &err));
        CHECK(memcmp(&q, &q2, sizeof q) == 0);
        tested++;
        as_analysis_destroy(ar);
        as_signal_free(&r);
    }
    CHECK(tested == 3);
    printf("  worst error vs expected.tsv over %d results: %.2e\n", tested, worst);
    as_analysis_destroy(ac);
    as_analysis_destroy(as);
    as_features_destroy(fx);
    as_signal_free(&c);
    as_signal_free(&s);
}

/* ---- the features from an analysis are the direct ones, bit for bit ----------------------- */
TEST(quality_analysis_features_bit_identical)
{
    as_signal y = {0};
    if (!load_audio(CONTENT, &y)) return;
    as_status st;
    as_features *f = as_features_create(&st);
    double direct[AS_FEATURES_COUNT], shared[AS_FEATURES_COUNT], t1 = 0, t2 = 0;
    CHECK_OK(as_features_compute(f, y.data, y.n, direct));
    CHECK_OK(as_features_tempo(f, y.data, y.n, &t1));
    as_analysis *a = NULL;
    CHECK_OK(as_analysis_create(f, y.data, y.n, &a));
    CHECK_OK(as_features_compute_analysis(f, a, shared));
    CHECK_OK(as_features_tempo_analysis(f, a, &t2));
    CHECK(memcmp(direct, shared, sizeof direct) == 0);
    CHECK(t1 == t2 && t1 == direct[16]);
    /* a 3-s segment too (another T) */
    CHECK_OK(as_features_compute(f, y.data + 66150, 66149, direct));
    as_analysis *b = NULL;
    CHECK_OK(as_analysis_create(NULL, y.data + 66150, 66149, &b));
    CHECK_OK(as_features_compute_analysis(f, b, shared));
    CHECK(memcmp(direct, shared, sizeof direct) == 0);
    int64_t n = 0;
    CHECK(as_analysis_signal(b, &n) != NULL && n == 66149 && as_analysis_frames(b) == 130);
    as_analysis_destroy(a);
    as_analysis_destroy(b);
    as_features_destroy(f);
    as_signal_free(&y);
}

/* ---- matrix square roots ---------------------------------------------------------------------- */
/* Gauss-Jordan inverse with partial pivoting (naive; d small). */
static int invert(double *inv, const double *A, int d)
{
    double *m = malloc(sizeof *m * (size_t)d * 2 * d);
    for (int i = 0; i < d; i++)
        for (int j = 0; j < 2 * d; j++) m[i * 2 * d + j] = j < d ? A[i * d + j] : (j - d == i);
    for (int c = 0; c < d; c++) {
        int p = c;
        for (int i = c + 1; i < d; i++)
            if (fabs(m[i * 2 * d + c]) > fabs(m[p * 2 * d + c])) p = i;
        if (m[p * 2 * d + c] == 0) {
            free(m);
            return 0;
        }
        for (int j = 0; j < 2 * d; j++) {
            double t = m[c * 2 * d + j];
            m[c * 2 * d + j] = m[p * 2 * d + j];
            m[p * 2 * d + j] = t;
        }
        double piv = m[c * 2 * d + c];
        for (int j = 0; j < 2 * d; j++) m[c * 2 * d + j] /= piv;
        for (int i = 0; i < d; i++) {
            if (i == c) continue;
            double f = m[i * 2 * d + c];
            for (int j = 0; j < 2 * d; j++) m[i * 2 * d + j] -= f * m[c * 2 * d + j];
        }
    }
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) inv[i * d + j] = m[i * 2 * d + d + j];
    free(m);
    return 1;
}

static void matmul(double *C, const double *A, const double *B, int d)
{
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) {
            double s = 0;
            for (int k = 0; k < d; k++) s += A[i * d + k] * B[k * d + j];
            C[i * d + j] = s;
        }
}

/* The naive twin: Denman-Beavers iteration Y <- (Y + Z^-1) / 2, Z <- (Z + Y^-1) / 2 from Y = M,
 * Z = I converges to M^1/2 for M with no eigenvalues on the closed negative axis. */
static void sqrtm_db(double *Y, const double *M, int d)
{
    size_t dd = (size_t)d * d;
    double *Z = malloc(sizeof *Z * dd), *Yi = malloc(sizeof *Yi * dd), *Zi = malloc(sizeof *Zi * dd);
    memcpy(Y, M, sizeof *Y * dd);
    for (size_t i = 0; i < dd; i++) Z[i] = (i % (size_t)(d + 1)) == 0;
    for (int it = 0; it < 60; it++) {
        if (!invert(Yi, Y, d) || !invert(Zi, Z, d)) break;
        for (size_t i = 0; i < dd; i++) {
            Y[i] = 0.5 * (Y[i] + Zi[i]);
            Z[i] = 0.5 * (Z[i] + Yi[i]);
        }
    }
    free(Z);
    free(Yi);
    free(Zi);
}

/* A random SPD matrix G G^T + eps I with a wide eigenvalue spread, like MFCC covariances. */
static void random_spd(double *A, int d, as_rng *r, double scale)
{
    double *G = malloc(sizeof *G * (size_t)d * d);
    for (int i = 0; i < d * d; i++) G[i] = (as_rng_uniform(r) - 0.5) * scale / (1 + i % d);
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) {
            double s = i == j ? 1e-3 : 0;
            for (int k = 0; k < d; k++) s += G[i * d + k] * G[j * d + k];
            A[i * d + j] = s;
        }
    free(G);
}

TEST(quality_sqrtm_vs_denman_beavers)
{
    enum { D = QUALITY_D };
    as_rng r;
    as_rng_seed(&r, 7);
    double A[D * D], B[D * D], R[D * D], RR[D * D], Y[D * D], AB[D * D], M[D * D];
    for (int rep = 0; rep < 3; rep++) {
        random_spd(A, D, &r, 30.0);
        random_spd(B, D, &r, 10.0);
        CHECK_OK(quality_sqrtm_sym(R, A, D));
        /* R R = A and R = the Denman-Beavers square root */
        matmul(RR, R, R, D);
        double na = 0;
        for (int i = 0; i < D * D; i++) na = fmax(na, fabs(A[i]));
        ref_check_dd("sqrtm(A)^2", RR, A, D * D, 0, 1e-10 * na);
        sqrtm_db(Y, A, D);
        double nr = 0;
        for (int i = 0; i < D * D; i++) nr = fmax(nr, fabs(R[i]));
        ref_check_dd("sqrtm(A) vs Denman-Beavers", R, Y, D * D, 0, 1e-9 * nr);
        /* tr((A B)^1/2) by the symmetric form vs Denman-Beavers on the product itself */
        double tr = 0;
        CHECK_OK(quality_trace_sqrt_product(A, B, D, &tr));
        matmul(AB, A, B, D);
        sqrtm_db(M, AB, D);
        double tr_db = 0;
        for (int i = 0; i < D; i++) tr_db += M[i * D + i];
        CHECK_NEAR(tr, tr_db, 1e-9 * fabs(tr_db));
    }
}

TEST(quality_frechet_known_cases)
{
    /* diagonal covariances commute: FD = |dm|^2 + sum (sqrt a_i - sqrt b_i)^2 */
    enum { D = 4 };
    double ma[D] = {1, 2, 3, 4}, mb[D] = {0, 2, 5, 4};
    double A[D * D] = {0}, B[D * D] = {0};
    double a[D] = {4, 9, 1, 0.25}, b[D] = {1, 16, 1, 0};
    double want = 1 + 4;
    for (int i = 0; i < D; i++) {
        A[i * D + i] = a[i];
        B[i * D + i] = b[i];
        want += (sqrt(a[i]) - sqrt(b[i])) * (sqrt(a[i]) - sqrt(b[i]));
    }
    double fd = -1;
    CHECK_OK(as_quality_frechet(ma, A, mb, B, D, &fd));
    CHECK_NEAR(fd, want, 1e-12 * want);
    /* a rotated pair: FD is invariant under a common rotation Q A Q^T, Q B Q^T */
    double c = cos(0.3), s = sin(0.3);
    double Q[D * D] = {c, -s, 0, 0, s, c, 0, 0, 0, 0, c, -s, 0, 0, s, c}, QA[D * D], QAQ[D * D], QB[D * D],
           QBQ[D * D], Qt[D * D];
    for (int i = 0; i < D; i++)
        for (int j = 0; j < D; j++) Qt[i * D + j] = Q[j * D + i];
    matmul(QA, Q, A, D);
    matmul(QAQ, QA, Qt, D);
    matmul(QB, Q, B, D);
    matmul(QBQ, QB, Qt, D);
    double fd2 = -1;
    CHECK_OK(as_quality_frechet(ma, QAQ, mb, QBQ, D, &fd2));
    CHECK_NEAR(fd2, want, 1e-10 * want);
    /* identical Gaussians: 0, never a negative round-off */
    CHECK_OK(as_quality_frechet(ma, QAQ, ma, QAQ, D, &fd2));
    CHECK(fd2 >= 0 && fd2 < 1e-12);
    /* zero covariances (constant signals): the squared mean distance */
    double Z[D * D] = {0};
    CHECK_OK(as_quality_frechet(ma, Z, mb, Z, D, &fd2));
    CHECK_NEAR(fd2, 5.0, 1e-15);
    CHECK(as_quality_frechet(ma, A, mb, B, 0, &fd2) == AS_ERR_ARG);
    CHECK(as_quality_frechet(NULL, A, mb, B, D, &fd2) == AS_ERR_ARG);
}

/* ---- short, silent and constant inputs ------------------------------------------------------ */
static int all_finite(const as_quality *q)
{
    return isfinite(q->style_distance_ratio) && isfinite(q->rhythm_correlation) && isfinite(q->chroma_similarity) &&
           isfinite(q->flatness_ratio) && isfinite(q->level_db) && isfinite(q->fd_content_style);
}

TEST(quality_short_silent_constant)
{
    as_signal c = {0}, s = {0};
    if (!load_audio(CONTENT, &c) || !load_audio(STYLE, &s)) return;
    int64_t n = 3 * AS_SR;
    float *zero = calloc((size_t)n, sizeof(float)), *dc = malloc(sizeof(float) * (size_t)n);
    for (int64_t i = 0; i < n; i++) dc[i] = 0.25f;
    as_quality q;
    as_error err = {0};
    /* too short for a centred frame: AS_ERR_ARG naming the input */
    CHECK(as_quality_compute(c.data, c.n, s.data, s.n, c.data, 1024, &q, &err) == AS_ERR_ARG);
    CHECK(strstr(err.msg, "result") != NULL);
    CHECK(as_quality_compute(c.data, 1000, s.data, s.n, c.data, c.n, &q, &err) == AS_ERR_ARG);
    CHECK(strstr(err.msg, "content") != NULL);
    CHECK(as_quality_compute(c.data, c.n, s.data, 0, c.data, c.n, &q, &err) == AS_ERR_EMPTY);
    CHECK(as_quality_compute(c.data, c.n, NULL, s.n, c.data, c.n, &q, &err) == AS_ERR_ARG);
    CHECK(as_quality_compute(c.data, c.n, s.data, s.n, c.data, c.n, NULL, &err) == AS_ERR_ARG);
    /* NaN in a signal */
    float keep = c.data[5000];
    c.data[5000] = NAN;
    CHECK(as_quality_compute(c.data, c.n, s.data, s.n, s.data, s.n, &q, &err) == AS_ERR_NUMERIC);
    c.data[5000] = keep;
    /* a silent content: the level is undefined */
    CHECK(as_quality_compute(zero, n, s.data, s.n, c.data, c.n, &q, &err) == AS_ERR_ARG);
    CHECK(strstr(err.msg, "silent") != NULL);
    /* content = style: the ratio is undefined */
    CHECK(as_quality_compute(c.data, c.n, c.data, c.n, s.data, s.n, &q, &err) == AS_ERR_ARG);
    CHECK(strstr(err.msg, "same MFCC") != NULL);
    /* a silent or constant result is scored, every number finite */
    memset(&q, 0xff, sizeof q);
    CHECK_OK(as_quality_compute(c.data, c.n, s.data, s.n, zero, n, &q, &err));
    CHECK(all_finite(&q));
    CHECK(q.rhythm_correlation == 0 && q.chroma_similarity == 0 && q.level_db <= -100);
    CHECK_OK(as_quality_compute(c.data, c.n, s.data, s.n, dc, n, &q, &err));
    CHECK(all_finite(&q));
    /* a constant content (non-zero level) and a silent style are defined */
    CHECK_OK(as_quality_compute(dc, n, zero, n, c.data, c.n, &q, &err));
    CHECK(all_finite(&q) && q.rhythm_correlation == 0);
    /* the result itself as the style: distance 0; the content as the result: 1, rhythm 1 */
    CHECK_OK(as_quality_compute(c.data, c.n, s.data, s.n, s.data, s.n, &q, &err));
    CHECK(q.style_distance_ratio < 1e-9 && fabs(q.flatness_ratio - 1) < 1e-12);
    CHECK_OK(as_quality_compute(c.data, c.n, s.data, s.n, c.data, c.n, &q, &err));
    CHECK_NEAR(q.style_distance_ratio, 1.0, 1e-9);
    CHECK_NEAR(q.rhythm_correlation, 1.0, 1e-12);
    CHECK_NEAR(q.chroma_similarity, 1.0, 1e-6);
    CHECK_NEAR(q.level_db, 0.0, 1e-12);
    /* the analysis refuses what the features refuse */
    as_analysis *a = (as_analysis *)1;
    CHECK(as_analysis_create(NULL, c.data, 1024, &a) == AS_ERR_ARG && a == NULL);
    CHECK(as_analysis_create(NULL, c.data, 0, &a) == AS_ERR_EMPTY);
    CHECK(as_analysis_create(NULL, NULL, 5000, &a) == AS_ERR_ARG);
    as_analysis_destroy(NULL);
    CHECK(as_quality_from_analyses(NULL, NULL, NULL, &q, &err) == AS_ERR_ARG);
    free(zero);
    free(dc);
    as_signal_free(&c);
    as_signal_free(&s);
}
