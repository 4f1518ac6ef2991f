/* file.c — atomic output: write to a temporary name beside the target, rename on success. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

void as__tmp_abort(const char *tmp)
{
    if (tmp && *tmp) unlink(tmp);
}
