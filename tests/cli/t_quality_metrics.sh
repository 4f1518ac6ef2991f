# The transfer-quality metrics in the CLI: `compare` prints them (and "not defined" when content =
# style, without failing), its report has a Quality section with the same numbers, and
# `transfer --json` has an object "quality" with exactly the five keys, all numbers.
source "$ROOT/tests/cli/lib.sh"
E="$ROOT/examples"; Q="$ROOT/tests/ref/quality"
"$AUDIOSTYLE" compare "$E/techno_torustrooper_tt1.flac" "$E/metal_sectoid_metal_madness.flac" \
  "$Q/result_techno_metal_c100.flac" -o "$TMPD/r.html" 2>"$TMPD/err" || fail "compare: $(cat "$TMPD/err")"
line=$(grep 'quality:' "$TMPD/err") || fail "compare printed no quality line: $(cat "$TMPD/err")"
# expected.tsv's c100 row: 0.0457979306 0.966566559 0.898666561 1.60453308 -7.93925757
grep -q 'style distance 0.0458 .*rhythm 0.9666, chroma 0.8987 .*flatness 1.605 .*level -7.94 dB' <<<"$line" \
  || fail "compare's quality line differs from expected.tsv: $line"
grep -q 'id="quality"' "$TMPD/r.html" || fail "the report has no Quality section"
for v in 0.0458 0.9666 0.8987 1.605 -7.94; do
  grep -q "<td class=\"n\">$v</td>" "$TMPD/r.html" || fail "the Quality section lacks $v"
done
grep -q 'Lower is better' "$TMPD/r.html" || fail "the Quality section does not say which way is better"
# content = style: the ratio is undefined; said, and the page is still written
"$AUDIOSTYLE" compare "$E/rock_sectoid_feelings.flac" "$E/rock_sectoid_feelings.flac" \
  "$E/techno_torustrooper_tt1.flac" -o "$TMPD/same.html" 2>"$TMPD/err2" || fail "compare of content = style failed"
grep -q 'quality: not defined (.*same MFCC statistics' "$TMPD/err2" || fail "no 'not defined' line: $(cat "$TMPD/err2")"
grep -q 'Not defined for these tracks' "$TMPD/same.html" || fail "the page does not say the metrics are undefined"
"$AUDIOSTYLE" compare "$E/techno_torustrooper_tt1.flac" "$E/metal_sectoid_metal_madness.flac" \
  "$Q/result_techno_metal_c100.flac" -o "$TMPD/q.html" --quiet 2>"$TMPD/err3" || fail "compare --quiet"
[ ! -s "$TMPD/err3" ] || fail "--quiet printed: $(cat "$TMPD/err3")"
# transfer --json: "quality" with exactly the five keys
json=$("$AUDIOSTYLE" transfer "$E/rock_sectoid_feelings.flac" "$E/techno_torustrooper_tt1.flac" -o "$TMPD/out.wav" \
       --filters 32 --content-duration 2 --style-duration 3 --iterations 5 --griffin-lim-iterations 4 \
       --threads 1 --no-picture --json 2>"$TMPD/err4") || fail "transfer: $(cat "$TMPD/err4")"
jq -e '.quality | (keys == ["chroma_similarity", "flatness_ratio", "level_db", "rhythm_correlation", "style_distance_ratio"])
       and ([.[] | type] == ["number", "number", "number", "number", "number"])' <<<"$json" >/dev/null \
  || fail "transfer --json quality object: $(jq -c .quality <<<"$json" 2>&1)"
no_tmp_files "$TMPD"
exit 0
