/*
 * libFuzzer target for the round engine: arbitrary messages to a live
 * session of the toy protocol (tests/protocol/session_toy.c), party 0 of 3.
 *
 * To reach every round, the target first computes, once per configuration,
 * the honest traffic party 0 receives in a clean run (the three parties'
 * rngs are reseeded identically for every input, so that traffic stays
 * consistent with the fuzzed party 0). The input then scripts deliveries:
 *
 *   byte 0            configuration: dealers = bits 0-2, bit 3 = no final
 *                     echo
 *   then records      op byte, by op % 4:
 *     0  raw          from (1 byte, may be out of range), length (2 bytes
 *                     big-endian), bytes
 *     1  honest       k: honest message k (as sent, any order, repeats)
 *     2  mutated      k, position (2 bytes), xor byte: honest message k
 *                     with one byte changed (xor 0: cut at the position)
 *     3  timeout      advance the clock past the deadline and handle it
 *
 * After every call it checks the engine's contract: driver errors change
 * nothing; any other error leaves the session FAILED with that error in the
 * blame; every queued message is a well-formed frame from party 0.
 */
#include "tests/protocol/session_toy.c"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mpc/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N 3
#define CONFIGS 16
#define MAX_HONEST 48

struct honest {
    unsigned from;
    uint8_t *data;
    size_t len;
};

static mpc_ctx *ctxs[N];
static mpc_drbg drbgs[N];
static struct honest cache[CONFIGS][MAX_HONEST];
static size_t ncache[CONFIGS];
static bool cached[CONFIGS];

static void require(bool ok)
{
    if (!ok)
        abort();
}

static void reseed(void)
{
    for (unsigned i = 0; i < N; i++) {
        uint8_t seed[] = {'f', 'u', 'z', 'z', (uint8_t)i};
        mpc_drbg_init(&drbgs[i], seed, sizeof seed);
    }
}

static void setup(void)
{
    if (ctxs[0] != NULL)
        return;
    reseed();
    for (unsigned i = 0; i < N; i++) {
        mpc_ctx_config cfg = {.rng = mpc_drbg_fill, .rng_ud = &drbgs[i]};
        require(mpc_ctx_new(&ctxs[i], &cfg) == MPC_OK);
    }
}

static mpc_session *new_session(unsigned config, unsigned self)
{
    toy_input in = {.a = 10 + self, .x = 20 + self};
    for (unsigned d = 0; d < N; d++)
        if (config >> d & 1)
            toy_set_dealer(&in, d);
    mpc_session_params p;
    mpc_session_params_default(&p);
    p.protocol = config & 8 ? &toy_protocol_noecho : &toy_protocol;
    memset(p.sid, 0x5a, sizeof p.sid);
    p.self = self;
    p.n = N;
    p.threshold = 2;
    p.input = &in;
    p.round_timeout_ms = 1000;
    mpc_session *s = NULL;
    require(mpc_session_new(&s, ctxs[self], &p) == MPC_OK);
    return s;
}

static void record(unsigned config, unsigned from, const uint8_t *d, size_t len)
{
    if (ncache[config] == MAX_HONEST)
        return;
    struct honest *h = &cache[config][ncache[config]++];
    h->from = from;
    h->data = malloc(len);
    require(h->data != NULL);
    memcpy(h->data, d, len);
    h->len = len;
}

/* An honest run of all three; records what party 0 receives. */
static void honest_run(unsigned config)
{
    reseed();
    mpc_session *s[N];
    for (unsigned i = 0; i < N; i++)
        s[i] = new_session(config, i);
    for (unsigned i = 0; i < N; i++)
        require(mpc_session_start(s[i], 0) == MPC_OK);
    for (bool progress = true; progress;) {
        progress = false;
        for (unsigned i = 0; i < N; i++) {
            mpc_session_msg m;
            while (mpc_session_pop_outgoing(s[i], &m)) {
                progress = true;
                for (unsigned j = 0; j < N; j++) {
                    if (j == i || (m.to != MPC_SESSION_TO_ALL && m.to != j))
                        continue;
                    if (j == 0)
                        record(config, i, m.data, m.len);
                    require(mpc_session_recv(s[j], i, m.data, m.len, 1) ==
                            MPC_OK);
                }
            }
        }
    }
    for (unsigned i = 0; i < N; i++) {
        require(mpc_session_status(s[i]) == MPC_SESSION_DONE);
        mpc_session_free(s[i]);
    }
    cached[config] = true;
}

/* Checks the contract after a call that returned `e`. */
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
        require(before == MPC_SESSION_FAILED || e == MPC_OK || b.err == e);
        require(memchr(b.detail, 0, sizeof b.detail) != NULL);
        require(!b.attributable || mpc_blame_count(&b) >= 1);
        for (unsigned i = N; i < 8 * MPC_BLAME_SET_BYTES; i++)
            require(!mpc_blame_has(&b, i));
    } else {
        require(mpc_session_blame(s, &b) == MPC_ERR_STATE);
    }
    mpc_session_msg m;
    while (mpc_session_pop_outgoing(s, &m)) {
        mpc_session_frame f;
        require(mpc_session_frame_parse(&f, m.data, m.len) == MPC_OK);
        require(f.from == 0 && f.round >= 1 && f.round <= 3);
        require(m.to == MPC_SESSION_TO_ALL || m.to < N);
    }
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

    reseed();
    mpc_session *s = new_session(config, 0);
    uint64_t now = 0;
    check(s, mpc_session_start(s, now), MPC_SESSION_RUNNING);

    size_t i = 1;
    while (i < size) {
        uint8_t op = data[i++];
        mpc_session_state before = mpc_session_status(s);
        now++;
        mpc_err e = MPC_OK;
        if (op % 4 == 0 && i + 3 <= size) {
            unsigned from = data[i] % 4;
            size_t len = (size_t)data[i + 1] << 8 | data[i + 2];
            i += 3;
            if (len > size - i)
                len = size - i;
            /* An exact-size copy, so ASan sees any overread. */
            uint8_t *copy = malloc(len > 0 ? len : 1);
            require(copy != NULL);
            memcpy(copy, data + i, len);
            e = mpc_session_recv(s, from, copy, len, now);
            free(copy);
            i += len;
        } else if (op % 4 == 1 && i + 1 <= size && nh > 0) {
            const struct honest *h = &hs[data[i++] % nh];
            e = mpc_session_recv(s, h->from, h->data, h->len, now);
        } else if (op % 4 == 2 && i + 4 <= size && nh > 0) {
            const struct honest *h = &hs[data[i] % nh];
            size_t pos = ((size_t)data[i + 1] << 8 | data[i + 2]) % h->len;
            uint8_t x = data[i + 3];
            i += 4;
            size_t len = x == 0 ? pos : h->len;
            uint8_t *copy = malloc(h->len);
            require(copy != NULL);
            memcpy(copy, h->data, h->len);
            copy[pos] ^= x;
            e = mpc_session_recv(s, h->from, copy, len, now);
            free(copy);
        } else if (op % 4 == 3) {
            now += 2000;
            e = mpc_session_handle_timeout(s, now);
        } else {
            break;
        }
        check(s, e, before);
    }
    if (mpc_session_status(s) == MPC_SESSION_DONE) {
        toy_result r;
        require(mpc_session_take_result(s, &r, sizeof r) == MPC_OK);
        require(r.sum_public == 10 + 11 + 12);
    }
    mpc_session_free(s);
    return 0;
}
