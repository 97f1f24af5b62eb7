/*
 * Requests: strict parsing and the id rules (client_encode.c writes them
 * back out).
 *
 * Parsing runs in three steps, so that the reported failure does not
 * depend on the order of the keys in the body:
 *   1. jansson parses the body (duplicates rejected) and every key is
 *      matched against the operation's field set (unknown keys rejected);
 *   2. the fields are decoded and checked one by one, in the fixed order
 *      of enum field below;
 *   3. rules that involve several fields (required fields, tx size for the
 *      key type, threshold against committee size) run last.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "node/client_proto.h"
#include "node/client_proto_internal.h"

enum field {
    F_KEY_TYPE,
    F_WALLET_ID,
    F_TX_ID,
    F_SESSION_ID,
    F_REQUEST_ID,
    F_NIC,
    F_TX,
    F_HASH,
    F_PATH,
    F_NODE_IDS,
    F_NEW_THRESHOLD,
    F_COUNT,
    F_SIGNATURE,
    F_AUTHORIZERS,
    F_NFIELDS
};

static const char *const field_name[F_NFIELDS] = {
    [F_KEY_TYPE] = "key_type",
    [F_WALLET_ID] = "wallet_id",
    [F_TX_ID] = "tx_id",
    [F_SESSION_ID] = "session_id",
    [F_REQUEST_ID] = "request_id",
    [F_NIC] = "network_internal_code",
    [F_TX] = "tx",
    [F_HASH] = "hash",
    [F_PATH] = "derivation_path",
    [F_NODE_IDS] = "node_ids",
    [F_NEW_THRESHOLD] = "new_threshold",
    [F_COUNT] = "count",
    [F_SIGNATURE] = "signature",
    [F_AUTHORIZERS] = "authorizer_signatures",
};

#define BIT(f) (1u << (f))

/* The keys each operation accepts; 0 for an unknown op. */
static unsigned op_fields(node_client_op op)
{
    const unsigned common =
        BIT(F_WALLET_ID) | BIT(F_SIGNATURE) | BIT(F_AUTHORIZERS);
    switch (op) {
    case NODE_CLIENT_OP_KEYGEN:
        return common;
    case NODE_CLIENT_OP_SIGN:
        return common | BIT(F_KEY_TYPE) | BIT(F_NIC) | BIT(F_TX_ID) |
               BIT(F_TX) | BIT(F_HASH) | BIT(F_PATH);
    case NODE_CLIENT_OP_RESHARE:
        return common | BIT(F_KEY_TYPE) | BIT(F_SESSION_ID) | BIT(F_NODE_IDS) |
               BIT(F_NEW_THRESHOLD);
    case NODE_CLIENT_OP_PRESIGN:
        return common | BIT(F_KEY_TYPE) | BIT(F_REQUEST_ID) | BIT(F_PATH) |
               BIT(F_COUNT) | BIT(F_NODE_IDS);
    }
    return 0;
}

size_t node_client_strnlen(const char *s, size_t cap)
{
    const char *nul = memchr(s, '\0', cap);
    return nul ? (size_t)(nul - s) : cap;
}

const char *node_client_key_type_str(node_client_key_type kt)
{
    switch (kt) {
    case NODE_CLIENT_KEY_NONE:
        return "";
    case NODE_CLIENT_KEY_SECP256K1:
        return "secp256k1";
    case NODE_CLIENT_KEY_ED25519:
        return "ed25519";
    }
    return NULL;
}

bool node_client_id_is_valid(const char *s, size_t len)
{
    if (s == NULL || len == 0 || len > NODE_CLIENT_ID_MAX_BYTES)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x21 || c > 0x7e || c == '.' || c == '*' || c == '>' ||
            c == ':')
            return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                            */

typedef struct parser {
    node_client_request *req;
    node_client_problem *pb;
} parser;

static mpc_err fail(parser *ps, node_client_fail why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static mpc_err fail(parser *ps, node_client_fail why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    node_client_problem_vset(ps->pb, why, fmt, ap);
    va_end(ap);
    return why == NODE_CLIENT_FAIL_NOMEM ? MPC_ERR_NOMEM : MPC_ERR_PARSE;
}

#define DECODE_FAIL(ps, ...) fail(ps, NODE_CLIENT_FAIL_DECODE, __VA_ARGS__)
#define INVALID(ps, ...) fail(ps, NODE_CLIENT_FAIL_VALIDATION, __VA_ARGS__)

/* Accepts null (zero value) or a string; *s stays NULL for null. */
static mpc_err get_string(parser *ps, const json_t *v, const char *name,
                          const char **s, size_t *len)
{
    *s = NULL;
    *len = 0;
    if (v == NULL || json_is_null(v))
        return MPC_OK;
    if (!json_is_string(v))
        return DECODE_FAIL(ps, "unmarshal: %s: expected a string", name);
    *s = json_string_value(v);
    *len = json_string_length(v);
    return MPC_OK;
}

/* An id field: absent, null and "" leave `out` empty (required-ness is
 * checked later); anything else must be a valid id. */
static mpc_err take_id(parser *ps, node_client_id *out, const json_t *v,
                       const char *name)
{
    const char *s;
    size_t len;
    mpc_err err = get_string(ps, v, name, &s, &len);
    if (err != MPC_OK || len == 0)
        return err;
    if (len > NODE_CLIENT_ID_MAX_BYTES)
        return INVALID(ps, "validation: %s: longer than %d bytes", name,
                       NODE_CLIENT_ID_MAX_BYTES);
    if (!node_client_id_is_valid(s, len))
        return INVALID(ps,
                       "validation: %s: only printable ASCII without "
                       "'.', '*', '>', ':' or space is allowed",
                       name);
    memcpy(out->s, s, len);
    out->s[len] = '\0';
    return MPC_OK;
}

/*
 * Standard padded base64 (Go's []byte): the length must be a multiple of
 * four and the encoding canonical (libsodium rejects non-zero pad bits and
 * misplaced '='). Sets *out_len to the decoded length; `max` bounds it
 * (exceeding it is a validation failure, checked before decoding).
 * `dst` NULL means: allocate (*heap) exactly the decoded length (at least
 * one byte, so that "" stays distinguishable from null).
 */
static mpc_err take_b64(parser *ps, uint8_t *dst, uint8_t **heap,
                        size_t *out_len, size_t max, const char *s, size_t len,
                        const char *name)
{
    *out_len = 0;
    if (len % 4 != 0)
        return DECODE_FAIL(ps, "unmarshal: %s: invalid base64", name);
    size_t pad = 0;
    while (pad < 2 && pad < len && s[len - 1 - pad] == '=')
        pad++;
    size_t want = len / 4 * 3 - pad;
    if (want > max)
        return INVALID(ps, "validation: %s: longer than %zu bytes", name, max);
    if (dst == NULL) {
        dst = malloc(want ? want : 1);
        if (dst == NULL)
            return fail(ps, NODE_CLIENT_FAIL_NOMEM, "out of memory");
        *heap = dst;
    }
    size_t got = 0;
    if (sodium_base642bin(dst, want, s, len, NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != want)
        return DECODE_FAIL(ps, "unmarshal: %s: invalid base64", name);
    *out_len = got;
    return MPC_OK;
}

/* A []byte signature field: null → not present. */
static mpc_err take_sig(parser *ps, bool *present, uint8_t *buf, size_t *len,
                        const json_t *v, const char *name)
{
    const char *s;
    size_t slen;
    mpc_err err = get_string(ps, v, name, &s, &slen);
    if (err != MPC_OK || s == NULL)
        return err;
    err =
        take_b64(ps, buf, NULL, len, NODE_CLIENT_SIG_MAX_BYTES, s, slen, name);
    if (err == MPC_OK)
        *present = true;
    return err;
}

static mpc_err take_key_type(parser *ps, const json_t *v)
{
    const char *s;
    size_t len;
    mpc_err err = get_string(ps, v, "key_type", &s, &len);
    if (err != MPC_OK || len == 0)
        return err;
    for (node_client_key_type kt = NODE_CLIENT_KEY_SECP256K1;
         kt <= NODE_CLIENT_KEY_ED25519; kt++) {
        const char *name = node_client_key_type_str(kt);
        if (strlen(name) == len && memcmp(name, s, len) == 0) {
            ps->req->key_type = kt;
            return MPC_OK;
        }
    }
    return INVALID(ps, "validation: unsupported key type \"%.*s\"",
                   (int)(len < 32 ? len : 32), s);
}

static mpc_err take_nic(parser *ps, const json_t *v)
{
    const char *s;
    size_t len;
    mpc_err err = get_string(ps, v, "network_internal_code", &s, &len);
    if (err != MPC_OK || len == 0)
        return err;
    if (len > NODE_CLIENT_NIC_MAX_BYTES)
        return INVALID(ps,
                       "validation: network_internal_code: longer than "
                       "%d bytes",
                       NODE_CLIENT_NIC_MAX_BYTES);
    /* jansson guarantees valid UTF-8 without NUL. */
    memcpy(ps->req->network_internal_code, s, len);
    ps->req->network_internal_code[len] = '\0';
    return MPC_OK;
}

static mpc_err take_tx(parser *ps, const json_t *v)
{
    const char *s;
    size_t len;
    mpc_err err = get_string(ps, v, "tx", &s, &len);
    if (err != MPC_OK || s == NULL)
        return err;
    return take_b64(ps, NULL, &ps->req->tx, &ps->req->tx_len,
                    NODE_CLIENT_TX_MAX_BYTES, s, len, "tx");
}

static mpc_err take_hash(parser *ps, const json_t *v)
{
    const char *s;
    size_t len;
    mpc_err err = get_string(ps, v, "hash", &s, &len);
    if (err != MPC_OK || s == NULL)
        return err;
    if (mpc_msghash_parse_name(&ps->req->hash, s, len) != MPC_OK)
        return INVALID(ps,
                       "validation: unsupported hash \"%.*s\" (sha256, "
                       "sha256d or keccak256)",
                       (int)(len < 32 ? len : 32), s);
    return MPC_OK;
}

static mpc_err take_path(parser *ps, const json_t *v)
{
    if (v == NULL || json_is_null(v))
        return MPC_OK;
    if (!json_is_array(v))
        return DECODE_FAIL(ps, "unmarshal: derivation_path: expected an "
                               "array of integers");
    size_t n = json_array_size(v);
    if (n > MPC_HD_MAX_DEPTH)
        return INVALID(ps, "validation: derivation_path: deeper than %d",
                       MPC_HD_MAX_DEPTH);
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(v, i);
        if (!json_is_integer(e))
            return DECODE_FAIL(ps,
                               "unmarshal: derivation_path[%zu]: "
                               "expected an integer",
                               i);
        json_int_t x = json_integer_value(e);
        if (x < 0 || x > (json_int_t)UINT32_MAX)
            return DECODE_FAIL(ps,
                               "unmarshal: derivation_path[%zu]: not "
                               "a uint32",
                               i);
        if ((uint64_t)x >= MPC_HD_HARDENED)
            return INVALID(ps,
                           "validation: derivation_path[%zu]: hardened "
                           "index %lld cannot be derived from a threshold "
                           "key",
                           i, (long long)x);
        ps->req->path[i] = (uint32_t)x;
    }
    ps->req->path_len = n;
    return MPC_OK;
}

static mpc_err take_node_ids(parser *ps, const json_t *v)
{
    node_client_request *req = ps->req;
    if (v == NULL || json_is_null(v))
        return MPC_OK;
    if (!json_is_array(v))
        return DECODE_FAIL(ps,
                           "unmarshal: node_ids: expected an array of strings");
    size_t n = json_array_size(v);
    if (n > NODE_CLIENT_NODES_MAX)
        return INVALID(ps, "validation: node_ids: more than %d nodes",
                       NODE_CLIENT_NODES_MAX);
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(v, i);
        if (!json_is_string(e))
            return DECODE_FAIL(ps,
                               "unmarshal: node_ids[%zu]: expected a "
                               "string",
                               i);
        char name[32];
        snprintf(name, sizeof name, "node_ids[%zu]", i);
        node_client_id *id = &req->node_ids[i];
        mpc_err err = take_id(ps, id, e, name);
        if (err != MPC_OK)
            return err;
        if (id->s[0] == '\0')
            return INVALID(ps, "validation: %s is empty", name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(req->node_ids[j].s, id->s) == 0)
                return INVALID(ps, "validation: node_ids: duplicate %s", id->s);
    }
    req->n_node_ids = n;
    req->node_ids_present = true;
    return MPC_OK;
}

/* An integer field; null keeps 0. */
static mpc_err get_int(parser *ps, const json_t *v, const char *name,
                       json_int_t *out)
{
    *out = 0;
    if (v == NULL || json_is_null(v))
        return MPC_OK;
    if (!json_is_integer(v))
        return DECODE_FAIL(ps, "unmarshal: %s: expected an integer", name);
    *out = json_integer_value(v);
    return MPC_OK;
}

static mpc_err take_threshold(parser *ps, const json_t *v, json_int_t *t)
{
    return get_int(ps, v, "new_threshold", t);
}

static mpc_err take_count(parser *ps, const json_t *v)
{
    json_int_t c;
    mpc_err err = get_int(ps, v, "count", &c);
    if (err != MPC_OK)
        return err;
    if (c < 1 || c > NODE_CLIENT_PRESIGN_COUNT_MAX)
        return INVALID(ps, "validation: count: must be 1 to %d",
                       NODE_CLIENT_PRESIGN_COUNT_MAX);
    ps->req->count = (uint32_t)c;
    return MPC_OK;
}

static mpc_err take_authorizer(parser *ps, node_client_authorizer_sig *a,
                               json_t *obj, size_t i)
{
    char name[48];
    if (!json_is_object(obj))
        return DECODE_FAIL(ps,
                           "unmarshal: authorizer_signatures[%zu]: "
                           "expected an object",
                           i);
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        if (strcmp(key, "authorizer_id") != 0 && strcmp(key, "signature") != 0)
            return DECODE_FAIL(ps,
                               "unmarshal: authorizer_signatures[%zu]: "
                               "unknown field",
                               i);
    }
    snprintf(name, sizeof name, "authorizer_signatures[%zu].authorizer_id", i);
    mpc_err err =
        take_id(ps, &a->id, json_object_get(obj, "authorizer_id"), name);
    if (err != MPC_OK)
        return err;
    if (a->id.s[0] == '\0')
        return INVALID(ps, "validation: %s is required", name);
    snprintf(name, sizeof name, "authorizer_signatures[%zu].signature", i);
    return take_sig(ps, &a->sig_present, a->sig, &a->sig_len,
                    json_object_get(obj, "signature"), name);
}

static mpc_err take_authorizers(parser *ps, const json_t *v)
{
    if (v == NULL || json_is_null(v))
        return MPC_OK;
    if (!json_is_array(v))
        return DECODE_FAIL(ps, "unmarshal: authorizer_signatures: expected "
                               "an array");
    size_t n = json_array_size(v);
    if (n > NODE_CLIENT_AUTHORIZERS_MAX)
        return INVALID(ps,
                       "validation: authorizer_signatures: more than %d "
                       "entries",
                       NODE_CLIENT_AUTHORIZERS_MAX);
    for (size_t i = 0; i < n; i++) {
        mpc_err err = take_authorizer(ps, &ps->req->authorizers[i],
                                      json_array_get(v, i), i);
        if (err != MPC_OK)
            return err;
    }
    ps->req->n_authorizers = n;
    return MPC_OK;
}

/* Step 2: every present field, in the fixed order of enum field. */
static mpc_err take_fields(parser *ps, json_t *const val[F_NFIELDS],
                           json_int_t *t)
{
    node_client_request *req = ps->req;
    mpc_err err;
    if ((err = take_key_type(ps, val[F_KEY_TYPE])) != MPC_OK ||
        (err = take_id(ps, &req->wallet_id, val[F_WALLET_ID], "wallet_id")) !=
            MPC_OK ||
        (err = take_id(ps, &req->tx_id, val[F_TX_ID], "tx_id")) != MPC_OK ||
        (err = take_id(ps, &req->session_id, val[F_SESSION_ID],
                       "session_id")) != MPC_OK ||
        (err = take_id(ps, &req->request_id, val[F_REQUEST_ID],
                       "request_id")) != MPC_OK ||
        (err = take_nic(ps, val[F_NIC])) != MPC_OK ||
        (err = take_tx(ps, val[F_TX])) != MPC_OK ||
        (err = take_hash(ps, val[F_HASH])) != MPC_OK ||
        (err = take_path(ps, val[F_PATH])) != MPC_OK ||
        (err = take_node_ids(ps, val[F_NODE_IDS])) != MPC_OK ||
        (err = take_threshold(ps, val[F_NEW_THRESHOLD], t)) != MPC_OK)
        return err;
    if (req->op == NODE_CLIENT_OP_PRESIGN &&
        (err = take_count(ps, val[F_COUNT])) != MPC_OK)
        return err;
    if ((err = take_sig(ps, &req->signature_present, req->signature,
                        &req->signature_len, val[F_SIGNATURE], "signature")) !=
        MPC_OK)
        return err;
    return take_authorizers(ps, val[F_AUTHORIZERS]);
}

static mpc_err require_id(parser *ps, const node_client_id *id,
                          const char *name)
{
    if (id->s[0] == '\0')
        return INVALID(ps, "validation: %s is required", name);
    return MPC_OK;
}

static mpc_err check_sign(parser *ps)
{
    const node_client_request *req = ps->req;
    if (req->tx == NULL)
        return INVALID(ps, "validation: tx is required");
    if (req->tx_len == 0)
        return INVALID(ps, "validation: tx is empty");
    if (req->key_type == NODE_CLIENT_KEY_ED25519 && req->hash != 0)
        return INVALID(ps, "validation: hash applies to secp256k1 only "
                           "(Ed25519 signs the message itself)");
    if (req->key_type == NODE_CLIENT_KEY_SECP256K1 && req->hash == 0 &&
        req->tx_len > NODE_CLIENT_DIGEST_MAX_BYTES)
        return INVALID(ps,
                       "validation: tx: a secp256k1 digest is at most %d "
                       "bytes (set hash to sign a preimage)",
                       NODE_CLIENT_DIGEST_MAX_BYTES);
    return MPC_OK;
}

static mpc_err check_reshare(parser *ps, json_int_t t)
{
    node_client_request *req = ps->req;
    if (req->n_node_ids == 0)
        return INVALID(ps, "validation: node_ids is empty");
    if (t < 1)
        return fail(ps, NODE_CLIENT_FAIL_THRESHOLD,
                    "validation: new_threshold must be at least 1 (t + 1 "
                    "parties sign)");
    if (t >= (json_int_t)req->n_node_ids)
        return fail(ps, NODE_CLIENT_FAIL_INSUFFICIENT_PARTICIPANTS,
                    "validation: not enough nodes: new_threshold %lld needs "
                    "%llu nodes, node_ids has %zu",
                    (long long)t, (unsigned long long)t + 1, req->n_node_ids);
    req->threshold = (uint32_t)t + 1;
    return MPC_OK;
}

/* Step 3: required fields and rules across fields. */
static mpc_err check_op(parser *ps, json_int_t t)
{
    node_client_request *req = ps->req;
    mpc_err err;
    if (req->op != NODE_CLIENT_OP_KEYGEN &&
        req->key_type == NODE_CLIENT_KEY_NONE)
        return INVALID(ps, "validation: key_type is required");
    if ((err = require_id(ps, &req->wallet_id, "wallet_id")) != MPC_OK)
        return err;
    switch (req->op) {
    case NODE_CLIENT_OP_KEYGEN:
        return MPC_OK;
    case NODE_CLIENT_OP_SIGN:
        if ((err = require_id(ps, &req->tx_id, "tx_id")) != MPC_OK)
            return err;
        return check_sign(ps);
    case NODE_CLIENT_OP_RESHARE:
        if ((err = require_id(ps, &req->session_id, "session_id")) != MPC_OK)
            return err;
        return check_reshare(ps, t);
    case NODE_CLIENT_OP_PRESIGN:
        if ((err = require_id(ps, &req->request_id, "request_id")) != MPC_OK)
            return err;
        if (req->key_type != NODE_CLIENT_KEY_SECP256K1)
            return INVALID(ps, "validation: presignature pools are for "
                               "secp256k1 keys only");
        return MPC_OK;
    }
    return INVALID(ps, "validation: unknown operation");
}

/* Step 1: match every key to a field of the operation. */
static mpc_err match_keys(parser *ps, json_t *root, json_t *val[F_NFIELDS])
{
    unsigned allowed = op_fields(ps->req->op);
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        enum field f = F_NFIELDS;
        for (int i = 0; i < F_NFIELDS; i++) {
            if ((allowed & BIT(i)) && strcmp(key, field_name[i]) == 0) {
                f = (enum field)i;
                break;
            }
        }
        if (f == F_NFIELDS)
            return DECODE_FAIL(ps, "unmarshal: unknown field \"%.*s\"",
                               (int)strnlen(key, 40), key);
        val[f] = v;
    }
    return MPC_OK;
}

/*
 * After a failure: keeps only op and the id fields that are themselves
 * valid, so the error result names the request (its subject and ids) and
 * the client can match it. Each is read afresh from the object; the
 * problem already reported is not touched.
 */
static void salvage_ids(node_client_request *req, const json_t *root)
{
    node_client_op op = req->op;
    node_client_request_clear(req);
    req->op = op;
    if (root == NULL || !json_is_object(root))
        return;
    node_client_problem ignored;
    parser ps = {.req = req, .pb = &ignored};
    unsigned allowed = op_fields(op);
    const struct {
        enum field f;
        node_client_id *out;
    } ids[] = {{F_WALLET_ID, &req->wallet_id},
               {F_TX_ID, &req->tx_id},
               {F_SESSION_ID, &req->session_id},
               {F_REQUEST_ID, &req->request_id}};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        if (!(allowed & BIT(ids[i].f)))
            continue;
        const json_t *v = json_object_get(root, field_name[ids[i].f]);
        if (take_id(&ps, ids[i].out, v, field_name[ids[i].f]) != MPC_OK)
            memset(ids[i].out, 0, sizeof *ids[i].out);
    }
    if ((allowed & BIT(F_NIC)) &&
        take_nic(&ps, json_object_get(root, field_name[F_NIC])) != MPC_OK)
        memset(req->network_internal_code, 0,
               sizeof req->network_internal_code);
}

mpc_err node_client_request_parse(node_client_request *req,
                                  node_client_problem *problem,
                                  node_client_op op, const uint8_t *json,
                                  size_t len)
{
    node_client_problem scratch;
    parser ps = {.req = req, .pb = problem ? problem : &scratch};
    memset(ps.pb, 0, sizeof *ps.pb);
    if (req != NULL)
        memset(req, 0, sizeof *req);
    if (req == NULL || op_fields(op) == 0 || (json == NULL && len > 0)) {
        node_client_problem_set(ps.pb, NODE_CLIENT_FAIL_INTERNAL,
                                "internal: bad arguments to request parser");
        return MPC_ERR_INVALID_ARG;
    }
    req->op = op;
    if (len > NODE_CLIENT_REQUEST_MAX_BYTES) {
        mpc_err err = DECODE_FAIL(&ps,
                                  "unmarshal: request larger than %u "
                                  "bytes",
                                  NODE_CLIENT_REQUEST_MAX_BYTES);
        memset(req, 0, sizeof *req);
        return err;
    }

    json_error_t jerr;
    json_t *root = json_loadb(json ? (const char *)json : "", len,
                              JSON_REJECT_DUPLICATES, &jerr);
    json_t *val[F_NFIELDS] = {0};
    json_int_t t = 0;
    mpc_err err;
    if (root == NULL) {
        err = DECODE_FAIL(&ps, "unmarshal: %s (line %d, column %d)", jerr.text,
                          jerr.line, jerr.column);
    } else if (!json_is_object(root)) {
        err = DECODE_FAIL(&ps, "unmarshal: the request is not a JSON object");
    } else if ((err = match_keys(&ps, root, val)) == MPC_OK &&
               (err = take_fields(&ps, val, &t)) == MPC_OK) {
        err = check_op(&ps, t);
    }
    if (err != MPC_OK)
        salvage_ids(req, root);
    json_decref(root);
    if (err != MPC_OK)
        return err;
    memset(ps.pb, 0, sizeof *ps.pb);
    return MPC_OK;
}

void node_client_request_clear(node_client_request *req)
{
    if (req == NULL)
        return;
    free(req->tx);
    memset(req, 0, sizeof *req);
}
