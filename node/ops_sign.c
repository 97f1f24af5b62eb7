/*
 * node/ops_sign.c — a member's part of an EdDSA signing: the signers'
 * identifiers from the stored committee, the derived child key, FROST
 * signing, and the signature checked before anyone publishes it. Signer
 * selection for both curves (ECDSA's in node/ops_ecdsa.c).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "mpc/frost_session.h"
#include "node/ops_internal.h"

static bool key_load(node_ops *o, node_ops_key *k, uint32_t *version,
                     const char *wallet, uint32_t want, node_client_problem *p)
{
    mpc_err e = node_ops_key_load(o, k, version, wallet, want);
    if (e == MPC_OK)
        return true;
    if (e == MPC_ERR_NOT_FOUND)
        node_client_problem_set(p, NODE_CLIENT_FAIL_KEY_NOT_FOUND,
                                "sign: no key for wallet %s", wallet);
    else
        node_client_problem_set(p, NODE_CLIENT_FAIL_STORAGE_READ,
                                "sign: keystore: %s", mpc_err_str(e));
    return false;
}

static bool is_eddsa(const node_client_request *req, node_client_problem *p)
{
    if (req->key_type == NODE_CLIENT_KEY_ED25519)
        return true;
    node_client_problem_set(p, NODE_CLIENT_FAIL_VALIDATION,
                            "sign: not an ed25519 request");
    return false;
}

bool node_ops_pick_signers(node_ops *o,
                           char (*parties)[NODE_ENVELOPE_ID_MAX_BYTES + 1],
                           size_t *n, node_client_problem *p,
                           const char *const *ids, size_t n_ids,
                           size_t self_pos, size_t t)
{
    /* This node and the first others of the committee that the liveness
     * view has up, in committee order. */
    *n = 0;
    size_t others = 0;
    for (size_t i = 0; i < n_ids && *n < t; i++) {
        bool self = i == self_pos;
        if (!self && (others + 1u >= t || !node_ops_peer_alive(o, ids[i])))
            continue;
        others += self ? 0u : 1u;
        memcpy(parties[(*n)++], ids[i], sizeof parties[0]);
    }
    if (*n == t)
        return true;
    node_client_problem_set(p, NODE_CLIENT_FAIL_INSUFFICIENT_PARTICIPANTS,
                            "sign: %zu of %zu signers alive", *n, t);
    return false;
}

bool node_ops_sign_committee(node_ops *o,
                             char (*parties)[NODE_ENVELOPE_ID_MAX_BYTES + 1],
                             size_t *n, uint32_t *version,
                             node_client_problem *p,
                             const node_client_request *req)
{
    *n = 0;
    if (req->key_type == NODE_CLIENT_KEY_SECP256K1)
        return node_ops_ecdsa_sign_committee(o, parties, n, version, p, req);
    if (!is_eddsa(req, p))
        return false;
    node_ops_key *k = calloc(1, sizeof *k);
    if (k == NULL) {
        node_client_problem_set(p, NODE_CLIENT_FAIL_NOMEM, "sign");
        return false;
    }
    const char *ids[NODE_OPS_COMMITTEE_MAX];
    bool ok = key_load(o, k, version, req->wallet_id.s, 0, p);
    for (size_t i = 0; ok && i < k->n; i++)
        ids[i] = k->node_ids[i];
    ok = ok && node_ops_pick_signers(o, parties, n, p, ids, k->n, k->self,
                                     k->key.threshold);
    node_ops_key_clear(k);
    free(k);
    return ok;
}

/* ids and verifying shares of the session's parties, in session order. */
static bool signers(const node_ops_key *k, const node_ops_start *st,
                    mpc_scalar *ids, mpc_point *vsh, node_client_problem *p)
{
    for (size_t i = 0; i < st->n_parties; i++) {
        size_t j = 0;
        while (j < k->n && strcmp(k->node_ids[j], st->parties[i]) != 0)
            j++;
        if (j == k->n) {
            node_client_problem_set(p, NODE_CLIENT_FAIL_VALIDATION,
                                    "sign: %s holds no share", st->parties[i]);
            return false;
        }
        ids[i] = k->ids[j];
        vsh[i] = k->vshares[j];
    }
    if (st->n_parties != k->key.threshold ||
        st->msg->threshold != k->key.threshold) {
        node_client_problem_set(p, NODE_CLIENT_FAIL_INSUFFICIENT_PARTICIPANTS,
                                "sign: need %zu signers", k->key.threshold);
        return false;
    }
    return true;
}

static void sign_with(node_ops *o, const node_ops_start *st,
                      const node_ops_key *k, node_ops_result *r)
{
    mpc_scalar sids[NODE_OPS_COMMITTEE_MAX];
    mpc_point vsh[NODE_OPS_COMMITTEE_MAX];
    if (st->n_parties > NODE_OPS_COMMITTEE_MAX ||
        !signers(k, st, sids, vsh, &r->problem))
        return;
    const mpc_group *g = mpc_ctx_group(o->cfg.ctx, MPC_CURVE_ED25519);
    mpc_hd_child child;
    bool derive = st->req.path_len > 0;
    if (derive && mpc_hd_derive(g, &child, &k->key.group_pk, o->cfg.chain_code,
                                st->req.path, st->req.path_len) != MPC_OK) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_VALIDATION,
                                "sign: derivation path");
        return;
    }
    mpc_frost_sign_input in = {.key = &k->key,
                               .ids = sids,
                               .vshares = vsh,
                               .n_signers = st->n_parties,
                               .msg = st->req.tx,
                               .msg_len = st->req.tx_len,
                               .derive = derive ? &child : NULL};
    node_session_spec spec;
    node_ops_session_spec_init(o, &spec, st);
    spec.protocol = &mpc_frost_sign_protocol;
    spec.input = &in;
    node_session *s = NULL;
    mpc_err e = node_session_start(o->cfg.sessions, &s, &spec);
    if (e != MPC_OK) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_INTERNAL,
                                "sign: session: %s", mpc_err_str(e));
        return;
    }
    mpc_frost_sign_result res;
    mpc_blame blame;
    e = node_session_join(s, &res, sizeof res, &blame);
    if (e != MPC_OK) {
        node_ops_problem_from_session(&r->problem, e, &blame,
                                      NODE_CLIENT_FAIL_SIGNING_PROTOCOL);
        return;
    }
    /* The key we expected, and a signature any verifier accepts. */
    uint8_t want[32];
    mpc_point_serialize(g, want, derive ? &child.pub : &k->key.group_pk);
    if (memcmp(want, res.pk, sizeof want) != 0 ||
        crypto_sign_verify_detached(res.sig, st->req.tx, st->req.tx_len,
                                    res.pk) != 0) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_SIGNATURE_CHECK,
                                "sign: signature does not verify");
        return;
    }
    memcpy(r->sig, res.sig, sizeof r->sig);
    memcpy(r->eddsa_pub, res.pk, sizeof r->eddsa_pub);
}

void node_ops_sign_member(node_ops *o, const node_ops_start *st,
                          node_ops_result *r)
{
    if (!is_eddsa(&st->req, &r->problem))
        return;
    node_ops_key *k = calloc(1, sizeof *k);
    if (k == NULL) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_NOMEM, "sign");
        return;
    }
    uint32_t version = 0;
    if (key_load(o, k, &version, st->req.wallet_id.s, st->msg->key_version,
                 &r->problem))
        sign_with(o, st, k, r);
    node_ops_key_clear(k);
    free(k);
}
