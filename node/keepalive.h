/*
 * node/keepalive.h — keeps JetStream from redelivering requests that are
 * still being handled.
 *
 * A request's session (barrier, rounds, members' reports) can outlast the
 * consumer's AckWait on a loaded machine; JetStream would then hand the
 * same request to another node, which answers a second time (duplicate
 * session). One ticker thread per node sends "in progress" for every
 * registered message each `period_ms` (AckWait / 3 leaves two misses of
 * slack), until the worker removes it just before it acks.
 *
 * Entries are the caller's memory (on the worker's stack): add, handle,
 * remove, then ack or nak. Removal waits for a tick in flight, so once
 * node_keepalive_remove returns the ticker no longer touches the message.
 *
 * Thread-safe. node_keepalive_stop requires every entry removed.
 */
#ifndef NODE_KEEPALIVE_H
#define NODE_KEEPALIVE_H

#include <stdint.h>

#include "mpc/err.h"
#include "node/transport.h"

/** The request consumers' AckWait over three (node/jsetup.c: 30 s). */
#define NODE_KEEPALIVE_PERIOD_MS INT64_C(10000)

typedef struct node_keepalive node_keepalive;

typedef struct node_keepalive_entry {
    struct node_keepalive_entry *prev;
    struct node_keepalive_entry *next;
    node_jsmsg *m;
} node_keepalive_entry;

/**
 * Starts the ticker.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (NULL, period_ms < 1);
 *          MPC_ERR_NOMEM; MPC_ERR_INTERNAL (no thread). `*out` is NULL on
 *          error.
 * In: t: BORROWED until node_keepalive_stop.
 */
MPC_WARN_UNUSED mpc_err node_keepalive_start(node_keepalive **out,
                                             node_transport *t,
                                             int64_t period_ms);

/** Stops the ticker and frees it; no entry may remain. NULL ok. */
void node_keepalive_stop(node_keepalive *k);

/** Keeps `m` alive from the next tick on, until removed. k NULL: no-op. */
void node_keepalive_add(node_keepalive *k, node_keepalive_entry *e,
                        node_jsmsg *m);

/** Stops keeping e's message alive (waits for a tick in flight). */
void node_keepalive_remove(node_keepalive *k, node_keepalive_entry *e);

/** "In progress" acks sent so far (tests, metrics). */
uint64_t node_keepalive_sent(node_keepalive *k);

#endif /* NODE_KEEPALIVE_H */
