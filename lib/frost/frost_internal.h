/* Internals shared by the files of lib/frost and its white-box tests. */
#ifndef MPC_FROST_INTERNAL_H
#define MPC_FROST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "mpc/frost.h"

/* RFC 9591 §6.1. */
#define MPC_FROST_CONTEXT_STRING "FROST-ED25519-SHA512-v1"

/* PK || H4(msg) || H5(list) || id: the input of H1 (RFC 9591 §4.4). */
#define MPC_FROST_BINDING_INPUT_BYTES                                          \
    (MPC_FROST_POINT_BYTES + 2 * crypto_hash_sha512_BYTES +                    \
     MPC_FROST_SCALAR_BYTES)

/* True for the Ed25519 group, the only one this ciphersuite is defined on. */
bool mpc_frost_group_ok(const mpc_group *g);

/* Resets point outputs to the identity, their zero (to all-zero bytes when g
 * is not the Ed25519 group, as its encoding is then unknown). */
void mpc_frost_points_reset(const mpc_group *g, mpc_point *p, size_t n);

/* Resets a commitment output: zero id, identity points. */
void mpc_frost_commitment_reset(const mpc_group *g, mpc_frost_commitment *com);

/* Resets a proof output: identity R, zero mu. */
void mpc_frost_pok_reset(const mpc_group *g, mpc_frost_pok *pok);

/* Starts SHA-512(contextString || tag || ...). */
void mpc_frost_hash_init(crypto_hash_sha512_state *st, const char *tag);

/* Absorbs len bytes; p may be NULL when len is 0. */
void mpc_frost_hash_update(crypto_hash_sha512_state *st, const uint8_t *p,
                           size_t len);

/* Finishes the hash, reads the digest little-endian mod L, and wipes the
 * state and the digest (they may have absorbed secrets). */
void mpc_frost_hash_to_scalar(const mpc_group *g, mpc_scalar *out,
                              crypto_hash_sha512_state *st);

/*
 * The H1 input for list[k] (RFC 9591 §4.4 rho_input), with the group key
 * tweaked if `tweak` is given. Exposed for the known-answer test of
 * binding_factor_input; mpc_frost_binding_factors hashes exactly this.
 * Returns: as mpc_frost_binding_factors, plus MPC_ERR_INVALID_ARG if
 * k >= n.
 */
MPC_WARN_UNUSED mpc_err mpc_frost_binding_factor_input(
    const mpc_group *g, uint8_t out[MPC_FROST_BINDING_INPUT_BYTES],
    const mpc_point *group_pk, const mpc_scalar *tweak, const uint8_t *msg,
    size_t msg_len, const mpc_frost_commitment *list, size_t n, size_t k);

/*
 * mpc_frost_signing_package_init for a signer that holds `nonce`: when the
 * nonce is fresh and its commitment is the list's entry under its
 * identifier, that entry's term D + rho*E of R is computed as
 * (d + rho*e)*B, a fixed-base multiplication instead of a variable-base
 * one and an addition. The package is the same either way (otherwise the
 * term is computed from the list as usual); the nonce is read, not
 * consumed.
 * Returns: as mpc_frost_signing_package_init; MPC_ERR_INVALID_ARG for a
 *   NULL nonce.
 * Security: constant time in the nonce.
 */
MPC_WARN_UNUSED mpc_err mpc_frost_signing_package_init_signer(
    const mpc_group *g, mpc_frost_signing_package *pkg,
    const mpc_frost_nonce *nonce, const mpc_point *group_pk,
    const mpc_scalar *tweak, const uint8_t *msg, size_t msg_len,
    const mpc_frost_commitment *list, size_t n);

/*
 * The DKG proof of knowledge with the nonce k given, so the ZF vectors can
 * be checked end to end. k must be fresh and uniformly random: production
 * code goes through mpc_frost_dkg_part1, which draws it.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for a NULL, another group, a zero
 * id, or context NULL with context_len > 0.
 */
MPC_WARN_UNUSED mpc_err mpc_frost_dkg_pok_prove_with_nonce(
    const mpc_group *g, mpc_frost_pok *pok, const mpc_scalar *id,
    const mpc_scalar *a0, const mpc_point *phi0, const mpc_scalar *k,
    const uint8_t *context, size_t context_len);

#endif /* MPC_FROST_INTERNAL_H */
