/* catalog.c — shards, part files and their reading (catalog.h). The part's atomic rewrites use
 * the library's temporary-file helpers (src/core/file.c), the same as every output. */
#define _GNU_SOURCE
#include "catalog.h"

#include "cli.h"
#include "core/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { PART_FORMAT = 1 };
#define PART_MAX_BYTES ((size_t)8 << 30) /* 8 GiB: far above any catalog's part */

int cli_shard_parse(const char *cmd, const char *spec, cli_shard *s)
{
    long k, n;
    if (strncmp(spec, "slurm/", 6) == 0) { /* K is the task id, N given: a resubmitted task (--array=K) */
        const char *id = getenv("SLURM_ARRAY_TASK_ID");
        char *e1, *e2;
        n = strtol(spec + 6, &e2, 10);
        if (!spec[6] || *e2 || n < 1 || n > 1000000) {
            cli_usage(cmd, "--shard slurm/N needs N from 1 to 1000000 (got '%s')", spec + 6);
            return 0;
        }
        if (!id || !*id) {
            cli_usage(cmd, "--shard %s: SLURM_ARRAY_TASK_ID is not set (not a task of a job array)", spec);
            return 0;
        }
        k = strtol(id, &e1, 10);
        if (*e1 || k < 0 || k >= n) {
            cli_usage(cmd, "--shard %s: the task id %s is not in 0..%ld (number the array from 0)", spec, id, n - 1);
            return 0;
        }
    } else if (strcmp(spec, "slurm") == 0) {
        const char *id = getenv("SLURM_ARRAY_TASK_ID"), *cnt = getenv("SLURM_ARRAY_TASK_COUNT"),
                   *mn = getenv("SLURM_ARRAY_TASK_MIN");
        if (!id || !*id || !cnt || !*cnt) {
            cli_usage(cmd, "--shard slurm: SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT are not set "
                           "(not a task of a job array: sbatch --array=0-N)");
            return 0;
        }
        char *e1, *e2, *e3 = NULL;
        k = strtol(id, &e1, 10);
        n = strtol(cnt, &e2, 10);
        long m = mn && *mn ? strtol(mn, &e3, 10) : 0;
        if (*e1 || *e2 || (e3 && *e3)) {
            cli_usage(cmd, "--shard slurm: SLURM_ARRAY_TASK_ID=%s, SLURM_ARRAY_TASK_COUNT=%s are not numbers", id, cnt);
            return 0;
        }
        k -= m;
        if (n < 1 || k < 0 || k >= n) {
            cli_usage(cmd, "--shard slurm: task %ld of %ld (SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN) is not "
                           "in 0..%ld; use a contiguous array (--array=0-%ld)", k, n, n - 1, n - 1);
            return 0;
        }
    } else {
        char *e1, *e2;
        errno = 0;
        k = strtol(spec, &e1, 10);
        n = *e1 == '/' ? strtol(e1 + 1, &e2, 10) : 0;
        if (*e1 != '/' || e1 == spec || *e2 || e2 == e1 + 1 || errno || spec[0] == '-' || spec[0] == '+' ||
            e1[1] == '-' || e1[1] == '+') {
            cli_usage(cmd, "--shard needs K/N (0 <= K < N) or 'slurm' (got '%s')", spec);
            return 0;
        }
        if (n < 1 || n > 1000000 || k < 0 || k >= n) {
            cli_usage(cmd, "--shard %s: K must be 0 to N-1 and N 1 to 1000000 (shards are numbered from 0)", spec);
            return 0;
        }
    }
    s->k = (int)k;
    s->n = (int)n;
    return 1;
}

uint64_t cli_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* --- text helpers ---------------------------------------------------------------------------- */

typedef struct buf {
    char *p;
    size_t n, cap;
    int bad;
} buf;

static void put(buf *b, const void *s, size_t n)
{
    if (b->bad) return;
    if (b->n + n + 1 > b->cap) {
        size_t c = b->cap ? b->cap : 4096;
        while (c < b->n + n + 1) c *= 2;
        char *q = realloc(b->p, c);
        if (!q) {
            b->bad = 1;
            return;
        }
        b->p = q;
        b->cap = c;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void putf(buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void putf(buf *b, const char *fmt, ...)
{
    char s[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(s, sizeof s, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= sizeof s) b->bad = 1;
    else put(b, s, (size_t)k);
}

/* s with '%', CR and LF escaped (a part's lines hold one name or message each) */
static void put_esc(buf *b, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '%') put(b, "%25", 3);
        else if (*s == '\n') put(b, "%0A", 3);
        else if (*s == '\r') put(b, "%0D", 3);
        else put(b, s, 1);
    }
}

static char *unesc(const char *s, size_t n)
{
    char *o = malloc(n + 1);
    if (!o) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 3 <= n) {
            char c = !strncmp(s + i, "%25", 3) ? '%' : !strncmp(s + i, "%0A", 3) ? '\n' : !strncmp(s + i, "%0D", 3) ? '\r' : 0;
            if (c) {
                o[k++] = c;
                i += 2;
                continue;
            }
        }
        o[k++] = s[i];
    }
    o[k] = 0;
    return o;
}

int cli_write_chunks(const char *path, const char *const *data, const size_t *len, size_t n)
{
    char tmp[4096];
    int fd = as__tmp_open(path, tmp, sizeof tmp);
    if (fd < 0) return cli_path_problem(1, path, NULL, "cannot create a temporary file beside it (%s)", strerror(errno));
    int bad = 0, e = 0;
    for (size_t c = 0; c < n && !bad; c++) {
        size_t off = 0;
        while (off < len[c]) {
            ssize_t w = write(fd, data[c] + off, len[c] - off);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                e = errno;
                bad = 1;
                break;
            }
            off += (size_t)w;
        }
    }
    if (!bad && fsync(fd) != 0) {
        e = errno;
        bad = 1;
    }
    if (close(fd) != 0) bad = 1;
    if (bad) {
        as__tmp_abort(tmp);
        return cli_path_problem(1, path, NULL, "cannot write (%s)", strerror(e ? e : EIO));
    }
    if (as__tmp_commit(tmp, path) != AS_OK) return cli_path_problem(1, path, NULL, "cannot rename the temporary file into place");
    return 0;
}

static int write_atomic(const char *path, const char *data, size_t len)
{
    return cli_write_chunks(path, &data, &len, 1);
}

/* --- the preamble ------------------------------------------------------------------------------ */

static size_t shard_count(size_t total, cli_shard s)
{
    return total > (size_t)s.k ? (total - (size_t)s.k + (size_t)s.n - 1) / (size_t)s.n : 0;
}

static void preamble(buf *b, const cli_catalog *c, cli_shard s)
{
    putf(b, "#audiostyle-part %d\n#command %s\n#version %s\n#output %s\n#shard %d %d\n", PART_FORMAT, c->command,
         as_version(), c->ext, s.k, s.n);
    putf(b, "#list %zu %016" PRIx64 "\n", c->total, c->list_hash);
    putf(b, "#options %016" PRIx64 " ", cli_hash(CLI_HASH_INIT, c->options, strlen(c->options)));
    put_esc(b, c->options);
    size_t na = shard_count(c->total, s);
    putf(b, "\n#assigned %zu\n", na);
    for (size_t i = (size_t)s.k; i < c->total; i += (size_t)s.n) {
        putf(b, "#a %zu ", i);
        put_esc(b, c->names[i]);
        put(b, "\n", 1);
    }
    putf(b, "#header %zu\n", strlen(c->header));
    put(b, c->header, strlen(c->header));
}

/* --- reading -------------------------------------------------------------------------------- */

typedef struct reader {
    const char *path;
    const char *t;
    size_t len, pos;
    int line;
} reader;

/* The next line (without its LF) into *s, *n; 0 at the end of the text or when the last line
 * has no LF (cut short). */
static int next_line(reader *r, const char **s, size_t *n)
{
    if (r->pos >= r->len) return 0;
    const char *nl = memchr(r->t + r->pos, '\n', r->len - r->pos);
    if (!nl) return 0;
    *s = r->t + r->pos;
    *n = (size_t)(nl - *s);
    r->pos = (size_t)(nl - r->t) + 1;
    r->line++;
    return 1;
}

static int corrupt(reader *r, const char *what)
{
    fprintf(stderr, "audiostyle: %s: not a valid part file (line %d: %s)\n", r->path, r->line, what);
    fprintf(stderr, "hint: a part is written only by audiostyle; remove it and rerun its shard\n");
    return 1;
}

/* Whether line (s, n) is "<key> <rest>": sets *rest, *rn. */
static int field(const char *s, size_t n, const char *key, const char **rest, size_t *rn)
{
    size_t k = strlen(key);
    if (n < k + 1 || memcmp(s, key, k) != 0 || s[k] != ' ') return 0;
    *rest = s + k + 1;
    *rn = n - k - 1;
    return 1;
}

/* A decimal size_t at the start of (s, n), followed by end or a space; advances. */
static int num(const char **s, size_t *n, size_t *v)
{
    size_t i = 0, x = 0;
    while (i < *n && (*s)[i] >= '0' && (*s)[i] <= '9') {
        if (x > (SIZE_MAX - 9) / 10) return 0;
        x = x * 10 + (size_t)((*s)[i] - '0');
        i++;
    }
    if (i == 0 || i > 19 || (i < *n && (*s)[i] != ' ')) return 0;
    *v = x;
    *s += i < *n ? i + 1 : i;
    *n -= i < *n ? i + 1 : i;
    return 1;
}

static int hex64(const char **s, size_t *n, uint64_t *v)
{
    if (*n < 16 || (*n > 16 && (*s)[16] != ' ')) return 0;
    uint64_t x = 0;
    for (int i = 0; i < 16; i++) {
        char c = (*s)[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0) return 0;
        x = x << 4 | (uint64_t)d;
    }
    *v = x;
    *s += *n > 16 ? 17 : 16;
    *n -= *n > 16 ? 17 : 16;
    return 1;
}

static int copy_word(char *dst, size_t cap, const char *s, size_t n)
{
    if (n == 0 || n >= cap || memchr(s, ' ', n)) return 0;
    memcpy(dst, s, n);
    dst[n] = 0;
    return 1;
}

void cli_part_data_free(cli_part_data *d)
{
    for (size_t i = 0; i < d->n_assigned && d->assigned; i++) free(d->assigned[i]);
    for (size_t i = 0; i < d->n_rec; i++) free(d->rec[i].msg);
    free(d->assigned);
    free(d->rec);
    free(d->options);
    free(d->text);
    memset(d, 0, sizeof *d);
}

int cli_part_read(const char *path, cli_part_data *d)
{
    memset(d, 0, sizeof *d);
    d->path = path;
    as_error err = {0};
    as_status st = as_read_file(path, PART_MAX_BYTES, &d->text, &d->len, &err);
    if (st != AS_OK) return cli_error(&err, st, path);
    reader r = {path, d->text, d->len, 0, 0};
    const char *s, *v;
    size_t n, vn, x;
    if (!next_line(&r, &s, &n) || !field(s, n, "#audiostyle-part", &v, &vn)) {
        fprintf(stderr, "audiostyle: %s: not a part file (it does not start with '#audiostyle-part')\n", path);
        return 1;
    }
    if (!num(&v, &vn, &x) || vn) return corrupt(&r, "bad format number");
    if (x != PART_FORMAT) {
        fprintf(stderr, "audiostyle: %s: a part of format %zu; this program reads format %d\n", path, x, PART_FORMAT);
        return 1;
    }
    if (!next_line(&r, &s, &n) || !field(s, n, "#command", &v, &vn) || !copy_word(d->command, sizeof d->command, v, vn))
        return corrupt(&r, "expected #command");
    if (!next_line(&r, &s, &n) || !field(s, n, "#version", &v, &vn) || !copy_word(d->version, sizeof d->version, v, vn))
        return corrupt(&r, "expected #version");
    if (!next_line(&r, &s, &n) || !field(s, n, "#output", &v, &vn) || !copy_word(d->ext, sizeof d->ext, v, vn))
        return corrupt(&r, "expected #output");
    size_t k, sn;
    if (!next_line(&r, &s, &n) || !field(s, n, "#shard", &v, &vn) || !num(&v, &vn, &k) || !num(&v, &vn, &sn) || vn ||
        sn < 1 || sn > 1000000 || k >= sn)
        return corrupt(&r, "expected #shard K N with 0 <= K < N");
    d->k = (int)k;
    d->n = (int)sn;
    if (!next_line(&r, &s, &n) || !field(s, n, "#list", &v, &vn) || !num(&v, &vn, &d->total) ||
        !hex64(&v, &vn, &d->list_hash) || vn)
        return corrupt(&r, "expected #list TOTAL HASH");
    if (!next_line(&r, &s, &n) || !field(s, n, "#options", &v, &vn) || !hex64(&v, &vn, &d->options_hash) ||
        !(d->options = unesc(v, vn)))
        return corrupt(&r, "expected #options HASH TEXT");
    if (!next_line(&r, &s, &n) || !field(s, n, "#assigned", &v, &vn) || !num(&v, &vn, &d->n_assigned) || vn)
        return corrupt(&r, "expected #assigned COUNT");
    cli_shard sh = {d->k, d->n};
    if (d->n_assigned != shard_count(d->total, sh)) return corrupt(&r, "#assigned does not match #list and #shard");
    d->assigned = calloc(d->n_assigned ? d->n_assigned : 1, sizeof *d->assigned);
    if (!d->assigned) return cli_error(NULL, AS_ERR_NOMEM, path);
    for (size_t i = 0; i < d->n_assigned; i++) {
        if (!next_line(&r, &s, &n) || !field(s, n, "#a", &v, &vn) || !num(&v, &vn, &x) ||
            x != (size_t)d->k + i * (size_t)d->n)
            return corrupt(&r, "expected #a INDEX NAME for the shard's next input");
        if (!(d->assigned[i] = unesc(v, vn))) return cli_error(NULL, AS_ERR_NOMEM, path);
    }
    if (!next_line(&r, &s, &n) || !field(s, n, "#header", &v, &vn) || !num(&v, &vn, &d->header_len) || vn ||
        d->header_len > r.len - r.pos)
        return corrupt(&r, "expected #header LEN and LEN bytes");
    d->header = r.t + r.pos;
    r.pos += d->header_len;
    size_t cap = 0;
    for (;;) {
        size_t at = r.pos;
        if (at >= r.len) break;
        if (!next_line(&r, &s, &n)) { /* the last line cut short: the record in progress */
            d->truncated = 1;
            break;
        }
        cli_part_rec rec = {0};
        if (field(s, n, "#input", &v, &vn)) {
            if (!num(&v, &vn, &rec.idx) || !num(&v, &vn, &rec.len) || vn) return corrupt(&r, "bad #input INDEX LEN");
            if (rec.len > r.len - r.pos) {
                d->truncated = 1;
                break;
            }
            rec.body = r.t + r.pos;
            r.pos += rec.len;
        } else if (field(s, n, "#failed", &v, &vn)) {
            if (!num(&v, &vn, &rec.idx)) return corrupt(&r, "bad #failed INDEX MESSAGE");
            if (!(rec.msg = unesc(v, vn))) return cli_error(NULL, AS_ERR_NOMEM, path);
        } else {
            return corrupt(&r, "expected #input or #failed");
        }
        if (rec.idx >= d->total || rec.idx % (size_t)d->n != (size_t)d->k) {
            free(rec.msg);
            return corrupt(&r, "an input that is not in this shard");
        }
        if (d->n_rec == cap) {
            cap = cap ? cap * 2 : 256;
            cli_part_rec *q = realloc(d->rec, cap * sizeof *q);
            if (!q) {
                free(rec.msg);
                return cli_error(NULL, AS_ERR_NOMEM, path);
            }
            d->rec = q;
        }
        d->rec[d->n_rec++] = rec;
    }
    return 0;
}

/* --- writing -------------------------------------------------------------------------------- */

typedef struct prec {
    size_t idx;
    char *text; /* the whole record: "#input I L\n" + body, or "#failed I MSG\n" */
    size_t len;
    int failed;
} prec;

struct cli_part {
    char *path;
    const char *command;
    cli_shard s;
    buf pre;
    prec *r;
    size_t n, cap;
    int fd, quiet, tty;
    size_t assigned, done, failed, resumed;
    double t0, last_sync, last_log;
};

static int keep(cli_part *p, size_t idx, char *text, size_t len, int failed)
{
    if (p->n == p->cap) {
        size_t c = p->cap ? p->cap * 2 : 256;
        prec *q = realloc(p->r, c * sizeof *q);
        if (!q) return 0;
        p->r = q;
        p->cap = c;
    }
    p->r[p->n++] = (prec){idx, text, len, failed};
    return 1;
}

static void part_free(cli_part *p)
{
    if (!p) return;
    if (p->fd >= 0) close(p->fd);
    for (size_t i = 0; i < p->n; i++) free(p->r[i].text);
    free(p->r);
    free(p->pre.p);
    free(p->path);
    free(p);
}

/* The part's text: the preamble, then the records (in input order when sorted). */
static int cmp_prec(const void *a, const void *b)
{
    const prec *x = a, *y = b;
    if (x->idx != y->idx) return x->idx < y->idx ? -1 : 1;
    return x->failed - y->failed;
}

static int rewrite(cli_part *p, int sorted)
{
    if (sorted && p->n > 1) qsort(p->r, p->n, sizeof *p->r, cmp_prec);
    buf b = {0};
    put(&b, p->pre.p, p->pre.n);
    for (size_t i = 0; i < p->n; i++) put(&b, p->r[i].text, p->r[i].len);
    int rc = b.bad ? cli_error(NULL, AS_ERR_NOMEM, p->path) : write_atomic(p->path, b.p ? b.p : "", b.n);
    free(b.p);
    return rc;
}

/* What differs between a part on disk and the one this run would write, or NULL. */
static const char *mismatch(const cli_part_data *d, const cli_catalog *c, cli_shard s, char *why, size_t n)
{
    uint64_t oh = cli_hash(CLI_HASH_INIT, c->options, strlen(c->options));
    if (strcmp(d->command, c->command) != 0) snprintf(why, n, "written by '%s', not '%s'", d->command, c->command);
    else if (strcmp(d->version, as_version()) != 0) snprintf(why, n, "written by audiostyle %s, this is %s", d->version, as_version());
    else if (d->k != s.k || d->n != s.n) snprintf(why, n, "shard %d/%d, not %d/%d", d->k, d->n, s.k, s.n);
    else if (d->total != c->total || d->list_hash != c->list_hash)
        snprintf(why, n, "made from another input list (%zu inputs, hash %016" PRIx64 "; now %zu, %016" PRIx64 ")",
                 d->total, d->list_hash, c->total, c->list_hash);
    else if (d->options_hash != oh) snprintf(why, n, "made with other options (%s; now %s)", d->options, c->options);
    else if (strcmp(d->ext, c->ext) != 0) snprintf(why, n, "made for a %s output, not %s", d->ext, c->ext);
    else if (d->header_len != strlen(c->header) || memcmp(d->header, c->header, d->header_len) != 0)
        snprintf(why, n, "another header line");
    else return NULL;
    return why;
}

cli_part *cli_part_open(const char *path, const cli_catalog *c, cli_shard s, unsigned char *done, int quiet)
{
    cli_part *p = calloc(1, sizeof *p);
    if (!p || !(p->path = strdup(path))) {
        free(p);
        cli_error(NULL, AS_ERR_NOMEM, path);
        return NULL;
    }
    p->fd = -1;
    p->command = c->command;
    p->s = s;
    p->quiet = quiet;
    p->tty = isatty(STDERR_FILENO);
    p->assigned = shard_count(c->total, s);
    preamble(&p->pre, c, s);
    if (p->pre.bad) {
        cli_error(NULL, AS_ERR_NOMEM, path);
        part_free(p);
        return NULL;
    }
    struct stat sb;
    int dropped = 0;
    if (stat(path, &sb) == 0) {
        cli_part_data d;
        if (cli_part_read(path, &d) != 0) {
            cli_part_data_free(&d);
            part_free(p);
            return NULL;
        }
        char why[1024];
        if (mismatch(&d, c, s, why, sizeof why)) {
            fprintf(stderr, "audiostyle: %s: a part of another run: %s\n", path, why);
            fprintf(stderr, "hint: rerun with the same inputs and options, or remove the part (or write it elsewhere)\n");
            cli_part_data_free(&d);
            part_free(p);
            return NULL;
        }
        /* keep the inputs done; failed ones are tried again */
        for (size_t i = 0; i < d.n_rec; i++) {
            cli_part_rec *q = &d.rec[i];
            if (!q->body) {
                dropped++;
                continue;
            }
            if (done[q->idx]) continue;
            buf b = {0};
            putf(&b, "#input %zu %zu\n", q->idx, q->len);
            put(&b, q->body, q->len);
            if (b.bad || !keep(p, q->idx, b.p, b.n, 0)) {
                free(b.p);
                cli_error(NULL, AS_ERR_NOMEM, path);
                cli_part_data_free(&d);
                part_free(p);
                return NULL;
            }
            done[q->idx] = 1;
            p->done++;
        }
        p->resumed = p->done;
        if (!quiet)
            fprintf(stderr, "audiostyle: %s: shard %d/%d: resuming, %zu of %zu inputs done%s%s\n", c->command, s.k, s.n,
                    p->done, p->assigned, d.truncated ? "; dropped the record cut short by the interruption" : "",
                    dropped ? "; the failed ones are tried again" : "");
        cli_part_data_free(&d);
    }
    if (rewrite(p, 1) != 0) {
        part_free(p);
        return NULL;
    }
    p->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (p->fd < 0) {
        cli_path_problem(1, path, NULL, "cannot open for appending (%s)", strerror(errno));
        part_free(p);
        return NULL;
    }
    p->t0 = p->last_sync = p->last_log = cli_now();
    return p;
}

static int append(cli_part *p, size_t idx, char *text, size_t len, int failed)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(p->fd, text + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int e = errno;
            free(text);
            return cli_path_problem(1, p->path, NULL, "cannot append (%s)", strerror(e ? e : EIO));
        }
        off += (size_t)w;
    }
    double now = cli_now();
    if (now - p->last_sync >= 1.0) { /* a node crash loses at most a second; a killed task nothing */
        fdatasync(p->fd);
        p->last_sync = now;
    }
    if (!keep(p, idx, text, len, failed)) {
        free(text);
        return cli_error(NULL, AS_ERR_NOMEM, p->path);
    }
    return 0;
}

int cli_part_add(cli_part *p, size_t idx, const char *body, size_t len)
{
    buf b = {0};
    putf(&b, "#input %zu %zu\n", idx, len);
    put(&b, body, len);
    if (b.bad) {
        free(b.p);
        return cli_error(NULL, AS_ERR_NOMEM, p->path);
    }
    p->done++;
    return append(p, idx, b.p, b.n, 0);
}

int cli_part_fail(cli_part *p, size_t idx, const char *msg)
{
    buf b = {0};
    putf(&b, "#failed %zu ", idx);
    put_esc(&b, msg);
    put(&b, "\n", 1);
    if (b.bad) {
        free(b.p);
        return cli_error(NULL, AS_ERR_NOMEM, p->path);
    }
    p->failed++;
    return append(p, idx, b.p, b.n, 1);
}

int cli_part_forget(cli_part *p, size_t idx)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->r[i].idx == idx) {
            if (!p->r[i].failed) p->done--;
            else p->failed--;
            if (p->resumed > p->done) p->resumed = p->done;
            free(p->r[i].text);
            p->r[i--] = p->r[--p->n];
        }
    if (p->fd >= 0) close(p->fd);
    p->fd = -1;
    if (rewrite(p, 1) != 0) return 1;
    p->fd = open(p->path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (p->fd < 0) return cli_path_problem(1, p->path, NULL, "cannot open for appending (%s)", strerror(errno));
    return 0;
}

void cli_part_progress(cli_part *p, int force)
{
    double now = cli_now();
    if (p->quiet || p->tty || (!force && now - p->last_log < 10.0)) return;
    p->last_log = now;
    size_t finished = p->done + p->failed, now_done = finished - p->resumed;
    double rate = now > p->t0 ? now_done / (now - p->t0) : 0;
    char eta[32] = "?";
    if (rate > 0) {
        long t = (long)((double)(p->assigned - finished) / rate + 0.5);
        snprintf(eta, sizeof eta, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    }
    fprintf(stderr, "audiostyle: %s: shard %d/%d: %zu/%zu inputs done (%.1f %%)%s, %.2f/s, ETA %s\n", p->command,
            p->s.k, p->s.n, finished, p->assigned, p->assigned ? 100.0 * finished / p->assigned : 100.0,
            p->failed ? ", some failed" : "", rate, eta);
}

int cli_part_close(cli_part *p)
{
    if (!p) return 1;
    if (p->fd >= 0) {
        close(p->fd);
        p->fd = -1;
    }
    int rc = rewrite(p, 1);
    if (!rc && !p->quiet) {
        char f[64] = "";
        if (p->failed) snprintf(f, sizeof f, ", %zu failed", p->failed);
        fprintf(stderr, "audiostyle: %s: shard %d/%d: %zu of %zu inputs done%s -> %s\n", p->command, p->s.k, p->s.n,
                p->done, p->assigned, f, p->path);
    }
    part_free(p);
    return rc;
}
