/*
 * mpc/ecdsa.h — ECDSA over secp256k1: building the final signature from
 * (R, s), low-S normalisation with the recovery id, verification, and the
 * DER and 65-byte r‖s‖v encodings (crypto.md §2.5D, §5.1).
 *
 * Rules for the whole header:
 * - Pointer arguments must not be NULL.
 * - `g` must be the secp256k1 group; another group is MPC_ERR_INVALID_ARG.
 * - Everything here handles public values (R, r, s, the digest, the public
 *   key) and may take variable time; none of it sees a secret.
 * - A digest is 32 bytes, read big-endian and reduced mod n (SEC1 4.1.3
 *   with a 256-bit hash: no truncation is needed).
 * - An mpc_ecdsa_signature made or parsed here always has 0 < r < n and
 *   0 < s <= n/2 (low-S, as libsecp256k1 verify and Bitcoin/Ethereum
 *   require). The recovery id: bit 0 = y(R) odd, bit 1 = x(R) >= n, for
 *   the R that matches the low-S s (negating s flips bit 0).
 * - Outputs are zeroed on failure.
 */
#ifndef MPC_ECDSA_H
#define MPC_ECDSA_H

#include <stddef.h>
#include <stdint.h>

#include "mpc/cggmp.h"
#include "mpc/err.h"
#include "mpc/group.h"

/** Bytes of a message digest. */
#define MPC_ECDSA_DIGEST_BYTES 32
/** Largest strict DER encoding: 30 len (02 len 00‖r) (02 len 00‖s). */
#define MPC_ECDSA_DER_MAX_BYTES 72
/** r (32, big-endian) ‖ s (32, big-endian) ‖ v (1: the recovery id). */
#define MPC_ECDSA_RSV_BYTES 65

/**
 * r = x(R) mod n.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if R is the identity or g is not
 *   secp256k1; MPC_ERR_VERIFY if x(R) mod n is zero (r zeroed).
 */
MPC_WARN_UNUSED mpc_err mpc_ecdsa_r_from_point(const mpc_group *g,
                                               mpc_scalar *r,
                                               const mpc_point *big_r);

/**
 * Builds the signature from the nonce point R and the combined s:
 * r = x(R) mod n, s replaced by n - s when s > n/2, recovery id from R
 * (parity flipped with s). Does not verify; see mpc_ecdsa_verify_var.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for the identity R, a zero s or a
 *   non-secp256k1 group; MPC_ERR_VERIFY if r is zero.
 */
MPC_WARN_UNUSED mpc_err mpc_ecdsa_signature_make(const mpc_group *g,
                                                 mpc_ecdsa_signature *sig,
                                                 const mpc_point *big_r,
                                                 const mpc_scalar *s);

/**
 * Verifies `sig` on `digest` under `pubkey`: 0 < r < n, 0 < s <= n/2,
 * R' = (m/s)·G + (r/s)·Y not the identity, x(R') mod n = r, and the
 * recovery id equals the one of R' (so that r‖s‖v recovers `pubkey`).
 *
 * Returns: MPC_OK; MPC_ERR_VERIFY if any check fails; MPC_ERR_INVALID_ARG
 *   for a non-secp256k1 group or an identity public key.
 */
MPC_WARN_UNUSED mpc_err
mpc_ecdsa_verify_var(const mpc_group *g, const mpc_point *pubkey,
                     const uint8_t digest[MPC_ECDSA_DIGEST_BYTES],
                     const mpc_ecdsa_signature *sig);

/**
 * Writes r ‖ s ‖ v with v = the recovery id (0..3). Ethereum's legacy
 * v = 27 + recid, and EIP-155 chain-id forms, are the caller's to apply.
 */
void mpc_ecdsa_signature_to_rsv(const mpc_ecdsa_signature *sig,
                                uint8_t out[MPC_ECDSA_RSV_BYTES]);

/**
 * Strict DER (X.690, minimal INTEGERs, SEC1 / BIP66):
 * 30 L 02 Lr r 02 Ls s.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if r or s is zero (not a signature
 *   this header made); *out_len is 0 and `out` zeroed on failure.
 * Out: out[0..*out_len), *out_len <= MPC_ECDSA_DER_MAX_BYTES.
 */
MPC_WARN_UNUSED mpc_err mpc_ecdsa_signature_to_der(
    const mpc_ecdsa_signature *sig, uint8_t out[MPC_ECDSA_DER_MAX_BYTES],
    size_t *out_len);

/**
 * Parses a strict DER signature: exact lengths, short-form lengths only,
 * no superfluous leading zero, no negative integer, nothing trailing,
 * 0 < r < n and 0 < s <= n/2 (a high-S signature is refused: it is not
 * one this library produces). DER has no recovery id: recid is set to 0.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for anything else (sig zeroed);
 *   MPC_ERR_INVALID_ARG for a non-secp256k1 group.
 */
MPC_WARN_UNUSED mpc_err mpc_ecdsa_signature_from_der(const mpc_group *g,
                                                     mpc_ecdsa_signature *sig,
                                                     const uint8_t *in,
                                                     size_t len);

#endif /* MPC_ECDSA_H */
