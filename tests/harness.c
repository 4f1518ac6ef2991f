/* harness.c — the test runner: runs every TEST (or those whose name contains an argument), each
 * in a child process, and ends with "unit: N passed, N failed, N skipped"; each skipped test is
 * listed on a line "SKIPPED unit/NAME: REASON" (scripts/check.sh checks them against
 * tests/skips-allowed when CI is set). */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* LeakSanitizer: fontconfig (used by cairo to find fonts) keeps ~1 KB unreachable at exit by
 * design; ignore it so sanitizer runs report only our leaks. No effect in normal builds. */
__attribute__((visibility("default"))) const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }
__attribute__((visibility("default"))) const char *__lsan_default_options(void);
const char *__lsan_default_options(void) { return "print_suppressions=0"; }

#define X(name) void test_##name(void);
#include "test_list.h"
#undef X

static const struct { const char *name; void (*fn)(void); } tests[] = {
#define X(name) {#name, test_##name},
#include "test_list.h"
#undef X
};

static int n_fail_checks;

void harness_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "    %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    n_fail_checks++;
}

int harness_failed(void) { return n_fail_checks; }

/* A skip's reason travels from the test's child process to the runner in a shared page; the child
 * exits with SKIP_EXIT. With --no-fork the test is left by longjmp. */
#define SKIP_EXIT 77
static char *skip_reason; /* (SKIP_LEN,) MAP_SHARED */
#define SKIP_LEN 512
static int in_child;
static jmp_buf skip_jmp;

void harness_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char buf[SKIP_LEN];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (skip_reason) snprintf(skip_reason, SKIP_LEN, "%s", buf);
    printf("    skip: %s\n", buf);
    fflush(stdout);
    fflush(stderr);
    if (in_child) exit(n_fail_checks ? 1 : SKIP_EXIT); /* a check that failed first still fails */
    longjmp(skip_jmp, 1);
}

typedef double (*getter)(const void *, size_t);
static double get_f(const void *p, size_t i) { return ((const float *)p)[i]; }
static double get_d(const void *p, size_t i) { return ((const double *)p)[i]; }

static int check_core(const char *name, const void *got, getter gg, const void *ref, getter gr,
                      size_t n, double rtol, double atol)
{
    double max_abs = 0, max_rel = 0, se = 0, sr = 0;
    size_t first_bad = (size_t)-1, nbad = 0;
    for (size_t i = 0; i < n; i++) {
        double a = gg(got, i), b = gr(ref, i);
        double d = fabs(a - b);
        if (isnan(a) != isnan(b) || (isinf(b) && a != b)) d = INFINITY;
        else if (isnan(a) || isinf(b)) d = 0;
        if (d > max_abs) max_abs = d;
        if (b != 0 && isfinite(b) && d / fabs(b) > max_rel) max_rel = d / fabs(b);
        if (isfinite(b)) { se += (a - b) * (a - b); sr += b * b; }
        if (!(d <= atol + rtol * fabs(b))) {
            if (first_bad == (size_t)-1) first_bad = i;
            nbad++;
        }
    }
    double nmse = sr > 0 ? se / sr : se;
    if (nbad == 0) {
        printf("    %-28s n=%-8zu max-abs %.3g  max-rel %.3g  NMSE %.3g\n", name, n, max_abs, max_rel, nmse);
        return 1;
    }
    harness_fail(__FILE__, __LINE__,
                 "%s: %zu of %zu outside atol %.3g + rtol %.3g: max-abs %.3g max-rel %.3g NMSE %.3g; "
                 "first at [%zu]: got %.9g ref %.9g",
                 name, nbad, n, atol, rtol, max_abs, max_rel, nmse, first_bad,
                 gg(got, first_bad), gr(ref, first_bad));
    return 0;
}

int ref_check_ff(const char *name, const float *got, const float *ref, size_t n, double rtol, double atol)
{ return check_core(name, got, get_f, ref, get_f, n, rtol, atol); }
int ref_check_fd(const char *name, const float *got, const double *ref, size_t n, double rtol, double atol)
{ return check_core(name, got, get_f, ref, get_d, n, rtol, atol); }
int ref_check_dd(const char *name, const double *got, const double *ref, size_t n, double rtol, double atol)
{ return check_core(name, got, get_d, ref, get_d, n, rtol, atol); }

int ref_check_npy(const char *name, const float *got, const as_npy *ref, double rtol, double atol)
{
    size_t n = (size_t)ref->count * (ref->dtype == AS_NPY_C8 ? 2 : 1);
    if (ref->dtype == AS_NPY_F8) return check_core(name, got, get_f, ref->data, get_d, n, rtol, atol);
    return check_core(name, got, get_f, ref->data, get_f, n, rtol, atol);
}

int nmse_check_fd(const char *name, const float *got, const double *ref, size_t n, double max_nmse)
{
    double se = 0, sr = 0;
    for (size_t i = 0; i < n; i++) {
        double d = got[i] - ref[i];
        se += d * d;
        sr += ref[i] * ref[i];
    }
    double nmse = sr > 0 ? se / sr : se;
    if (nmse <= max_nmse) {
        printf("    %-28s n=%-8zu NMSE %.3g\n", name, n, nmse);
        return 1;
    }
    harness_fail(__FILE__, __LINE__, "%s: NMSE %.3g > %.3g", name, nmse, max_nmse);
    return 0;
}

const char *ref_path(const char *rel)
{
    static char buf[8][1024];
    static int slot;
    const char *dir = getenv("AS_TEST_REF");
    if (!dir || !*dir) dir = "tests/ref";
    char *b = buf[slot++ % 8];
    snprintf(b, sizeof buf[0], "%s/%s", dir, rel);
    return b;
}

/* The number after "key": in the small JSON file rel under tests/ref (NAN and a failure when
 * the file or the key is missing). */
double ref_json_number(const char *rel, const char *key)
{
    FILE *f = fopen(ref_path(rel), "rb");
    if (!f) {
        harness_fail(__FILE__, __LINE__, "cannot open %s", ref_path(rel));
        return NAN;
    }
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(buf, pat);
    if (!p) {
        harness_fail(__FILE__, __LINE__, "%s: no %s", rel, key);
        return NAN;
    }
    return strtod(p + strlen(pat), NULL);
}

int load_ref(const char *rel, as_npy *out)
{
    as_error err = {0};
    if (as_npy_load(ref_path(rel), out, &err) != AS_OK) {
        harness_fail(__FILE__, __LINE__, "cannot load fixture: %s", err.msg);
        return 0;
    }
    return 1;
}

double npy_maxabs(const as_npy *a)
{
    double m = 0;
    for (int64_t i = 0; i < a->count; i++) {
        double v;
        if (a->dtype == AS_NPY_F4) v = fabs(((const float *)a->data)[i]);
        else if (a->dtype == AS_NPY_F8) v = fabs(((const double *)a->data)[i]);
        else v = hypot(((const float *)a->data)[2 * i], ((const float *)a->data)[2 * i + 1]);
        if (v > m) m = v;
    }
    return m;
}

char *read_all(const char *path, size_t *len)
{
    char *data = NULL;
    size_t n = 0;
    if (as_read_file(path, (size_t)1 << 30, &data, &n, NULL) != AS_OK) return NULL;
    if (len) *len = n;
    return data;
}

static char scratch[256];

static void remove_scratch(void)
{
    if (scratch[0]) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
        if (system(cmd) != 0) { /* nothing more to do */ }
    }
}

const char *scratch_dir(void)
{
    if (!scratch[0]) {
        snprintf(scratch, sizeof scratch, "/tmp/as_test_XXXXXX");
        if (!mkdtemp(scratch)) { scratch[0] = 0; return "/tmp"; }
        atexit(remove_scratch);
    }
    return scratch;
}

static int wanted(const char *name, int argc, char **argv)
{
    if (argc <= 1) return 1;
    for (int i = 1; i < argc; i++)
        if (argv[i][0] != '-' && strstr(name, argv[i])) return 1;
    return 0;
}

/* --no-fork: runs fn here; returns 1 when it skipped (and no check failed before). */
static int run_in_process(void (*fn)(void))
{
    n_fail_checks = 0;
    if (setjmp(skip_jmp) == 0) {
        fn();
        return 0;
    }
    return n_fail_checks == 0;
}

int main(int argc, char **argv)
{
    int no_fork = 0;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--no-fork") == 0) no_fork = 1;
    void *page = mmap(NULL, SKIP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    skip_reason = page == MAP_FAILED ? NULL : page;
    int passed = 0, failed = 0, skipped = 0;
    size_t nt = sizeof tests / sizeof tests[0];
    const char **skip_name = calloc(nt, sizeof *skip_name);
    char **skip_why = calloc(nt, sizeof *skip_why);
    for (size_t i = 0; i < nt; i++) {
        if (!wanted(tests[i].name, argc, argv)) continue;
        printf("%s\n", tests[i].name);
        fflush(stdout);
        fflush(stderr);
        if (skip_reason) skip_reason[0] = 0;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int ok, skip = 0;
        if (no_fork) {
            skip = run_in_process(tests[i].fn);
            ok = n_fail_checks == 0;
        } else {
            pid_t pid = fork();
            if (pid == 0) {
                in_child = 1;
                tests[i].fn();
                fflush(stdout);
                exit(n_fail_checks == 0 ? 0 : 1);
            }
            int ws = 0;
            waitpid(pid, &ws, 0);
            ok = WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
            skip = WIFEXITED(ws) && WEXITSTATUS(ws) == SKIP_EXIT;
            if (WIFSIGNALED(ws)) fprintf(stderr, "    killed by signal %d\n", WTERMSIG(ws));
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
        printf("  %s %s (%.0f ms)\n", skip ? "skip" : ok ? "ok  " : "FAIL", tests[i].name, ms);
        if (skip) {
            if (skip_name && skip_why) {
                skip_name[skipped] = tests[i].name;
                skip_why[skipped] = strdup(skip_reason && skip_reason[0] ? skip_reason : "no reason given");
            }
            skipped++;
        } else if (ok) passed++;
        else failed++;
    }
    printf("unit: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    for (int k = 0; skip_name && skip_why && k < skipped; k++) {
        printf("SKIPPED unit/%s: %s\n", skip_name[k], skip_why[k] ? skip_why[k] : "");
        free(skip_why[k]);
    }
    free(skip_name);
    free(skip_why);
    return failed ? 1 : 0;
}
