/*
 * FROST(Ed25519, SHA-512) signing, RFC 9591 §4–§6.1: nonces, binding
 * factors, group commitment, challenge, signature shares, share
 * verification, aggregation, and the encodings of commitments and shares.
 *
 * Every verification here is on public values (commitments, shares z_i,
 * verifying shares), so it may branch; the signer's share and nonces only
 * go through the constant-time scalar and base-point functions of group.h.
 */
#include <string.h>

#include <sodium.h>

#include "lib/frost/frost_internal.h"
#include "mpc/frost.h"
#include "mpc/mem.h"
#include "mpc/vss.h"

/* Marks an unused nonce; cleared when the nonce is consumed or wiped. */
#define NONCE_MAGIC 0x46524e31u

/* Marks a signing package made by mpc_frost_signing_package_init. */
#define PACKAGE_MAGIC 0x46535047u

_Static_assert(MPC_FROST_DIGEST_BYTES == crypto_hash_sha512_BYTES,
               "H4 and H5 are SHA-512 digests");
_Static_assert(MPC_FROST_BINDING_INPUT_BYTES == MPC_FROST_POINT_BYTES +
                                                    2 * MPC_FROST_DIGEST_BYTES +
                                                    MPC_FROST_SCALAR_BYTES,
               "rho_input = PK || H4(msg) || H5(list) || id");

/* ---- hashing ------------------------------------------------------------- */

bool mpc_frost_group_ok(const mpc_group *g)
{
    return g != NULL && mpc_group_curve(g) == MPC_CURVE_ED25519;
}

void mpc_frost_hash_init(crypto_hash_sha512_state *st, const char *tag)
{
    static const char context[] = MPC_FROST_CONTEXT_STRING;
    crypto_hash_sha512_init(st);
    crypto_hash_sha512_update(st, (const uint8_t *)context, sizeof context - 1);
    crypto_hash_sha512_update(st, (const uint8_t *)tag, strlen(tag));
}

void mpc_frost_hash_update(crypto_hash_sha512_state *st, const uint8_t *p,
                           size_t len)
{
    if (len > 0)
        crypto_hash_sha512_update(st, p, len);
}

void mpc_frost_hash_to_scalar(const mpc_group *g, mpc_scalar *out,
                              crypto_hash_sha512_state *st)
{
    uint8_t digest[crypto_hash_sha512_BYTES];
    crypto_hash_sha512_final(st, digest);
    mpc_scalar_reduce_le(g, out, digest, sizeof digest);
    mpc_wipe(digest, sizeof digest);
    mpc_wipe(st, sizeof *st);
}

void mpc_frost_points_reset(const mpc_group *g, mpc_point *p, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (mpc_frost_group_ok(g))
            mpc_point_set_identity(g, &p[k]);
        else
            memset(&p[k], 0, sizeof p[k]);
    }
}

void mpc_frost_commitment_reset(const mpc_group *g, mpc_frost_commitment *com)
{
    mpc_scalar_set_zero(&com->id);
    mpc_frost_points_reset(g, &com->hiding, 1);
    mpc_frost_points_reset(g, &com->binding, 1);
}

static void hash_scalar(crypto_hash_sha512_state *st, const mpc_group *g,
                        const mpc_scalar *a)
{
    uint8_t buf[MPC_FROST_SCALAR_BYTES];
    mpc_scalar_serialize(g, buf, a);
    crypto_hash_sha512_update(st, buf, sizeof buf);
    mpc_wipe(buf, sizeof buf);
}

static void hash_point(crypto_hash_sha512_state *st, const mpc_group *g,
                       const mpc_point *p)
{
    uint8_t buf[MPC_FROST_POINT_BYTES];
    mpc_point_serialize(g, buf, p);
    crypto_hash_sha512_update(st, buf, sizeof buf);
}

/* ---- small helpers ------------------------------------------------------- */

static bool msg_ok(const uint8_t *msg, size_t msg_len)
{
    return msg != NULL || msg_len == 0;
}

/* Compares identifiers as integers (little-endian encodings). Public. */
static int id_cmp(const mpc_scalar *a, const mpc_scalar *b)
{
    for (size_t i = MPC_SCALAR_BYTES; i-- > 0;) {
        if (a->v[i] != b->v[i])
            return a->v[i] < b->v[i] ? -1 : 1;
    }
    return 0;
}

/* out = p + tweak*B (p if tweak is NULL); the identity is refused. */
static mpc_err tweak_point(const mpc_group *g, mpc_point *out,
                           const mpc_point *p, const mpc_scalar *tweak)
{
    mpc_point t;
    *out = *p;
    if (tweak != NULL) {
        mpc_point_mul_base(g, &t, tweak);
        mpc_point_add(g, out, p, &t);
    }
    if (mpc_point_is_identity(g, out)) {
        mpc_point_set_identity(g, out);
        return MPC_ERR_INVALID_ARG;
    }
    return MPC_OK;
}

/* The list rules of mpc_frost_commitment_list_check, without a signer set. */
static mpc_err list_check(const mpc_group *g, const mpc_frost_commitment *list,
                          size_t n)
{
    if (n == 0 || n > MPC_FROST_MAX_PARTIES)
        return MPC_ERR_PROTOCOL;
    for (size_t k = 0; k < n; k++) {
        if (mpc_scalar_is_zero(&list[k].id) ||
            mpc_point_is_identity(g, &list[k].hiding) ||
            mpc_point_is_identity(g, &list[k].binding))
            return MPC_ERR_PROTOCOL;
        if (k > 0 && id_cmp(&list[k - 1].id, &list[k].id) >= 0)
            return MPC_ERR_PROTOCOL;
    }
    return MPC_OK;
}

/* Index of `id` in a checked list, or n. */
static size_t list_find(const mpc_frost_commitment *list, size_t n,
                        const mpc_scalar *id)
{
    for (size_t k = 0; k < n; k++) {
        if (id_cmp(&list[k].id, id) == 0)
            return k;
    }
    return n;
}

static void wipe_scalars(mpc_scalar *a, size_t n)
{
    for (size_t k = 0; k < n; k++)
        mpc_scalar_clear(&a[k]);
}

/* lambda_k over the list's identifiers, at zero (RFC 9591 §4.2). */
static mpc_err lambda_of(const mpc_group *g, mpc_scalar *out,
                         const mpc_frost_commitment *list, size_t n, size_t k)
{
    mpc_scalar xs[MPC_FROST_MAX_PARTIES];
    for (size_t j = 0; j < n; j++)
        xs[j] = list[j].id;
    return mpc_lagrange_coeff_var(g, out, xs, n, k, NULL);
}

/* ---- RFC 9591 §4 --------------------------------------------------------- */

/* H4(msg). */
static void hash_msg(uint8_t out[MPC_FROST_DIGEST_BYTES], const uint8_t *msg,
                     size_t msg_len)
{
    crypto_hash_sha512_state st;
    mpc_frost_hash_init(&st, "msg");
    mpc_frost_hash_update(&st, msg, msg_len);
    crypto_hash_sha512_final(&st, out);
}

/* H5(encode_group_commitment_list(list)). */
static void hash_list(const mpc_group *g, uint8_t out[MPC_FROST_DIGEST_BYTES],
                      const mpc_frost_commitment *list, size_t n)
{
    crypto_hash_sha512_state st;
    uint8_t enc[MPC_FROST_COMMITMENT_BYTES];
    mpc_frost_hash_init(&st, "com");
    for (size_t k = 0; k < n; k++) {
        mpc_frost_commitment_serialize(g, enc, &list[k]);
        crypto_hash_sha512_update(&st, enc, sizeof enc);
    }
    crypto_hash_sha512_final(&st, out);
}

/* rho = H1(SerializeElement(PK') || H4(msg) || H5(list) || id): the
 * rho_input of RFC 9591 §4.4, hashed from the package's pieces. */
static void rho_of(const mpc_group *g, mpc_scalar *rho,
                   const mpc_frost_signing_package *pkg, const mpc_scalar *id)
{
    crypto_hash_sha512_state st;
    mpc_frost_hash_init(&st, "rho");
    hash_point(&st, g, &pkg->pk);
    crypto_hash_sha512_update(&st, pkg->msg_hash, sizeof pkg->msg_hash);
    crypto_hash_sha512_update(&st, pkg->list_hash, sizeof pkg->list_hash);
    hash_scalar(&st, g, id);
    mpc_frost_hash_to_scalar(g, rho, &st);
}

/* r = D + rho*E: one signer's term of the group commitment. */
static void commitment_term(const mpc_group *g, mpc_point *r,
                            const mpc_frost_commitment *com,
                            const mpc_scalar *rho)
{
    mpc_point_mul(g, r, rho, &com->binding);
    mpc_point_add(g, r, r, &com->hiding);
}

/* r = (d + rho*e)*B, which is D + rho*E for the nonce's own commitment:
 * a fixed-base multiplication instead of a variable-base one and an
 * addition. Constant time in the nonce. */
static void own_term(const mpc_group *g, mpc_point *r,
                     const mpc_frost_nonce *nonce, const mpc_scalar *rho)
{
    mpc_scalar k;
    mpc_scalar_mul(g, &k, &nonce->binding, rho);
    mpc_scalar_add(g, &k, &k, &nonce->hiding);
    mpc_point_mul_base(g, r, &k);
    mpc_scalar_clear(&k);
}

/* The index of the fresh nonce's commitment in a checked list, or n. */
static size_t own_index(const mpc_group *g, const mpc_frost_nonce *own,
                        const mpc_frost_commitment *list, size_t n)
{
    if (!mpc_frost_nonce_is_fresh(own))
        return n;
    size_t k = list_find(list, n, &own->commitment.id);
    if (k == n || !mpc_point_eq(g, &list[k].hiding, &own->commitment.hiding) ||
        !mpc_point_eq(g, &list[k].binding, &own->commitment.binding))
        return n;
    return k;
}

/*
 * r = sum of the terms of list[0..n), n >= 1, a checked list: rho[k] or,
 * with rho NULL, the package's binding factors. The term of `own` (may be
 * NULL), a fresh nonce whose commitment is in the list, is computed from
 * the nonce. The first term is not added to the identity: every Ed25519
 * addition decodes and re-encodes.
 */
static void commitment_sum(const mpc_group *g, mpc_point *r,
                           const mpc_frost_commitment *list, size_t n,
                           const mpc_scalar *rho,
                           const mpc_frost_signing_package *pkg,
                           const mpc_frost_nonce *own)
{
    size_t mine = own_index(g, own, list, n);
    for (size_t k = 0; k < n; k++) {
        mpc_scalar rho_k;
        mpc_point t, *term = k == 0 ? r : &t;
        if (rho != NULL)
            rho_k = rho[k];
        else
            rho_of(g, &rho_k, pkg, &list[k].id);
        if (k == mine)
            own_term(g, term, own, &rho_k);
        else
            commitment_term(g, term, &list[k], &rho_k);
        if (k > 0)
            mpc_point_add(g, r, r, &t);
    }
}

/* c = H2(SerializeElement(R) || SerializeElement(PK) || msg). */
static void challenge_of(const mpc_group *g, mpc_scalar *c, const mpc_point *r,
                         const mpc_point *pk, const uint8_t *msg,
                         size_t msg_len)
{
    crypto_hash_sha512_state st;
    crypto_hash_sha512_init(&st);
    hash_point(&st, g, r);
    hash_point(&st, g, pk);
    mpc_frost_hash_update(&st, msg, msg_len);
    mpc_frost_hash_to_scalar(g, c, &st);
}

/* ---- signing packages: internals ----------------------------------------- */

/* Zero scalars and digests, identity points, not made. */
static void package_reset(const mpc_group *g, mpc_frost_signing_package *pkg)
{
    memset(pkg, 0, sizeof *pkg);
    mpc_frost_points_reset(g, &pkg->pk, 1);
    mpc_frost_points_reset(g, &pkg->r, 1);
    mpc_frost_points_reset(g, &pkg->key_pk, 1);
}

/* Checks the list and the key, and fills in everything the binding
 * factors need: PK, PK', delta, H4(msg), H5(list), n. */
static mpc_err package_start(const mpc_group *g, mpc_frost_signing_package *pkg,
                             const mpc_point *group_pk, const mpc_scalar *tweak,
                             const uint8_t *msg, size_t msg_len,
                             const mpc_frost_commitment *list, size_t n)
{
    mpc_err err = list_check(g, list, n);
    if (err == MPC_OK)
        err = tweak_point(g, &pkg->pk, group_pk, tweak);
    if (err != MPC_OK)
        return err;
    pkg->key_pk = *group_pk;
    if (tweak != NULL)
        pkg->delta = *tweak;
    hash_msg(pkg->msg_hash, msg, msg_len);
    hash_list(g, pkg->list_hash, list, n);
    pkg->n = n;
    return MPC_OK;
}

/* The tweak to pass on: NULL for none (a zero tweak is no tweak). */
static const mpc_scalar *package_tweak(const mpc_frost_signing_package *pkg)
{
    return mpc_scalar_is_zero(&pkg->delta) ? NULL : &pkg->delta;
}

/* Whether pkg was made, and from this list. The digest comparison makes a
 * second list check unnecessary: only the checked list has this digest. */
static bool package_has_list(const mpc_group *g,
                             const mpc_frost_signing_package *pkg,
                             const mpc_frost_commitment *list, size_t n)
{
    uint8_t h[MPC_FROST_DIGEST_BYTES];
    if (pkg->magic != PACKAGE_MAGIC || pkg->n != n)
        return false;
    hash_list(g, h, list, n);
    return memcmp(h, pkg->list_hash, sizeof h) == 0; /* public */
}

static bool package_has_msg(const mpc_frost_signing_package *pkg,
                            const uint8_t *msg, size_t msg_len)
{
    uint8_t h[MPC_FROST_DIGEST_BYTES];
    hash_msg(h, msg, msg_len);
    return memcmp(h, pkg->msg_hash, sizeof h) == 0; /* public */
}

/* z*B == D + rho*E + (c*lambda)*pk_k for list[k], pk_k the signer's
 * verifying share, tweaked. Public values only. */
static bool share_ok(const mpc_group *g, const mpc_frost_signing_package *pkg,
                     const mpc_frost_commitment *list, size_t n, size_t k,
                     const mpc_scalar *z, const mpc_point *pk_k)
{
    mpc_scalar rho, lambda;
    mpc_point lhs, rhs, t;

    if (lambda_of(g, &lambda, list, n, k) != MPC_OK)
        return false;
    rho_of(g, &rho, pkg, &list[k].id);
    mpc_scalar_mul(g, &lambda, &lambda, &pkg->c);

    mpc_point_mul(g, &t, &lambda, pk_k);
    commitment_term(g, &rhs, &list[k], &rho);
    mpc_point_add(g, &rhs, &rhs, &t);
    mpc_point_mul_base(g, &lhs, z);
    return mpc_point_eq(g, &lhs, &rhs);
}

/* RFC 8032 verification of sig under pk, as any verifier runs it
 * (libsodium; its 0/-1 is read here and nowhere else). */
static bool signature_ok(const mpc_group *g,
                         const uint8_t sig[MPC_FROST_SIGNATURE_BYTES],
                         const mpc_point *pk, const uint8_t *msg,
                         size_t msg_len)
{
    static const uint8_t empty[1];
    uint8_t pkb[MPC_FROST_POINT_BYTES];
    mpc_point_serialize(g, pkb, pk);
    return crypto_sign_verify_detached(sig, msg != NULL ? msg : empty, msg_len,
                                       pkb) == 0;
}

/* ---- types --------------------------------------------------------------- */

void mpc_frost_key_package_clear(mpc_frost_key_package *key)
{
    mpc_wipe(key, sizeof *key);
}

void mpc_frost_nonce_clear(mpc_frost_nonce *nonce)
{
    mpc_wipe(nonce, sizeof *nonce);
}

bool mpc_frost_nonce_is_fresh(const mpc_frost_nonce *nonce)
{
    return nonce != NULL && nonce->magic == NONCE_MAGIC;
}

/* ---- round one ----------------------------------------------------------- */

/* nonce_generate (RFC 9591 §4.1): H3(random32 || SerializeScalar(s)). */
static void nonce_generate(const mpc_group *g, mpc_scalar *out,
                           const uint8_t random32[MPC_FROST_NONCE_RANDOM_BYTES],
                           const mpc_scalar *s)
{
    crypto_hash_sha512_state st;
    mpc_frost_hash_init(&st, "nonce");
    crypto_hash_sha512_update(&st, random32, MPC_FROST_NONCE_RANDOM_BYTES);
    hash_scalar(&st, g, s);
    mpc_frost_hash_to_scalar(g, out, &st);
}

mpc_err mpc_frost_commit_with_random(
    const mpc_group *g, mpc_frost_nonce *nonce, mpc_frost_commitment *com,
    const mpc_frost_key_package *key,
    const uint8_t hiding_random32[MPC_FROST_NONCE_RANDOM_BYTES],
    const uint8_t binding_random32[MPC_FROST_NONCE_RANDOM_BYTES])
{
    if (nonce != NULL)
        mpc_frost_nonce_clear(nonce);
    if (com != NULL)
        mpc_frost_commitment_reset(g, com);
    if (nonce == NULL || com == NULL || key == NULL ||
        hiding_random32 == NULL || binding_random32 == NULL ||
        !mpc_frost_group_ok(g) || mpc_scalar_is_zero(&key->id))
        return MPC_ERR_INVALID_ARG;

    nonce_generate(g, &nonce->hiding, hiding_random32, &key->share);
    nonce_generate(g, &nonce->binding, binding_random32, &key->share);
    nonce->commitment.id = key->id;
    mpc_point_mul_base(g, &nonce->commitment.hiding, &nonce->hiding);
    mpc_point_mul_base(g, &nonce->commitment.binding, &nonce->binding);
    nonce->magic = NONCE_MAGIC;
    *com = nonce->commitment;
    return MPC_OK;
}

mpc_err mpc_frost_commit(const mpc_group *g, mpc_frost_nonce *nonce,
                         mpc_frost_commitment *com,
                         const mpc_frost_key_package *key)
{
    uint8_t rnd[2 * MPC_FROST_NONCE_RANDOM_BYTES];
    if (mpc_frost_group_ok(g))
        mpc_ctx_random(mpc_group_ctx(g), rnd, sizeof rnd);
    else
        memset(rnd, 0, sizeof rnd); /* refused below */
    mpc_err err = mpc_frost_commit_with_random(
        g, nonce, com, key, rnd, rnd + MPC_FROST_NONCE_RANDOM_BYTES);
    mpc_wipe(rnd, sizeof rnd);
    return err;
}

/* ---- commitment lists and RFC 9591 §4 entry points ----------------------- */

mpc_err mpc_frost_commitment_list_check(const mpc_group *g,
                                        const mpc_frost_commitment *list,
                                        size_t n, const mpc_scalar *signers,
                                        size_t n_signers)
{
    if (!mpc_frost_group_ok(g) || list == NULL)
        return MPC_ERR_INVALID_ARG;
    if (signers != NULL) {
        if (n_signers == 0 || n_signers > MPC_FROST_MAX_PARTIES)
            return MPC_ERR_INVALID_ARG;
        for (size_t k = 0; k < n_signers; k++) {
            if (mpc_scalar_is_zero(&signers[k]) ||
                (k > 0 && id_cmp(&signers[k - 1], &signers[k]) >= 0))
                return MPC_ERR_INVALID_ARG;
        }
    }
    mpc_err err = list_check(g, list, n);
    if (err != MPC_OK || signers == NULL)
        return err;
    if (n != n_signers)
        return MPC_ERR_PROTOCOL;
    for (size_t k = 0; k < n; k++) {
        if (id_cmp(&list[k].id, &signers[k]) != 0)
            return MPC_ERR_PROTOCOL;
    }
    return MPC_OK;
}

mpc_err mpc_frost_binding_factor_input(
    const mpc_group *g, uint8_t out[MPC_FROST_BINDING_INPUT_BYTES],
    const mpc_point *group_pk, const mpc_scalar *tweak, const uint8_t *msg,
    size_t msg_len, const mpc_frost_commitment *list, size_t n, size_t k)
{
    mpc_frost_signing_package pkg;
    if (out != NULL)
        memset(out, 0, MPC_FROST_BINDING_INPUT_BYTES);
    if (out == NULL || !mpc_frost_group_ok(g) || group_pk == NULL ||
        list == NULL || !msg_ok(msg, msg_len) || k >= n)
        return MPC_ERR_INVALID_ARG;
    package_reset(g, &pkg);
    mpc_err err =
        package_start(g, &pkg, group_pk, tweak, msg, msg_len, list, n);
    if (err != MPC_OK)
        return err;
    uint8_t *p = out;
    mpc_point_serialize(g, p, &pkg.pk);
    p += MPC_FROST_POINT_BYTES;
    memcpy(p, pkg.msg_hash, sizeof pkg.msg_hash);
    p += sizeof pkg.msg_hash;
    memcpy(p, pkg.list_hash, sizeof pkg.list_hash);
    p += sizeof pkg.list_hash;
    mpc_scalar_serialize(g, p, &list[k].id);
    return MPC_OK;
}

mpc_err mpc_frost_binding_factors(const mpc_group *g, mpc_scalar *rho,
                                  const mpc_point *group_pk,
                                  const mpc_scalar *tweak, const uint8_t *msg,
                                  size_t msg_len,
                                  const mpc_frost_commitment *list, size_t n)
{
    mpc_frost_signing_package pkg;
    if (rho != NULL && n <= MPC_FROST_MAX_PARTIES)
        wipe_scalars(rho, n);
    if (rho == NULL || !mpc_frost_group_ok(g) || group_pk == NULL ||
        list == NULL || !msg_ok(msg, msg_len))
        return MPC_ERR_INVALID_ARG;
    package_reset(g, &pkg);
    mpc_err err =
        package_start(g, &pkg, group_pk, tweak, msg, msg_len, list, n);
    if (err != MPC_OK)
        return err;
    for (size_t k = 0; k < n; k++)
        rho_of(g, &rho[k], &pkg, &list[k].id);
    return MPC_OK;
}

mpc_err mpc_frost_group_commitment(const mpc_group *g, mpc_point *r,
                                   const mpc_frost_commitment *list,
                                   const mpc_scalar *rho, size_t n)
{
    if (r != NULL)
        mpc_frost_points_reset(g, r, 1);
    if (r == NULL || !mpc_frost_group_ok(g) || list == NULL || rho == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = list_check(g, list, n);
    if (err != MPC_OK)
        return err;
    commitment_sum(g, r, list, n, rho, NULL, NULL);
    if (mpc_point_is_identity(g, r))
        return MPC_ERR_PROTOCOL;
    return MPC_OK;
}

mpc_err mpc_frost_challenge(const mpc_group *g, mpc_scalar *c,
                            const mpc_point *r, const mpc_point *group_pk,
                            const mpc_scalar *tweak, const uint8_t *msg,
                            size_t msg_len)
{
    mpc_point pk;
    if (c != NULL)
        mpc_scalar_set_zero(c);
    if (c == NULL || !mpc_frost_group_ok(g) || r == NULL || group_pk == NULL ||
        !msg_ok(msg, msg_len) || mpc_point_is_identity(g, r))
        return MPC_ERR_INVALID_ARG;
    mpc_err err = tweak_point(g, &pk, group_pk, tweak);
    if (err != MPC_OK)
        return err;
    challenge_of(g, c, r, &pk, msg, msg_len);
    return MPC_OK;
}

/* ---- signing packages ---------------------------------------------------- */

/* mpc_frost_signing_package_init, with the signer's own nonce or NULL. */
static mpc_err package_make(const mpc_group *g, mpc_frost_signing_package *pkg,
                            const mpc_frost_nonce *own,
                            const mpc_point *group_pk, const mpc_scalar *tweak,
                            const uint8_t *msg, size_t msg_len,
                            const mpc_frost_commitment *list, size_t n)
{
    if (pkg != NULL)
        package_reset(g, pkg);
    if (pkg == NULL || !mpc_frost_group_ok(g) || group_pk == NULL ||
        list == NULL || !msg_ok(msg, msg_len))
        return MPC_ERR_INVALID_ARG;
    mpc_err err = package_start(g, pkg, group_pk, tweak, msg, msg_len, list, n);
    if (err == MPC_OK) {
        commitment_sum(g, &pkg->r, list, n, NULL, pkg, own);
        if (mpc_point_is_identity(g, &pkg->r))
            err = MPC_ERR_PROTOCOL;
    }
    if (err != MPC_OK) {
        package_reset(g, pkg);
        return err;
    }
    challenge_of(g, &pkg->c, &pkg->r, &pkg->pk, msg, msg_len);
    pkg->magic = PACKAGE_MAGIC;
    return MPC_OK;
}

mpc_err mpc_frost_signing_package_init(
    const mpc_group *g, mpc_frost_signing_package *pkg,
    const mpc_point *group_pk, const mpc_scalar *tweak, const uint8_t *msg,
    size_t msg_len, const mpc_frost_commitment *list, size_t n)
{
    return package_make(g, pkg, NULL, group_pk, tweak, msg, msg_len, list, n);
}

mpc_err mpc_frost_signing_package_init_signer(
    const mpc_group *g, mpc_frost_signing_package *pkg,
    const mpc_frost_nonce *nonce, const mpc_point *group_pk,
    const mpc_scalar *tweak, const uint8_t *msg, size_t msg_len,
    const mpc_frost_commitment *list, size_t n)
{
    if (nonce == NULL) {
        if (pkg != NULL)
            package_reset(g, pkg);
        return MPC_ERR_INVALID_ARG;
    }
    return package_make(g, pkg, nonce, group_pk, tweak, msg, msg_len, list, n);
}

/* ---- round two ----------------------------------------------------------- */

/* The key and nonce checks of every sign call. */
static bool sign_args_ok(const mpc_group *g, const mpc_frost_nonce *nonce,
                         const mpc_frost_key_package *key)
{
    return mpc_frost_group_ok(g) && key != NULL &&
           !mpc_scalar_is_zero(&key->id) && key->threshold >= 2 &&
           key->threshold <= MPC_FROST_MAX_PARTIES &&
           id_cmp(&nonce->commitment.id, &key->id) == 0;
}

/* z = d + e*rho + (lambda*c)*(s + delta), with the arguments checked and
 * the package made from this list and key. */
static mpc_err sign_core(const mpc_group *g, mpc_scalar *z,
                         const mpc_frost_nonce *nonce,
                         const mpc_frost_key_package *key,
                         const mpc_frost_signing_package *pkg,
                         const mpc_frost_commitment *list, size_t n)
{
    mpc_scalar rho, lambda, s, t;

    if (n < key->threshold)
        return MPC_ERR_PROTOCOL;
    size_t self = list_find(list, n, &key->id);
    if (self == n ||
        !mpc_point_eq(g, &list[self].hiding, &nonce->commitment.hiding) ||
        !mpc_point_eq(g, &list[self].binding, &nonce->commitment.binding))
        return MPC_ERR_PROTOCOL;
    if (lambda_of(g, &lambda, list, n, self) != MPC_OK)
        return MPC_ERR_INTERNAL; /* the ids were checked with the list */
    rho_of(g, &rho, pkg, &key->id);

    mpc_scalar_add(g, &s, &key->share, &pkg->delta);
    mpc_scalar_mul(g, &t, &lambda, &pkg->c);
    mpc_scalar_mul(g, &t, &t, &s);
    mpc_scalar_add(g, &t, &t, &nonce->hiding);
    mpc_scalar_mul(g, &s, &nonce->binding, &rho);
    mpc_scalar_add(g, z, &t, &s);
    mpc_scalar_clear(&s);
    mpc_scalar_clear(&t);
    return MPC_OK;
}

/* mpc_frost_sign after the nonce is taken: one package for this call. */
static mpc_err sign_request(const mpc_group *g, mpc_scalar *z,
                            const mpc_frost_nonce *nonce,
                            const mpc_frost_key_package *key,
                            const mpc_scalar *tweak, const uint8_t *msg,
                            size_t msg_len, const mpc_frost_commitment *list,
                            size_t n)
{
    mpc_frost_signing_package pkg;
    if (!sign_args_ok(g, nonce, key) || list == NULL || !msg_ok(msg, msg_len))
        return MPC_ERR_INVALID_ARG;
    mpc_err err = package_make(g, &pkg, nonce, &key->group_pk, tweak, msg,
                               msg_len, list, n);
    if (err != MPC_OK)
        return err;
    return sign_core(g, z, nonce, key, &pkg, list, n);
}

/* mpc_frost_signing_package_sign after the nonce is taken. */
static mpc_err sign_package(const mpc_group *g, mpc_scalar *z,
                            const mpc_frost_nonce *nonce,
                            const mpc_frost_key_package *key,
                            const mpc_frost_signing_package *pkg,
                            const mpc_frost_commitment *list, size_t n)
{
    if (!sign_args_ok(g, nonce, key) || pkg == NULL || list == NULL ||
        !package_has_list(g, pkg, list, n) ||
        !mpc_point_eq(g, &key->group_pk, &pkg->key_pk))
        return MPC_ERR_INVALID_ARG;
    return sign_core(g, z, nonce, key, pkg, list, n);
}

/*
 * Moves the caller's nonce into *taken and wipes the caller's object,
 * whatever happens next, so that no path leaves it usable.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for a NULL nonce or z;
 *   MPC_ERR_STATE for a used nonce.
 */
static mpc_err nonce_take(mpc_frost_nonce *taken, mpc_frost_nonce *nonce,
                          mpc_scalar *z)
{
    memset(taken, 0, sizeof *taken);
    if (z != NULL)
        mpc_scalar_set_zero(z);
    if (nonce == NULL)
        return MPC_ERR_INVALID_ARG;
    bool fresh = mpc_frost_nonce_is_fresh(nonce);
    *taken = *nonce;
    mpc_frost_nonce_clear(nonce);
    if (!fresh)
        return MPC_ERR_STATE;
    return z == NULL ? MPC_ERR_INVALID_ARG : MPC_OK;
}

/* Wipes the taken nonce and zeroes z on error. */
static mpc_err sign_done(mpc_frost_nonce *taken, mpc_scalar *z, mpc_err err)
{
    mpc_frost_nonce_clear(taken);
    if (err != MPC_OK && z != NULL)
        mpc_scalar_set_zero(z);
    return err;
}

mpc_err mpc_frost_sign(const mpc_group *g, mpc_scalar *z,
                       mpc_frost_nonce *nonce, const mpc_frost_key_package *key,
                       const mpc_scalar *tweak, const uint8_t *msg,
                       size_t msg_len, const mpc_frost_commitment *list,
                       size_t n)
{
    mpc_frost_nonce taken;
    mpc_err err = nonce_take(&taken, nonce, z);
    if (err == MPC_OK)
        err = sign_request(g, z, &taken, key, tweak, msg, msg_len, list, n);
    return sign_done(&taken, z, err);
}

mpc_err mpc_frost_signing_package_sign(const mpc_group *g, mpc_scalar *z,
                                       mpc_frost_nonce *nonce,
                                       const mpc_frost_key_package *key,
                                       const mpc_frost_signing_package *pkg,
                                       const mpc_frost_commitment *list,
                                       size_t n)
{
    mpc_frost_nonce taken;
    mpc_err err = nonce_take(&taken, nonce, z);
    if (err == MPC_OK)
        err = sign_package(g, z, &taken, key, pkg, list, n);
    return sign_done(&taken, z, err);
}

/* ---- share verification -------------------------------------------------- */

/* Checks signer id's share against a package made from the list. */
static mpc_err verify_one(const mpc_group *g, const mpc_scalar *id,
                          const mpc_scalar *z, const mpc_point *vshare,
                          const mpc_frost_signing_package *pkg,
                          const mpc_frost_commitment *list, size_t n)
{
    mpc_point pk_id;
    if (tweak_point(g, &pk_id, vshare, package_tweak(pkg)) != MPC_OK)
        return MPC_ERR_INVALID_ARG;
    size_t k = list_find(list, n, id);
    if (k == n)
        return MPC_ERR_PROTOCOL;
    return share_ok(g, pkg, list, n, k, z, &pk_id) ? MPC_OK : MPC_ERR_VERIFY;
}

mpc_err mpc_frost_verify_share(const mpc_group *g, const mpc_scalar *id,
                               const mpc_scalar *z, const mpc_point *vshare,
                               const mpc_point *group_pk,
                               const mpc_scalar *tweak, const uint8_t *msg,
                               size_t msg_len, const mpc_frost_commitment *list,
                               size_t n)
{
    mpc_frost_signing_package pkg;
    if (!mpc_frost_group_ok(g) || id == NULL || z == NULL || vshare == NULL ||
        group_pk == NULL || list == NULL || !msg_ok(msg, msg_len))
        return MPC_ERR_INVALID_ARG;
    mpc_err err = mpc_frost_signing_package_init(g, &pkg, group_pk, tweak, msg,
                                                 msg_len, list, n);
    if (err != MPC_OK)
        return err;
    return verify_one(g, id, z, vshare, &pkg, list, n);
}

mpc_err mpc_frost_signing_package_verify_share(
    const mpc_group *g, const mpc_scalar *id, const mpc_scalar *z,
    const mpc_point *vshare, const mpc_frost_signing_package *pkg,
    const mpc_frost_commitment *list, size_t n)
{
    if (!mpc_frost_group_ok(g) || id == NULL || z == NULL || vshare == NULL ||
        pkg == NULL || list == NULL || !package_has_list(g, pkg, list, n))
        return MPC_ERR_INVALID_ARG;
    return verify_one(g, id, z, vshare, pkg, list, n);
}

/* ---- aggregation --------------------------------------------------------- */

/* Names the signers whose shares fail; returns how many. */
static size_t find_culprits(const mpc_group *g,
                            const mpc_frost_signing_package *pkg,
                            size_t *culprits, const mpc_scalar *z,
                            const mpc_point *vshares,
                            const mpc_frost_commitment *list, size_t n)
{
    size_t bad = 0;
    for (size_t k = 0; k < n; k++) {
        mpc_point pk_k;
        if (tweak_point(g, &pk_k, &vshares[k], package_tweak(pkg)) == MPC_OK &&
            share_ok(g, pkg, list, n, k, &z[k], &pk_k))
            continue;
        if (culprits != NULL)
            culprits[bad] = k;
        bad++;
    }
    return bad;
}

/* Zeroes the outputs of an aggregation. */
static void aggregate_reset(uint8_t *sig, size_t *culprits, size_t *n_culprits,
                            size_t n)
{
    if (sig != NULL)
        memset(sig, 0, MPC_FROST_SIGNATURE_BYTES);
    if (n_culprits != NULL)
        *n_culprits = 0;
    if (culprits != NULL && n <= MPC_FROST_MAX_PARTIES)
        memset(culprits, 0, n * sizeof *culprits);
}

/* Aggregation with the arguments checked and a package made from them. */
static mpc_err aggregate_core(const mpc_group *g,
                              uint8_t sig[MPC_FROST_SIGNATURE_BYTES],
                              size_t *culprits, size_t *n_culprits,
                              const mpc_scalar *z, const mpc_point *vshares,
                              const mpc_frost_signing_package *pkg,
                              const uint8_t *msg, size_t msg_len,
                              const mpc_frost_commitment *list, size_t n)
{
    mpc_scalar sum;

    if (vshares != NULL) {
        size_t bad = find_culprits(g, pkg, culprits, z, vshares, list, n);
        if (bad > 0) {
            if (n_culprits != NULL)
                *n_culprits = bad;
            return MPC_ERR_VERIFY;
        }
    }

    mpc_scalar_set_zero(&sum);
    for (size_t k = 0; k < n; k++)
        mpc_scalar_add(g, &sum, &sum, &z[k]);
    mpc_point_serialize(g, sig, &pkg->r);
    mpc_scalar_serialize(g, sig + MPC_FROST_POINT_BYTES, &sum);
    if (!signature_ok(g, sig, &pkg->pk, msg, msg_len)) {
        memset(sig, 0, MPC_FROST_SIGNATURE_BYTES);
        return MPC_ERR_VERIFY;
    }
    return MPC_OK;
}

mpc_err mpc_frost_aggregate(const mpc_group *g,
                            uint8_t sig[MPC_FROST_SIGNATURE_BYTES],
                            size_t *culprits, size_t *n_culprits,
                            const mpc_scalar *z, const mpc_point *vshares,
                            const mpc_point *group_pk, const mpc_scalar *tweak,
                            const uint8_t *msg, size_t msg_len,
                            const mpc_frost_commitment *list, size_t n)
{
    mpc_frost_signing_package pkg;
    aggregate_reset(sig, culprits, n_culprits, n);
    if (sig == NULL || !mpc_frost_group_ok(g) || z == NULL ||
        group_pk == NULL || list == NULL || !msg_ok(msg, msg_len))
        return MPC_ERR_INVALID_ARG;
    mpc_err err = mpc_frost_signing_package_init(g, &pkg, group_pk, tweak, msg,
                                                 msg_len, list, n);
    if (err != MPC_OK)
        return err;
    return aggregate_core(g, sig, culprits, n_culprits, z, vshares, &pkg, msg,
                          msg_len, list, n);
}

mpc_err mpc_frost_signing_package_aggregate(
    const mpc_group *g, uint8_t sig[MPC_FROST_SIGNATURE_BYTES],
    size_t *culprits, size_t *n_culprits, const mpc_scalar *z,
    const mpc_point *vshares, const mpc_frost_signing_package *pkg,
    const uint8_t *msg, size_t msg_len, const mpc_frost_commitment *list,
    size_t n)
{
    aggregate_reset(sig, culprits, n_culprits, n);
    if (sig == NULL || !mpc_frost_group_ok(g) || z == NULL || pkg == NULL ||
        list == NULL || !msg_ok(msg, msg_len) ||
        !package_has_list(g, pkg, list, n) ||
        !package_has_msg(pkg, msg, msg_len))
        return MPC_ERR_INVALID_ARG;
    return aggregate_core(g, sig, culprits, n_culprits, z, vshares, pkg, msg,
                          msg_len, list, n);
}

/* ---- encodings ----------------------------------------------------------- */

void mpc_frost_commitment_serialize(const mpc_group *g,
                                    uint8_t out[MPC_FROST_COMMITMENT_BYTES],
                                    const mpc_frost_commitment *com)
{
    mpc_scalar_serialize(g, out, &com->id);
    mpc_point_serialize(g, out + MPC_FROST_SCALAR_BYTES, &com->hiding);
    mpc_point_serialize(g, out + MPC_FROST_SCALAR_BYTES + MPC_FROST_POINT_BYTES,
                        &com->binding);
}

/* One entry, len already checked. */
static mpc_err commitment_parse(const mpc_group *g, mpc_frost_commitment *com,
                                const uint8_t *in)
{
    const uint8_t *d = in + MPC_FROST_SCALAR_BYTES;
    const uint8_t *e = d + MPC_FROST_POINT_BYTES;
    if (mpc_scalar_parse(g, &com->id, in) != MPC_OK ||
        mpc_scalar_is_zero(&com->id) ||
        mpc_point_parse(g, &com->hiding, d, MPC_FROST_POINT_BYTES) != MPC_OK ||
        mpc_point_parse(g, &com->binding, e, MPC_FROST_POINT_BYTES) != MPC_OK) {
        mpc_frost_commitment_reset(g, com);
        return MPC_ERR_PARSE;
    }
    return MPC_OK;
}

mpc_err mpc_frost_commitment_parse(const mpc_group *g,
                                   mpc_frost_commitment *com, const uint8_t *in,
                                   size_t len)
{
    if (com == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_frost_commitment_reset(g, com);
    if (!mpc_frost_group_ok(g) || in == NULL)
        return MPC_ERR_INVALID_ARG;
    if (len != MPC_FROST_COMMITMENT_BYTES)
        return MPC_ERR_PARSE;
    return commitment_parse(g, com, in);
}

void mpc_frost_commitment_list_serialize(const mpc_group *g, uint8_t *out,
                                         const mpc_frost_commitment *list,
                                         size_t n)
{
    for (size_t k = 0; k < n; k++)
        mpc_frost_commitment_serialize(g, out + k * MPC_FROST_COMMITMENT_BYTES,
                                       &list[k]);
}

mpc_err mpc_frost_commitment_list_parse(const mpc_group *g,
                                        mpc_frost_commitment *list, size_t cap,
                                        size_t *n, const uint8_t *in,
                                        size_t len)
{
    if (n != NULL)
        *n = 0;
    if (list == NULL || n == NULL)
        return MPC_ERR_INVALID_ARG;
    for (size_t k = 0; k < cap && k < MPC_FROST_MAX_PARTIES; k++)
        mpc_frost_commitment_reset(g, &list[k]);
    if (!mpc_frost_group_ok(g) || in == NULL)
        return MPC_ERR_INVALID_ARG;
    size_t count = len / MPC_FROST_COMMITMENT_BYTES;
    if (len % MPC_FROST_COMMITMENT_BYTES != 0 || count == 0 || count > cap ||
        count > MPC_FROST_MAX_PARTIES)
        return MPC_ERR_PARSE;

    for (size_t k = 0; k < count; k++) {
        if (commitment_parse(g, &list[k],
                             in + k * MPC_FROST_COMMITMENT_BYTES) != MPC_OK ||
            (k > 0 && id_cmp(&list[k - 1].id, &list[k].id) >= 0)) {
            for (size_t j = 0; j <= k; j++)
                mpc_frost_commitment_reset(g, &list[j]);
            return MPC_ERR_PARSE;
        }
    }
    *n = count;
    return MPC_OK;
}

mpc_err mpc_frost_share_parse(const mpc_group *g, mpc_scalar *out,
                              const uint8_t *in, size_t len)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_scalar_set_zero(out);
    if (!mpc_frost_group_ok(g) || in == NULL)
        return MPC_ERR_INVALID_ARG;
    if (len != MPC_FROST_SCALAR_BYTES)
        return MPC_ERR_PARSE;
    return mpc_scalar_parse(g, out, in) == MPC_OK ? MPC_OK : MPC_ERR_PARSE;
}
