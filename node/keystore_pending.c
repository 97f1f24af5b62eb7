/*
 * node/keystore_pending.c — pending shares: a share stored by a session
 * stays pending (a marker record next to it) until the coordinator's
 * commit; a failed session's shares are deleted (see keystore.h).
 */
#include <stdlib.h>
#include <string.h>

#include "node/keystore.h"
#include "node/keystore_internal.h"

#define NAME_BUF (NODE_KSF_NAME_MAX_BYTES + 1)
#define PEND_PREFIX "pend:"
#define PEND_PREFIX_LEN (sizeof PEND_PREFIX - 1)

/* A share's name and its marker's, for one version or (version NULL) the
 * prefixes listing a wallet's. */
typedef struct names {
    char share[NAME_BUF], pend[NAME_BUF];
    size_t share_len, pend_len;
} names;

static mpc_err names_make(names *n, node_keystore_curve curve,
                          const char *wallet, const uint32_t *version)
{
    const char *c = curve == NODE_KEYSTORE_SECP256K1 ? "ecdsa"
                    : curve == NODE_KEYSTORE_ED25519 ? "eddsa"
                                                     : NULL;
    if (c == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = node_ksf_share_name(n->share, NAME_BUF, &n->share_len, c,
                                      wallet, version);
    if (err == MPC_OK)
        err = node_ksf_pending_name(n->pend, NAME_BUF, &n->pend_len, c, wallet,
                                    version);
    return err;
}

/* mdb_del that counts an absent name as done; *found says which. */
static mpc_err del_name(MDB_txn *txn, node_keystore *ks, const char *name,
                        size_t len, bool *found)
{
    MDB_val k = {.mv_size = len, .mv_data = (void *)name};
    int rc = mdb_del(txn, ks->st.dbi, &k, NULL);
    if (found != NULL)
        *found = rc == 0;
    return rc == MDB_NOTFOUND ? MPC_OK : node_ks_mdb_err(rc);
}

static mpc_err commit_txn(MDB_txn *txn, mpc_err err)
{
    if (err != MPC_OK) {
        mdb_txn_abort(txn);
        return err;
    }
    return node_ks_txn_commit(txn);
}

mpc_err node_keystore_share_put_pending(node_keystore *ks,
                                        node_keystore_curve curve,
                                        const char *wallet, uint32_t version,
                                        const uint8_t *share, size_t len,
                                        const char *session, uint64_t now)
{
    names n;
    node_keystore_pending p = {.created = now};
    if (ks == NULL || share == NULL || len == 0 ||
        len > NODE_KEYSTORE_VALUE_MAX_BYTES || session == NULL ||
        !node_ksf_id_is_valid(session, false))
        return MPC_ERR_INVALID_ARG;
    memcpy(p.session, session, strlen(session) + 1);
    uint8_t marker[NODE_KSF_PENDING_MAX_BYTES];
    size_t marker_len;
    mpc_err err = names_make(&n, curve, wallet, &version);
    if (err == MPC_OK)
        err = node_ksf_pending_encode(marker, sizeof marker, &marker_len, &p);
    if (err != MPC_OK)
        return err;
    MDB_txn *txn = NULL;
    err = node_ks_txn_begin(&ks->st, &txn, true);
    if (err != MPC_OK)
        return err;
    err = node_ks_put(txn, &ks->st, n.share, n.share_len, share, len,
                      MDB_NOOVERWRITE);
    if (err == MPC_OK)
        err = node_ks_put(txn, &ks->st, n.pend, n.pend_len, marker, marker_len,
                          0);
    return commit_txn(txn, err);
}

/* Reads and parses version's marker within `txn`; NOT_FOUND if the share
 * or its marker is absent. */
static mpc_err pending_read(MDB_txn *txn, node_keystore *ks,
                            node_keystore_pending *p, const names *n)
{
    MDB_val k = {.mv_size = n->share_len, .mv_data = (void *)n->share}, v;
    int rc = mdb_get(txn, ks->st.dbi, &k, &v);
    if (rc != 0)
        return node_ks_mdb_err(rc);
    uint8_t *pt = NULL;
    size_t pt_len = 0;
    mpc_err err = node_ks_get(txn, &ks->st, &pt, &pt_len, n->pend, n->pend_len);
    if (err == MPC_OK)
        err = node_ksf_pending_parse(p, pt, pt_len);
    node_keystore_value_free(pt, pt_len);
    return err;
}

mpc_err node_keystore_share_pending_get(node_keystore *ks,
                                        node_keystore_pending *p,
                                        node_keystore_curve curve,
                                        const char *wallet, uint32_t version)
{
    node_keystore_pending tmp;
    node_keystore_pending *out = p != NULL ? p : &tmp;
    memset(out, 0, sizeof *out);
    names n;
    if (ks == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = names_make(&n, curve, wallet, &version);
    if (err != MPC_OK)
        return err;
    MDB_txn *txn = NULL;
    err = node_ks_txn_begin(&ks->st, &txn, false);
    if (err != MPC_OK)
        return err;
    err = pending_read(txn, ks, out, &n);
    mdb_txn_abort(txn);
    if (err != MPC_OK)
        memset(out, 0, sizeof *out);
    return err;
}

mpc_err node_keystore_share_get_committed(node_keystore *ks, uint8_t **out,
                                          size_t *out_len,
                                          node_keystore_curve curve,
                                          const char *wallet, uint32_t version)
{
    if (out != NULL)
        *out = NULL;
    if (out_len != NULL)
        *out_len = 0;
    names n;
    if (ks == NULL || out == NULL || out_len == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = names_make(&n, curve, wallet, &version);
    if (err != MPC_OK)
        return err;
    MDB_txn *txn = NULL;
    err = node_ks_txn_begin(&ks->st, &txn, false);
    if (err != MPC_OK)
        return err;
    MDB_val k = {.mv_size = n.pend_len, .mv_data = n.pend}, v;
    int rc = mdb_get(txn, ks->st.dbi, &k, &v);
    if (rc == 0)
        err = MPC_ERR_NOT_FOUND;
    else if (rc != MDB_NOTFOUND)
        err = node_ks_mdb_err(rc);
    else
        err = node_ks_get(txn, &ks->st, out, out_len, n.share, n.share_len);
    mdb_txn_abort(txn);
    return err;
}

/* Deletes, within `txn`, every name `prefix` + 10 digits whose number is
 * below `keep`; counts them into *count. After mdb_cursor_del, MDB_NEXT
 * yields the record that followed the deleted one. */
static mpc_err del_below(MDB_txn *txn, node_keystore *ks, const char *prefix,
                         size_t prefix_len, uint32_t keep, size_t *count)
{
    MDB_cursor *cur = NULL;
    int rc = mdb_cursor_open(txn, ks->st.dbi, &cur);
    if (rc != 0)
        return node_ks_mdb_err(rc);
    mpc_err err = MPC_OK;
    MDB_val k = {.mv_size = prefix_len, .mv_data = (void *)prefix}, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         rc == 0 && node_ks_has_prefix(&k, prefix, prefix_len);
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        uint64_t ver;
        err =
            node_ksf_name_number(&ver, k.mv_data, k.mv_size, prefix_len, false);
        if (err != MPC_OK || ver >= keep)
            break;
        rc = mdb_cursor_del(cur, 0);
        if (rc != 0)
            break;
        if (count != NULL)
            (*count)++;
    }
    if (err == MPC_OK && rc != 0 && rc != MDB_NOTFOUND)
        err = node_ks_mdb_err(rc);
    mdb_cursor_close(cur);
    return err;
}

mpc_err node_keystore_share_commit(node_keystore *ks, size_t *deleted,
                                   node_keystore_curve curve,
                                   const char *wallet, uint32_t version,
                                   bool drop_older)
{
    if (deleted != NULL)
        *deleted = 0;
    names one, all;
    if (ks == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = names_make(&one, curve, wallet, &version);
    if (err == MPC_OK)
        err = names_make(&all, curve, wallet, NULL);
    if (err != MPC_OK)
        return err;
    MDB_txn *txn = NULL;
    err = node_ks_txn_begin(&ks->st, &txn, true);
    if (err != MPC_OK)
        return err;
    MDB_val k = {.mv_size = one.share_len, .mv_data = one.share}, v;
    err = node_ks_mdb_err(mdb_get(txn, ks->st.dbi, &k, &v));
    if (err == MPC_OK)
        err = del_name(txn, ks, one.pend, one.pend_len, NULL);
    size_t n = 0;
    if (err == MPC_OK && drop_older)
        err = del_below(txn, ks, all.share, all.share_len, version, &n);
    if (err == MPC_OK && drop_older)
        err = del_below(txn, ks, all.pend, all.pend_len, version, NULL);
    err = commit_txn(txn, err);
    if (err == MPC_OK && deleted != NULL)
        *deleted = n;
    return err;
}

mpc_err node_keystore_share_delete_version(node_keystore *ks,
                                           node_keystore_curve curve,
                                           const char *wallet, uint32_t version)
{
    names n;
    if (ks == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = names_make(&n, curve, wallet, &version);
    if (err != MPC_OK)
        return err;
    MDB_txn *txn = NULL;
    err = node_ks_txn_begin(&ks->st, &txn, true);
    if (err != MPC_OK)
        return err;
    bool had_share = false, had_marker = false;
    err = del_name(txn, ks, n.share, n.share_len, &had_share);
    if (err == MPC_OK)
        err = del_name(txn, ks, n.pend, n.pend_len, &had_marker);
    if (err == MPC_OK && !had_share && !had_marker)
        err = MPC_ERR_NOT_FOUND;
    return commit_txn(txn, err);
}

/* Which pending shares a sweep deletes. */
typedef struct sweep {
    const char *session; /* this session's, or (NULL) lapsed ones: */
    uint64_t now, lease_ms;
} sweep;

static bool sweep_hits(const sweep *s, const node_keystore_pending *p)
{
    if (s->session != NULL)
        return strcmp(p->session, s->session) == 0;
    return s->now >= p->created && s->now - p->created >= s->lease_ms;
}

/* Finds, from marker name `from` on, the first marker the sweep hits and
 * copies its name into `found` (*found_len 0: none). */
static mpc_err sweep_next(MDB_txn *txn, node_keystore *ks, const sweep *s,
                          const char *from, size_t from_len,
                          char found[NAME_BUF], size_t *found_len)
{
    *found_len = 0;
    MDB_cursor *cur = NULL;
    int rc = mdb_cursor_open(txn, ks->st.dbi, &cur);
    if (rc != 0)
        return node_ks_mdb_err(rc);
    mpc_err err = MPC_OK;
    MDB_val k = {.mv_size = from_len, .mv_data = (void *)from}, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         rc == 0 && node_ks_has_prefix(&k, PEND_PREFIX, PEND_PREFIX_LEN);
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size >= NAME_BUF) {
            err = MPC_ERR_PARSE;
            break;
        }
        uint8_t *pt = NULL;
        size_t pt_len = 0;
        node_keystore_pending p;
        err = node_ks_open_val(&ks->st, &pt, &pt_len, &k, &v);
        if (err == MPC_OK)
            err = node_ksf_pending_parse(&p, pt, pt_len);
        node_keystore_value_free(pt, pt_len);
        if (err != MPC_OK)
            break;
        if (sweep_hits(s, &p)) {
            memcpy(found, k.mv_data, k.mv_size);
            found[k.mv_size] = '\0';
            *found_len = k.mv_size;
            break;
        }
    }
    if (err == MPC_OK && rc != 0 && rc != MDB_NOTFOUND)
        err = node_ks_mdb_err(rc);
    mdb_cursor_close(cur);
    return err;
}

/* Deletes every pending share the sweep hits, with its marker, in one
 * transaction. The share of marker "pend:<rest>" is "share:<rest>". */
static mpc_err sweep_run(node_keystore *ks, size_t *deleted, const sweep *s)
{
    if (deleted != NULL)
        *deleted = 0;
    MDB_txn *txn = NULL;
    mpc_err err = node_ks_txn_begin(&ks->st, &txn, true);
    if (err != MPC_OK)
        return err;
    char from[NAME_BUF] = PEND_PREFIX, share[NAME_BUF + 1];
    size_t from_len = PEND_PREFIX_LEN, n = 0;
    for (;;) {
        err = sweep_next(txn, ks, s, from, from_len, from, &from_len);
        if (err != MPC_OK || from_len == 0)
            break;
        size_t share_len = from_len + 1;
        memcpy(share, "share", 5);
        memcpy(share + 5, from + 4, from_len - 4);
        err = del_name(txn, ks, from, from_len, NULL);
        if (err == MPC_OK)
            err = del_name(txn, ks, share, share_len, NULL);
        if (err != MPC_OK)
            break;
        n++;
    }
    err = commit_txn(txn, err);
    if (err == MPC_OK && deleted != NULL)
        *deleted = n;
    return err;
}

mpc_err node_keystore_share_abort(node_keystore *ks, size_t *deleted,
                                  const char *session)
{
    if (deleted != NULL)
        *deleted = 0;
    if (ks == NULL || session == NULL || !node_ksf_id_is_valid(session, false))
        return MPC_ERR_INVALID_ARG;
    sweep s = {.session = session};
    return sweep_run(ks, deleted, &s);
}

mpc_err node_keystore_share_prune_pending(node_keystore *ks, size_t *deleted,
                                          uint64_t now, uint64_t lease_ms)
{
    if (deleted != NULL)
        *deleted = 0;
    if (ks == NULL)
        return MPC_ERR_INVALID_ARG;
    sweep s = {.now = now, .lease_ms = lease_ms};
    return sweep_run(ks, deleted, &s);
}
