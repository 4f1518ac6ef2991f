/* checkpoint.c — the transfer's checkpoint file (docs/checkpoint-format.md): a magic, a version,
 * the job's sizes, the hashes of what it was made from, the optimiser's whole state and a CRC-32,
 * written atomically and read back by a strict parser (fuzzed: fuzz/fuzz_checkpoint.c). What the
 * state means is src/style/transfer.c's business; this file only moves the bytes. */
#define _POSIX_C_SOURCE 200809L
#include "style/style.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the checkpoint file is little-endian: this file copies arrays as they are in memory"
#endif

static const char MAGIC[8] = {'A', 'S', 'C', 'K', 'P', 'T', 0, 0};
#define MAX_SETTINGS (1u << 20)
#define MAX_CONFIG (1u << 16)
#define MAX_SEGMENTS 1000000
#define MAX_VARS 2000000000LL

uint64_t style_hash64(const void *buf, size_t len)
{
    const unsigned char *p = buf;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* Which arrays a checkpoint holds, and their sizes in bytes. */
typedef struct ck_sizes {
    uint64_t best, xr, adam, lbvec, lbys, lbhist; /* each array of the kind */
} ck_sizes;

static ck_sizes sizes_of(const style_ckpt *c)
{
    ck_sizes z = {0};
    uint64_t n = (uint64_t)c->n;
    if (c->nseg > 1 || c->stage == STYLE_CKPT_OPTIMIZED) z.xr = 4ull * STYLE_CKPT_F * (uint64_t)c->T;
    if (c->stage == STYLE_CKPT_OPTIMIZING) {
        z.best = 4 * n;
        if (c->optimizer == AS_STYLE_ADAM) {
            z.adam = 4 * n;
        } else {
            z.lbvec = 8 * n;
            z.lbys = 8ull * (uint64_t)c->m;
            z.lbhist = 8ull * (uint64_t)c->m * n;
        }
    }
    return z;
}

static uint64_t head_bytes(const style_ckpt *c)
{
    return 8 + 5 * 4 + 4 * 8 + 4 + (uint64_t)c->settings_len + 4 + (uint64_t)c->config_len +
           8ull * STYLE_CKPT_NI + 8ull * STYLE_CKPT_NR;
}

uint64_t style_ckpt_bytes(const style_ckpt *c)
{
    ck_sizes z = sizes_of(c);
    return head_bytes(c) + z.best + z.xr + 3 * z.adam + 2 * z.lbvec + z.lbys + 2 * z.lbhist + 4;
}

/* ---- writing: a buffered stream with a running CRC -------------------------------------------- */

typedef struct wstream {
    int fd, bad;
    uint32_t crc;
    size_t used;
    unsigned char buf[1 << 16];
} wstream;

static void flush(wstream *w)
{
    size_t off = 0;
    while (!w->bad && off < w->used) {
        ssize_t k = write(w->fd, w->buf + off, w->used - off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) w->bad = errno ? errno : EIO;
        else off += (size_t)k;
    }
    w->used = 0;
}

static void put(wstream *w, const void *src, uint64_t len)
{
    const unsigned char *p = src;
    while (len > 0 && !w->bad) {
        size_t k = sizeof w->buf - w->used;
        if (k > len) k = (size_t)len;
        memcpy(w->buf + w->used, p, k);
        w->crc = as__crc32(w->crc, p, k);
        w->used += k;
        p += k;
        len -= k;
        if (w->used == sizeof w->buf) flush(w);
    }
}

static void put_u32(wstream *w, uint32_t v) { put(w, &v, 4); }
static void put_u64(wstream *w, uint64_t v) { put(w, &v, 8); }

as_status style_ckpt_write(const char *path, const style_ckpt *c, as_error *err)
{
    char tmp[4096];
    int fd = as__tmp_open(path, tmp, sizeof tmp);
    if (fd < 0) return as__fail(err, AS_ERR_IO, path, "cannot create a temporary file beside it (%s)", strerror(errno));
    wstream *w = malloc(sizeof *w);
    if (!w) {
        close(fd);
        as__tmp_abort(tmp);
        return as__fail(err, AS_ERR_NOMEM, path, "out of memory");
    }
    w->fd = fd;
    w->bad = 0;
    w->crc = 0;
    w->used = 0;
    ck_sizes z = sizes_of(c);
    put(w, MAGIC, 8);
    put_u32(w, STYLE_CKPT_VERSION);
    put_u32(w, (uint32_t)c->optimizer);
    put_u32(w, (uint32_t)c->stage);
    put_u32(w, (uint32_t)c->nseg);
    put_u32(w, (uint32_t)c->m);
    put_u64(w, (uint64_t)c->n);
    put_u64(w, (uint64_t)c->T);
    put_u64(w, c->content_hash);
    put_u64(w, c->style_hash);
    put_u32(w, c->settings_len);
    put(w, c->settings, c->settings_len);
    put_u32(w, c->config_len);
    put(w, c->config, c->config_len);
    put(w, c->i, sizeof c->i);
    put(w, c->r, sizeof c->r);
    if (z.best) put(w, c->best, z.best);
    if (z.xr) put(w, c->xr, z.xr);
    if (z.adam) {
        put(w, c->ax, z.adam);
        put(w, c->am, z.adam);
        put(w, c->av, z.adam);
    }
    if (z.lbvec) {
        put(w, c->lx, z.lbvec);
        put(w, c->lg, z.lbvec);
        put(w, c->lys, z.lbys);
        put(w, c->ls, z.lbhist);
        put(w, c->ly, z.lbhist);
    }
    uint32_t crc = w->crc;
    put_u32(w, crc);
    flush(w);
    int bad = w->bad;
    free(w);
    if (!bad && fsync(fd) != 0) bad = errno;
    if (close(fd) != 0 && !bad) bad = errno;
    if (bad) {
        as__tmp_abort(tmp);
        return as__fail(err, AS_ERR_IO, path, "cannot write the checkpoint (%s)", strerror(bad));
    }
    if (as__tmp_commit(tmp, path) != AS_OK)
        return as__fail(err, AS_ERR_IO, path, "cannot rename the temporary checkpoint onto it (%s)", strerror(errno));
    as__fsync_dir(path);
    return AS_OK;
}

/* ---- reading ---------------------------------------------------------------------------------- */

typedef struct rstream {
    const unsigned char *p;
    uint64_t n, off;
} rstream;

static int take(rstream *r, void *dst, uint64_t len)
{
    if (len > r->n - r->off) return -1;
    if (dst) memcpy(dst, r->p + r->off, (size_t)len);
    r->off += len;
    return 0;
}

static const void *view(rstream *r, uint64_t len)
{
    if (len > r->n - r->off) return NULL;
    const void *v = r->p + r->off;
    r->off += len;
    return v;
}

#define FAIL(...) return as__fail(err, AS_ERR_FORMAT, name, __VA_ARGS__)

as_status style_ckpt_parse(const void *buf, size_t len, const char *name, style_ckpt *c, as_error *err)
{
    memset(c, 0, sizeof *c);
    if (!name) name = "checkpoint";
    rstream r = {buf, len, 0};
    char magic[8];
    if (!buf || take(&r, magic, 8) != 0 || memcmp(magic, MAGIC, 8) != 0)
        FAIL("not an audiostyle checkpoint (no ASCKPT magic)");
    uint32_t h[5];
    if (take(&r, h, sizeof h) != 0) FAIL("truncated header");
    if (h[0] != STYLE_CKPT_VERSION)
        return as__fail(err, AS_ERR_UNSUPPORTED, name, "checkpoint version %u, this program reads version %d",
                        h[0], STYLE_CKPT_VERSION);
    if (h[1] > 1) FAIL("unknown optimizer %u", h[1]);
    if (h[2] > 1) FAIL("unknown stage %u", h[2]);
    if (h[3] < 1 || h[3] > MAX_SEGMENTS) FAIL("segment count %u out of range", h[3]);
    if (h[4] < 1 || h[4] > 100) FAIL("L-BFGS history size %u out of range", h[4]);
    c->optimizer = (int)h[1];
    c->stage = (int)h[2];
    c->nseg = (int)h[3];
    c->m = (int)h[4];
    uint64_t q[4];
    if (take(&r, q, sizeof q) != 0) FAIL("truncated header");
    uint64_t n = q[0], T = q[1];
    if (T < 1 || T > (uint64_t)MAX_VARS / STYLE_CKPT_F) FAIL("frame count %llu out of range", (unsigned long long)T);
    if (n < STYLE_CKPT_F || n % STYLE_CKPT_F != 0 || n > STYLE_CKPT_F * T)
        FAIL("variable count %llu does not fit %llu frames", (unsigned long long)n, (unsigned long long)T);
    c->n = (int64_t)n;
    c->T = (int64_t)T;
    c->content_hash = q[2];
    c->style_hash = q[3];
    uint32_t tl;
    if (take(&r, &tl, 4) != 0) FAIL("truncated settings");
    if (tl > MAX_SETTINGS || !(c->settings = view(&r, tl))) FAIL("settings of %u bytes out of range", tl);
    c->settings_len = tl;
    if (take(&r, &tl, 4) != 0) FAIL("truncated configuration");
    if (tl > MAX_CONFIG || !(c->config = view(&r, tl))) FAIL("configuration of %u bytes out of range", tl);
    c->config_len = tl;
    if (memchr(c->settings, 0, c->settings_len) || memchr(c->config, 0, c->config_len))
        FAIL("a NUL byte in the settings");
    if (take(&r, c->i, sizeof c->i) != 0 || take(&r, c->r, sizeof c->r) != 0) FAIL("truncated counters");
    for (int k = 0; k < STYLE_CKPT_NI; k++)
        if (c->i[k] < 0 || c->i[k] > (int64_t)1 << 40) FAIL("counter %d out of range", k);
    if (c->i[CKI_SEG] >= c->nseg) FAIL("segment %lld of %d", (long long)c->i[CKI_SEG], c->nseg);
    if (c->i[CKI_LB_END] >= c->m) FAIL("history slot %lld of %d", (long long)c->i[CKI_LB_END], c->m);
    ck_sizes z = sizes_of(c);
    uint64_t left = r.n - r.off, need = z.best + z.xr + 3 * z.adam + 2 * z.lbvec + z.lbys + 2 * z.lbhist + 4;
    if (need != left)
        FAIL("%s: %llu bytes of state where %llu are needed", need > left ? "truncated" : "trailing bytes",
             (unsigned long long)left, (unsigned long long)need);
    if (z.best) c->best = view(&r, z.best);
    if (z.xr) c->xr = view(&r, z.xr);
    if (z.adam) {
        c->ax = view(&r, z.adam);
        c->am = view(&r, z.adam);
        c->av = view(&r, z.adam);
    }
    if (z.lbvec) {
        c->lx = view(&r, z.lbvec);
        c->lg = view(&r, z.lbvec);
        c->lys = view(&r, z.lbys);
        c->ls = view(&r, z.lbhist);
        c->ly = view(&r, z.lbhist);
    }
    uint32_t crc;
    uint64_t body = r.off;
    if (take(&r, &crc, 4) != 0) FAIL("truncated checksum");
    if (crc != as__crc32(0, buf, (size_t)body)) FAIL("checksum mismatch (the file is damaged)");
    return AS_OK;
}

/* ---- settings ------------------------------------------------------------------------------- */

/* The line of text that starts at *p (without its newline); advances *p past it. */
static int next_line(const char **p, const char *end, const char **line, size_t *ll)
{
    if (*p >= end) return 0;
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    *line = *p;
    *ll = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
    *p = nl ? nl + 1 : end;
    return 1;
}

static size_t key_len(const char *line, size_t ll)
{
    const char *sp = memchr(line, ' ', ll);
    return sp ? (size_t)(sp - line) : ll;
}

/* The line of list [p, end) with the key of (k, kl), or NULL. */
static const char *find_key(const char *p, const char *end, const char *k, size_t kl, size_t *ll)
{
    const char *line;
    while (next_line(&p, end, &line, ll))
        if (key_len(line, *ll) == kl && memcmp(line, k, kl) == 0) return line;
    return NULL;
}

static int diff_one(const char *a, size_t an, const char *b, size_t bn, int a_is_old, char *out, size_t out_len)
{
    const char *p = a, *end = a + an, *line;
    size_t ll;
    while (next_line(&p, end, &line, &ll)) {
        size_t kl = key_len(line, ll), ol = 0;
        const char *other = find_key(b, b + bn, line, kl, &ol);
        if (other && ol == ll && memcmp(other, line, ll) == 0) continue;
        const char *va = kl < ll ? line + kl + 1 : "", *vb = other && kl < ol ? other + kl + 1 : "";
        int la = kl < ll ? (int)(ll - kl - 1) : 0, lb = other && kl < ol ? (int)(ol - kl - 1) : 0;
        if (!other) vb = "not given", lb = 9;
        if (a_is_old)
            snprintf(out, out_len, "%.*s %.*s (now %.*s)", (int)kl, line, la, va, lb, vb);
        else
            snprintf(out, out_len, "%.*s %.*s (now %.*s)", (int)kl, line, other ? lb : 9, other ? vb : "not given", la, va);
        return 1;
    }
    return 0;
}

int style_settings_diff(const char *old, size_t old_len, const char *now, size_t now_len, char *out,
                        size_t out_len)
{
    if (diff_one(old, old_len, now, now_len, 1, out, out_len)) return 1;
    return diff_one(now, now_len, old, old_len, 0, out, out_len);
}
