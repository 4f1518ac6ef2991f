/* axes.c — tick values, frequency axes, text and atomic PNG output shared by every picture. */
#define _POSIX_C_SOURCE 200809L
#include "plot/plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- ticks --------------------------------------------------------------------------------- */

double plot_nice_step(double lo, double hi, int target)
{
    if (!(hi > lo) || !isfinite(hi - lo)) return 1.0;
    if (target < 1) target = 1;
    double raw = (hi - lo) / target;
    double mag = pow(10.0, floor(log10(raw)));
    double norm = raw / mag;
    double m = norm < 1.5 ? 1.0 : norm < 3.0 ? 2.0 : norm < 7.0 ? 5.0 : 10.0;
    return m * mag;
}

int plot_nice_ticks(double lo, double hi, int target, double *ticks, int cap)
{
    if (!(hi > lo) || !isfinite(lo) || !isfinite(hi) || cap <= 0) return 0;
    double step = plot_nice_step(lo, hi, target);
    double k0 = ceil(lo / step - 1e-9), k1 = floor(hi / step + 1e-9);
    int n = 0;
    for (double k = k0; k <= k1 && n < cap; k += 1.0) {
        double v = k * step;
        if (fabs(v) < 1e-12 * step) v = 0.0; /* no "-0" */
        ticks[n++] = v;
    }
    return n;
}

void plot_format_tick(char *buf, size_t len, double v, double step)
{
    int dec = 0;
    if (step > 0 && step < 1.0) dec = (int)ceil(-log10(step) - 1e-9);
    if (dec > 6) dec = 6;
    if (fabs(v) < 0.5 * pow(10.0, -dec)) v = 0.0;
    snprintf(buf, len, "%.*f", dec, v);
}

void plot_format_hz(char *buf, size_t len, double hz)
{
    if (hz >= 1000.0) {
        double k = hz / 1000.0;
        if (fabs(k - round(k)) < 1e-6) snprintf(buf, len, "%.0fk", k);
        else snprintf(buf, len, "%gk", round(k * 100.0) / 100.0);
    } else {
        snprintf(buf, len, "%g", round(hz * 100.0) / 100.0);
    }
}

/* ---- frequency axes ------------------------------------------------------------------------ */

/* Slaney mel scale (librosa hz_to_mel, htk=False): linear below 1 kHz, logarithmic above. Kept
 * here (rather than calling src/dsp) so the plots depend on nothing but cairo. */
static const double mel_f_sp = 200.0 / 3.0;
static const double mel_min_log_hz = 1000.0;
static double mel_logstep(void) { return log(6.4) / 27.0; }

static double hz_to_mel(double hz)
{
    if (hz < mel_min_log_hz) return hz / mel_f_sp;
    return mel_min_log_hz / mel_f_sp + log(hz / mel_min_log_hz) / mel_logstep();
}

static double mel_to_hz(double mel)
{
    double min_log_mel = mel_min_log_hz / mel_f_sp;
    if (mel < min_log_mel) return mel * mel_f_sp;
    return mel_min_log_hz * exp(mel_logstep() * (mel - min_log_mel));
}

plot_faxis plot_faxis_for(int scale, int sr, int n_fft)
{
    plot_faxis a;
    a.scale = scale;
    a.fmax = sr > 0 ? sr / 2.0 : AS_SR / 2.0;
    a.fmin = 0.0;
    if (scale == AS_FREQ_LOG) {
        /* Start at 20 Hz, or at the first bin if the bins are coarser than that. */
        double bin = (n_fft > 0 && sr > 0) ? (double)sr / n_fft : 0.0;
        a.fmin = AS_MAX(20.0, bin);
        if (a.fmin >= a.fmax) a.fmin = a.fmax / 100.0;
    }
    return a;
}

static double axis_coord(const plot_faxis *a, double hz)
{
    switch (a->scale) {
    case AS_FREQ_LOG: return log(hz > 1e-12 ? hz : 1e-12);
    case AS_FREQ_MEL: return hz_to_mel(hz);
    default: return hz;
    }
}

double plot_faxis_unit(const plot_faxis *a, double hz)
{
    double c0 = axis_coord(a, a->fmin), c1 = axis_coord(a, a->fmax);
    return (axis_coord(a, hz) - c0) / (c1 - c0);
}

double plot_faxis_hz(const plot_faxis *a, double u)
{
    double c0 = axis_coord(a, a->fmin), c1 = axis_coord(a, a->fmax);
    double c = c0 + u * (c1 - c0);
    switch (a->scale) {
    case AS_FREQ_LOG: return exp(c);
    case AS_FREQ_MEL: return mel_to_hz(c);
    default: return c;
    }
}

int plot_faxis_ticks(const plot_faxis *a, double len_px, double min_gap_px, double *ticks, int cap)
{
    if (a->scale == AS_FREQ_LINEAR) {
        int target = (int)(len_px / (2.5 * min_gap_px));
        return plot_nice_ticks(a->fmin, a->fmax, AS_MAX(target, 2), ticks, cap);
    }
    /* Log and mel: 1-2-5 per decade, kept greedily from the bottom while they are far enough
     * apart; mel also shows 0. */
    double cand[64];
    int nc = 0;
    if (a->scale == AS_FREQ_MEL) cand[nc++] = 0.0;
    for (int e = -6; e <= 9; e++)
        for (int d = 0; d < 3; d++) cand[nc++] = (d == 0 ? 1.0 : d == 1 ? 2.0 : 5.0) * pow(10.0, e);
    int n = 0;
    double last = -1e30;
    for (int i = 0; i < nc && n < cap; i++) {
        double f = cand[i];
        if (f < a->fmin * (1 - 1e-9) || f > a->fmax * (1 + 1e-9)) continue;
        double px = plot_faxis_unit(a, f) * len_px;
        if (px - last < min_gap_px) continue;
        ticks[n++] = f;
        last = px;
    }
    return n;
}

/* ---- text ---------------------------------------------------------------------------------- */

static void set_font(cairo_t *cr, double size, int weight)
{
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           weight == PLOT_FONT_BOLD ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

double plot_text_width(cairo_t *cr, const char *s, double size, int weight)
{
    cairo_text_extents_t te;
    set_font(cr, size, weight);
    cairo_text_extents(cr, s ? s : "", &te);
    return te.x_advance;
}

double plot_labels_max_width(cairo_t *cr, const char *const *labels, int n, double size)
{
    char numbuf[16];
    double maxw = 0;
    for (int i = 0; i < n; i++) {
        const char *s = labels && labels[i] ? labels[i] : NULL;
        if (!s) {
            snprintf(numbuf, sizeof numbuf, "%d", i);
            s = numbuf;
        }
        maxw = fmax(maxw, plot_text_width(cr, s, size, PLOT_FONT_NORMAL));
    }
    return maxw;
}

const char *plot_fit_text(cairo_t *cr, const char *s, double size, int weight, double max_w, char *buf,
                          size_t len)
{
    if (!s || plot_text_width(cr, s, size, weight) <= max_w || len < 8) return s;
    static const char ell[] = "\xe2\x80\xa6"; /* U+2026 */
    size_t n = strlen(s);
    if (n > len - sizeof ell) n = len - sizeof ell;
    for (;;) {
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80) n--; /* whole characters only */
        memcpy(buf, s, n);
        memcpy(buf + n, ell, sizeof ell);
        if (n == 0 || plot_text_width(cr, buf, size, weight) <= max_w) return buf;
        n--;
    }
}

void plot_text(cairo_t *cr, double x, double y, const char *s, double size, int weight,
               double ha, double va, double angle)
{
    if (!s || !*s) return;
    cairo_text_extents_t te;
    cairo_font_extents_t fe;
    set_font(cr, size, weight);
    cairo_text_extents(cr, s, &te);
    cairo_font_extents(cr, &fe);
    /* The digits and capitals of DejaVu Sans sit in about 0.73 em above the baseline; centre
     * on that box rather than on the full ascent so labels look centred on their ticks. */
    double cap = 0.73 * size, desc = 0.0;
    (void)fe;
    cairo_save(cr);
    cairo_translate(cr, x, y);
    if (angle != 0.0) cairo_rotate(cr, -angle);
    double bx = -ha * te.x_advance;
    double by = cap - va * (cap + desc);
    cairo_move_to(cr, bx, by);
    cairo_show_text(cr, s);
    cairo_restore(cr);
}

/* ---- canvas and PNG ------------------------------------------------------------------------ */

cairo_surface_t *plot_canvas(int width, int height)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return NULL;
    }
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_destroy(cr);
    return s;
}

as_status plot_check_surface(cairo_surface_t *s, cairo_t *cr, const char *path, as_error *err)
{
    cairo_status_t cs = s ? cairo_surface_status(s) : CAIRO_STATUS_NO_MEMORY;
    if (cs == CAIRO_STATUS_SUCCESS && cr) cs = cairo_status(cr);
    if (cs == CAIRO_STATUS_SUCCESS) return AS_OK;
    return as__fail(err, cs == CAIRO_STATUS_NO_MEMORY ? AS_ERR_NOMEM : AS_ERR_INTERNAL, path,
                    "cannot draw the picture (cairo: %s)", cairo_status_to_string(cs));
}

typedef struct png_sink {
    int fd;
    int failed_errno;
} png_sink;

static cairo_status_t png_write(void *closure, const unsigned char *data, unsigned int len)
{
    png_sink *k = closure;
    while (len > 0) {
        ssize_t w = write(k->fd, data, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            k->failed_errno = errno;
            return CAIRO_STATUS_WRITE_ERROR;
        }
        data += w;
        len -= (unsigned int)w;
    }
    return CAIRO_STATUS_SUCCESS;
}

as_status plot_write_png(cairo_surface_t *s, const char *path, as_error *err)
{
    if (!path || !*path) return as__fail(err, AS_ERR_ARG, "plot", "no output path");
    as_status st = plot_check_surface(s, NULL, path, err);
    if (st != AS_OK) return st;
    char tmp[4096];
    int fd = as__tmp_open(path, tmp, sizeof tmp);
    if (fd < 0)
        return as__fail(err, AS_ERR_IO, path, "cannot create the file (%s)", strerror(errno));
    png_sink k = {fd, 0};
    cairo_status_t cs = cairo_surface_write_to_png_stream(s, png_write, &k);
    if (cs == CAIRO_STATUS_SUCCESS && fsync(fd) != 0 && errno != EINVAL) k.failed_errno = errno;
    if (close(fd) != 0 && !k.failed_errno) k.failed_errno = errno;
    if (cs != CAIRO_STATUS_SUCCESS || k.failed_errno) {
        as__tmp_abort(tmp);
        if (k.failed_errno)
            return as__fail(err, AS_ERR_IO, path, "cannot write the file (%s)", strerror(k.failed_errno));
        return as__fail(err, AS_ERR_IO, path, "cannot encode the PNG (cairo: %s)", cairo_status_to_string(cs));
    }
    st = as__tmp_commit(tmp, path);
    if (st != AS_OK) return as__fail(err, st, path, "cannot rename the temporary file into place");
    return AS_OK;
}

/* ---- series colours ------------------------------------------------------------------------ */

void plot_series_rgb(int i, double rgb[3])
{
    static const uint32_t tab10[10] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                       0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
    uint32_t c = tab10[((i % 10) + 10) % 10];
    rgb[0] = ((c >> 16) & 255) / 255.0;
    rgb[1] = ((c >> 8) & 255) / 255.0;
    rgb[2] = (c & 255) / 255.0;
}
