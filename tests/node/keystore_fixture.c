/*
 * tests/node/keystore_fixture.c — see keystore_fixture.h.
 */
/* nftw needs the X/Open extensions. */
#define _XOPEN_SOURCE 700

#include "tests/node/keystore_fixture.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>
#include <sodium.h>

#include "tests/harness/test.h"

void ks_fx_params(node_keystore_params *p)
{
    node_keystore_params_default(p);
    p->opslimit = crypto_pwhash_OPSLIMIT_MIN;
    p->memlimit = crypto_pwhash_MEMLIMIT_MIN;
    p->map_bytes = (size_t)64 << 20;
}

bool ks_fx_init(ks_fx *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->root, sizeof f->root, "/tmp/mpc-keystore-XXXXXX");
    if (mkdtemp(f->root) == NULL) {
        f->root[0] = '\0';
        test_fail(__FILE__, __LINE__, "mkdtemp failed");
        return false;
    }
    snprintf(f->dir, sizeof f->dir, "%s/main", f->root);
    snprintf(f->pool_dir, sizeof f->pool_dir, "%s/pool", f->root);
    node_keystore_params p;
    ks_fx_params(&p);
    if (node_keystore_open(&f->ks, f->dir, KS_FX_PW, KS_FX_PW_LEN, &p) !=
        MPC_OK) {
        test_fail(__FILE__, __LINE__, "node_keystore_open failed");
        return false;
    }
    return true;
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void ks_fx_done(ks_fx *f)
{
    node_keystore_close(f->ks);
    f->ks = NULL;
    if (f->root[0] != '\0')
        nftw(f->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

bool ks_fx_reopen(ks_fx *f)
{
    node_keystore_close(f->ks);
    f->ks = NULL;
    node_keystore_params p;
    ks_fx_params(&p);
    REQUIRE_OK(node_keystore_open(&f->ks, f->dir, KS_FX_PW, KS_FX_PW_LEN, &p));
    return true;
}

void ks_fx_path(const ks_fx *f, char out[256], const char *name)
{
    snprintf(out, 256, "%s/%s", f->root, name);
}

/* Opens `dir` raw in a transaction; runs `fn`; commits if it succeeds. */
typedef bool (*raw_fn)(MDB_txn *txn, MDB_dbi dbi, void *ud);

static bool raw_run(const char *dir, bool write, raw_fn fn, void *ud)
{
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    MDB_dbi dbi;
    bool ok = false;
    if (mdb_env_create(&env) != 0)
        return false;
    if (mdb_env_set_mapsize(env, (size_t)64 << 20) == 0 &&
        mdb_env_open(env, dir, MDB_NOTLS, 0600) == 0 &&
        mdb_txn_begin(env, NULL, write ? 0 : MDB_RDONLY, &txn) == 0) {
        if (mdb_dbi_open(txn, NULL, 0, &dbi) == 0 && fn(txn, dbi, ud)) {
            ok = mdb_txn_commit(txn) == 0;
        } else {
            mdb_txn_abort(txn);
        }
    }
    mdb_env_close(env);
    return ok;
}

struct raw_args {
    const char *name;
    uint8_t *out;
    const uint8_t *in;
    size_t cap, len, at;
    size_t entries;
    const char *prefix;
    bool found;
};

static MDB_val key_of(const char *name)
{
    return (MDB_val){.mv_size = strlen(name), .mv_data = (void *)name};
}

static bool do_get(MDB_txn *txn, MDB_dbi dbi, void *ud)
{
    struct raw_args *a = ud;
    MDB_val k = key_of(a->name), v;
    if (mdb_get(txn, dbi, &k, &v) != 0 || v.mv_size > a->cap)
        return false;
    memcpy(a->out, v.mv_data, v.mv_size);
    a->len = v.mv_size;
    return true;
}

bool ks_raw_get(const char *dir, const char *name, uint8_t *out, size_t cap,
                size_t *len)
{
    struct raw_args a = {.name = name, .out = out, .cap = cap};
    bool ok = raw_run(dir, false, do_get, &a);
    *len = ok ? a.len : 0;
    return ok;
}

static bool do_put(MDB_txn *txn, MDB_dbi dbi, void *ud)
{
    struct raw_args *a = ud;
    MDB_val k = key_of(a->name);
    MDB_val v = {.mv_size = a->len, .mv_data = (void *)a->in};
    return mdb_put(txn, dbi, &k, &v, 0) == 0;
}

bool ks_raw_put(const char *dir, const char *name, const uint8_t *v, size_t len)
{
    struct raw_args a = {.name = name, .in = v, .len = len};
    return raw_run(dir, true, do_put, &a);
}

static bool do_del(MDB_txn *txn, MDB_dbi dbi, void *ud)
{
    struct raw_args *a = ud;
    MDB_val k = key_of(a->name);
    return mdb_del(txn, dbi, &k, NULL) == 0;
}

bool ks_raw_del(const char *dir, const char *name)
{
    struct raw_args a = {.name = name};
    return raw_run(dir, true, do_del, &a);
}

bool ks_raw_flip(const char *dir, const char *name, size_t at)
{
    uint8_t buf[4096];
    size_t len;
    if (!ks_raw_get(dir, name, buf, sizeof buf, &len) || at >= len)
        return false;
    buf[at] ^= 1;
    return ks_raw_put(dir, name, buf, len);
}

static bool do_scan(MDB_txn *txn, MDB_dbi dbi, void *ud)
{
    struct raw_args *a = ud;
    MDB_cursor *cur;
    MDB_val k, v;
    if (mdb_cursor_open(txn, dbi, &cur) != 0)
        return false;
    size_t plen = strlen(a->prefix);
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        a->entries++;
        if (k.mv_size >= plen && memcmp(k.mv_data, a->prefix, plen) == 0)
            a->found = true;
    }
    mdb_cursor_close(cur);
    return true;
}

bool ks_raw_scan(const char *dir, size_t *entries, const char *prefix,
                 bool *found)
{
    struct raw_args a = {.prefix = prefix};
    bool ok = raw_run(dir, false, do_scan, &a);
    *entries = a.entries;
    *found = a.found;
    return ok;
}

uint8_t *ks_file_read(const char *path, size_t *len)
{
    *len = 0;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return NULL;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? 2 * cap : 65536;
            uint8_t *p = realloc(buf, cap);
            if (p == NULL) {
                free(buf);
                fclose(fp);
                return NULL;
            }
            buf = p;
        }
        size_t r = fread(buf + n, 1, cap - n, fp);
        if (r == 0)
            break;
        n += r;
    }
    fclose(fp);
    *len = n;
    return buf;
}

bool ks_file_write(const char *path, const uint8_t *p, size_t len)
{
    FILE *fp = fopen(path, "wb");
    if (fp == NULL)
        return false;
    bool ok = fwrite(p, 1, len, fp) == len;
    return fclose(fp) == 0 && ok;
}

static bool contains(const uint8_t *hay, size_t n, const uint8_t *needle,
                     size_t m)
{
    for (size_t i = 0; m <= n && i <= n - m; i++) {
        if (memcmp(hay + i, needle, m) == 0)
            return true;
    }
    return false;
}

bool ks_file_has(const char *path, const uint8_t *needle, size_t n)
{
    size_t len;
    uint8_t *buf = ks_file_read(path, &len);
    if (buf == NULL)
        return false;
    bool found = false;
    size_t w = n < 16 ? n : 16;
    for (size_t i = 0; !found && i + w <= n; i++)
        found = contains(buf, len, needle + i, w);
    free(buf);
    return found;
}
