/* test_hostile.c — hostile input: every committed fuzz seed (and every crash input kept there as
 * a regression, fuzz/seeds/<target>/crash-*) replayed through the function its fuzz target
 * calls, with the same invariants; split-list edge cases against hand-worked masks; the loader's
 * refusals of non-finite samples and of a 4 GB declared size held in a 4 KB buffer; features of
 * silence are finite. */
#include "harness.h"
#include "core/csv.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Calls fn on every file in fuzz/seeds/<target>; returns how many (0 when the folder is missing,
 * e.g. when the tests run outside the repository). */
static int replay(const char *target, void (*fn)(const unsigned char *, size_t, const char *))
{
    char dir[256];
    snprintf(dir, sizeof dir, "fuzz/seeds/%s", target);
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *buf = NULL;
        size_t len = 0;
        as_error err;
        if (as_read_file(path, (size_t)1 << 20, &buf, &len, &err) != AS_OK) continue;
        fn((const unsigned char *)buf, len, path);
        free(buf);
        n++;
    }
    closedir(d);
    return n;
}

static void one_npy(const unsigned char *b, size_t n, const char *name)
{
    as_npy a;
    as_error err;
    if (as_npy_parse(b, n, name, &a, &err) == AS_OK) as_npy_free(&a);
}

static void one_csv(const unsigned char *b, size_t n, const char *name)
{
    as_csv c;
    as_error err;
    as_csv_limits lim = {1 << 20, 256, 128, 10000};
    if (as_csv_parse((const char *)b, n, name, &lim, &c, &err) == AS_OK) {
        for (size_t r = 0; r < c.n_rows; r++)
            for (size_t k = 0; k < c.n_cols; k++) CHECK(as_csv_at(&c, r, k) != NULL);
        as_csv_free(&c);
    }
}

static void one_audio(const unsigned char *b, size_t n, const char *name)
{
    as_signal s = {0};
    as_error err;
    as_load_opts o = {0};
    o.max_duration_s = 10;
    if (as_audio_load_memory(b, n, name, &o, &s, &err) == AS_OK) {
        int finite = 1;
        for (int64_t i = 0; i < s.n; i++) finite &= isfinite(s.data[i]) != 0;
        CHECK_MSG(finite, "%s: non-finite sample from the loader", name);
        as_signal_free(&s);
    }
}

static void one_model(const unsigned char *b, size_t n, const char *name)
{
    as_genre_model *m = NULL;
    as_error err;
    if (as_genre_load_memory(b, n, name, &m, &err) == AS_OK) {
        double feat[AS_FEATURES_COUNT], p[AS_GENRE_MAX_CLASSES];
        for (int i = 0; i < AS_FEATURES_COUNT; i++) feat[i] = 0.5 + i;
        int k = as_genre_n_classes(m);
        CHECK(k >= 1 && k <= AS_GENRE_MAX_CLASSES);
        if (k >= 1 && k <= AS_GENRE_MAX_CLASSES && as_genre_predict(m, feat, p) == AS_OK)
            for (int i = 0; i < k; i++) CHECK(isfinite(p[i]));
        as_genre_destroy(m);
    }
}

/* the dataset of fuzz/fuzz_split.c */
static void split_dataset(as_genre_dataset *d)
{
    static const char *const names[] = {"blues.00000.wav", "blues.00001.3.wav", "rock.00042.wav",
                                        "genres_original/jazz/jazz.00054.wav", "x", ""};
    static const char *const labels[] = {"blues", "blues", "rock", "jazz", "x", "y"};
    double f[AS_FEATURES_COUNT] = {0};
    memset(d, 0, sizeof *d);
    for (int i = 0; i < 6; i++) CHECK_OK(as_genre_dataset_add(d, names[i], labels[i], 66149, f));
}

static as_status split_text(const as_genre_dataset *d, const void *text, size_t n, unsigned char mask[6],
                            int *missing)
{
    char path[512];
    snprintf(path, sizeof path, "%s/list.txt", scratch_dir());
    FILE *fp = fopen(path, "wb");
    if (!fp) return AS_ERR_IO;
    if (n) fwrite(text, 1, n, fp);
    fclose(fp);
    memset(mask, 0, 6);
    as_error err;
    return as_genre_split_mark(d, path, mask, missing, &err);
}

static as_genre_dataset split_ds;
static void one_split(const unsigned char *b, size_t n, const char *name)
{
    unsigned char mask[6];
    int missing = -1;
    as_status st = split_text(&split_ds, b, n, mask, &missing);
    CHECK_MSG(st == AS_OK || st == AS_ERR_EMPTY || st == AS_ERR_FORMAT, "%s: status %d", name, st);
    for (int i = 0; i < 6; i++) CHECK(mask[i] <= 1);
}

TEST(hostile_fuzz_seeds_replay)
{
    int n = replay("npy", one_npy) + replay("csv", one_csv) + replay("audio", one_audio) +
            replay("ffmpeg", one_audio) +
            replay("model", one_model);
    split_dataset(&split_ds);
    n += replay("split", one_split);
    as_genre_dataset_free(&split_ds);
    if (n == 0) fprintf(stderr, "    (no fuzz/seeds here: nothing replayed)\n");
}

TEST(hostile_split_list_edges)
{
    as_genre_dataset d;
    split_dataset(&d);
    unsigned char m[6];
    int miss = -1;
    /* listed: blues.00000 (row 0), blues.00001 (row 1, a 3-s segment row), jazz.00054 (row 3, a
     * path with folders); rock.00099 is missing. Comments, blanks, CRLF and indentation. */
    const char ok[] = "# train\r\n\r\n  blues/blues.00000.wav\t\r\nblues/blues.00001.wav\n"
                      "jazz/jazz.00054.wav\nrock/rock.00099.wav";
    CHECK_OK(split_text(&d, ok, sizeof ok - 1, m, &miss));
    CHECK(m[0] == 1 && m[1] == 1 && m[2] == 0 && m[3] == 1 && m[4] == 0 && m[5] == 0);
    CHECK(miss == 1);
    CHECK(split_text(&d, "", 0, m, &miss) == AS_ERR_EMPTY);
    CHECK(split_text(&d, "# only\n\n  \n", 11, m, &miss) == AS_ERR_EMPTY);
    CHECK(split_text(&d, "pop/pop.00001.wav\n", 18, m, &miss) == AS_ERR_EMPTY);
    /* a NUL byte; one very long line; a line of only "." */
    const char nul[] = "blues/blues.00000.wav\0garbage\nrock/rock.00042.wav\n";
    /* a NUL byte must not silently cut the list: the lines after it are read, or the file is
     * refused (as_genre_split_mark refuses it, AS_ERR_FORMAT, since the genre fix) */
    as_status st = split_text(&d, nul, sizeof nul - 1, m, &miss);
    CHECK_MSG(st == AS_ERR_FORMAT || (st == AS_OK && m[0] == 1 && m[2] == 1),
              "NUL in a split list: status %d, marks %d %d", st, m[0], m[2]);
    size_t L = 100000;
    char *big = malloc(L + 40);
    CHECK(big != NULL);
    if (big) {
        memset(big, 'a', L);
        memcpy(big + L, "\n.\nrock/rock.00042.wav\n", 23);
        CHECK_OK(split_text(&d, big, L + 23, m, &miss));
        CHECK(m[2] == 1 && m[0] == 0);
        CHECK(miss == 2);
        free(big);
    }
    as_genre_dataset_free(&d);
}

/* a 44-byte WAV header */
static void wav_header(unsigned char *h, int tag, int ch, int sr, int bits, uint32_t data_bytes)
{
    int ba = ch * bits / 8;
    uint32_t riff = data_bytes + 36, br = (uint32_t)(sr * ba);
    memcpy(h, "RIFF", 4);
    memcpy(h + 8, "WAVEfmt ", 8);
    memcpy(h + 36, "data", 4);
    for (int i = 0; i < 4; i++) {
        h[4 + i] = (unsigned char)(riff >> (8 * i));
        h[24 + i] = (unsigned char)((uint32_t)sr >> (8 * i));
        h[28 + i] = (unsigned char)(br >> (8 * i));
        h[40 + i] = (unsigned char)(data_bytes >> (8 * i));
    }
    h[16] = 16; h[17] = h[18] = h[19] = 0;
    h[20] = (unsigned char)tag; h[21] = 0;
    h[22] = (unsigned char)ch; h[23] = 0;
    h[32] = (unsigned char)ba; h[33] = 0;
    h[34] = (unsigned char)bits; h[35] = 0;
}

TEST(hostile_loader_refusals)
{
    /* float WAV with one NaN, then one +inf: AS_ERR_NUMERIC; all finite: loads */
    unsigned char b[44 + 64 * 4];
    float v[64];
    for (int i = 0; i < 64; i++) v[i] = 0.25f * (float)sin(i * 0.3);
    as_signal s = {0};
    as_error err;
    as_load_opts keep = {0};
    keep.sr = -1;
    wav_header(b, 3, 1, 22050, 32, sizeof v);
    memcpy(b + 44, v, sizeof v);
    CHECK_OK(as_audio_load_memory(b, sizeof b, "ok.wav", &keep, &s, &err));
    CHECK(s.n == 64 && s.sr == 22050);
    as_signal_free(&s);
    const float bad[2] = {NAN, INFINITY};
    for (int k = 0; k < 2; k++) {
        float w[64];
        memcpy(w, v, sizeof w);
        w[40] = bad[k];
        memcpy(b + 44, w, sizeof w);
        as_status st = as_audio_load_memory(b, sizeof b, "nonfinite.wav", NULL, &s, &err);
        CHECK_MSG(st == AS_ERR_NUMERIC, "%s sample: status %d", k ? "inf" : "NaN", st);
        CHECK(strstr(err.msg, "nonfinite.wav") != NULL);
    }
    /* 4 GB declared, 4 KB present: refused (truncated) without allocating the declared size
     * (under ASan an allocation of 4 GB would fail the run: allocator_may_return_null=0) */
    unsigned char *t = calloc(4096, 1);
    CHECK(t != NULL);
    if (t) {
        wav_header(t, 1, 1, 22050, 16, 0xFFFFFFF0u);
        as_status st = as_audio_load_memory(t, 4096, "huge.wav", NULL, &s, &err);
        CHECK_MSG(st == AS_ERR_FORMAT, "huge declared size: status %d (%s)", st, err.msg);
        free(t);
    }
}

TEST(hostile_silence_features_finite)
{
    /* 10 s of digital silence: every feature is a finite number (decision: silence is valid
     * input; see docs/notes-hostile.md) */
    int64_t n = 220500;
    float *y = calloc((size_t)n, sizeof *y);
    double f[AS_FEATURES_COUNT];
    as_status st;
    as_features *fx = as_features_create(&st);
    CHECK(fx != NULL && y != NULL);
    if (fx && y) {
        CHECK_OK(as_features_compute(fx, y, n, f));
        for (int i = 0; i < AS_FEATURES_COUNT; i++)
            CHECK_MSG(isfinite(f[i]), "feature %d (%s) = %g", i, as_features_column(i), f[i]);
    }
    as_features_destroy(fx);
    free(y);
}
