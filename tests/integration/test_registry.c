/*
 * Integration tests of node/registry.c against a real nats-server, on the
 * real clock: heartbeat expiry (NATS KV TTL is silent), clean leave, health
 * pings, key info written by several nodes at once, and recovery after a
 * server restart.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "node/registry.h"
#include "node/transport.h"
#include "tests/harness/test.h"
#include "tests/integration/natsserver.h"

#define INTERVAL_MS 200
#define WINDOW_MS 800

static const char *const peers[] = {"n0", "n1", "n2"};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct gfx {
    natsserver *srv;
    node_transport *t[3];
    node_registry *r[3];
    bool paused[3];
};

static bool reg_new(struct gfx *f, int i)
{
    node_registry_config c;
    node_registry_config_default(&c);
    c.node_id = peers[i];
    c.version = "itest";
    c.peers = peers;
    c.npeers = 3;
    c.heartbeat_interval_ms = INTERVAL_MS;
    c.liveness_window_ms = WINDOW_MS;
    REQUIRE_OK(node_registry_new(&f->r[i], f->t[i], &c));
    return true;
}

static bool gfx_open(struct gfx *f, int n)
{
    memset(f, 0, sizeof *f);
    REQUIRE(natsserver_start(&f->srv));
    for (int i = 0; i < n; i++) {
        REQUIRE_OK(natsserver_connect(f->srv, &f->t[i], peers[i], NULL, NULL));
        REQUIRE(reg_new(f, i));
    }
    return true;
}

static bool gfx_close(struct gfx *f)
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
    natsserver_stop(f->srv);
    return ok;
}

/* Drives every running, unpaused registry for `ms` of real time. */
static void run_for(struct gfx *f, int64_t ms)
{
    int64_t end = now_ms() + ms;
    while (now_ms() < end)
        for (int i = 0; i < 3; i++)
            if (f->r[i] != NULL && !f->paused[i]) {
                mpc_err e = node_registry_poll(f->r[i], now_ms(), 10);
                (void)e; /* errors are expected while the server is down */
            }
}

/* Runs until `who` sees `id` alive (or not); false after `ms`. */
static bool until_alive(struct gfx *f, int who, const char *id, bool want,
                        int64_t ms)
{
    int64_t end = now_ms() + ms;
    for (;;) {
        node_peer_status st;
        if (node_registry_peer(f->r[who], id, now_ms(), &st) == MPC_OK &&
            st.alive == want)
            return true;
        if (now_ms() >= end)
            return false;
        run_for(f, 20);
    }
}

static bool expiry_body(struct gfx *f)
{
    REQUIRE_OK(node_registry_set_ready(f->r[1], true));
    REQUIRE(until_alive(f, 0, "n1", true, 3000));
    node_peer_status st;
    REQUIRE_OK(node_registry_peer(f->r[0], "n1", now_ms(), &st));
    REQUIRE(st.ready && strcmp(st.version, "itest") == 0);

    /* n1 hangs (no clean leave): dead once its heartbeat ages out. */
    f->paused[1] = true;
    int64_t t0 = now_ms();
    REQUIRE(until_alive(f, 0, "n1", false, 3000));
    int64_t took = now_ms() - t0;
    REQUIRE(took >= WINDOW_MS - INTERVAL_MS - 50);
    /* The server dropped the entry too (TTL), without telling watchers. */
    static node_kv_entry e;
    mpc_err ge = MPC_OK;
    int64_t end = now_ms() + 3000;
    while ((ge = node_transport_kv_get(f->t[0], NODE_REGISTRY_BUCKET_HEARTBEATS,
                                       "n1", &e)) == MPC_OK &&
           now_ms() < end)
        run_for(f, 50);
    REQUIRE(ge == MPC_ERR_NOT_FOUND);

    /* Back, then a clean stop: gone at once. */
    f->paused[1] = false;
    REQUIRE(until_alive(f, 0, "n1", true, 3000));
    node_registry_free(f->r[1]);
    f->r[1] = NULL;
    t0 = now_ms();
    REQUIRE(until_alive(f, 0, "n1", false, 3000));
    REQUIRE(now_ms() - t0 < WINDOW_MS / 2);
    return true;
}

TEST(itest_registry_heartbeat_expiry)
{
    struct gfx f;
    bool ok = gfx_open(&f, 2) && expiry_body(&f);
    ok = gfx_close(&f) && ok;
    CHECK(ok);
}

static void answer_no(const node_msg *m, void *ud)
{
    node_transport *t = ud;
    if (m->reply != NULL) {
        mpc_err e = node_transport_publish(t, m->reply, NULL, NULL, 0,
                                           (const uint8_t *)"NO", 2);
        (void)e;
    }
}

static bool ping_body(struct gfx *f)
{
    REQUIRE_OK(node_registry_ping(f->r[0], "n1", 2000));
    REQUIRE_OK(node_registry_ping(f->r[1], "n0", 2000));
    REQUIRE(node_registry_ping(f->r[0], "n2", 2000) == MPC_ERR_UNAVAILABLE);
    /* Something else answers n2's subject, wrongly. */
    node_sub *s = NULL;
    REQUIRE_OK(node_transport_subscribe(f->t[1], &s, "healthcheck:n2",
                                        answer_no, f->t[1]));
    REQUIRE(node_registry_ping(f->r[0], "n2", 2000) == MPC_ERR_PROTOCOL);
    REQUIRE_OK(node_transport_unsubscribe(f->t[1], &s));
    node_registry_stats st;
    node_registry_stats_get(f->r[1], &st);
    REQUIRE(st.pings_answered == 1);
    return true;
}

TEST(itest_registry_health_ping)
{
    struct gfx f;
    bool ok = gfx_open(&f, 2) && ping_body(&f);
    ok = gfx_close(&f) && ok;
    CHECK(ok);
}

struct writer {
    node_registry *r;
    const node_keyinfo *ki;
    mpc_err e;
};

static void *write_ki(void *arg)
{
    struct writer *w = arg;
    w->e = node_registry_keyinfo_put(w->r, "eddsa", "wallet-7", w->ki);
    return NULL;
}

static bool keyinfo_body(struct gfx *f)
{
    /* Three participants finish keygen at once and write the outcome. */
    static node_keyinfo ki;
    memset(&ki, 0, sizeof ki);
    ki.threshold = 2;
    ki.version = 1;
    ki.nparticipants = 3;
    for (int i = 0; i < 3; i++)
        snprintf(ki.participants[i], sizeof ki.participants[i], "n%d", 2 - i);
    struct writer w[3];
    pthread_t th[3];
    for (int i = 0; i < 3; i++) {
        w[i] = (struct writer){.r = f->r[i], .ki = &ki};
        REQUIRE(pthread_create(&th[i], NULL, write_ki, &w[i]) == 0);
    }
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 3; i++)
        REQUIRE_OK(w[i].e);
    static node_keyinfo got;
    REQUIRE_OK(node_registry_keyinfo_get(f->r[0], "eddsa", "wallet-7", &got));
    REQUIRE(node_keyinfo_equal(&got, &ki));
    /* Stored canonically: sorted participants. */
    static node_kv_entry e;
    REQUIRE_OK(node_transport_kv_get(f->t[0], NODE_REGISTRY_BUCKET_KEYINFO,
                                     "eddsa.wallet-7", &e));
    const char *want = "{\"participant_peer_ids\":[\"n0\",\"n1\",\"n2\"],"
                       "\"threshold\":2,\"version\":1}";
    REQUIRE(e.len == strlen(want) && memcmp(e.value, want, e.len) == 0);

    static node_keyinfo v2;
    v2 = ki;
    v2.version = 2;
    v2.nparticipants = 2;
    REQUIRE_OK(node_registry_keyinfo_put(f->r[1], "eddsa", "wallet-7", &v2));
    REQUIRE(node_registry_keyinfo_put(f->r[2], "eddsa", "wallet-7", &ki) ==
            MPC_ERR_CONFLICT);
    REQUIRE_OK(node_registry_keyinfo_get(f->r[2], "eddsa", "wallet-7", &got));
    REQUIRE(got.version == 2);
    return true;
}

TEST(itest_registry_keyinfo_concurrent_writers)
{
    struct gfx f;
    bool ok = gfx_open(&f, 3) && keyinfo_body(&f);
    ok = gfx_close(&f) && ok;
    CHECK(ok);
}

static bool restart_body(struct gfx *f)
{
    REQUIRE(until_alive(f, 0, "n1", true, 3000));
    REQUIRE(natsserver_kill(f->srv));
    /* Polls fail meanwhile, at once: none may block on the dead link. */
    int64_t t0 = now_ms();
    for (int i = 0; i < 20; i++)
        run_for(f, 10);
    REQUIRE(now_ms() - t0 < 1000);
    REQUIRE(natsserver_restart(f->srv));
    /* Heartbeats resume, the watchers deliver again: n1 seen afresh. */
    int64_t after = now_ms();
    REQUIRE(until_alive(f, 0, "n1", true, 8000));
    node_peer_status st;
    int64_t end = now_ms() + 8000;
    do {
        run_for(f, 50);
        REQUIRE_OK(node_registry_peer(f->r[0], "n1", now_ms(), &st));
    } while (st.seen_ms < after && now_ms() < end);
    REQUIRE(st.seen_ms >= after && st.alive);
    /* Key info still works on the restarted server (file storage). */
    static node_keyinfo ki;
    memset(&ki, 0, sizeof ki);
    ki.threshold = 1;
    ki.version = 1;
    ki.nparticipants = 1;
    snprintf(ki.participants[0], sizeof ki.participants[0], "n0");
    REQUIRE_OK(node_registry_keyinfo_put(f->r[0], "ecdsa", "w", &ki));
    return true;
}

TEST(itest_registry_server_restart)
{
    struct gfx f;
    bool ok = gfx_open(&f, 2) && restart_body(&f);
    ok = gfx_close(&f) && ok;
    CHECK(ok);
}
