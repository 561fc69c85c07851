/*
 * sgemm_bench.c: float32 row-major GEMM throughput of one BLAS library, for issue 18's
 * "2-thread GEMM" comparison (scripts/bench_blas.sh builds and runs it; see docs/BENCHMARKS.md).
 *
 * Build with exactly one of
 *   -DUSE_OPENBLAS  cblas_sgemm from OpenBLAS  (link -lopenblas)
 *   -DUSE_BLIS      cblas_sgemm from BLIS's CBLAS layer, the call Lepton would make (link -lblis)
 *   -DUSE_DNNL      dnnl_sgemm from oneDNN     (link -ldnnl)
 *
 * Usage: sgemm_bench [--seconds S] [--split T] [--info] SHAPE...
 *   SHAPE is MxNxK with an optional operation suffix, all row-major float32:
 *     MxNxK or MxNxK:nn  C[m,n] = A[m,k]  * B[k,n]
 *     MxNxK:tn           C[m,n] = A[k,m]^T * B[k,n]   (a weight gradient: X^T * dY)
 *     MxNxK:nt           C[m,n] = A[m,k]  * B[n,k]^T  (an input gradient: dY * W^T)
 *   --seconds S  timed repeats per shape, at least S seconds and 3 calls (default 0.2)
 *   --split T    split each product over T threads as Lepton's CPU backend does (CPUBackend.gemm:
 *                along the longer side of C in whole 16-wide panels, only when m*n*k >= T * 2^21
 *                multiply-adds per thread, else one call), each part one call of the library on
 *                its own thread; run it with the library at 1 thread. The workers are kept, spin
 *                100 us after their part and then sleep, like Lepton's WorkerPool.
 *   --info       print the library's version, kernels and threads, and exit
 *
 * Per shape: the operation is first checked against a naive triple loop on a small odd shape
 * (37x29x41, every entry) and then on the real shape (a sample of up to 256 entries, each a
 * dot product in double); the error of an entry is |c - ref| / sum_k |a||b| (the usual forward
 * bound of a dot product), and any above 1e-4 makes the program exit with status 2.
 * Then warm-up calls (at least 2, at least 0.05 s), then repeats, each call timed alone.
 * Output: one tab-separated line per shape:
 *   shape  op  m  n  k  best_gflops  median_gflops  calls
 * (GFLOP/s = 2*m*n*k / seconds / 1e9.)
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(USE_OPENBLAS) + defined(USE_BLIS) + defined(USE_DNNL) != 1
#error "define exactly one of USE_OPENBLAS, USE_BLIS, USE_DNNL"
#endif

#if defined(USE_OPENBLAS)
#include <cblas.h>
#define LIB_NAME "OpenBLAS"
#elif defined(USE_BLIS)
#include <blis.h> /* declares BLIS's CBLAS layer too (BLIS_ENABLE_CBLAS) */
#define LIB_NAME "BLIS"
#elif defined(USE_DNNL)
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>
#define LIB_NAME "oneDNN"
#endif

#define MAX_REL_ERR 1e-4

/* C = op(A) * op(B), row-major, leading dimensions given; ta: A is stored k x m; tb: B is n x k. */
static int gemm_ld(int ta, int tb, int m, int n, int k, const float *a, int lda, const float *b,
                   int ldb, float *c, int ldc) {
#if defined(USE_OPENBLAS) || defined(USE_BLIS)
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
    return 0;
#else
    dnnl_status_t s = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb,
                                 0.0f, c, ldc);
    return s == dnnl_success ? 0 : (int)s;
#endif
}

/* ---- Lepton's split (--split T): the same partition as CPUBackend.gemm, a kept worker pool ---- */
static int split_threads = 0; /* 0: one call, the library's own threading */
static struct {
    int ta, tb, m, n, k, lda, ldb, ldc, parts, panels, along_rows;
    const float *a, *b;
    float *c;
} job;
static atomic_ulong job_generation;
static atomic_int job_pending, job_status;
static pthread_mutex_t pool_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_wake = PTHREAD_COND_INITIALIZER;

static double now(void);

static void run_part(int part) {
    int extent = job.along_rows ? job.m : job.n;
    long lo16 = 16L * ((long)job.panels * part / job.parts);
    long hi16 = 16L * ((long)job.panels * (part + 1) / job.parts);
    int lo = (int)(lo16 < extent ? lo16 : extent), hi = (int)(hi16 < extent ? hi16 : extent);
    if (lo >= hi) return;
    int status;
    if (job.along_rows)
        status = gemm_ld(job.ta, job.tb, hi - lo, job.n, job.k,
                         job.a + (job.ta ? (size_t)lo : (size_t)lo * job.lda), job.lda, job.b, job.ldb,
                         job.c + (size_t)lo * job.ldc, job.ldc);
    else
        status = gemm_ld(job.ta, job.tb, job.m, hi - lo, job.k, job.a, job.lda,
                         job.b + (job.tb ? (size_t)lo * job.ldb : (size_t)lo), job.ldb, job.c + lo, job.ldc);
    if (status) atomic_store(&job_status, status);
}

static void *worker(void *arg) {
    int part = (int)(intptr_t)arg;
    unsigned long seen = 0;
    for (;;) {
        double start = now();
        unsigned long g;
        while ((g = atomic_load_explicit(&job_generation, memory_order_acquire)) == seen
               && now() - start < 100e-6) { /* spin 100 us, as Lepton's WorkerPool */ }
        if (g == seen) {
            pthread_mutex_lock(&pool_mutex);
            while ((g = atomic_load_explicit(&job_generation, memory_order_acquire)) == seen)
                pthread_cond_wait(&pool_wake, &pool_mutex);
            pthread_mutex_unlock(&pool_mutex);
        }
        seen = g;
        if (part < job.parts) run_part(part);
        atomic_fetch_sub_explicit(&job_pending, 1, memory_order_release);
    }
    return NULL;
}

static void start_pool(int threads) {
    for (int t = 1; t < threads; t++) {
        pthread_t id;
        if (pthread_create(&id, NULL, worker, (void *)(intptr_t)t) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            exit(1);
        }
        pthread_detach(id);
    }
}

static int gemm(int ta, int tb, int m, int n, int k, const float *a, const float *b, float *c) {
    int lda = ta ? m : k, ldb = tb ? k : n, ldc = n;
    if (split_threads <= 1) return gemm_ld(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
    /* Parallel.threads(for: m*n*k, grain: 1 << 21), then whole 16-wide panels of the longer side. */
    long work = (long)m * n * k / (1L << 21);
    int threads = work < 1 ? 1 : (work < split_threads ? (int)work : split_threads);
    int along_rows = m >= n, extent = along_rows ? m : n, panels = (extent + 15) / 16;
    int parts = threads < panels ? threads : panels;
    if (parts <= 1) return gemm_ld(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
    job.ta = ta; job.tb = tb; job.m = m; job.n = n; job.k = k;
    job.lda = lda; job.ldb = ldb; job.ldc = ldc; job.a = a; job.b = b; job.c = c;
    job.parts = parts; job.panels = panels; job.along_rows = along_rows;
    atomic_store(&job_status, 0);
    atomic_store_explicit(&job_pending, split_threads - 1, memory_order_relaxed);
    pthread_mutex_lock(&pool_mutex);
    atomic_fetch_add_explicit(&job_generation, 1, memory_order_release);
    pthread_cond_broadcast(&pool_wake);
    pthread_mutex_unlock(&pool_mutex);
    run_part(0);
    while (atomic_load_explicit(&job_pending, memory_order_acquire) > 0) { /* wait for the workers */ }
    return atomic_load(&job_status);
}

static void print_info(void) {
#if defined(USE_OPENBLAS)
    printf("library\tOpenBLAS\n");
    printf("config\t%s\n", openblas_get_config());
    printf("kernels\t%s\n", openblas_get_corename());
    printf("threads\t%d\n", openblas_get_num_threads());
#elif defined(USE_BLIS)
    printf("library\tBLIS\n");
    printf("config\tBLIS %s\n", bli_info_get_version_str());
    printf("kernels\t%s\n", bli_arch_string(bli_arch_query_id()));
    printf("threads\t%ld\n", (long)bli_thread_get_num_threads());
#else
    const dnnl_version_t *v = dnnl_version();
    printf("library\toneDNN\n");
    printf("config\toneDNN %d.%d.%d (git %s), CPU runtime %s\n", v->major, v->minor, v->patch,
           v->hash ? v->hash : "?", dnnl_runtime2str(v->cpu_runtime));
    printf("kernels\t%s\n", dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()));
    const char *omp = getenv("OMP_NUM_THREADS");
    printf("threads\t%s\n", omp ? omp : "(OMP default)");
#endif
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static float uniform(void) { /* [-1, 1) */
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (float)((double)(rng >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static float *alloc_floats(size_t count, int fill) {
    void *p = NULL;
    if (posix_memalign(&p, 64, (count ? count : 1) * sizeof(float)) != 0) {
        fprintf(stderr, "out of memory (%zu floats)\n", count);
        exit(1);
    }
    float *f = p;
    for (size_t i = 0; i < count; i++) f[i] = fill ? uniform() : 0.0f;
    return f;
}

/* The error of entry (i, j) of c, against a dot product in double. */
static double entry_error(int ta, int tb, int m, int n, int k, const float *a, const float *b,
                          const float *c, int i, int j) {
    double ref = 0.0, bound = 0.0;
    for (int p = 0; p < k; p++) {
        double x = ta ? a[(size_t)p * m + i] : a[(size_t)i * k + p];
        double y = tb ? b[(size_t)j * k + p] : b[(size_t)p * n + j];
        ref += x * y;
        bound += fabs(x * y);
    }
    double err = fabs((double)c[(size_t)i * n + j] - ref);
    return bound > 0.0 ? err / bound : err;
}

/* Checks the product of one shape: every entry (all = 1) or a sample of up to 256. */
static double check(int ta, int tb, int m, int n, int k, int all) {
    float *a = alloc_floats((size_t)m * k, 1), *b = alloc_floats((size_t)k * n, 1);
    float *c = alloc_floats((size_t)m * n, 0);
    for (size_t i = 0; i < (size_t)m * n; i++) c[i] = NAN; /* beta = 0 must overwrite */
    double worst = 0.0;
    int status = gemm(ta, tb, m, n, k, a, b, c);
    if (status != 0) {
        fprintf(stderr, "%s: gemm failed with status %d\n", LIB_NAME, status);
        worst = INFINITY;
    } else if (all) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double e = entry_error(ta, tb, m, n, k, a, b, c, i, j);
                if (!(e <= worst)) worst = e; /* NaN counts as worst */
            }
    } else {
        for (int s = 0; s < 256; s++) {
            /* corners first, then spread by a fixed stride */
            int i = s < 4 ? (s & 1 ? m - 1 : 0) : (int)(((uint64_t)s * 7919u) % (uint64_t)m);
            int j = s < 4 ? (s & 2 ? n - 1 : 0) : (int)(((uint64_t)s * 104729u) % (uint64_t)n);
            double e = entry_error(ta, tb, m, n, k, a, b, c, i, j);
            if (!(e <= worst)) worst = e;
        }
    }
    free(a); free(b); free(c);
    return worst;
}

static int compare_doubles(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

int main(int argc, char **argv) {
    double seconds = 0.2;
    int first = 1;
    for (; first < argc && argv[first][0] == '-' && argv[first][1] == '-'; first++) {
        if (strcmp(argv[first], "--info") == 0) { print_info(); return 0; }
        if (strcmp(argv[first], "--split") == 0 && first + 1 < argc) {
            split_threads = atoi(argv[++first]);
            continue;
        }
        if (strcmp(argv[first], "--seconds") == 0 && first + 1 < argc) {
            seconds = atof(argv[++first]);
            continue;
        }
        fprintf(stderr, "unknown option %s\n", argv[first]);
        return 1;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [--seconds S] [--split T] [--info] MxNxK[:nn|:tn|:nt]...\n", argv[0]);
        return 1;
    }
    if (split_threads > 1) start_pool(split_threads);
    int failed = 0;
    for (int s = first; s < argc; s++) {
        int m, n, k, used = 0;
        char op[3] = "nn";
        if (sscanf(argv[s], "%dx%dx%d%n", &m, &n, &k, &used) != 3 || m <= 0 || n <= 0 || k <= 0) {
            fprintf(stderr, "bad shape %s\n", argv[s]);
            return 1;
        }
        if (argv[s][used] == ':') {
            const char *o = argv[s] + used + 1;
            if (strcmp(o, "nn") && strcmp(o, "tn") && strcmp(o, "nt")) {
                fprintf(stderr, "bad operation in %s (nn, tn or nt)\n", argv[s]);
                return 1;
            }
            memcpy(op, o, 2);
        } else if (argv[s][used] != '\0') {
            fprintf(stderr, "bad shape %s\n", argv[s]);
            return 1;
        }
        int ta = op[0] == 't', tb = op[1] == 't';

        double small = check(ta, tb, 37, 29, 41, 1), real = check(ta, tb, m, n, k, 0);
        if (!(small < MAX_REL_ERR) || !(real < MAX_REL_ERR)) {
            fprintf(stderr, "%s: WRONG RESULT for %dx%dx%d:%s: relative error %.3g (37x29x41), "
                    "%.3g (sampled)\n", LIB_NAME, m, n, k, op, small, real);
            failed = 1;
            continue;
        }

        float *a = alloc_floats((size_t)m * k, 1), *b = alloc_floats((size_t)k * n, 1);
        float *c = alloc_floats((size_t)m * n, 0);
        double t0 = now();
        for (int w = 0; w < 2 || now() - t0 < 0.05; w++) gemm(ta, tb, m, n, k, a, b, c);

        size_t cap = 1024, count = 0;
        double *times = malloc(cap * sizeof(double));
        double start = now(), t = start;
        while (count < 3 || t - start < seconds) {
            double before = t;
            gemm(ta, tb, m, n, k, a, b, c);
            t = now();
            if (count == cap) times = realloc(times, (cap *= 2) * sizeof(double));
            times[count++] = t - before;
        }
        qsort(times, count, sizeof(double), compare_doubles);
        double median = count % 2 ? times[count / 2] : 0.5 * (times[count / 2 - 1] + times[count / 2]);
        double flop = 2.0 * m * n * k;
        printf("%dx%dx%d\t%s\t%d\t%d\t%d\t%.2f\t%.2f\t%zu\n", m, n, k, op, m, n, k,
               flop / times[0] / 1e9, flop / median / 1e9, count);
        fflush(stdout);
        free(times); free(a); free(b); free(c);
    }
    return failed ? 2 : 0;
}
