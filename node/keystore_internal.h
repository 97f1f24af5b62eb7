/*
 * node/keystore_internal.h — what keystore.c shares with presign.c and
 * backup.c: the store struct, guarded key memory, sealed get/put over
 * LMDB, and the LMDB error mapping. Not a public contract.
 */
#ifndef NODE_KEYSTORE_INTERNAL_H
#define NODE_KEYSTORE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "mpc/err.h"
#include "node/keystore.h"
#include "node/keystore_format.h"

/*
 * Key memory from sodium_malloc (guard pages, mlock, wiped on free). It is
 * PROT_NONE while no call is using it; the first concurrent user makes it
 * readable and the last one closes it again. A counter under a mutex keeps
 * one thread from revoking access while another still reads.
 */
typedef struct node_ks_vault {
    pthread_mutex_t mu;
    unsigned users;
    node_ksf_keys *keys;
} node_ks_vault;

/* An open LMDB environment whose values are sealed under
 * vault.keys->record. */
typedef struct node_ks_store {
    MDB_env *env;
    MDB_dbi dbi;
    node_ks_vault vault;
} node_ks_store;

struct node_keystore {
    node_ks_store st;
    /* Public: KDF parameters, salt and instance id. */
    node_ksf_header header;
    /* The directory's identity, so a pool is never opened on it. */
    dev_t dir_dev;
    ino_t dir_ino;
    /* Request records made RUNNING through this open and not finished:
     * their owner is alive (guarded by live_mu). */
    pthread_mutex_t live_mu;
    struct node_ks_live *live;
};

/* Allocates zeroed, writable key memory; fill it through v->keys, then
 * call node_ks_vault_lock. MPC_ERR_NOMEM or MPC_ERR_INTERNAL. */
MPC_WARN_UNUSED mpc_err node_ks_vault_init(node_ks_vault *v);
/* Makes the memory inaccessible until the next acquire. */
MPC_WARN_UNUSED mpc_err node_ks_vault_lock(node_ks_vault *v);
/* Readable keys until the matching release; NULL if mprotect failed. */
const node_ksf_keys *node_ks_vault_acquire(node_ks_vault *v);
void node_ks_vault_release(node_ks_vault *v);
/* Wipes and frees; safe on a zeroed or half-initialized vault. */
void node_ks_vault_clear(node_ks_vault *v);

/* Translates an LMDB or errno code. */
mpc_err node_ks_mdb_err(int rc);

/* Creates `dir` (0700) if missing, opens the environment (MDB_NOTLS,
 * files 0600), clears stale readers and opens the main database. */
MPC_WARN_UNUSED mpc_err node_ks_env_open(MDB_env **env, MDB_dbi *dbi,
                                         const char *dir, size_t map_bytes);

/* Begins a transaction; MPC_ERR_IO etc. on failure (*txn NULL). */
MPC_WARN_UNUSED mpc_err node_ks_txn_begin(const node_ks_store *s, MDB_txn **txn,
                                          bool write);
/* Commits; the transaction is gone either way. */
MPC_WARN_UNUSED mpc_err node_ks_txn_commit(MDB_txn *txn);

/* Seals `pt` under `name` with a fresh nonce and stores it (MDB_RESERVE,
 * so the sealed bytes are written straight into the map). With
 * MDB_NOOVERWRITE an existing name gives MPC_ERR_CONFLICT. On error the
 * caller aborts the transaction. */
MPC_WARN_UNUSED mpc_err node_ks_put(MDB_txn *txn, node_ks_store *s,
                                    const char *name, size_t name_len,
                                    const uint8_t *pt, size_t pt_len,
                                    unsigned flags);

/* Opens the stored value `v` of name `k` into a fresh malloc buffer
 * (free with node_keystore_value_free). MPC_ERR_PARSE, MPC_ERR_VERIFY,
 * MPC_ERR_NOMEM, MPC_ERR_INTERNAL. */
MPC_WARN_UNUSED mpc_err node_ks_open_val(node_ks_store *s, uint8_t **out,
                                         size_t *out_len, const MDB_val *k,
                                         const MDB_val *v);

/* mdb_get + node_ks_open_val; MPC_ERR_NOT_FOUND if absent. */
MPC_WARN_UNUSED mpc_err node_ks_get(MDB_txn *txn, node_ks_store *s,
                                    uint8_t **out, size_t *out_len,
                                    const char *name, size_t name_len);

/* True if key `k` starts with the `n` bytes of `prefix`. */
bool node_ks_has_prefix(const MDB_val *k, const char *prefix, size_t n);

#endif /* NODE_KEYSTORE_INTERNAL_H */
