/* confusion.c — a labelled confusion matrix: rows = true class, columns = predicted class, the
 * count in every cell, the cell shaded by its share of the row (viridis), accuracy under the
 * title, a colourbar for the row share. */
#include "plot/plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void cell_ink(double rgb[3], double ink[3])
{
    double lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    double v = lum > 0.45 ? 0.10 : 1.0;
    ink[0] = ink[1] = ink[2] = v;
}

AS_API as_status as_plot_confusion(const char *png_path, const int *counts, int n,
                                   const char *const *labels, const char *title, as_error *err)
{
    if (!png_path || !*png_path) return as__fail(err, AS_ERR_ARG, "plot", "no output path");
    const char *path = png_path;
    if (!counts || n < 1 || n > 100)
        return as__fail(err, AS_ERR_ARG, path, "a confusion matrix needs 1 to 100 classes (got %d)", n);
    int64_t total = 0, correct = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            int c = counts[(size_t)i * n + j];
            if (c < 0) return as__fail(err, AS_ERR_ARG, path, "negative count at row %d, column %d", i + 1, j + 1);
            total += c;
            if (i == j) correct += c;
        }
    const int cmap = AS_CMAP_VIRIDIS;

    double cell = 560.0 / n;
    cell = cell < 30 ? 30 : cell > 120 ? 120 : cell;
    cell = floor(cell);
    const double fs_tick = 13, fs_label = 15, fs_title = 18, fs_sub = 13;
    double fs_cell = fmin(20.0, fmax(9.0, cell * 0.30));
    const double pad = 16;

    /* Measure the labels on a scratch surface. */
    cairo_surface_t *scratch = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t *mc = cairo_create(scratch);
    char numbuf[16];
    double maxw = plot_labels_max_width(mc, labels, n, fs_tick);
    const char *ttl = title && *title ? title : "Confusion matrix";
    double title_w = plot_text_width(mc, ttl, fs_title, PLOT_FONT_BOLD);
    cairo_destroy(mc);
    cairo_surface_destroy(scratch);

    const double rot = M_PI / 4; /* column labels at 45 degrees */
    double grid = cell * n;
    double left = pad + fs_label + 12 + maxw + 10;
    double top = pad + fs_title + 10 + fs_sub + 18;
    double col_label_h = (maxw + fs_tick) * sin(rot) + 8;
    double bottom = col_label_h + 10 + fs_label + pad;
    double cb_gap = 24, cb_w = 16;
    double right = cb_gap + cb_w + 5 + 4 + 40 + pad;
    int W = (int)ceil(left + grid + right);
    /* Rotated column labels stick out to the left of their cells: keep them on the canvas. */
    double overhang = (maxw + fs_tick) * cos(rot) - (left + cell * 0.5);
    if (overhang > 0) {
        left += overhang;
        W += (int)ceil(overhang);
    }
    if (W < title_w + 2 * pad) {
        double extra = title_w + 2 * pad - W;
        left += extra / 2;
        W = (int)ceil(title_w + 2 * pad);
    }
    int H = (int)ceil(top + grid + bottom);
    left = floor(left);
    top = floor(top);

    cairo_surface_t *surf = plot_canvas(W, H);
    if (!surf) return as__fail(err, AS_ERR_NOMEM, path, "cannot allocate a %d x %d picture", W, H);
    cairo_t *cr = cairo_create(surf);

    cairo_set_source_rgb(cr, PLOT_INK);
    plot_text(cr, 0.5 * W, pad, ttl, fs_title, PLOT_FONT_BOLD, 0.5, 0.0, 0);
    char sub[160];
    if (total > 0)
        snprintf(sub, sizeof sub, "accuracy %.1f%%  (%lld of %lld)", 100.0 * correct / total,
                 (long long)correct, (long long)total);
    else
        snprintf(sub, sizeof sub, "no samples");
    cairo_set_source_rgb(cr, PLOT_INK_SOFT);
    plot_text(cr, 0.5 * W, pad + fs_title + 10, sub, fs_sub, PLOT_FONT_NORMAL, 0.5, 0.0, 0);

    for (int i = 0; i < n; i++) {
        int64_t row = 0;
        for (int j = 0; j < n; j++) row += counts[(size_t)i * n + j];
        for (int j = 0; j < n; j++) {
            int c = counts[(size_t)i * n + j];
            double share = row > 0 ? (double)c / row : 0.0;
            double rgb[3], ink[3];
            plot_cmap_rgb(cmap, share, rgb);
            double x = left + j * cell, y = top + i * cell;
            cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
            cairo_rectangle(cr, x, y, cell, cell);
            cairo_fill(cr);
            cell_ink(rgb, ink);
            snprintf(numbuf, sizeof numbuf, "%d", c);
            cairo_set_source_rgba(cr, ink[0], ink[1], ink[2], c == 0 ? 0.45 : 1.0);
            plot_text(cr, x + 0.5 * cell, y + 0.5 * cell, numbuf, fs_cell, i == j ? PLOT_FONT_BOLD : PLOT_FONT_NORMAL,
                      0.5, 0.5, 0);
        }
    }
    /* Thin white separators, then the frame. */
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_set_line_width(cr, 1.0);
    for (int k = 1; k < n; k++) {
        cairo_move_to(cr, left + k * cell, top);
        cairo_line_to(cr, left + k * cell, top + grid);
        cairo_move_to(cr, left, top + k * cell);
        cairo_line_to(cr, left + grid, top + k * cell);
    }
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, PLOT_INK);
    cairo_rectangle(cr, left - 0.5, top - 0.5, grid + 1, grid + 1);
    cairo_stroke(cr);

    for (int i = 0; i < n; i++) {
        const char *s = labels && labels[i] ? labels[i] : NULL;
        if (!s) {
            snprintf(numbuf, sizeof numbuf, "%d", i);
            s = numbuf;
        }
        double c = (i + 0.5) * cell;
        cairo_set_source_rgb(cr, PLOT_INK);
        cairo_move_to(cr, left - 0.5, top + c);
        cairo_line_to(cr, left - 5.5, top + c);
        cairo_move_to(cr, left + c, top + grid + 0.5);
        cairo_line_to(cr, left + c, top + grid + 5.5);
        cairo_stroke(cr);
        plot_text(cr, left - 9, top + c, s, fs_tick, PLOT_FONT_NORMAL, 1.0, 0.5, 0);
        plot_text(cr, left + c + 0.35 * fs_tick, top + grid + 9, s, fs_tick, PLOT_FONT_NORMAL, 1.0, 0.0, rot);
    }
    cairo_set_source_rgb(cr, PLOT_INK);
    plot_text(cr, left + 0.5 * grid, top + grid + col_label_h + 10, "predicted", fs_label, PLOT_FONT_NORMAL,
              0.5, 0.0, 0);
    plot_text(cr, left - 9 - maxw - 12, top + 0.5 * grid, "true", fs_label, PLOT_FONT_NORMAL, 0.5, 1.0,
              M_PI / 2);

    /* Colourbar: share of the row. */
    double cbx = floor(left + grid + cb_gap);
    for (int y = 0; y < (int)grid; y++) {
        double rgb[3];
        plot_cmap_rgb(cmap, 1.0 - (y + 0.5) / grid, rgb);
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_rectangle(cr, cbx, top + y, cb_w, 1);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, PLOT_INK);
    cairo_rectangle(cr, cbx - 0.5, top - 0.5, cb_w + 1, grid + 1);
    cairo_stroke(cr);
    for (int k = 0; k <= 4; k++) {
        double y = top + grid * (1.0 - k / 4.0);
        double ys = floor(y) + 0.5;
        if (ys > top + grid) ys -= 1;
        cairo_move_to(cr, cbx + cb_w + 0.5, ys);
        cairo_line_to(cr, cbx + cb_w + 5.5, ys);
        cairo_stroke(cr);
        char b[16];
        snprintf(b, sizeof b, "%d%%", k * 25);
        plot_text(cr, cbx + cb_w + 9, y, b, fs_tick, PLOT_FONT_NORMAL, 0.0, 0.5, 0);
    }

    as_status st = plot_check_surface(surf, cr, path, err);
    cairo_destroy(cr);
    if (st == AS_OK) st = plot_write_png(surf, path, err);
    cairo_surface_destroy(surf);
    return st;
}
