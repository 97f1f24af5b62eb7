/* Batch verification (lib/zk/zk_batch.c, lib/bn/multiexp.c): the
 * multi-exponentiation against mpz_powm; honest Πenc, Πlog*, Πaff-g
 * proofs batch-verify; one altered field of one proof in a batch of
 * three fails the batch; plaintext errors ((1+N) factors) fail at every
 * position; N-th residue errors behave as documented in mpc/zk_batch.h;
 * folding past MPC_ZK_BATCH_PENDING; empty batches; misuse. */
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/zk/zk_internal.h"
#include "mpc/bn.h"
#include "mpc/group.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/zk_batch.h"
#include "tests/harness/test.h"
#include "tests/unit/zk_mta_fixture.h"

#define SID "zk-batch-test-session"
#define PROVER 2

/* ---- mpc_bn_multiexp_var ------------------------------------------------ */

/* r = Π b[i]^e[i] mod m by separate exponentiations. */
static bool multiexp_ref(mpz_t r, mpz_t *b, mpz_t *e, size_t k, const mpz_t m)
{
    mpz_t x;
    mpz_init(x);
    mpz_set_ui(r, 1);
    for (size_t i = 0; i < k; i++) {
        REQUIRE_OK(mpc_bn_powm_var(x, b[i], e[i], m));
        mpz_mul(r, r, x);
        mpz_mod(r, r, m);
    }
    mpz_clear(x);
    return true;
}

static bool multiexp_case(const mpz_t m, size_t k, const size_t *ebits)
{
    mpz_t b[6], e[6], r, want;
    mpz_srcptr bp[6], ep[6];
    mpz_inits(r, want, NULL);
    for (size_t i = 0; i < k; i++) {
        mpz_inits(b[i], e[i], NULL);
        REQUIRE_OK(mpc_bn_random_unit(test_ctx(), b[i], m));
        zkmta_rand_signed(e[i], ebits[i]);
        bp[i] = b[i];
        ep[i] = e[i];
    }
    REQUIRE(multiexp_ref(want, b, e, k, m));
    REQUIRE_OK(mpc_bn_multiexp_var(r, bp, ep, k, m));
    bool ok = mpz_cmp(r, want) == 0;
    for (size_t i = 0; i < k; i++)
        mpz_clears(b[i], e[i], NULL);
    mpz_clears(r, want, NULL);
    REQUIRE(ok);
    return true;
}

TEST(zk_batch_multiexp_matches_powm)
{
    mpc_paillier_sk sk, big;
    mpc_paillier_sk_init(&sk);
    mpc_paillier_sk_init(&big);
    CHECK(zkmta_key(&sk, MPC_PARAMS_COMPAT, 0));
    CHECK(zkmta_key(&big, MPC_PARAMS_128, 0));
    mpz_t small;
    mpz_init_set_ui(small, 1000003);
    /* N^2 of 6144 bits takes the mpz_powm split for a dominant exponent. */
    const mpz_srcptr mods[] = {sk.pk.n2, sk.pk.n, small, big.pk.n2};
    /* Exponent sizes: empty, tiny, the batch's (128, 384, 2048), mixed. */
    const size_t sizes[][6] = {{0},
                               {1, 0, 2},
                               {2048},
                               {2048, 128, 384, 128, 384, 5},
                               {64, 64, 64, 64, 64, 64},
                               {3000, 1, 700}};
    const size_t counts[] = {1, 3, 1, 6, 6, 3};
    for (size_t m = 0; m < 4; m++)
        for (size_t c = 0; c < sizeof counts / sizeof *counts; c++)
            CHECK(multiexp_case(mods[m], counts[c], sizes[c]));
    /* b^0 = 1 (even b = 0), and count 0 gives 1. */
    mpz_t r, zero;
    mpz_inits(r, zero, NULL);
    mpz_srcptr b0[] = {zero}, e0[] = {zero};
    CHECK_OK(mpc_bn_multiexp_var(r, b0, e0, 1, small));
    CHECK(mpz_cmp_ui(r, 1) == 0);
    CHECK_OK(mpc_bn_multiexp_var(r, NULL, NULL, 0, small));
    CHECK(mpz_cmp_ui(r, 1) == 0);
    /* Unreduced and negative bases are taken mod m. */
    mpz_t bigb, one;
    mpz_init_set_si(bigb, -5);
    mpz_init_set_ui(one, 1);
    mpz_srcptr b1[] = {bigb}, e1[] = {one};
    CHECK_OK(mpc_bn_multiexp_var(r, b1, e1, 1, small));
    CHECK(mpz_cmp_ui(r, 1000003 - 5) == 0);
    /* r may alias a base or an exponent. */
    mpz_t x, y;
    mpz_init_set_ui(x, 3);
    mpz_init_set_ui(y, 5);
    mpz_srcptr bx[] = {x, y}, ex[] = {y, x};
    CHECK_OK(mpc_bn_multiexp_var(x, bx, ex, 2, small));
    CHECK(mpz_cmp_ui(x, 243 * 125) == 0);
    mpz_clears(x, y, NULL);
    /* A negative exponent on a non-unit; an even modulus. */
    mpz_t p, neg;
    mpz_init_set(p, sk.p);
    mpz_init_set_si(neg, -3);
    mpz_srcptr b2[] = {p}, e2[] = {neg};
    mpz_set_ui(r, 7);
    CHECK_ERR(mpc_bn_multiexp_var(r, b2, e2, 1, sk.pk.n2), MPC_ERR_VERIFY);
    CHECK(mpz_sgn(r) == 0);
    mpz_set_ui(r, 7);
    mpz_t even;
    mpz_init_set_ui(even, 1000000);
    CHECK_ERR(mpc_bn_multiexp_var(r, b1, e1, 1, even), MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(r) == 0);
    CHECK_ERR(mpc_bn_multiexp_var(r, NULL, e1, 1, small), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_bn_multiexp_var(NULL, b1, e1, 1, small), MPC_ERR_INVALID_ARG);
    mpz_clears(r, zero, bigb, one, p, neg, even, small, NULL);
    mpc_paillier_sk_clear(&sk);
    mpc_paillier_sk_clear(&big);
}

/* ---- Synthetic equations (1+N)^z w^N = A B^e ---------------------------- */

typedef struct eq {
    mpz_t z, w, A, B, e;
} eq;

static void eq_init(eq *q)
{
    mpz_inits(q->z, q->w, q->A, q->B, q->e, NULL);
}

static void eq_clear(eq *q)
{
    mpz_clears(q->z, q->w, q->A, q->B, q->e, NULL);
}

/* An honest equation as a Πenc prover makes it: B = Enc(m; r),
 * A = Enc(α; s), z = α + e m, w = s r^e mod N. */
static bool eq_honest(const mpc_paillier_pk *pk, eq *q)
{
    const mpc_params *params = pk->params;
    mpz_t m, r, alpha, s;
    mpz_inits(m, r, alpha, s, NULL);
    zkmta_rand_signed(m, params->ell);
    zkmta_rand_signed(alpha, params->ell + params->eps);
    zkmta_rand_signed(q->e, 256);
    REQUIRE(zkmta_encrypt(pk, q->B, r, m));
    REQUIRE(zkmta_encrypt(pk, q->A, s, alpha));
    mpz_mul(q->z, q->e, m);
    mpz_add(q->z, q->z, alpha);
    REQUIRE_OK(mpc_bn_powm_var(q->w, r, q->e, pk->n));
    mpz_mul(q->w, q->w, s);
    mpz_mod(q->w, q->w, pk->n);
    mpz_clears(m, r, alpha, s, NULL);
    return true;
}

static mpc_err batch_add(mpc_zk_batch *b, const mpc_paillier_pk *pk,
                         const eq *q)
{
    return mpc_zk_batch_add(test_ctx(), b, pk, q->z, q->w, q->A, q->B, q->e);
}

/* Checks a batch of k equations (q[0] first). */
static mpc_err batch_of(const mpc_paillier_pk *pk, eq *q, size_t k)
{
    mpc_zk_batch b;
    mpc_err err = mpc_zk_batch_init(&b, pk);
    for (size_t i = 0; err == MPC_OK && i < k; i++)
        err = batch_add(&b, pk, &q[i]);
    if (err == MPC_OK)
        err = mpc_zk_batch_check(&b);
    mpc_zk_batch_clear(&b);
    return err;
}

TEST(zk_batch_equations_honest_and_plaintext_errors)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(zkmta_key(&sk, MPC_PARAMS_COMPAT, 0));
    const mpc_paillier_pk *pk = &sk.pk;
    eq q[3];
    for (int i = 0; i < 3; i++) {
        eq_init(&q[i]);
        CHECK(eq_honest(pk, &q[i]));
    }
    for (size_t k = 1; k <= 3; k++)
        CHECK_OK(batch_of(pk, q, k));
    /* Each equation is also what the single check accepts. */
    for (int i = 0; i < 3; i++)
        CHECK_OK(mpc_zk_paillier_eq_var(NULL, NULL, pk, q[i].z, q[i].w, q[i].A,
                                        q[i].B, q[i].e));
    /* A off by a factor (1+N) (plaintext + 1) at every position, the first
     * (ρ = 1) included; likewise z + 1 and e + 1. */
    mpz_t onen;
    mpz_init(onen);
    mpz_add_ui(onen, pk->n, 1);
    for (int i = 0; i < 3; i++) {
        mpz_mul(q[i].A, q[i].A, onen);
        mpz_mod(q[i].A, q[i].A, pk->n2);
        CHECK_ERR(batch_of(pk, q, 3), MPC_ERR_VERIFY);
        CHECK_ERR(mpc_zk_paillier_eq_var(NULL, NULL, pk, q[i].z, q[i].w, q[i].A,
                                         q[i].B, q[i].e),
                  MPC_ERR_VERIFY);
        CHECK(eq_honest(pk, &q[i]));
        mpz_add_ui(q[i].z, q[i].z, 1);
        CHECK_ERR(batch_of(pk, q, 3), MPC_ERR_VERIFY);
        CHECK(eq_honest(pk, &q[i]));
        mpz_add_ui(q[i].e, q[i].e, 1);
        CHECK_ERR(batch_of(pk, q, 3), MPC_ERR_VERIFY);
        CHECK(eq_honest(pk, &q[i]));
    }
    /* Two errors that cancel with ρ = (1, 1) do not cancel under random
     * ρ: A_1 (1+N) and A_2 (1+N)^-1. */
    mpz_t inv;
    mpz_init(inv);
    CHECK_OK(mpc_bn_invert_var(inv, onen, pk->n2));
    mpz_mul(q[1].A, q[1].A, onen);
    mpz_mod(q[1].A, q[1].A, pk->n2);
    mpz_mul(q[2].A, q[2].A, inv);
    mpz_mod(q[2].A, q[2].A, pk->n2);
    CHECK_ERR(batch_of(pk, q, 3), MPC_ERR_VERIFY);
    mpz_clears(onen, inv, NULL);
    for (int i = 0; i < 3; i++)
        eq_clear(&q[i]);
    mpc_paillier_sk_clear(&sk);
}

/*
 * N-th residue errors (mpc/zk_batch.h, second bullet). Moving v^N from
 * w into A (w' = w v, A' = A v^N) keeps the equation exact: it passes
 * (single and batched) and the plaintext of A' is that of A — the
 * statement did not change. Replacing w by w v alone leaves an error
 * factor v^-N: for v of large order the batch fails; for v = -1 (order
 * 2) it fails at the first position (ρ = 1) and, elsewhere, passes
 * exactly when ρ is even. When it passes, the equation holds for the
 * response -w' = w: an honest proof with the same first message and
 * challenge exists, so the statement still holds.
 */
TEST(zk_batch_nth_residue_errors)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(zkmta_key(&sk, MPC_PARAMS_COMPAT, 0));
    const mpc_paillier_pk *pk = &sk.pk;
    eq q[3];
    for (int i = 0; i < 3; i++) {
        eq_init(&q[i]);
        CHECK(eq_honest(pk, &q[i]));
    }
    mpz_t v, vn, before, after;
    mpz_inits(v, vn, before, after, NULL);
    CHECK_OK(mpc_bn_random_unit(test_ctx(), v, pk->n));
    CHECK_OK(mpc_paillier_decrypt(test_ctx(), &sk, before, q[1].A));
    /* Moved: exact, same plaintext. */
    mpz_powm(vn, v, pk->n, pk->n2);
    mpz_mul(q[1].A, q[1].A, vn);
    mpz_mod(q[1].A, q[1].A, pk->n2);
    mpz_mul(q[1].w, q[1].w, v);
    mpz_mod(q[1].w, q[1].w, pk->n);
    CHECK_OK(batch_of(pk, q, 3));
    CHECK_OK(mpc_paillier_decrypt(test_ctx(), &sk, after, q[1].A));
    CHECK(mpz_cmp(before, after) == 0);
    /* w v alone, v of large order: fails. */
    CHECK(eq_honest(pk, &q[1]));
    mpz_mul(q[1].w, q[1].w, v);
    mpz_mod(q[1].w, q[1].w, pk->n);
    CHECK_ERR(batch_of(pk, q, 3), MPC_ERR_VERIFY);
    CHECK(eq_honest(pk, &q[1]));
    /* w -> -w: at position 0 always fails; at position 1 about half the
     * batches pass (ρ even). 48 batches see both outcomes except with
     * probability 2^-47. */
    mpz_sub(q[0].w, pk->n, q[0].w);
    CHECK_ERR(batch_of(pk, q, 3), MPC_ERR_VERIFY);
    mpz_sub(q[0].w, pk->n, q[0].w);
    mpz_sub(q[1].w, pk->n, q[1].w);
    int pass = 0, fail = 0;
    for (int i = 0; i < 48; i++) {
        mpc_err err = batch_of(pk, q, 2);
        CHECK(err == MPC_OK || err == MPC_ERR_VERIFY);
        if (err == MPC_OK)
            pass++;
        else
            fail++;
    }
    CHECK(pass > 0 && fail > 0);
    /* The single check is exact: -w is refused, and w (= -(-w)) is the
     * response that makes the passing batches' statement hold. */
    CHECK_ERR(mpc_zk_paillier_eq_var(NULL, NULL, pk, q[1].z, q[1].w, q[1].A,
                                     q[1].B, q[1].e),
              MPC_ERR_VERIFY);
    mpz_sub(q[1].w, pk->n, q[1].w);
    CHECK_OK(mpc_zk_paillier_eq_var(NULL, NULL, pk, q[1].z, q[1].w, q[1].A,
                                    q[1].B, q[1].e));
    mpz_clears(v, vn, before, after, NULL);
    for (int i = 0; i < 3; i++)
        eq_clear(&q[i]);
    mpc_paillier_sk_clear(&sk);
}

/* More equations than MPC_ZK_BATCH_PENDING: the folded product. */
TEST(zk_batch_folds_past_pending)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(zkmta_key(&sk, MPC_PARAMS_COMPAT, 0));
    const mpc_paillier_pk *pk = &sk.pk;
    enum { K = 2 * MPC_ZK_BATCH_PENDING + 3 };
    eq q[K];
    for (int i = 0; i < K; i++) {
        eq_init(&q[i]);
        CHECK(eq_honest(pk, &q[i]));
    }
    mpc_zk_batch b;
    CHECK_OK(mpc_zk_batch_init(&b, pk));
    for (int i = 0; i < K; i++) {
        CHECK_OK(batch_add(&b, pk, &q[i]));
        /* Checking does not consume: every prefix passes. */
        if (i % 5 == 0)
            CHECK_OK(mpc_zk_batch_check(&b));
    }
    CHECK(mpc_zk_batch_count(&b) == K);
    CHECK_OK(mpc_zk_batch_check(&b));
    mpc_zk_batch_clear(&b);
    /* A bad equation in a folded part, and in the pending part. */
    const int bad[] = {3, K - 1};
    for (int j = 0; j < 2; j++) {
        mpz_add_ui(q[bad[j]].z, q[bad[j]].z, 1);
        CHECK_ERR(batch_of(pk, q, K), MPC_ERR_VERIFY);
        mpz_sub_ui(q[bad[j]].z, q[bad[j]].z, 1);
    }
    CHECK_OK(batch_of(pk, q, K));
    /* A non-unit B whose exponent ρ e is negative: undefined, refused,
     * whether it was folded or is still pending. */
    for (int j = 0; j < 2; j++) {
        mpz_set(q[bad[j]].B, sk.p);
        mpz_set_si(q[bad[j]].e, -5);
        CHECK_ERR(batch_of(pk, q, K), MPC_ERR_VERIFY);
        CHECK(eq_honest(pk, &q[bad[j]]));
    }
    for (int i = 0; i < K; i++)
        eq_clear(&q[i]);
    mpc_paillier_sk_clear(&sk);
}

TEST(zk_batch_empty_is_ok)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(zkmta_key(&sk, MPC_PARAMS_COMPAT, 0));
    mpc_zk_batch b;
    CHECK_OK(mpc_zk_batch_init(&b, &sk.pk));
    CHECK(mpc_zk_batch_count(&b) == 0);
    CHECK_OK(mpc_zk_batch_check(&b));
    CHECK_OK(mpc_zk_batch_check(&b));
    mpc_zk_batch_clear(&b);
    mpc_zk_batch_clear(NULL);
    CHECK(mpc_zk_batch_count(NULL) == 0);
    mpc_paillier_sk_clear(&sk);
}

TEST(zk_batch_misuse)
{
    mpc_paillier_sk sk, other;
    mpc_paillier_sk_init(&sk);
    mpc_paillier_sk_init(&other);
    CHECK(zkmta_key(&sk, MPC_PARAMS_COMPAT, 0));
    CHECK(zkmta_key(&other, MPC_PARAMS_COMPAT, 1));
    const mpc_paillier_pk *pk = &sk.pk;
    eq q;
    eq_init(&q);
    CHECK(eq_honest(pk, &q));
    mpc_zk_batch b;
    /* Init: NULL and empty keys; the failed batch refuses everything. */
    CHECK_ERR(mpc_zk_batch_init(NULL, pk), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_batch_init(&b, NULL), MPC_ERR_INVALID_ARG);
    mpc_zk_batch_clear(&b);
    mpc_paillier_pk empty;
    mpc_paillier_pk_init(&empty);
    CHECK_ERR(mpc_zk_batch_init(&b, &empty), MPC_ERR_INVALID_ARG);
    CHECK_ERR(batch_add(&b, pk, &q), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_batch_check(&b), MPC_ERR_INVALID_ARG);
    mpc_zk_batch_clear(&b);
    CHECK_ERR(mpc_zk_batch_check(NULL), MPC_ERR_INVALID_ARG);

    CHECK_OK(mpc_zk_batch_init(&b, pk));
    /* Wrong key: another N, or the same N under another set. */
    CHECK_ERR(batch_add(&b, &other.pk, &q), MPC_ERR_INVALID_ARG);
    mpc_paillier_pk alias;
    mpc_paillier_pk_init(&alias);
    mpc_paillier_pk_copy(&alias, pk);
    alias.params = mpc_params_get(MPC_PARAMS_128);
    CHECK_ERR(batch_add(&b, &alias, &q), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_batch_add(NULL, &b, pk, q.z, q.w, q.A, q.B, q.e),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_batch_add(test_ctx(), NULL, pk, q.z, q.w, q.A, q.B, q.e),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_batch_add(test_ctx(), &b, pk, NULL, q.w, q.A, q.B, q.e),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_batch_add(test_ctx(), &b, pk, q.z, q.w, q.A, q.B, NULL),
              MPC_ERR_INVALID_ARG);
    /* Values out of range: w in [1, N), A and B in [1, N^2). */
    mpz_t zero, n, n2;
    mpz_init(zero);
    mpz_init_set(n, pk->n);
    mpz_init_set(n2, pk->n2);
    CHECK_ERR(mpc_zk_batch_add(test_ctx(), &b, pk, q.z, zero, q.A, q.B, q.e),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_batch_add(test_ctx(), &b, pk, q.z, n, q.A, q.B, q.e),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_batch_add(test_ctx(), &b, pk, q.z, q.w, n2, q.B, q.e),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_batch_add(test_ctx(), &b, pk, q.z, q.w, q.A, zero, q.e),
              MPC_ERR_INVALID_ARG);
    /* Nothing was appended by the refused calls. */
    CHECK(mpc_zk_batch_count(&b) == 0);
    CHECK_OK(batch_add(&b, pk, &q));
    CHECK(mpc_zk_batch_count(&b) == 1);
    CHECK_OK(mpc_zk_batch_check(&b));
    mpc_zk_batch_clear(&b);
    /* The single check: an empty key is misuse, out-of-range values are
     * data (VERIFY). */
    CHECK_ERR(
        mpc_zk_paillier_eq_var(NULL, NULL, &empty, q.z, q.w, q.A, q.B, q.e),
        MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_paillier_eq_var(NULL, NULL, pk, q.z, zero, q.A, q.B, q.e),
              MPC_ERR_VERIFY);
    mpz_clears(zero, n, n2, NULL);
    mpc_paillier_pk_clear(&alias);
    mpc_paillier_pk_clear(&empty);
    eq_clear(&q);
    mpc_paillier_sk_clear(&sk);
    mpc_paillier_sk_clear(&other);
}

/* ---- Proofs ------------------------------------------------------------- */

/* Prover P (key N1: Πenc and Πlog* are under it, and Πaff-g's Y) and
 * verifier V (key N0, ring-Pedersen parameters and tables). */
typedef struct fix {
    zkmta_party prover, verifier;
    const mpc_params *params;
    const mpc_group *g;
    const mpc_paillier_pk *pk0, *pk1;
    /* Πenc and Πlog*: K = Enc_{N1}(k; rho), X = k·G. */
    mpz_t k, rho, K;
    mpc_point G, X;
    /* Πaff-g: C = Enc_{N0}(c), D = C^x Enc_{N0}(y; s), Y = Enc_{N1}(y). */
    mpz_t c, rc, C, x, y, s, ry, D, Y;
    mpc_point Xa;
    mpc_zk_enc_proof enc;
    mpc_zk_logstar_proof log;
    mpc_zk_affg_proof aff;
} fix;

static void transcript(mpc_transcript *t, const char *which)
{
    zkmta_transcript(t, which, PROVER);
}

static bool fix_init(fix *f, mpc_params_id id)
{
    const mpc_ctx *ctx = test_ctx();
    f->params = mpc_params_get(id);
    f->g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
    mpz_inits(f->k, f->rho, f->K, f->c, f->rc, f->C, f->x, f->y, f->s, f->ry,
              f->D, f->Y, NULL);
    mpc_zk_enc_proof_init(&f->enc);
    mpc_zk_logstar_proof_init(&f->log);
    mpc_zk_affg_proof_init(&f->aff);
    REQUIRE(zkmta_party_init(&f->prover, id, 0));
    REQUIRE(zkmta_party_init(&f->verifier, id, 1));
    f->pk0 = &f->verifier.sk.pk;
    f->pk1 = &f->prover.sk.pk;
    mpc_scalar sc;
    zkmta_rand_signed(f->k, f->params->ell);
    REQUIRE(zkmta_encrypt(f->pk1, f->K, f->rho, f->k));
    mpc_point_generator(f->g, &f->G);
    mpc_zk_scalar_from_int_var(f->g, &sc, f->k);
    mpc_point_mul_base(f->g, &f->X, &sc);
    zkmta_rand_signed(f->c, f->params->ell);
    REQUIRE(zkmta_encrypt(f->pk0, f->C, f->rc, f->c));
    zkmta_rand_signed(f->x, f->params->ell);
    zkmta_rand_signed(f->y, f->params->ell_prime);
    REQUIRE_OK(mpc_paillier_nonce_random(ctx, f->pk0, f->s));
    REQUIRE_OK(mpc_paillier_affine(ctx, f->pk0, f->D, f->C, f->x,
                                   f->params->ell + 1, f->y, f->s));
    REQUIRE(zkmta_encrypt(f->pk1, f->Y, f->ry, f->y));
    mpc_zk_scalar_from_int_var(f->g, &sc, f->x);
    mpc_point_mul_base(f->g, &f->Xa, &sc);

    mpc_transcript t;
    transcript(&t, "enc");
    REQUIRE_OK(mpc_zk_enc_prove(ctx, &f->enc, &t, &f->verifier.rp,
                                &f->prover.sk, f->K, f->k, f->rho));
    transcript(&t, "log");
    REQUIRE_OK(mpc_zk_logstar_prove(ctx, &f->log, &t, &f->verifier.rp,
                                    &f->prover.sk, f->K, &f->G, &f->X, f->k,
                                    f->rho));
    transcript(&t, "aff");
    REQUIRE_OK(mpc_zk_affg_prove(ctx, &f->aff, &t, &f->verifier.rp, f->pk0,
                                 &f->prover.sk, f->C, f->D, f->Y, &f->Xa, f->x,
                                 f->y, f->s, f->ry));
    return true;
}

static void fix_clear(fix *f)
{
    mpc_zk_enc_proof_clear(&f->enc);
    mpc_zk_logstar_proof_clear(&f->log);
    mpc_zk_affg_proof_clear(&f->aff);
    zkmta_party_clear(&f->prover);
    zkmta_party_clear(&f->verifier);
    mpz_clears(f->k, f->rho, f->K, f->c, f->rc, f->C, f->x, f->y, f->s, f->ry,
               f->D, f->Y, NULL);
}

/* The proofs (possibly altered) and statements a batch verifies. */
typedef struct batch_in {
    const mpc_zk_enc_proof *enc;
    const mpc_zk_logstar_proof *log;
    const mpc_zk_affg_proof *aff;
    mpz_srcptr K, Y;
} batch_in;

static batch_in honest_in(const fix *f)
{
    return (batch_in){
        .enc = &f->enc, .log = &f->log, .aff = &f->aff, .K = f->K, .Y = f->Y};
}

/* Verifies the three proofs through one batch; also checks that the plain
 * verifiers agree on every proof (they must: the batch is exact on
 * single-field alterations). */
static mpc_err verify_batch(const fix *f, const batch_in *in)
{
    const mpc_ctx *ctx = test_ctx();
    const mpc_rped *rp = &f->verifier.rp;
    const mpc_rped_table *tab = &f->verifier.tab;
    mpc_zk_batch b;
    mpc_transcript t;
    mpc_err err = mpc_zk_batch_init(&b, f->pk1);
    mpc_err single = MPC_OK;
    if (err == MPC_OK) {
        transcript(&t, "enc");
        err = mpc_zk_enc_verify_batched(ctx, &b, &t, rp, tab, f->pk1, in->K,
                                        in->enc);
        transcript(&t, "enc");
        mpc_err e1 = mpc_zk_enc_verify(&t, rp, tab, f->pk1, in->K, in->enc);
        single = single == MPC_OK ? e1 : single;
    }
    if (err == MPC_OK) {
        transcript(&t, "log");
        err = mpc_zk_logstar_verify_batched(ctx, &b, &t, rp, tab, f->pk1, in->K,
                                            &f->G, &f->X, in->log);
        transcript(&t, "log");
        mpc_err e1 = mpc_zk_logstar_verify(ctx, &t, rp, tab, f->pk1, in->K,
                                           &f->G, &f->X, in->log);
        single = single == MPC_OK ? e1 : single;
    }
    if (err == MPC_OK) {
        transcript(&t, "aff");
        err = mpc_zk_affg_verify_batched(ctx, &b, &t, rp, tab, &f->verifier.sk,
                                         f->pk0, f->pk1, f->C, f->D, in->Y,
                                         &f->Xa, in->aff);
        transcript(&t, "aff");
        mpc_err e1 =
            mpc_zk_affg_verify(ctx, &t, rp, tab, &f->verifier.sk, f->pk0,
                               f->pk1, f->C, f->D, in->Y, &f->Xa, in->aff);
        single = single == MPC_OK ? e1 : single;
    }
    if (err == MPC_OK)
        err = mpc_zk_batch_check(&b);
    mpc_zk_batch_clear(&b);
    return err == single ? err : MPC_ERR_INTERNAL;
}

static bool honest(mpc_params_id id)
{
    fix f;
    REQUIRE(fix_init(&f, id));
    batch_in in = honest_in(&f);
    REQUIRE_OK(verify_batch(&f, &in));
    fix_clear(&f);
    return true;
}

TEST(zk_batch_honest_proofs_compat)
{
    CHECK(honest(MPC_PARAMS_COMPAT));
}

TEST(zk_batch_honest_proofs_128)
{
    CHECK(honest(MPC_PARAMS_128));
}

static mpz_ptr enc_field(mpc_zk_enc_proof *p, int i)
{
    mpz_ptr v[6] = {p->s, p->a, p->c, p->z1, p->z2, p->z3};
    return v[i];
}

static mpz_ptr aff_field(mpc_zk_affg_proof *p, int i)
{
    mpz_ptr v[12] = {p->a,  p->by, p->e,  p->s,  p->f, p->t,
                     p->z1, p->z2, p->z3, p->z4, p->w, p->wy};
    return v[i];
}

static void enc_copy(mpc_zk_enc_proof *dst, mpc_zk_enc_proof *src)
{
    for (int i = 0; i < 6; i++)
        mpz_set(enc_field(dst, i), enc_field(src, i));
}

/* One field of one proof in the batch of three altered: the batch fails
 * (and the plain verifier agrees, inside verify_batch). */
TEST(zk_batch_tamper_every_field)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_enc_proof enc;
    mpc_zk_logstar_proof log;
    mpc_zk_affg_proof aff;
    mpc_zk_enc_proof_init(&enc);
    mpc_zk_logstar_proof_init(&log);
    mpc_zk_affg_proof_init(&aff);
    batch_in in;
    for (int i = 0; i < 6; i++) {
        in = honest_in(&f);
        enc_copy(&enc, &f.enc);
        mpz_add_ui(enc_field(&enc, i), enc_field(&enc, i), 1);
        in.enc = &enc;
        CHECK_ERR(verify_batch(&f, &in), MPC_ERR_VERIFY);

        in = honest_in(&f);
        memcpy(log.y, f.log.y, sizeof log.y);
        enc_copy(&log.enc, &f.log.enc);
        mpz_add_ui(enc_field(&log.enc, i), enc_field(&log.enc, i), 1);
        in.log = &log;
        CHECK_ERR(verify_batch(&f, &in), MPC_ERR_VERIFY);
    }
    for (int i = 0; i < 12; i++) {
        in = honest_in(&f);
        memcpy(aff.bx, f.aff.bx, sizeof aff.bx);
        for (int j = 0; j < 12; j++)
            mpz_set(aff_field(&aff, j), aff_field(&f.aff, j));
        mpz_add_ui(aff_field(&aff, i), aff_field(&aff, i), 1);
        in.aff = &aff;
        CHECK_ERR(verify_batch(&f, &in), MPC_ERR_VERIFY);
    }
    /* The statements under the prover's key: K and Y times (1+N1), other
     * plaintexts. */
    mpz_t k2, y2;
    mpz_inits(k2, y2, NULL);
    mpz_add_ui(k2, f.pk1->n, 1);
    mpz_mul(y2, f.Y, k2);
    mpz_mod(y2, y2, f.pk1->n2);
    mpz_mul(k2, f.K, k2);
    mpz_mod(k2, k2, f.pk1->n2);
    in = honest_in(&f);
    in.K = k2;
    CHECK_ERR(verify_batch(&f, &in), MPC_ERR_VERIFY);
    in = honest_in(&f);
    in.Y = y2;
    CHECK_ERR(verify_batch(&f, &in), MPC_ERR_VERIFY);
    in = honest_in(&f);
    CHECK_OK(verify_batch(&f, &in));
    mpz_clears(k2, y2, NULL);
    mpc_zk_enc_proof_clear(&enc);
    mpc_zk_logstar_proof_clear(&log);
    mpc_zk_affg_proof_clear(&aff);
    fix_clear(&f);
}

/* The batched verifiers refuse a batch bound to another key than the
 * prover's (for Πaff-g: N1, not the verifier's N0), a NULL batch, and a
 * NULL ctx; a refused or failed proof appends nothing. */
TEST(zk_batch_verifiers_misuse)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    const mpc_ctx *ctx = test_ctx();
    const mpc_rped *rp = &f.verifier.rp;
    const mpc_rped_table *tab = &f.verifier.tab;
    mpc_zk_batch wrong, b;
    CHECK_OK(mpc_zk_batch_init(&wrong, f.pk0));
    CHECK_OK(mpc_zk_batch_init(&b, f.pk1));
    mpc_transcript t;
    transcript(&t, "enc");
    CHECK_ERR(
        mpc_zk_enc_verify_batched(ctx, &wrong, &t, rp, tab, f.pk1, f.K, &f.enc),
        MPC_ERR_INVALID_ARG);
    CHECK_ERR(
        mpc_zk_enc_verify_batched(ctx, NULL, &t, rp, tab, f.pk1, f.K, &f.enc),
        MPC_ERR_INVALID_ARG);
    CHECK_ERR(
        mpc_zk_enc_verify_batched(NULL, &b, &t, rp, tab, f.pk1, f.K, &f.enc),
        MPC_ERR_INVALID_ARG);
    transcript(&t, "log");
    CHECK_ERR(mpc_zk_logstar_verify_batched(ctx, &wrong, &t, rp, tab, f.pk1,
                                            f.K, &f.G, &f.X, &f.log),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_logstar_verify_batched(ctx, NULL, &t, rp, tab, f.pk1, f.K,
                                            &f.G, &f.X, &f.log),
              MPC_ERR_INVALID_ARG);
    transcript(&t, "aff");
    CHECK_ERR(mpc_zk_affg_verify_batched(ctx, &wrong, &t, rp, tab,
                                         &f.verifier.sk, f.pk0, f.pk1, f.C, f.D,
                                         f.Y, &f.Xa, &f.aff),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_affg_verify_batched(ctx, NULL, &t, rp, tab, &f.verifier.sk,
                                         f.pk0, f.pk1, f.C, f.D, f.Y, &f.Xa,
                                         &f.aff),
              MPC_ERR_INVALID_ARG);
    CHECK(mpc_zk_batch_count(&wrong) == 0);
    CHECK(mpc_zk_batch_count(&b) == 0);
    /* A proof that fails an unbatched check (z1 out of range) appends
     * nothing; an honest one appends one equation. */
    mpc_zk_enc_proof bad;
    mpc_zk_enc_proof_init(&bad);
    enc_copy(&bad, &f.enc);
    mpz_set_ui(bad.z1, 1);
    mpz_setbit(bad.z1, f.params->ell + f.params->eps); /* 2^{ℓ+ε} + 1 */
    transcript(&t, "enc");
    CHECK_ERR(mpc_zk_enc_verify_batched(ctx, &b, &t, rp, tab, f.pk1, f.K, &bad),
              MPC_ERR_VERIFY);
    CHECK(mpc_zk_batch_count(&b) == 0);
    transcript(&t, "enc");
    CHECK_OK(
        mpc_zk_enc_verify_batched(ctx, &b, &t, rp, tab, f.pk1, f.K, &f.enc));
    CHECK(mpc_zk_batch_count(&b) == 1);
    CHECK_OK(mpc_zk_batch_check(&b));
    mpc_zk_enc_proof_clear(&bad);
    mpc_zk_batch_clear(&wrong);
    mpc_zk_batch_clear(&b);
    fix_clear(&f);
}

/* Check 6 of Πaff-g by the CRT with the verifier's key (stage 2): every
 * sign combination of z1 and e (each power changes sides) passes when
 * honest and fails with w, A or z2 altered, in agreement with the
 * public-key form. */
TEST(zk_batch_affg_own_key_signs)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    const mpc_ctx *ctx = test_ctx();
    const mpc_rped *rp = &f.verifier.rp;
    mpc_zk_affg_proof pr, bad;
    mpc_zk_affg_proof_init(&pr);
    mpc_zk_affg_proof_init(&bad);
    mpz_t e;
    mpz_init(e);
    unsigned seen = 0;
    for (int i = 0; i < 64 && seen != 15; i++) {
        char label[16];
        snprintf(label, sizeof label, "aff-%d", i);
        mpc_transcript t;
        transcript(&t, label);
        CHECK_OK(mpc_zk_affg_prove(ctx, &pr, &t, rp, f.pk0, &f.prover.sk, f.C,
                                   f.D, f.Y, &f.Xa, f.x, f.y, f.s, f.ry));
        transcript(&t, label);
        CHECK_OK(mpc_zk_affg_challenge(&t, f.g, rp, f.pk0, f.pk1, f.C, f.D, f.Y,
                                       &f.Xa, &pr, e));
        unsigned combo = (mpz_sgn(pr.z1) < 0) * 2u + (mpz_sgn(e) < 0);
        if (seen & (1u << combo))
            continue;
        seen |= 1u << combo;
        for (int k = 0; k < 4; k++) {
            memcpy(bad.bx, pr.bx, sizeof bad.bx);
            for (int j = 0; j < 12; j++)
                mpz_set(aff_field(&bad, j), aff_field(&pr, j));
            /* k = 0 honest; 1: w + 1; 2: A (1 + N0); 3: z2 + 1. */
            if (k == 1)
                mpz_add_ui(bad.w, bad.w, 1);
            if (k == 2) {
                mpz_add_ui(e, f.pk0->n, 1);
                mpz_mul(bad.a, bad.a, e);
                mpz_mod(bad.a, bad.a, f.pk0->n2);
            }
            if (k == 3)
                mpz_add_ui(bad.z2, bad.z2, 1);
            mpc_err want = k == 0 ? MPC_OK : MPC_ERR_VERIFY;
            const mpc_paillier_sk *sks[2] = {&f.verifier.sk, NULL};
            for (int v = 0; v < 2; v++) {
                transcript(&t, label);
                CHECK_ERR(mpc_zk_affg_verify(ctx, &t, rp, &f.verifier.tab,
                                             sks[v], f.pk0, f.pk1, f.C, f.D,
                                             f.Y, &f.Xa, &bad),
                          want);
            }
        }
    }
    CHECK(seen == 15);
    mpz_clear(e);
    mpc_zk_affg_proof_clear(&pr);
    mpc_zk_affg_proof_clear(&bad);
    fix_clear(&f);
}

/* mpc_bn_multiexp_sec (check 6 by the CRT) against mpz_powm: a secret
 * first exponent of a fixed bound, public others (zero included),
 * unreduced bases; misuse. */
TEST(zk_batch_multiexp_sec_matches_powm)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(zkmta_key(&sk, MPC_PARAMS_COMPAT, 0));
    const mpc_ctx *ctx = test_ctx();
    mpz_t b[4], e[4], r, want;
    mpz_srcptr bp[4], ep[4];
    mpz_inits(r, want, NULL);
    for (int i = 0; i < 4; i++) {
        mpz_inits(b[i], e[i], NULL);
        bp[i] = b[i];
        ep[i] = e[i];
    }
    const mpz_srcptr mods[] = {sk.p2, sk.pk.n2, sk.p};
    const size_t ebits[][4] = {
        {1024, 768, 256, 1}, {1, 0, 0, 0}, {64, 3000, 1, 0}, {1024, 0, 0, 700}};
    for (size_t mi = 0; mi < 3; mi++) {
        for (size_t c = 0; c < 4; c++) {
            for (size_t k = 1; k <= 4; k++) {
                mpz_set_ui(want, 1);
                for (size_t i = 0; i < k; i++) {
                    /* Bases up to 64 bits above m (reduced inside). */
                    zkmta_rand_signed(b[i], mpz_sizeinbase(mods[mi], 2) + 64);
                    mpz_abs(b[i], b[i]);
                    zkmta_rand_signed(e[i], ebits[c][i]);
                    mpz_abs(e[i], e[i]);
                    if (ebits[c][i] == 0)
                        mpz_set_ui(e[i], 0);
                    mpz_powm(r, b[i], e[i], mods[mi]);
                    mpz_mul(want, want, r);
                    mpz_mod(want, want, mods[mi]);
                }
                size_t e0_bits = ebits[c][0] + 1;
                CHECK_OK(
                    mpc_bn_multiexp_sec(ctx, r, bp, ep, k, e0_bits, mods[mi]));
                CHECK(mpz_cmp(r, want) == 0);
            }
        }
    }
    /* r may alias an input. */
    mpz_set(r, b[1]);
    mpz_powm(want, b[1], e[0], sk.p2);
    mpz_srcptr ab[] = {r}, ae[] = {e[0]};
    CHECK_OK(mpc_bn_multiexp_sec(ctx, r, ab, ae, 1, 1025, sk.p2));
    CHECK(mpz_cmp(r, want) == 0);
    /* Misuse: e[0] over its bound, negative values, even or small m,
     * count 0 or above the maximum, NULLs; r = 0 after each. */
    mpz_t neg, even;
    mpz_init_set_si(neg, -1);
    mpz_init_set_ui(even, 1 << 20);
    mpz_set_ui(e[0], 16);
    mpz_srcptr nb[] = {neg, b[1]}, ne[] = {e[0], neg};
    mpz_srcptr many[MPC_BN_MULTIEXP_SEC_MAX + 1];
    for (size_t i = 0; i <= MPC_BN_MULTIEXP_SEC_MAX; i++)
        many[i] = b[0];
    const struct {
        const mpz_srcptr *b, *e;
        size_t count, bits;
        mpz_srcptr m;
    } bad[] = {
        {bp, ep, 1, 4, sk.p2}, /* 16 >= 2^4 */
        {bp, ep, 1, 0, sk.p2}, /* bound 0 */
        {nb, ep, 1, 8, sk.p2}, /* negative base */
        {bp, ne, 2, 8, sk.p2}, /* negative public exponent */
        {bp, ep, 1, 8, even},  /* even modulus */
        {bp, ep, 0, 8, sk.p2}, /* no terms */
        {many, many, MPC_BN_MULTIEXP_SEC_MAX + 1, 2048, sk.p2},
        {NULL, ep, 1, 8, sk.p2},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        mpz_set_ui(r, 7);
        CHECK_ERR(mpc_bn_multiexp_sec(ctx, r, bad[i].b, bad[i].e, bad[i].count,
                                      bad[i].bits, bad[i].m),
                  MPC_ERR_INVALID_ARG);
        CHECK(mpz_sgn(r) == 0);
    }
    CHECK_ERR(mpc_bn_multiexp_sec(NULL, r, bp, ep, 1, 8, sk.p2),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_bn_multiexp_sec(ctx, NULL, bp, ep, 1, 8, sk.p2),
              MPC_ERR_INVALID_ARG);
    mpz_clears(neg, even, r, want, NULL);
    for (int i = 0; i < 4; i++)
        mpz_clears(b[i], e[i], NULL);
    mpc_paillier_sk_clear(&sk);
}
