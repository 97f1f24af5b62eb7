/*
 * Tests of pending shares in node/keystore (node/keystore_pending.c) and
 * their marker format (node/keystore_format): put, commit (with and
 * without dropping older versions), deleting one version, the
 * coordinator's abort by session and the lease sweep; old records (a
 * share without a marker) read as committed; the marker codec is strict.
 */
#include <string.h>

#include "node/keystore.h"
#include "node/keystore_format.h"
#include "tests/harness/test.h"
#include "tests/node/keystore_fixture.h"

#define EC NODE_KEYSTORE_SECP256K1
#define ED NODE_KEYSTORE_ED25519

static const uint8_t share_a[] = "pending share A, secret";
static const uint8_t share_b[] = "pending share B, secret";

static size_t versions(node_keystore *ks, node_keystore_curve c,
                       const char *wallet)
{
    uint32_t v[8];
    size_t n = 0;
    if (node_keystore_share_versions(ks, v, 8, &n, c, wallet) != MPC_OK)
        return SIZE_MAX;
    return n;
}

static bool is_pending(node_keystore *ks, node_keystore_curve c,
                       const char *wallet, uint32_t version)
{
    return node_keystore_share_pending_get(ks, NULL, c, wallet, version) ==
           MPC_OK;
}

KS_TEST(keystore_pending_put_commit)
{
    /* An old-style share (no marker) is committed. */
    CHECK_OK(
        node_keystore_share_put(f->ks, ED, "w", 1, share_a, sizeof share_a));
    CHECK(!is_pending(f->ks, ED, "w", 1));

    CHECK_OK(node_keystore_share_put_pending(f->ks, ED, "w", 2, share_b,
                                             sizeof share_b, "sess-1", 1000));
    node_keystore_pending p;
    CHECK_OK(node_keystore_share_pending_get(f->ks, &p, ED, "w", 2));
    CHECK(p.created == 1000 && strcmp(p.session, "sess-1") == 0);
    /* The share itself reads as usual. */
    uint8_t *b = NULL;
    size_t len = 0;
    CHECK_OK(node_keystore_share_get(f->ks, &b, &len, ED, "w", 2));
    CHECK(len == sizeof share_b && memcmp(b, share_b, len) == 0);
    node_keystore_value_free(b, len);
    /* Never overwritten. */
    CHECK_ERR(node_keystore_share_put_pending(f->ks, ED, "w", 2, share_a,
                                              sizeof share_a, "sess-2", 1),
              MPC_ERR_CONFLICT);
    CHECK_ERR(node_keystore_share_put_pending(f->ks, ED, "w", 1, share_a,
                                              sizeof share_a, "sess-2", 1),
              MPC_ERR_CONFLICT);
    CHECK(!is_pending(f->ks, ED, "w", 1));

    /* A pending marker survives a reopen. */
    if (!ks_fx_reopen(f)) {
        CHECK(false);
        return;
    }
    CHECK(is_pending(f->ks, ED, "w", 2));

    size_t deleted = 9;
    CHECK_OK(node_keystore_share_commit(f->ks, &deleted, ED, "w", 2, true));
    CHECK(deleted == 1);
    CHECK(!is_pending(f->ks, ED, "w", 2));
    CHECK(versions(f->ks, ED, "w") == 1);
    /* Committing again changes nothing. */
    CHECK_OK(node_keystore_share_commit(f->ks, &deleted, ED, "w", 2, true));
    CHECK(deleted == 0);
    CHECK_ERR(node_keystore_share_commit(f->ks, &deleted, ED, "w", 3, true),
              MPC_ERR_NOT_FOUND);
    CHECK(deleted == 0);
    CHECK(versions(f->ks, ED, "w") == 1);
}

KS_TEST(keystore_pending_commit_keep_older)
{
    CHECK_OK(node_keystore_share_put_pending(f->ks, EC, "w", 1, share_a,
                                             sizeof share_a, "kg", 5));
    CHECK_OK(node_keystore_share_commit(f->ks, NULL, EC, "w", 1, false));
    CHECK_OK(node_keystore_share_put_pending(f->ks, EC, "w", 2, share_b,
                                             sizeof share_b, "rs", 6));
    CHECK_OK(node_keystore_share_commit(f->ks, NULL, EC, "w", 2, false));
    CHECK(versions(f->ks, EC, "w") == 2);
    CHECK(!is_pending(f->ks, EC, "w", 1) && !is_pending(f->ks, EC, "w", 2));
    /* A pending older version goes with its marker when dropped. */
    CHECK_OK(node_keystore_share_put_pending(f->ks, EC, "x", 1, share_a,
                                             sizeof share_a, "kg", 5));
    CHECK_OK(node_keystore_share_put_pending(f->ks, EC, "x", 2, share_b,
                                             sizeof share_b, "rs", 6));
    size_t deleted = 0;
    CHECK_OK(node_keystore_share_commit(f->ks, &deleted, EC, "x", 2, true));
    CHECK(deleted == 1 && versions(f->ks, EC, "x") == 1);
    CHECK(!is_pending(f->ks, EC, "x", 1) && !is_pending(f->ks, EC, "x", 2));
    bool found = true;
    size_t entries = 0;
    node_keystore_close(f->ks);
    f->ks = NULL;
    CHECK(ks_raw_scan(f->dir, &entries, "pend:", &found) && !found);
    if (!ks_fx_reopen(f)) {
        CHECK(false);
        return;
    }
}

KS_TEST(keystore_pending_delete_version)
{
    CHECK_OK(
        node_keystore_share_put(f->ks, ED, "w", 1, share_a, sizeof share_a));
    CHECK_OK(node_keystore_share_put_pending(f->ks, ED, "w", 2, share_b,
                                             sizeof share_b, "rs", 6));
    CHECK_OK(node_keystore_share_delete_version(f->ks, ED, "w", 2));
    CHECK(versions(f->ks, ED, "w") == 1 && !is_pending(f->ks, ED, "w", 2));
    CHECK_ERR(node_keystore_share_delete_version(f->ks, ED, "w", 2),
              MPC_ERR_NOT_FOUND);
    /* A committed version can be deleted too (exactly that one). */
    CHECK_OK(node_keystore_share_delete_version(f->ks, ED, "w", 1));
    CHECK(versions(f->ks, ED, "w") == 0);
    /* The version can be written again afterwards. */
    CHECK_OK(node_keystore_share_put_pending(f->ks, ED, "w", 2, share_a,
                                             sizeof share_a, "rs2", 7));
    CHECK(is_pending(f->ks, ED, "w", 2));
}

KS_TEST(keystore_pending_abort_session)
{
    CHECK_OK(node_keystore_share_put_pending(f->ks, ED, "w", 1, share_a,
                                             sizeof share_a, "kg-1", 1));
    CHECK_OK(node_keystore_share_put_pending(f->ks, EC, "w", 1, share_b,
                                             sizeof share_b, "kg-1", 1));
    CHECK_OK(node_keystore_share_put_pending(f->ks, ED, "v", 1, share_a,
                                             sizeof share_a, "kg-2", 1));
    CHECK_OK(
        node_keystore_share_put(f->ks, ED, "u", 1, share_a, sizeof share_a));
    size_t deleted = 9;
    CHECK_OK(node_keystore_share_abort(f->ks, &deleted, "kg-1"));
    CHECK(deleted == 2);
    CHECK(versions(f->ks, ED, "w") == 0 && versions(f->ks, EC, "w") == 0);
    CHECK(versions(f->ks, ED, "v") == 1 && is_pending(f->ks, ED, "v", 1));
    CHECK(versions(f->ks, ED, "u") == 1);
    CHECK_OK(node_keystore_share_abort(f->ks, &deleted, "kg-1"));
    CHECK(deleted == 0);
    /* A retry of the same wallet can store again. */
    CHECK_OK(node_keystore_share_put_pending(f->ks, ED, "w", 1, share_b,
                                             sizeof share_b, "kg-3", 2));
}

KS_TEST(keystore_pending_prune_lapsed)
{
    CHECK_OK(node_keystore_share_put_pending(f->ks, ED, "old", 1, share_a,
                                             sizeof share_a, "s1", 1000));
    CHECK_OK(node_keystore_share_put_pending(f->ks, ED, "new", 1, share_a,
                                             sizeof share_a, "s2", 5000));
    CHECK_OK(node_keystore_share_put_pending(f->ks, ED, "future", 1, share_a,
                                             sizeof share_a, "s3", 99000));
    CHECK_OK(
        node_keystore_share_put(f->ks, ED, "done", 1, share_a, sizeof share_a));
    size_t deleted = 9;
    /* Lease 4000 at 5000: "old" is exactly 4000 old, lapsed. */
    CHECK_OK(node_keystore_share_prune_pending(f->ks, &deleted, 5000, 4000));
    CHECK(deleted == 1);
    CHECK(versions(f->ks, ED, "old") == 0);
    CHECK(versions(f->ks, ED, "new") == 1);
    CHECK(versions(f->ks, ED, "future") == 1); /* clock set back: kept */
    CHECK(versions(f->ks, ED, "done") == 1);   /* committed: never */
    CHECK_OK(node_keystore_share_prune_pending(f->ks, &deleted, 8999, 4000));
    CHECK(deleted == 0);
    CHECK_OK(node_keystore_share_prune_pending(f->ks, &deleted, 9000, 4000));
    CHECK(deleted == 1 && versions(f->ks, ED, "new") == 0);
    CHECK_OK(node_keystore_share_prune_pending(f->ks, &deleted, UINT64_MAX, 0));
    CHECK(deleted == 1 && versions(f->ks, ED, "future") == 0);
    CHECK(versions(f->ks, ED, "done") == 1);
}

KS_TEST(keystore_pending_misuse)
{
    CHECK_ERR(
        node_keystore_share_put_pending(NULL, ED, "w", 1, share_a, 4, "s", 1),
        MPC_ERR_INVALID_ARG);
    CHECK_ERR(
        node_keystore_share_put_pending(f->ks, ED, "w", 1, share_a, 4, NULL, 1),
        MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_share_put_pending(f->ks, ED, "w", 1, share_a, 4,
                                              "bad id", 1),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_share_put_pending(f->ks, ED, "a:b", 1, share_a, 4,
                                              "s", 1),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(
        node_keystore_share_put_pending(f->ks, ED, "w", 1, share_a, 0, "s", 1),
        MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keystore_share_put_pending(f->ks, (node_keystore_curve)9,
                                              "w", 1, share_a, 4, "s", 1),
              MPC_ERR_INVALID_ARG);
    CHECK(versions(f->ks, ED, "w") == 0);
    node_keystore_pending p;
    memset(&p, 0xaa, sizeof p);
    CHECK_ERR(node_keystore_share_pending_get(f->ks, &p, ED, "w", 1),
              MPC_ERR_NOT_FOUND);
    CHECK(p.created == 0 && p.session[0] == '\0');
    size_t deleted = 9;
    CHECK_ERR(node_keystore_share_abort(f->ks, &deleted, "a b"),
              MPC_ERR_INVALID_ARG);
    CHECK(deleted == 0);
    deleted = 9;
    CHECK_ERR(node_keystore_share_commit(NULL, &deleted, ED, "w", 1, true),
              MPC_ERR_INVALID_ARG);
    CHECK(deleted == 0);
    CHECK_ERR(node_keystore_share_delete_version(f->ks, ED, "w", 1),
              MPC_ERR_NOT_FOUND);
    CHECK_ERR(node_keystore_share_prune_pending(NULL, NULL, 1, 1),
              MPC_ERR_INVALID_ARG);
}

TEST(keystore_pending_format)
{
    node_ksf_pending p = {.created = 0x0102030405060708u};
    memcpy(p.session, "sess", 5);
    uint8_t out[NODE_KSF_PENDING_MAX_BYTES];
    size_t n = 0;
    CHECK_OK(node_ksf_pending_encode(out, sizeof out, &n, &p));
    static const uint8_t want[] = {1, 1, 2, 3,   4,   5,   6,
                                   7, 8, 4, 's', 'e', 's', 's'};
    CHECK(n == sizeof want && memcmp(out, want, n) == 0);
    node_ksf_pending q;
    CHECK_OK(node_ksf_pending_parse(&q, out, n));
    CHECK(q.created == p.created && strcmp(q.session, "sess") == 0);

    uint8_t bad[sizeof want];
    memcpy(bad, want, sizeof want);
    bad[0] = 2; /* unknown format */
    CHECK_ERR(node_ksf_pending_parse(&q, bad, sizeof bad), MPC_ERR_PARSE);
    CHECK(q.created == 0 && q.session[0] == '\0');
    memcpy(bad, want, sizeof want);
    bad[9] = 3; /* length disagrees */
    CHECK_ERR(node_ksf_pending_parse(&q, bad, sizeof bad), MPC_ERR_PARSE);
    memcpy(bad, want, sizeof want);
    bad[11] = '\0'; /* embedded NUL */
    CHECK_ERR(node_ksf_pending_parse(&q, bad, sizeof bad), MPC_ERR_PARSE);
    memcpy(bad, want, sizeof want);
    bad[11] = ' '; /* not an id */
    CHECK_ERR(node_ksf_pending_parse(&q, bad, sizeof bad), MPC_ERR_PARSE);
    CHECK_ERR(node_ksf_pending_parse(&q, want, 10), MPC_ERR_PARSE);
    CHECK_ERR(node_ksf_pending_parse(&q, want, sizeof want - 1), MPC_ERR_PARSE);
    /* Short buffer and bad ids on encode. */
    CHECK_ERR(node_ksf_pending_encode(out, 13, &n, &p), MPC_ERR_INVALID_ARG);
    CHECK(n == 0);
    p.session[0] = '\0';
    CHECK_ERR(node_ksf_pending_encode(out, sizeof out, &n, &p),
              MPC_ERR_INVALID_ARG);

    char name[NODE_KSF_NAME_MAX_BYTES + 1];
    uint32_t v = 7;
    CHECK_OK(node_ksf_pending_name(name, sizeof name, &n, "eddsa", "w", &v));
    CHECK(strcmp(name, "pend:eddsa:w:v0000000007") == 0 && n == 24);
}
