/* Internal layout of mpc_ctx, shared by lib/core and lib/ec only. */
#ifndef MPC_CTX_INTERNAL_H
#define MPC_CTX_INTERNAL_H

#include <secp256k1.h>

#include "mpc/ctx.h"
#include "mpc/group.h"

struct mpc_group {
    mpc_curve curve;
    const struct mpc_ctx *ctx;
};

struct mpc_ctx {
    mpc_rng_fn rng;
    void *rng_ud;
    mpc_mem mem;
    mpc_log_fn log;
    void *log_ud;
    secp256k1_context *secp;
    struct mpc_group secp256k1;
    struct mpc_group ed25519;
};

/* Known-answer self-test of both groups, run by mpc_ctx_new.
 * Returns MPC_OK or MPC_ERR_INTERNAL. */
mpc_err mpc_ec_selftest(const mpc_ctx *ctx);

#endif /* MPC_CTX_INTERNAL_H */
