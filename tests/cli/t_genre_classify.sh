# audiostyle classify: the built-in model on the bundled clips (text, JSON), a bad file among
# good ones, a trained 3-s model with --timeline.
source "$ROOT/tests/cli/lib.sh"
ex="$ROOT/examples"
out=$("$AUDIOSTYLE" classify "$ex/metal_sectoid_metal_madness.flac" "$ex/techno_torustrooper_tt1.flac" --top 2) \
  || fail "classify"
[ "$(echo "$out" | wc -l)" -eq 2 ] || fail "expected 2 lines: $out"
echo "$out" | grep -q "^$ex/metal_sectoid_metal_madness.flac: [a-z]* [0-9.]* %, [a-z]* [0-9.]* %$" || fail "bad line: $out"

"$AUDIOSTYLE" classify "$ex"/*.flac --json --top 3 > "$TMPD/c.json" || fail "classify --json"
[ "$(grep -c '"file"' "$TMPD/c.json")" -eq 4 ] || fail "expected 4 files: $(cat "$TMPD/c.json")"
if command -v python3 >/dev/null; then
  python3 - "$TMPD/c.json" <<'PY' || fail "bad JSON: $(cat "$TMPD/c.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 4
for f in d:
    p = [g["probability"] for g in f["genres"]]
    assert len(p) == 3 and p == sorted(p, reverse=True) and 0 < sum(p) <= 1.000001, f
PY
fi

# a bad file: named on stderr, the others still classified, exit 1
printf 'not audio' > "$TMPD/bad.wav"
out=$("$AUDIOSTYLE" classify "$ex/rock_sectoid_feelings.flac" "$TMPD/bad.wav" "$ex/misc_funnyboat_jdruid.flac" 2> "$TMPD/err")
rc=$?
[ "$rc" -eq 1 ] || fail "exit $rc with a bad file"
grep -q "bad.wav" "$TMPD/err" || fail "bad file not named: $(cat "$TMPD/err")"
[ "$(echo "$out" | wc -l)" -eq 2 ] || fail "good files not classified: $out"

# a 3-s model (rows of length 66149) cuts a 10-s clip into three windows, plus one ending at
# the end for the last second
awk -F, 'BEGIN { OFS = "," } NR == 1 { print; next } { split($1, a, "."); if (a[2] + 0 < 10) { $1 = a[1] "." a[2] ".0.wav"; $2 = 66149; print } }' \
  "$ROOT/data/gtzan/features_30_sec.csv" > "$TMPD/seg.csv"
"$AUDIOSTYLE" train "$TMPD/seg.csv" -o "$TMPD/seg.asgm" --model logreg --epochs 10 --members 1 --quiet || fail "train 3-s"
out=$("$AUDIOSTYLE" classify "$ex/rock_sectoid_feelings.flac" --model "$TMPD/seg.asgm" --timeline --top 1) || fail "timeline"
[ "$(echo "$out" | grep -c '^  0:0[0-9]-0:[01][0-9]  ')" -eq 4 ] || fail "expected 4 windows: $out"

expect_fail 1 "$AUDIOSTYLE" classify "$ex/rock_sectoid_feelings.flac" --model "$TMPD/bad.wav" >/dev/null
expect_fail 2 "$AUDIOSTYLE" classify >/dev/null
expect_fail 2 "$AUDIOSTYLE" classify "$ex/rock_sectoid_feelings.flac" --top x >/dev/null
