// OpenBLAS's C interface, from Debian's libopenblas-dev.
#include <cblas.h>

// Declared by OpenBLAS (openblas_config.h / cblas.h); repeated here so that
// builds against a generic cblas.h still see them.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
