/* test_core.c — status strings, the .npy reader, the random generator. */
#include "harness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

TEST(core_strerror_covers_every_code)
{
    for (int s = AS_OK; s >= AS_ERR_INTERNAL; s--) {
        const char *m = as_strerror(s);
        CHECK(m != NULL && strcmp(m, "unknown status") != 0);
    }
    CHECK(strcmp(as_strerror(1), "unknown status") == 0);
    CHECK(strcmp(as_strerror(-1000), "unknown status") == 0);
}

/* Builds a .npy in memory with the given header dict and payload size. */
static size_t make_npy(unsigned char *buf, const char *dict, size_t payload)
{
    size_t dl = strlen(dict);
    size_t hl = dl + 1;
    while ((10 + hl) % 16) hl++;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(hl & 0xff);
    buf[9] = (unsigned char)(hl >> 8);
    memcpy(buf + 10, dict, dl);
    memset(buf + 10 + dl, ' ', hl - dl - 1);
    buf[10 + hl - 1] = '\n';
    memset(buf + 10 + hl, 0, payload);
    return 10 + hl + payload;
}

TEST(npy_reader_accepts_valid_and_refuses_malformed)
{
    unsigned char buf[512];
    as_npy a;
    as_error err = {0};
    size_t n = make_npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", 24);
    CHECK_OK(as_npy_parse(buf, n, "ok.npy", &a, &err));
    CHECK(a.ndim == 2 && a.shape[0] == 3 && a.shape[1] == 2 && a.count == 6 && a.dtype == AS_NPY_F4);
    as_npy_free(&a);
    n = make_npy(buf, "{'descr': '<c8', 'fortran_order': False, 'shape': (4,), }", 32);
    CHECK_OK(as_npy_parse(buf, n, "c.npy", &a, &err));
    CHECK(a.count == 4 && a.dtype == AS_NPY_C8);
    as_npy_free(&a);
    n = make_npy(buf, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", 8);
    CHECK_OK(as_npy_parse(buf, n, "scalar.npy", &a, &err));
    CHECK(a.ndim == 0 && a.count == 1);
    as_npy_free(&a);

    /* Each of these must be refused. */
    n = make_npy(buf, "{'descr': '<f4', 'fortran_order': True, 'shape': (3, 2), }", 24);
    CHECK(as_npy_parse(buf, n, "f.npy", &a, &err) == AS_ERR_UNSUPPORTED);
    n = make_npy(buf, "{'descr': '>f4', 'fortran_order': False, 'shape': (3, 2), }", 24);
    CHECK(as_npy_parse(buf, n, "be.npy", &a, &err) == AS_ERR_UNSUPPORTED);
    n = make_npy(buf, "{'descr': '<i4', 'fortran_order': False, 'shape': (3, 2), }", 24);
    CHECK(as_npy_parse(buf, n, "i.npy", &a, &err) == AS_ERR_UNSUPPORTED);
    n = make_npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", 20);
    CHECK(as_npy_parse(buf, n, "short.npy", &a, &err) == AS_ERR_FORMAT);
    CHECK(strstr(err.msg, "short.npy") != NULL);
    n = make_npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }", 0);
    CHECK(as_npy_parse(buf, n, "huge.npy", &a, &err) != AS_OK);
    n = make_npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, x), }", 24);
    CHECK(as_npy_parse(buf, n, "bad.npy", &a, &err) == AS_ERR_FORMAT);
    CHECK(as_npy_parse(buf, 9, "tiny.npy", &a, &err) == AS_ERR_FORMAT);
    buf[6] = 2;
    CHECK(as_npy_parse(buf, n, "v2.npy", &a, &err) == AS_ERR_UNSUPPORTED);
    CHECK(as_npy_load("/nonexistent/x.npy", &a, &err) == AS_ERR_IO);
}

TEST(rng_is_deterministic_and_normal)
{
    as_rng a, b;
    as_rng_seed(&a, 42);
    as_rng_seed(&b, 42);
    int same = 1;
    for (int i = 0; i < 1000; i++) same &= as_rng_next(&a) == as_rng_next(&b);
    CHECK(same);
    as_rng_seed(&a, 7);
    double s = 0, s2 = 0;
    int n = 200000;
    for (int i = 0; i < n; i++) {
        double x = as_rng_normal(&a);
        s += x;
        s2 += x * x;
    }
    double mean = s / n, var = s2 / n - mean * mean;
    CHECK_NEAR(mean, 0.0, 0.01);
    CHECK_NEAR(var, 1.0, 0.02);
}
