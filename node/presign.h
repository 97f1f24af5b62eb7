/*
 * node/presign.h — presignature pools: one-time ECDSA presignatures in an
 * LMDB environment of their own.
 *
 * Why a separate environment: a presignature must be released at most
 * once. Backups copy the main keystore only, so a restore can never bring
 * back a presignature that was already used; and a pool is bound to the
 * keystore instance it was created for (a restore gives the keystore a new
 * instance id), so after a restore the old pool is emptied when it is
 * opened — a restore always starts with an empty pool.
 *
 * Records are sealed like keystore records (XChaCha20-Poly1305, the name as
 * associated data) under a key derived from the keystore's keys, the
 * keystore instance id and this pool's random id, so records cannot move
 * between pools either.
 *
 * Entries are keyed by (wallet id, key version, signer set, id). The signer
 * set is an opaque byte string of 1..64 bytes chosen by the caller (e.g. a
 * hash of the ordered signer list); the id is a 64-bit number chosen by the
 * presigning session, the same at every signer.
 *
 * Rules: as in node/keystore.h (NULLs, ids, value sizes, outputs cleared
 * on error, durable commits, error codes for I/O and damaged records).
 * Threads: every function may be called concurrently from any thread,
 * except close, after all other calls have returned. Open a directory at
 * most once per process, and never inside the keystore's directory.
 */
#ifndef NODE_PRESIGN_H
#define NODE_PRESIGN_H

#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"
#include "node/keystore.h"

#define NODE_PRESIGN_SET_MAX_BYTES NODE_KSF_SET_MAX_BYTES

typedef struct node_presign_pool node_presign_pool;

/**
 * Opens (or creates) the pool in directory `dir` (created, mode 0700, if
 * missing). A pool created for another instance of this keystore (the
 * keystore was restored from a backup since) is emptied and rebound.
 *
 * Returns: MPC_OK; MPC_ERR_AUTH if the pool belongs to a keystore with
 * other keys (another password or another node); MPC_ERR_PARSE for a
 * malformed header; MPC_ERR_NOMEM; MPC_ERR_IO; MPC_ERR_INVALID_ARG, also
 * when `dir` is the keystore's own directory.
 * Out: out        written only on success.
 *      discarded  presignatures dropped because the pool was rebound
 *                 (may be NULL; worth a log line).
 * In:  ks         borrowed for the call only: the pool keeps its own key.
 *      map_bytes  LMDB map size; 0 means 256 MiB.
 */
MPC_WARN_UNUSED mpc_err node_presign_pool_open(node_presign_pool **out,
                                               size_t *discarded,
                                               node_keystore *ks,
                                               const char *dir,
                                               size_t map_bytes);

/** Closes the pool and wipes its key; NULL does nothing. */
void node_presign_pool_close(node_presign_pool *pool);

/**
 * Adds a presignature.
 *
 * Returns: MPC_OK; MPC_ERR_CONFLICT if that id already exists for this
 * (wallet, version, set); MPC_ERR_INVALID_ARG also for an empty or longer
 * than 64-byte set.
 */
MPC_WARN_UNUSED mpc_err node_presign_add(node_presign_pool *pool,
                                         const char *wallet, uint32_t version,
                                         const uint8_t *set, size_t set_len,
                                         uint64_t id, const uint8_t *data,
                                         size_t len);

/**
 * Takes a presignature out of the pool: reads and deletes it in one write
 * transaction, and returns it only after that transaction committed (and
 * was synced). A presignature is therefore handed out at most once, by one
 * caller, even across threads, processes and crashes; a crash before the
 * commit leaves it in the pool, unreleased.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND if absent (never added, or taken).
 * Security: the result is secret and single-use: free it with
 * node_keystore_value_free once the signature share is made.
 */
MPC_WARN_UNUSED mpc_err node_presign_take(node_presign_pool *pool,
                                          uint8_t **out, size_t *out_len,
                                          const char *wallet, uint32_t version,
                                          const uint8_t *set, size_t set_len,
                                          uint64_t id);

/**
 * Lists the ids available for (wallet, version, set) in ascending order.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG also when more than `cap` exist.
 * Out: ids    `cap` entries (may be NULL if cap is 0).
 *      count  how many were written.
 */
MPC_WARN_UNUSED mpc_err node_presign_ids(node_presign_pool *pool, uint64_t *ids,
                                         size_t cap, size_t *count,
                                         const char *wallet, uint32_t version,
                                         const uint8_t *set, size_t set_len);

/**
 * Counts the presignatures available for (wallet, version, set).
 *
 * Returns: MPC_OK; the common codes.
 */
MPC_WARN_UNUSED mpc_err node_presign_count(node_presign_pool *pool,
                                           size_t *count, const char *wallet,
                                           uint32_t version, const uint8_t *set,
                                           size_t set_len);

/**
 * Deletes every presignature of `wallet` made for a key version below
 * `version` (they cannot be used after a reshare), in one transaction.
 *
 * Returns: MPC_OK; the common codes.
 * Out: deleted  how many were removed (may be NULL).
 */
MPC_WARN_UNUSED mpc_err node_presign_purge_below(node_presign_pool *pool,
                                                 size_t *deleted,
                                                 const char *wallet,
                                                 uint32_t version);

#endif /* NODE_PRESIGN_H */
