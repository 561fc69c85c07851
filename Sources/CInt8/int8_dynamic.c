// What dynamic int8 quantisation adds to the kernels of int8_kernels.c: the range of a float
// tensor, measured per call (per batch, per time step) to choose its uint8 quantisation.
#include "cint8.h"

#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

static void range_portable(const float *x, int64_t count, float *minimum, float *maximum) {
    float low = INFINITY, high = -INFINITY;
    for (int64_t i = 0; i < count; i++) {
        const float v = x[i];
        if (!isfinite(v)) continue;
        low = v < low ? v : low;
        high = v > high ? v : high;
    }
    *minimum = low;
    *maximum = high;
}

#if defined(__x86_64__)
// 16 lanes of min and max; vminps/vmaxps return their second operand when the first is NaN, so
// NaN inputs are skipped. An infinity found sends the call to the portable loop, which skips it.
__attribute__((target("avx512f"))) static void range_avx512(const float *x, int64_t count, float *minimum, float *maximum) {
    __m512 low = _mm512_set1_ps(INFINITY), high = _mm512_set1_ps(-INFINITY);
    int64_t i = 0;
    for (; i + 16 <= count; i += 16) {
        const __m512 v = _mm512_loadu_ps(x + i);
        low = _mm512_min_ps(v, low);
        high = _mm512_max_ps(v, high);
    }
    float tail_low, tail_high;
    range_portable(x + i, count - i, &tail_low, &tail_high);
    float lowest = _mm512_reduce_min_ps(low), highest = _mm512_reduce_max_ps(high);
    if (i > 0 && (isinf(lowest) || isinf(highest))) {
        range_portable(x, count, minimum, maximum);
        return;
    }
    *minimum = tail_low < lowest ? tail_low : lowest;
    *maximum = tail_high > highest ? tail_high : highest;
}
#endif

void lepton_int8_range(int path, const float *x, int64_t count, float *minimum, float *maximum) {
#if defined(__x86_64__)
    if (path == LEPTON_INT8_AVX512_VNNI) { range_avx512(x, count, minimum, maximum); return; }
#endif
    (void)path;
    range_portable(x, count, minimum, maximum);
}
