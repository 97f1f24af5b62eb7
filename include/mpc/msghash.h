/*
 * mpc/msghash.h — hashing a message preimage into the 32-byte digest that
 * ECDSA signs.
 *
 * In pool signing the nodes do not sign a digest chosen by the coordinator:
 * each node hashes the preimage itself, with the function the request names
 * on the wire. Three are supported:
 *
 *   "sha256"     SHA-256 (FIPS 180-4).
 *   "sha256d"    SHA-256(SHA-256(m)): Bitcoin legacy and BIP-143 sighashes.
 *   "keccak256"  Keccak-256 as Ethereum uses it: the Keccak team's original
 *                padding (domain byte 0x01), NOT FIPS 202 SHA3-256 (0x06).
 *                The two differ on every input; Keccak-256("") starts c5d2…,
 *                SHA3-256("") starts a7ff….
 *
 * Any prefix a chain adds before hashing (EIP-191's "\x19Ethereum Signed
 * Message:\n", a sighash type) is part of the preimage the caller passes.
 *
 * Rules for every function here:
 *   - Pointer arguments must not be NULL unless stated; an input buffer may
 *     be NULL when its length is 0.
 *   - Argument order: outputs, then inputs; a length follows its buffer.
 *   - No function keeps a pointer to its inputs after it returns.
 *   - Messages are public: these functions make no constant-time promise
 *     about them (Keccak-f and SHA-256 happen to have no data-dependent
 *     branches or table indices; only lengths steer control flow).
 *   - All functions are pure: no allocation, no global state; concurrent
 *     calls on different states are safe.
 */
#ifndef MPC_MSGHASH_H
#define MPC_MSGHASH_H

#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"

/** Output size of Keccak-256, SHA-256 and SHA-256d. */
#define MPC_MSGHASH_BYTES 32
#define MPC_KECCAK256_BYTES 32
/** Keccak-256 absorbs 136-byte blocks (rate 1088 bits, capacity 512). */
#define MPC_KECCAK256_RATE_BYTES 136

_Static_assert(MPC_KECCAK256_BYTES == MPC_MSGHASH_BYTES,
               "every message hash fills one ECDSA digest");
_Static_assert(MPC_KECCAK256_RATE_BYTES + 2 * MPC_KECCAK256_BYTES == 200,
               "rate + capacity is the 1600-bit Keccak-f state");

/* ---------------------------------------------------------------------- */
/* Keccak-256                                                             */
/* ---------------------------------------------------------------------- */

/**
 * An incremental Keccak-256 computation. A value: copy it with `=` to hash
 * two continuations of a common prefix. Fields are private.
 */
typedef struct mpc_keccak256_state {
    uint64_t lanes[25]; /* Keccak-f[1600] state, lane (x, y) at x + 5y */
    size_t pos;         /* bytes absorbed into the current block, < rate */
} mpc_keccak256_state;

/** Starts a Keccak-256 computation. */
void mpc_keccak256_init(mpc_keccak256_state *st);

/**
 * Absorbs `len` more bytes. Calls may split the message anywhere: the
 * result depends only on the concatenation.
 * In/Out: st: initialized state.
 * In:     in:  message bytes (may be NULL if len is 0).
 */
void mpc_keccak256_update(mpc_keccak256_state *st, const uint8_t *in,
                          size_t len);

/**
 * Finishes the computation and writes the digest.
 * Out:    out32: the 32-byte Keccak-256 digest.
 * In/Out: st:    wiped; it is left equal to a freshly initialized state.
 */
void mpc_keccak256_final(mpc_keccak256_state *st,
                         uint8_t out32[MPC_KECCAK256_BYTES]);

/**
 * One-shot Keccak-256 of `in`.
 * Out: out32: the digest.
 * In:  in:    message (may be NULL if len is 0).
 */
void mpc_keccak256(uint8_t out32[MPC_KECCAK256_BYTES], const uint8_t *in,
                   size_t len);

/* ---------------------------------------------------------------------- */
/* Message hash selected by name                                          */
/* ---------------------------------------------------------------------- */

/**
 * A message-hash function. The values are stable (they may be stored);
 * 0 is no algorithm.
 */
typedef enum mpc_msghash_alg {
    MPC_MSGHASH_SHA256 = 1,
    MPC_MSGHASH_SHA256D = 2,
    MPC_MSGHASH_KECCAK256 = 3,
} mpc_msghash_alg;

/**
 * Parses a wire name: exactly "sha256", "sha256d" or "keccak256" in
 * lowercase, with no surrounding space and no NUL inside `len`. The name is
 * peer data, so it is taken with its length and need not be NUL-terminated.
 * Returns: MPC_OK;
 *          MPC_ERR_PARSE       any other byte string, including the empty
 *                              one and other cases ("SHA256");
 *          MPC_ERR_INVALID_ARG alg is NULL, or name is NULL with len > 0.
 * Out: alg:  the algorithm; 0 on failure.
 * In:  name: the name bytes (may be NULL if len is 0).
 */
MPC_WARN_UNUSED mpc_err mpc_msghash_parse_name(mpc_msghash_alg *alg,
                                               const char *name, size_t len);

/**
 * The wire name of `alg` (a static string that parses back to `alg`), or
 * NULL if `alg` is not one of the values above.
 */
const char *mpc_msghash_name(mpc_msghash_alg alg);

/**
 * Hashes `msg` with `alg` into the 32-byte digest ECDSA signs.
 * Returns: MPC_OK;
 *          MPC_ERR_INVALID_ARG alg is not one of the values above, out32 is
 *                              NULL, or msg is NULL with len > 0.
 * Out: out32: the digest; zeroed on failure (when not NULL).
 * In:  alg:   the hash function.
 *      msg:   the preimage (may be NULL if len is 0).
 */
MPC_WARN_UNUSED mpc_err mpc_msghash(uint8_t out32[MPC_MSGHASH_BYTES],
                                    mpc_msghash_alg alg, const uint8_t *msg,
                                    size_t len);

#endif /* MPC_MSGHASH_H */
