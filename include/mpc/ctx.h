/*
 * mpc/ctx.h — the library context.
 *
 * One mpc_ctx holds everything lib/ would otherwise keep in globals: the
 * randomness callback, the allocator, the optional log hook and the
 * randomized libsecp256k1 context. lib/ has no mutable global state.
 *
 * Threads: a context is immutable after mpc_ctx_new, so concurrent use
 * through `const mpc_ctx *` is safe provided the rng callback is itself
 * thread-safe (the OS generator is; an mpc_drbg is not — give each thread
 * its own context in tests).
 */
#ifndef MPC_CTX_H
#define MPC_CTX_H

#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"
#include "mpc/mem.h"
#include "mpc/rng.h"

typedef struct mpc_ctx mpc_ctx;

enum mpc_log_level {
    MPC_LOG_DEBUG = 0,
    MPC_LOG_INFO = 1,
    MPC_LOG_WARN = 2,
};

/** Log hook; lib/ never passes secret material to it. */
typedef void (*mpc_log_fn)(void *ud, int level, const char *msg);

typedef struct mpc_ctx_config {
    /** Required: the source of every random byte lib/ uses. */
    mpc_rng_fn rng;
    void *rng_ud;
    /** Allocator; NULL means calloc/free. Copied. */
    const mpc_mem *mem;
    /** Optional log hook (may be NULL). */
    mpc_log_fn log;
    void *log_ud;
} mpc_ctx_config;

/**
 * Creates a context: copies the config, creates and randomizes a
 * libsecp256k1 context, and runs a short known-answer self-test of both
 * groups.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if `out`, `cfg` or `cfg->rng` is
 * NULL; MPC_ERR_NOMEM; MPC_ERR_INTERNAL if the self-test fails (the linked
 * crypto libraries are broken). `*out` is written only on success.
 */
MPC_WARN_UNUSED mpc_err mpc_ctx_new(mpc_ctx **out, const mpc_ctx_config *cfg);

/** Destroys a context; NULL does nothing. */
void mpc_ctx_free(mpc_ctx *ctx);

/** Fills `buf` from the context's rng. */
void mpc_ctx_random(const mpc_ctx *ctx, uint8_t *buf, size_t len);

/**
 * Allocates `size` zeroed bytes with the context allocator; NULL on failure
 * or when size is 0. Pair with mpc_ctx_free_mem(ctx, p, size).
 */
void *mpc_ctx_alloc(const mpc_ctx *ctx, size_t size);

/**
 * Allocates an array of `n` elements of `size` bytes; NULL on failure,
 * overflow, or when the product is 0.
 */
void *mpc_ctx_alloc_array(const mpc_ctx *ctx, size_t n, size_t size);

/** Wipes `size` bytes at `p` and releases them; NULL does nothing. */
void mpc_ctx_free_mem(const mpc_ctx *ctx, void *p, size_t size);

/** Sends a message to the log hook, if any. Never pass secrets. */
void mpc_ctx_log(const mpc_ctx *ctx, int level, const char *msg);

#endif /* MPC_CTX_H */
