/* crc32.c — CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, as zlib's crc32), table-driven
 * and incremental: the checksum of the model file (src/genre) and of the checkpoint
 * (src/style). */
#include "internal.h"

#include <pthread.h>

static uint32_t crc_table[256]; /* (256,) the CRC of each byte value */
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
        crc_table[i] = c;
    }
}

uint32_t as__crc32(uint32_t crc, const void *buf, size_t len)
{
    pthread_once(&crc_once, crc_init);
    const unsigned char *p = buf;
    uint32_t c = crc ^ 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) c = crc_table[(c ^ p[i]) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}
