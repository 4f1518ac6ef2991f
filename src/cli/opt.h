/* opt.h — the option table: each subcommand's options as data, parsed by one function.
 *
 * A command is a cli_command: its name, synopsis, a paragraph of description and a table of
 * cli_opt. Each cli_opt says the long name, the short letter, the type, the range (numbers) or
 * the choices, the default, the help line and where the value goes (an offset into the
 * command's own argument struct). cli_parse() runs glibc's getopt_long over that table, so
 * `--opt value`, `--opt=value`, `-o value`, `-ovalue` and abbreviations work alike everywhere;
 * --help is generated from the table (cli_help), and so are the man page's option lists
 * (cli_help_man) and the machine-readable dump (`audiostyle options --json`, cli_options_json)
 * that the web app's form fields and the Python package's keyword arguments read.
 *
 * Adding an option to a command is one table entry plus its use. */
#ifndef AS_CLI_OPT_H
#define AS_CLI_OPT_H

#include <stddef.h>
#include <stdio.h>

typedef enum cli_opt_type {
    CLI_FLAG,    /* no value: stores .flag_value (1 unless set) in an int */
    CLI_INT,     /* int, .min..max */
    CLI_U64,     /* uint64_t, >= 0 */
    CLI_DOUBLE,  /* double, .min..max, finite */
    CLI_STRING,  /* const char * (a title, a list of names) */
    CLI_FILE_IN, /* const char *: a file that is read */
    CLI_FILE_OUT,/* const char *: a file that is written (checked by paths.c) */
    CLI_CHOICE,  /* int: the index of the value in .choices ("valid|same") */
    CLI_PAIR,    /* const char *[2]: two values (--split TRAIN TEST) */
    CLI_REFUSED, /* accepted by name only to refuse it with .help as the message */
} cli_opt_type;

typedef struct cli_opt {
    const char *name;     /* long name without the dashes */
    int short_name;       /* the letter, or 0 */
    cli_opt_type type;
    const char *metavar;  /* "N", "FILE", "S" in help; NULL: from the type */
    double min, max;      /* numbers: the accepted range (both 0: any non-negative for U64) */
    const char *choices;  /* CLI_CHOICE: "a|b|c" */
    const char *def;      /* default, as text: applied to the destination before parsing and
                           * shown in help; NULL: no value (flags off, optional files) */
    const char *def_text; /* shown instead of def when the default is not one value
                           * ("all cores"); the destination is left as the command set it */
    const char *help;     /* one sentence, no final period */
    size_t offset;        /* where the value goes, offsetof(<command's struct>, field) */
    int flag_value;       /* CLI_FLAG: the value stored (0 means 1; use -1 to store 0) */
    const char *group;    /* heading the option is listed under in --help, or NULL */
    int cosmetic;         /* 1: does not change the computed result (output names, verbosity,
                           * checkpointing): left out of the settings a transfer checkpoint must
                           * match (cli_settings_text). New options count by default */
} cli_opt;

typedef struct cli_command {
    const char *name;        /* "transfer" */
    const char *synopsis;    /* "CONTENT STYLE -o OUT [options]" */
    const char *summary;     /* one line for `audiostyle --help` */
    const char *description; /* paragraph(s) for COMMAND --help */
    const cli_opt *opts;
    int n_opts;
    int (*run)(int argc, char **argv);
    /* Optional: 0 when the table's defaults equal the library's (cli_check_defaults), else 1
     * after printing the differences. Run by `audiostyle options --check` (a CLI test). */
    int (*check_defaults)(void);
} cli_command;

enum { CLI_MAX_OPTS = 96, CLI_CONTINUE = -1 };

/* What cli_parse found besides the values: the positional arguments (in order) and which
 * options were given on the command line (given[i] for c->opts[i]). */
typedef struct cli_args {
    char **pos;
    int npos;
    unsigned char given[CLI_MAX_OPTS];
} cli_args;

/* Applies the table's defaults to dest, then parses argv[1..] into dest and a. Returns
 * CLI_CONTINUE to go on, 0 after printing --help, 2 after printing a usage error. a->pos points
 * into argv (which getopt_long permutes). */
int cli_parse(const cli_command *c, int argc, char **argv, void *dest, cli_args *a);

/* Parses argv as cli_parse does into a scratch destination, only to check it: 0 when it is
 * valid, else cli_parse's status (2, the usage error printed; 0 after --help is refused as 2). */
int cli_parse_check(const cli_command *c, int argc, char **argv);

/* Whether the option named `name` was given (0 for a name not in the table). */
int cli_given(const cli_command *c, const cli_args *a, const char *name);

/* Copies into dst the fields of the options given on the command line, from src (both are the
 * command's argument struct): a preset applied under explicit options. */
void cli_copy_given(const cli_command *c, const cli_args *a, void *dst, const void *src);

/* Applies the table's defaults to tab (as cli_parse does) and compares, for every option whose
 * field lies in [lo, lo + len) and has a default, tab with lib (the library's defaults). Prints
 * each difference; returns the number found. */
int cli_check_defaults(const cli_command *c, void *tab, const void *lib, size_t lo, size_t len);

/* The canonical settings of a parsed command, one "--name value" line for every option of the
 * table that is not .cosmetic (values as stored in dest, choices by name, so equal settings
 * give equal text however they were typed). Returns the length written (truncated at len). */
size_t cli_settings_text(const cli_command *c, const void *dest, char *out, size_t len);

/* COMMAND --help from the table. */
void cli_help(const cli_command *c, FILE *f);
/* The option list of one command as man-page (roff) text: one .TP entry per option. */
void cli_help_man(const cli_command *c, FILE *f);
/* The whole table as JSON: [{"command", "synopsis", "summary", "options": [...]}, ...]. */
void cli_options_json(const cli_command *const *cmds, int n, FILE *f);

/* Every command, in the order of `audiostyle --help`, and one command's table by name (main.c). */
extern const cli_command *const cli_commands[];
extern const int cli_n_commands;
/* The table of one command by name, NULL if there is none; *n gets the number of options. A
 * front end linked with the CLI's files reads its fields, types, ranges and defaults here; one
 * that runs the program reads the same as `audiostyle options --json`. */
const cli_opt *cli_options(const char *command, int *n);

#define CLI_N(tab) ((int)(sizeof(tab) / sizeof((tab)[0])))

#endif
