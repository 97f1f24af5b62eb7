/*
 * node/ops.h — client operations end to end: a request in, one mpcium
 * result out (keygen of both curves, EdDSA and interactive ECDSA signing),
 * and the node-internal aux-info session of ECDSA.
 *
 * Coordinator (node_ops_handle, called by the intake loop with a request
 * pulled from the shared durable consumer):
 *   parse and authenticate the request (node/client_proto.h); check the
 *   processed-request record (keystore): a finished duplicate gets its
 *   stored result again (same Nats-Msg-Id, so JetStream drops the copy), a
 *   running one or one with other content gets ERROR_SESSION_DUPLICATE;
 *   pick the committee (keygen: every node of the peers file; sign:
 *   `threshold` holders of the key, this node first); fan out a signed
 *   SessionStart on NODE_OPS_START_SUBJECT; run its own member part;
 *   collect the other members' SessionResults (keygen succeeds only when
 *   every member reports the same key stored; a failure names the member
 *   that refused or failed); and publish the one result (JetStream,
 *   Nats-Msg-Id) on the request's client-scoped result subject. Failures
 *   before the session are answered at once with the mapped mpcium code.
 * Member (every node, node_ops_listen): opens the SessionStart, refuses a
 *   session id it has seen before, checks the request itself (initiator
 *   signature, key, committee, threshold), runs its session on a thread of
 *   its own (node/sessions.h, at most NODE_OPS_MEMBERS_MAX at once), stores
 *   what it must (keygen: its share, sealed, version 1), and sends its
 *   SessionResult, a refusal included, to the coordinator on
 *   "mpcium.v1.r.<sid hex>".
 *
 * Key records: a node stores, per wallet, its FROST key package with the
 * committee (node ids, identifiers, verifying shares) as Ed25519 share
 * version 1 (layout in ops.c), and its CGGMP share with the committee ids
 * as secp256k1 share version 1 (layout in ops_internal.h). ECDSA sessions
 * run their parties in ascending node-id order, the committee aux-info's
 * order (node/auxinfo.h); an ECDSA signing before that aux-info exists is
 * answered at once with ERROR_CLUSTER_NOT_READY.
 *
 * Reshare (ops_reshare.c, docs/operations.md "Reshare"): also on core
 *   NATS "mpc:reshare", which every node moves into the mpc-reshare stream
 *   under one Nats-Msg-Id; the coordinator must hold the key (others leave
 *   the request to it); dealers = the coordinator and the next live old
 *   holders, exactly the old threshold; new members store share version
 *   v + 1; once all reported it stored, a signed commit on
 *   "mpcium.v1.commit" makes every node delete the old version. Signing
 *   uses the oldest version a node holds. Key info goes to NATS KV
 *   (cfg.registry) after keygen and reshare.
 *
 * Presignature pools (ops_pool.c, docs/operations.md "Presignature
 *   pools"): a PRESIGN request runs `count` presign sessions whose
 *   signers store their presignatures in cfg.pool; an ECDSA signing with
 *   "hash" whose signer set has pool entries names one in
 *   SessionStart.presignature_id, every signer takes it out and sends its
 *   share, the coordinator combines; any failure falls back to an
 *   interactive session. A reshare commit purges the old versions.
 *
 * Not yet here (docs/operations.md): SessionAck and roll-back of shares
 * stored by members of a keygen that failed elsewhere; early abort when a
 * member refuses (the others wait for the barrier).
 *
 * Threads: node_ops_handle may be called from several threads; member
 * work runs on threads the ops object owns and waits for in node_ops_free.
 */
#ifndef NODE_OPS_H
#define NODE_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/hd.h"
#include "node/auxinfo.h"
#include "node/client_proto.h"
#include "node/envelope.h"
#include "node/keystore.h"
#include "node/presign.h"
#include "node/registry.h"
#include "node/sessions.h"
#include "node/transport.h"

/** Where coordinators fan out SessionStart envelopes. */
#define NODE_OPS_START_SUBJECT "mpcium.v1.start"

/** Everything the ops object borrows (all must outlive it). */
typedef struct node_ops_config {
    node_transport *t;
    const mpc_ctx *ctx;
    const node_envelope_self *self;
    const node_envelope_peer *peers;
    size_t n_peers;
    node_sessions *sessions;
    node_keystore *ks;
    /** Signers of new keys (our meaning), 2..n_peers + 1. */
    uint32_t threshold;
    /** mpcium's chain code for derivation paths. */
    uint8_t chain_code[MPC_HD_CHAIN_CODE_BYTES];
    /** The initiator key every request must be signed with. */
    node_key_alg initiator_alg;
    const uint8_t *initiator_key;
    size_t initiator_key_len;
    /** Authorizer policy; NULL: disabled. */
    const node_client_auth_policy *auth;
    /** Accept signatures that do not cover the derivation path. */
    bool allow_legacy_path;
    /** 0: the defaults of node/sessions.h. */
    uint32_t round_timeout_ms;
    uint32_t barrier_timeout_ms;
    /** Paillier primes and committee aux-info (node/auxinfo.h); NULL: no
     *  ECDSA (keygen then reports ecdsa_pub_key null, ECDSA signing is
     *  refused with ERROR_INVALID_CONFIGURATION). */
    node_auxinfo *aux;
    /** Liveness view (node/liveness.h): signer selection skips peers for
     *  which it returns false. NULL: every peer counts as alive. */
    bool (*peer_alive)(void *ud, const char *node_id);
    void *peer_alive_ud;
    /** Where the coordinator publishes key info after a keygen or reshare
     *  (informational, for clients and operators). NULL: nowhere. */
    node_registry *registry;
    /** ECDSA presignature pool (node/presign.h, docs/operations.md
     *  "Presignature pools"); NULL: presign requests are refused with
     *  ERROR_INVALID_CONFIGURATION. */
    node_presign_pool *pool;
} node_ops_config;

typedef struct node_ops node_ops;

/**
 * Makes the ops object (it copies `cfg`, borrowing what it points to).
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (a NULL, threshold out of range,
 *          a bad initiator key); MPC_ERR_NOMEM. `*out` NULL on error.
 */
MPC_WARN_UNUSED mpc_err node_ops_new(node_ops **out,
                                     const node_ops_config *cfg);

/**
 * Subscribes to NODE_OPS_START_SUBJECT: from then on this node joins the
 * sessions other coordinators start.
 * Returns: MPC_OK; MPC_ERR_STATE (already listening); transport errors.
 */
MPC_WARN_UNUSED mpc_err node_ops_listen(node_ops *o);

/**
 * Coordinates one aux-info session among `ids` (every node of the
 * committee, sorted; this node among them): a SessionStart without a
 * client request, then every member runs mpc_cggmp_aux_protocol with its
 * primes and stores the result (node_auxinfo_store). A node_auxinfo_run_fn
 * (ud = the node_ops).
 * Returns: MPC_OK when every member reported its aux-info stored;
 *          MPC_ERR_TIMEOUT (a member silent or a round timed out);
 *          MPC_ERR_PROTOCOL (a member failed or refused); MPC_ERR_STATE
 *          (no aux object); MPC_ERR_NOMEM; MPC_ERR_UNAVAILABLE (a
 *          member is not ready in the liveness view, or no fan-out: no
 *          session was run).
 */
MPC_WARN_UNUSED mpc_err node_ops_aux_run(void *ud, const char *const *ids,
                                         size_t n);

/**
 * The peers array given in node_ops_config now has `n_peers` entries (the
 * operator added nodes; the entries before are unchanged).
 */
void node_ops_peers_grow(node_ops *o, size_t n_peers);

/** Stops listening, waits for member threads, frees. NULL ok. */
void node_ops_free(node_ops *o);

/** What node_ops_handle published. */
typedef struct node_ops_outcome {
    /** The result subject and Nats-Msg-Id used. */
    char subject[NODE_CLIENT_NAME_MAX_BYTES];
    char msg_id[NODE_CLIENT_NAME_MAX_BYTES];
    /** The result JSON (malloc; free with node_ops_outcome_clear). */
    uint8_t *result;
    size_t result_len;
    /** NODE_CLIENT_CODE_NONE on success. */
    node_client_code code;
    /** The stored result of an earlier identical request was re-sent. */
    bool replayed;
} node_ops_outcome;

/** Frees the result and zeroes `oc`. NULL ok. */
void node_ops_outcome_clear(node_ops_outcome *oc);

/**
 * Coordinates one client request (see the top) and publishes its result.
 * Returns: MPC_OK: a result (success or error) was published; `oc` says
 *            which. The caller acks the request message.
 *          MPC_ERR_UNAVAILABLE: the result could not be published (the
 *            caller naks: JetStream redelivers, and the replay guard then
 *            answers from the stored result);
 *          MPC_ERR_INVALID_ARG, MPC_ERR_NOMEM.
 * In: op: which request stream the message came from; body: len bytes;
 *     client_id: the ClientID header (NULL or "" when absent; invalid
 *     ones are answered without the client token).
 * Out: oc: zeroed on error.
 */
MPC_WARN_UNUSED mpc_err node_ops_handle(node_ops *o, node_ops_outcome *oc,
                                        node_client_op op, const uint8_t *body,
                                        size_t len, const char *client_id);

#endif /* NODE_OPS_H */
