/* cmd_transfer_many.c — audiostyle transfer-many MANIFEST.csv -o LOG [--shard K/N] [-- transfer
 * options]: one `audiostyle transfer` per row of a manifest (content, style, output, and optional
 * columns named as transfer's options), one after another in this process, each with
 * cmd_transfer itself (the same option table, checks and outputs). The log (-o LOG.csv) lists the
 * rows done; with --shard the log is a part that records each row as it finishes, so a
 * preempted task resumes at the row it was on, and `audiostyle merge` joins the parts into the
 * log one process writes. Every row's options and outputs are checked before the first
 * transfer: a typo in row 900 is not found after a day of work. */
#define _POSIX_C_SOURCE 200809L
#include "catalog.h"
#include "cli.h"
#include "core/csv.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct many_args {
    const char *out, *shard;
    int quiet, force;
} many_args;

#define O(f) offsetof(many_args, f)
static const cli_opt many_opts[] = {
    {.name = "output", .short_name = 'o', .type = CLI_FILE_OUT, .metavar = "LOG", .help = "the log of the rows done (row,content,style,output): LOG.csv, or with --shard the part LOG.part that `audiostyle merge` joins into it", .offset = O(out)},
    {.name = "shard", .type = CLI_STRING, .metavar = "K/N", .help = "only the rows whose index is K modulo N; the part records each row as it finishes and a rerun resumes at the first row not done (slurm: K and N of the Slurm array task; slurm/N: K is the task id; 0/1 makes a single machine's run resumable)", .offset = O(shard)},
    {.name = "force", .type = CLI_FLAG, .help = "replace existing pictures that were not named (transfer --force) in every row", .offset = O(force)},
    {.name = "quiet", .short_name = 'q', .type = CLI_FLAG, .help = "print nothing but errors (every transfer with --quiet)", .offset = O(quiet)},
};
#undef O

const cli_command cli_cmd_transfer_many = {
    .name = "transfer-many",
    .synopsis = "MANIFEST.csv -o LOG [--shard K/N] [-- TRANSFER OPTIONS]",
    .summary = "one transfer per row of a manifest (content, style, output)",
    .description = "Runs `audiostyle transfer CONTENT STYLE -o OUTPUT` for every row of MANIFEST.csv, one after another "
                   "(each transfer uses --threads cores). The manifest's header names the columns content, style and "
                   "output, and optionally transfer options by their long names (iterations, seed, preset, "
                   "no-picture, ...): a row's value is that option for that row (empty: not given; a flag takes 1 or "
                   "0). Relative paths are relative to the manifest's folder. Options after -- apply to every row "
                   "(a row's own columns win). Every row's options and outputs are checked before the first "
                   "transfer; an output never replaces an input, and two rows never write one file.\n"
                   "The log lists the rows done. With --shard K/N the log is a part file: each row is recorded as it "
                   "finishes, a rerun of the same shard skips the rows done (whose outputs exist) and redoes the one "
                   "in progress, and `audiostyle merge` joins the parts into the log a single run writes.",
    .opts = many_opts,
    .n_opts = CLI_N(many_opts),
    .run = cmd_transfer_many,
};

typedef struct row {
    char *content, *style, *output; /* resolved against the manifest's folder */
    const char *cell[3];            /* as written in the manifest */
    char **opt;                     /* "--name=value" or "--name", n_opt of them */
    int n_opt;
    char *name;                     /* "row N (OUTPUT)" for messages */
} row;

static char *resolve(const char *dir, const char *p)
{
    size_t n = strlen(dir) + strlen(p) + 2;
    char *o = malloc(n);
    if (!o) return NULL;
    if (p[0] == '/' || strcmp(dir, ".") == 0) snprintf(o, n, "%s", p);
    else snprintf(o, n, "%s/%s", dir, p);
    return o;
}

static const cli_opt *transfer_opt(const char *name)
{
    for (int i = 0; i < cli_cmd_transfer.n_opts; i++)
        if (strcmp(cli_cmd_transfer.opts[i].name, name) == 0) return &cli_cmd_transfer.opts[i];
    return NULL;
}

static void free_rows(row *R, size_t n)
{
    for (size_t i = 0; R && i < n; i++) {
        free(R[i].content);
        free(R[i].style);
        free(R[i].output);
        for (int k = 0; k < R[i].n_opt; k++) free(R[i].opt[k]);
        free(R[i].opt);
        free(R[i].name);
    }
    free(R);
}

/* Reads the manifest into rows; 0, or 1/2 after printing one line naming the file and problem. */
static int read_manifest(const char *path, as_csv *csv, row **out, size_t *nout)
{
    as_error err = {0};
    as_status st = as_csv_load(path, NULL, csv, &err);
    if (st != AS_OK) return cli_error(&err, st, path);
    if (csv->n_rows < 2) {
        fprintf(stderr, "audiostyle: %s: no rows (a header content,style,output and one row per transfer)\n", path);
        return 1;
    }
    int col[3] = {-1, -1, -1};
    static const char *const need[3] = {"content", "style", "output"};
    for (size_t c = 0; c < csv->n_cols; c++) {
        const char *h = as_csv_at(csv, 0, c);
        int k = -1;
        for (int j = 0; j < 3; j++)
            if (strcmp(h, need[j]) == 0) k = j;
        if (k >= 0) {
            if (col[k] >= 0) {
                fprintf(stderr, "audiostyle: %s: two '%s' columns\n", path, h);
                return 1;
            }
            col[k] = (int)c;
            continue;
        }
        const cli_opt *o = transfer_opt(h);
        if (!o || o->type == CLI_REFUSED || o->type == CLI_PAIR) {
            fprintf(stderr, "audiostyle: %s: column '%s' is neither content, style, output nor a transfer option "
                            "(audiostyle transfer --help lists them)\n", path, h);
            return 1;
        }
    }
    for (int j = 0; j < 3; j++)
        if (col[j] < 0) {
            fprintf(stderr, "audiostyle: %s: no '%s' column (the header needs content, style and output)\n", path, need[j]);
            return 1;
        }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *sl = strrchr(dir, '/');
    if (!sl) snprintf(dir, sizeof dir, ".");
    else if (sl == dir) dir[1] = 0;
    else *sl = 0;
    size_t n = csv->n_rows - 1;
    row *R = calloc(n, sizeof *R);
    if (!R) return cli_error(NULL, AS_ERR_NOMEM, path);
    *out = R;
    *nout = n;
    for (size_t i = 0; i < n; i++) {
        row *r = &R[i];
        for (int j = 0; j < 3; j++) {
            r->cell[j] = as_csv_at(csv, i + 1, (size_t)col[j]);
            if (!r->cell[j][0]) {
                fprintf(stderr, "audiostyle: %s: row %zu: no %s\n", path, i + 1, need[j]);
                return 1;
            }
        }
        r->content = resolve(dir, r->cell[0]);
        r->style = resolve(dir, r->cell[1]);
        r->output = resolve(dir, r->cell[2]);
        r->opt = calloc(csv->n_cols, sizeof *r->opt);
        size_t nl = strlen(r->cell[2]) + 32;
        r->name = malloc(nl);
        if (!r->content || !r->style || !r->output || !r->opt || !r->name) return cli_error(NULL, AS_ERR_NOMEM, path);
        snprintf(r->name, nl, "row %zu (%s)", i + 1, r->cell[2]);
        for (size_t c = 0; c < csv->n_cols; c++) {
            if ((int)c == col[0] || (int)c == col[1] || (int)c == col[2]) continue;
            const char *h = as_csv_at(csv, 0, c), *v = as_csv_at(csv, i + 1, c);
            if (!v[0]) continue;
            const cli_opt *o = transfer_opt(h);
            size_t L = strlen(h) + strlen(v) + 4;
            char *a = malloc(L);
            if (!a) return cli_error(NULL, AS_ERR_NOMEM, path);
            if (o->type == CLI_FLAG) {
                if (strcmp(v, "0") == 0) {
                    free(a);
                    continue;
                }
                if (strcmp(v, "1") != 0) {
                    free(a);
                    fprintf(stderr, "audiostyle: %s: row %zu: column '%s' is a flag: 1 or 0 (or empty), not '%s'\n",
                            path, i + 1, h, v);
                    return 1;
                }
                snprintf(a, L, "--%s", h);
            } else if (o->type == CLI_FILE_IN || o->type == CLI_FILE_OUT) {
                char *p = resolve(dir, v);
                free(a);
                L = strlen(h) + (p ? strlen(p) : 0) + 4;
                a = p ? malloc(L) : NULL;
                if (a) snprintf(a, L, "--%s=%s", h, p);
                free(p);
                if (!a) return cli_error(NULL, AS_ERR_NOMEM, path);
            } else {
                snprintf(a, L, "--%s=%s", h, v);
            }
            r->opt[r->n_opt++] = a;
        }
    }
    return 0;
}

/* transfer's argv for row r: the command, the inputs, -o, the options for every row, the row's. */
static char **row_argv(const row *r, char **global, int n_global, int quiet, int force, int resume, int *argc)
{
    char **v = calloc((size_t)(n_global + r->n_opt + 10), sizeof *v);
    if (!v) return NULL;
    int n = 0;
    v[n++] = (char *)"transfer";
    v[n++] = r->content;
    v[n++] = r->style;
    v[n++] = (char *)"-o";
    v[n++] = r->output;
    for (int i = 0; i < n_global; i++) v[n++] = global[i];
    for (int i = 0; i < r->n_opt; i++) v[n++] = r->opt[i];
    if (quiet) v[n++] = (char *)"--quiet";
    if (force) v[n++] = (char *)"--force";
    if (resume) v[n++] = (char *)"--resume";
    v[n] = NULL;
    *argc = n;
    return v;
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;
    return strcmp(*x, *y);
}

/* The whole manifest, before any work: each row's options through transfer's option table, its
 * outputs by paths.c's rules, and no output that another row reads or writes. */
static int check_rows(const char *manifest, row *R, size_t n, char **global, int n_global)
{
    /* every output once, and none read by a row (as written, after resolution) */
    const char **all = malloc(sizeof *all * 3 * (n ? n : 1));
    if (!all) return cli_error(NULL, AS_ERR_NOMEM, manifest);
    for (size_t i = 0; i < n; i++) all[i] = R[i].output;
    qsort(all, n, sizeof *all, cmp_str);
    for (size_t i = 1; i < n; i++)
        if (strcmp(all[i], all[i - 1]) == 0) {
            fprintf(stderr, "audiostyle: %s: two rows write %s\n", manifest, all[i]);
            free(all);
            return 2;
        }
    for (size_t i = 0; i < n; i++) {
        const char *key[2] = {R[i].content, R[i].style};
        for (int j = 0; j < 2; j++)
            if (bsearch(&key[j], all, n, sizeof *all, cmp_str)) {
                fprintf(stderr, "audiostyle: %s: row %zu reads %s, which a row writes; an output never replaces an input\n",
                        manifest, i + 1, key[j]);
                free(all);
                return 2;
            }
    }
    free(all);
    for (size_t i = 0; i < n; i++) {
        int argc;
        char **v = row_argv(&R[i], global, n_global, 0, 0, 0, &argc);
        if (!v) return cli_error(NULL, AS_ERR_NOMEM, manifest);
        char name[4200];
        snprintf(name, sizeof name, "transfer-many: %s: row %zu", manifest, i + 1);
        cli_command c = cli_cmd_transfer;
        c.name = name;
        int rc = cli_parse_check(&c, argc, v);
        free(v);
        if (rc) return rc;
        for (int j = 0; j < 2; j++)
            if (!exists(j ? R[i].style : R[i].content)) {
                fprintf(stderr, "audiostyle: %s: row %zu: %s: no such file\n", manifest, i + 1, j ? R[i].style : R[i].content);
                return 1;
            }
        const char *ins[2] = {R[i].content, R[i].style};
        cli_out outs[] = {{.path = R[i].output, .what = "the result", .exts = ".wav|.flac|.ogg|.oga|.mp3|.opus", .named = 1}};
        if ((rc = cli_check_paths("transfer-many", outs, 1, ins, 2, 0)) != 0) {
            fprintf(stderr, "audiostyle: %s: row %zu: the output above cannot be written\n", manifest, i + 1);
            return rc;
        }
    }
    return 0;
}

/* The log's line of a row done: row,content,style,output as the manifest has them. */
static char *log_line(size_t i, const row *r, size_t *len)
{
    char *t = NULL;
    FILE *m = open_memstream(&t, len);
    if (!m) return NULL;
    fprintf(m, "%zu,", i + 1);
    as_csv_put_field(m, r->cell[0]);
    fputc(',', m);
    as_csv_put_field(m, r->cell[1]);
    fputc(',', m);
    as_csv_put_field(m, r->cell[2]);
    fputc('\n', m);
    if (fclose(m) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

static const char HEADER[] = "row,content,style,output\n";

int cmd_transfer_many(int argc, char **argv)
{
    many_args o = {0};
    cli_args a;
    int prc = cli_parse(&cli_cmd_transfer_many, argc, argv, &o, &a);
    if (prc != CLI_CONTINUE) return prc;
    if (a.npos == 0) return cli_usage("transfer-many", "no manifest (MANIFEST.csv: content,style,output)");
    if (!o.out) return cli_usage("transfer-many", "no log file (-o LOG.csv, or -o LOG.part with --shard)");
    cli_shard shard = {0, 0};
    if (o.shard && !cli_shard_parse("transfer-many", o.shard, &shard)) return 2;
    const char *manifest = a.pos[0];
    char **global = a.pos + 1;
    int n_global = a.npos - 1;
    int dashdash = 0;
    for (int i = 1; i < argc; i++) dashdash |= strcmp(argv[i], "--") == 0;
    if (n_global > 0 && !dashdash)
        return cli_usage("transfer-many", "'%s': one manifest; options for every transfer go after --", global[0]);
    {
        cli_out outs[] = {{.path = o.out, .what = shard.n ? "the part" : "the log", .exts = shard.n ? ".part" : ".csv",
                           .named = 1}};
        const char *ins[1] = {manifest};
        int bad = cli_check_paths("transfer-many", outs, 1, ins, 1, 0);
        if (bad) return bad;
    }
    as_csv csv = {0};
    row *R = NULL;
    size_t n = 0;
    int rc = read_manifest(manifest, &csv, &R, &n);
    if (!rc) rc = check_rows(manifest, R, n, global, n_global);
    if (!rc) { /* the log is neither an input nor an output of a row */
        for (size_t i = 0; i < n && !rc; i++) {
            const char *ins[3] = {R[i].content, R[i].style, R[i].output};
            cli_out outs[] = {{.path = o.out, .what = shard.n ? "the part" : "the log", .named = 1}};
            rc = cli_check_paths("transfer-many", outs, 1, ins, 3, 0);
        }
    }
    unsigned char *done = calloc(n + 1, 1);
    char **text = calloc(n + 1, sizeof *text);
    size_t *len = calloc(n + 1, sizeof *len);
    if (!rc && (!done || !text || !len)) rc = cli_error(NULL, AS_ERR_NOMEM, manifest);
    cli_part *part = NULL;
    int resumed = 0;
    if (!rc && shard.n) {
        const char **names = malloc(sizeof *names * (n + 1));
        uint64_t h = CLI_HASH_INIT;
        for (size_t i = 0; names && i < n; i++) {
            names[i] = R[i].name;
            for (int j = 0; j < 3; j++) h = cli_hash(h, R[i].cell[j], strlen(R[i].cell[j]) + 1);
            for (int k = 0; k < R[i].n_opt; k++) h = cli_hash(h, R[i].opt[k], strlen(R[i].opt[k]) + 1);
            h = cli_hash(h, "\n", 1);
        }
        char opts[4096] = "";
        size_t used = 0;
        for (int i = 0; i < n_global && used + 2 < sizeof opts; i++) {
            int k = snprintf(opts + used, sizeof opts - used, "%s%s", i ? " " : "", global[i]);
            if (k > 0) used += (size_t)k;
        }
        if (!names) rc = cli_error(NULL, AS_ERR_NOMEM, manifest);
        else {
            resumed = exists(o.out);
            cli_catalog c = {.command = "transfer-many", .ext = ".csv", .options = used ? opts : "(none)",
                             .header = HEADER, .total = n, .names = names, .list_hash = h};
            part = cli_part_open(o.out, &c, shard, done, o.quiet);
            if (!part) rc = 1;
        }
        free(names);
        /* a row recorded whose output has gone is redone (its record dropped first) */
        for (size_t i = 0; !rc && i < n; i++)
            if (done[i] && !exists(R[i].output)) {
                fprintf(stderr, "audiostyle: %s: %s is recorded as done but %s is missing; it is redone\n", o.out,
                        R[i].name, R[i].output);
                done[i] = 0;
                if (cli_part_forget(part, i) != 0) rc = 1;
            }
    }
    int failed = 0, interrupted = 0, ran = 0;
    if (!rc) cli_catch_interrupts();
    for (size_t i = 0; !rc && i < n; i++) {
        if (shard.n && (i % (size_t)shard.n != (size_t)shard.k || done[i])) continue;
        if (cli_interrupted()) {
            interrupted = 1;
            break;
        }
        if (part) cli_part_progress(part, 0);
        if (!o.quiet) fprintf(stderr, "audiostyle: transfer-many: %s: %s in the style of %s\n", R[i].name, R[i].cell[0], R[i].cell[1]);
        int targc;
        /* the row in progress when a previous run stopped may have left its picture: replace it */
        /* a long row killed mid-way left its checkpoint (transfer's OUT.ckpt): continue it */
        char ck[4200];
        snprintf(ck, sizeof ck, "%s.ckpt", R[i].output);
        char **v = row_argv(&R[i], global, n_global, o.quiet, o.force || resumed, exists(ck), &targc);
        if (!v) {
            rc = cli_error(NULL, AS_ERR_NOMEM, manifest);
            break;
        }
        int trc = cmd_transfer(targc, v);
        free(v);
        ran++;
        if (trc == 130 || cli_interrupted()) {
            interrupted = 1;
            break;
        }
        if (trc != 0) {
            char msg[600];
            snprintf(msg, sizeof msg, "%s: %s: the transfer failed (exit %d; its error is above)", manifest, R[i].name, trc);
            fprintf(stderr, "audiostyle: %s\n", msg);
            if (part) cli_part_fail(part, i, msg);
            failed = 1;
            continue;
        }
        text[i] = log_line(i, &R[i], &len[i]);
        if (!text[i]) {
            rc = cli_error(NULL, AS_ERR_NOMEM, manifest);
            break;
        }
        if (part && cli_part_add(part, i, text[i], len[i]) != 0) rc = 1;
    }
    if (part) {
        cli_part_progress(part, 1);
        if (cli_part_close(part) != 0) rc = 1;
        if (interrupted)
            fprintf(stderr, "audiostyle: transfer-many: interrupted; %s keeps the rows done (the same command resumes)\n", o.out);
    } else if (!rc && interrupted) {
        fprintf(stderr, "audiostyle: transfer-many: interrupted; %s not written (--shard 0/1 makes a run resumable)\n", o.out);
    } else if (!rc) {
        const char **data = calloc(n + 1, sizeof *data);
        size_t *dl = calloc(n + 1, sizeof *dl), k = 0;
        if (!data || !dl) rc = cli_error(NULL, AS_ERR_NOMEM, manifest);
        else {
            data[k] = HEADER;
            dl[k++] = strlen(HEADER);
            for (size_t i = 0; i < n; i++)
                if (text[i]) {
                    data[k] = text[i];
                    dl[k++] = len[i];
                }
            rc = cli_write_chunks(o.out, data, dl, k);
            if (!rc && !o.quiet) fprintf(stderr, "audiostyle: transfer-many: %zu of %zu rows done -> %s\n", k - 1, n, o.out);
        }
        free(data);
        free(dl);
    }
    for (size_t i = 0; text && i < n; i++) free(text[i]);
    free(text);
    free(len);
    free(done);
    free_rows(R, n);
    as_csv_free(&csv);
    if (rc) return rc;
    return interrupted ? 130 : failed ? 1 : 0;
}
