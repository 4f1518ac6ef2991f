/* bench_main.c — runs the benchmark parts named on the command line (all when none). */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define X(name) void bench_##name(void);
#include "bench_list.h"
#undef X

static const struct { const char *name; void (*fn)(void); } parts[] = {
#define X(name) {#name, bench_##name},
#include "bench_list.h"
#undef X
    {NULL, NULL}
};

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int bench_threads(void)
{
    const char *e = getenv("OPENBLAS_NUM_THREADS");
    if (e && atoi(e) > 0) return atoi(e);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

as_signal bench_load(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "examples/%s", name);
    as_signal s = {0};
    as_error err = {0};
    if (as_audio_load(path, NULL, &s, &err) != AS_OK) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(1);
    }
    return s;
}

int main(int argc, char **argv)
{
    int ran = 0;
    for (int i = 0; parts[i].name; i++) {
        int want = argc <= 1;
        for (int a = 1; a < argc; a++) want |= strcmp(argv[a], parts[i].name) == 0;
        if (!want) continue;
        printf("\n## bench %s\n\n", parts[i].name);
        fflush(stdout);
        parts[i].fn();
        fflush(stdout);
        ran++;
    }
    if (!ran) {
        fprintf(stderr, "bench: no part matches; parts:");
        for (int i = 0; parts[i].name; i++) fprintf(stderr, " %s", parts[i].name);
        fprintf(stderr, "\n");
        return 2;
    }
    return 0;
}
