// The recurrent cells' logistic sigmoid and hyperbolic tangent (LeptonTensor's RecurrentMath), in
// C so that they can be compiled for several CPUs: the same Cephes exponential as the Swift code
// (round-to-nearest range reduction, a degree-5 polynomial), vectorised by the compiler.
#include "kernel_paths.h"

#include "exp_cephes.h"

#include <stdint.h>

#define DEFINE_ACTIVATIONS(SUFFIX, ATTR)                                                          \
    ATTR static void sigmoid_##SUFFIX(float *p, int64_t n) {                                      \
        for (int64_t i = 0; i < n; i++) p[i] = 1.0f / (1.0f + exp_cephes(-p[i]));                 \
    }                                                                                             \
    ATTR static void tanh_##SUFFIX(float *p, int64_t n) {                                         \
        for (int64_t i = 0; i < n; i++) p[i] = 1.0f - 2.0f / (exp_cephes(2.0f * p[i]) + 1.0f);    \
    }

LEPTON_DEFINE_PATHS(DEFINE_ACTIVATIONS)

void lepton_sigmoid(int path, float *p, int64_t n) {
    LEPTON_DISPATCH(path, sigmoid, p, n);
}

void lepton_tanh(int path, float *p, int64_t n) {
    LEPTON_DISPATCH(path, tanh, p, n);
}
