// Cephes' float32 exponential (round-to-nearest range reduction, a degree-5 polynomial), the
// same steps as LeptonTensor's RecurrentMath.exp; shared by the C kernels that need exp. Included
// after `#pragma STDC FP_CONTRACT OFF`, it rounds each operation as the Swift code does.
#ifndef LEPTON_EXP_CEPHES_H
#define LEPTON_EXP_CEPHES_H

#include <stdint.h>
#include <string.h>

static inline float exp_cephes(float v) {
    float x0 = v < -87.3f ? -87.3f : (v > 88.3f ? 88.3f : v);
    const float magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
    float shifted = x0 * 1.44269504088896341f + magic;
    float fx = shifted - magic;
    int32_t bits_shifted, bits_magic;
    memcpy(&bits_shifted, &shifted, 4);
    memcpy(&bits_magic, &magic, 4);
    int32_t n = bits_shifted - bits_magic;
    float x = x0 - fx * 0.693359375f;
    x = x + fx * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * x + 1.3981999507e-3f;
    p = p * x + 8.3334519073e-3f;
    p = p * x + 4.1665795894e-2f;
    p = p * x + 1.6666665459e-1f;
    p = p * x + 5.0000001201e-1f;
    float y = p * (x * x) + x + 1.0f;
    uint32_t scale_bits = (uint32_t)(n + 127) << 23;
    float scale;
    memcpy(&scale, &scale_bits, 4);
    return y * scale;
}

#endif
