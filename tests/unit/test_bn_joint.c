/* lib/bn: the joint exponentiation b1^e1 * b2^e2 (mpc_bn_powm_joint_sec)
 * against two mpz_powm, with edge exponents and misuse. */
#include <gmp.h>

#include "mpc/bn.h"
#include "mpc/ctx.h"
#include "tests/harness/test.h"
#include "tests/unit/bn_test_util.h"

/* r == b1^e1 * b2^e2 mod m by mpz_powm (e1 < 0: the inverse's power). */
static bool joint_ok(const mpz_t r, const mpz_t b1, const mpz_t e1,
                     const mpz_t b2, const mpz_t e2, const mpz_t m)
{
    mpz_t a, b;
    mpz_inits(a, b, NULL);
    mpz_powm(a, b1, e1, m);
    mpz_powm(b, b2, e2, m);
    mpz_mul(a, a, b);
    mpz_mod(a, a, m);
    bool eq = mpz_cmp(a, r) == 0;
    mpz_clears(a, b, NULL);
    REQUIRE(eq);
    return true;
}

/* m odd of `bits` bits; b1 a unit mod m with its inverse. */
static bool setup(mpz_t m, mpz_t b1, mpz_t b1_inv, size_t bits)
{
    REQUIRE(bn_test_rand_bits(m, bits - 1));
    mpz_setbit(m, bits - 1);
    mpz_setbit(m, 0);
    do {
        REQUIRE(bn_test_rand_bits(b1, bits - 1));
    } while (mpz_invert(b1_inv, b1, m) == 0);
    return true;
}

TEST(bn_joint_matches_powm)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t m, b1, b1_inv, b2, e1, e2, r;
    mpz_inits(m, b1, b1_inv, b2, e1, e2, r, NULL);
    CHECK(setup(m, b1, b1_inv, 4096));
    const size_t e1_bits[] = {257, 769, 3000};
    for (size_t s = 0; s < 3; s++) {
        for (int i = 0; i < 8; i++) {
            /* e1: random of both signs, 0, -1, ±(2^bits - 1). */
            if (i == 0)
                mpz_set_ui(e1, 0);
            else if (i == 1)
                mpz_set_si(e1, -1);
            else if (i < 4) {
                mpz_set_ui(e1, 0);
                mpz_setbit(e1, e1_bits[s]);
                mpz_sub_ui(e1, e1, 1);
                if (i == 3)
                    mpz_neg(e1, e1);
            } else {
                CHECK(bn_test_rand_bits(e1, e1_bits[s]));
                if (i % 2)
                    mpz_neg(e1, e1);
            }
            /* e2: a 2048-bit value, 0, 1, or sparse (zero windows). */
            if (i % 4 == 0)
                CHECK(bn_test_rand_bits(e2, 2048));
            else if (i % 4 == 1)
                mpz_set_ui(e2, i == 1 ? 0 : 1);
            else if (i % 4 == 2) {
                mpz_set_ui(e2, 3);
                mpz_setbit(e2, 2047);
            } else
                mpz_set_ui(e2, 31);
            CHECK(bn_test_rand_bits(b2, 4200)); /* above m: reduced */
            CHECK_OK(mpc_bn_powm_joint_sec(ctx, r, b1, b1_inv, e1, e1_bits[s],
                                           b2, e2, m));
            CHECK(joint_ok(r, b1, e1, b2, e2, m));
        }
    }
    /* b2 = 0: 0^e2 is 0, or 1 for e2 = 0. */
    mpz_set_ui(b2, 0);
    mpz_set_ui(e1, 5);
    mpz_set_ui(e2, 7);
    CHECK_OK(mpc_bn_powm_joint_sec(ctx, r, b1, b1_inv, e1, 8, b2, e2, m));
    CHECK(mpz_sgn(r) == 0);
    mpz_set_ui(e2, 0);
    CHECK_OK(mpc_bn_powm_joint_sec(ctx, r, b1, b1_inv, e1, 8, b2, e2, m));
    CHECK(joint_ok(r, b1, e1, b2, e2, m));
    /* e1 longer than e2, and the output aliasing every input. */
    CHECK(bn_test_rand_bits(e1, 3000));
    mpz_set_ui(e2, 65537);
    mpz_set(r, b2);
    CHECK_OK(mpc_bn_powm_joint_sec(ctx, r, b1, b1_inv, e1, 3000, r, e2, m));
    CHECK(joint_ok(r, b1, e1, b2, e2, m));
    /* A small modulus. */
    CHECK(setup(m, b1, b1_inv, 70));
    CHECK(bn_test_rand_bits(e1, 64));
    CHECK(bn_test_rand_bits(e2, 64));
    CHECK(bn_test_rand_bits(b2, 69));
    CHECK_OK(mpc_bn_powm_joint_sec(ctx, r, b1, b1_inv, e1, 64, b2, e2, m));
    CHECK(joint_ok(r, b1, e1, b2, e2, m));
    mpz_clears(m, b1, b1_inv, b2, e1, e2, r, NULL);
}

TEST(bn_joint_misuse)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t m, b1, b1_inv, b2, e1, e2, r, neg;
    mpz_inits(m, b1, b1_inv, b2, e1, e2, r, neg, NULL);
    CHECK(setup(m, b1, b1_inv, 512));
    mpz_set_ui(b2, 5);
    mpz_set_ui(e1, 255);
    mpz_set_ui(e2, 9);
    mpz_set_si(neg, -1);
#define BAD(...)                                                               \
    do {                                                                       \
        mpz_set_ui(r, 7);                                                      \
        CHECK_ERR(mpc_bn_powm_joint_sec(__VA_ARGS__), MPC_ERR_INVALID_ARG);    \
        CHECK(mpz_sgn(r) == 0);                                                \
    } while (0)
    BAD(ctx, r, b1, b1_inv, e1, 7, b2, e2, m); /* |e1| >= 2^7 */
    BAD(ctx, r, b1, b1_inv, e1, 0, b2, e2, m);
    BAD(ctx, r, b1, b1, e1, 8, b2, e2, m); /* not the inverse */
    BAD(ctx, r, neg, b1_inv, e1, 8, b2, e2, m);
    BAD(ctx, r, b1, b1_inv, e1, 8, neg, e2, m);
    BAD(ctx, r, b1, b1_inv, e1, 8, b2, neg, m);
    BAD(NULL, r, b1, b1_inv, e1, 8, b2, e2, m);
    BAD(ctx, r, b1, b1_inv, NULL, 8, b2, e2, m);
    mpz_add_ui(m, m, 1); /* even */
    BAD(ctx, r, b1, b1_inv, e1, 8, b2, e2, m);
    mpz_set_ui(m, 1);
    BAD(ctx, r, b1, b1_inv, e1, 8, b2, e2, m);
#undef BAD
    CHECK_ERR(mpc_bn_powm_joint_sec(ctx, NULL, b1, b1_inv, e1, 8, b2, e2, m),
              MPC_ERR_INVALID_ARG);
    mpz_clears(m, b1, b1_inv, b2, e1, e2, r, neg, NULL);
}
