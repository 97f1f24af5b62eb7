/*
 * node/gate.h — a counting gate: at most `limit` holders at once.
 *
 * The intake loop of each request type takes a slot before it pulls a
 * request and hands the slot to the worker that handles it; the worker
 * leaves when the request is answered. A request over the limit is thus
 * never pulled: it waits in JetStream (mpcium's max_concurrent_keygen,
 * max_concurrent_signing; our max_concurrent_reshare).
 *
 * Thread-safe. Every wait is bounded except node_gate_drain, which waits
 * for holders whose own work is bounded (session deadlines).
 */
#ifndef NODE_GATE_H
#define NODE_GATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "mpc/err.h"

/** Upper bound of a limit (a thread per holder). */
#define NODE_GATE_LIMIT_MAX 10000u

typedef struct node_gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned limit;
    unsigned busy;
} node_gate;

/**
 * Makes an open gate with `limit` slots.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (g NULL, limit 0 or above
 *          NODE_GATE_LIMIT_MAX); MPC_ERR_INTERNAL (pthread failure).
 */
MPC_WARN_UNUSED mpc_err node_gate_init(node_gate *g, unsigned limit);

/** Frees what init made; no holder may remain (drain first). */
void node_gate_destroy(node_gate *g);

/** Takes a slot, waiting at most wait_ms (>= 0) for one; true if taken. */
bool node_gate_enter(node_gate *g, int64_t wait_ms);

/** Gives a slot back (one taken by node_gate_enter, on any thread). */
void node_gate_leave(node_gate *g);

/** Holders right now (a snapshot). */
unsigned node_gate_busy(node_gate *g);

/** Waits until every slot is free. */
void node_gate_drain(node_gate *g);

#endif /* NODE_GATE_H */
