/* The two groups of a context and their fixed properties. */
#include "lib/core/ctx_internal.h"

const mpc_group *mpc_ctx_group(const mpc_ctx *ctx, mpc_curve curve)
{
    switch (curve) {
    case MPC_CURVE_SECP256K1:
        return &ctx->secp256k1;
    case MPC_CURVE_ED25519:
        return &ctx->ed25519;
    }
    return NULL;
}

const mpc_ctx *mpc_group_ctx(const mpc_group *g)
{
    return g->ctx;
}

mpc_curve mpc_group_curve(const mpc_group *g)
{
    return g->curve;
}

size_t mpc_group_point_bytes(const mpc_group *g)
{
    return g->curve == MPC_CURVE_SECP256K1 ? MPC_SECP256K1_POINT_BYTES
                                           : MPC_ED25519_POINT_BYTES;
}
