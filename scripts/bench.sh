#!/usr/bin/env bash
# make bench [PART=dsp|nst|features|genre|song|quality|python]: prints the benchmark tables (markdown).
# Without PART: dsp, nst, features, genre (minutes). song (a 3-minute transfer, ~10 min) and
# quality (18 transfers, ~30 min) are long and run only when named.
set -eu
BUILD=${BUILD:-build}
echo "# audiostyle bench — $(date -u +%Y-%m-%d) — $(nproc) cores — $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(dsp nst features genre)
for p in "${parts[@]}"; do
  case $p in
    quality) BUILD=$BUILD bash scripts/bench_quality.sh ;;
    python) AUDIOSTYLE_LIB="$PWD/$BUILD/libaudiostyle.so" PYTHONPATH="$PWD/python" \
              "${PYTHON:-/usr/bin/python3}" bench/python_overhead.py ;;
    *) "$BUILD/bench_runner" "$p" ;;
  esac
done
[ $# -gt 0 ] || echo "(make bench PART=song and PART=quality run the whole-song and the transfer-quality benchmarks; PART=python the binding's overhead)"
