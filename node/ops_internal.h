/*
 * node/ops_internal.h — shared by ops.c, ops_keygen.c and ops_sign.c.
 */
#ifndef NODE_OPS_INTERNAL_H
#define NODE_OPS_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "mpc/cggmp.h"
#include "mpc/cggmp_sign.h"
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
/** Slots of the cache of key records' parsed public points (ops.c). */
#define NODE_OPS_POINTS_MAX 256

/* A public Ed25519 point of a key record (group key, verifying share) that
 * mpc_point_parse accepted: its encoding and the parsed point. */
typedef struct node_ops_point_slot {
    bool used;
    uint8_t enc[32];
    mpc_point p;
} node_ops_point_slot;

struct node_ops {
    node_ops_config cfg;
    node_sub *start_sub;
    /* ops_reshare.c: reshare commits, and mpc:reshare (core NATS). */
    node_sub *commit_sub;
    node_sub *core_sub;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /** Member threads running. */
    size_t members;
    /** Session ids accepted lately (a ring; the oldest is forgotten). */
    uint8_t seen[NODE_OPS_SEEN_MAX][NODE_ENVELOPE_SID_BYTES];
    size_t n_seen;
    size_t seen_next;
    /** Parsing a point checks its subgroup (a scalar multiplication): every
     *  signing parses its key record's n + 1 points again, so the points
     *  accepted lately are kept, by encoding, direct-mapped (guarded by
     *  mu). Public values only; the share is parsed from the record each
     *  time. */
    node_ops_point_slot points[NODE_OPS_POINTS_MAX];
};

/* Peers known now: the peers reload (SIGHUP, node_ops_peers_grow) raises
 * cfg.n_peers while requests run, so every read goes through here. */
static inline size_t ops_n_peers(const node_ops *o)
{
    return __atomic_load_n(&o->cfg.n_peers, __ATOMIC_ACQUIRE);
}

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
    /* EdDSA: R || S; ECDSA: r || s (low-S) and the recovery id. */
    uint8_t sig[64];
    uint8_t recid;
    /* Reshare: this member stored its new share; presign: its
     * presignature. */
    bool stored;
    /* Presign (coordinator): presignatures every signer stored. */
    uint32_t generated;
    /* Pooled sign (ops_pool.c): this member's share is sig[0..32]. */
    bool pooled;
    /* Pooled sign, the coordinator's own part: where its presignature is
     * kept (consumed) for the combine; NULL at other members. */
    mpc_cggmp_presig *keep;
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

/* A node's stored secp256k1 key: its CGGMP share (arrays allocated with
 * the node's ctx) and the committee in share order (sorted ids). */
typedef struct node_ops_ecdsa_key {
    mpc_cggmp_key_share share;
    size_t n;
    char node_ids[NODE_OPS_COMMITTEE_MAX][NODE_ENVELOPE_ID_MAX_BYTES + 1];
} node_ops_ecdsa_key;

/* ops_ecdsa.c: key records (share version `version`, curve secp256k1):
 *   u8 format (1) | u8 n | n times (u8 len | node id) |
 *   mpc_cggmp_key_share_encode bytes (SECRET: stored sealed only).
 * The record's committee is the share's, position by position. */
mpc_err node_ops_ecdsa_record_encode(const mpc_ctx *ctx, uint8_t **out,
                                     size_t *len, const mpc_cggmp_key_share *ks,
                                     const char *const *ids, size_t n);
/* `k` zeroed by the caller; node_ops_ecdsa_key_clear releases it. */
mpc_err node_ops_ecdsa_record_parse(const mpc_ctx *ctx, node_ops_ecdsa_key *k,
                                    const uint8_t *b, size_t len);
/* Stored PENDING for session `sid` (its commit makes it usable). */
mpc_err node_ops_ecdsa_key_store(node_ops *o, const char *wallet,
                                 uint32_t version,
                                 const mpc_cggmp_key_share *ks,
                                 const char *const *ids, size_t n,
                                 const uint8_t sid[NODE_ENVELOPE_SID_BYTES]);
/* want_version 0: the version in force, the oldest held (a reshare's newer
 * one waits for its commit). MPC_ERR_NOT_FOUND when none. */
mpc_err node_ops_ecdsa_key_load(node_ops *o, node_ops_ecdsa_key *k,
                                uint32_t *version, const char *wallet,
                                uint32_t want_version);
void node_ops_ecdsa_key_clear(const mpc_ctx *ctx, node_ops_ecdsa_key *k);
/* The presignature binding's key id: SHA-256 of a domain, the joint key
 * and the committee ids. */
void node_ops_ecdsa_key_id(uint8_t out[32], const mpc_group *g,
                           const node_ops_ecdsa_key *k);
/* After the Ed25519 key is stored: the CGGMP keygen among the same
 * parties (sorted), its share stored as version 1. */
void node_ops_ecdsa_keygen(node_ops *o, const node_ops_start *st,
                           node_ops_result *r);
bool node_ops_ecdsa_sign_committee(
    node_ops *o, char (*parties)[NODE_ENVELOPE_ID_MAX_BYTES + 1], size_t *n,
    uint32_t *version, node_client_problem *p, const node_client_request *req);
void node_ops_ecdsa_sign_member(node_ops *o, const node_ops_start *st,
                                node_ops_result *r);
void node_ops_aux_member(node_ops *o, const node_ops_start *st,
                         node_ops_result *r);

/* ops.c */
mpc_err node_ops_key_store(node_ops *o, const char *wallet,
                           const mpc_frost_key_result *r,
                           const char *const *parties, size_t n,
                           const uint8_t sid[NODE_ENVELOPE_SID_BYTES]);
/* want_version 0: the version in force, the oldest held (a reshare's newer
 * one waits for its commit). MPC_ERR_NOT_FOUND when this node holds no key
 * for the wallet. */
mpc_err node_ops_key_load(node_ops *o, node_ops_key *k, uint32_t *version,
                          const char *wallet, uint32_t want_version);
void node_ops_key_clear(node_ops_key *k);
void node_ops_session_spec_init(const node_ops *o, node_session_spec *spec,
                                const node_ops_start *st);
/* Maps a session failure onto the client problem. */
void node_ops_problem_from_session(node_client_problem *p, mpc_err e,
                                   const mpc_blame *b,
                                   node_client_fail protocol);

/* ops.c: a key record stored as share version `version`, PENDING for
 * session `sid` until its coordinator's commit (docs/storage.md "Pending
 * shares"). */
mpc_err node_ops_key_store_version(node_ops *o, const char *wallet,
                                   const mpc_frost_key_result *r,
                                   const char *const *parties, size_t n,
                                   uint32_t version,
                                   const uint8_t sid[NODE_ENVELOPE_SID_BYTES]);
/* ops.c: the wall clock in ms (pending-share markers). */
uint64_t node_ops_wall_ms(void);
/* ops.c: the keystore's name of a session: its id in lower-case hex. */
void node_ops_sid_hex(char out[2 * NODE_ENVELOPE_SID_BYTES + 1],
                      const uint8_t sid[NODE_ENVELOPE_SID_BYTES]);
/* ops.c: deletes the pending shares whose sessions have ended long ago
 * (their commit or abort can no longer come; failures are logged). */
void node_ops_pending_sweep(node_ops *o);
/* ops.c: accepts a SessionStart made by this node (its own member part):
 * records the sid and checks it as every member does. */
bool node_ops_start_open(node_ops *o, node_ops_start *st,
                         node_client_problem *p,
                         const uint8_t sid[NODE_ENVELOPE_SID_BYTES],
                         node_envelope_op op, const uint8_t *bytes, size_t len);
/* Releases what node_ops_start_open filled (a zeroed `st` is fine). */
void node_ops_start_free(node_ops_start *st);

/* ops_pool.c: a presign member's session (op PRESIGN_ECDSA, input built
 * by ops_ecdsa.c as for signing): runs mpc_cggmp_presign_protocol and
 * stores the presignature in cfg.pool under the set key of (st->parties,
 * st->req.path); r->stored on success. */
void node_ops_presign_run(node_ops *o, const node_ops_start *st,
                          const mpc_cggmp_presign_input *in, uint32_t version,
                          node_ops_result *r);

/* ops_pool.c: pooled signing. The presignature id on the wire
 * (SessionStart.presignature_id): 8 bytes, big-endian. */
#define NODE_OPS_POOL_ID_BYTES 8
uint64_t node_ops_pool_id_get(const uint8_t b[NODE_OPS_POOL_ID_BYTES]);
void node_ops_pool_id_put(uint8_t b[NODE_OPS_POOL_ID_BYTES], uint64_t v);
/* Coordinator: a presignature (any, picked at random) of (wallet, version,
 * parties, path) in this node's pool; false when none or the request may not
 * use the pool (no "hash": a raw digest is never pooled). */
bool node_ops_pool_pick(node_ops *o, uint64_t *id,
                        const node_client_request *req,
                        const char *const *parties, size_t n, uint32_t version);
/* Member (coordinator too): takes the named presignature out of the pool,
 * checks its binding against this node's own view and makes its share
 * (r->sig[0..32], r->pooled, r->ecdsa_pub = the signing key). */
void node_ops_pool_share(node_ops *o, const node_ops_start *st,
                         const node_ops_ecdsa_key *k, uint32_t version,
                         const uint32_t *pos, const mpc_hd_child *child,
                         node_ops_result *r);
/* Coordinator: combines the shares (parties order = the presignature's
 * positions) into r->sig / r->recid, verified; problem on failure. */
void node_ops_pool_combine(node_ops *o, node_ops_result *r,
                           const node_client_request *req,
                           const mpc_cggmp_presig *p,
                           const char *const *parties, size_t n,
                           const uint8_t (*shares)[MPC_CGGMP_SIGN_SHARE_BYTES]);
/* Reshare commit: deletes this node's presignatures of `wallet` made with
 * share versions below `version` (logged; a failure only leaves dead
 * entries behind). */
void node_ops_pool_purge(node_ops *o, const char *wallet, uint32_t version);
/* ops_ecdsa.c: libsecp256k1 verifies sig under pub33 for digest, and its
 * recovery id recovers pub33. */
bool node_ops_ecdsa_verify(const uint8_t pub33[33], const uint8_t digest[32],
                           const mpc_ecdsa_signature *sig);

/* ops_reshare.c: reshare (docs/operations.md "Reshare"). */
#define NODE_OPS_COMMIT_SUBJECT "mpcium.v1.commit"
void node_ops_reshare_coordinate(node_ops *o, node_ops_result *r,
                                 const node_client_request *req,
                                 const uint8_t *body, size_t len);
void node_ops_reshare_member(node_ops *o, const node_ops_start *st,
                             node_ops_result *r);
/* True when this node holds no share of the wallet but key info says
 * others do: the request is left for one of them (redelivered). */
bool node_ops_reshare_defer(node_ops *o, const node_client_request *req);
mpc_err node_ops_reshare_encode(uint8_t **out, size_t *len,
                                const node_client_request *req,
                                const node_ops_result *r);
/* Applies the reshare commit of (curve, wallet) kept in NATS KV, if any
 * and if its signatures verify (ops_reshare.c "commit delivery"): for a
 * node that missed the commit message. */
void node_ops_reshare_catch_up(node_ops *o, node_keystore_curve curve,
                               const char *wallet);
/* If share `version` of (curve, wallet) is pending, applies the commit
 * kept in KV for it (keygen's for version 1, else the reshare's): a
 * request right after a keygen or reshare may reach us before its commit
 * message. */
/* The subject on which members report a session's result to its
 * coordinator ("mpcium.v1.r.<sid hex>"). */
void node_ops_result_subject(char *out, size_t cap, const uint8_t *sid);
/* Waits, at most wait_ms, until *n_got + 1 == n (every party but us
 * reported); *n_got is guarded by mu and signalled on cv (CLOCK_MONOTONIC). */
void node_ops_reports_wait(pthread_mutex_t *mu, pthread_cond_t *cv,
                           const size_t *n_got, size_t n, uint64_t wait_ms);
/* Applies every commit kept in KV (verified as a live commit is). */
void node_ops_commits_catch_up_all(node_ops *o);
void node_ops_commit_catch_up(node_ops *o, node_keystore_curve curve,
                              const char *wallet, uint32_t version);
/* The coordinator's end of a keygen or reshare session (op, sid, its
 * SessionStart bytes): a commit (every member stored its share: the
 * pending shares become the key, kept in KV too) or, with `abort`, a
 * roll-back (every node deletes the shares this session stored). Sent to
 * every node and applied here. */
void node_ops_session_commit(node_ops *o, node_envelope_op op,
                             const uint8_t sid[NODE_ENVELOPE_SID_BYTES],
                             const uint8_t *start, size_t len,
                             const char *wallet, bool abort);

/* Subscribes to commits and to mpc:reshare, then applies the commits kept
 * in KV; unlisten undoes the subscriptions. */
mpc_err node_ops_reshare_listen(node_ops *o);
void node_ops_reshare_unlisten(node_ops *o);

/* ops_reshare.c: key info in NATS KV (cfg.registry), written by the
 * coordinator once every member stored the key; informational, so a
 * failure is logged and the request still succeeds. */
void node_ops_keyinfo_publish(node_ops *o, const char *wallet,
                              const node_ops_result *r,
                              const char *const *parties, size_t n,
                              uint32_t threshold, uint32_t version);

/* ops_keygen.c / ops_sign.c: a member's part, once the start is valid. */
void node_ops_keygen_member(node_ops *o, const node_ops_start *st,
                            node_ops_result *r);
void node_ops_sign_member(node_ops *o, const node_ops_start *st,
                          node_ops_result *r);
/* The liveness view (cfg.peer_alive; true when none is configured). */
bool node_ops_peer_alive(const node_ops *o, const char *node_id);
/* `t` signers of the committee `ids` (committee order): this node (at
 * self_pos) and the first others the liveness view has up; problem
 * (INSUFFICIENT_PARTICIPANTS) when fewer are up. */
bool node_ops_pick_signers(node_ops *o,
                           char (*parties)[NODE_ENVELOPE_ID_MAX_BYTES + 1],
                           size_t *n, node_client_problem *p,
                           const char *const *ids, size_t n_ids,
                           size_t self_pos, size_t t);
/* Picks the signers (committee order, self included, peers the liveness
 * view has down skipped); problem on error. */
bool node_ops_sign_committee(node_ops *o,
                             char (*parties)[NODE_ENVELOPE_ID_MAX_BYTES + 1],
                             size_t *n, uint32_t *version,
                             node_client_problem *p,
                             const node_client_request *req);

#endif /* NODE_OPS_INTERNAL_H */
