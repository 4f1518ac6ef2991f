/* griffinlim.c — fast Griffin-Lim (librosa 0.7.2 griffinlim), frame-major and threaded.
 *
 * One iteration is istft(S·A) then R = stft(·), A = R − m/(1+m)·R_prev, A /= |A| + 1e-16.
 * Frame-major, the per-frame work fuses: r2c of frame t, the phase update of frame t, the c2r
 * of S·A for frame t (the next istft's frame t) and its overlap-add. An iteration has two
 * phases separated by barriers:
 *   A (over chunks of frames): frame t of the padded signal → window → r2c → update → c2r →
 *      window → added into the overlap-add accumulator `acc`, in ascending t. A chunk owns the
 *      samples that no earlier chunk's frame reaches; where its first frames overlap the
 *      previous chunk's samples it keeps those frame parts aside ("side" slots).
 *   B (over samples): ypad = acc + the side parts in ascending t, divided by the window sum,
 *      plus the reflect-padding mirrors of the edge samples.
 * So every sample is summed over its frames in ascending t exactly as librosa's sequential
 * overlap-add does, whatever the thread count; chunk boundaries are fixed (not per thread).
 * Everything is allocated before the loop.
 */
#include "dsp/dsp.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct gl_ctx {
    const as_stft *s;
    int64_t T, N, nf, L;     /* frames, output length, istft frames used, OLA length */
    int n_iter, nth;
    float coef;              /* m / (1 + m) */
    const float *Sf;         /* (T, F) magnitudes, frame-major */
    float *P;                /* (T, Fs, 2) previous rebuilt spectrum (initial S·A0 before it 1) */
    float *acc;              /* (L,) overlap-add accumulator (the part each chunk owns) */
    float *side;             /* (nchunks, slots, n_fft) frame parts over the previous chunk */
    int64_t chunk, nchunks;  /* frames per chunk, number of chunks */
    int slots;               /* frames of a chunk that can reach the previous chunk's samples */
    float *ypad;             /* (N + n_fft,) the centred, reflect-padded signal */
    const float *div;        /* (L,) window sum of squares where > FLT_MIN, else 1 */
    float **rbuf;            /* per thread (2 n_fft,): FFT input/output, then the windowed frame */
    fftwf_complex **cbuf;    /* per thread (F,) */
    double *sc_num, *sc_den; /* (T,) per-frame sums for the spectral convergence */
    int (*progress)(void *user, int iter, int n_iter);
    void *user;
    int stop;                /* set by thread 0 between barriers */
    pthread_barrier_t bar;
    atomic_llong ctr[2];     /* next chunk: [0] frames, [1] output samples */
} gl_ctx;

typedef struct gl_thread {
    gl_ctx *c;
    int id;
} gl_thread;

static void gl_sync(gl_ctx *c)
{
    if (c->nth > 1) pthread_barrier_wait(&c->bar);
}

/* Sample index where chunk ch's own samples start: the end of the previous chunk's frames. */
static int64_t chunk_lim(const gl_ctx *c, int64_t ch)
{
    if (ch <= 0) return 0;
    return AS_MIN(c->L, (ch * c->chunk - 1) * c->s->hop + c->s->n_fft);
}

/* c2r of the spectrum in cbuf (destroyed), window, and overlap-add of frame t (chunk ch). */
static void synth_frame(gl_ctx *c, int id, int64_t t, int64_t ch)
{
    const as_stft *s = c->s;
    fftwf_complex *cb = c->cbuf[id];
    float *rb = c->rbuf[id], *wf = rb + s->n_fft;
    cb[0][1] = 0.0f; /* irfft ignores the imaginary parts of DC and Nyquist */
    cb[s->F - 1][1] = 0.0f;
    fftwf_execute_dft_c2r(s->c2r, cb, rb);
    s->k.mul_scaled(wf, s->window, rb, 1.0f / (float)s->n_fft, s->n_fft);
    const int64_t f0 = t * s->hop, f1 = f0 + s->n_fft, lim = chunk_lim(c, ch);
    if (f0 < lim) { /* the part over the previous chunk's samples waits for phase B */
        float *slot = c->side + ((size_t)ch * c->slots + (size_t)(t - ch * c->chunk)) * s->n_fft;
        memcpy(slot, wf, sizeof(float) * (size_t)(lim - f0));
    }
    int64_t x = AS_MAX(f0, lim);
    if (f1 > x) s->k.add(c->acc + x, wf + (x - f0), f1 - x);
}

static size_t fstride(const as_stft *s) { return ((size_t)s->F + 7) & ~(size_t)7; }

/* Before iteration 1: P holds S·A0; synthesise it and clear P (R_prev = 0). */
static void init_frame(gl_ctx *c, int id, int64_t t, int64_t ch)
{
    const int F = c->s->F;
    float *p = c->P + (size_t)t * fstride(c->s) * 2;
    memcpy(c->cbuf[id], p, sizeof(float) * 2 * (size_t)F);
    memset(p, 0, sizeof(float) * 2 * (size_t)F);
    if (t < c->nf) synth_frame(c, id, t, ch);
}

/* R = stft frame t of ypad. */
static void analyse_frame(gl_ctx *c, int id, int64_t t)
{
    const as_stft *s = c->s;
    const float *src = c->ypad + (size_t)t * s->hop;
    float *rb = c->rbuf[id];
    s->k.mul(rb, src, s->window, s->n_fft);
    fftwf_execute_dft_r2c(s->r2c, rb, c->cbuf[id]);
}

static void iterate_frame(gl_ctx *c, int id, int64_t t, int64_t ch)
{
    const as_stft *s = c->s;
    analyse_frame(c, id, t);
    s->k.update((float *)c->cbuf[id], c->P + (size_t)t * fstride(s) * 2,
                c->Sf + (size_t)t * s->F, s->F, c->coef);
    if (t < c->nf) synth_frame(c, id, t, ch);
}

static void sc_frame(gl_ctx *c, int id, int64_t t)
{
    const as_stft *s = c->s;
    analyse_frame(c, id, t);
    const float *cb = (const float *)c->cbuf[id];
    const float *S = c->Sf + (size_t)t * s->F;
    double num = 0, den = 0;
    for (int k = 0; k < s->F; k++) {
        double re = cb[2 * k], im = cb[2 * k + 1], mag = sqrt(re * re + im * im);
        double d = mag - S[k];
        num += d * d;
        den += (double)S[k] * S[k];
    }
    c->sc_num[t] = num;
    c->sc_den[t] = den;
}

/* Phase B over output samples [i0, i1): ypad[h + i] = istft(...)[i], plus mirrors. */
static void overlap_add(gl_ctx *c, int64_t i0, int64_t i1)
{
    const as_stft *s = c->s;
    const int n_fft = s->n_fft, hop = s->hop, h = n_fft / 2;
    const int64_t N = c->N, span = c->chunk * hop;
    float *y = c->ypad;
    int64_t p0 = i0 + h, p1 = AS_MIN(i1 + h, c->L); /* OLA coordinates = ypad coordinates */
    if (p1 > p0) {
        memcpy(y + p0, c->acc + p0, sizeof(float) * (size_t)(p1 - p0));
        /* chunks whose first frames reach into [p0, p1): add their side parts, ascending t */
        int64_t clo = AS_MAX((int64_t)1, (p0 - n_fft) / span);
        int64_t chi = AS_MIN(c->nchunks - 1, (p1 - 1) / span);
        for (int64_t ch = clo; ch <= chi; ch++) {
            const int64_t a = ch * c->chunk, lim = chunk_lim(c, ch);
            for (int64_t t = a; t < AS_MIN(a + c->slots, c->nf); t++) {
                int64_t x0 = AS_MAX(p0, t * hop), x1 = AS_MIN(p1, lim);
                if (x1 <= x0) continue;
                const float *slot = c->side + ((size_t)ch * c->slots + (size_t)(t - a)) * n_fft;
                s->k.add(y + x0, slot + (x0 - t * hop), x1 - x0);
            }
        }
        s->k.div(y + p0, c->div + p0, p1 - p0);
    }
    for (int64_t p = AS_MAX(p1, p0); p < i1 + h; p++) y[p] = 0.0f; /* fix_length zero tail */
    /* reflect padding: ypad[h - i] = y[i] (i = 1..h), ypad[h + N - 1 + j] = y[N - 1 - j] */
    for (int64_t i = AS_MAX(i0, (int64_t)1); i < AS_MIN(i1, (int64_t)h + 1); i++)
        y[h - i] = y[h + i];
    for (int64_t i = AS_MAX(i0, N - 1 - h); i < AS_MIN(i1, N - 1); i++)
        y[h + 2 * (N - 1) - i] = y[h + i];
}

/* Work sharing: a phase's chunks are handed out by an atomic counter, so a thread that is
 * descheduled (a busy machine) does not hold the others back for its whole share. Which thread
 * computes a chunk does not change its result: every thread's scratch arrays have the plan's
 * alignment, so FFTW runs the same code on the same numbers. Counter ctr[0] serves the frame
 * phases, ctr[1] the overlap-add; thread 0 rewinds the idle one (the barriers order it). */
#define GL_FRAME_CHUNK 32 /* at least ceil(n_fft / hop), see as_griffinlim */
#define GL_SAMPLE_CHUNK 4096

static int64_t gl_claim(gl_ctx *c, int which, int64_t chunk)
{
    return (int64_t)atomic_fetch_add_explicit(&c->ctr[which], (long long)chunk,
                                              memory_order_relaxed);
}

enum { GL_INIT, GL_ITERATE, GL_SC };

static void frame_phase(gl_ctx *c, int id, int what)
{
    if (id == 0) atomic_store_explicit(&c->ctr[1], 0, memory_order_relaxed);
    for (;;) {
        int64_t ch = gl_claim(c, 0, 1);
        if (ch >= c->nchunks) break;
        int64_t a = ch * c->chunk, b = AS_MIN(a + c->chunk, c->T);
        if (what != GL_SC) { /* the samples this chunk owns start from zero */
            int64_t lo = chunk_lim(c, ch), hi = chunk_lim(c, ch + 1);
            if (ch == c->nchunks - 1) hi = c->L;
            if (hi > lo) memset(c->acc + lo, 0, sizeof(float) * (size_t)(hi - lo));
        }
        for (int64_t t = a; t < b; t++) {
            if (what == GL_INIT) init_frame(c, id, t, ch);
            else if (what == GL_ITERATE) iterate_frame(c, id, t, ch);
            else sc_frame(c, id, t);
        }
    }
}

static void ola_phase(gl_ctx *c, int id)
{
    if (id == 0) atomic_store_explicit(&c->ctr[0], 0, memory_order_relaxed);
    for (;;) {
        int64_t a = gl_claim(c, 1, GL_SAMPLE_CHUNK);
        if (a >= c->N) break;
        overlap_add(c, a, AS_MIN(a + GL_SAMPLE_CHUNK, c->N));
    }
}

static void gl_run(gl_ctx *c, int id)
{
    frame_phase(c, id, GL_INIT);
    gl_sync(c);
    for (int it = 1; it <= c->n_iter + 1; it++) {
        ola_phase(c, id);
        gl_sync(c);
        if (c->stop) return; /* written by thread 0 before the barrier above */
        if (it == c->n_iter + 1) {
            frame_phase(c, id, GL_SC);
            return;
        }
        frame_phase(c, id, GL_ITERATE);
        gl_sync(c);
        if (id == 0 && c->progress && c->progress(c->user, it, c->n_iter)) c->stop = 1;
    }
}

static void *gl_worker(void *arg)
{
    gl_thread *th = arg;
    gl_run(th->c, th->id);
    return NULL;
}

/* Start gate: workers wait here until the main thread knows how many started. */
typedef struct gl_gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int open, ok;
} gl_gate;

typedef struct gl_start {
    gl_gate *gate;
    gl_thread th;
} gl_start;

static void *gl_gated(void *arg)
{
    gl_start *st = arg;
    gl_gate *g = st->gate;
    pthread_mutex_lock(&g->mu);
    while (!g->open) pthread_cond_wait(&g->cv, &g->mu);
    int ok = g->ok;
    pthread_mutex_unlock(&g->mu);
    if (ok) gl_worker(&st->th);
    return NULL;
}

// ref: librosa.griffinlim(S, n_iter=32, hop_length, window='hann', center=True, length,
// pad_mode='reflect', momentum=0.99, init='random') 0.7.2
as_status as_griffinlim(const as_stft *s, const float *S, int64_t T, const as_gl_opts *opts,
                        float *y, double *spectral_convergence)
{
    as_gl_opts o = {0};
    if (opts) {
        o = *opts;
    } else {
        o.momentum = AS_GL_MOMENTUM;
        o.length = -1;
    }
    if (!s || !S || !y || T < 1) return AS_ERR_ARG;
    if (o.n_iter == 0) o.n_iter = 32;
    if (o.n_iter < 0 || o.threads < 0) return AS_ERR_ARG;
    if (!(o.momentum >= 0)) o.momentum = 0; /* negative (or NaN) = no momentum */
    if (o.init != AS_GL_INIT_RANDOM && o.init != AS_GL_INIT_ONES && o.init != AS_GL_INIT_PHASE)
        return AS_ERR_ARG;
    if (o.init == AS_GL_INIT_PHASE && !o.phase) return AS_ERR_ARG;
    const int F = s->F, n_fft = s->n_fft;
    const int64_t N = as_istft_length(s, T, o.length);
    /* the rebuilt STFT must have T frames, and reflect padding needs N > n_fft / 2 */
    if (as_stft_frames(s, N, 1) != T || N <= n_fft / 2) return AS_ERR_ARG;
    for (int64_t i = 0; i < (int64_t)F * T; i++)
        if (!isfinite(S[i])) return AS_ERR_NUMERIC;

    int nth = o.threads ? o.threads : dsp_cpu_count();
    if (nth > 256) nth = 256;
    if (nth > T) nth = (int)T;
    if (nth < 1) nth = 1;

    gl_ctx c = {0};
    atomic_init(&c.ctr[0], 0);
    atomic_init(&c.ctr[1], 0);
    c.s = s;
    c.T = T;
    c.N = N;
    c.nf = dsp_istft_frames_used(s, T, o.length);
    c.L = n_fft + (int64_t)s->hop * (c.nf - 1);
    c.n_iter = o.n_iter;
    c.coef = (float)(o.momentum / (1.0 + o.momentum));
    c.progress = o.progress;
    c.user = o.user;
    const size_t Fs = fstride(s);
    float *Sf = malloc(sizeof(float) * (size_t)F * (size_t)T);
    float *wss = malloc(sizeof(float) * (size_t)c.L);
    c.P = calloc(Fs * 2 * (size_t)T, sizeof(float));
    c.chunk = AS_MAX((int64_t)GL_FRAME_CHUNK, ((int64_t)n_fft + s->hop - 1) / s->hop);
    c.nchunks = (T + c.chunk - 1) / c.chunk;
    c.slots = (int)((n_fft + s->hop - 1) / s->hop - 1);
    c.acc = malloc(sizeof(float) * (size_t)c.L);
    c.side = malloc(sizeof(float) * (size_t)AS_MAX(1, c.slots) * (size_t)n_fft *
                    (size_t)c.nchunks);
    c.ypad = calloc((size_t)(N + n_fft), sizeof(float));
    c.sc_num = calloc((size_t)T, sizeof(double));
    c.sc_den = calloc((size_t)T, sizeof(double));
    c.rbuf = calloc((size_t)nth, sizeof(float *));
    c.cbuf = calloc((size_t)nth, sizeof(fftwf_complex *));
    gl_start *starts = calloc((size_t)nth, sizeof(gl_start));
    pthread_t *tids = calloc((size_t)nth, sizeof(pthread_t));
    gl_gate gate = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    as_status st = AS_ERR_NOMEM;
    int started = 0, bar_init = 0;
    if (!Sf || !wss || !c.P || !c.acc || !c.side || !c.ypad || !c.sc_num || !c.sc_den || !c.rbuf ||
        !c.cbuf || !starts || !tids)
        goto done;
    for (int i = 0; i < nth; i++) {
        c.rbuf[i] = dsp_alloc(sizeof(float) * 2 * (size_t)n_fft);
        c.cbuf[i] = dsp_alloc(sizeof(fftwf_complex) * (size_t)F);
        if (!c.rbuf[i] || !c.cbuf[i]) goto done;
    }
    c.Sf = Sf;
    c.div = wss;
    dsp_window_sumsquare(s, c.nf, wss);
    for (int64_t i = 0; i < c.L; i++) /* istft divides only where the sum > tiny; x / 1 = x */
        if (!(wss[i] > FLT_MIN)) wss[i] = 1.0f;
    /* S transposed to frame-major; the initial spectrum S·A0 goes into P */
    for (int k = 0; k < F; k++)
        for (int64_t t = 0; t < T; t++) Sf[(size_t)t * F + k] = S[(size_t)k * T + t];
    if (o.init == AS_GL_INIT_RANDOM) {
        as_rng rng;
        as_rng_seed(&rng, o.seed);
        for (int k = 0; k < F; k++)
            for (int64_t t = 0; t < T; t++) {
                double ang = 2.0 * M_PI * as_rng_uniform(&rng);
                double mag = S[(size_t)k * T + t];
                float *p = c.P + ((size_t)t * Fs + k) * 2;
                p[0] = (float)(mag * cos(ang));
                p[1] = (float)(mag * sin(ang));
            }
    } else {
        for (int k = 0; k < F; k++)
            for (int64_t t = 0; t < T; t++) {
                float *p = c.P + ((size_t)t * Fs + k) * 2;
                double mag = S[(size_t)k * T + t];
                if (o.init == AS_GL_INIT_ONES) {
                    p[0] = (float)mag;
                    p[1] = 0.0f;
                } else {
                    const float *ph = o.phase + ((size_t)k * T + t) * 2;
                    p[0] = (float)(mag * ph[0]);
                    p[1] = (float)(mag * ph[1]);
                }
            }
    }

    /* threads: workers 1..nth-1 wait at a gate until we know how many could start */
    c.nth = nth;
    for (int i = 1; i < nth; i++) {
        starts[i].gate = &gate;
        starts[i].th = (gl_thread){&c, i};
        if (pthread_create(&tids[i], NULL, gl_gated, &starts[i]) != 0) break;
        started++;
    }
    c.nth = started + 1; /* fewer threads if some could not start; the result is the same */
    if (c.nth > 1) {
        if (pthread_barrier_init(&c.bar, NULL, (unsigned)c.nth) == 0) {
            bar_init = 1;
        } else {
            c.nth = 1;
        }
    }
    pthread_mutex_lock(&gate.mu);
    gate.open = 1;
    gate.ok = c.nth > 1;
    pthread_cond_broadcast(&gate.cv);
    pthread_mutex_unlock(&gate.mu);
    gl_run(&c, 0);
    for (int i = 1; i <= started; i++) pthread_join(tids[i], NULL);

    if (c.stop) {
        st = AS_ERR_CANCELLED;
        goto done;
    }
    memcpy(y, c.ypad + n_fft / 2, sizeof(float) * (size_t)N);
    if (spectral_convergence) {
        double num = 0, den = 0;
        for (int64_t t = 0; t < T; t++) {
            num += c.sc_num[t];
            den += c.sc_den[t];
        }
        *spectral_convergence = den > 0 ? sqrt(num / den) : sqrt(num);
    }
    st = AS_OK;
done:
    if (bar_init) pthread_barrier_destroy(&c.bar);
    if (c.rbuf)
        for (int i = 0; i < nth; i++) dsp_free(c.rbuf[i]);
    if (c.cbuf)
        for (int i = 0; i < nth; i++) dsp_free(c.cbuf[i]);
    free(c.rbuf);
    free(c.cbuf);
    free(Sf);
    free(wss);
    free(c.P);
    free(c.acc);
    free(c.side);
    free(c.ypad);
    free(c.sc_num);
    free(c.sc_den);
    free(starts);
    free(tids);
    return st;
}
