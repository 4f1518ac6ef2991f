/* cmd_merge.c — audiostyle merge PART... -o OUT | --status PART...: joins the part files of a
 * sharded catalog (features, classify or transfer-many with --shard K/N) into exactly what one
 * process writes: the same header, the rows in the order of the sorted input list, byte for
 * byte. Refuses, naming them, parts of different catalogs (input list, options, version, shard
 * count), two parts of one shard, inputs found twice and inputs missing; writes nothing then.
 * --status tells how much of the catalog is done. */
#define _POSIX_C_SOURCE 200809L
#include "catalog.h"
#include "cli.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct merge_args {
    const char *out;
    int status, quiet;
} merge_args;

#define O(f) offsetof(merge_args, f)
static const cli_opt merge_opts[] = {
    {.name = "output", .short_name = 'o', .type = CLI_FILE_OUT, .metavar = "OUT", .help = "the joined output, the extension the parts were made for (.csv, .jsonl; atomically; - for standard output)", .offset = O(out)},
    {.name = "status", .type = CLI_FLAG, .help = "only tell how much of the catalog the parts hold (per part and in all); writes nothing", .offset = O(status)},
    {.name = "quiet", .short_name = 'q', .type = CLI_FLAG, .help = "print nothing but errors", .offset = O(quiet)},
};
#undef O

const cli_command cli_cmd_merge = {
    .name = "merge",
    .synopsis = "PART... -o OUT | --status PART...",
    .summary = "join the part files of a sharded catalog (--shard K/N)",
    .description = "Joins the part files that features, classify and transfer-many write with --shard K/N (one per "
                   "task of a Slurm job array or of GNU parallel) into exactly what one process writes for the whole "
                   "input list: the same header and the rows in the same order, byte for byte. Every part records "
                   "its shard, the size and hash of the full input list, the options and the program's version: "
                   "parts that differ in any of them are refused, and so are two parts of one shard, an input "
                   "found twice and inputs missing (each named; nothing is written). Inputs that failed are "
                   "reported as the single run reports them, and the rest is written (exit 1).\n"
                   "--status reads the parts of a catalog still running and prints, per part and in all, how many "
                   "inputs are done.",
    .opts = merge_opts,
    .n_opts = CLI_N(merge_opts),
    .run = cmd_merge,
};

static const char *shard_name(const cli_part_data *d, char *b, size_t n)
{
    snprintf(b, n, "shard %d/%d", d->k, d->n);
    return b;
}

/* Which part holds each shard, checking that the parts are of one catalog. */
static int check_parts(cli_part_data *P, int np, int **by_shard)
{
    const cli_part_data *a = &P[0];
    for (int i = 1; i < np; i++) {
        const cli_part_data *b = &P[i];
        if (strcmp(a->command, b->command) != 0) {
            fprintf(stderr, "audiostyle: %s: a part of '%s', %s is of '%s'\n", b->path, b->command, a->path, a->command);
            return 1;
        }
        if (strcmp(a->version, b->version) != 0) {
            fprintf(stderr, "audiostyle: %s: written by audiostyle %s, %s by %s\n", b->path, b->version, a->path, a->version);
            fprintf(stderr, "hint: rerun every shard with one version\n");
            return 1;
        }
        if (a->total != b->total || a->list_hash != b->list_hash) {
            fprintf(stderr, "audiostyle: %s: made from a different input list than %s (%zu inputs, hash %016" PRIx64
                            "; %zu, %016" PRIx64 ")\n", b->path, a->path, b->total, b->list_hash, a->total, a->list_hash);
            return 1;
        }
        if (a->options_hash != b->options_hash || strcmp(a->ext, b->ext) != 0 || a->header_len != b->header_len ||
            memcmp(a->header, b->header, a->header_len) != 0) {
            fprintf(stderr, "audiostyle: %s: made with other options than %s (%s; %s)\n", b->path, a->path, b->options,
                    a->options);
            return 1;
        }
        if (a->n != b->n) {
            fprintf(stderr, "audiostyle: %s: one of %d shards, %s one of %d\n", b->path, b->n, a->path, a->n);
            return 1;
        }
    }
    int *by = malloc(sizeof *by * (size_t)a->n);
    if (!by) return cli_error(NULL, AS_ERR_NOMEM, "merge");
    for (int k = 0; k < a->n; k++) by[k] = -1;
    for (int i = 0; i < np; i++) {
        if (by[P[i].k] >= 0) {
            fprintf(stderr, "audiostyle: %s and %s are both shard %d/%d\n", P[by[P[i].k]].path, P[i].path, P[i].k, P[i].n);
            fprintf(stderr, "hint: give each shard's part once\n");
            free(by);
            return 1;
        }
        by[P[i].k] = i;
    }
    *by_shard = by;
    return 0;
}

static int status(cli_part_data *P, int np, const int *by)
{
    size_t total = P[0].total, done = 0, failed = 0, no_part = 0;
    for (int i = 0; i < np; i++) {
        size_t d = 0, f = 0;
        unsigned char *st = calloc(P[i].n_assigned + 1, 1); /* 1 failed, 2 done, per input */
        if (!st) return cli_error(NULL, AS_ERR_NOMEM, "merge");
        for (size_t r = 0; r < P[i].n_rec; r++) {
            size_t j = P[i].rec[r].idx / (size_t)P[i].n;
            unsigned char v = P[i].rec[r].body ? 2 : 1;
            if (v > st[j]) st[j] = v;
        }
        for (size_t j = 0; j < P[i].n_assigned; j++) {
            d += st[j] == 2;
            f += st[j] == 1;
        }
        free(st);
        char sh[64], fl[64] = "";
        if (f) snprintf(fl, sizeof fl, ", %zu failed", f);
        printf("%s: %s: %zu of %zu inputs done%s%s\n", P[i].path, shard_name(&P[i], sh, sizeof sh), d, P[i].n_assigned,
               fl, d + f == P[i].n_assigned ? " (complete)" : "");
        done += d;
        failed += f;
    }
    int missing_shards = 0;
    for (int k = 0; k < P[0].n; k++)
        if (by[k] < 0) {
            cli_shard s = {k, P[0].n};
            size_t na = total > (size_t)s.k ? (total - (size_t)s.k + (size_t)s.n - 1) / (size_t)s.n : 0;
            if (missing_shards++ < 20) printf("shard %d/%d: no part (%zu inputs)\n", k, P[0].n, na);
            no_part += na;
        }
    if (missing_shards > 20) printf("... and %d more shards with no part\n", missing_shards - 20);
    printf("catalog: %zu of %zu inputs done (%.1f %%), %zu failed, %zu in shards with no part; %s\n", done, total,
           total ? 100.0 * done / total : 100.0, failed, no_part,
           done + failed == total ? "complete: merge can join it" : "not complete");
    return 0;
}

int cmd_merge(int argc, char **argv)
{
    merge_args o = {0};
    cli_args a;
    int prc = cli_parse(&cli_cmd_merge, argc, argv, &o, &a);
    if (prc != CLI_CONTINUE) return prc;
    if (a.npos == 0) return cli_usage("merge", "no part files");
    if (!o.out && !o.status) return cli_usage("merge", "no output file (-o OUT), or --status");
    if (o.out && o.status) return cli_usage("merge", "--status writes nothing: leave out -o");
    int np = a.npos, rc = 1;
    cli_part_data *P = calloc((size_t)np, sizeof *P);
    int *by = NULL;
    const cli_part_rec **slot = NULL;
    int *slot_part = NULL;
    if (!P) return cli_error(NULL, AS_ERR_NOMEM, "merge");
    for (int i = 0; i < np; i++)
        if (cli_part_read(a.pos[i], &P[i]) != 0) goto done;
    if (check_parts(P, np, &by) != 0) goto done;
    if (o.status) {
        rc = status(P, np, by);
        goto done;
    }
    {
        const char *const *ins = (const char *const *)a.pos;
        cli_out outs[] = {{.path = o.out, .what = "the output", .exts = P[0].ext, .stdout_ok = 1, .named = 1}};
        int bad = cli_check_paths("merge", outs, 1, ins, np, 0);
        if (bad) {
            rc = bad;
            goto done;
        }
    }
    size_t total = P[0].total;
    slot = calloc(total ? total : 1, sizeof *slot);
    slot_part = calloc(total ? total : 1, sizeof *slot_part);
    if (!slot || !slot_part) {
        cli_error(NULL, AS_ERR_NOMEM, "merge");
        goto done;
    }
    /* each input once */
    size_t dups = 0;
    for (int i = 0; i < np; i++)
        for (size_t r = 0; r < P[i].n_rec; r++) {
            const cli_part_rec *q = &P[i].rec[r];
            if (slot[q->idx]) {
                if (dups++ < 10)
                    fprintf(stderr, "audiostyle: merge: %s is twice in %s\n", P[i].assigned[q->idx / (size_t)P[i].n], P[i].path);
                continue;
            }
            slot[q->idx] = q;
            slot_part[q->idx] = i;
        }
    if (dups) {
        if (dups > 10) fprintf(stderr, "audiostyle: merge: ... and %zu more inputs found twice\n", dups - 10);
        fprintf(stderr, "hint: a part is written only by audiostyle; remove the part named and rerun its shard\n");
        goto done;
    }
    /* every input present */
    size_t missing = 0, missing_shards = 0;
    for (int k = 0; k < P[0].n; k++)
        if (by[k] < 0) {
            if (missing_shards++ < 10)
                fprintf(stderr, "audiostyle: merge: shard %d/%d: no part given (its inputs are missing)\n", k, P[0].n);
        }
    for (size_t i = 0; i < total; i++) {
        int part = by[i % (size_t)P[0].n];
        if (part < 0 || slot[i]) continue;
        char sh[64];
        if (missing++ < 10)
            fprintf(stderr, "audiostyle: merge: %s: missing from %s (%s, not done yet)\n",
                    P[part].assigned[i / (size_t)P[0].n], P[part].path, shard_name(&P[part], sh, sizeof sh));
    }
    if (missing_shards > 10) fprintf(stderr, "audiostyle: merge: ... and %zu more shards with no part\n", missing_shards - 10);
    if (missing > 10) fprintf(stderr, "audiostyle: merge: ... and %zu more inputs missing\n", missing - 10);
    if (missing || missing_shards) {
        fprintf(stderr, "hint: rerun the shards named (each resumes from its part); `audiostyle merge --status` tells "
                        "how far they are\n");
        goto done;
    }
    /* the inputs that failed, as the single run reports them; the rest is written */
    size_t ok = 0, failed = 0;
    for (size_t i = 0; i < total; i++) {
        if (slot[i]->body) ok++;
        else {
            fprintf(stderr, "audiostyle: %s\n", slot[i]->msg);
            failed++;
        }
    }
    if (ok == 0) {
        fprintf(stderr, "audiostyle: merge: no input succeeded; %s not written\n", o.out);
        goto done;
    }
    {
        const char **data = malloc(sizeof *data * (ok + 1));
        size_t *len = malloc(sizeof *len * (ok + 1)), n = 0;
        if (!data || !len) {
            free(data);
            free(len);
            cli_error(NULL, AS_ERR_NOMEM, "merge");
            goto done;
        }
        data[n] = P[0].header;
        len[n++] = P[0].header_len;
        for (size_t i = 0; i < total; i++)
            if (slot[i]->body) {
                data[n] = slot[i]->body;
                len[n++] = slot[i]->len;
            }
        char tmp[4096];
        const char *dst = cli_out_path(o.out, P[0].ext, tmp, sizeof tmp);
        int wr = !dst || cli_write_chunks(dst, data, len, n) != 0;
        free(data);
        free(len);
        if (wr) {
            cli_out_discard(o.out, dst);
            goto done;
        }
        if (cli_out_finish(o.out, dst) != 0) goto done;
    }
    if (!o.quiet)
        fprintf(stderr, "audiostyle: merge: %zu inputs from %d parts -> %s%s\n", ok, np,
                cli_is_stdout(o.out) ? "standard output" : o.out, failed ? " (the failed ones left out)" : "");
    rc = failed ? 1 : 0;
done:
    for (int i = 0; i < np; i++) cli_part_data_free(&P[i]);
    free(P);
    free(by);
    free(slot);
    free(slot_part);
    return rc;
}
