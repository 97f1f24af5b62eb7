/*
 * mpc/schnorr.h — Schnorr proof of knowledge of a discrete log (Πsch):
 * the prover knows x with X = x*G.
 *
 * Used by CGGMP21 keygen, refresh and reshare (crypto.md §2.5B, §2.9) and
 * by FROST resharing, over either group of group.h.
 *
 * Fiat–Shamir: the caller starts a transcript bound to the context of the
 * proof — protocol label, session id, prover index and anything else the
 * statement depends on (e.g. rid) — and passes it in. prove and verify then
 * absorb the statement X and the commitment A themselves and draw the
 * challenge e, so a proof verifies only under the same transcript:
 *
 *   A = k*G,  e = challenge(transcript || X || A),  z = k + e*x;
 *   valid iff z*G == A + e*X.
 *
 * Both calls advance the transcript in the same way; fork it with `=` to
 * keep a copy.
 *
 * Rules for the whole header:
 * - Pointer arguments must not be NULL.
 * - No function keeps a pointer to its inputs after it returns.
 * - On failure outputs are zeroed: A is the identity, z is zero.
 *
 * Encoding: A || z — the point as group.h serializes it, then z as a
 * canonical scalar: 65 bytes on secp256k1, 64 on Ed25519.
 */
#ifndef MPC_SCHNORR_H
#define MPC_SCHNORR_H

#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"
#include "mpc/group.h"
#include "mpc/transcript.h"

#define MPC_SCHNORR_PROOF_MAX_BYTES (MPC_POINT_MAX_BYTES + MPC_SCALAR_BYTES)

typedef struct mpc_schnorr_proof {
    /** Commitment A = k*G. */
    mpc_point a;
    /** Response z = k + e*x. */
    mpc_scalar z;
} mpc_schnorr_proof;

/** Bytes of an encoded proof: 65 (secp256k1) or 64 (Ed25519). */
size_t mpc_schnorr_proof_bytes(const mpc_group *g);

/**
 * Proves knowledge of x for X = x*G.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if x is zero or X != x*G (proof
 *          zeroed; the transcript is unchanged).
 * Out:    proof.
 * In/Out: t: the transcript bound to the proof's context; advanced.
 * In:     X: the statement; x: the witness.
 * Security: constant time in x. The nonce k is hedged: derived from fresh
 * context randomness, x and the transcript, so a failing rng does not
 * leak x through repeated nonces on different statements. k is wiped.
 */
MPC_WARN_UNUSED mpc_err mpc_schnorr_prove(const mpc_group *g,
                                          mpc_schnorr_proof *proof,
                                          mpc_transcript *t, const mpc_point *X,
                                          const mpc_scalar *x);

/**
 * Verifies a proof of knowledge of the discrete log of X.
 * Returns: MPC_OK; MPC_ERR_VERIFY if the proof is invalid or X is the
 *          identity.
 * In/Out: t: the same transcript the prover used; advanced.
 * In:     X: the statement; proof: as parsed from a peer.
 */
MPC_WARN_UNUSED mpc_err mpc_schnorr_verify(const mpc_group *g,
                                           mpc_transcript *t,
                                           const mpc_point *X,
                                           const mpc_schnorr_proof *proof);

/** Writes mpc_schnorr_proof_bytes(g) bytes. */
void mpc_schnorr_proof_serialize(const mpc_group *g, uint8_t *out,
                                 const mpc_schnorr_proof *proof);

/**
 * Parses a peer's proof strictly: exactly mpc_schnorr_proof_bytes(g)
 * bytes, A a valid non-identity point (mpc_point_parse), z canonical
 * (z < order).
 * Returns: MPC_OK; MPC_ERR_PARSE otherwise (proof zeroed).
 */
MPC_WARN_UNUSED mpc_err mpc_schnorr_proof_parse(const mpc_group *g,
                                                mpc_schnorr_proof *proof,
                                                const uint8_t *in, size_t len);

#endif /* MPC_SCHNORR_H */
