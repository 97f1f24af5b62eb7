/*
 * ECDSA signature assembly, verification and encodings (mpc/ecdsa.h).
 * Every value here is public: variable time is fine.
 */
#include <string.h>

#include "mpc/ecdsa.h"
#include "mpc/mem.h"

/* floor(n/2) of secp256k1, big-endian: s is low when s <= this. */
static const uint8_t half_order[MPC_SCALAR_BYTES] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
    0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
};

static bool is_secp(const mpc_group *g)
{
    return mpc_group_curve(g) == MPC_CURVE_SECP256K1;
}

static bool is_zero32(const uint8_t *a)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < MPC_SCALAR_BYTES; i++)
        acc |= a[i];
    return acc == 0;
}

static bool is_high(const uint8_t s[MPC_SCALAR_BYTES])
{
    return memcmp(s, half_order, MPC_SCALAR_BYTES) > 0;
}

/* r = x(R) mod n and R's recovery id; R not the identity. */
static void point_r_recid(const mpc_group *g, mpc_scalar *r, uint8_t *recid,
                          const mpc_point *big_r)
{
    uint8_t enc[MPC_SECP256K1_POINT_BYTES];
    uint8_t order[MPC_SCALAR_BYTES];

    mpc_point_serialize(g, enc, big_r);
    mpc_group_order_be(g, order);
    mpc_scalar_reduce_be(g, r, enc + 1, MPC_SCALAR_BYTES);
    *recid = (uint8_t)((enc[0] == 0x03 ? 1 : 0) |
                       (memcmp(enc + 1, order, MPC_SCALAR_BYTES) >= 0 ? 2 : 0));
}

mpc_err mpc_ecdsa_r_from_point(const mpc_group *g, mpc_scalar *r,
                               const mpc_point *big_r)
{
    uint8_t recid;

    mpc_scalar_set_zero(r);
    if (!is_secp(g) || mpc_point_is_identity(g, big_r))
        return MPC_ERR_INVALID_ARG;
    point_r_recid(g, r, &recid, big_r);
    return mpc_scalar_is_zero(r) ? MPC_ERR_VERIFY : MPC_OK;
}

mpc_err mpc_ecdsa_signature_make(const mpc_group *g, mpc_ecdsa_signature *sig,
                                 const mpc_point *big_r, const mpc_scalar *s)
{
    mpc_scalar r, s_low;
    uint8_t recid;

    memset(sig, 0, sizeof(*sig));
    if (!is_secp(g) || mpc_point_is_identity(g, big_r) || mpc_scalar_is_zero(s))
        return MPC_ERR_INVALID_ARG;
    point_r_recid(g, &r, &recid, big_r);
    if (mpc_scalar_is_zero(&r))
        return MPC_ERR_VERIFY;

    s_low = *s;
    if (is_high(s_low.v)) {
        /* (r, -s) verifies against -R: the y parity flips. */
        mpc_scalar_neg(g, &s_low, s);
        recid ^= 1;
    }
    memcpy(sig->r, r.v, sizeof(sig->r));
    memcpy(sig->s, s_low.v, sizeof(sig->s));
    sig->recid = recid;
    return MPC_OK;
}

mpc_err mpc_ecdsa_verify_var(const mpc_group *g, const mpc_point *pubkey,
                             const uint8_t digest[MPC_ECDSA_DIGEST_BYTES],
                             const mpc_ecdsa_signature *sig)
{
    mpc_scalar r, s, m, w, u1, u2, rr;
    mpc_point p1, p2, big_r;
    uint8_t recid;

    if (!is_secp(g) || mpc_point_is_identity(g, pubkey))
        return MPC_ERR_INVALID_ARG;
    if (mpc_scalar_parse(g, &r, sig->r) != MPC_OK ||
        mpc_scalar_parse(g, &s, sig->s) != MPC_OK || mpc_scalar_is_zero(&r) ||
        mpc_scalar_is_zero(&s) || is_high(s.v) || sig->recid > 3)
        return MPC_ERR_VERIFY;

    mpc_scalar_reduce_be(g, &m, digest, MPC_ECDSA_DIGEST_BYTES);
    if (mpc_scalar_inv_var(g, &w, &s) != MPC_OK)
        return MPC_ERR_VERIFY;
    mpc_scalar_mul(g, &u1, &m, &w);
    mpc_scalar_mul(g, &u2, &r, &w);
    mpc_point_mul_base(g, &p1, &u1);
    mpc_point_mul(g, &p2, &u2, pubkey);
    mpc_point_add(g, &big_r, &p1, &p2);
    if (mpc_point_is_identity(g, &big_r))
        return MPC_ERR_VERIFY;

    point_r_recid(g, &rr, &recid, &big_r);
    if (!mpc_scalar_eq(&rr, &r) || recid != sig->recid)
        return MPC_ERR_VERIFY;
    return MPC_OK;
}

void mpc_ecdsa_signature_to_rsv(const mpc_ecdsa_signature *sig,
                                uint8_t out[MPC_ECDSA_RSV_BYTES])
{
    memcpy(out, sig->r, 32);
    memcpy(out + 32, sig->s, 32);
    out[64] = sig->recid;
}

/* Appends the minimal DER INTEGER of a positive 32-byte big-endian value. */
static size_t der_int(uint8_t *out, const uint8_t v[MPC_SCALAR_BYTES])
{
    size_t skip = 0;
    size_t len;
    size_t pad;

    while (skip < MPC_SCALAR_BYTES - 1 && v[skip] == 0)
        skip++;
    pad = (v[skip] & 0x80) ? 1 : 0;
    len = MPC_SCALAR_BYTES - skip + pad;
    out[0] = 0x02;
    out[1] = (uint8_t)len;
    out[2] = 0;
    memcpy(out + 2 + pad, v + skip, MPC_SCALAR_BYTES - skip);
    return 2 + len;
}

mpc_err mpc_ecdsa_signature_to_der(const mpc_ecdsa_signature *sig,
                                   uint8_t out[MPC_ECDSA_DER_MAX_BYTES],
                                   size_t *out_len)
{
    size_t n;

    memset(out, 0, MPC_ECDSA_DER_MAX_BYTES);
    *out_len = 0;
    if (is_zero32(sig->r) || is_zero32(sig->s))
        return MPC_ERR_INVALID_ARG;
    n = 2;
    n += der_int(out + n, sig->r);
    n += der_int(out + n, sig->s);
    out[0] = 0x30;
    out[1] = (uint8_t)(n - 2);
    *out_len = n;
    return MPC_OK;
}

/*
 * Reads one strict DER INTEGER at in[*pos..len) into a 32-byte big-endian
 * value: positive, minimal, at most 32 significant bytes.
 */
static mpc_err der_read_int(uint8_t v[MPC_SCALAR_BYTES], const uint8_t *in,
                            size_t len, size_t *pos)
{
    size_t p = *pos;
    size_t ilen;

    if (len - p < 2 || in[p] != 0x02)
        return MPC_ERR_PARSE;
    ilen = in[p + 1];
    p += 2;
    if (ilen == 0 || ilen > 33 || ilen > len - p)
        return MPC_ERR_PARSE;
    if (in[p] & 0x80)
        return MPC_ERR_PARSE; /* negative */
    if (ilen > 1 && in[p] == 0 && !(in[p + 1] & 0x80))
        return MPC_ERR_PARSE; /* superfluous leading zero */
    if (ilen == 33) {
        if (in[p] != 0)
            return MPC_ERR_PARSE;
        p++;
        ilen--;
    }
    memset(v, 0, MPC_SCALAR_BYTES);
    memcpy(v + MPC_SCALAR_BYTES - ilen, in + p, ilen);
    *pos = p + ilen;
    return MPC_OK;
}

mpc_err mpc_ecdsa_signature_from_der(const mpc_group *g,
                                     mpc_ecdsa_signature *sig,
                                     const uint8_t *in, size_t len)
{
    mpc_scalar r, s;
    size_t pos = 2;

    memset(sig, 0, sizeof(*sig));
    if (!is_secp(g))
        return MPC_ERR_INVALID_ARG;
    if (len < 8 || len > MPC_ECDSA_DER_MAX_BYTES || in[0] != 0x30 ||
        in[1] != len - 2)
        return MPC_ERR_PARSE;
    if (der_read_int(sig->r, in, len, &pos) != MPC_OK ||
        der_read_int(sig->s, in, len, &pos) != MPC_OK || pos != len)
        goto fail;
    if (mpc_scalar_parse(g, &r, sig->r) != MPC_OK ||
        mpc_scalar_parse(g, &s, sig->s) != MPC_OK || mpc_scalar_is_zero(&r) ||
        mpc_scalar_is_zero(&s) || is_high(sig->s))
        goto fail;
    return MPC_OK;
fail:
    memset(sig, 0, sizeof(*sig));
    return MPC_ERR_PARSE;
}
