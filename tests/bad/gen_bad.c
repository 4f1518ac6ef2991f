/* gen_bad.c OUTDIR — the unusual-but-valid files of the hostile corpus that need a real encoder
 * (libsndfile): 24-bit FLAC, Ogg Vorbis, 8-channel 96 kHz 24-bit WAV, one-sample and 10-s
 * silent WAVs. Compiled and run by tests/bad/make_bad.sh; deterministic (no random numbers). */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_file(const char *dir, const char *name, int format, int sr, int ch, long frames,
                      double amp, double hz)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    SF_INFO info;
    memset(&info, 0, sizeof info);
    info.samplerate = sr;
    info.channels = ch;
    info.format = format;
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) {
        fprintf(stderr, "gen_bad: %s: %s\n", path, sf_strerror(NULL));
        return 1;
    }
    float *buf = malloc(sizeof(float) * (size_t)ch * (size_t)(frames > 0 ? frames : 1));
    if (!buf) return 1;
    for (long i = 0; i < frames; i++)
        for (int c = 0; c < ch; c++)
            buf[i * ch + c] = (float)(amp * sin(2 * M_PI * hz * (c + 1) * (double)i / sr));
    sf_count_t w = sf_writef_float(f, buf, frames);
    free(buf);
    sf_close(f);
    if (w != frames) {
        fprintf(stderr, "gen_bad: %s: wrote %lld of %ld frames\n", path, (long long)w, frames);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_bad OUTDIR\n");
        return 2;
    }
    const char *d = argv[1];
    int bad = 0;
    bad |= write_file(d, "stereo24.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 44100, 2, 88200, 0.5, 440);
    bad |= write_file(d, "vorbis.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 22050, 1, 44100, 0.5, 330);
    bad |= write_file(d, "ch8_96k_24.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 96000, 8, 96000, 0.3, 220);
    bad |= write_file(d, "one_sample.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 22050, 1, 1, 0.5, 1000);
    bad |= write_file(d, "silence_10s.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 22050, 1, 220500, 0.0, 0);
    return bad;
}
