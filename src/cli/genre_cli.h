/* genre_cli.h — what cmd_train.c, cmd_evaluate.c and cmd_classify.c share (implemented in
 * cmd_train.c). */
#ifndef AS_GENRE_CLI_H
#define AS_GENRE_CLI_H

#include "cli.h"

#include <stddef.h>
#include <stdio.h>

/* The options train and evaluate share; each command's argument struct starts with one. */
typedef struct genre_cli_common {
    as_genre_train_opts t;
    int segments, quiet, force, no_log_var;
} genre_cli_common;

#define GENRE_O(f) offsetof(genre_cli_common, f)
/* The training options as option-table entries (see opt.h), for train's and evaluate's tables. */
#define GENRE_CLI_TRAIN_OPTS                                                                                   \
    {.name = "model-type", .type = CLI_CHOICE, .metavar = "T", .choices = "logreg|mlp-small|mlp|mlp-large",      \
     .def = "mlp-small", .help = "the kind of model", .offset = GENRE_O(t.type), .group = "training"},           \
    {.name = "epochs", .type = CLI_INT, .min = 1, .max = 100000, .def = "50",                                     \
     .help = "epochs, or the most epochs with early stopping", .offset = GENRE_O(t.epochs), .group = "training"}, \
    {.name = "seed", .type = CLI_U64, .def = "0", .help = "random seed; the same seed gives the same model",       \
     .offset = GENRE_O(t.seed), .group = "training"},                                                             \
    {.name = "valid-fraction", .type = CLI_DOUBLE, .metavar = "F", .min = 0, .max = 0.5, .def = "0",              \
     .help = "songs held out for early stopping (0: none, train for --epochs; cross-validation found that "       \
             "better on GTZAN)",                                                                                  \
     .offset = GENRE_O(t.valid_fraction), .group = "training"},                                                   \
    {.name = "patience", .type = CLI_INT, .min = 1, .max = 100000, .def_text = "30",                              \
     .help = "early-stopping patience in epochs", .offset = GENRE_O(t.patience), .group = "training"},           \
    {.name = "members", .type = CLI_INT, .min = 1, .max = 16, .def = "5",                                         \
     .help = "ensemble: N networks with different seeds, averaged", .offset = GENRE_O(t.members),                 \
     .group = "training"},                                                                                        \
    {.name = "weight-decay", .type = CLI_DOUBLE, .metavar = "W", .min = 0, .max = 1, .def_text = "1e-4",          \
     .help = "AdamW weight decay", .offset = GENRE_O(t.weight_decay), .group = "training"},                       \
    {.name = "dropout", .type = CLI_DOUBLE, .metavar = "P", .min = 0, .max = 0.9,                                 \
     .def_text = "0.3 for mlp-small, else the type's: mlp 0.2, mlp-large 0.3", .help = "dropout on hidden layers", \
     .offset = GENRE_O(t.dropout), .group = "training"},                                                          \
    {.name = "lr", .type = CLI_DOUBLE, .metavar = "R", .min = 1e-6, .max = 1, .def_text = "1e-3",                 \
     .help = "Adam learning rate", .offset = GENRE_O(t.lr), .group = "training"},                                 \
    {.name = "batch-size", .type = CLI_INT, .min = 1, .max = 65536, .def_text = "32", .help = "mini-batch size",  \
     .offset = GENRE_O(t.batch_size), .group = "training"},                                                       \
    {.name = "no-log-var", .type = CLI_FLAG, .help = "do not take the log of the *_var columns",                  \
     .offset = GENRE_O(no_log_var), .group = "training"},                                                         \
    {.name = "segments", .type = CLI_CHOICE, .metavar = "3", .choices = "0|3", .def_text = "whole files",         \
     .help = "with a folder of audio: 3-s rows instead of whole files (not with a features CSV)",                 \
     .offset = GENRE_O(segments), .group = "training"},                                                           \
    {.name = "model", .type = CLI_REFUSED,                                                                        \
     .help = "is a model file (classify); the kind of model is --model-type logreg|mlp-small|mlp|mlp-large"}

/* Defaults the table cannot hold (the library's recipe, then the table's values on top), and
 * the checks after parsing: the dropout that belongs to the chosen type. */
void genre_cli_train_defaults(genre_cli_common *g);
void genre_cli_train_finish(const cli_command *c, const cli_args *a, genre_cli_common *g);

/* DATA must be one of: */
#define GENRE_CLI_DATA_IS "DATA must be a features CSV in the Kaggle GTZAN schema with a label in every row " \
                          "(audiostyle features), or a folder of audio in genre sub-folders (a GTZAN tree at any level)"

/* Loads DATA: a features CSV (Kaggle schema) or a folder of audio whose files have a genre (the
 * walker's labels; features computed here; segments_s 0 = whole files, 3 = the 3-s rows).
 * Returns 0, 2 (usage: --segments with a CSV) or 1 for a failure (printed). */
int genre_cli_load_data(const char *cmd, const char *path, int segments_s, int quiet,
                        as_genre_dataset *d);

/* Progress callback for as_genre_train: a progress line, and cancellation on SIGINT. */
int genre_cli_train_progress(void *user, int member, int epoch, int max_epochs, double train_loss,
                             double valid_loss);

#endif
