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
