/*
 * lib/hash/keccak_internal.h — the Keccak sponge below mpc_keccak256, for
 * tests.
 *
 * Keccak-256 and FIPS 202 SHA3-256 share the permutation, rate and output
 * length and differ only in the domain byte that starts the padding. OpenSSL
 * (linked into tests only) has SHA3-256 but not Keccak-256, so finishing our
 * sponge with the SHA3 byte lets tests check the permutation and the
 * absorb/squeeze logic against an independent implementation on any input.
 */
#ifndef MPC_HASH_KECCAK_INTERNAL_H
#define MPC_HASH_KECCAK_INTERNAL_H

#include <stdint.h>

#include "mpc/msghash.h"

/** Domain byte of the original Keccak padding (Ethereum's Keccak-256). */
#define MPC_KECCAK_PAD_KECCAK 0x01
/** Domain byte of FIPS 202 SHA3-256: the suffix bits 01, then pad10*1. */
#define MPC_KECCAK_PAD_SHA3 0x06

/**
 * mpc_keccak256_final with the given first padding byte: `pad` is XORed in
 * after the message, 0x80 into the last byte of the block, and the state is
 * permuted and squeezed. Wipes `st` like mpc_keccak256_final.
 */
void mpc_keccak256_final_pad(mpc_keccak256_state *st,
                             uint8_t out32[MPC_KECCAK256_BYTES], uint8_t pad);

#endif /* MPC_HASH_KECCAK_INTERNAL_H */
