# audiostyle evaluate: K-fold and split protocols, text, JSON and the confusion PNG.
source "$ROOT/tests/cli/lib.sh"
csv="$ROOT/data/gtzan/features_30_sec.csv"
F="$ROOT/data/gtzan/splits/filtered"
awk -F, 'NR == 1 { print; next } { split($1, a, "."); if (a[2] + 0 < 20) print }' "$csv" > "$TMPD/small.csv"

out=$("$AUDIOSTYLE" evaluate "$TMPD/small.csv" --model-type logreg --epochs 30 --members 1 --folds 4 --quiet) \
  || fail "evaluate --folds"
echo "$out" | grep -q "4-fold cross-validation: accuracy" || fail "no accuracy line: $out"
echo "$out" | grep -q "^confusion" || fail "no confusion matrix: $out"
echo "$out" | grep -q "^metal " || fail "no per-genre line: $out"

"$AUDIOSTYLE" evaluate "$csv" --model-type logreg --epochs 30 --members 1 --json --confusion "$TMPD/c.png" \
  --split "$F/train_filtered.txt,$F/valid_filtered.txt" "$F/test_filtered.txt" > "$TMPD/e.json" || fail "evaluate --split"
for key in '"accuracy"' '"per_class"' '"confusion"' '"n_test": 290'; do
  grep -q "$key" "$TMPD/e.json" || fail "no $key in: $(cat "$TMPD/e.json")"
done
jq -e '(.confusion | map(add) | add) == 290 and .accuracy > 0.3 and .accuracy < 1' "$TMPD/e.json" >/dev/null \
  || fail "bad JSON: $(cat "$TMPD/e.json")"
[ "$(head -c 4 "$TMPD/c.png" | tail -c 3)" = "PNG" ] || fail "confusion picture is not a PNG"
no_tmp_files "$TMPD"

# a list naming no row of the data, lists overlapping, usage errors
echo "nothing/nothing.00000.wav" > "$TMPD/none.txt"
expect_fail 1 "$AUDIOSTYLE" evaluate "$csv" --model-type logreg --split "$TMPD/none.txt" "$F/test_filtered.txt" >/dev/null
msg=$(expect_fail 1 "$AUDIOSTYLE" evaluate "$csv" --model-type logreg --epochs 2 --split "$F/test_filtered.txt" "$F/test_filtered.txt" --quiet)
echo "$msg" | grep -q "both" || fail "overlap not reported: $msg"
expect_fail 2 "$AUDIOSTYLE" evaluate "$csv" --folds 1 >/dev/null
expect_fail 2 "$AUDIOSTYLE" evaluate "$csv" --folds 3 --split a b >/dev/null
