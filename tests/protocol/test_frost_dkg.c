/*
 * FROST DKG on the round engine (mpc_frost_dkg_protocol), on simnet with a
 * seeded random delivery order: keys that sign, explicit identifiers,
 * duplicates, reordering and loss, every misuse of the input, and a
 * malicious party that names itself: bad proof, threshold raise, bad
 * share, invalid and small-order points, a proof replayed from another
 * session, equivocation, a lying confirmation.
 */
#include <string.h>

#include "mpc/frost_session.h"
#include "mpc/group.h"
#include "mpc/session.h"
#include "mpc/wire.h"
#include "tests/harness/test.h"
#include "tests/protocol/frost_fixture.h"
#include "tests/protocol/simnet.h"

static const uint8_t MSG[] = "frost dkg test message";

/* A DKG net of n parties, threshold t, default identifiers. */
static simnet *dkg_net(const fx_pool *pool, unsigned n, unsigned t)
{
    static const mpc_frost_dkg_input in = {0};
    const void *ptrs[FX_MAXN];
    for (unsigned i = 0; i < n; i++)
        ptrs[i] = i % 2 ? &in : NULL; /* NULL input means the same */
    return fx_net(&mpc_frost_dkg_protocol, pool, n, t, ptrs);
}

TEST(frost_proto_dkg_keys_sign_with_default_ids)
{
    fx_pool pool;
    fx_pool_init(&pool);
    fx_key k;
    CHECK(fx_dkg(&k, &pool, 4, 3, NULL));
    const mpc_group *g = fx_group();
    for (unsigned i = 0; i < 4; i++) {
        mpc_scalar want;
        mpc_scalar_set_u64(g, &want, i + 1);
        CHECK(mpc_scalar_eq(&k.r[i].key.id, &want));
        CHECK(k.r[i].self == i && k.r[i].n == 4 && k.r[i].threshold == 3);
        CHECK(k.r[i].ctx == pool.ctx[i]);
    }
    unsigned signers[] = {3, 0, 2};
    uint8_t sig[64];
    CHECK(fx_sign(&k, &pool, signers, 3, MSG, sizeof MSG, NULL, sig));
    fx_key_clear(&k);
    CHECK(k.r[0].ids == NULL && !k.r[0].has_key);
}

TEST(frost_proto_dkg_explicit_ids_for_migrated_shares)
{
    /* tss-lib x-coordinates are arbitrary scalars: any distinct non-zero
     * identifiers work, in any order. */
    fx_pool pool;
    fx_pool_init(&pool);
    const mpc_group *g = fx_group();
    mpc_scalar ids[5];
    for (unsigned i = 0; i < 5; i++)
        mpc_scalar_random(g, &ids[i]);
    fx_key k;
    CHECK(fx_dkg(&k, &pool, 5, 2, ids));
    for (unsigned i = 0; i < 5; i++)
        CHECK(mpc_scalar_eq(&k.r[i].key.id, &ids[i]));
    unsigned signers[] = {4, 1};
    uint8_t sig[64];
    CHECK(fx_sign(&k, &pool, signers, 2, MSG, sizeof MSG, NULL, sig));
    fx_key_clear(&k);
}

TEST(frost_proto_dkg_survives_duplicates_and_reordering)
{
    fx_pool pool;
    fx_pool_init(&pool);
    for (int fifo = 0; fifo < 2; fifo++) {
        simnet *net = dkg_net(&pool, 5, 3);
        CHECK(net != NULL);
        simnet_set_dup_rate(net, 400);
        simnet_set_fifo(net, fifo != 0);
        CHECK(simnet_run(net, FX_STEPS) == SIMNET_ALL_DONE);
        fx_key k;
        bool ok = fx_take_keys(net, 5, &k);
        simnet_free(net);
        CHECK(ok);
        unsigned signers[] = {1, 2, 4};
        uint8_t sig[64];
        CHECK(fx_sign(&k, &pool, signers, 3, MSG, sizeof MSG, NULL, sig));
        fx_key_clear(&k);
    }
}

TEST(frost_proto_dkg_lost_share_times_out_naming_the_sender)
{
    fx_pool pool;
    fx_pool_init(&pool);
    simnet *net = dkg_net(&pool, 3, 2);
    CHECK(net != NULL);
    simnet_drop_match(net, 2, 1, 0);
    CHECK(simnet_run(net, FX_STEPS) == SIMNET_SOME_FAILED);
    CHECK(simnet_last_err(net, 0) == MPC_ERR_TIMEOUT);
    mpc_blame b = simnet_blame(net, 0);
    CHECK(b.err == MPC_ERR_TIMEOUT && b.reason == MPC_BLAME_TIMEOUT);
    CHECK(!b.attributable && b.round == 2);
    CHECK(mpc_blame_count(&b) == 1 && mpc_blame_has(&b, 1));
    /* The others then miss party 0's confirmation. */
    for (unsigned i = 1; i < 3; i++) {
        b = simnet_blame(net, i);
        CHECK(b.reason == MPC_BLAME_TIMEOUT && mpc_blame_has(&b, 0));
        CHECK(!mpc_blame_has(&b, 1) && !b.attributable);
    }
    simnet_free(net);
}

/* ---- misuse ------------------------------------------------------------- */

static mpc_err dkg_new(unsigned n, unsigned t, const mpc_frost_dkg_input *in)
{
    mpc_session_params p;
    mpc_session_params_default(&p);
    p.protocol = &mpc_frost_dkg_protocol;
    memset(p.sid, 7, sizeof p.sid);
    p.n = n;
    p.threshold = t;
    p.input = in;
    mpc_session *s = NULL;
    mpc_err e = mpc_session_new(&s, test_ctx(), &p);
    if (e == MPC_OK)
        mpc_session_free(s);
    else if (s != NULL)
        return MPC_ERR_INTERNAL; /* written on failure */
    return e;
}

TEST(frost_proto_dkg_rejects_bad_parameters)
{
    const mpc_group *g = fx_group();
    mpc_scalar ids[4];
    for (unsigned i = 0; i < 4; i++)
        mpc_scalar_set_u64(g, &ids[i], 10 + i);
    mpc_frost_dkg_input ok = {.ids = ids, .n_ids = 4};
    CHECK_OK(dkg_new(4, 2, &ok));
    CHECK_OK(dkg_new(4, 4, NULL));
    CHECK_ERR(dkg_new(4, 5, NULL), MPC_ERR_INVALID_ARG); /* t > n */
    CHECK_ERR(dkg_new(4, 1, NULL), MPC_ERR_INVALID_ARG); /* t < 2 */
    CHECK_ERR(dkg_new(4, 0, NULL), MPC_ERR_INVALID_ARG);
    CHECK_ERR(dkg_new(1, 1, NULL), MPC_ERR_INVALID_ARG);

    mpc_frost_dkg_input bad = ok;
    bad.n_ids = 3; /* not n */
    CHECK_ERR(dkg_new(4, 2, &bad), MPC_ERR_INVALID_ARG);
    bad = (mpc_frost_dkg_input){.ids = NULL, .n_ids = 4};
    CHECK_ERR(dkg_new(4, 2, &bad), MPC_ERR_INVALID_ARG);
    ids[2] = ids[0]; /* duplicate */
    CHECK_ERR(dkg_new(4, 2, &ok), MPC_ERR_INVALID_ARG);
    mpc_scalar_set_zero(&ids[2]); /* zero */
    CHECK_ERR(dkg_new(4, 2, &ok), MPC_ERR_INVALID_ARG);
}

/* ---- a malicious party -------------------------------------------------- */

/* Rewrites a round-1 package: phi || R || mu. */
enum pkg_lie {
    LIE_MU,          /* mu + 1: the proof fails */
    LIE_EXTRA,       /* one more commitment: a threshold raise */
    LIE_FEWER,       /* one commitment less */
    LIE_SMALL_ORDER, /* phi_1 a point of order 2 */
    LIE_NONCANON,    /* phi_1 with y = p, a non-canonical encoding */
    LIE_IDENTITY,    /* phi_0 the identity */
    LIE_TRUNCATED,   /* the last byte missing */
};

static bool rewrite_package(void *ud, const mpc_session_frame *f,
                            mpc_wire_writer *w)
{
    const enum pkg_lie *lie = ud;
    const mpc_group *g = fx_group();
    const uint8_t *p = f->payload;
    size_t len = f->payload_len;
    size_t phi = len - 64;
    uint8_t buf[1024];
    if (len > sizeof buf || len < 64 + 64)
        return false;
    memcpy(buf, p, len);
    switch (*lie) {
    case LIE_MU: {
        mpc_scalar mu, one;
        if (mpc_scalar_parse(g, &mu, buf + len - 32) != MPC_OK)
            return false;
        mpc_scalar_set_u64(g, &one, 1);
        mpc_scalar_add(g, &mu, &mu, &one);
        mpc_scalar_serialize(g, buf + len - 32, &mu);
        break;
    }
    case LIE_EXTRA: {
        mpc_point b;
        mpc_point_generator(g, &b);
        mpc_wire_write_bytes(w, buf, phi);
        mpc_wire_write_point(w, g, &b);
        mpc_wire_write_bytes(w, buf + phi, 64);
        return true;
    }
    case LIE_FEWER:
        mpc_wire_write_bytes(w, buf, phi - 32);
        mpc_wire_write_bytes(w, buf + phi, 64);
        return true;
    case LIE_SMALL_ORDER:
        memset(buf + 32, 0xff, 32);
        buf[32] = 0xec;
        buf[63] = 0x7f;
        break;
    case LIE_NONCANON:
        memset(buf + 32, 0xff, 32);
        buf[32] = 0xed;
        buf[63] = 0x7f;
        break;
    case LIE_IDENTITY:
        memset(buf, 0, 32);
        buf[0] = 1;
        break;
    case LIE_TRUNCATED:
        len--;
        break;
    }
    mpc_wire_write_bytes(w, buf, len);
    return true;
}

TEST(frost_proto_dkg_bad_round_one_packages_are_blamed)
{
    static const struct {
        enum pkg_lie lie;
        mpc_blame_reason reason;
        mpc_err err;
    } cases[] = {
        {LIE_MU, MPC_BLAME_VERIFY, MPC_ERR_VERIFY},
        {LIE_EXTRA, MPC_BLAME_PROTOCOL, MPC_ERR_PROTOCOL},
        {LIE_FEWER, MPC_BLAME_PROTOCOL, MPC_ERR_PROTOCOL},
        {LIE_SMALL_ORDER, MPC_BLAME_PARSE, MPC_ERR_PARSE},
        {LIE_NONCANON, MPC_BLAME_PARSE, MPC_ERR_PARSE},
        {LIE_IDENTITY, MPC_BLAME_PARSE, MPC_ERR_PARSE},
        {LIE_TRUNCATED, MPC_BLAME_PARSE, MPC_ERR_PARSE},
    };
    fx_pool pool;
    fx_pool_init(&pool);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        simnet *net = dkg_net(&pool, 4, 3);
        CHECK(net != NULL);
        /* Party 2 sends the same bad package to everybody. */
        enum pkg_lie lie = cases[c].lie;
        fx_tamper t = {.round = 1,
                       .kind = MPC_SESSION_BCAST,
                       .victims = 0xff,
                       .fn = rewrite_package,
                       .ud = &lie};
        simnet_set_tamper(net, 2, fx_tamper_hook, &t);
        CHECK(simnet_run(net, FX_STEPS) == SIMNET_SOME_FAILED);
        CHECK(t.hits == 3);
        for (unsigned i = 0; i < 4; i++) {
            if (i == 2)
                continue;
            CHECK(fx_blamed(net, i, cases[c].reason, 1u << 2));
            mpc_blame b = simnet_blame(net, i);
            CHECK(b.err == cases[c].err && b.round == 1);
        }
        simnet_free(net);
    }
}

/* Adds one to the scalar of a share payload. */
static bool bump_scalar(void *ud, const mpc_session_frame *f,
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

/* Writes the order L itself: not a canonical scalar. */
static bool scalar_is_order(void *ud, const mpc_session_frame *f,
                            mpc_wire_writer *w)
{
    (void)ud;
    (void)f;
    uint8_t be[32], le[32];
    mpc_group_order_be(fx_group(), be);
    for (size_t k = 0; k < 32; k++)
        le[k] = be[31 - k];
    mpc_wire_write_bytes(w, le, sizeof le);
    return true;
}

TEST(frost_proto_dkg_bad_share_is_blamed_by_its_recipient)
{
    fx_rewrite_fn fns[] = {bump_scalar, scalar_is_order};
    mpc_blame_reason reasons[] = {MPC_BLAME_VERIFY, MPC_BLAME_PARSE};
    fx_pool pool;
    fx_pool_init(&pool);
    for (size_t c = 0; c < 2; c++) {
        simnet *net = dkg_net(&pool, 4, 2);
        CHECK(net != NULL);
        fx_tamper t = {.round = 2,
                       .kind = MPC_SESSION_P2P,
                       .victims = 1u << 3,
                       .fn = fns[c]};
        simnet_set_tamper(net, 1, fx_tamper_hook, &t);
        CHECK(simnet_run(net, FX_STEPS) == SIMNET_SOME_FAILED);
        CHECK(t.hits == 1);
        CHECK(fx_blamed(net, 3, reasons[c], 1u << 1));
        CHECK(simnet_blame(net, 3).round == 2);
        /* Everybody else waits for party 3's confirmation in vain and
         * names it; nobody blames an honest party with certainty. */
        CHECK(fx_honest_blame(net, 4, 1u << 1 | 1u << 3, 1));
        for (unsigned i = 0; i < 4; i += 2) {
            mpc_blame b = simnet_blame(net, i);
            CHECK(mpc_blame_has(&b, 3));
        }
        simnet_free(net);
    }
}

static bool flip_digest(void *ud, const mpc_session_frame *f,
                        mpc_wire_writer *w)
{
    (void)ud;
    uint8_t d[MPC_FROST_CONFIRM_BYTES];
    if (f->payload_len != sizeof d)
        return false;
    memcpy(d, f->payload, sizeof d);
    d[0] ^= 1;
    mpc_wire_write_bytes(w, d, sizeof d);
    return true;
}

TEST(frost_proto_dkg_lying_confirmation_is_blamed)
{
    fx_pool pool;
    fx_pool_init(&pool);
    simnet *net = dkg_net(&pool, 3, 2);
    CHECK(net != NULL);
    /* Party 0 confirms another key to everybody, and echoes that. */
    fx_liar l = {.round = 3, .rank = 0, .fn = flip_digest};
    simnet_set_tamper(net, 0, fx_liar_hook, &l);
    CHECK(simnet_run(net, FX_STEPS) == SIMNET_SOME_FAILED);
    CHECK(l.lies == 2);
    for (unsigned i = 1; i < 3; i++) {
        CHECK(fx_blamed(net, i, MPC_BLAME_VERIFY, 1u << 0));
        CHECK(simnet_blame(net, i).round == 3);
    }
    simnet_free(net);
}

/* Writes a recorded payload instead of the real one. */
static bool replay_payload(void *ud, const mpc_session_frame *f,
                           mpc_wire_writer *w)
{
    const fx_record *rec = ud;
    (void)f;
    mpc_wire_write_bytes(w, rec->payload, rec->payload_len);
    return true;
}

TEST(frost_proto_dkg_proof_from_another_session_is_refused)
{
    /* Party 1's package from one DKG, replayed by party 1 in another with
     * the same parties, identifiers and threshold: the proof's context
     * names the session, so it no longer verifies. */
    fx_pool pool;
    fx_pool_init(&pool);
    simnet *a = dkg_net(&pool, 3, 2);
    CHECK(a != NULL);
    fx_record rec = {.round = 1, .kind = MPC_SESSION_BCAST, .to = 0};
    simnet_set_tamper(a, 1, fx_record_hook, &rec);
    CHECK(simnet_run(a, FX_STEPS) == SIMNET_ALL_DONE);
    uint8_t sid_a[MPC_SESSION_ID_BYTES];
    memcpy(sid_a, simnet_sid(a), sizeof sid_a);
    simnet_free(a);
    CHECK(rec.payload_len == MPC_FROST_DKG_ROUND1_BYTES(2));

    simnet *b = dkg_net(&pool, 3, 2);
    CHECK(b != NULL);
    CHECK(memcmp(simnet_sid(b), sid_a, sizeof sid_a) != 0);
    fx_tamper t = {.round = 1,
                   .kind = MPC_SESSION_BCAST,
                   .victims = 0xff,
                   .fn = replay_payload,
                   .ud = &rec};
    simnet_set_tamper(b, 1, fx_tamper_hook, &t);
    CHECK(simnet_run(b, FX_STEPS) == SIMNET_SOME_FAILED);
    for (unsigned i = 0; i < 3; i += 2) {
        CHECK(fx_blamed(b, i, MPC_BLAME_VERIFY, 1u << 1));
        CHECK(strstr(simnet_blame(b, i).detail, "proof") != NULL);
    }
    simnet_free(b);
}

TEST(frost_proto_dkg_copies_are_ignored_and_equivocation_is_blamed)
{
    fx_pool pool;
    fx_pool_init(&pool);
    for (int lie = 0; lie < 2; lie++) {
        simnet *net = dkg_net(&pool, 3, 2);
        CHECK(net != NULL);
        simnet_set_fifo(net, true);
        fx_record rec = {.round = 1, .kind = MPC_SESSION_BCAST, .to = 0};
        simnet_set_tamper(net, 1, fx_record_hook, &rec);
        simnet_start(net);
        CHECK(rec.len > 0);
        mpc_session_frame f;
        CHECK_OK(mpc_session_frame_parse(&f, rec.frame, rec.len));
        uint8_t payload[sizeof rec.payload], frame[sizeof rec.frame];
        size_t len;
        memcpy(payload, rec.payload, rec.payload_len);
        if (lie)
            payload[5] ^= 0x40; /* any other bytes: an equivocation */
        f.payload = payload;
        CHECK(fx_frame_encode(&f, frame, sizeof frame, &len));
        simnet_inject(net, 1, 0, frame, len);
        if (!lie) {
            CHECK(simnet_run(net, FX_STEPS) == SIMNET_ALL_DONE);
            fx_key k;
            CHECK(fx_take_keys(net, 3, &k));
            fx_key_clear(&k);
        } else {
            CHECK(simnet_run(net, FX_STEPS) == SIMNET_SOME_FAILED);
            CHECK(fx_blamed(net, 0, MPC_BLAME_EQUIVOCATION, 1u << 1));
        }
        simnet_free(net);
    }
}

/* Gives one victim another package than the rest: its commitments and
 * proof from a recording of another session. */
TEST(frost_proto_dkg_split_view_never_completes)
{
    fx_pool pool;
    fx_pool_init(&pool);
    simnet *a = dkg_net(&pool, 4, 2);
    CHECK(a != NULL);
    fx_record rec = {.round = 1, .kind = MPC_SESSION_BCAST, .to = 0};
    simnet_set_tamper(a, 2, fx_record_hook, &rec);
    CHECK(simnet_run(a, FX_STEPS) == SIMNET_ALL_DONE);
    simnet_free(a);

    simnet *net = dkg_net(&pool, 4, 2);
    CHECK(net != NULL);
    fx_tamper t = {.round = 1,
                   .kind = MPC_SESSION_BCAST,
                   .victims = 1u << 3,
                   .fn = replay_payload,
                   .ud = &rec};
    simnet_set_tamper(net, 2, fx_tamper_hook, &t);
    CHECK(simnet_run(net, FX_STEPS) == SIMNET_SOME_FAILED);
    /* The victim rejects the proof; nobody finishes, and nobody blames an
     * honest party with certainty. */
    CHECK(fx_blamed(net, 3, MPC_BLAME_VERIFY, 1u << 2));
    CHECK(fx_honest_blame(net, 4, 1u << 2, 2));
    simnet_free(net);
}

/* ---- allocation failure ------------------------------------------------- */

TEST(frost_proto_dkg_allocation_failure_anywhere_is_clean)
{
    mpc_ctx *weak = fx_weak_ctx_new();
    CHECK(weak != NULL);
    fx_pool pool;
    fx_pool_init(&pool);
    pool.ctx[1] = weak;
    bool finished = false;
    for (size_t k = 0; k < 2000 && !finished; k++) {
        fx_budget = k;
        simnet *net = dkg_net(&pool, 3, 2);
        if (net == NULL) {
            fx_budget = SIZE_MAX;
            continue; /* mpc_session_new failed: nothing leaked (ASan) */
        }
        simnet_outcome o = simnet_run(net, FX_STEPS);
        fx_budget = SIZE_MAX;
        CHECK(o != SIMNET_STALLED);
        if (o == SIMNET_ALL_DONE) {
            fx_key key;
            CHECK(fx_take_keys(net, 3, &key));
            fx_key_clear(&key);
            finished = true;
        } else if (simnet_status(net, 1) == MPC_SESSION_FAILED) {
            mpc_blame b = simnet_blame(net, 1);
            CHECK(b.err == MPC_ERR_NOMEM || b.err == MPC_ERR_TIMEOUT);
            if (b.err == MPC_ERR_NOMEM)
                CHECK(!b.attributable && mpc_blame_count(&b) == 0);
        }
        simnet_free(net);
    }
    CHECK(finished);
    mpc_ctx_free(weak);
}
