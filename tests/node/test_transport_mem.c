/*
 * Unit tests of node/transport_mem.c (the in-process bus) and of the pure
 * validators in node/transport.h. The behavioural suite is shared with the
 * NATS integration tests (transport_conformance.h), so the model the node's
 * unit tests rely on is held to what a real server does.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "node/transport.h"
#include "tests/harness/test.h"
#include "tests/node/transport_conformance.h"

struct mfx {
    node_mem_bus *bus;
    node_transport *a;
    node_transport *b;
};

static bool mfx_open(struct mfx *f)
{
    memset(f, 0, sizeof *f);
    REQUIRE_OK(node_mem_bus_new(&f->bus));
    REQUIRE_OK(node_transport_mem_new(&f->a, f->bus, "node-a"));
    REQUIRE_OK(node_transport_mem_new(&f->b, f->bus, "node-b"));
    return true;
}

static bool mfx_close(struct mfx *f)
{
    bool ok = true;
    if (f->a != NULL && !conf_stats_zero(f->a))
        ok = false;
    if (f->b != NULL && !conf_stats_zero(f->b))
        ok = false;
    node_transport_free(f->a);
    node_transport_free(f->b);
    node_mem_bus_free(f->bus);
    return ok;
}

#define MEM_CONFORMANCE(name, call)                                            \
    TEST(transport_mem_##name)                                                 \
    {                                                                          \
        struct mfx f;                                                          \
        bool ok = mfx_open(&f);                                                \
        if (ok)                                                                \
            ok = call;                                                         \
        ok = mfx_close(&f) && ok;                                              \
        CHECK(ok);                                                             \
    }

MEM_CONFORMANCE(pubsub, conf_pubsub(f.a, f.b))
MEM_CONFORMANCE(subscribe_deferred, conf_deferred(f.a, f.b))
MEM_CONFORMANCE(request_reply, conf_request(f.a, f.b))
MEM_CONFORMANCE(unsubscribe, conf_unsub(f.a, f.b))
MEM_CONFORMANCE(js_publish_dedup, conf_js_dedup(f.a))
MEM_CONFORMANCE(pull_consumer, conf_pull(f.a, f.b))
MEM_CONFORMANCE(pull_shared_durable, conf_pull_shared(f.a, f.b))
MEM_CONFORMANCE(stream_consumer_admin, conf_manage(f.a))
MEM_CONFORMANCE(kv, conf_kv(f.a, f.b))
MEM_CONFORMANCE(bad_args, conf_args(f.a))

/* ---- Pure validators ---- */

TEST(transport_subject_validity)
{
    const char *ok_plain[] = {"a",
                              "a.b.c",
                              "mpc.keygen_request.w1",
                              "barrier:sign:ecdsa:broadcast:w:t:n0",
                              "_INBOX_mpcium.abc",
                              "$JS.API.INFO"};
    for (size_t i = 0; i < sizeof ok_plain / sizeof *ok_plain; i++) {
        CHECK(node_subject_is_valid(ok_plain[i], false));
        CHECK(node_subject_is_valid(ok_plain[i], true));
    }
    const char *ok_wild[] = {"*", ">", "a.*", "a.>", "*.b.*", "a.*.>"};
    for (size_t i = 0; i < sizeof ok_wild / sizeof *ok_wild; i++) {
        CHECK(node_subject_is_valid(ok_wild[i], true));
        CHECK(!node_subject_is_valid(ok_wild[i], false));
    }
    const char *bad[] = {"",     ".",    "a.",    ".a",        "a..b", "a b",
                         "a\tb", "a\nb", "a.>.b", ">.a",       "a*",   "a.b*",
                         "*a",   "a.>b", "\x7f",  "a.\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(!node_subject_is_valid(bad[i], true));
    CHECK(!node_subject_is_valid(NULL, true));

    static char longs[NODE_SUBJECT_MAX_BYTES + 2];
    memset(longs, 'a', NODE_SUBJECT_MAX_BYTES);
    longs[NODE_SUBJECT_MAX_BYTES] = 0;
    CHECK(node_subject_is_valid(longs, false));
    longs[NODE_SUBJECT_MAX_BYTES] = 'a';
    longs[NODE_SUBJECT_MAX_BYTES + 1] = 0;
    CHECK(!node_subject_is_valid(longs, false));
}

TEST(transport_name_and_key_validity)
{
    CHECK(node_js_name_is_valid("mpc-keygen"));
    CHECK(node_js_name_is_valid("mpc_keygen_consumer"));
    CHECK(!node_js_name_is_valid(""));
    CHECK(!node_js_name_is_valid("a.b"));
    CHECK(!node_js_name_is_valid("a*"));
    CHECK(!node_js_name_is_valid("a b"));
    CHECK(!node_js_name_is_valid(NULL));
    char name[NODE_JS_NAME_MAX_BYTES + 2];
    memset(name, 'n', sizeof name - 1);
    name[NODE_JS_NAME_MAX_BYTES] = 0;
    CHECK(node_js_name_is_valid(name));
    name[NODE_JS_NAME_MAX_BYTES] = 'n';
    name[NODE_JS_NAME_MAX_BYTES + 1] = 0;
    CHECK(!node_js_name_is_valid(name));

    CHECK(node_kv_key_is_valid("ecdsa.wallet-1", false));
    CHECK(node_kv_key_is_valid("a/b=c_d-e.f", false));
    CHECK(!node_kv_key_is_valid("a:b", false));
    CHECK(!node_kv_key_is_valid("a..b", false));
    CHECK(!node_kv_key_is_valid("a.*", false));
    CHECK(node_kv_key_is_valid("a.*", true));
    CHECK(node_kv_key_is_valid(">", true));
    CHECK(!node_kv_key_is_valid("$KV.x", false));
}

TEST(transport_header_validity)
{
    node_header ok[2] = {{"ClientID", "svc-a"}, {"X", "with\ttab and space"}};
    CHECK(node_headers_are_valid(ok, 2));
    CHECK(node_headers_are_valid(NULL, 0));
    CHECK(!node_headers_are_valid(NULL, 1));
    node_header bad[] = {{"", "v"},   {"a b", "v"},  {"a:b", "v"},
                         {"k", "\r"}, {"k", "x\ny"}, {NULL, "v"},
                         {"k", NULL}, {"k\x80", "v"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(!node_headers_are_valid(&bad[i], 1));
}

/* ---- Mem-only behaviour ---- */

struct drop_ctx {
    atomic_int calls;
    const char *victim;
};

static bool drop_to_victim(void *ud, const char *from, const char *to,
                           const char *subject)
{
    struct drop_ctx *d = ud;
    (void)from;
    (void)subject;
    atomic_fetch_add(&d->calls, 1);
    return strcmp(to, d->victim) != 0;
}

static bool filter_body(struct mfx *f)
{
    node_transport *c = NULL;
    REQUIRE_OK(node_transport_mem_new(&c, f->bus, "node-c"));
    struct conf_inbox ib, ic;
    conf_inbox_init(&ib);
    conf_inbox_init(&ic);
    node_sub *sb = NULL, *sc = NULL, *resp = NULL;
    REQUIRE_OK(
        node_transport_subscribe(f->b, &sb, "cf.f.*", conf_inbox_cb, &ib));
    REQUIRE_OK(node_transport_subscribe(c, &sc, "cf.f.*", conf_inbox_cb, &ic));
    struct drop_ctx d = {.victim = "node-c"};
    node_mem_bus_set_filter(f->bus, drop_to_victim, &d);
    REQUIRE_OK(
        node_transport_publish(f->a, "cf.f.x", NULL, NULL, 0, CONF_STR("1")));
    REQUIRE_OK(node_mem_bus_flush(f->bus, 2000));
    REQUIRE(conf_inbox_count(&ib) == 1 && conf_inbox_count(&ic) == 0);
    REQUIRE(atomic_load(&d.calls) == 2);

    /* A dropped request is a timeout, not "no responders". */
    struct conf_echo echo = {.t = c};
    REQUIRE_OK(
        node_transport_subscribe(c, &resp, "cf.f.svc", conf_echo_cb, &echo));
    uint8_t out[16];
    size_t n;
    REQUIRE(node_transport_request(f->a, "cf.f.svc", NULL, 0, NULL, 0, 100, out,
                                   sizeof out, &n) == MPC_ERR_TIMEOUT);
    node_mem_bus_set_filter(f->bus, NULL, NULL);
    REQUIRE_OK(node_transport_request(f->a, "cf.f.svc", NULL, 0, NULL, 0, 2000,
                                      out, sizeof out, &n));
    REQUIRE_OK(
        node_transport_publish(f->a, "cf.f.y", NULL, NULL, 0, CONF_STR("2")));
    REQUIRE_OK(node_mem_bus_flush(f->bus, 2000));
    REQUIRE(conf_inbox_count(&ic) == 2); /* cf.f.y and the echo request */

    REQUIRE_OK(node_transport_unsubscribe(f->b, &sb));
    REQUIRE_OK(node_transport_unsubscribe(c, &sc));
    REQUIRE_OK(node_transport_unsubscribe(c, &resp));
    conf_inbox_clear(&ib);
    conf_inbox_clear(&ic);
    REQUIRE(conf_stats_zero(c));
    node_transport_free(c);
    return true;
}

MEM_CONFORMANCE(fault_filter, filter_body(&f))

static bool down_body(struct mfx *f)
{
    struct conf_inbox in;
    conf_inbox_init(&in);
    node_sub *s = NULL;
    REQUIRE_OK(
        node_transport_subscribe(f->b, &s, "cf.d.*", conf_inbox_cb, &in));
    node_transport_mem_set_down(f->b, true);
    node_transport_stats st;
    node_transport_stats_get(f->b, &st);
    REQUIRE(!st.connected && st.disconnects == 1 && st.reconnects == 0);

    /* Calls that need the server fail at once; nothing reaches it; its
     * own publishes are held (NATS's reconnect buffer). */
    REQUIRE_OK(node_transport_publish(f->b, "cf.d.held", NULL, NULL, 0,
                                      CONF_STR("held")));
    REQUIRE(node_transport_flush(f->b, 100) == MPC_ERR_UNAVAILABLE);
    node_sub *s2 = NULL;
    REQUIRE(node_transport_subscribe(f->b, &s2, "cf.d.y", conf_inbox_cb, &in) ==
            MPC_ERR_UNAVAILABLE);
    node_js_stream_info si;
    REQUIRE(node_transport_stream_info(f->b, "X", &si) == MPC_ERR_UNAVAILABLE);
    uint8_t out[4];
    size_t n;
    REQUIRE(node_transport_request(f->a, "cf.d.x", NULL, 0, NULL, 0, 100, out,
                                   sizeof out, &n) == MPC_ERR_UNAVAILABLE);
    REQUIRE_OK(node_transport_publish(f->a, "cf.d.x", NULL, NULL, 0,
                                      CONF_STR("lost")));
    REQUIRE_OK(node_mem_bus_flush(f->bus, 2000));
    REQUIRE(conf_inbox_count(&in) == 0);

    /* Back up: the subscription is live again (NATS resubscribes). */
    node_transport_mem_set_down(f->b, false);
    node_transport_stats_get(f->b, &st);
    REQUIRE(st.connected && st.reconnects == 1);
    REQUIRE(conf_inbox_wait(&in, 1, 2000));
    REQUIRE(strcmp(in.rx[0].subject, "cf.d.held") == 0);
    REQUIRE_OK(node_transport_publish(f->a, "cf.d.x", NULL, NULL, 0,
                                      CONF_STR("back")));
    REQUIRE(conf_inbox_wait(&in, 2, 2000));
    REQUIRE(in.rx[1].len == 4 && memcmp(in.rx[1].data, "back", 4) == 0);
    REQUIRE_OK(node_transport_unsubscribe(f->b, &s));
    conf_inbox_clear(&in);
    return true;
}

MEM_CONFORMANCE(down_and_up, down_body(&f))

/* A request on a subject a stream captures is answered by "JetStream". */
static bool captured_body(struct mfx *f)
{
    const char *subj[] = {"cf.cap.*"};
    node_js_stream_config sc = {.name = "CFCAP",
                                .subjects = subj,
                                .nsubjects = 1,
                                .storage = NODE_JS_MEMORY};
    REQUIRE_OK(node_transport_stream_add(f->a, &sc));
    uint8_t out[128];
    size_t n;
    REQUIRE_OK(node_transport_request(f->a, "cf.cap.nobody", NULL, 0, NULL, 0,
                                      1000, out, sizeof out - 1, &n));
    out[n] = 0;
    REQUIRE(strstr((char *)out, "\"stream\":\"CFCAP\"") != NULL);
    REQUIRE(strstr((char *)out, "\"seq\":1") != NULL);
    REQUIRE_OK(node_transport_stream_delete(f->a, "CFCAP"));
    return true;
}

MEM_CONFORMANCE(request_on_captured_subject, captured_body(&f))

/* BackOff replaces AckWait delivery by delivery. */
static bool backoff_body(struct mfx *f)
{
    const char *subj[] = {"cf.bo.*"};
    node_js_stream_config sc = {.name = "CFBO",
                                .subjects = subj,
                                .nsubjects = 1,
                                .retention = NODE_JS_WORKQUEUE,
                                .storage = NODE_JS_MEMORY};
    int64_t bo[2] = {100, 800};
    node_js_consumer_config cc = {.stream = "CFBO",
                                  .durable = "bo",
                                  .ack_wait_ms = 30000,
                                  .max_deliver = 4,
                                  .backoff_ms = bo,
                                  .nbackoff = 2,
                                  .max_ack_pending = 5};
    REQUIRE_OK(node_transport_stream_add(f->a, &sc));
    REQUIRE_OK(node_transport_consumer_add(f->a, &cc));
    node_pull *p = NULL;
    REQUIRE_OK(node_transport_pull_bind(f->a, &p, "CFBO", "bo"));
    REQUIRE_OK(node_transport_js_publish(f->a, "cf.bo.x", NULL, 0,
                                         CONF_STR("x"), NULL, 1000, NULL));
    node_jsmsg *m = NULL;
    REQUIRE(conf_fetch1(f->a, p, &m, 1000));
    int64_t t0 = conf_now_ms();
    node_transport_jsmsg_free(f->a, &m); /* no ack: back after 100 ms */
    REQUIRE(conf_fetch1(f->a, p, &m, 2000));
    int64_t t1 = conf_now_ms();
    /* The first step, not AckWait (30 s) nor the second step. */
    REQUIRE(m->delivered == 2 && t1 - t0 >= 90 && t1 - t0 < 700);
    node_transport_jsmsg_free(f->a, &m); /* then after 800 ms */
    REQUIRE(conf_fetch1(f->a, p, &m, 3000));
    REQUIRE(m->delivered == 3 && conf_now_ms() - t1 >= 790);
    REQUIRE_OK(node_transport_ack(f->a, m));
    node_transport_jsmsg_free(f->a, &m);
    node_js_consumer_info ci;
    REQUIRE_OK(node_transport_consumer_info(f->a, "CFBO", "bo", &ci));
    REQUIRE(ci.num_ack_pending == 0 && ci.num_pending == 0);
    node_transport_pull_unbind(f->a, &p);
    /* Deleting the stream under a binding: fetch says so. */
    REQUIRE_OK(node_transport_pull_bind(f->a, &p, "CFBO", "bo"));
    REQUIRE_OK(node_transport_stream_delete(f->a, "CFBO"));
    size_t n;
    REQUIRE(node_transport_pull_fetch(f->a, p, &m, 1, &n, 100) ==
            MPC_ERR_UNAVAILABLE);
    node_transport_pull_unbind(f->a, &p);
    return true;
}

MEM_CONFORMANCE(backoff_schedule, backoff_body(&f))

static bool ttl_body(struct mfx *f)
{
    node_kv_config kc = {.bucket = "cfttl",
                         .ttl_ms = 200,
                         .history = 1,
                         .storage = NODE_JS_MEMORY};
    REQUIRE_OK(node_transport_kv_bucket_ensure(f->a, &kc));
    node_kv_watch *w = NULL;
    REQUIRE_OK(node_transport_kv_watch(f->b, &w, "cfttl", NULL));
    static node_kv_entry e;
    REQUIRE_OK(node_transport_kv_watch_next(f->b, w, &e, 1000));
    REQUIRE(e.op == NODE_KV_INIT_DONE);
    REQUIRE_OK(node_transport_kv_put(f->a, "cfttl", "k", CONF_STR("v"), NULL));
    REQUIRE_OK(node_transport_kv_watch_next(f->b, w, &e, 1000));
    REQUIRE(e.op == NODE_KV_PUT);
    REQUIRE_OK(node_transport_kv_get(f->a, "cfttl", "k", &e));
    conf_sleep_ms(300);
    REQUIRE(node_transport_kv_get(f->a, "cfttl", "k", &e) == MPC_ERR_NOT_FOUND);
    /* Expiry is silent, as in NATS 2.9. */
    REQUIRE(node_transport_kv_watch_next(f->b, w, &e, 100) == MPC_ERR_TIMEOUT);
    REQUIRE_OK(
        node_transport_kv_create(f->a, "cfttl", "k", CONF_STR("w"), NULL));
    REQUIRE_OK(node_transport_kv_bucket_delete(f->a, "cfttl"));
    REQUIRE_OK(node_transport_kv_watch_next(f->b, w, &e, 100)); /* the put */
    REQUIRE(node_transport_kv_watch_next(f->b, w, &e, 100) ==
            MPC_ERR_UNAVAILABLE);
    node_transport_kv_unwatch(f->b, &w);
    return true;
}

MEM_CONFORMANCE(kv_ttl_silent, ttl_body(&f))

TEST(transport_mem_misuse)
{
    node_mem_bus *bus = NULL;
    node_transport *t = (node_transport *)&bus;
    CHECK_ERR(node_mem_bus_new(NULL), MPC_ERR_INVALID_ARG);
    CHECK_OK(node_mem_bus_new(&bus));
    CHECK_ERR(node_transport_mem_new(NULL, bus, "x"), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_transport_mem_new(&t, NULL, "x"), MPC_ERR_INVALID_ARG);
    CHECK(t == NULL);
    CHECK_ERR(node_transport_mem_new(&t, bus, ""), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_transport_mem_new(&t, bus, NULL), MPC_ERR_INVALID_ARG);
    CHECK_OK(node_transport_mem_new(&t, bus, "x"));
    CHECK_OK(node_mem_bus_flush(bus, 100));
    node_transport_free(t);
    node_transport_free(NULL);
    node_mem_bus_free(bus);
    node_mem_bus_free(NULL);
}
