#include "lib/core/ctx_internal.h"

#include <sodium.h>
#include <string.h>

mpc_err mpc_ctx_new(mpc_ctx **out, const mpc_ctx_config *cfg)
{
    if (out == NULL || cfg == NULL || cfg->rng == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    /* sodium_init only selects CPU-specific implementations; it is
     * idempotent and thread-safe. lib/ never uses libsodium's own rng. */
    if (sodium_init() < 0)
        return MPC_ERR_INTERNAL;

    mpc_mem mem;
    if (cfg->mem != NULL)
        mem = *cfg->mem;
    else
        mpc_mem_default(&mem);

    mpc_ctx *ctx = mem.zalloc(sizeof *ctx, mem.ud);
    if (ctx == NULL)
        return MPC_ERR_NOMEM;
    ctx->rng = cfg->rng;
    ctx->rng_ud = cfg->rng_ud;
    ctx->mem = mem;
    ctx->log = cfg->log;
    ctx->log_ud = cfg->log_ud;
    ctx->secp256k1 = (struct mpc_group){MPC_CURVE_SECP256K1, ctx};
    ctx->ed25519 = (struct mpc_group){MPC_CURVE_ED25519, ctx};

    ctx->secp = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (ctx->secp == NULL) {
        mpc_ctx_free(ctx);
        return MPC_ERR_NOMEM;
    }
    /* Blinding against side channels in k*G; the seed is wiped at once. */
    uint8_t seed[32];
    mpc_ctx_random(ctx, seed, sizeof seed);
    int ok = secp256k1_context_randomize(ctx->secp, seed);
    mpc_wipe(seed, sizeof seed);
    if (!ok || mpc_ec_selftest(ctx) != MPC_OK) {
        mpc_ctx_free(ctx);
        return MPC_ERR_INTERNAL;
    }
    *out = ctx;
    return MPC_OK;
}

void mpc_ctx_free(mpc_ctx *ctx)
{
    if (ctx == NULL)
        return;
    if (ctx->secp != NULL)
        secp256k1_context_destroy(ctx->secp);
    mpc_mem mem = ctx->mem;
    mpc_wipe(ctx, sizeof *ctx);
    mem.free(ctx, mem.ud);
}

void mpc_ctx_random(const mpc_ctx *ctx, uint8_t *buf, size_t len)
{
    if (len > 0)
        ctx->rng(ctx->rng_ud, buf, len);
}

void *mpc_ctx_alloc(const mpc_ctx *ctx, size_t size)
{
    if (size == 0)
        return NULL;
    return ctx->mem.zalloc(size, ctx->mem.ud);
}

void *mpc_ctx_alloc_array(const mpc_ctx *ctx, size_t n, size_t size)
{
    if (n == 0 || size == 0 || n > SIZE_MAX / size)
        return NULL;
    return mpc_ctx_alloc(ctx, n * size);
}

void mpc_ctx_free_mem(const mpc_ctx *ctx, void *p, size_t size)
{
    if (p == NULL)
        return;
    mpc_wipe(p, size);
    ctx->mem.free(p, ctx->mem.ud);
}

void mpc_ctx_log(const mpc_ctx *ctx, int level, const char *msg)
{
    if (ctx->log != NULL)
        ctx->log(ctx->log_ud, level, msg);
}
