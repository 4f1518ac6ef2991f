# audiostyle transfer ends with the top-3 genres of content, style and result and the genre
# shift, on stdout; --json has genres.{content,style,result} and genre_shift; --max-duration
# refuses a longer input; --report writes the page.
source "$ROOT/tests/cli/lib.sh"
C="$ROOT/examples/rock_sectoid_feelings.flac"; S="$ROOT/examples/techno_torustrooper_tt1.flac"
tiny=(--filters 64 --iterations 5 --griffin-lim-iterations 5 --content-duration 3 --style-duration 3 --threads 1)
out=$("$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/o.wav" "${tiny[@]}" --quiet --report "$TMPD/r.html") \
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
python3 - "$json" <<'PY' || fail "--json genres: $json"
import json, sys
d = json.loads(sys.argv[1])
g = d["genres"]
for k in ("content", "style", "result"):
    assert len(g[k]) == 3, k
    ps = [e["probability"] for e in g[k]]
    assert ps == sorted(ps, reverse=True) and all(0 <= p <= 1 for p in ps), k
    assert all(isinstance(e["genre"], str) and e["genre"] for e in g[k]), k
s = d["genre_shift"]
assert s["genre"] == g["style"][0]["genre"]
assert 0 <= s["content"] <= 1 and 0 <= s["result"] <= 1
assert d["report"] is None
PY
expect_fail 1 "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/o3.wav" --filters 8 --iterations 1 --max-duration 5 | grep -q 'max-duration' \
  || fail "--max-duration 5 did not refuse a 10-s input with a hint"
[ ! -e "$TMPD/o3.wav" ] || fail "refused run wrote its output"
expect_fail 1 "$AUDIOSTYLE" transfer "$C" "$S" -o "$TMPD/o4.wav" "${tiny[@]}" --report "$TMPD/nodir/r.html" \
  | grep -q 'nodir/r.html' || fail "unwritable --report folder not refused up front"
[ ! -e "$TMPD/o4.wav" ] || fail "a refused --report still ran the transfer"
no_tmp_files "$TMPD"
exit 0
