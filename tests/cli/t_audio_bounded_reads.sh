# A header declaring 4 GB of audio on a 4 KB file must not make the decoder allocate 4 GB:
# run info under a 256 MB address-space limit (skipped for sanitizer builds, which reserve
# terabytes of shadow memory). The file is refused as truncated; the streamed WAV (size
# 0xFFFFFFFF = unknown) is decoded from what is actually there.
source "$ROOT/tests/cli/lib.sh"
bash "$ROOT/tests/bad/make_bad.sh" "$TMPD/bad" || fail "make_bad.sh failed"
limit=""
if ! ldd "$AUDIOSTYLE" 2>/dev/null | grep -q 'libasan\|libtsan'; then limit="ulimit -v 262144;"; fi
err=$(bash -c "$limit \"\$0\" info \"\$1\"" "$AUDIOSTYLE" "$TMPD/bad/huge_decl.wav" 2>&1 >/dev/null); rc=$?
[ "$rc" -eq 1 ] || fail "huge_decl.wav: exit $rc: $err"
grep -q 'huge_decl.wav: file is truncated' <<<"$err" || fail "huge_decl.wav: $err"
out=$(bash -c "$limit \"\$0\" info \"\$1\"" "$AUDIOSTYLE" "$TMPD/bad/stream.wav") || fail "stream.wav refused under the limit"
grep -q '^samples: 2028$' <<<"$out" || fail "stream.wav: $out"
# and a normal file still works under the same limit
bash -c "$limit \"\$0\" info \"\$1\"" "$AUDIOSTYLE" "$ROOT/examples/rock_sectoid_feelings.flac" >/dev/null || fail "example under the limit"
exit 0
