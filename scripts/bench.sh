#!/usr/bin/env bash
# make bench [PART=dsp|nst|features|genre]: prints the benchmark tables (markdown).
set -eu
BUILD=${BUILD:-build}
echo "# audiostyle bench — $(date -u +%Y-%m-%d) — $(nproc) cores — $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
"$BUILD/bench_runner" "$@"
