#!/usr/bin/env bash
# The README's GNU parallel recipe for a catalog (issue 15): the shards as parallel jobs, then
# merge; byte-identical to `audiostyle features` for 3 and 7 shards, and a rerun of the same line
# after one job was killed completes the catalog. Skipped (and said so) without GNU parallel
# (scripts/install-deps.sh --slurm installs it).
source "$ROOT/tests/cli/lib.sh"
command -v parallel >/dev/null || skip "GNU parallel is not installed (scripts/install-deps.sh --slurm)"
parallel --version 2>/dev/null | grep -q "GNU parallel" || skip "parallel is not GNU parallel"
A=$AUDIOSTYLE
for g in a b c; do mkdir -p "$TMPD/cat/$g"; cp "$ROOT"/examples/*.flac "$TMPD/cat/$g/"; done
"$A" features "$TMPD/cat" -o "$TMPD/single.csv" -q || fail "features"
cd "$TMPD" || exit 1
for N in 3 7; do
  mkdir -p parts$N
  # the README's line, with this catalog and N
  parallel -j 2 "$A" features cat --shard {}/$N --jobs 1 -q -o parts$N/features-{}.part ::: $(seq 0 $((N - 1))) \
    || fail "parallel N=$N"
  "$A" merge parts$N/features-*.part -o features$N.csv -q || fail "merge N=$N"
  cmp single.csv features$N.csv || fail "parallel N=$N: merged output differs from the single run"
done
# one job killed: the same line again resumes it
rm -rf parts3; mkdir parts3
parallel -j 2 "$A" features cat --shard {}/3 --jobs 1 -q -o parts3/features-{}.part ::: 0 2 || fail "parallel 0 2"
"$A" features cat --shard 1/3 --jobs 1 -q -o parts3/features-1.part &
pid=$!; sleep 0.3; kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
"$A" merge parts3/features-*.part -o x.csv 2>/dev/null && [ "$(grep -c '^#input' parts3/features-1.part)" -lt 4 ] \
  && fail "merge accepted an incomplete catalog"
parallel -j 2 "$A" features cat --shard {}/3 --jobs 1 -q -o parts3/features-{}.part ::: 0 1 2 || fail "parallel rerun"
"$A" merge parts3/features-*.part -o again.csv -q || fail "merge after the rerun"
cmp single.csv again.csv || fail "rerun after a kill: merged output differs"
exit 0
