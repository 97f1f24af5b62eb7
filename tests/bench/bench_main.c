/* Benchmark runner: `mpc-bench [SUBSTR...]` runs the matching benchmarks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "mpc/mem.h"
#include "mpc/rng.h"
#include "tests/bench/bench.h"

#define MAX_BENCH 256

struct bench_case {
    const char *name;
    bench_fn fn;
};
static struct bench_case benches[MAX_BENCH];
static size_t nbench;
static mpc_drbg drbg;
static mpc_ctx *ctx;

void bench_register(const char *name, bench_fn fn)
{
    if (nbench < MAX_BENCH)
        benches[nbench++] = (struct bench_case){name, fn};
}

double bench_cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void bench_report(const char *what, const char *per, double ms)
{
    printf("%-48s %-16s %10.3f ms\n", what, per, ms);
    fflush(stdout);
}

const mpc_ctx *bench_ctx(void)
{
    return ctx;
}

int bench_iters(int dflt)
{
    const char *s = getenv("MPC_BENCH_ITERS");
    long pct = s ? strtol(s, NULL, 10) : 100;
    long n = (long)dflt * pct / 100;
    return n < 1 ? 1 : (int)n;
}

int main(int argc, char **argv)
{
    mpc_gmp_use_zeroing_allocator();
    if (sodium_init() < 0)
        return 2;
    mpc_drbg_init(&drbg, (const uint8_t *)"mpcium-c bench", 14);
    mpc_ctx_config cfg = {.rng = mpc_drbg_fill, .rng_ud = &drbg};
    if (mpc_ctx_new(&ctx, &cfg) != MPC_OK)
        return 2;
    printf("%-48s %-16s %13s\n", "benchmark", "per", "CPU");
    for (size_t i = 0; i < nbench; i++) {
        int run = argc < 2;
        for (int a = 1; a < argc; a++)
            if (strstr(benches[i].name, argv[a]))
                run = 1;
        if (run)
            benches[i].fn();
    }
    mpc_ctx_free(ctx);
    return 0;
}
