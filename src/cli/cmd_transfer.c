/* cmd_transfer.c — audiostyle transfer CONTENT STYLE -o OUT [options]: spectrogram neural style
 * transfer (as_style_*). Prints an estimate of time and memory first and refuses jobs that would
 * not fit in memory; shows progress on a terminal; Ctrl-C stops cleanly (nothing is written
 * unless --save-on-interrupt); --json prints the run's numbers at the end. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char *CMD = "transfer";

static void usage(FILE *f)
{
    fprintf(f,
        "usage: audiostyle transfer CONTENT STYLE -o OUT [options]\n"
        "  Makes CONTENT sound in the manner of STYLE (Ulyanov & Lebedev's spectrogram style\n"
        "  transfer, the TensorFlow notebook's recipe) and writes OUT (.wav, .flac or .ogg, 22050 Hz\n"
        "  mono, exactly as long as CONTENT), peak-limited to -1 dBFS (scaled down only if louder),\n"
        "  and OUT's name with .png: the content, style and result spectrograms side by side.\n"
        "  Ends with the top-3 genres of content, style and result (built-in model) and the genre\n"
        "  shift: the probability of the style's top genre in the content and in the result.\n"
        "  Whole tracks by default; cost grows linearly with their length (an estimate of time and\n"
        "  memory is printed first).\n"
        "\n"
        "  -o, --output FILE            the result (required)\n"
        "  --preset default|notebook    default: the best measured quality per second (from the\n"
        "                               content, fewer iterations, content phase and level);\n"
        "                               notebook: the TF notebook's recipe exactly. Options given\n"
        "                               explicitly override the preset\n"
        "network and loss:\n"
        "  --filters N                  random convolution filters (4096)\n"
        "  --kernel-width K             filter width in frames (11)\n"
        "  --padding valid|same         convolution padding (valid)\n"
        "  --gram-divisor frames|output-frames\n"
        "                               divide each Gram matrix by the track's frames T (the\n"
        "                               notebook, default) or by the convolution's output frames\n"
        "  --content-weight A           weight of the content loss (0.01); 0 with --init content is\n"
        "                               Grinstein et al.'s style-only mode\n"
        "  --style-weight B             weight of the style loss (1)\n"
        "optimisation:\n"
        "  --optimizer lbfgs|adam       L-BFGS (default) or Adam with early stopping\n"
        "  --iterations N               optimiser iterations (300 for lbfgs, 2000 for adam)\n"
        "  --lbfgs-memory M             L-BFGS history pairs (10, as scipy's L-BFGS-B)\n"
        "  --learning-rate LR           Adam's step size (1.0)\n"
        "  --patience N                 Adam: stop after N steps without improvement (50; 0 = off)\n"
        "  --init noise|content|content-eq\n"
        "                               start from small noise, from the content, or from the\n"
        "                               content equalised to the style's average spectrum\n"
        "  --stop-decrease F            stop when the loss fell by less than the fraction F over\n"
        "                               10 iterations (0 = run all iterations)\n"
        "  --init-scale SIGMA           standard deviation of the initial noise (0.001)\n"
        "reconstruction:\n"
        "  --griffin-lim-iterations N   Griffin-Lim iterations (500)\n"
        "  --phase random|content       Griffin-Lim's initial phase (random)\n"
        "  --level content|style|none   the result's RMS level: the content's (default), the\n"
        "                               style's, or as Griffin-Lim made it; then peak-limited\n"
        "input excerpts (seconds):\n"
        "  --content-offset S  --content-duration S  --style-offset S  --style-duration S\n"
        "run:\n"
        "  --seed N                     random weights, initial noise and phase (0)\n"
        "  --threads N                  BLAS and Griffin-Lim threads (default: all cores)\n"
        "  --precision auto|fp32|bf16   the convolution's engine (auto: bf16 where oneDNN reports\n"
        "                               AVX512-BF16 or AMX, else fp32)\n"
        "  --max-memory MB              refuse jobs estimated above MB (default: available memory)\n"
        "  --save-on-interrupt          on Ctrl-C, render and write the result so far\n"
        "  --no-picture                 do not write the PNG\n"
        "  --report FILE.html           also write the journey report (as `audiostyle compare`)\n"
        "  --max-duration S             refuse inputs longer than S seconds (1200)\n"
        "  --quiet                      no estimate, progress or summary on stderr\n"
        "  --json                       print the run's numbers as one JSON object on stdout\n");
}

/* Available memory in MB: MemAvailable from /proc/meminfo, else free pages; 0 if unknown. */
static double available_mb(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f)) {
            long long kb;
            if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1) {
                fclose(f);
                return kb / 1024.0;
            }
        }
        fclose(f);
    }
#ifdef _SC_AVPHYS_PAGES
    long pages = sysconf(_SC_AVPHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    if (pages > 0 && psz > 0) return (double)pages * psz / (1024.0 * 1024.0);
#endif
    return 0;
}

static void fmt_dur(char *b, size_t n, double s)
{
    if (!(s >= 0) || s > 1e7) snprintf(b, n, "?");
    else if (s < 60) snprintf(b, n, "%.0f s", ceil(s));
    else if (s < 3600) snprintf(b, n, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60));
    else snprintf(b, n, "%d h %02d min", (int)(s / 3600), (int)fmod(s / 60, 60));
}

static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n > e && strcasecmp(path + n - e, ext) == 0;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

typedef struct run_ui {
    cli_progress bar;
    int quiet, stage, watch_interrupts;
    char extra[160];
} run_ui;

static int on_progress(const as_style_progress *p, void *user)
{
    run_ui *ui = user;
    if (p->stage != ui->stage) {
        cli_progress_end(&ui->bar);
        cli_progress_begin(&ui->bar, p->stage == AS_STYLE_STAGE_GRIFFIN_LIM ? "griffin-lim" : "optimise",
                           ui->quiet);
        ui->stage = p->stage;
    }
    if (p->stage == AS_STYLE_STAGE_OPTIMIZE)
        snprintf(ui->extra, sizeof ui->extra, "%d evaluations  content %.4g  style %.4g",
                 p->evaluations, p->content_loss, p->style_loss);
    else
        ui->extra[0] = 0;
    cli_progress_update(&ui->bar, p->iteration, p->iterations, ui->extra);
    return ui->watch_interrupts && cli_interrupted();
}

static int parse_choice(const char *opt, const char *v, const char *a, const char *b, int *out)
{
    if (v && strcmp(v, a) == 0) { *out = 0; return 1; }
    if (v && strcmp(v, b) == 0) { *out = 1; return 1; }
    cli_usage(CMD, "%s needs '%s' or '%s' (got '%s')", opt, a, b, v ? v : "");
    return 0;
}

static void json_num(const char *key, double v)
{
    if (isfinite(v)) printf(", \"%s\": %.10g", key, v);
    else printf(", \"%s\": null", key);
}

/* Genre probabilities of the three tracks (built-in model). */
typedef struct genre_out {
    as_genre_model *m;
    int C;
    double p[3][AS_GENRE_MAX_CLASSES];
    int top[3][3];
} genre_out;

static as_status classify3(genre_out *g, const float *const y[3], const int64_t n[3], as_error *err)
{
    as_status st = as_genre_load_default(&g->m, err);
    if (st != AS_OK) return st;
    g->C = as_genre_n_classes(g->m);
    as_features *fx = as_features_create(&st);
    for (int k = 0; k < 3 && st == AS_OK; k++) {
        st = as_genre_classify_signal(g->m, fx, y[k], n[k], g->p[k]);
        as_genre_top(g->p[k], g->C, g->top[k], 3);
    }
    as_features_destroy(fx);
    return st;
}

static const char *const ROLE[3] = {"content", "style", "result"};

static void print_genres_text(const genre_out *g, const char *const names[3])
{
    for (int k = 0; k < 3; k++) {
        printf("%-8s %s:", ROLE[k], names[k]);
        for (int i = 0; i < 3 && i < g->C; i++)
            printf("%s %s %.1f %%", i ? "," : "", as_genre_label(g->m, g->top[k][i]), 100 * g->p[k][g->top[k][i]]);
        printf("\n");
    }
    int t = g->top[1][0];
    printf("genre shift: %s (the style's top genre) %.1f %% in the content -> %.1f %% in the result\n",
           as_genre_label(g->m, t), 100 * g->p[0][t], 100 * g->p[2][t]);
}

static void print_genres_json(const genre_out *g)
{
    printf(", \"genres\": {");
    for (int k = 0; k < 3; k++) {
        printf("%s\"%s\": [", k ? ", " : "", ROLE[k]);
        for (int i = 0; i < 3 && i < g->C; i++) {
            printf("%s{\"genre\": ", i ? ", " : "");
            cli_json_str(stdout, as_genre_label(g->m, g->top[k][i]));
            printf(", \"probability\": %.6f}", g->p[k][g->top[k][i]]);
        }
        printf("]");
    }
    int t = g->top[1][0];
    printf("}, \"genre_shift\": {\"genre\": ");
    cli_json_str(stdout, as_genre_label(g->m, t));
    printf(", \"content\": %.6f, \"result\": %.6f}", g->p[0][t], g->p[2][t]);
}

/* Writes the three spectrograms side by side. */
static int write_picture(as_style *st, const char *png, const char *cpath, const char *spath,
                         as_error *err)
{
    int64_t Tc = as_style_frames(st, AS_STYLE_CONTENT), Ts = as_style_frames(st, AS_STYLE_STYLE);
    float *c = malloc(sizeof(float) * 1025 * (size_t)Tc), *s = malloc(sizeof(float) * 1025 * (size_t)Ts);
    float *r = malloc(sizeof(float) * 1025 * (size_t)Tc);
    as_status rc = AS_ERR_NOMEM;
    if (c && s && r) {
        as_style_get_spectrogram(st, AS_STYLE_CONTENT, c);
        as_style_get_spectrogram(st, AS_STYLE_STYLE, s);
        as_style_get_spectrogram(st, AS_STYLE_RESULT, r);
        char t1[300], t2[300];
        snprintf(t1, sizeof t1, "content: %s", base_name(cpath));
        snprintf(t2, sizeof t2, "style: %s", base_name(spath));
        as_spec_panel p[3] = {
            {.S = c, .F = 1025, .T = Tc, .sr = AS_SR, .hop = 512, .n_fft = 2048, .title = t1},
            {.S = s, .F = 1025, .T = Ts, .sr = AS_SR, .hop = 512, .n_fft = 2048, .title = t2},
            {.S = r, .F = 1025, .T = Tc, .sr = AS_SR, .hop = 512, .n_fft = 2048, .title = "result"},
        };
        as_plot_opts po = {0};
        po.freq_scale = AS_FREQ_LOG;
        po.title = "audiostyle transfer";
        rc = as_plot_spectrograms(png, p, 3, &po, err);
    }
    free(c);
    free(s);
    free(r);
    return rc;
}

int cmd_transfer(int argc, char **argv)
{
    as_style_config cfg;
    as_style_config_default(&cfg);
    /* --preset first, wherever it stands: explicit options override it */
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--preset")) {
            int p = as_style_preset_from_name(argv[i + 1]);
            if (p < 0) return cli_usage(CMD, "--preset needs 'default' or 'notebook' (got '%s')", argv[i + 1]);
            as_style_config_preset(&cfg, p);
        }
    const char *in[2] = {NULL, NULL}, *out = NULL, *report = NULL;
    double max_dur = 1200;
    as_load_opts lo[2] = {{0}, {0}};
    int quiet = 0, json = 0, picture = 1, save_on_interrupt = 0, nin = 0;
    double max_mem = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDS_VALUE()                                                  \
    do {                                                               \
        if (!v) return cli_usage(CMD, "%s needs a value", a);          \
        i++;                                                           \
    } while (0)
        if (a[0] != '-' || a[1] == '\0') {
            if (nin >= 2) return cli_usage(CMD, "too many inputs ('%s'): give CONTENT and STYLE", a);
            in[nin++] = a;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            NEEDS_VALUE();
            out = v;
        } else if (!strcmp(a, "--filters")) {
            NEEDS_VALUE();
            if (!cli_parse_int(CMD, a, v, 1, 65536, &cfg.filters)) return 2;
        } else if (!strcmp(a, "--kernel-width")) {
            NEEDS_VALUE();
            if (!cli_parse_int(CMD, a, v, 1, 1001, &cfg.kernel_width)) return 2;
        } else if (!strcmp(a, "--padding")) {
            NEEDS_VALUE();
            if (!parse_choice(a, v, "valid", "same", &cfg.padding)) return 2;
        } else if (!strcmp(a, "--gram-divisor")) {
            NEEDS_VALUE();
            if (!parse_choice(a, v, "frames", "output-frames", &cfg.gram_divisor)) return 2;
        } else if (!strcmp(a, "--content-weight")) {
            NEEDS_VALUE();
            if (!cli_parse_double(CMD, a, v, 0, 1e12, &cfg.content_weight)) return 2;
        } else if (!strcmp(a, "--style-weight")) {
            NEEDS_VALUE();
            if (!cli_parse_double(CMD, a, v, 0, 1e12, &cfg.style_weight)) return 2;
        } else if (!strcmp(a, "--optimizer")) {
            NEEDS_VALUE();
            if (!parse_choice(a, v, "lbfgs", "adam", &cfg.optimizer)) return 2;
        } else if (!strcmp(a, "--iterations")) {
            NEEDS_VALUE();
            if (!cli_parse_int(CMD, a, v, 1, 1000000, &cfg.iterations)) return 2;
        } else if (!strcmp(a, "--lbfgs-memory")) {
            NEEDS_VALUE();
            if (!cli_parse_int(CMD, a, v, 1, 100, &cfg.lbfgs_memory)) return 2;
        } else if (!strcmp(a, "--learning-rate")) {
            NEEDS_VALUE();
            if (!cli_parse_double(CMD, a, v, 1e-12, 1e6, &cfg.learning_rate)) return 2;
        } else if (!strcmp(a, "--patience")) {
            NEEDS_VALUE();
            if (!cli_parse_int(CMD, a, v, 0, 1000000, &cfg.patience)) return 2;
        } else if (!strcmp(a, "--init")) {
            NEEDS_VALUE();
            if (v && !strcmp(v, "content-eq")) cfg.init = AS_STYLE_INIT_CONTENT_EQ;
            else if (!parse_choice(a, v, "noise", "content", &cfg.init)) return 2;
        } else if (!strcmp(a, "--init-scale")) {
            NEEDS_VALUE();
            if (!cli_parse_double(CMD, a, v, 0, 1e3, &cfg.init_scale)) return 2;
        } else if (!strcmp(a, "--griffin-lim-iterations")) {
            NEEDS_VALUE();
            if (!cli_parse_int(CMD, a, v, 1, 100000, &cfg.griffin_lim_iterations)) return 2;
        } else if (!strcmp(a, "--phase")) {
            NEEDS_VALUE();
            if (!parse_choice(a, v, "random", "content", &cfg.phase)) return 2;
        } else if (!strcmp(a, "--content-offset") || !strcmp(a, "--style-offset")) {
            NEEDS_VALUE();
            if (!cli_parse_double(CMD, a, v, 0, 1e7, &lo[a[2] == 's'].offset_s)) return 2;
        } else if (!strcmp(a, "--content-duration") || !strcmp(a, "--style-duration")) {
            NEEDS_VALUE();
            if (!cli_parse_double(CMD, a, v, 0.05, 1e7, &lo[a[2] == 's'].duration_s)) return 2;
        } else if (!strcmp(a, "--seed")) {
            NEEDS_VALUE();
            if (!cli_parse_u64(CMD, a, v, &cfg.seed)) return 2;
        } else if (!strcmp(a, "--precision")) {
            NEEDS_VALUE();
            if (!strcmp(v, "auto")) cfg.precision = AS_STYLE_PRECISION_AUTO;
            else if (!strcmp(v, "fp32")) cfg.precision = AS_STYLE_PRECISION_FP32;
            else if (!strcmp(v, "bf16")) cfg.precision = AS_STYLE_PRECISION_BF16;
            else return cli_usage(CMD, "%s needs 'auto', 'fp32' or 'bf16' (got '%s')", a, v);
        } else if (!strcmp(a, "--threads")) {
            NEEDS_VALUE();
            if (!cli_parse_int(CMD, a, v, 1, 1024, &cfg.threads)) return 2;
        } else if (!strcmp(a, "--max-memory")) {
            NEEDS_VALUE();
            if (!cli_parse_double(CMD, a, v, 1, 1e9, &max_mem)) return 2;
        } else if (!strcmp(a, "--save-on-interrupt")) {
            save_on_interrupt = 1;
        } else if (!strcmp(a, "--report")) {
            NEEDS_VALUE();
            report = v;
        } else if (!strcmp(a, "--max-duration")) {
            NEEDS_VALUE();
            if (!cli_parse_double(CMD, a, v, 0.1, 1e7, &max_dur)) return 2;
        } else if (!strcmp(a, "--preset")) {
            NEEDS_VALUE(); /* applied before the loop */
        } else if (!strcmp(a, "--level")) {
            NEEDS_VALUE();
            if (!strcmp(v, "content")) cfg.level = AS_STYLE_LEVEL_CONTENT;
            else if (!strcmp(v, "style")) cfg.level = AS_STYLE_LEVEL_STYLE;
            else if (!strcmp(v, "none")) cfg.level = AS_STYLE_LEVEL_NONE;
            else return cli_usage(CMD, "--level needs 'content', 'style' or 'none' (got '%s')", v);
        } else if (!strcmp(a, "--stop-decrease")) {
            NEEDS_VALUE();
            if (!cli_parse_double(CMD, a, v, 0, 0.999, &cfg.stop_decrease)) return 2;
        } else if (!strcmp(a, "--no-picture")) {
            picture = 0;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else {
            return cli_usage(CMD, "unknown option '%s'", a);
        }
#undef NEEDS_VALUE
    }
    if (nin < 2) return cli_usage(CMD, "give a CONTENT and a STYLE file");
    if (!out) return cli_usage(CMD, "no output file: use -o OUT.wav");
    if (!has_ext(out, ".wav") && !has_ext(out, ".flac") && !has_ext(out, ".ogg") && !has_ext(out, ".oga"))
        return cli_usage(CMD, "%s: the output must end in .wav, .flac or .ogg", out);

    /* the picture: OUT with its extension replaced by .png */
    char png[4096];
    {
        snprintf(png, sizeof png - 5, "%s", out);
        char *dot = strrchr(png, '.'), *slash = strrchr(png, '/');
        if (dot && (!slash || dot > slash)) *dot = 0;
        strcat(png, ".png");
    }

    /* fail now, not after minutes of work, when OUT's (or the report's) folder cannot be written */
    for (int w = 0; w < 2; w++) {
        const char *target = w ? report : out;
        if (!target) continue;
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", target);
        char *slash = strrchr(dir, '/');
        if (slash) *(slash == dir ? slash + 1 : slash) = 0;
        else snprintf(dir, sizeof dir, ".");
        if (access(dir, W_OK) != 0) {
            fprintf(stderr, "audiostyle: %s: cannot write in the folder '%s'\n", target, dir);
            return 1;
        }
    }
    cli_catch_interrupts();
    lo[0].max_duration_s = lo[1].max_duration_s = max_dur;
    as_signal sig[2] = {{0}, {0}};
    as_error err = {0};
    for (int k = 0; k < 2; k++) {
        as_status rc = as_audio_load(in[k], &lo[k], &sig[k], &err);
        if (rc != AS_OK) {
            cli_error(&err, rc, in[k]);
            as_signal_free(&sig[0]);
            as_signal_free(&sig[1]);
            return 1;
        }
    }

    int status = 1;
    as_style *st = NULL;
    genre_out g = {0};
    float *yl = NULL;
    as_style_estimate est;
    as_style_config run_cfg = cfg;
    /* fails only for tracks too short for the kernel: as_style_create names the file below */
    int have_est = as_style_estimate_cost(&cfg, sig[0].n, sig[1].n, 1, &est) == AS_OK;
    double avail = available_mb(), limit = max_mem > 0 ? max_mem : avail;
    if (have_est && !quiet) {
        char d[64];
        fmt_dur(d, sizeof d, est.seconds);
        fprintf(stderr,
                "audiostyle: content %s %.2f s (%lld frames), style %s %.2f s (%lld frames)\n"
                "audiostyle: %d filters, %s %d iterations (~%d evaluations of %.1f GFLOP); "
                "estimate ~%s (at %.0f GFLOP/s), ~%.0f MB\n",
                base_name(in[0]), sig[0].n / (double)AS_SR, (long long)est.content_frames,
                base_name(in[1]), sig[1].n / (double)AS_SR, (long long)est.style_frames,
                cfg.filters, cfg.optimizer == AS_STYLE_ADAM ? "Adam" : "L-BFGS",
                cfg.iterations ? cfg.iterations : (cfg.optimizer == AS_STYLE_ADAM ? 2000 : 300),
                est.evaluations, est.flops_per_evaluation / 1e9, d, est.gflops, est.memory_mb);
    }
    if (have_est && limit > 0 && est.memory_mb > limit) {
        fprintf(stderr, "audiostyle: %s: the job needs about %.0f MB of memory, more than the %.0f MB %s\n",
                in[0], est.memory_mb, limit, max_mem > 0 ? "allowed by --max-memory" : "available");
        fprintf(stderr, "hint: take excerpts with --content-duration/--style-duration, use fewer "
                        "--filters, or raise --max-memory\n");
        goto done;
    }
    run_cfg.max_memory_mb = limit > 0 ? limit : 0;
    double t_setup = cli_now();
    as_status rc = as_style_create(&st, &run_cfg, sig[0].data, sig[0].n, sig[1].data, sig[1].n, &err);
    t_setup = cli_now() - t_setup;
    if (rc != AS_OK) {
        /* name the file the problem is about */
        const char *which = NULL;
        size_t skip = 0;
        if (!strncmp(err.msg, "content: ", 9)) { which = in[0]; skip = 9; }
        else if (!strncmp(err.msg, "style: ", 7)) { which = in[1]; skip = 7; }
        if (which) {
            fprintf(stderr, "audiostyle: %s: %s\n", which, err.msg + skip);
            if (err.hint[0]) fprintf(stderr, "hint: %s\n", err.hint);
        } else {
            cli_error(&err, rc, in[0]);
        }
        goto done;
    }

    if (!quiet) {
        as_style_stats s0;
        as_style_get_stats(st, &s0);
        fprintf(stderr, "audiostyle: precision %s (%s)\n", s0.precision, s0.engine);
    }
    run_ui ui = {.quiet = quiet, .stage = -1, .watch_interrupts = 1};
    rc = as_style_optimize(st, on_progress, &ui);
    int interrupted = rc == AS_ERR_CANCELLED;
    if (rc != AS_OK && !interrupted) {
        cli_progress_end(&ui.bar);
        cli_error(&err, rc, in[0]);
        goto done;
    }
    if (!interrupted) {
        rc = as_style_render(st, on_progress, &ui);
        interrupted = rc == AS_ERR_CANCELLED;
        if (rc != AS_OK && !interrupted) {
            cli_progress_end(&ui.bar);
            cli_error(&err, rc, in[0]);
            goto done;
        }
    }
    if (interrupted) {
        cli_progress_end(&ui.bar);
        if (!save_on_interrupt) {
            fprintf(stderr, "audiostyle: interrupted; nothing written (--save-on-interrupt keeps the result so far)\n");
            status = 130;
            goto done;
        }
        if (!quiet) fprintf(stderr, "audiostyle: interrupted; rendering the result so far\n");
        ui.watch_interrupts = 0;
        ui.stage = -1;
        rc = as_style_render(st, on_progress, &ui);
        if (rc != AS_OK) {
            cli_progress_end(&ui.bar);
            cli_error(&err, rc, out);
            goto done;
        }
    }
    cli_progress_end(&ui.bar);

    const float *y = NULL;
    int64_t n = 0;
    as_style_get_audio(st, &y, &n);
    as_save_opts so = {.sample_format = AS_SAVE_PCM16, .level = AS_LEVEL_PEAK_LIMIT, .ceiling_db = -1.0};
    rc = as_audio_save(out, y, n, AS_SR, &so, &err);
    if (rc != AS_OK) {
        cli_error(&err, rc, out);
        goto done;
    }
    if (picture) {
        rc = write_picture(st, png, in[0], in[1], &err);
        if (rc != AS_OK) {
            cli_error(&err, rc, png);
            goto done;
        }
    }
    as_style_stats s;
    as_style_get_stats(st, &s);
    /* the result as written: peak-limited to -1 dBFS */
    yl = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
    if (!yl) {
        cli_error(NULL, AS_ERR_NOMEM, out);
        goto done;
    }
    {
        double peak = 0, ceil_lin = pow(10.0, -1.0 / 20.0);
        for (int64_t i = 0; i < n; i++) peak = fmax(peak, fabs(y[i]));
        float gain = peak > ceil_lin ? (float)(ceil_lin / peak) : 1.0f;
        for (int64_t i = 0; i < n; i++) yl[i] = y[i] * gain;
    }
    const float *ys[3] = {sig[0].data, sig[1].data, yl};
    int64_t ns[3] = {sig[0].n, sig[1].n, n};
    const char *names[3] = {base_name(in[0]), base_name(in[1]), base_name(out)};
    rc = classify3(&g, ys, ns, &err);
    if (rc != AS_OK) {
        cli_error(&err, rc, out);
        goto done;
    }
    if (report) {
        as_report_track tr[3];
        for (int k = 0; k < 3; k++) tr[k] = (as_report_track){.name = names[k], .y = ys[k], .n = ns[k]};
        as_report_opts ro;
        as_report_opts_default(&ro);
        char title[512], settings[2048];
        snprintf(title, sizeof title, "audiostyle: %s in the style of %s", names[0], names[1]);
        size_t used = 0;
        settings[0] = 0;
        for (int i = 0; i < argc && used + 2 < sizeof settings; i++) {
            int k = snprintf(settings + used, sizeof settings - used, "%s%s", i ? " " : "audiostyle ", argv[i]);
            if (k < 0) break;
            used += (size_t)k;
        }
        ro.title = title;
        ro.settings = settings;
        ro.content_loss = s.content_loss;
        ro.style_loss = s.style_loss;
        ro.spectral_convergence = s.spectral_convergence;
        rc = as_report_write_html(report, tr, g.m, &ro, &err);
        if (rc != AS_OK) {
            cli_error(&err, rc, report);
            goto done;
        }
    }
    if (!quiet) {
        fprintf(stderr,
                "audiostyle: wrote %s%s%s (%.2f s): %d iterations, %d evaluations in %.1f s (%.3f s "
                "each, %s), Griffin-Lim %.1f s (spectral convergence %.3f); content loss %.4g, style "
                "loss %.4g\n",
                out, picture ? " and " : "", picture ? png : "", n / (double)AS_SR, s.iterations,
                s.evaluations, s.optimize_seconds, s.seconds_per_evaluation, s.stop_reason,
                s.griffin_lim_seconds, s.spectral_convergence, s.content_loss, s.style_loss);
        if (report) fprintf(stderr, "audiostyle: wrote %s\n", report);
    }
    if (!json) print_genres_text(&g, names);
    if (json) {
        printf("{\"output\": ");
        cli_json_str(stdout, out);
        printf(", \"report\": ");
        if (report) cli_json_str(stdout, report);
        else printf("null");
        printf(", \"picture\": ");
        if (picture) cli_json_str(stdout, png);
        else printf("null");
        printf(", \"content\": ");
        cli_json_str(stdout, in[0]);
        printf(", \"style\": ");
        cli_json_str(stdout, in[1]);
        printf(", \"samples\": %lld, \"content_frames\": %lld, \"style_frames\": %lld, \"filters\": %d",
               (long long)n, (long long)est.content_frames, (long long)est.style_frames, cfg.filters);
        printf(", \"precision\": ");
        cli_json_str(stdout, s.precision);
        printf(", \"iterations\": %d, \"evaluations\": %d, \"stop_reason\": ", s.iterations, s.evaluations);
        cli_json_str(stdout, s.stop_reason);
        json_num("optimize_seconds", s.optimize_seconds);
        json_num("setup_seconds", t_setup);
        json_num("targets_seconds", s.targets_seconds);
        json_num("evaluation_seconds", s.evaluation_seconds);
        json_num("seconds_per_evaluation", s.seconds_per_evaluation);
        json_num("flops_per_evaluation", est.flops_per_evaluation);
        json_num("gflops_achieved", s.seconds_per_evaluation > 0
                                        ? est.flops_per_evaluation / s.seconds_per_evaluation / 1e9
                                        : NAN);
        json_num("griffin_lim_seconds", s.griffin_lim_seconds);
        json_num("content_loss", s.content_loss);
        json_num("style_loss", s.style_loss);
        json_num("initial_content_loss", s.initial_content_loss);
        json_num("initial_style_loss", s.initial_style_loss);
        json_num("spectral_convergence", s.spectral_convergence);
        json_num("estimated_seconds", est.seconds);
        json_num("estimated_memory_mb", est.memory_mb);
        json_num("peak_rss_mb", cli_peak_rss_mb());
        print_genres_json(&g);
        /* the five transfer-quality metrics of the result as written (null when undefined) */
        as_quality q;
        if (as_quality_compute(ys[0], ns[0], ys[1], ns[1], ys[2], ns[2], &q, NULL) == AS_OK)
            printf(", \"quality\": {\"style_distance_ratio\": %.10g, \"rhythm_correlation\": %.10g, "
                   "\"chroma_similarity\": %.10g, \"flatness_ratio\": %.10g, \"level_db\": %.10g}",
                   q.style_distance_ratio, q.rhythm_correlation, q.chroma_similarity, q.flatness_ratio, q.level_db);
        else
            printf(", \"quality\": null");
        printf(", \"interrupted\": %s}\n", interrupted ? "true" : "false");
    }
    status = interrupted ? 130 : 0;
done:
    free(yl);
    as_genre_destroy(g.m);
    as_style_destroy(st);
    as_signal_free(&sig[0]);
    as_signal_free(&sig[1]);
    return status;
}
