/*
 * mpc/session.h — the round engine, as seen by a driver (the node, tests).
 *
 * A session runs one protocol instance (FROST DKG, FROST sign, a reshare,
 * CGGMP presign, ...) for one party. It is a pure state machine in the
 * style of ngtcp2 and nghttp2: bytes in (mpc_session_recv), bytes out
 * (mpc_session_pop_outgoing), time as an argument (now_ms, deadline,
 * handle_timeout). It performs no I/O, reads no clock and starts no thread.
 * Every protocol is a table of pure round functions (mpc/protocol.h); this
 * engine owns everything they share:
 *
 * - framing: every message carries version, kind, protocol id, session id,
 *   round, sender and recipient; the engine checks each against the
 *   session and the round plan before a round function sees the payload;
 * - buffering: messages for later rounds wait in one slot per
 *   (round, sender, kind), and only for slots the round plan expects, so a
 *   peer can make a session hold at most 3 * rounds of its frames, each at
 *   most the protocol's payload bound plus MPC_SESSION_HEADER_BYTES, 8
 *   and one echo;
 * - deduplication and equivocation: an identical copy of a stored message
 *   is ignored; a different message for the same slot fails the session
 *   and blames its sender;
 * - reliable broadcast: every broadcast is echoed (its digest sent on to
 *   the other receivers) and compared before the session can finish, so
 *   two honest parties that both complete saw the same broadcasts (those
 *   of the last round only if the protocol asks, see mpc/protocol.h);
 * - deadlines: each round must complete within the per-round timeout;
 * - blame: why the session failed and which parties caused it.
 *
 * Driving a session:
 *
 *     mpc_session_params p;
 *     mpc_session_params_default(&p);
 *     p.protocol = &some_protocol; memcpy(p.sid, sid, 32); p.self = me; ...
 *     mpc_session_new(&s, ctx, &p);
 *     mpc_session_start(s, now);        then drain pop_outgoing
 *     on each authenticated message:   mpc_session_recv(s, from, ...); drain
 *     when now >= mpc_session_deadline(s): mpc_session_handle_timeout(s, now)
 *     when mpc_session_status(s) is DONE: mpc_session_take_result(...)
 *     when it is FAILED: mpc_session_blame(s, &b)
 *     mpc_session_free(s);
 *
 * Rules for the whole header:
 * - Pointer arguments must not be NULL unless stated; a NULL where one is
 *   required yields MPC_ERR_INVALID_ARG.
 * - Argument order: session (or ctx), outputs, inputs; a length follows its
 *   buffer; now_ms comes last.
 * - No function keeps a pointer to its inputs after it returns. Pointers
 *   into the session (mpc_session_msg.data) stay valid until the next call
 *   that takes a non-const mpc_session *.
 * - Any error other than MPC_ERR_INVALID_ARG and MPC_ERR_STATE leaves the
 *   session FAILED (mpc_err_is_fatal). The return value says what this
 *   call did; mpc_session_status says where the session stands.
 * - Parties are indices 0..n-1 with n <= 255. Protocol-level identities
 *   (x-coordinates, keys) are the protocol's business. The driver
 *   authenticates each message's sender (the node's signed envelope) and
 *   passes that index to mpc_session_recv; the engine checks the message
 *   agrees with it.
 *
 * Threads: a session is not thread-safe; the caller serializes all calls
 * on one session. Different sessions are independent (they may share a
 * const mpc_ctx whose rng is thread-safe).
 *
 * Security: protocol secrets (shares, nonces) live in the session's
 * protocol state and in P2P payload buffers. All of them are wiped as
 * soon as they are no longer needed: payloads when their round is done,
 * the state when the session fails, its result is taken, or it is freed.
 * A FAILED session queues nothing more, but what it queued before it
 * failed is still handed out. Those messages were produced by rounds that
 * had succeeded; peers need them to finish their round or to identify the
 * culprit (an echo, say); and dropping them would make what peers see
 * depend on whether a failure was detected in the same call that queued
 * them or in the next one.
 */
#ifndef MPC_SESSION_H
#define MPC_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/wire.h"

#define MPC_SESSION_ID_BYTES 32

/** The largest party count. Index 255 is reserved for MPC_SESSION_TO_ALL. */
#define MPC_SESSION_PARTIES_MAX 255

/** mpc_session_msg.to (and a frame's `to`) for a message to every party. */
#define MPC_SESSION_TO_ALL 255u

/** The most rounds a protocol may declare. */
#define MPC_SESSION_ROUNDS_MAX 16

/** The largest payload of one message (1 MiB); a protocol may set less. */
#define MPC_SESSION_PAYLOAD_MAX_BYTES (1u << 20)

/** Bytes of one broadcast digest in an echo (SHA-256). */
#define MPC_SESSION_DIGEST_BYTES 32

/** The current frame version; any other is MPC_ERR_PARSE. */
#define MPC_SESSION_VERSION 1

/**
 * Frame layout (all integers big-endian, see mpc/wire.h):
 *
 *   u8   version (MPC_SESSION_VERSION)
 *   u8   kind (mpc_session_kind)
 *   u32  protocol id
 *   32   session id
 *   u8   round (1..rounds)
 *   u8   from
 *   u8   to (the recipient for P2P; MPC_SESSION_TO_ALL for BCAST and ECHO)
 *   u32  echo length, then that many bytes: MPC_SESSION_DIGEST_BYTES per
 *        echoed broadcast
 *   u32  payload length, then the payload (empty for ECHO)
 *
 * Nothing may follow. The header before the two strings is
 * MPC_SESSION_HEADER_BYTES long.
 */
#define MPC_SESSION_HEADER_BYTES (1 + 1 + 4 + MPC_SESSION_ID_BYTES + 1 + 1 + 1)

/** The longest echo section: one digest per possible broadcaster. */
#define MPC_SESSION_ECHO_MAX_BYTES                                             \
    (MPC_SESSION_PARTIES_MAX * MPC_SESSION_DIGEST_BYTES)

/** The longest frame mpc_session_recv accepts. */
#define MPC_SESSION_FRAME_MAX_BYTES                                            \
    (MPC_SESSION_HEADER_BYTES + 4 + MPC_SESSION_ECHO_MAX_BYTES + 4 +           \
     MPC_SESSION_PAYLOAD_MAX_BYTES)

/** The per-round timeout mpc_session_params_default sets. */
#define MPC_SESSION_TIMEOUT_DEFAULT_MS 30000

_Static_assert(MPC_SESSION_HEADER_BYTES == 41, "frame header layout");
_Static_assert(MPC_SESSION_PARTIES_MAX <= MPC_SESSION_TO_ALL,
               "TO_ALL must not be a party index");
_Static_assert(MPC_SESSION_ROUNDS_MAX <= 255, "rounds travel in a u8");

typedef struct mpc_session mpc_session;

/** A protocol's round table (mpc/protocol.h). */
typedef struct mpc_protocol mpc_protocol;

/** Where a session stands. Stable values. */
typedef enum mpc_session_state {
    /** Created or started, not finished. */
    MPC_SESSION_RUNNING = 0,
    /** Finished; mpc_session_take_result gives the result. */
    MPC_SESSION_DONE = 1,
    /** Failed; mpc_session_blame says why. Final. */
    MPC_SESSION_FAILED = 2,
} mpc_session_state;

/** Message kinds. Stable values (they travel in frames). */
typedef enum mpc_session_kind {
    /** The same bytes go to every party of the sender's audience. */
    MPC_SESSION_BCAST = 1,
    /** For one recipient; may carry secrets (encrypt it in transit). */
    MPC_SESSION_P2P = 2,
    /** An engine-added echo exchange: broadcast digests, no payload. */
    MPC_SESSION_ECHO = 3,
} mpc_session_kind;

/** Why a session failed. Stable values (they travel in result events). */
typedef enum mpc_blame_reason {
    /** Not failed, or failed for a local reason (memory, a bug). */
    MPC_BLAME_NONE = 0,
    /** A message was malformed. */
    MPC_BLAME_PARSE = 1,
    /**
     * A well-formed message this party must not receive: another session
     * or protocol, a round, kind or recipient the round plan does not
     * allow, or a header sender that is not the authenticated sender.
     */
    MPC_BLAME_UNEXPECTED = 2,
    /** Two different messages for one (round, sender, kind). */
    MPC_BLAME_EQUIVOCATION = 3,
    /** The reliable-broadcast check failed (see mpc_blame.broadcaster). */
    MPC_BLAME_ECHO_MISMATCH = 4,
    /** A round's deadline passed with messages missing. */
    MPC_BLAME_TIMEOUT = 5,
    /** A proof, share, commitment or signature did not verify. */
    MPC_BLAME_VERIFY = 6,
    /** Any other protocol deviation a round function detected. */
    MPC_BLAME_PROTOCOL = 7,
} mpc_blame_reason;

/** mpc_blame.broadcaster when no broadcast is disputed. */
#define MPC_BLAME_NOBODY 0xFFFFFFFFu

#define MPC_BLAME_SET_BYTES 32
#define MPC_BLAME_DETAIL_BYTES 64

/**
 * The outcome of a failed session (identifiable abort).
 *
 * `parties` is a bitset over party indices (bit i of byte i/8; read it
 * with mpc_blame_has). When `attributable` is true, this party is certain
 * every party in the set misbehaved (a malformed, misdirected or
 * contradictory message, a bad proof). When it is false, the set holds
 * suspects only:
 * - TIMEOUT: the parties whose messages were missing (a network fault
 *   looks the same as a silent party);
 * - ECHO_MISMATCH between two other parties: the broadcaster (named in
 *   `broadcaster`) equivocated, or the echoer lied about what it got;
 *   this party cannot tell which, so it names both and blames neither.
 * An empty set means nobody can be named (a local error, or a protocol
 * check that cannot identify the culprit).
 */
typedef struct mpc_blame {
    /** The error that failed the session (MPC_OK if it did not fail). */
    mpc_err err;
    mpc_blame_reason reason;
    bool attributable;
    /** The round in which the failure arose (0 if before any round). */
    unsigned round;
    /** ECHO_MISMATCH: the party whose broadcast is disputed. */
    unsigned broadcaster;
    uint8_t parties[MPC_BLAME_SET_BYTES];
    /** A short constant description, NUL-terminated; no secrets. */
    char detail[MPC_BLAME_DETAIL_BYTES];
} mpc_blame;

/** True when `party` is in the blame's set. */
bool mpc_blame_has(const mpc_blame *b, unsigned party);

/** The number of parties in the blame's set. */
unsigned mpc_blame_count(const mpc_blame *b);

/** A constant name for a reason, e.g. "echo mismatch"; never NULL. */
const char *mpc_blame_reason_str(mpc_blame_reason r);

/** Everything mpc_session_new needs. Fill with _default, then set. */
typedef struct mpc_session_params {
    /** The protocol's round table; borrowed for the session's life. */
    const mpc_protocol *protocol;
    /**
     * The session id: unique per protocol run and agreed by all parties
     * (crypto.md §2.4 derives it from the protocol, key, party list,
     * threshold and a coordinator nonce). Every frame and every
     * Fiat–Shamir challenge is bound to it.
     */
    uint8_t sid[MPC_SESSION_ID_BYTES];
    /** This party's index, < n. */
    unsigned self;
    /** The number of parties, 1..MPC_SESSION_PARTIES_MAX. */
    unsigned n;
    /** The threshold, <= n (0 if the protocol has none); the protocol
     * checks its own rule. */
    unsigned threshold;
    /** The protocol's input (its type is the protocol's); borrowed for the
     * mpc_session_new call only: the protocol copies what it keeps. */
    const void *input;
    /** How long each round may take, from when it began; >= 1. */
    uint64_t round_timeout_ms;
} mpc_session_params;

/** Zeroes `p` and sets round_timeout_ms to MPC_SESSION_TIMEOUT_DEFAULT_MS. */
void mpc_session_params_default(mpc_session_params *p);

/**
 * Creates a session: validates the parameters and the protocol table,
 * copies what it keeps, runs the protocol's init, and plans every round
 * (who sends what to whom, and how each broadcast is echoed).
 * Returns: MPC_OK;
 *          MPC_ERR_INVALID_ARG: a NULL, self >= n, n or threshold out of
 *            range, round_timeout_ms 0, an incomplete protocol table, or
 *            an input the protocol rejects;
 *          MPC_ERR_NOMEM;
 *          or an error of the protocol's init.
 *          `*out` is written only on success.
 * Args: ctx: randomness and allocation; must outlive the session.
 * Out:  out: the new session, RUNNING but not started.
 * In:   params: copied (the input is read by the protocol's init only).
 */
MPC_WARN_UNUSED mpc_err mpc_session_new(mpc_session **out, const mpc_ctx *ctx,
                                        const mpc_session_params *params);

/**
 * Starts round 1: queues this party's first messages (drain them with
 * mpc_session_pop_outgoing). A party that has nothing to wait for may
 * finish at once.
 * Returns: MPC_OK;
 *          MPC_ERR_INVALID_ARG: s is NULL;
 *          MPC_ERR_STATE: already started;
 *          MPC_ERR_NOMEM, MPC_ERR_INTERNAL, or an error of a round
 *            function: the session is FAILED.
 */
MPC_WARN_UNUSED mpc_err mpc_session_start(mpc_session *s, uint64_t now_ms);

/**
 * Feeds one message from an authenticated peer. The frame must be for this
 * session, protocol and party, from `from`, for a round and kind the round
 * plan expects from `from`, and at most MPC_SESSION_FRAME_MAX_BYTES long.
 * A message for a later round is buffered. When a round has all its
 * messages (and echoes), it runs; that may queue messages and may finish
 * the session. The deadline is not checked here; see handle_timeout.
 * Returns: MPC_OK: stored, or an identical copy of a stored message (then
 *            ignored);
 *          MPC_ERR_INVALID_ARG: s is NULL, bytes is NULL with len > 0,
 *            from >= n or from is this party (nothing changes);
 *          MPC_ERR_STATE: not started, or no longer RUNNING (nothing
 *            changes; late copies after DONE land here);
 *          MPC_ERR_PARSE: the frame is malformed, its echo has the wrong
 *            length, or its payload exceeds the protocol's bound (the
 *            session is FAILED and blames `from`);
 *          MPC_ERR_PROTOCOL: unexpected (wrong session, protocol, round,
 *            kind, recipient or sender), an equivocation, or an echo
 *            mismatch (FAILED; blame says who);
 *          MPC_ERR_VERIFY and others from a round function (FAILED; the
 *            blame is the protocol's);
 *          MPC_ERR_NOMEM, MPC_ERR_INTERNAL (FAILED, nobody blamed).
 * In: from:  the authenticated sender's index.
 *     bytes: the frame, len bytes; copied if kept.
 */
MPC_WARN_UNUSED mpc_err mpc_session_recv(mpc_session *s, unsigned from,
                                         const uint8_t *bytes, size_t len,
                                         uint64_t now_ms);

/** One outgoing message. */
typedef struct mpc_session_msg {
    /** The recipient, or MPC_SESSION_TO_ALL for every other party. */
    unsigned to;
    unsigned round;
    /** P2P messages may carry secrets: encrypt them in transit. */
    mpc_session_kind kind;
    /** The frame; valid until the next call taking a non-const session. */
    const uint8_t *data;
    size_t len;
} mpc_session_msg;

/**
 * Takes the next queued message. A broadcast to every other party comes
 * once with to = MPC_SESSION_TO_ALL; a broadcast to a subset comes once
 * per recipient (same bytes). Call it until it returns false after every
 * start, recv and handle_timeout, also once the session is DONE (the last
 * round's messages must still go out) or FAILED (see the top).
 * Returns: true and fills `out`; false (and zeroes `out`) when the queue
 *          is empty or s is NULL.
 */
bool mpc_session_pop_outgoing(mpc_session *s, mpc_session_msg *out);

/**
 * The absolute time (ms, on the caller's clock) by which the current round
 * must complete, or UINT64_MAX when the session is not started, not
 * RUNNING, or s is NULL.
 */
uint64_t mpc_session_deadline(const mpc_session *s);

/**
 * Fails the session if its deadline has passed (now_ms >= deadline).
 * Returns: MPC_OK: now_ms is before the deadline; nothing changes;
 *          MPC_ERR_TIMEOUT: the session is now FAILED; the blame (reason
 *            TIMEOUT, not attributable) names the parties whose messages
 *            for the current round or echo exchange are missing;
 *          MPC_ERR_INVALID_ARG: s is NULL;
 *          MPC_ERR_STATE: not started or not RUNNING.
 */
MPC_WARN_UNUSED mpc_err mpc_session_handle_timeout(mpc_session *s,
                                                   uint64_t now_ms);

/** RUNNING, DONE or FAILED (FAILED for a NULL session). */
mpc_session_state mpc_session_status(const mpc_session *s);

/** The current round (1..rounds), 0 before start; for logs. */
unsigned mpc_session_round(const mpc_session *s);

/**
 * Moves the protocol's result out of a DONE session. The session keeps no
 * copy: from here on the result's secrets live only in `result`, which
 * the caller wipes with the protocol's own clear function.
 * Returns: MPC_OK;
 *          MPC_ERR_INVALID_ARG: a NULL, or result_len is not the size the
 *            protocol declared (a type check: pass sizeof the protocol's
 *            result struct);
 *          MPC_ERR_STATE: not DONE, or the result was already taken.
 *          On error `result` (result_len bytes) is zeroed.
 * Out: result: the protocol's result struct.
 */
MPC_WARN_UNUSED mpc_err mpc_session_take_result(mpc_session *s, void *result,
                                                size_t result_len);

/**
 * Copies out why a FAILED session failed.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG on a NULL; MPC_ERR_STATE if the
 *          session is not FAILED. On error `*out` is zeroed.
 */
MPC_WARN_UNUSED mpc_err mpc_session_blame(const mpc_session *s, mpc_blame *out);

/** Wipes and frees a session, its protocol state and its queue; NULL ok. */
void mpc_session_free(mpc_session *s);

/* ---- frames: parsing for drivers and tests ------------------------------ */

/** A frame's fields; the two byte strings are views into the frame. */
typedef struct mpc_session_frame {
    mpc_session_kind kind;
    uint32_t protocol;
    uint8_t sid[MPC_SESSION_ID_BYTES];
    unsigned round;
    unsigned from;
    unsigned to;
    const uint8_t *echo;
    size_t echo_len;
    const uint8_t *payload;
    size_t payload_len;
} mpc_session_frame;

/**
 * Parses a frame's syntax (not whether a session expects it): e.g. for a
 * driver that needs the round or recipient before it routes a message.
 * Returns: MPC_OK;
 *          MPC_ERR_PARSE: wrong version or kind, round 0, from or to out of
 *            range for the kind, from == to, an echo section that is not a
 *            whole number of digests or longer than
 *            MPC_SESSION_ECHO_MAX_BYTES, a payload above
 *            MPC_SESSION_PAYLOAD_MAX_BYTES or on an ECHO, a length that
 *            runs past the end, or trailing bytes. `*f` is zeroed.
 *          MPC_ERR_INVALID_ARG: a NULL (`*f` zeroed if f is not NULL).
 * Out: f: the fields; its views point into `bytes`.
 */
MPC_WARN_UNUSED mpc_err mpc_session_frame_parse(mpc_session_frame *f,
                                                const uint8_t *bytes,
                                                size_t len);

/**
 * Encodes a frame (current version) into `w`. The engine frames its own
 * messages; this is for tests and tools that forge or rewrite them.
 * Returns: MPC_OK (the writer's own errors show in its finish);
 *          MPC_ERR_INVALID_ARG: a NULL, or fields mpc_session_frame_parse
 *            would reject (nothing is written).
 */
MPC_WARN_UNUSED mpc_err mpc_session_frame_serialize(mpc_wire_writer *w,
                                                    const mpc_session_frame *f);

#endif /* MPC_SESSION_H */
