/* fuzz_cli.c — libFuzzer target: the command-line option parsing of `info`, `spectrogram` and
 * `features` (the real cmd_* functions, linked from src/cli) and the strict number parsers
 * cli_parse_double/int/u64. The input is split at NUL bytes into argv; the first byte picks the
 * command. To keep every run light, the process works in an empty folder of its own and every
 * argument that could name an existing file elsewhere (absolute paths, '..', '-' for stdin,
 * '~') is replaced by a name that does not exist: the parsers run fully, then the command fails
 * at its first file access. Leaks are caught by LeakSanitizer after every input.
 * fuzz-extra: src/cli/common.c src/cli/opt.c src/cli/paths.c src/cli/walk.c src/cli/catalog.c src/cli/cmd_info.c src/cli/cmd_spectrogram.c src/cli/cmd_features.c
 * fuzz-flags: -close_fd_mask=3
 */
#include "cli/cli.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[128];

/* the empty folder; the fuzzer's own folder is restored after every input (libFuzzer reads its
 * corpus by relative paths) */
static void cleanup(void) { rmdir(dir); }

static void setup(void)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof dir, "%s/as_fuzz_cli_%ld", base, (long)getpid());
    mkdir(dir, 0700);
    atexit(cleanup);
}

static int risky(const char *a)
{
    return a[0] == '/' || a[0] == '~' || strstr(a, "..") != NULL || strcmp(a, "-") == 0 ||
           strncmp(a, "/dev", 4) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) setup();
    if (size < 1 || size > 4096) return 0;
    int home = open(".", O_RDONLY | O_DIRECTORY);
    if (home < 0 || chdir(dir) != 0) abort();
    char *buf = malloc(size + 1);
    if (!buf) abort();
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = '\0';
    char *argv[66];
    int argc = 1;
    static char safe[] = "no-such-file.wav";
    for (char *p = buf; p < buf + size - 1 && argc < 65; p += strlen(p) + 1)
        argv[argc++] = risky(p) ? safe : p;
    argv[argc] = NULL;
    double d;
    int i;
    uint64_t u;
    switch (data[0] % 4) {
    case 0:
        argv[0] = "info";
        (void)cmd_info(argc, argv);
        break;
    case 1:
        argv[0] = "spectrogram";
        (void)cmd_spectrogram(argc, argv);
        break;
    case 2:
        argv[0] = "features";
        (void)cmd_features(argc, argv);
        break;
    default:
        if (argc > 1) {
            if (cli_parse_double("fuzz", "--x", argv[1], -1e9, 1e9, &d) && !(d >= -1e9 && d <= 1e9)) abort();
            if (cli_parse_int("fuzz", "--x", argv[1], -5, 70000, &i) && (i < -5 || i > 70000)) abort();
            if (cli_parse_u64("fuzz", "--x", argv[1], &u) && argv[1][0] == '-') abort();
        }
        break;
    }
    free(buf);
    if (fchdir(home) != 0) abort();
    close(home);
    return 0;
}
