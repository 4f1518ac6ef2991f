/* catalog.h — a catalog of inputs spread over shards (Slurm job arrays, GNU parallel, SSH hosts):
 * the shard of the sorted input list a task takes, its part file (written as the task goes, so a
 * preempted task resumes where it stopped), and the reading of parts that `audiostyle merge`
 * joins into exactly what one process writes.
 *
 * Shard K/N is every input whose index in the full sorted list is K modulo N (interleaved, so a
 * folder of long tracks is spread over every task). A part is a text file:
 *
 *   #audiostyle-part 1
 *   #command features              the command that wrote it
 *   #version 0.1.0                 the program's version
 *   #output .csv                   what `merge -o` writes (.csv, .jsonl)
 *   #shard K N
 *   #list TOTAL HASH               the full input list (before sharding): its size and hash
 *   #options HASH TEXT             the options that change the output, and their hash
 *   #assigned COUNT                then COUNT lines "#a INDEX NAME": the shard's inputs
 *   #header LEN                    then LEN bytes: the output's header line (may be 0)
 *   #input INDEX LEN               then LEN bytes: the rows of one input, as the output has them
 *   #failed INDEX MESSAGE          an input that failed (retried when the shard is rerun)
 *
 * Names and messages escape '%', CR and LF as %25, %0D, %0A; hashes are 64-bit FNV-1a in hex.
 * Records are appended as inputs finish (one write each, fdatasync at most once a second), so
 * a killed task loses only the inputs in progress: a record cut short at the end of the file is
 * dropped when the part is read. When the task ends (done or interrupted) the part is rewritten
 * in input order, atomically. */
#ifndef AS_CLI_CATALOG_H
#define AS_CLI_CATALOG_H

#include <stddef.h>
#include <stdint.h>

typedef struct cli_shard {
    int k, n; /* 0 <= k < n; n = 0: not sharded */
} cli_shard;

/* Parses "K/N" (0 <= K < N <= 1000000), "slurm": K = SLURM_ARRAY_TASK_ID minus
 * SLURM_ARRAY_TASK_MIN (0 when unset), N = SLURM_ARRAY_TASK_COUNT, or "slurm/N": K =
 * SLURM_ARRAY_TASK_ID (a task resubmitted alone, --array=K, knows N only so). Prints a usage
 * error for cmd and returns 0 when spec is not valid. */
int cli_shard_parse(const char *cmd, const char *spec, cli_shard *s);

/* 64-bit FNV-1a of n bytes, continuing from h (start with CLI_HASH_INIT). */
#define CLI_HASH_INIT 1469598103934665603ULL
uint64_t cli_hash(uint64_t h, const void *p, size_t n);

/* What every part of one catalog shares. */
typedef struct cli_catalog {
    const char *command;      /* "features" */
    const char *ext;          /* the merged output's extension: ".csv" */
    const char *options;      /* the options that change the output, as text */
    const char *header;       /* the output's header line(s), "" for none */
    size_t total;             /* inputs in the full list */
    const char *const *names; /* (total,) how each input is named in messages */
    uint64_t list_hash;       /* of the full list (cli_hash over what identifies each input) */
} cli_catalog;

typedef struct cli_part cli_part;

/* Opens the part file path of shard s: a new one, or the one a previous run of the same shard
 * of the same catalog left (its inputs done get done[i] = 1; done has c->total entries, zeroed
 * by the caller). Refuses, printing one line naming the file and the problem, a file that is
 * not a part, a corrupt part or a part of another catalog, shard or version. */
cli_part *cli_part_open(const char *path, const cli_catalog *c, cli_shard s, unsigned char *done, int quiet);
/* Appends the rows of input idx (len bytes of the output's text). 0 ok, 1 failure (printed). */
int cli_part_add(cli_part *p, size_t idx, const char *body, size_t len);
/* Records that input idx failed with msg (one line). */
int cli_part_fail(cli_part *p, size_t idx, const char *msg);
/* Drops what the part holds of input idx (rewriting it): the input is to be done again. */
int cli_part_forget(cli_part *p, size_t idx);
/* A progress line on stderr ("features: shard 3/7: 57/143 inputs done, 3.2/s, ETA 0:27") at
 * most every 10 s (or now with force) when stderr is not a terminal (a terminal has the
 * progress bar) and not quiet: each task of an array logs its own progress. */
void cli_part_progress(cli_part *p, int force);
/* Rewrites the part in input order (atomically), prints the summary unless quiet, frees p.
 * Returns 0, or 1 when the part could not be written (printed). */
int cli_part_close(cli_part *p);

/* Writes the n chunks data[i] (len[i] bytes) to path atomically: a temporary file beside it,
 * fsync, rename. Returns 0, or 1 (printed). */
int cli_write_chunks(const char *path, const char *const *data, const size_t *len, size_t n);

/* A part file as read by merge (and by a resuming shard). */
typedef struct cli_part_rec {
    size_t idx;
    const char *body; /* #input: len bytes in the file's text; NULL for #failed */
    size_t len;
    char *msg;        /* #failed: the message */
} cli_part_rec;

typedef struct cli_part_data {
    const char *path;
    char *text;
    size_t len;
    char command[64], version[64], ext[32];
    int k, n;
    size_t total;
    uint64_t list_hash, options_hash;
    char *options;           /* unescaped */
    size_t n_assigned;
    char **assigned;         /* (n_assigned,) names of inputs k, k + n, k + 2n, ... */
    const char *header;      /* header_len bytes in text */
    size_t header_len;
    cli_part_rec *rec;
    size_t n_rec;
    int truncated;           /* an incomplete last record was dropped */
} cli_part_data;

/* Reads and checks a part file. Returns 0, or 1 after printing one line naming the file and
 * what is wrong with it. */
int cli_part_read(const char *path, cli_part_data *d);
void cli_part_data_free(cli_part_data *d);

#endif
