/* Πlog*χ (lib/zk/zk_chi.c): honest proofs with a witness far wider than ℓ
 * at both parameter sets, the soundness margin of the range, statement and
 * transcript binding, tampered fields, out-of-range witnesses and
 * responses, strict parsing, misuse. */
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "lib/zk/zk_internal.h"
#include "mpc/group.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/zk_chi.h"
#include "tests/harness/test.h"
#include "tests/unit/zk_mta_fixture.h"

#define SID "zk-chi-test-session"
#define PROVER 2

typedef struct fix {
    zkmta_party prover, verifier;
    const mpc_params *params;
    const mpc_group *g;
    mpc_point base, X;
    mpz_t x, rho, C;
} fix;

static bool set_x(fix *f)
{
    mpc_scalar xs;
    REQUIRE(zkmta_encrypt(&f->prover.sk.pk, f->C, f->rho, f->x));
    mpc_zk_scalar_from_int_var(f->g, &xs, f->x);
    mpc_point_mul(f->g, &f->X, &xs, &f->base);
    return true;
}

/* x uniform in ±2^bits; base a random point (as Γ). */
static bool fix_init(fix *f, mpc_params_id id, size_t bits)
{
    mpc_scalar k;
    f->params = mpc_params_get(id);
    f->g = mpc_ctx_group(test_ctx(), MPC_CURVE_SECP256K1);
    mpz_inits(f->x, f->rho, f->C, NULL);
    REQUIRE(zkmta_party_init(&f->prover, id, 0));
    REQUIRE(zkmta_party_init(&f->verifier, id, 1));
    mpc_scalar_random(f->g, &k);
    mpc_point_mul_base(f->g, &f->base, &k);
    zkmta_rand_signed(f->x, bits);
    return set_x(f);
}

static void fix_clear(fix *f)
{
    zkmta_party_clear(&f->prover);
    zkmta_party_clear(&f->verifier);
    mpz_clears(f->x, f->rho, f->C, NULL);
}

static mpc_err prove(const fix *f, mpc_zk_chi_proof *pr)
{
    mpc_transcript t;
    zkmta_transcript(&t, SID, PROVER);
    return mpc_zk_chi_prove(test_ctx(), pr, &t, &f->verifier.rp, &f->prover.sk,
                            f->C, &f->base, &f->X, f->x, f->rho);
}

static mpc_err verify_stmt(const fix *f, uint64_t prover, const mpz_t C,
                           const mpc_point *base, const mpc_point *X,
                           const mpc_zk_chi_proof *pr)
{
    mpc_transcript t;
    zkmta_transcript(&t, SID, prover);
    return mpc_zk_chi_verify(test_ctx(), &t, &f->verifier.rp, NULL,
                             &f->prover.sk.pk, C, base, X, pr);
}

static mpc_err verify(const fix *f, const mpc_zk_chi_proof *pr)
{
    return verify_stmt(f, PROVER, f->C, &f->base, &f->X, pr);
}

static bool proof_zero(const mpc_zk_chi_proof *pr)
{
    return zkmta_all_zero(pr->y, sizeof pr->y) && mpz_sgn(pr->s) == 0 &&
           mpz_sgn(pr->a) == 0 && mpz_sgn(pr->d) == 0 && mpz_sgn(pr->z1) == 0 &&
           mpz_sgn(pr->z2) == 0 && mpz_sgn(pr->z3) == 0;
}

/* Proves, verifies, encodes, parses and verifies again. */
static bool honest(mpc_params_id id, size_t bits)
{
    fix f;
    mpc_zk_chi_proof pr, back;
    size_t len;
    uint8_t *buf;

    REQUIRE(fix_init(&f, id, bits));
    mpc_zk_chi_proof_init(&pr);
    mpc_zk_chi_proof_init(&back);
    REQUIRE_OK(prove(&f, &pr));
    REQUIRE_OK(verify(&f, &pr));
    len = mpc_zk_chi_proof_bytes(f.params);
    buf = malloc(len);
    REQUIRE(buf != NULL);
    REQUIRE_OK(mpc_zk_chi_proof_serialize(buf, len, f.params, &pr));
    REQUIRE_OK(mpc_zk_chi_proof_parse(test_ctx(), &back, f.params, buf, len));
    REQUIRE_OK(verify(&f, &back));
    free(buf);
    mpc_zk_chi_proof_clear(&pr);
    mpc_zk_chi_proof_clear(&back);
    fix_clear(&f);
    return true;
}

/* The point of the proof: witnesses of ℓ' + 8 bits, not ℓ. */
TEST(zk_chi_honest_wide_witness_compat)
{
    const mpc_params *p = mpc_params_get(MPC_PARAMS_COMPAT);
    CHECK(honest(MPC_PARAMS_COMPAT, mpc_zk_chi_bits(p)));
    CHECK(honest(MPC_PARAMS_COMPAT, 16));
}

TEST(zk_chi_honest_128)
{
    const mpc_params *p = mpc_params_get(MPC_PARAMS_128);
    CHECK(honest(MPC_PARAMS_128, mpc_zk_chi_bits(p)));
}

/* Soundness needs the extracted integer (|x| <= 2^{ℓ_χ+ε+1}) to stay below
 * N/2 for every N the sets accept. */
TEST(zk_chi_range_margin)
{
    static const mpc_params_id ids[2] = {MPC_PARAMS_COMPAT, MPC_PARAMS_128};
    for (size_t i = 0; i < 2; i++) {
        const mpc_params *p = mpc_params_get(ids[i]);
        CHECK(mpc_zk_chi_bits(p) == (size_t)p->ell_prime + 8);
        CHECK(mpc_zk_chi_bits(p) + p->eps + 1 < (size_t)p->n_min_bits - 1);
    }
    CHECK(mpc_zk_chi_bits(NULL) == 0 && mpc_zk_chi_proof_bytes(NULL) == 0);
}

TEST(zk_chi_wrong_statement)
{
    fix f;
    mpc_zk_chi_proof pr;
    mpc_point gen, other;
    mpz_t c2, one, r2;

    if (!fix_init(&f, MPC_PARAMS_COMPAT, 1000))
        return;
    mpc_zk_chi_proof_init(&pr);
    mpz_inits(c2, one, r2, NULL);
    CHECK_OK(prove(&f, &pr));
    mpc_point_generator(f.g, &gen);
    mpc_point_add(f.g, &other, &f.X, &gen);
    CHECK_ERR(verify_stmt(&f, PROVER, f.C, &f.base, &other, &pr),
              MPC_ERR_VERIFY);
    CHECK_ERR(verify_stmt(&f, PROVER, f.C, &gen, &f.X, &pr), MPC_ERR_VERIFY);
    CHECK_ERR(verify_stmt(&f, PROVER + 1, f.C, &f.base, &f.X, &pr),
              MPC_ERR_VERIFY);
    /* C times an encryption of 1: another plaintext */
    mpz_set_ui(one, 1);
    CHECK(zkmta_encrypt(&f.prover.sk.pk, c2, r2, one));
    mpz_mul(c2, c2, f.C);
    mpz_mod(c2, c2, f.prover.sk.pk.n2);
    CHECK_ERR(verify_stmt(&f, PROVER, c2, &f.base, &f.X, &pr), MPC_ERR_VERIFY);
    CHECK_OK(verify(&f, &pr));
    mpz_clears(c2, one, r2, NULL);
    mpc_zk_chi_proof_clear(&pr);
    fix_clear(&f);
}

/* Every byte region of the encoding: a flipped bit never verifies. */
TEST(zk_chi_tamper_every_field)
{
    fix f;
    mpc_zk_chi_proof pr, bad;
    size_t len, step;
    uint8_t *buf;

    if (!fix_init(&f, MPC_PARAMS_COMPAT, 1200))
        return;
    mpc_zk_chi_proof_init(&pr);
    mpc_zk_chi_proof_init(&bad);
    CHECK_OK(prove(&f, &pr));
    len = mpc_zk_chi_proof_bytes(f.params);
    buf = malloc(len);
    CHECK(buf != NULL);
    if (buf == NULL)
        return;
    step = len / 40;
    for (size_t pos = 0; pos < len; pos += step) {
        CHECK_OK(mpc_zk_chi_proof_serialize(buf, len, f.params, &pr));
        zkmta_flip(buf, pos, (unsigned)(pos % 8));
        mpc_err e =
            mpc_zk_chi_proof_parse(test_ctx(), &bad, f.params, buf, len);
        if (e == MPC_OK)
            e = verify(&f, &bad);
        CHECK(e == MPC_ERR_PARSE || e == MPC_ERR_VERIFY);
    }
    free(buf);
    mpc_zk_chi_proof_clear(&pr);
    mpc_zk_chi_proof_clear(&bad);
    fix_clear(&f);
}

TEST(zk_chi_rejects_out_of_range)
{
    fix f;
    mpc_zk_chi_proof pr;
    mpc_point inf;

    if (!fix_init(&f, MPC_PARAMS_COMPAT, 100))
        return;
    mpc_zk_chi_proof_init(&pr);
    /* a witness above 2^{ℓ_χ}: the prover refuses */
    mpz_set_ui(f.x, 0);
    mpz_setbit(f.x, mpc_zk_chi_bits(f.params));
    mpz_add_ui(f.x, f.x, 1);
    CHECK(set_x(&f));
    CHECK_ERR(prove(&f, &pr), MPC_ERR_INVALID_ARG);
    CHECK(proof_zero(&pr));
    /* X != x·base, and an identity base */
    mpz_set_ui(f.x, 77);
    CHECK(set_x(&f));
    CHECK_OK(prove(&f, &pr));
    mpc_point_generator(f.g, &f.X);
    CHECK_ERR(prove(&f, &pr), MPC_ERR_INVALID_ARG);
    CHECK(set_x(&f));
    mpc_point_set_identity(f.g, &inf);
    f.base = inf;
    CHECK_ERR(prove(&f, &pr), MPC_ERR_INVALID_ARG);
    CHECK_ERR(verify(&f, &pr), MPC_ERR_VERIFY);
    mpc_zk_chi_proof_clear(&pr);
    fix_clear(&f);
}

/* A response just outside its range is rejected by verify even though it
 * could be encoded by hand; z1 = 2^{ℓ_χ+ε} + 1. */
TEST(zk_chi_verify_rejects_wide_z1)
{
    fix f;
    mpc_zk_chi_proof pr;

    if (!fix_init(&f, MPC_PARAMS_COMPAT, 100))
        return;
    mpc_zk_chi_proof_init(&pr);
    CHECK_OK(prove(&f, &pr));
    mpz_set_ui(pr.z1, 0);
    mpz_setbit(pr.z1, mpc_zk_chi_bits(f.params) + f.params->eps);
    mpz_add_ui(pr.z1, pr.z1, 1);
    CHECK_ERR(verify(&f, &pr), MPC_ERR_VERIFY);
    mpc_zk_chi_proof_clear(&pr);
    fix_clear(&f);
}

TEST(zk_chi_parse_rejects_malformed)
{
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    size_t len = mpc_zk_chi_proof_bytes(params);
    uint8_t *buf = calloc(1, len + 1);
    mpc_zk_chi_proof pr;

    CHECK(buf != NULL);
    if (buf == NULL)
        return;
    mpc_zk_chi_proof_init(&pr);
    CHECK_ERR(mpc_zk_chi_proof_parse(test_ctx(), &pr, params, buf, len - 1),
              MPC_ERR_PARSE);
    CHECK_ERR(mpc_zk_chi_proof_parse(test_ctx(), &pr, params, buf, len + 1),
              MPC_ERR_PARSE);
    /* Y all zero is not a point */
    CHECK_ERR(mpc_zk_chi_proof_parse(test_ctx(), &pr, params, buf, len),
              MPC_ERR_PARSE);
    CHECK(proof_zero(&pr));
    CHECK_ERR(mpc_zk_chi_proof_parse(test_ctx(), &pr, NULL, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_chi_proof_parse(test_ctx(), NULL, params, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_chi_proof_serialize(buf, len - 1, params, &pr),
              MPC_ERR_INVALID_ARG);
    mpc_zk_chi_proof_clear(&pr);
    mpc_zk_chi_proof_clear(NULL);
    free(buf);
}

TEST(zk_chi_misuse)
{
    fix f;
    mpc_zk_chi_proof pr;
    mpc_transcript t;

    if (!fix_init(&f, MPC_PARAMS_COMPAT, 10))
        return;
    mpc_zk_chi_proof_init(&pr);
    zkmta_transcript(&t, SID, PROVER);
    CHECK_ERR(mpc_zk_chi_prove(test_ctx(), NULL, &t, &f.verifier.rp,
                               &f.prover.sk, f.C, &f.base, &f.X, f.x, f.rho),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_chi_prove(test_ctx(), &pr, &t, NULL, &f.prover.sk, f.C,
                               &f.base, &f.X, f.x, f.rho),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_chi_verify(test_ctx(), &t, &f.verifier.rp, NULL, NULL, f.C,
                                &f.base, &f.X, &pr),
              MPC_ERR_INVALID_ARG);
    /* tables sized for ℓ serve the wider exponents too; another party's
     * tables are refused */
    CHECK_OK(prove(&f, &pr));
    zkmta_transcript(&t, SID, PROVER);
    CHECK_OK(mpc_zk_chi_verify(test_ctx(), &t, &f.verifier.rp, &f.verifier.tab,
                               &f.prover.sk.pk, f.C, &f.base, &f.X, &pr));
    zkmta_transcript(&t, SID, PROVER);
    CHECK_ERR(mpc_zk_chi_verify(test_ctx(), &t, &f.verifier.rp, &f.prover.tab,
                                &f.prover.sk.pk, f.C, &f.base, &f.X, &pr),
              MPC_ERR_INVALID_ARG);
    mpc_zk_chi_proof_clear(&pr);
    fix_clear(&f);
}
