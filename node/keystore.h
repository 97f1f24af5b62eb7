/*
 * node/keystore.h — the node's key store: an LMDB environment in which
 * every value is sealed.
 *
 * What it holds (values are opaque bytes; callers serialize):
 *  - key shares per (curve, wallet id, version); a version is written
 *    once and never overwritten;
 *  - blobs per id in three namespaces: aux-info per committee id, the key
 *    info cache, small metadata;
 *  - processed-request records per request id: content digest, state
 *    (running/done) and the stored result, for the replay guard and
 *    duplicate handling; a running record's owner (this open, or an
 *    earlier process) is known in memory only, and its lease is the
 *    caller's (node_keystore_request_begin_leased).
 * Presignatures live in a separate environment (node/presign.h) that is
 * never backed up; backups and restore are in node/backup.h.
 *
 * Sealing: every value is XChaCha20-Poly1305 under a key derived with
 * Argon2id from the operator password (salt and parameters in a header
 * record, with a password verifier so a wrong password fails at open).
 * The associated data is the record's name, so records cannot be swapped;
 * each write draws a fresh random 24-byte nonce from the OS generator
 * (libsodium), never from an injected one: a keystore outlives processes,
 * and a replayable generator would repeat nonces under the same key.
 * Formats: docs/storage.md and node/keystore_format.h.
 *
 * Rules for every function below:
 *  - pointer arguments must not be NULL unless stated;
 *  - argument order: the keystore, outputs, inputs;
 *  - ids are NUL-terminated strings of 1..128 printable ASCII bytes
 *    (0x21..0x7e); wallet ids may not contain ':';
 *  - stored values are 1..NODE_KEYSTORE_VALUE_MAX_BYTES bytes;
 *  - values are returned in fresh buffers that the caller releases with
 *    node_keystore_value_free (which wipes); on any error the output
 *    pointer is NULL and lengths/counts are 0;
 *  - every mutation is one LMDB write transaction, durably committed
 *    (fsync) before the call returns; a failed call changes nothing;
 *  - errors: MPC_ERR_INVALID_ARG for a NULL, an invalid id or an
 *    out-of-range length; MPC_ERR_NOMEM; MPC_ERR_IO when LMDB or the file
 *    system fails (including a full map: raise map_bytes); MPC_ERR_PARSE or
 *    MPC_ERR_VERIFY when a record read back is malformed or does not
 *    authenticate (the file was altered or damaged); MPC_ERR_INTERNAL if
 *    the guarded key memory cannot be made readable. Each function lists
 *    the codes specific to it.
 *
 * Threads: after open, every function may be called from any thread
 * concurrently, except close, which must come after every other call has
 * returned. Readers run in parallel on a snapshot of the last commit;
 * writers take LMDB's single writer lock in turn (the environment uses
 * MDB_NOTLS, so read transactions are not tied to threads). Open a
 * directory at most once per process: LMDB's locks break if the same
 * environment is opened twice in one process.
 */
#ifndef NODE_KEYSTORE_H
#define NODE_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"
#include "node/keystore_format.h"

#define NODE_KEYSTORE_VALUE_MAX_BYTES NODE_KSF_VALUE_MAX_BYTES
#define NODE_KEYSTORE_ID_MAX_BYTES NODE_KSF_ID_MAX_BYTES
#define NODE_KEYSTORE_DIGEST_BYTES NODE_KSF_DIGEST_BYTES
#define NODE_KEYSTORE_PASSWORD_MAX_BYTES NODE_KSF_PASSWORD_MAX_BYTES

typedef struct node_keystore node_keystore;

/** The curve a share belongs to (names "ecdsa" and "eddsa" on disk). */
typedef enum node_keystore_curve {
    NODE_KEYSTORE_SECP256K1 = 1,
    NODE_KEYSTORE_ED25519 = 2,
} node_keystore_curve;

/** Blob namespaces; each maps ids to values, overwriting allowed. */
typedef enum node_keystore_ns {
    /** Aux-info (Paillier and ring-Pedersen material) per committee id. */
    NODE_KEYSTORE_AUX = 1,
    /** Cached key info (participants, threshold, version) per key id. */
    NODE_KEYSTORE_KEYINFO = 2,
    /** Small metadata of the node itself. */
    NODE_KEYSTORE_META = 3,
} node_keystore_ns;

/** What node_keystore_request_begin found. */
typedef enum node_keystore_req {
    /** No record existed; one is now RUNNING: run the request. */
    NODE_KEYSTORE_REQ_NEW = 0,
    /** The same request is already running: drop the duplicate. */
    NODE_KEYSTORE_REQ_RUNNING = 1,
    /** The same request is done: answer with the stored result. */
    NODE_KEYSTORE_REQ_DONE = 2,
} node_keystore_req;

typedef struct node_keystore_params {
    /** Argon2id passes (1..64); used only when the keystore is created. */
    uint64_t opslimit;
    /** Argon2id memory in bytes (8 KiB..4 GiB); used only at creation. */
    uint64_t memlimit;
    /** Largest size the data file may reach (LMDB map size), in bytes. */
    size_t map_bytes;
} node_keystore_params;

/**
 * Fills `p` with the defaults: Argon2id with 3 passes over 256 MiB
 * (libsodium's "moderate"; paid once per start) and a 1 GiB map. Tests
 * lower the limits to the minimum.
 */
void node_keystore_params_default(node_keystore_params *p);

/**
 * Opens the keystore in directory `dir`, or creates it there (the directory
 * too, mode 0700, if its parent exists). A new keystore gets a random salt,
 * the parameters from `params`, a random instance id and a password
 * verifier. An existing one uses the parameters stored in its header;
 * `params` then only sets the map size.
 *
 * Returns: MPC_OK; MPC_ERR_AUTH for a wrong password (or an altered
 * header); MPC_ERR_PARSE for a malformed header, or records without one;
 * MPC_ERR_NOMEM (also when Argon2id cannot get its memory); MPC_ERR_IO;
 * MPC_ERR_INVALID_ARG for a NULL, an empty or longer than 1024-byte
 * password, or parameters out of range.
 * Out: out         the open keystore; written only on success.
 * In:  dir         the data directory.
 *      pw, pw_len  the operator password (the caller wipes it).
 *      params      may be NULL for the defaults.
 * Security: the derived keys live in sodium_malloc memory (guard pages,
 * locked) that is inaccessible except during a seal or open.
 */
MPC_WARN_UNUSED mpc_err node_keystore_open(node_keystore **out, const char *dir,
                                           const uint8_t *pw, size_t pw_len,
                                           const node_keystore_params *params);

/** Closes the keystore and wipes its keys; NULL does nothing. */
void node_keystore_close(node_keystore *ks);

/** Wipes and frees a value returned by this module; NULL does nothing. */
void node_keystore_value_free(uint8_t *p, size_t len);

/* ---- shares ------------------------------------------------------------ */

/**
 * Stores a share under (curve, wallet, version).
 *
 * Returns: MPC_OK; MPC_ERR_CONFLICT if that version exists (it is never
 * overwritten; reshare writes a new version).
 */
MPC_WARN_UNUSED mpc_err node_keystore_share_put(
    node_keystore *ks, node_keystore_curve curve, const char *wallet,
    uint32_t version, const uint8_t *share, size_t len);

/**
 * Reads the share of one version.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND.
 * Security: the share is secret: free it with node_keystore_value_free.
 */
MPC_WARN_UNUSED mpc_err node_keystore_share_get(node_keystore *ks,
                                                uint8_t **out, size_t *out_len,
                                                node_keystore_curve curve,
                                                const char *wallet,
                                                uint32_t version);

/**
 * Reads the newest version of a wallet's share, in one snapshot.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND if the wallet has no share.
 * Out: version  the version returned (0 on failure).
 */
MPC_WARN_UNUSED mpc_err node_keystore_share_get_latest(
    node_keystore *ks, uint32_t *version, uint8_t **out, size_t *out_len,
    node_keystore_curve curve, const char *wallet);

/**
 * Lists a wallet's share versions in ascending order.
 *
 * Returns: MPC_OK (possibly with *count 0); MPC_ERR_INVALID_ARG also when
 * more than `cap` versions exist.
 * Out: versions  `cap` entries (may be NULL if cap is 0).
 *      count     how many were written.
 */
MPC_WARN_UNUSED mpc_err node_keystore_share_versions(node_keystore *ks,
                                                     uint32_t *versions,
                                                     size_t cap, size_t *count,
                                                     node_keystore_curve curve,
                                                     const char *wallet);

/**
 * Deletes every version of a wallet's share below `keep` (reshare
 * cleanup), in one transaction. Refuses unless version `keep` exists, so
 * a wallet can never lose its last share this way.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND if version `keep` does not exist
 * (nothing is deleted).
 * Out: deleted  how many versions were removed (may be NULL).
 * Security: LMDB does not scrub freed pages: the deleted (sealed) values
 * stay in the file until reused; a backup is compacted and holds none.
 */
MPC_WARN_UNUSED mpc_err node_keystore_share_delete_below(
    node_keystore *ks, size_t *deleted, node_keystore_curve curve,
    const char *wallet, uint32_t keep);

/**
 * Deletes every version of a wallet's share up to and including `last`, in
 * one transaction (reshare cleanup on a node that left the committee).
 *
 * Returns: MPC_OK (also when there was nothing to delete);
 * MPC_ERR_INVALID_ARG also for last == UINT32_MAX.
 * Out: deleted  how many versions were removed (may be NULL).
 * Security: as node_keystore_share_delete_below.
 */
MPC_WARN_UNUSED mpc_err node_keystore_share_delete_upto(
    node_keystore *ks, size_t *deleted, node_keystore_curve curve,
    const char *wallet, uint32_t last);

/* ---- pending shares (node/keystore_pending.c) --------------------------- */

/*
 * A share stored by a keygen or reshare session is PENDING until the
 * session's coordinator commits it: a sealed marker record
 * "pend:<curve>:<wallet>:v<version>" holds the storing session's id and
 * time, next to the share record, which is unchanged (old keystores need
 * no migration: a share without a marker is committed). The share and its
 * marker are written and deleted together, in one transaction. Signing
 * must never use a pending share (node_keystore_share_pending_get).
 */

/** What a pending-share marker holds. */
typedef node_ksf_pending node_keystore_pending;

/**
 * Stores a share as PENDING for `session` (created `now`, the caller's
 * clock in ms): the share and its marker in one transaction.
 *
 * Returns: MPC_OK; MPC_ERR_CONFLICT if that version exists;
 * MPC_ERR_INVALID_ARG also for an invalid session id.
 */
MPC_WARN_UNUSED mpc_err node_keystore_share_put_pending(
    node_keystore *ks, node_keystore_curve curve, const char *wallet,
    uint32_t version, const uint8_t *share, size_t len, const char *session,
    uint64_t now);

/**
 * Reads the marker of a pending share.
 *
 * Returns: MPC_OK if the version is pending; MPC_ERR_NOT_FOUND if it is
 * committed or absent.
 * Out: p  the marker (zeroed on failure; may be NULL).
 */
MPC_WARN_UNUSED mpc_err node_keystore_share_pending_get(
    node_keystore *ks, node_keystore_pending *p, node_keystore_curve curve,
    const char *wallet, uint32_t version);

/**
 * Reads the share of one version if it is committed, in one snapshot: what
 * signing and resharing load (a pending share is never used).
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND if the version is absent or pending.
 * Security: as node_keystore_share_get.
 */
MPC_WARN_UNUSED mpc_err node_keystore_share_get_committed(
    node_keystore *ks, uint8_t **out, size_t *out_len,
    node_keystore_curve curve, const char *wallet, uint32_t version);

/**
 * Commits a share version (removes its marker; committing a committed
 * version does nothing) and, if `drop_older`, deletes every older version
 * of the wallet with its marker, all in one transaction.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND if the version does not exist
 * (nothing changes).
 * Out: deleted  how many older versions were removed (may be NULL).
 * Security: as node_keystore_share_delete_below.
 */
MPC_WARN_UNUSED mpc_err node_keystore_share_commit(
    node_keystore *ks, size_t *deleted, node_keystore_curve curve,
    const char *wallet, uint32_t version, bool drop_older);

/**
 * Deletes exactly one share version and its marker (roll-back of a failed
 * session), in one transaction.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND if neither exists.
 * Security: as node_keystore_share_delete_below.
 */
MPC_WARN_UNUSED mpc_err
node_keystore_share_delete_version(node_keystore *ks, node_keystore_curve curve,
                                   const char *wallet, uint32_t version);

/**
 * Deletes every pending share (any curve, any wallet) stored by `session`
 * (the coordinator's abort), in one transaction.
 *
 * Returns: MPC_OK (also when there was none); MPC_ERR_INVALID_ARG also for
 * an invalid session id.
 * Out: deleted  how many shares were removed (may be NULL).
 */
MPC_WARN_UNUSED mpc_err node_keystore_share_abort(node_keystore *ks,
                                                  size_t *deleted,
                                                  const char *session);

/**
 * Deletes every pending share whose lease has lapsed: stored at least
 * `lease_ms` before `now` (a marker dated after `now`, a clock set back,
 * is kept), in one transaction. For start-up and a retried keygen: a
 * session that old has ended, and its commit can no longer come.
 *
 * Returns: MPC_OK (also when there was none).
 * Out: deleted  how many shares were removed (may be NULL).
 */
MPC_WARN_UNUSED mpc_err node_keystore_share_prune_pending(node_keystore *ks,
                                                          size_t *deleted,
                                                          uint64_t now,
                                                          uint64_t lease_ms);

/* ---- blobs: aux-info, key info cache, metadata --------------------------- */

/**
 * Stores (or replaces) the value of `id` in namespace `ns`.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG also for an unknown namespace.
 */
MPC_WARN_UNUSED mpc_err node_keystore_blob_put(node_keystore *ks,
                                               node_keystore_ns ns,
                                               const char *id,
                                               const uint8_t *data, size_t len);

/**
 * Reads the value of `id` in namespace `ns`.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND.
 */
MPC_WARN_UNUSED mpc_err node_keystore_blob_get(node_keystore *ks, uint8_t **out,
                                               size_t *out_len,
                                               node_keystore_ns ns,
                                               const char *id);

/**
 * Deletes the value of `id` in namespace `ns`.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND.
 */
MPC_WARN_UNUSED mpc_err node_keystore_blob_delete(node_keystore *ks,
                                                  node_keystore_ns ns,
                                                  const char *id);

/* ---- processed requests ------------------------------------------------ */

/**
 * The replay guard: looks up request `id` and, in the same write
 * transaction, records it as RUNNING if it is new.
 *
 * Returns: MPC_OK with *state:
 *   NEW      no record existed; one now says RUNNING with `digest`;
 *   RUNNING  a record with the same digest is running (a duplicate);
 *   DONE     a record with the same digest is done; its result is in
 *            *result (the caller frees it);
 * MPC_ERR_CONFLICT if a record exists with a different digest (the same
 * id reused for other content; nothing changes).
 * Out: state, result, result_len  (result is NULL unless DONE).
 * In:  id      the request id.
 *      digest  the request content digest (public data).
 *      now     creation time stored in a new record, for pruning.
 */
MPC_WARN_UNUSED mpc_err node_keystore_request_begin(
    node_keystore *ks, node_keystore_req *state, uint8_t **result,
    size_t *result_len, const char *id,
    const uint8_t digest[NODE_KEYSTORE_DIGEST_BYTES], uint64_t now);

/**
 * As node_keystore_request_begin, with a lease on RUNNING records. The
 * owner of a RUNNING record is the open keystore that made it so (a thread
 * of this process, which will finish it); a RUNNING record of another
 * owner was left by an earlier process that died mid-request. Such a
 * record lapses `lease_ms` after its creation (the session deadline: by
 * then every session it started has ended): it is then taken over,
 * rewritten RUNNING under this owner with `now`, and *state is NEW. A live
 * owner's record is never taken over, however old. lease_ms UINT64_MAX:
 * never (node_keystore_request_begin).
 * Returns: as node_keystore_request_begin.
 */
MPC_WARN_UNUSED mpc_err node_keystore_request_begin_leased(
    node_keystore *ks, node_keystore_req *state, uint8_t **result,
    size_t *result_len, const char *id,
    const uint8_t digest[NODE_KEYSTORE_DIGEST_BYTES], uint64_t now,
    uint64_t lease_ms);

/**
 * Marks a RUNNING request DONE and stores its result (success or error
 * result alike: the result is what a duplicate is answered with).
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND if there is no record;
 * MPC_ERR_CONFLICT if the record's digest differs; MPC_ERR_STATE if it is
 * already DONE.
 */
MPC_WARN_UNUSED mpc_err
node_keystore_request_finish(node_keystore *ks, const char *id,
                             const uint8_t digest[NODE_KEYSTORE_DIGEST_BYTES],
                             const uint8_t *result, size_t result_len);

/**
 * Deletes a request record, e.g. a RUNNING one left by a crash, so the
 * request can run again (a live owner's record too: the caller's choice).
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND.
 */
MPC_WARN_UNUSED mpc_err node_keystore_request_delete(node_keystore *ks,
                                                     const char *id);

/**
 * Deletes every request record created before `before`, in one
 * transaction.
 *
 * Returns: MPC_OK; MPC_ERR_VERIFY / MPC_ERR_PARSE if a record does not
 * open (nothing is deleted).
 * Out: removed  how many records were deleted (may be NULL).
 */
MPC_WARN_UNUSED mpc_err node_keystore_request_prune(node_keystore *ks,
                                                    size_t *removed,
                                                    uint64_t before);

#endif /* NODE_KEYSTORE_H */
