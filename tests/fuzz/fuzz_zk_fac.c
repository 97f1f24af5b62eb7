/*
 * libFuzzer target for the Πfac decoder (mpc_zk_fac_proof_parse), against a
 * fixed statement: the prover's compat key over fixture primes 0 and 1,
 * the verifier's ring-Pedersen parameters generated with a fixed-seed DRBG
 * over fixture primes 2 and 3 (embedded), with its fixed-base tables.
 * Checked: a rejected input is MPC_ERR_PARSE with an empty proof; an
 * accepted one re-serializes to exactly the same bytes, and its
 * verification returns MPC_OK or MPC_ERR_VERIFY. The corpus in
 * tests/fuzz/corpus/zk_fac starts from a valid proof.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "mpc/ctx.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/rng.h"
#include "mpc/transcript.h"
#include "mpc/zk_fac.h"
#include "tests/fuzz/check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEED "fuzz-zk-fac"

static const char PRIME_0[] =
    "cb831e17130bc20a141f5abcfa3fc3bcaba40144f1eee4e5e7ee6b2f754ce207"
    "5d1d86e70f27592e40b0b061fb4d8961fb32a6ca1bf9bc81fe07f5eee6777600"
    "d6bed39bfc251054f6dd3b3ae7d42b88e55177796fbe98d3f490ab1e5075102f"
    "42d8cdd03d44a2ac1f44da9fa528bbfa183d5867d7a783f0cbebce4b81a822ff";

static const char PRIME_1[] =
    "f22992340d3811b00e1ecc656163d0a33343e730c720ba04a2c03841b51f98f7"
    "85519d6b095145d81e27b1b6e9e64df1d026450644fa49d02b5de8a6dc09e5db"
    "7c65acf0de0a158e898326e473aae63173248ceb9b2512698bac3580d7cfb35c"
    "371f3d5592ce0146f07b97eb5784c922d93723371e2cdae3259faed0d626ec2f";

static const char PRIME_2[] =
    "dceceda02d30a041a7105cdc54cd925db73361db250546feda890a5fe78ab79b"
    "98a8d5eb487d76462e55b4116fd0808ffbb92f04ad6ea89ed88fc0ea958db970"
    "12fcd4a5abd35e1c1517bc8fca468233cce7118e26d3a1af830f54966aa0ee9b"
    "996c667248612a2740a49721a108c6441bc9a3af75ee22538efb9a391a162397";

static const char PRIME_3[] =
    "c4ae2ef27e2d12a8a09d8fa57df666a26b653e299bff1ecaaefa61adccedd63b"
    "56019735726b5e6dafa8ea4ffe2f438a0196c12d2d0c1c58e69b932987e6c291"
    "bc6435f5ef3f5ba05c5751b5bf5c94436ae7de8d93a3f91dfec067e68f9ca619"
    "cc91a0d86e16680bd50633267db449b39b15891c6f09958ae16d464a618f18d7";

/* A context with a fixed-seed DRBG: the statement below, and the seeds made
 * from it, are the same on every run. */
static const mpc_ctx *ctx(void)
{
    static mpc_drbg drbg;
    static mpc_ctx *c;
    if (c == NULL) {
        mpc_drbg_init(&drbg, (const uint8_t *)SEED, sizeof SEED - 1);
        mpc_ctx_config cfg = {.rng = mpc_drbg_fill, .rng_ud = &drbg};
        CHECK(mpc_ctx_new(&c, &cfg) == MPC_OK);
    }
    return c;
}

/* sk = the compat key over two fixture primes (given as hex). */
static void key(mpc_paillier_sk *sk, const char *p_hex, const char *q_hex)
{
    mpz_t p, q;
    mpz_inits(p, q, NULL);
    CHECK(mpz_set_str(p, p_hex, 16) == 0 && mpz_set_str(q, q_hex, 16) == 0);
    mpc_paillier_sk_init(sk);
    CHECK(mpc_paillier_sk_from_primes(
              ctx(), sk, mpc_params_get(MPC_PARAMS_COMPAT), p, q) == MPC_OK);
    mpz_clears(p, q, NULL);
}

static void transcript(mpc_transcript *t)
{
    static const uint8_t sid[32] = {0x5a};
    mpc_transcript_init(t, SEED, sid, sizeof sid);
}

/* Parse accepted: the bytes re-serialize exactly (one encoding per proof).
 */
#define CHECK_ROUNDTRIP(serialize, proof, data, size)                          \
    do {                                                                       \
        uint8_t *out_ = malloc((size) + 1);                                    \
        CHECK(out_ != NULL);                                                   \
        CHECK(serialize(out_, (size), (proof)) == MPC_OK);                     \
        CHECK(memcmp(out_, (data), (size)) == 0);                              \
        free(out_);                                                            \
    } while (0)

static mpc_paillier_sk prover_sk, verifier_sk;
static mpc_rped verifier_rp;
static mpc_rped_table verifier_tab;

static void statement(void)
{
    static bool done;
    if (done)
        return;
    key(&prover_sk, PRIME_0, PRIME_1);
    key(&verifier_sk, PRIME_2, PRIME_3);
    mpc_rped_init(&verifier_rp);
    mpz_t lambda;
    mpz_init(lambda);
    CHECK(mpc_rped_generate(ctx(), &verifier_rp, lambda, &verifier_sk) ==
          MPC_OK);
    mpz_clear(lambda);
    CHECK(mpc_rped_table_init(ctx(), &verifier_tab, &verifier_rp, 5000) ==
          MPC_OK);
    done = true;
}

static bool empty(const mpc_zk_fac_proof *p)
{
    const mpz_srcptr f[] = {p->P,  p->Q,  p->A,  p->B,  p->T,
                            p->z1, p->z2, p->w1, p->w2, p->v};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (mpz_sgn(f[i]) != 0)
            return false;
    return p->params == NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mpc_zk_fac_proof proof;
    static bool init;
    if (!init) {
        mpc_zk_fac_proof_init(&proof);
        init = true;
    }
    statement();
    mpc_err err = mpc_zk_fac_proof_parse(&proof, &verifier_rp, data, size);
    if (err != MPC_OK) {
        CHECK(err == MPC_ERR_PARSE && empty(&proof));
        return 0;
    }
    CHECK_ROUNDTRIP(mpc_zk_fac_proof_serialize, &proof, data, size);
    mpc_transcript t;
    transcript(&t);
    err = mpc_zk_fac_verify(&t, &proof, &prover_sk.pk, &verifier_rp,
                            &verifier_tab);
    CHECK(err == MPC_OK || err == MPC_ERR_VERIFY);
    return 0;
}
