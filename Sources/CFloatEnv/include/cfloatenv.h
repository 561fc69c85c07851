#ifndef LEPTON_CFLOATENV_H
#define LEPTON_CFLOATENV_H

#include <stdint.h>

/// The calling thread's floating-point control word (x86-64: MXCSR; AArch64: FPCR; 0 elsewhere).
uint64_t lepton_fpenv_get(void);

/// Sets the calling thread's control word to one saved by lepton_fpenv_get.
void lepton_fpenv_set(uint64_t word);

/// `word` with subnormal numbers flushed to zero, as results and as inputs (x86-64: FTZ and DAZ;
/// AArch64: FZ); unchanged on other processors.
uint64_t lepton_fpenv_flushing(uint64_t word);

#endif
