/*
 * node/sessions.h — runs one member's side of a protocol session over the
 * transport: subscribe, barrier, rounds, teardown.
 *
 * A node_sessions manager holds what every session of this node shares:
 * the transport, the library context, this node's envelope identity and
 * the peers file (as node_envelope_peer entries). node_session_start
 * launches ONE owner thread per session; it:
 *
 *   1. subscribes to the session's subjects (docs/wire.md §1):
 *        mpcium.v1.s.<sid hex>.<self id>           frames for this node
 *        mpcium.v1.s.<sid hex>.all                 broadcasts and echoes
 *        mpcium.v1.s.<sid hex>.<self id>.barrier   barrier pings
 *      The callbacks only copy the bytes into the session's mailbox (a
 *      bounded FIFO); barrier pings are answered in the callback with a
 *      signed BarrierPong, since subscribing means "accepted".
 *   2. runs the readiness barrier (node/barrier.h): pings every other
 *      party by request/reply until all have answered or the barrier bound
 *      passes; waits between pings are bounded and wake on cancel;
 *   3. starts the library session (mpc/session.h) and feeds it every
 *      authenticated frame from the mailbox, publishing what it queues
 *      (P2P frames sealed for their recipient), and fails it at its round
 *      deadline;
 *   4. tears down on one path: unsubscribe everything, free the library
 *      session (which wipes its secrets), drain and wipe the mailbox.
 *
 * node_session_join waits for the owner thread and hands out the result
 * (or the error and blame), then frees the session. Every started session
 * must be joined exactly once.
 *
 * Committee selection, SessionStart fan-out, persistence and client results
 * are the callers' job (ops_*); this module knows no protocol.
 *
 * Threads: the manager is thread-safe; sessions of one manager run in
 * parallel. The context's rng must be thread-safe (the OS generator is).
 *
 * Rules: pointer arguments must not be NULL unless stated (else
 * MPC_ERR_INVALID_ARG); inputs are borrowed for the call only, except
 * where said; outputs are zeroed on failure.
 */
#ifndef NODE_SESSIONS_H
#define NODE_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/session.h"
#include "node/envelope.h"
#include "node/transport.h"

/** Most messages, and bytes, one session's mailbox holds; more are dropped
 *  (anyone who can publish on the session's subjects can fill it before
 *  authentication, so both are bounded; a flood only times the round
 *  out). */
#define NODE_SESSION_MAILBOX_MAX 1024
#define NODE_SESSION_MAILBOX_MAX_BYTES (64u * 1024u * 1024u)

/** Live-resource counters of a manager, for leak checks and /metrics. */
typedef struct node_sessions_stats {
    /** Sessions started and not yet joined. */
    uint64_t live_sessions;
    /** Owner threads running. */
    uint64_t live_threads;
    /** Subscriptions held by sessions. */
    uint64_t live_subs;
    /** Totals since the manager was made. */
    uint64_t started;
    uint64_t succeeded;
    uint64_t failed;
    /** Mailbox messages dropped (full mailbox) or rejected (bad bytes). */
    uint64_t dropped;
    uint64_t rejected;
} node_sessions_stats;

typedef struct node_sessions node_sessions;

/**
 * Makes a manager.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG: a NULL, n_peers 0 or above
 *          MPC_SESSION_PARTIES_MAX; MPC_ERR_NOMEM. `*out` is NULL on error.
 * In: t, ctx, self, peers: BORROWED for the manager's life (they must
 *       outlive it and stay unchanged); peers: every other node of the
 *       peers file (node_envelope_peer_init), n_peers of them.
 */
MPC_WARN_UNUSED mpc_err node_sessions_new(node_sessions **out,
                                          node_transport *t, const mpc_ctx *ctx,
                                          const node_envelope_self *self,
                                          const node_envelope_peer *peers,
                                          size_t n_peers);

/**
 * Follows nodes the operator added to the peers file: the caller has
 * initialised entries [old count, n_peers) of the array it passed to
 * node_sessions_new (which must have room for them); from now on they are
 * peers. Entries below the old count must not change.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (NULL, fewer peers than before, or
 *          MPC_SESSION_PARTIES_MAX or more).
 */
MPC_WARN_UNUSED mpc_err node_sessions_peers_grow(node_sessions *m,
                                                 size_t n_peers);

/** Frees the manager; every session must have been joined. NULL ok. */
void node_sessions_free(node_sessions *m);

/** Copies the counters. */
void node_sessions_stats_get(const node_sessions *m, node_sessions_stats *out);

/** What a session runs. All of it is read during node_session_start. */
typedef struct node_session_spec {
    /** Agreed by every party (node_envelope_start_sid of the start). */
    uint8_t sid[NODE_ENVELOPE_SID_BYTES];
    node_envelope_op op;
    const mpc_protocol *protocol;
    /** The protocol's input (mpc_session_params.input). */
    const void *input;
    /** Party i's node id; self must be one of them; ids distinct and in
     *  the manager's peers file. 2..MPC_SESSION_PARTIES_MAX entries. */
    const char *const *parties;
    size_t n_parties;
    unsigned threshold;
    /** Per-round timeout and barrier bound, 1..NODE_ENVELOPE_TIMEOUT_MAX_MS;
     *  0 takes the defaults (mpc/session.h, node/barrier.h). */
    uint64_t round_timeout_ms;
    uint64_t barrier_timeout_ms;
} node_session_spec;

typedef struct node_session node_session;

/**
 * Creates the library session, subscribes, and starts the owner thread.
 * Returns: MPC_OK;
 *          MPC_ERR_INVALID_ARG: a NULL, a bad spec (self not a party, an
 *            unknown or repeated id, timeouts out of range), or an input
 *            the protocol rejects;
 *          MPC_ERR_UNAVAILABLE: the transport could not subscribe;
 *          MPC_ERR_NOMEM; MPC_ERR_INTERNAL: no thread;
 *          or an error of mpc_session_new. `*out` is NULL on error and
 *          nothing is left behind.
 */
MPC_WARN_UNUSED mpc_err node_session_start(node_sessions *m, node_session **out,
                                           const node_session_spec *spec);

/** Asks the owner thread to stop early (it fails with MPC_ERR_STATE; the
 *  blame's detail says "cancelled"). */
void node_session_cancel(node_session *s);

/**
 * Shutdown: cancels every session started and not yet joined, and every
 * session started from now on, as soon as it starts. Each fails through
 * its normal failure path (node_session_join returns MPC_ERR_STATE, blame
 * reason NONE, nobody named, detail "node shutting down"); the owner
 * threads notice at their next wait, or after the frame being processed.
 * Irreversible. m NULL: no-op.
 */
void node_sessions_cancel_all(node_sessions *m);

/**
 * Waits for the session to finish, moves its result out and frees it.
 * Returns: MPC_OK: `result` holds the protocol's result (result_len must
 *            be its size; its secrets are the caller's to wipe);
 *          MPC_ERR_TIMEOUT: the barrier timed out, or a round did (the
 *            blame names suspects);
 *          MPC_ERR_STATE: cancelled (node_session_cancel,
 *            node_sessions_cancel_all; the blame's detail says which);
 *          any other error that failed the session (blame says who).
 *          On error `result` is zeroed. s is freed in every case.
 * Out: result; blame (may be NULL): why it failed (zeroed on success);
 *      for a barrier timeout: reason TIMEOUT, round 0, the silent parties.
 */
MPC_WARN_UNUSED mpc_err node_session_join(node_session *s, void *result,
                                          size_t result_len, mpc_blame *blame);

#endif /* NODE_SESSIONS_H */
