/*
 * Initiator and authorizer signatures (wire spec §3.2, §3.3).
 *
 * Ed25519 goes through libsodium, whose verifier is cofactorless like Go's
 * crypto/ed25519 and additionally refuses small-order R and public keys —
 * which no honest signer produces. P-256 goes through OpenSSL: ECDSA over
 * SHA-256 of the message, the signature in DER. OpenSSL re-encodes the
 * parsed signature and refuses it unless it matches byte for byte, so only
 * strict DER passes, as with Go's ecdsa.VerifyASN1.
 *
 * OpenSSL's 1/0/-1 convention and libsodium's 0/-1 stay inside this file;
 * everything outside sees mpc_err.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "node/client_proto.h"
#include "node/client_proto_internal.h"

/* Parses a P-256 SubjectPublicKeyInfo; NULL unless it is exactly that. */
static EVP_PKEY *p256_key(const uint8_t *der, size_t len)
{
    if (der == NULL || len == 0 || len > 1024)
        return NULL;
    const unsigned char *p = der;
    EVP_PKEY *pk = d2i_PUBKEY(NULL, &p, (long)len);
    if (pk == NULL)
        return NULL;
    char group[64];
    size_t glen = 0;
    if (p != der + len || !EVP_PKEY_is_a(pk, "EC") ||
        EVP_PKEY_get_group_name(pk, group, sizeof group, &glen) != 1 ||
        strcmp(group, "prime256v1") != 0) {
        EVP_PKEY_free(pk);
        return NULL;
    }
    return pk;
}

mpc_err node_client_pubkey_check(node_key_alg alg, const uint8_t *key,
                                 size_t key_len)
{
    switch (alg) {
    case NODE_KEY_ALG_ED25519:
        if (key == NULL || key_len != crypto_sign_PUBLICKEYBYTES ||
            crypto_core_ed25519_is_valid_point(key) != 1)
            return MPC_ERR_INVALID_ARG;
        return MPC_OK;
    case NODE_KEY_ALG_P256: {
        EVP_PKEY *pk = p256_key(key, key_len);
        if (pk == NULL)
            return MPC_ERR_INVALID_ARG;
        EVP_PKEY_free(pk);
        return MPC_OK;
    }
    }
    return MPC_ERR_INVALID_ARG;
}

static mpc_err p256_verify(const uint8_t *key, size_t key_len,
                           const uint8_t *msg, size_t msg_len,
                           const uint8_t *sig, size_t sig_len)
{
    EVP_PKEY *pk = p256_key(key, key_len);
    if (pk == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = MPC_ERR_NOMEM;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md == NULL)
        goto out;
    err = MPC_ERR_INTERNAL;
    if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pk) != 1)
        goto out;
    static const uint8_t empty[1];
    int rc = EVP_DigestVerify(md, sig, sig_len, msg ? msg : empty, msg_len);
    /* 0 is a bad signature, < 0 a malformed one: both are the peer's. */
    err = rc == 1 ? MPC_OK : MPC_ERR_VERIFY;
out:
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pk);
    return err;
}

/* What node_client_pubkey_check looks at first, without its costly part:
 * enough for the verifiers below to be safe to call. */
static bool key_shape_ok(node_key_alg alg, const uint8_t *key, size_t key_len)
{
    return key != NULL && ((alg == NODE_KEY_ALG_ED25519 &&
                            key_len == crypto_sign_PUBLICKEYBYTES) ||
                           (alg == NODE_KEY_ALG_P256 && key_len > 0));
}

/* node_client_signature_verify; `key_checked`: the caller has checked
 * the key with node_client_pubkey_check. */
static mpc_err verify(node_key_alg alg, const uint8_t *key, size_t key_len,
                      bool key_checked, const uint8_t *msg, size_t msg_len,
                      const uint8_t *sig, size_t sig_len)
{
    if ((msg == NULL && msg_len > 0) || (sig == NULL && sig_len > 0))
        return MPC_ERR_INVALID_ARG;
    mpc_err err = MPC_OK;
    if (!key_checked)
        err = node_client_pubkey_check(alg, key, key_len);
    else if (!key_shape_ok(alg, key, key_len))
        err = MPC_ERR_INVALID_ARG;
    if (err != MPC_OK)
        return err;
    if (sig_len == 0)
        return MPC_ERR_VERIFY;
    if (alg == NODE_KEY_ALG_P256)
        return p256_verify(key, key_len, msg, msg_len, sig, sig_len);
    if (sig_len != crypto_sign_BYTES)
        return MPC_ERR_VERIFY;
    static const uint8_t empty[1];
    if (crypto_sign_verify_detached(sig, msg ? msg : empty, msg_len, key) != 0)
        return MPC_ERR_VERIFY;
    return MPC_OK;
}

mpc_err node_client_signature_verify(node_key_alg alg, const uint8_t *key,
                                     size_t key_len, const uint8_t *msg,
                                     size_t msg_len, const uint8_t *sig,
                                     size_t sig_len)
{
    return verify(alg, key, key_len, false, msg, msg_len, sig, sig_len);
}

mpc_err node_client_authorizer_bytes(uint8_t **out, size_t *out_len,
                                     const char *initiator_id,
                                     const uint8_t *raw, size_t raw_len,
                                     const uint8_t *sig, size_t sig_len)
{
    if (out == NULL || out_len == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    *out_len = 0;
    if (raw == NULL && raw_len > 0)
        return MPC_ERR_INVALID_ARG;
    static const uint8_t empty[1];
    node_client_buf b;
    node_client_buf_init(&b);
    node_client_json_key(&b, "initiator_id", true);
    node_client_json_cstr(&b, initiator_id);
    node_client_json_key(&b, "initiator_raw", false);
    /* Raw() is never nil in mpcium, so an empty one is "", not null. */
    node_client_json_bytes(&b, raw ? raw : empty, raw_len);
    node_client_json_key(&b, "initiator_sig", false);
    node_client_json_bytes(&b, sig, sig_len);
    node_client_buf_lit(&b, "}");
    return node_client_buf_take(&b, out, out_len);
}

/*
 * Reports a verification error that is not the peer's fault: memory, a
 * malformed configured key, an OpenSSL failure. MPC_ERR_VERIFY passes
 * through untouched (the caller words it).
 */
static mpc_err not_a_bad_sig(node_client_problem *pb, mpc_err err,
                             const char *who)
{
    switch (err) {
    case MPC_ERR_NOMEM:
        node_client_problem_set(pb, NODE_CLIENT_FAIL_NOMEM, "out of memory");
        break;
    case MPC_ERR_INVALID_ARG:
        node_client_problem_set(pb, NODE_CLIENT_FAIL_CONFIG,
                                "configuration: %s public key is malformed",
                                who);
        break;
    default:
        node_client_problem_set(pb, NODE_CLIENT_FAIL_INTERNAL,
                                "internal: %s signature check failed", who);
        break;
    }
    return err;
}

static bool provided(const node_client_request *req, const char *id)
{
    for (size_t i = 0; i < req->n_authorizers; i++)
        if (strcmp(req->authorizers[i].id.s, id) == 0)
            return true;
    return false;
}

static const node_client_authorizer *
find_authorizer(const node_client_auth_policy *pol, const char *id)
{
    for (size_t i = 0; i < pol->n_authorizers; i++)
        if (pol->authorizers[i].id != NULL &&
            strcmp(pol->authorizers[i].id, id) == 0)
            return &pol->authorizers[i];
    return NULL;
}

/* §3.3 steps 3–5; `raw` is what the initiator signature covered. */
static mpc_err check_authorizers(node_client_problem *pb,
                                 const node_client_request *req,
                                 const node_client_auth_policy *pol,
                                 const uint8_t *raw, size_t raw_len)
{
    for (size_t i = 0; i < pol->n_required; i++) {
        const char *id = pol->required ? pol->required[i] : NULL;
        if (id == NULL || !provided(req, id)) {
            node_client_problem_set(
                pb, NODE_CLIENT_FAIL_AUTHORIZER_MISSING,
                "authorization: missing required authorizer signature: %s",
                id ? id : "(null)");
            return MPC_ERR_AUTH;
        }
    }
    if (req->n_authorizers == 0)
        return MPC_OK;

    uint8_t *env = NULL;
    size_t env_len = 0;
    mpc_err err = node_client_authorizer_bytes(
        &env, &env_len, node_client_request_initiator_id(req), raw, raw_len,
        req->signature, req->signature_len);
    if (err != MPC_OK)
        return not_a_bad_sig(pb, err, "authorizer");
    for (size_t i = 0; i < req->n_authorizers && err == MPC_OK; i++) {
        const node_client_authorizer_sig *a = &req->authorizers[i];
        const node_client_authorizer *k = find_authorizer(pol, a->id.s);
        if (k == NULL) {
            node_client_problem_set(pb, NODE_CLIENT_FAIL_AUTHORIZER_INVALID,
                                    "authorization: authorizer %s "
                                    "verification failed: unknown authorizer",
                                    a->id.s);
            err = MPC_ERR_VERIFY;
            break;
        }
        size_t sig_len = a->sig_present ? a->sig_len : 0;
        err = node_client_signature_verify(k->alg, k->key, k->key_len, env,
                                           env_len, a->sig, sig_len);
        if (err == MPC_ERR_VERIFY)
            node_client_problem_set(
                pb, NODE_CLIENT_FAIL_AUTHORIZER_INVALID,
                "authorization: authorizer %s "
                "verification failed: %s",
                a->id.s, sig_len ? "invalid signature" : "signature is empty");
        else if (err != MPC_OK)
            not_a_bad_sig(pb, err, "authorizer");
    }
    free(env);
    return err;
}

/*
 * Step 1: the initiator. On success *raw holds the bytes the signature
 * covers (the authorizers sign over them); the caller frees *raw.
 */
static mpc_err check_initiator(node_client_problem *pb, uint8_t **raw,
                               size_t *raw_len, const node_client_request *req,
                               node_key_alg alg, const uint8_t *key,
                               size_t key_len, bool key_checked,
                               bool allow_legacy_path)
{
    if (!req->signature_present || req->signature_len == 0) {
        node_client_problem_set(pb, NODE_CLIENT_FAIL_INITIATOR_SIGNATURE,
                                "verification: signature is empty");
        return MPC_ERR_VERIFY;
    }
    bool legacy_ok = allow_legacy_path && req->op == NODE_CLIENT_OP_SIGN &&
                     req->path_len > 0 && req->hash == 0;
    const node_client_signed_form forms[2] = {NODE_CLIENT_SIGNED_CURRENT,
                                              NODE_CLIENT_SIGNED_LEGACY};
    mpc_err err = MPC_ERR_VERIFY;
    for (int i = 0; i < (legacy_ok ? 2 : 1) && err == MPC_ERR_VERIFY; i++) {
        free(*raw);
        *raw = NULL;
        err = node_client_request_signed_bytes(raw, raw_len, req, forms[i]);
        if (err == MPC_ERR_INVALID_ARG) {
            node_client_problem_set(pb, NODE_CLIENT_FAIL_INTERNAL,
                                    "internal: request cannot be encoded");
            return err;
        }
        if (err == MPC_OK)
            err = verify(alg, key, key_len, key_checked, *raw, *raw_len,
                         req->signature, req->signature_len);
    }
    if (err == MPC_ERR_VERIFY)
        node_client_problem_set(
            pb, NODE_CLIENT_FAIL_INITIATOR_SIGNATURE,
            "verification: invalid signature from initiator");
    else if (err != MPC_OK)
        not_a_bad_sig(pb, err, "initiator");
    return err;
}

static mpc_err
authenticate(node_client_problem *problem, const node_client_request *req,
             node_key_alg initiator_alg, const uint8_t *initiator_key,
             size_t initiator_key_len, bool key_checked,
             const node_client_auth_policy *policy, bool allow_legacy_path)
{
    node_client_problem scratch;
    node_client_problem *pb = problem ? problem : &scratch;
    memset(pb, 0, sizeof *pb);
    if (req == NULL) {
        node_client_problem_set(pb, NODE_CLIENT_FAIL_INTERNAL,
                                "internal: no request");
        return MPC_ERR_INVALID_ARG;
    }
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    mpc_err err =
        check_initiator(pb, &raw, &raw_len, req, initiator_alg, initiator_key,
                        initiator_key_len, key_checked, allow_legacy_path);
    if (err == MPC_OK && policy != NULL && policy->enabled)
        err = check_authorizers(pb, req, policy, raw, raw_len);
    free(raw);
    if (err == MPC_OK)
        memset(pb, 0, sizeof *pb);
    return err;
}

mpc_err node_client_request_authenticate(node_client_problem *problem,
                                         const node_client_request *req,
                                         node_key_alg initiator_alg,
                                         const uint8_t *initiator_key,
                                         size_t initiator_key_len,
                                         const node_client_auth_policy *policy,
                                         bool allow_legacy_path)
{
    return authenticate(problem, req, initiator_alg, initiator_key,
                        initiator_key_len, false, policy, allow_legacy_path);
}

mpc_err node_client_request_authenticate_prechecked(
    node_client_problem *problem, const node_client_request *req,
    node_key_alg initiator_alg, const uint8_t *initiator_key,
    size_t initiator_key_len, const node_client_auth_policy *policy,
    bool allow_legacy_path)
{
    return authenticate(problem, req, initiator_alg, initiator_key,
                        initiator_key_len, true, policy, allow_legacy_path);
}
