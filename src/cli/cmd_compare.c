/* cmd_compare.c — audiostyle compare CONTENT STYLE RESULT -o REPORT.html: the journey report
 * (as_report_write_html) for three tracks, e.g. the inputs and the output of a transfer. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char *CMD = "compare";

static void usage(FILE *f)
{
    fprintf(f,
        "usage: audiostyle compare CONTENT STYLE RESULT -o REPORT.html [options]\n"
        "  Writes one self-contained HTML page (no JavaScript; pictures and audio embedded) that\n"
        "  compares the three tracks: players, spectrograms, waveforms, chroma, spectral centroid,\n"
        "  bandwidth, rolloff, flatness, onset strength and loudness over time, tempo, genre\n"
        "  probabilities (built-in model), similarity of the result to each input, genre shift.\n"
        "\n"
        "  -o, --output FILE      the report (required)\n"
        "  --title T              the page title (default: audiostyle: RESULT)\n"
        "  --max-duration S       refuse inputs longer than S seconds (1200)\n"
        "  --quiet                print nothing on success\n");
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int cmd_compare(int argc, char **argv)
{
    const char *in[3] = {NULL, NULL, NULL}, *out = NULL, *title = NULL;
    int nin = 0, quiet = 0;
    double max_dur = 1200;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (!v) return cli_usage(CMD, "%s needs a value", a);
            out = v;
            i++;
        } else if (!strcmp(a, "--title")) {
            if (!v) return cli_usage(CMD, "%s needs a value", a);
            title = v;
            i++;
        } else if (!strcmp(a, "--max-duration")) {
            if (!cli_parse_double(CMD, a, v, 0.1, 1e7, &max_dur)) return 2;
            i++;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage(CMD, "unknown option '%s'", a);
        } else {
            if (nin >= 3) return cli_usage(CMD, "too many inputs ('%s'): give CONTENT, STYLE and RESULT", a);
            in[nin++] = a;
        }
    }
    if (nin < 3) return cli_usage(CMD, "give CONTENT, STYLE and RESULT files");
    if (!out) return cli_usage(CMD, "no output file: use -o REPORT.html");

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
