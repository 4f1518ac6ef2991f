/* paths.c — output paths checked before the work (see paths.h), and `-o -`. */
#define _GNU_SOURCE
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_path_problem(int status, const char *path, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "audiostyle: %s: ", path);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    if (hint && *hint) fprintf(stderr, "hint: %s\n", hint);
    va_end(ap);
    return status;
}

int cli_is_stdout(const char *path) { return path && strcmp(path, "-") == 0; }

/* Whether path ends in one of the '|'-separated extensions of list (case-insensitive). */
static int ext_in(const char *path, const char *list)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    if (!dot) return 0;
    size_t ld = strlen(dot);
    for (const char *p = list; *p;) {
        const char *bar = strchr(p, '|');
        size_t l = bar ? (size_t)(bar - p) : strlen(p);
        if (l == ld && strncasecmp(p, dot, l) == 0) return 1;
        if (!bar) break;
        p = bar + 1;
    }
    return 0;
}

/* ".wav|.flac" -> ".wav, .flac" */
static void list_text(char *b, size_t n, const char *list)
{
    size_t k = 0;
    for (const char *p = list; *p && k + 3 < n; p++) {
        if (*p == '|') {
            b[k++] = ',';
            b[k++] = ' ';
        } else {
            b[k++] = *p;
        }
    }
    b[k] = 0;
}

static void folder_of(const char *path, char *dir, size_t n)
{
    snprintf(dir, n, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) snprintf(dir, n, ".");
    else if (slash == dir) dir[1] = 0;
    else *slash = 0;
}

int cli_check_paths(const char *cmd, const cli_out *outs, int nout, const char *const *inputs, int nin, int force)
{
    (void)cmd;
    for (int k = 0; k < nout; k++) {
        const cli_out *o = &outs[k];
        if (!o->path) continue;
        const char *p = o->path;
        char lt[128];
        if (!*p) return cli_path_problem(2, "''", NULL, "an empty name for %s", o->what);
        if (cli_is_stdout(p)) {
            if (o->stdout_ok) continue;
            return cli_path_problem(2, p, "standard output takes CSV, JSON and WAV; give a file name",
                                    "%s cannot be written to standard output", o->what);
        }
        if (o->exts && !ext_in(p, o->exts)) {
            list_text(lt, sizeof lt, o->exts);
            return cli_path_problem(2, p, NULL, "%s must end in %s", o->what, lt);
        }
        if (!o->exts && o->not_exts && ext_in(p, o->not_exts)) {
            const char *dot = strrchr(p, '.');
            return cli_path_problem(2, p, NULL, "%s is not a %s file; choose another name", o->what, dot);
        }
        struct stat so;
        int exists = stat(p, &so) == 0;
        if (exists && S_ISDIR(so.st_mode))
            return cli_path_problem(2, p, "give a file name inside the folder", "%s is a folder, not a file", o->what);
        if (exists) {
            for (int i = 0; i < nin; i++) {
                struct stat si;
                if (!inputs[i] || stat(inputs[i], &si) != 0) continue;
                if (si.st_dev == so.st_dev && si.st_ino == so.st_ino)
                    return cli_path_problem(2, p, "choose another output name",
                                            "%s is the input %s (the same file); an output never replaces an input",
                                            o->what, inputs[i]);
            }
        }
        for (int j = 0; j < k; j++) {
            const cli_out *q = &outs[j];
            if (!q->path || cli_is_stdout(q->path)) continue;
            struct stat sq;
            int same = strcmp(q->path, p) == 0 ||
                       (exists && stat(q->path, &sq) == 0 && sq.st_dev == so.st_dev && sq.st_ino == so.st_ino);
            if (same)
                return cli_path_problem(2, p, "give each output its own name", "named for both %s and %s", q->what,
                                        o->what);
        }
        if (exists && !o->named && !force) {
            char hint[256];
            snprintf(hint, sizeof hint, "--force replaces it%s%s", o->avoid ? "; " : "", o->avoid ? o->avoid : "");
            return cli_path_problem(2, p, hint, "exists and would be replaced by %s, which was not named on the command line",
                                    o->what);
        }
        char dir[4096];
        folder_of(p, dir, sizeof dir);
        struct stat sd;
        const char *why = NULL;
        if (stat(dir, &sd) != 0) why = errno == ENOENT ? "no such folder" : strerror(errno);
        else if (!S_ISDIR(sd.st_mode)) why = "not a folder";
        else if (access(dir, W_OK | X_OK) != 0) why = "read-only";
        if (why) return cli_path_problem(1, p, NULL, "cannot write in the folder %s (%s)", dir, why);
    }
    return 0;
}

const char *cli_out_path(const char *out, const char *ext, char *buf, size_t n)
{
    if (!cli_is_stdout(out)) return out;
    const char *td = getenv("TMPDIR");
    snprintf(buf, n, "%s/audiostyle-stdout-XXXXXX%s", td && *td ? td : "/tmp", ext);
    int fd = mkstemps(buf, (int)strlen(ext));
    if (fd < 0) {
        cli_path_problem(1, buf, "set TMPDIR to a writable folder", "cannot make a temporary file (%s)", strerror(errno));
        return NULL;
    }
    close(fd);
    return buf;
}

int cli_out_finish(const char *out, const char *written)
{
    if (!cli_is_stdout(out) || !written) return 0;
    FILE *f = fopen(written, "rb");
    int rc = 0;
    if (!f) rc = cli_path_problem(1, written, NULL, "cannot read back the temporary file (%s)", strerror(errno));
    else {
        char buf[65536];
        size_t r;
        while ((r = fread(buf, 1, sizeof buf, f)) > 0)
            if (fwrite(buf, 1, r, stdout) != r) {
                rc = cli_path_problem(1, "-", NULL, "cannot write to standard output (%s)", strerror(errno));
                break;
            }
        fclose(f);
        if (fflush(stdout) != 0 && !rc) rc = cli_path_problem(1, "-", NULL, "cannot write to standard output (%s)", strerror(errno));
    }
    unlink(written);
    return rc;
}

void cli_out_discard(const char *out, const char *written)
{
    if (cli_is_stdout(out) && written) unlink(written);
}
