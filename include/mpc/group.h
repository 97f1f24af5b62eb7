/*
 * mpc/group.h — prime-order groups: secp256k1 and Ed25519 (its prime-order
 * subgroup), with scalars mod the group order.
 *
 * One API serves both curves so that VSS, Lagrange interpolation, Schnorr
 * proofs, resharing and the transcript are written once. Points go through
 * libsecp256k1 and libsodium's crypto_core_ed25519_*; scalars mod n of
 * secp256k1 use fixed-size constant-time GMP mpn_sec_* arithmetic; Ed25519
 * scalars use crypto_core_ed25519_scalar_*.
 *
 * Rules for the whole header:
 * - Pointer arguments must not be NULL.
 * - Argument order: group, outputs, inputs. Outputs may alias inputs.
 * - No function keeps a pointer to its inputs after it returns.
 * - Functions are constant time in every scalar argument unless their name
 *   ends in `_var` (only public data may be passed to those).
 * - Parsing is strict: a value is accepted only in its one canonical
 *   encoding. Outputs are zeroed on failure.
 *
 * Encodings:
 * - Scalar: 32 bytes, secp256k1 big-endian (as libsecp256k1 seckeys and
 *   BIP32), Ed25519 little-endian (as RFC 8032 and RFC 9591).
 * - Point: secp256k1 33-byte SEC1 compressed, Ed25519 32-byte RFC 8032.
 *   secp256k1 has no compressed form for infinity; mpc_point_serialize
 *   writes 33 zero bytes for it, which only mpc_point_parse_allow_identity
 *   accepts.
 */
#ifndef MPC_GROUP_H
#define MPC_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/ctx.h"
#include "mpc/err.h"

/** Curve identifiers; stable values (they appear in encodings). */
typedef enum mpc_curve {
    MPC_CURVE_SECP256K1 = 1,
    MPC_CURVE_ED25519 = 2,
} mpc_curve;

#define MPC_SCALAR_BYTES 32
#define MPC_SECP256K1_POINT_BYTES 33
#define MPC_ED25519_POINT_BYTES 32
#define MPC_POINT_MAX_BYTES 33

/** A group, owned by its mpc_ctx; valid as long as the context is. */
typedef struct mpc_group mpc_group;

/** A scalar mod the group order, always fully reduced, in its encoding. */
typedef struct mpc_scalar {
    uint8_t v[MPC_SCALAR_BYTES];
} mpc_scalar;

/**
 * A group element. Contents are private to lib/ec: copy with `=`, compare
 * only with mpc_point_eq. Holds a secp256k1_pubkey plus an infinity flag,
 * or an Ed25519 encoding.
 */
typedef struct mpc_point {
    uint8_t v[64];
    uint8_t inf;
} mpc_point;

/** The group for `curve`, or NULL for an unknown curve. */
const mpc_group *mpc_ctx_group(const mpc_ctx *ctx, mpc_curve curve);

/** The context the group belongs to. */
const mpc_ctx *mpc_group_ctx(const mpc_group *g);

mpc_curve mpc_group_curve(const mpc_group *g);

/** Bytes of a serialized point: 33 (secp256k1) or 32 (Ed25519). */
size_t mpc_group_point_bytes(const mpc_group *g);

/** The group order, big-endian. */
void mpc_group_order_be(const mpc_group *g, uint8_t out[MPC_SCALAR_BYTES]);

/* ---- scalars ------------------------------------------------------------ */

void mpc_scalar_set_zero(mpc_scalar *r);

/** r = v (v < 2^64 is always below both orders). */
void mpc_scalar_set_u64(const mpc_group *g, mpc_scalar *r, uint64_t v);

/**
 * Parses a canonical 32-byte scalar (value < order; zero allowed).
 * Returns: MPC_OK; MPC_ERR_PARSE if the value is >= the order (r zeroed).
 */
MPC_WARN_UNUSED mpc_err mpc_scalar_parse(const mpc_group *g, mpc_scalar *r,
                                         const uint8_t in[MPC_SCALAR_BYTES]);

void mpc_scalar_serialize(const mpc_group *g, uint8_t out[MPC_SCALAR_BYTES],
                          const mpc_scalar *a);

/** r = (big-endian integer in[0..len)) mod order; len <= 64. */
void mpc_scalar_reduce_be(const mpc_group *g, mpc_scalar *r, const uint8_t *in,
                          size_t len);

/** r = (little-endian integer in[0..len)) mod order; len <= 64. */
void mpc_scalar_reduce_le(const mpc_group *g, mpc_scalar *r, const uint8_t *in,
                          size_t len);

void mpc_scalar_add(const mpc_group *g, mpc_scalar *r, const mpc_scalar *a,
                    const mpc_scalar *b);
void mpc_scalar_sub(const mpc_group *g, mpc_scalar *r, const mpc_scalar *a,
                    const mpc_scalar *b);
void mpc_scalar_mul(const mpc_group *g, mpc_scalar *r, const mpc_scalar *a,
                    const mpc_scalar *b);
void mpc_scalar_neg(const mpc_group *g, mpc_scalar *r, const mpc_scalar *a);

/**
 * r = a^-1, constant time.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if a is zero (r zeroed).
 */
MPC_WARN_UNUSED mpc_err mpc_scalar_inv(const mpc_group *g, mpc_scalar *r,
                                       const mpc_scalar *a);

/** As mpc_scalar_inv, variable time: public values only. */
MPC_WARN_UNUSED mpc_err mpc_scalar_inv_var(const mpc_group *g, mpc_scalar *r,
                                           const mpc_scalar *a);

bool mpc_scalar_is_zero(const mpc_scalar *a);

/** Constant-time equality. */
bool mpc_scalar_eq(const mpc_scalar *a, const mpc_scalar *b);

/** r = uniformly random non-zero scalar from the context rng. */
void mpc_scalar_random(const mpc_group *g, mpc_scalar *r);

/** Wipes a scalar. */
void mpc_scalar_clear(mpc_scalar *r);

/* ---- points ------------------------------------------------------------- */

void mpc_point_set_identity(const mpc_group *g, mpc_point *r);
bool mpc_point_is_identity(const mpc_group *g, const mpc_point *p);

/** The generator. */
void mpc_point_generator(const mpc_group *g, mpc_point *r);

/** r = k*G. Constant time in k. */
void mpc_point_mul_base(const mpc_group *g, mpc_point *r, const mpc_scalar *k);

/** r = k*P. Constant time in k. */
void mpc_point_mul(const mpc_group *g, mpc_point *r, const mpc_scalar *k,
                   const mpc_point *p);

void mpc_point_add(const mpc_group *g, mpc_point *r, const mpc_point *a,
                   const mpc_point *b);
void mpc_point_sub(const mpc_group *g, mpc_point *r, const mpc_point *a,
                   const mpc_point *b);
void mpc_point_neg(const mpc_group *g, mpc_point *r, const mpc_point *a);

bool mpc_point_eq(const mpc_group *g, const mpc_point *a, const mpc_point *b);

/** Writes mpc_group_point_bytes(g) bytes to `out`. */
void mpc_point_serialize(const mpc_group *g, uint8_t *out, const mpc_point *p);

/**
 * Parses a point received from a peer: exactly mpc_group_point_bytes(g)
 * bytes, canonical, on the curve, in the prime-order subgroup, not the
 * identity (Ed25519: also not of small order).
 * Returns: MPC_OK; MPC_ERR_PARSE otherwise (r set to the identity).
 */
MPC_WARN_UNUSED mpc_err mpc_point_parse(const mpc_group *g, mpc_point *r,
                                        const uint8_t *in, size_t len);

/**
 * As mpc_point_parse, but also accepts the identity's encoding (for refresh
 * commitments whose constant term must be the identity).
 */
MPC_WARN_UNUSED mpc_err mpc_point_parse_allow_identity(const mpc_group *g,
                                                       mpc_point *r,
                                                       const uint8_t *in,
                                                       size_t len);

#endif /* MPC_GROUP_H */
