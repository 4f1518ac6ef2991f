/* csv.c — a strict CSV reader (see csv.h for the rules). One pass over the input: unquoted
 * field bytes are copied into one output buffer (at most len + one NUL per field), and the
 * offset of each field is recorded; the pointers are made at the end, once the buffer is final. */
#include "core/csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void as_csv_free(as_csv *c)
{
    if (!c) return;
    free(c->cell);
    free(c->buf);
    memset(c, 0, sizeof *c);
}

/* Growing array of field offsets into the output buffer. */
typedef struct offs {
    size_t *v;
    size_t n, cap;
} offs;

static int offs_push(offs *o, size_t x)
{
    if (o->n == o->cap) {
        size_t nc = o->cap ? o->cap * 2 : 1024;
        size_t *nv = realloc(o->v, nc * sizeof *nv);
        if (!nv) return -1;
        o->v = nv;
        o->cap = nc;
    }
    o->v[o->n++] = x;
    return 0;
}

as_status as_csv_parse(const char *text, size_t len, const char *name, const as_csv_limits *lim,
                       as_csv *out, as_error *err)
{
    memset(out, 0, sizeof *out);
    as_csv_limits L = {0};
    if (lim) L = *lim;
    if (!L.max_bytes) L.max_bytes = (size_t)512 << 20;
    if (!L.max_field) L.max_field = 4096;
    if (!L.max_cols) L.max_cols = 4096;
    if (!L.max_rows) L.max_rows = 10000000;
    if (!name) name = "csv";
    if (!text && len) return as__fail(err, AS_ERR_ARG, name, "no input");
    if (len > L.max_bytes) return as__fail(err, AS_ERR_TOO_LONG, name, "larger than %zu bytes", L.max_bytes);
    if (len == 0) return as__fail(err, AS_ERR_EMPTY, name, "empty table");

    as_status st = AS_OK;
    offs o = {0};
    char *buf = malloc(2 * len + 1); /* each input byte at most once, plus a NUL per field */
    if (!buf) return as__fail(err, AS_ERR_NOMEM, name, "out of memory");
    size_t w = 0;          /* write position in buf */
    size_t line = 1;       /* for messages (counts physical lines) */
    size_t rows = 0, cols_in_row = 0, n_cols = 0;
    size_t i = 0;

    while (i < len) {
        /* One field starts at text[i]. */
        size_t start = w;
        if (text[i] == '"') {
            i++;
            for (;;) {
                if (i >= len) {
                    st = as__fail(err, AS_ERR_FORMAT, name, "line %zu: unterminated quoted field", line);
                    goto fail;
                }
                char c = text[i];
                if (c == '"') {
                    if (i + 1 < len && text[i + 1] == '"') {
                        buf[w++] = '"';
                        i += 2;
                    } else {
                        i++;
                        break;
                    }
                } else {
                    if (c == '\0') {
                        st = as__fail(err, AS_ERR_FORMAT, name, "line %zu: NUL byte", line);
                        goto fail;
                    }
                    if (c == '\n') line++;
                    buf[w++] = c;
                    i++;
                }
                if (w - start > L.max_field) {
                    st = as__fail(err, AS_ERR_TOO_LONG, name, "line %zu: field longer than %zu bytes", line, L.max_field);
                    goto fail;
                }
            }
            if (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
                st = as__fail(err, AS_ERR_FORMAT, name, "line %zu: text after a closing quote", line);
                goto fail;
            }
        } else {
            while (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
                char c = text[i];
                if (c == '"') {
                    st = as__fail(err, AS_ERR_FORMAT, name, "line %zu: quote inside an unquoted field", line);
                    goto fail;
                }
                if (c == '\0') {
                    st = as__fail(err, AS_ERR_FORMAT, name, "line %zu: NUL byte", line);
                    goto fail;
                }
                buf[w++] = c;
                i++;
                if (w - start > L.max_field) {
                    st = as__fail(err, AS_ERR_TOO_LONG, name, "line %zu: field longer than %zu bytes", line, L.max_field);
                    goto fail;
                }
            }
        }
        buf[w++] = '\0';
        if (offs_push(&o, start)) {
            st = as__fail(err, AS_ERR_NOMEM, name, "out of memory");
            goto fail;
        }
        cols_in_row++;
        if (cols_in_row > L.max_cols) {
            st = as__fail(err, AS_ERR_TOO_LONG, name, "line %zu: more than %zu columns", line, L.max_cols);
            goto fail;
        }
        /* What ends the field: a comma (another field follows, possibly empty at the end of the
         * input), or a line end, or the end of the input. */
        int end_record = 0;
        if (i >= len) {
            end_record = 1;
        } else if (text[i] == ',') {
            i++;
            if (i >= len) { /* "a,b," at the very end: a last empty field */
                buf[w++] = '\0';
                if (offs_push(&o, w - 1)) {
                    st = as__fail(err, AS_ERR_NOMEM, name, "out of memory");
                    goto fail;
                }
                cols_in_row++;
                end_record = 1;
            }
        } else if (text[i] == '\r') {
            if (i + 1 >= len || text[i + 1] != '\n') {
                st = as__fail(err, AS_ERR_FORMAT, name, "line %zu: carriage return without line feed", line);
                goto fail;
            }
            i += 2;
            end_record = 1;
        } else { /* '\n' */
            i++;
            end_record = 1;
        }
        if (end_record) {
            if (rows == 0) {
                n_cols = cols_in_row;
            } else if (cols_in_row != n_cols) {
                st = as__fail(err, AS_ERR_FORMAT, name, "line %zu: %zu fields where the header has %zu",
                              line, cols_in_row, n_cols);
                goto fail;
            }
            rows++;
            line++;
            cols_in_row = 0;
            if (rows > L.max_rows) {
                st = as__fail(err, AS_ERR_TOO_LONG, name, "more than %zu rows", L.max_rows);
                goto fail;
            }
            /* A blank line is a record of one empty field: refused unless the table has one
             * column (then it is an empty value). */
            if (i < len && (text[i] == '\n' || text[i] == '\r') && n_cols != 1) {
                st = as__fail(err, AS_ERR_FORMAT, name, "line %zu: blank line", line);
                goto fail;
            }
        }
    }

    out->cell = malloc(o.n * sizeof *out->cell);
    if (!out->cell) {
        st = as__fail(err, AS_ERR_NOMEM, name, "out of memory");
        goto fail;
    }
    for (size_t k = 0; k < o.n; k++) out->cell[k] = buf + o.v[k];
    free(o.v);
    out->buf = buf;
    out->n_rows = rows;
    out->n_cols = n_cols;
    return AS_OK;

fail:
    free(o.v);
    free(buf);
    memset(out, 0, sizeof *out);
    return st;
}

as_status as_csv_load(const char *path, const as_csv_limits *lim, as_csv *out, as_error *err)
{
    memset(out, 0, sizeof *out);
    size_t maxb = (lim && lim->max_bytes) ? lim->max_bytes : (size_t)512 << 20;
    char *data = NULL;
    size_t len = 0;
    as_status st = as_read_file(path, maxb, &data, &len, err);
    if (st != AS_OK) return st;
    st = as_csv_parse(data, len, path, lim, out, err);
    free(data);
    return st;
}

void as_csv_put_field(FILE *fp, const char *s)
{
    if (!s) return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"') fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}
