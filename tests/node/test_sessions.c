/*
 * tests/node/test_sessions.c — the session manager over transport_mem:
 * three nodes in one process run FROST DKG, then sign, through signed and
 * sealed envelopes, the barrier and one owner thread per session.
 */
#define _GNU_SOURCE /* memmem */
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mpc/frost_session.h"
#include "mpc/hd.h"
#include "node/http.h"
#include "node/metrics.h"
#include "node/ops.h"
#include "node/sessions.h"
#include "tests/harness/test.h"
#include "tests/node/keystore_fixture.h"
#include "tests/node/mem_cluster.h"

#define NODES MEM_CLUSTER_NODES

static const char *const ids[NODES] = {"node0", "node1", "node2"};

typedef mem_cluster cluster;

/* Drops every copy to node2 while set: a silent party. */
static bool drop_to_node2(void *ud, const char *from, const char *to,
                          const char *subject)
{
    (void)ud;
    (void)from;
    (void)subject;
    return strcmp(to, "node2") != 0;
}

static bool cluster_init(cluster *c)
{
    return mem_cluster_init(c, ids, 0x11, "sessions");
}

static void cluster_free(cluster *c)
{
    mem_cluster_free(c);
}

/* Every counter of every node back to its baseline. */
static bool cluster_idle(cluster *c)
{
    for (int i = 0; i < NODES; i++) {
        node_sessions_stats st;
        node_sessions_stats_get(c->m[i], &st);
        REQUIRE(st.live_sessions == 0);
        REQUIRE(st.live_threads == 0);
        REQUIRE(st.live_subs == 0);
        node_transport_stats ts;
        node_transport_stats_get(c->t[i], &ts);
        REQUIRE(ts.live_subs == 0);
    }
    return true;
}

/* A FROST DKG (threshold 2) among all three nodes with a session id of 32
 * bytes `sid`; no round timeout (the default). */
static node_session_spec dkg_spec(uint8_t sid, uint32_t barrier_timeout_ms)
{
    node_session_spec spec = {
        .op = NODE_ENVELOPE_OP_KEYGEN_EDDSA,
        .protocol = &mpc_frost_dkg_protocol,
        .parties = ids,
        .n_parties = NODES,
        .threshold = 2,
        .barrier_timeout_ms = barrier_timeout_ms,
    };
    memset(spec.sid, sid, sizeof spec.sid);
    return spec;
}

/* Runs FROST DKG (threshold 2) on all three nodes. */
static bool run_dkg(cluster *c, mpc_frost_key_result key[NODES])
{
    node_session_spec spec = dkg_spec(0xd1, 5000);
    spec.round_timeout_ms = 10000;
    node_session *s[NODES];
    for (int i = 0; i < NODES; i++)
        REQUIRE_OK(node_session_start(c->m[i], &s[i], &spec));
    bool ok = true;
    for (int i = 0; i < NODES; i++) {
        mpc_blame b;
        mpc_err e = node_session_join(s[i], &key[i], sizeof key[i], &b);
        if (e != MPC_OK)
            fprintf(stderr, "dkg node%d: %s (%s)\n", i, mpc_err_str(e),
                    b.detail);
        ok = ok && e == MPC_OK;
    }
    return ok;
}

/* Signs `msg` with signers (a, b) of the DKG committee. */
static bool run_sign(cluster *c, const mpc_frost_key_result key[NODES], int a,
                     int b, const mpc_hd_child *derive, const uint8_t *msg,
                     size_t len, mpc_frost_sign_result res[2])
{
    const int who[2] = {a, b};
    const char *parties[2] = {ids[a], ids[b]};
    mpc_scalar sids[2] = {key[0].ids[a], key[0].ids[b]};
    mpc_point vsh[2] = {key[0].vshares[a], key[0].vshares[b]};
    node_session *s[2];
    for (int k = 0; k < 2; k++) {
        mpc_frost_sign_input in = {
            .key = &key[who[k]].key,
            .ids = sids,
            .vshares = vsh,
            .n_signers = 2,
            .msg = msg,
            .msg_len = len,
            .derive = derive,
        };
        node_session_spec spec = {
            .op = NODE_ENVELOPE_OP_SIGN_EDDSA,
            .protocol = &mpc_frost_sign_protocol,
            .input = &in,
            .parties = parties,
            .n_parties = 2,
            .threshold = 2,
        };
        memset(spec.sid, 0x5a, sizeof spec.sid);
        spec.sid[0] = (uint8_t)len;
        REQUIRE_OK(node_session_start(c->m[who[k]], &s[k], &spec));
    }
    for (int k = 0; k < 2; k++)
        REQUIRE_OK(node_session_join(s[k], &res[k], sizeof res[k], NULL));
    return true;
}

TEST(sessions_dkg_then_sign_three_nodes)
{
    cluster c;
    CHECK(cluster_init(&c));
    mpc_frost_key_result key[NODES];
    memset(key, 0, sizeof key);
    CHECK(run_dkg(&c, key));
    const mpc_group *g = mpc_ctx_group(c.ctx[0], MPC_CURVE_ED25519);
    for (int i = 1; i < NODES; i++)
        CHECK(mpc_point_eq(g, &key[0].group_pk, &key[i].group_pk));
    uint8_t gpk[32];
    mpc_point_serialize(g, gpk, &key[0].group_pk);

    static const uint8_t msg[] = "mpcium-c sessions test";
    mpc_frost_sign_result res[2];
    CHECK(run_sign(&c, key, 0, 2, NULL, msg, sizeof msg, res));
    CHECK_MEM(res[0].sig, res[1].sig, sizeof res[0].sig);
    CHECK_MEM(res[0].pk, gpk, sizeof gpk);
    CHECK(crypto_sign_verify_detached(res[0].sig, msg, sizeof msg, gpk) == 0);

    /* A derived child key, signed by the other pair. */
    uint8_t chain[MPC_HD_CHAIN_CODE_BYTES];
    memset(chain, 0xcc, sizeof chain);
    const uint32_t path[3] = {44, 501, 7};
    mpc_hd_child child;
    CHECK_OK(mpc_hd_derive(g, &child, &key[0].group_pk, chain, path, 3));
    CHECK(run_sign(&c, key, 1, 2, &child, msg, sizeof msg - 1, res));
    uint8_t cpk[32];
    mpc_point_serialize(g, cpk, &child.pub);
    CHECK_MEM(res[0].pk, cpk, sizeof cpk);
    CHECK(crypto_sign_verify_detached(res[1].sig, msg, sizeof msg - 1, cpk) ==
          0);

    CHECK(cluster_idle(&c));
    node_sessions_stats st;
    node_sessions_stats_get(c.m[2], &st);
    CHECK(st.started == 3 && st.succeeded == 3 && st.failed == 0);
    for (int i = 0; i < NODES; i++)
        mpc_frost_key_result_clear(&key[i]);
    cluster_free(&c);
}

TEST(sessions_barrier_times_out_on_silent_party)
{
    cluster c;
    CHECK(cluster_init(&c));
    node_mem_bus_set_filter(c.bus, drop_to_node2, NULL);
    node_session_spec spec = dkg_spec(0xb7, 700);
    node_session *s[2];
    for (int i = 0; i < 2; i++)
        CHECK_OK(node_session_start(c.m[i], &s[i], &spec));
    for (int i = 0; i < 2; i++) {
        mpc_frost_key_result key;
        mpc_blame b;
        CHECK_ERR(node_session_join(s[i], &key, sizeof key, &b),
                  MPC_ERR_TIMEOUT);
        CHECK(b.reason == MPC_BLAME_TIMEOUT && !b.attributable);
        CHECK(b.round == 0 && mpc_blame_has(&b, 2) && mpc_blame_count(&b) == 1);
        static const uint8_t zero[sizeof key];
        CHECK_MEM(&key, zero, sizeof key);
    }
    node_mem_bus_set_filter(c.bus, NULL, NULL);
    CHECK(cluster_idle(&c));
    cluster_free(&c);
}

TEST(sessions_cancel_stops_owner)
{
    cluster c;
    CHECK(cluster_init(&c));
    node_session_spec spec = dkg_spec(0xca, 60000);
    node_session *s;
    CHECK_OK(node_session_start(c.m[0], &s, &spec));
    node_sessions_stats st;
    node_sessions_stats_get(c.m[0], &st);
    CHECK(st.live_sessions == 1 && st.live_subs == 3);
    node_session_cancel(s);
    mpc_frost_key_result key;
    CHECK_ERR(node_session_join(s, &key, sizeof key, NULL), MPC_ERR_STATE);
    CHECK(cluster_idle(&c));
    cluster_free(&c);
}

TEST(sessions_cancel_all_fails_running_and_later_sessions)
{
    cluster c;
    CHECK(cluster_init(&c));
    node_session_spec spec = dkg_spec(0xcb, 60000);
    node_session *s1, *s2, *later;
    CHECK_OK(node_session_start(c.m[0], &s1, &spec));
    spec.sid[0] ^= 1;
    CHECK_OK(node_session_start(c.m[0], &s2, &spec));
    /* Another manager's session is not touched. */
    node_session *other;
    CHECK_OK(node_session_start(c.m[1], &other, &spec));
    node_sessions_cancel_all(c.m[0]);
    node_sessions_cancel_all(c.m[0]); /* idempotent */
    node_sessions_cancel_all(NULL);
    mpc_frost_key_result key;
    mpc_blame b;
    CHECK_ERR(node_session_join(s2, &key, sizeof key, &b), MPC_ERR_STATE);
    CHECK(b.err == MPC_ERR_STATE && b.reason == MPC_BLAME_NONE);
    CHECK(strcmp(b.detail, "node shutting down") == 0);
    CHECK(mpc_blame_count(&b) == 0);
    CHECK_ERR(node_session_join(s1, &key, sizeof key, &b), MPC_ERR_STATE);
    CHECK(strcmp(b.detail, "node shutting down") == 0);
    /* Started after: fails at once, the same way. */
    spec.sid[0] ^= 2;
    CHECK_OK(node_session_start(c.m[0], &later, &spec));
    CHECK_ERR(node_session_join(later, &key, sizeof key, &b), MPC_ERR_STATE);
    CHECK(strcmp(b.detail, "node shutting down") == 0);
    node_sessions_stats st;
    node_sessions_stats_get(c.m[0], &st);
    CHECK(st.live_sessions == 0 && st.failed == 3);
    node_sessions_stats_get(c.m[1], &st);
    CHECK(st.live_sessions == 1);
    node_session_cancel(other);
    CHECK_ERR(node_session_join(other, &key, sizeof key, &b), MPC_ERR_STATE);
    CHECK(strcmp(b.detail, "cancelled") == 0);
    CHECK(cluster_idle(&c));
    cluster_free(&c);
}

TEST(sessions_start_rejects_bad_specs)
{
    cluster c;
    CHECK(cluster_init(&c));
    const char *not_me[2] = {"node1", "node2"};
    const char *unknown[3] = {"node0", "node1", "nodeX"};
    const char *twice[3] = {"node0", "node1", "node1"};
    const char *const *bad[3] = {not_me, unknown, twice};
    const size_t nbad[3] = {2, 3, 3};
    node_session *s = (node_session *)&c;
    for (int k = 0; k < 3; k++) {
        node_session_spec spec = {
            .op = NODE_ENVELOPE_OP_KEYGEN_EDDSA,
            .protocol = &mpc_frost_dkg_protocol,
            .parties = bad[k],
            .n_parties = nbad[k],
            .threshold = 2,
        };
        CHECK_ERR(node_session_start(c.m[0], &s, &spec), MPC_ERR_INVALID_ARG);
        CHECK(s == NULL);
    }
    node_session_spec spec = {
        .op = NODE_ENVELOPE_OP_KEYGEN_EDDSA,
        .protocol = &mpc_frost_dkg_protocol,
        .parties = ids,
        .n_parties = NODES,
        .threshold = 2,
        .round_timeout_ms = NODE_ENVELOPE_TIMEOUT_MAX_MS + 1,
    };
    CHECK_ERR(node_session_start(c.m[0], &s, &spec), MPC_ERR_INVALID_ARG);
    spec.round_timeout_ms = 0;
    spec.threshold = 4; /* the protocol refuses t > n */
    CHECK_ERR(node_session_start(c.m[0], &s, &spec), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_session_start(NULL, &s, &spec), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_session_join(NULL, NULL, 0, NULL), MPC_ERR_INVALID_ARG);
    CHECK(cluster_idle(&c));
    cluster_free(&c);
}

/* ---- ops: client requests end to end over the mem bus ------------------- */

typedef mem_ops opsfx;

static bool opsfx_init(opsfx *f)
{
    REQUIRE(mem_ops_prepare(f, ids, 0x11, "sessions"));
    for (int i = 0; i < NODES; i++)
        REQUIRE(mem_ops_start(f, i, 10000, NULL));
    return true;
}

static void opsfx_done(opsfx *f)
{
    mem_ops_done(f);
}

/* A request body as mpcium's Go client publishes it, signed. */
static uint8_t *make_request(const opsfx *f, size_t *len, node_client_op op,
                             const char *wallet, const char *tx_id,
                             const char *tx, const uint32_t *path,
                             size_t path_len, bool bad_sig)
{
    mem_ops_req q = {.op = op,
                     .wallet = wallet,
                     .key_type = NODE_CLIENT_KEY_ED25519,
                     .network = "solana-devnet",
                     .tx_id = tx_id,
                     .tx = (const uint8_t *)tx,
                     .tx_len = tx != NULL ? strlen(tx) : 0,
                     .path = path,
                     .path_len = path_len,
                     .bad_sig = bad_sig};
    return mem_ops_request(f, len, &q);
}

/* A base64 string field of a result. */
static bool json_b64(const node_ops_outcome *oc, const char *key, uint8_t *out,
                     size_t want)
{
    json_error_t je;
    json_t *j = json_loadb((const char *)oc->result, oc->result_len, 0, &je);
    REQUIRE(j != NULL);
    const char *s = json_string_value(json_object_get(j, key));
    size_t n = 0;
    bool ok = s != NULL &&
              sodium_base642bin(out, want, s, strlen(s), NULL, &n, NULL,
                                sodium_base64_VARIANT_ORIGINAL) == 0 &&
              n == want;
    json_decref(j);
    return ok;
}

static bool ops_flow(opsfx *f)
{
    size_t len = 0;
    node_ops_outcome oc;
    uint8_t *body = make_request(f, &len, NODE_CLIENT_OP_KEYGEN, "wallet-1",
                                 NULL, NULL, NULL, 0, false);
    REQUIRE(body != NULL);
    REQUIRE_OK(node_ops_handle(f->o[1], &oc, NODE_CLIENT_OP_KEYGEN, body, len,
                               "svc-a"));
    REQUIRE(oc.code == NODE_CLIENT_CODE_NONE && !oc.replayed);
    REQUIRE(strcmp(oc.subject, "mpc.mpc_keygen_result.svc-a.wallet-1") == 0);
    uint8_t pk[32];
    REQUIRE(json_b64(&oc, "eddsa_pub_key", pk, sizeof pk));
    char first_id[NODE_CLIENT_NAME_MAX_BYTES];
    memcpy(first_id, oc.msg_id, sizeof first_id);
    node_ops_outcome_clear(&oc);

    /* The same request again: the stored result, the same Nats-Msg-Id. */
    REQUIRE_OK(node_ops_handle(f->o[1], &oc, NODE_CLIENT_OP_KEYGEN, body, len,
                               "svc-a"));
    REQUIRE(oc.replayed && strcmp(oc.msg_id, first_id) == 0);
    uint8_t pk2[32];
    REQUIRE(json_b64(&oc, "eddsa_pub_key", pk2, sizeof pk2));
    REQUIRE(memcmp(pk, pk2, 32) == 0);
    node_ops_outcome_clear(&oc);
    free(body);

    /* Every node stored its share: sign from another coordinator. */
    static const char tx[] = "transfer 1 SOL";
    body = make_request(f, &len, NODE_CLIENT_OP_SIGN, "wallet-1", "tx-1", tx,
                        NULL, 0, false);
    REQUIRE(body != NULL);
    REQUIRE_OK(
        node_ops_handle(f->o[2], &oc, NODE_CLIENT_OP_SIGN, body, len, NULL));
    REQUIRE(oc.code == NODE_CLIENT_CODE_NONE);
    REQUIRE(strcmp(oc.subject, "mpc.mpc_signing_result.complete") == 0);
    uint8_t sig[64];
    REQUIRE(json_b64(&oc, "signature", sig, sizeof sig));
    REQUIRE(crypto_sign_verify_detached(sig, (const uint8_t *)tx, sizeof tx - 1,
                                        pk) == 0);
    node_ops_outcome_clear(&oc);
    free(body);

    /* A derived key (mpcium's Ed25519 derivation, our chain code). */
    const uint32_t path[2] = {44, 501};
    body = make_request(f, &len, NODE_CLIENT_OP_SIGN, "wallet-1", "tx-2", tx,
                        path, 2, false);
    REQUIRE(body != NULL);
    REQUIRE_OK(
        node_ops_handle(f->o[0], &oc, NODE_CLIENT_OP_SIGN, body, len, "svc-a"));
    REQUIRE(oc.code == NODE_CLIENT_CODE_NONE);
    REQUIRE(json_b64(&oc, "signature", sig, sizeof sig));
    const mpc_group *g = mpc_ctx_group(f->c.ctx[0], MPC_CURVE_ED25519);
    mpc_point master;
    mpc_hd_child child;
    uint8_t cc[MPC_HD_CHAIN_CODE_BYTES], cpk[32];
    memset(cc, 0xcc, sizeof cc);
    REQUIRE_OK(mpc_point_parse(g, &master, pk, 32));
    REQUIRE_OK(mpc_hd_derive(g, &child, &master, cc, path, 2));
    mpc_point_serialize(g, cpk, &child.pub);
    REQUIRE(crypto_sign_verify_detached(sig, (const uint8_t *)tx, sizeof tx - 1,
                                        cpk) == 0);
    node_ops_outcome_clear(&oc);
    free(body);

    /* Same tx id, other content: a duplicate, answered at once. */
    body = make_request(f, &len, NODE_CLIENT_OP_SIGN, "wallet-1", "tx-2",
                        "other", NULL, 0, false);
    REQUIRE(body != NULL);
    REQUIRE_OK(
        node_ops_handle(f->o[0], &oc, NODE_CLIENT_OP_SIGN, body, len, "svc-a"));
    REQUIRE(oc.code == NODE_CLIENT_CODE_SESSION_DUPLICATE);
    node_ops_outcome_clear(&oc);
    free(body);

    /* A bad initiator signature and an unknown wallet: errors at once. */
    body = make_request(f, &len, NODE_CLIENT_OP_SIGN, "wallet-1", "tx-3", tx,
                        NULL, 0, true);
    REQUIRE(body != NULL);
    REQUIRE_OK(
        node_ops_handle(f->o[0], &oc, NODE_CLIENT_OP_SIGN, body, len, NULL));
    REQUIRE(oc.code == NODE_CLIENT_CODE_INVALID_INITIATOR_SIGNATURE);
    /* Refused, it still names its tx, but under a Nats-Msg-Id of its own:
     * the real request's result must not be dropped as its duplicate. */
    REQUIRE(memmem(oc.result, oc.result_len, "\"tx_id\":\"tx-3\"",
                   strlen("\"tx_id\":\"tx-3\"")) != NULL);
    char refused_id[NODE_CLIENT_NAME_MAX_BYTES];
    memcpy(refused_id, oc.msg_id, sizeof refused_id);
    node_ops_outcome_clear(&oc);
    free(body);
    body = make_request(f, &len, NODE_CLIENT_OP_SIGN, "wallet-1", "tx-3", tx,
                        NULL, 0, false);
    REQUIRE(body != NULL);
    REQUIRE_OK(
        node_ops_handle(f->o[0], &oc, NODE_CLIENT_OP_SIGN, body, len, NULL));
    REQUIRE(oc.code == NODE_CLIENT_CODE_NONE);
    REQUIRE(strcmp(oc.msg_id, "mpc.mpc_signing_result.tx-3") == 0);
    REQUIRE(strncmp(refused_id, "mpc.mpc_signing_result.tx-3:", 28) == 0);
    node_ops_outcome_clear(&oc);
    free(body);
    body = make_request(f, &len, NODE_CLIENT_OP_SIGN, "wallet-9", "tx-4", tx,
                        NULL, 0, false);
    REQUIRE(body != NULL);
    REQUIRE_OK(
        node_ops_handle(f->o[0], &oc, NODE_CLIENT_OP_SIGN, body, len, NULL));
    REQUIRE(oc.code == NODE_CLIENT_CODE_KEY_NOT_FOUND);
    node_ops_outcome_clear(&oc);
    free(body);

    /* node2 already holds wallet-x: it refuses, and the result names it. */
    static const uint8_t junk[8] = {1};
    REQUIRE_OK(node_keystore_share_put(f->ks[2].ks, NODE_KEYSTORE_ED25519,
                                       "wallet-x", 1, junk, sizeof junk));
    body = make_request(f, &len, NODE_CLIENT_OP_KEYGEN, "wallet-x", NULL, NULL,
                        NULL, 0, false);
    REQUIRE(body != NULL);
    REQUIRE_OK(
        node_ops_handle(f->o[0], &oc, NODE_CLIENT_OP_KEYGEN, body, len, NULL));
    free(body);
    REQUIRE(oc.code != NODE_CLIENT_CODE_NONE);
    REQUIRE(memmem(oc.result, oc.result_len, "node2 failed",
                   strlen("node2 failed")) != NULL);
    REQUIRE(memmem(oc.result, oc.result_len, "ERROR_KEY_ALREADY_EXISTS",
                   strlen("ERROR_KEY_ALREADY_EXISTS")) != NULL);
    node_ops_outcome_clear(&oc);

    /* Not JSON: a keygen error result, at once. */
    REQUIRE_OK(node_ops_handle(f->o[0], &oc, NODE_CLIENT_OP_KEYGEN,
                               (const uint8_t *)"{", 1, NULL));
    REQUIRE(oc.code == NODE_CLIENT_CODE_UNMARSHAL_FAILURE);
    node_ops_outcome_clear(&oc);
    return true;
}

TEST(sessions_ops_keygen_sign_and_errors)
{
    opsfx *f = calloc(1, sizeof *f);
    CHECK(f != NULL);
    bool ok = opsfx_init(f) && ops_flow(f);
    opsfx_done(f);
    free(f);
    CHECK(ok);
}

/* ---- /health and /metrics rendering ------------------------------------- */

TEST(sessions_http_health_and_metrics_text)
{
    node_metrics_view v;
    memset(&v, 0, sizeof v);
    v.transport.connected = true;
    v.peers_ready = 2;
    v.peers_total = 3;
    v.threshold = 2;
    v.sessions.live_sessions = 1;
    v.sessions.failed = 7;
    char body[1024];
    CHECK(node_http_health(body, sizeof body, &v) == 200);
    CHECK(strcmp(body, "{\"status\":\"ready\",\"live\":true,\"ready\":true,"
                       "\"details\":{\"nats_connected\":true,"
                       "\"consul_connected\":true,"
                       "\"peers_ready_count\":\"2/3\","
                       "\"all_peers_ready\":false,"
                       "\"majority_ready\":true}}") == 0);
    v.peers_ready = 1;
    CHECK(node_http_health(body, sizeof body, &v) == 503);
    CHECK(strstr(body, "\"status\":\"not_ready\"") != NULL);
    v.peers_ready = 3;
    v.transport.connected = false;
    CHECK(node_http_health(body, sizeof body, &v) == 503);

    char text[4096];
    size_t n = node_metrics_render(text, sizeof text, &v);
    CHECK(n > 0 && n == strlen(text));
    CHECK(strstr(text, "# TYPE mpcium_sessions_live gauge\n"
                       "mpcium_sessions_live 1\n") != NULL);
    CHECK(strstr(text, "\nmpcium_sessions_failed_total 7\n") != NULL);
    CHECK(strstr(text, "\nmpcium_nats_connected 0\n") != NULL);
    CHECK(node_metrics_render(text, 64, &v) == 0 && text[0] == '\0');
}

/* ---- members check every start themselves ------------------------------- */

typedef struct spy {
    pthread_mutex_t mu;
    uint8_t data[1 << 16];
    size_t len;
} spy;

static void on_spy(const node_msg *m, void *ud)
{
    spy *s = ud;
    pthread_mutex_lock(&s->mu);
    if (m->len <= sizeof s->data) {
        memcpy(s->data, m->data, m->len);
        s->len = m->len;
    }
    pthread_mutex_unlock(&s->mu);
}

static uint64_t started_on(opsfx *f, int i)
{
    node_sessions_stats st;
    node_sessions_stats_get(f->c.m[i], &st);
    return st.started;
}

/* True when neither member started a session within `ms`. */
static bool members_stay_idle(opsfx *f, uint64_t s1, uint64_t s2, int ms)
{
    for (int waited = 0; waited < ms; waited += 20) {
        if (started_on(f, 1) != s1 || started_on(f, 2) != s2)
            return false;
        struct timespec ts = {.tv_nsec = 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return true;
}

/* A start from a genuine peer whose request does not verify. */
static bool forged_start(opsfx *f, uint8_t *env, size_t cap, size_t *len)
{
    size_t blen = 0;
    uint8_t *body = make_request(f, &blen, NODE_CLIENT_OP_SIGN, "wallet-1",
                                 "tx-forged", "steal", NULL, 0, true);
    REQUIRE(body != NULL);
    char *parties[2] = {(char *)ids[1], (char *)ids[2]};
    uint8_t nonce[32] = {1};
    Mpcium__V1__SessionStart s = MPCIUM__V1__SESSION_START__INIT;
    s.operation = MPCIUM__V1__OPERATION__OPERATION_SIGN_EDDSA;
    s.nonce.data = nonce;
    s.nonce.len = sizeof nonce;
    s.request.data = body;
    s.request.len = blen;
    s.n_parties = 2;
    s.parties = parties;
    s.threshold = 2;
    s.key_version = 1;
    s.round_timeout_ms = 1000;
    s.barrier_timeout_ms = 1000;
    uint8_t sb[4096];
    size_t slen = mpcium__v1__session_start__pack(&s, sb);
    free(body);
    node_envelope_meta meta = {.op = NODE_ENVELOPE_OP_SIGN_EDDSA,
                               .kind = NODE_ENVELOPE_SESSION_START};
    REQUIRE_OK(node_envelope_start_sid(meta.sid, ids[0], sb, slen));
    REQUIRE_OK(node_envelope_seal(f->c.ctx[0], env, cap, len, &f->c.self[0],
                                  NULL, &meta, sb, slen));
    return true;
}

static bool replay_flow(opsfx *f, node_transport *t, spy *sp)
{
    node_sub *sub = NULL;
    REQUIRE_OK(
        node_transport_subscribe(t, &sub, NODE_OPS_START_SUBJECT, on_spy, sp));
    size_t len = 0;
    node_ops_outcome oc;
    uint8_t *body = make_request(f, &len, NODE_CLIENT_OP_KEYGEN, "wallet-1",
                                 NULL, NULL, NULL, 0, false);
    REQUIRE(body != NULL);
    mpc_err e =
        node_ops_handle(f->o[0], &oc, NODE_CLIENT_OP_KEYGEN, body, len, NULL);
    free(body);
    REQUIRE_OK(e);
    REQUIRE(oc.code == NODE_CLIENT_CODE_NONE);
    node_ops_outcome_clear(&oc);
    REQUIRE_OK(node_mem_bus_flush(f->c.bus, 5000));

    /* The captured start again: members have run that session already. */
    uint64_t s1 = started_on(f, 1), s2 = started_on(f, 2);
    pthread_mutex_lock(&sp->mu);
    REQUIRE(sp->len > 0);
    e = node_transport_publish(t, NODE_OPS_START_SUBJECT, NULL, NULL, 0,
                               sp->data, sp->len);
    pthread_mutex_unlock(&sp->mu);
    REQUIRE_OK(e);
    REQUIRE(members_stay_idle(f, s1, s2, 400));

    /* A genuine peer's start carrying a request the initiator never
     * signed: members refuse it. */
    uint8_t env[8192];
    size_t elen = 0;
    REQUIRE(forged_start(f, env, sizeof env, &elen));
    REQUIRE_OK(node_transport_publish(t, NODE_OPS_START_SUBJECT, NULL, NULL, 0,
                                      env, elen));
    REQUIRE(members_stay_idle(f, s1, s2, 400));
    REQUIRE_OK(node_transport_unsubscribe(t, &sub));
    return true;
}

TEST(sessions_ops_members_refuse_replayed_and_forged_starts)
{
    opsfx *f = calloc(1, sizeof *f);
    spy *sp = calloc(1, sizeof *sp);
    CHECK(f != NULL && sp != NULL);
    pthread_mutex_init(&sp->mu, NULL);
    node_transport *t = NULL;
    bool ok = opsfx_init(f) &&
              node_transport_mem_new(&t, f->c.bus, "spy") == MPC_OK &&
              replay_flow(f, t, sp);
    node_transport_free(t);
    opsfx_done(f);
    pthread_mutex_destroy(&sp->mu);
    free(sp);
    free(f);
    CHECK(ok);
}
