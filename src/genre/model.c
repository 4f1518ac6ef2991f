/* model.c — the genre model: presets, preprocessing, prediction, and the model file format
 * (docs/model-format.md). Every size in a file is checked before it is used; the loader is
 * fuzzed. */
#include "core/csv.h"
#include "genre/genre.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char MAGIC[8] = {'A', 'S', 'G', 'E', 'N', 'R', 'E', '\0'};
#define MODEL_VERSION 1u
#define MODEL_MAX_BYTES ((size_t)256 << 20)

static const genre_preset presets[] = {
    {"logreg", {0}, 0.0, 1e-4},
    {"mlp-small", {256, 128, 64, 0}, 0.0, 1e-4},
    {"mlp", {512, 256, 128, 64, 0}, 0.2, 1e-4},
    {"mlp-large", {1024, 512, 256, 128, 64, 0}, 0.3, 1e-4},
};

const genre_preset *genre_preset_get(int type)
{
    if (type < 0 || type >= (int)(sizeof presets / sizeof presets[0])) return NULL;
    return &presets[type];
}

const char *as_genre_type_name(int type)
{
    const genre_preset *p = genre_preset_get(type);
    return p ? p->name : NULL;
}

int as_genre_type_parse(const char *name)
{
    if (!name) return -1;
    for (int t = 0; t < (int)(sizeof presets / sizeof presets[0]); t++)
        if (strcmp(presets[t].name, name) == 0) return t;
    return -1;
}

/* ---- prediction ----------------------------------------------------------------------------- */

void genre_preprocess(const as_genre_model *m, const double *x, float *out)
{
    for (int i = 0; i < GENRE_NF; i++) {
        double v = x[i];
        if (m->log_mask[i]) v = log((v > 0 ? v : 0) + GENRE_VAR_EPS);
        out[i] = (float)((v - m->mean[i]) / m->scale[i]);
    }
}

as_status as_genre_predict(const as_genre_model *m, const double *features, double *probs)
{
    if (!m || !features || !probs) return AS_ERR_ARG;
    for (int i = 0; i < GENRE_NF; i++)
        if (!isfinite(features[i])) return AS_ERR_NUMERIC;
    float a[GENRE_MAX_WIDTH], b[GENRE_MAX_WIDTH]; /* never allocates: widths are bounded */
    int C = m->n_classes;
    for (int c = 0; c < C; c++) probs[c] = 0;
    for (int e = 0; e < m->n_members; e++) {
        const genre_net *n = &m->net[e];
        genre_preprocess(m, features, a);
        float *cur = a, *nxt = b;
        for (int l = 0; l < n->n_layers; l++) {
            int in = n->dims[l], out = n->dims[l + 1];
            for (int j = 0; j < out; j++) {
                const float *w = n->W[l] + (size_t)j * in;
                float s = n->b[l][j];
                for (int k = 0; k < in; k++) s += w[k] * cur[k];
                nxt[j] = (l < n->n_layers - 1 && s < 0) ? 0.0f : s;
            }
            float *t = cur;
            cur = nxt;
            nxt = t;
        }
        double mx = cur[0], s = 0;
        for (int c = 1; c < C; c++) mx = cur[c] > mx ? cur[c] : mx;
        for (int c = 0; c < C; c++) s += exp(cur[c] - mx);
        for (int c = 0; c < C; c++) probs[c] += exp(cur[c] - mx) / s / m->n_members;
    }
    for (int c = 0; c < C; c++)
        if (!isfinite(probs[c])) return AS_ERR_NUMERIC;
    return AS_OK;
}

int as_genre_n_classes(const as_genre_model *m) { return m ? m->n_classes : 0; }
int as_genre_type(const as_genre_model *m) { return m ? m->type : -1; }
int64_t as_genre_segment_length(const as_genre_model *m) { return m ? m->segment_length : 0; }

const char *as_genre_label(const as_genre_model *m, int k)
{
    if (!m || k < 0 || k >= m->n_classes) return NULL;
    return m->labels[k];
}

void as_genre_destroy(as_genre_model *m)
{
    if (!m) return;
    for (int e = 0; e < m->n_members; e++) genre_net_free(&m->net[e]);
    free(m);
}

/* ---- CRC-32 (IEEE 802.3, reflected, as zlib) ------------------------------------------------ */

uint32_t genre_crc32(const void *buf, size_t len) { return as__crc32(0, buf, len); }

/* ---- writing ---------------------------------------------------------------------------------- */

typedef struct wbuf {
    unsigned char *p;
    size_t n, cap;
    int oom;
} wbuf;

static void put(wbuf *w, const void *src, size_t len)
{
    if (w->oom) return;
    if (w->n + len > w->cap) {
        size_t nc = w->cap ? w->cap : 4096;
        while (nc < w->n + len) nc *= 2;
        unsigned char *np = realloc(w->p, nc);
        if (!np) {
            w->oom = 1;
            return;
        }
        w->p = np;
        w->cap = nc;
    }
    memcpy(w->p + w->n, src, len);
    w->n += len;
}

static void put_u32(wbuf *w, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    put(w, b, 4);
}

static void put_f32(wbuf *w, float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    put_u32(w, v);
}

static void put_str(wbuf *w, const char *s)
{
    size_t n = strlen(s);
    put_u32(w, (uint32_t)n);
    put(w, s, n);
}

as_status as_genre_serialize(const as_genre_model *m, void **buf, size_t *len)
{
    if (!m || !buf || !len) return AS_ERR_ARG;
    *buf = NULL;
    *len = 0;
    wbuf w = {0};
    put(&w, MAGIC, 8);
    put_u32(&w, MODEL_VERSION);
    /* feature schema */
    put_u32(&w, GENRE_NF);
    for (int i = 0; i < GENRE_NF; i++) {
        const char *c = as_features_column(i);
        put_str(&w, c ? c : "");
    }
    put_u32(&w, (uint32_t)m->sr);
    put_u32(&w, (uint32_t)m->n_fft);
    put_u32(&w, (uint32_t)m->hop);
    put_u32(&w, (uint32_t)m->segment_length);
    /* labels */
    put_u32(&w, (uint32_t)m->n_classes);
    for (int c = 0; c < m->n_classes; c++) put_str(&w, m->labels[c]);
    /* type and preprocessing */
    put_u32(&w, (uint32_t)m->type);
    put_f32(&w, m->dropout);
    put(&w, m->log_mask, GENRE_NF);
    for (int i = 0; i < GENRE_NF; i++) put_f32(&w, m->mean[i]);
    for (int i = 0; i < GENRE_NF; i++) put_f32(&w, m->scale[i]);
    /* networks */
    put_u32(&w, (uint32_t)m->n_members);
    for (int e = 0; e < m->n_members; e++) {
        const genre_net *n = &m->net[e];
        put_u32(&w, (uint32_t)n->n_layers);
        for (int l = 0; l <= n->n_layers; l++) put_u32(&w, (uint32_t)n->dims[l]);
        for (size_t i = 0; i < n->n_params; i++) put_f32(&w, n->params[i]);
    }
    if (w.oom) {
        free(w.p);
        return AS_ERR_NOMEM;
    }
    put_u32(&w, genre_crc32(w.p, w.n));
    if (w.oom) {
        free(w.p);
        return AS_ERR_NOMEM;
    }
    *buf = w.p;
    *len = w.n;
    return AS_OK;
}

as_status as_genre_save(const as_genre_model *m, const char *path, as_error *err)
{
    if (!m || !path) return as__fail(err, AS_ERR_ARG, path ? path : "model", "no model or path");
    void *buf = NULL;
    size_t len = 0;
    as_status st = as_genre_serialize(m, &buf, &len);
    if (st != AS_OK) return as__fail(err, st, path, "cannot serialise the model");
    char tmp[4096];
    int fd = as__tmp_open(path, tmp, sizeof tmp);
    if (fd < 0) {
        free(buf);
        return as__fail(err, AS_ERR_IO, path, "cannot create (%s)", strerror(errno));
    }
    size_t off = 0;
    while (off < len) {
        ssize_t k = write(fd, (const char *)buf + off, len - off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            int e = errno;
            close(fd);
            as__tmp_abort(tmp);
            free(buf);
            return as__fail(err, AS_ERR_IO, path, "write failed (%s)", strerror(e));
        }
        off += (size_t)k;
    }
    free(buf);
    if (fsync(fd) != 0 || close(fd) != 0) {
        as__tmp_abort(tmp);
        return as__fail(err, AS_ERR_IO, path, "write failed (%s)", strerror(errno));
    }
    if (as__tmp_commit(tmp, path) != AS_OK) return as__fail(err, AS_ERR_IO, path, "cannot rename the temporary file");
    return AS_OK;
}

/* ---- reading ---------------------------------------------------------------------------------- */

typedef struct rbuf {
    const unsigned char *p;
    size_t n, off;
} rbuf;

static int get(rbuf *r, void *dst, size_t len)
{
    if (len > r->n - r->off) return -1;
    memcpy(dst, r->p + r->off, len);
    r->off += len;
    return 0;
}

static int get_u32(rbuf *r, uint32_t *v)
{
    unsigned char b[4];
    if (get(r, b, 4)) return -1;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 0;
}

static int get_f32(rbuf *r, float *f)
{
    uint32_t v;
    if (get_u32(r, &v)) return -1;
    memcpy(f, &v, 4);
    return 0;
}

/* A length-prefixed string of at most GENRE_NAME_MAX bytes, no NUL or control bytes. */
static int get_str(rbuf *r, char *dst)
{
    uint32_t n;
    if (get_u32(r, &n) || n == 0 || n > GENRE_NAME_MAX || get(r, dst, n)) return -1;
    dst[n] = '\0';
    for (uint32_t i = 0; i < n; i++)
        if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f) return -1;
    return 0;
}

#define TRUNC(what) do { st = as__fail(err, AS_ERR_FORMAT, name, "truncated or malformed model file (%s)", what); goto fail; } while (0)

as_status as_genre_load_memory(const void *buf, size_t len, const char *name, as_genre_model **out,
                               as_error *err)
{
    if (!name) name = "model";
    if (!out) return as__fail(err, AS_ERR_ARG, name, "no output");
    *out = NULL;
    if (!buf && len) return as__fail(err, AS_ERR_ARG, name, "no input");
    if (len > MODEL_MAX_BYTES) return as__fail(err, AS_ERR_TOO_LONG, name, "model file larger than %zu bytes", MODEL_MAX_BYTES);
    as_status st = AS_OK;
    rbuf r = {buf, len, 0};
    as_genre_model *m = calloc(1, sizeof *m);
    if (!m) return as__fail(err, AS_ERR_NOMEM, name, "out of memory");
    char magic[8];
    uint32_t v, ver;
    char col[GENRE_NAME_MAX + 1];

    if (get(&r, magic, 8) || memcmp(magic, MAGIC, 8) != 0) {
        st = as__fail(err, AS_ERR_FORMAT, name, "not an audiostyle genre model (bad magic)");
        goto fail;
    }
    if (get_u32(&r, &ver)) TRUNC("version");
    if (ver != MODEL_VERSION) {
        st = as__fail(err, AS_ERR_UNSUPPORTED, name, "model file version %u; this library reads version %u", ver, MODEL_VERSION);
        goto fail;
    }
    /* feature schema */
    if (get_u32(&r, &v)) TRUNC("feature count");
    if (v == 0 || v > 4096) TRUNC("feature count");
    if (v != (uint32_t)GENRE_NF) {
        st = as__fail(err, AS_ERR_SCHEMA, name, "model expects %u features; this library's extractor computes %d", v, GENRE_NF);
        as__hint(err, "retrain the model with `audiostyle train` on features from this version");
        goto fail;
    }
    for (int i = 0; i < GENRE_NF; i++) {
        if (get_str(&r, col)) TRUNC("column names");
        const char *want = as_features_column(i);
        if (!want || strcmp(col, want) != 0) {
            st = as__fail(err, AS_ERR_SCHEMA, name, "feature %d is '%s' in the model but '%s' in this library's extractor",
                          i, col, want ? want : "(none)");
            as__hint(err, "retrain the model with `audiostyle train` on features from this version");
            goto fail;
        }
    }
    uint32_t sr, n_fft, hop, seg;
    if (get_u32(&r, &sr) || get_u32(&r, &n_fft) || get_u32(&r, &hop) || get_u32(&r, &seg)) TRUNC("feature parameters");
    if (sr != AS_SR || n_fft != 2048 || hop != 512) {
        st = as__fail(err, AS_ERR_SCHEMA, name, "model features use sr %u, n_fft %u, hop %u; the extractor uses %d, 2048, 512",
                      sr, n_fft, hop, AS_SR);
        goto fail;
    }
    if (seg > 100u * 60u * AS_SR) TRUNC("segment length");
    m->sr = (int)sr;
    m->n_fft = (int)n_fft;
    m->hop = (int)hop;
    m->segment_length = seg;
    /* labels */
    if (get_u32(&r, &v)) TRUNC("class count");
    if (v < 2 || v > AS_GENRE_MAX_CLASSES) TRUNC("class count");
    m->n_classes = (int)v;
    for (int c = 0; c < m->n_classes; c++)
        if (get_str(&r, m->labels[c])) TRUNC("labels");
    /* type and preprocessing */
    if (get_u32(&r, &v)) TRUNC("type");
    if (!genre_preset_get((int)v) || v > 255) TRUNC("unknown model type");
    m->type = (int)v;
    if (get_f32(&r, &m->dropout) || !(m->dropout >= 0 && m->dropout < 1)) TRUNC("dropout");
    if (get(&r, m->log_mask, GENRE_NF)) TRUNC("log mask");
    for (int i = 0; i < GENRE_NF; i++)
        if (m->log_mask[i] > 1) TRUNC("log mask");
    for (int i = 0; i < GENRE_NF; i++)
        if (get_f32(&r, &m->mean[i]) || !isfinite(m->mean[i])) TRUNC("means");
    for (int i = 0; i < GENRE_NF; i++)
        if (get_f32(&r, &m->scale[i]) || !isfinite(m->scale[i]) || !(m->scale[i] > 0)) TRUNC("scales");
    /* networks */
    if (get_u32(&r, &v)) TRUNC("member count");
    if (v < 1 || v > GENRE_MAX_MEMBERS) TRUNC("member count");
    int n_members = (int)v;
    for (int e = 0; e < n_members; e++) {
        uint32_t nl;
        int dims[GENRE_MAX_LAYERS + 1];
        if (get_u32(&r, &nl)) TRUNC("layer count");
        if (nl < 1 || nl > GENRE_MAX_LAYERS) TRUNC("layer count");
        for (uint32_t l = 0; l <= nl; l++) {
            if (get_u32(&r, &v)) TRUNC("layer sizes");
            if (v < 1 || v > GENRE_MAX_WIDTH) TRUNC("layer sizes");
            dims[l] = (int)v;
        }
        if (dims[0] != GENRE_NF || dims[nl] != m->n_classes) TRUNC("layer sizes do not match the features and labels");
        /* the parameter count is bounded by 8 * (4096 * 4096 + 4096): no overflow in size_t;
         * check that the bytes are there before allocating */
        size_t np = 0;
        for (uint32_t l = 0; l < nl; l++) np += (size_t)dims[l + 1] * dims[l] + dims[l + 1];
        if (np > (r.n - r.off) / 4) TRUNC("weights");
        if (genre_net_init(&m->net[e], (int)nl, dims, NULL) != AS_OK) {
            st = as__fail(err, AS_ERR_NOMEM, name, "out of memory");
            goto fail;
        }
        m->n_members = e + 1;
        for (size_t i = 0; i < np; i++) {
            float *p = &m->net[e].params[i];
            if (get_f32(&r, p)) TRUNC("weights");
            if (!isfinite(*p)) {
                st = as__fail(err, AS_ERR_NUMERIC, name, "non-finite weight in the model file");
                goto fail;
            }
        }
    }
    size_t body = r.off;
    uint32_t crc;
    if (get_u32(&r, &crc)) TRUNC("checksum");
    if (r.off != r.n) {
        st = as__fail(err, AS_ERR_FORMAT, name, "%zu unexpected bytes after the model", r.n - r.off);
        goto fail;
    }
    if (crc != genre_crc32(buf, body)) {
        st = as__fail(err, AS_ERR_FORMAT, name, "model file checksum mismatch (corrupt file)");
        goto fail;
    }
    *out = m;
    return AS_OK;
fail:
    as_genre_destroy(m);
    return st;
}

as_status as_genre_load(const char *path, as_genre_model **out, as_error *err)
{
    if (!path) return as__fail(err, AS_ERR_ARG, "model", "no path");
    char *data = NULL;
    size_t len = 0;
    as_status st = as_read_file(path, MODEL_MAX_BYTES, &data, &len, err);
    if (st != AS_OK) return st;
    st = as_genre_load_memory(data, len, path, out, err);
    free(data);
    return st;
}

as_status as_genre_load_default(as_genre_model **out, as_error *err)
{
    if (genre_default_model_len == 0) {
        if (out) *out = NULL;
        as_status st = as__fail(err, AS_ERR_UNSUPPORTED, "built-in model", "this build has no built-in genre model");
        as__hint(err, "run `make model`, or pass --model FILE");
        return st;
    }
    return as_genre_load_memory(genre_default_model, genre_default_model_len, "built-in model", out, err);
}
