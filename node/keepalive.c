/*
 * node/keepalive.c — periodic "in progress" for requests in hand (see
 * keepalive.h).
 */
#include "node/keepalive.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "node/log.h"

struct node_keepalive {
    node_transport *t;
    int64_t period_ms;
    pthread_t thread;
    /* Guards the list, `stop` and `sent`; held across a tick so that a
     * removed entry is never touched afterwards. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    node_keepalive_entry head; /* sentinel of a circular list */
    bool stop;
    uint64_t sent;
};

static struct timespec deadline_after(int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static void tick_locked(node_keepalive *k)
{
    for (node_keepalive_entry *e = k->head.next; e != &k->head; e = e->next) {
        /* A failure (NATS down) is retried next tick; the worker's own
         * ack reports what finally matters. */
        if (node_transport_in_progress(k->t, e->m) == MPC_OK)
            k->sent++;
        else
            node_log(NODE_LOG_WARN, "in-progress ack failed", NULL);
    }
}

static void *ticker(void *arg)
{
    node_keepalive *k = arg;
    pthread_mutex_lock(&k->mu);
    while (!k->stop) {
        struct timespec until = deadline_after(k->period_ms);
        int rc = 0;
        while (!k->stop && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&k->cv, &k->mu, &until);
        if (!k->stop)
            tick_locked(k);
    }
    pthread_mutex_unlock(&k->mu);
    return NULL;
}

mpc_err node_keepalive_start(node_keepalive **out, node_transport *t,
                             int64_t period_ms)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    if (t == NULL || period_ms < 1)
        return MPC_ERR_INVALID_ARG;
    node_keepalive *k = calloc(1, sizeof *k);
    if (k == NULL)
        return MPC_ERR_NOMEM;
    k->t = t;
    k->period_ms = period_ms;
    k->head.next = k->head.prev = &k->head;
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0) {
        free(k);
        return MPC_ERR_INTERNAL;
    }
    bool ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
              pthread_cond_init(&k->cv, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!ok) {
        free(k);
        return MPC_ERR_INTERNAL;
    }
    if (pthread_mutex_init(&k->mu, NULL) != 0) {
        pthread_cond_destroy(&k->cv);
        free(k);
        return MPC_ERR_INTERNAL;
    }
    if (pthread_create(&k->thread, NULL, ticker, k) != 0) {
        pthread_mutex_destroy(&k->mu);
        pthread_cond_destroy(&k->cv);
        free(k);
        return MPC_ERR_INTERNAL;
    }
    *out = k;
    return MPC_OK;
}

void node_keepalive_stop(node_keepalive *k)
{
    if (k == NULL)
        return;
    pthread_mutex_lock(&k->mu);
    k->stop = true;
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
    pthread_join(k->thread, NULL);
    pthread_cond_destroy(&k->cv);
    pthread_mutex_destroy(&k->mu);
    free(k);
}

void node_keepalive_add(node_keepalive *k, node_keepalive_entry *e,
                        node_jsmsg *m)
{
    if (k == NULL || e == NULL)
        return;
    e->m = m;
    pthread_mutex_lock(&k->mu);
    e->next = &k->head;
    e->prev = k->head.prev;
    k->head.prev->next = e;
    k->head.prev = e;
    pthread_mutex_unlock(&k->mu);
}

void node_keepalive_remove(node_keepalive *k, node_keepalive_entry *e)
{
    if (k == NULL || e == NULL)
        return;
    /* e->next is read under the lock too: a neighbour's add or remove
     * rewrites it (ThreadSanitizer saw the unlocked read race). */
    pthread_mutex_lock(&k->mu);
    if (e->next != NULL) {
        e->prev->next = e->next;
        e->next->prev = e->prev;
        e->next = e->prev = NULL;
    }
    pthread_mutex_unlock(&k->mu);
    e->m = NULL;
}

uint64_t node_keepalive_sent(node_keepalive *k)
{
    if (k == NULL)
        return 0;
    pthread_mutex_lock(&k->mu);
    uint64_t n = k->sent;
    pthread_mutex_unlock(&k->mu);
    return n;
}
