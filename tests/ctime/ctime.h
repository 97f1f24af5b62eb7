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
#include <stdio.h>

#include <gmp.h>
#include <valgrind/memcheck.h>

#include "mpc/ctx.h"
#include "mpc/paillier.h"

/* In a check file: a functional check on a declassified result, counted in
 * the file's own `static int failed` (its entry points reset and return
 * it), so that a broken build cannot pass vacuously. */
#define CTIME_EXPECT(cond)                                                     \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
            failed++;                                                          \
        }                                                                      \
    } while (0)

/* Marks bytes secret (undefined for memcheck) or public again. */
#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define DECLASSIFY(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

/* The limbs of an mpz. Its limb count and sign are public by the policy of
 * mpc/bn.h; the limb values are the secret. */
void ctime_secret_mpz(mpz_t x);
void ctime_declassify_mpz(mpz_t x);

/*
 * A secret modulus (Paillier p, q, p^2, q^2): secret except for what GMP's
 * modulus set-up reads (mpc/bn.h, "Secret moduli"): the leading zero count
 * and top 9 bits of the top limb (mpn_invert_limb) and the low 7 bits
 * (binvert). Declassified here to the byte: the top two bytes and the low
 * byte. For our primes the top two and low three bits are public anyway.
 */
void ctime_secret_modulus(mpz_t x);

/* Every secret value of a Paillier key (primes, φ, the CRT constants); not
 * its comb tables. */
void ctime_secret_sk(mpc_paillier_sk *sk);

/* p, q (init'ed) = the primes of fixture key `index` among the fixtures of
 * `bits` bits (tests/vectors/paillier-fixtures.txt, from the repo root). */
bool ctime_fixture_primes(mpz_t p, mpz_t q, unsigned bits, unsigned index);

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
