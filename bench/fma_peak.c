/* fma_peak.c — the machine's fp32 FMA peak, the ceiling for bench's per-layer
 * GFLOP/s (issue 17's "compute-bound layers at >= 250 GFLOP/s" is only
 * reachable where this prints more). Each thread runs 16 independent chains of
 * the widest FMA the CPU has (AVX-512, else AVX2+FMA, else scalar fmaf), enough
 * to cover the FMA latency on any x86 core; one thread per online CPU by
 * default, all at once, as the 2-thread comparisons with onnxruntime run.
 *
 *   cmake --build build --target fma_peak && build/fma_peak [THREADS] [SECONDS]
 *
 * Prints per-thread and total GFLOP/s (an FMA counts 2 FLOPs). Figures only. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define FMA_X86 1
#endif

#define CHAINS 16
#define STEPS 4096 /* FMAs per chain between clock reads */

typedef struct job {
    double seconds, gflops;
    float sink;
    const char *isa;
} job;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Each kernel: CHAINS accumulators, x = x * m + a, STEPS times; returns the
 * FLOPs done (the sum goes to *sink so the work cannot be dropped). */
#ifdef FMA_X86
__attribute__((target("avx512f"))) static double run_avx512(float *sink)
{
    __m512 acc[CHAINS];
    const __m512 m = _mm512_set1_ps(0.9999999f), a = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++)
        acc[i] = _mm512_set1_ps((float)i);
    for (int s = 0; s < STEPS; s++)
#pragma GCC unroll 16 /* the chains in registers, not in the array */
        for (int i = 0; i < CHAINS; i++)
            acc[i] = _mm512_fmadd_ps(acc[i], m, a);
    __m512 t = acc[0];
    for (int i = 1; i < CHAINS; i++)
        t = _mm512_add_ps(t, acc[i]);
    *sink += _mm512_reduce_add_ps(t);
    return 2.0 * 16 * CHAINS * STEPS;
}

__attribute__((target("avx2,fma"))) static double run_avx2(float *sink)
{
    __m256 acc[CHAINS];
    const __m256 m = _mm256_set1_ps(0.9999999f), a = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++)
        acc[i] = _mm256_set1_ps((float)i);
    for (int s = 0; s < STEPS; s++)
#pragma GCC unroll 16 /* the chains in registers, not in the array */
        for (int i = 0; i < CHAINS; i++)
            acc[i] = _mm256_fmadd_ps(acc[i], m, a);
    float lanes[8];
    for (int i = 1; i < CHAINS; i++)
        acc[0] = _mm256_add_ps(acc[0], acc[i]);
    _mm256_storeu_ps(lanes, acc[0]);
    for (int i = 0; i < 8; i++)
        *sink += lanes[i];
    return 2.0 * 8 * CHAINS * STEPS;
}
#endif

static double run_scalar(float *sink)
{
    float acc[CHAINS];
    for (int i = 0; i < CHAINS; i++)
        acc[i] = (float)i;
    for (int s = 0; s < STEPS; s++)
#pragma GCC unroll 16 /* the chains in registers, not in the array */
        for (int i = 0; i < CHAINS; i++)
            acc[i] = acc[i] * 0.9999999f + 1e-7f;
    for (int i = 0; i < CHAINS; i++)
        *sink += acc[i];
    return 2.0 * CHAINS * STEPS;
}

static void *worker(void *arg)
{
    job *j = arg;
    double (*fn)(float *) = run_scalar;
    j->isa = "scalar";
#ifdef FMA_X86
    if (__builtin_cpu_supports("avx512f"))
        fn = run_avx512, j->isa = "AVX-512";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        fn = run_avx2, j->isa = "AVX2+FMA";
#endif
    double flops = 0;
    const double t0 = now();
    double t = t0;
    while (t - t0 < j->seconds) {
        flops += fn(&j->sink);
        t = now();
    }
    j->gflops = flops / (t - t0) / 1e9;
    return NULL;
}

int main(int argc, char **argv)
{
    long threads = argc > 1 ? strtol(argv[1], NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
    const double seconds = argc > 2 ? strtod(argv[2], NULL) : 1.0;
    if (threads < 1 || threads > 1024 || !(seconds > 0 && seconds < 3600)) {
        fprintf(stderr, "usage: fma_peak [THREADS 1..1024] [SECONDS]\n");
        return 2;
    }
    job *jobs = calloc((size_t)threads, sizeof *jobs);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    if (!jobs || !tid) {
        fprintf(stderr, "fma_peak: out of memory\n");
        return 1;
    }
    long started = 0;
    for (long i = 0; i < threads; i++) {
        jobs[i].seconds = seconds;
        if (pthread_create(&tid[i], NULL, worker, &jobs[i]) != 0)
            break;
        started++;
    }
    double total = 0;
    for (long i = 0; i < started; i++) {
        pthread_join(tid[i], NULL);
        printf("thread %ld: %.1f GFLOP/s fp32 (%s)\n", i, jobs[i].gflops, jobs[i].isa);
        total += jobs[i].gflops;
    }
    printf("fma peak: %.1f GFLOP/s fp32 with %ld threads (%.1f per thread)\n", total, started,
           started ? total / (double)started : 0.0);
    free(jobs);
    free(tid);
    return started == threads ? 0 : 1;
}
