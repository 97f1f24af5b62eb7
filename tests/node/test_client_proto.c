/* node/client_proto: Go-JSON escaping, the initiator's signed bytes (the
 * examples of the wire spec §3.2 and many more), strict request parsing
 * with every failure and its mpcium code, request encoding round trips,
 * result events byte for byte, the error-code table, subjects, durable
 * names (injectivity over random client ids) and Nats-Msg-Id keys.
 * Signature checks are in test_client_sig.c. */
#include <stdlib.h>
#include <string.h>

#include "node/client_proto.h"
#include "tests/harness/test.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                            */

/* Compares produced bytes with the expected text; prints both on a
 * mismatch. */
static bool bytes_eq(const uint8_t *got, size_t got_len, const char *want)
{
    if (got == NULL || got_len != strlen(want) ||
        memcmp(got, want, got_len) != 0) {
        test_fail(__FILE__, __LINE__, "\n got: %.*s\nwant: %s",
                  got ? (int)got_len : 6, got ? (const char *)got : "(null)",
                  want);
        return false;
    }
    return true;
}

static bool parse(node_client_request *req, node_client_op op, const char *json)
{
    node_client_problem pb;
    mpc_err err = node_client_request_parse(req, &pb, op, (const uint8_t *)json,
                                            strlen(json));
    if (err != MPC_OK) {
        test_fail(__FILE__, __LINE__, "parse failed: %s (%s)", pb.reason,
                  node_client_code_str(pb.code));
        return false;
    }
    return true;
}

static bool signed_is(const node_client_request *req,
                      node_client_signed_form form, const char *want)
{
    uint8_t *raw = NULL;
    size_t len = 0;
    REQUIRE_OK(node_client_request_signed_bytes(&raw, &len, req, form));
    bool ok = bytes_eq(raw, len, want);
    free(raw);
    return ok;
}

static bool quoted_is(const char *in, size_t len, const char *want)
{
    uint8_t *out = NULL;
    size_t out_len = 0;
    REQUIRE_OK(node_client_gojson_string(&out, &out_len, in, len));
    bool ok = bytes_eq(out, out_len, want);
    free(out);
    return ok;
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

/* ------------------------------------------------------------------ */
/* Go JSON string escaping                                            */

TEST(clientproto_gojson_string_ascii)
{
    CHECK(quoted_is("", 0, "\"\""));
    CHECK(quoted_is("abc", 3, "\"abc\""));
    CHECK(quoted_is("a\"b\\c", 5, "\"a\\\"b\\\\c\""));
    /* Go >= 1.22 writes \b and \f short; other controls as \u00XX. */
    CHECK(quoted_is("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\""));
    CHECK(quoted_is("\x01\x1f\x0b", 3, "\"\\u0001\\u001f\\u000b\""));
    CHECK(quoted_is("\0", 1, "\"\\u0000\""));
    /* HTML-significant characters, escaped by json.Marshal. */
    CHECK(quoted_is("<a href='x'>&amp;</a>", 21,
                    "\"\\u003ca href='x'\\u003e\\u0026amp;\\u003c/a\\u003e\""));
    /* Not escaped: DEL, slash, single quote, every other printable. */
    static const char plain[] = "\x7f/'`~!@#$%^*()_+={}[]|;:,.?";
    CHECK(quoted_is(plain, sizeof plain - 1,
                    "\"\x7f/'`~!@#$%^*()_+={}[]|;:,.?\""));
}

TEST(clientproto_gojson_string_unicode)
{
    /* Valid UTF-8 is copied: é, €, U+FFFD itself, an emoji, U+202A. */
    CHECK(quoted_is("\xc3\xa9\xe2\x82\xac\xef\xbf\xbd\xf0\x9f\x98\x80"
                    "\xe2\x80\xaa",
                    15,
                    "\"\xc3\xa9\xe2\x82\xac\xef\xbf\xbd\xf0\x9f\x98\x80"
                    "\xe2\x80\xaa\""));
    /* JavaScript line terminators. */
    CHECK(quoted_is("a\xe2\x80\xa8"
                    "b\xe2\x80\xa9",
                    8, "\"a\\u2028b\\u2029\""));
    /* Largest code point, U+10FFFF, is valid. */
    CHECK(quoted_is("\xf4\x8f\xbf\xbf", 4, "\"\xf4\x8f\xbf\xbf\""));
}

TEST(clientproto_gojson_string_invalid_utf8)
{
    /* Every byte that does not start a valid sequence becomes \ufffd on
     * its own, as Go's utf8.DecodeRune returns width 1 for it. */
    CHECK(quoted_is("\x80", 1, "\"\\ufffd\""));
    CHECK(quoted_is("a\xff"
                    "b",
                    3, "\"a\\ufffdb\""));
    CHECK(quoted_is("\xc0\x80", 2, "\"\\ufffd\\ufffd\"")); /* overlong */
    CHECK(quoted_is("\xe0\x80\xaf", 3, "\"\\ufffd\\ufffd\\ufffd\""));
    CHECK(quoted_is("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"")); /* D800 */
    CHECK(quoted_is("\xf4\x90\x80\x80", 4,
                    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"")); /* > 10FFFF */
    CHECK(quoted_is("\xf5\x80", 2, "\"\\ufffd\\ufffd\""));
    CHECK(quoted_is("\xe2\x82", 2, "\"\\ufffd\\ufffd\"")); /* truncated */
    CHECK(quoted_is("\xf0\x9f\x98"
                    "<",
                    4, "\"\\ufffd\\ufffd\\ufffd\\u003c\""));
    CHECK(quoted_is("\xc3\xa9\xc3", 3, "\"\xc3\xa9\\ufffd\""));
}

TEST(clientproto_gojson_string_misuse)
{
    uint8_t *out = (uint8_t *)&out;
    size_t len = 7;
    CHECK_ERR(node_client_gojson_string(&out, &len, NULL, 1),
              MPC_ERR_INVALID_ARG);
    CHECK(out == NULL && len == 0);
    CHECK(quoted_is(NULL, 0, "\"\""));
}

/* ------------------------------------------------------------------ */
/* Signed bytes                                                       */

/* The example of §3.2: {"key_type":"secp256k1","wallet_id":"w1",
 * "network_internal_code":"eth","tx_id":"t1","tx":"3q2+7w=="}. */
static const char sign_example[] =
    "{\"key_type\":\"secp256k1\",\"wallet_id\":\"w1\","
    "\"network_internal_code\":\"eth\",\"tx_id\":\"t1\",\"tx\":\"3q2+7w==\"}";

TEST(clientproto_signed_sign_spec_example)
{
    node_client_request req;
    /* Field order in the body does not matter; the signed bytes follow
     * the struct order. */
    CHECK(parse(&req, NODE_CLIENT_OP_SIGN,
                "{\"tx\":\"3q2+7w==\",\"tx_id\":\"t1\",\"wallet_id\":\"w1\","
                "\"key_type\":\"secp256k1\",\"network_internal_code\":"
                "\"eth\",\"signature\":\"AAAA\"}"));
    CHECK(signed_is(&req, NODE_CLIENT_SIGNED_CURRENT, sign_example));
    CHECK(signed_is(&req, NODE_CLIENT_SIGNED_LEGACY, sign_example));
    CHECK(strcmp(node_client_request_initiator_id(&req), "t1") == 0);
    node_client_request_clear(&req);
    CHECK(all_zero(&req, sizeof req));
}

TEST(clientproto_signed_sign_path_and_hash)
{
    node_client_request req;
    CHECK(parse(&req, NODE_CLIENT_OP_SIGN,
                "{\"key_type\":\"secp256k1\",\"wallet_id\":\"w1\","
                "\"network_internal_code\":\"eth\",\"tx_id\":\"t1\","
                "\"tx\":\"3q2+7w==\",\"derivation_path\":[44,60,0,0,"
                "2147483647]}"));
    CHECK(req.path_len == 5 && req.path[4] == 0x7fffffffu);
    /* A non-empty path is covered: a sixth field. */
    CHECK(signed_is(&req, NODE_CLIENT_SIGNED_CURRENT,
                    "{\"key_type\":\"secp256k1\",\"wallet_id\":\"w1\","
                    "\"network_internal_code\":\"eth\",\"tx_id\":\"t1\","
                    "\"tx\":\"3q2+7w==\",\"derivation_path\":[44,60,0,0,"
                    "2147483647]}"));
    CHECK(signed_is(&req, NODE_CLIENT_SIGNED_LEGACY, sign_example));
    node_client_request_clear(&req);

    /* hash comes last and is always covered; LEGACY is refused. */
    CHECK(parse(&req, NODE_CLIENT_OP_SIGN,
                "{\"hash\":\"keccak256\",\"key_type\":\"secp256k1\","
                "\"wallet_id\":\"w1\",\"network_internal_code\":\"eth\","
                "\"tx_id\":\"t1\",\"tx\":\"3q2+7w==\",\"derivation_path\":"
                "[1]}"));
    CHECK(req.hash == MPC_MSGHASH_KECCAK256);
    CHECK(signed_is(&req, NODE_CLIENT_SIGNED_CURRENT,
                    "{\"key_type\":\"secp256k1\",\"wallet_id\":\"w1\","
                    "\"network_internal_code\":\"eth\",\"tx_id\":\"t1\","
                    "\"tx\":\"3q2+7w==\",\"derivation_path\":[1],"
                    "\"hash\":\"keccak256\"}"));
    uint8_t *raw = (uint8_t *)&raw;
    size_t len = 9;
    CHECK_ERR(node_client_request_signed_bytes(&raw, &len, &req,
                                               NODE_CLIENT_SIGNED_LEGACY),
              MPC_ERR_INVALID_ARG);
    CHECK(raw == NULL && len == 0);
    node_client_request_clear(&req);

    /* hash without a path: five fields plus hash. An empty path array is
     * the master key and adds nothing. */
    CHECK(parse(&req, NODE_CLIENT_OP_SIGN,
                "{\"key_type\":\"secp256k1\",\"wallet_id\":\"w1\","
                "\"network_internal_code\":\"eth\",\"tx_id\":\"t1\","
                "\"tx\":\"3q2+7w==\",\"derivation_path\":[],\"hash\":"
                "\"sha256d\"}"));
    CHECK(signed_is(&req, NODE_CLIENT_SIGNED_CURRENT,
                    "{\"key_type\":\"secp256k1\",\"wallet_id\":\"w1\","
                    "\"network_internal_code\":\"eth\",\"tx_id\":\"t1\","
                    "\"tx\":\"3q2+7w==\",\"hash\":\"sha256d\"}"));
    node_client_request_clear(&req);
}

TEST(clientproto_signed_sign_escaping)
{
    node_client_request req;
    /* HTML characters in ids; escapes in the body are decoded and the
     * signed bytes use Go's escaping, whatever the sender wrote. */
    CHECK(parse(&req, NODE_CLIENT_OP_SIGN,
                "{\"key_type\":\"ed25519\",\"wallet_id\":\"a<b&c\","
                "\"network_internal_code\":\"\\u00e9\\u2028\\n<>\\\"\\\\"
                "\\ud83d\\ude00\\u007f\",\"tx_id\":\"\\u0074\\u0031\","
                "\"tx\":\"AA==\"}"));
    CHECK(strcmp(req.tx_id.s, "t1") == 0);
    CHECK(req.tx_len == 1 && req.tx[0] == 0); /* leading zero kept */
    CHECK(signed_is(&req, NODE_CLIENT_SIGNED_CURRENT,
                    "{\"key_type\":\"ed25519\",\"wallet_id\":"
                    "\"a\\u003cb\\u0026c\",\"network_internal_code\":"
                    "\"\xc3\xa9\\u2028\\n\\u003c\\u003e\\\"\\\\\xf0\x9f\x98\x80"
                    "\x7f\","
                    "\"tx_id\":\"t1\",\"tx\":\"AA==\"}"));
    node_client_request_clear(&req);

    /* Empty network_internal_code is "" (not omitted, not null). */
    CHECK(parse(&req, NODE_CLIENT_OP_SIGN,
                "{\"key_type\":\"ed25519\",\"wallet_id\":\"w\",\"tx_id\":"
                "\"t\",\"tx\":\"AQID\",\"network_internal_code\":null}"));
    CHECK(signed_is(&req, NODE_CLIENT_SIGNED_CURRENT,
                    "{\"key_type\":\"ed25519\",\"wallet_id\":\"w\","
                    "\"network_internal_code\":\"\",\"tx_id\":\"t\","
                    "\"tx\":\"AQID\"}"));
    /* A hand-built request without tx: Go writes null. */
    free(req.tx);
    req.tx = NULL;
    req.tx_len = 0;
    CHECK(signed_is(&req, NODE_CLIENT_SIGNED_CURRENT,
                    "{\"key_type\":\"ed25519\",\"wallet_id\":\"w\","
                    "\"network_internal_code\":\"\",\"tx_id\":\"t\","
                    "\"tx\":null}"));
    node_client_request_clear(&req);
}

TEST(clientproto_signed_keygen_reshare_presign)
{
    node_client_request req;
    /* Keygen: the raw wallet id, not JSON (no quotes, no escaping). */
    CHECK(parse(&req, NODE_CLIENT_OP_KEYGEN,
                "{\"wallet_id\":\"w<1&\",\"signature\":\"AAAA\"}"));
    CHECK(signed_is(&req, NODE_CLIENT_SIGNED_CURRENT, "w<1&"));
    CHECK(strcmp(node_client_request_initiator_id(&req), "w<1&") == 0);
    node_client_request_clear(&req);

    /* Reshare: the message minus signature and authorizers; the wire
     * threshold is echoed (we store signers = t + 1). */
    CHECK(parse(&req, NODE_CLIENT_OP_RESHARE,
                "{\"session_id\":\"s1\",\"node_ids\":[\"n1\",\"n2\",\"n3\"],"
                "\"new_threshold\":1,\"key_type\":\"ed25519\",\"wallet_id\":"
                "\"w1\",\"signature\":\"AAAA\",\"authorizer_signatures\":[{"
                "\"authorizer_id\":\"a\",\"signature\":\"AAAA\"}]}"));
    CHECK(req.threshold == 2 && req.n_node_ids == 3);
    CHECK(signed_is(&req, NODE_CLIENT_SIGNED_CURRENT,
                    "{\"session_id\":\"s1\",\"node_ids\":[\"n1\",\"n2\","
                    "\"n3\"],\"new_threshold\":1,\"key_type\":\"ed25519\","
                    "\"wallet_id\":\"w1\"}"));
    CHECK(strcmp(node_client_request_initiator_id(&req), "w1") == 0);
    /* Go's nil slice: null (only reachable for hand-built requests). */
    req.node_ids_present = false;
    req.n_node_ids = 0;
    CHECK(signed_is(&req, NODE_CLIENT_SIGNED_CURRENT,
                    "{\"session_id\":\"s1\",\"node_ids\":null,"
                    "\"new_threshold\":1,\"key_type\":\"ed25519\","
                    "\"wallet_id\":\"w1\"}"));
    req.node_ids_present = true;
    CHECK(signed_is(&req, NODE_CLIENT_SIGNED_CURRENT,
                    "{\"session_id\":\"s1\",\"node_ids\":[],"
                    "\"new_threshold\":1,\"key_type\":\"ed25519\","
                    "\"wallet_id\":\"w1\"}"));
    node_client_request_clear(&req);

    /* Presign: both arrays always written. */
    CHECK(parse(&req, NODE_CLIENT_OP_PRESIGN,
                "{\"request_id\":\"r1\",\"wallet_id\":\"w1\",\"key_type\":"
                "\"secp256k1\",\"count\":50}"));
    CHECK(signed_is(&req, NODE_CLIENT_SIGNED_CURRENT,
                    "{\"request_id\":\"r1\",\"wallet_id\":\"w1\","
                    "\"key_type\":\"secp256k1\",\"count\":50,"
                    "\"derivation_path\":[],\"node_ids\":[]}"));
    CHECK(strcmp(node_client_request_initiator_id(&req), "r1") == 0);
    node_client_request_clear(&req);
    CHECK(parse(&req, NODE_CLIENT_OP_PRESIGN,
                "{\"request_id\":\"r1\",\"wallet_id\":\"w1\",\"key_type\":"
                "\"secp256k1\",\"count\":1,\"derivation_path\":[44,60],"
                "\"node_ids\":[\"b\",\"a\"]}"));
    CHECK(signed_is(&req, NODE_CLIENT_SIGNED_CURRENT,
                    "{\"request_id\":\"r1\",\"wallet_id\":\"w1\","
                    "\"key_type\":\"secp256k1\",\"count\":1,"
                    "\"derivation_path\":[44,60],\"node_ids\":[\"b\","
                    "\"a\"]}"));
    node_client_request_clear(&req);
}

TEST(clientproto_authorizer_bytes)
{
    uint8_t *out = NULL;
    size_t len = 0;
    const uint8_t raw[] = "w1", sig[] = {0xde, 0xad, 0xbe, 0xef};
    CHECK_OK(node_client_authorizer_bytes(&out, &len, "w1", raw, 2, sig, 4));
    CHECK(bytes_eq(out, len,
                   "{\"initiator_id\":\"w1\",\"initiator_raw\":\"dzE=\","
                   "\"initiator_sig\":\"3q2+7w==\"}"));
    free(out);
    CHECK_OK(node_client_authorizer_bytes(&out, &len, "a&b", NULL, 0, NULL, 0));
    CHECK(bytes_eq(out, len,
                   "{\"initiator_id\":\"a\\u0026b\",\"initiator_raw\":\"\","
                   "\"initiator_sig\":null}"));
    free(out);
    CHECK_ERR(node_client_authorizer_bytes(&out, &len, "x", NULL, 1, NULL, 0),
              MPC_ERR_INVALID_ARG);
    CHECK(out == NULL && len == 0);
}

/* ------------------------------------------------------------------ */
/* Parsing: successes                                                 */

TEST(clientproto_parse_sign_fields)
{
    node_client_request req;
    CHECK(parse(&req, NODE_CLIENT_OP_SIGN,
                " {\"key_type\":\"secp256k1\",\"wallet_id\":\"w\","
                "\"network_internal_code\":\"eth\",\"tx_id\":\"t\",\"tx\":"
                "\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\","
                "\"signature\":\"3q2+7w==\",\"derivation_path\":null,"
                "\"authorizer_signatures\":[{\"authorizer_id\":\"alice\","
                "\"signature\":\"AQ==\"},{\"authorizer_id\":\"bob\","
                "\"signature\":null}]}\n"));
    CHECK(req.op == NODE_CLIENT_OP_SIGN);
    CHECK(req.key_type == NODE_CLIENT_KEY_SECP256K1);
    CHECK(req.tx_len == 32 && req.tx[0] == 0 && req.tx[31] == 31);
    CHECK(req.signature_present && req.signature_len == 4);
    CHECK(req.signature[0] == 0xde && req.signature[3] == 0xef);
    CHECK(req.path_len == 0 && req.hash == 0);
    CHECK(req.n_authorizers == 2);
    CHECK(strcmp(req.authorizers[0].id.s, "alice") == 0);
    CHECK(req.authorizers[0].sig_present && req.authorizers[0].sig_len == 1);
    CHECK(!req.authorizers[1].sig_present);
    node_client_request_clear(&req);

    /* Nulls take Go's zero values; a null signature is "absent". */
    CHECK(parse(&req, NODE_CLIENT_OP_SIGN,
                "{\"key_type\":\"ed25519\",\"wallet_id\":\"w\",\"tx_id\":"
                "\"t\",\"tx\":\"AA==\",\"signature\":null,"
                "\"authorizer_signatures\":null,\"network_internal_code\":"
                "null}"));
    CHECK(!req.signature_present && req.n_authorizers == 0);
    CHECK(req.network_internal_code[0] == '\0');
    node_client_request_clear(&req);

    /* EdDSA keeps the exact bytes, leading zeros included, up to 64 KiB;
     * ECDSA takes a preimage of any size when hash is set. */
    size_t n = NODE_CLIENT_TX_MAX_BYTES;
    char *body = malloc(n / 3 * 4 + 8 + 200);
    CHECK(body != NULL);
    int off = sprintf(body, "{\"key_type\":\"secp256k1\",\"hash\":\"sha256\","
                            "\"wallet_id\":\"w\",\"tx_id\":\"t\",\"tx\":\"");
    /* 65535 zero bytes ("AAAA" per 3), then one 0x01 ("AQ=="). */
    for (size_t i = 0; i < (n - 1) / 3; i++)
        memcpy(body + off + 4 * i, "AAAA", 4);
    off += (int)((n - 1) / 3 * 4);
    strcpy(body + off, "AQ==\"}");
    CHECK(parse(&req, NODE_CLIENT_OP_SIGN, body));
    CHECK(req.tx_len == n && req.tx[0] == 0 && req.tx[n - 1] == 1);
    node_client_request_clear(&req);
    free(body);
}

TEST(clientproto_parse_bounds_exact)
{
    node_client_request req;
    char body[1024], id[NODE_CLIENT_ID_MAX_BYTES + 1];
    memset(id, 'x', NODE_CLIENT_ID_MAX_BYTES);
    id[NODE_CLIENT_ID_MAX_BYTES] = '\0';
    snprintf(body, sizeof body, "{\"wallet_id\":\"%s\"}", id);
    CHECK(parse(&req, NODE_CLIENT_OP_KEYGEN, body));
    CHECK(strcmp(req.wallet_id.s, id) == 0);
    node_client_request_clear(&req);

    /* Every printable ASCII byte an id may hold. */
    CHECK(
        parse(&req, NODE_CLIENT_OP_KEYGEN,
              "{\"wallet_id\":\"!#$%&'()+,-/09;<=?@AZ[\\\\]^_`az{|}~\\\"\"}"));
    CHECK(strcmp(req.wallet_id.s, "!#$%&'()+,-/09;<=?@AZ[\\]^_`az{|}~\"") == 0);
    node_client_request_clear(&req);

    /* A 32-byte digest, a 255-deep path, 64 nodes, 16 authorizers,
     * count 1000, threshold n - 1. */
    CHECK(parse(
        &req, NODE_CLIENT_OP_SIGN,
        "{\"key_type\":\"secp256k1\",\"wallet_id\":\"w\",\"tx_id\":"
        "\"t\",\"tx\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\"}"));
    node_client_request_clear(&req);

    char *big = malloc(64 * 1024);
    CHECK(big != NULL);
    int off = sprintf(big, "{\"request_id\":\"r\",\"wallet_id\":\"w\","
                           "\"key_type\":\"secp256k1\",\"count\":1000,"
                           "\"derivation_path\":[");
    for (int i = 0; i < MPC_HD_MAX_DEPTH; i++)
        off += sprintf(big + off, "%s%d", i ? "," : "", i);
    off += sprintf(big + off, "],\"node_ids\":[");
    for (int i = 0; i < NODE_CLIENT_NODES_MAX; i++)
        off += sprintf(big + off, "%s\"n%d\"", i ? "," : "", i);
    off += sprintf(big + off, "],\"authorizer_signatures\":[");
    for (int i = 0; i < NODE_CLIENT_AUTHORIZERS_MAX; i++)
        off += sprintf(big + off, "%s{\"authorizer_id\":\"a%d\"}", i ? "," : "",
                       i);
    sprintf(big + off, "]}");
    bool ok = parse(&req, NODE_CLIENT_OP_PRESIGN, big);
    free(big);
    CHECK(ok);
    CHECK(req.path_len == MPC_HD_MAX_DEPTH && req.path[254] == 254);
    CHECK(req.n_node_ids == NODE_CLIENT_NODES_MAX && req.count == 1000);
    CHECK(req.n_authorizers == NODE_CLIENT_AUTHORIZERS_MAX);
    node_client_request_clear(&req);

    CHECK(parse(&req, NODE_CLIENT_OP_RESHARE,
                "{\"session_id\":\"s\",\"node_ids\":[\"a\",\"b\",\"c\"],"
                "\"new_threshold\":2,\"key_type\":\"secp256k1\","
                "\"wallet_id\":\"w\"}"));
    CHECK(req.threshold == 3);
    node_client_request_clear(&req);
}

/* ------------------------------------------------------------------ */
/* Parsing: every failure                                             */

typedef struct bad_case {
    node_client_op op;
    const char *json;
    node_client_fail fail;
    const char *code;
} bad_case;

#define SIGN_HEAD                                                              \
    "{\"key_type\":\"secp256k1\",\"wallet_id\":\"w\",\"tx_id\":\"t\","
#define ED_HEAD "{\"key_type\":\"ed25519\",\"wallet_id\":\"w\",\"tx_id\":\"t\","
#define RESHARE_HEAD                                                           \
    "{\"session_id\":\"s\",\"key_type\":\"ed25519\",\"wallet_id\":\"w\","
#define PRESIGN_HEAD                                                           \
    "{\"request_id\":\"r\",\"wallet_id\":\"w\",\"key_type\":\"secp256k1\","

static const char UM[] = "ERROR_UNMARSHAL_FAILURE";
static const char MV[] = "ERROR_MSG_VALIDATION";
#define DEC NODE_CLIENT_FAIL_DECODE
#define VAL NODE_CLIENT_FAIL_VALIDATION
#define K NODE_CLIENT_OP_KEYGEN
#define S NODE_CLIENT_OP_SIGN
#define R NODE_CLIENT_OP_RESHARE
#define P NODE_CLIENT_OP_PRESIGN

static const bad_case bad_cases[] = {
    /* not a request */
    {K, "", DEC, UM},
    {K, "   ", DEC, UM},
    {K, "null", DEC, UM},
    {K, "[\"w\"]", DEC, UM},
    {K, "\"w\"", DEC, UM},
    {K, "{\"wallet_id\":\"w\"", DEC, UM},
    {K, "{\"wallet_id\":\"w\"} x", DEC, UM},
    {K, "{\"wallet_id\":\"w\"}{}", DEC, UM},
    {K, "{'wallet_id':'w'}", DEC, UM},
    {K, "{\"wallet_id\":\"w\",}", DEC, UM},
    {K, "{\"wallet_id\":\"a\\u0000b\"}", DEC, UM},
    {K, "{\"wallet_id\":\"\xff\"}", DEC, UM},
    {K, "{\"wallet_id\":\"\xed\xa0\x80\"}", DEC, UM},
    {K, "{\"wallet_id\":\"\\ud800\"}", DEC, UM},
    {K, "{\"wallet_id\":\"a\nb\"}", DEC, UM},
    /* duplicate, unknown and case-variant keys */
    {K, "{\"wallet_id\":\"w\",\"wallet_id\":\"v\"}", DEC, UM},
    {K, "{\"wallet_id\":\"w\",\"Wallet_ID\":\"w\"}", DEC, UM},
    {K, "{\"WALLET_ID\":\"w\"}", DEC, UM},
    {K, "{\"wallet_id\":\"w\",\"tx\":\"AA==\"}", DEC, UM},
    {K, "{\"wallet_id\":\"w\",\"ecdsa_protocol\":\"gg18\"}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"AA==\",\"protocol\":\"cggmp21\"}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"AA==\",\"count\":1}", DEC, UM},
    {R,
     RESHARE_HEAD "\"node_ids\":[\"a\",\"b\"],\"new_threshold\":1,"
                  "\"tx\":\"AA==\"}",
     DEC, UM},
    {P, PRESIGN_HEAD "\"count\":1,\"hash\":\"sha256\"}", DEC, UM},
    /* wrong JSON types */
    {K, "{\"wallet_id\":1}", DEC, UM},
    {K, "{\"wallet_id\":[\"w\"]}", DEC, UM},
    {K, "{\"wallet_id\":true}", DEC, UM},
    {K, "{\"wallet_id\":\"w\",\"signature\":1}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":[0]}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"AA==\",\"derivation_path\":\"44/60\"}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"AA==\",\"derivation_path\":[1.0]}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"AA==\",\"derivation_path\":[1e2]}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"AA==\",\"derivation_path\":[\"1\"]}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"AA==\",\"derivation_path\":[-1]}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"AA==\",\"derivation_path\":[4294967296]}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"AA==\",\"derivation_path\":[null]}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"AA==\",\"hash\":1}", DEC, UM},
    {S, "{\"key_type\":1,\"wallet_id\":\"w\",\"tx_id\":\"t\",\"tx\":\"AA==\"}",
     DEC, UM},
    {R, RESHARE_HEAD "\"node_ids\":\"a,b\",\"new_threshold\":1}", DEC, UM},
    {R, RESHARE_HEAD "\"node_ids\":[\"a\",2],\"new_threshold\":1}", DEC, UM},
    {R, RESHARE_HEAD "\"node_ids\":[\"a\",\"b\"],\"new_threshold\":1.0}", DEC,
     UM},
    {R, RESHARE_HEAD "\"node_ids\":[\"a\",\"b\"],\"new_threshold\":\"1\"}", DEC,
     UM},
    {R,
     RESHARE_HEAD "\"node_ids\":[\"a\",\"b\"],\"new_threshold\":"
                  "99999999999999999999}",
     DEC, UM},
    {P, PRESIGN_HEAD "\"count\":\"5\"}", DEC, UM},
    {K, "{\"wallet_id\":\"w\",\"authorizer_signatures\":{}}", DEC, UM},
    {K, "{\"wallet_id\":\"w\",\"authorizer_signatures\":[\"a\"]}", DEC, UM},
    {K,
     "{\"wallet_id\":\"w\",\"authorizer_signatures\":[{\"authorizer_id\":"
     "\"a\",\"sig\":\"AA==\"}]}",
     DEC, UM},
    {K,
     "{\"wallet_id\":\"w\",\"authorizer_signatures\":[{\"authorizer_id\":"
     "\"a\",\"signature\":\"AA==\",\"signature\":\"AA==\"}]}",
     DEC, UM},
    {K,
     "{\"wallet_id\":\"w\",\"authorizer_signatures\":[{\"authorizer_id\":"
     "1}]}",
     DEC, UM},
    /* base64: padded standard alphabet, canonical, nothing else */
    {S, SIGN_HEAD "\"tx\":\"3q2+7w\"}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"3q2-7w==\"}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"3q2_7w==\"}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"3q2+7x==\"}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"3q2+7w=\"}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"3q2+\\n7w==\"}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"3q2+ 7w==\"}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"A===\"}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"====\"}", DEC, UM},
    {S, SIGN_HEAD "\"tx\":\"AA==AA==\"}", DEC, UM},
    {K, "{\"wallet_id\":\"w\",\"signature\":\"AQ=\"}", DEC, UM},
    /* ids */
    {K, "{}", VAL, MV},
    {K, "{\"wallet_id\":null}", VAL, MV},
    {K, "{\"wallet_id\":\"\"}", VAL, MV},
    {K, "{\"wallet_id\":\"a.b\"}", VAL, MV},
    {K, "{\"wallet_id\":\"a:b\"}", VAL, MV},
    {K, "{\"wallet_id\":\"a b\"}", VAL, MV},
    {K, "{\"wallet_id\":\"a*\"}", VAL, MV},
    {K, "{\"wallet_id\":\">\"}", VAL, MV},
    {K, "{\"wallet_id\":\"a\\tb\"}", VAL, MV},
    {K, "{\"wallet_id\":\"a\\u007f\"}", VAL, MV},
    {K, "{\"wallet_id\":\"\\u00e9\"}", VAL, MV},
    {K, "{\"wallet_id\":\"a\\u2028\"}", VAL, MV},
    {S, "{\"key_type\":\"secp256k1\",\"wallet_id\":\"w\",\"tx\":\"AA==\"}", VAL,
     MV},
    {S, SIGN_HEAD "\"tx\":\"AA==\",\"tx_id\":\"t:1\"}", DEC, UM},
    {S,
     "{\"key_type\":\"secp256k1\",\"wallet_id\":\"w\",\"tx_id\":\"t.1\","
     "\"tx\":\"AA==\"}",
     VAL, MV},
    {R,
     "{\"key_type\":\"ed25519\",\"wallet_id\":\"w\",\"node_ids\":[\"a\","
     "\"b\"],\"new_threshold\":1}",
     VAL, MV},
    {R,
     "{\"session_id\":\"\",\"key_type\":\"ed25519\",\"wallet_id\":\"w\","
     "\"node_ids\":[\"a\",\"b\"],\"new_threshold\":1}",
     VAL, MV},
    {P, "{\"wallet_id\":\"w\",\"key_type\":\"secp256k1\",\"count\":1}", VAL,
     MV},
    {K,
     "{\"wallet_id\":\"w\",\"authorizer_signatures\":[{\"signature\":"
     "\"AA==\"}]}",
     VAL, MV},
    {K,
     "{\"wallet_id\":\"w\",\"authorizer_signatures\":[{\"authorizer_id\":"
     "\"a:b\"}]}",
     VAL, MV},
    /* key type and hash */
    {S, "{\"wallet_id\":\"w\",\"tx_id\":\"t\",\"tx\":\"AA==\"}", VAL, MV},
    {S,
     "{\"key_type\":\"\",\"wallet_id\":\"w\",\"tx_id\":\"t\",\"tx\":"
     "\"AA==\"}",
     VAL, MV},
    {S,
     "{\"key_type\":\"ECDSA\",\"wallet_id\":\"w\",\"tx_id\":\"t\",\"tx\":"
     "\"AA==\"}",
     VAL, MV},
    {S,
     "{\"key_type\":\"Secp256k1\",\"wallet_id\":\"w\",\"tx_id\":\"t\","
     "\"tx\":\"AA==\"}",
     VAL, MV},
    {S, SIGN_HEAD "\"tx\":\"AA==\",\"hash\":\"SHA256\"}", VAL, MV},
    {S, SIGN_HEAD "\"tx\":\"AA==\",\"hash\":\"sha3-256\"}", VAL, MV},
    {S, SIGN_HEAD "\"tx\":\"AA==\",\"hash\":\"\"}", VAL, MV},
    {S, ED_HEAD "\"tx\":\"AA==\",\"hash\":\"sha256\"}", VAL, MV},
    /* tx */
    {S, SIGN_HEAD "\"network_internal_code\":\"eth\"}", VAL, MV},
    {S, SIGN_HEAD "\"tx\":null}", VAL, MV},
    {S, SIGN_HEAD "\"tx\":\"\"}", VAL, MV},
    {S, ED_HEAD "\"tx\":\"\"}", VAL, MV},
    {S, SIGN_HEAD "\"tx\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g\"}",
     VAL, MV},
    {S, SIGN_HEAD "\"tx\":\"AA==\",\"derivation_path\":[2147483648]}", VAL, MV},
    {S, SIGN_HEAD "\"tx\":\"AA==\",\"derivation_path\":[0,4294967295]}", VAL,
     MV},
    /* node ids, thresholds, counts */
    {R, RESHARE_HEAD "\"new_threshold\":1}", VAL, MV},
    {R, RESHARE_HEAD "\"node_ids\":null,\"new_threshold\":1}", VAL, MV},
    {R, RESHARE_HEAD "\"node_ids\":[],\"new_threshold\":1}", VAL, MV},
    {R, RESHARE_HEAD "\"node_ids\":[\"a\",\"\"],\"new_threshold\":1}", VAL, MV},
    {R, RESHARE_HEAD "\"node_ids\":[\"a\",\"b\",\"a\"],\"new_threshold\":1}",
     VAL, MV},
    {R, RESHARE_HEAD "\"node_ids\":[\"a\",\"b:1\"],\"new_threshold\":1}", VAL,
     MV},
    {R, RESHARE_HEAD "\"node_ids\":[\"a\",\"b\"],\"new_threshold\":0}",
     NODE_CLIENT_FAIL_THRESHOLD, "ERROR_INVALID_THRESHOLD"},
    {R, RESHARE_HEAD "\"node_ids\":[\"a\",\"b\"]}", NODE_CLIENT_FAIL_THRESHOLD,
     "ERROR_INVALID_THRESHOLD"},
    {R, RESHARE_HEAD "\"node_ids\":[\"a\",\"b\"],\"new_threshold\":-1}",
     NODE_CLIENT_FAIL_THRESHOLD, "ERROR_INVALID_THRESHOLD"},
    {R, RESHARE_HEAD "\"node_ids\":[\"a\",\"b\"],\"new_threshold\":2}",
     NODE_CLIENT_FAIL_INSUFFICIENT_PARTICIPANTS,
     "ERROR_INSUFFICIENT_PARTICIPANTS"},
    {R,
     RESHARE_HEAD "\"node_ids\":[\"a\",\"b\"],\"new_threshold\":"
                  "9223372036854775807}",
     NODE_CLIENT_FAIL_INSUFFICIENT_PARTICIPANTS,
     "ERROR_INSUFFICIENT_PARTICIPANTS"},
    {R,
     "{\"session_id\":\"s\",\"wallet_id\":\"w\",\"node_ids\":[\"a\",\"b\"],"
     "\"new_threshold\":1}",
     VAL, MV},
    {P, PRESIGN_HEAD "\"count\":0}", VAL, MV},
    {P, PRESIGN_HEAD "\"count\":-3}", VAL, MV},
    {P, PRESIGN_HEAD "\"count\":1001}", VAL, MV},
    {P, PRESIGN_HEAD "\"count\":null}", VAL, MV},
    {P, PRESIGN_HEAD "\"count\":1,\"node_ids\":[\"a\",\"a\"]}", VAL, MV},
    {P, PRESIGN_HEAD "\"count\":1,\"derivation_path\":[2147483648]}", VAL, MV},
    {P,
     "{\"request_id\":\"r\",\"wallet_id\":\"w\",\"key_type\":\"ed25519\","
     "\"count\":1}",
     VAL, MV},
    {P, "{\"request_id\":\"r\",\"wallet_id\":\"w\",\"count\":1}", VAL, MV},
};

/* After a failed parse: zero but for op and the ids kept for the error
 * result (client_proto.h). */
static bool zero_but_ids(const node_client_request *req)
{
    node_client_request r;
    memcpy(&r, req, sizeof r); /* padding too */
    r.op = 0;
    memset(&r.wallet_id, 0, sizeof r.wallet_id);
    memset(&r.tx_id, 0, sizeof r.tx_id);
    memset(&r.session_id, 0, sizeof r.session_id);
    memset(&r.request_id, 0, sizeof r.request_id);
    memset(r.network_internal_code, 0, sizeof r.network_internal_code);
    return all_zero(&r, sizeof r);
}

TEST(clientproto_parse_failures)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        node_client_request req;
        node_client_problem pb;
        memset(&req, 0xa5, sizeof req);
        size_t len = strlen(c->json);
        mpc_err err = node_client_request_parse(&req, &pb, c->op,
                                                (const uint8_t *)c->json, len);
        if (err != MPC_ERR_PARSE || pb.fail != c->fail ||
            strcmp(node_client_code_str(pb.code), c->code) != 0) {
            test_fail(__FILE__, __LINE__,
                      "case %zu (%s): err %s, fail %d, code %s, reason %s", i,
                      c->json, mpc_err_name(err), (int)pb.fail,
                      node_client_code_str(pb.code), pb.reason);
            return;
        }
        CHECK(zero_but_ids(&req));
        CHECK(pb.reason[0] != '\0');
        for (const char *p = pb.reason; *p; p++)
            CHECK(*p >= 0x20 && *p <= 0x7e);
    }
}

/* A 33-byte secp256k1 digest: 44 base64 characters, no padding. */
#define TX33                                                                   \
    "\"tx\":\""                                                                \
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\""

TEST(clientproto_parse_failure_keeps_ids)
{
    node_client_request req;
    node_client_problem pb;
    /* Refused by a rule across fields, after every field was read. */
    const char *j =
        "{\"key_type\":\"secp256k1\",\"wallet_id\":\"w1\","
        "\"network_internal_code\":\"eth\",\"tx_id\":\"t1\"," TX33 "}";
    memset(&req, 0xa5, sizeof req);
    CHECK_ERR(
        node_client_request_parse(&req, &pb, S, (const uint8_t *)j, strlen(j)),
        MPC_ERR_PARSE);
    CHECK(pb.fail == VAL && strstr(pb.reason, "at most") != NULL);
    CHECK(req.op == S);
    CHECK(strcmp(req.wallet_id.s, "w1") == 0 && strcmp(req.tx_id.s, "t1") == 0);
    CHECK(strcmp(req.network_internal_code, "eth") == 0);
    CHECK(req.tx == NULL && req.tx_len == 0 && zero_but_ids(&req));
    node_client_request_clear(&req);

    /* Refused at the first field read (key_type): the ids still come. */
    j = "{\"key_type\":\"rsa\",\"wallet_id\":\"w2\",\"tx_id\":\"t2\"}";
    CHECK_ERR(
        node_client_request_parse(&req, &pb, S, (const uint8_t *)j, strlen(j)),
        MPC_ERR_PARSE);
    CHECK(strcmp(req.wallet_id.s, "w2") == 0 && strcmp(req.tx_id.s, "t2") == 0);

    /* An id that is itself invalid is not kept (it would not make a
     * subject); the valid one is. Neither are fields of other ops. */
    j = "{\"key_type\":\"ed25519\",\"wallet_id\":\"w3\",\"tx_id\":\"a.b\"}";
    CHECK_ERR(
        node_client_request_parse(&req, &pb, S, (const uint8_t *)j, strlen(j)),
        MPC_ERR_PARSE);
    CHECK(strcmp(req.wallet_id.s, "w3") == 0 && req.tx_id.s[0] == '\0');
    j = "{\"wallet_id\":\"w4\",\"tx_id\":\"t4\"}";
    CHECK_ERR(
        node_client_request_parse(&req, &pb, K, (const uint8_t *)j, strlen(j)),
        MPC_ERR_PARSE); /* tx_id: unknown to keygen */
    CHECK(pb.fail == DEC);
    CHECK(strcmp(req.wallet_id.s, "w4") == 0 && req.tx_id.s[0] == '\0');
    j = "{\"session_id\":\"s5\",\"wallet_id\":\"w5\",\"node_ids\":[],"
        "\"new_threshold\":1,\"key_type\":\"ed25519\"}";
    CHECK_ERR(
        node_client_request_parse(&req, &pb, R, (const uint8_t *)j, strlen(j)),
        MPC_ERR_PARSE);
    CHECK(strcmp(req.session_id.s, "s5") == 0);

    /* Not JSON, or not an object: nothing to keep. */
    const char *const junk[] = {"{\"wallet_id\":\"w6\"", "[\"w6\"]", "\"w6\""};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        memset(&req, 0xa5, sizeof req);
        CHECK_ERR(node_client_request_parse(
                      &req, &pb, K, (const uint8_t *)junk[i], strlen(junk[i])),
                  MPC_ERR_PARSE);
        CHECK(req.op == K && req.wallet_id.s[0] == '\0' && zero_but_ids(&req));
    }
}

TEST(clientproto_parse_failure_limits)
{
    node_client_request req;
    node_client_problem pb;
    /* Above the body bound: refused before any parsing. */
    size_t n = NODE_CLIENT_REQUEST_MAX_BYTES + 1;
    char *body = malloc(n);
    CHECK(body != NULL);
    memset(body, ' ', n);
    memcpy(body, "{\"wallet_id\":\"w\"}", 17);
    CHECK_ERR(node_client_request_parse(&req, &pb, K, (uint8_t *)body, n),
              MPC_ERR_PARSE);
    CHECK(pb.fail == DEC && all_zero(&req, sizeof req));
    CHECK_OK(node_client_request_parse(&req, &pb, K, (uint8_t *)body, n - 1));
    node_client_request_clear(&req);
    free(body);

    /* An id one byte too long. */
    char idbody[NODE_CLIENT_ID_MAX_BYTES + 32];
    int w = snprintf(idbody, sizeof idbody, "{\"wallet_id\":\"");
    memset(idbody + w, 'x', NODE_CLIENT_ID_MAX_BYTES + 1);
    strcpy(idbody + w + NODE_CLIENT_ID_MAX_BYTES + 1, "\"}");
    CHECK_ERR(node_client_request_parse(&req, &pb, K, (uint8_t *)idbody,
                                        strlen(idbody)),
              MPC_ERR_PARSE);
    CHECK(pb.fail == VAL && strstr(pb.reason, "longer than 128") != NULL);

    /* Raw NUL bytes inside a string and after the object. */
    static const char nul_in[] = "{\"wallet_id\":\"w\0x\"}";
    static const char nul_after[] = "{\"wallet_id\":\"w\"}";
    CHECK_ERR(node_client_request_parse(&req, &pb, K, (const uint8_t *)nul_in,
                                        sizeof nul_in - 1),
              MPC_ERR_PARSE);
    CHECK(pb.fail == DEC);
    CHECK_ERR(node_client_request_parse(
                  &req, &pb, K, (const uint8_t *)nul_after, sizeof nul_after),
              MPC_ERR_PARSE);
    CHECK(pb.fail == DEC);

    /* One past each collection bound. */
    char *big = malloc(64 * 1024);
    CHECK(big != NULL);
    int off = sprintf(big, SIGN_HEAD "\"tx\":\"AA==\",\"derivation_path\":[");
    for (int i = 0; i <= MPC_HD_MAX_DEPTH; i++)
        off += sprintf(big + off, "%s0", i ? "," : "");
    sprintf(big + off, "]}");
    CHECK_ERR(
        node_client_request_parse(&req, &pb, S, (uint8_t *)big, strlen(big)),
        MPC_ERR_PARSE);
    CHECK(pb.fail == VAL);
    off = sprintf(big, RESHARE_HEAD "\"new_threshold\":1,\"node_ids\":[");
    for (int i = 0; i <= NODE_CLIENT_NODES_MAX; i++)
        off += sprintf(big + off, "%s\"n%d\"", i ? "," : "", i);
    sprintf(big + off, "]}");
    CHECK_ERR(
        node_client_request_parse(&req, &pb, R, (uint8_t *)big, strlen(big)),
        MPC_ERR_PARSE);
    CHECK(pb.fail == VAL);
    off = sprintf(big, "{\"wallet_id\":\"w\",\"authorizer_signatures\":[");
    for (int i = 0; i <= NODE_CLIENT_AUTHORIZERS_MAX; i++)
        off += sprintf(big + off, "%s{\"authorizer_id\":\"a%d\"}", i ? "," : "",
                       i);
    sprintf(big + off, "]}");
    CHECK_ERR(
        node_client_request_parse(&req, &pb, K, (uint8_t *)big, strlen(big)),
        MPC_ERR_PARSE);
    CHECK(pb.fail == VAL);
    /* A 129-byte signature; a 257-byte network_internal_code; a tx two
     * bytes over 64 KiB (EdDSA). */
    off = sprintf(big, "{\"wallet_id\":\"w\",\"signature\":\"");
    for (int i = 0; i < 43; i++)
        off += sprintf(big + off, "AAAA");
    sprintf(big + off, "\"}");
    CHECK_ERR(
        node_client_request_parse(&req, &pb, K, (uint8_t *)big, strlen(big)),
        MPC_ERR_PARSE);
    CHECK(pb.fail == VAL && strstr(pb.reason, "signature") != NULL);
    off =
        sprintf(big, SIGN_HEAD "\"tx\":\"AA==\",\"network_internal_code\":\"");
    memset(big + off, 'n', NODE_CLIENT_NIC_MAX_BYTES + 1);
    sprintf(big + off + NODE_CLIENT_NIC_MAX_BYTES + 1, "\"}");
    CHECK_ERR(
        node_client_request_parse(&req, &pb, S, (uint8_t *)big, strlen(big)),
        MPC_ERR_PARSE);
    CHECK(pb.fail == VAL);
    free(big);

    size_t txn = NODE_CLIENT_TX_MAX_BYTES + 2; /* a multiple of 3 */
    char *tx = malloc(txn / 3 * 4 + 128);
    CHECK(tx != NULL);
    off = sprintf(tx, ED_HEAD "\"tx\":\"");
    for (size_t i = 0; i < txn / 3; i++)
        memcpy(tx + off + 4 * i, "AAAA", 4);
    strcpy(tx + off + txn / 3 * 4, "\"}");
    CHECK_ERR(
        node_client_request_parse(&req, &pb, S, (uint8_t *)tx, strlen(tx)),
        MPC_ERR_PARSE);
    CHECK(pb.fail == VAL && strstr(pb.reason, "tx") != NULL);
    free(tx);
}

TEST(clientproto_parse_misuse)
{
    node_client_request req;
    node_client_problem pb;
    memset(&req, 0xff, sizeof req);
    CHECK_ERR(node_client_request_parse(&req, &pb, (node_client_op)9,
                                        (const uint8_t *)"{}", 2),
              MPC_ERR_INVALID_ARG);
    CHECK(all_zero(&req, sizeof req) && pb.fail == NODE_CLIENT_FAIL_INTERNAL);
    CHECK_ERR(node_client_request_parse(&req, &pb, K, NULL, 3),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_request_parse(NULL, &pb, K, (const uint8_t *)"{}", 2),
              MPC_ERR_INVALID_ARG);
    /* problem may be NULL. */
    CHECK_ERR(
        node_client_request_parse(&req, NULL, K, (const uint8_t *)"{}", 2),
        MPC_ERR_PARSE);
    /* A successful parse clears a stale problem. */
    memset(&pb, 0x41, sizeof pb);
    CHECK(parse(&req, K, "{\"wallet_id\":\"w\"}"));
    CHECK_OK(node_client_request_parse(
        &req, &pb, K, (const uint8_t *)"{\"wallet_id\":\"w\"}", 17));
    CHECK(all_zero(&pb, sizeof pb));
    node_client_request_clear(&req);
    node_client_request_clear(NULL);
}

/* ------------------------------------------------------------------ */
/* Encoding round trips                                               */

static bool round_trip(node_client_op op, const char *json, const char *want)
{
    node_client_request a, b;
    uint8_t *e1 = NULL, *e2 = NULL;
    size_t n1 = 0, n2 = 0;
    REQUIRE(parse(&a, op, json));
    REQUIRE_OK(node_client_request_encode(&e1, &n1, &a));
    bool ok = want == NULL || bytes_eq(e1, n1, want);
    mpc_err err = node_client_request_parse(&b, NULL, op, e1, n1);
    if (err == MPC_OK)
        err = node_client_request_encode(&e2, &n2, &b);
    ok = ok && err == MPC_OK && n1 == n2 && memcmp(e1, e2, n1) == 0;
    /* The signed bytes survive the round trip too. */
    uint8_t *s1 = NULL, *s2 = NULL;
    size_t m1 = 0, m2 = 0;
    if (ok && node_client_request_signed_bytes(&s1, &m1, &a, 0) == MPC_OK &&
        node_client_request_signed_bytes(&s2, &m2, &b, 0) == MPC_OK)
        ok = m1 == m2 && memcmp(s1, s2, m1) == 0;
    free(s1);
    free(s2);
    free(e1);
    free(e2);
    node_client_request_clear(&a);
    node_client_request_clear(&b);
    REQUIRE(ok);
    return true;
}

TEST(clientproto_encode_round_trip)
{
    /* What mpcium's Go client publishes (json.Marshal of the struct). */
    CHECK(round_trip(K, "{\"signature\":\"AQ==\",\"wallet_id\":\"w1\"}",
                     "{\"wallet_id\":\"w1\",\"signature\":\"AQ==\"}"));
    CHECK(round_trip(K, "{\"wallet_id\":\"w1\"}",
                     "{\"wallet_id\":\"w1\",\"signature\":null}"));
    CHECK(round_trip(
        S,
        "{\"key_type\":\"secp256k1\",\"wallet_id\":\"w1\","
        "\"network_internal_code\":\"eth\",\"tx_id\":\"t1\",\"tx\":"
        "\"3q2+7w==\",\"signature\":\"AQ==\",\"derivation_path\":[44,60]}",
        "{\"key_type\":\"secp256k1\",\"wallet_id\":\"w1\","
        "\"network_internal_code\":\"eth\",\"tx_id\":\"t1\",\"tx\":"
        "\"3q2+7w==\",\"signature\":\"AQ==\",\"derivation_path\":[44,60]}"));
    CHECK(
        round_trip(S,
                   "{\"hash\":\"sha256\",\"key_type\":\"secp256k1\","
                   "\"wallet_id\":\"w1\",\"tx_id\":\"t1\",\"tx\":\"3q2+7w==\","
                   "\"authorizer_signatures\":[{\"authorizer_id\":\"a\","
                   "\"signature\":\"AQ==\"},{\"authorizer_id\":\"b\"}]}",
                   "{\"key_type\":\"secp256k1\",\"wallet_id\":\"w1\","
                   "\"network_internal_code\":\"\",\"tx_id\":\"t1\",\"tx\":"
                   "\"3q2+7w==\",\"signature\":null,\"derivation_path\":"
                   "null,\"authorizer_signatures\":[{\"authorizer_id\":"
                   "\"a\",\"signature\":\"AQ==\"},{\"authorizer_id\":\"b\","
                   "\"signature\":null}],\"hash\":\"sha256\"}"));
    /* Reshare's signature is omitempty in mpcium. */
    CHECK(round_trip(R,
                     RESHARE_HEAD "\"node_ids\":[\"a\",\"b\"],"
                                  "\"new_threshold\":1,\"signature\":\"\"}",
                     "{\"session_id\":\"s\",\"node_ids\":[\"a\",\"b\"],"
                     "\"new_threshold\":1,\"key_type\":\"ed25519\","
                     "\"wallet_id\":\"w\"}"));
    CHECK(round_trip(R,
                     RESHARE_HEAD "\"node_ids\":[\"a\",\"b\"],"
                                  "\"new_threshold\":1,\"signature\":\"AQ==\"}",
                     "{\"session_id\":\"s\",\"node_ids\":[\"a\",\"b\"],"
                     "\"new_threshold\":1,\"key_type\":\"ed25519\","
                     "\"wallet_id\":\"w\",\"signature\":\"AQ==\"}"));
    CHECK(round_trip(P, PRESIGN_HEAD "\"count\":7,\"node_ids\":[\"x\"]}",
                     "{\"request_id\":\"r\",\"wallet_id\":\"w\",\"key_type\":"
                     "\"secp256k1\",\"count\":7,\"derivation_path\":[],"
                     "\"node_ids\":[\"x\"],\"signature\":null}"));
}

TEST(clientproto_encode_misuse)
{
    node_client_request req;
    uint8_t *out = (uint8_t *)&out;
    size_t len = 3;
    CHECK(parse(&req, K, "{\"wallet_id\":\"w\"}"));
    req.op = (node_client_op)0;
    CHECK_ERR(node_client_request_encode(&out, &len, &req),
              MPC_ERR_INVALID_ARG);
    CHECK(out == NULL && len == 0);
    req.op = NODE_CLIENT_OP_KEYGEN;
    memset(req.wallet_id.s, 'x', sizeof req.wallet_id.s); /* no NUL */
    CHECK_ERR(node_client_request_encode(&out, &len, &req),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_request_signed_bytes(&out, &len, &req, 0),
              MPC_ERR_INVALID_ARG);
    req.wallet_id.s[0] = '\0';
    req.key_type = (node_client_key_type)7;
    CHECK_ERR(node_client_request_encode(&out, &len, &req),
              MPC_ERR_INVALID_ARG);
    req.key_type = 0;
    req.signature_len = NODE_CLIENT_SIG_MAX_BYTES + 1;
    CHECK_ERR(node_client_request_encode(&out, &len, &req),
              MPC_ERR_INVALID_ARG);
    req.signature_len = 0;
    req.tx_len = 1; /* tx NULL */
    CHECK_ERR(node_client_request_encode(&out, &len, &req),
              MPC_ERR_INVALID_ARG);
    req.tx_len = 0;
    CHECK_ERR(node_client_request_signed_bytes(&out, &len, &req,
                                               (node_client_signed_form)2),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_request_encode(NULL, &len, &req),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_request_encode(&out, &len, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK(strcmp(node_client_request_initiator_id(NULL), "") == 0);
    CHECK(strcmp(node_client_key_type_str(NODE_CLIENT_KEY_NONE), "") == 0);
    CHECK(strcmp(node_client_key_type_str(NODE_CLIENT_KEY_ED25519),
                 "ed25519") == 0);
    CHECK(node_client_key_type_str((node_client_key_type)3) == NULL);
    node_client_request_clear(&req);
}

/* ------------------------------------------------------------------ */
/* The ECDSA digest                                                   */

TEST(clientproto_digest)
{
    node_client_request req;
    uint8_t d[32], want[32] = {0};
    /* Short raw digest: a big-endian integer, left-padded. */
    CHECK(parse(&req, S, SIGN_HEAD "\"tx\":\"AAEC\"}"));
    CHECK_OK(node_client_request_digest(d, &req));
    want[30] = 1;
    want[31] = 2;
    CHECK_MEM(d, want, 32);
    node_client_request_clear(&req);
    /* With hash: hash of the preimage ("abc"). */
    CHECK(parse(&req, S, SIGN_HEAD "\"tx\":\"YWJj\",\"hash\":\"sha256\"}"));
    CHECK_OK(node_client_request_digest(d, &req));
    CHECK(test_unhex(want, 32,
                     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f"
                     "20015ad"));
    CHECK_MEM(d, want, 32);
    node_client_request_clear(&req);
    /* Not for EdDSA. */
    CHECK(parse(&req, S, ED_HEAD "\"tx\":\"YWJj\"}"));
    memset(d, 0xff, sizeof d);
    CHECK_ERR(node_client_request_digest(d, &req), MPC_ERR_INVALID_ARG);
    CHECK(all_zero(d, sizeof d));
    node_client_request_clear(&req);
    CHECK_ERR(node_client_request_digest(d, NULL), MPC_ERR_INVALID_ARG);
}

/* ------------------------------------------------------------------ */
/* Results                                                            */

static const uint8_t G33[33] = {
    0x02, 0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0,
    0x62, 0x95, 0xce, 0x87, 0x0b, 0x07, 0x02, 0x9b, 0xfc, 0xdb, 0x2d,
    0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16, 0xf8, 0x17, 0x98};
static const char G64_B64[] = "eb5mfvncu6xVoGKVzocLBwKb/NstzijZWfKBWxb4F5hIOtp3"
                              "JqPEZV2k+/wOEQio/Re0SKaFVBmcR9CP+xDUuA==";
static const char ED_B64[] = "WGZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY=";

/* Takes the output by address: C leaves the order in which arguments are
 * evaluated open, so `out` must be read after the call that fills it. */
static bool result_is(mpc_err got, uint8_t **out, size_t *len, const char *want)
{
    REQUIRE_OK(got);
    bool ok = bytes_eq(*out, *len, want);
    free(*out);
    return ok;
}

TEST(clientproto_result_keygen)
{
    uint8_t *out;
    size_t len;
    uint8_t ed[32];
    memset(ed, 0x66, sizeof ed);
    ed[0] = 0x58;
    CHECK(
        result_is(node_client_keygen_result_success(&out, &len, "w1", G33, ed),
                  &out, &len,
                  "{\"wallet_id\":\"w1\",\"ecdsa_pub_key\":\""
                  "eb5mfvncu6xV"
                  "oGKVzocLBwKb/NstzijZWfKBWxb4F5hIOtp3JqPEZV2k+/wOEQio/Re0S"
                  "KaFVBmcR9CP+xDUuA==\",\"eddsa_pub_key\":\"WGZmZmZmZmZmZm"
                  "ZmZmZmZmZmZmZmZmZmZmZmZmZmZmY=\",\"result_type\":"
                  "\"success\",\"error_reason\":\"\",\"error_code\":\"\"}"));
    (void)G64_B64;
    (void)ED_B64;
    CHECK(result_is(
        node_client_keygen_result_success(&out, &len, "w1", NULL, NULL), &out,
        &len,
        "{\"wallet_id\":\"w1\",\"ecdsa_pub_key\":null,"
        "\"eddsa_pub_key\":null,\"result_type\":\"success\","
        "\"error_reason\":\"\",\"error_code\":\"\"}"));
    node_client_problem pb;
    node_client_problem_set(&pb, NODE_CLIENT_FAIL_KEY_EXISTS,
                            "keygen: key already exists: %s", "w<1>");
    CHECK(result_is(node_client_keygen_result_error(&out, &len, "w<1>", &pb),
                    &out, &len,
                    "{\"wallet_id\":\"w\\u003c1\\u003e\",\"ecdsa_pub_key\":"
                    "null,\"eddsa_pub_key\":null,\"result_type\":\"error\","
                    "\"error_reason\":\"keygen: key already exists: "
                    "w\\u003c1\\u003e\",\"error_code\":"
                    "\"ERROR_KEY_ALREADY_EXISTS\"}"));
    /* A consumer-side decode error has no wallet id: "". */
    node_client_problem_set(&pb, NODE_CLIENT_FAIL_DECODE, "unmarshal: x");
    CHECK(result_is(node_client_keygen_result_error(&out, &len, NULL, &pb),
                    &out, &len,
                    "{\"wallet_id\":\"\",\"ecdsa_pub_key\":null,"
                    "\"eddsa_pub_key\":null,\"result_type\":\"error\","
                    "\"error_reason\":\"unmarshal: x\",\"error_code\":"
                    "\"ERROR_UNMARSHAL_FAILURE\"}"));
    /* Not a point: 0x02 || x with no y on the curve (x = 5). */
    uint8_t bad[33] = {0x02};
    bad[32] = 5;
    out = (uint8_t *)&out;
    CHECK_ERR(node_client_keygen_result_success(&out, &len, "w", bad, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK(out == NULL && len == 0);
    CHECK_ERR(node_client_keygen_result_error(&out, &len, "w", NULL),
              MPC_ERR_INVALID_ARG);
}

TEST(clientproto_result_ecdsa_pub)
{
    uint8_t xy[64], want[64];
    CHECK_OK(node_client_ecdsa_pub_encode(xy, G33));
    CHECK(test_unhex(want, 64,
                     "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b"
                     "16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a6855419"
                     "9c47d08ffb10d4b8"));
    CHECK_MEM(xy, want, 64);
    /* Only the compressed forms 02/03 are accepted. */
    uint8_t p[33];
    memcpy(p, G33, 33);
    p[0] = 0x04;
    CHECK_ERR(node_client_ecdsa_pub_encode(xy, p), MPC_ERR_INVALID_ARG);
    CHECK(all_zero(xy, 64));
    p[0] = 0x03; /* -G: same X, the other Y */
    CHECK_OK(node_client_ecdsa_pub_encode(xy, p));
    CHECK_MEM(xy, want, 32);
    CHECK(memcmp(xy + 32, want + 32, 32) != 0);
}

TEST(clientproto_result_sign)
{
    uint8_t *out;
    size_t len;
    uint8_t r[32], s[32], sig[64];
    for (int i = 0; i < 32; i++) {
        r[i] = (uint8_t)(i + 1);
        s[i] = (uint8_t)(i + 0x21);
    }
    for (int i = 0; i < 64; i++)
        sig[i] = (uint8_t)i;
    node_client_sign_ids ids = {"eth", "w1", "t1"};
    CHECK(result_is(node_client_sign_result_ecdsa(&out, &len, &ids, r, s, 1),
                    &out, &len,
                    "{\"result_type\":\"success\",\"error_code\":\"\","
                    "\"error_reason\":\"\",\"is_timeout\":false,"
                    "\"network_internal_code\":\"eth\",\"wallet_id\":\"w1\","
                    "\"tx_id\":\"t1\",\"r\":\"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcY"
                    "GRobHB0eHyA=\",\"s\":\"ISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OT"
                    "o7PD0+P0A=\",\"signature_recovery\":\"AQ==\","
                    "\"signature\":null}"));
    CHECK(result_is(node_client_sign_result_eddsa(&out, &len, &ids, sig), &out,
                    &len,
                    "{\"result_type\":\"success\",\"error_code\":\"\","
                    "\"error_reason\":\"\",\"is_timeout\":false,"
                    "\"network_internal_code\":\"eth\",\"wallet_id\":\"w1\","
                    "\"tx_id\":\"t1\",\"r\":null,\"s\":null,"
                    "\"signature_recovery\":null,\"signature\":\"AAECAwQFBgcI"
                    "CQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEy"
                    "MzQ1Njc4OTo7PD0+Pw==\"}"));
    node_client_problem pb;
    node_client_problem_set(&pb, NODE_CLIENT_FAIL_MAX_DELIVERY,
                            "Signing failed: maximum delivery attempts "
                            "exceeded");
    CHECK(result_is(
        node_client_sign_result_error(&out, &len, &ids, &pb, true), &out, &len,
        "{\"result_type\":\"error\",\"error_code\":"
        "\"ERROR_MAX_DELIVERY_ATTEMPTS\",\"error_reason\":\"Signing failed: "
        "maximum delivery attempts exceeded\",\"is_timeout\":true,"
        "\"network_internal_code\":\"eth\",\"wallet_id\":\"w1\",\"tx_id\":"
        "\"t1\",\"r\":null,\"s\":null,\"signature_recovery\":null,"
        "\"signature\":null}"));
    node_client_problem_set(&pb, NODE_CLIENT_FAIL_DECODE, "unmarshal: bad");
    CHECK(result_is(node_client_sign_result_error(&out, &len, NULL, &pb, false),
                    &out, &len,
                    "{\"result_type\":\"error\",\"error_code\":"
                    "\"ERROR_UNMARSHAL_FAILURE\",\"error_reason\":\"unmarshal:"
                    " bad\",\"is_timeout\":false,\"network_internal_code\":"
                    "\"\",\"wallet_id\":\"\",\"tx_id\":\"\",\"r\":null,\"s\":"
                    "null,\"signature_recovery\":null,\"signature\":null}"));

    /* r and s bounds: 0 < r < n, 0 < s <= n/2; recovery 0..3. */
    uint8_t n[32], half[32], zero[32] = {0};
    CHECK(test_unhex(n, 32,
                     "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8c"
                     "d0364141"));
    CHECK(test_unhex(half, 32,
                     "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46"
                     "681b20a0"));
    out = (uint8_t *)&out;
    CHECK_ERR(node_client_sign_result_ecdsa(&out, &len, &ids, zero, s, 0),
              MPC_ERR_INVALID_ARG);
    CHECK(out == NULL && len == 0);
    CHECK_ERR(node_client_sign_result_ecdsa(&out, &len, &ids, n, s, 0),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_sign_result_ecdsa(&out, &len, &ids, r, zero, 0),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_sign_result_ecdsa(&out, &len, &ids, r, s, 4),
              MPC_ERR_INVALID_ARG);
    CHECK_OK(node_client_sign_result_ecdsa(&out, &len, &ids, r, half, 3));
    free(out);
    half[31]++; /* n/2 + 1: high S */
    CHECK_ERR(node_client_sign_result_ecdsa(&out, &len, &ids, r, half, 0),
              MPC_ERR_INVALID_ARG);
    n[31]--; /* n - 1 is a valid r */
    CHECK_OK(node_client_sign_result_ecdsa(&out, &len, &ids, n, s, 0));
    free(out);
    CHECK_ERR(node_client_sign_result_error(&out, &len, &ids, NULL, false),
              MPC_ERR_INVALID_ARG);
    pb.code = (node_client_code)999;
    CHECK_ERR(node_client_sign_result_error(&out, &len, &ids, &pb, false),
              MPC_ERR_INVALID_ARG);
}

TEST(clientproto_result_reshare_presign)
{
    uint8_t *out;
    size_t len;
    uint8_t ed[32];
    memset(ed, 0x66, sizeof ed);
    ed[0] = 0x58;
    /* threshold 2 signers → new_threshold 1 on the wire. */
    CHECK(result_is(
        node_client_reshare_result_success(
            &out, &len, "w1", 2, NODE_CLIENT_KEY_SECP256K1, G33, sizeof G33),
        &out, &len,
        "{\"wallet_id\":\"w1\",\"new_threshold\":1,\"key_type\":"
        "\"secp256k1\",\"pub_key\":\"eb5mfvncu6xVoGKVzocLBwKb/Nst"
        "zijZWfKBWxb4F5hIOtp3JqPEZV2k+/wOEQio/Re0SKaFVBmcR9CP+xDU"
        "uA==\",\"result_type\":\"success\",\"error_reason\":\"\","
        "\"error_code\":\"\"}"));
    CHECK(result_is(node_client_reshare_result_success(
                        &out, &len, "w1", 3, NODE_CLIENT_KEY_ED25519, ed, 32),
                    &out, &len,
                    "{\"wallet_id\":\"w1\",\"new_threshold\":2,\"key_type\":"
                    "\"ed25519\",\"pub_key\":\"WGZmZmZmZmZmZmZmZmZmZmZmZmZmZm"
                    "ZmZmZmZmZmZmY=\",\"result_type\":\"success\","
                    "\"error_reason\":\"\",\"error_code\":\"\"}"));
    node_client_problem pb;
    node_client_problem_set(&pb, NODE_CLIENT_FAIL_RESHARE_PROTOCOL,
                            "reshare: party %d misbehaved", 2);
    CHECK(result_is(node_client_reshare_result_error(
                        &out, &len, "w1", 2, NODE_CLIENT_KEY_ED25519, &pb),
                    &out, &len,
                    "{\"wallet_id\":\"w1\",\"new_threshold\":1,\"key_type\":"
                    "\"ed25519\",\"pub_key\":null,\"result_type\":\"error\","
                    "\"error_reason\":\"reshare: party 2 misbehaved\","
                    "\"error_code\":\"ERROR_RESHARE_FAILURE\"}"));
    node_client_problem_set(&pb, NODE_CLIENT_FAIL_DECODE, "unmarshal: x");
    CHECK(result_is(node_client_reshare_result_error(&out, &len, NULL, 0,
                                                     NODE_CLIENT_KEY_NONE, &pb),
                    &out, &len,
                    "{\"wallet_id\":\"\",\"new_threshold\":0,\"key_type\":\"\","
                    "\"pub_key\":null,\"result_type\":\"error\","
                    "\"error_reason\":\"unmarshal: x\",\"error_code\":"
                    "\"ERROR_UNMARSHAL_FAILURE\"}"));
    out = (uint8_t *)&out;
    CHECK_ERR(node_client_reshare_result_success(
                  &out, &len, "w", 2, NODE_CLIENT_KEY_ED25519, G33, 33),
              MPC_ERR_INVALID_ARG);
    CHECK(out == NULL && len == 0);
    CHECK_ERR(node_client_reshare_result_success(
                  &out, &len, "w", 2, NODE_CLIENT_KEY_SECP256K1, ed, 32),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_reshare_result_success(&out, &len, "w", 2,
                                                 NODE_CLIENT_KEY_NONE, ed, 32),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_reshare_result_error(&out, &len, "w", 2,
                                               (node_client_key_type)5, &pb),
              MPC_ERR_INVALID_ARG);

    CHECK(result_is(node_client_presign_result(&out, &len, "r1", "w1",
                                               NODE_CLIENT_KEY_SECP256K1, 10,
                                               10, NULL),
                    &out, &len,
                    "{\"request_id\":\"r1\",\"wallet_id\":\"w1\",\"key_type\":"
                    "\"secp256k1\",\"requested\":10,\"generated\":10,"
                    "\"result_type\":\"success\",\"error_reason\":\"\","
                    "\"error_code\":\"\"}"));
    node_client_problem_set(&pb, NODE_CLIENT_FAIL_TIMEOUT,
                            "presign: timed out after %d of %d", 3, 10);
    CHECK(result_is(node_client_presign_result(&out, &len, "r1", "w1",
                                               NODE_CLIENT_KEY_SECP256K1, 10, 3,
                                               &pb),
                    &out, &len,
                    "{\"request_id\":\"r1\",\"wallet_id\":\"w1\",\"key_type\":"
                    "\"secp256k1\",\"requested\":10,\"generated\":3,"
                    "\"result_type\":\"error\",\"error_reason\":\"presign: "
                    "timed out after 3 of 10\",\"error_code\":"
                    "\"ERROR_NETWORK_TIMEOUT\"}"));
}

TEST(clientproto_threshold_conversion)
{
    uint32_t s = 77;
    CHECK_OK(node_client_threshold_from_wire(&s, 1));
    CHECK(s == 2);
    CHECK_OK(node_client_threshold_from_wire(&s, 0));
    CHECK(s == 1);
    CHECK_OK(node_client_threshold_from_wire(&s, NODE_CLIENT_NODES_MAX - 1));
    CHECK(s == NODE_CLIENT_NODES_MAX);
    CHECK_ERR(node_client_threshold_from_wire(&s, NODE_CLIENT_NODES_MAX),
              MPC_ERR_PARSE);
    CHECK(s == 0);
    CHECK_ERR(node_client_threshold_from_wire(&s, -1), MPC_ERR_PARSE);
    CHECK_ERR(node_client_threshold_from_wire(&s, INT64_MAX), MPC_ERR_PARSE);
    CHECK_ERR(node_client_threshold_from_wire(NULL, 1), MPC_ERR_INVALID_ARG);
    CHECK(node_client_threshold_to_wire(2) == 1);
    CHECK(node_client_threshold_to_wire(1) == 0);
    CHECK(node_client_threshold_to_wire(0) == 0);
    for (int64_t t = 0; t < NODE_CLIENT_NODES_MAX; t++) {
        CHECK_OK(node_client_threshold_from_wire(&s, t));
        CHECK(node_client_threshold_to_wire(s) == (uint32_t)t);
    }
}

/* ------------------------------------------------------------------ */
/* Error codes                                                        */

TEST(clientproto_codes_table)
{
    /* Every code of mpcium's pkg/event/types.go (§3.5), exactly. */
    static const char *const mpcium[] = {"ERROR_UNKNOWN",
                                         "ERROR_NETWORK_TIMEOUT",
                                         "ERROR_NETWORK_CONNECTION",
                                         "ERROR_NETWORK_SUBSCRIPTION",
                                         "ERROR_MESSAGE_ROUTING",
                                         "ERROR_DIRECT_MESSAGING",
                                         "ERROR_SESSION_TIMEOUT",
                                         "ERROR_SESSION_CREATION",
                                         "ERROR_SESSION_INITIALIZATION",
                                         "ERROR_SESSION_CLEANUP",
                                         "ERROR_SESSION_DUPLICATE",
                                         "ERROR_SESSION_STALE",
                                         "ERROR_INSUFFICIENT_PARTICIPANTS",
                                         "ERROR_INCOMPATIBLE_PEER_IDS",
                                         "ERROR_PEER_NOT_READY",
                                         "ERROR_PEER_UNAVAILABLE",
                                         "ERROR_PARTICIPANT_NOT_FOUND",
                                         "ERROR_KEY_NOT_FOUND",
                                         "ERROR_KEY_ALREADY_EXISTS",
                                         "ERROR_KEY_GENERATION",
                                         "ERROR_KEY_SAVE",
                                         "ERROR_KEY_LOAD",
                                         "ERROR_KEY_INFO_SAVE",
                                         "ERROR_KEY_INFO_LOAD",
                                         "ERROR_KEY_ENCODING",
                                         "ERROR_KEY_DECODING",
                                         "ERROR_MSG_VALIDATION",
                                         "ERROR_SIGNATURE_GENERATION",
                                         "ERROR_SIGNATURE_VERIFICATION",
                                         "ERROR_INVALID_INITIATOR_SIGNATURE",
                                         "ERROR_PRE_PARAMS_GENERATION",
                                         "ERROR_TSS_PARTY_CREATION",
                                         "ERROR_MISSING_AUTHORIZER_SIGNATURE",
                                         "ERROR_INVALID_AUTHORIZER_SIGNATURE",
                                         "ERROR_MARSHAL_FAILURE",
                                         "ERROR_UNMARSHAL_FAILURE",
                                         "ERROR_DATA_CORRUPTION",
                                         "ERROR_STORAGE_READ",
                                         "ERROR_STORAGE_WRITE",
                                         "ERROR_STORAGE_INIT",
                                         "ERROR_MESSAGE_VERIFICATION",
                                         "ERROR_MESSAGE_FORMAT",
                                         "ERROR_MESSAGE_DELIVERY",
                                         "ERROR_MAX_DELIVERY_ATTEMPTS",
                                         "ERROR_INVALID_CONFIGURATION",
                                         "ERROR_INVALID_THRESHOLD",
                                         "ERROR_INVALID_SESSION_TYPE",
                                         "ERROR_RESOURCE_EXHAUSTED",
                                         "ERROR_MEMORY_ALLOCATION",
                                         "ERROR_CONCURRENCY_LIMIT",
                                         "ERROR_KEYGEN_FAILURE",
                                         "ERROR_SIGNING_FAILURE",
                                         "ERROR_RESHARE_FAILURE",
                                         "ERROR_CONTEXT_CANCELLED",
                                         "ERROR_OPERATION_ABORTED",
                                         "ERROR_NOT_MAJORITY",
                                         "ERROR_CLUSTER_NOT_READY"};
    size_t n = sizeof mpcium / sizeof mpcium[0];
    CHECK(n + 1 == NODE_CLIENT_CODE_COUNT);
    for (size_t i = 0; i < n; i++) {
        node_client_code c;
        CHECK_OK(node_client_code_parse(&c, mpcium[i], strlen(mpcium[i])));
        CHECK(c == (node_client_code)(i + 1));
        CHECK(strcmp(node_client_code_str(c), mpcium[i]) == 0);
    }
    node_client_code c = 5;
    CHECK_OK(node_client_code_parse(&c, NULL, 0));
    CHECK(c == NODE_CLIENT_CODE_NONE);
    CHECK(strcmp(node_client_code_str(NODE_CLIENT_CODE_NONE), "") == 0);
    CHECK(node_client_code_str(NODE_CLIENT_CODE_COUNT) == NULL);
    CHECK(node_client_code_str((node_client_code)-1) == NULL);
    c = 5;
    CHECK_ERR(node_client_code_parse(&c, "error_unknown", 13), MPC_ERR_PARSE);
    CHECK(c == NODE_CLIENT_CODE_NONE);
    CHECK_ERR(node_client_code_parse(&c, "ERROR_UNKNOWN ", 14), MPC_ERR_PARSE);
    CHECK_ERR(node_client_code_parse(&c, "ERROR_UNKNOW", 12), MPC_ERR_PARSE);
}

TEST(clientproto_fail_codes)
{
    static const struct {
        node_client_fail f;
        const char *code;
    } table[] = {
        {NODE_CLIENT_FAIL_DECODE, "ERROR_UNMARSHAL_FAILURE"},
        {NODE_CLIENT_FAIL_VALIDATION, "ERROR_MSG_VALIDATION"},
        {NODE_CLIENT_FAIL_THRESHOLD, "ERROR_INVALID_THRESHOLD"},
        {NODE_CLIENT_FAIL_INSUFFICIENT_PARTICIPANTS,
         "ERROR_INSUFFICIENT_PARTICIPANTS"},
        {NODE_CLIENT_FAIL_INITIATOR_SIGNATURE,
         "ERROR_INVALID_INITIATOR_SIGNATURE"},
        {NODE_CLIENT_FAIL_AUTHORIZER_MISSING,
         "ERROR_MISSING_AUTHORIZER_SIGNATURE"},
        {NODE_CLIENT_FAIL_AUTHORIZER_INVALID,
         "ERROR_INVALID_AUTHORIZER_SIGNATURE"},
        {NODE_CLIENT_FAIL_CLUSTER_NOT_READY, "ERROR_CLUSTER_NOT_READY"},
        {NODE_CLIENT_FAIL_NOT_MAJORITY, "ERROR_NOT_MAJORITY"},
        {NODE_CLIENT_FAIL_DUPLICATE, "ERROR_SESSION_DUPLICATE"},
        {NODE_CLIENT_FAIL_KEY_EXISTS, "ERROR_KEY_ALREADY_EXISTS"},
        {NODE_CLIENT_FAIL_KEY_NOT_FOUND, "ERROR_KEY_NOT_FOUND"},
        {NODE_CLIENT_FAIL_TIMEOUT, "ERROR_NETWORK_TIMEOUT"},
        {NODE_CLIENT_FAIL_MAX_DELIVERY, "ERROR_MAX_DELIVERY_ATTEMPTS"},
        {NODE_CLIENT_FAIL_PEER_UNAVAILABLE, "ERROR_PEER_UNAVAILABLE"},
        {NODE_CLIENT_FAIL_KEYGEN_PROTOCOL, "ERROR_KEYGEN_FAILURE"},
        {NODE_CLIENT_FAIL_SIGNING_PROTOCOL, "ERROR_SIGNING_FAILURE"},
        {NODE_CLIENT_FAIL_RESHARE_PROTOCOL, "ERROR_RESHARE_FAILURE"},
        {NODE_CLIENT_FAIL_SIGNATURE_CHECK, "ERROR_SIGNATURE_VERIFICATION"},
        {NODE_CLIENT_FAIL_STORAGE_READ, "ERROR_STORAGE_READ"},
        {NODE_CLIENT_FAIL_STORAGE_WRITE, "ERROR_STORAGE_WRITE"},
        {NODE_CLIENT_FAIL_DATA_CORRUPTION, "ERROR_DATA_CORRUPTION"},
        {NODE_CLIENT_FAIL_CONCURRENCY, "ERROR_CONCURRENCY_LIMIT"},
        {NODE_CLIENT_FAIL_NOMEM, "ERROR_MEMORY_ALLOCATION"},
        {NODE_CLIENT_FAIL_CONFIG, "ERROR_INVALID_CONFIGURATION"},
        {NODE_CLIENT_FAIL_CANCELLED, "ERROR_CONTEXT_CANCELLED"},
        {NODE_CLIENT_FAIL_INTERNAL, "ERROR_UNKNOWN"},
    };
    CHECK(sizeof table / sizeof table[0] == NODE_CLIENT_FAIL_INTERNAL);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        CHECK(table[i].f == (node_client_fail)(i + 1));
        CHECK(strcmp(node_client_code_str(node_client_fail_code(table[i].f)),
                     table[i].code) == 0);
    }
    CHECK(node_client_fail_code((node_client_fail)0) ==
          NODE_CLIENT_CODE_UNKNOWN);
    CHECK(node_client_fail_code((node_client_fail)1000) ==
          NODE_CLIENT_CODE_UNKNOWN);

    /* Reasons are bounded and printable. */
    node_client_problem pb;
    char longs[600];
    memset(longs, 'x', sizeof longs - 1);
    longs[sizeof longs - 1] = '\0';
    node_client_problem_set(&pb, NODE_CLIENT_FAIL_VALIDATION, "%s\x01\xff%s",
                            "a", longs);
    CHECK(strlen(pb.reason) == NODE_CLIENT_REASON_BYTES - 1);
    CHECK(memcmp(pb.reason, "a??xx", 5) == 0);
    node_client_problem_set(NULL, NODE_CLIENT_FAIL_VALIDATION, "x");
}

/* ------------------------------------------------------------------ */
/* Subjects, names, keys                                              */

static bool name_is(mpc_err got, const char *buf, const char *want)
{
    REQUIRE_OK(got);
    if (strcmp(buf, want) != 0) {
        test_fail(__FILE__, __LINE__, "got %s, want %s", buf, want);
        return false;
    }
    return true;
}

TEST(clientproto_request_names)
{
    char b[NODE_CLIENT_NAME_MAX_BYTES];
    static const struct {
        node_client_op op;
        const char *stream, *filter, *durable, *subject;
    } t[] = {
        {K, "mpc-keygen", "mpc.keygen_request.*", "mpc_keygen_consumer",
         "mpc.keygen_request.x"},
        {S, "mpc-signing", "mpc.signing_request.*", "mpc_signing_consumer",
         "mpc.signing_request.x"},
        {R, "mpc-reshare", "mpc.reshare_request.*", "mpc_reshare_consumer",
         "mpc.reshare_request.x"},
        {P, "mpc-presign", "mpc.presign_request.*", "mpc_presign_consumer",
         "mpc.presign_request.x"},
    };
    for (size_t i = 0; i < 4; i++) {
        CHECK(strcmp(node_client_request_stream(t[i].op), t[i].stream) == 0);
        CHECK(strcmp(node_client_request_filter(t[i].op), t[i].filter) == 0);
        CHECK(strcmp(node_client_request_durable(t[i].op), t[i].durable) == 0);
        CHECK(name_is(node_client_request_subject(b, sizeof b, t[i].op, "x"), b,
                      t[i].subject));
    }
    /* mpcium derives its durable names from "mpc-keygen-consumer" etc. */
    CHECK(name_is(node_client_durable_sanitize_mpcium(
                      b, sizeof b, "mpc-keygen-consumer", 19),
                  b, "mpc_keygen_consumer"));
    CHECK(name_is(node_client_durable_sanitize_mpcium(
                      b, sizeof b, "mpc-signing-consumer", 20),
                  b, "mpc_signing_consumer"));
    CHECK(node_client_request_stream((node_client_op)0) == NULL);
    CHECK(node_client_request_filter((node_client_op)5) == NULL);
    CHECK(node_client_request_durable((node_client_op)5) == NULL);
    memset(b, 'z', sizeof b);
    CHECK_ERR(node_client_request_subject(b, sizeof b, K, "a.b"),
              MPC_ERR_INVALID_ARG);
    CHECK(all_zero(b, sizeof b));
    CHECK_ERR(node_client_request_subject(b, sizeof b, K, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_request_subject(b, sizeof b, (node_client_op)0, "x"),
              MPC_ERR_INVALID_ARG);
    /* Exactly fitting, and one byte short. */
    CHECK_OK(node_client_request_subject(b, 21, K, "x"));
    memset(b, 'z', sizeof b);
    CHECK_ERR(node_client_request_subject(b, 20, K, "x"), MPC_ERR_INVALID_ARG);
    CHECK(all_zero(b, 20) && b[20] == 'z');
}

TEST(clientproto_result_subjects)
{
    char b[NODE_CLIENT_NAME_MAX_BYTES];
    CHECK(name_is(node_client_result_subject(b, sizeof b, K, NULL, "w1"), b,
                  "mpc.mpc_keygen_result.w1"));
    CHECK(name_is(node_client_result_subject(b, sizeof b, K, "", "w1"), b,
                  "mpc.mpc_keygen_result.w1"));
    CHECK(name_is(node_client_result_subject(b, sizeof b, K, "svc-a", "w1"), b,
                  "mpc.mpc_keygen_result.svc-a.w1"));
    CHECK(name_is(node_client_result_subject(b, sizeof b, S, NULL, NULL), b,
                  "mpc.mpc_signing_result.complete"));
    CHECK(name_is(node_client_result_subject(b, sizeof b, S, "c", "ignored"), b,
                  "mpc.mpc_signing_result.c.complete"));
    CHECK(name_is(node_client_result_subject(b, sizeof b, R, "c", "s1"), b,
                  "mpc.mpc_reshare_result.c.s1"));
    CHECK(name_is(node_client_result_subject(b, sizeof b, P, NULL, "r1"), b,
                  "mpc.mpc_presign_result.r1"));
    CHECK(name_is(node_client_result_filter(b, sizeof b, K, NULL), b,
                  "mpc.mpc_keygen_result.*"));
    CHECK(name_is(node_client_result_filter(b, sizeof b, K, "svc-a"), b,
                  "mpc.mpc_keygen_result.svc-a.*"));
    CHECK(name_is(node_client_result_filter(b, sizeof b, S, NULL), b,
                  "mpc.mpc_signing_result.complete"));
    CHECK(name_is(node_client_result_filter(b, sizeof b, S, "svc-a"), b,
                  "mpc.mpc_signing_result.svc-a.complete"));
    CHECK(name_is(node_client_result_filter(b, sizeof b, R, "x"), b,
                  "mpc.mpc_reshare_result.x.*"));
    CHECK(name_is(node_client_result_filter(b, sizeof b, P, NULL), b,
                  "mpc.mpc_presign_result.*"));
    CHECK_ERR(node_client_result_subject(b, sizeof b, K, "a.b", "w"),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_result_subject(b, sizeof b, K, NULL, "w*"),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_result_subject(b, sizeof b, R, NULL, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_result_filter(b, sizeof b, K, "a b"),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_result_filter(b, 0, K, NULL), MPC_ERR_INVALID_ARG);
}

TEST(clientproto_msg_ids)
{
    char b[NODE_CLIENT_NAME_MAX_BYTES];
    /* The examples of §1.4. */
    CHECK(name_is(
        node_client_result_msg_id(b, sizeof b, K, "svc-a", "wallet-1", "6f1c"),
        b, "mpc.mpc_keygen_result.svc-a:wallet-1:6f1c"));
    CHECK(name_is(node_client_result_msg_id(b, sizeof b, S, NULL, "tx-9", NULL),
                  b, "mpc.mpc_signing_result.tx-9"));
    CHECK(name_is(node_client_result_msg_id(b, sizeof b, S, "c", "tx-9", ""), b,
                  "mpc.mpc_signing_result.c:tx-9"));
    CHECK(name_is(node_client_result_msg_id(b, sizeof b, R, "", "s1", "u"), b,
                  "mpc.mpc_reshare_result.s1:u"));
    CHECK(name_is(node_client_result_msg_id(b, sizeof b, P, NULL, "r1", NULL),
                  b, "mpc.mpc_presign_result.r1"));
    CHECK_ERR(node_client_result_msg_id(b, sizeof b, K, "a:b", "w", NULL),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_result_msg_id(b, sizeof b, K, NULL, "w:1", NULL),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_result_msg_id(b, sizeof b, K, NULL, "w", "s:1"),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_result_msg_id(b, sizeof b, K, NULL, NULL, NULL),
              MPC_ERR_INVALID_ARG);
    /* The longest key fits the documented buffer. */
    char cid[NODE_CLIENT_CLIENT_ID_MAX_BYTES + 1];
    char id[NODE_CLIENT_ID_MAX_BYTES + 1];
    memset(cid, 'c', sizeof cid - 1);
    cid[sizeof cid - 1] = '\0';
    memset(id, 'i', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    CHECK_OK(node_client_result_msg_id(b, sizeof b, P, cid, id, id));
    CHECK(strlen(b) == 22 + 1 + 64 + 1 + 128 + 1 + 128);
}

TEST(clientproto_client_id_check)
{
    static const char *const good[] = {"svc-a", "svc_a", "e2e-suite", "A",
                                       "x/y",   "a<b&c", "!~"};
    static const char *const bad[] = {" ",    "a b",      "a\tb",  "a\rb",
                                      "a\nb", "a.b",      "a*",    ">",
                                      "a:b",  "\xc3\xa9", "a\x7f", "\x01"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK_OK(node_client_client_id_check(good[i], strlen(good[i])));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_ERR(node_client_client_id_check(bad[i], strlen(bad[i])),
                  MPC_ERR_PARSE);
    CHECK_OK(node_client_client_id_check(NULL, 0));
    CHECK_OK(node_client_client_id_check("", 0));
    CHECK_ERR(node_client_client_id_check("a\0b", 3), MPC_ERR_PARSE);
    char cid[NODE_CLIENT_CLIENT_ID_MAX_BYTES + 1];
    memset(cid, 'c', sizeof cid);
    CHECK_OK(node_client_client_id_check(cid, sizeof cid - 1));
    CHECK_ERR(node_client_client_id_check(cid, sizeof cid), MPC_ERR_PARSE);
    CHECK(node_client_id_is_valid("x", 1));
    CHECK(!node_client_id_is_valid(NULL, 0));
    CHECK(!node_client_id_is_valid("x", 0));
}

TEST(clientproto_durable_mpcium)
{
    char b[NODE_CLIENT_NAME_MAX_BYTES];
    CHECK(name_is(node_client_result_durable_mpcium(b, sizeof b, K, NULL), b,
                  "mpc_keygen_result"));
    CHECK(name_is(node_client_result_durable_mpcium(b, sizeof b, S, ""), b,
                  "mpc_signing_result"));
    CHECK(name_is(node_client_result_durable_mpcium(b, sizeof b, R, "svc-a"), b,
                  "mpc_reshare_result_svc_a"));
    CHECK(name_is(node_client_result_durable_mpcium(b, sizeof b, P, "e2e-x"), b,
                  "mpc_presign_result_e2e_x"));
    /* The collision we must not reproduce for our own durables. */
    CHECK(name_is(node_client_result_durable_mpcium(b, sizeof b, K, "svc_a"), b,
                  "mpc_keygen_result_svc_a"));
    CHECK(name_is(node_client_result_durable_mpcium(b, sizeof b, K, "svc-a"), b,
                  "mpc_keygen_result_svc_a"));

    /* The sanitizer itself, on names no valid client id produces. */
    CHECK(name_is(
        node_client_durable_sanitize_mpcium(b, sizeof b, "a.b:c d-e>f*g", 13),
        b, "a_b_c_d_eallfanyg"));
    CHECK(name_is(node_client_durable_sanitize_mpcium(b, sizeof b, "1x", 2), b,
                  "_1x"));
    CHECK(name_is(node_client_durable_sanitize_mpcium(b, sizeof b, "-x", 2), b,
                  "_x")); /* '-' became '_' first */
    CHECK(name_is(node_client_durable_sanitize_mpcium(b, sizeof b, ">", 1), b,
                  "all"));
    CHECK(name_is(node_client_durable_sanitize_mpcium(b, sizeof b, "", 0), b,
                  ""));
    /* Go's unicode.IsLetter(rune(byte)): Latin-1 letters count. */
    CHECK(name_is(node_client_durable_sanitize_mpcium(b, sizeof b, "\xc3x", 2),
                  b, "\xc3x"));
    CHECK(name_is(node_client_durable_sanitize_mpcium(b, sizeof b, "\xaa", 1),
                  b, "\xaa"));
    CHECK(name_is(node_client_durable_sanitize_mpcium(b, sizeof b, "\xd7", 1),
                  b, "_\xd7"));
    CHECK(name_is(node_client_durable_sanitize_mpcium(b, sizeof b, "\xf7", 1),
                  b, "_\xf7"));
    CHECK(name_is(node_client_durable_sanitize_mpcium(b, sizeof b, "\xa9", 1),
                  b, "_\xa9"));
    /* Exact fit with the added prefix, then one byte short. */
    CHECK_OK(node_client_durable_sanitize_mpcium(b, 5, "1ab", 3));
    CHECK(strcmp(b, "_1ab") == 0);
    CHECK_ERR(node_client_durable_sanitize_mpcium(b, 4, "1ab", 3),
              MPC_ERR_INVALID_ARG);
    CHECK(all_zero(b, 4));
    CHECK_ERR(node_client_durable_sanitize_mpcium(b, 3, "1ab", 3),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_result_durable_mpcium(b, sizeof b, K, "a.b"),
              MPC_ERR_INVALID_ARG);
}

/* Inverse of our escape, for the test only: NULL-free output or false. */
static bool unescape(char *out, size_t out_size, const char *in)
{
    size_t o = 0;
    for (size_t i = 0; in[i]; i++) {
        REQUIRE(o + 1 < out_size);
        char c = in[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || c == '-') {
            out[o++] = c;
            continue;
        }
        REQUIRE(c == '_' && in[i + 1] != '\0');
        if (in[i + 1] == '_') {
            out[o++] = '_';
            i++;
            continue;
        }
        unsigned v = 0;
        for (int k = 1; k <= 2; k++) {
            char h = in[i + k];
            REQUIRE((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f'));
            v = v * 16 + (unsigned)(h <= '9' ? h - '0' : h - 'a' + 10);
        }
        out[o++] = (char)v;
        i += 2;
    }
    out[o] = '\0';
    return true;
}

TEST(clientproto_durable_ours)
{
    char b[NODE_CLIENT_NAME_MAX_BYTES];
    CHECK(name_is(node_client_result_durable(b, sizeof b, K, NULL), b,
                  "mpc_keygen_result"));
    CHECK(name_is(node_client_result_durable(b, sizeof b, K, "svc-a"), b,
                  "mpc_keygen_result-svc-a"));
    CHECK(name_is(node_client_result_durable(b, sizeof b, K, "svc_a"), b,
                  "mpc_keygen_result-svc__a"));
    CHECK(name_is(node_client_result_durable(b, sizeof b, S, "a/b<c"), b,
                  "mpc_signing_result-a_2fb_3cc"));
    /* "_2f" and "/" are the classic trap for escapes: */
    CHECK(name_is(node_client_result_durable(b, sizeof b, R, "_2f"), b,
                  "mpc_reshare_result-__2f"));
    CHECK(name_is(node_client_result_durable(b, sizeof b, R, "/"), b,
                  "mpc_reshare_result-_2f"));
    CHECK(name_is(node_client_result_durable(b, sizeof b, P, "~"), b,
                  "mpc_presign_result-_7e"));
    CHECK_ERR(node_client_result_durable(b, sizeof b, K, "a b"),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_result_durable(b, sizeof b, (node_client_op)0, ""),
              MPC_ERR_INVALID_ARG);
    /* The longest client id of the worst bytes fits NATS's 255. */
    char cid[NODE_CLIENT_CLIENT_ID_MAX_BYTES + 1];
    memset(cid, '~', sizeof cid - 1);
    cid[sizeof cid - 1] = '\0';
    CHECK_OK(node_client_result_durable(b, sizeof b, S, cid));
    CHECK(strlen(b) < 255);
}

/* A random valid client id, biased towards the bytes that collide under
 * mpcium's sanitizer and that our escape writes with '_'. */
static size_t random_cid(char *out)
{
    static const char tricky[] = "-_aA0/~%2f";
    uint8_t r[1 + NODE_CLIENT_CLIENT_ID_MAX_BYTES * 2];
    mpc_drbg_fill(test_drbg(), r, sizeof r);
    size_t len = 1 + r[0] % 6;
    if (r[0] >= 250)
        len = NODE_CLIENT_CLIENT_ID_MAX_BYTES;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = r[1 + 2 * i], kind = r[2 + 2 * i];
        if (kind < 160) {
            out[i] = tricky[c % (sizeof tricky - 1)];
        } else {
            c = (uint8_t)(0x21 + c % 94); /* printable, no space */
            out[i] = strchr(".*>:", c) ? 'x' : (char)c;
        }
    }
    out[len] = '\0';
    return len;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(a, b);
}

TEST(clientproto_durable_injective_random)
{
    enum { W = NODE_CLIENT_NAME_MAX_BYTES };
    size_t n = (size_t)test_iters(3000);
    char(*ids)[W] = calloc(n, W);
    char(*enc)[W] = calloc(n, W);
    CHECK(ids != NULL && enc != NULL);
    for (size_t i = 0; i < n; i++) {
        size_t len = random_cid(ids[i]);
        if (node_client_client_id_check(ids[i], len) != MPC_OK) {
            test_fail(__FILE__, __LINE__, "generator made %s", ids[i]);
            break;
        }
        char mp[W], back[W];
        CHECK_OK(node_client_result_durable(enc[i], W, K, ids[i]));
        CHECK_OK(node_client_result_durable_mpcium(mp, W, K, ids[i]));
        /* Our names use [A-Za-z0-9_-] only, always contain '-'; mpcium's
         * never do, so the two families never meet. */
        CHECK(strspn(enc[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                             "vwxyz0123456789_-") == strlen(enc[i]));
        CHECK(strchr(enc[i], '-') != NULL && strchr(mp, '-') == NULL);
        CHECK(strlen(enc[i]) < 255);
        /* Reversible: the escape decodes back to the id. */
        const char *prefix = "mpc_keygen_result-";
        CHECK(strncmp(enc[i], prefix, strlen(prefix)) == 0);
        CHECK(unescape(back, W, enc[i] + strlen(prefix)));
        CHECK(strcmp(back, ids[i]) == 0);
    }
    /* Injective: after sorting, equal names come only from equal ids. */
    char(*pairs)[2 * W] = calloc(n, 2 * W);
    CHECK(pairs != NULL);
    for (size_t i = 0; i < n; i++) {
        memcpy(pairs[i], enc[i], W);
        memcpy(pairs[i] + W, ids[i], W);
    }
    qsort(pairs, n, 2 * W, cmp_names);
    size_t collisions_mpcium = 0;
    for (size_t i = 1; i < n; i++)
        if (strcmp(pairs[i], pairs[i - 1]) == 0)
            CHECK(strcmp(pairs[i] + W, pairs[i - 1] + W) == 0);
    /* mpcium's map does collide on these ids (the reason for ours). */
    for (size_t i = 0; i < n && collisions_mpcium == 0; i++) {
        char a[W], c[W];
        CHECK_OK(node_client_result_durable_mpcium(a, W, K, ids[i]));
        for (size_t j = i + 1; j < n; j++) {
            if (strcmp(ids[i], ids[j]) == 0)
                continue;
            CHECK_OK(node_client_result_durable_mpcium(c, W, K, ids[j]));
            if (strcmp(a, c) == 0) {
                collisions_mpcium++;
                break;
            }
        }
    }
    CHECK(collisions_mpcium > 0);
    free(pairs);
    free(ids);
    free(enc);
}
