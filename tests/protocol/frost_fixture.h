/*
 * tests/protocol/frost_fixture.h — shared helpers of the FROST protocol
 * tests: a pool of party contexts, whole DKG and signing runs on simnet,
 * libsodium verification, and blame checks.
 *
 *     fx_pool pool;
 *     fx_pool_init(&pool);
 *     fx_key k;
 *     REQUIRE(fx_dkg(&k, &pool, 5, 3, NULL));
 *     unsigned signers[] = {0, 2, 4};
 *     REQUIRE(fx_sign(&k, &pool, signers, 3, msg, len, NULL, sig));
 *     fx_key_clear(&k);
 *
 * Every helper returns false after recording a failure (REQUIRE).
 */
#ifndef TESTS_FROST_FIXTURE_H
#define TESTS_FROST_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/frost_session.h"
#include "mpc/session.h"
#include "tests/protocol/simnet.h"

/* The most parties a fixture key or session has. */
#define FX_MAXN 8
#define FX_STEPS 400000

/* One context per simulated party, kept for the whole test (key results
 * hold arrays allocated with them). */
typedef struct fx_pool {
    const mpc_ctx *ctx[FX_MAXN];
} fx_pool;

void fx_pool_init(fx_pool *pool);

/* A context (freed by the caller) whose allocator fails once fx_budget
 * more allocations have been made; SIZE_MAX never fails. */
extern size_t fx_budget;
mpc_ctx *fx_weak_ctx_new(void);

/* Every party's key result of one key, r[i] for committee member i. */
typedef struct fx_key {
    unsigned n, t;
    mpc_frost_key_result r[FX_MAXN];
} fx_key;

void fx_key_clear(fx_key *k);

/* The Ed25519 group. */
const mpc_group *fx_group(void);

/* A net of `protocol` over the first n contexts of the pool. */
simnet *fx_net(const mpc_protocol *protocol, const fx_pool *pool, unsigned n,
               unsigned t, const void *const *inputs);

/* Takes every party's key result from a finished net and checks that
 * they agree: same group key, ids and verifying shares, each share
 * matching its verifying share. Parties with has_key go into k->r. */
bool fx_take_keys(simnet *net, unsigned n, fx_key *k);

/* DKG among n parties with threshold t (ids may be NULL: defaults). */
bool fx_dkg(fx_key *k, const fx_pool *pool, unsigned n, unsigned t,
            const mpc_scalar *ids);

/* Fills signing inputs for signers[0..ns) of key k: session party i is
 * committee member signers[i]; ids and vs get ns entries. */
void fx_sign_inputs(const fx_key *k, const unsigned *signers, unsigned ns,
                    const uint8_t *msg, size_t len, const mpc_hd_child *derive,
                    mpc_frost_sign_input *in, mpc_scalar *ids, mpc_point *vs,
                    const void **ptrs);

/* A whole signing session: every signer DONE with the same signature,
 * which libsodium verifies under the (derived) key. */
bool fx_sign(const fx_key *k, const fx_pool *pool, const unsigned *signers,
             unsigned ns, const uint8_t *msg, size_t len,
             const mpc_hd_child *derive, uint8_t sig[64]);

/* crypto_sign_verify_detached against pk. */
bool fx_verify(const uint8_t sig[64], const uint8_t *msg, size_t len,
               const mpc_point *pk);

/* Party `who` FAILED with `reason`, blaming exactly the parties of `mask`
 * with certainty. */
bool fx_blamed(const simnet *net, unsigned who, mpc_blame_reason reason,
               unsigned mask);

/* Every party but those in `skip` FAILED blaming `culprit` with certainty
 * (reason any), or timed out naming a party that failed itself. */
bool fx_honest_blame(const simnet *net, unsigned n, unsigned skip,
                     unsigned culprit);

/* ---- tampering ---------------------------------------------------------- */

/* Writes the replacement payload of one copy; false keeps the copy. */
typedef bool (*fx_rewrite_fn)(void *ud, const mpc_session_frame *f,
                              mpc_wire_writer *payload);

/* A simnet hook (fx_tamper_hook, ud = this) that rewrites the payloads of
 * one round and kind sent to the parties of `victims` (a bit mask). */
typedef struct fx_tamper {
    unsigned round;
    mpc_session_kind kind;
    unsigned victims;
    fx_rewrite_fn fn;
    void *ud;
    unsigned hits; /* copies seen */
} fx_tamper;

simnet_verdict fx_tamper_hook(void *ud, mpc_session_frame *f,
                              mpc_wire_writer *payload);

/* A simnet hook (fx_record_hook, ud = this) that keeps a copy of the first
 * frame of (round, kind) sent to `to`, as the recipient gets it. */
typedef struct fx_record {
    unsigned round;
    mpc_session_kind kind;
    unsigned to;
    unsigned from;
    uint8_t frame[16384];
    size_t len;
    uint8_t payload[16384];
    size_t payload_len;
} fx_record;

simnet_verdict fx_record_hook(void *ud, mpc_session_frame *f,
                              mpc_wire_writer *payload);

/*
 * A simnet hook (fx_liar_hook, ud = this) for a party that broadcasts a
 * rewritten payload in `round` (the same to everybody) and stands by it:
 * its own echoes carry the digest of the rewritten frame, so the engine's
 * reliable broadcast passes and only the protocol's checks can catch it.
 * `rank` is the position of the liar's own broadcast in its echoes.
 */
typedef struct fx_liar {
    unsigned round;
    unsigned rank;
    fx_rewrite_fn fn;
    void *ud;
    unsigned lies;
    uint8_t digest[32];
    uint8_t echo[8192];
} fx_liar;

simnet_verdict fx_liar_hook(void *ud, mpc_session_frame *f,
                            mpc_wire_writer *payload);

/* Serializes a frame into out[0..cap). */
bool fx_frame_encode(const mpc_session_frame *f, uint8_t *out, size_t cap,
                     size_t *len);

#endif
