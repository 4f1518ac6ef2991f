/* cli.h — what the subcommands of the audiostyle program share. The CLI owns policy: what to
 * print, exit codes (0 ok, 1 failure, 2 usage), signals. It uses only the public header. */
#ifndef AS_CLI_H
#define AS_CLI_H

#include "audiostyle.h"
#include "opt.h"
#include "paths.h"

#include <stdint.h>
#include <stdio.h>

/* One subcommand: argv[0] is the verb. Returns the exit status. */
int cmd_info(int argc, char **argv);
int cmd_spectrogram(int argc, char **argv);
int cmd_transfer(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_transfer_many(int argc, char **argv);
extern const cli_command cli_cmd_merge, cli_cmd_transfer_many;
/* Their option tables (cmd_<verb>.c), listed in main.c's cli_commands. */
extern const cli_command cli_cmd_info, cli_cmd_spectrogram, cli_cmd_transfer, cli_cmd_features,
    cli_cmd_classify, cli_cmd_train, cli_cmd_evaluate, cli_cmd_compare, cli_cmd_serve;

extern int cli_verbose;

/* Prints "audiostyle: <err->msg>" (or "<name>: <strerror>" when err has no message) and the hint
 * line if any, to stderr. Returns 1 (the failure exit status). */
int cli_error(const as_error *err, int status, const char *name);
/* Prints "audiostyle <cmd>: <message>" and "try 'audiostyle <cmd> --help'"; returns 2. */
int cli_usage(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Strict number parsing for option values; on failure prints a usage error and returns 0. */
int cli_parse_double(const char *cmd, const char *opt, const char *s, double lo, double hi, double *out);
int cli_parse_int(const char *cmd, const char *opt, const char *s, long lo, long hi, int *out);
int cli_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t *out);

/* Progress line on stderr, only when stderr is a terminal and not quiet:
 * "<what>  <done>/<total>  <extra>  elapsed 0:12  ETA 0:34". */
typedef struct cli_progress {
    int enabled;
    double t0;
    double last;
    const char *what;
} cli_progress;
void cli_progress_begin(cli_progress *p, const char *what, int quiet);
void cli_progress_update(cli_progress *p, double done, double total, const char *extra);
void cli_progress_end(cli_progress *p);
double cli_now(void); /* monotonic seconds */

/* SIGINT/SIGTERM set a flag instead of killing the process; long jobs poll it through their
 * progress callbacks and stop cleanly. */
void cli_catch_interrupts(void);
int cli_interrupted(void);

/* Writes s as a JSON string literal (quotes, backslashes and control characters escaped). */
void cli_json_str(FILE *f, const char *s);

/* When a signal (22050 Hz mono) is too short or too quiet for a meaningful genre
 * (as_genre_input_check), writes one sentence saying so to buf and returns the flags; else
 * returns 0 and an empty buf. */
int cli_genre_warning(const float *y, int64_t n, char *buf, size_t len);

/* Peak resident set size of this process in MB. */
double cli_peak_rss_mb(void);

#endif
