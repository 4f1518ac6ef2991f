/* cmd_classify.c — audiostyle classify FILE...: the genres of audio files, with the built-in
 * GTZAN model or a trained one. Long tracks are cut into consecutive windows of the length the
 * model was trained on (30 s, or 3 s for a 3-s model) whose probabilities are averaged. */
#define _POSIX_C_SOURCE 200809L
#include "catalog.h"
#include "core/csv.h"
#include "genre_cli.h"
#include "walk.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


typedef struct classify_args {
    const char *model, *out, *shard;
    int top, json, timeline, format;
    double max_duration;
} classify_args;

#define O(f) offsetof(classify_args, f)
static const cli_opt classify_opts[] = {
    {.name = "model", .type = CLI_FILE_IN, .metavar = "FILE", .def_text = "the built-in GTZAN model", .help = "a model file from `audiostyle train`", .offset = O(model)},
    {.name = "top", .type = CLI_INT, .metavar = "K", .min = 0, .max = AS_GENRE_MAX_CLASSES, .def = "3", .help = "how many genres to print (0 = all)", .offset = O(top)},
    {.name = "json", .type = CLI_FLAG, .help = "a JSON array of {\"file\", \"genres\": [{\"genre\", \"probability\"}], \"warning\"}", .offset = O(json)},
    {.name = "timeline", .type = CLI_FLAG, .help = "also the genres of each window (30 s, or the model's segment length)", .offset = O(timeline)},
    {.name = "max-duration", .type = CLI_DOUBLE, .metavar = "S", .min = 0, .max = 1e7, .def = "1200", .help = "refuse files longer than S seconds (0 = no limit)", .offset = O(max_duration)},
    {.name = "output", .short_name = 'o', .type = CLI_FILE_OUT, .metavar = "OUT", .help = "a catalog's table instead of the lines on standard output: .csv (file,genre_1,probability_1,...,warning) or .jsonl (one --json object a line), written atomically", .offset = O(out)},
    {.name = "shard", .type = CLI_STRING, .metavar = "K/N", .help = "only the inputs whose index in the sorted list is K modulo N, into the part file -o OUT.part that `audiostyle merge` joins into the .csv or .jsonl named by --format; rerun, it resumes (slurm: K and N of the Slurm array task; slurm/N: K is the task id)", .offset = O(shard)},
    {.name = "format", .type = CLI_CHOICE, .choices = "csv|jsonl", .def = "csv", .help = "with --shard: what the parts are made for (-o OUT.csv or OUT.jsonl gives it otherwise)", .offset = O(format)},
    {.name = "model-type", .type = CLI_REFUSED, .help = "classify takes a model file (--model FILE); --model-type is for train and evaluate"},
};
#undef O

const cli_command cli_cmd_classify = {
    .name = "classify",
    .synopsis = "PATH... [--model FILE] [--top K] [--json] [--timeline]",
    .summary = "tell the genre of audio files",
    .description = "Prints the most likely genres of each file with their probabilities. PATH is a file or a folder "
                   "(searched recursively for audio files). Tracks of at least 4/3 of a window are cut into "
                   "consecutive windows whose probabilities are averaged; a remainder of at least a third of a "
                   "window is covered by one more window that ends at the end of the track. Shorter tracks are "
                   "classified whole. A track under 3 s, or with an RMS level under -60 dBFS, gets a warning "
                   "line on stderr (and a \"warning\" in --json): its genres mean little.",
    .opts = classify_opts,
    .n_opts = CLI_N(classify_opts),
    .run = cmd_classify,
};

static void print_genres_json(FILE *f, const as_genre_model *m, const double *p, int top)
{
    int r[AS_GENRE_MAX_CLASSES];
    top = as_genre_top(p, as_genre_n_classes(m), r, top);
    fprintf(f, "[");
    for (int i = 0; i < top; i++) {
        fprintf(f, "%s{\"genre\": ", i ? ", " : "");
        cli_json_str(f, as_genre_label(m, r[i]));
        fprintf(f, ", \"probability\": %.6f}", p[r[i]]);
    }
    fprintf(f, "]");
}

/* One file's --json object (the element of the array; a line of a .jsonl catalog). */
static void print_item_json(FILE *f, const as_genre_model *m, const char *file, const double *avg, int top,
                            const char *warning, int timeline, int nw, const int64_t *starts, int64_t wl,
                            const double *wp)
{
    int C = as_genre_n_classes(m);
    fprintf(f, "{\"file\": ");
    cli_json_str(f, file);
    fprintf(f, ", \"genres\": ");
    print_genres_json(f, m, avg, top);
    fprintf(f, ", \"warning\": ");
    if (warning[0]) cli_json_str(f, warning);
    else fprintf(f, "null");
    if (timeline) {
        fprintf(f, ", \"windows\": [");
        for (int w = 0; w < nw; w++) {
            fprintf(f, "%s{\"start_s\": %.3f, \"end_s\": %.3f, \"genres\": ", w ? ", " : "",
                    (double)starts[w] / AS_SR, (double)(starts[w] + wl) / AS_SR);
            print_genres_json(f, m, wp + (size_t)w * C, top);
            fprintf(f, "}");
        }
        fprintf(f, "]");
    }
    fprintf(f, "}");
}

/* One file's row of a .csv catalog: file, the top genres and their probabilities, warning. */
static void print_item_csv(FILE *f, const as_genre_model *m, const char *file, const double *avg, int top,
                           const char *warning)
{
    int r[AS_GENRE_MAX_CLASSES];
    int n = as_genre_top(avg, as_genre_n_classes(m), r, top);
    as_csv_put_field(f, file);
    for (int i = 0; i < top; i++) {
        fputc(',', f);
        if (i < n) as_csv_put_field(f, as_genre_label(m, r[i]));
        if (i < n) fprintf(f, ",%.6f", avg[r[i]]);
        else fputc(',', f);
    }
    fputc(',', f);
    as_csv_put_field(f, warning);
    fputc('\n', f);
}

/* The catalog (-o): the lines of every file in memory (a single run) or in a part (--shard). */
typedef struct catalog_out {
    cli_part *part;
    char **text;   /* (n_inputs,) a single run's lines, NULL for failed files */
    size_t *len;
    int csv;
} catalog_out;

/* A failed file: the line on stderr, and in the part. */
static void file_failed(catalog_out *co, size_t idx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void file_failed(catalog_out *co, size_t idx, const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "audiostyle: %s\n", msg);
    if (co->part) cli_part_fail(co->part, idx, msg);
}

static void print_genres_text(const as_genre_model *m, const double *p, int top)
{
    int r[AS_GENRE_MAX_CLASSES];
    top = as_genre_top(p, as_genre_n_classes(m), r, top);
    for (int i = 0; i < top; i++) printf("%s%s %.1f %%", i ? ", " : "", as_genre_label(m, r[i]), 100 * p[r[i]]);
}

static void fmt_t(char *b, size_t n, double s)
{
    long t = (long)(s + 0.5);
    snprintf(b, n, "%ld:%02ld", t / 60, t % 60);
}

/* The header and catalog description of a -o run; NULL on failure. */
static char *catalog_header(int csv, int top)
{
    if (!csv) return strdup("");
    char *t = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&t, &len);
    if (!m) return NULL;
    fprintf(m, "file");
    for (int i = 1; i <= top; i++) fprintf(m, ",genre_%d,probability_%d", i, i);
    fprintf(m, ",warning\n");
    if (fclose(m) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

int cmd_classify(int argc, char **argv)
{
    classify_args o = {0};
    cli_args pa;
    int prc = cli_parse(&cli_cmd_classify, argc, argv, &o, &pa);
    if (prc != CLI_CONTINUE) return prc;
    const char *model_path = o.model;
    int top = o.top, json = o.json, timeline = o.timeline;
    as_load_opts lo = {0};
    lo.max_duration_s = o.max_duration;
    if (!pa.npos) return cli_usage("classify", "no input files");
    /* a catalog: -o OUT.csv | OUT.jsonl, or with --shard a part for either */
    cli_shard shard = {0, 0};
    catalog_out co = {0};
    int catalog = o.out != NULL;
    if (o.shard && !cli_shard_parse("classify", o.shard, &shard)) return 2;
    if (shard.n && !catalog) return cli_usage("classify", "--shard writes a part file: give -o OUT.part");
    if (catalog) {
        size_t L = strlen(o.out);
        int is_jsonl = L > 6 && strcmp(o.out + L - 6, ".jsonl") == 0;
        if (json) return cli_usage("classify", "-o writes the table (.csv, or .jsonl for JSON lines); leave out --json");
        co.csv = shard.n ? o.format == 0 : !is_jsonl;
        if (!shard.n && cli_given(&cli_cmd_classify, &pa, "format") && co.csv != (o.format == 0))
            return cli_usage("classify", "--format %s and -o %s disagree", o.format ? "jsonl" : "csv", o.out);
        if (co.csv && timeline) return cli_usage("classify", "--timeline needs JSON lines (-o OUT.jsonl)");
        cli_out outs[] = {{.path = o.out, .what = shard.n ? "the part" : "the table",
                           .exts = shard.n ? ".part" : ".csv|.jsonl", .stdout_ok = !shard.n, .named = 1}};
        int bad = cli_check_paths("classify", outs, 1, (const char *const *)pa.pos, pa.npos, 0);
        if (bad) return bad;
    }
    cli_inputs in = {0};
    int walk_failed = cli_walk(pa.pos, pa.npos, &in);
    int nfiles = (int)in.n;
    char **files = calloc(in.n + 1, sizeof *files);
    unsigned char *skip = calloc(in.n + 1, 1);
    if (!files || !skip) {
        free(files);
        free(skip);
        cli_inputs_free(&in);
        return cli_error(NULL, AS_ERR_NOMEM, "classify");
    }
    for (size_t i = 0; i < in.n; i++) files[i] = in.v[i].path;
    as_error err = {0};
    as_genre_model *m = NULL;
    as_status st = model_path ? as_genre_load(model_path, &m, &err) : as_genre_load_default(&m, &err);
    if (st != AS_OK) {
        free(files);
        free(skip);
        cli_inputs_free(&in);
        return cli_error(&err, st, model_path ? model_path : "built-in model");
    }
    int C = as_genre_n_classes(m);
    if (top <= 0 || top > C) top = C;
    int rc = 1;
    char *header = NULL;
    as_features *fx = NULL;
    int64_t *starts = NULL;
    double *wp = NULL;
    if (catalog) {
        header = catalog_header(co.csv, top);
        co.text = calloc(in.n + 1, sizeof *co.text);
        co.len = calloc(in.n + 1, sizeof *co.len);
        int bad = !header || !co.text || !co.len;
        if (!bad && shard.n) {
            uint64_t h = CLI_HASH_INIT;
            for (size_t i = 0; i < in.n; i++) h = cli_hash(h, files[i], strlen(files[i]) + 1);
            char opts[4400];
            snprintf(opts, sizeof opts, "model=%s top=%d timeline=%d max-duration=%.17g format=%s",
                     model_path ? model_path : "built-in", top, timeline, o.max_duration, co.csv ? "csv" : "jsonl");
            cli_catalog c = {.command = "classify", .ext = co.csv ? ".csv" : ".jsonl", .options = opts,
                             .header = header, .total = in.n, .names = (const char *const *)files, .list_hash = h};
            co.part = cli_part_open(o.out, &c, shard, skip, 0);
            if (!co.part) bad = 2;
            for (size_t i = 0; i < in.n; i++)
                if (i % (size_t)shard.n != (size_t)shard.k) skip[i] = 1;
        }
        if (bad) {
            if (bad == 1) cli_error(NULL, AS_ERR_NOMEM, "classify");
            goto done;
        }
    }
    fx = as_features_create(&st);
    if (!fx) {
        cli_part_close(co.part);
        rc = cli_error(NULL, st, "features");
        goto done;
    }
    int64_t seg = as_genre_segment_length(m);
    int failed = walk_failed, printed = 0;
    enum { MAXW = 4096 }; /* 34 hours of 30-s windows, 3.4 hours of 3-s ones */
    starts = malloc(sizeof(int64_t) * MAXW);
    wp = malloc(sizeof(double) * (size_t)MAXW * C);
    if (!starts || !wp) {
        cli_part_close(co.part);
        rc = cli_error(NULL, AS_ERR_NOMEM, "classify");
        goto done;
    }
    if (catalog) cli_catch_interrupts(); /* a part keeps what is done; a table is not written */
    if (json) printf("[");
    for (int f = 0; f < nfiles; f++) {
        if (skip[f]) continue;
        if (catalog && cli_interrupted()) break;
        if (co.part) cli_part_progress(co.part, 0);
        as_signal y = {0};
        memset(&err, 0, sizeof err);
        st = as_audio_load(files[f], &lo, &y, &err);
        if (st != AS_OK) {
            if (err.msg[0]) file_failed(&co, (size_t)f, "%s", err.msg);
            else file_failed(&co, (size_t)f, "%s: %s", files[f], as_strerror(st));
            if (err.hint[0]) fprintf(stderr, "hint: %s\n", err.hint);
            failed++;
            continue;
        }
        int64_t wl = 0;
        int nw = as_genre_windows(y.n, seg, starts, MAXW, &wl);
        double avg[AS_GENRE_MAX_CLASSES] = {0};
        for (int w = 0; w < nw && st == AS_OK; w++) {
            double x[AS_FEATURES_COUNT];
            st = as_features_compute(fx, y.data + starts[w], wl, x);
            if (st == AS_OK) st = as_genre_predict(m, x, wp + (size_t)w * C);
            for (int c = 0; st == AS_OK && c < C; c++) avg[c] += wp[(size_t)w * C + c] / nw;
        }
        int64_t n_samples = y.n;
        char warning[160];
        cli_genre_warning(y.data, y.n, warning, sizeof warning);
        as_signal_free(&y);
        if (st != AS_OK && (st == AS_ERR_ARG || st == AS_ERR_EMPTY) && n_samples <= 1024) {
            file_failed(&co, (size_t)f, "%s: too short to classify (%lld samples at 22050 Hz; more than 1024 needed)",
                        files[f], (long long)n_samples);
            failed++;
            continue;
        }
        if (st != AS_OK) {
            file_failed(&co, (size_t)f, "%s: cannot classify: %s", files[f], as_strerror(st));
            if (st == AS_ERR_ARG || st == AS_ERR_EMPTY) fprintf(stderr, "hint: the track may be too short\n");
            failed++;
            continue;
        }
        if (warning[0]) {
            fflush(stdout);
            fprintf(stderr, "audiostyle: warning: %s: %s\n", files[f], warning);
        }
        if (catalog) {
            char *t = NULL;
            size_t tl = 0;
            FILE *ms = open_memstream(&t, &tl);
            if (ms) {
                if (co.csv) print_item_csv(ms, m, files[f], avg, top, warning);
                else {
                    print_item_json(ms, m, files[f], avg, top, warning, timeline, nw, starts, wl, wp);
                    fputc('\n', ms);
                }
            }
            if (!ms || fclose(ms) != 0) {
                free(t);
                failed += cli_error(NULL, AS_ERR_NOMEM, files[f]);
                continue;
            }
            if (co.part) {
                failed += cli_part_add(co.part, (size_t)f, t, tl);
                free(t);
            } else {
                co.text[f] = t;
                co.len[f] = tl;
            }
            printed++;
            continue;
        }
        if (json) {
            printf("%s\n ", printed ? "," : "");
            print_item_json(stdout, m, files[f], avg, top, warning, timeline, nw, starts, wl, wp);
        } else {
            printf("%s: ", files[f]);
            print_genres_text(m, avg, top);
            printf("\n");
            if (timeline)
                for (int w = 0; w < nw; w++) {
                    char a[32], b[32];
                    fmt_t(a, sizeof a, (double)starts[w] / AS_SR);
                    fmt_t(b, sizeof b, (double)(starts[w] + wl) / AS_SR);
                    printf("  %s-%s  ", a, b);
                    print_genres_text(m, wp + (size_t)w * C, top);
                    printf("\n");
                }
        }
        printed++;
        fflush(stdout);
    }
    if (json) printf("%s]\n", printed ? "\n" : "");
    if (co.part) {
        int interrupted = cli_interrupted();
        cli_part_progress(co.part, 1);
        if (cli_part_close(co.part) != 0) failed++;
        if (interrupted) {
            fprintf(stderr, "audiostyle: classify: interrupted; %s keeps the files done (the same command resumes)\n", o.out);
            failed++;
        }
    } else if (catalog && cli_interrupted()) {
        fprintf(stderr, "audiostyle: classify: interrupted; %s not written\n", o.out);
        failed++;
    } else if (catalog && printed == 0) {
        fprintf(stderr, "audiostyle: classify: no file could be classified; %s not written\n", o.out);
        failed++;
    } else if (catalog) {
        /* the table: the header, then each file's line in input order */
        const char **data = calloc(in.n + 1, sizeof *data);
        size_t *len = calloc(in.n + 1, sizeof *len), n = 0;
        if (data && len) {
            data[n] = header;
            len[n++] = strlen(header);
            for (size_t i = 0; i < in.n; i++)
                if (co.text[i]) {
                    data[n] = co.text[i];
                    len[n++] = co.len[i];
                }
            char tmp[4096];
            const char *dst = cli_out_path(o.out, co.csv ? ".csv" : ".jsonl", tmp, sizeof tmp);
            if (!dst || cli_write_chunks(dst, data, len, n) != 0) {
                cli_out_discard(o.out, dst);
                failed++;
            } else if (cli_out_finish(o.out, dst) != 0) {
                failed++;
            }
        } else {
            failed += cli_error(NULL, AS_ERR_NOMEM, "classify");
        }
        free(data);
        free(len);
    }
    rc = failed ? 1 : 0;
done:
    for (size_t i = 0; co.text && i < in.n; i++) free(co.text[i]);
    free(co.text);
    free(co.len);
    free(header);
    free(starts);
    free(wp);
    as_features_destroy(fx);
    as_genre_destroy(m);
    free(files);
    free(skip);
    cli_inputs_free(&in);
    return rc;
}
