#!/usr/bin/env bash
# The defects of issue 16, one check each (each failed on the code before it): inputs
# overwritten, unnamed files replaced, outputs checked late, --quiet, train's DATA, one
# vocabulary, -o -, --opt=value, options that do not apply, folders everywhere, CSV names that
# collide, confident answers on nonsense, one RMS, "samples".
source "$ROOT/tests/cli/lib.sh"
# KEEP_GOING=1: report every failing check instead of stopping at the first (to see that each
# fails on an older program: AUDIOSTYLE=old/audiostyle KEEP_GOING=1 bash t_cli_defects.sh)
if [ -n "${KEEP_GOING:-}" ]; then fail() { echo "FAIL: $*" >&2; echo x >> "$TMPD/.fails"; }; fi
A=$AUDIOSTYLE
E=$ROOT/examples
W=$TMPD/w
mkdir -p "$W"
cp "$E/rock_sectoid_feelings.flac" "$W/a.flac"
cp "$E/techno_torustrooper_tt1.flac" "$W/b.flac"
cp "$W/a.flac" "$W/a.orig"
tiny=(--filters 8 --iterations 1 --griffin-lim-iterations 1 --content-duration 2 --style-duration 2 --threads 1)

# 1. inputs overwritten: transfer, spectrogram, features, compare (exit 2, input unchanged)
expect_fail 2 "$A" transfer "$W/a.flac" "$W/b.flac" -o "$W/a.flac" "${tiny[@]}" >/dev/null
expect_fail 2 "$A" spectrogram "$W/a.flac" -o "$W/a.flac" >/dev/null
expect_fail 2 "$A" features "$W/a.flac" -o "$W/a.flac" >/dev/null
cp "$W/a.flac" "$W/r.wav"
expect_fail 2 "$A" compare "$W/a.flac" "$W/b.flac" "$W/r.wav" -o "$W/r.wav" >/dev/null
cmp -s "$W/a.flac" "$W/a.orig" && cmp -s "$W/r.wav" "$W/a.orig" || fail "an input was changed"

# 2. the unnamed picture: refused when it exists (also with --quiet), named in the summary,
#    --force replaces it, --picture FILE and --no-picture avoid it
echo keep > "$W/t.png"
msg=$(expect_fail 2 "$A" transfer "$W/a.flac" "$W/b.flac" -o "$W/t.wav" "${tiny[@]}" --quiet)
grep -q "t.png: exists" <<<"$msg" || fail "existing picture: $msg"
[ "$(cat "$W/t.png")" = keep ] && [ ! -e "$W/t.wav" ] || fail "existing picture replaced or result written"
"$A" transfer "$W/a.flac" "$W/b.flac" -o "$W/t.wav" "${tiny[@]}" --picture "$W/p.png" 2>"$TMPD/err" >/dev/null \
  || fail "--picture: $(cat "$TMPD/err")"
[ -s "$W/p.png" ] && [ "$(cat "$W/t.png")" = keep ] || fail "--picture did not write p.png only"
grep -q "wrote .*t.wav and .*p.png" "$TMPD/err" || fail "summary does not name the picture: $(cat "$TMPD/err")"
rm -f "$W/t.wav"
"$A" transfer "$W/a.flac" "$W/b.flac" -o "$W/t.wav" "${tiny[@]}" --no-picture --quiet || fail "--no-picture"
[ "$(cat "$W/t.png")" = keep ] || fail "--no-picture touched t.png"
"$A" transfer "$W/a.flac" "$W/b.flac" -o "$W/t.wav" "${tiny[@]}" --force --quiet || fail "--force"
[ "$(head -c 4 "$W/t.png" | tail -c 3)" = PNG ] || fail "--force did not replace t.png"

# 3. outputs checked before the work: a folder named like the result, at once
mkdir "$W/d.wav"
ms=$(elapsed_ms "$A" transfer "$W/a.flac" "$W/b.flac" -o "$W/d.wav" "${tiny[@]}")
msg=$(expect_fail 2 "$A" transfer "$W/a.flac" "$W/b.flac" -o "$W/d.wav" "${tiny[@]}")
grep -q "d.wav: the result is a folder" <<<"$msg" || fail "folder output: $msg"
[ "$ms" -lt 500 ] || fail "the folder output was refused after $ms ms"

# ... and a missing split list before the features of an audio folder are computed
ms=$(elapsed_ms "$A" evaluate "$E" --split "$W/none.txt" "$W/none2.txt")
msg=$(expect_fail 1 "$A" evaluate "$E" --split "$W/none.txt" "$W/none2.txt")
grep -q "none.txt: cannot read the list" <<<"$msg" || fail "missing split list: $msg"
[ "$ms" -lt 500 ] || fail "the missing split list was reported after $ms ms"

# 4. --quiet: nothing but errors, on stdout too; genre lines only with --genres or in --json
out=$("$A" transfer "$W/a.flac" "$W/b.flac" -o "$W/q.wav" "${tiny[@]}" --quiet 2>"$TMPD/err") || fail "quiet run"
[ -z "$out" ] && [ ! -s "$TMPD/err" ] || fail "--quiet printed: '$out' '$(cat "$TMPD/err")'"
out=$("$A" transfer "$W/a.flac" "$W/b.flac" -o "$W/q2.wav" "${tiny[@]}" --genres --quiet) || fail "--genres run"
grep -q "^genre shift: " <<<"$out" || fail "--genres printed no genre lines: $out"

# 5. train: the GTZAN tree one level down; DATA of the wrong kind says what DATA must be
mkdir -p "$W/Data/genres_original/rock" "$W/Data/genres_original/metal"
cp "$E/rock_sectoid_feelings.flac" "$W/Data/genres_original/rock/rock.00000.flac"
cp "$E/misc_funnyboat_jdruid.flac" "$W/Data/genres_original/rock/rock.00001.flac"
cp "$E/metal_sectoid_metal_madness.flac" "$W/Data/genres_original/metal/metal.00000.flac"
cp "$E/techno_torustrooper_tt1.flac" "$W/Data/genres_original/metal/metal.00001.flac"
"$A" train "$W/Data" -o "$W/m.asgm" --model-type logreg --epochs 2 --members 1 --quiet || fail "train on Data/"
[ -s "$W/m.asgm" ] || fail "no model from Data/"
msg=$(expect_fail 1 "$A" train "$W/a.flac" -o "$W/x.asgm")
grep -q "DATA must be" <<<"$msg" || fail "train on audio: $msg"
"$A" features "$W/a.flac" -o "$W/unlabelled.csv" --quiet || fail "features for the unlabelled table"
msg=$(expect_fail 1 "$A" train "$W/unlabelled.csv" -o "$W/x.asgm")
grep -q "DATA must be" <<<"$msg" || fail "train on an unlabelled CSV: $msg"

# 6. one vocabulary: --model is a file, --model-type the kind, in train and evaluate alike
csv=$TMPD/small.csv
awk -F, 'NR == 1 { print; next } { split($1, a, "."); if (a[2] + 0 < 6) print }' "$ROOT/data/gtzan/features_30_sec.csv" > "$csv"
msg=$(expect_fail 2 "$A" train "$csv" -o "$W/x.asgm" --model logreg)
grep -q -- "--model-type" <<<"$msg" || fail "train --model: no hint: $msg"
"$A" evaluate "$csv" --folds 2 --model-type logreg --epochs 2 --members 1 --quiet >/dev/null || fail "evaluate --model-type"
expect_fail 2 "$A" evaluate "$csv" --folds 2 --model logreg >/dev/null
expect_fail 2 "$A" classify "$W/a.flac" --model-type logreg >/dev/null
"$A" --help | grep -q -- "-v, --verbose" || fail "--help does not explain -v"
"$A" --help | grep -q -- "--version" || fail "--help does not list --version"

# 7. every unwritable output in one wording; spectrogram and evaluate --confusion say "wrote"
for args in "spectrogram $W/a.flac -o $W/no/x.png" "features $W/a.flac -o $W/no/x.csv" \
            "transfer $W/a.flac $W/b.flac -o $W/no/x.wav" "compare $W/a.flac $W/b.flac $W/a.flac -o $W/no/x.html" \
            "train $csv -o $W/no/x.asgm" "evaluate $csv --folds 2 --confusion $W/no/x.png"; do
  # shellcheck disable=SC2086
  msg=$(expect_fail 1 "$A" $args)
  grep -q "^audiostyle: $W/no/x\.[a-z]*: cannot write in the folder $W/no (no such folder)$" <<<"$msg" \
    || fail "unwritable output, other wording: $args: $msg"
done
"$A" spectrogram "$W/a.flac" -o "$W/s.png" 2>&1 | grep -q "wrote .*s.png" || fail "spectrogram: no wrote line"
"$A" evaluate "$csv" --folds 2 --model-type logreg --epochs 2 --members 1 --confusion "$W/c.png" 2>&1 >/dev/null \
  | grep -q "wrote .*c.png" || fail "evaluate --confusion: no wrote line"

# 8. -o - writes standard output where the format allows it, never a file named -
(cd "$W" && "$A" features a.flac -o - --quiet > "$TMPD/f.csv") || fail "features -o -"
head -c 9 "$TMPD/f.csv" | grep -q '^filename,' || fail "features -o - did not write the CSV"
(cd "$W" && "$A" transfer a.flac b.flac -o - "${tiny[@]}" --quiet > "$TMPD/t.wav") || fail "transfer -o -"
[ "$(head -c 4 "$TMPD/t.wav")" = RIFF ] || fail "transfer -o - did not write WAV"
grep -q '^samples: 44100$' <<<"$("$A" info "$TMPD/t.wav")" || fail "transfer -o -: not the content's length"
(cd "$W" && expect_fail 2 "$A" spectrogram a.flac -o - >/dev/null)
[ ! -e "$W/-" ] || fail "a file named - was written"

# 9. --opt=value everywhere; options that do not apply are refused
out=$("$A" classify "$W/a.flac" --top=5) || fail "--top=5"
[ "$(grep -o '%' <<<"$out" | wc -l)" -eq 5 ] || fail "--top=5 did not give 5 genres: $out"
expect_fail 2 "$A" train "$csv" -o "$W/x.asgm" --segments 3 >/dev/null

# 10. classify, info accept folders; CSV names keep the folder, so alike names never collide
[ "$("$A" classify "$E" | wc -l)" -eq 4 ] || fail "classify on a folder"
[ "$("$A" info "$E" | grep -c '^file: ')" -eq 4 ] || fail "info on a folder"
mkdir -p "$W/two/x" "$W/two/y"
cp "$W/a.flac" "$W/two/x/same.flac"; cp "$W/b.flac" "$W/two/y/same.flac"
"$A" features "$W/two" -o "$W/two.csv" --quiet || fail "features two folders"
[ "$(cut -d, -f1 "$W/two.csv" | tail -n +2 | tr '\n' ' ')" = "x/same.flac y/same.flac " ] \
  || fail "filenames: $(cut -d, -f1 "$W/two.csv" | tr '\n' ' ')"

# 11. confident answers on nonsense: classify warns on 0.05 s and on silence (JSON "warning"),
#     info gives no tempo for 0.5 s, compare shows dashes for numbers from 3 frames
wav16 "$W/short.wav" 1102 "$E/rock_sectoid_feelings.flac"
wav16 "$W/half.wav" 11025 "$E/rock_sectoid_feelings.flac"
wav16 "$W/silence.wav" 110250 /dev/zero
"$A" classify "$W/short.wav" 2>"$TMPD/err" >/dev/null || fail "classify short"
grep -q "warning: .*short.wav: .*too short" "$TMPD/err" || fail "no warning for 0.05 s: $(cat "$TMPD/err")"
"$A" classify "$W/silence.wav" --json 2>"$TMPD/err" | jq -e '.[0].warning | test("too quiet")' >/dev/null \
  || fail "no JSON warning for silence"
grep -q "warning: .*silence.wav: .*too quiet" "$TMPD/err" || fail "no warning for silence: $(cat "$TMPD/err")"
"$A" classify "$W/a.flac" --json 2>"$TMPD/err" | jq -e '.[0].warning == null' >/dev/null || fail "warning on a good file"
[ ! -s "$TMPD/err" ] || fail "stderr on a good file: $(cat "$TMPD/err")"
grep -q '^tempo: n/a$' <<<"$("$A" info "$W/half.wav")" || fail "info gives a tempo for 0.5 s"
"$A" compare "$W/a.flac" "$W/b.flac" "$W/short.wav" -o "$W/r.html" --quiet || fail "compare with a 3-frame result"
grep -q 'frame by frame</td><td class="n">—' "$W/r.html" || fail "compare: correlation from 3 frames"
grep -q 'class="warn">Warning: the result is too short' "$W/r.html" || fail "compare: no genre warning"

# 12. one RMS: info and the report agree; info says samples
rms_info=$("$A" info --json "$W/a.flac" | jq -r '.[0].rms_dbfs')
rms_rep=$(sed -n 's|.*<td>RMS (dBFS, whole track)</td><td class="n">\([-0-9.]*\)</td>.*|\1|p' "$W/r.html")
awk -v a="$rms_info" -v b="$rms_rep" 'BEGIN { d = a - b; exit !(b != "" && d < 0.006 && d > -0.006) }' \
  || fail "RMS: info $rms_info, report $rms_rep"
"$A" info "$W/a.flac" | grep -q '^samples: 220500$' || fail "info does not say samples"
no_tmp_files "$W"
[ ! -s "$TMPD/.fails" ] || exit 1
exit 0
