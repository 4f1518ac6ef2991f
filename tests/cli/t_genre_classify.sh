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
# 4 files, each with 3 probabilities in decreasing order summing to at most 1
jq -e 'length == 4 and all(.[]; [.genres[].probability] as $p | ($p | length) == 3 and $p == ($p | sort | reverse)
  and ($p | add) > 0 and ($p | add) <= 1.000001)' "$TMPD/c.json" >/dev/null || fail "bad JSON: $(cat "$TMPD/c.json")"

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
"$AUDIOSTYLE" train "$TMPD/seg.csv" -o "$TMPD/seg.asgm" --model-type logreg --epochs 10 --members 1 --quiet || fail "train 3-s"
out=$("$AUDIOSTYLE" classify "$ex/rock_sectoid_feelings.flac" --model "$TMPD/seg.asgm" --timeline --top 1) || fail "timeline"
[ "$(echo "$out" | grep -c '^  0:0[0-9]-0:[01][0-9]  ')" -eq 4 ] || fail "expected 4 windows: $out"

expect_fail 1 "$AUDIOSTYLE" classify "$ex/rock_sectoid_feelings.flac" --model "$TMPD/bad.wav" >/dev/null
expect_fail 2 "$AUDIOSTYLE" classify >/dev/null
expect_fail 2 "$AUDIOSTYLE" classify "$ex/rock_sectoid_feelings.flac" --top x >/dev/null

# a 70-s track (16-bit noise WAV written here): windows 0-30, 30-60 and one ending at the end
le32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }
n=$((70 * 22050 * 2))
{ printf "RIFF$(le32 $((36 + n)))WAVEfmt $(le32 16)\\x01\\x00\\x01\\x00$(le32 22050)$(le32 44100)\\x02\\x00\\x10\\x00data$(le32 $n)"
  head -c "$n" /dev/urandom; } > "$TMPD/long.wav"
"$AUDIOSTYLE" classify "$TMPD/long.wav" --timeline --json --top 1 > "$TMPD/long.json" || fail "classify a 70-s file"
grep -q '"start_s": 0.000, "end_s": 30.000' "$TMPD/long.json" || fail "no first window: $(cat "$TMPD/long.json")"
grep -q '"start_s": 30.000, "end_s": 60.000' "$TMPD/long.json" || fail "no second window: $(cat "$TMPD/long.json")"
grep -q '"start_s": 40.000, "end_s": 70.000' "$TMPD/long.json" || fail "no end window: $(cat "$TMPD/long.json")"
[ "$(grep -o '"start_s"' "$TMPD/long.json" | wc -l)" -eq 3 ] || fail "expected 3 windows: $(cat "$TMPD/long.json")"
