/* lib/zk/zk_prm.c: Πprm, the ring-Pedersen parameter proof. Honest proofs
 * at both parameter sets, every verifier check, the TSSHOCK c-guess
 * forgery (s outside <t>) and the one-hash challenge, tampering,
 * transcript binding, strict parsing, misuse, NOMEM and a broken rng. */
#include <gmp.h>
#include <string.h>

#include "mpc/bn.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/zk_prm.h"
#include "tests/harness/test.h"
#include "tests/unit/zk_aux_fixture.h"

#define LABEL "aux.prm"

/* ---- helpers ----------------------------------------------------------- */

/* A fixture key with fresh ring-Pedersen parameters over it. */
typedef struct party {
    mpc_paillier_sk sk;
    mpc_rped rp;
    mpz_t lambda;
} party;

static bool party_init(party *p, mpc_params_id id, size_t key)
{
    mpc_paillier_sk_init(&p->sk);
    mpc_rped_init(&p->rp);
    mpz_init(p->lambda);
    REQUIRE(zk_fixture_key(&p->sk, id, key));
    REQUIRE_OK(mpc_rped_generate(test_ctx(), &p->rp, p->lambda, &p->sk));
    return true;
}

static void party_clear(party *p)
{
    mpc_paillier_sk_clear(&p->sk);
    mpc_rped_clear(&p->rp);
    mpc_bn_clear(p->lambda);
}

static bool prove(mpc_zk_prm_proof *proof, const party *p)
{
    mpc_transcript t;
    zk_transcript(&t, 1, LABEL, 1);
    REQUIRE_OK(
        mpc_zk_prm_prove(test_ctx(), proof, &t, &p->rp, &p->sk, p->lambda));
    return true;
}

static mpc_err verify_as(const mpc_zk_prm_proof *proof, const mpc_rped *rp,
                         uint8_t sid, const char *label, unsigned prover)
{
    mpc_transcript t;
    zk_transcript(&t, sid, label, prover);
    return mpc_zk_prm_verify(test_ctx(), &t, proof, rp);
}

static mpc_err verify(const mpc_zk_prm_proof *proof, const mpc_rped *rp)
{
    return verify_as(proof, rp, 1, LABEL, 1);
}

static bool proof_empty(const mpc_zk_prm_proof *p)
{
    if (p->params != NULL)
        return false;
    for (size_t i = 0; i < MPC_ZK_PRM_ROUNDS_MAX; i++)
        if (mpz_sgn(p->a[i]) != 0 || mpz_sgn(p->z[i]) != 0)
            return false;
    return true;
}

/* dst = a copy of src whose fields tests then break. */
static void rped_copy(mpc_rped *dst, const mpc_rped *src)
{
    dst->params = src->params;
    mpz_set(dst->n, src->n);
    mpz_set(dst->s, src->s);
    mpz_set(dst->t, src->t);
    mpz_set(dst->s_inv, src->s_inv);
    mpz_set(dst->t_inv, src->t_inv);
}

/* The challenge bits as lib/zk/zk_prm.c derives them (header order). */
static bool mirror_challenge(uint8_t *e, const mpc_zk_prm_proof *proof,
                             const mpc_rped *rp)
{
    const mpc_params *params = rp->params;
    size_t nb = params->n_bytes;
    uint8_t buf[MPC_PARAMS_MAX_N_BYTES], bits[MPC_ZK_PRM_ROUNDS_MAX / 8];
    mpc_transcript t;
    zk_transcript(&t, 1, LABEL, 1);
    mpc_transcript_append_u64(&t, "zk.prm.params", (uint64_t)params->id);
    mpc_transcript_append_u64(&t, "zk.prm.m", params->m);
    const mpz_srcptr stmt[] = {rp->n, rp->s, rp->t};
    const char *const labels[] = {"zk.prm.N", "zk.prm.s", "zk.prm.t"};
    for (size_t i = 0; i < 3; i++) {
        REQUIRE_OK(mpc_bn_serialize(buf, nb, stmt[i]));
        mpc_transcript_append(&t, labels[i], buf, nb);
    }
    for (size_t i = 0; i < params->m; i++) {
        REQUIRE_OK(mpc_bn_serialize(buf, nb, proof->a[i]));
        mpc_transcript_append(&t, "zk.prm.A", buf, nb);
    }
    mpc_transcript_challenge(&t, "zk.prm.e", bits, (params->m + 7) / 8);
    for (size_t i = 0; i < params->m; i++)
        e[i] = (uint8_t)(bits[i / 8] >> (i % 8) & 1);
    return true;
}

/* ---- honest proofs ----------------------------------------------------- */

static bool honest_roundtrip(mpc_params_id id, size_t key)
{
    party p;
    REQUIRE(party_init(&p, id, key));
    mpc_zk_prm_proof proof, back;
    mpc_zk_prm_proof_init(&proof);
    mpc_zk_prm_proof_init(&back);
    REQUIRE(prove(&proof, &p));
    REQUIRE_OK(verify(&proof, &p.rp));
    /* The mirror derives the same bits: every equation holds with them. */
    uint8_t e[MPC_ZK_PRM_ROUNDS_MAX];
    REQUIRE(mirror_challenge(e, &proof, &p.rp));
    mpz_t l, r;
    mpz_inits(l, r, NULL);
    unsigned ones = 0;
    for (size_t i = 0; i < p.rp.params->m; i++) {
        mpz_powm(l, p.rp.t, proof.z[i], p.rp.n);
        mpz_powm_ui(r, p.rp.s, e[i], p.rp.n);
        mpz_mul(r, r, proof.a[i]);
        mpz_mod(r, r, p.rp.n);
        REQUIRE(mpz_cmp(l, r) == 0);
        ones += e[i];
    }
    REQUIRE(ones > 0 && ones < p.rp.params->m);
    mpz_clears(l, r, NULL);
    size_t len = mpc_zk_prm_proof_bytes(p.rp.params);
    uint8_t *buf = malloc(len), *again = malloc(len);
    REQUIRE(buf != NULL && again != NULL);
    REQUIRE_OK(mpc_zk_prm_proof_serialize(buf, len, &proof));
    REQUIRE_OK(mpc_zk_prm_proof_parse(&back, &p.rp, buf, len));
    REQUIRE_OK(mpc_zk_prm_proof_serialize(again, len, &back));
    REQUIRE(memcmp(buf, again, len) == 0);
    REQUIRE_OK(verify(&back, &p.rp));
    free(buf);
    free(again);
    mpc_zk_prm_proof_clear(&proof);
    mpc_zk_prm_proof_clear(&back);
    party_clear(&p);
    return true;
}

TEST(zk_prm_honest_compat)
{
    CHECK(mpc_zk_prm_proof_bytes(mpc_params_get(MPC_PARAMS_COMPAT)) ==
          2 * 80 * 256);
    CHECK(honest_roundtrip(MPC_PARAMS_COMPAT, 0));
}

TEST(zk_prm_honest_128)
{
    CHECK(mpc_zk_prm_proof_bytes(mpc_params_get(MPC_PARAMS_128)) ==
          2 * 128 * 384);
    CHECK(honest_roundtrip(MPC_PARAMS_128, 1));
}

/* ---- tampering and binding --------------------------------------------- */

TEST(zk_prm_any_field_altered_fails)
{
    party p;
    CHECK(party_init(&p, MPC_PARAMS_COMPAT, 1));
    mpc_zk_prm_proof proof, bad;
    mpc_zk_prm_proof_init(&proof);
    mpc_zk_prm_proof_init(&bad);
    CHECK(prove(&proof, &p));
    size_t nb = p.rp.params->n_bytes, m = p.rp.params->m;
    size_t len = mpc_zk_prm_proof_bytes(p.rp.params);
    uint8_t *buf = malloc(len), *t = malloc(len);
    CHECK(buf != NULL && t != NULL);
    CHECK_OK(mpc_zk_prm_proof_serialize(buf, len, &proof));
    const size_t rounds[] = {0, m / 2, m - 1};
    for (size_t k = 0; k < 3; k++) {
        const size_t offs[] = {rounds[k] * nb + nb - 1,
                               (m + rounds[k]) * nb + nb - 1};
        for (size_t j = 0; j < 2; j++) { /* A_i, then z_i */
            memcpy(t, buf, len);
            t[offs[j]] ^= 0x04;
            mpc_err err = mpc_zk_prm_proof_parse(&bad, &p.rp, t, len);
            if (err == MPC_OK)
                err = verify(&bad, &p.rp);
            CHECK(err == MPC_ERR_PARSE || err == MPC_ERR_VERIFY);
        }
    }
    free(buf);
    free(t);
    mpc_zk_prm_proof_clear(&proof);
    mpc_zk_prm_proof_clear(&bad);
    party_clear(&p);
}

TEST(zk_prm_transcript_and_statement_bound)
{
    party p, other;
    CHECK(party_init(&p, MPC_PARAMS_COMPAT, 2));
    CHECK(party_init(&other, MPC_PARAMS_COMPAT, 3));
    mpc_zk_prm_proof proof;
    mpc_zk_prm_proof_init(&proof);
    CHECK(prove(&proof, &p));
    CHECK_ERR(verify_as(&proof, &p.rp, 2, LABEL, 1), MPC_ERR_VERIFY);
    CHECK_ERR(verify_as(&proof, &p.rp, 1, LABEL, 7), MPC_ERR_VERIFY);
    CHECK_ERR(verify_as(&proof, &p.rp, 1, "aux.mod", 1), MPC_ERR_VERIFY);
    CHECK_ERR(verify(&proof, &other.rp), MPC_ERR_VERIFY);
    mpc_rped swapped;
    mpc_rped_init(&swapped);
    rped_copy(&swapped, &p.rp);
    mpz_swap(swapped.s, swapped.t);
    mpz_swap(swapped.s_inv, swapped.t_inv);
    CHECK_ERR(verify(&proof, &swapped), MPC_ERR_VERIFY);
    CHECK_OK(verify(&proof, &p.rp));
    mpc_rped_clear(&swapped);
    mpc_zk_prm_proof_clear(&proof);
    party_clear(&p);
    party_clear(&other);
}

/* ---- every verifier check ---------------------------------------------- */

/* Check 1: N odd and of at least n_min_bits bits. */
TEST(zk_prm_rejects_bad_modulus)
{
    party p;
    CHECK(party_init(&p, MPC_PARAMS_COMPAT, 0));
    mpc_zk_prm_proof proof;
    mpc_zk_prm_proof_init(&proof);
    CHECK(prove(&proof, &p));
    mpc_rped bad;
    mpc_rped_init(&bad);
    rped_copy(&bad, &p.rp);
    mpz_add_ui(bad.n, p.rp.n, 1);
    CHECK_ERR(verify(&proof, &bad), MPC_ERR_VERIFY);
    mpz_fdiv_q_2exp(bad.n, p.rp.n, 2);
    mpz_setbit(bad.n, 0);
    CHECK_ERR(verify(&proof, &bad), MPC_ERR_VERIFY);
    mpc_rped_clear(&bad);
    mpc_zk_prm_proof_clear(&proof);
    party_clear(&p);
}

/* Check 2: s, t units other than 1 (the TSSHOCK base checks). */
TEST(zk_prm_rejects_bad_bases)
{
    party p;
    CHECK(party_init(&p, MPC_PARAMS_COMPAT, 0));
    mpc_zk_prm_proof proof;
    mpc_zk_prm_proof_init(&proof);
    CHECK(prove(&proof, &p));
    mpc_rped bad;
    mpc_rped_init(&bad);
    for (int which = 0; which < 2; which++) {
        mpz_srcptr bases[] = {NULL, NULL, NULL, NULL, NULL};
        mpz_t one, zero, big;
        mpz_init_set_ui(one, 1);
        mpz_init_set_ui(zero, 0);
        mpz_init_set(big, p.rp.n);
        bases[0] = one;
        bases[1] = zero;
        bases[2] = big;    /* not below N */
        bases[3] = p.sk.p; /* shares a factor with N */
        bases[4] = p.sk.q;
        for (size_t k = 0; k < 5; k++) {
            rped_copy(&bad, &p.rp);
            mpz_set(which == 0 ? bad.s : bad.t, bases[k]);
            CHECK_ERR(verify(&proof, &bad), MPC_ERR_VERIFY);
        }
        mpz_clears(one, zero, big, NULL);
    }
    mpc_rped_clear(&bad);
    mpc_zk_prm_proof_clear(&proof);
    party_clear(&p);
}

/* Checks 3-4 on an honest proof, one value at a time. */
TEST(zk_prm_rejects_bad_rounds)
{
    party p;
    CHECK(party_init(&p, MPC_PARAMS_COMPAT, 4));
    mpc_zk_prm_proof proof;
    mpc_zk_prm_proof_init(&proof);
    CHECK(prove(&proof, &p));
    mpz_t keep;
    mpz_init(keep);
    const size_t i = p.rp.params->m - 1;
    mpz_swap(keep, proof.a[i]);
    mpz_set(proof.a[i], p.sk.p); /* 3: not a unit */
    CHECK_ERR(verify(&proof, &p.rp), MPC_ERR_VERIFY);
    mpz_set_ui(proof.a[i], 0);
    CHECK_ERR(verify(&proof, &p.rp), MPC_ERR_VERIFY);
    mpz_mul_ui(proof.a[i], keep, 2); /* 4: a unit, the wrong one */
    mpz_mod(proof.a[i], proof.a[i], p.rp.n);
    CHECK_ERR(verify(&proof, &p.rp), MPC_ERR_VERIFY);
    mpz_swap(keep, proof.a[i]);
    mpz_swap(keep, proof.z[i]);
    mpz_add(proof.z[i], keep, p.sk.phi); /* ≡ z mod φ, but not below N */
    if (mpz_cmp(proof.z[i], p.rp.n) < 0)
        mpz_add(proof.z[i], proof.z[i], p.rp.n);
    CHECK_ERR(verify(&proof, &p.rp), MPC_ERR_VERIFY);
    mpz_set_si(proof.z[i], -1);
    CHECK_ERR(verify(&proof, &p.rp), MPC_ERR_VERIFY);
    mpz_add_ui(proof.z[i], keep, 1); /* 4 */
    CHECK_ERR(verify(&proof, &p.rp), MPC_ERR_VERIFY);
    mpz_swap(keep, proof.z[i]);
    CHECK_OK(verify(&proof, &p.rp));
    mpz_clear(keep);
    mpc_zk_prm_proof_clear(&proof);
    party_clear(&p);
}

/*
 * TSSHOCK c-guess: parameters with s outside <t> (s' = -s: <t> holds only
 * squares, -1 is not one mod a Blum N). A prover without a discrete log
 * can only guess each e_i (A_i = t^a_i s'^-g_i, z_i = a_i passes round i
 * iff e_i = g_i), and since every e_i is drawn from one hash of all the
 * A_i, it cannot fix them one at a time: changing the last A_i reshuffles
 * the earlier bits.
 */
TEST(zk_prm_c_guess_forgery_fails)
{
    party p;
    CHECK(party_init(&p, MPC_PARAMS_COMPAT, 5));
    const mpc_params *params = p.rp.params;
    mpc_rped bad;
    mpc_rped_init(&bad);
    rped_copy(&bad, &p.rp);
    mpz_sub(bad.s, bad.n, bad.s);
    mpz_sub(bad.s_inv, bad.n, bad.s_inv);
    CHECK(mpz_jacobi(bad.s, bad.n) == 1); /* the Jacobi symbol cannot tell */
    mpc_zk_prm_proof forged;
    mpc_zk_prm_proof_init(&forged);
    uint8_t guess[MPC_ZK_PRM_ROUNDS_MAX], e[MPC_ZK_PRM_ROUNDS_MAX],
        e2[MPC_ZK_PRM_ROUNDS_MAX];
    uint8_t rnd[MPC_ZK_PRM_ROUNDS_MAX];
    mpc_drbg_fill(test_drbg(), rnd, sizeof rnd);
    for (size_t i = 0; i < params->m; i++) {
        guess[i] = rnd[i] & 1;
        zk_rand_below(forged.z[i], p.sk.phi);
        mpz_powm(forged.a[i], bad.t, forged.z[i], bad.n);
        if (guess[i]) {
            mpz_mul(forged.a[i], forged.a[i], bad.s_inv);
            mpz_mod(forged.a[i], forged.a[i], bad.n);
        }
    }
    forged.params = params;
    CHECK(mirror_challenge(e, &forged, &bad));
    unsigned right = 0;
    for (size_t i = 0; i < params->m; i++)
        right += e[i] == guess[i];
    CHECK(right < params->m);
    CHECK_ERR(verify(&forged, &bad), MPC_ERR_VERIFY);
    /* One hash: re-drawing only the last commitment moves earlier bits. */
    mpz_mul(forged.a[params->m - 1], forged.a[params->m - 1], bad.t);
    mpz_mod(forged.a[params->m - 1], forged.a[params->m - 1], bad.n);
    CHECK(mirror_challenge(e2, &forged, &bad));
    CHECK(memcmp(e, e2, params->m - 1) != 0);
    mpc_zk_prm_proof_clear(&forged);
    mpc_rped_clear(&bad);
    party_clear(&p);
}

/* ---- encoding ---------------------------------------------------------- */

TEST(zk_prm_parse_rejects_malformed)
{
    party p;
    CHECK(party_init(&p, MPC_PARAMS_COMPAT, 0));
    mpc_zk_prm_proof proof, q;
    mpc_zk_prm_proof_init(&proof);
    mpc_zk_prm_proof_init(&q);
    CHECK(prove(&proof, &p));
    size_t nb = p.rp.params->n_bytes, len = mpc_zk_prm_proof_bytes(p.rp.params);
    uint8_t *buf = malloc(len + 1), *bad = malloc(len);
    CHECK(buf != NULL && bad != NULL);
    CHECK_OK(mpc_zk_prm_proof_serialize(buf, len, &proof));
    buf[len] = 0;
    CHECK_ERR(mpc_zk_prm_proof_parse(&q, &p.rp, buf, len - 1), MPC_ERR_PARSE);
    CHECK(proof_empty(&q));
    CHECK_ERR(mpc_zk_prm_proof_parse(&q, &p.rp, buf, len + 1), MPC_ERR_PARSE);
    CHECK(proof_empty(&q));
    const size_t offs[] = {0, len / 2 - nb, len / 2, len - nb};
    for (size_t k = 0; k < 4; k++) { /* A_1, A_m, z_1, z_m = N */
        memcpy(bad, buf, len);
        CHECK_OK(mpc_bn_serialize(bad + offs[k], nb, p.rp.n));
        CHECK_ERR(mpc_zk_prm_proof_parse(&q, &p.rp, bad, len), MPC_ERR_PARSE);
        CHECK(proof_empty(&q));
    }
    CHECK_OK(mpc_zk_prm_proof_parse(&q, &p.rp, buf, len));
    free(buf);
    free(bad);
    mpc_zk_prm_proof_clear(&proof);
    mpc_zk_prm_proof_clear(&q);
    party_clear(&p);
}

/* ---- misuse and failures ----------------------------------------------- */

TEST(zk_prm_misuse)
{
    party p, other;
    CHECK(party_init(&p, MPC_PARAMS_COMPAT, 0));
    CHECK(party_init(&other, MPC_PARAMS_COMPAT, 1));
    const mpc_ctx *ctx = test_ctx();
    mpc_zk_prm_proof proof;
    mpc_zk_prm_proof_init(&proof);
    mpc_rped empty;
    mpc_rped_init(&empty);
    mpc_transcript t;
    zk_transcript(&t, 1, LABEL, 1);
    mpz_t lam;
    mpz_init(lam);
    CHECK_ERR(mpc_zk_prm_prove(NULL, &proof, &t, &p.rp, &p.sk, p.lambda),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_prm_prove(ctx, NULL, &t, &p.rp, &p.sk, p.lambda),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_prm_prove(ctx, &proof, NULL, &p.rp, &p.sk, p.lambda),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_prm_prove(ctx, &proof, &t, NULL, &p.sk, p.lambda),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_prm_prove(ctx, &proof, &t, &p.rp, NULL, p.lambda),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_prm_prove(ctx, &proof, &t, &p.rp, &p.sk, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_prm_prove(ctx, &proof, &t, &empty, &p.sk, p.lambda),
              MPC_ERR_INVALID_ARG);
    /* rp over another N, a wrong and a negative lambda */
    CHECK_ERR(mpc_zk_prm_prove(ctx, &proof, &t, &other.rp, &p.sk, p.lambda),
              MPC_ERR_INVALID_ARG);
    mpz_add_ui(lam, p.lambda, 1);
    CHECK_ERR(mpc_zk_prm_prove(ctx, &proof, &t, &p.rp, &p.sk, lam),
              MPC_ERR_INVALID_ARG);
    mpz_neg(lam, p.lambda);
    CHECK_ERR(mpc_zk_prm_prove(ctx, &proof, &t, &p.rp, &p.sk, lam),
              MPC_ERR_INVALID_ARG);
    CHECK(proof_empty(&proof));
    /* lambda + φ(N) is another witness of the same s: accepted */
    mpz_add(lam, p.lambda, p.sk.phi);
    CHECK_OK(mpc_zk_prm_prove(ctx, &proof, &t, &p.rp, &p.sk, lam));
    CHECK_OK(verify(&proof, &p.rp));

    CHECK_ERR(mpc_zk_prm_verify(NULL, &t, &proof, &p.rp), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_prm_verify(ctx, NULL, &proof, &p.rp), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_prm_verify(ctx, &t, NULL, &p.rp), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_prm_verify(ctx, &t, &proof, NULL), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_prm_verify(ctx, &t, &proof, &empty), MPC_ERR_INVALID_ARG);
    mpc_rped other_set;
    mpc_rped_init(&other_set);
    rped_copy(&other_set, &p.rp);
    other_set.params = mpc_params_get(MPC_PARAMS_128);
    CHECK_ERR(verify(&proof, &other_set), MPC_ERR_INVALID_ARG);
    rped_copy(&other_set, &p.rp); /* s longer than n_bytes */
    mpz_mul_2exp(other_set.s, other_set.s, 8 * p.rp.params->n_bytes);
    CHECK_ERR(verify(&proof, &other_set), MPC_ERR_INVALID_ARG);
    mpc_rped_clear(&other_set);

    size_t len = mpc_zk_prm_proof_bytes(p.rp.params);
    CHECK(mpc_zk_prm_proof_bytes(NULL) == 0);
    uint8_t *buf = malloc(len);
    CHECK(buf != NULL);
    memset(buf, 0xAA, len);
    CHECK_ERR(mpc_zk_prm_proof_serialize(buf, len - 1, &proof),
              MPC_ERR_INVALID_ARG);
    CHECK(zk_all_zero(buf, len - 1));
    mpz_set_si(proof.z[0], -5);
    memset(buf, 0xAA, len);
    CHECK_ERR(mpc_zk_prm_proof_serialize(buf, len, &proof),
              MPC_ERR_INVALID_ARG);
    CHECK(zk_all_zero(buf, len));
    CHECK_ERR(mpc_zk_prm_proof_serialize(NULL, len, &proof),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_prm_proof_serialize(buf, len, NULL), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_prm_proof_parse(NULL, &p.rp, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_prm_proof_parse(&proof, &empty, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK(proof_empty(&proof));
    CHECK_ERR(mpc_zk_prm_proof_parse(&proof, &p.rp, NULL, len),
              MPC_ERR_INVALID_ARG);
    mpc_zk_prm_proof_clear(NULL);
    mpc_zk_prm_proof_init(NULL);
    free(buf);
    mpz_clear(lam);
    mpc_rped_clear(&empty);
    mpc_zk_prm_proof_clear(&proof);
    party_clear(&p);
    party_clear(&other);
}

TEST(zk_prm_nomem_and_broken_rng)
{
    party p;
    CHECK(party_init(&p, MPC_PARAMS_COMPAT, 0));
    mpc_zk_prm_proof proof;
    mpc_zk_prm_proof_init(&proof);
    mpc_transcript t;
    mpc_ctx *flaky = zk_flaky_ctx();
    CHECK(flaky != NULL);
    *zk_fail_alloc() = true;
    zk_transcript(&t, 1, LABEL, 1);
    CHECK_ERR(mpc_zk_prm_prove(flaky, &proof, &t, &p.rp, &p.sk, p.lambda),
              MPC_ERR_NOMEM);
    CHECK(proof_empty(&proof));
    *zk_fail_alloc() = false;
    CHECK(prove(&proof, &p));
    *zk_fail_alloc() = true;
    zk_transcript(&t, 1, LABEL, 1);
    CHECK_ERR(mpc_zk_prm_verify(flaky, &t, &proof, &p.rp), MPC_ERR_NOMEM);
    *zk_fail_alloc() = false;
    mpc_ctx_free(flaky);
    mpc_ctx *stuck = zk_stuck_ctx();
    CHECK(stuck != NULL);
    zk_transcript(&t, 1, LABEL, 1);
    CHECK_ERR(mpc_zk_prm_prove(stuck, &proof, &t, &p.rp, &p.sk, p.lambda),
              MPC_ERR_INTERNAL);
    CHECK(proof_empty(&proof));
    mpc_ctx_free(stuck);
    mpc_zk_prm_proof_clear(&proof);
    party_clear(&p);
}
