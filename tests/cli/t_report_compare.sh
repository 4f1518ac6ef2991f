# audiostyle compare CONTENT STYLE RESULT -o REPORT.html: one self-contained page with 10
# pictures and 3 players as data URIs, no script, atomic; usage errors exit 2, bad inputs 1.
source "$ROOT/tests/cli/lib.sh"
E="$ROOT/examples"
"$AUDIOSTYLE" compare "$E/rock_sectoid_feelings.flac" "$E/techno_torustrooper_tt1.flac" \
  "$E/metal_sectoid_metal_madness.flac" -o "$TMPD/r.html" --title "T <1>" 2>"$TMPD/err" || fail "compare: $(cat "$TMPD/err")"
grep -q "wrote $TMPD/r.html" "$TMPD/err" || fail "no summary: $(cat "$TMPD/err")"
h="$TMPD/r.html"
[ "$(grep -o '<img ' "$h" | wc -l)" -eq 10 ] || fail "not 10 images"
[ "$(grep -o '<audio controls' "$h" | wc -l)" -eq 3 ] || fail "not 3 players"
[ "$(grep -o 'src="data:audio/wav;base64,' "$h" | wc -l)" -eq 3 ] || fail "players without data URIs"
! grep -qi '<script' "$h" || fail "the page has a script"
! grep -Eq '(src|href)="(https?:|file:|/)' "$h" || fail "the page refers to outside resources"
grep -q '<title>T &lt;1&gt;</title>' "$h" || fail "title not escaped"
for s in listen spectrograms waveforms chroma curves genres metrics; do grep -q "id=\"$s\"" "$h" || fail "no $s"; done
size=$(stat -c %s "$h"); [ "$size" -lt 8000000 ] || fail "page too big: $size bytes"
# the embedded audio decodes (strict base64) back to WAVs of the inputs' length and rate
grep -o 'data:audio/wav;base64,[^"]*' "$h" | sed 's/^data:audio\/wav;base64,//' > "$TMPD/b64" || fail "no data URIs"
[ "$(wc -l < "$TMPD/b64")" -eq 3 ] || fail "not 3 audio payloads"
for i in 0 1 2; do
  sed -n "$((i + 1))p" "$TMPD/b64" | tr -d '\n' | base64 -d > "$TMPD/a$i.wav" || fail "embedded audio $i does not decode"
  "$AUDIOSTYLE" info --json "$TMPD/a$i.wav" | jq -e 'length == 1 and .[0].samples == 220500 and .[0].sample_rate == 22050' >/dev/null \
    || fail "embedded content $i: $("$AUDIOSTYLE" info "$TMPD/a$i.wav" 2>&1)"
done
rm -f "$TMPD/b64"
expect_fail 2 "$AUDIOSTYLE" compare "$E/rock_sectoid_feelings.flac" -o "$TMPD/x.html" >/dev/null
expect_fail 2 "$AUDIOSTYLE" compare a b c >/dev/null
expect_fail 1 "$AUDIOSTYLE" compare "$E/rock_sectoid_feelings.flac" "$TMPD/none.wav" "$E/rock_sectoid_feelings.flac" \
  -o "$TMPD/x.html" | grep -q 'none.wav' || fail "missing input not named"
expect_fail 1 "$AUDIOSTYLE" compare "$E/rock_sectoid_feelings.flac" "$E/rock_sectoid_feelings.flac" \
  "$E/rock_sectoid_feelings.flac" -o "$TMPD/x.html" --max-duration 5 >/dev/null
expect_fail 1 "$AUDIOSTYLE" compare "$E/rock_sectoid_feelings.flac" "$E/rock_sectoid_feelings.flac" \
  "$E/rock_sectoid_feelings.flac" -o "$TMPD/nodir/x.html" | grep -q 'x.html' || fail "unwritable output not named"
[ ! -e "$TMPD/x.html" ] || fail "a failed compare wrote a page"
rm -f "$TMPD"/a*.wav
no_tmp_files "$TMPD"
exit 0
