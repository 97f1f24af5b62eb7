/*
 * tests/node/test_maxdeliver.c — the result for a signing request that
 * JetStream gave up on (node/maxdeliver.h); the advisory path end to end
 * is tests/faults/test_maxdeliver.c.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "node/maxdeliver.h"
#include "tests/harness/test.h"

static bool request(uint8_t **body, size_t *len)
{
    node_client_request r;
    memset(&r, 0, sizeof r);
    r.op = NODE_CLIENT_OP_SIGN;
    r.key_type = NODE_CLIENT_KEY_ED25519;
    snprintf(r.wallet_id.s, sizeof r.wallet_id.s, "w-1");
    snprintf(r.tx_id.s, sizeof r.tx_id.s, "tx-1");
    snprintf(r.network_internal_code, sizeof r.network_internal_code, "nic");
    static uint8_t tx[] = {0, 1, 2};
    r.tx = tx;
    r.tx_len = sizeof tx;
    r.signature_present = true;
    r.signature_len = 64;
    memset(r.signature, 0x11, 64);
    REQUIRE_OK(node_client_request_encode(body, len, &r));
    return true;
}

static bool field_is(json_t *j, const char *key, const char *want)
{
    const char *v = json_string_value(json_object_get(j, key));
    return v != NULL && strcmp(v, want) == 0;
}

TEST(node_maxdeliver_result_of_a_request)
{
    uint8_t *body = NULL;
    size_t len = 0;
    CHECK(request(&body, &len));
    node_maxdeliver_result r;
    mpc_err e = node_maxdeliver_result_make(&r, body, len, "svc-a", 7);
    free(body);
    CHECK_OK(e);
    json_error_t je;
    json_t *j = json_loadb((const char *)r.body, r.len, 0, &je);
    bool ok = j != NULL &&
              strcmp(r.subject, "mpc.mpc_signing_result.svc-a.complete") == 0 &&
              strcmp(r.msg_id, "mpc.mpc_signing_result.svc-a:tx-1") == 0 &&
              field_is(j, "result_type", "error") &&
              field_is(j, "error_code", "ERROR_MAX_DELIVERY_ATTEMPTS") &&
              field_is(j, "error_reason", NODE_MAXDELIVER_REASON) &&
              json_is_true(json_object_get(j, "is_timeout")) &&
              field_is(j, "wallet_id", "w-1") && field_is(j, "tx_id", "tx-1") &&
              field_is(j, "network_internal_code", "nic") &&
              /* mpcium copies the initiator signature here; we do not. */
              json_is_null(json_object_get(j, "signature"));
    json_decref(j);
    node_maxdeliver_result_clear(&r);
    CHECK(ok);
    CHECK(r.body == NULL && r.len == 0 && r.subject[0] == '\0');
}

TEST(node_maxdeliver_result_without_client_id_or_parsable_request)
{
    uint8_t *body = NULL;
    size_t len = 0;
    CHECK(request(&body, &len));
    node_maxdeliver_result r;
    /* An invalid ClientID is dropped, as for the request's own result. */
    mpc_err e = node_maxdeliver_result_make(&r, body, len, "bad id", 7);
    free(body);
    CHECK_OK(e);
    bool ok = strcmp(r.subject, "mpc.mpc_signing_result.complete") == 0 &&
              strcmp(r.msg_id, "mpc.mpc_signing_result.tx-1") == 0;
    node_maxdeliver_result_clear(&r);
    CHECK(ok);

    static const uint8_t junk[] = "{\"tx_id\":";
    CHECK_OK(node_maxdeliver_result_make(&r, junk, sizeof junk - 1, NULL, 42));
    json_error_t je;
    json_t *j = json_loadb((const char *)r.body, r.len, 0, &je);
    ok = j != NULL &&
         strcmp(r.msg_id, "mpc.mpc_signing_result.max-delivery:42") == 0 &&
         field_is(j, "tx_id", "") && field_is(j, "wallet_id", "") &&
         field_is(j, "error_code", "ERROR_MAX_DELIVERY_ATTEMPTS");
    json_decref(j);
    node_maxdeliver_result_clear(&r);
    CHECK(ok);
}

TEST(node_maxdeliver_result_misuse)
{
    node_maxdeliver_result r;
    memset(&r, 0xa5, sizeof r);
    CHECK_ERR(node_maxdeliver_result_make(&r, NULL, 0, NULL, 0),
              MPC_ERR_INVALID_ARG);
    CHECK(r.body == NULL && r.len == 0 && r.msg_id[0] == '\0');
    memset(&r, 0xa5, sizeof r);
    CHECK_ERR(node_maxdeliver_result_make(&r, NULL, 3, NULL, 1),
              MPC_ERR_INVALID_ARG);
    CHECK(r.body == NULL && r.subject[0] == '\0');
    CHECK_ERR(node_maxdeliver_result_make(NULL, NULL, 0, NULL, 1),
              MPC_ERR_INVALID_ARG);
    node_maxdeliver_result_clear(NULL);
    node_maxdeliver_stop(NULL);
    node_maxdeliver *md = (node_maxdeliver *)&r;
    CHECK_ERR(node_maxdeliver_start(&md, NULL), MPC_ERR_INVALID_ARG);
    CHECK(md == NULL);
}
