/*
 * mpc/cggmp_codec.h — storage encodings of a CGGMP21 key share and of a
 * committee's aux info (mpc/cggmp.h), for the node's keystore, and of a
 * presignature, for the node's one-time presignature pool.
 *
 * SECRET. Every record carries secret key material: a key share holds the
 * Shamir share x, an aux info the primes p, q of the party's own Paillier
 * key (with them anyone decrypts every MtA ciphertext sent to it), a
 * presignature k and chi (used twice, they give the key away to anyone who
 * sees the two signatures). They
 * exist only to be stored SEALED (AEAD under the keystore key): never in
 * the clear, never in a log, never on the wire. Wipe every plaintext copy
 * (mpc_wipe) as soon as it is sealed or decoded. Nothing here is a message
 * format: no record is ever sent to a peer.
 *
 * Format. A fixed layout with no optional fields, so a value has exactly
 * one encoding. Integers are big-endian. Byte 0 is a tag naming the
 * record, byte 1 the format version (MPC_CGGMP_CODEC_VERSION); a decoder
 * refuses every other version, and a later version gets its own decoder
 * branch so that stored records stay readable. Public fields come first,
 * the secret field last.
 *
 * Key share (secp256k1 only), MPC_CGGMP_KEY_SHARE_BYTES(n) = 134 + 65 n:
 *
 *   offset      bytes  field
 *   0           1      tag 'K' (MPC_CGGMP_KEY_SHARE_TAG)
 *   1           1      version (1)
 *   2           1      n: committee size, 2..MPC_CGGMP_MAX_PARTIES
 *   3           1      t: signers needed, 2..n
 *   4           1      self: this party's position, < n
 *   5           33     Y, the joint public key (SEC1 compressed)
 *   38          32     rid
 *   70          32     chain code
 *   102         32 n   ids[0..n): x-coordinates (scalars, big-endian)
 *   102 + 32 n  33 n   vshares[0..n): X_j = x_j G (SEC1 compressed)
 *   102 + 65 n  32     x, the secret share (scalar, big-endian)  SECRET
 *
 * Aux info, MPC_CGGMP_AUX_INFO_BYTES(n, nb) = 5 + (3 n + 1) nb, where
 * nb = params->n_bytes (256 for MPC_PARAMS_COMPAT, 384 for MPC_PARAMS_128):
 *
 *   offset      bytes  field
 *   0           1      tag 'A' (MPC_CGGMP_AUX_INFO_TAG)
 *   1           1      version (1)
 *   2           1      parameter set (mpc_params_id)
 *   3           1      n: committee size, 2..MPC_CGGMP_MAX_PARTIES
 *   4           1      self: this party's position, < n
 *   5 + 3 nb j  3 nb   party j, for j = 0..n-1: N_j || s_j || t_j, each nb
 *                      bytes (mpc_rped_serialize; the Paillier modulus of
 *                      party j is the ring-Pedersen modulus N_j)
 *   5 + 3 nb n  nb     p || q of the own key, nb / 2 bytes each
 *                      (mpc_paillier_sk_export_primes)  SECRET
 *
 * Decoding is strict. The records come from sealed storage, but a decoder
 * treats them as hostile all the same: a header is checked before anything
 * is allocated, the length must then be exact, memory is bounded by
 * MPC_CGGMP_MAX_PARTIES and the work is linear in the length. Accepted:
 * - key share: canonical scalars (x and every id below the group order);
 *   ids non-zero and distinct; Y and every X_j valid points, not the
 *   identity (mpc_point_parse); X_self == x G.
 * - aux info: a known parameter set; every N_j, s_j, t_j through
 *   mpc_paillier_pk_parse and mpc_rped_parse (N_j of exactly nb bytes, odd,
 *   at least params->n_min_bits bits; s_j, t_j units != 1); the own key
 *   through mpc_paillier_sk_import_primes (sizes, p != q, p ≡ q ≡ 3 (mod 4),
 *   N of exactly params->n_bits bits), with p q == N_self.
 * Not re-checked: the aux-info ZK proofs (Πmod, Πfac, Πprm) were verified
 * when the aux-info session ran and are not stored; the primality of p
 * and q (tens of milliseconds per prime); that the X_j lie on one
 * polynomial of degree t - 1 through Y (keygen proved it). Integrity of
 * the whole record is the seal's job.
 *
 * Encoding runs the same checks on the struct (MPC_ERR_INVALID_ARG when
 * one fails), so a record written from a struct this library made decodes
 * to an equal struct.
 *
 * Rules for the whole header: pointer arguments must not be NULL unless
 * stated; no function keeps a pointer to its inputs. On failure an output
 * buffer is zeroed (all `cap` bytes), *len is 0, and a decoded struct is
 * left init'ed (empty).
 *
 * Presignature (secp256k1), MPC_CGGMP_PRESIG_BYTES(c) = 200 + 67 c, where c
 * is the number of signers that presigned:
 *
 *   offset      bytes  field
 *   0           1      tag 'P' (MPC_CGGMP_PRESIG_TAG)
 *   1           1      version (1)
 *   2           1      c: signers, 2..MPC_CGGMP_MAX_PARTIES
 *   3           4      key version
 *   7           32     key id
 *   39          32     presig id (the presign session id)
 *   71          32     tweak, the HD delta fixed at presign time (scalar,
 *                      big-endian; zero: none)
 *   103         33     R (SEC1 compressed)
 *   136         c      positions[0..c): committee positions of the signers
 *   136 + c     33 c   k_r[0..c): k_j R
 *   136 + 34 c  33 c   chi_r[0..c): chi_j R
 *   136 + 67 c  32     k, this party's nonce share (scalar)       SECRET
 *   168 + 67 c  32     chi, this party's chi share (scalar)       SECRET
 *
 * The binding's signer bitset is not stored: it is the set of positions.
 * A presignature is SINGLE-USE (crypto.md §2.7 rule 3), and a record of
 * one is a copy of it. These functions exist only for the node's one-time
 * presignature pool, where the record is the ONE copy (the in-memory
 * struct is cleared once the record is stored) and is deleted from the
 * pool in the same durable transaction that hands it out, before the
 * share is made: that delete-before-use rule, not this codec, keeps a
 * presignature single-use. Never keep a record anywhere else (no backup,
 * no log, no second pool).
 *
 * Accepted presignature records: canonical scalars; R and every k_j R,
 * chi_j R valid points, not the identity; positions strictly ascending and
 * below MPC_CGGMP_MAX_PARTIES; and for some signer j both k R == k_j R and
 * chi R == chi_j R (the secrets belong to the public record, so that the
 * combiner would not blame an honest signer for a damaged record).
 * Not re-checked: that R and the k_j R, chi_j R came out of one presign
 * session (the presign checks proved it then).
 *
 * Threads: no state; concurrent calls are safe when their outputs differ.
 */
#ifndef MPC_CGGMP_CODEC_H
#define MPC_CGGMP_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "mpc/cggmp.h"
#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/group.h"
#include "mpc/params.h"

/** The format version both encoders write and both decoders accept. */
#define MPC_CGGMP_CODEC_VERSION 1
/** Byte 0 of a key-share record ('K'). */
#define MPC_CGGMP_KEY_SHARE_TAG 0x4b
/** Byte 0 of an aux-info record ('A'). */
#define MPC_CGGMP_AUX_INFO_TAG 0x41

/** Bytes of a key-share record for a committee of n. */
#define MPC_CGGMP_KEY_SHARE_BYTES(n) (134u + 65u * (size_t)(n))
/** Bytes of an aux-info record for n parties and moduli of nb bytes. */
#define MPC_CGGMP_AUX_INFO_BYTES(n, nb)                                        \
    (5u + (3u * (size_t)(n) + 1u) * (size_t)(nb))
/** The largest records (for buffers sized at compile time). */
#define MPC_CGGMP_KEY_SHARE_MAX_BYTES                                          \
    MPC_CGGMP_KEY_SHARE_BYTES(MPC_CGGMP_MAX_PARTIES)
#define MPC_CGGMP_AUX_INFO_MAX_BYTES                                           \
    MPC_CGGMP_AUX_INFO_BYTES(MPC_CGGMP_MAX_PARTIES, MPC_PARAMS_MAX_N_BYTES)

_Static_assert(MPC_CGGMP_MAX_PARTIES <= 255, "n must fit its byte");

/* ---- key share --------------------------------------------------------- */

/**
 * The bytes mpc_cggmp_key_share_encode writes for ks:
 * MPC_CGGMP_KEY_SHARE_BYTES(ks->n), or 0 for an unusable ks (NULL; n, t or
 * self out of range; no arrays). Encode may still refuse a ks with a
 * non-zero size (duplicate ids, x G != X_self).
 */
size_t mpc_cggmp_key_share_encoded_bytes(const mpc_cggmp_key_share *ks);

/**
 * Writes the storage record of a key share (layout at the top).
 *
 * Returns: MPC_OK;
 *   MPC_ERR_INVALID_ARG: a NULL, g not secp256k1, ks unusable (see
 *     mpc_cggmp_key_share_encoded_bytes) or failing a decode check (an id
 *     zero or repeated, Y or an X_j the identity, x G != X_self), or
 *     cap < mpc_cggmp_key_share_encoded_bytes(ks).
 *   On failure out[0..cap) is zeroed and *len is 0.
 * Out: out: the record, cap bytes available; SECRET: seal it, then wipe.
 *      len: the bytes written.
 * In:  g: the secp256k1 group; ks: the share.
 * Security: constant time in x (it is copied, and x G computed, in
 * constant time); the result of the x G check is public.
 */
MPC_WARN_UNUSED mpc_err
mpc_cggmp_key_share_encode(const mpc_group *g, uint8_t *out, size_t cap,
                           size_t *len, const mpc_cggmp_key_share *ks);

/**
 * Reads a key-share record (strictly: see the top of this header).
 *
 * Returns: MPC_OK;
 *   MPC_ERR_INVALID_ARG: ctx, ks or in is NULL (a NULL ctx or ks leaves
 *     ks untouched);
 *   MPC_ERR_PARSE: the bytes are not a valid record of this version;
 *   MPC_ERR_NOMEM.
 *   On failure ks is init'ed (n = 0, no arrays, x wiped).
 * In/Out: ks: init'ed, or holding a share allocated with ctx (it is
 *         cleared first). On success its arrays are allocated with ctx:
 *         release them with mpc_cggmp_key_share_clear(ctx, ks).
 * In:  ctx: allocator and secp256k1 group; in, len: the record.
 * Security: constant time in x; whether x G == X_self is public.
 */
MPC_WARN_UNUSED mpc_err mpc_cggmp_key_share_decode(const mpc_ctx *ctx,
                                                   mpc_cggmp_key_share *ks,
                                                   const uint8_t *in,
                                                   size_t len);

/* ---- aux info ---------------------------------------------------------- */

/**
 * The bytes mpc_cggmp_aux_info_encode writes for aux:
 * MPC_CGGMP_AUX_INFO_BYTES(aux->n, params->n_bytes), or 0 for an unusable
 * aux (NULL; unknown parameter set; n or self out of range; no arrays).
 */
size_t mpc_cggmp_aux_info_encoded_bytes(const mpc_cggmp_aux_info *aux);

/**
 * Writes the storage record of an aux info (layout at the top).
 *
 * Returns: MPC_OK;
 *   MPC_ERR_INVALID_ARG: a NULL, aux unusable (see
 *     mpc_cggmp_aux_info_encoded_bytes), a key or ring-Pedersen entry
 *     empty or made for another parameter set, rped[j] over another
 *     modulus than pks[j], the own secret key not the key of pks[self],
 *     or cap < mpc_cggmp_aux_info_encoded_bytes(aux).
 *   On failure out[0..cap) is zeroed and *len is 0.
 * Out: out: the record, cap bytes available; SECRET: seal it, then wipe.
 *      len: the bytes written.
 * In:  aux: the aux info.
 * Security: constant time in p and q (mpc_paillier_sk_export_primes).
 */
MPC_WARN_UNUSED mpc_err mpc_cggmp_aux_info_encode(
    uint8_t *out, size_t cap, size_t *len, const mpc_cggmp_aux_info *aux);

/**
 * Reads an aux-info record (strictly: see the top of this header). The
 * ring-Pedersen entries are built by mpc_rped_parse, so they carry
 * whatever that function precomputes.
 *
 * Returns: MPC_OK;
 *   MPC_ERR_INVALID_ARG: ctx, aux or in is NULL (a NULL ctx or aux leaves
 *     aux untouched);
 *   MPC_ERR_PARSE: the bytes are not a valid record of this version;
 *   MPC_ERR_NOMEM.
 *   On failure aux is init'ed (empty; the secret key wiped).
 * In/Out: aux: init'ed (mpc_cggmp_aux_info_init), or holding an aux info
 *         allocated with ctx (it is cleared first). On success release it
 *         with mpc_cggmp_aux_info_clear(ctx, aux).
 * In:  ctx: allocator; in, len: the record.
 * Security: constant time in p and q (mpc_paillier_sk_import_primes).
 */
MPC_WARN_UNUSED mpc_err mpc_cggmp_aux_info_decode(const mpc_ctx *ctx,
                                                  mpc_cggmp_aux_info *aux,
                                                  const uint8_t *in,
                                                  size_t len);

/* ---- presignature ------------------------------------------------------ */

/** Byte 0 of a presignature record ('P'). */
#define MPC_CGGMP_PRESIG_TAG 0x50
/** Bytes of a presignature record of c signers. */
#define MPC_CGGMP_PRESIG_BYTES(c) (200u + 67u * (size_t)(c))
/** The largest presignature record. */
#define MPC_CGGMP_PRESIG_MAX_BYTES MPC_CGGMP_PRESIG_BYTES(MPC_CGGMP_MAX_PARTIES)

/**
 * The bytes mpc_cggmp_presig_encode writes for p:
 * MPC_CGGMP_PRESIG_BYTES(p->count), or 0 for an unusable p (NULL, count
 * outside 2..MPC_CGGMP_MAX_PARTIES). Encode may still refuse a p with a
 * non-zero size (consumed, inconsistent).
 */
size_t mpc_cggmp_presig_encoded_bytes(const mpc_cggmp_presig *p);

/**
 * Writes the storage record of a fresh presignature (layout at the top),
 * for the node's one-time pool only. p is left as it is: the caller clears
 * it (mpc_cggmp_presig_clear) once the record is stored, so that the
 * record is the only copy.
 *
 * Returns: MPC_OK;
 *   MPC_ERR_STATE: p is consumed or was never made (nothing written);
 *   MPC_ERR_INVALID_ARG: a NULL, g not secp256k1, p unusable (see
 *     mpc_cggmp_presig_encoded_bytes) or failing a decode check (R or a
 *     point the identity, positions not strictly ascending or not below
 *     MPC_CGGMP_MAX_PARTIES, the signer bitset not the set of positions,
 *     k and chi not those of a signer of the record), or
 *     cap < mpc_cggmp_presig_encoded_bytes(p).
 *   On failure out[0..cap) is zeroed and *len is 0.
 * Out: out: the record, cap bytes available; SECRET: seal it, then wipe.
 *      len: the bytes written.
 * In:  g: the secp256k1 group; p: the presignature.
 * Security: constant time in k and chi (copied, and k R, chi R computed,
 * in constant time); the result of the check against the record is
 * public.
 */
MPC_WARN_UNUSED mpc_err mpc_cggmp_presig_encode(const mpc_group *g,
                                                uint8_t *out, size_t cap,
                                                size_t *len,
                                                const mpc_cggmp_presig *p);

/**
 * Reads a presignature record (strictly: see the top of this header) into
 * a FRESH presignature, ready for one mpc_cggmp_sign_share. Call it only
 * on a record just taken out of the one-time pool (deleted there first):
 * decoding the same record twice makes two usable copies of one
 * presignature, and two signatures with one nonce reveal the key.
 *
 * Returns: MPC_OK;
 *   MPC_ERR_INVALID_ARG: a NULL, g not secp256k1 (p cleared when
 *     non-NULL);
 *   MPC_ERR_PARSE: the bytes are not a valid record of this version.
 *   On failure p is cleared (mpc_cggmp_presig_clear: not fresh).
 * Out: p: the presignature (fixed size, nothing allocated); SECRET.
 * In:  g: the secp256k1 group; in, len: the record.
 * Security: constant time in k and chi; whether they match the record is
 * public.
 */
MPC_WARN_UNUSED mpc_err mpc_cggmp_presig_decode(const mpc_group *g,
                                                mpc_cggmp_presig *p,
                                                const uint8_t *in, size_t len);

#endif /* MPC_CGGMP_CODEC_H */
