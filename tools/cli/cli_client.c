/*
 * mpcium-cli keygen / sign: a client that talks to the cluster exactly as
 * mpcium's Go client does. The request is JSON signed with the initiator's
 * Ed25519 key, published to JetStream with an optional ClientID header; the
 * result is read from this client's own durable on the "mpc" stream (our
 * injective durable name, node_client_result_durable), bounded by
 * --timeout. Signatures are verified when the key is given: Ed25519 with
 * libsodium, ECDSA with libsecp256k1 (recovery id included).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sodium.h>

#include "common/os_rng.h"
#include "mpc/ctx.h"
#include "mpc/group.h"
#include "mpc/hd.h"
#include "mpc/msghash.h"
#include "node/client_proto.h"
#include "node/identity.h"
#include "node/transport.h"
#include "tools/cli/cli.h"

#define FETCH_SLICE_MS 500
#define ACK_WAIT_MS 30000
#define NAK_DELAY_MS 1000

static const char keygen_usage[] =
    "usage: mpcium-cli keygen --nats URL --initiator-key FILE\n"
    "           [--client-id ID] [--wallet ID] [--timeout S]\n"
    "\n"
    "  --nats URL            NATS server (e.g. nats://127.0.0.1:4222)\n"
    "  --initiator-key FILE  hex Ed25519 seed (mpcium-cli generate-initiator)\n"
    "  --client-id ID        ClientID header; results on the scoped subject\n"
    "                        (default mpcium-cli)\n"
    "  --wallet ID           wallet id (default: a random one)\n"
    "  --timeout S           seconds to wait for the result (default 60)\n"
    "\n"
    "Prints wallet_id, eddsa_pub_key and ecdsa_pub_key (hex).\n";

static const char sign_usage[] =
    "usage: mpcium-cli sign --nats URL --initiator-key FILE --wallet ID\n"
    "           --key-type ed25519|secp256k1\n"
    "           (--message HEX | --message-text TEXT) [--hash NAME]\n"
    "           [--path 44/501/0/0] [--pubkey HEX [--chain-code HEX]]\n"
    "           [--client-id ID] [--tx-id ID] [--timeout S]\n"
    "\n"
    "  --hash NAME        secp256k1: the nodes sign NAME(message), NAME one\n"
    "                     of sha256, sha256d, keccak256; without it the\n"
    "                     message (at most 32 bytes) is the digest\n"
    "  --pubkey HEX       the wallet's key of that type (from keygen): the\n"
    "                     signature is then verified with libsodium\n"
    "                     (ed25519) or libsecp256k1 (secp256k1: X||Y, 128\n"
    "                     hex digits, or compressed, 66)\n"
    "  --chain-code HEX   the nodes' chain_code, to verify a --path signature\n"
    "                     against the derived key\n"
    "\n"
    "Prints the signature (hex; r, s and the recovery id for secp256k1) and\n"
    "whether it verifies.\n";

typedef struct client {
    node_transport *t;
    node_pull *pull;
    char durable[NODE_JS_NAME_MAX_BYTES + 1];
    const char *client_id;
    uint8_t isk[crypto_sign_SECRETKEYBYTES];
    int64_t timeout_ms;
} client;

static bool parse_hex(uint8_t *out, size_t want, const char *s)
{
    size_t n = 0;
    return s != NULL && strlen(s) == 2 * want &&
           sodium_hex2bin(out, want, s, strlen(s), NULL, &n, NULL) == 0 &&
           n == want;
}

static void print_hex(const char *label, const uint8_t *b, size_t n)
{
    printf("%s: ", label);
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
    putchar('\n');
}

/* The initiator's Ed25519 seed file: 64 hex digits, optional newline. */
static bool load_initiator(client *c, const char *path)
{
    char buf[130];
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        cli_error("cannot open initiator key %s", path);
        return false;
    }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    buf[n] = '\0';
    uint8_t seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES];
    bool ok = parse_hex(seed, sizeof seed, buf);
    if (ok)
        crypto_sign_seed_keypair(pk, c->isk, seed);
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(buf, sizeof buf);
    if (!ok)
        cli_error("%s: not a hex Ed25519 seed (64 hex digits)", path);
    return ok;
}

static bool parse_timeout(const char *s, int64_t *ms)
{
    size_t v = 0;
    if (!cli_parse_count(s, 1, 3600, &v))
        return false;
    *ms = (int64_t)v * 1000;
    return true;
}

/* Connects and binds this client's durable result consumer for `op`. */
static bool client_open(client *c, const char *url, node_client_op op)
{
    node_nats_config nc;
    node_transport_nats_default(&nc);
    nc.url = url;
    nc.name = "mpcium-cli";
    nc.max_reconnect = 0;
    mpc_err e = node_transport_nats_new(&c->t, &nc);
    if (e != MPC_OK) {
        cli_error("cannot connect to %s: %s", url, mpc_err_str(e));
        return false;
    }
    char filter[NODE_SUBJECT_MAX_BYTES + 1];
    e = node_client_result_filter(filter, sizeof filter, op, c->client_id);
    if (e == MPC_OK)
        e = node_client_result_durable(c->durable, sizeof c->durable, op,
                                       c->client_id);
    node_js_consumer_config cc = {.stream = NODE_CLIENT_RESULT_STREAM,
                                  .durable = c->durable,
                                  .description = "mpcium-cli results",
                                  .filter_subject = filter,
                                  .deliver = NODE_JS_DELIVER_ALL,
                                  .ack = NODE_JS_ACK_EXPLICIT,
                                  .ack_wait_ms = ACK_WAIT_MS,
                                  .max_deliver = -1,
                                  .max_ack_pending = -1};
    /* The legacy (unscoped) durable is the nodes' (node/jsetup.h): bind to
     * it as it is rather than change its settings. */
    bool scoped = c->client_id != NULL && c->client_id[0] != '\0';
    if (e == MPC_OK && scoped)
        e = node_transport_consumer_add(c->t, &cc);
    if (e == MPC_OK)
        e = node_transport_pull_bind(c->t, &c->pull, NODE_CLIENT_RESULT_STREAM,
                                     c->durable);
    if (e != MPC_OK) {
        cli_error("result consumer %s on stream \"%s\": %s (are the nodes "
                  "started?)",
                  c->durable, NODE_CLIENT_RESULT_STREAM, mpc_err_str(e));
        return false;
    }
    return true;
}

static void client_close(client *c)
{
    if (c->t != NULL) {
        node_transport_pull_unbind(c->t, &c->pull);
        node_transport_free(c->t);
    }
    sodium_memzero(c->isk, sizeof c->isk);
}

/* Signs `r` with the initiator key and publishes it like mpcium's client. */
static bool publish(client *c, node_client_request *r, const char *id)
{
    uint8_t *tbs = NULL, *body = NULL;
    size_t tbs_len = 0, len = 0;
    mpc_err e = node_client_request_signed_bytes(&tbs, &tbs_len, r,
                                                 NODE_CLIENT_SIGNED_CURRENT);
    if (e == MPC_OK) {
        crypto_sign_detached(r->signature, NULL, tbs, tbs_len, c->isk);
        r->signature_present = true;
        r->signature_len = crypto_sign_BYTES;
        e = node_client_request_encode(&body, &len, r);
    }
    free(tbs);
    char subject[NODE_CLIENT_NAME_MAX_BYTES];
    if (e == MPC_OK)
        e = node_client_request_subject(subject, sizeof subject, r->op, id);
    node_header h = {.key = NODE_CLIENT_HDR_CLIENT_ID, .value = c->client_id};
    bool scoped = c->client_id != NULL && c->client_id[0] != '\0';
    if (e == MPC_OK)
        e = node_transport_js_publish(c->t, subject, &h, scoped ? 1 : 0, body,
                                      len, NULL, 5000, NULL);
    free(body);
    if (e != MPC_OK)
        cli_error("cannot publish the request: %s", mpc_err_str(e));
    return e == MPC_OK;
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? s : "";
}

/* Waits for the result whose `key` field is `id`; others (stale results for
 * this client id) are acknowledged and skipped. Returns the parsed JSON, or
 * NULL after printing why. */
static json_t *await_result(client *c, const char *key, const char *id)
{
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t el = (now.tv_sec - t0.tv_sec) * 1000 +
                     (now.tv_nsec - t0.tv_nsec) / 1000000;
        if (el >= c->timeout_ms) {
            cli_error("no result for %s within %lld s", id,
                      (long long)(c->timeout_ms / 1000));
            return NULL;
        }
        node_jsmsg *m = NULL;
        size_t n = 0;
        mpc_err e =
            node_transport_pull_fetch(c->t, c->pull, &m, 1, &n, FETCH_SLICE_MS);
        if (e != MPC_OK) {
            cli_error("reading results: %s", mpc_err_str(e));
            return NULL;
        }
        if (n == 0)
            continue;
        json_t *j = json_loadb((const char *)m->msg.data, m->msg.len, 0, NULL);
        bool mine = j != NULL && strcmp(jstr(j, key), id) == 0;
        /* On the shared legacy durable, leave other clients' results to
         * them (redelivered after a second); ours are ours to drop. */
        bool scoped = c->client_id[0] != '\0';
        mpc_err ae = mine || scoped ? node_transport_ack(c->t, m)
                                    : node_transport_nak(c->t, m, NAK_DELAY_MS);
        if (ae != MPC_OK)
            cli_error("warning: result ack failed (it may be redelivered)");
        node_transport_jsmsg_free(c->t, &m);
        if (mine)
            return j;
        json_decref(j);
    }
}

/* Prints an error result; true when `j` is a success. */
static bool result_ok(const json_t *j)
{
    if (strcmp(jstr(j, "result_type"), "success") == 0)
        return true;
    cli_error("the cluster answered an error: %s: %s", jstr(j, "error_code"),
              jstr(j, "error_reason"));
    return false;
}

/* A base64 field into hex on stdout; `null` or absent prints "null". */
static bool print_b64(const json_t *j, const char *key, uint8_t *out,
                      size_t cap, size_t *len)
{
    const char *s = json_string_value(json_object_get(j, key));
    if (s == NULL) {
        printf("%s: null\n", key);
        *len = 0;
        return true;
    }
    if (sodium_base642bin(out, cap, s, strlen(s), NULL, len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        cli_error("result field %s is not base64", key);
        return false;
    }
    print_hex(key, out, *len);
    return true;
}

int cli_client_keygen(int argc, char **argv)
{
    const char *url = NULL, *keyfile = NULL, *cid = "mpcium-cli",
               *wallet = NULL, *tmo = "60";
    bool help = false;
    const struct cli_opt opts[] = {
        {"nats", 0, &url, NULL},      {"initiator-key", 0, &keyfile, NULL},
        {"client-id", 0, &cid, NULL}, {"wallet", 0, &wallet, NULL},
        {"timeout", 0, &tmo, NULL},
    };
    int rc = cli_parse("keygen", argc, argv, opts, sizeof opts / sizeof *opts,
                       &help);
    if (rc != CLI_EXIT_OK || help) {
        fputs(keygen_usage, help && rc == CLI_EXIT_OK ? stdout : stderr);
        return rc;
    }
    client c = {.client_id = cid};
    char wid[NODE_UUID_BYTES + 1];
    if (url == NULL || keyfile == NULL)
        return cli_usage_error(keygen_usage,
                               "keygen: --nats and --initiator-key are needed");
    if (!parse_timeout(tmo, &c.timeout_ms))
        return cli_usage_error(keygen_usage, "keygen: bad --timeout \"%s\"",
                               tmo);
    if (cid[0] != '\0' &&
        node_client_client_id_check(cid, strlen(cid)) != MPC_OK)
        return cli_usage_error(keygen_usage, "keygen: bad --client-id \"%s\"",
                               cid);
    if (wallet == NULL) {
        node_uuid_v4(wid, os_rng_fill, NULL);
        wallet = wid;
    }
    if (!node_client_id_is_valid(wallet, strlen(wallet)))
        return cli_usage_error(keygen_usage, "keygen: bad --wallet \"%s\"",
                               wallet);
    node_client_request *r = calloc(1, sizeof *r);
    json_t *j = NULL;
    rc = CLI_EXIT_FAIL;
    if (r == NULL)
        cli_error("out of memory");
    if (r == NULL || !load_initiator(&c, keyfile) ||
        !client_open(&c, url, NODE_CLIENT_OP_KEYGEN))
        goto out;
    r->op = NODE_CLIENT_OP_KEYGEN;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, "%s", wallet);
    if (!publish(&c, r, wallet))
        goto out;
    j = await_result(&c, "wallet_id", wallet);
    if (j == NULL || !result_ok(j))
        goto out;
    uint8_t buf[NODE_CLIENT_ECDSA_PUB_BYTES + 1];
    size_t n = 0;
    printf("wallet_id: %s\n", wallet);
    if (print_b64(j, "eddsa_pub_key", buf, sizeof buf, &n) &&
        print_b64(j, "ecdsa_pub_key", buf, sizeof buf, &n))
        rc = CLI_EXIT_OK;
out:
    json_decref(j);
    node_client_request_clear(r);
    free(r);
    client_close(&c);
    return rc;
}

/* "44/501/0/0" (optionally "m/..."), non-hardened indices. */
static bool parse_path(node_client_request *r, const char *s)
{
    if (strncmp(s, "m/", 2) == 0)
        s += 2;
    r->path_len = 0;
    while (*s != '\0') {
        char *end = NULL;
        unsigned long v = strtoul(s, &end, 10);
        if (end == s || v >= MPC_HD_HARDENED || r->path_len >= MPC_HD_MAX_DEPTH)
            return false;
        r->path[r->path_len++] = (uint32_t)v;
        if (*end == '/' && end[1] != '\0')
            end++;
        else if (*end != '\0')
            return false;
        s = end;
    }
    return r->path_len > 0;
}

/* The wallet key from --pubkey in the nodes' point encoding: Ed25519 as
 * is (32 bytes); secp256k1 compressed (33), from X || Y as keygen prints
 * it (the whole point checked here: a wrong Y is refused, not dropped) or
 * already compressed. The point is also checked by mpc_point_parse. */
typedef struct wallet_key {
    uint8_t b[MPC_POINT_MAX_BYTES];
    size_t len;
} wallet_key;

static bool parse_pubkey(wallet_key *k, node_client_key_type kt,
                         const char *hex)
{
    uint8_t sec1[1 + NODE_CLIENT_ECDSA_PUB_BYTES];
    k->len = kt == NODE_CLIENT_KEY_ED25519 ? 32 : 33;
    if (kt == NODE_CLIENT_KEY_ED25519 || strlen(hex) == 2 * 33)
        return parse_hex(k->b, k->len, hex);
    sec1[0] = 0x04;
    secp256k1_pubkey pk;
    size_t len = 33;
    return parse_hex(sec1 + 1, NODE_CLIENT_ECDSA_PUB_BYTES, hex) &&
           secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, sec1,
                                     sizeof sec1) == 1 &&
           secp256k1_ec_pubkey_serialize(secp256k1_context_static, k->b, &len,
                                         &pk, SECP256K1_EC_COMPRESSED) == 1;
}

/* The key to verify against: `pub`, derived along r's path when given. */
static bool verify_key(const node_client_request *r, const wallet_key *pub,
                       const char *cc_hex, wallet_key *out)
{
    uint8_t cc[MPC_HD_CHAIN_CODE_BYTES];
    if (r->path_len > 0 && !parse_hex(cc, sizeof cc, cc_hex))
        return false;
    mpc_ctx *ctx = NULL;
    mpc_ctx_config cfg = {.rng = os_rng_fill};
    if (mpc_ctx_new(&ctx, &cfg) != MPC_OK)
        return false;
    const mpc_group *g = mpc_ctx_group(
        ctx, r->key_type == NODE_CLIENT_KEY_ED25519 ? MPC_CURVE_ED25519
                                                    : MPC_CURVE_SECP256K1);
    mpc_point master;
    mpc_hd_child child;
    bool ok = mpc_point_parse(g, &master, pub->b, pub->len) == MPC_OK;
    if (ok && r->path_len == 0)
        *out = *pub;
    if (ok && r->path_len > 0) {
        ok = mpc_hd_derive(g, &child, &master, cc, r->path, r->path_len) ==
             MPC_OK;
        out->len = pub->len;
        if (ok)
            mpc_point_serialize(g, out->b, &child.pub);
    }
    mpc_ctx_free(ctx);
    return ok;
}

static bool eddsa_report(const json_t *j, const node_client_request *r,
                         const wallet_key *key)
{
    uint8_t sig[NODE_CLIENT_SIG_MAX_BYTES];
    size_t n = 0;
    if (!print_b64(j, "signature", sig, sizeof sig, &n))
        return false;
    if (key == NULL)
        return true;
    bool ok = n == crypto_sign_BYTES &&
              crypto_sign_verify_detached(sig, r->tx, r->tx_len, key->b) == 0;
    printf("verified: %s\n", ok ? "yes (libsodium)" : "NO");
    return ok;
}

/* r, s and the recovery id; with a key, a libsecp256k1 check of the
 * signature over the request's digest (low-S required, as the nodes
 * promise) and of the key that the recovery id recovers. */
static bool ecdsa_report(const json_t *j, const node_client_request *r,
                         const wallet_key *key)
{
    uint8_t rs[64], v[2], digest[MPC_MSGHASH_BYTES], rec33[33];
    size_t rn = 0, sn = 0, vn = 0, len = sizeof rec33;
    if (!print_b64(j, "r", rs, 32, &rn) ||
        !print_b64(j, "s", rs + 32, 32, &sn) ||
        !print_b64(j, "signature_recovery", v, sizeof v, &vn))
        return false;
    if (rn != 32 || sn != 32 || vn != 1 || v[0] > 3) {
        cli_error("the result has no 32-byte r, s and one recovery byte");
        return false;
    }
    if (key == NULL)
        return true;
    if (node_client_request_digest(digest, r) != MPC_OK) {
        cli_error("cannot compute the digest of the request");
        return false;
    }
    print_hex("digest", digest, sizeof digest);
    /* Verification and recovery need no signing tables: the static
     * context does. */
    const secp256k1_context *sc = secp256k1_context_static;
    secp256k1_pubkey pk, rpk;
    secp256k1_ecdsa_signature sig;
    secp256k1_ecdsa_recoverable_signature rsig;
    bool ok = secp256k1_ec_pubkey_parse(sc, &pk, key->b, 33) == 1 &&
              secp256k1_ecdsa_signature_parse_compact(sc, &sig, rs) == 1 &&
              secp256k1_ecdsa_verify(sc, &sig, digest, &pk) == 1;
    bool rec_ok = ok &&
                  secp256k1_ecdsa_recoverable_signature_parse_compact(
                      sc, &rsig, rs, v[0]) == 1 &&
                  secp256k1_ecdsa_recover(sc, &rpk, &rsig, digest) == 1 &&
                  secp256k1_ec_pubkey_serialize(sc, rec33, &len, &rpk,
                                                SECP256K1_EC_COMPRESSED) == 1 &&
                  len == 33 && memcmp(rec33, key->b, 33) == 0;
    printf("verified: %s\n", !ok       ? "NO"
                             : !rec_ok ? "NO (the recovery id recovers "
                                         "another key)"
                                       : "yes (libsecp256k1, recovery id "
                                         "checked)");
    return ok && rec_ok;
}

static int sign_report(const json_t *j, const node_client_request *r,
                       const wallet_key *pub, const char *cc_hex)
{
    wallet_key key;
    if (pub != NULL && !verify_key(r, pub, cc_hex, &key)) {
        cli_error("--pubkey is not a point, or the key to verify against "
                  "cannot be derived");
        return CLI_EXIT_FAIL;
    }
    if (pub != NULL)
        print_hex(r->path_len > 0 ? "derived_pub_key" : "pub_key", key.b,
                  key.len);
    bool ok = r->key_type == NODE_CLIENT_KEY_ED25519
                  ? eddsa_report(j, r, pub != NULL ? &key : NULL)
                  : ecdsa_report(j, r, pub != NULL ? &key : NULL);
    if (ok && pub == NULL)
        printf("verified: unknown (give --pubkey to verify)\n");
    return ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

int cli_client_sign(int argc, char **argv)
{
    const char *url = NULL, *keyfile = NULL, *cid = "mpcium-cli",
               *wallet = NULL, *tmo = "60", *kt = NULL, *msg_hex = NULL,
               *msg_text = NULL, *path = NULL, *pub_hex = NULL, *cc_hex = NULL,
               *tx_id = NULL, *hash = NULL;
    bool help = false;
    const struct cli_opt opts[] = {
        {"nats", 0, &url, NULL},          {"initiator-key", 0, &keyfile, NULL},
        {"client-id", 0, &cid, NULL},     {"wallet", 0, &wallet, NULL},
        {"timeout", 0, &tmo, NULL},       {"key-type", 0, &kt, NULL},
        {"message", 0, &msg_hex, NULL},   {"message-text", 0, &msg_text, NULL},
        {"path", 0, &path, NULL},         {"pubkey", 0, &pub_hex, NULL},
        {"chain-code", 0, &cc_hex, NULL}, {"tx-id", 0, &tx_id, NULL},
        {"hash", 0, &hash, NULL},
    };
    int rc =
        cli_parse("sign", argc, argv, opts, sizeof opts / sizeof *opts, &help);
    if (rc != CLI_EXIT_OK || help) {
        fputs(sign_usage, help && rc == CLI_EXIT_OK ? stdout : stderr);
        return rc;
    }
    client c = {.client_id = cid};
    wallet_key pub;
    if (url == NULL || keyfile == NULL || wallet == NULL || kt == NULL)
        return cli_usage_error(sign_usage,
                               "sign: --nats, --initiator-key, "
                               "--wallet and --key-type are needed");
    node_client_key_type key_type =
        strcmp(kt, "ed25519") == 0     ? NODE_CLIENT_KEY_ED25519
        : strcmp(kt, "secp256k1") == 0 ? NODE_CLIENT_KEY_SECP256K1
                                       : NODE_CLIENT_KEY_NONE;
    if (key_type == NODE_CLIENT_KEY_NONE)
        return cli_usage_error(sign_usage,
                               "sign: bad --key-type \"%s\" (ed25519 or "
                               "secp256k1)",
                               kt);
    mpc_msghash_alg alg = 0;
    if (hash != NULL &&
        (key_type != NODE_CLIENT_KEY_SECP256K1 ||
         mpc_msghash_parse_name(&alg, hash, strlen(hash)) != MPC_OK))
        return cli_usage_error(sign_usage,
                               "sign: bad --hash \"%s\" (secp256k1 only: "
                               "sha256, sha256d or keccak256)",
                               hash);
    if ((msg_hex == NULL) == (msg_text == NULL))
        return cli_usage_error(sign_usage,
                               "sign: give exactly one of --message and "
                               "--message-text");
    if (!parse_timeout(tmo, &c.timeout_ms))
        return cli_usage_error(sign_usage, "sign: bad --timeout \"%s\"", tmo);
    if (cid[0] != '\0' &&
        node_client_client_id_check(cid, strlen(cid)) != MPC_OK)
        return cli_usage_error(sign_usage, "sign: bad --client-id \"%s\"", cid);
    if (!node_client_id_is_valid(wallet, strlen(wallet)))
        return cli_usage_error(sign_usage, "sign: bad --wallet \"%s\"", wallet);
    if (pub_hex != NULL && !parse_pubkey(&pub, key_type, pub_hex))
        return cli_usage_error(
            sign_usage, "sign: --pubkey is not %s",
            key_type == NODE_CLIENT_KEY_ED25519
                ? "an Ed25519 key (64 hex digits)"
                : "a secp256k1 point (X||Y: 128 hex digits, compressed: 66)");
    node_client_request *r = calloc(1, sizeof *r);
    if (r == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_FAIL;
    }
    rc = CLI_EXIT_USAGE;
    if (path != NULL && !parse_path(r, path)) {
        cli_usage_error(sign_usage, "sign: bad --path \"%s\"", path);
        goto out;
    }
    if (path != NULL && pub_hex != NULL && cc_hex == NULL) {
        cli_usage_error(sign_usage, "sign: --path with --pubkey needs "
                                    "--chain-code to verify");
        goto out;
    }
    const char *m = msg_text != NULL ? msg_text : msg_hex;
    size_t mlen = msg_text != NULL ? strlen(m) : strlen(m) / 2;
    r->tx = malloc(mlen > 0 ? mlen : 1);
    size_t max = key_type == NODE_CLIENT_KEY_SECP256K1 && hash == NULL
                     ? MPC_MSGHASH_BYTES
                     : NODE_CLIENT_TX_MAX_BYTES;
    if (r->tx == NULL || mlen == 0 || mlen > max ||
        (msg_hex != NULL && !parse_hex(r->tx, mlen, msg_hex))) {
        cli_usage_error(sign_usage,
                        "sign: bad message (non-empty; --message takes hex; "
                        "secp256k1 without --hash: the digest, at most 32 "
                        "bytes)");
        goto out;
    }
    if (msg_text != NULL)
        memcpy(r->tx, msg_text, mlen);
    r->tx_len = mlen;
    char tid[NODE_UUID_BYTES + 1];
    if (tx_id == NULL) {
        node_uuid_v4(tid, os_rng_fill, NULL);
        tx_id = tid;
    }
    if (!node_client_id_is_valid(tx_id, strlen(tx_id))) {
        cli_usage_error(sign_usage, "sign: bad --tx-id \"%s\"", tx_id);
        goto out;
    }
    r->op = NODE_CLIENT_OP_SIGN;
    r->key_type = key_type;
    r->hash = alg;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, "%s", wallet);
    snprintf(r->tx_id.s, sizeof r->tx_id.s, "%s", tx_id);
    rc = CLI_EXIT_FAIL;
    json_t *j = NULL;
    if (!load_initiator(&c, keyfile) ||
        !client_open(&c, url, NODE_CLIENT_OP_SIGN) || !publish(&c, r, tx_id))
        goto out;
    j = await_result(&c, "tx_id", tx_id);
    if (j != NULL && result_ok(j)) {
        printf("wallet_id: %s\ntx_id: %s\n", wallet, tx_id);
        rc = sign_report(j, r, pub_hex != NULL ? &pub : NULL, cc_hex);
    }
    json_decref(j);
out:
    node_client_request_clear(r);
    free(r);
    client_close(&c);
    return rc;
}
