/* html.c — the journey report: one self-contained HTML page (no JavaScript) comparing content,
 * style and result. Pictures are drawn by src/plot (and chroma_plot.c) into a private temporary
 * folder, read back and embedded as base64 PNG data URIs; the audio is embedded as 16-bit WAV.
 * The page is assembled in memory and written atomically. */
#define _POSIX_C_SOURCE 200809L
#include "features/features.h"
#include "quality/quality.h"
#include "report/report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define F_BINS FEAT_F
#define HOP_S (512.0 / AS_SR)
#define SMOOTH 21 /* frames of the display moving mean, about 0.5 s */

/* ---- a growing string ---------------------------------------------------------------------- */
typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static int sb_reserve(sbuf *b, size_t more)
{
    if (b->oom) return 0;
    if (b->n + more + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 65536;
    while (cap < b->n + more + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return 0;
    }
    b->p = p;
    b->cap = cap;
    return 1;
}

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (!sb_reserve(b, n)) return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[1024];
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0) return;
    if ((size_t)k < sizeof tmp) {
        sb_put(b, tmp, (size_t)k);
        return;
    }
    if (!sb_reserve(b, (size_t)k)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

/* HTML-escaped text. */
static void sb_text(sbuf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': sb_puts(b, "&amp;"); break;
        case '<': sb_puts(b, "&lt;"); break;
        case '>': sb_puts(b, "&gt;"); break;
        case '"': sb_puts(b, "&quot;"); break;
        default: sb_put(b, s, 1);
        }
    }
}

/* A number, or an em dash when unknown. */
static void sb_num(sbuf *b, const char *fmt, double v)
{
    if (isfinite(v)) sb_printf(b, fmt, v);
    else sb_puts(b, "—");
}

/* Reads a whole file and appends it as base64. */
static as_status sb_file_b64(sbuf *b, const char *path, as_error *err)
{
    char *data = NULL;
    size_t n = 0;
    as_status st = as_read_file(path, (size_t)1 << 31, &data, &n, err);
    if (st != AS_OK) return st;
    size_t len = report_base64_len(n);
    if (sb_reserve(b, len)) b->n += report_base64(b->p + b->n, (const unsigned char *)data, n);
    free(data);
    return b->oom ? AS_ERR_NOMEM : AS_OK;
}

/* ---- analysis of one track ----------------------------------------------------------------- */
enum { C_CENTROID, C_BANDWIDTH, C_ROLLOFF, C_FLATNESS, C_ONSET, C_RMS, C_COUNT };

typedef struct track_an {
    int64_t T;
    float *S;              /* (F, T) magnitude, for the spectrogram picture */
    float *chroma;         /* (T, 12) */
    float *onset_mean;     /* (T,) librosa's onset_strength (the quality metrics' rhythm) */
    float *curve[C_COUNT]; /* (T,) each, smoothed for display */
    double mean[C_COUNT];  /* means of the unsmoothed curves (RMS: of the dB values) */
    double tempo;          /* NAN for tracks too short to hold two beats */
    double rms_dbfs;       /* as_rms_dbfs of the whole track (info's definition) */
    int genre_warn;        /* as_genre_input_check */
    double probs[AS_GENRE_MAX_CLASSES];
    quality_track qt;      /* MFCC Gaussian, level, flatness for the Quality section */
} track_an;

/* Fewer frames than this (1 s at hop 512) make no meaningful frame statistic: shown as a dash. */
enum { MIN_FRAMES = 44 };

static void track_free(track_an *a)
{
    free(a->S);
    free(a->chroma);
    free(a->onset_mean);
    for (int c = 0; c < C_COUNT; c++) free(a->curve[c]);
}

/* Everything the page shows about one track, from ONE analysis (one STFT): the curves, the
 * chroma, the tempo, the genre (when the model classifies the track as one window, else window
 * by window) and the quality statistics; the analysis is freed before the next track. */
static as_status analyse(as_features *fx, const as_genre_model *m, const float *y, int64_t n,
                         track_an *a)
{
    int64_t T64 = 1 + n / 512;
    if (n <= 1024) return AS_ERR_ARG;
    if (T64 > INT32_MAX / F_BINS) return AS_ERR_TOO_LONG;
    int T = (int)T64;
    size_t TF = (size_t)T * F_BINS;
    a->T = T;
    as_analysis *an = NULL;
    as_status st = as_analysis_create(fx, y, n, &an);
    if (st != AS_OK) return st;
    float *work = malloc(sizeof(float) * (size_t)T);
    double *tmp = malloc(sizeof(double) * 3 * (size_t)T);
    a->chroma = malloc(sizeof(float) * 12 * (size_t)T);
    a->onset_mean = malloc(sizeof(float) * (size_t)T);
    a->S = malloc(sizeof(float) * TF);
    int ok = work && tmp && a->chroma && a->onset_mean && a->S;
    for (int c = 0; c < C_COUNT; c++) ok = (a->curve[c] = malloc(sizeof(float) * (size_t)T)) && ok;
    st = ok ? AS_OK : AS_ERR_NOMEM;
    if (st == AS_OK) {
        /* chroma (librosa.feature.chroma_stft with its tuning estimate) */
        memcpy(a->chroma, an->chroma, sizeof(float) * 12 * (size_t)T);
        memcpy(a->onset_mean, an->onset_mean, sizeof(float) * (size_t)T);
        double *c = tmp, *bw = tmp + T, *ro = tmp + 2 * (size_t)T;
        feat_spectral(c, bw, ro, an->S, T);
        for (int t = 0; t < T; t++) {
            a->curve[C_CENTROID][t] = (float)c[t];
            a->curve[C_BANDWIDTH][t] = (float)bw[t];
            a->curve[C_ROLLOFF][t] = (float)ro[t];
        }
        report_flatness(tmp, an->P, T, F_BINS);
        for (int t = 0; t < T; t++) a->curve[C_FLATNESS][t] = (float)tmp[t];
        st = feat_rms(tmp, y, n, T);
    }
    if (st == AS_OK) {
        for (int t = 0; t < T; t++) a->curve[C_RMS][t] = (float)(20 * log10(fmax(tmp[t], 1e-5)));
        memcpy(a->curve[C_ONSET], an->onset_median, sizeof(float) * (size_t)T);
        /* the (F, T) magnitude for the picture and the metrics */
        for (int t = 0; t < T; t++)
            for (int f = 0; f < F_BINS; f++) a->S[(size_t)f * T + t] = an->S[(size_t)t * F_BINS + f];
        st = as_features_tempo_analysis(fx, an, &a->tempo);
        /* a tempo needs two beats (as `audiostyle info`): none under 1 s or two beats */
        double dur = (double)n / AS_SR;
        if (st == AS_OK && (!(a->tempo > 0) || dur < 1.0 || dur < 120.0 / a->tempo)) a->tempo = NAN;
        a->rms_dbfs = as_rms_dbfs(y, n);
        a->genre_warn = as_genre_input_check(y, n, AS_SR, NULL, NULL);
    }
    if (st == AS_OK) {
        int64_t start = 0, wl = 0;
        int nw = as_genre_windows(n, as_genre_segment_length(m), &start, 1, &wl);
        if (nw == 1 && wl == n) {
            /* as_genre_classify_signal's one-window case, from the analysis */
            double x[AS_FEATURES_COUNT];
            st = as_features_compute_analysis(fx, an, x);
            if (st == AS_OK) st = as_genre_predict(m, x, a->probs);
        } else {
            st = as_genre_classify_signal(m, fx, y, n, a->probs);
        }
    }
    if (st == AS_OK) st = quality_track_stats(&a->qt, an);
    if (st == AS_OK) {
        /* means, then the display smoothing */
        for (int c = 0; c < C_COUNT; c++) {
            double s = 0;
            for (int t = 0; t < T; t++) s += a->curve[c][t];
            a->mean[c] = s / T;
            report_smooth(work, a->curve[c], T, SMOOTH);
            memcpy(a->curve[c], work, sizeof(float) * (size_t)T);
        }
    }
    as_analysis_destroy(an);
    free(work);
    free(tmp);
    return st;
}

/* ---- the page ------------------------------------------------------------------------------ */
static const char CSS[] =
    "*{box-sizing:border-box}"
    "body{margin:0;background:#f4f5f7;color:#212121;font:15px/1.5 'DejaVu Sans',system-ui,sans-serif}"
    "main{max-width:1280px;margin:0 auto;padding:24px 28px 48px}"
    "header{margin-bottom:8px}h1{font-size:26px;margin:0 0 4px}"
    ".sub{color:#555;margin:0;font-size:13px;word-break:break-all}"
    "section{background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:16px 20px;margin:18px 0}"
    "h2{font-size:19px;margin:0 0 10px}h3{font-size:16px;margin:0 0 4px}"
    "img{display:block;max-width:100%;height:auto;margin:0 auto}"
    ".cap{color:#555;font-size:13px;margin:8px 0 0}"
    ".three{display:grid;grid-template-columns:repeat(3,1fr);gap:16px}"
    ".two{display:grid;grid-template-columns:repeat(2,1fr);gap:16px}"
    ".card{border:1px solid #e1e4e8;border-radius:6px;padding:12px 14px;background:#fafbfc}"
    ".card.content{border-top:4px solid #1f77b4}.card.style{border-top:4px solid #ff7f0e}"
    ".card.result{border-top:4px solid #2ca02c}"
    ".name{color:#555;font-size:13px;margin:0 0 8px;word-break:break-all}"
    "audio{width:100%;margin:4px 0 8px}"
    "table{border-collapse:collapse;width:100%;font-size:14px}"
    "th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e1e4e8}"
    "th{background:#f6f8fa;font-weight:600}th.n,td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "ol{margin:4px 0 0;padding-left:22px}"
    ".shift{font-size:16px;margin:12px 0 0}"
    ".warn{color:#a33;font-weight:bold;margin:8px 0 0}"
    "footer{color:#777;font-size:12px;text-align:center}"
    "@media (max-width:900px){.three,.two{grid-template-columns:1fr}}";

static const char *const ROLE[3] = {"content", "style", "result"};
static const char *const ROLE_T[3] = {"Content", "Style", "Result"};

typedef struct ctx {
    char dir[4096];
    int seq;
    sbuf *b;
    as_error *err;
} ctx;

static void tmp_path(ctx *c, char *out, size_t n, const char *ext)
{
    snprintf(out, n, "%s/f%03d.%s", c->dir, c->seq++, ext);
}

/* Appends <img> for a PNG just written to path, then removes the file. */
static as_status embed_png(ctx *c, const char *path, const char *alt)
{
    sb_puts(c->b, "<img alt=\"");
    sb_text(c->b, alt);
    sb_puts(c->b, "\" src=\"data:image/png;base64,");
    as_status st = sb_file_b64(c->b, path, c->err);
    sb_puts(c->b, "\">");
    unlink(path);
    return st;
}

void as_report_opts_default(as_report_opts *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->content_loss = o->style_loss = o->spectral_convergence = NAN;
}

/* The Quality section: the five numbers of docs/transfer-quality.md, each with what it means.
 * q NULL: not defined for these tracks (why says which rule). */
static void quality_section(sbuf *b, const as_quality *q, const char *why)
{
    static const char *const name[5] = {"style distance ratio", "rhythm correlation", "chroma similarity",
                                        "flatness ratio", "level difference (dB)"};
    static const char *const fmt[5] = {"%.4f", "%.4f", "%.4f", "%.3f", "%+.2f"};
    static const char *const what[5] = {
        "How far the result's timbre (the Gaussian of its MFCCs 1..19) is from the style's, as a fraction "
        "of the content's distance: 0 = the style's timbre, 1 = no closer than the content. Lower is better.",
        "Correlation of the result's onset envelope with the content's: 1 = the content's rhythm kept. "
        "Higher is better.",
        "Mean cosine of the result's and the content's chroma, frame by frame: the content's harmony kept. "
        "Higher is better (a different track scores about 0.8).",
        "The result's mean spectral flatness over the style's: 1 = as tonal as the style, above 1 = noisier. "
        "Closer to 1 is better.",
        "RMS level of the result minus the content's. 0 is best."};
    double v[5] = {NAN, NAN, NAN, NAN, NAN};
    if (q) {
        v[0] = q->style_distance_ratio;
        v[1] = q->rhythm_correlation;
        v[2] = q->chroma_similarity;
        v[3] = q->flatness_ratio;
        v[4] = q->level_db;
    }
    sb_puts(b, "<section id=\"quality\"><h2>Quality</h2><table>"
               "<tr><th>metric</th><th class=\"n\">value</th><th>what it means</th></tr>");
    for (int i = 0; i < 5; i++) {
        sb_printf(b, "<tr><td>%s</td><td class=\"n\">", name[i]);
        sb_num(b, fmt[i], v[i]);
        sb_printf(b, "</td><td>%s</td></tr>", what[i]);
    }
    sb_puts(b, "</table><p class=\"cap\">");
    if (q) {
        sb_printf(b, "Fr&eacute;chet distance of content and style: %.1f. ", q->fd_content_style);
    } else {
        sb_puts(b, "Not defined for these tracks: ");
        sb_text(b, why ? why : "unknown reason");
        sb_puts(b, ". ");
    }
    sb_puts(b, "Definitions: docs/transfer-quality.md (the style transfer's result against its content and "
               "style).</p></section>\n");
}

static as_status write_page(ctx *c, const as_report_track *tr, const as_genre_model *m,
                            const as_report_opts *o, track_an *an, const as_quality *qm, const char *q_why)
{
    sbuf *b = c->b;
    as_status st = AS_OK;
    char path[4200];
    int C = as_genre_n_classes(m);
    const char *title = o->title ? o->title : "audiostyle report";

    sb_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
               "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>");
    sb_text(b, title);
    sb_printf(b, "</title><style>%s</style></head>\n<body><main>\n<header><h1>", CSS);
    sb_text(b, title);
    sb_puts(b, "</h1>");
    if (o->settings) {
        sb_puts(b, "<p class=\"sub\">");
        sb_text(b, o->settings);
        sb_puts(b, "</p>");
    }
    sb_puts(b, "</header>\n");

    /* listen */
    double max_s = o->max_audio_s > 0 ? o->max_audio_s : 300;
    sb_puts(b, "<section id=\"listen\"><h2>Listen</h2><div class=\"three\">\n");
    for (int k = 0; k < 3 && st == AS_OK; k++) {
        sb_printf(b, "<div class=\"card %s\"><h3>%s</h3><p class=\"name\">", ROLE[k], ROLE_T[k]);
        sb_text(b, tr[k].name ? tr[k].name : ROLE[k]);
        sb_puts(b, "</p>");
        int64_t n = tr[k].n;
        if ((double)n > max_s * AS_SR) n = (int64_t)(max_s * AS_SR);
        tmp_path(c, path, sizeof path, "wav");
        as_save_opts so = {.sample_format = AS_SAVE_PCM16, .level = AS_LEVEL_PEAK_LIMIT, .ceiling_db = 0};
        st = as_audio_save(path, tr[k].y, n, AS_SR, &so, c->err);
        if (st != AS_OK) break;
        sb_puts(b, "<audio controls preload=\"metadata\" src=\"data:audio/wav;base64,");
        st = sb_file_b64(b, path, c->err);
        unlink(path);
        sb_puts(b, "\"></audio>");
        if (n < tr[k].n) sb_printf(b, "<p class=\"cap\">(the first %.0f s)</p>", max_s);
        int t3[3];
        as_genre_top(an[k].probs, C, t3, 3);
        sb_printf(b, "<p>%.2f s &middot; tempo ", tr[k].n / (double)AS_SR);
        sb_num(b, "%.1f", an[k].tempo);
        sb_puts(b, " BPM</p><ol>");
        for (int i = 0; i < 3 && i < C; i++) {
            sb_puts(b, "<li>");
            sb_text(b, as_genre_label(m, t3[i]));
            sb_printf(b, " %.1f %%</li>", 100 * an[k].probs[t3[i]]);
        }
        sb_puts(b, "</ol></div>\n");
    }
    sb_puts(b, "</div></section>\n");
    if (st != AS_OK) return st;
    quality_section(b, qm, q_why);

    /* spectrograms */
    {
        as_spec_panel p[3];
        char t[3][300];
        for (int k = 0; k < 3; k++) {
            snprintf(t[k], sizeof t[k], "%s: %s", ROLE[k], tr[k].name ? tr[k].name : "");
            p[k] = (as_spec_panel){.S = an[k].S, .F = F_BINS, .T = an[k].T, .sr = AS_SR, .hop = 512,
                                   .n_fft = 2048, .title = t[k]};
        }
        as_plot_opts po = {0};
        po.freq_scale = AS_FREQ_LOG;
        po.width = 1500;
        po.height = 520;
        tmp_path(c, path, sizeof path, "png");
        st = as_plot_spectrograms(path, p, 3, &po, c->err);
        if (st != AS_OK) return st;
        sb_puts(b, "<section id=\"spectrograms\"><h2>Spectrograms</h2>");
        st = embed_png(c, path, "spectrograms of content, style and result");
        sb_puts(b, "<p class=\"cap\">|STFT| (n_fft 2048, hop 512) in dB on one colour scale (0 dB = the "
                   "loudest of the three), log-frequency axis.</p></section>\n");
        if (st != AS_OK) return st;
    }

    /* waveforms */
    {
        as_wave w[3];
        for (int k = 0; k < 3; k++) w[k] = (as_wave){.x = tr[k].y, .n = tr[k].n, .sr = AS_SR, .name = ROLE[k]};
        tmp_path(c, path, sizeof path, "png");
        st = as_plot_waveforms(path, w, 3, NULL, 1200, 480, c->err);
        if (st != AS_OK) return st;
        sb_puts(b, "<section id=\"waveforms\"><h2>Waveforms</h2>");
        st = embed_png(c, path, "waveforms");
        sb_puts(b, "</section>\n");
        if (st != AS_OK) return st;
    }

    /* chroma */
    {
        const float *ch[3] = {an[0].chroma, an[1].chroma, an[2].chroma};
        int64_t T[3] = {an[0].T, an[1].T, an[2].T};
        const char *tt[3] = {"content", "style", "result"};
        tmp_path(c, path, sizeof path, "png");
        st = report_chroma_png(path, ch, T, tt, 1500, 300, c->err);
        if (st != AS_OK) return st;
        sb_puts(b, "<section id=\"chroma\"><h2>Chroma</h2>");
        st = embed_png(c, path, "chroma maps");
        sb_puts(b, "<p class=\"cap\">Energy per pitch class (librosa chroma_stft, each frame scaled to its "
                   "maximum).</p></section>\n");
        if (st != AS_OK) return st;
    }

    /* curves */
    {
        static const char *const ttl[C_COUNT] = {"Spectral centroid", "Spectral bandwidth", "Spectral rolloff (85 %)",
                                                 "Spectral flatness", "Onset strength", "Loudness (RMS)"};
        static const char *const yl[C_COUNT] = {"Hz", "Hz", "Hz", "flatness (log)", "onset strength", "dBFS"};
        sb_puts(b, "<section id=\"curves\"><h2>Over time</h2><div class=\"two\">\n");
        for (int q = 0; q < C_COUNT && st == AS_OK; q++) {
            as_curve cv[3];
            for (int k = 0; k < 3; k++)
                cv[k] = (as_curve){.y = an[k].curve[q], .n = an[k].T, .t0 = 0, .dt = HOP_S, .name = ROLE[k]};
            as_curves_opts co = {.width = 800, .height = 340, .title = ttl[q], .y_label = yl[q],
                                 .y_log = q == C_FLATNESS};
            tmp_path(c, path, sizeof path, "png");
            st = as_plot_curves(path, cv, 3, &co, c->err);
            if (st == AS_OK) {
                sb_puts(b, "<div>");
                st = embed_png(c, path, ttl[q]);
                sb_puts(b, "</div>\n");
            }
        }
        sb_puts(b, "</div><p class=\"cap\">Per frame (hop 512 = 23 ms), shown as a 0.5-s moving mean.</p>");
        sb_puts(b, "<table><tr><th>mean</th><th class=\"n\">content</th><th class=\"n\">style</th><th class=\"n\">result</th></tr>");
        static const char *const row[C_COUNT] = {"centroid (Hz)", "bandwidth (Hz)", "rolloff (Hz)", "flatness",
                                                 "onset strength", "RMS (dBFS, whole track)"};
        for (int q = 0; q < C_COUNT; q++) {
            sb_printf(b, "<tr><td>%s</td>", row[q]);
            for (int k = 0; k < 3; k++) {
                sb_puts(b, "<td class=\"n\">");
                double v = q == C_RMS ? an[k].rms_dbfs : an[k].T >= MIN_FRAMES ? an[k].mean[q] : NAN;
                sb_num(b, q == C_FLATNESS ? "%.4f" : q == C_RMS ? "%.2f" : "%.1f", v);
                sb_puts(b, "</td>");
            }
            sb_puts(b, "</tr>");
        }
        sb_puts(b, "<tr><td>tempo (BPM)</td>");
        for (int k = 0; k < 3; k++) {
            sb_puts(b, "<td class=\"n\">");
            sb_num(b, "%.1f", an[k].tempo);
            sb_puts(b, "</td>");
        }
        sb_puts(b, "</tr></table></section>\n");
        if (st != AS_OK) return st;
    }

    /* genres */
    int ts[3];
    as_genre_top(an[1].probs, C, ts, 3);
    {
        const char *labels[AS_GENRE_MAX_CLASSES];
        for (int k = 0; k < C; k++) labels[k] = as_genre_label(m, k);
        sb_puts(b, "<section id=\"genres\"><h2>Genres</h2><div>\n");
        const double *pr[3] = {an[0].probs, an[1].probs, an[2].probs};
        tmp_path(c, path, sizeof path, "png");
        st = report_genres_png(path, pr, labels, C, ROLE, 1200, c->err);
        if (st == AS_OK) st = embed_png(c, path, "genre probabilities");
        sb_puts(b, "</div><p class=\"shift\">Genre shift: the style's top genre, <b>");
        sb_text(b, as_genre_label(m, ts[0]));
        sb_printf(b, "</b>, has probability %.1f %% in the content and %.1f %% in the result.</p>",
                  100 * an[0].probs[ts[0]], 100 * an[2].probs[ts[0]]);
        for (int k = 0; k < 3; k++)
            if (an[k].genre_warn) {
                sb_printf(b, "<p class=\"warn\">Warning: the %s is %s for a meaningful genre (", ROLE[k],
                          an[k].genre_warn & AS_GENRE_WARN_SHORT ? "too short" : "too quiet");
                if (an[k].genre_warn & AS_GENRE_WARN_SHORT)
                    sb_printf(b, "%.2f s, under %g s", tr[k].n / (double)AS_SR, AS_GENRE_MIN_SECONDS);
                else {
                    sb_puts(b, "RMS ");
                    sb_num(b, "%.1f", an[k].rms_dbfs);
                    sb_printf(b, " dBFS, under %g dBFS", AS_GENRE_MIN_RMS_DBFS);
                }
                sb_puts(b, "); its probabilities mean little.</p>");
            }
        sb_puts(b, "<p class=\"cap\">The built-in GTZAN model on the whole tracks (30-s windows averaged for "
                   "longer tracks).</p></section>\n");
        if (st != AS_OK) return st;
    }

    /* metrics */
    {
        double corr[2], mse[2], mcorr[2], mmse[2];
        for (int j = 0; j < 2; j++) {
            report_compare_log1p(an[2].S, an[2].T, an[j].S, an[j].T, F_BINS, AS_MIN(an[2].T, an[j].T), &corr[j], &mse[j]);
            float ma[F_BINS], mr[F_BINS];
            for (int f = 0; f < F_BINS; f++) {
                double sa = 0, sr = 0;
                for (int64_t t = 0; t < an[j].T; t++) sa += log1pf(an[j].S[(size_t)f * an[j].T + t]);
                for (int64_t t = 0; t < an[2].T; t++) sr += log1pf(an[2].S[(size_t)f * an[2].T + t]);
                ma[f] = (float)(sa / an[j].T);
                mr[f] = (float)(sr / an[2].T);
            }
            report_compare(mr, ma, F_BINS, &mcorr[j], &mmse[j]);
            if (AS_MIN(an[2].T, an[j].T) < MIN_FRAMES) corr[j] = mse[j] = mcorr[j] = mmse[j] = NAN;
        }
        sb_puts(b, "<section id=\"metrics\"><h2>Metrics</h2><table>"
                   "<tr><th>metric</th><th class=\"n\">value</th></tr>");
        sb_puts(b, "<tr><td>final content loss</td><td class=\"n\">");
        sb_num(b, "%.5g", o->content_loss);
        sb_puts(b, "</td></tr><tr><td>final style loss</td><td class=\"n\">");
        sb_num(b, "%.5g", o->style_loss);
        sb_puts(b, "</td></tr><tr><td>Griffin-Lim spectral convergence</td><td class=\"n\">");
        sb_num(b, "%.4f", o->spectral_convergence);
        sb_puts(b, "</td></tr>");
        for (int j = 0; j < 2; j++) {
            sb_printf(b, "<tr><td>result vs %s: correlation of log(1 + |STFT|), frame by frame</td><td class=\"n\">",
                      ROLE[j]);
            sb_num(b, "%.4f", corr[j]);
            sb_printf(b, "</td></tr><tr><td>result vs %s: mean squared error of log(1 + |STFT|)</td><td class=\"n\">",
                      ROLE[j]);
            sb_num(b, "%.5f", mse[j]);
            sb_printf(b, "</td></tr><tr><td>result vs %s: correlation of the average log spectrum</td><td class=\"n\">",
                      ROLE[j]);
            sb_num(b, "%.4f", mcorr[j]);
            sb_puts(b, "</td></tr>");
        }
        sb_puts(b, "<tr><td>genre shift: P(");
        sb_text(b, as_genre_label(m, ts[0]));
        sb_printf(b, ") content &rarr; result</td><td class=\"n\">%.3f &rarr; %.3f</td></tr></table>",
                  an[0].probs[ts[0]], an[2].probs[ts[0]]);
        sb_puts(b, "<p class=\"cap\">Frame-by-frame figures use the frames the two tracks share (the first "
                   "min(T) frames); a dash means the number is not known here (the losses come from "
                   "<code>audiostyle transfer</code>) or rests on fewer than 1 s of frames.</p></section>\n");
    }
    sb_printf(b, "<footer>audiostyle %s</footer>\n</main></body></html>\n", as_version());
    return b->oom ? AS_ERR_NOMEM : AS_OK;
}

as_status as_report_write_html(const char *html_path, const as_report_track tracks[3],
                               const as_genre_model *model, const as_report_opts *opts,
                               as_error *err)
{
    if (!html_path || !tracks) return as__fail(err, AS_ERR_ARG, html_path ? html_path : "report", "no tracks");
    for (int k = 0; k < 3; k++) {
        if (!tracks[k].y || tracks[k].n <= 0)
            return as__fail(err, AS_ERR_EMPTY, tracks[k].name ? tracks[k].name : ROLE[k], "no samples");
        if (tracks[k].n <= 1024)
            return as__fail(err, AS_ERR_ARG, tracks[k].name ? tracks[k].name : ROLE[k],
                            "too short for the report (%lld samples; more than 1024 needed)",
                            (long long)tracks[k].n);
    }
    as_report_opts o;
    if (opts) o = *opts;
    else as_report_opts_default(&o);
    as_status st = AS_OK;
    as_genre_model *own = NULL;
    if (!model) {
        st = as_genre_load_default(&own, err);
        if (st != AS_OK) return st;
        model = own;
    }
    as_features *fx = as_features_create(&st);
    if (!fx) as__fail(err, st, html_path, "cannot make a features workspace");
    track_an an[3];
    memset(an, 0, sizeof an);
    for (int k = 0; k < 3 && st == AS_OK; k++) {
        st = analyse(fx, model, tracks[k].y, tracks[k].n, &an[k]);
        if (st != AS_OK) as__fail(err, st, tracks[k].name ? tracks[k].name : ROLE[k], "cannot analyse (%s)", as_strerror(st));
    }
    /* the quality metrics from the statistics analyse() kept; not defined (e.g. content = style)
     * is shown, not an error */
    as_quality q;
    as_error qerr = {0};
    const as_quality *qp = NULL;
    if (st == AS_OK) {
        quality_track qt[3] = {an[0].qt, an[1].qt, an[2].qt};
        if (quality_combine(qt, an[0].onset_mean, an[0].chroma, (int)an[0].T, an[2].onset_mean, an[2].chroma,
                            (int)an[2].T, &q, &qerr) == AS_OK)
            qp = &q;
    }
    sbuf b = {0};
    ctx c = {.b = &b, .err = err};
    if (st == AS_OK) {
        const char *td = getenv("TMPDIR");
        snprintf(c.dir, sizeof c.dir, "%s/audiostyle-report-XXXXXX", td && *td ? td : "/tmp");
        if (!mkdtemp(c.dir)) st = as__fail(err, AS_ERR_IO, c.dir, "cannot make a temporary folder (%s)", strerror(errno));
        else {
            st = write_page(&c, tracks, model, &o, an, qp, qerr.msg);
            for (int i = 0; i < c.seq; i++) { /* leftovers of a failure */
                char p[4200];
                snprintf(p, sizeof p, "%s/f%03d.%s", c.dir, i, "png");
                unlink(p);
                snprintf(p, sizeof p, "%s/f%03d.%s", c.dir, i, "wav");
                unlink(p);
            }
            rmdir(c.dir);
        }
    }
    if (st == AS_OK && b.oom) st = as__fail(err, AS_ERR_NOMEM, html_path, "out of memory");
    if (st == AS_OK) {
        char tmp[4096];
        int fd = as__tmp_open(html_path, tmp, sizeof tmp);
        if (fd < 0) {
            st = as__fail(err, AS_ERR_IO, html_path, "cannot create the file (%s)", strerror(errno));
        } else {
            size_t off = 0;
            while (off < b.n) {
                ssize_t w = write(fd, b.p + off, b.n - off);
                if (w < 0 && errno == EINTR) continue;
                if (w <= 0) break;
                off += (size_t)w;
            }
            int e = errno;
            if (close(fd) != 0 && off == b.n) e = errno, off = 0;
            if (off != b.n) {
                as__tmp_abort(tmp);
                st = as__fail(err, AS_ERR_IO, html_path, "cannot write (%s)", strerror(e));
            } else {
                st = as__tmp_commit(tmp, html_path);
                if (st != AS_OK) as__fail(err, st, html_path, "cannot write the file");
            }
        }
    }
    free(b.p);
    for (int k = 0; k < 3; k++) track_free(&an[k]);
    as_features_destroy(fx);
    as_genre_destroy(own);
    return st;
}
