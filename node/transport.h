/*
 * node/transport.h — the messaging contract the node is written against.
 *
 * One vtable, two implementations:
 *   - transport_nats.c: cnats (core NATS, JetStream, KV) on a hardened
 *     connection (node_transport_nats_new);
 *   - transport_mem.c: an in-process bus with the same semantics, for unit
 *     tests of the session manager and friends (node_transport_mem_new).
 * Code above this header never sees a natsStatus, a natsMsg or a kvStore:
 * every call returns an mpc_err and takes plain values.
 *
 * What each operation maps to:
 *   publish / request / subscribe      core NATS (no queue groups: every
 *                                      subscriber of a subject gets a copy)
 *   js_publish                         JetStream publish with Nats-Msg-Id,
 *                                      waits (bounded) for the PubAck
 *   stream_* / consumer_*              JetStream management (jsetup uses it)
 *   pull_bind / pull_fetch / ack ...   a durable pull consumer created
 *                                      beforehand (binding never creates or
 *                                      deletes a durable)
 *   kv_*                               a NATS KV bucket
 *
 * Units: every duration in this API is in milliseconds, whatever the
 * library below wants (cnats mixes ns and ms; the conversion happens in
 * transport_nats.c only).
 *
 * Threads:
 *   - A transport is thread-safe: any thread may call any function.
 *   - Subscription callbacks run on a transport thread (one of the few
 *     delivery threads that cnats shares among all subscriptions, or the
 *     mem bus's delivery thread of that connection): other subscriptions'
 *     messages wait while one runs. They must not block: copy what is
 *     needed and hand it to an owner thread (STYLE rule 16). Messages of
 *     one subscription are delivered in order, one at a time.
 *   - A callback may publish, but must not make a request (it blocks) or
 *     unsubscribe (its own subscription: MPC_ERR_STATE; another one may
 *     share its thread, whose end it would wait for): teardown happens on
 *     the owner thread.
 *   - After node_transport_unsubscribe returns, the callback is not running
 *     and will not run again, so its `ud` may be freed.
 *
 * Ownership and rules for every function below: pointer arguments must not
 * be NULL unless stated; inputs are borrowed for the call only (subjects,
 * headers and payloads are copied if kept); outputs are zeroed, and `*out`
 * handles set to NULL, on failure. Subjects are at most
 * NODE_SUBJECT_MAX_BYTES bytes of printable ASCII without spaces, made of
 * non-empty dot-separated tokens; `*` (one token) and `>` (the rest) are
 * allowed only where a function says so.
 *
 * Outages: while the connection is down (the NATS implementation
 * reconnects forever), every call that needs an answer from the server
 * fails at once with MPC_ERR_UNAVAILABLE, and requests in flight when the
 * link drops fail the same way; callers retry on their own schedule. Plain
 * publishes are buffered (up to the reconnect buffer) and sent after the
 * reconnect; subscriptions are re-established by the library.
 *
 * Leak checks: node_transport_stats counts live subscriptions, pull
 * bindings, KV watchers and fetched-but-not-freed JetStream messages; tests
 * assert they are back to zero after teardown. Every handle must be released
 * before node_transport_free.
 */
#ifndef NODE_TRANSPORT_H
#define NODE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"

/** Longest subject (bytes, without the NUL). */
#define NODE_SUBJECT_MAX_BYTES 1024
/** Longest stream, consumer or KV bucket name (bytes). */
#define NODE_JS_NAME_MAX_BYTES 255
/** Longest stream or consumer description kept by an info call (bytes). */
#define NODE_JS_DESC_MAX_BYTES 255
/** Most subjects of a stream that an info call reports. */
#define NODE_JS_SUBJECTS_MAX 8
/** Most BackOff steps of a consumer. */
#define NODE_JS_BACKOFF_MAX 16
/** Most headers one published message may carry. */
#define NODE_HEADERS_MAX 16
/** Longest KV key (bytes). Keys use [-/_=.a-zA-Z0-9], no empty token. */
#define NODE_KV_KEY_MAX_BYTES 1024
/** Largest KV value (bytes); buckets are created with this limit too. */
#define NODE_KV_VALUE_MAX_BYTES 8192
/** The subject of JetStream's max-deliveries advisories (all consumers). */
#define NODE_JS_ADVISORY_MAX_DELIVERIES                                        \
    "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>"

typedef struct node_transport node_transport;
/** A core subscription (opaque). */
typedef struct node_sub node_sub;
/** A binding to a durable pull consumer (opaque). */
typedef struct node_pull node_pull;
/** A KV watcher (opaque). */
typedef struct node_kv_watch node_kv_watch;

/** One message header (key and value are NUL-terminated, case-sensitive). */
typedef struct node_header {
    const char *key;
    const char *value;
} node_header;

/**
 * A received core message. Everything it points to is borrowed from the
 * transport and valid only during the callback (or, inside a node_jsmsg,
 * until node_transport_jsmsg_free). `data` bytes are hostile.
 */
typedef struct node_msg {
    const char *subject;
    /** Reply subject, NULL when the sender expects no reply. */
    const char *reply;
    const uint8_t *data;
    size_t len;
    /* Private to the implementation: header lookup. */
    const char *(*header_fn)(const struct node_msg *m, const char *key);
    const void *impl;
} node_msg;

/**
 * The first value of header `key` of `m`, or NULL when absent. The string
 * is borrowed like the message.
 */
static inline const char *node_msg_header(const node_msg *m, const char *key)
{
    return m->header_fn != NULL ? m->header_fn(m, key) : NULL;
}

/** Subscription callback; see the thread rules above. */
typedef void (*node_msg_fn)(const node_msg *m, void *ud);

/* ---- JetStream configuration (plain values) ---- */

typedef enum node_js_retention {
    NODE_JS_LIMITS = 0,
    NODE_JS_INTEREST = 1,
    NODE_JS_WORKQUEUE = 2,
} node_js_retention;

typedef enum node_js_storage {
    NODE_JS_FILE = 0,
    NODE_JS_MEMORY = 1,
} node_js_storage;

typedef enum node_js_discard {
    NODE_JS_DISCARD_OLD = 0,
    NODE_JS_DISCARD_NEW = 1,
} node_js_discard;

typedef enum node_js_deliver {
    NODE_JS_DELIVER_ALL = 0,
    NODE_JS_DELIVER_LAST = 1,
    NODE_JS_DELIVER_NEW = 2,
} node_js_deliver;

typedef enum node_js_ack {
    NODE_JS_ACK_EXPLICIT = 0,
    NODE_JS_ACK_NONE = 1,
    NODE_JS_ACK_ALL = 2,
} node_js_ack;

/**
 * A stream as we want it. Limits use NATS's convention: 0 or -1 means
 * unlimited for max_bytes / max_msgs, 0 means unlimited for max_age_ms;
 * duplicates_ms = 0 asks for the server default (2 minutes).
 */
typedef struct node_js_stream_config {
    const char *name;
    /** May be NULL. */
    const char *description;
    /** 1..NODE_JS_SUBJECTS_MAX subjects; wildcards allowed. */
    const char *const *subjects;
    size_t nsubjects;
    node_js_retention retention;
    node_js_storage storage;
    node_js_discard discard;
    int64_t max_age_ms;
    int64_t max_bytes;
    int64_t max_msgs;
    int64_t duplicates_ms;
} node_js_stream_config;

/** A stream as the server reports it (values after server defaults). */
typedef struct node_js_stream_info {
    char name[NODE_JS_NAME_MAX_BYTES + 1];
    /** Truncated to NODE_JS_DESC_MAX_BYTES. */
    char description[NODE_JS_DESC_MAX_BYTES + 1];
    /** The true count; only the first NODE_JS_SUBJECTS_MAX are filled. */
    size_t nsubjects;
    char subjects[NODE_JS_SUBJECTS_MAX][NODE_SUBJECT_MAX_BYTES + 1];
    node_js_retention retention;
    node_js_storage storage;
    node_js_discard discard;
    int64_t max_age_ms;
    int64_t max_bytes;
    int64_t max_msgs;
    int64_t duplicates_ms;
    /* State. */
    uint64_t msgs;
    uint64_t bytes;
    uint64_t first_seq;
    uint64_t last_seq;
    uint64_t consumers;
} node_js_stream_info;

/**
 * A durable consumer as we want it. BackOff, when given, replaces AckWait
 * for the n-th delivery (NATS requires max_deliver > nbackoff).
 */
typedef struct node_js_consumer_config {
    const char *stream;
    /** Durable name: no '.', '*', '>' or spaces. */
    const char *durable;
    /** May be NULL. */
    const char *description;
    /** May be NULL (the whole stream); wildcards allowed. */
    const char *filter_subject;
    node_js_deliver deliver;
    node_js_ack ack;
    int64_t ack_wait_ms;
    /** -1: unlimited. */
    int64_t max_deliver;
    /** May be NULL when nbackoff is 0; at most NODE_JS_BACKOFF_MAX. */
    const int64_t *backoff_ms;
    size_t nbackoff;
    /** -1: unlimited. */
    int64_t max_ack_pending;
} node_js_consumer_config;

typedef struct node_js_consumer_info {
    char stream[NODE_JS_NAME_MAX_BYTES + 1];
    char durable[NODE_JS_NAME_MAX_BYTES + 1];
    char description[NODE_JS_DESC_MAX_BYTES + 1];
    /** Empty when the consumer has no filter. */
    char filter_subject[NODE_SUBJECT_MAX_BYTES + 1];
    node_js_deliver deliver;
    node_js_ack ack;
    int64_t ack_wait_ms;
    int64_t max_deliver;
    int64_t backoff_ms[NODE_JS_BACKOFF_MAX];
    size_t nbackoff;
    int64_t max_ack_pending;
    /* State. */
    /** Messages matching the filter not yet delivered. */
    uint64_t num_pending;
    /** Delivered, not yet acknowledged. */
    uint64_t num_ack_pending;
    uint64_t num_redelivered;
} node_js_consumer_info;

/** The server's answer to a JetStream publish. */
typedef struct node_js_ack_info {
    uint64_t seq;
    /** True when the Msg-Id was seen within the duplicate window: the
     *  message was not stored again and `seq` is the original's. */
    bool duplicate;
} node_js_ack_info;

/**
 * A message fetched from a pull consumer, or read from a stream by
 * sequence. Owned by the caller until node_transport_jsmsg_free.
 */
typedef struct node_jsmsg {
    node_msg msg;
    uint64_t stream_seq;
    /** 1 on the first delivery; 0 for a message read by sequence. */
    uint64_t delivered;
    /** Server time of the message, ms since the Unix epoch. */
    int64_t time_ms;
    /* Private to the implementation. */
    void *impl;
} node_jsmsg;

/* ---- KV ---- */

typedef struct node_kv_config {
    /** [-_a-zA-Z0-9]+. */
    const char *bucket;
    /** May be NULL. */
    const char *description;
    /** Age after which an entry disappears (0: never). Expiry is silent:
     *  watchers get no event (NATS 2.9). */
    int64_t ttl_ms;
    /** Values kept per key, 1..64. */
    unsigned history;
    node_js_storage storage;
} node_kv_config;

typedef enum node_kv_op {
    NODE_KV_PUT = 1,
    NODE_KV_DELETE = 2,
    /** Watch only: every value present at watch start has been delivered;
     *  later events are live changes. No key or value. */
    NODE_KV_INIT_DONE = 3,
} node_kv_op;

typedef struct node_kv_entry {
    node_kv_op op;
    char key[NODE_KV_KEY_MAX_BYTES + 1];
    uint8_t value[NODE_KV_VALUE_MAX_BYTES];
    size_t len;
    uint64_t revision;
    /** Server time of the write, ms since the Unix epoch. */
    int64_t created_ms;
} node_kv_entry;

/* ---- Statistics ---- */

typedef struct node_transport_stats {
    bool connected;
    /* Live handles: leak checks want these back to zero. */
    uint64_t live_subs;
    uint64_t live_pulls;
    uint64_t live_watches;
    uint64_t live_jsmsgs;
    /* Connection history. */
    uint64_t disconnects;
    uint64_t reconnects;
    /** Asynchronous errors (slow consumer, permission violation, ...). */
    uint64_t async_errors;
} node_transport_stats;

/* ---- The vtable ---- */

/** Implementations fill this table; callers use the wrappers below. */
typedef struct node_transport_ops {
    void (*free)(node_transport *t);
    void (*stats)(node_transport *t, node_transport_stats *out);
    mpc_err (*publish)(node_transport *t, const char *subject,
                       const char *reply, const node_header *hdrs, size_t nhdrs,
                       const uint8_t *data, size_t len);
    mpc_err (*flush)(node_transport *t, int64_t timeout_ms);
    mpc_err (*request)(node_transport *t, const char *subject,
                       const node_header *hdrs, size_t nhdrs,
                       const uint8_t *data, size_t len, int64_t timeout_ms,
                       uint8_t *out, size_t out_cap, size_t *out_len);
    /* flush: return only once the server has the subscription. */
    mpc_err (*subscribe)(node_transport *t, node_sub **out, const char *subject,
                         node_msg_fn cb, void *ud, bool flush);
    mpc_err (*unsubscribe)(node_transport *t, node_sub *sub);
    mpc_err (*js_publish)(node_transport *t, const char *subject,
                          const node_header *hdrs, size_t nhdrs,
                          const uint8_t *data, size_t len, const char *msg_id,
                          int64_t timeout_ms, node_js_ack_info *ack);
    mpc_err (*stream_info)(node_transport *t, const char *name,
                           node_js_stream_info *out);
    mpc_err (*stream_add)(node_transport *t, const node_js_stream_config *cfg);
    mpc_err (*stream_update)(node_transport *t,
                             const node_js_stream_config *cfg);
    mpc_err (*stream_delete)(node_transport *t, const char *name);
    mpc_err (*stream_get)(node_transport *t, node_jsmsg **out,
                          const char *stream, uint64_t seq);
    mpc_err (*consumer_info)(node_transport *t, const char *stream,
                             const char *durable, node_js_consumer_info *out);
    mpc_err (*consumer_add)(node_transport *t,
                            const node_js_consumer_config *cfg);
    mpc_err (*consumer_update)(node_transport *t,
                               const node_js_consumer_config *cfg);
    mpc_err (*consumer_delete)(node_transport *t, const char *stream,
                               const char *durable);
    mpc_err (*pull_bind)(node_transport *t, node_pull **out, const char *stream,
                         const char *durable);
    mpc_err (*pull_fetch)(node_transport *t, node_pull *p, node_jsmsg **out,
                          size_t max, size_t *n, int64_t timeout_ms);
    void (*pull_unbind)(node_transport *t, node_pull *p);
    mpc_err (*ack)(node_transport *t, node_jsmsg *m);
    mpc_err (*nak)(node_transport *t, node_jsmsg *m, int64_t delay_ms);
    mpc_err (*in_progress)(node_transport *t, node_jsmsg *m);
    mpc_err (*term)(node_transport *t, node_jsmsg *m);
    void (*jsmsg_free)(node_transport *t, node_jsmsg *m);
    mpc_err (*kv_bucket_ensure)(node_transport *t, const node_kv_config *cfg);
    mpc_err (*kv_bucket_delete)(node_transport *t, const char *bucket);
    mpc_err (*kv_get)(node_transport *t, const char *bucket, const char *key,
                      node_kv_entry *out);
    mpc_err (*kv_put)(node_transport *t, const char *bucket, const char *key,
                      const uint8_t *val, size_t len, uint64_t *rev);
    mpc_err (*kv_create)(node_transport *t, const char *bucket, const char *key,
                         const uint8_t *val, size_t len, uint64_t *rev);
    mpc_err (*kv_update)(node_transport *t, const char *bucket, const char *key,
                         const uint8_t *val, size_t len, uint64_t last_rev,
                         uint64_t *rev);
    mpc_err (*kv_delete)(node_transport *t, const char *bucket,
                         const char *key);
    mpc_err (*kv_watch)(node_transport *t, node_kv_watch **out,
                        const char *bucket, const char *key_pattern);
    mpc_err (*kv_watch_next)(node_transport *t, node_kv_watch *w,
                             node_kv_entry *out, int64_t timeout_ms);
    void (*kv_unwatch)(node_transport *t, node_kv_watch *w);
} node_transport_ops;

/** The common head of every implementation's transport object. */
struct node_transport {
    const node_transport_ops *ops;
};

/* ---- Shared validation (pure) ---- */

/**
 * True when `s` is a valid subject: 1..NODE_SUBJECT_MAX_BYTES printable
 * ASCII bytes without spaces, non-empty dot-separated tokens; with
 * `wildcards`, a token may be exactly `*`, and the last token exactly `>`.
 */
static inline bool node_subject_is_valid(const char *s, bool wildcards)
{
    size_t n = 0, tok = 0;
    bool full_wc = false;
    if (s == NULL)
        return false;
    for (const char *p = s;; p++, n++) {
        unsigned char c = (unsigned char)*p;
        if (n > NODE_SUBJECT_MAX_BYTES)
            return false;
        if (c == '.' || c == 0) {
            if (tok == 0 || (full_wc && c != 0))
                return false;
            if (c == 0)
                return true;
            tok = 0;
            continue;
        }
        if (c <= ' ' || c >= 0x7f || full_wc)
            return false;
        if (c == '*' || c == '>') {
            if (!wildcards || tok != 0 || (p[1] != '.' && p[1] != 0))
                return false;
            full_wc = c == '>';
        }
        tok++;
    }
}

/** True for a stream, consumer or bucket name: [-_a-zA-Z0-9], 1..255. */
static inline bool node_js_name_is_valid(const char *s)
{
    size_t n = 0;
    if (s == NULL)
        return false;
    for (; s[n] != 0; n++) {
        unsigned char c = (unsigned char)s[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok || n >= NODE_JS_NAME_MAX_BYTES)
            return false;
    }
    return n > 0;
}

/**
 * True for a KV key (1..NODE_KV_KEY_MAX_BYTES of [-/_=.a-zA-Z0-9], no
 * empty token); with `wildcards`, also a watch pattern (`*`, final `>`).
 */
static inline bool node_kv_key_is_valid(const char *s, bool wildcards)
{
    if (!node_subject_is_valid(s, wildcards))
        return false;
    for (size_t n = 0; s[n] != 0; n++) {
        unsigned char c = (unsigned char)s[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '_' ||
                  c == '=' || c == '.' || (wildcards && (c == '*' || c == '>'));
        if (!ok || n >= NODE_KV_KEY_MAX_BYTES)
            return false;
    }
    return true;
}

/**
 * True when `n` <= NODE_HEADERS_MAX and every header has a non-empty key of
 * printable ASCII without ':' or spaces, and a value without CR, LF or
 * other control bytes (NATS headers are lines of text).
 */
static inline bool node_headers_are_valid(const node_header *hdrs, size_t n)
{
    if (n > NODE_HEADERS_MAX || (n > 0 && hdrs == NULL))
        return false;
    for (size_t i = 0; i < n; i++) {
        const char *k = hdrs[i].key, *v = hdrs[i].value;
        if (k == NULL || v == NULL || k[0] == 0)
            return false;
        for (; *k != 0; k++)
            if ((unsigned char)*k <= ' ' || (unsigned char)*k >= 0x7f ||
                *k == ':')
                return false;
        for (; *v != 0; v++)
            if (((unsigned char)*v < ' ' && *v != '\t') ||
                (unsigned char)*v == 0x7f)
                return false;
    }
    return true;
}

/* ---- Wrappers: the API callers use ---- */

/** Closes the connection and frees `t`; NULL does nothing. Every handle
 *  must have been released first (the stats say which leaked). */
static inline void node_transport_free(node_transport *t)
{
    if (t != NULL)
        t->ops->free(t);
}

/** Current counters; never fails. */
static inline void node_transport_stats_get(node_transport *t,
                                            node_transport_stats *out)
{
    t->ops->stats(t, out);
}

/**
 * Publishes a core message (fire and forget; the NATS implementation
 * buffers while reconnecting, up to its reconnect buffer).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for an invalid subject or reply (no
 * wildcards), more than NODE_HEADERS_MAX headers, or a payload over the
 * server's maximum; MPC_ERR_UNAVAILABLE when the connection is closed or
 * the reconnect buffer is full; MPC_ERR_NOMEM.
 * Args: reply      reply subject (may be NULL)
 *       hdrs       headers (may be NULL when nhdrs is 0)
 *       data       payload (may be NULL when len is 0)
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_publish(node_transport *t, const char *subject,
                       const char *reply, const node_header *hdrs, size_t nhdrs,
                       const uint8_t *data, size_t len)
{
    return t->ops->publish(t, subject, reply, hdrs, nhdrs, data, len);
}

/**
 * Waits until everything published so far has reached the server (NATS: a
 * PING/PONG round trip) or, for the mem bus, until every queued message of
 * every connection has been delivered and its callback has returned.
 *
 * Returns: MPC_OK; MPC_ERR_TIMEOUT; MPC_ERR_UNAVAILABLE when not connected;
 * MPC_ERR_INVALID_ARG if timeout_ms <= 0.
 */
MPC_WARN_UNUSED static inline mpc_err node_transport_flush(node_transport *t,
                                                           int64_t timeout_ms)
{
    return t->ops->flush(t, timeout_ms);
}

/**
 * Sends a request and waits for the first reply.
 *
 * Returns: MPC_OK with the reply in out[0..*out_len);
 * MPC_ERR_UNAVAILABLE when nobody is subscribed to `subject` (NATS "no
 * responders", reported at once) or the connection is closed;
 * MPC_ERR_TIMEOUT when no reply came within timeout_ms;
 * MPC_ERR_PARSE when the reply is longer than out_cap (it is dropped);
 * MPC_ERR_INVALID_ARG (bad subject, timeout_ms <= 0); MPC_ERR_NOMEM.
 * Note: a subject captured by a JetStream stream is answered by JetStream
 * itself with a PubAck, never with "no responders"; request subjects must
 * not be covered by a stream.
 * Out: out, out_len   the reply (zeroed / 0 on failure)
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_request(node_transport *t, const char *subject,
                       const node_header *hdrs, size_t nhdrs,
                       const uint8_t *data, size_t len, int64_t timeout_ms,
                       uint8_t *out, size_t out_cap, size_t *out_len)
{
    return t->ops->request(t, subject, hdrs, nhdrs, data, len, timeout_ms, out,
                           out_cap, out_len);
}

/**
 * Subscribes `cb` to `subject` (wildcards allowed). The subscription is
 * active on the server when this returns (NATS: after a flush).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (bad subject, NULL cb);
 * MPC_ERR_UNAVAILABLE; MPC_ERR_NOMEM.
 * Out: out   the subscription, released with node_transport_unsubscribe
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_subscribe(node_transport *t, node_sub **out, const char *subject,
                         node_msg_fn cb, void *ud)
{
    return t->ops->subscribe(t, out, subject, cb, ud, true);
}

/**
 * As node_transport_subscribe, but may return before the server has the
 * subscription (NATS: no flush, whose round trip is most of the cost of a
 * subscription). The server takes one transport's requests in order, so
 * the subscription is active once a later node_transport_subscribe or
 * node_transport_flush on the same transport has returned: a caller that
 * sets up several subscriptions makes the last one with that.
 * Returns: as node_transport_subscribe.
 * Out: out   the subscription, released with node_transport_unsubscribe
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_subscribe_deferred(node_transport *t, node_sub **out,
                                  const char *subject, node_msg_fn cb, void *ud)
{
    return t->ops->subscribe(t, out, subject, cb, ud, false);
}

/**
 * Removes the subscription, waits (bounded) until its callback is not
 * running, and frees it. `*sub` is set to NULL; NULL does nothing.
 *
 * Returns: MPC_OK; MPC_ERR_STATE when called from the subscription's own
 * callback (nothing changed); MPC_ERR_TIMEOUT when the callback did not
 * return within the bound, or (NATS) when the round trip that makes sure
 * the connection's reader no longer holds the subscription failed on a
 * live link (the handle is then leaked deliberately, never freed under a
 * running callback or a reader: libnats < 3.6, nats.c issue #637).
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_unsubscribe(node_transport *t, node_sub **sub)
{
    if (*sub == NULL)
        return MPC_OK;
    mpc_err e = t->ops->unsubscribe(t, *sub);
    if (e != MPC_ERR_STATE)
        *sub = NULL;
    return e;
}

/**
 * Publishes to JetStream with a Nats-Msg-Id and waits for the PubAck.
 *
 * Returns: MPC_OK (ack->duplicate tells whether the id was already seen
 * within the stream's duplicate window); MPC_ERR_UNAVAILABLE when no stream
 * captures `subject` (or JetStream is off); MPC_ERR_TIMEOUT when no PubAck
 * came within timeout_ms (the message may or may not be stored: publish
 * again with the same msg_id); MPC_ERR_CONFLICT when the stream refused the
 * message (limits); MPC_ERR_INVALID_ARG; MPC_ERR_NOMEM.
 * Args: msg_id   de-duplication key (may be NULL: none)
 * Out:  ack      sequence and duplicate flag (may be NULL)
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_js_publish(node_transport *t, const char *subject,
                          const node_header *hdrs, size_t nhdrs,
                          const uint8_t *data, size_t len, const char *msg_id,
                          int64_t timeout_ms, node_js_ack_info *ack)
{
    return t->ops->js_publish(t, subject, hdrs, nhdrs, data, len, msg_id,
                              timeout_ms, ack);
}

/**
 * Reads a stream's configuration and state.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND; MPC_ERR_UNAVAILABLE / MPC_ERR_TIMEOUT
 * (server unreachable); MPC_ERR_INVALID_ARG.
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_stream_info(node_transport *t, const char *name,
                           node_js_stream_info *out)
{
    return t->ops->stream_info(t, name, out);
}

/**
 * Creates a stream. Creating one that exists with the same configuration
 * succeeds.
 *
 * Returns: MPC_OK; MPC_ERR_CONFLICT when the name exists with another
 * configuration or the subjects overlap another stream's;
 * MPC_ERR_INVALID_ARG; MPC_ERR_UNAVAILABLE / MPC_ERR_TIMEOUT.
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_stream_add(node_transport *t, const node_js_stream_config *cfg)
{
    return t->ops->stream_add(t, cfg);
}

/**
 * Updates a stream's configuration.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND; MPC_ERR_CONFLICT when the change is
 * not allowed (retention or storage differ, subjects overlap another
 * stream); MPC_ERR_INVALID_ARG; MPC_ERR_UNAVAILABLE / MPC_ERR_TIMEOUT.
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_stream_update(node_transport *t,
                             const node_js_stream_config *cfg)
{
    return t->ops->stream_update(t, cfg);
}

/** Deletes a stream and its consumers (operators and tests only).
 *  Returns: MPC_OK; MPC_ERR_NOT_FOUND; MPC_ERR_UNAVAILABLE / TIMEOUT. */
MPC_WARN_UNUSED static inline mpc_err
node_transport_stream_delete(node_transport *t, const char *name)
{
    return t->ops->stream_delete(t, name);
}

/**
 * Reads the message with stream sequence `seq` (e.g. the request named by a
 * max-deliveries advisory). The result has delivered = 0 and cannot be
 * acknowledged.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND (no such stream or sequence);
 * MPC_ERR_INVALID_ARG; MPC_ERR_UNAVAILABLE / MPC_ERR_TIMEOUT; MPC_ERR_NOMEM.
 * Out: out   freed with node_transport_jsmsg_free
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_stream_get(node_transport *t, node_jsmsg **out,
                          const char *stream, uint64_t seq)
{
    return t->ops->stream_get(t, out, stream, seq);
}

/** Reads a durable consumer. Returns: MPC_OK; MPC_ERR_NOT_FOUND (stream or
 *  consumer); MPC_ERR_INVALID_ARG; MPC_ERR_UNAVAILABLE / MPC_ERR_TIMEOUT. */
MPC_WARN_UNUSED static inline mpc_err
node_transport_consumer_info(node_transport *t, const char *stream,
                             const char *durable, node_js_consumer_info *out)
{
    return t->ops->consumer_info(t, stream, durable, out);
}

/**
 * Creates a durable consumer (server 2.9 also accepts an existing durable
 * and applies updatable changes).
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND (no stream); MPC_ERR_CONFLICT (the
 * server refused the configuration, e.g. a second overlapping consumer on a
 * work-queue stream, or a change that cannot be applied);
 * MPC_ERR_INVALID_ARG; MPC_ERR_UNAVAILABLE / MPC_ERR_TIMEOUT.
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_consumer_add(node_transport *t,
                            const node_js_consumer_config *cfg)
{
    return t->ops->consumer_add(t, cfg);
}

/** Updates a durable consumer. Returns: as consumer_add, plus
 *  MPC_ERR_NOT_FOUND when the consumer does not exist. Deliver and ack
 *  policies cannot change (MPC_ERR_CONFLICT). */
MPC_WARN_UNUSED static inline mpc_err
node_transport_consumer_update(node_transport *t,
                               const node_js_consumer_config *cfg)
{
    return t->ops->consumer_update(t, cfg);
}

/** Deletes a durable consumer. Returns: MPC_OK; MPC_ERR_NOT_FOUND;
 *  MPC_ERR_INVALID_ARG; MPC_ERR_UNAVAILABLE / MPC_ERR_TIMEOUT. */
MPC_WARN_UNUSED static inline mpc_err
node_transport_consumer_delete(node_transport *t, const char *stream,
                               const char *durable)
{
    return t->ops->consumer_delete(t, stream, durable);
}

/**
 * Binds to an existing durable pull consumer. Several bindings (in one or
 * several processes) share the consumer: each message goes to one of them.
 * Unbinding never deletes the durable.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND (stream or consumer missing: create it
 * with jsetup first); MPC_ERR_INVALID_ARG; MPC_ERR_UNAVAILABLE /
 * MPC_ERR_TIMEOUT; MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_pull_bind(node_transport *t, node_pull **out, const char *stream,
                         const char *durable)
{
    return t->ops->pull_bind(t, out, stream, durable);
}

/**
 * Fetches up to `max` messages. Like NATS, the call returns when `max`
 * messages have arrived or timeout_ms has passed, whichever comes first:
 * with max = 1 it returns as soon as one message is there, which is what a
 * latency-sensitive worker wants. Keep timeout_ms well below the consumer's
 * AckWait, and max within the free MaxAckPending slots (otherwise the call
 * always waits the full timeout, and a message may be redelivered to
 * another worker meanwhile).
 *
 * Returns: MPC_OK with *n messages in out[0..*n) (*n = 0 when the timeout
 * passed with nothing to deliver); MPC_ERR_INVALID_ARG (max = 0 or over
 * 256, timeout_ms <= 0); MPC_ERR_UNAVAILABLE (connection closed, consumer
 * deleted); MPC_ERR_NOMEM.
 * Out: out   each message is freed with node_transport_jsmsg_free, after
 *            its ack / nak / term.
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_pull_fetch(node_transport *t, node_pull *p, node_jsmsg **out,
                          size_t max, size_t *n, int64_t timeout_ms)
{
    return t->ops->pull_fetch(t, p, out, max, n, timeout_ms);
}

/** Releases a binding (the durable stays); NULLs `*p`; NULL does nothing.
 *  No fetch on it may be in progress. */
static inline void node_transport_pull_unbind(node_transport *t, node_pull **p)
{
    if (*p != NULL)
        t->ops->pull_unbind(t, *p);
    *p = NULL;
}

/**
 * Acknowledges a fetched message and waits for the server to confirm it
 * (the message will not be redelivered; on a work-queue stream it is
 * removed).
 *
 * Returns: MPC_OK; MPC_ERR_STATE when the message was already acknowledged
 * (ack, nak, term) or was read by sequence; MPC_ERR_TIMEOUT /
 * MPC_ERR_UNAVAILABLE (the ack may not have reached the server: the message
 * may come back, so processing must be idempotent).
 */
MPC_WARN_UNUSED static inline mpc_err node_transport_ack(node_transport *t,
                                                         node_jsmsg *m)
{
    return t->ops->ack(t, m);
}

/**
 * Negative acknowledgement: redeliver after `delay_ms` (0: at once).
 * Returns: MPC_OK; MPC_ERR_STATE (already acknowledged);
 * MPC_ERR_INVALID_ARG (negative delay); MPC_ERR_UNAVAILABLE.
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_nak(node_transport *t, node_jsmsg *m, int64_t delay_ms)
{
    return t->ops->nak(t, m, delay_ms);
}

/**
 * Work in progress: restarts the message's AckWait timer. May be repeated.
 * Returns: MPC_OK; MPC_ERR_STATE (already acknowledged);
 * MPC_ERR_UNAVAILABLE.
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_in_progress(node_transport *t, node_jsmsg *m)
{
    return t->ops->in_progress(t, m);
}

/**
 * Terminates: never redeliver (a poison message).
 * Returns: MPC_OK; MPC_ERR_STATE (already acknowledged);
 * MPC_ERR_UNAVAILABLE.
 */
MPC_WARN_UNUSED static inline mpc_err node_transport_term(node_transport *t,
                                                          node_jsmsg *m)
{
    return t->ops->term(t, m);
}

/** Frees a fetched or read message and NULLs `*m`; NULL does nothing. A
 *  fetched message freed without an ack is redelivered after AckWait. */
static inline void node_transport_jsmsg_free(node_transport *t, node_jsmsg **m)
{
    if (*m != NULL)
        t->ops->jsmsg_free(t, *m);
    *m = NULL;
}

/**
 * Creates a KV bucket, or checks that an existing one has the same TTL and
 * history. Values are limited to NODE_KV_VALUE_MAX_BYTES.
 *
 * Returns: MPC_OK; MPC_ERR_CONFLICT when the bucket exists with another
 * TTL, history or storage (it is left alone); MPC_ERR_INVALID_ARG;
 * MPC_ERR_UNAVAILABLE / MPC_ERR_TIMEOUT.
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_kv_bucket_ensure(node_transport *t, const node_kv_config *cfg)
{
    return t->ops->kv_bucket_ensure(t, cfg);
}

/** Deletes a bucket (tests, operators). Returns: MPC_OK;
 *  MPC_ERR_NOT_FOUND; MPC_ERR_UNAVAILABLE / MPC_ERR_TIMEOUT. */
MPC_WARN_UNUSED static inline mpc_err
node_transport_kv_bucket_delete(node_transport *t, const char *bucket)
{
    return t->ops->kv_bucket_delete(t, bucket);
}

/**
 * Reads the latest value of `key`.
 *
 * Returns: MPC_OK (out->op = NODE_KV_PUT); MPC_ERR_NOT_FOUND (never
 * written, deleted or expired; also a missing bucket); MPC_ERR_PARSE when
 * the stored value is longer than NODE_KV_VALUE_MAX_BYTES;
 * MPC_ERR_INVALID_ARG; MPC_ERR_UNAVAILABLE / MPC_ERR_TIMEOUT.
 */
MPC_WARN_UNUSED static inline mpc_err node_transport_kv_get(node_transport *t,
                                                            const char *bucket,
                                                            const char *key,
                                                            node_kv_entry *out)
{
    return t->ops->kv_get(t, bucket, key, out);
}

/**
 * Writes `key` unconditionally.
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND (no bucket); MPC_ERR_INVALID_ARG (bad
 * key, value over NODE_KV_VALUE_MAX_BYTES); MPC_ERR_UNAVAILABLE /
 * MPC_ERR_TIMEOUT.
 * Out: rev   the new revision (may be NULL)
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_kv_put(node_transport *t, const char *bucket, const char *key,
                      const uint8_t *val, size_t len, uint64_t *rev)
{
    return t->ops->kv_put(t, bucket, key, val, len, rev);
}

/** Writes `key` only if it has no live value. Returns: as kv_put, plus
 *  MPC_ERR_CONFLICT when it exists. */
MPC_WARN_UNUSED static inline mpc_err
node_transport_kv_create(node_transport *t, const char *bucket, const char *key,
                         const uint8_t *val, size_t len, uint64_t *rev)
{
    return t->ops->kv_create(t, bucket, key, val, len, rev);
}

/** Writes `key` only if its latest revision is `last_rev` (compare and
 *  swap). Returns: as kv_put, plus MPC_ERR_CONFLICT on a revision
 *  mismatch. */
MPC_WARN_UNUSED static inline mpc_err
node_transport_kv_update(node_transport *t, const char *bucket, const char *key,
                         const uint8_t *val, size_t len, uint64_t last_rev,
                         uint64_t *rev)
{
    return t->ops->kv_update(t, bucket, key, val, len, last_rev, rev);
}

/** Deletes `key` (watchers see NODE_KV_DELETE). Deleting a missing key
 *  succeeds. Returns: MPC_OK; MPC_ERR_NOT_FOUND (no bucket);
 *  MPC_ERR_INVALID_ARG; MPC_ERR_UNAVAILABLE / MPC_ERR_TIMEOUT. */
MPC_WARN_UNUSED static inline mpc_err
node_transport_kv_delete(node_transport *t, const char *bucket, const char *key)
{
    return t->ops->kv_delete(t, bucket, key);
}

/**
 * Watches keys matching `key_pattern` (NULL: all): first the latest value
 * of every live key, then NODE_KV_INIT_DONE, then changes as they happen.
 * Expiry by TTL produces no event.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND (no bucket); MPC_ERR_INVALID_ARG;
 * MPC_ERR_UNAVAILABLE / MPC_ERR_TIMEOUT; MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_kv_watch(node_transport *t, node_kv_watch **out,
                        const char *bucket, const char *key_pattern)
{
    return t->ops->kv_watch(t, out, bucket, key_pattern);
}

/**
 * Waits up to timeout_ms (0: do not wait) for the watcher's next event.
 * Only one thread may call this on a given watcher.
 *
 * Returns: MPC_OK; MPC_ERR_TIMEOUT (no event); MPC_ERR_PARSE (an entry
 * with an oversized value was skipped); MPC_ERR_UNAVAILABLE (the watcher
 * stopped: connection closed or bucket deleted).
 */
MPC_WARN_UNUSED static inline mpc_err
node_transport_kv_watch_next(node_transport *t, node_kv_watch *w,
                             node_kv_entry *out, int64_t timeout_ms)
{
    return t->ops->kv_watch_next(t, w, out, timeout_ms);
}

/** Stops and frees a watcher; NULLs `*w`; NULL does nothing. No
 *  kv_watch_next on it may be in progress. */
static inline void node_transport_kv_unwatch(node_transport *t,
                                             node_kv_watch **w)
{
    if (*w != NULL)
        t->ops->kv_unwatch(t, *w);
    *w = NULL;
}

/* ---- The NATS implementation ---- */

/** Connection events reported to the optional event callback. */
typedef enum node_transport_event {
    NODE_TRANSPORT_DISCONNECTED = 1,
    NODE_TRANSPORT_RECONNECTED = 2,
    /** Final: the connection will not come back. */
    NODE_TRANSPORT_CLOSED = 3,
    /** Slow consumer, permission violation, ... (detail says which). */
    NODE_TRANSPORT_ASYNC_ERROR = 4,
    /** The server announced it is shutting down (lame duck mode). */
    NODE_TRANSPORT_LAME_DUCK = 5,
} node_transport_event;

/**
 * Called on a cnats thread; must not block. `detail` (never NULL, may be
 * empty) is the library's reason text, valid during the call.
 */
typedef void (*node_transport_event_fn)(void *ud, node_transport_event ev,
                                        const char *detail);

/**
 * Connection settings, plain values. Start from node_transport_nats_default
 * (mpcium's production values, spec §1.6); strings are copied by _new.
 */
typedef struct node_nats_config {
    /** One URL or a comma-separated list: nats://host:port, tls://... */
    const char *url;
    /** Connection name shown by the server (may be NULL). */
    const char *name;
    /** Inbox prefix for replies; mpcium uses "_INBOX_mpcium". */
    const char *inbox_prefix;
    /* Credentials: at most one of user/password, nkey, creds file. */
    const char *user;
    const char *password;
    /** NKey authentication: the user's public key and its seed file. */
    const char *nkey_public;
    const char *nkey_seed_file;
    /** A .creds file (user JWT + seed). */
    const char *creds_file;
    /* TLS: a CA enables TLS; a client cert needs its key. */
    const char *tls_ca_file;
    const char *tls_cert_file;
    const char *tls_key_file;
    /** Expected server name in the certificate (may be NULL). */
    const char *tls_hostname;
    /** Connect timeout per server (5000). */
    int64_t dial_timeout_ms;
    /** Protocol pings: interval (20000) and unanswered pings before the
     *  connection is declared dead (3). This is the connection's
     *  keep-alive: cnats offers no TCP keep-alive setting. */
    int64_t ping_interval_ms;
    int max_pings_out;
    /** Delay between reconnect attempts (2000). */
    int64_t reconnect_wait_ms;
    /** Reconnect attempts, -1 = forever (default). */
    int max_reconnect;
    /** Bytes buffered while reconnecting (16 MiB). */
    int reconnect_buf_bytes;
    /** Send every publish at once instead of via the flusher thread, which
     *  adds about 1 ms per message (default true). */
    bool send_asap;
    /** Default wait for JetStream API calls and acks (5000). */
    int64_t js_timeout_ms;
    /** The largest message the caller will publish: a server whose
     *  max_payload is smaller is refused at connect (0: no check). */
    int64_t payload_need_bytes;
    /** Optional event callback (may be NULL). */
    node_transport_event_fn on_event;
    void *event_ud;
} node_nats_config;

/** Fills `cfg` with the defaults named above; url = nats://127.0.0.1:4222. */
void node_transport_nats_default(node_nats_config *cfg);

/**
 * Connects to NATS. Fails at once if no server is reachable now (the
 * caller decides whether to retry); once connected, reconnects forever.
 * When connecting fails, on_event (if set) gets NODE_TRANSPORT_CLOSED with
 * the library's reason (e.g. the TLS error) before this returns.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (bad or conflicting settings, e.g.
 * two credential kinds, a cert without a key); MPC_ERR_IO (a certificate,
 * key, seed or creds file cannot be read); MPC_ERR_AUTH (the server refused
 * the credentials); MPC_ERR_UNAVAILABLE (no server reachable, TLS
 * handshake failed); MPC_ERR_CONFLICT (the server's max_payload is below
 * payload_need_bytes); MPC_ERR_NOMEM.
 * Out: out   the transport, freed with node_transport_free
 */
MPC_WARN_UNUSED mpc_err node_transport_nats_new(node_transport **out,
                                                const node_nats_config *cfg);

/**
 * Releases the NATS library's process-wide state: the shared message
 * delivery threads every connection uses (transport_nats.c) are joined.
 * Call once at process exit, after every NATS transport was freed; waits
 * at most timeout_ms. Nothing NATS may be used afterwards.
 */
void node_transport_nats_shutdown(int64_t timeout_ms);

/* ---- The in-process implementation ---- */

/**
 * A bus stands for one NATS server: connections made on it see each
 * other's subjects, streams and buckets. It is thread-safe. Limits of the
 * model: streams keep every message (max_age / max_bytes / max_msgs are
 * stored but not enforced); a work-queue stream removes a message when it
 * is acknowledged or terminated, an interest stream behaves like limits;
 * consumer timers (AckWait expiry, max-deliveries advisories) are
 * processed when a fetch or an ack runs on that consumer; KV keeps only the
 * latest value of each key.
 */
typedef struct node_mem_bus node_mem_bus;

/**
 * Optional fault hook, called with the bus lock held for every core
 * delivery (from connection `from` to a subscriber on connection `to`):
 * return false to drop that copy. It must not call the transport.
 */
typedef bool (*node_mem_filter_fn)(void *ud, const char *from, const char *to,
                                   const char *subject);

/** Returns: MPC_OK; MPC_ERR_NOMEM. */
MPC_WARN_UNUSED mpc_err node_mem_bus_new(node_mem_bus **out);

/** Frees the bus; every connection must have been freed. NULL does
 *  nothing. */
void node_mem_bus_free(node_mem_bus *bus);

/** Installs (or, with NULL, removes) the fault hook. */
void node_mem_bus_set_filter(node_mem_bus *bus, node_mem_filter_fn fn,
                             void *ud);

/**
 * Waits until no message is queued on any connection of the bus and no
 * callback is running: after a publish, a flush makes its effects visible.
 * Returns: MPC_OK; MPC_ERR_TIMEOUT.
 */
MPC_WARN_UNUSED mpc_err node_mem_bus_flush(node_mem_bus *bus,
                                           int64_t timeout_ms);

/**
 * Opens a connection named `name` (used by the fault hook) on `bus`. Each
 * connection has its own delivery thread for its subscriptions.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG; MPC_ERR_NOMEM; MPC_ERR_INTERNAL if
 * the delivery thread cannot start.
 */
MPC_WARN_UNUSED mpc_err node_transport_mem_new(node_transport **out,
                                               node_mem_bus *bus,
                                               const char *name);

/** Simulates a server outage for this connection: while down, every call
 *  fails with MPC_ERR_UNAVAILABLE and no message is delivered to it. */
void node_transport_mem_set_down(node_transport *t, bool down);

#endif /* NODE_TRANSPORT_H */
