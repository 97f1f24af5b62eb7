/*
 * tests/node/test_auxinfo_ops.c — ECDSA through the ops over transport_mem:
 * three nodes in one process with fixture Paillier primes. The committee's
 * aux-info session (only its smallest-id node may start it), then keygen
 * with both keys, an ECDSA signing with a derivation path checked by
 * libsecp256k1, and the answers before the aux-info exists.
 */
#include <jansson.h>
#include <secp256k1.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpc/group.h"
#include "mpc/hd.h"
#include "node/auxinfo.h"
#include "node/ops.h"
#include "node/sessions.h"
#include "tests/harness/test.h"
#include "tests/node/keystore_fixture.h"
#include "tests/node/mem_cluster.h"

#define NODES MEM_CLUSTER_NODES
#define FIXTURES "tests/vectors/paillier-fixtures.txt"

static const char *const ids[NODES] = {"node0", "node1", "node2"};

typedef struct fx {
    mem_ops ops;
    node_auxinfo *aux[NODES];
} fx;

static bool fx_init(fx *f)
{
    memset(f->aux, 0, sizeof f->aux);
    REQUIRE(mem_ops_prepare(&f->ops, ids, 0x21, "auxops"));
    for (int i = 0; i < NODES; i++) {
        node_auxinfo_config ac = {.ctx = f->ops.c.ctx[i],
                                  .ks = f->ops.ks[i].ks,
                                  .params = MPC_PARAMS_COMPAT,
                                  .fixture_file = FIXTURES,
                                  .fixture_index = (unsigned)i,
                                  .self_id = ids[i],
                                  .committee = ids,
                                  .n_committee = NODES};
        REQUIRE_OK(node_auxinfo_new(&f->aux[i], &ac, NULL, 0));
        REQUIRE(mem_ops_start(&f->ops, i, 30000, f->aux[i]));
    }
    return true;
}

/* The ops go first: they hold the aux-info. */
static void fx_done(fx *f)
{
    for (int i = 0; i < NODES; i++) {
        node_ops_free(f->ops.o[i]);
        f->ops.o[i] = NULL;
        node_auxinfo_free(f->aux[i]);
    }
    mem_ops_done(&f->ops);
}

#define FX_TEST(name)                                                          \
    static void name##_body(fx *f);                                            \
    TEST(name)                                                                 \
    {                                                                          \
        fx *f = calloc(1, sizeof *f);                                          \
        CHECK(f != NULL);                                                      \
        if (fx_init(f))                                                        \
            name##_body(f);                                                    \
        fx_done(f);                                                            \
        free(f);                                                               \
    }                                                                          \
    static void name##_body(fx *f)

/* A signed request body as mpcium's Go client makes it. */
static uint8_t *request(const fx *f, size_t *len, node_client_op op,
                        const char *wallet, const char *tx_id,
                        const uint8_t *tx, size_t tx_len, const uint32_t *path,
                        size_t path_len)
{
    mem_ops_req q = {.op = op,
                     .wallet = wallet,
                     .key_type = NODE_CLIENT_KEY_SECP256K1,
                     .tx_id = tx_id,
                     .tx = tx,
                     .tx_len = tx_len,
                     .path = path,
                     .path_len = path_len};
    return mem_ops_request(&f->ops, len, &q);
}

static bool b64(json_t *j, const char *key, uint8_t *out, size_t want)
{
    const char *s = json_string_value(json_object_get(j, key));
    size_t n = 0;
    return s != NULL &&
           sodium_base642bin(out, want, s, strlen(s), NULL, &n, NULL,
                             sodium_base64_VARIANT_ORIGINAL) == 0 &&
           n == want;
}

/* Handles one request at node `at`; the parsed result (caller decrefs). */
static json_t *handle(fx *f, int at, node_client_op op, const uint8_t *body,
                      size_t len)
{
    node_ops_outcome oc;
    json_t *j = NULL;
    if (body != NULL &&
        node_ops_handle(f->ops.o[at], &oc, op, body, len, "svc-a") == MPC_OK) {
        j = json_loadb((const char *)oc.result, oc.result_len, 0, NULL);
        node_ops_outcome_clear(&oc);
    }
    return j;
}

static const char *code_of(json_t *j)
{
    const char *c = json_string_value(json_object_get(j, "error_code"));
    return c != NULL ? c : "(none)";
}

/* Keygen at node 1: both keys; returns the ECDSA key as X || Y. */
static bool keygen(fx *f, const char *wallet, uint8_t xy[64])
{
    size_t len = 0;
    uint8_t *body =
        request(f, &len, NODE_CLIENT_OP_KEYGEN, wallet, NULL, NULL, 0, NULL, 0);
    json_t *j = handle(f, 1, NODE_CLIENT_OP_KEYGEN, body, len);
    free(body);
    uint8_t ed[32];
    bool ok = j != NULL && b64(j, "ecdsa_pub_key", xy, 64) &&
              b64(j, "eddsa_pub_key", ed, 32);
    if (!ok)
        printf("keygen: %s\n", code_of(j));
    json_decref(j);
    return ok;
}

FX_TEST(node_auxinfo_ops_aux_session_then_ecdsa_sign)
{
    /* Before the committee's aux-info: keygen works, signing is answered
     * at once with ERROR_CLUSTER_NOT_READY. */
    uint8_t xy[64];
    CHECK(keygen(f, "aux-w1", xy));
    uint8_t digest[32];
    crypto_hash_sha256(digest, (const uint8_t *)"pay", 3);
    size_t len = 0;
    uint8_t *body = request(f, &len, NODE_CLIENT_OP_SIGN, "aux-w1", "tx-early",
                            digest, 32, NULL, 0);
    json_t *j = handle(f, 0, NODE_CLIENT_OP_SIGN, body, len);
    free(body);
    CHECK(j != NULL && strcmp(code_of(j), "ERROR_CLUSTER_NOT_READY") == 0);
    json_decref(j);

    /* Only the smallest id may start it; the others refuse. */
    CHECK(node_ops_aux_run(f->ops.o[1], ids, NODES) != MPC_OK);
    for (int i = 0; i < NODES; i++)
        CHECK(!node_auxinfo_has(f->aux[i], ids, NODES));
    CHECK_OK(node_ops_aux_run(f->ops.o[0], ids, NODES));
    for (int i = 0; i < NODES; i++)
        CHECK(node_auxinfo_has(f->aux[i], ids, NODES));

    /* Now an ECDSA signing of the child at m/7/9, coordinated by node 2. */
    static const uint32_t path[2] = {7, 9};
    body = request(f, &len, NODE_CLIENT_OP_SIGN, "aux-w1", "tx-1", digest, 32,
                   path, 2);
    j = handle(f, 2, NODE_CLIENT_OP_SIGN, body, len);
    free(body);
    uint8_t rs[64], v = 0;
    bool ok = j != NULL && b64(j, "r", rs, 32) && b64(j, "s", rs + 32, 32) &&
              b64(j, "signature_recovery", &v, 1);
    if (!ok)
        printf("sign: %s %s\n", code_of(j),
               json_string_value(json_object_get(j, "error_reason")));
    json_decref(j);
    CHECK(ok);
    /* The child key, derived here, and libsecp256k1's verdict. */
    const secp256k1_context *sc = secp256k1_context_static;
    const mpc_group *g = mpc_ctx_group(test_ctx(), MPC_CURVE_SECP256K1);
    uint8_t full[65] = {0x04}, c33[33], cc[32];
    memcpy(full + 1, xy, 64);
    memset(cc, 0xcc, sizeof cc);
    secp256k1_pubkey pk;
    size_t clen = sizeof c33;
    CHECK(secp256k1_ec_pubkey_parse(sc, &pk, full, 65) &&
          secp256k1_ec_pubkey_serialize(sc, c33, &clen, &pk,
                                        SECP256K1_EC_COMPRESSED));
    mpc_point master;
    mpc_hd_child child;
    CHECK_OK(mpc_point_parse(g, &master, c33, sizeof c33));
    CHECK_OK(mpc_hd_derive(g, &child, &master, cc, path, 2));
    mpc_point_serialize(g, c33, &child.pub);
    secp256k1_ecdsa_signature sig;
    CHECK(secp256k1_ec_pubkey_parse(sc, &pk, c33, sizeof c33) &&
          secp256k1_ecdsa_signature_parse_compact(sc, &sig, rs) &&
          secp256k1_ecdsa_verify(sc, &sig, digest, &pk));
    CHECK(v <= 1);

    /* An unknown wallet: KEY_NOT_FOUND at once. */
    body = request(f, &len, NODE_CLIENT_OP_SIGN, "aux-none", "tx-2", digest, 32,
                   NULL, 0);
    j = handle(f, 0, NODE_CLIENT_OP_SIGN, body, len);
    free(body);
    CHECK(j != NULL && strcmp(code_of(j), "ERROR_KEY_NOT_FOUND") == 0);
    json_decref(j);
}
