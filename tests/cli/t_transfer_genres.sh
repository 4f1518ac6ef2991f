# audiostyle transfer --genres ends with the top-3 genres of content, style and result and the genre
# shift, on stdout; --json has genres.{content,style,result} and genre_shift; --max-duration
# refuses a longer input; --report writes the page.
source "$ROOT/tests/cli/lib.sh"
C="$ROOT/examples/rock_sectoid_feelings.flac"; S="$ROOT/examples/techno_torustrooper_tt1.flac"
tiny=(--filters 64 --iterations 5 --griffin-lim-iterations 5 --content-duration 3 --style-duration 3 --threads 1)
out=$("$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/o.wav" "${tiny[@]}" --quiet --genres --report "$TMPD/r.html") \
  || fail "transfer exited $?"
re='[a-z]+ [0-9]+\.[0-9] %'
grep -Eq "^content +rock_sectoid_feelings\.flac: $re, $re, $re$" <<<"$out" || fail "content line: $out"
grep -Eq "^style +techno_torustrooper_tt1\.flac: $re, $re, $re$" <<<"$out" || fail "style line: $out"
grep -Eq "^result +o\.wav: $re, $re, $re$" <<<"$out" || fail "result line: $out"
grep -Eq "^genre shift: [a-z]+ \(the style's top genre\) [0-9.]+ % in the content -> [0-9.]+ % in the result$" <<<"$out" \
  || fail "genre shift line: $out"
[ -s "$TMPD/r.html" ] || fail "no report"
grep -q 'id="metrics"' "$TMPD/r.html" || fail "report lacks the metrics"
grep -q 'final content loss</td><td class="n">[0-9]' "$TMPD/r.html" || fail "report lacks the known content loss"
json=$("$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/o2.wav" "${tiny[@]}" --quiet --json) || fail "--json run"
# each of content, style, result: 3 named genres, probabilities in [0, 1] in decreasing order;
# the shift is about the style's top genre; no report
jq -e '.genres as $g
  | all("content", "style", "result"; $g[.] as $l | ($l | length) == 3
      and ([$l[].probability] as $p | $p == ($p | sort | reverse) and all($p[]; . >= 0 and . <= 1))
      and all($l[]; (.genre | type) == "string" and .genre != ""))
  and .genre_shift.genre == $g.style[0].genre
  and .genre_shift.content >= 0 and .genre_shift.content <= 1
  and .genre_shift.result >= 0 and .genre_shift.result <= 1
  and has("report") and .report == null' <<<"$json" >/dev/null || fail "--json genres: $json"
expect_fail 1 "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/o3.wav" --filters 8 --iterations 1 --max-duration 5 | grep -q 'max-duration' \
  || fail "--max-duration 5 did not refuse a 10-s input with a hint"
[ ! -e "$TMPD/o3.wav" ] || fail "refused run wrote its output"
expect_fail 1 "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/o4.wav" "${tiny[@]}" --report "$TMPD/nodir/r.html" \
  | grep -q 'nodir/r.html' || fail "unwritable --report folder not refused up front"
[ ! -e "$TMPD/o4.wav" ] || fail "a refused --report still ran the transfer"
no_tmp_files "$TMPD"
exit 0
