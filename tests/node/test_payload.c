/*
 * Tests of node/payload: the bounds on what a node publishes, pinned to
 * the numbers docs/operations-nats.md gives operators, and their relation
 * to the limits they must respect.
 */
#include <string.h>

#include "mpc/cggmp.h"
#include "mpc/cggmp_keys.h"
#include "mpc/cggmp_sign.h"
#include "mpc/session.h"
#include "mpc/zk_prm.h"
#include "node/envelope.h"
#include "node/payload.h"
#include "tests/harness/test.h"
#include "tests/protocol/cggmp_fixture.h"
#include "tests/protocol/simnet.h"

#define STEPS 100000
#define PARTIES 3
#define AUX_PARTIES 2

/* The largest frame seen, and the largest payload per round and kind. */
typedef struct seen {
    size_t frame;
    size_t bcast[MPC_SESSION_ROUNDS_MAX + 1];
    size_t p2p[MPC_SESSION_ROUNDS_MAX + 1];
} seen;

static size_t max2(size_t a, size_t b)
{
    return a > b ? a : b;
}

static simnet_verdict record(void *ud, mpc_session_frame *f,
                             mpc_wire_writer *payload)
{
    (void)payload;
    seen *s = ud;
    s->frame = max2(s->frame, MPC_SESSION_HEADER_BYTES + 4 + f->echo_len + 4 +
                                  f->payload_len);
    if (f->round <= MPC_SESSION_ROUNDS_MAX) {
        size_t *k = f->kind == MPC_SESSION_P2P ? s->p2p : s->bcast;
        k[f->round] = max2(k[f->round], f->payload_len);
    }
    return SIMNET_KEEP;
}

static bool run_recorded(simnet *net, unsigned n, seen *s)
{
    REQUIRE(net != NULL);
    memset(s, 0, sizeof *s);
    for (unsigned i = 0; i < n; i++)
        simnet_set_tamper(net, i, record, s);
    bool ok = simnet_run(net, STEPS) == SIMNET_ALL_DONE;
    simnet_free(net);
    REQUIRE(ok);
    return true;
}

/* NATS's default max_payload. */
#define NATS_DEFAULT_MAX_PAYLOAD (1024u * 1024u)

TEST(node_payload_pinned_values)
{
    /* docs/operations-nats.md quotes these; a change in lib/ that moves
     * them must update the document too. */
    CHECK(node_payload_cggmp_frame_bytes(64, MPC_PARAMS_128) == 195666);
    CHECK(node_payload_cggmp_frame_bytes(64, MPC_PARAMS_COMPAT) == 131154);
    CHECK(node_payload_frost_frame_bytes(255) == 16433);
    CHECK(node_payload_need_bytes() == 263784);
}

TEST(node_payload_aux_round2_is_counted)
{
    /* The aux-info round-2 broadcast: N, s, t, Πprm, ρ, u, framed with an
     * echo digest per party. */
    const mpc_params *p = mpc_params_get(MPC_PARAMS_128);
    CHECK(p != NULL);
    size_t payload = 3 * p->n_bytes + mpc_zk_prm_proof_bytes(p) + 64;
    for (unsigned n = 2; n <= MPC_CGGMP_MAX_PARTIES; n++)
        CHECK(node_payload_cggmp_frame_bytes(n, MPC_PARAMS_128) >=
              MPC_SESSION_HEADER_BYTES + 8 + n * MPC_SESSION_DIGEST_BYTES +
                  payload);
}

TEST(node_payload_grows_with_the_committee)
{
    for (unsigned n = 3; n <= MPC_CGGMP_MAX_PARTIES; n++) {
        CHECK(node_payload_cggmp_frame_bytes(n, MPC_PARAMS_128) >
              node_payload_cggmp_frame_bytes(n - 1, MPC_PARAMS_128));
        CHECK(node_payload_cggmp_frame_bytes(n, MPC_PARAMS_COMPAT) >
              node_payload_cggmp_frame_bytes(n - 1, MPC_PARAMS_COMPAT));
    }
    for (unsigned n = 3; n <= MPC_SESSION_PARTIES_MAX; n++)
        CHECK(node_payload_frost_frame_bytes(n) >
              node_payload_frost_frame_bytes(n - 1));
}

TEST(node_payload_out_of_range)
{
    CHECK(node_payload_cggmp_frame_bytes(0, MPC_PARAMS_128) == 0);
    CHECK(node_payload_cggmp_frame_bytes(1, MPC_PARAMS_128) == 0);
    CHECK(node_payload_cggmp_frame_bytes(MPC_CGGMP_MAX_PARTIES + 1,
                                         MPC_PARAMS_128) == 0);
    CHECK(node_payload_cggmp_frame_bytes(3, (mpc_params_id)0) == 0);
    CHECK(node_payload_cggmp_frame_bytes(3, (mpc_params_id)99) == 0);
    CHECK(node_payload_frost_frame_bytes(1) == 0);
    CHECK(node_payload_frost_frame_bytes(MPC_SESSION_PARTIES_MAX + 1) == 0);
}

TEST(node_payload_need_covers_everything_and_fits_the_default)
{
    size_t need = node_payload_need_bytes();
    size_t env = NODE_ENVELOPE_P2P_OVERHEAD_BYTES +
                 NODE_ENVELOPE_FIELDS_MAX_BYTES + NODE_PAYLOAD_HEADERS_BYTES;
    CHECK(need >= NODE_ENVELOPE_CONTROL_MAX_BYTES + env);
    for (unsigned n = 2; n <= MPC_CGGMP_MAX_PARTIES; n++) {
        CHECK(need >= node_payload_cggmp_frame_bytes(n, MPC_PARAMS_128) + env);
        CHECK(need >=
              node_payload_cggmp_frame_bytes(n, MPC_PARAMS_COMPAT) + env);
    }
    CHECK(need >=
          node_payload_frost_frame_bytes(MPC_SESSION_PARTIES_MAX) + env);
    /* Every frame the engine would accept must fit the envelope; and a
     * stock nats-server must do. */
    CHECK(
        node_payload_cggmp_frame_bytes(MPC_CGGMP_MAX_PARTIES, MPC_PARAMS_128) <=
        MPC_SESSION_FRAME_MAX_BYTES);
    CHECK(need <= NATS_DEFAULT_MAX_PAYLOAD);
}

/* Aux-info among 2 (2048-bit fixture keys): its frames stay within the
 * bound, and round 2 is exactly the layout the bound assumes. */
TEST(node_payload_bounds_real_aux_info)
{
    const mpc_ctx *ctx[AUX_PARTIES];
    uint8_t primes[AUX_PARTIES][CGGMP_FIXTURE_PRIMES_MAX_BYTES];
    mpc_cggmp_aux_input in[AUX_PARTIES];
    const void *inputs[AUX_PARTIES];
    cggmp_fixture_ctxs(ctx, AUX_PARTIES);
    for (unsigned i = 0; i < AUX_PARTIES; i++) {
        size_t len = 0;
        CHECK(
            cggmp_fixture_primes_bytes(MPC_PARAMS_COMPAT, i, primes[i], &len));
        in[i] = (mpc_cggmp_aux_input){.params = MPC_PARAMS_COMPAT,
                                      .primes = primes[i],
                                      .primes_len = len};
        inputs[i] = &in[i];
    }
    simnet_config c = {.protocol = &mpc_cggmp_aux_protocol,
                       .n = AUX_PARTIES,
                       .inputs = inputs,
                       .ctxs = ctx};
    seen s;
    CHECK(run_recorded(simnet_new_cfg(&c), AUX_PARTIES, &s));
    const mpc_params *p = mpc_params_get(MPC_PARAMS_COMPAT);
    CHECK(s.bcast[2] == 3 * p->n_bytes + mpc_zk_prm_proof_bytes(p) + 64);
    CHECK(s.frame <=
          node_payload_cggmp_frame_bytes(AUX_PARTIES, MPC_PARAMS_COMPAT));
}

/* Presign among 3: the round-2 broadcast grows by four ciphertexts per
 * peer, as the bound assumes; every frame within the bound. */
TEST(node_payload_bounds_real_presign)
{
    const mpc_ctx *ctx[PARTIES];
    mpc_cggmp_key_share ks[PARTIES];
    mpc_cggmp_aux_info aux[PARTIES];
    mpc_cggmp_presign_input in[PARTIES];
    const void *inputs[PARTIES];
    static const uint32_t signers[PARTIES] = {0, 1, 2};
    cggmp_fixture_ctxs(ctx, PARTIES);
    CHECK(cggmp_fixture_dealer(ctx, PARTIES, PARTIES, MPC_PARAMS_COMPAT, ks,
                               aux));
    for (unsigned k = 0; k < PARTIES; k++) {
        memset(&in[k], 0, sizeof in[k]);
        in[k].key = &ks[k];
        in[k].aux = &aux[k];
        in[k].signers = signers;
        memset(in[k].key_id, 0x4b, sizeof in[k].key_id);
        in[k].key_version = 1;
        inputs[k] = &in[k];
    }
    seen s;
    bool ok = run_recorded(
        simnet_new(&mpc_cggmp_presign_protocol, PARTIES, PARTIES, inputs),
        PARTIES, &s);
    cggmp_fixture_clear(ctx, PARTIES, ks, aux);
    CHECK(ok);
    const mpc_params *p = mpc_params_get(MPC_PARAMS_COMPAT);
    CHECK(s.bcast[2] ==
          MPC_SECP256K1_POINT_BYTES + (PARTIES - 1) * 4 * p->ct_bytes);
    CHECK(s.frame <=
          node_payload_cggmp_frame_bytes(PARTIES, MPC_PARAMS_COMPAT));
}
