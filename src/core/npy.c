/* npy.c — a strict reader for NumPy .npy files: version 1.0, C order, little-endian <f4 <f8 <c8.
 * Everything else is refused with a message; every size is checked before it is used. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Finds `'key': ` in the header dict and returns a pointer to the value, or NULL. */
static const char *dict_value(const char *h, size_t hl, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl + 2 < hl; i++) {
        if (h[i] == '\'' && memcmp(h + i + 1, key, kl) == 0 && h[i + 1 + kl] == '\'') {
            size_t j = i + kl + 2;
            while (j < hl && h[j] == ' ') j++;
            if (j >= hl || h[j] != ':') return NULL;
            j++;
            while (j < hl && h[j] == ' ') j++;
            return j < hl ? h + j : NULL;
        }
    }
    return NULL;
}

as_status as_npy_parse(const void *buf, size_t len, const char *name, as_npy *out, as_error *err)
{
    const unsigned char *p = buf;
    memset(out, 0, sizeof *out);
    if (len < 10 || memcmp(p, "\x93NUMPY", 6) != 0)
        return as__fail(err, AS_ERR_FORMAT, name, "not a .npy file (bad magic)");
    if (p[6] != 1 || p[7] != 0)
        return as__fail(err, AS_ERR_UNSUPPORTED, name, ".npy version %d.%d (only 1.0 is read)", p[6], p[7]);
    size_t hl = (size_t)p[8] | ((size_t)p[9] << 8);
    if (10 + hl > len) return as__fail(err, AS_ERR_FORMAT, name, "truncated .npy header");
    if ((10 + hl) % 16 != 0) return as__fail(err, AS_ERR_FORMAT, name, ".npy header not 16-byte aligned");
    const char *h = (const char *)p + 10;
    if (hl < 2 || h[0] != '{') return as__fail(err, AS_ERR_FORMAT, name, ".npy header is not a dict");

    const char *d = dict_value(h, hl, "descr");
    size_t elem;
    if (d && (size_t)(h + hl - d) >= 5 && memcmp(d, "'<f4'", 5) == 0) { out->dtype = AS_NPY_F4; elem = 4; }
    else if (d && (size_t)(h + hl - d) >= 5 && memcmp(d, "'<f8'", 5) == 0) { out->dtype = AS_NPY_F8; elem = 8; }
    else if (d && (size_t)(h + hl - d) >= 5 && memcmp(d, "'<c8'", 5) == 0) { out->dtype = AS_NPY_C8; elem = 8; }
    else return as__fail(err, AS_ERR_UNSUPPORTED, name, ".npy dtype is not <f4, <f8 or <c8");

    const char *f = dict_value(h, hl, "fortran_order");
    if (!f || (size_t)(h + hl - f) < 5 || memcmp(f, "False", 5) != 0)
        return as__fail(err, AS_ERR_UNSUPPORTED, name, ".npy is not in C order");

    const char *s = dict_value(h, hl, "shape");
    if (!s || *s != '(') return as__fail(err, AS_ERR_FORMAT, name, ".npy header has no shape");
    s++;
    const char *end = h + hl;
    size_t count = 1;
    out->ndim = 0;
    for (;;) {
        while (s < end && *s == ' ') s++;
        if (s >= end) return as__fail(err, AS_ERR_FORMAT, name, ".npy shape not closed");
        if (*s == ')') break;
        if (*s < '0' || *s > '9') return as__fail(err, AS_ERR_FORMAT, name, ".npy shape is not a tuple of integers");
        uint64_t v = 0;
        while (s < end && *s >= '0' && *s <= '9') {
            if (v > (UINT64_C(1) << 40)) return as__fail(err, AS_ERR_FORMAT, name, ".npy dimension too large");
            v = v * 10 + (uint64_t)(*s - '0');
            s++;
        }
        if (out->ndim >= 8) return as__fail(err, AS_ERR_UNSUPPORTED, name, ".npy has more than 8 dimensions");
        out->shape[out->ndim++] = (int64_t)v;
        if (as__mul_size(count, (size_t)v, &count) != 0)
            return as__fail(err, AS_ERR_FORMAT, name, ".npy shape overflows");
        while (s < end && *s == ' ') s++;
        if (s < end && *s == ',') s++;
    }
    size_t bytes;
    if (as__mul_size(count, elem, &bytes) != 0) return as__fail(err, AS_ERR_FORMAT, name, ".npy size overflows");
    if (len - 10 - hl != bytes)
        return as__fail(err, AS_ERR_FORMAT, name, ".npy data is %zu bytes, shape says %zu", len - 10 - hl, bytes);
    out->count = (int64_t)count;
    out->data = malloc(bytes ? bytes : 1);
    if (!out->data) return as__fail(err, AS_ERR_NOMEM, name, NULL);
    memcpy(out->data, p + 10 + hl, bytes);
    return AS_OK;
}

as_status as_npy_load(const char *path, as_npy *out, as_error *err)
{
    memset(out, 0, sizeof *out);
    char *buf = NULL;
    size_t len = 0;
    as_status st = as_read_file(path, (size_t)1 << 32, &buf, &len, err);
    if (st != AS_OK) return st;
    st = as_npy_parse(buf, len, path, out, err);
    free(buf);
    return st;
}

void as_npy_free(as_npy *a)
{
    if (!a) return;
    free(a->data);
    a->data = NULL;
}
