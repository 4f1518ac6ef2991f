# audiostyle info on malformed files (tests/bad/make_bad.sh, including damaged MP4/M4A), an empty
# folder and a missing path:
# each exits 1 with one error line naming the file (plus at most a hint line), no decoder
# chatter (libmpg123's "Note: ..."), no crash, no hang.
source "$ROOT/tests/cli/lib.sh"
bash "$ROOT/tests/bad/make_bad.sh" "$TMPD/bad" || fail "make_bad.sh failed"
mkdir "$TMPD/adir.wav"
for f in empty.wav random.wav random.mp3 random.flac flac_magic.flac text.mp3 sync_text.mp3 \
         sync_random.mp3 noframes.wav \
         trunc_header.wav trunc_data.wav huge_decl.wav nan.wav inf.wav rate0.wav channels.wav \
         trunc_moov.m4a trunc_header.mp4 corrupt_moov.mp4 noaudio.mp4 random.m4a ftyp_random.m4a \
         ../adir.wav ../missing.wav; do
  p="$TMPD/bad/$f"
  err=$(expect_fail 1 "$AUDIOSTYLE" info "$p") || exit 1
  first=$(head -n 1 <<<"$err")
  [[ "$first" == "audiostyle: $p: "* ]] || fail "$f: first line does not name the file: $err"
  n=$(wc -l <<<"$err")
  [ "$n" -eq 1 ] || { [ "$n" -eq 2 ] && [[ "$(tail -n 1 <<<"$err")" == hint:* ]]; } || fail "$f: more than one error line: $err"
  grep -qiE 'note:|mpg123|resync|warning' <<<"$err" && fail "$f: decoder chatter: $err"
  out=$("$AUDIOSTYLE" info "$p" 2>/dev/null)
  [ -z "$out" ] || fail "$f: printed on stdout: $out"
done
grep -q 'no such file' <<<"$("$AUDIOSTYLE" info "$TMPD/bad/../missing.wav" 2>&1)" || fail "missing: wrong message"
grep -q 'no audio files found in the folder' <<<"$("$AUDIOSTYLE" info "$TMPD/adir.wav" 2>&1)" || fail "empty folder: wrong message"
grep -q 'file is empty' <<<"$("$AUDIOSTYLE" info "$TMPD/bad/empty.wav" 2>&1)" || fail "empty: wrong message"
grep -q 'contains NaN or infinite samples' <<<"$("$AUDIOSTYLE" info "$TMPD/bad/nan.wav" 2>&1)" || fail "nan: wrong message"
grep -q 'not a readable audio file' <<<"$("$AUDIOSTYLE" info "$TMPD/bad/text.mp3" 2>&1)" || fail "text.mp3: wrong message"
grep -q 'not a readable audio file' <<<"$("$AUDIOSTYLE" info "$TMPD/bad/sync_text.mp3" 2>&1)" || fail "sync_text.mp3: wrong message"
grep -q 'no audio stream (video only)' <<<"$("$AUDIOSTYLE" info "$TMPD/bad/noaudio.mp4" 2>&1)" || fail "noaudio.mp4: wrong message"
grep -q 'not a readable MP4/M4A file' <<<"$("$AUDIOSTYLE" info "$TMPD/bad/trunc_moov.m4a" 2>&1)" || fail "trunc_moov.m4a: wrong message"
# damaged but partly decodable: what is there is read (shorter), cleanly
for f in trunc_data.m4a corrupt.m4a huge_dur.mp4; do
  out=$("$AUDIOSTYLE" info "$TMPD/bad/$f" 2>"$TMPD/err") || fail "$f: $(cat "$TMPD/err")"
  [ ! -s "$TMPD/err" ] || fail "$f: stderr: $(cat "$TMPD/err")"
done
# the huge declared duration is not believed: 2 s of audio are there
grep -qx 'samples: 44100' <<<"$("$AUDIOSTYLE" info "$TMPD/bad/huge_dur.mp4")" || fail "huge_dur.mp4: length"
exit 0
