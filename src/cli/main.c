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

const cli_command *const cli_commands[] = {
    &cli_cmd_transfer, &cli_cmd_classify, &cli_cmd_features, &cli_cmd_train,
    &cli_cmd_evaluate, &cli_cmd_spectrogram, &cli_cmd_compare, &cli_cmd_info, &cli_cmd_serve,
    &cli_cmd_transfer_many, &cli_cmd_merge, /* catalogs sharded with --shard (catalog.h) */
};
const int cli_n_commands = CLI_N(cli_commands);

const cli_opt *cli_options(const char *command, int *n)
{
    for (int k = 0; k < cli_n_commands; k++)
        if (strcmp(cli_commands[k]->name, command) == 0) {
            if (n) *n = cli_commands[k]->n_opts;
            return cli_commands[k]->opts;
        }
    if (n) *n = 0;
    return NULL;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: audiostyle [-v | --verbose] COMMAND [ARGS]   (audiostyle COMMAND --help for details)\n"
               "       audiostyle --version | --help\n"
               "       audiostyle options [COMMAND] [--json | --man | --check]   the option tables as data\n\ncommands:\n");
    for (int i = 0; i < cli_n_commands; i++) fprintf(f, "  %-12s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
    fprintf(f, "\n  -v, --verbose  also print the library's informational log lines on stderr\n"
               "  --version      print the version and exit\n"
               "\nexit status: 0 ok, 1 an input or output could not be used, 2 usage (bad options or paths),\n"
               "130 interrupted (transfer).\n"
               "\naudiostyle %s\n", as_version());
}

/* audiostyle options [COMMAND] [--json | --man]: the option tables, for the man page, the web
 * app's form fields and the Python package's keyword arguments. */
static int cmd_options(int argc, char **argv)
{
    int json = 0, man = 0, check = 0;
    const cli_command *one = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = 1;
        else if (strcmp(argv[i], "--man") == 0) man = 1;
        else if (strcmp(argv[i], "--check") == 0) check = 1;
        else {
            for (int c = 0; c < cli_n_commands; c++)
                if (strcmp(cli_commands[c]->name, argv[i]) == 0) one = cli_commands[c];
            if (!one) return cli_usage("options", "unknown command or option '%s'", argv[i]);
        }
    }
    const cli_command *const *list = one ? &one : cli_commands;
    int n = one ? 1 : cli_n_commands;
    if (check) { /* the tables' defaults against the library's */
        int bad = 0;
        for (int c = 0; c < n; c++)
            if (list[c]->check_defaults) bad += list[c]->check_defaults();
        return bad ? 1 : 0;
    }
    if (json) cli_options_json(list, n, stdout);
    else
        for (int c = 0; c < n; c++) {
            if (man) cli_help_man(list[c], stdout);
            else {
                cli_help(list[c], stdout);
                if (c + 1 < n) printf("\n");
            }
        }
    return 0;
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
            for (int c = 0; c < cli_n_commands; c++)
                if (strcmp(cli_commands[c]->name, argv[i + 1]) == 0) return cli_commands[c]->run(2, hv);
        }
        usage(stdout);
        return 0;
    }
    if (strcmp(verb, "options") == 0) return cmd_options(argc - i, argv + i);
    for (int c = 0; c < cli_n_commands; c++)
        if (strcmp(cli_commands[c]->name, verb) == 0) return cli_commands[c]->run(argc - i, argv + i);
    fprintf(stderr, "audiostyle: unknown command '%s'\n", verb);
    usage(stderr);
    return 2;
}
