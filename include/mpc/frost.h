/*
 * mpc/frost.h — FROST(Ed25519, SHA-512), RFC 9591: the pure math layer.
 *
 * Threshold Schnorr signing whose output is a standard RFC 8032 Ed25519
 * signature, plus the FROST distributed key generation of the FROST paper
 * (Komlo–Goldberg, eprint 2020/852, Fig. 1). There are no sessions here and
 * no messages in flight: the round tables in lib/eddsa call these functions
 * from their round functions. Every function works on the Ed25519 group of
 * group.h (mpc_ctx_group(ctx, MPC_CURVE_ED25519)); passing another group is
 * MPC_ERR_INVALID_ARG.
 *
 * Signing (RFC 9591 §5), for signers S (|S| >= t) holding shares s_i of the
 * key PK:
 *   round one  each signer: mpc_frost_commit -> nonce (kept secret, used
 *              once) and commitment (id, D = d*B, E = e*B), broadcast.
 *              Commitments do not depend on the message, so nonces can be
 *              made ahead of time.
 *   round two  every signer gets the same commitment list (sorted by id)
 *              and the message: mpc_frost_sign -> z_i, sent to the
 *              aggregator(s). A party that signs and aggregates makes
 *              the signing package of the request once instead
 *              (mpc_frost_signing_package_init) and signs and aggregates
 *              from it.
 *   aggregate  mpc_frost_aggregate checks every z_i against the signer's
 *              verifying share PK_i (identifiable abort: it names the
 *              culprits) and outputs R || z.
 *
 * Ciphersuite (RFC 9591 §6.1), contextString "FROST-ED25519-SHA512-v1":
 *   H1(m) = SHA-512(contextString || "rho" || m) mod L    binding factors
 *   H2(m) = SHA-512(m) mod L                               challenge (RFC 8032)
 *   H3(m) = SHA-512(contextString || "nonce" || m) mod L  nonces
 *   H4(m) = SHA-512(contextString || "msg" || m)           message digest
 *   H5(m) = SHA-512(contextString || "com" || m)           commitment list
 *   HDKG(m) = SHA-512(contextString || "dkg" || m) mod L  DKG proofs (ZF)
 * Scalars are 32-byte little-endian (mpc_scalar_serialize), elements are
 * RFC 8032 encodings; 64-byte digests are read little-endian mod L.
 *
 * HD derivation. The functions that use the group key take an optional
 * public tweak delta (see hd.h). With a tweak, the key in every formula is
 * the child key PK + delta*B (it goes into the binding factors and the
 * challenge, so shares and signatures are for the child key), signer i uses
 * the share s_i + delta and its verifying share is PK_i + delta*B. This is
 * sound because the Lagrange coefficients of any signer set sum to one, so
 * the shifted shares interpolate to sk + delta. Signers, verifiers and the
 * aggregator must use the same tweak.
 *
 * Identifiers are non-zero scalars, e.g. mpc_scalar_set_u64(g, &id, i + 1);
 * the commitment list is sorted by the identifiers' integer values.
 *
 * Rules for the whole header:
 * - Pointer arguments must not be NULL unless stated; a message pointer may
 *   be NULL when its length is 0.
 * - Argument order: group, outputs, in/out, inputs; a length follows its
 *   buffer; an array's element count follows the array.
 * - No function keeps a pointer to its inputs after it returns.
 * - Outputs are zeroed on every error (scalars to zero, points to the
 *   identity); culprit lists are the one exception, being the error's
 *   detail.
 * - Constant time in the secret inputs (shares, nonces, polynomial
 *   coefficients); identifiers, commitments, messages and tweaks are public.
 * - Errors: MPC_ERR_INVALID_ARG is a caller mistake (NULL, wrong group,
 *   zero identifier, bad threshold, too many parties); MPC_ERR_PARSE,
 *   MPC_ERR_VERIFY and MPC_ERR_PROTOCOL come from bad peer data; nothing
 *   here aborts.
 */
#ifndef MPC_FROST_H
#define MPC_FROST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"
#include "mpc/group.h"

#define MPC_FROST_SCALAR_BYTES 32
#define MPC_FROST_POINT_BYTES 32
/** R || z, a standard RFC 8032 Ed25519 signature. */
#define MPC_FROST_SIGNATURE_BYTES 64
/** id || D || E: one entry of RFC 9591's encode_group_commitment_list. */
#define MPC_FROST_COMMITMENT_BYTES 96
/** R || mu: a DKG proof of knowledge. */
#define MPC_FROST_POK_BYTES 64
/** The random input of nonce_generate (RFC 9591 §4.1), per nonce. */
#define MPC_FROST_NONCE_RANDOM_BYTES 32
/** A SHA-512 digest: H4(msg) and H5(list) in a signing package. */
#define MPC_FROST_DIGEST_BYTES 64
/** The most parties in a key, and so in a signer set. */
#define MPC_FROST_MAX_PARTIES 256
#define MPC_FROST_COMMITMENT_LIST_MAX_BYTES                                    \
    (MPC_FROST_MAX_PARTIES * MPC_FROST_COMMITMENT_BYTES)
/** Bytes of a DKG round-one package with t commitments. */
#define MPC_FROST_DKG_ROUND1_BYTES(t)                                          \
    ((size_t)(t)*MPC_FROST_POINT_BYTES + MPC_FROST_POK_BYTES)
#define MPC_FROST_DKG_ROUND1_MAX_BYTES                                         \
    MPC_FROST_DKG_ROUND1_BYTES(MPC_FROST_MAX_PARTIES)

_Static_assert(MPC_FROST_SCALAR_BYTES == MPC_SCALAR_BYTES, "scalar size");
_Static_assert(MPC_FROST_POINT_BYTES == MPC_ED25519_POINT_BYTES, "point size");
_Static_assert(MPC_FROST_SIGNATURE_BYTES ==
                   MPC_FROST_POINT_BYTES + MPC_FROST_SCALAR_BYTES,
               "signature = R || z");
_Static_assert(MPC_FROST_COMMITMENT_BYTES ==
                   MPC_FROST_SCALAR_BYTES + 2 * MPC_FROST_POINT_BYTES,
               "commitment = id || D || E");
_Static_assert(MPC_FROST_POK_BYTES ==
                   MPC_FROST_POINT_BYTES + MPC_FROST_SCALAR_BYTES,
               "pok = R || mu");

/**
 * One party's signing key. `share` is secret: wipe it with
 * mpc_frost_key_package_clear. The other parties' verifying shares PK_j
 * are public and are passed where needed (mpc_frost_aggregate).
 */
typedef struct mpc_frost_key_package {
    mpc_scalar id;      /* this party's identifier, non-zero */
    mpc_scalar share;   /* s_i, secret */
    mpc_point group_pk; /* PK */
    size_t threshold;   /* t: signatures need at least t signers */
} mpc_frost_key_package;

/** A signer's round-one commitment: (id, D = d*B, E = e*B). Public. */
typedef struct mpc_frost_commitment {
    mpc_scalar id;
    mpc_point hiding;  /* D */
    mpc_point binding; /* E */
} mpc_frost_commitment;

/**
 * A signer's round-one nonce pair (d, e) and the commitment it was
 * published as. Secret and single-use: mpc_frost_sign consumes it (wipes it
 * and marks it used) and refuses a used one. It MUST NOT be copied — a
 * copy would allow signing twice with one nonce, which reveals the share —
 * and it has no serializer.
 */
typedef struct mpc_frost_nonce {
    mpc_scalar hiding;  /* d */
    mpc_scalar binding; /* e */
    mpc_frost_commitment commitment;
    uint32_t magic; /* private: set while the nonce is unused */
} mpc_frost_nonce;

/** A DKG proof of knowledge of a_{i,0}: a Schnorr signature (R, mu). */
typedef struct mpc_frost_pok {
    mpc_point r;
    mpc_scalar mu;
} mpc_frost_pok;

/** Wipes a key package. */
void mpc_frost_key_package_clear(mpc_frost_key_package *key);

/** Wipes an unused nonce, e.g. one from a pool that is being discarded. */
void mpc_frost_nonce_clear(mpc_frost_nonce *nonce);

/**
 * Whether a nonce may still sign: made by mpc_frost_commit and neither
 * consumed by a sign call nor cleared. A zero-filled object is not fresh.
 * Returns: true if fresh; false otherwise, and for NULL.
 * Security: reads only the nonce's use marker, never its scalars.
 */
bool mpc_frost_nonce_is_fresh(const mpc_frost_nonce *nonce);

/* ---- signing: round one (RFC 9591 §5.1) ---------------------------------- */

/**
 * Makes a fresh nonce pair and its commitment:
 *   d = H3(random32 || s_i), e = H3(random32' || s_i)   (nonce_generate)
 * with the random bytes from the context rng; s_i hedges against a weak
 * rng. Does not depend on the message, so nonces can be pooled.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for a NULL, another group or a zero
 *   key->id.
 * Out: nonce (secret, single-use), com (publish it).
 * In:  key, whose id and share are used.
 * Security: constant time in key->share and the nonces.
 */
MPC_WARN_UNUSED mpc_err mpc_frost_commit(const mpc_group *g,
                                         mpc_frost_nonce *nonce,
                                         mpc_frost_commitment *com,
                                         const mpc_frost_key_package *key);

/**
 * As mpc_frost_commit with the two 32-byte random strings given, so the
 * RFC 9591 test vectors can be reproduced. Production code uses
 * mpc_frost_commit: the same random bytes twice means the same nonce twice.
 * Returns: as mpc_frost_commit.
 */
MPC_WARN_UNUSED mpc_err mpc_frost_commit_with_random(
    const mpc_group *g, mpc_frost_nonce *nonce, mpc_frost_commitment *com,
    const mpc_frost_key_package *key,
    const uint8_t hiding_random32[MPC_FROST_NONCE_RANDOM_BYTES],
    const uint8_t binding_random32[MPC_FROST_NONCE_RANDOM_BYTES]);

/* ---- commitment lists (RFC 9591 §4.3) ------------------------------------ */

/**
 * Checks a commitment list: 1 to MPC_FROST_MAX_PARTIES entries, sorted by
 * strictly increasing identifier (so no duplicates), no zero identifier,
 * no identity element; and, when `signers` is given, the identifiers are
 * exactly `signers`. mpc_frost_sign, mpc_frost_verify_share and
 * mpc_frost_aggregate run the same checks without the signer set: a signer
 * that receives the list from a coordinator calls this first with the
 * signer set it agreed to.
 * Returns: MPC_OK; MPC_ERR_PROTOCOL if the list breaks a rule;
 *   MPC_ERR_INVALID_ARG for a NULL, another group, or `signers` that are
 *   not strictly increasing and non-zero.
 * In: list[0..n); signers[0..n_signers) sorted (may be NULL: no set check).
 */
MPC_WARN_UNUSED mpc_err mpc_frost_commitment_list_check(
    const mpc_group *g, const mpc_frost_commitment *list, size_t n,
    const mpc_scalar *signers, size_t n_signers);

/* ---- RFC 9591 §4 helpers, for tests and custom flows --------------------- */

/**
 * The binding factors rho_k = H1(PK || H4(msg) || H5(list) || id_k) for
 * every entry of the list, where PK is the group key (tweaked if `tweak`).
 * Returns: MPC_OK; MPC_ERR_PROTOCOL for a bad list (see
 *   mpc_frost_commitment_list_check); MPC_ERR_INVALID_ARG for a NULL,
 *   another group, or a (tweaked) group key that is the identity.
 * Out: rho[0..n).
 * In:  group_pk; tweak (may be NULL); msg[0..msg_len); list[0..n).
 */
MPC_WARN_UNUSED mpc_err mpc_frost_binding_factors(
    const mpc_group *g, mpc_scalar *rho, const mpc_point *group_pk,
    const mpc_scalar *tweak, const uint8_t *msg, size_t msg_len,
    const mpc_frost_commitment *list, size_t n);

/**
 * The group commitment R = sum_k (D_k + rho_k * E_k).
 * Returns: MPC_OK; MPC_ERR_PROTOCOL for a bad list or if R is the identity
 *   (RFC 9591 cannot serialize it); MPC_ERR_INVALID_ARG for a NULL or
 *   another group.
 * Out: r. In: list[0..n), rho[0..n) from mpc_frost_binding_factors.
 */
MPC_WARN_UNUSED mpc_err mpc_frost_group_commitment(
    const mpc_group *g, mpc_point *r, const mpc_frost_commitment *list,
    const mpc_scalar *rho, size_t n);

/**
 * The challenge c = H2(R || PK || msg), PK tweaked if `tweak`: exactly the
 * RFC 8032 verification challenge.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for a NULL, another group, an
 *   identity R, or a (tweaked) group key that is the identity.
 */
MPC_WARN_UNUSED mpc_err mpc_frost_challenge(const mpc_group *g, mpc_scalar *c,
                                            const mpc_point *r,
                                            const mpc_point *group_pk,
                                            const mpc_scalar *tweak,
                                            const uint8_t *msg, size_t msg_len);

/* ---- signing packages (RFC 9591 §5.2–§5.4, computed once) --------------- */

/*
 * What every signer and the aggregator derive from one signing request —
 * the group key, tweak, message and commitment list — is the same: the
 * binding factors, the group commitment R and the challenge c. R costs a
 * variable-base multiplication per signer, which is most of round two and
 * of aggregation. A signing package holds these values, made once with
 * mpc_frost_signing_package_init; the mpc_frost_signing_package_* functions
 * then sign, check shares and aggregate from it. mpc_frost_sign,
 * mpc_frost_verify_share and mpc_frost_aggregate are the same functions
 * with a package made for the call.
 *
 * The package binds the key, the tweak and the digests of the message and
 * of the list. The functions that take one also take the list (and the
 * aggregator the message) and refuse a list or message the package was not
 * made from (MPC_ERR_INVALID_ARG): a package answers one request only.
 */

/**
 * A signing package: public (no secret in it), copyable, made only by
 * mpc_frost_signing_package_init. The first three fields may be read; the
 * rest is private.
 */
typedef struct mpc_frost_signing_package {
    mpc_point pk; /* PK' = PK + delta*B: the signature verifies under it */
    mpc_point r;  /* the group commitment R */
    mpc_scalar c; /* the challenge c = H2(R || PK' || msg) */
    /* private */
    mpc_point key_pk;                          /* PK, untweaked */
    mpc_scalar delta;                          /* the tweak, zero if none */
    uint8_t msg_hash[MPC_FROST_DIGEST_BYTES];  /* H4(msg) */
    uint8_t list_hash[MPC_FROST_DIGEST_BYTES]; /* H5(encoded list) */
    size_t n;                                  /* list entries */
    uint32_t magic;                            /* set once made */
} mpc_frost_signing_package;

/**
 * Makes the signing package of a request: checks the list (as
 * mpc_frost_commitment_list_check without a signer set) and the key, and
 * computes the binding factors, R and c.
 * Returns: MPC_OK;
 *   MPC_ERR_PROTOCOL if the list is bad or R is the identity;
 *   MPC_ERR_INVALID_ARG for a NULL, another group, or a (tweaked) group
 *     key that is the identity.
 * Out: pkg (on error: zero scalars, identity points, not usable).
 * In:  group_pk (untweaked); tweak (may be NULL); msg[0..msg_len);
 *      list[0..n).
 */
MPC_WARN_UNUSED mpc_err mpc_frost_signing_package_init(
    const mpc_group *g, mpc_frost_signing_package *pkg,
    const mpc_point *group_pk, const mpc_scalar *tweak, const uint8_t *msg,
    size_t msg_len, const mpc_frost_commitment *list, size_t n);

/**
 * mpc_frost_sign from a package: z_i for the package's message, key and
 * tweak. The nonce is consumed by every call that reaches it.
 * Returns: MPC_OK;
 *   MPC_ERR_STATE if the nonce was already used (or never made);
 *   MPC_ERR_INVALID_ARG for a NULL, another group, a bad key package or a
 *     nonce for another identifier (as mpc_frost_sign), a package not
 *     made (or failed), or made for another group key, list or length;
 *   MPC_ERR_PROTOCOL if the list has fewer than key->threshold entries,
 *     lacks this signer, or carries commitments for this signer other
 *     than the nonce's.
 * Out:    z (zero on error).
 * In/Out: nonce (consumed).
 * In:     key (key->group_pk the package's untweaked key); pkg;
 *         list[0..n), the list pkg was made from.
 * Security: as mpc_frost_sign; constant time in the share and nonces.
 */
MPC_WARN_UNUSED mpc_err mpc_frost_signing_package_sign(
    const mpc_group *g, mpc_scalar *z, mpc_frost_nonce *nonce,
    const mpc_frost_key_package *key, const mpc_frost_signing_package *pkg,
    const mpc_frost_commitment *list, size_t n);

/**
 * mpc_frost_verify_share from a package.
 * Returns: MPC_OK; MPC_ERR_VERIFY if the share is wrong (blame signer
 *   `id`); MPC_ERR_PROTOCOL if `id` is not in the list;
 *   MPC_ERR_INVALID_ARG for a NULL, another group, a package not made or
 *   made from another list, or a tweaked vshare that is the identity.
 * In: id, z and vshare (PK_id, untweaked) of the signer; pkg;
 *     list[0..n), the list pkg was made from.
 */
MPC_WARN_UNUSED mpc_err mpc_frost_signing_package_verify_share(
    const mpc_group *g, const mpc_scalar *id, const mpc_scalar *z,
    const mpc_point *vshare, const mpc_frost_signing_package *pkg,
    const mpc_frost_commitment *list, size_t n);

/**
 * mpc_frost_aggregate from a package. The signature is checked as any
 * verifier checks it (RFC 8032, libsodium) before it is returned.
 * Returns: MPC_OK;
 *   MPC_ERR_VERIFY as mpc_frost_aggregate (culprits named when vshares
 *     are given and single shares are wrong);
 *   MPC_ERR_INVALID_ARG for a NULL, another group, a package not made or
 *     made from another list or message.
 * Out: sig (zero on error); culprits[0..n) (may be NULL) and n_culprits
 *   (may be NULL): both zero unless MPC_ERR_VERIFY.
 * In:  z[0..n), z[k] from signer list[k].id; vshares[0..n) (may be NULL:
 *   no per-share check), untweaked; pkg; msg[0..msg_len) and list[0..n),
 *   those pkg was made from.
 */
MPC_WARN_UNUSED mpc_err mpc_frost_signing_package_aggregate(
    const mpc_group *g, uint8_t sig[MPC_FROST_SIGNATURE_BYTES],
    size_t *culprits, size_t *n_culprits, const mpc_scalar *z,
    const mpc_point *vshares, const mpc_frost_signing_package *pkg,
    const uint8_t *msg, size_t msg_len, const mpc_frost_commitment *list,
    size_t n);

/* ---- signing: round two, verification, aggregation (§5.2–§5.4) ----------- */

/*
 * One call, one request: each function below makes the signing package
 * of its arguments and runs the mpc_frost_signing_package_* function. A
 * party that both signs and aggregates makes the package once instead.
 */

/**
 * Computes this signer's share z_i = d + e*rho_i + lambda_i*(s_i+delta)*c.
 * The nonce is consumed by every call that reaches it, successful or not,
 * so a nonce is never used twice; after an error, commit again.
 * Returns: MPC_OK;
 *   MPC_ERR_STATE if the nonce was already used (or never made);
 *   MPC_ERR_INVALID_ARG for a NULL, another group, a zero key->id,
 *     key->threshold outside 2..MPC_FROST_MAX_PARTIES, a nonce made for
 *     another identifier, or a (tweaked) group key that is the identity;
 *   MPC_ERR_PROTOCOL if the list is bad (see
 *     mpc_frost_commitment_list_check), has fewer than key->threshold
 *     entries, lacks this signer, carries commitments for this signer
 *     other than the nonce's, or gives an identity group commitment.
 * Out:    z (zero on error).
 * In/Out: nonce (consumed).
 * In:     key; tweak (may be NULL); msg[0..msg_len); list[0..n).
 * Security: constant time in the share and the nonces. The caller must
 *   make sure the list is the one every signer sees (a coordinator's list:
 *   mpc_frost_commitment_list_check with the agreed signer set).
 */
MPC_WARN_UNUSED mpc_err mpc_frost_sign(const mpc_group *g, mpc_scalar *z,
                                       mpc_frost_nonce *nonce,
                                       const mpc_frost_key_package *key,
                                       const mpc_scalar *tweak,
                                       const uint8_t *msg, size_t msg_len,
                                       const mpc_frost_commitment *list,
                                       size_t n);

/**
 * Checks one signature share (RFC 9591 §5.4):
 *   z*B == D + rho*E + (c*lambda)*(vshare + delta*B).
 * Returns: MPC_OK; MPC_ERR_VERIFY if the share is wrong (blame signer
 *   `id`); MPC_ERR_PROTOCOL for a bad list, `id` not in it, or an identity
 *   group commitment; MPC_ERR_INVALID_ARG for a NULL, another group, or a
 *   (tweaked) key that is the identity.
 * In: id, z and vshare (PK_id) of the signer; group_pk; tweak (may be
 *   NULL); msg[0..msg_len); list[0..n).
 */
MPC_WARN_UNUSED mpc_err mpc_frost_verify_share(
    const mpc_group *g, const mpc_scalar *id, const mpc_scalar *z,
    const mpc_point *vshare, const mpc_point *group_pk, const mpc_scalar *tweak,
    const uint8_t *msg, size_t msg_len, const mpc_frost_commitment *list,
    size_t n);

/**
 * Aggregates the signature shares into R || z (RFC 9591 §5.3). With
 * `vshares`, every share is first checked as in mpc_frost_verify_share and
 * all bad ones are named. The result is always verified against the
 * (tweaked) group key before it is returned, so a returned signature is a
 * valid RFC 8032 signature of msg.
 * Returns: MPC_OK;
 *   MPC_ERR_VERIFY if shares are wrong: culprits[0..*n_culprits) holds the
 *     list indices of the bad signers; *n_culprits == 0 means no single
 *     signer could be blamed (vshares was NULL, fewer than threshold
 *     signers, or vshares inconsistent with group_pk);
 *   MPC_ERR_PROTOCOL for a bad list or an identity group commitment;
 *   MPC_ERR_INVALID_ARG for a NULL, another group, or a (tweaked) group
 *     key that is the identity.
 * Out: sig (zero on error); culprits[0..n) (may be NULL) and n_culprits
 *   (may be NULL): both zero unless MPC_ERR_VERIFY.
 * In:  z[0..n), z[k] from signer list[k].id; vshares[0..n) (may be NULL:
 *   no per-share check), vshares[k] = PK of list[k].id, untweaked;
 *   group_pk; tweak (may be NULL); msg[0..msg_len); list[0..n).
 */
MPC_WARN_UNUSED mpc_err
mpc_frost_aggregate(const mpc_group *g, uint8_t sig[MPC_FROST_SIGNATURE_BYTES],
                    size_t *culprits, size_t *n_culprits, const mpc_scalar *z,
                    const mpc_point *vshares, const mpc_point *group_pk,
                    const mpc_scalar *tweak, const uint8_t *msg, size_t msg_len,
                    const mpc_frost_commitment *list, size_t n);

/* ---- distributed key generation (FROST paper Fig. 1, ZF keys/dkg.rs) ----- */

/*
 * Flow for party i among n parties with identifiers ids[], threshold t:
 *   part 1  mpc_frost_dkg_part1: a random polynomial f_i of degree t-1
 *           (coefficients a_{i,k}), Feldman commitments phi_{i,k} =
 *           a_{i,k}*B and a proof of knowledge of a_{i,0}. Broadcast
 *           (phi_i, pok_i) — over an echo/reliable broadcast.
 *   part 2  for every other party j: mpc_frost_dkg_round1_verify (exactly t
 *           commitments, valid proof; else blame j); then send
 *           f_i(id_j) = mpc_frost_dkg_share to j over a private channel and
 *           wipe the coefficients once all are sent (keep f_i(id_i)).
 *   part 3  mpc_frost_dkg_part3: check each received f_j(id_i) against
 *           phi_j (else blame j), s_i = sum_j f_j(id_i),
 *           PK = sum_j phi_{j,0}, PK_j = sum_k phi_k evaluated at id_j.
 *
 * Proof of knowledge (Schnorr, as ZF frost-core): k random, R = k*B,
 *   c  = HDKG(SerializeScalar(id_i) || SerializeElement(phi_{i,0}) ||
 *             SerializeElement(R) [|| LE64(len(context)) || context]),
 *   mu = k + a_{i,0}*c;  verified as mu*B == R + c*phi_{i,0}.
 * The bracketed part is present only when context is non-empty; an empty
 * context gives exactly ZF's challenge (and its test vectors). Production
 * passes a context that names this DKG instance — the session id and the
 * ordered party set — so that a proof cannot be replayed into another
 * session. The fixed-size fields come first and the context carries its
 * length, so distinct inputs never give the same hash input.
 */

/**
 * DKG part 1 for party `id`: random coefficients, commitments, proof.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for a NULL, another group, a zero
 *   id, t outside 2..MPC_FROST_MAX_PARTIES, or context NULL with
 *   context_len > 0.
 * Out: coef[0..t) (secret: wipe with mpc_scalar_clear after part 2),
 *      commit[0..t), pok.
 * In:  id; t; context[0..context_len).
 */
MPC_WARN_UNUSED mpc_err mpc_frost_dkg_part1(
    const mpc_group *g, mpc_scalar *coef, mpc_point *commit, mpc_frost_pok *pok,
    const mpc_scalar *id, size_t t, const uint8_t *context, size_t context_len);

/**
 * DKG part 2 check of sender `sender`'s round-one package: exactly t
 * commitments (more would raise the threshold past what the others agreed
 * to) and a valid proof of knowledge bound to `context`.
 * Returns: MPC_OK; MPC_ERR_VERIFY if either check fails (blame the
 *   sender); MPC_ERR_INVALID_ARG for a NULL, another group, a zero sender,
 *   t outside 2..MPC_FROST_MAX_PARTIES, or context NULL with
 *   context_len > 0.
 * In: sender; commit[0..n_commit) and pok as received; t; context.
 */
MPC_WARN_UNUSED mpc_err mpc_frost_dkg_round1_verify(
    const mpc_group *g, const mpc_scalar *sender, const mpc_point *commit,
    size_t n_commit, const mpc_frost_pok *pok, size_t t, const uint8_t *context,
    size_t context_len);

/**
 * The secret share f(recipient) of the polynomial coef[0..t) for one
 * recipient.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for a NULL, another group, t == 0
 *   or above MPC_FROST_MAX_PARTIES, or a zero recipient (f(0) is the
 *   dealt secret itself).
 * Security: constant time in coef.
 */
MPC_WARN_UNUSED mpc_err mpc_frost_dkg_share(const mpc_group *g, mpc_scalar *out,
                                            const mpc_scalar *coef, size_t t,
                                            const mpc_scalar *recipient);

/**
 * DKG part 3 for party ids[self]: verifies every received share against
 * its sender's commitments and derives the key.
 * Returns: MPC_OK;
 *   MPC_ERR_VERIFY if some shares are inconsistent with their senders'
 *     commitments: culprits[0..*n_culprits) are the senders' indices;
 *   MPC_ERR_PROTOCOL if the group key is the identity;
 *   MPC_ERR_INVALID_ARG for a NULL, another group, t outside
 *     2..MPC_FROST_MAX_PARTIES, n < t or n > MPC_FROST_MAX_PARTIES,
 *     self >= n, or zero or duplicate ids.
 * Out: key = (ids[self], s_i, PK, t); vshares[0..n), vshares[j] = PK_j;
 *      culprits[0..n) (may be NULL) and n_culprits (may be NULL).
 * In:  ids[0..n); self; t; commit[0..n*t), row j (commit[j*t .. j*t+t))
 *      from party ids[j], already checked with mpc_frost_dkg_round1_verify;
 *      shares[0..n), shares[j] = f_j(ids[self]) (own share included).
 * Security: constant time in the shares.
 */
MPC_WARN_UNUSED mpc_err mpc_frost_dkg_part3(
    const mpc_group *g, mpc_frost_key_package *key, mpc_point *vshares,
    size_t *culprits, size_t *n_culprits, const mpc_scalar *ids, size_t n,
    size_t self, size_t t, const mpc_point *commit, const mpc_scalar *shares);

/* ---- encodings of what travels ------------------------------------------- */

/*
 * All encodings are fixed-layout concatenations of RFC 9591 SerializeScalar
 * (32 bytes, little-endian, < L) and SerializeElement (32 bytes, RFC 8032,
 * canonical, in the prime-order subgroup, not the identity). Parsers accept
 * exactly one encoding per value and return MPC_ERR_PARSE on anything else,
 * with the outputs zeroed. Signature shares z_i and DKG secret shares
 * f_i(id_j) travel as one scalar: mpc_frost_share_parse and
 * mpc_scalar_serialize.
 */

/** Writes id || D || E. */
void mpc_frost_commitment_serialize(const mpc_group *g,
                                    uint8_t out[MPC_FROST_COMMITMENT_BYTES],
                                    const mpc_frost_commitment *com);

/**
 * Parses one commitment: exactly MPC_FROST_COMMITMENT_BYTES, a non-zero
 * canonical identifier and two valid elements. The caller checks that the
 * identifier is the sender's.
 * Returns: MPC_OK; MPC_ERR_PARSE; MPC_ERR_INVALID_ARG for a NULL or
 *   another group.
 */
MPC_WARN_UNUSED mpc_err mpc_frost_commitment_parse(const mpc_group *g,
                                                   mpc_frost_commitment *com,
                                                   const uint8_t *in,
                                                   size_t len);

/**
 * Writes RFC 9591's encode_group_commitment_list: the n entries in order,
 * n * MPC_FROST_COMMITMENT_BYTES bytes (the caller sizes `out`).
 */
void mpc_frost_commitment_list_serialize(const mpc_group *g, uint8_t *out,
                                         const mpc_frost_commitment *list,
                                         size_t n);

/**
 * Parses an encoded commitment list: a whole number of entries, 1 to
 * min(cap, MPC_FROST_MAX_PARTIES) of them, each valid, with strictly
 * increasing identifiers (what mpc_frost_commitment_list_check asks).
 * Returns: MPC_OK; MPC_ERR_PARSE; MPC_ERR_INVALID_ARG for a NULL or
 *   another group.
 * Out: list[0..*n), list having room for cap entries (on error the first
 *   min(cap, MPC_FROST_MAX_PARTIES) are reset); n.
 */
MPC_WARN_UNUSED mpc_err mpc_frost_commitment_list_parse(
    const mpc_group *g, mpc_frost_commitment *list, size_t cap, size_t *n,
    const uint8_t *in, size_t len);

/**
 * Parses a signature share or a DKG secret share: exactly 32 bytes, a
 * canonical scalar (values >= L are refused, RFC 9591 §6.1
 * DeserializeScalar).
 * Returns: MPC_OK; MPC_ERR_PARSE; MPC_ERR_INVALID_ARG for a NULL or
 *   another group.
 */
MPC_WARN_UNUSED mpc_err mpc_frost_share_parse(const mpc_group *g,
                                              mpc_scalar *out,
                                              const uint8_t *in, size_t len);

/** Writes R || mu. */
void mpc_frost_pok_serialize(const mpc_group *g,
                             uint8_t out[MPC_FROST_POK_BYTES],
                             const mpc_frost_pok *pok);

/**
 * Parses R || mu: exactly MPC_FROST_POK_BYTES, a valid element, a
 * canonical scalar.
 * Returns: MPC_OK; MPC_ERR_PARSE; MPC_ERR_INVALID_ARG for a NULL or
 *   another group.
 */
MPC_WARN_UNUSED mpc_err mpc_frost_pok_parse(const mpc_group *g,
                                            mpc_frost_pok *pok,
                                            const uint8_t *in, size_t len);

/**
 * Writes a DKG round-one package, phi_0 || ... || phi_{t-1} || R || mu:
 * MPC_FROST_DKG_ROUND1_BYTES(t) bytes (the caller sizes `out`).
 */
void mpc_frost_dkg_round1_serialize(const mpc_group *g, uint8_t *out,
                                    const mpc_point *commit, size_t t,
                                    const mpc_frost_pok *pok);

/**
 * Parses a DKG round-one package. The number of commitments follows from
 * the length and is returned, not checked: mpc_frost_dkg_round1_verify
 * compares it with the agreed threshold so the sender can be blamed.
 * Returns: MPC_OK; MPC_ERR_PARSE if the length is not 64 + 32*t for
 *   1 <= t <= min(cap, MPC_FROST_MAX_PARTIES) or an element or scalar is
 *   invalid; MPC_ERR_INVALID_ARG for a NULL or another group.
 * Out: commit[0..*t), commit having room for cap points (on error the
 *   first min(cap, MPC_FROST_MAX_PARTIES) are the identity); t; pok.
 */
MPC_WARN_UNUSED mpc_err mpc_frost_dkg_round1_parse(
    const mpc_group *g, mpc_point *commit, size_t cap, size_t *t,
    mpc_frost_pok *pok, const uint8_t *in, size_t len);

#endif /* MPC_FROST_H */
