/*
 * Tests of node/presign: presignatures are released at most once (also
 * with two threads racing for the same one), survive restarts, are sealed,
 * and a pool only opens with the keystore it was made for; CGGMP
 * presignatures go in and come out fresh exactly once.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpc/cggmp_codec.h"
#include "mpc/ctx.h"
#include "mpc/mem.h"
#include "node/presign.h"
#include "tests/harness/test.h"
#include "tests/node/keystore_fixture.h"

static const uint8_t set_a[] = {0x01, 0x02, 0x03};
static const uint8_t set_b[] = {0x01, 0x02};
static const uint8_t presig[] = "presignature k_i, chi_i, R (secret)";

static bool open_pool(ks_fx *f, node_presign_pool **pool)
{
    size_t discarded = 99;
    REQUIRE_OK(node_presign_pool_open(pool, &discarded, f->ks, f->pool_dir, 0));
    REQUIRE(discarded == 0);
    return true;
}

static size_t count(node_presign_pool *pool, const char *w, uint32_t v,
                    const uint8_t *set, size_t set_len)
{
    size_t n = 0;
    if (node_presign_count(pool, &n, w, v, set, set_len) != MPC_OK)
        return SIZE_MAX;
    return n;
}

static void pool_take_once(ks_fx *f, node_presign_pool *pool)
{
    for (uint64_t id = 1; id <= 3; id++)
        CHECK_OK(node_presign_add(pool, "w", 1, set_a, sizeof set_a, id, presig,
                                  sizeof presig));
    CHECK_ERR(node_presign_add(pool, "w", 1, set_a, sizeof set_a, 2, presig,
                               sizeof presig),
              MPC_ERR_CONFLICT);
    /* Other sets, versions and wallets are other groups. */
    CHECK_OK(node_presign_add(pool, "w", 1, set_b, sizeof set_b, 2, presig,
                              sizeof presig));
    CHECK_OK(node_presign_add(pool, "w", 2, set_a, sizeof set_a, 2, presig,
                              sizeof presig));
    CHECK_OK(node_presign_add(pool, "w0", 1, set_a, sizeof set_a, 2, presig,
                              sizeof presig));
    CHECK(count(pool, "w", 1, set_a, sizeof set_a) == 3);
    CHECK(count(pool, "w", 1, set_b, sizeof set_b) == 1);

    uint8_t *p;
    size_t n;
    CHECK_OK(node_presign_take(pool, &p, &n, "w", 1, set_a, sizeof set_a, 2));
    bool same = n == sizeof presig && memcmp(p, presig, n) == 0;
    node_keystore_value_free(p, n);
    CHECK(same);
    p = (uint8_t *)presig;
    n = 3;
    CHECK_ERR(node_presign_take(pool, &p, &n, "w", 1, set_a, sizeof set_a, 2),
              MPC_ERR_NOT_FOUND);
    CHECK(p == NULL && n == 0);

    uint64_t ids[4];
    size_t c = 99;
    CHECK_OK(node_presign_ids(pool, ids, 4, &c, "w", 1, set_a, sizeof set_a));
    CHECK(c == 2 && ids[0] == 1 && ids[1] == 3);
    CHECK_ERR(node_presign_ids(pool, ids, 1, &c, "w", 1, set_a, sizeof set_a),
              MPC_ERR_INVALID_ARG);
    CHECK(c == 0 && ids[0] == 0);

    /* Taken stays taken across a restart of both stores. */
    node_presign_pool_close(pool);
    pool = NULL;
    CHECK(ks_fx_reopen(f));
    CHECK(open_pool(f, &pool));
    CHECK(count(pool, "w", 1, set_a, sizeof set_a) == 2);
    CHECK_ERR(node_presign_take(pool, &p, &n, "w", 1, set_a, sizeof set_a, 2),
              MPC_ERR_NOT_FOUND);

    /* After a reshare to version 2, version-1 presignatures go. */
    size_t deleted = 99;
    CHECK_OK(node_presign_purge_below(pool, &deleted, "w", 2));
    CHECK(deleted == 3);
    CHECK(count(pool, "w", 1, set_a, sizeof set_a) == 0);
    CHECK(count(pool, "w", 2, set_a, sizeof set_a) == 1);
    CHECK(count(pool, "w0", 1, set_a, sizeof set_a) == 1);
    node_presign_pool_close(pool);
}

KS_TEST(keystore_presign_take_once)
{
    node_presign_pool *pool = NULL;
    CHECK(open_pool(f, &pool));
    pool_take_once(f, pool);
}

struct racer {
    node_presign_pool *pool;
    pthread_barrier_t *start;
    size_t ids;
    uint8_t got[64];
    bool err;
};

static void *race_main(void *p)
{
    struct racer *r = p;
    pthread_barrier_wait(r->start);
    for (uint64_t id = 0; id < r->ids; id++) {
        uint8_t *v;
        size_t n;
        mpc_err err =
            node_presign_take(r->pool, &v, &n, "w", 1, set_a, sizeof set_a, id);
        if (err == MPC_OK) {
            r->got[id] = 1;
            node_keystore_value_free(v, n);
        } else if (err != MPC_ERR_NOT_FOUND) {
            r->err = true;
        }
    }
    return NULL;
}

KS_TEST(keystore_presign_race_exactly_one)
{
    node_presign_pool *pool = NULL;
    CHECK(open_pool(f, &pool));
    enum { IDS = 48 };
    for (uint64_t id = 0; id < IDS; id++)
        CHECK_OK(node_presign_add(pool, "w", 1, set_a, sizeof set_a, id, presig,
                                  sizeof presig));
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, 2);
    struct racer r[2] = {{.pool = pool, .start = &start, .ids = IDS},
                         {.pool = pool, .start = &start, .ids = IDS}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, race_main, &r[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&start);
    size_t left = count(pool, "w", 1, set_a, sizeof set_a);
    node_presign_pool_close(pool);
    CHECK(!r[0].err && !r[1].err);
    for (size_t id = 0; id < IDS; id++)
        CHECK(r[0].got[id] + r[1].got[id] == 1);
    CHECK(left == 0);
}

KS_TEST(keystore_presign_sealed)
{
    node_presign_pool *pool = NULL;
    CHECK(open_pool(f, &pool));
    CHECK_OK(node_presign_add(pool, "w", 1, set_a, sizeof set_a, 7, presig,
                              sizeof presig));
    node_presign_pool_close(pool);
    pool = NULL;
    char data[300];
    snprintf(data, sizeof data, "%s/data.mdb", f->pool_dir);
    CHECK(!ks_file_has(data, presig, sizeof presig - 1));

    /* A damaged presignature is not released, and stays. */
    static const char name[] = "ps:w:v0000000001:s010203:i0000000000000007";
    CHECK(ks_raw_flip(f->pool_dir, name, 40));
    CHECK(open_pool(f, &pool));
    uint8_t *p;
    size_t n;
    CHECK_ERR(node_presign_take(pool, &p, &n, "w", 1, set_a, sizeof set_a, 7),
              MPC_ERR_VERIFY);
    CHECK(p == NULL && n == 0);
    CHECK(count(pool, "w", 1, set_a, sizeof set_a) == 1);
    node_presign_pool_close(pool);
}

KS_TEST(keystore_presign_bound_to_keystore)
{
    node_presign_pool *pool = NULL;
    CHECK(open_pool(f, &pool));
    CHECK_OK(node_presign_add(pool, "w", 1, set_a, sizeof set_a, 1, presig,
                              sizeof presig));
    node_presign_pool_close(pool);

    /* Another keystore (other salt, so other keys) cannot open it. */
    char other[256];
    ks_fx_path(f, other, "other");
    node_keystore_params p;
    ks_fx_params(&p);
    node_keystore *ks2 = NULL;
    CHECK_OK(node_keystore_open(&ks2, other, KS_FX_PW, KS_FX_PW_LEN, &p));
    size_t discarded = 5;
    pool = (node_presign_pool *)&p;
    mpc_err err =
        node_presign_pool_open(&pool, &discarded, ks2, f->pool_dir, 0);
    node_keystore_close(ks2);
    CHECK_ERR(err, MPC_ERR_AUTH);
    CHECK(pool == NULL && discarded == 0);

    /* A damaged header. */
    CHECK(ks_raw_flip(f->pool_dir, "hdr", 0));
    CHECK_ERR(node_presign_pool_open(&pool, NULL, f->ks, f->pool_dir, 0),
              MPC_ERR_PARSE);
    CHECK(ks_raw_flip(f->pool_dir, "hdr", 0));
    CHECK(ks_raw_flip(f->pool_dir, "hdr", 20));
    CHECK_ERR(node_presign_pool_open(&pool, NULL, f->ks, f->pool_dir, 0),
              MPC_ERR_AUTH);
    CHECK(ks_raw_flip(f->pool_dir, "hdr", 20));
    CHECK(open_pool(f, &pool));
    CHECK(count(pool, "w", 1, set_a, sizeof set_a) == 1);
    node_presign_pool_close(pool);
}

KS_TEST(keystore_presign_misuse)
{
    node_presign_pool *pool = NULL;
    CHECK_ERR(node_presign_pool_open(NULL, NULL, f->ks, f->pool_dir, 0),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_presign_pool_open(&pool, NULL, NULL, f->pool_dir, 0),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_presign_pool_open(&pool, NULL, f->ks, NULL, 0),
              MPC_ERR_INVALID_ARG);
    /* The keystore's own directory, under another spelling. */
    char same[300];
    snprintf(same, sizeof same, "%s/../main/", f->dir);
    CHECK_ERR(node_presign_pool_open(&pool, NULL, f->ks, same, 0),
              MPC_ERR_INVALID_ARG);
    CHECK(pool == NULL);
    CHECK(open_pool(f, &pool));
    uint8_t set65[65] = {0};
    mpc_err e[8];
    e[0] = node_presign_add(pool, "w", 1, set_a, 0, 1, presig, 4);
    e[1] = node_presign_add(pool, "w", 1, set65, sizeof set65, 1, presig, 4);
    e[2] = node_presign_add(pool, "a:b", 1, set_a, 3, 1, presig, 4);
    e[3] = node_presign_add(pool, "w", 1, set_a, 3, 1, presig, 0);
    e[4] = node_presign_add(pool, "w", 1, NULL, 3, 1, presig, 4);
    e[5] = node_presign_add(NULL, "w", 1, set_a, 3, 1, presig, 4);
    uint8_t *p = (uint8_t *)presig;
    size_t n = 1, c = 1;
    e[6] = node_presign_take(pool, &p, NULL, "w", 1, set_a, 3, 1);
    e[7] = node_presign_count(pool, NULL, "w", 1, set_a, 3);
    bool cleared = p == NULL;
    mpc_err e8 = node_presign_count(pool, &c, "", 1, set_a, 3);
    mpc_err e9 = node_presign_purge_below(pool, NULL, "", 1);
    mpc_err e10 = node_presign_ids(pool, NULL, 3, &c, "w", 1, set_a, 3);
    (void)n;
    node_presign_pool_close(pool);
    node_presign_pool_close(NULL);
    for (size_t i = 0; i < 8; i++)
        CHECK_ERR(e[i], MPC_ERR_INVALID_ARG);
    CHECK(cleared);
    CHECK_ERR(e8, MPC_ERR_INVALID_ARG);
    CHECK_ERR(e9, MPC_ERR_INVALID_ARG);
    CHECK_ERR(e10, MPC_ERR_INVALID_ARG);
    CHECK(c == 0);
}

/* ---- CGGMP presignatures ------------------------------------------------ */

static const mpc_group *secp(void)
{
    return mpc_ctx_group(test_ctx(), MPC_CURVE_SECP256K1);
}

/* A fresh synthetic presignature of 2 signers (positions 0 and 2, this
 * party the first) with key version `version`, made by decoding a record
 * written from the layout of mpc/cggmp_codec.h; presig id byte 0 = tag. */
static bool synthetic_presig(mpc_cggmp_presig *p, uint32_t version, uint8_t tag)
{
    const mpc_group *g = secp();
    uint8_t rec[MPC_CGGMP_PRESIG_BYTES(2)], *o = rec;
    mpc_scalar k, chi, r;
    mpc_point big_r, pt;
    mpc_scalar_random(g, &r);
    mpc_point_mul_base(g, &big_r, &r);
    mpc_scalar_random(g, &k);
    mpc_scalar_random(g, &chi);
    *o++ = MPC_CGGMP_PRESIG_TAG;
    *o++ = MPC_CGGMP_CODEC_VERSION;
    *o++ = 2;
    for (int sh = 24; sh >= 0; sh -= 8)
        *o++ = (uint8_t)(version >> sh);
    memset(o, 0x4b, 32);
    o += 32;
    memset(o, 0x11, 32);
    o[0] = tag;
    o += 32;
    memset(o, 0, 32); /* no tweak */
    o += 32;
    mpc_point_serialize(g, o, &big_r);
    o += 33;
    *o++ = 0;
    *o++ = 2;
    const mpc_scalar *mine[2] = {&k, &chi};
    for (int pass = 0; pass < 2; pass++) {
        for (int j = 0; j < 2; j++, o += 33) {
            mpc_scalar_random(g, &r);
            mpc_point_mul(g, &pt, j == 0 ? mine[pass] : &r, &big_r);
            mpc_point_serialize(g, o, &pt);
        }
    }
    mpc_scalar_serialize(g, o, &k);
    mpc_scalar_serialize(g, o + 32, &chi);
    REQUIRE(o + 64 == rec + sizeof rec);
    mpc_err err = mpc_cggmp_presig_decode(g, p, rec, sizeof rec);
    mpc_wipe(rec, sizeof rec);
    mpc_scalar_clear(&k);
    mpc_scalar_clear(&chi);
    REQUIRE_OK(err);
    return true;
}

TEST(keystore_presign_set_key)
{
    static const char *const abc[] = {"node0", "node1", "node2"};
    static const char *const acb[] = {"node0", "node2", "node1"};
    static const char *const split1[] = {"ab", "c"};
    static const char *const split2[] = {"a", "bc"};
    static const char *const bad[] = {"node0", ""};
    static const uint32_t path[] = {44, 60};
    uint8_t a[32], b[32];

    CHECK_OK(node_presign_set_key(a, abc, 3, NULL, 0));
    CHECK_OK(node_presign_set_key(b, abc, 3, NULL, 0));
    CHECK(memcmp(a, b, 32) == 0);
    /* Order, split of ids, count and path all change the key. */
    CHECK_OK(node_presign_set_key(b, acb, 3, NULL, 0));
    CHECK(memcmp(a, b, 32) != 0);
    CHECK_OK(node_presign_set_key(b, abc, 2, NULL, 0));
    CHECK(memcmp(a, b, 32) != 0);
    CHECK_OK(node_presign_set_key(b, abc, 3, path, 1));
    CHECK(memcmp(a, b, 32) != 0);
    CHECK_OK(node_presign_set_key(a, abc, 3, path, 2));
    CHECK(memcmp(a, b, 32) != 0);
    CHECK_OK(node_presign_set_key(a, split1, 2, NULL, 0));
    CHECK_OK(node_presign_set_key(b, split2, 2, NULL, 0));
    CHECK(memcmp(a, b, 32) != 0);

    memset(a, 0xaa, sizeof a);
    CHECK_ERR(node_presign_set_key(a, bad, 2, NULL, 0), MPC_ERR_INVALID_ARG);
    CHECK(a[0] == 0 && a[31] == 0);
    CHECK_ERR(node_presign_set_key(a, abc, 0, NULL, 0), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_presign_set_key(a, NULL, 1, NULL, 0), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_presign_set_key(a, abc, 3, NULL, 1), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_presign_set_key(NULL, abc, 3, NULL, 0), MPC_ERR_INVALID_ARG);
}

KS_TEST(keystore_presign_presig_once)
{
    const mpc_group *g = secp();
    node_presign_pool *pool = NULL;
    mpc_cggmp_presig p, q;
    uint64_t id = 1;
    CHECK(open_pool(f, &pool));
    CHECK(synthetic_presig(&p, 3, 0xa5));

    CHECK_OK(node_presign_store(pool, g, "w", 3, set_a, sizeof set_a, &p, &id));
    CHECK(id == node_presign_presig_id(&p) && id >> 56 == 0xa5);
    CHECK_ERR(node_presign_store(pool, g, "w", 3, set_a, sizeof set_a, &p, &id),
              MPC_ERR_CONFLICT);
    CHECK(id == 0);
    CHECK(count(pool, "w", 3, set_a, sizeof set_a) == 1);

    /* Restart: still there, once. */
    node_presign_pool_close(pool);
    pool = NULL;
    CHECK(open_pool(f, &pool));
    uint64_t pid = node_presign_presig_id(&p);
    CHECK_OK(node_presign_take_presig(pool, g, &q, "w", 3, set_a, sizeof set_a,
                                      pid));
    CHECK(mpc_cggmp_presig_is_fresh(&q));
    CHECK(mpc_scalar_eq(&q.k, &p.k) && mpc_scalar_eq(&q.chi, &p.chi));
    CHECK(memcmp(q.binding.signers, p.binding.signers, 32) == 0);
    CHECK_ERR(
        node_presign_take_presig(pool, g, &q, "w", 3, set_a, sizeof set_a, pid),
        MPC_ERR_NOT_FOUND);
    CHECK(!mpc_cggmp_presig_is_fresh(&q));
    CHECK(count(pool, "w", 3, set_a, sizeof set_a) == 0);

    /* Refused: consumed, wrong version, wrong group. */
    mpc_cggmp_presig_consume(&p);
    CHECK_ERR(
        node_presign_store(pool, g, "w", 3, set_a, sizeof set_a, &p, NULL),
        MPC_ERR_STATE);
    CHECK(synthetic_presig(&p, 3, 0x01));
    CHECK_ERR(
        node_presign_store(pool, g, "w", 4, set_a, sizeof set_a, &p, NULL),
        MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_presign_store(pool,
                                 mpc_ctx_group(test_ctx(), MPC_CURVE_ED25519),
                                 "w", 3, set_a, sizeof set_a, &p, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK(count(pool, "w", 3, set_a, sizeof set_a) == 0);

    /* A record that is not a presignature is taken, refused, and gone. */
    CHECK_OK(node_presign_add(pool, "w", 3, set_a, sizeof set_a, 9, presig,
                              sizeof presig));
    CHECK_ERR(
        node_presign_take_presig(pool, g, &q, "w", 3, set_a, sizeof set_a, 9),
        MPC_ERR_PARSE);
    CHECK(!mpc_cggmp_presig_is_fresh(&q));
    CHECK(count(pool, "w", 3, set_a, sizeof set_a) == 0);
    /* A presignature stored under another id than its own is damage. */
    uint8_t rec[MPC_CGGMP_PRESIG_MAX_BYTES];
    size_t len;
    CHECK_OK(mpc_cggmp_presig_encode(g, rec, sizeof rec, &len, &p));
    CHECK_OK(node_presign_add(pool, "w", 3, set_a, sizeof set_a, 5, rec, len));
    mpc_wipe(rec, sizeof rec);
    CHECK_ERR(
        node_presign_take_presig(pool, g, &q, "w", 3, set_a, sizeof set_a, 5),
        MPC_ERR_PARSE);
    CHECK(!mpc_cggmp_presig_is_fresh(&q));
    mpc_cggmp_presig_clear(&p);
    node_presign_pool_close(pool);
}
