// glibc's malloc tuning (mallopt) and statistics (mallinfo2), which Swift's Glibc module leaves out:
// the model server fixes its mmap threshold (LeptonServe's ServerMemory).
#include <malloc.h>
