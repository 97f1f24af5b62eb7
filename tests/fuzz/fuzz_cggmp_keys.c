/*
 * libFuzzer target for the CGGMP21 key protocols (mpc/cggmp_keys.h): a
 * live threshold keygen (3 parties, threshold 2) or a live refresh of
 * that key, party 0, fed fuzzed messages. (Aux-info is left to the proof
 * parsers' own targets: one honest run costs seconds.)
 *
 * The parties' rngs are reseeded identically for every input, so the
 * honest traffic party 0 receives in a clean run (computed once per
 * configuration) stays consistent with the fuzzed party 0. The input
 * scripts deliveries:
 *
 *   byte 0            configuration: even keygen, odd refresh
 *   then records      op byte, by op % 5:
 *     0  frame        from (1 byte), length (2 bytes big-endian), bytes
 *     1  honest       k: honest message k
 *     2  payload      k, length (2 bytes), bytes: honest message k with its
 *                     payload replaced, well framed
 *     3  mutated      k, position (2 bytes), xor byte (xor 0: cut there)
 *     4  timeout      advance the clock past the deadline
 *
 * After every call it checks the engine's contract (driver errors change
 * nothing, other errors leave the session FAILED with a blame naming only
 * peers), and a finished session must hold the honest run's joint key.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mpc/cggmp_keys.h"
#include "mpc/rng.h"
#include "mpc/session.h"
#include "mpc/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N 3
#define T 2
#define CONFIGS 2
#define MAX_HONEST 32
#define FRAME_MAX 4096

struct honest {
    unsigned from;
    uint8_t *data;
    size_t len;
};

static mpc_ctx *ctxs[N];
static mpc_drbg drbgs[N];
static mpc_cggmp_key_share keys[N]; /* from a setup keygen, for refresh */
static struct honest cache[CONFIGS][MAX_HONEST];
static size_t ncache[CONFIGS];
static bool cached[CONFIGS];
static uint8_t honest_pk[CONFIGS][MPC_SECP256K1_POINT_BYTES];

static void require(bool ok)
{
    if (!ok)
        abort();
}

static void reseed(const char *label)
{
    for (unsigned i = 0; i < N; i++) {
        uint8_t seed[16] = {'c', 'g', 'g', 'm', 'p', (uint8_t)i};
        memcpy(seed + 6, label, strlen(label) < 10 ? strlen(label) : 10);
        mpc_drbg_init(&drbgs[i], seed, sizeof seed);
    }
}

static mpc_session *new_session(unsigned config, unsigned self,
                                uint8_t sid_byte)
{
    mpc_session_params p;
    mpc_session_params_default(&p);
    p.protocol =
        config ? &mpc_cggmp_refresh_protocol : &mpc_cggmp_keygen_protocol;
    memset(p.sid, sid_byte, sizeof p.sid);
    p.self = self;
    p.n = N;
    p.threshold = T;
    p.input = config ? &keys[self] : NULL;
    p.round_timeout_ms = 1000;
    mpc_session *s = NULL;
    require(mpc_session_new(&s, ctxs[self], &p) == MPC_OK);
    return s;
}

/* Runs all parties to the end, recording what party 0 receives when rec
 * is set; the results go to out. */
static void run_all(unsigned config, bool rec, mpc_cggmp_key_share *out)
{
    mpc_session *s[N];
    for (unsigned i = 0; i < N; i++)
        s[i] = new_session(config, i, rec ? (uint8_t)config : 0xee);
    for (unsigned i = 0; i < N; i++)
        require(mpc_session_start(s[i], 0) == MPC_OK);
    for (bool moved = true; moved;) {
        moved = false;
        for (unsigned i = 0; i < N; i++) {
            mpc_session_msg m;
            while (mpc_session_pop_outgoing(s[i], &m)) {
                moved = true;
                for (unsigned j = 0; j < N; j++) {
                    if (j == i || (m.to != MPC_SESSION_TO_ALL && m.to != j))
                        continue;
                    if (j == 0 && rec && ncache[config] < MAX_HONEST) {
                        struct honest *h = &cache[config][ncache[config]++];
                        h->from = i;
                        h->data = malloc(m.len);
                        require(h->data != NULL);
                        memcpy(h->data, m.data, m.len);
                        h->len = m.len;
                    }
                    require(mpc_session_recv(s[j], i, m.data, m.len, 1) ==
                            MPC_OK);
                }
            }
        }
    }
    for (unsigned i = 0; i < N; i++) {
        require(mpc_session_status(s[i]) == MPC_SESSION_DONE);
        require(mpc_session_take_result(s[i], &out[i], sizeof out[i]) ==
                MPC_OK);
        mpc_session_free(s[i]);
    }
}

static void setup(void)
{
    if (ctxs[0] != NULL)
        return;
    for (unsigned i = 0; i < N; i++) {
        mpc_ctx_config cfg = {.rng = mpc_drbg_fill, .rng_ud = &drbgs[i]};
        require(mpc_ctx_new(&ctxs[i], &cfg) == MPC_OK);
    }
    reseed("key");
    run_all(0, false, keys);
}

static void honest_run(unsigned config)
{
    mpc_cggmp_key_share r[N];
    reseed("run");
    run_all(config, true, r);
    mpc_point_serialize(mpc_ctx_group(ctxs[0], MPC_CURVE_SECP256K1),
                        honest_pk[config], &r[0].pubkey);
    for (unsigned i = 0; i < N; i++)
        mpc_cggmp_key_share_clear(ctxs[i], &r[i]);
    cached[config] = true;
}

static void check(mpc_session *s, mpc_err e, mpc_session_state before)
{
    mpc_session_state st = mpc_session_status(s);
    if (e == MPC_ERR_INVALID_ARG || e == MPC_ERR_STATE)
        require(st == before);
    else if (e != MPC_OK)
        require(st == MPC_SESSION_FAILED);
    mpc_blame b;
    if (st == MPC_SESSION_FAILED) {
        require(mpc_session_blame(s, &b) == MPC_OK);
        require(b.err != MPC_OK);
        require(memchr(b.detail, 0, sizeof b.detail) != NULL);
        require(!mpc_blame_has(&b, 0) || !b.attributable);
        for (unsigned i = N; i < 8 * MPC_BLAME_SET_BYTES; i++)
            require(!mpc_blame_has(&b, i));
    }
    mpc_session_msg m;
    while (mpc_session_pop_outgoing(s, &m)) {
        mpc_session_frame f;
        require(mpc_session_frame_parse(&f, m.data, m.len) == MPC_OK);
        require(f.from == 0 && f.round >= 1 && f.round <= 3);
    }
}

static mpc_err recv_payload(mpc_session *s, const struct honest *h,
                            const uint8_t *p, size_t len, uint64_t now)
{
    mpc_session_frame f;
    require(mpc_session_frame_parse(&f, h->data, h->len) == MPC_OK);
    f.payload = p;
    f.payload_len = f.kind == MPC_SESSION_ECHO ? 0 : len;
    uint8_t frame[FRAME_MAX + 2 * 1024];
    mpc_wire_writer w;
    const uint8_t *d;
    size_t dlen;
    mpc_wire_writer_init_fixed(&w, frame, sizeof frame);
    require(mpc_session_frame_serialize(&w, &f) == MPC_OK);
    require(mpc_wire_writer_finish(&w, &d, &dlen) == MPC_OK);
    uint8_t *copy = malloc(dlen);
    require(copy != NULL);
    memcpy(copy, d, dlen);
    mpc_err e = mpc_session_recv(s, h->from, copy, dlen, now);
    free(copy);
    return e;
}

static void check_result(mpc_session *s, unsigned config)
{
    mpc_cggmp_key_share r;
    uint8_t pk[MPC_SECP256K1_POINT_BYTES];
    require(mpc_session_take_result(s, &r, sizeof r) == MPC_OK);
    require(r.n == N && r.t == T && r.self == 0);
    mpc_point_serialize(mpc_ctx_group(ctxs[0], MPC_CURVE_SECP256K1), pk,
                        &r.pubkey);
    require(memcmp(pk, honest_pk[config], sizeof pk) == 0);
    mpc_cggmp_key_share_clear(ctxs[0], &r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    setup();
    unsigned config = data[0] % CONFIGS;
    if (!cached[config])
        honest_run(config);
    const struct honest *hs = cache[config];
    size_t nh = ncache[config];

    reseed("run");
    mpc_session *s = new_session(config, 0, (uint8_t)config);
    uint64_t now = 0;
    check(s, mpc_session_start(s, now), MPC_SESSION_RUNNING);
    size_t i = 1;
    while (i < size) {
        uint8_t op = data[i++];
        mpc_session_state before = mpc_session_status(s);
        mpc_err e = MPC_OK;
        now++;
        if (op % 5 == 0 && i + 3 <= size) {
            unsigned from = data[i] % 4;
            size_t len = (size_t)data[i + 1] << 8 | data[i + 2];
            i += 3;
            len = len > size - i ? size - i : len;
            uint8_t *copy = malloc(len > 0 ? len : 1);
            require(copy != NULL);
            memcpy(copy, data + i, len);
            e = mpc_session_recv(s, from, copy, len, now);
            free(copy);
            i += len;
        } else if (op % 5 == 1 && i + 1 <= size) {
            const struct honest *h = &hs[data[i++] % nh];
            e = mpc_session_recv(s, h->from, h->data, h->len, now);
        } else if (op % 5 == 2 && i + 3 <= size) {
            const struct honest *h = &hs[data[i] % nh];
            size_t len = (size_t)data[i + 1] << 8 | data[i + 2];
            i += 3;
            len = len > size - i ? size - i : len;
            len = len > FRAME_MAX ? FRAME_MAX : len;
            e = recv_payload(s, h, data + i, len, now);
            i += len;
        } else if (op % 5 == 3 && i + 4 <= size) {
            const struct honest *h = &hs[data[i] % nh];
            size_t pos = ((size_t)data[i + 1] << 8 | data[i + 2]) % h->len;
            uint8_t x = data[i + 3];
            i += 4;
            uint8_t *copy = malloc(h->len);
            require(copy != NULL);
            memcpy(copy, h->data, h->len);
            copy[pos] ^= x;
            e = mpc_session_recv(s, h->from, copy, x == 0 ? pos : h->len, now);
            free(copy);
        } else if (op % 5 == 4) {
            now += 2000;
            e = mpc_session_handle_timeout(s, now);
        } else {
            break;
        }
        check(s, e, before);
    }
    if (mpc_session_status(s) == MPC_SESSION_DONE)
        check_result(s, config);
    mpc_session_free(s);
    return 0;
}
