/*
 * node/keystore.c — the sealed LMDB keystore (see keystore.h for the
 * contract, docs/storage.md for the layout).
 */
#include "node/keystore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "node/keystore_internal.h"

/* The owners of RUNNING records: a record this open made RUNNING has a
 * live owner (a thread of this process that will finish it); any other
 * RUNNING record was left by an earlier process (a directory is open once
 * at a time), whose sessions end at their deadline: the lease. */
struct node_ks_live {
    struct node_ks_live *next;
    size_t len;
    char name[];
};

#define NAME_BUF (NODE_KSF_NAME_MAX_BYTES + 1)
#define DEFAULT_MAP_BYTES ((size_t)1 << 30)

/* ---- guarded key memory ------------------------------------------------ */

mpc_err node_ks_vault_init(node_ks_vault *v)
{
    memset(v, 0, sizeof *v);
    if (pthread_mutex_init(&v->mu, NULL) != 0)
        return MPC_ERR_INTERNAL;
    v->keys = sodium_malloc(sizeof *v->keys);
    if (v->keys == NULL) {
        pthread_mutex_destroy(&v->mu);
        memset(v, 0, sizeof *v);
        return MPC_ERR_NOMEM;
    }
    sodium_memzero(v->keys, sizeof *v->keys);
    return MPC_OK;
}

mpc_err node_ks_vault_lock(node_ks_vault *v)
{
    return sodium_mprotect_noaccess(v->keys) == 0 ? MPC_OK : MPC_ERR_INTERNAL;
}

const node_ksf_keys *node_ks_vault_acquire(node_ks_vault *v)
{
    const node_ksf_keys *keys = v->keys;
    pthread_mutex_lock(&v->mu);
    if (v->users == 0 && sodium_mprotect_readonly(v->keys) != 0)
        keys = NULL;
    else
        v->users++;
    pthread_mutex_unlock(&v->mu);
    return keys;
}

void node_ks_vault_release(node_ks_vault *v)
{
    pthread_mutex_lock(&v->mu);
    /* If revoking fails the keys stay readable, which is the state every
     * other program is in; nothing to undo. */
    if (--v->users == 0)
        (void)sodium_mprotect_noaccess(v->keys);
    pthread_mutex_unlock(&v->mu);
}

void node_ks_vault_clear(node_ks_vault *v)
{
    if (v->keys == NULL)
        return;
    /* sodium_free wipes the region; it must be writable for that. */
    (void)sodium_mprotect_readwrite(v->keys);
    sodium_free(v->keys);
    pthread_mutex_destroy(&v->mu);
    memset(v, 0, sizeof *v);
}

/* ---- LMDB plumbing ----------------------------------------------------- */

mpc_err node_ks_mdb_err(int rc)
{
    switch (rc) {
    case MDB_SUCCESS:
        return MPC_OK;
    case MDB_NOTFOUND:
        return MPC_ERR_NOT_FOUND;
    case MDB_KEYEXIST:
        return MPC_ERR_CONFLICT;
    case ENOMEM:
        return MPC_ERR_NOMEM;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
        return MPC_ERR_PARSE;
    case EINVAL:
    case MDB_BAD_VALSIZE:
    case MDB_BAD_TXN:
    case MDB_BAD_DBI:
    case MDB_BAD_RSLOT:
        /* Sizes and handles are checked before LMDB sees them. */
        return MPC_ERR_INTERNAL;
    default:
        /* EIO, ENOSPC, EACCES, MDB_MAP_FULL, MDB_READERS_FULL, ... */
        return MPC_ERR_IO;
    }
}

mpc_err node_ks_env_open(MDB_env **env_out, MDB_dbi *dbi, const char *dir,
                         size_t map_bytes)
{
    *env_out = NULL;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return MPC_ERR_IO;
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    int rc = mdb_env_create(&env);
    if (rc != 0)
        return node_ks_mdb_err(rc);
    rc = mdb_env_set_mapsize(env,
                             map_bytes != 0 ? map_bytes : DEFAULT_MAP_BYTES);
    if (rc == 0)
        rc = mdb_env_open(env, dir, MDB_NOTLS, 0600);
    int dead = 0;
    if (rc == 0)
        rc = mdb_reader_check(env, &dead);
    if (rc == 0)
        rc = mdb_txn_begin(env, NULL, 0, &txn);
    if (rc == 0) {
        rc = mdb_dbi_open(txn, NULL, 0, dbi);
        if (rc == 0)
            rc = mdb_txn_commit(txn);
        else
            mdb_txn_abort(txn);
    }
    if (rc != 0) {
        mdb_env_close(env);
        return node_ks_mdb_err(rc);
    }
    *env_out = env;
    return MPC_OK;
}

mpc_err node_ks_txn_begin(const node_ks_store *s, MDB_txn **txn, bool write)
{
    *txn = NULL;
    int rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, txn);
    if (rc != 0)
        *txn = NULL;
    return node_ks_mdb_err(rc);
}

mpc_err node_ks_txn_commit(MDB_txn *txn)
{
    return node_ks_mdb_err(mdb_txn_commit(txn));
}

bool node_ks_has_prefix(const MDB_val *k, const char *prefix, size_t n)
{
    return k->mv_size >= n && memcmp(k->mv_data, prefix, n) == 0;
}

mpc_err node_ks_put(MDB_txn *txn, node_ks_store *s, const char *name,
                    size_t name_len, const uint8_t *pt, size_t pt_len,
                    unsigned flags)
{
    uint8_t nonce[NODE_KSF_NONCE_BYTES];
    randombytes_buf(nonce, sizeof nonce);
    MDB_val k = {.mv_size = name_len, .mv_data = (void *)name};
    MDB_val v = {.mv_size = pt_len + NODE_KSF_RECORD_OVERHEAD_BYTES};
    int rc = mdb_put(txn, s->dbi, &k, &v, flags | MDB_RESERVE);
    if (rc != 0)
        return node_ks_mdb_err(rc);
    const node_ksf_keys *keys = node_ks_vault_acquire(&s->vault);
    if (keys == NULL)
        return MPC_ERR_INTERNAL;
    mpc_err err =
        node_ksf_record_seal(v.mv_data, v.mv_size, keys->record, nonce,
                             (const uint8_t *)name, name_len, pt, pt_len);
    node_ks_vault_release(&s->vault);
    return err;
}

mpc_err node_ks_open_val(node_ks_store *s, uint8_t **out, size_t *out_len,
                         const MDB_val *k, const MDB_val *v)
{
    *out = NULL;
    *out_len = 0;
    /* Every record holds at least one plaintext byte. */
    if (v->mv_size <= NODE_KSF_RECORD_OVERHEAD_BYTES ||
        v->mv_size > NODE_KSF_RECORD_MAX_BYTES)
        return MPC_ERR_PARSE;
    size_t cap = v->mv_size - NODE_KSF_RECORD_OVERHEAD_BYTES;
    uint8_t *buf = malloc(cap);
    if (buf == NULL)
        return MPC_ERR_NOMEM;
    const node_ksf_keys *keys = node_ks_vault_acquire(&s->vault);
    if (keys == NULL) {
        free(buf);
        return MPC_ERR_INTERNAL;
    }
    size_t n = 0;
    mpc_err err = node_ksf_record_open(buf, cap, &n, keys->record, k->mv_data,
                                       k->mv_size, v->mv_data, v->mv_size);
    node_ks_vault_release(&s->vault);
    if (err != MPC_OK) {
        free(buf); /* record_open zeroed it */
        return err;
    }
    *out = buf;
    *out_len = n;
    return MPC_OK;
}

mpc_err node_ks_get(MDB_txn *txn, node_ks_store *s, uint8_t **out,
                    size_t *out_len, const char *name, size_t name_len)
{
    *out = NULL;
    *out_len = 0;
    MDB_val k = {.mv_size = name_len, .mv_data = (void *)name};
    MDB_val v;
    int rc = mdb_get(txn, s->dbi, &k, &v);
    if (rc != 0)
        return node_ks_mdb_err(rc);
    return node_ks_open_val(s, out, out_len, &k, &v);
}

/* ---- open / close ------------------------------------------------------ */

void node_keystore_params_default(node_keystore_params *p)
{
    p->opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
    p->memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
    p->map_bytes = DEFAULT_MAP_BYTES;
}

void node_keystore_value_free(uint8_t *p, size_t len)
{
    if (p == NULL)
        return;
    sodium_memzero(p, len);
    free(p);
}

static const MDB_val header_key = {.mv_size = sizeof NODE_KSF_HEADER_NAME - 1,
                                   .mv_data = NODE_KSF_HEADER_NAME};

/* Existing keystore: derive the keys from the stored parameters and check
 * the password verifier. `hdr` is a copy of the header record. */
static mpc_err unlock_existing(node_keystore *ks, const uint8_t *hdr,
                               size_t hdr_len, const uint8_t *pw, size_t pw_len)
{
    mpc_err err = node_ksf_header_parse(&ks->header, hdr, hdr_len);
    if (err != MPC_OK)
        return err;
    err = node_ksf_keys_derive(ks->st.vault.keys, pw, pw_len, &ks->header.kdf);
    if (err != MPC_OK)
        return err;
    return node_ksf_header_verify(hdr, hdr_len, ks->st.vault.keys->verify);
}

/* New keystore: fresh salt and instance id, keys, header record. */
static mpc_err create_new(node_keystore *ks, MDB_txn *txn, const uint8_t *pw,
                          size_t pw_len, const node_keystore_params *params)
{
    MDB_stat st;
    int rc = mdb_stat(txn, ks->st.dbi, &st);
    if (rc != 0)
        return node_ks_mdb_err(rc);
    if (st.ms_entries != 0)
        return MPC_ERR_PARSE; /* records without a header */
    node_ksf_header *h = &ks->header;
    h->kdf.opslimit = params->opslimit;
    h->kdf.memlimit = params->memlimit;
    randombytes_buf(h->kdf.salt, sizeof h->kdf.salt);
    randombytes_buf(h->instance, sizeof h->instance);
    mpc_err err = node_ksf_keys_derive(ks->st.vault.keys, pw, pw_len, &h->kdf);
    if (err != MPC_OK)
        return err;
    uint8_t hdr[NODE_KSF_HEADER_BYTES];
    node_ksf_header_encode(hdr, h, ks->st.vault.keys->verify);
    MDB_val k = header_key;
    MDB_val v = {.mv_size = sizeof hdr, .mv_data = hdr};
    return node_ks_mdb_err(mdb_put(txn, ks->st.dbi, &k, &v, MDB_NOOVERWRITE));
}

/* The check and the creation share one write transaction, so two
 * processes opening a fresh directory cannot both create a header. An
 * existing header is copied out and the slow key derivation runs after the
 * transaction. */
static mpc_err unlock_or_create(node_keystore *ks, const uint8_t *pw,
                                size_t pw_len,
                                const node_keystore_params *params)
{
    MDB_txn *txn = NULL;
    mpc_err err = node_ks_txn_begin(&ks->st, &txn, true);
    if (err != MPC_OK)
        return err;
    MDB_val k = header_key, v;
    int rc = mdb_get(txn, ks->st.dbi, &k, &v);
    if (rc == MDB_NOTFOUND) {
        err = create_new(ks, txn, pw, pw_len, params);
        if (err != MPC_OK) {
            mdb_txn_abort(txn);
            return err;
        }
        return node_ks_txn_commit(txn);
    }
    uint8_t hdr[NODE_KSF_HEADER_BYTES];
    if (rc == 0 && v.mv_size != sizeof hdr)
        err = MPC_ERR_PARSE;
    else if (rc != 0)
        err = node_ks_mdb_err(rc);
    else
        memcpy(hdr, v.mv_data, sizeof hdr);
    mdb_txn_abort(txn);
    if (err != MPC_OK)
        return err;
    return unlock_existing(ks, hdr, sizeof hdr, pw, pw_len);
}

static bool params_ok(const node_keystore_params *p)
{
    node_ksf_kdf kdf = {.opslimit = p->opslimit, .memlimit = p->memlimit};
    return node_ksf_kdf_check(&kdf) == MPC_OK;
}

mpc_err node_keystore_open(node_keystore **out, const char *dir,
                           const uint8_t *pw, size_t pw_len,
                           const node_keystore_params *params)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    node_keystore_params defaults;
    node_keystore_params_default(&defaults);
    if (params == NULL)
        params = &defaults;
    if (dir == NULL || pw == NULL || pw_len == 0 ||
        pw_len > NODE_KEYSTORE_PASSWORD_MAX_BYTES || !params_ok(params))
        return MPC_ERR_INVALID_ARG;
    if (sodium_init() < 0)
        return MPC_ERR_INTERNAL;

    node_keystore *ks = calloc(1, sizeof *ks);
    if (ks == NULL)
        return MPC_ERR_NOMEM;
    if (pthread_mutex_init(&ks->live_mu, NULL) != 0) {
        free(ks);
        return MPC_ERR_NOMEM;
    }
    mpc_err err = node_ks_vault_init(&ks->st.vault);
    if (err != MPC_OK) {
        pthread_mutex_destroy(&ks->live_mu);
        free(ks);
        return err;
    }
    err = node_ks_env_open(&ks->st.env, &ks->st.dbi, dir, params->map_bytes);
    struct stat st;
    if (err == MPC_OK && stat(dir, &st) != 0)
        err = MPC_ERR_IO;
    if (err == MPC_OK) {
        ks->dir_dev = st.st_dev;
        ks->dir_ino = st.st_ino;
        err = unlock_or_create(ks, pw, pw_len, params);
    }
    if (err == MPC_OK)
        err = node_ks_vault_lock(&ks->st.vault);
    if (err != MPC_OK) {
        node_keystore_close(ks);
        return err;
    }
    *out = ks;
    return MPC_OK;
}

void node_keystore_close(node_keystore *ks)
{
    if (ks == NULL)
        return;
    if (ks->st.env != NULL)
        mdb_env_close(ks->st.env);
    node_ks_vault_clear(&ks->st.vault);
    while (ks->live != NULL) {
        struct node_ks_live *l = ks->live;
        ks->live = l->next;
        free(l);
    }
    pthread_mutex_destroy(&ks->live_mu);
    free(ks);
}

/* ---- shares ------------------------------------------------------------ */

static const char *curve_name(node_keystore_curve curve)
{
    switch (curve) {
    case NODE_KEYSTORE_SECP256K1:
        return "ecdsa";
    case NODE_KEYSTORE_ED25519:
        return "eddsa";
    }
    return NULL;
}

static bool value_ok(const uint8_t *p, size_t len)
{
    return p != NULL && len >= 1 && len <= NODE_KEYSTORE_VALUE_MAX_BYTES;
}

static void clear_value_out(uint8_t **out, size_t *out_len)
{
    if (out != NULL)
        *out = NULL;
    if (out_len != NULL)
        *out_len = 0;
}

/* One write transaction around `put` of a sealed value. */
static mpc_err put_one(node_keystore *ks, const char *name, size_t name_len,
                       const uint8_t *pt, size_t pt_len, unsigned flags)
{
    MDB_txn *txn = NULL;
    mpc_err err = node_ks_txn_begin(&ks->st, &txn, true);
    if (err != MPC_OK)
        return err;
    err = node_ks_put(txn, &ks->st, name, name_len, pt, pt_len, flags);
    if (err != MPC_OK) {
        mdb_txn_abort(txn);
        return err;
    }
    return node_ks_txn_commit(txn);
}

static mpc_err get_one(node_keystore *ks, uint8_t **out, size_t *out_len,
                       const char *name, size_t name_len)
{
    MDB_txn *txn = NULL;
    mpc_err err = node_ks_txn_begin(&ks->st, &txn, false);
    if (err != MPC_OK)
        return err;
    err = node_ks_get(txn, &ks->st, out, out_len, name, name_len);
    mdb_txn_abort(txn);
    return err;
}

static mpc_err del_one(node_keystore *ks, const char *name, size_t name_len)
{
    MDB_txn *txn = NULL;
    mpc_err err = node_ks_txn_begin(&ks->st, &txn, true);
    if (err != MPC_OK)
        return err;
    MDB_val k = {.mv_size = name_len, .mv_data = (void *)name};
    int rc = mdb_del(txn, ks->st.dbi, &k, NULL);
    if (rc != 0) {
        mdb_txn_abort(txn);
        return node_ks_mdb_err(rc);
    }
    return node_ks_txn_commit(txn);
}

static mpc_err share_name(char name[NAME_BUF], size_t *len,
                          node_keystore_curve curve, const char *wallet,
                          const uint32_t *version)
{
    const char *c = curve_name(curve);
    if (c == NULL) {
        *len = 0;
        return MPC_ERR_INVALID_ARG;
    }
    return node_ksf_share_name(name, NAME_BUF, len, c, wallet, version);
}

mpc_err node_keystore_share_put(node_keystore *ks, node_keystore_curve curve,
                                const char *wallet, uint32_t version,
                                const uint8_t *share, size_t len)
{
    char name[NAME_BUF];
    size_t name_len;
    if (ks == NULL || !value_ok(share, len))
        return MPC_ERR_INVALID_ARG;
    mpc_err err = share_name(name, &name_len, curve, wallet, &version);
    if (err != MPC_OK)
        return err;
    return put_one(ks, name, name_len, share, len, MDB_NOOVERWRITE);
}

mpc_err node_keystore_share_get(node_keystore *ks, uint8_t **out,
                                size_t *out_len, node_keystore_curve curve,
                                const char *wallet, uint32_t version)
{
    clear_value_out(out, out_len);
    char name[NAME_BUF];
    size_t name_len;
    if (ks == NULL || out == NULL || out_len == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = share_name(name, &name_len, curve, wallet, &version);
    if (err != MPC_OK)
        return err;
    return get_one(ks, out, out_len, name, name_len);
}

/*
 * Walks the versions of one wallet in ascending order within `txn`,
 * calling `fn` for each; stops early when `fn` returns false. A name under
 * the prefix that is not exactly prefix + 10 digits is damage (wallet ids
 * cannot contain ':'), hence MPC_ERR_PARSE.
 */
typedef bool (*version_fn)(void *ud, uint32_t version, const MDB_val *k,
                           const MDB_val *v);

static mpc_err walk_versions(node_keystore *ks, MDB_txn *txn,
                             const char *prefix, size_t prefix_len,
                             version_fn fn, void *ud)
{
    MDB_cursor *cur = NULL;
    int rc = mdb_cursor_open(txn, ks->st.dbi, &cur);
    if (rc != 0)
        return node_ks_mdb_err(rc);
    MDB_val k = {.mv_size = prefix_len, .mv_data = (void *)prefix}, v;
    mpc_err err = MPC_OK;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         rc == 0 && node_ks_has_prefix(&k, prefix, prefix_len);
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        uint64_t ver;
        err =
            node_ksf_name_number(&ver, k.mv_data, k.mv_size, prefix_len, false);
        if (err != MPC_OK || !fn(ud, (uint32_t)ver, &k, &v))
            break;
    }
    if (err == MPC_OK && rc != 0 && rc != MDB_NOTFOUND)
        err = node_ks_mdb_err(rc);
    mdb_cursor_close(cur);
    return err;
}

struct latest {
    uint32_t version;
    bool found;
    MDB_val k, v;
};

static bool keep_latest(void *ud, uint32_t version, const MDB_val *k,
                        const MDB_val *v)
{
    struct latest *l = ud;
    l->version = version;
    l->found = true;
    l->k = *k;
    l->v = *v;
    return true;
}

mpc_err node_keystore_share_get_latest(node_keystore *ks, uint32_t *version,
                                       uint8_t **out, size_t *out_len,
                                       node_keystore_curve curve,
                                       const char *wallet)
{
    clear_value_out(out, out_len);
    if (version != NULL)
        *version = 0;
    char prefix[NAME_BUF];
    size_t prefix_len;
    if (ks == NULL || version == NULL || out == NULL || out_len == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = share_name(prefix, &prefix_len, curve, wallet, NULL);
    if (err != MPC_OK)
        return err;
    MDB_txn *txn = NULL;
    err = node_ks_txn_begin(&ks->st, &txn, false);
    if (err != MPC_OK)
        return err;
    struct latest l = {0};
    err = walk_versions(ks, txn, prefix, prefix_len, keep_latest, &l);
    if (err == MPC_OK && !l.found)
        err = MPC_ERR_NOT_FOUND;
    if (err == MPC_OK)
        err = node_ks_open_val(&ks->st, out, out_len, &l.k, &l.v);
    mdb_txn_abort(txn);
    if (err == MPC_OK)
        *version = l.version;
    return err;
}

struct version_list {
    uint32_t *versions;
    size_t cap, count;
    bool overflow;
};

static bool append_version(void *ud, uint32_t version, const MDB_val *k,
                           const MDB_val *v)
{
    (void)k;
    (void)v;
    struct version_list *l = ud;
    if (l->count == l->cap) {
        l->overflow = true;
        return false;
    }
    l->versions[l->count++] = version;
    return true;
}

mpc_err node_keystore_share_versions(node_keystore *ks, uint32_t *versions,
                                     size_t cap, size_t *count,
                                     node_keystore_curve curve,
                                     const char *wallet)
{
    if (count != NULL)
        *count = 0;
    if (versions != NULL && cap != 0)
        memset(versions, 0, cap * sizeof *versions);
    char prefix[NAME_BUF];
    size_t prefix_len;
    if (ks == NULL || count == NULL || (versions == NULL && cap != 0))
        return MPC_ERR_INVALID_ARG;
    mpc_err err = share_name(prefix, &prefix_len, curve, wallet, NULL);
    if (err != MPC_OK)
        return err;
    MDB_txn *txn = NULL;
    err = node_ks_txn_begin(&ks->st, &txn, false);
    if (err != MPC_OK)
        return err;
    struct version_list l = {.versions = versions, .cap = cap};
    err = walk_versions(ks, txn, prefix, prefix_len, append_version, &l);
    mdb_txn_abort(txn);
    if (err == MPC_OK && l.overflow)
        err = MPC_ERR_INVALID_ARG;
    if (err != MPC_OK) {
        if (cap != 0)
            memset(versions, 0, cap * sizeof *versions);
        return err;
    }
    *count = l.count;
    return MPC_OK;
}

/* Deletes every version of a wallet's share below `keep`; with
 * `keep_must_exist`, only if version `keep` exists (else NOT_FOUND). */
static mpc_err delete_versions(node_keystore *ks, size_t *deleted,
                               node_keystore_curve curve, const char *wallet,
                               uint32_t keep, bool keep_must_exist)
{
    if (deleted != NULL)
        *deleted = 0;
    char keep_name[NAME_BUF], prefix[NAME_BUF];
    size_t keep_len, prefix_len;
    if (ks == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = share_name(keep_name, &keep_len, curve, wallet, &keep);
    if (err == MPC_OK)
        err = share_name(prefix, &prefix_len, curve, wallet, NULL);
    if (err != MPC_OK)
        return err;

    MDB_txn *txn = NULL;
    err = node_ks_txn_begin(&ks->st, &txn, true);
    if (err != MPC_OK)
        return err;
    MDB_val k = {.mv_size = keep_len, .mv_data = keep_name}, v;
    MDB_cursor *cur = NULL;
    size_t n = 0;
    int rc = keep_must_exist ? mdb_get(txn, ks->st.dbi, &k, &v) : 0;
    if (rc == 0)
        rc = mdb_cursor_open(txn, ks->st.dbi, &cur);
    if (rc != 0) {
        err = node_ks_mdb_err(rc);
        goto out;
    }
    /* Versions sort ascending; every name before `keep` is older. After
     * mdb_cursor_del, LMDB's MDB_NEXT yields the record that followed the
     * deleted one (it does not skip it). */
    k = (MDB_val){.mv_size = prefix_len, .mv_data = prefix};
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         rc == 0 && node_ks_has_prefix(&k, prefix, prefix_len);
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        uint64_t ver;
        err =
            node_ksf_name_number(&ver, k.mv_data, k.mv_size, prefix_len, false);
        if (err != MPC_OK)
            goto out;
        if (ver >= keep)
            break;
        rc = mdb_cursor_del(cur, 0);
        if (rc != 0)
            break;
        n++;
    }
    if (rc != 0 && rc != MDB_NOTFOUND) {
        err = node_ks_mdb_err(rc);
        goto out;
    }
    mdb_cursor_close(cur);
    cur = NULL;
    err = node_ks_txn_commit(txn);
    txn = NULL;
    if (err == MPC_OK && deleted != NULL)
        *deleted = n;
out:
    if (cur != NULL)
        mdb_cursor_close(cur);
    if (txn != NULL)
        mdb_txn_abort(txn);
    return err;
}

mpc_err node_keystore_share_delete_below(node_keystore *ks, size_t *deleted,
                                         node_keystore_curve curve,
                                         const char *wallet, uint32_t keep)
{
    return delete_versions(ks, deleted, curve, wallet, keep, true);
}

mpc_err node_keystore_share_delete_upto(node_keystore *ks, size_t *deleted,
                                        node_keystore_curve curve,
                                        const char *wallet, uint32_t last)
{
    if (last == UINT32_MAX) {
        if (deleted != NULL)
            *deleted = 0;
        return MPC_ERR_INVALID_ARG;
    }
    return delete_versions(ks, deleted, curve, wallet, last + 1u, false);
}

/* ---- blobs ------------------------------------------------------------- */

static const char *ns_prefix(node_keystore_ns ns)
{
    switch (ns) {
    case NODE_KEYSTORE_AUX:
        return "aux:";
    case NODE_KEYSTORE_KEYINFO:
        return "keyinfo:";
    case NODE_KEYSTORE_META:
        return "meta:";
    }
    return NULL;
}

static mpc_err blob_name(char name[NAME_BUF], size_t *len, node_keystore_ns ns,
                         const char *id)
{
    const char *prefix = ns_prefix(ns);
    if (prefix == NULL) {
        *len = 0;
        return MPC_ERR_INVALID_ARG;
    }
    return node_ksf_tail_name(name, NAME_BUF, len, prefix, id);
}

mpc_err node_keystore_blob_put(node_keystore *ks, node_keystore_ns ns,
                               const char *id, const uint8_t *data, size_t len)
{
    char name[NAME_BUF];
    size_t name_len;
    if (ks == NULL || !value_ok(data, len))
        return MPC_ERR_INVALID_ARG;
    mpc_err err = blob_name(name, &name_len, ns, id);
    if (err != MPC_OK)
        return err;
    return put_one(ks, name, name_len, data, len, 0);
}

mpc_err node_keystore_blob_get(node_keystore *ks, uint8_t **out,
                               size_t *out_len, node_keystore_ns ns,
                               const char *id)
{
    clear_value_out(out, out_len);
    char name[NAME_BUF];
    size_t name_len;
    if (ks == NULL || out == NULL || out_len == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = blob_name(name, &name_len, ns, id);
    if (err != MPC_OK)
        return err;
    return get_one(ks, out, out_len, name, name_len);
}

mpc_err node_keystore_blob_delete(node_keystore *ks, node_keystore_ns ns,
                                  const char *id)
{
    char name[NAME_BUF];
    size_t name_len;
    if (ks == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = blob_name(name, &name_len, ns, id);
    if (err != MPC_OK)
        return err;
    return del_one(ks, name, name_len);
}

/* ---- processed requests ------------------------------------------------ */

#define REQ_PREFIX "req:"

/* Seals a request record (`r`) under `name` within `txn`. */
static mpc_err put_request(MDB_txn *txn, node_keystore *ks, const char *name,
                           size_t name_len, const node_ksf_request *r)
{
    size_t len = NODE_KSF_REQUEST_PREFIX_BYTES + r->result_len;
    uint8_t *buf = malloc(len);
    if (buf == NULL)
        return MPC_ERR_NOMEM;
    mpc_err err = node_ksf_request_encode(buf, len, r);
    if (err == MPC_OK)
        err = node_ks_put(txn, &ks->st, name, name_len, buf, len, 0);
    node_keystore_value_free(buf, len);
    return err;
}

/* Reads and decodes request `name`; `*pt` backs `r->result`. */
static mpc_err get_request(MDB_txn *txn, node_keystore *ks, uint8_t **pt,
                           size_t *pt_len, node_ksf_request *r,
                           const char *name, size_t name_len)
{
    mpc_err err = node_ks_get(txn, &ks->st, pt, pt_len, name, name_len);
    if (err == MPC_OK)
        err = node_ksf_request_parse(r, *pt, *pt_len);
    if (err != MPC_OK && *pt != NULL) {
        node_keystore_value_free(*pt, *pt_len);
        *pt = NULL;
        *pt_len = 0;
    }
    return err;
}

static bool live_has(node_keystore *ks, const char *name, size_t len)
{
    pthread_mutex_lock(&ks->live_mu);
    const struct node_ks_live *l = ks->live;
    while (l != NULL && (l->len != len || memcmp(l->name, name, len) != 0))
        l = l->next;
    pthread_mutex_unlock(&ks->live_mu);
    return l != NULL;
}

static mpc_err live_add(node_keystore *ks, const char *name, size_t len)
{
    struct node_ks_live *l = malloc(sizeof *l + len);
    if (l == NULL)
        return MPC_ERR_NOMEM;
    l->len = len;
    memcpy(l->name, name, len);
    pthread_mutex_lock(&ks->live_mu);
    l->next = ks->live;
    ks->live = l;
    pthread_mutex_unlock(&ks->live_mu);
    return MPC_OK;
}

static void live_remove(node_keystore *ks, const char *name, size_t len)
{
    pthread_mutex_lock(&ks->live_mu);
    struct node_ks_live **pp = &ks->live;
    while (*pp != NULL &&
           ((*pp)->len != len || memcmp((*pp)->name, name, len) != 0))
        pp = &(*pp)->next;
    struct node_ks_live *l = *pp;
    if (l != NULL)
        *pp = l->next;
    pthread_mutex_unlock(&ks->live_mu);
    free(l);
}

/* Writes `r` as a new RUNNING record owned by this open, and commits. */
static mpc_err running_put(MDB_txn **txn, node_keystore *ks, const char *name,
                           size_t name_len, node_ksf_request *r, uint64_t now)
{
    r->state = NODE_KSF_REQ_RUNNING;
    r->created = now;
    r->result = NULL;
    r->result_len = 0;
    mpc_err err = put_request(*txn, ks, name, name_len, r);
    if (err == MPC_OK)
        err = live_add(ks, name, name_len);
    if (err != MPC_OK)
        return err;
    err = node_ks_txn_commit(*txn);
    *txn = NULL;
    if (err != MPC_OK)
        live_remove(ks, name, name_len);
    return err;
}

static mpc_err dup_result(uint8_t **out, size_t *out_len,
                          const node_ksf_request *r)
{
    uint8_t *p = malloc(r->result_len);
    if (p == NULL)
        return MPC_ERR_NOMEM;
    memcpy(p, r->result, r->result_len);
    *out = p;
    *out_len = r->result_len;
    return MPC_OK;
}

mpc_err node_keystore_request_begin(
    node_keystore *ks, node_keystore_req *state, uint8_t **result,
    size_t *result_len, const char *id,
    const uint8_t digest[NODE_KEYSTORE_DIGEST_BYTES], uint64_t now)
{
    return node_keystore_request_begin_leased(ks, state, result, result_len, id,
                                              digest, now, UINT64_MAX);
}

mpc_err node_keystore_request_begin_leased(
    node_keystore *ks, node_keystore_req *state, uint8_t **result,
    size_t *result_len, const char *id,
    const uint8_t digest[NODE_KEYSTORE_DIGEST_BYTES], uint64_t now,
    uint64_t lease_ms)
{
    clear_value_out(result, result_len);
    if (state != NULL)
        *state = NODE_KEYSTORE_REQ_NEW;
    char name[NAME_BUF];
    size_t name_len;
    if (ks == NULL || state == NULL || result == NULL || result_len == NULL ||
        digest == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = node_ksf_tail_name(name, NAME_BUF, &name_len, REQ_PREFIX, id);
    if (err != MPC_OK)
        return err;

    MDB_txn *txn = NULL;
    err = node_ks_txn_begin(&ks->st, &txn, true);
    if (err != MPC_OK)
        return err;
    uint8_t *pt = NULL;
    size_t pt_len = 0;
    node_ksf_request r;
    err = get_request(txn, ks, &pt, &pt_len, &r, name, name_len);
    if (err == MPC_ERR_NOT_FOUND) {
        r = (node_ksf_request){0};
        memcpy(r.digest, digest, sizeof r.digest);
        err = running_put(&txn, ks, name, name_len, &r, now);
        goto out;
    }
    if (err != MPC_OK)
        goto out;
    /* Digests are public (hashes of requests): memcmp is fine. */
    if (memcmp(r.digest, digest, sizeof r.digest) != 0) {
        err = MPC_ERR_CONFLICT;
        goto out;
    }
    if (r.state == NODE_KSF_REQ_DONE) {
        err = dup_result(result, result_len, &r);
        if (err == MPC_OK)
            *state = NODE_KEYSTORE_REQ_DONE;
        goto out;
    }
    /* RUNNING: a live owner keeps it; a dead one's lapses with its lease
     * (a clock set back only makes the lease longer). */
    bool lapsed = !live_has(ks, name, name_len) && now >= r.created &&
                  now - r.created >= lease_ms;
    if (lapsed)
        err = running_put(&txn, ks, name, name_len, &r, now);
    else
        *state = NODE_KEYSTORE_REQ_RUNNING;
out:
    if (txn != NULL)
        mdb_txn_abort(txn);
    node_keystore_value_free(pt, pt_len);
    if (err != MPC_OK)
        *state = NODE_KEYSTORE_REQ_NEW;
    return err;
}

mpc_err
node_keystore_request_finish(node_keystore *ks, const char *id,
                             const uint8_t digest[NODE_KEYSTORE_DIGEST_BYTES],
                             const uint8_t *result, size_t result_len)
{
    char name[NAME_BUF];
    size_t name_len;
    if (ks == NULL || digest == NULL || !value_ok(result, result_len))
        return MPC_ERR_INVALID_ARG;
    mpc_err err = node_ksf_tail_name(name, NAME_BUF, &name_len, REQ_PREFIX, id);
    if (err != MPC_OK)
        return err;

    MDB_txn *txn = NULL;
    err = node_ks_txn_begin(&ks->st, &txn, true);
    if (err != MPC_OK)
        return err;
    uint8_t *pt = NULL;
    size_t pt_len = 0;
    node_ksf_request r;
    err = get_request(txn, ks, &pt, &pt_len, &r, name, name_len);
    if (err != MPC_OK)
        goto out;
    if (memcmp(r.digest, digest, sizeof r.digest) != 0) {
        err = MPC_ERR_CONFLICT;
        goto out;
    }
    /* Whatever happens now, no thread of ours runs it any more: a record
     * that stays RUNNING (a failed write) lapses with its lease. */
    live_remove(ks, name, name_len);
    if (r.state != NODE_KSF_REQ_RUNNING) {
        err = MPC_ERR_STATE;
        goto out;
    }
    r.state = NODE_KSF_REQ_DONE;
    r.result = result;
    r.result_len = result_len;
    err = put_request(txn, ks, name, name_len, &r);
    if (err == MPC_OK) {
        err = node_ks_txn_commit(txn);
        txn = NULL;
    }
out:
    if (txn != NULL)
        mdb_txn_abort(txn);
    node_keystore_value_free(pt, pt_len);
    return err;
}

mpc_err node_keystore_request_delete(node_keystore *ks, const char *id)
{
    char name[NAME_BUF];
    size_t name_len;
    if (ks == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = node_ksf_tail_name(name, NAME_BUF, &name_len, REQ_PREFIX, id);
    if (err != MPC_OK)
        return err;
    live_remove(ks, name, name_len);
    return del_one(ks, name, name_len);
}

/* Decides whether the request record at the cursor is older than
 * `before`. */
static mpc_err request_is_old(node_keystore *ks, bool *old, const MDB_val *k,
                              const MDB_val *v, uint64_t before)
{
    uint8_t *pt = NULL;
    size_t pt_len = 0;
    node_ksf_request r;
    *old = false;
    mpc_err err = node_ks_open_val(&ks->st, &pt, &pt_len, k, v);
    if (err == MPC_OK)
        err = node_ksf_request_parse(&r, pt, pt_len);
    if (err == MPC_OK)
        *old = r.created < before;
    node_keystore_value_free(pt, pt_len);
    return err;
}

mpc_err node_keystore_request_prune(node_keystore *ks, size_t *removed,
                                    uint64_t before)
{
    if (removed != NULL)
        *removed = 0;
    if (ks == NULL)
        return MPC_ERR_INVALID_ARG;
    MDB_txn *txn = NULL;
    MDB_cursor *cur = NULL;
    mpc_err err = node_ks_txn_begin(&ks->st, &txn, true);
    if (err != MPC_OK)
        return err;
    int rc = mdb_cursor_open(txn, ks->st.dbi, &cur);
    if (rc != 0) {
        err = node_ks_mdb_err(rc);
        goto out;
    }
    static const size_t plen = sizeof REQ_PREFIX - 1;
    MDB_val k = {.mv_size = plen, .mv_data = REQ_PREFIX}, v;
    size_t n = 0;
    /* After mdb_cursor_del, LMDB's MDB_NEXT yields the record that
     * followed the deleted one (it does not skip it). */
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         rc == 0 && node_ks_has_prefix(&k, REQ_PREFIX, plen);
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        bool old;
        err = request_is_old(ks, &old, &k, &v, before);
        if (err != MPC_OK)
            goto out;
        if (old) {
            rc = mdb_cursor_del(cur, 0);
            if (rc != 0)
                break;
            n++;
        }
    }
    if (rc != 0 && rc != MDB_NOTFOUND) {
        err = node_ks_mdb_err(rc);
        goto out;
    }
    mdb_cursor_close(cur);
    cur = NULL;
    err = node_ks_txn_commit(txn);
    txn = NULL;
    if (err == MPC_OK && removed != NULL)
        *removed = n;
out:
    if (cur != NULL)
        mdb_cursor_close(cur);
    if (txn != NULL)
        mdb_txn_abort(txn);
    return err;
}
