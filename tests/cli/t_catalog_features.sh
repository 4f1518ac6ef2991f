#!/usr/bin/env bash
# features --shard K/N and merge (issue 15), in one process: for N = 1, 3 and 7 the merged parts
# are byte-identical to `audiostyle features DIR -o out.csv`; a task killed (SIGKILL) mid-run
# resumes with every input it had finished and redoes only the ones in progress; a record cut
# short is dropped; merge refuses, naming them, missing shards and inputs, two parts of one
# shard, parts of another input list or options, corrupt parts; bad --shard specs are usage errors.
source "$ROOT/tests/cli/lib.sh"
A=$AUDIOSTYLE
# a catalog of 12 files in 3 genre folders (the examples, copied)
for g in a b c; do mkdir -p "$TMPD/cat/$g"; cp "$ROOT"/examples/*.flac "$TMPD/cat/$g/"; done
"$A" features "$TMPD/cat" -o "$TMPD/single.csv" -q || fail "features (single process)"
[ "$(wc -l < "$TMPD/single.csv")" -eq 13 ] || fail "single run: expected 12 rows"
for N in 1 3 7; do
  mkdir -p "$TMPD/p$N"
  for K in $(seq 0 $((N - 1))); do
    "$A" features "$TMPD/cat" --shard "$K/$N" -o "$TMPD/p$N/$K.part" -j 2 -q || fail "shard $K/$N"
  done
  "$A" merge "$TMPD"/p$N/*.part -o "$TMPD/merged$N.csv" -q || fail "merge N=$N"
  cmp "$TMPD/single.csv" "$TMPD/merged$N.csv" || fail "N=$N: merged output differs from the single run"
  no_tmp_files "$TMPD/p$N"
done
# a part without its comment lines is the CSV of its own inputs (in input order)
grep -v '^#' "$TMPD/p3/1.part" | tail -n +2 > "$TMPD/p31.rows"
awk 'NR > 1 && (NR - 2) % 3 == 1' "$TMPD/single.csv" > "$TMPD/p31.want"
cmp "$TMPD/p31.rows" "$TMPD/p31.want" || fail "part 1/3's rows are not inputs 1, 4, 7, 10 of the single run"

# --status on a complete and on an incomplete catalog
st=$("$A" merge --status "$TMPD"/p3/*.part) || fail "merge --status"
grep -q "^catalog: 12 of 12 inputs done (100.0 %)" <<<"$st" || fail "status: $st"
st=$("$A" merge --status "$TMPD/p3/0.part" "$TMPD/p3/2.part") || fail "merge --status (incomplete)"
grep -q "^shard 1/3: no part (4 inputs)" <<<"$st" || fail "status does not name the shard with no part: $st"
grep -q "^catalog: 8 of 12 inputs done" <<<"$st" || fail "status: $st"

# merge refuses, naming them
err=$(expect_fail 1 "$A" merge "$TMPD/p3/0.part" "$TMPD/p3/2.part" -o "$TMPD/x.csv") || exit 1
grep -q "shard 1/3: no part given" <<<"$err" || fail "missing shard not named: $err"
[ ! -e "$TMPD/x.csv" ] || fail "merge wrote an output with a shard missing"
err=$(expect_fail 1 "$A" merge "$TMPD/p3/0.part" "$TMPD/p3/0.part" "$TMPD/p3/1.part" "$TMPD/p3/2.part" -o "$TMPD/x.csv") || exit 1
grep -q "are both shard 0/3" <<<"$err" || fail "duplicate shard: $err"
err=$(expect_fail 1 "$A" merge "$TMPD/p3/0.part" "$TMPD/p7/1.part" -o "$TMPD/x.csv") || exit 1
grep -q "one of 7 shards" <<<"$err" || fail "parts of different N: $err"
"$A" features "$TMPD/cat/a" "$TMPD/cat/b" --shard 1/3 -o "$TMPD/other.part" -q || fail "features of another list"
err=$(expect_fail 1 "$A" merge "$TMPD/p3/0.part" "$TMPD/other.part" "$TMPD/p3/2.part" -o "$TMPD/x.csv") || exit 1
grep -q "other.part: made from a different input list" <<<"$err" || fail "another input list: $err"
"$A" features "$TMPD/cat" --segments 3 --shard 1/3 -o "$TMPD/seg.part" -q || fail "features --segments 3 shard"
err=$(expect_fail 1 "$A" merge "$TMPD/p3/0.part" "$TMPD/seg.part" "$TMPD/p3/2.part" -o "$TMPD/x.csv") || exit 1
grep -q "seg.part: made with other options" <<<"$err" || fail "other options: $err"
sed 's/^#version .*/#version 0.0.9/' "$TMPD/p3/1.part" > "$TMPD/oldver.part"
err=$(expect_fail 1 "$A" merge "$TMPD/p3/0.part" "$TMPD/oldver.part" "$TMPD/p3/2.part" -o "$TMPD/x.csv") || exit 1
grep -q "oldver.part: written by audiostyle 0.0.9" <<<"$err" || fail "another version: $err"
# an input missing from a part (its record removed): named
awk '/^#input 4 /{skip=1; next} skip && /^#/{skip=0} !skip' "$TMPD/p3/1.part" > "$TMPD/hole.part"
err=$(expect_fail 1 "$A" merge "$TMPD/p3/0.part" "$TMPD/hole.part" "$TMPD/p3/2.part" -o "$TMPD/x.csv") || exit 1
grep -q "b/metal_sectoid_metal_madness.flac: missing from .*hole.part" <<<"$err" || fail "missing input not named: $err"
# an input twice
{ cat "$TMPD/p3/1.part"; sed -n '/^#input 4 /,/^#input 7 /p' "$TMPD/p3/1.part" | sed '$d'; } > "$TMPD/dup.part"
err=$(expect_fail 1 "$A" merge "$TMPD/p3/0.part" "$TMPD/dup.part" "$TMPD/p3/2.part" -o "$TMPD/x.csv") || exit 1
grep -q "b/metal_sectoid_metal_madness.flac is twice in" <<<"$err" || fail "duplicate input: $err"
# corrupt parts: one line naming the file
printf 'filename,length\nx.wav,1\n' > "$TMPD/notapart.part"
err=$(expect_fail 1 "$A" merge "$TMPD/notapart.part" -o "$TMPD/x.csv") || exit 1
grep -q "notapart.part: not a part file" <<<"$err" || fail "not a part: $err"
sed '0,/^#input /s/^#input \([0-9]*\) /#input \1x /' "$TMPD/p3/1.part" > "$TMPD/bad.part"
err=$(expect_fail 1 "$A" merge "$TMPD/p3/0.part" "$TMPD/bad.part" "$TMPD/p3/2.part" -o "$TMPD/x.csv") || exit 1
grep -q "bad.part: not a valid part file (line [0-9]*: bad #input" <<<"$err" || fail "corrupt part: $err"
err=$(expect_fail 1 "$A" features "$TMPD/cat" --shard 1/3 -o "$TMPD/bad.part" -q) || exit 1
grep -q "bad.part: not a valid part file" <<<"$err" || fail "features resumes from a corrupt part: $err"
# a resumed shard with other options is refused, and the part kept
err=$(expect_fail 1 "$A" features "$TMPD/cat" --segments 3 --shard 1/3 -o "$TMPD/p3/1.part" -q) || exit 1
grep -q "1.part: a part of another run: made with other options" <<<"$err" || fail "resume with other options: $err"
# bad shard specs: usage errors
for bad in 3/2 0/0 -1/3 1/ /3 a/b 1/3x 2; do
  err=$(expect_fail 2 "$A" features "$TMPD/cat" --shard "$bad" -o "$TMPD/s.part") || exit 1
  grep -q -- "--shard" <<<"$err" || fail "--shard $bad: $err"
done
err=$(expect_fail 2 "$A" features "$TMPD/cat" --shard 0/2 -o "$TMPD/s.csv") || exit 1
grep -q "must end in .part" <<<"$err" || fail "a part named .csv: $err"
err=$(unset SLURM_ARRAY_TASK_ID; expect_fail 2 "$A" features "$TMPD/cat" --shard slurm -o "$TMPD/s.part") || exit 1
grep -q "SLURM_ARRAY_TASK_ID" <<<"$err" || fail "--shard slurm outside Slurm: $err"
SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_MIN=4 SLURM_ARRAY_TASK_COUNT=3 "$A" features "$TMPD/cat" --shard slurm \
  -o "$TMPD/slurm1.part" -q || fail "--shard slurm"
grep -q '^#shard 1 3$' "$TMPD/slurm1.part" || fail "--shard slurm: task 5 of an array 4-6 is not shard 1/3"

# killed mid-run (SIGKILL, as a preempted task after its grace time): resumes, loses nothing
for g in d e f g h; do mkdir -p "$TMPD/big/$g"; cp "$ROOT"/examples/*.flac "$TMPD/big/$g/"; done
"$A" features "$TMPD/big" -o "$TMPD/big.csv" -q || fail "features big"
"$A" features "$TMPD/big" --shard 0/1 -o "$TMPD/kill.part" -j 1 -q &
pid=$!
for i in $(seq 1 400); do
  n=$(grep -c "^#input " "$TMPD/kill.part" 2>/dev/null); [ "${n:-0}" -ge 3 ] && break
  sleep 0.02
done
kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
had=$(grep -c '^#input ' "$TMPD/kill.part")
[ "$had" -ge 3 ] && [ "$had" -lt 20 ] || fail "kill test: $had inputs done at the kill (wanted 3..19)"
# a record cut short at the end, as a kill in the middle of a write would leave
printf '#input 19 4000\nmetal_sec' >> "$TMPD/kill.part"
out=$("$A" features "$TMPD/big" --shard 0/1 -o "$TMPD/kill.part" -j 1 2>&1) || fail "resume: $out"
grep -q "resuming, $had of 20 inputs done; dropped the record cut short" <<<"$out" || fail "resume did not keep the $had inputs done: $out"
grep -q "shard 0/1: 20 of 20 inputs done" <<<"$out" || fail "resume: $out"
"$A" merge "$TMPD/kill.part" -o "$TMPD/kill.csv" -q || fail "merge after the kill"
cmp "$TMPD/big.csv" "$TMPD/kill.csv" || fail "killed and resumed: output differs from the single run"
# SIGTERM (scancel): the part keeps what is done, exit 1, and the rerun completes it
"$A" features "$TMPD/big" --shard 0/1 -o "$TMPD/term.part" -j 1 -q &
pid=$!
for i in $(seq 1 400); do
  n=$(grep -c "^#input " "$TMPD/term.part" 2>/dev/null); [ "${n:-0}" -ge 2 ] && break
  sleep 0.02
done
kill -TERM "$pid"; wait "$pid"; rc=$?
[ "$rc" -eq 1 ] || fail "SIGTERM: exit $rc, wanted 1"
"$A" features "$TMPD/big" --shard 0/1 -o "$TMPD/term.part" -q || fail "resume after SIGTERM"
"$A" merge "$TMPD/term.part" -o - > "$TMPD/term.csv" || fail "merge -o -"
cmp "$TMPD/big.csv" "$TMPD/term.csv" || fail "SIGTERM and resumed: output differs"
# a failed input is recorded, retried on resume, and reported by merge as the single run does
mkdir -p "$TMPD/withbad"; cp "$ROOT"/examples/*.flac "$TMPD/withbad/"; printf 'not audio' > "$TMPD/withbad/zz.wav"
"$A" features "$TMPD/withbad" -o "$TMPD/wb.csv" -q 2>/dev/null && fail "single run with a bad file exited 0"
for K in 0 1; do "$A" features "$TMPD/withbad" --shard $K/2 -o "$TMPD/wb$K.part" -q 2>/dev/null; done
grep -q '^#failed 4 ' "$TMPD/wb0.part" || fail "the bad file is not recorded as failed"
err=$(expect_fail 1 "$A" merge "$TMPD/wb0.part" "$TMPD/wb1.part" -o "$TMPD/wbm.csv") || exit 1
grep -q "zz.wav" <<<"$err" || fail "merge does not report the failed file: $err"
cmp "$TMPD/wb.csv" "$TMPD/wbm.csv" || fail "with a failed file: merged output differs from the single run"
exit 0
