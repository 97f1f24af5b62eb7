/*
 * FROST refresh and reshare on the round engine
 * (mpc_frost_refresh_protocol, mpc_frost_reshare_protocol), on simnet with
 * a seeded random delivery order: 2-of-3 -> 3-of-5 -> 2-of-3 keeps the
 * key and the new committee signs; refresh changes every share and
 * nothing else; old and new shares never combine; a bad dealer is named;
 * every misuse of the inputs is refused.
 */
#include <string.h>

#include "mpc/frost_session.h"
#include "mpc/group.h"
#include "mpc/session.h"
#include "mpc/vss.h"
#include "mpc/wire.h"
#include "tests/harness/test.h"
#include "tests/protocol/frost_fixture.h"
#include "tests/protocol/simnet.h"

static const uint8_t MSG[] = "rotate the committee";

/* ---- reshare plans ------------------------------------------------------ */

/* Who is who in a reshare session: party i deals as old member old[i]
 * (-1: does not deal) and joins the new committee with identifier
 * new_id[i] (0: does not join). */
struct plan {
    unsigned n;
    int old[FX_MAXN];
    unsigned new_id[FX_MAXN];
};

struct reshare_in {
    mpc_frost_reshare_party parties[FX_MAXN];
    mpc_frost_reshare_input in[FX_MAXN];
    const void *ptrs[FX_MAXN];
};

static void reshare_inputs(struct reshare_in *r, const fx_key *k,
                           const struct plan *p)
{
    const mpc_group *g = fx_group();
    memset(r, 0, sizeof *r);
    for (unsigned i = 0; i < p->n; i++) {
        mpc_frost_reshare_party *x = &r->parties[i];
        mpc_point_set_identity(g, &x->old_vshare);
        if (p->old[i] >= 0) {
            x->roles |= MPC_FROST_RESHARE_DEALER;
            x->old_id = k->r[p->old[i]].key.id;
            x->old_vshare = k->r[0].vshares[p->old[i]];
        }
        if (p->new_id[i] != 0) {
            x->roles |= MPC_FROST_RESHARE_MEMBER;
            mpc_scalar_set_u64(g, &x->new_id, p->new_id[i]);
        }
    }
    for (unsigned i = 0; i < p->n; i++) {
        r->in[i] = (mpc_frost_reshare_input){
            .parties = r->parties,
            .n_parties = p->n,
            .group_pk = &k->r[0].group_pk,
            .old_threshold = k->t,
            .key = p->old[i] >= 0 ? &k->r[p->old[i]].key : NULL};
        r->ptrs[i] = &r->in[i];
    }
}

static simnet *reshare_net(const fx_pool *pool, const fx_key *k,
                           const struct plan *p, unsigned t_new,
                           struct reshare_in *r)
{
    reshare_inputs(r, k, p);
    return fx_net(&mpc_frost_reshare_protocol, pool, p->n, t_new, r->ptrs);
}

/* Runs a reshare to completion; the new committee's keys go to `out`, and
 * the parties that leave get a confirmation without a key. */
static bool reshare(fx_key *out, const fx_pool *pool, const fx_key *k,
                    const struct plan *p, unsigned t_new)
{
    struct reshare_in r;
    simnet *net = reshare_net(pool, k, p, t_new, &r);
    REQUIRE(net != NULL);
    simnet_set_dup_rate(net, 100);
    bool ok = simnet_run(net, FX_STEPS) == SIMNET_ALL_DONE &&
              fx_take_keys(net, p->n, out);
    simnet_free(net);
    REQUIRE(ok);
    const mpc_group *g = fx_group();
    REQUIRE(out->t == t_new);
    REQUIRE(mpc_point_eq(g, &out->r[0].group_pk, &k->r[0].group_pk));
    for (unsigned m = 0; m < out->n; m++)
        REQUIRE(out->r[m].key.threshold == t_new);
    return true;
}

static bool sign_ok(const fx_key *k, const fx_pool *pool,
                    const unsigned *signers, unsigned ns)
{
    uint8_t sig[64];
    return fx_sign(k, pool, signers, ns, MSG, sizeof MSG, NULL, sig);
}

/*
 * Members 0..t-1 sign, member 0 with its package and public data of
 * sharing `a`, the others with those of sharing `b` of the same key: all
 * start, none finishes, member 0 blames all the others and they blame it.
 */
static bool mix_fails(const fx_pool *pool, const fx_key *a, const fx_key *b)
{
    static const unsigned signers[] = {0, 1, 2, 3, 4, 5, 6, 7};
    unsigned t = a->t;
    mpc_frost_sign_input in[FX_MAXN], tmp[FX_MAXN];
    mpc_scalar ids_a[FX_MAXN], ids_b[FX_MAXN];
    mpc_point vs_a[FX_MAXN], vs_b[FX_MAXN];
    const void *ptrs[FX_MAXN];
    REQUIRE(b->t == t);
    fx_sign_inputs(b, signers, t, MSG, sizeof MSG, NULL, in, ids_b, vs_b, ptrs);
    fx_sign_inputs(a, signers, t, MSG, sizeof MSG, NULL, tmp, ids_a, vs_a,
                   ptrs);
    in[0] = tmp[0];
    for (unsigned i = 0; i < t; i++)
        ptrs[i] = &in[i];
    simnet *net = fx_net(&mpc_frost_sign_protocol, pool, t, t, ptrs);
    REQUIRE(net != NULL);
    bool ok = simnet_run(net, FX_STEPS) == SIMNET_SOME_FAILED &&
              fx_blamed(net, 0, MPC_BLAME_VERIFY, (1u << t) - 2);
    for (unsigned i = 1; i < t && ok; i++)
        ok = fx_blamed(net, i, MPC_BLAME_VERIFY, 1u << 0);
    simnet_free(net);
    REQUIRE(ok);
    /* With the other sharing's public data, a package is refused. */
    in[0].ids = ids_b;
    in[0].vshares = vs_b;
    REQUIRE(fx_net(&mpc_frost_sign_protocol, pool, t, t, ptrs) == NULL);
    return true;
}

TEST(frost_proto_reshare_2of3_to_3of5_and_back_keeps_the_key)
{
    fx_pool pool;
    fx_pool_init(&pool);
    fx_key k1, k2, k3;
    CHECK(fx_dkg(&k1, &pool, 3, 2, NULL));
    unsigned s02[] = {0, 2};
    CHECK(sign_ok(&k1, &pool, s02, 2));

    /* Old members 0 and 1 deal to five members (ids 1..5); both stay. */
    struct plan up = {
        .n = 5, .old = {0, 1, -1, -1, -1}, .new_id = {1, 2, 3, 4, 5}};
    CHECK(reshare(&k2, &pool, &k1, &up, 3));
    CHECK(k2.n == 5);
    for (unsigned m = 0; m < 3; m++) /* same ids, new shares */
        CHECK(!mpc_scalar_eq(&k2.r[m].key.share, &k1.r[m].key.share));
    unsigned s134[] = {1, 3, 4}, s420[] = {4, 2, 0};
    CHECK(sign_ok(&k2, &pool, s134, 3));
    CHECK(sign_ok(&k2, &pool, s420, 3));

    /* Back to 2-of-3: members 2, 3, 4 of the 3-of-5 deal; members 0, 1, 2
     * form the new committee, so 3 and 4 leave. */
    struct plan down = {
        .n = 5, .old = {-1, -1, 2, 3, 4}, .new_id = {1, 2, 3, 0, 0}};
    CHECK(reshare(&k3, &pool, &k2, &down, 2));
    CHECK(k3.n == 3);
    unsigned s01[] = {0, 1}, s21[] = {2, 1};
    CHECK(sign_ok(&k3, &pool, s01, 2));
    CHECK(sign_ok(&k3, &pool, s21, 2));

    /* Old shares stay valid among themselves: the protocol cannot take
     * them back. Deleting them once every new member confirmed (the
     * session is DONE) is the node's job. */
    CHECK(sign_ok(&k1, &pool, s02, 2));
    /* Shares of two sharings never combine into a signature. */
    CHECK(mix_fails(&pool, &k1, &k3));
    fx_key_clear(&k1);
    fx_key_clear(&k2);
    fx_key_clear(&k3);
}

TEST(frost_proto_reshare_to_a_disjoint_committee)
{
    fx_pool pool;
    fx_pool_init(&pool);
    const mpc_group *g = fx_group();
    fx_key k1, k2;
    mpc_scalar ids[3];
    for (unsigned i = 0; i < 3; i++)
        mpc_scalar_set_u64(g, &ids[i], 1000 + 7 * i); /* migrated ids */
    CHECK(fx_dkg(&k1, &pool, 3, 2, ids));
    /* Old members 2 and 0 deal, and leave; four new parties join. */
    struct plan p = {.n = 6,
                     .old = {2, 0, -1, -1, -1, -1},
                     .new_id = {0, 0, 11, 12, 13, 14}};
    struct reshare_in r;
    simnet *net = reshare_net(&pool, &k1, &p, 3, &r);
    CHECK(net != NULL);
    CHECK(simnet_run(net, FX_STEPS) == SIMNET_ALL_DONE);
    /* The dealers learn that the new committee holds the key: a result
     * with the new public data and no key. */
    memset(&k2, 0, sizeof k2);
    for (unsigned i = 0; i < 6; i++) {
        mpc_frost_key_result res;
        CHECK_OK(simnet_take_result(net, i, &res, sizeof res));
        CHECK(res.n == 4 && res.threshold == 3);
        CHECK(mpc_point_eq(g, &res.group_pk, &k1.r[0].group_pk));
        CHECK(res.has_key == (i >= 2));
        if (!res.has_key) {
            CHECK(mpc_scalar_is_zero(&res.key.share) && res.self == 0);
            mpc_frost_key_result_clear(&res);
            continue;
        }
        CHECK(res.self == i - 2);
        k2.r[res.self] = res;
        k2.n++;
    }
    k2.t = 3;
    simnet_free(net);
    unsigned s[] = {3, 0, 1};
    CHECK(sign_ok(&k2, &pool, s, 3));
    fx_key_clear(&k1);
    fx_key_clear(&k2);
}

/* ---- bad dealers -------------------------------------------------------- */

/* C_0 + B: a wrong constant term, still a valid point. */
static bool shift_constant(void *ud, const mpc_session_frame *f,
                           mpc_wire_writer *w)
{
    (void)ud;
    const mpc_group *g = fx_group();
    mpc_point c0, b;
    uint8_t buf[1024];
    if (f->payload_len > sizeof buf || f->payload_len < 32)
        return false;
    memcpy(buf, f->payload, f->payload_len);
    if (mpc_point_parse_allow_identity(g, &c0, buf, 32) != MPC_OK)
        return false;
    mpc_point_generator(g, &b);
    mpc_point_add(g, &c0, &c0, &b);
    mpc_point_serialize(g, buf, &c0);
    mpc_wire_write_bytes(w, buf, f->payload_len);
    return true;
}

/* One more commitment: a threshold raise. */
static bool extra_commitment(void *ud, const mpc_session_frame *f,
                             mpc_wire_writer *w)
{
    (void)ud;
    mpc_point b;
    mpc_point_generator(fx_group(), &b);
    mpc_wire_write_bytes(w, f->payload, f->payload_len);
    mpc_wire_write_point(w, fx_group(), &b);
    return true;
}

static bool bump_sub_share(void *ud, const mpc_session_frame *f,
                           mpc_wire_writer *w)
{
    (void)ud;
    const mpc_group *g = fx_group();
    mpc_scalar s, one;
    if (f->payload_len != 32 || mpc_scalar_parse(g, &s, f->payload) != MPC_OK)
        return false;
    mpc_scalar_set_u64(g, &one, 1);
    mpc_scalar_add(g, &s, &s, &one);
    mpc_wire_write_scalar(w, g, &s);
    mpc_scalar_clear(&s);
    return true;
}

TEST(frost_proto_reshare_bad_dealer_is_blamed_alone)
{
    fx_pool pool;
    fx_pool_init(&pool);
    fx_key k1;
    CHECK(fx_dkg(&k1, &pool, 3, 2, NULL));
    /* Dealers: session parties 0 (old 0) and 1 (old 2); five members; party
     * 1 is dealer 1 and cheats. Its own broadcast is second in its view of
     * round 1 (the dealers'), and its echoes back the lie up. */
    struct plan p = {
        .n = 5, .old = {0, 2, -1, -1, -1}, .new_id = {1, 2, 3, 4, 5}};
    struct {
        fx_rewrite_fn fn;
        mpc_blame_reason reason;
    } r1[] = {{shift_constant, MPC_BLAME_VERIFY},
              {extra_commitment, MPC_BLAME_PROTOCOL}};
    for (size_t c = 0; c < 2; c++) {
        struct reshare_in r;
        simnet *net = reshare_net(&pool, &k1, &p, 3, &r);
        CHECK(net != NULL);
        fx_liar l = {.round = 1, .rank = 1, .fn = r1[c].fn};
        simnet_set_tamper(net, 1, fx_liar_hook, &l);
        CHECK(simnet_run(net, FX_STEPS) == SIMNET_SOME_FAILED);
        CHECK(l.lies == 4);
        for (unsigned i = 0; i < 5; i++)
            if (i != 1)
                CHECK(fx_blamed(net, i, r1[c].reason, 1u << 1));
        simnet_free(net);
    }

    /* A wrong sub-share for member 3 only: member 3 names the dealer; the
     * rest wait in vain for member 3's confirmation. */
    struct reshare_in r;
    simnet *net = reshare_net(&pool, &k1, &p, 3, &r);
    CHECK(net != NULL);
    fx_tamper t = {.round = 2,
                   .kind = MPC_SESSION_P2P,
                   .victims = 1u << 3,
                   .fn = bump_sub_share};
    simnet_set_tamper(net, 1, fx_tamper_hook, &t);
    CHECK(simnet_run(net, FX_STEPS) == SIMNET_SOME_FAILED);
    CHECK(t.hits == 1);
    CHECK(fx_blamed(net, 3, MPC_BLAME_VERIFY, 1u << 1));
    CHECK(fx_honest_blame(net, 5, 1u << 1 | 1u << 3, 1));
    simnet_free(net);
    fx_key_clear(&k1);
}

/* ---- reshare misuse ----------------------------------------------------- */

static mpc_err reshare_new(const mpc_frost_reshare_input *in, unsigned n,
                           unsigned t, unsigned self)
{
    mpc_session_params p;
    mpc_session_params_default(&p);
    p.protocol = &mpc_frost_reshare_protocol;
    memset(p.sid, 5, sizeof p.sid);
    p.n = n;
    p.self = self;
    p.threshold = t;
    p.input = in;
    mpc_session *s = NULL;
    mpc_err e = mpc_session_new(&s, test_ctx(), &p);
    if (e == MPC_OK)
        mpc_session_free(s);
    else if (s != NULL)
        return MPC_ERR_INTERNAL;
    return e;
}

TEST(frost_proto_reshare_rejects_bad_inputs)
{
    fx_pool pool;
    fx_pool_init(&pool);
    fx_key k, other;
    CHECK(fx_dkg(&k, &pool, 3, 2, NULL));
    CHECK(fx_dkg(&other, &pool, 3, 2, NULL));
    /* Party 0 deals and stays, 1 deals and leaves, 2 and 3 join. */
    struct plan p = {.n = 4, .old = {0, 1, -1, -1}, .new_id = {1, 0, 2, 3}};
    struct reshare_in r;
    reshare_inputs(&r, &k, &p);
    mpc_frost_reshare_input in;
    for (unsigned i = 0; i < 4; i++)
        CHECK_OK(reshare_new(&r.in[i], 4, 2, i));
    CHECK_OK(reshare_new(&r.in[0], 4, 3, 0)); /* t_new = n_new */

    CHECK_ERR(reshare_new(NULL, 4, 2, 0), MPC_ERR_INVALID_ARG);
    /* t_new above the three new members (but not above n). */
    CHECK_ERR(reshare_new(&r.in[0], 4, 4, 0), MPC_ERR_INVALID_ARG);
    CHECK_ERR(reshare_new(&r.in[0], 4, 1, 0), MPC_ERR_INVALID_ARG); /* < 2 */
    CHECK_ERR(reshare_new(&r.in[0], 5, 2, 0), MPC_ERR_INVALID_ARG); /* n */
    in = r.in[0];
    in.parties = NULL;
    CHECK_ERR(reshare_new(&in, 4, 2, 0), MPC_ERR_INVALID_ARG);
    in = r.in[0];
    in.group_pk = NULL;
    CHECK_ERR(reshare_new(&in, 4, 2, 0), MPC_ERR_INVALID_ARG);
    in.group_pk = &other.r[0].group_pk; /* X_i do not interpolate to it */
    CHECK_ERR(reshare_new(&in, 4, 2, 3), MPC_ERR_INVALID_ARG);
    /* Dealers must number exactly t_old (and t_old >= 2). */
    in = r.in[3];
    in.old_threshold = 3;
    CHECK_ERR(reshare_new(&in, 4, 2, 3), MPC_ERR_INVALID_ARG);
    in.old_threshold = 1;
    CHECK_ERR(reshare_new(&in, 4, 2, 3), MPC_ERR_INVALID_ARG);
    /* Keys: missing for a dealer, given to a non-dealer, another's. */
    in = r.in[0];
    in.key = NULL;
    CHECK_ERR(reshare_new(&in, 4, 2, 0), MPC_ERR_INVALID_ARG);
    in = r.in[3];
    in.key = &k.r[2].key;
    CHECK_ERR(reshare_new(&in, 4, 2, 3), MPC_ERR_INVALID_ARG);
    in = r.in[0];
    in.key = &k.r[1].key;
    CHECK_ERR(reshare_new(&in, 4, 2, 0), MPC_ERR_INVALID_ARG);
    in.key = &other.r[0].key;
    CHECK_ERR(reshare_new(&in, 4, 2, 0), MPC_ERR_INVALID_ARG);

    /* Roles and identifiers. */
    mpc_frost_reshare_party saved = r.parties[3];
    r.parties[3].roles = 0;
    CHECK_ERR(reshare_new(&r.in[0], 4, 2, 0), MPC_ERR_INVALID_ARG);
    r.parties[3].roles = 4;
    CHECK_ERR(reshare_new(&r.in[0], 4, 2, 0), MPC_ERR_INVALID_ARG);
    r.parties[3].roles = MPC_FROST_RESHARE_DEALER; /* a third dealer */
    r.parties[3].old_id = k.r[2].key.id;
    r.parties[3].old_vshare = k.r[0].vshares[2];
    CHECK_ERR(reshare_new(&r.in[0], 4, 2, 0), MPC_ERR_INVALID_ARG);
    r.parties[3] = saved;
    r.parties[3].new_id = r.parties[2].new_id; /* duplicate new id */
    CHECK_ERR(reshare_new(&r.in[0], 4, 2, 0), MPC_ERR_INVALID_ARG);
    mpc_scalar_set_zero(&r.parties[3].new_id);
    CHECK_ERR(reshare_new(&r.in[0], 4, 2, 0), MPC_ERR_INVALID_ARG);
    r.parties[3] = saved;
    r.parties[1].old_id = r.parties[0].old_id; /* duplicate old id */
    CHECK_ERR(reshare_new(&r.in[2], 4, 2, 2), MPC_ERR_INVALID_ARG);
    r.parties[1].old_id = k.r[1].key.id;
    r.parties[1].old_vshare = k.r[0].vshares[2]; /* not its share */
    CHECK_ERR(reshare_new(&r.in[2], 4, 2, 2), MPC_ERR_INVALID_ARG);
    CHECK_ERR(reshare_new(&r.in[1], 4, 2, 1), MPC_ERR_INVALID_ARG);
    r.parties[1].old_vshare = k.r[0].vshares[1];
    CHECK_OK(reshare_new(&r.in[2], 4, 2, 2));
    fx_key_clear(&k);
    fx_key_clear(&other);
}

/* ======================================================================== */
/* Refresh                                                                  */
/* ======================================================================== */

struct refresh_in {
    mpc_frost_refresh_input in[FX_MAXN];
    const void *ptrs[FX_MAXN];
};

static simnet *refresh_net(const fx_pool *pool, const fx_key *k,
                           struct refresh_in *r)
{
    for (unsigned i = 0; i < k->n; i++) {
        r->in[i] = (mpc_frost_refresh_input){.key = &k->r[i].key,
                                             .ids = k->r[0].ids,
                                             .vshares = k->r[0].vshares,
                                             .n_parties = k->n};
        r->ptrs[i] = &r->in[i];
    }
    return fx_net(&mpc_frost_refresh_protocol, pool, k->n, k->t, r->ptrs);
}

TEST(frost_proto_refresh_changes_every_share_and_keeps_the_key)
{
    fx_pool pool;
    fx_pool_init(&pool);
    const mpc_group *g = fx_group();
    fx_key k1, k2;
    CHECK(fx_dkg(&k1, &pool, 4, 3, NULL));
    struct refresh_in r;
    simnet *net = refresh_net(&pool, &k1, &r);
    CHECK(net != NULL);
    simnet_set_dup_rate(net, 200);
    CHECK(simnet_run(net, FX_STEPS) == SIMNET_ALL_DONE);
    bool ok = fx_take_keys(net, 4, &k2);
    simnet_free(net);
    CHECK(ok);
    CHECK(k2.n == 4 && k2.t == 3);
    CHECK(mpc_point_eq(g, &k2.r[0].group_pk, &k1.r[0].group_pk));
    for (unsigned i = 0; i < 4; i++) {
        CHECK(mpc_scalar_eq(&k2.r[i].key.id, &k1.r[i].key.id));
        CHECK(!mpc_scalar_eq(&k2.r[i].key.share, &k1.r[i].key.share));
        CHECK(!mpc_point_eq(g, &k2.r[0].vshares[i], &k1.r[0].vshares[i]));
    }
    unsigned s[] = {3, 1, 0};
    CHECK(sign_ok(&k2, &pool, s, 3));
    /* The old sharing still works among itself until deleted (the node's
     * job once the refresh is DONE everywhere); the two never mix. */
    CHECK(sign_ok(&k1, &pool, s, 3));
    CHECK(mix_fails(&pool, &k1, &k2));
    fx_key_clear(&k1);
    fx_key_clear(&k2);
}

TEST(frost_proto_refresh_bad_dealer_is_blamed)
{
    fx_pool pool;
    fx_pool_init(&pool);
    fx_key k;
    CHECK(fx_dkg(&k, &pool, 3, 2, NULL));
    struct {
        fx_rewrite_fn fn;
        mpc_blame_reason reason;
    } r1[] = {{shift_constant, MPC_BLAME_VERIFY}, /* the identity becomes B */
              {extra_commitment, MPC_BLAME_PROTOCOL}};
    for (size_t c = 0; c < 2; c++) {
        struct refresh_in r;
        simnet *net = refresh_net(&pool, &k, &r);
        CHECK(net != NULL);
        fx_liar l = {.round = 1, .rank = 2, .fn = r1[c].fn};
        simnet_set_tamper(net, 2, fx_liar_hook, &l);
        CHECK(simnet_run(net, FX_STEPS) == SIMNET_SOME_FAILED);
        for (unsigned i = 0; i < 2; i++)
            CHECK(fx_blamed(net, i, r1[c].reason, 1u << 2));
        simnet_free(net);
    }
    struct refresh_in r;
    simnet *net = refresh_net(&pool, &k, &r);
    CHECK(net != NULL);
    fx_tamper t = {.round = 2,
                   .kind = MPC_SESSION_P2P,
                   .victims = 1u << 1,
                   .fn = bump_sub_share};
    simnet_set_tamper(net, 0, fx_tamper_hook, &t);
    CHECK(simnet_run(net, FX_STEPS) == SIMNET_SOME_FAILED);
    CHECK(fx_blamed(net, 1, MPC_BLAME_VERIFY, 1u << 0));
    CHECK(fx_honest_blame(net, 3, 1u << 0 | 1u << 1, 0));
    simnet_free(net);
    fx_key_clear(&k);
}

static mpc_err refresh_new(const mpc_frost_refresh_input *in, unsigned n,
                           unsigned t, unsigned self)
{
    mpc_session_params p;
    mpc_session_params_default(&p);
    p.protocol = &mpc_frost_refresh_protocol;
    memset(p.sid, 3, sizeof p.sid);
    p.n = n;
    p.self = self;
    p.threshold = t;
    p.input = in;
    mpc_session *s = NULL;
    mpc_err e = mpc_session_new(&s, test_ctx(), &p);
    if (e == MPC_OK)
        mpc_session_free(s);
    else if (s != NULL)
        return MPC_ERR_INTERNAL;
    return e;
}

TEST(frost_proto_refresh_rejects_bad_inputs)
{
    fx_pool pool;
    fx_pool_init(&pool);
    fx_key k;
    CHECK(fx_dkg(&k, &pool, 3, 2, NULL));
    struct refresh_in r;
    simnet *net = refresh_net(&pool, &k, &r);
    CHECK(net != NULL);
    simnet_free(net);
    mpc_frost_refresh_input in = r.in[1];
    CHECK_OK(refresh_new(&in, 3, 2, 1));
    CHECK_ERR(refresh_new(NULL, 3, 2, 1), MPC_ERR_INVALID_ARG);
    /* A refresh never changes the threshold. */
    CHECK_ERR(refresh_new(&in, 3, 3, 1), MPC_ERR_INVALID_ARG);
    CHECK_ERR(refresh_new(&in, 3, 1, 1), MPC_ERR_INVALID_ARG);
    CHECK_ERR(refresh_new(&in, 4, 2, 1), MPC_ERR_INVALID_ARG);
    CHECK_ERR(refresh_new(&in, 3, 2, 0), MPC_ERR_INVALID_ARG); /* not me */
    in.key = NULL;
    CHECK_ERR(refresh_new(&in, 3, 2, 1), MPC_ERR_INVALID_ARG);
    in = r.in[1];
    in.ids = NULL;
    CHECK_ERR(refresh_new(&in, 3, 2, 1), MPC_ERR_INVALID_ARG);
    in = r.in[1];
    in.vshares = NULL;
    CHECK_ERR(refresh_new(&in, 3, 2, 1), MPC_ERR_INVALID_ARG);
    in = r.in[1];
    in.n_parties = 2;
    CHECK_ERR(refresh_new(&in, 3, 2, 1), MPC_ERR_INVALID_ARG);
    mpc_scalar ids[3];
    memcpy(ids, k.r[0].ids, sizeof ids);
    ids[2] = ids[0];
    in = r.in[1];
    in.ids = ids;
    CHECK_ERR(refresh_new(&in, 3, 2, 1), MPC_ERR_INVALID_ARG);
    fx_key_clear(&k);
}
