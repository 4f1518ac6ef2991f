/* opt.c — one option parser for every subcommand (getopt_long over the command's table), and
 * the help, man-page and JSON renderings of the same table. */
#define _GNU_SOURCE
#include "opt.h"

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *at(void *dest, size_t off) { return (char *)dest + off; }

static const char *metavar(const cli_opt *o)
{
    if (o->metavar) return o->metavar;
    switch (o->type) {
    case CLI_INT:
    case CLI_U64: return "N";
    case CLI_DOUBLE: return "X";
    case CLI_FILE_IN:
    case CLI_FILE_OUT: return "FILE";
    case CLI_CHOICE: return o->choices;
    case CLI_PAIR: return "A B";
    case CLI_STRING: return "TEXT";
    default: return "";
    }
}

static int takes_value(const cli_opt *o) { return o->type != CLI_FLAG && o->type != CLI_REFUSED; }

static int choice_index(const char *choices, const char *v)
{
    size_t lv = strlen(v);
    int k = 0;
    for (const char *p = choices; *p; k++) {
        const char *bar = strchr(p, '|');
        size_t l = bar ? (size_t)(bar - p) : strlen(p);
        if (l == lv && strncmp(p, v, l) == 0) return k;
        if (!bar) break;
        p = bar + 1;
    }
    return -1;
}

/* Stores value v of option o in dest; prints a usage error and returns 0 when v is not valid. */
static int store(const cli_command *c, const cli_opt *o, const char *v, void *dest)
{
    char opt[80];
    snprintf(opt, sizeof opt, "--%s", o->name);
    switch (o->type) {
    case CLI_FLAG: *(int *)at(dest, o->offset) = o->flag_value == 0 ? 1 : o->flag_value < 0 ? 0 : o->flag_value; return 1;
    case CLI_INT: return cli_parse_int(c->name, opt, v, (long)o->min, (long)o->max, (int *)at(dest, o->offset));
    case CLI_U64: return cli_parse_u64(c->name, opt, v, (uint64_t *)at(dest, o->offset));
    case CLI_DOUBLE: return cli_parse_double(c->name, opt, v, o->min, o->max, (double *)at(dest, o->offset));
    case CLI_STRING:
    case CLI_FILE_IN:
    case CLI_FILE_OUT:
        if (!v || !*v) {
            cli_usage(c->name, "%s needs a value", opt);
            return 0;
        }
        *(const char **)at(dest, o->offset) = v;
        return 1;
    case CLI_CHOICE: {
        int k = v ? choice_index(o->choices, v) : -1;
        if (k < 0) {
            char alt[256];
            snprintf(alt, sizeof alt, "%s", o->choices);
            for (char *p = alt; *p; p++)
                if (*p == '|') *p = ',';
            cli_usage(c->name, "%s needs one of %s (got '%s')", opt, alt, v ? v : "");
            return 0;
        }
        *(int *)at(dest, o->offset) = k;
        return 1;
    }
    default: return 0;
    }
}

int cli_parse(const cli_command *c, int argc, char **argv, void *dest, cli_args *a)
{
    memset(a, 0, sizeof *a);
    if (c->n_opts >= CLI_MAX_OPTS) return cli_usage(c->name, "internal: option table too large");
    /* defaults from the table, so that help and behaviour cannot disagree */
    for (int i = 0; i < c->n_opts; i++) {
        const cli_opt *o = &c->opts[i];
        if (!o->def || o->def_text) continue;
        if (o->type == CLI_FLAG) *(int *)at(dest, o->offset) = atoi(o->def);
        else if (!store(c, o, o->def, dest)) return 2;
    }
    struct option lo[CLI_MAX_OPTS + 2];
    char shorts[3 * CLI_MAX_OPTS + 4];
    size_t ns = 0;
    shorts[ns++] = ':'; /* report a missing value as ':' */
    shorts[ns++] = 'h';
    int n = 0;
    for (int i = 0; i < c->n_opts; i++) {
        const cli_opt *o = &c->opts[i];
        lo[n++] = (struct option){o->name, takes_value(o) ? required_argument : no_argument, NULL, 256 + i};
        if (o->short_name) {
            shorts[ns++] = (char)o->short_name;
            if (takes_value(o)) shorts[ns++] = ':';
        }
    }
    lo[n++] = (struct option){"help", no_argument, NULL, 'h'};
    lo[n] = (struct option){NULL, 0, NULL, 0};
    shorts[ns] = 0;
    opterr = 0;
    optind = 0; /* full re-initialisation of glibc's getopt */
    int ch, li = -1;
    while ((li = -1, ch = getopt_long(argc, argv, shorts, lo, &li)) != -1) {
        if (ch == 'h') {
            cli_help(c, stdout);
            return 0;
        }
        if (ch == '?') {
            const char *bad = argv[optind - 1];
            if (optopt && bad[0] == '-' && bad[1] != '-') return cli_usage(c->name, "unknown option '-%c'", optopt);
            return cli_usage(c->name, "unknown or ambiguous option '%s'", bad);
        }
        if (ch == ':') {
            const char *bad = argv[optind - 1];
            return cli_usage(c->name, "%s needs a value", bad);
        }
        int idx = -1;
        if (ch >= 256) idx = ch - 256;
        else
            for (int i = 0; i < c->n_opts; i++)
                if (c->opts[i].short_name == ch) idx = i;
        if (idx < 0) return cli_usage(c->name, "unknown option '-%c'", ch);
        const cli_opt *o = &c->opts[idx];
        if (o->type == CLI_REFUSED) return cli_usage(c->name, "--%s: %s", o->name, o->help);
        if (o->type == CLI_PAIR) {
            /* the second value is the next argument; getopt_long's permutation keeps it out of
             * the positionals once optind has passed it */
            if (optind >= argc || !optarg[0] || !argv[optind][0])
                return cli_usage(c->name, "--%s needs two values (%s)", o->name, metavar(o));
            const char **pair = (const char **)at(dest, o->offset);
            pair[0] = optarg;
            pair[1] = argv[optind++];
        } else if (!store(c, o, optarg, dest)) {
            return 2;
        }
        a->given[idx] = 1;
    }
    a->pos = argv + optind;
    a->npos = argc - optind;
    return CLI_CONTINUE;
}

static size_t field_size(const cli_opt *o);

int cli_parse_check(const cli_command *c, int argc, char **argv)
{
    size_t size = 64;
    for (int i = 0; i < c->n_opts; i++)
        if (c->opts[i].offset + field_size(&c->opts[i]) > size) size = c->opts[i].offset + field_size(&c->opts[i]);
    void *scratch = calloc(1, size);
    if (!scratch) return 1;
    cli_args a;
    int rc = cli_parse(c, argc, argv, scratch, &a);
    free(scratch);
    return rc == CLI_CONTINUE ? 0 : rc == 0 ? 2 : rc;
}

/* Bytes of the field an option stores into (0 for none). */
static size_t field_size(const cli_opt *o)
{
    switch (o->type) {
    case CLI_FLAG:
    case CLI_INT:
    case CLI_CHOICE: return sizeof(int);
    case CLI_U64: return sizeof(uint64_t);
    case CLI_DOUBLE: return sizeof(double);
    case CLI_STRING:
    case CLI_FILE_IN:
    case CLI_FILE_OUT: return sizeof(const char *);
    case CLI_PAIR: return 2 * sizeof(const char *);
    default: return 0;
    }
}

void cli_copy_given(const cli_command *c, const cli_args *a, void *dst, const void *src)
{
    for (int i = 0; i < c->n_opts; i++)
        if (a->given[i]) memcpy((char *)dst + c->opts[i].offset, (const char *)src + c->opts[i].offset, field_size(&c->opts[i]));
}

int cli_check_defaults(const cli_command *c, void *tab, const void *lib, size_t lo, size_t len)
{
    int bad = 0;
    for (int i = 0; i < c->n_opts; i++) {
        const cli_opt *o = &c->opts[i];
        if (!o->def || o->def_text || o->offset < lo || o->offset >= lo + len) continue;
        if (o->type == CLI_FLAG) *(int *)at(tab, o->offset) = atoi(o->def);
        else if (!store(c, o, o->def, tab)) {
            bad++;
            continue;
        }
        if (memcmp((char *)tab + o->offset, (const char *)lib + o->offset, field_size(o)) != 0) {
            fprintf(stderr, "audiostyle %s: --%s: the table's default %s is not the library's\n", c->name, o->name, o->def);
            bad++;
        }
    }
    return bad;
}

/* The k-th name of "a|b|c" into out. */
static void choice_name(const char *choices, int k, char *out, size_t len)
{
    const char *p = choices;
    for (int i = 0; i < k && p; i++) {
        p = strchr(p, '|');
        if (p) p++;
    }
    if (!p) {
        snprintf(out, len, "%d", k);
        return;
    }
    const char *bar = strchr(p, '|');
    snprintf(out, len, "%.*s", (int)(bar ? (size_t)(bar - p) : strlen(p)), p);
}

size_t cli_settings_text(const cli_command *c, const void *dest, char *out, size_t len)
{
    size_t used = 0;
    if (len) out[0] = 0;
    for (int i = 0; i < c->n_opts; i++) {
        const cli_opt *o = &c->opts[i];
        if (o->cosmetic || o->type == CLI_REFUSED) continue;
        const void *f = (const char *)dest + o->offset;
        char v[4200];
        switch (o->type) {
        case CLI_FLAG:
        case CLI_INT: snprintf(v, sizeof v, "%d", *(const int *)f); break;
        case CLI_U64: snprintf(v, sizeof v, "%llu", (unsigned long long)*(const uint64_t *)f); break;
        case CLI_DOUBLE: snprintf(v, sizeof v, "%.17g", *(const double *)f); break;
        case CLI_CHOICE: choice_name(o->choices, *(const int *)f, v, sizeof v); break;
        case CLI_PAIR: {
            const char *const *pr = f;
            snprintf(v, sizeof v, "%s %s", pr[0] ? pr[0] : "-", pr[1] ? pr[1] : "-");
            break;
        }
        default: {
            const char *sv = *(const char *const *)f;
            snprintf(v, sizeof v, "%s", sv ? sv : "(none)");
        }
        }
        for (char *q = v; *q; q++)
            if (*q == '\n') *q = ' ';
        int k = snprintf(out + used, len > used ? len - used : 0, "--%s %s\n", o->name, v);
        if (k < 0) break;
        used += (size_t)k;
        if (used >= len) return len ? len - 1 : 0;
    }
    return used;
}

int cli_given(const cli_command *c, const cli_args *a, const char *name)
{
    for (int i = 0; i < c->n_opts; i++)
        if (strcmp(c->opts[i].name, name) == 0) return a->given[i];
    return 0;
}

/* "-o, --output FILE" */
static void opt_label(const cli_opt *o, char *b, size_t n)
{
    if (o->short_name) snprintf(b, n, "-%c, --%s%s%s", o->short_name, o->name, takes_value(o) ? " " : "", takes_value(o) ? metavar(o) : "");
    else snprintf(b, n, "--%s%s%s", o->name, takes_value(o) ? " " : "", takes_value(o) ? metavar(o) : "");
}

/* The help sentence with the default appended: "random convolution filters (default 4096)". */
static void opt_text(const cli_opt *o, char *b, size_t n)
{
    const char *d = o->def_text ? o->def_text : (o->type != CLI_FLAG ? o->def : NULL);
    size_t hl = strlen(o->help);
    if (d && hl && o->help[hl - 1] == ')') /* "... (0 = no limit)" -> "... (0 = no limit; default 1200)" */
        snprintf(b, n, "%.*s; default %s)", (int)(hl - 1), o->help, d);
    else if (d) snprintf(b, n, "%s (default %s)", o->help, d);
    else snprintf(b, n, "%s", o->help);
}

/* Writes s wrapped at `width` columns, continuation lines indented by `indent`. */
static void wrap(FILE *f, const char *s, int col, int indent, int width)
{
    while (*s) {
        const char *sp = s;
        int len = 0, room = width - col;
        while (len <= room && sp[len]) len++;
        if (sp[len]) {
            int cut = len;
            while (cut > 0 && sp[cut] != ' ') cut--;
            if (cut == 0) cut = len;
            len = cut;
        }
        fprintf(f, "%.*s\n", len, s);
        s += len;
        while (*s == ' ') s++;
        if (*s) fprintf(f, "%*s", indent, "");
        col = indent;
    }
}

void cli_help(const cli_command *c, FILE *f)
{
    fprintf(f, "usage: audiostyle %s %s\n", c->name, c->synopsis);
    if (c->description) {
        fprintf(f, "\n");
        /* paragraphs separated by \n, each wrapped */
        const char *p = c->description;
        while (*p) {
            const char *nl = strchr(p, '\n');
            size_t l = nl ? (size_t)(nl - p) : strlen(p);
            char para[2048];
            snprintf(para, sizeof para, "%.*s", (int)l, p);
            if (l) {
                fprintf(f, "  ");
                wrap(f, para, 2, 2, 96);
            } else {
                fprintf(f, "\n");
            }
            p += l;
            if (*p == '\n') p++;
        }
    }
    fprintf(f, "\noptions:\n");
    const char *group = NULL;
    for (int i = 0; i < c->n_opts; i++) {
        const cli_opt *o = &c->opts[i];
        if (o->type == CLI_REFUSED) continue;
        if (o->group && (!group || strcmp(group, o->group) != 0)) {
            fprintf(f, "%s:\n", o->group);
            group = o->group;
        }
        char lab[160], txt[1024];
        opt_label(o, lab, sizeof lab);
        opt_text(o, txt, sizeof txt);
        int col;
        if (strlen(lab) > 28) col = fprintf(f, "  %s\n%31s", lab, "") - (int)strlen(lab) - 3;
        else col = fprintf(f, "  %-28s ", lab);
        wrap(f, txt, col, 31, 100);
    }
    fprintf(f, "  %-28s %s\n", "-h, --help", "print this help and exit");
    fprintf(f, "\nexit status: 0 ok, 1 an input or output could not be used, 2 usage (bad options or paths),\n"
               "130 interrupted (transfer). The global -v, --verbose goes before COMMAND.\n");
}

/* roff-escapes s: backslashes and leading dots/quotes; '-' as \- */
static void roff(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '-') fputs("\\-", f);
        else if (*s == '\\') fputs("\\e", f);
        else fputc(*s, f);
    }
}

void cli_help_man(const cli_command *c, FILE *f)
{
    for (int i = 0; i < c->n_opts; i++) {
        const cli_opt *o = &c->opts[i];
        if (o->type == CLI_REFUSED) continue;
        char lab[160], txt[1024];
        opt_label(o, lab, sizeof lab);
        opt_text(o, txt, sizeof txt);
        fputs(".TP\n.B ", f);
        roff(f, lab);
        fputs("\n", f);
        roff(f, txt);
        fputs(".\n", f);
    }
}

static const char *type_name(cli_opt_type t)
{
    static const char *const names[] = {"flag", "int", "u64", "number", "string", "file_in", "file_out", "choice", "pair", "refused"};
    return names[t];
}

void cli_options_json(const cli_command *const *cmds, int n, FILE *f)
{
    fprintf(f, "[");
    for (int k = 0; k < n; k++) {
        const cli_command *c = cmds[k];
        fprintf(f, "%s\n {\"command\": ", k ? "," : "");
        cli_json_str(f, c->name);
        fprintf(f, ", \"synopsis\": ");
        cli_json_str(f, c->synopsis);
        fprintf(f, ", \"summary\": ");
        cli_json_str(f, c->summary);
        fprintf(f, ", \"options\": [");
        int first = 1;
        for (int i = 0; i < c->n_opts; i++) {
            const cli_opt *o = &c->opts[i];
            if (o->type == CLI_REFUSED) continue;
            fprintf(f, "%s\n  {\"long\": ", first ? "" : ",");
            first = 0;
            cli_json_str(f, o->name);
            if (o->short_name) fprintf(f, ", \"short\": \"%c\"", o->short_name);
            else fprintf(f, ", \"short\": null");
            fprintf(f, ", \"type\": \"%s\", \"metavar\": ", type_name(o->type));
            cli_json_str(f, takes_value(o) ? metavar(o) : "");
            if (o->type == CLI_INT || o->type == CLI_DOUBLE) fprintf(f, ", \"min\": %.17g, \"max\": %.17g", o->min, o->max);
            if (o->type == CLI_CHOICE) {
                fprintf(f, ", \"choices\": [");
                const char *p = o->choices;
                for (int j = 0; p && *p; j++) {
                    const char *bar = strchr(p, '|');
                    size_t l = bar ? (size_t)(bar - p) : strlen(p);
                    char v[128];
                    snprintf(v, sizeof v, "%.*s", (int)l, p);
                    fprintf(f, "%s", j ? ", " : "");
                    cli_json_str(f, v);
                    if (!bar) break;
                    p = bar + 1;
                }
                fprintf(f, "]");
            }
            fprintf(f, ", \"default\": ");
            if (o->def && !o->def_text) cli_json_str(f, o->def);
            else fprintf(f, "null");
            fprintf(f, ", \"default_text\": ");
            if (o->def_text) cli_json_str(f, o->def_text);
            else fprintf(f, "null");
            fprintf(f, ", \"group\": ");
            if (o->group) cli_json_str(f, o->group);
            else fprintf(f, "null");
            fprintf(f, ", \"help\": ");
            cli_json_str(f, o->help);
            fprintf(f, "}");
        }
        fprintf(f, "]}");
    }
    fprintf(f, "\n]\n");
}
