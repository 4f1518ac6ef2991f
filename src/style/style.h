/* style.h — what the style transfer exposes to its tests (not exported). */
#ifndef AS_STYLE_H
#define AS_STYLE_H

#include "core/internal.h"

/* The segments a T-frame content is optimised in under cfg->segment_seconds: *nseg segments of
 * *L frames, consecutive ones sharing at least 32 frames (cross-faded), the last ending at T;
 * their first frames in starts (nseg,) when not NULL. (1, T) when whole. */
void style_plan_segments(const as_style_config *cfg, int64_t T, int64_t *L, int *nseg, int64_t *starts);

#endif
