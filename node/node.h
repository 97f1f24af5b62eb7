/*
 * node/node.h — the node object: everything one mpcium-node process runs.
 *
 * node_start brings the node up in this order, stopping at the first
 * failure with a message in `err`:
 *   keystore password -> identity -> peers file (every peer's identity,
 *   self listed, threshold fits) -> keystore -> NATS -> JetStream streams
 *   and durables (node/jsetup.h) -> Paillier primes (node/auxinfo.h:
 *   loaded, or made in the background) -> sessions -> ops (SessionStart
 *   listener) -> one intake thread per request consumer (keygen, signing)
 *   -> the aux-info manager -> HTTP /health and /metrics (if
 *   healthcheck.enabled) -> the periodic backup thread (if backup_enabled).
 * It returns once the node serves requests; the caller waits for
 * node_ready (the primes), calls node_announce and logs `[READY]`. node_stop
 * stops intake, waits for running sessions, and frees everything in reverse
 * order.
 *
 * Intake: each thread pulls one message at a time from its shared durable
 * consumer and hands it to node_ops_handle; the message is acked once a
 * result is published, nak'ed (JetStream redelivers) when publishing
 * failed.
 *
 * Registry (node/liveness.h): heartbeats and the liveness view, started
 * before ops; signer selection and /health use it. SIGHUP in mpcium-node
 * calls node_peers_reload.
 *
 * Not yet here: presign intake.
 */
#ifndef NODE_NODE_H
#define NODE_NODE_H

#include <stdbool.h>
#include <stddef.h>

#include "mpc/err.h"
#include "node/backup.h"
#include "node/config.h"

typedef struct node node;

/**
 * Starts a node from a loaded configuration.
 * Returns: MPC_OK; the error of the step that failed (`err` names it).
 * In: cfg: borrowed for the node's life. envp: for MPCIUM_DB_PASSWORD and
 *     MPCIUM_IDENTITY_PASSWORD (may be NULL).
 */
MPC_WARN_UNUSED mpc_err node_start(node **out, const node_config *cfg,
                                   const char *const *envp, char *err,
                                   size_t err_len);

/**
 * Whether the node is ready to announce `[READY]`: its Paillier primes
 * exist (made in the background at the first start; loaded afterwards).
 * Requests are served before that; ECDSA signing needs the committee's
 * aux-info, which needs every node's primes.
 */
bool node_ready(node *n);

/** Once node_ready: marks this node ready in the registry (peers select it
 *  as a signer and coordinate aux-info with it from then on); the caller
 *  then logs `[READY]`. */
void node_announce(node *n);

/** Stops and frees; NULL does nothing. */
void node_stop(node *n);

/**
 * Re-reads the peers file (mpcium-node does on SIGHUP) and adds the nodes
 * it lists that this node does not know yet: from then on they may take
 * part in sessions (a reshare brings them into a committee). Changed keys
 * and removed peers need a restart (logged). Logs the outcome
 * ("peers reloaded"). Call from one thread at a time.
 * Returns: MPC_OK; the peers file's errors (nothing changes);
 *          MPC_ERR_INVALID_ARG (too many peers).
 */
MPC_WARN_UNUSED mpc_err node_peers_reload(node *n);

/*
 * Backups (node/backup.h, docs/operations.md "Backups"). With
 * backup_enabled, node_start starts a thread that every
 * backup_period_seconds writes a backup into backup_dir unless nothing was
 * committed since the last one, keeping this node's newest backup_keep
 * files. Backups never run concurrently with each other; they run beside
 * requests on their own LMDB read transaction.
 */

/**
 * Writes a backup now (the operator's request: mpcium-node sends this on
 * SIGUSR1), even if nothing changed since the last one, whatever
 * backup_enabled says; then rotates as the periodic backup does. Logs the
 * outcome.
 * Returns: MPC_OK; MPC_ERR_IO; MPC_ERR_NOMEM; MPC_ERR_INVALID_ARG (also a
 * path buffer too short).
 * Out: path: the file written (`path_cap` bytes; "" on error).
 */
MPC_WARN_UNUSED mpc_err node_backup_now(node *n, char *path, size_t path_cap);

/**
 * Restores backup file `from` into this node's keystore directory
 * <db_path>/<node_name> (created if missing), with the keystore password
 * from the same sources node_start uses. The node must not be running.
 * Returns: MPC_OK; MPC_ERR_CONFLICT (a keystore is there and not `force`);
 *          MPC_ERR_AUTH (wrong password); MPC_ERR_PARSE or MPC_ERR_VERIFY
 *          (not a valid backup); MPC_ERR_IO; MPC_ERR_NOMEM;
 *          MPC_ERR_INVALID_ARG; `err` says which, naming the file.
 * Out: info: what was restored (may be NULL; zeroed on error).
 * In: force: replace an existing keystore (node_backup_restore).
 */
MPC_WARN_UNUSED mpc_err node_restore(node_backup_info *info,
                                     const node_config *cfg,
                                     const char *const *envp, const char *from,
                                     bool force, char *err, size_t err_len);

#endif /* NODE_NODE_H */
