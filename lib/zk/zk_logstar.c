/* Πlog*: exponent vs Paillier encryption in range (mpc/zk_logstar.h). */
#include "mpc/zk_logstar.h"

#include <string.h>

#include "mpc/mem.h"
#include "zk_internal.h"

static const char LABEL[] = "cggmp21/log*";

#define Y_BYTES MPC_SECP256K1_POINT_BYTES

void mpc_zk_logstar_proof_init(mpc_zk_logstar_proof *proof)
{
    memset(proof->y, 0, sizeof proof->y);
    mpc_zk_enc_proof_init(&proof->enc);
}

void mpc_zk_logstar_proof_clear(mpc_zk_logstar_proof *proof)
{
    if (proof == NULL)
        return;
    memset(proof->y, 0, sizeof proof->y);
    mpc_zk_enc_proof_clear(&proof->enc);
}

static void zero(mpc_zk_logstar_proof *proof)
{
    memset(proof->y, 0, sizeof proof->y);
    mpc_zk_enc_proof_zero(&proof->enc);
}

size_t mpc_zk_logstar_proof_bytes(const mpc_params *params)
{
    if (params == NULL)
        return 0;
    return Y_BYTES + mpc_zk_enc_proof_bytes(params);
}

mpc_err mpc_zk_logstar_challenge(mpc_transcript *t, const mpc_group *g,
                                 const mpc_rped *rp, const mpc_paillier_pk *pk,
                                 const mpz_t C, const mpc_point *base,
                                 const mpc_point *X,
                                 const mpc_zk_logstar_proof *proof, mpz_t e)
{
    const mpc_params *params = rp->params;
    mpz_set_ui(e, 0);
    if (params == NULL || pk->params != params)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = mpc_zk_absorb_head(t, LABEL, rp, pk);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, "C", C, params->ct_bytes);
    if (err != MPC_OK)
        return err;
    mpc_transcript_append_point(t, g, "g", base);
    mpc_transcript_append_point(t, g, "X", X);
    mpc_transcript_append(t, "Y", proof->y, sizeof proof->y);
    err = mpc_zk_absorb_uint(t, "S", proof->enc.s, params->n_bytes);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, "A", proof->enc.a, params->ct_bytes);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, "D", proof->enc.c, params->n_bytes);
    if (err == MPC_OK)
        err = mpc_zk_challenge(t, "e", params, e);
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

/* Misuse checks beyond Πenc's: g ≠ O and X = x·g. */
static mpc_err check_points(const mpc_ctx *ctx, const mpc_group *g,
                            const mpc_point *base, const mpc_point *X,
                            const mpz_t x)
{
    if (mpc_point_is_identity(g, base))
        return MPC_ERR_INVALID_ARG;
    mpc_point P;
    mpc_err err = mul_sec(ctx, g, &P, x, base);
    if (err == MPC_OK && !mpc_point_eq(g, &P, X))
        err = MPC_ERR_INVALID_ARG;
    return err;
}

static mpc_err prove(const mpc_ctx *ctx, const mpc_group *g,
                     mpc_zk_logstar_proof *proof, mpc_transcript *t,
                     const mpc_rped *rp, const mpc_paillier_sk *sk,
                     const mpz_t C, const mpc_point *base, const mpc_point *X,
                     const mpz_t x, const mpz_t rho)
{
    mpc_zk_enc_masks m;
    mpc_zk_enc_masks_init(&m);
    mpz_t e;
    mpz_init(e);
    mpc_point Y;
    mpc_err err = mpc_zk_enc_commit(ctx, &proof->enc, &m, rp, sk, x);
    if (err == MPC_OK)
        err = mul_sec(ctx, g, &Y, m.alpha, base);
    if (err == MPC_OK) {
        mpc_point_serialize(g, proof->y, &Y);
        err = mpc_zk_logstar_challenge(t, g, rp, &sk->pk, C, base, X, proof, e);
    }
    if (err == MPC_OK)
        err = mpc_zk_enc_respond(ctx, &proof->enc, &m, rp, &sk->pk, e, x, rho);
    mpc_zk_enc_masks_clear(&m);
    mpz_clear(e);
    return err;
}

mpc_err mpc_zk_logstar_prove(const mpc_ctx *ctx, mpc_zk_logstar_proof *proof,
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
    mpc_err err = mpc_zk_enc_check_prove_args(rp, sk, C, x, rho);
    if (err == MPC_OK)
        err = check_points(ctx, g, base, X, x);
    if (err == MPC_OK)
        err = prove(ctx, g, proof, t, rp, sk, C, base, X, x, rho);
    if (err != MPC_OK)
        zero(proof);
    return err;
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

/* The verifier; check 6 goes to `batch` when non-NULL. */
static mpc_err verify(const mpc_ctx *ctx, mpc_zk_batch *batch,
                      mpc_transcript *t, const mpc_rped *rp,
                      const mpc_rped_table *tab, const mpc_paillier_pk *pk,
                      const mpz_t C, const mpc_point *base, const mpc_point *X,
                      const mpc_zk_logstar_proof *proof)
{
    if (ctx == NULL || t == NULL || rp == NULL || pk == NULL || C == NULL ||
        base == NULL || X == NULL || proof == NULL)
        return MPC_ERR_INVALID_ARG;
    if (rp->params == NULL || pk->params != rp->params ||
        !mpc_zk_rped_table_ok(rp, tab))
        return MPC_ERR_INVALID_ARG;
    const mpc_group *g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
    mpc_point Y;
    mpc_err err = mpc_zk_enc_check_values(rp, pk, C, &proof->enc);
    if (err == MPC_OK && (mpc_point_is_identity(g, base) ||
                          mpc_point_parse(g, &Y, proof->y, Y_BYTES) != MPC_OK))
        err = MPC_ERR_VERIFY;
    if (err != MPC_OK)
        return err;
    mpz_t e;
    mpz_init(e);
    err = mpc_zk_logstar_challenge(t, g, rp, pk, C, base, X, proof, e);
    if (err == MPC_OK)
        err = check_curve(g, base, X, &Y, proof->enc.z1, e);
    if (err == MPC_OK)
        err = mpc_zk_enc_check_equations(ctx, batch, rp, tab, pk, C,
                                         &proof->enc, e);
    mpz_clear(e);
    return err;
}

mpc_err mpc_zk_logstar_verify(const mpc_ctx *ctx, mpc_transcript *t,
                              const mpc_rped *rp, const mpc_rped_table *tab,
                              const mpc_paillier_pk *pk, const mpz_t C,
                              const mpc_point *base, const mpc_point *X,
                              const mpc_zk_logstar_proof *proof)
{
    return verify(ctx, NULL, t, rp, tab, pk, C, base, X, proof);
}

mpc_err mpc_zk_logstar_verify_batched(const mpc_ctx *ctx, mpc_zk_batch *batch,
                                      mpc_transcript *t, const mpc_rped *rp,
                                      const mpc_rped_table *tab,
                                      const mpc_paillier_pk *pk, const mpz_t C,
                                      const mpc_point *base, const mpc_point *X,
                                      const mpc_zk_logstar_proof *proof)
{
    if (!mpc_zk_batch_is_for(batch, pk))
        return MPC_ERR_INVALID_ARG;
    return verify(ctx, batch, t, rp, tab, pk, C, base, X, proof);
}

mpc_err mpc_zk_logstar_proof_serialize(uint8_t *out, size_t len,
                                       const mpc_params *params,
                                       const mpc_zk_logstar_proof *proof)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (params == NULL || proof == NULL ||
        len != mpc_zk_logstar_proof_bytes(params)) {
        mpc_wipe(out, len);
        return MPC_ERR_INVALID_ARG;
    }
    memcpy(out, proof->y, Y_BYTES);
    mpc_err err = mpc_zk_enc_proof_serialize(out + Y_BYTES, len - Y_BYTES,
                                             params, &proof->enc);
    if (err != MPC_OK)
        mpc_wipe(out, len);
    return err;
}

mpc_err mpc_zk_logstar_proof_parse(const mpc_ctx *ctx,
                                   mpc_zk_logstar_proof *proof,
                                   const mpc_params *params, const uint8_t *in,
                                   size_t len)
{
    if (proof == NULL)
        return MPC_ERR_INVALID_ARG;
    zero(proof);
    if (ctx == NULL || params == NULL || in == NULL)
        return MPC_ERR_INVALID_ARG;
    if (len != mpc_zk_logstar_proof_bytes(params))
        return MPC_ERR_PARSE;
    const mpc_group *g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
    mpc_point Y;
    if (mpc_point_parse(g, &Y, in, Y_BYTES) != MPC_OK)
        return MPC_ERR_PARSE;
    mpc_err err = mpc_zk_enc_proof_parse(&proof->enc, params, in + Y_BYTES,
                                         len - Y_BYTES);
    if (err == MPC_OK)
        memcpy(proof->y, in, Y_BYTES);
    return err;
}
