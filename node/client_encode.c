/*
 * Requests out: the body a client publishes, the bytes its initiator signs
 * (mpcium's Raw(), extended to cover the derivation path and the hash), the
 * initiator id the authorizers name, and the digest ECDSA signs.
 *
 * The encoders accept hand-built requests, so they check first what they
 * rely on (encodable): bounded counts and lengths, terminated strings.
 */
#include <stdlib.h>
#include <string.h>

#include "node/client_proto.h"
#include "node/client_proto_internal.h"

/* Checks what the encoders rely on in a (possibly hand-built) request. */
static bool encodable(const node_client_request *req)
{
    if (req->op < NODE_CLIENT_OP_KEYGEN || req->op > NODE_CLIENT_OP_PRESIGN ||
        node_client_key_type_str(req->key_type) == NULL ||
        (req->tx == NULL && req->tx_len > 0) ||
        req->path_len > MPC_HD_MAX_DEPTH ||
        req->n_node_ids > NODE_CLIENT_NODES_MAX ||
        req->n_authorizers > NODE_CLIENT_AUTHORIZERS_MAX ||
        req->signature_len > NODE_CLIENT_SIG_MAX_BYTES ||
        (req->hash != 0 && mpc_msghash_name(req->hash) == NULL))
        return false;
    const node_client_id *ids[] = {&req->wallet_id, &req->tx_id,
                                   &req->session_id, &req->request_id};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (node_client_strnlen(ids[i]->s, sizeof ids[i]->s) ==
            sizeof ids[i]->s)
            return false;
    if (node_client_strnlen(req->network_internal_code,
                            sizeof req->network_internal_code) ==
        sizeof req->network_internal_code)
        return false;
    for (size_t i = 0; i < req->n_node_ids; i++)
        if (node_client_strnlen(req->node_ids[i].s,
                                sizeof req->node_ids[i].s) ==
            sizeof req->node_ids[i].s)
            return false;
    for (size_t i = 0; i < req->n_authorizers; i++) {
        const node_client_authorizer_sig *a = &req->authorizers[i];
        if (a->sig_len > NODE_CLIENT_SIG_MAX_BYTES ||
            node_client_strnlen(a->id.s, sizeof a->id.s) == sizeof a->id.s)
            return false;
    }
    return true;
}

static void put_path(node_client_buf *b, const node_client_request *req,
                     bool nil_if_empty)
{
    if (req->path_len == 0 && nil_if_empty) {
        node_client_buf_lit(b, "null");
        return;
    }
    node_client_buf_lit(b, "[");
    for (size_t i = 0; i < req->path_len; i++) {
        if (i > 0)
            node_client_buf_lit(b, ",");
        node_client_buf_u64(b, req->path[i]);
    }
    node_client_buf_lit(b, "]");
}

static void put_node_ids(node_client_buf *b, const node_client_request *req,
                         bool nil_if_absent)
{
    if (!req->node_ids_present && nil_if_absent) {
        node_client_buf_lit(b, "null");
        return;
    }
    node_client_buf_lit(b, "[");
    for (size_t i = 0; i < req->n_node_ids; i++) {
        if (i > 0)
            node_client_buf_lit(b, ",");
        node_client_json_cstr(b, req->node_ids[i].s);
    }
    node_client_buf_lit(b, "]");
}

static void put_key_type(node_client_buf *b, const node_client_request *req)
{
    node_client_json_key(b, "key_type", false);
    node_client_json_cstr(b, node_client_key_type_str(req->key_type));
}

/* mpcium's five signed fields of a SignTxMessage, as an open object. */
static void put_sign_core(node_client_buf *b, const node_client_request *req)
{
    node_client_json_key(b, "key_type", true);
    node_client_json_cstr(b, node_client_key_type_str(req->key_type));
    node_client_json_key(b, "wallet_id", false);
    node_client_json_cstr(b, req->wallet_id.s);
    node_client_json_key(b, "network_internal_code", false);
    node_client_json_cstr(b, req->network_internal_code);
    node_client_json_key(b, "tx_id", false);
    node_client_json_cstr(b, req->tx_id.s);
    node_client_json_key(b, "tx", false);
    node_client_json_bytes(b, req->tx, req->tx_len);
}

static void put_hash(node_client_buf *b, const node_client_request *req)
{
    if (req->hash == 0)
        return;
    node_client_json_key(b, "hash", false);
    node_client_json_cstr(b, mpc_msghash_name(req->hash));
}

static void put_reshare_core(node_client_buf *b, const node_client_request *req)
{
    node_client_json_key(b, "session_id", true);
    node_client_json_cstr(b, req->session_id.s);
    node_client_json_key(b, "node_ids", false);
    put_node_ids(b, req, true);
    node_client_json_key(b, "new_threshold", false);
    node_client_buf_u64(b, node_client_threshold_to_wire(req->threshold));
    put_key_type(b, req);
    node_client_json_key(b, "wallet_id", false);
    node_client_json_cstr(b, req->wallet_id.s);
}

static void put_presign_core(node_client_buf *b, const node_client_request *req)
{
    node_client_json_key(b, "request_id", true);
    node_client_json_cstr(b, req->request_id.s);
    node_client_json_key(b, "wallet_id", false);
    node_client_json_cstr(b, req->wallet_id.s);
    put_key_type(b, req);
    node_client_json_key(b, "count", false);
    node_client_buf_u64(b, req->count);
    node_client_json_key(b, "derivation_path", false);
    put_path(b, req, false);
    node_client_json_key(b, "node_ids", false);
    put_node_ids(b, req, false);
}

static void put_signature(node_client_buf *b, const node_client_request *req)
{
    node_client_json_key(b, "signature", false);
    node_client_json_bytes(b, req->signature_present ? req->signature : NULL,
                           req->signature_len);
}

/* `authorizer_signatures` with Go's omitempty. */
static void put_authorizers(node_client_buf *b, const node_client_request *req)
{
    if (req->n_authorizers == 0)
        return;
    node_client_json_key(b, "authorizer_signatures", false);
    node_client_buf_lit(b, "[");
    for (size_t i = 0; i < req->n_authorizers; i++) {
        const node_client_authorizer_sig *a = &req->authorizers[i];
        if (i > 0)
            node_client_buf_lit(b, ",");
        node_client_json_key(b, "authorizer_id", true);
        node_client_json_cstr(b, a->id.s);
        node_client_json_key(b, "signature", false);
        node_client_json_bytes(b, a->sig_present ? a->sig : NULL, a->sig_len);
        node_client_buf_lit(b, "}");
    }
    node_client_buf_lit(b, "]");
}

mpc_err node_client_request_encode(uint8_t **out, size_t *out_len,
                                   const node_client_request *req)
{
    if (out == NULL || out_len == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    *out_len = 0;
    if (req == NULL || !encodable(req))
        return MPC_ERR_INVALID_ARG;
    node_client_buf b;
    node_client_buf_init(&b);
    switch (req->op) {
    case NODE_CLIENT_OP_KEYGEN:
        node_client_json_key(&b, "wallet_id", true);
        node_client_json_cstr(&b, req->wallet_id.s);
        put_signature(&b, req);
        break;
    case NODE_CLIENT_OP_SIGN:
        put_sign_core(&b, req);
        put_signature(&b, req);
        node_client_json_key(&b, "derivation_path", false);
        put_path(&b, req, true);
        break;
    case NODE_CLIENT_OP_RESHARE:
        put_reshare_core(&b, req);
        /* mpcium declares signature omitempty here, unlike elsewhere. */
        if (req->signature_present && req->signature_len > 0)
            put_signature(&b, req);
        break;
    case NODE_CLIENT_OP_PRESIGN:
        put_presign_core(&b, req);
        put_signature(&b, req);
        break;
    }
    put_authorizers(&b, req);
    if (req->op == NODE_CLIENT_OP_SIGN)
        put_hash(&b, req);
    node_client_buf_lit(&b, "}");
    return node_client_buf_take(&b, out, out_len);
}

mpc_err node_client_request_signed_bytes(uint8_t **out, size_t *out_len,
                                         const node_client_request *req,
                                         node_client_signed_form form)
{
    if (out == NULL || out_len == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    *out_len = 0;
    if (req == NULL || !encodable(req) ||
        (form != NODE_CLIENT_SIGNED_CURRENT &&
         form != NODE_CLIENT_SIGNED_LEGACY) ||
        (req->op == NODE_CLIENT_OP_SIGN && form == NODE_CLIENT_SIGNED_LEGACY &&
         req->hash != 0))
        return MPC_ERR_INVALID_ARG;
    node_client_buf b;
    node_client_buf_init(&b);
    switch (req->op) {
    case NODE_CLIENT_OP_KEYGEN:
        node_client_buf_lit(&b, req->wallet_id.s);
        break;
    case NODE_CLIENT_OP_SIGN:
        put_sign_core(&b, req);
        if (form == NODE_CLIENT_SIGNED_CURRENT) {
            if (req->path_len > 0) {
                node_client_json_key(&b, "derivation_path", false);
                put_path(&b, req, false);
            }
            put_hash(&b, req);
        }
        node_client_buf_lit(&b, "}");
        break;
    case NODE_CLIENT_OP_RESHARE:
        put_reshare_core(&b, req);
        node_client_buf_lit(&b, "}");
        break;
    case NODE_CLIENT_OP_PRESIGN:
        put_presign_core(&b, req);
        node_client_buf_lit(&b, "}");
        break;
    }
    return node_client_buf_take(&b, out, out_len);
}

const char *node_client_request_initiator_id(const node_client_request *req)
{
    if (req == NULL)
        return "";
    switch (req->op) {
    case NODE_CLIENT_OP_KEYGEN:
    case NODE_CLIENT_OP_RESHARE:
        return req->wallet_id.s;
    case NODE_CLIENT_OP_SIGN:
        return req->tx_id.s;
    case NODE_CLIENT_OP_PRESIGN:
        return req->request_id.s;
    }
    return "";
}

mpc_err node_client_request_digest(uint8_t out32[MPC_MSGHASH_BYTES],
                                   const node_client_request *req)
{
    if (out32 == NULL)
        return MPC_ERR_INVALID_ARG;
    memset(out32, 0, MPC_MSGHASH_BYTES);
    if (req == NULL || req->op != NODE_CLIENT_OP_SIGN ||
        req->key_type != NODE_CLIENT_KEY_SECP256K1 || req->tx == NULL)
        return MPC_ERR_INVALID_ARG;
    if (req->hash != 0)
        return mpc_msghash(out32, req->hash, req->tx, req->tx_len);
    if (req->tx_len > MPC_MSGHASH_BYTES)
        return MPC_ERR_INVALID_ARG;
    memcpy(out32 + MPC_MSGHASH_BYTES - req->tx_len, req->tx, req->tx_len);
    return MPC_OK;
}
