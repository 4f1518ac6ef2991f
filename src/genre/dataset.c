/* dataset.c — labelled feature tables: the Kaggle CSV reader, song ids, split lists, and
 * stratified song-grouped folds. */
#include "core/csv.h"
#include "genre/genre.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEG_3S 66149 /* samples in one 3-s row of features_3_sec.csv */

void as_genre_dataset_free(as_genre_dataset *d)
{
    if (!d) return;
    for (int i = 0; i < d->n; i++) free(d->name[i]);
    for (int c = 0; c < d->n_classes; c++) free(d->labels[c]);
    free(d->x);
    free(d->y);
    free(d->song);
    free(d->name);
    memset(d, 0, sizeof *d);
}

void as_genre_song_id(const char *name, char *out, size_t n)
{
    if (!n) return;
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    size_t len = strlen(base);
    /* drop the extension */
    const char *dot = strrchr(base, '.');
    if (dot && dot != base) len = (size_t)(dot - base);
    /* drop a trailing ".k" segment index when the stem before it also ends in ".digits"
     * (blues.00000.3 -> blues.00000; blues.00000 stays) */
    size_t k = len;
    while (k > 0 && isdigit((unsigned char)base[k - 1])) k--;
    if (k < len && k > 0 && base[k - 1] == '.') {
        size_t j = k - 1;
        size_t q = j;
        while (q > 0 && isdigit((unsigned char)base[q - 1])) q--;
        if (q < j && q > 0 && base[q - 1] == '.') len = j;
    }
    if (len >= n) len = n - 1;
    memcpy(out, base, len);
    out[len] = '\0';
}

static int find_label(const as_genre_dataset *d, const char *label)
{
    for (int c = 0; c < d->n_classes; c++)
        if (strcmp(d->labels[c], label) == 0) return c;
    return -1;
}

static int find_song(const as_genre_dataset *d, const char *sid, int upto)
{
    /* rows of one song are usually adjacent: look backwards from the end first */
    char other[256];
    for (int i = upto - 1; i >= 0; i--) {
        if (i > 0 && i < upto - 1 && d->song[i] == d->song[i - 1]) continue; /* one check per run */
        as_genre_song_id(d->name[i], other, sizeof other);
        if (strcmp(other, sid) == 0) return d->song[i];
    }
    return -1;
}

as_status as_genre_dataset_add(as_genre_dataset *d, const char *name, const char *label,
                               int64_t length, const double *features)
{
    if (!d || !name || !label || !features) return AS_ERR_ARG;
    size_t ll = strlen(label);
    if (ll == 0 || ll > GENRE_NAME_MAX) return AS_ERR_ARG;
    for (size_t i = 0; i < ll; i++)
        if ((unsigned char)label[i] < 0x20) return AS_ERR_ARG;
    for (int i = 0; i < GENRE_NF; i++)
        if (!isfinite(features[i])) return AS_ERR_NUMERIC;
    if (d->n == d->cap) {
        int nc = d->cap ? d->cap * 2 : 256;
        if (nc > (1 << 24)) return AS_ERR_TOO_LONG;
        double *x = realloc(d->x, sizeof(double) * GENRE_NF * nc);
        if (!x) return AS_ERR_NOMEM;
        d->x = x;
        int *y = realloc(d->y, sizeof(int) * nc);
        if (!y) return AS_ERR_NOMEM;
        d->y = y;
        int *s = realloc(d->song, sizeof(int) * nc);
        if (!s) return AS_ERR_NOMEM;
        d->song = s;
        char **nm = realloc(d->name, sizeof(char *) * nc);
        if (!nm) return AS_ERR_NOMEM;
        d->name = nm;
        d->cap = nc;
    }
    int c = find_label(d, label);
    if (c < 0) {
        if (d->n_classes >= AS_GENRE_MAX_CLASSES) return AS_ERR_TOO_LONG;
        char *l = strdup(label);
        if (!l) return AS_ERR_NOMEM;
        c = d->n_classes++;
        d->labels[c] = l;
    }
    char *nm = strdup(name);
    if (!nm) return AS_ERR_NOMEM;
    char sid[256];
    as_genre_song_id(name, sid, sizeof sid);
    int s = find_song(d, sid, d->n);
    if (s < 0) s = d->n_songs++;
    int i = d->n;
    memcpy(d->x + (size_t)i * GENRE_NF, features, sizeof(double) * GENRE_NF);
    d->y[i] = c;
    d->song[i] = s;
    d->name[i] = nm;
    /* segment length of the table: 66149 when every row is a 3-s row, else 0 (whole files) */
    if (i == 0) d->segment_length = length == SEG_3S ? SEG_3S : 0;
    else if (d->segment_length != (length == SEG_3S ? SEG_3S : 0)) d->segment_length = 0;
    d->n++;
    return AS_OK;
}

static int parse_num(const char *s, double *v)
{
    char *end = NULL;
    errno = 0;
    *v = strtod(s, &end);
    return !(end == s || *end != '\0' || errno == ERANGE || !isfinite(*v));
}

as_status as_genre_dataset_load_csv(const char *path, as_genre_dataset *d, as_error *err)
{
    memset(d, 0, sizeof *d);
    as_csv t;
    as_status st = as_csv_load(path, NULL, &t, err);
    if (st != AS_OK) return st;
    if (t.n_cols != (size_t)GENRE_NF + 3) {
        st = as__fail(err, AS_ERR_SCHEMA, path, "%zu columns; a GTZAN features table has %d (filename, length, 57 features, label)",
                      t.n_cols, GENRE_NF + 3);
        goto done;
    }
    if (strcmp(as_csv_at(&t, 0, 0), "filename") != 0 || strcmp(as_csv_at(&t, 0, 1), "length") != 0 ||
        strcmp(as_csv_at(&t, 0, t.n_cols - 1), "label") != 0) {
        st = as__fail(err, AS_ERR_SCHEMA, path, "header must start with 'filename,length' and end with 'label'");
        goto done;
    }
    for (int i = 0; i < GENRE_NF; i++) {
        const char *want = as_features_column(i);
        if (!want || strcmp(as_csv_at(&t, 0, 2 + i), want) != 0) {
            st = as__fail(err, AS_ERR_SCHEMA, path, "column %d is '%s' where the extractor has '%s'", 3 + i,
                          as_csv_at(&t, 0, 2 + i), want ? want : "(none)");
            goto done;
        }
    }
    if (t.n_rows < 2) {
        st = as__fail(err, AS_ERR_EMPTY, path, "no data rows");
        goto done;
    }
    for (size_t r = 1; r < t.n_rows; r++) {
        double x[GENRE_NF], len;
        if (!parse_num(as_csv_at(&t, r, 1), &len) || len < 0) {
            st = as__fail(err, AS_ERR_FORMAT, path, "row %zu: bad length '%s'", r + 1, as_csv_at(&t, r, 1));
            goto done;
        }
        for (int i = 0; i < GENRE_NF; i++)
            if (!parse_num(as_csv_at(&t, r, 2 + i), &x[i])) {
                st = as__fail(err, AS_ERR_FORMAT, path, "row %zu, column %s: not a finite number '%s'", r + 1,
                              as_csv_at(&t, 0, 2 + i), as_csv_at(&t, r, 2 + i));
                goto done;
            }
        const char *fname = as_csv_at(&t, r, 0), *label = as_csv_at(&t, r, t.n_cols - 1);
        if (!*fname || !*label) {
            st = as__fail(err, AS_ERR_FORMAT, path, "row %zu: empty filename or label", r + 1);
            goto done;
        }
        st = as_genre_dataset_add(d, fname, label, (int64_t)len, x);
        if (st == AS_ERR_TOO_LONG) {
            st = as__fail(err, st, path, "more than %d labels or too many rows", AS_GENRE_MAX_CLASSES);
            goto done;
        }
        if (st != AS_OK) {
            st = as__fail(err, st, path, "row %zu: cannot add (label '%s')", r + 1, label);
            goto done;
        }
    }
    if (d->n_classes < 2) {
        st = as__fail(err, AS_ERR_FORMAT, path, "only one label; a classifier needs at least two");
        goto done;
    }
done:
    as_csv_free(&t);
    if (st != AS_OK) as_genre_dataset_free(d);
    return st;
}

as_status as_genre_split_mark(const as_genre_dataset *d, const char *list_path, unsigned char *mask,
                              int *n_missing, as_error *err)
{
    if (!d || !list_path || !mask) return as__fail(err, AS_ERR_ARG, list_path ? list_path : "list", "bad arguments");
    char *text = NULL;
    size_t len = 0;
    as_status st = as_read_file(list_path, (size_t)64 << 20, &text, &len, err);
    if (st != AS_OK) return st;
    const char *nul = memchr(text, '\0', len);
    if (nul) { /* a text list has none; refuse rather than silently drop what follows */
        size_t line = 1;
        for (const char *q = text; q < nul; q++) line += *q == '\n';
        free(text);
        return as__fail(err, AS_ERR_FORMAT, list_path, "line %zu: NUL byte (not a text list)", line);
    }
    /* song id of every row, once */
    char(*ids)[128] = malloc(sizeof *ids * (size_t)(d->n ? d->n : 1));
    if (!ids) {
        free(text);
        return as__fail(err, AS_ERR_NOMEM, list_path, "out of memory");
    }
    for (int i = 0; i < d->n; i++) as_genre_song_id(d->name[i], ids[i], sizeof ids[i]);
    int missing = 0, listed = 0;
    size_t lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        size_t l = strlen(line);
        while (l && (line[l - 1] == '\r' || line[l - 1] == ' ' || line[l - 1] == '\t')) line[--l] = '\0';
        while (*line == ' ' || *line == '\t') line++;
        if (!*line || *line == '#') continue;
        char sid[128];
        as_genre_song_id(line, sid, sizeof sid);
        listed++;
        int found = 0;
        for (int i = 0; i < d->n; i++)
            if (strcmp(ids[i], sid) == 0) {
                mask[i] = 1;
                found = 1;
            }
        if (!found) {
            missing++;
            as__log(AS_LOG_WARN, "%s: line %zu: '%s' has no row in the data; skipped", list_path, lineno, line);
        }
    }
    free(ids);
    free(text);
    if (n_missing) *n_missing = missing;
    if (listed == 0) return as__fail(err, AS_ERR_EMPTY, list_path, "the list names no file");
    if (missing == listed) return as__fail(err, AS_ERR_EMPTY, list_path, "none of the %d listed files is in the data", listed);
    return AS_OK;
}

as_status as_genre_folds(const as_genre_dataset *d, int k, uint64_t seed, int *fold)
{
    if (!d || !fold || k < 2 || d->n_songs < 1) return AS_ERR_ARG;
    /* label of each song, then per class: shuffle its songs and deal them round-robin, the
     * dealing continuing across classes so fold sizes stay balanced */
    int S = d->n_songs;
    int *song_label = malloc(sizeof(int) * S), *song_fold = malloc(sizeof(int) * S), *order = malloc(sizeof(int) * S);
    if (!song_label || !song_fold || !order) {
        free(song_label);
        free(song_fold);
        free(order);
        return AS_ERR_NOMEM;
    }
    for (int s = 0; s < S; s++) song_label[s] = -1;
    for (int i = 0; i < d->n; i++) song_label[d->song[i]] = d->y[i];
    as_rng rng;
    as_rng_seed(&rng, seed);
    int next = 0;
    for (int c = -1; c < d->n_classes; c++) {
        int m = 0;
        for (int s = 0; s < S; s++)
            if (song_label[s] == c) order[m++] = s;
        for (int i = m - 1; i > 0; i--) { /* Fisher-Yates */
            int j = (int)(as_rng_next(&rng) % (uint64_t)(i + 1));
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int i = 0; i < m; i++) {
            song_fold[order[i]] = next;
            next = (next + 1) % k;
        }
    }
    for (int i = 0; i < d->n; i++) fold[i] = song_fold[d->song[i]];
    free(song_label);
    free(song_fold);
    free(order);
    return AS_OK;
}
