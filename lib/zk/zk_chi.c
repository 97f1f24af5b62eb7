/* Πlog*χ: exponent vs Paillier encryption in the wide χ range
 * (mpc/zk_chi.h). */
#include "mpc/zk_chi.h"

#include <string.h>

#include "mpc/mem.h"
#include "zk_internal.h"

static const char LABEL[] = "cggmp21/log*chi";

#define Y_BYTES MPC_SECP256K1_POINT_BYTES

enum { NFIELDS = 6 };

void mpc_zk_chi_proof_init(mpc_zk_chi_proof *proof)
{
    memset(proof->y, 0, sizeof proof->y);
    mpz_inits(proof->s, proof->a, proof->d, proof->z1, proof->z2, proof->z3,
              NULL);
}

void mpc_zk_chi_proof_clear(mpc_zk_chi_proof *proof)
{
    if (proof == NULL)
        return;
    memset(proof->y, 0, sizeof proof->y);
    mpz_clears(proof->s, proof->a, proof->d, proof->z1, proof->z2, proof->z3,
               NULL);
}

static void zero(mpc_zk_chi_proof *proof)
{
    memset(proof->y, 0, sizeof proof->y);
    mpz_set_ui(proof->s, 0);
    mpz_set_ui(proof->a, 0);
    mpz_set_ui(proof->d, 0);
    mpz_set_ui(proof->z1, 0);
    mpz_set_ui(proof->z2, 0);
    mpz_set_ui(proof->z3, 0);
}

size_t mpc_zk_chi_bits(const mpc_params *params)
{
    return params == NULL ? 0
                          : (size_t)params->ell_prime + MPC_ZK_CHI_EXTRA_BITS;
}

/* ℓ_χ + ε: the range of α and z1. */
static size_t z1_bits(const mpc_params *params)
{
    return mpc_zk_chi_bits(params) + params->eps;
}

/* |z3| <= 2^{ℓ_χ+ε} N̂ + Q 2^{ℓ_χ} N̂ < 2^{ℓ_χ+ε+n_bits+1}. */
static size_t z3_bits(const mpc_params *params)
{
    return z1_bits(params) + params->n_bits + 1;
}

static void layout(mpc_zk_field f[NFIELDS], const mpc_params *params)
{
    f[0] = mpc_zk_field_uint(params->n_bytes);   /* S */
    f[1] = mpc_zk_field_uint(params->ct_bytes);  /* A */
    f[2] = mpc_zk_field_uint(params->n_bytes);   /* D */
    f[3] = mpc_zk_field_signed(z1_bits(params)); /* z1 */
    f[4] = mpc_zk_field_uint(params->n_bytes);   /* z2 */
    f[5] = mpc_zk_field_signed(z3_bits(params)); /* z3 */
}

size_t mpc_zk_chi_proof_bytes(const mpc_params *params)
{
    if (params == NULL)
        return 0;
    mpc_zk_field f[NFIELDS];
    layout(f, params);
    return Y_BYTES + mpc_zk_fields_bytes(f, NFIELDS);
}

static mpc_err challenge(mpc_transcript *t, const mpc_group *g,
                         const mpc_rped *rp, const mpc_paillier_pk *pk,
                         const mpz_t C, const mpc_point *base,
                         const mpc_point *X, const mpc_zk_chi_proof *proof,
                         mpz_t e)
{
    const mpc_params *params = rp->params;
    mpz_set_ui(e, 0);
    mpc_err err = mpc_zk_absorb_head(t, LABEL, rp, pk);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, "C", C, params->ct_bytes);
    if (err != MPC_OK)
        return err;
    mpc_transcript_append_point(t, g, "g", base);
    mpc_transcript_append_point(t, g, "X", X);
    mpc_transcript_append(t, "Y", proof->y, sizeof proof->y);
    err = mpc_zk_absorb_uint(t, "S", proof->s, params->n_bytes);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, "A", proof->a, params->ct_bytes);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, "D", proof->d, params->n_bytes);
    if (err == MPC_OK)
        err = mpc_zk_challenge(t, "e", params, e);
    return err;
}

/* ---- Prover -------------------------------------------------------------
 */

/* The secret masks α, μ, r, γ. */
typedef struct masks {
    mpz_t alpha, mu, r, gamma;
} masks;

static void masks_clear(masks *m)
{
    mpc_bn_clear(m->alpha);
    mpc_bn_clear(m->mu);
    mpc_bn_clear(m->r);
    mpc_bn_clear(m->gamma);
}

/* α, γ, μ; the nonce r comes with A (mpc_paillier_encrypt_own). */
static mpc_err sample(const mpc_ctx *ctx, masks *m, const mpc_rped *rp)
{
    const mpc_params *params = rp->params;
    mpz_t bound;
    mpz_init(bound);
    mpz_setbit(bound, z1_bits(params));
    mpc_err err = mpc_bn_random_symmetric(ctx, m->alpha, bound);
    if (err == MPC_OK) {
        mpz_mul(bound, bound, rp->n);
        err = mpc_bn_random_symmetric(ctx, m->gamma, bound);
    }
    if (err == MPC_OK) {
        mpz_set_ui(bound, 0);
        mpz_setbit(bound, mpc_zk_chi_bits(params));
        mpz_mul(bound, bound, rp->n);
        err = mpc_bn_random_symmetric(ctx, m->mu, bound);
    }
    mpz_clear(bound);
    return err;
}

/* out = x·base for a secret signed integer x. */
static mpc_err mul_sec(const mpc_ctx *ctx, const mpc_group *g, mpc_point *out,
                       const mpz_t x, const mpc_point *base)
{
    mpc_scalar xs;
    mpc_err err = mpc_zk_scalar_from_int_sec(ctx, g, &xs, x);
    if (err == MPC_OK)
        mpc_point_mul(g, out, &xs, base);
    mpc_scalar_clear(&xs);
    return err;
}

/* S, A, Y, D. */
static mpc_err commit(const mpc_ctx *ctx, const mpc_group *g,
                      mpc_zk_chi_proof *proof, masks *m, const mpc_rped *rp,
                      const mpc_paillier_sk *sk, const mpc_point *base,
                      const mpz_t x)
{
    const mpc_params *params = rp->params;
    const size_t lc = mpc_zk_chi_bits(params), le = z1_bits(params);
    const size_t nhat_bits = mpz_sizeinbase(rp->n, 2);
    mpc_point Y;
    mpc_err err = sample(ctx, m, rp);
    if (err == MPC_OK)
        err = mpc_rped_commit(ctx, rp, proof->s, x, lc + 1, m->mu,
                              lc + nhat_bits + 1);
    if (err == MPC_OK)
        err = mpc_paillier_encrypt_own(ctx, sk, proof->a, m->r, m->alpha);
    if (err == MPC_OK)
        err = mpc_rped_commit(ctx, rp, proof->d, m->alpha, le + 1, m->gamma,
                              le + nhat_bits + 1);
    if (err == MPC_OK)
        err = mul_sec(ctx, g, &Y, m->alpha, base);
    if (err == MPC_OK) {
        const mpz_srcptr pub[] = {proof->s, proof->a, proof->d};
        mpc_point_serialize(g, proof->y, &Y);
        mpc_declassify(proof->y, sizeof proof->y);
        mpc_zk_publish(pub, sizeof pub / sizeof *pub);
    }
    return err;
}

/* z1, z2, z3 for challenge e. */
static mpc_err respond(const mpc_ctx *ctx, mpc_zk_chi_proof *proof,
                       const masks *m, const mpc_rped *rp,
                       const mpc_paillier_pk *pk, const mpz_t e, const mpz_t x,
                       const mpz_t rho)
{
    const mpc_params *params = rp->params;
    const size_t le = z1_bits(params);
    const size_t nhat_bits = mpz_sizeinbase(rp->n, 2);
    mpz_t q;
    mpz_init(q);
    mpc_zk_challenge_bound(q, params);
    size_t e_bits = mpz_sizeinbase(q, 2) + 1;
    mpz_clear(q);
    mpc_err err = mpc_zk_affine_sec(ctx, proof->z1, m->alpha, e, x, le + 1);
    if (err == MPC_OK)
        err = mpc_zk_nonce_response_sec(ctx, proof->z2, m->r, rho, e, e_bits,
                                        pk->n);
    if (err == MPC_OK)
        err = mpc_zk_affine_sec(ctx, proof->z3, m->gamma, e, m->mu,
                                le + nhat_bits + 1);
    if (err == MPC_OK) {
        const mpz_srcptr pub[] = {proof->z1, proof->z2, proof->z3};
        mpc_zk_publish(pub, sizeof pub / sizeof *pub);
    }
    /* z1 leaves ±2^{ℓ_χ+ε} with probability Q 2^{ℓ_χ} / 2^{ℓ_χ+ε}. */
    if (err == MPC_OK && !mpc_zk_in_range_var(proof->z1, le))
        err = MPC_ERR_INTERNAL;
    return err;
}

static mpc_err check_prove_args(const mpc_ctx *ctx, const mpc_group *g,
                                const mpc_rped *rp, const mpc_paillier_sk *sk,
                                const mpz_t C, const mpc_point *base,
                                const mpc_point *X, const mpz_t x,
                                const mpz_t rho)
{
    const mpc_params *params = rp->params;
    /* The checks on x and ρ read secrets but come out the same for every
     * valid witness. */
    if (params == NULL || sk->pk.params != params ||
        mpc_zk_check_modulus_var(rp->n, params) != MPC_OK ||
        mpc_zk_check_modulus_var(sk->pk.n, params) != MPC_OK ||
        mpc_paillier_ciphertext_check_var(&sk->pk, C) != MPC_OK ||
        !mpc_zk_in_range_var(x, mpc_zk_chi_bits(params)) || mpz_sgn(rho) <= 0 ||
        mpz_cmp(rho, sk->pk.n) >= 0 || mpc_point_is_identity(g, base))
        return MPC_ERR_INVALID_ARG;
    mpc_point P;
    mpc_err err = mul_sec(ctx, g, &P, x, base);
    if (err == MPC_OK && !mpc_point_eq(g, &P, X))
        err = MPC_ERR_INVALID_ARG;
    return err;
}

mpc_err mpc_zk_chi_prove(const mpc_ctx *ctx, mpc_zk_chi_proof *proof,
                         mpc_transcript *t, const mpc_rped *rp,
                         const mpc_paillier_sk *sk, const mpz_t C,
                         const mpc_point *base, const mpc_point *X,
                         const mpz_t x, const mpz_t rho)
{
    if (proof == NULL)
        return MPC_ERR_INVALID_ARG;
    zero(proof);
    if (ctx == NULL || t == NULL || rp == NULL || sk == NULL || C == NULL ||
        base == NULL || X == NULL || x == NULL || rho == NULL)
        return MPC_ERR_INVALID_ARG;
    const mpc_group *g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
    masks m;
    mpz_t e;
    mpz_inits(m.alpha, m.mu, m.r, m.gamma, e, NULL);
    mpc_err err = check_prove_args(ctx, g, rp, sk, C, base, X, x, rho);
    if (err == MPC_OK)
        err = commit(ctx, g, proof, &m, rp, sk, base, x);
    if (err == MPC_OK)
        err = challenge(t, g, rp, &sk->pk, C, base, X, proof, e);
    if (err == MPC_OK)
        err = respond(ctx, proof, &m, rp, &sk->pk, e, x, rho);
    masks_clear(&m);
    mpz_clear(e);
    if (err != MPC_OK)
        zero(proof);
    return err;
}

/* ---- Verifier -----------------------------------------------------------
 */

/* Checks 1-5; Y parsed into *Y. */
static mpc_err check_values(const mpc_group *g, const mpc_rped *rp,
                            const mpc_paillier_pk *pk, const mpz_t C,
                            const mpc_point *base, const mpc_zk_chi_proof *p,
                            mpc_point *Y)
{
    const mpc_params *params = rp->params;
    if (mpc_zk_check_modulus_var(pk->n, params) != MPC_OK ||
        mpc_zk_check_modulus_var(rp->n, params) != MPC_OK ||
        mpc_paillier_ciphertext_check_var(pk, C) != MPC_OK ||
        mpc_paillier_ciphertext_check_var(pk, p->a) != MPC_OK ||
        mpc_zk_check_unit_var(p->s, rp->n) != MPC_OK ||
        mpc_zk_check_unit_var(p->d, rp->n) != MPC_OK ||
        mpc_zk_check_unit_var(p->z2, pk->n) != MPC_OK ||
        !mpc_zk_in_range_var(p->z1, z1_bits(params)) ||
        !mpc_zk_in_range_var(p->z3, z3_bits(params)) ||
        mpc_point_is_identity(g, base) ||
        mpc_point_parse(g, Y, p->y, Y_BYTES) != MPC_OK)
        return MPC_ERR_VERIFY;
    return MPC_OK;
}

/* Check 7: z1·g = Y + e·X. */
static mpc_err check_curve(const mpc_group *g, const mpc_point *base,
                           const mpc_point *X, const mpc_point *Y,
                           const mpz_t z1, const mpz_t e)
{
    mpc_scalar zs, es;
    mpc_point lhs, rhs;
    mpc_zk_scalar_from_int_var(g, &zs, z1);
    mpc_zk_scalar_from_int_var(g, &es, e);
    mpc_point_mul(g, &lhs, &zs, base);
    mpc_point_mul(g, &rhs, &es, X);
    mpc_point_add(g, &rhs, &rhs, Y);
    return mpc_point_eq(g, &lhs, &rhs) ? MPC_OK : MPC_ERR_VERIFY;
}

/* Checks 6 and 8. */
static mpc_err check_equations(const mpc_rped *rp, const mpc_rped_table *tab,
                               const mpc_paillier_pk *pk, const mpz_t C,
                               const mpc_zk_chi_proof *p, const mpz_t e)
{
    mpz_t lhs;
    mpz_init(lhs);
    mpc_err err = mpc_zk_paillier_enc_var(lhs, pk, p->z1, p->z2);
    if (err == MPC_OK)
        err = mpc_zk_check_eq_var(lhs, p->a, C, e, pk->n2);
    if (err == MPC_OK)
        err = mpc_zk_rped_commit_var(lhs, rp, tab, p->z1, p->z3);
    if (err == MPC_OK)
        err = mpc_zk_check_eq_var(lhs, p->d, p->s, e, rp->n);
    mpz_clear(lhs);
    return err;
}

mpc_err mpc_zk_chi_verify(const mpc_ctx *ctx, mpc_transcript *t,
                          const mpc_rped *rp, const mpc_rped_table *tab,
                          const mpc_paillier_pk *pk, const mpz_t C,
                          const mpc_point *base, const mpc_point *X,
                          const mpc_zk_chi_proof *proof)
{
    if (ctx == NULL || t == NULL || rp == NULL || pk == NULL || C == NULL ||
        base == NULL || X == NULL || proof == NULL)
        return MPC_ERR_INVALID_ARG;
    if (rp->params == NULL || pk->params != rp->params ||
        !mpc_zk_rped_table_ok(rp, tab))
        return MPC_ERR_INVALID_ARG;
    const mpc_group *g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
    mpc_point Y;
    mpc_err err = check_values(g, rp, pk, C, base, proof, &Y);
    if (err != MPC_OK)
        return err;
    mpz_t e;
    mpz_init(e);
    err = challenge(t, g, rp, pk, C, base, X, proof, e);
    if (err == MPC_OK)
        err = check_curve(g, base, X, &Y, proof->z1, e);
    if (err == MPC_OK)
        err = check_equations(rp, tab, pk, C, proof, e);
    mpz_clear(e);
    return err;
}

/* ---- Encoding -----------------------------------------------------------
 */

mpc_err mpc_zk_chi_proof_serialize(uint8_t *out, size_t len,
                                   const mpc_params *params,
                                   const mpc_zk_chi_proof *proof)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (params == NULL || proof == NULL ||
        len != mpc_zk_chi_proof_bytes(params)) {
        mpc_wipe(out, len);
        return MPC_ERR_INVALID_ARG;
    }
    mpc_zk_field f[NFIELDS];
    const mpz_srcptr v[NFIELDS] = {proof->s,  proof->a,  proof->d,
                                   proof->z1, proof->z2, proof->z3};
    layout(f, params);
    memcpy(out, proof->y, Y_BYTES);
    mpc_err err =
        mpc_zk_fields_serialize(out + Y_BYTES, len - Y_BYTES, f, v, NFIELDS);
    if (err != MPC_OK)
        mpc_wipe(out, len);
    return err;
}

mpc_err mpc_zk_chi_proof_parse(const mpc_ctx *ctx, mpc_zk_chi_proof *proof,
                               const mpc_params *params, const uint8_t *in,
                               size_t len)
{
    if (proof == NULL)
        return MPC_ERR_INVALID_ARG;
    zero(proof);
    if (ctx == NULL || params == NULL || in == NULL)
        return MPC_ERR_INVALID_ARG;
    if (len != mpc_zk_chi_proof_bytes(params))
        return MPC_ERR_PARSE;
    const mpc_group *g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
    mpc_point Y;
    if (mpc_point_parse(g, &Y, in, Y_BYTES) != MPC_OK)
        return MPC_ERR_PARSE;
    mpc_zk_field f[NFIELDS];
    mpz_ptr v[NFIELDS] = {proof->s,  proof->a,  proof->d,
                          proof->z1, proof->z2, proof->z3};
    layout(f, params);
    mpc_err err =
        mpc_zk_fields_parse(v, f, NFIELDS, in + Y_BYTES, len - Y_BYTES);
    if (err == MPC_OK)
        memcpy(proof->y, in, Y_BYTES);
    else
        zero(proof);
    return err;
}
