/*
 * mpc/hd.h — non-hardened hierarchical derivation of threshold keys.
 *
 * A threshold key has no private key in one place, so only public
 * (non-hardened) BIP32-style derivation is possible. Each step is computed
 * from the public key and the chain code alone,
 *
 *   I    = HMAC-SHA512(key = chain code, ser33(P) || ser32_be(index))
 *   IL   = I[0..32) read as a big-endian integer
 *   P'   = P + IL*G,   chain code' = I[32..64)
 *
 * and the private side of a whole path is one public tweak,
 * delta = sum of IL mod the group order, which every signer adds to its
 * share (mpc_hd_share_shift) and to every verifying share
 * (mpc_hd_point_shift). The group picks the scheme:
 *
 * - secp256k1: BIP32 CKDpub exactly; ser33 is the SEC1 compressed point.
 * - Ed25519: mpcium's variant (fystack/tss-lib fork), bit for bit. It
 *   matches neither SLIP-10 nor BIP32-Ed25519:
 *   - ser33(P) = (0x02 | (y & 1)) || 32-byte big-endian affine x of the
 *     Edwards point, not its RFC 8032 encoding;
 *   - IL is reduced mod L (IL >= L happens ~94% of the time, so rejecting
 *     it as BIP32 does is not an option);
 *   - the master chain code is one cluster-wide 32-byte value from config.
 *
 * Invalid children. BIP32 declares the child at an index invalid when
 * IL >= n or the child is the point at infinity, and tells the caller to
 * move on to the next index; upstream tss-lib and mpcium also refuse
 * IL == 0 (mod the order); the fystack fork reduces IL mod n on secp256k1
 * instead of refusing. We refuse all three (MPC_ERR_NOT_FOUND), on both
 * curves. So whenever mpc_hd_derive returns a key, a standard BIP32 wallet
 * (secp256k1), upstream tss-lib and mpcium derive the same key from the
 * same master key, chain code and path. The cases only differ with
 * probability about 2^-127 per step, and nobody can steer a path into
 * them, so this is a compatibility statement rather than a practical
 * concern.
 *
 * Security. Everything here is public: anyone who holds the master public
 * key and the chain code computes the same delta, child key and chain
 * code. The chain code is nevertheless confidential for privacy (it links
 * every derived address to the master key); it protects no key. Two rules
 * follow from the algebra, not from this code:
 * - A path must be fixed before a CGGMP presignature for it is generated,
 *   or the presignature must be re-randomised (related-key attack,
 *   CVE-2025-66017; specs/crypto.md section 0).
 * - A child private key must never be assembled: with the master public
 *   key and the chain code it reveals the master private key.
 *
 * Rules for the whole header:
 * - Pointer arguments must not be NULL unless stated.
 * - Argument order: group, outputs, inputs; a length follows its buffer.
 * - No function keeps a pointer to its inputs after it returns.
 * - Outputs are zeroed on failure (points set to the identity).
 */
#ifndef MPC_HD_H
#define MPC_HD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"
#include "mpc/group.h"

#define MPC_HD_CHAIN_CODE_BYTES 32
/** Longest path: BIP32 serialises the depth in one byte (mpcium: 255). */
#define MPC_HD_MAX_DEPTH 255
/** Indices at or above this are hardened, which a threshold key cannot
 *  derive. */
#define MPC_HD_HARDENED 0x80000000u

/** The result of deriving a path. */
typedef struct mpc_hd_child {
    /** Sum of IL mod the group order, in the group's scalar encoding
     *  (Ed25519: little-endian). Zero for the empty path. */
    mpc_scalar delta;
    /** master + delta*G. Never the identity. */
    mpc_point pub;
    uint8_t chain_code[MPC_HD_CHAIN_CODE_BYTES];
} mpc_hd_child;

/**
 * Whether a path can be derived: at most MPC_HD_MAX_DEPTH indices, none
 * hardened. The empty path (path may then be NULL) is valid: it names the
 * master key. A NULL path with a non-zero length is invalid.
 */
bool mpc_hd_path_is_valid(const uint32_t *path, size_t path_len);

/**
 * Derives the child of a master public key along a non-hardened path.
 *
 * Returns:
 * - MPC_OK.
 * - MPC_ERR_INVALID_ARG: a NULL pointer other than an empty path,
 *   `master` is the identity, or mpc_hd_path_is_valid(path, path_len) is
 *   false (too deep, or a hardened index). Reject such paths at the edge.
 * - MPC_ERR_NOT_FOUND: one step hit an invalid child (see "Invalid
 *   children" above); BIP32 says to use another index. Probability about
 *   2^-127 per step.
 * - MPC_ERR_INTERNAL: an Ed25519 `master` whose bytes encode no curve
 *   point (corrupted memory: a point from lib/ec never does; group.h may
 *   abort on it first).
 * `*out` is zeroed on every error (pub set to the identity if g is not
 * NULL). `out` may alias `master` and `chain_code`, to derive further from
 * a child (its delta is then relative to that child).
 *
 * Out: out        delta, child public key and child chain code.
 * In:  master     the key's group public key (from keygen or mpc_point_parse).
 *      chain_code the master chain code.
 *      path       indices, each < MPC_HD_HARDENED (NULL if path_len is 0).
 *
 * Security: no secret inputs (see the top of this header). Variable time:
 * Ed25519 steps recover the affine x coordinate with GMP.
 */
MPC_WARN_UNUSED mpc_err
mpc_hd_derive(const mpc_group *g, mpc_hd_child *out, const mpc_point *master,
              const uint8_t chain_code[MPC_HD_CHAIN_CODE_BYTES],
              const uint32_t *path, size_t path_len);

/**
 * r = share + delta: the signing share for the derived key.
 *
 * Shamir shares: EVERY party adds delta. Reconstruction is
 * sum(lambda_i * s_i) with Lagrange coefficients that sum to 1 for any
 * signer set, so sum(lambda_i * (s_i + delta)) = secret + delta: adding
 * one constant to every share shifts the shared secret by that constant.
 * (Equivalently: f(x) + delta is the sharing polynomial of secret + delta.)
 *
 * Additive shares (CGGMP threshold presigning, after the Lagrange step):
 * exactly ONE agreed party adds delta, otherwise the secret moves by
 * (number of signers) * delta. FROST signs with Shamir shares.
 *
 * Security: constant time in `share`. The caller wipes `share` when it is no
 * longer needed; r may alias share.
 */
void mpc_hd_share_shift(const mpc_group *g, mpc_scalar *r,
                        const mpc_scalar *share, const mpc_scalar *delta);

/**
 * r = pub + delta*G: a party's verifying share X_j (or the group key) for
 * the derived key, so that X_j' = (s_j + delta)*G matches the shifted share.
 * Apply it to every verifying share, whichever kind of share is used.
 * r may alias pub.
 */
void mpc_hd_point_shift(const mpc_group *g, mpc_point *r, const mpc_point *pub,
                        const mpc_scalar *delta);

/**
 * Parses a path written as text, e.g. "m/44/60/0/0/0".
 *
 * Grammar (strict, one spelling per path): "m" followed by zero or more
 * "/" index, where index is "0" or a decimal number without leading zeros,
 * below 2^31. No hardened markers (' h H), no whitespace, no sign, no empty
 * component, no trailing "/", at most MPC_HD_MAX_DEPTH indices. "m" alone
 * is the empty path. `str` need not be NUL-terminated; a NUL byte inside
 * `str_len` is rejected.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE if `str` does not match the grammar;
 * MPC_ERR_INVALID_ARG if a pointer is NULL. On error *path_len is 0 (when
 * path_len is not NULL) and path is zeroed (when not NULL).
 *
 * Out: path      MPC_HD_MAX_DEPTH slots; the first *path_len are written.
 *      path_len  number of indices.
 * In:  str, str_len  the text, from an untrusted client.
 */
MPC_WARN_UNUSED mpc_err mpc_hd_path_parse(uint32_t path[MPC_HD_MAX_DEPTH],
                                          size_t *path_len, const char *str,
                                          size_t str_len);

#endif /* MPC_HD_H */
