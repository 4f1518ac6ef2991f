/* bench.h — benchmark parts. A part is `BENCH(name) { ... }` at the start of a line in
 * bench/bench_*.c; `make bench` runs them all, `make bench PART=name` one. Each part prints
 * markdown table rows with medians, and the ceiling it is measured against in the same run. */
#ifndef AS_BENCH_H
#define AS_BENCH_H

#include "core/internal.h"

#define BENCH(name) void bench_##name(void)

double bench_now(void);                       /* monotonic seconds */
double bench_median(double *v, int n);        /* sorts v */
int bench_threads(void);                      /* OPENBLAS_NUM_THREADS or number of cores */
/* Reads examples/<name> (22050 Hz mono) or exits the bench with a message. */
as_signal bench_load(const char *name);

#endif
