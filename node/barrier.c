/*
 * node/barrier.c — the readiness barrier (see barrier.h).
 */
#include "node/barrier.h"

#include <string.h>

void node_barrier_policy_default(node_barrier_policy *p)
{
    if (p == NULL)
        return;
    p->retry_ms = NODE_BARRIER_RETRY_DEFAULT_MS;
    p->first_retry_ms = NODE_BARRIER_FIRST_RETRY_DEFAULT_MS;
    p->total_ms = NODE_BARRIER_TOTAL_DEFAULT_MS;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Time never runs backwards for the barrier. */
static uint64_t advance(node_barrier *b, uint64_t now)
{
    if (now > b->now)
        b->now = now;
    return b->now;
}

/* The bound is checked before anything else a call does, so an answer or
 * a ping at the deadline is already too late. */
static bool expire(node_barrier *b, uint64_t now)
{
    if (b->state == NODE_BARRIER_WAITING && now >= b->deadline)
        b->state = NODE_BARRIER_TIMED_OUT;
    return b->state == NODE_BARRIER_TIMED_OUT;
}

/* The wait after a peer's `pings`-th ping (pings >= 1). */
static uint64_t backoff(const node_barrier *b, uint32_t pings)
{
    uint64_t wait = b->first_retry_ms;
    for (uint32_t k = 1; k < pings && wait < b->retry_ms; k++)
        wait *= 2u;
    return wait < b->retry_ms ? wait : b->retry_ms;
}

mpc_err node_barrier_init(node_barrier *b, size_t n, uint64_t now,
                          const node_barrier_policy *policy)
{
    if (b == NULL)
        return MPC_ERR_INVALID_ARG;
    memset(b, 0, sizeof *b);
    if (policy == NULL || n > NODE_BARRIER_PEERS_MAX || policy->retry_ms == 0 ||
        policy->total_ms == 0)
        return MPC_ERR_INVALID_ARG;
    b->n = n;
    b->now = now;
    b->deadline = add_sat(now, policy->total_ms);
    b->retry_ms = policy->retry_ms;
    b->first_retry_ms =
        policy->first_retry_ms == 0 || policy->first_retry_ms > policy->retry_ms
            ? policy->retry_ms
            : policy->first_retry_ms;
    for (size_t i = 0; i < n; i++)
        b->due[i] = now;
    b->state = n == 0 ? NODE_BARRIER_READY : NODE_BARRIER_WAITING;
    return MPC_OK;
}

bool node_barrier_next_ping(node_barrier *b, uint64_t now, size_t *peer)
{
    if (peer != NULL)
        *peer = 0;
    if (b == NULL || peer == NULL)
        return false;
    now = advance(b, now);
    if (expire(b, now) || b->state != NODE_BARRIER_WAITING)
        return false;
    size_t best = b->n;
    for (size_t i = 0; i < b->n; i++)
        if (!b->answered_by[i] && b->due[i] <= now &&
            (best == b->n || b->due[i] < b->due[best]))
            best = i;
    if (best == b->n)
        return false;
    b->pings[best]++;
    b->due[best] = add_sat(now, backoff(b, b->pings[best]));
    *peer = best;
    return true;
}

mpc_err node_barrier_on_pong(node_barrier *b, size_t peer, uint64_t now)
{
    if (b == NULL || peer >= b->n)
        return MPC_ERR_INVALID_ARG;
    now = advance(b, now);
    if (expire(b, now))
        return MPC_ERR_TIMEOUT;
    if (b->answered_by[peer])
        return MPC_OK;
    b->answered_by[peer] = true;
    if (++b->answered == b->n)
        b->state = NODE_BARRIER_READY;
    return MPC_OK;
}

node_barrier_state node_barrier_status(const node_barrier *b)
{
    return b == NULL ? NODE_BARRIER_TIMED_OUT : b->state;
}

uint64_t node_barrier_deadline(const node_barrier *b)
{
    return b == NULL ? UINT64_MAX : b->deadline;
}

uint64_t node_barrier_next_wakeup(const node_barrier *b)
{
    if (b == NULL || b->state != NODE_BARRIER_WAITING)
        return UINT64_MAX;
    uint64_t t = b->deadline;
    for (size_t i = 0; i < b->n; i++)
        if (!b->answered_by[i] && b->due[i] < t)
            t = b->due[i];
    return t;
}

bool node_barrier_is_answered(const node_barrier *b, size_t peer)
{
    return b != NULL && peer < b->n && b->answered_by[peer];
}

uint32_t node_barrier_pings(const node_barrier *b, size_t peer)
{
    return b != NULL && peer < b->n ? b->pings[peer] : 0;
}

size_t node_barrier_missing(const node_barrier *b, size_t *out, size_t cap)
{
    if (b == NULL)
        return 0;
    size_t k = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (b->answered_by[i])
            continue;
        if (out != NULL && k < cap)
            out[k] = i;
        k++;
    }
    return k;
}
