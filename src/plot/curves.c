/* curves.c — line plots over time: several named series on one pair of axes with a legend
 * (as_plot_curves), and stacked waveforms on a shared time axis (as_plot_waveforms). */
#include "plot/plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MINUS "\xe2\x88\x92"

static const double pad = 16, fs_tick = 13, fs_label = 14, fs_title = 18, fs_legend = 13;

static int drawable(double v, int y_log) { return isfinite(v) && (!y_log || v > 0); }

static void fmt_value(char *buf, size_t len, double v, double step, int y_log)
{
    char num[40];
    if (y_log) {
        if (fabs(v) >= 1000) snprintf(num, sizeof num, "%gk", v / 1000.0);
        else snprintf(num, sizeof num, "%g", v);
    } else {
        plot_format_tick(num, sizeof num, fabs(v), step);
    }
    int neg = v < 0 && strcmp(num, "0") != 0;
    snprintf(buf, len, "%s%s", neg ? MINUS : "", num);
}

/* Time axis under a plot rectangle. */
static void time_axis(cairo_t *cr, double x0, double y_base, double pw, double t_lo, double t_hi,
                      const char *label)
{
    double ticks[64];
    int target = (int)(pw / 95.0);
    if (target < 2) target = 2;
    int n = plot_nice_ticks(t_lo, t_hi, target, ticks, 64);
    double step = plot_nice_step(t_lo, t_hi, target);
    cairo_set_source_rgb(cr, PLOT_INK);
    cairo_set_line_width(cr, 1.0);
    for (int i = 0; i < n; i++) {
        double x = x0 + (ticks[i] - t_lo) / (t_hi - t_lo) * pw;
        double xs = floor(x) + 0.5;
        cairo_move_to(cr, xs, y_base + 0.5);
        cairo_line_to(cr, xs, y_base + 5.5);
        cairo_stroke(cr);
        char b[48];
        plot_format_tick(b, sizeof b, ticks[i], step);
        plot_text(cr, x, y_base + 9, b, fs_tick, PLOT_FONT_NORMAL, 0.5, 0.0, 0);
    }
    plot_text(cr, x0 + 0.5 * pw, y_base + 9 + fs_tick + 10, label ? label : "Time (s)", fs_label,
              PLOT_FONT_NORMAL, 0.5, 0.0, 0);
}

static double time_axis_height(void) { return 9 + fs_tick + 10 + fs_label + 4; }

static as_status finish(cairo_surface_t *surf, cairo_t *cr, const char *path, as_error *err)
{
    as_status st = plot_check_surface(surf, cr, path, err);
    cairo_destroy(cr);
    if (st == AS_OK) st = plot_write_png(surf, path, err);
    cairo_surface_destroy(surf);
    return st;
}

/* ---- curves -------------------------------------------------------------------------------- */

AS_API as_status as_plot_curves(const char *png_path, const as_curve *curves, int n,
                                const as_curves_opts *opts, as_error *err)
{
    static const as_curves_opts defaults = {0};
    const as_curves_opts *o = opts ? opts : &defaults;
    if (!png_path || !*png_path) return as__fail(err, AS_ERR_ARG, "plot", "no output path");
    const char *path = png_path;
    if (!curves || n < 1 || n > 32)
        return as__fail(err, AS_ERR_ARG, path, "curves need 1 to 32 series (got %d)", n);
    int W = o->width > 0 ? o->width : 1000, H = o->height > 0 ? o->height : 400;
    if (o->width < 0 || o->height < 0 || W < 200 || H < 150 || W > 16384 || H > 16384)
        return as__fail(err, AS_ERR_ARG, path, "picture size %d x %d out of range", W, H);
    const int y_log = o->y_log != 0;

    /* Data ranges. */
    double t_lo = INFINITY, t_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
    for (int s = 0; s < n; s++) {
        const as_curve *c = &curves[s];
        if (!c->y || c->n < 1) return as__fail(err, AS_ERR_EMPTY, path, "series %d is empty", s + 1);
        if (c->x) {
            for (int64_t i = 0; i < c->n; i++)
                if (!isfinite(c->x[i]) || (i > 0 && !(c->x[i] >= c->x[i - 1])))
                    return as__fail(err, AS_ERR_ARG, path, "series %d: x must be finite and ascending", s + 1);
            t_lo = fmin(t_lo, c->x[0]);
            t_hi = fmax(t_hi, c->n > 1 ? c->x[c->n - 1] : c->x[0] + 1.0);
        } else {
            if (!isfinite(c->t0) || !isfinite(c->dt) || c->dt <= 0)
                return as__fail(err, AS_ERR_ARG, path, "series %d: t0 and dt > 0 must be finite", s + 1);
            t_lo = fmin(t_lo, c->t0);
            t_hi = fmax(t_hi, c->t0 + (c->n > 1 ? (double)(c->n - 1) : 1.0) * c->dt);
        }
        for (int64_t i = 0; i < c->n; i++)
            if (drawable(c->y[i], y_log)) {
                y_lo = fmin(y_lo, c->y[i]);
                y_hi = fmax(y_hi, c->y[i]);
            }
    }
    if (!(y_hi >= y_lo)) return as__fail(err, AS_ERR_EMPTY, path, "no finite%s value to draw", y_log ? " positive" : "");
    if (o->y_max > o->y_min && isfinite(o->y_min) && isfinite(o->y_max) && (!y_log || o->y_min > 0)) {
        y_lo = o->y_min;
        y_hi = o->y_max;
    } else if (y_log) {
        if (y_hi <= y_lo * 1.0001) {
            y_lo /= 2;
            y_hi *= 2;
        } else {
            y_lo /= 1.1;
            y_hi *= 1.1;
        }
    } else {
        if (y_hi - y_lo <= 1e-12 * fmax(fabs(y_hi), 1e-300)) {
            double d = y_lo != 0 ? 0.1 * fabs(y_lo) : 1.0;
            y_lo -= d;
            y_hi += d;
        }
    }

    /* Let the time axis end on a tick when that is at most 2 % further. */
    {
        double st = plot_nice_step(t_lo, t_hi, (int)(W / 95.0) < 2 ? 2 : (int)(W / 95.0));
        double end = ceil(t_hi / st - 1e-9) * st;
        if (end - t_hi <= 0.02 * (t_hi - t_lo)) t_hi = end;
    }

    cairo_surface_t *surf = plot_canvas(W, H);
    if (!surf) return as__fail(err, AS_ERR_NOMEM, path, "cannot allocate a %d x %d picture", W, H);
    cairo_t *cr = cairo_create(surf);

    int has_title = o->title && *o->title;
    int any_name = 0;
    for (int s = 0; s < n; s++) any_name |= curves[s].name && *curves[s].name;
    double top = pad + (has_title ? fs_title + 12 : 0) + (any_name ? fs_legend + 14 : 4);
    double bottom = time_axis_height() + pad;
    double ph = H - top - bottom;

    /* Y ticks: nice steps (the range widened to whole steps) or 1-2-5 per decade. */
    double yt[64];
    int nyt;
    double ystep = 0;
    plot_faxis lax = {AS_FREQ_LOG, y_lo, y_hi};
    if (y_log) {
        nyt = plot_faxis_ticks(&lax, ph, 2.2 * fs_tick, yt, 64);
    } else {
        int target = (int)(ph / 50.0);
        if (target < 2) target = 2;
        ystep = plot_nice_step(y_lo, y_hi, target);
        if (!(o->y_max > o->y_min)) {
            y_lo = floor(y_lo / ystep + 1e-9) * ystep;
            y_hi = ceil(y_hi / ystep - 1e-9) * ystep;
        }
        nyt = plot_nice_ticks(y_lo, y_hi, target, yt, 64);
    }
    lax.fmin = y_lo;
    lax.fmax = y_hi;
    double ylw = 0;
    char lbl[64][48];
    for (int i = 0; i < nyt; i++) {
        fmt_value(lbl[i], sizeof lbl[i], yt[i], ystep, y_log);
        ylw = fmax(ylw, plot_text_width(cr, lbl[i], fs_tick, PLOT_FONT_NORMAL));
    }
    int has_ylabel = o->y_label && *o->y_label;
    double left = floor(pad + (has_ylabel ? fs_label + 10 : 0) + ylw + 9 + 5);
    double right = pad + 8;
    double pw = W - left - right;
    top = floor(top);
    ph = floor(ph);
    if (pw < 60 || ph < 40) {
        cairo_destroy(cr);
        cairo_surface_destroy(surf);
        return as__fail(err, AS_ERR_ARG, path, "picture %d x %d is too small", W, H);
    }
#define YPIX(v) (top + (1.0 - (y_log ? plot_faxis_unit(&lax, (v)) : ((v) - y_lo) / (y_hi - y_lo))) * ph)
#define XPIX(t) (left + ((t) - t_lo) / (t_hi - t_lo) * pw)

    if (has_title) {
        cairo_set_source_rgb(cr, PLOT_INK);
        char fit[512];
        plot_text(cr, 0.5 * W, pad, plot_fit_text(cr, o->title, fs_title, PLOT_FONT_BOLD, W - 2 * pad, fit, sizeof fit),
                  fs_title, PLOT_FONT_BOLD, 0.5, 0.0, 0);
    }
    /* Legend: one centred row of line samples and names. */
    if (any_name) {
        double total = 0;
        for (int s = 0; s < n; s++)
            total += 26 + 6 + plot_text_width(cr, curves[s].name ? curves[s].name : "", fs_legend, PLOT_FONT_NORMAL) +
                     (s + 1 < n ? 22 : 0);
        double x = fmax(left, 0.5 * W - 0.5 * total);
        double y = pad + (has_title ? fs_title + 12 : 0) + 0.5 * fs_legend + 2;
        for (int s = 0; s < n; s++) {
            double rgb[3];
            plot_series_rgb(s, rgb);
            cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
            cairo_set_line_width(cr, 2.5);
            cairo_move_to(cr, x, y);
            cairo_line_to(cr, x + 26, y);
            cairo_stroke(cr);
            cairo_set_source_rgb(cr, PLOT_INK);
            const char *name = curves[s].name ? curves[s].name : "";
            plot_text(cr, x + 32, y, name, fs_legend, PLOT_FONT_NORMAL, 0.0, 0.5, 0);
            x += 32 + plot_text_width(cr, name, fs_legend, PLOT_FONT_NORMAL) + 22;
        }
    }
    /* Grid and y ticks. */
    cairo_set_line_width(cr, 1.0);
    for (int i = 0; i < nyt; i++) {
        double y = YPIX(yt[i]);
        double ys = floor(y) + 0.5;
        cairo_set_source_rgb(cr, PLOT_GRID);
        cairo_move_to(cr, left, ys);
        cairo_line_to(cr, left + pw, ys);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, PLOT_INK);
        cairo_move_to(cr, left - 0.5, ys);
        cairo_line_to(cr, left - 5.5, ys);
        cairo_stroke(cr);
        plot_text(cr, left - 9, y, lbl[i], fs_tick, PLOT_FONT_NORMAL, 1.0, 0.5, 0);
    }
    if (has_ylabel)
        plot_text(cr, left - 9 - ylw - 10, top + 0.5 * ph, o->y_label, fs_label, PLOT_FONT_NORMAL, 0.5, 1.0,
                  M_PI / 2);

    /* The series, clipped to the plot. */
    cairo_save(cr);
    cairo_rectangle(cr, left, top, pw, ph);
    cairo_clip(cr);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_width(cr, 1.8);
    for (int s = 0; s < n; s++) {
        const as_curve *c = &curves[s];
        double rgb[3];
        plot_series_rgb(s, rgb);
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        int pen = 0;
        for (int64_t i = 0; i < c->n; i++) {
            double v = c->y[i];
            if (!drawable(v, y_log)) {
                pen = 0;
                continue;
            }
            double x = XPIX(c->x ? c->x[i] : c->t0 + i * c->dt), y = YPIX(v);
            if (pen) {
                cairo_line_to(cr, x, y);
            } else {
                cairo_move_to(cr, x, y);
                cairo_line_to(cr, x, y); /* a lone point still shows as a dot (round caps) */
            }
            pen = 1;
        }
        cairo_stroke(cr);
        for (int64_t i = 0; c->x && i < c->n; i++) /* the measured points */
            if (drawable(c->y[i], y_log)) {
                cairo_arc(cr, XPIX(c->x[i]), YPIX(c->y[i]), 3.5, 0, 2 * M_PI);
                cairo_fill(cr);
            }
    }
    cairo_restore(cr);
    cairo_set_source_rgb(cr, PLOT_INK);
    cairo_set_line_width(cr, 1.0);
    cairo_rectangle(cr, left - 0.5, top - 0.5, pw + 1, ph + 1);
    cairo_stroke(cr);
    time_axis(cr, left, top + ph, pw, t_lo, t_hi, o->x_label);
#undef YPIX
#undef XPIX
    return finish(surf, cr, path, err);
}

/* ---- waveforms ----------------------------------------------------------------------------- */

AS_API as_status as_plot_waveforms(const char *png_path, const as_wave *waves, int n,
                                   const char *title, int width, int height, as_error *err)
{
    if (!png_path || !*png_path) return as__fail(err, AS_ERR_ARG, "plot", "no output path");
    const char *path = png_path;
    if (!waves || n < 1 || n > 16)
        return as__fail(err, AS_ERR_ARG, path, "waveforms need 1 to 16 signals (got %d)", n);
    int has_title = title && *title;
    int W = width > 0 ? width : 1000;
    int H = height > 0 ? height : (int)(pad + (has_title ? fs_title + 12 : 0) + 150 * n + time_axis_height() + pad);
    if (width < 0 || height < 0 || W < 200 || H < 60 * n + 80 || W > 16384 || H > 16384)
        return as__fail(err, AS_ERR_ARG, path, "picture size %d x %d out of range for %d signals", W, H, n);
    double dur = 0, amp = 1.0;
    for (int s = 0; s < n; s++) {
        const as_wave *w = &waves[s];
        if (!w->x || w->n < 1) return as__fail(err, AS_ERR_EMPTY, path, "signal %d is empty", s + 1);
        if (w->sr <= 0) return as__fail(err, AS_ERR_ARG, path, "signal %d: sample rate must be positive", s + 1);
        for (int64_t i = 0; i < w->n; i++) {
            if (!isfinite(w->x[i]))
                return as__fail(err, AS_ERR_NUMERIC, path, "signal %d: NaN or infinity at sample %lld", s + 1,
                                (long long)i);
            amp = fmax(amp, fabs(w->x[i]));
        }
        dur = fmax(dur, (double)w->n / w->sr);
    }
    if (amp > 1.0) amp = ceil(amp * 10.0) / 10.0;

    cairo_surface_t *surf = plot_canvas(W, H);
    if (!surf) return as__fail(err, AS_ERR_NOMEM, path, "cannot allocate a %d x %d picture", W, H);
    cairo_t *cr = cairo_create(surf);

    double top = floor(pad + (has_title ? fs_title + 12 : 0));
    double bottom = time_axis_height() + pad;
    double gap = 26; /* room for each row's name */
    double row_h = floor((H - top - bottom - gap * n) / n);
    char albl[3][16];
    snprintf(albl[0], sizeof albl[0], "%g", amp);
    snprintf(albl[1], sizeof albl[1], "0");
    snprintf(albl[2], sizeof albl[2], MINUS "%g", amp);
    double ylw = plot_text_width(cr, albl[2], fs_tick, PLOT_FONT_NORMAL);
    double left = floor(pad + fs_label + 10 + ylw + 9 + 5);
    double pw = floor(W - left - pad - 8);
    if (pw < 60 || row_h < 30) {
        cairo_destroy(cr);
        cairo_surface_destroy(surf);
        return as__fail(err, AS_ERR_ARG, path, "picture %d x %d is too small", W, H);
    }
    if (has_title) {
        cairo_set_source_rgb(cr, PLOT_INK);
        char fit[512];
        plot_text(cr, 0.5 * W, pad, plot_fit_text(cr, title, fs_title, PLOT_FONT_BOLD, W - 2 * pad, fit, sizeof fit),
                  fs_title, PLOT_FONT_BOLD, 0.5, 0.0, 0);
    }
    double *mn = malloc(sizeof(double) * 2 * (size_t)pw);
    if (!mn) {
        cairo_destroy(cr);
        cairo_surface_destroy(surf);
        return as__fail(err, AS_ERR_NOMEM, path, "out of memory");
    }
    double *mx = mn + (size_t)pw;
    int npx = (int)pw;
    double y_last = top;
    for (int s = 0; s < n; s++) {
        const as_wave *w = &waves[s];
        double y0 = top + s * (row_h + gap) + gap;
        double yc = y0 + 0.5 * row_h;
        y_last = y0 + row_h;
        if (w->name && *w->name) {
            cairo_set_source_rgb(cr, PLOT_INK);
            plot_text(cr, left, y0 - 7, w->name, fs_label, PLOT_FONT_NORMAL, 0.0, 1.0, 0);
        }
        /* Zero line and amplitude ticks. */
        cairo_set_line_width(cr, 1.0);
        cairo_set_source_rgb(cr, PLOT_GRID);
        cairo_move_to(cr, left, floor(yc) + 0.5);
        cairo_line_to(cr, left + pw, floor(yc) + 0.5);
        cairo_stroke(cr);
        for (int k = 0; k < 3; k++) {
            double y = y0 + k * 0.5 * row_h;
            double ys = floor(y) + 0.5;
            if (k == 2) ys -= 1;
            cairo_set_source_rgb(cr, PLOT_INK);
            cairo_move_to(cr, left - 0.5, ys);
            cairo_line_to(cr, left - 5.5, ys);
            cairo_stroke(cr);
            plot_text(cr, left - 9, y, albl[k], fs_tick, PLOT_FONT_NORMAL, 1.0, 0.5, 0);
        }
        /* Envelope: min and max of the samples in each pixel column. */
        int last_px = -1;
        for (int x = 0; x < npx; x++) {
            double ta = x * dur / npx, tb = (x + 1) * dur / npx;
            int64_t i0 = (int64_t)floor(ta * w->sr), i1 = (int64_t)ceil(tb * w->sr);
            if (i0 >= w->n) break;
            if (i1 > w->n) i1 = w->n;
            if (i1 <= i0) i1 = i0 + 1;
            double lo = w->x[i0], hi = w->x[i0];
            for (int64_t i = i0 + 1; i < i1; i++) {
                lo = fmin(lo, w->x[i]);
                hi = fmax(hi, w->x[i]);
            }
            mn[x] = lo;
            mx[x] = hi;
            last_px = x;
        }
        if (last_px >= 0) {
            double rgb[3];
            plot_series_rgb(s, rgb);
            cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
            double half = 0.5 * row_h / amp;
            /* Top edge left to right, bottom edge back; at least 1 px thick. */
            for (int x = 0; x <= last_px; x++) {
                double yt = yc - mx[x] * half, yb = yc - mn[x] * half;
                if (yb - yt < 1.0) {
                    double m = 0.5 * (yt + yb);
                    yt = m - 0.5;
                }
                if (x == 0) cairo_move_to(cr, left + x, yt);
                else cairo_line_to(cr, left + x, yt);
                cairo_line_to(cr, left + x + 1, yt);
            }
            for (int x = last_px; x >= 0; x--) {
                double yt = yc - mx[x] * half, yb = yc - mn[x] * half;
                if (yb - yt < 1.0) yb = 0.5 * (yt + yb) + 0.5;
                cairo_line_to(cr, left + x + 1, yb);
                cairo_line_to(cr, left + x, yb);
            }
            cairo_close_path(cr);
            cairo_fill(cr);
        }
        cairo_set_source_rgb(cr, PLOT_INK);
        cairo_set_line_width(cr, 1.0);
        cairo_rectangle(cr, left - 0.5, y0 - 0.5, pw + 1, row_h + 1);
        cairo_stroke(cr);
    }
    free(mn);
    cairo_set_source_rgb(cr, PLOT_INK);
    plot_text(cr, pad, top + 0.5 * (y_last - top), "Amplitude", fs_label, PLOT_FONT_NORMAL, 0.5, 0.0, M_PI / 2);
    time_axis(cr, left, y_last, pw, 0.0, dur, NULL);
    return finish(surf, cr, path, err);
}
