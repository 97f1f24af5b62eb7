/*
 * node/liveness.c — the registry's thread inside a node (see liveness.h).
 */
#include "node/liveness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/log.h"

/* Each poll waits at most this long for watch events: small against the
 * liveness window, and the bound on how long stop waits. */
#define POLL_WAIT_MS 200
#define SOFTWARE_VERSION "mpcium-c"

struct node_liveness {
    node_registry *r;
    char self[NODE_REGISTRY_ID_MAX_BYTES + 1];
    pthread_t thread;
    bool running;
    atomic_bool stop;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *poll_thread(void *arg)
{
    node_liveness *lv = arg;
    mpc_err last = MPC_OK;
    while (!atomic_load(&lv->stop)) {
        mpc_err e = node_registry_poll(lv->r, mono_ms(), POLL_WAIT_MS);
        /* Log changes only: a NATS outage would otherwise log 5 lines/s. */
        if (e != last)
            node_log(e == MPC_OK ? NODE_LOG_INFO : NODE_LOG_WARN, "registry",
                     "status=%s", mpc_err_str(e));
        last = e;
    }
    return NULL;
}

mpc_err node_liveness_start(node_liveness **out, node_transport *t,
                            const char *self, const char *const *peers,
                            size_t n_peers)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    if (t == NULL || self == NULL || (peers == NULL && n_peers > 0) ||
        strlen(self) > NODE_REGISTRY_ID_MAX_BYTES)
        return MPC_ERR_INVALID_ARG;
    node_liveness *lv = calloc(1, sizeof *lv);
    if (lv == NULL)
        return MPC_ERR_NOMEM;
    memcpy(lv->self, self, strlen(self) + 1);
    atomic_init(&lv->stop, false);
    node_registry_config c;
    node_registry_config_default(&c);
    c.node_id = self;
    c.version = SOFTWARE_VERSION;
    c.peers = peers;
    c.npeers = n_peers;
    mpc_err e = node_registry_new(&lv->r, t, &c);
    if (e == MPC_OK && pthread_create(&lv->thread, NULL, poll_thread, lv) != 0)
        e = MPC_ERR_INTERNAL;
    if (e != MPC_OK) {
        node_registry_free(lv->r);
        free(lv);
        return e;
    }
    lv->running = true;
    *out = lv;
    return MPC_OK;
}

void node_liveness_stop(node_liveness *lv)
{
    if (lv == NULL)
        return;
    atomic_store(&lv->stop, true);
    if (lv->running)
        pthread_join(lv->thread, NULL);
    node_registry_free(lv->r);
    free(lv);
}

mpc_err node_liveness_set_ready(node_liveness *lv, bool ready)
{
    return node_registry_set_ready(lv->r, ready);
}

bool node_liveness_alive(void *ud, const char *node_id)
{
    node_liveness *lv = ud;
    if (strcmp(node_id, lv->self) == 0)
        return true;
    node_peer_status st;
    return node_registry_peer(lv->r, node_id, mono_ms(), &st) == MPC_OK &&
           st.ready;
}

size_t node_liveness_count(node_liveness *lv)
{
    const char *up[NODE_REGISTRY_PEERS_MAX + 1];
    size_t n = node_registry_alive(lv->r, mono_ms(), true, up,
                                   sizeof up / sizeof up[0]);
    /* Until our own heartbeat echoes back, count ourselves anyway. */
    for (size_t i = 0; i < n; i++)
        if (strcmp(up[i], lv->self) == 0)
            return n;
    return n + 1;
}

mpc_err node_liveness_peer_add(node_liveness *lv, const char *node_id)
{
    return node_registry_peer_add(lv->r, node_id);
}

node_registry *node_liveness_registry(node_liveness *lv)
{
    return lv->r;
}
