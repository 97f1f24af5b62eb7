/*
 * tests/protocol/test_cggmp_reshare.c — CGGMP21 key refresh and reshare
 * on simnet: the key stays, the shares change, a dealer of a non-zero
 * constant or a bad share is named; a reshared committee signs.
 */
#include <string.h>

#include "lib/cggmp/cggmp_internal.h"
#include "mpc/cggmp_keys.h"
#include "mpc/cggmp_sign.h"
#include "mpc/vss.h"
#include "tests/harness/test.h"
#include "tests/protocol/cggmp_fixture.h"
#include "tests/protocol/simnet.h"

#define MAXN 5

static simnet *refresh_net(const mpc_ctx **ctx, unsigned n, unsigned t,
                           const mpc_cggmp_key_share *old)
{
    const void *inputs[MAXN];
    for (unsigned i = 0; i < n; i++)
        inputs[i] = &old[i];
    simnet_config c = {.protocol = &mpc_cggmp_refresh_protocol,
                       .n = n,
                       .threshold = t,
                       .inputs = inputs,
                       .ctxs = ctx};
    return simnet_new_cfg(&c);
}

/* Refreshes old (n parties, threshold t) and checks the result. */
static bool refresh_ok(const mpc_ctx **ctx, unsigned n, unsigned t,
                       const mpc_cggmp_key_share *old)
{
    const mpc_group *g = cggmp_group(ctx[0]);
    mpc_cggmp_key_share ks[MAXN];
    simnet *net = refresh_net(ctx, n, t, old);
    REQUIRE(net != NULL);
    bool ok = simnet_run(net, 100000) == SIMNET_ALL_DONE;
    for (unsigned i = 0; i < n; i++) {
        mpc_cggmp_key_share_init(&ks[i]);
        ok = ok && simnet_take_result(net, i, &ks[i], sizeof ks[i]) == MPC_OK;
    }
    simnet_free(net);
    ok = ok && cggmp_fixture_check_shares(ks, n);
    for (unsigned i = 0; i < n && ok; i++)
        ok = mpc_point_eq(g, &ks[i].pubkey, &old[0].pubkey) &&
             !mpc_scalar_eq(&ks[i].x, &old[i].x) &&
             memcmp(ks[i].chain_code, old[0].chain_code, 32) == 0 &&
             memcmp(ks[i].rid, old[0].rid, 32) != 0 && ks[i].t == t;
    cggmp_fixture_clear(ctx, n, ks, NULL);
    REQUIRE(ok);
    return true;
}

TEST(cggmp_refresh_dealt_2of3)
{
    const mpc_ctx *ctx[3];
    mpc_cggmp_key_share ks[3];
    mpc_cggmp_aux_info aux[3];
    cggmp_fixture_ctxs(ctx, 3);
    if (!cggmp_fixture_dealer(ctx, 3, 2, MPC_PARAMS_COMPAT, ks, aux))
        return;
    CHECK(refresh_ok(ctx, 3, 2, ks));
    cggmp_fixture_clear(ctx, 3, ks, aux);
}

TEST(cggmp_refresh_keygen_3of5)
{
    const mpc_ctx *ctx[5];
    mpc_cggmp_key_share ks[5];
    cggmp_fixture_ctxs(ctx, 5);
    if (!cggmp_fixture_keygen(ctx, 5, 3, ks))
        return;
    CHECK(refresh_ok(ctx, 5, 3, ks));
    cggmp_fixture_clear(ctx, 5, ks, NULL);
}

TEST(cggmp_refresh_bad_input)
{
    const mpc_ctx *ctx[3];
    mpc_cggmp_key_share ks[3];
    cggmp_fixture_ctxs(ctx, 3);
    if (!cggmp_fixture_keygen(ctx, 3, 2, ks))
        return;
    mpc_session_params p;
    mpc_session_params_default(&p);
    p.protocol = &mpc_cggmp_refresh_protocol;
    p.n = 3;
    p.threshold = 3; /* a refresh never changes t */
    p.self = 1;
    p.input = &ks[1];
    mpc_session *s = NULL;
    CHECK_ERR(mpc_session_new(&s, ctx[1], &p), MPC_ERR_INVALID_ARG);
    p.threshold = 2;
    p.self = 0; /* not this share's position */
    CHECK_ERR(mpc_session_new(&s, ctx[1], &p), MPC_ERR_INVALID_ARG);
    p.self = 1;
    p.n = 4;
    CHECK_ERR(mpc_session_new(&s, ctx[1], &p), MPC_ERR_INVALID_ARG);
    p.n = 3;
    p.input = NULL;
    CHECK_ERR(mpc_session_new(&s, ctx[1], &p), MPC_ERR_INVALID_ARG);
    /* A share that does not match its own verifying share. */
    p.input = &ks[1];
    ks[1].x.v[31] ^= 1;
    CHECK_ERR(mpc_session_new(&s, ctx[1], &p), MPC_ERR_INVALID_ARG);
    ks[1].x.v[31] ^= 1;
    CHECK(s == NULL);
    p.input = &ks[1];
    CHECK_OK(mpc_session_new(&s, ctx[1], &p));
    mpc_session_free(s);
    cggmp_fixture_clear(ctx, 3, ks, NULL);
}

/* The opening's first commitment (after rid, c, u) becomes the second: a
 * valid point, so the constant is no longer zero. */
static void nonzero_constant(uint8_t *p, size_t len)
{
    (void)len;
    memcpy(p + 96, p + 96 + 33, 33);
}

static void refresh_blame(cggmp_tamper *plain, bool committed, unsigned honest,
                          mpc_blame_reason reason)
{
    const mpc_ctx *ctx[3];
    mpc_cggmp_key_share ks[3];
    cggmp_fixture_ctxs(ctx, 3);
    if (!cggmp_fixture_keygen(ctx, 3, 2, ks))
        return;
    simnet *net = refresh_net(ctx, 3, 2, ks);
    if (net == NULL) {
        CHECK(net != NULL);
        cggmp_fixture_clear(ctx, 3, ks, NULL);
        return;
    }
    static cggmp_committed_tamper ct;
    memset(&ct, 0, sizeof ct);
    ct.net = net;
    ct.n = 3;
    ct.protocol_id = MPC_CGGMP_REFRESH_PROTOCOL_ID;
    ct.fn = nonzero_constant;
    if (committed)
        simnet_set_tamper(net, 0, cggmp_committed_hook, &ct);
    else
        simnet_set_tamper(net, 0, cggmp_tamper_hook, plain);
    CHECK(simnet_run(net, 100000) != SIMNET_STALLED);
    CHECK(cggmp_fixture_blamed(net, honest, 0, reason));
    simnet_free(net);
    cggmp_fixture_clear(ctx, 3, ks, NULL);
}

TEST(cggmp_refresh_nonzero_constant)
{
    refresh_blame(NULL, true, 0x6, MPC_BLAME_PROTOCOL);
}

TEST(cggmp_refresh_bad_share)
{
    cggmp_tamper t = {.round = 2,
                      .kind = MPC_SESSION_P2P,
                      .victims = 0x2,
                      .fn = cggmp_flip_last};
    refresh_blame(&t, false, 0x2, MPC_BLAME_VERIFY);
}

TEST(cggmp_refresh_threshold_raise)
{
    cggmp_tamper t = {.round = 2,
                      .kind = MPC_SESSION_BCAST,
                      .victims = ~0u,
                      .new_len = 96 + 3 * 33};
    refresh_blame(&t, false, 0x6, MPC_BLAME_PARSE);
}

/* ---- reshare ------------------------------------------------------------- */

/* One reshare: session parties 0..n-1; quorum[] of old shares old[]
 * (indexed by session party; only the quorum's entries are read),
 * members[] the new committee. New shares into out[] by new position. */
typedef struct reshare_case {
    unsigned n;
    const unsigned *quorum;
    unsigned nq;
    const unsigned *members;
    unsigned nn;
    unsigned t_new;
} reshare_case;

static bool do_reshare(const mpc_ctx **ctx, const reshare_case *c,
                       mpc_cggmp_key_share *const *old,
                       mpc_cggmp_key_share *out, cggmp_tamper *tamper)
{
    const mpc_cggmp_key_share *any = old[c->quorum[0]];
    mpc_scalar qids[MAXN];
    mpc_point qvs[MAXN];
    for (unsigned q = 0; q < c->nq; q++) {
        const mpc_cggmp_key_share *ks = old[c->quorum[q]];
        qids[q] = ks->ids[ks->self];
        qvs[q] = any->vshares[ks->self];
    }
    mpc_cggmp_reshare_input in[MAXN];
    const void *inputs[MAXN];
    for (unsigned i = 0; i < c->n; i++) {
        bool dealer = false;
        for (unsigned q = 0; q < c->nq; q++)
            dealer = dealer || c->quorum[q] == i;
        in[i] = (mpc_cggmp_reshare_input){.share = dealer ? old[i] : NULL,
                                          .pubkey = any->pubkey,
                                          .quorum = c->quorum,
                                          .quorum_ids = qids,
                                          .quorum_vshares = qvs,
                                          .n_quorum = c->nq,
                                          .t_old = any->t,
                                          .members = c->members,
                                          .n_members = c->nn};
        memcpy(in[i].chain_code, any->chain_code, 32);
        inputs[i] = &in[i];
    }
    simnet_config cfg = {.protocol = &mpc_cggmp_reshare_protocol,
                         .n = c->n,
                         .threshold = c->t_new,
                         .inputs = inputs,
                         .ctxs = ctx};
    simnet *net = simnet_new_cfg(&cfg);
    REQUIRE(net != NULL);
    if (tamper != NULL) {
        simnet_set_tamper(net, c->quorum[0], cggmp_tamper_hook, tamper);
        bool ok = simnet_run(net, 100000) != SIMNET_STALLED;
        unsigned honest = 0;
        for (unsigned k = 0; k < c->nn; k++)
            if (c->members[k] != c->quorum[0])
                honest |= 1u << c->members[k];
        ok = ok &&
             cggmp_fixture_blamed(net, honest, c->quorum[0], MPC_BLAME_NONE);
        simnet_free(net);
        REQUIRE(ok);
        return true;
    }
    bool ok = simnet_run(net, 100000) == SIMNET_ALL_DONE;
    for (unsigned k = 0; k < c->nn; k++)
        mpc_cggmp_key_share_init(&out[k]);
    for (unsigned i = 0; i < c->n && ok; i++) {
        mpc_cggmp_key_share r;
        mpc_cggmp_key_share_init(&r);
        ok = simnet_take_result(net, i, &r, sizeof r) == MPC_OK;
        unsigned k = 0;
        while (k < c->nn && c->members[k] != i)
            k++;
        if (k < c->nn)
            out[k] = r;
        else
            ok = ok && r.n == 0 && r.ids == NULL;
    }
    simnet_free(net);
    REQUIRE(ok);
    return true;
}

/* new[k] lives in the context of session party members[k]. */
static void clear_new(const mpc_ctx **ctx, const reshare_case *c,
                      mpc_cggmp_key_share *ks)
{
    for (unsigned k = 0; k < c->nn; k++)
        mpc_cggmp_key_share_clear(ctx[c->members[k]], &ks[k]);
}

TEST(cggmp_reshare_2of3_3of4_2of3)
{
    const mpc_ctx *ctx[4];
    mpc_cggmp_key_share a[3], b[4], c[3];
    cggmp_fixture_ctxs(ctx, 4);
    if (!cggmp_fixture_keygen(ctx, 3, 2, a))
        return;
    const mpc_group *g = cggmp_group(ctx[0]);
    /* Parties 0..2 hold the 2-of-3 key; {0, 2} deal to {0, 1, 2, 3}. */
    static const unsigned q1[] = {0, 2}, m1[] = {0, 1, 2, 3};
    reshare_case c1 = {
        .n = 4, .quorum = q1, .nq = 2, .members = m1, .nn = 4, .t_new = 3};
    mpc_cggmp_key_share *old1[4] = {&a[0], &a[1], &a[2], NULL};
    if (!do_reshare(ctx, &c1, old1, b, NULL)) {
        cggmp_fixture_clear(ctx, 3, a, NULL);
        return;
    }
    CHECK(cggmp_fixture_check_shares(b, 4));
    CHECK(mpc_point_eq(g, &b[0].pubkey, &a[0].pubkey));
    CHECK(memcmp(b[0].chain_code, a[0].chain_code, 32) == 0);
    /* {1, 2, 3} of the 3-of-4 deal to {3, 0, 1}: party 2 leaves. */
    static const unsigned q2[] = {1, 2, 3}, m2[] = {3, 0, 1};
    reshare_case c2 = {
        .n = 4, .quorum = q2, .nq = 3, .members = m2, .nn = 3, .t_new = 2};
    mpc_cggmp_key_share *old2[4] = {&b[0], &b[1], &b[2], &b[3]};
    if (do_reshare(ctx, &c2, old2, c, NULL)) {
        CHECK(mpc_point_eq(g, &c[0].pubkey, &a[0].pubkey));
        CHECK(c[0].n == 3 && c[0].t == 2);
        /* cggmp_fixture_check_shares wants self == position. */
        CHECK(cggmp_fixture_check_shares(c, 3));
        clear_new(ctx, &c2, c);
    }
    clear_new(ctx, &c1, b);
    cggmp_fixture_clear(ctx, 3, a, NULL);
}

static void reshare_blame(cggmp_tamper *t)
{
    const mpc_ctx *ctx[4];
    mpc_cggmp_key_share a[3];
    cggmp_fixture_ctxs(ctx, 4);
    if (!cggmp_fixture_keygen(ctx, 3, 2, a))
        return;
    static const unsigned q1[] = {0, 2}, m1[] = {0, 1, 2, 3};
    reshare_case c1 = {
        .n = 4, .quorum = q1, .nq = 2, .members = m1, .nn = 4, .t_new = 3};
    mpc_cggmp_key_share *old1[4] = {&a[0], &a[1], &a[2], NULL};
    CHECK(do_reshare(ctx, &c1, old1, NULL, t));
    cggmp_fixture_clear(ctx, 3, a, NULL);
}

TEST(cggmp_reshare_bad_subshare)
{
    cggmp_tamper t = {.round = 2,
                      .kind = MPC_SESSION_P2P,
                      .victims = ~0u,
                      .fn = cggmp_flip_last};
    reshare_blame(&t);
}

TEST(cggmp_reshare_threshold_raise)
{
    cggmp_tamper t = {.round = 2,
                      .kind = MPC_SESSION_BCAST,
                      .victims = ~0u,
                      .new_len = 32 + 4 * 33};
    reshare_blame(&t);
}

TEST(cggmp_reshare_decommitment_mismatch)
{
    cggmp_tamper t = {.round = 2,
                      .kind = MPC_SESSION_BCAST,
                      .victims = ~0u,
                      .fn = cggmp_flip_middle};
    reshare_blame(&t);
}

TEST(cggmp_reshare_bad_input)
{
    const mpc_ctx *ctx[4];
    mpc_cggmp_key_share a[3];
    cggmp_fixture_ctxs(ctx, 4);
    if (!cggmp_fixture_keygen(ctx, 3, 2, a))
        return;
    unsigned quorum[] = {0, 2}, members[] = {0, 1, 2, 3};
    mpc_scalar qids[2] = {a[0].ids[0], a[0].ids[2]};
    mpc_point qvs[2] = {a[0].vshares[0], a[0].vshares[2]};
    mpc_cggmp_reshare_input in = {.share = &a[0],
                                  .pubkey = a[0].pubkey,
                                  .quorum = quorum,
                                  .quorum_ids = qids,
                                  .quorum_vshares = qvs,
                                  .n_quorum = 2,
                                  .t_old = 2,
                                  .members = members,
                                  .n_members = 4};
    mpc_session_params p;
    mpc_session_params_default(&p);
    p.protocol = &mpc_cggmp_reshare_protocol;
    p.n = 4;
    p.threshold = 3;
    p.input = &in;
    mpc_session *s = NULL;
    CHECK_OK(mpc_session_new(&s, ctx[0], &p));
    mpc_session_free(s);
    s = NULL;
    p.threshold = 5; /* t_new > new committee */
    CHECK_ERR(mpc_session_new(&s, ctx[0], &p), MPC_ERR_INVALID_ARG);
    p.threshold = 3;
    in.n_quorum = 1; /* fewer dealers than t_old */
    CHECK_ERR(mpc_session_new(&s, ctx[0], &p), MPC_ERR_INVALID_ARG);
    in.n_quorum = 2;
    in.share = &a[1]; /* not the quorum's entry for party 0 */
    CHECK_ERR(mpc_session_new(&s, ctx[0], &p), MPC_ERR_INVALID_ARG);
    in.share = NULL; /* a dealer without its share */
    CHECK_ERR(mpc_session_new(&s, ctx[0], &p), MPC_ERR_INVALID_ARG);
    in.share = &a[0];
    p.self = 1; /* a non-dealer with a share */
    CHECK_ERR(mpc_session_new(&s, ctx[0], &p), MPC_ERR_INVALID_ARG);
    p.self = 0;
    members[3] = 0; /* a member listed twice */
    CHECK_ERR(mpc_session_new(&s, ctx[0], &p), MPC_ERR_INVALID_ARG);
    members[3] = 3;
    in.n_members = 3; /* party 3 neither deals nor receives */
    p.threshold = 2;
    CHECK_ERR(mpc_session_new(&s, ctx[0], &p), MPC_ERR_INVALID_ARG);
    CHECK(s == NULL);
    cggmp_fixture_clear(ctx, 3, a, NULL);
}

/* ---- reshare, then sign ----------------------------------------------------
 */

/* Interactive sign by `signers` of the new committee (ks, aux by position)
 * of a random digest, under Y. */
static bool sign_by(const mpc_cggmp_key_share *ks,
                    const mpc_cggmp_aux_info *aux, const uint32_t *signers,
                    unsigned t)
{
    cggmp_signing s;
    uint8_t digest[32];
    mpc_ctx_random(test_ctx(), digest, sizeof digest);
    cggmp_signing_set(&s, ks, aux, signers, t, NULL);
    REQUIRE(cggmp_sign_interactive(&s, digest));
    return true;
}

/* Signer 0 brings its share of the old committee (same size, threshold
 * and position: the session accepts it) next to a new share: no signature
 * comes out, and the holder of the new share blames the stale one, and
 * only it, with certainty (its Πaff-g is not for the new X_0). */
static bool sign_mixed(const mpc_cggmp_key_share *stale,
                       const mpc_cggmp_key_share *ks,
                       const mpc_cggmp_aux_info *aux)
{
    static const uint32_t signers[2] = {0, 1};
    uint8_t digest[32] = {0x5e};
    cggmp_signing s;
    cggmp_signing_set(&s, ks, aux, signers, 2, NULL);
    s.key[0] = stale;
    simnet *net = cggmp_signing_net(&s, digest);
    if (net == NULL)
        return true; /* refused up front: fine */
    simnet_outcome out = simnet_run(net, 100000);
    mpc_blame b = simnet_blame(net, 1);
    bool ok = out == SIMNET_SOME_FAILED &&
              simnet_status(net, 0) != MPC_SESSION_DONE &&
              simnet_status(net, 1) == MPC_SESSION_FAILED && b.attributable &&
              mpc_blame_count(&b) == 1 && mpc_blame_has(&b, 0);
    simnet_free(net);
    REQUIRE(ok);
    return true;
}

/*
 * 2-of-3 (keygen) -> 3-of-4 -> 2-of-3 with another membership, each new
 * committee running aux-info afresh, then signing with its new shares
 * under the unchanged key; an old share mixed into a signing set fails.
 */
TEST(cggmp_reshare_then_sign)
{
    static const unsigned q1[] = {0, 2}, m1[] = {0, 1, 2, 3};
    static const unsigned q2[] = {1, 2, 3}, m2[] = {3, 0, 1};
    static const uint32_t s1[3] = {0, 1, 3};
    static const uint32_t pairs[3][2] = {{0, 1}, {0, 2}, {1, 2}};
    const reshare_case c1 = {
        .n = 4, .quorum = q1, .nq = 2, .members = m1, .nn = 4, .t_new = 3};
    const reshare_case c2 = {
        .n = 4, .quorum = q2, .nq = 3, .members = m2, .nn = 3, .t_new = 2};
    const mpc_ctx *ctx[4], *ctx2[3];
    mpc_cggmp_key_share a[3], b[4], c[3];
    mpc_cggmp_aux_info auxb[4], auxc[3];

    cggmp_fixture_ctxs(ctx, 4);
    for (unsigned k = 0; k < 3; k++)
        ctx2[k] = ctx[m2[k]]; /* new position k lives at party m2[k] */
    if (!cggmp_fixture_keygen(ctx, 3, 2, a))
        return;
    const mpc_group *g = cggmp_group(ctx[0]);
    mpc_cggmp_key_share *old1[4] = {&a[0], &a[1], &a[2], NULL};
    if (!do_reshare(ctx, &c1, old1, b, NULL))
        goto out_a;
    if (!cggmp_fixture_aux(ctx, 4, MPC_PARAMS_COMPAT, auxb))
        goto out_b;
    CHECK(mpc_point_eq(g, &b[0].pubkey, &a[0].pubkey));
    CHECK(sign_by(b, auxb, s1, 3));

    mpc_cggmp_key_share *old2[4] = {&b[0], &b[1], &b[2], &b[3]};
    if (!do_reshare(ctx, &c2, old2, c, NULL))
        goto out_auxb;
    if (!cggmp_fixture_aux(ctx2, 3, MPC_PARAMS_COMPAT, auxc))
        goto out_c;
    CHECK(mpc_point_eq(g, &c[0].pubkey, &a[0].pubkey));
    for (unsigned i = 0; i < 3; i++)
        CHECK(sign_by(c, auxc, pairs[i], 2));
    /* a[0] has c[0]'s shape (n 3, t 2, position 0) but the old polynomial. */
    CHECK(sign_mixed(&a[0], c, auxc));

    cggmp_fixture_clear(ctx2, 3, NULL, auxc);
out_c:
    clear_new(ctx, &c2, c);
out_auxb:
    cggmp_fixture_clear(ctx, 4, NULL, auxb);
out_b:
    clear_new(ctx, &c1, b);
out_a:
    cggmp_fixture_clear(ctx, 3, a, NULL);
}
