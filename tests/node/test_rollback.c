/*
 * Roll-back of failed keygen / reshare sessions, as the ops see it: a
 * pending share (stored by a session its coordinator has not committed) is
 * never loaded for signing or resharing, on either curve, while the
 * committed version of the same wallet still is; a failed keygen leaves no
 * share anywhere; a sign right after a keygen finds the key committed.
 */
#include <string.h>
#include <time.h>

#include "node/keystore.h"
#include "node/ops_internal.h"
#include "tests/harness/test.h"
#include "tests/node/keystore_fixture.h"
#include "tests/node/mem_cluster.h"

#define EC NODE_KEYSTORE_SECP256K1
#define ED NODE_KEYSTORE_ED25519

/* Not a valid key record: loading it fails with MPC_ERR_PARSE, so a
 * NOT_FOUND shows the record was never read. */
static const uint8_t junk[] = "not a key record";

static mpc_err load_ed(node_ops *o, const char *wallet, uint32_t want)
{
    node_ops_key k;
    uint32_t v = 7;
    mpc_err e = node_ops_key_load(o, &k, &v, wallet, want);
    node_ops_key_clear(&k);
    if (e != MPC_OK && v != 0)
        return MPC_ERR_INTERNAL;
    return e;
}

static mpc_err load_ec(node_ops *o, const char *wallet, uint32_t want)
{
    node_ops_ecdsa_key k;
    uint32_t v = 7;
    mpc_err e = node_ops_ecdsa_key_load(o, &k, &v, wallet, want);
    node_ops_ecdsa_key_clear(o->cfg.ctx, &k);
    if (e != MPC_OK && v != 0)
        return MPC_ERR_INTERNAL;
    return e;
}

KS_TEST(rollback_sign_ignores_pending_share)
{
    node_ops o;
    memset(&o, 0, sizeof o);
    o.cfg.ctx = test_ctx();
    o.cfg.ks = f->ks;

    /* A keygen's version 1, pending: no key to sign with. */
    CHECK_OK(node_keystore_share_put_pending(f->ks, ED, "w", 1, junk,
                                             sizeof junk, "kg", 1));
    CHECK_OK(node_keystore_share_put_pending(f->ks, EC, "w", 1, junk,
                                             sizeof junk, "kg", 1));
    CHECK_ERR(load_ed(&o, "w", 0), MPC_ERR_NOT_FOUND);
    CHECK_ERR(load_ed(&o, "w", 1), MPC_ERR_NOT_FOUND);
    CHECK_ERR(load_ec(&o, "w", 0), MPC_ERR_NOT_FOUND);
    CHECK_ERR(load_ec(&o, "w", 1), MPC_ERR_NOT_FOUND);

    /* Committed: now it is read (and, being junk, refused as such). */
    CHECK_OK(node_keystore_share_commit(f->ks, NULL, ED, "w", 1, false));
    CHECK_OK(node_keystore_share_commit(f->ks, NULL, EC, "w", 1, false));
    CHECK_ERR(load_ed(&o, "w", 0), MPC_ERR_PARSE);
    CHECK_ERR(load_ec(&o, "w", 1), MPC_ERR_PARSE);

    /* A reshare's pending version 2 is never loaded by number; the
     * committed version 1 stays the one in force. */
    CHECK_OK(node_keystore_share_put_pending(f->ks, ED, "w", 2, junk,
                                             sizeof junk, "rs", 2));
    CHECK_ERR(load_ed(&o, "w", 2), MPC_ERR_NOT_FOUND);
    CHECK_ERR(load_ed(&o, "w", 1), MPC_ERR_PARSE);

    /* The failed reshare rolled back: version 2 gone, version 1 kept. */
    CHECK_OK(node_keystore_share_delete_version(f->ks, ED, "w", 2));
    uint32_t held[4];
    size_t n = 0;
    CHECK_OK(node_keystore_share_versions(f->ks, held, 4, &n, ED, "w"));
    CHECK(n == 1 && held[0] == 1);
}

KS_TEST(rollback_get_committed)
{
    uint8_t *b = (uint8_t *)1;
    size_t len = 9;
    CHECK_OK(node_keystore_share_put_pending(f->ks, ED, "w", 1, junk,
                                             sizeof junk, "kg", 1));
    CHECK_ERR(node_keystore_share_get_committed(f->ks, &b, &len, ED, "w", 1),
              MPC_ERR_NOT_FOUND);
    CHECK(b == NULL && len == 0);
    CHECK_ERR(node_keystore_share_get_committed(f->ks, &b, &len, ED, "w", 2),
              MPC_ERR_NOT_FOUND);
    CHECK_ERR(node_keystore_share_get_committed(NULL, &b, &len, ED, "w", 1),
              MPC_ERR_INVALID_ARG);
    CHECK_OK(node_keystore_share_commit(f->ks, NULL, ED, "w", 1, false));
    CHECK_OK(node_keystore_share_get_committed(f->ks, &b, &len, ED, "w", 1));
    CHECK(len == sizeof junk && memcmp(b, junk, len) == 0);
    node_keystore_value_free(b, len);
    /* Abort after commit deletes nothing: the share is no longer pending. */
    size_t deleted = 9;
    CHECK_OK(node_keystore_share_abort(f->ks, &deleted, "kg"));
    CHECK(deleted == 0);
}

/* ---- keygen commit and roll-back, three nodes over the mem bus ---------- */

static const char *const node_ids[MEM_CLUSTER_NODES] = {"node0", "node1",
                                                        "node2"};

static bool cluster_up(mem_ops *f)
{
    REQUIRE(mem_ops_prepare(f, node_ids, 0x29, "rollback"));
    for (int i = 0; i < MEM_CLUSTER_NODES; i++)
        REQUIRE(mem_ops_start(f, i, 10000, NULL));
    return true;
}

/* node i's client request `op` for `wallet` (sign: an Ed25519 tx). */
static bool handle(mem_ops *f, int i, node_ops_outcome *oc, node_client_op op,
                   const char *wallet, const char *tx_id)
{
    static const char tx[] = "roll back";
    mem_ops_req q = {.op = op,
                     .wallet = wallet,
                     .key_type = NODE_CLIENT_KEY_ED25519,
                     .network = "solana-devnet",
                     .tx_id = tx_id,
                     .tx = (const uint8_t *)tx,
                     .tx_len = sizeof tx - 1};
    size_t len = 0;
    uint8_t *body = mem_ops_request(f, &len, &q);
    REQUIRE(body != NULL);
    mpc_err e = node_ops_handle(f->o[i], oc, op, body, len, NULL);
    free(body);
    REQUIRE_OK(e);
    return true;
}

static size_t versions(mem_ops *f, int i, node_keystore_curve curve,
                       const char *wallet)
{
    uint32_t held[4];
    size_t n = 0;
    if (node_keystore_share_versions(f->ks[i].ks, held, 4, &n, curve, wallet) !=
        MPC_OK)
        return 99;
    return n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000,
                          .tv_nsec = (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* Waits (at most 10 s) until node i holds `want` versions of wallet. */
static bool versions_become(mem_ops *f, int i, const char *wallet, size_t want)
{
    for (int k = 0; k < 1000; k++) {
        if (versions(f, i, ED, wallet) == want)
            return true;
        sleep_ms(10);
    }
    return false;
}

static bool failed_keygen_rolls_back(mem_ops *f)
{
    /* node2 holds the wallet already (committed): it refuses the keygen
     * after node0 and node1 ran theirs up to the refusal; whatever they
     * stored must go. */
    static const uint8_t old[8] = {1};
    REQUIRE_OK(
        node_keystore_share_put(f->ks[2].ks, ED, "w-rb", 1, old, sizeof old));
    node_ops_outcome oc;
    REQUIRE(handle(f, 0, &oc, NODE_CLIENT_OP_KEYGEN, "w-rb", NULL));
    bool failed = oc.code != NODE_CLIENT_CODE_NONE;
    node_ops_outcome_clear(&oc);
    REQUIRE(failed);
    REQUIRE(versions(f, 0, ED, "w-rb") == 0);
    REQUIRE(versions_become(f, 1, "w-rb", 0));
    /* The roll-back never touches a committed share. */
    REQUIRE(versions(f, 2, ED, "w-rb") == 1);

    /* node2 drops its old share: the retry succeeds and signs. */
    REQUIRE_OK(node_keystore_share_delete_version(f->ks[2].ks, ED, "w-rb", 1));
    REQUIRE(handle(f, 1, &oc, NODE_CLIENT_OP_KEYGEN, "w-rb", NULL));
    REQUIRE(oc.code == NODE_CLIENT_CODE_NONE);
    node_ops_outcome_clear(&oc);
    REQUIRE(handle(f, 2, &oc, NODE_CLIENT_OP_SIGN, "w-rb", "tx-rb"));
    REQUIRE(oc.code == NODE_CLIENT_CODE_NONE);
    node_ops_outcome_clear(&oc);
    for (int i = 0; i < MEM_CLUSTER_NODES; i++)
        REQUIRE(versions_become(f, i, "w-rb", 1) &&
                node_keystore_share_pending_get(f->ks[i].ks, NULL, ED, "w-rb",
                                                1) == MPC_ERR_NOT_FOUND);
    return true;
}

TEST(rollback_failed_keygen_leaves_no_share_and_retry_works)
{
    mem_ops *f = calloc(1, sizeof *f);
    CHECK(f != NULL);
    bool ok = cluster_up(f) && failed_keygen_rolls_back(f);
    mem_ops_done(f);
    free(f);
    CHECK(ok);
}

static bool sign_before_commit_arrives(mem_ops *f)
{
    /* node2 never hears the commit message (as if it came late): its
     * shares stay pending until a sign makes it fetch the commit kept in
     * KV. */
    node_ops_reshare_unlisten(f->o[2]);
    node_ops_outcome oc;
    REQUIRE(handle(f, 0, &oc, NODE_CLIENT_OP_KEYGEN, "w-race", NULL));
    REQUIRE(oc.code == NODE_CLIENT_CODE_NONE);
    node_ops_outcome_clear(&oc);
    REQUIRE(node_keystore_share_pending_get(f->ks[2].ks, NULL, ED, "w-race",
                                            1) == MPC_OK);
    REQUIRE(handle(f, 2, &oc, NODE_CLIENT_OP_SIGN, "w-race", "tx-race"));
    REQUIRE(oc.code == NODE_CLIENT_CODE_NONE);
    node_ops_outcome_clear(&oc);
    REQUIRE(node_keystore_share_pending_get(f->ks[2].ks, NULL, ED, "w-race",
                                            1) == MPC_ERR_NOT_FOUND);
    return true;
}

TEST(rollback_sign_right_after_keygen)
{
    mem_ops *f = calloc(1, sizeof *f);
    CHECK(f != NULL);
    bool ok = cluster_up(f) && sign_before_commit_arrives(f);
    mem_ops_done(f);
    free(f);
    CHECK(ok);
}
