/* Schnorr proof of knowledge of a discrete log, Fiat–Shamir over the
 * caller's transcript. */
#include "mpc/schnorr.h"

#include <stdbool.h>

#include "mpc/mem.h"

static void clear_proof(const mpc_group *g, mpc_schnorr_proof *proof)
{
    mpc_point_set_identity(g, &proof->a);
    mpc_scalar_set_zero(&proof->z);
}

size_t mpc_schnorr_proof_bytes(const mpc_group *g)
{
    return mpc_group_point_bytes(g) + MPC_SCALAR_BYTES;
}

/* k = H(transcript so far, 32 fresh random bytes, x): random as long as the
 * rng is, and still distinct per statement and context if the rng
 * repeats (the hedge of BIP340's aux_rand and RFC 9591 §4.1). */
static void derive_nonce(const mpc_group *g, mpc_scalar *k,
                         const mpc_transcript *t, const mpc_scalar *x)
{
    uint8_t rnd[32];
    mpc_transcript fork = *t;
    do {
        mpc_ctx_random(mpc_group_ctx(g), rnd, sizeof rnd);
        mpc_transcript_append(&fork, "sch.rand", rnd, sizeof rnd);
        mpc_transcript_append_scalar(&fork, g, "sch.witness", x);
        mpc_transcript_challenge_scalar(&fork, g, "sch.nonce", k);
    } while (mpc_scalar_is_zero(k)); /* probability 2^-252 */
    mpc_wipe(rnd, sizeof rnd);
    mpc_transcript_clear(&fork);
}

mpc_err mpc_schnorr_prove(const mpc_group *g, mpc_schnorr_proof *proof,
                          mpc_transcript *t, const mpc_point *X,
                          const mpc_scalar *x)
{
    mpc_point check;
    bool ok = !mpc_scalar_is_zero(x);
    if (ok) {
        mpc_point_mul_base(g, &check, x);
        ok = mpc_point_eq(g, &check, X);
    }
    if (!ok) {
        clear_proof(g, proof);
        return MPC_ERR_INVALID_ARG;
    }

    mpc_scalar k, e, ex;
    mpc_point a;
    mpc_transcript_append_point(t, g, "sch.X", X);
    derive_nonce(g, &k, t, x);
    mpc_point_mul_base(g, &a, &k);
    mpc_transcript_append_point(t, g, "sch.A", &a);
    mpc_transcript_challenge_scalar(t, g, "sch.e", &e);
    mpc_scalar_mul(g, &ex, &e, x);
    proof->a = a;
    mpc_scalar_add(g, &proof->z, &k, &ex);
    mpc_scalar_clear(&k);
    mpc_scalar_clear(&ex);
    return MPC_OK;
}

mpc_err mpc_schnorr_verify(const mpc_group *g, mpc_transcript *t,
                           const mpc_point *X, const mpc_schnorr_proof *proof)
{
    if (mpc_point_is_identity(g, X))
        return MPC_ERR_VERIFY;
    mpc_scalar e;
    mpc_point lhs, rhs;
    mpc_transcript_append_point(t, g, "sch.X", X);
    mpc_transcript_append_point(t, g, "sch.A", &proof->a);
    mpc_transcript_challenge_scalar(t, g, "sch.e", &e);
    mpc_point_mul_base(g, &lhs, &proof->z);
    mpc_point_mul(g, &rhs, &e, X);
    mpc_point_add(g, &rhs, &rhs, &proof->a);
    return mpc_point_eq(g, &lhs, &rhs) ? MPC_OK : MPC_ERR_VERIFY;
}

void mpc_schnorr_proof_serialize(const mpc_group *g, uint8_t *out,
                                 const mpc_schnorr_proof *proof)
{
    size_t pb = mpc_group_point_bytes(g);
    mpc_point_serialize(g, out, &proof->a);
    mpc_scalar_serialize(g, out + pb, &proof->z);
}

mpc_err mpc_schnorr_proof_parse(const mpc_group *g, mpc_schnorr_proof *proof,
                                const uint8_t *in, size_t len)
{
    size_t pb = mpc_group_point_bytes(g);
    if (len != pb + MPC_SCALAR_BYTES ||
        mpc_point_parse(g, &proof->a, in, pb) != MPC_OK ||
        mpc_scalar_parse(g, &proof->z, in + pb) != MPC_OK) {
        clear_proof(g, proof);
        return MPC_ERR_PARSE;
    }
    return MPC_OK;
}
