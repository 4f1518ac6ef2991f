/* bars.c — horizontal bars with labels and percentages (e.g. genre probabilities). */
#include "plot/plot.h"

#include <math.h>
#include <stdio.h>

AS_API as_status as_plot_bars(const char *png_path, const double *values, const char *const *labels,
                              int n, const char *title, as_error *err)
{
    if (!png_path || !*png_path) return as__fail(err, AS_ERR_ARG, "plot", "no output path");
    const char *path = png_path;
    if (!values || n < 1 || n > 200)
        return as__fail(err, AS_ERR_ARG, path, "bars need 1 to 200 values (got %d)", n);
    int best = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(values[i]))
            return as__fail(err, AS_ERR_NUMERIC, path, "value %d is not finite", i + 1);
        if (values[i] < -1e-9 || values[i] > 1.0 + 1e-9)
            return as__fail(err, AS_ERR_ARG, path, "value %d is %g, outside [0, 1]", i + 1, values[i]);
        if (values[i] > values[best]) best = i;
    }

    const double fs_tick = 13, fs_label = 14, fs_title = 18, pad = 16;
    const double row = 34, bar = 22;
    char numbuf[16];

    cairo_surface_t *scratch = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t *mc = cairo_create(scratch);
    double maxw = plot_labels_max_width(mc, labels, n, fs_label);
    double valw = plot_text_width(mc, "100.0%", fs_label, PLOT_FONT_BOLD);
    cairo_destroy(mc);
    cairo_surface_destroy(scratch);

    int W = 900;
    double left = floor(pad + maxw + 12);
    double right = valw + 10 + pad;
    double plot_w = W - left - right;
    if (plot_w < 200) {
        W += (int)ceil(200 - plot_w);
        plot_w = 200;
    }
    int has_title = title && *title;
    double top = floor(pad + (has_title ? fs_title + 16 : 0));
    double plot_h = n * row;
    int H = (int)ceil(top + plot_h + 8 + 5 + 4 + fs_tick + pad);

    cairo_surface_t *surf = plot_canvas(W, H);
    if (!surf) return as__fail(err, AS_ERR_NOMEM, path, "cannot allocate a %d x %d picture", W, H);
    cairo_t *cr = cairo_create(surf);
    cairo_set_line_width(cr, 1.0);

    if (has_title) {
        cairo_set_source_rgb(cr, PLOT_INK);
        char fit[512];
        plot_text(cr, 0.5 * W, pad, plot_fit_text(cr, title, fs_title, PLOT_FONT_BOLD, W - 2 * pad, fit, sizeof fit),
                  fs_title, PLOT_FONT_BOLD, 0.5, 0.0, 0);
    }
    /* Grid at every 20 %, labelled below. */
    for (int k = 0; k <= 5; k++) {
        double x = floor(left + plot_w * k / 5.0) + 0.5;
        cairo_set_source_rgb(cr, PLOT_GRID);
        cairo_move_to(cr, x, top);
        cairo_line_to(cr, x, top + plot_h + 4);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, PLOT_INK_SOFT);
        char b[16];
        snprintf(b, sizeof b, "%d%%", k * 20);
        plot_text(cr, x, top + plot_h + 8, b, fs_tick, PLOT_FONT_NORMAL, 0.5, 0.0, 0);
    }

    double strong[3], soft[3];
    plot_cmap_rgb(AS_CMAP_VIRIDIS, 0.33, strong);
    for (int c = 0; c < 3; c++) soft[c] = 0.45 * strong[c] + 0.55;
    for (int i = 0; i < n; i++) {
        const char *s = labels && labels[i] ? labels[i] : NULL;
        if (!s) {
            snprintf(numbuf, sizeof numbuf, "%d", i);
            s = numbuf;
        }
        double v = values[i] < 0 ? 0 : values[i] > 1 ? 1 : values[i];
        double yc = top + (i + 0.5) * row;
        double len = v * plot_w;
        const double *col = i == best ? strong : soft;
        cairo_set_source_rgb(cr, col[0], col[1], col[2]);
        cairo_rectangle(cr, left, floor(yc - bar / 2), len, bar);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, PLOT_INK);
        plot_text(cr, left - 10, yc, s, fs_label, i == best ? PLOT_FONT_BOLD : PLOT_FONT_NORMAL, 1.0, 0.5, 0);
        char b[32];
        snprintf(b, sizeof b, "%.1f%%", 100.0 * v);
        plot_text(cr, left + len + 8, yc, b, fs_label, i == best ? PLOT_FONT_BOLD : PLOT_FONT_NORMAL, 0.0,
                  0.5, 0);
    }
    /* The zero line. */
    cairo_set_source_rgb(cr, PLOT_INK);
    cairo_move_to(cr, left + 0.5, top);
    cairo_line_to(cr, left + 0.5, top + plot_h);
    cairo_stroke(cr);

    as_status st = plot_check_surface(surf, cr, path, err);
    cairo_destroy(cr);
    if (st == AS_OK) st = plot_write_png(surf, path, err);
    cairo_surface_destroy(surf);
    return st;
}
