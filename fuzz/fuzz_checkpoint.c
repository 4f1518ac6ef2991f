/* fuzz_checkpoint.c — libFuzzer target: the transfer's checkpoint loader (style_ckpt_parse),
 * then a read of every array it returns (each view must lie inside the input) and the settings
 * comparison on its texts. */
#include "style/style.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned sum(const void *p, uint64_t len)
{
    const unsigned char *b = p;
    unsigned s = 0;
    for (uint64_t i = 0; p && i < len; i += 61) s += b[i];
    if (p && len) s += b[len - 1];
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    style_ckpt c;
    as_error err;
    if (style_ckpt_parse(data, size, "fuzz.ckpt", &c, &err) != AS_OK) return 0;
    if (style_ckpt_bytes(&c) != size) abort();
    uint64_t n = (uint64_t)c.n, m = (uint64_t)c.m;
    volatile unsigned s = 0;
    s += sum(c.best, 4 * n);
    s += sum(c.xr, 4ull * STYLE_CKPT_F * (uint64_t)c.T);
    s += sum(c.ax, 4 * n) + sum(c.am, 4 * n) + sum(c.av, 4 * n);
    s += sum(c.lx, 8 * n) + sum(c.lg, 8 * n) + sum(c.lys, 8 * m);
    s += sum(c.ls, 8 * m * n) + sum(c.ly, 8 * m * n);
    char out[256];
    s += (unsigned)style_settings_diff(c.settings, c.settings_len, c.config, c.config_len, out, sizeof out);
    (void)s;
    return 0;
}
