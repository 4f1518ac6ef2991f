#!/usr/bin/env bash
# make_bad.sh OUTDIR — writes the malformed audio files the loader must refuse cleanly (one
# error line naming the file, exit status 1, no crash, no hang, no decoder chatter). Generated
# with printf/head only, deterministically, so no binaries are committed.
#   empty.wav          0 bytes
#   random.wav/.mp3/.flac  4 KiB of pseudo-random bytes (bash $RANDOM, fixed seed)
#   flac_magic.flac    "fLaC" followed by pseudo-random bytes
#   text.mp3           plain text named .mp3
#   sync_text.mp3      an MPEG frame sync word then text: libsndfile hands it to libmpg123, which
#                      prints "Note: Illegal Audio-MPEG-Header ..." on stderr unless silenced
#   sync_random.mp3    an MPEG frame header then pseudo-random bytes (libmpg123 chatter too)
#   noframes.wav       a valid 44-byte PCM16 header declaring 0 bytes of data
#   trunc_header.wav   the first 20 bytes of a WAV header
#   trunc_data.wav     header declares 44100 bytes of data, 1000 are present
#   huge_decl.wav      header declares 4 GB (0xFFFFFFF0 bytes) of data on a 4 KiB file
#   nan.wav / inf.wav  32-bit float WAV whose samples include NaN / +infinity
#   rate0.wav          a PCM16 header with sample rate 0
#   channels.wav       a PCM16 header declaring 5000 channels
# Also writes stream.wav: data size 0xFFFFFFFF (the streaming "unknown size" convention) on a
# 4 KiB file, which is NOT bad: it must load the 2028 samples that are there; and silence.wav,
# 1000 samples of digital silence (a good file whose levels are -inf dBFS).
# With a C compiler and libsndfile (pkg-config sndfile), gen_bad.c adds unusual files that are
# valid: stereo24.flac (24-bit stereo FLAC, 44.1 kHz, 2 s), vorbis.ogg (Ogg Vorbis, 2 s),
# ch8_96k_24.wav (8 channels, 96 kHz, 24-bit, 1 s), one_sample.wav, silence_10s.wav (10 s of
# zeros); and a_folder.wav/, a directory with an audio name.
# From the committed FFmpeg fixtures (tests/ref/formats), cut or damaged with head/printf/dd:
#   trunc_moov.m4a     the first half of an ALAC M4A whose index (moov) is at the end
#   trunc_data.m4a     an AAC M4A (index first) cut at 60 % of its audio (decodes what is there)
#   trunc_header.mp4   the first 100 bytes of an MP4
#   corrupt.m4a        2 KB of pseudo-random bytes written over the AAC M4A's audio
#   corrupt_moov.mp4   200 pseudo-random bytes written over an MP4's index
#   huge_dur.mp4       an MP4 (H.264 + AAC, 2 s) whose mvhd, tkhd and mdhd durations are patched
#                      to 0xFFFFFFF0 (about 2 days at 22050 Hz, years in the movie time scale)
#   noaudio.mp4        a video without an audio stream
#   random.m4a         4 KiB of pseudo-random bytes; ftyp_random.m4a: an "ftyp" box then random
set -eu
out=${1:?usage: make_bad.sh OUTDIR}
mkdir -p "$out"

# byte V...: the bytes with these values (printf with an octal escape built by printf -v).
byte() { local v o f=""; for v in "$@"; do printf -v o '%03o' $((v & 255)); f+="\\$o"; done; printf "$f"; }
le16() { byte "$1" $(($1 >> 8)); }
le32() { byte "$1" $(($1 >> 8)) $(($1 >> 16)) $(($1 >> 24)); }
# wav_header FMT_TAG CHANNELS RATE BITS DATA_BYTES RIFF_BYTES
wav_header() {
  local tag=$1 ch=$2 rate=$3 bits=$4 data=$5 riff=$6
  local ba=$((ch * bits / 8))
  printf 'RIFF'; le32 "$riff"; printf 'WAVEfmt '; le32 16; le16 "$tag"; le16 "$ch"
  le32 "$rate"; le32 $((rate * ba)); le16 "$ba"; le16 "$bits"; printf 'data'; le32 "$data"
}
# rand_bytes N: N pseudo-random bytes, the same on every run.
rand_bytes() {
  local n=$1 i o s=""
  RANDOM=12345
  for ((i = 0; i < n; i++)); do printf -v o '%03o' $((RANDOM & 255)); s+="\\$o"; done
  printf "$s"
}
# pcm_bytes N: N bytes of a quiet PCM pattern (not all zero).
pcm_bytes() { head -c "$1" /dev/zero | tr '\0' '\001'; }

: > "$out/empty.wav"
rand_bytes 4096 > "$out/random.wav"
cp "$out/random.wav" "$out/random.mp3"
cp "$out/random.wav" "$out/random.flac"
{ printf 'fLaC'; rand_bytes 2048; } > "$out/flac_magic.flac"
for i in $(seq 1 40); do echo "This is a text file, not an MP3. Line $i."; done > "$out/text.mp3"
{ byte 0xff 0xfb 0x90 0x64; cat "$out/text.mp3"; } > "$out/sync_text.mp3"
{ byte 0xff 0xfb 0x90 0x64; rand_bytes 3000; } > "$out/sync_random.mp3"
wav_header 1 1 22050 16 0 36 > "$out/noframes.wav"
wav_header 1 1 22050 16 44100 44136 | head -c 20 > "$out/trunc_header.wav"
{ wav_header 1 1 22050 16 44100 44136; pcm_bytes 1000; } > "$out/trunc_data.wav"
{ wav_header 1 1 22050 16 $((0xFFFFFFF0)) $((0xFFFFFFF0 + 36)); pcm_bytes 4052; } > "$out/huge_decl.wav"
{ wav_header 1 1 22050 16 $((0xFFFFFFFF)) $((0xFFFFFFFF)); pcm_bytes 4056; } > "$out/stream.wav"
# float WAV: 8 samples 0.5 then NaN (or +inf) then 0.25
f_half='\000\000\000\077' f_quarter='\000\000\200\076' f_nan='\000\000\300\177' f_inf='\000\000\200\177'
{ wav_header 3 1 22050 32 40 76; for i in 1 2 3 4 5 6 7 8; do printf "$f_half"; done
  printf "$f_nan$f_quarter"; } > "$out/nan.wav"
{ wav_header 3 1 22050 32 40 76; for i in 1 2 3 4 5 6 7 8; do printf "$f_half"; done
  printf "$f_inf$f_quarter"; } > "$out/inf.wav"
{ wav_header 1 1 0 16 2000 2036; pcm_bytes 2000; } > "$out/rate0.wav"
{ wav_header 1 5000 22050 16 20000 20036; pcm_bytes 20000; } > "$out/channels.wav"
{ wav_header 1 1 22050 16 2000 2036; head -c 2000 /dev/zero; } > "$out/silence.wav"
mkdir -p "$out/a_folder.wav"
here=$(cd "$(dirname "$0")" && pwd)
if ${CC:-cc} -std=c11 -D_DEFAULT_SOURCE -O1 -o "$out/.gen_bad" "$here/gen_bad.c" \
     $(pkg-config --cflags --libs sndfile) -lm 2>"$out/.gen_bad.log"; then
  "$out/.gen_bad" "$out"
else
  echo "make_bad.sh: cannot build gen_bad.c (see $out/.gen_bad.log); FLAC/Ogg/8-channel files skipped" >&2
fi

# --- damaged MP4/M4A from the committed fixtures --------------------------------------------
F="$here/../ref/formats"
if [ -d "$F" ]; then
  size() { wc -c < "$1" | tr -d ' '; }
  # overwrite FILE OFFSET BYTES...: writes the bytes at OFFSET in place
  overwrite() { local f=$1 off=$2; shift 2; byte "$@" | dd of="$f" bs=1 seek="$off" conv=notrunc status=none; }
  # offset of the first ... every occurrence of a box name in a file
  boxes() { grep -obUa "$2" "$1" | cut -d: -f1; }
  n=$(size "$F/alac.m4a"); head -c $((n / 2)) "$F/alac.m4a" > "$out/trunc_moov.m4a"
  n=$(size "$F/aac.m4a"); head -c $((n * 6 / 10)) "$F/aac.m4a" > "$out/trunc_data.m4a"
  head -c 100 "$F/h264_aac.mp4" > "$out/trunc_header.mp4"
  cp "$F/aac.m4a" "$out/corrupt.m4a"
  rand_bytes 2048 | dd of="$out/corrupt.m4a" bs=1 seek=$((n / 2)) conv=notrunc status=none
  cp "$F/h264_aac.mp4" "$out/corrupt_moov.mp4"
  m=$(boxes "$out/corrupt_moov.mp4" moov | head -n 1)
  rand_bytes 200 | dd of="$out/corrupt_moov.mp4" bs=1 seek=$((m + 64)) conv=notrunc status=none
  cp "$F/h264_aac.mp4" "$out/huge_dur.mp4"
  for o in $(boxes "$out/huge_dur.mp4" mvhd); do overwrite "$out/huge_dur.mp4" $((o + 20)) 0xff 0xff 0xff 0xf0; done
  for o in $(boxes "$out/huge_dur.mp4" mdhd); do overwrite "$out/huge_dur.mp4" $((o + 20)) 0xff 0xff 0xff 0xf0; done
  for o in $(boxes "$out/huge_dur.mp4" tkhd); do overwrite "$out/huge_dur.mp4" $((o + 24)) 0xff 0xff 0xff 0xf0; done
  cp "$F/video_only.mp4" "$out/noaudio.mp4"
  cp "$out/random.wav" "$out/random.m4a"
  { byte 0 0 0 24; printf 'ftypM4A '; byte 0 0 0 0; printf 'M4A mp42isom'; rand_bytes 4000; } > "$out/ftyp_random.m4a"
else
  echo "make_bad.sh: $F not found; MP4/M4A files skipped" >&2
fi
