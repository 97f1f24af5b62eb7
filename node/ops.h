/*
 * node/ops.h — client operations end to end: a request in, one mpcium
 * result out (EdDSA keygen and EdDSA sign for now).
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
 * Key records: a node stores, per Ed25519 wallet, its FROST key package
 * with the committee (node ids, identifiers, verifying shares) in the
 * keystore as share version 1 (layout in ops.c).
 *
 * Not yet here (docs/operations.md): ECDSA (keygen calls the `ecdsa_keygen`
 * hook when set, else the result's ecdsa_pub_key is null); SessionAck and
 * roll-back of shares stored by members of a keygen that failed elsewhere;
 * early abort when a member refuses (the others wait for the barrier); the
 * registry's liveness view for signer selection and key info in NATS KV.
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
#include "node/client_proto.h"
#include "node/envelope.h"
#include "node/keystore.h"
#include "node/sessions.h"
#include "node/transport.h"

/** Where coordinators fan out SessionStart envelopes. */
#define NODE_OPS_START_SUBJECT "mpcium.v1.start"

/**
 * The ECDSA half of keygen, when a CGGMP engine is plugged in: run by
 * every member after the EdDSA key is stored; writes the compressed
 * secp256k1 group key. Returns MPC_OK or an error that fails the keygen.
 */
typedef mpc_err (*node_ops_ecdsa_keygen_fn)(
    void *ud, uint8_t pub33[33], const char *wallet,
    const uint8_t sid[NODE_ENVELOPE_SID_BYTES], const char *const *parties,
    size_t n_parties, uint32_t threshold);

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
    /** NULL: no ECDSA engine yet. */
    node_ops_ecdsa_keygen_fn ecdsa_keygen;
    void *ecdsa_ud;
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
