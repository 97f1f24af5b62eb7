/*
 * libFuzzer target for the FROST round tables (mpc/frost_session.h): a
 * live DKG session (3 parties, threshold 2) or a live signing session (the
 * 3 members of that key), party 0, fed fuzzed messages.
 *
 * The parties' rngs are reseeded identically for every input, so the
 * honest traffic party 0 receives in a clean run (computed once per
 * configuration) stays consistent with the fuzzed party 0. The input
 * scripts deliveries:
 *
 *   byte 0            configuration: even DKG, odd signing
 *   then records      op byte, by op % 5:
 *     0  frame        from (1 byte, may be out of range), length (2 bytes
 *                     big-endian), bytes: a whole frame
 *     1  honest       k: honest message k (any order, repeats)
 *     2  payload      k, length (2 bytes), bytes: honest message k with its
 *                     payload replaced by the bytes, well framed
 *     3  mutated      k, position (2 bytes), xor byte: honest message k with
 *                     one byte changed (xor 0: cut at the position)
 *     4  timeout      advance the clock past the deadline and handle it
 *
 * After every call it checks the engine's contract (driver errors change
 * nothing; any other error leaves the session FAILED with a blame that
 * names only parties of the session; every queued message is a
 * well-formed frame from party 0), and a finished session must give the
 * honest run's group key or a signature libsodium accepts.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mpc/frost_session.h"
#include "mpc/rng.h"
#include "mpc/session.h"
#include "mpc/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N 3
#define T 2
#define CONFIGS 2
#define MAX_HONEST 32
#define FRAME_MAX 4096

static const uint8_t MSG[] = "fuzzed frost session";

struct honest {
    unsigned from;
    uint8_t *data;
    size_t len;
};

static mpc_ctx *ctxs[N];
static mpc_drbg drbgs[N];
static mpc_frost_key_result keys[N]; /* from a setup DKG, for signing */
static mpc_frost_sign_input sign_in[N];
static struct honest cache[CONFIGS][MAX_HONEST];
static size_t ncache[CONFIGS];
static bool cached[CONFIGS];
static uint8_t honest_pk[32]; /* party 0's group key in the honest DKG */

static void require(bool ok)
{
    if (!ok)
        abort();
}

static void reseed(const char *label)
{
    for (unsigned i = 0; i < N; i++) {
        uint8_t seed[16] = {'f', 'r', 'o', 's', 't', (uint8_t)i};
        memcpy(seed + 6, label, strlen(label) < 10 ? strlen(label) : 10);
        mpc_drbg_init(&drbgs[i], seed, sizeof seed);
    }
}

static mpc_session *new_session(unsigned config, unsigned self,
                                uint8_t sid_byte)
{
    mpc_session_params p;
    mpc_session_params_default(&p);
    p.protocol = config ? &mpc_frost_sign_protocol : &mpc_frost_dkg_protocol;
    memset(p.sid, sid_byte, sizeof p.sid);
    p.self = self;
    p.n = N;
    p.threshold = T;
    p.input = config ? &sign_in[self] : NULL;
    p.round_timeout_ms = 1000;
    mpc_session *s = NULL;
    require(mpc_session_new(&s, ctxs[self], &p) == MPC_OK);
    return s;
}

/* Runs all three parties to the end; records what party 0 receives when
 * `rec` is set, and takes the results into `out` (keys or signatures). */
static void run_all(unsigned config, bool rec, void *out, size_t out_bytes)
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
        require(mpc_session_take_result(s[i], (uint8_t *)out + i * out_bytes,
                                        out_bytes) == MPC_OK);
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
    run_all(0, false, keys, sizeof keys[0]);
    for (unsigned i = 0; i < N; i++)
        sign_in[i] = (mpc_frost_sign_input){.key = &keys[i].key,
                                            .ids = keys[0].ids,
                                            .vshares = keys[0].vshares,
                                            .n_signers = N,
                                            .msg = MSG,
                                            .msg_len = sizeof MSG};
}

static void honest_run(unsigned config)
{
    union {
        mpc_frost_key_result k[N];
        mpc_frost_sign_result s[N];
    } r;
    reseed("run");
    if (config == 0) {
        run_all(config, true, r.k, sizeof r.k[0]);
        mpc_point_serialize(mpc_ctx_group(ctxs[0], MPC_CURVE_ED25519),
                            honest_pk, &r.k[0].group_pk);
        for (unsigned i = 0; i < N; i++)
            mpc_frost_key_result_clear(&r.k[i]);
    } else {
        run_all(config, true, r.s, sizeof r.s[0]);
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
        require(!mpc_blame_has(&b, 0) || !b.attributable);
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

/* Honest message h with its payload replaced by p[0..len), re-framed. */
static mpc_err recv_payload(mpc_session *s, const struct honest *h,
                            const uint8_t *p, size_t len, uint64_t now)
{
    mpc_session_frame f;
    require(mpc_session_frame_parse(&f, h->data, h->len) == MPC_OK);
    f.payload = p;
    f.payload_len = len;
    if (f.kind == MPC_SESSION_ECHO)
        f.payload_len = 0; /* echoes carry none */
    uint8_t frame[FRAME_MAX + 2 * 1024];
    mpc_wire_writer w;
    const uint8_t *d;
    size_t dlen;
    mpc_wire_writer_init_fixed(&w, frame, sizeof frame);
    require(mpc_session_frame_serialize(&w, &f) == MPC_OK);
    require(mpc_wire_writer_finish(&w, &d, &dlen) == MPC_OK);
    uint8_t *copy = malloc(dlen); /* exact size: ASan sees overreads */
    require(copy != NULL);
    memcpy(copy, d, dlen);
    mpc_err e = mpc_session_recv(s, h->from, copy, dlen, now);
    free(copy);
    return e;
}

/* A finished party 0 must hold what the honest run gave it. */
static void check_result(mpc_session *s, unsigned config)
{
    if (config == 0) {
        mpc_frost_key_result r;
        require(mpc_session_take_result(s, &r, sizeof r) == MPC_OK);
        require(r.has_key && r.n == N && r.threshold == T);
        uint8_t pk[32];
        mpc_point_serialize(mpc_ctx_group(ctxs[0], MPC_CURVE_ED25519), pk,
                            &r.group_pk);
        require(memcmp(pk, honest_pk, sizeof pk) == 0);
        mpc_frost_key_result_clear(&r);
        return;
    }
    mpc_frost_sign_result r;
    require(mpc_session_take_result(s, &r, sizeof r) == MPC_OK);
    require(crypto_sign_verify_detached(r.sig, MSG, sizeof MSG, r.pk) == 0);
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
        now++;
        mpc_err e = MPC_OK;
        if (op % 5 == 0 && i + 3 <= size) {
            unsigned from = data[i] % 4;
            size_t len = (size_t)data[i + 1] << 8 | data[i + 2];
            i += 3;
            if (len > size - i)
                len = size - i;
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
            if (len > size - i)
                len = size - i;
            if (len > FRAME_MAX)
                len = FRAME_MAX;
            e = recv_payload(s, h, data + i, len, now);
            i += len;
        } else if (op % 5 == 3 && i + 4 <= size) {
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
