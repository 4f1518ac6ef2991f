# Several files, one bad: the good ones are still printed, the bad one gives one line, exit 1.
source "$ROOT/tests/cli/lib.sh"
bash "$ROOT/tests/bad/make_bad.sh" "$TMPD/bad" || fail "make_bad.sh failed"
ex="$ROOT/examples/misc_funnyboat_jdruid.flac"
"$AUDIOSTYLE" info "$ex" "$TMPD/bad/random.mp3" "$TMPD/bad/silence.wav" >"$TMPD/out" 2>"$TMPD/err"
rc=$?
[ "$rc" -eq 1 ] || fail "exit $rc, expected 1"
[ "$(grep -c '^file: ' "$TMPD/out")" -eq 2 ] || fail "expected 2 blocks: $(cat "$TMPD/out")"
[ "$(grep -c '^audiostyle: ' "$TMPD/err")" -eq 1 ] || fail "stderr: $(cat "$TMPD/err")"
grep -q "random.mp3: not a readable audio file" "$TMPD/err" || fail "stderr: $(cat "$TMPD/err")"
# silence: levels are -inf dBFS, JSON null
grep -q '^peak: -inf dBFS$' "$TMPD/out" || fail "silence peak: $(cat "$TMPD/out")"
grep -q '^rms: -inf dBFS$' "$TMPD/out" || fail "silence rms: $(cat "$TMPD/out")"
"$AUDIOSTYLE" info --json "$TMPD/bad/silence.wav" | grep -q '"peak_dbfs": null' || fail "json silence"
# the streamed WAV (data size 0xFFFFFFFF) is fine
out=$("$AUDIOSTYLE" info "$TMPD/bad/stream.wav") || fail "stream.wav refused"
grep -q '^samples: 2028$' <<<"$out" || fail "stream.wav: $out"
exit 0
