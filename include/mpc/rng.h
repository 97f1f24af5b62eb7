/*
 * mpc/rng.h — injected randomness.
 *
 * lib/ never draws randomness itself. Every random byte comes from the
 * callback in mpc_ctx_config: production passes the OS generator (outside
 * lib/, common/os_rng.h); tests pass mpc_drbg_fill with a seeded mpc_drbg so
 * every run can be replayed from its printed seed.
 */
#ifndef MPC_RNG_H
#define MPC_RNG_H

#include <stddef.h>
#include <stdint.h>

/** Fills `buf` with `len` uniformly random bytes. Must not fail. */
typedef void (*mpc_rng_fn)(void *ud, uint8_t *buf, size_t len);

#define MPC_DRBG_SEED_BYTES 32

/**
 * A deterministic generator: ChaCha20 keystream under a key derived from the
 * seed. For tests and reproducible benchmarks only: its output is a pure
 * function of the seed.
 */
typedef struct mpc_drbg {
    uint8_t key[32];
    uint64_t block; /* next keystream nonce, so calls never overlap */
} mpc_drbg;

/** Seeds `d` from `seed` (any length; hashed). */
void mpc_drbg_init(mpc_drbg *d, const uint8_t *seed, size_t seed_len);

/** An mpc_rng_fn: `ud` is an mpc_drbg *. */
void mpc_drbg_fill(void *ud, uint8_t *buf, size_t len);

/** Wipes the generator state. */
void mpc_drbg_clear(mpc_drbg *d);

#endif /* MPC_RNG_H */
