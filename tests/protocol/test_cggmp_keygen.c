/*
 * tests/protocol/test_cggmp_keygen.c — CGGMP21 key shares: lifecycle of
 * the shared types (mpc/cggmp.h) and the trusted-dealer fixture.
 */
#include <string.h>

#include "lib/cggmp/cggmp_internal.h"
#include "lib/session/session_internal.h"
#include "mpc/cggmp.h"
#include "mpc/schnorr.h"
#include "tests/harness/test.h"
#include "mpc/cggmp_keys.h"
#include "tests/protocol/cggmp_fixture.h"

static bool all_zero(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t acc = 0;
    for (size_t i = 0; i < len; i++)
        acc |= b[i];
    return acc == 0;
}

TEST(cggmp_types_key_share_lifecycle)
{
    const mpc_ctx *ctx = test_ctx();
    mpc_cggmp_key_share ks;
    mpc_cggmp_key_share_init(&ks);
    CHECK(all_zero(&ks, sizeof ks));
    CHECK_ERR(mpc_cggmp_key_share_alloc(ctx, &ks, 1), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_cggmp_key_share_alloc(ctx, &ks, MPC_CGGMP_MAX_PARTIES + 1),
              MPC_ERR_INVALID_ARG);
    CHECK(all_zero(&ks, sizeof ks));
    CHECK_ERR(mpc_cggmp_key_share_alloc(NULL, &ks, 3), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_cggmp_key_share_alloc(ctx, NULL, 3), MPC_ERR_INVALID_ARG);
    CHECK_OK(mpc_cggmp_key_share_alloc(ctx, &ks, 3));
    CHECK(ks.n == 3 && ks.ids != NULL && ks.vshares != NULL);
    CHECK(all_zero(ks.ids, 3 * sizeof *ks.ids));
    memset(&ks.x, 0x11, sizeof ks.x);
    /* Re-allocating releases the old arrays (ASan would see a leak). */
    CHECK_OK(mpc_cggmp_key_share_alloc(ctx, &ks, MPC_CGGMP_MAX_PARTIES));
    CHECK(all_zero(&ks.x, sizeof ks.x));
    mpc_cggmp_key_share_clear(ctx, &ks);
    CHECK(all_zero(&ks, sizeof ks));
    mpc_cggmp_key_share_clear(ctx, &ks);
    mpc_cggmp_key_share_clear(ctx, NULL);
    mpc_cggmp_key_share_init(NULL);
}

TEST(cggmp_types_aux_info_lifecycle)
{
    const mpc_ctx *ctx = test_ctx();
    mpc_cggmp_aux_info aux;
    mpc_cggmp_aux_info_init(&aux);
    CHECK(aux.pks == NULL && aux.rped == NULL && aux.n == 0);
    CHECK_ERR(mpc_cggmp_aux_info_alloc(ctx, &aux, 0), MPC_ERR_INVALID_ARG);
    CHECK(aux.pks == NULL && aux.n == 0);
    CHECK_ERR(mpc_cggmp_aux_info_alloc(NULL, &aux, 2), MPC_ERR_INVALID_ARG);
    CHECK_OK(mpc_cggmp_aux_info_alloc(ctx, &aux, 4));
    CHECK(aux.n == 4 && aux.pks != NULL && aux.rped != NULL);
    CHECK(aux.pks[3].params == NULL && aux.rped[3].params == NULL);
    if (!cggmp_fixture_paillier(ctx, MPC_PARAMS_COMPAT, 0, &aux.sk))
        return;
    mpc_paillier_pk_copy(&aux.pks[1], &aux.sk.pk);
    /* Re-allocating wipes the key and releases the arrays. */
    CHECK_OK(mpc_cggmp_aux_info_alloc(ctx, &aux, 2));
    CHECK(aux.n == 2 && mpz_sgn(aux.sk.p) == 0 && aux.sk.pk.params == NULL);
    CHECK(cggmp_fixture_paillier(ctx, MPC_PARAMS_COMPAT, 1, &aux.sk));
    mpc_cggmp_aux_info_clear(ctx, &aux);
    CHECK(aux.n == 0 && aux.pks == NULL && mpz_sgn(aux.sk.p) == 0);
    mpc_cggmp_aux_info_clear(ctx, &aux);
    mpc_cggmp_aux_info_clear(ctx, NULL);
}

TEST(cggmp_types_presig_single_use)
{
    mpc_cggmp_presig p;
    memset(&p, 0x5a, sizeof p);
    CHECK(!mpc_cggmp_presig_is_fresh(&p));
    p.magic = MPC_CGGMP_PRESIG_MAGIC;
    CHECK(mpc_cggmp_presig_is_fresh(&p));
    mpc_cggmp_presig_clear(&p);
    CHECK(!mpc_cggmp_presig_is_fresh(&p));
    CHECK(all_zero(&p, sizeof p));
    CHECK(!mpc_cggmp_presig_is_fresh(NULL));
    mpc_cggmp_presig_clear(NULL);
}

TEST(cggmp_fixture_dealer_shares)
{
    const mpc_ctx *ctx[3] = {test_new_ctx("d0"), test_new_ctx("d1"),
                             test_new_ctx("d2")};
    mpc_cggmp_key_share ks[3];
    mpc_cggmp_aux_info aux[3];
    if (!cggmp_fixture_dealer(ctx, 3, 2, MPC_PARAMS_COMPAT, ks, aux))
        return;
    CHECK(cggmp_fixture_check_shares(ks, 3));
    for (unsigned j = 0; j < 3; j++) {
        CHECK(aux[j].n == 3 && aux[j].self == j);
        CHECK(aux[j].params == MPC_PARAMS_COMPAT);
        for (unsigned k = 0; k < 3; k++) {
            CHECK(mpz_cmp(aux[j].pks[k].n, aux[k].sk.pk.n) == 0);
            CHECK(mpz_cmp(aux[j].rped[k].n, aux[k].sk.pk.n) == 0);
            CHECK(mpz_cmp(aux[j].rped[k].s, aux[0].rped[k].s) == 0);
        }
    }
    CHECK(mpz_cmp(aux[0].pks[0].n, aux[0].pks[1].n) != 0);
    cggmp_fixture_clear(ctx, 3, ks, aux);
}

/* ---- threshold keygen on simnet ------------------------------------------ */

static bool keygen_run(unsigned n, unsigned t)
{
    const mpc_ctx *ctx[8];
    mpc_cggmp_key_share ks[8];
    cggmp_fixture_ctxs(ctx, n);
    REQUIRE(cggmp_fixture_keygen(ctx, n, t, ks));
    bool ok = !all_zero(ks[0].rid, 32) && !all_zero(ks[0].chain_code, 32) &&
              ks[0].t == t;
    cggmp_fixture_clear(ctx, n, ks, NULL);
    REQUIRE(ok);
    return true;
}

TEST(cggmp_keygen_2of3)
{
    CHECK(keygen_run(3, 2));
}

TEST(cggmp_keygen_3of5)
{
    CHECK(keygen_run(5, 3));
}

TEST(cggmp_keygen_5of7)
{
    CHECK(keygen_run(7, 5));
}

TEST(cggmp_keygen_bad_params)
{
    const mpc_ctx *ctx = test_ctx();
    mpc_session_params p;
    mpc_session_params_default(&p);
    p.protocol = &mpc_cggmp_keygen_protocol;
    p.n = 3;
    mpc_session *s = NULL;
    p.threshold = 1;
    CHECK_ERR(mpc_session_new(&s, ctx, &p), MPC_ERR_INVALID_ARG);
    p.threshold = 4;
    CHECK_ERR(mpc_session_new(&s, ctx, &p), MPC_ERR_INVALID_ARG);
    p.threshold = 2;
    p.input = &p;
    CHECK_ERR(mpc_session_new(&s, ctx, &p), MPC_ERR_INVALID_ARG);
    CHECK(s == NULL);
    p.input = NULL;
    CHECK_OK(mpc_session_new(&s, ctx, &p));
    mpc_session_free(s);
}

/* Party 0 of a 2-of-3 keygen misbehaves as t says; the parties in honest
 * must blame it (reason as cggmp_fixture_blamed). */
static void keygen_blame(cggmp_tamper *t, unsigned honest,
                         mpc_blame_reason reason)
{
    const mpc_ctx *ctx[3];
    cggmp_fixture_ctxs(ctx, 3);
    simnet_config c = {.protocol = &mpc_cggmp_keygen_protocol,
                       .n = 3,
                       .threshold = 2,
                       .ctxs = ctx};
    simnet *net = simnet_new_cfg(&c);
    if (net == NULL) {
        CHECK(net != NULL);
        return;
    }
    simnet_set_tamper(net, 0, cggmp_tamper_hook, t);
    CHECK(simnet_run(net, 100000) != SIMNET_STALLED);
    CHECK(cggmp_fixture_blamed(net, honest, 0, reason));
    simnet_free(net);
}

TEST(cggmp_keygen_r1_commitment_length)
{
    cggmp_tamper t = {
        .round = 1, .kind = MPC_SESSION_BCAST, .victims = ~0u, .new_len = 31};
    keygen_blame(&t, 0x6, MPC_BLAME_PARSE);
}

TEST(cggmp_keygen_r2_threshold_raise)
{
    /* t + 1 Feldman commitments (a 33-byte zero tail: one more entry). */
    cggmp_tamper t = {.round = 2,
                      .kind = MPC_SESSION_BCAST,
                      .victims = ~0u,
                      .new_len = 3 * 32 + 3 * 33};
    keygen_blame(&t, 0x6, MPC_BLAME_PARSE);
}

TEST(cggmp_keygen_r2_decommitment_mismatch)
{
    cggmp_tamper t = {.round = 2,
                      .kind = MPC_SESSION_BCAST,
                      .victims = ~0u,
                      .fn = cggmp_flip_middle};
    keygen_blame(&t, 0x6, MPC_BLAME_VERIFY);
}

static void add_one(uint8_t *p, size_t len)
{
    /* A canonical scalar one off (the share is 32 bytes, far below n). */
    p[len - 1] ^= 0x01;
}

TEST(cggmp_keygen_r2_bad_feldman_share)
{
    /* Only party 2 gets a bad share: it names party 0. */
    cggmp_tamper t = {
        .round = 2, .kind = MPC_SESSION_P2P, .victims = 0x4, .fn = add_one};
    keygen_blame(&t, 0x4, MPC_BLAME_VERIFY);
}

TEST(cggmp_keygen_r2_noncanonical_share)
{
    cggmp_tamper t = {
        .round = 2, .kind = MPC_SESSION_P2P, .victims = ~0u, .new_len = 33};
    keygen_blame(&t, 0x6, MPC_BLAME_PARSE);
}

TEST(cggmp_keygen_r3_bad_schnorr)
{
    /* Round 3 is echoed before it is checked, and the hook cannot change
     * what party 0 itself holds: its own echo gives it away first. */
    cggmp_tamper t = {.round = 3,
                      .kind = MPC_SESSION_BCAST,
                      .victims = ~0u,
                      .fn = cggmp_flip_last};
    keygen_blame(&t, 0x6, MPC_BLAME_ECHO_MISMATCH);
}

TEST(cggmp_keygen_r3_bad_schnorr_one_victim)
{
    /* A bad proof to party 2 only: an equivocation, seen in the echo. */
    cggmp_tamper t = {.round = 3,
                      .kind = MPC_SESSION_BCAST,
                      .victims = 0x4,
                      .fn = cggmp_flip_last};
    const mpc_ctx *ctx[3];
    cggmp_fixture_ctxs(ctx, 3);
    simnet_config c = {.protocol = &mpc_cggmp_keygen_protocol,
                       .n = 3,
                       .threshold = 2,
                       .ctxs = ctx};
    simnet *net = simnet_new_cfg(&c);
    if (net == NULL)
        return;
    simnet_set_tamper(net, 0, cggmp_tamper_hook, &t);
    CHECK(simnet_run(net, 100000) != SIMNET_STALLED);
    /* Nobody finishes with a key the others might not have. */
    for (unsigned i = 1; i < 3; i++)
        CHECK(simnet_status(net, i) == MPC_SESSION_FAILED);
    simnet_free(net);
}

/*
 * A consistently bad Πsch: the hook mangles party 0's round-3 broadcast
 * and rewrites party 0's own echo of it to match, so the broadcast check
 * passes and the proof itself is what fails.
 */
typedef struct sch_tamper {
    uint8_t digest[MPC_SESSION_DIGEST_BYTES];
    uint8_t payload[MPC_SCHNORR_PROOF_MAX_BYTES];
    uint8_t echo[8 * MPC_SESSION_DIGEST_BYTES];
    bool ready;
} sch_tamper;

static simnet_verdict sch_hook(void *ud, mpc_session_frame *f,
                               mpc_wire_writer *payload)
{
    sch_tamper *t = ud;
    if (f->round != 3)
        return SIMNET_KEEP;
    if (f->kind == MPC_SESSION_BCAST && f->payload_len <= sizeof t->payload) {
        memcpy(t->payload, f->payload, f->payload_len);
        t->payload[f->payload_len - 1] ^= 1; /* z off by one */
        mpc_session_frame g = *f;
        g.to = MPC_SESSION_TO_ALL;
        g.payload = t->payload;
        uint8_t frame[512];
        const uint8_t *bytes = NULL;
        size_t len = 0;
        mpc_wire_writer w;
        mpc_wire_writer_init_fixed(&w, frame, sizeof frame);
        if (mpc_session_frame_serialize(&w, &g) != MPC_OK ||
            mpc_wire_writer_finish(&w, &bytes, &len) != MPC_OK)
            return SIMNET_KEEP;
        mpc_session_frame_digest(t->digest, bytes, len);
        t->ready = true;
        mpc_wire_write_bytes(payload, t->payload, f->payload_len);
        return SIMNET_REWRITE;
    }
    if (f->kind == MPC_SESSION_ECHO && t->ready &&
        f->echo_len <= sizeof t->echo) {
        memcpy(t->echo, f->echo, f->echo_len);
        memcpy(t->echo + f->from * MPC_SESSION_DIGEST_BYTES, t->digest,
               MPC_SESSION_DIGEST_BYTES);
        f->echo = t->echo;
        return SIMNET_REWRITE;
    }
    return SIMNET_KEEP;
}

TEST(cggmp_keygen_r3_bad_schnorr_consistent)
{
    const mpc_ctx *ctx[3];
    cggmp_fixture_ctxs(ctx, 3);
    simnet_config c = {.protocol = &mpc_cggmp_keygen_protocol,
                       .n = 3,
                       .threshold = 2,
                       .ctxs = ctx};
    simnet *net = simnet_new_cfg(&c);
    if (net == NULL)
        return;
    sch_tamper t = {.ready = false};
    simnet_set_tamper(net, 0, sch_hook, &t);
    CHECK(simnet_run(net, 100000) != SIMNET_STALLED);
    CHECK(cggmp_fixture_blamed(net, 0x6, 0, MPC_BLAME_VERIFY));
    simnet_free(net);
}
