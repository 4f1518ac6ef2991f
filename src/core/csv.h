/* csv.h — a strict CSV reader (RFC 4180 plus LF line ends), for feature tables.
 *
 * Rules: fields separated by ',', records by CRLF or LF (a final line end is optional);
 * a field may be quoted with '"', a doubled quote inside a quoted field is one quote, and a
 * quoted field may hold commas and line ends. Refused with AS_ERR_FORMAT: a quote inside an
 * unquoted field, text after a closing quote, an unterminated quote, a bare CR, a NUL byte, a
 * blank line, and rows whose field count differs from the header's (ragged rows). Refused with
 * AS_ERR_TOO_LONG: input, field, column or row counts over the limits. */
#ifndef AS_CSV_H
#define AS_CSV_H

#include "core/internal.h"

#include <stddef.h>
#include <stdio.h>

typedef struct as_csv_limits {
    size_t max_bytes;  /* whole input; 0 = 512 MiB */
    size_t max_field;  /* bytes in one field; 0 = 4096 */
    size_t max_cols;   /* 0 = 4096 */
    size_t max_rows;   /* including the header; 0 = 10 000 000 */
} as_csv_limits;

typedef struct as_csv {
    size_t n_rows;  /* records, the header included (row 0) */
    size_t n_cols;  /* fields per record */
    char **cell;    /* (n_rows, n_cols) NUL-terminated, unquoted fields pointing into buf */
    char *buf;
} as_csv;

/* Parses text (len bytes, need not be NUL-terminated). name is used in messages
 * ("name: line 12: ..."). NULL limits = defaults. On failure *out is left empty. */
as_status as_csv_parse(const char *text, size_t len, const char *name, const as_csv_limits *lim,
                       as_csv *out, as_error *err);
/* Reads and parses a file. */
as_status as_csv_load(const char *path, const as_csv_limits *lim, as_csv *out, as_error *err);
void as_csv_free(as_csv *c);
/* Writes s as one CSV field: quoted (RFC 4180, quotes doubled) when it holds a comma, a quote
 * or a line break; nothing for NULL. The writers' side of the rules above. */
void as_csv_put_field(FILE *fp, const char *s);

/* The field at (row, col); not bounds-checked: row < n_rows, col < n_cols. */
static inline const char *as_csv_at(const as_csv *c, size_t row, size_t col)
{
    return c->cell[row * c->n_cols + col];
}

#endif
