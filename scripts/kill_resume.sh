#!/usr/bin/env bash
# scripts/kill_resume.sh [KILLS] [-- TRANSFER OPTIONS]: the checkpoint target of issue 13. Runs
# one transfer uninterrupted (the reference), then the same job killed with SIGKILL at a random
# moment KILLS times in a row (default 20), each time resumed with --resume, the last resume left
# to finish; checks that the result has the same bits as the reference (cmp) and prints, for each
# kill, the work lost: the seconds the killed process ran since its last checkpoint write (or
# since it started, when it wrote none). Default job: the default preset on 40 s of a rock track
# in the style of a techno one (3 segments, a few minutes on 2 cores), checkpoints every 30 s.
#   BUILD=dir (default build), KILL_MIN/KILL_MAX: a kill comes that many seconds after the start
#   (default 8..45), SEED for the moments (default 1).
set -u
kills=${1:-20}
shift || true
[ "${1:-}" = "--" ] && shift
A=${BUILD:-build}/audiostyle
C=examples/rock_sectoid_feelings.flac; S=examples/techno_torustrooper_tt1.flac
opts=(--content-duration 40 --style-duration 20 --threads 2 --no-picture --no-genres --quiet)
[ $# -gt 0 ] && opts=("$@")
W=$(mktemp -d /tmp/kill_resume.XXXXXX)
trap 'rm -rf "$W"' EXIT
K="$W/out.ckpt"
RANDOM=${SEED:-1}
lo=${KILL_MIN:-8}; hi=${KILL_MAX:-45}
now() { date +%s.%N; }
t0=$(now)
"$A" transfer "$C" "$S" -o "$W/ref.wav" "${opts[@]}" --no-checkpoint || { echo "kill_resume: the reference run failed"; exit 1; }
ref_s=$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}')
echo "kill_resume: reference run ${ref_s} s ($A transfer $C $S ${opts[*]})"
max_lost=0; total_lost=0; resume=()
t1=$(now)
for k in $(seq 1 "$kills"); do
  start=$(now)
  "$A" transfer "$C" "$S" -o "$W/out.wav" "${opts[@]}" --checkpoint "$K" --force "${resume[@]}" 2>"$W/err" &
  pid=$!
  delay=$(awk -v r=$RANDOM -v lo="$lo" -v hi="$hi" 'BEGIN{printf "%.2f", lo + (hi - lo) * r / 32767}')
  sleep "$delay"
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid"; echo "kill_resume: run $k finished before its kill at ${delay} s (rc $?): $(cat "$W/err")"; exit 1
  fi
  kill -KILL "$pid"; tk=$(now); wait "$pid" 2>/dev/null
  [ -e "$K" ] || { echo "kill_resume: no checkpoint after kill $k: $(cat "$W/err")"; exit 1; }
  mt=$(stat -c %.9Y "$K")
  lost=$(awk -v tk="$tk" -v mt="$mt" -v st="$start" 'BEGIN{m = mt > st ? mt : st; printf "%.1f", tk - m}')
  echo "kill $k: after ${delay} s, lost ${lost} s ($( [ "$(awk -v mt="$mt" -v st="$start" 'BEGIN{print (mt > st)}')" = 1 ] && echo "since its last checkpoint" || echo "it wrote none: setup and first iteration"))"
  max_lost=$(awk -v a="$max_lost" -v b="$lost" 'BEGIN{print (b > a ? b : a)}')
  total_lost=$(awk -v a="$total_lost" -v b="$lost" 'BEGIN{print a + b}')
  resume=(--resume)
done
"$A" transfer "$C" "$S" -o "$W/out.wav" "${opts[@]}" --checkpoint "$K" --resume 2>"$W/err" \
  || { echo "kill_resume: the last resume failed: $(cat "$W/err")"; exit 1; }
chain_s=$(awk -v a="$t1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}')
[ -e "$K" ] && { echo "kill_resume: the checkpoint is still there after success"; exit 1; }
if cmp -s "$W/ref.wav" "$W/out.wav"; then same="bit-identical to the uninterrupted run"; rc=0
else same="DIFFERENT from the uninterrupted run"; rc=1; fi
echo "kill_resume: $kills kills, each resumed: the result is $same; work lost per kill at most ${max_lost} s (total ${total_lost} s); the chain took ${chain_s} s, the reference ${ref_s} s"
exit $rc
