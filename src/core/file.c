/* file.c — atomic output: write to a temporary name beside the target, rename on success. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

int as__tmp_open(const char *path, char *tmp, size_t tmp_len)
{
    int k = snprintf(tmp, tmp_len, "%s.tmp-XXXXXX", path);
    if (k < 0 || (size_t)k >= tmp_len) return -1;
    return mkstemp(tmp);
}

as_status as__tmp_commit(const char *tmp, const char *path)
{
    /* mkstemp makes the file 0600; give it the mode a plain fopen would (0666 less the umask). */
    mode_t mask = umask(022);
    umask(mask);
    chmod(tmp, 0666 & ~mask);
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        return AS_ERR_IO;
    }
    return AS_OK;
}

int as__fsync_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

void as__tmp_abort(const char *tmp)
{
    if (tmp && *tmp) unlink(tmp);
}

/* Reads a whole file (NUL-terminated; *len excludes the NUL), growing the buffer as data
 * arrives, so a file is never trusted for its size; refuses files over max_bytes. */
as_status as_read_file(const char *path, size_t max_bytes, char **data, size_t *len, as_error *err)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return as__fail(err, AS_ERR_IO, path, "cannot open (%s)", strerror(errno));
    size_t cap = 65536, n = 0;
    char *b = malloc(cap + 1);
    if (!b) {
        fclose(f);
        return as__fail(err, AS_ERR_NOMEM, path, "out of memory");
    }
    for (;;) {
        if (n == cap) {
            if (cap >= max_bytes) {
                free(b);
                fclose(f);
                return as__fail(err, AS_ERR_TOO_LONG, path, "larger than %zu bytes", max_bytes);
            }
            size_t nc = cap * 2 > max_bytes ? max_bytes : cap * 2;
            char *nb = realloc(b, nc + 1);
            if (!nb) {
                free(b);
                fclose(f);
                return as__fail(err, AS_ERR_NOMEM, path, "out of memory");
            }
            b = nb;
            cap = nc;
        }
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b);
        return as__fail(err, AS_ERR_IO, path, "read error");
    }
    if (n > max_bytes) {
        free(b);
        return as__fail(err, AS_ERR_TOO_LONG, path, "larger than %zu bytes", max_bytes);
    }
    b[n] = '\0';
    *data = b;
    *len = n;
    return AS_OK;
}
