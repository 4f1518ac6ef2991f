/* rng.c — deterministic random numbers: splitmix64 seeds xoshiro256**; normals by Box-Muller
 * in double. The same stream on every platform, so a seed names a result. */
#include "internal.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void as_rng_seed(as_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

uint64_t as_rng_next(as_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double as_rng_uniform(as_rng *r) { return (double)(as_rng_next(r) >> 11) * 0x1.0p-53; }

double as_rng_normal(as_rng *r)
{
    /* Box-Muller, one value per call (the second is discarded to keep no state). */
    double u1 = 1.0 - as_rng_uniform(r); /* (0, 1] */
    double u2 = as_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
