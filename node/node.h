/*
 * node/node.h — the node object: everything one mpcium-node process runs.
 *
 * node_start brings the node up in this order, stopping at the first
 * failure with a message in `err`:
 *   keystore password -> identity -> peers file (every peer's identity,
 *   self listed, threshold fits) -> keystore -> NATS -> JetStream streams
 *   and durables (node/jsetup.h) -> sessions -> ops (SessionStart
 *   listener) -> one intake thread per request consumer (keygen, signing)
 *   -> HTTP /health and /metrics (if healthcheck.enabled).
 * It returns once the node serves requests; the caller then logs
 * `[READY]`. node_stop stops intake, waits for running sessions, and frees
 * everything in reverse order.
 *
 * Intake: each thread pulls one message at a time from its shared durable
 * consumer and hands it to node_ops_handle; the message is acked once a
 * result is published, nak'ed (JetStream redelivers) when publishing
 * failed.
 *
 * Not yet here: the registry (heartbeats, liveness, key info in KV; /health
 * counts every peer as up until then), reshare and presign intake.
 */
#ifndef NODE_NODE_H
#define NODE_NODE_H

#include <stddef.h>

#include "mpc/err.h"
#include "node/config.h"

typedef struct node node;

/**
 * Starts a node from a loaded configuration.
 * Returns: MPC_OK; the error of the step that failed (`err` names it).
 * In: cfg: borrowed for the node's life. envp: for MPCIUM_DB_PASSWORD and
 *     MPCIUM_IDENTITY_PASSWORD (may be NULL).
 */
MPC_WARN_UNUSED mpc_err node_start(node **out, const node_config *cfg,
                                   const char *const *envp, char *err,
                                   size_t err_len);

/** Stops and frees; NULL does nothing. */
void node_stop(node *n);

#endif /* NODE_NODE_H */
