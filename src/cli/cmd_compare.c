/* cmd_compare.c — audiostyle compare CONTENT STYLE RESULT -o REPORT.html: the journey report
 * (as_report_write_html) for three tracks, e.g. the inputs and the output of a transfer. */
#include "cli.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char *CMD = "compare";

typedef struct compare_args {
    const char *out, *title;
    double max_dur;
    int quiet, force;
} compare_args;

#define O(f) offsetof(compare_args, f)
static const cli_opt compare_opts[] = {
    {.name = "output", .short_name = 'o', .type = CLI_FILE_OUT, .metavar = "REPORT.html", .help = "the report (required)", .offset = O(out)},
    {.name = "title", .type = CLI_STRING, .metavar = "T", .def_text = "audiostyle: RESULT", .help = "the page title", .offset = O(title)},
    {.name = "max-duration", .type = CLI_DOUBLE, .metavar = "S", .min = 0.1, .max = 1e7, .def = "1200", .help = "refuse inputs longer than S seconds", .offset = O(max_dur)},
    {.name = "force", .type = CLI_FLAG, .help = "replace existing files the command would write without being named", .offset = O(force)},
    {.name = "quiet", .short_name = 'q', .type = CLI_FLAG, .help = "print nothing but errors", .offset = O(quiet)},
};
#undef O

const cli_command cli_cmd_compare = {
    .name = "compare",
    .synopsis = "CONTENT STYLE RESULT -o REPORT.html [options]",
    .summary = "an HTML report comparing content, style and result",
    .description = "Writes one self-contained HTML page (no JavaScript; pictures and audio embedded) that compares "
                   "the three tracks: players, spectrograms, waveforms, chroma, spectral centroid, bandwidth, "
                   "rolloff, flatness, onset strength and loudness over time, tempo, genre probabilities (built-in "
                   "model), similarity of the result to each input, genre shift, and a Quality section with the "
                   "five transfer-quality metrics (also printed on stderr). Numbers computed from too few "
                   "frames show as a dash; tracks under 3 s or quieter than -60 dBFS RMS get a warning beside "
                   "their genres.",
    .opts = compare_opts,
    .n_opts = CLI_N(compare_opts),
    .run = cmd_compare,
};

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int cmd_compare(int argc, char **argv)
{
    compare_args o = {0};
    cli_args a;
    int prc = cli_parse(&cli_cmd_compare, argc, argv, &o, &a);
    if (prc != CLI_CONTINUE) return prc;
    if (a.npos > 3) return cli_usage(CMD, "too many inputs ('%s'): give CONTENT, STYLE and RESULT", a.pos[3]);
    if (a.npos < 3) return cli_usage(CMD, "give CONTENT, STYLE and RESULT files");
    const char *in[3] = {a.pos[0], a.pos[1], a.pos[2]}, *out = o.out, *title = o.title;
    int quiet = o.quiet;
    double max_dur = o.max_dur;
    if (!out) return cli_usage(CMD, "no output file: use -o REPORT.html");
    {
        cli_out outs[] = {{.path = out, .what = "the report", .exts = ".html|.htm", .named = 1}};
        int bad = cli_check_paths(CMD, outs, 1, in, 3, o.force);
        if (bad) return bad;
    }

    as_signal sig[3] = {{0}, {0}, {0}};
    as_error err = {0};
    as_load_opts lo = {0};
    lo.max_duration_s = max_dur;
    int status = 1;
    for (int k = 0; k < 3; k++) {
        as_status rc = as_audio_load(in[k], &lo, &sig[k], &err);
        if (rc != AS_OK) {
            cli_error(&err, rc, in[k]);
            goto done;
        }
    }
    as_report_track tr[3];
    for (int k = 0; k < 3; k++) tr[k] = (as_report_track){.name = base_name(in[k]), .y = sig[k].data, .n = sig[k].n};
    as_report_opts ro;
    as_report_opts_default(&ro);
    char tbuf[512], sbuf[1024];
    snprintf(tbuf, sizeof tbuf, "audiostyle: %s", base_name(in[2]));
    ro.title = title ? title : tbuf;
    snprintf(sbuf, sizeof sbuf, "audiostyle compare %s %s %s", in[0], in[1], in[2]);
    ro.settings = sbuf;
    double t0 = cli_now();
    as_status rc = as_report_write_html(out, tr, NULL, &ro, &err);
    if (rc != AS_OK) {
        cli_error(&err, rc, out);
        goto done;
    }
    if (!quiet) fprintf(stderr, "audiostyle: wrote %s (%.1f s)\n", out, cli_now() - t0);
    /* the transfer-quality metrics (docs/transfer-quality.md); undefined ones are said, not fatal */
    as_quality q;
    as_error qerr = {0};
    if (as_quality_compute(sig[0].data, sig[0].n, sig[1].data, sig[1].n, sig[2].data, sig[2].n, &q, &qerr) == AS_OK) {
        if (!quiet)
            fprintf(stderr, "audiostyle: quality: style distance %.4f (lower is better), rhythm %.4f, chroma %.4f "
                    "(higher is better), flatness %.3f (1 is best), level %+.2f dB (0 is best)\n",
                    q.style_distance_ratio, q.rhythm_correlation, q.chroma_similarity, q.flatness_ratio, q.level_db);
    } else if (!quiet) {
        fprintf(stderr, "audiostyle: quality: not defined (%s)\n", qerr.msg);
    }
    status = 0;
done:
    for (int k = 0; k < 3; k++) as_signal_free(&sig[k]);
    return status;
}
