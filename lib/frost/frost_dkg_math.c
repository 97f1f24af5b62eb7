/*
 * FROST distributed key generation, the math of the FROST paper's Fig. 1
 * (Komlo–Goldberg, eprint 2020/852) as ZF frost-core keys/dkg.rs computes
 * it, so that its test vectors reproduce: a Pedersen DKG where each dealer
 * proves knowledge of its constant term with a Schnorr proof, against
 * rogue-key attacks. Polynomials, Feldman checks and interpolation are the
 * VSS module's; this file adds the proof, the threshold-raise check, and
 * the assembly of the key.
 */
#include <string.h>

#include <sodium.h>

#include "lib/frost/frost_internal.h"
#include "mpc/frost.h"
#include "mpc/mem.h"
#include "mpc/vss.h"

void mpc_frost_pok_reset(const mpc_group *g, mpc_frost_pok *pok)
{
    mpc_frost_points_reset(g, &pok->r, 1);
    mpc_scalar_set_zero(&pok->mu);
}

static bool threshold_ok(size_t t)
{
    return t >= 2 && t <= MPC_FROST_MAX_PARTIES;
}

static bool context_ok(const uint8_t *context, size_t context_len)
{
    return context != NULL || context_len == 0;
}

/*
 * c = HDKG(SerializeScalar(id) || SerializeElement(phi0) ||
 *          SerializeElement(R) [|| LE64(len) || context]).
 */
static void pok_challenge(const mpc_group *g, mpc_scalar *c,
                          const mpc_scalar *id, const mpc_point *phi0,
                          const mpc_point *r, const uint8_t *context,
                          size_t context_len)
{
    crypto_hash_sha512_state st;
    uint8_t buf[MPC_FROST_POINT_BYTES];

    mpc_frost_hash_init(&st, "dkg");
    mpc_scalar_serialize(g, buf, id);
    crypto_hash_sha512_update(&st, buf, MPC_FROST_SCALAR_BYTES);
    mpc_point_serialize(g, buf, phi0);
    crypto_hash_sha512_update(&st, buf, MPC_FROST_POINT_BYTES);
    mpc_point_serialize(g, buf, r);
    crypto_hash_sha512_update(&st, buf, MPC_FROST_POINT_BYTES);
    if (context_len > 0) {
        uint8_t len_le[8];
        uint64_t v = (uint64_t)context_len;
        for (size_t i = 0; i < sizeof len_le; i++)
            len_le[i] = (uint8_t)(v >> (8 * i));
        crypto_hash_sha512_update(&st, len_le, sizeof len_le);
        crypto_hash_sha512_update(&st, context, context_len);
    }
    mpc_frost_hash_to_scalar(g, c, &st);
}

mpc_err
mpc_frost_dkg_pok_prove_with_nonce(const mpc_group *g, mpc_frost_pok *pok,
                                   const mpc_scalar *id, const mpc_scalar *a0,
                                   const mpc_point *phi0, const mpc_scalar *k,
                                   const uint8_t *context, size_t context_len)
{
    mpc_scalar c;

    if (pok == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_frost_pok_reset(g, pok);
    if (!mpc_frost_group_ok(g) || id == NULL || a0 == NULL || phi0 == NULL ||
        k == NULL || !context_ok(context, context_len) ||
        mpc_scalar_is_zero(id))
        return MPC_ERR_INVALID_ARG;

    mpc_point_mul_base(g, &pok->r, k);
    pok_challenge(g, &c, id, phi0, &pok->r, context, context_len);
    /* mu = k + a0*c */
    mpc_scalar_mul(g, &pok->mu, a0, &c);
    mpc_scalar_add(g, &pok->mu, &pok->mu, k);
    return MPC_OK;
}

mpc_err mpc_frost_dkg_part1(const mpc_group *g, mpc_scalar *coef,
                            mpc_point *commit, mpc_frost_pok *pok,
                            const mpc_scalar *id, size_t t,
                            const uint8_t *context, size_t context_len)
{
    mpc_scalar k;

    if (pok != NULL)
        mpc_frost_pok_reset(g, pok);
    if (coef == NULL || commit == NULL || pok == NULL || !threshold_ok(t))
        return MPC_ERR_INVALID_ARG;
    memset(coef, 0, t * sizeof *coef);
    mpc_frost_points_reset(g, commit, t);
    if (!mpc_frost_group_ok(g) || id == NULL ||
        !context_ok(context, context_len) || mpc_scalar_is_zero(id))
        return MPC_ERR_INVALID_ARG;

    mpc_poly_random(g, coef, t, NULL);
    mpc_poly_commit(g, commit, coef, t);
    mpc_scalar_random(g, &k);
    mpc_err err = mpc_frost_dkg_pok_prove_with_nonce(
        g, pok, id, &coef[0], &commit[0], &k, context, context_len);
    mpc_scalar_clear(&k);
    return err;
}

mpc_err mpc_frost_dkg_round1_verify(const mpc_group *g,
                                    const mpc_scalar *sender,
                                    const mpc_point *commit, size_t n_commit,
                                    const mpc_frost_pok *pok, size_t t,
                                    const uint8_t *context, size_t context_len)
{
    mpc_scalar c;
    mpc_point lhs, rhs;

    if (!mpc_frost_group_ok(g) || sender == NULL || commit == NULL ||
        pok == NULL || !threshold_ok(t) || !context_ok(context, context_len) ||
        mpc_scalar_is_zero(sender))
        return MPC_ERR_INVALID_ARG;
    /* More coefficients than agreed would raise the threshold. */
    if (n_commit != t)
        return MPC_ERR_VERIFY;
    if (mpc_point_is_identity(g, &commit[0]) ||
        mpc_point_is_identity(g, &pok->r))
        return MPC_ERR_VERIFY;

    /* mu*B == R + c*phi0 */
    pok_challenge(g, &c, sender, &commit[0], &pok->r, context, context_len);
    mpc_point_mul_base(g, &lhs, &pok->mu);
    mpc_point_mul(g, &rhs, &c, &commit[0]);
    mpc_point_add(g, &rhs, &rhs, &pok->r);
    return mpc_point_eq(g, &lhs, &rhs) ? MPC_OK : MPC_ERR_VERIFY;
}

mpc_err mpc_frost_dkg_share(const mpc_group *g, mpc_scalar *out,
                            const mpc_scalar *coef, size_t t,
                            const mpc_scalar *recipient)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_scalar_set_zero(out);
    if (!mpc_frost_group_ok(g) || coef == NULL || recipient == NULL || t == 0 ||
        t > MPC_FROST_MAX_PARTIES || mpc_scalar_is_zero(recipient))
        return MPC_ERR_INVALID_ARG;
    mpc_poly_eval(g, out, coef, t, recipient);
    return MPC_OK;
}

/* Zeroes part 3's outputs; n is already known to be bounded. */
static void part3_zero(const mpc_group *g, mpc_frost_key_package *key,
                       mpc_point *vshares, size_t *culprits, size_t *n_culprits,
                       size_t n)
{
    if (key != NULL) {
        mpc_frost_key_package_clear(key);
        mpc_frost_points_reset(g, &key->group_pk, 1);
    }
    if (n_culprits != NULL)
        *n_culprits = 0;
    if (n > MPC_FROST_MAX_PARTIES)
        return;
    if (vshares != NULL)
        mpc_frost_points_reset(g, vshares, n);
    if (culprits != NULL)
        memset(culprits, 0, n * sizeof *culprits);
}

mpc_err mpc_frost_dkg_part3(const mpc_group *g, mpc_frost_key_package *key,
                            mpc_point *vshares, size_t *culprits,
                            size_t *n_culprits, const mpc_scalar *ids, size_t n,
                            size_t self, size_t t, const mpc_point *commit,
                            const mpc_scalar *shares)
{
    const mpc_point *rows[MPC_FROST_MAX_PARTIES];
    mpc_point sum[MPC_FROST_MAX_PARTIES];
    size_t bad = 0;

    part3_zero(g, key, vshares, culprits, n_culprits, n);
    if (key == NULL || vshares == NULL || !mpc_frost_group_ok(g) ||
        ids == NULL || commit == NULL || shares == NULL || !threshold_ok(t) ||
        n < t || n > MPC_FROST_MAX_PARTIES || self >= n ||
        mpc_vss_ids_check_var(g, ids, n) != MPC_OK)
        return MPC_ERR_INVALID_ARG;

    for (size_t j = 0; j < n; j++) {
        mpc_err err =
            mpc_vss_verify_share(g, &commit[j * t], t, &ids[self], &shares[j]);
        if (err == MPC_OK)
            continue;
        if (err != MPC_ERR_VERIFY)
            return err;
        if (culprits != NULL)
            culprits[bad] = j;
        bad++;
    }
    if (bad > 0) {
        if (n_culprits != NULL)
            *n_culprits = bad;
        return MPC_ERR_VERIFY;
    }

    /* The summed commitments commit to the sum of all polynomials. */
    for (size_t j = 0; j < n; j++)
        rows[j] = &commit[j * t];
    mpc_vss_commitments_sum(g, sum, rows, n, t);
    if (mpc_point_is_identity(g, &sum[0]))
        return MPC_ERR_PROTOCOL;
    for (size_t j = 0; j < n; j++)
        mpc_vss_commitment_eval_var(g, &vshares[j], sum, t, &ids[j]);

    key->id = ids[self];
    mpc_scalar_set_zero(&key->share);
    for (size_t j = 0; j < n; j++)
        mpc_scalar_add(g, &key->share, &key->share, &shares[j]);
    key->group_pk = sum[0];
    key->threshold = t;
    return MPC_OK;
}

/* ---- encodings ----------------------------------------------------------- */

void mpc_frost_pok_serialize(const mpc_group *g,
                             uint8_t out[MPC_FROST_POK_BYTES],
                             const mpc_frost_pok *pok)
{
    mpc_point_serialize(g, out, &pok->r);
    mpc_scalar_serialize(g, out + MPC_FROST_POINT_BYTES, &pok->mu);
}

/* R || mu, length already checked. */
static mpc_err pok_parse(const mpc_group *g, mpc_frost_pok *pok,
                         const uint8_t *in)
{
    if (mpc_point_parse(g, &pok->r, in, MPC_FROST_POINT_BYTES) != MPC_OK ||
        mpc_scalar_parse(g, &pok->mu, in + MPC_FROST_POINT_BYTES) != MPC_OK) {
        mpc_frost_pok_reset(g, pok);
        return MPC_ERR_PARSE;
    }
    return MPC_OK;
}

mpc_err mpc_frost_pok_parse(const mpc_group *g, mpc_frost_pok *pok,
                            const uint8_t *in, size_t len)
{
    if (pok == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_frost_pok_reset(g, pok);
    if (!mpc_frost_group_ok(g) || in == NULL)
        return MPC_ERR_INVALID_ARG;
    if (len != MPC_FROST_POK_BYTES)
        return MPC_ERR_PARSE;
    return pok_parse(g, pok, in);
}

void mpc_frost_dkg_round1_serialize(const mpc_group *g, uint8_t *out,
                                    const mpc_point *commit, size_t t,
                                    const mpc_frost_pok *pok)
{
    for (size_t k = 0; k < t; k++)
        mpc_point_serialize(g, out + k * MPC_FROST_POINT_BYTES, &commit[k]);
    mpc_frost_pok_serialize(g, out + t * MPC_FROST_POINT_BYTES, pok);
}

mpc_err mpc_frost_dkg_round1_parse(const mpc_group *g, mpc_point *commit,
                                   size_t cap, size_t *t, mpc_frost_pok *pok,
                                   const uint8_t *in, size_t len)
{
    if (t != NULL)
        *t = 0;
    if (pok != NULL)
        mpc_frost_pok_reset(g, pok);
    if (commit == NULL || t == NULL || pok == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_frost_points_reset(
        g, commit, cap < MPC_FROST_MAX_PARTIES ? cap : MPC_FROST_MAX_PARTIES);
    if (!mpc_frost_group_ok(g) || in == NULL)
        return MPC_ERR_INVALID_ARG;
    if (len < MPC_FROST_DKG_ROUND1_BYTES(1) ||
        (len - MPC_FROST_POK_BYTES) % MPC_FROST_POINT_BYTES != 0)
        return MPC_ERR_PARSE;
    size_t count = (len - MPC_FROST_POK_BYTES) / MPC_FROST_POINT_BYTES;
    if (count > cap || count > MPC_FROST_MAX_PARTIES)
        return MPC_ERR_PARSE;

    for (size_t k = 0; k < count; k++) {
        if (mpc_point_parse(g, &commit[k], in + k * MPC_FROST_POINT_BYTES,
                            MPC_FROST_POINT_BYTES) != MPC_OK) {
            mpc_frost_points_reset(g, commit, k + 1);
            return MPC_ERR_PARSE;
        }
    }
    if (pok_parse(g, pok, in + count * MPC_FROST_POINT_BYTES) != MPC_OK) {
        mpc_frost_points_reset(g, commit, count);
        return MPC_ERR_PARSE;
    }
    *t = count;
    return MPC_OK;
}
