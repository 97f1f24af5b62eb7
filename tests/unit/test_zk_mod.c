/* lib/zk/zk_mod.c: Πmod, the Paillier-Blum modulus proof. Honest proofs at
 * both parameter sets, every verifier check fed a proof that breaks it
 * (with full forgeries where one exists: a prime N, and the
 * CVE-2025-66016 small-factor modulus), tampering, transcript binding,
 * strict parsing, misuse, NOMEM and a broken rng. */
#include <gmp.h>
#include <string.h>

#include "lib/zk/zk_internal.h"
#include "mpc/bn.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/zk_fac.h"
#include "mpc/zk_mod.h"
#include "tests/harness/test.h"
#include "tests/unit/zk_aux_fixture.h"

#define LABEL "aux.mod"

/* ---- helpers ----------------------------------------------------------- */

static bool prove(mpc_zk_mod_proof *proof, const mpc_paillier_sk *sk)
{
    mpc_transcript t;
    zk_transcript(&t, 1, LABEL, 1);
    REQUIRE_OK(mpc_zk_mod_prove(test_ctx(), proof, &t, sk));
    return true;
}

static mpc_err verify_as(const mpc_zk_mod_proof *proof,
                         const mpc_paillier_pk *pk, uint8_t sid,
                         const char *label, unsigned prover)
{
    mpc_transcript t;
    zk_transcript(&t, sid, label, prover);
    return mpc_zk_mod_verify(&t, proof, pk);
}

static mpc_err verify(const mpc_zk_mod_proof *proof, const mpc_paillier_pk *pk)
{
    return verify_as(proof, pk, 1, LABEL, 1);
}

static bool proof_empty(const mpc_zk_mod_proof *p)
{
    if (p->params != NULL || mpz_sgn(p->w) != 0)
        return false;
    for (size_t i = 0; i < MPC_ZK_MOD_ROUNDS_MAX; i++)
        if (mpz_sgn(p->x[i]) != 0 || mpz_sgn(p->z[i]) != 0 || p->a[i] != 0 ||
            p->b[i] != 0)
            return false;
    return true;
}

/* A public key over an arbitrary N (tests build statements no parser
 * would accept). */
static void pk_set(mpc_paillier_pk *pk, const mpc_params *params, const mpz_t n)
{
    pk->params = params;
    mpz_set(pk->n, n);
    mpz_mul(pk->n2, n, n);
}

/* The statement and w as lib/zk/zk_mod.c absorbs them (header order). */
static bool mirror_absorb(mpc_transcript *t, const mpc_params *params,
                          const mpz_t n, const mpz_t w)
{
    uint8_t buf[MPC_PARAMS_MAX_N_BYTES];
    size_t nb = params->n_bytes;
    mpc_transcript_append_u64(t, "zk.mod.params", (uint64_t)params->id);
    mpc_transcript_append_u64(t, "zk.mod.m", params->m);
    REQUIRE_OK(mpc_bn_serialize(buf, nb, n));
    mpc_transcript_append(t, "zk.mod.N", buf, nb);
    REQUIRE_OK(mpc_bn_serialize(buf, nb, w));
    mpc_transcript_append(t, "zk.mod.w", buf, nb);
    return true;
}

/* Checks 7 and 8 alone (the two equations of every round), re-deriving
 * the challenges: what a forgery must satisfy. */
static bool equations_hold(const mpc_zk_mod_proof *proof,
                           const mpc_paillier_pk *pk)
{
    mpc_transcript t;
    zk_transcript(&t, 1, LABEL, 1);
    REQUIRE(mirror_absorb(&t, pk->params, pk->n, proof->w));
    mpz_t y, l, r;
    mpz_inits(y, l, r, NULL);
    bool ok = true;
    for (size_t i = 0; ok && i < pk->params->m; i++) {
        REQUIRE_OK(mpc_zk_challenge_below(&t, "zk.mod.y", y, pk->n));
        mpz_powm(l, proof->z[i], pk->n, pk->n);
        ok = mpz_cmp(l, y) == 0;
        mpz_powm_ui(l, proof->x[i], 4, pk->n);
        mpz_set(r, y);
        if (proof->a[i])
            mpz_sub(r, pk->n, r);
        if (proof->b[i])
            mpz_mul(r, r, proof->w);
        mpz_mod(r, r, pk->n);
        ok = ok && mpz_cmp(l, r) == 0;
    }
    mpz_clears(y, l, r, NULL);
    return ok;
}

/* x = the 4th root of a square y mod a prime r ≡ 3 (mod 4) that is itself
 * a square: y^(((r + 1) / 4)^2 mod (r - 1)) (test data: variable time). */
static void root4(mpz_t x, const mpz_t y, const mpz_t r)
{
    mpz_t e, rm1;
    mpz_inits(e, rm1, NULL);
    mpz_add_ui(e, r, 1);
    mpz_fdiv_q_2exp(e, e, 2);
    mpz_sub_ui(rm1, r, 1);
    mpz_powm_ui(e, e, 2, rm1);
    mpz_powm(x, y, e, r);
    mpz_clears(e, rm1, NULL);
}

/* ---- honest proofs ----------------------------------------------------- */

static bool honest_roundtrip(mpc_params_id id, size_t key)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    REQUIRE(zk_fixture_key(&sk, id, key));
    mpc_zk_mod_proof proof, back;
    mpc_zk_mod_proof_init(&proof);
    mpc_zk_mod_proof_init(&back);
    REQUIRE(prove(&proof, &sk));
    REQUIRE(proof.params == sk.pk.params);
    REQUIRE(mpc_bn_jacobi_var(proof.w, sk.pk.n) == -1);
    size_t len = mpc_zk_mod_proof_bytes(sk.pk.params);
    uint8_t *buf = malloc(len), *again = malloc(len);
    REQUIRE(buf != NULL && again != NULL);
    REQUIRE_OK(mpc_zk_mod_proof_serialize(buf, len, &proof));
    REQUIRE_OK(mpc_zk_mod_proof_parse(&back, &sk.pk, buf, len));
    REQUIRE_OK(mpc_zk_mod_proof_serialize(again, len, &back));
    REQUIRE(memcmp(buf, again, len) == 0);
    REQUIRE_OK(verify(&back, &sk.pk)); /* the proof as a peer receives it */
    /* Each x_i is the canonical 4th root, a square mod p and mod q, so a
     * function of the public challenge alone (verify cannot see this): two
     * different roots of one value would share a factor with N. */
    for (size_t i = 0; i < sk.pk.params->m; i++)
        REQUIRE(mpz_jacobi(proof.x[i], sk.p) == 1 &&
                mpz_jacobi(proof.x[i], sk.q) == 1);
    free(buf);
    free(again);
    mpc_zk_mod_proof_clear(&proof);
    mpc_zk_mod_proof_clear(&back);
    mpc_paillier_sk_clear(&sk);
    return true;
}

TEST(zk_mod_honest_compat)
{
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    CHECK(mpc_zk_mod_proof_bytes(params) == 256 + 80 * (2 * 256 + 1));
    CHECK(honest_roundtrip(MPC_PARAMS_COMPAT, 0));
}

TEST(zk_mod_honest_128)
{
    const mpc_params *params = mpc_params_get(MPC_PARAMS_128);
    CHECK(mpc_zk_mod_proof_bytes(params) == 384 + 128 * (2 * 384 + 1));
    CHECK(honest_roundtrip(MPC_PARAMS_128, 0));
}

/* ---- tampering and binding --------------------------------------------- */

/* Flips one byte of the encoding; a tampered proof must not parse, or not
 * verify. */
static bool tamper_rejected(const uint8_t *buf, size_t len, size_t off,
                            uint8_t mask, const mpc_paillier_pk *pk)
{
    uint8_t *t = malloc(len);
    REQUIRE(t != NULL);
    memcpy(t, buf, len);
    t[off] ^= mask;
    mpc_zk_mod_proof p;
    mpc_zk_mod_proof_init(&p);
    mpc_err err = mpc_zk_mod_proof_parse(&p, pk, t, len);
    if (err == MPC_OK)
        err = verify(&p, pk);
    mpc_zk_mod_proof_clear(&p);
    free(t);
    REQUIRE(err == MPC_ERR_PARSE || err == MPC_ERR_VERIFY);
    return true;
}

TEST(zk_mod_any_field_altered_fails)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(zk_fixture_key(&sk, MPC_PARAMS_COMPAT, 1));
    mpc_zk_mod_proof proof;
    mpc_zk_mod_proof_init(&proof);
    CHECK(prove(&proof, &sk));
    size_t nb = sk.pk.params->n_bytes, m = sk.pk.params->m;
    size_t len = mpc_zk_mod_proof_bytes(sk.pk.params);
    uint8_t *buf = malloc(len);
    CHECK(buf != NULL);
    CHECK_OK(mpc_zk_mod_proof_serialize(buf, len, &proof));
    CHECK(tamper_rejected(buf, len, nb / 2, 0x01, &sk.pk)); /* w */
    const size_t rounds[] = {0, m - 1};
    for (size_t k = 0; k < 2; k++) {
        size_t base = nb + rounds[k] * (2 * nb + 1);
        CHECK(tamper_rejected(buf, len, base + nb - 1, 0x02, &sk.pk)); /* x */
        CHECK(tamper_rejected(buf, len, base + 2 * nb - 1, 0x02, &sk.pk));
        CHECK(tamper_rejected(buf, len, base + 2 * nb, 0x01, &sk.pk)); /* a */
        CHECK(tamper_rejected(buf, len, base + 2 * nb, 0x02, &sk.pk)); /* b */
    }
    free(buf);
    mpc_zk_mod_proof_clear(&proof);
    mpc_paillier_sk_clear(&sk);
}

TEST(zk_mod_transcript_and_statement_bound)
{
    mpc_paillier_sk sk, other;
    mpc_paillier_sk_init(&sk);
    mpc_paillier_sk_init(&other);
    CHECK(zk_fixture_key(&sk, MPC_PARAMS_COMPAT, 2));
    CHECK(zk_fixture_key(&other, MPC_PARAMS_COMPAT, 3));
    mpc_zk_mod_proof proof;
    mpc_zk_mod_proof_init(&proof);
    CHECK(prove(&proof, &sk));
    CHECK_ERR(verify_as(&proof, &sk.pk, 2, LABEL, 1), MPC_ERR_VERIFY);
    CHECK_ERR(verify_as(&proof, &sk.pk, 1, LABEL, 2), MPC_ERR_VERIFY);
    CHECK_ERR(verify_as(&proof, &sk.pk, 1, "aux.fac", 1), MPC_ERR_VERIFY);
    CHECK_ERR(verify(&proof, &other.pk), MPC_ERR_VERIFY);
    CHECK_OK(verify(&proof, &sk.pk));
    mpc_zk_mod_proof_clear(&proof);
    mpc_paillier_sk_clear(&sk);
    mpc_paillier_sk_clear(&other);
}

/* ---- every verifier check ---------------------------------------------- */

/* Check 1: N odd, of at least n_min_bits bits. */
TEST(zk_mod_rejects_even_or_short_modulus)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(zk_fixture_key(&sk, MPC_PARAMS_COMPAT, 0));
    mpc_zk_mod_proof proof;
    mpc_zk_mod_proof_init(&proof);
    CHECK(prove(&proof, &sk));
    mpc_paillier_pk bad;
    mpc_paillier_pk_init(&bad);
    mpz_t n;
    mpz_init(n);
    mpz_add_ui(n, sk.pk.n, 1);
    pk_set(&bad, sk.pk.params, n);
    CHECK_ERR(verify(&proof, &bad), MPC_ERR_VERIFY);
    mpz_fdiv_q_2exp(n, sk.pk.n, 2);
    mpz_setbit(n, 0); /* odd, 2046 bits */
    pk_set(&bad, sk.pk.params, n);
    CHECK_ERR(verify(&proof, &bad), MPC_ERR_VERIFY);
    mpz_clear(n);
    mpc_paillier_pk_clear(&bad);
    mpc_zk_mod_proof_clear(&proof);
    mpc_paillier_sk_clear(&sk);
}

/* A 2048-bit prime ≡ 3 (mod 4): test data from `openssl prime -generate
 * -bits 2048` (checked below). */
static const char PRIME_2048[] =
    "c2dfae70b4ba0ceb75da92dcec4138bf34ea51131632b8c0d94c90e691e2504d"
    "c420d2399896d0837b5de319995bb13f986a349c0bea35866692b57827f76bc2"
    "fe9bcd0351ddea8207b1093d5c54dee713e38e4d06aeddbebade5d407b7442e9"
    "9b567a87b6dd1cd1bd9c5404e336c8979ab6aa7de3bb5e3677dd4995baa81cae"
    "7b1f1b781f2912dc209ee2c5c25edb30b9acc1652e6f12c5d71c80336265e537"
    "ca3453bbe0e014f0b9669b1214d03e57b2afbb91d340c39766bbcdbcf79c760c"
    "8a1347e53b2afcb8084367f925259ac415f82bad42fa3202ca185284618da928"
    "1814ba4c441b1098229c41b27726d625b1347f315c90797b1eea79761f57942f";

/* Check 2: a prime N ≡ 3 (mod 4) admits a proof satisfying every other
 * check (z = y, since y^N ≡ y; x a 4th root of ±y), so only the primality
 * check stands between it and acceptance. */
TEST(zk_mod_rejects_prime_modulus)
{
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    mpz_t n, y, u;
    mpz_inits(n, y, u, NULL);
    CHECK(mpz_set_str(n, PRIME_2048, 16) == 0);
    CHECK(mpz_sizeinbase(n, 2) == 2048 && mpz_fdiv_ui(n, 4) == 3 &&
          mpz_probab_prime_p(n, 30) != 0);
    mpc_paillier_pk pk;
    mpc_paillier_pk_init(&pk);
    pk_set(&pk, params, n);
    mpc_zk_mod_proof forged;
    mpc_zk_mod_proof_init(&forged);
    do
        zk_rand_below(forged.w, n);
    while (mpz_jacobi(forged.w, n) != -1);
    mpc_transcript t;
    zk_transcript(&t, 1, LABEL, 1);
    CHECK(mirror_absorb(&t, params, n, forged.w));
    for (size_t i = 0; i < params->m; i++) {
        CHECK_OK(mpc_zk_challenge_below(&t, "zk.mod.y", y, n));
        forged.a[i] = mpz_jacobi(y, n) == -1;
        forged.b[i] = 0;
        mpz_set(u, y);
        if (forged.a[i])
            mpz_sub(u, n, u);
        root4(forged.x[i], u, n);
        mpz_set(forged.z[i], y);
    }
    forged.params = params;
    CHECK(equations_hold(&forged, &pk));
    CHECK_ERR(verify(&forged, &pk), MPC_ERR_VERIFY);
    mpc_zk_mod_proof_clear(&forged);
    mpc_paillier_pk_clear(&pk);
    mpz_clears(n, y, u, NULL);
}

/*
 * N = M q with M the product of 64 primes just below 2^16 (16-bit factors,
 * the BitForge shape) and q a 1024-bit fixture safe prime. gcd(N, φ(N)) = 1
 * (no p_i divides another p_j - 1, nor q - 1 = 2 q'), so N-th roots exist.
 */
static bool small_factor_modulus(mpz_t n, mpz_t m, mpz_t q, mpz_t lambda)
{
    mpz_t p, pm1;
    mpz_inits(p, pm1, NULL);
    REQUIRE(zk_fixture_prime(q, 1024, 6));
    mpz_set_ui(m, 1);
    mpz_sub_ui(lambda, q, 1);
    mpz_set_ui(p, 65536 - 1300);
    for (int i = 0; i < 64; i++) {
        mpz_nextprime(p, p);
        REQUIRE(mpz_cmp_ui(p, 65536) < 0);
        mpz_mul(m, m, p);
        mpz_sub_ui(pm1, p, 1);
        mpz_lcm(lambda, lambda, pm1);
    }
    mpz_mul(n, m, q);
    mpz_clears(p, pm1, NULL);
    REQUIRE(mpz_sizeinbase(m, 2) <= 1024);
    REQUIRE(mpz_sizeinbase(n, 2) >= 2047);
    return true;
}

/* The forgery of the missing w check: w ≡ 0 (mod M) and b_i = 1 make
 * x_i^4 ≡ ±w y_i ≡ 0 (mod M) solvable by x_i ≡ 0 (mod M) for every y_i,
 * whatever the structure of M; mod q the prover answers honestly. */
static bool forge_small_factor(mpc_zk_mod_proof *forged,
                               const mpc_paillier_pk *pk, const mpz_t m,
                               const mpz_t q, const mpz_t lambda)
{
    const mpc_params *params = pk->params;
    const mpz_srcptr n = pk->n;
    mpz_t d, y, u, xq, minv, k;
    mpz_inits(d, y, u, xq, minv, k, NULL);
    REQUIRE(mpz_invert(d, n, lambda) != 0); /* z = y^(N^-1 mod λ(N)) */
    REQUIRE(mpz_invert(minv, m, q) != 0);
    bool units;
    do { /* retry w until every y_i is a unit (each is with prob. ~0.999) */
        zk_rand_below(k, q);
        mpz_mul(forged->w, m, k);
        mpz_mod(forged->w, forged->w, n);
        mpc_transcript t;
        zk_transcript(&t, 1, LABEL, 1);
        REQUIRE(mirror_absorb(&t, params, n, forged->w));
        units = mpz_sgn(k) != 0;
        for (size_t i = 0; units && i < params->m; i++) {
            REQUIRE_OK(mpc_zk_challenge_below(&t, "zk.mod.y", y, n));
            units = mpc_bn_is_unit_var(y, n);
            mpz_mul(u, forged->w, y); /* b_i = 1 */
            mpz_mod(u, u, n);
            forged->b[i] = 1;
            forged->a[i] = mpz_jacobi(u, q) == -1;
            if (forged->a[i])
                mpz_sub(u, n, u);
            mpz_mod(u, u, q);
            root4(xq, u, q);
            mpz_mul(xq, xq, minv); /* x ≡ 0 (mod M), x ≡ xq (mod q) */
            mpz_mod(xq, xq, q);
            mpz_mul(forged->x[i], xq, m);
            mpz_powm(forged->z[i], y, d, n);
        }
    } while (!units);
    forged->params = params;
    mpz_clears(d, y, u, xq, minv, k, NULL);
    return true;
}

/*
 * CVE-2025-66016 (GHSA-m95p-425x-x889; docs/security-cggmp.md): without
 * checks 3/4 (w a unit of Jacobi symbol -1) and 6 (x_i a unit), the
 * forgery above passes every remaining check for a modulus with 64 16-bit
 * factors; Πfac accepts the same N (its factors M and q are both large),
 * and a peer's share then leaks through MtA ciphertexts under N.
 */
TEST(zk_mod_cve_2025_66016_small_factor_modulus)
{
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    mpz_t n, m, q, lambda, g;
    mpz_inits(n, m, q, lambda, g, NULL);
    CHECK(small_factor_modulus(n, m, q, lambda));
    mpc_paillier_pk pk;
    mpc_paillier_pk_init(&pk);
    pk_set(&pk, params, n);
    mpc_zk_mod_proof forged;
    mpc_zk_mod_proof_init(&forged);
    CHECK(forge_small_factor(&forged, &pk, m, q, lambda));
    CHECK(equations_hold(&forged, &pk)); /* checks 7 and 8: all pass */
    mpz_gcd(g, forged.w, n);
    CHECK(mpz_cmp(g, m) == 0 && mpz_jacobi(forged.w, n) == 0);
    CHECK_ERR(verify(&forged, &pk), MPC_ERR_VERIFY);
    /* Fix w up to a unit of Jacobi -1: the x_i ≡ 0 (mod M) still fail
     * check 6 (and the equations no longer hold). */
    do
        zk_rand_below(forged.w, n);
    while (mpz_jacobi(forged.w, n) != -1);
    CHECK_ERR(verify(&forged, &pk), MPC_ERR_VERIFY);

    /* Πfac cannot tell: N = M q with both factors of ~1024 bits. */
    mpc_paillier_sk fake, ver;
    mpc_paillier_sk_init(&fake);
    mpc_paillier_sk_init(&ver);
    fake.pk.params = params;
    mpz_set(fake.pk.n, n);
    mpz_mul(fake.pk.n2, n, n);
    mpz_set(fake.p, m);
    mpz_set(fake.q, q);
    CHECK(zk_fixture_key(&ver, MPC_PARAMS_COMPAT, 4));
    mpc_rped rp;
    mpc_rped_init(&rp);
    CHECK_OK(mpc_rped_generate(test_ctx(), &rp, g, &ver));
    mpc_zk_fac_proof fac;
    mpc_zk_fac_proof_init(&fac);
    mpc_transcript t;
    zk_transcript(&t, 1, "aux.fac", 1);
    CHECK_OK(mpc_zk_fac_prove(test_ctx(), &fac, &t, &fake, &rp));
    zk_transcript(&t, 1, "aux.fac", 1);
    CHECK_OK(mpc_zk_fac_verify(&t, &fac, &pk, &rp, NULL));

    mpc_zk_fac_proof_clear(&fac);
    mpc_rped_clear(&rp);
    mpc_paillier_sk_clear(&fake);
    mpc_paillier_sk_clear(&ver);
    mpc_zk_mod_proof_clear(&forged);
    mpc_paillier_pk_clear(&pk);
    mpz_clears(n, m, q, lambda, g, NULL);
}

/* Check 3 alone: a non-unit w (a multiple of p) in an honest proof. */
TEST(zk_mod_rejects_nonunit_w)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(zk_fixture_key(&sk, MPC_PARAMS_COMPAT, 0));
    mpc_zk_mod_proof proof;
    mpc_zk_mod_proof_init(&proof);
    CHECK(prove(&proof, &sk));
    mpz_set(proof.w, sk.p);
    CHECK_ERR(verify(&proof, &sk.pk), MPC_ERR_VERIFY);
    mpz_set_ui(proof.w, 0);
    CHECK_ERR(verify(&proof, &sk.pk), MPC_ERR_VERIFY);
    mpz_set(proof.w, sk.pk.n); /* out of range */
    CHECK_ERR(verify(&proof, &sk.pk), MPC_ERR_VERIFY);
    mpc_zk_mod_proof_clear(&proof);
    mpc_paillier_sk_clear(&sk);
}

/* Check 4: a unit w of Jacobi symbol +1 (w^2). */
TEST(zk_mod_rejects_jacobi_plus_one)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(zk_fixture_key(&sk, MPC_PARAMS_COMPAT, 0));
    mpc_zk_mod_proof proof;
    mpc_zk_mod_proof_init(&proof);
    CHECK(prove(&proof, &sk));
    mpz_powm_ui(proof.w, proof.w, 2, sk.pk.n);
    CHECK(mpc_bn_is_unit_var(proof.w, sk.pk.n));
    CHECK(mpz_jacobi(proof.w, sk.pk.n) == 1);
    CHECK_ERR(verify(&proof, &sk.pk), MPC_ERR_VERIFY);
    mpc_zk_mod_proof_clear(&proof);
    mpc_paillier_sk_clear(&sk);
}

/* Check 5: a challenge y_1 that is not a unit. Only a modulus with small
 * factors makes one likely; w is a unit of Jacobi -1 there, so checks 1-4
 * pass and the first round stops at y_1. */
TEST(zk_mod_rejects_nonunit_challenge)
{
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    mpz_t n, m, q, lambda, y;
    mpz_inits(n, m, q, lambda, y, NULL);
    CHECK(small_factor_modulus(n, m, q, lambda));
    mpc_paillier_pk pk;
    mpc_paillier_pk_init(&pk);
    pk_set(&pk, params, n);
    mpc_zk_mod_proof proof;
    mpc_zk_mod_proof_init(&proof);
    int tries = 0;
    do {
        do
            zk_rand_below(proof.w, n);
        while (mpz_jacobi(proof.w, n) != -1);
        mpc_transcript t;
        zk_transcript(&t, 1, LABEL, 1);
        CHECK(mirror_absorb(&t, params, n, proof.w));
        CHECK_OK(mpc_zk_challenge_below(&t, "zk.mod.y", y, n));
        CHECK(++tries < 100000);
    } while (mpc_bn_is_unit_var(y, n));
    for (size_t i = 0; i < params->m; i++) {
        mpz_set_ui(proof.x[i], 1);
        mpz_set_ui(proof.z[i], 1);
    }
    proof.params = params;
    CHECK_ERR(verify(&proof, &pk), MPC_ERR_VERIFY);
    mpc_zk_mod_proof_clear(&proof);
    mpc_paillier_pk_clear(&pk);
    mpz_clears(n, m, q, lambda, y, NULL);
}

/* Checks 6-8 on an honest proof, one value at a time. */
TEST(zk_mod_rejects_bad_rounds)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(zk_fixture_key(&sk, MPC_PARAMS_COMPAT, 5));
    mpc_zk_mod_proof proof;
    mpc_zk_mod_proof_init(&proof);
    CHECK(prove(&proof, &sk));
    mpz_t keep;
    mpz_init(keep);
    const size_t i = 0;
    /* 6: x_i, z_i units below N */
    mpz_swap(keep, proof.x[i]);
    mpz_set_ui(proof.x[i], 0);
    CHECK_ERR(verify(&proof, &sk.pk), MPC_ERR_VERIFY);
    mpz_set(proof.x[i], sk.q);
    CHECK_ERR(verify(&proof, &sk.pk), MPC_ERR_VERIFY);
    mpz_add(proof.x[i], keep, sk.pk.n); /* ≡ x_i, but not below N */
    CHECK_ERR(verify(&proof, &sk.pk), MPC_ERR_VERIFY);
    mpz_swap(keep, proof.x[i]);
    mpz_swap(keep, proof.z[i]);
    mpz_mul(proof.z[i], keep, sk.p);
    mpz_mod(proof.z[i], proof.z[i], sk.pk.n);
    CHECK_ERR(verify(&proof, &sk.pk), MPC_ERR_VERIFY);
    /* 7: another unit z_i */
    mpz_mul_ui(proof.z[i], keep, 2);
    mpz_mod(proof.z[i], proof.z[i], sk.pk.n);
    CHECK_ERR(verify(&proof, &sk.pk), MPC_ERR_VERIFY);
    mpz_swap(keep, proof.z[i]);
    CHECK_OK(verify(&proof, &sk.pk));
    /* 8: each of a_i, b_i flipped, a bit out of {0, 1}, another x_i */
    const uint8_t a = proof.a[i], b = proof.b[i];
    proof.a[i] = a ^ 1;
    CHECK_ERR(verify(&proof, &sk.pk), MPC_ERR_VERIFY);
    proof.a[i] = a;
    proof.b[i] = b ^ 1;
    CHECK_ERR(verify(&proof, &sk.pk), MPC_ERR_VERIFY);
    proof.b[i] = b;
    size_t j = 0; /* a round with a_j = 1: a_j = 3 leaves the equation */
    while (j + 1 < sk.pk.params->m && proof.a[j] != 1)
        j++;
    CHECK(proof.a[j] == 1);
    proof.a[j] = 3;
    CHECK_ERR(verify(&proof, &sk.pk), MPC_ERR_VERIFY);
    proof.a[j] = 1;
    mpz_sub(proof.x[i], sk.pk.n, proof.x[i]); /* -x: the same 4th power */
    CHECK_OK(verify(&proof, &sk.pk));
    mpz_mul_ui(proof.x[i], proof.x[i], 3);
    mpz_mod(proof.x[i], proof.x[i], sk.pk.n);
    CHECK_ERR(verify(&proof, &sk.pk), MPC_ERR_VERIFY);
    mpz_clear(keep);
    mpc_zk_mod_proof_clear(&proof);
    mpc_paillier_sk_clear(&sk);
}

/* ---- encoding ---------------------------------------------------------- */

TEST(zk_mod_parse_rejects_malformed)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(zk_fixture_key(&sk, MPC_PARAMS_COMPAT, 0));
    mpc_zk_mod_proof proof, p;
    mpc_zk_mod_proof_init(&proof);
    mpc_zk_mod_proof_init(&p);
    CHECK(prove(&proof, &sk));
    size_t nb = sk.pk.params->n_bytes;
    size_t len = mpc_zk_mod_proof_bytes(sk.pk.params);
    uint8_t *buf = malloc(len + 1), *bad = malloc(len + 1);
    CHECK(buf != NULL && bad != NULL);
    CHECK_OK(mpc_zk_mod_proof_serialize(buf, len, &proof));
    buf[len] = 0;
    CHECK_ERR(mpc_zk_mod_proof_parse(&p, &sk.pk, buf, len - 1), MPC_ERR_PARSE);
    CHECK(proof_empty(&p));
    CHECK_ERR(mpc_zk_mod_proof_parse(&p, &sk.pk, buf, len + 1), MPC_ERR_PARSE);
    CHECK(proof_empty(&p));
    CHECK_ERR(mpc_zk_mod_proof_parse(&p, &sk.pk, buf, 0), MPC_ERR_PARSE);
    CHECK(proof_empty(&p));
    /* w = N, x_last = N, z_last = N: values must be below N */
    const size_t offs[] = {0, len - 2 * nb - 1, len - nb - 1};
    for (size_t k = 0; k < 3; k++) {
        memcpy(bad, buf, len);
        CHECK_OK(mpc_bn_serialize(bad + offs[k], nb, sk.pk.n));
        CHECK_ERR(mpc_zk_mod_proof_parse(&p, &sk.pk, bad, len), MPC_ERR_PARSE);
        CHECK(proof_empty(&p));
    }
    for (uint8_t v = 4; v != 0; v = (uint8_t)(v << 1)) {
        memcpy(bad, buf, len);
        bad[len - 1] = v;
        CHECK_ERR(mpc_zk_mod_proof_parse(&p, &sk.pk, bad, len), MPC_ERR_PARSE);
        CHECK(proof_empty(&p));
    }
    /* Under another parameter set the length is wrong. */
    mpc_paillier_pk other;
    mpc_paillier_pk_init(&other);
    pk_set(&other, mpc_params_get(MPC_PARAMS_128), sk.pk.n);
    CHECK_ERR(mpc_zk_mod_proof_parse(&p, &other, buf, len), MPC_ERR_PARSE);
    CHECK_OK(mpc_zk_mod_proof_parse(&p, &sk.pk, buf, len));
    mpc_paillier_pk_clear(&other);
    free(buf);
    free(bad);
    mpc_zk_mod_proof_clear(&proof);
    mpc_zk_mod_proof_clear(&p);
    mpc_paillier_sk_clear(&sk);
}

/* ---- misuse and failures ----------------------------------------------- */

TEST(zk_mod_misuse)
{
    mpc_paillier_sk sk, empty;
    mpc_paillier_sk_init(&sk);
    mpc_paillier_sk_init(&empty);
    CHECK(zk_fixture_key(&sk, MPC_PARAMS_COMPAT, 0));
    mpc_zk_mod_proof proof;
    mpc_zk_mod_proof_init(&proof);
    mpc_transcript t;
    zk_transcript(&t, 1, LABEL, 1);
    CHECK_ERR(mpc_zk_mod_prove(NULL, &proof, &t, &sk), MPC_ERR_INVALID_ARG);
    CHECK(proof_empty(&proof));
    CHECK_ERR(mpc_zk_mod_prove(test_ctx(), NULL, &t, &sk), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_mod_prove(test_ctx(), &proof, NULL, &sk),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_mod_prove(test_ctx(), &proof, &t, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_mod_prove(test_ctx(), &proof, &t, &empty),
              MPC_ERR_INVALID_ARG);
    CHECK(proof_empty(&proof));

    CHECK(prove(&proof, &sk));
    CHECK_ERR(mpc_zk_mod_verify(NULL, &proof, &sk.pk), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_mod_verify(&t, NULL, &sk.pk), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_mod_verify(&t, &proof, NULL), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_mod_verify(&t, &proof, &empty.pk), MPC_ERR_INVALID_ARG);
    mpc_paillier_pk other;
    mpc_paillier_pk_init(&other);
    pk_set(&other, mpc_params_get(MPC_PARAMS_128), sk.pk.n);
    CHECK_ERR(verify(&proof, &other), MPC_ERR_INVALID_ARG);
    mpz_t big; /* an N longer than n_bytes: no parser makes one */
    mpz_init(big);
    mpz_mul_2exp(big, sk.pk.n, 8);
    mpz_setbit(big, 0);
    pk_set(&other, sk.pk.params, big);
    CHECK_ERR(verify(&proof, &other), MPC_ERR_INVALID_ARG);
    mpz_clear(big);
    mpc_paillier_pk_clear(&other);

    size_t len = mpc_zk_mod_proof_bytes(sk.pk.params);
    CHECK(mpc_zk_mod_proof_bytes(NULL) == 0);
    uint8_t *buf = malloc(len + 1);
    CHECK(buf != NULL);
    memset(buf, 0xAA, len + 1);
    CHECK_ERR(mpc_zk_mod_proof_serialize(buf, len + 1, &proof),
              MPC_ERR_INVALID_ARG);
    CHECK(zk_all_zero(buf, len + 1));
    memset(buf, 0xAA, len);
    mpz_add(proof.z[3], proof.z[3], sk.pk.n2); /* does not fit n_bytes */
    CHECK_ERR(mpc_zk_mod_proof_serialize(buf, len, &proof),
              MPC_ERR_INVALID_ARG);
    CHECK(zk_all_zero(buf, len));
    CHECK_ERR(mpc_zk_mod_proof_serialize(NULL, len, &proof),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_mod_proof_serialize(buf, len, NULL), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_mod_proof_parse(NULL, &sk.pk, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_mod_proof_parse(&proof, &sk.pk, NULL, len),
              MPC_ERR_INVALID_ARG);
    CHECK(proof_empty(&proof));
    CHECK_ERR(mpc_zk_mod_proof_parse(&proof, &empty.pk, buf, len),
              MPC_ERR_INVALID_ARG);
    mpc_zk_mod_proof_clear(NULL);
    mpc_zk_mod_proof_init(NULL);
    free(buf);
    mpc_zk_mod_proof_clear(&proof);
    mpc_paillier_sk_clear(&sk);
    mpc_paillier_sk_clear(&empty);
}

TEST(zk_mod_nomem_and_broken_rng)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(zk_fixture_key(&sk, MPC_PARAMS_COMPAT, 0));
    mpc_zk_mod_proof proof;
    mpc_zk_mod_proof_init(&proof);
    mpc_transcript t;
    mpc_ctx *flaky = zk_flaky_ctx();
    CHECK(flaky != NULL);
    *zk_fail_alloc() = true;
    zk_transcript(&t, 1, LABEL, 1);
    CHECK_ERR(mpc_zk_mod_prove(flaky, &proof, &t, &sk), MPC_ERR_NOMEM);
    CHECK(proof_empty(&proof));
    *zk_fail_alloc() = false;
    mpc_ctx_free(flaky);
    mpc_ctx *stuck = zk_stuck_ctx();
    CHECK(stuck != NULL);
    zk_transcript(&t, 1, LABEL, 1);
    CHECK_ERR(mpc_zk_mod_prove(stuck, &proof, &t, &sk), MPC_ERR_INTERNAL);
    CHECK(proof_empty(&proof));
    mpc_ctx_free(stuck);
    mpc_zk_mod_proof_clear(&proof);
    mpc_paillier_sk_clear(&sk);
}
