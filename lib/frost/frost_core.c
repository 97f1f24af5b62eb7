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

/* PK || H4(msg) || H5(list): the part of rho_input shared by all signers. */
#define PREFIX_BYTES (MPC_FROST_BINDING_INPUT_BYTES - MPC_FROST_SCALAR_BYTES)

/* What every signer, verifier and the aggregator derive from one request. */
struct prep {
    mpc_point pk; /* the group key, tweaked */
    uint8_t prefix[PREFIX_BYTES];
    mpc_point r;  /* group commitment */
    mpc_scalar c; /* challenge */
};

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

/* prefix = SerializeElement(PK) || H4(msg) || H5(encode(list)). */
static void rho_prefix(const mpc_group *g, uint8_t prefix[PREFIX_BYTES],
                       const mpc_point *pk, const uint8_t *msg, size_t msg_len,
                       const mpc_frost_commitment *list, size_t n)
{
    crypto_hash_sha512_state st;
    uint8_t enc[MPC_FROST_COMMITMENT_BYTES];

    mpc_point_serialize(g, prefix, pk);
    mpc_frost_hash_init(&st, "msg");
    mpc_frost_hash_update(&st, msg, msg_len);
    crypto_hash_sha512_final(&st, prefix + MPC_FROST_POINT_BYTES);

    mpc_frost_hash_init(&st, "com");
    for (size_t k = 0; k < n; k++) {
        mpc_frost_commitment_serialize(g, enc, &list[k]);
        crypto_hash_sha512_update(&st, enc, sizeof enc);
    }
    crypto_hash_sha512_final(&st, prefix + MPC_FROST_POINT_BYTES +
                                      crypto_hash_sha512_BYTES);
}

/* rho = H1(prefix || SerializeScalar(id)). */
static void rho_of(const mpc_group *g, mpc_scalar *rho,
                   const uint8_t prefix[PREFIX_BYTES], const mpc_scalar *id)
{
    crypto_hash_sha512_state st;
    mpc_frost_hash_init(&st, "rho");
    crypto_hash_sha512_update(&st, prefix, PREFIX_BYTES);
    hash_scalar(&st, g, id);
    mpc_frost_hash_to_scalar(g, rho, &st);
}

/* r += D + rho*E. */
static void commitment_add(const mpc_group *g, mpc_point *r,
                           const mpc_frost_commitment *com,
                           const mpc_scalar *rho)
{
    mpc_point t;
    mpc_point_mul(g, &t, rho, &com->binding);
    mpc_point_add(g, &t, &t, &com->hiding);
    mpc_point_add(g, r, r, &t);
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

/* Checks the list and the key, then derives PK', the prefix, R and c. */
static mpc_err prepare(const mpc_group *g, struct prep *p,
                       const mpc_point *group_pk, const mpc_scalar *tweak,
                       const uint8_t *msg, size_t msg_len,
                       const mpc_frost_commitment *list, size_t n)
{
    mpc_err err = list_check(g, list, n);
    if (err == MPC_OK)
        err = tweak_point(g, &p->pk, group_pk, tweak);
    if (err != MPC_OK)
        return err;

    rho_prefix(g, p->prefix, &p->pk, msg, msg_len, list, n);
    mpc_point_set_identity(g, &p->r);
    for (size_t k = 0; k < n; k++) {
        mpc_scalar rho;
        rho_of(g, &rho, p->prefix, &list[k].id);
        commitment_add(g, &p->r, &list[k], &rho);
    }
    if (mpc_point_is_identity(g, &p->r))
        return MPC_ERR_PROTOCOL;
    challenge_of(g, &p->c, &p->r, &p->pk, msg, msg_len);
    return MPC_OK;
}

/* z*B == D + rho*E + (c*lambda)*(vshare + tweak*B) for list[k]. */
static bool share_ok(const mpc_group *g, const struct prep *p,
                     const mpc_frost_commitment *list, size_t n, size_t k,
                     const mpc_scalar *z, const mpc_point *vshare,
                     const mpc_scalar *tweak)
{
    mpc_scalar rho, lambda;
    mpc_point pk_k, lhs, rhs, t;

    if (lambda_of(g, &lambda, list, n, k) != MPC_OK ||
        tweak_point(g, &pk_k, vshare, tweak) != MPC_OK)
        return false;
    rho_of(g, &rho, p->prefix, &list[k].id);
    mpc_scalar_mul(g, &lambda, &lambda, &p->c);

    mpc_point_mul(g, &t, &lambda, &pk_k);
    mpc_point_mul(g, &rhs, &rho, &list[k].binding);
    mpc_point_add(g, &rhs, &rhs, &list[k].hiding);
    mpc_point_add(g, &rhs, &rhs, &t);
    mpc_point_mul_base(g, &lhs, z);
    return mpc_point_eq(g, &lhs, &rhs);
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
    mpc_point pk;
    if (out != NULL)
        memset(out, 0, MPC_FROST_BINDING_INPUT_BYTES);
    if (out == NULL || !mpc_frost_group_ok(g) || group_pk == NULL ||
        list == NULL || !msg_ok(msg, msg_len) || k >= n)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = list_check(g, list, n);
    if (err == MPC_OK)
        err = tweak_point(g, &pk, group_pk, tweak);
    if (err != MPC_OK)
        return err;
    rho_prefix(g, out, &pk, msg, msg_len, list, n);
    mpc_scalar_serialize(g, out + PREFIX_BYTES, &list[k].id);
    return MPC_OK;
}

mpc_err mpc_frost_binding_factors(const mpc_group *g, mpc_scalar *rho,
                                  const mpc_point *group_pk,
                                  const mpc_scalar *tweak, const uint8_t *msg,
                                  size_t msg_len,
                                  const mpc_frost_commitment *list, size_t n)
{
    uint8_t prefix[PREFIX_BYTES];
    mpc_point pk;

    if (rho != NULL && n <= MPC_FROST_MAX_PARTIES)
        wipe_scalars(rho, n);
    if (rho == NULL || !mpc_frost_group_ok(g) || group_pk == NULL ||
        list == NULL || !msg_ok(msg, msg_len))
        return MPC_ERR_INVALID_ARG;
    mpc_err err = list_check(g, list, n);
    if (err == MPC_OK)
        err = tweak_point(g, &pk, group_pk, tweak);
    if (err != MPC_OK)
        return err;
    rho_prefix(g, prefix, &pk, msg, msg_len, list, n);
    for (size_t k = 0; k < n; k++)
        rho_of(g, &rho[k], prefix, &list[k].id);
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
    for (size_t k = 0; k < n; k++)
        commitment_add(g, r, &list[k], &rho[k]);
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

/* ---- round two ----------------------------------------------------------- */

/* The signing of mpc_frost_sign with the nonce already taken out. */
static mpc_err sign_with(const mpc_group *g, mpc_scalar *z,
                         const mpc_frost_nonce *nonce,
                         const mpc_frost_key_package *key,
                         const mpc_scalar *tweak, const uint8_t *msg,
                         size_t msg_len, const mpc_frost_commitment *list,
                         size_t n)
{
    struct prep p;
    mpc_scalar rho, lambda, s, t;

    if (!mpc_frost_group_ok(g) || key == NULL || list == NULL ||
        !msg_ok(msg, msg_len) || mpc_scalar_is_zero(&key->id) ||
        key->threshold < 2 || key->threshold > MPC_FROST_MAX_PARTIES ||
        id_cmp(&nonce->commitment.id, &key->id) != 0)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = prepare(g, &p, &key->group_pk, tweak, msg, msg_len, list, n);
    if (err != MPC_OK)
        return err;
    if (n < key->threshold)
        return MPC_ERR_PROTOCOL;
    size_t self = list_find(list, n, &key->id);
    if (self == n ||
        !mpc_point_eq(g, &list[self].hiding, &nonce->commitment.hiding) ||
        !mpc_point_eq(g, &list[self].binding, &nonce->commitment.binding))
        return MPC_ERR_PROTOCOL;
    err = lambda_of(g, &lambda, list, n, self);
    if (err != MPC_OK)
        return MPC_ERR_INTERNAL; /* the ids were checked by prepare */
    rho_of(g, &rho, p.prefix, &key->id);

    /* z = d + e*rho + (lambda*c)*(s + delta) */
    s = key->share;
    if (tweak != NULL)
        mpc_scalar_add(g, &s, &s, tweak);
    mpc_scalar_mul(g, &t, &lambda, &p.c);
    mpc_scalar_mul(g, &t, &t, &s);
    mpc_scalar_add(g, &t, &t, &nonce->hiding);
    mpc_scalar_mul(g, &s, &nonce->binding, &rho);
    mpc_scalar_add(g, z, &t, &s);
    mpc_scalar_clear(&s);
    mpc_scalar_clear(&t);
    return MPC_OK;
}

mpc_err mpc_frost_sign(const mpc_group *g, mpc_scalar *z,
                       mpc_frost_nonce *nonce, const mpc_frost_key_package *key,
                       const mpc_scalar *tweak, const uint8_t *msg,
                       size_t msg_len, const mpc_frost_commitment *list,
                       size_t n)
{
    mpc_frost_nonce taken;
    mpc_err err;

    if (z != NULL)
        mpc_scalar_set_zero(z);
    if (nonce == NULL)
        return MPC_ERR_INVALID_ARG;
    /* Consume first, so that no path (error or not) leaves it usable. */
    bool fresh = nonce->magic == NONCE_MAGIC;
    taken = *nonce;
    mpc_frost_nonce_clear(nonce);
    if (!fresh)
        err = MPC_ERR_STATE;
    else if (z == NULL)
        err = MPC_ERR_INVALID_ARG;
    else
        err = sign_with(g, z, &taken, key, tweak, msg, msg_len, list, n);
    mpc_frost_nonce_clear(&taken);
    if (err != MPC_OK && z != NULL)
        mpc_scalar_set_zero(z);
    return err;
}

mpc_err mpc_frost_verify_share(const mpc_group *g, const mpc_scalar *id,
                               const mpc_scalar *z, const mpc_point *vshare,
                               const mpc_point *group_pk,
                               const mpc_scalar *tweak, const uint8_t *msg,
                               size_t msg_len, const mpc_frost_commitment *list,
                               size_t n)
{
    struct prep p;
    mpc_point pk_id;

    if (!mpc_frost_group_ok(g) || id == NULL || z == NULL || vshare == NULL ||
        group_pk == NULL || list == NULL || !msg_ok(msg, msg_len))
        return MPC_ERR_INVALID_ARG;
    mpc_err err = tweak_point(g, &pk_id, vshare, tweak);
    if (err != MPC_OK)
        return err;
    err = prepare(g, &p, group_pk, tweak, msg, msg_len, list, n);
    if (err != MPC_OK)
        return err;
    size_t k = list_find(list, n, id);
    if (k == n)
        return MPC_ERR_PROTOCOL;
    return share_ok(g, &p, list, n, k, z, vshare, tweak) ? MPC_OK
                                                         : MPC_ERR_VERIFY;
}

/* ---- aggregation --------------------------------------------------------- */

/* Names the signers whose shares fail; returns how many. */
static size_t find_culprits(const mpc_group *g, const struct prep *p,
                            size_t *culprits, const mpc_scalar *z,
                            const mpc_point *vshares, const mpc_scalar *tweak,
                            const mpc_frost_commitment *list, size_t n)
{
    size_t bad = 0;
    for (size_t k = 0; k < n; k++) {
        if (share_ok(g, p, list, n, k, &z[k], &vshares[k], tweak))
            continue;
        if (culprits != NULL)
            culprits[bad] = k;
        bad++;
    }
    return bad;
}

mpc_err mpc_frost_aggregate(const mpc_group *g,
                            uint8_t sig[MPC_FROST_SIGNATURE_BYTES],
                            size_t *culprits, size_t *n_culprits,
                            const mpc_scalar *z, const mpc_point *vshares,
                            const mpc_point *group_pk, const mpc_scalar *tweak,
                            const uint8_t *msg, size_t msg_len,
                            const mpc_frost_commitment *list, size_t n)
{
    struct prep p;
    mpc_scalar sum;
    mpc_point lhs, rhs;

    if (sig != NULL)
        memset(sig, 0, MPC_FROST_SIGNATURE_BYTES);
    if (n_culprits != NULL)
        *n_culprits = 0;
    if (culprits != NULL && n <= MPC_FROST_MAX_PARTIES)
        memset(culprits, 0, n * sizeof *culprits);
    if (sig == NULL || !mpc_frost_group_ok(g) || z == NULL ||
        group_pk == NULL || list == NULL || !msg_ok(msg, msg_len))
        return MPC_ERR_INVALID_ARG;
    mpc_err err = prepare(g, &p, group_pk, tweak, msg, msg_len, list, n);
    if (err != MPC_OK)
        return err;

    if (vshares != NULL) {
        size_t bad = find_culprits(g, &p, culprits, z, vshares, tweak, list, n);
        if (bad > 0) {
            if (n_culprits != NULL)
                *n_culprits = bad;
            return MPC_ERR_VERIFY;
        }
    }

    mpc_scalar_set_zero(&sum);
    for (size_t k = 0; k < n; k++)
        mpc_scalar_add(g, &sum, &sum, &z[k]);

    /* RFC 8032 verification: z*B == R + c*PK'. */
    mpc_point_mul_base(g, &lhs, &sum);
    mpc_point_mul(g, &rhs, &p.c, &p.pk);
    mpc_point_add(g, &rhs, &rhs, &p.r);
    if (!mpc_point_eq(g, &lhs, &rhs))
        return MPC_ERR_VERIFY;

    mpc_point_serialize(g, sig, &p.r);
    mpc_scalar_serialize(g, sig + MPC_FROST_POINT_BYTES, &sum);
    return MPC_OK;
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
