/* lib/bn: combs of a secret base or modulus (mpc_bn_comb_init_sec) and the
 * one-base comb exponentiation (mpc_bn_comb_powm_sec), against mpz_powm
 * and the public-value comb. */
#include <gmp.h>

#include "mpc/bn.h"
#include "mpc/ctx.h"
#include "tests/harness/test.h"

/* A 1024-bit odd modulus with small factors (3 * 5 * ...) is fine for the
 * comb: only the base must be a unit. */
static bool odd_modulus(mpz_t m, size_t bits)
{
    mpz_t b;
    mpz_init(b);
    mpz_setbit(b, bits - 1);
    mpc_err err = mpc_bn_random_below(test_ctx(), m, b);
    mpz_setbit(m, bits - 1);
    mpz_setbit(m, 0);
    mpz_clear(b);
    REQUIRE(err == MPC_OK);
    return true;
}

/* x = uniform in [-2^bits + 1, 2^bits - 1] (public test data). */
static bool rand_signed_below(mpz_t x, size_t bits)
{
    mpz_t b;
    mpz_init(b);
    mpz_setbit(b, bits);
    mpz_sub_ui(b, b, 1);
    mpc_err err = mpc_bn_random_symmetric(test_ctx(), x, b);
    mpz_clear(b);
    REQUIRE(err == MPC_OK);
    return true;
}

/* r == base^e mod m by mpz_powm (negative e: the inverse's power). */
static bool powm_ok(const mpz_t r, const mpz_t base, const mpz_t e,
                    const mpz_t m)
{
    mpz_t want;
    mpz_init(want);
    mpz_powm(want, base, e, m);
    bool eq = mpz_cmp(want, r) == 0;
    mpz_clear(want);
    REQUIRE(eq);
    return true;
}

TEST(bn_comb_sec_matches_powm)
{
    const mpc_ctx *ctx = test_ctx();
    const size_t sizes[] = {1024, 2048, 1536};
    const size_t ebits[] = {1024, 1024, 1536};
    mpz_t m, base, e, r, r2, zero;
    mpz_inits(m, base, e, r, r2, zero, NULL);
    for (size_t s = 0; s < 3; s++) {
        CHECK(odd_modulus(m, sizes[s]));
        do {
            CHECK_OK(mpc_bn_random_below(ctx, base, m));
        } while (!mpc_bn_is_unit_var(base, m));
        mpc_bn_comb c, pub;
        CHECK_OK(mpc_bn_comb_init_sec(ctx, &c, base, m, ebits[s]));
        CHECK_OK(mpc_bn_comb_init(&pub, base, m, ebits[s]));
        CHECK(mpc_bn_comb_matches(&c, base, m));
        for (int i = 0; i < 6; i++) {
            if (i == 0)
                mpz_set_ui(e, 0);
            else if (i == 1)
                mpz_set_si(e, -1);
            else if (i == 2) { /* the largest exponent of the bound */
                mpz_set_ui(e, 0);
                mpz_setbit(e, ebits[s]);
                mpz_sub_ui(e, e, 1);
            } else
                CHECK(rand_signed_below(e, ebits[s]));
            CHECK_OK(mpc_bn_comb_powm_sec(ctx, r, &c, e, ebits[s]));
            CHECK(powm_ok(r, base, e, m));
            /* The same as the public comb, and as powm2 with e2 = 0. */
            CHECK_OK(
                mpc_bn_comb_powm2_sec(ctx, r2, &pub, e, ebits[s], &c, zero, 1));
            CHECK(mpz_cmp(r, r2) == 0);
        }
        /* A smaller bound on the same comb. */
        CHECK(rand_signed_below(e, 100));
        CHECK_OK(mpc_bn_comb_powm_sec(ctx, r, &c, e, 100));
        CHECK(powm_ok(r, base, e, m));
        mpc_bn_comb cp = {.mem = NULL};
        mpc_bn_comb_copy(&cp, &c);
        mpc_bn_comb_clear(&c);
        CHECK_OK(mpc_bn_comb_powm_sec(ctx, r2, &cp, e, 100));
        CHECK(mpz_cmp(r, r2) == 0);
        mpc_bn_comb_clear(&cp);
        mpc_bn_comb_clear(&cp); /* a second clear is a no-op */
        mpc_bn_comb_clear(&pub);
    }
    mpz_clears(m, base, e, r, r2, zero, NULL);
}

TEST(bn_comb_sec_misuse)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t m, base, e, r;
    mpz_inits(m, base, e, r, NULL);
    mpc_bn_comb c;
    mpz_set_ui(m, 1000003 * 3); /* odd, base 3 is not a unit */
    mpz_set_ui(base, 3);
    CHECK_ERR(mpc_bn_comb_init_sec(ctx, &c, base, m, 64), MPC_ERR_INVALID_ARG);
    CHECK(c.mem == NULL);
    mpc_bn_comb_clear(&c);
    mpz_set_ui(m, 1000004); /* even */
    CHECK_ERR(mpc_bn_comb_init_sec(ctx, &c, base, m, 64), MPC_ERR_INVALID_ARG);
    mpz_set_ui(m, 1000003);
    CHECK_ERR(mpc_bn_comb_init_sec(ctx, &c, base, m, 0), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_bn_comb_init_sec(NULL, &c, base, m, 64), MPC_ERR_INVALID_ARG);
    mpz_set_si(base, -3);
    CHECK_ERR(mpc_bn_comb_init_sec(ctx, &c, base, m, 64), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_bn_comb_init_sec(ctx, NULL, base, m, 64),
              MPC_ERR_INVALID_ARG);
    /* A small modulus works; exponents over the bound do not. */
    mpz_set_ui(base, 3);
    CHECK_OK(mpc_bn_comb_init_sec(ctx, &c, base, m, 64));
    mpz_set_ui(e, 0);
    mpz_setbit(e, 64);
    mpz_set_ui(r, 9);
    CHECK_ERR(mpc_bn_comb_powm_sec(ctx, r, &c, e, 64), MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(r) == 0);
    mpz_set_ui(e, 12345);
    CHECK_ERR(mpc_bn_comb_powm_sec(ctx, r, &c, e, 65), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_bn_comb_powm_sec(ctx, r, &c, e, 0), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_bn_comb_powm_sec(NULL, r, &c, e, 64), MPC_ERR_INVALID_ARG);
    CHECK_OK(mpc_bn_comb_powm_sec(ctx, r, &c, e, 64));
    CHECK(powm_ok(r, base, e, m));
    mpc_bn_comb_clear(&c);
    CHECK_ERR(mpc_bn_comb_powm_sec(ctx, r, &c, e, 64), MPC_ERR_INVALID_ARG);
    mpz_clears(m, base, e, r, NULL);
}
