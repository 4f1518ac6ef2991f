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
