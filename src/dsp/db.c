/* db.c — power to decibels (librosa 0.7.2 power_to_db). */
#include "dsp/dsp.h"

#include <math.h>

// ref: librosa.power_to_db(S, ref=1.0, amin=1e-10, top_db=80.0) 0.7.2 on float32 input: every
// step stays float32; the floor max(dB) - top_db is taken over the whole array.
void as_power_to_db(float *db, const float *x, int64_t n, double ref, double amin, double top_db)
{
    if (!db || !x || n <= 0) return;
    if (!(amin > 0)) amin = 1e-10;
    const float amin_f = (float)amin;
    const float ref_db = (float)(10.0 * log10(fmax(amin, fabs(ref))));
    float mx = -INFINITY;
    for (int64_t i = 0; i < n; i++) {
        float v = x[i] > amin_f ? x[i] : amin_f; /* np.maximum: NaN propagates */
        if (isnan(x[i])) v = x[i];
        float d = 10.0f * (float)log10((double)v);
        d -= ref_db;
        db[i] = d;
        if (d > mx || isnan(d)) mx = d;
    }
    if (top_db > 0) {
        const float floor_db = (float)((double)mx - top_db);
        for (int64_t i = 0; i < n; i++)
            if (db[i] < floor_db) db[i] = floor_db;
    }
}
