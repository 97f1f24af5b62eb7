/*
 * tests/unit/zk_aux_fixture.h — fixtures shared by the tests of the
 * aux-info proofs (test_zk_mod.c, test_zk_prm.c, test_zk_fac.c): Paillier
 * keys from the pre-generated safe primes of tests/vectors, bound
 * transcripts, allocators and rngs that fail on demand, and the byte-level
 * tamper loop. Static inline, so a file that uses only some of them
 * compiles without warnings.
 */
#ifndef MPC_TESTS_ZK_AUX_FIXTURE_H
#define MPC_TESTS_ZK_AUX_FIXTURE_H

#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "mpc/bn.h"
#include "mpc/ctx.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/transcript.h"
#include "tests/harness/test.h"

#define ZK_FIXTURES "tests/vectors/paillier-fixtures.txt"
#define ZK_MAX_FIXTURES 32

/* Loads up to `max` fixture primes of `bits` bits, in file order. */
static inline size_t zk_load_primes(size_t bits, mpz_t *out, size_t max)
{
    size_t len = 0, n = 0;
    char *text = test_read_file(ZK_FIXTURES, &len);
    if (text == NULL)
        return 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line != NULL && n < max;
         line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#')
            continue;
        char *hex = NULL;
        size_t b = strtoul(line, &hex, 10);
        if (b != bits || hex == NULL || *hex != ' ')
            continue;
        if (mpz_set_str(out[n], hex + 1, 16) == 0)
            n++;
    }
    free(text);
    return n;
}

/* The fixture prime number `index` of `bits` bits. */
static inline bool zk_fixture_prime(mpz_t p, size_t bits, size_t index)
{
    mpz_t pr[ZK_MAX_FIXTURES];
    for (size_t i = 0; i < ZK_MAX_FIXTURES; i++)
        mpz_init(pr[i]);
    size_t n = zk_load_primes(bits, pr, ZK_MAX_FIXTURES);
    bool ok = index < n;
    if (ok)
        mpz_set(p, pr[index]);
    for (size_t i = 0; i < ZK_MAX_FIXTURES; i++)
        mpz_clear(pr[i]);
    REQUIRE(ok);
    return true;
}

/* sk = the fixture key number `index` of the set `id` (primes 2 index and
 * 2 index + 1): 8 keys of the compat set, 2 of the 128-bit set. */
static inline bool zk_fixture_key(mpc_paillier_sk *sk, mpc_params_id id,
                                  size_t index)
{
    const mpc_params *params = mpc_params_get(id);
    REQUIRE(params != NULL);
    mpz_t p, q;
    mpz_inits(p, q, NULL);
    bool ok =
        zk_fixture_prime(p, params->prime_bits, 2 * index) &&
        zk_fixture_prime(q, params->prime_bits, 2 * index + 1) &&
        mpc_paillier_sk_from_primes(test_ctx(), sk, params, p, q) == MPC_OK;
    mpz_clears(p, q, NULL);
    REQUIRE(ok);
    return true;
}

/* A transcript bound the way protocols bind it (mpc_session_info_transcript
 * shape): a session id made of `sid` bytes, the proof label, the prover. */
static inline void zk_transcript(mpc_transcript *t, uint8_t sid,
                                 const char *label, unsigned prover)
{
    uint8_t sid32[32];
    memset(sid32, sid, sizeof sid32);
    mpc_transcript_init(t, "zk-aux-test", sid32, sizeof sid32);
    mpc_transcript_append(t, "proof", (const uint8_t *)label, strlen(label));
    mpc_transcript_append_u64(t, "prover", prover);
}

/* A context whose allocator fails while *zk_fail_alloc() is true. */
static inline bool *zk_fail_alloc(void)
{
    static bool fail;
    return &fail;
}

static inline void *zk_flaky_zalloc(size_t n, void *ud)
{
    (void)ud;
    return *zk_fail_alloc() ? NULL : calloc(1, n);
}

static inline void zk_flaky_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

static inline mpc_ctx *zk_flaky_ctx(void)
{
    static const mpc_mem mem = {.zalloc = zk_flaky_zalloc,
                                .free = zk_flaky_free};
    mpc_ctx_config cfg = {
        .rng = mpc_drbg_fill, .rng_ud = test_drbg(), .mem = &mem};
    mpc_ctx *ctx = NULL;
    *zk_fail_alloc() = false;
    return mpc_ctx_new(&ctx, &cfg) == MPC_OK ? ctx : NULL;
}

/* A broken rng (all 0xFF): sampling must give up, not spin. */
static inline void zk_stuck_rng(void *ud, uint8_t *buf, size_t len)
{
    (void)ud;
    memset(buf, 0xFF, len);
}

static inline mpc_ctx *zk_stuck_ctx(void)
{
    mpc_ctx_config cfg = {.rng = zk_stuck_rng};
    mpc_ctx *ctx = NULL;
    return mpc_ctx_new(&ctx, &cfg) == MPC_OK ? ctx : NULL;
}

static inline bool zk_all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* A signed integer uniform in [-2^bits, 2^bits] from the test DRBG. */
static inline void zk_rand_signed(mpz_t x, size_t bits)
{
    mpz_t b;
    mpz_init(b);
    mpz_setbit(b, bits);
    if (mpc_bn_random_symmetric(test_ctx(), x, b) != MPC_OK)
        mpz_set_ui(x, 0);
    mpz_clear(b);
}

/* A uniform integer below m from the test DRBG. */
static inline void zk_rand_below(mpz_t x, const mpz_t m)
{
    if (mpc_bn_random_below(test_ctx(), x, m) != MPC_OK)
        mpz_set_ui(x, 0);
}

/* p = the smallest prime >= a random value of exactly `bits` bits with
 * p ≡ 3 (mod 4) (test data only: mpz_nextprime is variable time). */
static inline void zk_random_blum_prime(mpz_t p, size_t bits)
{
    mpz_t lo;
    mpz_init(lo);
    mpz_setbit(lo, bits - 1);
    do {
        zk_rand_below(p, lo);
        mpz_add(p, p, lo);
        mpz_nextprime(p, p);
    } while (mpz_fdiv_ui(p, 4) != 3 || mpz_sizeinbase(p, 2) != bits);
    mpz_clear(lo);
}

#endif /* MPC_TESTS_ZK_AUX_FIXTURE_H */
