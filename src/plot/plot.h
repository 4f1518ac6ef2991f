/* plot.h — what the files of src/plot share: colormaps, axis ticks, frequency axes, text and
 * PNG output on top of cairo. Internal to the library (not exported). */
#ifndef AS_PLOT_H
#define AS_PLOT_H

#include "core/internal.h"

#include <cairo.h>
#include <stdint.h>

/* colormap.c: t in [0, 1] (clamped; NaN -> 0) to linear-interpolated sRGB in [0, 1]. */
void plot_cmap_rgb(int cmap, double t, double rgb[3]);
/* The same as a cairo ARGB32/RGB24 pixel (0xffRRGGBB). */
uint32_t plot_cmap_pixel(int cmap, double t);

/* axes.c ------------------------------------------------------------------------------------ */

/* "Nice" ticks (steps of 1, 2 or 5 times a power of ten) inside [lo, hi], about `target` of
 * them; writes at most cap values ascending, returns how many. */
int plot_nice_ticks(double lo, double hi, int target, double *ticks, int cap);
/* The step plot_nice_ticks chose for that range (for formatting). */
double plot_nice_step(double lo, double hi, int target);

/* A frequency axis from fmin to fmax (Hz) on a linear, log or mel (Slaney) scale. */
typedef struct plot_faxis {
    int scale;         /* AS_FREQ_* */
    double fmin, fmax; /* Hz; fmin > 0 for AS_FREQ_LOG */
} plot_faxis;
/* The axis a panel shows: linear and mel 0..sr/2, log 20 Hz (or the first bin above it)..sr/2. */
plot_faxis plot_faxis_for(int scale, int sr, int n_fft);
/* Position along the axis, 0 at fmin and 1 at fmax (monotone increasing). */
double plot_faxis_unit(const plot_faxis *a, double hz);
/* Inverse of plot_faxis_unit. */
double plot_faxis_hz(const plot_faxis *a, double u);
/* Tick frequencies for an axis `len_px` long: nice values (1-2-5 per decade for log and mel,
 * 1-2-5 steps for linear) at least min_gap_px apart. Returns how many (<= cap). */
int plot_faxis_ticks(const plot_faxis *a, double len_px, double min_gap_px, double *ticks, int cap);
/* "0", "500", "1k", "1.5k", "10k". */
void plot_format_hz(char *buf, size_t len, double hz);
/* A tick label for value v when ticks are `step` apart: as few decimals as the step needs. */
void plot_format_tick(char *buf, size_t len, double v, double step);

/* Text, anchored at (x, y): ha 0 = left, 0.5 = centre, 1 = right; va 0 = top, 0.5 = middle,
 * 1 = bottom of the font's ascent..descent box; angle in radians (counter-clockwise positive as
 * seen on the picture), rotation about the anchor. */
enum { PLOT_FONT_NORMAL = 0, PLOT_FONT_BOLD = 1 };
void plot_text(cairo_t *cr, double x, double y, const char *s, double size, int weight,
               double ha, double va, double angle);
/* Width in pixels of s at that size and weight. */
double plot_text_width(cairo_t *cr, const char *s, double size, int weight);
/* The widest of n class labels (a missing label is drawn as its index). */
double plot_labels_max_width(cairo_t *cr, const char *const *labels, int n, double size);
/* s itself when it fits in max_w pixels, else the longest prefix (whole UTF-8 characters) that
 * fits with "..." appended, in buf. */
const char *plot_fit_text(cairo_t *cr, const char *s, double size, int weight, double max_w, char *buf,
                          size_t len);

/* The palette of every picture. */
#define PLOT_INK 0.13, 0.13, 0.13     /* text and axes */
#define PLOT_INK_SOFT 0.35, 0.35, 0.35 /* secondary text */
#define PLOT_GRID 0.88, 0.88, 0.88

/* A qualitative palette for series (matplotlib's tab10 order): colour i of 10, repeating. */
void plot_series_rgb(int i, double rgb[3]);

/* A white ARGB32 canvas; NULL on failure. */
cairo_surface_t *plot_canvas(int width, int height);
/* Writes the surface as PNG to path atomically (temporary file, fsync, rename). */
as_status plot_write_png(cairo_surface_t *s, const char *path, as_error *err);
/* Common checks of an output path and a surface's status. */
as_status plot_check_surface(cairo_surface_t *s, cairo_t *cr, const char *path, as_error *err);

#endif
