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

#include "mpc/cggmp.h"
#include "mpc/err.h"
#include "mpc/group.h"
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

/* ---- CGGMP presignatures in the pool ------------------------------------
 * The functions below store and take mpc_cggmp_presig values through the
 * byte-level functions above and the storage codec of mpc/cggmp_codec.h.
 * What keeps a presignature single-use: node_presign_store writes the ONE
 * copy (the caller clears its struct right after), and
 * node_presign_take_presig deletes the record durably before it decodes
 * it (node_presign_take).
 */

/** Bytes of a set key (node_presign_set_key). */
#define NODE_PRESIGN_SET_BYTES 32

/**
 * The `set` bytes under which presignatures of one signer set and one
 * derivation are pooled: SHA-256 of a domain tag, the signer node ids in
 * session order (each length-prefixed) and the non-hardened derivation
 * path (empty: the master key). The coordinator and every member compute
 * it from the request, so a presignature made for one set or one path is
 * never offered for another (the library refuses such a mismatch too:
 * mpc_cggmp_sign_share checks signers and tweak).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for a NULL (path may be NULL when
 * path_len is 0), n outside 1..255 or an id that is empty or longer than
 * 255 bytes (out zeroed).
 */
MPC_WARN_UNUSED mpc_err node_presign_set_key(
    uint8_t out[NODE_PRESIGN_SET_BYTES], const char *const *ids, size_t n,
    const uint32_t *path, size_t path_len);

/** The pool id of a presignature: the first 8 bytes of its presig id (the
 * presign session id, the same at every signer), big-endian. */
uint64_t node_presign_presig_id(const mpc_cggmp_presig *p);

/**
 * Stores a fresh presignature under (wallet, version, set,
 * node_presign_presig_id(p)): encodes it (mpc_cggmp_presig_encode), adds
 * the record and wipes the plaintext. p is not changed: clear it
 * (mpc_cggmp_presig_clear) right after, whatever this returns, so that the
 * pool holds the only copy.
 *
 * Returns: MPC_OK; MPC_ERR_STATE: p consumed or never made;
 * MPC_ERR_INVALID_ARG also when p's key version is not `version` or p
 * fails mpc_cggmp_presig_encode's checks; MPC_ERR_CONFLICT: that id is
 * stored already; the codes of node_presign_add.
 * Out: id  the pool id (may be NULL; 0 on failure).
 */
MPC_WARN_UNUSED mpc_err node_presign_store(node_presign_pool *pool,
                                           const mpc_group *g,
                                           const char *wallet, uint32_t version,
                                           const uint8_t *set, size_t set_len,
                                           const mpc_cggmp_presig *p,
                                           uint64_t *id);

/**
 * Takes presignature `id` out of the pool (durably deleted first:
 * node_presign_take) and decodes it into a fresh p, ready for one
 * mpc_cggmp_sign_share. Once this returned MPC_OK or MPC_ERR_PARSE the
 * record is gone for good.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND: absent (never stored, or taken);
 * MPC_ERR_PARSE: the record was taken but does not decode, or names
 * another key version or id than it was stored under (damage; it is not
 * put back); the codes of node_presign_take.
 * Out: p  the presignature (SECRET); cleared on failure.
 */
MPC_WARN_UNUSED mpc_err node_presign_take_presig(
    node_presign_pool *pool, const mpc_group *g, mpc_cggmp_presig *p,
    const char *wallet, uint32_t version, const uint8_t *set, size_t set_len,
    uint64_t id);

#endif /* NODE_PRESIGN_H */
