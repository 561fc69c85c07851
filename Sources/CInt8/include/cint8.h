#ifndef LEPTON_CINT8_H
#define LEPTON_CINT8_H

#include <stddef.h>
#include <stdint.h>

/// Which int8 kernel runs: chosen at run time from the CPU's features.
typedef enum {
    /// Plain C loops (any CPU).
    LEPTON_INT8_PORTABLE = 0,
    /// Hand-written AVX2 kernels: vpmaddubsw + vpmaddwd when the weights are narrow (every code in
    /// -64...64, so the u8 x s8 pair sums cannot saturate: ONNX Runtime's reduce_range), else exact
    /// 16-bit products (vpmaddwd).
    LEPTON_INT8_AVX2 = 1,
    /// Hand-written AVX-512 VNNI kernels (vpdpbusd: 64 u8 x s8 products summed into 16 int32 lanes).
    LEPTON_INT8_AVX512_VNNI = 2,
} LeptonInt8Path;

/// 1 when this CPU (and its OS) can run `path`, else 0.
int lepton_int8_path_supported(int path);

/// Quantises count floats to uint8: clamp(round_half_even(x * inverse_scale) + zero_point, 0, 255),
/// NaN to 0 (ONNX QuantizeLinear).
void lepton_int8_quantize(int path, const float *x, int64_t count, float inverse_scale, int32_t zero_point, uint8_t *out);

/// What turns an int32 accumulator into a float output for channel n:
/// out = (acc - input_zero_point * weight_sums[n]) * scales[n] + bias[n], then max(0, .) when relu.
/// narrow_weights: 1 when every weight code is in -64...64 (`lepton_int8_fits_narrow`), which lets
/// the AVX2 kernels use vpmaddubsw; 0 is always correct.
typedef struct {
    const int32_t *weight_sums;
    int32_t input_zero_point;
    const float *scales;
    const float *bias;  /* may be NULL */
    int relu;
    int narrow_weights;
} LeptonInt8Epilogue;

/// 1 when every one of the count codes is in -64...64: two u8 x s8 products then sum to at most
/// 2 * 255 * 64 = 32640, inside vpmaddubsw's saturating int16.
int lepton_int8_fits_narrow(int path, const int8_t *w, int64_t count);

/// Dense: out[r][n] for rows r in [row_begin, row_end) from x[rows][depth] (uint8) and
/// w[units][depth] (int8, one output unit per row).
void lepton_int8_dense(int path, int64_t row_begin, int64_t row_end, int64_t units, int64_t depth,
                       const uint8_t *x, const int8_t *w, const LeptonInt8Epilogue *epilogue, float *out);

/// Geometry of a channels-last convolution over an input that is already padded, optionally
/// followed by a max pooling of pool_h x pool_w windows (stride = window, no padding; 1 x 1 = none).
typedef struct {
    int64_t batch, in_h, in_w, channels;
    int64_t out_h, out_w, filters;
    int64_t kernel_h, kernel_w, stride_h, stride_w;
    int64_t pool_h, pool_w;
} LeptonInt8ConvShape;

/// Bytes of the packed weights `lepton_int8_conv_pack` writes.
size_t lepton_int8_conv_packed_size(const LeptonInt8ConvShape *shape);

/// Packs w[filters][kernel_h][kernel_w][channels] into the kernels' layout
/// [kernel_h][groups of 4 bytes of one kernel row][filters rounded up to 32][4], zero-filled.
void lepton_int8_conv_pack(const LeptonInt8ConvShape *shape, const int8_t *w, int8_t *packed);

/// Implicit-GEMM convolution of pooled output rows (image, row) in [row_begin, row_end) from the
/// padded uint8 input x[batch][in_h][in_w][channels] (readable 64 bytes past its end) into
/// out[batch][out_h / pool_h][out_w / pool_w][filters]. The pooling takes the max of the int32
/// sums before the epilogue (which is increasing in the sum: scales are positive), so the
/// epilogue runs once per pooled output.
void lepton_int8_conv(int path, const LeptonInt8ConvShape *shape, int64_t row_begin, int64_t row_end,
                      const uint8_t *x, const int8_t *packed, const LeptonInt8Epilogue *epilogue, float *out);

/// The smallest and largest finite values of x[count] (NaN and infinities skipped; +inf and -inf
/// when none is finite): the range dynamic quantisation measures on each batch.
void lepton_int8_range(int path, const float *x, int64_t count, float *minimum, float *maximum);

#endif
