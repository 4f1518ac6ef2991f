/* log.c — the library's only way to say something: a callback the program sets. */
#include "internal.h"

#include <stdio.h>

static as_log_fn log_fn;
static void *log_user;

AS_API void as_set_log(as_log_fn fn, void *user)
{
    log_fn = fn;
    log_user = user;
}

int as__log_enabled(void) { return log_fn != NULL; }

void as__log(int level, const char *fmt, ...)
{
    if (!log_fn) return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    log_fn(level, buf, log_user);
}
