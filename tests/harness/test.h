/*
 * tests/harness/test.h — the test harness every suite file uses.
 *
 *   TEST(frost_sign_2_of_3) { ... CHECK(x == y); CHECK_OK(f()); ... }
 *
 * Tests register themselves (no list to edit). Each runs in its own forked
 * process (a crash fails one test, not the run), with a fresh mpc_ctx whose
 * rng is a DRBG seeded from the run seed and the test name, so a failure
 * replays with `--seed HEX --only NAME`. The runner's last line is
 * `N passed, N failed`.
 */
#ifndef MPC_TEST_H
#define MPC_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/rng.h"

typedef void (*test_fn)(void);

void test_register(const char *name, test_fn fn, const char *file);

#define TEST(name)                                                             \
    static void test_##name(void);                                             \
    __attribute__((constructor)) static void test_reg_##name(void)             \
    {                                                                          \
        test_register(#name, test_##name, __FILE__);                           \
    }                                                                          \
    static void test_##name(void)

/* Records a failure; the CHECK macros then return from the test function. */
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool test_failed(void);

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                 \
            return;                                                            \
        }                                                                      \
    } while (0)

#define CHECK_ERR(expr, want)                                                  \
    do {                                                                       \
        mpc_err got_ = (expr);                                                 \
        if (got_ != (want)) {                                                  \
            test_fail(__FILE__, __LINE__, "%s = %s, want %s", #expr,           \
                      mpc_err_name(got_), mpc_err_name(want));                 \
            return;                                                            \
        }                                                                      \
    } while (0)

#define CHECK_OK(expr) CHECK_ERR(expr, MPC_OK)

#define CHECK_MEM(a, b, n)                                                     \
    do {                                                                       \
        if (memcmp((a), (b), (n)) != 0) {                                      \
            test_fail(__FILE__, __LINE__, "CHECK_MEM(%s, %s, %s)", #a, #b,     \
                      #n);                                                     \
            return;                                                            \
        }                                                                      \
    } while (0)

/* Use inside helper functions that return bool: fails and returns false. */
#define REQUIRE(cond)                                                          \
    do {                                                                       \
        if (!(cond)) {                                                         \
            test_fail(__FILE__, __LINE__, "REQUIRE(%s)", #cond);               \
            return false;                                                      \
        }                                                                      \
    } while (0)

#define REQUIRE_OK(expr)                                                       \
    do {                                                                       \
        mpc_err got_ = (expr);                                                 \
        if (got_ != MPC_OK) {                                                  \
            test_fail(__FILE__, __LINE__, "%s = %s", #expr,                    \
                      mpc_err_name(got_));                                     \
            return false;                                                      \
        }                                                                      \
    } while (0)

/* The context of the running test (fresh per test, seeded DRBG). */
const mpc_ctx *test_ctx(void);

/* The DRBG behind test_ctx(), for tests that need raw random bytes. */
mpc_drbg *test_drbg(void);

/* Makes an extra context with its own DRBG seeded from `label`; the harness
 * frees it after the test. Useful to give each simulated party its own rng. */
const mpc_ctx *test_new_ctx(const char *label);

/* Iteration count: `dflt` scaled by MPC_TEST_ITERS (a percentage, default
 * 100), never below 1. */
int test_iters(int dflt);

/* Hex helpers for vectors: returns false on bad input. */
bool test_unhex(uint8_t *out, size_t out_len, const char *hex);
/* Reads a whole file from tests/vectors/ (path relative to the repo root);
 * the caller frees. NULL on failure. */
char *test_read_file(const char *path, size_t *len);

#endif /* MPC_TEST_H */
