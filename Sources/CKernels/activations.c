// The logistic sigmoid (the recurrent cells' and the element-wise op's) and the recurrent cells'
// hyperbolic tangent (LeptonTensor's RecurrentMath, CPUBackend.unary), in
// C so that they can be compiled for several CPUs: the same Cephes exponential as the Swift code
// (round-to-nearest range reduction, a degree-5 polynomial), vectorised by the compiler.
#include "kernel_paths.h"

#include "exp_cephes.h"

#include <stdint.h>

// Cephes' tanhf: an odd polynomial below |x| = 0.625, where 1 - 2 / (e^2|x| + 1) would cancel,
// and that form above; both computed so the loop vectorises (a select, no branch).
static inline float tanh_cephes(float x) {
    float z = x < 0 ? -x : x;
    float big = 1.0f - 2.0f / (exp_cephes(2.0f * z) + 1.0f);
    float s = x * x;
    float small = ((((-5.70498872745e-3f * s + 2.06390887954e-2f) * s - 5.37397155531e-2f) * s + 1.33314422036e-1f) * s
                   - 3.33332819422e-1f) * s * x + x;
    return z >= 0.625f ? (x < 0 ? -big : big) : small;
}

#define DEFINE_ACTIVATIONS(SUFFIX, ATTR)                                                          \
    ATTR static void sigmoid_##SUFFIX(const float *x, float *y, int64_t n) {                      \
        for (int64_t i = 0; i < n; i++) y[i] = 1.0f / (1.0f + exp_cephes(-x[i]));                 \
    }                                                                                             \
    ATTR static void silu_##SUFFIX(const float *x, float *y, int64_t n) {                         \
        for (int64_t i = 0; i < n; i++) y[i] = x[i] * (1.0f / (1.0f + exp_cephes(-x[i])));        \
    }                                                                                             \
    ATTR static void tanh_precise_##SUFFIX(const float *x, float *y, int64_t n) {                 \
        for (int64_t i = 0; i < n; i++) y[i] = tanh_cephes(x[i]);                                 \
    }                                                                                             \
    ATTR static void tanh_##SUFFIX(const float *x, float *y, int64_t n) {                         \
        for (int64_t i = 0; i < n; i++) y[i] = 1.0f - 2.0f / (exp_cephes(2.0f * x[i]) + 1.0f);    \
    }

LEPTON_DEFINE_PATHS(DEFINE_ACTIVATIONS)

void lepton_sigmoid(int path, const float *x, float *y, int64_t n) {
    LEPTON_DISPATCH(path, sigmoid, x, y, n);
}

void lepton_silu(int path, const float *x, float *y, int64_t n) {
    LEPTON_DISPATCH(path, silu, x, y, n);
}

void lepton_tanh_precise(int path, const float *x, float *y, int64_t n) {
    LEPTON_DISPATCH(path, tanh_precise, x, y, n);
}

void lepton_tanh(int path, const float *x, float *y, int64_t n) {
    LEPTON_DISPATCH(path, tanh, x, y, n);
}
