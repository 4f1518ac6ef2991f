/* main.c — the audiostyle program: dispatches to one cmd_<verb>.c per subcommand. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* LeakSanitizer: fontconfig (used by cairo to find fonts) keeps ~1 KB unreachable at exit by
 * design; ignore it so sanitizer runs report only our leaks. No effect in normal builds. */
__attribute__((visibility("default"))) const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }
__attribute__((visibility("default"))) const char *__lsan_default_options(void);
const char *__lsan_default_options(void) { return "print_suppressions=0"; }

static const struct {
    const char *verb;
    int (*fn)(int, char **);
    const char *what;
} commands[] = {
    {"transfer", cmd_transfer, "make CONTENT sound in the manner of STYLE"},
    {"classify", cmd_classify, "tell the genre of audio files"},
    {"features", cmd_features, "compute the 57 GTZAN features (Kaggle CSV schema)"},
    {"train", cmd_train, "train a genre model from a features CSV or a folder of audio"},
    {"evaluate", cmd_evaluate, "cross-validate or test a genre model type"},
    {"spectrogram", cmd_spectrogram, "draw a labelled spectrogram (PNG)"},
    {"compare", cmd_compare, "an HTML report comparing content, style and result"},
    {"info", cmd_info, "format, duration, levels and tempo of a file"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: audiostyle [-v] COMMAND [ARGS]   (audiostyle COMMAND --help for details)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-12s %s\n", commands[i].verb, commands[i].what);
    fprintf(f, "\naudiostyle %s\n", as_version());
}

static void log_to_stderr(int level, const char *msg, void *user)
{
    (void)user;
    if (level <= AS_LOG_WARN || cli_verbose) fprintf(stderr, "audiostyle: %s%s\n", level == AS_LOG_WARN ? "warning: " : "", msg);
}

int main(int argc, char **argv)
{
    int i = 1;
    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) cli_verbose = 1;
        else if (strcmp(argv[i], "--version") == 0) { printf("audiostyle %s\n", as_version()); return 0; }
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) { usage(stdout); return 0; }
        else { fprintf(stderr, "audiostyle: unknown option '%s'\n", argv[i]); usage(stderr); return 2; }
        i++;
    }
    if (cli_verbose) as_set_log(log_to_stderr, NULL);
    if (i >= argc) { usage(stderr); return 2; }
    const char *verb = argv[i];
    if (strcmp(verb, "help") == 0) {
        if (i + 1 < argc) {
            char help[] = "--help";
            char *hv[] = {argv[i + 1], help, NULL};
            for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
                if (strcmp(commands[c].verb, argv[i + 1]) == 0) return commands[c].fn(2, hv);
        }
        usage(stdout);
        return 0;
    }
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
        if (strcmp(commands[c].verb, verb) == 0) return commands[c].fn(argc - i, argv + i);
    fprintf(stderr, "audiostyle: unknown command '%s'\n", verb);
    usage(stderr);
    return 2;
}
