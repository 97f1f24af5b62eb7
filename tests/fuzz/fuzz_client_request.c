/* Fuzzes the client-request parsers (node/client_proto.h), the first
 * thing every byte from a client reaches. Input: one byte that selects the
 * operation (keygen, sign, reshare, presign), then the JSON body.
 *
 * Besides memory safety it checks the contract:
 * - a failure is MPC_ERR_PARSE (or NOMEM) with a zeroed request and a
 *   printable reason whose code is one a parser may give;
 * - an accepted request re-encodes to a canonical body that parses back to
 *   the same encoding and the same signed bytes;
 * - signed with a fixed initiator key over its signed bytes, it
 *   authenticates (authorizer signatures from the input can only fail);
 * - the Go-JSON string escaper and the result encoders, fed the raw input,
 *   write JSON that jansson reads back to the same string. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "node/client_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

static void check_failure(const node_client_request *req,
                          const node_client_problem *pb, mpc_err err)
{
    if (err == MPC_ERR_NOMEM)
        return;
    if (err != MPC_ERR_PARSE || !zero(req, sizeof *req))
        abort();
    switch (pb->code) {
    case NODE_CLIENT_CODE_UNMARSHAL_FAILURE:
    case NODE_CLIENT_CODE_MSG_VALIDATION:
    case NODE_CLIENT_CODE_INVALID_THRESHOLD:
    case NODE_CLIENT_CODE_INSUFFICIENT_PARTICIPANTS:
        break;
    default:
        abort();
    }
    if (pb->reason[0] == '\0')
        abort();
    for (const char *c = pb->reason; *c; c++)
        if (*c < 0x20 || *c > 0x7e)
            abort();
}

/* encode(parse(encode(req))) == encode(req), same signed bytes. */
static void check_canonical(const node_client_request *req)
{
    uint8_t *e1 = NULL, *e2 = NULL, *s1 = NULL, *s2 = NULL;
    size_t n1, n2, m1, m2;
    node_client_request back;
    if (node_client_request_encode(&e1, &n1, req) != MPC_OK ||
        node_client_request_parse(&back, NULL, req->op, e1, n1) != MPC_OK ||
        node_client_request_encode(&e2, &n2, &back) != MPC_OK || n1 != n2 ||
        memcmp(e1, e2, n1) != 0)
        abort();
    if (node_client_request_signed_bytes(&s1, &m1, req, 0) != MPC_OK ||
        node_client_request_signed_bytes(&s2, &m2, &back, 0) != MPC_OK ||
        m1 != m2 || memcmp(s1, s2, m1) != 0)
        abort();
    free(e1);
    free(e2);
    free(s1);
    free(s2);
    node_client_request_clear(&back);
}

static void check_authenticate(node_client_request *req)
{
    uint8_t seed[crypto_sign_SEEDBYTES] = {42}, pk[crypto_sign_PUBLICKEYBYTES],
            sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_seed_keypair(pk, sk, seed);
    uint8_t *raw = NULL;
    size_t len = 0;
    if (node_client_request_signed_bytes(&raw, &len, req, 0) != MPC_OK)
        abort();
    crypto_sign_detached(req->signature, NULL, raw, len, sk);
    free(raw);
    req->signature_len = crypto_sign_BYTES;
    req->signature_present = true;

    node_client_problem pb;
    if (node_client_request_authenticate(&pb, req, NODE_KEY_ALG_ED25519, pk,
                                         sizeof pk, NULL, true) != MPC_OK)
        abort();
    node_client_authorizer who = {"a", NODE_KEY_ALG_ED25519, pk, sizeof pk};
    node_client_auth_policy pol = {
        .enabled = true, .authorizers = &who, .n_authorizers = 1};
    mpc_err err = node_client_request_authenticate(
        &pb, req, NODE_KEY_ALG_ED25519, pk, sizeof pk, &pol, false);
    if ((req->n_authorizers == 0) != (err == MPC_OK))
        abort();
    if (err != MPC_OK && (err != MPC_ERR_VERIFY ||
                          pb.fail != NODE_CLIENT_FAIL_AUTHORIZER_INVALID))
        abort();
}

/* For valid UTF-8 without NUL, jansson reads Go's quoting back to the
 * input; for anything else the output must still be well-formed JSON. */
static void check_escaper(const uint8_t *s, size_t n)
{
    uint8_t *q = NULL;
    size_t qn = 0;
    if (node_client_gojson_string(&q, &qn, (const char *)s, n) != MPC_OK)
        return;
    json_error_t jerr;
    json_t *v = json_loadb((const char *)q, qn,
                           JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (v == NULL || !json_is_string(v))
        abort();
    json_t *orig = json_stringn((const char *)s, n); /* NULL: bad UTF-8 */
    if (orig != NULL &&
        (json_string_length(v) != n || memcmp(json_string_value(v), s, n) != 0))
        abort();
    json_decref(orig);
    json_decref(v);
    free(q);

    /* A result event carrying the bytes as its wallet id. */
    char *id = malloc(n + 1);
    if (id == NULL)
        return;
    memcpy(id, s, n);
    id[n] = '\0';
    node_client_problem pb;
    node_client_problem_set(&pb, NODE_CLIENT_FAIL_INTERNAL, "x: %s", id);
    if (node_client_keygen_result_error(&q, &qn, id, &pb) == MPC_OK) {
        v = json_loadb((const char *)q, qn, 0, &jerr);
        if (v == NULL || !json_is_string(json_object_get(v, "wallet_id")))
            abort();
        json_decref(v);
        free(q);
    }
    free(id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    node_client_op op = (node_client_op)(data[0] % 4 + 1);
    node_client_request req;
    node_client_problem pb;
    memset(&req, 0xa5, sizeof req);
    mpc_err err = node_client_request_parse(&req, &pb, op, data + 1, size - 1);
    check_escaper(data + 1, size - 1 < 4096 ? size - 1 : 4096);
    if (err != MPC_OK) {
        check_failure(&req, &pb, err);
        return 0;
    }
    if (req.op != op || node_client_request_initiator_id(&req)[0] == '\0')
        abort();
    check_canonical(&req);
    if (op == NODE_CLIENT_OP_SIGN &&
        req.key_type == NODE_CLIENT_KEY_SECP256K1) {
        uint8_t d[MPC_MSGHASH_BYTES];
        if (node_client_request_digest(d, &req) != MPC_OK)
            abort();
    }
    check_authenticate(&req);
    node_client_request_clear(&req);
    return 0;
}
