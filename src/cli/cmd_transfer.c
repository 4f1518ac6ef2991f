/* cmd_transfer.c — audiostyle transfer CONTENT STYLE -o OUT [options]: spectrogram neural style
 * transfer (as_style_*). Prints an estimate of time and memory first and refuses jobs that would
 * not fit in memory; shows progress on a terminal; Ctrl-C stops cleanly (nothing is written
 * unless --save-on-interrupt); --json prints the run's numbers at the end. Long jobs keep a
 * checkpoint (OUT.ckpt) that --resume continues with the same bits. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <ctype.h>
#include <glob.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char *CMD = "transfer";

typedef struct transfer_args {
    as_style_config cfg;
    const char *out, *report, *picture, *checkpoint;
    double max_dur, max_mem, checkpoint_every;
    int no_checkpoint, resume;
    double offset[2], duration[2]; /* content, style */
    int preset, quiet, json, no_picture, save_on_interrupt, force, genres, no_genres;
    int bitrate; /* kbit/s for .mp3/.opus; 0 = the format's default */
} transfer_args;

/* Each transfer option is one entry here plus its use below. The defaults of the cfg fields are
 * the default preset's (as_style_config_default; `audiostyle options --check` compares them);
 * --preset replaces the fields that were not given on the command line. */
#define O(f) offsetof(transfer_args, f)
static const cli_opt transfer_opts[] = {
    {.name = "output", .short_name = 'o', .type = CLI_FILE_OUT, .metavar = "OUT", .help = "the result: .wav, .flac, .ogg, .mp3 or .opus (- writes WAV to standard output)", .offset = O(out), .cosmetic = 1},
    {.name = "preset", .type = CLI_CHOICE, .choices = "default|notebook", .def = "default", .help = "default: the best measured quality per second (from the content equalised to the style's long-term log spectrum, 55 iterations, each frequency bin's magnitudes matched to the style's unless the style is noise-like, the content's level); notebook: the TF notebook's recipe exactly. Options given explicitly override the preset", .offset = O(preset)},
    {.name = "filters", .type = CLI_INT, .min = 1, .max = 65536, .def = "4096", .help = "random convolution filters", .offset = O(cfg.filters), .group = "network and loss"},
    {.name = "kernel-width", .type = CLI_INT, .metavar = "K", .min = 1, .max = 1001, .def = "11", .help = "filter width in frames", .offset = O(cfg.kernel_width), .group = "network and loss"},
    {.name = "padding", .type = CLI_CHOICE, .choices = "valid|same", .def = "valid", .help = "convolution padding", .offset = O(cfg.padding), .group = "network and loss"},
    {.name = "gram-divisor", .type = CLI_CHOICE, .choices = "frames|output-frames", .def = "frames", .help = "divide each Gram matrix by the track's STFT frames T (the notebook) or by the convolution's output frames", .offset = O(cfg.gram_divisor), .group = "network and loss"},
    {.name = "content-weight", .type = CLI_DOUBLE, .metavar = "A", .min = 0, .max = 1e12, .def = "0.01", .help = "weight of the content loss; 0 with --init content is Grinstein et al.'s style-only mode", .offset = O(cfg.content_weight), .group = "network and loss"},
    {.name = "style-weight", .type = CLI_DOUBLE, .metavar = "B", .min = 0, .max = 1e12, .def = "1", .help = "weight of the style loss", .offset = O(cfg.style_weight), .group = "network and loss"},
    {.name = "loss-norm", .type = CLI_CHOICE, .choices = "none|target", .def = "none", .help = "target: divide the content term by the mean square of the content's features and the style term by that of the style's Gram matrix, so the weights mean the same whatever the tracks' levels (docs/notes-tonal.md)", .offset = O(cfg.loss_norm), .group = "tonal-style features"},
    {.name = "feature-mean-weight", .type = CLI_DOUBLE, .metavar = "W", .min = 0, .max = 1e12, .def = "0", .help = "weight of the features' means over time against the style's, beside the Gram (0 = off)", .offset = O(cfg.feature_mean_weight), .group = "tonal-style features"},
    {.name = "envelope-weight", .type = CLI_DOUBLE, .metavar = "W", .min = 0, .max = 1e12, .def = "0", .help = "weight of the spectral envelope: each bin's mean over time of log(floor + |STFT|) against the style's (0 = off)", .offset = O(cfg.envelope_weight), .group = "tonal-style features"},
    {.name = "spread-weight", .type = CLI_DOUBLE, .metavar = "W", .min = 0, .max = 1e12, .def = "0", .help = "weight of each bin's standard deviation over time of log(floor + |STFT|) against the style's (0 = off)", .offset = O(cfg.spread_weight), .group = "tonal-style features"},
    {.name = "temporal-weight", .type = CLI_DOUBLE, .metavar = "W", .min = 0, .max = 1e12, .def = "0", .help = "weight of the frame energy envelope (log mean power, centred) against the content's (0 = off)", .offset = O(cfg.temporal_weight), .group = "tonal-style features"},
    {.name = "flatness-weight", .type = CLI_DOUBLE, .metavar = "W", .min = 0, .max = 1e12, .def = "0", .help = "weight of the frames' mean log spectral flatness (floored) against the style's (0 = off; the quality benchmark measures flatness too)", .offset = O(cfg.flatness_weight), .group = "tonal-style features"},
    {.name = "envelope-floor", .type = CLI_DOUBLE, .metavar = "M", .min = 1e-9, .max = 1e3, .def = "0.001", .help = "the floor of the envelope terms' log domain, in |STFT| units", .offset = O(cfg.envelope_floor), .group = "tonal-style features"},
    {.name = "render-eq", .type = CLI_DOUBLE, .metavar = "R", .min = 0, .max = 1, .def = "0", .help = "before Griffin-Lim, a per-bin cut moving the result's long-term log spectrum (mean over time of log(1e-5 + |X|)) down to the style's by the fraction R (1 = all the way; never a boost; 0 = off)", .offset = O(cfg.render_eq), .group = "tonal-style features"},
    {.name = "floor-quantile", .type = CLI_DOUBLE, .metavar = "Q", .min = 0, .max = 0.999, .def = "0", .help = "before Griffin-Lim, subtract from each bin's magnitudes the excess of the result's Q-quantile over time over the style's (the background above the style's; 0 = off, 0.5 = medians)", .offset = O(cfg.floor_quantile), .group = "tonal-style features"},
    {.name = "render-match", .type = CLI_DOUBLE, .metavar = "R", .min = 0, .max = 1, .help = "after Griffin-Lim, map each frequency bin's magnitudes over time, rank for rank, onto the style's distribution in that bin (histogram matching, Heeger & Bergen 1995; the result's timing and phase kept), by the fraction R in the log (1 = all the way; 0 = off; notebook: 0)", .def = "1", .offset = O(cfg.render_match), .group = "tonal-style features"},
    {.name = "render-match-below", .type = CLI_DOUBLE, .metavar = "F", .min = 0, .max = 1, .def = "0.03", .help = "apply --render-match only to a style whose spectral flatness is below F (tonal to moderately dense styles; noise-like ones such as metal, 0.05-0.08, are left to the Gram; 1 = every style)", .offset = O(cfg.render_match_below), .group = "tonal-style features"},
    {.name = "branch", .type = CLI_CHOICE, .choices = "none|mel|linear", .def = "none", .help = "a second random layer in parallel: on mel bands of the spectrogram (Barry & Kim 2017) or on the spectrogram itself with its own kernel width", .offset = O(cfg.branch), .group = "tonal-style features"},
    {.name = "branch-filters", .type = CLI_INT, .min = 1, .max = 65536, .def = "1024", .help = "the branch's random filters", .offset = O(cfg.branch_filters), .group = "tonal-style features"},
    {.name = "branch-kernel-width", .type = CLI_INT, .metavar = "K", .min = 1, .max = 1001, .def = "31", .help = "the branch's filter width in frames", .offset = O(cfg.branch_kernel_width), .group = "tonal-style features"},
    {.name = "branch-bands", .type = CLI_INT, .min = 1, .max = 512, .def = "128", .help = "mel bands of --branch mel", .offset = O(cfg.branch_bands), .group = "tonal-style features"},
    {.name = "branch-weight", .type = CLI_DOUBLE, .metavar = "B", .min = 0, .max = 1e12, .def = "1", .help = "the branch's style weight (its content weight is --content-weight)", .offset = O(cfg.branch_weight), .group = "tonal-style features"},
    {.name = "optimizer", .type = CLI_CHOICE, .choices = "lbfgs|adam", .def = "lbfgs", .help = "L-BFGS, or Adam with early stopping", .offset = O(cfg.optimizer), .group = "optimisation"},
    {.name = "iterations", .type = CLI_INT, .min = 1, .max = 1000000, .def_text = "the preset's: 55; notebook: 300 for lbfgs, 2000 for adam", .help = "optimiser iterations", .offset = O(cfg.iterations), .group = "optimisation"},
    {.name = "lbfgs-memory", .type = CLI_INT, .metavar = "M", .min = 1, .max = 100, .def = "10", .help = "L-BFGS history pairs (as scipy's L-BFGS-B)", .offset = O(cfg.lbfgs_memory), .group = "optimisation"},
    {.name = "learning-rate", .type = CLI_DOUBLE, .metavar = "LR", .min = 1e-12, .max = 1e6, .def = "1", .help = "Adam's step size", .offset = O(cfg.learning_rate), .group = "optimisation"},
    {.name = "patience", .type = CLI_INT, .min = 0, .max = 1000000, .def = "50", .help = "Adam: stop after N steps without improvement (0 = off)", .offset = O(cfg.patience), .group = "optimisation"},
    {.name = "init", .type = CLI_CHOICE, .choices = "noise|content|content-eq|content-logeq", .def = "content-logeq", .help = "start from small noise, from the content, from the content equalised to the style's average spectrum (a shift in log1p), or equalised by a per-bin gain to the style's long-term log spectrum (reaches a tonal style's quiet bins; notebook: noise)", .offset = O(cfg.init), .group = "optimisation"},
    {.name = "stop-decrease", .type = CLI_DOUBLE, .metavar = "F", .min = 0, .max = 0.999, .def = "0", .help = "stop when the loss fell by less than the fraction F over 10 iterations (0 = run all iterations)", .offset = O(cfg.stop_decrease), .group = "optimisation"},
    {.name = "segment", .type = CLI_DOUBLE, .metavar = "S", .min = 0, .max = 1e6, .def = "20", .help = "optimise a content longer than 1.5 S seconds in segments of about S seconds, one after another (memory follows the segment; 0 = the whole content at once, the notebook's way; at least 5)", .offset = O(cfg.segment_seconds), .group = "optimisation"},
    {.name = "init-scale", .type = CLI_DOUBLE, .metavar = "SIGMA", .min = 0, .max = 1e3, .def = "0.001", .help = "standard deviation of the initial noise", .offset = O(cfg.init_scale), .group = "optimisation"},
    {.name = "griffin-lim-iterations", .type = CLI_INT, .min = 1, .max = 100000, .def = "500", .help = "Griffin-Lim iterations", .offset = O(cfg.griffin_lim_iterations), .group = "reconstruction"},
    {.name = "phase", .type = CLI_CHOICE, .choices = "random|content", .def = "random", .help = "Griffin-Lim's initial phase", .offset = O(cfg.phase), .group = "reconstruction"},
    {.name = "level", .type = CLI_CHOICE, .choices = "content|style|none", .def = "content", .help = "the result's RMS level: the content's, the style's, or as Griffin-Lim made it (notebook: none); then peak-limited to -1 dBFS", .offset = O(cfg.level), .group = "reconstruction"},
    {.name = "content-offset", .type = CLI_DOUBLE, .metavar = "S", .min = 0, .max = 1e7, .def = "0", .help = "start reading CONTENT at S seconds", .offset = O(offset[0]), .group = "input excerpts"},
    {.name = "content-duration", .type = CLI_DOUBLE, .metavar = "S", .min = 0.05, .max = 1e7, .def_text = "the whole track", .help = "read at most S seconds of CONTENT", .offset = O(duration[0]), .group = "input excerpts"},
    {.name = "style-offset", .type = CLI_DOUBLE, .metavar = "S", .min = 0, .max = 1e7, .def = "0", .help = "start reading STYLE at S seconds", .offset = O(offset[1]), .group = "input excerpts"},
    {.name = "style-duration", .type = CLI_DOUBLE, .metavar = "S", .min = 0.05, .max = 1e7, .def_text = "the whole track", .help = "read at most S seconds of STYLE", .offset = O(duration[1]), .group = "input excerpts"},
    {.name = "seed", .type = CLI_U64, .def = "0", .help = "random weights, initial noise and phase", .offset = O(cfg.seed), .group = "run"},
    {.name = "precision", .type = CLI_CHOICE, .choices = "auto|fp32|bf16", .def = "auto", .help = "the convolution's engine: bf16 (oneDNN, bf16 operands, fp32 accumulation) or fp32 (OpenBLAS); auto is bf16 where oneDNN reports AVX512-BF16 or AMX, else fp32 (notebook: fp32)", .offset = O(cfg.precision), .group = "run"},
    {.name = "threads", .type = CLI_INT, .min = 1, .max = 1024, .def_text = "all cores", .help = "BLAS and Griffin-Lim threads", .offset = O(cfg.threads), .group = "run"},
    {.name = "max-memory", .type = CLI_DOUBLE, .metavar = "MB", .min = 1, .max = 1e9, .def_text = "available memory", .help = "refuse jobs estimated above MB", .offset = O(max_mem), .group = "run", .cosmetic = 1},
    {.name = "max-duration", .type = CLI_DOUBLE, .metavar = "S", .min = 0.1, .max = 1e7, .def = "1200", .help = "refuse inputs longer than S seconds", .offset = O(max_dur), .group = "run", .cosmetic = 1},
    {.name = "checkpoint", .type = CLI_FILE_OUT, .def_text = "OUT.ckpt when the estimate exceeds 60 s", .help = "keep the optimiser's whole state in FILE (written atomically every --checkpoint-every seconds, removed after success) so that --resume can continue a killed run", .offset = O(checkpoint), .group = "run", .cosmetic = 1},
    {.name = "checkpoint-every", .type = CLI_DOUBLE, .metavar = "S", .min = 0, .max = 1e6, .def = "30", .help = "seconds between checkpoint writes (0 = after every iteration)", .offset = O(checkpoint_every), .group = "run", .cosmetic = 1},
    {.name = "no-checkpoint", .type = CLI_FLAG, .help = "write no checkpoint", .offset = O(no_checkpoint), .group = "run", .cosmetic = 1},
    {.name = "resume", .type = CLI_FLAG, .help = "continue from the checkpoint (give the same inputs and options): the result has the same bits as an uninterrupted run", .offset = O(resume), .group = "run", .cosmetic = 1},
    {.name = "save-on-interrupt", .type = CLI_FLAG, .help = "on Ctrl-C, render and write the result so far", .offset = O(save_on_interrupt), .group = "run", .cosmetic = 1},
    {.name = "picture", .type = CLI_FILE_OUT, .metavar = "FILE.png", .def_text = "OUT with .png", .help = "the content, style and result spectrograms side by side", .offset = O(picture), .group = "outputs", .cosmetic = 1},
    {.name = "bitrate", .type = CLI_INT, .metavar = "KBPS", .min = 6, .max = 320, .def_text = "MP3 160, Opus 96", .help = "constant bitrate of an .mp3 (8..160: MPEG-2 Layer III at 22050 Hz) or .opus (6..256) result", .offset = O(bitrate), .group = "outputs", .cosmetic = 1},
    {.name = "no-picture", .type = CLI_FLAG, .help = "do not write the picture", .offset = O(no_picture), .group = "outputs", .cosmetic = 1},
    {.name = "report", .type = CLI_FILE_OUT, .metavar = "FILE.html", .help = "also write the journey report (as `audiostyle compare`)", .offset = O(report), .group = "outputs", .cosmetic = 1},
    {.name = "force", .type = CLI_FLAG, .help = "replace an existing picture that was not named with --picture, or an earlier run's checkpoint", .offset = O(force), .group = "outputs", .cosmetic = 1},
    {.name = "genres", .type = CLI_FLAG, .def_text = "on when standard output is a terminal", .help = "print the genre lines on standard output", .offset = O(genres), .group = "outputs", .cosmetic = 1},
    {.name = "no-genres", .type = CLI_FLAG, .help = "do not print the genre lines", .offset = O(no_genres), .group = "outputs", .cosmetic = 1},
    {.name = "quiet", .short_name = 'q', .type = CLI_FLAG, .help = "print nothing but errors (no estimate, progress, summary or genre lines)", .offset = O(quiet), .group = "outputs", .cosmetic = 1},
    {.name = "json", .type = CLI_FLAG, .help = "print the run's numbers (and the genres) as one JSON object on standard output", .offset = O(json), .group = "outputs", .cosmetic = 1},
};
#undef O

/* The table's defaults are the library's default preset (`audiostyle options --check`). */
static int transfer_check_defaults(void)
{
    transfer_args lib, tab;
    memset(&lib, 0, sizeof lib);
    as_style_config_default(&lib.cfg);
    tab = lib;
    return cli_check_defaults(&cli_cmd_transfer, &tab, &lib, offsetof(transfer_args, cfg), sizeof(as_style_config));
}

const cli_command cli_cmd_transfer = {
    .name = "transfer",
    .synopsis = "CONTENT STYLE -o OUT [options]",
    .summary = "make CONTENT sound in the manner of STYLE",
    .description = "Makes CONTENT sound in the manner of STYLE (Ulyanov & Lebedev's spectrogram style transfer, the "
                   "TensorFlow notebook's recipe) and writes OUT (.wav, .flac, .ogg, .mp3 or .opus, 22050 Hz mono, exactly as "
                   "long as CONTENT), peak-limited to -1 dBFS (scaled down only if louder), and the picture (OUT's "
                   "name with .png unless --picture or --no-picture): the content, style and result spectrograms "
                   "side by side. An existing picture that was not named is not replaced without --force.\n"
                   "The genre lines (with --genres, by default when standard output is a terminal; always in "
                   "--json) give the top-3 genres of content, style and result (built-in model) and the genre "
                   "shift: the probability of the style's top genre in the content and in the result. Whole tracks "
                   "by default; cost grows linearly with their length (an estimate of time and memory is printed "
                   "first).",
    .opts = transfer_opts,
    .n_opts = CLI_N(transfer_opts),
    .run = cmd_transfer,
    .check_defaults = transfer_check_defaults,
};

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

/* FNV-1a 64 of the decoded samples: a checkpoint's inputs are these, not the files' bytes. */
static uint64_t samples_hash(const float *y, int64_t n)
{
    const unsigned char *p = (const unsigned char *)y;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < (size_t)n * sizeof(float); i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* What a checkpoint must have been made with: every option that changes the result
 * (cli_settings_text) and the two inputs (name, samples, their hash), "key value" lines. */
static char *checkpoint_settings(const transfer_args *A, const char *const in[2], const as_signal sig[2])
{
    size_t cap = 65536;
    char *t = malloc(cap);
    if (!t) return NULL;
    size_t k = cli_settings_text(&cli_cmd_transfer, A, t, cap);
    const char *what[2] = {"content", "style"};
    for (int i = 0; i < 2 && k + 600 < cap; i++)
        k += (size_t)snprintf(t + k, cap - k, "%s-file %s\n%s-samples %lld (hash %016llx)\n", what[i],
                              base_name(in[i]), what[i], (long long)sig[i].n,
                              (unsigned long long)samples_hash(sig[i].data, sig[i].n));
    return t;
}

typedef struct run_ui {
    cli_progress bar;
    int quiet, stage, watch_interrupts;
    int progress_fd; /* AUDIOSTYLE_PROGRESS_FD: one JSON line per progress call (audiostyle serve) */
    char extra[160];
} run_ui;

/* The machine-readable progress stream `audiostyle serve` reads from its transfer processes:
 * set AUDIOSTYLE_PROGRESS_FD to an open descriptor. Not an option: it is the server's interface
 * with its own child, not a user's. */
static int progress_fd_from_env(void)
{
    const char *e = getenv("AUDIOSTYLE_PROGRESS_FD");
    if (!e || !*e) return -1;
    char *end;
    long fd = strtol(e, &end, 10);
    return (*end || fd < 3 || fd > 1024) ? -1 : (int)fd;
}

static void progress_line(int fd, const as_style_progress *p)
{
    char b[400];
    int k = snprintf(b, sizeof b,
                     "{\"stage\": \"%s\", \"iteration\": %d, \"iterations\": %d, \"evaluations\": %d, "
                     "\"content_loss\": %.6g, \"style_loss\": %.6g, \"seconds\": %.3f, \"eta_seconds\": %.3f}\n",
                     p->stage == AS_STYLE_STAGE_GRIFFIN_LIM ? "griffin-lim" : "optimize", p->iteration,
                     p->iterations, p->evaluations, isfinite(p->content_loss) ? p->content_loss : -1,
                     isfinite(p->style_loss) ? p->style_loss : -1, p->seconds, p->eta_seconds);
    if (k > 0 && k < (int)sizeof b && write(fd, b, (size_t)k) < 0) { /* the reader went away: ignore */
    }
}

static int on_progress(const as_style_progress *p, void *user)
{
    run_ui *ui = user;
    if (ui->progress_fd >= 0) progress_line(ui->progress_fd, p);
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
    /* the command line as typed, for the report (getopt_long permutes argv) */
    char settings[2048];
    {
        size_t used = 0;
        settings[0] = 0;
        for (int i = 0; i < argc && used + 2 < sizeof settings; i++) {
            int k = snprintf(settings + used, sizeof settings - used, "%s%s", i ? " " : "audiostyle ", argv[i]);
            if (k < 0) break;
            used += (size_t)k;
        }
    }
    transfer_args A;
    memset(&A, 0, sizeof A);
    as_style_config_default(&A.cfg);
    cli_args pa;
    int prc = cli_parse(&cli_cmd_transfer, argc, argv, &A, &pa);
    if (prc != CLI_CONTINUE) return prc;
    if (A.preset != AS_STYLE_PRESET_DEFAULT) { /* the preset, then the options given on top */
        transfer_args P = A;
        as_style_config_preset(&P.cfg, A.preset);
        cli_copy_given(&cli_cmd_transfer, &pa, &P, &A);
        A = P;
    }
    as_style_config cfg = A.cfg;
    if (pa.npos > 2) return cli_usage(CMD, "too many inputs ('%s'): give CONTENT and STYLE", pa.pos[2]);
    if (pa.npos < 2) return cli_usage(CMD, "give a CONTENT and a STYLE file");
    const char *in[2] = {pa.pos[0], pa.pos[1]}, *out = A.out, *report = A.report;
    double max_dur = A.max_dur, max_mem = A.max_mem;
    as_load_opts lo[2] = {{0}, {0}};
    for (int k = 0; k < 2; k++) {
        lo[k].offset_s = A.offset[k];
        lo[k].duration_s = A.duration[k];
    }
    int quiet = A.quiet, json = A.json, save_on_interrupt = A.save_on_interrupt;
    if (!out) return cli_usage(CMD, "no output file: use -o OUT.wav");
    int to_stdout = cli_is_stdout(out);
    if (A.genres && A.no_genres) return cli_usage(CMD, "--genres and --no-genres exclude each other");
    if (A.picture && A.no_picture) return cli_usage(CMD, "--picture and --no-picture exclude each other");
    if (A.checkpoint && A.no_checkpoint) return cli_usage(CMD, "--checkpoint and --no-checkpoint exclude each other");
    if (A.resume && A.no_checkpoint) return cli_usage(CMD, "--resume needs the checkpoint that --no-checkpoint turns off");
    if (A.resume && to_stdout && !A.checkpoint)
        return cli_usage(CMD, "--resume with -o -: name the checkpoint with --checkpoint FILE");
    if (to_stdout && json) return cli_usage(CMD, "-o - and --json both need standard output");
    if (to_stdout && A.genres) return cli_usage(CMD, "-o - and --genres both need standard output");
    /* the genre lines: when asked, else on a terminal unless --quiet; never into the audio */
    int genres = A.genres || (!A.no_genres && !quiet && !to_stdout && isatty(STDOUT_FILENO));

    /* the picture: --picture FILE, else OUT with its extension replaced by .png (none for -o -) */
    char png_buf[4096];
    const char *png = NULL;
    if (A.picture) png = A.picture;
    else if (!A.no_picture && !to_stdout) {
        snprintf(png_buf, sizeof png_buf - 5, "%s", out);
        char *dot = strrchr(png_buf, '.'), *slash = strrchr(png_buf, '/');
        if (dot && (!slash || dot > slash)) *dot = 0;
        strcat(png_buf, ".png");
        png = png_buf;
    }
    int picture = png != NULL;

    /* every output checked now, not after minutes of work */
    {
        cli_out outs[] = {
            {.path = out, .what = "the result", .exts = ".wav|.flac|.ogg|.oga|.mp3|.opus", .stdout_ok = 1, .named = 1},
            {.path = png, .what = "the picture", .exts = ".png", .named = A.picture != NULL,
             .avoid = "--picture FILE names another, --no-picture writes none"},
            {.path = report, .what = "the report", .exts = ".html|.htm", .named = 1},
        };
        if (to_stdout && !has_ext(out, ".wav")) outs[0].exts = NULL;
        int bad = cli_check_paths(CMD, outs, 3, in, 2, A.force);
        if (bad) return bad;
    }
    /* --bitrate: the library's ranges at 22050 Hz (as_save_opts), checked before the job */
    if (A.bitrate) {
        int mp3 = has_ext(out, ".mp3"), opus = has_ext(out, ".opus");
        if (!mp3 && !opus) return cli_usage(CMD, "--bitrate applies to .mp3 and .opus results only");
        if (mp3 && (A.bitrate < 8 || A.bitrate > 160))
            return cli_usage(CMD, "--bitrate: MP3 at 22050 Hz (MPEG-2 Layer III) takes 8 to 160 kbit/s");
        if (opus && A.bitrate > 256) return cli_usage(CMD, "--bitrate: Opus takes 6 to 256 kbit/s");
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
    char *ck_settings = NULL, ck_buf[4200];
    const char *ckpt = NULL;
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
        char segs[64] = "";
        if (est.segments > 1) snprintf(segs, sizeof segs, " in each of %d segments", est.segments);
        fprintf(stderr,
                "audiostyle: content %s %.2f s (%lld STFT frames), style %s %.2f s (%lld STFT frames)\n"
                "audiostyle: %d filters, %s %d iterations%s (~%d evaluations of %.1f GFLOP); "
                "estimate ~%s (at %.0f GFLOP/s), ~%.0f MB\n",
                base_name(in[0]), sig[0].n / (double)AS_SR, (long long)est.content_frames,
                base_name(in[1]), sig[1].n / (double)AS_SR, (long long)est.style_frames,
                cfg.filters, cfg.optimizer == AS_STYLE_ADAM ? "Adam" : "L-BFGS",
                cfg.iterations ? cfg.iterations : (cfg.optimizer == AS_STYLE_ADAM ? 2000 : 300), segs,
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
    /* the checkpoint: --checkpoint FILE, else OUT.ckpt for a job estimated above a minute */
    if (!A.no_checkpoint) {
        if (A.checkpoint) {
            ckpt = A.checkpoint;
        } else if (!to_stdout && (A.resume || (have_est && est.seconds > 60))) {
            snprintf(ck_buf, sizeof ck_buf, "%s.ckpt", out);
            ckpt = ck_buf;
        }
    }
    if (ckpt) { /* a run killed while writing its checkpoint leaves the temporary file */
        char pat[4300];
        glob_t gl;
        snprintf(pat, sizeof pat, "%s.tmp-??????", ckpt);
        if (glob(pat, GLOB_NOSORT, NULL, &gl) == 0)
            for (size_t i = 0; i < gl.gl_pathc; i++) unlink(gl.gl_pathv[i]);
        globfree(&gl);
    }
    if (ckpt && A.resume && access(ckpt, F_OK) != 0) {
        fprintf(stderr, "audiostyle: %s: no checkpoint to resume from\n", ckpt);
        fprintf(stderr, "hint: run without --resume to start afresh%s\n",
                A.checkpoint ? "" : " (or name the checkpoint with --checkpoint FILE)");
        goto done;
    }
    if (ckpt && !A.resume && !A.force && access(ckpt, F_OK) == 0) {
        fprintf(stderr, "audiostyle: %s: the checkpoint of an earlier run of this job is there\n", ckpt);
        fprintf(stderr, "hint: add --resume to continue it, or --force to start afresh (it is replaced)\n");
        goto done;
    }
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

    if (ckpt) {
        ck_settings = checkpoint_settings(&A, in, sig);
        if (!ck_settings || as_style_set_checkpoint(st, ckpt, A.checkpoint_every, ck_settings) != AS_OK) {
            cli_error(NULL, AS_ERR_NOMEM, ckpt);
            goto done;
        }
        if (A.resume) {
            rc = as_style_resume(st, ckpt, ck_settings, &err);
            if (rc != AS_OK) {
                cli_error(&err, rc, ckpt);
                goto done;
            }
        }
        if (!quiet)
            fprintf(stderr, "audiostyle: %s %s (every %g s; --resume continues a killed run)\n",
                    A.resume ? "resuming from the checkpoint" : "checkpoint", ckpt, A.checkpoint_every);
    }

    run_ui ui = {.quiet = quiet, .stage = -1, .watch_interrupts = 1, .progress_fd = progress_fd_from_env()};
    if (!quiet) {
        as_style_stats s0;
        as_style_get_stats(st, &s0);
        fprintf(stderr, "audiostyle: precision %s (%s)\n", s0.precision, s0.engine);
    }
    rc = as_style_optimize(st, on_progress, &ui);
    int interrupted = rc == AS_ERR_CANCELLED;
    if (rc != AS_OK && !interrupted) {
        cli_progress_end(&ui.bar);
        as_error cerr = {0};
        as_style_checkpoint_error(st, &cerr);
        if (cerr.msg[0]) cli_error(&cerr, rc, ckpt);
        else cli_error(&err, rc, in[0]);
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
        if (ckpt && access(ckpt, F_OK) == 0)
            fprintf(stderr, "audiostyle: the checkpoint %s keeps the work up to its last write: the same command "
                            "with --resume continues it\n", ckpt);
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
    as_save_opts so = {.sample_format = AS_SAVE_PCM16, .level = AS_LEVEL_PEAK_LIMIT, .ceiling_db = -1.0,
                       .bitrate_kbps = A.bitrate};
    {
        char tmp[4096];
        const char *dst = cli_out_path(out, ".wav", tmp, sizeof tmp);
        if (!dst) goto done;
        rc = as_audio_save(dst, y, n, AS_SR, &so, &err);
        if (rc != AS_OK) {
            cli_out_discard(out, dst);
            cli_error(&err, rc, out);
            goto done;
        }
        if (cli_out_finish(out, dst) != 0) goto done;
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
        char title[512];
        snprintf(title, sizeof title, "audiostyle: %s in the style of %s", names[0], names[1]);
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
                to_stdout ? "standard output" : out, picture ? " and " : "", picture ? png : "", n / (double)AS_SR, s.iterations,
                s.evaluations, s.optimize_seconds, s.seconds_per_evaluation, s.stop_reason,
                s.griffin_lim_seconds, s.spectral_convergence, s.content_loss, s.style_loss);
        if (report) fprintf(stderr, "audiostyle: wrote %s\n", report);
    }
    if (!json && genres) print_genres_text(&g, names);
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
        printf(", \"preset\": \"%s\"", as_style_preset_name(A.preset));
        if (isfinite(s.style_flatness)) printf(", \"style_flatness\": %.10g", s.style_flatness);
        printf(", \"render_match\": %.10g", s.render_match);
        printf(", \"samples\": %lld, \"content_frames\": %lld, \"style_frames\": %lld, \"filters\": %d",
               (long long)n, (long long)est.content_frames, (long long)est.style_frames, cfg.filters);
        printf(", \"precision\": ");
        cli_json_str(stdout, s.precision);
        printf(", \"iterations\": %d, \"evaluations\": %d, \"stop_reason\": ", s.iterations, s.evaluations);
        cli_json_str(stdout, s.stop_reason);
        printf(", \"segments\": %d", s.segments);
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
    if (status == 0 && ckpt) unlink(ckpt); /* done: the checkpoint has served */
done:
    free(ck_settings);
    free(yl);
    as_genre_destroy(g.m);
    as_style_destroy(st);
    as_signal_free(&sig[0]);
    as_signal_free(&sig[1]);
    return status;
}
