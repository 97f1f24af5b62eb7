/*
 * tests/ctime/ctime.h — checks in the other files of tests/ctime/.
 *
 * scripts/ctime.sh links every .c file of tests/ctime/ into one runner.
 * Its main (ctime_tests.c) runs its own checks, then every entry point
 * registered with CTIME_REGISTER; with `--findings`, the entry points
 * registered with CTIME_REGISTER_FINDING instead (calls that valgrind
 * still reports, kept runnable until lib/ is fixed; not part of `make
 * ctime`). An entry point gets the runner's context, whose rng marks
 * every byte it draws undefined (secret), and returns the number of its
 * checks that failed. Run only under valgrind.
 *
 *     static int check_mine(const mpc_ctx *ctx) { ...; return failed; }
 *     CTIME_REGISTER(check_mine)
 */
#ifndef TESTS_CTIME_H
#define TESTS_CTIME_H

#include <stdbool.h>

#include "mpc/ctx.h"

typedef int (*ctime_check_fn)(const mpc_ctx *ctx);

/* Called before main by the macros below; `name` is printed on failure. */
void ctime_register(const char *name, ctime_check_fn fn, bool finding);

#define CTIME_REGISTER(fn)                                                     \
    __attribute__((constructor)) static void ctime_register_##fn(void)         \
    {                                                                          \
        ctime_register(#fn, fn, false);                                        \
    }

#define CTIME_REGISTER_FINDING(fn)                                             \
    __attribute__((constructor)) static void ctime_register_##fn(void)         \
    {                                                                          \
        ctime_register(#fn, fn, true);                                         \
    }

#endif /* TESTS_CTIME_H */
