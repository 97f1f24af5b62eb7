/*
 * CGGMP21 sign round and combiner (mpc/cggmp_sign.h; crypto.md §2.5D,
 * §2.6 level 3, §2.7).
 */
#include <string.h>

#include "cggmp_internal.h"
#include "mpc/cggmp_sign.h"
#include "mpc/mem.h"
#include "sign_internal.h"

static bool is_secp(const mpc_group *g)
{
    return mpc_group_curve(g) == MPC_CURVE_SECP256K1;
}

/* The request names exactly the presignature's binding (public data). */
static bool binding_matches(const mpc_cggmp_presig_binding *b,
                            const mpc_cggmp_sign_request *req)
{
    return memcmp(b->key_id, req->key_id, sizeof(b->key_id)) == 0 &&
           b->key_version == req->key_version &&
           memcmp(b->signers, req->signers, sizeof(b->signers)) == 0 &&
           mpc_scalar_eq(&b->tweak, &req->tweak);
}

mpc_err
mpc_cggmp_sign_share_digest(const mpc_group *g, mpc_scalar *sigma,
                            mpc_cggmp_presig *presig,
                            const uint8_t digest[MPC_ECDSA_DIGEST_BYTES])
{
    mpc_scalar m, r, t;
    mpc_err err = MPC_OK;

    mpc_scalar_set_zero(sigma);
    if (!mpc_cggmp_presig_is_fresh(presig))
        return MPC_ERR_STATE;
    if (mpc_ecdsa_r_from_point(g, &r, &presig->big_r) != MPC_OK) {
        err = MPC_ERR_VERIFY;
        goto out;
    }
    mpc_scalar_reduce_be(g, &m, digest, MPC_ECDSA_DIGEST_BYTES);
    mpc_scalar_mul(g, sigma, &presig->k, &m);
    mpc_scalar_mul(g, &t, &presig->chi, &r);
    mpc_scalar_add(g, sigma, sigma, &t);
out:
    /* Spent before the share leaves this function (§2.7 rule 3); the
     * public record stays for the combiner. */
    mpc_cggmp_presig_consume(presig);
    mpc_scalar_clear(&t);
    return err;
}

mpc_err mpc_cggmp_sign_share(const mpc_group *g,
                             uint8_t share[MPC_CGGMP_SIGN_SHARE_BYTES],
                             mpc_cggmp_presig *presig,
                             const mpc_cggmp_sign_request *req)
{
    uint8_t digest[MPC_ECDSA_DIGEST_BYTES];
    mpc_scalar sigma;
    mpc_err err;

    memset(share, 0, MPC_CGGMP_SIGN_SHARE_BYTES);
    if (!mpc_cggmp_presig_is_fresh(presig))
        return MPC_ERR_STATE;
    if (!is_secp(g) || !binding_matches(&presig->binding, req))
        return MPC_ERR_INVALID_ARG;
    if (mpc_msghash(digest, req->alg, req->msg, req->msg_len) != MPC_OK)
        return MPC_ERR_INVALID_ARG;
    err = mpc_cggmp_sign_share_digest(g, &sigma, presig, digest);
    if (err == MPC_OK)
        mpc_scalar_serialize(g, share, &sigma);
    mpc_scalar_clear(&sigma);
    return err;
}

void mpc_cggmp_combine_input_set_presig(mpc_cggmp_combine_input *in,
                                        const mpc_cggmp_presig *presig)
{
    bool have = presig->count > 0 && presig->count <= MPC_CGGMP_MAX_PARTIES;
    in->big_r = &presig->big_r;
    in->count = presig->count;
    in->positions = presig->positions;
    in->k_r = have ? presig->k_r : NULL;
    in->chi_r = have ? presig->chi_r : NULL;
}

static void blame_set(mpc_blame *b, mpc_err err, mpc_blame_reason reason,
                      bool attributable, const char *detail)
{
    b->err = err;
    b->reason = reason;
    b->attributable = attributable;
    b->round = 1;
    b->broadcaster = MPC_BLAME_NOBODY;
    strncpy(b->detail, detail, sizeof(b->detail) - 1);
}

static void blame_add(mpc_blame *b, uint32_t party)
{
    b->parties[party / 8] |= (uint8_t)(1u << (party % 8));
}

static mpc_err check_input(const mpc_group *g,
                           const mpc_cggmp_combine_input *in)
{
    if (!is_secp(g) || in->count == 0 || in->count > MPC_CGGMP_MAX_PARTIES ||
        (in->k_r == NULL) != (in->chi_r == NULL) ||
        mpc_point_is_identity(g, in->pubkey) ||
        mpc_point_is_identity(g, in->big_r))
        return MPC_ERR_INVALID_ARG;
    for (size_t j = 0; j < in->count; j++)
        if (in->positions[j] >= MPC_CGGMP_MAX_PARTIES)
            return MPC_ERR_INVALID_ARG;
    return MPC_OK;
}

/*
 * §2.6 level 3: σ_j·R = m·(k_j·R) + r·(χ_j·R) for an honest share. Blames
 * every signer that fails it; returns whether anyone was blamed.
 */
static bool blame_bad_shares(const mpc_group *g, mpc_blame *blame,
                             const mpc_cggmp_combine_input *in,
                             const mpc_scalar *sigmas, const mpc_scalar *m,
                             const mpc_scalar *r)
{
    bool any = false;

    for (size_t j = 0; j < in->count; j++) {
        mpc_point lhs, a, b;
        mpc_point_mul(g, &lhs, &sigmas[j], in->big_r);
        mpc_point_mul(g, &a, m, &in->k_r[j]);
        mpc_point_mul(g, &b, r, &in->chi_r[j]);
        mpc_point_add(g, &a, &a, &b);
        if (!mpc_point_eq(g, &lhs, &a)) {
            blame_add(blame, in->positions[j]);
            any = true;
        }
    }
    return any;
}

mpc_err mpc_cggmp_sign_combine(const mpc_group *g, mpc_ecdsa_signature *sig,
                               mpc_blame *blame,
                               const mpc_cggmp_combine_input *in)
{
    mpc_scalar sigmas[MPC_CGGMP_MAX_PARTIES];
    mpc_scalar sum, m, r;
    mpc_err err;
    bool bad = false;

    memset(sig, 0, sizeof(*sig));
    memset(blame, 0, sizeof(*blame));
    blame->broadcaster = MPC_BLAME_NOBODY;
    err = check_input(g, in);
    if (err != MPC_OK)
        return err;

    mpc_scalar_set_zero(&sum);
    for (size_t j = 0; j < in->count; j++) {
        if (mpc_scalar_parse(g, &sigmas[j], in->shares[j]) != MPC_OK) {
            blame_add(blame, in->positions[j]);
            bad = true;
        }
        mpc_scalar_add(g, &sum, &sum, &sigmas[j]);
    }
    if (bad) {
        blame_set(blame, MPC_ERR_PARSE, MPC_BLAME_PARSE, true,
                  "sign share not a scalar");
        return MPC_ERR_PARSE;
    }

    err = mpc_ecdsa_signature_make(g, sig, in->big_r, &sum);
    if (err == MPC_OK)
        err = mpc_ecdsa_verify_var(g, in->pubkey, in->digest, sig);
    if (err == MPC_OK)
        return MPC_OK;

    memset(sig, 0, sizeof(*sig));
    if (in->k_r == NULL) {
        blame_set(blame, MPC_ERR_VERIFY, MPC_BLAME_VERIFY, false,
                  "signature invalid; shares not checkable");
        return MPC_ERR_VERIFY;
    }
    mpc_scalar_reduce_be(g, &m, in->digest, MPC_ECDSA_DIGEST_BYTES);
    if (mpc_ecdsa_r_from_point(g, &r, in->big_r) != MPC_OK ||
        !blame_bad_shares(g, blame, in, sigmas, &m, &r)) {
        blame_set(blame, MPC_ERR_VERIFY, MPC_BLAME_VERIFY, false,
                  "signature invalid; every share checks");
        return MPC_ERR_VERIFY;
    }
    blame_set(blame, MPC_ERR_VERIFY, MPC_BLAME_VERIFY, true,
              "sign share fails sigma*R check");
    return MPC_ERR_VERIFY;
}
