/* genre_cli.h — what cmd_train.c, cmd_evaluate.c and cmd_classify.c share (implemented in
 * cmd_train.c). */
#ifndef AS_GENRE_CLI_H
#define AS_GENRE_CLI_H

#include "cli.h"

#include <stdio.h>

/* Training options common to train and evaluate. Returns 1 when argv[*i] was one of them
 * (consuming its value), 0 when it is not a training option, -1 on a usage error (printed). */
int genre_cli_train_opt(const char *cmd, int argc, char **argv, int *i, as_genre_train_opts *o);
/* Defaults for the options above: the default model type and its recipe. */
void genre_cli_train_defaults(as_genre_train_opts *o);
/* The help lines of the training options. */
extern const char genre_cli_train_help[];

/* Loads DATA: a features CSV (Kaggle schema) or a folder of audio in genre sub-folders
 * (features computed here; segments_s 0 = whole files, 3 = the 3-s rows). Returns 0 or the
 * exit status of a failure (printed). */
int genre_cli_load_data(const char *cmd, const char *path, int segments_s, int quiet,
                        as_genre_dataset *d);

/* Progress callback for as_genre_train: a progress line, and cancellation on SIGINT. */
int genre_cli_train_progress(void *user, int member, int epoch, int max_epochs, double train_loss,
                             double valid_loss);

#endif
