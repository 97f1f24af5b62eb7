/* Πenc: Paillier encryption in range (include/mpc/zk_enc.h). */
#include "mpc/zk_enc.h"

#include "mpc/mem.h"
#include "zk_internal.h"

static const char LABEL[] = "cggmp21/enc";

enum { NFIELDS = 6 };

void mpc_zk_enc_proof_init(mpc_zk_enc_proof *proof)
{
    mpz_inits(proof->s, proof->a, proof->c, proof->z1, proof->z2, proof->z3,
              NULL);
}

void mpc_zk_enc_proof_clear(mpc_zk_enc_proof *proof)
{
    if (proof == NULL)
        return;
    mpz_clears(proof->s, proof->a, proof->c, proof->z1, proof->z2, proof->z3,
               NULL);
}

void mpc_zk_enc_proof_zero(mpc_zk_enc_proof *proof)
{
    mpz_set_ui(proof->s, 0);
    mpz_set_ui(proof->a, 0);
    mpz_set_ui(proof->c, 0);
    mpz_set_ui(proof->z1, 0);
    mpz_set_ui(proof->z2, 0);
    mpz_set_ui(proof->z3, 0);
}

/* Bits of the encoding bound of z3 = γ + e μ: |z3| <= 2^{ℓ+ε} N̂ + Q 2^ℓ N̂
 * < 2^{ℓ+ε+1} N̂ (Q <= 2^ε in both sets) <= 2^{ℓ+ε+n_bits+1}. */
static size_t z3_bits(const mpc_params *params)
{
    return (size_t)params->ell + params->eps + params->n_bits + 1;
}

static void layout(mpc_zk_field f[NFIELDS], const mpc_params *params)
{
    f[0] = mpc_zk_field_uint(params->n_bytes);                     /* S */
    f[1] = mpc_zk_field_uint(params->ct_bytes);                    /* A */
    f[2] = mpc_zk_field_uint(params->n_bytes);                     /* C */
    f[3] = mpc_zk_field_signed((size_t)params->ell + params->eps); /* z1 */
    f[4] = mpc_zk_field_uint(params->n_bytes);                     /* z2 */
    f[5] = mpc_zk_field_signed(z3_bits(params));                   /* z3 */
}

size_t mpc_zk_enc_proof_bytes(const mpc_params *params)
{
    if (params == NULL)
        return 0;
    mpc_zk_field f[NFIELDS];
    layout(f, params);
    return mpc_zk_fields_bytes(f, NFIELDS);
}

mpc_err mpc_zk_enc_challenge(mpc_transcript *t, const mpc_rped *rp,
                             const mpc_paillier_pk *pk, const mpz_t K,
                             const mpc_zk_enc_proof *proof, mpz_t e)
{
    const mpc_params *params = rp->params;
    mpz_set_ui(e, 0);
    if (params == NULL || pk->params != params)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = mpc_zk_absorb_head(t, LABEL, rp, pk);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, "K", K, params->ct_bytes);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, "S", proof->s, params->n_bytes);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, "A", proof->a, params->ct_bytes);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, "C", proof->c, params->n_bytes);
    if (err == MPC_OK)
        err = mpc_zk_challenge(t, "e", params, e);
    return err;
}

void mpc_zk_enc_masks_init(mpc_zk_enc_masks *m)
{
    mpz_inits(m->alpha, m->mu, m->r, m->gamma, NULL);
}

void mpc_zk_enc_masks_clear(mpc_zk_enc_masks *m)
{
    mpc_bn_clear(m->alpha);
    mpc_bn_clear(m->mu);
    mpc_bn_clear(m->r);
    mpc_bn_clear(m->gamma);
}

/* α, γ, μ; the nonce r comes with A (mpc_paillier_encrypt_own). */
static mpc_err sample(const mpc_ctx *ctx, mpc_zk_enc_masks *m,
                      const mpc_rped *rp)
{
    const mpc_params *params = rp->params;
    mpz_t bound;
    mpz_init(bound);
    mpz_setbit(bound, (mp_bitcnt_t)params->ell + params->eps);
    mpc_err err = mpc_bn_random_symmetric(ctx, m->alpha, bound);
    if (err == MPC_OK) {
        mpz_mul(bound, bound, rp->n);
        err = mpc_bn_random_symmetric(ctx, m->gamma, bound);
    }
    if (err == MPC_OK) {
        mpz_set_ui(bound, 0);
        mpz_setbit(bound, params->ell);
        mpz_mul(bound, bound, rp->n);
        err = mpc_bn_random_symmetric(ctx, m->mu, bound);
    }
    mpz_clear(bound);
    return err;
}

mpc_err mpc_zk_enc_commit(const mpc_ctx *ctx, mpc_zk_enc_proof *proof,
                          mpc_zk_enc_masks *m, const mpc_rped *rp,
                          const mpc_paillier_sk *sk, const mpz_t k)
{
    const mpc_params *params = rp->params;
    const size_t ell = params->ell, le = ell + params->eps;
    const size_t nhat_bits = mpz_sizeinbase(rp->n, 2);
    mpc_err err = sample(ctx, m, rp);
    if (err == MPC_OK)
        err = mpc_rped_commit(ctx, rp, proof->s, k, ell + 1, m->mu,
                              ell + nhat_bits + 1);
    if (err == MPC_OK)
        err = mpc_paillier_encrypt_own(ctx, sk, proof->a, m->r, m->alpha);
    if (err == MPC_OK)
        err = mpc_rped_commit(ctx, rp, proof->c, m->alpha, le + 1, m->gamma,
                              le + nhat_bits + 1);
    if (err == MPC_OK) {
        const mpz_srcptr pub[] = {proof->s, proof->a, proof->c};
        mpc_zk_publish(pub, sizeof pub / sizeof *pub);
    }
    return err;
}

mpc_err mpc_zk_enc_respond(const mpc_ctx *ctx, mpc_zk_enc_proof *proof,
                           const mpc_zk_enc_masks *m, const mpc_rped *rp,
                           const mpc_paillier_pk *pk, const mpz_t e,
                           const mpz_t k, const mpz_t rho)
{
    const mpc_params *params = rp->params;
    const size_t le = (size_t)params->ell + params->eps;
    const size_t nhat_bits = mpz_sizeinbase(rp->n, 2);
    mpz_t q;
    mpz_init(q);
    mpc_zk_challenge_bound(q, params);
    size_t e_bits = mpz_sizeinbase(q, 2) + 1;
    mpz_clear(q);
    mpc_err err = mpc_zk_affine_sec(ctx, proof->z1, m->alpha, e, k, le + 1);
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
    /* z1 leaves ±2^{ℓ+ε} with probability Q 2^ℓ / 2^{ℓ+ε} <= 2^-102. */
    if (err == MPC_OK && !mpc_zk_in_range_var(proof->z1, le))
        err = MPC_ERR_INTERNAL;
    return err;
}

/* First message, challenge and responses, given validated inputs. */
static mpc_err prove(const mpc_ctx *ctx, mpc_zk_enc_proof *proof,
                     mpc_transcript *t, const mpc_rped *rp,
                     const mpc_paillier_sk *sk, const mpz_t K, const mpz_t k,
                     const mpz_t rho)
{
    mpc_zk_enc_masks m;
    mpc_zk_enc_masks_init(&m);
    mpz_t e;
    mpz_init(e);
    mpc_err err = mpc_zk_enc_commit(ctx, proof, &m, rp, sk, k);
    if (err == MPC_OK)
        err = mpc_zk_enc_challenge(t, rp, &sk->pk, K, proof, e);
    if (err == MPC_OK)
        err = mpc_zk_enc_respond(ctx, proof, &m, rp, &sk->pk, e, k, rho);
    mpc_zk_enc_masks_clear(&m);
    mpz_clear(e);
    return err;
}

mpc_err mpc_zk_enc_check_prove_args(const mpc_rped *rp,
                                    const mpc_paillier_sk *sk, const mpz_t K,
                                    const mpz_t k, const mpz_t rho)
{
    const mpc_params *params = rp->params;
    /* The checks on k and ρ read secrets in constant time; only their
     * outcome, the same for every valid witness, is branched on. */
    if (params == NULL || sk->pk.params != params ||
        mpc_zk_check_modulus_var(rp->n, params) != MPC_OK ||
        mpc_paillier_ciphertext_check_var(&sk->pk, K) != MPC_OK ||
        !mpc_zk_witness_in_range(k, params->ell) ||
        !mpc_zk_nonce_ok(rho, sk->pk.n))
        return MPC_ERR_INVALID_ARG;
    return MPC_OK;
}

mpc_err mpc_zk_enc_prove(const mpc_ctx *ctx, mpc_zk_enc_proof *proof,
                         mpc_transcript *t, const mpc_rped *rp,
                         const mpc_paillier_sk *sk, const mpz_t K,
                         const mpz_t k, const mpz_t rho)
{
    if (proof == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_zk_enc_proof_zero(proof);
    if (ctx == NULL || t == NULL || rp == NULL || sk == NULL || K == NULL ||
        k == NULL || rho == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = mpc_zk_enc_check_prove_args(rp, sk, K, k, rho);
    if (err != MPC_OK)
        return err;
    err = prove(ctx, proof, t, rp, sk, K, k, rho);
    if (err != MPC_OK)
        mpc_zk_enc_proof_zero(proof);
    return err;
}

mpc_err mpc_zk_enc_check_values(const mpc_rped *rp, const mpc_paillier_pk *pk,
                                const mpz_t K, const mpc_zk_enc_proof *proof)
{
    const mpc_params *params = rp->params;
    if (mpc_zk_check_modulus_var(pk->n, params) != MPC_OK ||
        mpc_zk_check_modulus_var(rp->n, params) != MPC_OK ||
        mpc_paillier_ciphertext_check_var(pk, K) != MPC_OK ||
        mpc_paillier_ciphertext_check_var(pk, proof->a) != MPC_OK ||
        mpc_zk_check_unit_var(proof->s, rp->n) != MPC_OK ||
        mpc_zk_check_unit_var(proof->c, rp->n) != MPC_OK ||
        mpc_zk_check_unit_var(proof->z2, pk->n) != MPC_OK ||
        !mpc_zk_in_range_var(proof->z1, (size_t)params->ell + params->eps) ||
        !mpc_zk_in_range_var(proof->z3, z3_bits(params)))
        return MPC_ERR_VERIFY;
    return MPC_OK;
}

mpc_err mpc_zk_enc_check_equations(const mpc_ctx *ctx, mpc_zk_batch *batch,
                                   const mpc_rped *rp,
                                   const mpc_rped_table *tab,
                                   const mpc_paillier_pk *pk, const mpz_t K,
                                   const mpc_zk_enc_proof *proof, const mpz_t e)
{
    mpz_t lhs;
    mpz_init(lhs);
    /* s^z1 t^z3 = C S^e mod N̂ */
    mpc_err err = mpc_zk_rped_commit_var(lhs, rp, tab, proof->z1, proof->z3);
    if (err == MPC_OK)
        err = mpc_zk_check_eq_var(lhs, proof->c, proof->s, e, rp->n);
    /* Enc_{N0}(z1; z2) = A K^e mod N0^2, last: appended to a batch only
     * once every other check passed. */
    if (err == MPC_OK)
        err = mpc_zk_paillier_eq_var(ctx, batch, pk, proof->z1, proof->z2,
                                     proof->a, K, e);
    mpz_clear(lhs);
    return err;
}

/* The verifier; check 5 goes to `batch` when non-NULL. */
static mpc_err verify(const mpc_ctx *ctx, mpc_zk_batch *batch,
                      mpc_transcript *t, const mpc_rped *rp,
                      const mpc_rped_table *tab, const mpc_paillier_pk *pk,
                      const mpz_t K, const mpc_zk_enc_proof *proof)
{
    if (t == NULL || rp == NULL || pk == NULL || K == NULL || proof == NULL)
        return MPC_ERR_INVALID_ARG;
    if (rp->params == NULL || pk->params != rp->params ||
        !mpc_zk_rped_table_ok(rp, tab))
        return MPC_ERR_INVALID_ARG;
    mpc_err err = mpc_zk_enc_check_values(rp, pk, K, proof);
    if (err != MPC_OK)
        return err;
    mpz_t e;
    mpz_init(e);
    err = mpc_zk_enc_challenge(t, rp, pk, K, proof, e);
    if (err == MPC_OK)
        err = mpc_zk_enc_check_equations(ctx, batch, rp, tab, pk, K, proof, e);
    mpz_clear(e);
    return err;
}

mpc_err mpc_zk_enc_verify(mpc_transcript *t, const mpc_rped *rp,
                          const mpc_rped_table *tab, const mpc_paillier_pk *pk,
                          const mpz_t K, const mpc_zk_enc_proof *proof)
{
    return verify(NULL, NULL, t, rp, tab, pk, K, proof);
}

mpc_err mpc_zk_enc_verify_batched(const mpc_ctx *ctx, mpc_zk_batch *batch,
                                  mpc_transcript *t, const mpc_rped *rp,
                                  const mpc_rped_table *tab,
                                  const mpc_paillier_pk *pk, const mpz_t K,
                                  const mpc_zk_enc_proof *proof)
{
    if (ctx == NULL || !mpc_zk_batch_is_for(batch, pk))
        return MPC_ERR_INVALID_ARG;
    return verify(ctx, batch, t, rp, tab, pk, K, proof);
}

mpc_err mpc_zk_enc_proof_serialize(uint8_t *out, size_t len,
                                   const mpc_params *params,
                                   const mpc_zk_enc_proof *proof)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (params == NULL || proof == NULL) {
        mpc_wipe(out, len);
        return MPC_ERR_INVALID_ARG;
    }
    mpc_zk_field f[NFIELDS];
    layout(f, params);
    const mpz_srcptr v[NFIELDS] = {proof->s,  proof->a,  proof->c,
                                   proof->z1, proof->z2, proof->z3};
    return mpc_zk_fields_serialize(out, len, f, v, NFIELDS);
}

mpc_err mpc_zk_enc_proof_parse(mpc_zk_enc_proof *proof,
                               const mpc_params *params, const uint8_t *in,
                               size_t len)
{
    if (proof == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_zk_enc_proof_zero(proof);
    if (params == NULL || in == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_zk_field f[NFIELDS];
    layout(f, params);
    mpz_ptr v[NFIELDS] = {proof->s,  proof->a,  proof->c,
                          proof->z1, proof->z2, proof->z3};
    return mpc_zk_fields_parse(v, f, NFIELDS, in, len);
}
