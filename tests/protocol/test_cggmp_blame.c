/*
 * Identifiable abort of CGGMP21 presign and sign (crypto.md §2.6;
 * docs/security-cggmp.md, "Identifiable abort"): a signer that lies
 * CONSISTENTLY — to every peer, so that the reliable-broadcast echo agrees
 * — in δ_i, S_i or σ_i. Such a liar cannot be faked by a simnet hook (the
 * echo would expose the rewrite), so the cheater here runs a wrapped round
 * table that edits its own outgoing broadcast after the honest code wrote
 * it: exactly what a malicious implementation would send.
 *
 * Expected: a bad σ_j is blamed, attributable, in interactive round 4 and
 * by the pooled combiner; a wrong δ_i or S_i fails the output checks and
 * is named in the identification round 4 (its Πlog*χ fails); a wrong D̂
 * in the round-2 broadcast (its Πaff-g fails) is blamed in round 2; two
 * colluders that keep ΣS_j right still yield a valid signature; an honest
 * signer is never named.
 */
#include <string.h>

#include "mpc/cggmp_sign.h"
#include "mpc/hd.h"
#include "mpc/wire.h"
#include "tests/harness/test.h"
#include "tests/protocol/cggmp_fixture.h"
#include "tests/protocol/cggmp_run.h"
#include "tests/protocol/simnet.h"
#include "tests/unit/ecdsa_oracle.h"

#define MAXN CGGMP_RUN_MAXN
#define STEPS 100000

static const mpc_group *secp(void)
{
    return cggmp_group(test_ctx());
}

/* ---- the consistent liar: a wrapped round table ------------------------- */

/* Which session party lies, in which round, and how (edits its broadcast
 * payload in place); the round it is named in (0: the same round). */
typedef struct liar {
    unsigned party;
    unsigned round;
    void (*edit)(uint8_t *payload, size_t len);
    unsigned named_in;
    /* A colluder lying in the same round (edit2 NULL: none). */
    unsigned party2;
    void (*edit2)(uint8_t *payload, size_t len);
} liar;

/* The wrapped input: the real protocol's input plus the liar. */
typedef struct liar_input {
    const void *inner;
    const liar *liar;
} liar_input;

/* The wrapped state: this header, then the real state at STATE_OFF (a
 * multiple of every alignment the real state needs). */
#define STATE_OFF 64
typedef struct liar_state {
    const mpc_protocol *real;
    const liar *liar;
    unsigned self;
} liar_state;

static void *inner(void *state)
{
    return (uint8_t *)state + STATE_OFF;
}

static const mpc_protocol *wrapped_real; /* set by liar_protocol() */

static mpc_err liar_init(void *state, const mpc_session_info *info,
                         const void *input)
{
    liar_state *ls = state;
    const liar_input *in = input;
    ls->real = wrapped_real;
    ls->liar = in->liar;
    ls->self = info->self;
    return ls->real->init(inner(state), info, in->inner);
}

static unsigned liar_pattern(const void *state, unsigned round, unsigned from,
                             unsigned to)
{
    const liar_state *ls = state;
    return ls->real->pattern((const uint8_t *)state + STATE_OFF, round, from,
                             to);
}

static mpc_err liar_start(void *state, unsigned round, mpc_session_outbox *out)
{
    liar_state *ls = state;
    mpc_err err = ls->real->round_start(inner(state), round, out);
    if (err != MPC_OK || round != ls->liar->round)
        return err;
    mpc_wire_writer *w = mpc_session_outbox_bcast(out);
    if (ls->self == ls->liar->party)
        ls->liar->edit(w->buf, w->len);
    else if (ls->liar->edit2 != NULL && ls->self == ls->liar->party2)
        ls->liar->edit2(w->buf, w->len);
    return err;
}

static mpc_err liar_complete(void *state, unsigned round, mpc_session_inbox *in)
{
    liar_state *ls = state;
    return ls->real->round_complete(inner(state), round, in);
}

static void liar_take(void *state, void *result)
{
    liar_state *ls = state;
    ls->real->take_result(inner(state), result);
}

static void liar_clear(void *state)
{
    liar_state *ls = state;
    if (ls->real != NULL)
        ls->real->clear(inner(state));
}

static mpc_protocol liar_proto;

/* The real table with every step wrapped (same id, rounds and sizes). */
static const mpc_protocol *liar_protocol(const mpc_protocol *real)
{
    wrapped_real = real;
    liar_proto = *real;
    liar_proto.state_bytes = real->state_bytes + STATE_OFF;
    liar_proto.init = liar_init;
    liar_proto.pattern = liar_pattern;
    liar_proto.round_start = liar_start;
    liar_proto.round_complete = liar_complete;
    liar_proto.take_result = liar_take;
    liar_proto.clear = liar_clear;
    return &liar_proto;
}

/* Round-3 broadcast of presign: δ_i (32) | Δ_i (33) | S_i (33);
 * round 2: Γ_i (33) | D̂, F̂ per other signer (ciphertexts). */
#define R3_DELTA 0
#define R3_S 65
#define R2_FIRST_DHAT 33

static void scalar_plus_one(uint8_t *p)
{
    mpc_scalar s;
    if (mpc_scalar_parse(secp(), &s, p) != MPC_OK)
        return;
    mpc_scalar_add(secp(), &s, &s, &(mpc_scalar){.v = {[31] = 1}});
    mpc_scalar_serialize(secp(), p, &s);
}

static void lie_delta(uint8_t *p, size_t len)
{
    if (len == R3_S + 33)
        scalar_plus_one(p + R3_DELTA);
}

static void lie_s(uint8_t *p, size_t len)
{
    mpc_point s, gen;
    if (len != R3_S + 33 || mpc_point_parse(secp(), &s, p + R3_S, 33) != MPC_OK)
        return;
    mpc_point_generator(secp(), &gen);
    mpc_point_add(secp(), &s, &s, &gen);
    mpc_point_serialize(secp(), p + R3_S, &s);
}

/* A different, still well-formed D̂ for the first other signer: the last
 * byte of its encoding, i.e. D̂ + 1 (a unit except with negligible
 * probability). */
static void lie_dhat(uint8_t *p, size_t len)
{
    size_t ct = mpc_params_get(MPC_PARAMS_COMPAT)->ct_bytes;
    if (len >= R2_FIRST_DHAT + ct)
        p[R2_FIRST_DHAT + ct - 1] ^= 1;
}

/* S_i - G: with lie_s by a colluder, ΣS_j is still δ·X. */
static void lie_s_minus(uint8_t *p, size_t len)
{
    mpc_point s, gen;
    if (len != R3_S + 33 || mpc_point_parse(secp(), &s, p + R3_S, 33) != MPC_OK)
        return;
    mpc_point_generator(secp(), &gen);
    mpc_point_neg(secp(), &gen, &gen);
    mpc_point_add(secp(), &s, &s, &gen);
    mpc_point_serialize(secp(), p + R3_S, &s);
}

static void lie_sigma(uint8_t *p, size_t len)
{
    if (len == MPC_CGGMP_SIGN_SHARE_BYTES)
        scalar_plus_one(p);
}

/* ---- nets ---------------------------------------------------------------- */

/* Presign (or interactive sign when digest is non-NULL) among `signers`,
 * with `lie` told to the wrapped table. */
static simnet *liar_net(cggmp_run *f, const uint32_t *signers, const liar *lie,
                        const uint8_t *digest, liar_input *li,
                        mpc_cggmp_sign_input *si)
{
    const void *ptrs[MAXN];
    const mpc_protocol *real =
        digest != NULL ? &mpc_cggmp_sign_protocol : &mpc_cggmp_presign_protocol;
    mpc_cggmp_presign_input pin[MAXN];

    cggmp_run_presign_inputs(f, signers, NULL, 0x62, 1, pin);
    for (unsigned k = 0; k < f->t; k++) {
        si[k].presign = pin[k];
        if (digest != NULL)
            memcpy(si[k].digest, digest, sizeof(si[k].digest));
        li[k].inner = digest != NULL ? (const void *)&si[k]
                                     : (const void *)&si[k].presign;
        li[k].liar = lie;
        ptrs[k] = &li[k];
    }
    return simnet_new(liar_protocol(real), f->t, f->t, ptrs);
}

/*
 * Runs `lie` among `signers` of a fresh n-party committee at threshold t:
 * interactive sign of digest, or presign when digest is NULL. Every honest
 * signer fails naming the liar alone, for `reason` (MPC_BLAME_VERIFY: with
 * MPC_ERR_VERIFY), in the round it lied in. A liar in the last round
 * finishes (its own values are honest); an earlier one is left without
 * the honest signers' next round.
 */
static void liar_case(unsigned n, unsigned t, const uint32_t *signers,
                      const liar *lie, const uint8_t *digest,
                      mpc_blame_reason reason)
{
    const mpc_protocol *real =
        digest != NULL ? &mpc_cggmp_sign_protocol : &mpc_cggmp_presign_protocol;
    liar_input li[MAXN];
    mpc_cggmp_sign_input si[MAXN];
    unsigned honest = 0;
    cggmp_run f;

    if (!cggmp_run_make(&f, "bl", n, t))
        return;
    for (unsigned k = 0; k < t; k++)
        if (k != lie->party)
            honest |= 1u << k;
    simnet *net = liar_net(&f, signers, lie, digest, li, si);
    CHECK(net != NULL);
    if (net != NULL) {
        CHECK(simnet_run(net, STEPS) == SIMNET_SOME_FAILED);
        CHECK(cggmp_fixture_blamed(net, honest, lie->party, reason));
        for (unsigned k = 0; k < t; k++) {
            mpc_blame b = simnet_blame(net, k);
            if (k == lie->party)
                continue;
            CHECK(b.round == (lie->named_in ? lie->named_in : lie->round));
            CHECK(reason != MPC_BLAME_VERIFY || b.err == MPC_ERR_VERIFY);
        }
        CHECK(lie->round != real->rounds ||
              simnet_status(net, lie->party) == MPC_SESSION_DONE);
        simnet_free(net);
    }
    cggmp_run_clear(&f);
}

/* ---- interactive sign ---------------------------------------------------- */

/* A signer that sends σ_i + 1 in round 4 is named by every honest signer;
 * the liar itself (which combines its own true σ_i) signs fine. */
TEST(cggmp_blame_isign_bad_sigma_2of3)
{
    static const uint32_t signers[2] = {0, 2};
    static const liar lie = {.party = 1, .round = 4, .edit = lie_sigma};
    uint8_t digest[32] = {0x5a};

    liar_case(3, 2, signers, &lie, digest, MPC_BLAME_VERIFY);
}

TEST(cggmp_blame_isign_bad_sigma_3of5)
{
    static const uint32_t signers[3] = {0, 3, 4};
    static const liar lie = {.party = 1, .round = 4, .edit = lie_sigma};
    uint8_t digest[32] = {0xa5, 1};

    liar_case(5, 3, signers, &lie, digest, MPC_BLAME_VERIFY);
}

/* δ_i + 1 in interactive signing: round 4 identifies instead of sending
 * σ_i, and the liar is named there; no signature share is released. */
TEST(cggmp_blame_isign_lie_delta_2of3)
{
    static const uint32_t signers[2] = {0, 1};
    static const liar lie = {
        .party = 1, .round = 3, .edit = lie_delta, .named_in = 4};
    uint8_t digest[32] = {0x3c};

    liar_case(3, 2, signers, &lie, digest, MPC_BLAME_VERIFY);
}

/*
 * Two colluders shift S_i by +G and -G: ΣS_j = δ·X still holds, so the
 * presign completes without identification (§2.6: round 4 names single
 * cheaters; a collusion that keeps the sums right is outside it). The
 * shift buys nothing: the σ_i stay true, every signer outputs the same
 * signature and it verifies; nobody is blamed.
 */
TEST(cggmp_blame_isign_colluders_sign_correctly)
{
    static const uint32_t signers[3] = {0, 2, 4};
    static const liar lie = {.party = 0,
                             .round = 3,
                             .edit = lie_s,
                             .party2 = 2,
                             .edit2 = lie_s_minus};
    uint8_t digest[32] = {0x77, 2};
    liar_input li[MAXN];
    mpc_cggmp_sign_input si[MAXN];
    mpc_cggmp_sign_result res[3];
    cggmp_run f;

    if (!cggmp_run_make(&f, "bl", 5, 3))
        return;
    simnet *net = liar_net(&f, signers, &lie, digest, li, si);
    CHECK(net != NULL);
    if (net != NULL) {
        CHECK(simnet_run(net, STEPS) == SIMNET_ALL_DONE);
        for (unsigned k = 0; k < 3; k++)
            CHECK_OK(simnet_take_result(net, k, &res[k], sizeof(res[k])));
        simnet_free(net);
        CHECK(memcmp(&res[1].sig, &res[0].sig, sizeof(res[0].sig)) == 0);
        CHECK(memcmp(&res[1].sig, &res[2].sig, sizeof(res[0].sig)) == 0);
        CHECK(ecdsa_oracle_both(res[1].pubkey, digest, &res[1].sig));
    }
    cggmp_run_clear(&f);
}

/* ---- presign: lies in the round-2 and round-3 broadcasts ------------------
 */

/* §2.6 level 2: δ_i + 1, consistent to everyone. The δ check fails, round
 * 4 identifies: δ_i no longer matches the C of the public transcript, the
 * liar's (honest) Πlog*χ fails against it, and the liar is named in round
 * 4 (never "not attributable"). */
TEST(cggmp_blame_presign_lie_delta_blamed)
{
    static const uint32_t signers[2] = {1, 2};
    static const liar lie = {
        .party = 0, .round = 3, .edit = lie_delta, .named_in = 4};

    liar_case(3, 2, signers, &lie, NULL, MPC_BLAME_VERIFY);
}

/* S_i + G, consistent to everyone: ΣS_j = δ·X fails, and in round 4 S_i
 * no longer matches the C_i of the public transcript, its Πlog*χ fails,
 * and every honest signer names the liar. */
TEST(cggmp_blame_presign_lie_s_blamed)
{
    static const uint32_t signers[2] = {0, 1};
    static const liar lie = {
        .party = 1, .round = 3, .edit = lie_s, .named_in = 4};

    liar_case(3, 2, signers, &lie, NULL, MPC_BLAME_VERIFY);
}

/* The same lie at 3-of-5 with the liar in the middle: both honest signers
 * name it. */
TEST(cggmp_blame_presign_lie_s_3of5)
{
    static const uint32_t signers[3] = {0, 1, 3};
    static const liar lie = {
        .party = 1, .round = 3, .edit = lie_s, .named_in = 4};

    liar_case(5, 3, signers, &lie, NULL, MPC_BLAME_VERIFY);
}

/* A D̂ in the round-2 broadcast that is not the one Πaff-g was made for:
 * its recipient names the liar in round 2. */
TEST(cggmp_blame_presign_lie_dhat_blamed)
{
    static const uint32_t signers[2] = {0, 2};
    static const liar lie = {.party = 1, .round = 2, .edit = lie_dhat};

    liar_case(3, 2, signers, &lie, NULL, MPC_BLAME_NONE);
}

/* ---- pooled sign --------------------------------------------------------- */

/* Honest presign among `signers`; ps[k] = signer k's presignature. Checks
 * the public record: the same on every signer, Σk_j·R = G and
 * Σχ_j·R = the signing key. */
static bool presign_pool(cggmp_run *f, const uint32_t *signers,
                         const mpc_hd_child *derive, mpc_cggmp_presig *ps)
{
    const mpc_group *g = secp();
    mpc_cggmp_presign_input in[MAXN];
    const void *ptrs[MAXN];
    mpc_point sk, sc, gen;

    cggmp_run_presign_inputs(f, signers, derive, 0x62, 1, in);
    for (unsigned k = 0; k < f->t; k++)
        ptrs[k] = &in[k];
    simnet *net = simnet_new(&mpc_cggmp_presign_protocol, f->t, f->t, ptrs);
    REQUIRE(net != NULL);
    REQUIRE(simnet_run(net, STEPS) == SIMNET_ALL_DONE);
    for (unsigned k = 0; k < f->t; k++)
        REQUIRE_OK(simnet_take_result(net, k, &ps[k], sizeof(ps[k])));
    simnet_free(net);

    mpc_point_set_identity(g, &sk);
    mpc_point_set_identity(g, &sc);
    for (unsigned j = 0; j < f->t; j++) {
        mpc_point_add(g, &sk, &sk, &ps[0].k_r[j]);
        mpc_point_add(g, &sc, &sc, &ps[0].chi_r[j]);
    }
    mpc_point_generator(g, &gen);
    REQUIRE(mpc_point_eq(g, &sk, &gen));
    REQUIRE(mpc_point_eq(g, &sc, derive ? &derive->pub : &f->ks[0].pubkey));
    for (unsigned k = 0; k < f->t; k++) {
        REQUIRE(ps[k].count == f->t);
        for (unsigned j = 0; j < f->t; j++) {
            REQUIRE(ps[k].positions[j] == signers[j]);
            REQUIRE(mpc_point_eq(g, &ps[k].k_r[j], &ps[0].k_r[j]));
            REQUIRE(mpc_point_eq(g, &ps[k].chi_r[j], &ps[0].chi_r[j]));
        }
    }
    return true;
}

/* Every signer's share of msg (consumes the presignatures). */
static bool pool_shares(cggmp_run *f, mpc_cggmp_presig *ps,
                        const mpc_scalar *tweak, const uint8_t *msg, size_t len,
                        uint8_t (*shares)[32])
{
    mpc_cggmp_sign_request req;
    memset(&req, 0, sizeof(req));
    memcpy(req.key_id, ps[0].binding.key_id, 32);
    req.key_version = ps[0].binding.key_version;
    memcpy(req.signers, ps[0].binding.signers, 32);
    req.tweak = *tweak;
    req.alg = MPC_MSGHASH_SHA256;
    req.msg = msg;
    req.msg_len = len;
    for (unsigned k = 0; k < f->t; k++) {
        REQUIRE_OK(mpc_cggmp_sign_share(secp(), shares[k], &ps[k], &req));
        REQUIRE(!mpc_cggmp_presig_is_fresh(&ps[k]));
        REQUIRE(mpc_scalar_is_zero(&ps[k].k) && mpc_scalar_is_zero(&ps[k].chi));
    }
    return true;
}

/*
 * Pooled mode: every signer's consumed presignature still gives the
 * combiner its record; the honest shares combine (on any signer's record);
 * a wrong share is named by its committee position.
 */
static bool pooled_case(cggmp_run *f, const uint32_t *signers,
                        const mpc_hd_child *derive, unsigned cheat)
{
    const mpc_group *g = secp();
    const uint8_t msg[] = "pooled blame";
    uint8_t shares[MAXN][32], digest[32], pub[33];
    mpc_cggmp_presig ps[MAXN];
    mpc_cggmp_combine_input ci;
    mpc_ecdsa_signature sig;
    mpc_blame b;
    mpc_scalar zero, s;
    const mpc_point *pk = derive ? &derive->pub : &f->ks[0].pubkey;

    mpc_scalar_set_zero(&zero);
    REQUIRE(presign_pool(f, signers, derive, ps));
    REQUIRE(pool_shares(f, ps, derive ? &derive->delta : &zero, msg,
                        sizeof(msg) - 1, shares));
    REQUIRE_OK(mpc_msghash(digest, MPC_MSGHASH_SHA256, msg, sizeof(msg) - 1));
    for (unsigned k = 0; k < f->t; k++) {
        memset(&ci, 0, sizeof(ci));
        mpc_cggmp_combine_input_set_presig(&ci, &ps[k]);
        REQUIRE(ci.k_r != NULL && ci.chi_r != NULL && ci.count == f->t);
        ci.pubkey = pk;
        ci.digest = digest;
        ci.shares = (const uint8_t(*)[32])shares;
        REQUIRE_OK(mpc_cggmp_sign_combine(g, &sig, &b, &ci));
    }
    mpc_point_serialize(g, pub, pk);
    REQUIRE(ecdsa_oracle_both(pub, digest, &sig));

    REQUIRE_OK(mpc_scalar_parse(g, &s, shares[cheat]));
    mpc_scalar_add(g, &s, &s, &(mpc_scalar){.v = {[31] = 7}});
    mpc_scalar_serialize(g, shares[cheat], &s);
    REQUIRE(mpc_cggmp_sign_combine(g, &sig, &b, &ci) == MPC_ERR_VERIFY);
    REQUIRE(b.attributable && b.reason == MPC_BLAME_VERIFY);
    REQUIRE(mpc_blame_count(&b) == 1 && mpc_blame_has(&b, signers[cheat]));

    /* Without the record (a dealt presig): nobody can be named. */
    ci.k_r = NULL;
    ci.chi_r = NULL;
    REQUIRE(mpc_cggmp_sign_combine(g, &sig, &b, &ci) == MPC_ERR_VERIFY);
    REQUIRE(!b.attributable && mpc_blame_count(&b) == 0);
    for (unsigned k = 0; k < f->t; k++)
        mpc_cggmp_presig_clear(&ps[k]);
    return true;
}

TEST(cggmp_blame_pooled_bad_share_2of3)
{
    static const uint32_t signers[2] = {0, 2};
    cggmp_run f;

    if (!cggmp_run_make(&f, "bl", 3, 2))
        return;
    CHECK(pooled_case(&f, signers, NULL, 1));
    cggmp_run_clear(&f);
}

TEST(cggmp_blame_pooled_bad_share_3of5_hd)
{
    static const uint32_t signers[3] = {1, 2, 4};
    static const uint32_t path[2] = {3, 5};
    mpc_hd_child child;
    cggmp_run f;

    if (!cggmp_run_make(&f, "bl", 5, 3))
        return;
    CHECK_OK(mpc_hd_derive(secp(), &child, &f.ks[0].pubkey, f.ks[0].chain_code,
                           path, 2));
    CHECK(pooled_case(&f, signers, &child, 2));
    cggmp_run_clear(&f);
}

/* A dealt (record-less) presignature points the combiner at no record. */
TEST(cggmp_blame_set_presig_without_record)
{
    mpc_cggmp_presig p;
    mpc_cggmp_combine_input ci;
    memset(&p, 0, sizeof(p));
    memset(&ci, 0, sizeof(ci));
    mpc_cggmp_combine_input_set_presig(&ci, &p);
    CHECK(ci.big_r == &p.big_r && ci.count == 0);
    CHECK(ci.k_r == NULL && ci.chi_r == NULL);
    CHECK(ci.positions == p.positions);
}
