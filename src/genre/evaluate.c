/* evaluate.c — confusion matrices, per-class scores and stratified, song-grouped K-fold
 * cross-validation. */
#include "genre/genre.h"

#include <stdlib.h>
#include <string.h>

static void scores(as_genre_eval *ev)
{
    int C = ev->n_classes, right = 0, total = 0;
    for (int a = 0; a < C; a++) {
        int tp = ev->confusion[a * AS_GENRE_MAX_CLASSES + a], row = 0, col = 0;
        for (int b = 0; b < C; b++) {
            row += ev->confusion[a * AS_GENRE_MAX_CLASSES + b];
            col += ev->confusion[b * AS_GENRE_MAX_CLASSES + a];
        }
        ev->support[a] = row;
        ev->precision[a] = col ? (double)tp / col : 0;
        ev->recall[a] = row ? (double)tp / row : 0;
        double s = ev->precision[a] + ev->recall[a];
        ev->f1[a] = s > 0 ? 2 * ev->precision[a] * ev->recall[a] / s : 0;
        right += tp;
        total += row;
    }
    ev->n_test = total;
    ev->accuracy = total ? (double)right / total : 0;
}

as_status as_genre_eval_add(const as_genre_model *m, const as_genre_dataset *d,
                            const unsigned char *test, as_genre_eval *ev)
{
    if (!m || !d || !ev) return AS_ERR_ARG;
    if (ev->n_classes == 0) ev->n_classes = m->n_classes;
    if (ev->n_classes != m->n_classes) return AS_ERR_ARG;
    /* the model's labels may be ordered differently from the table's: map by name */
    int map[AS_GENRE_MAX_CLASSES];
    for (int c = 0; c < d->n_classes; c++) {
        map[c] = -1;
        for (int k = 0; k < m->n_classes; k++)
            if (strcmp(d->labels[c], m->labels[k]) == 0) map[c] = k;
    }
    double p[AS_GENRE_MAX_CLASSES];
    for (int i = 0; i < d->n; i++) {
        if (test && !test[i]) continue;
        if (map[d->y[i]] < 0) return AS_ERR_SCHEMA; /* a label the model does not know */
        as_status st = as_genre_predict(m, d->x + (size_t)i * GENRE_NF, p);
        if (st != AS_OK) return st;
        int best = 0;
        for (int k = 1; k < m->n_classes; k++)
            if (p[k] > p[best]) best = k;
        ev->confusion[map[d->y[i]] * AS_GENRE_MAX_CLASSES + best]++;
    }
    scores(ev);
    return AS_OK;
}

as_status as_genre_cross_validate(const as_genre_dataset *d, int k, const as_genre_train_opts *opts,
                                  as_genre_eval *ev, as_error *err)
{
    if (!d || !ev || k < 2) return as__fail(err, AS_ERR_ARG, "evaluate", "need data and at least 2 folds");
    if (k > d->n_songs) return as__fail(err, AS_ERR_ARG, "evaluate", "%d folds but only %d songs", k, d->n_songs);
    memset(ev, 0, sizeof *ev);
    ev->n_classes = d->n_classes;
    int *fold = malloc(sizeof(int) * d->n);
    unsigned char *train = malloc((size_t)d->n), *test = malloc((size_t)d->n);
    as_status st = AS_OK;
    if (!fold || !train || !test) {
        st = as__fail(err, AS_ERR_NOMEM, "evaluate", "out of memory");
        goto done;
    }
    uint64_t seed = opts ? opts->seed : 0;
    st = as_genre_folds(d, k, seed, fold);
    if (st != AS_OK) {
        as__fail(err, st, "evaluate", "cannot make folds");
        goto done;
    }
    for (int f = 0; f < k; f++) {
        for (int i = 0; i < d->n; i++) {
            test[i] = fold[i] == f;
            train[i] = !test[i];
        }
        as_genre_model *m = NULL;
        st = as_genre_train(d, train, opts, &m, err);
        if (st != AS_OK) goto done;
        st = as_genre_eval_add(m, d, test, ev);
        as_genre_destroy(m);
        if (st != AS_OK) {
            as__fail(err, st, "evaluate", "prediction failed in fold %d", f + 1);
            goto done;
        }
    }
done:
    free(fold);
    free(train);
    free(test);
    return st;
}
