/*
 * tests/integration/test_node_ecdsa.c — three mpcium-node processes with
 * fixture Paillier primes on a private nats-server: keygen returns both
 * keys; once the committee's aux-info ran, ECDSA signing (with and without
 * a derivation path, with and without ClientID) gives signatures that
 * libsecp256k1 verifies against the keygen key and the BIP32 child, with a
 * recovery id that recovers that key; EdDSA keeps working beside it.
 */
#include <jansson.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mpc/group.h"
#include "mpc/hd.h"
#include "mpc/msghash.h"
#include "node/client_proto.h"
#include "tests/harness/test.h"
#include "tests/integration/cluster.h"

#define RESULT_WAIT_MS 60000
/* The aux-info session starts once every node announced itself ready. */
#define AUX_WAIT_MS 120000
#define WALLET "ec-wallet-1"

/* The cluster's chain code (tests/integration/cluster.c). */
static const uint8_t chain_code[32] = {
    0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c,
    0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c,
    0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c};

static bool b64(json_t *j, const char *key, uint8_t *out, size_t want)
{
    const char *s = json_string_value(json_object_get(j, key));
    size_t n = 0;
    return s != NULL &&
           sodium_base642bin(out, want, s, strlen(s), NULL, &n, NULL,
                             sodium_base64_VARIANT_ORIGINAL) == 0 &&
           n == want;
}

static bool is_success(json_t *j)
{
    const char *rt = json_string_value(json_object_get(j, "result_type"));
    return rt != NULL && strcmp(rt, "success") == 0;
}

/* Waits for the first signing result whose `key` is `value`. */
static json_t *result_with(cluster_inbox *in, const char *key,
                           const char *value)
{
    for (int waited = 0; waited < RESULT_WAIT_MS; waited += 100) {
        for (int i = 0; i < cluster_inbox_count(in); i++) {
            size_t len = 0;
            const char *d = cluster_inbox_get(in, i, NULL, &len);
            json_t *j = d != NULL ? json_loadb(d, len, 0, NULL) : NULL;
            const char *t = json_string_value(json_object_get(j, key));
            if (t != NULL && strcmp(t, value) == 0)
                return j;
            json_decref(j);
        }
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 100000000L};
        nanosleep(&ts, NULL);
    }
    printf("no signing result with %s %s\n", key, value);
    return NULL;
}

static json_t *sign_result(cluster_inbox *in, const char *tx_id)
{
    return result_with(in, "tx_id", tx_id);
}

/* The 64-byte X || Y of a result as a libsecp256k1 key. */
static bool pub_from_xy(secp256k1_pubkey *pk, const uint8_t xy[64])
{
    uint8_t full[65];
    full[0] = 0x04;
    memcpy(full + 1, xy, 64);
    return secp256k1_ec_pubkey_parse(secp256k1_context_static, pk, full, 65);
}

static bool keygen(cluster *c, cluster_inbox *in, uint8_t ecdsa_xy[64],
                   uint8_t eddsa[32])
{
    node_client_request *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL);
    r->op = NODE_CLIENT_OP_KEYGEN;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, WALLET);
    bool ok = cluster_publish(c, r, "svc-a");
    node_client_request_clear(r);
    free(r);
    REQUIRE(ok && cluster_inbox_wait(in, 1, RESULT_WAIT_MS));
    size_t len = 0;
    const char *d =
        cluster_inbox_find(in, "mpc.mpc_keygen_result.svc-a." WALLET, &len);
    REQUIRE(d != NULL);
    json_t *j = json_loadb(d, len, 0, NULL);
    ok = j != NULL && is_success(j) && b64(j, "ecdsa_pub_key", ecdsa_xy, 64) &&
         b64(j, "eddsa_pub_key", eddsa, 32);
    if (!ok)
        printf("keygen result: %.*s\n", (int)len, d);
    json_decref(j);
    secp256k1_pubkey pk;
    REQUIRE(ok && pub_from_xy(&pk, ecdsa_xy));
    return true;
}

/* Publishes one signing request; NULL path = none; hash 0 = tx is the
 * digest. */
static bool publish_hashed(cluster *c, node_client_key_type kt,
                           const char *tx_id, const uint8_t *tx, size_t tx_len,
                           const uint32_t *path, size_t path_len,
                           mpc_msghash_alg hash, const char *client_id)
{
    node_client_request *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL);
    r->op = NODE_CLIENT_OP_SIGN;
    r->key_type = kt;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, WALLET);
    snprintf(r->tx_id.s, sizeof r->tx_id.s, "%s", tx_id);
    r->tx = malloc(tx_len);
    bool ok = r->tx != NULL;
    if (ok) {
        memcpy(r->tx, tx, tx_len);
        r->tx_len = tx_len;
        r->path_len = path_len;
        r->hash = hash;
        if (path_len > 0)
            memcpy(r->path, path, path_len * sizeof *path);
        ok = cluster_publish(c, r, client_id);
    }
    node_client_request_clear(r);
    free(r);
    return ok;
}

static bool publish_sign(cluster *c, node_client_key_type kt, const char *tx_id,
                         const uint8_t *tx, size_t tx_len, const uint32_t *path,
                         size_t path_len, const char *client_id)
{
    return publish_hashed(c, kt, tx_id, tx, tx_len, path, path_len, 0,
                          client_id);
}

/* Signs until the committee's aux-info is there (CLUSTER_NOT_READY before
 * that: at once when the coordinator has none; after the barrier bound
 * when only a signer is still storing it), bounded. */
static bool wait_aux(cluster *c, cluster_inbox *in, const uint8_t digest[32])
{
    for (int k = 0, waited = 0; waited < AUX_WAIT_MS; k++, waited += 1000) {
        char tx_id[32];
        snprintf(tx_id, sizeof tx_id, "ec-wait-%d", k);
        REQUIRE(publish_sign(c, NODE_CLIENT_KEY_SECP256K1, tx_id, digest, 32,
                             NULL, 0, "svc-a"));
        json_t *j = sign_result(in, tx_id);
        REQUIRE(j != NULL);
        const char *code = json_string_value(json_object_get(j, "error_code"));
        bool ok = is_success(j);
        bool not_ready =
            code != NULL && strcmp(code, "ERROR_CLUSTER_NOT_READY") == 0;
        if (!ok && !not_ready)
            printf("sign while waiting: %s\n",
                   json_string_value(json_object_get(j, "error_reason")));
        json_decref(j);
        if (ok)
            return true;
        REQUIRE(not_ready);
        struct timespec ts = {.tv_sec = 1, .tv_nsec = 0};
        nanosleep(&ts, NULL);
    }
    printf("aux-info never became ready\n");
    return false;
}

/* r, s, v of a result verify under pk for digest; v recovers pk. */
static bool check_ecdsa(json_t *j, const secp256k1_pubkey *pk,
                        const uint8_t digest[32])
{
    const secp256k1_context *sc = secp256k1_context_static;
    uint8_t rs[64], v = 0;
    REQUIRE(is_success(j) && b64(j, "r", rs, 32) && b64(j, "s", rs + 32, 32) &&
            b64(j, "signature_recovery", &v, 1));
    REQUIRE(json_is_null(json_object_get(j, "signature")));
    secp256k1_ecdsa_signature sig, norm;
    REQUIRE(secp256k1_ecdsa_signature_parse_compact(sc, &sig, rs));
    REQUIRE(!secp256k1_ecdsa_signature_normalize(sc, &norm, &sig)); /* low-S */
    REQUIRE(secp256k1_ecdsa_verify(sc, &sig, digest, pk));
    secp256k1_ecdsa_recoverable_signature rsig;
    secp256k1_pubkey rec;
    REQUIRE(v <= 3 && secp256k1_ecdsa_recoverable_signature_parse_compact(
                          sc, &rsig, rs, v));
    REQUIRE(secp256k1_ecdsa_recover(sc, &rec, &rsig, digest));
    REQUIRE(secp256k1_ec_pubkey_cmp(sc, &rec, pk) == 0);
    return true;
}

/* The BIP32 child of the keygen key along path (our lib; the nodes derive
 * the same way, and the signature check below is libsecp256k1's). */
static bool child_key(secp256k1_pubkey *out, const uint8_t xy[64],
                      const uint32_t *path, size_t path_len)
{
    const secp256k1_context *sc = secp256k1_context_static;
    const mpc_group *g = mpc_ctx_group(test_ctx(), MPC_CURVE_SECP256K1);
    secp256k1_pubkey pk;
    uint8_t c33[33];
    size_t clen = sizeof c33;
    REQUIRE(pub_from_xy(&pk, xy) &&
            secp256k1_ec_pubkey_serialize(sc, c33, &clen, &pk,
                                          SECP256K1_EC_COMPRESSED));
    mpc_point master;
    mpc_hd_child child;
    REQUIRE_OK(mpc_point_parse(g, &master, c33, sizeof c33));
    REQUIRE_OK(mpc_hd_derive(g, &child, &master, chain_code, path, path_len));
    mpc_point_serialize(g, c33, &child.pub);
    REQUIRE(secp256k1_ec_pubkey_parse(sc, out, c33, sizeof c33));
    return true;
}

static bool sign_ecdsa(cluster *c, cluster_inbox *mine, cluster_inbox *legacy,
                       const uint8_t xy[64])
{
    uint8_t digest[32];
    crypto_hash_sha256(digest, (const uint8_t *)"ecdsa transfer", 14);
    REQUIRE(wait_aux(c, mine, digest));
    secp256k1_pubkey master, child;
    static const uint32_t path[3] = {44, 60, 7};
    REQUIRE(pub_from_xy(&master, xy) && child_key(&child, xy, path, 3));
    /* With ClientID, no path. */
    REQUIRE(publish_sign(c, NODE_CLIENT_KEY_SECP256K1, "ec-tx-1", digest, 32,
                         NULL, 0, "svc-a"));
    json_t *j = sign_result(mine, "ec-tx-1");
    bool ok = j != NULL && check_ecdsa(j, &master, digest);
    json_decref(j);
    REQUIRE(ok);
    /* Without ClientID, with a path: the legacy subject, the child key. */
    REQUIRE(publish_sign(c, NODE_CLIENT_KEY_SECP256K1, "ec-tx-2", digest, 32,
                         path, 3, NULL));
    j = sign_result(legacy, "ec-tx-2");
    ok = j != NULL && check_ecdsa(j, &child, digest);
    json_decref(j);
    REQUIRE(ok);
    /* A short tx is a big-endian digest, left-padded (as mpcium/Go). */
    static const uint8_t shorter[20] = {0x01, 0x02, 0x03};
    uint8_t padded[32] = {0};
    memcpy(padded + 12, shorter, sizeof shorter);
    REQUIRE(publish_sign(c, NODE_CLIENT_KEY_SECP256K1, "ec-tx-3", shorter,
                         sizeof shorter, path, 3, "svc-a"));
    j = sign_result(mine, "ec-tx-3");
    ok = j != NULL && check_ecdsa(j, &child, padded);
    json_decref(j);
    REQUIRE(ok);
    /* A preimage with "hash": the nodes sign keccak256(tx). */
    uint8_t pre[100], kdigest[32];
    memset(pre, 0xa7, sizeof pre);
    REQUIRE_OK(mpc_msghash(kdigest, MPC_MSGHASH_KECCAK256, pre, sizeof pre));
    REQUIRE(publish_hashed(c, NODE_CLIENT_KEY_SECP256K1, "ec-tx-4", pre,
                           sizeof pre, NULL, 0, MPC_MSGHASH_KECCAK256,
                           "svc-a"));
    j = sign_result(mine, "ec-tx-4");
    ok = j != NULL && check_ecdsa(j, &master, kdigest);
    json_decref(j);
    REQUIRE(ok);
    /* Without "hash", 33 bytes cannot be a digest: refused at once (the
     * only validation error of this test: a refusal for validation does not
     * echo the request's ids). */
    REQUIRE(publish_sign(c, NODE_CLIENT_KEY_SECP256K1, "ec-tx-5", pre, 33, NULL,
                         0, "svc-a"));
    j = result_with(mine, "error_code", "ERROR_MSG_VALIDATION");
    ok = j != NULL && !is_success(j);
    json_decref(j);
    REQUIRE(ok);
    return true;
}

/* /metrics of node 0 says the committee's aux-info is there (bounded). */
static bool aux_metric(cluster *c)
{
    for (int waited = 0; waited < 10000; waited += 200) {
        double v = 0;
        if (cluster_metric(c, 0, "mpcium_ecdsa_aux_ready", &v) && v == 1.0)
            return true;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 200000000L};
        nanosleep(&ts, NULL);
    }
    printf("mpcium_ecdsa_aux_ready never 1 on node 0\n");
    return false;
}

static bool sign_eddsa(cluster *c, cluster_inbox *mine, const uint8_t pk[32])
{
    static const char tx[] = "eddsa beside ecdsa";
    REQUIRE(publish_sign(c, NODE_CLIENT_KEY_ED25519, "ed-tx-1",
                         (const uint8_t *)tx, sizeof tx - 1, NULL, 0, "svc-a"));
    json_t *j = sign_result(mine, "ed-tx-1");
    uint8_t sig[64];
    bool ok = j != NULL && is_success(j) && b64(j, "signature", sig, 64) &&
              crypto_sign_verify_detached(sig, (const uint8_t *)tx,
                                          sizeof tx - 1, pk) == 0;
    json_decref(j);
    return ok;
}

static bool flow(cluster *c)
{
    static const char *const pattern[3] = {"mpc.mpc_keygen_result.svc-a.*",
                                           "mpc.mpc_signing_result.svc-a.*",
                                           "mpc.mpc_signing_result.complete"};
    cluster_inbox *in[3] = {NULL, NULL, NULL};
    bool ok = true;
    for (int i = 0; ok && i < 3; i++)
        ok = cluster_inbox_open(c, &in[i], pattern[i]);
    uint8_t xy[64], ed[32];
    ok = ok && keygen(c, in[0], xy, ed) && sign_ecdsa(c, in[1], in[2], xy) &&
         aux_metric(c) && sign_eddsa(c, in[1], ed);
    for (int i = 0; i < 3; i++)
        cluster_inbox_close(in[i]);
    return ok;
}

TEST(node_ecdsa_keygen_then_sign_three_processes)
{
    cluster *c = NULL;
    cluster_opts o = {.nodes = 3, .ecdsa_fixtures = true};
    bool ok = cluster_start(&c, &o);
    ok = ok && flow(c);
    for (int i = 0; ok && i < 3; i++)
        ok = cluster_node_stop(c, i, SIGTERM);
    cluster_stop(c, !ok);
    CHECK(ok);
}
