/*
 * node/ops_ecdsa.c — the secp256k1 half of the ops: CGGMP key records,
 * the ECDSA part of keygen, interactive ECDSA signing, and a member's
 * aux-info session.
 *
 * Party order: ECDSA sessions run their parties in ascending node-id
 * order, the order of the committee's aux-info (node/auxinfo.h), so that
 * a key share's positions are the aux-info's positions.
 */
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "mpc/cggmp_codec.h"
#include "mpc/cggmp_keys.h"
#include "mpc/cggmp_sign.h"
#include "mpc/mem.h"
#include "node/log.h"
#include "node/ops_internal.h"

_Static_assert(NODE_AUXINFO_ID_MAX_BYTES >= NODE_ENVELOPE_ID_MAX_BYTES &&
                   NODE_AUXINFO_COMMITTEE_MAX >= NODE_OPS_COMMITTEE_MAX,
               "every committee of ops has aux-info");

#define RECORD_FORMAT 1
#define SECP MPC_CURVE_SECP256K1
#define KEY_ID_DOMAIN "mpcium-c/ecdsa-key-id/v1"
#define KEYGEN_SID_DOMAIN "ecdsa"

/* ---- key records --------------------------------------------------------- */

mpc_err node_ops_ecdsa_record_encode(const mpc_ctx *ctx, uint8_t **out,
                                     size_t *len, const mpc_cggmp_key_share *ks,
                                     const char *const *ids, size_t n)
{
    *out = NULL;
    *len = 0;
    size_t enc = mpc_cggmp_key_share_encoded_bytes(ks);
    if (enc == 0 || n != ks->n || n > NODE_OPS_COMMITTEE_MAX)
        return MPC_ERR_INVALID_ARG;
    size_t head = 2;
    for (size_t i = 0; i < n; i++) {
        size_t il = strlen(ids[i]);
        if (il == 0 || il > NODE_ENVELOPE_ID_MAX_BYTES)
            return MPC_ERR_INVALID_ARG;
        head += 1 + il;
    }
    uint8_t *b = malloc(head + enc);
    if (b == NULL)
        return MPC_ERR_NOMEM;
    size_t p = 0;
    b[p++] = RECORD_FORMAT;
    b[p++] = (uint8_t)n;
    for (size_t i = 0; i < n; i++) {
        size_t il = strlen(ids[i]);
        b[p++] = (uint8_t)il;
        memcpy(b + p, ids[i], il);
        p += il;
    }
    size_t got = 0;
    mpc_err e = mpc_cggmp_key_share_encode(mpc_ctx_group(ctx, SECP), b + p, enc,
                                           &got, ks);
    if (e != MPC_OK) {
        mpc_wipe(b, head + enc);
        free(b);
        return e;
    }
    *out = b;
    *len = p + got;
    return MPC_OK;
}

void node_ops_ecdsa_key_clear(const mpc_ctx *ctx, node_ops_ecdsa_key *k)
{
    if (k == NULL)
        return;
    mpc_cggmp_key_share_clear(ctx, &k->share);
    memset(k, 0, sizeof *k);
}

mpc_err node_ops_ecdsa_record_parse(const mpc_ctx *ctx, node_ops_ecdsa_key *k,
                                    const uint8_t *b, size_t len)
{
    mpc_cggmp_key_share_init(&k->share);
    if (len < 2 || b[0] != RECORD_FORMAT || b[1] < 2 ||
        b[1] > NODE_OPS_COMMITTEE_MAX)
        return MPC_ERR_PARSE;
    k->n = b[1];
    size_t p = 2;
    for (size_t i = 0; i < k->n; i++) {
        size_t il = p < len ? b[p] : 0;
        if (il == 0 || il > NODE_ENVELOPE_ID_MAX_BYTES || len - p - 1 < il) {
            node_ops_ecdsa_key_clear(ctx, k);
            return MPC_ERR_PARSE;
        }
        memcpy(k->node_ids[i], b + p + 1, il);
        k->node_ids[i][il] = '\0';
        p += 1 + il;
    }
    mpc_err e = mpc_cggmp_key_share_decode(ctx, &k->share, b + p, len - p);
    if (e == MPC_OK && k->share.n != k->n)
        e = MPC_ERR_PARSE;
    if (e != MPC_OK) {
        node_ops_ecdsa_key_clear(ctx, k);
        return e == MPC_ERR_NOMEM ? e : MPC_ERR_PARSE;
    }
    return MPC_OK;
}

mpc_err node_ops_ecdsa_key_store(node_ops *o, const char *wallet,
                                 uint32_t version,
                                 const mpc_cggmp_key_share *ks,
                                 const char *const *ids, size_t n,
                                 const uint8_t sid[NODE_ENVELOPE_SID_BYTES])
{
    uint8_t *b = NULL;
    size_t len = 0;
    mpc_err e = node_ops_ecdsa_record_encode(o->cfg.ctx, &b, &len, ks, ids, n);
    if (e != MPC_OK)
        return e;
    char session[2 * NODE_ENVELOPE_SID_BYTES + 1];
    node_ops_sid_hex(session, sid);
    e = node_keystore_share_put_pending(o->cfg.ks, NODE_KEYSTORE_SECP256K1,
                                        wallet, version, b, len, session,
                                        node_ops_wall_ms());
    mpc_wipe(b, len);
    free(b);
    return e;
}

mpc_err node_ops_ecdsa_key_load(node_ops *o, node_ops_ecdsa_key *k,
                                uint32_t *version, const char *wallet,
                                uint32_t want_version)
{
    memset(k, 0, sizeof *k);
    mpc_cggmp_key_share_init(&k->share);
    *version = 0;
    uint8_t *b = NULL;
    size_t len = 0;
    mpc_err e = MPC_OK;
    if (want_version == 0) {
        /* The version in force is the oldest held: a reshare's newer one
         * waits for its commit, which deletes the older ones. */
        uint32_t held[64];
        size_t count = 0;
        e = node_keystore_share_versions(o->cfg.ks, held, 64, &count,
                                         NODE_KEYSTORE_SECP256K1, wallet);
        /* Two versions: a commit we may have missed (node_ops_reshare_
         * catch_up), else the newer one is a reshare still running. */
        if (e == MPC_OK && count > 1) {
            node_ops_reshare_catch_up(o, NODE_KEYSTORE_SECP256K1, wallet);
            e = node_keystore_share_versions(o->cfg.ks, held, 64, &count,
                                             NODE_KEYSTORE_SECP256K1, wallet);
        }
        if (e == MPC_OK && count == 0)
            e = MPC_ERR_NOT_FOUND;
        want_version = e == MPC_OK ? held[0] : 0;
    }
    if (e == MPC_OK)
        e = node_keystore_share_get_committed(
            o->cfg.ks, &b, &len, NODE_KEYSTORE_SECP256K1, wallet, want_version);
    /* Pending: maybe committed already, the commit not here yet. */
    if (e == MPC_ERR_NOT_FOUND && want_version != 0) {
        node_ops_commit_catch_up(o, NODE_KEYSTORE_SECP256K1, wallet,
                                 want_version);
        e = node_keystore_share_get_committed(
            o->cfg.ks, &b, &len, NODE_KEYSTORE_SECP256K1, wallet, want_version);
    }
    *version = e == MPC_OK ? want_version : 0;
    if (e != MPC_OK)
        return e;
    e = node_ops_ecdsa_record_parse(o->cfg.ctx, k, b, len);
    node_keystore_value_free(b, len);
    if (e != MPC_OK)
        *version = 0;
    return e;
}

void node_ops_ecdsa_key_id(uint8_t out[32], const mpc_group *g,
                           const node_ops_ecdsa_key *k)
{
    uint8_t pub[MPC_SECP256K1_POINT_BYTES];
    mpc_point_serialize(g, pub, &k->share.pubkey);
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const uint8_t *)KEY_ID_DOMAIN,
                              sizeof KEY_ID_DOMAIN - 1);
    crypto_hash_sha256_update(&h, pub, sizeof pub);
    uint8_t b = (uint8_t)k->n;
    crypto_hash_sha256_update(&h, &b, 1);
    for (size_t i = 0; i < k->n; i++) {
        b = (uint8_t)strlen(k->node_ids[i]);
        crypto_hash_sha256_update(&h, &b, 1);
        crypto_hash_sha256_update(&h, (const uint8_t *)k->node_ids[i], b);
    }
    crypto_hash_sha256_final(&h, out);
}

/* ---- helpers ------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The aux-info object, or a problem. */
static bool have_aux(node_ops *o, node_client_problem *p)
{
    if (o->cfg.aux != NULL)
        return true;
    node_client_problem_set(p, NODE_CLIENT_FAIL_CONFIG,
                            "ecdsa: not configured on this node");
    return false;
}

static bool ecdsa_key_load(node_ops *o, node_ops_ecdsa_key *k,
                           uint32_t *version, const char *wallet, uint32_t want,
                           node_client_problem *p)
{
    mpc_err e = node_ops_ecdsa_key_load(o, k, version, wallet, want);
    if (e == MPC_OK)
        return true;
    if (e == MPC_ERR_NOT_FOUND)
        node_client_problem_set(p, NODE_CLIENT_FAIL_KEY_NOT_FOUND,
                                "sign: no secp256k1 key for wallet %s", wallet);
    else
        node_client_problem_set(p, NODE_CLIENT_FAIL_STORAGE_READ,
                                "sign: keystore: %s", mpc_err_str(e));
    return false;
}

static const char *const *key_ids(const node_ops_ecdsa_key *k, const char **ptr)
{
    for (size_t i = 0; i < k->n; i++)
        ptr[i] = k->node_ids[i];
    return ptr;
}

/* ---- keygen -------------------------------------------------------------- */

void node_ops_ecdsa_keygen(node_ops *o, const node_ops_start *st,
                           node_ops_result *r)
{
    if (o->cfg.aux == NULL)
        return; /* no ECDSA on this node: ecdsa_pub_key stays null */
    const char *parties[MPC_SESSION_PARTIES_MAX];
    memcpy(parties, st->parties, st->n_parties * sizeof parties[0]);
    qsort(parties, st->n_parties, sizeof parties[0], cmp_str);
    node_session_spec spec;
    node_ops_session_spec_init(o, &spec, st);
    spec.op = NODE_ENVELOPE_OP_KEYGEN_ECDSA;
    spec.parties = parties;
    spec.protocol = &mpc_cggmp_keygen_protocol;
    /* A second session both sides derive from the start. */
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const uint8_t *)KEYGEN_SID_DOMAIN,
                              sizeof KEYGEN_SID_DOMAIN - 1);
    crypto_hash_sha256_update(&h, st->sid, sizeof st->sid);
    uint8_t sid[32];
    crypto_hash_sha256_final(&h, sid);
    _Static_assert(NODE_ENVELOPE_SID_BYTES <= 32, "sid fits SHA-256");
    memcpy(spec.sid, sid, sizeof spec.sid);
    node_session *s = NULL;
    mpc_err e = node_session_start(o->cfg.sessions, &s, &spec);
    if (e != MPC_OK) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_INTERNAL,
                                "keygen: ecdsa session: %s", mpc_err_str(e));
        return;
    }
    mpc_cggmp_key_share ks;
    mpc_cggmp_key_share_init(&ks);
    mpc_blame blame;
    e = node_session_join(s, &ks, sizeof ks, &blame);
    if (e != MPC_OK) {
        node_ops_problem_from_session(&r->problem, e, &blame,
                                      NODE_CLIENT_FAIL_KEYGEN_PROTOCOL);
        return;
    }
    e = node_ops_ecdsa_key_store(o, st->req.wallet_id.s, 1, &ks, parties,
                                 st->n_parties, st->sid);
    if (e != MPC_OK)
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_STORAGE_WRITE,
                                "keygen: ecdsa store: %s", mpc_err_str(e));
    else {
        mpc_point_serialize(mpc_ctx_group(o->cfg.ctx, SECP), r->ecdsa_pub,
                            &ks.pubkey);
        r->has_ecdsa = true;
    }
    mpc_cggmp_key_share_clear(o->cfg.ctx, &ks);
}

/* ---- signing ------------------------------------------------------------- */

bool node_ops_ecdsa_sign_committee(
    node_ops *o, char (*parties)[NODE_ENVELOPE_ID_MAX_BYTES + 1], size_t *n,
    uint32_t *version, node_client_problem *p, const node_client_request *req)
{
    *n = 0;
    if (!have_aux(o, p))
        return false;
    node_ops_ecdsa_key *k = calloc(1, sizeof *k);
    if (k == NULL) {
        node_client_problem_set(p, NODE_CLIENT_FAIL_NOMEM, "sign");
        return false;
    }
    bool ok = ecdsa_key_load(o, k, version, req->wallet_id.s, 0, p);
    const char *ptr[NODE_OPS_COMMITTEE_MAX];
    /* Answer at once rather than fail the session: the committee cannot
     * sign before its aux-info session ran. */
    if (ok && !node_auxinfo_has(o->cfg.aux, key_ids(k, ptr), k->n)) {
        /* A committee a reshare made, forgotten by a restart: ask again. */
        if (node_auxinfo_want(o->cfg.aux, ptr, k->n) != MPC_OK)
            node_log(NODE_LOG_WARN, "sign: aux-info not asked for", NULL);
        node_client_problem_set(p, NODE_CLIENT_FAIL_CLUSTER_NOT_READY,
                                "sign: ecdsa aux-info of the committee is not "
                                "ready yet");
        ok = false;
    }
    ok = ok && node_ops_pick_signers(o, parties, n, p, ptr, k->n, k->share.self,
                                     k->share.t);
    node_ops_ecdsa_key_clear(o->cfg.ctx, k);
    free(k);
    return ok;
}

/* Committee positions of the session's parties: strictly ascending. */
static bool positions(const node_ops_ecdsa_key *k, const node_ops_start *st,
                      uint32_t *pos, node_client_problem *p)
{
    if (st->n_parties != k->share.t || st->msg->threshold != k->share.t) {
        node_client_problem_set(p, NODE_CLIENT_FAIL_INSUFFICIENT_PARTICIPANTS,
                                "sign: need %u signers", k->share.t);
        return false;
    }
    for (size_t i = 0; i < st->n_parties; i++) {
        size_t j = 0;
        while (j < k->n && strcmp(k->node_ids[j], st->parties[i]) != 0)
            j++;
        if (j == k->n || (i > 0 && j <= pos[i - 1])) {
            node_client_problem_set(p, NODE_CLIENT_FAIL_VALIDATION,
                                    "sign: %s holds no share or is out of "
                                    "committee order",
                                    st->parties[i]);
            return false;
        }
        pos[i] = (uint32_t)j;
    }
    return true;
}

/* The signature verifies under `pub33` for `digest` (libsecp256k1, not our
 * own code), and the recovery id recovers that key. */
bool node_ops_ecdsa_verify(const uint8_t pub33[33], const uint8_t digest[32],
                           const mpc_ecdsa_signature *sig)
{
    const secp256k1_context *c = secp256k1_context_static;
    uint8_t rs[64];
    memcpy(rs, sig->r, 32);
    memcpy(rs + 32, sig->s, 32);
    secp256k1_pubkey pk, rec;
    secp256k1_ecdsa_signature s;
    secp256k1_ecdsa_recoverable_signature rsig;
    uint8_t got[33];
    size_t got_len = sizeof got;
    return secp256k1_ec_pubkey_parse(c, &pk, pub33, 33) &&
           secp256k1_ecdsa_signature_parse_compact(c, &s, rs) &&
           secp256k1_ecdsa_verify(c, &s, digest, &pk) && sig->recid <= 3 &&
           secp256k1_ecdsa_recoverable_signature_parse_compact(c, &rsig, rs,
                                                               sig->recid) &&
           secp256k1_ecdsa_recover(c, &rec, &rsig, digest) &&
           secp256k1_ec_pubkey_serialize(c, got, &got_len, &rec,
                                         SECP256K1_EC_COMPRESSED) &&
           memcmp(got, pub33, 33) == 0;
}

static void sign_run(node_ops *o, const node_ops_start *st,
                     const mpc_cggmp_sign_input *in, const uint8_t want[33],
                     node_ops_result *r)
{
    node_session_spec spec;
    node_ops_session_spec_init(o, &spec, st);
    spec.protocol = &mpc_cggmp_sign_protocol;
    spec.input = in;
    node_session *s = NULL;
    mpc_err e = node_session_start(o->cfg.sessions, &s, &spec);
    if (e != MPC_OK) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_INTERNAL,
                                "sign: session: %s", mpc_err_str(e));
        return;
    }
    mpc_cggmp_sign_result res;
    mpc_blame blame;
    e = node_session_join(s, &res, sizeof res, &blame);
    if (e != MPC_OK) {
        node_ops_problem_from_session(&r->problem, e, &blame,
                                      NODE_CLIENT_FAIL_SIGNING_PROTOCOL);
        return;
    }
    if (memcmp(res.pubkey, want, 33) != 0 ||
        !node_ops_ecdsa_verify(want, in->digest, &res.sig)) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_SIGNATURE_CHECK,
                                "sign: signature does not verify");
        return;
    }
    memcpy(r->sig, res.sig.r, 32);
    memcpy(r->sig + 32, res.sig.s, 32);
    r->recid = res.sig.recid;
    memcpy(r->ecdsa_pub, want, 33);
    r->has_ecdsa = true;
}

static void sign_with(node_ops *o, const node_ops_start *st,
                      const node_ops_ecdsa_key *k, uint32_t version,
                      const mpc_cggmp_aux_info *aux, node_ops_result *r)
{
    uint32_t pos[NODE_OPS_COMMITTEE_MAX];
    if (!positions(k, st, pos, &r->problem))
        return;
    const mpc_group *g = mpc_ctx_group(o->cfg.ctx, SECP);
    mpc_cggmp_sign_input in;
    memset(&in, 0, sizeof in);
    mpc_hd_child child;
    bool derive = st->req.path_len > 0;
    if (derive && mpc_hd_derive(g, &child, &k->share.pubkey, o->cfg.chain_code,
                                st->req.path, st->req.path_len) != MPC_OK) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_VALIDATION,
                                "sign: derivation path");
        return;
    }
    in.presign.key = &k->share;
    in.presign.aux = aux;
    in.presign.signers = pos;
    in.presign.key_version = version;
    in.presign.derive = derive ? &child : NULL;
    node_ops_ecdsa_key_id(in.presign.key_id, g, k);
    /* Warming the pool (ops_pool.c): the same input, no message yet. */
    if (st->op == NODE_ENVELOPE_OP_PRESIGN_ECDSA) {
        node_ops_presign_run(o, st, &in.presign, version, r);
        return;
    }
    /* Pooled (ops_pool.c): one presignature out of the pool, one share. */
    if (st->msg->presignature_id.len > 0) {
        node_ops_pool_share(o, st, k, version, pos, derive ? &child : NULL, r);
        return;
    }
    if (node_client_request_digest(in.digest, &st->req) != MPC_OK) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_VALIDATION,
                                "sign: tx is not a digest");
        return;
    }
    uint8_t want[MPC_SECP256K1_POINT_BYTES];
    mpc_point_serialize(g, want, derive ? &child.pub : &k->share.pubkey);
    sign_run(o, st, &in, want, r);
}

void node_ops_ecdsa_sign_member(node_ops *o, const node_ops_start *st,
                                node_ops_result *r)
{
    if (!have_aux(o, &r->problem))
        return;
    node_ops_ecdsa_key *k = calloc(1, sizeof *k);
    if (k == NULL) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_NOMEM, "sign");
        return;
    }
    uint32_t version = 0;
    const char *ptr[NODE_OPS_COMMITTEE_MAX];
    if (ecdsa_key_load(o, k, &version, st->req.wallet_id.s,
                       st->msg->key_version, &r->problem)) {
        const mpc_cggmp_aux_info *aux = NULL;
        mpc_err e =
            node_auxinfo_acquire(o->cfg.aux, &aux, key_ids(k, ptr), k->n);
        if (e == MPC_OK)
            sign_with(o, st, k, version, aux, r);
        else if (e == MPC_ERR_NOT_FOUND)
            node_client_problem_set(&r->problem,
                                    NODE_CLIENT_FAIL_CLUSTER_NOT_READY,
                                    "sign: no ecdsa aux-info yet");
        else
            node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_STORAGE_READ,
                                    "sign: aux-info: %s", mpc_err_str(e));
        node_auxinfo_release(o->cfg.aux, aux);
    }
    node_ops_ecdsa_key_clear(o->cfg.ctx, k);
    free(k);
}

/* ---- aux-info ------------------------------------------------------------ */

void node_ops_aux_member(node_ops *o, const node_ops_start *st,
                         node_ops_result *r)
{
    if (!have_aux(o, &r->problem))
        return;
    uint8_t primes[NODE_AUXINFO_PRIMES_MAX_BYTES];
    size_t plen = 0;
    if (node_auxinfo_primes(o->cfg.aux, primes, sizeof primes, &plen) !=
        MPC_OK) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_PEER_UNAVAILABLE,
                                "aux-info: no paillier primes yet");
        return;
    }
    mpc_cggmp_aux_input in = {.params = node_auxinfo_params(o->cfg.aux),
                              .primes = primes,
                              .primes_len = plen};
    node_session_spec spec;
    node_ops_session_spec_init(o, &spec, st);
    spec.protocol = &mpc_cggmp_aux_protocol;
    spec.input = &in;
    node_session *s = NULL;
    mpc_err e = node_session_start(o->cfg.sessions, &s, &spec);
    mpc_wipe(primes, sizeof primes);
    if (e != MPC_OK) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_INTERNAL,
                                "aux-info: session: %s", mpc_err_str(e));
        return;
    }
    /* Filled by a move (zeroed on failure): nothing to init first. */
    mpc_cggmp_aux_info aux;
    mpc_blame blame;
    e = node_session_join(s, &aux, sizeof aux, &blame);
    if (e != MPC_OK) {
        node_ops_problem_from_session(&r->problem, e, &blame,
                                      NODE_CLIENT_FAIL_KEYGEN_PROTOCOL);
        return;
    }
    e = node_auxinfo_store(o->cfg.aux, st->parties, st->n_parties, &aux);
    if (e != MPC_OK)
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_STORAGE_WRITE,
                                "aux-info: store: %s", mpc_err_str(e));
    else
        node_log(NODE_LOG_INFO, "aux-info stored", "nodes=%zu coordinator=%s",
                 st->n_parties, st->parties[0]);
    mpc_cggmp_aux_info_clear(o->cfg.ctx, &aux);
}
