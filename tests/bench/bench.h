/*
 * tests/bench/bench.h — benchmarks register themselves like tests:
 *
 *   BENCH(frost_sign_2_of_3) { ... bench_report("frost sign 2-of-3", "per
 * party", cpu_ms); }
 *
 * Figures are CPU time of this process (CLOCK_PROCESS_CPUTIME_ID), so a busy
 * machine slows a run down less than wall time would. They go in README.md.
 */
#ifndef MPC_BENCH_H
#define MPC_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gmp.h>

#include "mpc/ctx.h"

typedef void (*bench_fn)(void);
void bench_register(const char *name, bench_fn fn);

#define BENCH(name)                                                            \
    static void bench_##name(void);                                            \
    __attribute__((constructor)) static void bench_reg_##name(void)            \
    {                                                                          \
        bench_register(#name, bench_##name);                                   \
    }                                                                          \
    static void bench_##name(void)

/* Process CPU time in milliseconds. */
double bench_cpu_ms(void);

/* Prints one result row: what was measured, per what, and the figure. */
void bench_report(const char *what, const char *per, double ms);

/* A context with a fixed-seed DRBG (reproducible inputs). */
const mpc_ctx *bench_ctx(void);

/* Repetitions: `dflt` scaled by MPC_BENCH_ITERS (a percentage). */
int bench_iters(int dflt);

/* out[0..count) (init'ed) = the fixture primes of `bits` bits numbered
 * first, first + 1, ... in file order; false (after a message) if the file
 * has fewer. */
bool bench_fixture_primes(size_t bits, size_t first, mpz_t *out, size_t count);

/* Aborts with "<who>: set-up failed" unless ok: benches have no failure
 * path of their own. */
void bench_require(bool ok, const char *who);

#endif
