/*
 * Roll-back of failed keygen / reshare sessions, as the ops see it: a
 * pending share (stored by a session its coordinator has not committed) is
 * never loaded for signing or resharing, on either curve, while the
 * committed version of the same wallet still is.
 */
#include <string.h>

#include "node/keystore.h"
#include "node/ops_internal.h"
#include "tests/harness/test.h"
#include "tests/node/keystore_fixture.h"

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
