/* paths.h — every command's output paths checked before any work, with one wording per kind of
 * problem:
 *   exit 2  an output that is one of the inputs (same device and inode: also through symbolic
 *           and hard links), an output that is a folder, an output whose extension does not
 *           match what is written, an existing file the user did not name (unless --force),
 *           two outputs that are the same file, `-` where standard output cannot take the
 *           format;
 *   exit 1  an output whose folder is missing, not a folder or not writable.
 * `-` means standard output where the format allows it (CSV, JSON, WAV): the command writes
 * a temporary file (cli_out_path) and cli_out_finish copies it to stdout. */
#ifndef AS_CLI_PATHS_H
#define AS_CLI_PATHS_H

#include <stddef.h>

typedef struct cli_out {
    const char *path;     /* NULL: not written this run */
    const char *what;     /* "the result", "the picture" (for messages) */
    const char *exts;     /* the extensions that may be written, ".wav|.flac|.ogg|.oga"; NULL: any */
    const char *not_exts; /* with exts NULL: extensions refused ("a model is not a .csv") */
    int stdout_ok;        /* "-" writes to standard output */
    int named;            /* the user named the file; 0: derived (e.g. OUT.png) */
    const char *avoid;    /* for an unnamed output, how else to avoid replacing it */
} cli_out;

/* Checks outs against each other and against the files in inputs (NULL entries and missing
 * files are skipped: their loaders report them). Prints the first problem found and returns
 * its exit status (1 or 2), or 0 when every output can be written. */
int cli_check_paths(const char *cmd, const cli_out *outs, int nout, const char *const *inputs, int nin, int force);

/* Whether path is "-" (standard output). */
int cli_is_stdout(const char *path);
/* The file to write: out itself, or for "-" a new temporary file ending in ext (in buf).
 * NULL on failure (printed). */
const char *cli_out_path(const char *out, const char *ext, char *buf, size_t n);
/* After a successful write to cli_out_path's file: for "-", copies it to standard output and
 * removes it. Returns 0, or 1 (printed). Does nothing for a real path. */
int cli_out_finish(const char *out, const char *written);
/* After a failure: removes cli_out_path's temporary file for "-". */
void cli_out_discard(const char *out, const char *written);

/* Prints "audiostyle: PATH: MESSAGE" and "hint: HINT" (if any) and returns status: the one
 * shape of every path problem. */
int cli_path_problem(int status, const char *path, const char *hint, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif
