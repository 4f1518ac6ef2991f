/* fuzz_part.c — libFuzzer target: the reader of a catalog's part files (src/cli/catalog.c,
 * what `audiostyle merge` and a resuming shard read). The input is written to a file in
 * /dev/shm (or /tmp) and read back with cli_part_read; a part that reads is walked whole.
 * fuzz-extra: src/cli/catalog.c src/cli/common.c src/cli/paths.c
 * fuzz-flags: -close_fd_mask=2
 */
#include "cli/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[128];
    if (!path[0])
        snprintf(path, sizeof path, "%s/as_fuzz_part_%ld.part", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
                 (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    cli_part_data d;
    if (cli_part_read(path, &d) == 0) {
        size_t sum = d.header_len + strlen(d.options);
        for (size_t i = 0; i < d.n_assigned; i++) sum += strlen(d.assigned[i]);
        for (size_t i = 0; i < d.n_rec; i++) {
            if (d.rec[i].body && d.rec[i].len) sum += (unsigned char)d.rec[i].body[d.rec[i].len - 1];
            if (d.rec[i].msg) sum += strlen(d.rec[i].msg);
        }
        if (sum == 1) fputc(0, stderr);
    }
    cli_part_data_free(&d);
    unlink(path);
    return 0;
}
