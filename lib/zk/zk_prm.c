/*
 * Πprm, the ring-Pedersen parameter proof (include/mpc/zk_prm.h): CGGMP21
 * Fig. 17 / 2024 revision Fig. 13 / LFDT spec "Πprm".
 */
#include "mpc/zk_prm.h"

#include <string.h>

#include "lib/bn/bn_internal.h"
#include "lib/zk/zk_internal.h"
#include "mpc/bn.h"
#include "mpc/mem.h"

void mpc_zk_prm_proof_init(mpc_zk_prm_proof *proof)
{
    if (proof == NULL)
        return;
    proof->params = NULL;
    for (size_t i = 0; i < MPC_ZK_PRM_ROUNDS_MAX; i++) {
        mpz_init(proof->a[i]);
        mpz_init(proof->z[i]);
    }
}

void mpc_zk_prm_proof_clear(mpc_zk_prm_proof *proof)
{
    if (proof == NULL)
        return;
    for (size_t i = 0; i < MPC_ZK_PRM_ROUNDS_MAX; i++) {
        mpz_clear(proof->a[i]);
        mpz_clear(proof->z[i]);
    }
    proof->params = NULL;
}

static void reset(mpc_zk_prm_proof *proof)
{
    proof->params = NULL;
    for (size_t i = 0; i < MPC_ZK_PRM_ROUNDS_MAX; i++) {
        mpz_set_ui(proof->a[i], 0);
        mpz_set_ui(proof->z[i], 0);
    }
}

static bool params_ok(const mpc_params *params)
{
    return params != NULL && params->m >= 1 &&
           params->m <= MPC_ZK_PRM_ROUNDS_MAX &&
           params->n_bytes <= MPC_PARAMS_MAX_N_BYTES;
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

static bool fits(const mpz_t x, size_t len)
{
    return mpz_sgn(x) >= 0 && mpz_sizeinbase(x, 2) <= 8 * len;
}

/* Absorbs the statement and every A_i, then draws all m challenge bits at
 * once: e[i] ∈ {0, 1}. */
static void challenge(mpc_transcript *t, const mpc_zk_prm_proof *proof,
                      const mpc_rped *rp, uint8_t *e)
{
    const mpc_params *params = rp->params;
    size_t nb = params->n_bytes;
    uint8_t bits[(MPC_ZK_PRM_ROUNDS_MAX + 7) / 8];
    mpc_transcript_append_u64(t, "zk.prm.params", (uint64_t)params->id);
    mpc_transcript_append_u64(t, "zk.prm.m", params->m);
    mpc_zk_absorb_uint_var(t, "zk.prm.N", rp->n, nb);
    mpc_zk_absorb_uint_var(t, "zk.prm.s", rp->s, nb);
    mpc_zk_absorb_uint_var(t, "zk.prm.t", rp->t, nb);
    for (size_t i = 0; i < params->m; i++)
        mpc_zk_absorb_uint_var(t, "zk.prm.A", proof->a[i], nb);
    mpc_transcript_challenge(t, "zk.prm.e", bits, (params->m + 7) / 8);
    for (size_t i = 0; i < params->m; i++)
        e[i] = (uint8_t)(bits[i / 8] >> (i % 8) & 1);
}

/* ---- Prover ------------------------------------------------------------ */

/*
 * Whether t^lambda ≡ s (mod N), with t^lambda compared to s in constant
 * time and only the outcome declassified (it is the same for every valid
 * witness): t^lambda for a wrong lambda is not public.
 */
static mpc_err witness_ok(const mpc_ctx *ctx, const mpc_rped *rp,
                          const mpc_paillier_sk *sk, const mpz_t lambda)
{
    mp_limb_t a[MPC_PARAMS_MAX_N_BYTES / sizeof(mp_limb_t)];
    mp_limb_t b[MPC_PARAMS_MAX_N_BYTES / sizeof(mp_limb_t)];
    size_t nl = mpz_size(rp->n);
    mpz_t s;
    mpz_init(s);
    mpc_err err = mpc_paillier_sk_powm_n(ctx, sk, s, rp->t, lambda);
    if (err == MPC_OK) {
        /* s < N, and rp->s < N (prover_args_ok): both fit nl limbs. */
        mpc_bn_limbs_load(a, nl, s);
        mpc_bn_limbs_load(b, nl, rp->s);
        bool same = mpc_bn_limbs_eq(a, b, nl) == 1;
        mpc_declassify(&same, sizeof same);
        if (!same)
            err = MPC_ERR_INVALID_ARG;
        mpc_wipe(a, nl * sizeof a[0]);
    }
    mpc_bn_clear(s);
    return err;
}

/* The prover's argument checks; the last one costs one CRT exponentiation
 * and catches a lambda that does not belong to these parameters. */
static mpc_err prover_args_ok(const mpc_ctx *ctx, const mpc_rped *rp,
                              const mpc_paillier_sk *sk, const mpz_t lambda)
{
    if (!rped_ok(rp) || sk->pk.params != rp->params ||
        mpz_cmp(sk->pk.n, rp->n) != 0 || mpz_sgn(lambda) < 0 ||
        mpz_cmp(rp->s, rp->n) >= 0)
        return MPC_ERR_INVALID_ARG;
    return witness_ok(ctx, rp, sk, lambda);
}

mpc_err mpc_zk_prm_prove(const mpc_ctx *ctx, mpc_zk_prm_proof *proof,
                         mpc_transcript *t, const mpc_rped *rp,
                         const mpc_paillier_sk *sk, const mpz_t lambda)
{
    if (proof == NULL)
        return MPC_ERR_INVALID_ARG;
    reset(proof);
    if (ctx == NULL || t == NULL || sk == NULL || lambda == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = prover_args_ok(ctx, rp, sk, lambda);
    if (err != MPC_OK)
        return err;
    const size_t m = rp->params->m;
    uint8_t e[MPC_ZK_PRM_ROUNDS_MAX];
    mpz_t nonce[MPC_ZK_PRM_ROUNDS_MAX];
    for (size_t i = 0; i < m; i++)
        mpz_init(nonce[i]);
    for (size_t i = 0; i < m && err == MPC_OK; i++) {
        err = mpc_bn_random_below(ctx, nonce[i], sk->phi);
        if (err == MPC_OK)
            err = mpc_paillier_sk_powm_n(ctx, sk, proof->a[i], rp->t, nonce[i]);
        if (err == MPC_OK)
            mpc_zk_publish((const mpz_srcptr[]){proof->a[i]}, 1);
    }
    if (err == MPC_OK)
        challenge(t, proof, rp, e);
    for (size_t i = 0; i < m && err == MPC_OK; i++) {
        if (e[i]) /* public */
            err =
                mpc_bn_addmod_sec(ctx, proof->z[i], nonce[i], lambda, sk->phi);
        else
            mpz_set(proof->z[i], nonce[i]);
        mpc_zk_publish((const mpz_srcptr[]){proof->z[i]}, 1);
    }
    for (size_t i = 0; i < m; i++)
        mpc_bn_clear(nonce[i]);
    if (err != MPC_OK) {
        reset(proof);
        return err;
    }
    proof->params = rp->params;
    return MPC_OK;
}

/* ---- Verifier ---------------------------------------------------------- */

/* x ∈ Z*_N and x ≠ 1. */
static bool good_base(const mpz_t x, const mpz_t n)
{
    return mpc_bn_is_unit_var(x, n) && mpz_cmp_ui(x, 1) != 0;
}

/* Checks 1-3. */
static bool statement_ok(const mpc_zk_prm_proof *proof, const mpc_rped *rp)
{
    const mpz_srcptr n = rp->n;
    if (!mpz_odd_p(n) || mpz_sizeinbase(n, 2) < rp->params->n_min_bits ||
        !good_base(rp->s, n) || !good_base(rp->t, n))
        return false;
    for (size_t i = 0; i < rp->params->m; i++)
        if (!mpc_bn_is_unit_var(proof->a[i], n) || mpz_sgn(proof->z[i]) < 0 ||
            mpz_cmp(proof->z[i], n) >= 0)
            return false;
    return true;
}

mpc_err mpc_zk_prm_verify(const mpc_ctx *ctx, mpc_transcript *t,
                          const mpc_zk_prm_proof *proof, const mpc_rped *rp)
{
    if (ctx == NULL || t == NULL || proof == NULL || !rped_ok(rp) ||
        proof->params != rp->params)
        return MPC_ERR_INVALID_ARG;
    if (!statement_ok(proof, rp))
        return MPC_ERR_VERIFY;
    uint8_t e[MPC_ZK_PRM_ROUNDS_MAX];
    challenge(t, proof, rp, e);
    mpc_bn_fbtable tab;
    mpc_err err =
        mpc_bn_fbtable_init(ctx, &tab, rp->t, rp->n, mpz_sizeinbase(rp->n, 2));
    if (err != MPC_OK)
        return err;
    mpz_t lhs, rhs;
    mpz_inits(lhs, rhs, NULL);
    for (size_t i = 0; i < rp->params->m && err == MPC_OK; i++) {
        err = mpc_bn_fbtable_powm_var(lhs, &tab, proof->z[i]);
        if (err != MPC_OK)
            break;
        mpz_set(rhs, proof->a[i]);
        if (e[i]) {
            mpz_mul(rhs, rhs, rp->s);
            mpz_mod(rhs, rhs, rp->n);
        }
        if (mpz_cmp(lhs, rhs) != 0)
            err = MPC_ERR_VERIFY;
    }
    mpz_clears(lhs, rhs, NULL);
    mpc_bn_fbtable_clear(ctx, &tab);
    return err;
}

/* ---- Encoding ---------------------------------------------------------- */

size_t mpc_zk_prm_proof_bytes(const mpc_params *params)
{
    if (!params_ok(params))
        return 0;
    return 2 * params->m * params->n_bytes;
}

mpc_err mpc_zk_prm_proof_serialize(uint8_t *out, size_t len,
                                   const mpc_zk_prm_proof *proof)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    const mpc_params *params = proof != NULL ? proof->params : NULL;
    size_t want = mpc_zk_prm_proof_bytes(params);
    bool ok = want != 0 && len == want;
    for (size_t i = 0; ok && i < params->m; i++)
        ok = fits(proof->a[i], params->n_bytes) &&
             fits(proof->z[i], params->n_bytes);
    if (!ok) {
        memset(out, 0, len);
        return MPC_ERR_INVALID_ARG;
    }
    size_t nb = params->n_bytes, m = params->m;
    for (size_t i = 0; i < m; i++) {
        mpc_zk_put_uint_var(out + i * nb, nb, proof->a[i]);
        mpc_zk_put_uint_var(out + (m + i) * nb, nb, proof->z[i]);
    }
    return MPC_OK;
}

static bool get_int(mpz_t x, const uint8_t *in, size_t nb, const mpz_t n)
{
    mpz_import(x, nb, 1, 1, 1, 0, in);
    return mpz_cmp(x, n) < 0;
}

mpc_err mpc_zk_prm_proof_parse(mpc_zk_prm_proof *proof, const mpc_rped *rp,
                               const uint8_t *in, size_t len)
{
    if (proof == NULL)
        return MPC_ERR_INVALID_ARG;
    reset(proof);
    if (!rped_ok(rp) || in == NULL)
        return MPC_ERR_INVALID_ARG;
    size_t nb = rp->params->n_bytes, m = rp->params->m;
    bool ok = len == mpc_zk_prm_proof_bytes(rp->params);
    for (size_t i = 0; ok && i < m; i++)
        ok = get_int(proof->a[i], in + i * nb, nb, rp->n) &&
             get_int(proof->z[i], in + (m + i) * nb, nb, rp->n);
    if (!ok) {
        reset(proof);
        return MPC_ERR_PARSE;
    }
    proof->params = rp->params;
    return MPC_OK;
}
