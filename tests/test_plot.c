/* test_plot.c — pictures (src/plot): colormaps against their published values, tick and
 * frequency-axis arithmetic, and rendered PNGs read back pixel by pixel. */
#include "harness.h"
#include "plot/plot.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


/* ---- helpers ------------------------------------------------------------------------------- */

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Number of entries in a directory other than . and .. */
static int dir_entries(const char *d)
{
    DIR *dp = opendir(d);
    if (!dp) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dp)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(dp);
    return n;
}

/* A fresh empty directory under the scratch directory. */
static const char *fresh_dir(const char *name)
{
    static char buf[4][1024];
    static int slot;
    char *d = buf[slot++ % 4];
    snprintf(d, 1024, "%s/%s", scratch_dir(), name);
    mkdir(d, 0755);
    return d;
}

typedef struct png {
    cairo_surface_t *s;
    int w, h, stride;
    const uint32_t *px;
} png;

static int png_read(const char *path, png *p)
{
    memset(p, 0, sizeof *p);
    p->s = cairo_image_surface_create_from_png(path);
    if (cairo_surface_status(p->s) != CAIRO_STATUS_SUCCESS) {
        harness_fail(__FILE__, __LINE__, "cannot read back %s", path);
        cairo_surface_destroy(p->s);
        p->s = NULL;
        return 0;
    }
    p->w = cairo_image_surface_get_width(p->s);
    p->h = cairo_image_surface_get_height(p->s);
    p->stride = cairo_image_surface_get_stride(p->s) / 4;
    p->px = (const uint32_t *)(const void *)cairo_image_surface_get_data(p->s);
    return 1;
}

static uint32_t png_at(const png *p, int x, int y) { return p->px[(size_t)y * p->stride + x] & 0xffffffu; }

static long png_count(const png *p, uint32_t rgb)
{
    long n = 0;
    for (int y = 0; y < p->h; y++)
        for (int x = 0; x < p->w; x++) n += png_at(p, x, y) == rgb;
    return n;
}

/* Pixels within +-tol of rgb in every channel (cairo rounds colours its own way). */
static long png_count_near(const png *p, uint32_t rgb, int tol)
{
    long n = 0;
    for (int y = 0; y < p->h; y++)
        for (int x = 0; x < p->w; x++) {
            uint32_t c = png_at(p, x, y);
            int ok = 1;
            for (int s = 0; s < 24; s += 8) ok &= abs((int)((c >> s) & 255) - (int)((rgb >> s) & 255)) <= tol;
            n += ok;
        }
    return n;
}

/* sRGB (0..1) to CIE L*. */
static double lightness(const double rgb[3])
{
    double lin[3];
    for (int c = 0; c < 3; c++)
        lin[c] = rgb[c] <= 0.04045 ? rgb[c] / 12.92 : pow((rgb[c] + 0.055) / 1.055, 2.4);
    double Y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
    return Y > 216.0 / 24389.0 ? 116.0 * cbrt(Y) - 16.0 : Y * 24389.0 / 27.0;
}

/* ---- colormaps ----------------------------------------------------------------------------- */

TEST(plot_cmap_published_values)
{
    /* Published values: matplotlib's cmap(0), cmap(0.5) (= entry 128 of 256; we interpolate
     * between entries 127 and 128 there, hence the tolerance) and cmap(1). */
    static const struct { int cmap; double t, r, g, b; } known[] = {
        {AS_CMAP_MAGMA, 0.0, 0.001462, 0.000466, 0.013866},
        {AS_CMAP_MAGMA, 0.5, 0.716387, 0.214982, 0.475290},
        {AS_CMAP_MAGMA, 1.0, 0.987053, 0.991438, 0.749504},
        {AS_CMAP_VIRIDIS, 0.0, 0.267004, 0.004874, 0.329415},
        {AS_CMAP_VIRIDIS, 0.5, 0.127568, 0.566949, 0.550556},
        {AS_CMAP_VIRIDIS, 1.0, 0.993248, 0.906157, 0.143936},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        double rgb[3];
        plot_cmap_rgb(known[i].cmap, known[i].t, rgb);
        CHECK_NEAR(rgb[0], known[i].r, 4e-3);
        CHECK_NEAR(rgb[1], known[i].g, 4e-3);
        CHECK_NEAR(rgb[2], known[i].b, 4e-3);
    }
    /* The hex codes everyone knows: viridis #440154 .. #fde725, magma #000004 .. #fcfdbf. */
    CHECK(plot_cmap_pixel(AS_CMAP_VIRIDIS, 0.0) == 0xff440154u);
    CHECK(plot_cmap_pixel(AS_CMAP_VIRIDIS, 1.0) == 0xfffde725u);
    CHECK(plot_cmap_pixel(AS_CMAP_MAGMA, 0.0) == 0xff000004u);
    CHECK(plot_cmap_pixel(AS_CMAP_MAGMA, 1.0) == 0xfffcfdbfu);
    /* Out of range and NaN clamp. */
    CHECK(plot_cmap_pixel(AS_CMAP_MAGMA, -3.0) == 0xff000004u);
    CHECK(plot_cmap_pixel(AS_CMAP_MAGMA, 7.0) == 0xfffcfdbfu);
    CHECK(plot_cmap_pixel(AS_CMAP_MAGMA, NAN) == 0xff000004u);
}

TEST(plot_cmap_lightness_monotone_and_smooth)
{
    /* Both maps rise in lightness all the way (their design property), and neighbouring entries
     * are close: a mistyped table entry breaks one or the other. */
    for (int cm = 0; cm < 2; cm++) {
        double prev_l = -1, prev[3] = {0, 0, 0};
        for (int i = 0; i < 256; i++) {
            double rgb[3];
            plot_cmap_rgb(cm, i / 255.0, rgb);
            double l = lightness(rgb);
            CHECK_MSG(l > prev_l, "cmap %d entry %d: L* %.3f not above %.3f", cm, i, l, prev_l);
            if (i > 0)
                for (int c = 0; c < 3; c++)
                    CHECK_MSG(fabs(rgb[c] - prev[c]) < 0.015, "cmap %d entry %d channel %d jumps %.4f",
                              cm, i, c, rgb[c] - prev[c]);
            prev_l = l;
            memcpy(prev, rgb, sizeof prev);
        }
        double lo[3], hi[3];
        plot_cmap_rgb(cm, 0, lo);
        plot_cmap_rgb(cm, 1, hi);
        CHECK(lightness(hi) - lightness(lo) > 60);
    }
}

/* ---- ticks and axes ------------------------------------------------------------------------ */

static int is_125(double step)
{
    double m = step / pow(10.0, floor(log10(step) + 1e-9));
    return fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 5) < 1e-9;
}

TEST(plot_nice_ticks_values)
{
    double t[64];
    int n = plot_nice_ticks(0, 10, 10, t, 64);
    CHECK(n == 11);
    for (int i = 0; i < n; i++) CHECK_NEAR(t[i], i, 1e-12);
    n = plot_nice_ticks(0, 11025, 6, t, 64);
    CHECK(n == 6);
    for (int i = 0; i < n; i++) CHECK_NEAR(t[i], 2000.0 * i, 1e-9);
    n = plot_nice_ticks(-80, 0, 8, t, 64);
    CHECK(n == 9 && t[0] == -80 && t[8] == 0);
    n = plot_nice_ticks(0.3, 2.7, 5, t, 64);
    CHECK(n == 5);
    if (n == 5) {
        CHECK_NEAR(t[0], 0.5, 1e-12);
        CHECK_NEAR(t[4], 2.5, 1e-12);
    }
    /* Properties over many ranges: inside, ascending, equally spaced by 1, 2 or 5 x 10^k,
     * between target/2.5 and 2.5 target ticks. */
    as_rng r;
    as_rng_seed(&r, 7);
    for (int k = 0; k < 500; k++) {
        double lo = (as_rng_uniform(&r) - 0.5) * pow(10.0, 6 * as_rng_uniform(&r) - 2);
        double hi = lo + pow(10.0, 7 * as_rng_uniform(&r) - 3);
        int target = 2 + (int)(as_rng_uniform(&r) * 10);
        n = plot_nice_ticks(lo, hi, target, t, 64);
        double step = plot_nice_step(lo, hi, target);
        CHECK_MSG(is_125(step), "step %g for [%g, %g]", step, lo, hi);
        CHECK_MSG(n >= 1 && n >= target / 2.5 - 1 && n <= 2.5 * target + 1, "%d ticks for target %d", n, target);
        for (int i = 0; i < n; i++) {
            CHECK(t[i] >= lo - 1e-9 * fabs(hi - lo) && t[i] <= hi + 1e-9 * fabs(hi - lo));
            if (i > 0) CHECK_NEAR(t[i] - t[i - 1], step, 1e-6 * step);
        }
    }
    /* Degenerate ranges give no ticks instead of looping. */
    CHECK(plot_nice_ticks(1, 1, 5, t, 64) == 0);
    CHECK(plot_nice_ticks(NAN, 1, 5, t, 64) == 0);
    char b[32];
    plot_format_tick(b, sizeof b, 2.5, 0.5);
    CHECK(strcmp(b, "2.5") == 0);
    plot_format_tick(b, sizeof b, -0.0, 10);
    CHECK(strcmp(b, "0") == 0);
    plot_format_hz(b, sizeof b, 2000);
    CHECK(strcmp(b, "2k") == 0);
    plot_format_hz(b, sizeof b, 1500);
    CHECK(strcmp(b, "1.5k") == 0);
    plot_format_hz(b, sizeof b, 500);
    CHECK(strcmp(b, "500") == 0);
}

TEST(plot_frequency_axes_monotone)
{
    for (int sc = 0; sc < 3; sc++) {
        plot_faxis a = plot_faxis_for(sc, 22050, 2048);
        CHECK_NEAR(a.fmax, 11025, 0);
        CHECK_NEAR(plot_faxis_unit(&a, a.fmin), 0, 1e-12);
        CHECK_NEAR(plot_faxis_unit(&a, a.fmax), 1, 1e-12);
        double prev = -1;
        for (int i = 0; i <= 1000; i++) {
            double f = a.fmin + (a.fmax - a.fmin) * i / 1000.0;
            double u = plot_faxis_unit(&a, f);
            CHECK_MSG(u > prev, "scale %d not increasing at %g Hz", sc, f);
            prev = u;
            CHECK_NEAR(plot_faxis_hz(&a, u), f, 1e-9 * (f + 1));
        }
        double t[64];
        int n = plot_faxis_ticks(&a, 500, 28, t, 64);
        CHECK(n >= 4);
        for (int i = 0; i < n; i++) {
            CHECK(t[i] >= a.fmin - 1e-9 && t[i] <= a.fmax + 1e-9);
            if (i > 0) CHECK_MSG((plot_faxis_unit(&a, t[i]) - plot_faxis_unit(&a, t[i - 1])) * 500 >= 28,
                                 "scale %d: ticks %g and %g closer than 28 px", sc, t[i - 1], t[i]);
            if (sc != AS_FREQ_LINEAR && t[i] > 0) CHECK(is_125(t[i]));
        }
    }
    plot_faxis lin = plot_faxis_for(AS_FREQ_LINEAR, 22050, 2048);
    CHECK_NEAR(plot_faxis_unit(&lin, 5512.5), 0.5, 1e-12);
    plot_faxis lg = plot_faxis_for(AS_FREQ_LOG, 22050, 2048);
    CHECK_NEAR(lg.fmin, 20, 0);
    CHECK_NEAR(plot_faxis_unit(&lg, sqrt(20.0 * 11025.0)), 0.5, 1e-12);
    /* Slaney mel: 1 kHz is 15 mel; 11025 Hz is 15 + 27 ln(11.025) / ln(6.4) mel. */
    plot_faxis ml = plot_faxis_for(AS_FREQ_MEL, 22050, 2048);
    double mel_top = 15.0 + 27.0 * log(11.025) / log(6.4);
    CHECK_NEAR(plot_faxis_unit(&ml, 1000), 15.0 / mel_top, 1e-12);
    CHECK_NEAR(plot_faxis_unit(&ml, 500), 7.5 / mel_top, 1e-12);
    /* Log ticks on a 500 px axis: the decades are there. */
    double t[64];
    int n = plot_faxis_ticks(&lg, 500, 28, t, 64), seen = 0;
    for (int i = 0; i < n; i++) seen += t[i] == 100 || t[i] == 1000 || t[i] == 10000;
    CHECK(seen == 3);
}

/* ---- rendered pictures --------------------------------------------------------------------- */

/* A (1025, T) spectrogram: silence except bin `k` at amplitude 1. */
static float *tone_spec(int F, int64_t T, int k)
{
    float *S = calloc((size_t)F * T, sizeof(float));
    for (int64_t t = 0; t < T; t++) S[(size_t)k * T + t] = 1.0f;
    return S;
}

/* In column x of a one-panel picture: the panel's rows [*y0, *y1] (the run around the first
 * pixel of the bottom colour, bounded by the white margin or the dark frame) and, inside it,
 * the first and last rows that are not the bottom colour (the loud band). 0 if not found. */
static int find_band(const png *p, int x, uint32_t bottom, int *y0, int *y1, int *first, int *last)
{
    int y = 0;
    while (y < p->h && png_at(p, x, y) != bottom) y++;
    if (y == p->h) return 0;
    *y0 = *y1 = y;
    while (*y0 > 0 && png_at(p, x, *y0 - 1) != 0xffffffu && png_at(p, x, *y0 - 1) != 0x212121u) (*y0)--;
    while (*y1 + 1 < p->h && png_at(p, x, *y1 + 1) != 0xffffffu && png_at(p, x, *y1 + 1) != 0x212121u) (*y1)++;
    *first = *last = -1;
    for (y = *y0; y <= *y1; y++)
        if (png_at(p, x, y) != bottom) {
            if (*first < 0) *first = y;
            *last = y;
        }
    return *first >= 0;
}

static void check_tone_row(int scale, int cmap)
{
    const int F = 1025, k = 400; /* bin 400 = 4306.6 Hz */
    const int64_t T = 200;
    float *S = tone_spec(F, T, k);
    as_spec_panel p = {S, F, T, 22050, 512, 2048, "tone"};
    as_plot_opts o = {0};
    o.width = 1000;
    o.height = 500;
    o.freq_scale = scale;
    o.cmap = cmap;
    o.title = "a tone";
    char path[1024];
    snprintf(path, sizeof path, "%s/tone%d.png", scratch_dir(), scale);
    as_error err = {0};
    CHECK_OK(as_plot_spectrograms(path, &p, 1, &o, &err));
    png img;
    if (png_read(path, &img)) {
        CHECK(img.w == 1000 && img.h == 500);
        uint32_t top = plot_cmap_pixel(cmap, 1) & 0xffffffu, bot = plot_cmap_pixel(cmap, 0) & 0xffffffu;
        int x = img.w / 2, y0, y1, first, last;
        if (find_band(&img, x, bot, &y0, &y1, &first, &last)) {
            int ph = y1 - y0 + 1;
            CHECK_MSG(ph > 300 && ph < 500, "panel height %d", ph);
            CHECK_MSG(last - first <= 2, "scale %d: tone drawn %d px thick", scale, last - first + 1);
            /* More bins than pixel rows here: the row holding the tone shows its maximum. */
            int n_top = 0;
            for (int y = first; y <= last; y++) n_top += png_at(&img, x, y) == top;
            CHECK_MSG(n_top >= 1, "scale %d: the tone's row is not the colormap's top colour", scale);
            plot_faxis ax = plot_faxis_for(scale, 22050, 2048);
            double want = y0 + (1.0 - plot_faxis_unit(&ax, 400.0 * 22050.0 / 2048.0)) * ph;
            double got = 0.5 * (first + last + 1);
            CHECK_MSG(fabs(got - want) <= 2.0, "scale %d: tone at row %.1f, expected %.1f", scale, got, want);
            /* Silence elsewhere in the panel is exactly the bottom colour. */
            CHECK(png_at(&img, x / 2, (last + y1) / 2) == bot);
            CHECK(png_at(&img, x / 2, (first + y0) / 2) == bot);
        } else {
            CHECK_MSG(0, "scale %d: no tone or no silence found in column %d", scale, x);
        }
        cairo_surface_destroy(img.s);
    }
    free(S);
}

TEST(plot_spectrogram_tone_row_linear) { check_tone_row(AS_FREQ_LINEAR, AS_CMAP_MAGMA); }
TEST(plot_spectrogram_tone_row_log) { check_tone_row(AS_FREQ_LOG, AS_CMAP_VIRIDIS); }

TEST(plot_spectrogram_mel_band_row)
{
    const int F = 128, i_loud = 90;
    const int64_t T = 50;
    float *S = tone_spec(F, T, i_loud);
    as_spec_panel p = {S, F, T, 22050, 512, 2048, NULL};
    as_plot_opts o = {0};
    o.freq_scale = AS_FREQ_MEL;
    o.height = 640; /* about 4 px per mel band: rows are interpolated between bands */
    char path[1024];
    snprintf(path, sizeof path, "%s/mel.png", scratch_dir());
    CHECK_OK(as_plot_spectrograms(path, &p, 1, &o, NULL));
    png img;
    if (png_read(path, &img)) {
        CHECK(img.w >= 1000 && img.h == 640);
        int x = img.w / 2, y0, y1, first, last;
        if (find_band(&img, x, 0x000004u, &y0, &y1, &first, &last)) {
            int ph = y1 - y0 + 1;
            double band = (double)ph / F;
            /* Band i is the slice [i, i+1) / F of the mel axis from the bottom; interpolation
             * spreads it over at most the neighbouring bands' centres, symmetrically. */
            double want = y0 + (1.0 - (i_loud + 0.5) / F) * ph;
            double got = 0.5 * (first + last + 1);
            CHECK_MSG(fabs(got - want) <= 1.5, "mel band at row %.1f, expected %.1f", got, want);
            CHECK_MSG(last - first + 1 <= 2 * band + 2, "band %d px thick", last - first + 1);
        } else {
            CHECK_MSG(0, "no band found");
        }
        cairo_surface_destroy(img.s);
    }
    free(S);
}

TEST(plot_spectrogram_shared_scale)
{
    /* Panel 1 all at the maximum, panel 2 all 20 dB lower: with one scale over both (0 dB = the
     * loudest panel), panel 2 is exactly colour (80 - 20) / 80 = 0.75 of the map, and the two
     * panels cover the same number of pixels. */
    const int F = 64;
    const int64_t T = 30;
    float *a = malloc(sizeof(float) * F * T), *b = malloc(sizeof(float) * F * T);
    for (int i = 0; i < F * T; i++) {
        a[i] = 3.0f;
        b[i] = 0.3f;
    }
    as_spec_panel p[2] = {{a, F, T, 22050, 512, 126, "loud"}, {b, F, T, 22050, 512, 126, "quiet"}};
    as_plot_opts o = {0};
    o.cmap = AS_CMAP_VIRIDIS;
    char path[1024];
    snprintf(path, sizeof path, "%s/shared.png", scratch_dir());
    CHECK_OK(as_plot_spectrograms(path, p, 2, &o, NULL));
    png img;
    if (png_read(path, &img)) {
        CHECK(img.w >= 1000);
        long n_top = png_count(&img, plot_cmap_pixel(AS_CMAP_VIRIDIS, 1.0) & 0xffffffu);
        long n_q = png_count(&img, plot_cmap_pixel(AS_CMAP_VIRIDIS, 0.75) & 0xffffffu);
        CHECK_MSG(n_top > 100000 && labs(n_top - n_q) < n_top / 50, "top %ld px, -20 dB %ld px", n_top, n_q);
        cairo_surface_destroy(img.s);
    }
    free(a);
    free(b);
}

TEST(plot_spectrogram_refuses_bad_input)
{
    const char *dir = fresh_dir("bad");
    char path[1024];
    snprintf(path, sizeof path, "%s/x.png", dir);
    const int F = 33;
    const int64_t T = 10;
    float *S = calloc((size_t)F * T, sizeof(float));
    as_spec_panel p = {S, F, T, 22050, 512, 64, NULL};
    as_error err = {0};
    CHECK(as_plot_spectrograms(path, &p, 0, NULL, &err) == AS_ERR_ARG);
    CHECK(as_plot_spectrograms(path, NULL, 1, NULL, &err) == AS_ERR_ARG);
    CHECK(as_plot_spectrograms(NULL, &p, 1, NULL, &err) == AS_ERR_ARG);
    /* NaN data is refused (AS_ERR_NUMERIC), not drawn as some colour. */
    S[5 * T + 3] = NAN;
    CHECK(as_plot_spectrograms(path, &p, 1, NULL, &err) == AS_ERR_NUMERIC);
    CHECK(strstr(err.msg, "x.png") != NULL && strstr(err.msg, "NaN") != NULL);
    S[5 * T + 3] = INFINITY;
    CHECK(as_plot_spectrograms(path, &p, 1, NULL, &err) == AS_ERR_NUMERIC);
    S[5 * T + 3] = 0;
    as_spec_panel q = p;
    q.T = 0;
    CHECK(as_plot_spectrograms(path, &q, 1, NULL, &err) == AS_ERR_EMPTY);
    q = p;
    q.sr = 0;
    CHECK(as_plot_spectrograms(path, &q, 1, NULL, &err) == AS_ERR_ARG);
    as_plot_opts o = {0};
    o.freq_scale = 7;
    CHECK(as_plot_spectrograms(path, &p, 1, &o, &err) == AS_ERR_ARG);
    o.freq_scale = 0;
    o.db_range = -5;
    CHECK(as_plot_spectrograms(path, &p, 1, &o, &err) == AS_ERR_ARG);
    o.db_range = 0;
    o.width = 60;
    o.height = 60;
    CHECK(as_plot_spectrograms(path, &p, 1, &o, &err) == AS_ERR_ARG);
    CHECK(!file_exists(path));
    CHECK(dir_entries(dir) == 0);
    /* All silence is a valid picture (everything at the bottom of the scale). */
    CHECK_OK(as_plot_spectrograms(path, &p, 1, NULL, &err));
    CHECK(file_exists(path));
    free(S);
}

TEST(plot_png_written_atomically)
{
    const int F = 33;
    const int64_t T = 10;
    float *S = tone_spec(F, T, 3);
    as_spec_panel p = {S, F, T, 22050, 512, 64, NULL};
    as_error err = {0};
    char path[1024];
    snprintf(path, sizeof path, "%s/no/such/dir/x.png", scratch_dir());
    CHECK(as_plot_spectrograms(path, &p, 1, NULL, &err) == AS_ERR_IO);
    CHECK(strstr(err.msg, "no/such/dir/x.png") != NULL);
    CHECK(!file_exists(path));
    int counts[4] = {1, 0, 0, 1};
    CHECK(as_plot_confusion(path, counts, 2, NULL, NULL, &err) == AS_ERR_IO);
    double v[2] = {0.5, 0.5};
    CHECK(as_plot_bars(path, v, NULL, 2, NULL, &err) == AS_ERR_IO);
    /* Overwriting an existing picture leaves exactly one file and no temporary. */
    const char *dir = fresh_dir("atomic");
    snprintf(path, sizeof path, "%s/x.png", dir);
    CHECK_OK(as_plot_spectrograms(path, &p, 1, NULL, &err));
    CHECK_OK(as_plot_spectrograms(path, &p, 1, NULL, &err));
    CHECK(dir_entries(dir) == 1);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0444) == 0444);
    free(S);
}

TEST(plot_confusion_and_bars)
{
    const char *labels[4] = {"blues", "classical", "country", "disco"};
    int perfect[16] = {0};
    for (int i = 0; i < 4; i++) perfect[i * 4 + i] = 5 + i;
    char path[1024];
    snprintf(path, sizeof path, "%s/conf.png", scratch_dir());
    as_error err = {0};
    CHECK_OK(as_plot_confusion(path, perfect, 4, labels, "perfect", &err));
    png img;
    if (png_read(path, &img)) {
        CHECK(img.w >= 300 && img.h >= 300);
        /* A perfect classifier: 4 full-share cells (viridis top) and 12 empty ones (bottom),
         * equal-sized, so the bottom colour covers about 3 times the area of the top one. */
        long top = png_count_near(&img, 0xfde725u, 1), bot = png_count_near(&img, 0x440154u, 1);
        CHECK_MSG(top > 4 * 20 * 20 && bot > 2.5 * top && bot < 3.3 * top, "top %ld, bottom %ld px", top, bot);
        cairo_surface_destroy(img.s);
    }
    int neg[4] = {1, -1, 0, 1};
    CHECK(as_plot_confusion(path, neg, 2, NULL, NULL, &err) == AS_ERR_ARG);
    CHECK(as_plot_confusion(path, perfect, 0, NULL, NULL, &err) == AS_ERR_ARG);

    double v[4] = {0.1, 0.6, 0.2, 0.1};
    snprintf(path, sizeof path, "%s/bars.png", scratch_dir());
    CHECK_OK(as_plot_bars(path, v, labels, 4, "probabilities", &err));
    if (png_read(path, &img)) {
        CHECK(img.w >= 600 && img.h > 4 * 20);
        cairo_surface_destroy(img.s);
    }
    double bad[2] = {0.5, NAN};
    CHECK(as_plot_bars(path, bad, NULL, 2, NULL, &err) == AS_ERR_NUMERIC);
    bad[1] = 1.5;
    CHECK(as_plot_bars(path, bad, NULL, 2, NULL, &err) == AS_ERR_ARG);
    CHECK(as_plot_bars(path, bad, NULL, 0, NULL, &err) == AS_ERR_ARG);
}

/* Rows of the first two frame lines (the dark ink, 0x212121) in column x, top down. */
static int frame_rows(const png *p, int x, int *top, int *bot)
{
    *top = *bot = -1;
    for (int y = 0; y < p->h; y++)
        if (png_at(p, x, y) == 0x212121u) {
            if (*top < 0) *top = y;
            else if (y > *top + 1) {
                *bot = y;
                break;
            }
        }
    return *bot > 0;
}

TEST(plot_curves_line_position_and_gaps)
{
    /* y = 5 on a fixed 0..10 axis and y = 100 on a fixed 10..1000 log axis both sit half way
     * up; a run of NaN leaves a gap. No title or names, so nothing else is drawn above. */
    const int64_t n = 200;
    float *y = malloc(sizeof(float) * n);
    for (int log_axis = 0; log_axis < 2; log_axis++) {
        for (int64_t i = 0; i < n; i++) y[i] = log_axis ? 100.0f : 5.0f;
        for (int64_t i = 60; i < 80; i++) y[i] = NAN;
        as_curve c = {y, n, 0.0, 0.05, NULL, NULL};
        as_curves_opts o = {0};
        o.y_log = log_axis;
        o.y_min = log_axis ? 10 : 0;
        o.y_max = log_axis ? 1000 : 10;
        char path[1024];
        snprintf(path, sizeof path, "%s/curve%d.png", scratch_dir(), log_axis);
        CHECK_OK(as_plot_curves(path, &c, 1, &o, NULL));
        png img;
        if (!png_read(path, &img)) continue;
        CHECK(img.w == 1000 && img.h == 400);
        int x = img.w * 3 / 4, top, bot;
        if (frame_rows(&img, x, &top, &bot)) {
            /* The line is antialiased: take the rows that are clearly blue (red channel low). */
            int first = -1, last = -1;
            for (int yy = top + 1; yy < bot; yy++)
                if (((png_at(&img, x, yy) >> 16) & 255) < 0x90) {
                    if (first < 0) first = yy;
                    last = yy;
                }
            double mid = 0.5 * (top + bot);
            CHECK_MSG(first >= 0 && last - first <= 3, "log %d: line rows %d..%d", log_axis, first, last);
            CHECK_MSG(fabs(0.5 * (first + last) - mid) <= 1.5, "log %d: line at row %.1f, middle %.1f",
                      log_axis, 0.5 * (first + last), mid);
            /* The frame's left and right columns on that row; t = 3.5 s lies in the NaN gap
             * (samples 60..79 = 3.0..3.95 s of a 0..10 s axis): no blue in that column. */
            int row = top + (bot - top) / 4, lf = -1, rf = -1; /* a row with no tick label */
            for (int xx = 0; xx < img.w; xx++)
                if (png_at(&img, xx, row) == 0x212121u) {
                    if (lf < 0) lf = xx;
                    rf = xx;
                }
            int gx = lf + 1 + (int)(0.35 * (rf - lf - 1));
            int blue_in_gap = 0, blue_before = 0;
            for (int yy = top + 1; yy < bot; yy++) {
                blue_in_gap += ((png_at(&img, gx, yy) >> 16) & 255) < 0x90;
                blue_before += ((png_at(&img, gx - 120, yy) >> 16) & 255) < 0x90;
            }
            CHECK_MSG(blue_in_gap == 0 && blue_before > 0, "log %d: gap column %d has %d blue px, before %d",
                      log_axis, gx, blue_in_gap, blue_before);
        } else {
            CHECK_MSG(0, "no frame found");
        }
        cairo_surface_destroy(img.s);
    }
    /* Bad input. */
    as_error err = {0};
    char path[1024];
    snprintf(path, sizeof path, "%s/curve_bad.png", scratch_dir());
    as_curve c = {y, n, 0.0, 0.05, "x", NULL};
    CHECK(as_plot_curves(path, &c, 0, NULL, &err) == AS_ERR_ARG);
    c.dt = 0;
    CHECK(as_plot_curves(path, &c, 1, NULL, &err) == AS_ERR_ARG);
    c.dt = 0.05;
    for (int64_t i = 0; i < n; i++) y[i] = NAN;
    CHECK(as_plot_curves(path, &c, 1, NULL, &err) == AS_ERR_EMPTY);
    for (int64_t i = 0; i < n; i++) y[i] = -1;
    as_curves_opts lo = {0};
    lo.y_log = 1;
    CHECK(as_plot_curves(path, &c, 1, &lo, &err) == AS_ERR_EMPTY);
    CHECK(!file_exists(path));
    free(y);
}

/* Points at given x: y = x from (0, 0) to (10, 10) on fixed 0..10 axes is the frame's diagonal;
 * at 3/4 of the width the line is 3/4 of the way up. Descending x is refused. */
TEST(plot_curves_at_given_x)
{
    float x[3] = {0, 2, 10}, y[3] = {0, 2, 10};
    as_curve c = {.y = y, .n = 3, .x = x};
    as_curves_opts o = {0};
    o.y_min = 0;
    o.y_max = 10;
    o.x_label = "Seconds";
    char path[1024];
    snprintf(path, sizeof path, "%s/curve_x.png", scratch_dir());
    CHECK_OK(as_plot_curves(path, &c, 1, &o, NULL));
    png img;
    if (png_read(path, &img)) {
        int top, bot, lf = -1, rf = -1;
        int probe = img.w / 2;
        if (frame_rows(&img, probe, &top, &bot)) {
            int row = top + (bot - top) / 4;
            for (int xx = 0; xx < img.w; xx++)
                if (png_at(&img, xx, row) == 0x212121u) {
                    if (lf < 0) lf = xx;
                    rf = xx;
                }
            int gx = lf + 1 + (int)(0.75 * (rf - lf - 1)), first = -1, last = -1;
            for (int yy = top + 1; yy < bot; yy++)
                if (((png_at(&img, gx, yy) >> 16) & 255) < 0x90) {
                    if (first < 0) first = yy;
                    last = yy;
                }
            double want = bot - 0.75 * (bot - top);
            CHECK_MSG(first >= 0 && fabs(0.5 * (first + last) - want) <= 3.0,
                      "line at rows %d..%d in column %d, want about %.1f", first, last, gx, want);
        } else {
            CHECK_MSG(0, "no frame found");
        }
        cairo_surface_destroy(img.s);
    }
    x[1] = 11; /* not ascending */
    as_error err = {0};
    CHECK(as_plot_curves(path, &c, 1, &o, &err) == AS_ERR_ARG);
    x[1] = NAN;
    CHECK(as_plot_curves(path, &c, 1, &o, &err) == AS_ERR_ARG);
}

TEST(plot_waveforms_envelope)
{
    /* +-0.5 alternating every sample: every pixel column's envelope is the middle half of its
     * row (amplitude axis -1..1). */
    const int64_t n = 22050;
    float *x = malloc(sizeof(float) * n);
    for (int64_t i = 0; i < n; i++) x[i] = i % 2 ? 0.5f : -0.5f;
    as_wave w = {x, n, 22050, "sine"};
    char path[1024];
    snprintf(path, sizeof path, "%s/wave.png", scratch_dir());
    CHECK_OK(as_plot_waveforms(path, &w, 1, NULL, 0, 0, NULL));
    png img;
    if (png_read(path, &img)) {
        CHECK(img.w == 1000 && img.h > 150);
        int col = img.w / 2, top, bot;
        if (frame_rows(&img, col, &top, &bot)) {
            int first = -1, last = -1;
            for (int yy = top; yy <= bot; yy++)
                if (png_at(&img, col, yy) == 0x1f77b4u) {
                    if (first < 0) first = yy;
                    last = yy;
                }
            double h = bot - top - 1;
            CHECK_MSG(first >= 0 && fabs((last - first + 1) - 0.5 * h) <= 3,
                      "envelope rows %d..%d in a %.0f px row", first, last, h);
        } else {
            CHECK_MSG(0, "no frame found");
        }
        cairo_surface_destroy(img.s);
    }
    x[100] = NAN;
    as_error err = {0};
    snprintf(path, sizeof path, "%s/wave_bad.png", scratch_dir());
    CHECK(as_plot_waveforms(path, &w, 1, NULL, 0, 0, &err) == AS_ERR_NUMERIC);
    CHECK(as_plot_waveforms(path, &w, 0, NULL, 0, 0, &err) == AS_ERR_ARG);
    CHECK(!file_exists(path));
    free(x);
}

TEST(plot_fit_text_truncates)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 4, 4);
    cairo_t *cr = cairo_create(s);
    char buf[128];
    const char *shortt = "rock";
    CHECK(plot_fit_text(cr, shortt, 14, PLOT_FONT_NORMAL, 200, buf, sizeof buf) == shortt);
    const char *longt = "style: metal_sectoid_metal_madness_and_a_much_longer_name_\xc3\xa9\xc3\xa9\xc3\xa9.flac";
    const char *f = plot_fit_text(cr, longt, 14, PLOT_FONT_NORMAL, 150, buf, sizeof buf);
    CHECK(f == buf);
    CHECK(plot_text_width(cr, f, 14, PLOT_FONT_NORMAL) <= 150);
    CHECK(plot_text_width(cr, f, 14, PLOT_FONT_NORMAL) > 100);
    size_t n = strlen(f);
    CHECK(n > 3 && strcmp(f + n - 3, "\xe2\x80\xa6") == 0);
    CHECK(strncmp(f, longt, n - 3) == 0);
    /* Never cuts a UTF-8 character in half. */
    f = plot_fit_text(cr, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 14, PLOT_FONT_NORMAL, 40, buf,
                      sizeof buf);
    n = strlen(f);
    CHECK(n >= 3 && (n - 3) % 2 == 0);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
}
