/*
 * node/gate.c — a counting gate (see gate.h).
 */
#include "node/gate.h"

#include <errno.h>
#include <time.h>

mpc_err node_gate_init(node_gate *g, unsigned limit)
{
    if (g == NULL || limit == 0 || limit > NODE_GATE_LIMIT_MAX)
        return MPC_ERR_INVALID_ARG;
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0)
        return MPC_ERR_INTERNAL;
    bool ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
              pthread_cond_init(&g->cv, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!ok)
        return MPC_ERR_INTERNAL;
    if (pthread_mutex_init(&g->mu, NULL) != 0) {
        pthread_cond_destroy(&g->cv);
        return MPC_ERR_INTERNAL;
    }
    g->limit = limit;
    g->busy = 0;
    return MPC_OK;
}

void node_gate_destroy(node_gate *g)
{
    if (g == NULL)
        return;
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
}

bool node_gate_enter(node_gate *g, int64_t wait_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    if (wait_ms > 0) {
        until.tv_sec += (time_t)(wait_ms / 1000);
        until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&g->mu);
    int rc = 0;
    while (g->busy >= g->limit && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&g->cv, &g->mu, &until);
    bool taken = g->busy < g->limit;
    if (taken)
        g->busy++;
    pthread_mutex_unlock(&g->mu);
    return taken;
}

void node_gate_leave(node_gate *g)
{
    pthread_mutex_lock(&g->mu);
    if (g->busy > 0)
        g->busy--;
    /* Both an enter and a drain may be waiting. */
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

unsigned node_gate_busy(node_gate *g)
{
    pthread_mutex_lock(&g->mu);
    unsigned n = g->busy;
    pthread_mutex_unlock(&g->mu);
    return n;
}

void node_gate_drain(node_gate *g)
{
    pthread_mutex_lock(&g->mu);
    while (g->busy > 0)
        pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
}
