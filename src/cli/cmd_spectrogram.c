/* cmd_spectrogram.c — audiostyle spectrogram IN -o OUT.png: a labelled spectrogram picture.
 *
 * Loads IN (any format, mono, 22050 Hz), takes |STFT| (n_fft 2048, hop 512, centred, reflect
 * padding: librosa's defaults), optionally 128 Slaney mel bands of the power spectrum, and draws
 * it with as_plot_spectrograms in dB relative to the maximum. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N_FFT = 2048, HOP = 512, N_MELS = 128 };


static void usage(FILE *f)
{
    fprintf(f,
            "usage: audiostyle spectrogram IN -o OUT.png [--mel | --log-frequency] [--title T]\n"
            "  Draws the spectrogram of IN (STFT n_fft 2048, hop 512) in dB relative to its maximum:\n"
            "  time in seconds, frequency in Hz, a colourbar.\n"
            "  -o, --output OUT.png   the picture (written atomically)\n"
            "  --mel                  128 mel bands (Slaney), power in dB\n"
            "  --log-frequency        logarithmic frequency axis (20 Hz to 11 kHz)\n"
            "  --title T              title above the picture (default: the file name)\n"
            "  --cmap magma|viridis   colormap (default magma)\n"
            "  --width W, --height H  picture size in pixels (default 1200 x 600)\n"
            "  --db-range R           dB below the maximum shown (default 80)\n"
            "  --offset S             start reading IN at S seconds\n"
            "  --duration S           read at most S seconds\n"
            "  --max-duration S       refuse inputs longer than S seconds (default 1200; 0 = no limit)\n");
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int cmd_spectrogram(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *title = NULL;
    int mel = 0, logf = 0, width = 0, height = 0, cmap = AS_CMAP_MAGMA;
    double db_range = 80.0, offset = 0.0, duration = 0.0, max_duration = 1200.0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_VALUE()                                                               \
    do {                                                                           \
        if (!v) return cli_usage("spectrogram", "%s needs a value", a);            \
        i++;                                                                       \
    } while (0)
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            NEED_VALUE();
            out = v;
        } else if (strcmp(a, "--mel") == 0) {
            mel = 1;
        } else if (strcmp(a, "--log-frequency") == 0 || strcmp(a, "--log") == 0) {
            logf = 1;
        } else if (strcmp(a, "--title") == 0) {
            NEED_VALUE();
            title = v;
        } else if (strcmp(a, "--cmap") == 0) {
            NEED_VALUE();
            if (strcmp(v, "magma") == 0) cmap = AS_CMAP_MAGMA;
            else if (strcmp(v, "viridis") == 0) cmap = AS_CMAP_VIRIDIS;
            else return cli_usage("spectrogram", "--cmap must be magma or viridis (got '%s')", v);
        } else if (strcmp(a, "--width") == 0) {
            NEED_VALUE();
            if (!cli_parse_int("spectrogram", a, v, 200, 16384, &width)) return 2;
        } else if (strcmp(a, "--height") == 0) {
            NEED_VALUE();
            if (!cli_parse_int("spectrogram", a, v, 150, 16384, &height)) return 2;
        } else if (strcmp(a, "--db-range") == 0) {
            NEED_VALUE();
            if (!cli_parse_double("spectrogram", a, v, 1, 400, &db_range)) return 2;
        } else if (strcmp(a, "--offset") == 0) {
            NEED_VALUE();
            if (!cli_parse_double("spectrogram", a, v, 0, 1e7, &offset)) return 2;
        } else if (strcmp(a, "--duration") == 0) {
            NEED_VALUE();
            if (!cli_parse_double("spectrogram", a, v, 0.01, 1e7, &duration)) return 2;
        } else if (strcmp(a, "--max-duration") == 0) {
            NEED_VALUE();
            if (!cli_parse_double("spectrogram", a, v, 0, 1e9, &max_duration)) return 2;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage("spectrogram", "unknown option '%s'", a);
        } else if (!in) {
            in = a;
        } else {
            return cli_usage("spectrogram", "one input file only (got '%s' and '%s')", in, a);
        }
#undef NEED_VALUE
    }
    if (!in) return cli_usage("spectrogram", "no input file given");
    if (!out) return cli_usage("spectrogram", "no output given (-o OUT.png)");
    if (mel && logf) return cli_usage("spectrogram", "--mel and --log-frequency exclude each other");

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
    rc = 0;
done:
    if (S != X) free(S);
    free(X);
    free(M);
    as_stft_destroy(stft);
    as_signal_free(&y);
    return rc;
}
