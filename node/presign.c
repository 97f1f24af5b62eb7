/*
 * node/presign.c — presignature pools (see presign.h; layout in
 * docs/storage.md).
 */
#include "node/presign.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "mpc/cggmp_codec.h"
#include "mpc/mem.h"
#include "node/keystore_internal.h"

#define NAME_BUF (NODE_KSF_NAME_MAX_BYTES + 1)
#define DEFAULT_MAP_BYTES ((size_t)256 << 20)

struct node_presign_pool {
    /* vault.keys->record is this pool's sealing key; the other slots stay
     * zero. */
    node_ks_store st;
};

static const MDB_val header_key = {.mv_size = sizeof NODE_KSF_HEADER_NAME - 1,
                                   .mv_data = NODE_KSF_HEADER_NAME};

/* Writes a fresh header (new pool id) for keystore instance `instance`. */
static mpc_err write_header(MDB_txn *txn, node_presign_pool *pool,
                            node_ksf_pool_header *h, const uint8_t *instance,
                            const node_ksf_keys *ks_keys)
{
    memcpy(h->instance, instance, NODE_KSF_ID_BYTES);
    randombytes_buf(h->pool, sizeof h->pool);
    uint8_t hdr[NODE_KSF_POOL_HEADER_BYTES];
    node_ksf_pool_header_encode(hdr, h, ks_keys->verify);
    MDB_val k = header_key;
    MDB_val v = {.mv_size = sizeof hdr, .mv_data = hdr};
    return node_ks_mdb_err(mdb_put(txn, pool->st.dbi, &k, &v, 0));
}

/* Reads the existing header, or creates one; rebinds (and empties) a pool
 * made for another instance of the keystore. */
static mpc_err bind_pool(MDB_txn *txn, node_presign_pool *pool,
                         size_t *discarded, const node_keystore *ks,
                         const node_ksf_keys *ks_keys)
{
    const uint8_t *instance = ks->header.instance;
    node_ksf_pool_header h;
    MDB_stat st;
    int rc = mdb_stat(txn, pool->st.dbi, &st);
    if (rc != 0)
        return node_ks_mdb_err(rc);
    MDB_val k = header_key, v;
    rc = mdb_get(txn, pool->st.dbi, &k, &v);
    if (rc == MDB_NOTFOUND) {
        if (st.ms_entries != 0)
            return MPC_ERR_PARSE; /* records without a header */
    } else if (rc != 0) {
        return node_ks_mdb_err(rc);
    } else {
        mpc_err err = node_ksf_pool_header_parse(&h, v.mv_data, v.mv_size);
        if (err == MPC_OK)
            err = node_ksf_header_verify(v.mv_data, v.mv_size, ks_keys->verify);
        if (err != MPC_OK)
            return err;
        if (memcmp(h.instance, instance, NODE_KSF_ID_BYTES) == 0) {
            node_ksf_pool_key(pool->st.vault.keys->record, ks_keys->pool, &h);
            return MPC_OK;
        }
        /* The keystore was restored since this pool was made: whatever the
         * pool holds may predate the backup, so none of it is trusted. */
        rc = mdb_drop(txn, pool->st.dbi, 0);
        if (rc != 0)
            return node_ks_mdb_err(rc);
        *discarded = st.ms_entries - 1;
    }
    mpc_err err = write_header(txn, pool, &h, instance, ks_keys);
    if (err == MPC_OK)
        node_ksf_pool_key(pool->st.vault.keys->record, ks_keys->pool, &h);
    return err;
}

static mpc_err open_pool(node_presign_pool *pool, size_t *discarded,
                         node_keystore *ks)
{
    MDB_txn *txn = NULL;
    mpc_err err = node_ks_txn_begin(&pool->st, &txn, true);
    if (err != MPC_OK)
        return err;
    const node_ksf_keys *ks_keys = node_ks_vault_acquire(&ks->st.vault);
    if (ks_keys == NULL) {
        mdb_txn_abort(txn);
        return MPC_ERR_INTERNAL;
    }
    err = bind_pool(txn, pool, discarded, ks, ks_keys);
    node_ks_vault_release(&ks->st.vault);
    if (err != MPC_OK) {
        mdb_txn_abort(txn);
        return err;
    }
    return node_ks_txn_commit(txn);
}

mpc_err node_presign_pool_open(node_presign_pool **out, size_t *discarded,
                               node_keystore *ks, const char *dir,
                               size_t map_bytes)
{
    if (discarded != NULL)
        *discarded = 0;
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    if (ks == NULL || dir == NULL)
        return MPC_ERR_INVALID_ARG;
    /* Opening the keystore's own environment a second time would break
     * LMDB's locks for both handles. */
    struct stat st;
    if (stat(dir, &st) == 0 && st.st_dev == ks->dir_dev &&
        st.st_ino == ks->dir_ino)
        return MPC_ERR_INVALID_ARG;
    node_presign_pool *pool = calloc(1, sizeof *pool);
    if (pool == NULL)
        return MPC_ERR_NOMEM;
    size_t dropped = 0;
    mpc_err err = node_ks_vault_init(&pool->st.vault);
    if (err != MPC_OK) {
        free(pool);
        return err;
    }
    err = node_ks_env_open(&pool->st.env, &pool->st.dbi, dir,
                           map_bytes != 0 ? map_bytes : DEFAULT_MAP_BYTES);
    if (err == MPC_OK)
        err = open_pool(pool, &dropped, ks);
    if (err == MPC_OK)
        err = node_ks_vault_lock(&pool->st.vault);
    if (err != MPC_OK) {
        node_presign_pool_close(pool);
        return err;
    }
    if (discarded != NULL)
        *discarded = dropped;
    *out = pool;
    return MPC_OK;
}

void node_presign_pool_close(node_presign_pool *pool)
{
    if (pool == NULL)
        return;
    if (pool->st.env != NULL)
        mdb_env_close(pool->st.env);
    node_ks_vault_clear(&pool->st.vault);
    free(pool);
}

mpc_err node_presign_add(node_presign_pool *pool, const char *wallet,
                         uint32_t version, const uint8_t *set, size_t set_len,
                         uint64_t id, const uint8_t *data, size_t len)
{
    char name[NAME_BUF];
    size_t name_len;
    if (pool == NULL || data == NULL || len == 0 ||
        len > NODE_KSF_VALUE_MAX_BYTES)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = node_ksf_presig_name(name, NAME_BUF, &name_len, wallet,
                                       &version, set, set_len, &id);
    if (err != MPC_OK)
        return err;
    MDB_txn *txn = NULL;
    err = node_ks_txn_begin(&pool->st, &txn, true);
    if (err != MPC_OK)
        return err;
    err =
        node_ks_put(txn, &pool->st, name, name_len, data, len, MDB_NOOVERWRITE);
    if (err != MPC_OK) {
        mdb_txn_abort(txn);
        return err;
    }
    return node_ks_txn_commit(txn);
}

mpc_err node_presign_take(node_presign_pool *pool, uint8_t **out,
                          size_t *out_len, const char *wallet, uint32_t version,
                          const uint8_t *set, size_t set_len, uint64_t id)
{
    if (out != NULL)
        *out = NULL;
    if (out_len != NULL)
        *out_len = 0;
    char name[NAME_BUF];
    size_t name_len;
    if (pool == NULL || out == NULL || out_len == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = node_ksf_presig_name(name, NAME_BUF, &name_len, wallet,
                                       &version, set, set_len, &id);
    if (err != MPC_OK)
        return err;

    MDB_txn *txn = NULL;
    err = node_ks_txn_begin(&pool->st, &txn, true);
    if (err != MPC_OK)
        return err;
    uint8_t *pt = NULL;
    size_t pt_len = 0;
    err = node_ks_get(txn, &pool->st, &pt, &pt_len, name, name_len);
    if (err != MPC_OK) {
        mdb_txn_abort(txn);
        return err;
    }
    MDB_val k = {.mv_size = name_len, .mv_data = name};
    int rc = mdb_del(txn, pool->st.dbi, &k, NULL);
    if (rc != 0) {
        mdb_txn_abort(txn);
        err = node_ks_mdb_err(rc);
    } else {
        /* Released only once the deletion is durable. */
        err = node_ks_txn_commit(txn);
    }
    if (err != MPC_OK) {
        node_keystore_value_free(pt, pt_len);
        return err;
    }
    *out = pt;
    *out_len = pt_len;
    return MPC_OK;
}

/* Walks the ids of one (wallet, version, set) in ascending order. A name
 * under the prefix that is not prefix + 16 hex digits is damage. */
static mpc_err walk_ids(node_presign_pool *pool, uint64_t *ids, size_t cap,
                        size_t *count, const char *wallet, uint32_t version,
                        const uint8_t *set, size_t set_len)
{
    char prefix[NAME_BUF];
    size_t plen;
    mpc_err err = node_ksf_presig_name(prefix, NAME_BUF, &plen, wallet,
                                       &version, set, set_len, NULL);
    if (err != MPC_OK)
        return err;
    MDB_txn *txn = NULL;
    MDB_cursor *cur = NULL;
    err = node_ks_txn_begin(&pool->st, &txn, false);
    if (err != MPC_OK)
        return err;
    int rc = mdb_cursor_open(txn, pool->st.dbi, &cur);
    MDB_val k = {.mv_size = plen, .mv_data = prefix}, v;
    size_t n = 0;
    if (rc == 0)
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    for (; rc == 0 && node_ks_has_prefix(&k, prefix, plen);
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        uint64_t id;
        err = node_ksf_name_number(&id, k.mv_data, k.mv_size, plen, true);
        if (err != MPC_OK)
            break;
        if (ids != NULL) {
            if (n == cap) {
                err = MPC_ERR_INVALID_ARG;
                break;
            }
            ids[n] = id;
        }
        n++;
    }
    if (err == MPC_OK && rc != 0 && rc != MDB_NOTFOUND)
        err = node_ks_mdb_err(rc);
    if (cur != NULL)
        mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    if (err == MPC_OK)
        *count = n;
    return err;
}

mpc_err node_presign_ids(node_presign_pool *pool, uint64_t *ids, size_t cap,
                         size_t *count, const char *wallet, uint32_t version,
                         const uint8_t *set, size_t set_len)
{
    if (count != NULL)
        *count = 0;
    if (ids != NULL && cap != 0)
        memset(ids, 0, cap * sizeof *ids);
    if (pool == NULL || count == NULL || (ids == NULL && cap != 0))
        return MPC_ERR_INVALID_ARG;
    /* A non-NULL array is needed for walk_ids to enforce `cap`. */
    uint64_t none;
    mpc_err err = walk_ids(pool, ids != NULL ? ids : &none, cap, count, wallet,
                           version, set, set_len);
    if (err != MPC_OK && cap != 0)
        memset(ids, 0, cap * sizeof *ids);
    return err;
}

mpc_err node_presign_count(node_presign_pool *pool, size_t *count,
                           const char *wallet, uint32_t version,
                           const uint8_t *set, size_t set_len)
{
    if (count != NULL)
        *count = 0;
    if (pool == NULL || count == NULL)
        return MPC_ERR_INVALID_ARG;
    return walk_ids(pool, NULL, 0, count, wallet, version, set, set_len);
}

mpc_err node_presign_purge_below(node_presign_pool *pool, size_t *deleted,
                                 const char *wallet, uint32_t version)
{
    if (deleted != NULL)
        *deleted = 0;
    char prefix[NAME_BUF];
    size_t plen;
    if (pool == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = node_ksf_presig_name(prefix, NAME_BUF, &plen, wallet, NULL,
                                       NULL, 0, NULL);
    if (err != MPC_OK)
        return err;
    MDB_txn *txn = NULL;
    MDB_cursor *cur = NULL;
    err = node_ks_txn_begin(&pool->st, &txn, true);
    if (err != MPC_OK)
        return err;
    int rc = mdb_cursor_open(txn, pool->st.dbi, &cur);
    MDB_val k = {.mv_size = plen, .mv_data = prefix}, v;
    size_t n = 0;
    if (rc == 0)
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    /* Names sort by version (10 fixed-width digits after the prefix); after
     * mdb_cursor_del, MDB_NEXT yields the record that followed. */
    for (; rc == 0 && node_ks_has_prefix(&k, prefix, plen);
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        uint64_t ver = 0;
        err =
            k.mv_size < plen + 10
                ? MPC_ERR_PARSE
                : node_ksf_name_number(&ver, k.mv_data, plen + 10, plen, false);
        if (err != MPC_OK || ver >= version)
            break;
        rc = mdb_cursor_del(cur, 0);
        if (rc != 0)
            break;
        n++;
    }
    if (err == MPC_OK && rc != 0 && rc != MDB_NOTFOUND)
        err = node_ks_mdb_err(rc);
    if (cur != NULL)
        mdb_cursor_close(cur);
    if (err != MPC_OK) {
        mdb_txn_abort(txn);
        return err;
    }
    err = node_ks_txn_commit(txn);
    if (err == MPC_OK && deleted != NULL)
        *deleted = n;
    return err;
}

/* ---- CGGMP presignatures in the pool ------------------------------------ */

mpc_err node_presign_set_key(uint8_t out[NODE_PRESIGN_SET_BYTES],
                             const char *const *ids, size_t n,
                             const uint32_t *path, size_t path_len)
{
    static const char tag[] = "mpcium-c presign set v1";
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    memset(out, 0, NODE_PRESIGN_SET_BYTES);
    if (ids == NULL || n == 0 || n > 255 || (path == NULL && path_len > 0))
        return MPC_ERR_INVALID_ARG;
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const uint8_t *)tag, sizeof tag);
    uint8_t b[4] = {(uint8_t)n};
    crypto_hash_sha256_update(&h, b, 1);
    for (size_t i = 0; i < n; i++) {
        size_t len = ids[i] == NULL ? 0 : strlen(ids[i]);
        if (len == 0 || len > 255)
            return MPC_ERR_INVALID_ARG;
        b[0] = (uint8_t)len;
        crypto_hash_sha256_update(&h, b, 1);
        crypto_hash_sha256_update(&h, (const uint8_t *)ids[i], len);
    }
    for (size_t i = 0; i < path_len; i++) {
        uint32_t v = path[i];
        b[0] = (uint8_t)(v >> 24);
        b[1] = (uint8_t)(v >> 16);
        b[2] = (uint8_t)(v >> 8);
        b[3] = (uint8_t)v;
        crypto_hash_sha256_update(&h, b, 4);
    }
    crypto_hash_sha256_final(&h, out);
    return MPC_OK;
}

uint64_t node_presign_presig_id(const mpc_cggmp_presig *p)
{
    uint64_t id = 0;
    for (int i = 0; i < 8; i++)
        id = id << 8 | p->binding.presig_id[i];
    return id;
}

mpc_err node_presign_store(node_presign_pool *pool, const mpc_group *g,
                           const char *wallet, uint32_t version,
                           const uint8_t *set, size_t set_len,
                           const mpc_cggmp_presig *p, uint64_t *id)
{
    if (id != NULL)
        *id = 0;
    if (pool == NULL || p == NULL)
        return MPC_ERR_INVALID_ARG;
    if (!mpc_cggmp_presig_is_fresh(p))
        return MPC_ERR_STATE;
    if (p->binding.key_version != version)
        return MPC_ERR_INVALID_ARG;
    uint8_t rec[MPC_CGGMP_PRESIG_MAX_BYTES];
    size_t len = 0;
    uint64_t pid = node_presign_presig_id(p);
    mpc_err err = mpc_cggmp_presig_encode(g, rec, sizeof rec, &len, p);
    if (err == MPC_OK)
        err = node_presign_add(pool, wallet, version, set, set_len, pid, rec,
                               len);
    mpc_wipe(rec, sizeof rec);
    if (err == MPC_OK && id != NULL)
        *id = pid;
    return err;
}

mpc_err node_presign_take_presig(node_presign_pool *pool, const mpc_group *g,
                                 mpc_cggmp_presig *p, const char *wallet,
                                 uint32_t version, const uint8_t *set,
                                 size_t set_len, uint64_t id)
{
    if (p == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_cggmp_presig_clear(p);
    if (g == NULL)
        return MPC_ERR_INVALID_ARG;
    uint8_t *rec = NULL;
    size_t len = 0;
    mpc_err err =
        node_presign_take(pool, &rec, &len, wallet, version, set, set_len, id);
    if (err != MPC_OK)
        return err;
    err = mpc_cggmp_presig_decode(g, p, rec, len);
    node_keystore_value_free(rec, len);
    if (err == MPC_OK &&
        (p->binding.key_version != version || node_presign_presig_id(p) != id))
        err = MPC_ERR_PARSE;
    if (err != MPC_OK) {
        mpc_cggmp_presig_clear(p);
        return MPC_ERR_PARSE;
    }
    return MPC_OK;
}
