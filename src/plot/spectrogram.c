/* spectrogram.c — labelled spectrogram pictures: one or more panels side by side on a shared dB
 * colour scale, time axis in seconds, frequency axis in Hz (linear, log or mel), a colourbar.
 *
 * Pixels are sampled, not blitted: every pixel column maps to a time interval and every pixel
 * row to a frequency interval. Where an interval is narrower than one frame or bin, the dB
 * values of the neighbours are interpolated linearly (smooth, not blocky); where it is wider,
 * the loudest frame or bin inside it is shown (no tone or transient disappears when a long file
 * is squeezed into a few hundred pixels). */
#include "plot/plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MINUS "\xe2\x88\x92" /* U+2212, the typographic minus */

enum { DEF_W1 = 1200, DEF_H = 600, MAX_SIDE = 16384 };

/* Layout of the whole picture, in pixels. */
typedef struct layout {
    double s;                 /* text scale */
    int W, H;
    int top, plot_h;          /* panels' image rows */
    int left0, pw, gap;       /* first panel's left edge, panel width, gap between panels */
    int cb_x, cb_w;           /* colourbar */
    int share_y;              /* inner panels omit frequency tick labels */
    double fs_tick, fs_label, fs_ptitle, fs_title;
} layout;

static as_status check_panels(const char *path, const as_spec_panel *p, int n, int scale,
                              as_error *err)
{
    if (!p || n < 1) return as__fail(err, AS_ERR_ARG, path, "no spectrogram to draw (n = %d)", n);
    if (n > 16) return as__fail(err, AS_ERR_ARG, path, "too many panels (%d, at most 16)", n);
    for (int i = 0; i < n; i++) {
        if (!p[i].S || p[i].F < 1 || p[i].T < 1)
            return as__fail(err, AS_ERR_EMPTY, path, "panel %d is empty (F = %d, T = %lld)", i + 1,
                            p[i].F, (long long)p[i].T);
        if (p[i].sr <= 0 || p[i].hop <= 0 || (scale != AS_FREQ_MEL && p[i].n_fft <= 0))
            return as__fail(err, AS_ERR_ARG, path, "panel %d: sr, hop and n_fft must be positive", i + 1);
        if (scale != AS_FREQ_MEL && p[i].F < 2)
            return as__fail(err, AS_ERR_ARG, path, "panel %d: a linear spectrogram needs at least 2 bins", i + 1);
        size_t cnt;
        if (as__mul_size((size_t)p[i].F, (size_t)p[i].T, &cnt) != 0)
            return as__fail(err, AS_ERR_ARG, path, "panel %d is too large", i + 1);
        for (size_t k = 0; k < cnt; k++)
            if (!isfinite(p[i].S[k]))
                return as__fail(err, AS_ERR_NUMERIC, path,
                                "panel %d: NaN or infinity in the spectrogram (row %zu, frame %zu)",
                                i + 1, k / (size_t)p[i].T, k % (size_t)p[i].T);
    }
    return AS_OK;
}

/* dB of one value relative to ref; power (mel) or amplitude. */
static inline float to_db(float v, double ref, double floor_db, int power)
{
    double x = v > 0 ? v / ref : 0.0;
    double db = x > 0 ? (power ? 10.0 : 20.0) * log10(x) : floor_db;
    return (float)(db < floor_db ? floor_db : db);
}

/* Renders one panel into pixels (pw x ph, stride in uint32) on a dB scale [-range, 0]. */
static as_status render_panel(uint32_t *px, int stride, int pw, int ph, const as_spec_panel *p,
                              int scale, int cmap, double ref, double range)
{
    const int F = p->F;
    const int64_t T = p->T;
    const int power = scale == AS_FREQ_MEL;
    const double floor_db = -range - 1.0;
    float *col = malloc(sizeof(float) * (size_t)F * (size_t)pw); /* (pw, F): dB per column */
    if (!col) return AS_ERR_NOMEM;

    /* Step 1: time. Column x covers frames [x T / pw, (x+1) T / pw); frame j spans [j, j+1). */
    for (int x = 0; x < pw; x++) {
        double ta = (double)x * T / pw, tb = (double)(x + 1) * T / pw;
        float *c = col + (size_t)x * F;
        if (tb - ta <= 1.0) {
            double ct = 0.5 * (ta + tb) - 0.5;
            if (ct < 0) ct = 0;
            if (ct > T - 1) ct = (double)(T - 1);
            int64_t j0 = (int64_t)ct;
            int64_t j1 = j0 + 1 < T ? j0 + 1 : j0;
            float f = (float)(ct - j0);
            for (int k = 0; k < F; k++) {
                float a = to_db(p->S[(size_t)k * T + j0], ref, floor_db, power);
                float b = to_db(p->S[(size_t)k * T + j1], ref, floor_db, power);
                c[k] = a + f * (b - a);
            }
        } else {
            int64_t j0 = (int64_t)floor(ta), j1 = (int64_t)ceil(tb);
            if (j1 > T) j1 = T;
            if (j1 <= j0) j1 = j0 + 1;
            for (int k = 0; k < F; k++) {
                const float *row = p->S + (size_t)k * T;
                float m = row[j0];
                for (int64_t j = j0 + 1; j < j1; j++) m = row[j] > m ? row[j] : m;
                c[k] = to_db(m, ref, floor_db, power);
            }
        }
    }

    /* Step 2: frequency. Cell i covers [i - 0.5, i + 0.5) in "bin coordinates": linear/log bins
     * sit at k sr / n_fft; mel rows are equal slices of the mel axis (librosa specshow). */
    plot_faxis ax = plot_faxis_for(scale, p->sr, p->n_fft);
    const double hz_per_bin = p->n_fft > 0 ? (double)p->sr / p->n_fft : 1.0;
    for (int y = 0; y < ph; y++) {
        double ua = 1.0 - (double)(y + 1) / ph, ub = 1.0 - (double)y / ph, uc = 0.5 * (ua + ub);
        double ca, cb, cc;
        if (scale == AS_FREQ_MEL) {
            ca = ua * F - 0.5;
            cb = ub * F - 0.5;
            cc = uc * F - 0.5;
        } else {
            ca = plot_faxis_hz(&ax, ua) / hz_per_bin;
            cb = plot_faxis_hz(&ax, ub) / hz_per_bin;
            cc = plot_faxis_hz(&ax, uc) / hz_per_bin;
        }
        uint32_t *out = px + (size_t)y * stride;
        if (cb - ca <= 1.0) {
            if (cc < 0) cc = 0;
            if (cc > F - 1) cc = F - 1;
            int i0 = (int)cc;
            int i1 = i0 + 1 < F ? i0 + 1 : i0;
            float f = (float)(cc - i0);
            for (int x = 0; x < pw; x++) {
                const float *c = col + (size_t)x * F;
                double db = c[i0] + f * (c[i1] - c[i0]);
                out[x] = plot_cmap_pixel(cmap, (db + range) / range);
            }
        } else {
            int i0 = (int)floor(ca + 0.5), i1 = (int)floor(cb + 0.5); /* cells i0..i1 overlap */
            if (i0 < 0) i0 = 0;
            if (i1 > F - 1) i1 = F - 1;
            if (i1 < i0) i1 = i0 = AS_MIN(AS_MAX(i0, 0), F - 1);
            for (int x = 0; x < pw; x++) {
                const float *c = col + (size_t)x * F;
                float m = c[i0];
                for (int i = i0 + 1; i <= i1; i++) m = c[i] > m ? c[i] : m;
                out[x] = plot_cmap_pixel(cmap, (m + range) / range);
            }
        }
    }
    free(col);
    return AS_OK;
}

static void frame_rect(cairo_t *cr, double x, double y, double w, double h)
{
    cairo_set_source_rgb(cr, PLOT_INK);
    cairo_set_line_width(cr, 1.0);
    cairo_rectangle(cr, x - 0.5, y - 0.5, w + 1.0, h + 1.0);
    cairo_stroke(cr);
}

static void draw_time_axis(cairo_t *cr, const layout *L, int x0, double t0, double dur, int label)
{
    double ticks[64];
    double tick_len = 5 * L->s;
    int target = (int)(L->pw / (95.0 * L->s));
    if (target < 2) target = 2;
    int n = plot_nice_ticks(t0, t0 + dur, target, ticks, 64);
    double step = plot_nice_step(t0, t0 + dur, target);
    int yb = L->top + L->plot_h;
    cairo_set_source_rgb(cr, PLOT_INK);
    cairo_set_line_width(cr, 1.0);
    for (int i = 0; i < n; i++) {
        double x = x0 + (ticks[i] - t0) / dur * L->pw;
        double xs = floor(x) + 0.5;
        cairo_move_to(cr, xs, yb + 0.5);
        cairo_line_to(cr, xs, yb + 0.5 + tick_len);
        cairo_stroke(cr);
        char buf[32];
        plot_format_tick(buf, sizeof buf, ticks[i], step);
        plot_text(cr, x, yb + tick_len + 4 * L->s, buf, L->fs_tick, PLOT_FONT_NORMAL, 0.5, 0.0, 0);
    }
    if (label)
        plot_text(cr, x0 + 0.5 * L->pw, yb + tick_len + 4 * L->s + L->fs_tick + 10 * L->s, "Time (s)",
                  L->fs_label, PLOT_FONT_NORMAL, 0.5, 0.0, 0);
}

static double freq_label_width(cairo_t *cr, const layout *L)
{
    return plot_text_width(cr, "10k", L->fs_tick, PLOT_FONT_NORMAL);
}

static void draw_freq_axis(cairo_t *cr, const layout *L, int x0, const plot_faxis *ax, int labels,
                           int title)
{
    double ticks[64];
    double tick_len = 5 * L->s;
    int n = plot_faxis_ticks(ax, L->plot_h, 2.2 * L->fs_tick, ticks, 64);
    cairo_set_source_rgb(cr, PLOT_INK);
    cairo_set_line_width(cr, 1.0);
    for (int i = 0; i < n; i++) {
        double y = L->top + (1.0 - plot_faxis_unit(ax, ticks[i])) * L->plot_h;
        double ys = floor(y) + 0.5;
        if (ys > L->top + L->plot_h) ys -= 1.0;
        cairo_move_to(cr, x0 - 0.5, ys);
        cairo_line_to(cr, x0 - 0.5 - tick_len, ys);
        cairo_stroke(cr);
        if (labels) {
            char buf[32];
            plot_format_hz(buf, sizeof buf, ticks[i]);
            plot_text(cr, x0 - tick_len - 4 * L->s, y, buf, L->fs_tick, PLOT_FONT_NORMAL, 1.0, 0.5, 0);
        }
    }
    if (title) {
        double xt = x0 - tick_len - 8 * L->s - freq_label_width(cr, L) - 8 * L->s;
        plot_text(cr, xt, L->top + 0.5 * L->plot_h, "Frequency (Hz)", L->fs_label, PLOT_FONT_NORMAL,
                  0.5, 1.0, M_PI / 2);
    }
}

static as_status draw_colourbar(cairo_t *cr, const layout *L, int cmap, double range)
{
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, L->cb_w, L->plot_h);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(img);
        return AS_ERR_NOMEM;
    }
    cairo_surface_flush(img);
    uint32_t *px = (uint32_t *)(void *)cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img) / 4;
    for (int y = 0; y < L->plot_h; y++) {
        uint32_t c = plot_cmap_pixel(cmap, 1.0 - (y + 0.5) / L->plot_h);
        for (int x = 0; x < L->cb_w; x++) px[(size_t)y * stride + x] = c;
    }
    cairo_surface_mark_dirty(img);
    cairo_set_source_surface(cr, img, L->cb_x, L->top);
    cairo_paint(cr);
    cairo_surface_destroy(img);
    frame_rect(cr, L->cb_x, L->top, L->cb_w, L->plot_h);

    double ticks[64];
    int target = (int)(L->plot_h / (45.0 * L->s));
    int n = plot_nice_ticks(-range, 0.0, target < 2 ? 2 : target, ticks, 64);
    double step = plot_nice_step(-range, 0.0, target < 2 ? 2 : target);
    double tick_len = 5 * L->s;
    int xr = L->cb_x + L->cb_w;
    for (int i = 0; i < n; i++) {
        double y = L->top + (-ticks[i] / range) * L->plot_h;
        double ys = floor(y) + 0.5;
        if (ys > L->top + L->plot_h) ys -= 1.0;
        cairo_set_source_rgb(cr, PLOT_INK);
        cairo_move_to(cr, xr + 0.5, ys);
        cairo_line_to(cr, xr + 0.5 + tick_len, ys);
        cairo_stroke(cr);
        char num[32], buf[48];
        plot_format_tick(num, sizeof num, fabs(ticks[i]), step);
        snprintf(buf, sizeof buf, "%s%s dB", ticks[i] < 0 ? MINUS : "", num);
        plot_text(cr, xr + tick_len + 4 * L->s, y, buf, L->fs_tick, PLOT_FONT_NORMAL, 0.0, 0.5, 0);
    }
    return AS_OK;
}

AS_API as_status as_plot_spectrograms(const char *png_path, const as_spec_panel *panels, int n,
                                      const as_plot_opts *opts, as_error *err)
{
    static const as_plot_opts defaults = {0};
    const as_plot_opts *o = opts ? opts : &defaults;
    const char *path = png_path ? png_path : "(null)";
    if (!png_path || !*png_path) return as__fail(err, AS_ERR_ARG, "plot", "no output path");
    int scale = o->freq_scale;
    if (scale != AS_FREQ_LINEAR && scale != AS_FREQ_LOG && scale != AS_FREQ_MEL)
        return as__fail(err, AS_ERR_ARG, path, "unknown frequency scale %d", scale);
    int cmap = o->cmap;
    if (cmap != AS_CMAP_MAGMA && cmap != AS_CMAP_VIRIDIS)
        return as__fail(err, AS_ERR_ARG, path, "unknown colormap %d", cmap);
    double range = o->db_range == 0 ? 80.0 : o->db_range;
    if (!(range > 0 && range <= 400))
        return as__fail(err, AS_ERR_ARG, path, "dB range must be in (0, 400] (got %g)", o->db_range);
    if (!isfinite(o->time_offset_s))
        return as__fail(err, AS_ERR_ARG, path, "time offset is not finite");
    as_status st = check_panels(path, panels, n, scale, err);
    if (st != AS_OK) return st;

    layout L;
    memset(&L, 0, sizeof L);
    int defw = n == 1 ? DEF_W1 : 120 + 520 * n;
    L.W = o->width > 0 ? o->width : defw;
    L.H = o->height > 0 ? o->height : DEF_H;
    if (o->width < 0 || o->height < 0 || L.W > MAX_SIDE || L.H > MAX_SIDE)
        return as__fail(err, AS_ERR_ARG, path, "picture size %d x %d out of range (1..%d)", o->width,
                        o->height, MAX_SIDE);
    L.s = fmin((double)L.W / defw, (double)L.H / DEF_H);
    L.s = L.s < 0.75 ? 0.75 : L.s > 3.0 ? 3.0 : L.s;
    L.fs_tick = 13 * L.s;
    L.fs_label = 15 * L.s;
    L.fs_ptitle = 16 * L.s;
    L.fs_title = 20 * L.s;

    /* Panels share the frequency labels when they show the same axis. */
    L.share_y = 1;
    for (int i = 1; i < n; i++)
        if (panels[i].sr != panels[0].sr || (scale == AS_FREQ_LOG && panels[i].n_fft != panels[0].n_fft))
            L.share_y = 0;

    cairo_surface_t *surf = plot_canvas(L.W, L.H);
    if (!surf) return as__fail(err, AS_ERR_NOMEM, path, "cannot allocate a %d x %d picture", L.W, L.H);
    cairo_t *cr = cairo_create(surf);

    int any_ptitle = 0;
    for (int i = 0; i < n; i++) any_ptitle |= panels[i].title && *panels[i].title;
    double pad = 14 * L.s;
    double tick_len = 5 * L.s;
    double flw = freq_label_width(cr, &L);
    char cbw_label[32];
    snprintf(cbw_label, sizeof cbw_label, MINUS "%.0f dB", range);
    double cblw = plot_text_width(cr, cbw_label, L.fs_tick, PLOT_FONT_NORMAL);

    L.top = (int)(pad + (o->title && *o->title ? L.fs_title + 16 * L.s : 0) +
                  (any_ptitle ? L.fs_ptitle + 12 * L.s : 4 * L.s));
    int bottom = (int)(pad + tick_len + 4 * L.s + L.fs_tick + 10 * L.s + L.fs_label + 2 * L.s);
    L.left0 = (int)(pad + L.fs_label + 8 * L.s + flw + 8 * L.s + tick_len);
    L.gap = (int)(L.share_y ? 22 * L.s : flw + tick_len + 24 * L.s);
    L.cb_w = (int)(18 * L.s);
    int right = (int)(24 * L.s + L.cb_w + tick_len + 4 * L.s + cblw + pad);
    L.pw = (L.W - L.left0 - right - (n - 1) * L.gap) / n;
    L.plot_h = L.H - L.top - bottom;
    L.cb_x = L.left0 + n * L.pw + (n - 1) * L.gap + (int)(24 * L.s);
    if (L.pw < 40 || L.plot_h < 40) {
        cairo_destroy(cr);
        cairo_surface_destroy(surf);
        return as__fail(err, AS_ERR_ARG, path, "picture %d x %d is too small for %d panel%s", L.W, L.H,
                        n, n == 1 ? "" : "s");
    }

    /* 0 dB is the loudest value over every panel. */
    double ref = 0.0;
    for (int i = 0; i < n; i++) {
        size_t cnt = (size_t)panels[i].F * (size_t)panels[i].T;
        for (size_t k = 0; k < cnt; k++)
            if (panels[i].S[k] > ref) ref = panels[i].S[k];
    }
    if (!(ref > 0)) ref = 1.0; /* all silent: everything at the bottom of the scale */

    char fit[512];
    if (o->title && *o->title)
        plot_text(cr, 0.5 * L.W, pad, plot_fit_text(cr, o->title, L.fs_title, PLOT_FONT_BOLD, L.W - 2 * pad, fit, sizeof fit),
                  L.fs_title, PLOT_FONT_BOLD, 0.5, 0.0, 0);

    for (int i = 0; i < n && st == AS_OK; i++) {
        const as_spec_panel *p = &panels[i];
        int x0 = L.left0 + i * (L.pw + L.gap);
        cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, L.pw, L.plot_h);
        if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
            cairo_surface_destroy(img);
            st = AS_ERR_NOMEM;
            break;
        }
        cairo_surface_flush(img);
        st = render_panel((uint32_t *)(void *)cairo_image_surface_get_data(img),
                          cairo_image_surface_get_stride(img) / 4, L.pw, L.plot_h, p, scale, cmap, ref,
                          range);
        cairo_surface_mark_dirty(img);
        cairo_set_source_surface(cr, img, x0, L.top);
        cairo_paint(cr);
        cairo_surface_destroy(img);
        frame_rect(cr, x0, L.top, L.pw, L.plot_h);

        double dur = (double)p->T * p->hop / p->sr;
        draw_time_axis(cr, &L, x0, o->time_offset_s, dur, 1);
        plot_faxis ax = plot_faxis_for(scale, p->sr, p->n_fft);
        draw_freq_axis(cr, &L, x0, &ax, i == 0 || !L.share_y, i == 0);
        if (p->title && *p->title)
            plot_text(cr, x0 + 0.5 * L.pw, L.top - 10 * L.s,
                      plot_fit_text(cr, p->title, L.fs_ptitle, PLOT_FONT_NORMAL, L.pw + 0.8 * L.gap, fit, sizeof fit),
                      L.fs_ptitle, PLOT_FONT_NORMAL, 0.5, 1.0, 0);
    }
    if (st == AS_OK) st = draw_colourbar(cr, &L, cmap, range);
    if (st != AS_OK) {
        cairo_destroy(cr);
        cairo_surface_destroy(surf);
        return as__fail(err, st, path, "cannot draw the picture (%s)", as_strerror(st));
    }
    st = plot_check_surface(surf, cr, path, err);
    cairo_destroy(cr);
    if (st == AS_OK) st = plot_write_png(surf, path, err);
    cairo_surface_destroy(surf);
    return st;
}
