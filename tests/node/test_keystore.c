/*
 * Tests of node/keystore and its formats (node/keystore_format): round
 * trips, the password verifier, sealing (tampered and swapped records),
 * version rules, processed-request states, and that no secret reaches the
 * disk in clear.
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "node/keystore.h"
#include "node/keystore_format.h"
#include "node/keystore_internal.h"
#include "tests/harness/test.h"
#include "tests/node/keystore_fixture.h"

#define EC NODE_KEYSTORE_SECP256K1
#define ED NODE_KEYSTORE_ED25519

/* Header layout (docs/storage.md): magic 0..7, version 8, algorithm 9,
 * opslimit 10..17, memlimit 18..25, salt 26..41, instance 42..57, MAC. */
#define HDR_MEMLIMIT_AT 18
#define HDR_SALT_AT 26
#define HDR_MAC_AT 58

static const uint8_t share_a[] = "share A: 32 secret bytes, really";
static const uint8_t share_b[] = "share B: other secret bytes";

/* Reads a value and compares it with `want`. */
static bool value_is(mpc_err got_err, uint8_t *got, size_t got_len,
                     const uint8_t *want, size_t want_len)
{
    bool ok = got_err == MPC_OK && got_len == want_len &&
              memcmp(got, want, want_len) == 0;
    node_keystore_value_free(got, got_len);
    REQUIRE(ok);
    return true;
}

static bool share_is(node_keystore *ks, node_keystore_curve c, const char *w,
                     uint32_t v, const uint8_t *want, size_t want_len)
{
    uint8_t *p;
    size_t n;
    mpc_err err = node_keystore_share_get(ks, &p, &n, c, w, v);
    return value_is(err, p, n, want, want_len);
}

/* The get must fail with `want`, leaving NULL / 0 behind. */
static bool share_get_fails(node_keystore *ks, node_keystore_curve c,
                            const char *w, uint32_t v, mpc_err want)
{
    uint8_t dummy, *p = &dummy;
    size_t n = 99;
    REQUIRE(node_keystore_share_get(ks, &p, &n, c, w, v) == want);
    REQUIRE(p == NULL && n == 0);
    return true;
}

/* ---- open, password ----------------------------------------------------- */

KS_TEST(keystore_open_create_reopen)
{
    CHECK_OK(
        node_keystore_share_put(f->ks, EC, "w1", 1, share_a, sizeof share_a));
    CHECK(ks_fx_reopen(f));
    CHECK(share_is(f->ks, EC, "w1", 1, share_a, sizeof share_a));

    /* The header is in the clear, KDF parameters as created. */
    node_keystore_close(f->ks);
    f->ks = NULL;
    uint8_t hdr[256];
    size_t len;
    CHECK(ks_raw_get(f->dir, "hdr", hdr, sizeof hdr, &len));
    CHECK(len == NODE_KSF_HEADER_BYTES);
    node_ksf_header h;
    CHECK_OK(node_ksf_header_parse(&h, hdr, len));
    CHECK(h.kdf.opslimit == crypto_pwhash_OPSLIMIT_MIN);
    CHECK(h.kdf.memlimit == crypto_pwhash_MEMLIMIT_MIN);
    CHECK(ks_fx_reopen(f));
}

KS_TEST(keystore_wrong_password_is_auth)
{
    node_keystore_close(f->ks);
    f->ks = NULL;
    node_keystore_params p;
    ks_fx_params(&p);
    node_keystore *ks = (node_keystore *)&p; /* must be overwritten */
    static const uint8_t bad[] = "correct horse battery stapler";
    CHECK_ERR(node_keystore_open(&ks, f->dir, bad, sizeof bad - 1, &p),
              MPC_ERR_AUTH);
    CHECK(ks == NULL);
    /* One byte shorter is another password too. */
    CHECK_ERR(node_keystore_open(&ks, f->dir, KS_FX_PW, KS_FX_PW_LEN - 1, &p),
              MPC_ERR_AUTH);
    CHECK(ks_fx_reopen(f));
}

KS_TEST(keystore_open_misuse)
{
    node_keystore_params p;
    ks_fx_params(&p);
    node_keystore *ks = (node_keystore *)&p;
    char other[256];
    ks_fx_path(f, other, "other");
    CHECK_ERR(node_keystore_open(NULL, other, KS_FX_PW, KS_FX_PW_LEN, &p),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_open(&ks, NULL, KS_FX_PW, KS_FX_PW_LEN, &p),
              MPC_ERR_INVALID_ARG);
    CHECK(ks == NULL);
    ks = (node_keystore *)&p;
    CHECK_ERR(node_keystore_open(&ks, other, NULL, 4, &p), MPC_ERR_INVALID_ARG);
    CHECK(ks == NULL);
    CHECK_ERR(node_keystore_open(&ks, other, KS_FX_PW, 0, &p),
              MPC_ERR_INVALID_ARG);
    uint8_t long_pw[NODE_KEYSTORE_PASSWORD_MAX_BYTES + 1];
    memset(long_pw, 'x', sizeof long_pw);
    CHECK_ERR(node_keystore_open(&ks, other, long_pw, sizeof long_pw, &p),
              MPC_ERR_INVALID_ARG);
    node_keystore_params bad = p;
    bad.opslimit = 0;
    CHECK_ERR(node_keystore_open(&ks, other, KS_FX_PW, KS_FX_PW_LEN, &bad),
              MPC_ERR_INVALID_ARG);
    bad = p;
    bad.memlimit = NODE_KSF_MEMLIMIT_MAX + 1;
    CHECK_ERR(node_keystore_open(&ks, other, KS_FX_PW, KS_FX_PW_LEN, &bad),
              MPC_ERR_INVALID_ARG);
    CHECK(ks == NULL);
    /* A path under a regular file cannot be created. */
    char file[256], under[300];
    ks_fx_path(f, file, "plain-file");
    CHECK(ks_file_write(file, (const uint8_t *)"x", 1));
    snprintf(under, sizeof under, "%s/sub", file);
    CHECK_ERR(node_keystore_open(&ks, under, KS_FX_PW, KS_FX_PW_LEN, &p),
              MPC_ERR_IO);
    node_keystore_close(NULL);
    node_keystore_value_free(NULL, 5);
}

/* Reopen after changing the header on disk. */
static mpc_err open_after_flip(ks_fx *f, size_t at)
{
    node_keystore_close(f->ks);
    f->ks = NULL;
    if (!ks_raw_flip(f->dir, "hdr", at))
        return MPC_ERR_INTERNAL;
    node_keystore_params p;
    ks_fx_params(&p);
    node_keystore *ks = NULL;
    mpc_err err = node_keystore_open(&ks, f->dir, KS_FX_PW, KS_FX_PW_LEN, &p);
    node_keystore_close(ks);
    /* Undo, so the fixture can reopen. */
    if (!ks_raw_flip(f->dir, "hdr", at))
        return MPC_ERR_INTERNAL;
    return err;
}

KS_TEST(keystore_header_tamper)
{
    /* Salt or MAC changed: the verifier no longer matches. */
    CHECK_ERR(open_after_flip(f, HDR_SALT_AT), MPC_ERR_AUTH);
    CHECK_ERR(open_after_flip(f, HDR_MAC_AT + 31), MPC_ERR_AUTH);
    CHECK_ERR(open_after_flip(f, 42), MPC_ERR_AUTH); /* instance id */
    /* Malformed: magic, version, algorithm, parameters out of bounds (no
     * Argon2id run with a hostile memory limit). */
    CHECK_ERR(open_after_flip(f, 0), MPC_ERR_PARSE);
    CHECK_ERR(open_after_flip(f, 8), MPC_ERR_PARSE);
    CHECK_ERR(open_after_flip(f, 9), MPC_ERR_PARSE);
    CHECK_ERR(open_after_flip(f, HDR_MEMLIMIT_AT), MPC_ERR_PARSE);
    CHECK(ks_fx_reopen(f));

    /* A short header. */
    node_keystore_close(f->ks);
    f->ks = NULL;
    CHECK(ks_raw_put(f->dir, "hdr", (const uint8_t *)"MPCKSTOR", 8));
    node_keystore_params p;
    ks_fx_params(&p);
    node_keystore *ks = NULL;
    CHECK_ERR(node_keystore_open(&ks, f->dir, KS_FX_PW, KS_FX_PW_LEN, &p),
              MPC_ERR_PARSE);
    /* Records but no header: refuse rather than start a new keystore. */
    CHECK(ks_raw_del(f->dir, "hdr"));
    CHECK(ks_raw_put(f->dir, "meta:x", (const uint8_t *)"y", 1));
    CHECK_ERR(node_keystore_open(&ks, f->dir, KS_FX_PW, KS_FX_PW_LEN, &p),
              MPC_ERR_PARSE);
    CHECK(ks == NULL);
}

/* Reads a key byte in a child process; true if the child crashed. */
static bool read_crashes(const volatile uint8_t *p)
{
    pid_t pid = fork();
    if (pid == 0) {
        uint8_t b = *p; /* volatile: the load happens */
        (void)b;
        _exit(0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return false;
    /* A signal, or ASan's report of one (it exits non-zero). */
    return WIFSIGNALED(status) || WEXITSTATUS(status) != 0;
}

KS_TEST(keystore_keys_inaccessible_when_idle)
{
    node_ks_vault *v = &f->ks->st.vault;
    CHECK(read_crashes(v->keys->record));
    const node_ksf_keys *k = node_ks_vault_acquire(v);
    CHECK(k != NULL);
    CHECK(!read_crashes(k->record));
    /* Nested users keep it readable until the last release. */
    CHECK(node_ks_vault_acquire(v) == k);
    node_ks_vault_release(v);
    CHECK(!read_crashes(k->record));
    node_ks_vault_release(v);
    CHECK(read_crashes(v->keys->record));
}

/* ---- shares ------------------------------------------------------------- */

KS_TEST(keystore_share_roundtrip)
{
    CHECK_OK(
        node_keystore_share_put(f->ks, EC, "w1", 0, share_a, sizeof share_a));
    CHECK_OK(
        node_keystore_share_put(f->ks, ED, "w1", 0, share_b, sizeof share_b));
    CHECK_OK(
        node_keystore_share_put(f->ks, EC, "w10", 0, share_b, sizeof share_b));
    /* Curves and wallets are separate names. */
    CHECK(share_is(f->ks, EC, "w1", 0, share_a, sizeof share_a));
    CHECK(share_is(f->ks, ED, "w1", 0, share_b, sizeof share_b));
    CHECK(share_is(f->ks, EC, "w10", 0, share_b, sizeof share_b));
    CHECK(share_get_fails(f->ks, EC, "w1", 1, MPC_ERR_NOT_FOUND));
    CHECK(share_get_fails(f->ks, ED, "w10", 0, MPC_ERR_NOT_FOUND));

    /* The largest value, then one byte more. */
    size_t max = NODE_KEYSTORE_VALUE_MAX_BYTES;
    uint8_t *big = malloc(max + 1);
    CHECK(big != NULL);
    randombytes_buf(big, max + 1);
    mpc_err e1 = node_keystore_share_put(f->ks, EC, "big", 1, big, max);
    mpc_err e2 = node_keystore_share_put(f->ks, EC, "big", 2, big, max + 1);
    uint8_t *p;
    size_t n;
    mpc_err e3 = node_keystore_share_get(f->ks, &p, &n, EC, "big", 1);
    bool same = e3 == MPC_OK && n == max && memcmp(p, big, max) == 0;
    node_keystore_value_free(p, n);
    free(big);
    CHECK_OK(e1);
    CHECK_ERR(e2, MPC_ERR_INVALID_ARG);
    CHECK(same);
}

KS_TEST(keystore_share_never_overwritten)
{
    CHECK_OK(
        node_keystore_share_put(f->ks, EC, "w", 3, share_a, sizeof share_a));
    CHECK_ERR(
        node_keystore_share_put(f->ks, EC, "w", 3, share_b, sizeof share_b),
        MPC_ERR_CONFLICT);
    CHECK(share_is(f->ks, EC, "w", 3, share_a, sizeof share_a));
    CHECK_OK(
        node_keystore_share_put(f->ks, EC, "w", 4, share_b, sizeof share_b));
}

KS_TEST(keystore_share_versions_and_latest)
{
    static const uint32_t put[] = {2, 0, UINT32_MAX, 10, 1};
    for (size_t i = 0; i < sizeof put / sizeof put[0]; i++) {
        uint8_t v[8];
        memset(v, (int)i + 1, sizeof v);
        CHECK_OK(node_keystore_share_put(f->ks, EC, "w", put[i], v, sizeof v));
    }
    /* A wallet whose id extends "w" must not show up. */
    CHECK_OK(
        node_keystore_share_put(f->ks, EC, "w0", 7, share_a, sizeof share_a));

    uint32_t vs[8];
    size_t count = 99;
    CHECK_OK(node_keystore_share_versions(f->ks, vs, 8, &count, EC, "w"));
    CHECK(count == 5);
    CHECK(vs[0] == 0 && vs[1] == 1 && vs[2] == 2 && vs[3] == 10 &&
          vs[4] == UINT32_MAX);
    /* Too small an array: nothing returned. */
    CHECK_ERR(node_keystore_share_versions(f->ks, vs, 4, &count, EC, "w"),
              MPC_ERR_INVALID_ARG);
    CHECK(count == 0 && vs[0] == 0 && vs[3] == 0);
    CHECK_OK(node_keystore_share_versions(f->ks, NULL, 0, &count, ED, "w"));
    CHECK(count == 0);

    uint32_t ver = 5;
    uint8_t *p;
    size_t n;
    uint8_t want[8];
    memset(want, 3, sizeof want); /* put[2] = UINT32_MAX */
    CHECK_OK(node_keystore_share_get_latest(f->ks, &ver, &p, &n, EC, "w"));
    CHECK(ver == UINT32_MAX);
    CHECK(value_is(MPC_OK, p, n, want, sizeof want));

    p = want;
    n = 1;
    CHECK_ERR(node_keystore_share_get_latest(f->ks, &ver, &p, &n, ED, "w"),
              MPC_ERR_NOT_FOUND);
    CHECK(ver == 0 && p == NULL && n == 0);
}

KS_TEST(keystore_share_delete_below)
{
    for (uint32_t v = 1; v <= 5; v++)
        CHECK_OK(node_keystore_share_put(f->ks, ED, "w", v, share_a,
                                         sizeof share_a));
    CHECK_OK(
        node_keystore_share_put(f->ks, ED, "x", 1, share_b, sizeof share_b));
    size_t deleted = 99;
    /* Refused without the version to keep: the last shares stay. */
    CHECK_ERR(node_keystore_share_delete_below(f->ks, &deleted, ED, "w", 9),
              MPC_ERR_NOT_FOUND);
    CHECK(deleted == 0);
    CHECK_OK(node_keystore_share_delete_below(f->ks, &deleted, ED, "w", 4));
    CHECK(deleted == 3);
    uint32_t vs[8];
    size_t count;
    CHECK_OK(node_keystore_share_versions(f->ks, vs, 8, &count, ED, "w"));
    CHECK(count == 2 && vs[0] == 4 && vs[1] == 5);
    CHECK_OK(node_keystore_share_delete_below(f->ks, &deleted, ED, "w", 4));
    CHECK(deleted == 0);
    CHECK_OK(node_keystore_share_delete_below(f->ks, NULL, ED, "w", 5));
    CHECK_OK(node_keystore_share_versions(f->ks, vs, 8, &count, ED, "w"));
    CHECK(count == 1 && vs[0] == 5);
    /* Other wallets are untouched. */
    CHECK(share_is(f->ks, ED, "x", 1, share_b, sizeof share_b));
}

KS_TEST(keystore_share_misuse)
{
    static const char *const bad_ids[] = {"",      "a:b",  "a b",
                                          "tab\t", "\x7f", "caf\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        CHECK_ERR(node_keystore_share_put(f->ks, EC, bad_ids[i], 1, share_a,
                                          sizeof share_a),
                  MPC_ERR_INVALID_ARG);
        CHECK(share_get_fails(f->ks, EC, bad_ids[i], 1, MPC_ERR_INVALID_ARG));
    }
    char long_id[NODE_KEYSTORE_ID_MAX_BYTES + 2];
    memset(long_id, 'a', sizeof long_id);
    long_id[NODE_KEYSTORE_ID_MAX_BYTES] = '\0';
    CHECK_OK(node_keystore_share_put(f->ks, EC, long_id, 1, share_a,
                                     sizeof share_a));
    long_id[NODE_KEYSTORE_ID_MAX_BYTES] = 'a';
    long_id[NODE_KEYSTORE_ID_MAX_BYTES + 1] = '\0';
    CHECK_ERR(
        node_keystore_share_put(f->ks, EC, long_id, 1, share_a, sizeof share_a),
        MPC_ERR_INVALID_ARG);

    CHECK_ERR(node_keystore_share_put(f->ks, (node_keystore_curve)7, "w", 1,
                                      share_a, sizeof share_a),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_share_put(f->ks, EC, NULL, 1, share_a, 4),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_share_put(f->ks, EC, "w", 1, share_a, 0),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_share_put(f->ks, EC, "w", 1, NULL, 4),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_share_put(NULL, EC, "w", 1, share_a, 4),
              MPC_ERR_INVALID_ARG);
    CHECK(share_get_fails(f->ks, (node_keystore_curve)0, "w", 1,
                          MPC_ERR_INVALID_ARG));
    uint8_t *p = (uint8_t *)share_a;
    size_t n = 5;
    CHECK_ERR(node_keystore_share_get(NULL, &p, &n, EC, "w", 1),
              MPC_ERR_INVALID_ARG);
    CHECK(p == NULL && n == 0);
    CHECK_ERR(node_keystore_share_get(f->ks, NULL, &n, EC, "w", 1),
              MPC_ERR_INVALID_ARG);
    uint32_t v = 9;
    CHECK_ERR(node_keystore_share_get_latest(f->ks, &v, NULL, &n, EC, "w"),
              MPC_ERR_INVALID_ARG);
    CHECK(v == 0);
    size_t count = 3;
    CHECK_ERR(node_keystore_share_versions(f->ks, NULL, 2, &count, EC, "w"),
              MPC_ERR_INVALID_ARG);
    CHECK(count == 0);
    CHECK_ERR(node_keystore_share_delete_below(f->ks, NULL, EC, "a:b", 1),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_share_delete_below(NULL, NULL, EC, "w", 1),
              MPC_ERR_INVALID_ARG);
}

/* ---- sealing ------------------------------------------------------------ */

#define NAME_W1 "share:ecdsa:w:v0000000001"
#define NAME_W2 "share:ecdsa:w:v0000000002"

KS_TEST(keystore_tampered_value_is_verify)
{
    CHECK_OK(
        node_keystore_share_put(f->ks, EC, "w", 1, share_a, sizeof share_a));
    node_keystore_close(f->ks);
    f->ks = NULL;
    uint8_t rec[512];
    size_t len;
    CHECK(ks_raw_get(f->dir, NAME_W1, rec, sizeof rec, &len));
    CHECK(len == sizeof share_a + NODE_KSF_RECORD_OVERHEAD_BYTES);
    CHECK(rec[0] == NODE_KSF_VERSION);

    /* Nonce, ciphertext and tag are all covered. */
    static const size_t at[] = {1, 24, 25, 30, 50, 0 /* last byte */};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        size_t pos = at[i] != 0 ? at[i] : len - 1;
        CHECK(ks_raw_flip(f->dir, NAME_W1, pos));
        CHECK(ks_fx_reopen(f));
        CHECK(share_get_fails(f->ks, EC, "w", 1, MPC_ERR_VERIFY));
        uint32_t v = 7;
        uint8_t *p;
        size_t n;
        CHECK_ERR(node_keystore_share_get_latest(f->ks, &v, &p, &n, EC, "w"),
                  MPC_ERR_VERIFY);
        CHECK(v == 0 && p == NULL && n == 0);
        node_keystore_close(f->ks);
        f->ks = NULL;
        CHECK(ks_raw_flip(f->dir, NAME_W1, pos));
    }
    /* Unknown record version; truncated records. */
    CHECK(ks_raw_flip(f->dir, NAME_W1, 0));
    CHECK(ks_fx_reopen(f));
    CHECK(share_get_fails(f->ks, EC, "w", 1, MPC_ERR_PARSE));
    node_keystore_close(f->ks);
    f->ks = NULL;
    CHECK(ks_raw_put(f->dir, NAME_W1, rec, NODE_KSF_RECORD_OVERHEAD_BYTES));
    CHECK(ks_fx_reopen(f));
    CHECK(share_get_fails(f->ks, EC, "w", 1, MPC_ERR_PARSE));
    node_keystore_close(f->ks);
    f->ks = NULL;
    CHECK(ks_raw_put(f->dir, NAME_W1, rec, len - 1));
    CHECK(ks_fx_reopen(f));
    CHECK(share_get_fails(f->ks, EC, "w", 1, MPC_ERR_VERIFY));
    /* The original bytes still open. */
    node_keystore_close(f->ks);
    f->ks = NULL;
    CHECK(ks_raw_put(f->dir, NAME_W1, rec, len));
    CHECK(ks_fx_reopen(f));
    CHECK(share_is(f->ks, EC, "w", 1, share_a, sizeof share_a));
}

KS_TEST(keystore_swapped_records_are_verify)
{
    CHECK_OK(
        node_keystore_share_put(f->ks, EC, "w", 1, share_a, sizeof share_a));
    CHECK_OK(
        node_keystore_share_put(f->ks, EC, "w", 2, share_b, sizeof share_b));
    CHECK_OK(node_keystore_blob_put(f->ks, NODE_KEYSTORE_META, "m", share_a,
                                    sizeof share_a));
    node_keystore_close(f->ks);
    f->ks = NULL;
    uint8_t r1[512], r2[512];
    size_t l1, l2;
    CHECK(ks_raw_get(f->dir, NAME_W1, r1, sizeof r1, &l1));
    CHECK(ks_raw_get(f->dir, NAME_W2, r2, sizeof r2, &l2));
    CHECK(ks_raw_put(f->dir, NAME_W1, r2, l2));
    CHECK(ks_raw_put(f->dir, NAME_W2, r1, l1));
    /* A record copied under a new name (an old version replayed as the
     * latest one) and into another namespace. */
    CHECK(ks_raw_put(f->dir, "share:ecdsa:w:v0000000003", r1, l1));
    CHECK(ks_raw_put(f->dir, "meta:n", r1, l1));
    CHECK(ks_fx_reopen(f));
    CHECK(share_get_fails(f->ks, EC, "w", 1, MPC_ERR_VERIFY));
    CHECK(share_get_fails(f->ks, EC, "w", 2, MPC_ERR_VERIFY));
    CHECK(share_get_fails(f->ks, EC, "w", 3, MPC_ERR_VERIFY));
    uint8_t *p;
    size_t n;
    CHECK_ERR(node_keystore_blob_get(f->ks, &p, &n, NODE_KEYSTORE_META, "n"),
              MPC_ERR_VERIFY);
    CHECK_OK(node_keystore_blob_get(f->ks, &p, &n, NODE_KEYSTORE_META, "m"));
    CHECK(value_is(MPC_OK, p, n, share_a, sizeof share_a));
}

/* Scans every file of the environment for the secret. */
static bool dir_has(const ks_fx *f, const uint8_t *secret, size_t n)
{
    char path[300];
    snprintf(path, sizeof path, "%s/data.mdb", f->dir);
    bool data = ks_file_has(path, secret, n);
    snprintf(path, sizeof path, "%s/lock.mdb", f->dir);
    return data || ks_file_has(path, secret, n);
}

KS_TEST(keystore_no_plaintext_on_disk)
{
    /* A recognizable share, in every kind of record. */
    uint8_t secret[64];
    for (size_t i = 0; i < sizeof secret; i++)
        secret[i] = (uint8_t)("SECRET-SHARE-PATTERN"[i % 20]);
    CHECK_OK(node_keystore_share_put(f->ks, EC, "w", 1, secret, sizeof secret));
    CHECK_OK(node_keystore_blob_put(f->ks, NODE_KEYSTORE_AUX, "committee",
                                    secret, sizeof secret));
    uint8_t digest[32] = {1};
    node_keystore_req st;
    uint8_t *res;
    size_t res_len;
    CHECK_OK(node_keystore_request_begin(f->ks, &st, &res, &res_len, "r",
                                         digest, 1));
    CHECK_OK(node_keystore_request_finish(f->ks, "r", digest, secret,
                                          sizeof secret));
    /* Many versions so the file has several pages. */
    for (uint32_t v = 2; v < 200; v++)
        CHECK_OK(
            node_keystore_share_put(f->ks, ED, "w", v, secret, sizeof secret));
    node_keystore_close(f->ks);
    f->ks = NULL;
    CHECK(!dir_has(f, secret, sizeof secret));
    /* The scan itself works: the password-free names are in clear. */
    CHECK(dir_has(f, (const uint8_t *)"share:eddsa:w:v", 15));
    CHECK(ks_fx_reopen(f));
}

/* ---- blobs -------------------------------------------------------------- */

KS_TEST(keystore_blobs)
{
    static const node_keystore_ns ns[] = {
        NODE_KEYSTORE_AUX, NODE_KEYSTORE_KEYINFO, NODE_KEYSTORE_META};
    for (size_t i = 0; i < 3; i++) {
        uint8_t v = (uint8_t)i;
        CHECK_OK(node_keystore_blob_put(f->ks, ns[i], "ecdsa:w:1", &v, 1));
    }
    for (size_t i = 0; i < 3; i++) {
        uint8_t v = (uint8_t)i, *p;
        size_t n;
        mpc_err err = node_keystore_blob_get(f->ks, &p, &n, ns[i], "ecdsa:w:1");
        CHECK(value_is(err, p, n, &v, 1));
    }
    /* Replace, delete. */
    CHECK_OK(node_keystore_blob_put(f->ks, NODE_KEYSTORE_META, "ecdsa:w:1",
                                    share_b, sizeof share_b));
    uint8_t *p = (uint8_t *)share_a;
    size_t n = 1;
    CHECK_OK(
        node_keystore_blob_get(f->ks, &p, &n, NODE_KEYSTORE_META, "ecdsa:w:1"));
    CHECK(value_is(MPC_OK, p, n, share_b, sizeof share_b));
    CHECK_OK(node_keystore_blob_delete(f->ks, NODE_KEYSTORE_META, "ecdsa:w:1"));
    p = (uint8_t *)share_a;
    CHECK_ERR(
        node_keystore_blob_get(f->ks, &p, &n, NODE_KEYSTORE_META, "ecdsa:w:1"),
        MPC_ERR_NOT_FOUND);
    CHECK(p == NULL && n == 0);
    CHECK_ERR(node_keystore_blob_delete(f->ks, NODE_KEYSTORE_META, "ecdsa:w:1"),
              MPC_ERR_NOT_FOUND);
    CHECK_OK(
        node_keystore_blob_get(f->ks, &p, &n, NODE_KEYSTORE_AUX, "ecdsa:w:1"));
    node_keystore_value_free(p, n);

    CHECK_ERR(
        node_keystore_blob_put(f->ks, (node_keystore_ns)9, "x", share_a, 1),
        MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_blob_get(f->ks, &p, &n, (node_keystore_ns)0, "x"),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_blob_delete(f->ks, NODE_KEYSTORE_AUX, ""),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_blob_put(f->ks, NODE_KEYSTORE_AUX, "x", NULL, 1),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_blob_delete(NULL, NODE_KEYSTORE_AUX, "x"),
              MPC_ERR_INVALID_ARG);
}

/* ---- processed requests ------------------------------------------------- */

static bool begin_is(node_keystore *ks, const char *id, const uint8_t *digest,
                     uint64_t now, mpc_err want_err, node_keystore_req want,
                     const uint8_t *want_result, size_t want_len)
{
    node_keystore_req st = (node_keystore_req)77;
    uint8_t dummy, *res = &dummy;
    size_t len = 99;
    mpc_err err =
        node_keystore_request_begin(ks, &st, &res, &len, id, digest, now);
    bool ok =
        err == want_err && st == want && len == want_len &&
        (want_len == 0 ? res == NULL : memcmp(res, want_result, want_len) == 0);
    if (res != &dummy)
        node_keystore_value_free(res, len);
    REQUIRE(ok);
    return true;
}

KS_TEST(keystore_request_states)
{
    uint8_t d1[32], d2[32];
    memset(d1, 1, sizeof d1);
    memset(d2, 2, sizeof d2);
    static const uint8_t result[] = "{\"result_type\":\"success\"}";
    const node_keystore_req NEW = NODE_KEYSTORE_REQ_NEW;

    CHECK(begin_is(f->ks, "svc:tx-1", d1, 5, MPC_OK, NEW, NULL, 0));
    CHECK(begin_is(f->ks, "svc:tx-1", d1, 6, MPC_OK, NODE_KEYSTORE_REQ_RUNNING,
                   NULL, 0));
    /* Same id, other content: a conflict, whatever the state. */
    CHECK(begin_is(f->ks, "svc:tx-1", d2, 6, MPC_ERR_CONFLICT, NEW, NULL, 0));
    CHECK_ERR(node_keystore_request_finish(f->ks, "svc:tx-1", d2, result,
                                           sizeof result),
              MPC_ERR_CONFLICT);
    CHECK_ERR(node_keystore_request_finish(f->ks, "svc:tx-2", d1, result,
                                           sizeof result),
              MPC_ERR_NOT_FOUND);
    CHECK_OK(node_keystore_request_finish(f->ks, "svc:tx-1", d1, result,
                                          sizeof result));
    CHECK_ERR(node_keystore_request_finish(f->ks, "svc:tx-1", d1, result,
                                           sizeof result),
              MPC_ERR_STATE);
    CHECK(ks_fx_reopen(f)); /* durable */
    CHECK(begin_is(f->ks, "svc:tx-1", d1, 7, MPC_OK, NODE_KEYSTORE_REQ_DONE,
                   result, sizeof result));
    CHECK(begin_is(f->ks, "svc:tx-1", d2, 7, MPC_ERR_CONFLICT, NEW, NULL, 0));

    /* A record left RUNNING (crash) is deleted so the request can rerun. */
    CHECK(begin_is(f->ks, "svc:tx-3", d2, 8, MPC_OK, NEW, NULL, 0));
    CHECK_OK(node_keystore_request_delete(f->ks, "svc:tx-3"));
    CHECK_ERR(node_keystore_request_delete(f->ks, "svc:tx-3"),
              MPC_ERR_NOT_FOUND);
    CHECK(begin_is(f->ks, "svc:tx-3", d1, 9, MPC_OK, NEW, NULL, 0));

    /* Misuse. */
    node_keystore_req st;
    uint8_t *res;
    size_t len;
    CHECK_ERR(node_keystore_request_begin(f->ks, &st, &res, &len, "", d1, 1),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_request_begin(f->ks, &st, &res, &len, "x", NULL, 1),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_request_begin(f->ks, NULL, &res, &len, "x", d1, 1),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_request_finish(f->ks, "svc:tx-3", d1, result, 0),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_request_delete(f->ks, "a b"), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_request_prune(NULL, NULL, 1), MPC_ERR_INVALID_ARG);
}

static bool leased_is(node_keystore *ks, const char *id, const uint8_t *digest,
                      uint64_t now, uint64_t lease, mpc_err want_err,
                      node_keystore_req want)
{
    node_keystore_req st = (node_keystore_req)77;
    uint8_t dummy, *res = &dummy;
    size_t len = 99;
    mpc_err err = node_keystore_request_begin_leased(ks, &st, &res, &len, id,
                                                     digest, now, lease);
    bool ok = err == want_err && st == want &&
              (want == NODE_KEYSTORE_REQ_DONE ? len > 0 : res == NULL);
    if (res != &dummy)
        node_keystore_value_free(res, len);
    if (!ok)
        printf("%s at %llu: err %d state %d\n", id, (unsigned long long)now,
               (int)err, (int)st);
    REQUIRE(ok);
    return true;
}

/* RUNNING records have an owner and a lease: a live owner's record is
 * never taken over; a dead owner's (an earlier process: here, before the
 * reopen) lapses at created + lease, and the taker becomes the owner. */
KS_TEST(keystore_request_lease)
{
    uint8_t d1[32], d2[32];
    memset(d1, 1, sizeof d1);
    memset(d2, 2, sizeof d2);
    static const uint8_t result[] = "{\"result_type\":\"error\"}";
    const node_keystore_req NEW = NODE_KEYSTORE_REQ_NEW,
                            RUN = NODE_KEYSTORE_REQ_RUNNING;
    /* Live owner: never, however late. */
    CHECK(leased_is(f->ks, "svc:a", d1, 1000, 100, MPC_OK, NEW));
    CHECK(leased_is(f->ks, "svc:a", d1, 1050, 100, MPC_OK, RUN));
    CHECK(leased_is(f->ks, "svc:a", d1, 999999, 100, MPC_OK, RUN));
    CHECK(leased_is(f->ks, "svc:b", d1, 1000, 100, MPC_OK, NEW));
    CHECK(leased_is(f->ks, "svc:c", d1, 1000, 100, MPC_OK, NEW));
    CHECK(leased_is(f->ks, "svc:d", d1, 1000, 100, MPC_OK, NEW));
    CHECK_OK(node_keystore_request_finish(f->ks, "svc:d", d1, result,
                                          sizeof result));
    /* The process dies with a, b and c RUNNING. */
    CHECK(ks_fx_reopen(f));
    /* Within the lease: still a duplicate. */
    CHECK(leased_is(f->ks, "svc:a", d1, 1099, 100, MPC_OK, RUN));
    /* A clock set back: not lapsed. */
    CHECK(leased_is(f->ks, "svc:a", d1, 10, 100, MPC_OK, RUN));
    /* Without a lease (node_keystore_request_begin): never. */
    CHECK(begin_is(f->ks, "svc:a", d1, 999999, MPC_OK, RUN, NULL, 0));
    /* Other content under the id: a conflict even when lapsed. */
    CHECK(leased_is(f->ks, "svc:a", d2, 5000, 100, MPC_ERR_CONFLICT, NEW));
    /* Lapsed: taken over once; the taker is now the live owner. */
    CHECK(leased_is(f->ks, "svc:a", d1, 1100, 100, MPC_OK, NEW));
    CHECK(leased_is(f->ks, "svc:a", d1, 999999, 100, MPC_OK, RUN));
    CHECK_OK(node_keystore_request_finish(f->ks, "svc:a", d1, result,
                                          sizeof result));
    CHECK(leased_is(f->ks, "svc:a", d1, 999999, 100, MPC_OK,
                    NODE_KEYSTORE_REQ_DONE));
    /* A done record is answered, never taken over. */
    CHECK(leased_is(f->ks, "svc:d", d1, 999999, 100, MPC_OK,
                    NODE_KEYSTORE_REQ_DONE));
    /* The taker's record is durable and, after another crash, lapses from
     * the time it was taken over. */
    CHECK(leased_is(f->ks, "svc:b", d1, 2000, 100, MPC_OK, NEW));
    CHECK(ks_fx_reopen(f));
    CHECK(leased_is(f->ks, "svc:b", d1, 2099, 100, MPC_OK, RUN));
    CHECK(leased_is(f->ks, "svc:b", d1, 2100, 100, MPC_OK, NEW));
    /* A delete gives up ownership too. */
    CHECK_OK(node_keystore_request_delete(f->ks, "svc:b"));
    CHECK(leased_is(f->ks, "svc:b", d1, 3000, 100, MPC_OK, NEW));
    /* Misuse. */
    CHECK(leased_is(f->ks, "", d1, 1, 1, MPC_ERR_INVALID_ARG, NEW));
    CHECK(leased_is(f->ks, "x", NULL, 1, 1, MPC_ERR_INVALID_ARG, NEW));
    CHECK_ERR(node_keystore_request_begin_leased(NULL, NULL, NULL, NULL, "x",
                                                 d1, 1, 1),
              MPC_ERR_INVALID_ARG);
}

KS_TEST(keystore_request_prune)
{
    uint8_t d[32] = {0};
    char id[16];
    /* Ids sort as r00..r19; creation times interleave old and new so the
     * walk deletes runs and keeps runs. */
    for (int i = 0; i < 20; i++) {
        snprintf(id, sizeof id, "r%02d", i);
        node_keystore_req st;
        uint8_t *res;
        size_t len;
        uint64_t created = (i % 4 < 2) ? 100 + (uint64_t)i : 1000;
        CHECK_OK(node_keystore_request_begin(f->ks, &st, &res, &len, id, d,
                                             created));
        if (i % 3 == 0)
            CHECK_OK(node_keystore_request_finish(f->ks, id, d, d, 1));
    }
    CHECK_OK(node_keystore_share_put(f->ks, EC, "w", 1, share_a, 4));
    size_t removed = 99;
    CHECK_OK(node_keystore_request_prune(f->ks, &removed, 500));
    CHECK(removed == 10);
    for (int i = 0; i < 20; i++) {
        snprintf(id, sizeof id, "r%02d", i);
        bool old = i % 4 < 2;
        node_keystore_req want = old ? NODE_KEYSTORE_REQ_NEW
                                     : (i % 3 == 0 ? NODE_KEYSTORE_REQ_DONE
                                                   : NODE_KEYSTORE_REQ_RUNNING);
        CHECK(begin_is(f->ks, id, d, 2000, MPC_OK, want, d,
                       want == NODE_KEYSTORE_REQ_DONE ? 1 : 0));
    }
    /* The old ones were begun again just now (created 2000). */
    CHECK_OK(node_keystore_request_prune(f->ks, &removed, 1500));
    CHECK(removed == 10);
    CHECK_OK(node_keystore_request_prune(f->ks, &removed, 2001));
    CHECK(removed == 10);
    CHECK(share_is(f->ks, EC, "w", 1, share_a, 4));

    /* A damaged record stops the prune; nothing is deleted. */
    CHECK(begin_is(f->ks, "a", d, 1, MPC_OK, NODE_KEYSTORE_REQ_NEW, NULL, 0));
    CHECK(begin_is(f->ks, "b", d, 1, MPC_OK, NODE_KEYSTORE_REQ_NEW, NULL, 0));
    node_keystore_close(f->ks);
    f->ks = NULL;
    CHECK(ks_raw_flip(f->dir, "req:b", 30));
    CHECK(ks_fx_reopen(f));
    CHECK_ERR(node_keystore_request_prune(f->ks, &removed, 5), MPC_ERR_VERIFY);
    CHECK(removed == 0);
    CHECK(
        begin_is(f->ks, "a", d, 1, MPC_OK, NODE_KEYSTORE_REQ_RUNNING, NULL, 0));
}

/* ---- threads ------------------------------------------------------------ */

struct writer_arg {
    node_keystore *ks;
    int id;
    bool ok;
};

static void *writer_main(void *p)
{
    struct writer_arg *a = p;
    char w[16];
    snprintf(w, sizeof w, "t%d", a->id);
    a->ok = true;
    for (uint32_t v = 0; v < 20 && a->ok; v++) {
        uint8_t val[4] = {(uint8_t)a->id, (uint8_t)v};
        uint8_t *got;
        size_t n;
        uint32_t latest;
        a->ok = node_keystore_share_put(a->ks, EC, w, v, val, sizeof val) ==
                    MPC_OK &&
                node_keystore_share_get_latest(a->ks, &latest, &got, &n, EC,
                                               w) == MPC_OK &&
                latest == v && n == sizeof val &&
                memcmp(got, val, sizeof val) == 0;
        if (a->ok)
            node_keystore_value_free(got, n);
    }
    return NULL;
}

KS_TEST(keystore_concurrent_writers_and_readers)
{
    pthread_t t[4];
    struct writer_arg a[4];
    for (int i = 0; i < 4; i++) {
        a[i] = (struct writer_arg){.ks = f->ks, .id = i};
        CHECK(pthread_create(&t[i], NULL, writer_main, &a[i]) == 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 4; i++)
        CHECK(a[i].ok);
}

/* ---- formats ------------------------------------------------------------ */

TEST(keystore_format_record)
{
    uint8_t key[32], nonce[24], rec[64 + NODE_KSF_RECORD_OVERHEAD_BYTES];
    uint8_t out[64];
    size_t n = 7;
    randombytes_buf(key, sizeof key);
    randombytes_buf(nonce, sizeof nonce);
    const uint8_t *name = (const uint8_t *)"share:ecdsa:w:v0000000001";
    size_t name_len = 25;
    uint8_t pt[64];
    memset(pt, 0x5a, sizeof pt);
    CHECK_OK(node_ksf_record_seal(rec, sizeof rec, key, nonce, name, name_len,
                                  pt, sizeof pt));
    CHECK(rec[0] == NODE_KSF_VERSION);
    CHECK_MEM(rec + 1, nonce, sizeof nonce);
    CHECK_OK(node_ksf_record_open(out, sizeof out, &n, key, name, name_len, rec,
                                  sizeof rec));
    CHECK(n == sizeof pt);
    CHECK_MEM(out, pt, sizeof pt);
    /* Bound to the name and the key. */
    CHECK_ERR(node_ksf_record_open(out, sizeof out, &n, key, name, name_len - 1,
                                   rec, sizeof rec),
              MPC_ERR_VERIFY);
    CHECK(n == 0 && out[0] == 0 && out[63] == 0);
    key[0] ^= 1;
    CHECK_ERR(node_ksf_record_open(out, sizeof out, &n, key, name, name_len,
                                   rec, sizeof rec),
              MPC_ERR_VERIFY);
    key[0] ^= 1;
    CHECK_ERR(
        node_ksf_record_open(out, 63, &n, key, name, name_len, rec, sizeof rec),
        MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_ksf_record_open(out, sizeof out, &n, key, name, name_len,
                                   rec, NODE_KSF_RECORD_OVERHEAD_BYTES - 1),
              MPC_ERR_PARSE);
    CHECK_ERR(node_ksf_record_open(out, sizeof out, &n, key, name, name_len,
                                   rec, NODE_KSF_RECORD_MAX_BYTES + 1),
              MPC_ERR_PARSE);
    CHECK_ERR(node_ksf_record_open(out, sizeof out, &n, key, name, 0, rec,
                                   sizeof rec),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_ksf_record_seal(rec, sizeof rec - 1, key, nonce, name,
                                   name_len, pt, sizeof pt),
              MPC_ERR_INVALID_ARG);
    CHECK(rec[0] == 0);
    /* An empty plaintext is a valid record (the keystore never writes
     * one, but the format allows it). */
    CHECK_OK(node_ksf_record_seal(rec, NODE_KSF_RECORD_OVERHEAD_BYTES, key,
                                  nonce, name, name_len, NULL, 0));
    CHECK_OK(node_ksf_record_open(out, 0, &n, key, name, name_len, rec,
                                  NODE_KSF_RECORD_OVERHEAD_BYTES));
    CHECK(n == 0);
}

TEST(keystore_format_kdf)
{
    node_ksf_kdf kdf = {.opslimit = 1, .memlimit = 8192};
    memset(kdf.salt, 7, sizeof kdf.salt);
    CHECK_OK(node_ksf_kdf_check(&kdf));
    node_ksf_keys a, b;
    CHECK_OK(node_ksf_keys_derive(&a, (const uint8_t *)"pw", 2, &kdf));
    CHECK_OK(node_ksf_keys_derive(&b, (const uint8_t *)"pw", 2, &kdf));
    CHECK_MEM(&a, &b, sizeof a);
    /* Four distinct subkeys. */
    CHECK(memcmp(a.record, a.verify, 32) != 0);
    CHECK(memcmp(a.record, a.backup, 32) != 0);
    CHECK(memcmp(a.backup, a.pool, 32) != 0);
    kdf.salt[0] ^= 1;
    CHECK_OK(node_ksf_keys_derive(&b, (const uint8_t *)"pw", 2, &kdf));
    CHECK(memcmp(a.record, b.record, 32) != 0);

    kdf.opslimit = 0;
    CHECK_ERR(node_ksf_kdf_check(&kdf), MPC_ERR_PARSE);
    CHECK_ERR(node_ksf_keys_derive(&b, (const uint8_t *)"pw", 2, &kdf),
              MPC_ERR_PARSE);
    static const uint8_t zero[sizeof b] = {0};
    CHECK_MEM(&b, zero, sizeof b);
    kdf.opslimit = NODE_KSF_OPSLIMIT_MAX + 1;
    CHECK_ERR(node_ksf_kdf_check(&kdf), MPC_ERR_PARSE);
    kdf.opslimit = 1;
    kdf.memlimit = NODE_KSF_MEMLIMIT_MIN - 1;
    CHECK_ERR(node_ksf_kdf_check(&kdf), MPC_ERR_PARSE);
    kdf.memlimit = NODE_KSF_MEMLIMIT_MAX + 1;
    CHECK_ERR(node_ksf_kdf_check(&kdf), MPC_ERR_PARSE);
    kdf.memlimit = 8192;
    CHECK_ERR(node_ksf_keys_derive(&b, (const uint8_t *)"pw", 0, &kdf),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_ksf_kdf_check(NULL), MPC_ERR_INVALID_ARG);
    sodium_memzero(&a, sizeof a);
    sodium_memzero(&b, sizeof b);
}

TEST(keystore_format_headers)
{
    uint8_t vk[32], out[NODE_KSF_HEADER_BYTES];
    memset(vk, 9, sizeof vk);
    node_ksf_header h = {.kdf = {.opslimit = 3, .memlimit = 1u << 20}};
    memset(h.kdf.salt, 1, sizeof h.kdf.salt);
    memset(h.instance, 2, sizeof h.instance);
    node_ksf_header_encode(out, &h, vk);
    CHECK_MEM(out, "MPCKSTOR", 8);
    node_ksf_header g;
    CHECK_OK(node_ksf_header_parse(&g, out, sizeof out));
    CHECK_MEM(&g, &h, sizeof g);
    CHECK_OK(node_ksf_header_verify(out, sizeof out, vk));
    vk[0] ^= 1;
    CHECK_ERR(node_ksf_header_verify(out, sizeof out, vk), MPC_ERR_AUTH);
    vk[0] ^= 1;
    CHECK_ERR(node_ksf_header_parse(&g, out, sizeof out - 1), MPC_ERR_PARSE);
    CHECK(g.kdf.opslimit == 0);
    CHECK_ERR(node_ksf_header_verify(out, 10, vk), MPC_ERR_PARSE);

    node_ksf_pool_header ph, pg;
    memset(ph.instance, 3, sizeof ph.instance);
    memset(ph.pool, 4, sizeof ph.pool);
    uint8_t pout[NODE_KSF_POOL_HEADER_BYTES];
    node_ksf_pool_header_encode(pout, &ph, vk);
    CHECK_OK(node_ksf_pool_header_parse(&pg, pout, sizeof pout));
    CHECK_MEM(&pg, &ph, sizeof pg);
    CHECK_OK(node_ksf_header_verify(pout, sizeof pout, vk));
    pout[8] = 2;
    CHECK_ERR(node_ksf_pool_header_parse(&pg, pout, sizeof pout),
              MPC_ERR_PARSE);
    CHECK_ERR(node_ksf_header_verify(pout, sizeof pout, vk), MPC_ERR_AUTH);
    /* Pool keys depend on both ids. */
    uint8_t k1[32], k2[32];
    node_ksf_pool_key(k1, vk, &ph);
    ph.pool[0] ^= 1;
    node_ksf_pool_key(k2, vk, &ph);
    CHECK(memcmp(k1, k2, 32) != 0);

    uint8_t bout[NODE_KSF_BACKUP_HEADER_BYTES], s24[24], t24[24];
    memset(s24, 5, sizeof s24);
    node_ksf_backup_header_encode(bout, &h.kdf, vk, s24);
    node_ksf_kdf kdf;
    CHECK_OK(node_ksf_backup_header_parse(&kdf, t24, bout, sizeof bout));
    CHECK_MEM(&kdf, &h.kdf, sizeof kdf);
    CHECK_MEM(t24, s24, 24);
    CHECK_OK(node_ksf_header_verify(bout, sizeof bout, vk));
    bout[10] ^= 0x80; /* opslimit's top byte */
    CHECK_ERR(node_ksf_backup_header_parse(&kdf, t24, bout, sizeof bout),
              MPC_ERR_PARSE);
    CHECK(t24[0] == 0);
}

TEST(keystore_format_request)
{
    node_ksf_request r = {.state = NODE_KSF_REQ_DONE,
                          .created = 0x0102030405060708u,
                          .result = (const uint8_t *)"ok",
                          .result_len = 2};
    memset(r.digest, 0xee, sizeof r.digest);
    uint8_t buf[NODE_KSF_REQUEST_PREFIX_BYTES + 2];
    CHECK_OK(node_ksf_request_encode(buf, sizeof buf, &r));
    node_ksf_request g;
    CHECK_OK(node_ksf_request_parse(&g, buf, sizeof buf));
    CHECK(g.state == r.state && g.created == r.created && g.result_len == 2);
    CHECK_MEM(g.digest, r.digest, 32);
    CHECK_MEM(g.result, "ok", 2);
    /* Shapes: RUNNING has no result, DONE has one. */
    buf[0] = NODE_KSF_REQ_RUNNING;
    CHECK_ERR(node_ksf_request_parse(&g, buf, sizeof buf), MPC_ERR_PARSE);
    CHECK(g.result == NULL && g.state == 0);
    CHECK_OK(node_ksf_request_parse(&g, buf, NODE_KSF_REQUEST_PREFIX_BYTES));
    buf[0] = NODE_KSF_REQ_DONE;
    CHECK_ERR(node_ksf_request_parse(&g, buf, NODE_KSF_REQUEST_PREFIX_BYTES),
              MPC_ERR_PARSE);
    buf[0] = 3;
    CHECK_ERR(node_ksf_request_parse(&g, buf, sizeof buf), MPC_ERR_PARSE);
    CHECK_ERR(node_ksf_request_parse(&g, buf, 5), MPC_ERR_PARSE);
    r.state = NODE_KSF_REQ_RUNNING;
    CHECK_ERR(node_ksf_request_encode(buf, sizeof buf, &r),
              MPC_ERR_INVALID_ARG);
    CHECK(buf[0] == 0);
}

TEST(keystore_format_messages)
{
    uint8_t buf[64];
    size_t n;
    node_ksf_msg m = {.type = NODE_KSF_MSG_ENTRY,
                      .name = (const uint8_t *)"meta:x",
                      .name_len = 6,
                      .value = (const uint8_t *)"value",
                      .value_len = 5};
    CHECK_OK(node_ksf_msg_encode(buf, sizeof buf, &n, &m));
    CHECK(n == 3 + 6 + 5);
    node_ksf_msg g;
    CHECK_OK(node_ksf_msg_parse(&g, buf, n));
    CHECK(g.type == NODE_KSF_MSG_ENTRY && g.name_len == 6 && g.value_len == 5);
    CHECK_MEM(g.name, "meta:x", 6);
    CHECK_MEM(g.value, "value", 5);
    /* Name length past the end; empty value; empty name. */
    buf[2] = 20;
    CHECK_ERR(node_ksf_msg_parse(&g, buf, n), MPC_ERR_PARSE);
    CHECK(g.type == 0 && g.name == NULL);
    CHECK_ERR(node_ksf_msg_parse(&g, buf, 9), MPC_ERR_PARSE);
    buf[2] = 6;
    CHECK_ERR(node_ksf_msg_parse(&g, buf, 9), MPC_ERR_PARSE);
    buf[2] = 0;
    CHECK_ERR(node_ksf_msg_parse(&g, buf, n), MPC_ERR_PARSE);
    CHECK_ERR(node_ksf_msg_encode(buf, 10, &n, &m), MPC_ERR_INVALID_ARG);
    CHECK(n == 0);

    m = (node_ksf_msg){.type = NODE_KSF_MSG_INFO, .created = 5, .txn_id = 9};
    CHECK_OK(node_ksf_msg_encode(buf, sizeof buf, &n, &m));
    CHECK_OK(node_ksf_msg_parse(&g, buf, n));
    CHECK(g.created == 5 && g.txn_id == 9);
    CHECK_ERR(node_ksf_msg_parse(&g, buf, n + 1), MPC_ERR_PARSE);
    m = (node_ksf_msg){.type = NODE_KSF_MSG_END, .count = 3};
    CHECK_OK(node_ksf_msg_encode(buf, sizeof buf, &n, &m));
    CHECK_OK(node_ksf_msg_parse(&g, buf, n));
    CHECK(g.count == 3);
    buf[0] = 4;
    CHECK_ERR(node_ksf_msg_parse(&g, buf, n), MPC_ERR_PARSE);
    CHECK_ERR(node_ksf_msg_parse(&g, buf, 0), MPC_ERR_PARSE);
}

TEST(keystore_format_names)
{
    char out[NODE_KSF_NAME_MAX_BYTES + 1];
    size_t n;
    uint32_t v = 42;
    uint64_t id = 0xabcdef;
    static const uint8_t set[] = {0x01, 0xfe};
    CHECK_OK(node_ksf_share_name(out, sizeof out, &n, "ecdsa", "w-1", &v));
    CHECK(strcmp(out, "share:ecdsa:w-1:v0000000042") == 0 && n == 27);
    CHECK_OK(node_ksf_share_name(out, sizeof out, &n, "eddsa", "w-1", NULL));
    CHECK(strcmp(out, "share:eddsa:w-1:v") == 0);
    CHECK_OK(node_ksf_tail_name(out, sizeof out, &n, "req:", "cid:tx:1"));
    CHECK(strcmp(out, "req:cid:tx:1") == 0);
    CHECK_OK(node_ksf_presig_name(out, sizeof out, &n, "w", &v, set, 2, &id));
    CHECK(strcmp(out, "ps:w:v0000000042:s01fe:i0000000000abcdef") == 0);
    CHECK_OK(node_ksf_presig_name(out, sizeof out, &n, "w", &v, set, 2, NULL));
    CHECK(strcmp(out, "ps:w:v0000000042:s01fe:i") == 0);
    CHECK_OK(
        node_ksf_presig_name(out, sizeof out, &n, "w", NULL, NULL, 0, NULL));
    CHECK(strcmp(out, "ps:w:v") == 0);
    CHECK_ERR(
        node_ksf_presig_name(out, sizeof out, &n, "w", NULL, set, 2, NULL),
        MPC_ERR_INVALID_ARG);
    CHECK(n == 0 && out[0] == '\0');
    CHECK_ERR(node_ksf_presig_name(out, sizeof out, &n, "w", &v, set, 0, &id),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_ksf_share_name(out, 10, &n, "ecdsa", "w", &v),
              MPC_ERR_INVALID_ARG);
    CHECK(n == 0 && out[0] == '\0');

    uint64_t num = 1;
    const uint8_t *nm = (const uint8_t *)"share:ecdsa:w:v4294967295";
    CHECK_OK(node_ksf_name_number(&num, nm, 25, 15, false));
    CHECK(num == UINT32_MAX);
    nm = (const uint8_t *)"share:ecdsa:w:v4294967296";
    CHECK_ERR(node_ksf_name_number(&num, nm, 25, 15, false), MPC_ERR_PARSE);
    CHECK(num == 0);
    CHECK_ERR(node_ksf_name_number(&num, nm, 24, 15, false), MPC_ERR_PARSE);
    nm = (const uint8_t *)"p00000000000000ff";
    CHECK_OK(node_ksf_name_number(&num, nm, 17, 1, true));
    CHECK(num == 255);
    nm = (const uint8_t *)"p00000000000000FF";
    CHECK_ERR(node_ksf_name_number(&num, nm, 17, 1, true), MPC_ERR_PARSE);

    CHECK(node_ksf_id_is_valid("a:b", false));
    CHECK(!node_ksf_id_is_valid("a:b", true));
    CHECK(!node_ksf_id_is_valid(NULL, false));
}
