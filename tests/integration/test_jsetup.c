/*
 * Integration tests of node/jsetup.c against a real nats-server: the layout
 * read back from the server equals mpcium's (values written out here,
 * independently of jsetup.c), the policy on a server that already holds
 * other layouts, and an mpcium-shaped request/result round trip through the
 * streams and durables jsetup made.
 */
#include <pthread.h>
#include <string.h>

#include <nats/nats.h>

#include "node/jsetup.h"
#include "node/transport.h"
#include "tests/harness/test.h"
#include "tests/integration/natsserver.h"

#define DAY_MS (24 * 3600 * INT64_C(1000))
#define STR(s) (const uint8_t *)(s), strlen(s)

struct jfx {
    natsserver *srv;
    node_transport *t;
};

static bool jfx_open(struct jfx *f)
{
    memset(f, 0, sizeof *f);
    REQUIRE(natsserver_start(&f->srv));
    REQUIRE_OK(natsserver_connect(f->srv, &f->t, "jsetup", NULL, NULL));
    return true;
}

static bool jfx_close(struct jfx *f)
{
    bool ok = true;
    if (f->t != NULL) {
        node_transport_stats st;
        node_transport_stats_get(f->t, &st);
        ok = st.live_subs == 0 && st.live_pulls == 0 && st.live_jsmsgs == 0;
    }
    node_transport_free(f->t);
    natsserver_stop(f->srv);
    return ok;
}

#define JTEST(name, body)                                                      \
    TEST(itest_jsetup_##name)                                                  \
    {                                                                          \
        struct jfx f;                                                          \
        bool ok = jfx_open(&f);                                                \
        if (ok)                                                                \
            ok = body(&f);                                                     \
        ok = jfx_close(&f) && ok;                                              \
        CHECK(ok);                                                             \
    }

static size_t count(const node_jsetup_report *r, node_jsetup_action a)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->items[i].action == a;
    return n;
}

static bool stream_is(node_transport *t, const char *name,
                      node_js_retention ret, int64_t max_age_ms,
                      const char *const *subjects, size_t n)
{
    node_js_stream_info si;
    REQUIRE_OK(node_transport_stream_info(t, name, &si));
    char desc[300];
    snprintf(desc, sizeof desc, "Stream for %s", name);
    REQUIRE(strcmp(si.description, desc) == 0);
    REQUIRE(si.retention == ret && si.storage == NODE_JS_FILE);
    REQUIRE(si.discard == NODE_JS_DISCARD_OLD);
    REQUIRE(si.max_age_ms == max_age_ms && si.max_bytes == 100000000);
    REQUIRE(si.max_msgs == -1 && si.duplicates_ms == 120000);
    REQUIRE(si.nsubjects == n);
    for (size_t i = 0; i < n; i++)
        REQUIRE(strcmp(si.subjects[i], subjects[i]) == 0);
    return true;
}

static bool consumer_is(node_transport *t, const char *stream,
                        const char *durable, const char *filter,
                        int64_t max_deliver, size_t nbackoff,
                        int64_t max_ack_pending)
{
    node_js_consumer_info ci;
    REQUIRE_OK(node_transport_consumer_info(t, stream, durable, &ci));
    REQUIRE(strcmp(ci.filter_subject, filter) == 0);
    REQUIRE(ci.deliver == NODE_JS_DELIVER_ALL);
    REQUIRE(ci.ack == NODE_JS_ACK_EXPLICIT);
    REQUIRE(ci.ack_wait_ms == 30000 && ci.max_deliver == max_deliver);
    REQUIRE(ci.nbackoff == nbackoff);
    for (size_t i = 0; i < nbackoff; i++)
        REQUIRE(ci.backoff_ms[i] == 30000);
    REQUIRE(ci.max_ack_pending == max_ack_pending);
    return true;
}

/* ---- The layout, read back from the server ---- */

static bool layout_body(struct jfx *f)
{
    static node_jsetup_report rep;
    node_jsetup_config cfg;
    node_jsetup_config_default(&cfg);
    cfg.signing_max_ack_pending = 10; /* mpcium's template value */
    REQUIRE_OK(node_jsetup_apply(f->t, &cfg, &rep));
    REQUIRE(rep.n == NODE_JSETUP_S_COUNT + NODE_JSETUP_C_COUNT);
    REQUIRE(count(&rep, NODE_JSETUP_CREATED) == rep.n);

    const char *kg[] = {"mpc.keygen_request.*"};
    const char *sg[] = {"mpc.signing_request.*"};
    const char *res[] = {"mpc.mpc_keygen_result.>", "mpc.mpc_signing_result.>",
                         "mpc.mpc_reshare_result.>"};
    const char *rs[] = {"mpc.reshare_request.*"};
    const char *ps[] = {"mpc.presign_request.*"};
    const char *ext[] = {"mpc.mpc_presign_result.>"};
    REQUIRE(stream_is(f->t, "mpc-keygen", NODE_JS_LIMITS, 7 * DAY_MS, kg, 1));
    REQUIRE(stream_is(f->t, "mpc-signing", NODE_JS_LIMITS, 7 * DAY_MS, sg, 1));
    REQUIRE(stream_is(f->t, "mpc", NODE_JS_WORKQUEUE, 0, res, 3));
    REQUIRE(stream_is(f->t, "mpc-reshare", NODE_JS_LIMITS, 7 * DAY_MS, rs, 1));
    REQUIRE(stream_is(f->t, "mpc-presign", NODE_JS_LIMITS, 7 * DAY_MS, ps, 1));
    REQUIRE(stream_is(f->t, "mpc-ext-results", NODE_JS_WORKQUEUE, 0, ext, 1));

    REQUIRE(consumer_is(f->t, "mpc-keygen", "mpc_keygen_consumer",
                        "mpc.keygen_request.*", 4, 3, 2));
    REQUIRE(consumer_is(f->t, "mpc-signing", "mpc_signing_consumer",
                        "mpc.signing_request.*", 4, 3, 10));
    REQUIRE(consumer_is(f->t, "mpc-reshare", "mpc_reshare_consumer",
                        "mpc.reshare_request.*", 4, 3, 2));
    REQUIRE(consumer_is(f->t, "mpc-presign", "mpc_presign_consumer",
                        "mpc.presign_request.*", 4, 3, 4));
    REQUIRE(consumer_is(f->t, "mpc", "mpc_keygen_result",
                        "mpc.mpc_keygen_result.*", 3, 0, 1000));
    REQUIRE(consumer_is(f->t, "mpc", "mpc_signing_result",
                        "mpc.mpc_signing_result.complete", 3, 0, 1000));
    REQUIRE(consumer_is(f->t, "mpc", "mpc_reshare_result",
                        "mpc.mpc_reshare_result.*", 3, 0, 1000));

    /* Idempotent; a changed MaxAckPending is applied (last writer wins). */
    REQUIRE_OK(node_jsetup_apply(f->t, &cfg, &rep));
    REQUIRE(count(&rep, NODE_JSETUP_UNCHANGED) == rep.n);
    cfg.signing_max_ack_pending = 20;
    REQUIRE_OK(node_jsetup_apply(f->t, &cfg, &rep));
    REQUIRE(count(&rep, NODE_JSETUP_UPDATED) == 1);
    REQUIRE(consumer_is(f->t, "mpc-signing", "mpc_signing_consumer",
                        "mpc.signing_request.*", 4, 3, 20));
    return true;
}

JTEST(layout_equals_mpcium, layout_body)

/* ---- A server that already holds other layouts ---- */

static bool drift_body(struct jfx *f)
{
    /* The TypeScript client got there first: work-queue requests and an
     * interest results stream; and someone shrank mpc-signing. */
    node_js_stream_config sc;
    REQUIRE_OK(node_jsetup_stream_config(NODE_JSETUP_S_KEYGEN, &sc));
    sc.retention = NODE_JS_WORKQUEUE;
    REQUIRE_OK(node_transport_stream_add(f->t, &sc));
    REQUIRE_OK(node_jsetup_stream_config(NODE_JSETUP_S_RESULTS, &sc));
    sc.retention = NODE_JS_INTEREST;
    REQUIRE_OK(node_transport_stream_add(f->t, &sc));
    REQUIRE_OK(node_jsetup_stream_config(NODE_JSETUP_S_SIGNING, &sc));
    sc.max_bytes = 1000;
    sc.max_age_ms = 600000;
    REQUIRE_OK(node_transport_stream_add(f->t, &sc));

    static node_jsetup_report rep;
    node_jsetup_config cfg;
    node_jsetup_config_default(&cfg);
    REQUIRE(node_jsetup_apply(f->t, &cfg, &rep) == MPC_ERR_CONFLICT);
    bool saw_warn = false, saw_fail = false, saw_update = false;
    for (size_t i = 0; i < rep.n; i++) {
        const node_jsetup_item *it = &rep.items[i];
        if (strcmp(it->object, "stream mpc-keygen") == 0 &&
            it->action == NODE_JSETUP_WARNING)
            saw_warn = strstr(it->detail, "work queue") != NULL;
        if (strcmp(it->object, "stream mpc") == 0)
            saw_fail = it->action == NODE_JSETUP_FAILED &&
                       strstr(it->detail, "interest") != NULL;
        if (strcmp(it->object, "stream mpc-signing") == 0)
            saw_update = it->action == NODE_JSETUP_UPDATED &&
                         strstr(it->detail, "max age, max bytes") != NULL;
        REQUIRE(strncmp(it->object, "consumer mpc/", 13) != 0);
    }
    REQUIRE(saw_warn && saw_fail && saw_update);
    REQUIRE(count(&rep, NODE_JSETUP_FAILED) == 1);

    /* Left as found where it could not change; fixed where it could. */
    node_js_stream_info si;
    REQUIRE_OK(node_transport_stream_info(f->t, "mpc", &si));
    REQUIRE(si.retention == NODE_JS_INTEREST);
    REQUIRE_OK(node_transport_stream_info(f->t, "mpc-keygen", &si));
    REQUIRE(si.retention == NODE_JS_WORKQUEUE);
    REQUIRE_OK(node_transport_stream_info(f->t, "mpc-signing", &si));
    REQUIRE(si.max_bytes == 100000000 && si.max_age_ms == 7 * DAY_MS);
    /* The work-queue request stream still got its shared durable. */
    REQUIRE(consumer_is(f->t, "mpc-keygen", "mpc_keygen_consumer",
                        "mpc.keygen_request.*", 4, 3, 2));
    return true;
}

JTEST(existing_layouts_reported, drift_body)

static bool dry_run_body(struct jfx *f)
{
    static node_jsetup_report rep;
    node_jsetup_config cfg;
    node_jsetup_config_default(&cfg);
    cfg.dry_run = true;
    REQUIRE_OK(node_jsetup_apply(f->t, &cfg, &rep));
    REQUIRE(count(&rep, NODE_JSETUP_CREATED) == rep.n);
    node_js_stream_info si;
    REQUIRE(node_transport_stream_info(f->t, "mpc-keygen", &si) ==
            MPC_ERR_NOT_FOUND);
    return true;
}

JTEST(dry_run_changes_nothing, dry_run_body)

/* ---- Several nodes starting at once ---- */

struct racer {
    node_transport *t;
    mpc_err e;
    node_jsetup_report rep;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    node_jsetup_config cfg;
    node_jsetup_config_default(&cfg);
    r->e = node_jsetup_apply(r->t, &cfg, &r->rep);
    return NULL;
}

static bool concurrent_body(struct jfx *f)
{
    static struct racer r[3];
    pthread_t th[3];
    node_transport *extra[2] = {NULL, NULL};
    REQUIRE_OK(natsserver_connect(f->srv, &extra[0], "n1", NULL, NULL));
    REQUIRE_OK(natsserver_connect(f->srv, &extra[1], "n2", NULL, NULL));
    r[0].t = f->t;
    r[1].t = extra[0];
    r[2].t = extra[1];
    for (int i = 0; i < 3; i++)
        REQUIRE(pthread_create(&th[i], NULL, race, &r[i]) == 0);
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    node_transport_free(extra[0]);
    node_transport_free(extra[1]);
    for (int i = 0; i < 3; i++)
        REQUIRE(r[i].e == MPC_OK && count(&r[i].rep, NODE_JSETUP_FAILED) == 0);
    return true;
}

JTEST(concurrent_nodes, concurrent_body)

/* ---- An mpcium-shaped round trip ---- */

static bool fetch_one(node_transport *t, node_pull *p, node_jsmsg **m)
{
    size_t n = 0;
    REQUIRE_OK(node_transport_pull_fetch(t, p, m, 1, &n, 2000));
    REQUIRE(n == 1);
    return true;
}

static bool go_client_publish(const natsserver *srv, const char *subject,
                              const char *client_id, const char *body)
{
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    natsMsg *m = NULL;
    jsPubAck *pa = NULL;
    natsStatus s = natsConnection_ConnectTo(&nc, natsserver_url(srv));
    if (s == NATS_OK)
        s = natsConnection_JetStream(&js, nc, NULL);
    if (s == NATS_OK)
        s = natsMsg_Create(&m, subject, NULL, body, (int)strlen(body));
    if (s == NATS_OK)
        s = natsMsgHeader_Set(m, "ClientID", client_id);
    if (s == NATS_OK)
        s = js_PublishMsg(&pa, js, m, NULL, NULL);
    jsPubAck_Destroy(pa);
    natsMsg_Destroy(m);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    REQUIRE(s == NATS_OK);
    return true;
}

static bool round_trip_body(struct jfx *f)
{
    static node_jsetup_report rep;
    node_jsetup_config cfg;
    node_jsetup_config_default(&cfg);
    REQUIRE_OK(node_jsetup_apply(f->t, &cfg, &rep));

    /* The Go client publishes to the literal "*" subject (our transport
     * refuses to, so use cnats as the Go client would), the TS client to
     * the wallet id: both are captured; ClientID travels as a header. */
    REQUIRE(go_client_publish(f->srv, "mpc.keygen_request.*", "svc-a",
                              "{\"wallet_id\":\"w1\"}"));
    REQUIRE_OK(node_transport_js_publish(f->t, "mpc.keygen_request.w2", NULL, 0,
                                         STR("{\"wallet_id\":\"w2\"}"), NULL,
                                         2000, NULL));
    node_pull *p = NULL;
    REQUIRE_OK(node_transport_pull_bind(f->t, &p, "mpc-keygen",
                                        "mpc_keygen_consumer"));
    node_jsmsg *m = NULL;
    REQUIRE(fetch_one(f->t, p, &m));
    REQUIRE(strcmp(m->msg.subject, "mpc.keygen_request.*") == 0);
    REQUIRE(strcmp(node_msg_header(&m->msg, "ClientID"), "svc-a") == 0);
    REQUIRE_OK(node_transport_ack(f->t, m));
    node_transport_jsmsg_free(f->t, &m);
    REQUIRE(fetch_one(f->t, p, &m));
    REQUIRE(strcmp(m->msg.subject, "mpc.keygen_request.w2") == 0);
    REQUIRE_OK(node_transport_ack(f->t, m));
    node_transport_jsmsg_free(f->t, &m);
    node_transport_pull_unbind(f->t, &p);
    /* Limits retention: acknowledged requests stay (7 days). */
    node_js_stream_info si;
    REQUIRE_OK(node_transport_stream_info(f->t, "mpc-keygen", &si));
    REQUIRE(si.msgs == 2);

    /* Every participant publishes the result with one Nats-Msg-Id: one is
     * kept, and the legacy durable delivers it once. */
    node_js_ack_info ack[3];
    for (int i = 0; i < 3; i++)
        REQUIRE_OK(node_transport_js_publish(
            f->t, "mpc.mpc_keygen_result.w2", NULL, 0,
            STR("{\"wallet_id\":\"w2\"}"), "mpc.mpc_keygen_result.w2:6f1c",
            2000, &ack[i]));
    REQUIRE(!ack[0].duplicate && ack[1].duplicate && ack[2].duplicate);
    REQUIRE(ack[1].seq == ack[0].seq);
    REQUIRE_OK(node_transport_pull_bind(f->t, &p, "mpc", "mpc_keygen_result"));
    REQUIRE(fetch_one(f->t, p, &m));
    REQUIRE(strcmp(m->msg.subject, "mpc.mpc_keygen_result.w2") == 0);
    REQUIRE_OK(node_transport_ack(f->t, m));
    node_transport_jsmsg_free(f->t, &m);
    size_t n = 9;
    REQUIRE_OK(node_transport_pull_fetch(f->t, p, &m, 1, &n, 200));
    REQUIRE(n == 0);
    node_transport_pull_unbind(f->t, &p);
    /* Work queue: the acknowledged result is gone. */
    REQUIRE_OK(node_transport_stream_info(f->t, "mpc", &si));
    REQUIRE(si.msgs == 0);

    /* A request on a captured subject is answered by JetStream, never
     * "no responders" (why barrier subjects are outside every stream). */
    uint8_t out[256];
    REQUIRE_OK(node_transport_request(f->t, "mpc.signing_request.x", NULL, 0,
                                      STR("{}"), 2000, out, sizeof out, &n));
    REQUIRE(n > 0 && memchr(out, '{', n) != NULL);
    REQUIRE(node_transport_request(f->t, "barrier:sign:w:t:n0", NULL, 0,
                                   STR("ready"), 2000, out, sizeof out,
                                   &n) == MPC_ERR_UNAVAILABLE);
    return true;
}

JTEST(mpcium_round_trip, round_trip_body)

/* ---- A real advisory through the parser ---- */

struct adv_box {
    pthread_mutex_t mu;
    uint8_t body[NODE_JS_ADVISORY_MAX_BYTES];
    size_t len;
    char subject[256];
};

static void on_adv(const node_msg *m, void *ud)
{
    struct adv_box *b = ud;
    pthread_mutex_lock(&b->mu);
    if (b->len == 0 && m->len <= sizeof b->body) {
        memcpy(b->body, m->data, m->len);
        b->len = m->len;
        snprintf(b->subject, sizeof b->subject, "%s", m->subject);
    }
    pthread_mutex_unlock(&b->mu);
}

static bool advisory_body(struct jfx *f)
{
    const char *subj[] = {"adv.*"};
    node_js_stream_config sc = {.name = "ADV",
                                .subjects = subj,
                                .nsubjects = 1,
                                .storage = NODE_JS_MEMORY};
    node_js_consumer_config cc = {.stream = "ADV",
                                  .durable = "adv_c",
                                  .ack_wait_ms = 200,
                                  .max_deliver = 1,
                                  .max_ack_pending = 10};
    REQUIRE_OK(node_transport_stream_add(f->t, &sc));
    REQUIRE_OK(node_transport_consumer_add(f->t, &cc));
    static struct adv_box box = {.mu = PTHREAD_MUTEX_INITIALIZER};
    char asubj[128];
    REQUIRE_OK(
        node_jsetup_advisory_subject(asubj, sizeof asubj, "ADV", "adv_c"));
    node_sub *s = NULL;
    REQUIRE_OK(node_transport_subscribe(f->t, &s, asubj, on_adv, &box));
    node_pull *p = NULL;
    REQUIRE_OK(node_transport_pull_bind(f->t, &p, "ADV", "adv_c"));
    REQUIRE_OK(node_transport_js_publish(f->t, "adv.x", NULL, 0, STR("x"), NULL,
                                         2000, NULL));
    node_jsmsg *m = NULL;
    REQUIRE(fetch_one(f->t, p, &m));
    node_transport_jsmsg_free(f->t, &m); /* no ack */
    size_t got = 0;
    for (int i = 0; i < 50 && got == 0; i++) {
        size_t n = 0;
        REQUIRE_OK(node_transport_pull_fetch(f->t, p, &m, 1, &n, 100));
        REQUIRE(n == 0);
        pthread_mutex_lock(&box.mu);
        got = box.len;
        pthread_mutex_unlock(&box.mu);
    }
    REQUIRE(got > 0);
    REQUIRE(strcmp(box.subject, asubj) == 0);
    node_js_advisory a;
    REQUIRE_OK(node_jsetup_advisory_parse(box.body, box.len, &a));
    REQUIRE(strcmp(a.stream, "ADV") == 0 && strcmp(a.consumer, "adv_c") == 0);
    REQUIRE(a.stream_seq == 1 && a.deliveries == 1);
    node_transport_pull_unbind(f->t, &p);
    REQUIRE_OK(node_transport_unsubscribe(f->t, &s));
    return true;
}

JTEST(real_advisory_parses, advisory_body)
