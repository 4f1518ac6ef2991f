/* cmd_spectrogram.c — audiostyle spectrogram IN -o OUT.png: a labelled spectrogram picture.
 *
 * Loads IN (any format, mono, 22050 Hz), takes |STFT| (n_fft 2048, hop 512, centred, reflect
 * padding: librosa's defaults), optionally 128 Slaney mel bands of the power spectrum, and draws
 * it with as_plot_spectrograms in dB relative to the maximum. */
#include "cli.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N_FFT = 2048, HOP = 512, N_MELS = 128 };


typedef struct spec_args {
    const char *out, *title;
    int mel, logf, width, height, cmap, force, quiet;
    double db_range, offset, duration, max_duration;
} spec_args;

#define O(f) offsetof(spec_args, f)
static const cli_opt spec_opts[] = {
    {.name = "output", .short_name = 'o', .type = CLI_FILE_OUT, .metavar = "OUT.png", .help = "the picture (PNG, written atomically)", .offset = O(out)},
    {.name = "mel", .type = CLI_FLAG, .help = "128 mel bands (Slaney), power in dB", .offset = O(mel)},
    {.name = "log-frequency", .type = CLI_FLAG, .help = "logarithmic frequency axis (20 Hz to 11 kHz)", .offset = O(logf)},
    {.name = "title", .type = CLI_STRING, .metavar = "T", .def_text = "the file name", .help = "title above the picture", .offset = O(title)},
    {.name = "cmap", .type = CLI_CHOICE, .choices = "magma|viridis", .def = "magma", .help = "colormap", .offset = O(cmap)},
    {.name = "width", .type = CLI_INT, .metavar = "W", .min = 200, .max = 16384, .def = "1200", .help = "picture width in pixels", .offset = O(width)},
    {.name = "height", .type = CLI_INT, .metavar = "H", .min = 150, .max = 16384, .def = "600", .help = "picture height in pixels", .offset = O(height)},
    {.name = "db-range", .type = CLI_DOUBLE, .metavar = "R", .min = 1, .max = 400, .def = "80", .help = "dB below the maximum shown", .offset = O(db_range)},
    {.name = "offset", .type = CLI_DOUBLE, .metavar = "S", .min = 0, .max = 1e7, .def = "0", .help = "start reading IN at S seconds", .offset = O(offset)},
    {.name = "duration", .type = CLI_DOUBLE, .metavar = "S", .min = 0.01, .max = 1e7, .def_text = "to the end", .help = "read at most S seconds", .offset = O(duration)},
    {.name = "max-duration", .type = CLI_DOUBLE, .metavar = "S", .min = 0, .max = 1e9, .def = "1200", .help = "refuse inputs longer than S seconds (0 = no limit)", .offset = O(max_duration)},
    {.name = "force", .type = CLI_FLAG, .help = "replace existing files the command would write without being named", .offset = O(force)},
    {.name = "quiet", .short_name = 'q', .type = CLI_FLAG, .help = "print nothing but errors", .offset = O(quiet)},
};
#undef O

const cli_command cli_cmd_spectrogram = {
    .name = "spectrogram",
    .synopsis = "IN -o OUT.png [--mel | --log-frequency] [options]",
    .summary = "draw a labelled spectrogram (PNG)",
    .description = "Draws the spectrogram of IN (STFT n_fft 2048, hop 512) in dB relative to its maximum: time in "
                   "seconds, frequency in Hz, a colourbar.",
    .opts = spec_opts,
    .n_opts = CLI_N(spec_opts),
    .run = cmd_spectrogram,
};

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int cmd_spectrogram(int argc, char **argv)
{
    spec_args o = {0};
    cli_args a;
    int prc = cli_parse(&cli_cmd_spectrogram, argc, argv, &o, &a);
    if (prc != CLI_CONTINUE) return prc;
    if (a.npos == 0) return cli_usage("spectrogram", "no input file given");
    if (a.npos > 1) return cli_usage("spectrogram", "one input file only (got '%s' and '%s')", a.pos[0], a.pos[1]);
    const char *in = a.pos[0], *out = o.out, *title = o.title;
    if (!out) return cli_usage("spectrogram", "no output given (-o OUT.png)");
    if (o.mel && o.logf) return cli_usage("spectrogram", "--mel and --log-frequency exclude each other");
    int mel = o.mel, logf = o.logf, width = o.width, height = o.height;
    int cmap = o.cmap == 1 ? AS_CMAP_VIRIDIS : AS_CMAP_MAGMA;
    double db_range = o.db_range, offset = o.offset, duration = o.duration, max_duration = o.max_duration;
    {
        cli_out outs[] = {{.path = out, .what = "the picture", .exts = ".png", .named = 1}};
        const char *ins[] = {in};
        int bad = cli_check_paths("spectrogram", outs, 1, ins, 1, o.force);
        if (bad) return bad;
    }

    as_error err = {0};
    as_signal y = {0};
    as_load_opts lo = {0};
    lo.offset_s = offset;
    lo.duration_s = duration;
    lo.max_duration_s = max_duration;
    as_status st = as_audio_load(in, &lo, &y, &err);
    if (st != AS_OK) return cli_error(&err, st, in);

    as_stft *stft = as_stft_create(N_FFT, HOP, &st);
    float *X = NULL, *S = NULL, *M = NULL;
    int rc = 1;
    if (!stft) {
        cli_error(NULL, st, in);
        goto done;
    }
    const int F = as_stft_bins(stft);
    const int64_t T = as_stft_frames(stft, y.n, 1);
    if (T < 1) {
        fprintf(stderr, "audiostyle: %s: no audio samples\n", in);
        goto done;
    }
    X = malloc(sizeof(float) * 2 * (size_t)F * (size_t)T);
    if (!X) {
        cli_error(NULL, AS_ERR_NOMEM, in);
        goto done;
    }
    /* Reflect padding needs more than n_fft/2 samples; a very short clip is zero-padded. */
    int pad = y.n > N_FFT / 2 ? AS_PAD_REFLECT : AS_PAD_CONSTANT;
    st = as_stft_forward(stft, y.data, y.n, 1, pad, X);
    if (st != AS_OK) {
        cli_error(NULL, st, in);
        goto done;
    }
    /* Magnitude in place: (F, T, 2) -> (F, T). */
    for (size_t k = 0; k < (size_t)F * (size_t)T; k++) X[k] = hypotf(X[2 * k], X[2 * k + 1]);
    S = X;
    int rows = F;
    if (mel) {
        M = malloc(sizeof(float) * (size_t)N_MELS * (size_t)F);
        S = calloc((size_t)N_MELS * (size_t)T, sizeof(float));
        if (!M || !S) {
            cli_error(NULL, AS_ERR_NOMEM, in);
            goto done;
        }
        st = as_mel_filterbank(M, AS_SR, N_FFT, N_MELS, 0.0, 0.0);
        if (st != AS_OK) {
            cli_error(NULL, st, in);
            goto done;
        }
        /* ref: librosa.feature.melspectrogram(power=2): mel = M @ |X|^2. */
        for (int m = 0; m < N_MELS; m++) {
            float *dst = S + (size_t)m * T;
            for (int k = 0; k < F; k++) {
                float w = M[(size_t)m * F + k];
                if (w == 0.0f) continue;
                const float *src = X + (size_t)k * T;
                for (int64_t t = 0; t < T; t++) dst[t] += w * src[t] * src[t];
            }
        }
        rows = N_MELS;
    }

    as_spec_panel p = {S, rows, T, AS_SR, HOP, N_FFT, NULL};
    as_plot_opts po = {0};
    po.freq_scale = mel ? AS_FREQ_MEL : logf ? AS_FREQ_LOG : AS_FREQ_LINEAR;
    po.cmap = cmap;
    po.width = width;
    po.height = height;
    po.db_range = db_range;
    po.title = title ? title : base_name(in);
    po.time_offset_s = offset;
    st = as_plot_spectrograms(out, &p, 1, &po, &err);
    if (st != AS_OK) {
        cli_error(&err, st, out);
        goto done;
    }
    if (!o.quiet) fprintf(stderr, "audiostyle: wrote %s\n", out);
    rc = 0;
done:
    if (S != X) free(S);
    free(X);
    free(M);
    as_stft_destroy(stft);
    as_signal_free(&y);
    return rc;
}
