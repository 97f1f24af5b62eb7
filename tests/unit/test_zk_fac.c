/* lib/zk/zk_fac.c: Πfac, the no-small-factor proof. Honest proofs at both
 * parameter sets (with and without the verifier's tables), every verifier
 * check, the BitForge small-factor modulus (a cheating prover whose
 * equations all hold, stopped by the range check), tampering, transcript
 * binding, strict parsing, misuse, NOMEM and a broken rng. */
#include <gmp.h>
#include <string.h>

#include "lib/zk/zk_internal.h"
#include "mpc/bn.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/zk_fac.h"
#include "tests/harness/test.h"
#include "tests/unit/zk_aux_fixture.h"

#define LABEL "aux.fac"

/* ---- helpers ----------------------------------------------------------- */

/* A prover key and a verifier with its own parameters and tables. */
typedef struct setup {
    mpc_paillier_sk prover, verifier;
    mpc_rped rp;
    mpc_rped_table tab;
    mpz_t lambda;
} setup;

static bool setup_init(setup *s, mpc_params_id id, size_t prover,
                       size_t verifier)
{
    mpc_paillier_sk_init(&s->prover);
    mpc_paillier_sk_init(&s->verifier);
    mpc_rped_init(&s->rp);
    mpz_init(s->lambda);
    REQUIRE(zk_fixture_key(&s->prover, id, prover));
    REQUIRE(zk_fixture_key(&s->verifier, id, verifier));
    REQUIRE_OK(mpc_rped_generate(test_ctx(), &s->rp, s->lambda, &s->verifier));
    const mpc_params *pm = s->rp.params;
    REQUIRE_OK(mpc_rped_table_init(test_ctx(), &s->tab, &s->rp,
                                   pm->ell + pm->eps + 2 * pm->n_bits + 1));
    return true;
}

static void setup_clear(setup *s)
{
    mpc_rped_table_clear(test_ctx(), &s->tab);
    mpc_rped_clear(&s->rp);
    mpc_paillier_sk_clear(&s->prover);
    mpc_paillier_sk_clear(&s->verifier);
    mpc_bn_clear(s->lambda);
}

static bool prove(mpc_zk_fac_proof *proof, const mpc_paillier_sk *sk,
                  const mpc_rped *rp)
{
    mpc_transcript t;
    zk_transcript(&t, 1, LABEL, 1);
    REQUIRE_OK(mpc_zk_fac_prove(test_ctx(), proof, &t, sk, rp));
    return true;
}

static mpc_err verify_as(const mpc_zk_fac_proof *proof,
                         const mpc_paillier_pk *pk, const mpc_rped *rp,
                         const mpc_rped_table *tab, uint8_t sid,
                         const char *label, unsigned prover)
{
    mpc_transcript t;
    zk_transcript(&t, sid, label, prover);
    return mpc_zk_fac_verify(&t, proof, pk, rp, tab);
}

static mpc_err verify(const mpc_zk_fac_proof *proof, const mpc_paillier_pk *pk,
                      const setup *s)
{
    return verify_as(proof, pk, &s->rp, &s->tab, 1, LABEL, 1);
}

/* The ten values in wire order. */
static mpz_ptr field(mpc_zk_fac_proof *p, size_t i)
{
    mpz_ptr f[] = {p->P,  p->Q,  p->A,  p->B,  p->T,
                   p->z1, p->z2, p->w1, p->w2, p->v};
    return f[i];
}

static bool proof_empty(mpc_zk_fac_proof *p)
{
    for (size_t i = 0; i < 10; i++)
        if (mpz_sgn(field(p, i)) != 0)
            return false;
    return p->params == NULL;
}

static void proof_copy(mpc_zk_fac_proof *dst, mpc_zk_fac_proof *src)
{
    for (size_t i = 0; i < 10; i++)
        mpz_set(field(dst, i), field(src, i));
    dst->params = src->params;
}

static void pk_set(mpc_paillier_pk *pk, const mpc_params *params, const mpz_t n)
{
    pk->params = params;
    mpz_set(pk->n, n);
    mpz_mul(pk->n2, n, n);
}

/* A key object over N = p q for any p, q (tests of statements no key
 * generation would make). */
static void fake_sk(mpc_paillier_sk *sk, const mpc_params *params,
                    const mpz_t p, const mpz_t q)
{
    sk->pk.params = params;
    mpz_mul(sk->pk.n, p, q);
    mpz_mul(sk->pk.n2, sk->pk.n, sk->pk.n);
    mpz_set(sk->p, p);
    mpz_set(sk->q, q);
}

/* e as lib/zk/zk_fac.c derives it (header order). */
static bool mirror_challenge(mpz_t e, mpc_zk_fac_proof *proof, const mpz_t n,
                             const mpc_rped *rp)
{
    static const char *const labels[] = {"zk.fac.P", "zk.fac.Q", "zk.fac.A",
                                         "zk.fac.B", "zk.fac.T"};
    const mpc_params *pm = rp->params;
    size_t nb = pm->n_bytes;
    uint8_t buf[MPC_PARAMS_MAX_N_BYTES];
    mpc_transcript t;
    zk_transcript(&t, 1, LABEL, 1);
    mpc_transcript_append_u64(&t, "zk.fac.params", (uint64_t)pm->id);
    const mpz_srcptr stmt[] = {rp->n, rp->s, rp->t, n};
    const char *const names[] = {"zk.fac.Nhat", "zk.fac.s", "zk.fac.t",
                                 "zk.fac.N"};
    for (size_t i = 0; i < 4; i++) {
        REQUIRE_OK(mpc_bn_serialize(buf, nb, stmt[i]));
        mpc_transcript_append(&t, names[i], buf, nb);
    }
    for (size_t i = 0; i < 5; i++) {
        REQUIRE_OK(mpc_bn_serialize(buf, nb, field(proof, i)));
        mpc_transcript_append(&t, labels[i], buf, nb);
    }
    REQUIRE_OK(mpc_zk_challenge(&t, "zk.fac.e", pm, e));
    return true;
}

/* Checks 4-6 alone (the three equations): what a forgery must satisfy. */
static bool equations_hold(mpc_zk_fac_proof *proof, const mpz_t n,
                           const mpc_rped *rp)
{
    mpz_t e, l, r, x, zero;
    mpz_inits(e, l, r, x, zero, NULL);
    REQUIRE(mirror_challenge(e, proof, n, rp));
    bool ok = true;
    const mpz_srcptr zs[] = {proof->z1, proof->z2},
                     ws[] = {proof->w1, proof->w2};
    const mpz_srcptr cs[] = {proof->A, proof->B}, bs[] = {proof->P, proof->Q};
    for (size_t i = 0; i < 2; i++) {
        REQUIRE_OK(mpc_rped_commit_var(rp, l, zs[i], ws[i]));
        REQUIRE_OK(mpc_bn_powm_var(r, bs[i], e, rp->n));
        mpz_mul(r, r, cs[i]);
        mpz_mod(r, r, rp->n);
        ok = ok && mpz_cmp(l, r) == 0;
    }
    REQUIRE_OK(mpc_bn_powm_var(l, proof->Q, proof->z1, rp->n));
    REQUIRE_OK(mpc_rped_commit_var(rp, x, zero, proof->v));
    mpz_mul(l, l, x);
    mpz_mod(l, l, rp->n);
    mpz_mul(x, n, e);
    REQUIRE_OK(mpc_rped_commit_var(rp, r, x, zero));
    mpz_mul(r, r, proof->T);
    mpz_mod(r, r, rp->n);
    ok = ok && mpz_cmp(l, r) == 0;
    mpz_clears(e, l, r, x, zero, NULL);
    return ok;
}

/* Wire length of field i (mpc/zk_fac.h "Encoding"). */
static size_t field_len(const mpc_params *pm, size_t i)
{
    size_t le = (size_t)pm->ell + pm->eps, l2 = 2 * (size_t)pm->ell;
    size_t kz = le + pm->prime_bits + 1;
    size_t kw = (le > l2 ? le : l2) + pm->n_bits + 1;
    size_t kv = le + 2 * (size_t)pm->n_bits + 1;
    if (i < 5)
        return pm->n_bytes;
    return 1 + (i < 7 ? kz : i < 9 ? kw : kv) / 8 + 1;
}

/* The verifier's range 2^(ℓ+ε)·⌊√N⌋. */
static void z_range(mpz_t b, const mpz_t n, const mpc_params *pm)
{
    mpz_sqrt(b, n);
    mpz_mul_2exp(b, b, pm->ell + pm->eps);
}

/*
 * A cheating prover (plain, variable-time mpz): the honest prover's
 * computation for N = f1 f2 with any f1, f2, without its size checks.
 * Every equation then holds; only the ranges can tell.
 */
static bool evil_prove(mpc_zk_fac_proof *proof, const mpz_t f1, const mpz_t f2,
                       const mpc_rped *rp)
{
    const mpc_params *pm = rp->params;
    mpz_t n, b, alpha, beta, mu, nu, r, x, y, e, tmp, zero;
    mpz_inits(n, b, alpha, beta, mu, nu, r, x, y, e, tmp, zero, NULL);
    mpz_mul(n, f1, f2);
    const mpc_ctx *ctx = test_ctx();
    z_range(b, n, pm);
    REQUIRE_OK(mpc_bn_random_symmetric(ctx, alpha, b));
    REQUIRE_OK(mpc_bn_random_symmetric(ctx, beta, b));
    mpz_mul_2exp(b, rp->n, pm->ell);
    REQUIRE_OK(mpc_bn_random_symmetric(ctx, mu, b));
    REQUIRE_OK(mpc_bn_random_symmetric(ctx, nu, b));
    mpz_mul_2exp(b, rp->n, pm->ell + pm->eps);
    REQUIRE_OK(mpc_bn_random_symmetric(ctx, x, b));
    REQUIRE_OK(mpc_bn_random_symmetric(ctx, y, b));
    mpz_mul(b, b, n);
    REQUIRE_OK(mpc_bn_random_symmetric(ctx, r, b));
    REQUIRE_OK(mpc_rped_commit_var(rp, proof->P, f1, mu));
    REQUIRE_OK(mpc_rped_commit_var(rp, proof->Q, f2, nu));
    REQUIRE_OK(mpc_rped_commit_var(rp, proof->A, alpha, x));
    REQUIRE_OK(mpc_rped_commit_var(rp, proof->B, beta, y));
    REQUIRE_OK(mpc_bn_powm_var(proof->T, proof->Q, alpha, rp->n));
    REQUIRE_OK(mpc_rped_commit_var(rp, tmp, zero, r));
    mpz_mul(proof->T, proof->T, tmp);
    mpz_mod(proof->T, proof->T, rp->n);
    REQUIRE(mirror_challenge(e, proof, n, rp));
    mpz_mul(tmp, e, f1);
    mpz_add(proof->z1, alpha, tmp);
    mpz_mul(tmp, e, f2);
    mpz_add(proof->z2, beta, tmp);
    mpz_mul(tmp, e, mu);
    mpz_add(proof->w1, x, tmp);
    mpz_mul(tmp, e, nu);
    mpz_add(proof->w2, y, tmp);
    mpz_mul(tmp, e, nu);
    mpz_mul(tmp, tmp, f1);
    mpz_sub(proof->v, r, tmp);
    proof->params = pm;
    mpz_clears(n, b, alpha, beta, mu, nu, r, x, y, e, tmp, zero, NULL);
    return true;
}

/* ---- honest proofs ----------------------------------------------------- */

static bool honest(mpc_params_id id)
{
    setup s;
    REQUIRE(setup_init(&s, id, 0, 1));
    mpc_zk_fac_proof proof, back;
    mpc_zk_fac_proof_init(&proof);
    mpc_zk_fac_proof_init(&back);
    REQUIRE(prove(&proof, &s.prover, &s.rp));
    REQUIRE_OK(verify(&proof, &s.prover.pk, &s));
    REQUIRE_OK(verify_as(&proof, &s.prover.pk, &s.rp, NULL, 1, LABEL, 1));
    REQUIRE(equations_hold(&proof, s.prover.pk.n, &s.rp));
    size_t len = mpc_zk_fac_proof_bytes(s.rp.params);
    uint8_t *buf = malloc(len), *again = malloc(len);
    REQUIRE(buf != NULL && again != NULL);
    REQUIRE_OK(mpc_zk_fac_proof_serialize(buf, len, &proof));
    REQUIRE_OK(mpc_zk_fac_proof_parse(&back, &s.rp, buf, len));
    REQUIRE_OK(mpc_zk_fac_proof_serialize(again, len, &back));
    REQUIRE(memcmp(buf, again, len) == 0);
    REQUIRE_OK(verify(&back, &s.prover.pk, &s));
    /* The cheating prover is the honest computation: with the real
     * factors its proof verifies (this validates the mirror). */
    REQUIRE(evil_prove(&back, s.prover.p, s.prover.q, &s.rp));
    REQUIRE_OK(verify(&back, &s.prover.pk, &s));
    free(buf);
    free(again);
    mpc_zk_fac_proof_clear(&proof);
    mpc_zk_fac_proof_clear(&back);
    setup_clear(&s);
    return true;
}

TEST(zk_fac_honest_compat)
{
    CHECK(mpc_zk_fac_proof_bytes(mpc_params_get(MPC_PARAMS_COMPAT)) == 3050);
    CHECK(honest(MPC_PARAMS_COMPAT));
}

TEST(zk_fac_honest_128)
{
    CHECK(honest(MPC_PARAMS_128));
}

/* ---- tampering and binding --------------------------------------------- */

TEST(zk_fac_any_field_altered_fails)
{
    setup s;
    CHECK(setup_init(&s, MPC_PARAMS_COMPAT, 2, 3));
    mpc_zk_fac_proof proof, bad;
    mpc_zk_fac_proof_init(&proof);
    mpc_zk_fac_proof_init(&bad);
    CHECK(prove(&proof, &s.prover, &s.rp));
    for (size_t i = 0; i < 10; i++) { /* in memory: value + 1 */
        proof_copy(&bad, &proof);
        mpz_add_ui(field(&bad, i), field(&bad, i), 1);
        CHECK_ERR(verify(&bad, &s.prover.pk, &s), MPC_ERR_VERIFY);
    }
    size_t len = mpc_zk_fac_proof_bytes(s.rp.params);
    uint8_t *buf = malloc(len), *t = malloc(len);
    CHECK(buf != NULL && t != NULL);
    CHECK_OK(mpc_zk_fac_proof_serialize(buf, len, &proof));
    /* on the wire: one byte in the middle of each field */
    size_t off = 0;
    for (size_t i = 0; i < 10; i++) {
        size_t fl = field_len(s.rp.params, i);
        memcpy(t, buf, len);
        t[off + fl / 2] ^= 0x10;
        mpc_err err = mpc_zk_fac_proof_parse(&bad, &s.rp, t, len);
        if (err == MPC_OK)
            err = verify(&bad, &s.prover.pk, &s);
        CHECK(err == MPC_ERR_PARSE || err == MPC_ERR_VERIFY);
        off += fl;
    }
    CHECK(off == len);
    free(buf);
    free(t);
    mpc_zk_fac_proof_clear(&proof);
    mpc_zk_fac_proof_clear(&bad);
    setup_clear(&s);
}

TEST(zk_fac_transcript_and_statement_bound)
{
    setup s, other;
    CHECK(setup_init(&s, MPC_PARAMS_COMPAT, 4, 5));
    CHECK(setup_init(&other, MPC_PARAMS_COMPAT, 6, 7));
    mpc_zk_fac_proof proof;
    mpc_zk_fac_proof_init(&proof);
    CHECK(prove(&proof, &s.prover, &s.rp));
    const mpc_paillier_pk *pk = &s.prover.pk;
    CHECK_ERR(verify_as(&proof, pk, &s.rp, &s.tab, 9, LABEL, 1),
              MPC_ERR_VERIFY);
    CHECK_ERR(verify_as(&proof, pk, &s.rp, &s.tab, 1, LABEL, 2),
              MPC_ERR_VERIFY);
    CHECK_ERR(verify_as(&proof, pk, &s.rp, &s.tab, 1, "aux.mod", 1),
              MPC_ERR_VERIFY);
    /* another prover's N; another verifier's parameters */
    CHECK_ERR(verify(&proof, &other.prover.pk, &s), MPC_ERR_VERIFY);
    CHECK_ERR(verify(&proof, pk, &other), MPC_ERR_VERIFY);
    CHECK_OK(verify(&proof, pk, &s));
    mpc_zk_fac_proof_clear(&proof);
    setup_clear(&s);
    setup_clear(&other);
}

/* ---- every verifier check ---------------------------------------------- */

/* Check 1: N of at least n_min_bits bits and above 2^(4ℓ). The prover
 * itself accepts any p q (it has no reason to refuse), the verifier not. */
TEST(zk_fac_rejects_small_modulus)
{
    setup s;
    CHECK(setup_init(&s, MPC_PARAMS_COMPAT, 0, 1));
    const mpc_params *pm = s.rp.params;
    mpc_paillier_sk fake;
    mpc_paillier_sk_init(&fake);
    mpz_t p, q;
    mpz_inits(p, q, NULL);
    const size_t sizes[][2] = {{1024, 1022}, {512, 512}};
    for (size_t k = 0; k < 2; k++) {
        zk_random_blum_prime(p, sizes[k][0]);
        zk_random_blum_prime(q, sizes[k][1]);
        fake_sk(&fake, pm, p, q);
        CHECK(mpz_sizeinbase(fake.pk.n, 2) < pm->n_min_bits);
        mpc_zk_fac_proof proof;
        mpc_zk_fac_proof_init(&proof);
        CHECK(prove(&proof, &fake, &s.rp));
        CHECK(equations_hold(&proof, fake.pk.n, &s.rp));
        CHECK_ERR(verify(&proof, &fake.pk, &s), MPC_ERR_VERIFY);
        mpc_zk_fac_proof_clear(&proof);
    }
    mpz_clears(p, q, NULL);
    mpc_paillier_sk_clear(&fake);
    setup_clear(&s);
}

/* Check 2: P, Q, A, B, T units mod N̂ (0, N̂ itself, a multiple of p̂). */
TEST(zk_fac_rejects_nonunit_commitments)
{
    setup s;
    CHECK(setup_init(&s, MPC_PARAMS_COMPAT, 2, 4));
    mpc_zk_fac_proof proof, bad;
    mpc_zk_fac_proof_init(&proof);
    mpc_zk_fac_proof_init(&bad);
    CHECK(prove(&proof, &s.prover, &s.rp));
    for (size_t i = 0; i < 5; i++) {
        proof_copy(&bad, &proof);
        mpz_set_ui(field(&bad, i), 0);
        CHECK_ERR(verify(&bad, &s.prover.pk, &s), MPC_ERR_VERIFY);
        mpz_set(field(&bad, i), s.rp.n);
        CHECK_ERR(verify(&bad, &s.prover.pk, &s), MPC_ERR_VERIFY);
        mpz_mul(field(&bad, i), field(&proof, i), s.verifier.p);
        mpz_mod(field(&bad, i), field(&bad, i), s.rp.n);
        CHECK_ERR(verify(&bad, &s.prover.pk, &s), MPC_ERR_VERIFY);
    }
    mpc_zk_fac_proof_clear(&proof);
    mpc_zk_fac_proof_clear(&bad);
    setup_clear(&s);
}

/* Check 3 on its own: z1 or z2 just outside ±2^(ℓ+ε)·⌊√N⌋. */
TEST(zk_fac_rejects_z_out_of_range)
{
    setup s;
    CHECK(setup_init(&s, MPC_PARAMS_COMPAT, 0, 2));
    mpc_zk_fac_proof proof, bad;
    mpc_zk_fac_proof_init(&proof);
    mpc_zk_fac_proof_init(&bad);
    CHECK(prove(&proof, &s.prover, &s.rp));
    mpz_t b;
    mpz_init(b);
    z_range(b, s.prover.pk.n, s.rp.params);
    mpz_add_ui(b, b, 1);
    for (size_t i = 5; i < 7; i++) {
        proof_copy(&bad, &proof);
        mpz_set(field(&bad, i), b);
        CHECK_ERR(verify(&bad, &s.prover.pk, &s), MPC_ERR_VERIFY);
        mpz_neg(field(&bad, i), b);
        CHECK_ERR(verify(&bad, &s.prover.pk, &s), MPC_ERR_VERIFY);
    }
    mpz_clear(b);
    mpc_zk_fac_proof_clear(&proof);
    mpc_zk_fac_proof_clear(&bad);
    setup_clear(&s);
}

/*
 * BitForge (CVE-2023-33241): N = f1 f2 with f1 the product of 16 primes
 * just below 2^16 (a 256-bit smooth factor, the shape that leaks a share
 * in 16 signatures). The cheating prover's three equations hold; the
 * cofactor's e f2 overflows 2^(ℓ+ε)·⌊√N⌋, so only check 3 stops it, for
 * either order of the factors.
 */
TEST(zk_fac_bitforge_small_factor_rejected)
{
    setup s;
    CHECK(setup_init(&s, MPC_PARAMS_COMPAT, 3, 5));
    const mpc_params *pm = s.rp.params;
    mpz_t f1, f2, p, lo, n, b;
    mpz_inits(f1, f2, p, lo, n, b, NULL);
    mpz_set_ui(f1, 1);
    mpz_set_ui(p, 65536 - 400);
    for (int i = 0; i < 16; i++) {
        mpz_nextprime(p, p);
        mpz_mul(f1, f1, p);
    }
    size_t f2_bits = pm->n_bits - mpz_sizeinbase(f1, 2);
    mpz_setbit(lo, f2_bits - 1);
    zk_rand_below(f2, lo);
    mpz_setbit(f2, f2_bits - 1);
    mpz_setbit(f2, f2_bits - 2);
    mpz_setbit(f2, 0);
    mpz_mul(n, f1, f2);
    CHECK(mpz_sizeinbase(n, 2) >= pm->n_min_bits &&
          mpz_sizeinbase(n, 2) <= pm->n_bits);
    mpc_paillier_pk pk;
    mpc_paillier_pk_init(&pk);
    pk_set(&pk, pm, n);
    z_range(b, n, pm);
    mpc_zk_fac_proof forged;
    mpc_zk_fac_proof_init(&forged);
    CHECK(evil_prove(&forged, f1, f2, &s.rp));
    CHECK(equations_hold(&forged, n, &s.rp));
    CHECK(mpz_cmpabs(forged.z1, b) <= 0 && mpz_cmpabs(forged.z2, b) > 0);
    CHECK_ERR(verify(&forged, &pk, &s), MPC_ERR_VERIFY);
    CHECK(evil_prove(&forged, f2, f1, &s.rp));
    CHECK(equations_hold(&forged, n, &s.rp));
    CHECK(mpz_cmpabs(forged.z1, b) > 0 && mpz_cmpabs(forged.z2, b) <= 0);
    CHECK_ERR(verify(&forged, &pk, &s), MPC_ERR_VERIFY);
    mpc_zk_fac_proof_clear(&forged);
    mpc_paillier_pk_clear(&pk);
    mpz_clears(f1, f2, p, lo, n, b, NULL);
    setup_clear(&s);
}

/* Checks 4-6: a response that keeps every range but breaks one equation,
 * for each equation (w1 in 4, w2 in 5, v in 6). */
TEST(zk_fac_rejects_each_equation)
{
    setup s;
    CHECK(setup_init(&s, MPC_PARAMS_COMPAT, 6, 0));
    mpc_zk_fac_proof proof, bad;
    mpc_zk_fac_proof_init(&proof);
    mpc_zk_fac_proof_init(&bad);
    CHECK(prove(&proof, &s.prover, &s.rp));
    mpz_ptr resp[] = {bad.w1, bad.w2, bad.v};
    for (size_t i = 0; i < 3; i++) {
        proof_copy(&bad, &proof);
        mpz_sub_ui(resp[i], resp[i], 1);
        CHECK(!equations_hold(&bad, s.prover.pk.n, &s.rp));
        CHECK_ERR(verify(&bad, &s.prover.pk, &s), MPC_ERR_VERIFY);
    }
    mpc_zk_fac_proof_clear(&proof);
    mpc_zk_fac_proof_clear(&bad);
    setup_clear(&s);
}

/* ---- encoding ---------------------------------------------------------- */

TEST(zk_fac_parse_rejects_malformed)
{
    setup s;
    CHECK(setup_init(&s, MPC_PARAMS_COMPAT, 1, 2));
    const mpc_params *pm = s.rp.params;
    mpc_zk_fac_proof proof, p;
    mpc_zk_fac_proof_init(&proof);
    mpc_zk_fac_proof_init(&p);
    CHECK(prove(&proof, &s.prover, &s.rp));
    size_t nb = pm->n_bytes, len = mpc_zk_fac_proof_bytes(pm);
    uint8_t *buf = malloc(len + 1), *bad = malloc(len);
    CHECK(buf != NULL && bad != NULL);
    CHECK_OK(mpc_zk_fac_proof_serialize(buf, len, &proof));
    buf[len] = 0;
    CHECK_ERR(mpc_zk_fac_proof_parse(&p, &s.rp, buf, len - 1), MPC_ERR_PARSE);
    CHECK(proof_empty(&p));
    CHECK_ERR(mpc_zk_fac_proof_parse(&p, &s.rp, buf, len + 1), MPC_ERR_PARSE);
    CHECK(proof_empty(&p));
    for (size_t i = 0; i < 5; i++) { /* a commitment equal to N̂ */
        memcpy(bad, buf, len);
        CHECK_OK(mpc_bn_serialize(bad + i * nb, nb, s.rp.n));
        CHECK_ERR(mpc_zk_fac_proof_parse(&p, &s.rp, bad, len), MPC_ERR_PARSE);
        CHECK(proof_empty(&p));
    }
    size_t z1 = 5 * nb, zl = field_len(pm, 5);
    size_t w1 = z1 + 2 * zl, wl = field_len(pm, 7);
    memcpy(bad, buf, len);
    bad[z1] = 2; /* sign byte */
    CHECK_ERR(mpc_zk_fac_proof_parse(&p, &s.rp, bad, len), MPC_ERR_PARSE);
    CHECK(proof_empty(&p));
    memcpy(bad, buf, len);
    bad[z1] = 1;
    memset(bad + z1 + 1, 0, zl - 1); /* -0 */
    CHECK_ERR(mpc_zk_fac_proof_parse(&p, &s.rp, bad, len), MPC_ERR_PARSE);
    CHECK(proof_empty(&p));
    memcpy(bad, buf, len);
    memset(bad + z1 + 1, 0xFF, zl - 1); /* above 2^kz */
    CHECK_ERR(mpc_zk_fac_proof_parse(&p, &s.rp, bad, len), MPC_ERR_PARSE);
    CHECK(proof_empty(&p));
    memcpy(bad, buf, len);
    memset(bad + w1 + 1, 0xFF, wl - 1); /* above 2^kw */
    CHECK_ERR(mpc_zk_fac_proof_parse(&p, &s.rp, bad, len), MPC_ERR_PARSE);
    CHECK(proof_empty(&p));
    CHECK_OK(mpc_zk_fac_proof_parse(&p, &s.rp, buf, len));
    free(buf);
    free(bad);
    mpc_zk_fac_proof_clear(&proof);
    mpc_zk_fac_proof_clear(&p);
    setup_clear(&s);
}

/* ---- misuse and failures ----------------------------------------------- */

TEST(zk_fac_misuse)
{
    setup s, other;
    CHECK(setup_init(&s, MPC_PARAMS_COMPAT, 0, 1));
    CHECK(setup_init(&other, MPC_PARAMS_COMPAT, 2, 3));
    const mpc_ctx *ctx = test_ctx();
    mpc_zk_fac_proof proof;
    mpc_zk_fac_proof_init(&proof);
    mpc_transcript t;
    zk_transcript(&t, 1, LABEL, 1);
    mpc_rped empty, rp128;
    mpc_rped_init(&empty);
    mpc_rped_init(&rp128);
    mpc_paillier_sk fake;
    mpc_paillier_sk_init(&fake);
    CHECK_ERR(mpc_zk_fac_prove(NULL, &proof, &t, &s.prover, &s.rp),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_fac_prove(ctx, NULL, &t, &s.prover, &s.rp),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_fac_prove(ctx, &proof, NULL, &s.prover, &s.rp),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_fac_prove(ctx, &proof, &t, NULL, &s.rp),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_fac_prove(ctx, &proof, &t, &s.prover, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_fac_prove(ctx, &proof, &t, &s.prover, &empty),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_fac_prove(ctx, &proof, &t, &fake, &s.rp),
              MPC_ERR_INVALID_ARG);
    /* the verifier's parameters under another set */
    mpz_set(rp128.n, s.rp.n);
    mpz_set(rp128.s, s.rp.s);
    mpz_set(rp128.t, s.rp.t);
    rp128.params = mpc_params_get(MPC_PARAMS_128);
    CHECK_ERR(mpc_zk_fac_prove(ctx, &proof, &t, &s.prover, &rp128),
              MPC_ERR_INVALID_ARG);
    /* p q ≠ N; a factor longer than prime_bits */
    fake_sk(&fake, s.rp.params, s.prover.p, s.prover.q);
    mpz_add_ui(fake.q, fake.q, 2);
    CHECK_ERR(mpc_zk_fac_prove(ctx, &proof, &t, &fake, &s.rp),
              MPC_ERR_INVALID_ARG);
    mpz_t one, big;
    mpz_init_set_ui(one, 1);
    mpz_init(big);
    mpz_mul(big, s.prover.p, s.prover.q);
    fake_sk(&fake, s.rp.params, one, big);
    CHECK_ERR(mpc_zk_fac_prove(ctx, &proof, &t, &fake, &s.rp),
              MPC_ERR_INVALID_ARG);
    mpz_clears(one, big, NULL);
    CHECK(proof_empty(&proof));

    CHECK(prove(&proof, &s.prover, &s.rp));
    const mpc_paillier_pk *pk = &s.prover.pk;
    CHECK_ERR(mpc_zk_fac_verify(NULL, &proof, pk, &s.rp, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_fac_verify(&t, NULL, pk, &s.rp, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_fac_verify(&t, &proof, NULL, &s.rp, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_fac_verify(&t, &proof, pk, NULL, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_fac_verify(&t, &proof, pk, &empty, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_fac_verify(&t, &proof, pk, &rp128, NULL),
              MPC_ERR_INVALID_ARG);
    mpc_paillier_pk long_pk; /* an N longer than n_bytes */
    mpc_paillier_pk_init(&long_pk);
    mpz_t nn;
    mpz_init(nn);
    mpz_mul_2exp(nn, pk->n, 8);
    pk_set(&long_pk, s.rp.params, nn);
    CHECK_ERR(mpc_zk_fac_verify(&t, &proof, &long_pk, &s.rp, NULL),
              MPC_ERR_INVALID_ARG);
    mpz_clear(nn);
    mpc_paillier_pk_clear(&long_pk);
    /* tables of another modulus */
    CHECK_ERR(verify_as(&proof, pk, &s.rp, &other.tab, 1, LABEL, 1),
              MPC_ERR_INVALID_ARG);
    CHECK_OK(verify(&proof, pk, &s));

    size_t len = mpc_zk_fac_proof_bytes(s.rp.params);
    CHECK(mpc_zk_fac_proof_bytes(NULL) == 0);
    uint8_t *buf = malloc(len);
    CHECK(buf != NULL);
    memset(buf, 0xAA, len);
    CHECK_ERR(mpc_zk_fac_proof_serialize(buf, len - 1, &proof),
              MPC_ERR_INVALID_ARG);
    CHECK(zk_all_zero(buf, len - 1));
    mpz_mul_2exp(proof.v, proof.v, 64); /* beyond its field */
    memset(buf, 0xAA, len);
    CHECK_ERR(mpc_zk_fac_proof_serialize(buf, len, &proof),
              MPC_ERR_INVALID_ARG);
    CHECK(zk_all_zero(buf, len));
    CHECK_ERR(mpc_zk_fac_proof_serialize(NULL, len, &proof),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_fac_proof_serialize(buf, len, NULL), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_fac_proof_parse(NULL, &s.rp, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_zk_fac_proof_parse(&proof, &empty, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK(proof_empty(&proof));
    CHECK_ERR(mpc_zk_fac_proof_parse(&proof, &s.rp, NULL, len),
              MPC_ERR_INVALID_ARG);
    mpc_zk_fac_proof_clear(NULL);
    mpc_zk_fac_proof_init(NULL);
    free(buf);
    mpc_paillier_sk_clear(&fake);
    mpc_rped_clear(&empty);
    mpc_rped_clear(&rp128);
    mpc_zk_fac_proof_clear(&proof);
    setup_clear(&s);
    setup_clear(&other);
}

TEST(zk_fac_nomem_and_broken_rng)
{
    setup s;
    CHECK(setup_init(&s, MPC_PARAMS_COMPAT, 0, 1));
    mpc_zk_fac_proof proof;
    mpc_zk_fac_proof_init(&proof);
    mpc_transcript t;
    mpc_ctx *flaky = zk_flaky_ctx();
    CHECK(flaky != NULL);
    *zk_fail_alloc() = true;
    zk_transcript(&t, 1, LABEL, 1);
    CHECK_ERR(mpc_zk_fac_prove(flaky, &proof, &t, &s.prover, &s.rp),
              MPC_ERR_NOMEM);
    CHECK(proof_empty(&proof));
    *zk_fail_alloc() = false;
    mpc_ctx_free(flaky);
    mpc_ctx *stuck = zk_stuck_ctx();
    CHECK(stuck != NULL);
    zk_transcript(&t, 1, LABEL, 1);
    CHECK_ERR(mpc_zk_fac_prove(stuck, &proof, &t, &s.prover, &s.rp),
              MPC_ERR_INTERNAL);
    CHECK(proof_empty(&proof));
    mpc_ctx_free(stuck);
    mpc_zk_fac_proof_clear(&proof);
    setup_clear(&s);
}
