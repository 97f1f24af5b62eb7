/*
 * node/ops_keygen.c — a member's part of a keygen: FROST DKG on Ed25519,
 * then the share stored sealed (version 1, pending until the coordinator's
 * commit); then the CGGMP keygen (node/ops_ecdsa.c) among the same
 * parties.
 */
#include <stdlib.h>
#include <string.h>

#include "mpc/frost_session.h"
#include "node/ops_internal.h"

/* A wallet must not exist yet on this node (a retry after a failed keygen
 * whose abort did not reach us: its lapsed pending share is swept first). */
static bool wallet_is_new(node_ops *o, const char *wallet,
                          node_client_problem *p)
{
    node_ops_pending_sweep(o);
    uint8_t *b = NULL;
    size_t len = 0;
    uint32_t v = 0;
    mpc_err e = node_keystore_share_get_latest(o->cfg.ks, &v, &b, &len,
                                               NODE_KEYSTORE_ED25519, wallet);
    node_keystore_value_free(b, len);
    if (e == MPC_ERR_NOT_FOUND)
        return true;
    if (e == MPC_OK)
        node_client_problem_set(p, NODE_CLIENT_FAIL_KEY_EXISTS,
                                "keygen: wallet %s exists", wallet);
    else
        node_client_problem_set(p, NODE_CLIENT_FAIL_STORAGE_READ,
                                "keygen: keystore: %s", mpc_err_str(e));
    return false;
}

void node_ops_keygen_member(node_ops *o, const node_ops_start *st,
                            node_ops_result *r)
{
    const char *wallet = st->req.wallet_id.s;
    /* Every member enforces its own configured threshold: a coordinator
     * cannot lower it. */
    if (st->msg->threshold != o->cfg.threshold ||
        st->n_parties != ops_n_peers(o) + 1u) {
        node_client_problem_set(&r->problem,
                                NODE_CLIENT_FAIL_INSUFFICIENT_PARTICIPANTS,
                                "keygen: committee or threshold mismatch");
        return;
    }
    if (!wallet_is_new(o, wallet, &r->problem))
        return;
    node_session_spec spec;
    node_ops_session_spec_init(o, &spec, st);
    spec.protocol = &mpc_frost_dkg_protocol;
    node_session *s = NULL;
    mpc_frost_key_result key;
    memset(&key, 0, sizeof key);
    mpc_blame blame;
    mpc_err e = node_session_start(o->cfg.sessions, &s, &spec);
    if (e != MPC_OK) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_INTERNAL,
                                "keygen: session: %s", mpc_err_str(e));
        return;
    }
    e = node_session_join(s, &key, sizeof key, &blame);
    if (e != MPC_OK) {
        node_ops_problem_from_session(&r->problem, e, &blame,
                                      NODE_CLIENT_FAIL_KEYGEN_PROTOCOL);
        return;
    }
    e = node_ops_key_store(o, wallet, &key, st->parties, st->n_parties,
                           st->sid);
    if (e != MPC_OK)
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_STORAGE_WRITE,
                                "keygen: store: %s", mpc_err_str(e));
    else
        mpc_point_serialize(mpc_ctx_group(o->cfg.ctx, MPC_CURVE_ED25519),
                            r->eddsa_pub, &key.group_pk);
    mpc_frost_key_result_clear(&key);
    if (e == MPC_OK)
        node_ops_ecdsa_keygen(o, st, r);
}
