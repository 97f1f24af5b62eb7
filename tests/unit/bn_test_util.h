/*
 * Helpers of the lib/bn tests: public random test data from the test's
 * own rng (so a failure replays with its seed).
 */
#ifndef MPC_TESTS_BN_TEST_UTIL_H
#define MPC_TESTS_BN_TEST_UTIL_H

#include <gmp.h>
#include <stdbool.h>
#include <stddef.h>

/* x = uniform in [0, 2^bits); false (and a recorded failure) if the rng
 * failed. */
bool bn_test_rand_bits(mpz_t x, size_t bits);
/* x = uniform in [-2^bits, 2^bits]; as above. */
bool bn_test_rand_signed(mpz_t x, size_t bits);

#endif
