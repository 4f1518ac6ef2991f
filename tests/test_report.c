/* test_report.c — the journey report (src/report): spectral flatness against hand-computed
 * values, correlation / MSE against a naive twin, base64 against RFC 4648 vectors and a decoder,
 * the HTML page's structure and embedded files, atomic writing; as_genre_classify_signal
 * against the features + predict it stands for. */
#include "harness.h"
#include "report/report.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* (fontconfig's caches are suppressed for LeakSanitizer once per program, in test_plot.c) */

TEST(report_flatness_hand_computed)
{
    /* frame 0: geometric mean (1*4*16*64)^(1/4) = 8, arithmetic mean 85/4 -> 8 / 21.25;
     * frame 1: flat -> 1; frame 2: {0 -> 1e-10, 1}: sqrt(1e-10) / ((1 + 1e-10) / 2) */
    const float P[3 * 4] = {1, 4, 16, 64, 3, 3, 3, 3, 0, 1, 0, 1};
    double out[3];
    report_flatness(out, P, 3, 4);
    CHECK_NEAR(out[0], 8.0 / 21.25, 1e-12);
    CHECK_NEAR(out[1], 1.0, 1e-12);
    CHECK_NEAR(out[2], 1e-5 / ((1 + 1e-10) / 2), 1e-15);
}

TEST(report_compare_naive_twin)
{
    enum { N = 5000 };
    float *a = malloc(sizeof(float) * N), *b = malloc(sizeof(float) * N);
    CHECK(a && b);
    as_rng r;
    as_rng_seed(&r, 7);
    for (int i = 0; i < N; i++) {
        a[i] = (float)(as_rng_normal(&r) + 3);
        b[i] = (float)(0.6 * a[i] + 0.8 * as_rng_normal(&r) - 1);
    }
    double corr, mse;
    report_compare(a, b, N, &corr, &mse);
    /* naive twin: one-pass sums in long double */
    long double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, se = 0;
    for (int i = 0; i < N; i++) {
        sa += a[i];
        sb += b[i];
        saa += (long double)a[i] * a[i];
        sbb += (long double)b[i] * b[i];
        sab += (long double)a[i] * b[i];
        se += ((long double)a[i] - b[i]) * ((long double)a[i] - b[i]);
    }
    long double c = (N * sab - sa * sb) / sqrtl((N * saa - sa * sa) * (N * sbb - sb * sb));
    CHECK_NEAR(corr, (double)c, 1e-9);
    CHECK_NEAR(mse, (double)(se / N), 1e-9 * (double)(se / N));
    report_compare(a, a, N, &corr, &mse);
    CHECK_NEAR(corr, 1.0, 1e-12);
    CHECK(mse == 0);
    for (int i = 0; i < N; i++) b[i] = 2;
    report_compare(a, b, N, &corr, &mse);
    CHECK(isnan(corr));
    free(a);
    free(b);
}

TEST(report_compare_log1p_strided)
{
    /* the strided log1p variant against report_compare on explicit log1p copies */
    enum { F = 7, TA = 40, TB = 33, T = 30 };
    float A[F * TA], B[F * TB], la[F * T], lb[F * T];
    as_rng r;
    as_rng_seed(&r, 11);
    for (int i = 0; i < F * TA; i++) A[i] = (float)(3 * as_rng_uniform(&r));
    for (int i = 0; i < F * TB; i++) B[i] = (float)(3 * as_rng_uniform(&r));
    for (int f = 0; f < F; f++)
        for (int t = 0; t < T; t++) {
            la[f * T + t] = log1pf(A[f * TA + t]);
            lb[f * T + t] = log1pf(B[f * TB + t]);
        }
    double c1, m1, c2, m2;
    report_compare_log1p(A, TA, B, TB, F, T, &c1, &m1);
    report_compare(la, lb, F * T, &c2, &m2);
    CHECK_NEAR(c1, c2, 1e-12);
    CHECK_NEAR(m1, m2, 1e-12);
}

static int b64val(int ch)
{
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+') return 62;
    if (ch == '/') return 63;
    return -1;
}

/* A straightforward decoder (bit accumulator); returns bytes written or -1 on bad input. */
static long b64_decode(const char *s, size_t len, unsigned char *out)
{
    if (len % 4) return -1;
    unsigned acc = 0;
    int bits = 0;
    long o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '=') {
            if (i < len - 2) return -1;
            continue;
        }
        int v = b64val((unsigned char)s[i]);
        if (v < 0) return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return o;
}

TEST(report_base64_rfc4648_and_round_trip)
{
    const char *in[7] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *want[7] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    char buf[64];
    for (int i = 0; i < 7; i++) {
        size_t n = report_base64(buf, (const unsigned char *)in[i], strlen(in[i]));
        CHECK(n == report_base64_len(strlen(in[i])));
        CHECK_MSG(strcmp(buf, want[i]) == 0, "base64(%s) = %s, want %s", in[i], buf, want[i]);
    }
    as_rng r;
    as_rng_seed(&r, 1);
    for (size_t n = 0; n < 300; n += 7) {
        unsigned char src[300], back[300];
        char enc[401];
        for (size_t i = 0; i < n; i++) src[i] = (unsigned char)(as_rng_next(&r) >> 56);
        size_t m = report_base64(enc, src, n);
        CHECK(b64_decode(enc, m, back) == (long)n);
        CHECK(memcmp(src, back, n) == 0);
    }
}


static int count(const char *s, const char *what)
{
    int k = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what)) k++;
    return k;
}

static int dir_entries(const char *d)
{
    DIR *dir = opendir(d);
    if (!dir) return -1;
    int k = 0;
    struct dirent *e;
    while ((e = readdir(dir)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) k++;
    closedir(dir);
    return k;
}

static void make_tracks(float *y[3], int64_t n[3])
{
    as_rng r;
    as_rng_seed(&r, 3);
    const double f0[3] = {220, 660, 330};
    for (int k = 0; k < 3; k++) {
        n[k] = 2 * AS_SR + 1000 * k;
        y[k] = malloc(sizeof(float) * (size_t)n[k]);
        for (int64_t i = 0; i < n[k]; i++)
            y[k][i] = (float)(0.3 * sin(2 * M_PI * f0[k] * i / AS_SR) * (0.6 + 0.4 * sin(2 * M_PI * 2 * i / AS_SR)) +
                              0.02 * k * as_rng_normal(&r));
    }
}

TEST(report_html_sections_images_audio)
{
    float *y[3];
    int64_t n[3];
    make_tracks(y, n);
    char dir[600], path[700], tdir[700];
    snprintf(dir, sizeof dir, "%s/report", scratch_dir());
    snprintf(tdir, sizeof tdir, "%s/report-tmp", scratch_dir());
    CHECK(mkdir(dir, 0700) == 0);
    CHECK(mkdir(tdir, 0700) == 0);
    snprintf(path, sizeof path, "%s/r.html", dir);
    as_report_track tr[3] = {{"c <&> one", y[0], n[0]}, {"style", y[1], n[1]}, {"result", y[2], n[2]}};
    as_report_opts o;
    as_report_opts_default(&o);
    o.content_loss = 12.5;
    as_error err = {0};
    const char *old = getenv("TMPDIR");
    char *saved = old ? strdup(old) : NULL;
    setenv("TMPDIR", tdir, 1);
    as_status st = as_report_write_html(path, tr, NULL, &o, &err);
    if (saved) setenv("TMPDIR", saved, 1);
    else unsetenv("TMPDIR");
    free(saved);
    CHECK_MSG(st == AS_OK, "%s", err.msg);
    CHECK(dir_entries(dir) == 1);  /* the page, no temporary file */
    CHECK(dir_entries(tdir) == 0); /* the pictures' and audio's scratch folder is gone */
    size_t len = 0;
    char *html = read_all(path, &len);
    CHECK(html != NULL);
    if (!html) return;
    const char *sections[] = {"id=\"listen\"", "id=\"spectrograms\"", "id=\"waveforms\"", "id=\"chroma\"",
                              "id=\"curves\"", "id=\"genres\"", "id=\"metrics\""};
    for (int i = 0; i < 7; i++) CHECK_MSG(strstr(html, sections[i]) != NULL, "no %s", sections[i]);
    CHECK(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    CHECK(strstr(html, "</html>") != NULL);
    CHECK(count(html, "<script") == 0);
    CHECK(strstr(html, "c &lt;&amp;&gt; one") != NULL); /* names are escaped */
    CHECK(strstr(html, "12.5") != NULL);                /* the known loss */
    CHECK(strstr(html, "—") != NULL);                   /* the unknown ones */
    CHECK(strstr(html, "Genre shift") != NULL);
    /* 1 spectrogram + 1 waveform + 1 chroma + 6 curves + 1 genre chart */
    CHECK_MSG(count(html, "<img ") == 10, "%d images", count(html, "<img "));
    CHECK(count(html, "<audio ") == 3);
    int npng = 0, nwav = 0;
    const char *p = html;
    while ((p = strstr(p, "base64,"))) {
        int is_png = p >= html + 10 && strncmp(p - 10, "image/png;", 10) == 0;
        int is_wav = p >= html + 10 && strncmp(p - 10, "audio/wav;", 10) == 0;
        p += 7;
        const char *e = strchr(p, '"');
        CHECK(e != NULL);
        if (!e) break;
        size_t m = (size_t)(e - p);
        unsigned char *d = malloc(m);
        long k = b64_decode(p, m, d);
        CHECK(k > 44);
        if (is_png && k > 8) {
            CHECK(memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0);
            npng++;
        }
        if (is_wav && k > 44) {
            CHECK(memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WAVE", 4) == 0);
            /* 16-bit mono: 2 bytes a sample plus the header */
            int64_t want = n[nwav] * 2;
            CHECK_MSG(k >= want + 44 && k <= want + 200, "wav %d: %ld bytes for %lld samples", nwav, k,
                      (long long)n[nwav]);
            as_signal back = {0};
            CHECK_OK(as_audio_load_memory(d, (size_t)k, "embedded.wav", NULL, &back, NULL));
            CHECK(back.n == n[nwav]);
            if (back.n == n[nwav]) { /* PCM16 round trip of the samples (no level change: peak < 1) */
                double md = 0;
                for (int64_t i = 0; i < back.n; i++) md = fmax(md, fabs(back.data[i] - y[nwav][i]));
                CHECK_MSG(md < 1.0 / 32768 + 1e-7, "max diff %g", md);
            }
            as_signal_free(&back);
            nwav++;
        }
        free(d);
        p = e;
    }
    CHECK(npng == 10);
    CHECK(nwav == 3);
    free(html);
    for (int k = 0; k < 3; k++) free(y[k]);
}

TEST(report_html_atomic_failure_leaves_nothing)
{
    float *y[3];
    int64_t n[3];
    make_tracks(y, n);
    as_report_track tr[3] = {{"a", y[0], n[0]}, {"b", y[1], n[1]}, {"c", y[2], n[2]}};
    char path[700];
    snprintf(path, sizeof path, "%s/no-such-dir/r.html", scratch_dir());
    as_error err = {0};
    CHECK(as_report_write_html(path, tr, NULL, NULL, &err) == AS_ERR_IO);
    CHECK(strstr(err.msg, "r.html") != NULL);
    /* too short a track: refused before any work, nothing written */
    char dir[600];
    snprintf(dir, sizeof dir, "%s/atomic", scratch_dir());
    CHECK(mkdir(dir, 0700) == 0);
    snprintf(path, sizeof path, "%s/r.html", dir);
    tr[1].n = 1000;
    CHECK(as_report_write_html(path, tr, NULL, NULL, &err) == AS_ERR_ARG);
    CHECK(dir_entries(dir) == 0);
    for (int k = 0; k < 3; k++) free(y[k]);
}

TEST(report_genre_classify_signal_one_window)
{
    /* up to one window: exactly as_features_compute + as_genre_predict on the whole signal */
    float *y[3];
    int64_t n[3];
    make_tracks(y, n);
    as_genre_model *m = NULL;
    CHECK_OK(as_genre_load_default(&m, NULL));
    as_status st;
    as_features *fx = as_features_create(&st);
    CHECK(fx != NULL);
    double x[AS_FEATURES_COUNT], want[AS_GENRE_MAX_CLASSES], got[AS_GENRE_MAX_CLASSES];
    CHECK_OK(as_features_compute(fx, y[1], n[1], x));
    CHECK_OK(as_genre_predict(m, x, want));
    CHECK_OK(as_genre_classify_signal(m, fx, y[1], n[1], got));
    for (int c = 0; c < as_genre_n_classes(m); c++) CHECK(got[c] == want[c]);
    CHECK(as_genre_classify_signal(m, fx, y[1], 0, got) == AS_ERR_EMPTY);
    as_features_destroy(fx);
    as_genre_destroy(m);
    for (int k = 0; k < 3; k++) free(y[k]);
}
