// What the int8 kernel files share (not part of the public header): the epilogue, the
// convolution tiling, and the AVX2 helpers.
#ifndef LEPTON_INT8_INTERNAL_H
#define LEPTON_INT8_INTERNAL_H

#include "cint8.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

static inline float epilogue_value(const LeptonInt8Epilogue *e, int64_t n, int32_t acc) {
    float v = (float)(acc - e->input_zero_point * e->weight_sums[n]) * e->scales[n];
    if (e->bias) v += e->bias[n];
    if (e->relu && v < 0) v = 0;
    return v;
}

static inline int64_t conv_groups(const LeptonInt8ConvShape *s) { return (s->kernel_w * s->channels + 3) / 4; }
static inline int64_t conv_padded_filters(const LeptonInt8ConvShape *s) { return (s->filters + 31) / 32 * 32; }

// Where the tiles of a (pooled) output row read: the tiling both SIMD paths share. A tile holds
// P conv pixels = P / pool_w pooled pixels; pixels past the pooled width read the last one.
typedef struct {
    int64_t groups, fpad, filters, pool_h, pool_w, pooled_h, pooled_w, pooled_per_tile, pixel_step, last;
} ConvTiling;

static inline ConvTiling conv_tiling(const LeptonInt8ConvShape *s, int P) {
    ConvTiling t;
    t.groups = conv_groups(s);
    t.fpad = conv_padded_filters(s);
    t.filters = s->filters;
    t.pool_h = s->pool_h;
    t.pool_w = s->pool_w;
    t.pooled_h = s->out_h / s->pool_h;
    t.pooled_w = s->out_w / s->pool_w;
    t.pooled_per_tile = P / s->pool_w;
    t.pixel_step = s->stride_w * s->channels;
    t.last = t.pooled_w * t.pool_w - 1;
    return t;
}

/// The byte offsets in an input row of the P conv pixels of the tile starting at pooled pixel q0.
static inline void conv_tile_offsets(const ConvTiling *t, int64_t q0, int P, int64_t *offset) {
    for (int p = 0; p < P; p++) {
        const int64_t ox = q0 * t->pool_w + p;
        offset[p] = (ox < t->last ? ox : t->last) * t->pixel_step;
    }
}

/// The first byte of input row `oy * stride_h + dy` of image b.
static inline const uint8_t *conv_input_row(const LeptonInt8ConvShape *s, const uint8_t *x, int64_t b, int64_t oy, int64_t dy) {
    return x + ((b * s->in_h + oy * s->stride_h + dy) * s->in_w) * s->channels;
}

#if defined(__x86_64__)
#define AVX2 __attribute__((target("avx2,fma")))

AVX2 static inline int32_t hsum_avx2(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

AVX2 static inline void conv_store_avx2(const LeptonInt8Epilogue *e, int64_t f0, int64_t filters, __m256i acc, float *o) {
    if (f0 + 8 > filters) {
        int32_t lanes[8];
        _mm256_storeu_si256((__m256i *)lanes, acc);
        for (int64_t f = f0; f < filters; f++) o[f] = epilogue_value(e, f, lanes[f - f0]);
        return;
    }
    const __m256i sums = _mm256_loadu_si256((const __m256i *)(e->weight_sums + f0));
    const __m256i centred = _mm256_sub_epi32(acc, _mm256_mullo_epi32(sums, _mm256_set1_epi32(e->input_zero_point)));
    __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(centred), _mm256_loadu_ps(e->scales + f0));
    if (e->bias) v = _mm256_add_ps(v, _mm256_loadu_ps(e->bias + f0));
    if (e->relu) v = _mm256_max_ps(v, _mm256_setzero_ps());
    _mm256_storeu_ps(o + f0, v);
}

/// The narrow-weight AVX2 kernels of int8_narrow.c: they run and return 1 when the epilogue says
/// the weights are narrow (and the pooling is at most 4 wide), else return 0 without writing.
int lepton_int8_dense_narrow_avx2(int64_t r0, int64_t r1, int64_t units, int64_t depth, const uint8_t *x,
                                  const int8_t *w, const LeptonInt8Epilogue *e, float *out);
int lepton_int8_conv_narrow_avx2(const LeptonInt8ConvShape *s, int64_t r0, int64_t r1, const uint8_t *x,
                                 const int8_t *packed, const LeptonInt8Epilogue *e, float *out);
#endif

#endif
