/*
 * node/metrics.c — Prometheus text rendering (see metrics.h).
 */
#include "node/metrics.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

typedef struct writer {
    char *out;
    size_t cap;
    size_t len;
    bool overflow;
} writer;

static void put(writer *w, const char *name, const char *type, const char *help,
                uint64_t value)
{
    if (w->overflow)
        return;
    int n = snprintf(w->out + w->len, w->cap - w->len,
                     "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name, help,
                     name, type, name, value);
    if (n < 0 || (size_t)n >= w->cap - w->len)
        w->overflow = true;
    else
        w->len += (size_t)n;
}

size_t node_metrics_render(char *out, size_t cap, const node_metrics_view *v)
{
    if (out == NULL || cap == 0 || v == NULL)
        return 0;
    writer w = {.out = out, .cap = cap};
    const node_sessions_stats *s = &v->sessions;
    const node_transport_stats *t = &v->transport;
    put(&w, "mpcium_sessions_live", "gauge", "Sessions running.",
        s->live_sessions);
    put(&w, "mpcium_session_threads_live", "gauge",
        "Session owner threads running.", s->live_threads);
    put(&w, "mpcium_session_subscriptions_live", "gauge",
        "NATS subscriptions held by sessions.", s->live_subs);
    put(&w, "mpcium_sessions_started_total", "counter", "Sessions started.",
        s->started);
    put(&w, "mpcium_sessions_succeeded_total", "counter",
        "Sessions that produced a result.", s->succeeded);
    put(&w, "mpcium_sessions_failed_total", "counter",
        "Sessions that failed (timeout, blame, cancel).", s->failed);
    put(&w, "mpcium_session_messages_dropped_total", "counter",
        "Session messages dropped (full mailbox).", s->dropped);
    put(&w, "mpcium_session_messages_rejected_total", "counter",
        "Session messages that did not authenticate or fit.", s->rejected);
    put(&w, "mpcium_nats_connected", "gauge", "1 when connected to NATS.",
        t->connected ? 1u : 0u);
    put(&w, "mpcium_nats_reconnects_total", "counter", "NATS reconnects.",
        t->reconnects);
    put(&w, "mpcium_nats_subscriptions_live", "gauge",
        "NATS subscriptions of the node.", t->live_subs);
    put(&w, "mpcium_peers_ready", "gauge", "Peers up, this node included.",
        v->peers_ready);
    put(&w, "mpcium_peers_total", "gauge", "Nodes in the peers file.",
        v->peers_total);
    put(&w, "mpcium_ecdsa_aux_ready", "gauge",
        "1 when the committee's ECDSA aux-info is stored.",
        v->ecdsa_aux_ready ? 1u : 0u);
    put(&w, "mpcium_keygen_requests_in_hand", "gauge",
        "Keygen requests pulled and not yet answered.", v->keygen_in_hand);
    put(&w, "mpcium_signing_requests_in_hand", "gauge",
        "Signing requests pulled and not yet answered.", v->signing_in_hand);
    put(&w, "mpcium_reshare_requests_in_hand", "gauge",
        "Reshare requests pulled and not yet answered.", v->reshare_in_hand);
    if (w.overflow) {
        out[0] = '\0';
        return 0;
    }
    return w.len;
}
