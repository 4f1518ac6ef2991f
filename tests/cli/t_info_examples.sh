# audiostyle info on the four bundled examples: text and --json, exit 0.
source "$ROOT/tests/cli/lib.sh"
out=$("$AUDIOSTYLE" info "$ROOT"/examples/*.flac) || fail "info exited $?"
[ "$(grep -c '^file: ' <<<"$out")" -eq 4 ] || fail "expected 4 blocks: $out"
[ "$(grep -c '^format: FLAC$' <<<"$out")" -eq 4 ] || fail "format: $out"
[ "$(grep -c '^subtype: 16-bit PCM$' <<<"$out")" -eq 4 ] || fail "subtype: $out"
[ "$(grep -c '^channels: 1$' <<<"$out")" -eq 4 ] || fail "channels: $out"
[ "$(grep -c '^sample_rate: 22050 Hz$' <<<"$out")" -eq 4 ] || fail "rate: $out"
[ "$(grep -c '^duration: 10.000 s$' <<<"$out")" -eq 4 ] || fail "duration: $out"
[ "$(grep -c '^samples: 220500$' <<<"$out")" -eq 4 ] || fail "samples: $out"
[ "$(grep -cE '^peak: -[0-9]+\.[0-9]{2} dBFS$' <<<"$out")" -eq 4 ] || fail "peak: $out"
[ "$(grep -cE '^rms: -[0-9]+\.[0-9]{2} dBFS$' <<<"$out")" -eq 4 ] || fail "rms: $out"
# every line of a block is "key: value"
grep -vE '^$|^[a-z_]+: .+$' <<<"$out" && fail "lines that are not 'key: value'"
json=$("$AUDIOSTYLE" info --json "$ROOT"/examples/techno_torustrooper_tt1.flac "$ROOT"/examples/rock_sectoid_feelings.flac) || fail "--json exited $?"
jq -e 'length == 2 and .[0].samples == 220500 and .[0].sample_rate == 22050 and .[1].channels == 1 and .[0].peak_dbfs < 0' \
  <<<"$json" >/dev/null || fail "bad JSON: $json"
exit 0
