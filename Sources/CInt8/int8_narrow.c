// The AVX2 int8 kernels for narrow weights (every code in -64...64, as `lepton compress
// --reduce-range` makes them): vpmaddubsw multiplies 32 u8 x s8 pairs and sums neighbours into
// int16, which cannot saturate at 2 * 255 * 64 = 32640; vpmaddwd with ones sums those pairs into
// int32. Four products per int32 lane and instruction pair, against two for the exact 16-bit
// kernels of int8_kernels.c, which run whenever a weight is wider. Same sums, to the bit.
#include "cint8.h"
#include "int8_internal.h"

#include <string.h>

static int fits_narrow_portable(const int8_t *w, int64_t count) {
    int bad = 0;
    for (int64_t i = 0; i < count; i++) bad |= (w[i] < -64) | (w[i] > 64);
    return !bad;
}

#if defined(__x86_64__)
AVX2 static int fits_narrow_avx2(const int8_t *w, int64_t count) {
    const __m256i low = _mm256_set1_epi8(-65), high = _mm256_set1_epi8(64);
    __m256i bad = _mm256_setzero_si256();
    int64_t i = 0;
    for (; i + 32 <= count; i += 32) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(w + i));
        bad = _mm256_or_si256(bad, _mm256_or_si256(_mm256_cmpgt_epi8(v, high), _mm256_cmpgt_epi8(low, v)));
    }
    return _mm256_testz_si256(bad, bad) && fits_narrow_portable(w + i, count - i);
}

/// acc + the sums of four u8 x s8 products per int32 lane.
AVX2 static inline __m256i dot4(__m256i acc, __m256i x, __m256i w, __m256i ones) {
    return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(x, w), ones));
}

// Dense: tiles of 4 rows x 2 units (8 accumulators), 32 bytes of depth per step, the weights read
// in their stored layout; the last depth % 32 bytes are summed in scalar code.
AVX2 static void dense_narrow(int64_t r0, int64_t r1, int64_t units, int64_t depth, const uint8_t *x,
                              const int8_t *w, const LeptonInt8Epilogue *e, float *out) {
    const __m256i ones = _mm256_set1_epi16(1);
    const int64_t full = depth / 32 * 32;
    for (int64_t r = r0; r < r1; r += 4) {
        const uint8_t *xr[4];
        for (int t = 0; t < 4; t++) xr[t] = x + (r + t < r1 ? r + t : r1 - 1) * depth;
        for (int64_t n = 0; n < units; n += 2) {
            const int8_t *wn[2];
            for (int u = 0; u < 2; u++) wn[u] = w + (n + u < units ? n + u : units - 1) * depth;
            __m256i acc[4][2];
            for (int t = 0; t < 4; t++) acc[t][0] = acc[t][1] = _mm256_setzero_si256();
            for (int64_t k = 0; k < full; k += 32) {
                const __m256i w0 = _mm256_loadu_si256((const __m256i *)(wn[0] + k));
                const __m256i w1 = _mm256_loadu_si256((const __m256i *)(wn[1] + k));
                for (int t = 0; t < 4; t++) {
                    const __m256i xa = _mm256_loadu_si256((const __m256i *)(xr[t] + k));
                    acc[t][0] = dot4(acc[t][0], xa, w0, ones);
                    acc[t][1] = dot4(acc[t][1], xa, w1, ones);
                }
            }
            for (int t = 0; t < 4 && r + t < r1; t++)
                for (int u = 0; u < 2 && n + u < units; u++) {
                    int32_t sum = hsum_avx2(acc[t][u]);
                    for (int64_t k = full; k < depth; k++) sum += (int32_t)xr[t][k] * (int32_t)wn[u][k];
                    out[(r + t) * units + n + u] = epilogue_value(e, n + u, sum);
                }
        }
    }
}

// Convolution: P conv pixels x 32 filters per tile (4P accumulators of 8 filters), the packed
// weights read as they are ([KH][group of 4 bytes][filters][4]: 8 filters' 4 bytes per vector);
// each step broadcasts 4 input bytes of a pixel. Pooling as in the other kernels: an int32 max
// over the window before the epilogue.
AVX2 __attribute__((always_inline)) static inline void conv_narrow_tiles(const LeptonInt8ConvShape *s, int64_t r0, int64_t r1,
                                                                         const uint8_t *x, const int8_t *packed,
                                                                         const LeptonInt8Epilogue *e, float *out, const int P) {
    const __m256i ones = _mm256_set1_epi16(1);
    const ConvTiling t = conv_tiling(s, P);
    const int64_t groups = t.groups, fpad = t.fpad, F = t.filters, ph = t.pool_h, pw = t.pool_w;
    const int64_t pooled_h = t.pooled_h, pooled_w = t.pooled_w, Q = t.pooled_per_tile;
    for (int64_t r = r0; r < r1; r++) {
        const int64_t b = r / pooled_h, py = r % pooled_h;
        for (int64_t fb = 0; fb < fpad; fb += 32) {
            for (int64_t q0 = 0; q0 < pooled_w; q0 += Q) {
                int64_t offset[4];
                conv_tile_offsets(&t, q0, P, offset);
                __m256i best[4][4];
                for (int p = 0; p < P; p++)
                    for (int v = 0; v < 4; v++) best[p][v] = _mm256_set1_epi32(INT32_MIN);
                for (int64_t i = 0; i < ph; i++) {
                    const int64_t oy = py * ph + i;
                    __m256i acc[4][4];
                    for (int p = 0; p < P; p++)
                        for (int v = 0; v < 4; v++) acc[p][v] = _mm256_setzero_si256();
                    for (int64_t dy = 0; dy < s->kernel_h; dy++) {
                        const uint8_t *row = conv_input_row(s, x, b, oy, dy);
                        const int8_t *wp = packed + ((dy * groups) * fpad + fb) * 4;
                        for (int64_t g = 0; g < groups; g++) {
                            const int8_t *wg = wp + g * fpad * 4;
                            const __m256i w0 = _mm256_loadu_si256((const __m256i *)(wg));
                            const __m256i w1 = _mm256_loadu_si256((const __m256i *)(wg + 32));
                            const __m256i w2 = _mm256_loadu_si256((const __m256i *)(wg + 64));
                            const __m256i w3 = _mm256_loadu_si256((const __m256i *)(wg + 96));
                            for (int p = 0; p < P; p++) {
                                int32_t bytes;
                                memcpy(&bytes, row + offset[p] + g * 4, 4);
                                const __m256i xb = _mm256_set1_epi32(bytes);
                                acc[p][0] = dot4(acc[p][0], xb, w0, ones);
                                acc[p][1] = dot4(acc[p][1], xb, w1, ones);
                                acc[p][2] = dot4(acc[p][2], xb, w2, ones);
                                acc[p][3] = dot4(acc[p][3], xb, w3, ones);
                            }
                        }
                    }
                    for (int p = 0; p < P; p++)
                        for (int v = 0; v < 4; v++) best[p][v] = _mm256_max_epi32(best[p][v], acc[p][v]);
                }
                for (int64_t q = 0; q < Q && q0 + q < pooled_w; q++) {
                    float *o = out + (r * pooled_w + q0 + q) * F;
                    for (int v = 0; v < 4; v++) {
                        __m256i m = best[q * pw][v];
                        for (int64_t j = 1; j < pw; j++) m = _mm256_max_epi32(m, best[q * pw + j][v]);
                        if (fb + 8 * v < F) conv_store_avx2(e, fb + 8 * v, F, m, o);
                    }
                }
            }
        }
    }
}
#endif

int lepton_int8_fits_narrow(int path, const int8_t *w, int64_t count) {
#if defined(__x86_64__)
    if (path != LEPTON_INT8_PORTABLE) return fits_narrow_avx2(w, count);
#endif
    (void)path;
    return fits_narrow_portable(w, count);
}

#if defined(__x86_64__)
AVX2 int lepton_int8_dense_narrow_avx2(int64_t r0, int64_t r1, int64_t units, int64_t depth, const uint8_t *x,
                                  const int8_t *w, const LeptonInt8Epilogue *e, float *out) {
    if (!e->narrow_weights) return 0;
    dense_narrow(r0, r1, units, depth, x, w, e, out);
    return 1;
}

AVX2 int lepton_int8_conv_narrow_avx2(const LeptonInt8ConvShape *s, int64_t r0, int64_t r1, const uint8_t *x,
                                 const int8_t *packed, const LeptonInt8Epilogue *e, float *out) {
    if (!e->narrow_weights) return 0;
    switch (s->pool_w) {
    case 1: case 2: conv_narrow_tiles(s, r0, r1, x, packed, e, out, 2); return 1;
    case 3: conv_narrow_tiles(s, r0, r1, x, packed, e, out, 3); return 1;
    case 4: conv_narrow_tiles(s, r0, r1, x, packed, e, out, 4); return 1;
    default: return 0;
    }
}
#endif
