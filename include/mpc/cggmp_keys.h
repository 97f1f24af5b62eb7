/*
 * mpc/cggmp_keys.h — the key-management protocols of threshold ECDSA
 * (CGGMP21, specs/crypto.md §2.5 A, B, E, F) as round tables on the
 * session engine (mpc/session.h, mpc/protocol.h).
 *
 * Every protocol here binds its commitments and Fiat–Shamir challenges to
 * the session (mpc_session_info_transcript: session id, protocol, n, t)
 * and to the prover's index, so nothing carries over between sessions.
 * Broadcasts of a round are echoed inside the next round (the engine's
 * reliable broadcast) before anything depends on them.
 *
 * Identifiable abort (crypto.md §2.6 level 1): every failed parse,
 * decommitment, proof or Feldman check blames its sender with certainty
 * (mpc_session_blame: attributable = true). All peers' messages of a round
 * are checked, so every culprit of that round is named.
 *
 * Results are moved out with mpc_session_take_result into the struct the
 * protocol names. Their arrays are allocated with the session's ctx:
 * release them with the matching _clear and that ctx.
 *
 * Threads: as mpc/session.h; the tables are immutable.
 */
#ifndef MPC_CGGMP_KEYS_H
#define MPC_CGGMP_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "mpc/cggmp.h"
#include "mpc/params.h"
#include "mpc/session.h"

/** Protocol ids; stable values (they travel in every frame). */
#define MPC_CGGMP_AUX_PROTOCOL_ID 0x43415558u     /* "CAUX" */
#define MPC_CGGMP_KEYGEN_PROTOCOL_ID 0x434b4559u  /* "CKEY" */
#define MPC_CGGMP_REFRESH_PROTOCOL_ID 0x43524546u /* "CREF" */
#define MPC_CGGMP_RESHARE_PROTOCOL_ID 0x43525348u /* "CRSH" */

/* ---- aux-info ------------------------------------------------------------ */

/**
 * Input of one party's aux-info session. The safe primes are made ahead
 * of time (the node keeps a pool; tests use fixtures): the protocol only
 * checks what mpc_paillier_sk_import_primes checks.
 */
typedef struct mpc_cggmp_aux_input {
    /** The parameter set of every modulus in the committee. */
    mpc_params_id params;
    /** SECRET: p || q, as mpc_paillier_sk_export_primes writes them. */
    const uint8_t *primes;
    size_t primes_len;
} mpc_cggmp_aux_input;

/**
 * Aux-info (crypto.md §2.5A; CGGMP21 2021 Fig. 6, aux part; LFDT
 * "Provisioning"), n parties (the session's; its threshold is ignored).
 * Result: mpc_cggmp_aux_info (every peer's N and ring-Pedersen
 * parameters, all proven; own Paillier key). Run it once per committee;
 * run it again to refresh the Paillier keys.
 *
 *   r1 BCAST: V_i = H(sid, i, N_i, s_i, t_i, Πprm_i, ρ_i, u_i)
 *      (mpc_cggmp_commit over the round-2 payload). Πprm proves the
 *      party's own ring-Pedersen parameters (s_i = t_i^λ).
 *   r2 BCAST: N_i || s_i || t_i || Πprm_i || ρ_i || u_i.
 *      Checked: the payload opens V_i; N_j has the set's size (BitForge:
 *      at least n_min_bits; mpc_paillier_pk_parse); s_j, t_j are units
 *      ≠ 1 (mpc_rped_parse); Πprm_j. ρ = ⊕ ρ_j.
 *   r3 BCAST: Πmod_i for N_i, challenge bound to ρ.
 *      P2P to j: Πfac_i for N_i against j's (N_j, s_j, t_j), bound to ρ
 *      and j. Checked: Πmod_j, Πfac_j.
 *
 * Blame reasons: PARSE (malformed payload, N too small, bad s or t),
 * VERIFY (decommitment mismatch, any failed proof). A modulus with a
 * small factor or not Paillier-Blum fails Πfac / Πmod (or Πprm).
 */
extern const mpc_protocol mpc_cggmp_aux_protocol;

/* ---- threshold keygen ---------------------------------------------------- */

/**
 * Threshold key generation (crypto.md §2.5B; LFDT "Threshold Key
 * Generation"), n parties with threshold t = the session's threshold,
 * 2 <= t <= n. Input: NULL (party ids are I(j) = j + 1). Result:
 * mpc_cggmp_key_share.
 *
 *   r1 BCAST: V_i = H(sid, i, t, rid_i, S_i, c_i, u_i) where S_i are the
 *      t Feldman commitments of a random f_i of degree t-1 and c_i a
 *      chain-code share.
 *   r2 BCAST: rid_i || c_i || u_i || S_i. P2P to j: f_i(I(j)).
 *      Checked: the payload opens V_j (a vector of t+1 commitments cannot
 *      open a commitment to t, and is rejected as PARSE first); each
 *      share against S_j. rid = ⊕ rid_j, chain code = ⊕ c_j,
 *      x_i = Σ f_j(I(i)), X_k = Σ_j F_j(I(k)), Y = Σ S_{j,0}.
 *   r3 BCAST: Πsch for X_i, its challenge bound to (sid, i, rid, X_i).
 *      Checked: every Πsch. The round is echoed (echo exchange), so the
 *      parties that finish agree on every proof.
 *
 * Πsch here is the non-interactive Schnorr proof of mpc/schnorr.h (its
 * commitment A_i is made in round 3 and bound to rid by Fiat–Shamir),
 * rather than the LFDT commit-in-round-1 form: rid is fixed before A_i
 * is drawn, so the challenge is as unpredictable as there.
 *
 * Blame reasons: PARSE (malformed payload, wrong number of commitments,
 * non-canonical share), VERIFY (decommitment mismatch, Feldman share,
 * Πsch), PROTOCOL (a zero constant term S_{j,0}: a dealer that
 * contributes nothing to Y). A joint key Y at infinity (probability 2^-256
 * unless all collude) fails with nobody blamed.
 */
extern const mpc_protocol mpc_cggmp_keygen_protocol;

/* ---- refresh ------------------------------------------------------------ */

/**
 * Key refresh of the same committee (crypto.md §2.5E): keygen's three
 * rounds with every dealer's constant term zero (checked: S_{j,0} is the
 * identity, else PROTOCOL blame), added to the current shares: x'_i =
 * x_i + Σ_j f_j(I(i)), X'_k = X_k + Σ_j F_j(I(k)); Y, the ids, t and the
 * chain code stay; rid is fresh (⊕ rid_j). Πsch on every X'_k.
 * Input: `const mpc_cggmp_key_share *`, this party's current share
 * (copied; the session's n, self and threshold must be its n, self and
 * t: a refresh never changes t). Result: the new mpc_cggmp_key_share.
 * The old share stays valid until the caller deletes it; delete it only
 * once every party finished. Refresh the Paillier keys with a separate
 * aux-info session.
 */
extern const mpc_protocol mpc_cggmp_refresh_protocol;

/* ---- reshare ------------------------------------------------------------ */

/**
 * Input of one party's reshare session. Everything but `share` is public
 * and must be the same at every party (bind it into the session id).
 * Session parties are the union of the dealing quorum and the new
 * committee; a party may be in both.
 */
typedef struct mpc_cggmp_reshare_input {
    /** This party's current share if it is in the quorum, else NULL.
     * Checked: its id, t, Y and x*G match the quorum's entry. */
    const mpc_cggmp_key_share *share;
    /** Y, the key being reshared (unchanged by the reshare). */
    mpc_point pubkey;
    /** The chain code the new shares carry (the key's). */
    uint8_t chain_code[32];
    /** The dealing quorum of old holders: session indices, their old
     * x-coordinates and verifying shares, n_quorum >= t_old entries. New
     * members check the dealings against these X_i, so take them from
     * the stored key, never from a peer. */
    const unsigned *quorum;
    const mpc_scalar *quorum_ids;
    const mpc_point *quorum_vshares;
    size_t n_quorum;
    /** The old threshold. */
    size_t t_old;
    /** The new committee: session indices in new-committee order; member
     * k gets id I'(k) = k + 1. The new threshold is the session's. */
    const unsigned *members;
    size_t n_members;
} mpc_cggmp_reshare_input;

/**
 * Reshare to a new committee and threshold (crypto.md §2.5F, WWW02
 * REDIST over mpc/vss.h). Session threshold = t_new, 2 <= t_new <=
 * n_members. Result: mpc_cggmp_key_share for a new member; an init'ed
 * (empty, n = 0) share for a party only in the quorum.
 *
 *   r1 BCAST quorum -> new: V_i = H(sid, i, u_i, C_i), C_i the t_new
 *      Feldman commitments of g_i with g_i(0) = λ_i x_i (Lagrange over the
 *      quorum).
 *   r2 BCAST quorum -> new: u_i || C_i. P2P: g_i(I'(k)) to member k.
 *      Checked: the opening (length = t_new commitments, then V_i); then
 *      mpc_vss_reshare_receive: C_{i,0} = λ_i X_i, each sub-share against
 *      C_i (blaming the dealer), Σ C_{i,0} = Y (else nobody is blamed:
 *      the public inputs are inconsistent; attributable = false).
 *      rid = ⊕ u_i.
 *   r3 BCAST new -> all: Πsch for X'_k bound to (sid, k, rid); verified
 *      by the new members, taken as acks by the old-only parties. Echoed.
 *
 * The new committee then runs aux-info as a separate session. The old
 * shares stay valid: the node deletes them only after every new member
 * finished. Presignatures of the old key shares are void.
 */
extern const mpc_protocol mpc_cggmp_reshare_protocol;

#endif /* MPC_CGGMP_KEYS_H */
