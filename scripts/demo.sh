#!/usr/bin/env bash
# make demo: the main job on the bundled examples. (Until style transfer lands: their spectrograms.)
set -eu
BUILD=${BUILD:-build}
mkdir -p out
for f in examples/*.flac; do
  stem=$(basename "$f" .flac)
  "$BUILD/audiostyle" spectrogram "$f" -o "out/$stem.png" --title "$stem"
  echo "wrote out/$stem.png"
done
