/*
 * Πmod, the Paillier-Blum modulus proof (include/mpc/zk_mod.h): CGGMP21
 * Fig. 16 with the checks of the 2024 revision (Fig. 12) and the LFDT spec.
 */
#include "mpc/zk_mod.h"

#include <string.h>

#include "lib/zk/zk_internal.h"
#include "mpc/bn.h"
#include "mpc/mem.h"

/* Draws of w before giving up; each succeeds with probability about 1/2,
 * so running out means the rng is broken. */
#define MAX_W_DRAWS 128

void mpc_zk_mod_proof_init(mpc_zk_mod_proof *proof)
{
    if (proof == NULL)
        return;
    proof->params = NULL;
    mpz_init(proof->w);
    for (size_t i = 0; i < MPC_ZK_MOD_ROUNDS_MAX; i++) {
        mpz_init(proof->x[i]);
        mpz_init(proof->z[i]);
    }
    memset(proof->a, 0, sizeof proof->a);
    memset(proof->b, 0, sizeof proof->b);
}

void mpc_zk_mod_proof_clear(mpc_zk_mod_proof *proof)
{
    if (proof == NULL)
        return;
    mpz_clear(proof->w);
    for (size_t i = 0; i < MPC_ZK_MOD_ROUNDS_MAX; i++) {
        mpz_clear(proof->x[i]);
        mpz_clear(proof->z[i]);
    }
    proof->params = NULL;
}

static void reset(mpc_zk_mod_proof *proof)
{
    proof->params = NULL;
    mpz_set_ui(proof->w, 0);
    for (size_t i = 0; i < MPC_ZK_MOD_ROUNDS_MAX; i++) {
        mpz_set_ui(proof->x[i], 0);
        mpz_set_ui(proof->z[i], 0);
    }
    memset(proof->a, 0, sizeof proof->a);
    memset(proof->b, 0, sizeof proof->b);
}

static bool params_ok(const mpc_params *params)
{
    return params != NULL && params->m >= 1 &&
           params->m <= MPC_ZK_MOD_ROUNDS_MAX &&
           params->n_bytes <= MPC_PARAMS_MAX_N_BYTES;
}

/* A key whose N fits the set's n_bytes (parsed and generated keys do; the
 * encoding and the transcript rely on it). */
static bool pk_ok(const mpc_paillier_pk *pk)
{
    return pk != NULL && params_ok(pk->params) && mpz_sgn(pk->n) > 0 &&
           mpz_sizeinbase(pk->n, 2) <= 8 * pk->params->n_bytes;
}

/* Whether 0 <= x < 2^(8 len). */
static bool fits(const mpz_t x, size_t len)
{
    return mpz_sgn(x) >= 0 && mpz_sizeinbase(x, 2) <= 8 * len;
}

/* out = x as exactly len big-endian bytes; x is public and fits. */
static void put_int(uint8_t *out, size_t len, const mpz_t x)
{
    size_t used = (mpz_sizeinbase(x, 2) + 7) / 8;
    memset(out, 0, len);
    if (mpz_sgn(x) != 0)
        mpz_export(out + len - used, NULL, 1, 1, 1, 0, x);
}

/* The statement and the first message, in the order the header gives. */
static void absorb(mpc_transcript *t, const mpc_params *params, const mpz_t n,
                   const mpz_t w)
{
    uint8_t buf[MPC_PARAMS_MAX_N_BYTES];
    size_t nb = params->n_bytes;
    mpc_transcript_append_u64(t, "zk.mod.params", (uint64_t)params->id);
    mpc_transcript_append_u64(t, "zk.mod.m", params->m);
    put_int(buf, nb, n);
    mpc_transcript_append(t, "zk.mod.N", buf, nb);
    put_int(buf, nb, w);
    mpc_transcript_append(t, "zk.mod.w", buf, nb);
}

/* The next challenge y ∈ Z_N (mpc_zk_challenge_below). */
static mpc_err derive_y(mpc_transcript *t, mpz_t y, const mpz_t n)
{
    return mpc_zk_challenge_below(t, "zk.mod.y", y, n);
}

/* ---- Prover ------------------------------------------------------------ */

/*
 * Per round, with u = w^b y and b = [Jacobi(y, N) = -1] (public): u has
 * Jacobi symbol +1, so it is a square mod both primes or mod neither, and
 * one sign (-1)^a makes (-1)^a u a square mod both (-1 is a non-square mod
 * each Blum prime). For a prime r ≡ 3 (mod 4) and e4 = ((r + 1) / 4)^2
 * mod (r - 1), x_r = u^e4 satisfies x_r^4 ≡ χ_r(u) u (mod r), χ_r the
 * Legendre symbol: x_r is a 4th root of (-1)^a u with (-1)^a = χ_r(u), and
 * a is read off x_r^4 ∈ {u, -u} by parity (r is odd), with no comparison.
 * If e4 is odd (r ≡ 3 mod 8), (-1)^a x_r is the root that is a square,
 * the one the paper's prover sends. So each round costs two
 * exponentiations per prime: x_r and z_r = y^(N^-1 mod (r - 1)).
 */

/* What the prover needs per prime factor r (p or q), all secret but
 * e4_odd, which is bit 2 of r: the low three bits of our primes are public
 * (mpc/bn.h). */
typedef struct factor {
    mpz_srcptr r;
    size_t bits;  /* bitlen(r): public under the bn.h policy */
    mpz_t root4;  /* e4 = ((r + 1) / 4)^2 mod (r - 1) */
    mpz_t n_root; /* N^-1 mod (r - 1): the N-th root */
    bool e4_odd;
} factor;

static void factor_clear(factor *f)
{
    mpc_bn_clear(f->root4);
    mpc_bn_clear(f->n_root);
}

/*
 * d = N^-1 mod φ(N), the exponent of the N-th roots, by one inversion
 * modulo the public N rather than modulo a value derived from the secret
 * primes (whose modulus set-up reads would need their own argument): with
 * v = φ(N)^-1 mod N, φ(N) v = 1 + N t for t = floor(φ(N) v / N), so
 * N (-t) ≡ 1 (mod φ(N)). v exists iff gcd(N, φ(N)) = 1, which a
 * Paillier-Blum key has; the caller learns whether it did.
 */
static mpc_err nth_root_exp(const mpc_ctx *ctx, mpz_t d,
                            const mpc_paillier_sk *sk)
{
    mpz_t v, zero;
    mpz_inits(v, zero, NULL);
    mpc_err err = mpc_bn_invert_sec(ctx, v, sk->phi, sk->pk.n);
    if (err == MPC_OK)
        err = mpc_bn_mul_sec(ctx, v, v, sk->phi);
    if (err == MPC_OK)
        err = mpc_bn_divmod_sec(ctx, v, NULL, v, sk->pk.n); /* t */
    if (err == MPC_OK)
        err = mpc_bn_submod_sec(ctx, d, zero, v, sk->phi);
    mpc_bn_clear(v);
    mpz_clear(zero);
    return err;
}

/*
 * Fills f for the prime r of N, given d = N^-1 mod φ(N), with `_sec`
 * functions only, as r is secret, and with no modulus derived from r but
 * r - 1, which is r with bit 0 cleared: GMP's set-up of a secret modulus
 * reads its top and low bits (mpc/bn.h), and those of r - 1 are r's own.
 * (r + 1) / 4 = floor(r / 4) + 1 for r ≡ 3 (mod 4).
 */
static mpc_err factor_init(const mpc_ctx *ctx, factor *f, const mpz_t r,
                           const mpz_t d)
{
    f->r = r;
    f->bits = mpz_sizeinbase(r, 2);
    f->e4_odd = mpz_tstbit(r, 2) == 0; /* (r + 1) / 4 odd iff r ≡ 3 mod 8 */
    mpz_inits(f->root4, f->n_root, NULL);
    mpz_t k, rm1, one, four;
    mpz_inits(k, rm1, NULL);
    mpz_init_set_ui(one, 1);
    mpz_init_set_ui(four, 4);
    mpz_set(rm1, r);
    mpz_clrbit(rm1, 0);
    mpc_err err = mpc_bn_divmod_sec(ctx, k, NULL, r, four);
    if (err == MPC_OK)
        err = mpc_bn_addmod_sec(ctx, k, k, one, rm1); /* (r + 1) / 4 */
    if (err == MPC_OK)
        err = mpc_bn_mulmod_sec(ctx, f->root4, k, k, rm1);
    if (err == MPC_OK) /* (r - 1) | φ(N) */
        err = mpc_bn_mod_sec(ctx, f->n_root, d, rm1);
    mpc_bn_clear(k);
    mpc_bn_clear(rm1);
    mpz_clears(one, four, NULL);
    return err;
}

/*
 * x_r = u^e4 mod r and *neg = 1 if x_r^4 ≡ -u (mod r), 0 if ≡ u. *neg is
 * the proof's a_i (published), so it is declassified here.
 */
static mpc_err root4(const mpc_ctx *ctx, mpz_t x_r, unsigned *neg,
                     const mpz_t u, const factor *f)
{
    mpz_t x4, u_r;
    mpz_inits(x4, u_r, NULL);
    mpc_err err = mpc_bn_powm_sec(ctx, x_r, u, f->root4, f->bits, f->r);
    if (err == MPC_OK)
        err = mpc_bn_mulmod_sec(ctx, x4, x_r, x_r, f->r);
    if (err == MPC_OK)
        err = mpc_bn_mulmod_sec(ctx, x4, x4, x4, f->r);
    if (err == MPC_OK)
        err = mpc_bn_mod_sec(ctx, u_r, u, f->r);
    *neg = 0;
    if (err == MPC_OK)
        *neg = (unsigned)(mpz_tstbit(x4, 0) ^ mpz_tstbit(u_r, 0));
    mpc_declassify(neg, sizeof *neg);
    mpc_bn_clear(x4);
    mpc_bn_clear(u_r);
    return err;
}

/* x = -x mod r, without branching on x or r. */
static mpc_err negate(const mpc_ctx *ctx, mpz_t x, const mpz_t r)
{
    mpz_t zero;
    mpz_init(zero);
    mpc_err err = mpc_bn_submod_sec(ctx, x, zero, x, r);
    mpz_clear(zero);
    return err;
}

/*
 * Samples w ∈ Z*_N with Jacobi(w, N) = -1. Each draw is declassified before
 * its Jacobi symbol is computed: the one kept is published, and a rejected
 * one is discarded, independent of the key and of the draw kept.
 */
static mpc_err sample_w(const mpc_ctx *ctx, mpz_t w, const mpz_t n)
{
    for (int i = 0; i < MAX_W_DRAWS; i++) {
        mpc_err err = mpc_bn_random_below(ctx, w, n);
        if (err != MPC_OK)
            return err;
        mpc_zk_publish((const mpz_srcptr[]){w}, 1);
        if (mpc_bn_jacobi_var(w, n) == -1) /* -1 implies gcd(w, N) = 1 */
            return MPC_OK;
    }
    return MPC_ERR_INTERNAL;
}

/* One repetition for challenge y: a, b, x, z of round i. */
static mpc_err prove_round(const mpc_ctx *ctx, mpc_zk_mod_proof *proof,
                           size_t i, const mpc_paillier_sk *sk,
                           const factor *fp, const factor *fq, const mpz_t y,
                           mpz_t u)
{
    const mpz_srcptr n = sk->pk.n;
    unsigned b = mpc_bn_jacobi_var(y, n) == -1, neg = 0, neg_q = 0;
    mpz_set(u, y);
    if (b) { /* public */
        mpz_mul(u, u, proof->w);
        mpz_mod(u, u, n);
    }
    mpz_t xp, xq, zp, zq;
    mpz_inits(xp, xq, zp, zq, NULL);
    mpc_err err = root4(ctx, xp, &neg, u, fp);
    if (err == MPC_OK)
        err = root4(ctx, xq, &neg_q, u, fq);
    /* u has Jacobi symbol +1, so neg == neg_q unless the key is not a
     * Paillier-Blum key. a = neg is published: branching on it leaks
     * nothing. */
    if (err == MPC_OK && neg != neg_q)
        err = MPC_ERR_INVALID_ARG;
    if (err == MPC_OK && neg && fp->e4_odd)
        err = negate(ctx, xp, sk->p);
    if (err == MPC_OK && neg && fq->e4_odd)
        err = negate(ctx, xq, sk->q);
    if (err == MPC_OK)
        err =
            mpc_bn_crt_sec(ctx, proof->x[i], xp, sk->p, xq, sk->q, sk->q_inv_p);
    if (err == MPC_OK)
        err = mpc_bn_powm_sec(ctx, zp, y, fp->n_root, fp->bits, sk->p);
    if (err == MPC_OK)
        err = mpc_bn_powm_sec(ctx, zq, y, fq->n_root, fq->bits, sk->q);
    if (err == MPC_OK)
        err =
            mpc_bn_crt_sec(ctx, proof->z[i], zp, sk->p, zq, sk->q, sk->q_inv_p);
    if (err == MPC_OK)
        mpc_zk_publish((const mpz_srcptr[]){proof->x[i], proof->z[i]}, 2);
    proof->a[i] = (uint8_t)neg;
    proof->b[i] = (uint8_t)b;
    mpc_bn_clear(xp);
    mpc_bn_clear(xq);
    mpc_bn_clear(zp);
    mpc_bn_clear(zq);
    return err;
}

mpc_err mpc_zk_mod_prove(const mpc_ctx *ctx, mpc_zk_mod_proof *proof,
                         mpc_transcript *t, const mpc_paillier_sk *sk)
{
    if (proof == NULL)
        return MPC_ERR_INVALID_ARG;
    reset(proof);
    if (ctx == NULL || t == NULL || sk == NULL || !pk_ok(&sk->pk))
        return MPC_ERR_INVALID_ARG;
    const mpc_params *params = sk->pk.params;
    const mpz_srcptr n = sk->pk.n;
    factor fp, fq;
    mpz_t y, u, d;
    mpz_inits(y, u, d, NULL);
    mpc_err err = nth_root_exp(ctx, d, sk);
    mpc_err err_p = factor_init(ctx, &fp, sk->p, d);
    mpc_err err_q = factor_init(ctx, &fq, sk->q, d);
    if (err == MPC_OK)
        err = err_p != MPC_OK ? err_p : err_q;
    if (err == MPC_OK)
        err = sample_w(ctx, proof->w, n);
    if (err == MPC_OK)
        absorb(t, params, n, proof->w);
    for (size_t i = 0; i < params->m && err == MPC_OK; i++) {
        err = derive_y(t, y, n);
        if (err == MPC_OK)
            err = prove_round(ctx, proof, i, sk, &fp, &fq, y, u);
    }
    factor_clear(&fp);
    factor_clear(&fq);
    mpc_bn_clear(d);
    mpz_clears(y, u, NULL);
    if (err != MPC_OK) {
        reset(proof);
        return err;
    }
    proof->params = params;
    return MPC_OK;
}

/* ---- Verifier ---------------------------------------------------------- */

/* Check 2: a base-2 Fermat test. Every prime passes it, so a prime N is
 * always rejected; a composite base-2 pseudoprime is rejected too, which
 * costs an honest prover nothing (its N is a product of two large
 * primes). */
static bool fermat_prime(const mpz_t n)
{
    mpz_t e, r;
    mpz_inits(e, r, NULL);
    mpz_sub_ui(e, n, 1);
    mpz_set_ui(r, 2);
    bool prime = mpc_bn_powm_var(r, r, e, n) == MPC_OK && mpz_cmp_ui(r, 1) == 0;
    mpz_clears(e, r, NULL);
    return prime;
}

/* Checks 1-4: the statement and w. */
static bool header_ok(const mpc_zk_mod_proof *proof, const mpz_t n,
                      const mpc_params *params)
{
    return mpz_odd_p(n) && mpz_sizeinbase(n, 2) >= params->n_min_bits &&
           !fermat_prime(n) && mpc_bn_is_unit_var(proof->w, n) &&
           mpc_bn_jacobi_var(proof->w, n) == -1;
}

/* Checks 5-8 for round i and challenge y. */
static bool round_ok(const mpc_zk_mod_proof *proof, size_t i, const mpz_t y,
                     const mpz_t n, mpz_t lhs, mpz_t rhs)
{
    if (!mpc_bn_is_unit_var(y, n) || !mpc_bn_is_unit_var(proof->x[i], n) ||
        !mpc_bn_is_unit_var(proof->z[i], n) || proof->a[i] > 1 ||
        proof->b[i] > 1)
        return false;
    if (mpc_bn_powm_var(lhs, proof->z[i], n, n) != MPC_OK ||
        mpz_cmp(lhs, y) != 0)
        return false;
    mpz_powm_ui(lhs, proof->x[i], 4, n);
    mpz_set(rhs, y);
    if (proof->a[i])
        mpz_sub(rhs, n, rhs);
    if (proof->b[i]) {
        mpz_mul(rhs, rhs, proof->w);
        mpz_mod(rhs, rhs, n);
    }
    return mpz_cmp(lhs, rhs) == 0;
}

mpc_err mpc_zk_mod_verify(mpc_transcript *t, const mpc_zk_mod_proof *proof,
                          const mpc_paillier_pk *pk)
{
    if (t == NULL || proof == NULL || !pk_ok(pk) || proof->params != pk->params)
        return MPC_ERR_INVALID_ARG;
    const mpc_params *params = pk->params;
    if (!header_ok(proof, pk->n, params))
        return MPC_ERR_VERIFY;
    absorb(t, params, pk->n, proof->w);
    mpz_t y, lhs, rhs;
    mpz_inits(y, lhs, rhs, NULL);
    mpc_err err = MPC_OK;
    for (size_t i = 0; i < params->m && err == MPC_OK; i++) {
        if (derive_y(t, y, pk->n) != MPC_OK ||
            !round_ok(proof, i, y, pk->n, lhs, rhs))
            err = MPC_ERR_VERIFY;
    }
    mpz_clears(y, lhs, rhs, NULL);
    return err;
}

/* ---- Encoding ---------------------------------------------------------- */

size_t mpc_zk_mod_proof_bytes(const mpc_params *params)
{
    if (!params_ok(params))
        return 0;
    return params->n_bytes + params->m * (2 * params->n_bytes + 1);
}

mpc_err mpc_zk_mod_proof_serialize(uint8_t *out, size_t len,
                                   const mpc_zk_mod_proof *proof)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    const mpc_params *params = proof != NULL ? proof->params : NULL;
    size_t want = mpc_zk_mod_proof_bytes(params);
    bool ok = want != 0 && len == want && fits(proof->w, params->n_bytes);
    for (size_t i = 0; ok && i < params->m; i++)
        ok = fits(proof->x[i], params->n_bytes) &&
             fits(proof->z[i], params->n_bytes) && proof->a[i] <= 1 &&
             proof->b[i] <= 1;
    if (!ok) {
        memset(out, 0, len);
        return MPC_ERR_INVALID_ARG;
    }
    size_t nb = params->n_bytes;
    uint8_t *o = out;
    put_int(o, nb, proof->w);
    o += nb;
    for (size_t i = 0; i < params->m; i++) {
        put_int(o, nb, proof->x[i]);
        put_int(o + nb, nb, proof->z[i]);
        o[2 * nb] = (uint8_t)(proof->a[i] | proof->b[i] << 1);
        o += 2 * nb + 1;
    }
    return MPC_OK;
}

/* x = the nb bytes at in; false if x >= n. */
static bool get_int(mpz_t x, const uint8_t *in, size_t nb, const mpz_t n)
{
    mpz_import(x, nb, 1, 1, 1, 0, in);
    return mpz_cmp(x, n) < 0;
}

mpc_err mpc_zk_mod_proof_parse(mpc_zk_mod_proof *proof,
                               const mpc_paillier_pk *pk, const uint8_t *in,
                               size_t len)
{
    if (proof == NULL)
        return MPC_ERR_INVALID_ARG;
    reset(proof);
    if (!pk_ok(pk) || in == NULL)
        return MPC_ERR_INVALID_ARG;
    const mpc_params *params = pk->params;
    size_t nb = params->n_bytes;
    bool ok = len == mpc_zk_mod_proof_bytes(params) &&
              get_int(proof->w, in, nb, pk->n);
    const uint8_t *p = in + nb;
    for (size_t i = 0; ok && i < params->m; i++, p += 2 * nb + 1) {
        ok = get_int(proof->x[i], p, nb, pk->n) &&
             get_int(proof->z[i], p + nb, nb, pk->n) && p[2 * nb] < 4;
        if (ok) {
            proof->a[i] = p[2 * nb] & 1;
            proof->b[i] = p[2 * nb] >> 1;
        }
    }
    if (!ok) {
        reset(proof);
        return MPC_ERR_PARSE;
    }
    proof->params = params;
    return MPC_OK;
}
