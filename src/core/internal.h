/* internal.h — what every module of libaudiostyle shares and the public header does not show. */
#ifndef AS_INTERNAL_H
#define AS_INTERNAL_H

#ifndef AS_BUILDING_LIBRARY
#define AS_BUILDING_LIBRARY 1
#endif
#include "audiostyle.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Internal invariants only (never bad input). Stays on in every build: a failed check logs
 * and returns AS_ERR_INTERNAL from the enclosing function. */
#define AS_ASSERT(cond)                                                                      \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            as__log(AS_LOG_ERROR, "internal error: %s:%d: %s", __FILE__, __LINE__, #cond);   \
            return AS_ERR_INTERNAL;                                                          \
        }                                                                                    \
    } while (0)

#define AS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define AS_MAX(a, b) ((a) > (b) ? (a) : (b))

/* log.c */
int as__log_enabled(void); /* a callback is set: worth formatting a message */
void as__log(int level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* status.c: fill an as_error (may be NULL) and return status. msg is "name: problem". */
as_status as__fail(as_error *err, as_status status, const char *name, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Set the hint of an error (may be NULL). */
void as__hint(as_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* file.c: atomic output. as__tmp_open makes a unique temporary file beside path and returns
 * its fd (or -1); tmp receives its name. as__tmp_commit renames it onto path (fsync first);
 * as__tmp_abort removes it. */
int as__tmp_open(const char *path, char *tmp, size_t tmp_len);
as_status as__tmp_commit(const char *tmp, const char *path);
void as__tmp_abort(const char *tmp);
/* fsyncs the folder that holds path, so that a rename into it survives a crash; 0 on success. */
int as__fsync_dir(const char *path);
/* crc32.c: CRC-32 (IEEE, as zlib's crc32): as__crc32(0, buf, len), or continued from the
 * value of the bytes before. */
uint32_t as__crc32(uint32_t crc, const void *buf, size_t len);

/* file.c: reads a whole file into memory (NUL-terminated; *len excludes the NUL), refusing
 * files over max_bytes with AS_ERR_TOO_LONG. */
as_status as_read_file(const char *path, size_t max_bytes, char **data, size_t *len, as_error *err);

/* Checked size arithmetic: returns 0 and sets *out, or -1 on overflow. */
int as__mul_size(size_t a, size_t b, size_t *out);

/* npy.c: a strict reader for NumPy .npy v1.0, C order, dtypes <f4 <f8 <c8 (little-endian).
 * Data is converted to nothing: dtype tells what `data` holds. */
enum { AS_NPY_F4 = 0, AS_NPY_F8 = 1, AS_NPY_C8 = 2 };
typedef struct as_npy {
    int dtype;          /* AS_NPY_* */
    int ndim;           /* 0..8 */
    int64_t shape[8];
    int64_t count;      /* number of elements (complex counts once) */
    void *data;         /* count elements of dtype */
} as_npy;
as_status as_npy_load(const char *path, as_npy *out, as_error *err);
as_status as_npy_parse(const void *buf, size_t len, const char *name, as_npy *out, as_error *err);
void as_npy_free(as_npy *a);

/* rng.c: a small deterministic generator (splitmix64 seeding xoshiro256**), the same stream on
 * every platform. */
typedef struct as_rng {
    uint64_t s[4];
} as_rng;
void as_rng_seed(as_rng *r, uint64_t seed);
uint64_t as_rng_next(as_rng *r);
double as_rng_uniform(as_rng *r);  /* [0, 1) */
double as_rng_normal(as_rng *r);   /* standard normal */

#endif
