/*
 * mpc/mem.h — allocation through the context, and secret wiping.
 *
 * lib/ allocates only through the allocator held by its mpc_ctx, so tests can
 * inject failures (every allocation is checked) and programs can choose where
 * memory comes from. Every free wipes: callers pass the size they allocated,
 * which makes "free without wiping" impossible to write by accident.
 *
 * GMP is the documented exception: it allocates through its own global hooks
 * and aborts on out-of-memory. Programs and test runners call
 * mpc_gmp_use_zeroing_allocator() once at start so that every limb GMP frees
 * or moves is wiped first.
 */
#ifndef MPC_MEM_H
#define MPC_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"

/** A pluggable allocator; every function receives `ud`. */
typedef struct mpc_mem {
    void *ud;
    /** Returns zeroed memory of `size` bytes or NULL. */
    void *(*zalloc)(size_t size, void *ud);
    /** Releases memory from zalloc; `p` is never NULL. */
    void (*free)(void *p, void *ud);
} mpc_mem;

/** Fills `mem` with the C library allocator (calloc/free). */
void mpc_mem_default(mpc_mem *mem);

/** Wipes `len` bytes in a way the compiler cannot elide (sodium_memzero). */
void mpc_wipe(void *p, size_t len);

/**
 * Marks `len` bytes derived from secrets as public: a no-op, except in test
 * builds (MPC_TEST_BUILD) under valgrind, where it tells memcheck that the
 * bytes may be branched on (the ctime checks, docs/constant-time.md). Call
 * it only where a header documents the value as public or leaked.
 */
void mpc_declassify(const void *p, size_t len);

/**
 * Installs a GMP allocator that zeroes memory before freeing it or moving it
 * on realloc. Call once, before any GMP use, from main() or a test runner;
 * it changes GMP's process-wide hooks, which is why lib/ never calls it.
 */
void mpc_gmp_use_zeroing_allocator(void);

#endif /* MPC_MEM_H */
