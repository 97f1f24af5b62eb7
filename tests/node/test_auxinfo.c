/*
 * tests/node/test_auxinfo.c — the pure parts of ECDSA in the node: the
 * fixture-primes parser, the committee id, aux-info records in a real
 * keystore (stored sealed, loaded back, committee order enforced) and the
 * secp256k1 key-record layout.
 */
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "mpc/cggmp.h"
#include "mpc/paillier.h"
#include "node/auxinfo.h"
#include "node/config.h"
#include "node/ops_internal.h"
#include "tests/harness/test.h"
#include "tests/node/keystore_fixture.h"
#include "tests/node/nodecfg_util.h"
#include "tests/protocol/cggmp_fixture.h"
#include "tests/protocol/cggmp_run.h"

#define FIXTURES "tests/vectors/paillier-fixtures.txt"

static char *fixtures(size_t *len)
{
    char *text = test_read_file(FIXTURES, len);
    REQUIRE(text != NULL);
    return text;
}

TEST(node_auxinfo_fixture_parse_matches_the_test_fixture)
{
    size_t len = 0;
    char *text = fixtures(&len);
    if (text == NULL)
        return;
    for (unsigned idx = 0; idx < 3; idx++) {
        uint8_t got[NODE_AUXINFO_PRIMES_MAX_BYTES];
        uint8_t want[CGGMP_FIXTURE_PRIMES_MAX_BYTES];
        size_t glen = 0, wlen = 0;
        CHECK_OK(node_auxinfo_fixture_parse(got, sizeof got, &glen, text, len,
                                            MPC_PARAMS_COMPAT, idx));
        CHECK(cggmp_fixture_primes_bytes(MPC_PARAMS_COMPAT, idx, want, &wlen));
        CHECK(glen == 256 && glen == wlen);
        CHECK_MEM(got, want, wlen);
    }
    /* The 128-bit set's primes are other lines of the same file. */
    uint8_t big[NODE_AUXINFO_PRIMES_MAX_BYTES];
    size_t blen = 0;
    CHECK_OK(node_auxinfo_fixture_parse(big, sizeof big, &blen, text, len,
                                        MPC_PARAMS_128, 1));
    CHECK(blen == 384);
    free(text);
}

TEST(node_auxinfo_fixture_parse_rejects)
{
    size_t len = 0;
    char *text = fixtures(&len);
    if (text == NULL)
        return;
    uint8_t out[NODE_AUXINFO_PRIMES_MAX_BYTES];
    size_t olen = 7;
    /* 8 compat keys in the file: index 8 does not exist. */
    CHECK_ERR(node_auxinfo_fixture_parse(out, sizeof out, &olen, text, len,
                                         MPC_PARAMS_COMPAT, 8),
              MPC_ERR_PARSE);
    CHECK(olen == 0);
    CHECK_ERR(node_auxinfo_fixture_parse(out, 255, &olen, text, len,
                                         MPC_PARAMS_COMPAT, 0),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_auxinfo_fixture_parse(out, sizeof out, &olen, text, len,
                                         (mpc_params_id)9, 0),
              MPC_ERR_INVALID_ARG);
    /* A bad hex digit in the first prime, a short prime, a comment only. */
    char *bad = strdup(text);
    CHECK(bad != NULL);
    char *first = bad != NULL ? strstr(bad, "\n1024 ") : NULL;
    CHECK(first != NULL);
    if (first != NULL) {
        first[7] = 'x';
        CHECK_ERR(node_auxinfo_fixture_parse(out, sizeof out, &olen, bad, len,
                                             MPC_PARAMS_COMPAT, 0),
                  MPC_ERR_PARSE);
    }
    free(bad);
    static const char short_one[] = "1024 ff\n1024 ff\n";
    CHECK_ERR(node_auxinfo_fixture_parse(out, sizeof out, &olen, short_one,
                                         sizeof short_one - 1,
                                         MPC_PARAMS_COMPAT, 0),
              MPC_ERR_PARSE);
    static const char comment[] = "# 1024 ff\n";
    CHECK_ERR(node_auxinfo_fixture_parse(out, sizeof out, &olen, comment,
                                         sizeof comment - 1, MPC_PARAMS_COMPAT,
                                         0),
              MPC_ERR_PARSE);
    free(text);
}

TEST(node_auxinfo_committee_id_is_order_free_and_binding)
{
    const char *a[3] = {"node-b", "node-a", "node-c"};
    const char *b[3] = {"node-c", "node-b", "node-a"};
    const char *c[3] = {"node-a", "node-b", "node-d"};
    const char *dup[3] = {"node-a", "node-b", "node-a"};
    uint8_t ia[32], ib[32], ic[32], ip[32];
    CHECK_OK(node_auxinfo_committee_id(ia, MPC_PARAMS_COMPAT, a, 3));
    CHECK_OK(node_auxinfo_committee_id(ib, MPC_PARAMS_COMPAT, b, 3));
    CHECK_OK(node_auxinfo_committee_id(ic, MPC_PARAMS_COMPAT, c, 3));
    CHECK_OK(node_auxinfo_committee_id(ip, MPC_PARAMS_128, a, 3));
    CHECK_MEM(ia, ib, 32);
    CHECK(memcmp(ia, ic, 32) != 0);
    CHECK(memcmp(ia, ip, 32) != 0);
    /* Two ids that concatenate alike are still two committees. */
    const char *x[2] = {"ab", "c"};
    const char *y[2] = {"a", "bc"};
    CHECK_OK(node_auxinfo_committee_id(ia, MPC_PARAMS_COMPAT, x, 2));
    CHECK_OK(node_auxinfo_committee_id(ib, MPC_PARAMS_COMPAT, y, 2));
    CHECK(memcmp(ia, ib, 32) != 0);
    CHECK_ERR(node_auxinfo_committee_id(ia, MPC_PARAMS_COMPAT, dup, 3),
              MPC_ERR_INVALID_ARG);
    static const uint8_t zero[32] = {0};
    CHECK_MEM(ia, zero, 32);
    CHECK_ERR(node_auxinfo_committee_id(ia, MPC_PARAMS_COMPAT, a, 0),
              MPC_ERR_INVALID_ARG);
}

static bool aux_new(node_auxinfo **a, ks_fx *f, const char *self,
                    const char *const *ids, size_t n)
{
    node_auxinfo_config cfg = {.ctx = test_ctx(),
                               .ks = f->ks,
                               .params = MPC_PARAMS_COMPAT,
                               .fixture_file = FIXTURES,
                               .fixture_index = 0,
                               .self_id = self,
                               .committee = ids,
                               .n_committee = n};
    char err[256];
    REQUIRE_OK(node_auxinfo_new(a, &cfg, err, sizeof err));
    return true;
}

KS_TEST(node_auxinfo_fixture_primes_are_ready_at_once)
{
    static const char *const ids[3] = {"n1", "n2", "n3"};
    node_auxinfo *a = NULL;
    if (!aux_new(&a, f, "n1", ids, 3))
        return;
    CHECK(node_auxinfo_primes_ready(a));
    CHECK(!node_auxinfo_committee_ready(a));
    uint8_t p[NODE_AUXINFO_PRIMES_MAX_BYTES], want[384];
    size_t len = 0, wlen = 0;
    CHECK_ERR(node_auxinfo_primes(a, p, 10, &len), MPC_ERR_INVALID_ARG);
    CHECK(len == 0);
    CHECK_OK(node_auxinfo_primes(a, p, sizeof p, &len));
    CHECK(cggmp_fixture_primes_bytes(MPC_PARAMS_COMPAT, 0, want, &wlen));
    CHECK(len == wlen);
    CHECK_MEM(p, want, wlen);
    node_auxinfo_free(a);
    /* A missing fixture file fails the start, saying so. */
    node_auxinfo_config cfg = {.ctx = test_ctx(),
                               .ks = f->ks,
                               .params = MPC_PARAMS_COMPAT,
                               .fixture_file = "tests/vectors/nope.txt",
                               .self_id = "n1",
                               .committee = ids,
                               .n_committee = 3};
    char err[256] = "";
    CHECK_ERR(node_auxinfo_new(&a, &cfg, err, sizeof err), MPC_ERR_IO);
    CHECK(a == NULL && strstr(err, "test_paillier_fixtures") != NULL);
    cfg.fixture_file = FIXTURES;
    cfg.n_committee = 1;
    CHECK_ERR(node_auxinfo_new(&a, &cfg, err, sizeof err), MPC_ERR_INVALID_ARG);
}

KS_TEST(node_auxinfo_records_store_load_and_order)
{
    cggmp_run r;
    if (!cggmp_run_make(&r, "cggmp-p", 3, 2))
        return;
    static const char *const ids[3] = {"n1", "n2", "n3"};
    static const char *const unsorted[3] = {"n2", "n1", "n3"};
    node_auxinfo *a = NULL;
    if (aux_new(&a, f, "n1", ids, 3)) {
        CHECK(!node_auxinfo_has(a, ids, 3));
        mpc_cggmp_aux_info got;
        mpc_cggmp_aux_info_init(&got);
        CHECK_ERR(node_auxinfo_load(a, &got, ids, 3), MPC_ERR_NOT_FOUND);
        CHECK_ERR(node_auxinfo_store(a, unsorted, 3, &r.aux[0]),
                  MPC_ERR_INVALID_ARG);
        CHECK_ERR(node_auxinfo_store(a, ids, 2, &r.aux[0]),
                  MPC_ERR_INVALID_ARG);
        CHECK_OK(node_auxinfo_store(a, ids, 3, &r.aux[0]));
        CHECK(node_auxinfo_has(a, unsorted, 3));
        /* Positions must be the aux-info's: another order is refused. */
        CHECK_ERR(node_auxinfo_load(a, &got, unsorted, 3), MPC_ERR_INVALID_ARG);
        CHECK_OK(node_auxinfo_load(a, &got, ids, 3));
        CHECK(got.n == 3 && got.self == 0);
        CHECK(mpz_cmp(got.sk.pk.n, r.aux[0].sk.pk.n) == 0);
        for (unsigned j = 0; j < 3; j++)
            CHECK(mpz_cmp(got.pks[j].n, r.aux[0].pks[j].n) == 0);
        /* Another committee has none. */
        static const char *const other[3] = {"n1", "n2", "n4"};
        CHECK_ERR(node_auxinfo_load(a, &got, other, 3), MPC_ERR_NOT_FOUND);
        /* The shared decoded copy: one per committee while it is current;
         * a replaced record is not handed out again, held copies stay. */
        const mpc_cggmp_aux_info *s1 = NULL, *s2 = NULL, *s3 = NULL;
        CHECK_OK(node_auxinfo_acquire(a, &s1, ids, 3));
        CHECK_OK(node_auxinfo_acquire(a, &s2, ids, 3));
        CHECK(s1 == s2 && s1->n == 3);
        CHECK_ERR(node_auxinfo_acquire(a, &s3, unsorted, 3),
                  MPC_ERR_INVALID_ARG);
        CHECK(s3 == NULL);
        CHECK_OK(node_auxinfo_store(a, ids, 3, &r.aux[0]));
        CHECK_OK(node_auxinfo_acquire(a, &s3, ids, 3));
        CHECK(s3 != s1 && mpz_cmp(s1->pks[2].n, s3->pks[2].n) == 0);
        node_auxinfo_release(a, s1);
        node_auxinfo_release(a, s2);
        node_auxinfo_release(a, s3);
        CHECK_OK(node_auxinfo_forget(a, ids, 3));
        CHECK_ERR(node_auxinfo_acquire(a, &s1, ids, 3), MPC_ERR_NOT_FOUND);
        CHECK(s1 == NULL);
        CHECK(!node_auxinfo_has(a, ids, 3));
        mpc_cggmp_aux_info_clear(test_ctx(), &got);
        node_auxinfo_free(a);
    }
    cggmp_run_clear(&r);
}

TEST(node_auxinfo_ecdsa_key_record_layout)
{
    cggmp_run r;
    if (!cggmp_run_make(&r, "cggmp-p", 3, 2))
        return;
    static const char *const ids[3] = {"node-a", "node-b", "node-c"};
    const mpc_group *g = mpc_ctx_group(r.ctx[1], MPC_CURVE_SECP256K1);
    uint8_t *b = NULL;
    size_t len = 0;
    CHECK_ERR(
        node_ops_ecdsa_record_encode(r.ctx[1], &b, &len, &r.ks[1], ids, 2),
        MPC_ERR_INVALID_ARG);
    CHECK(b == NULL && len == 0);
    CHECK_OK(
        node_ops_ecdsa_record_encode(r.ctx[1], &b, &len, &r.ks[1], ids, 3));
    /* u8 format | u8 n | (u8 len | id) x n | the codec's share record. */
    CHECK(b != NULL && b[0] == 1 && b[1] == 3 && b[2] == 6 &&
          memcmp(b + 3, "node-a", 6) == 0 && b[9] == 6);
    node_ops_ecdsa_key *k = calloc(1, sizeof *k);
    CHECK(k != NULL);
    if (b != NULL && k != NULL) {
        CHECK_OK(node_ops_ecdsa_record_parse(r.ctx[1], k, b, len));
        CHECK(k->n == 3 && strcmp(k->node_ids[2], "node-c") == 0);
        CHECK(k->share.self == 1 && k->share.t == 2);
        CHECK(mpc_point_eq(g, &k->share.pubkey, &r.ks[1].pubkey));
        uint8_t id1[32], id2[32];
        node_ops_ecdsa_key_id(id1, g, k);
        snprintf(k->node_ids[2], sizeof k->node_ids[2], "node-d");
        node_ops_ecdsa_key_id(id2, g, k);
        CHECK(memcmp(id1, id2, 32) != 0);
        node_ops_ecdsa_key_clear(r.ctx[1], k);
        /* Every truncation is refused and leaves nothing behind. */
        for (size_t cut = 0; cut < len; cut += (cut < 40 ? 1 : 97)) {
            CHECK_ERR(node_ops_ecdsa_record_parse(r.ctx[1], k, b, cut),
                      MPC_ERR_PARSE);
            CHECK(k->share.n == 0 && k->share.ids == NULL);
        }
        b[0] = 2;
        CHECK_ERR(node_ops_ecdsa_record_parse(r.ctx[1], k, b, len),
                  MPC_ERR_PARSE);
        b[0] = 1;
        b[1] = 2; /* committee size disagrees with the share's */
        CHECK_ERR(node_ops_ecdsa_record_parse(r.ctx[1], k, b, len),
                  MPC_ERR_PARSE);
    }
    free(k);
    if (b != NULL) {
        memset(b, 0, len);
        free(b);
    }
    cggmp_run_clear(&r);
}

/* The test-only key: loaded and warned about in development, refused in
 * production. */
static mpc_err load_cfg(node_config **cfg, const char *env, char *err,
                        size_t err_len, const char *extra)
{
    char dir[NC_PATH], path[NC_PATH], text[1024];
    *cfg = NULL;
    if (!nc_tmpdir(dir))
        return MPC_ERR_IO;
    nc_fmt(text, sizeof text,
           "environment: %s\n"
           "node_name: node0\n"
           "threshold: 2\n"
           "event_initiator_pubkey: "
           "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a\n"
           "chain_code: "
           "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
           "test_paillier_fixtures:\n"
           "  file: /x/paillier-fixtures.txt\n"
           "  index: 2\n"
           "%s",
           env, extra);
    mpc_err e = MPC_ERR_IO;
    if (nc_write_str(dir, "config.yaml", text, path)) {
        node_config_args args = {.config_path = path};
        e = node_config_load(cfg, &args, NULL, err, err_len);
    }
    nc_rmtree(dir);
    return e;
}

TEST(node_auxinfo_fixture_config_is_test_only)
{
    node_config *cfg = NULL;
    char err[512] = "";
    CHECK_OK(load_cfg(&cfg, "development", err, sizeof err, ""));
    CHECK(strcmp(cfg->test_paillier_fixtures_file,
                 "/x/paillier-fixtures.txt") == 0 &&
          cfg->test_paillier_fixtures_index == 2 &&
          cfg->paillier_params_id == MPC_PARAMS_COMPAT);
    bool warned = false;
    for (size_t i = 0; i < cfg->n_warnings; i++)
        warned = warned ||
                 strstr(cfg->warnings[i], "test_paillier_fixtures") != NULL;
    node_config_free(cfg);
    CHECK(warned);
    CHECK_ERR(load_cfg(&cfg, "production", err, sizeof err, ""),
              MPC_ERR_INVALID_ARG);
    CHECK(cfg == NULL && strstr(err, "test_paillier_fixtures") != NULL);
    /* The parameter set: compat by default, 128-bit on request. */
    CHECK_OK(load_cfg(&cfg, "development", err, sizeof err,
                      "paillier_params: 128-3072\n"));
    CHECK(cfg->paillier_params_id == MPC_PARAMS_128);
    node_config_free(cfg);
    CHECK_ERR(load_cfg(&cfg, "development", err, sizeof err,
                       "paillier_params: 4096\n"),
              MPC_ERR_PARSE);
    CHECK(strstr(err, "paillier_params") != NULL);
}
