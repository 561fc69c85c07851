// Int8 GEMM and convolution kernels for LeptonCompress, dispatched at run time on the CPU's
// features: hand-written AVX-512 VNNI (vpdpbusd), hand-written AVX2 (vpmaddubsw for narrow weights
// in int8_narrow.c, exact 16-bit products here otherwise), and plain loops for any CPU. All paths
// compute the same exact int32 sums.
#include "cint8.h"
#include "int8_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

int lepton_int8_path_supported(int path) {
    switch (path) {
    case LEPTON_INT8_PORTABLE: return 1;
#if defined(__x86_64__)
    case LEPTON_INT8_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case LEPTON_INT8_AVX512_VNNI:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
#endif
    default: return 0;
    }
}


size_t lepton_int8_conv_packed_size(const LeptonInt8ConvShape *s) {
    return (size_t)(s->kernel_h * conv_groups(s) * conv_padded_filters(s) * 4);
}


void lepton_int8_conv_pack(const LeptonInt8ConvShape *s, const int8_t *w, int8_t *packed) {
    const int64_t groups = conv_groups(s), fpad = conv_padded_filters(s), span = s->kernel_w * s->channels;
    memset(packed, 0, lepton_int8_conv_packed_size(s));
    for (int64_t f = 0; f < s->filters; f++)
        for (int64_t dy = 0; dy < s->kernel_h; dy++)
            for (int64_t j = 0; j < span; j++)
                packed[((dy * groups + j / 4) * fpad + f) * 4 + j % 4] = w[(f * s->kernel_h + dy) * span + j];
}

// ---- Plain loops (compiled twice: for any CPU and for AVX2 + FMA) ----

#define DEFINE_GENERIC_QUANTIZE(SUFFIX, ATTRIBUTE)                                                            \
    ATTRIBUTE static void quantize_##SUFFIX(const float *x, int64_t count, float inverse, int32_t zero,        \
                                            uint8_t *out) {                                                   \
        const float z = (float)zero;                                                                          \
        for (int64_t i = 0; i < count; i++) {                                                                 \
            float v = nearbyintf(x[i] * inverse) + z;                                                         \
            v = v >= 0 ? v : 0; /* also NaN */                                                                \
            v = v <= 255 ? v : 255;                                                                           \
            out[i] = (uint8_t)v;                                                                              \
        }                                                                                                     \
    }
DEFINE_GENERIC_QUANTIZE(portable, )
#if defined(__x86_64__)
DEFINE_GENERIC_QUANTIZE(avx2, __attribute__((target("avx2,fma"))))
#endif

#define DEFINE_GENERIC_KERNELS(SUFFIX, ATTRIBUTE)                                                             \
    ATTRIBUTE static void dense_##SUFFIX(int64_t r0, int64_t r1, int64_t units, int64_t depth,                \
                                         const uint8_t *x, const int8_t *w, const LeptonInt8Epilogue *e,      \
                                         float *out) {                                                         \
        for (int64_t r = r0; r < r1; r++) {                                                                   \
            const uint8_t *xr = x + r * depth;                                                                \
            for (int64_t n = 0; n < units; n++) {                                                             \
                const int8_t *wn = w + n * depth;                                                             \
                int32_t acc = 0;                                                                              \
                for (int64_t k = 0; k < depth; k++) acc += (int32_t)xr[k] * (int32_t)wn[k];                   \
                out[r * units + n] = epilogue_value(e, n, acc);                                              \
            }                                                                                                 \
        }                                                                                                     \
    }                                                                                                         \
    ATTRIBUTE static void conv_##SUFFIX(const LeptonInt8ConvShape *s, int64_t r0, int64_t r1,                 \
                                        const uint8_t *x, const int8_t *packed, const LeptonInt8Epilogue *e, \
                                        float *out) {                                                         \
        const int64_t groups = conv_groups(s), fpad = conv_padded_filters(s), F = s->filters;                 \
        const int64_t ph = s->pool_h, pw = s->pool_w, pooled_h = s->out_h / ph, pooled_w = s->out_w / pw;    \
        int32_t acc[fpad], best[fpad];                                                                        \
        for (int64_t r = r0; r < r1; r++) {                                                                   \
            const int64_t b = r / pooled_h, py = r % pooled_h;                                                \
            for (int64_t px = 0; px < pooled_w; px++) {                                                       \
                for (int64_t f = 0; f < fpad; f++) best[f] = INT32_MIN;                                       \
                for (int64_t i = 0; i < ph * pw; i++) {                                                       \
                    const int64_t oy = py * ph + i / pw, ox = px * pw + i % pw;                               \
                    for (int64_t f = 0; f < fpad; f++) acc[f] = 0;                                            \
                    for (int64_t dy = 0; dy < s->kernel_h; dy++) {                                            \
                        const uint8_t *xp = x + (((b * s->in_h + oy * s->stride_h + dy) * s->in_w)            \
                                                 + ox * s->stride_w) * s->channels;                           \
                        for (int64_t g = 0; g < groups; g++) {                                                \
                            const int8_t *wp = packed + (dy * groups + g) * fpad * 4;                         \
                            for (int64_t j = 0; j < 4; j++) {                                                 \
                                const int32_t xv = xp[g * 4 + j];                                             \
                                for (int64_t f = 0; f < fpad; f++) acc[f] += xv * (int32_t)wp[f * 4 + j];     \
                            }                                                                                 \
                        }                                                                                     \
                    }                                                                                         \
                    for (int64_t f = 0; f < fpad; f++) best[f] = acc[f] > best[f] ? acc[f] : best[f];         \
                }                                                                                             \
                float *o = out + (r * pooled_w + px) * F;                                                     \
                for (int64_t f = 0; f < F; f++) o[f] = epilogue_value(e, f, best[f]);                         \
            }                                                                                                 \
        }                                                                                                     \
    }

DEFINE_GENERIC_KERNELS(portable, )
#if defined(__x86_64__)
DEFINE_GENERIC_KERNELS(avx2, __attribute__((target("avx2,fma"))))
#endif

#if defined(__x86_64__)
// ---- AVX2 (hand-written): exact 16-bit products, vpmovzxbw/vpmovsxbw + vpmaddwd ----
// vpmaddubsw would sum two u8 x s8 products into a saturating int16 (255 * 127 * 2 overflows),
// so it needs 7-bit weights (ONNX Runtime's reduce_range); these kernels widen to 16 bits
// instead and stay exact for any int8 weights, at half the products per instruction.


// Dense: tiles of 4 rows x 2 units (8 accumulators), 16 bytes of depth per step.
AVX2 static void dense_avx2_tiled(int64_t r0, int64_t r1, int64_t units, int64_t depth, const uint8_t *x,
                                  const int8_t *w, const LeptonInt8Epilogue *e, float *out) {
    const int64_t full = depth / 16 * 16;
    for (int64_t r = r0; r < r1; r += 4) {
        const uint8_t *xr[4];
        for (int t = 0; t < 4; t++) xr[t] = x + (r + t < r1 ? r + t : r1 - 1) * depth;
        for (int64_t n = 0; n < units; n += 2) {
            const int8_t *wn[2];
            for (int u = 0; u < 2; u++) wn[u] = w + (n + u < units ? n + u : units - 1) * depth;
            __m256i acc[4][2];
            for (int t = 0; t < 4; t++) acc[t][0] = acc[t][1] = _mm256_setzero_si256();
            for (int64_t k = 0; k < full; k += 16) {
                const __m256i w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(wn[0] + k)));
                const __m256i w1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(wn[1] + k)));
                for (int t = 0; t < 4; t++) {
                    const __m256i xa = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(xr[t] + k)));
                    acc[t][0] = _mm256_add_epi32(acc[t][0], _mm256_madd_epi16(xa, w0));
                    acc[t][1] = _mm256_add_epi32(acc[t][1], _mm256_madd_epi16(xa, w1));
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


// Convolution: P pixels x 32 filters per tile (4P accumulators of 8 filters). The packed weights
// are widened once per call to int16 pairs [KH][group][half][filters][2]; each step broadcasts two
// input bytes of a pixel as an int16 pair and multiplies them with the pairs of 8 filters.
AVX2 __attribute__((always_inline)) static inline void conv_avx2_tiles(const LeptonInt8ConvShape *s, int64_t r0, int64_t r1,
                                                                       const uint8_t *x, const int16_t *wide,
                                                                       const LeptonInt8Epilogue *e, float *out, const int P) {
    const ConvTiling t = conv_tiling(s, P);
    const int64_t groups = t.groups, fpad = t.fpad, F = t.filters, ph = t.pool_h, pw = t.pool_w;
    const int64_t pooled_h = t.pooled_h, pooled_w = t.pooled_w, Q = t.pooled_per_tile;
    for (int64_t r = r0; r < r1; r++) {
        const int64_t b = r / pooled_h, py = r % pooled_h;
        for (int64_t fb = 0; fb < fpad; fb += 32) {
            for (int64_t q0 = 0; q0 < pooled_w; q0 += Q) {
                int64_t offset[6];
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
                        for (int64_t g = 0; g < groups; g++) {
                            for (int half = 0; half < 2; half++) {
                                const int16_t *wp = wide + (((dy * groups + g) * 2 + half) * fpad + fb) * 2;
                                const __m256i w0 = _mm256_loadu_si256((const __m256i *)(wp));
                                const __m256i w1 = _mm256_loadu_si256((const __m256i *)(wp + 16));
                                const __m256i w2 = _mm256_loadu_si256((const __m256i *)(wp + 32));
                                const __m256i w3 = _mm256_loadu_si256((const __m256i *)(wp + 48));
                                for (int p = 0; p < P; p++) {
                                    const uint8_t *bytes = row + offset[p] + g * 4 + half * 2;
                                    const __m256i xb = _mm256_set1_epi32((int32_t)bytes[0] | ((int32_t)bytes[1] << 16));
                                    acc[p][0] = _mm256_add_epi32(acc[p][0], _mm256_madd_epi16(xb, w0));
                                    acc[p][1] = _mm256_add_epi32(acc[p][1], _mm256_madd_epi16(xb, w1));
                                    acc[p][2] = _mm256_add_epi32(acc[p][2], _mm256_madd_epi16(xb, w2));
                                    acc[p][3] = _mm256_add_epi32(acc[p][3], _mm256_madd_epi16(xb, w3));
                                }
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

AVX2 static void conv_avx2_widened(const LeptonInt8ConvShape *s, int64_t r0, int64_t r1, const uint8_t *x,
                                   const int8_t *packed, const LeptonInt8Epilogue *e, float *out) {
    if (s->pool_w > 4) { conv_avx2(s, r0, r1, x, packed, e, out); return; }
    // [KH][group][4 bytes][fpad] int8 -> [KH][group][half][fpad][2] int16
    const int64_t groups = conv_groups(s), fpad = conv_padded_filters(s);
    const size_t count = lepton_int8_conv_packed_size(s);
    int16_t *wide = malloc(count * sizeof(int16_t));
    if (!wide) { conv_avx2(s, r0, r1, x, packed, e, out); return; }
    for (int64_t block = 0; block < s->kernel_h * groups; block++)
        for (int64_t f = 0; f < fpad; f++)
            for (int j = 0; j < 4; j++)
                wide[((block * 2 + j / 2) * fpad + f) * 2 + j % 2] = packed[(block * fpad + f) * 4 + j];
    switch (s->pool_w) {
    case 1: case 2: conv_avx2_tiles(s, r0, r1, x, wide, e, out, 2); break;
    case 3: conv_avx2_tiles(s, r0, r1, x, wide, e, out, 3); break;
    default: conv_avx2_tiles(s, r0, r1, x, wide, e, out, 4); break;
    }
    free(wide);
}
#endif

// ---- AVX-512 VNNI ----

#if defined(__x86_64__)
#define VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

// Dense as dot products of rows: tiles of 4 rows x 4 units, 64 bytes of depth per step, so the
// weights are read in their stored layout (no packing) and a batch of one runs as fast per row.
VNNI static void dense_vnni(int64_t r0, int64_t r1, int64_t units, int64_t depth, const uint8_t *x,
                            const int8_t *w, const LeptonInt8Epilogue *e, float *out) {
    const int64_t full = depth / 64 * 64;
    const __mmask64 tail = depth == full ? 0 : (~0ULL >> (64 - (depth - full)));
    for (int64_t r = r0; r < r1; r += 4) {
        const uint8_t *xr[4];
        for (int t = 0; t < 4; t++) xr[t] = x + (r + t < r1 ? r + t : r1 - 1) * depth;
        for (int64_t n = 0; n < units; n += 4) {
            const int8_t *wn[4];
            for (int u = 0; u < 4; u++) wn[u] = w + (n + u < units ? n + u : units - 1) * depth;
            __m512i acc[4][4];
            for (int t = 0; t < 4; t++)
                for (int u = 0; u < 4; u++) acc[t][u] = _mm512_setzero_si512();
            for (int64_t k = 0; k < full; k += 64) {
                __m512i xa[4], wb[4];
                for (int t = 0; t < 4; t++) xa[t] = _mm512_loadu_si512((const void *)(xr[t] + k));
                for (int u = 0; u < 4; u++) wb[u] = _mm512_loadu_si512((const void *)(wn[u] + k));
                for (int t = 0; t < 4; t++)
                    for (int u = 0; u < 4; u++) acc[t][u] = _mm512_dpbusd_epi32(acc[t][u], xa[t], wb[u]);
            }
            if (tail) {
                __m512i xa[4], wb[4];
                for (int t = 0; t < 4; t++) xa[t] = _mm512_maskz_loadu_epi8(tail, xr[t] + full);
                for (int u = 0; u < 4; u++) wb[u] = _mm512_maskz_loadu_epi8(tail, wn[u] + full);
                for (int t = 0; t < 4; t++)
                    for (int u = 0; u < 4; u++) acc[t][u] = _mm512_dpbusd_epi32(acc[t][u], xa[t], wb[u]);
            }
            for (int t = 0; t < 4 && r + t < r1; t++)
                for (int u = 0; u < 4 && n + u < units; u++)
                    out[(r + t) * units + n + u] = epilogue_value(e, n + u, _mm512_reduce_add_epi32(acc[t][u]));
        }
    }
}

VNNI static void quantize_vnni(const float *x, int64_t count, float inverse, int32_t zero, uint8_t *out) {
    const __m512 inv = _mm512_set1_ps(inverse), z = _mm512_set1_ps((float)zero);
    const __m512 low = _mm512_setzero_ps(), high = _mm512_set1_ps(255);
    int64_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512 v = _mm512_roundscale_ps(_mm512_mul_ps(_mm512_loadu_ps(x + i), inv), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        v = _mm512_min_ps(_mm512_max_ps(_mm512_add_ps(v, z), low), high);   // max(NaN, 0) is 0
        _mm_storeu_si128((__m128i *)(out + i), _mm512_cvtusepi32_epi8(_mm512_cvtps_epi32(v)));
    }
    quantize_portable(x + i, count - i, inverse, zero, out + i);
}

VNNI static inline void conv_store_vnni(const LeptonInt8Epilogue *e, int64_t f0, int64_t filters, __m512i acc,
                                        float *o) {
    const int64_t left = filters - f0;
    if (left <= 0) return;
    const __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
    const __m512i sums = _mm512_maskz_loadu_epi32(mask, e->weight_sums + f0);
    const __m512i centred = _mm512_sub_epi32(acc, _mm512_mullo_epi32(sums, _mm512_set1_epi32(e->input_zero_point)));
    __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(centred), _mm512_maskz_loadu_ps(mask, e->scales + f0));
    if (e->bias) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, e->bias + f0));
    if (e->relu) v = _mm512_max_ps(v, _mm512_setzero_ps());
    _mm512_mask_storeu_ps(o + f0, mask, v);
}

// Convolution: P conv output pixels x 32 filters per tile (2P accumulators); each step broadcasts
// 4 input bytes of a pixel's kernel row and multiplies them with 4 packed weights of 32 filters.
// With pooling, the tile covers P / pool_w pooled pixels: the sums of the pool_h conv rows and of
// the pool_w neighbours are reduced with an int32 max before the epilogue.
VNNI __attribute__((always_inline)) static inline void conv_vnni_tiles(const LeptonInt8ConvShape *s, int64_t r0, int64_t r1,
                                                                       const uint8_t *x, const int8_t *packed,
                                                                       const LeptonInt8Epilogue *e, float *out, const int P) {
    const ConvTiling t = conv_tiling(s, P);
    const int64_t groups = t.groups, fpad = t.fpad, F = t.filters, ph = t.pool_h, pw = t.pool_w;
    const int64_t pooled_h = t.pooled_h, pooled_w = t.pooled_w, Q = t.pooled_per_tile;
    for (int64_t r = r0; r < r1; r++) {
        const int64_t b = r / pooled_h, py = r % pooled_h;
        for (int64_t fb = 0; fb < fpad; fb += 32) {
            for (int64_t q0 = 0; q0 < pooled_w; q0 += Q) {
                int64_t offset[6];
                conv_tile_offsets(&t, q0, P, offset);
                __m512i best[6][2];
                for (int p = 0; p < P; p++) best[p][0] = best[p][1] = _mm512_set1_epi32(INT32_MIN);
                for (int64_t i = 0; i < ph; i++) {
                    const int64_t oy = py * ph + i;
                    __m512i acc[6][2];
                    for (int p = 0; p < P; p++) acc[p][0] = acc[p][1] = _mm512_setzero_si512();
                    for (int64_t dy = 0; dy < s->kernel_h; dy++) {
                        const uint8_t *row = conv_input_row(s, x, b, oy, dy);
                        const int8_t *wp = packed + ((dy * groups) * fpad + fb) * 4;
                        for (int64_t g = 0; g < groups; g++) {
                            const __m512i w0 = _mm512_loadu_si512((const void *)(wp + g * fpad * 4));
                            const __m512i w1 = _mm512_loadu_si512((const void *)(wp + g * fpad * 4 + 64));
                            for (int p = 0; p < P; p++) {
                                int32_t bytes;
                                memcpy(&bytes, row + offset[p] + g * 4, 4);
                                const __m512i xb = _mm512_set1_epi32(bytes);
                                acc[p][0] = _mm512_dpbusd_epi32(acc[p][0], xb, w0);
                                acc[p][1] = _mm512_dpbusd_epi32(acc[p][1], xb, w1);
                            }
                        }
                    }
                    for (int p = 0; p < P; p++) {
                        best[p][0] = _mm512_max_epi32(best[p][0], acc[p][0]);
                        best[p][1] = _mm512_max_epi32(best[p][1], acc[p][1]);
                    }
                }
                for (int64_t q = 0; q < Q && q0 + q < pooled_w; q++) {
                    __m512i m0 = best[q * pw][0], m1 = best[q * pw][1];
                    for (int64_t j = 1; j < pw; j++) {
                        m0 = _mm512_max_epi32(m0, best[q * pw + j][0]);
                        m1 = _mm512_max_epi32(m1, best[q * pw + j][1]);
                    }
                    float *o = out + (r * pooled_w + q0 + q) * F;
                    conv_store_vnni(e, fb, F, m0, o);
                    conv_store_vnni(e, fb + 16, F, m1, o);
                }
            }
        }
    }
}

VNNI static void conv_vnni(const LeptonInt8ConvShape *s, int64_t r0, int64_t r1, const uint8_t *x,
                           const int8_t *packed, const LeptonInt8Epilogue *e, float *out) {
    // A tile holds whole pooling windows: 6 pixels for widths 1, 2, 3 and 6, else the width itself;
    // a row narrower than 6 pixels without pooling (a matrix product of 1 to 5 rows) gets a tile of
    // its own width, so no multiplications are spent on repeated pixels.
    if (s->pool_w == 1 && s->out_w < 6) {
        switch (s->out_w) {
        case 1: conv_vnni_tiles(s, r0, r1, x, packed, e, out, 1); return;
        case 2: conv_vnni_tiles(s, r0, r1, x, packed, e, out, 2); return;
        case 3: conv_vnni_tiles(s, r0, r1, x, packed, e, out, 3); return;
        case 4: conv_vnni_tiles(s, r0, r1, x, packed, e, out, 4); return;
        default: conv_vnni_tiles(s, r0, r1, x, packed, e, out, 5); return;
        }
    }
    switch (s->pool_w) {
    case 1: case 2: case 3: case 6: conv_vnni_tiles(s, r0, r1, x, packed, e, out, 6); break;
    case 4: conv_vnni_tiles(s, r0, r1, x, packed, e, out, 4); break;
    case 5: conv_vnni_tiles(s, r0, r1, x, packed, e, out, 5); break;
    default: conv_portable(s, r0, r1, x, packed, e, out); break;
    }
}
#endif

void lepton_int8_quantize(int path, const float *x, int64_t count, float inverse, int32_t zero, uint8_t *out) {
#if defined(__x86_64__)
    if (path == LEPTON_INT8_AVX512_VNNI) { quantize_vnni(x, count, inverse, zero, out); return; }
    if (path == LEPTON_INT8_AVX2) { quantize_avx2(x, count, inverse, zero, out); return; }
#endif
    quantize_portable(x, count, inverse, zero, out);
}

void lepton_int8_dense(int path, int64_t r0, int64_t r1, int64_t units, int64_t depth, const uint8_t *x,
                       const int8_t *w, const LeptonInt8Epilogue *e, float *out) {
#if defined(__x86_64__)
    if (path == LEPTON_INT8_AVX512_VNNI) { dense_vnni(r0, r1, units, depth, x, w, e, out); return; }
    if (path == LEPTON_INT8_AVX2) {
        if (!lepton_int8_dense_narrow_avx2(r0, r1, units, depth, x, w, e, out)) dense_avx2_tiled(r0, r1, units, depth, x, w, e, out);
        return;
    }
#endif
    dense_portable(r0, r1, units, depth, x, w, e, out);
}

void lepton_int8_conv(int path, const LeptonInt8ConvShape *s, int64_t r0, int64_t r1, const uint8_t *x,
                      const int8_t *packed, const LeptonInt8Epilogue *e, float *out) {
#if defined(__x86_64__)
    if (path == LEPTON_INT8_AVX512_VNNI) { conv_vnni(s, r0, r1, x, packed, e, out); return; }
    if (path == LEPTON_INT8_AVX2) {
        if (!lepton_int8_conv_narrow_avx2(s, r0, r1, x, packed, e, out)) conv_avx2_widened(s, r0, r1, x, packed, e, out);
        return;
    }
#endif
    conv_portable(s, r0, r1, x, packed, e, out);
}
