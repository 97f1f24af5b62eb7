/*
 * node/transport_nats.c — node_transport over cnats 3.4 (core NATS,
 * JetStream, KV). The only file that sees natsStatus and jsErrCode: both are
 * translated to mpc_err here (STYLE rule 8).
 *
 * Pitfalls handled here (specs c-stack.md §3.3):
 *   - units: cnats wants ns for stream/consumer durations and fetch expiry,
 *     ms elsewhere; the API above is ms only;
 *   - the ~1 ms flusher delay: SendAsap on by default;
 *   - unsubscribe vs a running callback: we wait for cnats's completion
 *     callback before freeing what the callback uses;
 *   - unsubscribe vs the read loop (libnats < 3.6 uses a subscription it
 *     looked up without a reference): a round trip before it is destroyed;
 *   - pull bindings attach to consumers created beforehand, so unbinding
 *     never deletes a durable;
 *   - fetch always carries Expires.
 */
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nats/nats.h>

#include "node/transport.h"

/* Bounds on waits that are ours, not the caller's. */
#define UNSUB_WAIT_MS 10000
#define CLOSE_WAIT_MS 10000
#define FINAL_FLUSH_MS 2000
#define FETCH_MAX 256
/* Delivery threads shared by every subscription (cnats' global pool): a
 * session subscribes three subjects and drops them a few milliseconds
 * later, and a thread started and joined per subscription cost more than
 * the session's own work. Callbacks never block (transport.h), so a few
 * threads serve them all; one subscription's messages still arrive in
 * order, on one thread. */
#define DELIVERY_THREADS 4
#define KV_SLOTS 16
#define NS_PER_MS INT64_C(1000000)

struct kv_slot {
    char name[NODE_JS_NAME_MAX_BYTES + 1];
    kvStore *kv;
};

typedef struct nats_tp {
    node_transport base;
    natsConnection *nc;
    jsCtx *js;
    int64_t js_timeout_ms;
    node_transport_event_fn on_event;
    void *event_ud;

    pthread_mutex_t mu; /* guards kv[], nkv, closed */
    pthread_cond_t cv;  /* signalled by the closed callback */
    bool closed;
    struct kv_slot kv[KV_SLOTS];
    size_t nkv;

    atomic_uint_fast64_t live_subs;
    atomic_uint_fast64_t live_pulls;
    atomic_uint_fast64_t live_watches;
    atomic_uint_fast64_t live_jsmsgs;
    atomic_uint_fast64_t disconnects;
    atomic_uint_fast64_t reconnects;
    atomic_uint_fast64_t async_errors;
} nats_tp;

struct nsub {
    natsSubscription *s;
    node_msg_fn cb;
    void *ud;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool complete;
};

struct npull {
    natsSubscription *s;
};

struct njsmsg {
    node_jsmsg pub;
    natsMsg *m;
    /* Set once ack, nak or term went out, and for messages read by
     * sequence: further acknowledgements are refused. */
    bool done;
};

struct nwatch {
    kvWatcher *w;
    bool init_done;
};

/*
 * The subscription whose callback runs on this thread, so that an
 * unsubscribe from inside its own callback is refused instead of waiting
 * for itself. Per-thread, written only by the trampoline.
 */
static _Thread_local const struct nsub *running_sub;

static nats_tp *tp_of(node_transport *t)
{
    return (nats_tp *)t;
}

/* ---- Error translation ---- */

static mpc_err from_status(natsStatus s)
{
    switch (s) {
    case NATS_OK:
        return MPC_OK;
    case NATS_TIMEOUT:
        return MPC_ERR_TIMEOUT;
    case NATS_NO_MEMORY:
        return MPC_ERR_NOMEM;
    case NATS_NOT_FOUND:
        return MPC_ERR_NOT_FOUND;
    case NATS_INVALID_ARG:
    case NATS_INVALID_SUBJECT:
    case NATS_INVALID_TIMEOUT:
    case NATS_INVALID_QUEUE_NAME:
    case NATS_MAX_PAYLOAD:
    case NATS_ADDRESS_MISSING:
        return MPC_ERR_INVALID_ARG;
    case NATS_CONNECTION_AUTH_FAILED:
    case NATS_NOT_PERMITTED:
        return MPC_ERR_AUTH;
    case NATS_ILLEGAL_STATE:
    case NATS_INVALID_SUBSCRIPTION:
        return MPC_ERR_STATE;
    default:
        /* Closed, disconnected, no server, no responders, I/O and TLS
         * failures, a full reconnect buffer, and JetStream API errors we do
         * not single out: the server or the path to it is not usable. */
        return MPC_ERR_UNAVAILABLE;
    }
}

/*
 * JetStream API errors first (they come with the generic NATS_ERR). The
 * code is passed by address so that from_js(js_X(..., &jerr), &jerr) reads
 * it after js_X has run (argument evaluation order is unspecified).
 */
static mpc_err from_js(natsStatus s, const jsErrCode *jerr)
{
    if (s == NATS_OK)
        return MPC_OK;
    switch ((int)*jerr) {
    case JSStreamNotFoundErr:
    case JSConsumerNotFoundErr:
    case JSNoMessageFoundErr:
    case JSSequenceNotFoundErr:
        return MPC_ERR_NOT_FOUND;
    case JSStreamNameExistErr:
    case JSStreamSubjectOverlapErr:
    case JSStreamInvalidConfig:
    case JSStreamUpdateErr:
    case JSConsumerCreateErr:
    case JSConsumerNameExistErr:
    case JSConsumerWQMultipleUnfilteredErr:
    case JSConsumerWQConsumerNotUniqueErr:
    case JSConsumerWQConsumerNotDeliverAllErr:
    case JSConsumerExistingActiveErr:
    case JSConsumerReplacementWithDifferentNameErr:
    case JSStreamLimitsErr:
    case JSStreamMessageExceedsMaximumErr:
    case JSStreamStoreFailedErr:
    case JSStreamWrongLastSequenceErr:
    case JSStreamWrongLastMsgIDErr:
    case JSStorageResourcesExceededErr:
    case JSMemoryResourcesExceededErr:
    case JSInsufficientResourcesErr:
        return MPC_ERR_CONFLICT;
    case JSBadRequestErr:
    case JSInvalidJSONErr:
    case JSConsumerMaxDeliverBackoffErr:
    case JSConsumerBadDurableNameErr:
    case JSConsumerNameTooLongErr:
    case JSConsumerDescriptionTooLongErr:
        return MPC_ERR_INVALID_ARG;
    default:
        return from_status(s);
    }
}

/* ---- Small helpers ---- */

static void deadline_in(struct timespec *ts, int64_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += (time_t)(ms / 1000);
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static int cond_init_mono(pthread_cond_t *cv)
{
    pthread_condattr_t a;
    if (pthread_condattr_init(&a) != 0)
        return -1;
    int rc = pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(cv, &a);
    pthread_condattr_destroy(&a);
    return rc;
}

static bool ms_to_ns(int64_t ms, int64_t *ns)
{
    if (ms < 0 || ms > INT64_MAX / NS_PER_MS)
        return false;
    *ns = ms * NS_PER_MS;
    return true;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = src != NULL ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n > 0)
        memcpy(dst, src, n);
    dst[n] = 0;
}

static void emit(nats_tp *t, node_transport_event ev, const char *detail)
{
    if (t->on_event != NULL)
        t->on_event(t->event_ud, ev, detail != NULL ? detail : "");
}

static const char *header_get(const node_msg *m, const char *key)
{
    const char *v = NULL;
    if (natsMsgHeader_Get((natsMsg *)m->impl, key, &v) != NATS_OK)
        return NULL;
    return v;
}

static void fill_msg(node_msg *out, natsMsg *m)
{
    out->subject = natsMsg_GetSubject(m);
    out->reply = natsMsg_GetReply(m);
    if (out->reply != NULL && out->reply[0] == 0)
        out->reply = NULL;
    out->data = (const uint8_t *)natsMsg_GetData(m);
    int len = natsMsg_GetDataLength(m);
    out->len = len > 0 ? (size_t)len : 0;
    out->header_fn = header_get;
    out->impl = m;
}

/*
 * Builds a message with headers. cnats takes the payload length as an int;
 * longer payloads are beyond any server's max_payload anyway.
 */
static mpc_err make_msg(natsMsg **out, const char *subject, const char *reply,
                        const node_header *hdrs, size_t nhdrs,
                        const uint8_t *data, size_t len)
{
    *out = NULL;
    if (len > INT_MAX)
        return MPC_ERR_INVALID_ARG;
    natsMsg *m = NULL;
    natsStatus s =
        natsMsg_Create(&m, subject, reply, (const char *)data, (int)len);
    for (size_t i = 0; s == NATS_OK && i < nhdrs; i++)
        s = natsMsgHeader_Add(m, hdrs[i].key, hdrs[i].value);
    if (s != NATS_OK) {
        natsMsg_Destroy(m);
        return from_status(s);
    }
    *out = m;
    return MPC_OK;
}

static bool payload_ok(const uint8_t *data, size_t len)
{
    return len == 0 || data != NULL;
}

/*
 * Calls that need an answer fail at once while the connection is down
 * (reconnecting): callers retry on their own schedule instead of blocking
 * a thread for the whole timeout on a request that sits in the reconnect
 * buffer. Requests already in flight fail when the connection drops
 * (FailRequestsOnDisconnect).
 */
static mpc_err link_up(const nats_tp *t)
{
    return natsConnection_Status(t->nc) == NATS_CONN_STATUS_CONNECTED
               ? MPC_OK
               : MPC_ERR_UNAVAILABLE;
}

/* ---- Connection callbacks (cnats's async callback thread) ---- */

static void on_disconnected(natsConnection *nc, void *closure)
{
    nats_tp *t = closure;
    const char *why = NULL;
    natsConnection_GetLastError(nc, &why);
    atomic_fetch_add(&t->disconnects, 1);
    emit(t, NODE_TRANSPORT_DISCONNECTED, why);
}

static void on_reconnected(natsConnection *nc, void *closure)
{
    nats_tp *t = closure;
    char url[256] = "";
    natsConnection_GetConnectedUrl(nc, url, sizeof url);
    atomic_fetch_add(&t->reconnects, 1);
    emit(t, NODE_TRANSPORT_RECONNECTED, url);
}

static void on_closed(natsConnection *nc, void *closure)
{
    nats_tp *t = closure;
    const char *why = NULL;
    natsConnection_GetLastError(nc, &why);
    emit(t, NODE_TRANSPORT_CLOSED, why);
    /* Last callback cnats makes for this connection: after the unlock we
     * no longer touch `t`, so the waiter in tp_free may free it. */
    pthread_mutex_lock(&t->mu);
    t->closed = true;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

static void on_async_error(natsConnection *nc, natsSubscription *sub,
                           natsStatus err, void *closure)
{
    (void)nc;
    (void)sub;
    nats_tp *t = closure;
    atomic_fetch_add(&t->async_errors, 1);
    emit(t, NODE_TRANSPORT_ASYNC_ERROR, natsStatus_GetText(err));
}

static void on_lame_duck(natsConnection *nc, void *closure)
{
    (void)nc;
    emit(closure, NODE_TRANSPORT_LAME_DUCK, "server entering lame duck mode");
}

/* ---- Lifecycle ---- */

static void tp_stats(node_transport *bt, node_transport_stats *out)
{
    nats_tp *t = tp_of(bt);
    memset(out, 0, sizeof *out);
    out->connected = natsConnection_Status(t->nc) == NATS_CONN_STATUS_CONNECTED;
    out->live_subs = atomic_load(&t->live_subs);
    out->live_pulls = atomic_load(&t->live_pulls);
    out->live_watches = atomic_load(&t->live_watches);
    out->live_jsmsgs = atomic_load(&t->live_jsmsgs);
    out->disconnects = atomic_load(&t->disconnects);
    out->reconnects = atomic_load(&t->reconnects);
    out->async_errors = atomic_load(&t->async_errors);
}

void node_transport_nats_shutdown(int64_t timeout_ms)
{
    /* Without this the delivery pool's threads outlive main: valgrind
     * then reports their stacks as possibly lost. */
    (void)nats_CloseAndWait(timeout_ms);
}

static void tp_free(node_transport *bt)
{
    nats_tp *t = tp_of(bt);
    if (t->nc != NULL) {
        /* Results published just before shutdown must leave the process. */
        if (natsConnection_Status(t->nc) == NATS_CONN_STATUS_CONNECTED)
            (void)natsConnection_FlushTimeout(t->nc, FINAL_FLUSH_MS);
    }
    for (size_t i = 0; i < t->nkv; i++)
        kvStore_Destroy(t->kv[i].kv);
    jsCtx_Destroy(t->js);
    if (t->nc != NULL) {
        natsConnection_Close(t->nc);
        struct timespec ts;
        deadline_in(&ts, CLOSE_WAIT_MS);
        pthread_mutex_lock(&t->mu);
        while (!t->closed)
            if (pthread_cond_timedwait(&t->cv, &t->mu, &ts) != 0)
                break;
        bool closed = t->closed;
        pthread_mutex_unlock(&t->mu);
        natsConnection_Destroy(t->nc);
        if (!closed)
            return; /* a callback may still use `t`: leak it, never race */
    }
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

static mpc_err tp_flush(node_transport *bt, int64_t timeout_ms)
{
    if (timeout_ms <= 0)
        return MPC_ERR_INVALID_ARG;
    if (link_up(tp_of(bt)) != MPC_OK)
        return MPC_ERR_UNAVAILABLE;
    return from_status(natsConnection_FlushTimeout(tp_of(bt)->nc, timeout_ms));
}

/* ---- Core NATS ---- */

static mpc_err tp_publish(node_transport *bt, const char *subject,
                          const char *reply, const node_header *hdrs,
                          size_t nhdrs, const uint8_t *data, size_t len)
{
    nats_tp *t = tp_of(bt);
    if (!node_subject_is_valid(subject, false) ||
        (reply != NULL && !node_subject_is_valid(reply, false)) ||
        !node_headers_are_valid(hdrs, nhdrs) || !payload_ok(data, len) ||
        len > INT_MAX)
        return MPC_ERR_INVALID_ARG;
    if (nhdrs == 0) {
        natsStatus s =
            reply != NULL
                ? natsConnection_PublishRequest(t->nc, subject, reply, data,
                                                (int)len)
                : natsConnection_Publish(t->nc, subject, data, (int)len);
        return from_status(s);
    }
    natsMsg *m = NULL;
    mpc_err e = make_msg(&m, subject, reply, hdrs, nhdrs, data, len);
    if (e != MPC_OK)
        return e;
    e = from_status(natsConnection_PublishMsg(t->nc, m));
    natsMsg_Destroy(m);
    return e;
}

static mpc_err tp_request(node_transport *bt, const char *subject,
                          const node_header *hdrs, size_t nhdrs,
                          const uint8_t *data, size_t len, int64_t timeout_ms,
                          uint8_t *out, size_t out_cap, size_t *out_len)
{
    nats_tp *t = tp_of(bt);
    *out_len = 0;
    if (out_cap > 0)
        memset(out, 0, out_cap);
    if (!node_subject_is_valid(subject, false) ||
        !node_headers_are_valid(hdrs, nhdrs) || !payload_ok(data, len) ||
        timeout_ms <= 0 || (out == NULL && out_cap > 0))
        return MPC_ERR_INVALID_ARG;
    if (link_up(t) != MPC_OK)
        return MPC_ERR_UNAVAILABLE;
    natsMsg *m = NULL, *reply = NULL;
    mpc_err e = make_msg(&m, subject, NULL, hdrs, nhdrs, data, len);
    if (e != MPC_OK)
        return e;
    e = from_status(natsConnection_RequestMsg(&reply, t->nc, m, timeout_ms));
    natsMsg_Destroy(m);
    if (e != MPC_OK)
        return e;
    int rl = natsMsg_GetDataLength(reply);
    size_t n = rl > 0 ? (size_t)rl : 0;
    if (n > out_cap) {
        e = MPC_ERR_PARSE;
    } else {
        if (n > 0)
            memcpy(out, natsMsg_GetData(reply), n);
        *out_len = n;
    }
    natsMsg_Destroy(reply);
    return e;
}

static void sub_trampoline(natsConnection *nc, natsSubscription *s, natsMsg *m,
                           void *closure)
{
    (void)nc;
    (void)s;
    struct nsub *sub = closure;
    node_msg msg;
    fill_msg(&msg, m);
    running_sub = sub;
    sub->cb(&msg, sub->ud);
    running_sub = NULL;
    natsMsg_Destroy(m);
}

static void sub_complete(void *closure)
{
    struct nsub *sub = closure;
    pthread_mutex_lock(&sub->mu);
    sub->complete = true;
    pthread_cond_broadcast(&sub->cv);
    pthread_mutex_unlock(&sub->mu);
}

static void sub_destroy(struct nsub *sub)
{
    natsSubscription_Destroy(sub->s);
    pthread_cond_destroy(&sub->cv);
    pthread_mutex_destroy(&sub->mu);
    free(sub);
}

/* Waits for cnats's completion callback: the handler has returned and will
 * not be called again. */
static bool sub_wait_complete(struct nsub *sub)
{
    struct timespec ts;
    deadline_in(&ts, UNSUB_WAIT_MS);
    pthread_mutex_lock(&sub->mu);
    while (!sub->complete)
        if (pthread_cond_timedwait(&sub->cv, &sub->mu, &ts) != 0)
            break;
    bool done = sub->complete;
    pthread_mutex_unlock(&sub->mu);
    return done;
}

/*
 * libnats before 3.6 (nats.c issue 637, fixed by pull request 638; Debian 12
 * ships 3.4.1): the read loop looks a message's subscription up under the
 * connection's lock, drops the lock and only then uses it (copies the
 * payload, locks it, queues the message) without a reference of its own.
 * A subscription unsubscribed and destroyed in that window is written to
 * after free: the heap corruption seen under bench-cluster load. After the
 * unsubscribe (no lookup can find it any more), a PING/PONG round trip is
 * handled by the read loop after the message it may have been processing,
 * so once the flush returns no lookup of ours is in flight. On a link that
 * is down, cnats has joined the lost socket's read loop (or will, before
 * any flush could be answered) and the subscription is not resent: nothing
 * to wait for. False: the flush failed on a live link (destroying is then
 * not known to be safe).
 */
static bool read_loop_past(const nats_tp *t)
{
    if (link_up(t) != MPC_OK)
        return true;
    return natsConnection_FlushTimeout(t->nc, UNSUB_WAIT_MS) == NATS_OK ||
           link_up(t) != MPC_OK;
}

static mpc_err tp_subscribe(node_transport *bt, node_sub **out,
                            const char *subject, node_msg_fn cb, void *ud,
                            bool flush)
{
    nats_tp *t = tp_of(bt);
    *out = NULL;
    if (!node_subject_is_valid(subject, true) || cb == NULL)
        return MPC_ERR_INVALID_ARG;
    if (link_up(t) != MPC_OK)
        return MPC_ERR_UNAVAILABLE;
    struct nsub *sub = calloc(1, sizeof *sub);
    if (sub == NULL)
        return MPC_ERR_NOMEM;
    if (pthread_mutex_init(&sub->mu, NULL) != 0) {
        free(sub);
        return MPC_ERR_NOMEM;
    }
    if (cond_init_mono(&sub->cv) != 0) {
        pthread_mutex_destroy(&sub->mu);
        free(sub);
        return MPC_ERR_NOMEM;
    }
    sub->cb = cb;
    sub->ud = ud;
    natsStatus s =
        natsConnection_Subscribe(&sub->s, t->nc, subject, sub_trampoline, sub);
    if (s == NATS_OK)
        s = natsSubscription_SetOnCompleteCB(sub->s, sub_complete, sub);
    /* The barrier pattern needs the interest registered before peers are
     * asked to send: a round trip makes sure the server has it. */
    if (s == NATS_OK && flush)
        s = natsConnection_FlushTimeout(t->nc, t->js_timeout_ms);
    if (s != NATS_OK) {
        mpc_err e = from_status(s);
        if (sub->s != NULL && natsSubscription_Unsubscribe(sub->s) == NATS_OK &&
            (!sub_wait_complete(sub) || !read_loop_past(t)))
            return e; /* cannot free safely; leaked on purpose */
        sub_destroy(sub);
        return e;
    }
    atomic_fetch_add(&t->live_subs, 1);
    *out = (node_sub *)sub;
    return MPC_OK;
}

static mpc_err tp_unsubscribe(node_transport *bt, node_sub *hs)
{
    nats_tp *t = tp_of(bt);
    struct nsub *sub = (struct nsub *)hs;
    if (running_sub == sub)
        return MPC_ERR_STATE;
    /* Fails only when the subscription is already closed (connection
     * closed); the completion callback then has run or will run. */
    (void)natsSubscription_Unsubscribe(sub->s);
    if (!sub_wait_complete(sub) || !read_loop_past(t))
        return MPC_ERR_TIMEOUT;
    sub_destroy(sub);
    atomic_fetch_sub(&t->live_subs, 1);
    return MPC_OK;
}

/* ---- JetStream: publish ---- */

static mpc_err tp_js_publish(node_transport *bt, const char *subject,
                             const node_header *hdrs, size_t nhdrs,
                             const uint8_t *data, size_t len,
                             const char *msg_id, int64_t timeout_ms,
                             node_js_ack_info *ack)
{
    nats_tp *t = tp_of(bt);
    if (ack != NULL)
        memset(ack, 0, sizeof *ack);
    node_header idh = {"Nats-Msg-Id", msg_id != NULL ? msg_id : ""};
    if (!node_subject_is_valid(subject, false) ||
        !node_headers_are_valid(hdrs, nhdrs) || !payload_ok(data, len) ||
        timeout_ms <= 0 ||
        (msg_id != NULL &&
         (msg_id[0] == 0 || !node_headers_are_valid(&idh, 1))))
        return MPC_ERR_INVALID_ARG;
    if (link_up(t) != MPC_OK)
        return MPC_ERR_UNAVAILABLE;
    natsMsg *m = NULL;
    mpc_err e = make_msg(&m, subject, NULL, hdrs, nhdrs, data, len);
    if (e != MPC_OK)
        return e;
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = msg_id;
    po.MaxWait = timeout_ms;
    jsPubAck *pa = NULL;
    jsErrCode jerr = 0;
    e = from_js(js_PublishMsg(&pa, t->js, m, &po, &jerr), &jerr);
    natsMsg_Destroy(m);
    if (e == MPC_OK && ack != NULL) {
        ack->seq = pa->Sequence;
        ack->duplicate = pa->Duplicate;
    }
    jsPubAck_Destroy(pa);
    return e;
}

/* ---- JetStream: streams ---- */

/* JetStream call options; MPC_ERR_UNAVAILABLE while the link is down. */
static mpc_err js_opts(const nats_tp *t, jsOptions *o)
{
    jsOptions_Init(o);
    o->Wait = t->js_timeout_ms;
    return link_up(t);
}

static bool retention_to_js(node_js_retention r, jsRetentionPolicy *out)
{
    switch (r) {
    case NODE_JS_LIMITS:
        *out = js_LimitsPolicy;
        return true;
    case NODE_JS_INTEREST:
        *out = js_InterestPolicy;
        return true;
    case NODE_JS_WORKQUEUE:
        *out = js_WorkQueuePolicy;
        return true;
    }
    return false;
}

static node_js_retention retention_from_js(jsRetentionPolicy r)
{
    switch (r) {
    case js_InterestPolicy:
        return NODE_JS_INTEREST;
    case js_WorkQueuePolicy:
        return NODE_JS_WORKQUEUE;
    default:
        return NODE_JS_LIMITS;
    }
}

/* Converts our stream config; `subjects` must hold NODE_JS_SUBJECTS_MAX. */
static mpc_err stream_cfg_to_js(const node_js_stream_config *c,
                                jsStreamConfig *sc, const char **subjects)
{
    jsStreamConfig_Init(sc);
    if (!node_js_name_is_valid(c->name) || c->nsubjects == 0 ||
        c->nsubjects > NODE_JS_SUBJECTS_MAX || c->subjects == NULL ||
        !retention_to_js(c->retention, &sc->Retention) ||
        (c->storage != NODE_JS_FILE && c->storage != NODE_JS_MEMORY) ||
        (c->discard != NODE_JS_DISCARD_OLD &&
         c->discard != NODE_JS_DISCARD_NEW) ||
        c->max_bytes < -1 || c->max_msgs < -1 ||
        !ms_to_ns(c->max_age_ms, &sc->MaxAge) ||
        !ms_to_ns(c->duplicates_ms, &sc->Duplicates) ||
        (c->max_age_ms > 0 && c->duplicates_ms > c->max_age_ms))
        return MPC_ERR_INVALID_ARG;
    for (size_t i = 0; i < c->nsubjects; i++) {
        if (!node_subject_is_valid(c->subjects[i], true))
            return MPC_ERR_INVALID_ARG;
        subjects[i] = c->subjects[i];
    }
    sc->Name = c->name;
    sc->Description = c->description;
    sc->Subjects = subjects;
    sc->SubjectsLen = (int)c->nsubjects;
    sc->Storage =
        c->storage == NODE_JS_MEMORY ? js_MemoryStorage : js_FileStorage;
    sc->Discard =
        c->discard == NODE_JS_DISCARD_NEW ? js_DiscardNew : js_DiscardOld;
    sc->MaxBytes = c->max_bytes == 0 ? -1 : c->max_bytes;
    sc->MaxMsgs = c->max_msgs == 0 ? -1 : c->max_msgs;
    return MPC_OK;
}

static void stream_info_from_js(const jsStreamInfo *si,
                                node_js_stream_info *out)
{
    const jsStreamConfig *c = si->Config;
    copy_str(out->name, sizeof out->name, c->Name);
    copy_str(out->description, sizeof out->description, c->Description);
    out->nsubjects = c->SubjectsLen > 0 ? (size_t)c->SubjectsLen : 0;
    for (size_t i = 0; i < out->nsubjects && i < NODE_JS_SUBJECTS_MAX; i++)
        copy_str(out->subjects[i], sizeof out->subjects[i], c->Subjects[i]);
    out->retention = retention_from_js(c->Retention);
    out->storage =
        c->Storage == js_MemoryStorage ? NODE_JS_MEMORY : NODE_JS_FILE;
    out->discard =
        c->Discard == js_DiscardNew ? NODE_JS_DISCARD_NEW : NODE_JS_DISCARD_OLD;
    out->max_age_ms = c->MaxAge / NS_PER_MS;
    out->max_bytes = c->MaxBytes;
    out->max_msgs = c->MaxMsgs;
    out->duplicates_ms = c->Duplicates / NS_PER_MS;
    out->msgs = si->State.Msgs;
    out->bytes = si->State.Bytes;
    out->first_seq = si->State.FirstSeq;
    out->last_seq = si->State.LastSeq;
    out->consumers = (uint64_t)si->State.Consumers;
}

static mpc_err tp_stream_info(node_transport *bt, const char *name,
                              node_js_stream_info *out)
{
    nats_tp *t = tp_of(bt);
    memset(out, 0, sizeof *out);
    if (!node_js_name_is_valid(name))
        return MPC_ERR_INVALID_ARG;
    jsOptions o;
    if (js_opts(t, &o) != MPC_OK)
        return MPC_ERR_UNAVAILABLE;
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    mpc_err e = from_js(js_GetStreamInfo(&si, t->js, name, &o, &jerr), &jerr);
    if (e == MPC_OK)
        stream_info_from_js(si, out);
    jsStreamInfo_Destroy(si);
    return e;
}

static mpc_err stream_put(nats_tp *t, const node_js_stream_config *cfg,
                          bool update)
{
    jsStreamConfig sc;
    const char *subjects[NODE_JS_SUBJECTS_MAX];
    mpc_err e = stream_cfg_to_js(cfg, &sc, subjects);
    if (e != MPC_OK)
        return e;
    jsOptions o;
    if (js_opts(t, &o) != MPC_OK)
        return MPC_ERR_UNAVAILABLE;
    jsErrCode jerr = 0;
    natsStatus s = update ? js_UpdateStream(NULL, t->js, &sc, &o, &jerr)
                          : js_AddStream(NULL, t->js, &sc, &o, &jerr);
    return from_js(s, &jerr);
}

static mpc_err tp_stream_add(node_transport *bt,
                             const node_js_stream_config *cfg)
{
    return stream_put(tp_of(bt), cfg, false);
}

static mpc_err tp_stream_update(node_transport *bt,
                                const node_js_stream_config *cfg)
{
    return stream_put(tp_of(bt), cfg, true);
}

static mpc_err tp_stream_delete(node_transport *bt, const char *name)
{
    nats_tp *t = tp_of(bt);
    if (!node_js_name_is_valid(name))
        return MPC_ERR_INVALID_ARG;
    jsOptions o;
    if (js_opts(t, &o) != MPC_OK)
        return MPC_ERR_UNAVAILABLE;
    jsErrCode jerr = 0;
    return from_js(js_DeleteStream(t->js, name, &o, &jerr), &jerr);
}

static mpc_err wrap_jsmsg(nats_tp *t, node_jsmsg **out, natsMsg *m,
                          bool fetched)
{
    struct njsmsg *w = calloc(1, sizeof *w);
    if (w == NULL) {
        natsMsg_Destroy(m);
        return MPC_ERR_NOMEM;
    }
    w->m = m;
    fill_msg(&w->pub.msg, m);
    w->pub.impl = w;
    if (fetched) {
        jsMsgMetaData *md = NULL;
        if (natsMsg_GetMetaData(&md, m) == NATS_OK) {
            w->pub.stream_seq = md->Sequence.Stream;
            w->pub.delivered = md->NumDelivered;
            w->pub.time_ms = md->Timestamp / NS_PER_MS;
        }
        jsMsgMetaData_Destroy(md);
    } else {
        w->pub.stream_seq = natsMsg_GetSequence(m);
        w->pub.time_ms = natsMsg_GetTime(m) / NS_PER_MS;
        w->done = true;
    }
    atomic_fetch_add(&t->live_jsmsgs, 1);
    *out = &w->pub;
    return MPC_OK;
}

static mpc_err tp_stream_get(node_transport *bt, node_jsmsg **out,
                             const char *stream, uint64_t seq)
{
    nats_tp *t = tp_of(bt);
    *out = NULL;
    if (!node_js_name_is_valid(stream) || seq == 0)
        return MPC_ERR_INVALID_ARG;
    jsOptions o;
    if (js_opts(t, &o) != MPC_OK)
        return MPC_ERR_UNAVAILABLE;
    natsMsg *m = NULL;
    jsErrCode jerr = 0;
    mpc_err e = from_js(js_GetMsg(&m, t->js, stream, seq, &o, &jerr), &jerr);
    if (e != MPC_OK)
        return e;
    return wrap_jsmsg(t, out, m, false);
}

/* ---- JetStream: consumers ---- */

static mpc_err consumer_cfg_to_js(const node_js_consumer_config *c,
                                  jsConsumerConfig *cc, int64_t *backoff)
{
    jsConsumerConfig_Init(cc);
    if (!node_js_name_is_valid(c->stream) ||
        !node_js_name_is_valid(c->durable) ||
        (c->filter_subject != NULL &&
         !node_subject_is_valid(c->filter_subject, true)) ||
        c->nbackoff > NODE_JS_BACKOFF_MAX ||
        (c->nbackoff > 0 && c->backoff_ms == NULL) ||
        !ms_to_ns(c->ack_wait_ms, &cc->AckWait) || c->max_deliver < -1 ||
        c->max_deliver == 0 || c->max_ack_pending < -1 ||
        c->max_ack_pending == 0)
        return MPC_ERR_INVALID_ARG;
    switch (c->deliver) {
    case NODE_JS_DELIVER_ALL:
        cc->DeliverPolicy = js_DeliverAll;
        break;
    case NODE_JS_DELIVER_LAST:
        cc->DeliverPolicy = js_DeliverLast;
        break;
    case NODE_JS_DELIVER_NEW:
        cc->DeliverPolicy = js_DeliverNew;
        break;
    default:
        return MPC_ERR_INVALID_ARG;
    }
    switch (c->ack) {
    case NODE_JS_ACK_EXPLICIT:
        cc->AckPolicy = js_AckExplicit;
        break;
    case NODE_JS_ACK_NONE:
        cc->AckPolicy = js_AckNone;
        break;
    case NODE_JS_ACK_ALL:
        cc->AckPolicy = js_AckAll;
        break;
    default:
        return MPC_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < c->nbackoff; i++)
        if (c->backoff_ms[i] <= 0 || !ms_to_ns(c->backoff_ms[i], &backoff[i]))
            return MPC_ERR_INVALID_ARG;
    cc->Durable = c->durable;
    cc->Description = c->description;
    cc->FilterSubject = c->filter_subject;
    cc->MaxDeliver = c->max_deliver;
    cc->BackOff = c->nbackoff > 0 ? backoff : NULL;
    cc->BackOffLen = (int)c->nbackoff;
    cc->MaxAckPending = c->max_ack_pending;
    return MPC_OK;
}

static void consumer_info_from_js(const jsConsumerInfo *ci,
                                  node_js_consumer_info *out)
{
    const jsConsumerConfig *c = ci->Config;
    copy_str(out->stream, sizeof out->stream, ci->Stream);
    copy_str(out->durable, sizeof out->durable,
             c->Durable != NULL ? c->Durable : ci->Name);
    copy_str(out->description, sizeof out->description, c->Description);
    copy_str(out->filter_subject, sizeof out->filter_subject, c->FilterSubject);
    out->deliver = c->DeliverPolicy == js_DeliverNew    ? NODE_JS_DELIVER_NEW
                   : c->DeliverPolicy == js_DeliverLast ? NODE_JS_DELIVER_LAST
                                                        : NODE_JS_DELIVER_ALL;
    out->ack = c->AckPolicy == js_AckNone  ? NODE_JS_ACK_NONE
               : c->AckPolicy == js_AckAll ? NODE_JS_ACK_ALL
                                           : NODE_JS_ACK_EXPLICIT;
    out->ack_wait_ms = c->AckWait / NS_PER_MS;
    out->max_deliver = c->MaxDeliver;
    out->nbackoff = 0;
    for (int i = 0; i < c->BackOffLen && i < NODE_JS_BACKOFF_MAX; i++)
        out->backoff_ms[out->nbackoff++] = c->BackOff[i] / NS_PER_MS;
    out->max_ack_pending = c->MaxAckPending;
    out->num_pending = ci->NumPending;
    out->num_ack_pending =
        ci->NumAckPending > 0 ? (uint64_t)ci->NumAckPending : 0;
    out->num_redelivered =
        ci->NumRedelivered > 0 ? (uint64_t)ci->NumRedelivered : 0;
}

static mpc_err tp_consumer_info(node_transport *bt, const char *stream,
                                const char *durable, node_js_consumer_info *out)
{
    nats_tp *t = tp_of(bt);
    memset(out, 0, sizeof *out);
    if (!node_js_name_is_valid(stream) || !node_js_name_is_valid(durable))
        return MPC_ERR_INVALID_ARG;
    jsOptions o;
    if (js_opts(t, &o) != MPC_OK)
        return MPC_ERR_UNAVAILABLE;
    jsConsumerInfo *ci = NULL;
    jsErrCode jerr = 0;
    mpc_err e = from_js(
        js_GetConsumerInfo(&ci, t->js, stream, durable, &o, &jerr), &jerr);
    if (e == MPC_OK)
        consumer_info_from_js(ci, out);
    jsConsumerInfo_Destroy(ci);
    return e;
}

static mpc_err consumer_put(nats_tp *t, const node_js_consumer_config *cfg,
                            bool update)
{
    jsConsumerConfig cc;
    int64_t backoff[NODE_JS_BACKOFF_MAX];
    mpc_err e = consumer_cfg_to_js(cfg, &cc, backoff);
    if (e != MPC_OK)
        return e;
    if (update) {
        /* Server 2.9 has one endpoint for both: an "update" of a missing
         * durable would create it. */
        node_js_consumer_info ci;
        e = tp_consumer_info(&t->base, cfg->stream, cfg->durable, &ci);
        if (e != MPC_OK)
            return e;
    }
    jsOptions o;
    if (js_opts(t, &o) != MPC_OK)
        return MPC_ERR_UNAVAILABLE;
    jsErrCode jerr = 0;
    natsStatus s =
        update ? js_UpdateConsumer(NULL, t->js, cfg->stream, &cc, &o, &jerr)
               : js_AddConsumer(NULL, t->js, cfg->stream, &cc, &o, &jerr);
    return from_js(s, &jerr);
}

static mpc_err tp_consumer_add(node_transport *bt,
                               const node_js_consumer_config *cfg)
{
    return consumer_put(tp_of(bt), cfg, false);
}

static mpc_err tp_consumer_update(node_transport *bt,
                                  const node_js_consumer_config *cfg)
{
    return consumer_put(tp_of(bt), cfg, true);
}

static mpc_err tp_consumer_delete(node_transport *bt, const char *stream,
                                  const char *durable)
{
    nats_tp *t = tp_of(bt);
    if (!node_js_name_is_valid(stream) || !node_js_name_is_valid(durable))
        return MPC_ERR_INVALID_ARG;
    jsOptions o;
    if (js_opts(t, &o) != MPC_OK)
        return MPC_ERR_UNAVAILABLE;
    jsErrCode jerr = 0;
    return from_js(js_DeleteConsumer(t->js, stream, durable, &o, &jerr), &jerr);
}

/* ---- JetStream: pull consumers ---- */

static mpc_err tp_pull_bind(node_transport *bt, node_pull **out,
                            const char *stream, const char *durable)
{
    nats_tp *t = tp_of(bt);
    *out = NULL;
    if (!node_js_name_is_valid(stream) || !node_js_name_is_valid(durable))
        return MPC_ERR_INVALID_ARG;
    jsOptions o;
    if (js_opts(t, &o) != MPC_OK)
        return MPC_ERR_UNAVAILABLE;
    struct npull *p = calloc(1, sizeof *p);
    if (p == NULL)
        return MPC_ERR_NOMEM;
    jsSubOptions so;
    jsSubOptions_Init(&so);
    /* Binding to an existing consumer: the library neither creates nor,
     * on unsubscribe, deletes it (c-stack.md §3.3 item 6). */
    so.Stream = stream;
    so.Consumer = durable;
    jsErrCode jerr = 0;
    mpc_err e = from_js(
        js_PullSubscribe(&p->s, t->js, NULL, durable, &o, &so, &jerr), &jerr);
    if (e != MPC_OK) {
        free(p);
        return e;
    }
    atomic_fetch_add(&t->live_pulls, 1);
    *out = (node_pull *)p;
    return MPC_OK;
}

static void tp_pull_unbind(node_transport *bt, node_pull *hp)
{
    nats_tp *t = tp_of(bt);
    struct npull *p = (struct npull *)hp;
    /* Destroy, not Unsubscribe: never touch the durable on the server. */
    natsSubscription_Destroy(p->s);
    free(p);
    atomic_fetch_sub(&t->live_pulls, 1);
}

static mpc_err tp_pull_fetch(node_transport *bt, node_pull *hp,
                             node_jsmsg **out, size_t max, size_t *n,
                             int64_t timeout_ms)
{
    nats_tp *t = tp_of(bt);
    struct npull *p = (struct npull *)hp;
    *n = 0;
    if (max == 0 || max > FETCH_MAX || timeout_ms <= 0)
        return MPC_ERR_INVALID_ARG;
    memset(out, 0, max * sizeof *out);
    if (link_up(t) != MPC_OK)
        return MPC_ERR_UNAVAILABLE;
    jsFetchRequest fr;
    jsFetchRequest_Init(&fr);
    fr.Batch = (int)max;
    /* Without Expires the server keeps the pull request open after we gave
     * up and delivers into the next fetch (c-stack.md §3.3 item 5). */
    if (!ms_to_ns(timeout_ms, &fr.Expires))
        return MPC_ERR_INVALID_ARG;
    natsMsgList list = {0};
    natsStatus s = natsSubscription_FetchRequest(&list, p->s, &fr);
    if (s != NATS_OK && s != NATS_TIMEOUT) {
        natsMsgList_Destroy(&list);
        return from_status(s);
    }
    mpc_err e = MPC_OK;
    for (int i = 0; i < list.Count; i++) {
        natsMsg *m = list.Msgs[i];
        list.Msgs[i] = NULL;
        if (e == MPC_OK && *n < max)
            e = wrap_jsmsg(t, &out[*n], m, true);
        else
            natsMsg_Destroy(m); /* redelivered after AckWait */
        if (e == MPC_OK && out[*n] != NULL)
            (*n)++;
    }
    natsMsgList_Destroy(&list);
    if (e != MPC_OK) {
        for (size_t i = 0; i < *n; i++)
            node_transport_jsmsg_free(bt, &out[i]);
        *n = 0;
    }
    return e;
}

static mpc_err ack_common(nats_tp *t, node_jsmsg *hm, int kind,
                          int64_t delay_ms)
{
    struct njsmsg *w = hm->impl;
    if (w->done)
        return MPC_ERR_STATE;
    jsOptions o;
    if (js_opts(t, &o) != MPC_OK)
        return MPC_ERR_UNAVAILABLE;
    jsErrCode jerr = 0;
    natsStatus s;
    switch (kind) {
    case 0:
        s = natsMsg_AckSync(w->m, &o, &jerr);
        break;
    case 1:
        s = delay_ms > 0 ? natsMsg_NakWithDelay(w->m, delay_ms, &o)
                         : natsMsg_Nak(w->m, &o);
        break;
    case 2:
        return from_status(natsMsg_InProgress(w->m, &o));
    default:
        s = natsMsg_Term(w->m, &o);
        break;
    }
    mpc_err e = from_js(s, &jerr);
    if (e == MPC_OK)
        w->done = true;
    return e;
}

static mpc_err tp_ack(node_transport *bt, node_jsmsg *m)
{
    return ack_common(tp_of(bt), m, 0, 0);
}

static mpc_err tp_nak(node_transport *bt, node_jsmsg *m, int64_t delay_ms)
{
    if (delay_ms < 0)
        return MPC_ERR_INVALID_ARG;
    return ack_common(tp_of(bt), m, 1, delay_ms);
}

static mpc_err tp_in_progress(node_transport *bt, node_jsmsg *m)
{
    return ack_common(tp_of(bt), m, 2, 0);
}

static mpc_err tp_term(node_transport *bt, node_jsmsg *m)
{
    return ack_common(tp_of(bt), m, 3, 0);
}

static void tp_jsmsg_free(node_transport *bt, node_jsmsg *hm)
{
    nats_tp *t = tp_of(bt);
    struct njsmsg *w = hm->impl;
    natsMsg_Destroy(w->m);
    free(w);
    atomic_fetch_sub(&t->live_jsmsgs, 1);
}

/* ---- KV ---- */

/* The bound kvStore of `bucket`, binding it on first use. */
static mpc_err kv_bind(nats_tp *t, const char *bucket, kvStore **out)
{
    *out = NULL;
    if (!node_js_name_is_valid(bucket))
        return MPC_ERR_INVALID_ARG;
    if (link_up(t) != MPC_OK)
        return MPC_ERR_UNAVAILABLE;
    mpc_err e = MPC_OK;
    pthread_mutex_lock(&t->mu);
    for (size_t i = 0; i < t->nkv; i++)
        if (strcmp(t->kv[i].name, bucket) == 0) {
            *out = t->kv[i].kv;
            goto out;
        }
    kvStore *kv = NULL;
    e = from_status(js_KeyValue(&kv, t->js, bucket));
    if (e != MPC_OK)
        goto out;
    if (t->nkv == KV_SLOTS) {
        /* More buckets than any node uses: bind per call would leak. */
        kvStore_Destroy(kv);
        e = MPC_ERR_NOMEM;
        goto out;
    }
    copy_str(t->kv[t->nkv].name, sizeof t->kv[t->nkv].name, bucket);
    t->kv[t->nkv++].kv = kv;
    *out = kv;
out:
    pthread_mutex_unlock(&t->mu);
    return e;
}

/* Forgets the binding of a deleted bucket. */
static void kv_unbind(nats_tp *t, const char *bucket)
{
    pthread_mutex_lock(&t->mu);
    for (size_t i = 0; i < t->nkv; i++)
        if (strcmp(t->kv[i].name, bucket) == 0) {
            kvStore_Destroy(t->kv[i].kv);
            t->kv[i] = t->kv[--t->nkv];
            break;
        }
    pthread_mutex_unlock(&t->mu);
}

/*
 * A handle bound before someone deleted the bucket fails with a timeout or
 * "no responders", not "not found": check, and forget the handle.
 */
static mpc_err kv_recheck(nats_tp *t, const char *bucket, mpc_err e)
{
    if (e != MPC_ERR_TIMEOUT && e != MPC_ERR_UNAVAILABLE)
        return e;
    char sname[NODE_JS_NAME_MAX_BYTES + 1];
    snprintf(sname, sizeof sname, "KV_%s", bucket);
    node_js_stream_info si;
    if (tp_stream_info(&t->base, sname, &si) != MPC_ERR_NOT_FOUND)
        return e;
    kv_unbind(t, bucket);
    return MPC_ERR_NOT_FOUND;
}

static mpc_err tp_kv_bucket_ensure(node_transport *bt,
                                   const node_kv_config *cfg)
{
    nats_tp *t = tp_of(bt);
    int64_t ttl_ns = 0;
    if (!node_js_name_is_valid(cfg->bucket) || cfg->history < 1 ||
        cfg->history > 64 || !ms_to_ns(cfg->ttl_ms, &ttl_ns) ||
        (cfg->storage != NODE_JS_FILE && cfg->storage != NODE_JS_MEMORY) ||
        strlen(cfg->bucket) + 3 > NODE_JS_NAME_MAX_BYTES)
        return MPC_ERR_INVALID_ARG;
    kvStore *kv = NULL;
    mpc_err e = kv_bind(t, cfg->bucket, &kv);
    if (e == MPC_ERR_NOT_FOUND) {
        kvConfig kc;
        kvConfig_Init(&kc);
        kc.Bucket = cfg->bucket;
        kc.Description = cfg->description;
        kc.History = (uint8_t)cfg->history;
        kc.TTL = ttl_ns;
        kc.MaxValueSize = NODE_KV_VALUE_MAX_BYTES;
        kc.StorageType =
            cfg->storage == NODE_JS_MEMORY ? js_MemoryStorage : js_FileStorage;
        /* Idempotent for an identical configuration, so two nodes creating
         * the bucket at once both succeed. */
        e = from_status(js_CreateKeyValue(&kv, t->js, &kc));
        kvStore_Destroy(kv);
        if (e != MPC_OK)
            return e == MPC_ERR_UNAVAILABLE ? MPC_ERR_CONFLICT : e;
        return kv_bind(t, cfg->bucket, &kv);
    }
    if (e != MPC_OK)
        return e;
    /* Exists: compare, never change (other nodes rely on it). */
    kvStatus *st = NULL;
    e = from_status(kvStore_Status(&st, kv));
    if (e != MPC_OK)
        return e;
    bool same = kvStatus_TTL(st) == ttl_ns &&
                kvStatus_History(st) == (int64_t)cfg->history;
    kvStatus_Destroy(st);
    char sname[NODE_JS_NAME_MAX_BYTES + 1];
    snprintf(sname, sizeof sname, "KV_%s", cfg->bucket);
    node_js_stream_info si;
    e = tp_stream_info(bt, sname, &si);
    if (e != MPC_OK)
        return e;
    if (si.storage != cfg->storage)
        same = false;
    return same ? MPC_OK : MPC_ERR_CONFLICT;
}

static mpc_err tp_kv_bucket_delete(node_transport *bt, const char *bucket)
{
    nats_tp *t = tp_of(bt);
    if (!node_js_name_is_valid(bucket))
        return MPC_ERR_INVALID_ARG;
    if (link_up(t) != MPC_OK)
        return MPC_ERR_UNAVAILABLE;
    kv_unbind(t, bucket);
    return from_status(js_DeleteKeyValue(t->js, bucket));
}

static mpc_err entry_from_kv(kvEntry *e, node_kv_entry *out)
{
    memset(out, 0, sizeof *out);
    int len = kvEntry_ValueLen(e);
    size_t n = len > 0 ? (size_t)len : 0;
    if (n > NODE_KV_VALUE_MAX_BYTES)
        return MPC_ERR_PARSE;
    kvOperation op = kvEntry_Operation(e);
    out->op = op == kvOp_Put ? NODE_KV_PUT : NODE_KV_DELETE;
    copy_str(out->key, sizeof out->key, kvEntry_Key(e));
    if (n > 0)
        memcpy(out->value, kvEntry_Value(e), n);
    out->len = n;
    out->revision = kvEntry_Revision(e);
    out->created_ms = kvEntry_Created(e) / NS_PER_MS;
    return MPC_OK;
}

static bool kv_args_ok(const char *key, const uint8_t *val, size_t len)
{
    return node_kv_key_is_valid(key, false) && payload_ok(val, len) &&
           len <= NODE_KV_VALUE_MAX_BYTES;
}

static mpc_err tp_kv_get(node_transport *bt, const char *bucket,
                         const char *key, node_kv_entry *out)
{
    nats_tp *t = tp_of(bt);
    memset(out, 0, sizeof *out);
    if (!node_kv_key_is_valid(key, false))
        return MPC_ERR_INVALID_ARG;
    kvStore *kv = NULL;
    mpc_err e = kv_bind(t, bucket, &kv);
    if (e != MPC_OK)
        return e;
    kvEntry *ke = NULL;
    e = kv_recheck(t, bucket, from_status(kvStore_Get(&ke, kv, key)));
    if (e == MPC_OK)
        e = entry_from_kv(ke, out);
    kvEntry_Destroy(ke);
    if (e != MPC_OK)
        memset(out, 0, sizeof *out);
    return e;
}

/*
 * Create and update are JetStream publishes with an expected last
 * sequence; cnats reports a mismatch as the generic NATS_ERR (no jsErrCode),
 * which is the only API error these calls can get once the arguments are
 * valid and the value fits: it means "someone else wrote first".
 */
static mpc_err kv_cas_status(natsStatus s)
{
    return s == NATS_ERR ? MPC_ERR_CONFLICT : from_status(s);
}

enum kv_write_kind { KV_PUT, KV_CREATE, KV_UPDATE };

/* Put, create and update differ only in the cnats call and in how its
 * status reads (create and update are compare-and-set). */
static mpc_err kv_write(node_transport *bt, enum kv_write_kind kind,
                        const char *bucket, const char *key, const uint8_t *val,
                        size_t len, uint64_t last_rev, uint64_t *rev)
{
    nats_tp *t = tp_of(bt);
    uint64_t r = 0;
    if (rev != NULL)
        *rev = 0;
    if (!kv_args_ok(key, val, len) || (kind == KV_UPDATE && last_rev == 0))
        return MPC_ERR_INVALID_ARG;
    kvStore *kv = NULL;
    mpc_err e = kv_bind(t, bucket, &kv);
    if (e != MPC_OK)
        return e;
    switch (kind) {
    case KV_PUT:
        e = from_status(kvStore_Put(&r, kv, key, val, (int)len));
        break;
    case KV_CREATE:
        e = kv_cas_status(kvStore_Create(&r, kv, key, val, (int)len));
        break;
    case KV_UPDATE:
        e = kv_cas_status(kvStore_Update(&r, kv, key, val, (int)len, last_rev));
        break;
    }
    e = kv_recheck(t, bucket, e);
    if (e == MPC_OK && rev != NULL)
        *rev = r;
    return e;
}

static mpc_err tp_kv_put(node_transport *bt, const char *bucket,
                         const char *key, const uint8_t *val, size_t len,
                         uint64_t *rev)
{
    return kv_write(bt, KV_PUT, bucket, key, val, len, 0, rev);
}

static mpc_err tp_kv_create(node_transport *bt, const char *bucket,
                            const char *key, const uint8_t *val, size_t len,
                            uint64_t *rev)
{
    return kv_write(bt, KV_CREATE, bucket, key, val, len, 0, rev);
}

static mpc_err tp_kv_update(node_transport *bt, const char *bucket,
                            const char *key, const uint8_t *val, size_t len,
                            uint64_t last_rev, uint64_t *rev)
{
    return kv_write(bt, KV_UPDATE, bucket, key, val, len, last_rev, rev);
}

static mpc_err tp_kv_delete(node_transport *bt, const char *bucket,
                            const char *key)
{
    nats_tp *t = tp_of(bt);
    if (!node_kv_key_is_valid(key, false))
        return MPC_ERR_INVALID_ARG;
    kvStore *kv = NULL;
    mpc_err e = kv_bind(t, bucket, &kv);
    if (e != MPC_OK)
        return e;
    return kv_recheck(t, bucket, from_status(kvStore_Delete(kv, key)));
}

static mpc_err tp_kv_watch(node_transport *bt, node_kv_watch **out,
                           const char *bucket, const char *key_pattern)
{
    nats_tp *t = tp_of(bt);
    *out = NULL;
    if (key_pattern != NULL && !node_kv_key_is_valid(key_pattern, true))
        return MPC_ERR_INVALID_ARG;
    kvStore *kv = NULL;
    mpc_err e = kv_bind(t, bucket, &kv);
    if (e != MPC_OK)
        return e;
    struct nwatch *w = calloc(1, sizeof *w);
    if (w == NULL)
        return MPC_ERR_NOMEM;
    kvWatchOptions o;
    kvWatchOptions_Init(&o);
    o.Timeout = t->js_timeout_ms;
    e = kv_recheck(
        t, bucket,
        from_status(kvStore_Watch(
            &w->w, kv, key_pattern != NULL ? key_pattern : ">", &o)));
    if (e != MPC_OK) {
        free(w);
        return e;
    }
    atomic_fetch_add(&t->live_watches, 1);
    *out = (node_kv_watch *)w;
    return MPC_OK;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static mpc_err tp_kv_watch_next(node_transport *bt, node_kv_watch *hw,
                                node_kv_entry *out, int64_t timeout_ms)
{
    (void)bt;
    struct nwatch *w = (struct nwatch *)hw;
    memset(out, 0, sizeof *out);
    if (timeout_ms < 0)
        return MPC_ERR_INVALID_ARG;
    int64_t end = mono_ms() + timeout_ms;
    for (;;) {
        kvEntry *ke = NULL;
        int64_t left = end - mono_ms();
        /* cnats needs a positive timeout; 1 ms is "do not wait". */
        natsStatus s = kvWatcher_Next(&ke, w->w, left > 0 ? left : 1);
        if (s == NATS_ILLEGAL_STATE || s == NATS_INVALID_SUBSCRIPTION)
            return MPC_ERR_UNAVAILABLE;
        if (s != NATS_OK)
            return from_status(s);
        if (ke == NULL) {
            w->init_done = true;
            out->op = NODE_KV_INIT_DONE;
            return MPC_OK;
        }
        /* The initial values are the live keys: cnats also replays the
         * delete markers, which say nothing to a new watcher. */
        if (!w->init_done && kvEntry_Operation(ke) != kvOp_Put) {
            kvEntry_Destroy(ke);
            continue;
        }
        mpc_err e = entry_from_kv(ke, out);
        kvEntry_Destroy(ke);
        return e;
    }
}

static void tp_kv_unwatch(node_transport *bt, node_kv_watch *hw)
{
    nats_tp *t = tp_of(bt);
    struct nwatch *w = (struct nwatch *)hw;
    (void)kvWatcher_Stop(w->w);
    /* The watcher's subscription, as in tp_unsubscribe: leaked rather than
     * freed under the read loop. */
    if (!read_loop_past(t))
        return;
    kvWatcher_Destroy(w->w);
    free(w);
    atomic_fetch_sub(&t->live_watches, 1);
}

/* ---- Construction ---- */

static const node_transport_ops nats_ops = {
    .free = tp_free,
    .stats = tp_stats,
    .publish = tp_publish,
    .flush = tp_flush,
    .request = tp_request,
    .subscribe = tp_subscribe,
    .unsubscribe = tp_unsubscribe,
    .js_publish = tp_js_publish,
    .stream_info = tp_stream_info,
    .stream_add = tp_stream_add,
    .stream_update = tp_stream_update,
    .stream_delete = tp_stream_delete,
    .stream_get = tp_stream_get,
    .consumer_info = tp_consumer_info,
    .consumer_add = tp_consumer_add,
    .consumer_update = tp_consumer_update,
    .consumer_delete = tp_consumer_delete,
    .pull_bind = tp_pull_bind,
    .pull_fetch = tp_pull_fetch,
    .pull_unbind = tp_pull_unbind,
    .ack = tp_ack,
    .nak = tp_nak,
    .in_progress = tp_in_progress,
    .term = tp_term,
    .jsmsg_free = tp_jsmsg_free,
    .kv_bucket_ensure = tp_kv_bucket_ensure,
    .kv_bucket_delete = tp_kv_bucket_delete,
    .kv_get = tp_kv_get,
    .kv_put = tp_kv_put,
    .kv_create = tp_kv_create,
    .kv_update = tp_kv_update,
    .kv_delete = tp_kv_delete,
    .kv_watch = tp_kv_watch,
    .kv_watch_next = tp_kv_watch_next,
    .kv_unwatch = tp_kv_unwatch,
};

void node_transport_nats_default(node_nats_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->url = "nats://127.0.0.1:4222";
    cfg->inbox_prefix = "_INBOX_mpcium";
    cfg->dial_timeout_ms = 5000;
    cfg->ping_interval_ms = 20000;
    cfg->max_pings_out = 3;
    cfg->reconnect_wait_ms = 2000;
    cfg->max_reconnect = -1;
    cfg->reconnect_buf_bytes = 16 * 1024 * 1024;
    cfg->send_asap = true;
    cfg->js_timeout_ms = 5000;
}

static bool set(const char *s)
{
    return s != NULL && s[0] != 0;
}

static bool config_ok(const node_nats_config *c)
{
    int creds = (set(c->user) || set(c->password)) +
                (set(c->nkey_public) || set(c->nkey_seed_file)) +
                set(c->creds_file);
    return set(c->url) && creds <= 1 &&
           set(c->nkey_public) == set(c->nkey_seed_file) &&
           (!set(c->password) || set(c->user)) &&
           set(c->tls_cert_file) == set(c->tls_key_file) &&
           c->dial_timeout_ms > 0 && c->ping_interval_ms > 0 &&
           c->max_pings_out > 0 && c->reconnect_wait_ms >= 0 &&
           c->max_reconnect >= -1 && c->reconnect_buf_bytes >= 0 &&
           c->js_timeout_ms > 0 && c->payload_need_bytes >= 0 &&
           (c->inbox_prefix == NULL || c->inbox_prefix[0] == 0 ||
            node_subject_is_valid(c->inbox_prefix, false));
}

static bool readable(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    fclose(f);
    return true;
}

/*
 * Options that read files: a failure there is the file's fault. cnats reads
 * the seed and creds files only when it connects, so check them first for
 * a clear error instead of an opaque connection failure.
 */
static mpc_err set_files(natsOptions *o, const node_nats_config *c)
{
    const char *files[] = {c->tls_ca_file, c->tls_cert_file, c->tls_key_file,
                           c->nkey_seed_file, c->creds_file};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        if (set(files[i]) && !readable(files[i]))
            return MPC_ERR_IO;
    natsStatus s = NATS_OK;
    bool tls = set(c->tls_ca_file) || set(c->tls_cert_file);
    if (tls)
        s = natsOptions_SetSecure(o, true);
    if (s == NATS_OK && set(c->tls_ca_file))
        s = natsOptions_LoadCATrustedCertificates(o, c->tls_ca_file);
    if (s == NATS_OK && set(c->tls_cert_file))
        s = natsOptions_LoadCertificatesChain(o, c->tls_cert_file,
                                              c->tls_key_file);
    if (s == NATS_OK && set(c->tls_hostname))
        s = natsOptions_SetExpectedHostname(o, c->tls_hostname);
    if (s == NATS_OK && set(c->nkey_seed_file))
        s = natsOptions_SetNKeyFromSeed(o, c->nkey_public, c->nkey_seed_file);
    if (s == NATS_OK && set(c->creds_file))
        s = natsOptions_SetUserCredentialsFromFiles(o, c->creds_file, NULL);
    if (s == NATS_NO_MEMORY)
        return MPC_ERR_NOMEM;
    return s == NATS_OK ? MPC_OK : MPC_ERR_IO;
}

static mpc_err set_options(natsOptions *o, const node_nats_config *c,
                           nats_tp *t)
{
    natsStatus s = natsOptions_SetURL(o, c->url);
    if (s == NATS_OK && set(c->name))
        s = natsOptions_SetName(o, c->name);
    if (s == NATS_OK && set(c->inbox_prefix))
        s = natsOptions_SetCustomInboxPrefix(o, c->inbox_prefix);
    if (s == NATS_OK && set(c->user))
        s = natsOptions_SetUserInfo(o, c->user, c->password);
    if (s == NATS_OK)
        s = natsOptions_SetTimeout(o, c->dial_timeout_ms);
    if (s == NATS_OK)
        s = natsOptions_SetPingInterval(o, c->ping_interval_ms);
    if (s == NATS_OK)
        s = natsOptions_SetMaxPingsOut(o, c->max_pings_out);
    if (s == NATS_OK)
        s = natsOptions_SetAllowReconnect(o, true);
    if (s == NATS_OK)
        s = natsOptions_SetMaxReconnect(o, c->max_reconnect);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectWait(o, c->reconnect_wait_ms);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectBufSize(o, c->reconnect_buf_bytes);
    if (s == NATS_OK)
        s = natsOptions_SetSendAsap(o, c->send_asap);
    if (s == NATS_OK)
        s = nats_SetMessageDeliveryPoolSize(DELIVERY_THREADS);
    if (s == NATS_OK)
        s = natsOptions_UseGlobalMessageDelivery(o, true);
    if (s == NATS_OK)
        s = natsOptions_SetFailRequestsOnDisconnect(o, true);
    if (s == NATS_OK)
        s = natsOptions_SetDisconnectedCB(o, on_disconnected, t);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectedCB(o, on_reconnected, t);
    if (s == NATS_OK)
        s = natsOptions_SetClosedCB(o, on_closed, t);
    if (s == NATS_OK)
        s = natsOptions_SetErrorHandler(o, on_async_error, t);
    if (s == NATS_OK)
        s = natsOptions_SetLameDuckModeCB(o, on_lame_duck, t);
    if (s != NATS_OK)
        return s == NATS_NO_MEMORY ? MPC_ERR_NOMEM : MPC_ERR_INVALID_ARG;
    return set_files(o, c);
}

static mpc_err connect_status(natsStatus s)
{
    switch (s) {
    case NATS_OK:
        return MPC_OK;
    case NATS_CONNECTION_AUTH_FAILED:
    case NATS_NOT_PERMITTED:
        return MPC_ERR_AUTH;
    case NATS_NO_MEMORY:
        return MPC_ERR_NOMEM;
    default:
        return MPC_ERR_UNAVAILABLE;
    }
}

/*
 * The first connection. cnats gives no retry here (RetryOnFailedConnect is
 * off), so a refused credential or certificate is an error at start-up,
 * not an endless reconnect loop; its reason (the server's -ERR, the TLS
 * alert) goes to on_event, since no closed callback will ever carry it.
 */
static mpc_err connect_first(nats_tp *t, natsOptions *o, bool tls)
{
    natsStatus s = natsConnection_Connect(&t->nc, o);
    if (s == NATS_OK)
        return MPC_OK;
    natsStatus ls = NATS_OK;
    const char *last = nats_GetLastError(&ls);
    /* A server that rejects the client certificate just closes the link:
     * cnats then reports an SSL, I/O or protocol error, whichever read
     * noticed first. */
    bool tls_hint = tls && s != NATS_NO_SERVER &&
                    s != NATS_CONNECTION_AUTH_FAILED && s != NATS_NO_MEMORY;
    char why[640];
    snprintf(why, sizeof why, "connect failed: %s%s%s%s", natsStatus_GetText(s),
             set(last) ? ": " : "", set(last) ? last : "",
             tls_hint ? " (with TLS on: the server may have refused this "
                        "node's certificate, or this node the server's)"
                      : "");
    emit(t, NODE_TRANSPORT_CLOSED, why);
    return connect_status(s);
}

/* The server announces max_payload in INFO; larger publishes would fail
 * one by one at run time, so refuse a server that is too small now. */
static mpc_err payload_check(nats_tp *t, int64_t need)
{
    int64_t have = natsConnection_GetMaxPayload(t->nc);
    if (need <= 0 || have >= need)
        return MPC_OK;
    char why[256];
    snprintf(why, sizeof why,
             "server max_payload is %" PRId64 " bytes, below the %" PRId64
             " this node may publish",
             have, need);
    emit(t, NODE_TRANSPORT_CLOSED, why);
    return MPC_ERR_CONFLICT;
}

mpc_err node_transport_nats_new(node_transport **out,
                                const node_nats_config *cfg)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    if (cfg == NULL || !config_ok(cfg))
        return MPC_ERR_INVALID_ARG;
    nats_tp *t = calloc(1, sizeof *t);
    if (t == NULL)
        return MPC_ERR_NOMEM;
    if (pthread_mutex_init(&t->mu, NULL) != 0) {
        free(t);
        return MPC_ERR_NOMEM;
    }
    if (cond_init_mono(&t->cv) != 0) {
        pthread_mutex_destroy(&t->mu);
        free(t);
        return MPC_ERR_NOMEM;
    }
    t->base.ops = &nats_ops;
    t->js_timeout_ms = cfg->js_timeout_ms;
    t->on_event = cfg->on_event;
    t->event_ud = cfg->event_ud;

    natsOptions *o = NULL;
    mpc_err e = from_status(natsOptions_Create(&o));
    if (e == MPC_OK)
        e = set_options(o, cfg, t);
    if (e == MPC_OK)
        e = connect_first(t, o,
                          set(cfg->tls_ca_file) || set(cfg->tls_cert_file));
    natsOptions_Destroy(o);
    if (e == MPC_OK)
        e = payload_check(t, cfg->payload_need_bytes);
    if (e == MPC_OK) {
        jsOptions jo;
        e = js_opts(t, &jo);
        if (e == MPC_OK)
            e = from_status(natsConnection_JetStream(&t->js, t->nc, &jo));
    }
    if (e != MPC_OK) {
        tp_free(&t->base);
        return e;
    }
    *out = &t->base;
    return MPC_OK;
}
