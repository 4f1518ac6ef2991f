/* test_genre.c — the genre classifier: gradients against finite differences (its GEMMs, ReLU
 * and AdamW are src/nn's, tested in test_nn.c), training on separable data, determinism, the model file (round trip,
 * corrupt/truncated/wrong-schema refusal), split lists, folds, evaluation, and the built-in
 * model on the committed GTZAN table. */
#include "core/csv.h"
#include "genre/genre.h"
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GTZAN_CSV "data/gtzan/features_30_sec.csv"

/* The analytic gradient of a small ReLU net against central differences of the naive double
 * twin of the loss (relative 1e-3), and the fast forward loss against the twin. */
TEST(genre_gradient_matches_finite_differences)
{
    const int dims[] = {6, 8, 7, 4}, nl = 3, B = 5;
    genre_net n;
    CHECK_OK(genre_net_init(&n, nl, dims, NULL));
    as_rng r;
    as_rng_seed(&r, 11);
    genre_net_init_weights(&n, &r);
    for (int l = 0; l < nl; l++)
        for (int j = 0; j < dims[l + 1]; j++) n.b[l][j] = (float)(0.1 * as_rng_normal(&r));
    double x[5 * 6];
    int y[5];
    for (int i = 0; i < B * dims[0]; i++) x[i] = as_rng_normal(&r);
    for (int i = 0; i < B; i++) y[i] = i % dims[nl];
    genre_acts a;
    CHECK_OK(genre_acts_init(&a, &n, B));
    for (int i = 0; i < B * dims[0]; i++) a.h[0][i] = (float)x[i];
    genre_net_forward(&n, &a, B, 0, NULL);
    double loss = genre_softmax_xent(&n, &a, B, y, 1);
    CHECK_NEAR(loss, genre_net_loss_naive(&n, x, y, B), 1e-5);
    float *grad = calloc(n.n_params, sizeof(float));
    float *gW[GENRE_MAX_LAYERS], *gb[GENRE_MAX_LAYERS];
    genre_net_view(&n, grad, gW, gb);
    genre_net_backward(&n, &a, B, 0, gW, gb);
    double *fd = calloc(n.n_params, sizeof(double));
    for (size_t p = 0; p < n.n_params; p++) {
        float w = n.params[p];
        float wp = w + 1e-3f, wm = w - 1e-3f;
        n.params[p] = wp;
        double lp = genre_net_loss_naive(&n, x, y, B);
        n.params[p] = wm;
        double lm = genre_net_loss_naive(&n, x, y, B);
        n.params[p] = w;
        fd[p] = (lp - lm) / ((double)wp - (double)wm);
    }
    double mx = 0;
    for (size_t p = 0; p < n.n_params; p++) mx = fmax(mx, fabs(fd[p]));
    /* relative 1e-3 of each value, plus 1e-3 of the largest for the few parameters whose
     * difference straddles a ReLU kink */
    ref_check_fd("dloss/dparams", grad, fd, n.n_params, 1e-3, 1e-3 * mx);
    /* backward accumulates: a second call (from fresh dlogits) doubles the gradient */
    genre_softmax_xent(&n, &a, B, y, 1);
    genre_net_backward(&n, &a, B, 0, gW, gb);
    double worst = 0;
    for (size_t p = 0; p < n.n_params; p++) worst = fmax(worst, fabs(grad[p] - 2 * (float)fd[p]));
    CHECK(worst <= 4e-3 * mx);
    free(fd);
    free(grad);
    genre_acts_free(&a);
    genre_net_free(&n);
}

/* Separable synthetic data: class c has feature c shifted by +6 (and the *_var columns
 * positive, as real variances are). */
static void synthetic(as_genre_dataset *d, int classes, int per_class, int segments, uint64_t seed)
{
    memset(d, 0, sizeof *d);
    as_rng r;
    as_rng_seed(&r, seed);
    for (int s = 0; s < classes * per_class; s++) {
        int c = s % classes;
        char label[16];
        snprintf(label, sizeof label, "g%d", c);
        for (int k = 0; k < (segments ? segments : 1); k++) {
            double x[GENRE_NF];
            for (int i = 0; i < GENRE_NF; i++) x[i] = as_rng_normal(&r);
            x[c * 2] += 6;
            for (int i = 1; i < GENRE_NF; i += 2) x[i] = exp(x[i]); /* mostly *_var columns */
            char name[64];
            if (segments) snprintf(name, sizeof name, "g%d.%05d.%d.wav", c, s, k);
            else snprintf(name, sizeof name, "g%d.%05d.wav", c, s);
            as_genre_dataset_add(d, name, label, segments ? 66149 : 661794, x);
        }
    }
}

static double train_accuracy(const as_genre_model *m, const as_genre_dataset *d)
{
    as_genre_eval ev;
    memset(&ev, 0, sizeof ev);
    if (as_genre_eval_add(m, d, NULL, &ev) != AS_OK) return -1;
    return ev.accuracy;
}

TEST(genre_tiny_synthetic_set_is_learned_perfectly)
{
    as_genre_dataset d;
    synthetic(&d, 4, 12, 0, 1);
    CHECK(d.n == 48 && d.n_classes == 4 && d.n_songs == 48 && d.segment_length == 0);
    for (int type = AS_GENRE_LOGREG; type <= AS_GENRE_MLP; type++) {
        as_genre_train_opts o = {0};
        o.type = type;
        /* enough epochs that the separable set is learned whatever the sgemm kernel's rounding
         * (60 sufficed on AVX-512 OpenBLAS kernels, left one of 48 wrong on Zen 3's) */
        o.epochs = 200;
        o.lr = 0.01;
        o.valid_fraction = 0;
        o.weight_decay = -1;
        o.dropout = -1;
        o.log_var = -1;
        o.seed = 5;
        as_genre_model *m = NULL;
        as_error err = {0};
        CHECK_OK(as_genre_train(&d, NULL, &o, &m, &err));
        if (!m) continue;
        double acc = train_accuracy(m, &d);
        CHECK_MSG(acc == 1.0, "%s: training accuracy %.3f, want 1", as_genre_type_name(type), acc);
        as_genre_destroy(m);
    }
    as_genre_dataset_free(&d);
}

static as_genre_model *train_small(const as_genre_dataset *d, uint64_t seed, int members)
{
    as_genre_train_opts o = {0};
    o.type = AS_GENRE_MLP_SMALL;
    o.epochs = 8;
    o.valid_fraction = 0.2;
    o.weight_decay = -1;
    o.dropout = 0.2;
    o.log_var = 1;
    o.members = members;
    o.seed = seed;
    as_genre_model *m = NULL;
    as_error err = {0};
    if (as_genre_train(d, NULL, &o, &m, &err) != AS_OK) return NULL;
    return m;
}

TEST(genre_training_is_deterministic)
{
    as_genre_dataset d;
    synthetic(&d, 3, 10, 0, 2);
    as_genre_model *a = train_small(&d, 42, 2), *b = train_small(&d, 42, 2), *c = train_small(&d, 43, 2);
    CHECK(a && b && c);
    if (a && b && c) {
        void *ba, *bb, *bc;
        size_t la, lb, lc;
        CHECK_OK(as_genre_serialize(a, &ba, &la));
        CHECK_OK(as_genre_serialize(b, &bb, &lb));
        CHECK_OK(as_genre_serialize(c, &bc, &lc));
        CHECK(la == lb && memcmp(ba, bb, la) == 0);          /* same seed: identical bytes */
        CHECK(la == lc && memcmp(ba, bc, la) != 0);          /* another seed: other weights */
        free(ba);
        free(bb);
        free(bc);
    }
    as_genre_destroy(a);
    as_genre_destroy(b);
    as_genre_destroy(c);
    as_genre_dataset_free(&d);
}

TEST(genre_model_file_round_trip)
{
    as_genre_dataset d;
    synthetic(&d, 3, 10, 0, 3);
    as_genre_model *m = train_small(&d, 1, 2), *m2 = NULL;
    CHECK(m != NULL);
    if (!m) return;
    char path[512];
    snprintf(path, sizeof path, "%s/m.asgm", scratch_dir());
    as_error err = {0};
    CHECK_OK(as_genre_save(m, path, &err));
    CHECK_OK(as_genre_load(path, &m2, &err));
    if (m2) {
        CHECK(as_genre_n_classes(m2) == 3 && strcmp(as_genre_label(m2, 2), "g2") == 0);
        CHECK(as_genre_label(m2, 3) == NULL && as_genre_type(m2) == AS_GENRE_MLP_SMALL);
        CHECK(as_genre_segment_length(m2) == 0);
        double p1[3], p2[3];
        for (int i = 0; i < d.n; i++) {
            CHECK_OK(as_genre_predict(m, d.x + (size_t)i * GENRE_NF, p1));
            CHECK_OK(as_genre_predict(m2, d.x + (size_t)i * GENRE_NF, p2));
            CHECK(memcmp(p1, p2, sizeof p1) == 0);
            CHECK_NEAR(p1[0] + p1[1] + p1[2], 1.0, 1e-12);
        }
        void *b1, *b2;
        size_t l1, l2;
        CHECK_OK(as_genre_serialize(m, &b1, &l1));
        CHECK_OK(as_genre_serialize(m2, &b2, &l2));
        CHECK(l1 == l2 && memcmp(b1, b2, l1) == 0);
        free(b1);
        free(b2);
    }
    /* non-finite input is refused, not propagated */
    double x[GENRE_NF] = {0}, p[3];
    x[5] = NAN;
    CHECK(as_genre_predict(m, x, p) == AS_ERR_NUMERIC);
    as_genre_destroy(m);
    as_genre_destroy(m2);
    as_genre_dataset_free(&d);
}

/* Re-seals a patched buffer with a valid checksum, so that the check under test is reached. */
static void reseal(unsigned char *b, size_t len)
{
    uint32_t c = genre_crc32(b, len - 4);
    for (int k = 0; k < 4; k++) b[len - 4 + k] = (unsigned char)(c >> (8 * k));
}

TEST(genre_model_loader_refuses_corrupt_truncated_and_wrong_schema)
{
    as_genre_dataset d;
    synthetic(&d, 3, 6, 0, 4);
    as_genre_model *m = train_small(&d, 1, 1), *x = NULL;
    as_genre_dataset_free(&d);
    CHECK(m != NULL);
    if (!m) return;
    void *vb;
    size_t len;
    CHECK_OK(as_genre_serialize(m, &vb, &len));
    as_genre_destroy(m);
    unsigned char *b = vb;
    as_error err = {0};
    CHECK_OK(as_genre_load_memory(b, len, "ok", &x, &err));
    as_genre_destroy(x);
    /* every truncation is refused */
    int refused = 0;
    for (size_t n = 0; n < len; n += (n < 4096 ? 1 : 97)) {
        x = NULL;
        refused += as_genre_load_memory(b, n, "cut", &x, &err) != AS_OK && x == NULL;
        as_genre_destroy(x);
    }
    int tries = 0;
    for (size_t n = 0; n < len; n += (n < 4096 ? 1 : 97)) tries++;
    CHECK(refused == tries);
    /* one extra byte */
    unsigned char *big = malloc(len + 1);
    memcpy(big, b, len);
    big[len] = 0;
    CHECK(as_genre_load_memory(big, len + 1, "long", &x, &err) == AS_ERR_FORMAT);
    free(big);
    /* a flipped weight bit: the checksum catches it */
    b[len - 10] ^= 0x10;
    CHECK(as_genre_load_memory(b, len, "flip", &x, &err) == AS_ERR_FORMAT);
    CHECK(strstr(err.msg, "checksum") != NULL);
    b[len - 10] ^= 0x10;
    /* bad magic, future version */
    b[0] = 'X';
    CHECK(as_genre_load_memory(b, len, "magic", &x, &err) == AS_ERR_FORMAT);
    b[0] = 'A';
    b[8] = 2;
    reseal(b, len);
    CHECK(as_genre_load_memory(b, len, "v2", &x, &err) == AS_ERR_UNSUPPORTED);
    b[8] = 1;
    /* a different feature schema: first column name "chroma_stft_mean" -> "chroma_stft_meaN" */
    size_t off = 8 + 4 + 4 + 4; /* magic, version, count, name length */
    CHECK(memcmp(b + off, "chroma_stft_mean", 16) == 0);
    b[off + 15] = 'N';
    reseal(b, len);
    CHECK(as_genre_load_memory(b, len, "schema", &x, &err) == AS_ERR_SCHEMA);
    CHECK(strstr(err.msg, "chroma_stft_meaN") != NULL);
    b[off + 15] = 'n';
    /* the feature count */
    b[12] = 58;
    reseal(b, len);
    CHECK(as_genre_load_memory(b, len, "count", &x, &err) == AS_ERR_SCHEMA);
    b[12] = 57;
    reseal(b, len);
    CHECK_OK(as_genre_load_memory(b, len, "ok again", &x, &err));
    as_genre_destroy(x);
    /* the hop: find the parameter block after the names (sr 22050, 2048, 512) */
    size_t p = 16;
    for (int i = 0; i < GENRE_NF; i++) p += 4 + (size_t)(b[p] | b[p + 1] << 8);
    CHECK(b[p] == (22050 & 0xff) && b[p + 4] == 0 && b[p + 5] == 8 && b[p + 9] == 2);
    b[p + 9] = 1; /* hop 256 */
    reseal(b, len);
    CHECK(as_genre_load_memory(b, len, "hop", &x, &err) == AS_ERR_SCHEMA);
    b[p + 9] = 2;
    /* an absurd class count */
    b[p + 16] = 0xff;
    b[p + 17] = 0xff;
    reseal(b, len);
    CHECK(as_genre_load_memory(b, len, "classes", &x, &err) == AS_ERR_FORMAT);
    free(b);
    CHECK(as_genre_load("/nonexistent/m.asgm", &x, &err) == AS_ERR_IO);
    CHECK(as_genre_load_memory(NULL, 0, "empty", &x, &err) == AS_ERR_FORMAT);
}

TEST(genre_song_ids_and_split_lists)
{
    char s[64];
    as_genre_song_id("blues.00000.3.wav", s, sizeof s);
    CHECK(strcmp(s, "blues.00000") == 0);
    as_genre_song_id("blues/blues.00000.wav", s, sizeof s);
    CHECK(strcmp(s, "blues.00000") == 0);
    as_genre_song_id("my song.flac", s, sizeof s);
    CHECK(strcmp(s, "my song") == 0);
    as_genre_song_id("take.2.wav", s, sizeof s);
    CHECK(strcmp(s, "take.2") == 0);

    as_genre_dataset d;
    synthetic(&d, 2, 4, 3, 5); /* 8 songs g0.00000 .. g1.00007, 3 segments each */
    CHECK(d.n == 24 && d.n_songs == 8 && d.segment_length == 66149);
    char path[512];
    snprintf(path, sizeof path, "%s/list.txt", scratch_dir());
    FILE *f = fopen(path, "wb");
    fputs("# a comment\r\ng0/g0.00000.wav\r\n\r\ng1/g1.00003.wav\r\ng1/g1.99999.wav\r\n", f);
    fclose(f);
    unsigned char mask[24] = {0};
    int missing = -1;
    as_error err = {0};
    CHECK_OK(as_genre_split_mark(&d, path, mask, &missing, &err));
    CHECK(missing == 1);
    int marked = 0;
    for (int i = 0; i < d.n; i++) {
        char sid[64];
        as_genre_song_id(d.name[i], sid, sizeof sid);
        int want = strcmp(sid, "g0.00000") == 0 || strcmp(sid, "g1.00003") == 0;
        CHECK_MSG(mask[i] == want, "row %s marked %d", d.name[i], mask[i]);
        marked += mask[i];
    }
    CHECK(marked == 6);
    f = fopen(path, "wb");
    fputs("x/none.wav\n", f);
    fclose(f);
    CHECK(as_genre_split_mark(&d, path, mask, &missing, &err) == AS_ERR_EMPTY);
    f = fopen(path, "wb"); /* a NUL byte: refused, not a silently shortened list */
    fwrite("g0/g0.00000.wav\n\0g1/g1.00003.wav\n", 1, 33, f);
    fclose(f);
    CHECK(as_genre_split_mark(&d, path, mask, &missing, &err) == AS_ERR_FORMAT);
    CHECK(strstr(err.msg, "line 2") != NULL);
    as_genre_dataset_free(&d);
}

TEST(genre_folds_are_stratified_and_grouped_by_song)
{
    as_genre_dataset d;
    synthetic(&d, 4, 20, 10, 6); /* 80 songs, 800 rows */
    int *fold = malloc(sizeof(int) * d.n);
    CHECK_OK(as_genre_folds(&d, 5, 9, fold));
    int songs[5][4] = {{0}};
    for (int i = 0; i < d.n; i++) {
        CHECK(fold[i] >= 0 && fold[i] < 5);
        if (i % 10 == 0) songs[fold[i]][d.y[i]]++;
        else CHECK(fold[i] == fold[i - 1]); /* the 10 segments of one song stay together */
    }
    for (int k = 0; k < 5; k++)
        for (int c = 0; c < 4; c++) CHECK_MSG(songs[k][c] == 4, "fold %d class %d has %d songs", k, c, songs[k][c]);
    int *again = malloc(sizeof(int) * d.n);
    CHECK_OK(as_genre_folds(&d, 5, 9, again));
    CHECK(memcmp(fold, again, sizeof(int) * d.n) == 0);
    free(fold);
    free(again);
    as_genre_dataset_free(&d);
}

TEST(genre_cross_validation_on_a_tiny_set)
{
    as_genre_dataset d;
    synthetic(&d, 3, 60, 0, 7);
    as_genre_train_opts o = {0};
    o.type = AS_GENRE_LOGREG;
    o.epochs = 80;
    o.lr = 0.01;
    o.valid_fraction = 0;
    o.weight_decay = -1;
    o.dropout = -1;
    o.log_var = -1;
    as_genre_eval ev;
    as_error err = {0};
    CHECK_OK(as_genre_cross_validate(&d, 5, &o, &ev, &err));
    CHECK(ev.n_test == 180 && ev.n_classes == 3);
    int sum = 0, diag = 0;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            sum += ev.confusion[a * AS_GENRE_MAX_CLASSES + b];
            if (a == b) diag += ev.confusion[a * AS_GENRE_MAX_CLASSES + b];
        }
    CHECK(sum == 180);
    CHECK_NEAR(ev.accuracy, diag / 180.0, 1e-12);
    CHECK_MSG(ev.accuracy >= 0.85, "accuracy %.3f", ev.accuracy);
    for (int c = 0; c < 3; c++) {
        CHECK(ev.support[c] == 60);
        double p = ev.precision[c], r = ev.recall[c];
        CHECK_NEAR(ev.f1[c], p + r > 0 ? 2 * p * r / (p + r) : 0, 1e-12);
    }
    CHECK(as_genre_cross_validate(&d, 181, &o, &ev, &err) == AS_ERR_ARG);
    as_genre_dataset_free(&d);
}

TEST(genre_csv_dataset_schema)
{
    as_genre_dataset d;
    as_error err = {0};
    CHECK_OK(as_genre_dataset_load_csv(GTZAN_CSV, &d, &err));
    CHECK(d.n == 1000 && d.n_classes == 10 && d.n_songs == 1000 && d.segment_length == 0);
    if (d.n == 1000) {
        CHECK(strcmp(d.labels[0], "blues") == 0 && strcmp(d.labels[9], "rock") == 0);
        CHECK_NEAR(d.x[0], 0.35008811950683594, 1e-15); /* blues.00000 chroma_stft_mean */
        CHECK(strcmp(d.name[999], "rock.00099.wav") == 0 && d.y[999] == 9);
    }
    as_genre_dataset_free(&d);
    /* a renamed feature column is a schema error */
    char *text = NULL;
    size_t len = 0;
    CHECK_OK(as_read_file(GTZAN_CSV, 1 << 24, &text, &len, &err));
    char *p = text ? strstr(text, "rms_mean") : NULL;
    CHECK(p != NULL);
    if (p) {
        p[0] = 'R';
        char path[512];
        snprintf(path, sizeof path, "%s/bad.csv", scratch_dir());
        FILE *f = fopen(path, "wb");
        fwrite(text, 1, len, f);
        fclose(f);
        CHECK(as_genre_dataset_load_csv(path, &d, &err) == AS_ERR_SCHEMA);
        CHECK(strstr(err.msg, "Rms_mean") != NULL);
    }
    free(text);
}

/* The model compiled into the library loads, knows the ten GTZAN genres, and classifies the
 * rows of the committed table it was trained on (a weak but real check: a broken default, a
 * preprocessing mismatch or a label permutation would fall far below the threshold). */
TEST(genre_builtin_model_classifies_the_gtzan_table)
{
    as_genre_model *m = NULL;
    as_error err = {0};
    CHECK_OK(as_genre_load_default(&m, &err));
    if (!m) return;
    CHECK(as_genre_n_classes(m) == 10 && strcmp(as_genre_label(m, 6), "metal") == 0);
    as_genre_dataset d;
    CHECK_OK(as_genre_dataset_load_csv(GTZAN_CSV, &d, &err));
    as_genre_eval ev;
    memset(&ev, 0, sizeof ev);
    CHECK_OK(as_genre_eval_add(m, &d, NULL, &ev));
    CHECK_MSG(ev.accuracy >= 0.85, "built-in model: %.3f on its training rows", ev.accuracy);
    for (int c = 0; c < 10; c++) CHECK_MSG(ev.recall[c] >= 0.6, "%s recall %.2f", d.labels[c], ev.recall[c]);
    as_genre_dataset_free(&d);
    as_genre_destroy(m);
}

TEST(genre_windows_follow_the_rule)
{
    int64_t s[16], len = 0;
    /* 35 s < 40 s: the whole signal */
    CHECK(as_genre_windows(35 * 22050, 0, s, 16, &len) == 1 && s[0] == 0 && len == 35 * 22050);
    /* 70 s: 0-30, 30-60 and one more ending at the end (10 s left >= a third of 30 s) */
    int64_t n = 70 * 22050;
    CHECK(as_genre_windows(n, 0, s, 16, &len) == 3 && len == 661500);
    CHECK(s[0] == 0 && s[1] == 661500 && s[2] == n - 661500);
    /* 65 s: 5 s left is less than a third: two windows */
    CHECK(as_genre_windows(65 * 22050, 0, s, 16, &len) == 2);
    /* 3-s model on a GTZAN-length clip: the Kaggle segments y[66150k : 66150k + 66149] */
    int nw = as_genre_windows(661794, 66149, s, 16, &len);
    CHECK(nw == 10 && len == 66149);
    for (int k = 0; k < nw; k++) CHECK(s[k] == 66150 * (int64_t)k);
    CHECK(as_genre_windows(0, 0, s, 16, &len) == 0);
    CHECK(as_genre_windows(n, 0, s, 2, &len) == 2); /* max respected */
}

TEST(genre_top_ranks_like_a_sort)
{
    double p[6] = {0.1, 0.3, 0.05, 0.3, 0.25, 0.0};
    int idx[8];
    CHECK(as_genre_top(p, 6, idx, 3) == 3);
    CHECK(idx[0] == 1 && idx[1] == 3 && idx[2] == 4); /* tie 0.3/0.3: lower index first */
    CHECK(as_genre_top(p, 6, idx, 6) == 6);
    int want[6] = {1, 3, 4, 0, 2, 5};
    for (int i = 0; i < 6; i++) CHECK(idx[i] == want[i]);
    CHECK(as_genre_top(p, 2, idx, 4) == 2 && idx[0] == 1 && idx[1] == 0 && idx[2] == -1 && idx[3] == -1);
    /* against a naive selection on random data */
    as_rng r;
    as_rng_seed(&r, 5);
    for (int trial = 0; trial < 200; trial++) {
        double q[10];
        for (int c = 0; c < 10; c++) q[c] = (double)(as_rng_next(&r) % 7) / 7.0;
        int got[10];
        as_genre_top(q, 10, got, 10);
        int used[10] = {0};
        for (int i = 0; i < 10; i++) {
            int best = -1;
            for (int c = 0; c < 10; c++)
                if (!used[c] && (best < 0 || q[c] > q[best])) best = c;
            used[best] = 1;
            CHECK_MSG(got[i] == best, "trial %d rank %d: got %d want %d", trial, i, got[i], best);
        }
    }
}
