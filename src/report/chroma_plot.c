/* chroma_plot.c — three chroma maps side by side (pitch class against time), drawn with cairo on
 * the plot module's canvas, text and colormap helpers. */
#include "plot/plot.h"
#include "report/report.h"

#include <math.h>
#include <stdio.h>

static const char *const PITCH[12] = {"C", "C♯", "D", "D♯", "E", "F", "F♯", "G", "G♯", "A", "A♯", "B"};

as_status report_chroma_png(const char *path, const float *const chroma[3], const int64_t T[3],
                            const char *const titles[3], int width, int height, as_error *err)
{
    if (width <= 0) width = 1500;
    if (height <= 0) height = 300;
    for (int k = 0; k < 3; k++)
        if (!chroma[k] || T[k] < 1) return as__fail(err, AS_ERR_ARG, path, "empty chroma map");
    cairo_surface_t *s = plot_canvas(width, height);
    if (!s) return as__fail(err, AS_ERR_NOMEM, path, "cannot make a %d x %d picture", width, height);
    cairo_t *cr = cairo_create(s);
    const double fs = 14, left = 44, right = 16, top = 34, bottom = 44, gap = 36;
    double pw = (width - left - right - 2 * gap) / 3, ph = height - top - bottom;
    double step = 512.0 / AS_SR;
    for (int k = 0; k < 3; k++) {
        double x0 = left + k * (pw + gap), y0 = top;
        cairo_set_source_rgb(cr, PLOT_INK);
        char buf[256];
        plot_text(cr, x0, y0 - 8, plot_fit_text(cr, titles[k] ? titles[k] : "", fs, PLOT_FONT_BOLD, pw, buf, sizeof buf),
                  fs, PLOT_FONT_BOLD, 0, 1, 0);
        /* cells: each pixel column shows the frame under it */
        int iw = (int)pw, ih = (int)ph;
        cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, iw, 12);
        if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS) {
            cairo_surface_flush(img);
            unsigned char *d = cairo_image_surface_get_data(img);
            int stride = cairo_image_surface_get_stride(img);
            for (int r = 0; r < 12; r++) {
                uint32_t *row = (uint32_t *)(void *)(d + (size_t)(11 - r) * (size_t)stride);
                for (int x = 0; x < iw; x++) {
                    int64_t t = (int64_t)((x + 0.5) / iw * (double)T[k]);
                    if (t >= T[k]) t = T[k] - 1;
                    float v = chroma[k][(size_t)t * 12 + (size_t)r];
                    row[x] = plot_cmap_pixel(AS_CMAP_VIRIDIS, isfinite(v) ? v : 0);
                }
            }
            cairo_surface_mark_dirty(img);
            cairo_save(cr);
            cairo_translate(cr, x0, y0);
            cairo_scale(cr, 1.0, (double)ih / 12.0);
            cairo_set_source_surface(cr, img, 0, 0);
            cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
            cairo_rectangle(cr, 0, 0, iw, 12);
            cairo_fill(cr);
            cairo_restore(cr);
        }
        cairo_surface_destroy(img);
        cairo_set_source_rgb(cr, PLOT_INK);
        cairo_set_line_width(cr, 1);
        cairo_rectangle(cr, x0 + 0.5, y0 + 0.5, iw - 1, ih - 1);
        cairo_stroke(cr);
        /* pitch labels on the first panel only; time ticks on all */
        for (int r = 0; r < 12; r++) {
            if (k > 0) break;
            plot_text(cr, x0 - 6, y0 + ph * (11.5 - r) / 12.0, PITCH[r], fs * 0.8, PLOT_FONT_NORMAL, 1, 0.5, 0);
        }
        double dur = (double)T[k] * step, ticks[16];
        int nt = plot_nice_ticks(0, dur, 6, ticks, 16);
        double st = plot_nice_step(0, dur, 6);
        for (int i = 0; i < nt; i++) {
            double x = x0 + ticks[i] / dur * pw;
            cairo_move_to(cr, x, y0 + ph);
            cairo_line_to(cr, x, y0 + ph + 5);
            cairo_stroke(cr);
            plot_format_tick(buf, sizeof buf, ticks[i], st);
            plot_text(cr, x, y0 + ph + 7, buf, fs * 0.8, PLOT_FONT_NORMAL, 0.5, 0, 0);
        }
        plot_text(cr, x0 + pw / 2, height - 4, "time (s)", fs * 0.8, PLOT_FONT_NORMAL, 0.5, 1, 0);
    }
    as_status st = plot_check_surface(s, cr, path, err);
    if (st == AS_OK) st = plot_write_png(s, path, err);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return st;
}

as_status report_genres_png(const char *path, const double *const probs[3], const char *const *labels,
                            int C, const char *const names[3], int width, as_error *err)
{
    if (C < 1 || C > AS_GENRE_MAX_CLASSES) return as__fail(err, AS_ERR_ARG, path, "no classes");
    if (width <= 0) width = 1200;
    const double fs = 14, bh = 11, ggap = 12, top = 44, bottom = 40;
    int height = (int)(top + bottom + C * (3 * bh + ggap));
    cairo_surface_t *s = plot_canvas(width, height);
    if (!s) return as__fail(err, AS_ERR_NOMEM, path, "cannot make a %d x %d picture", width, height);
    cairo_t *cr = cairo_create(s);
    double lw = 0;
    for (int c = 0; c < C; c++) lw = fmax(lw, plot_text_width(cr, labels[c] ? labels[c] : "?", fs, PLOT_FONT_NORMAL));
    double x0 = lw + 24, x1 = width - 70, pw = x1 - x0;
    /* legend */
    double lx = x0;
    for (int k = 0; k < 3; k++) {
        double rgb[3];
        plot_series_rgb(k, rgb);
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_rectangle(cr, lx, 14, 14, 14);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, PLOT_INK);
        plot_text(cr, lx + 20, 21, names[k], fs, PLOT_FONT_NORMAL, 0, 0.5, 0);
        lx += 40 + plot_text_width(cr, names[k], fs, PLOT_FONT_NORMAL);
    }
    /* grid */
    char buf[64];
    cairo_set_line_width(cr, 1);
    for (int g = 0; g <= 5; g++) {
        double x = floor(x0 + pw * g / 5.0) + 0.5;
        cairo_set_source_rgb(cr, PLOT_GRID);
        cairo_move_to(cr, x, top - 4);
        cairo_line_to(cr, x, height - bottom + 4);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, PLOT_INK_SOFT);
        snprintf(buf, sizeof buf, "%d %%", 20 * g);
        plot_text(cr, x, height - bottom + 8, buf, fs * 0.85, PLOT_FONT_NORMAL, 0.5, 0, 0);
    }
    for (int c = 0; c < C; c++) {
        double y = top + c * (3 * bh + ggap);
        cairo_set_source_rgb(cr, PLOT_INK);
        plot_text(cr, x0 - 10, y + 1.5 * bh, labels[c] ? labels[c] : "?", fs, PLOT_FONT_NORMAL, 1, 0.5, 0);
        for (int k = 0; k < 3; k++) {
            double p = probs[k][c];
            if (!isfinite(p)) p = 0;
            p = fmin(fmax(p, 0), 1);
            double rgb[3];
            plot_series_rgb(k, rgb);
            cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
            cairo_rectangle(cr, x0, y + k * bh + 0.5, fmax(pw * p, 1), bh - 1);
            cairo_fill(cr);
            if (p >= 0.005) {
                cairo_set_source_rgb(cr, PLOT_INK_SOFT);
                snprintf(buf, sizeof buf, "%.0f %%", 100 * p);
                plot_text(cr, x0 + pw * p + 5, y + (k + 0.5) * bh, buf, fs * 0.7, PLOT_FONT_NORMAL, 0, 0.5, 0);
            }
        }
    }
    cairo_set_source_rgb(cr, PLOT_INK);
    cairo_move_to(cr, floor(x0) + 0.5, top - 4);
    cairo_line_to(cr, floor(x0) + 0.5, height - bottom + 4);
    cairo_stroke(cr);
    as_status st = plot_check_surface(s, cr, path, err);
    if (st == AS_OK) st = plot_write_png(s, path, err);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return st;
}
