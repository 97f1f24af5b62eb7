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
 * - A group handle is only valid with scalars and points of that group.
 * - Functions are constant time in every scalar argument unless their name
 *   ends in `_var` (only public data may be passed to those). One exception,
 *   everywhere: whether a scalar is zero. libsecp256k1 and libsodium refuse
 *   a zero scalar, so mpc_point_mul and mpc_point_mul_base branch on it to
 *   return the identity. A uniformly random secret is zero with probability
 *   below 2^-252, and the branch reveals nothing else about it.
 * - Points are public values: point functions may take variable time in
 *   their point arguments and results (libsecp256k1 and libsodium do).
 * - Every mpc_point must come from this API (parse, generator, identity or
 *   an operation). An uninitialized or zero-filled mpc_point is not a point;
 *   passing one aborts the process or yields garbage.
 * - Parsing is strict: a value is accepted only in its one canonical
 *   encoding. Outputs are zeroed on failure.
 * - A broken invariant (a precondition stated here violated, or a point
 *   whose bytes were corrupted) aborts the process, as libsecp256k1's
 *   default illegal-argument callback does, rather than return garbage.
 *
 * Encodings:
 * - Scalar: 32 bytes, secp256k1 big-endian (as libsecp256k1 seckeys and
 *   BIP32), Ed25519 little-endian (as RFC 8032 and RFC 9591). mpc_scalar
 *   holds exactly this encoding, always fully reduced.
 * - Point: secp256k1 33-byte SEC1 compressed, Ed25519 32-byte RFC 8032.
 *   secp256k1 has no compressed form for infinity; mpc_point_serialize
 *   writes 33 zero bytes for it, which only mpc_point_parse_allow_identity
 *   accepts. The Ed25519 identity is 01 00..00.
 *
 * Threads: the functions keep no state; concurrent calls are safe when
 * their outputs do not overlap (the group belongs to a const mpc_ctx).
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

_Static_assert(MPC_POINT_MAX_BYTES >= MPC_SECP256K1_POINT_BYTES &&
                   MPC_POINT_MAX_BYTES >= MPC_ED25519_POINT_BYTES,
               "MPC_POINT_MAX_BYTES must hold every point encoding");

/** A group, owned by its mpc_ctx; valid as long as the context is. */
typedef struct mpc_group mpc_group;

/**
 * A scalar mod the group order, always fully reduced, in its encoding.
 * Secret scalars are wiped with mpc_scalar_clear after their last use.
 */
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

/** The group's curve. */
mpc_curve mpc_group_curve(const mpc_group *g);

/** Bytes of a serialized point: 33 (secp256k1) or 32 (Ed25519). */
size_t mpc_group_point_bytes(const mpc_group *g);

/**
 * The group order, big-endian (for both curves, unlike scalar encodings):
 * n of secp256k1, L = 2^252 + 27742317777372353535851937790883648493 of
 * Ed25519.
 */
void mpc_group_order_be(const mpc_group *g, uint8_t out[MPC_SCALAR_BYTES]);

/* ---- scalars ------------------------------------------------------------ */

/** r = 0 (the same bytes for both curves, hence no group). */
void mpc_scalar_set_zero(mpc_scalar *r);

/** r = v (v < 2^64 is always below both orders). */
void mpc_scalar_set_u64(const mpc_group *g, mpc_scalar *r, uint64_t v);

/**
 * Parses a canonical 32-byte scalar (value < order; zero allowed).
 *
 * Returns: MPC_OK; MPC_ERR_PARSE if the value is >= the order (r zeroed).
 * Args: in: the curve's scalar encoding (see the top of this header).
 * Security: constant time in `in`, except for the result.
 */
MPC_WARN_UNUSED mpc_err mpc_scalar_parse(const mpc_group *g, mpc_scalar *r,
                                         const uint8_t in[MPC_SCALAR_BYTES]);

/** Writes the 32-byte encoding of `a`. */
void mpc_scalar_serialize(const mpc_group *g, uint8_t out[MPC_SCALAR_BYTES],
                          const mpc_scalar *a);

/**
 * r = (big-endian integer in[0..len)) mod order.
 *
 * Args: len <= 64 (a larger len aborts: it is a caller bug). 64 uniform
 * bytes give a scalar within 2^-250 of uniform; hash outputs are reduced
 * this way.
 */
void mpc_scalar_reduce_be(const mpc_group *g, mpc_scalar *r, const uint8_t *in,
                          size_t len);

/** r = (little-endian integer in[0..len)) mod order; as mpc_scalar_reduce_be.
 */
void mpc_scalar_reduce_le(const mpc_group *g, mpc_scalar *r, const uint8_t *in,
                          size_t len);

/** r = a + b mod order. */
void mpc_scalar_add(const mpc_group *g, mpc_scalar *r, const mpc_scalar *a,
                    const mpc_scalar *b);

/** r = a - b mod order. */
void mpc_scalar_sub(const mpc_group *g, mpc_scalar *r, const mpc_scalar *a,
                    const mpc_scalar *b);

/** r = a * b mod order. */
void mpc_scalar_mul(const mpc_group *g, mpc_scalar *r, const mpc_scalar *a,
                    const mpc_scalar *b);

/** r = -a mod order (zero stays zero). */
void mpc_scalar_neg(const mpc_group *g, mpc_scalar *r, const mpc_scalar *a);

/**
 * r = a^-1 mod order, constant time (Fermat: a^(order-2)).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if a is zero (r zeroed).
 * Security: constant time in `a` apart from the zero test.
 */
MPC_WARN_UNUSED mpc_err mpc_scalar_inv(const mpc_group *g, mpc_scalar *r,
                                       const mpc_scalar *a);

/**
 * As mpc_scalar_inv, variable time: public values only (Lagrange
 * denominators, derivation tweaks).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if a is zero (r zeroed).
 */
MPC_WARN_UNUSED mpc_err mpc_scalar_inv_var(const mpc_group *g, mpc_scalar *r,
                                           const mpc_scalar *a);

/** True when a is zero; constant time. */
bool mpc_scalar_is_zero(const mpc_scalar *a);

/** Constant-time equality. */
bool mpc_scalar_eq(const mpc_scalar *a, const mpc_scalar *b);

/**
 * r = uniformly random non-zero scalar from the context rng: 64 random
 * bytes reduced mod the order (bias below 2^-250), drawn again if zero.
 */
void mpc_scalar_random(const mpc_group *g, mpc_scalar *r);

/** Wipes a scalar with mpc_wipe (test builds also poison it for valgrind). */
void mpc_scalar_clear(mpc_scalar *r);

/* ---- points ------------------------------------------------------------- */

/** r = the identity (the point at infinity of secp256k1). */
void mpc_point_set_identity(const mpc_group *g, mpc_point *r);

/** True when p is the identity. */
bool mpc_point_is_identity(const mpc_group *g, const mpc_point *p);

/** r = the generator (SEC 2 G; RFC 8032 B). */
void mpc_point_generator(const mpc_group *g, mpc_point *r);

/**
 * r = k*G.
 * Security: constant time in k (libsecp256k1's blinded ecmult_gen;
 * libsodium's fixed-window base multiplication), apart from k == 0.
 */
void mpc_point_mul_base(const mpc_group *g, mpc_point *r, const mpc_scalar *k);

/**
 * r = k*P.
 * Security: constant time in k, apart from k == 0 (secp256k1 through
 * secp256k1_ecdh's constant-time ladder: libsecp256k1's
 * ec_pubkey_tweak_mul is variable time in the scalar and is not used).
 */
void mpc_point_mul(const mpc_group *g, mpc_point *r, const mpc_scalar *k,
                   const mpc_point *p);

/** r = a + b. */
void mpc_point_add(const mpc_group *g, mpc_point *r, const mpc_point *a,
                   const mpc_point *b);

/** r = a - b. */
void mpc_point_sub(const mpc_group *g, mpc_point *r, const mpc_point *a,
                   const mpc_point *b);

/** r = -a. */
void mpc_point_neg(const mpc_group *g, mpc_point *r, const mpc_point *a);

/** True when a and b are the same group element. */
bool mpc_point_eq(const mpc_group *g, const mpc_point *a, const mpc_point *b);

/**
 * Writes mpc_group_point_bytes(g) bytes to `out`: the canonical encoding,
 * or 33 zero bytes for the secp256k1 identity.
 */
void mpc_point_serialize(const mpc_group *g, uint8_t *out, const mpc_point *p);

/**
 * Parses a point received from a peer: exactly mpc_group_point_bytes(g)
 * bytes, canonical, on the curve, in the prime-order subgroup, not the
 * identity.
 * - secp256k1: prefix 02 or 03, x < p, x on the curve.
 * - Ed25519: y < p, no "negative zero" (x = 0 with the sign bit set), not of
 *   small order, no torsion component (libsodium's is_valid_point), and the
 *   bytes equal the point's re-encoding.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE otherwise (r set to the identity).
 */
MPC_WARN_UNUSED mpc_err mpc_point_parse(const mpc_group *g, mpc_point *r,
                                        const uint8_t *in, size_t len);

/**
 * As mpc_point_parse, but also accepts the identity's one encoding (33
 * zero bytes; Ed25519 01 00..00), for refresh commitments whose constant
 * term must be the identity.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE otherwise (r set to the identity).
 */
MPC_WARN_UNUSED mpc_err mpc_point_parse_allow_identity(const mpc_group *g,
                                                       mpc_point *r,
                                                       const uint8_t *in,
                                                       size_t len);

#endif /* MPC_GROUP_H */
