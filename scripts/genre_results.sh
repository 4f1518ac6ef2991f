#!/usr/bin/env bash
# Measures the accuracy table of docs/notes-genre.md: for each model type, the fault-filtered
# split (train on train+valid, test on test: the honest headline) and stratified 10-fold
# cross-validation on the whole 30-s table, with the default recipe (as_genre_train_defaults)
# and only --model-type changed. Then the model-selection evidence: 10-fold CV restricted to the
# fault-filtered train+valid songs (the test list is never used for choices).
#   BUILD=build [EXTRA='--members 1'] bash scripts/genre_results.sh [types...]   (default: all four)
set -euo pipefail
BUILD=${BUILD:-build}
A="$BUILD/audiostyle"
CSV=data/gtzan/features_30_sec.csv
F=data/gtzan/splits/filtered
export OPENBLAS_NUM_THREADS=1
types=${*:-logreg mlp-small mlp mlp-large}
EXTRA=${EXTRA:-}
acc() { sed -n 's/.*"accuracy": \([0-9.]*\).*/\1/p' | awk '{printf "%.1f %%", 100 * $1}'; }
echo "| model type | fault-filtered test (train+valid → test) | stratified 10-fold | train+valid 10-fold (selection) |"
echo "|---|---|---|---|"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat "$F/train_filtered.txt" "$F/valid_filtered.txt" | sed 's|.*/||' | tr -d '\r' > "$tmp/trval.txt"
awk -F, 'NR == FNR { keep[$1] = 1; next } FNR == 1 || ($1 in keep)' "$tmp/trval.txt" "$CSV" > "$tmp/trval.csv"
for t in $types; do
  a=$("$A" evaluate "$CSV" --model-type "$t" $EXTRA --json --split "$F/train_filtered.txt,$F/valid_filtered.txt" "$F/test_filtered.txt" | acc)
  b=$("$A" evaluate "$CSV" --model-type "$t" $EXTRA --json --folds 10 | acc)
  c=$("$A" evaluate "$tmp/trval.csv" --model-type "$t" $EXTRA --json --folds 10 | acc)
  echo "| $t${EXTRA:+ $EXTRA} | $a | $b | $c |"
done
