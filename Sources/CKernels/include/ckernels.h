#ifndef LEPTON_CKERNELS_H
#define LEPTON_CKERNELS_H

#include <stdint.h>

/// Which build of a float32 kernel runs: chosen at run time from the CPU's features.
typedef enum {
    /// Plain C loops for any x86-64 (SSE2) or other CPU.
    LEPTON_KERNELS_PORTABLE = 0,
    /// The same loops compiled for AVX2 + FMA (8-wide fused multiply-adds).
    LEPTON_KERNELS_AVX2 = 1,
    /// The same loops compiled for AVX-512 (16-wide).
    LEPTON_KERNELS_AVX512 = 2,
} LeptonKernelPath;

/// 1 when this CPU (and its OS) can run `path`, else 0.
int lepton_kernels_path_supported(int path);

/// Direct channels-last convolution of `count` neighbouring output pixels whose windows lie
/// inside the image: pixel p's window starts at `corner + p * step`, its tap t reads
/// `window[offsets[t]]` (t < taps), and its `channels` outputs go to `out + p * out_step`:
/// `out[j] = bias[j] + sum_t window[offsets[t]] * weights[t * channels + j]`, then
/// `max(out[j], 0)` when `relu` (a NaN becomes 0). `bias` may be NULL. Two pixels are computed
/// at a time (each weight load shared), 32, 16 or 8 outputs at a time.
void lepton_direct_conv_run(int path, const float *corner, int64_t step, int64_t count, const int64_t *offsets,
                            int64_t taps, const float *weights, int64_t channels, const float *bias,
                            float *out, int64_t out_step, int relu);

/// `p[i] = 1 / (1 + exp(-p[i]))` for i < n, in place (exp: Cephes' float32 polynomial).
void lepton_sigmoid(int path, float *p, int64_t n);

/// `p[i] = tanh(p[i]) = 1 - 2 / (exp(2 p[i]) + 1)` for i < n, in place.
void lepton_tanh(int path, float *p, int64_t n);

#endif
