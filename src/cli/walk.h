/* walk.h — the one input walker of features, train, evaluate, classify and info: files as given,
 * folders searched recursively (sorted by name, dot files skipped), GTZAN trees at any level.
 *
 * Each input gets a name and a label:
 *   name   a file given by itself: its base name; a file found in a folder: its path relative
 *          to that folder ("blues/blues.00000.wav"), so that files named alike in different
 *          folders never collide;
 *   label  the genre folder: the parent folder of a GTZAN file (genres_original/<genre>/<file>,
 *          or <genre>/<genre>.NNNNN.<ext>), or the sub-folder of the folder given that holds
 *          the file directly (DATA/<genre>/<file>); else NULL. */
#ifndef AS_CLI_WALK_H
#define AS_CLI_WALK_H

#include <stddef.h>

typedef struct cli_input {
    char *path;  /* as opened */
    char *name;  /* see above */
    char *label; /* see above, or NULL */
} cli_input;

typedef struct cli_inputs {
    cli_input *v;
    size_t n, cap;
} cli_inputs;

/* Audio file extensions the walker picks up in folders. */
int cli_is_audio_name(const char *name);

/* Adds every input of paths[0..n) to out. A path that does not exist, or a folder that cannot
 * be read, is reported on stderr (one line naming it) and skipped; with audio_only a folder
 * with no audio file is reported too. Files given by name are taken whatever their extension.
 * Returns 0, or 1 when something was reported. */
int cli_walk(char *const *paths, int n, cli_inputs *out);

void cli_inputs_free(cli_inputs *in);

#endif
