/*
 * tests/integration/test_node_reshare.c — reshare end to end: 2-of-3 keygen
 * (both curves) on three nodes, a fourth node joins the peers file, reshare
 * of each curve to 3-of-4 (mpcium's new_threshold 2), then signing by a set
 * that needs the new node, under the unchanged keys (libsodium,
 * libsecp256k1). The old versions are gone from every keystore, and two
 * nodes (enough for the old 2-of-3) can no longer sign.
 */
#include <jansson.h>
#include <secp256k1.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/client_proto.h"
#include "node/envelope.h"
#include "node/identity.h"
#include "node/keystore.h"
#include "node/registry.h"
#include "tests/harness/test.h"
#include "tests/integration/cluster.h"

#define RESULT_WAIT_MS 30000
#define WALLET "rs-wallet-1"
#define CID "svc-r"

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The result's string field `key`; NULL when absent. */
static const char *field(json_t *j, const char *key)
{
    return json_string_value(json_object_get(j, key));
}

/* Checks a success result and decodes its base64 field `key`. */
static bool b64_success(const char *data, size_t len, const char *key,
                        uint8_t *out, size_t want)
{
    REQUIRE(data != NULL);
    json_t *j = json_loadb(data, len, 0, NULL);
    REQUIRE(j != NULL);
    const char *s = field(j, key);
    const char *rt = field(j, "result_type");
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

/* The keys under test: Ed25519, and secp256k1 as X || Y. */
typedef struct keys {
    uint8_t ed[32];
    uint8_t xy[64];
} keys;

static bool keygen(cluster *c, cluster_inbox *in, keys *kp)
{
    node_client_request *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL);
    r->op = NODE_CLIENT_OP_KEYGEN;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, WALLET);
    bool ok = cluster_publish(c, r, CID);
    node_client_request_clear(r);
    free(r);
    REQUIRE(ok && cluster_inbox_wait(in, 1, RESULT_WAIT_MS));
    size_t len = 0;
    const char *d =
        cluster_inbox_find(in, "mpc.mpc_keygen_result." CID "." WALLET, &len);
    REQUIRE(b64_success(d, len, "eddsa_pub_key", kp->ed, 32));
    REQUIRE(b64_success(d, len, "ecdsa_pub_key", kp->xy, 64));
    return true;
}

/* Publishes a signing request for `tx_id` and returns its result (the
 * inbox's message number `nth`, 1-based). */
static const char *sign_kt(cluster *c, cluster_inbox *in, int nth,
                           node_client_key_type kt, const char *tx_id,
                           const char *msg, size_t *len)
{
    node_client_request *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->op = NODE_CLIENT_OP_SIGN;
    r->key_type = kt;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, WALLET);
    snprintf(r->tx_id.s, sizeof r->tx_id.s, "%s", tx_id);
    r->tx_len = strlen(msg);
    r->tx = malloc(r->tx_len);
    bool ok = r->tx != NULL;
    if (ok)
        memcpy(r->tx, msg, r->tx_len);
    ok = ok && cluster_publish(c, r, CID);
    node_client_request_clear(r);
    free(r);
    if (!ok || !cluster_inbox_wait(in, nth, RESULT_WAIT_MS)) {
        printf("sign %s: no result\n", tx_id);
        return NULL;
    }
    return cluster_inbox_get(in, nth - 1, NULL, len);
}

static const char *sign(cluster *c, cluster_inbox *in, int nth,
                        const char *tx_id, const char *msg, size_t *len)
{
    return sign_kt(c, in, nth, NODE_CLIENT_KEY_ED25519, tx_id, msg, len);
}

/* An ECDSA signature over a 32-byte digest verifies under X || Y. */
static bool ecdsa_sign_ok(cluster *c, cluster_inbox *in, int nth,
                          const char *tx_id, const uint8_t xy[64])
{
    static const char digest[] = "0123456789abcdef0123456789abcdef";
    size_t len = 0;
    const char *d =
        sign_kt(c, in, nth, NODE_CLIENT_KEY_SECP256K1, tx_id, digest, &len);
    uint8_t rs[64], full[65] = {0x04};
    memcpy(full + 1, xy, 64);
    REQUIRE(b64_success(d, len, "r", rs, 32) &&
            b64_success(d, len, "s", rs + 32, 32));
    const secp256k1_context *sc = secp256k1_context_static;
    secp256k1_pubkey pk;
    secp256k1_ecdsa_signature sig;
    REQUIRE(secp256k1_ec_pubkey_parse(sc, &pk, full, sizeof full));
    REQUIRE(secp256k1_ecdsa_signature_parse_compact(sc, &sig, rs));
    REQUIRE(secp256k1_ecdsa_verify(sc, &sig, (const uint8_t *)digest, &pk));
    return true;
}

static bool sign_ok(cluster *c, cluster_inbox *in, int nth, const char *tx_id,
                    const uint8_t pk[32])
{
    const char *msg = tx_id;
    size_t len = 0;
    const char *d = sign(c, in, nth, tx_id, msg, &len);
    uint8_t sig[64];
    REQUIRE(b64_success(d, len, "signature", sig, sizeof sig));
    REQUIRE(crypto_sign_verify_detached(sig, (const uint8_t *)msg, strlen(msg),
                                        pk) == 0);
    return true;
}

/* Signs and publishes a reshare request as mpcium's Go client does: on
 * core NATS, subject mpc:reshare, with a ClientID header. */
static bool publish_core(cluster *c, node_client_request *r)
{
    uint8_t *tbs = NULL, *body = NULL;
    size_t tbs_len = 0, len = 0;
    REQUIRE_OK(node_client_request_signed_bytes(&tbs, &tbs_len, r,
                                                NODE_CLIENT_SIGNED_CURRENT));
    crypto_sign_detached(r->signature, NULL, tbs, tbs_len,
                         cluster_initiator_sk(c));
    free(tbs);
    r->signature_present = true;
    r->signature_len = 64;
    REQUIRE_OK(node_client_request_encode(&body, &len, r));
    node_header h = {.key = NODE_CLIENT_HDR_CLIENT_ID, .value = CID};
    mpc_err e = node_transport_publish(cluster_client(c),
                                       NODE_CLIENT_SUBJECT_RESHARE_CORE, NULL,
                                       &h, 1, body, len);
    free(body);
    REQUIRE_OK(e);
    return true;
}

static void reshare_request(cluster *c, node_client_request *r,
                            node_client_key_type kt, const char *wallet,
                            const char *session)
{
    r->op = NODE_CLIENT_OP_RESHARE;
    r->key_type = kt;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, "%s", wallet);
    snprintf(r->session_id.s, sizeof r->session_id.s, "%s", session);
    for (int i = 0; i < 4; i++)
        snprintf(r->node_ids[i].s, sizeof r->node_ids[i].s, "%s",
                 cluster_node_id(c, i));
    r->n_node_ids = 4;
    r->node_ids_present = true;
    r->threshold = 3; /* mpcium's new_threshold 2 */
}

/* A reshare of a wallet nobody holds, on the JetStream subject: one error
 * result at once. */
static bool reshare_unknown(cluster *c, cluster_inbox *in)
{
    node_client_request *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL);
    reshare_request(c, r, NODE_CLIENT_KEY_ED25519, "rs-no-such-wallet",
                    "rs-session-0");
    bool ok = cluster_publish(c, r, CID);
    node_client_request_clear(r);
    free(r);
    REQUIRE(ok && cluster_inbox_wait(in, 1, RESULT_WAIT_MS));
    size_t len = 0;
    const char *d = cluster_inbox_find(
        in, "mpc.mpc_reshare_result." CID ".rs-session-0", &len);
    REQUIRE(d != NULL);
    if (strstr(d, "\"error_code\":\"ERROR_KEY_NOT_FOUND\"") == NULL) {
        printf("unknown wallet: %.*s\n", (int)len, d);
        return false;
    }
    return true;
}

/* Checks the reshare result of `session`: success, the unchanged key
 * (`want`, `want_len` bytes), mpcium's new_threshold 2. */
static bool reshare_result(cluster_inbox *in, int nth, const char *session,
                           const uint8_t *want, size_t want_len)
{
    REQUIRE(cluster_inbox_wait(in, nth, RESULT_WAIT_MS));
    char suffix[128];
    snprintf(suffix, sizeof suffix, "mpc.mpc_reshare_result." CID ".%s",
             session);
    size_t len = 0;
    const char *d = cluster_inbox_find(in, suffix, &len);
    uint8_t got[64];
    REQUIRE(b64_success(d, len, "pub_key", got, want_len));
    REQUIRE(memcmp(got, want, want_len) == 0);
    json_t *j = json_loadb(d, len, 0, NULL);
    REQUIRE(j != NULL);
    json_int_t t = json_integer_value(json_object_get(j, "new_threshold"));
    json_decref(j);
    REQUIRE(t == 2);
    return true;
}

/* The EdDSA reshare on core NATS (every node gets a copy), the ECDSA one on
 * the JetStream subject: one result each. */
static bool reshare(cluster *c, cluster_inbox *in, const keys *kp)
{
    node_client_request *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL);
    reshare_request(c, r, NODE_CLIENT_KEY_ED25519, WALLET, "rs-session-1");
    bool ok = publish_core(c, r);
    node_client_request_clear(r);
    ok = ok && reshare_result(in, 2, "rs-session-1", kp->ed, 32);
    reshare_request(c, r, NODE_CLIENT_KEY_SECP256K1, WALLET, "rs-session-2");
    ok = ok && cluster_publish(c, r, CID);
    node_client_request_clear(r);
    free(r);
    return ok && reshare_result(in, 3, "rs-session-2", kp->xy, 64);
}

static bool log_wait(cluster *c, int i, const char *needle, int64_t ms);

/* A commit signed by node 0 (a peer: its envelope verifies) for a reshare
 * the initiator never signed, telling node 1 (left out of the "new"
 * committee) to drop its share: nodes 1 and 2 refuse it (node 0 drops its
 * own envelopes). */
static bool forged_commit(cluster *c)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/identity", cluster_dir(c));
    node_identity *id = NULL;
    REQUIRE_OK(node_identity_load(&id, dir, "node0", NULL, 0, NULL, 0));
    node_envelope_self self;
    mpc_err e = node_envelope_self_init(&self, id->id, id->sk);
    node_identity_free(id);
    REQUIRE_OK(e);
    /* A well-formed request, signed with a key nobody trusts. */
    node_client_request *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL);
    reshare_request(c, r, NODE_CLIENT_KEY_ED25519, WALLET, "rs-forged");
    snprintf(r->node_ids[1].s, sizeof r->node_ids[1].s, "%s",
             cluster_node_id(c, 2));
    r->n_node_ids = 2;
    r->threshold = 2;
    uint8_t pk[32], sk[64], *body = NULL;
    size_t len = 0;
    crypto_sign_keypair(pk, sk);
    crypto_sign_detached(r->signature, NULL, (const uint8_t *)"x", 1, sk);
    r->signature_present = true;
    r->signature_len = 64;
    REQUIRE_OK(node_client_request_encode(&body, &len, r));
    const char *parties[3] = {cluster_node_id(c, 0), cluster_node_id(c, 1),
                              cluster_node_id(c, 2)};
    const char *committee[2] = {cluster_node_id(c, 0), cluster_node_id(c, 2)};
    uint8_t nonce[32] = {1}, old[32 + 64 * 2] = {0};
    Mpcium__V1__SessionStart st = MPCIUM__V1__SESSION_START__INIT;
    st.operation = MPCIUM__V1__OPERATION__OPERATION_RESHARE_EDDSA;
    st.nonce = (ProtobufCBinaryData){sizeof nonce, nonce};
    st.request = (ProtobufCBinaryData){len, body};
    st.n_parties = 3;
    st.parties = (char **)parties;
    st.threshold = 2;
    st.key_version = 1;
    st.n_new_committee = 2;
    st.new_committee = (char **)committee;
    st.new_threshold = 2;
    st.old_public = (ProtobufCBinaryData){sizeof old, old};
    st.round_timeout_ms = 1000;
    st.barrier_timeout_ms = 1000;
    uint8_t sb[4096], ab[4096], env[8192];
    size_t slen = mpcium__v1__session_start__pack(&st, sb);
    Mpcium__V1__SessionAck ack = MPCIUM__V1__SESSION_ACK__INIT;
    ack.start = (ProtobufCBinaryData){slen, sb};
    size_t alen = mpcium__v1__session_ack__pack(&ack, ab);
    node_envelope_meta meta = {.op = NODE_ENVELOPE_OP_RESHARE_EDDSA,
                               .kind = NODE_ENVELOPE_SESSION_ACK};
    size_t elen = 0;
    e = node_envelope_start_sid(meta.sid, self.id, sb, slen);
    if (e == MPC_OK)
        e = node_envelope_seal(test_ctx(), env, sizeof env, &elen, &self, NULL,
                               &meta, ab, alen);
    if (e == MPC_OK)
        e = node_transport_publish(cluster_client(c), "mpcium.v1.commit", NULL,
                                   NULL, 0, env, elen);
    free(body);
    node_client_request_clear(r);
    free(r);
    node_envelope_self_clear(&self);
    REQUIRE_OK(e);
    for (int i = 1; i < 3; i++)
        REQUIRE(log_wait(c, i, "reason=client request", 10000));
    return true;
}

/* Bounded wait for a line in node i's log. */
static bool log_wait(cluster *c, int i, const char *needle, int64_t ms)
{
    int64_t end = mono_ms() + ms;
    while (!cluster_log_has(c, i, needle)) {
        if (mono_ms() > end) {
            printf("node%d: no \"%s\"\n", i, needle);
            return false;
        }
        sleep_ms(50);
    }
    return true;
}

/* Bounded wait until node i's metric `name` is `want`. */
static bool metric_wait(cluster *c, int i, const char *name, double want,
                        int64_t ms)
{
    int64_t end = mono_ms() + ms;
    double v = -1;
    while (!cluster_metric(c, i, name, &v) || v != want) {
        if (mono_ms() > end) {
            printf("node%d: %s %g, want %g\n", i, name, v, want);
            return false;
        }
        sleep_ms(100);
    }
    return true;
}

/* Bounded wait until node i counts `want` peers up. */
static bool peers_wait(cluster *c, int i, double want)
{
    return metric_wait(c, i, "mpcium_peers_ready", want, 15000);
}

/* The share versions node i holds of the wallet (the node is stopped). */
static bool versions(cluster *c, int i, node_keystore_curve curve, uint32_t *v,
                     size_t *n)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/db/node%d", cluster_dir(c), i);
    static const char pw[] = "integration test password";
    node_keystore *ks = NULL;
    REQUIRE_OK(
        node_keystore_open(&ks, dir, (const uint8_t *)pw, sizeof pw - 1, NULL));
    mpc_err e = node_keystore_share_versions(ks, v, 4, n, curve, WALLET);
    node_keystore_close(ks);
    REQUIRE_OK(e);
    return true;
}

/* Every keystore holds version 2 only, of both keys. */
static bool only_v2(cluster *c)
{
    static const node_keystore_curve curves[2] = {NODE_KEYSTORE_ED25519,
                                                  NODE_KEYSTORE_SECP256K1};
    for (int i = 0; i < 4; i++) {
        REQUIRE(cluster_node_stop(c, i, SIGTERM));
        for (int k = 0; k < 2; k++) {
            uint32_t v[4];
            size_t n = 0;
            REQUIRE(versions(c, i, curves[k], v, &n));
            if (n != 1 || v[0] != 2) {
                printf("node%d curve %d: %zu versions (first %u)\n", i,
                       (int)curves[k], n, n > 0 ? v[0] : 0);
                return false;
            }
        }
    }
    return true;
}

/* Each node's ECDSA committee aux-info is stored (bounded). */
static bool aux_wait(cluster *c, int nodes)
{
    for (int i = 0; i < nodes; i++)
        REQUIRE(metric_wait(c, i, "mpcium_ecdsa_aux_ready", 1, 180000));
    return true;
}

/* Key info in NATS KV (informational): `curve`'s committee, signers and
 * version as the reshare left them. */
static bool keyinfo_is(cluster *c, const char *curve, uint32_t threshold,
                       uint32_t version, size_t n)
{
    char key[NODE_REGISTRY_KEY_MAX_BYTES + 1];
    REQUIRE_OK(node_registry_keyinfo_key(key, sizeof key, curve, WALLET));
    node_kv_entry *e = calloc(1, sizeof *e);
    node_keyinfo ki;
    REQUIRE(e != NULL);
    bool ok =
        node_transport_kv_get(cluster_client(c), NODE_REGISTRY_BUCKET_KEYINFO,
                              key, e) == MPC_OK &&
        node_keyinfo_parse(e->value, e->len, &ki) == MPC_OK &&
        ki.threshold == threshold && ki.version == version &&
        ki.nparticipants == n;
    if (!ok)
        printf("key info %s: %.*s\n", key, (int)e->len, (const char *)e->value);
    free(e);
    return ok;
}

/* Nodes 0..2 up: keygen, sign, a reshare of an unknown wallet; then node 3
 * joins and both keys are reshared to all four. */
static bool before_and_reshare(cluster *c, cluster_inbox **in, keys *kp)
{
    REQUIRE(peers_wait(c, 0, 3) && keygen(c, in[0], kp) &&
            keyinfo_is(c, "eddsa", 2, 1, 3) &&
            keyinfo_is(c, "ecdsa", 2, 1, 3) &&
            sign_ok(c, in[1], 1, "rs-tx-1", kp->ed) &&
            reshare_unknown(c, in[2]) && forged_commit(c));
    /* The ECDSA committee follows the peers file: let the first one's
     * aux-info finish before it changes. */
    REQUIRE(aux_wait(c, 3));
    /* The operator adds node 3 to the peers file; the running nodes learn
     * it on SIGHUP (docs/operations.md "Reshare"). */
    REQUIRE(cluster_peers_write(c, 4));
    for (int i = 0; i < 3; i++)
        REQUIRE(cluster_node_signal(c, i, SIGHUP) &&
                log_wait(c, i, "msg=\"peers reloaded\"", 10000));
    /* The new committee's ECDSA aux-info first: ECDSA signing needs it. */
    REQUIRE(cluster_node_start(c, 3) && peers_wait(c, 0, 4) && aux_wait(c, 4));
    REQUIRE(reshare(c, in[2], kp));
    for (int i = 0; i < 4; i++)
        REQUIRE(log_wait(c, i, "committed\" curve=eddsa", 10000) &&
                log_wait(c, i, "committed\" curve=ecdsa", 10000));
    REQUIRE(keyinfo_is(c, "eddsa", 3, 2, 4) && keyinfo_is(c, "ecdsa", 3, 2, 4));
    /* Four nodes forwarded the core request: still one result each. */
    sleep_ms(500);
    if (cluster_inbox_count(in[2]) != 3) {
        printf("reshare results: %d\n", cluster_inbox_count(in[2]));
        return false;
    }
    return true;
}

/* After the reshare: 3-of-4 without node 1 needs node 3; two nodes no
 * longer suffice. */
static bool after(cluster *c, cluster_inbox **in, const keys *kp)
{
    REQUIRE(cluster_node_stop(c, 1, SIGTERM) && peers_wait(c, 0, 3) &&
            sign_ok(c, in[1], 2, "rs-tx-2", kp->ed) &&
            ecdsa_sign_ok(c, in[1], 3, "rs-tx-3", kp->xy));
    size_t len = 0;
    const char *d = NULL;
    REQUIRE(cluster_node_stop(c, 2, SIGTERM) && peers_wait(c, 0, 2) &&
            (d = sign(c, in[1], 4, "rs-tx-4", "rs-tx-4", &len)) != NULL);
    if (strstr(d, "\"error_code\":\"ERROR_INSUFFICIENT_PARTICIPANTS\"") ==
        NULL) {
        printf("old quorum: %.*s\n", (int)len, d);
        return false;
    }
    return true;
}

static bool flow(cluster *c)
{
    static const char *const pattern[3] = {"mpc.mpc_keygen_result." CID ".*",
                                           "mpc.mpc_signing_result." CID ".*",
                                           "mpc.mpc_reshare_result." CID ".*"};
    cluster_inbox *in[3] = {NULL, NULL, NULL};
    bool ok = true;
    for (int i = 0; ok && i < 3; i++)
        ok = cluster_inbox_open(c, &in[i], pattern[i]);
    keys kp;
    ok = ok && before_and_reshare(c, in, &kp) && after(c, in, &kp);
    for (int i = 0; i < 3; i++)
        cluster_inbox_close(in[i]);
    return ok && only_v2(c);
}

TEST(node_reshare_2of3_to_3of4_with_a_new_node_both_curves)
{
    cluster *c = NULL;
    cluster_opts o = {.nodes = 4,
                      .in_peers = 3,
                      .start = 3,
                      .mpc_threshold = 1,
                      .ecdsa_fixtures = true,
                      .healthcheck_all = true};
    bool ok = cluster_start(&c, &o) && flow(c);
    cluster_stop(c, !ok);
    CHECK(ok);
}

/* Reshares the ECDSA key to the first `n` nodes, t-of-n in our meaning
 * (mpcium's new_threshold t - 1), on the JetStream subject; checks the
 * result (inbox message `nth`) and that every new member committed. */
static bool ec_reshare_to(cluster *c, cluster_inbox *in, int nth, int n,
                          uint32_t t, const char *session, const keys *kp)
{
    node_client_request *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL);
    reshare_request(c, r, NODE_CLIENT_KEY_SECP256K1, WALLET, session);
    r->n_node_ids = (size_t)n;
    r->threshold = t;
    bool ok = cluster_publish(c, r, CID);
    node_client_request_clear(r);
    free(r);
    REQUIRE(ok && cluster_inbox_wait(in, nth, RESULT_WAIT_MS));
    char suffix[128];
    snprintf(suffix, sizeof suffix, "mpc.mpc_reshare_result." CID ".%s",
             session);
    size_t len = 0;
    const char *d = cluster_inbox_find(in, suffix, &len);
    uint8_t got[64];
    REQUIRE(b64_success(d, len, "pub_key", got, 64));
    REQUIRE(memcmp(got, kp->xy, 64) == 0);
    return true;
}

/* Node i's log has `needle` at least `count` times (bounded wait). */
static bool log_count_wait(cluster *c, int i, const char *needle, int count,
                           int64_t ms)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/node%d.log", cluster_dir(c), i);
    int64_t end = mono_ms() + ms;
    for (;;) {
        int got = 0;
        FILE *f = fopen(path, "r");
        char line[4096];
        while (f != NULL && fgets(line, sizeof line, f) != NULL)
            got += strstr(line, needle) != NULL;
        if (f != NULL)
            fclose(f);
        if (got >= count)
            return true;
        if (mono_ms() > end) {
            printf("node%d: \"%s\" %d times, want %d\n", i, needle, got, count);
            return false;
        }
        sleep_ms(100);
    }
}

/* Node i (stopped) holds exactly the ECDSA versions `want` (n of them). */
static bool ec_versions_are(cluster *c, int i, const uint32_t *want, size_t n)
{
    uint32_t v[4];
    size_t got = 0;
    REQUIRE(versions(c, i, NODE_KEYSTORE_SECP256K1, v, &got));
    bool ok = got == n && (n == 0 || memcmp(v, want, n * sizeof *v) == 0);
    if (!ok)
        printf("node%d: %zu ecdsa versions (first %u)\n", i, got,
               got > 0 ? v[0] : 0);
    return ok;
}

/* 2-of-3 keygen on the whole peers file. With node 2 down, the ECDSA key
 * moves to a strict subset (2-of-2 on nodes 0 and 1), whose aux-info the
 * node with the smallest id then runs, and signs there. Node 2 missed the
 * commit: at its restart it applies the one kept in KV and drops its old
 * share. Then back to a superset (2-of-3, the peers file's committee
 * again), a signature, and every node holds the last version only. */
static bool subset_flow(cluster *c)
{
    static const char *const pattern[3] = {"mpc.mpc_keygen_result." CID ".*",
                                           "mpc.mpc_signing_result." CID ".*",
                                           "mpc.mpc_reshare_result." CID ".*"};
    cluster_inbox *in[3] = {NULL, NULL, NULL};
    bool ok = true;
    for (int i = 0; ok && i < 3; i++)
        ok = cluster_inbox_open(c, &in[i], pattern[i]);
    keys kp;
    ok = ok && peers_wait(c, 0, 3) && keygen(c, in[0], &kp) && aux_wait(c, 3);
    ok = ok && cluster_node_stop(c, 2, SIGTERM) && peers_wait(c, 0, 2);
    ok = ok && ec_reshare_to(c, in[2], 1, 2, 2, "rs-sub-1", &kp);
    for (int i = 0; ok && i < 2; i++)
        ok = log_wait(c, i, "committed\" curve=ecdsa", 10000) &&
             log_wait(c, i, "aux-info stored\" nodes=2", 60000);
    ok = ok && ecdsa_sign_ok(c, in[1], 1, "rs-sub-tx-1", kp.xy);
    static const uint32_t v1[] = {1}, v3[] = {3};
    ok = ok && ec_versions_are(c, 2, v1, 1);
    ok = ok && cluster_node_start(c, 2) &&
         log_wait(c, 2,
                  "committed\" curve=ecdsa wallet=" WALLET
                  " version=2 member=0 deleted=1",
                  10000) &&
         peers_wait(c, 0, 3);
    ok = ok && ec_reshare_to(c, in[2], 2, 3, 2, "rs-sub-2", &kp);
    for (int i = 0; ok && i < 3; i++)
        ok = log_count_wait(c, i, "committed\" curve=ecdsa", 2, 10000);
    ok = ok && ecdsa_sign_ok(c, in[1], 2, "rs-sub-tx-2", kp.xy);
    for (int i = 0; i < 3; i++)
        cluster_inbox_close(in[i]);
    for (int i = 0; ok && i < 3; i++)
        ok = cluster_node_stop(c, i, SIGTERM) && ec_versions_are(c, i, v3, 1);
    return ok;
}

TEST(node_reshare_ecdsa_to_a_subset_then_back_signs)
{
    cluster *c = NULL;
    cluster_opts o = {.nodes = 3,
                      .mpc_threshold = 1,
                      .ecdsa_fixtures = true,
                      .healthcheck_all = true};
    bool ok = cluster_start(&c, &o) && subset_flow(c);
    cluster_stop(c, !ok);
    CHECK(ok);
}
