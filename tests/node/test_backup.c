/*
 * Tests of node/backup: round trip into a new directory, wrong password,
 * tampered and truncated files refused before anything is written, target
 * directory rules, presignatures never included (and emptied after a
 * restore), periodic backups and rotation, a backup taken while a writer
 * commits.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "node/backup.h"
#include "node/keystore_format.h"
#include "node/presign.h"
#include "tests/harness/test.h"
#include "tests/node/keystore_fixture.h"

#define EC NODE_KEYSTORE_SECP256K1
#define ED NODE_KEYSTORE_ED25519

static const uint8_t share_a[] = "share A secret bytes";
static const uint8_t share_b[] = "share B secret bytes";
static const uint8_t set[] = {0xaa};

/* Shares in two versions, a blob, a done request: 6 records + header. */
static bool populate(node_keystore *ks)
{
    uint8_t d[32] = {3};
    node_keystore_req st;
    uint8_t *res;
    size_t len;
    REQUIRE_OK(
        node_keystore_share_put(ks, EC, "w", 1, share_a, sizeof share_a));
    REQUIRE_OK(
        node_keystore_share_put(ks, EC, "w", 2, share_b, sizeof share_b));
    REQUIRE_OK(
        node_keystore_share_put(ks, ED, "w", 1, share_b, sizeof share_b));
    REQUIRE_OK(node_keystore_blob_put(ks, NODE_KEYSTORE_AUX, "c1", share_a,
                                      sizeof share_a));
    REQUIRE_OK(node_keystore_blob_put(ks, NODE_KEYSTORE_KEYINFO, "ecdsa:w",
                                      share_b, 4));
    REQUIRE_OK(node_keystore_request_begin(ks, &st, &res, &len, "r1", d, 1));
    REQUIRE_OK(node_keystore_request_finish(ks, "r1", d, share_a, 5));
    return true;
}

#define POPULATED_RECORDS 7u

static bool open_at(node_keystore **ks, const char *dir)
{
    node_keystore_params p;
    ks_fx_params(&p);
    REQUIRE_OK(node_keystore_open(ks, dir, KS_FX_PW, KS_FX_PW_LEN, &p));
    return true;
}

static bool same_value(mpc_err err, uint8_t *p, size_t n, const uint8_t *want,
                       size_t want_len)
{
    bool ok = err == MPC_OK && n == want_len && memcmp(p, want, n) == 0;
    node_keystore_value_free(p, n);
    REQUIRE(ok);
    return true;
}

/* Everything populate() wrote is readable in `ks`. */
static bool check_populated(node_keystore *ks)
{
    uint8_t *p;
    size_t n;
    uint32_t v;
    mpc_err err = node_keystore_share_get(ks, &p, &n, EC, "w", 1);
    REQUIRE(same_value(err, p, n, share_a, sizeof share_a));
    err = node_keystore_share_get_latest(ks, &v, &p, &n, EC, "w");
    REQUIRE(same_value(err, p, n, share_b, sizeof share_b));
    REQUIRE(v == 2);
    err = node_keystore_share_get(ks, &p, &n, ED, "w", 1);
    REQUIRE(same_value(err, p, n, share_b, sizeof share_b));
    err = node_keystore_blob_get(ks, &p, &n, NODE_KEYSTORE_AUX, "c1");
    REQUIRE(same_value(err, p, n, share_a, sizeof share_a));
    uint8_t d[32] = {3};
    node_keystore_req st;
    REQUIRE_OK(node_keystore_request_begin(ks, &st, &p, &n, "r1", d, 9));
    REQUIRE(st == NODE_KEYSTORE_REQ_DONE);
    REQUIRE(same_value(MPC_OK, p, n, share_a, 5));
    return true;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

KS_TEST(keystore_backup_roundtrip)
{
    CHECK(populate(f->ks));
    char file[256], dst[256];
    ks_fx_path(f, file, "b1.mpcbak");
    ks_fx_path(f, dst, "restored");
    node_backup_info info = {0}, vinfo, rinfo;
    CHECK_OK(node_backup_write(f->ks, &info, file, 1700000000));
    CHECK(info.created == 1700000000 && info.records == POPULATED_RECORDS);
    CHECK(info.txn_id > 0);
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp", file);
    CHECK(!exists(tmp));
    CHECK_OK(node_backup_verify(&vinfo, file, KS_FX_PW, KS_FX_PW_LEN));
    CHECK_MEM(&vinfo, &info, sizeof info);

    /* The file hides values and names. */
    CHECK(!ks_file_has(file, share_a, sizeof share_a - 1));
    CHECK(!ks_file_has(file, (const uint8_t *)"share:ecdsa:w", 13));

    CHECK_OK(node_backup_restore(&rinfo, file, KS_FX_PW, KS_FX_PW_LEN, dst,
                                 false, 0));
    CHECK_MEM(&rinfo, &info, sizeof info);
    node_keystore *ks2 = NULL;
    CHECK(open_at(&ks2, dst));
    bool ok = check_populated(ks2);
    node_keystore_close(ks2);
    CHECK(ok);

    /* The source keeps working, and a later backup sees its changes. */
    CHECK(check_populated(f->ks));
    CHECK_OK(node_keystore_share_put(f->ks, EC, "w", 3, share_a, 3));
    CHECK_OK(node_backup_write(f->ks, &info, file, 1700000001));
    CHECK(info.records == POPULATED_RECORDS + 1);
}

KS_TEST(keystore_backup_wrong_password)
{
    CHECK(populate(f->ks));
    char file[256], dst[256];
    ks_fx_path(f, file, "b.mpcbak");
    ks_fx_path(f, dst, "restored");
    CHECK_OK(node_backup_write(f->ks, NULL, file, 1));
    static const uint8_t bad[] = "wrong";
    node_backup_info info = {.records = 9};
    CHECK_ERR(node_backup_verify(&info, file, bad, 5), MPC_ERR_AUTH);
    CHECK(info.records == 0);
    CHECK_ERR(node_backup_restore(NULL, file, bad, 5, dst, false, 0),
              MPC_ERR_AUTH);
    CHECK(!exists(dst));
    /* And the restored keystore asks for the original password. */
    CHECK_OK(
        node_backup_restore(NULL, file, KS_FX_PW, KS_FX_PW_LEN, dst, false, 0));
    node_keystore_params p;
    ks_fx_params(&p);
    node_keystore *ks2 = NULL;
    CHECK_ERR(node_keystore_open(&ks2, dst, bad, 5, &p), MPC_ERR_AUTH);
}

/* Applies `edit` to a copy of the backup; restore must fail with `want`
 * and leave no target directory. */
static bool refused(ks_fx *f, const uint8_t *orig, size_t len, size_t at_or_len,
                    int kind, mpc_err want)
{
    char file[256], dst[256];
    ks_fx_path(f, file, "edited.mpcbak");
    ks_fx_path(f, dst, "restored-bad");
    uint8_t *buf = malloc(len + 8);
    REQUIRE(buf != NULL);
    memcpy(buf, orig, len);
    size_t n = len;
    if (kind == 0)
        buf[at_or_len] ^= 0x01; /* flip a bit */
    else if (kind == 1)
        n = at_or_len; /* truncate */
    else {
        memcpy(buf + len, "trailing", 8); /* append */
        n = len + 8;
    }
    bool wrote = ks_file_write(file, buf, n);
    free(buf);
    REQUIRE(wrote);
    mpc_err got =
        node_backup_restore(NULL, file, KS_FX_PW, KS_FX_PW_LEN, dst, false, 0);
    if (got != want)
        test_fail(__FILE__, __LINE__, "kind %d at %zu: %s, want %s", kind,
                  at_or_len, mpc_err_name(got), mpc_err_name(want));
    REQUIRE(got == want);
    REQUIRE(!exists(dst));
    REQUIRE(node_backup_verify(NULL, file, KS_FX_PW, KS_FX_PW_LEN) == want);
    return true;
}

KS_TEST(keystore_backup_tampered_refused)
{
    CHECK(populate(f->ks));
    char file[256];
    ks_fx_path(f, file, "b.mpcbak");
    CHECK_OK(node_backup_write(f->ks, NULL, file, 1));
    size_t len;
    uint8_t *orig = ks_file_read(file, &len);
    CHECK(orig != NULL);
    const size_t H = NODE_KSF_BACKUP_HEADER_BYTES;
    struct {
        size_t at;
        int kind;
        mpc_err want;
    } cases[] = {
        {0, 0, MPC_ERR_PARSE},        /* magic */
        {8, 0, MPC_ERR_PARSE},        /* version */
        {11, 0, MPC_ERR_PARSE},       /* opslimit out of bounds */
        {30, 0, MPC_ERR_AUTH},        /* salt */
        {50, 0, MPC_ERR_AUTH},        /* MAC */
        {80, 0, MPC_ERR_VERIFY},      /* secretstream header */
        {H + 0, 0, MPC_ERR_PARSE},    /* first frame's length: huge */
        {H + 3, 0, MPC_ERR_VERIFY},   /* first frame's length: +-1 */
        {H + 10, 0, MPC_ERR_VERIFY},  /* first frame */
        {len / 2, 0, MPC_ERR_VERIFY}, /* a record */
        {len - 1, 0, MPC_ERR_VERIFY}, /* the final frame's tag */
        {H - 1, 1, MPC_ERR_PARSE},    /* truncated header */
        {H, 1, MPC_ERR_PARSE},        /* no frames */
        {len / 2, 1, MPC_ERR_PARSE},  /* cut mid-frame */
        {len - 30, 1, MPC_ERR_PARSE}, /* final frame missing */
        {0, 2, MPC_ERR_PARSE},        /* bytes after the end */
    };
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof cases / sizeof cases[0]; i++)
        ok = refused(f, orig, len, cases[i].at, cases[i].kind, cases[i].want);
    free(orig);
    CHECK(ok);
}

/* Writes a backup file whose stream is valid but whose records were
 * swapped: the keystore seal catches it even though the outer layer
 * authenticates. */
KS_TEST(keystore_backup_swapped_records_refused)
{
    CHECK(populate(f->ks));
    node_keystore_close(f->ks);
    f->ks = NULL;
    uint8_t r1[512], r2[512];
    size_t l1, l2;
    CHECK(ks_raw_get(f->dir, "share:ecdsa:w:v0000000001", r1, sizeof r1, &l1));
    CHECK(ks_raw_get(f->dir, "share:ecdsa:w:v0000000002", r2, sizeof r2, &l2));
    CHECK(ks_raw_put(f->dir, "share:ecdsa:w:v0000000001", r2, l2));
    CHECK(ks_fx_reopen(f));
    char file[256], dst[256];
    ks_fx_path(f, file, "b.mpcbak");
    ks_fx_path(f, dst, "restored");
    CHECK_OK(node_backup_write(f->ks, NULL, file, 1));
    CHECK_ERR(node_backup_verify(NULL, file, KS_FX_PW, KS_FX_PW_LEN),
              MPC_ERR_VERIFY);
    CHECK_ERR(
        node_backup_restore(NULL, file, KS_FX_PW, KS_FX_PW_LEN, dst, false, 0),
        MPC_ERR_VERIFY);
    CHECK(!exists(dst));
}

KS_TEST(keystore_backup_target_rules)
{
    CHECK(populate(f->ks));
    char file[256], dst[256], junk[300];
    ks_fx_path(f, file, "b.mpcbak");
    ks_fx_path(f, dst, "target");
    CHECK_OK(node_backup_write(f->ks, NULL, file, 1));
    /* An existing empty directory is fine. */
    CHECK(mkdir(dst, 0700) == 0);
    CHECK_OK(
        node_backup_restore(NULL, file, KS_FX_PW, KS_FX_PW_LEN, dst, false, 0));
    /* Now it is not empty: refused, unless forced. */
    CHECK_ERR(
        node_backup_restore(NULL, file, KS_FX_PW, KS_FX_PW_LEN, dst, false, 0),
        MPC_ERR_CONFLICT);
    snprintf(junk, sizeof junk, "%s/unrelated", dst);
    CHECK(ks_file_write(junk, (const uint8_t *)"x", 1));
    CHECK_OK(
        node_backup_restore(NULL, file, KS_FX_PW, KS_FX_PW_LEN, dst, true, 0));
    CHECK(exists(junk));
    node_keystore *ks2 = NULL;
    CHECK(open_at(&ks2, dst));
    bool ok = check_populated(ks2);
    node_keystore_close(ks2);
    CHECK(ok);
    /* A forced restore of a bad file leaves the target alone. */
    CHECK_ERR(node_backup_restore(NULL, file, (const uint8_t *)"bad", 3, dst,
                                  true, 0),
              MPC_ERR_AUTH);
    CHECK(open_at(&ks2, dst));
    node_keystore_close(ks2);

    /* Misuse. */
    CHECK_ERR(
        node_backup_restore(NULL, NULL, KS_FX_PW, KS_FX_PW_LEN, dst, true, 0),
        MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_backup_restore(NULL, file, KS_FX_PW, 0, dst, true, 0),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(
        node_backup_restore(NULL, file, KS_FX_PW, KS_FX_PW_LEN, NULL, true, 0),
        MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_backup_verify(NULL, file, NULL, 3), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_backup_write(NULL, NULL, file, 1), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_backup_write(f->ks, NULL, NULL, 1), MPC_ERR_INVALID_ARG);
    char missing[256];
    ks_fx_path(f, missing, "no/such/file");
    CHECK_ERR(node_backup_write(f->ks, NULL, missing, 1), MPC_ERR_IO);
    CHECK_ERR(node_backup_verify(NULL, missing, KS_FX_PW, KS_FX_PW_LEN),
              MPC_ERR_IO);
}

KS_TEST(keystore_backup_excludes_presignatures)
{
    CHECK(populate(f->ks));
    static const uint8_t presig[] = "one-time presignature PRESIG-PATTERN";
    node_presign_pool *pool = NULL;
    CHECK_OK(node_presign_pool_open(&pool, NULL, f->ks, f->pool_dir, 0));
    for (uint64_t id = 0; id < 5; id++)
        CHECK_OK(node_presign_add(pool, "w", 2, set, sizeof set, id, presig,
                                  sizeof presig));
    node_presign_pool_close(pool);
    pool = NULL;

    char file[256], dst[256];
    ks_fx_path(f, file, "b.mpcbak");
    ks_fx_path(f, dst, "restored");
    node_backup_info info;
    CHECK_OK(node_backup_write(f->ks, &info, file, 1));
    /* Exactly the keystore's records, nothing from the pool. */
    CHECK(info.records == POPULATED_RECORDS);
    CHECK_OK(
        node_backup_restore(NULL, file, KS_FX_PW, KS_FX_PW_LEN, dst, false, 0));
    size_t entries;
    bool found;
    CHECK(ks_raw_scan(dst, &entries, "ps:", &found));
    CHECK(entries == POPULATED_RECORDS && !found);

    /* Bring the restored keystore up in place of the old one: the old pool
     * dates from before the backup, so it is emptied on open. */
    node_keystore_close(f->ks);
    f->ks = NULL;
    CHECK(open_at(&f->ks, dst));
    size_t discarded = 0, n = 9;
    CHECK_OK(node_presign_pool_open(&pool, &discarded, f->ks, f->pool_dir, 0));
    mpc_err err = node_presign_count(pool, &n, "w", 2, set, sizeof set);
    /* The rebound pool works. */
    mpc_err err2 =
        node_presign_add(pool, "w", 2, set, sizeof set, 1, presig, 4);
    node_presign_pool_close(pool);
    CHECK(discarded == 5);
    CHECK_OK(err);
    CHECK(n == 0);
    CHECK_OK(err2);
    CHECK_OK(node_presign_pool_open(&pool, &discarded, f->ks, f->pool_dir, 0));
    node_presign_pool_close(pool);
    CHECK(discarded == 0);
}

static size_t count_backups(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    if (d == NULL)
        return 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

KS_TEST(keystore_backup_periodic)
{
    char dir[256], path[512], other[512];
    ks_fx_path(f, dir, "backups");
    uint64_t last = 0;
    bool written = false;
    CHECK_OK(node_backup_periodic(f->ks, &written, path, sizeof path, &last,
                                  dir, "node0", 1700000000, 2));
    CHECK(written && last != 0);
    CHECK(strstr(path, "/backup-node0-20231114T221320Z-") != NULL);
    CHECK_OK(node_backup_verify(NULL, path, KS_FX_PW, KS_FX_PW_LEN));
    /* Nothing committed since: skipped. */
    uint64_t before = last;
    CHECK_OK(node_backup_periodic(f->ks, &written, path, sizeof path, &last,
                                  dir, "node0", 1700000060, 2));
    CHECK(!written && last == before && path[0] == '\0');

    /* Another node's backups in the same directory are never rotated,
     * even when its name extends ours. */
    snprintf(other, sizeof other,
             "%s/backup-node0-1-20200101T000000Z-00000000000000000001.mpcbak",
             dir);
    CHECK(ks_file_write(other, (const uint8_t *)"x", 1));
    for (int i = 0; i < 3; i++) {
        CHECK_OK(
            node_keystore_share_put(f->ks, EC, "w", (uint32_t)i, share_a, 4));
        CHECK_OK(node_backup_periodic(f->ks, &written, NULL, 0, &last, dir,
                                      "node0", 1700000100 + (uint64_t)i, 2));
        CHECK(written);
    }
    CHECK(count_backups(dir, "backup-node0-2023") == 2);
    CHECK(exists(other));
    /* The newest one is kept and holds the last share. */
    CHECK(last > before);

    /* keep = 0 keeps everything. */
    CHECK_OK(node_keystore_share_put(f->ks, EC, "w", 9, share_a, 4));
    CHECK_OK(node_backup_periodic(f->ks, &written, NULL, 0, &last, dir, "node0",
                                  1700000200, 0));
    CHECK(count_backups(dir, "backup-node0-2023") == 3);

    /* Misuse: bad node names, a short path buffer. */
    static const char *const bad[] = {"", "a/b", "a b", "..\x01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_ERR(node_backup_periodic(f->ks, &written, NULL, 0, &last, dir,
                                       bad[i], 1, 1),
                  MPC_ERR_INVALID_ARG);
    CHECK_OK(node_keystore_share_put(f->ks, EC, "w", 10, share_a, 4));
    char small[8] = "xxxxxxx";
    CHECK_ERR(node_backup_periodic(f->ks, &written, small, sizeof small, &last,
                                   dir, "node0", 1, 1),
              MPC_ERR_INVALID_ARG);
    CHECK(!written && small[0] == '\0');
    CHECK_ERR(node_backup_periodic(f->ks, NULL, NULL, 0, &last, dir, "n", 1, 1),
              MPC_ERR_INVALID_ARG);
}

/* A writer commits while backups are taken: each backup is a snapshot of
 * whole commits and restores. */
struct hot {
    node_keystore *ks;
    atomic_bool stop;
    uint32_t written;
    bool ok;
};

static void *hot_writer(void *p)
{
    struct hot *h = p;
    h->ok = true;
    while (!atomic_load(&h->stop) && h->ok && h->written < 5000) {
        uint8_t v[16];
        memset(v, (int)h->written, sizeof v);
        h->ok = node_keystore_share_put(h->ks, ED, "hot", h->written, v,
                                        sizeof v) == MPC_OK;
        h->written++;
    }
    return NULL;
}

KS_TEST(keystore_backup_hot)
{
    struct hot h = {.ks = f->ks};
    atomic_init(&h.stop, false);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, hot_writer, &h) == 0);
    char file[256], dst[256];
    node_backup_info info[3];
    mpc_err err = MPC_OK;
    for (int i = 0; i < 3 && err == MPC_OK; i++) {
        snprintf(file, sizeof file, "%s/hot%d.mpcbak", f->root, i);
        err = node_backup_write(f->ks, &info[i], file, (uint64_t)i);
    }
    atomic_store(&h.stop, true);
    pthread_join(t, NULL);
    CHECK_OK(err);
    CHECK(h.ok);
    for (int i = 0; i < 3; i++) {
        snprintf(file, sizeof file, "%s/hot%d.mpcbak", f->root, i);
        snprintf(dst, sizeof dst, "%s/hot%d", f->root, i);
        CHECK_OK(node_backup_restore(NULL, file, KS_FX_PW, KS_FX_PW_LEN, dst,
                                     false, 0));
        node_keystore *ks2 = NULL;
        CHECK(open_at(&ks2, dst));
        size_t n = 0;
        /* Versions 0..k-1 exactly: a prefix of the writer's commits. */
        uint32_t *all = malloc(5001 * sizeof *all);
        mpc_err e = node_keystore_share_versions(ks2, all, 5001, &n, ED, "hot");
        bool prefix = e == MPC_OK && n + 1 == info[i].records;
        for (size_t j = 0; prefix && j < n; j++)
            prefix = all[j] == j;
        free(all);
        node_keystore_close(ks2);
        CHECK(prefix);
    }
}
