/*
 * mpc/frost_session.h — FROST(Ed25519) protocols on the round engine:
 * distributed key generation, signing, refresh and reshare.
 *
 * Each protocol is a const round table (mpc/protocol.h). A driver puts it
 * in mpc_session_params.protocol, points .input at the protocol's input
 * struct below and runs the session as mpc/session.h describes; the engine
 * does framing, buffering, deduplication, reliable broadcast, deadlines
 * and blame. The math is mpc/frost.h (RFC 9591, FROST paper DKG) and
 * mpc/vss.h (Feldman VSS and redistribution); this module fixes the
 * rounds, what travels in them, and the checks in between.
 *
 *   protocol                   rounds (BCAST: to every party of the session)
 *   mpc_frost_dkg_protocol     1 BCAST commitments + proof of knowledge;
 *                              2 P2P shares; 3 BCAST key confirmation
 *   mpc_frost_sign_protocol    1 BCAST nonce commitments (D, E);
 *                              2 BCAST signature shares z_i
 *   mpc_frost_refresh_protocol 1 BCAST commitments to zero; 2 P2P
 *                              sub-shares; 3 BCAST key confirmation
 *   mpc_frost_reshare_protocol 1 BCAST dealers -> all: commitments;
 *                              2 P2P dealers -> new members: sub-shares;
 *                              3 BCAST new members -> all: confirmation
 *
 * Key confirmation. The last round of DKG, refresh and reshare broadcasts
 * a digest of the session (its seed, see mpc/protocol.h), the threshold,
 * the group key and every identifier and verifying share of the resulting
 * committee, and the engine echoes it (echo_exchange). A party is DONE
 * only when every sender's digest equals its own, so DONE means that all
 * of them derived the same public key material. A different digest is
 * blamed on its sender: the rounds before were reliable broadcasts, so
 * honest parties compute the same public outputs. A party that fails
 * earlier sends no confirmation; the others then time out and name it.
 *
 * Rules for the whole header:
 * - Inputs are borrowed for the mpc_session_new call only; the protocol
 *   copies what it keeps. The exception is the pooled nonce of a signing
 *   input, which is moved (see mpc_frost_sign_input).
 * - Session parameters: `n` is the number of session parties, `self` this
 *   party's index, `threshold` is stated per protocol. Every party of a
 *   session passes the same public inputs (identifiers, verifying shares,
 *   group key, message, roles) in the same party order; the session id
 *   must be unique per run and bind them (crypto.md §2.4). A party whose
 *   public inputs differ fails, and may be blamed.
 * - Identifiers are non-zero scalars, distinct within a committee; the
 *   default is party index + 1 (RFC 9591). tss-lib x-coordinates (Ks) may
 *   be used as they are, reduced mod L.
 * - mpc_session_new returns MPC_ERR_INVALID_ARG for an input that breaks a
 *   rule stated here (no session is created and no message exists yet),
 *   MPC_ERR_STATE for a used signing nonce, MPC_ERR_NOMEM.
 * - Failures during the rounds follow mpc/session.h: the blame names the
 *   party whose message did not parse (MPC_BLAME_PARSE), did not verify
 *   (MPC_BLAME_VERIFY: a proof, a share, a commitment's constant term, a
 *   confirmation), or broke a rule of the protocol (MPC_BLAME_PROTOCOL: a
 *   commitment vector whose length is not the threshold, a nonce
 *   commitment under another identifier). A failure no party can be named
 *   for (inconsistent local inputs) blames nobody.
 * - Results are moved out with mpc_session_take_result(s, &r, sizeof r).
 *   Key results hold arrays allocated with the session's context: the
 *   context must outlive the result, and mpc_frost_key_result_clear frees
 *   them and wipes the secret share.
 *
 * Threads: as mpc/session.h; the tables are immutable.
 */
#ifndef MPC_FROST_SESSION_H
#define MPC_FROST_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/ctx.h"
#include "mpc/frost.h"
#include "mpc/group.h"
#include "mpc/hd.h"
#include "mpc/session.h"

/** Protocol ids; stable values (they travel in every frame). */
#define MPC_FROST_DKG_PROTOCOL_ID 0x46444b47u     /* "FDKG" */
#define MPC_FROST_SIGN_PROTOCOL_ID 0x46534947u    /* "FSIG" */
#define MPC_FROST_REFRESH_PROTOCOL_ID 0x46524546u /* "FREF" */
#define MPC_FROST_RESHARE_PROTOCOL_ID 0x46525348u /* "FRSH" */

/** The longest message a signing session accepts (64 KiB). */
#define MPC_FROST_SIGN_MSG_MAX_BYTES 65536u

/** Bytes of a key-confirmation digest. */
#define MPC_FROST_CONFIRM_BYTES 32

/* ---- results of DKG, refresh and reshare -------------------------------- */

/**
 * The key material a party holds after DKG, refresh or reshare.
 *
 * `ids` and `vshares` describe the whole committee (n members, in session
 * order for DKG and refresh, in new-member order for reshare): give them,
 * restricted to a signer set, to mpc_frost_sign_input. They are allocated
 * with `ctx`; free them with mpc_frost_key_result_clear.
 */
typedef struct mpc_frost_key_result {
    /** The allocator of ids and vshares (NULL when they are NULL). */
    const mpc_ctx *ctx;
    /** False only for a reshare party that is not in the new committee:
     * then `key` is zero and must not be used. */
    bool has_key;
    /** This party's key package (secret share); `key.id == ids[self]`. */
    mpc_frost_key_package key;
    /** This party's position in ids (0 when !has_key). */
    size_t self;
    /** The group public key (for reshare: unchanged). */
    mpc_point group_pk;
    /** The committee size and threshold. */
    size_t n;
    size_t threshold;
    /** ids[k], vshares[k] = ids[k]'s share times B, for k < n. */
    mpc_scalar *ids;
    mpc_point *vshares;
} mpc_frost_key_result;

/**
 * Wipes the key package, frees ids and vshares, and zeroes the result.
 * A zeroed result, or NULL, is fine.
 */
void mpc_frost_key_result_clear(mpc_frost_key_result *r);

/* ---- DKG ----------------------------------------------------------------- */

/**
 * Distributed key generation (FROST paper Fig. 1, crypto.md §3), n parties,
 * threshold t = params.threshold with 2 <= t <= n.
 *
 *   r1 BCAST all -> all: phi_i (t Feldman commitments) and a proof of
 *      knowledge of a_{i,0} (mpc_frost_dkg_part1). Its context is derived
 *      from the session seed and the ordered identifier list, so a proof
 *      cannot be replayed into another session or party set. Checked:
 *      exactly t commitments (a longer vector raises the threshold), valid
 *      points, the proof.
 *   r2 P2P all -> all: f_i(id_j), checked against phi_i (mpc_frost_dkg_part3).
 *      The round-1 echo rides in these messages, so no share is used before
 *      the broadcasts are known to agree.
 *   r3 BCAST all -> all: the key confirmation digest (echoed).
 *
 * Result: mpc_frost_key_result with has_key, the session's identifiers in
 * session order, every verifying share, n and t.
 */
extern const mpc_protocol mpc_frost_dkg_protocol;

/**
 * DKG input (may be NULL: default identifiers).
 * ids: NULL for the default identifiers (party index + 1), or n_ids == n
 *      identifiers, ids[i] for session party i (distinct, non-zero), e.g.
 *      to keep the x-coordinates of shares migrated from tss-lib.
 * n_ids: the number of ids (0 when ids is NULL).
 */
typedef struct mpc_frost_dkg_input {
    const mpc_scalar *ids;
    size_t n_ids;
} mpc_frost_dkg_input;

/* ---- signing ------------------------------------------------------------- */

/**
 * FROST signing (RFC 9591 §5 without a coordinator, its §7.5). The session's
 * parties are exactly the signers: n >= t, params.threshold = t, the key's
 * threshold.
 *
 *   r1 BCAST: this signer's commitment (id, D, E) (RFC 9591 commit), made
 *      at round 1 or taken from the input's pooled nonce. Each commitment
 *      must carry its sender's identifier.
 *   r2 BCAST: z_i over the commitment list sorted by identifier. The
 *      round-1 echo rides in these messages: a signer that split the
 *      others' views of its commitment is caught by the engine before any
 *      share is aggregated. (Computing z_i first is safe: RFC 9591 §7.5,
 *      an inconsistent view only yields an invalid signature.)
 *   completion: every signer aggregates the shares. If the signature does
 *      not verify, every share is checked (RFC 9591 §5.4) and every signer
 *      with a wrong share is blamed (MPC_BLAME_VERIFY); a share that is not
 *      a canonical scalar (z >= L) is a parse failure of its sender. A
 *      valid aggregate is accepted without checking the shares one by one
 *      (RFC 9591 §5.4: checking them first only costs more when the
 *      signature is valid, which is what any verifier checks).
 *
 * The last round is not echoed: a signer that sends different shares to
 * different parties can make some of them finish and others fail (blaming
 * it); every signature a session outputs is valid.
 *
 * Result: mpc_frost_sign_result.
 */
extern const mpc_protocol mpc_frost_sign_protocol;

/**
 * Signing input.
 * key:     this signer's key package; key->threshold is t.
 * ids, vshares: n_signers identifiers and verifying shares (untweaked),
 *          [i] for session party i; ids[self] must be key->id and
 *          vshares[self] must be key->share * B.
 * n_signers: must equal the session's n.
 * msg:     the message, msg_len <= MPC_FROST_SIGN_MSG_MAX_BYTES (may be
 *          NULL when msg_len is 0); signed as RFC 8032 signs a message.
 * derive:  NULL to sign with the group key, or the child of the group key
 *          that mpc_hd_derive gave on the Ed25519 group: signs with
 *          derive->pub, using derive->delta as the RFC 9591 tweak. Checked:
 *          derive->pub == group_pk + delta*B (a child from another curve or
 *          another key is MPC_ERR_INVALID_ARG).
 * nonce:   NULL, or a nonce made ahead of time with mpc_frost_commit for
 *          this key (nonce pooling: round 1 then sends its commitment and
 *          the online work is round 2). MOVED: mpc_session_new copies it
 *          into the session and clears the caller's object, also when the
 *          input is refused; only a failure before the protocol reads its
 *          input (bad session parameters, no memory) leaves it untouched.
 *          Never pass a nonce twice: a cleared (used) nonce is
 *          MPC_ERR_STATE; a nonce made for another identifier is
 *          MPC_ERR_INVALID_ARG.
 * Security: a nonce must never be copied (mpc/frost.h); its commitment
 * may be published ahead, as the binding factors tie every share to the
 * message and the whole commitment list (RFC 9591 §4.4, §5.1).
 */
typedef struct mpc_frost_sign_input {
    const mpc_frost_key_package *key;
    const mpc_scalar *ids;
    const mpc_point *vshares;
    size_t n_signers;
    const uint8_t *msg;
    size_t msg_len;
    const mpc_hd_child *derive;
    mpc_frost_nonce *nonce;
} mpc_frost_sign_input;

/** A signing session's result. Public; no clear function is needed. */
typedef struct mpc_frost_sign_result {
    /** R || z, a standard RFC 8032 Ed25519 signature of the message. */
    uint8_t sig[MPC_FROST_SIGNATURE_BYTES];
    /** The key it verifies under: the group key, or the derived child. */
    uint8_t pk[MPC_FROST_POINT_BYTES];
} mpc_frost_sign_result;

/* ---- refresh ------------------------------------------------------------- */

/**
 * Proactive refresh of the same committee with the same threshold
 * (crypto.md §2.5E, ZF keys/refresh.rs): every party deals a sharing of
 * zero and adds what it receives to its share. The group key does not
 * change; every share and verifying share does. params.threshold must be
 * the key's threshold: a refresh never changes t.
 *
 *   r1 BCAST all -> all: t commitments whose constant term is the identity
 *      (checked: exactly t, the constant is the identity).
 *   r2 P2P all -> all: sub-shares, checked against the commitments.
 *   r3 BCAST all -> all: the key confirmation digest (echoed).
 *
 * Result: mpc_frost_key_result with has_key, the committee in session
 * order. The new verifying shares are checked to interpolate to the
 * unchanged group key. The old share stays valid with the old shares of
 * the others until all of them are deleted, which is the node's job once
 * the session is DONE everywhere.
 */
extern const mpc_protocol mpc_frost_refresh_protocol;

/**
 * Refresh input.
 * key:     this party's current key package.
 * ids, vshares: the committee's identifiers and current verifying shares,
 *          [i] for session party i (n_parties == n); ids[self] == key->id
 *          and vshares[self] == key->share * B.
 */
typedef struct mpc_frost_refresh_input {
    const mpc_frost_key_package *key;
    const mpc_scalar *ids;
    const mpc_point *vshares;
    size_t n_parties;
} mpc_frost_refresh_input;

/* ---- reshare ------------------------------------------------------------- */

/**
 * Reshare to a new committee and threshold, keeping the group key
 * (Wong–Wang–Wing REDIST, crypto.md §2.5F). The session's parties are the
 * union of the dealing quorum (exactly t_old holders of the old key) and
 * the new committee (n_new members); a party may be both. The new
 * threshold is params.threshold, 2 <= t_new <= n_new.
 *
 *   r1 BCAST dealers -> all: C_i, t_new commitments to g_i, whose constant
 *      is w_i = lambda_i x_i. Every party checks C_{i,0} == lambda_i X_i
 *      with the old verifying shares from its own input, so a bad dealer
 *      is blamed alone; together they sum to the group key.
 *   r2 P2P dealers -> new members: g_i(x'_j), checked against C_i.
 *   r3 BCAST new members -> all: the key confirmation digest (echoed), so
 *      old parties learn that the whole new committee holds consistent
 *      shares of the same key.
 *
 * Result: mpc_frost_key_result over the new committee (in the order of
 * the new members in the session). New members get has_key; dealers that
 * are not new members get has_key false with the new public data.
 *
 * Security: the old shares stay valid among themselves: any t_old of them
 * still sign. Deleting them is the node's job, and only once the session
 * is DONE (every new member confirmed); shares from the two committees
 * never combine into a signature.
 */
extern const mpc_protocol mpc_frost_reshare_protocol;

/** Role flags of a reshare party. */
#define MPC_FROST_RESHARE_DEALER 1u
#define MPC_FROST_RESHARE_MEMBER 2u

/** One session party of a reshare, as every party sees it (public). */
typedef struct mpc_frost_reshare_party {
    /** MPC_FROST_RESHARE_DEALER and/or MPC_FROST_RESHARE_MEMBER. */
    unsigned roles;
    /** DEALER: its identifier in the old committee. */
    mpc_scalar old_id;
    /** DEALER: its old verifying share X_i (from the key's public data,
     * never from the dealer). Unused otherwise. */
    mpc_point old_vshare;
    /** MEMBER: its identifier in the new committee. */
    mpc_scalar new_id;
} mpc_frost_reshare_party;

/**
 * Reshare input.
 * parties: n_parties == n entries, [i] for session party i; every party
 *          has a role; dealers' old_id distinct and non-zero, members'
 *          new_id distinct and non-zero.
 * group_pk: the key being reshared; the dealers' old verifying shares must
 *          interpolate to it.
 * old_threshold: t_old >= 2, the old key's threshold: there must be
 *          exactly t_old dealers.
 * key:     this party's old key package if it deals (its id the party's
 *          old_id, its share matching old_vshare, its threshold t_old);
 *          NULL if it does not.
 */
typedef struct mpc_frost_reshare_input {
    const mpc_frost_reshare_party *parties;
    size_t n_parties;
    const mpc_point *group_pk;
    size_t old_threshold;
    const mpc_frost_key_package *key;
} mpc_frost_reshare_input;

#endif /* MPC_FROST_SESSION_H */
