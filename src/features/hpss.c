/* hpss.c — the two 31-tap median filters and soft masks of librosa's HPSS (recipe 3.7).
 *
 * scipy.ndimage.median_filter sorts nothing cleverly; it is 84 % of librosa's feature time. Here
 * each filter slides a sorted window along its axis for 8 independent lines at once (8 SIMD
 * lanes): one step deletes the value leaving the window and inserts the one entering it with
 * branch-free compare/blend/min/max over the 31 sorted slots (O(k) vector operations for 8
 * outputs, no sort per pixel). Medians are exact selections, so every kernel (AVX, scalar,
 * naive) gives bit-identical results. */
#include "features.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define FEAT_HAVE_AVX 1
#endif

#define LANES 8
#define KMAX 63

/* The CPU's features, read once per process (pthread_once: several threads extract features at
 * once, `features --jobs N`, and a lazily filled cache read and written by two of them is a data
 * race). force_scalar is a test switch (the SIMD kernels against the scalar ones), atomic for the
 * same reason. */
static atomic_int force_scalar;
void feat_median_force_scalar(int on) { atomic_store_explicit(&force_scalar, on, memory_order_relaxed); }

#if defined(__x86_64__) && defined(__GNUC__)
static int cpu_avx, cpu_avx2, cpu_avx512;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;
static void cpu_probe(void)
{
    cpu_avx = __builtin_cpu_supports("avx") ? 1 : 0;
    cpu_avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    cpu_avx512 = __builtin_cpu_supports("avx512f") ? 1 : 0;
}
#endif

int feat_simd(int need2)
{
#if defined(__x86_64__) && defined(__GNUC__)
    pthread_once(&cpu_once, cpu_probe);
    if (atomic_load_explicit(&force_scalar, memory_order_relaxed)) return 0;
    return need2 == 3 ? cpu_avx512 : need2 ? cpu_avx2 : cpu_avx;
#else
    (void)need2;
    return 0;
#endif
}

/* scipy mode 'reflect' (= numpy 'symmetric'): ... 1 0 | 0 1 ... n-1 | n-1 n-2 ..., periodic 2n. */
static int sym_index(long i, long n)
{
    long p = 2 * n;
    long m = i % p;
    if (m < 0) m += p;
    return (int)(m < n ? m : p - 1 - m);
}

/* One strip of up to 8 lines. A line l's sample at position i (0..n-1 along the filtered axis)
 * is src[base[l] + idx[i] * step]; output goes to dst at the same offsets. */
typedef struct strip {
    const float *src;
    float *dst;
    long base[LANES];
    int nl;        /* valid lanes (the rest duplicate lane nl-1 and are not written) */
    long step;     /* distance between positions */
    int contiguous; /* lanes are consecutive elements (base[l] = base[0] + l) and nl == 8 */
} strip;

static void strip_init(const strip *st, const int *idx, int k, float s[][LANES])
{
    for (int l = 0; l < LANES; l++) {
        float w[KMAX];
        for (int j = 0; j < k; j++) {
            float v = st->src[st->base[l] + (long)idx[j] * st->step];
            int p = j;
            while (p > 0 && w[p - 1] > v) { w[p] = w[p - 1]; p--; }
            w[p] = v;
        }
        for (int j = 0; j < k; j++) s[j][l] = w[j];
    }
}

/* Portable kernel: the same delete/insert network, lane by lane. */
static void strip_run_scalar(const strip *st, const int *idx /* (n + k - 1,) */, int n, int k)
{
    float s[KMAX][LANES];
    int h = k / 2;
    strip_init(st, idx, k, s);
    for (int i = 0; i < n; i++) {
        for (int l = 0; l < st->nl; l++) st->dst[st->base[l] + (long)i * st->step] = s[h][l];
        if (i + 1 == n) break;
        long po = (long)idx[i] * st->step, pi = (long)idx[i + k] * st->step;
        for (int l = 0; l < LANES; l++) {
            float o = st->src[st->base[l] + po], v = st->src[st->base[l] + pi];
            float dprev = -INFINITY;
            for (int j = 0; j < k; j++) {
                float d = (j + 1 < k) ? (s[j][l] < o ? s[j][l] : s[j + 1][l]) : INFINITY;
                float m = d < v ? d : v;
                s[j][l] = dprev > m ? dprev : m;
                dprev = d;
            }
        }
    }
}

#ifdef FEAT_HAVE_AVX
__attribute__((target("avx"))) static inline __m256 strip_load_avx(const strip *st, long off)
{
    if (st->contiguous) return _mm256_loadu_ps(st->src + st->base[0] + off);
    const float *p = st->src + off;
    return _mm256_set_ps(p[st->base[7]], p[st->base[6]], p[st->base[5]], p[st->base[4]],
                         p[st->base[3]], p[st->base[2]], p[st->base[1]], p[st->base[0]]);
}

/* Several strips stepped together (position i for every strip, then i + 1): with lanes along
 * frequency (the time filter) the strips of a block read neighbouring bytes of the same frame,
 * instead of each strip streaming the whole spectrogram through the cache. */
__attribute__((target("avx"))) static void strips_run_avx(const strip *sts, int nst,
                                                           const int *idx, int n, int k,
                                                           __m256 *state /* (nst, k) */)
{
    int h = k / 2;
    for (int q = 0; q < nst; q++) {
        float s0[KMAX][LANES] __attribute__((aligned(32)));
        strip_init(&sts[q], idx, k, s0);
        for (int j = 0; j < k; j++) state[q * k + j] = _mm256_load_ps(s0[j]);
    }
    const __m256 ninf = _mm256_set1_ps(-INFINITY), pinf = _mm256_set1_ps(INFINITY);
    for (int i = 0; i < n; i++) {
        for (int q = 0; q < nst; q++) {
            const strip *st = &sts[q];
            __m256 *s = state + q * k;
            long off = (long)i * st->step;
            if (st->contiguous) {
                _mm256_storeu_ps(st->dst + st->base[0] + off, s[h]);
            } else {
                float tmp[LANES] __attribute__((aligned(32)));
                _mm256_store_ps(tmp, s[h]);
                for (int l = 0; l < st->nl; l++) st->dst[st->base[l] + off] = tmp[l];
            }
            if (i + 1 == n) continue;
            __m256 o = strip_load_avx(st, (long)idx[i] * st->step);
            __m256 v = strip_load_avx(st, (long)idx[i + k] * st->step);
            __m256 dprev = ninf;
            for (int j = 0; j + 1 < k; j++) {
                /* delete o: d_j = s_j < o ? s_j : s_{j+1}; insert v: s_j = max(d_{j-1}, min(d_j, v)).
                 * The select is xor/and: GCC 12 turns a compare-fed blendv into per-lane branches. */
                __m256 m = _mm256_cmp_ps(s[j], o, _CMP_LT_OQ);
                __m256 d = _mm256_xor_ps(s[j + 1], _mm256_and_ps(_mm256_xor_ps(s[j], s[j + 1]), m));
                s[j] = _mm256_max_ps(dprev, _mm256_min_ps(d, v));
                dprev = d;
            }
            s[k - 1] = _mm256_max_ps(dprev, _mm256_min_ps(pinf, v));
        }
    }
}

/* The same network with 16 lanes (AVX-512): strips 2u and 2u + 1 form one unit. Masked blends
 * are real k-mask instructions here. Results are bit-identical to the 8-lane kernels. */
typedef struct unit16 {
    const float *src;
    float *dst;
    long step;
    int nl;              /* valid lanes */
    int contiguous;      /* 16 consecutive elements */
    int idx32[16];       /* lane offsets (gather indices), < 2^31 */
    long base[16];
} unit16;

__attribute__((target("avx512f"))) static inline __m512 unit_load(const unit16 *u, long off)
{
    if (u->contiguous) return _mm512_loadu_ps(u->src + u->base[0] + off);
    return _mm512_i32gather_ps(_mm512_loadu_si512((const void *)u->idx32), u->src + off, 4);
}

__attribute__((target("avx512f"))) static void units_run_avx512(const unit16 *us, int nu,
                                                                const int *idx, int n, int k,
                                                                __m512 *state /* (nu, k) */)
{
    int h = k / 2;
    for (int q = 0; q < nu; q++) {
        for (int l = 0; l < 16; l++) {
            float w[KMAX];
            for (int j = 0; j < k; j++) {
                float v = us[q].src[us[q].base[l] + (long)idx[j] * us[q].step];
                int p = j;
                while (p > 0 && w[p - 1] > v) { w[p] = w[p - 1]; p--; }
                w[p] = v;
            }
            for (int j = 0; j < k; j++) ((float *)&state[q * k + j])[l] = w[j];
        }
    }
    const __m512 ninf = _mm512_set1_ps(-INFINITY), pinf = _mm512_set1_ps(INFINITY);
    for (int i = 0; i < n; i++) {
        for (int q = 0; q < nu; q++) {
            const unit16 *u = &us[q];
            __m512 *s = state + q * k;
            long off = (long)i * u->step;
            if (u->contiguous) {
                _mm512_storeu_ps(u->dst + u->base[0] + off, s[h]);
            } else {
                float tmp[16] __attribute__((aligned(64)));
                _mm512_store_ps(tmp, s[h]);
                for (int l = 0; l < u->nl; l++) u->dst[u->base[l] + off] = tmp[l];
            }
            if (i + 1 == n) continue;
            __m512 o = unit_load(u, (long)idx[i] * u->step);
            __m512 v = unit_load(u, (long)idx[i + k] * u->step);
            __m512 dprev = ninf;
            for (int j = 0; j + 1 < k; j++) {
                __mmask16 m = _mm512_cmp_ps_mask(s[j], o, _CMP_LT_OQ);
                __m512 d = _mm512_mask_blend_ps(m, s[j + 1], s[j]);
                s[j] = _mm512_max_ps(dprev, _mm512_min_ps(d, v));
                dprev = d;
            }
            s[k - 1] = _mm512_max_ps(dprev, _mm512_min_ps(pinf, v));
        }
    }
}

/* Pairs the 8-lane strips into 16-lane units; 0 when a gather index would not fit int32. */
static int make_units(unit16 *us, const strip *sts, int nst)
{
    int nu = 0;
    for (int q = 0; q < nst; q += 2, nu++) {
        unit16 *u = &us[nu];
        const strip *a = &sts[q], *b = q + 1 < nst ? &sts[q + 1] : &sts[q];
        u->src = a->src;
        u->dst = a->dst;
        u->step = a->step;
        for (int l = 0; l < 8; l++) {
            u->base[l] = a->base[l];
            u->base[8 + l] = b->base[l];
        }
        u->nl = q + 1 < nst ? 8 + b->nl : a->nl;
        if (q + 1 >= nst) /* a single strip: the upper lanes repeat it and are not written */
            for (int l = 8; l < 16; l++) u->base[l] = a->base[l - 8];
        u->contiguous = a->contiguous && q + 1 < nst && b->contiguous && b->base[0] == a->base[0] + 8;
        for (int l = 0; l < 16; l++) {
            if (u->base[l] > 2147483647L) return 0;
            u->idx32[l] = (int)u->base[l];
        }
    }
    return nu;
}
#endif

static int use_avx(void) { return feat_simd(0); }

/* idx[j] = sym_index(j - h) for j = 0 .. n + k - 2: the reflected source position of window
 * slot j - h; the window of output i is idx[i .. i + k - 1]. */
static int *make_index(int n, int k)
{
    int h = k / 2;
    int *idx = malloc(sizeof *idx * (size_t)(n + k));
    if (!idx) return NULL;
    for (int j = 0; j < n + k; j++) idx[j] = sym_index(j - h, n);
    return idx;
}

/* Generic driver: `lines` independent lines, line L's position i at src[L*lstride + i*step]. */
static as_status median_lines(float *out, const float *S, int lines, long lstride, int n,
                              long step, int k, int block)
{
    int *idx = make_index(n, k);
    if (!idx) return AS_ERR_NOMEM;
    enum { BLOCK = 16 }; /* at most this many strips stepped together */
    strip sts[BLOCK];
    block = AS_MAX(1, AS_MIN(block, BLOCK));
    void *state = NULL;
#ifdef FEAT_HAVE_AVX
    /* 16 lanes only where they are contiguous (the time filter): AVX-512 gathers are slow */
    int w512 = lstride == 1 && feat_simd(3);
    if (use_avx()) {
        state = aligned_alloc(64, sizeof(__m512) * BLOCK * KMAX);
        if (!state) { free(idx); return AS_ERR_NOMEM; }
    }
#endif
    for (int L0 = 0; L0 < lines; L0 += LANES * block) {
        int nst = 0;
        for (int b = L0; b < lines && nst < block; b += LANES, nst++) {
            strip *st = &sts[nst];
            st->src = S;
            st->dst = out;
            st->step = step;
            st->nl = AS_MIN(LANES, lines - b);
            for (int l = 0; l < LANES; l++) st->base[l] = (long)AS_MIN(b + l, lines - 1) * lstride;
            st->contiguous = (lstride == 1 && st->nl == LANES);
        }
#ifdef FEAT_HAVE_AVX
        if (state && w512) {
            unit16 us[BLOCK];
            int nu = make_units(us, sts, nst);
            if (nu > 0) { units_run_avx512(us, nu, idx, n, k, state); continue; }
        }
        if (state) { strips_run_avx(sts, nst, idx, n, k, state); continue; }
#endif
        for (int q = 0; q < nst; q++) strip_run_scalar(&sts[q], idx, n, k);
    }
    free(state);
    free(idx);
    return AS_OK;
}

as_status feat_median_time(float *out, const float *S, int T, int F, int k)
{
    /* lines = frequency bins (contiguous), positions = frames (stride F) */
    if (k > KMAX || k < 1 || !(k & 1)) return feat_median_naive(out, S, T, F, k, 0);
    return median_lines(out, S, F, 1, T, F, k, 16);
}

as_status feat_median_freq(float *out, const float *S, int T, int F, int k)
{
    /* lines = frames (stride F), positions = bins (contiguous) */
    if (k > KMAX || k < 1 || !(k & 1)) return feat_median_naive(out, S, T, F, k, 1);
    return median_lines(out, S, T, F, F, 1, k, 1);
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

as_status feat_median_naive(float *out, const float *S, int T, int F, int k, int axis)
{
    if (k < 1) return AS_ERR_ARG;
    float *w = malloc(sizeof *w * (size_t)k);
    if (!w) return AS_ERR_NOMEM;
    int h = k / 2;
    for (int t = 0; t < T; t++)
        for (int f = 0; f < F; f++) {
            for (int j = 0; j < k; j++) {
                int tt = axis == 0 ? sym_index(t + j - h, T) : t;
                int ff = axis == 1 ? sym_index(f + j - h, F) : f;
                w[j] = S[(size_t)tt * F + ff];
            }
            qsort(w, (size_t)k, sizeof *w, cmp_float);
            out[(size_t)t * F + f] = w[h];
        }
    free(w);
    return AS_OK;
}

/* ref: librosa.util.softmask(X, X_ref, power=2, split_zeros=True), float32 throughout:
 * Z = max(X, X_ref); mask = (X/Z)^2 / ((X/Z)^2 + (X_ref/Z)^2); 0.5 where Z < tiny.
 * IEEE division and multiplication are exact-rounded, so the AVX and scalar paths agree bit for
 * bit. */
static void masks_scalar(float *mh, float *mp, const float *H, const float *P, size_t i0, size_t n)
{
    for (size_t i = i0; i < n; i++) {
        float h = H[i], p = P[i];
        float z = h > p ? h : p;
        if (z < FEAT_TINY32) { mh[i] = 0.5f; mp[i] = 0.5f; continue; }
        float a = h / z, b = p / z;
        a = a * a;
        b = b * b;
        mh[i] = a / (a + b);
        mp[i] = b / (b + a);
    }
}

#ifdef FEAT_HAVE_AVX
__attribute__((target("avx"))) static size_t masks_avx(float *mh, float *mp, const float *H,
                                                       const float *P, size_t n)
{
    const __m256 tiny = _mm256_set1_ps(FEAT_TINY32), half = _mm256_set1_ps(0.5f),
                 one = _mm256_set1_ps(1.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 h = _mm256_loadu_ps(H + i), p = _mm256_loadu_ps(P + i);
        __m256 z = _mm256_max_ps(h, p);
        __m256 bad = _mm256_cmp_ps(z, tiny, _CMP_LT_OQ);
        /* bad lanes divide by 1 (finite, discarded below) */
        z = _mm256_xor_ps(z, _mm256_and_ps(_mm256_xor_ps(z, one), bad));
        __m256 a = _mm256_div_ps(h, z), b = _mm256_div_ps(p, z);
        a = _mm256_mul_ps(a, a);
        b = _mm256_mul_ps(b, b);
        __m256 den = _mm256_add_ps(a, b);
        den = _mm256_xor_ps(den, _mm256_and_ps(_mm256_xor_ps(den, one), bad));
        __m256 x = _mm256_div_ps(a, den), y = _mm256_div_ps(b, den);
        x = _mm256_xor_ps(x, _mm256_and_ps(_mm256_xor_ps(x, half), bad));
        y = _mm256_xor_ps(y, _mm256_and_ps(_mm256_xor_ps(y, half), bad));
        _mm256_storeu_ps(mh + i, x);
        _mm256_storeu_ps(mp + i, y);
    }
    return i;
}
#endif

void feat_hpss_masks(float *mh, float *mp, const float *H, const float *P, size_t n)
{
    size_t i0 = 0;
#ifdef FEAT_HAVE_AVX
    if (feat_simd(0)) i0 = masks_avx(mh, mp, H, P, n);
#endif
    masks_scalar(mh, mp, H, P, i0, n);
}
