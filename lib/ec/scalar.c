/*
 * Scalars mod the group order. secp256k1 goes to scalar_secp256k1.c (GMP
 * mpn_sec_*); Ed25519 to libsodium's crypto_core_ed25519_scalar_*, which is
 * constant time and reduces its results mod L.
 */
#include <sodium.h>
#include <string.h>

#include "lib/core/ctx_internal.h"
#include "lib/ec/ec_internal.h"
#include "mpc/mem.h"

/* Wide inputs are reduced from this many bytes (a 512-bit integer). */
#define WIDE_BYTES 64

_Static_assert(crypto_core_ed25519_SCALARBYTES == MPC_SCALAR_BYTES,
               "Ed25519 scalar size");
_Static_assert(crypto_core_ed25519_NONREDUCEDSCALARBYTES == WIDE_BYTES,
               "Ed25519 wide scalar size");

/* n of secp256k1, big-endian (SEC 2, §2.4.1). */
static const uint8_t secp256k1_order_be[MPC_SCALAR_BYTES] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
    0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};

/* L = 2^252 + 27742317777372353535851937790883648493, little-endian
 * (RFC 8032, §5.1). */
static const uint8_t ed25519_order_le[MPC_SCALAR_BYTES] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
    0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

static bool is_k1(const mpc_group *g)
{
    return g->curve == MPC_CURVE_SECP256K1;
}

/* True when the little-endian `in` is below L: the borrow out of in - L,
 * computed over every byte so the time does not depend on the value. */
static bool ed_is_canonical(const uint8_t in[MPC_SCALAR_BYTES])
{
    unsigned borrow = 0;
    for (size_t i = 0; i < MPC_SCALAR_BYTES; i++)
        borrow = ((unsigned)in[i] - ed25519_order_le[i] - borrow) >> 8 & 1u;
    return borrow == 1;
}

static void reverse(uint8_t *out, const uint8_t *in, size_t len)
{
    for (size_t i = 0; i < len; i++)
        out[i] = in[len - 1 - i];
}

void mpc_group_order_be(const mpc_group *g, uint8_t out[MPC_SCALAR_BYTES])
{
    if (is_k1(g))
        memcpy(out, secp256k1_order_be, MPC_SCALAR_BYTES);
    else
        reverse(out, ed25519_order_le, MPC_SCALAR_BYTES);
}

void mpc_scalar_set_zero(mpc_scalar *r)
{
    memset(r->v, 0, sizeof r->v);
}

void mpc_scalar_set_u64(const mpc_group *g, mpc_scalar *r, uint64_t v)
{
    mpc_scalar_set_zero(r);
    for (size_t i = 0; i < 8; i++) {
        uint8_t b = (uint8_t)(v >> (8 * i));
        if (is_k1(g))
            r->v[MPC_SCALAR_BYTES - 1 - i] = b;
        else
            r->v[i] = b;
    }
}

mpc_err mpc_scalar_parse(const mpc_group *g, mpc_scalar *r,
                         const uint8_t in[MPC_SCALAR_BYTES])
{
    bool ok =
        is_k1(g) ? mpc_ec_k1_scalar_is_canonical(in) : ed_is_canonical(in);
    /* The result is public ("except for the result", group.h). */
    mpc_declassify(&ok, sizeof ok);
    if (!ok) {
        mpc_scalar_set_zero(r);
        return MPC_ERR_PARSE;
    }
    memmove(r->v, in, MPC_SCALAR_BYTES);
    return MPC_OK;
}

void mpc_scalar_serialize(const mpc_group *g, uint8_t out[MPC_SCALAR_BYTES],
                          const mpc_scalar *a)
{
    (void)g; /* the stored bytes are already the curve's encoding */
    memmove(out, a->v, MPC_SCALAR_BYTES);
}

void mpc_scalar_reduce_be(const mpc_group *g, mpc_scalar *r, const uint8_t *in,
                          size_t len)
{
    MPC_EC_ASSERT(len <= WIDE_BYTES);
    if (is_k1(g)) {
        mpc_ec_k1_scalar_reduce(r, in, len);
        return;
    }
    uint8_t wide[WIDE_BYTES] = {0};
    reverse(wide, in, len);
    crypto_core_ed25519_scalar_reduce(r->v, wide);
    mpc_wipe(wide, sizeof wide);
}

void mpc_scalar_reduce_le(const mpc_group *g, mpc_scalar *r, const uint8_t *in,
                          size_t len)
{
    MPC_EC_ASSERT(len <= WIDE_BYTES);
    uint8_t wide[WIDE_BYTES] = {0};
    if (is_k1(g)) {
        reverse(wide, in, len);
        mpc_ec_k1_scalar_reduce(r, wide, len);
    } else {
        memcpy(wide, in, len);
        crypto_core_ed25519_scalar_reduce(r->v, wide);
    }
    mpc_wipe(wide, sizeof wide);
}

void mpc_scalar_add(const mpc_group *g, mpc_scalar *r, const mpc_scalar *a,
                    const mpc_scalar *b)
{
    if (is_k1(g))
        mpc_ec_k1_scalar_add(r, a, b);
    else
        crypto_core_ed25519_scalar_add(r->v, a->v, b->v);
}

void mpc_scalar_sub(const mpc_group *g, mpc_scalar *r, const mpc_scalar *a,
                    const mpc_scalar *b)
{
    if (is_k1(g))
        mpc_ec_k1_scalar_sub(r, a, b);
    else
        crypto_core_ed25519_scalar_sub(r->v, a->v, b->v);
}

void mpc_scalar_mul(const mpc_group *g, mpc_scalar *r, const mpc_scalar *a,
                    const mpc_scalar *b)
{
    if (is_k1(g))
        mpc_ec_k1_scalar_mul(r, a, b);
    else
        crypto_core_ed25519_scalar_mul(r->v, a->v, b->v);
}

void mpc_scalar_neg(const mpc_group *g, mpc_scalar *r, const mpc_scalar *a)
{
    if (is_k1(g)) {
        mpc_scalar zero = {{0}};
        mpc_ec_k1_scalar_sub(r, &zero, a);
    } else {
        crypto_core_ed25519_scalar_negate(r->v, a->v);
    }
}

/* libsodium's inversion is a fixed addition chain (a^(L-2)), constant time;
 * it refuses zero without writing its output. */
static bool ed_inv(mpc_scalar *r, const mpc_scalar *a)
{
    mpc_scalar t;
    bool ok = crypto_core_ed25519_scalar_invert(t.v, a->v) == 0;
    /* Whether a was zero: the documented exception (group.h). */
    mpc_declassify(&ok, sizeof ok);
    if (ok)
        *r = t;
    mpc_scalar_clear(&t);
    return ok;
}

mpc_err mpc_scalar_inv(const mpc_group *g, mpc_scalar *r, const mpc_scalar *a)
{
    bool ok = is_k1(g) ? mpc_ec_k1_scalar_inv(r, a) : ed_inv(r, a);
    mpc_declassify(&ok, sizeof ok);
    if (!ok) {
        mpc_scalar_set_zero(r);
        return MPC_ERR_INVALID_ARG;
    }
    return MPC_OK;
}

mpc_err mpc_scalar_inv_var(const mpc_group *g, mpc_scalar *r,
                           const mpc_scalar *a)
{
    /* libsodium has no faster variable-time inversion mod L. */
    bool ok = is_k1(g) ? mpc_ec_k1_scalar_inv_var(r, a) : ed_inv(r, a);
    if (!ok) {
        mpc_scalar_set_zero(r);
        return MPC_ERR_INVALID_ARG;
    }
    return MPC_OK;
}

bool mpc_scalar_is_zero(const mpc_scalar *a)
{
    return sodium_is_zero(a->v, sizeof a->v) == 1;
}

bool mpc_scalar_eq(const mpc_scalar *a, const mpc_scalar *b)
{
    return crypto_verify_32(a->v, b->v) == 0;
}

void mpc_scalar_random(const mpc_group *g, mpc_scalar *r)
{
    uint8_t wide[WIDE_BYTES];
    /* Reducing 512 uniform bits leaves a bias below 2^-250. Zero is drawn
     * with probability below 2^-252; retrying keeps the output uniform over
     * the non-zero scalars. */
    bool zero;
    do {
        mpc_ctx_random(g->ctx, wide, sizeof wide);
        mpc_scalar_reduce_le(g, r, wide, sizeof wide);
        /* A redraw reveals only that a discarded value was zero. */
        zero = mpc_scalar_is_zero(r);
        mpc_declassify(&zero, sizeof zero);
    } while (zero);
    mpc_wipe(wide, sizeof wide);
}

void mpc_scalar_clear(mpc_scalar *r)
{
    mpc_wipe(r->v, sizeof r->v);
}
