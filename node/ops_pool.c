/*
 * node/ops_pool.c — presignature pools, a member's part (docs/operations.md
 * "Presignature pools").
 *
 * Warming: the coordinator of a PRESIGN request (ops.c) runs `count`
 * sessions of op PRESIGN_ECDSA among the signer set; every signer runs the
 * CGGMP presign protocol on the input signing would use (ops_ecdsa.c:
 * key, committee aux-info, positions, key id, version, the request's
 * derivation) and stores its presignature in the pool under
 *   (wallet, key version, set = node_presign_set_key(signers, path),
 *    id = the first 8 bytes of the session id).
 * Every signer computes the same key, so a coordinator can later name a
 * presignature by its id alone. A presignature stored at some signers but
 * not all is useless, not dangerous: it can only be released by a pooled
 * sign that every signer of its set joins, and each is released once.
 */
#include "node/ops_internal.h"

#include <stdlib.h>
#include <string.h>

#include "mpc/msghash.h"
#include "node/log.h"
#include "node/presign.h"

#define SECP MPC_CURVE_SECP256K1

void node_ops_presign_run(node_ops *o, const node_ops_start *st,
                          const mpc_cggmp_presign_input *in, uint32_t version,
                          node_ops_result *r)
{
    if (o->cfg.pool == NULL) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_CONFIG,
                                "presign: no presignature pool");
        return;
    }
    uint8_t set[NODE_PRESIGN_SET_BYTES];
    if (node_presign_set_key(set, st->parties, st->n_parties, st->req.path,
                             st->req.path_len) != MPC_OK) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_VALIDATION,
                                "presign: signer set");
        return;
    }
    node_session_spec spec;
    node_ops_session_spec_init(o, &spec, st);
    spec.protocol = &mpc_cggmp_presign_protocol;
    spec.input = in;
    node_session *s = NULL;
    mpc_err e = node_session_start(o->cfg.sessions, &s, &spec);
    if (e != MPC_OK) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_INTERNAL,
                                "presign: session: %s", mpc_err_str(e));
        return;
    }
    /* Filled by a move (zeroed on failure). SECRET: k_i, chi_i. */
    mpc_cggmp_presig p;
    mpc_blame blame;
    e = node_session_join(s, &p, sizeof p, &blame);
    if (e != MPC_OK) {
        node_ops_problem_from_session(&r->problem, e, &blame,
                                      NODE_CLIENT_FAIL_SIGNING_PROTOCOL);
        return;
    }
    uint64_t id = 0;
    e = node_presign_store(o->cfg.pool, mpc_ctx_group(o->cfg.ctx, SECP),
                           st->req.wallet_id.s, version, set, sizeof set, &p,
                           &id);
    mpc_cggmp_presig_clear(&p);
    if (e != MPC_OK) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_STORAGE_WRITE,
                                "presign: pool: %s", mpc_err_str(e));
        return;
    }
    r->stored = true;
    node_log(NODE_LOG_INFO, "presignature stored",
             "wallet=%s version=%u id=%016llx", st->req.wallet_id.s, version,
             (unsigned long long)id);
}

/* ---- pooled sign ---------------------------------------------------------
 *
 * The coordinator of an ECDSA request with "hash" (a preimage: a raw digest
 * never uses the pool, as a presignature used on a chosen digest leaks the
 * key, crypto.md §2.7) names one pool entry of its signer set (at random)
 * in SessionStart.presignature_id (8 bytes, big-endian). Every signer
 * takes that presignature out of its pool (a durable delete before use),
 * recomputes the binding locally (key id, version, signer bitset, tweak of
 * the request's path), makes its share and sends it in
 * SessionResult.signature (32 bytes); the coordinator combines. Any failure
 * burns the presignatures taken (never reused) and the coordinator falls
 * back to an interactive session. */

uint64_t node_ops_pool_id_get(const uint8_t b[NODE_OPS_POOL_ID_BYTES])
{
    uint64_t v = 0;
    for (size_t i = 0; i < NODE_OPS_POOL_ID_BYTES; i++)
        v = (v << 8) | b[i];
    return v;
}

void node_ops_pool_id_put(uint8_t b[NODE_OPS_POOL_ID_BYTES], uint64_t v)
{
    for (size_t i = NODE_OPS_POOL_ID_BYTES; i-- > 0; v >>= 8)
        b[i] = (uint8_t)v;
}

bool node_ops_pool_pick(node_ops *o, uint64_t *id,
                        const node_client_request *req,
                        const char *const *parties, size_t n, uint32_t version)
{
    uint8_t set[NODE_PRESIGN_SET_BYTES];
    size_t count = 0;
    *id = 0;
    if (o->cfg.pool == NULL || req->hash == 0 ||
        req->key_type != NODE_CLIENT_KEY_SECP256K1 ||
        node_presign_set_key(set, parties, n, req->path, req->path_len) !=
            MPC_OK ||
        node_presign_count(o->cfg.pool, &count, req->wallet_id.s, version, set,
                           sizeof set) != MPC_OK ||
        count == 0)
        return false;
    /* One more slot than counted, as a warming may add one meanwhile. */
    uint64_t *ids = calloc(count + 1u, sizeof *ids);
    bool ok =
        ids != NULL &&
        node_presign_ids(o->cfg.pool, ids, count + 1u, &count, req->wallet_id.s,
                         version, set, sizeof set) == MPC_OK &&
        count > 0;
    /* A random entry (ids are public): concurrent signings of one wallet
     * then rarely name the same one, which would burn it and fall back. */
    if (ok) {
        uint8_t rnd[4];
        mpc_ctx_random(o->cfg.ctx, rnd, sizeof rnd);
        uint32_t r = (uint32_t)rnd[0] << 24 | (uint32_t)rnd[1] << 16 |
                     (uint32_t)rnd[2] << 8 | rnd[3];
        *id = ids[r % count];
    }
    free(ids);
    return ok;
}

/* The binding this signer expects, recomputed from its own key record. */
static bool expected(node_ops *o, mpc_cggmp_sign_request *sr,
                     const node_ops_start *st, const node_ops_ecdsa_key *k,
                     uint32_t version, const uint32_t *pos,
                     const mpc_hd_child *child)
{
    const mpc_group *g = mpc_ctx_group(o->cfg.ctx, SECP);
    memset(sr, 0, sizeof *sr);
    node_ops_ecdsa_key_id(sr->key_id, g, k);
    sr->key_version = version;
    for (size_t i = 0; i < st->n_parties; i++)
        sr->signers[pos[i] / 8] |= (uint8_t)(1u << (pos[i] % 8));
    mpc_scalar_set_zero(&sr->tweak);
    if (child != NULL &&
        mpc_scalar_parse(g, &sr->tweak, child->delta.v) != MPC_OK)
        return false;
    sr->alg = st->req.hash;
    sr->msg = st->req.tx;
    sr->msg_len = st->req.tx_len;
    return true;
}

void node_ops_pool_share(node_ops *o, const node_ops_start *st,
                         const node_ops_ecdsa_key *k, uint32_t version,
                         const uint32_t *pos, const mpc_hd_child *child,
                         node_ops_result *r)
{
    const mpc_group *g = mpc_ctx_group(o->cfg.ctx, SECP);
    uint8_t set[NODE_PRESIGN_SET_BYTES];
    mpc_cggmp_sign_request sr;
    if (o->cfg.pool == NULL || st->req.hash == 0 ||
        st->msg->presignature_id.len != NODE_OPS_POOL_ID_BYTES ||
        node_presign_set_key(set, st->parties, st->n_parties, st->req.path,
                             st->req.path_len) != MPC_OK ||
        !expected(o, &sr, st, k, version, pos, child)) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_VALIDATION,
                                "sign: not a pooled signing");
        return;
    }
    uint64_t id = node_ops_pool_id_get(st->msg->presignature_id.data);
    /* The coordinator keeps its (consumed) presignature to combine. */
    mpc_cggmp_presig *p = r->keep != NULL ? r->keep : calloc(1, sizeof *p);
    if (p == NULL) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_NOMEM, "sign");
        return;
    }
    mpc_err e = node_presign_take_presig(o->cfg.pool, g, p, st->req.wallet_id.s,
                                         version, set, sizeof set, id);
    if (e == MPC_OK)
        e = mpc_cggmp_sign_share(g, r->sig, p, &sr);
    if (r->keep == NULL) {
        mpc_cggmp_presig_clear(p);
        free(p);
    }
    if (e != MPC_OK) {
        node_client_problem_set(&r->problem,
                                e == MPC_ERR_NOT_FOUND
                                    ? NODE_CLIENT_FAIL_KEY_NOT_FOUND
                                    : NODE_CLIENT_FAIL_SIGNING_PROTOCOL,
                                "sign: presignature %016llx: %s",
                                (unsigned long long)id, mpc_err_str(e));
        return;
    }
    mpc_point_serialize(g, r->ecdsa_pub,
                        child != NULL ? &child->pub : &k->share.pubkey);
    r->has_ecdsa = true;
    r->pooled = true;
    r->stored = true;
    node_log(NODE_LOG_INFO, "presignature used", "wallet=%s id=%016llx",
             st->req.wallet_id.s, (unsigned long long)id);
}

void node_ops_pool_combine(node_ops *o, node_ops_result *r,
                           const node_client_request *req,
                           const mpc_cggmp_presig *p,
                           const char *const *parties, size_t n,
                           const uint8_t (*shares)[MPC_CGGMP_SIGN_SHARE_BYTES])
{
    const mpc_group *g = mpc_ctx_group(o->cfg.ctx, SECP);
    uint8_t digest[MPC_ECDSA_DIGEST_BYTES];
    mpc_point pub;
    mpc_cggmp_combine_input in;
    mpc_cggmp_combine_input_set_presig(&in, p);
    if (in.count != n ||
        mpc_msghash(digest, req->hash, req->tx, req->tx_len) != MPC_OK ||
        mpc_point_parse(g, &pub, r->ecdsa_pub, sizeof r->ecdsa_pub) != MPC_OK) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_INTERNAL,
                                "sign: pooled combine input");
        return;
    }
    in.pubkey = &pub;
    in.digest = digest;
    in.shares = shares;
    mpc_ecdsa_signature sig;
    mpc_blame b;
    mpc_err e = mpc_cggmp_sign_combine(g, &sig, &b, &in);
    if (e != MPC_OK) {
        /* The blame names committee positions: name their nodes. */
        const char *who = "nobody";
        for (size_t i = 0; i < n; i++)
            if (mpc_blame_has(&b, p->positions[i]))
                who = parties[i];
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_SIGNING_PROTOCOL,
                                "sign: pooled share of %s: %s", who,
                                mpc_err_str(e));
        return;
    }
    if (!node_ops_ecdsa_verify(r->ecdsa_pub, digest, &sig)) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_SIGNATURE_CHECK,
                                "sign: signature does not verify");
        return;
    }
    memcpy(r->sig, sig.r, 32);
    memcpy(r->sig + 32, sig.s, 32);
    r->recid = sig.recid;
}

void node_ops_pool_purge(node_ops *o, const char *wallet, uint32_t version)
{
    size_t deleted = 0;
    if (o->cfg.pool == NULL)
        return;
    mpc_err e =
        node_presign_purge_below(o->cfg.pool, &deleted, wallet, version);
    node_log(e == MPC_OK ? NODE_LOG_INFO : NODE_LOG_WARN,
             "presignatures purged", "wallet=%s below=%u deleted=%zu err=%s",
             wallet, version, deleted, mpc_err_str(e));
}
