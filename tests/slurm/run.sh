#!/usr/bin/env bash
# make check-slurm: the catalog recipes scripts/slurm/*.sbatch on a single-node Slurm cluster
# started here (tests/slurm/cluster.sh, in a temporary folder; its daemons are stopped by PID at
# the end). Checks: the features array (4 tasks) and its dependent merge give the bytes of
# `audiostyle features`; a task cancelled mid-run (scancel) and resubmitted loses no input and
# duplicates none; classify.sbatch and transfer-many.sbatch give the single run's bytes too.
# Needs root and Debian's slurm-wlm and munge (make check-slurm installs them); without them it
# says why and skips, which fails under CI=true. Ends with "slurm: N passed, N failed, N skipped" and the same as a "total:" line (CI sums those).
set -u
ROOT=$PWD
BUILD=${BUILD:-build}
export AUDIOSTYLE=$ROOT/$BUILD/audiostyle
skip_all() {
  echo "SKIPPED slurm/check-slurm: $*"
  echo "slurm: 0 passed, 0 failed, 1 skipped"
  echo "total: 0 passed, 0 failed, 1 skipped"
  if [ -n "${CI:-}" ]; then echo "check-slurm: skipped under CI=$CI: that is a failure here"; exit 1; fi
  exit 0
}
[ "$(id -u)" = 0 ] || skip_all "not root (slurmd must run as root to start jobs)"
for t in munged slurmctld slurmd sbatch squeue scancel sinfo; do
  command -v "$t" >/dev/null || skip_all "$t is missing (scripts/install-deps.sh --slurm installs slurm-wlm and munge)"
done
[ -x "$AUDIOSTYLE" ] || { echo "check-slurm: $AUDIOSTYLE is not built"; exit 1; }
W=$(mktemp -d /tmp/audiostyle-slurm.XXXXXX)
source "$ROOT/tests/slurm/cluster.sh"
trap 'cluster_stop; rm -rf "$W"' EXIT
trap 'exit 1' INT TERM
t0=$(date +%s.%N)
cluster_start "$W/cluster" || { echo "check-slurm: the cluster did not start"; echo "slurm: 0 passed, 1 failed"; exit 1; }
echo "  cluster: started in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s ($(sinfo -h -N -o '%N %c CPUs %T'))"
pass=0; fail=0
check() { # NAME FUNCTION
  local s rc
  s=$(date +%s.%N)
  ( set -u; cd "$W" && "$2" ) > "$W/$1.out" 2>&1; rc=$?
  local dt
  dt=$(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  if [ "$rc" -eq 0 ]; then pass=$((pass + 1)); echo "  ok   slurm/$1 ($dt s)"
  else fail=$((fail + 1)); echo "  FAIL slurm/$1 ($dt s)"; tail -n 30 "$W/$1.out" | sed 's/^/    /'; fi
  grep '^  note:' "$W/$1.out" || true
}
die() { echo "FAIL: $*"; exit 1; }
S=$ROOT/scripts/slurm

features_array() {
  "$AUDIOSTYLE" features "$ROOT/examples" -o single.csv -q || die "features (single process)"
  jid=$(sbatch --parsable --array=0-3 --cpus-per-task=1 -o 'f-%a.log' "$S/features.sbatch" "$ROOT/examples" parts-f) \
    || die "sbatch features"
  mid=$(sbatch --parsable --dependency=afterok:"$jid" -o merge-f.log "$S/merge.sbatch" parts-f/features merged.csv) \
    || die "sbatch merge"
  wait_jobs "$jid" "$mid" || die "jobs did not finish"
  [ -s merged.csv ] || die "the merge job wrote nothing: $(cat merge-f.log f-*.log 2>/dev/null | tail -5)"
  cmp single.csv merged.csv || die "merged output differs from audiostyle features"
  [ "$(ls parts-f/*.part | wc -l)" -eq 4 ] || die "expected 4 parts: $(ls parts-f)"
  grep -q "^catalog: 4 of 4 inputs done" merge-f.log || die "merge --status: $(cat merge-f.log)"
  grep -q "shard 2/4: 1 of 1 inputs done" f-2.log || die "task 2's log: $(cat f-2.log)"
}

cancel_resubmit() {
  # 120 files (the examples, linked 30 times), 4 tasks of one CPU: each runs for seconds
  for i in $(seq -w 1 30); do mkdir -p big/d$i; for f in "$ROOT"/examples/*.flac; do ln -s "$f" big/d$i/; done; done
  "$AUDIOSTYLE" features big -o single-big.csv -q || die "features big"
  jid=$(sbatch --parsable --array=0-3 --cpus-per-task=1 -o 'c-%a.log' "$S/features.sbatch" big parts-c) || die "sbatch"
  local n=0 i
  for i in $(seq 1 1200); do
    n=$(grep -c '^#input ' parts-c/features-2.part 2>/dev/null); n=${n:-0}
    [ "$n" -ge 3 ] && break
    sleep 0.05
  done
  [ "$n" -ge 3 ] && [ "$n" -lt 30 ] || die "task 2 was not caught mid-run ($n of 30 inputs done)"
  scancel "${jid}_2" || die "scancel"
  wait_jobs "$jid" || die "the array did not finish"
  after=$(grep -c '^#input ' parts-c/features-2.part)
  [ "$after" -ge "$n" ] && [ "$after" -lt 30 ] || die "after scancel: $after inputs in the part (had $n; wanted $n..29)"
  echo "  note: scancel caught task 2 at $n of 30 files; its part kept $after"
  rid=$(SHARDS=4 sbatch --parsable --array=2 --cpus-per-task=1 -o 'c-2-again.log' "$S/features.sbatch" big parts-c) \
    || die "resubmit"
  mid=$(sbatch --parsable --dependency=afterok:"$rid" -o merge-c.log "$S/merge.sbatch" parts-c/features merged-big.csv) \
    || die "sbatch merge"
  wait_jobs "$rid" "$mid" || die "jobs did not finish"
  grep -q "resuming, $after of 30 inputs done" c-2-again.log || die "the resubmitted task did not resume: $(cat c-2-again.log)"
  cmp single-big.csv merged-big.csv || die "cancelled + resubmitted: merged output differs"
  echo "  note: the resubmitted task redid $((30 - after)) files, merge: 120 of 120, byte-identical"
}

classify_array() {
  "$AUDIOSTYLE" classify "$ROOT/examples" -o single.jsonl 2>/dev/null || die "classify -o"
  jid=$(FORMAT=jsonl sbatch --parsable --array=0-1 -o 'k-%a.log' "$S/classify.sbatch" "$ROOT/examples" parts-k) || die "sbatch"
  mid=$(sbatch --parsable --dependency=afterok:"$jid" -o merge-k.log "$S/merge.sbatch" parts-k/classify genres.jsonl) || die "merge"
  wait_jobs "$jid" "$mid" || die "jobs did not finish"
  cmp single.jsonl genres.jsonl || die "classify: merged output differs: $(cat merge-k.log)"
}

transfer_many_array() {
  mkdir -p tm/out
  cat > tm/pairs.csv <<CSV
content,style,output,seed,no-picture
$ROOT/examples/rock_sectoid_feelings.flac,$ROOT/examples/metal_sectoid_metal_madness.flac,out/a.wav,1,1
$ROOT/examples/misc_funnyboat_jdruid.flac,$ROOT/examples/techno_torustrooper_tt1.flac,out/b.wav,2,1
$ROOT/examples/techno_torustrooper_tt1.flac,$ROOT/examples/rock_sectoid_feelings.flac,out/c.wav,3,1
CSV
  local fast=(--content-duration 2 --style-duration 2 --iterations 2 --filters 64 --griffin-lim-iterations 4)
  "$AUDIOSTYLE" transfer-many tm/pairs.csv -o single-tm.csv -q -- --threads 1 "${fast[@]}" || die "transfer-many"
  mkdir -p tm1; cp tm/out/*.wav tm1/; rm tm/out/*.wav
  jid=$(sbatch --parsable --array=0-1 --cpus-per-task=1 -o 't-%a.log' "$S/transfer-many.sbatch" tm/pairs.csv parts-t "${fast[@]}") \
    || die "sbatch"
  mid=$(sbatch --parsable --dependency=afterok:"$jid" -o merge-t.log "$S/merge.sbatch" parts-t/transfer-many done.csv) || die "merge"
  wait_jobs "$jid" "$mid" || die "jobs did not finish"
  cmp single-tm.csv done.csv || die "transfer-many: merged log differs: $(cat merge-t.log t-*.log | tail -5)"
  for f in a b c; do cmp "tm1/$f.wav" "tm/out/$f.wav" || die "$f.wav differs from the single run's"; done
}

check features_array features_array
check cancel_resubmit cancel_resubmit
check classify_array classify_array
check transfer_many_array transfer_many_array
echo "  total: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
echo "slurm: $pass passed, $fail failed, 0 skipped"
echo "total: $pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
