/*
 * tests/protocol/simnet.h — n sessions of one protocol in one process, on a
 * simulated network with a virtual clock and injectable faults.
 *
 *     simnet *net = simnet_new(&proto, n, t, inputs);
 *     simnet_set_dup_rate(net, 200);            optional faults
 *     CHECK(simnet_run(net, 100000) == SIMNET_ALL_DONE);
 *     simnet_take_result(net, i, &result, sizeof result);
 *     simnet_free(net);
 *
 * Each party gets its own mpc_ctx whose DRBG is seeded from the test's rng
 * and the party index; simnet_twin_ctx makes another context with the same
 * stream, for an identical twin of a party. Messages are delivered one
 * at a time, in an order drawn from a DRBG seeded by the test's own rng:
 * a failing run replays from the runner's printed seed. Every delivery
 * advances the clock by 1 ms; when nothing is in flight the clock jumps
 * to the earliest deadline and the expired sessions get handle_timeout.
 * Broadcasts to everybody are fanned out to one copy per recipient, so
 * each copy is ordered, dropped, duplicated, corrupted and tampered with
 * on its own.
 */
#ifndef TESTS_SIMNET_H
#define TESTS_SIMNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/protocol.h"
#include "mpc/session.h"
#include "mpc/wire.h"

/* Matches any round or party in simnet_drop_match. */
#define SIMNET_ANY 0xFFFFFFFFu

/* The per-round timeout (virtual ms) when the config gives none. */
#define SIMNET_TIMEOUT_MS 1000

typedef struct simnet simnet;

typedef struct simnet_config {
    const mpc_protocol *protocol;
    unsigned n;
    unsigned threshold;
    /* inputs[i] is party i's protocol input. */
    const void *const *inputs;
    /* ctxs[i] is party i's context (borrowed); NULL: the net makes one per
     * party. */
    const mpc_ctx *const *ctxs;
    /* 0: SIMNET_TIMEOUT_MS. */
    uint64_t round_timeout_ms;
} simnet_config;

typedef enum simnet_outcome {
    SIMNET_ALL_DONE = 0,
    SIMNET_SOME_FAILED = 1,
    /* max_steps ran out with sessions still RUNNING. */
    SIMNET_STALLED = 2,
} simnet_outcome;

/* What the malicious-party hook decides for one copy of a message. */
typedef enum simnet_verdict {
    SIMNET_KEEP = 0,    /* deliver it as it was */
    SIMNET_REWRITE = 1, /* deliver *f, re-encoded */
    SIMNET_DROP = 2,    /* do not deliver it */
} simnet_verdict;

/*
 * Sees every copy of a message the hooked party sends, before delivery.
 * `f` is the parsed frame, except that f->to is the actual recipient, also
 * for broadcasts (re-encoding puts the broadcast marker back unless the
 * hook changed f->to or the kind). The hook may change any field. If it
 * writes anything to `payload`, that replaces the payload (to send an
 * empty one, set f->payload_len = 0 and write nothing). Views it stores in
 * `f` must stay valid until it returns.
 */
typedef simnet_verdict (*simnet_tamper_fn)(void *ud, mpc_session_frame *f,
                                           mpc_wire_writer *payload);

/* Creates the sessions (not started). NULL if any mpc_session_new fails. */
simnet *simnet_new(const mpc_protocol *protocol, unsigned n, unsigned threshold,
                   const void *const *inputs);
simnet *simnet_new_cfg(const simnet_config *cfg);

void simnet_free(simnet *net);

/* ---- faults (per mille: 0..1000) ---------------------------------------- */

void simnet_set_drop_rate(simnet *net, unsigned per_mille);
void simnet_set_dup_rate(simnet *net, unsigned per_mille);
/* Flips one random bit of a message. */
void simnet_set_corrupt_rate(simnet *net, unsigned per_mille);
/* Only messages from `from` (or SIMNET_ANY) are corrupted. */
void simnet_set_corrupt_from(simnet *net, unsigned from);
/* Deliver in sending order instead of a random order. */
void simnet_set_fifo(simnet *net, bool fifo);
/* Drops every message of `round` from `from` to `to` (each may be ANY). */
void simnet_drop_match(simnet *net, unsigned round, unsigned from, unsigned to);
/* Installs the malicious-party hook for everything `party` sends. */
void simnet_set_tamper(simnet *net, unsigned party, simnet_tamper_fn fn,
                       void *ud);

/* ---- running ------------------------------------------------------------ */

/* Starts every session that is not started yet (at the current time). */
void simnet_start(simnet *net);

/* One step: a delivery, or a clock jump plus timeouts. False when nothing
 * is left to do (no session RUNNING, or nothing in flight and no
 * deadline). Starts the sessions first if needed. */
bool simnet_step(simnet *net);

/* Steps until no session is RUNNING or max_steps steps were taken. */
simnet_outcome simnet_run(simnet *net, size_t max_steps);

/* Puts raw bytes in flight from `from` to `to` (faults do not apply). */
void simnet_inject(simnet *net, unsigned from, unsigned to,
                   const uint8_t *bytes, size_t len);

/* ---- accessors ---------------------------------------------------------- */

mpc_session *simnet_session(const simnet *net, unsigned i);
const mpc_ctx *simnet_ctx(const simnet *net, unsigned i);
/* A new context (freed with the net) whose rng gives the same stream as the
 * net-made context of party i had at creation; NULL when out of room. */
const mpc_ctx *simnet_twin_ctx(simnet *net, unsigned i);
const uint8_t *simnet_sid(const simnet *net);
uint64_t simnet_now(const simnet *net);
size_t simnet_in_flight(const simnet *net);
/* Messages delivered to a session so far (not counting drops). */
size_t simnet_delivered(const simnet *net);
mpc_session_state simnet_status(const simnet *net, unsigned i);
/* The last error mpc_session_recv/handle_timeout returned to party i. */
mpc_err simnet_last_err(const simnet *net, unsigned i);
mpc_err simnet_take_result(simnet *net, unsigned i, void *result, size_t len);
/* Party i's blame; a zeroed blame if it did not fail. */
mpc_blame simnet_blame(const simnet *net, unsigned i);

#endif
