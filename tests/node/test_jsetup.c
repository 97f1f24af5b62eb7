/*
 * Unit tests of node/jsetup.c: the wanted layout (against literal mpcium
 * values written out here independently), the create/update/report policy
 * on the in-memory bus, and the max-deliveries advisory parser.
 */
#include <string.h>

#include "node/jsetup.h"
#include "node/transport.h"
#include "tests/harness/test.h"

#define DAY_MS (24 * 3600 * INT64_C(1000))

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

TEST(jsetup_layout_matches_mpcium)
{
    node_js_stream_config s;
    CHECK_OK(node_jsetup_stream_config(NODE_JSETUP_S_KEYGEN, &s));
    CHECK(strcmp(s.name, "mpc-keygen") == 0);
    CHECK(strcmp(s.description, "Stream for mpc-keygen") == 0);
    CHECK(s.nsubjects == 1 &&
          strcmp(s.subjects[0], "mpc.keygen_request.*") == 0);
    CHECK(s.retention == NODE_JS_LIMITS && s.storage == NODE_JS_FILE);
    CHECK(s.max_age_ms == 7 * DAY_MS && s.max_bytes == 100000000);
    CHECK(s.discard == NODE_JS_DISCARD_OLD && s.duplicates_ms == 120000);

    CHECK_OK(node_jsetup_stream_config(NODE_JSETUP_S_SIGNING, &s));
    CHECK(strcmp(s.name, "mpc-signing") == 0);
    CHECK(strcmp(s.subjects[0], "mpc.signing_request.*") == 0);
    CHECK(s.retention == NODE_JS_LIMITS && s.max_age_ms == 7 * DAY_MS);

    CHECK_OK(node_jsetup_stream_config(NODE_JSETUP_S_RESULTS, &s));
    CHECK(strcmp(s.name, "mpc") == 0);
    CHECK(strcmp(s.description, "Stream for mpc") == 0);
    CHECK(s.nsubjects == 3);
    CHECK(strcmp(s.subjects[0], "mpc.mpc_keygen_result.>") == 0);
    CHECK(strcmp(s.subjects[1], "mpc.mpc_signing_result.>") == 0);
    CHECK(strcmp(s.subjects[2], "mpc.mpc_reshare_result.>") == 0);
    CHECK(s.retention == NODE_JS_WORKQUEUE && s.max_age_ms == 0);
    CHECK(s.max_bytes == 100000000);

    CHECK_OK(node_jsetup_stream_config(NODE_JSETUP_S_RESHARE, &s));
    CHECK(strcmp(s.name, "mpc-reshare") == 0 &&
          strcmp(s.subjects[0], "mpc.reshare_request.*") == 0);
    CHECK_OK(node_jsetup_stream_config(NODE_JSETUP_S_PRESIGN, &s));
    CHECK(strcmp(s.name, "mpc-presign") == 0 &&
          strcmp(s.subjects[0], "mpc.presign_request.*") == 0);
    CHECK_OK(node_jsetup_stream_config(NODE_JSETUP_S_EXT_RESULTS, &s));
    CHECK(strcmp(s.subjects[0], "mpc.mpc_presign_result.>") == 0);
    CHECK(s.retention == NODE_JS_WORKQUEUE);

    node_jsetup_config cfg;
    node_jsetup_config_default(&cfg);
    CHECK(cfg.keygen_max_ack_pending == 2 && cfg.signing_max_ack_pending == 20);
    CHECK(cfg.extensions && cfg.result_durables && !cfg.dry_run);
    node_js_consumer_config c;
    CHECK_OK(node_jsetup_consumer_config(NODE_JSETUP_C_KEYGEN, &cfg, &c));
    CHECK(strcmp(c.stream, "mpc-keygen") == 0);
    CHECK(strcmp(c.durable, "mpc_keygen_consumer") == 0);
    CHECK(strcmp(c.filter_subject, "mpc.keygen_request.*") == 0);
    CHECK(c.ack == NODE_JS_ACK_EXPLICIT && c.deliver == NODE_JS_DELIVER_ALL);
    CHECK(c.max_deliver == 4 && c.ack_wait_ms == 30000);
    CHECK(c.nbackoff == 3 && c.backoff_ms[0] == 30000 &&
          c.backoff_ms[1] == 30000 && c.backoff_ms[2] == 30000);
    CHECK(c.max_ack_pending == 2);
    CHECK_OK(node_jsetup_consumer_config(NODE_JSETUP_C_SIGNING, &cfg, &c));
    CHECK(strcmp(c.durable, "mpc_signing_consumer") == 0);
    CHECK(strcmp(c.filter_subject, "mpc.signing_request.*") == 0);
    CHECK(c.max_ack_pending == 20 && c.max_deliver == 4);
    CHECK_OK(
        node_jsetup_consumer_config(NODE_JSETUP_C_SIGNING_RESULT, &cfg, &c));
    CHECK(strcmp(c.stream, "mpc") == 0);
    CHECK(strcmp(c.durable, "mpc_signing_result") == 0);
    CHECK(strcmp(c.filter_subject, "mpc.mpc_signing_result.complete") == 0);
    CHECK(c.max_deliver == 3 && c.nbackoff == 0 && c.ack_wait_ms == 30000);
    CHECK(c.max_ack_pending == 1000);
    CHECK_OK(
        node_jsetup_consumer_config(NODE_JSETUP_C_KEYGEN_RESULT, &cfg, &c));
    CHECK(strcmp(c.filter_subject, "mpc.mpc_keygen_result.*") == 0);
    CHECK_OK(
        node_jsetup_consumer_config(NODE_JSETUP_C_RESHARE_RESULT, &cfg, &c));
    CHECK(strcmp(c.filter_subject, "mpc.mpc_reshare_result.*") == 0);
}

TEST(jsetup_misuse)
{
    node_js_stream_config s;
    memset(&s, 0xAA, sizeof s);
    CHECK_ERR(node_jsetup_stream_config(NODE_JSETUP_S_COUNT, &s),
              MPC_ERR_INVALID_ARG);
    CHECK(all_zero(&s, sizeof s));
    node_jsetup_config cfg;
    node_jsetup_config_default(&cfg);
    node_js_consumer_config c;
    memset(&c, 0xAA, sizeof c);
    CHECK_ERR(node_jsetup_consumer_config(NODE_JSETUP_C_COUNT, &cfg, &c),
              MPC_ERR_INVALID_ARG);
    CHECK(all_zero(&c, sizeof c));
    cfg.signing_max_ack_pending = 0;
    CHECK_ERR(node_jsetup_consumer_config(NODE_JSETUP_C_KEYGEN, &cfg, &c),
              MPC_ERR_INVALID_ARG);

    node_mem_bus *bus = NULL;
    node_transport *t = NULL;
    CHECK_OK(node_mem_bus_new(&bus));
    CHECK_OK(node_transport_mem_new(&t, bus, "n"));
    static node_jsetup_report rep;
    memset(&rep, 0xAA, sizeof rep);
    CHECK_ERR(node_jsetup_apply(t, &cfg, &rep), MPC_ERR_INVALID_ARG);
    CHECK(all_zero(&rep, sizeof rep));
    node_transport_free(t);
    node_mem_bus_free(bus);
}

/* ---- Policy on the in-memory bus ---- */

static const node_jsetup_item *find(const node_jsetup_report *r,
                                    const char *object, int nth)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->items[i].object, object) == 0 && nth-- == 0)
            return &r->items[i];
    return NULL;
}

static size_t count(const node_jsetup_report *r, node_jsetup_action a)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->items[i].action == a;
    return n;
}

struct mem {
    node_mem_bus *bus;
    node_transport *t;
};

static bool mem_open(struct mem *m)
{
    memset(m, 0, sizeof *m);
    REQUIRE_OK(node_mem_bus_new(&m->bus));
    REQUIRE_OK(node_transport_mem_new(&m->t, m->bus, "n0"));
    return true;
}

static void mem_close(struct mem *m)
{
    node_transport_free(m->t);
    node_mem_bus_free(m->bus);
}

static bool fresh_body(node_transport *t)
{
    static node_jsetup_report rep;
    node_jsetup_config cfg;
    node_jsetup_config_default(&cfg);
    REQUIRE_OK(node_jsetup_apply(t, &cfg, &rep));
    REQUIRE(rep.n == NODE_JSETUP_S_COUNT + NODE_JSETUP_C_COUNT);
    REQUIRE(count(&rep, NODE_JSETUP_CREATED) == rep.n);
    REQUIRE(find(&rep, "stream mpc-keygen", 0) != NULL);
    REQUIRE(find(&rep, "consumer mpc/mpc_signing_result", 0) != NULL);
    node_js_consumer_info ci;
    REQUIRE_OK(node_transport_consumer_info(t, "mpc-signing",
                                            "mpc_signing_consumer", &ci));
    REQUIRE(ci.max_ack_pending == 20 && ci.max_deliver == 4);

    REQUIRE_OK(node_jsetup_apply(t, &cfg, &rep));
    REQUIRE(count(&rep, NODE_JSETUP_UNCHANGED) == rep.n);

    /* Drift: fixed, and said so. */
    cfg.keygen_max_ack_pending = 5;
    node_js_stream_config sc;
    REQUIRE_OK(node_jsetup_stream_config(NODE_JSETUP_S_SIGNING, &sc));
    sc.max_bytes = 5000;
    REQUIRE_OK(node_transport_stream_update(t, &sc));
    REQUIRE_OK(node_jsetup_apply(t, &cfg, &rep));
    REQUIRE(count(&rep, NODE_JSETUP_UPDATED) == 2);
    const node_jsetup_item *it = find(&rep, "stream mpc-signing", 0);
    REQUIRE(it != NULL && it->action == NODE_JSETUP_UPDATED);
    REQUIRE(strstr(it->detail, "max bytes") != NULL);
    it = find(&rep, "consumer mpc-keygen/mpc_keygen_consumer", 0);
    REQUIRE(it != NULL && it->action == NODE_JSETUP_UPDATED);
    REQUIRE(strstr(it->detail, "max ack pending") != NULL);
    node_js_stream_info si;
    REQUIRE_OK(node_transport_stream_info(t, "mpc-signing", &si));
    REQUIRE(si.max_bytes == 100000000);
    return true;
}

TEST(jsetup_mem_create_then_unchanged_then_update)
{
    struct mem m;
    bool ok = mem_open(&m) && fresh_body(m.t);
    mem_close(&m);
    CHECK(ok);
}

static bool options_body(node_transport *t)
{
    static node_jsetup_report rep;
    node_jsetup_config cfg;
    node_jsetup_config_default(&cfg);
    cfg.dry_run = true;
    REQUIRE_OK(node_jsetup_apply(t, &cfg, &rep));
    REQUIRE(count(&rep, NODE_JSETUP_CREATED) == rep.n);
    REQUIRE(strstr(rep.items[0].detail, "would be created") != NULL);
    node_js_stream_info si;
    REQUIRE(node_transport_stream_info(t, "mpc-keygen", &si) ==
            MPC_ERR_NOT_FOUND);

    cfg.dry_run = false;
    cfg.extensions = false;
    cfg.result_durables = false;
    REQUIRE_OK(node_jsetup_apply(t, &cfg, &rep));
    REQUIRE(rep.n == 3 + 2); /* mpcium's streams and request durables */
    REQUIRE(node_transport_stream_info(t, "mpc-reshare", &si) ==
            MPC_ERR_NOT_FOUND);
    node_js_consumer_info ci;
    REQUIRE(node_transport_consumer_info(t, "mpc", "mpc_keygen_result", &ci) ==
            MPC_ERR_NOT_FOUND);
    return true;
}

TEST(jsetup_mem_dry_run_and_options)
{
    struct mem m;
    bool ok = mem_open(&m) && options_body(m.t);
    mem_close(&m);
    CHECK(ok);
}

/* The TypeScript client's layout: work-queue requests, interest results. */
static bool retention_body(node_transport *t)
{
    node_js_stream_config sc;
    REQUIRE_OK(node_jsetup_stream_config(NODE_JSETUP_S_KEYGEN, &sc));
    sc.retention = NODE_JS_WORKQUEUE;
    REQUIRE_OK(node_transport_stream_add(t, &sc));
    REQUIRE_OK(node_jsetup_stream_config(NODE_JSETUP_S_RESULTS, &sc));
    sc.retention = NODE_JS_INTEREST;
    sc.description = NULL;
    REQUIRE_OK(node_transport_stream_add(t, &sc));

    static node_jsetup_report rep;
    node_jsetup_config cfg;
    node_jsetup_config_default(&cfg);
    REQUIRE(node_jsetup_apply(t, &cfg, &rep) == MPC_ERR_CONFLICT);
    const node_jsetup_item *it = find(&rep, "stream mpc-keygen", 0);
    REQUIRE(it != NULL && it->action == NODE_JSETUP_WARNING);
    REQUIRE(strstr(it->detail, "work queue") != NULL);
    it = find(&rep, "stream mpc-keygen", 1);
    REQUIRE(it != NULL && it->action == NODE_JSETUP_UNCHANGED);
    it = find(&rep, "consumer mpc-keygen/mpc_keygen_consumer", 0);
    REQUIRE(it != NULL && it->action == NODE_JSETUP_CREATED);
    it = find(&rep, "stream mpc", 0);
    REQUIRE(it != NULL && it->action == NODE_JSETUP_FAILED);
    REQUIRE(it->err == MPC_ERR_CONFLICT);
    REQUIRE(strstr(it->detail, "interest") != NULL);
    REQUIRE(strstr(it->detail, "delete the stream") != NULL);
    REQUIRE(find(&rep, "consumer mpc/mpc_keygen_result", 0) == NULL);
    REQUIRE(count(&rep, NODE_JSETUP_FAILED) == 1);
    /* Nothing was changed behind the operator's back. */
    node_js_stream_info si;
    REQUIRE_OK(node_transport_stream_info(t, "mpc", &si));
    REQUIRE(si.retention == NODE_JS_INTEREST && si.description[0] == 0);
    REQUIRE_OK(node_transport_stream_info(t, "mpc-keygen", &si));
    REQUIRE(si.retention == NODE_JS_WORKQUEUE);
    return true;
}

TEST(jsetup_mem_retention_mismatch_reported)
{
    struct mem m;
    bool ok = mem_open(&m) && retention_body(m.t);
    mem_close(&m);
    CHECK(ok);
}

static bool consumer_policy_body(node_transport *t)
{
    node_js_stream_config sc;
    REQUIRE_OK(node_jsetup_stream_config(NODE_JSETUP_S_SIGNING, &sc));
    REQUIRE_OK(node_transport_stream_add(t, &sc));
    node_js_consumer_config cc = {.stream = "mpc-signing",
                                  .durable = "mpc_signing_consumer",
                                  .filter_subject = "mpc.signing_request.*",
                                  .deliver = NODE_JS_DELIVER_NEW,
                                  .ack_wait_ms = 30000,
                                  .max_deliver = 4,
                                  .max_ack_pending = 20};
    REQUIRE_OK(node_transport_consumer_add(t, &cc));
    static node_jsetup_report rep;
    node_jsetup_config cfg;
    node_jsetup_config_default(&cfg);
    REQUIRE(node_jsetup_apply(t, &cfg, &rep) == MPC_ERR_CONFLICT);
    const node_jsetup_item *it =
        find(&rep, "consumer mpc-signing/mpc_signing_consumer", 0);
    REQUIRE(it != NULL && it->action == NODE_JSETUP_FAILED);
    REQUIRE(strstr(it->detail, "deliver or ack policy") != NULL);
    /* Everything else was still set up. */
    REQUIRE(count(&rep, NODE_JSETUP_FAILED) == 1);
    it = find(&rep, "consumer mpc-keygen/mpc_keygen_consumer", 0);
    REQUIRE(it != NULL && it->action == NODE_JSETUP_CREATED);
    return true;
}

TEST(jsetup_mem_consumer_policy_mismatch)
{
    struct mem m;
    bool ok = mem_open(&m) && consumer_policy_body(m.t);
    mem_close(&m);
    CHECK(ok);
}

static bool overlap_body(node_transport *t)
{
    /* Someone captured every mpc.> subject: nothing of ours fits. */
    const char *all[] = {"mpc.>"};
    node_js_stream_config sc = {.name = "GREEDY",
                                .subjects = all,
                                .nsubjects = 1,
                                .storage = NODE_JS_MEMORY};
    REQUIRE_OK(node_transport_stream_add(t, &sc));
    static node_jsetup_report rep;
    node_jsetup_config cfg;
    node_jsetup_config_default(&cfg);
    REQUIRE(node_jsetup_apply(t, &cfg, &rep) == MPC_ERR_CONFLICT);
    REQUIRE(count(&rep, NODE_JSETUP_FAILED) == NODE_JSETUP_S_COUNT);
    REQUIRE(strstr(rep.items[0].detail, "overlap") != NULL);
    return true;
}

TEST(jsetup_mem_subject_overlap)
{
    struct mem m;
    bool ok = mem_open(&m) && overlap_body(m.t);
    mem_close(&m);
    CHECK(ok);
}

TEST(jsetup_mem_server_unavailable)
{
    struct mem m;
    CHECK(mem_open(&m));
    node_transport_mem_set_down(m.t, true);
    static node_jsetup_report rep;
    node_jsetup_config cfg;
    node_jsetup_config_default(&cfg);
    mpc_err e = node_jsetup_apply(m.t, &cfg, &rep);
    size_t n = rep.n;
    node_jsetup_action a = rep.items[0].action;
    mpc_err ie = rep.items[0].err;
    mem_close(&m);
    CHECK_ERR(e, MPC_ERR_UNAVAILABLE);
    CHECK(n == 1 && a == NODE_JSETUP_FAILED && ie == MPC_ERR_UNAVAILABLE);
}

/* ---- Advisories ---- */

#define ADV(body) (const uint8_t *)(body), strlen(body)

TEST(jsetup_advisory_parse)
{
    /* As nats-server 2.9.10 sends it. */
    const char *real =
        "{\"type\":\"io.nats.jetstream.advisory.v1.max_deliver\",\"id\":"
        "\"XYcw4hNHXR0Gv2Nxlip3K3\",\"timestamp\":\"2026-11-26T02:00:31."
        "506131432Z\",\"stream\":\"mpc-signing\",\"consumer\":\"mpc_signing_"
        "consumer\",\"stream_seq\":17,\"deliveries\":4}";
    node_js_advisory a;
    CHECK_OK(node_jsetup_advisory_parse(ADV(real), &a));
    CHECK(strcmp(a.stream, "mpc-signing") == 0);
    CHECK(strcmp(a.consumer, "mpc_signing_consumer") == 0);
    CHECK(a.stream_seq == 17 && a.deliveries == 4);

    const char *bad[] = {
        "",
        "null",
        "[]",
        "{",
        "{\"type\":\"io.nats.jetstream.advisory.v1.terminated\",\"stream\":"
        "\"s\",\"consumer\":\"c\",\"stream_seq\":1,\"deliveries\":1}",
        "{\"stream\":\"s\",\"consumer\":\"c\",\"stream_seq\":1,"
        "\"deliveries\":1}",
        "{\"type\":\"io.nats.jetstream.advisory.v1.max_deliver\",\"stream\":"
        "\"s\",\"consumer\":\"c\",\"stream_seq\":0,\"deliveries\":1}",
        "{\"type\":\"io.nats.jetstream.advisory.v1.max_deliver\",\"stream\":"
        "\"s\",\"consumer\":\"c\",\"stream_seq\":-5,\"deliveries\":1}",
        "{\"type\":\"io.nats.jetstream.advisory.v1.max_deliver\",\"stream\":"
        "\"s\",\"consumer\":\"c\",\"stream_seq\":\"1\",\"deliveries\":1}",
        "{\"type\":\"io.nats.jetstream.advisory.v1.max_deliver\",\"stream\":"
        "\"a.b\",\"consumer\":\"c\",\"stream_seq\":1,\"deliveries\":1}",
        "{\"type\":\"io.nats.jetstream.advisory.v1.max_deliver\",\"stream\":"
        "\"s\",\"consumer\":\"\",\"stream_seq\":1,\"deliveries\":1}",
        "{\"type\":\"io.nats.jetstream.advisory.v1.max_deliver\",\"stream\":"
        "\"s\\u0000x\",\"consumer\":\"c\",\"stream_seq\":1,\"deliveries\":1}",
        "{\"type\":\"io.nats.jetstream.advisory.v1.max_deliver\",\"stream\":"
        "\"s\",\"stream\":\"t\",\"consumer\":\"c\",\"stream_seq\":1,"
        "\"deliveries\":1}",
        "{\"type\":\"io.nats.jetstream.advisory.v1.max_deliver\",\"stream\":"
        "\"s\",\"consumer\":\"c\",\"stream_seq\":1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        memset(&a, 0xAA, sizeof a);
        CHECK_ERR(node_jsetup_advisory_parse(ADV(bad[i]), &a), MPC_ERR_PARSE);
        CHECK(all_zero(&a, sizeof a));
    }
    CHECK_ERR(node_jsetup_advisory_parse(NULL, 0, &a), MPC_ERR_PARSE);
    static char big[NODE_JS_ADVISORY_MAX_BYTES + 2];
    snprintf(big, sizeof big, "%s", real);
    size_t n = strlen(big);
    big[n - 1] = ',';
    memset(big + n, ' ', sizeof big - n - 2);
    big[sizeof big - 2] = '}';
    big[sizeof big - 1] = 0;
    CHECK_ERR(node_jsetup_advisory_parse((const uint8_t *)big, strlen(big), &a),
              MPC_ERR_PARSE);
}

TEST(jsetup_advisory_subject)
{
    char out[128];
    CHECK_OK(node_jsetup_advisory_subject(out, sizeof out, "mpc-signing",
                                          "mpc_signing_consumer"));
    CHECK(strcmp(out, "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES."
                      "mpc-signing.mpc_signing_consumer") == 0);
    CHECK(node_subject_is_valid(out, false));
    CHECK_ERR(node_jsetup_advisory_subject(out, sizeof out, "a.b", "c"),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_jsetup_advisory_subject(out, 20, "mpc", "c"),
              MPC_ERR_INVALID_ARG);
    CHECK(all_zero(out, 20));
}
