/*
 * node/sessions.c — one owner thread per session: barrier, rounds,
 * teardown (see sessions.h).
 */
#include "node/sessions.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mpc/mem.h"
#include "node/barrier.h"

#define SUBJECT_PREFIX "mpcium.v1.s."
/* A pong envelope: a few fields and a 64-byte signature. */
#define PONG_MAX_BYTES 1024
#define NO_PARTY 0xFFFFu

struct node_sessions {
    node_transport *t;
    const mpc_ctx *ctx;
    const node_envelope_self *self;
    const node_envelope_peer *peers;
    /* Grows when the operator adds nodes (node_sessions_peers_grow);
     * entries below it never change. */
    _Atomic size_t n_peers;
    /* Guards stats, `live` and `closing`. */
    pthread_mutex_t mu;
    node_sessions_stats stats;
    /* Sessions started and not yet joined (node_sessions_cancel_all). */
    struct node_session *live;
    /* Set by node_sessions_cancel_all: sessions started later are
     * cancelled at once. */
    bool closing;
};

typedef struct mbox_item {
    struct mbox_item *next;
    size_t len;
    uint8_t data[];
} mbox_item;

struct node_session {
    node_sessions *m;
    /* The manager's live list (under m->mu). */
    struct node_session *prev;
    struct node_session *next;
    uint8_t sid[NODE_ENVELOPE_SID_BYTES];
    node_envelope_op op;
    unsigned n;
    unsigned self;
    /* Party index -> index in m->peers (NO_PARTY for self), and back. */
    uint16_t peer_of[MPC_SESSION_PARTIES_MAX];
    uint16_t party_of[MPC_SESSION_PARTIES_MAX];
    mpc_session *lib;
    node_barrier_policy barrier_policy;
    node_sub *sub_me;
    node_sub *sub_all;
    node_sub *sub_barrier;
    /* "mpcium.v1.s.<sid hex>": every subject of the session starts so. */
    char prefix[sizeof SUBJECT_PREFIX + 2 * NODE_ENVELOPE_SID_BYTES];
    char subj_me[NODE_SUBJECT_MAX_BYTES + 1];
    char subj_all[NODE_SUBJECT_MAX_BYTES + 1];
    char subj_barrier[NODE_SUBJECT_MAX_BYTES + 1];
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    mbox_item *head;
    mbox_item *tail;
    size_t count;
    size_t bytes;
    bool cancel;
    /* Cancelled by node_sessions_cancel_all (the blame says so). */
    bool shutdown;
    /* Written by the owner thread, read after join. */
    mpc_err err;
    mpc_blame blame;
};

/* ---- clocks and counters ------------------------------------------------ */

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void stat_add(node_sessions *m, uint64_t *field, int64_t delta)
{
    pthread_mutex_lock(&m->mu);
    *field = (uint64_t)((int64_t)*field + delta);
    pthread_mutex_unlock(&m->mu);
}

/* ---- manager ------------------------------------------------------------ */

mpc_err node_sessions_new(node_sessions **out, node_transport *t,
                          const mpc_ctx *ctx, const node_envelope_self *self,
                          const node_envelope_peer *peers, size_t n_peers)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    if (t == NULL || ctx == NULL || self == NULL || peers == NULL ||
        n_peers == 0 || n_peers >= MPC_SESSION_PARTIES_MAX)
        return MPC_ERR_INVALID_ARG;
    node_sessions *m = calloc(1, sizeof *m);
    if (m == NULL)
        return MPC_ERR_NOMEM;
    if (pthread_mutex_init(&m->mu, NULL) != 0) {
        free(m);
        return MPC_ERR_NOMEM;
    }
    m->t = t;
    m->ctx = ctx;
    m->self = self;
    m->peers = peers;
    m->n_peers = n_peers;
    *out = m;
    return MPC_OK;
}

mpc_err node_sessions_peers_grow(node_sessions *m, size_t n_peers)
{
    if (m == NULL || n_peers < m->n_peers || n_peers >= MPC_SESSION_PARTIES_MAX)
        return MPC_ERR_INVALID_ARG;
    m->n_peers = n_peers;
    return MPC_OK;
}

void node_sessions_free(node_sessions *m)
{
    if (m == NULL)
        return;
    pthread_mutex_destroy(&m->mu);
    free(m);
}

void node_sessions_stats_get(const node_sessions *m, node_sessions_stats *out)
{
    memset(out, 0, sizeof *out);
    if (m == NULL)
        return;
    node_sessions *mm = (node_sessions *)m;
    pthread_mutex_lock(&mm->mu);
    *out = mm->stats;
    pthread_mutex_unlock(&mm->mu);
}

/* ---- mailbox ------------------------------------------------------------ */

static void item_free(mbox_item *it)
{
    mpc_wipe(it->data, it->len);
    free(it);
}

static void mbox_push(node_session *s, const uint8_t *data, size_t len)
{
    if (len > NODE_ENVELOPE_MAX_BYTES) {
        stat_add(s->m, &s->m->stats.rejected, 1);
        return;
    }
    mbox_item *it = malloc(sizeof *it + len);
    if (it == NULL) {
        stat_add(s->m, &s->m->stats.dropped, 1);
        return;
    }
    it->next = NULL;
    it->len = len;
    if (len > 0)
        memcpy(it->data, data, len);
    pthread_mutex_lock(&s->mu);
    bool full = s->count >= NODE_SESSION_MAILBOX_MAX ||
                s->bytes + len > NODE_SESSION_MAILBOX_MAX_BYTES;
    if (!full) {
        s->bytes += len;
        if (s->tail != NULL)
            s->tail->next = it;
        else
            s->head = it;
        s->tail = it;
        s->count++;
        pthread_cond_signal(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    if (full) {
        item_free(it);
        stat_add(s->m, &s->m->stats.dropped, 1);
    }
}

/* Waits (bounded by `until`, monotonic ms) for a message or a cancel.
 * Returns the item (caller frees), or NULL on timeout or cancel. */
static mbox_item *mbox_wait(node_session *s, uint64_t until)
{
    pthread_mutex_lock(&s->mu);
    while (s->head == NULL && !s->cancel && mono_ms() < until) {
        uint64_t u = until == UINT64_MAX ? mono_ms() + 1000u : until;
        struct timespec ts = {.tv_sec = (time_t)(u / 1000u),
                              .tv_nsec = (long)(u % 1000u) * 1000000L};
        int rc = pthread_cond_timedwait(&s->cv, &s->mu, &ts);
        if (rc != 0 && rc != ETIMEDOUT)
            break;
    }
    mbox_item *it = NULL;
    if (!s->cancel && s->head != NULL) {
        it = s->head;
        s->head = it->next;
        if (s->head == NULL)
            s->tail = NULL;
        s->count--;
        s->bytes -= it->len;
    }
    pthread_mutex_unlock(&s->mu);
    return it;
}

/* Waits until `until` or a cancel, without taking messages. */
static void cancel_wait(node_session *s, uint64_t until)
{
    pthread_mutex_lock(&s->mu);
    while (!s->cancel && mono_ms() < until) {
        struct timespec ts = {.tv_sec = (time_t)(until / 1000u),
                              .tv_nsec = (long)(until % 1000u) * 1000000L};
        if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&s->mu);
}

static bool is_cancelled(node_session *s)
{
    pthread_mutex_lock(&s->mu);
    bool c = s->cancel;
    pthread_mutex_unlock(&s->mu);
    return c;
}

static void mbox_drain(node_session *s)
{
    pthread_mutex_lock(&s->mu);
    mbox_item *it = s->head;
    s->head = s->tail = NULL;
    s->count = 0;
    s->bytes = 0;
    pthread_mutex_unlock(&s->mu);
    while (it != NULL) {
        mbox_item *next = it->next;
        item_free(it);
        it = next;
    }
}

/* ---- envelopes ---------------------------------------------------------- */

/* Opens an envelope of this session; MPC_OK only when it is authentic,
 * for this session and operation, and from one of its parties (*party). */
static mpc_err open_for_session(node_session *s, node_envelope *env,
                                unsigned *party, const uint8_t *data,
                                size_t len)
{
    node_sessions *m = s->m;
    mpc_err e =
        node_envelope_open(env, m->self, m->peers, m->n_peers, data, len);
    if (e != MPC_OK)
        return e;
    if (memcmp(env->meta.sid, s->sid, sizeof s->sid) != 0 ||
        env->meta.op != s->op || env->peer >= m->n_peers ||
        s->party_of[env->peer] == NO_PARTY) {
        node_envelope_clear(env);
        return MPC_ERR_PROTOCOL;
    }
    *party = s->party_of[env->peer];
    return MPC_OK;
}

/* Seals and publishes one payload of this session. */
static mpc_err send_env(node_session *s, const char *subject, const char *reply,
                        const node_envelope_peer *to, node_envelope_kind kind,
                        unsigned round, const uint8_t *payload, size_t len)
{
    node_sessions *m = s->m;
    node_envelope_meta meta = {
        .op = s->op, .kind = kind, .round = round, .timestamp_ms = wall_ms()};
    memcpy(meta.sid, s->sid, sizeof meta.sid);
    size_t cap = node_envelope_seal_bound(len);
    uint8_t *buf = malloc(cap);
    if (buf == NULL)
        return MPC_ERR_NOMEM;
    size_t n = 0;
    mpc_err e = node_envelope_seal(m->ctx, buf, cap, &n, m->self, to, &meta,
                                   payload, len);
    if (e == MPC_OK)
        e = node_transport_publish(m->t, subject, reply, NULL, 0, buf, n);
    free(buf);
    return e;
}

/* ---- callbacks (transport threads: never block) ------------------------- */

static void on_frame(const node_msg *msg, void *ud)
{
    mbox_push(ud, msg->data, msg->len);
}

/* A pong means "subscribed and accepted": this subscription exists only
 * once both hold, so the callback answers at once. */
static void on_barrier(const node_msg *msg, void *ud)
{
    node_session *s = ud;
    if (msg->reply == NULL)
        return;
    node_envelope env;
    unsigned party = 0;
    if (open_for_session(s, &env, &party, msg->data, msg->len) != MPC_OK) {
        stat_add(s->m, &s->m->stats.rejected, 1);
        return;
    }
    uint32_t attempt = 0;
    bool ok = env.meta.kind == NODE_ENVELOPE_BARRIER_PING;
    if (ok)
        attempt = ((Mpcium__V1__BarrierPing *)env.control)->attempt;
    size_t peer = env.peer;
    node_envelope_clear(&env);
    if (!ok) {
        stat_add(s->m, &s->m->stats.rejected, 1);
        return;
    }
    Mpcium__V1__BarrierPong pong = MPCIUM__V1__BARRIER_PONG__INIT;
    pong.attempt = attempt;
    uint8_t buf[16];
    size_t n = mpcium__v1__barrier_pong__pack(&pong, buf);
    (void)send_env(s, msg->reply, NULL, &s->m->peers[peer],
                   NODE_ENVELOPE_BARRIER_PONG, 0, buf, n);
}

/* ---- barrier ------------------------------------------------------------ */

static unsigned barrier_party(const node_session *s, size_t k)
{
    return k < s->self ? (unsigned)k : (unsigned)k + 1u;
}

static bool ping(node_session *s, unsigned party, uint32_t attempt)
{
    node_sessions *m = s->m;
    const node_envelope_peer *to = &m->peers[s->peer_of[party]];
    char subject[NODE_SUBJECT_MAX_BYTES + 1];
    snprintf(subject, sizeof subject, "%s.%s.barrier", s->prefix, to->id);

    Mpcium__V1__BarrierPing p = MPCIUM__V1__BARRIER_PING__INIT;
    p.attempt = attempt;
    uint8_t payload[16];
    size_t plen = mpcium__v1__barrier_ping__pack(&p, payload);
    node_envelope_meta meta = {.op = s->op,
                               .kind = NODE_ENVELOPE_BARRIER_PING,
                               .round = 0,
                               .timestamp_ms = wall_ms()};
    memcpy(meta.sid, s->sid, sizeof meta.sid);
    uint8_t req[PONG_MAX_BYTES];
    size_t rlen = 0;
    if (node_envelope_seal(m->ctx, req, sizeof req, &rlen, m->self, to, &meta,
                           payload, plen) != MPC_OK)
        return false;
    uint8_t rep[PONG_MAX_BYTES];
    size_t replen = 0;
    if (node_transport_request(m->t, subject, NULL, 0, req, rlen,
                               (int64_t)s->barrier_policy.retry_ms, rep,
                               sizeof rep, &replen) != MPC_OK)
        return false;
    node_envelope env;
    unsigned from = 0;
    if (open_for_session(s, &env, &from, rep, replen) != MPC_OK)
        return false;
    bool ok = env.meta.kind == NODE_ENVELOPE_BARRIER_PONG && from == party;
    node_envelope_clear(&env);
    return ok;
}

static mpc_err run_barrier(node_session *s)
{
    node_barrier b;
    uint64_t now = mono_ms();
    mpc_err e = node_barrier_init(&b, s->n - 1u, now, &s->barrier_policy);
    if (e != MPC_OK)
        return e;
    uint32_t attempt = 0;
    while (node_barrier_status(&b) == NODE_BARRIER_WAITING) {
        if (is_cancelled(s))
            return MPC_ERR_STATE;
        size_t k;
        while (node_barrier_next_ping(&b, now, &k)) {
            /* A late pong (MPC_ERR_TIMEOUT) ends the barrier: the status
             * check below reports it. */
            if (ping(s, barrier_party(s, k), ++attempt) &&
                node_barrier_on_pong(&b, k, mono_ms()) != MPC_OK)
                break;
            now = mono_ms();
        }
        if (node_barrier_status(&b) == NODE_BARRIER_WAITING)
            cancel_wait(s, node_barrier_next_wakeup(&b));
        now = mono_ms();
    }
    if (node_barrier_status(&b) == NODE_BARRIER_READY)
        return MPC_OK;
    memset(&s->blame, 0, sizeof s->blame);
    s->blame.err = MPC_ERR_TIMEOUT;
    s->blame.reason = MPC_BLAME_TIMEOUT;
    s->blame.broadcaster = MPC_BLAME_NOBODY;
    size_t missing[NODE_BARRIER_PEERS_MAX];
    size_t nm = node_barrier_missing(&b, missing, NODE_BARRIER_PEERS_MAX);
    for (size_t i = 0; i < nm && i < NODE_BARRIER_PEERS_MAX; i++) {
        unsigned p = barrier_party(s, missing[i]);
        s->blame.parties[p / 8u] |= (uint8_t)(1u << (p % 8u));
    }
    snprintf(s->blame.detail, sizeof s->blame.detail, "barrier timed out");
    return MPC_ERR_TIMEOUT;
}

/* ---- rounds ------------------------------------------------------------- */

static mpc_err flush_outgoing(node_session *s)
{
    mpc_session_msg msg;
    mpc_err first = MPC_OK;
    while (mpc_session_pop_outgoing(s->lib, &msg)) {
        const node_envelope_peer *to = NULL;
        const char *subject = s->subj_all;
        char direct[NODE_SUBJECT_MAX_BYTES + 1];
        if (msg.to != MPC_SESSION_TO_ALL) {
            if (msg.to >= s->n || msg.to == s->self)
                return MPC_ERR_INTERNAL;
            to = &s->m->peers[s->peer_of[msg.to]];
            snprintf(direct, sizeof direct, "%s.%s", s->prefix, to->id);
            subject = direct;
        }
        mpc_err e = send_env(s, subject, NULL, to, (node_envelope_kind)msg.kind,
                             msg.round, msg.data, msg.len);
        /* A lost publish looks like a silent party to the peers: they
         * time the round out. Only local faults stop this session. */
        if (e == MPC_ERR_NOMEM || e == MPC_ERR_INVALID_ARG)
            first = first == MPC_OK ? e : first;
    }
    return first;
}

static void handle_frame(node_session *s, const mbox_item *it)
{
    node_envelope env;
    unsigned party = 0;
    if (open_for_session(s, &env, &party, it->data, it->len) != MPC_OK) {
        stat_add(s->m, &s->m->stats.rejected, 1);
        return;
    }
    mpc_session_frame f;
    bool ok =
        node_envelope_kind_is_frame(env.meta.kind) &&
        mpc_session_frame_parse(&f, env.payload, env.payload_len) == MPC_OK &&
        (unsigned)f.kind == (unsigned)env.meta.kind &&
        f.round == env.meta.round;
    /* A frame the engine refuses fails the session (mpc/session.h); the
     * owner loop sees it in the status. */
    if (!ok || mpc_session_recv(s->lib, party, env.payload, env.payload_len,
                                mono_ms()) != MPC_OK)
        stat_add(s->m, &s->m->stats.rejected, 1);
    node_envelope_clear(&env);
}

static mpc_err run_rounds(node_session *s)
{
    mpc_err e = mpc_session_start(s->lib, mono_ms());
    mpc_err fe = flush_outgoing(s);
    if (e == MPC_OK)
        e = fe;
    while (e == MPC_OK && mpc_session_status(s->lib) == MPC_SESSION_RUNNING) {
        mbox_item *it = mbox_wait(s, mpc_session_deadline(s->lib));
        if (is_cancelled(s)) {
            if (it != NULL)
                item_free(it);
            return MPC_ERR_STATE;
        }
        if (it != NULL) {
            handle_frame(s, it);
            item_free(it);
        }
        uint64_t now = mono_ms();
        if (mpc_session_status(s->lib) == MPC_SESSION_RUNNING &&
            now >= mpc_session_deadline(s->lib) &&
            mpc_session_handle_timeout(s->lib, now) != MPC_OK) {
            /* FAILED now; the blame below says who was missing. */
        }
        e = flush_outgoing(s);
    }
    if (e != MPC_OK)
        return e;
    if (mpc_session_status(s->lib) == MPC_SESSION_DONE)
        return MPC_OK;
    if (mpc_session_blame(s->lib, &s->blame) != MPC_OK)
        return MPC_ERR_INTERNAL;
    return s->blame.err != MPC_OK ? s->blame.err : MPC_ERR_PROTOCOL;
}

/* ---- lifecycle: one teardown path --------------------------------------- */

static void unsubscribe_all(node_session *s)
{
    node_sub **subs[3] = {&s->sub_barrier, &s->sub_me, &s->sub_all};
    for (size_t i = 0; i < 3; i++) {
        if (*subs[i] == NULL)
            continue;
        /* Never called from a callback, so MPC_ERR_STATE cannot happen; a
         * timeout leaks the handle on purpose (transport.h). */
        if (node_transport_unsubscribe(s->m->t, subs[i]) != MPC_OK)
            *subs[i] = NULL;
        stat_add(s->m, &s->m->stats.live_subs, -1);
    }
}

/* The blame of a cancelled session: nobody is at fault. */
static void blame_cancelled(node_session *s)
{
    pthread_mutex_lock(&s->mu);
    bool shutdown = s->shutdown;
    pthread_mutex_unlock(&s->mu);
    memset(&s->blame, 0, sizeof s->blame);
    s->blame.err = MPC_ERR_STATE;
    s->blame.reason = MPC_BLAME_NONE;
    s->blame.broadcaster = MPC_BLAME_NOBODY;
    snprintf(s->blame.detail, sizeof s->blame.detail, "%s",
             shutdown ? "node shutting down" : "cancelled");
}

static void *owner(void *arg)
{
    node_session *s = arg;
    s->err = run_barrier(s);
    if (s->err == MPC_OK)
        s->err = run_rounds(s);
    if (s->err == MPC_ERR_STATE && is_cancelled(s))
        blame_cancelled(s);
    unsubscribe_all(s);
    mbox_drain(s);
    stat_add(s->m, &s->m->stats.live_threads, -1);
    return NULL;
}

static void session_destroy(node_session *s)
{
    unsubscribe_all(s);
    mbox_drain(s);
    mpc_session_free(s->lib);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    mpc_wipe(s, sizeof *s);
    free(s);
}

/* `last`: the session's last subscription, made with a flush that the
 * earlier ones (deferred) ride on. */
static mpc_err subscribe_one(node_session *s, node_sub **sub,
                             const char *subject, node_msg_fn cb, bool last)
{
    mpc_err e =
        last ? node_transport_subscribe(s->m->t, sub, subject, cb, s)
             : node_transport_subscribe_deferred(s->m->t, sub, subject, cb, s);
    if (e == MPC_OK)
        stat_add(s->m, &s->m->stats.live_subs, 1);
    return e;
}

static size_t peer_index(const node_sessions *m, const char *id)
{
    for (size_t i = 0; i < m->n_peers; i++)
        if (strcmp(m->peers[i].id, id) == 0)
            return i;
    return SIZE_MAX;
}

/* Maps the spec's parties onto the peers file. */
static mpc_err map_parties(node_session *s, const node_session_spec *spec)
{
    node_sessions *m = s->m;
    bool self_seen = false;
    for (size_t i = 0; i < m->n_peers; i++)
        s->party_of[i] = NO_PARTY;
    for (size_t i = 0; i < spec->n_parties; i++) {
        const char *id = spec->parties[i];
        if (id == NULL)
            return MPC_ERR_INVALID_ARG;
        if (strcmp(id, m->self->id) == 0) {
            if (self_seen)
                return MPC_ERR_INVALID_ARG;
            self_seen = true;
            s->self = (unsigned)i;
            s->peer_of[i] = NO_PARTY;
            continue;
        }
        size_t p = peer_index(m, id);
        if (p == SIZE_MAX || s->party_of[p] != NO_PARTY)
            return MPC_ERR_INVALID_ARG;
        s->party_of[p] = (uint16_t)i;
        s->peer_of[i] = (uint16_t)p;
    }
    return self_seen ? MPC_OK : MPC_ERR_INVALID_ARG;
}

static bool timeout_ok(uint64_t ms)
{
    return ms <= NODE_ENVELOPE_TIMEOUT_MAX_MS;
}

static mpc_err session_init(node_session *s, const node_session_spec *spec)
{
    memcpy(s->sid, spec->sid, sizeof s->sid);
    s->op = spec->op;
    s->n = (unsigned)spec->n_parties;
    mpc_err e = map_parties(s, spec);
    if (e != MPC_OK)
        return e;
    node_barrier_policy_default(&s->barrier_policy);
    if (spec->barrier_timeout_ms != 0)
        s->barrier_policy.total_ms = spec->barrier_timeout_ms;

    memcpy(s->prefix, SUBJECT_PREFIX, sizeof SUBJECT_PREFIX - 1);
    for (size_t i = 0; i < sizeof s->sid; i++)
        snprintf(s->prefix + sizeof SUBJECT_PREFIX - 1 + 2 * i, 3, "%02x",
                 s->sid[i]);
    const char *me = s->m->self->id;
    snprintf(s->subj_me, sizeof s->subj_me, "%s.%s", s->prefix, me);
    snprintf(s->subj_all, sizeof s->subj_all, "%s.all", s->prefix);
    snprintf(s->subj_barrier, sizeof s->subj_barrier, "%s.%s.barrier",
             s->prefix, me);

    mpc_session_params p;
    mpc_session_params_default(&p);
    p.protocol = spec->protocol;
    memcpy(p.sid, spec->sid, sizeof p.sid);
    p.self = s->self;
    p.n = s->n;
    p.threshold = spec->threshold;
    p.input = spec->input;
    if (spec->round_timeout_ms != 0)
        p.round_timeout_ms = spec->round_timeout_ms;
    return mpc_session_new(&s->lib, s->m->ctx, &p);
}

/* Lock order: the manager's mutex, then the session's. */
static void cancel(node_session *s, bool shutdown)
{
    pthread_mutex_lock(&s->mu);
    s->cancel = true;
    s->shutdown = s->shutdown || shutdown;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

mpc_err node_session_start(node_sessions *m, node_session **out,
                           const node_session_spec *spec)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    if (m == NULL || spec == NULL || spec->protocol == NULL ||
        spec->parties == NULL || spec->n_parties < 2 ||
        spec->n_parties > MPC_SESSION_PARTIES_MAX ||
        spec->n_parties > m->n_peers + 1u ||
        !timeout_ok(spec->round_timeout_ms) ||
        !timeout_ok(spec->barrier_timeout_ms))
        return MPC_ERR_INVALID_ARG;
    node_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return MPC_ERR_NOMEM;
    s->m = m;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&s->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0) {
        free(s);
        return MPC_ERR_NOMEM;
    }
    if (pthread_mutex_init(&s->mu, NULL) != 0) {
        pthread_cond_destroy(&s->cv);
        free(s);
        return MPC_ERR_NOMEM;
    }
    mpc_err e = session_init(s, spec);
    /* The barrier's last: a peer's ping is answered only once the server
     * has every subscription of the session. */
    if (e == MPC_OK)
        e = subscribe_one(s, &s->sub_me, s->subj_me, on_frame, false);
    if (e == MPC_OK)
        e = subscribe_one(s, &s->sub_all, s->subj_all, on_frame, false);
    if (e == MPC_OK)
        e = subscribe_one(s, &s->sub_barrier, s->subj_barrier, on_barrier,
                          true);
    if (e == MPC_OK) {
        stat_add(m, &m->stats.live_threads, 1);
        if (pthread_create(&s->thread, NULL, owner, s) != 0) {
            stat_add(m, &m->stats.live_threads, -1);
            e = MPC_ERR_INTERNAL;
        }
    }
    if (e != MPC_OK) {
        session_destroy(s);
        return e;
    }
    pthread_mutex_lock(&m->mu);
    s->next = m->live;
    if (m->live != NULL)
        m->live->prev = s;
    m->live = s;
    bool closing = m->closing;
    m->stats.live_sessions++;
    m->stats.started++;
    pthread_mutex_unlock(&m->mu);
    if (closing)
        cancel(s, true);
    *out = s;
    return MPC_OK;
}

void node_session_cancel(node_session *s)
{
    if (s != NULL)
        cancel(s, false);
}

void node_sessions_cancel_all(node_sessions *m)
{
    if (m == NULL)
        return;
    pthread_mutex_lock(&m->mu);
    m->closing = true;
    for (node_session *s = m->live; s != NULL; s = s->next)
        cancel(s, true);
    pthread_mutex_unlock(&m->mu);
}

mpc_err node_session_join(node_session *s, void *result, size_t result_len,
                          mpc_blame *blame)
{
    if (blame != NULL)
        memset(blame, 0, sizeof *blame);
    if (s == NULL)
        return MPC_ERR_INVALID_ARG;
    pthread_join(s->thread, NULL);
    node_sessions *m = s->m;
    mpc_err e = s->err;
    if (e == MPC_OK)
        e = result != NULL ? mpc_session_take_result(s->lib, result, result_len)
                           : MPC_ERR_INVALID_ARG;
    else if (result != NULL)
        memset(result, 0, result_len);
    if (e != MPC_OK && blame != NULL)
        *blame = s->blame;
    pthread_mutex_lock(&m->mu);
    if (s->prev != NULL)
        s->prev->next = s->next;
    else
        m->live = s->next;
    if (s->next != NULL)
        s->next->prev = s->prev;
    if (e == MPC_OK)
        m->stats.succeeded++;
    else
        m->stats.failed++;
    m->stats.live_sessions--;
    pthread_mutex_unlock(&m->mu);
    session_destroy(s);
    return e;
}
