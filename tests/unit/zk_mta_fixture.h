/*
 * tests/unit/zk_mta_fixture.h — shared set-up of the Πenc, Πlog* and
 * Πaff-g tests: fixture Paillier keys (tests/vectors/paillier-fixtures.txt,
 * never generated), ring-Pedersen parameters over them, session-bound
 * transcripts and random test values.
 */
#ifndef MPC_TESTS_ZK_MTA_FIXTURE_H
#define MPC_TESTS_ZK_MTA_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gmp.h>

#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/transcript.h"

/* A party of the tests: its Paillier key, ring-Pedersen parameters over
 * the same N (as in CGGMP21 aux-info) and their fixed-base tables. */
typedef struct zkmta_party {
    mpc_paillier_sk sk;
    mpc_rped rp;
    mpc_rped_table tab;
} zkmta_party;

/* Loads fixture key `index` of set `id` and makes rp and tab over it.
 * Returns false (after recording a failure) if anything fails. */
bool zkmta_party_init(zkmta_party *p, mpc_params_id id, size_t index);
void zkmta_party_clear(zkmta_party *p);

/* sk = fixture key `index` of set `id`. */
bool zkmta_key(mpc_paillier_sk *sk, mpc_params_id id, size_t index);

/* The first fixture prime of `bits` bits (p) and the second (q). */
bool zkmta_primes(mpz_t p, mpz_t q, size_t bits);

/* The transcript a protocol would fork for `prover` in session `sid`. */
void zkmta_transcript(mpc_transcript *t, const char *sid, uint64_t prover);

/* x = uniform in [-2^bits, 2^bits] from the test DRBG. */
void zkmta_rand_signed(mpz_t x, size_t bits);

/* c = Enc(m; r) under pk with a fresh nonce r (returned). */
bool zkmta_encrypt(const mpc_paillier_pk *pk, mpz_t c, mpz_t r, const mpz_t m);

bool zkmta_all_zero(const uint8_t *p, size_t n);

/* Flips bit `bit` of byte `pos` of buf. */
void zkmta_flip(uint8_t *buf, size_t pos, unsigned bit);

#endif /* MPC_TESTS_ZK_MTA_FIXTURE_H */
