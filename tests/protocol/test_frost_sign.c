/*
 * FROST signing on the round engine (mpc_frost_sign_protocol), on simnet
 * with a seeded random delivery order: every t-of-n key for n <= 7 signs
 * with every signer set of size t (libsodium verifies), derived keys sign,
 * pooled nonces are moved and never reused, every misuse of the input is
 * refused, and a signer that cheats names itself.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mpc/frost_session.h"
#include "mpc/group.h"
#include "mpc/hd.h"
#include "mpc/session.h"
#include "mpc/wire.h"
#include "tests/harness/test.h"
#include "tests/protocol/frost_fixture.h"
#include "tests/protocol/simnet.h"

static const uint8_t MSG[] = "transfer 1 SOL to 7xKX...";

/* The signers of a bit mask, in ascending order, or descending when
 * `reverse` (session order need not be identifier order). */
static unsigned signers_of(unsigned mask, unsigned n, bool reverse,
                           unsigned *out)
{
    unsigned c = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned j = reverse ? n - 1 - i : i;
        if (mask >> j & 1)
            out[c++] = j;
    }
    return c;
}

/* Every t-of-n key, 2 <= t <= n: one DKG, then every signer set of size t
 * signs its own message. */
static bool every_subset(unsigned n)
{
    fx_pool pool;
    fx_pool_init(&pool);
    for (unsigned t = 2; t <= n; t++) {
        fx_key k;
        REQUIRE(fx_dkg(&k, &pool, n, t, NULL));
        bool ok = true;
        for (unsigned mask = 0; mask < 1u << n && ok; mask++) {
            unsigned signers[FX_MAXN];
            if ((unsigned)__builtin_popcount(mask) != t)
                continue;
            signers_of(mask, n, mask % 3 == 0, signers);
            uint8_t msg[16] = {'m', (uint8_t)n, (uint8_t)t, (uint8_t)mask};
            uint8_t sig[64];
            ok = fx_sign(&k, &pool, signers, t, msg, sizeof msg, NULL, sig);
        }
        fx_key_clear(&k);
        REQUIRE(ok);
    }
    return true;
}

TEST(frost_proto_sign_every_subset_n2_to_n4)
{
    for (unsigned n = 2; n <= 4; n++)
        CHECK(every_subset(n));
}

TEST(frost_proto_sign_every_subset_n5)
{
    CHECK(every_subset(5));
}

TEST(frost_proto_sign_every_subset_n6)
{
    CHECK(every_subset(6));
}

TEST(frost_proto_sign_every_subset_n7)
{
    CHECK(every_subset(7));
}

TEST(frost_proto_sign_with_derived_keys)
{
    static const uint32_t paths[][4] = {
        {44, 501, 0, 0}, {0, 0, 0, 0}, {7, 1u << 30, 3, 0x7fffffff}};
    static const size_t lens[] = {4, 1, 4};
    fx_pool pool;
    fx_pool_init(&pool);
    const mpc_group *g = fx_group();
    uint8_t chain[MPC_HD_CHAIN_CODE_BYTES];
    mpc_drbg_fill(test_drbg(), chain, sizeof chain);
    for (unsigned t = 2; t <= 3; t++) {
        fx_key k;
        CHECK(fx_dkg(&k, &pool, 5, t, NULL));
        for (size_t p = 0; p < 3; p++) {
            mpc_hd_child child;
            CHECK_OK(mpc_hd_derive(g, &child, &k.r[0].group_pk, chain, paths[p],
                                   lens[p]));
            CHECK(!mpc_point_eq(g, &child.pub, &k.r[0].group_pk));
            static const unsigned sets[2][3][3] = {
                {{0, 4}, {1, 3}, {2, 0}}, {{0, 1, 3}, {4, 2, 1}, {3, 2, 0}}};
            uint8_t sig[64];
            CHECK(fx_sign(&k, &pool, sets[t - 2][p], t, MSG, sizeof MSG, &child,
                          sig));
            /* A signature for the child is none for the master key. */
            CHECK(!fx_verify(sig, MSG, sizeof MSG, &k.r[0].group_pk));
        }
        /* The empty path: delta zero, the master key itself. */
        mpc_hd_child master;
        CHECK_OK(mpc_hd_derive(g, &master, &k.r[0].group_pk, chain, NULL, 0));
        unsigned signers[] = {4, 0, 2};
        uint8_t sig[64];
        CHECK(fx_sign(&k, &pool, signers, t, MSG, sizeof MSG, &master, sig));
        CHECK(fx_verify(sig, MSG, sizeof MSG, &k.r[0].group_pk));
        fx_key_clear(&k);
    }
}

TEST(frost_proto_sign_empty_and_longest_messages)
{
    fx_pool pool;
    fx_pool_init(&pool);
    fx_key k;
    CHECK(fx_dkg(&k, &pool, 3, 2, NULL));
    unsigned signers[] = {2, 1};
    uint8_t sig[64];
    CHECK(fx_sign(&k, &pool, signers, 2, NULL, 0, NULL, sig));
    uint8_t *big = malloc(MPC_FROST_SIGN_MSG_MAX_BYTES);
    CHECK(big != NULL);
    mpc_drbg_fill(test_drbg(), big, MPC_FROST_SIGN_MSG_MAX_BYTES);
    bool ok = fx_sign(&k, &pool, signers, 2, big, MPC_FROST_SIGN_MSG_MAX_BYTES,
                      NULL, sig);
    free(big);
    CHECK(ok);
    fx_key_clear(&k);
}

TEST(frost_proto_sign_survives_duplicates_reordering_and_times_out_on_loss)
{
    fx_pool pool;
    fx_pool_init(&pool);
    fx_key k;
    CHECK(fx_dkg(&k, &pool, 4, 3, NULL));
    unsigned signers[] = {0, 1, 3};
    mpc_frost_sign_input in[3];
    mpc_scalar ids[3];
    mpc_point vs[3];
    const void *ptrs[3];
    for (int fifo = 0; fifo < 2; fifo++) {
        fx_sign_inputs(&k, signers, 3, MSG, sizeof MSG, NULL, in, ids, vs,
                       ptrs);
        simnet *net = fx_net(&mpc_frost_sign_protocol, &pool, 3, 3, ptrs);
        CHECK(net != NULL);
        simnet_set_dup_rate(net, 500);
        simnet_set_fifo(net, fifo != 0);
        CHECK(simnet_run(net, FX_STEPS) == SIMNET_ALL_DONE);
        mpc_frost_sign_result r;
        CHECK_OK(simnet_take_result(net, 1, &r, sizeof r));
        CHECK(fx_verify(r.sig, MSG, sizeof MSG, &k.r[0].group_pk));
        simnet_free(net);
    }
    /* Party 2's signature share never reaches party 0. */
    fx_sign_inputs(&k, signers, 3, MSG, sizeof MSG, NULL, in, ids, vs, ptrs);
    simnet *net = fx_net(&mpc_frost_sign_protocol, &pool, 3, 3, ptrs);
    CHECK(net != NULL);
    simnet_drop_match(net, 2, 2, 0);
    CHECK(simnet_run(net, FX_STEPS) == SIMNET_SOME_FAILED);
    CHECK(simnet_status(net, 1) == MPC_SESSION_DONE);
    CHECK(simnet_status(net, 2) == MPC_SESSION_DONE);
    mpc_blame b = simnet_blame(net, 0);
    CHECK(b.err == MPC_ERR_TIMEOUT && b.reason == MPC_BLAME_TIMEOUT);
    CHECK(!b.attributable && b.round == 2);
    CHECK(mpc_blame_count(&b) == 1 && mpc_blame_has(&b, 2));
    simnet_free(net);
    fx_key_clear(&k);
}

/* ---- pooled nonces ------------------------------------------------------ */

static bool all_zero(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t acc = 0;
    for (size_t i = 0; i < len; i++)
        acc |= b[i];
    return acc == 0;
}

static mpc_err sign_new(const mpc_frost_sign_input *in, unsigned n, unsigned t,
                        unsigned self)
{
    mpc_session_params p;
    mpc_session_params_default(&p);
    p.protocol = &mpc_frost_sign_protocol;
    memset(p.sid, 9, sizeof p.sid);
    p.n = n;
    p.self = self;
    p.threshold = t;
    p.input = in;
    mpc_session *s = NULL;
    mpc_err e = mpc_session_new(&s, test_ctx(), &p);
    if (e == MPC_OK) {
        if (s == NULL)
            return MPC_ERR_INTERNAL;
        mpc_session_free(s);
    } else if (s != NULL) {
        return MPC_ERR_INTERNAL; /* written on failure */
    }
    return e;
}

TEST(frost_proto_sign_pooled_nonce_is_moved_and_never_reused)
{
    fx_pool pool;
    fx_pool_init(&pool);
    const mpc_group *g = fx_group();
    fx_key k;
    CHECK(fx_dkg(&k, &pool, 3, 2, NULL));
    unsigned signers[] = {1, 2};
    mpc_frost_sign_input in[2];
    mpc_scalar ids[2];
    mpc_point vs[2];
    const void *ptrs[2];
    fx_sign_inputs(&k, signers, 2, MSG, sizeof MSG, NULL, in, ids, vs, ptrs);

    /* A nonce made ahead of time for party 0 of the session (member 1). */
    mpc_frost_nonce nonce;
    mpc_frost_commitment com;
    CHECK_OK(mpc_frost_commit(g, &nonce, &com, &k.r[1].key));
    in[0].nonce = &nonce;
    simnet *net = fx_net(&mpc_frost_sign_protocol, &pool, 2, 2, ptrs);
    CHECK(net != NULL);
    CHECK(all_zero(&nonce, sizeof nonce)); /* moved into the session */

    /* Round 1 sends the pooled commitment, and the signature verifies. */
    fx_record rec = {.round = 1, .kind = MPC_SESSION_BCAST, .to = 1};
    simnet_set_tamper(net, 0, fx_record_hook, &rec);
    CHECK(simnet_run(net, FX_STEPS) == SIMNET_ALL_DONE);
    uint8_t want[MPC_FROST_COMMITMENT_BYTES];
    mpc_frost_commitment_serialize(g, want, &com);
    CHECK(rec.payload_len == sizeof want);
    CHECK_MEM(rec.payload, want, sizeof want);
    mpc_frost_sign_result r;
    CHECK_OK(simnet_take_result(net, 0, &r, sizeof r));
    CHECK(fx_verify(r.sig, MSG, sizeof MSG, &k.r[0].group_pk));
    simnet_free(net);

    /* The same (now cleared) nonce object again: refused. */
    CHECK_ERR(sign_new(&in[0], 2, 2, 0), MPC_ERR_STATE);

    /* A nonce made for another identifier: refused, and consumed too. */
    CHECK_OK(mpc_frost_commit(g, &nonce, &com, &k.r[0].key));
    CHECK_ERR(sign_new(&in[0], 2, 2, 0), MPC_ERR_INVALID_ARG);
    CHECK(all_zero(&nonce, sizeof nonce));

    /* Any other bad input still consumes the nonce. */
    CHECK_OK(mpc_frost_commit(g, &nonce, &com, &k.r[1].key));
    in[0].msg_len = MPC_FROST_SIGN_MSG_MAX_BYTES + 1;
    CHECK_ERR(sign_new(&in[0], 2, 2, 0), MPC_ERR_INVALID_ARG);
    CHECK(all_zero(&nonce, sizeof nonce));
    fx_key_clear(&k);
}

/* ---- misuse ------------------------------------------------------------- */

TEST(frost_proto_sign_rejects_bad_inputs)
{
    fx_pool pool;
    fx_pool_init(&pool);
    const mpc_group *g = fx_group();
    fx_key k, other;
    CHECK(fx_dkg(&k, &pool, 3, 2, NULL));
    CHECK(fx_dkg(&other, &pool, 3, 2, NULL));
    unsigned signers[] = {0, 2};
    mpc_frost_sign_input in[2], bad;
    mpc_scalar ids[2], ids2[2];
    mpc_point vs[2], vs2[2];
    const void *ptrs[2];
    fx_sign_inputs(&k, signers, 2, MSG, sizeof MSG, NULL, in, ids, vs, ptrs);
    CHECK_OK(sign_new(&in[1], 2, 2, 1));
    /* n_signers is not the session's n. */
    CHECK_ERR(sign_new(&in[1], 3, 2, 1), MPC_ERR_INVALID_ARG);

    CHECK_ERR(sign_new(NULL, 2, 2, 1), MPC_ERR_INVALID_ARG);
    CHECK_ERR(sign_new(&in[1], 2, 2, 0), MPC_ERR_INVALID_ARG); /* not me */
    CHECK_ERR(sign_new(&in[1], 2, 1, 1), MPC_ERR_INVALID_ARG); /* t */
    CHECK_ERR(sign_new(&in[1], 2, 3, 1), MPC_ERR_INVALID_ARG); /* t > n */
    bad = in[1];
    bad.key = NULL;
    CHECK_ERR(sign_new(&bad, 2, 2, 1), MPC_ERR_INVALID_ARG);
    bad = in[1];
    bad.ids = NULL;
    CHECK_ERR(sign_new(&bad, 2, 2, 1), MPC_ERR_INVALID_ARG);
    bad = in[1];
    bad.vshares = NULL;
    CHECK_ERR(sign_new(&bad, 2, 2, 1), MPC_ERR_INVALID_ARG);
    bad = in[1];
    bad.n_signers = 3;
    CHECK_ERR(sign_new(&bad, 2, 2, 1), MPC_ERR_INVALID_ARG);

    /* Fewer signers than the threshold: a 3-of-3 key, two signers. */
    fx_key k3;
    CHECK(fx_dkg(&k3, &pool, 3, 3, NULL));
    mpc_frost_sign_input in3[2];
    fx_sign_inputs(&k3, signers, 2, MSG, sizeof MSG, NULL, in3, ids2, vs2,
                   ptrs);
    CHECK_ERR(sign_new(&in3[0], 2, 2, 0), MPC_ERR_INVALID_ARG);
    CHECK_ERR(sign_new(&in3[0], 2, 3, 0), MPC_ERR_INVALID_ARG);
    fx_key_clear(&k3);

    /* Identifiers: duplicate, zero, not this key's. */
    memcpy(ids2, ids, sizeof ids);
    memcpy(vs2, vs, sizeof vs);
    bad = in[1];
    bad.ids = ids2;
    bad.vshares = vs2;
    ids2[0] = ids2[1];
    CHECK_ERR(sign_new(&bad, 2, 2, 1), MPC_ERR_INVALID_ARG);
    mpc_scalar_set_zero(&ids2[0]);
    CHECK_ERR(sign_new(&bad, 2, 2, 1), MPC_ERR_INVALID_ARG);
    ids2[0] = ids[0];
    mpc_scalar_set_u64(g, &ids2[1], 9);
    CHECK_ERR(sign_new(&bad, 2, 2, 1), MPC_ERR_INVALID_ARG);
    /* A verifying share that is not this party's share times B. */
    ids2[1] = ids[1];
    vs2[1] = vs[0];
    CHECK_ERR(sign_new(&bad, 2, 2, 1), MPC_ERR_INVALID_ARG);
    /* Another key's package. */
    bad = in[1];
    bad.key = &other.r[2].key;
    CHECK_ERR(sign_new(&bad, 2, 2, 1), MPC_ERR_INVALID_ARG);

    /* Messages. */
    bad = in[1];
    bad.msg_len = MPC_FROST_SIGN_MSG_MAX_BYTES + 1;
    CHECK_ERR(sign_new(&bad, 2, 2, 1), MPC_ERR_INVALID_ARG);
    bad.msg = NULL;
    bad.msg_len = 1;
    CHECK_ERR(sign_new(&bad, 2, 2, 1), MPC_ERR_INVALID_ARG);
    bad.msg_len = 0;
    CHECK_OK(sign_new(&bad, 2, 2, 1));

    /* Derivations: another curve, another key, a tampered delta. */
    uint8_t chain[32] = {1, 2, 3};
    uint32_t path[] = {44, 0};
    mpc_hd_child child, wrong;
    CHECK_OK(mpc_hd_derive(g, &child, &k.r[0].group_pk, chain, path, 2));
    bad = in[1];
    bad.derive = &child;
    CHECK_OK(sign_new(&bad, 2, 2, 1));
    const mpc_group *k1 = mpc_ctx_group(test_ctx(), MPC_CURVE_SECP256K1);
    mpc_point k1pub;
    mpc_scalar x;
    mpc_scalar_random(k1, &x);
    mpc_point_mul_base(k1, &k1pub, &x);
    int refused = 0;
    for (uint32_t i = 0; i < 8; i++) { /* deltas below L and above */
        path[1] = i;
        CHECK_OK(mpc_hd_derive(k1, &wrong, &k1pub, chain, path, 2));
        bad.derive = &wrong;
        refused += sign_new(&bad, 2, 2, 1) == MPC_ERR_INVALID_ARG;
    }
    CHECK(refused == 8);
    CHECK_OK(mpc_hd_derive(g, &wrong, &other.r[0].group_pk, chain, path, 2));
    bad.derive = &wrong;
    CHECK_ERR(sign_new(&bad, 2, 2, 1), MPC_ERR_INVALID_ARG);
    wrong = child;
    wrong.delta.v[0] ^= 1;
    CHECK_ERR(sign_new(&bad, 2, 2, 1), MPC_ERR_INVALID_ARG);
    fx_key_clear(&k);
    fx_key_clear(&other);
}

/* ---- a signer that cheats ----------------------------------------------- */

static bool bump_share(void *ud, const mpc_session_frame *f, mpc_wire_writer *w)
{
    (void)ud;
    const mpc_group *g = fx_group();
    mpc_scalar s, one;
    if (f->payload_len != 32 || mpc_scalar_parse(g, &s, f->payload) != MPC_OK)
        return false;
    mpc_scalar_set_u64(g, &one, 1);
    mpc_scalar_add(g, &s, &s, &one);
    mpc_wire_write_scalar(w, g, &s);
    return true;
}

/* z = L, or z = 2^256 - 1: values DeserializeScalar refuses. */
static bool share_not_canonical(void *ud, const mpc_session_frame *f,
                                mpc_wire_writer *w)
{
    const int *which = ud;
    (void)f;
    uint8_t be[32], le[32];
    mpc_group_order_be(fx_group(), be);
    for (size_t k = 0; k < 32; k++)
        le[k] = *which ? 0xff : be[31 - k];
    mpc_wire_write_bytes(w, le, sizeof le);
    return true;
}

/* Signing among members {0, 1, 2} of a 3-of-4 key, party `cheat` hooked. */
static simnet *cheat_net(const fx_pool *pool, const fx_key *k, unsigned cheat,
                         simnet_tamper_fn fn, void *ud,
                         mpc_frost_sign_input *in, mpc_scalar *ids,
                         mpc_point *vs)
{
    static const unsigned signers[] = {0, 1, 2};
    const void *ptrs[3];
    fx_sign_inputs(k, signers, 3, MSG, sizeof MSG, NULL, in, ids, vs, ptrs);
    simnet *net = fx_net(&mpc_frost_sign_protocol, pool, 3, 3, ptrs);
    if (net != NULL)
        simnet_set_tamper(net, cheat, fn, ud);
    return net;
}

TEST(frost_proto_sign_bad_shares_are_blamed_by_every_signer)
{
    fx_pool pool;
    fx_pool_init(&pool);
    fx_key k;
    CHECK(fx_dkg(&k, &pool, 4, 3, NULL));
    mpc_frost_sign_input in[3];
    mpc_scalar ids[3];
    mpc_point vs[3];
    int which[2] = {0, 1};
    struct {
        fx_rewrite_fn fn;
        void *ud;
        mpc_blame_reason reason;
        mpc_err err;
    } cases[] = {
        {bump_share, NULL, MPC_BLAME_VERIFY, MPC_ERR_VERIFY},
        {share_not_canonical, &which[0], MPC_BLAME_PARSE, MPC_ERR_PARSE},
        {share_not_canonical, &which[1], MPC_BLAME_PARSE, MPC_ERR_PARSE},
    };
    for (size_t c = 0; c < 3; c++) {
        fx_tamper t = {.round = 2,
                       .kind = MPC_SESSION_BCAST,
                       .victims = 0xff,
                       .fn = cases[c].fn,
                       .ud = cases[c].ud};
        simnet *net = cheat_net(&pool, &k, 1, fx_tamper_hook, &t, in, ids, vs);
        CHECK(net != NULL);
        CHECK(simnet_run(net, FX_STEPS) == SIMNET_SOME_FAILED);
        CHECK(t.hits == 2);
        for (unsigned i = 0; i < 3; i += 2) {
            CHECK(fx_blamed(net, i, cases[c].reason, 1u << 1));
            mpc_blame b = simnet_blame(net, i);
            CHECK(b.err == cases[c].err && b.round == 2);
        }
        simnet_free(net);
    }
    fx_key_clear(&k);
}

/* Round-one commitment rewrites. */
enum com_lie { COM_OTHER_ID, COM_SMALL_ORDER, COM_SHORT };

static bool rewrite_commitment(void *ud, const mpc_session_frame *f,
                               mpc_wire_writer *w)
{
    const enum com_lie *lie = ud;
    uint8_t b[MPC_FROST_COMMITMENT_BYTES];
    if (f->payload_len != sizeof b)
        return false;
    memcpy(b, f->payload, sizeof b);
    switch (*lie) {
    case COM_OTHER_ID:
        b[0] ^= 3; /* identifier 2 (party 1) becomes 1 (party 0) */
        break;
    case COM_SMALL_ORDER:
        memset(b + 64, 0, 32); /* E: y = 0, a point of order 4 */
        break;
    case COM_SHORT:
        mpc_wire_write_bytes(w, b, sizeof b - 32);
        return true;
    }
    mpc_wire_write_bytes(w, b, sizeof b);
    return true;
}

TEST(frost_proto_sign_bad_commitments_are_blamed)
{
    fx_pool pool;
    fx_pool_init(&pool);
    fx_key k;
    CHECK(fx_dkg(&k, &pool, 4, 3, NULL));
    mpc_frost_sign_input in[3];
    mpc_scalar ids[3];
    mpc_point vs[3];
    enum com_lie lies[] = {COM_OTHER_ID, COM_SMALL_ORDER, COM_SHORT};
    mpc_blame_reason reasons[] = {MPC_BLAME_PROTOCOL, MPC_BLAME_PARSE,
                                  MPC_BLAME_PARSE};
    for (size_t c = 0; c < 3; c++) {
        fx_tamper t = {.round = 1,
                       .kind = MPC_SESSION_BCAST,
                       .victims = 0xff,
                       .fn = rewrite_commitment,
                       .ud = &lies[c]};
        simnet *net = cheat_net(&pool, &k, 1, fx_tamper_hook, &t, in, ids, vs);
        CHECK(net != NULL);
        CHECK(simnet_run(net, FX_STEPS) == SIMNET_SOME_FAILED);
        for (unsigned i = 0; i < 3; i += 2) {
            CHECK(fx_blamed(net, i, reasons[c], 1u << 1));
            CHECK(simnet_blame(net, i).round == 1);
        }
        simnet_free(net);
    }
    fx_key_clear(&k);
}

/* A fresh, valid commitment of the same signer for one victim only. */
static bool other_commitment(void *ud, const mpc_session_frame *f,
                             mpc_wire_writer *w)
{
    const mpc_frost_key_package *key = ud;
    (void)f;
    mpc_frost_nonce nonce;
    mpc_frost_commitment com;
    uint8_t b[MPC_FROST_COMMITMENT_BYTES];
    if (mpc_frost_commit(fx_group(), &nonce, &com, key) != MPC_OK)
        return false;
    mpc_frost_nonce_clear(&nonce);
    mpc_frost_commitment_serialize(fx_group(), b, &com);
    mpc_wire_write_bytes(w, b, sizeof b);
    return true;
}

TEST(frost_proto_sign_split_commitments_are_caught_before_aggregation)
{
    /* Party 1 shows party 0 another commitment than party 2. Each honest
     * signer's share is then over a different list (harmless: RFC 9591
     * §7.5); the echo in round 2 catches it before anybody aggregates, and
     * party 0 can prove who lied. */
    fx_pool pool;
    fx_pool_init(&pool);
    fx_key k;
    CHECK(fx_dkg(&k, &pool, 4, 3, NULL));
    mpc_frost_sign_input in[3];
    mpc_scalar ids[3];
    mpc_point vs[3];
    fx_tamper t = {.round = 1,
                   .kind = MPC_SESSION_BCAST,
                   .victims = 1u << 0,
                   .fn = other_commitment,
                   .ud = &k.r[1].key};
    simnet *net = cheat_net(&pool, &k, 1, fx_tamper_hook, &t, in, ids, vs);
    CHECK(net != NULL);
    CHECK(simnet_run(net, FX_STEPS) == SIMNET_SOME_FAILED);
    CHECK(t.hits == 1);
    CHECK(fx_blamed(net, 0, MPC_BLAME_ECHO_MISMATCH, 1u << 1));
    CHECK(simnet_status(net, 2) == MPC_SESSION_FAILED);
    mpc_blame b = simnet_blame(net, 2);
    CHECK(b.reason == MPC_BLAME_ECHO_MISMATCH && mpc_blame_has(&b, 1));
    CHECK(!(b.attributable && mpc_blame_has(&b, 0)));
    simnet_free(net);
    fx_key_clear(&k);
}

TEST(frost_proto_sign_copies_are_ignored_and_equivocation_is_blamed)
{
    fx_pool pool;
    fx_pool_init(&pool);
    fx_key k;
    CHECK(fx_dkg(&k, &pool, 3, 2, NULL));
    unsigned signers[] = {0, 1};
    mpc_frost_sign_input in[2];
    mpc_scalar ids[2];
    mpc_point vs[2];
    const void *ptrs[2];
    for (int lie = 0; lie < 2; lie++) {
        fx_sign_inputs(&k, signers, 2, MSG, sizeof MSG, NULL, in, ids, vs,
                       ptrs);
        simnet *net = fx_net(&mpc_frost_sign_protocol, &pool, 2, 2, ptrs);
        CHECK(net != NULL);
        simnet_set_fifo(net, true);
        fx_record rec = {.round = 1, .kind = MPC_SESSION_BCAST, .to = 0};
        simnet_set_tamper(net, 1, fx_record_hook, &rec);
        simnet_start(net);
        CHECK(rec.len > 0);
        mpc_session_frame f;
        CHECK_OK(mpc_session_frame_parse(&f, rec.frame, rec.len));
        uint8_t payload[MPC_FROST_COMMITMENT_BYTES], frame[512];
        size_t len;
        CHECK(rec.payload_len == sizeof payload);
        memcpy(payload, rec.payload, sizeof payload);
        if (lie)
            payload[40] ^= 1;
        f.payload = payload;
        CHECK(fx_frame_encode(&f, frame, sizeof frame, &len));
        simnet_inject(net, 1, 0, frame, len);
        if (!lie) {
            CHECK(simnet_run(net, FX_STEPS) == SIMNET_ALL_DONE);
        } else {
            CHECK(simnet_run(net, FX_STEPS) == SIMNET_SOME_FAILED);
            CHECK(fx_blamed(net, 0, MPC_BLAME_EQUIVOCATION, 1u << 1));
        }
        simnet_free(net);
    }
    fx_key_clear(&k);
}

/* ---- allocation failure ------------------------------------------------- */

TEST(frost_proto_sign_allocation_failure_anywhere_is_clean)
{
    mpc_ctx *weak = fx_weak_ctx_new();
    CHECK(weak != NULL);
    fx_pool pool;
    fx_pool_init(&pool);
    fx_key k;
    CHECK(fx_dkg(&k, &pool, 3, 2, NULL));
    unsigned signers[] = {0, 1, 2};
    mpc_frost_sign_input in[3];
    mpc_scalar ids[3];
    mpc_point vs[3];
    const void *ptrs[3];
    fx_pool weak_pool = pool;
    weak_pool.ctx[2] = weak;
    bool finished = false;
    for (size_t b = 0; b < 2000 && !finished; b++) {
        fx_sign_inputs(&k, signers, 3, MSG, sizeof MSG, NULL, in, ids, vs,
                       ptrs);
        fx_budget = b;
        simnet *net = fx_net(&mpc_frost_sign_protocol, &weak_pool, 3, 2, ptrs);
        if (net == NULL) {
            fx_budget = SIZE_MAX;
            continue;
        }
        simnet_outcome o = simnet_run(net, FX_STEPS);
        fx_budget = SIZE_MAX;
        CHECK(o != SIMNET_STALLED);
        finished = o == SIMNET_ALL_DONE;
        if (simnet_status(net, 2) == MPC_SESSION_FAILED) {
            mpc_blame bl = simnet_blame(net, 2);
            CHECK(bl.err == MPC_ERR_NOMEM || bl.err == MPC_ERR_TIMEOUT);
        }
        simnet_free(net);
    }
    CHECK(finished);
    fx_key_clear(&k);
    mpc_ctx_free(weak);
}
