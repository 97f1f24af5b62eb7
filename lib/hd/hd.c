/* Non-hardened derivation (BIP32 CKDpub; mpcium's Ed25519 variant) and the
 * share shifts that apply its tweak. The scheme is in include/mpc/hd.h. */
#include "mpc/hd.h"

#include <sodium.h>
#include <string.h>

#include "lib/hd/hd_internal.h"

_Static_assert(MPC_HD_CHAIN_CODE_BYTES == crypto_auth_hmacsha512_KEYBYTES,
               "the chain code is the HMAC key");
_Static_assert(crypto_auth_hmacsha512_BYTES == 2 * MPC_SCALAR_BYTES,
               "I = IL || IR");
_Static_assert(MPC_HD_CHAIN_CODE_BYTES == MPC_SCALAR_BYTES, "IR is 32 bytes");

bool mpc_hd_path_is_valid(const uint32_t *path, size_t path_len)
{
    if (path_len > MPC_HD_MAX_DEPTH || (path == NULL && path_len != 0))
        return false;
    for (size_t i = 0; i < path_len; i++) {
        if (path[i] >= MPC_HD_HARDENED)
            return false;
    }
    return true;
}

mpc_err mpc_hd_step_apply(const mpc_group *g, mpc_point *pub, mpc_scalar *delta,
                          const uint8_t il[MPC_SCALAR_BYTES])
{
    mpc_scalar k;
    if (mpc_group_curve(g) == MPC_CURVE_SECP256K1) {
        if (mpc_scalar_parse(g, &k, il) != MPC_OK)
            return MPC_ERR_NOT_FOUND; /* IL >= n */
    } else {
        mpc_scalar_reduce_be(g, &k, il, MPC_SCALAR_BYTES);
    }
    if (mpc_scalar_is_zero(&k))
        return MPC_ERR_NOT_FOUND;

    mpc_point t;
    mpc_point_mul_base(g, &t, &k);
    mpc_point_add(g, &t, pub, &t);
    if (mpc_point_is_identity(g, &t))
        return MPC_ERR_NOT_FOUND;
    *pub = t;
    mpc_scalar_add(g, delta, delta, &k);
    return MPC_OK;
}

/* One CKDpub step on c: I = HMAC-SHA512(cc, ser33(pub) || be32(index)). */
static mpc_err step(const mpc_group *g, mpc_hd_child *c, uint32_t index)
{
    uint8_t data[MPC_HD_SER_BYTES + 4];
    mpc_err err = mpc_hd_ser_var(g, data, &c->pub);
    if (err != MPC_OK)
        return err;
    data[MPC_HD_SER_BYTES + 0] = (uint8_t)(index >> 24);
    data[MPC_HD_SER_BYTES + 1] = (uint8_t)(index >> 16);
    data[MPC_HD_SER_BYTES + 2] = (uint8_t)(index >> 8);
    data[MPC_HD_SER_BYTES + 3] = (uint8_t)index;

    uint8_t i64[crypto_auth_hmacsha512_BYTES];
    crypto_auth_hmacsha512(i64, data, sizeof data, c->chain_code);
    err = mpc_hd_step_apply(g, &c->pub, &c->delta, i64);
    if (err == MPC_OK)
        memcpy(c->chain_code, i64 + MPC_SCALAR_BYTES, MPC_HD_CHAIN_CODE_BYTES);
    return err;
}

mpc_err mpc_hd_derive(const mpc_group *g, mpc_hd_child *out,
                      const mpc_point *master,
                      const uint8_t chain_code[MPC_HD_CHAIN_CODE_BYTES],
                      const uint32_t *path, size_t path_len)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    /* Work on a copy: `out` may alias `master` or `chain_code`. */
    mpc_hd_child c;
    memset(&c, 0, sizeof c);
    mpc_err err = MPC_ERR_INVALID_ARG;
    if (g == NULL || master == NULL || chain_code == NULL ||
        !mpc_hd_path_is_valid(path, path_len) ||
        mpc_point_is_identity(g, master))
        goto fail;

    c.pub = *master;
    memcpy(c.chain_code, chain_code, MPC_HD_CHAIN_CODE_BYTES);
    mpc_scalar_set_zero(&c.delta);
    for (size_t i = 0; i < path_len; i++) {
        err = step(g, &c, path[i]);
        if (err != MPC_OK)
            goto fail;
    }
    *out = c;
    return MPC_OK;

fail:
    memset(out, 0, sizeof *out);
    if (g != NULL)
        mpc_point_set_identity(g, &out->pub);
    return err;
}

void mpc_hd_share_shift(const mpc_group *g, mpc_scalar *r,
                        const mpc_scalar *share, const mpc_scalar *delta)
{
    mpc_scalar_add(g, r, share, delta);
}

void mpc_hd_point_shift(const mpc_group *g, mpc_point *r, const mpc_point *pub,
                        const mpc_scalar *delta)
{
    mpc_point t;
    mpc_point_mul_base(g, &t, delta);
    mpc_point_add(g, r, pub, &t);
}
