/*
 * Πfac, the no-small-factor proof (include/mpc/zk_fac.h): CGGMP21 Fig. 28
 * as revised in 2024 (Fig. 26) and written in the LFDT spec "Πfac".
 */
#include "mpc/zk_fac.h"

#include <string.h>

#include "lib/bn/bn_internal.h"
#include "lib/zk/zk_internal.h"
#include "mpc/bn.h"
#include "mpc/mem.h"

void mpc_zk_fac_proof_init(mpc_zk_fac_proof *proof)
{
    if (proof == NULL)
        return;
    proof->params = NULL;
    mpz_inits(proof->P, proof->Q, proof->A, proof->B, proof->T, proof->z1,
              proof->z2, proof->w1, proof->w2, proof->v, NULL);
}

void mpc_zk_fac_proof_clear(mpc_zk_fac_proof *proof)
{
    if (proof == NULL)
        return;
    mpz_clears(proof->P, proof->Q, proof->A, proof->B, proof->T, proof->z1,
               proof->z2, proof->w1, proof->w2, proof->v, NULL);
    proof->params = NULL;
}

/* The ten values in wire order. */
static mpz_ptr field(mpc_zk_fac_proof *proof, size_t i)
{
    mpz_ptr f[] = {proof->P,  proof->Q,  proof->A,  proof->B,  proof->T,
                   proof->z1, proof->z2, proof->w1, proof->w2, proof->v};
    return f[i];
}

static mpz_srcptr cfield(const mpc_zk_fac_proof *proof, size_t i)
{
    return field((mpc_zk_fac_proof *)proof, i);
}

enum { FIELDS = 10, COMMITS = 5 };

static void reset(mpc_zk_fac_proof *proof)
{
    proof->params = NULL;
    for (size_t i = 0; i < FIELDS; i++)
        mpz_set_ui(field(proof, i), 0);
}

static bool params_ok(const mpc_params *params)
{
    return params != NULL && params->n_bytes <= MPC_PARAMS_MAX_N_BYTES;
}

/* Parameters whose N, s and t fit the set's n_bytes (parsed and generated
 * ones do; the encoding and the transcript rely on it). */
static bool rped_ok(const mpc_rped *rp)
{
    if (rp == NULL || !params_ok(rp->params) || mpz_sgn(rp->n) <= 0)
        return false;
    size_t bits = 8 * rp->params->n_bytes;
    return mpz_sizeinbase(rp->n, 2) <= bits && mpz_sgn(rp->s) >= 0 &&
           mpz_sizeinbase(rp->s, 2) <= bits && mpz_sgn(rp->t) >= 0 &&
           mpz_sizeinbase(rp->t, 2) <= bits;
}

/* ---- Sizes ------------------------------------------------------------- */

/* Bit bounds of the responses (the header's kz, kw, kv): the largest
 * values an honest prover produces, whatever e, N <= 2^n and N̂ <= 2^n. */
static size_t k_z(const mpc_params *pm)
{
    return pm->ell + pm->eps + pm->prime_bits + 1;
}

static size_t k_w(const mpc_params *pm)
{
    size_t a = pm->ell + pm->eps, b = 2 * (size_t)pm->ell;
    return (a > b ? a : b) + pm->n_bits + 1;
}

static size_t k_v(const mpc_params *pm)
{
    return pm->ell + pm->eps + 2 * (size_t)pm->n_bits + 1;
}

/* The field bound of response i (0..4 = z1, z2, w1, w2, v). */
static size_t k_response(const mpc_params *pm, size_t i)
{
    return i < 2 ? k_z(pm) : i < 4 ? k_w(pm) : k_v(pm);
}

static size_t response_len(const mpc_params *pm, size_t i)
{
    /* mpc_bn_len_signed(2^k): a sign byte and the bytes of 2^k. */
    return 1 + k_response(pm, i) / 8 + 1;
}

/* ---- Fiat–Shamir ------------------------------------------------------- */

/* Absorbs the statement and the first message, then draws e ∈ ±Q
 * (mpc_zk_challenge). Every value is below 2^n (checked by the callers). */
static mpc_err challenge(mpc_transcript *t, mpz_t e, const mpz_t n,
                         const mpc_rped *rp, const mpc_zk_fac_proof *proof)
{
    static const char *const labels[COMMITS] = {
        "zk.fac.P", "zk.fac.Q", "zk.fac.A", "zk.fac.B", "zk.fac.T"};
    const mpc_params *params = rp->params;
    size_t nb = params->n_bytes;
    mpc_transcript_append_u64(t, "zk.fac.params", (uint64_t)params->id);
    mpc_zk_absorb_uint_var(t, "zk.fac.Nhat", rp->n, nb);
    mpc_zk_absorb_uint_var(t, "zk.fac.s", rp->s, nb);
    mpc_zk_absorb_uint_var(t, "zk.fac.t", rp->t, nb);
    mpc_zk_absorb_uint_var(t, "zk.fac.N", n, nb);
    for (size_t i = 0; i < COMMITS; i++)
        mpc_zk_absorb_uint_var(t, labels[i], cfield(proof, i), nb);
    return mpc_zk_challenge(t, "zk.fac.e", params, e);
}

/* The verifier's range for z1, z2: 2^(ℓ+ε)·⌊√N⌋. */
static void z_range(mpz_t r, const mpz_t n, const mpc_params *params)
{
    mpz_sqrt(r, n);
    mpz_mul_2exp(r, r, params->ell + params->eps);
}

/* ---- Prover ------------------------------------------------------------ */

/* The prover's secrets; all wiped by nonces_clear. */
typedef struct nonces {
    mpz_t alpha, beta, mu, nu, r, x, y;
} nonces;

static void nonces_init(nonces *s)
{
    mpz_inits(s->alpha, s->beta, s->mu, s->nu, s->r, s->x, s->y, NULL);
}

static void nonces_clear(nonces *s)
{
    mpc_bn_clear(s->alpha);
    mpc_bn_clear(s->beta);
    mpc_bn_clear(s->mu);
    mpc_bn_clear(s->nu);
    mpc_bn_clear(s->r);
    mpc_bn_clear(s->x);
    mpc_bn_clear(s->y);
}

/* Samples the nonces from the ranges of the header (bounds are public). */
static mpc_err sample(const mpc_ctx *ctx, nonces *s, const mpz_t n,
                      const mpz_t nhat, const mpc_params *pm)
{
    mpz_t b;
    mpz_init(b);
    z_range(b, n, pm); /* 2^(ℓ+ε)·⌊√N⌋ */
    mpc_err err = mpc_bn_random_symmetric(ctx, s->alpha, b);
    if (err == MPC_OK)
        err = mpc_bn_random_symmetric(ctx, s->beta, b);
    mpz_mul_2exp(b, nhat, pm->ell); /* 2^ℓ·N̂ */
    if (err == MPC_OK)
        err = mpc_bn_random_symmetric(ctx, s->mu, b);
    if (err == MPC_OK)
        err = mpc_bn_random_symmetric(ctx, s->nu, b);
    mpz_mul_2exp(b, nhat, pm->ell + pm->eps); /* 2^(ℓ+ε)·N̂ */
    if (err == MPC_OK)
        err = mpc_bn_random_symmetric(ctx, s->x, b);
    if (err == MPC_OK)
        err = mpc_bn_random_symmetric(ctx, s->y, b);
    mpz_mul(b, b, n); /* 2^(ℓ+ε)·N·N̂ */
    if (err == MPC_OK)
        err = mpc_bn_random_symmetric(ctx, s->r, b);
    mpz_clear(b);
    return err;
}

/* The first message; exponents are bounded by the header's ranges:
 * |p|, |q| < 2^h, |α|, |β| < 2^(ℓ+ε+h), |μ|, |ν| < 2^(ℓ+n),
 * |x|, |y| < 2^(ℓ+ε+n), |r| < 2^(ℓ+ε+2n). */
static mpc_err commit(const mpc_ctx *ctx, mpc_zk_fac_proof *proof,
                      const mpc_paillier_sk *sk, const mpc_rped *rp,
                      const nonces *s)
{
    const mpc_params *pm = rp->params;
    size_t h = pm->prime_bits, le = (size_t)pm->ell + pm->eps;
    size_t lh = pm->ell + (size_t)pm->n_bits;
    mpc_err err = mpc_rped_commit(ctx, rp, proof->P, sk->p, h, s->mu, lh);
    if (err == MPC_OK)
        err = mpc_rped_commit(ctx, rp, proof->Q, sk->q, h, s->nu, lh);
    if (err == MPC_OK)
        err = mpc_rped_commit(ctx, rp, proof->A, s->alpha, le + h, s->x,
                              le + pm->n_bits);
    if (err == MPC_OK)
        err = mpc_rped_commit(ctx, rp, proof->B, s->beta, le + h, s->y,
                              le + pm->n_bits);
    if (err != MPC_OK)
        return err;
    /* Published before T: Q is inverted below in variable time. */
    const mpz_srcptr pub[] = {proof->P, proof->Q, proof->A, proof->B};
    mpc_zk_publish(pub, sizeof pub / sizeof *pub);
    /* T = Q^α t^r; Q is public (a unit: s and t are), so is its inverse. */
    mpz_t q_inv, qa, tr;
    mpz_inits(q_inv, qa, tr, NULL);
    err = mpc_bn_invert_var(q_inv, proof->Q, rp->n) == MPC_OK
              ? MPC_OK
              : MPC_ERR_INVALID_ARG;
    if (err == MPC_OK)
        err = mpc_bn_powm_signed_sec(ctx, qa, proof->Q, q_inv, s->alpha, le + h,
                                     rp->n);
    if (err == MPC_OK)
        err = mpc_bn_powm_signed_sec(ctx, tr, rp->t, rp->t_inv, s->r,
                                     le + 2 * (size_t)pm->n_bits, rp->n);
    if (err == MPC_OK)
        err = mpc_bn_mulmod_sec(ctx, proof->T, qa, tr, rp->n);
    if (err == MPC_OK) {
        const mpz_srcptr pub_t[] = {proof->T};
        mpc_zk_publish(pub_t, 1);
    }
    mpz_clear(q_inv);
    mpc_bn_clear(qa);
    mpc_bn_clear(tr);
    return err;
}

/*
 * out = a + e b for a secret signed a, a public signed e and a secret
 * b_mod = b mod M, M = 2^k_m > 2 |a + e b|. The sum is formed modulo M
 * with `_sec` functions, so no sign or comparison of a secret is ever
 * branched on; the result is public, and only then read as a signed
 * integer in (-M/2, M/2).
 */
static mpc_err lin(const mpc_ctx *ctx, mpz_t out, const mpz_t a, const mpz_t e,
                   const mpz_t b_mod, const mpz_t m)
{
    mpz_t am, eb, abs_e;
    mpz_inits(am, eb, abs_e, NULL);
    mpz_abs(abs_e, e);
    mpc_err err = mpc_bn_mod_sec(ctx, am, a, m);
    if (err == MPC_OK)
        err = mpc_bn_mulmod_sec(ctx, eb, abs_e, b_mod, m);
    if (err == MPC_OK)
        err = mpz_sgn(e) >= 0 ? mpc_bn_addmod_sec(ctx, out, am, eb, m)
                              : mpc_bn_submod_sec(ctx, out, am, eb, m);
    if (err == MPC_OK) {
        const mpz_srcptr pub[] = {out};
        mpc_zk_publish(pub, 1);
    }
    if (err == MPC_OK && mpz_sizeinbase(out, 2) == mpz_sizeinbase(m, 2) - 1)
        mpz_sub(out, out, m); /* out >= M/2: public */
    mpc_bn_clear(am);
    mpc_bn_clear(eb);
    mpz_clear(abs_e);
    return err;
}

/* The responses (header), with M = 2^(kv + 2). */
static mpc_err respond(const mpc_ctx *ctx, mpc_zk_fac_proof *proof,
                       const mpc_paillier_sk *sk, const nonces *s,
                       const mpz_t e, const mpc_params *pm)
{
    mpz_t m, bm, neg_e;
    mpz_inits(m, bm, neg_e, NULL);
    mpz_setbit(m, k_v(pm) + 2);
    mpz_neg(neg_e, e);
    mpc_err err = lin(ctx, proof->z1, s->alpha, e, sk->p, m);
    if (err == MPC_OK)
        err = lin(ctx, proof->z2, s->beta, e, sk->q, m);
    if (err == MPC_OK)
        err = mpc_bn_mod_sec(ctx, bm, s->mu, m);
    if (err == MPC_OK)
        err = lin(ctx, proof->w1, s->x, e, bm, m);
    if (err == MPC_OK)
        err = mpc_bn_mod_sec(ctx, bm, s->nu, m);
    if (err == MPC_OK)
        err = lin(ctx, proof->w2, s->y, e, bm, m);
    if (err == MPC_OK)
        err = mpc_bn_mulmod_sec(ctx, bm, bm, sk->p, m); /* ν p mod M */
    if (err == MPC_OK)
        err = lin(ctx, proof->v, s->r, neg_e, bm, m);
    mpz_clear(m);
    mpc_bn_clear(bm);
    mpz_clear(neg_e);
    return err;
}

/* The bits of x at positions h and above, for x of at most
 * mpc_bn_limbs_for_bits(h) limbs; zero iff x < 2^h. Branches on the limb
 * count (public, mpc/bn.h) only. */
static mp_limb_t bits_above(const mpz_t x, size_t h)
{
    size_t n = mpz_size(x), r = h % GMP_NUMB_BITS;
    if (n < mpc_bn_limbs_for_bits(h) || r == 0)
        return 0;
    return mpz_limbs_read(x)[n - 1] >> r;
}

/* p q = N, each of at most prime_bits bits. The signs and limb counts are
 * public (mpc/bn.h); the limbs are compared without a branch, and only the
 * outcome, the same for every valid key, is declassified. */
static mpc_err witness_ok(const mpc_ctx *ctx, const mpc_paillier_sk *sk)
{
    size_t h = sk->pk.params->prime_bits, hn = mpc_bn_limbs_for_bits(h);
    size_t n = mpz_size(sk->pk.n);
    if (mpz_sgn(sk->p) <= 0 || mpz_sgn(sk->q) <= 0 || mpz_size(sk->p) > hn ||
        mpz_size(sk->q) > hn)
        return MPC_ERR_INVALID_ARG;
    mpz_t pq;
    mpz_init(pq);
    mpc_err err = mpc_bn_mul_sec(ctx, pq, sk->p, sk->q);
    if (err == MPC_OK && mpz_size(pq) != n)
        err = MPC_ERR_INVALID_ARG;
    if (err == MPC_OK) {
        mp_limb_t above = bits_above(sk->p, h) | bits_above(sk->q, h);
        bool ok =
            (above == 0) & (mpc_bn_limbs_eq(mpz_limbs_read(pq),
                                            mpz_limbs_read(sk->pk.n), n) == 1);
        mpc_declassify(&ok, sizeof ok); /* differs only on misuse */
        err = ok ? MPC_OK : MPC_ERR_INVALID_ARG;
    }
    mpc_bn_clear(pq);
    return err;
}

/* Whether |z1|, |z2| are within the verifier's range (public values). */
static bool in_z_range(const mpc_zk_fac_proof *proof, const mpz_t n,
                       const mpc_params *pm)
{
    mpz_t r;
    mpz_init(r);
    z_range(r, n, pm);
    bool ok = mpz_cmpabs(proof->z1, r) <= 0 && mpz_cmpabs(proof->z2, r) <= 0;
    mpz_clear(r);
    return ok;
}

mpc_err mpc_zk_fac_prove(const mpc_ctx *ctx, mpc_zk_fac_proof *proof,
                         mpc_transcript *t, const mpc_paillier_sk *sk,
                         const mpc_rped *rp)
{
    if (proof == NULL)
        return MPC_ERR_INVALID_ARG;
    reset(proof);
    if (ctx == NULL || t == NULL || sk == NULL || !rped_ok(rp) ||
        sk->pk.params != rp->params || mpz_sgn(sk->pk.n) <= 0 ||
        mpz_sizeinbase(sk->pk.n, 2) > rp->params->n_bits)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = witness_ok(ctx, sk);
    if (err != MPC_OK)
        return err;
    const mpc_params *pm = rp->params;
    nonces s;
    mpz_t e;
    nonces_init(&s);
    mpz_init(e);
    err = sample(ctx, &s, sk->pk.n, rp->n, pm);
    if (err == MPC_OK)
        err = commit(ctx, proof, sk, rp, &s);
    if (err == MPC_OK)
        err = challenge(t, e, sk->pk.n, rp, proof);
    if (err == MPC_OK)
        err = respond(ctx, proof, sk, &s, e, pm);
    if (err == MPC_OK && !in_z_range(proof, sk->pk.n, pm))
        err = MPC_ERR_INTERNAL;
    nonces_clear(&s);
    mpz_clear(e);
    if (err != MPC_OK) {
        reset(proof);
        return err;
    }
    proof->params = pm;
    return MPC_OK;
}

/* ---- Verifier ---------------------------------------------------------- */

/* Checks 1-3. */
static bool statement_ok(const mpc_zk_fac_proof *proof, const mpz_t n,
                         const mpc_rped *rp)
{
    const mpc_params *pm = rp->params;
    mpz_t floor4l; /* 2^(4ℓ) */
    mpz_init(floor4l);
    mpz_setbit(floor4l, 4 * (mp_bitcnt_t)pm->ell);
    bool size_ok =
        mpz_sizeinbase(n, 2) >= pm->n_min_bits && mpz_cmp(n, floor4l) > 0;
    mpz_clear(floor4l);
    if (!size_ok)
        return false;
    for (size_t i = 0; i < COMMITS; i++)
        if (!mpc_bn_is_unit_var(cfield(proof, i), rp->n))
            return false;
    return in_z_range(proof, n, pm);
}

/* out = s^x t^y mod N̂ for public signed x, y. */
static mpc_err commit_var(mpz_t out, const mpc_rped *rp,
                          const mpc_rped_table *tab, const mpz_t x,
                          const mpz_t y)
{
    return tab != NULL ? mpc_rped_table_commit_var(tab, out, x, y)
                       : mpc_rped_commit_var(rp, out, x, y);
}

/* lhs ≟ base^e · c (mod N̂): one side of checks 4 and 5. */
static bool eq_pow(const mpz_t lhs, const mpz_t c, const mpz_t base,
                   const mpz_t e, const mpz_t nhat, mpz_t tmp)
{
    if (mpc_bn_powm_var(tmp, base, e, nhat) != MPC_OK)
        return false;
    mpz_mul(tmp, tmp, c);
    mpz_mod(tmp, tmp, nhat);
    return mpz_cmp(lhs, tmp) == 0;
}

/* Checks 4-6 for challenge e. */
static mpc_err equations_ok(const mpc_zk_fac_proof *proof, const mpz_t n,
                            const mpc_rped *rp, const mpc_rped_table *tab,
                            const mpz_t e)
{
    mpz_t lhs, rhs, tmp, zero;
    mpz_inits(lhs, rhs, tmp, zero, NULL);
    mpc_err err = commit_var(lhs, rp, tab, proof->z1, proof->w1);
    if (err == MPC_OK && !eq_pow(lhs, proof->A, proof->P, e, rp->n, tmp))
        err = MPC_ERR_VERIFY;
    if (err == MPC_OK)
        err = commit_var(lhs, rp, tab, proof->z2, proof->w2);
    if (err == MPC_OK && !eq_pow(lhs, proof->B, proof->Q, e, rp->n, tmp))
        err = MPC_ERR_VERIFY;
    /* Q^z1 t^v ≟ T s^(N e) */
    if (err == MPC_OK)
        err = commit_var(lhs, rp, tab, zero, proof->v);
    if (err == MPC_OK)
        err = mpc_bn_powm_var(tmp, proof->Q, proof->z1, rp->n);
    if (err == MPC_OK) {
        mpz_mul(lhs, lhs, tmp);
        mpz_mod(lhs, lhs, rp->n);
        mpz_mul(tmp, n, e);
        err = commit_var(rhs, rp, tab, tmp, zero);
    }
    if (err == MPC_OK) {
        mpz_mul(rhs, rhs, proof->T);
        mpz_mod(rhs, rhs, rp->n);
        if (mpz_cmp(lhs, rhs) != 0)
            err = MPC_ERR_VERIFY;
    }
    mpz_clears(lhs, rhs, tmp, zero, NULL);
    return err;
}

static bool table_ok(const mpc_rped_table *tab, const mpc_rped *rp)
{
    return tab == NULL ||
           (tab->s.pow != NULL && tab->t.pow != NULL &&
            mpz_cmp(tab->s.m, rp->n) == 0 && mpz_cmp(tab->t.m, rp->n) == 0);
}

mpc_err mpc_zk_fac_verify(mpc_transcript *t, const mpc_zk_fac_proof *proof,
                          const mpc_paillier_pk *pk, const mpc_rped *rp,
                          const mpc_rped_table *tab)
{
    if (t == NULL || proof == NULL || pk == NULL || !rped_ok(rp) ||
        pk->params != rp->params || proof->params != rp->params ||
        mpz_sgn(pk->n) <= 0 || mpz_sizeinbase(pk->n, 2) > rp->params->n_bits ||
        !table_ok(tab, rp))
        return MPC_ERR_INVALID_ARG;
    if (!statement_ok(proof, pk->n, rp))
        return MPC_ERR_VERIFY;
    mpz_t e;
    mpz_init(e);
    mpc_err err = challenge(t, e, pk->n, rp, proof);
    if (err == MPC_OK)
        err = equations_ok(proof, pk->n, rp, tab, e);
    mpz_clear(e);
    /* s and t are units and so are P, Q (check 2): a failed power is a
     * broken invariant of rp, reported as a failed proof all the same. */
    return err == MPC_ERR_INVALID_ARG ? MPC_ERR_VERIFY : err;
}

/* ---- Encoding ---------------------------------------------------------- */

size_t mpc_zk_fac_proof_bytes(const mpc_params *params)
{
    if (!params_ok(params))
        return 0;
    size_t len = COMMITS * params->n_bytes;
    for (size_t i = 0; i < FIELDS - COMMITS; i++)
        len += response_len(params, i);
    return len;
}

mpc_err mpc_zk_fac_proof_serialize(uint8_t *out, size_t len,
                                   const mpc_zk_fac_proof *proof)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    const mpc_params *pm = proof != NULL ? proof->params : NULL;
    size_t want = mpc_zk_fac_proof_bytes(pm);
    mpc_err err = want != 0 && len == want ? MPC_OK : MPC_ERR_INVALID_ARG;
    uint8_t *o = out;
    for (size_t i = 0; i < COMMITS && err == MPC_OK; i++, o += pm->n_bytes)
        err = mpc_bn_serialize(o, pm->n_bytes, cfield(proof, i));
    mpz_t bound;
    mpz_init(bound);
    for (size_t i = 0; i < FIELDS - COMMITS && err == MPC_OK; i++) {
        size_t fl = response_len(pm, i);
        mpz_set_ui(bound, 0);
        mpz_setbit(bound, k_response(pm, i));
        err = mpz_cmpabs(cfield(proof, COMMITS + i), bound) <= 0
                  ? mpc_bn_serialize_signed(o, fl, cfield(proof, COMMITS + i))
                  : MPC_ERR_INVALID_ARG;
        o += fl;
    }
    mpz_clear(bound);
    if (err != MPC_OK) {
        memset(out, 0, len);
        return MPC_ERR_INVALID_ARG;
    }
    return MPC_OK;
}

mpc_err mpc_zk_fac_proof_parse(mpc_zk_fac_proof *proof, const mpc_rped *rp,
                               const uint8_t *in, size_t len)
{
    if (proof == NULL)
        return MPC_ERR_INVALID_ARG;
    reset(proof);
    if (!rped_ok(rp) || in == NULL)
        return MPC_ERR_INVALID_ARG;
    const mpc_params *pm = rp->params;
    size_t nb = pm->n_bytes;
    bool ok = len == mpc_zk_fac_proof_bytes(pm);
    const uint8_t *p = in;
    for (size_t i = 0; ok && i < COMMITS; i++, p += nb) {
        mpz_import(field(proof, i), nb, 1, 1, 1, 0, p);
        ok = mpz_cmp(field(proof, i), rp->n) < 0;
    }
    mpz_t bound;
    mpz_init(bound);
    for (size_t i = 0; ok && i < FIELDS - COMMITS; i++) {
        size_t fl = response_len(pm, i);
        mpz_set_ui(bound, 0);
        mpz_setbit(bound, k_response(pm, i));
        ok = mpc_bn_parse_signed(field(proof, COMMITS + i), p, fl, bound) ==
             MPC_OK;
        p += fl;
    }
    mpz_clear(bound);
    if (!ok) {
        reset(proof);
        return MPC_ERR_PARSE;
    }
    proof->params = pm;
    return MPC_OK;
}
