/* Πaff-g (lib/zk/zk_affg.c): honest MtA proofs at both parameter sets,
 * every field and statement input bound, transcript binding, cheating
 * provers that break exactly one check (ranges, units per modulus, the
 * curve relation, the modulus sizes), strict parsing, misuse. */
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "lib/zk/zk_internal.h"
#include "mpc/bn.h"
#include "mpc/group.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/zk_affg.h"
#include "tests/harness/test.h"
#include "tests/unit/zk_mta_fixture.h"

#define SID "zk-affg-test-session"
#define PROVER 3

/* The verifier V owns N0 (its key) and (N̂, s, t); the prover P owns N1.
 * C = Enc_{N0}(c) is V's ciphertext; P answers D = C^x Enc_{N0}(y; rho)
 * and Y = Enc_{N1}(y; rho_y), X = x·G. */
typedef struct fix {
    zkmta_party verifier, prover;
    const mpc_params *params;
    const mpc_group *g;
    const mpc_paillier_pk *pk0, *pk1;
    mpz_t c, rho_c, C, x, y, rho, rho_y, D, Y;
    mpc_point X;
} fix;

/* Recomputes D, Y, X from x, y with fresh nonces. */
static bool restate(fix *f)
{
    const mpc_ctx *ctx = test_ctx();
    REQUIRE_OK(mpc_paillier_nonce_random(ctx, f->pk0, f->rho));
    REQUIRE_OK(mpc_paillier_affine(ctx, f->pk0, f->D, f->C, f->x,
                                   f->params->ell_prime + f->params->eps + 16,
                                   f->y, f->rho));
    REQUIRE(zkmta_encrypt(f->pk1, f->Y, f->rho_y, f->y));
    mpc_scalar xs;
    mpc_zk_scalar_from_int_var(f->g, &xs, f->x);
    mpc_point_mul_base(f->g, &f->X, &xs);
    return true;
}

static bool fix_init(fix *f, mpc_params_id id)
{
    f->params = mpc_params_get(id);
    f->g = mpc_ctx_group(test_ctx(), MPC_CURVE_SECP256K1);
    mpz_inits(f->c, f->rho_c, f->C, f->x, f->y, f->rho, f->rho_y, f->D, f->Y,
              NULL);
    REQUIRE(zkmta_party_init(&f->verifier, id, 1));
    REQUIRE(zkmta_party_init(&f->prover, id, 0));
    f->pk0 = &f->verifier.sk.pk;
    f->pk1 = &f->prover.sk.pk;
    zkmta_rand_signed(f->c, f->params->ell);
    REQUIRE(zkmta_encrypt(f->pk0, f->C, f->rho_c, f->c));
    zkmta_rand_signed(f->x, f->params->ell);
    zkmta_rand_signed(f->y, f->params->ell_prime);
    return restate(f);
}

static void fix_clear(fix *f)
{
    zkmta_party_clear(&f->verifier);
    zkmta_party_clear(&f->prover);
    mpz_clears(f->c, f->rho_c, f->C, f->x, f->y, f->rho, f->rho_y, f->D, f->Y,
               NULL);
}

static mpc_err prove(const fix *f, mpc_zk_affg_proof *pr)
{
    mpc_transcript t;
    zkmta_transcript(&t, SID, PROVER);
    return mpc_zk_affg_prove(test_ctx(), pr, &t, &f->verifier.rp, f->pk0,
                             &f->prover.sk, f->C, f->D, f->Y, &f->X, f->x, f->y,
                             f->rho, f->rho_y);
}

/* A statement other than the fixture's, for the wrong-statement tests. */
typedef struct stmt {
    const mpc_rped *rp;
    const mpc_paillier_pk *pk0, *pk1;
    mpz_srcptr C, D, Y;
    const mpc_point *X;
} stmt;

static stmt fix_stmt(const fix *f)
{
    return (stmt){.rp = &f->verifier.rp,
                  .pk0 = f->pk0,
                  .pk1 = f->pk1,
                  .C = f->C,
                  .D = f->D,
                  .Y = f->Y,
                  .X = &f->X};
}

/* Verifies against s with and without tables (they must agree). */
static mpc_err verify_stmt(const fix *f, const stmt *s,
                           const mpc_zk_affg_proof *pr)
{
    mpc_transcript t1, t2;
    zkmta_transcript(&t1, SID, PROVER);
    t2 = t1;
    /* The optimized verifier: tables and CRT with its own key, when the
     * statement uses them; the plain one: neither. */
    const mpc_rped_table *tab =
        s->rp == &f->verifier.rp ? &f->verifier.tab : NULL;
    const mpc_paillier_sk *sk0 = s->pk0 == f->pk0 ? &f->verifier.sk : NULL;
    mpc_err e1 = mpc_zk_affg_verify(test_ctx(), &t1, s->rp, tab, sk0, s->pk0,
                                    s->pk1, s->C, s->D, s->Y, s->X, pr);
    mpc_err e2 = mpc_zk_affg_verify(test_ctx(), &t2, s->rp, NULL, NULL, s->pk0,
                                    s->pk1, s->C, s->D, s->Y, s->X, pr);
    return e1 == e2 ? e1 : MPC_ERR_INTERNAL;
}

static mpc_err verify(const fix *f, const mpc_zk_affg_proof *pr)
{
    stmt s = fix_stmt(f);
    return verify_stmt(f, &s, pr);
}

static mpz_ptr field(mpc_zk_affg_proof *p, int i)
{
    mpz_ptr v[12] = {p->a,  p->by, p->e,  p->s,  p->f, p->t,
                     p->z1, p->z2, p->z3, p->z4, p->w, p->wy};
    return v[i];
}

static bool proof_zero(mpc_zk_affg_proof *p)
{
    for (int i = 0; i < 12; i++)
        if (mpz_sgn(field(p, i)) != 0)
            return false;
    return zkmta_all_zero(p->bx, sizeof p->bx);
}

static void proof_copy(mpc_zk_affg_proof *dst, mpc_zk_affg_proof *src)
{
    memcpy(dst->bx, src->bx, sizeof dst->bx);
    for (int i = 0; i < 12; i++)
        mpz_set(field(dst, i), field(src, i));
}

/* ---- A test-side prover that can cheat -------------------------------- */

enum cheat {
    HONEST,
    ZERO_A,  /* A = 0, w = 0: check 6 holds for ANY D */
    ZERO_BY, /* B_y = 0, w_y = 0: check 8 holds for ANY Y */
};

/* The Πaff-g prover in plain GMP without misuse checks, over any keys:
 * the statement may be false, the witness out of range. e is the
 * challenge it drew. */
static bool manual_prove(const fix *f, mpc_zk_affg_proof *p, mpz_t e,
                         const stmt *s, const mpz_t x, const mpz_t y,
                         const mpz_t rho, const mpz_t rho_y, enum cheat cheat)
{
    const mpc_rped *rp = s->rp;
    const mpc_params *params = f->params;
    const size_t ell = params->ell, le = ell + params->eps;
    const size_t lpe = params->ell_prime + params->eps;
    mpz_t alpha, beta, r, ry, gamma, delta, m, mu, b, tmp;
    mpz_inits(alpha, beta, r, ry, gamma, delta, m, mu, b, tmp, NULL);
    zkmta_rand_signed(alpha, le);
    zkmta_rand_signed(beta, lpe);
    mpz_setbit(b, ell);
    mpz_mul(b, b, rp->n);
    REQUIRE_OK(mpc_bn_random_symmetric(test_ctx(), m, b));
    REQUIRE_OK(mpc_bn_random_symmetric(test_ctx(), mu, b));
    mpz_mul_2exp(b, b, params->eps);
    REQUIRE_OK(mpc_bn_random_symmetric(test_ctx(), gamma, b));
    REQUIRE_OK(mpc_bn_random_symmetric(test_ctx(), delta, b));
    REQUIRE_OK(mpc_bn_random_unit(test_ctx(), r, s->pk0->n));
    REQUIRE_OK(mpc_bn_random_unit(test_ctx(), ry, s->pk1->n));

    /* A = C^α Enc_{N0}(β; r), B_x = α·G, B_y = Enc_{N1}(β; r_y). */
    REQUIRE_OK(mpc_zk_paillier_enc_var(p->a, s->pk0, beta, r));
    REQUIRE_OK(mpc_bn_powm_var(tmp, s->C, alpha, s->pk0->n2));
    mpz_mul(p->a, p->a, tmp);
    mpz_mod(p->a, p->a, s->pk0->n2);
    if (cheat == ZERO_A)
        mpz_set_ui(p->a, 0);
    mpc_scalar as;
    mpc_point bx;
    mpc_zk_scalar_from_int_var(f->g, &as, alpha);
    mpc_point_mul_base(f->g, &bx, &as);
    mpc_point_serialize(f->g, p->bx, &bx);
    REQUIRE_OK(mpc_zk_paillier_enc_var(p->by, s->pk1, beta, ry));
    if (cheat == ZERO_BY)
        mpz_set_ui(p->by, 0);
    REQUIRE_OK(mpc_rped_commit_var(rp, p->e, alpha, gamma));
    REQUIRE_OK(mpc_rped_commit_var(rp, p->s, x, m));
    REQUIRE_OK(mpc_rped_commit_var(rp, p->f, beta, delta));
    REQUIRE_OK(mpc_rped_commit_var(rp, p->t, y, mu));

    mpc_transcript t;
    zkmta_transcript(&t, SID, PROVER);
    REQUIRE_OK(mpc_zk_affg_challenge(&t, f->g, rp, s->pk0, s->pk1, s->C, s->D,
                                     s->Y, s->X, p, e));
    mpz_mul(p->z1, e, x);
    mpz_add(p->z1, p->z1, alpha);
    mpz_mul(p->z2, e, y);
    mpz_add(p->z2, p->z2, beta);
    mpz_mul(p->z3, e, m);
    mpz_add(p->z3, p->z3, gamma);
    mpz_mul(p->z4, e, mu);
    mpz_add(p->z4, p->z4, delta);
    REQUIRE_OK(mpc_bn_powm_var(p->w, rho, e, s->pk0->n));
    mpz_mul(p->w, p->w, r);
    mpz_mod(p->w, p->w, s->pk0->n);
    REQUIRE_OK(mpc_bn_powm_var(p->wy, rho_y, e, s->pk1->n));
    mpz_mul(p->wy, p->wy, ry);
    mpz_mod(p->wy, p->wy, s->pk1->n);
    if (cheat == ZERO_A)
        mpz_set_ui(p->w, 0);
    if (cheat == ZERO_BY)
        mpz_set_ui(p->wy, 0);
    mpz_clears(alpha, beta, r, ry, gamma, delta, m, mu, b, tmp, NULL);
    return true;
}

/* Checks 6-10 of the header, computed in the test. */
static bool equations_hold(const stmt *s, mpc_zk_affg_proof *p, const mpz_t e)
{
    const mpc_rped *rp = s->rp;
    mpz_t l, r;
    mpz_inits(l, r, NULL);
    bool ok = true;
    /* 6: C^{z1} Enc_{N0}(z2; w) = A D^e */
    ok = ok && mpc_zk_paillier_enc_var(l, s->pk0, p->z2, p->w) == MPC_OK;
    ok = ok && mpc_bn_powm_var(r, s->C, p->z1, s->pk0->n2) == MPC_OK;
    mpz_mul(l, l, r);
    mpz_mod(l, l, s->pk0->n2);
    ok = ok && mpc_bn_powm_var(r, s->D, e, s->pk0->n2) == MPC_OK;
    mpz_mul(r, r, p->a);
    mpz_mod(r, r, s->pk0->n2);
    ok = ok && mpz_cmp(l, r) == 0;
    /* 8: Enc_{N1}(z2; w_y) = B_y Y^e */
    ok = ok && mpc_zk_paillier_enc_var(l, s->pk1, p->z2, p->wy) == MPC_OK;
    ok = ok && mpc_bn_powm_var(r, s->Y, e, s->pk1->n2) == MPC_OK;
    mpz_mul(r, r, p->by);
    mpz_mod(r, r, s->pk1->n2);
    ok = ok && mpz_cmp(l, r) == 0;
    /* 9, 10: ring-Pedersen */
    mpz_srcptr z[2][2] = {{p->z1, p->z3}, {p->z2, p->z4}};
    mpz_srcptr base[2][2] = {{p->e, p->s}, {p->f, p->t}};
    for (int i = 0; i < 2; i++) {
        ok = ok && mpc_rped_commit_var(rp, l, z[i][0], z[i][1]) == MPC_OK;
        ok = ok && mpc_bn_powm_var(r, base[i][1], e, rp->n) == MPC_OK;
        mpz_mul(r, r, base[i][0]);
        mpz_mod(r, r, rp->n);
        ok = ok && mpz_cmp(l, r) == 0;
    }
    mpz_clears(l, r, NULL);
    return ok;
}

/* Check 7, computed in the test. */
static bool curve_holds(const fix *f, const stmt *s, mpc_zk_affg_proof *p,
                        const mpz_t e)
{
    mpc_point bx, l, r;
    REQUIRE_OK(mpc_point_parse(f->g, &bx, p->bx, sizeof p->bx));
    mpc_scalar zs, es;
    mpc_zk_scalar_from_int_var(f->g, &zs, p->z1);
    mpc_zk_scalar_from_int_var(f->g, &es, e);
    mpc_point_mul_base(f->g, &l, &zs);
    mpc_point_mul(f->g, &r, &es, s->X);
    mpc_point_add(f->g, &r, &r, &bx);
    return mpc_point_eq(f->g, &l, &r);
}

/* ---- honest proofs ------------------------------------------------------ */

static bool honest_roundtrip(mpc_params_id id, size_t want_bytes)
{
    fix f;
    REQUIRE(fix_init(&f, id));
    /* The statement is an MtA: Dec(D) = c x + y. */
    mpz_t d, want;
    mpz_inits(d, want, NULL);
    REQUIRE_OK(mpc_paillier_decrypt(test_ctx(), &f.verifier.sk, d, f.D));
    mpz_mul(want, f.c, f.x);
    mpz_add(want, want, f.y);
    REQUIRE(mpz_cmp(d, want) == 0);

    mpc_zk_affg_proof pr, back;
    mpc_zk_affg_proof_init(&pr);
    mpc_zk_affg_proof_init(&back);
    REQUIRE_OK(prove(&f, &pr));
    REQUIRE_OK(verify(&f, &pr));
    size_t len = mpc_zk_affg_proof_bytes(f.params);
    REQUIRE(len == want_bytes);
    uint8_t *buf = malloc(len);
    REQUIRE(buf != NULL);
    REQUIRE_OK(mpc_zk_affg_proof_serialize(buf, len, f.params, &pr));
    REQUIRE_OK(mpc_zk_affg_proof_parse(test_ctx(), &back, f.params, buf, len));
    for (int i = 0; i < 12; i++)
        REQUIRE(mpz_cmp(field(&back, i), field(&pr, i)) == 0);
    REQUIRE_OK(verify(&f, &back));
    free(buf);
    mpz_clears(d, want, NULL);
    mpc_zk_affg_proof_clear(&pr);
    mpc_zk_affg_proof_clear(&back);
    fix_clear(&f);
    return true;
}

TEST(zk_affg_honest_compat)
{
    CHECK(honest_roundtrip(MPC_PARAMS_COMPAT, 3625));
}

TEST(zk_affg_honest_128)
{
    CHECK(honest_roundtrip(MPC_PARAMS_128, 4963));
}

/* x = ±2^ℓ and y = ±2^{ℓ'} (the edges), and x = y = 0. */
TEST(zk_affg_honest_edge_witness)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_affg_proof pr;
    mpc_zk_affg_proof_init(&pr);
    for (int i = 0; i < 3; i++) {
        mpz_set_ui(f.x, 0);
        mpz_set_ui(f.y, 0);
        if (i > 0) {
            mpz_setbit(f.x, f.params->ell);
            mpz_setbit(f.y, f.params->ell_prime);
        }
        if (i == 2)
            mpz_neg(f.y, f.y);
        CHECK(restate(&f));
        CHECK_OK(prove(&f, &pr));
        CHECK_OK(verify(&f, &pr));
    }
    mpc_zk_affg_proof_clear(&pr);
    fix_clear(&f);
}

/* ---- every field, every statement input -------------------------------- */

TEST(zk_affg_tamper_every_field)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_affg_proof pr, bad;
    mpc_zk_affg_proof_init(&pr);
    mpc_zk_affg_proof_init(&bad);
    CHECK_OK(prove(&f, &pr));
    for (int i = 0; i < 12; i++) {
        proof_copy(&bad, &pr);
        mpz_add_ui(field(&bad, i), field(&bad, i), 1);
        CHECK_ERR(verify(&f, &bad), MPC_ERR_VERIFY);
    }
    mpc_point bx, G;
    CHECK_OK(mpc_point_parse(f.g, &bx, pr.bx, sizeof pr.bx));
    mpc_point_generator(f.g, &G);
    mpc_point_add(f.g, &bx, &bx, &G);
    proof_copy(&bad, &pr);
    mpc_point_serialize(f.g, bad.bx, &bx);
    CHECK_ERR(verify(&f, &bad), MPC_ERR_VERIFY);

    size_t len = mpc_zk_affg_proof_bytes(f.params);
    uint8_t *buf = malloc(len);
    CHECK(buf != NULL);
    CHECK_OK(mpc_zk_affg_proof_serialize(buf, len, f.params, &pr));
    for (size_t pos = 0; pos < len; pos += 97) {
        zkmta_flip(buf, pos, (unsigned)pos);
        mpc_err err =
            mpc_zk_affg_proof_parse(test_ctx(), &bad, f.params, buf, len);
        if (err == MPC_OK)
            err = verify(&f, &bad);
        CHECK(err == MPC_ERR_VERIFY || err == MPC_ERR_PARSE);
        zkmta_flip(buf, pos, (unsigned)pos);
    }
    free(buf);
    mpc_zk_affg_proof_clear(&pr);
    mpc_zk_affg_proof_clear(&bad);
    fix_clear(&f);
}

TEST(zk_affg_wrong_statement)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_affg_proof pr;
    mpc_zk_affg_proof_init(&pr);
    CHECK_OK(prove(&f, &pr));
    mpz_t v0, v1;
    mpz_inits(v0, v1, NULL);
    /* C, D times (1 + N0): other plaintexts; Y times (1 + N1). */
    mpz_add_ui(v0, f.pk0->n, 1);
    mpz_add_ui(v1, f.pk1->n, 1);
    mpz_srcptr *slot[3];
    stmt s = fix_stmt(&f);
    slot[0] = &s.C;
    slot[1] = &s.D;
    slot[2] = &s.Y;
    mpz_t moved;
    mpz_init(moved);
    for (int i = 0; i < 3; i++) {
        s = fix_stmt(&f);
        slot[0] = &s.C;
        slot[1] = &s.D;
        slot[2] = &s.Y;
        const mpc_paillier_pk *pk = i < 2 ? f.pk0 : f.pk1;
        mpz_mul(moved, *slot[i], i < 2 ? v0 : v1);
        mpz_mod(moved, moved, pk->n2);
        *slot[i] = moved;
        CHECK_ERR(verify_stmt(&f, &s, &pr), MPC_ERR_VERIFY);
    }
    /* X + G. */
    mpc_point X2, G;
    mpc_point_generator(f.g, &G);
    mpc_point_add(f.g, &X2, &f.X, &G);
    s = fix_stmt(&f);
    s.X = &X2;
    CHECK_ERR(verify_stmt(&f, &s, &pr), MPC_ERR_VERIFY);
    /* The keys swapped: N0 <-> N1 (which modulus each ciphertext is
     * under is part of the statement). */
    s = fix_stmt(&f);
    s.pk0 = f.pk1;
    s.pk1 = f.pk0;
    CHECK_ERR(verify_stmt(&f, &s, &pr), MPC_ERR_VERIFY);
    /* Another verifier's ring-Pedersen parameters. */
    zkmta_party other;
    CHECK(zkmta_party_init(&other, MPC_PARAMS_COMPAT, 2));
    mpc_transcript t;
    zkmta_transcript(&t, SID, PROVER);
    CHECK_ERR(mpc_zk_affg_verify(test_ctx(), &t, &other.rp, &other.tab, NULL,
                                 f.pk0, f.pk1, f.C, f.D, f.Y, &f.X, &pr),
              MPC_ERR_VERIFY);
    zkmta_party_clear(&other);
    mpz_clears(v0, v1, moved, NULL);
    mpc_zk_affg_proof_clear(&pr);
    fix_clear(&f);
}

TEST(zk_affg_transcript_bound)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_affg_proof pr;
    mpc_zk_affg_proof_init(&pr);
    CHECK_OK(prove(&f, &pr));
    mpc_transcript ts[3];
    zkmta_transcript(&ts[0], SID "x", PROVER);
    zkmta_transcript(&ts[1], SID, PROVER + 1);
    mpc_transcript_init(&ts[2], "other-protocol", (const uint8_t *)SID,
                        strlen(SID));
    mpc_transcript_append_u64(&ts[2], "prover", PROVER);
    for (int i = 0; i < 3; i++)
        CHECK_ERR(mpc_zk_affg_verify(test_ctx(), &ts[i], &f.verifier.rp,
                                     &f.verifier.tab, &f.verifier.sk, f.pk0,
                                     f.pk1, f.C, f.D, f.Y, &f.X, &pr),
                  MPC_ERR_VERIFY);
    mpc_zk_affg_proof_clear(&pr);
    fix_clear(&f);
}

/* ---- the verifier's checks, one at a time ------------------------------- */

/* Alpha-Rays on MtA: a mask y (or a multiplier x) far out of range. All
 * equations hold; the range check on z2 (z1) alone rejects. */
TEST(zk_affg_attack_out_of_range)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_affg_proof pr;
    mpc_zk_affg_proof_init(&pr);
    mpz_t e;
    mpz_init(e);
    stmt s;
    for (int which = 0; which < 3; which++) {
        zkmta_rand_signed(f.x, f.params->ell);
        zkmta_rand_signed(f.y, f.params->ell_prime);
        if (which == 0) {
            mpz_set_ui(f.y, 0);
            mpz_setbit(f.y, f.params->ell_prime + f.params->eps + 8);
        } else if (which == 1) {
            mpz_set_ui(f.x, 0);
            mpz_setbit(f.x, f.params->ell + f.params->eps + 8);
            mpz_neg(f.x, f.x);
        }
        CHECK(restate(&f));
        s = fix_stmt(&f);
        CHECK(manual_prove(&f, &pr, e, &s, f.x, f.y, f.rho, f.rho_y, HONEST));
        CHECK(equations_hold(&s, &pr, e));
        CHECK(curve_holds(&f, &s, &pr, e));
        if (which == 2) {
            /* Faithful: in range it verifies. */
            CHECK_OK(verify(&f, &pr));
        } else {
            CHECK(!mpc_zk_in_range_var(pr.z1, f.params->ell + f.params->eps) ||
                  !mpc_zk_in_range_var(pr.z2,
                                       f.params->ell_prime + f.params->eps));
            CHECK_ERR(verify(&f, &pr), MPC_ERR_VERIFY);
            CHECK_ERR(prove(&f, &pr), MPC_ERR_INVALID_ARG);
            CHECK(proof_zero(&pr));
        }
    }
    mpz_clear(e);
    mpc_zk_affg_proof_clear(&pr);
    fix_clear(&f);
}

/* X is not x·G: every Paillier and ring-Pedersen equation holds; the curve
 * equation alone rejects. */
TEST(zk_affg_attack_wrong_exponent)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_affg_proof pr;
    mpc_zk_affg_proof_init(&pr);
    mpz_t e;
    mpz_init(e);
    mpc_point X2, G;
    mpc_point_generator(f.g, &G);
    mpc_point_add(f.g, &X2, &f.X, &G);
    stmt s = fix_stmt(&f);
    s.X = &X2;
    CHECK(manual_prove(&f, &pr, e, &s, f.x, f.y, f.rho, f.rho_y, HONEST));
    CHECK(equations_hold(&s, &pr, e));
    CHECK(!curve_holds(&f, &s, &pr, e));
    CHECK_ERR(verify_stmt(&f, &s, &pr), MPC_ERR_VERIFY);
    mpc_transcript t;
    zkmta_transcript(&t, SID, PROVER);
    CHECK_ERR(mpc_zk_affg_prove(test_ctx(), &pr, &t, &f.verifier.rp, f.pk0,
                                &f.prover.sk, f.C, f.D, f.Y, &X2, f.x, f.y,
                                f.rho, f.rho_y),
              MPC_ERR_INVALID_ARG);
    CHECK(proof_zero(&pr));
    mpz_clear(e);
    mpc_zk_affg_proof_clear(&pr);
    fix_clear(&f);
}

/* A = 0, w = 0 makes check 6 hold for ANY D (D may then encrypt anything,
 * and the verifier's decryption of it leaks its secret): only the unit
 * checks on A and w reject. The same with B_y = 0, w_y = 0 for Y, under
 * the other modulus. */
TEST(zk_affg_attack_zero_commitments)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_affg_proof pr;
    mpc_zk_affg_proof_init(&pr);
    mpz_t e, big, r, junk;
    mpz_inits(e, big, r, junk, NULL);
    mpz_setbit(big, 1900);
    for (int which = 0; which < 2; which++) {
        CHECK(restate(&f));
        stmt s = fix_stmt(&f);
        const mpc_paillier_pk *pk = which == 0 ? f.pk0 : f.pk1;
        CHECK(zkmta_encrypt(pk, junk, r, big));
        if (which == 0)
            s.D = junk;
        else
            s.Y = junk;
        CHECK(manual_prove(&f, &pr, e, &s, f.x, f.y, f.rho, f.rho_y,
                           which == 0 ? ZERO_A : ZERO_BY));
        CHECK(equations_hold(&s, &pr, e));
        CHECK(curve_holds(&f, &s, &pr, e));
        CHECK_ERR(verify_stmt(&f, &s, &pr), MPC_ERR_VERIFY);
    }
    mpz_clears(e, big, r, junk, NULL);
    mpc_zk_affg_proof_clear(&pr);
    fix_clear(&f);
}

/* BitForge / Alpha-Rays size rule on each modulus: a 2044-bit N1 (the
 * prover's own key) or N0, three bits short of the 2047 minimum but large
 * enough that nothing wraps; the cheating proof satisfies every equation,
 * range and unit check; only the size check rejects it. */
TEST(zk_affg_attack_small_modulus)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_affg_proof pr;
    mpc_zk_affg_proof_init(&pr);
    mpc_paillier_pk small;
    mpc_paillier_pk_init(&small);
    small.params = f.params;
    mpz_t e, Y, rho_y, C, rho_c, D, rho;
    mpz_inits(e, Y, rho_y, C, rho_c, D, rho, NULL);
    mpz_setbit(e, 1020);
    mpz_nextprime(e, e);
    mpz_mul(small.n, f.prover.sk.p, e);
    mpz_mul(small.n2, small.n, small.n);
    CHECK(mpz_sizeinbase(small.n, 2) == f.params->n_min_bits - 3);

    /* Small N1. */
    CHECK(zkmta_encrypt(&small, Y, rho_y, f.y));
    stmt s = fix_stmt(&f);
    s.pk1 = &small;
    s.Y = Y;
    CHECK(manual_prove(&f, &pr, e, &s, f.x, f.y, f.rho, rho_y, HONEST));
    CHECK(equations_hold(&s, &pr, e));
    CHECK(curve_holds(&f, &s, &pr, e));
    CHECK_ERR(verify_stmt(&f, &s, &pr), MPC_ERR_VERIFY);

    /* Small N0 (C, D under it). */
    CHECK(zkmta_encrypt(&small, C, rho_c, f.c));
    CHECK_OK(mpc_paillier_nonce_random(test_ctx(), &small, rho));
    CHECK_OK(mpc_paillier_affine(test_ctx(), &small, D, C, f.x,
                                 f.params->ell + 1, f.y, rho));
    s = fix_stmt(&f);
    s.pk0 = &small;
    s.C = C;
    s.D = D;
    CHECK(manual_prove(&f, &pr, e, &s, f.x, f.y, rho, f.rho_y, HONEST));
    CHECK(equations_hold(&s, &pr, e));
    CHECK_ERR(verify_stmt(&f, &s, &pr), MPC_ERR_VERIFY);

    /* Small N̂ (the verifier's own parameters, broken). */
    mpc_rped rp;
    mpc_rped_init(&rp);
    rp.params = f.params;
    mpz_set(rp.n, small.n);
    mpz_set_ui(rp.s, 4);
    mpz_set_ui(rp.t, 25);
    s = fix_stmt(&f);
    s.rp = &rp;
    CHECK(manual_prove(&f, &pr, e, &s, f.x, f.y, f.rho, f.rho_y, HONEST));
    CHECK(equations_hold(&s, &pr, e));
    CHECK_ERR(verify_stmt(&f, &s, &pr), MPC_ERR_VERIFY);
    mpc_rped_clear(&rp);
    mpz_clears(e, Y, rho_y, C, rho_c, D, rho, NULL);
    mpc_paillier_pk_clear(&small);
    mpc_zk_affg_proof_clear(&pr);
    fix_clear(&f);
}

/* Every unit check and every range bound, one field at a time: 0, the
 * modulus, a multiple of a prime factor; z1, z2 just outside their range;
 * B_x invalid; statement ciphertexts that are not units. */
TEST(zk_affg_rejects_bad_values)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_affg_proof pr, bad;
    mpc_zk_affg_proof_init(&pr);
    mpc_zk_affg_proof_init(&bad);
    CHECK_OK(prove(&f, &pr));
    const mpz_srcptr n0 = f.pk0->n, n1 = f.pk1->n, nhat = f.verifier.rp.n;
    /* Field index -> its modulus and a prime factor of it. */
    const mpz_srcptr mod[12] = {n0,   n1,   nhat, nhat, nhat, nhat,
                                NULL, NULL, NULL, NULL, n0,   n1};
    const mpz_srcptr fac[12] = {f.verifier.sk.p,
                                f.prover.sk.q,
                                f.verifier.sk.q,
                                f.verifier.sk.p,
                                f.verifier.sk.q,
                                f.verifier.sk.p,
                                NULL,
                                NULL,
                                NULL,
                                NULL,
                                f.verifier.sk.q,
                                f.prover.sk.p};
    for (int i = 0; i < 12; i++) {
        if (mod[i] == NULL)
            continue;
        mpz_srcptr vals[3] = {NULL, mod[i], fac[i]};
        for (int j = 0; j < 3; j++) {
            proof_copy(&bad, &pr);
            if (vals[j] == NULL)
                mpz_set_ui(field(&bad, i), 0);
            else
                mpz_set(field(&bad, i), vals[j]);
            CHECK_ERR(verify(&f, &bad), MPC_ERR_VERIFY);
        }
    }
    size_t bits[2] = {f.params->ell + f.params->eps,
                      f.params->ell_prime + f.params->eps};
    for (int i = 0; i < 2; i++)
        for (int sign = 0; sign < 2; sign++) {
            proof_copy(&bad, &pr);
            mpz_ptr z = field(&bad, 6 + i);
            mpz_set_ui(z, 0);
            mpz_setbit(z, bits[i]);
            mpz_add_ui(z, z, 1);
            if (sign)
                mpz_neg(z, z);
            CHECK_ERR(verify(&f, &bad), MPC_ERR_VERIFY);
        }
    proof_copy(&bad, &pr);
    memset(bad.bx, 0, sizeof bad.bx);
    CHECK_ERR(verify(&f, &bad), MPC_ERR_VERIFY);
    /* Statement ciphertexts times a prime factor of their modulus. */
    stmt s;
    mpz_t v;
    mpz_init(v);
    for (int i = 0; i < 3; i++) {
        s = fix_stmt(&f);
        mpz_srcptr *slot = i == 0 ? &s.C : i == 1 ? &s.D : &s.Y;
        const mpc_paillier_pk *pk = i < 2 ? f.pk0 : f.pk1;
        mpz_mul(v, *slot, i < 2 ? f.verifier.sk.p : f.prover.sk.p);
        mpz_mod(v, v, pk->n2);
        *slot = v;
        CHECK_ERR(verify_stmt(&f, &s, &pr), MPC_ERR_VERIFY);
    }
    mpz_clear(v);
    mpc_zk_affg_proof_clear(&pr);
    mpc_zk_affg_proof_clear(&bad);
    fix_clear(&f);
}

/* ---- parsing and misuse ---------------------------------------------------
 */

TEST(zk_affg_parse_rejects_malformed)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_affg_proof pr, out;
    mpc_zk_affg_proof_init(&pr);
    mpc_zk_affg_proof_init(&out);
    CHECK_OK(prove(&f, &pr));
    const mpc_ctx *ctx = test_ctx();
    const mpc_params *params = f.params;
    size_t len = mpc_zk_affg_proof_bytes(params);
    uint8_t *buf = malloc(len + 1), *bad = malloc(len + 1);
    CHECK(buf != NULL && bad != NULL);
    CHECK_OK(mpc_zk_affg_proof_serialize(buf, len, params, &pr));
    buf[len] = 0;

#define REJECT(b, l)                                                           \
    do {                                                                       \
        mpz_set_ui(out.z4, 3);                                                 \
        out.bx[0] = 2;                                                         \
        CHECK_ERR(mpc_zk_affg_proof_parse(ctx, &out, params, b, l),            \
                  MPC_ERR_PARSE);                                              \
        CHECK(proof_zero(&out));                                               \
    } while (0)

    REJECT(buf, 0);
    REJECT(buf, len - 1);
    REJECT(buf, len + 1);
    memcpy(bad, buf, len);
    memset(bad, 0, MPC_SECP256K1_POINT_BYTES);
    REJECT(bad, len);
    memcpy(bad, buf, len);
    bad[0] = 0x04;
    REJECT(bad, len);
    /* The signed fields: bad sign byte, negative zero, over the bound. */
    size_t off =
        MPC_SECP256K1_POINT_BYTES + 2 * params->ct_bytes + 4 * params->n_bytes;
    size_t flen[4] = {
        mpc_zk_signed_len(params->ell + params->eps),
        mpc_zk_signed_len(params->ell_prime + params->eps),
        mpc_zk_signed_len(params->ell + params->eps + params->n_bits + 1),
        mpc_zk_signed_len(params->ell + params->eps + params->n_bits + 1)};
    for (int i = 0; i < 4; off += flen[i], i++) {
        memcpy(bad, buf, len);
        bad[off] = 0x02;
        REJECT(bad, len);
        memcpy(bad, buf, len);
        memset(bad + off, 0, flen[i]);
        bad[off] = 0x01;
        REJECT(bad, len);
        memcpy(bad, buf, len);
        bad[off + 1] = 0xff;
        REJECT(bad, len);
    }
    CHECK(off + 2 * params->n_bytes == len);
#undef REJECT
    CHECK_OK(mpc_zk_affg_proof_parse(ctx, &out, params, buf, len));
    CHECK_ERR(mpc_zk_affg_proof_parse(NULL, &out, params, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK(proof_zero(&out));
    CHECK_ERR(mpc_zk_affg_proof_parse(ctx, NULL, params, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_affg_proof_parse(ctx, &out, NULL, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_affg_proof_parse(ctx, &out, params, NULL, len),
              MPC_ERR_INVALID_ARG);

    CHECK(mpc_zk_affg_proof_bytes(NULL) == 0);
    memset(bad, 0xaa, len + 1);
    CHECK_ERR(mpc_zk_affg_proof_serialize(bad, len + 1, params, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK(zkmta_all_zero(bad, len + 1));
    CHECK_ERR(mpc_zk_affg_proof_serialize(NULL, len, params, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_affg_proof_serialize(bad, len, NULL, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_affg_proof_serialize(bad, len, params, NULL),
              MPC_ERR_INVALID_ARG);
    mpz_set_ui(pr.z2, 0);
    mpz_setbit(pr.z2, params->ell_prime + params->eps + 1);
    memset(bad, 0xaa, len);
    CHECK_ERR(mpc_zk_affg_proof_serialize(bad, len, params, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK(zkmta_all_zero(bad, len));
    free(buf);
    free(bad);
    mpc_zk_affg_proof_clear(&pr);
    mpc_zk_affg_proof_clear(&out);
    mpc_zk_affg_proof_clear(NULL);
    fix_clear(&f);
}

TEST(zk_affg_misuse)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    const mpc_ctx *ctx = test_ctx();
    mpc_zk_affg_proof pr;
    mpc_zk_affg_proof_init(&pr);
    mpc_transcript t;
    zkmta_transcript(&t, SID, PROVER);
    const mpc_rped *rp = &f.verifier.rp;
    const mpc_paillier_pk *pk0 = f.pk0, *pk1 = f.pk1;
    const mpc_paillier_sk *sk1 = &f.prover.sk;
    const mpc_point *X = &f.X;

#define P(...) mpc_zk_affg_prove(ctx, &pr, &t, __VA_ARGS__)
#define MISUSE(call)                                                           \
    do {                                                                       \
        mpz_set_ui(pr.z1, 5);                                                  \
        pr.bx[0] = 2;                                                          \
        CHECK_ERR(call, MPC_ERR_INVALID_ARG);                                  \
        CHECK(proof_zero(&pr));                                                \
    } while (0)

    CHECK_ERR(mpc_zk_affg_prove(ctx, NULL, &t, rp, pk0, sk1, f.C, f.D, f.Y, X,
                                f.x, f.y, f.rho, f.rho_y),
              MPC_ERR_INVALID_ARG);
    MISUSE(mpc_zk_affg_prove(NULL, &pr, &t, rp, pk0, sk1, f.C, f.D, f.Y, X, f.x,
                             f.y, f.rho, f.rho_y));
    MISUSE(mpc_zk_affg_prove(ctx, &pr, NULL, rp, pk0, sk1, f.C, f.D, f.Y, X,
                             f.x, f.y, f.rho, f.rho_y));
    MISUSE(P(NULL, pk0, sk1, f.C, f.D, f.Y, X, f.x, f.y, f.rho, f.rho_y));
    MISUSE(P(rp, NULL, sk1, f.C, f.D, f.Y, X, f.x, f.y, f.rho, f.rho_y));
    MISUSE(P(rp, pk0, NULL, f.C, f.D, f.Y, X, f.x, f.y, f.rho, f.rho_y));
    MISUSE(P(rp, pk0, sk1, NULL, f.D, f.Y, X, f.x, f.y, f.rho, f.rho_y));
    MISUSE(P(rp, pk0, sk1, f.C, NULL, f.Y, X, f.x, f.y, f.rho, f.rho_y));
    MISUSE(P(rp, pk0, sk1, f.C, f.D, NULL, X, f.x, f.y, f.rho, f.rho_y));
    MISUSE(P(rp, pk0, sk1, f.C, f.D, f.Y, NULL, f.x, f.y, f.rho, f.rho_y));
    MISUSE(P(rp, pk0, sk1, f.C, f.D, f.Y, X, NULL, f.y, f.rho, f.rho_y));
    MISUSE(P(rp, pk0, sk1, f.C, f.D, f.Y, X, f.x, NULL, f.rho, f.rho_y));
    MISUSE(P(rp, pk0, sk1, f.C, f.D, f.Y, X, f.x, f.y, NULL, f.rho_y));
    MISUSE(P(rp, pk0, sk1, f.C, f.D, f.Y, X, f.x, f.y, f.rho, NULL));
    /* Witness out of range; nonces out of [1, N); non-unit statement
     * ciphertexts (each under its own modulus). */
    mpz_t big;
    mpz_init(big);
    mpz_setbit(big, f.params->ell_prime);
    mpz_add_ui(big, big, 1);
    MISUSE(P(rp, pk0, sk1, f.C, f.D, f.Y, X, f.x, big, f.rho, f.rho_y));
    mpz_neg(big, big);
    MISUSE(P(rp, pk0, sk1, f.C, f.D, f.Y, X, f.x, big, f.rho, f.rho_y));
    mpz_set_ui(big, 0);
    mpz_setbit(big, f.params->ell);
    mpz_add_ui(big, big, 1);
    MISUSE(P(rp, pk0, sk1, f.C, f.D, f.Y, X, big, f.y, f.rho, f.rho_y));
    MISUSE(P(rp, pk0, sk1, f.C, f.D, f.Y, X, f.x, f.y, pk0->n, f.rho_y));
    MISUSE(P(rp, pk0, sk1, f.C, f.D, f.Y, X, f.x, f.y, f.rho, pk1->n));
    MISUSE(P(rp, pk0, sk1, pk0->n, f.D, f.Y, X, f.x, f.y, f.rho, f.rho_y));
    MISUSE(P(rp, pk0, sk1, f.C, pk0->n, f.Y, X, f.x, f.y, f.rho, f.rho_y));
    MISUSE(P(rp, pk0, sk1, f.C, f.D, pk1->n, X, f.x, f.y, f.rho, f.rho_y));
    /* X != x·G. */
    mpc_point G;
    mpc_point_generator(f.g, &G);
    MISUSE(P(rp, pk0, sk1, f.C, f.D, f.Y, &G, f.x, f.y, f.rho, f.rho_y));
    /* Keys of another set. */
    zkmta_party big128;
    CHECK(zkmta_party_init(&big128, MPC_PARAMS_128, 0));
    MISUSE(P(&big128.rp, pk0, sk1, f.C, f.D, f.Y, X, f.x, f.y, f.rho, f.rho_y));
    MISUSE(
        P(rp, &big128.sk.pk, sk1, f.C, f.D, f.Y, X, f.x, f.y, f.rho, f.rho_y));

    const mpc_rped_table *tab = &f.verifier.tab;
    const mpc_paillier_sk *sk0 = &f.verifier.sk;
#define V(...) mpc_zk_affg_verify(ctx, &t, __VA_ARGS__)
    CHECK_OK(prove(&f, &pr));
    CHECK_ERR(mpc_zk_affg_verify(NULL, &t, rp, tab, sk0, pk0, pk1, f.C, f.D,
                                 f.Y, X, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_affg_verify(ctx, NULL, rp, tab, sk0, pk0, pk1, f.C, f.D,
                                 f.Y, X, &pr),
              MPC_ERR_INVALID_ARG);
    /* sk0 of another key (the prover's). */
    CHECK_ERR(V(rp, tab, sk1, pk0, pk1, f.C, f.D, f.Y, X, &pr),
              MPC_ERR_INVALID_ARG);
    zkmta_transcript(&t, SID, PROVER);
    CHECK_OK(V(rp, tab, sk0, pk0, pk1, f.C, f.D, f.Y, X, &pr));
    CHECK_ERR(V(NULL, tab, sk0, pk0, pk1, f.C, f.D, f.Y, X, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(V(rp, tab, sk0, NULL, pk1, f.C, f.D, f.Y, X, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(V(rp, tab, sk0, pk0, NULL, f.C, f.D, f.Y, X, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(V(rp, tab, sk0, pk0, pk1, NULL, f.D, f.Y, X, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(V(rp, tab, sk0, pk0, pk1, f.C, NULL, f.Y, X, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(V(rp, tab, sk0, pk0, pk1, f.C, f.D, NULL, X, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(V(rp, tab, sk0, pk0, pk1, f.C, f.D, f.Y, NULL, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(V(rp, tab, sk0, pk0, pk1, f.C, f.D, f.Y, X, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(V(rp, tab, sk0, pk0, &big128.sk.pk, f.C, f.D, f.Y, X, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(V(rp, &f.prover.tab, sk0, pk0, pk1, f.C, f.D, f.Y, X, &pr),
              MPC_ERR_INVALID_ARG);
#undef V
#undef P
#undef MISUSE
    zkmta_party_clear(&big128);
    mpz_clear(big);
    mpc_zk_affg_proof_clear(&pr);
    fix_clear(&f);
}
