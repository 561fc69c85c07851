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

/// One Adam step's constants (see `lepton_adam`).
typedef struct {
    float beta1, beta2, one_minus_beta1, one_minus_beta2;
    /// 1 / sqrt(1 - beta2^step).
    float inverse_sqrt_correction2;
    float epsilon;
    /// learning_rate / (1 - beta1^step).
    float step_size;
    float weight_decay;
    /// 1 - learning_rate * weight_decay (AdamW's decoupled decay of the weights).
    float decay;
    /// weight_decay != 0: added to the gradient as an L2 penalty (l2) or decoupled (AdamW).
    int l2, decoupled;
} LeptonAdamStep;

/// One Adam / AdamW step over n parameters, in place, with the moments m and v:
/// g = grad (+ weight_decay * p when l2); p *= decay when decoupled;
/// m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g²;
/// p -= (m / (sqrt(v) * inverse_sqrt_correction2 + epsilon)) * step_size.
/// Every path rounds each operation as written (no fused multiply-add), so all give the same bits.
void lepton_adam(int path, const LeptonAdamStep *s, float *param, const float *grad, float *m, float *v, int64_t n);

/// `y[i] = 1 / (1 + exp(-x[i]))` for i < n (exp: Cephes' float32 polynomial); `y` may be `x`.
void lepton_sigmoid(int path, const float *x, float *y, int64_t n);

/// `y[i] = x[i] * (1 / (1 + exp(-x[i])))` for i < n (SiLU, rounded as a sigmoid then a product);
/// `y` may be `x`.
void lepton_silu(int path, const float *x, float *y, int64_t n);

/// `y[i] = tanh(x[i])` to a few ulp for i < n (Cephes' tanhf: an odd polynomial below |x| = 0.625,
/// `1 - 2 / (exp(2|x|) + 1)` above); the element-wise op's. `y` may be `x`.
void lepton_tanh_precise(int path, const float *x, float *y, int64_t n);

/// `y[i] = tanh(x[i]) = 1 - 2 / (exp(2 x[i]) + 1)` for i < n (the recurrent cells' form: exact to
/// an absolute 1e-7 but not relatively near zero); `y` may be `x`.
void lepton_tanh(int path, const float *x, float *y, int64_t n);

/// Softmax in place of `rows` rows of `n` attention scores (row r at `s + r * n`), over the
/// entries whose keep value `keep[r * keep_row_stride + j * keep_stride]` is non-zero (every
/// entry when `keep` is NULL): masked entries become 0, and a row with nothing kept becomes all
/// zeros. exp is Cephes' polynomial; all paths give the same bits.
void lepton_attention_softmax(int path, float *s, int64_t rows, int64_t n, const float *keep,
                              int64_t keep_row_stride, int64_t keep_stride);

/// The softmax's gradient for `rows` rows of `n`, in place: with the weights `w` and the
/// weights' gradient `d`, `d[j] = w[j] * (d[j] - sum_k w[k] * d[k])`.
void lepton_attention_softmax_backward(int path, const float *w, float *d, int64_t rows, int64_t n);

#endif
