/*
 * tests/integration/test_node_eddsa.c — three mpcium-node processes on a
 * private nats-server: EdDSA keygen, then signing, through mpcium's client
 * protocol exactly as its clients publish it (JSON, initiator signature,
 * with and without ClientID). A client receives only its own results; the
 * signature is checked with libsodium.
 */
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/client_proto.h"
#include "tests/harness/test.h"
#include "tests/integration/cluster.h"

#define RESULT_WAIT_MS 20000

static bool b64_field(const char *data, size_t len, const char *key,
                      uint8_t *out, size_t want)
{
    REQUIRE(data != NULL);
    json_error_t je;
    json_t *j = json_loadb(data, len, 0, &je);
    REQUIRE(j != NULL);
    const char *s = json_string_value(json_object_get(j, key));
    const char *rt = json_string_value(json_object_get(j, "result_type"));
    size_t n = 0;
    bool ok = rt != NULL && strcmp(rt, "success") == 0 && s != NULL &&
              sodium_base642bin(out, want, s, strlen(s), NULL, &n, NULL,
                                sodium_base64_VARIANT_ORIGINAL) == 0 &&
              n == want;
    if (!ok)
        printf("result: %.*s\n", (int)len, data);
    json_decref(j);
    return ok;
}

/* /health is ready and /metrics shows every session torn down. The
 * committee's ECDSA aux-info session runs in the background once every
 * node has its Paillier primes: wait (bounded) for it to end too. */
static bool check_http(cluster *c)
{
    char *buf = malloc(16384);
    REQUIRE(buf != NULL);
    bool ok = false;
    for (int waited = 0; !ok && waited < 60000; waited += 250) {
        if (waited > 0) {
            struct timespec ts = {.tv_sec = 0, .tv_nsec = 250000000L};
            nanosleep(&ts, NULL);
        }
        ok = cluster_http_get(c, 0, "/health", buf, 16384) &&
             strstr(buf, "200 OK") != NULL &&
             strstr(buf, "\"status\":\"ready\"") != NULL;
        ok = ok && cluster_http_get(c, 0, "/metrics", buf, 16384) &&
             strstr(buf, "\nmpcium_sessions_live 0\n") != NULL &&
             strstr(buf, "\nmpcium_session_threads_live 0\n") != NULL &&
             strstr(buf, "\nmpcium_session_subscriptions_live 0\n") != NULL;
    }
    ok = ok && strstr(buf, "\nmpcium_sessions_failed_total 0\n") != NULL;
    if (!ok)
        printf("http: %s\n", buf);
    free(buf);
    return ok;
}

static bool keygen(cluster *c, cluster_inbox *mine, cluster_inbox *legacy,
                   node_client_request *r, uint8_t pk[32])
{
    r->op = NODE_CLIENT_OP_KEYGEN;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, "it-wallet-1");
    bool ok = cluster_publish(c, r, "svc-a");
    node_client_request_clear(r);
    REQUIRE(ok && cluster_inbox_wait(mine, 1, RESULT_WAIT_MS));
    size_t len = 0;
    const char *d = cluster_inbox_find(
        mine, "mpc.mpc_keygen_result.svc-a.it-wallet-1", &len);
    REQUIRE(b64_field(d, len, "eddsa_pub_key", pk, 32));
    REQUIRE(cluster_inbox_count(legacy) == 0);
    return true;
}

/* Sign without ClientID: the legacy subject only. */
static bool sign(cluster *c, cluster_inbox *mine, cluster_inbox *legacy,
                 node_client_request *r, const uint8_t pk[32])
{
    static const char tx[] = "integration transfer";
    r->op = NODE_CLIENT_OP_SIGN;
    r->key_type = NODE_CLIENT_KEY_ED25519;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, "it-wallet-1");
    snprintf(r->tx_id.s, sizeof r->tx_id.s, "it-tx-1");
    r->tx_len = sizeof tx - 1;
    r->tx = malloc(r->tx_len);
    REQUIRE(r->tx != NULL);
    memcpy(r->tx, tx, r->tx_len);
    bool ok = cluster_publish(c, r, NULL);
    node_client_request_clear(r);
    REQUIRE(ok && cluster_inbox_wait(legacy, 1, RESULT_WAIT_MS));
    const char *subject = NULL;
    size_t len = 0;
    const char *d = cluster_inbox_get(legacy, 0, &subject, &len);
    REQUIRE(d != NULL &&
            strcmp(subject, "mpc.mpc_signing_result.complete") == 0);
    uint8_t sig[64];
    REQUIRE(b64_field(d, len, "signature", sig, sizeof sig));
    REQUIRE(crypto_sign_verify_detached(sig, (const uint8_t *)tx, sizeof tx - 1,
                                        pk) == 0);
    REQUIRE(cluster_inbox_count(mine) == 0);
    return true;
}

static bool flow(cluster *c)
{
    static const char *const pattern[4] = {
        "mpc.mpc_keygen_result.svc-a.*", "mpc.mpc_keygen_result.*",
        "mpc.mpc_signing_result.svc-a.*", "mpc.mpc_signing_result.*"};
    cluster_inbox *in[4] = {NULL, NULL, NULL, NULL};
    bool ok = true;
    for (int i = 0; ok && i < 4; i++)
        ok = cluster_inbox_open(c, &in[i], pattern[i]);
    node_client_request *r = calloc(1, sizeof *r);
    uint8_t pk[32];
    ok = ok && r != NULL && keygen(c, in[0], in[1], r, pk) &&
         sign(c, in[2], in[3], r, pk);
    free(r);
    for (int i = 0; i < 4; i++)
        cluster_inbox_close(in[i]);
    return ok;
}

TEST(node_eddsa_keygen_then_sign_three_processes)
{
    cluster *c = NULL;
    bool ok = cluster_start(&c, NULL);
    ok = ok && flow(c) && check_http(c);
    /* SIGTERM: every node shuts down cleanly, and says so. */
    for (int i = 0; ok && i < 3; i++)
        ok = cluster_node_stop(c, i, SIGTERM);
    for (int i = 0; ok && i < 3; i++)
        ok = cluster_log_has(c, i, "msg=\"stopped\"");
    cluster_stop(c, !ok);
    CHECK(ok);
}
