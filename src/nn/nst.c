/* nst.c — the loss and gradient of spectrogram style transfer (Ulyanov & Lebedev 2016, the TF
 * notebook): one random conv layer with ReLU, a content term on its features and a style term on
 * their Gram matrix. All heavy work is sgemm; nothing allocates after nn_nst_create; whatever
 * depends only on the content and the style is computed once (nn_nst_set_targets).
 *
 *   F(z)  = relu(conv1d(pad(z), W))                                  (To, N)
 *   L     = alpha * sum (F(x) - F(c))^2 + beta * sum (F(x)^T F(x) / dx - F(s)^T F(s) / ds)^2
 * ref: the notebook divides each Gram by its track's frame count T (dx = T, ds = Ts).
 * Two additions, off by default (docs/notes-tonal.md): sh.norm = NN_NORM_TARGET divides alpha by
 * mean F(c)^2 and beta by mean Gs^2 (Gs = F(s)^T F(s) / ds; means over their elements, so the
 * sums keep their sizes and the optimiser its gradient scale), and sh.mean_w adds
 *   mean_w * |mu(x) - mu(s)|^2 / |mu(s)|^2,  mu(z) = mean over output frames of F(z)   (N)
 * to the style term (feature means beside the Gram). */
#include "nn/engine.h"
#include "nn/nn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void nst_dims(const nn_nst_shape *sh, int *pl, int *pr, int64_t *Tp, int64_t *To,
                     int64_t *Tsp, int64_t *Tso)
{
    int l = 0, r = 0;
    if (sh->padding == NN_PAD_SAME) { /* TF 'SAME': (K-1)/2 left, the rest right */
        l = (sh->K - 1) / 2;
        r = sh->K - 1 - l;
    }
    *pl = l;
    *pr = r;
    *Tp = sh->T + l + r;
    *To = *Tp - sh->K + 1;
    *Tsp = sh->Ts + l + r;
    *Tso = *Tsp - sh->K + 1;
}

static int pick_exact(const nn_nst_shape *sh, int64_t To, int64_t Tso)
{
    if (sh->style_mode == NN_STYLE_EXACT) return 1;
    if (sh->style_mode == NN_STYLE_GRAM) return 0;
    return To + Tso < sh->N; /* 4 To N (To + Tso) FLOPs against 4 To N^2 */
}

/* Sizes (in floats) of every buffer, in the order they are carved from the block. */
enum { B_WK, B_FC, B_FS, B_GS, B_XP, B_GP, B_F, B_DF, B_A, B_B, B_G, B_MS, B_MU, B_COUNT };

static void nst_sizes(const nn_nst_shape *sh, size_t *sz, int *exact_out)
{
    int pl, pr;
    int64_t Tp, To, Tsp, Tso;
    nst_dims(sh, &pl, &pr, &Tp, &To, &Tsp, &Tso);
    int exact = pick_exact(sh, To, Tso);
    size_t C = (size_t)sh->C, N = (size_t)sh->N;
    sz[B_WK] = (size_t)sh->K * C * N;
    sz[B_FC] = sh->alpha != 0 ? (size_t)To * N : 0;
    sz[B_FS] = exact ? (size_t)Tso * N : 0;
    sz[B_GS] = exact ? 0 : N * N;
    sz[B_XP] = sh->padding == NN_PAD_SAME ? C * (size_t)Tp : 0;
    sz[B_GP] = sh->padding == NN_PAD_SAME ? C * (size_t)Tp : 0;
    sz[B_F] = (size_t)To * N;
    sz[B_DF] = (size_t)To * N;
    sz[B_A] = exact ? (size_t)To * (size_t)To : 0;
    sz[B_B] = exact ? (size_t)To * (size_t)Tso : 0;
    sz[B_G] = exact ? 0 : N * N;
    sz[B_MS] = sh->mean_w != 0 ? N : 0;
    sz[B_MU] = sh->mean_w != 0 ? N : 0;
    if (exact_out) *exact_out = exact;
}

static size_t round16(size_t n) { return (n + 15) & ~(size_t)15; } /* 64-byte aligned slices */

/* The output lengths the engine is called with: To (x, the content) and the style's chunks. */
static int engine_rows(int64_t To, int64_t Tso, int64_t *rows)
{
    int n = 0;
    rows[n++] = To;
    if (Tso >= To) rows[n++] = To;
    if (Tso % To) rows[n++] = Tso % To;
    return n;
}

int nn_nst_resolve_precision(int precision)
{
    if (precision == NN_PRECISION_FP32 || precision == NN_PRECISION_BF16) return precision;
    int p = nn_precision_resolve(NN_PRECISION_AUTO, nn_cpu_isa());
    /* AUTO never lands on the emulation: the ISA says bf16 and oneDNN must have the matmul */
    return p == NN_PRECISION_BF16 && !nn_bf16_native() ? NN_PRECISION_FP32 : p;
}

size_t nn_nst_bytes(const nn_nst_shape *sh, int *exact)
{
    size_t sz[B_COUNT], total = 0;
    nst_sizes(sh, sz, exact);
    for (int i = 0; i < B_COUNT; i++) total += round16(sz[i]);
    int pl, pr;
    int64_t Tp, To, Tsp, Tso, rows[3];
    nst_dims(sh, &pl, &pr, &Tp, &To, &Tsp, &Tso);
    size_t eng = 0;
    const nn_conv_engine *e = nn_conv_engine_get(nn_nst_resolve_precision(sh->precision));
    if (e && To > 0 && Tso > 0) eng = e->bytes(sh->C, sh->N, sh->K, rows, engine_rows(To, Tso, rows));
    return total * sizeof(float) + sizeof(nn_nst) + eng;
}

const char *nn_nst_engine_impl(const nn_nst *m) { return m->conv->engine->impl(m->conv); }

double nn_nst_flops(const nn_nst_shape *sh)
{
    int pl, pr, exact;
    int64_t Tp, To, Tsp, Tso;
    nst_dims(sh, &pl, &pr, &Tp, &To, &Tsp, &Tso);
    exact = pick_exact(sh, To, Tso);
    double N = sh->N, conv = 2.0 * (double)To * N * sh->C * sh->K;
    double style = exact ? 4.0 * (double)To * N * (double)(To + Tso) : 4.0 * (double)To * N * N;
    return 2.0 * conv + style;
}

as_status nn_nst_create(nn_nst **out, const nn_nst_shape *sh)
{
    *out = NULL;
    if (sh->C < 1 || sh->N < 1 || sh->K < 1 || sh->T < 1 || sh->Ts < 1 || !(sh->div_x > 0) ||
        !(sh->div_s > 0) || !(sh->mean_w >= 0) || (sh->norm != NN_NORM_NONE && sh->norm != NN_NORM_TARGET))
        return AS_ERR_ARG;
    nn_nst *m = calloc(1, sizeof *m);
    if (!m) return AS_ERR_NOMEM;
    m->sh = *sh;
    m->alpha_eff = sh->alpha;
    m->beta_eff = sh->beta;
    nst_dims(sh, &m->pl, &m->pr, &m->Tp, &m->To, &m->Tsp, &m->Tso);
    if (m->To < 1 || m->Tso < 1) {
        free(m);
        return AS_ERR_ARG;
    }
    size_t sz[B_COUNT], total = 0;
    nst_sizes(sh, sz, &m->exact);
    m->precision = nn_nst_resolve_precision(sh->precision);
    m->bytes = sizeof *m;
    if (m->precision != NN_PRECISION_FP32) {
        /* the engine keeps its own copy of the weights: the fp32 Wk is a separate allocation,
         * released once nn_nst_set_targets has handed it over (a big block returns to the OS
         * before the optimiser allocates its history) */
        if (posix_memalign((void **)&m->wk_own, 64, sz[B_WK] * sizeof(float)) != 0) {
            free(m);
            return AS_ERR_NOMEM;
        }
        m->wk_bytes = sz[B_WK] * sizeof(float);
        m->bytes += m->wk_bytes;
        sz[B_WK] = 0;
    }
    for (int i = 0; i < B_COUNT; i++) total += round16(sz[i]);
    m->bytes += total * sizeof(float);
    float *blk = NULL;
    if (posix_memalign((void **)&blk, 64, total * sizeof(float)) != 0) {
        free(m->wk_own);
        free(m);
        return AS_ERR_NOMEM;
    }
    m->block = blk;
    float **ptr[B_COUNT] = {&m->Wk, &m->Fc, &m->Fs, &m->Gs, &m->xp, &m->gp, &m->F,
                            &m->dF, &m->A,  &m->B,  &m->G,  &m->ms, &m->mu};
    size_t off = 0;
    for (int i = 0; i < B_COUNT; i++) {
        *ptr[i] = sz[i] ? blk + off : NULL;
        off += round16(sz[i]);
    }
    if (m->xp) memset(m->xp, 0, sz[B_XP] * sizeof(float));
    if (m->wk_own) m->Wk = m->wk_own;
    const nn_conv_engine *e = nn_conv_engine_get(m->precision);
    int64_t rows[3];
    int n_rows = engine_rows(m->To, m->Tso, rows);
    as_status rc = e ? e->create(&m->conv, m->Wk, sh->C, sh->N, sh->K, rows, n_rows, sh->threads)
                     : AS_ERR_ARG;
    if (rc != AS_OK) {
        nn_nst_destroy(m);
        return rc;
    }
    m->bytes += e->allocated(m->conv);
    *out = m;
    return AS_OK;
}

void nn_nst_destroy(nn_nst *m)
{
    if (!m) return;
    if (m->conv) m->conv->engine->destroy(m->conv);
    free(m->wk_own);
    free(m->block);
    free(m);
}

/* Standard normals in pairs by Marsaglia's polar method on as_rng_uniform (no trigonometry:
 * about 2.5x faster than as_rng_normal for the 46 M weights of the canonical network). */
static void normals(as_rng *r, float *out, size_t n, double scale)
{
    for (size_t i = 0; i < n; i += 2) {
        double u, v, s;
        do {
            u = 2.0 * as_rng_uniform(r) - 1.0;
            v = 2.0 * as_rng_uniform(r) - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        double f = scale * sqrt(-2.0 * log(s) / s);
        out[i] = (float)(u * f);
        if (i + 1 < n) out[i + 1] = (float)(v * f);
    }
}

as_status nn_nst_init_weights(nn_nst *m, uint64_t seed)
{
    if (!m->Wk) return AS_ERR_ARG; /* released after nn_nst_set_targets (bf16) */
    int C = m->sh.C, N = m->sh.N, K = m->sh.K;
    double scale = sqrt(2.0) * sqrt(2.0 / ((double)(C + N) * K));
    /* W (N, C, K) is drawn in its own order, 16 filters at a time into a block, then scattered
     * into Wk (K, C, N) so that each cache line of Wk is written whole. */
    enum { NB = 16 };
    size_t per = (size_t)C * K;
    float *tmp = malloc(sizeof(float) * NB * per);
    if (!tmp) return AS_ERR_NOMEM;
    as_rng r;
    as_rng_seed(&r, seed);
    for (int n0 = 0; n0 < N; n0 += NB) {
        int nb = AS_MIN(NB, N - n0);
        normals(&r, tmp, (size_t)nb * per, scale);
        for (int k = 0; k < C; k++)
            for (int j = 0; j < K; j++) {
                float *dst = m->Wk + ((size_t)j * C + k) * N + n0;
                for (int b = 0; b < nb; b++) dst[b] = tmp[(size_t)b * per + (size_t)k * K + j];
            }
    }
    free(tmp);
    return AS_OK;
}

/* Features of frames [t0, t0 + n) of the (unpadded) track z (C, T) into out (n, N): reads z
 * directly in 'valid' mode, stages the padded window through xp in 'same' mode. */
static as_status features_of(nn_nst *m, float *out, const float *z, int64_t T, int64_t t0,
                             int64_t n)
{
    int C = m->sh.C, N = m->sh.N, K = m->sh.K;
    as_status rc;
    if (m->sh.padding == NN_PAD_VALID) {
        rc = m->conv->engine->forward(m->conv, out, z + t0, T, n);
    } else {
        /* window of padded columns [t0, t0 + n + K - 1) = track columns [t0 - pl, ...) */
        int64_t w = n + K - 1;
        for (int k = 0; k < C; k++) {
            float *row = m->xp + (size_t)k * m->Tp;
            for (int64_t u = 0; u < w; u++) {
                int64_t t = t0 + u - m->pl;
                row[u] = (t >= 0 && t < T) ? z[(size_t)k * T + t] : 0.0f;
            }
        }
        rc = m->conv->engine->forward(m->conv, out, m->xp, m->Tp, n);
    }
    nn_relu_forward(out, n * N);
    return rc;
}

/* alpha / mean Fc^2 (sh.norm) */
static void content_scale(nn_nst *m)
{
    if (m->sh.norm != NN_NORM_TARGET || !m->Fc) return;
    double c2 = nn_sumsq(m->Fc, m->To * m->sh.N) / ((double)m->To * m->sh.N);
    m->alpha_eff = c2 > 0 ? m->sh.alpha / c2 : m->sh.alpha;
}

as_status nn_nst_set_targets(nn_nst *m, const float *c, const float *s)
{
    int N = m->sh.N;
    if (!m->Wk) return AS_ERR_ARG; /* released by an earlier call (bf16) */
    as_status rc = m->conv->engine->prepare(m->conv);
    if (rc == AS_OK && m->wk_own) { /* the engine has its copy: the fp32 weights go */
        free(m->wk_own);
        m->wk_own = NULL;
        m->Wk = NULL;
        m->bytes -= m->wk_bytes;
    }
    if (rc == AS_OK && m->Fc) rc = features_of(m, m->Fc, c, m->sh.T, 0, m->To);
    if (rc != AS_OK) return rc;
    /* The style in chunks of at most To output frames, through F as scratch. */
    for (int64_t t0 = 0; t0 < m->Tso; t0 += m->To) {
        int64_t n = AS_MIN(m->To, m->Tso - t0);
        float *Fk = m->exact ? m->Fs + t0 * N : m->F; /* (n, N) this chunk's features */
        rc = features_of(m, Fk, s, m->sh.Ts, t0, n);
        if (rc != AS_OK) return rc;
        if (!m->exact)
            nn_gemm(NN_TRANS, NN_NOTRANS, N, N, n, (float)(1.0 / m->sh.div_s), m->F, N, m->F, N,
                    t0 == 0 ? 0.0f : 1.0f, m->Gs, N);
        if (m->ms) { /* column sums, in the mean's buffer */
            if (t0 == 0) memset(m->ms, 0, (size_t)N * sizeof(float));
            for (int64_t t = 0; t < n; t++)
                for (int j = 0; j < N; j++) m->ms[j] += Fk[t * N + j];
        }
    }
    if (m->ms) {
        double s2 = 0;
        for (int j = 0; j < N; j++) {
            m->ms[j] = (float)(m->ms[j] / (double)m->Tso);
            s2 += (double)m->ms[j] * m->ms[j];
        }
        m->ms2 = s2 > 0 ? s2 : 1.0;
    }
    if (m->exact) { /* |Fs Fs^T|^2 by row blocks of To, through B (To, Tso) */
        double ss = 0;
        for (int64_t r0 = 0; r0 < m->Tso; r0 += m->To) {
            int64_t n = AS_MIN(m->To, m->Tso - r0);
            nn_gemm(NN_NOTRANS, NN_TRANS, n, m->Tso, N, 1.0f, m->Fs + r0 * N, N, m->Fs, N, 0.0f,
                    m->B, m->Tso);
            ss += nn_sumsq(m->B, n * m->Tso);
        }
        m->ss = ss / (m->sh.div_s * m->sh.div_s);
    }
    if (m->sh.norm == NN_NORM_TARGET) {
        double gs2 = (m->exact ? m->ss : nn_sumsq(m->Gs, (int64_t)N * N)) / ((double)N * N);
        m->beta_eff = gs2 > 0 ? m->sh.beta / gs2 : m->sh.beta;
        content_scale(m);
    }
    /* restore the zero padding of the staging buffer for nn_nst_eval */
    if (m->xp) memset(m->xp, 0, (size_t)m->sh.C * m->Tp * sizeof(float));
    return AS_OK;
}

as_status nn_nst_set_content(nn_nst *m, const float *c)
{
    if (!m->Fc) return AS_OK;
    as_status rc = features_of(m, m->Fc, c, m->sh.T, 0, m->To);
    if (m->xp) memset(m->xp, 0, (size_t)m->sh.C * m->Tp * sizeof(float));
    content_scale(m);
    return rc;
}

as_status nn_nst_eval(nn_nst *m, const float *x, float *grad, double *content, double *style)
{
    int C = m->sh.C, N = m->sh.N;
    nn_conv *conv = m->conv;
    int64_t T = m->sh.T, To = m->To, nF = To * N;
    const float *in = x;
    int64_t ld = T;
    if (m->xp) {
        for (int k = 0; k < C; k++)
            memcpy(m->xp + (size_t)k * m->Tp + m->pl, x + (size_t)k * T, (size_t)T * sizeof(float));
        in = m->xp;
        ld = m->Tp;
    }
    as_status rc = conv->engine->forward(conv, m->F, in, ld, To);
    if (rc != AS_OK) return rc;
    nn_relu_forward(m->F, nF);

    double lc = 0, ls;
    if (m->Fc) lc = nn_content_loss(m->dF, m->F, m->Fc, nF, m->alpha_eff);
    else memset(m->dF, 0, (size_t)nF * sizeof(float));
    if (m->exact)
        ls = nn_style_loss_exact(m->dF, m->A, m->B, m->F, m->Fs, To, m->Tso, N, m->sh.div_x,
                                 m->sh.div_s, m->ss, m->beta_eff);
    else
        ls = nn_style_loss_gram(m->dF, m->G, m->F, m->Gs, To, N, m->sh.div_x, m->beta_eff);
    if (m->mu) { /* the feature-mean term: dF[t, :] += 2 w (mu - ms) / (|ms|^2 To) */
        memset(m->mu, 0, (size_t)N * sizeof(float));
        for (int64_t t = 0; t < To; t++)
            for (int j = 0; j < N; j++) m->mu[j] += m->F[t * N + j];
        double lm = 0, k = 2.0 * m->sh.mean_w / (m->ms2 * (double)To);
        for (int j = 0; j < N; j++) {
            double d = m->mu[j] / (double)To - m->ms[j];
            lm += d * d;
            m->mu[j] = (float)(k * d);
        }
        ls += m->sh.mean_w * lm / m->ms2;
        for (int64_t t = 0; t < To; t++)
            for (int j = 0; j < N; j++) m->dF[t * N + j] += m->mu[j];
    }
    nn_relu_backward(m->dF, m->F, nF);

    *content = lc;
    *style = ls;
    if (m->gp) {
        memset(m->gp, 0, (size_t)C * m->Tp * sizeof(float));
        rc = conv->engine->backward(conv, m->gp, m->Tp, m->dF, To);
        for (int k = 0; k < C; k++)
            memcpy(grad + (size_t)k * T, m->gp + (size_t)k * m->Tp + m->pl, (size_t)T * sizeof(float));
    } else {
        memset(grad, 0, (size_t)C * T * sizeof(float));
        rc = conv->engine->backward(conv, grad, T, m->dF, To);
    }
    return rc;
}

/* ---- the double twin ------------------------------------------------------------------------ */

/* Fpre and F (To, N) of z (C, T) in double, padded by pl/pr zeros. */
static void naive_features(const nn_nst_shape *sh, const double *W, const double *z, int64_t T,
                           int pl, double *F)
{
    int C = sh->C, N = sh->N, K = sh->K;
    int64_t To = T + (sh->padding == NN_PAD_SAME ? sh->K - 1 : 0) - K + 1;
    for (int64_t t = 0; t < To; t++)
        for (int n = 0; n < N; n++) {
            double s = 0;
            for (int k = 0; k < C; k++)
                for (int j = 0; j < K; j++) {
                    int64_t u = t + j - pl;
                    if (u >= 0 && u < T) s += W[((size_t)n * C + k) * K + j] * z[(size_t)k * T + u];
                }
            F[t * N + n] = s > 0 ? s : 0;
        }
}

void nn_nst_eval_naive(const nn_nst_shape *sh, const double *W, const double *x, const double *c,
                       const double *s, double *grad, double *content, double *style)
{
    int C = sh->C, N = sh->N, K = sh->K;
    int pl = sh->padding == NN_PAD_SAME ? (K - 1) / 2 : 0;
    int64_t extra = sh->padding == NN_PAD_SAME ? K - 1 : 0;
    int64_t T = sh->T, Ts = sh->Ts, To = T + extra - K + 1, Tso = Ts + extra - K + 1;
    double *Fx = calloc((size_t)(To * N), sizeof(double));
    double *Fc = calloc((size_t)(To * N), sizeof(double));
    double *Fs = calloc((size_t)(Tso * N), sizeof(double));
    double *D = calloc((size_t)N * N, sizeof(double));
    double *dF = calloc((size_t)(To * N), sizeof(double));
    double *Mu = calloc((size_t)N, sizeof(double)); /* (N) mean of F(x) - mean of F(s) */
    if (!Fx || !Fc || !Fs || !D || !dF || !Mu) goto done;
    naive_features(sh, W, x, T, pl, Fx);
    naive_features(sh, W, c, T, pl, Fc);
    naive_features(sh, W, s, Ts, pl, Fs);
    double lc = 0, ls = 0, c2 = 0, g2 = 0;
    for (int64_t i = 0; i < To * N; i++) lc += (Fx[i] - Fc[i]) * (Fx[i] - Fc[i]);
    for (int64_t i = 0; i < To * N; i++) c2 += Fc[i] * Fc[i];
    for (int a = 0; a < N; a++)
        for (int b = 0; b < N; b++) {
            double gx = 0, gs = 0;
            for (int64_t t = 0; t < To; t++) gx += Fx[t * N + a] * Fx[t * N + b];
            for (int64_t t = 0; t < Tso; t++) gs += Fs[t * N + a] * Fs[t * N + b];
            D[a * N + b] = gx / sh->div_x - gs / sh->div_s;
            ls += D[a * N + b] * D[a * N + b];
            g2 += gs / sh->div_s * (gs / sh->div_s);
        }
    double alpha = sh->alpha, beta = sh->beta;
    if (sh->norm == NN_NORM_TARGET) { /* by the mean squares of the targets */
        if (c2 > 0) alpha /= c2 / ((double)To * N);
        if (g2 > 0) beta /= g2 / ((double)N * N);
    }
    /* the feature means: mu (x), ms (style) (N), ms2 = |ms|^2 */
    double lm = 0, ms2 = 0;
    for (int n = 0; n < N && sh->mean_w != 0; n++) {
        double mx = 0, msn = 0;
        for (int64_t t = 0; t < To; t++) mx += Fx[t * N + n];
        for (int64_t t = 0; t < Tso; t++) msn += Fs[t * N + n];
        Mu[n] = mx / To - msn / Tso; /* mu - ms */
        lm += Mu[n] * Mu[n];
        ms2 += (msn / Tso) * (msn / Tso);
    }
    if (!(ms2 > 0)) ms2 = 1;
    *content = alpha * lc;
    *style = beta * ls + (sh->mean_w != 0 ? sh->mean_w * lm / ms2 : 0);
    if (grad) {
        for (int64_t t = 0; t < To; t++)
            for (int n = 0; n < N; n++) {
                double g = 2 * alpha * (Fx[t * N + n] - Fc[t * N + n]);
                double h = 0;
                for (int b = 0; b < N; b++) h += Fx[t * N + b] * D[b * N + n];
                g += 4 * beta / sh->div_x * h;
                if (sh->mean_w != 0) g += 2 * sh->mean_w * Mu[n] / (ms2 * To);
                dF[t * N + n] = Fx[t * N + n] > 0 ? g : 0;
            }
        memset(grad, 0, (size_t)C * T * sizeof(double));
        for (int k = 0; k < C; k++)
            for (int j = 0; j < K; j++)
                for (int64_t t = 0; t < To; t++) {
                    int64_t u = t + j - pl;
                    if (u < 0 || u >= T) continue;
                    double g = 0;
                    for (int n = 0; n < N; n++) g += W[((size_t)n * C + k) * K + j] * dF[t * N + n];
                    grad[(size_t)k * T + u] += g;
                }
    }
done:
    free(Fx);
    free(Fc);
    free(Fs);
    free(D);
    free(dF);
    free(Mu);
}
