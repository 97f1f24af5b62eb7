/*
 * node/liveness.h — the registry (node/registry.h) run inside a node: one
 * thread that writes this node's heartbeat and follows the others', and
 * the views the rest of the node asks for (which peers are alive and
 * ready, how many).
 *
 * Liveness only, never trust: every id asked about comes from the peers
 * file, and a heartbeat from an id outside it is ignored by the registry.
 * A peer counts as up when its heartbeat is within the liveness window
 * (6 s; written every 2 s) and says ready. This node always counts as up
 * for itself.
 *
 * Threads: every function may be called from any thread; stop must come
 * after every other call has returned.
 */
#ifndef NODE_LIVENESS_H
#define NODE_LIVENESS_H

#include <stdbool.h>
#include <stddef.h>

#include "mpc/err.h"
#include "node/registry.h"
#include "node/transport.h"

typedef struct node_liveness node_liveness;

/**
 * Opens the registry (buckets, watches, health responder) and starts its
 * thread. Not ready until node_liveness_set_ready(true).
 * Returns: MPC_OK; the errors of node_registry_new (MPC_ERR_INVALID_ARG
 *          also for an id the registry cannot carry); MPC_ERR_INTERNAL (no
 *          thread); MPC_ERR_NOMEM. `*out` NULL on error.
 * In: t: borrowed, outlives the object; self: this node's id; peers: the
 *     other ids of the peers file (copied).
 */
MPC_WARN_UNUSED mpc_err node_liveness_start(node_liveness **out,
                                            node_transport *t, const char *self,
                                            const char *const *peers,
                                            size_t n_peers);

/** Stops the thread, deletes our heartbeat (peers see us gone at once),
 *  frees. NULL does nothing. */
void node_liveness_stop(node_liveness *lv);

/**
 * Sets the ready flag our heartbeats carry and writes one now.
 * Returns: MPC_OK; the transport's error (the next heartbeat retries).
 */
MPC_WARN_UNUSED mpc_err node_liveness_set_ready(node_liveness *lv, bool ready);

/**
 * True when `node_id` is this node, or a peer whose heartbeat is fresh and
 * ready. The signature of node_ops_config.peer_alive (`ud` is the
 * node_liveness).
 */
bool node_liveness_alive(void *ud, const char *node_id);

/** How many nodes are up (this one included). */
size_t node_liveness_count(node_liveness *lv);

/**
 * Follows a node added to the peers file while we run.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (invalid id, too many peers).
 */
MPC_WARN_UNUSED mpc_err node_liveness_peer_add(node_liveness *lv,
                                               const char *node_id);

/** The registry itself (key info); valid until node_liveness_stop. */
node_registry *node_liveness_registry(node_liveness *lv);

#endif /* NODE_LIVENESS_H */
