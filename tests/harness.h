/* harness.h — a small test harness. A test is `TEST(name) { ... }` at the start of a line in
 * tests/test_*.c; the Makefile collects them. Checks record failures and carry on; a test passes
 * when none of its checks failed. Each test runs in its own process, so a crash fails only it. */
#ifndef AS_HARNESS_H
#define AS_HARNESS_H

#include "core/internal.h"

#include <stddef.h>
#include <stdio.h>

#define TEST(name) void test_##name(void)

void harness_fail(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int harness_failed(void);
/* The test cannot run here (a CPU feature, a library, a fixture it needs is missing): ends the
 * test at once, and the runner counts it as skipped with the reason, never as passed. */
void harness_skip(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;
#define SKIP(...) harness_skip(__VA_ARGS__)

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) harness_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);  \
    } while (0)
#define CHECK_MSG(cond, ...)                                                \
    do {                                                                    \
        if (!(cond)) harness_fail(__FILE__, __LINE__, __VA_ARGS__);         \
    } while (0)
/* Checks that an expression returns AS_OK; prints the status otherwise. */
#define CHECK_OK(expr)                                                                      \
    do {                                                                                    \
        int st_ = (expr);                                                                   \
        if (st_ != AS_OK) harness_fail(__FILE__, __LINE__, "%s returned %d (%s)", #expr, st_, \
                                       as_strerror(st_));                                   \
    } while (0)
#define CHECK_NEAR(a, b, tol)                                                                \
    do {                                                                                     \
        double a_ = (a), b_ = (b);                                                           \
        if (!(fabs(a_ - b_) <= (tol)))                                                       \
            harness_fail(__FILE__, __LINE__, "%s = %.17g, %s = %.17g, |diff| %.3g > %.3g",   \
                         #a, a_, #b, b_, fabs(a_ - b_), (double)(tol));                      \
    } while (0)

/* Compare got against ref elementwise: pass if |got - ref| <= atol + rtol * |ref| everywhere.
 * Prints max-abs, max-rel, NMSE and the first failing index; a failure fails the test.
 * Returns 1 on pass. The _ff/_fd/_dd variants name the types of got and ref. */
int ref_check_ff(const char *name, const float *got, const float *ref, size_t n, double rtol, double atol);
int ref_check_fd(const char *name, const float *got, const double *ref, size_t n, double rtol, double atol);
int ref_check_dd(const char *name, const double *got, const double *ref, size_t n, double rtol, double atol);
/* got is float with the same element layout as ref (complex: interleaved re, im). */
int ref_check_npy(const char *name, const float *got, const as_npy *ref, double rtol, double atol);
/* NMSE check (sum (got-ref)^2 / sum ref^2 <= max_nmse). */
int nmse_check_fd(const char *name, const float *got, const double *ref, size_t n, double max_nmse);

/* Path of a fixture under tests/ref (or $AS_TEST_REF); a static buffer per call slot. */
const char *ref_path(const char *rel);
/* The number after "key": in the JSON file rel under the reference folder. */
double ref_json_number(const char *rel, const char *key);
/* Loads tests/ref/<rel>; on failure fails the test and returns 0. */
int load_ref(const char *rel, as_npy *out);
/* Max |x| of an npy array (complex: modulus). */
double npy_maxabs(const as_npy *a);
/* A whole file in memory (NUL-terminated, *len without the NUL; len may be NULL), or NULL. */
char *read_all(const char *path, size_t *len);
/* A scratch directory for this test process (created on first use, removed at exit). */
const char *scratch_dir(void);

#endif
