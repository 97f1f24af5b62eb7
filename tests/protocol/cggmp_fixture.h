/*
 * tests/protocol/cggmp_fixture.h — shared helpers of the CGGMP21 tests:
 * Paillier keys from the committed safe primes (tests/vectors/
 * paillier-fixtures.txt; tests never generate primes) and a trusted
 * dealer that hands n parties ready key shares and aux info.
 *
 *     const mpc_ctx *ctx[3] = {test_new_ctx("p0"), ...};
 *     mpc_cggmp_key_share ks[3];
 *     mpc_cggmp_aux_info aux[3];
 *     REQUIRE(cggmp_fixture_dealer(ctx, 3, 2, MPC_PARAMS_COMPAT, ks, aux));
 *     ...
 *     cggmp_fixture_clear(ctx, 3, ks, aux);
 *
 * Every helper returns false after recording a failure (REQUIRE).
 */
#ifndef TESTS_CGGMP_FIXTURE_H
#define TESTS_CGGMP_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include <gmp.h>

#include "mpc/cggmp.h"
#include "mpc/cggmp_sign.h"
#include "mpc/ctx.h"
#include "mpc/params.h"
#include "mpc/session.h"
#include "tests/protocol/simnet.h"

/* Distinct fixture Paillier keys per set: 8 compat, 3 of the 128-bit set. */
#define CGGMP_FIXTURE_KEYS_COMPAT 8
#define CGGMP_FIXTURE_KEYS_128 3

/* The secp256k1 group of ctx. */
const mpc_group *cggmp_group(const mpc_ctx *ctx);

/* p, q (init'ed by the caller) = the primes of fixture key `index` of set
 * `id`; index is taken modulo the number of keys of the set. */
bool cggmp_fixture_primes(mpc_params_id id, unsigned index, mpz_t p, mpz_t q);

/* sk (init'ed) = fixture key `index` of set `id` (index modulo the number
 * of keys), built with ctx. */
bool cggmp_fixture_paillier(const mpc_ctx *ctx, mpc_params_id id,
                            unsigned index, mpc_paillier_sk *sk);

/* Up to 8 contexts, one per party, made with test_new_ctx. */
void cggmp_fixture_ctxs(const mpc_ctx **ctx, unsigned n);

/* The largest p || q of any set (2 * 1536 / 8). */
#define CGGMP_FIXTURE_PRIMES_MAX_BYTES 384

/* buf = p || q of fixture key `index` of set `id` (the aux-info input
 * format); *len = its length. */
bool cggmp_fixture_primes_bytes(mpc_params_id id, unsigned index,
                                uint8_t buf[CGGMP_FIXTURE_PRIMES_MAX_BYTES],
                                size_t *len);

/* Party k (and only k) of the net, plus the blame checks: every party of
 * `honest` (a mask) FAILED blaming exactly `culprit` with certainty, with
 * reason `reason` (or PARSE/VERIFY when reason is MPC_BLAME_NONE). */
bool cggmp_fixture_blamed(const simnet *net, unsigned honest, unsigned culprit,
                          mpc_blame_reason reason);

/* A simnet hook (ud = this) that rewrites the payload of the hooked
 * party's copies of one round and kind sent to the parties in `victims`
 * (a mask): truncated or zero-padded to new_len (0: same length), then
 * passed through fn (may be NULL). */
typedef struct cggmp_tamper {
    unsigned round;
    mpc_session_kind kind;
    unsigned victims;
    void (*fn)(uint8_t *payload, size_t len);
    size_t new_len;
} cggmp_tamper;

simnet_verdict cggmp_tamper_hook(void *ud, mpc_session_frame *f,
                                 mpc_wire_writer *payload);
void cggmp_flip_middle(uint8_t *p, size_t len);
void cggmp_flip_last(uint8_t *p, size_t len);

/*
 * A culprit whose round-2 opening is bad but matches its round-1
 * commitment (aux-info, keygen, refresh): the hook (ud = this, zeroed but
 * for the first four fields; large: make it static) holds back the
 * hooked party's round-1 commitment; when its round-2 opening goes out,
 * it passes it through fn, commits to the result (mpc_cggmp_commit),
 * injects that commitment as round 1 and re-sends the round-2 messages
 * with the echo fixed so that the broadcast check agrees. The opening
 * must fit in `opening`.
 */
struct cggmp_pending {
    mpc_session_frame f;
};

typedef struct cggmp_committed_tamper {
    simnet *net;
    unsigned n;
    uint32_t protocol_id;
    void (*fn)(uint8_t *opening, size_t len);
    /* private */
    bool ready;
    uint8_t opening[1u << 17];
    size_t opening_len;
    uint8_t r1[256];
    size_t r1_len;
    uint8_t digest[MPC_SESSION_DIGEST_BYTES];
    unsigned pending_n;
    struct cggmp_pending pending_frame[8];
    uint8_t pending[8][64];
    uint8_t pending_echo[8][8 * MPC_SESSION_DIGEST_BYTES];
} cggmp_committed_tamper;

simnet_verdict cggmp_committed_hook(void *ud, mpc_session_frame *f,
                                    mpc_wire_writer *payload);

/* Keygen on simnet among ctx[0..n) with threshold t: every party DONE,
 * results agreeing (cggmp_fixture_check_shares), into shares_out. */
bool cggmp_fixture_keygen(const mpc_ctx *const *ctx, unsigned n, unsigned t,
                          mpc_cggmp_key_share *shares_out);

/* Aux-info on simnet among ctx[0..n) (party j with fixture key j): every
 * party DONE, every party's view of every modulus and ring-Pedersen
 * triple the same, into aux_out (release with cggmp_fixture_clear).
 * Seconds of CPU per party: use sparingly. */
bool cggmp_fixture_aux(const mpc_ctx *const *ctx, unsigned n,
                       mpc_params_id params, mpc_cggmp_aux_info *aux_out);

/*
 * Trusted dealer: a random key Y = x*G Shamir-shared to n parties with
 * threshold t (ids j + 1), and aux info where party j owns fixture
 * Paillier key j (modulo the keys of the set: with more parties than keys
 * two parties share one — fine for tests of everything but aux-info) with
 * fresh ring-Pedersen parameters. Party j's structs are allocated with
 * ctx[j]; shares_out[0..n) and aux_out[0..n) are overwritten (no need to
 * init them). rid and chain_code are random, the same for everyone.
 * Release with cggmp_fixture_clear.
 */
bool cggmp_fixture_dealer(const mpc_ctx *const *ctx, unsigned n, unsigned t,
                          mpc_params_id params, mpc_cggmp_key_share *shares_out,
                          mpc_cggmp_aux_info *aux_out);

/* Clears what cggmp_fixture_dealer (or a protocol run) produced: party j's
 * structs with ctx[j]. shares or aux may be NULL. */
void cggmp_fixture_clear(const mpc_ctx *const *ctx, unsigned n,
                         mpc_cggmp_key_share *shares, mpc_cggmp_aux_info *aux);

/* The first t shares interpolate to the secret of shares[0].pubkey, and
 * every party agrees on the public
 * data (n, t, pubkey, ids, vshares, rid, chain_code) with x_j*G == X_j. */
bool cggmp_fixture_check_shares(const mpc_cggmp_key_share *shares, unsigned n);

/* ---- signing chains ------------------------------------------------------
 * One presign or interactive-sign session among t signers, from key shares
 * and aux info made by anything (dealer, keygen, reshare). Signer k holds
 * key[k] and aux[k] and sits at committee position signers[k]; mixing
 * shares of different keys is allowed (to test that it fails).
 */

/* The most signers of one session. */
#define CGGMP_FIXTURE_MAX_SIGNERS 8

typedef struct cggmp_signing {
    unsigned t;
    const mpc_cggmp_key_share *key[CGGMP_FIXTURE_MAX_SIGNERS];
    const mpc_cggmp_aux_info *aux[CGGMP_FIXTURE_MAX_SIGNERS];
    uint32_t signers[CGGMP_FIXTURE_MAX_SIGNERS];
    /* NULL: sign under the joint key. */
    const mpc_hd_child *derive;
    /* Optional: called with every net made for s before it runs (to set
     * faults). */
    void (*net_setup)(simnet *net, void *ud);
    void *net_setup_ud;
    /* private: the session inputs (they must outlive the net) */
    mpc_cggmp_sign_input in[CGGMP_FIXTURE_MAX_SIGNERS];
} cggmp_signing;

/* s = the signers `signers` (t ascending committee positions) of the
 * position-indexed ks[] and aux[]; no net_setup. */
void cggmp_signing_set(cggmp_signing *s, const mpc_cggmp_key_share *ks,
                       const mpc_cggmp_aux_info *aux, const uint32_t *signers,
                       unsigned t, const mpc_hd_child *derive);

/* The key id every signing binds: SHA-256 of the compressed joint key. */
void cggmp_fixture_key_id(uint8_t out[32], const mpc_cggmp_key_share *ks);

/* A net (not started, net_setup applied) of mpc_cggmp_sign_protocol for
 * `digest`, or of mpc_cggmp_presign_protocol when digest is NULL. NULL
 * when a session refuses its input. */
simnet *cggmp_signing_net(cggmp_signing *s, const uint8_t *digest);

/* The key s's signatures verify under: the child's, or the joint key. */
void cggmp_signing_pubkey(const cggmp_signing *s,
                          uint8_t pub[MPC_SECP256K1_POINT_BYTES]);

/* res is a signature of digest under s's key (libsecp256k1 and OpenSSL
 * both accept it, with the right recovery id) and names that key. */
bool cggmp_signing_check(const cggmp_signing *s, const uint8_t digest[32],
                         const mpc_cggmp_sign_result *res);

/* Interactive mode: every signer DONE with the same signature, checked. */
bool cggmp_sign_interactive(cggmp_signing *s, const uint8_t digest[32]);

/* Pooled mode: presign (every presignature fresh, bound to the signer set,
 * the tweak and the session), then mpc_cggmp_sign_share on msg hashed
 * with alg, mpc_cggmp_sign_combine, checked. */
bool cggmp_sign_pooled(cggmp_signing *s, mpc_msghash_alg alg,
                       const uint8_t *msg, size_t len);

#endif /* TESTS_CGGMP_FIXTURE_H */
