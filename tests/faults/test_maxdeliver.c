/*
 * tests/faults/test_maxdeliver.c — mpcium's timeout consumer end to end:
 * a signing request whose result cannot be stored runs out of deliveries
 * (MaxDeliver 4, each delivery nak'ed), the server's max-deliveries
 * advisory reaches every node, and exactly one error result with
 * is_timeout true and ERROR_MAX_DELIVERY_ATTEMPTS is stored for the
 * client. The result stream "mpc" is deleted to make publishing fail (as
 * an outage of it would), and restored once the advisory is out.
 */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/client_proto.h"
#include "node/jsetup.h"
#include "tests/harness/test.h"
#include "tests/integration/cluster.h"

#define CLIENT_ID "svc-md"
#define WAIT_MS 30000

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
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, "md-wallet");
    bool ok = true;
    if (op == NODE_CLIENT_OP_SIGN) {
        r->key_type = NODE_CLIENT_KEY_ED25519;
        snprintf(r->tx_id.s, sizeof r->tx_id.s, "%s", id);
        snprintf(r->network_internal_code, sizeof r->network_internal_code,
                 "nic-7");
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

static bool result_type_is(cluster_inbox *in, const char *field, const char *id,
                           const char *want)
{
    for (int64_t until = mono_ms() + WAIT_MS; mono_ms() < until; sleep_ms(50)) {
        const char *d = NULL;
        size_t len = 0;
        for (int k = 0; (d = cluster_inbox_get(in, k, NULL, &len)) != NULL;
             k++) {
            json_error_t je;
            json_t *j = json_loadb(d, len, 0, &je);
            const char *v = json_string_value(json_object_get(j, field));
            const char *rt =
                json_string_value(json_object_get(j, "result_type"));
            bool match = v != NULL && strcmp(v, id) == 0 && rt != NULL &&
                         strcmp(rt, want) == 0;
            json_decref(j);
            if (match)
                return true;
        }
    }
    printf("  no %s result for %s\n", want, id);
    return false;
}

static bool stream_msgs(cluster *c, uint64_t *msgs)
{
    node_js_stream_info *si = calloc(1, sizeof *si);
    REQUIRE(si != NULL);
    mpc_err e = node_transport_stream_info(cluster_client(c),
                                           NODE_JSETUP_STREAM_RESULTS, si);
    *msgs = si->msgs;
    free(si);
    return e == MPC_OK;
}

static bool str_is(json_t *j, const char *key, const char *want)
{
    const char *v = json_string_value(json_object_get(j, key));
    return v != NULL && strcmp(v, want) == 0;
}

/* The one stored result: mpcium's timeout result, our null signature. */
static bool check_stored(cluster *c)
{
    node_transport *t = cluster_client(c);
    node_jsmsg *m = NULL;
    REQUIRE_OK(node_transport_stream_get(t, &m, NODE_JSETUP_STREAM_RESULTS, 1));
    json_error_t je;
    json_t *j = json_loadb((const char *)m->msg.data, m->msg.len, 0, &je);
    const char *msg_id = node_msg_header(&m->msg, NODE_CLIENT_HDR_MSG_ID);
    bool ok =
        j != NULL &&
        strcmp(m->msg.subject,
               "mpc.mpc_signing_result." CLIENT_ID ".complete") == 0 &&
        msg_id != NULL &&
        strcmp(msg_id, "mpc.mpc_signing_result." CLIENT_ID ":md-tx-1") == 0 &&
        str_is(j, "result_type", "error") &&
        str_is(j, "error_code", "ERROR_MAX_DELIVERY_ATTEMPTS") &&
        str_is(j, "error_reason",
               "Signing failed: maximum delivery attempts exceeded") &&
        json_is_true(json_object_get(j, "is_timeout")) &&
        str_is(j, "tx_id", "md-tx-1") && str_is(j, "wallet_id", "md-wallet") &&
        str_is(j, "network_internal_code", "nic-7") &&
        json_is_null(json_object_get(j, "signature"));
    if (!ok)
        printf("  stored: %s %.*s\n", m->msg.subject, (int)m->msg.len,
               (const char *)m->msg.data);
    json_decref(j);
    node_transport_jsmsg_free(t, &m);
    return ok;
}

static bool flow(cluster *c, cluster_inbox *keygen, cluster_inbox *sign,
                 cluster_inbox *adv)
{
    node_transport *t = cluster_client(c);
    REQUIRE(publish(c, NODE_CLIENT_OP_KEYGEN, "md-wallet"));
    REQUIRE(result_type_is(keygen, "wallet_id", "md-wallet", "success"));
    /* Results can no longer be stored: every delivery is nak'ed. */
    REQUIRE_OK(node_transport_stream_delete(t, NODE_JSETUP_STREAM_RESULTS));
    REQUIRE(publish(c, NODE_CLIENT_OP_SIGN, "md-tx-1"));
    REQUIRE(cluster_inbox_wait(adv, 1, WAIT_MS));
    node_js_stream_config sc;
    REQUIRE_OK(node_jsetup_stream_config(NODE_JSETUP_S_RESULTS, &sc));
    REQUIRE_OK(node_transport_stream_add(t, &sc));
    /* Every node answers the advisory; JetStream keeps one. */
    uint64_t msgs = 0;
    for (int64_t until = mono_ms() + WAIT_MS; mono_ms() < until && msgs == 0;
         sleep_ms(100))
        REQUIRE(stream_msgs(c, &msgs));
    REQUIRE(msgs == 1);
    sleep_ms(3000);
    REQUIRE(stream_msgs(c, &msgs) && msgs == 1);
    REQUIRE(check_stored(c));
    /* And the cluster keeps serving. */
    REQUIRE(publish(c, NODE_CLIENT_OP_SIGN, "md-tx-2"));
    REQUIRE(result_type_is(sign, "tx_id", "md-tx-2", "success"));
    return true;
}

TEST(faults_max_deliveries_timeout_result)
{
    cluster_opts o = {.nodes = 3, .ecdsa_fixtures = true};
    cluster *c = NULL;
    CHECK(cluster_start(&c, &o));
    cluster_inbox *keygen = NULL, *sign = NULL, *adv = NULL;
    bool ok = cluster_inbox_open(c, &keygen,
                                 "mpc.mpc_keygen_result." CLIENT_ID ".*") &&
              cluster_inbox_open(c, &sign,
                                 "mpc.mpc_signing_result." CLIENT_ID ".*") &&
              cluster_inbox_open(c, &adv,
                                 "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES."
                                 "mpc-signing.mpc_signing_consumer");
    ok = ok && flow(c, keygen, sign, adv);
    cluster_inbox_close(keygen);
    cluster_inbox_close(sign);
    cluster_inbox_close(adv);
    for (int i = 0; ok && i < 3; i++)
        ok = cluster_node_stop(c, i, SIGTERM);
    cluster_stop(c, !ok);
    CHECK(ok);
}
