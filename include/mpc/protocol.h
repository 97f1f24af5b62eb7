/*
 * mpc/protocol.h — how a protocol plugs into the round engine.
 *
 * A protocol is a const table (mpc_protocol) of pure functions over its own
 * state. The engine (mpc/session.h) does the rest: framing, buffering,
 * deduplication, equivocation, the reliable-broadcast echo, deadlines and
 * blame. A round function never sees a message before the engine has
 * checked its session, round, sender, recipient and kind, and it only runs
 * once every message it needs is there.
 *
 * Life of a session, from the protocol's side:
 *
 *   init(state, info, input)              once, from mpc_session_new
 *   pattern(state, r, from, to)           many times, right after init
 *   for r = 1 .. rounds:
 *       round_start(state, r, outbox)     write this party's messages of r
 *       ... the engine collects every message of r this party expects,
 *       ... and the echoes of earlier broadcasts
 *       round_complete(state, r, inbox)   read them, verify, compute
 *   take_result(state, result)            moves the result out (DONE)
 *   clear(state)                          always, exactly once at the end
 *
 * Rounds always run in order 1..rounds. A round in which a party sends and
 * expects nothing still runs its two functions (e.g. an old-committee-only
 * party in the late rounds of a reshare); a conditional sub-protocol (such
 * as CGGMP'24 failed-nonce identification) is a separate session.
 *
 * The round plan. `pattern(state, r, from, to)` says what `from` sends to
 * `to` in round r: MPC_PROTOCOL_BCAST (to receives from's broadcast),
 * MPC_PROTOCOL_P2P (a message for `to` alone), both, or 0. It must be a
 * pure function of what init stored (the parameters and input, never
 * received data), because every party evaluates it for every pair to know
 * what to expect and how broadcasts are echoed. Examples:
 *   FROST DKG:  r1 BCAST all->all (commitments, PoK); r2 P2P all->all.
 *   FROST sign: r1 BCAST signers->signers (nonce commitments); r2 BCAST
 *               signers->signers (signature shares); others 0.
 *   Reshare:    r1 BCAST old->new (commitments); r2 P2P old->new (shares);
 *               r3 BCAST new->old+new (acks).
 *   CGGMP presign: three rounds of BCAST + P2P among the signers.
 *
 * Reliable broadcast. For every round r in which anybody broadcasts, each
 * party echoes the digests of the broadcasts it holds (those it received,
 * and its own) to the parties that hold broadcasts of the same senders,
 * and compares what it gets back. There are two ways:
 * - inside the round r+1 messages ("echo merged into the next round",
 *   crypto.md §2.4): no extra round trip, but round_complete(r) and
 *   round_start(r+1) run before the check (which runs before round r+1
 *   completes), so round r+1's messages may rest on a broadcast that
 *   turns out inconsistent; the session then fails before any output;
 * - in an engine-added echo exchange after round r, checked before
 *   round_complete(r) runs: one more round trip.
 * The engine uses the first way when round r+1 links every pair of parties
 * that must compare (one message either way suffices), else the second.
 * A round listed in `echo_exchange` always gets the second way; the last
 * round is echoed only if listed. A protocol only declares this; it never
 * echoes itself.
 *
 * Rules for the whole header:
 * - Pointer arguments are never NULL.
 * - Functions are called from the one thread that drives the session.
 * - Round functions get their randomness and allocator from info->ctx.
 */
#ifndef MPC_PROTOCOL_H
#define MPC_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/session.h"
#include "mpc/transcript.h"
#include "mpc/wire.h"

/** pattern() flags. */
#define MPC_PROTOCOL_BCAST 1u
#define MPC_PROTOCOL_P2P 2u

/** Round r's bit in mpc_protocol.echo_exchange (1 <= r <= 16). */
#define MPC_PROTOCOL_ROUND(r) (1u << ((r)-1))

/** What a protocol knows about its session; constant for its life. */
typedef struct mpc_session_info {
    const mpc_ctx *ctx;
    uint8_t sid[MPC_SESSION_ID_BYTES];
    unsigned self;
    unsigned n;
    unsigned threshold;
    /**
     * A transcript that has absorbed the session id, the protocol id and
     * name, n and the threshold. Fork it (copy, or
     * mpc_session_info_transcript) for every Fiat–Shamir challenge, so a
     * proof from one session, protocol or party set is worthless in
     * another.
     */
    mpc_transcript seed;
} mpc_session_info;

/**
 * Forks the session seed for one proof: *t = seed, then absorbs `label`
 * (the proof's name) and the prover's party index. A prover passes its own
 * index; a verifier passes the prover's, so both derive the same
 * challenge.
 */
void mpc_session_info_transcript(const mpc_session_info *info,
                                 mpc_transcript *t, const char *label,
                                 unsigned prover);

/** The messages this party writes in one round (see round_start). */
typedef struct mpc_session_outbox mpc_session_outbox;

/** The messages this party received in one round (see round_complete). */
typedef struct mpc_session_inbox mpc_session_inbox;

/**
 * The writer for this party's broadcast payload of the current round.
 * Always usable (never NULL). Asking for it when the round plan has this
 * party broadcast nothing, or writing more than the protocol's
 * max_payload_bytes, makes round_start fail with MPC_ERR_INTERNAL (a bug
 * in the protocol, not in a peer).
 */
mpc_wire_writer *mpc_session_outbox_bcast(mpc_session_outbox *out);

/** The writer for this party's P2P payload to `to`; as above. */
mpc_wire_writer *mpc_session_outbox_p2p(mpc_session_outbox *out, unsigned to);

/**
 * The broadcast payload `from` sent in this round. `from` may be this
 * party (its own broadcast). Payload bytes are valid until round_complete
 * returns.
 * Returns: true and the payload (data may be NULL when *len is 0); false
 *          (NULL, 0) when the plan has no such broadcast for this party.
 */
bool mpc_session_inbox_bcast(const mpc_session_inbox *in, unsigned from,
                             const uint8_t **data, size_t *len);

/** The P2P payload `from` sent this party in this round; as above. */
bool mpc_session_inbox_p2p(const mpc_session_inbox *in, unsigned from,
                           const uint8_t **data, size_t *len);

/**
 * Names `party` as a culprit of this round's failure: its payload did not
 * parse, a proof or share of it did not verify, etc. May be called for
 * several parties; the first reason and detail are kept. Pass
 * MPC_BLAME_NOBODY to record a reason when no party can be named. A round
 * that blames anybody fails, whatever round_complete returns.
 * In: detail: a short constant description (no secrets; may be NULL).
 */
void mpc_session_inbox_blame(mpc_session_inbox *in, unsigned party,
                             mpc_blame_reason reason, const char *detail);

/** A protocol's round table. Define it `static const` or `const`. */
struct mpc_protocol {
    /** Non-zero and unique across protocols; travels in every frame. */
    uint32_t id;
    /** A short stable name, e.g. "frost-ed25519-dkg"; absorbed into the
     * transcript seed. */
    const char *name;
    /** The number of rounds, 1..MPC_SESSION_ROUNDS_MAX. */
    unsigned rounds;
    /** The state the engine allocates (zeroed) for the protocol; > 0. */
    size_t state_bytes;
    /** sizeof the result struct mpc_session_take_result fills. */
    size_t result_bytes;
    /** Bound on any payload, <= MPC_SESSION_PAYLOAD_MAX_BYTES; 0 means
     * MPC_SESSION_PAYLOAD_MAX_BYTES. Peers' larger payloads are PARSE. */
    size_t max_payload_bytes;
    /**
     * Rounds (MPC_PROTOCOL_ROUND bits) whose broadcasts must be confirmed
     * by an echo exchange before round_complete runs. List the last round
     * when the outputs of honest parties must agree on its broadcasts
     * (otherwise it is not echoed at all); list another round when nothing
     * may be sent on an unconfirmed broadcast. Bits above `rounds` are
     * ignored.
     */
    uint32_t echo_exchange;

    /**
     * Validates `input` and the session parameters, and sets up `state`
     * (copy what you keep from input; `info` itself stays valid for the
     * session's life and may be kept). Returns MPC_OK,
     * MPC_ERR_INVALID_ARG for an unusable input or parameters,
     * MPC_ERR_NOMEM. On error the engine still calls clear.
     */
    mpc_err (*init)(void *state, const mpc_session_info *info,
                    const void *input);

    /** The round plan, as described at the top. Never called with
     * from == to. */
    unsigned (*pattern)(const void *state, unsigned round, unsigned from,
                        unsigned to);

    /**
     * Writes this party's messages of `round` (exactly those the plan
     * says it sends; an empty payload is fine). Runs right after round
     * round-1 completed (or at start). Returns MPC_OK, or an error that
     * fails the session without blame (MPC_ERR_NOMEM, MPC_ERR_INTERNAL).
     */
    mpc_err (*round_start)(void *state, unsigned round,
                           mpc_session_outbox *out);

    /**
     * Runs once every message of `round` for this party has arrived:
     * parse the payloads (mpc/wire.h), verify, compute. Returns MPC_OK to
     * go on, or an error: blame the culprits first with
     * mpc_session_inbox_blame (then return MPC_ERR_PARSE,
     * MPC_ERR_VERIFY or MPC_ERR_PROTOCOL).
     */
    mpc_err (*round_complete)(void *state, unsigned round,
                              mpc_session_inbox *in);

    /** Moves the result (result_bytes) out of a finished state; the state
     * must keep no copy of its secrets. */
    void (*take_result)(void *state, void *result);

    /** Wipes the state's secrets and frees what it owns. Called exactly
     * once, also after a failed or partial init (the state starts zeroed). */
    void (*clear)(void *state);
};

#endif /* MPC_PROTOCOL_H */
