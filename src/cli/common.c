/* common.c — error lines, option parsing, progress, interrupts. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

int cli_verbose;

int cli_error(const as_error *err, int status, const char *name)
{
    if (err && err->msg[0]) fprintf(stderr, "audiostyle: %s\n", err->msg);
    else if (name) fprintf(stderr, "audiostyle: %s: %s\n", name, as_strerror(status));
    else fprintf(stderr, "audiostyle: %s\n", as_strerror(status));
    if (err && err->hint[0]) fprintf(stderr, "hint: %s\n", err->hint);
    return 1;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "audiostyle %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    /* "transfer-many: pairs.csv: row 5" names where; the help is the command's */
    fprintf(stderr, "\ntry 'audiostyle %.*s --help'\n", (int)strcspn(cmd, ":"), cmd);
    va_end(ap);
    return 2;
}

int cli_parse_double(const char *cmd, const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = s ? strtod(s, &end) : NAN;
    if (!s || end == s || *end != '\0' || errno == ERANGE || !isfinite(v) || v < lo || v > hi) {
        cli_usage(cmd, "%s needs a number from %g to %g (got '%s')", opt, lo, hi, s ? s : "");
        return 0;
    }
    *out = v;
    return 1;
}

int cli_parse_int(const char *cmd, const char *opt, const char *s, long lo, long hi, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || end == s || *end != '\0' || errno == ERANGE || v < lo || v > hi) {
        cli_usage(cmd, "%s needs a whole number from %ld to %ld (got '%s')", opt, lo, hi, s ? s : "");
        return 0;
    }
    *out = (int)v;
    return 1;
}

int cli_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = (s && *s != '-') ? strtoull(s, &end, 10) : 0;
    if (!s || *s == '-' || end == s || *end != '\0' || errno == ERANGE) {
        cli_usage(cmd, "%s needs a non-negative whole number (got '%s')", opt, s ? s : "");
        return 0;
    }
    *out = (uint64_t)v;
    return 1;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void fmt_time(char *b, size_t n, double s)
{
    if (!(s >= 0) || s > 359999) { snprintf(b, n, "--:--"); return; }
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(b, n, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    else snprintf(b, n, "%ld:%02ld", t / 60, t % 60);
}

void cli_progress_begin(cli_progress *p, const char *what, int quiet)
{
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->t0 = cli_now();
    p->last = 0;
    p->what = what;
}

void cli_progress_update(cli_progress *p, double done, double total, const char *extra)
{
    if (!p->enabled) return;
    double now = cli_now();
    if (now - p->last < 0.1 && done < total) return;
    p->last = now;
    double el = now - p->t0;
    double eta = done > 0 ? el * (total - done) / done : -1;
    char e1[32], e2[32];
    fmt_time(e1, sizeof e1, el);
    fmt_time(e2, sizeof e2, eta);
    fprintf(stderr, "\r\033[K%s  %.0f/%.0f (%3.0f%%)  %s  elapsed %s  ETA %s", p->what, done, total,
            total > 0 ? 100.0 * done / total : 0.0, extra ? extra : "", e1, e2);
    fflush(stderr);
}

void cli_progress_end(cli_progress *p)
{
    if (p->enabled) fprintf(stderr, "\r\033[K");
    p->enabled = 0;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

void cli_catch_interrupts(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cli_interrupted(void) { return interrupted != 0; }

double cli_peak_rss_mb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return ru.ru_maxrss / 1024.0;
}

void cli_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

int cli_genre_warning(const float *y, int64_t n, char *buf, size_t len)
{
    double sec = 0, db = 0;
    int w = as_genre_input_check(y, n, AS_SR, &sec, &db);
    char lv[32];
    if (isfinite(db)) snprintf(lv, sizeof lv, "%.1f dBFS", db);
    else snprintf(lv, sizeof lv, "-inf dBFS");
    if (w & AS_GENRE_WARN_SHORT)
        snprintf(buf, len, "%.2f s long, under %g s: too short for a meaningful genre", sec, AS_GENRE_MIN_SECONDS);
    else if (w & AS_GENRE_WARN_QUIET)
        snprintf(buf, len, "RMS %s, under %g dBFS: too quiet for a meaningful genre", lv, AS_GENRE_MIN_RMS_DBFS);
    else if (len)
        buf[0] = 0;
    return w;
}
