/*
 * node/transport_mem.c — node_transport on an in-process bus, for unit tests
 * of the node (session manager, consumers, registry) without a server.
 *
 * The model follows what nats-server 2.9 was observed to do (the shared
 * conformance suite in tests/node/transport_conformance.h runs against both
 * this file and a real server):
 *   - core subjects with `*` / `>`, no queue groups, headers, request/reply
 *     with immediate "no responders";
 *   - a publish on a subject a stream captures is stored (and a request on it
 *     is answered with a PubAck, never "no responders");
 *   - streams with Nats-Msg-Id de-duplication, durable pull consumers with
 *     ack / nak(delay) / in-progress / term, AckWait and BackOff, MaxDeliver,
 *     MaxAckPending and the max-deliveries advisory; work queues drop a
 *     message once acknowledged or terminated; the server's refusals
 *     (overlapping subjects, retention or storage changes, a second
 *     overlapping work-queue consumer, deliver/ack policy changes);
 *   - KV buckets with revisions, create / compare-and-swap, delete markers,
 *     silent TTL expiry, watchers.
 * See transport.h for what is simplified.
 *
 * Concurrency: one mutex per bus guards everything; one condition variable
 * (CLOCK_MONOTONIC) wakes every waiter on any change. Each connection has a
 * delivery thread that runs its subscriptions' callbacks without the lock.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/transport.h"

#define UNSUB_WAIT_MS 10000
#define FETCH_MAX 256
#define DEFAULT_DUPLICATES_MS 120000
#define CONN_NAME_MAX 64
/* Publishes held while a connection is down, like NATS's reconnect buffer. */
#define DOWN_BUFFER_MAX 1024

/* ---- Messages ---- */

/* An immutable message shared by deliveries, stored copies and fetches. */
struct mmsg {
    int refs;
    char *subject;
    char *reply;
    uint8_t *data;
    size_t len;
    node_header *hdrs;
    size_t nhdrs;
};

/* ---- Streams, consumers, KV ---- */

struct mstored {
    struct mmsg *m; /* NULL once removed (work queue ack, term) */
    char *msg_id;
    int64_t wall_ms;
    int64_t mono_ms;
};

struct mpend {
    uint64_t seq;
    uint64_t deliveries;
    int64_t deadline; /* mono ms: eligible for redelivery from then */
};

struct mstream;

struct mconsumer {
    struct mconsumer *next;
    struct mstream *s; /* NULL once deleted */
    int refs;          /* the stream's list, bindings, fetched messages */
    char durable[NODE_JS_NAME_MAX_BYTES + 1];
    char description[NODE_JS_DESC_MAX_BYTES + 1];
    char filter[NODE_SUBJECT_MAX_BYTES + 1];
    node_js_deliver deliver;
    node_js_ack ack;
    int64_t ack_wait_ms;
    int64_t max_deliver;
    int64_t backoff_ms[NODE_JS_BACKOFF_MAX];
    size_t nbackoff;
    int64_t max_ack_pending;
    uint64_t next_seq; /* next stream sequence never delivered */
    struct mpend *pend;
    size_t npend, cpend;
};

struct mstream {
    struct mstream *next;
    char name[NODE_JS_NAME_MAX_BYTES + 1];
    char description[NODE_JS_DESC_MAX_BYTES + 1];
    char subjects[NODE_JS_SUBJECTS_MAX][NODE_SUBJECT_MAX_BYTES + 1];
    size_t nsubjects;
    node_js_retention retention;
    node_js_storage storage;
    node_js_discard discard;
    int64_t max_age_ms;
    int64_t max_bytes;
    int64_t max_msgs;
    int64_t duplicates_ms;
    struct mstored *msgs; /* index = seq - 1 */
    size_t nmsgs, cmsgs;
    struct mconsumer *consumers;
};

struct mkv {
    char *key;
    uint8_t *val;
    size_t len;
    node_kv_op op;
    uint64_t rev;
    int64_t wall_ms;
    int64_t mono_ms;
};

struct mevent {
    struct mevent *next;
    node_kv_op op;
    char *key;
    uint8_t *val;
    size_t len;
    uint64_t rev;
    int64_t wall_ms;
};

struct mbucket;

struct mwatch {
    struct mwatch *next;
    struct mbucket *b; /* NULL once the bucket is deleted */
    char pattern[NODE_KV_KEY_MAX_BYTES + 1];
    struct mevent *head, *tail;
};

struct mbucket {
    struct mbucket *next;
    char name[NODE_JS_NAME_MAX_BYTES + 1];
    int64_t ttl_ms;
    unsigned history;
    node_js_storage storage;
    struct mkv *e;
    size_t ne, ce;
    uint64_t rev;
    struct mwatch *watches;
};

/* ---- Connections and subscriptions ---- */

struct mconn;

struct msub {
    struct msub *next;
    struct mconn *c;
    char subject[NODE_SUBJECT_MAX_BYTES + 1];
    node_msg_fn cb;
    void *ud;
    bool active;
    int refs; /* the owner's handle and queued deliveries */
};

struct mdeliv {
    struct mdeliv *next;
    struct msub *sub;
    struct mmsg *m;
};

struct mheld {
    struct mheld *next;
    struct mmsg *m;
};

struct mreq {
    struct mreq *next;
    char inbox[64];
    uint8_t *out;
    size_t cap;
    size_t len;
    int state; /* 0 waiting, 1 replied, 2 reply too long */
};

struct mconn {
    node_transport base;
    struct mconn *next;
    node_mem_bus *bus;
    char name[CONN_NAME_MAX + 1];
    uint64_t id;
    struct msub *subs;
    struct mdeliv *qhead, *qtail;
    struct mreq *reqs;
    uint64_t next_inbox;
    pthread_t thread;
    bool stop;
    const struct msub *running;
    bool down;
    struct mheld *held, *held_tail;
    size_t nheld;
    uint64_t live_subs, live_pulls, live_watches, live_jsmsgs;
    uint64_t disconnects, reconnects;
};

struct mpull {
    struct mconsumer *c;
};

struct mjsmsg {
    node_jsmsg pub;
    struct mmsg *m;
    struct mconsumer *c; /* NULL for a message read by sequence */
    bool done;
};

struct node_mem_bus {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct mconn *conns;
    struct mstream *streams;
    struct mbucket *buckets;
    node_mem_filter_fn filter;
    void *filter_ud;
    uint64_t next_conn;
};

/* The delivery thread's connection and the subscription whose callback
 * runs, per thread: lets unsubscribe refuse to wait for itself and flush
 * skip its own connection. */
static _Thread_local const struct msub *running_sub;
static _Thread_local const struct mconn *delivery_conn;

static struct mconn *conn_of(node_transport *t)
{
    return (struct mconn *)t;
}

/* ---- Time and waiting ---- */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits on the bus condition until `until` (mono ms); lock held. */
static void wait_until(node_mem_bus *bus, int64_t until)
{
    int64_t now = mono_ms();
    if (until <= now)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t ms = until - now;
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&bus->cv, &bus->mu, &ts);
}

static void lock(node_mem_bus *bus)
{
    pthread_mutex_lock(&bus->mu);
}

static void unlock_wake(node_mem_bus *bus)
{
    pthread_cond_broadcast(&bus->cv);
    pthread_mutex_unlock(&bus->mu);
}

/* ---- Subjects ---- */

static size_t token_len(const char *s)
{
    size_t n = 0;
    while (s[n] != 0 && s[n] != '.')
        n++;
    return n;
}

/* Does `subject` (no wildcards) match `pattern`? */
static bool subject_match(const char *pattern, const char *subject)
{
    const char *p = pattern, *s = subject;
    for (;;) {
        size_t pl = token_len(p), sl = token_len(s);
        if (pl == 1 && p[0] == '>')
            return sl > 0;
        if (!(pl == 1 && p[0] == '*') && (pl != sl || memcmp(p, s, pl) != 0))
            return false;
        p += pl;
        s += sl;
        if (*p == 0 || *s == 0)
            return *p == 0 && *s == 0;
        p++;
        s++;
    }
}

/* Can some subject match both patterns? */
static bool patterns_overlap(const char *a, const char *b)
{
    for (;;) {
        size_t al = token_len(a), bl = token_len(b);
        bool aw = al == 1 && a[0] == '*', bw = bl == 1 && b[0] == '*';
        if ((al == 1 && a[0] == '>') || (bl == 1 && b[0] == '>'))
            return true;
        if (!aw && !bw && (al != bl || memcmp(a, b, al) != 0))
            return false;
        a += al;
        b += bl;
        if (*a == 0 || *b == 0)
            return *a == 0 && *b == 0;
        a++;
        b++;
    }
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

static bool payload_ok(const uint8_t *data, size_t len)
{
    return len == 0 || data != NULL;
}

/* ---- Message objects ---- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

static void mmsg_unref(struct mmsg *m)
{
    if (m == NULL || --m->refs > 0)
        return;
    for (size_t i = 0; i < m->nhdrs; i++) {
        free((char *)m->hdrs[i].key);
        free((char *)m->hdrs[i].value);
    }
    free(m->hdrs);
    free(m->subject);
    free(m->reply);
    free(m->data);
    free(m);
}

/* A copy of the message; `extra` is one more header (may be NULL). */
static struct mmsg *mmsg_new(const char *subject, const char *reply,
                             const node_header *hdrs, size_t nhdrs,
                             const node_header *extra, const uint8_t *data,
                             size_t len)
{
    struct mmsg *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->refs = 1;
    size_t total = nhdrs + (extra != NULL);
    m->subject = dup_str(subject);
    m->reply = reply != NULL ? dup_str(reply) : NULL;
    m->data = malloc(len > 0 ? len : 1);
    m->hdrs = calloc(total > 0 ? total : 1, sizeof *m->hdrs);
    bool ok = m->subject != NULL && (reply == NULL || m->reply != NULL) &&
              m->data != NULL && m->hdrs != NULL;
    for (size_t i = 0; ok && i < total; i++) {
        const node_header *h = i < nhdrs ? &hdrs[i] : extra;
        m->hdrs[i].key = dup_str(h->key);
        m->hdrs[i].value = dup_str(h->value);
        m->nhdrs = i + 1;
        ok = m->hdrs[i].key != NULL && m->hdrs[i].value != NULL;
    }
    if (!ok) {
        mmsg_unref(m);
        return NULL;
    }
    if (len > 0)
        memcpy(m->data, data, len);
    m->len = len;
    return m;
}

static const char *mmsg_header(const node_msg *msg, const char *key)
{
    const struct mmsg *m = msg->impl;
    for (size_t i = 0; i < m->nhdrs; i++)
        if (strcmp(m->hdrs[i].key, key) == 0)
            return m->hdrs[i].value;
    return NULL;
}

static void fill_msg(node_msg *out, const struct mmsg *m)
{
    out->subject = m->subject;
    out->reply = m->reply;
    out->data = m->data;
    out->len = m->len;
    out->header_fn = mmsg_header;
    out->impl = m;
}

/* ---- Routing (bus lock held) ---- */

static bool pass(node_mem_bus *bus, const struct mconn *from,
                 const struct mconn *to, const char *subject)
{
    return bus->filter == NULL ||
           bus->filter(bus->filter_ud, from != NULL ? from->name : "$server",
                       to->name, subject);
}

/*
 * Delivers a core message to every matching subscription and waiting
 * request of every connection that is up. Returns the number of receivers
 * interested (before the fault hook drops copies), or -1 on allocation
 * failure.
 */
static int route(node_mem_bus *bus, const struct mconn *from, struct mmsg *m)
{
    int interested = 0;
    for (struct mconn *c = bus->conns; c != NULL; c = c->next) {
        if (c->down)
            continue;
        for (struct mreq *r = c->reqs; r != NULL; r = r->next) {
            if (r->state != 0 || strcmp(r->inbox, m->subject) != 0)
                continue;
            interested++;
            if (!pass(bus, from, c, m->subject))
                continue;
            if (m->len > r->cap) {
                r->state = 2;
                continue;
            }
            if (m->len > 0)
                memcpy(r->out, m->data, m->len);
            r->len = m->len;
            r->state = 1;
        }
        for (struct msub *s = c->subs; s != NULL; s = s->next) {
            if (!s->active || !subject_match(s->subject, m->subject))
                continue;
            interested++;
            if (!pass(bus, from, c, m->subject))
                continue;
            struct mdeliv *d = calloc(1, sizeof *d);
            if (d == NULL)
                return -1;
            d->sub = s;
            d->m = m;
            m->refs++;
            s->refs++;
            if (c->qtail != NULL)
                c->qtail->next = d;
            else
                c->qhead = d;
            c->qtail = d;
        }
    }
    return interested;
}

/* Publishes a message the "server" makes (advisories, PubAcks). */
static void route_server(node_mem_bus *bus, const char *subject,
                         const char *text)
{
    struct mmsg *m = mmsg_new(subject, NULL, NULL, 0, NULL,
                              (const uint8_t *)text, strlen(text));
    if (m == NULL)
        return;
    (void)route(bus, NULL, m);
    mmsg_unref(m);
}

static struct mstream *stream_find(node_mem_bus *bus, const char *name)
{
    for (struct mstream *s = bus->streams; s != NULL; s = s->next)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

static struct mstream *stream_capturing(node_mem_bus *bus, const char *subject)
{
    for (struct mstream *s = bus->streams; s != NULL; s = s->next)
        for (size_t i = 0; i < s->nsubjects; i++)
            if (subject_match(s->subjects[i], subject))
                return s;
    return NULL;
}

/*
 * Stores `m` in `s` unless its Nats-Msg-Id was seen within the duplicate
 * window. Returns MPC_OK with the sequence and duplicate flag.
 */
static mpc_err stream_store(struct mstream *s, struct mmsg *m,
                            node_js_ack_info *ack)
{
    node_msg view;
    fill_msg(&view, m);
    const char *id = node_msg_header(&view, "Nats-Msg-Id");
    int64_t now = mono_ms();
    if (id != NULL) {
        for (size_t i = s->nmsgs; i-- > 0;) {
            const struct mstored *st = &s->msgs[i];
            if (now - st->mono_ms >= s->duplicates_ms)
                break;
            if (st->msg_id != NULL && strcmp(st->msg_id, id) == 0) {
                ack->seq = i + 1;
                ack->duplicate = true;
                return MPC_OK;
            }
        }
    }
    if (s->nmsgs == s->cmsgs) {
        size_t nc = s->cmsgs ? 2 * s->cmsgs : 16;
        struct mstored *n = realloc(s->msgs, nc * sizeof *n);
        if (n == NULL)
            return MPC_ERR_NOMEM;
        s->msgs = n;
        s->cmsgs = nc;
    }
    struct mstored *st = &s->msgs[s->nmsgs];
    memset(st, 0, sizeof *st);
    if (id != NULL && (st->msg_id = dup_str(id)) == NULL)
        return MPC_ERR_NOMEM;
    st->m = m;
    m->refs++;
    st->wall_ms = wall_ms();
    st->mono_ms = now;
    s->nmsgs++;
    ack->seq = s->nmsgs;
    ack->duplicate = false;
    return MPC_OK;
}

/* A core publish: routed, stored when captured, PubAck to its reply. */
static mpc_err publish_locked(node_mem_bus *bus, struct mconn *from,
                              struct mmsg *m, int *interested)
{
    struct mstream *s = stream_capturing(bus, m->subject);
    int n = route(bus, from, m);
    if (n < 0)
        return MPC_ERR_NOMEM;
    if (s != NULL) {
        node_js_ack_info ack;
        mpc_err e = stream_store(s, m, &ack);
        if (e != MPC_OK)
            return e;
        if (m->reply != NULL) {
            char txt[NODE_JS_NAME_MAX_BYTES + 80];
            snprintf(txt, sizeof txt,
                     "{\"stream\":\"%s\",\"seq\":%" PRIu64 "%s}", s->name,
                     ack.seq, ack.duplicate ? ",\"duplicate\":true" : "");
            route_server(bus, m->reply, txt);
        }
        n++;
    }
    if (interested != NULL)
        *interested = n;
    return MPC_OK;
}

/* Keeps a publish made while down, to send when the link is back. */
static mpc_err hold(struct mconn *c, struct mmsg *m)
{
    if (c->nheld == DOWN_BUFFER_MAX)
        return MPC_ERR_UNAVAILABLE; /* the buffer is full */
    struct mheld *h = calloc(1, sizeof *h);
    if (h == NULL)
        return MPC_ERR_NOMEM;
    h->m = m;
    m->refs++;
    if (c->held_tail != NULL)
        c->held_tail->next = h;
    else
        c->held = h;
    c->held_tail = h;
    c->nheld++;
    return MPC_OK;
}

/* Sends (up) or drops (freeing the connection) the held publishes. */
static void release_held(struct mconn *c, bool send)
{
    while (c->held != NULL) {
        struct mheld *h = c->held;
        c->held = h->next;
        if (send)
            (void)publish_locked(c->bus, c, h->m, NULL);
        mmsg_unref(h->m);
        free(h);
    }
    c->held_tail = NULL;
    c->nheld = 0;
}

/* ---- Delivery thread ---- */

static void sub_release(struct msub *s)
{
    if (--s->refs == 0)
        free(s);
}

static void *delivery_main(void *arg)
{
    struct mconn *c = arg;
    node_mem_bus *bus = c->bus;
    delivery_conn = c;
    lock(bus);
    while (!c->stop) {
        struct mdeliv *d = c->qhead;
        if (d == NULL) {
            pthread_cond_wait(&bus->cv, &bus->mu);
            continue;
        }
        c->qhead = d->next;
        if (c->qhead == NULL)
            c->qtail = NULL;
        if (d->sub->active) {
            node_msg msg;
            fill_msg(&msg, d->m);
            c->running = d->sub;
            running_sub = d->sub;
            pthread_mutex_unlock(&bus->mu);
            d->sub->cb(&msg, d->sub->ud);
            lock(bus);
            running_sub = NULL;
            c->running = NULL;
            pthread_cond_broadcast(&bus->cv);
        }
        sub_release(d->sub);
        mmsg_unref(d->m);
        free(d);
    }
    pthread_mutex_unlock(&bus->mu);
    return NULL;
}

/* ---- Bus ---- */

mpc_err node_mem_bus_new(node_mem_bus **out)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    node_mem_bus *bus = calloc(1, sizeof *bus);
    if (bus == NULL)
        return MPC_ERR_NOMEM;
    pthread_condattr_t a;
    bool ok = pthread_mutex_init(&bus->mu, NULL) == 0;
    if (ok && pthread_condattr_init(&a) == 0) {
        ok = pthread_condattr_setclock(&a, CLOCK_MONOTONIC) == 0 &&
             pthread_cond_init(&bus->cv, &a) == 0;
        pthread_condattr_destroy(&a);
    } else {
        ok = false;
    }
    if (!ok) {
        free(bus);
        return MPC_ERR_NOMEM;
    }
    *out = bus;
    return MPC_OK;
}

static void consumer_unref(struct mconsumer *c)
{
    if (--c->refs > 0)
        return;
    free(c->pend);
    free(c);
}

static void stream_free(struct mstream *s)
{
    while (s->consumers != NULL) {
        struct mconsumer *c = s->consumers;
        s->consumers = c->next;
        c->s = NULL;
        consumer_unref(c);
    }
    for (size_t i = 0; i < s->nmsgs; i++) {
        mmsg_unref(s->msgs[i].m);
        free(s->msgs[i].msg_id);
    }
    free(s->msgs);
    free(s);
}

static void events_free(struct mevent *e)
{
    while (e != NULL) {
        struct mevent *n = e->next;
        free(e->key);
        free(e->val);
        free(e);
        e = n;
    }
}

static void bucket_free(struct mbucket *b)
{
    for (struct mwatch *w = b->watches; w != NULL; w = w->next)
        w->b = NULL;
    for (size_t i = 0; i < b->ne; i++) {
        free(b->e[i].key);
        free(b->e[i].val);
    }
    free(b->e);
    free(b);
}

void node_mem_bus_free(node_mem_bus *bus)
{
    if (bus == NULL)
        return;
    while (bus->streams != NULL) {
        struct mstream *s = bus->streams;
        bus->streams = s->next;
        stream_free(s);
    }
    while (bus->buckets != NULL) {
        struct mbucket *b = bus->buckets;
        bus->buckets = b->next;
        bucket_free(b);
    }
    pthread_cond_destroy(&bus->cv);
    pthread_mutex_destroy(&bus->mu);
    free(bus);
}

void node_mem_bus_set_filter(node_mem_bus *bus, node_mem_filter_fn fn, void *ud)
{
    lock(bus);
    bus->filter = fn;
    bus->filter_ud = ud;
    unlock_wake(bus);
}

static bool quiet(node_mem_bus *bus)
{
    for (const struct mconn *c = bus->conns; c != NULL; c = c->next)
        if (c != delivery_conn && (c->qhead != NULL || c->running != NULL))
            return false;
    return true;
}

mpc_err node_mem_bus_flush(node_mem_bus *bus, int64_t timeout_ms)
{
    int64_t end = mono_ms() + timeout_ms;
    lock(bus);
    while (!quiet(bus) && mono_ms() < end)
        wait_until(bus, end);
    bool ok = quiet(bus);
    pthread_mutex_unlock(&bus->mu);
    return ok ? MPC_OK : MPC_ERR_TIMEOUT;
}

/* ---- Lifecycle ---- */

static void mem_stats(node_transport *t, node_transport_stats *out)
{
    struct mconn *c = conn_of(t);
    memset(out, 0, sizeof *out);
    lock(c->bus);
    out->connected = !c->down;
    out->live_subs = c->live_subs;
    out->live_pulls = c->live_pulls;
    out->live_watches = c->live_watches;
    out->live_jsmsgs = c->live_jsmsgs;
    out->disconnects = c->disconnects;
    out->reconnects = c->reconnects;
    pthread_mutex_unlock(&c->bus->mu);
}

static void mem_free(node_transport *t)
{
    struct mconn *c = conn_of(t);
    node_mem_bus *bus = c->bus;
    lock(bus);
    c->stop = true;
    pthread_cond_broadcast(&bus->cv);
    pthread_mutex_unlock(&bus->mu);
    pthread_join(c->thread, NULL);
    lock(bus);
    for (struct mconn **p = &bus->conns; *p != NULL; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    while (c->qhead != NULL) {
        struct mdeliv *d = c->qhead;
        c->qhead = d->next;
        sub_release(d->sub);
        mmsg_unref(d->m);
        free(d);
    }
    release_held(c, false);
    /* Leaked subscriptions (the stats showed them): release them. */
    while (c->subs != NULL) {
        struct msub *s = c->subs;
        c->subs = s->next;
        s->active = false;
        sub_release(s);
    }
    unlock_wake(bus);
    free(c);
}

static mpc_err mem_flush(node_transport *t, int64_t timeout_ms)
{
    struct mconn *c = conn_of(t);
    if (timeout_ms <= 0)
        return MPC_ERR_INVALID_ARG;
    lock(c->bus);
    bool down = c->down;
    pthread_mutex_unlock(&c->bus->mu);
    if (down)
        return MPC_ERR_UNAVAILABLE;
    return node_mem_bus_flush(c->bus, timeout_ms);
}

/* ---- Core ---- */

static mpc_err mem_publish(node_transport *t, const char *subject,
                           const char *reply, const node_header *hdrs,
                           size_t nhdrs, const uint8_t *data, size_t len)
{
    struct mconn *c = conn_of(t);
    if (!node_subject_is_valid(subject, false) ||
        (reply != NULL && !node_subject_is_valid(reply, false)) ||
        !node_headers_are_valid(hdrs, nhdrs) || !payload_ok(data, len))
        return MPC_ERR_INVALID_ARG;
    struct mmsg *m = mmsg_new(subject, reply, hdrs, nhdrs, NULL, data, len);
    if (m == NULL)
        return MPC_ERR_NOMEM;
    lock(c->bus);
    mpc_err e = c->down ? hold(c, m) : publish_locked(c->bus, c, m, NULL);
    unlock_wake(c->bus);
    mmsg_unref(m);
    return e;
}

static mpc_err mem_request(node_transport *t, const char *subject,
                           const node_header *hdrs, size_t nhdrs,
                           const uint8_t *data, size_t len, int64_t timeout_ms,
                           uint8_t *out, size_t out_cap, size_t *out_len)
{
    struct mconn *c = conn_of(t);
    node_mem_bus *bus = c->bus;
    *out_len = 0;
    if (out_cap > 0)
        memset(out, 0, out_cap);
    if (!node_subject_is_valid(subject, false) ||
        !node_headers_are_valid(hdrs, nhdrs) || !payload_ok(data, len) ||
        timeout_ms <= 0 || (out == NULL && out_cap > 0))
        return MPC_ERR_INVALID_ARG;
    struct mreq r = {.out = out, .cap = out_cap};
    lock(bus);
    if (c->down) {
        pthread_mutex_unlock(&bus->mu);
        return MPC_ERR_UNAVAILABLE;
    }
    snprintf(r.inbox, sizeof r.inbox, "_INBOX_mem.%" PRIu64 ".%" PRIu64, c->id,
             ++c->next_inbox);
    struct mmsg *m = mmsg_new(subject, r.inbox, hdrs, nhdrs, NULL, data, len);
    if (m == NULL) {
        pthread_mutex_unlock(&bus->mu);
        return MPC_ERR_NOMEM;
    }
    r.next = c->reqs;
    c->reqs = &r;
    int interested = 0;
    mpc_err e = publish_locked(bus, c, m, &interested);
    pthread_cond_broadcast(&bus->cv);
    if (e == MPC_OK && interested == 0 && r.state == 0)
        e = MPC_ERR_UNAVAILABLE; /* no responders */
    int64_t end = mono_ms() + timeout_ms;
    while (e == MPC_OK && r.state == 0 && !c->down && mono_ms() < end)
        wait_until(bus, end);
    if (e == MPC_OK)
        e = r.state == 1   ? MPC_OK
            : r.state == 2 ? MPC_ERR_PARSE
            : c->down      ? MPC_ERR_UNAVAILABLE
                           : MPC_ERR_TIMEOUT;
    for (struct mreq **p = &c->reqs; *p != NULL; p = &(*p)->next)
        if (*p == &r) {
            *p = r.next;
            break;
        }
    pthread_mutex_unlock(&bus->mu);
    mmsg_unref(m);
    if (e == MPC_OK) {
        *out_len = r.len;
    } else if (out_cap > 0) {
        memset(out, 0, out_cap);
    }
    return e;
}

/* The bus has the subscription at once: `flush` changes nothing. */
static mpc_err mem_subscribe(node_transport *t, node_sub **out,
                             const char *subject, node_msg_fn cb, void *ud,
                             bool flush)
{
    (void)flush;
    struct mconn *c = conn_of(t);
    *out = NULL;
    if (!node_subject_is_valid(subject, true) || cb == NULL)
        return MPC_ERR_INVALID_ARG;
    struct msub *s = calloc(1, sizeof *s);
    if (s == NULL)
        return MPC_ERR_NOMEM;
    copy_str(s->subject, sizeof s->subject, subject);
    s->c = c;
    s->cb = cb;
    s->ud = ud;
    s->active = true;
    s->refs = 1;
    lock(c->bus);
    if (c->down) {
        pthread_mutex_unlock(&c->bus->mu);
        free(s);
        return MPC_ERR_UNAVAILABLE;
    }
    s->next = c->subs;
    c->subs = s;
    c->live_subs++;
    pthread_mutex_unlock(&c->bus->mu);
    *out = (node_sub *)s;
    return MPC_OK;
}

static mpc_err mem_unsubscribe(node_transport *t, node_sub *hs)
{
    struct mconn *c = conn_of(t);
    struct msub *s = (struct msub *)hs;
    if (running_sub == s)
        return MPC_ERR_STATE;
    node_mem_bus *bus = c->bus;
    lock(bus);
    s->active = false;
    for (struct msub **p = &c->subs; *p != NULL; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    int64_t end = mono_ms() + UNSUB_WAIT_MS;
    while (c->running == s && mono_ms() < end)
        wait_until(bus, end);
    if (c->running == s) {
        pthread_mutex_unlock(&bus->mu);
        return MPC_ERR_TIMEOUT; /* leaked: never freed under its callback */
    }
    c->live_subs--;
    sub_release(s);
    unlock_wake(bus);
    return MPC_OK;
}

/* ---- JetStream: publish and streams ---- */

static mpc_err mem_js_publish(node_transport *t, const char *subject,
                              const node_header *hdrs, size_t nhdrs,
                              const uint8_t *data, size_t len,
                              const char *msg_id, int64_t timeout_ms,
                              node_js_ack_info *ack)
{
    struct mconn *c = conn_of(t);
    node_js_ack_info a = {0};
    if (ack != NULL)
        *ack = a;
    node_header idh = {"Nats-Msg-Id", msg_id != NULL ? msg_id : ""};
    if (!node_subject_is_valid(subject, false) ||
        !node_headers_are_valid(hdrs, nhdrs) || !payload_ok(data, len) ||
        timeout_ms <= 0 ||
        (msg_id != NULL &&
         (msg_id[0] == 0 || !node_headers_are_valid(&idh, 1))))
        return MPC_ERR_INVALID_ARG;
    struct mmsg *m = mmsg_new(subject, NULL, hdrs, nhdrs,
                              msg_id != NULL ? &idh : NULL, data, len);
    if (m == NULL)
        return MPC_ERR_NOMEM;
    node_mem_bus *bus = c->bus;
    lock(bus);
    mpc_err e = MPC_OK;
    struct mstream *s = c->down ? NULL : stream_capturing(bus, subject);
    if (s == NULL)
        e = MPC_ERR_UNAVAILABLE; /* no stream: "no responders" */
    if (e == MPC_OK && route(bus, c, m) < 0)
        e = MPC_ERR_NOMEM;
    if (e == MPC_OK)
        e = stream_store(s, m, &a);
    unlock_wake(bus);
    mmsg_unref(m);
    if (e == MPC_OK && ack != NULL)
        *ack = a;
    return e;
}

static bool stream_cfg_valid(const node_js_stream_config *c)
{
    if (!node_js_name_is_valid(c->name) || c->nsubjects == 0 ||
        c->nsubjects > NODE_JS_SUBJECTS_MAX || c->subjects == NULL ||
        c->retention > NODE_JS_WORKQUEUE || c->storage > NODE_JS_MEMORY ||
        c->discard > NODE_JS_DISCARD_NEW || c->max_age_ms < 0 ||
        c->duplicates_ms < 0 || c->max_bytes < -1 || c->max_msgs < -1 ||
        (c->description != NULL &&
         strlen(c->description) > NODE_JS_DESC_MAX_BYTES))
        return false;
    for (size_t i = 0; i < c->nsubjects; i++)
        if (!node_subject_is_valid(c->subjects[i], true))
            return false;
    /* The server refuses a duplicate window longer than the max age. */
    return c->max_age_ms == 0 || c->duplicates_ms <= c->max_age_ms;
}

/* The configuration as the server would store it. */
static void stream_cfg_normalize(const node_js_stream_config *c,
                                 struct mstream *out)
{
    copy_str(out->name, sizeof out->name, c->name);
    copy_str(out->description, sizeof out->description, c->description);
    out->nsubjects = c->nsubjects;
    for (size_t i = 0; i < c->nsubjects; i++)
        copy_str(out->subjects[i], sizeof out->subjects[i], c->subjects[i]);
    out->retention = c->retention;
    out->storage = c->storage;
    out->discard = c->discard;
    out->max_age_ms = c->max_age_ms;
    out->max_bytes = c->max_bytes == 0 ? -1 : c->max_bytes;
    out->max_msgs = c->max_msgs == 0 ? -1 : c->max_msgs;
    /* The server's default window, capped by the max age. */
    out->duplicates_ms = c->duplicates_ms;
    if (out->duplicates_ms == 0)
        out->duplicates_ms =
            c->max_age_ms > 0 && c->max_age_ms < DEFAULT_DUPLICATES_MS
                ? c->max_age_ms
                : DEFAULT_DUPLICATES_MS;
}

static bool stream_cfg_equal(const struct mstream *a, const struct mstream *b)
{
    if (strcmp(a->description, b->description) != 0 ||
        a->nsubjects != b->nsubjects || a->retention != b->retention ||
        a->storage != b->storage || a->discard != b->discard ||
        a->max_age_ms != b->max_age_ms || a->max_bytes != b->max_bytes ||
        a->max_msgs != b->max_msgs || a->duplicates_ms != b->duplicates_ms)
        return false;
    for (size_t i = 0; i < a->nsubjects; i++)
        if (strcmp(a->subjects[i], b->subjects[i]) != 0)
            return false;
    return true;
}

/* Would `want`'s subjects overlap another stream's (not `self`)? */
static bool overlaps_other(node_mem_bus *bus, const struct mstream *want,
                           const struct mstream *self)
{
    for (const struct mstream *s = bus->streams; s != NULL; s = s->next) {
        if (s == self)
            continue;
        for (size_t i = 0; i < s->nsubjects; i++)
            for (size_t j = 0; j < want->nsubjects; j++)
                if (patterns_overlap(s->subjects[i], want->subjects[j]))
                    return true;
    }
    return false;
}

static mpc_err mem_stream_add(node_transport *t,
                              const node_js_stream_config *cfg)
{
    struct mconn *c = conn_of(t);
    if (!stream_cfg_valid(cfg))
        return MPC_ERR_INVALID_ARG;
    struct mstream *ns = calloc(1, sizeof *ns);
    if (ns == NULL)
        return MPC_ERR_NOMEM;
    stream_cfg_normalize(cfg, ns);
    node_mem_bus *bus = c->bus;
    lock(bus);
    mpc_err e = MPC_OK;
    struct mstream *old = stream_find(bus, cfg->name);
    if (c->down)
        e = MPC_ERR_UNAVAILABLE;
    else if (old != NULL)
        e = stream_cfg_equal(old, ns) ? MPC_OK : MPC_ERR_CONFLICT;
    else if (overlaps_other(bus, ns, NULL))
        e = MPC_ERR_CONFLICT;
    if (e == MPC_OK && old == NULL) {
        ns->next = bus->streams;
        bus->streams = ns;
        ns = NULL;
    }
    unlock_wake(bus);
    free(ns);
    return e;
}

static mpc_err mem_stream_update(node_transport *t,
                                 const node_js_stream_config *cfg)
{
    struct mconn *c = conn_of(t);
    if (!stream_cfg_valid(cfg))
        return MPC_ERR_INVALID_ARG;
    struct mstream *ns = calloc(1, sizeof *ns);
    if (ns == NULL)
        return MPC_ERR_NOMEM;
    stream_cfg_normalize(cfg, ns);
    node_mem_bus *bus = c->bus;
    lock(bus);
    mpc_err e = MPC_OK;
    struct mstream *old = stream_find(bus, cfg->name);
    if (c->down)
        e = MPC_ERR_UNAVAILABLE;
    else if (old == NULL)
        e = MPC_ERR_NOT_FOUND;
    else if (old->retention != ns->retention || old->storage != ns->storage)
        e = MPC_ERR_CONFLICT;
    else if (overlaps_other(bus, ns, old))
        e = MPC_ERR_CONFLICT;
    if (e == MPC_OK) {
        memcpy(old->description, ns->description, sizeof old->description);
        memcpy(old->subjects, ns->subjects, sizeof old->subjects);
        old->nsubjects = ns->nsubjects;
        old->discard = ns->discard;
        old->max_age_ms = ns->max_age_ms;
        old->max_bytes = ns->max_bytes;
        old->max_msgs = ns->max_msgs;
        old->duplicates_ms = ns->duplicates_ms;
    }
    unlock_wake(bus);
    free(ns);
    return e;
}

static mpc_err mem_stream_delete(node_transport *t, const char *name)
{
    struct mconn *c = conn_of(t);
    if (!node_js_name_is_valid(name))
        return MPC_ERR_INVALID_ARG;
    node_mem_bus *bus = c->bus;
    lock(bus);
    mpc_err e = c->down ? MPC_ERR_UNAVAILABLE : MPC_ERR_NOT_FOUND;
    for (struct mstream **p = &bus->streams; !c->down && *p != NULL;
         p = &(*p)->next)
        if (strcmp((*p)->name, name) == 0) {
            struct mstream *s = *p;
            *p = s->next;
            stream_free(s);
            e = MPC_OK;
            break;
        }
    unlock_wake(bus);
    return e;
}

static mpc_err mem_stream_info(node_transport *t, const char *name,
                               node_js_stream_info *out)
{
    struct mconn *c = conn_of(t);
    memset(out, 0, sizeof *out);
    if (!node_js_name_is_valid(name))
        return MPC_ERR_INVALID_ARG;
    lock(c->bus);
    struct mstream *s = c->down ? NULL : stream_find(c->bus, name);
    mpc_err e = c->down ? MPC_ERR_UNAVAILABLE : MPC_ERR_NOT_FOUND;
    if (s != NULL) {
        copy_str(out->name, sizeof out->name, s->name);
        copy_str(out->description, sizeof out->description, s->description);
        out->nsubjects = s->nsubjects;
        memcpy(out->subjects, s->subjects, sizeof out->subjects);
        out->retention = s->retention;
        out->storage = s->storage;
        out->discard = s->discard;
        out->max_age_ms = s->max_age_ms;
        out->max_bytes = s->max_bytes;
        out->max_msgs = s->max_msgs;
        out->duplicates_ms = s->duplicates_ms;
        for (size_t i = 0; i < s->nmsgs; i++) {
            const struct mmsg *m = s->msgs[i].m;
            if (m == NULL)
                continue;
            if (out->msgs++ == 0)
                out->first_seq = i + 1;
            out->bytes += m->len + strlen(m->subject);
        }
        out->last_seq = s->nmsgs;
        if (out->msgs == 0 && s->nmsgs > 0)
            out->first_seq = s->nmsgs + 1;
        for (const struct mconsumer *k = s->consumers; k != NULL; k = k->next)
            out->consumers++;
        e = MPC_OK;
    }
    pthread_mutex_unlock(&c->bus->mu);
    return e;
}

static void jsmsg_init(struct mjsmsg *j, struct mmsg *m, uint64_t seq,
                       int64_t time)
{
    j->m = m;
    m->refs++;
    fill_msg(&j->pub.msg, m);
    j->pub.stream_seq = seq;
    j->pub.time_ms = time;
    j->pub.impl = j;
}

static mpc_err mem_stream_get(node_transport *t, node_jsmsg **out,
                              const char *stream, uint64_t seq)
{
    struct mconn *c = conn_of(t);
    *out = NULL;
    if (!node_js_name_is_valid(stream) || seq == 0)
        return MPC_ERR_INVALID_ARG;
    struct mjsmsg *j = calloc(1, sizeof *j);
    if (j == NULL)
        return MPC_ERR_NOMEM;
    lock(c->bus);
    struct mstream *s = c->down ? NULL : stream_find(c->bus, stream);
    mpc_err e = c->down ? MPC_ERR_UNAVAILABLE : MPC_ERR_NOT_FOUND;
    if (s != NULL && seq <= s->nmsgs && s->msgs[seq - 1].m != NULL) {
        jsmsg_init(j, s->msgs[seq - 1].m, seq, s->msgs[seq - 1].wall_ms);
        j->done = true;
        c->live_jsmsgs++;
        e = MPC_OK;
    }
    pthread_mutex_unlock(&c->bus->mu);
    if (e != MPC_OK) {
        free(j);
        return e;
    }
    *out = &j->pub;
    return MPC_OK;
}

/* ---- JetStream: consumers ---- */

static struct mconsumer *consumer_find(struct mstream *s, const char *durable)
{
    for (struct mconsumer *k = s->consumers; k != NULL; k = k->next)
        if (strcmp(k->durable, durable) == 0)
            return k;
    return NULL;
}

static bool consumer_cfg_valid(const node_js_consumer_config *c)
{
    if (!node_js_name_is_valid(c->stream) ||
        !node_js_name_is_valid(c->durable) ||
        (c->filter_subject != NULL &&
         !node_subject_is_valid(c->filter_subject, true)) ||
        c->deliver > NODE_JS_DELIVER_NEW || c->ack > NODE_JS_ACK_ALL ||
        c->ack_wait_ms < 0 || c->max_deliver < -1 || c->max_deliver == 0 ||
        c->max_ack_pending < -1 || c->max_ack_pending == 0 ||
        c->nbackoff > NODE_JS_BACKOFF_MAX ||
        (c->nbackoff > 0 && c->backoff_ms == NULL) ||
        (c->description != NULL &&
         strlen(c->description) > NODE_JS_DESC_MAX_BYTES))
        return false;
    for (size_t i = 0; i < c->nbackoff; i++)
        if (c->backoff_ms[i] <= 0)
            return false;
    /* The server's rule (error 10116): MaxDeliver must exceed BackOff. */
    return c->nbackoff == 0 ||
           (c->max_deliver > 0 && (uint64_t)c->max_deliver > c->nbackoff);
}

static bool filter_in_stream(const struct mstream *s, const char *filter)
{
    if (filter[0] == 0)
        return true;
    for (size_t i = 0; i < s->nsubjects; i++)
        if (patterns_overlap(s->subjects[i], filter))
            return true;
    return false;
}

/* Work queues allow one consumer per subject. */
static bool wq_overlap(const struct mstream *s, const struct mconsumer *self,
                       const char *filter)
{
    for (const struct mconsumer *k = s->consumers; k != NULL; k = k->next) {
        if (k == self)
            continue;
        if (k->filter[0] == 0 || filter[0] == 0 ||
            patterns_overlap(k->filter, filter))
            return true;
    }
    return false;
}

static void consumer_apply(struct mconsumer *k,
                           const node_js_consumer_config *c)
{
    copy_str(k->description, sizeof k->description, c->description);
    copy_str(k->filter, sizeof k->filter, c->filter_subject);
    k->ack_wait_ms = c->ack_wait_ms > 0 ? c->ack_wait_ms : 30000;
    k->max_deliver = c->max_deliver;
    k->nbackoff = c->nbackoff;
    for (size_t i = 0; i < c->nbackoff; i++)
        k->backoff_ms[i] = c->backoff_ms[i];
    k->max_ack_pending = c->max_ack_pending;
}

/* Checks what the server checks before creating or changing a consumer. */
static mpc_err consumer_check(const struct mstream *s,
                              const struct mconsumer *old,
                              const node_js_consumer_config *c)
{
    const char *filter = c->filter_subject != NULL ? c->filter_subject : "";
    if (!filter_in_stream(s, filter))
        return MPC_ERR_INVALID_ARG;
    if (old != NULL && (old->deliver != c->deliver || old->ack != c->ack))
        return MPC_ERR_CONFLICT;
    if (s->retention == NODE_JS_WORKQUEUE &&
        (c->deliver != NODE_JS_DELIVER_ALL || c->ack != NODE_JS_ACK_EXPLICIT ||
         wq_overlap(s, old, filter)))
        return MPC_ERR_CONFLICT;
    return MPC_OK;
}

static mpc_err consumer_put(struct mconn *c, const node_js_consumer_config *cfg,
                            bool update)
{
    if (!consumer_cfg_valid(cfg))
        return MPC_ERR_INVALID_ARG;
    node_mem_bus *bus = c->bus;
    lock(bus);
    mpc_err e = MPC_OK;
    struct mstream *s = c->down ? NULL : stream_find(bus, cfg->stream);
    struct mconsumer *old = s != NULL ? consumer_find(s, cfg->durable) : NULL;
    if (c->down)
        e = MPC_ERR_UNAVAILABLE;
    else if (s == NULL || (update && old == NULL))
        e = MPC_ERR_NOT_FOUND;
    else
        e = consumer_check(s, old, cfg);
    if (e == MPC_OK && old != NULL) {
        consumer_apply(old, cfg); /* 2.9: "add" updates an existing one */
    } else if (e == MPC_OK) {
        struct mconsumer *k = calloc(1, sizeof *k);
        if (k == NULL) {
            e = MPC_ERR_NOMEM;
        } else {
            copy_str(k->durable, sizeof k->durable, cfg->durable);
            k->deliver = cfg->deliver;
            k->ack = cfg->ack;
            consumer_apply(k, cfg);
            k->s = s;
            k->refs = 1;
            k->next_seq = cfg->deliver == NODE_JS_DELIVER_NEW ? s->nmsgs + 1
                          : cfg->deliver == NODE_JS_DELIVER_LAST && s->nmsgs
                              ? s->nmsgs
                              : 1;
            k->next = s->consumers;
            s->consumers = k;
        }
    }
    unlock_wake(bus);
    return e;
}

static mpc_err mem_consumer_add(node_transport *t,
                                const node_js_consumer_config *cfg)
{
    return consumer_put(conn_of(t), cfg, false);
}

static mpc_err mem_consumer_update(node_transport *t,
                                   const node_js_consumer_config *cfg)
{
    return consumer_put(conn_of(t), cfg, true);
}

static mpc_err mem_consumer_delete(node_transport *t, const char *stream,
                                   const char *durable)
{
    struct mconn *c = conn_of(t);
    if (!node_js_name_is_valid(stream) || !node_js_name_is_valid(durable))
        return MPC_ERR_INVALID_ARG;
    lock(c->bus);
    struct mstream *s = c->down ? NULL : stream_find(c->bus, stream);
    mpc_err e = c->down ? MPC_ERR_UNAVAILABLE : MPC_ERR_NOT_FOUND;
    for (struct mconsumer **p = s != NULL ? &s->consumers : NULL;
         p != NULL && *p != NULL; p = &(*p)->next)
        if (strcmp((*p)->durable, durable) == 0) {
            struct mconsumer *k = *p;
            *p = k->next;
            k->s = NULL;
            consumer_unref(k);
            e = MPC_OK;
            break;
        }
    unlock_wake(c->bus);
    return e;
}

static bool consumer_wants(const struct mconsumer *k, const struct mmsg *m)
{
    return m != NULL &&
           (k->filter[0] == 0 || subject_match(k->filter, m->subject));
}

static mpc_err mem_consumer_info(node_transport *t, const char *stream,
                                 const char *durable,
                                 node_js_consumer_info *out)
{
    struct mconn *c = conn_of(t);
    memset(out, 0, sizeof *out);
    if (!node_js_name_is_valid(stream) || !node_js_name_is_valid(durable))
        return MPC_ERR_INVALID_ARG;
    lock(c->bus);
    struct mstream *s = c->down ? NULL : stream_find(c->bus, stream);
    struct mconsumer *k = s != NULL ? consumer_find(s, durable) : NULL;
    mpc_err e = c->down ? MPC_ERR_UNAVAILABLE : MPC_ERR_NOT_FOUND;
    if (k != NULL) {
        copy_str(out->stream, sizeof out->stream, s->name);
        copy_str(out->durable, sizeof out->durable, k->durable);
        copy_str(out->description, sizeof out->description, k->description);
        copy_str(out->filter_subject, sizeof out->filter_subject, k->filter);
        out->deliver = k->deliver;
        out->ack = k->ack;
        out->ack_wait_ms = k->ack_wait_ms;
        out->max_deliver = k->max_deliver;
        out->nbackoff = k->nbackoff;
        memcpy(out->backoff_ms, k->backoff_ms, sizeof out->backoff_ms);
        out->max_ack_pending = k->max_ack_pending;
        for (uint64_t q = k->next_seq; q <= s->nmsgs; q++)
            out->num_pending += consumer_wants(k, s->msgs[q - 1].m);
        out->num_ack_pending = k->npend;
        for (size_t i = 0; i < k->npend; i++)
            out->num_redelivered += k->pend[i].deliveries > 1;
        e = MPC_OK;
    }
    pthread_mutex_unlock(&c->bus->mu);
    return e;
}

/* ---- JetStream: pull consumers ---- */

static mpc_err mem_pull_bind(node_transport *t, node_pull **out,
                             const char *stream, const char *durable)
{
    struct mconn *c = conn_of(t);
    *out = NULL;
    if (!node_js_name_is_valid(stream) || !node_js_name_is_valid(durable))
        return MPC_ERR_INVALID_ARG;
    struct mpull *p = calloc(1, sizeof *p);
    if (p == NULL)
        return MPC_ERR_NOMEM;
    lock(c->bus);
    struct mstream *s = c->down ? NULL : stream_find(c->bus, stream);
    struct mconsumer *k = s != NULL ? consumer_find(s, durable) : NULL;
    mpc_err e = c->down ? MPC_ERR_UNAVAILABLE : MPC_ERR_NOT_FOUND;
    if (k != NULL) {
        k->refs++;
        p->c = k;
        c->live_pulls++;
        e = MPC_OK;
    }
    pthread_mutex_unlock(&c->bus->mu);
    if (e != MPC_OK) {
        free(p);
        return e;
    }
    *out = (node_pull *)p;
    return MPC_OK;
}

static void mem_pull_unbind(node_transport *t, node_pull *hp)
{
    struct mconn *c = conn_of(t);
    struct mpull *p = (struct mpull *)hp;
    lock(c->bus);
    consumer_unref(p->c);
    c->live_pulls--;
    pthread_mutex_unlock(&c->bus->mu);
    free(p);
}

static int64_t ack_wait_for(const struct mconsumer *k, uint64_t deliveries)
{
    if (k->nbackoff == 0)
        return k->ack_wait_ms;
    size_t i = deliveries - 1 < k->nbackoff ? deliveries - 1 : k->nbackoff - 1;
    return k->backoff_ms[i];
}

static bool exhausted(const struct mconsumer *k, const struct mpend *p)
{
    return k->max_deliver > 0 && p->deliveries >= (uint64_t)k->max_deliver;
}

static void pend_remove(struct mconsumer *k, size_t i)
{
    k->pend[i] = k->pend[--k->npend];
}

/* Gives up on messages whose last delivery expired, with the advisory. */
static void consumer_expire(node_mem_bus *bus, struct mconsumer *k, int64_t now)
{
    for (size_t i = 0; i < k->npend;) {
        struct mpend *p = &k->pend[i];
        if (p->deadline > now || !exhausted(k, p)) {
            i++;
            continue;
        }
        char subj[2 * NODE_JS_NAME_MAX_BYTES + 64];
        char txt[2 * NODE_JS_NAME_MAX_BYTES + 256];
        snprintf(subj, sizeof subj,
                 "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.%s.%s", k->s->name,
                 k->durable);
        snprintf(txt, sizeof txt,
                 "{\"type\":\"io.nats.jetstream.advisory.v1.max_deliver\","
                 "\"stream\":\"%s\",\"consumer\":\"%s\",\"stream_seq\":%" PRIu64
                 ",\"deliveries\":%" PRIu64 "}",
                 k->s->name, k->durable, p->seq, p->deliveries);
        route_server(bus, subj, txt);
        pend_remove(k, i);
    }
}

/* The next message to deliver: a due redelivery first, then a new one. */
static bool consumer_next(struct mconsumer *k, int64_t now, uint64_t *seq,
                          struct mpend **pend)
{
    struct mpend *best = NULL;
    for (size_t i = 0; i < k->npend; i++) {
        struct mpend *p = &k->pend[i];
        if (p->deadline <= now && !exhausted(k, p) &&
            (best == NULL || p->seq < best->seq))
            best = p;
    }
    if (best != NULL) {
        *seq = best->seq;
        *pend = best;
        return true;
    }
    if (k->max_ack_pending > 0 && k->npend >= (uint64_t)k->max_ack_pending)
        return false;
    const struct mstream *s = k->s;
    while (k->next_seq <= s->nmsgs &&
           !consumer_wants(k, s->msgs[k->next_seq - 1].m))
        k->next_seq++;
    if (k->next_seq > s->nmsgs)
        return false;
    *seq = k->next_seq++;
    *pend = NULL;
    return true;
}

/* Earliest pending deadline in the future (or `until`). */
static int64_t next_wake(const struct mconsumer *k, int64_t now, int64_t until)
{
    for (size_t i = 0; i < k->npend; i++)
        if (k->pend[i].deadline > now && k->pend[i].deadline < until)
            until = k->pend[i].deadline;
    return until;
}

/* Delivers `seq` (lock held). */
static mpc_err deliver(struct mconn *c, struct mconsumer *k, uint64_t seq,
                       struct mpend *p, int64_t now, node_jsmsg **out)
{
    struct mjsmsg *j = calloc(1, sizeof *j);
    if (j == NULL)
        return MPC_ERR_NOMEM;
    if (p == NULL) {
        if (k->npend == k->cpend) {
            size_t nc = k->cpend ? 2 * k->cpend : 8;
            struct mpend *np = realloc(k->pend, nc * sizeof *np);
            if (np == NULL) {
                free(j);
                k->next_seq--;
                return MPC_ERR_NOMEM;
            }
            k->pend = np;
            k->cpend = nc;
        }
        p = &k->pend[k->npend++];
        *p = (struct mpend){.seq = seq};
    }
    p->deliveries++;
    p->deadline = now + ack_wait_for(k, p->deliveries);
    const struct mstored *st = &k->s->msgs[seq - 1];
    jsmsg_init(j, st->m, seq, st->wall_ms);
    j->pub.delivered = p->deliveries;
    j->c = k;
    k->refs++;
    c->live_jsmsgs++;
    *out = &j->pub;
    return MPC_OK;
}

static void jsmsg_free_locked(struct mconn *c, struct mjsmsg *j)
{
    mmsg_unref(j->m);
    if (j->c != NULL)
        consumer_unref(j->c);
    c->live_jsmsgs--;
    free(j);
}

static mpc_err mem_pull_fetch(node_transport *t, node_pull *hp,
                              node_jsmsg **out, size_t max, size_t *n,
                              int64_t timeout_ms)
{
    struct mconn *c = conn_of(t);
    struct mconsumer *k = ((struct mpull *)hp)->c;
    *n = 0;
    if (max == 0 || max > FETCH_MAX || timeout_ms <= 0)
        return MPC_ERR_INVALID_ARG;
    memset(out, 0, max * sizeof *out);
    node_mem_bus *bus = c->bus;
    int64_t end = mono_ms() + timeout_ms;
    mpc_err e = MPC_OK;
    lock(bus);
    for (;;) {
        if (c->down || k->s == NULL) {
            e = MPC_ERR_UNAVAILABLE;
            break;
        }
        int64_t now = mono_ms();
        consumer_expire(bus, k, now);
        uint64_t seq;
        struct mpend *p;
        while (*n < max && e == MPC_OK && consumer_next(k, now, &seq, &p))
            if ((e = deliver(c, k, seq, p, now, &out[*n])) == MPC_OK)
                (*n)++;
        /* Like NATS: back when the batch is full or the time is up. */
        if (e != MPC_OK || *n == max || now >= end)
            break;
        wait_until(bus, next_wake(k, now, end));
    }
    if (e != MPC_OK) {
        /* Hand back: what was taken is redelivered after AckWait. */
        for (size_t i = 0; i < *n; i++)
            jsmsg_free_locked(c, out[i]->impl);
        memset(out, 0, max * sizeof *out);
        *n = 0;
    }
    unlock_wake(bus);
    return e;
}

static struct mpend *pend_find(struct mconsumer *k, uint64_t seq, size_t *idx)
{
    for (size_t i = 0; i < k->npend; i++)
        if (k->pend[i].seq == seq) {
            *idx = i;
            return &k->pend[i];
        }
    return NULL;
}

enum { ACK, NAK, PROGRESS, TERM };

static mpc_err ack_common(struct mconn *c, node_jsmsg *hm, int kind,
                          int64_t delay_ms)
{
    struct mjsmsg *j = hm->impl;
    node_mem_bus *bus = c->bus;
    lock(bus);
    mpc_err e = MPC_OK;
    if (j->done || j->c == NULL)
        e = MPC_ERR_STATE;
    else if (c->down)
        e = MPC_ERR_UNAVAILABLE;
    struct mconsumer *k = j->c;
    size_t idx = 0;
    struct mpend *p =
        e == MPC_OK && k->s != NULL ? pend_find(k, hm->stream_seq, &idx) : NULL;
    int64_t now = mono_ms();
    if (p != NULL) {
        /* An ack for a delivery the server already gave up on is ignored,
         * as NATS does. */
        switch (kind) {
        case NAK:
            p->deadline = now + delay_ms;
            break;
        case PROGRESS:
            p->deadline = now + ack_wait_for(k, p->deliveries);
            break;
        default:
            pend_remove(k, idx);
            if (k->s->retention == NODE_JS_WORKQUEUE) {
                struct mstored *st = &k->s->msgs[hm->stream_seq - 1];
                mmsg_unref(st->m);
                st->m = NULL;
            }
            break;
        }
    }
    if (e == MPC_OK && kind != PROGRESS)
        j->done = true;
    unlock_wake(bus);
    return e;
}

static mpc_err mem_ack(node_transport *t, node_jsmsg *m)
{
    return ack_common(conn_of(t), m, ACK, 0);
}

static mpc_err mem_nak(node_transport *t, node_jsmsg *m, int64_t delay_ms)
{
    if (delay_ms < 0)
        return MPC_ERR_INVALID_ARG;
    return ack_common(conn_of(t), m, NAK, delay_ms);
}

static mpc_err mem_in_progress(node_transport *t, node_jsmsg *m)
{
    return ack_common(conn_of(t), m, PROGRESS, 0);
}

static mpc_err mem_term(node_transport *t, node_jsmsg *m)
{
    return ack_common(conn_of(t), m, TERM, 0);
}

static void mem_jsmsg_free(node_transport *t, node_jsmsg *hm)
{
    struct mconn *c = conn_of(t);
    lock(c->bus);
    jsmsg_free_locked(c, hm->impl);
    pthread_mutex_unlock(&c->bus->mu);
}

/* ---- KV ---- */

static struct mbucket *bucket_find(node_mem_bus *bus, const char *name)
{
    for (struct mbucket *b = bus->buckets; b != NULL; b = b->next)
        if (strcmp(b->name, name) == 0)
            return b;
    return NULL;
}

/* Forgets entries older than the TTL: silently, like NATS 2.9. */
static void bucket_expire(struct mbucket *b, int64_t now)
{
    if (b->ttl_ms <= 0)
        return;
    for (size_t i = 0; i < b->ne;) {
        if (now - b->e[i].mono_ms < b->ttl_ms) {
            i++;
            continue;
        }
        free(b->e[i].key);
        free(b->e[i].val);
        b->e[i] = b->e[--b->ne];
    }
}

static struct mkv *kv_find(struct mbucket *b, const char *key)
{
    for (size_t i = 0; i < b->ne; i++)
        if (strcmp(b->e[i].key, key) == 0)
            return &b->e[i];
    return NULL;
}

static mpc_err mem_kv_bucket_ensure(node_transport *t,
                                    const node_kv_config *cfg)
{
    struct mconn *c = conn_of(t);
    if (!node_js_name_is_valid(cfg->bucket) || cfg->history < 1 ||
        cfg->history > 64 || cfg->ttl_ms < 0 ||
        (cfg->storage != NODE_JS_FILE && cfg->storage != NODE_JS_MEMORY) ||
        strlen(cfg->bucket) + 3 > NODE_JS_NAME_MAX_BYTES)
        return MPC_ERR_INVALID_ARG;
    node_mem_bus *bus = c->bus;
    lock(bus);
    mpc_err e = MPC_OK;
    struct mbucket *b = c->down ? NULL : bucket_find(bus, cfg->bucket);
    if (c->down) {
        e = MPC_ERR_UNAVAILABLE;
    } else if (b != NULL) {
        if (b->ttl_ms != cfg->ttl_ms || b->history != cfg->history ||
            b->storage != cfg->storage)
            e = MPC_ERR_CONFLICT;
    } else if ((b = calloc(1, sizeof *b)) == NULL) {
        e = MPC_ERR_NOMEM;
    } else {
        copy_str(b->name, sizeof b->name, cfg->bucket);
        b->ttl_ms = cfg->ttl_ms;
        b->history = cfg->history;
        b->storage = cfg->storage;
        b->next = bus->buckets;
        bus->buckets = b;
    }
    unlock_wake(bus);
    return e;
}

static mpc_err mem_kv_bucket_delete(node_transport *t, const char *bucket)
{
    struct mconn *c = conn_of(t);
    if (!node_js_name_is_valid(bucket))
        return MPC_ERR_INVALID_ARG;
    node_mem_bus *bus = c->bus;
    lock(bus);
    mpc_err e = c->down ? MPC_ERR_UNAVAILABLE : MPC_ERR_NOT_FOUND;
    for (struct mbucket **p = &bus->buckets; !c->down && *p != NULL;
         p = &(*p)->next)
        if (strcmp((*p)->name, bucket) == 0) {
            struct mbucket *b = *p;
            *p = b->next;
            bucket_free(b);
            e = MPC_OK;
            break;
        }
    unlock_wake(bus);
    return e;
}

/* Looks up the bucket for a KV call (lock held). */
static mpc_err kv_bucket(struct mconn *c, const char *bucket,
                         struct mbucket **out)
{
    *out = NULL;
    if (!node_js_name_is_valid(bucket))
        return MPC_ERR_INVALID_ARG;
    if (c->down)
        return MPC_ERR_UNAVAILABLE;
    *out = bucket_find(c->bus, bucket);
    if (*out == NULL)
        return MPC_ERR_NOT_FOUND;
    bucket_expire(*out, mono_ms());
    return MPC_OK;
}

static void entry_out(const struct mkv *v, node_kv_entry *out)
{
    out->op = v->op;
    copy_str(out->key, sizeof out->key, v->key);
    if (v->len > 0)
        memcpy(out->value, v->val, v->len);
    out->len = v->len;
    out->revision = v->rev;
    out->created_ms = v->wall_ms;
}

static mpc_err mem_kv_get(node_transport *t, const char *bucket,
                          const char *key, node_kv_entry *out)
{
    struct mconn *c = conn_of(t);
    memset(out, 0, sizeof *out);
    if (!node_kv_key_is_valid(key, false))
        return MPC_ERR_INVALID_ARG;
    lock(c->bus);
    struct mbucket *b;
    mpc_err e = kv_bucket(c, bucket, &b);
    const struct mkv *v = e == MPC_OK ? kv_find(b, key) : NULL;
    if (e == MPC_OK && (v == NULL || v->op != NODE_KV_PUT))
        e = MPC_ERR_NOT_FOUND;
    if (e == MPC_OK)
        entry_out(v, out);
    pthread_mutex_unlock(&c->bus->mu);
    return e;
}

static void watch_push(struct mwatch *w, const struct mkv *v, node_kv_op op)
{
    struct mevent *ev = calloc(1, sizeof *ev);
    if (ev == NULL)
        return; /* the watcher misses it, as after a slow-consumer drop */
    ev->op = op;
    if (op != NODE_KV_INIT_DONE) {
        ev->key = dup_str(v->key);
        ev->val = malloc(v->len > 0 ? v->len : 1);
        if (ev->key == NULL || ev->val == NULL) {
            events_free(ev);
            return;
        }
        if (v->len > 0)
            memcpy(ev->val, v->val, v->len);
        ev->len = v->len;
        ev->rev = v->rev;
        ev->wall_ms = v->wall_ms;
    }
    if (w->tail != NULL)
        w->tail->next = ev;
    else
        w->head = ev;
    w->tail = ev;
}

/*
 * Writes key (op PUT or DELETE). `expect`: -1 none, 0 no live value (create),
 * otherwise the latest revision must be `expect` (update). Lock held.
 */
static mpc_err kv_write(struct mbucket *b, const char *key, node_kv_op op,
                        const uint8_t *val, size_t len, int64_t expect,
                        uint64_t *rev)
{
    struct mkv *v = kv_find(b, key);
    if (expect == 0 && v != NULL && v->op == NODE_KV_PUT)
        return MPC_ERR_CONFLICT;
    if (expect > 0 && (v == NULL || v->rev != (uint64_t)expect))
        return MPC_ERR_CONFLICT;
    uint8_t *nv = malloc(len > 0 ? len : 1);
    if (nv == NULL)
        return MPC_ERR_NOMEM;
    if (v == NULL) {
        if (b->ne == b->ce) {
            size_t nc = b->ce ? 2 * b->ce : 8;
            struct mkv *ne = realloc(b->e, nc * sizeof *ne);
            if (ne == NULL) {
                free(nv);
                return MPC_ERR_NOMEM;
            }
            b->e = ne;
            b->ce = nc;
        }
        char *k = dup_str(key);
        if (k == NULL) {
            free(nv);
            return MPC_ERR_NOMEM;
        }
        v = &b->e[b->ne++];
        *v = (struct mkv){.key = k};
    }
    free(v->val);
    if (len > 0)
        memcpy(nv, val, len);
    v->val = nv;
    v->len = len;
    v->op = op;
    v->rev = ++b->rev;
    v->wall_ms = wall_ms();
    v->mono_ms = mono_ms();
    for (struct mwatch *w = b->watches; w != NULL; w = w->next)
        if (subject_match(w->pattern, key))
            watch_push(w, v, op);
    if (rev != NULL)
        *rev = v->rev;
    return MPC_OK;
}

static mpc_err kv_op(node_transport *t, const char *bucket, const char *key,
                     node_kv_op op, const uint8_t *val, size_t len,
                     int64_t expect, uint64_t *rev)
{
    struct mconn *c = conn_of(t);
    if (rev != NULL)
        *rev = 0;
    if (!node_kv_key_is_valid(key, false) || !payload_ok(val, len) ||
        len > NODE_KV_VALUE_MAX_BYTES)
        return MPC_ERR_INVALID_ARG;
    lock(c->bus);
    struct mbucket *b;
    mpc_err e = kv_bucket(c, bucket, &b);
    if (e == MPC_OK)
        e = kv_write(b, key, op, val, len, expect, rev);
    unlock_wake(c->bus);
    return e;
}

static mpc_err mem_kv_put(node_transport *t, const char *bucket,
                          const char *key, const uint8_t *val, size_t len,
                          uint64_t *rev)
{
    return kv_op(t, bucket, key, NODE_KV_PUT, val, len, -1, rev);
}

static mpc_err mem_kv_create(node_transport *t, const char *bucket,
                             const char *key, const uint8_t *val, size_t len,
                             uint64_t *rev)
{
    return kv_op(t, bucket, key, NODE_KV_PUT, val, len, 0, rev);
}

static mpc_err mem_kv_update(node_transport *t, const char *bucket,
                             const char *key, const uint8_t *val, size_t len,
                             uint64_t last_rev, uint64_t *rev)
{
    if (last_rev == 0 || last_rev > INT64_MAX) {
        if (rev != NULL)
            *rev = 0;
        return MPC_ERR_INVALID_ARG;
    }
    return kv_op(t, bucket, key, NODE_KV_PUT, val, len, (int64_t)last_rev, rev);
}

static mpc_err mem_kv_delete(node_transport *t, const char *bucket,
                             const char *key)
{
    /* A delete marker is written even for a key that never existed. */
    return kv_op(t, bucket, key, NODE_KV_DELETE, NULL, 0, -1, NULL);
}

static int cmp_rev(const void *a, const void *b)
{
    const struct mkv *x = *(const struct mkv *const *)a;
    const struct mkv *y = *(const struct mkv *const *)b;
    return x->rev < y->rev ? -1 : x->rev > y->rev;
}

static mpc_err mem_kv_watch(node_transport *t, node_kv_watch **out,
                            const char *bucket, const char *key_pattern)
{
    struct mconn *c = conn_of(t);
    *out = NULL;
    if (key_pattern != NULL && !node_kv_key_is_valid(key_pattern, true))
        return MPC_ERR_INVALID_ARG;
    struct mwatch *w = calloc(1, sizeof *w);
    if (w == NULL)
        return MPC_ERR_NOMEM;
    copy_str(w->pattern, sizeof w->pattern,
             key_pattern != NULL ? key_pattern : ">");
    lock(c->bus);
    struct mbucket *b;
    mpc_err e = kv_bucket(c, bucket, &b);
    const struct mkv **live = NULL;
    size_t nlive = 0;
    if (e == MPC_OK && b->ne > 0 &&
        (live = malloc(b->ne * sizeof *live)) == NULL)
        e = MPC_ERR_NOMEM;
    if (e == MPC_OK) {
        /* Latest live value of every matching key, oldest first. */
        for (size_t i = 0; i < b->ne; i++)
            if (b->e[i].op == NODE_KV_PUT &&
                subject_match(w->pattern, b->e[i].key))
                live[nlive++] = &b->e[i];
        if (nlive > 1)
            qsort(live, nlive, sizeof *live, cmp_rev);
        for (size_t i = 0; i < nlive; i++)
            watch_push(w, live[i], NODE_KV_PUT);
        watch_push(w, NULL, NODE_KV_INIT_DONE);
        w->b = b;
        w->next = b->watches;
        b->watches = w;
        c->live_watches++;
    }
    pthread_mutex_unlock(&c->bus->mu);
    free(live);
    if (e != MPC_OK) {
        free(w);
        return e;
    }
    *out = (node_kv_watch *)w;
    return MPC_OK;
}

static mpc_err mem_kv_watch_next(node_transport *t, node_kv_watch *hw,
                                 node_kv_entry *out, int64_t timeout_ms)
{
    struct mconn *c = conn_of(t);
    struct mwatch *w = (struct mwatch *)hw;
    memset(out, 0, sizeof *out);
    if (timeout_ms < 0)
        return MPC_ERR_INVALID_ARG;
    int64_t end = mono_ms() + timeout_ms;
    lock(c->bus);
    while (w->head == NULL && w->b != NULL && !c->down && mono_ms() < end)
        wait_until(c->bus, end);
    mpc_err e = MPC_ERR_TIMEOUT;
    struct mevent *ev = w->head;
    if (ev != NULL && !c->down) {
        w->head = ev->next;
        if (w->head == NULL)
            w->tail = NULL;
        ev->next = NULL;
        out->op = ev->op;
        if (ev->key != NULL)
            copy_str(out->key, sizeof out->key, ev->key);
        if (ev->len > 0)
            memcpy(out->value, ev->val, ev->len);
        out->len = ev->len;
        out->revision = ev->rev;
        out->created_ms = ev->wall_ms;
        events_free(ev);
        e = MPC_OK;
    } else if (w->b == NULL || c->down) {
        e = MPC_ERR_UNAVAILABLE;
    }
    pthread_mutex_unlock(&c->bus->mu);
    return e;
}

static void mem_kv_unwatch(node_transport *t, node_kv_watch *hw)
{
    struct mconn *c = conn_of(t);
    struct mwatch *w = (struct mwatch *)hw;
    lock(c->bus);
    if (w->b != NULL)
        for (struct mwatch **p = &w->b->watches; *p != NULL; p = &(*p)->next)
            if (*p == w) {
                *p = w->next;
                break;
            }
    c->live_watches--;
    pthread_mutex_unlock(&c->bus->mu);
    events_free(w->head);
    free(w);
}

/* ---- Construction ---- */

static const node_transport_ops mem_ops = {
    .free = mem_free,
    .stats = mem_stats,
    .publish = mem_publish,
    .flush = mem_flush,
    .request = mem_request,
    .subscribe = mem_subscribe,
    .unsubscribe = mem_unsubscribe,
    .js_publish = mem_js_publish,
    .stream_info = mem_stream_info,
    .stream_add = mem_stream_add,
    .stream_update = mem_stream_update,
    .stream_delete = mem_stream_delete,
    .stream_get = mem_stream_get,
    .consumer_info = mem_consumer_info,
    .consumer_add = mem_consumer_add,
    .consumer_update = mem_consumer_update,
    .consumer_delete = mem_consumer_delete,
    .pull_bind = mem_pull_bind,
    .pull_fetch = mem_pull_fetch,
    .pull_unbind = mem_pull_unbind,
    .ack = mem_ack,
    .nak = mem_nak,
    .in_progress = mem_in_progress,
    .term = mem_term,
    .jsmsg_free = mem_jsmsg_free,
    .kv_bucket_ensure = mem_kv_bucket_ensure,
    .kv_bucket_delete = mem_kv_bucket_delete,
    .kv_get = mem_kv_get,
    .kv_put = mem_kv_put,
    .kv_create = mem_kv_create,
    .kv_update = mem_kv_update,
    .kv_delete = mem_kv_delete,
    .kv_watch = mem_kv_watch,
    .kv_watch_next = mem_kv_watch_next,
    .kv_unwatch = mem_kv_unwatch,
};

mpc_err node_transport_mem_new(node_transport **out, node_mem_bus *bus,
                               const char *name)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    if (bus == NULL || name == NULL || name[0] == 0 ||
        strlen(name) > CONN_NAME_MAX)
        return MPC_ERR_INVALID_ARG;
    struct mconn *c = calloc(1, sizeof *c);
    if (c == NULL)
        return MPC_ERR_NOMEM;
    c->base.ops = &mem_ops;
    c->bus = bus;
    copy_str(c->name, sizeof c->name, name);
    lock(bus);
    c->id = ++bus->next_conn;
    if (pthread_create(&c->thread, NULL, delivery_main, c) != 0) {
        pthread_mutex_unlock(&bus->mu);
        free(c);
        return MPC_ERR_INTERNAL;
    }
    c->next = bus->conns;
    bus->conns = c;
    pthread_mutex_unlock(&bus->mu);
    *out = &c->base;
    return MPC_OK;
}

void node_transport_mem_set_down(node_transport *t, bool down)
{
    struct mconn *c = conn_of(t);
    lock(c->bus);
    if (down && !c->down)
        c->disconnects++;
    else if (!down && c->down)
        c->reconnects++;
    c->down = down;
    if (!down)
        release_held(c, true);
    unlock_wake(c->bus);
}
