// oneDNN's C interface (Debian's libdnnl-dev): LeptonTensor uses its row-major dnnl_sgemm for
// the larger matrix products (BLASCore.swift: GEMMLibrary).
#include <oneapi/dnnl/dnnl.h>
