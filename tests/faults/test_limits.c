/*
 * tests/faults/test_limits.c — per-operation concurrency limits: with
 * max_concurrent_signing 2, twelve signing requests published at once all
 * succeed; at most two are ever in hand (the shared durable's
 * MaxAckPending is the limit, and each node pulls only while it has a free
 * slot), the rest wait in JetStream, none is dropped.
 */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/client_proto.h"
#include "tests/harness/test.h"
#include "tests/integration/cluster.h"

#define CLIENT_ID "svc-lim"
#define SIGNS 12
#define WAIT_MS 60000

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000,
                          .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static bool publish(cluster *c, node_client_op op, const char *id)
{
    node_client_request *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL);
    r->op = op;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, "lim-wallet");
    bool ok = true;
    if (op == NODE_CLIENT_OP_SIGN) {
        r->key_type = NODE_CLIENT_KEY_ED25519;
        snprintf(r->tx_id.s, sizeof r->tx_id.s, "%s", id);
        r->tx_len = strlen(id);
        r->tx = malloc(r->tx_len);
        ok = r->tx != NULL;
        if (ok)
            memcpy(r->tx, id, r->tx_len);
    }
    ok = ok && cluster_publish(c, r, CLIENT_ID);
    node_client_request_clear(r);
    free(r);
    return ok;
}

/* Successful results in `in`, each tx id counted once; false on an error
 * result or a second result for one id. */
static bool successes(cluster_inbox *in, int *count)
{
    *count = 0;
    bool seen[SIGNS] = {false};
    const char *d = NULL;
    size_t len = 0;
    bool ok = true;
    for (int k = 0; (d = cluster_inbox_get(in, k, NULL, &len)) != NULL; k++) {
        json_error_t je;
        json_t *j = json_loadb(d, len, 0, &je);
        const char *tx = json_string_value(json_object_get(j, "tx_id"));
        const char *rt = json_string_value(json_object_get(j, "result_type"));
        int i = -1;
        if (tx != NULL && sscanf(tx, "lim-tx-%d", &i) == 1 && i >= 0 &&
            i < SIGNS && rt != NULL && strcmp(rt, "success") == 0 && !seen[i]) {
            seen[i] = true;
            (*count)++;
        } else {
            printf("  unexpected result: %.*s\n", (int)len, d);
            ok = false;
        }
        json_decref(j);
    }
    return ok;
}

static bool flow(cluster *c, cluster_inbox *keygen, cluster_inbox *sign)
{
    REQUIRE(publish(c, NODE_CLIENT_OP_KEYGEN, "lim-wallet"));
    REQUIRE(cluster_inbox_wait(keygen, 1, WAIT_MS));
    node_js_consumer_info ci;
    REQUIRE_OK(node_transport_consumer_info(
        cluster_client(c), node_client_request_stream(NODE_CLIENT_OP_SIGN),
        node_client_request_durable(NODE_CLIENT_OP_SIGN), &ci));
    REQUIRE(ci.max_ack_pending == 2);
    char tx[32];
    for (int i = 0; i < SIGNS; i++) {
        snprintf(tx, sizeof tx, "lim-tx-%d", i);
        REQUIRE(publish(c, NODE_CLIENT_OP_SIGN, tx));
    }
    uint64_t most_in_hand = 0, most_waiting = 0;
    int done = 0;
    for (int64_t until = mono_ms() + WAIT_MS; done < SIGNS && mono_ms() < until;
         sleep_ms(20)) {
        REQUIRE(successes(sign, &done));
        if (node_transport_consumer_info(
                cluster_client(c),
                node_client_request_stream(NODE_CLIENT_OP_SIGN),
                node_client_request_durable(NODE_CLIENT_OP_SIGN),
                &ci) == MPC_OK) {
            if (ci.num_ack_pending > most_in_hand)
                most_in_hand = ci.num_ack_pending;
            if (ci.num_pending > most_waiting)
                most_waiting = ci.num_pending;
        }
    }
    printf("  %d of %d signed; at most %llu in hand, %llu waiting\n", done,
           SIGNS, (unsigned long long)most_in_hand,
           (unsigned long long)most_waiting);
    REQUIRE(done == SIGNS);
    REQUIRE(most_in_hand <= 2);
    /* Some waited in JetStream rather than being pulled. */
    REQUIRE(most_waiting > 0);
    sleep_ms(500);
    REQUIRE(successes(sign, &done) && done == SIGNS);
    return true;
}

TEST(faults_signing_limit_two_all_succeed)
{
    cluster_opts o = {.nodes = 3,
                      .ecdsa_fixtures = true,
                      .extra_yaml = "max_concurrent_signing: 2\n"};
    cluster *c = NULL;
    CHECK(cluster_start(&c, &o));
    cluster_inbox *keygen = NULL, *sign = NULL;
    bool ok = cluster_inbox_open(c, &keygen,
                                 "mpc.mpc_keygen_result." CLIENT_ID ".*") &&
              cluster_inbox_open(c, &sign,
                                 "mpc.mpc_signing_result." CLIENT_ID ".*") &&
              flow(c, keygen, sign);
    cluster_inbox_close(keygen);
    cluster_inbox_close(sign);
    for (int i = 0; ok && i < 3; i++)
        ok = cluster_node_stop(c, i, SIGTERM);
    cluster_stop(c, !ok);
    CHECK(ok);
}
