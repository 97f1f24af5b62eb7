#include "tests/unit/bn_test_util.h"

#include "mpc/bn.h"
#include "tests/harness/test.h"

/* x from the sampler over [0, 2^bits) or [-2^bits, 2^bits]. */
static bool sample(mpz_t x, size_t bits, bool symmetric)
{
    mpz_t b;
    mpz_init(b);
    mpz_setbit(b, bits);
    mpc_err err = symmetric ? mpc_bn_random_symmetric(test_ctx(), x, b)
                            : mpc_bn_random_below(test_ctx(), x, b);
    mpz_clear(b);
    REQUIRE(err == MPC_OK);
    return true;
}

bool bn_test_rand_bits(mpz_t x, size_t bits)
{
    return sample(x, bits, false);
}

bool bn_test_rand_signed(mpz_t x, size_t bits)
{
    return sample(x, bits, true);
}
