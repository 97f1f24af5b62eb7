/* Known-answer self-test run at context creation, as libsecp256k1 does: a
 * mislinked or miscompiled crypto library must fail loudly at start, not
 * produce wrong keys later. */
#include <secp256k1.h>
#include <sodium.h>
#include <string.h>

#include "lib/core/ctx_internal.h"
#include "mpc/mem.h"

/* 1*G of secp256k1, SEC1 compressed (SEC 2, §2.4.1). */
static const uint8_t secp256k1_g[33] = {
    0x02, 0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0,
    0x62, 0x95, 0xce, 0x87, 0x0b, 0x07, 0x02, 0x9b, 0xfc, 0xdb, 0x2d,
    0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16, 0xf8, 0x17, 0x98};

/* The Ed25519 base point B (RFC 8032 §5.1). */
static const uint8_t ed25519_b[32] = {
    0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66};

/* 3^-1 mod n of secp256k1 (big-endian) and mod L of Ed25519
 * (little-endian): exercises GMP's mpn_sec_powm and libsodium's inversion. */
static const uint8_t secp256k1_inv3[32] = {
    0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
    0xaa, 0xaa, 0xaa, 0xaa, 0xa9, 0xd1, 0xc9, 0xe8, 0x99, 0xca, 0x30,
    0x6a, 0xd2, 0x7f, 0xe1, 0x94, 0x5d, 0xe0, 0x24, 0x2b, 0x81};
static const uint8_t ed25519_inv3[32] = {
    0x49, 0x8d, 0x4e, 0x93, 0x11, 0x42, 0x0c, 0x90, 0x39, 0x13, 0xa5,
    0x6c, 0x94, 0xa6, 0x94, 0xb8, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
    0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0x0a};

/* 3^-1 is the known constant and 3 * 3^-1 = 1, through lib/ec itself. */
static bool scalars_ok(const mpc_group *g, const uint8_t inv3[32])
{
    mpc_scalar three, inv, one, prod;
    mpc_scalar_set_u64(g, &three, 3);
    mpc_scalar_set_u64(g, &one, 1);
    if (mpc_scalar_inv(g, &inv, &three) != MPC_OK ||
        memcmp(inv.v, inv3, 32) != 0)
        return false;
    mpc_scalar_mul(g, &prod, &inv, &three);
    return mpc_scalar_eq(&prod, &one);
}

mpc_err mpc_ec_selftest(const mpc_ctx *ctx)
{
    uint8_t one_be[32] = {0}, one_le[32] = {0};
    one_be[31] = 1;
    one_le[0] = 1;

    secp256k1_pubkey pk;
    uint8_t ser[33];
    size_t ser_len = sizeof ser;
    int ok = secp256k1_ec_pubkey_create(ctx->secp, &pk, one_be);
    /* 1*G is public, though computed with the context's secret blinding
     * (ctime checks: see mpc/mem.h). */
    mpc_declassify(&pk, sizeof pk);
    if (!ok ||
        !secp256k1_ec_pubkey_serialize(ctx->secp, ser, &ser_len, &pk,
                                       SECP256K1_EC_COMPRESSED) ||
        ser_len != 33 || memcmp(ser, secp256k1_g, 33) != 0)
        return MPC_ERR_INTERNAL;

    uint8_t b[32];
    if (crypto_scalarmult_ed25519_base_noclamp(b, one_le) != 0 ||
        memcmp(b, ed25519_b, 32) != 0)
        return MPC_ERR_INTERNAL;

    if (!scalars_ok(&ctx->secp256k1, secp256k1_inv3) ||
        !scalars_ok(&ctx->ed25519, ed25519_inv3))
        return MPC_ERR_INTERNAL;
    return MPC_OK;
}
