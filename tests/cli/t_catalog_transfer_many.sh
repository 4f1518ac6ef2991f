#!/usr/bin/env bash
# transfer-many (issue 15): one transfer per manifest row through transfer's own code (the same
# result file as `audiostyle transfer` with those options), row options by transfer's names,
# paths relative to the manifest; sharded logs merge into the single run's log; a shard killed
# during a row resumes at that row (a row killed mid-way continues from its checkpoint); bad manifests get one line naming the file and the problem.
source "$ROOT/tests/cli/lib.sh"
A=$AUDIOSTYLE
ex=$ROOT/examples
fast=(--content-duration 2 --style-duration 2 --iterations 2 --filters 64 --griffin-lim-iterations 4 --threads 1)
mkdir -p "$TMPD/m/in" "$TMPD/m/out"
cp "$ex"/*.flac "$TMPD/m/in/"
cat > "$TMPD/m/pairs.csv" <<CSV
content,style,output,seed,no-picture
in/rock_sectoid_feelings.flac,in/metal_sectoid_metal_madness.flac,out/a.wav,1,1
in/misc_funnyboat_jdruid.flac,in/techno_torustrooper_tt1.flac,out/b.wav,,
in/rock_sectoid_feelings.flac,in/techno_torustrooper_tt1.flac,out/c.flac,3,1
in/techno_torustrooper_tt1.flac,in/rock_sectoid_feelings.flac,out/d.wav,4,1
CSV
( cd "$TMPD" && "$A" transfer-many m/pairs.csv -o single.csv -q -- "${fast[@]}" ) || fail "transfer-many"
printf 'row,content,style,output\n1,in/rock_sectoid_feelings.flac,in/metal_sectoid_metal_madness.flac,out/a.wav\n2,in/misc_funnyboat_jdruid.flac,in/techno_torustrooper_tt1.flac,out/b.wav\n3,in/rock_sectoid_feelings.flac,in/techno_torustrooper_tt1.flac,out/c.flac\n4,in/techno_torustrooper_tt1.flac,in/rock_sectoid_feelings.flac,out/d.wav\n' \
  | cmp - "$TMPD/single.csv" || fail "log: $(cat "$TMPD/single.csv")"
[ -s "$TMPD/m/out/b.png" ] && [ ! -e "$TMPD/m/out/a.png" ] || fail "no-picture column not applied: $(ls "$TMPD/m/out")"
# row 3 is `audiostyle transfer` with the same options: the same file
"$A" transfer "$ex/rock_sectoid_feelings.flac" "$ex/techno_torustrooper_tt1.flac" -o "$TMPD/c.flac" --seed 3 \
  --no-picture -q "${fast[@]}" || fail "transfer"
cmp "$TMPD/c.flac" "$TMPD/m/out/c.flac" || fail "row 3 differs from audiostyle transfer with the same options"
for f in a b c d; do cp "$TMPD"/m/out/$f.* "$TMPD/"; done
# sharded: parts merge into the single run's log, the results are the same files
for N in 1 3; do
  rm -f "$TMPD"/m/out/*
  for K in $(seq 0 $((N - 1))); do
    "$A" transfer-many "$TMPD/m/pairs.csv" --shard "$K/$N" -o "$TMPD/t$N-$K.part" -q -- "${fast[@]}" || fail "shard $K/$N"
  done
  "$A" merge "$TMPD"/t$N-*.part -o "$TMPD/merged$N.csv" -q || fail "merge N=$N"
  cmp "$TMPD/single.csv" "$TMPD/merged$N.csv" || fail "N=$N: merged log differs"
  for f in a.wav b.wav c.flac d.wav; do cmp "$TMPD/$f" "$TMPD/m/out/$f" || fail "N=$N: $f differs from the single run's"; done
done
# killed during row 3 (after rows 1 and 2): the rerun skips rows 1-2, redoes 3, does 4
rm -f "$TMPD"/m/out/*
slow=(--content-duration 2 --style-duration 2 --iterations 2 --filters 64 --griffin-lim-iterations 4 --threads 1)
"$A" transfer-many "$TMPD/m/pairs.csv" --shard 0/1 -o "$TMPD/k.part" -- "${slow[@]}" 2> "$TMPD/k.err" &
pid=$!
for i in $(seq 1 600); do
  n=$(grep -c "^#input " "$TMPD/k.part" 2>/dev/null); [ "${n:-0}" -ge 2 ] && break
  sleep 0.01
done
kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
had=$(grep -c '^#input ' "$TMPD/k.part")
[ "$had" -ge 2 ] || fail "kill: $had rows done"
out=$("$A" transfer-many "$TMPD/m/pairs.csv" --shard 0/1 -o "$TMPD/k.part" -- "${fast[@]}" 2>&1) || fail "resume: $out"
grep -q "resuming, $had of 4 inputs done" <<<"$out" || fail "resume: $out"
[ "$(grep -c 'transfer-many: row [0-9]' <<<"$out")" -eq $((4 - had)) ] || fail "resume ran other rows than the $((4 - had)) not done: $out"
"$A" merge "$TMPD/k.part" -o "$TMPD/k.csv" -q || fail "merge after kill"
cmp "$TMPD/single.csv" "$TMPD/k.csv" || fail "killed and resumed: log differs"
for f in a.wav b.wav c.flac d.wav; do cmp "$TMPD/$f" "$TMPD/m/out/$f" || fail "killed and resumed: $f differs"; done
# a long row killed mid-way continues from its checkpoint (transfer's OUT.ckpt): the same bits
long=(--content-duration 3 --style-duration 3 --iterations 80 --filters 32 --griffin-lim-iterations 4 --threads 1 --seed 5 --no-picture)
printf 'content,style,output,checkpoint,checkpoint-every\nin/rock_sectoid_feelings.flac,in/techno_torustrooper_tt1.flac,out/e.wav,out/e.wav.ckpt,0\n' > "$TMPD/m/long.csv"
"$A" transfer "$ex/rock_sectoid_feelings.flac" "$ex/techno_torustrooper_tt1.flac" -o "$TMPD/e.wav" -q --no-checkpoint "${long[@]}" || fail "transfer e"
"$A" transfer-many "$TMPD/m/long.csv" -o "$TMPD/l.csv" -q -- "${long[@]}" 2>/dev/null &
pid=$!
for i in $(seq 1 3000); do [ -e "$TMPD/m/out/e.wav.ckpt" ] && break; sleep 0.01; done
kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
[ -e "$TMPD/m/out/e.wav.ckpt" ] || fail "no checkpoint before the kill (or the row finished first)"
out=$("$A" transfer-many "$TMPD/m/long.csv" -o "$TMPD/l.csv" -- "${long[@]}" 2>&1) || fail "continue: $out"
grep -q "resuming from the checkpoint" <<<"$out" || fail "the row did not continue from its checkpoint: $out"
cmp "$TMPD/e.wav" "$TMPD/m/out/e.wav" || fail "the continued row differs from an uninterrupted transfer"
[ ! -e "$TMPD/m/out/e.wav.ckpt" ] || fail "the checkpoint is left after success"
# an output recorded but gone is redone
rm "$TMPD/m/out/d.wav"
out=$("$A" transfer-many "$TMPD/m/pairs.csv" --shard 0/1 -o "$TMPD/k.part" -- "${fast[@]}" 2>&1) || fail "redo: $out"
grep -q "row 4 (out/d.wav) is recorded as done but .*d.wav is missing" <<<"$out" || fail "missing output not redone: $out"
cmp "$TMPD/d.wav" "$TMPD/m/out/d.wav" || fail "redone row 4 differs"
"$A" merge "$TMPD/k.part" -o "$TMPD/k2.csv" -q && cmp "$TMPD/single.csv" "$TMPD/k2.csv" || fail "log after the redo"
# bad manifests: one line naming the file and the problem, before any work
m=$TMPD/m
printf 'content,style\nin/a.flac,in/b.flac\n' > "$m/no_out.csv"
err=$(expect_fail 1 "$A" transfer-many "$m/no_out.csv" -o "$TMPD/x.csv") || exit 1
grep -q "no_out.csv: no 'output' column" <<<"$err" || fail "missing column: $err"
printf 'content,style,output,iters\nin/rock_sectoid_feelings.flac,in/rock_sectoid_feelings.flac,out/x.wav,3\n' > "$m/badcol.csv"
err=$(expect_fail 1 "$A" transfer-many "$m/badcol.csv" -o "$TMPD/x.csv") || exit 1
grep -q "badcol.csv: column 'iters' is neither" <<<"$err" || fail "unknown column: $err"
printf 'content,style,output,iterations\nin/rock_sectoid_feelings.flac,in/rock_sectoid_feelings.flac,out/x.wav,3\nin/rock_sectoid_feelings.flac,in/rock_sectoid_feelings.flac,out/y.wav,lots\n' > "$m/badval.csv"
err=$(expect_fail 2 "$A" transfer-many "$m/badval.csv" -o "$TMPD/x.csv") || exit 1
grep -q "badval.csv: row 2: --iterations needs a whole number" <<<"$err" || fail "bad value: $err"
[ ! -e "$m/out/x.wav" ] || fail "row 1 ran before the manifest was checked"
printf 'content,style,output\nin/rock_sectoid_feelings.flac,in/misc_funnyboat_jdruid.flac,out/x.wav\nin/rock_sectoid_feelings.flac,in/misc_funnyboat_jdruid.flac,in/rock_sectoid_feelings.flac\n' > "$m/overwrite.csv"
err=$(expect_fail 2 "$A" transfer-many "$m/overwrite.csv" -o "$TMPD/x.csv") || exit 1
grep -q "an output never replaces an input" <<<"$err" || fail "output over an input: $err"
printf 'content,style,output\nin/rock_sectoid_feelings.flac,in/misc_funnyboat_jdruid.flac,out/x.wav\nout/x.wav,in/misc_funnyboat_jdruid.flac,out/y.wav\n' > "$m/chain.csv"
err=$(expect_fail 2 "$A" transfer-many "$m/chain.csv" -o "$TMPD/x.csv") || exit 1
grep -q "row 2 reads .*out/x.wav, which a row writes" <<<"$err" || fail "an output read by a row: $err"
printf 'content,style,output\nin/rock_sectoid_feelings.flac,in/misc_funnyboat_jdruid.flac,out/x.wav\nin/misc_funnyboat_jdruid.flac,in/misc_funnyboat_jdruid.flac,out/x.wav\n' > "$m/twice.csv"
err=$(expect_fail 2 "$A" transfer-many "$m/twice.csv" -o "$TMPD/x.csv") || exit 1
grep -q "two rows write .*out/x.wav" <<<"$err" || fail "two rows, one output: $err"
printf 'content,style,output\nin/nothere.flac,in/misc_funnyboat_jdruid.flac,out/x.wav\n' > "$m/missing.csv"
err=$(expect_fail 1 "$A" transfer-many "$m/missing.csv" -o "$TMPD/x.csv") || exit 1
grep -q "missing.csv: row 1: .*nothere.flac: no such file" <<<"$err" || fail "missing input: $err"
printf 'content,style,output\n"unterminated,b,c\n' > "$m/broken.csv"
err=$(expect_fail 1 "$A" transfer-many "$m/broken.csv" -o "$TMPD/x.csv") || exit 1
grep -q "broken.csv" <<<"$err" || fail "broken CSV: $err"
expect_fail 2 "$A" transfer-many "$m/pairs.csv" -o "$TMPD/x.csv" --iterations 3 >/dev/null || exit 1
exit 0
