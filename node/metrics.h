/*
 * node/metrics.h — the node's numbers in Prometheus text format (0.0.4).
 *
 * The counters live where they change (node/sessions.h keeps sessions,
 * threads and subscriptions; node/transport.h the connection); this module
 * only renders a snapshot of them, so it holds no state and needs no lock.
 */
#ifndef NODE_METRICS_H
#define NODE_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "node/sessions.h"
#include "node/transport.h"

/** One snapshot of everything /health and /metrics report. */
typedef struct node_metrics_view {
    node_sessions_stats sessions;
    node_transport_stats transport;
    /** Peers known to be up, this node included, and the cluster size. */
    size_t peers_ready;
    size_t peers_total;
    /** Signers per key: the majority rule of /health. */
    size_t threshold;
    /** Still starting: the Paillier primes are being made (/health is
     *  not ready until they exist). */
    bool starting;
    /** The ECDSA aux-info of the current committee is stored. */
    bool ecdsa_aux_ready;
    /** Client requests this node has pulled and not yet answered, per
     *  type; each at most its max_concurrent_* limit. */
    size_t keygen_in_hand;
    size_t signing_in_hand;
    size_t reshare_in_hand;
} node_metrics_view;

/**
 * Writes the Prometheus text of `v` into out (cap bytes, NUL-terminated).
 * Returns the length written, or 0 when cap is too small (out then "").
 */
size_t node_metrics_render(char *out, size_t cap, const node_metrics_view *v);

#endif /* NODE_METRICS_H */
