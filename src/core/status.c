/* status.c — status strings and error detail. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static const char *const messages[] = {
    "success",                                        /* AS_OK */
    "out of memory",                                  /* AS_ERR_NOMEM */
    "invalid argument",                               /* AS_ERR_ARG */
    "cannot read or write the file",                  /* AS_ERR_IO */
    "malformed file",                                 /* AS_ERR_FORMAT */
    "unsupported format",                             /* AS_ERR_UNSUPPORTED */
    "non-finite value (NaN or infinity)",             /* AS_ERR_NUMERIC */
    "optimisation failed",                            /* AS_ERR_OPTIM */
    "no audio samples or no data",                    /* AS_ERR_EMPTY */
    "input longer than the allowed maximum",          /* AS_ERR_TOO_LONG */
    "cancelled",                                      /* AS_ERR_CANCELLED */
    "does not match the feature schema",              /* AS_ERR_SCHEMA */
    "would need more memory than allowed",            /* AS_ERR_MEMLIMIT */
    "internal error",                                 /* AS_ERR_INTERNAL */
};

AS_API const char *as_strerror(int status)
{
    int i = -status;
    if (i < 0 || i >= (int)(sizeof messages / sizeof messages[0])) return "unknown status";
    return messages[i];
}

AS_API const char *as_version(void) { return AS_VERSION_STRING; }

as_status as__fail(as_error *err, as_status status, const char *name, const char *fmt, ...)
{
    if (!err) return status;
    err->status = status;
    err->hint[0] = '\0';
    size_t off = 0;
    if (name && *name) {
        int k = snprintf(err->msg, sizeof err->msg, "%s: ", name);
        off = k < 0 ? 0 : AS_MIN((size_t)k, sizeof err->msg - 1);
    }
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg + off, sizeof err->msg - off, fmt, ap);
        va_end(ap);
    } else {
        snprintf(err->msg + off, sizeof err->msg - off, "%s", as_strerror(status));
    }
    return status;
}

void as__hint(as_error *err, const char *fmt, ...)
{
    if (!err) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->hint, sizeof err->hint, fmt, ap);
    va_end(ap);
}

int as__mul_size(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a) return -1;
    *out = a * b;
    return 0;
}
