/* train.c — training: preprocessing statistics, mini-batch AdamW with dropout, early stopping on
 * a stratified song-grouped validation split, and ensembles of seeds. Deterministic for a seed
 * (single-threaded BLAS: OpenBLAS's sgemm does not split the reduction across threads for these
 * sizes, but only OPENBLAS_NUM_THREADS=1 is what the tests and `make model` rely on). */
#include "genre/genre.h"
#include "nn/nn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Resolved options. */
typedef struct topts {
    const genre_preset *preset;
    int type, epochs, batch, patience, log_var, members;
    double lr, wd, dropout, valid_fraction;
    uint64_t seed;
} topts;

static as_status resolve(const as_genre_train_opts *o, topts *t, as_error *err)
{
    as_genre_train_opts def = {0};
    def.valid_fraction = -1;
    def.weight_decay = -1;
    def.dropout = -1;
    def.log_var = -1;
    if (!o) o = &def;
    t->type = o->type;
    t->preset = genre_preset_get(o->type);
    if (!t->preset) return as__fail(err, AS_ERR_ARG, "train", "unknown model type %d", o->type);
    t->epochs = o->epochs > 0 ? o->epochs : 300;
    t->batch = o->batch_size > 0 ? o->batch_size : 32;
    t->patience = o->patience > 0 ? o->patience : 30;
    t->log_var = o->log_var < 0 ? 1 : (o->log_var != 0);
    t->members = o->members > 0 ? o->members : 1;
    t->lr = o->lr > 0 ? o->lr : 1e-3;
    t->wd = o->weight_decay >= 0 ? o->weight_decay : t->preset->weight_decay;
    t->dropout = o->dropout >= 0 ? o->dropout : t->preset->dropout;
    t->valid_fraction = o->valid_fraction < 0 ? 0.15 : o->valid_fraction;
    t->seed = o->seed;
    if (t->members > GENRE_MAX_MEMBERS) return as__fail(err, AS_ERR_ARG, "train", "at most %d ensemble members", GENRE_MAX_MEMBERS);
    if (!(t->dropout < 0.95)) return as__fail(err, AS_ERR_ARG, "train", "dropout must be below 0.95");
    if (!(t->valid_fraction < 0.9)) return as__fail(err, AS_ERR_ARG, "train", "validation fraction must be below 0.9");
    if (t->batch > 1 << 16 || t->epochs > 1000000) return as__fail(err, AS_ERR_ARG, "train", "batch size or epochs too large");
    return AS_OK;
}

void as_genre_train_defaults(as_genre_train_opts *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->type = AS_GENRE_MLP_SMALL;
    o->epochs = 50;
    o->valid_fraction = 0;
    o->weight_decay = -1; /* the preset's: 1e-4 */
    o->dropout = 0.3;
    o->log_var = 1;
    o->members = 5;
}

/* Column i is a variance column (name ends in "_var"). */
static int is_var_column(int i)
{
    const char *c = as_features_column(i);
    size_t n = c ? strlen(c) : 0;
    return n > 4 && strcmp(c + n - 4, "_var") == 0;
}

/* Marks in `valid` a stratified, song-grouped fraction of the rows idx[0..n). */
static void split_valid(const as_genre_dataset *d, const int *idx, int n, double frac, uint64_t seed,
                        unsigned char *valid, int *songs_tmp)
{
    memset(valid, 0, (size_t)n);
    if (frac <= 0) return;
    as_rng rng;
    as_rng_seed(&rng, seed);
    for (int c = 0; c < d->n_classes; c++) {
        int m = 0; /* distinct songs of class c among idx, in row order */
        for (int i = 0; i < n; i++) {
            int r = idx[i];
            if (d->y[r] != c) continue;
            int s = d->song[r], seen = 0;
            for (int j = m - 1; j >= 0 && !seen; j--) seen = songs_tmp[j] == s;
            if (!seen) songs_tmp[m++] = s;
        }
        for (int i = m - 1; i > 0; i--) {
            int j = (int)(as_rng_next(&rng) % (uint64_t)(i + 1));
            int t = songs_tmp[i];
            songs_tmp[i] = songs_tmp[j];
            songs_tmp[j] = t;
        }
        int take = (int)floor(frac * m + 0.5);
        if (take >= m) take = m - 1; /* keep at least one song of each class for training */
        for (int k = 0; k < take; k++)
            for (int i = 0; i < n; i++)
                if (d->song[idx[i]] == songs_tmp[k]) valid[i] = 1;
    }
}

/* Mean loss of the net on rows (n, 57) of X with labels y, no dropout, in batches. */
static double eval_loss(const genre_net *net, genre_acts *a, const float *X, const int *y, int n)
{
    double s = 0;
    for (int r0 = 0; r0 < n; r0 += a->B) {
        int B = AS_MIN(a->B, n - r0);
        memcpy(a->h[0], X + (size_t)r0 * GENRE_NF, sizeof(float) * GENRE_NF * B);
        genre_net_forward(net, a, B, 0, NULL);
        s += genre_softmax_xent(net, a, B, y + r0, 0) * B;
    }
    return s / n;
}

/* Trains one member on the rows of X (n, 57) flagged train/valid. */
static as_status train_member(genre_net *net, const topts *t, int member, const float *X, const int *y,
                              int n, const unsigned char *valid, const as_genre_train_opts *o)
{
    as_status st = AS_OK;
    int n_tr = 0, n_va = 0;
    for (int i = 0; i < n; i++) valid[i] ? n_va++ : n_tr++;
    float *grad = calloc(net->n_params, sizeof(float));
    float *adam = calloc(2 * net->n_params, sizeof(float)); /* m then v */
    float *best = malloc(net->n_params * sizeof(float));
    float *Xtr = malloc(sizeof(float) * GENRE_NF * (size_t)(n_tr ? n_tr : 1));
    float *Xva = malloc(sizeof(float) * GENRE_NF * (size_t)(n_va ? n_va : 1));
    int *ytr = malloc(sizeof(int) * (size_t)(n_tr ? n_tr : 1)), *yva = malloc(sizeof(int) * (size_t)(n_va ? n_va : 1));
    int *perm = malloc(sizeof(int) * (size_t)(n_tr ? n_tr : 1)), *yb = malloc(sizeof(int) * t->batch);
    genre_acts acts = {0};
    if (!grad || !adam || !best || !Xtr || !Xva || !ytr || !yva || !perm || !yb ||
        genre_acts_init(&acts, net, t->batch) != AS_OK) {
        st = AS_ERR_NOMEM;
        goto done;
    }
    for (int i = 0, a = 0, b = 0; i < n; i++) {
        if (valid[i]) {
            memcpy(Xva + (size_t)b * GENRE_NF, X + (size_t)i * GENRE_NF, sizeof(float) * GENRE_NF);
            yva[b++] = y[i];
        } else {
            memcpy(Xtr + (size_t)a * GENRE_NF, X + (size_t)i * GENRE_NF, sizeof(float) * GENRE_NF);
            ytr[a++] = y[i];
        }
    }
    float *gW[GENRE_MAX_LAYERS], *gb[GENRE_MAX_LAYERS];
    genre_net_view(net, grad, gW, gb);
    as_rng rng;
    as_rng_seed(&rng, t->seed * 0x9E3779B97F4A7C15ull + 1000003ull * (uint64_t)member + 17);
    genre_net_init_weights(net, &rng);
    memcpy(best, net->params, net->n_params * sizeof(float));
    for (int i = 0; i < n_tr; i++) perm[i] = i;

    nn_adamw opt = {.lr = t->lr, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-7, .weight_decay = t->wd};
    double best_loss = INFINITY;
    int since_best = 0;
    float *mom = adam, *vel = adam + net->n_params;
    for (int ep = 0; ep < t->epochs; ep++) {
        for (int i = n_tr - 1; i > 0; i--) {
            int j = (int)(as_rng_next(&rng) % (uint64_t)(i + 1));
            int tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        double tr_loss = 0;
        for (int r0 = 0; r0 < n_tr; r0 += t->batch) {
            int B = AS_MIN(t->batch, n_tr - r0);
            for (int k = 0; k < B; k++) {
                memcpy(acts.h[0] + (size_t)k * GENRE_NF, Xtr + (size_t)perm[r0 + k] * GENRE_NF, sizeof(float) * GENRE_NF);
                yb[k] = ytr[perm[r0 + k]];
            }
            genre_net_forward(net, &acts, B, (float)t->dropout, &rng);
            tr_loss += genre_softmax_xent(net, &acts, B, yb, 1) * B;
            memset(grad, 0, net->n_params * sizeof(float));
            genre_net_backward(net, &acts, B, (float)t->dropout, gW, gb);
            /* AdamW (decoupled weight decay), one loop over the parameter block */
            nn_adamw_step(&opt, net->params, grad, mom, vel, (int64_t)net->n_params);
        }
        tr_loss /= n_tr;
        if (!isfinite(tr_loss)) {
            st = AS_ERR_NUMERIC;
            goto done;
        }
        double va_loss = n_va ? eval_loss(net, &acts, Xva, yva, n_va) : tr_loss;
        if (o && o->progress && o->progress(o->user, member, ep + 1, t->epochs, tr_loss, n_va ? va_loss : NAN)) {
            st = AS_ERR_CANCELLED;
            goto done;
        }
        if (!n_va) continue;
        if (va_loss < best_loss - 1e-6) {
            best_loss = va_loss;
            since_best = 0;
            memcpy(best, net->params, net->n_params * sizeof(float));
        } else if (++since_best >= t->patience) {
            break;
        }
    }
    if (n_va) memcpy(net->params, best, net->n_params * sizeof(float));
done:
    genre_acts_free(&acts);
    free(grad);
    free(adam);
    free(best);
    free(Xtr);
    free(Xva);
    free(ytr);
    free(yva);
    free(perm);
    free(yb);
    return st;
}

as_status as_genre_train(const as_genre_dataset *d, const unsigned char *use,
                         const as_genre_train_opts *opts, as_genre_model **out, as_error *err)
{
    if (!out) return as__fail(err, AS_ERR_ARG, "train", "no output");
    *out = NULL;
    if (!d || d->n < 1) return as__fail(err, AS_ERR_EMPTY, "train", "no training rows");
    topts t = {0};
    as_status st = resolve(opts, &t, err);
    if (st != AS_OK) return st;

    int n = 0;
    for (int i = 0; i < d->n; i++) n += use ? use[i] != 0 : 1;
    if (n < 2) return as__fail(err, AS_ERR_EMPTY, "train", "fewer than two training rows");
    as_genre_model *m = calloc(1, sizeof *m);
    int *idx = malloc(sizeof(int) * n), *y = malloc(sizeof(int) * n), *tmp = malloc(sizeof(int) * n);
    float *X = malloc(sizeof(float) * GENRE_NF * (size_t)n);
    unsigned char *valid = malloc((size_t)n);
    if (!m || !idx || !y || !tmp || !X || !valid) {
        st = as__fail(err, AS_ERR_NOMEM, "train", "out of memory");
        goto fail;
    }
    for (int i = 0, k = 0; i < d->n; i++)
        if (!use || use[i]) idx[k++] = i;

    /* the model's header */
    m->type = t.type;
    m->sr = AS_SR;
    m->n_fft = 2048;
    m->hop = 512;
    m->segment_length = d->segment_length;
    m->n_classes = d->n_classes;
    for (int c = 0; c < d->n_classes; c++) {
        strncpy(m->labels[c], d->labels[c], GENRE_NAME_MAX);
        m->labels[c][GENRE_NAME_MAX] = '\0';
    }
    m->dropout = (float)t.dropout;

    /* preprocessing statistics over the training rows (double sums) */
    for (int i = 0; i < GENRE_NF; i++) {
        m->log_mask[i] = (unsigned char)(t.log_var && is_var_column(i));
        double s = 0, s2 = 0;
        for (int k = 0; k < n; k++) {
            double v = d->x[(size_t)idx[k] * GENRE_NF + i];
            if (m->log_mask[i]) v = log((v > 0 ? v : 0) + GENRE_VAR_EPS);
            s += v;
        }
        double mean = s / n;
        for (int k = 0; k < n; k++) {
            double v = d->x[(size_t)idx[k] * GENRE_NF + i];
            if (m->log_mask[i]) v = log((v > 0 ? v : 0) + GENRE_VAR_EPS);
            s2 += (v - mean) * (v - mean);
        }
        double sd = sqrt(s2 / n);
        m->mean[i] = (float)mean;
        m->scale[i] = (float)(sd > 1e-12 * (fabs(mean) + 1) && isfinite(sd) ? sd : 1.0);
    }
    for (int k = 0; k < n; k++) {
        genre_preprocess(m, d->x + (size_t)idx[k] * GENRE_NF, X + (size_t)k * GENRE_NF);
        y[k] = d->y[idx[k]];
    }

    /* members */
    int dims[GENRE_MAX_LAYERS + 1], nl = 0;
    dims[0] = GENRE_NF;
    for (int h = 0; t.preset->hidden[h]; h++) dims[++nl] = t.preset->hidden[h];
    dims[++nl] = d->n_classes;
    for (int e = 0; e < t.members; e++) {
        if (genre_net_init(&m->net[e], nl, dims, NULL) != AS_OK) {
            st = as__fail(err, AS_ERR_NOMEM, "train", "out of memory");
            goto fail;
        }
        m->n_members = e + 1;
        /* each member holds out its own validation songs (a different draw per member) */
        int *vtmp = tmp;
        split_valid(d, idx, n, t.valid_fraction, t.seed + 7919ull * (uint64_t)(e + 1), valid, vtmp);
        st = train_member(&m->net[e], &t, e, X, y, n, valid, opts);
        if (st == AS_ERR_CANCELLED) {
            as__fail(err, st, "train", "cancelled");
            goto fail;
        }
        if (st != AS_OK) {
            as__fail(err, st, "train", st == AS_ERR_NUMERIC ? "training diverged (non-finite loss)" : "out of memory");
            goto fail;
        }
    }
    free(idx);
    free(y);
    free(tmp);
    free(X);
    free(valid);
    *out = m;
    return AS_OK;
fail:
    free(idx);
    free(y);
    free(tmp);
    free(X);
    free(valid);
    as_genre_destroy(m);
    return st;
}
