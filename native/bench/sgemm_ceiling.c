/* The sgemm ceiling of one OpenBLAS build: square row-major C = A * B at a few sizes, the median of 9 timed
 * runs after 2 warm-ups, in GFLOP/s. Linked statically against each OpenBLAS to compare them in one sitting
 * (./build.sh --target=BlasCeiling builds it against the source-built and Debian's library, runs them alternately):
 *   gcc -O2 native/bench/sgemm_ceiling.c <libopenblas.a> -lpthread -lm -o /tmp/sgemm_ceiling
 *   /tmp/sgemm_ceiling THREADS SIZE...
 * Prints one line per size: "<core> threads=<t> n=<n> <GFLOP/s>". */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { RowMajor = 101, NoTrans = 111 };
void cblas_sgemm(int order, int ta, int tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b, int ldb,
                 float beta, float* c, int ldc);
void openblas_set_num_threads(int threads);
char* openblas_get_corename(void);

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmp(const void* a, const void* b) { double x = *(const double*)a, y = *(const double*)b; return x < y ? -1 : x > y; }

int main(int argc, char** argv)
{
    if (argc < 3) { fprintf(stderr, "usage: sgemm_ceiling THREADS SIZE...\n"); return 2; }
    int threads = atoi(argv[1]);
    if (threads < 1) { fprintf(stderr, "sgemm_ceiling: THREADS must be at least 1, got '%s'\n", argv[1]); return 2; }
    openblas_set_num_threads(threads);
    for (int arg = 2; arg < argc; arg++)
    {
        int n = atoi(argv[arg]);
        if (n < 1) { fprintf(stderr, "sgemm_ceiling: SIZE must be at least 1, got '%s'\n", argv[arg]); return 2; }
        size_t count = (size_t)n * n;
        float* a = malloc(sizeof(float) * count);
        float* b = malloc(sizeof(float) * count);
        float* c = malloc(sizeof(float) * count);
        if (!a || !b || !c) { fprintf(stderr, "sgemm_ceiling: out of memory at n=%d\n", n); return 1; }
        for (size_t i = 0; i < count; i++) { a[i] = (float)(i % 7) * 0.25f; b[i] = (float)(i % 5) * 0.5f; }
        double times[9];
        for (int r = -2; r < 9; r++)
        {
            double t0 = now();
            cblas_sgemm(RowMajor, NoTrans, NoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
            if (r >= 0) times[r] = now() - t0;
        }
        qsort(times, 9, sizeof(double), cmp);
        printf("%s threads=%d n=%d %.1f\n", openblas_get_corename(), threads, n, 2.0 * n * n * (double)n / times[4] * 1e-9);
        free(a);
        free(b);
        free(c);
    }
    return 0;
}
