/* walk.c — files and folders to a sorted list of audio inputs with names and labels (walk.h). */
#define _POSIX_C_SOURCE 200809L
#include "walk.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* libsndfile's formats, then FFmpeg's (src/audio/ffmpeg.c), videos included (their first audio
 * stream; a video without one is reported like any unreadable file) */
static const char *const audio_ext[] = {"wav", "flac", "ogg", "oga", "opus", "mp3", "au",
                                        "aiff", "aif", "caf", "w64",
                                        "m4a", "m4b", "aac", "wma", "mka", "webm", "mp4", "mov",
                                        "mkv", "avi", "wmv", "asf", "3gp", NULL};

int cli_is_audio_name(const char *name)
{
    const char *slash = strrchr(name, '/');
    if (slash) name = slash + 1;
    const char *dot = strrchr(name, '.');
    if (!dot || name[0] == '.') return 0;
    for (int i = 0; audio_ext[i]; i++)
        if (strcasecmp(dot + 1, audio_ext[i]) == 0) return 1;
    return 0;
}

static char *dup_n(const char *s, size_t n)
{
    char *o = malloc(n + 1);
    if (o) {
        memcpy(o, s, n);
        o[n] = 0;
    }
    return o;
}

/* The GTZAN genre of a path (genres_original/<genre>/<file> or <genre>/<genre>.NNNNN.<ext>),
 * or NULL. */
static char *gtzan_label(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) return NULL;
    const char *base = slash + 1;
    const char *ps = slash - 1;
    while (ps > path && *ps != '/') ps--;
    const char *parent = *ps == '/' ? ps + 1 : ps;
    size_t plen = (size_t)(slash - parent);
    if (plen == 0) return NULL;
    int gtzan = strncmp(base, parent, plen) == 0 && base[plen] == '.';
    if (ps > path) {
        const char *gs = ps - 1;
        while (gs > path && *gs != '/') gs--;
        const char *gp = *gs == '/' ? gs + 1 : gs;
        if ((size_t)(ps - gp) == strlen("genres_original") && strncmp(gp, "genres_original", 15) == 0) gtzan = 1;
    }
    return gtzan ? dup_n(parent, plen) : NULL;
}

static int push(cli_inputs *l, const char *path, const char *name)
{
    if (l->n == l->cap) {
        size_t c = l->cap ? 2 * l->cap : 64;
        cli_input *nv = realloc(l->v, sizeof *nv * c);
        if (!nv) return -1;
        l->v = nv;
        l->cap = c;
    }
    cli_input *e = &l->v[l->n];
    e->path = strdup(path);
    e->name = strdup(name);
    e->label = gtzan_label(path);
    if (!e->label) {
        /* DATA/<genre>/<file>: the name relative to the folder given has exactly one slash */
        const char *s = strchr(name, '/');
        if (s && s > name && !strchr(s + 1, '/')) e->label = dup_n(name, (size_t)(s - name));
    }
    if (!e->path || !e->name) {
        free(e->path);
        free(e->name);
        free(e->label);
        return -1;
    }
    l->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Adds the audio files under dir; rel is dir's path relative to the folder given ("" at the top). */
static int scan_dir(cli_inputs *l, const char *dir, const char *rel, int depth)
{
    if (depth > 32) return 0;
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "audiostyle: %s: cannot open the folder\n", dir);
        return 1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(names, sizeof *nn * cap);
            if (!nn) break;
            names = nn;
        }
        names[n] = strdup(e->d_name);
        if (names[n]) n++;
    }
    closedir(d);
    if (n > 1) qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    size_t dl = strlen(dir);
    for (size_t i = 0; i < n; i++) {
        size_t L = dl + strlen(names[i]) + 2, R = strlen(rel) + strlen(names[i]) + 2;
        char *p = malloc(L), *r = malloc(R);
        if (p && r) {
            snprintf(p, L, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", names[i]);
            snprintf(r, R, "%s%s%s", rel, *rel ? "/" : "", names[i]);
            struct stat st;
            if (stat(p, &st) == 0) {
                if (S_ISDIR(st.st_mode)) rc |= scan_dir(l, p, r, depth + 1);
                else if (S_ISREG(st.st_mode) && cli_is_audio_name(names[i]) && push(l, p, r) != 0) rc = 1;
            }
        }
        free(p);
        free(r);
        free(names[i]);
    }
    free(names);
    return rc;
}

int cli_walk(char *const *paths, int n, cli_inputs *out)
{
    int rc = 0;
    for (int i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            fprintf(stderr, "audiostyle: %s: no such file or folder\n", paths[i]);
            rc = 1;
        } else if (S_ISDIR(st.st_mode)) {
            size_t before = out->n;
            rc |= scan_dir(out, paths[i], "", 0);
            if (out->n == before) {
                fprintf(stderr, "audiostyle: %s: no audio files found in the folder\n", paths[i]);
                rc = 1;
            }
        } else {
            const char *base = strrchr(paths[i], '/');
            if (push(out, paths[i], base ? base + 1 : paths[i]) != 0) rc = 1;
        }
    }
    return rc;
}

void cli_inputs_free(cli_inputs *in)
{
    for (size_t i = 0; i < in->n; i++) {
        free(in->v[i].path);
        free(in->v[i].name);
        free(in->v[i].label);
    }
    free(in->v);
    memset(in, 0, sizeof *in);
}
