/*
 * mpc_rped_table_copy / mpc_bn_fbtable_copy: a copied table commits like
 * the original and lives on when the original is cleared (presign copies
 * the tables cached with the aux info).
 */
#include "mpc/paillier.h"
#include "tests/harness/test.h"
#include "tests/protocol/cggmp_fixture.h"

static bool copy_case(void)
{
    const mpc_ctx *ctx = test_ctx();
    mpc_paillier_sk sk;
    mpc_rped rp;
    mpc_rped_table tab, copy;
    mpz_t lambda, x, y, a, b;

    mpc_paillier_sk_init(&sk);
    mpc_rped_init(&rp);
    mpz_inits(lambda, x, y, a, b, NULL);
    REQUIRE(cggmp_fixture_paillier(ctx, MPC_PARAMS_COMPAT, 0, &sk));
    REQUIRE_OK(mpc_rped_generate(ctx, &rp, lambda, &sk));
    REQUIRE_OK(mpc_rped_table_init(ctx, &tab, &rp, 900));
    REQUIRE_OK(mpc_rped_table_copy(ctx, &copy, &tab));
    REQUIRE(copy.s.count == tab.s.count && copy.t.count == tab.t.count);
    mpz_set_str(x, "-123456789abcdef0123456789abcdef", 16);
    mpz_ui_pow_ui(y, 3, 500); /* longer than the tables: the slow path */
    REQUIRE_OK(mpc_rped_table_commit_var(&tab, a, x, y));
    mpc_rped_table_clear(ctx, &tab); /* the copy owns its memory */
    REQUIRE_OK(mpc_rped_table_commit_var(&copy, b, x, y));
    REQUIRE(mpz_cmp(a, b) == 0);
    REQUIRE_OK(mpc_rped_commit_var(&rp, a, x, y));
    REQUIRE(mpz_cmp(a, b) == 0);
    mpc_rped_table_clear(ctx, &copy);
    mpc_rped_table_clear(ctx, &copy); /* twice is harmless */

    /* An empty source gives an empty copy; NULL arguments are refused. */
    mpc_rped_table empty = {0}, out;
    REQUIRE_OK(mpc_rped_table_copy(ctx, &out, &empty));
    REQUIRE(out.s.pow == NULL && out.t.pow == NULL);
    REQUIRE(MPC_ERR_INVALID_ARG == mpc_rped_table_copy(ctx, &out, NULL));
    REQUIRE(out.s.pow == NULL && out.t.pow == NULL);
    REQUIRE(MPC_ERR_INVALID_ARG == mpc_rped_table_copy(NULL, &out, &empty));
    REQUIRE(MPC_ERR_INVALID_ARG == mpc_rped_table_copy(ctx, NULL, &empty));

    mpc_rped_clear(&rp);
    mpc_paillier_sk_clear(&sk);
    mpz_clears(lambda, x, y, a, b, NULL);
    return true;
}

TEST(rped_table_copy_commits_like_original)
{
    CHECK(copy_case());
}
