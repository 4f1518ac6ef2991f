/* test_csv.c — the strict CSV reader: quoting, line ends, ragged rows, limits. */
#include "core/csv.h"
#include "harness.h"

#include <stdlib.h>
#include <string.h>

static as_status parse(const char *s, as_csv *t, as_error *err)
{
    return as_csv_parse(s, strlen(s), "t.csv", NULL, t, err);
}

TEST(csv_reads_quotes_crlf_and_empty_fields)
{
    as_csv t;
    as_error err = {0};
    const char *s = "a,b,c\r\n1,\"x, y\",\"he said \"\"hi\"\"\"\r\n,\"line\nbreak\",\r\n";
    CHECK_OK(parse(s, &t, &err));
    CHECK(t.n_rows == 3 && t.n_cols == 3);
    if (t.n_rows == 3 && t.n_cols == 3) {
        CHECK(strcmp(as_csv_at(&t, 0, 2), "c") == 0);
        CHECK(strcmp(as_csv_at(&t, 1, 0), "1") == 0);
        CHECK(strcmp(as_csv_at(&t, 1, 1), "x, y") == 0);
        CHECK(strcmp(as_csv_at(&t, 1, 2), "he said \"hi\"") == 0);
        CHECK(strcmp(as_csv_at(&t, 2, 0), "") == 0);
        CHECK(strcmp(as_csv_at(&t, 2, 1), "line\nbreak") == 0);
        CHECK(strcmp(as_csv_at(&t, 2, 2), "") == 0);
    }
    as_csv_free(&t);
    /* LF line ends and no final newline give the same table */
    CHECK_OK(parse("a,b\n1,2", &t, &err));
    CHECK(t.n_rows == 2 && t.n_cols == 2 && strcmp(as_csv_at(&t, 1, 1), "2") == 0);
    as_csv_free(&t);
    /* a trailing comma at the very end is one more (empty) field */
    CHECK_OK(parse("a,b\n1,", &t, &err));
    CHECK(t.n_rows == 2 && strcmp(as_csv_at(&t, 1, 1), "") == 0);
    as_csv_free(&t);
}

TEST(csv_refuses_ragged_and_malformed)
{
    as_csv t;
    as_error err = {0};
    CHECK(parse("a,b,c\n1,2\n", &t, &err) == AS_ERR_FORMAT);
    CHECK(strstr(err.msg, "t.csv") && strstr(err.msg, "line 2"));
    CHECK(t.cell == NULL && t.n_rows == 0);
    CHECK(parse("a,b\n1,2,3\n", &t, &err) == AS_ERR_FORMAT);
    CHECK(parse("a,b\n\"1,2\n", &t, &err) == AS_ERR_FORMAT);     /* unterminated quote */
    CHECK(parse("a,b\n\"1\"x,2\n", &t, &err) == AS_ERR_FORMAT);  /* text after closing quote */
    CHECK(parse("a,b\n1\"x,2\n", &t, &err) == AS_ERR_FORMAT);    /* quote inside a field */
    CHECK(parse("a,b\r1,2\n", &t, &err) == AS_ERR_FORMAT);       /* bare CR */
    CHECK(parse("a,b\n\n1,2\n", &t, &err) == AS_ERR_FORMAT);     /* blank line */
    CHECK(parse("a,b\n1,2\n\n", &t, &err) == AS_ERR_FORMAT);     /* blank line at the end */
    CHECK(as_csv_parse("a,b\n1\0,2\n", 9, "t.csv", NULL, &t, &err) == AS_ERR_FORMAT); /* NUL */
    CHECK(parse("", &t, &err) == AS_ERR_EMPTY);
}

TEST(csv_bounds_huge_fields_rows_and_columns)
{
    as_csv t;
    as_error err = {0};
    as_csv_limits lim = {0};
    lim.max_field = 16;
    CHECK_OK(as_csv_parse("a,b\n0123456789abcdef,1\n", 22, "t.csv", &lim, &t, &err));
    as_csv_free(&t);
    CHECK(as_csv_parse("a,b\n0123456789abcdefg,1\n", 23, "t.csv", &lim, &t, &err) == AS_ERR_TOO_LONG);
    CHECK(as_csv_parse("a,b\n\"0123456789abcdefg\",1\n", 25, "t.csv", &lim, &t, &err) == AS_ERR_TOO_LONG);
    /* a 1 MB field under the default limit (4096) */
    size_t n = 1 << 20;
    char *big = malloc(n + 8);
    memcpy(big, "a\n", 2);
    memset(big + 2, 'x', n);
    CHECK(as_csv_parse(big, n + 2, "big.csv", NULL, &t, &err) == AS_ERR_TOO_LONG);
    free(big);
    lim.max_field = 0;
    lim.max_cols = 3;
    CHECK(as_csv_parse("a,b,c,d\n", 8, "t.csv", &lim, &t, &err) == AS_ERR_TOO_LONG);
    lim.max_cols = 0;
    lim.max_rows = 2;
    CHECK(as_csv_parse("a\n1\n2\n", 6, "t.csv", &lim, &t, &err) == AS_ERR_TOO_LONG);
    lim.max_rows = 0;
    lim.max_bytes = 4;
    CHECK(as_csv_parse("a\n1\n2\n", 6, "t.csv", &lim, &t, &err) == AS_ERR_TOO_LONG);
}

TEST(csv_loads_the_gtzan_table)
{
    as_csv t;
    as_error err = {0};
    CHECK_OK(as_csv_load("data/gtzan/features_30_sec.csv", NULL, &t, &err));
    CHECK(t.n_rows == 1001 && t.n_cols == 60);
    if (t.n_rows == 1001 && t.n_cols == 60) {
        CHECK(strcmp(as_csv_at(&t, 0, 0), "filename") == 0);
        CHECK(strcmp(as_csv_at(&t, 0, 59), "label") == 0); /* no CR left on the last field */
        CHECK(strcmp(as_csv_at(&t, 1, 0), "blues.00000.wav") == 0);
        CHECK(strcmp(as_csv_at(&t, 1000, 59), "rock") == 0);
    }
    as_csv_free(&t);
    CHECK(as_csv_load("/nonexistent/t.csv", NULL, &t, &err) == AS_ERR_IO);
}
