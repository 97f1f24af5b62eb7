/*
 * mpc/cggmp_sign.h — CGGMP21 threshold ECDSA signing (crypto.md §2.5D,
 * §2.6 level 3, §2.7): the one-round sign share made from a presignature,
 * and the combiner that sums the shares, normalises to low-S, verifies and,
 * when the result does not verify, names the signer whose share is wrong.
 *
 * Presign (§2.5C) is a round table on the engine (mpc/protocol.h); its
 * session parties are the t signers only.
 *
 * Rules for the whole header:
 * - Pointer arguments must not be NULL unless stated.
 * - `g` must be the secp256k1 group (else MPC_ERR_INVALID_ARG).
 * - Two modes (§2.7). Interactive (mpc_cggmp_sign_protocol: presign and
 *   sign in one session for a digest and tweak known up front) is always
 *   safe and the only one that takes a raw digest. Pooled
 *   (mpc_cggmp_sign_share on a presignature made earlier) signs only a
 *   message PREIMAGE that this library hashes itself with a named
 *   mpc_msghash_alg, and only when the caller's expected binding (key, key
 *   version, signer set, derivation tweak) equals the presignature's: the
 *   HD tweak is fixed at presign time; choosing it later is refused.
 * - A presignature is single-use: mpc_cggmp_sign_share consumes it (wipes
 *   k_i and χ_i, clears its magic) before the share leaves; a consumed or
 *   never made one is MPC_ERR_STATE. Its public record stays readable for
 *   the combiner (mpc_cggmp_combine_input_set_presig).
 * - Outputs are zeroed on failure.
 */
#ifndef MPC_CGGMP_SIGN_H
#define MPC_CGGMP_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "mpc/cggmp.h"
#include "mpc/ecdsa.h"
#include "mpc/err.h"
#include "mpc/group.h"
#include "mpc/hd.h"
#include "mpc/msghash.h"
#include "mpc/protocol.h"
#include "mpc/session.h"

/* ---- presign ------------------------------------------------------------ */

/** Presign's protocol id on the wire ("CPRE"). */
#define MPC_CGGMP_PRESIGN_PROTOCOL_ID 0x43505245u

/**
 * Presign (crypto.md §2.5C, paper Fig. 7 with the threshold setup), three
 * rounds of broadcast + P2P among the t signers:
 *   setup: w_i = λ_i·x_i over the signer set (Lagrange at 0), and the
 *          first signer adds the HD tweak δ (so Σw_i = x + δ);
 *   R1: B: K_i = Enc_i(k_i), G_i = Enc_i(γ_i); P2P Πenc(K_i);
 *   R2: B: Γ_i = γ_i·G, and for every other signer j both MtA answers
 *       D_{j,i} = γ_i⊙K_j ⊕ Enc_j(-β), F_{j,i} = Enc_i(-β) and
 *       D̂_{j,i} = w_i⊙K_j ⊕ Enc_j(-β̂), F̂_{j,i} = Enc_i(-β̂) (public so
 *       that everyone can rebuild the C's below); P2P to j: Πaff-g for
 *       (D, F, Γ_i) and for (D̂, F̂, W_i), Πlog*(G_i, Γ_i). Each decrypted
 *       MtA share must lie in ±2^{ℓ'+1} (else its sender is blamed: an
 *       honest one always does);
 *   R3: B: δ_i, Δ_i = k_i·Γ, S_i = χ_i·Γ, then for x = γ_i and x = w_i
 *       D⁰ = x⊙K_i ⊕ Enc_i(0), Y⁰ = Enc_i(0) (echo-checked before
 *       output); P2P: Πlog*(K_i, Δ_i, base Γ), and for δ then χ:
 *       Πaff-g(K_i, D⁰, Y⁰, X) under N_i (X = Γ_i, W_i) and Πlog*χ
 *       (mpc/zk_chi.h) that C = D⁰ ⊕ Y⁰⁻¹ ⊕ Σ_j D_{i,j} ⊕ Σ_j F_{j,i}⁻¹
 *       (hatted for χ) encrypts the discrete log of δ_i·G to base G,
 *       resp. of S_i to base Γ: δ_i and S_i are bound to the transcript;
 *   out: δ = Σδ_j; check δ·G = ΣΔ_j and ΣS_j = δ·X (X = ΣW_j, the
 *       signing key); R = δ⁻¹·Γ; keep k_i, χ_i and, for every signer j,
 *       k_j·R = δ⁻¹·Δ_j and χ_j·R = δ⁻¹·S_j (the combiner's checks).
 *
 * Session parameters: n = the number of signers = key->t, threshold =
 * key->t, self = this party's index in `signers`. Session party k is
 * committee position signers[k]; blame names session indices.
 *
 * Identifiable abort (docs/security-cggmp.md, "Identifiable abort"):
 * every malformed message and every failed proof blames its sender
 * (level 1), including a wrong δ_i or S_i (its Πlog*χ fails), so a single
 * cheater is always named. With every proof valid the two output checks
 * can fail only when two or more signers collude (e.g. one accepts the
 * other's bad MtA proof); that failure is NOT attributable in this
 * version: the session fails with an empty blame set (MPC_ERR_VERIFY,
 * MPC_BLAME_VERIFY, attributable false, detail "cggmp presign: delta
 * check failed, not attributable" or "... sum of S_j check failed, not
 * attributable"): every signer of the session took part and at least two
 * of them cheated; nobody is named. Once both checks pass, every bad sign
 * share is attributable.
 *
 * The result (result_bytes = sizeof(mpc_cggmp_presig)) is this party's
 * fresh presignature, bound to (key_id, key_version, signer bitset of
 * committee positions, tweak, presig_id = the session id).
 */
typedef struct mpc_cggmp_presign_input {
    const mpc_cggmp_key_share *key;
    const mpc_cggmp_aux_info *aux; /* same committee as key */
    /** [key->t] committee positions of the signers, strictly ascending;
     * must contain key->self. */
    const uint32_t *signers;
    uint8_t key_id[32];
    uint32_t key_version;
    /** NULL: sign under the joint key. Else the child of key->pubkey whose
     * delta is fixed into this presignature (mpc_hd_derive). */
    const mpc_hd_child *derive;
} mpc_cggmp_presign_input;

/**
 * The presign round table; init fails with MPC_ERR_INVALID_ARG for an
 * inconsistent input (key and aux mismatch, bad signer list, a derive
 * whose pub is not key->pubkey + delta·G). Four rounds: 1-3 as the paper
 * (round 3 also publishes S_i = χ_i·Γ); round 4 is empty unless the output
 * checks δ·G = ΣΔ_j or ΣS_j = δ·X failed, when it carries the proofs that
 * name a single cheater (docs/security-cggmp.md, "Identifiable abort").
 */
extern const mpc_protocol mpc_cggmp_presign_protocol;

/* ---- interactive sign: presign + sign in one session --------------------- */

/** Interactive sign's protocol id on the wire ("CSIG"). */
#define MPC_CGGMP_SIGN_PROTOCOL_ID 0x43534947u

/**
 * Interactive mode (always safe, §2.7): the three presign rounds for a
 * message and tweak known up front, then round 4 where every signer
 * broadcasts σ_i and every signer combines (or, if presign's output checks
 * failed, presign's identification round 4 instead: no σ_i is released).
 * The presignature never leaves the session, so a raw digest is fine here
 * (and only here).
 *
 * Blame: as presign for rounds 1-3. Round 4 (B: σ_i) combines with the
 * presignature's k_j·R and χ_j·R: a share that does not parse names its
 * sender (MPC_BLAME_PARSE), a share that fails σ_j·R = m·(k_j·R) +
 * r·(χ_j·R) names its sender (MPC_BLAME_VERIFY), attributable in both
 * cases (§2.6 level 3). An honest share always passes, and when every
 * share passes the signature verifies, so a failed signature always names
 * somebody and never an honest signer.
 */
typedef struct mpc_cggmp_sign_input {
    mpc_cggmp_presign_input presign;
    uint8_t digest[MPC_ECDSA_DIGEST_BYTES];
} mpc_cggmp_sign_input;

/** What interactive sign outputs (result_bytes = sizeof this). */
typedef struct mpc_cggmp_sign_result {
    mpc_ecdsa_signature sig;
    /** The key it verifies under: the joint key, or the derived child. */
    uint8_t pubkey[MPC_SECP256K1_POINT_BYTES];
} mpc_cggmp_sign_result;

/** The interactive sign round table (4 rounds). */
extern const mpc_protocol mpc_cggmp_sign_protocol;

/* ---- pooled sign -------------------------------------------------------- */

/** Bytes of one encoded sign share σ_i (a big-endian scalar). */
#define MPC_CGGMP_SIGN_SHARE_BYTES 32

/** A sign request in pooled mode: what the caller expects and signs. */
typedef struct mpc_cggmp_sign_request {
    uint8_t key_id[32];   /* must equal the presignature's */
    uint32_t key_version; /* must equal the presignature's */
    uint8_t signers[32];  /* must equal the presignature's bitset */
    mpc_scalar tweak;     /* must equal the presignature's (zero: none) */
    mpc_msghash_alg alg;  /* hash the library applies to `msg` */
    const uint8_t *msg;   /* the preimage (NULL only if msg_len is 0) */
    size_t msg_len;
} mpc_cggmp_sign_request;

/**
 * One signer's share: m = alg(msg), r = x(R) mod n,
 * σ_i = k_i·m + r·χ_i. The presignature is consumed
 * (mpc_cggmp_presig_consume: secrets wiped, public record kept) on every
 * path past the argument checks (also on MPC_ERR_VERIFY), so that no
 * second share is ever made from it.
 *
 * Returns: MPC_OK (presig consumed);
 *   MPC_ERR_STATE: presig consumed already or never made (untouched);
 *   MPC_ERR_INVALID_ARG: wrong group, an unknown alg, msg NULL with
 *     msg_len > 0, or a binding field that differs from the request
 *     (presig untouched: nothing was revealed);
 *   MPC_ERR_VERIFY: R is the identity or x(R) mod n is zero (presig
 *     consumed; the presign output was bad).
 * Out: share: σ_i, big-endian, to be sent to the combiner.
 * Security: constant time in k_i and χ_i; σ_i is public once sent.
 */
MPC_WARN_UNUSED mpc_err mpc_cggmp_sign_share(
    const mpc_group *g, uint8_t share[MPC_CGGMP_SIGN_SHARE_BYTES],
    mpc_cggmp_presig *presig, const mpc_cggmp_sign_request *req);

/** The combiner's public inputs. Arrays have `count` entries, in the same
 * signer order. */
typedef struct mpc_cggmp_combine_input {
    /** The key the signature must verify under: Y + tweak·G. */
    const mpc_point *pubkey;
    /** The digest the signers computed (alg(msg)). */
    const uint8_t *digest;
    /** R of the presignature. */
    const mpc_point *big_r;
    size_t count;
    /** Committee position of each signer (for the blame set). */
    const uint32_t *positions;
    /** σ_j as received from signer j (peer bytes). */
    const uint8_t (*shares)[MPC_CGGMP_SIGN_SHARE_BYTES];
    /**
     * Optional (both or neither; NULL when presign did not publish them):
     * k_j·R (= δ⁻¹·Δ_j) and χ_j·R for each signer, which let the combiner
     * check σ_j·R = m·(k_j·R) + r·(χ_j·R) and name a bad share.
     */
    const mpc_point *k_r;
    const mpc_point *chi_r;
} mpc_cggmp_combine_input;

/**
 * Points `in` at the presignature's public record: big_r, count, positions
 * (committee positions), and k_r/chi_r (NULL when presig->count is 0).
 * The caller sets pubkey, digest and shares, in the same signer order.
 * Works on a consumed presignature (its record survives
 * mpc_cggmp_sign_share); `presig` must outlive the combine call.
 */
void mpc_cggmp_combine_input_set_presig(mpc_cggmp_combine_input *in,
                                        const mpc_cggmp_presig *presig);

/**
 * σ = Σσ_j, then mpc_ecdsa_signature_make and mpc_ecdsa_verify_var.
 *
 * Identifiable abort (§2.6 level 3): a share that does not parse as a
 * scalar below n is blamed (MPC_BLAME_PARSE, attributable). When the sum
 * does not verify and k_r/chi_r are given, every signer whose share fails
 * its check is blamed (MPC_BLAME_VERIFY, attributable). Without them, or
 * when every share passes (then the public record itself is inconsistent),
 * the blame set is empty and attributable is false: nobody can be named.
 *
 * Returns: MPC_OK (sig verifies under pubkey, blame cleared);
 *   MPC_ERR_PARSE: a share does not parse (blame names it);
 *   MPC_ERR_VERIFY: the signature does not verify (blame as above);
 *   MPC_ERR_INVALID_ARG: wrong group, count 0 or above
 *     MPC_CGGMP_MAX_PARTIES, a position >= MPC_CGGMP_MAX_PARTIES, only one
 *     of k_r/chi_r, an identity pubkey or R.
 * Out: sig: the low-S signature with its recovery id; blame: the outcome.
 */
MPC_WARN_UNUSED mpc_err
mpc_cggmp_sign_combine(const mpc_group *g, mpc_ecdsa_signature *sig,
                       mpc_blame *blame, const mpc_cggmp_combine_input *in);

#endif /* MPC_CGGMP_SIGN_H */
