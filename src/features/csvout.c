/* csvout.c — feature rows as a Kaggle-schema CSV (features_30_sec.csv / features_3_sec.csv),
 * written atomically. Numbers use the shortest decimal that reads back to the same double. */
#define _POSIX_C_SOURCE 200809L
#include "features.h"
#include "core/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void fmt_double(char *b, size_t n, double v)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(b, n, "%.*g", prec, v);
        if (strtod(b, NULL) == v) return;
    }
}

as_status as_features_print_csv(FILE *fp, const as_features_row *rows, size_t n, int header)
{
    if (!fp || (!rows && n)) return AS_ERR_ARG;
    if (header) {
        fputs("filename,length", fp);
        for (int i = 0; i < AS_FEATURES_COUNT; i++) fprintf(fp, ",%s", as_features_column(i));
        fputs(",label\n", fp);
    }
    char num[64];
    for (size_t r = 0; r < n; r++) {
        as_csv_put_field(fp, rows[r].filename);
        fprintf(fp, ",%lld", (long long)rows[r].length);
        for (int i = 0; i < AS_FEATURES_COUNT; i++) {
            fmt_double(num, sizeof num, rows[r].values[i]);
            fprintf(fp, ",%s", num);
        }
        fputc(',', fp);
        as_csv_put_field(fp, rows[r].label);
        fputc('\n', fp);
    }
    return ferror(fp) ? AS_ERR_IO : AS_OK;
}

as_status as_features_write_csv(const char *path, const as_features_row *rows, size_t n,
                                as_error *err)
{
    if (!path || (!rows && n)) return as__fail(err, AS_ERR_ARG, path ? path : "(null)", "bad arguments");
    char tmp[4096];
    int fd = as__tmp_open(path, tmp, sizeof tmp);
    if (fd < 0) return as__fail(err, AS_ERR_IO, path, "cannot create the output file");
    FILE *fp = fdopen(fd, "w");
    if (!fp) {
        close(fd);
        as__tmp_abort(tmp);
        return as__fail(err, AS_ERR_IO, path, "cannot write");
    }
    int bad = as_features_print_csv(fp, rows, n, 1) != AS_OK;
    if (fflush(fp) != 0) bad = 1;
    if (fsync(fileno(fp)) != 0) bad = 1;
    if (fclose(fp) != 0) bad = 1;
    if (bad) {
        as__tmp_abort(tmp);
        return as__fail(err, AS_ERR_IO, path, "write failed (disk full?)");
    }
    if (as__tmp_commit(tmp, path) != AS_OK) return as__fail(err, AS_ERR_IO, path, "cannot rename the output into place");
    return AS_OK;
}
