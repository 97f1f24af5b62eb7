/*
 * common/os_rng.h — the production randomness source for mpc_ctx: the
 * operating system's generator (getrandom via libsodium). Lives outside lib/
 * so that lib/ never draws randomness by itself.
 */
#ifndef MPC_COMMON_OS_RNG_H
#define MPC_COMMON_OS_RNG_H

#include <stddef.h>
#include <stdint.h>

/** An mpc_rng_fn; `ud` is unused. sodium_init() must have succeeded. */
void os_rng_fill(void *ud, uint8_t *buf, size_t len);

#endif
