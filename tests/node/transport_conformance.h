/*
 * tests/node/transport_conformance.h — one behavioural suite for every
 * node_transport implementation.
 *
 * Included by tests/node/test_transport_mem.c (unit runner, in-process bus)
 * and tests/integration/test_transport_nats.c (integration runner, real
 * nats-server), so the in-memory model used by node unit tests is held to
 * what NATS actually does. Each conf_* function takes two connections to
 * the same server/bus and returns false (after test_fail) on the first
 * mismatch; the caller tears down and checks the leak counters.
 *
 * Names used: subjects under "cf.", streams CF*, buckets cf*; tests that
 * share a server must not run two conformance functions at once.
 */
#ifndef TESTS_NODE_TRANSPORT_CONFORMANCE_H
#define TESTS_NODE_TRANSPORT_CONFORMANCE_H

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "node/transport.h"
#include "tests/harness/test.h"

#define CONF_INBOX_MAX 16

/* ---- A thread-safe collector for subscription callbacks ---- */

struct conf_rx {
    char subject[64];
    char reply[128];
    uint8_t data[512];
    size_t len;
    char client_id[64]; /* header ClientID, "" when absent */
    bool has_client_id;
    char session_id[64];
};

struct conf_inbox {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int n;
    struct conf_rx rx[CONF_INBOX_MAX];
};

static void conf_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static int64_t conf_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void conf_copy(char *dst, size_t cap, const char *src)
{
    size_t n = src != NULL ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src != NULL ? src : "", n);
    dst[n] = 0;
}

static void conf_inbox_init(struct conf_inbox *b)
{
    memset(b, 0, sizeof *b);
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
}

static void conf_inbox_cb(const node_msg *m, void *ud)
{
    struct conf_inbox *b = ud;
    pthread_mutex_lock(&b->mu);
    if (b->n < CONF_INBOX_MAX) {
        struct conf_rx *r = &b->rx[b->n];
        conf_copy(r->subject, sizeof r->subject, m->subject);
        conf_copy(r->reply, sizeof r->reply, m->reply);
        r->len = m->len < sizeof r->data ? m->len : sizeof r->data;
        if (r->len > 0)
            memcpy(r->data, m->data, r->len);
        const char *cid = node_msg_header(m, "ClientID");
        r->has_client_id = cid != NULL;
        conf_copy(r->client_id, sizeof r->client_id, cid);
        conf_copy(r->session_id, sizeof r->session_id,
                  node_msg_header(m, "SessionID"));
    }
    b->n++;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

/* Waits until at least `n` messages arrived; false on timeout. */
static bool conf_inbox_wait(struct conf_inbox *b, int n, int ms)
{
    int64_t end = conf_now_ms() + ms;
    pthread_mutex_lock(&b->mu);
    while (b->n < n && conf_now_ms() < end) {
        pthread_mutex_unlock(&b->mu);
        conf_sleep_ms(5);
        pthread_mutex_lock(&b->mu);
    }
    bool ok = b->n >= n;
    pthread_mutex_unlock(&b->mu);
    return ok;
}

static int conf_inbox_count(struct conf_inbox *b)
{
    pthread_mutex_lock(&b->mu);
    int n = b->n;
    pthread_mutex_unlock(&b->mu);
    return n;
}

static const struct conf_rx *conf_inbox_find(struct conf_inbox *b,
                                             const char *subject)
{
    for (int i = 0; i < b->n && i < CONF_INBOX_MAX; i++)
        if (strcmp(b->rx[i].subject, subject) == 0)
            return &b->rx[i];
    return NULL;
}

static void conf_inbox_clear(struct conf_inbox *b)
{
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
}

static bool conf_stats_zero(node_transport *t)
{
    node_transport_stats st;
    node_transport_stats_get(t, &st);
    REQUIRE(st.live_subs == 0);
    REQUIRE(st.live_pulls == 0);
    REQUIRE(st.live_watches == 0);
    REQUIRE(st.live_jsmsgs == 0);
    return true;
}

static bool conf_all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

#define CONF_STR(s) (const uint8_t *)(s), strlen(s)

/* Best-effort calls (clean-up of a previous run, replies from callbacks):
 * warn_unused_result is not silenced by a cast to void. */
#define CONF_IGNORE(expr)                                                      \
    do {                                                                       \
        mpc_err ignored_ = (expr);                                             \
        (void)ignored_;                                                        \
    } while (0)

/* ---- Core pub/sub ---- */

static bool conf_pubsub(node_transport *a, node_transport *b)
{
    struct conf_inbox in;
    conf_inbox_init(&in);
    node_sub *s1 = NULL, *s2 = NULL;
    REQUIRE_OK(
        node_transport_subscribe(b, &s1, "cf.pub.*", conf_inbox_cb, &in));
    REQUIRE_OK(
        node_transport_subscribe(b, &s2, "cf.tail.>", conf_inbox_cb, &in));
    node_transport_stats st;
    node_transport_stats_get(b, &st);
    REQUIRE(st.live_subs == 2);

    node_header h[2] = {{"ClientID", "svc-a"}, {"SessionID", "s-1"}};
    REQUIRE_OK(
        node_transport_publish(a, "cf.pub.x", NULL, h, 2, CONF_STR("hello")));
    REQUIRE_OK(
        node_transport_publish(a, "cf.other.x", NULL, NULL, 0, CONF_STR("no")));
    REQUIRE_OK(
        node_transport_publish(a, "cf.pub.x.y", NULL, NULL, 0, CONF_STR("no")));
    REQUIRE_OK(node_transport_publish(a, "cf.tail.x.y", "cf.reply.1", NULL, 0,
                                      NULL, 0));
    REQUIRE(conf_inbox_wait(&in, 2, 3000));
    REQUIRE_OK(node_transport_flush(a, 2000));
    conf_sleep_ms(100);
    REQUIRE(conf_inbox_count(&in) == 2);

    const struct conf_rx *r = conf_inbox_find(&in, "cf.pub.x");
    REQUIRE(r != NULL);
    REQUIRE(r->len == 5 && memcmp(r->data, "hello", 5) == 0);
    REQUIRE(r->has_client_id && strcmp(r->client_id, "svc-a") == 0);
    REQUIRE(strcmp(r->session_id, "s-1") == 0);
    REQUIRE(r->reply[0] == 0);
    r = conf_inbox_find(&in, "cf.tail.x.y");
    REQUIRE(r != NULL);
    REQUIRE(r->len == 0 && !r->has_client_id);
    REQUIRE(strcmp(r->reply, "cf.reply.1") == 0);

    REQUIRE_OK(node_transport_unsubscribe(b, &s1));
    REQUIRE(s1 == NULL);
    REQUIRE_OK(node_transport_unsubscribe(b, &s2));
    REQUIRE_OK(node_transport_unsubscribe(b, &s2)); /* NULL: no-op */
    REQUIRE_OK(
        node_transport_publish(a, "cf.pub.x", NULL, NULL, 0, CONF_STR("late")));
    REQUIRE_OK(node_transport_flush(a, 2000));
    conf_sleep_ms(100);
    REQUIRE(conf_inbox_count(&in) == 2);
    conf_inbox_clear(&in);
    return conf_stats_zero(b);
}

/* Deferred subscriptions ride on the flush of a later subscription: once
 * it returns, all of them receive (as a session's three do). */
static bool conf_deferred(node_transport *a, node_transport *b)
{
    struct conf_inbox in;
    conf_inbox_init(&in);
    node_sub *s[3] = {NULL, NULL, NULL};
    REQUIRE_OK(node_transport_subscribe_deferred(b, &s[0], "cf.def.me",
                                                 conf_inbox_cb, &in));
    REQUIRE_OK(node_transport_subscribe_deferred(b, &s[1], "cf.def.all",
                                                 conf_inbox_cb, &in));
    REQUIRE_OK(
        node_transport_subscribe(b, &s[2], "cf.def.last", conf_inbox_cb, &in));
    node_transport_stats st;
    node_transport_stats_get(b, &st);
    REQUIRE(st.live_subs == 3);
    REQUIRE_OK(
        node_transport_publish(a, "cf.def.me", NULL, NULL, 0, CONF_STR("1")));
    REQUIRE_OK(
        node_transport_publish(a, "cf.def.all", NULL, NULL, 0, CONF_STR("2")));
    REQUIRE_OK(
        node_transport_publish(a, "cf.def.last", NULL, NULL, 0, CONF_STR("3")));
    REQUIRE(conf_inbox_wait(&in, 3, 3000));
    REQUIRE(conf_inbox_find(&in, "cf.def.me") != NULL);
    REQUIRE(conf_inbox_find(&in, "cf.def.all") != NULL);
    REQUIRE(conf_inbox_find(&in, "cf.def.last") != NULL);
    /* Bad arguments are refused as by node_transport_subscribe. */
    node_sub *bad = NULL;
    REQUIRE(node_transport_subscribe_deferred(b, &bad, "cf..x", conf_inbox_cb,
                                              &in) == MPC_ERR_INVALID_ARG);
    REQUIRE(bad == NULL);
    for (int i = 0; i < 3; i++)
        REQUIRE_OK(node_transport_unsubscribe(b, &s[i]));
    conf_inbox_clear(&in);
    return conf_stats_zero(b);
}

/* ---- Request / reply ---- */

struct conf_echo {
    node_transport *t;
    atomic_int calls;
};

static void conf_echo_cb(const node_msg *m, void *ud)
{
    struct conf_echo *e = ud;
    atomic_fetch_add(&e->calls, 1);
    if (m->reply == NULL)
        return;
    char buf[600];
    const char *id = node_msg_header(m, "X-Id");
    int n = snprintf(buf, sizeof buf, "re:%.*s:%s", (int)m->len,
                     (const char *)m->data, id != NULL ? id : "-");
    CONF_IGNORE(node_transport_publish(e->t, m->reply, NULL, NULL, 0,
                                       (const uint8_t *)buf, (size_t)n));
}

static void conf_silent_cb(const node_msg *m, void *ud)
{
    (void)m;
    atomic_fetch_add(&((struct conf_echo *)ud)->calls, 1);
}

static bool conf_request(node_transport *a, node_transport *b)
{
    struct conf_echo echo = {.t = b}, silent = {.t = b};
    node_sub *se = NULL, *ss = NULL;
    REQUIRE_OK(
        node_transport_subscribe(b, &se, "cf.svc.echo", conf_echo_cb, &echo));
    REQUIRE_OK(node_transport_subscribe(b, &ss, "cf.svc.silent", conf_silent_cb,
                                        &silent));
    uint8_t out[64];
    size_t n = 99;
    node_header h = {"X-Id", "7"};
    REQUIRE_OK(node_transport_request(a, "cf.svc.echo", &h, 1, CONF_STR("ping"),
                                      2000, out, sizeof out, &n));
    REQUIRE(n == 9 && memcmp(out, "re:ping:7", 9) == 0);

    /* Several in a row: each gets its own reply. */
    for (int i = 0; i < 5; i++) {
        char q[16];
        snprintf(q, sizeof q, "q%d", i);
        REQUIRE_OK(node_transport_request(
            a, "cf.svc.echo", NULL, 0, CONF_STR(q), 2000, out, sizeof out, &n));
        char want[32];
        int wl = snprintf(want, sizeof want, "re:%s:-", q);
        REQUIRE(n == (size_t)wl && memcmp(out, want, n) == 0);
    }

    /* Nobody listening: reported at once, not after the timeout. */
    int64_t t0 = conf_now_ms();
    REQUIRE(node_transport_request(a, "cf.svc.none", NULL, 0, CONF_STR("x"),
                                   5000, out, sizeof out,
                                   &n) == MPC_ERR_UNAVAILABLE);
    REQUIRE(conf_now_ms() - t0 < 2000);
    REQUIRE(n == 0 && conf_all_zero(out, sizeof out));

    /* Listening but not answering: the timeout. */
    t0 = conf_now_ms();
    REQUIRE(node_transport_request(a, "cf.svc.silent", NULL, 0, CONF_STR("x"),
                                   200, out, sizeof out,
                                   &n) == MPC_ERR_TIMEOUT);
    REQUIRE(conf_now_ms() - t0 >= 150);
    REQUIRE(n == 0);
    REQUIRE(atomic_load(&silent.calls) == 1);

    /* A reply longer than the buffer is refused, outputs zeroed. */
    REQUIRE(node_transport_request(a, "cf.svc.echo", NULL, 0, CONF_STR("pp"),
                                   2000, out, 4, &n) == MPC_ERR_PARSE);
    REQUIRE(n == 0 && conf_all_zero(out, 4));

    REQUIRE_OK(node_transport_unsubscribe(b, &se));
    REQUIRE_OK(node_transport_unsubscribe(b, &ss));
    /* The echo subscription is gone: no responders again. */
    REQUIRE(node_transport_request(a, "cf.svc.echo", NULL, 0, CONF_STR("x"),
                                   2000, out, sizeof out,
                                   &n) == MPC_ERR_UNAVAILABLE);
    return conf_stats_zero(b);
}

/* ---- Unsubscribe semantics ---- */

struct conf_unsub {
    node_transport *t;
    node_sub *sub;
    atomic_int self_result;
    atomic_int started;
    atomic_int finished;
    int sleep_ms;
};

static void conf_self_unsub_cb(const node_msg *m, void *ud)
{
    (void)m;
    struct conf_unsub *u = ud;
    node_sub *copy = u->sub;
    mpc_err e = node_transport_unsubscribe(u->t, &copy);
    /* Refused, and the handle is left as it was. */
    atomic_store(&u->self_result, copy == u->sub ? (int)e : 1);
    atomic_store(&u->finished, 1);
}

static void conf_slow_cb(const node_msg *m, void *ud)
{
    (void)m;
    struct conf_unsub *u = ud;
    atomic_store(&u->started, 1);
    conf_sleep_ms(u->sleep_ms);
    atomic_store(&u->finished, 1);
}

static bool conf_unsub(node_transport *a, node_transport *b)
{
    struct conf_unsub u = {.t = b};
    atomic_store(&u.self_result, 0);
    REQUIRE_OK(node_transport_subscribe(b, &u.sub, "cf.unsub.self",
                                        conf_self_unsub_cb, &u));
    REQUIRE_OK(
        node_transport_publish(a, "cf.unsub.self", NULL, NULL, 0, NULL, 0));
    int64_t end = conf_now_ms() + 3000;
    while (!atomic_load(&u.finished) && conf_now_ms() < end)
        conf_sleep_ms(5);
    REQUIRE(atomic_load(&u.finished));
    REQUIRE(atomic_load(&u.self_result) == (int)MPC_ERR_STATE);
    REQUIRE_OK(node_transport_unsubscribe(b, &u.sub));

    /* Unsubscribe waits for a callback that is running. */
    struct conf_unsub s = {.t = b, .sleep_ms = 300};
    REQUIRE_OK(
        node_transport_subscribe(b, &s.sub, "cf.unsub.slow", conf_slow_cb, &s));
    REQUIRE_OK(
        node_transport_publish(a, "cf.unsub.slow", NULL, NULL, 0, NULL, 0));
    end = conf_now_ms() + 3000;
    while (!atomic_load(&s.started) && conf_now_ms() < end)
        conf_sleep_ms(1);
    REQUIRE(atomic_load(&s.started));
    REQUIRE_OK(node_transport_unsubscribe(b, &s.sub));
    REQUIRE(atomic_load(&s.finished));
    return conf_stats_zero(b);
}

/* ---- JetStream publish and de-duplication ---- */

static bool conf_js_dedup(node_transport *a)
{
    const char *subj[] = {"cfjs.>"};
    node_js_stream_config sc = {.name = "CFJS",
                                .subjects = subj,
                                .nsubjects = 1,
                                .retention = NODE_JS_LIMITS,
                                .storage = NODE_JS_MEMORY};
    CONF_IGNORE(node_transport_stream_delete(a, "CFJS"));
    REQUIRE_OK(node_transport_stream_add(a, &sc));
    node_js_ack_info ack;
    node_header h = {"ClientID", "c1"};
    REQUIRE_OK(node_transport_js_publish(a, "cfjs.a", &h, 1, CONF_STR("x"),
                                         "id-1", 2000, &ack));
    REQUIRE(ack.seq == 1 && !ack.duplicate);
    REQUIRE_OK(node_transport_js_publish(a, "cfjs.a", &h, 1, CONF_STR("y"),
                                         "id-1", 2000, &ack));
    REQUIRE(ack.seq == 1 && ack.duplicate);
    REQUIRE_OK(node_transport_js_publish(a, "cfjs.b", NULL, 0, CONF_STR("z"),
                                         "id-2", 2000, &ack));
    REQUIRE(ack.seq == 2 && !ack.duplicate);
    REQUIRE_OK(node_transport_js_publish(a, "cfjs.b", NULL, 0, NULL, 0, NULL,
                                         2000, NULL));
    REQUIRE(node_transport_js_publish(a, "cfnostream.a", NULL, 0, CONF_STR("x"),
                                      "id-3", 2000,
                                      &ack) == MPC_ERR_UNAVAILABLE);
    REQUIRE(ack.seq == 0 && !ack.duplicate);
    /* A core publish on a captured subject is stored too. */
    REQUIRE_OK(
        node_transport_publish(a, "cfjs.core", NULL, NULL, 0, CONF_STR("c")));
    REQUIRE_OK(node_transport_flush(a, 2000));

    node_js_stream_info si;
    int64_t end = conf_now_ms() + 2000;
    do {
        REQUIRE_OK(node_transport_stream_info(a, "CFJS", &si));
    } while (si.msgs < 4 && conf_now_ms() < end);
    REQUIRE(si.msgs == 4 && si.first_seq == 1 && si.last_seq == 4);

    node_jsmsg *m = NULL;
    REQUIRE_OK(node_transport_stream_get(a, &m, "CFJS", 1));
    REQUIRE(m->stream_seq == 1 && m->delivered == 0);
    REQUIRE(strcmp(m->msg.subject, "cfjs.a") == 0);
    REQUIRE(m->msg.len == 1 && m->msg.data[0] == 'x');
    const char *cid = node_msg_header(&m->msg, "ClientID");
    REQUIRE(cid != NULL && strcmp(cid, "c1") == 0);
    REQUIRE(strcmp(node_msg_header(&m->msg, "Nats-Msg-Id"), "id-1") == 0);
    REQUIRE(m->time_ms > 0);
    REQUIRE(node_transport_ack(a, m) == MPC_ERR_STATE);
    node_transport_jsmsg_free(a, &m);
    REQUIRE(m == NULL);
    REQUIRE(node_transport_stream_get(a, &m, "CFJS", 99) == MPC_ERR_NOT_FOUND);
    REQUIRE(m == NULL);
    REQUIRE(node_transport_stream_get(a, &m, "CFNOPE", 1) == MPC_ERR_NOT_FOUND);
    REQUIRE_OK(node_transport_stream_delete(a, "CFJS"));
    return conf_stats_zero(a);
}

/* ---- Pull consumers ---- */

static bool conf_fetch1(node_transport *t, node_pull *p, node_jsmsg **m,
                        int64_t timeout_ms)
{
    size_t n = 0;
    REQUIRE_OK(node_transport_pull_fetch(t, p, m, 1, &n, timeout_ms));
    REQUIRE(n == 1 && *m != NULL);
    return true;
}

static bool conf_pull(node_transport *a, node_transport *b)
{
    const char *subj[] = {"cfw.*"};
    node_js_stream_config sc = {.name = "CFW",
                                .subjects = subj,
                                .nsubjects = 1,
                                .retention = NODE_JS_WORKQUEUE,
                                .storage = NODE_JS_MEMORY};
    node_js_consumer_config cc = {.stream = "CFW",
                                  .durable = "cfw_c",
                                  .filter_subject = "cfw.*",
                                  .ack = NODE_JS_ACK_EXPLICIT,
                                  .ack_wait_ms = 500,
                                  .max_deliver = 3,
                                  .max_ack_pending = 10};
    CONF_IGNORE(node_transport_stream_delete(a, "CFW"));
    REQUIRE_OK(node_transport_stream_add(a, &sc));
    REQUIRE_OK(node_transport_consumer_add(a, &cc));

    struct conf_inbox adv;
    conf_inbox_init(&adv);
    node_sub *sadv = NULL;
    REQUIRE_OK(node_transport_subscribe(
        b, &sadv, NODE_JS_ADVISORY_MAX_DELIVERIES, conf_inbox_cb, &adv));
    node_pull *p = NULL;
    REQUIRE(node_transport_pull_bind(a, &p, "CFW", "nobody") ==
            MPC_ERR_NOT_FOUND);
    REQUIRE(p == NULL);
    REQUIRE_OK(node_transport_pull_bind(a, &p, "CFW", "cfw_c"));

    /* Nothing there: an empty fetch after the timeout. */
    node_jsmsg *ms[4] = {0};
    size_t n = 9;
    int64_t t0 = conf_now_ms();
    REQUIRE_OK(node_transport_pull_fetch(a, p, ms, 1, &n, 150));
    REQUIRE(n == 0 && conf_now_ms() - t0 >= 100);

    node_header h = {"ClientID", "c9"};
    REQUIRE_OK(node_transport_js_publish(a, "cfw.one", &h, 1, CONF_STR("1"),
                                         NULL, 2000, NULL));
    node_jsmsg *m = NULL;
    REQUIRE(conf_fetch1(a, p, &m, 2000));
    REQUIRE(m->delivered == 1 && m->stream_seq == 1);
    REQUIRE(strcmp(m->msg.subject, "cfw.one") == 0);
    REQUIRE(m->msg.len == 1 && m->msg.data[0] == '1');
    REQUIRE(strcmp(node_msg_header(&m->msg, "ClientID"), "c9") == 0);
    REQUIRE_OK(node_transport_nak(a, m, 0));
    REQUIRE(node_transport_nak(a, m, 0) == MPC_ERR_STATE);
    REQUIRE(node_transport_ack(a, m) == MPC_ERR_STATE);
    node_transport_jsmsg_free(a, &m);

    /* Redelivered at once after a nak; in-progress may repeat. */
    REQUIRE(conf_fetch1(a, p, &m, 2000));
    REQUIRE(m->delivered == 2 && m->stream_seq == 1);
    REQUIRE_OK(node_transport_in_progress(a, m));
    REQUIRE_OK(node_transport_in_progress(a, m));
    REQUIRE(node_transport_nak(a, m, -1) == MPC_ERR_INVALID_ARG);
    REQUIRE_OK(node_transport_nak(a, m, 800));
    node_transport_jsmsg_free(a, &m);
    REQUIRE_OK(node_transport_pull_fetch(a, p, ms, 1, &n, 100));
    REQUIRE(n == 0); /* the delay has not passed */
    REQUIRE(conf_fetch1(a, p, &m, 3000));
    REQUIRE(m->delivered == 3);
    /* Third delivery = MaxDeliver: drop it without an ack. */
    node_transport_jsmsg_free(a, &m);

    /* After AckWait the server gives up and says so. */
    int64_t end = conf_now_ms() + 5000;
    while (conf_inbox_count(&adv) == 0 && conf_now_ms() < end) {
        REQUIRE_OK(node_transport_pull_fetch(a, p, ms, 1, &n, 100));
        REQUIRE(n == 0); /* never a fourth delivery */
    }
    REQUIRE(conf_inbox_wait(&adv, 1, 100));
    const struct conf_rx *r = &adv.rx[0];
    REQUIRE(strcmp(r->subject, "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES."
                               "CFW.cfw_c") == 0);
    r = &adv.rx[0];
    char body[600];
    memcpy(body, r->data, r->len);
    body[r->len] = 0;
    REQUIRE(strstr(body, "\"stream\":\"CFW\"") != NULL);
    REQUIRE(strstr(body, "\"consumer\":\"cfw_c\"") != NULL);
    REQUIRE(strstr(body, "\"stream_seq\":1") != NULL);
    REQUIRE(strstr(body, "\"deliveries\":3") != NULL);
    /* The request is still in the stream: the timeout path reads it. */
    REQUIRE_OK(node_transport_stream_get(a, &m, "CFW", 1));
    REQUIRE(m->msg.len == 1 && m->msg.data[0] == '1');
    node_transport_jsmsg_free(a, &m);

    /* Ack: gone from the work queue, further acks refused. */
    REQUIRE_OK(node_transport_js_publish(a, "cfw.two", NULL, 0, CONF_STR("2"),
                                         NULL, 2000, NULL));
    REQUIRE(conf_fetch1(a, p, &m, 2000));
    REQUIRE(m->stream_seq == 2 && m->delivered == 1);
    REQUIRE_OK(node_transport_ack(a, m));
    REQUIRE(node_transport_ack(a, m) == MPC_ERR_STATE);
    REQUIRE(node_transport_term(a, m) == MPC_ERR_STATE);
    REQUIRE(node_transport_in_progress(a, m) == MPC_ERR_STATE);
    node_transport_jsmsg_free(a, &m);
    REQUIRE(node_transport_stream_get(a, &m, "CFW", 2) == MPC_ERR_NOT_FOUND);

    /* Term: never redelivered. */
    REQUIRE_OK(node_transport_js_publish(a, "cfw.three", NULL, 0, CONF_STR("3"),
                                         NULL, 2000, NULL));
    REQUIRE(conf_fetch1(a, p, &m, 2000));
    REQUIRE(m->stream_seq == 3);
    REQUIRE_OK(node_transport_term(a, m));
    node_transport_jsmsg_free(a, &m);

    /* A batch: three available, three returned. */
    for (int i = 0; i < 3; i++)
        REQUIRE_OK(node_transport_js_publish(a, "cfw.batch", NULL, 0,
                                             CONF_STR("b"), NULL, 2000, NULL));
    REQUIRE_OK(node_transport_pull_fetch(a, p, ms, 3, &n, 2000));
    REQUIRE(n == 3);
    for (size_t i = 0; i < n; i++) {
        REQUIRE(ms[i]->stream_seq == 4 + i && ms[i]->delivered == 1);
        REQUIRE_OK(node_transport_ack(a, ms[i]));
        node_transport_jsmsg_free(a, &ms[i]);
    }
    /* Nothing was redelivered meanwhile (the terminated one included). */
    REQUIRE_OK(node_transport_pull_fetch(a, p, ms, 1, &n, 700));
    REQUIRE(n == 0);

    /* Unbinding leaves the durable in place. */
    node_transport_pull_unbind(a, &p);
    REQUIRE(p == NULL);
    node_js_consumer_info ci;
    REQUIRE_OK(node_transport_consumer_info(a, "CFW", "cfw_c", &ci));
    REQUIRE(ci.num_pending == 0);
    REQUIRE_OK(node_transport_unsubscribe(b, &sadv));
    conf_inbox_clear(&adv);
    REQUIRE_OK(node_transport_stream_delete(a, "CFW"));
    return conf_stats_zero(a) && conf_stats_zero(b);
}

/* Two bindings of one durable: each message goes to exactly one. */
static bool conf_pull_shared(node_transport *a, node_transport *b)
{
    const char *subj[] = {"cfs.*"};
    node_js_stream_config sc = {.name = "CFS",
                                .subjects = subj,
                                .nsubjects = 1,
                                .retention = NODE_JS_WORKQUEUE,
                                .storage = NODE_JS_MEMORY};
    node_js_consumer_config cc = {.stream = "CFS",
                                  .durable = "cfs_c",
                                  .ack = NODE_JS_ACK_EXPLICIT,
                                  .ack_wait_ms = 30000,
                                  .max_deliver = 4,
                                  .max_ack_pending = 100};
    CONF_IGNORE(node_transport_stream_delete(a, "CFS"));
    REQUIRE_OK(node_transport_stream_add(a, &sc));
    REQUIRE_OK(node_transport_consumer_add(a, &cc));
    node_pull *pa = NULL, *pb = NULL;
    REQUIRE_OK(node_transport_pull_bind(a, &pa, "CFS", "cfs_c"));
    REQUIRE_OK(node_transport_pull_bind(b, &pb, "CFS", "cfs_c"));
    enum { N = 6 };
    for (int i = 0; i < N; i++)
        REQUIRE_OK(node_transport_js_publish(a, "cfs.x", NULL, 0, CONF_STR("m"),
                                             NULL, 2000, NULL));
    bool seen[N + 1] = {false};
    int got = 0;
    int64_t end = conf_now_ms() + 5000;
    while (got < N && conf_now_ms() < end) {
        node_transport *t = got % 2 ? b : a;
        node_pull *p = got % 2 ? pb : pa;
        node_jsmsg *m = NULL;
        size_t n = 0;
        REQUIRE_OK(node_transport_pull_fetch(t, p, &m, 1, &n, 200));
        if (n == 0)
            continue;
        REQUIRE(m->stream_seq >= 1 && m->stream_seq <= N);
        REQUIRE(!seen[m->stream_seq] && m->delivered == 1);
        seen[m->stream_seq] = true;
        got++;
        REQUIRE_OK(node_transport_ack(t, m));
        node_transport_jsmsg_free(t, &m);
    }
    REQUIRE(got == N);
    node_transport_pull_unbind(a, &pa);
    node_transport_pull_unbind(b, &pb);
    REQUIRE_OK(node_transport_stream_delete(a, "CFS"));
    return conf_stats_zero(a) && conf_stats_zero(b);
}

/* ---- Stream and consumer management ---- */

static bool conf_manage(node_transport *a)
{
    node_js_stream_info si;
    memset(&si, 0xAA, sizeof si);
    REQUIRE(node_transport_stream_info(a, "CFNOPE", &si) == MPC_ERR_NOT_FOUND);
    REQUIRE(conf_all_zero(&si, sizeof si));

    const char *subj[] = {"cfm.*"};
    node_js_stream_config sc = {.name = "CFM",
                                .description = "Stream for CFM",
                                .subjects = subj,
                                .nsubjects = 1,
                                .retention = NODE_JS_LIMITS,
                                .storage = NODE_JS_FILE,
                                .max_age_ms = 7 * 24 * 3600 * INT64_C(1000),
                                .max_bytes = 100000000};
    CONF_IGNORE(node_transport_stream_delete(a, "CFM"));
    CONF_IGNORE(node_transport_stream_delete(a, "CFQ"));
    REQUIRE_OK(node_transport_stream_add(a, &sc));
    REQUIRE_OK(node_transport_stream_info(a, "CFM", &si));
    REQUIRE(strcmp(si.name, "CFM") == 0);
    REQUIRE(strcmp(si.description, "Stream for CFM") == 0);
    REQUIRE(si.nsubjects == 1 && strcmp(si.subjects[0], "cfm.*") == 0);
    REQUIRE(si.retention == NODE_JS_LIMITS && si.storage == NODE_JS_FILE);
    REQUIRE(si.discard == NODE_JS_DISCARD_OLD);
    REQUIRE(si.max_age_ms == 604800000 && si.max_bytes == 100000000);
    REQUIRE(si.max_msgs == -1);
    REQUIRE(si.duplicates_ms == 120000); /* the server default */
    REQUIRE(si.msgs == 0 && si.consumers == 0);

    REQUIRE_OK(node_transport_stream_add(a, &sc)); /* same: fine */
    sc.max_bytes = 5000;
    REQUIRE(node_transport_stream_add(a, &sc) == MPC_ERR_CONFLICT);
    REQUIRE_OK(node_transport_stream_update(a, &sc));
    REQUIRE_OK(node_transport_stream_info(a, "CFM", &si));
    REQUIRE(si.max_bytes == 5000);
    sc.retention = NODE_JS_WORKQUEUE;
    REQUIRE(node_transport_stream_update(a, &sc) == MPC_ERR_CONFLICT);
    sc.retention = NODE_JS_LIMITS;
    sc.storage = NODE_JS_MEMORY;
    REQUIRE(node_transport_stream_update(a, &sc) == MPC_ERR_CONFLICT);
    sc.storage = NODE_JS_FILE;
    sc.name = "CFNOPE";
    REQUIRE(node_transport_stream_update(a, &sc) == MPC_ERR_NOT_FOUND);
    /* The default duplicate window is capped by a shorter max age, and a
     * longer explicit one is refused. */
    const char *shs[] = {"cfsh.*"};
    node_js_stream_config sh = {.name = "CFSH",
                                .subjects = shs,
                                .nsubjects = 1,
                                .storage = NODE_JS_MEMORY,
                                .max_age_ms = 1000};
    CONF_IGNORE(node_transport_stream_delete(a, "CFSH"));
    REQUIRE_OK(node_transport_stream_add(a, &sh));
    REQUIRE_OK(node_transport_stream_info(a, "CFSH", &si));
    REQUIRE(si.duplicates_ms == 1000 && si.max_age_ms == 1000);
    sh.duplicates_ms = 5000;
    REQUIRE(node_transport_stream_update(a, &sh) == MPC_ERR_INVALID_ARG);
    REQUIRE_OK(node_transport_stream_delete(a, "CFSH"));

    const char *overlap[] = {"cfm.x"};
    node_js_stream_config sc2 = {.name = "CFM2",
                                 .subjects = overlap,
                                 .nsubjects = 1,
                                 .storage = NODE_JS_MEMORY};
    REQUIRE(node_transport_stream_add(a, &sc2) == MPC_ERR_CONFLICT);

    int64_t backoff[3] = {30000, 30000, 30000};
    node_js_consumer_config cc = {.stream = "CFM",
                                  .durable = "cfm_c",
                                  .description = "shared",
                                  .filter_subject = "cfm.*",
                                  .ack = NODE_JS_ACK_EXPLICIT,
                                  .ack_wait_ms = 30000,
                                  .max_deliver = 4,
                                  .backoff_ms = backoff,
                                  .nbackoff = 3,
                                  .max_ack_pending = 2};
    REQUIRE_OK(node_transport_consumer_add(a, &cc));
    node_js_consumer_info ci;
    REQUIRE_OK(node_transport_consumer_info(a, "CFM", "cfm_c", &ci));
    REQUIRE(strcmp(ci.stream, "CFM") == 0 && strcmp(ci.durable, "cfm_c") == 0);
    REQUIRE(strcmp(ci.description, "shared") == 0);
    REQUIRE(strcmp(ci.filter_subject, "cfm.*") == 0);
    REQUIRE(ci.deliver == NODE_JS_DELIVER_ALL &&
            ci.ack == NODE_JS_ACK_EXPLICIT);
    REQUIRE(ci.ack_wait_ms == 30000 && ci.max_deliver == 4);
    REQUIRE(ci.nbackoff == 3 && ci.backoff_ms[0] == 30000 &&
            ci.backoff_ms[2] == 30000);
    REQUIRE(ci.max_ack_pending == 2);
    REQUIRE(ci.num_pending == 0 && ci.num_ack_pending == 0);
    REQUIRE_OK(node_transport_stream_info(a, "CFM", &si));
    REQUIRE(si.consumers == 1);

    cc.max_ack_pending = 5;
    REQUIRE_OK(node_transport_consumer_update(a, &cc));
    REQUIRE_OK(node_transport_consumer_info(a, "CFM", "cfm_c", &ci));
    REQUIRE(ci.max_ack_pending == 5);
    cc.deliver = NODE_JS_DELIVER_NEW;
    REQUIRE(node_transport_consumer_update(a, &cc) == MPC_ERR_CONFLICT);
    cc.deliver = NODE_JS_DELIVER_ALL;
    cc.max_deliver = 3; /* must exceed the BackOff steps */
    REQUIRE(node_transport_consumer_update(a, &cc) == MPC_ERR_INVALID_ARG);
    cc.max_deliver = 4;
    cc.durable = "cfm_missing";
    REQUIRE(node_transport_consumer_update(a, &cc) == MPC_ERR_NOT_FOUND);
    memset(&ci, 0xAA, sizeof ci);
    REQUIRE(node_transport_consumer_info(a, "CFM", "cfm_missing", &ci) ==
            MPC_ERR_NOT_FOUND);
    REQUIRE(conf_all_zero(&ci, sizeof ci));
    REQUIRE(node_transport_consumer_info(a, "CFNOPE", "cfm_c", &ci) ==
            MPC_ERR_NOT_FOUND);
    cc.stream = "CFNOPE";
    cc.durable = "x";
    REQUIRE(node_transport_consumer_add(a, &cc) == MPC_ERR_NOT_FOUND);

    /* Work queues: one consumer per subject, deliver-all only. */
    const char *qsubj[] = {"cfq.*"};
    node_js_stream_config qc = {.name = "CFQ",
                                .subjects = qsubj,
                                .nsubjects = 1,
                                .retention = NODE_JS_WORKQUEUE,
                                .storage = NODE_JS_MEMORY};
    REQUIRE_OK(node_transport_stream_add(a, &qc));
    node_js_consumer_config q1 = {.stream = "CFQ",
                                  .durable = "q1",
                                  .filter_subject = "cfq.*",
                                  .ack_wait_ms = 1000,
                                  .max_deliver = 2,
                                  .max_ack_pending = 1};
    REQUIRE_OK(node_transport_consumer_add(a, &q1));
    q1.durable = "q2";
    REQUIRE(node_transport_consumer_add(a, &q1) == MPC_ERR_CONFLICT);
    q1.filter_subject = "cfq.other";
    q1.deliver = NODE_JS_DELIVER_NEW;
    REQUIRE(node_transport_consumer_add(a, &q1) == MPC_ERR_CONFLICT);

    REQUIRE_OK(node_transport_consumer_delete(a, "CFM", "cfm_c"));
    REQUIRE(node_transport_consumer_delete(a, "CFM", "cfm_c") ==
            MPC_ERR_NOT_FOUND);
    REQUIRE_OK(node_transport_stream_delete(a, "CFM"));
    REQUIRE(node_transport_stream_delete(a, "CFM") == MPC_ERR_NOT_FOUND);
    REQUIRE_OK(node_transport_stream_delete(a, "CFQ"));
    return conf_stats_zero(a);
}

/* ---- KV ---- */

static bool conf_kv_next(node_transport *t, node_kv_watch *w, node_kv_op op,
                         const char *key, const char *val)
{
    static node_kv_entry e; /* 8 KiB: not on the callback-sized stack */
    REQUIRE_OK(node_transport_kv_watch_next(t, w, &e, 3000));
    if (e.op != op)
        printf("  kv event: op %d key %s len %zu\n", (int)e.op, e.key, e.len);
    REQUIRE(e.op == op);
    if (key != NULL)
        REQUIRE(strcmp(e.key, key) == 0);
    if (val != NULL)
        REQUIRE(e.len == strlen(val) && memcmp(e.value, val, e.len) == 0);
    if (op != NODE_KV_INIT_DONE)
        REQUIRE(e.revision > 0);
    return true;
}

static bool conf_kv(node_transport *a, node_transport *b)
{
    static node_kv_entry e;
    node_kv_config kc = {
        .bucket = "cfkv", .history = 1, .storage = NODE_JS_MEMORY};
    CONF_IGNORE(node_transport_kv_bucket_delete(a, "cfkv"));
    REQUIRE_OK(node_transport_kv_bucket_ensure(a, &kc));
    REQUIRE_OK(node_transport_kv_bucket_ensure(b, &kc));
    kc.ttl_ms = 5000;
    REQUIRE(node_transport_kv_bucket_ensure(a, &kc) == MPC_ERR_CONFLICT);
    kc.ttl_ms = 0;
    kc.history = 3;
    REQUIRE(node_transport_kv_bucket_ensure(a, &kc) == MPC_ERR_CONFLICT);

    memset(&e, 0xAA, sizeof e);
    REQUIRE(node_transport_kv_get(a, "cfkv", "node.a", &e) ==
            MPC_ERR_NOT_FOUND);
    REQUIRE(conf_all_zero(&e, sizeof e));
    REQUIRE(node_transport_kv_get(a, "cfnobucket", "k", &e) ==
            MPC_ERR_NOT_FOUND);
    uint64_t r1 = 0, r2 = 0, r = 0;
    REQUIRE(node_transport_kv_put(a, "cfnobucket", "k", CONF_STR("v"), &r) ==
            MPC_ERR_NOT_FOUND);

    node_kv_watch *w = NULL;
    REQUIRE_OK(node_transport_kv_watch(b, &w, "cfkv", "node.*"));
    REQUIRE(conf_kv_next(b, w, NODE_KV_INIT_DONE, NULL, NULL));
    REQUIRE(node_transport_kv_watch_next(b, w, &e, 0) == MPC_ERR_TIMEOUT);

    REQUIRE_OK(node_transport_kv_put(a, "cfkv", "node.a", CONF_STR("v1"), &r1));
    REQUIRE(r1 > 0);
    REQUIRE_OK(node_transport_kv_get(b, "cfkv", "node.a", &e));
    REQUIRE(e.op == NODE_KV_PUT && e.revision == r1 && e.len == 2 &&
            memcmp(e.value, "v1", 2) == 0 && strcmp(e.key, "node.a") == 0);
    REQUIRE(e.created_ms > 0);
    REQUIRE(node_transport_kv_create(a, "cfkv", "node.a", CONF_STR("x"), &r) ==
            MPC_ERR_CONFLICT);
    REQUIRE(r == 0);
    REQUIRE_OK(
        node_transport_kv_create(a, "cfkv", "node.b", CONF_STR("b"), &r));
    REQUIRE_OK(
        node_transport_kv_update(a, "cfkv", "node.a", CONF_STR("v2"), r1, &r2));
    REQUIRE(r2 > r1);
    REQUIRE(node_transport_kv_update(a, "cfkv", "node.a", CONF_STR("v3"), r1,
                                     &r) == MPC_ERR_CONFLICT);
    REQUIRE_OK(node_transport_kv_delete(a, "cfkv", "node.a"));
    REQUIRE(node_transport_kv_get(a, "cfkv", "node.a", &e) ==
            MPC_ERR_NOT_FOUND);
    REQUIRE_OK(node_transport_kv_delete(a, "cfkv", "node.never"));
    REQUIRE_OK(
        node_transport_kv_create(a, "cfkv", "node.a", CONF_STR("v4"), &r));
    REQUIRE_OK(
        node_transport_kv_put(a, "cfkv", "other.x", CONF_STR("o"), NULL));

    REQUIRE(conf_kv_next(b, w, NODE_KV_PUT, "node.a", "v1"));
    REQUIRE(conf_kv_next(b, w, NODE_KV_PUT, "node.b", "b"));
    REQUIRE(conf_kv_next(b, w, NODE_KV_PUT, "node.a", "v2"));
    REQUIRE(conf_kv_next(b, w, NODE_KV_DELETE, "node.a", NULL));
    /* NATS writes a delete marker even for a key that never existed. */
    REQUIRE(conf_kv_next(b, w, NODE_KV_DELETE, "node.never", NULL));
    REQUIRE(conf_kv_next(b, w, NODE_KV_PUT, "node.a", "v4"));
    REQUIRE(node_transport_kv_watch_next(b, w, &e, 200) == MPC_ERR_TIMEOUT);

    /* A new watcher starts with the latest live values. */
    node_kv_watch *w2 = NULL;
    REQUIRE_OK(node_transport_kv_watch(a, &w2, "cfkv", NULL));
    int seen = 0;
    for (;;) {
        REQUIRE_OK(node_transport_kv_watch_next(a, w2, &e, 3000));
        if (e.op == NODE_KV_INIT_DONE)
            break;
        REQUIRE(e.op == NODE_KV_PUT);
        if (strcmp(e.key, "node.a") == 0)
            REQUIRE(e.len == 2 && memcmp(e.value, "v4", 2) == 0);
        seen++;
    }
    REQUIRE(seen == 3); /* node.a, node.b, other.x */

    /* Limits and key syntax. */
    static uint8_t big[NODE_KV_VALUE_MAX_BYTES + 1];
    memset(big, 'v', sizeof big);
    REQUIRE(node_transport_kv_put(a, "cfkv", "big", big, sizeof big, &r) ==
            MPC_ERR_INVALID_ARG);
    REQUIRE_OK(
        node_transport_kv_put(a, "cfkv", "big", big, sizeof big - 1, &r));
    REQUIRE_OK(node_transport_kv_get(b, "cfkv", "big", &e));
    REQUIRE(e.len == NODE_KV_VALUE_MAX_BYTES);
    REQUIRE(node_transport_kv_put(a, "cfkv", "bad key", CONF_STR("v"), &r) ==
            MPC_ERR_INVALID_ARG);
    REQUIRE(node_transport_kv_put(a, "cfkv", "a:b", CONF_STR("v"), &r) ==
            MPC_ERR_INVALID_ARG);
    REQUIRE(node_transport_kv_get(a, "cfkv", "node.*", &e) ==
            MPC_ERR_INVALID_ARG);
    REQUIRE(node_transport_kv_update(a, "cfkv", "node.a", CONF_STR("v"), 0,
                                     &r) == MPC_ERR_INVALID_ARG);

    node_transport_kv_unwatch(b, &w);
    REQUIRE(w == NULL);
    node_transport_kv_unwatch(a, &w2);
    REQUIRE_OK(node_transport_kv_bucket_delete(a, "cfkv"));
    REQUIRE(node_transport_kv_bucket_delete(a, "cfkv") == MPC_ERR_NOT_FOUND);
    REQUIRE(node_transport_kv_get(a, "cfkv", "node.b", &e) ==
            MPC_ERR_NOT_FOUND);
    /* b still holds a handle to the deleted bucket. */
    REQUIRE(node_transport_kv_put(b, "cfkv", "node.b", CONF_STR("v"), &r) ==
            MPC_ERR_NOT_FOUND);
    return conf_stats_zero(a) && conf_stats_zero(b);
}

/* ---- Argument checks ---- */

static void conf_nop_cb(const node_msg *m, void *ud)
{
    (void)m;
    (void)ud;
}

static bool conf_args(node_transport *a)
{
    const char *bad_pub[] = {"",    "a..b", "a.",   ".a",   "a b",
                             "a.*", "a.>",  "a\tb", "a.*b", "a.>.b"};
    for (size_t i = 0; i < sizeof bad_pub / sizeof *bad_pub; i++)
        REQUIRE(node_transport_publish(a, bad_pub[i], NULL, NULL, 0, NULL, 0) ==
                MPC_ERR_INVALID_ARG);
    REQUIRE(node_transport_publish(a, "a.b", "r.*", NULL, 0, NULL, 0) ==
            MPC_ERR_INVALID_ARG);
    node_sub *s = NULL;
    REQUIRE(node_transport_subscribe(a, &s, "a.>.b", conf_nop_cb, NULL) ==
            MPC_ERR_INVALID_ARG);
    REQUIRE(node_transport_subscribe(a, &s, "a.b", NULL, NULL) ==
            MPC_ERR_INVALID_ARG);
    REQUIRE(s == NULL);
    node_header bad_k = {"a:b", "v"}, bad_v = {"k", "line\r\nX: y"};
    REQUIRE(node_transport_publish(a, "a.b", NULL, &bad_k, 1, NULL, 0) ==
            MPC_ERR_INVALID_ARG);
    REQUIRE(node_transport_publish(a, "a.b", NULL, &bad_v, 1, NULL, 0) ==
            MPC_ERR_INVALID_ARG);
    node_header many[NODE_HEADERS_MAX + 1];
    for (size_t i = 0; i <= NODE_HEADERS_MAX; i++)
        many[i] = (node_header){"K", "v"};
    REQUIRE(node_transport_publish(a, "a.b", NULL, many, NODE_HEADERS_MAX + 1,
                                   NULL, 0) == MPC_ERR_INVALID_ARG);
    uint8_t out[8];
    size_t n = 5;
    REQUIRE(node_transport_request(a, "a.b", NULL, 0, NULL, 0, 0, out,
                                   sizeof out, &n) == MPC_ERR_INVALID_ARG);
    REQUIRE(n == 0);
    REQUIRE(node_transport_flush(a, 0) == MPC_ERR_INVALID_ARG);
    REQUIRE(node_transport_js_publish(a, "a.b", NULL, 0, NULL, 0, "", 1000,
                                      NULL) == MPC_ERR_INVALID_ARG);
    node_js_stream_config sc = {.name = "bad.name", .nsubjects = 0};
    REQUIRE(node_transport_stream_add(a, &sc) == MPC_ERR_INVALID_ARG);
    node_kv_config kc = {.bucket = "cfkv2", .history = 0};
    REQUIRE(node_transport_kv_bucket_ensure(a, &kc) == MPC_ERR_INVALID_ARG);
    return conf_stats_zero(a);
}

#endif /* TESTS_NODE_TRANSPORT_CONFORMANCE_H */
