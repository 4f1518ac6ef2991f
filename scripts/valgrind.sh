#!/usr/bin/env bash
# scripts/valgrind.sh [BUILD]: memcheck on a fast subset — the unit tests of core, csv, npy,
# audio, the genre model/split code, the hostile tests and the FFmpeg refusals/damaged M4A (in
# one process: --no-fork), then `audiostyle info` on the examples and three FFmpeg fixtures and
# a small spectrogram. Fails on any memcheck error or
# definite/indirect leak. Still-reachable blocks (fontconfig/cairo caches, OpenBLAS buffers) are
# not errors; tests/valgrind.supp holds the suppressions for the libraries' own noise.
# Needs valgrind (scripts/install-deps.sh --dev); skipped when it is missing.
set -eu
cd "$(dirname "$0")/.."
B=${1:-${BUILD:-build}}
if ! command -v valgrind >/dev/null; then
  echo "valgrind: not installed (scripts/install-deps.sh --dev installs it); skipped"
  exit 0
fi
make --no-print-directory -j2 BUILD="$B" all "$B/test_runner" >/dev/null
vg="valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --suppressions=tests/valgrind.supp --track-origins=no"
export OPENBLAS_NUM_THREADS=1
t0=$(date +%s)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "valgrind: unit tests (core csv npy rng audio_bad genre_model genre_song hostile formats_video formats_damaged)"
$vg "$B/test_runner" --no-fork core_ csv_ npy_ rng_ audio_bad audio_pcm16 audio_save genre_model_ \
  genre_song_ hostile_ formats_video formats_damaged > "$out/unit.log" 2>&1 || { tail -n 60 "$out/unit.log"; echo "valgrind: FAILED (unit tests)"; exit 1; }
tail -n 1 "$out/unit.log"
echo "valgrind: audiostyle info examples/*.flac and the FFmpeg fixtures (M4A, WMA, WebM)"
$vg "$B/audiostyle" info examples/*.flac tests/ref/formats/aac.m4a tests/ref/formats/wma.wma \
  tests/ref/formats/opus_vp8.webm > /dev/null 2> "$out/info.log" \
  || { cat "$out/info.log"; echo "valgrind: FAILED (info)"; exit 1; }
echo "valgrind: audiostyle spectrogram (3 s, 400x300) and features (one file)"
$vg "$B/audiostyle" spectrogram examples/rock_sectoid_feelings.flac --duration 3 --width 400 --height 300 \
  -o "$out/s.png" 2> "$out/spec.log" || { cat "$out/spec.log"; echo "valgrind: FAILED (spectrogram)"; exit 1; }
$vg "$B/audiostyle" features examples/rock_sectoid_feelings.flac -o "$out/f.csv" --jobs 1 --quiet \
  2> "$out/feat.log" || { cat "$out/feat.log"; echo "valgrind: FAILED (features)"; exit 1; }
echo "valgrind: no errors, no definite or indirect leaks ($(( $(date +%s) - t0 )) s)"
