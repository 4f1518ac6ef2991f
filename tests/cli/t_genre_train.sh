# audiostyle train: a small CSV in, a model file out (atomically); usage and data errors.
source "$ROOT/tests/cli/lib.sh"
csv="$ROOT/data/gtzan/features_30_sec.csv"
# 15 songs per genre
awk -F, 'NR == 1 { print; next } { split($1, a, "."); if (a[2] + 0 < 15) print }' "$csv" > "$TMPD/small.csv"
[ "$(wc -l < "$TMPD/small.csv")" -eq 151 ] || fail "small table has $(wc -l < "$TMPD/small.csv") lines"

"$AUDIOSTYLE" train "$TMPD/small.csv" -o "$TMPD/m.asgm" --model-type logreg --epochs 20 --members 1 --quiet \
  || fail "train logreg"
[ -s "$TMPD/m.asgm" ] || fail "no model written"
head -c 7 "$TMPD/m.asgm" | grep -q ASGENRE || fail "model file has no magic"
"$AUDIOSTYLE" train "$TMPD/small.csv" -o "$TMPD/m2.asgm" --model-type mlp-small --epochs 5 --members 2 --seed 3 --quiet \
  || fail "train mlp-small"
"$AUDIOSTYLE" train "$TMPD/small.csv" -o "$TMPD/m3.asgm" --model-type mlp-small --epochs 5 --members 2 --seed 3 --quiet \
  || fail "train mlp-small again"
cmp -s "$TMPD/m2.asgm" "$TMPD/m3.asgm" || fail "same seed, different model files"
no_tmp_files "$TMPD"

# errors: usage (2), data (1), nothing left behind
expect_fail 2 "$AUDIOSTYLE" train "$TMPD/small.csv" >/dev/null
expect_fail 2 "$AUDIOSTYLE" train "$TMPD/small.csv" -o "$TMPD/x.asgm" --model cnn >/dev/null
expect_fail 2 "$AUDIOSTYLE" train "$TMPD/small.csv" -o "$TMPD/x.asgm" --epochs zero >/dev/null
msg=$(expect_fail 1 "$AUDIOSTYLE" train "$TMPD/missing.csv" -o "$TMPD/x.asgm")
echo "$msg" | grep -q "missing.csv" || fail "error does not name the file: $msg"
printf 'filename,length,label\r\na.wav,1,blues\r\n' > "$TMPD/bad.csv"
msg=$(expect_fail 1 "$AUDIOSTYLE" train "$TMPD/bad.csv" -o "$TMPD/x.asgm")
echo "$msg" | grep -q "bad.csv" || fail "error does not name the file: $msg"
head -5 "$TMPD/small.csv" | sed '3s/,[^,]*$//' > "$TMPD/ragged.csv"
expect_fail 1 "$AUDIOSTYLE" train "$TMPD/ragged.csv" -o "$TMPD/x.asgm" >/dev/null
expect_fail 1 "$AUDIOSTYLE" train "$TMPD/small.csv" -o "$TMPD/no/such/dir/x.asgm" --model-type logreg --epochs 2 --members 1 --quiet >/dev/null
[ ! -e "$TMPD/x.asgm" ] || fail "a failed train left a model file"
no_tmp_files "$TMPD"
