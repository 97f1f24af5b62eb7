/* Πlog* (lib/zk/zk_logstar.c): honest proofs with the generator and
 * another base at both parameter sets, every field and statement input
 * bound, transcript binding, cheating provers that break exactly one
 * check, strict parsing, misuse. */
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "lib/zk/zk_internal.h"
#include "mpc/bn.h"
#include "mpc/group.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/zk_logstar.h"
#include "tests/harness/test.h"
#include "tests/unit/zk_mta_fixture.h"

#define SID "zk-logstar-test-session"
#define PROVER 1

/* A prover (Paillier key N0), a verifier (ring-Pedersen parameters) and a
 * statement C = Enc_{N0}(x; rho), X = x·base. */
typedef struct fix {
    zkmta_party prover, verifier;
    const mpc_params *params;
    const mpc_group *g;
    mpc_point base, X;
    mpz_t x, rho, C;
} fix;

static bool set_x(fix *f)
{
    REQUIRE(zkmta_encrypt(&f->prover.sk.pk, f->C, f->rho, f->x));
    mpc_scalar xs;
    mpc_zk_scalar_from_int_var(f->g, &xs, f->x);
    mpc_point_mul(f->g, &f->X, &xs, &f->base);
    return true;
}

/* base: the generator if `generator`, else a random point (as Γ). */
static bool fix_init(fix *f, mpc_params_id id, bool generator)
{
    f->params = mpc_params_get(id);
    f->g = mpc_ctx_group(test_ctx(), MPC_CURVE_SECP256K1);
    mpz_inits(f->x, f->rho, f->C, NULL);
    REQUIRE(zkmta_party_init(&f->prover, id, 0));
    REQUIRE(zkmta_party_init(&f->verifier, id, 1));
    mpc_scalar k;
    mpc_scalar_random(f->g, &k);
    if (generator)
        mpc_point_generator(f->g, &f->base);
    else
        mpc_point_mul_base(f->g, &f->base, &k);
    zkmta_rand_signed(f->x, f->params->ell);
    return set_x(f);
}

static void fix_clear(fix *f)
{
    zkmta_party_clear(&f->prover);
    zkmta_party_clear(&f->verifier);
    mpz_clears(f->x, f->rho, f->C, NULL);
}

static mpc_err prove(const fix *f, mpc_zk_logstar_proof *pr)
{
    mpc_transcript t;
    zkmta_transcript(&t, SID, PROVER);
    return mpc_zk_logstar_prove(test_ctx(), pr, &t, &f->verifier.rp,
                                &f->prover.sk, f->C, &f->base, &f->X, f->x,
                                f->rho);
}

/* Verifies with and without tables (they must agree), under statement
 * (C, base, X). */
static mpc_err verify_stmt(const fix *f, const mpz_t C, const mpc_point *base,
                           const mpc_point *X, const mpc_zk_logstar_proof *pr)
{
    mpc_transcript t1, t2;
    zkmta_transcript(&t1, SID, PROVER);
    t2 = t1;
    mpc_err e1 = mpc_zk_logstar_verify(test_ctx(), &t1, &f->verifier.rp,
                                       &f->verifier.tab, &f->prover.sk.pk, C,
                                       base, X, pr);
    mpc_err e2 = mpc_zk_logstar_verify(test_ctx(), &t2, &f->verifier.rp, NULL,
                                       &f->prover.sk.pk, C, base, X, pr);
    return e1 == e2 ? e1 : MPC_ERR_INTERNAL;
}

static mpc_err verify(const fix *f, const mpc_zk_logstar_proof *pr)
{
    return verify_stmt(f, f->C, &f->base, &f->X, pr);
}

static bool proof_zero(const mpc_zk_logstar_proof *pr)
{
    const mpc_zk_enc_proof *e = &pr->enc;
    return zkmta_all_zero(pr->y, sizeof pr->y) && mpz_sgn(e->s) == 0 &&
           mpz_sgn(e->a) == 0 && mpz_sgn(e->c) == 0 && mpz_sgn(e->z1) == 0 &&
           mpz_sgn(e->z2) == 0 && mpz_sgn(e->z3) == 0;
}

static void proof_copy(mpc_zk_logstar_proof *dst,
                       const mpc_zk_logstar_proof *src)
{
    memcpy(dst->y, src->y, sizeof dst->y);
    mpz_set(dst->enc.s, src->enc.s);
    mpz_set(dst->enc.a, src->enc.a);
    mpz_set(dst->enc.c, src->enc.c);
    mpz_set(dst->enc.z1, src->enc.z1);
    mpz_set(dst->enc.z2, src->enc.z2);
    mpz_set(dst->enc.z3, src->enc.z3);
}

static mpz_ptr field(mpc_zk_logstar_proof *pr, int i)
{
    mpz_ptr v[6] = {pr->enc.s,  pr->enc.a,  pr->enc.c,
                    pr->enc.z1, pr->enc.z2, pr->enc.z3};
    return v[i];
}

/* ---- A test-side prover that can cheat -------------------------------- */

enum cheat {
    HONEST,
    ZERO_A, /* A = 0, z2 = 0: the Paillier equation holds for any C */
};

/* The Πlog* prover in plain GMP, without misuse checks: the statement
 * (C, base, X) may be false, the witness x out of range. */
static bool manual_prove(const fix *f, mpc_zk_logstar_proof *pr, mpz_t e,
                         const mpz_t C, const mpc_point *base,
                         const mpc_point *X, const mpz_t x, enum cheat cheat)
{
    const mpc_rped *rp = &f->verifier.rp;
    const mpc_paillier_pk *pk = &f->prover.sk.pk;
    const mpc_params *params = f->params;
    mpz_t alpha, mu, gamma, r, b;
    mpz_inits(alpha, mu, gamma, r, b, NULL);
    zkmta_rand_signed(alpha, params->ell + params->eps);
    mpz_setbit(b, params->ell);
    mpz_mul(b, b, rp->n);
    REQUIRE_OK(mpc_bn_random_symmetric(test_ctx(), mu, b));
    mpz_mul_2exp(b, b, params->eps);
    REQUIRE_OK(mpc_bn_random_symmetric(test_ctx(), gamma, b));
    REQUIRE_OK(mpc_bn_random_unit(test_ctx(), r, pk->n));

    REQUIRE_OK(mpc_rped_commit_var(rp, pr->enc.s, x, mu));
    if (cheat == ZERO_A)
        mpz_set_ui(pr->enc.a, 0);
    else
        REQUIRE_OK(mpc_zk_paillier_enc_var(pr->enc.a, pk, alpha, r));
    REQUIRE_OK(mpc_rped_commit_var(rp, pr->enc.c, alpha, gamma));
    mpc_scalar as;
    mpc_point Y;
    mpc_zk_scalar_from_int_var(f->g, &as, alpha);
    mpc_point_mul(f->g, &Y, &as, base);
    mpc_point_serialize(f->g, pr->y, &Y);

    mpc_transcript t;
    zkmta_transcript(&t, SID, PROVER);
    REQUIRE_OK(mpc_zk_logstar_challenge(&t, f->g, rp, pk, C, base, X, pr, e));
    mpz_mul(pr->enc.z1, e, x);
    mpz_add(pr->enc.z1, pr->enc.z1, alpha);
    if (cheat == ZERO_A) {
        mpz_set_ui(pr->enc.z2, 0);
    } else {
        REQUIRE_OK(mpc_bn_powm_var(pr->enc.z2, f->rho, e, pk->n));
        mpz_mul(pr->enc.z2, pr->enc.z2, r);
        mpz_mod(pr->enc.z2, pr->enc.z2, pk->n);
    }
    mpz_mul(pr->enc.z3, e, mu);
    mpz_add(pr->enc.z3, pr->enc.z3, gamma);
    mpz_clears(alpha, mu, gamma, r, b, NULL);
    return true;
}

/* The Paillier and ring-Pedersen equations hold (computed in the test). */
static bool paillier_equations_hold(const fix *f, const mpz_t C,
                                    const mpc_zk_logstar_proof *pr,
                                    const mpz_t e)
{
    const mpc_rped *rp = &f->verifier.rp;
    const mpc_paillier_pk *pk = &f->prover.sk.pk;
    mpz_t l, r;
    mpz_inits(l, r, NULL);
    mpz_mod(l, pr->enc.z1, pk->n);
    mpz_mul(l, l, pk->n);
    mpz_add_ui(l, l, 1);
    mpz_powm(r, pr->enc.z2, pk->n, pk->n2);
    mpz_mul(l, l, r);
    mpz_mod(l, l, pk->n2);
    bool ok = mpc_bn_powm_var(r, C, e, pk->n2) == MPC_OK;
    mpz_mul(r, r, pr->enc.a);
    mpz_mod(r, r, pk->n2);
    ok = ok && mpz_cmp(l, r) == 0;
    ok = ok && mpc_rped_commit_var(rp, l, pr->enc.z1, pr->enc.z3) == MPC_OK;
    ok = ok && mpc_bn_powm_var(r, pr->enc.s, e, rp->n) == MPC_OK;
    mpz_mul(r, r, pr->enc.c);
    mpz_mod(r, r, rp->n);
    ok = ok && mpz_cmp(l, r) == 0;
    mpz_clears(l, r, NULL);
    return ok;
}

/* z1·base = Y + e·X (computed in the test). */
static bool curve_equation_holds(const fix *f, const mpc_point *base,
                                 const mpc_point *X,
                                 const mpc_zk_logstar_proof *pr, const mpz_t e)
{
    mpc_point Y, l, r;
    REQUIRE_OK(mpc_point_parse(f->g, &Y, pr->y, sizeof pr->y));
    mpc_scalar zs, es;
    mpc_zk_scalar_from_int_var(f->g, &zs, pr->enc.z1);
    mpc_zk_scalar_from_int_var(f->g, &es, e);
    mpc_point_mul(f->g, &l, &zs, base);
    mpc_point_mul(f->g, &r, &es, X);
    mpc_point_add(f->g, &r, &r, &Y);
    return mpc_point_eq(f->g, &l, &r);
}

/* ---- honest proofs ------------------------------------------------------ */

static bool honest_roundtrip(mpc_params_id id, bool generator,
                             size_t want_bytes)
{
    fix f;
    REQUIRE(fix_init(&f, id, generator));
    mpc_zk_logstar_proof pr, back;
    mpc_zk_logstar_proof_init(&pr);
    mpc_zk_logstar_proof_init(&back);
    REQUIRE_OK(prove(&f, &pr));
    REQUIRE_OK(verify(&f, &pr));
    size_t len = mpc_zk_logstar_proof_bytes(f.params);
    REQUIRE(len == want_bytes);
    uint8_t *buf = malloc(len);
    REQUIRE(buf != NULL);
    REQUIRE_OK(mpc_zk_logstar_proof_serialize(buf, len, f.params, &pr));
    REQUIRE_OK(
        mpc_zk_logstar_proof_parse(test_ctx(), &back, f.params, buf, len));
    REQUIRE(memcmp(back.y, pr.y, sizeof pr.y) == 0);
    REQUIRE(mpz_cmp(back.enc.z2, pr.enc.z2) == 0);
    REQUIRE_OK(verify(&f, &back));
    free(buf);
    mpc_zk_logstar_proof_clear(&pr);
    mpc_zk_logstar_proof_clear(&back);
    fix_clear(&f);
    return true;
}

TEST(zk_logstar_honest_compat_generator)
{
    CHECK(honest_roundtrip(MPC_PARAMS_COMPAT, true, 1765));
}

TEST(zk_logstar_honest_compat_other_base)
{
    CHECK(honest_roundtrip(MPC_PARAMS_COMPAT, false, 1765));
}

TEST(zk_logstar_honest_128)
{
    CHECK(honest_roundtrip(MPC_PARAMS_128, false, 2461));
}

/* x = ±2^ℓ, 0 and a negative x whose X is -|x|·g. */
TEST(zk_logstar_honest_edge_witness)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT, false));
    mpc_zk_logstar_proof pr;
    mpc_zk_logstar_proof_init(&pr);
    for (int i = 0; i < 3; i++) {
        mpz_set_ui(f.x, 0);
        if (i > 0)
            mpz_setbit(f.x, f.params->ell);
        if (i == 2)
            mpz_neg(f.x, f.x);
        CHECK(set_x(&f));
        CHECK_OK(prove(&f, &pr));
        CHECK_OK(verify(&f, &pr));
    }
    mpc_zk_logstar_proof_clear(&pr);
    fix_clear(&f);
}

/* ---- every field, every statement input -------------------------------- */

TEST(zk_logstar_tamper_every_field)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT, false));
    mpc_zk_logstar_proof pr, bad;
    mpc_zk_logstar_proof_init(&pr);
    mpc_zk_logstar_proof_init(&bad);
    CHECK_OK(prove(&f, &pr));
    for (int i = 0; i < 6; i++) {
        proof_copy(&bad, &pr);
        mpz_add_ui(field(&bad, i), field(&bad, i), 1);
        CHECK_ERR(verify(&f, &bad), MPC_ERR_VERIFY);
    }
    /* Y + G: a valid point, the wrong one. */
    mpc_point Y, G;
    CHECK_OK(mpc_point_parse(f.g, &Y, pr.y, sizeof pr.y));
    mpc_point_generator(f.g, &G);
    mpc_point_add(f.g, &Y, &Y, &G);
    proof_copy(&bad, &pr);
    mpc_point_serialize(f.g, bad.y, &Y);
    CHECK_ERR(verify(&f, &bad), MPC_ERR_VERIFY);

    size_t len = mpc_zk_logstar_proof_bytes(f.params);
    uint8_t *buf = malloc(len);
    CHECK(buf != NULL);
    CHECK_OK(mpc_zk_logstar_proof_serialize(buf, len, f.params, &pr));
    for (size_t pos = 0; pos < len; pos += 59) {
        zkmta_flip(buf, pos, (unsigned)pos);
        mpc_err err =
            mpc_zk_logstar_proof_parse(test_ctx(), &bad, f.params, buf, len);
        if (err == MPC_OK)
            err = verify(&f, &bad);
        CHECK(err == MPC_ERR_VERIFY || err == MPC_ERR_PARSE);
        zkmta_flip(buf, pos, (unsigned)pos);
    }
    free(buf);
    mpc_zk_logstar_proof_clear(&pr);
    mpc_zk_logstar_proof_clear(&bad);
    fix_clear(&f);
}

TEST(zk_logstar_wrong_statement)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT, false));
    mpc_zk_logstar_proof pr;
    mpc_zk_logstar_proof_init(&pr);
    CHECK_OK(prove(&f, &pr));
    mpc_point G, X2, base2;
    mpc_point_generator(f.g, &G);
    /* X + G; the generator as base; C of x + 1. */
    mpc_point_add(f.g, &X2, &f.X, &G);
    CHECK_ERR(verify_stmt(&f, f.C, &f.base, &X2, &pr), MPC_ERR_VERIFY);
    CHECK_ERR(verify_stmt(&f, f.C, &G, &f.X, &pr), MPC_ERR_VERIFY);
    mpc_point_add(f.g, &base2, &f.base, &G);
    CHECK_ERR(verify_stmt(&f, f.C, &base2, &f.X, &pr), MPC_ERR_VERIFY);
    mpz_t C2;
    mpz_init(C2);
    mpz_add_ui(C2, f.prover.sk.pk.n, 1);
    mpz_mul(C2, C2, f.C);
    mpz_mod(C2, C2, f.prover.sk.pk.n2);
    CHECK_ERR(verify_stmt(&f, C2, &f.base, &f.X, &pr), MPC_ERR_VERIFY);

    zkmta_party other;
    CHECK(zkmta_party_init(&other, MPC_PARAMS_COMPAT, 2));
    mpc_transcript t;
    zkmta_transcript(&t, SID, PROVER);
    CHECK_ERR(mpc_zk_logstar_verify(test_ctx(), &t, &f.verifier.rp,
                                    &f.verifier.tab, &other.sk.pk, f.C, &f.base,
                                    &f.X, &pr),
              MPC_ERR_VERIFY);
    zkmta_transcript(&t, SID, PROVER);
    CHECK_ERR(mpc_zk_logstar_verify(test_ctx(), &t, &other.rp, &other.tab,
                                    &f.prover.sk.pk, f.C, &f.base, &f.X, &pr),
              MPC_ERR_VERIFY);
    zkmta_party_clear(&other);
    mpz_clear(C2);
    mpc_zk_logstar_proof_clear(&pr);
    fix_clear(&f);
}

TEST(zk_logstar_transcript_bound)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT, true));
    mpc_zk_logstar_proof pr;
    mpc_zk_logstar_proof_init(&pr);
    CHECK_OK(prove(&f, &pr));
    mpc_transcript ts[3];
    zkmta_transcript(&ts[0], SID "x", PROVER);
    zkmta_transcript(&ts[1], SID, PROVER + 1);
    mpc_transcript_init(&ts[2], "other-protocol", (const uint8_t *)SID,
                        strlen(SID));
    mpc_transcript_append_u64(&ts[2], "prover", PROVER);
    for (int i = 0; i < 3; i++)
        CHECK_ERR(mpc_zk_logstar_verify(test_ctx(), &ts[i], &f.verifier.rp,
                                        &f.verifier.tab, &f.prover.sk.pk, f.C,
                                        &f.base, &f.X, &pr),
                  MPC_ERR_VERIFY);
    /* The same proof is not a Πenc proof of C either (own label). */
    zkmta_transcript(&ts[0], SID, PROVER);
    CHECK_ERR(mpc_zk_enc_verify(&ts[0], &f.verifier.rp, &f.verifier.tab,
                                &f.prover.sk.pk, f.C, &pr.enc),
              MPC_ERR_VERIFY);
    mpc_zk_logstar_proof_clear(&pr);
    fix_clear(&f);
}

/* ---- the verifier's checks, one at a time ------------------------------- */

/* Alpha-Rays: x far out of range; every equation holds, the range check
 * on z1 alone rejects. */
TEST(zk_logstar_attack_out_of_range)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT, false));
    mpc_zk_logstar_proof pr;
    mpc_zk_logstar_proof_init(&pr);
    mpz_t e;
    mpz_init(e);
    mpz_set_ui(f.x, 0);
    mpz_setbit(f.x, f.params->ell + f.params->eps + 8);
    CHECK(set_x(&f));
    CHECK(manual_prove(&f, &pr, e, f.C, &f.base, &f.X, f.x, HONEST));
    CHECK(paillier_equations_hold(&f, f.C, &pr, e));
    CHECK(curve_equation_holds(&f, &f.base, &f.X, &pr, e));
    CHECK_ERR(verify(&f, &pr), MPC_ERR_VERIFY);
    CHECK_ERR(prove(&f, &pr), MPC_ERR_INVALID_ARG);
    CHECK(proof_zero(&pr));
    /* Faithful manual prover: in range, it verifies. */
    zkmta_rand_signed(f.x, f.params->ell);
    CHECK(set_x(&f));
    CHECK(manual_prove(&f, &pr, e, f.C, &f.base, &f.X, f.x, HONEST));
    CHECK_OK(verify(&f, &pr));
    mpz_clear(e);
    mpc_zk_logstar_proof_clear(&pr);
    fix_clear(&f);
}

/* X is not x·g (C encrypts x, X = (x+1)·g): the Paillier and
 * ring-Pedersen equations hold, only the curve equation rejects. */
TEST(zk_logstar_attack_wrong_exponent)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT, false));
    mpc_zk_logstar_proof pr;
    mpc_zk_logstar_proof_init(&pr);
    mpz_t e;
    mpz_init(e);
    mpc_point X2;
    mpc_point_add(f.g, &X2, &f.X, &f.base);
    CHECK(manual_prove(&f, &pr, e, f.C, &f.base, &X2, f.x, HONEST));
    CHECK(paillier_equations_hold(&f, f.C, &pr, e));
    CHECK(!curve_equation_holds(&f, &f.base, &X2, &pr, e));
    CHECK_ERR(verify_stmt(&f, f.C, &f.base, &X2, &pr), MPC_ERR_VERIFY);
    /* The library prover refuses X != x·g. */
    mpc_transcript t;
    zkmta_transcript(&t, SID, PROVER);
    CHECK_ERR(mpc_zk_logstar_prove(test_ctx(), &pr, &t, &f.verifier.rp,
                                   &f.prover.sk, f.C, &f.base, &X2, f.x, f.rho),
              MPC_ERR_INVALID_ARG);
    CHECK(proof_zero(&pr));
    mpz_clear(e);
    mpc_zk_logstar_proof_clear(&pr);
    fix_clear(&f);
}

/* A = 0, z2 = 0 with a C of an unbounded plaintext: the Paillier equation
 * holds trivially, the curve and ring-Pedersen ones honestly for a small
 * x; only the unit checks on A and z2 reject. */
TEST(zk_logstar_attack_zero_commitment)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT, false));
    mpc_zk_logstar_proof pr;
    mpc_zk_logstar_proof_init(&pr);
    mpz_t e, big, r;
    mpz_inits(e, big, r, NULL);
    mpz_setbit(big, 1500);
    mpz_t C2;
    mpz_init(C2);
    CHECK(zkmta_encrypt(&f.prover.sk.pk, C2, r, big));
    CHECK(manual_prove(&f, &pr, e, C2, &f.base, &f.X, f.x, ZERO_A));
    CHECK(paillier_equations_hold(&f, C2, &pr, e));
    CHECK(curve_equation_holds(&f, &f.base, &f.X, &pr, e));
    CHECK_ERR(verify_stmt(&f, C2, &f.base, &f.X, &pr), MPC_ERR_VERIFY);
    mpz_clears(e, big, r, C2, NULL);
    mpc_zk_logstar_proof_clear(&pr);
    fix_clear(&f);
}

/* The base must not be the identity: with g = O the curve equation says
 * nothing about x. */
TEST(zk_logstar_rejects_identity_base)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT, false));
    mpc_zk_logstar_proof pr;
    mpc_zk_logstar_proof_init(&pr);
    mpc_point O;
    mpc_point_set_identity(f.g, &O);
    mpc_transcript t;
    zkmta_transcript(&t, SID, PROVER);
    CHECK_ERR(mpc_zk_logstar_prove(test_ctx(), &pr, &t, &f.verifier.rp,
                                   &f.prover.sk, f.C, &O, &O, f.x, f.rho),
              MPC_ERR_INVALID_ARG);
    CHECK(proof_zero(&pr));
    CHECK_OK(prove(&f, &pr));
    CHECK_ERR(verify_stmt(&f, f.C, &O, &f.X, &pr), MPC_ERR_VERIFY);
    CHECK_ERR(verify_stmt(&f, f.C, &O, &O, &pr), MPC_ERR_VERIFY);
    mpc_zk_logstar_proof_clear(&pr);
    fix_clear(&f);
}

/* Non-units, out-of-range responses, an invalid Y, a small modulus. */
TEST(zk_logstar_rejects_bad_values)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT, false));
    mpc_zk_logstar_proof pr, bad;
    mpc_zk_logstar_proof_init(&pr);
    mpc_zk_logstar_proof_init(&bad);
    CHECK_OK(prove(&f, &pr));
    const mpz_srcptr n0 = f.prover.sk.pk.n, nhat = f.verifier.rp.n;
    struct {
        int i;
        mpz_srcptr v;
    } cases[] = {{0, nhat}, {1, n0}, {1, f.prover.sk.p},
                 {2, nhat}, {4, n0}, {4, f.prover.sk.q}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        proof_copy(&bad, &pr);
        mpz_set(field(&bad, cases[c].i), cases[c].v);
        CHECK_ERR(verify(&f, &bad), MPC_ERR_VERIFY);
        proof_copy(&bad, &pr);
        mpz_set_ui(field(&bad, cases[c].i), 0);
        CHECK_ERR(verify(&f, &bad), MPC_ERR_VERIFY);
    }
    proof_copy(&bad, &pr);
    mpz_set_ui(bad.enc.z1, 0);
    mpz_setbit(bad.enc.z1, f.params->ell + f.params->eps);
    mpz_add_ui(bad.enc.z1, bad.enc.z1, 1);
    CHECK_ERR(verify(&f, &bad), MPC_ERR_VERIFY);
    mpz_neg(bad.enc.z1, bad.enc.z1);
    CHECK_ERR(verify(&f, &bad), MPC_ERR_VERIFY);
    /* Y: identity (zeros), off-curve, wrong prefix. */
    proof_copy(&bad, &pr);
    memset(bad.y, 0, sizeof bad.y);
    CHECK_ERR(verify(&f, &bad), MPC_ERR_VERIFY);
    bad.y[0] = 0x05;
    memcpy(bad.y + 1, pr.y + 1, sizeof bad.y - 1);
    CHECK_ERR(verify(&f, &bad), MPC_ERR_VERIFY);
    /* The statement C: not a unit. */
    mpz_t C;
    mpz_init(C);
    mpz_mul(C, f.C, f.prover.sk.p);
    mpz_mod(C, C, f.prover.sk.pk.n2);
    CHECK_ERR(verify_stmt(&f, C, &f.base, &f.X, &pr), MPC_ERR_VERIFY);
    /* A prover key of 1026 bits. */
    mpc_paillier_pk small;
    mpc_paillier_pk_init(&small);
    small.params = f.params;
    mpz_mul_ui(small.n, f.prover.sk.p, 3);
    mpz_mul(small.n2, small.n, small.n);
    mpz_mod(C, f.C, small.n2);
    mpc_transcript t;
    zkmta_transcript(&t, SID, PROVER);
    CHECK_ERR(mpc_zk_logstar_verify(test_ctx(), &t, &f.verifier.rp, NULL,
                                    &small, C, &f.base, &f.X, &pr),
              MPC_ERR_VERIFY);
    mpc_paillier_pk_clear(&small);
    mpz_clear(C);
    mpc_zk_logstar_proof_clear(&pr);
    mpc_zk_logstar_proof_clear(&bad);
    fix_clear(&f);
}

/* ---- parsing and misuse ---------------------------------------------------
 */

TEST(zk_logstar_parse_rejects_malformed)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT, true));
    mpc_zk_logstar_proof pr, out;
    mpc_zk_logstar_proof_init(&pr);
    mpc_zk_logstar_proof_init(&out);
    CHECK_OK(prove(&f, &pr));
    const mpc_ctx *ctx = test_ctx();
    const mpc_params *params = f.params;
    size_t len = mpc_zk_logstar_proof_bytes(params);
    uint8_t *buf = malloc(len + 1), *bad = malloc(len + 1);
    CHECK(buf != NULL && bad != NULL);
    CHECK_OK(mpc_zk_logstar_proof_serialize(buf, len, params, &pr));
    buf[len] = 0;

#define REJECT(b, l)                                                           \
    do {                                                                       \
        mpz_set_ui(out.enc.z1, 3);                                             \
        out.y[0] = 2;                                                          \
        CHECK_ERR(mpc_zk_logstar_proof_parse(ctx, &out, params, b, l),         \
                  MPC_ERR_PARSE);                                              \
        CHECK(proof_zero(&out));                                               \
    } while (0)

    REJECT(buf, 0);
    REJECT(buf, len - 1);
    REJECT(buf, len + 1);
    /* Y: zeros (the identity), prefix 04, x >= p. */
    memcpy(bad, buf, len);
    memset(bad, 0, MPC_SECP256K1_POINT_BYTES);
    REJECT(bad, len);
    memcpy(bad, buf, len);
    bad[0] = 0x04;
    REJECT(bad, len);
    memcpy(bad, buf, len);
    memset(bad + 1, 0xff, 32);
    REJECT(bad, len);
    /* The Πenc part: a bad sign byte in z1. */
    size_t z1_off =
        MPC_SECP256K1_POINT_BYTES + 2 * params->n_bytes + params->ct_bytes;
    memcpy(bad, buf, len);
    bad[z1_off] = 0x03;
    REJECT(bad, len);
#undef REJECT
    CHECK_OK(mpc_zk_logstar_proof_parse(ctx, &out, params, buf, len));
    CHECK_ERR(mpc_zk_logstar_proof_parse(NULL, &out, params, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK(proof_zero(&out));
    CHECK_ERR(mpc_zk_logstar_proof_parse(ctx, NULL, params, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_logstar_proof_parse(ctx, &out, NULL, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_logstar_proof_parse(ctx, &out, params, NULL, len),
              MPC_ERR_INVALID_ARG);

    /* Serialize misuse: wrong length, NULLs, oversized field; out zeroed. */
    CHECK(mpc_zk_logstar_proof_bytes(NULL) == 0);
    memset(bad, 0xaa, len + 1);
    CHECK_ERR(mpc_zk_logstar_proof_serialize(bad, len + 1, params, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK(zkmta_all_zero(bad, len + 1));
    CHECK_ERR(mpc_zk_logstar_proof_serialize(NULL, len, params, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_logstar_proof_serialize(bad, len, NULL, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_logstar_proof_serialize(bad, len, params, NULL),
              MPC_ERR_INVALID_ARG);
    mpz_set_ui(pr.enc.z3, 0);
    mpz_setbit(pr.enc.z3, params->ell + params->eps + params->n_bits + 3);
    memset(bad, 0xaa, len);
    CHECK_ERR(mpc_zk_logstar_proof_serialize(bad, len, params, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK(zkmta_all_zero(bad, len));
    free(buf);
    free(bad);
    mpc_zk_logstar_proof_clear(&pr);
    mpc_zk_logstar_proof_clear(&out);
    mpc_zk_logstar_proof_clear(NULL);
    fix_clear(&f);
}

TEST(zk_logstar_misuse)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT, false));
    const mpc_ctx *ctx = test_ctx();
    mpc_zk_logstar_proof pr;
    mpc_zk_logstar_proof_init(&pr);
    mpc_transcript t;
    zkmta_transcript(&t, SID, PROVER);
    const mpc_rped *rp = &f.verifier.rp;
    const mpc_paillier_sk *sk = &f.prover.sk;
    const mpc_point *B = &f.base, *X = &f.X;

#define MISUSE(call)                                                           \
    do {                                                                       \
        mpz_set_ui(pr.enc.z1, 5);                                              \
        pr.y[0] = 2;                                                           \
        CHECK_ERR(call, MPC_ERR_INVALID_ARG);                                  \
        CHECK(proof_zero(&pr));                                                \
    } while (0)

    CHECK_ERR(
        mpc_zk_logstar_prove(ctx, NULL, &t, rp, sk, f.C, B, X, f.x, f.rho),
        MPC_ERR_INVALID_ARG);
    MISUSE(mpc_zk_logstar_prove(NULL, &pr, &t, rp, sk, f.C, B, X, f.x, f.rho));
    MISUSE(mpc_zk_logstar_prove(ctx, &pr, NULL, rp, sk, f.C, B, X, f.x, f.rho));
    MISUSE(mpc_zk_logstar_prove(ctx, &pr, &t, NULL, sk, f.C, B, X, f.x, f.rho));
    MISUSE(mpc_zk_logstar_prove(ctx, &pr, &t, rp, NULL, f.C, B, X, f.x, f.rho));
    MISUSE(mpc_zk_logstar_prove(ctx, &pr, &t, rp, sk, NULL, B, X, f.x, f.rho));
    MISUSE(
        mpc_zk_logstar_prove(ctx, &pr, &t, rp, sk, f.C, NULL, X, f.x, f.rho));
    MISUSE(
        mpc_zk_logstar_prove(ctx, &pr, &t, rp, sk, f.C, B, NULL, f.x, f.rho));
    MISUSE(mpc_zk_logstar_prove(ctx, &pr, &t, rp, sk, f.C, B, X, NULL, f.rho));
    MISUSE(mpc_zk_logstar_prove(ctx, &pr, &t, rp, sk, f.C, B, X, f.x, NULL));
    mpz_t x;
    mpz_init(x);
    mpz_setbit(x, f.params->ell);
    mpz_add_ui(x, x, 1);
    MISUSE(mpc_zk_logstar_prove(ctx, &pr, &t, rp, sk, f.C, B, X, x, f.rho));
    MISUSE(
        mpc_zk_logstar_prove(ctx, &pr, &t, rp, sk, f.C, B, X, f.x, sk->pk.n));
    MISUSE(
        mpc_zk_logstar_prove(ctx, &pr, &t, rp, sk, sk->pk.n, B, X, f.x, f.rho));
    zkmta_party big;
    CHECK(zkmta_party_init(&big, MPC_PARAMS_128, 0));
    MISUSE(
        mpc_zk_logstar_prove(ctx, &pr, &t, &big.rp, sk, f.C, B, X, f.x, f.rho));

    const mpc_paillier_pk *pk = &sk->pk;
    const mpc_rped_table *tab = &f.verifier.tab;
    CHECK_OK(prove(&f, &pr));
    CHECK_ERR(mpc_zk_logstar_verify(NULL, &t, rp, tab, pk, f.C, B, X, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_logstar_verify(ctx, NULL, rp, tab, pk, f.C, B, X, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_logstar_verify(ctx, &t, NULL, tab, pk, f.C, B, X, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_logstar_verify(ctx, &t, rp, tab, NULL, f.C, B, X, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_logstar_verify(ctx, &t, rp, tab, pk, NULL, B, X, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_logstar_verify(ctx, &t, rp, tab, pk, f.C, NULL, X, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_logstar_verify(ctx, &t, rp, tab, pk, f.C, B, NULL, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_logstar_verify(ctx, &t, rp, tab, pk, f.C, B, X, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(
        mpc_zk_logstar_verify(ctx, &t, &big.rp, &big.tab, pk, f.C, B, X, &pr),
        MPC_ERR_INVALID_ARG);
    CHECK_ERR(
        mpc_zk_logstar_verify(ctx, &t, rp, &f.prover.tab, pk, f.C, B, X, &pr),
        MPC_ERR_INVALID_ARG);
#undef MISUSE
    zkmta_party_clear(&big);
    mpz_clear(x);
    mpc_zk_logstar_proof_clear(&pr);
    fix_clear(&f);
}
