/*
 * Group elements of secp256k1 (libsecp256k1) and Ed25519 (libsodium).
 *
 * secp256k1: v holds a secp256k1_pubkey (opaque, 64 bytes) and inf is 0; or
 * the point is infinity, with inf = 1 and v all zero. libsecp256k1 has no
 * infinity object and treats a zeroed pubkey as API misuse (its illegal
 * callback aborts), so every function below tests inf before handing v to
 * it, and maps libsecp256k1's "the result is infinity" failures back.
 *
 * Ed25519: v[0..32) holds the canonical RFC 8032 encoding (the identity is
 * 01 00..00), the rest of the struct is zero. Every point made here lies in
 * the prime-order subgroup: parsing rejects anything else and the group
 * operations preserve it. Encodings are canonical, so equality is byte
 * equality.
 *
 * Results are built in locals and copied out last, so outputs may alias
 * inputs.
 */
#include <secp256k1.h>
#include <secp256k1_ecdh.h>
#include <sodium.h>
#include <string.h>

#include "lib/core/ctx_internal.h"
#include "lib/ec/ec_internal.h"
#include "mpc/mem.h"

#define K1_UNCOMPRESSED_BYTES 65

_Static_assert(sizeof(secp256k1_pubkey) <= sizeof(((mpc_point *)0)->v),
               "mpc_point too small for secp256k1_pubkey");
_Static_assert(crypto_core_ed25519_BYTES == MPC_ED25519_POINT_BYTES,
               "Ed25519 point size");

/* G of secp256k1, SEC1 compressed (SEC 2, §2.4.1). */
static const uint8_t k1_generator[MPC_SECP256K1_POINT_BYTES] = {
    0x02, 0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0,
    0x62, 0x95, 0xce, 0x87, 0x0b, 0x07, 0x02, 0x9b, 0xfc, 0xdb, 0x2d,
    0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16, 0xf8, 0x17, 0x98};

/* The Ed25519 base point B (RFC 8032, §5.1). */
static const uint8_t ed_base[MPC_ED25519_POINT_BYTES] = {
    0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66};

/* The Ed25519 identity (x, y) = (0, 1). */
static const uint8_t ed_identity[MPC_ED25519_POINT_BYTES] = {1};

static bool is_k1(const mpc_group *g)
{
    return g->curve == MPC_CURVE_SECP256K1;
}

/* ---- secp256k1 ---------------------------------------------------------- */

static const secp256k1_context *secp(const mpc_group *g)
{
    return g->ctx->secp;
}

static void k1_set_inf(mpc_point *r)
{
    memset(r, 0, sizeof *r);
    r->inf = 1;
}

static void k1_set(mpc_point *r, const secp256k1_pubkey *pk)
{
    memset(r, 0, sizeof *r);
    memcpy(r->v, pk->data, sizeof pk->data);
}

static secp256k1_pubkey k1_get(const mpc_point *p)
{
    secp256k1_pubkey pk;
    memcpy(pk.data, p->v, sizeof pk.data);
    return pk;
}

static void k1_generator_point(const mpc_group *g, mpc_point *r)
{
    secp256k1_pubkey pk;
    int ok = secp256k1_ec_pubkey_parse(secp(g), &pk, k1_generator,
                                       sizeof k1_generator);
    MPC_EC_ASSERT(ok);
    k1_set(r, &pk);
}

static void k1_mul_base(const mpc_group *g, mpc_point *r, const mpc_scalar *k)
{
    secp256k1_pubkey pk;
    /* Scalars are below n, so this fails only for k = 0, whose product is
     * infinity (the documented zero branch). */
    int ok = secp256k1_ec_pubkey_create(secp(g), &pk, k->v);
    /* The zero branch, and the product, which is public (group.h). */
    mpc_declassify(&ok, sizeof ok);
    mpc_declassify(&pk, sizeof pk);
    if (!ok) {
        k1_set_inf(r);
        return;
    }
    k1_set(r, &pk);
}

/* secp256k1_ecdh's "hash" callback, used to read the product out as an
 * uncompressed point instead of hashing it. */
static int copy_xy(unsigned char *out, const unsigned char *x32,
                   const unsigned char *y32, void *data)
{
    (void)data;
    out[0] = 0x04;
    memcpy(out + 1, x32, 32);
    memcpy(out + 33, y32, 32);
    return 1;
}

static void k1_mul(const mpc_group *g, mpc_point *r, const mpc_scalar *k,
                   const mpc_point *p)
{
    if (p->inf) {
        k1_set_inf(r);
        return;
    }
    /* secp256k1_ecdh is libsecp256k1's one constant-time variable-base
     * multiplication (ec_pubkey_tweak_mul uses the variable-time ecmult).
     * It fails only for k = 0 (k < n, and P has prime order), and then
     * computes 1*P, which must not be used. */
    secp256k1_pubkey pk = k1_get(p);
    uint8_t xy[K1_UNCOMPRESSED_BYTES];
    int nonzero = secp256k1_ecdh(secp(g), xy, &pk, k->v, copy_xy, NULL);
    /* The zero branch, and the product, which is public (group.h). */
    mpc_declassify(&nonzero, sizeof nonzero);
    mpc_declassify(xy, sizeof xy);
    if (nonzero) {
        int ok = secp256k1_ec_pubkey_parse(secp(g), &pk, xy, sizeof xy);
        MPC_EC_ASSERT(ok);
        k1_set(r, &pk);
    } else {
        k1_set_inf(r);
    }
    mpc_wipe(xy, sizeof xy);
}

static void k1_add(const mpc_group *g, mpc_point *r, const mpc_point *a,
                   const mpc_point *b)
{
    if (a->inf) {
        *r = *b;
        return;
    }
    if (b->inf) {
        *r = *a;
        return;
    }
    secp256k1_pubkey pa = k1_get(a), pb = k1_get(b), sum;
    const secp256k1_pubkey *terms[2] = {&pa, &pb};
    /* Combine fails only when the sum is infinity, i.e. b = -a. */
    if (secp256k1_ec_pubkey_combine(secp(g), &sum, terms, 2))
        k1_set(r, &sum);
    else
        k1_set_inf(r);
}

static void k1_neg(const mpc_group *g, mpc_point *r, const mpc_point *a)
{
    if (a->inf) {
        k1_set_inf(r);
        return;
    }
    secp256k1_pubkey pk = k1_get(a);
    int ok = secp256k1_ec_pubkey_negate(secp(g), &pk);
    MPC_EC_ASSERT(ok);
    k1_set(r, &pk);
}

static bool k1_eq(const mpc_group *g, const mpc_point *a, const mpc_point *b)
{
    if (a->inf || b->inf)
        return a->inf == b->inf;
    secp256k1_pubkey pa = k1_get(a), pb = k1_get(b);
    return secp256k1_ec_pubkey_cmp(secp(g), &pa, &pb) == 0;
}

static void k1_serialize(const mpc_group *g,
                         uint8_t out[MPC_SECP256K1_POINT_BYTES],
                         const mpc_point *p)
{
    if (p->inf) {
        memset(out, 0, MPC_SECP256K1_POINT_BYTES);
        return;
    }
    secp256k1_pubkey pk = k1_get(p);
    size_t len = MPC_SECP256K1_POINT_BYTES;
    int ok = secp256k1_ec_pubkey_serialize(secp(g), out, &len, &pk,
                                           SECP256K1_EC_COMPRESSED);
    MPC_EC_ASSERT(ok && len == MPC_SECP256K1_POINT_BYTES);
}

/* Parses into *r (already infinity), which it sets only on success. */
static mpc_err k1_parse(const mpc_group *g, mpc_point *r, const uint8_t *in,
                        size_t len, bool allow_identity)
{
    if (len != MPC_SECP256K1_POINT_BYTES)
        return MPC_ERR_PARSE;
    if (allow_identity && sodium_is_zero(in, len))
        return MPC_OK;
    /* libsecp256k1 also takes 65-byte and hybrid (06/07) forms; only the
     * compressed one is canonical here. */
    if (in[0] != 0x02 && in[0] != 0x03)
        return MPC_ERR_PARSE;
    secp256k1_pubkey pk;
    if (!secp256k1_ec_pubkey_parse(secp(g), &pk, in, len))
        return MPC_ERR_PARSE;
    /* libsecp256k1 0.2.0 already rejects x >= p; the re-encoding check
     * keeps "one value, one encoding" independent of that detail. */
    uint8_t again[MPC_SECP256K1_POINT_BYTES];
    size_t again_len = sizeof again;
    if (!secp256k1_ec_pubkey_serialize(secp(g), again, &again_len, &pk,
                                       SECP256K1_EC_COMPRESSED) ||
        again_len != len || memcmp(again, in, len) != 0)
        return MPC_ERR_PARSE;
    k1_set(r, &pk);
    return MPC_OK;
}

/* ---- Ed25519 ------------------------------------------------------------ */

static void ed_set(mpc_point *r, const uint8_t enc[MPC_ED25519_POINT_BYTES])
{
    uint8_t t[MPC_ED25519_POINT_BYTES];
    memcpy(t, enc, sizeof t); /* enc may point into r */
    memset(r, 0, sizeof *r);
    memcpy(r->v, t, sizeof t);
}

static bool ed_is_identity(const mpc_point *p)
{
    return memcmp(p->v, ed_identity, sizeof ed_identity) == 0;
}

static void ed_mul_base(mpc_point *r, const mpc_scalar *k)
{
    uint8_t q[MPC_ED25519_POINT_BYTES];
    /* Scalars are below L, so this fails only for k = 0, without writing
     * q; the product is the identity (the documented zero branch). */
    int rc = crypto_scalarmult_ed25519_base_noclamp(q, k->v);
    mpc_declassify(&rc, sizeof rc);
    mpc_declassify(q, sizeof q);
    if (rc != 0)
        memcpy(q, ed_identity, sizeof q);
    ed_set(r, q);
}

static void ed_mul(mpc_point *r, const mpc_scalar *k, const mpc_point *p)
{
    uint8_t q[MPC_ED25519_POINT_BYTES];
    /* libsodium refuses the identity (it has small order), a zero scalar
     * and an identity result. P lies in the prime-order subgroup and
     * k < L, so k*P is the identity exactly when P is or k = 0. */
    int rc = ed_is_identity(p)
                 ? -1
                 : crypto_scalarmult_ed25519_noclamp(q, k->v, p->v);
    /* The zero branch, and the product, which is public (group.h). */
    mpc_declassify(&rc, sizeof rc);
    mpc_declassify(q, sizeof q);
    if (rc != 0)
        memcpy(q, ed_identity, sizeof q);
    ed_set(r, q);
}

static void ed_add(mpc_point *r, const mpc_point *a, const mpc_point *b)
{
    uint8_t q[MPC_ED25519_POINT_BYTES];
    /* Fails only for bytes that are not a curve point: corruption. */
    int rc = crypto_core_ed25519_add(q, a->v, b->v);
    MPC_EC_ASSERT(rc == 0);
    ed_set(r, q);
}

static void ed_sub(mpc_point *r, const mpc_point *a, const mpc_point *b)
{
    uint8_t q[MPC_ED25519_POINT_BYTES];
    int rc = crypto_core_ed25519_sub(q, a->v, b->v);
    MPC_EC_ASSERT(rc == 0);
    ed_set(r, q);
}

/* Parses into *r (already the identity), which it sets only on success. */
static mpc_err ed_parse(mpc_point *r, const uint8_t *in, size_t len,
                        bool allow_identity)
{
    if (len != MPC_ED25519_POINT_BYTES)
        return MPC_ERR_PARSE;
    if (allow_identity && memcmp(in, ed_identity, len) == 0)
        return MPC_OK;
    /* Rejects y >= p, points of small order (among them the identity and
     * both "negative zero" encodings) and points with a torsion component.
     */
    if (crypto_core_ed25519_is_valid_point(in) != 1)
        return MPC_ERR_PARSE;
    /* Adding the identity re-encodes the point canonically: the input must
     * already be that encoding, whatever libsodium's decoder tolerates. */
    uint8_t again[MPC_ED25519_POINT_BYTES];
    if (crypto_core_ed25519_add(again, in, ed_identity) != 0 ||
        memcmp(again, in, len) != 0)
        return MPC_ERR_PARSE;
    ed_set(r, in);
    return MPC_OK;
}

/* ---- public API --------------------------------------------------------- */

void mpc_point_set_identity(const mpc_group *g, mpc_point *r)
{
    if (is_k1(g))
        k1_set_inf(r);
    else
        ed_set(r, ed_identity);
}

bool mpc_point_is_identity(const mpc_group *g, const mpc_point *p)
{
    return is_k1(g) ? p->inf != 0 : ed_is_identity(p);
}

void mpc_point_generator(const mpc_group *g, mpc_point *r)
{
    if (is_k1(g))
        k1_generator_point(g, r);
    else
        ed_set(r, ed_base);
}

void mpc_point_mul_base(const mpc_group *g, mpc_point *r, const mpc_scalar *k)
{
    if (is_k1(g))
        k1_mul_base(g, r, k);
    else
        ed_mul_base(r, k);
}

void mpc_point_mul(const mpc_group *g, mpc_point *r, const mpc_scalar *k,
                   const mpc_point *p)
{
    if (is_k1(g))
        k1_mul(g, r, k, p);
    else
        ed_mul(r, k, p);
}

void mpc_point_add(const mpc_group *g, mpc_point *r, const mpc_point *a,
                   const mpc_point *b)
{
    if (is_k1(g))
        k1_add(g, r, a, b);
    else
        ed_add(r, a, b);
}

void mpc_point_sub(const mpc_group *g, mpc_point *r, const mpc_point *a,
                   const mpc_point *b)
{
    if (is_k1(g)) {
        mpc_point nb;
        k1_neg(g, &nb, b);
        k1_add(g, r, a, &nb);
    } else {
        ed_sub(r, a, b);
    }
}

void mpc_point_neg(const mpc_group *g, mpc_point *r, const mpc_point *a)
{
    if (is_k1(g)) {
        k1_neg(g, r, a);
    } else {
        mpc_point id;
        ed_set(&id, ed_identity);
        ed_sub(r, &id, a);
    }
}

bool mpc_point_eq(const mpc_group *g, const mpc_point *a, const mpc_point *b)
{
    if (is_k1(g))
        return k1_eq(g, a, b);
    return memcmp(a->v, b->v, MPC_ED25519_POINT_BYTES) == 0;
}

void mpc_point_serialize(const mpc_group *g, uint8_t *out, const mpc_point *p)
{
    if (is_k1(g))
        k1_serialize(g, out, p);
    else
        memcpy(out, p->v, MPC_ED25519_POINT_BYTES);
}

static mpc_err parse(const mpc_group *g, mpc_point *r, const uint8_t *in,
                     size_t len, bool allow_identity)
{
    mpc_point t; /* not r: `in` may point into it */
    mpc_point_set_identity(g, &t);
    mpc_err err = is_k1(g) ? k1_parse(g, &t, in, len, allow_identity)
                           : ed_parse(&t, in, len, allow_identity);
    *r = t;
    return err;
}

mpc_err mpc_point_parse(const mpc_group *g, mpc_point *r, const uint8_t *in,
                        size_t len)
{
    return parse(g, r, in, len, false);
}

mpc_err mpc_point_parse_allow_identity(const mpc_group *g, mpc_point *r,
                                       const uint8_t *in, size_t len)
{
    return parse(g, r, in, len, true);
}
