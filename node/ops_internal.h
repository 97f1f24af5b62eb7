/*
 * node/ops_internal.h — shared by ops.c, ops_keygen.c and ops_sign.c.
 */
#ifndef NODE_OPS_INTERNAL_H
#define NODE_OPS_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "mpc/frost.h"
#include "mpc/frost_session.h"
#include "mpc/group.h"
#include "node/ops.h"

/** Most members of a committee we store (the client protocol's bound). */
#define NODE_OPS_COMMITTEE_MAX NODE_CLIENT_NODES_MAX

/** Most member sessions this node runs at once; more starts are dropped
 *  (their coordinators time out at the barrier). */
#define NODE_OPS_MEMBERS_MAX 64
/** Session ids remembered, so a replayed SessionStart is not run twice. */
#define NODE_OPS_SEEN_MAX 4096

struct node_ops {
    node_ops_config cfg;
    node_sub *start_sub;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /** Member threads running. */
    size_t members;
    /** Session ids accepted lately (a ring; the oldest is forgotten). */
    uint8_t seen[NODE_OPS_SEEN_MAX][NODE_ENVELOPE_SID_BYTES];
    size_t n_seen;
    size_t seen_next;
};

/** A SessionStart, validated, as every member (coordinator too) sees it. */
typedef struct node_ops_start {
    uint8_t sid[NODE_ENVELOPE_SID_BYTES];
    node_envelope_op op;
    /** Parsed control message; owns the strings below. */
    Mpcium__V1__SessionStart *msg;
    const char *parties[MPC_SESSION_PARTIES_MAX];
    size_t n_parties;
    /** The client request, parsed and authenticated by this node. */
    node_client_request req;
} node_ops_start;

/** What a member's session produced. */
typedef struct node_ops_result {
    /** Set on failure (fail != 0). */
    node_client_problem problem;
    uint8_t eddsa_pub[32];
    bool has_ecdsa;
    uint8_t ecdsa_pub[33];
    uint8_t sig[64];
} node_ops_result;

/** A node's stored Ed25519 key: its package and the committee. */
typedef struct node_ops_key {
    mpc_frost_key_package key;
    size_t n;
    size_t self;
    char node_ids[NODE_OPS_COMMITTEE_MAX][NODE_ENVELOPE_ID_MAX_BYTES + 1];
    mpc_scalar ids[NODE_OPS_COMMITTEE_MAX];
    mpc_point vshares[NODE_OPS_COMMITTEE_MAX];
} node_ops_key;

/* ops.c */
mpc_err node_ops_key_store(node_ops *o, const char *wallet,
                           const mpc_frost_key_result *r,
                           const char *const *parties, size_t n);
/* MPC_ERR_NOT_FOUND when this node holds no key for the wallet. */
mpc_err node_ops_key_load(node_ops *o, node_ops_key *k, uint32_t *version,
                          const char *wallet, uint32_t want_version);
void node_ops_key_clear(node_ops_key *k);
void node_ops_session_spec_init(const node_ops *o, node_session_spec *spec,
                                const node_ops_start *st);
/* Maps a session failure onto the client problem. */
void node_ops_problem_from_session(node_client_problem *p, mpc_err e,
                                   const mpc_blame *b,
                                   node_client_fail protocol);

/* ops_keygen.c / ops_sign.c: a member's part, once the start is valid. */
void node_ops_keygen_member(node_ops *o, const node_ops_start *st,
                            node_ops_result *r);
void node_ops_sign_member(node_ops *o, const node_ops_start *st,
                          node_ops_result *r);
/* Picks the signers (committee order, self included); problem on error. */
bool node_ops_sign_committee(node_ops *o,
                             char (*parties)[NODE_ENVELOPE_ID_MAX_BYTES + 1],
                             size_t *n, uint32_t *version,
                             node_client_problem *p,
                             const node_client_request *req);

#endif /* NODE_OPS_INTERNAL_H */
