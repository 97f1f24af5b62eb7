/* Internals of lib/hd, shared by its files and its white-box tests. */
#ifndef MPC_HD_INTERNAL_H
#define MPC_HD_INTERNAL_H

#include <stdint.h>

#include "mpc/err.h"
#include "mpc/group.h"

/** Bytes of ser33(P), the point serialisation the derivation hashes. */
#define MPC_HD_SER_BYTES 33
/** Bytes of an Ed25519 field element (affine coordinate). */
#define MPC_HD_FE_BYTES 32

/*
 * ser33(P): secp256k1 SEC1 compressed; Ed25519 mpcium's quirk,
 * (0x02 | (y & 1)) || big-endian affine x. Variable time (public points).
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if p is the identity (which has no
 * ser33); MPC_ERR_INTERNAL if an Ed25519 encoding is not on the curve
 * (impossible for points from lib/ec). `out` is zeroed on error.
 */
MPC_WARN_UNUSED mpc_err mpc_hd_ser_var(const mpc_group *g,
                                       uint8_t out[MPC_HD_SER_BYTES],
                                       const mpc_point *p);

/*
 * The affine x of an Edwards25519 point, big-endian, from its RFC 8032
 * encoding (little-endian y, top bit = x's parity). Variable time.
 * Returns: MPC_OK; MPC_ERR_INTERNAL if `enc` is not a canonical encoding of
 * a curve point (x_be zeroed).
 */
MPC_WARN_UNUSED mpc_err mpc_hd_ed25519_x_var(
    uint8_t x_be[MPC_HD_FE_BYTES], const uint8_t enc[MPC_HD_FE_BYTES]);

/*
 * The arithmetic of one step, given the big-endian IL: checks IL
 * (secp256k1: < n; Ed25519: reduced mod L; either: not zero), then
 * pub += IL*G and delta += IL, unless pub would become the identity.
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND for an invalid child (pub and delta
 * unchanged).
 */
MPC_WARN_UNUSED mpc_err mpc_hd_step_apply(const mpc_group *g, mpc_point *pub,
                                          mpc_scalar *delta,
                                          const uint8_t il[MPC_SCALAR_BYTES]);

#endif /* MPC_HD_INTERNAL_H */
