/*
 * libFuzzer target for node/envelope: the envelope parser and open, the
 * control-message parsers, and tampering of sealed envelopes.
 *
 * Input: data[0] picks a mode, the rest drives it.
 *   0 (and any mode byte not below): open(rest) at node 1. Checked: no
 *     crash or leak; on success the evidence verifies under the sender's
 *     key, the sender is a peer, and control kinds come parsed; on failure
 *     everything but the claimed sender is zero.
 *   1: control_parse(kind = rest[0] % 9, rest[1..]). Checked: on success
 *     the bytes are exactly protobuf-c's encoding of what was parsed.
 *   2: seal(rest[2..]) as a frame of kind rest[0] % 3 + 1 from node 0 (to
 *     node 1 or everyone), round rest[0] / 3 % 16 + 1; it must open at
 *     node 1 to the same fields; then flipping bit rest[1] of any one byte
 *     (position from the payload's first bytes) must make open fail.
 *
 * Node objects need the generated protobuf code and libprotobuf-c: the
 * Makefile's fuzz-build links only libmpc.a (see the report in
 * docs/wire.md §8 for the command that builds this target).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mpc/ctx.h"
#include "mpc/rng.h"
#include "node/envelope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NODES 3
static const char *const ids[NODES] = {"node0", "node1", "node2"};

static struct {
    bool ready;
    mpc_ctx *ctx;
    mpc_drbg drbg;
    uint8_t pk[NODES][32];
    node_envelope_self self[NODES];
    node_envelope_peer peers[NODES][NODES - 1];
} fx;

static void require(bool ok)
{
    if (!ok)
        abort();
}

static void setup(void)
{
    if (fx.ready)
        return;
    require(sodium_init() >= 0);
    mpc_drbg_init(&fx.drbg, (const uint8_t *)"fuzz-envelope", 13);
    mpc_ctx_config cfg = {.rng = mpc_drbg_fill, .rng_ud = &fx.drbg};
    require(mpc_ctx_new(&fx.ctx, &cfg) == MPC_OK);
    uint8_t sk[NODES][64];
    for (int i = 0; i < NODES; i++) {
        uint8_t seed[32];
        memset(seed, 0x30 + i, sizeof seed);
        require(crypto_sign_seed_keypair(fx.pk[i], sk[i], seed) == 0);
        require(node_envelope_self_init(&fx.self[i], ids[i], sk[i]) == MPC_OK);
    }
    for (int i = 0; i < NODES; i++) {
        int k = 0;
        for (int j = 0; j < NODES; j++)
            if (j != i)
                require(node_envelope_peer_init(&fx.peers[i][k++], &fx.self[i],
                                                ids[j], fx.pk[j]) == MPC_OK);
    }
    fx.ready = true;
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

static void check_open(const uint8_t *buf, size_t len)
{
    node_envelope env;
    mpc_err err =
        node_envelope_open(&env, &fx.self[1], fx.peers[1], NODES - 1, buf, len);
    if (err != MPC_OK) {
        node_envelope copy = env;
        require(node_envelope_id_is_valid(copy.sender, strlen(copy.sender)) ||
                copy.sender[0] == '\0');
        memset(copy.sender, 0, sizeof copy.sender);
        require(all_zero(&copy, sizeof copy));
        return;
    }
    require(env.peer < NODES - 1);
    const node_envelope_peer *from = &fx.peers[1][env.peer];
    require(strcmp(env.sender, from->id) == 0);
    require(env.recipient[0] == '\0' || strcmp(env.recipient, ids[1]) == 0);
    require(env.payload_len <= NODE_ENVELOPE_PAYLOAD_MAX_BYTES);
    require(node_envelope_kind_is_frame(env.meta.kind) ==
            (env.control == NULL));
    require(node_envelope_evidence_verify(&env, from->sign_pk) == MPC_OK);
    node_envelope_clear(&env);
}

static void check_control(const uint8_t *data, size_t size)
{
    if (size < 1)
        return;
    node_envelope_kind kind = (node_envelope_kind)(data[0] % 9);
    ProtobufCMessage *m = NULL;
    mpc_err err = node_envelope_control_parse(&m, kind, data + 1, size - 1);
    if (err != MPC_OK) {
        require(m == NULL);
        return;
    }
    size_t n = protobuf_c_message_get_packed_size(m);
    require(n == size - 1);
    uint8_t *again = malloc(n + 1);
    require(again != NULL);
    require(protobuf_c_message_pack(m, again) == n);
    require(n == 0 || memcmp(again, data + 1, n) == 0);
    free(again);
    node_envelope_control_free(m);
}

static void check_tamper(const uint8_t *data, size_t size)
{
    if (size < 2)
        return;
    node_envelope_meta m;
    memset(&m, 0, sizeof m);
    m.op = NODE_ENVELOPE_OP_SIGN_ECDSA;
    m.kind = (node_envelope_kind)(data[0] % 3 + 1);
    m.round = (unsigned)(data[0] / 3 % 16 + 1);
    m.timestamp_ms = 1234;
    memset(m.sid, 0x5a, sizeof m.sid);
    const uint8_t *payload = data + 2;
    size_t len = size - 2;
    bool to_one = m.kind == NODE_ENVELOPE_P2P || (data[1] & 0x80);
    size_t cap = node_envelope_seal_bound(len);
    uint8_t *buf = malloc(cap);
    require(buf != NULL);
    size_t out_len;
    require(node_envelope_seal(fx.ctx, buf, cap, &out_len, &fx.self[0],
                               to_one ? &fx.peers[0][0] : NULL, &m, payload,
                               len) == MPC_OK);
    node_envelope env;
    require(node_envelope_open(&env, &fx.self[1], fx.peers[1], NODES - 1, buf,
                               out_len) == MPC_OK);
    require(memcmp(env.meta.sid, m.sid, sizeof m.sid) == 0 &&
            env.meta.op == m.op && env.meta.kind == m.kind &&
            env.meta.round == m.round &&
            env.meta.timestamp_ms == m.timestamp_ms);
    require(env.payload_len == len &&
            (len == 0 || memcmp(env.payload, payload, len) == 0));
    node_envelope_clear(&env);

    size_t pos = 0;
    for (size_t i = 0; i < len && i < 4; i++)
        pos = pos * 256 + payload[i];
    pos %= out_len;
    buf[pos] ^= (uint8_t)(1u << (data[1] & 7));
    require(node_envelope_open(&env, &fx.self[1], fx.peers[1], NODES - 1, buf,
                               out_len) != MPC_OK);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    if (size == 0)
        return 0;
    switch (data[0]) {
    case 1:
        check_control(data + 1, size - 1);
        break;
    case 2:
        check_tamper(data + 1, size - 1);
        break;
    default:
        check_open(data + 1, size - 1);
        break;
    }
    return 0;
}
