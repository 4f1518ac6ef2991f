#!/usr/bin/env bash
# make bench PART=paths: how fast each command refuses a bad output path (issue 16's target:
# < 0.1 s, before any decoding or optimisation). Median of 7 runs per case, whole process.
set -eu
BUILD=${BUILD:-build}
A=$(realpath "${AUDIOSTYLE:-$BUILD/audiostyle}")
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cp examples/rock_sectoid_feelings.flac "$W/c.flac"
cp examples/techno_torustrooper_tt1.flac "$W/s.flac"
mkdir "$W/dir"
head -n 20 data/gtzan/features_30_sec.csv > "$W/d.csv"
echo
echo "| command (refused) | median ms | max ms |"
echo "|---|---|---|"
run() {
  local t=() i t0 t1
  for i in 1 2 3 4 5 6 7; do
    t0=$(date +%s%N); (cd "$W" && "$A" "$@" >/dev/null 2>&1) || true; t1=$(date +%s%N)
    t+=($(((t1 - t0) / 1000)))
  done
  printf '%s\n' "${t[@]}" | sort -n | awk -v c="$*" '{v[NR] = $1} END {printf "| `%s` | %.1f | %.1f |\n", c, v[4] / 1000, v[7] / 1000}'
}
run transfer c.flac s.flac -o c.flac
run transfer c.flac s.flac -o dir
run transfer c.flac s.flac -o out.wav --picture x.jpg
run spectrogram c.flac -o c.flac
run features c.flac -o c.flac
run compare c.flac s.flac s.flac -o s.flac
run train d.csv -o d.csv
echo
echo "Target: < 100 ms each (issue 16)."
