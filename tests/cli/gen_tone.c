/* gen_tone OUT.wav SECONDS — writes a mono 16-bit 22050-Hz WAV test track: a sine whose pitch
 * steps up 40 Hz every 7 s from 110 Hz, amplitude-modulated at 2 Hz, plus a little uniform noise
 * from a fixed-seed generator (the same file on every run). Used by t_report_genres_agree.sh. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sndfile.h>

#define RATE 22050

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: gen_tone OUT.wav SECONDS\n"); return 2; }
  long secs = strtol(argv[2], NULL, 10);
  if (secs <= 0 || secs > 3600) { fprintf(stderr, "gen_tone: bad length %s\n", argv[2]); return 2; }
  SF_INFO info = {.samplerate = RATE, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
  SNDFILE *f = sf_open(argv[1], SFM_WRITE, &info);
  if (!f) { fprintf(stderr, "gen_tone: %s: %s\n", argv[1], sf_strerror(NULL)); return 1; }
  const double pi = 3.14159265358979323846;
  uint64_t s = 0x9E3779B97F4A7C15u; /* xorshift64 state, fixed seed */
  sf_count_t n = (sf_count_t)secs * RATE;
  short buf[4096];
  for (sf_count_t i = 0; i < n;) {
    sf_count_t m = n - i < 4096 ? n - i : 4096;
    for (sf_count_t j = 0; j < m; j++, i++) {
      double t = (double)i / RATE;
      s ^= s << 13; s ^= s >> 7; s ^= s << 17;
      double u = (double)(s >> 11) / 9007199254740992.0 * 2.0 - 1.0; /* uniform in [-1, 1) */
      double x = 0.3 * sin(2 * pi * (110 + 40 * floor(t / 7)) * t) * (0.5 + 0.5 * sin(2 * pi * 2 * t)) + 0.05 * u;
      buf[j] = (short)lrint(x * 32767);
    }
    if (sf_write_short(f, buf, m) != m) { fprintf(stderr, "gen_tone: %s: %s\n", argv[1], sf_strerror(f)); sf_close(f); return 1; }
  }
  if (sf_close(f) != 0) { fprintf(stderr, "gen_tone: %s: cannot close\n", argv[1]); return 1; }
  return 0;
}
