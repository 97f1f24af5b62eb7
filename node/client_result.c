/*
 * Error codes, problems and the result events, in Go's encoding of
 * mpcium's event structs (pkg/event): field order and null/"" rules of
 * §3.4 of the wire spec.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <secp256k1.h>

#include "node/client_proto.h"
#include "node/client_proto_internal.h"

/* ------------------------------------------------------------------ */
/* Codes                                                              */

static const char *const code_str[NODE_CLIENT_CODE_COUNT] = {
    [NODE_CLIENT_CODE_NONE] = "",
    [NODE_CLIENT_CODE_UNKNOWN] = "ERROR_UNKNOWN",
    [NODE_CLIENT_CODE_NETWORK_TIMEOUT] = "ERROR_NETWORK_TIMEOUT",
    [NODE_CLIENT_CODE_NETWORK_CONNECTION] = "ERROR_NETWORK_CONNECTION",
    [NODE_CLIENT_CODE_NETWORK_SUBSCRIPTION] = "ERROR_NETWORK_SUBSCRIPTION",
    [NODE_CLIENT_CODE_MESSAGE_ROUTING] = "ERROR_MESSAGE_ROUTING",
    [NODE_CLIENT_CODE_DIRECT_MESSAGING] = "ERROR_DIRECT_MESSAGING",
    [NODE_CLIENT_CODE_SESSION_TIMEOUT] = "ERROR_SESSION_TIMEOUT",
    [NODE_CLIENT_CODE_SESSION_CREATION] = "ERROR_SESSION_CREATION",
    [NODE_CLIENT_CODE_SESSION_INITIALIZATION] = "ERROR_SESSION_INITIALIZATION",
    [NODE_CLIENT_CODE_SESSION_CLEANUP] = "ERROR_SESSION_CLEANUP",
    [NODE_CLIENT_CODE_SESSION_DUPLICATE] = "ERROR_SESSION_DUPLICATE",
    [NODE_CLIENT_CODE_SESSION_STALE] = "ERROR_SESSION_STALE",
    [NODE_CLIENT_CODE_INSUFFICIENT_PARTICIPANTS] =
        "ERROR_INSUFFICIENT_PARTICIPANTS",
    [NODE_CLIENT_CODE_INCOMPATIBLE_PEER_IDS] = "ERROR_INCOMPATIBLE_PEER_IDS",
    [NODE_CLIENT_CODE_PEER_NOT_READY] = "ERROR_PEER_NOT_READY",
    [NODE_CLIENT_CODE_PEER_UNAVAILABLE] = "ERROR_PEER_UNAVAILABLE",
    [NODE_CLIENT_CODE_PARTICIPANT_NOT_FOUND] = "ERROR_PARTICIPANT_NOT_FOUND",
    [NODE_CLIENT_CODE_KEY_NOT_FOUND] = "ERROR_KEY_NOT_FOUND",
    [NODE_CLIENT_CODE_KEY_ALREADY_EXISTS] = "ERROR_KEY_ALREADY_EXISTS",
    [NODE_CLIENT_CODE_KEY_GENERATION] = "ERROR_KEY_GENERATION",
    [NODE_CLIENT_CODE_KEY_SAVE] = "ERROR_KEY_SAVE",
    [NODE_CLIENT_CODE_KEY_LOAD] = "ERROR_KEY_LOAD",
    [NODE_CLIENT_CODE_KEY_INFO_SAVE] = "ERROR_KEY_INFO_SAVE",
    [NODE_CLIENT_CODE_KEY_INFO_LOAD] = "ERROR_KEY_INFO_LOAD",
    [NODE_CLIENT_CODE_KEY_ENCODING] = "ERROR_KEY_ENCODING",
    [NODE_CLIENT_CODE_KEY_DECODING] = "ERROR_KEY_DECODING",
    [NODE_CLIENT_CODE_MSG_VALIDATION] = "ERROR_MSG_VALIDATION",
    [NODE_CLIENT_CODE_SIGNATURE_GENERATION] = "ERROR_SIGNATURE_GENERATION",
    [NODE_CLIENT_CODE_SIGNATURE_VERIFICATION] = "ERROR_SIGNATURE_VERIFICATION",
    [NODE_CLIENT_CODE_INVALID_INITIATOR_SIGNATURE] =
        "ERROR_INVALID_INITIATOR_SIGNATURE",
    [NODE_CLIENT_CODE_PRE_PARAMS_GENERATION] = "ERROR_PRE_PARAMS_GENERATION",
    [NODE_CLIENT_CODE_TSS_PARTY_CREATION] = "ERROR_TSS_PARTY_CREATION",
    [NODE_CLIENT_CODE_MISSING_AUTHORIZER_SIGNATURE] =
        "ERROR_MISSING_AUTHORIZER_SIGNATURE",
    [NODE_CLIENT_CODE_INVALID_AUTHORIZER_SIGNATURE] =
        "ERROR_INVALID_AUTHORIZER_SIGNATURE",
    [NODE_CLIENT_CODE_MARSHAL_FAILURE] = "ERROR_MARSHAL_FAILURE",
    [NODE_CLIENT_CODE_UNMARSHAL_FAILURE] = "ERROR_UNMARSHAL_FAILURE",
    [NODE_CLIENT_CODE_DATA_CORRUPTION] = "ERROR_DATA_CORRUPTION",
    [NODE_CLIENT_CODE_STORAGE_READ] = "ERROR_STORAGE_READ",
    [NODE_CLIENT_CODE_STORAGE_WRITE] = "ERROR_STORAGE_WRITE",
    [NODE_CLIENT_CODE_STORAGE_INIT] = "ERROR_STORAGE_INIT",
    [NODE_CLIENT_CODE_MESSAGE_VERIFICATION] = "ERROR_MESSAGE_VERIFICATION",
    [NODE_CLIENT_CODE_MESSAGE_FORMAT] = "ERROR_MESSAGE_FORMAT",
    [NODE_CLIENT_CODE_MESSAGE_DELIVERY] = "ERROR_MESSAGE_DELIVERY",
    [NODE_CLIENT_CODE_MAX_DELIVERY_ATTEMPTS] = "ERROR_MAX_DELIVERY_ATTEMPTS",
    [NODE_CLIENT_CODE_INVALID_CONFIGURATION] = "ERROR_INVALID_CONFIGURATION",
    [NODE_CLIENT_CODE_INVALID_THRESHOLD] = "ERROR_INVALID_THRESHOLD",
    [NODE_CLIENT_CODE_INVALID_SESSION_TYPE] = "ERROR_INVALID_SESSION_TYPE",
    [NODE_CLIENT_CODE_RESOURCE_EXHAUSTED] = "ERROR_RESOURCE_EXHAUSTED",
    [NODE_CLIENT_CODE_MEMORY_ALLOCATION] = "ERROR_MEMORY_ALLOCATION",
    [NODE_CLIENT_CODE_CONCURRENCY_LIMIT] = "ERROR_CONCURRENCY_LIMIT",
    [NODE_CLIENT_CODE_KEYGEN_FAILURE] = "ERROR_KEYGEN_FAILURE",
    [NODE_CLIENT_CODE_SIGNING_FAILURE] = "ERROR_SIGNING_FAILURE",
    [NODE_CLIENT_CODE_RESHARE_FAILURE] = "ERROR_RESHARE_FAILURE",
    [NODE_CLIENT_CODE_CONTEXT_CANCELLED] = "ERROR_CONTEXT_CANCELLED",
    [NODE_CLIENT_CODE_OPERATION_ABORTED] = "ERROR_OPERATION_ABORTED",
    [NODE_CLIENT_CODE_NOT_MAJORITY] = "ERROR_NOT_MAJORITY",
    [NODE_CLIENT_CODE_CLUSTER_NOT_READY] = "ERROR_CLUSTER_NOT_READY",
};

const char *node_client_code_str(node_client_code code)
{
    if ((unsigned)code >= NODE_CLIENT_CODE_COUNT)
        return NULL;
    return code_str[code];
}

mpc_err node_client_code_parse(node_client_code *out, const char *s, size_t len)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NODE_CLIENT_CODE_NONE;
    if (s == NULL && len > 0)
        return MPC_ERR_INVALID_ARG;
    for (unsigned c = 0; c < NODE_CLIENT_CODE_COUNT; c++) {
        if (strlen(code_str[c]) == len &&
            (len == 0 || memcmp(code_str[c], s, len) == 0)) {
            *out = (node_client_code)c;
            return MPC_OK;
        }
    }
    return MPC_ERR_PARSE;
}

/* One row per failure; the table in docs/protocol.md mirrors it. The
 * choices follow what mpcium emits for the same situation (its direct
 * assignments, or what its substring classifier makes of its message). */
static const node_client_code fail_code[] = {
    [NODE_CLIENT_FAIL_DECODE] = NODE_CLIENT_CODE_UNMARSHAL_FAILURE,
    [NODE_CLIENT_FAIL_VALIDATION] = NODE_CLIENT_CODE_MSG_VALIDATION,
    [NODE_CLIENT_FAIL_THRESHOLD] = NODE_CLIENT_CODE_INVALID_THRESHOLD,
    [NODE_CLIENT_FAIL_INSUFFICIENT_PARTICIPANTS] =
        NODE_CLIENT_CODE_INSUFFICIENT_PARTICIPANTS,
    [NODE_CLIENT_FAIL_INITIATOR_SIGNATURE] =
        NODE_CLIENT_CODE_INVALID_INITIATOR_SIGNATURE,
    [NODE_CLIENT_FAIL_AUTHORIZER_MISSING] =
        NODE_CLIENT_CODE_MISSING_AUTHORIZER_SIGNATURE,
    [NODE_CLIENT_FAIL_AUTHORIZER_INVALID] =
        NODE_CLIENT_CODE_INVALID_AUTHORIZER_SIGNATURE,
    [NODE_CLIENT_FAIL_CLUSTER_NOT_READY] = NODE_CLIENT_CODE_CLUSTER_NOT_READY,
    [NODE_CLIENT_FAIL_NOT_MAJORITY] = NODE_CLIENT_CODE_NOT_MAJORITY,
    [NODE_CLIENT_FAIL_DUPLICATE] = NODE_CLIENT_CODE_SESSION_DUPLICATE,
    [NODE_CLIENT_FAIL_KEY_EXISTS] = NODE_CLIENT_CODE_KEY_ALREADY_EXISTS,
    [NODE_CLIENT_FAIL_KEY_NOT_FOUND] = NODE_CLIENT_CODE_KEY_NOT_FOUND,
    [NODE_CLIENT_FAIL_TIMEOUT] = NODE_CLIENT_CODE_NETWORK_TIMEOUT,
    [NODE_CLIENT_FAIL_MAX_DELIVERY] = NODE_CLIENT_CODE_MAX_DELIVERY_ATTEMPTS,
    [NODE_CLIENT_FAIL_PEER_UNAVAILABLE] = NODE_CLIENT_CODE_PEER_UNAVAILABLE,
    [NODE_CLIENT_FAIL_KEYGEN_PROTOCOL] = NODE_CLIENT_CODE_KEYGEN_FAILURE,
    [NODE_CLIENT_FAIL_SIGNING_PROTOCOL] = NODE_CLIENT_CODE_SIGNING_FAILURE,
    [NODE_CLIENT_FAIL_RESHARE_PROTOCOL] = NODE_CLIENT_CODE_RESHARE_FAILURE,
    [NODE_CLIENT_FAIL_SIGNATURE_CHECK] =
        NODE_CLIENT_CODE_SIGNATURE_VERIFICATION,
    [NODE_CLIENT_FAIL_STORAGE_READ] = NODE_CLIENT_CODE_STORAGE_READ,
    [NODE_CLIENT_FAIL_STORAGE_WRITE] = NODE_CLIENT_CODE_STORAGE_WRITE,
    [NODE_CLIENT_FAIL_DATA_CORRUPTION] = NODE_CLIENT_CODE_DATA_CORRUPTION,
    [NODE_CLIENT_FAIL_CONCURRENCY] = NODE_CLIENT_CODE_CONCURRENCY_LIMIT,
    [NODE_CLIENT_FAIL_NOMEM] = NODE_CLIENT_CODE_MEMORY_ALLOCATION,
    [NODE_CLIENT_FAIL_CONFIG] = NODE_CLIENT_CODE_INVALID_CONFIGURATION,
    [NODE_CLIENT_FAIL_CANCELLED] = NODE_CLIENT_CODE_CONTEXT_CANCELLED,
    [NODE_CLIENT_FAIL_INTERNAL] = NODE_CLIENT_CODE_UNKNOWN,
};

_Static_assert(sizeof fail_code / sizeof fail_code[0] ==
                   NODE_CLIENT_FAIL_INTERNAL + 1,
               "every failure has a code");

node_client_code node_client_fail_code(node_client_fail fail)
{
    if ((unsigned)fail >= sizeof fail_code / sizeof fail_code[0] ||
        fail_code[fail] == NODE_CLIENT_CODE_NONE)
        return NODE_CLIENT_CODE_UNKNOWN;
    return fail_code[fail];
}

void node_client_problem_vset(node_client_problem *p, node_client_fail fail,
                              const char *fmt, va_list ap)
{
    if (p == NULL)
        return;
    p->fail = fail;
    p->code = node_client_fail_code(fail);
    int n = vsnprintf(p->reason, sizeof p->reason, fmt, ap);
    if (n < 0)
        p->reason[0] = '\0';
    /* Reasons quote peer bytes; keep them printable ASCII so that logs
     * and results never carry control bytes or broken UTF-8. */
    for (char *c = p->reason; *c; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
            *c = '?';
}

void node_client_problem_set(node_client_problem *p, node_client_fail fail,
                             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    node_client_problem_vset(p, fail, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Conversions                                                        */

mpc_err node_client_threshold_from_wire(uint32_t *signers, int64_t t)
{
    if (signers == NULL)
        return MPC_ERR_INVALID_ARG;
    *signers = 0;
    if (t < 0 || t + 1 > NODE_CLIENT_NODES_MAX)
        return MPC_ERR_PARSE;
    *signers = (uint32_t)t + 1;
    return MPC_OK;
}

uint32_t node_client_threshold_to_wire(uint32_t signers)
{
    return signers ? signers - 1 : 0;
}

mpc_err node_client_ecdsa_pub_encode(
    uint8_t out64[NODE_CLIENT_ECDSA_PUB_BYTES],
    const uint8_t in33[NODE_CLIENT_SECP256K1_PUB_BYTES])
{
    if (out64 == NULL)
        return MPC_ERR_INVALID_ARG;
    memset(out64, 0, NODE_CLIENT_ECDSA_PUB_BYTES);
    if (in33 == NULL || (in33[0] != 0x02 && in33[0] != 0x03))
        return MPC_ERR_INVALID_ARG;
    secp256k1_pubkey pk;
    uint8_t full[65];
    size_t full_len = sizeof full;
    if (!secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, in33,
                                   NODE_CLIENT_SECP256K1_PUB_BYTES))
        return MPC_ERR_INVALID_ARG;
    if (!secp256k1_ec_pubkey_serialize(secp256k1_context_static, full,
                                       &full_len, &pk,
                                       SECP256K1_EC_UNCOMPRESSED) ||
        full_len != sizeof full)
        return MPC_ERR_INVALID_ARG;
    memcpy(out64, full + 1, NODE_CLIENT_ECDSA_PUB_BYTES);
    return MPC_OK;
}

/* ------------------------------------------------------------------ */
/* Results                                                            */

static bool out_ok(uint8_t **out, size_t *out_len)
{
    if (out == NULL || out_len == NULL)
        return false;
    *out = NULL;
    *out_len = 0;
    return true;
}

/* "result_type","error_reason","error_code" in that order (keygen and
 * reshare events); problem NULL = success. */
static void put_outcome_tail(node_client_buf *b, const node_client_problem *p)
{
    node_client_json_key(b, "result_type", false);
    node_client_json_cstr(b, p ? "error" : "success");
    node_client_json_key(b, "error_reason", false);
    node_client_json_cstr(b, p ? p->reason : "");
    node_client_json_key(b, "error_code", false);
    node_client_json_cstr(b, p ? node_client_code_str(p->code) : "");
}

static bool problem_ok(const node_client_problem *p)
{
    return p != NULL && node_client_code_str(p->code) != NULL &&
           node_client_strnlen(p->reason, sizeof p->reason) < sizeof p->reason;
}

static mpc_err keygen_result(uint8_t **out, size_t *out_len,
                             const char *wallet_id, const uint8_t *ecdsa64,
                             const uint8_t *eddsa32,
                             const node_client_problem *p)
{
    node_client_buf b;
    node_client_buf_init(&b);
    node_client_json_key(&b, "wallet_id", true);
    node_client_json_cstr(&b, wallet_id);
    node_client_json_key(&b, "ecdsa_pub_key", false);
    node_client_json_bytes(&b, ecdsa64, NODE_CLIENT_ECDSA_PUB_BYTES);
    node_client_json_key(&b, "eddsa_pub_key", false);
    node_client_json_bytes(&b, eddsa32, NODE_CLIENT_ED25519_PUB_BYTES);
    put_outcome_tail(&b, p);
    node_client_buf_lit(&b, "}");
    return node_client_buf_take(&b, out, out_len);
}

mpc_err node_client_keygen_result_success(uint8_t **out, size_t *out_len,
                                          const char *wallet_id,
                                          const uint8_t *ecdsa_pub33,
                                          const uint8_t *eddsa_pub32)
{
    if (!out_ok(out, out_len))
        return MPC_ERR_INVALID_ARG;
    uint8_t xy[NODE_CLIENT_ECDSA_PUB_BYTES];
    if (ecdsa_pub33 != NULL &&
        node_client_ecdsa_pub_encode(xy, ecdsa_pub33) != MPC_OK)
        return MPC_ERR_INVALID_ARG;
    return keygen_result(out, out_len, wallet_id, ecdsa_pub33 ? xy : NULL,
                         eddsa_pub32, NULL);
}

mpc_err node_client_keygen_result_error(uint8_t **out, size_t *out_len,
                                        const char *wallet_id,
                                        const node_client_problem *problem)
{
    if (!out_ok(out, out_len) || !problem_ok(problem))
        return MPC_ERR_INVALID_ARG;
    return keygen_result(out, out_len, wallet_id, NULL, NULL, problem);
}

/* SigningResultEvent: everything up to and including "tx_id". */
static void put_sign_head(node_client_buf *b, const node_client_sign_ids *ids,
                          const node_client_problem *p, bool is_timeout)
{
    node_client_json_key(b, "result_type", true);
    node_client_json_cstr(b, p ? "error" : "success");
    node_client_json_key(b, "error_code", false);
    node_client_json_cstr(b, p ? node_client_code_str(p->code) : "");
    node_client_json_key(b, "error_reason", false);
    node_client_json_cstr(b, p ? p->reason : "");
    node_client_json_key(b, "is_timeout", false);
    node_client_buf_lit(b, is_timeout ? "true" : "false");
    node_client_json_key(b, "network_internal_code", false);
    node_client_json_cstr(b, ids ? ids->network_internal_code : NULL);
    node_client_json_key(b, "wallet_id", false);
    node_client_json_cstr(b, ids ? ids->wallet_id : NULL);
    node_client_json_key(b, "tx_id", false);
    node_client_json_cstr(b, ids ? ids->tx_id : NULL);
}

static void put_sign_tail(node_client_buf *b, const uint8_t *r,
                          const uint8_t *s, const uint8_t *v,
                          const uint8_t *sig)
{
    node_client_json_key(b, "r", false);
    node_client_json_bytes(b, r, 32);
    node_client_json_key(b, "s", false);
    node_client_json_bytes(b, s, 32);
    node_client_json_key(b, "signature_recovery", false);
    node_client_json_bytes(b, v, 1);
    node_client_json_key(b, "signature", false);
    node_client_json_bytes(b, sig, NODE_CLIENT_ED25519_SIG_BYTES);
    node_client_buf_lit(b, "}");
}

/* Big-endian comparison of public 32-byte values. */
static int cmp32(const uint8_t a[32], const uint8_t b[32])
{
    return memcmp(a, b, 32);
}

static const uint8_t secp256k1_n[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
    0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
static const uint8_t secp256k1_half_n[32] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
    0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};
static const uint8_t zero32[32];

mpc_err node_client_sign_result_ecdsa(uint8_t **out, size_t *out_len,
                                      const node_client_sign_ids *ids,
                                      const uint8_t r32[32],
                                      const uint8_t s32[32], uint8_t recovery)
{
    if (!out_ok(out, out_len) || r32 == NULL || s32 == NULL)
        return MPC_ERR_INVALID_ARG;
    /* What a verifier (and Ethereum) accepts: 0 < r < n, 0 < s <= n/2. */
    if (cmp32(r32, zero32) == 0 || cmp32(r32, secp256k1_n) >= 0 ||
        cmp32(s32, zero32) == 0 || cmp32(s32, secp256k1_half_n) > 0 ||
        recovery > 3)
        return MPC_ERR_INVALID_ARG;
    node_client_buf b;
    node_client_buf_init(&b);
    put_sign_head(&b, ids, NULL, false);
    put_sign_tail(&b, r32, s32, &recovery, NULL);
    return node_client_buf_take(&b, out, out_len);
}

mpc_err node_client_sign_result_eddsa(
    uint8_t **out, size_t *out_len, const node_client_sign_ids *ids,
    const uint8_t sig64[NODE_CLIENT_ED25519_SIG_BYTES])
{
    if (!out_ok(out, out_len) || sig64 == NULL)
        return MPC_ERR_INVALID_ARG;
    node_client_buf b;
    node_client_buf_init(&b);
    put_sign_head(&b, ids, NULL, false);
    put_sign_tail(&b, NULL, NULL, NULL, sig64);
    return node_client_buf_take(&b, out, out_len);
}

mpc_err node_client_sign_result_error(uint8_t **out, size_t *out_len,
                                      const node_client_sign_ids *ids,
                                      const node_client_problem *problem,
                                      bool is_timeout)
{
    if (!out_ok(out, out_len) || !problem_ok(problem))
        return MPC_ERR_INVALID_ARG;
    node_client_buf b;
    node_client_buf_init(&b);
    put_sign_head(&b, ids, problem, is_timeout);
    put_sign_tail(&b, NULL, NULL, NULL, NULL);
    return node_client_buf_take(&b, out, out_len);
}

static mpc_err reshare_result(uint8_t **out, size_t *out_len,
                              const char *wallet_id, uint32_t threshold,
                              node_client_key_type key_type, const uint8_t *pub,
                              size_t pub_len, const node_client_problem *p)
{
    node_client_buf b;
    node_client_buf_init(&b);
    node_client_json_key(&b, "wallet_id", true);
    node_client_json_cstr(&b, wallet_id);
    node_client_json_key(&b, "new_threshold", false);
    node_client_buf_u64(&b, node_client_threshold_to_wire(threshold));
    node_client_json_key(&b, "key_type", false);
    node_client_json_cstr(&b, node_client_key_type_str(key_type));
    node_client_json_key(&b, "pub_key", false);
    node_client_json_bytes(&b, pub, pub_len);
    put_outcome_tail(&b, p);
    node_client_buf_lit(&b, "}");
    return node_client_buf_take(&b, out, out_len);
}

mpc_err node_client_reshare_result_success(uint8_t **out, size_t *out_len,
                                           const char *wallet_id,
                                           uint32_t threshold,
                                           node_client_key_type key_type,
                                           const uint8_t *pub, size_t pub_len)
{
    if (!out_ok(out, out_len) || pub == NULL)
        return MPC_ERR_INVALID_ARG;
    uint8_t xy[NODE_CLIENT_ECDSA_PUB_BYTES];
    switch (key_type) {
    case NODE_CLIENT_KEY_SECP256K1:
        if (pub_len != NODE_CLIENT_SECP256K1_PUB_BYTES ||
            node_client_ecdsa_pub_encode(xy, pub) != MPC_OK)
            return MPC_ERR_INVALID_ARG;
        return reshare_result(out, out_len, wallet_id, threshold, key_type, xy,
                              sizeof xy, NULL);
    case NODE_CLIENT_KEY_ED25519:
        if (pub_len != NODE_CLIENT_ED25519_PUB_BYTES)
            return MPC_ERR_INVALID_ARG;
        return reshare_result(out, out_len, wallet_id, threshold, key_type, pub,
                              pub_len, NULL);
    case NODE_CLIENT_KEY_NONE:
        break;
    }
    return MPC_ERR_INVALID_ARG;
}

mpc_err node_client_reshare_result_error(uint8_t **out, size_t *out_len,
                                         const char *wallet_id,
                                         uint32_t threshold,
                                         node_client_key_type key_type,
                                         const node_client_problem *problem)
{
    if (!out_ok(out, out_len) || !problem_ok(problem) ||
        node_client_key_type_str(key_type) == NULL)
        return MPC_ERR_INVALID_ARG;
    return reshare_result(out, out_len, wallet_id, threshold, key_type, NULL, 0,
                          problem);
}

mpc_err node_client_presign_result(uint8_t **out, size_t *out_len,
                                   const char *request_id,
                                   const char *wallet_id,
                                   node_client_key_type key_type,
                                   uint32_t requested, uint32_t generated,
                                   const node_client_problem *problem)
{
    if (!out_ok(out, out_len) || node_client_key_type_str(key_type) == NULL ||
        (problem != NULL && !problem_ok(problem)))
        return MPC_ERR_INVALID_ARG;
    node_client_buf b;
    node_client_buf_init(&b);
    node_client_json_key(&b, "request_id", true);
    node_client_json_cstr(&b, request_id);
    node_client_json_key(&b, "wallet_id", false);
    node_client_json_cstr(&b, wallet_id);
    node_client_json_key(&b, "key_type", false);
    node_client_json_cstr(&b, node_client_key_type_str(key_type));
    node_client_json_key(&b, "requested", false);
    node_client_buf_u64(&b, requested);
    node_client_json_key(&b, "generated", false);
    node_client_buf_u64(&b, generated);
    put_outcome_tail(&b, problem);
    node_client_buf_lit(&b, "}");
    return node_client_buf_take(&b, out, out_len);
}
