/*
 * Unit tests of node/registry.c: the JSON values and KV keys (exact bytes,
 * strict parsing), and liveness / key-info logic on the in-memory bus with
 * a virtual clock.
 */
#include <pthread.h>
#include <string.h>

#include "node/registry.h"
#include "node/transport.h"
#include "tests/harness/test.h"

#define B(s) (const uint8_t *)(s), strlen(s)

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

/* ---- Values ---- */

TEST(registry_heartbeat_json)
{
    node_heartbeat hb = {.node_id = "0b2c1f1e-8c5a-4c4e-9a55-3f0f5d1b2c3d",
                         .ts_ms = 1700000000123,
                         .version = "0.1.0",
                         .ready = true};
    uint8_t buf[256];
    size_t len = 0;
    CHECK_OK(node_heartbeat_serialize(&hb, buf, sizeof buf, &len));
    const char *want = "{\"node_id\":\"0b2c1f1e-8c5a-4c4e-9a55-3f0f5d1b2c3d\","
                       "\"ready\":true,\"ts_ms\":1700000000123,\"version\":"
                       "\"0.1.0\"}";
    CHECK(len == strlen(want) && memcmp(buf, want, len) == 0);
    node_heartbeat back;
    CHECK_OK(node_heartbeat_parse(buf, len, &back));
    CHECK(strcmp(back.node_id, hb.node_id) == 0 && back.ts_ms == hb.ts_ms &&
          back.ready && strcmp(back.version, "0.1.0") == 0);

    CHECK_ERR(node_heartbeat_serialize(&hb, buf, 10, &len),
              MPC_ERR_INVALID_ARG);
    CHECK(len == 0 && all_zero(buf, 10));
    node_heartbeat bad = hb;
    snprintf(bad.node_id, sizeof bad.node_id, "a:b");
    CHECK_ERR(node_heartbeat_serialize(&bad, buf, sizeof buf, &len),
              MPC_ERR_INVALID_ARG);
    bad = hb;
    snprintf(bad.version, sizeof bad.version, "1\"2");
    CHECK_ERR(node_heartbeat_serialize(&bad, buf, sizeof buf, &len),
              MPC_ERR_INVALID_ARG);
    bad = hb;
    bad.ts_ms = -1;
    CHECK_ERR(node_heartbeat_serialize(&bad, buf, sizeof buf, &len),
              MPC_ERR_INVALID_ARG);

    const char *rejects[] = {
        "",
        "{}",
        "[]",
        "{\"node_id\":\"n\",\"ready\":true,\"ts_ms\":1,\"version\":\"v\","
        "\"x\":1}",
        "{\"node_id\":\"n\",\"ready\":true,\"ts_ms\":1}",
        "{\"node_id\":\"n\",\"ready\":1,\"ts_ms\":1,\"version\":\"v\"}",
        "{\"node_id\":\"n\",\"ready\":true,\"ts_ms\":-1,\"version\":\"v\"}",
        "{\"node_id\":\"n\",\"ready\":true,\"ts_ms\":1.5,\"version\":\"v\"}",
        "{\"node_id\":\"a.b\",\"ready\":true,\"ts_ms\":1,\"version\":\"v\"}",
        "{\"node_id\":\"n\\u0000\",\"ready\":true,\"ts_ms\":1,\"version\":"
        "\"v\"}",
        "{\"node_id\":\"\",\"ready\":true,\"ts_ms\":1,\"version\":\"v\"}",
        "{\"node_id\":\"n\",\"ready\":true,\"ts_ms\":1,\"version\":\"\"}",
        "{\"node_id\":\"n\",\"node_id\":\"m\",\"ready\":true,\"ts_ms\":1,"
        "\"version\":\"v\"}",
    };
    for (size_t i = 0; i < sizeof rejects / sizeof *rejects; i++) {
        memset(&back, 0xAA, sizeof back);
        CHECK_ERR(node_heartbeat_parse(B(rejects[i]), &back), MPC_ERR_PARSE);
        CHECK(all_zero(&back, sizeof back));
    }
    CHECK_ERR(node_heartbeat_parse(NULL, 0, &back), MPC_ERR_PARSE);
}

static void ki_set(node_keyinfo *ki, uint32_t t, uint32_t v, size_t n,
                   const char *const *ids)
{
    memset(ki, 0, sizeof *ki);
    ki->threshold = t;
    ki->version = v;
    ki->nparticipants = n;
    for (size_t i = 0; i < n; i++)
        snprintf(ki->participants[i], sizeof ki->participants[i], "%s", ids[i]);
}

TEST(registry_keyinfo_json)
{
    const char *ids[] = {"node-b", "node-a", "node-c"};
    node_keyinfo ki;
    ki_set(&ki, 2, 1, 3, ids);
    CHECK(node_keyinfo_is_valid(&ki));
    uint8_t buf[512];
    size_t len = 0;
    CHECK_OK(node_keyinfo_serialize(&ki, buf, sizeof buf, &len));
    const char *want =
        "{\"participant_peer_ids\":[\"node-a\",\"node-b\",\"node-c\"],"
        "\"threshold\":2,\"version\":1}";
    CHECK(len == strlen(want) && memcmp(buf, want, len) == 0);
    node_keyinfo back;
    CHECK_OK(node_keyinfo_parse(buf, len, &back));
    CHECK(node_keyinfo_equal(&back, &ki));
    CHECK(strcmp(back.participants[0], "node-a") == 0); /* sorted */
    /* Unsorted input parses to the same sorted value. */
    CHECK_OK(node_keyinfo_parse(B("{\"participant_peer_ids\":[\"z\",\"a\"],"
                                  "\"threshold\":1,\"version\":7}"),
                                &back));
    CHECK(strcmp(back.participants[0], "a") == 0 && back.version == 7);

    node_keyinfo other = ki;
    other.version = 2;
    CHECK(!node_keyinfo_equal(&ki, &other));
    other = ki;
    other.threshold = 3;
    CHECK(!node_keyinfo_equal(&ki, &other));
    const char *ids2[] = {"node-a", "node-b", "node-d"};
    ki_set(&other, 2, 1, 3, ids2);
    CHECK(!node_keyinfo_equal(&ki, &other));

    node_keyinfo inv;
    ki_set(&inv, 0, 1, 3, ids);
    CHECK(!node_keyinfo_is_valid(&inv));
    ki_set(&inv, 4, 1, 3, ids);
    CHECK(!node_keyinfo_is_valid(&inv));
    ki_set(&inv, 1, 0, 3, ids);
    CHECK(!node_keyinfo_is_valid(&inv));
    const char *dup[] = {"a", "a"};
    ki_set(&inv, 1, 1, 2, dup);
    CHECK(!node_keyinfo_is_valid(&inv));
    CHECK_ERR(node_keyinfo_serialize(&inv, buf, sizeof buf, &len),
              MPC_ERR_INVALID_ARG);
    ki_set(&inv, 1, 1, 0, ids);
    CHECK(!node_keyinfo_is_valid(&inv));

    const char *rejects[] = {
        "{\"participant_peer_ids\":[],\"threshold\":1,\"version\":1}",
        "{\"participant_peer_ids\":[\"a\"],\"threshold\":2,\"version\":1}",
        "{\"participant_peer_ids\":[\"a\"],\"threshold\":0,\"version\":1}",
        "{\"participant_peer_ids\":[\"a\"],\"threshold\":1,\"version\":0}",
        "{\"participant_peer_ids\":[\"a\"],\"threshold\":1,\"version\":"
        "4294967296}",
        "{\"participant_peer_ids\":[\"a\",\"a\"],\"threshold\":1,\"version\":"
        "1}",
        "{\"participant_peer_ids\":[\"a:b\"],\"threshold\":1,\"version\":1}",
        "{\"participant_peer_ids\":[1],\"threshold\":1,\"version\":1}",
        "{\"participant_peer_ids\":\"a\",\"threshold\":1,\"version\":1}",
        "{\"participant_peer_ids\":[\"a\"],\"threshold\":1}",
        "{\"participant_peer_ids\":[\"a\"],\"threshold\":1,\"version\":1,\"x\":"
        "0}",
        /* mpcium's field name only. */
        "{\"participants\":[\"a\"],\"threshold\":1,\"version\":1}",
        "not json",
    };
    for (size_t i = 0; i < sizeof rejects / sizeof *rejects; i++) {
        memset(&back, 0xAA, sizeof back);
        CHECK_ERR(node_keyinfo_parse(B(rejects[i]), &back), MPC_ERR_PARSE);
        CHECK(all_zero(&back, sizeof back));
    }
    /* 65 participants: one too many. */
    char big[65 * 8 + 64];
    size_t n = (size_t)snprintf(big, sizeof big, "{\"participant_peer_ids\":[");
    for (int i = 0; i < 65; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s\"p%d\"",
                              i ? "," : "", i);
    snprintf(big + n, sizeof big - n, "],\"threshold\":1,\"version\":1}");
    CHECK_ERR(node_keyinfo_parse(B(big), &back), MPC_ERR_PARSE);
}

TEST(registry_keyinfo_keys)
{
    char key[NODE_REGISTRY_KEY_MAX_BYTES + 1];
    CHECK_OK(node_registry_keyinfo_key(key, sizeof key, "ecdsa", "wallet-1"));
    CHECK(strcmp(key, "ecdsa.wallet-1") == 0);
    CHECK_OK(node_registry_keyinfo_key(key, sizeof key, "eddsa", "w.1:x=y"));
    CHECK(strcmp(key, "eddsa.w=2E1=3Ax=3Dy") == 0);
    CHECK(node_kv_key_is_valid(key, false));

    /* Every byte value round-trips, and each key is valid KV syntax. */
    char curve[NODE_REGISTRY_CURVE_MAX_BYTES + 1];
    char wallet[NODE_REGISTRY_WALLET_MAX_BYTES + 1];
    for (int c = 1; c < 256; c++) {
        char w[3] = {'a', (char)c, 0};
        CHECK_OK(node_registry_keyinfo_key(key, sizeof key, "ecdsa", w));
        CHECK(node_kv_key_is_valid(key, false));
        CHECK_OK(node_registry_keyinfo_key_parse(key, curve, wallet));
        CHECK(strcmp(curve, "ecdsa") == 0 && strcmp(wallet, w) == 0);
    }
    /* The longest wallet fits the documented bound. */
    char longw[NODE_REGISTRY_WALLET_MAX_BYTES + 2];
    memset(longw, ':', NODE_REGISTRY_WALLET_MAX_BYTES);
    longw[NODE_REGISTRY_WALLET_MAX_BYTES] = 0;
    CHECK_OK(
        node_registry_keyinfo_key(key, sizeof key, "ecdsa0123456789a", longw));
    CHECK(strlen(key) == NODE_REGISTRY_KEY_MAX_BYTES);
    longw[NODE_REGISTRY_WALLET_MAX_BYTES] = ':';
    longw[NODE_REGISTRY_WALLET_MAX_BYTES + 1] = 0;
    CHECK_ERR(node_registry_keyinfo_key(key, sizeof key, "ecdsa", longw),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_registry_keyinfo_key(key, sizeof key, "ECDSA", "w"),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_registry_keyinfo_key(key, sizeof key, "ecdsa", ""),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_registry_keyinfo_key(key, 8, "ecdsa", "wallet"),
              MPC_ERR_INVALID_ARG);
    CHECK(all_zero(key, 8));

    const char *bad[] = {"ecdsa",
                         "ecdsa.",
                         ".w",
                         "ECDSA.w",
                         "ecdsa.w=2",
                         "ecdsa.w=2e",
                         "ecdsa.=41",
                         "ecdsa.=00",
                         "ecdsa.a.b",
                         "ecdsa.=G1",
                         "toolongcurvename0.w"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_ERR(node_registry_keyinfo_key_parse(bad[i], curve, wallet),
                  MPC_ERR_PARSE);
        CHECK(all_zero(curve, sizeof curve) && all_zero(wallet, sizeof wallet));
    }
}

TEST(registry_id_validity)
{
    CHECK(node_registry_id_is_valid("0b2c1f1e-8c5a-4c4e-9a55-3f0f5d1b2c3d"));
    CHECK(node_registry_id_is_valid("node_0"));
    CHECK(!node_registry_id_is_valid(""));
    CHECK(!node_registry_id_is_valid(NULL));
    CHECK(!node_registry_id_is_valid("a:b"));
    CHECK(!node_registry_id_is_valid("a.b"));
    char id[NODE_REGISTRY_ID_MAX_BYTES + 2];
    memset(id, 'x', sizeof id - 1);
    id[NODE_REGISTRY_ID_MAX_BYTES] = 0;
    CHECK(node_registry_id_is_valid(id));
    id[NODE_REGISTRY_ID_MAX_BYTES] = 'x';
    id[NODE_REGISTRY_ID_MAX_BYTES + 1] = 0;
    CHECK(!node_registry_id_is_valid(id));
}

/* ---- On the in-memory bus, with a virtual clock ---- */

static const char *const peers3[] = {"n0", "n1", "n2"};

struct ki_seen {
    pthread_mutex_t mu;
    int calls;
    char curve[NODE_REGISTRY_CURVE_MAX_BYTES + 1];
    char wallet[NODE_REGISTRY_WALLET_MAX_BYTES + 1];
    bool deleted;
    uint32_t version;
};

static void on_ki(void *ud, const char *curve, const char *wallet,
                  const node_keyinfo *ki)
{
    struct ki_seen *s = ud;
    pthread_mutex_lock(&s->mu);
    s->calls++;
    snprintf(s->curve, sizeof s->curve, "%s", curve);
    snprintf(s->wallet, sizeof s->wallet, "%s", wallet);
    s->deleted = ki == NULL;
    s->version = ki != NULL ? ki->version : 0;
    pthread_mutex_unlock(&s->mu);
}

struct rfx {
    node_mem_bus *bus;
    node_transport *t[3];
    node_registry *r[3];
    struct ki_seen seen;
};

static bool rfx_open(struct rfx *f, int n)
{
    memset(f, 0, sizeof *f);
    pthread_mutex_init(&f->seen.mu, NULL);
    REQUIRE_OK(node_mem_bus_new(&f->bus));
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%d", i);
        REQUIRE_OK(node_transport_mem_new(&f->t[i], f->bus, name));
        node_registry_config c;
        node_registry_config_default(&c);
        c.node_id = peers3[i];
        c.version = "test-1";
        c.peers = peers3;
        c.npeers = 3;
        c.heartbeat_interval_ms = 100;
        c.liveness_window_ms = 300;
        c.storage = NODE_JS_MEMORY;
        c.on_keyinfo = on_ki;
        c.keyinfo_ud = &f->seen;
        REQUIRE_OK(node_registry_new(&f->r[i], f->t[i], &c));
    }
    return true;
}

static bool rfx_close(struct rfx *f)
{
    bool ok = true;
    for (int i = 0; i < 3; i++) {
        node_registry_free(f->r[i]);
        if (f->t[i] != NULL) {
            node_transport_stats st;
            node_transport_stats_get(f->t[i], &st);
            ok = ok && st.live_subs == 0 && st.live_watches == 0;
        }
        node_transport_free(f->t[i]);
    }
    node_mem_bus_free(f->bus);
    pthread_mutex_destroy(&f->seen.mu);
    return ok;
}

/* Polls every registry at virtual time `now`, twice (write, then see). */
static bool tick(struct rfx *f, int64_t now)
{
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 3; i++)
            if (f->r[i] != NULL) {
                REQUIRE_OK(node_registry_poll(f->r[i], now, 0));
                REQUIRE_OK(node_mem_bus_flush(f->bus, 1000));
            }
    return true;
}

static bool is_alive(node_registry *r, const char *id, int64_t now)
{
    node_peer_status st;
    return node_registry_peer(r, id, now, &st) == MPC_OK && st.alive;
}

static bool liveness_body(struct rfx *f)
{
    REQUIRE_OK(node_registry_set_ready(f->r[1], true));
    REQUIRE(tick(f, 1000));
    node_peer_status st;
    REQUIRE_OK(node_registry_peer(f->r[0], "n1", 1000, &st));
    REQUIRE(st.alive && st.ready && st.seen_ms == 1000);
    REQUIRE(strcmp(st.version, "test-1") == 0 && st.ts_ms > 0);
    REQUIRE_OK(node_registry_peer(f->r[0], "n0", 1000, &st));
    REQUIRE(st.alive && !st.ready); /* ourselves, not ready yet */
    REQUIRE_OK(node_registry_peer(f->r[0], "n2", 1000, &st));
    REQUIRE(!st.alive && st.seen_ms == 0); /* never started */
    REQUIRE(node_registry_peer(f->r[0], "n9", 1000, &st) == MPC_ERR_NOT_FOUND);

    const char *ids[3];
    REQUIRE(node_registry_alive(f->r[0], 1000, false, ids, 3) == 2);
    REQUIRE(strcmp(ids[0], "n0") == 0 && strcmp(ids[1], "n1") == 0);
    REQUIRE(node_registry_alive(f->r[0], 1000, true, ids, 3) == 1);
    REQUIRE(strcmp(ids[0], "n1") == 0);
    REQUIRE(node_registry_alive(f->r[0], 1000, false, NULL, 0) == 2);

    /* n1 stops heartbeating (a crash): gone once the window passes. */
    REQUIRE_OK(node_registry_poll(f->r[0], 1200, 0));
    REQUIRE(is_alive(f->r[0], "n1", 1300));
    REQUIRE(!is_alive(f->r[0], "n1", 1301));
    REQUIRE_OK(node_registry_poll(f->r[1], 1400, 0)); /* back */
    REQUIRE_OK(node_mem_bus_flush(f->bus, 1000));
    REQUIRE_OK(node_registry_poll(f->r[0], 1400, 0));
    REQUIRE(is_alive(f->r[0], "n1", 1400));

    /* Ping: answered while n1 runs, "no responders" once it left. */
    REQUIRE_OK(node_registry_ping(f->r[0], "n1", 1000));
    REQUIRE(node_registry_ping(f->r[0], "n2", 1000) == MPC_ERR_UNAVAILABLE);
    REQUIRE(node_registry_ping(f->r[0], "a:b", 1000) == MPC_ERR_INVALID_ARG);
    node_registry_stats rs;
    node_registry_stats_get(f->r[1], &rs);
    REQUIRE(rs.pings_answered == 1 && rs.heartbeats_sent >= 2);

    /* A clean stop deletes the heartbeat: seen at once, not after TTL. */
    node_registry_free(f->r[1]);
    f->r[1] = NULL;
    REQUIRE_OK(node_mem_bus_flush(f->bus, 1000));
    REQUIRE_OK(node_registry_poll(f->r[0], 1401, 0));
    REQUIRE(!is_alive(f->r[0], "n1", 1401));
    REQUIRE(node_registry_ping(f->r[0], "n1", 1000) == MPC_ERR_UNAVAILABLE);
    return true;
}

TEST(registry_mem_liveness)
{
    struct rfx f;
    bool ok = rfx_open(&f, 2) && liveness_body(&f);
    ok = rfx_close(&f) && ok;
    CHECK(ok);
}

static bool strangers_body(struct rfx *f)
{
    /* A node outside our peers list heartbeats: counted, never trusted. */
    node_registry_config c;
    node_registry_config_default(&c);
    c.node_id = "stranger";
    c.version = "x";
    c.heartbeat_interval_ms = 100;
    c.liveness_window_ms = 300;
    c.storage = NODE_JS_MEMORY;
    node_registry *s = NULL;
    REQUIRE_OK(node_registry_new(&s, f->t[1], &c));
    REQUIRE_OK(node_registry_poll(s, 1000, 0));
    REQUIRE_OK(node_mem_bus_flush(f->bus, 1000));
    /* And garbage under a peer's key. */
    REQUIRE_OK(node_transport_kv_put(f->t[1], NODE_REGISTRY_BUCKET_HEARTBEATS,
                                     "n2", B("{\"node_id\":\"n1\"}"), NULL));
    REQUIRE_OK(node_transport_kv_put(f->t[1], NODE_REGISTRY_BUCKET_KEYINFO,
                                     "ecdsa.w", B("[1,2]"), NULL));
    REQUIRE_OK(node_registry_poll(f->r[0], 1000, 0));
    node_registry_stats st;
    node_registry_stats_get(f->r[0], &st);
    REQUIRE(st.unknown_heartbeats == 1 && st.bad_entries == 2);
    REQUIRE(!is_alive(f->r[0], "n2", 1000));
    REQUIRE(node_registry_alive(f->r[0], 1000, false, NULL, 0) == 1);
    node_keyinfo ki;
    REQUIRE(node_registry_keyinfo_get(f->r[0], "ecdsa", "w", &ki) ==
            MPC_ERR_PARSE);
    node_registry_free(s);
    return true;
}

TEST(registry_mem_ignores_strangers_and_garbage)
{
    struct rfx f;
    bool ok = rfx_open(&f, 1) &&
              node_transport_mem_new(&f.t[1], f.bus, "x") == MPC_OK &&
              strangers_body(&f);
    ok = rfx_close(&f) && ok;
    CHECK(ok);
}

static bool keyinfo_body(struct rfx *f)
{
    const char *ids[] = {"n2", "n0", "n1"};
    node_keyinfo ki, got;
    ki_set(&ki, 2, 1, 3, ids);
    REQUIRE(node_registry_keyinfo_get(f->r[0], "ecdsa", "w:1", &got) ==
            MPC_ERR_NOT_FOUND);
    REQUIRE_OK(node_registry_keyinfo_put(f->r[0], "ecdsa", "w:1", &ki));
    /* Every participant writes the same outcome: fine. */
    REQUIRE_OK(node_registry_keyinfo_put(f->r[1], "ecdsa", "w:1", &ki));
    REQUIRE_OK(node_registry_keyinfo_get(f->r[2], "ecdsa", "w:1", &got));
    REQUIRE(node_keyinfo_equal(&got, &ki));
    REQUIRE(tick(f, 1000));
    pthread_mutex_lock(&f->seen.mu);
    bool cb = f->seen.calls >= 1 && strcmp(f->seen.curve, "ecdsa") == 0 &&
              strcmp(f->seen.wallet, "w:1") == 0 && f->seen.version == 1;
    pthread_mutex_unlock(&f->seen.mu);
    REQUIRE(cb);

    /* Another outcome for the same version: refused. */
    node_keyinfo other = ki;
    other.threshold = 3;
    REQUIRE(node_registry_keyinfo_put(f->r[1], "ecdsa", "w:1", &other) ==
            MPC_ERR_CONFLICT);
    /* A reshare (version 2) replaces it; a late version-1 writer loses. */
    const char *ids2[] = {"n0", "n1"};
    node_keyinfo v2;
    ki_set(&v2, 2, 2, 2, ids2);
    REQUIRE_OK(node_registry_keyinfo_put(f->r[0], "ecdsa", "w:1", &v2));
    REQUIRE(node_registry_keyinfo_put(f->r[2], "ecdsa", "w:1", &ki) ==
            MPC_ERR_CONFLICT);
    REQUIRE_OK(node_registry_keyinfo_get(f->r[2], "ecdsa", "w:1", &got));
    REQUIRE(got.version == 2 && got.nparticipants == 2);
    /* The other curve is another key. */
    REQUIRE(node_registry_keyinfo_get(f->r[2], "eddsa", "w:1", &got) ==
            MPC_ERR_NOT_FOUND);
    REQUIRE(node_registry_keyinfo_put(f->r[0], "ECDSA", "w", &ki) ==
            MPC_ERR_INVALID_ARG);
    node_keyinfo bad = ki;
    bad.version = 0;
    REQUIRE(node_registry_keyinfo_put(f->r[0], "ecdsa", "w", &bad) ==
            MPC_ERR_INVALID_ARG);
    return true;
}

TEST(registry_mem_keyinfo)
{
    struct rfx f;
    bool ok = rfx_open(&f, 3) && keyinfo_body(&f);
    ok = rfx_close(&f) && ok;
    CHECK(ok);
}

static bool recover_body(struct rfx *f)
{
    REQUIRE(tick(f, 1000));
    /* The buckets vanish (a memory-storage server restarted). */
    REQUIRE_OK(node_transport_kv_bucket_delete(
        f->t[0], NODE_REGISTRY_BUCKET_HEARTBEATS));
    REQUIRE_OK(
        node_transport_kv_bucket_delete(f->t[0], NODE_REGISTRY_BUCKET_KEYINFO));
    /* The first poll notices; later ones re-create and re-watch. */
    for (int i = 0; i < 4; i++) {
        mpc_err e0 = node_registry_poll(f->r[0], 1100 + 100 * i, 0);
        mpc_err e1 = node_registry_poll(f->r[1], 1100 + 100 * i, 0);
        (void)e0;
        (void)e1;
        REQUIRE_OK(node_mem_bus_flush(f->bus, 1000));
    }
    REQUIRE(tick(f, 1600));
    REQUIRE(is_alive(f->r[0], "n1", 1600));
    node_registry_stats st;
    node_registry_stats_get(f->r[0], &st);
    REQUIRE(st.watch_restarts >= 1);
    return true;
}

TEST(registry_mem_recovers_lost_buckets)
{
    struct rfx f;
    bool ok = rfx_open(&f, 2) && recover_body(&f);
    ok = rfx_close(&f) && ok;
    CHECK(ok);
}

TEST(registry_misuse)
{
    node_mem_bus *bus = NULL;
    node_transport *t = NULL;
    CHECK_OK(node_mem_bus_new(&bus));
    CHECK_OK(node_transport_mem_new(&t, bus, "n"));
    node_registry_config c;
    node_registry_config_default(&c);
    c.version = "v";
    c.node_id = "n0";
    node_registry *r = (node_registry *)&c;
    c.node_id = "bad id";
    CHECK_ERR(node_registry_new(&r, t, &c), MPC_ERR_INVALID_ARG);
    CHECK(r == NULL);
    c.node_id = "n0";
    c.version = "";
    CHECK_ERR(node_registry_new(&r, t, &c), MPC_ERR_INVALID_ARG);
    c.version = "v";
    const char *dup[] = {"a", "a"};
    c.peers = dup;
    c.npeers = 2;
    CHECK_ERR(node_registry_new(&r, t, &c), MPC_ERR_INVALID_ARG);
    c.npeers = 0;
    c.liveness_window_ms = c.heartbeat_interval_ms; /* < 2 intervals */
    CHECK_ERR(node_registry_new(&r, t, &c), MPC_ERR_INVALID_ARG);
    node_registry_config_default(&c);
    c.node_id = "n0";
    c.version = "v";
    CHECK_ERR(node_registry_new(NULL, t, &c), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_registry_new(&r, NULL, &c), MPC_ERR_INVALID_ARG);

    /* A heartbeat bucket with another TTL is not ours to change. */
    node_kv_config kc = {.bucket = NODE_REGISTRY_BUCKET_HEARTBEATS,
                         .ttl_ms = 1234,
                         .history = 1};
    CHECK_OK(node_transport_kv_bucket_ensure(t, &kc));
    CHECK_ERR(node_registry_new(&r, t, &c), MPC_ERR_CONFLICT);
    CHECK(r == NULL);
    node_transport_stats st;
    node_transport_stats_get(t, &st);
    CHECK(st.live_subs == 0 && st.live_watches == 0);
    node_registry_free(NULL);
    node_transport_free(t);
    node_mem_bus_free(bus);
}
