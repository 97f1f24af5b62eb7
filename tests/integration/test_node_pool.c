/*
 * tests/integration/test_node_pool.c — presignature pools on mpcium-node
 * processes (fixture Paillier primes, private nats-server), after an
 * ECDSA keygen:
 * - warming: a presign request (our extension) for 2 presignatures
 *   answers `generated: 2` and both signers log them stored; a count above
 *   the per-request bound is refused;
 * - pooled signing (2 nodes, so every coordinator picks the same signer
 *   set): signing requests with "hash" use one presignature each (also
 *   with a derivation path, warmed for that path), a raw digest never
 *   touches the pool, and once the pool is empty signing falls back to an
 *   interactive session; every signature verifies with libsecp256k1
 *   under the keygen key or its BIP32 child; a reshare commit purges the
 *   pool of the old key version; a signer that lost its pool makes the
 *   coordinator fall back.
 */
#include <dirent.h>
#include <jansson.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mpc/group.h"
#include "mpc/hd.h"
#include "mpc/msghash.h"
#include "node/client_proto.h"
#include "tests/harness/test.h"
#include "tests/integration/cluster.h"

#define RESULT_WAIT_MS 60000
/* The aux-info session starts once every node announced itself ready. */
#define AUX_WAIT_MS 120000
#define WALLET "pool-wallet-1"

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000,
                          .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits for the first result whose `key` is `value` (a new reference). */
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
        sleep_ms(100);
    }
    printf("no result with %s %s\n", key, value);
    return NULL;
}

static const char *str(json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));
    return s != NULL ? s : "";
}

/* The cluster's chain code (tests/integration/cluster.c). */
static const uint8_t chain_code[32] = {
    0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c,
    0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c,
    0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c};
static const uint32_t path[3] = {44, 60, 7};

static bool b64(json_t *j, const char *key, uint8_t *out, size_t want)
{
    const char *s = str(j, key);
    size_t n = 0;
    return sodium_base642bin(out, want, s, strlen(s), NULL, &n, NULL,
                             sodium_base64_VARIANT_ORIGINAL) == 0 &&
           n == want;
}

/* Keygen; the secp256k1 key (compressed) in pub33. */
static bool keygen(cluster *c, uint8_t pub33[33])
{
    cluster_inbox *in = NULL;
    REQUIRE(cluster_inbox_open(c, &in, "mpc.mpc_keygen_result.svc-a.*"));
    node_client_request *r = calloc(1, sizeof *r);
    bool ok = r != NULL;
    if (ok) {
        r->op = NODE_CLIENT_OP_KEYGEN;
        snprintf(r->wallet_id.s, sizeof r->wallet_id.s, WALLET);
        ok = cluster_publish(c, r, "svc-a");
        node_client_request_clear(r);
        free(r);
    }
    json_t *j = ok ? result_with(in, "wallet_id", WALLET) : NULL;
    uint8_t full[65] = {0x04};
    secp256k1_pubkey pk;
    size_t len = 33;
    ok = j != NULL && strcmp(str(j, "result_type"), "success") == 0 &&
         b64(j, "ecdsa_pub_key", full + 1, 64) &&
         secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, full, 65) &&
         secp256k1_ec_pubkey_serialize(secp256k1_context_static, pub33, &len,
                                       &pk, SECP256K1_EC_COMPRESSED);
    if (!ok && j != NULL)
        printf("keygen: %s\n", str(j, "error_reason"));
    json_decref(j);
    cluster_inbox_close(in);
    return ok;
}

static bool publish_presign(cluster *c, const char *request_id, uint32_t count,
                            size_t path_len)
{
    node_client_request *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL);
    r->op = NODE_CLIENT_OP_PRESIGN;
    r->key_type = NODE_CLIENT_KEY_SECP256K1;
    r->count = count;
    r->path_len = path_len;
    memcpy(r->path, path, path_len * sizeof *path);
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, WALLET);
    snprintf(r->request_id.s, sizeof r->request_id.s, "%s", request_id);
    bool ok = cluster_publish(c, r, "svc-a");
    node_client_request_clear(r);
    free(r);
    return ok;
}

/* Presigns `count`, retrying while the committee's aux-info is not there
 * yet (ERROR_CLUSTER_NOT_READY, bounded); the result, or NULL. */
static json_t *presign(cluster *c, cluster_inbox *in, const char *tag,
                       uint32_t count, size_t path_len)
{
    for (int k = 0, waited = 0; waited < AUX_WAIT_MS; k++, waited += 1000) {
        char id[64];
        snprintf(id, sizeof id, "%s-%d", tag, k);
        if (!publish_presign(c, id, count, path_len))
            return NULL;
        json_t *j = result_with(in, "request_id", id);
        if (j == NULL ||
            strcmp(str(j, "error_code"), "ERROR_CLUSTER_NOT_READY") != 0)
            return j;
        json_decref(j);
        sleep_ms(1000);
    }
    printf("aux-info never became ready\n");
    return NULL;
}

/* Warms `count` presignatures (for `path_len` of path) and checks the
 * result says all were made. */
static bool warm(cluster *c, cluster_inbox *in, const char *tag, uint32_t count,
                 size_t path_len)
{
    json_t *j = presign(c, in, tag, count, path_len);
    bool ok = j != NULL && strcmp(str(j, "result_type"), "success") == 0 &&
              json_integer_value(json_object_get(j, "generated")) == count &&
              json_integer_value(json_object_get(j, "requested")) == count &&
              strcmp(str(j, "wallet_id"), WALLET) == 0;
    if (!ok && j != NULL)
        printf("presign: %s %s\n", str(j, "error_code"),
               str(j, "error_reason"));
    json_decref(j);
    return ok;
}

/* How many lines of node i's log hold `needle`. */
static int log_count(cluster *c, int i, const char *needle)
{
    char name[4096];
    snprintf(name, sizeof name, "%s/node%d.log", cluster_dir(c), i);
    FILE *f = fopen(name, "r");
    if (f == NULL)
        return -1;
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, f) != NULL)
        n += strstr(line, needle) != NULL;
    fclose(f);
    return n;
}

static int used(cluster *c, int nodes)
{
    int n = 0;
    for (int i = 0; i < nodes; i++)
        n += log_count(c, i, "presignature used");
    return n;
}

/* r, s, v of a result verify under pub33 for digest; v recovers it. */
static bool check_ecdsa(json_t *j, const uint8_t pub33[33],
                        const uint8_t digest[32])
{
    const secp256k1_context *sc = secp256k1_context_static;
    uint8_t rs[64], v = 0;
    secp256k1_pubkey pk, rec;
    secp256k1_ecdsa_signature sig, norm;
    secp256k1_ecdsa_recoverable_signature rsig;
    REQUIRE(strcmp(str(j, "result_type"), "success") == 0);
    REQUIRE(b64(j, "r", rs, 32) && b64(j, "s", rs + 32, 32) &&
            b64(j, "signature_recovery", &v, 1));
    REQUIRE(secp256k1_ec_pubkey_parse(sc, &pk, pub33, 33));
    REQUIRE(secp256k1_ecdsa_signature_parse_compact(sc, &sig, rs));
    REQUIRE(!secp256k1_ecdsa_signature_normalize(sc, &norm, &sig)); /* low-S */
    REQUIRE(secp256k1_ecdsa_verify(sc, &sig, digest, &pk));
    REQUIRE(v <= 3 && secp256k1_ecdsa_recoverable_signature_parse_compact(
                          sc, &rsig, rs, v));
    REQUIRE(secp256k1_ecdsa_recover(sc, &rec, &rsig, digest));
    REQUIRE(secp256k1_ec_pubkey_cmp(sc, &rec, &pk) == 0);
    return true;
}

/* Signs tx (hash: "sha256", or none: tx is the digest) and checks the
 * signature under pub33. */
static bool sign(cluster *c, cluster_inbox *in, const char *tx_id,
                 const uint8_t *tx, size_t tx_len, mpc_msghash_alg hash,
                 size_t path_len, const uint8_t pub33[33])
{
    node_client_request *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL);
    r->op = NODE_CLIENT_OP_SIGN;
    r->key_type = NODE_CLIENT_KEY_SECP256K1;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, WALLET);
    snprintf(r->tx_id.s, sizeof r->tx_id.s, "%s", tx_id);
    r->tx = malloc(tx_len);
    bool ok = r->tx != NULL;
    if (ok) {
        memcpy(r->tx, tx, tx_len);
        r->tx_len = tx_len;
        r->hash = hash;
        r->path_len = path_len;
        memcpy(r->path, path, path_len * sizeof *path);
        ok = cluster_publish(c, r, "svc-a");
    }
    node_client_request_clear(r);
    free(r);
    uint8_t digest[32];
    memcpy(digest, tx, tx_len < 32 ? tx_len : 32);
    if (hash != 0)
        REQUIRE_OK(mpc_msghash(digest, hash, tx, tx_len));
    json_t *j = ok ? result_with(in, "tx_id", tx_id) : NULL;
    ok = j != NULL && check_ecdsa(j, pub33, digest);
    if (!ok && j != NULL)
        printf("sign %s: %s %s\n", tx_id, str(j, "error_code"),
               str(j, "error_reason"));
    json_decref(j);
    return ok;
}

/* The BIP32 child of pub33 along `path` (our lib; the signature check is
 * libsecp256k1's). */
static bool child_key(uint8_t out[33], const uint8_t pub33[33])
{
    const mpc_group *g = mpc_ctx_group(test_ctx(), MPC_CURVE_SECP256K1);
    mpc_point master;
    mpc_hd_child child;
    REQUIRE_OK(mpc_point_parse(g, &master, pub33, 33));
    REQUIRE_OK(mpc_hd_derive(g, &child, &master, chain_code, path, 3));
    mpc_point_serialize(g, out, &child.pub);
    return true;
}

static bool warm_flow(cluster *c)
{
    uint8_t pub[33];
    REQUIRE(keygen(c, pub));
    cluster_inbox *in = NULL;
    REQUIRE(cluster_inbox_open(c, &in, "mpc.mpc_presign_result.svc-a.*"));
    bool ok = warm(c, in, "warm", 2, 0);
    /* Both signers (threshold 2 of 3) stored them: the members report
     * before the result. */
    int stored = 0;
    for (int i = 0; ok && i < 3; i++)
        stored += cluster_log_has(c, i, "presignature stored");
    ok = ok && stored == 2;
    /* Above the per-request bound: refused, nothing made. */
    ok = ok && publish_presign(c, "too-many", 101, 0);
    json_t *j = ok ? result_with(in, "request_id", "too-many") : NULL;
    ok = j != NULL && strcmp(str(j, "result_type"), "error") == 0 &&
         json_integer_value(json_object_get(j, "generated")) == 0;
    json_decref(j);
    cluster_inbox_close(in);
    return ok;
}

TEST(node_pool_presign_warms_three_processes)
{
    cluster *c = NULL;
    cluster_opts o = {.nodes = 3, .ecdsa_fixtures = true};
    bool ok = cluster_start(&c, &o);
    ok = ok && warm_flow(c);
    for (int i = 0; ok && i < 3; i++)
        ok = cluster_node_stop(c, i, SIGTERM);
    cluster_stop(c, !ok);
    CHECK(ok);
}

/* Node i's log has `needle` (bounded wait). */
static bool log_wait(cluster *c, int i, const char *needle)
{
    for (int waited = 0; waited < RESULT_WAIT_MS; waited += 100) {
        if (log_count(c, i, needle) > 0)
            return true;
        sleep_ms(100);
    }
    printf("node%d: no \"%s\"\n", i, needle);
    return false;
}

/* A reshare of the ECDSA key to the same two nodes (version 2): its
 * commit drops each node's presignature of version 1. */
static bool reshare_purges(cluster *c)
{
    cluster_inbox *in = NULL;
    REQUIRE(cluster_inbox_open(c, &in, "mpc.mpc_reshare_result.svc-a.*"));
    node_client_request *r = calloc(1, sizeof *r);
    bool ok = r != NULL;
    if (ok) {
        r->op = NODE_CLIENT_OP_RESHARE;
        r->key_type = NODE_CLIENT_KEY_SECP256K1;
        snprintf(r->wallet_id.s, sizeof r->wallet_id.s, WALLET);
        snprintf(r->session_id.s, sizeof r->session_id.s, "pool-reshare-1");
        for (int i = 0; i < 2; i++)
            snprintf(r->node_ids[i].s, sizeof r->node_ids[i].s, "%s",
                     cluster_node_id(c, i));
        r->n_node_ids = 2;
        r->node_ids_present = true;
        r->threshold = 2;
        ok = cluster_publish(c, r, "svc-a");
        node_client_request_clear(r);
        free(r);
    }
    ok = ok && cluster_inbox_wait(in, 1, RESULT_WAIT_MS);
    size_t len = 0;
    const char *d =
        ok ? cluster_inbox_find(in, "svc-a.pool-reshare-1", &len) : NULL;
    json_t *j = d != NULL ? json_loadb(d, len, 0, NULL) : NULL;
    ok = j != NULL && strcmp(str(j, "result_type"), "success") == 0;
    if (!ok && j != NULL)
        printf("reshare: %s\n", str(j, "error_reason"));
    json_decref(j);
    cluster_inbox_close(in);
    for (int i = 0; ok && i < 2; i++)
        ok = log_wait(
            c, i, "presignatures purged\" wallet=" WALLET " below=2 deleted=1");
    return ok;
}

/* Node i (stopped) loses its presignature pool: the files of
 * <db_path>/node<i>.presign go. */
static bool pool_lose(cluster *c, int i)
{
    char dir[4200], f[4500];
    snprintf(dir, sizeof dir, "%s/db/node%d.presign", cluster_dir(c), i);
    DIR *d = opendir(dir);
    REQUIRE(d != NULL);
    int removed = 0;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(f, sizeof f, "%s/%s", dir, e->d_name);
        removed += unlink(f) == 0;
    }
    closedir(d);
    REQUIRE(removed > 0);
    return true;
}

/* Bounded wait until node i counts both nodes up. */
static bool peers_up(cluster *c, int i)
{
    double v = -1;
    for (int waited = 0; waited < RESULT_WAIT_MS; waited += 100) {
        if (cluster_metric(c, i, "mpcium_peers_ready", &v) && v == 2)
            return true;
        sleep_ms(100);
    }
    printf("node%d: mpcium_peers_ready %g\n", i, v);
    return false;
}

/* A signer without the entry the coordinator names: the coordinator's
 * copy is burned and the request signs interactively. Either node may
 * coordinate: node 0 names its entry (1 used, then the fallback), node 1
 * has none (no pooled attempt at all). */
static bool member_lost_pool(cluster *c, cluster_inbox *pin, cluster_inbox *sin,
                             const uint8_t pub[33])
{
    static const uint8_t tx[] = "a signer lost its pool";
    REQUIRE(warm(c, pin, "warm-lost", 1, 0));
    int before = used(c, 2);
    REQUIRE(cluster_node_stop(c, 1, SIGTERM) && pool_lose(c, 1) &&
            cluster_node_start(c, 1) && peers_up(c, 0) && peers_up(c, 1));
    REQUIRE(sign(c, sin, "p-lost", tx, sizeof tx, MPC_MSGHASH_SHA256, 0, pub));
    int now = used(c, 2);
    REQUIRE(now == before || now == before + 1);
    if (now == before + 1)
        REQUIRE(log_wait(c, 0, "pooled sign failed"));
    return true;
}

static bool sign_flow(cluster *c)
{
    uint8_t pub[33], child[33];
    REQUIRE(keygen(c, pub) && child_key(child, pub));
    cluster_inbox *pin = NULL, *sin = NULL;
    bool ok = cluster_inbox_open(c, &pin, "mpc.mpc_presign_result.svc-a.*") &&
              cluster_inbox_open(c, &sin, "mpc.mpc_signing_result.svc-a.*");
    ok = ok && warm(c, pin, "warm", 2, 0) && warm(c, pin, "warm-path", 1, 3);
    static const uint8_t tx1[] = "pooled transfer 1";
    static const uint8_t tx2[] = "pooled transfer 2";
    static const uint8_t tx3[] = "interactive after the pool ran dry";
    uint8_t raw[32];
    crypto_hash_sha256(raw, (const uint8_t *)"raw digest", 10);
    /* One presignature per signer per pooled signing (2 signers). */
    ok = ok &&
         sign(c, sin, "p-1", tx1, sizeof tx1, MPC_MSGHASH_SHA256, 0, pub) &&
         used(c, 2) == 2;
    ok =
        ok &&
        sign(c, sin, "p-path", tx1, sizeof tx1, MPC_MSGHASH_SHA256, 3, child) &&
        used(c, 2) == 4;
    /* A raw digest never uses the pool (one entry is still there). */
    ok = ok && sign(c, sin, "p-raw", raw, sizeof raw, 0, 0, pub) &&
         used(c, 2) == 4;
    ok = ok &&
         sign(c, sin, "p-2", tx2, sizeof tx2, MPC_MSGHASH_SHA256, 0, pub) &&
         used(c, 2) == 6;
    /* The pool is empty: an interactive session, same result. */
    ok = ok &&
         sign(c, sin, "p-3", tx3, sizeof tx3, MPC_MSGHASH_SHA256, 0, pub) &&
         used(c, 2) == 6;
    ok = ok && warm(c, pin, "warm-again", 1, 0) && reshare_purges(c) &&
         sign(c, sin, "p-4", tx1, sizeof tx1, MPC_MSGHASH_SHA256, 0, pub) &&
         used(c, 2) == 6;
    ok = ok && member_lost_pool(c, pin, sin, pub);
    if (!ok)
        printf("presignatures used: %d\n", used(c, 2));
    cluster_inbox_close(pin);
    cluster_inbox_close(sin);
    return ok;
}

TEST(node_pool_sign_pooled_then_interactive)
{
    cluster *c = NULL;
    cluster_opts o = {
        .nodes = 2, .ecdsa_fixtures = true, .healthcheck_all = true};
    bool ok = cluster_start(&c, &o);
    ok = ok && sign_flow(c);
    for (int i = 0; ok && i < 2; i++)
        ok = cluster_node_stop(c, i, SIGTERM);
    cluster_stop(c, !ok);
    CHECK(ok);
}
