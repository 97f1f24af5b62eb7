/*
 * node/backup.h — encrypted hot backups of the keystore, and restore.
 *
 * A backup is one file holding a consistent snapshot of the main keystore
 * environment (one LMDB read transaction: a whole-commit snapshot taken
 * while writers go on). Presignature pools are separate environments and
 * are never included.
 *
 * The records stay sealed under the keystore key, exactly as stored; the
 * file adds a second layer: a libsodium secretstream (XChaCha20-Poly1305)
 * under a backup key derived from the same Argon2id master key. The outer
 * layer hides record names (wallet and request ids) and authenticates the
 * whole set: a record cannot be dropped, duplicated, reordered or replaced
 * by one from another backup, and truncation is detected. The file header
 * carries the salt and Argon2id parameters in the clear plus a password
 * verifier, so a backup restores with the operator password alone. Format:
 * docs/storage.md.
 *
 * Files are written to "<path>.tmp", synced, then renamed over `path` and
 * the directory synced, so a crash never leaves a partial file under the
 * final name.
 *
 * Rules: pointer arguments must not be NULL unless stated; argument order
 * is keystore, outputs, inputs; on error outputs are zeroed.
 * Threads: backup functions may run on any thread concurrently with every
 * keystore call (a backup holds one read transaction for its duration,
 * which keeps LMDB from reusing pages the snapshot still needs, so the file
 * grows while a backup runs).
 */
#ifndef NODE_BACKUP_H
#define NODE_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"
#include "node/keystore.h"

/** Suffix of backup files written by node_backup_periodic. */
#define NODE_BACKUP_SUFFIX ".mpcbak"

typedef struct node_backup_info {
    /** Creation time given by the writer (Unix seconds). */
    uint64_t created;
    /** LMDB transaction id of the snapshot (grows with every commit). */
    uint64_t txn_id;
    /** Records in the file, the keystore header included. */
    uint64_t records;
} node_backup_info;

/**
 * Writes a backup of `ks` to `path` (mode 0600), replacing any file there.
 *
 * Returns: MPC_OK; MPC_ERR_IO if a file operation or LMDB fails;
 * MPC_ERR_NOMEM; MPC_ERR_INVALID_ARG.
 * Out: info  what was written (may be NULL).
 * In:  now   the creation time to record (Unix seconds).
 */
MPC_WARN_UNUSED mpc_err node_backup_write(node_keystore *ks,
                                          node_backup_info *info,
                                          const char *path, uint64_t now);

/**
 * The periodic backup, for the node's timer thread: unless nothing was
 * committed since the last backup (`*last_txn`), writes
 * "<dir>/backup-<node>-<YYYYMMDDTHHMMSSZ>-<txn id>.mpcbak" and then deletes
 * this node's older backups in `dir` beyond the newest `keep`.
 *
 * Returns: MPC_OK (*written says whether a file was made); MPC_ERR_IO;
 * MPC_ERR_NOMEM; MPC_ERR_INVALID_ARG also for a node name that is not
 * 1..64 bytes of [A-Za-z0-9._-]. One exception to "outputs are zeroed on
 * error": if only the rotation fails (MPC_ERR_IO or MPC_ERR_NOMEM), the
 * backup was written and *written, `path` and *last_txn say so.
 * Out:    written   whether a backup was written.
 *         path      the file written (may be NULL; `path_cap` bytes,
 *                   MPC_ERR_INVALID_ARG if too short).
 * In/Out: last_txn  snapshot txn id of the previous backup (start with 0);
 *                   updated when a backup is written.
 * In:     dir       created (0700) if missing.
 *         now       Unix seconds, for the name and the record.
 *         keep      how many of this node's backups to keep (0: all).
 */
MPC_WARN_UNUSED mpc_err node_backup_periodic(node_keystore *ks, bool *written,
                                             char *path, size_t path_cap,
                                             uint64_t *last_txn,
                                             const char *dir,
                                             const char *node_name,
                                             uint64_t now, unsigned keep);

/**
 * Checks a backup completely without writing anything: the password, the
 * integrity of the whole stream, and that every record opens under the
 * keystore key.
 *
 * Returns: MPC_OK; MPC_ERR_AUTH for a wrong password (or an altered
 * header); MPC_ERR_PARSE or MPC_ERR_VERIFY if the file is malformed,
 * truncated or altered; MPC_ERR_IO if it cannot be read; MPC_ERR_NOMEM.
 * Out: info  what the file holds (may be NULL).
 */
MPC_WARN_UNUSED mpc_err node_backup_verify(node_backup_info *info,
                                           const char *path, const uint8_t *pw,
                                           size_t pw_len);

/**
 * Restores a backup into data directory `dir`, which must be missing or
 * empty unless `force` (then its data.mdb and lock.mdb are replaced). The
 * whole file is verified (as node_backup_verify) before anything is
 * written; the records are then written in one transaction that commits
 * only if the file verifies again to its end, and the restored keystore
 * gets a new instance id, so presignature pools made before are emptied
 * when next opened.
 *
 * Returns: MPC_OK; MPC_ERR_CONFLICT if `dir` is not empty and not
 * `force`; the codes of node_backup_verify; MPC_ERR_IO.
 * On failure nothing is left in `dir` that this call created.
 * Out: info       what was restored (may be NULL).
 * In:  map_bytes  LMDB map size of the new keystore (0: 1 GiB).
 */
MPC_WARN_UNUSED mpc_err node_backup_restore(node_backup_info *info,
                                            const char *path, const uint8_t *pw,
                                            size_t pw_len, const char *dir,
                                            bool force, size_t map_bytes);

#endif /* NODE_BACKUP_H */
