/* lib/paillier: the key owner's fast nonces (mpc_paillier_nonce_own) and
 * the encryptions built on them, the key copy that keeps their tables,
 * and misuse. */
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "mpc/bn.h"
#include "mpc/ctx.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "tests/harness/test.h"
#include "tests/protocol/cggmp_fixture.h"
#include "tests/unit/bn_test_util.h"

/* ---- helpers ----------------------------------------------------------- */

/* r is a unit in [1, N) and rn = r^N mod N^2, computed plainly. */
static bool nonce_ok(const mpc_paillier_sk *sk, const mpz_t r, const mpz_t rn)
{
    REQUIRE(mpz_sgn(r) > 0 && mpz_cmp(r, sk->pk.n) < 0);
    REQUIRE(mpc_bn_is_unit_var(r, sk->pk.n));
    mpz_t want;
    mpz_init(want);
    mpz_powm(want, r, sk->pk.n, sk->pk.n2);
    bool eq = mpz_cmp(want, rn) == 0;
    mpz_clear(want);
    REQUIRE(eq);
    return true;
}

/* encrypt_own: decrypts to m, and equals the public-key encryption with
 * the returned r. */
static bool encrypt_own_ok(const mpc_paillier_sk *sk, const mpz_t m)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t c, r, c2, d;
    mpz_inits(c, r, c2, d, NULL);
    bool ok = mpc_paillier_encrypt_own(ctx, sk, c, r, m) == MPC_OK &&
              mpc_paillier_encrypt(ctx, &sk->pk, c2, m, r) == MPC_OK &&
              mpz_cmp(c, c2) == 0 &&
              mpc_paillier_decrypt(ctx, sk, d, c) == MPC_OK &&
              mpz_cmp(d, m) == 0;
    mpz_clears(c, r, c2, d, NULL);
    REQUIRE(ok);
    return true;
}

/* The same key, copied field by field: no comb tables. */
static void copy_fields(mpc_paillier_sk *d, const mpc_paillier_sk *s)
{
    mpc_paillier_pk_copy(&d->pk, &s->pk);
    mpz_set(d->p, s->p);
    mpz_set(d->q, s->q);
    mpz_set(d->phi, s->phi);
    mpz_set(d->p2, s->p2);
    mpz_set(d->q2, s->q2);
    mpz_set(d->q_inv_p, s->q_inv_p);
    mpz_set(d->q2_inv_p2, s->q2_inv_p2);
    mpz_set(d->hp, s->hp);
    mpz_set(d->hq, s->hq);
    mpz_set(d->ep, s->ep);
    mpz_set(d->eq, s->eq);
}

/* ---- nonces ------------------------------------------------------------ */

TEST(paillier_own_nonce_is_unit_and_power)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(cggmp_fixture_paillier(test_ctx(), MPC_PARAMS_COMPAT, 0, &sk));
    CHECK(sk.gp.mem != NULL && sk.gq.mem != NULL && sk.gpn.mem != NULL &&
          sk.gqn.mem != NULL);
    mpz_t r, rn, prev;
    mpz_inits(r, rn, prev, NULL);
    for (int i = 0; i < test_iters(10); i++) {
        CHECK_OK(mpc_paillier_nonce_own(test_ctx(), &sk, r, rn));
        CHECK(nonce_ok(&sk, r, rn));
        CHECK(mpz_cmp(r, prev) != 0);
        mpz_set(prev, r);
    }
    mpz_clears(r, rn, prev, NULL);
    mpc_paillier_sk_clear(&sk);
}

/* r mod p and r mod q each fall in both residue classes (the sign of
 * r_p = ±4^a), in every combination: a nonce stuck in QR_N, or with a
 * fixed class mod one prime, fails here (missing one of four classes in
 * 300 uniform draws has probability below 2^-120). */
TEST(paillier_own_nonce_covers_residue_classes)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(cggmp_fixture_paillier(test_ctx(), MPC_PARAMS_COMPAT, 1, &sk));
    mpz_t r, rn;
    mpz_inits(r, rn, NULL);
    int seen[2][2] = {{0, 0}, {0, 0}};
    for (int i = 0; i < 300; i++) {
        CHECK_OK(mpc_paillier_nonce_own(test_ctx(), &sk, r, rn));
        int lp = mpz_legendre(r, sk.p), lq = mpz_legendre(r, sk.q);
        CHECK(lp != 0 && lq != 0);
        seen[lp > 0][lq > 0]++;
    }
    CHECK(seen[0][0] > 0 && seen[0][1] > 0 && seen[1][0] > 0 && seen[1][1] > 0);
    /* And with a count far from 0 or 300 (each class expects 75). */
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++)
            CHECK(seen[a][b] > 30 && seen[a][b] < 130);
    mpz_clears(r, rn, NULL);
    mpc_paillier_sk_clear(&sk);
}

TEST(paillier_own_encrypt_matches_public_key_form)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(cggmp_fixture_paillier(test_ctx(), MPC_PARAMS_COMPAT, 2, &sk));
    mpz_t m, half;
    mpz_inits(m, half, NULL);
    for (int i = 0; i < test_iters(5); i++) {
        CHECK(bn_test_rand_signed(m, sk.pk.params->ell_prime));
        CHECK(encrypt_own_ok(&sk, m));
    }
    /* Edges: 0, ±(N - 1) / 2. */
    mpz_fdiv_q_2exp(half, sk.pk.n, 1);
    CHECK(encrypt_own_ok(&sk, m));
    mpz_set_ui(m, 0);
    CHECK(encrypt_own_ok(&sk, m));
    CHECK(encrypt_own_ok(&sk, half));
    mpz_neg(half, half);
    CHECK(encrypt_own_ok(&sk, half));
    mpz_clears(m, half, NULL);
    mpc_paillier_sk_clear(&sk);
}

TEST(paillier_own_3072)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(cggmp_fixture_paillier(test_ctx(), MPC_PARAMS_128, 0, &sk));
    mpz_t m, r, rn;
    mpz_inits(m, r, rn, NULL);
    CHECK_OK(mpc_paillier_nonce_own(test_ctx(), &sk, r, rn));
    CHECK(nonce_ok(&sk, r, rn));
    CHECK(bn_test_rand_signed(m, 3000));
    CHECK(encrypt_own_ok(&sk, m));
    mpz_clears(m, r, rn, NULL);
    mpc_paillier_sk_clear(&sk);
}

TEST(paillier_own_affine_matches_affine_crt)
{
    const mpc_ctx *ctx = test_ctx();
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(cggmp_fixture_paillier(test_ctx(), MPC_PARAMS_COMPAT, 3, &sk));
    const size_t xb = sk.pk.params->ell + sk.pk.params->eps + 1;
    mpz_t k, c, x, y, r, out, want, d, exp;
    mpz_inits(k, c, x, y, r, out, want, d, exp, NULL);
    CHECK(bn_test_rand_signed(k, 256));
    CHECK(bn_test_rand_signed(y, sk.pk.params->ell_prime));
    CHECK_OK(mpc_paillier_encrypt_own(ctx, &sk, c, r, k));
    const long xs[] = {0, -1, 1};
    for (int i = 0; i < 4; i++) {
        if (i < 3)
            mpz_set_si(x, xs[i]);
        else
            CHECK(bn_test_rand_signed(x, xb - 1));
        CHECK_OK(mpc_paillier_affine_own(ctx, &sk, out, r, c, x, xb, y));
        CHECK_OK(mpc_paillier_affine_crt(ctx, &sk, want, c, x, xb, y, r));
        CHECK(mpz_cmp(out, want) == 0);
        CHECK_OK(mpc_paillier_decrypt(ctx, &sk, d, out));
        mpz_mul(exp, x, k);
        mpz_add(exp, exp, y);
        CHECK(mpz_cmp(d, exp) == 0);
    }
    mpz_clears(k, c, x, y, r, out, want, d, exp, NULL);
    mpc_paillier_sk_clear(&sk);
}

/* ---- copy ------------------------------------------------------------- */

TEST(paillier_own_copy_keeps_tables)
{
    mpc_paillier_sk sk, cp, bare, cp2;
    mpc_paillier_sk_init(&sk);
    mpc_paillier_sk_init(&cp);
    mpc_paillier_sk_init(&bare);
    mpc_paillier_sk_init(&cp2);
    CHECK(cggmp_fixture_paillier(test_ctx(), MPC_PARAMS_COMPAT, 4, &sk));
    /* cp starts as another key: the copy replaces everything. */
    CHECK(cggmp_fixture_paillier(test_ctx(), MPC_PARAMS_COMPAT, 5, &cp));
    mpc_paillier_sk_copy(&cp, &sk);
    CHECK(cp.gp.mem != NULL && cp.gqn.mem != NULL);
    CHECK(mpz_cmp(cp.pk.n, sk.pk.n) == 0 && mpz_cmp(cp.p, sk.p) == 0 &&
          mpz_cmp(cp.eq, sk.eq) == 0 && cp.pk.params == sk.pk.params);
    /* The same rng stream through both keys gives the same nonce. */
    mpz_t r, rn, r2, rn2, m;
    mpz_inits(r, rn, r2, rn2, m, NULL);
    CHECK_OK(mpc_paillier_nonce_own(test_new_ctx("own-copy"), &sk, r, rn));
    CHECK_OK(mpc_paillier_nonce_own(test_new_ctx("own-copy"), &cp, r2, rn2));
    CHECK(mpz_cmp(r, r2) == 0 && mpz_cmp(rn, rn2) == 0);
    CHECK(nonce_ok(&cp, r2, rn2));
    mpc_paillier_sk_clear(&sk); /* the copy owns its tables */
    CHECK(bn_test_rand_signed(m, 300));
    CHECK(encrypt_own_ok(&cp, m));

    /* A key without tables: the plain path, the same results. */
    copy_fields(&bare, &cp);
    CHECK(bare.gp.mem == NULL);
    CHECK_OK(mpc_paillier_nonce_own(test_ctx(), &bare, r, rn));
    CHECK(nonce_ok(&bare, r, rn));
    CHECK(encrypt_own_ok(&bare, m));
    mpc_paillier_sk_copy(&cp2, &bare);
    CHECK(cp2.gp.mem == NULL && mpz_cmp(cp2.pk.n, cp.pk.n) == 0);
    CHECK(encrypt_own_ok(&cp2, m));

    /* An empty source empties the destination. */
    mpc_paillier_sk_clear(&bare);
    mpc_paillier_sk_init(&bare);
    mpc_paillier_sk_copy(&cp2, &bare);
    CHECK(cp2.pk.params == NULL && mpz_sgn(cp2.pk.n) == 0 &&
          mpz_sgn(cp2.p) == 0 && cp2.gp.mem == NULL);
    CHECK_ERR(mpc_paillier_nonce_own(test_ctx(), &cp2, r, rn),
              MPC_ERR_INVALID_ARG);
    mpc_paillier_sk_copy(NULL, &cp);
    mpc_paillier_sk_copy(&cp, NULL);
    mpc_paillier_sk_copy(&cp, &cp);
    CHECK(encrypt_own_ok(&cp, m));
    mpz_clears(r, rn, r2, rn2, m, NULL);
    mpc_paillier_sk_clear(&cp);
    mpc_paillier_sk_clear(&bare);
    mpc_paillier_sk_clear(&cp2);
}

/* ---- misuse ------------------------------------------------------------ */

static bool zeroed(const mpz_t a, const mpz_t b)
{
    return mpz_sgn(a) == 0 && mpz_sgn(b) == 0;
}

TEST(paillier_own_misuse_zeroes_outputs)
{
    const mpc_ctx *ctx = test_ctx();
    mpc_paillier_sk sk, empty;
    mpc_paillier_sk_init(&sk);
    mpc_paillier_sk_init(&empty);
    CHECK(cggmp_fixture_paillier(test_ctx(), MPC_PARAMS_COMPAT, 6, &sk));
    mpz_t r, rn, c, m, x;
    mpz_inits(r, rn, c, m, x, NULL);
#define DIRTY() (mpz_set_ui(r, 7), mpz_set_ui(rn, 7), mpz_set_ui(c, 7))
    DIRTY();
    CHECK_ERR(mpc_paillier_nonce_own(ctx, &empty, r, rn), MPC_ERR_INVALID_ARG);
    CHECK(zeroed(r, rn));
    DIRTY();
    CHECK_ERR(mpc_paillier_nonce_own(NULL, &sk, r, rn), MPC_ERR_INVALID_ARG);
    CHECK(zeroed(r, rn));
    DIRTY();
    CHECK_ERR(mpc_paillier_nonce_own(ctx, NULL, r, rn), MPC_ERR_INVALID_ARG);
    CHECK(zeroed(r, rn));
    DIRTY();
    CHECK_ERR(mpc_paillier_nonce_own(ctx, &sk, r, NULL), MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(r) == 0);
    CHECK_ERR(mpc_paillier_nonce_own(ctx, &sk, r, r), MPC_ERR_INVALID_ARG);

    /* m out of range: |m| = (N + 1) / 2. */
    mpz_add_ui(m, sk.pk.n, 1);
    mpz_fdiv_q_2exp(m, m, 1);
    DIRTY();
    CHECK_ERR(mpc_paillier_encrypt_own(ctx, &sk, c, r, m), MPC_ERR_INVALID_ARG);
    CHECK(zeroed(c, r));
    mpz_neg(m, m);
    DIRTY();
    CHECK_ERR(mpc_paillier_encrypt_own(ctx, &sk, c, r, m), MPC_ERR_INVALID_ARG);
    CHECK(zeroed(c, r));
    mpz_set_ui(m, 5);
    DIRTY();
    CHECK_ERR(mpc_paillier_encrypt_own(ctx, &empty, c, r, m),
              MPC_ERR_INVALID_ARG);
    CHECK(zeroed(c, r));
    DIRTY();
    CHECK_ERR(mpc_paillier_encrypt_own(ctx, &sk, c, c, m), MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(c) == 0);
    DIRTY();
    CHECK_ERR(mpc_paillier_encrypt_own(ctx, &sk, c, r, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK(zeroed(c, r));

    /* affine_own: a ciphertext out of range, x over its bound, empty key. */
    CHECK_OK(mpc_paillier_encrypt_own(ctx, &sk, c, r, m));
    mpz_set_ui(x, 3);
    DIRTY();
    mpz_set(m, sk.pk.n2);
    CHECK_ERR(mpc_paillier_affine_own(ctx, &sk, rn, r, m, x, 8, x),
              MPC_ERR_INVALID_ARG);
    CHECK(zeroed(rn, r));
    CHECK_OK(mpc_paillier_encrypt_own(ctx, &sk, c, r, x));
    mpz_set_ui(x, 256);
    CHECK_ERR(mpc_paillier_affine_own(ctx, &sk, rn, r, c, x, 8, x),
              MPC_ERR_INVALID_ARG);
    CHECK(zeroed(rn, r));
    mpz_set_ui(x, 3);
    DIRTY();
    CHECK_ERR(mpc_paillier_affine_own(ctx, &empty, rn, r, c, x, 8, x),
              MPC_ERR_INVALID_ARG);
    CHECK(zeroed(rn, r));
    DIRTY();
    CHECK_ERR(mpc_paillier_affine_own(ctx, NULL, rn, r, c, x, 8, x),
              MPC_ERR_INVALID_ARG);
    CHECK(zeroed(rn, r));
    DIRTY();
    CHECK_ERR(mpc_paillier_affine_own(ctx, &sk, r, r, c, x, 8, x),
              MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(r) == 0);
#undef DIRTY
    mpz_clears(r, rn, c, m, x, NULL);
    mpc_paillier_sk_clear(&sk);
    mpc_paillier_sk_clear(&empty);
}

/* Outputs may alias inputs (header rule), except each other. */
TEST(paillier_own_aliasing)
{
    const mpc_ctx *ctx = test_ctx();
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(cggmp_fixture_paillier(test_ctx(), MPC_PARAMS_COMPAT, 7, &sk));
    mpz_t a, r, c, d, y;
    mpz_inits(a, r, c, d, y, NULL);
    /* r aliases m: the plaintext is consumed before the nonce is drawn. */
    mpz_set_si(a, -12345);
    CHECK_OK(mpc_paillier_encrypt_own(ctx, &sk, c, a, a));
    CHECK_OK(mpc_paillier_decrypt(ctx, &sk, d, c));
    CHECK(mpz_cmp_si(d, -12345) == 0);
    /* out aliases c, r aliases y. */
    mpz_set_ui(a, 3);
    mpz_set_ui(y, 11);
    CHECK_OK(mpc_paillier_affine_own(ctx, &sk, c, y, c, a, 4, y));
    CHECK_OK(mpc_paillier_decrypt(ctx, &sk, d, c));
    CHECK(mpz_cmp_si(d, -3 * 12345 + 11) == 0);
    mpz_clears(a, r, c, d, y, NULL);
    mpc_paillier_sk_clear(&sk);
}

/* ---- failures of the context ------------------------------------------ */

static bool fail_alloc;
static void *flaky_zalloc(size_t n, void *ud)
{
    (void)ud;
    return fail_alloc ? NULL : calloc(1, n);
}
static void flaky_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

TEST(paillier_own_nomem_zeroes_outputs)
{
    static const mpc_mem mem = {.zalloc = flaky_zalloc, .free = flaky_free};
    mpc_ctx_config cfg = {
        .rng = mpc_drbg_fill, .rng_ud = test_drbg(), .mem = &mem};
    mpc_ctx *ctx = NULL;
    fail_alloc = false;
    CHECK_OK(mpc_ctx_new(&ctx, &cfg));
    mpc_paillier_sk sk, sk2;
    mpc_paillier_sk_init(&sk);
    mpc_paillier_sk_init(&sk2);
    CHECK(cggmp_fixture_paillier(test_ctx(), MPC_PARAMS_COMPAT, 0, &sk));
    mpz_t r, rn, c, m;
    mpz_init_set_ui(r, 3);
    mpz_init_set_ui(rn, 3);
    mpz_init_set_ui(c, 3);
    mpz_init_set_ui(m, 9);
    fail_alloc = true;
    CHECK_ERR(mpc_paillier_nonce_own(ctx, &sk, r, rn), MPC_ERR_NOMEM);
    CHECK(zeroed(r, rn));
    mpz_set_ui(r, 3);
    CHECK_ERR(mpc_paillier_encrypt_own(ctx, &sk, c, r, m), MPC_ERR_NOMEM);
    CHECK(zeroed(c, r));
    CHECK_ERR(mpc_paillier_sk_from_primes(ctx, &sk2, sk.pk.params, sk.p, sk.q),
              MPC_ERR_NOMEM);
    CHECK(sk2.pk.params == NULL && sk2.gp.mem == NULL && sk2.gqn.mem == NULL);
    fail_alloc = false;
    mpz_clears(r, rn, c, m, NULL);
    mpc_paillier_sk_clear(&sk);
    mpc_paillier_sk_clear(&sk2);
    mpc_ctx_free(ctx);
}

static void stuck_rng(void *ud, uint8_t *buf, size_t len)
{
    (void)ud;
    memset(buf, 0xFF, len);
}

TEST(paillier_own_broken_rng_is_internal)
{
    mpc_ctx_config cfg = {.rng = stuck_rng};
    mpc_ctx *ctx = NULL;
    CHECK_OK(mpc_ctx_new(&ctx, &cfg));
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(cggmp_fixture_paillier(test_ctx(), MPC_PARAMS_COMPAT, 1, &sk));
    mpz_t r, rn, c, m;
    mpz_init_set_ui(r, 3);
    mpz_init_set_ui(rn, 3);
    mpz_init_set_ui(c, 3);
    mpz_init_set_ui(m, 9);
    CHECK_ERR(mpc_paillier_nonce_own(ctx, &sk, r, rn), MPC_ERR_INTERNAL);
    CHECK(zeroed(r, rn));
    CHECK_ERR(mpc_paillier_encrypt_own(ctx, &sk, c, r, m), MPC_ERR_INTERNAL);
    CHECK(zeroed(c, r));
    mpz_clears(r, rn, c, m, NULL);
    mpc_paillier_sk_clear(&sk);
    mpc_ctx_free(ctx);
}

/* ---- the joint MtA step under a peer's key ----------------------------- */

/* mpc_paillier_affine (one joint exponentiation) against the two-step form
 * mpc_paillier_mul, mpc_paillier_encrypt, mpc_paillier_add. */
static bool affine_two_step_ok(const mpc_paillier_pk *pk, const mpz_t c,
                               const mpz_t x, size_t x_bits, const mpz_t y,
                               const mpz_t r)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t d, cx, ey, want;
    mpz_inits(d, cx, ey, want, NULL);
    bool ok = mpc_paillier_affine(ctx, pk, d, c, x, x_bits, y, r) == MPC_OK &&
              mpc_paillier_mul(ctx, pk, cx, c, x, x_bits) == MPC_OK &&
              mpc_paillier_encrypt(ctx, pk, ey, y, r) == MPC_OK &&
              mpc_paillier_add(pk, want, cx, ey) == MPC_OK &&
              mpz_cmp(d, want) == 0;
    mpz_clears(d, cx, ey, want, NULL);
    REQUIRE(ok);
    return true;
}

TEST(paillier_affine_joint_matches_two_step)
{
    const mpc_ctx *ctx = test_ctx();
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(cggmp_fixture_paillier(test_ctx(), MPC_PARAMS_COMPAT, 4, &sk));
    const mpc_paillier_pk *pk = &sk.pk;
    const size_t le = pk->params->ell + pk->params->eps + 1;
    mpz_t k, c, x, y, r, d, exp;
    mpz_inits(k, c, x, y, r, d, exp, NULL);
    CHECK(bn_test_rand_signed(k, 256));
    CHECK_OK(mpc_paillier_encrypt_own(ctx, &sk, c, r, k));
    for (int i = 0; i < 6; i++) {
        size_t xb = i % 2 ? le : 256;
        if (i < 2)
            mpz_set_ui(x, 0);
        else if (i < 4)
            mpz_set_si(x, -1);
        else
            CHECK(bn_test_rand_signed(x, xb - 1));
        CHECK(bn_test_rand_signed(y, pk->params->ell_prime));
        CHECK_OK(mpc_paillier_nonce_random(ctx, pk, r));
        CHECK(affine_two_step_ok(pk, c, x, xb, y, r));
        CHECK_OK(mpc_paillier_affine(ctx, pk, d, c, x, xb, y, r));
        CHECK_OK(mpc_paillier_decrypt(ctx, &sk, d, d));
        mpz_mul(exp, x, k);
        mpz_add(exp, exp, y);
        CHECK(mpz_cmp(d, exp) == 0);
    }
    mpz_clears(k, c, x, y, r, d, exp, NULL);
    mpc_paillier_sk_clear(&sk);
}

TEST(paillier_affine_joint_errors)
{
    const mpc_ctx *ctx = test_ctx();
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(cggmp_fixture_paillier(test_ctx(), MPC_PARAMS_COMPAT, 5, &sk));
    const mpc_paillier_pk *pk = &sk.pk;
    mpz_t c, x, y, r, d, bad;
    mpz_inits(c, x, y, r, d, bad, NULL);
    mpz_set_ui(x, 3);
    mpz_set_ui(y, 4);
    CHECK_OK(mpc_paillier_encrypt_own(ctx, &sk, c, r, y));
#define ERR(code, ...)                                                         \
    do {                                                                       \
        mpz_set_ui(d, 7);                                                      \
        CHECK_ERR(mpc_paillier_affine(__VA_ARGS__), code);                     \
        CHECK(mpz_sgn(d) == 0);                                                \
    } while (0)
    /* c not a unit: VERIFY, as mpc_paillier_mul. */
    mpz_mul(bad, pk->n, pk->n);
    mpz_sub(bad, bad, pk->n);
    ERR(MPC_ERR_VERIFY, ctx, pk, d, bad, x, 8, y, r);
    ERR(MPC_ERR_INVALID_ARG, ctx, pk, d, pk->n2, x, 8, y, r);
    /* r not a unit, r out of range, y out of range, x over its bound. */
    ERR(MPC_ERR_INVALID_ARG, ctx, pk, d, c, x, 8, y, sk.p);
    ERR(MPC_ERR_INVALID_ARG, ctx, pk, d, c, x, 8, y, pk->n);
    ERR(MPC_ERR_INVALID_ARG, ctx, pk, d, c, x, 8, pk->n, r);
    ERR(MPC_ERR_INVALID_ARG, ctx, pk, d, c, x, 1, y, r);
    ERR(MPC_ERR_INVALID_ARG, NULL, pk, d, c, x, 8, y, r);
#undef ERR
    mpz_clears(c, x, y, r, d, bad, NULL);
    mpc_paillier_sk_clear(&sk);
}
