/*
 * node/http.h — /health (mpcium's JSON) and /metrics (Prometheus text)
 * over libmicrohttpd, on one internal polling thread.
 *
 * GET /health answers
 *   {"status":"ready"|"not_ready","live":true,"ready":bool,
 *    "details":{"nats_connected":bool,"consul_connected":bool,
 *               "peers_ready_count":"x/y","all_peers_ready":bool,
 *               "majority_ready":bool}}
 * with 200 when ready (NATS connected and at least `threshold` nodes up),
 * else 503. There is no Consul: consul_connected mirrors nats_connected,
 * which holds the registry. GET /metrics answers node_metrics_render.
 * Anything else is 404. Reads and writes time out after 5 s.
 */
#ifndef NODE_HTTP_H
#define NODE_HTTP_H

#include <stdbool.h>

#include "mpc/err.h"
#include "node/metrics.h"

/** Fills a snapshot; called on the HTTP thread, must not block long. */
typedef void (*node_http_view_fn)(void *ud, node_metrics_view *out);

typedef struct node_http node_http;

/**
 * Listens on `address`: "host:port" (IPv4 literal) or ":port" (all
 * interfaces).
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (bad address, NULL view);
 *          MPC_ERR_IO (cannot listen); MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err node_http_start(node_http **out, const char *address,
                                        node_http_view_fn view, void *ud);

/** Stops the server and frees it; NULL does nothing. */
void node_http_stop(node_http *h);

/**
 * The /health body and status for a snapshot (exposed for tests).
 * Returns the HTTP status (200 or 503); body: NUL-terminated, cap bytes.
 */
unsigned node_http_health(char *body, size_t cap, const node_metrics_view *v);

#endif /* NODE_HTTP_H */
