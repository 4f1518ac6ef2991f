#!/usr/bin/env bash
# classify's catalog mode (issue 15): -o OUT.csv / OUT.jsonl write the table of a single run; the
# parts of --shard K/N (--format csv|jsonl) merge into the same bytes for N = 1, 3, 7; a killed
# shard resumes; --timeline needs JSON lines; -o and --json exclude each other.
source "$ROOT/tests/cli/lib.sh"
A=$AUDIOSTYLE
for g in a b; do mkdir -p "$TMPD/cat/$g"; cp "$ROOT"/examples/*.flac "$TMPD/cat/$g/"; done
"$A" classify "$TMPD/cat" -o "$TMPD/single.csv" || fail "classify -o .csv"
[ "$(head -1 "$TMPD/single.csv")" = "file,genre_1,probability_1,genre_2,probability_2,genre_3,probability_3,warning" ] \
  || fail "csv header: $(head -1 "$TMPD/single.csv")"
[ "$(wc -l < "$TMPD/single.csv")" -eq 9 ] || fail "expected 8 rows"
# the table says what the text lines say
txt=$("$A" classify "$TMPD/cat/a/rock_sectoid_feelings.flac" --top 1 | sed 's/^[^:]*: \([a-z]*\) .*/\1/')
grep -q "^$TMPD/cat/a/rock_sectoid_feelings.flac,$txt," "$TMPD/single.csv" || fail "csv row disagrees with the text line ($txt)"
"$A" classify "$TMPD/cat" -o "$TMPD/single.jsonl" --timeline || fail "classify -o .jsonl"
[ "$(wc -l < "$TMPD/single.jsonl")" -eq 8 ] || fail "expected 8 JSON lines"
jq -e -s 'length == 8 and all(.[]; (.genres | length) == 3 and (.windows | length) >= 1)' "$TMPD/single.jsonl" >/dev/null \
  || fail "JSON lines are not one object per file with genres and windows"
# the same objects as --json's array
"$A" classify "$TMPD/cat" --json --timeline > "$TMPD/arr.json" || fail "classify --json"
cmp <(jq -c '.[]' "$TMPD/arr.json") <(jq -c '.' "$TMPD/single.jsonl") || fail "JSON lines differ from --json's objects"
for N in 1 3 7; do
  for K in $(seq 0 $((N - 1))); do
    "$A" classify "$TMPD/cat" --shard "$K/$N" -o "$TMPD/c$N-$K.part" 2>/dev/null || fail "csv shard $K/$N"
    "$A" classify "$TMPD/cat" --shard "$K/$N" --format jsonl --timeline -o "$TMPD/j$N-$K.part" 2>/dev/null || fail "jsonl shard $K/$N"
  done
  "$A" merge "$TMPD"/c$N-*.part -o "$TMPD/m$N.csv" -q || fail "merge csv N=$N"
  cmp "$TMPD/single.csv" "$TMPD/m$N.csv" || fail "N=$N: merged csv differs from the single run"
  "$A" merge "$TMPD"/j$N-*.part -o "$TMPD/m$N.jsonl" -q || fail "merge jsonl N=$N"
  cmp "$TMPD/single.jsonl" "$TMPD/m$N.jsonl" || fail "N=$N: merged JSON lines differ from the single run"
done
err=$(expect_fail 2 "$A" merge "$TMPD"/j3-*.part -o "$TMPD/m.csv") || exit 1
grep -q "must end in .jsonl" <<<"$err" || fail "jsonl parts merged into a .csv: $err"
err=$(expect_fail 1 "$A" merge "$TMPD/c3-0.part" "$TMPD/j3-1.part" "$TMPD/c3-2.part" -o "$TMPD/m.csv") || exit 1
grep -q "made with other options" <<<"$err" || fail "csv and jsonl parts mixed: $err"
# a resumed shard keeps the files done
"$A" classify "$TMPD/cat" --shard 0/1 -o "$TMPD/r.part" 2>/dev/null || fail "shard 0/1"
awk '/^#input 5 /{exit} {print}' "$TMPD/r.part" > "$TMPD/r2.part"
out=$("$A" classify "$TMPD/cat" --shard 0/1 -o "$TMPD/r2.part" 2>&1) || fail "resume: $out"
grep -q "resuming, 5 of 8 inputs done" <<<"$out" || fail "resume: $out"
"$A" merge "$TMPD/r2.part" -o "$TMPD/r2.csv" -q || fail "merge resumed"
cmp "$TMPD/single.csv" "$TMPD/r2.csv" || fail "resumed classify differs"
expect_fail 2 "$A" classify "$TMPD/cat" -o "$TMPD/x.csv" --timeline >/dev/null || exit 1
expect_fail 2 "$A" classify "$TMPD/cat" -o "$TMPD/x.csv" --json >/dev/null || exit 1
expect_fail 2 "$A" classify "$TMPD/cat" --shard 0/2 >/dev/null || exit 1
expect_fail 2 "$A" classify "$TMPD/cat" -o "$TMPD/x.txt" >/dev/null || exit 1
no_tmp_files "$TMPD"
exit 0
