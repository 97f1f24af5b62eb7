/* Πenc (lib/zk/zk_enc.c): honest proofs at both parameter sets, every
 * field and every statement input bound, transcript binding, the
 * verifier's checks one by one (including cheating provers that satisfy
 * every equation), strict parsing, misuse. */
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "lib/zk/zk_internal.h"
#include "mpc/bn.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/zk_enc.h"
#include "tests/harness/test.h"
#include "tests/unit/zk_mta_fixture.h"

#define SID "zk-enc-test-session"
#define PROVER 2

/* A prover (its Paillier key N0) and a verifier (its ring-Pedersen
 * parameters), with a statement K = Enc_{N0}(k; rho). */
typedef struct fix {
    zkmta_party prover, verifier;
    const mpc_params *params;
    mpz_t k, rho, K;
} fix;

static bool fix_init(fix *f, mpc_params_id id)
{
    f->params = mpc_params_get(id);
    mpz_inits(f->k, f->rho, f->K, NULL);
    REQUIRE(zkmta_party_init(&f->prover, id, 0));
    REQUIRE(zkmta_party_init(&f->verifier, id, 1));
    zkmta_rand_signed(f->k, f->params->ell);
    REQUIRE(zkmta_encrypt(&f->prover.sk.pk, f->K, f->rho, f->k));
    return true;
}

static void fix_clear(fix *f)
{
    zkmta_party_clear(&f->prover);
    zkmta_party_clear(&f->verifier);
    mpz_clears(f->k, f->rho, f->K, NULL);
}

static mpc_err prove(const fix *f, mpc_zk_enc_proof *pr)
{
    mpc_transcript t;
    zkmta_transcript(&t, SID, PROVER);
    return mpc_zk_enc_prove(test_ctx(), pr, &t, &f->verifier.rp, &f->prover.sk,
                            f->K, f->k, f->rho);
}

/* Verifies with the standard transcript, with and without the tables;
 * the two must agree. */
static mpc_err verify(const fix *f, const mpz_t K, const mpc_zk_enc_proof *pr)
{
    mpc_transcript t1, t2;
    zkmta_transcript(&t1, SID, PROVER);
    t2 = t1;
    mpc_err e1 = mpc_zk_enc_verify(&t1, &f->verifier.rp, &f->verifier.tab,
                                   &f->prover.sk.pk, K, pr);
    mpc_err e2 =
        mpc_zk_enc_verify(&t2, &f->verifier.rp, NULL, &f->prover.sk.pk, K, pr);
    return e1 == e2 ? e1 : MPC_ERR_INTERNAL;
}

static bool proof_zero(const mpc_zk_enc_proof *pr)
{
    return mpz_sgn(pr->s) == 0 && mpz_sgn(pr->a) == 0 && mpz_sgn(pr->c) == 0 &&
           mpz_sgn(pr->z1) == 0 && mpz_sgn(pr->z2) == 0 && mpz_sgn(pr->z3) == 0;
}

static void proof_copy(mpc_zk_enc_proof *dst, const mpc_zk_enc_proof *src)
{
    mpz_set(dst->s, src->s);
    mpz_set(dst->a, src->a);
    mpz_set(dst->c, src->c);
    mpz_set(dst->z1, src->z1);
    mpz_set(dst->z2, src->z2);
    mpz_set(dst->z3, src->z3);
}

static mpz_ptr field(mpc_zk_enc_proof *pr, int i)
{
    mpz_ptr v[6] = {pr->s, pr->a, pr->c, pr->z1, pr->z2, pr->z3};
    return v[i];
}

/* ---- A test-side prover that can cheat -------------------------------- */

enum cheat {
    HONEST,
    ZERO_A,     /* A = 0 and z2 = 0: Enc(z1; 0) = 0 = A K^e for ANY K */
    ZERO_MOD_P, /* A ≡ 0 mod p^2 and z2 ≡ 0 mod p: a prover who knows
                 * its factors proves only K mod q^2 */
};

/* x = x * u mod n where u ≡ 0 (mod a), u ≡ 1 (mod b), n = a b. */
static void kill_mod(mpz_t x, const mpz_t a, const mpz_t b)
{
    mpz_t u, n;
    mpz_inits(u, n, NULL);
    mpz_invert(u, a, b);
    mpz_mul(u, u, a);
    mpz_mul(n, a, b);
    mpz_mul(x, x, u);
    mpz_mod(x, x, n);
    mpz_clears(u, n, NULL);
}

/* The Πenc prover written out in plain (variable-time) GMP over any key,
 * without the misuse checks, so tests can give it false statements, bad
 * keys or out-of-range witnesses. e is the challenge it drew. */
static bool manual_prove_sk(mpc_zk_enc_proof *pr, mpz_t e, const mpc_rped *rp,
                            const mpc_paillier_pk *pk, const mpz_t K,
                            const mpz_t k, const mpz_t rho, enum cheat cheat,
                            const mpc_paillier_sk *sk)
{
    const mpc_params *params = rp->params;
    size_t le = params->ell + params->eps;
    mpz_t alpha, mu, gamma, r, b;
    mpz_inits(alpha, mu, gamma, r, b, NULL);
    zkmta_rand_signed(alpha, le);
    mpz_setbit(b, params->ell);
    mpz_mul(b, b, rp->n);
    REQUIRE_OK(mpc_bn_random_symmetric(test_ctx(), mu, b));
    mpz_mul_2exp(b, b, params->eps);
    REQUIRE_OK(mpc_bn_random_symmetric(test_ctx(), gamma, b));
    REQUIRE_OK(mpc_bn_random_unit(test_ctx(), r, pk->n));

    REQUIRE_OK(mpc_rped_commit_var(rp, pr->s, k, mu));
    if (cheat == ZERO_A)
        mpz_set_ui(pr->a, 0);
    else
        REQUIRE_OK(mpc_zk_paillier_enc_var(pr->a, pk, alpha, r));
    REQUIRE_OK(mpc_rped_commit_var(rp, pr->c, alpha, gamma));
    if (cheat == ZERO_MOD_P)
        kill_mod(pr->a, sk->p2, sk->q2);

    mpc_transcript t;
    zkmta_transcript(&t, SID, PROVER);
    REQUIRE_OK(mpc_zk_enc_challenge(&t, rp, pk, K, pr, e));

    mpz_mul(pr->z1, e, k);
    mpz_add(pr->z1, pr->z1, alpha);
    if (cheat == ZERO_A) {
        mpz_set_ui(pr->z2, 0);
    } else {
        REQUIRE_OK(mpc_bn_powm_var(pr->z2, rho, e, pk->n));
        mpz_mul(pr->z2, pr->z2, r);
        mpz_mod(pr->z2, pr->z2, pk->n);
        if (cheat == ZERO_MOD_P)
            kill_mod(pr->z2, sk->p, sk->q);
    }
    mpz_mul(pr->z3, e, mu);
    mpz_add(pr->z3, pr->z3, gamma);
    mpz_clears(alpha, mu, gamma, r, b, NULL);
    return true;
}

static bool manual_prove(mpc_zk_enc_proof *pr, mpz_t e, const mpc_rped *rp,
                         const mpc_paillier_pk *pk, const mpz_t K,
                         const mpz_t k, const mpz_t rho, enum cheat cheat)
{
    return manual_prove_sk(pr, e, rp, pk, K, k, rho, cheat, NULL);
}

/* Both verification equations hold for challenge e (computed here, in the
 * test, independently of the library's verifier). */
static bool equations_hold(const mpc_rped *rp, const mpc_paillier_pk *pk,
                           const mpz_t K, const mpc_zk_enc_proof *pr,
                           const mpz_t e)
{
    mpz_t l, r;
    mpz_inits(l, r, NULL);
    /* Enc(z1; z2) = (1 + z1 N) z2^N mod N^2 */
    mpz_mod(l, pr->z1, pk->n);
    mpz_mul(l, l, pk->n);
    mpz_add_ui(l, l, 1);
    mpz_powm(r, pr->z2, pk->n, pk->n2);
    mpz_mul(l, l, r);
    mpz_mod(l, l, pk->n2);
    bool ok = mpc_bn_powm_var(r, K, e, pk->n2) == MPC_OK;
    mpz_mul(r, r, pr->a);
    mpz_mod(r, r, pk->n2);
    ok = ok && mpz_cmp(l, r) == 0;
    ok = ok && mpc_rped_commit_var(rp, l, pr->z1, pr->z3) == MPC_OK;
    ok = ok && mpc_bn_powm_var(r, pr->s, e, rp->n) == MPC_OK;
    mpz_mul(r, r, pr->c);
    mpz_mod(r, r, rp->n);
    ok = ok && mpz_cmp(l, r) == 0;
    mpz_clears(l, r, NULL);
    return ok;
}

/* ---- honest proofs ------------------------------------------------------ */

static bool honest_roundtrip(mpc_params_id id, size_t want_bytes)
{
    fix f;
    REQUIRE(fix_init(&f, id));
    mpc_zk_enc_proof pr, back;
    mpc_zk_enc_proof_init(&pr);
    mpc_zk_enc_proof_init(&back);
    REQUIRE_OK(prove(&f, &pr));
    REQUIRE_OK(verify(&f, f.K, &pr));

    size_t len = mpc_zk_enc_proof_bytes(f.params);
    REQUIRE(len == want_bytes);
    uint8_t *buf = malloc(len);
    REQUIRE(buf != NULL);
    REQUIRE_OK(mpc_zk_enc_proof_serialize(buf, len, f.params, &pr));
    REQUIRE_OK(mpc_zk_enc_proof_parse(&back, f.params, buf, len));
    REQUIRE(mpz_cmp(back.z1, pr.z1) == 0 && mpz_cmp(back.z3, pr.z3) == 0);
    REQUIRE_OK(verify(&f, f.K, &back));
    free(buf);
    mpc_zk_enc_proof_clear(&pr);
    mpc_zk_enc_proof_clear(&back);
    fix_clear(&f);
    return true;
}

TEST(zk_enc_honest_compat)
{
    CHECK(honest_roundtrip(MPC_PARAMS_COMPAT, 1732));
}

TEST(zk_enc_honest_128)
{
    CHECK(honest_roundtrip(MPC_PARAMS_128, 2428));
}

/* The witness at the edges of ±2^ℓ, and 0. */
TEST(zk_enc_honest_edge_witness)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_enc_proof pr;
    mpc_zk_enc_proof_init(&pr);
    for (int i = 0; i < 3; i++) {
        mpz_set_ui(f.k, 0);
        if (i > 0)
            mpz_setbit(f.k, f.params->ell);
        if (i == 2)
            mpz_neg(f.k, f.k);
        CHECK(zkmta_encrypt(&f.prover.sk.pk, f.K, f.rho, f.k));
        CHECK_OK(prove(&f, &pr));
        CHECK_OK(verify(&f, f.K, &pr));
    }
    mpc_zk_enc_proof_clear(&pr);
    fix_clear(&f);
}

/* ---- every field, every statement input -------------------------------- */

/* Changing any field by one (struct level) or any bit of the encoding
 * (wire level) makes the proof fail. */
TEST(zk_enc_tamper_every_field)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_enc_proof pr, bad;
    mpc_zk_enc_proof_init(&pr);
    mpc_zk_enc_proof_init(&bad);
    CHECK_OK(prove(&f, &pr));
    for (int i = 0; i < 6; i++) {
        proof_copy(&bad, &pr);
        mpz_add_ui(field(&bad, i), field(&bad, i), 1);
        CHECK_ERR(verify(&f, f.K, &bad), MPC_ERR_VERIFY);
    }

    size_t len = mpc_zk_enc_proof_bytes(f.params);
    uint8_t *buf = malloc(len);
    CHECK(buf != NULL);
    CHECK_OK(mpc_zk_enc_proof_serialize(buf, len, f.params, &pr));
    /* One bit in every 61st byte covers each field several times. */
    for (size_t pos = 0; pos < len; pos += 61) {
        zkmta_flip(buf, pos, (unsigned)pos);
        mpc_err err = mpc_zk_enc_proof_parse(&bad, f.params, buf, len);
        if (err == MPC_OK)
            err = verify(&f, f.K, &bad);
        CHECK(err == MPC_ERR_VERIFY || err == MPC_ERR_PARSE);
        zkmta_flip(buf, pos, (unsigned)pos);
    }
    /* And the last byte of every field. */
    size_t ends[6], off = 0;
    size_t le = f.params->ell + f.params->eps;
    size_t lens[6] = {
        f.params->n_bytes, f.params->ct_bytes,
        f.params->n_bytes, mpc_zk_signed_len(le),
        f.params->n_bytes, mpc_zk_signed_len(le + f.params->n_bits + 1)};
    for (int i = 0; i < 6; i++)
        ends[i] = (off += lens[i]) - 1;
    CHECK(off == len);
    for (int i = 0; i < 6; i++) {
        zkmta_flip(buf, ends[i], 0);
        mpc_err err = mpc_zk_enc_proof_parse(&bad, f.params, buf, len);
        if (err == MPC_OK)
            err = verify(&f, f.K, &bad);
        CHECK_ERR(err, MPC_ERR_VERIFY);
        zkmta_flip(buf, ends[i], 0);
    }
    free(buf);
    mpc_zk_enc_proof_clear(&pr);
    mpc_zk_enc_proof_clear(&bad);
    fix_clear(&f);
}

/* Another ciphertext, prover key or verifier parameters: the proof fails. */
TEST(zk_enc_wrong_statement)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_enc_proof pr;
    mpc_zk_enc_proof_init(&pr);
    CHECK_OK(prove(&f, &pr));

    /* K' = K * (1 + N): an encryption of k + 1 with the same nonce. */
    mpz_t K2, r2;
    mpz_inits(K2, r2, NULL);
    mpz_add_ui(K2, f.prover.sk.pk.n, 1);
    mpz_mul(K2, K2, f.K);
    mpz_mod(K2, K2, f.prover.sk.pk.n2);
    CHECK_ERR(verify(&f, K2, &pr), MPC_ERR_VERIFY);
    /* A fresh encryption of the same k. */
    CHECK(zkmta_encrypt(&f.prover.sk.pk, K2, r2, f.k));
    CHECK_ERR(verify(&f, K2, &pr), MPC_ERR_VERIFY);

    mpc_transcript t;
    zkmta_party other;
    CHECK(zkmta_party_init(&other, MPC_PARAMS_COMPAT, 2));
    /* Another prover key (K is a unit there with overwhelming odds). */
    zkmta_transcript(&t, SID, PROVER);
    CHECK_ERR(mpc_zk_enc_verify(&t, &f.verifier.rp, &f.verifier.tab,
                                &other.sk.pk, f.K, &pr),
              MPC_ERR_VERIFY);
    /* Another verifier's parameters. */
    zkmta_transcript(&t, SID, PROVER);
    CHECK_ERR(
        mpc_zk_enc_verify(&t, &other.rp, &other.tab, &f.prover.sk.pk, f.K, &pr),
        MPC_ERR_VERIFY);
    zkmta_party_clear(&other);
    mpz_clears(K2, r2, NULL);
    mpc_zk_enc_proof_clear(&pr);
    fix_clear(&f);
}

/* The challenge is bound to the session id, the prover index and the
 * transcript's protocol label. */
TEST(zk_enc_transcript_bound)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_enc_proof pr;
    mpc_zk_enc_proof_init(&pr);
    CHECK_OK(prove(&f, &pr));
    mpc_transcript ts[3];
    zkmta_transcript(&ts[0], SID "x", PROVER);
    zkmta_transcript(&ts[1], SID, PROVER + 1);
    mpc_transcript_init(&ts[2], "other-protocol", (const uint8_t *)SID,
                        strlen(SID));
    mpc_transcript_append_u64(&ts[2], "prover", PROVER);
    for (int i = 0; i < 3; i++)
        CHECK_ERR(mpc_zk_enc_verify(&ts[i], &f.verifier.rp, &f.verifier.tab,
                                    &f.prover.sk.pk, f.K, &pr),
                  MPC_ERR_VERIFY);
    mpc_zk_enc_proof_clear(&pr);
    fix_clear(&f);
}

/* ---- the verifier's checks, one at a time ------------------------------- */

/* Alpha-Rays: a plaintext far out of range. The cheating proof satisfies
 * both equations; only the range check on z1 stops it. */
TEST(zk_enc_attack_out_of_range_plaintext)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_enc_proof pr;
    mpc_zk_enc_proof_init(&pr);
    mpz_t e;
    mpz_init(e);
    /* k = 2^{ℓ+ε+8} - 1 fits the plaintext space but not the range. */
    mpz_set_ui(f.k, 0);
    mpz_setbit(f.k, f.params->ell + f.params->eps + 8);
    mpz_sub_ui(f.k, f.k, 1);
    CHECK(zkmta_encrypt(&f.prover.sk.pk, f.K, f.rho, f.k));
    CHECK(manual_prove(&pr, e, &f.verifier.rp, &f.prover.sk.pk, f.K, f.k, f.rho,
                       HONEST));
    CHECK(equations_hold(&f.verifier.rp, &f.prover.sk.pk, f.K, &pr, e));
    CHECK(!mpc_zk_in_range_var(pr.z1, f.params->ell + f.params->eps));
    CHECK_ERR(verify(&f, f.K, &pr), MPC_ERR_VERIFY);
    /* The library prover refuses such a witness outright. */
    CHECK_ERR(prove(&f, &pr), MPC_ERR_INVALID_ARG);
    CHECK(proof_zero(&pr));

    /* The manual prover is faithful: with k in range it verifies. */
    zkmta_rand_signed(f.k, f.params->ell);
    CHECK(zkmta_encrypt(&f.prover.sk.pk, f.K, f.rho, f.k));
    CHECK(manual_prove(&pr, e, &f.verifier.rp, &f.prover.sk.pk, f.K, f.k, f.rho,
                       HONEST));
    CHECK_OK(verify(&f, f.K, &pr));
    mpz_clear(e);
    mpc_zk_enc_proof_clear(&pr);
    fix_clear(&f);
}

/* A = 0 and z2 = 0 satisfy the Paillier equation for any K (Trail of Bits,
 * "specialized zero-knowledge proof failures", 2022): the cheater proves
 * an arbitrary ciphertext; only the unit checks on A and z2 stop it. */
TEST(zk_enc_attack_zero_commitment)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_enc_proof pr, bad;
    mpc_zk_enc_proof_init(&pr);
    mpc_zk_enc_proof_init(&bad);
    mpz_t e, k_small, junk;
    mpz_inits(e, k_small, junk, NULL);
    /* K encrypts a huge value; the cheater only knows a small k. */
    mpz_set_ui(junk, 1);
    mpz_mul_2exp(junk, junk, 1500);
    CHECK(zkmta_encrypt(&f.prover.sk.pk, f.K, f.rho, junk));
    zkmta_rand_signed(k_small, f.params->ell);
    CHECK(manual_prove(&pr, e, &f.verifier.rp, &f.prover.sk.pk, f.K, k_small,
                       f.rho, ZERO_A));
    CHECK(equations_hold(&f.verifier.rp, &f.prover.sk.pk, f.K, &pr, e));
    CHECK(mpc_zk_in_range_var(pr.z1, f.params->ell + f.params->eps));
    CHECK_ERR(verify(&f, f.K, &pr), MPC_ERR_VERIFY);
    /* A = N0 (not a unit) breaks an equation as well, but must be
     * rejected either way. */
    proof_copy(&bad, &pr);
    mpz_set(bad.a, f.prover.sk.pk.n);
    CHECK_ERR(verify(&f, f.K, &bad), MPC_ERR_VERIFY);

    /* The same modulo one prime: K encrypts m = k + q X, huge, which is
     * k modulo q; the prover (who knows p and q) satisfies the equation
     * modulo q^2 honestly and modulo p^2 with zeros. Without the unit
     * checks on A and z2 (each implies the other through the equation)
     * this proves an unbounded plaintext. */
    mpz_set_ui(junk, 1);
    mpz_mul_2exp(junk, junk, 900);
    mpz_mul(junk, junk, f.prover.sk.q);
    mpz_add(junk, junk, k_small);
    CHECK(zkmta_encrypt(&f.prover.sk.pk, f.K, f.rho, junk));
    CHECK(manual_prove_sk(&pr, e, &f.verifier.rp, &f.prover.sk.pk, f.K, k_small,
                          f.rho, ZERO_MOD_P, &f.prover.sk));
    CHECK(equations_hold(&f.verifier.rp, &f.prover.sk.pk, f.K, &pr, e));
    CHECK(mpc_zk_in_range_var(pr.z1, f.params->ell + f.params->eps));
    CHECK(mpz_sgn(pr.a) != 0 && mpz_sgn(pr.z2) != 0);
    CHECK_ERR(verify(&f, f.K, &pr), MPC_ERR_VERIFY);
    mpz_clears(e, k_small, junk, NULL);
    mpc_zk_enc_proof_clear(&pr);
    mpc_zk_enc_proof_clear(&bad);
    fix_clear(&f);
}

/* Values that are not units, or out of their groups, are rejected. */
TEST(zk_enc_rejects_non_units)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_enc_proof pr, bad;
    mpc_zk_enc_proof_init(&pr);
    mpc_zk_enc_proof_init(&bad);
    CHECK_OK(prove(&f, &pr));
    const mpz_srcptr nhat = f.verifier.rp.n, n0 = f.prover.sk.pk.n,
                     n02 = f.prover.sk.pk.n2;
    mpz_t p;
    mpz_init_set(p, f.prover.sk.p);
    /* {field, value}: 0, the modulus, a multiple of a factor. */
    struct {
        int i;
        mpz_srcptr v;
    } cases[] = {{0, NULL}, {0, nhat}, {1, NULL}, {1, n0}, {1, n02}, {1, p},
                 {2, NULL}, {2, nhat}, {4, NULL}, {4, n0}, {4, p}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        proof_copy(&bad, &pr);
        if (cases[c].v == NULL)
            mpz_set_ui(field(&bad, cases[c].i), 0);
        else
            mpz_set(field(&bad, cases[c].i), cases[c].v);
        CHECK_ERR(verify(&f, f.K, &bad), MPC_ERR_VERIFY);
    }
    /* The statement K: 0, N0^2, a multiple of p. */
    mpz_t K;
    mpz_init(K);
    CHECK_ERR(verify(&f, K, &pr), MPC_ERR_VERIFY);
    CHECK_ERR(verify(&f, n02, &pr), MPC_ERR_VERIFY);
    mpz_mul(K, f.K, p);
    mpz_mod(K, K, n02);
    CHECK_ERR(verify(&f, K, &pr), MPC_ERR_VERIFY);
    mpz_clears(K, p, NULL);
    mpc_zk_enc_proof_clear(&pr);
    mpc_zk_enc_proof_clear(&bad);
    fix_clear(&f);
}

/* z1 just outside ±2^{ℓ+ε} (either sign) and an oversized z3. */
TEST(zk_enc_rejects_out_of_range_responses)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_enc_proof pr, bad;
    mpc_zk_enc_proof_init(&pr);
    mpc_zk_enc_proof_init(&bad);
    CHECK_OK(prove(&f, &pr));
    size_t le = f.params->ell + f.params->eps;
    for (int sign = 0; sign < 2; sign++) {
        proof_copy(&bad, &pr);
        mpz_set_ui(bad.z1, 0);
        mpz_setbit(bad.z1, le);
        mpz_add_ui(bad.z1, bad.z1, 1);
        if (sign)
            mpz_neg(bad.z1, bad.z1);
        CHECK_ERR(verify(&f, f.K, &bad), MPC_ERR_VERIFY);
        proof_copy(&bad, &pr);
        mpz_set_ui(bad.z3, 0);
        mpz_setbit(bad.z3, le + f.params->n_bits + 2);
        if (sign)
            mpz_neg(bad.z3, bad.z3);
        CHECK_ERR(verify(&f, f.K, &bad), MPC_ERR_VERIFY);
    }
    mpc_zk_enc_proof_clear(&pr);
    mpc_zk_enc_proof_clear(&bad);
    fix_clear(&f);
}

/* BitForge / Alpha-Rays size rule: a prover key N0 below n_min_bits makes
 * plaintexts wrap; the cheating proof satisfies every equation and every
 * range and unit check, and only the size check rejects it. */
TEST(zk_enc_attack_small_modulus)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpz_t p, q, e;
    mpz_inits(p, q, e, NULL);
    CHECK(zkmta_primes(p, q, 1024));
    mpc_paillier_pk small;
    mpc_paillier_pk_init(&small);
    small.params = f.params;
    mpz_mul_ui(small.n, p, 3); /* 1026 bits */
    mpz_mul(small.n2, small.n, small.n);

    mpc_zk_enc_proof pr;
    mpc_zk_enc_proof_init(&pr);
    CHECK(zkmta_encrypt(&small, f.K, f.rho, f.k));
    CHECK(
        manual_prove(&pr, e, &f.verifier.rp, &small, f.K, f.k, f.rho, HONEST));
    CHECK(equations_hold(&f.verifier.rp, &small, f.K, &pr, e));
    mpc_transcript t;
    zkmta_transcript(&t, SID, PROVER);
    CHECK_ERR(mpc_zk_enc_verify(&t, &f.verifier.rp, &f.verifier.tab, &small,
                                f.K, &pr),
              MPC_ERR_VERIFY);

    /* The same for the ring-Pedersen modulus (a verifier with broken
     * parameters of its own). */
    mpc_rped rp;
    mpc_rped_init(&rp);
    rp.params = f.params;
    mpz_set(rp.n, small.n);
    mpz_set_ui(rp.s, 4);
    mpz_set_ui(rp.t, 25);
    CHECK(zkmta_encrypt(&f.prover.sk.pk, f.K, f.rho, f.k));
    CHECK(manual_prove(&pr, e, &rp, &f.prover.sk.pk, f.K, f.k, f.rho, HONEST));
    CHECK(equations_hold(&rp, &f.prover.sk.pk, f.K, &pr, e));
    zkmta_transcript(&t, SID, PROVER);
    CHECK_ERR(mpc_zk_enc_verify(&t, &rp, NULL, &f.prover.sk.pk, f.K, &pr),
              MPC_ERR_VERIFY);
    /* ... which the prover refuses to prove against. */
    zkmta_transcript(&t, SID, PROVER);
    CHECK_ERR(mpc_zk_enc_prove(test_ctx(), &pr, &t, &rp, &f.prover.sk, f.K, f.k,
                               f.rho),
              MPC_ERR_INVALID_ARG);
    mpc_rped_clear(&rp);
    mpc_paillier_pk_clear(&small);
    mpz_clears(p, q, e, NULL);
    mpc_zk_enc_proof_clear(&pr);
    fix_clear(&f);
}

/* ---- parsing --------------------------------------------------------------
 */

TEST(zk_enc_parse_rejects_malformed)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    mpc_zk_enc_proof pr, out;
    mpc_zk_enc_proof_init(&pr);
    mpc_zk_enc_proof_init(&out);
    CHECK_OK(prove(&f, &pr));
    const mpc_params *params = f.params;
    size_t len = mpc_zk_enc_proof_bytes(params);
    uint8_t *buf = malloc(len + 1), *bad = malloc(len + 1);
    CHECK(buf != NULL && bad != NULL);
    CHECK_OK(mpc_zk_enc_proof_serialize(buf, len, params, &pr));
    buf[len] = 0;

    /* Wrong lengths. */
    size_t lens[] = {0, 1, len - 1, len + 1};
    for (size_t i = 0; i < 4; i++) {
        mpz_set_ui(out.z1, 7);
        CHECK_ERR(mpc_zk_enc_proof_parse(&out, params, buf, lens[i]),
                  MPC_ERR_PARSE);
        CHECK(proof_zero(&out));
    }
    /* The other set's length. */
    CHECK_ERR(
        mpc_zk_enc_proof_parse(&out, mpc_params_get(MPC_PARAMS_128), buf, len),
        MPC_ERR_PARSE);
    size_t z1_off = 2 * params->n_bytes + params->ct_bytes;
    size_t z1_len = mpc_zk_signed_len(params->ell + params->eps);
    size_t z3_off = z1_off + z1_len + params->n_bytes;
    size_t z3_len = len - z3_off;
    size_t sign_at[] = {z1_off, z3_off};
    size_t flen[] = {z1_len, z3_len};
    for (int i = 0; i < 2; i++) {
        /* A sign byte other than 0x00 / 0x01. */
        memcpy(bad, buf, len);
        bad[sign_at[i]] = 0x02;
        CHECK_ERR(mpc_zk_enc_proof_parse(&out, params, bad, len),
                  MPC_ERR_PARSE);
        CHECK(proof_zero(&out));
        /* Negative zero. */
        memcpy(bad, buf, len);
        memset(bad + sign_at[i], 0, flen[i]);
        bad[sign_at[i]] = 0x01;
        CHECK_ERR(mpc_zk_enc_proof_parse(&out, params, bad, len),
                  MPC_ERR_PARSE);
        /* Magnitude above the bound: 2^bits + 1 (the top byte of the
         * magnitude holds bit `bits`; set a higher one). */
        memcpy(bad, buf, len);
        bad[sign_at[i] + 1] = 0x80;
        CHECK_ERR(mpc_zk_enc_proof_parse(&out, params, bad, len),
                  MPC_ERR_PARSE);
    }
    /* |z1| = 2^{ℓ+ε} exactly parses (inclusive bound); +1 does not. */
    memcpy(bad, buf, len);
    memset(bad + z1_off, 0, z1_len);
    bad[z1_off + 1] = 0x01; /* 2^768: magnitude 01 00..00 in 97 bytes */
    CHECK_OK(mpc_zk_enc_proof_parse(&out, params, bad, len));
    bad[z1_off + z1_len - 1] = 0x01;
    CHECK_ERR(mpc_zk_enc_proof_parse(&out, params, bad, len), MPC_ERR_PARSE);
    CHECK(proof_zero(&out));

    CHECK_ERR(mpc_zk_enc_proof_parse(NULL, params, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_enc_proof_parse(&out, NULL, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_enc_proof_parse(&out, params, NULL, len),
              MPC_ERR_INVALID_ARG);
    CHECK(proof_zero(&out));
    free(buf);
    free(bad);
    mpc_zk_enc_proof_clear(&pr);
    mpc_zk_enc_proof_clear(&out);
    fix_clear(&f);
}

TEST(zk_enc_serialize_misuse)
{
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    size_t len = mpc_zk_enc_proof_bytes(params);
    CHECK(mpc_zk_enc_proof_bytes(NULL) == 0);
    uint8_t *buf = malloc(len + 1);
    CHECK(buf != NULL);
    mpc_zk_enc_proof pr;
    mpc_zk_enc_proof_init(&pr);
    memset(buf, 0xaa, len + 1);
    CHECK_ERR(mpc_zk_enc_proof_serialize(buf, len + 1, params, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK(zkmta_all_zero(buf, len + 1));
    /* A value too large for its field. */
    mpz_setbit(pr.z1, params->ell + params->eps + 1);
    memset(buf, 0xaa, len);
    CHECK_ERR(mpc_zk_enc_proof_serialize(buf, len, params, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK(zkmta_all_zero(buf, len));
    mpz_set_ui(pr.z1, 0);
    mpz_setbit(pr.s, 8 * params->n_bytes);
    CHECK_ERR(mpc_zk_enc_proof_serialize(buf, len, params, &pr),
              MPC_ERR_INVALID_ARG);
    mpz_set_si(pr.s, -1);
    CHECK_ERR(mpc_zk_enc_proof_serialize(buf, len, params, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_enc_proof_serialize(NULL, len, params, &pr),
              MPC_ERR_INVALID_ARG);
    memset(buf, 0xaa, len);
    CHECK_ERR(mpc_zk_enc_proof_serialize(buf, len, NULL, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK(zkmta_all_zero(buf, len));
    CHECK_ERR(mpc_zk_enc_proof_serialize(buf, len, params, NULL),
              MPC_ERR_INVALID_ARG);
    mpc_zk_enc_proof_clear(&pr);
    mpc_zk_enc_proof_clear(NULL);
    free(buf);
}

/* ---- misuse -------------------------------------------------------------- */

TEST(zk_enc_prove_misuse)
{
    fix f;
    CHECK(fix_init(&f, MPC_PARAMS_COMPAT));
    const mpc_ctx *ctx = test_ctx();
    mpc_zk_enc_proof pr;
    mpc_zk_enc_proof_init(&pr);
    mpc_transcript t;
    zkmta_transcript(&t, SID, PROVER);
    const mpc_rped *rp = &f.verifier.rp;
    const mpc_paillier_sk *sk = &f.prover.sk;

#define MISUSE(call)                                                           \
    do {                                                                       \
        mpz_set_ui(pr.z1, 5);                                                  \
        CHECK_ERR(call, MPC_ERR_INVALID_ARG);                                  \
        CHECK(proof_zero(&pr));                                                \
    } while (0)

    CHECK_ERR(mpc_zk_enc_prove(ctx, NULL, &t, rp, sk, f.K, f.k, f.rho),
              MPC_ERR_INVALID_ARG);
    MISUSE(mpc_zk_enc_prove(NULL, &pr, &t, rp, sk, f.K, f.k, f.rho));
    MISUSE(mpc_zk_enc_prove(ctx, &pr, NULL, rp, sk, f.K, f.k, f.rho));
    MISUSE(mpc_zk_enc_prove(ctx, &pr, &t, NULL, sk, f.K, f.k, f.rho));
    MISUSE(mpc_zk_enc_prove(ctx, &pr, &t, rp, NULL, f.K, f.k, f.rho));
    MISUSE(mpc_zk_enc_prove(ctx, &pr, &t, rp, sk, NULL, f.k, f.rho));
    MISUSE(mpc_zk_enc_prove(ctx, &pr, &t, rp, sk, f.K, NULL, f.rho));
    MISUSE(mpc_zk_enc_prove(ctx, &pr, &t, rp, sk, f.K, f.k, NULL));

    /* k just outside ±2^ℓ, either sign. */
    mpz_t x;
    mpz_init(x);
    mpz_setbit(x, f.params->ell);
    mpz_add_ui(x, x, 1);
    MISUSE(mpc_zk_enc_prove(ctx, &pr, &t, rp, sk, f.K, x, f.rho));
    mpz_neg(x, x);
    MISUSE(mpc_zk_enc_prove(ctx, &pr, &t, rp, sk, f.K, x, f.rho));
    /* rho = 0 and rho = N0. */
    mpz_set_ui(x, 0);
    MISUSE(mpc_zk_enc_prove(ctx, &pr, &t, rp, sk, f.K, f.k, x));
    MISUSE(mpc_zk_enc_prove(ctx, &pr, &t, rp, sk, f.K, f.k, sk->pk.n));
    /* K not in Z*_{N0^2}. */
    MISUSE(mpc_zk_enc_prove(ctx, &pr, &t, rp, sk, x, f.k, f.rho));
    MISUSE(mpc_zk_enc_prove(ctx, &pr, &t, rp, sk, sk->pk.n, f.k, f.rho));
    /* Empty parameters; parameters of another set. */
    mpc_rped empty;
    mpc_rped_init(&empty);
    MISUSE(mpc_zk_enc_prove(ctx, &pr, &t, &empty, sk, f.K, f.k, f.rho));
    zkmta_party big;
    CHECK(zkmta_party_init(&big, MPC_PARAMS_128, 0));
    MISUSE(mpc_zk_enc_prove(ctx, &pr, &t, &big.rp, sk, f.K, f.k, f.rho));

    /* Verifier misuse. */
    const mpc_paillier_pk *pk = &sk->pk;
    const mpc_rped_table *tab = &f.verifier.tab;
    CHECK_OK(prove(&f, &pr));
    CHECK_ERR(mpc_zk_enc_verify(NULL, rp, tab, pk, f.K, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_enc_verify(&t, NULL, tab, pk, f.K, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_enc_verify(&t, rp, tab, NULL, f.K, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_enc_verify(&t, rp, tab, pk, NULL, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_enc_verify(&t, rp, tab, pk, f.K, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_enc_verify(&t, &empty, NULL, pk, f.K, &pr),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_enc_verify(&t, &big.rp, &big.tab, pk, f.K, &pr),
              MPC_ERR_INVALID_ARG);
    /* Tables of another party's parameters; empty tables. */
    zkmta_transcript(&t, SID, PROVER);
    CHECK_ERR(mpc_zk_enc_verify(&t, rp, &f.prover.tab, pk, f.K, &pr),
              MPC_ERR_INVALID_ARG);
    mpc_rped_table none = {.s = {.pow = NULL}, .t = {.pow = NULL}};
    zkmta_transcript(&t, SID, PROVER);
    CHECK_ERR(mpc_zk_enc_verify(&t, rp, &none, pk, f.K, &pr),
              MPC_ERR_INVALID_ARG);
#undef MISUSE
    zkmta_party_clear(&big);
    mpc_rped_clear(&empty);
    mpz_clear(x);
    mpc_zk_enc_proof_clear(&pr);
    fix_clear(&f);
}
