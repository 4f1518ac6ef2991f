#!/usr/bin/env bash
# scripts/bench_formats.sh [DIR]: makes the 30-s clips of `make bench PART=formats` (the three
# 10-s examples techno, rock, metal end to end, 22050 Hz mono) in DIR (default
# build/bench-formats) with the ffmpeg program, which only this script needs. WMA is encoded at
# 22050 Hz too, so every clip but Opus (always 48 kHz) decodes without resampling.
set -eu
D=${1:-build/bench-formats}
command -v ffmpeg >/dev/null || { echo "bench_formats.sh: the ffmpeg program is not installed (apt-get install ffmpeg); skipped"; exit 0; }
mkdir -p "$D"
q="-hide_banner -loglevel error -y"
E=examples
ffmpeg $q -i $E/techno_torustrooper_tt1.flac -i $E/rock_sectoid_feelings.flac -i $E/metal_sectoid_metal_madness.flac \
  -filter_complex '[0:a][1:a][2:a]concat=n=3:v=0:a=1' -ar 22050 -ac 1 -c:a flac "$D/clip30.flac"
S="$D/clip30.flac"
ffmpeg $q -i "$S" -c:a aac -b:a 128k "$D/clip30_aac.m4a"
ffmpeg $q -i "$S" -c:a alac "$D/clip30_alac.m4a"
ffmpeg $q -i "$S" -c:a wmav2 -b:a 128k "$D/clip30.wma"
ffmpeg $q -f lavfi -i color=c=blue:s=64x48:r=10 -i "$S" -t 30 -map 0:v -map 1:a -c:v libvpx -b:v 20k -c:a libopus -b:a 96k "$D/clip30.webm"
ffmpeg $q -f lavfi -i color=c=green:s=64x48:r=10 -i "$S" -t 30 -map 0:v -map 1:a -c:v libx264 -pix_fmt yuv420p -c:a aac -b:a 128k "$D/clip30_video.mp4"
ffmpeg $q -i "$S" -c:a libmp3lame -b:a 160k "$D/clip30.mp3"
ffmpeg $q -i "$S" -c:a libopus -b:a 96k "$D/clip30.opus"
ffmpeg $q -i "$S" -c:a libvorbis -q:a 5 "$D/clip30.ogg"
echo "bench_formats.sh: 30-s clips in $D"
