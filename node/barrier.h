/*
 * node/barrier.h — the readiness barrier of a session, as a pure state
 * machine with a virtual clock.
 *
 * Before the first round, every member of a session makes sure every other
 * member is subscribed to the session and has accepted its start: it pings
 * each peer (BarrierPing, request/reply) until that peer answers
 * (BarrierPong), and gives up `total_ms` after the barrier began. The wait
 * between two pings to one peer starts at `first_retry_ms` and doubles up
 * to `retry_ms`: a peer that is still taking the SessionStart is usually
 * subscribed within a few milliseconds, and a fixed 300 ms (mpcium) would
 * add 300 ms to almost every session. mpcium waits 10 s in all and retries
 * every 300 ms; those bounds are the defaults.
 *
 * The barrier sends nothing and reads no clock: the driver asks it whom to
 * ping (node_barrier_next_ping), tells it who answered
 * (node_barrier_on_pong), and sleeps until node_barrier_next_wakeup or
 * until a pong arrives. Time is in milliseconds on the driver's monotonic
 * clock; a `now` smaller than one seen before is taken as the one seen
 * before.
 *
 *     node_barrier b;
 *     node_barrier_init(&b, n_peers, now, &policy);
 *     while (node_barrier_status(&b) == NODE_BARRIER_WAITING) {
 *         while (node_barrier_next_ping(&b, now, &peer))
 *             send a ping to peer (its pong calls node_barrier_on_pong);
 *         wait until node_barrier_next_wakeup(&b) or a pong; now = clock;
 *     }
 *
 * Give each ping request a timeout of at most retry_ms, so that at most
 * one ping per peer is in flight.
 *
 * Peers are indices 0..n-1 in the driver's own order (e.g. the session's
 * parties without this node). State changes only in next_ping and on_pong;
 * the READY/TIMED_OUT outcome is final.
 *
 * Rules for the whole header: pointer arguments must not be NULL unless
 * stated; no function keeps a pointer to its inputs. A barrier is not
 * thread-safe: its owner serializes the calls.
 */
#ifndef NODE_BARRIER_H
#define NODE_BARRIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"

/** The most peers a barrier waits for (a session has at most 255 parties). */
#define NODE_BARRIER_PEERS_MAX 255

/** mpcium's values (PeerReadyTimeout 10 s, retry 300 ms). */
#define NODE_BARRIER_RETRY_DEFAULT_MS 300
/** The first wait between pings to a peer; doubled on each retry. */
#define NODE_BARRIER_FIRST_RETRY_DEFAULT_MS 2
#define NODE_BARRIER_TOTAL_DEFAULT_MS 10000

typedef enum node_barrier_state {
    /** Some peers have not answered and the bound has not passed. */
    NODE_BARRIER_WAITING = 0,
    /** Every peer answered before the bound. Final. */
    NODE_BARRIER_READY = 1,
    /** The bound passed first; node_barrier_missing names who. Final. */
    NODE_BARRIER_TIMED_OUT = 2,
} node_barrier_state;

typedef struct node_barrier_policy {
    /** The longest wait between two pings to one peer; >= 1. */
    uint64_t retry_ms;
    /** The first wait, doubled after each ping up to retry_ms; 0 (or more
     * than retry_ms) means retry_ms every time. */
    uint64_t first_retry_ms;
    /** How long the barrier may wait in all, from init; >= 1. */
    uint64_t total_ms;
} node_barrier_policy;

/** Fills `p` with the defaults above. */
void node_barrier_policy_default(node_barrier_policy *p);

/**
 * The barrier's state. Fields are private; the struct is public so that
 * it can live inside the session that owns it (no allocation).
 */
typedef struct node_barrier {
    size_t n;
    size_t answered;
    node_barrier_state state;
    uint64_t now;
    uint64_t deadline;
    uint64_t retry_ms;
    uint64_t first_retry_ms;
    /** When each peer may be pinged next. */
    uint64_t due[NODE_BARRIER_PEERS_MAX];
    /** Which peers answered. */
    bool answered_by[NODE_BARRIER_PEERS_MAX];
    /** How many times each peer was pinged. */
    uint32_t pings[NODE_BARRIER_PEERS_MAX];
} node_barrier;

/**
 * Starts a barrier at `now` over n peers, each due for a ping at once.
 * With no peers it is READY at once.
 * Returns: MPC_OK;
 *          MPC_ERR_INVALID_ARG: a NULL, n > NODE_BARRIER_PEERS_MAX, or a
 *            zero retry_ms or total_ms (`*b` is zeroed).
 * Out: b. In: policy: copied.
 */
MPC_WARN_UNUSED mpc_err node_barrier_init(node_barrier *b, size_t n,
                                          uint64_t now,
                                          const node_barrier_policy *policy);

/**
 * Which peer to ping now: the unanswered peer whose ping is due
 * (due <= now) earliest, the lowest index first among equals. The barrier
 * counts the ping as sent and makes the peer due again at now + the
 * peer's current wait (first_retry_ms · 2^(pings − 1), at most retry_ms).
 * At or after the deadline a WAITING barrier becomes TIMED_OUT instead.
 * Call it until it returns false whenever now reaches next_wakeup.
 * Returns: true and sets *peer; false (and *peer = 0) when no ping is due,
 *          the barrier is not WAITING, or b or peer is NULL.
 */
bool node_barrier_next_ping(node_barrier *b, uint64_t now, size_t *peer);

/**
 * Records that `peer` answered at `now`. The last answer makes the barrier
 * READY. A repeated answer, or one after READY, changes nothing.
 * Returns: MPC_OK: recorded (or already known);
 *          MPC_ERR_TIMEOUT: the deadline has passed (now >= deadline): the
 *            answer is ignored and a WAITING barrier becomes TIMED_OUT;
 *          MPC_ERR_INVALID_ARG: b is NULL or peer >= n (nothing changes).
 */
MPC_WARN_UNUSED mpc_err node_barrier_on_pong(node_barrier *b, size_t peer,
                                             uint64_t now);

/** WAITING, READY or TIMED_OUT (TIMED_OUT for a NULL barrier). */
node_barrier_state node_barrier_status(const node_barrier *b);

/** The absolute time the barrier gives up at (init's now + total_ms). */
uint64_t node_barrier_deadline(const node_barrier *b);

/**
 * When the driver must next call node_barrier_next_ping: the earliest due
 * ping or the deadline, whichever is first; UINT64_MAX when the barrier is
 * not WAITING or b is NULL.
 */
uint64_t node_barrier_next_wakeup(const node_barrier *b);

/** True when `peer` has answered (false for a NULL b or peer >= n). */
bool node_barrier_is_answered(const node_barrier *b, size_t peer);

/** How many pings `peer` was sent (0 for a NULL b or peer >= n). */
uint32_t node_barrier_pings(const node_barrier *b, size_t peer);

/**
 * Lists the peers that have not answered, in index order: writes up to
 * `cap` of them to `out` (may be NULL when cap is 0) and returns how many
 * there are in all (0 for a NULL b).
 */
size_t node_barrier_missing(const node_barrier *b, size_t *out, size_t cap);

#endif /* NODE_BARRIER_H */
