/*
 * tests/node/test_reshare.c — the pieces of reshare that run without a
 * cluster: deleting old share versions (node_keystore_share_delete_upto),
 * a peer added to the registry and to the session manager while they run
 * (what SIGHUP does), and the liveness view the coordinator selects
 * dealers and signers from (node/liveness.h, on the in-memory transport and
 * the real clock).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mpc/frost_session.h"
#include "node/envelope.h"
#include "node/keystore.h"
#include "node/liveness.h"
#include "node/registry.h"
#include "node/sessions.h"
#include "node/transport.h"
#include "tests/harness/test.h"
#include "tests/node/keystore_fixture.h"

#define B(s) (const uint8_t *)(s), (sizeof(s) - 1)

static bool held(node_keystore *ks, const char *wallet, const uint32_t *want,
                 size_t n_want)
{
    uint32_t v[8];
    size_t n = 0;
    REQUIRE_OK(node_keystore_share_versions(ks, v, 8, &n, NODE_KEYSTORE_ED25519,
                                            wallet));
    REQUIRE(n == n_want);
    for (size_t i = 0; i < n; i++)
        REQUIRE(v[i] == want[i]);
    return true;
}

KS_TEST(reshare_keystore_delete_upto)
{
    for (uint32_t v = 1; v <= 3; v++)
        CHECK_OK(node_keystore_share_put(f->ks, NODE_KEYSTORE_ED25519, "w", v,
                                         B("share")));
    CHECK_OK(node_keystore_share_put(f->ks, NODE_KEYSTORE_ED25519, "w2", 1,
                                     B("other wallet")));
    CHECK_OK(node_keystore_share_put(f->ks, NODE_KEYSTORE_SECP256K1, "w", 1,
                                     B("other curve")));
    size_t deleted = 99;
    /* A member of the new committee keeps the new version only. */
    CHECK_OK(node_keystore_share_delete_upto(f->ks, &deleted,
                                             NODE_KEYSTORE_ED25519, "w", 2));
    CHECK(deleted == 2);
    static const uint32_t three[] = {3};
    CHECK(held(f->ks, "w", three, 1));
    /* A node that left the committee keeps nothing; nothing left is fine. */
    CHECK_OK(node_keystore_share_delete_upto(f->ks, &deleted,
                                             NODE_KEYSTORE_ED25519, "w", 3));
    CHECK(deleted == 1);
    CHECK(held(f->ks, "w", NULL, 0));
    CHECK_OK(node_keystore_share_delete_upto(f->ks, NULL, NODE_KEYSTORE_ED25519,
                                             "w", 3));
    /* Other wallets and curves are untouched. */
    static const uint32_t one[] = {1};
    CHECK(held(f->ks, "w2", one, 1));
    uint8_t *b = NULL;
    size_t len = 0;
    CHECK_OK(node_keystore_share_get(f->ks, &b, &len, NODE_KEYSTORE_SECP256K1,
                                     "w", 1));
    node_keystore_value_free(b, len);
    /* Misuse. */
    deleted = 99;
    CHECK_ERR(node_keystore_share_delete_upto(
                  f->ks, &deleted, NODE_KEYSTORE_ED25519, "w2", UINT32_MAX),
              MPC_ERR_INVALID_ARG);
    CHECK(deleted == 0);
    CHECK_ERR(node_keystore_share_delete_upto(f->ks, NULL,
                                              NODE_KEYSTORE_ED25519, "a:b", 1),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_share_delete_upto(NULL, NULL, NODE_KEYSTORE_ED25519,
                                              "w", 1),
              MPC_ERR_INVALID_ARG);
    CHECK(held(f->ks, "w2", one, 1));
    /* delete_below still refuses without the version it keeps. */
    CHECK_ERR(node_keystore_share_delete_below(f->ks, NULL,
                                               NODE_KEYSTORE_ED25519, "w2", 2),
              MPC_ERR_NOT_FOUND);
    CHECK(held(f->ks, "w2", one, 1));
}

/* ---- registry: a node added while we run -------------------------------- */

static const char *const two[] = {"n0", "n1"};

static bool reg_new(node_registry **r, node_transport *t, const char *id,
                    const char *const *peers, size_t n)
{
    node_registry_config c;
    node_registry_config_default(&c);
    c.node_id = id;
    c.version = "test";
    c.peers = peers;
    c.npeers = n;
    c.heartbeat_interval_ms = 100;
    c.liveness_window_ms = 300;
    c.storage = NODE_JS_MEMORY;
    REQUIRE_OK(node_registry_new(r, t, &c));
    return true;
}

static bool alive(node_registry *r, const char *id, int64_t now)
{
    node_peer_status st;
    return node_registry_peer(r, id, now, &st) == MPC_OK && st.alive;
}

static bool peer_add_body(node_mem_bus *bus, node_transport **t,
                          node_registry **r)
{
    static const char *const three[] = {"n0", "n1", "n3"};
    REQUIRE(reg_new(&r[0], t[0], "n0", two, 2));
    REQUIRE(reg_new(&r[1], t[1], "n3", three, 3));
    REQUIRE_OK(node_registry_poll(r[1], 1000, 0));
    REQUIRE_OK(node_mem_bus_flush(bus, 1000));
    REQUIRE_OK(node_registry_poll(r[0], 1000, 0));
    /* Not in our peers list yet: counted, not alive. */
    node_registry_stats st;
    node_registry_stats_get(r[0], &st);
    REQUIRE(st.unknown_heartbeats == 1);
    REQUIRE(node_registry_peer(r[0], "n3", 1000, &(node_peer_status){0}) ==
            MPC_ERR_NOT_FOUND);
    REQUIRE_OK(node_registry_peer_add(r[0], "n3"));
    REQUIRE_OK(node_registry_peer_add(r[0], "n3")); /* once */
    REQUIRE(!alive(r[0], "n3", 1000));
    /* Its next heartbeat counts. */
    REQUIRE_OK(node_registry_poll(r[1], 1100, 0));
    REQUIRE_OK(node_mem_bus_flush(bus, 1000));
    REQUIRE_OK(node_registry_poll(r[0], 1100, 0));
    REQUIRE(alive(r[0], "n3", 1100));
    REQUIRE(node_registry_alive(r[0], 1100, false, NULL, 0) == 2);
    REQUIRE(node_registry_peer_add(r[0], "bad id") == MPC_ERR_INVALID_ARG);
    REQUIRE(node_registry_peer_add(r[0], "") == MPC_ERR_INVALID_ARG);
    return true;
}

TEST(reshare_registry_peer_added_while_running)
{
    node_mem_bus *bus = NULL;
    node_transport *t[2] = {NULL, NULL};
    node_registry *r[2] = {NULL, NULL};
    bool ok = node_mem_bus_new(&bus) == MPC_OK &&
              node_transport_mem_new(&t[0], bus, "n0") == MPC_OK &&
              node_transport_mem_new(&t[1], bus, "n3") == MPC_OK &&
              peer_add_body(bus, t, r);
    for (int i = 0; i < 2; i++) {
        node_registry_free(r[i]);
        node_transport_free(t[i]);
    }
    node_mem_bus_free(bus);
    CHECK(ok);
}

/* ---- the liveness view -------------------------------------------------- */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Bounded wait (real clock) until `lv` sees `id` as `want`. */
static bool wait_alive(node_liveness *lv, const char *id, bool want)
{
    int64_t end = mono_ms() + 5000;
    while (node_liveness_alive(lv, id) != want) {
        if (mono_ms() > end)
            return false;
        nanosleep(&(struct timespec){0, 20000000L}, NULL);
    }
    return true;
}

static bool view_body(node_transport **t)
{
    static const char *const p0[] = {"n1"}, *const p1[] = {"n0"};
    node_liveness *lv[2] = {NULL, NULL};
    bool ok = node_liveness_start(&lv[0], t[0], "n0", p0, 1) == MPC_OK &&
              node_liveness_start(&lv[1], t[1], "n1", p1, 1) == MPC_OK;
    /* Ourselves always; a peer only once it says it is ready; a stranger
     * never. */
    ok = ok && node_liveness_alive(lv[0], "n0") &&
         !node_liveness_alive(lv[0], "n1") &&
         !node_liveness_alive(lv[0], "n9") && node_liveness_count(lv[0]) == 1;
    ok = ok && node_liveness_set_ready(lv[1], true) == MPC_OK &&
         wait_alive(lv[0], "n1", true) && node_liveness_count(lv[0]) == 2;
    ok = ok && node_liveness_registry(lv[0]) != NULL &&
         node_liveness_peer_add(lv[0], "n2") == MPC_OK &&
         !node_liveness_alive(lv[0], "n2");
    /* A clean stop deletes the heartbeat: gone at once, not after the
     * window. */
    node_liveness_stop(lv[1]);
    lv[1] = NULL;
    ok =
        ok && wait_alive(lv[0], "n1", false) && node_liveness_count(lv[0]) == 1;
    node_liveness_stop(lv[0]);
    node_liveness_stop(lv[1]);
    return ok;
}

TEST(reshare_liveness_view)
{
    node_mem_bus *bus = NULL;
    node_transport *t[2] = {NULL, NULL};
    bool ok = node_mem_bus_new(&bus) == MPC_OK &&
              node_transport_mem_new(&t[0], bus, "n0") == MPC_OK &&
              node_transport_mem_new(&t[1], bus, "n1") == MPC_OK;
    CHECK(ok && view_body(t));
    node_liveness_stop(NULL);
    node_liveness *none = (node_liveness *)1;
    CHECK_ERR(node_liveness_start(&none, NULL, "n0", NULL, 0),
              MPC_ERR_INVALID_ARG);
    CHECK(none == NULL);
    for (int i = 0; i < 2; i++)
        node_transport_free(t[i]);
    node_mem_bus_free(bus);
}

/* ---- sessions: a peer added while the node runs ---------------------------
 */

#define GROW_NODES 3

static const char *const grow_ids[GROW_NODES] = {"ga", "gb", "gc"};

typedef struct growfx {
    node_mem_bus *bus;
    node_transport *t[GROW_NODES];
    const mpc_ctx *ctx[GROW_NODES];
    node_envelope_self self[GROW_NODES];
    /* Room for every other node; ga and gb start knowing each other only. */
    node_envelope_peer peers[GROW_NODES][GROW_NODES - 1];
    uint8_t pk[GROW_NODES][32];
    node_sessions *m[GROW_NODES];
} growfx;

static bool grow_init(growfx *f)
{
    memset(f, 0, sizeof *f);
    uint8_t sk[GROW_NODES][64];
    REQUIRE_OK(node_mem_bus_new(&f->bus));
    for (int i = 0; i < GROW_NODES; i++) {
        uint8_t seed[32];
        memset(seed, 0x40 + i, sizeof seed);
        REQUIRE(crypto_sign_seed_keypair(f->pk[i], sk[i], seed) == 0);
        REQUIRE_OK(node_envelope_self_init(&f->self[i], grow_ids[i], sk[i]));
        REQUIRE_OK(node_transport_mem_new(&f->t[i], f->bus, grow_ids[i]));
        char label[32];
        snprintf(label, sizeof label, "reshare-grow-%d", i);
        f->ctx[i] = test_new_ctx(label);
        REQUIRE(f->ctx[i] != NULL);
    }
    sodium_memzero(sk, sizeof sk);
    /* ga: gb; gb: ga; gc (the new node): ga, gb. */
    for (int i = 0; i < GROW_NODES; i++) {
        size_t k = 0;
        for (int j = 0; j < GROW_NODES; j++)
            if (j != i && (i == 2 || j != 2))
                REQUIRE_OK(node_envelope_peer_init(
                    &f->peers[i][k++], &f->self[i], grow_ids[j], f->pk[j]));
        REQUIRE_OK(node_sessions_new(&f->m[i], f->t[i], f->ctx[i], &f->self[i],
                                     f->peers[i], k));
    }
    return true;
}

static void grow_done(growfx *f)
{
    for (int i = 0; i < GROW_NODES; i++) {
        node_sessions_free(f->m[i]);
        node_transport_free(f->t[i]);
        node_envelope_self_clear(&f->self[i]);
        for (int k = 0; k < GROW_NODES - 1; k++)
            node_envelope_peer_clear(&f->peers[i][k]);
    }
    node_mem_bus_free(f->bus);
}

static bool grow_dkg(growfx *f)
{
    node_session_spec spec = {
        .op = NODE_ENVELOPE_OP_KEYGEN_EDDSA,
        .protocol = &mpc_frost_dkg_protocol,
        .parties = grow_ids,
        .n_parties = GROW_NODES,
        .threshold = 2,
        .round_timeout_ms = 10000,
        .barrier_timeout_ms = 5000,
    };
    memset(spec.sid, 0x6e, sizeof spec.sid);
    node_session *s[GROW_NODES];
    /* ga does not know gc yet. */
    REQUIRE(node_session_start(f->m[0], &s[0], &spec) == MPC_ERR_INVALID_ARG);
    /* The operator adds gc; ga and gb re-read their peers files. */
    REQUIRE(node_sessions_peers_grow(f->m[0], 0) == MPC_ERR_INVALID_ARG);
    REQUIRE(node_sessions_peers_grow(NULL, 2) == MPC_ERR_INVALID_ARG);
    REQUIRE(node_sessions_peers_grow(f->m[0], MPC_SESSION_PARTIES_MAX) ==
            MPC_ERR_INVALID_ARG);
    for (int i = 0; i < 2; i++) {
        REQUIRE_OK(node_envelope_peer_init(&f->peers[i][1], &f->self[i],
                                           grow_ids[2], f->pk[2]));
        REQUIRE_OK(node_sessions_peers_grow(f->m[i], 2));
    }
    for (int i = 0; i < GROW_NODES; i++)
        REQUIRE_OK(node_session_start(f->m[i], &s[i], &spec));
    mpc_frost_key_result key[GROW_NODES];
    bool ok = true;
    for (int i = 0; i < GROW_NODES; i++) {
        mpc_blame b;
        ok =
            node_session_join(s[i], &key[i], sizeof key[i], &b) == MPC_OK && ok;
    }
    for (int i = 0; ok && i < GROW_NODES; i++)
        ok = key[i].has_key &&
             mpc_point_eq(mpc_ctx_group(f->ctx[0], MPC_CURVE_ED25519),
                          &key[i].group_pk, &key[0].group_pk);
    for (int i = 0; i < GROW_NODES; i++)
        mpc_frost_key_result_clear(&key[i]);
    return ok;
}

TEST(reshare_sessions_peer_added_while_running)
{
    growfx *f = calloc(1, sizeof *f);
    CHECK(f != NULL && grow_init(f) && grow_dkg(f));
    if (f != NULL)
        grow_done(f);
    free(f);
}
