// OpenMPI's C interface, from Debian's libopenmpi-dev (pkg-config `ompi`).
//
// MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are macros that cast the address of
// a library global, which Swift cannot import; these inline functions hand them over as values.
#include <mpi.h>

static inline MPI_Comm lepton_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype lepton_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype lepton_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype lepton_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op lepton_mpi_op_sum(void) { return MPI_SUM; }
static inline MPI_Op lepton_mpi_op_max(void) { return MPI_MAX; }
static inline MPI_Op lepton_mpi_op_min(void) { return MPI_MIN; }
static inline void *lepton_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Errhandler lepton_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int lepton_mpi_success(void) { return MPI_SUCCESS; }
static inline int lepton_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int lepton_mpi_thread_multiple(void) { return MPI_THREAD_MULTIPLE; }
static inline int lepton_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline int lepton_mpi_any_source(void) { return MPI_ANY_SOURCE; }
static inline int lepton_mpi_any_tag(void) { return MPI_ANY_TAG; }
