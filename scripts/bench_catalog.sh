#!/usr/bin/env bash
# make bench PART=catalog: what sharding and merging cost (issue 15: <= 2 % of the single-process
# run on the examples x 10), and the per-file costs behind the README's catalog estimates.
#   overhead: `features` on the 4 examples linked 10 times (40 files, 400 s of audio), one process
#     (--jobs 2) against N shards run one after another (--jobs 2 each) plus `merge`; median of
#     REPS runs of wall and of CPU (user + sys) time; the merged table is checked byte for byte;
#   per-file costs: features and classify per 30 s of audio (CPU), transfer per minute of content
#     (the default preset, --threads = all cores, one 10-s content; TRANSFER=0 skips it).
set -eu
BUILD=${BUILD:-build}
A=$PWD/$BUILD/audiostyle
REPS=${REPS:-7}
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
for i in $(seq -w 1 10); do mkdir -p "$w/cat/c$i"; for f in "$PWD"/examples/*.flac; do ln -s "$f" "$w/cat/c$i/"; done; done
# runs a command, appends "wall cpu" (seconds) to the file named first
# (bash's time: getrusage to the millisecond; GNU time rounds to 10 ms)
timed() { local out=$1 TIMEFORMAT='%3R %3U %3S'; shift
          { time "$@" >/dev/null 2>&1 || { echo "bench_catalog: failed: $*" >&2; exit 1; }; } 2> "$w/t"
          awk '{ printf "%s %.3f\n", $1, $2 + $3 }' "$w/t" >> "$out"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
sharded() { # N: every shard one after another, then merge; one line "wall cpu"
  local N=$1 k
  rm -rf "$w/p"; mkdir "$w/p"; : > "$w/s"
  for k in $(seq 0 $((N - 1))); do timed "$w/s" "$A" features "$w/cat" --shard "$k/$N" --jobs 2 -q -o "$w/p/$k.part"; done
  timed "$w/s" "$A" merge "$w"/p/*.part -o "$w/merged.csv" -q
  cmp -s "$w/single.csv" "$w/merged.csv" || { echo "bench_catalog: N=$N: merged output differs" >&2; exit 1; }
  awk '{ a += $1; b += $2 } END { printf "%.3f %.3f\n", a, b }' "$w/s"
}
"$A" features "$w/cat" --jobs 2 -q -o "$w/single.csv"
: > "$w/single"; : > "$w/n1"; : > "$w/n4"; : > "$w/n8"
for r in $(seq 1 "$REPS"); do # interleaved, so a busy moment of the shared machine hits all alike
  timed "$w/single" "$A" features "$w/cat" --jobs 2 -q -o "$w/single.csv"
  sharded 1 >> "$w/n1"; sharded 4 >> "$w/n4"; sharded 8 >> "$w/n8"
done
sw=$(cut -d' ' -f1 "$w/single" | median); sc=$(cut -d' ' -f2 "$w/single" | median)
echo
echo "### Catalogs: sharding + merge overhead (40 files, 400 s of audio; median of $REPS; $(nproc) cores)"
echo
echo "| run | wall s | CPU s | wall vs single | CPU vs single |"
echo "|---|---|---|---|---|"
echo "| features, one process (--jobs 2) | $sw | $sc | — | — |"
for N in 1 4 8; do
  nw=$(cut -d' ' -f1 "$w/n$N" | median); nc=$(cut -d' ' -f2 "$w/n$N" | median)
  echo "| $N shard(s) one after another (--jobs 2 each) + merge | $nw | $nc | $(awk -v a="$nw" -v b="$sw" 'BEGIN { printf "%+.1f %%", 100 * (a / b - 1) }') | $(awk -v a="$nc" -v b="$sc" 'BEGIN { printf "%+.1f %%", 100 * (a / b - 1) }') |"
done
: > "$w/m"
for r in $(seq 1 "$REPS"); do timed "$w/m" "$A" merge "$w"/p/*.part -o "$w/merged.csv" -q; done
: > "$w/v"
for r in $(seq 1 "$REPS"); do timed "$w/v" "$A" --version; done
: > "$w/one"
for r in $(seq 1 "$REPS"); do timed "$w/one" "$A" features "$w/cat/c01/rock_sectoid_feelings.flac" --jobs 2 -q -o "$w/one.csv"; done
echo
echo "The fixed cost of a task is the program's start ($(cut -d' ' -f2 "$w/v" | median) s CPU for \`audiostyle --version\`:"
echo "loading OpenBLAS, oneDNN) and the features' workspace of each thread (one 10-s file with --jobs 2:"
echo "$(cut -d' ' -f2 "$w/one" | median) s CPU); N shards pay it N times, whatever the size of the catalog."
echo
echo "merge alone (8 parts, 40 rows): $(cut -d' ' -f1 "$w/m" | median) s wall; every merged table byte-identical to the single run's."
# per-file costs, one thread
: > "$w/f1"; : > "$w/c1"
for r in $(seq 1 "$REPS"); do
  timed "$w/f1" "$A" features "$w/cat" --jobs 1 -q -o "$w/f1.csv"
  timed "$w/c1" "$A" classify "$w/cat" -o "$w/c1.csv"
done
fc=$(cut -d' ' -f2 "$w/f1" | median); cc=$(cut -d' ' -f2 "$w/c1" | median)
echo
echo "### Per-file costs (CPU, one thread; median of $REPS)"
echo
echo "| work | CPU s for 400 s of audio | per 30 s of audio |"
echo "|---|---|---|"
echo "| features (decode FLAC + 57 features) | $fc | $(awk -v c="$fc" 'BEGIN { printf "%.1f ms", c / 400 * 30 * 1000 }') |"
echo "| classify (decode + features per window + model) | $cc | $(awk -v c="$cc" 'BEGIN { printf "%.1f ms", c / 400 * 30 * 1000 }') |"
if [ "${TRANSFER:-1}" != 0 ]; then
  /usr/bin/time -f '%e %U %S' -o "$w/tt" "$A" transfer "$PWD/examples/rock_sectoid_feelings.flac" \
    "$PWD/examples/metal_sectoid_metal_madness.flac" -o "$w/t.wav" --no-picture -q
  read -r tw tu ts < "$w/tt"
  echo "| transfer, default preset, 10-s content, $(nproc) threads | wall $tw s (CPU $(awk -v a="$tu" -v b="$ts" 'BEGIN { printf "%.1f", a + b }') s) | $(awk -v t="$tw" 'BEGIN { printf "%.0f s wall per minute of content", t * 6 }') |"
fi
