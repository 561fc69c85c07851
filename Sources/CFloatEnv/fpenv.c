#include "cfloatenv.h"

#if defined(__x86_64__)
#include <xmmintrin.h>

uint64_t lepton_fpenv_get(void) { return _mm_getcsr(); }
void lepton_fpenv_set(uint64_t word) { _mm_setcsr((unsigned int)word); }
/* FTZ (bit 15) and DAZ (bit 6). */
uint64_t lepton_fpenv_flushing(uint64_t word) { return word | 0x8040u; }

#elif defined(__aarch64__)

uint64_t lepton_fpenv_get(void) {
    uint64_t word;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(word));
    return word;
}
void lepton_fpenv_set(uint64_t word) { __asm__ __volatile__("msr fpcr, %0" : : "r"(word)); }
/* FZ (bit 24). */
uint64_t lepton_fpenv_flushing(uint64_t word) { return word | (1u << 24); }

#else

uint64_t lepton_fpenv_get(void) { return 0; }
void lepton_fpenv_set(uint64_t word) { (void)word; }
uint64_t lepton_fpenv_flushing(uint64_t word) { return word; }

#endif
