/* Fuzzes the Πlog*χ proof decoder (mpc/zk_chi.h): byte 0 picks the
 * parameter set (bit 0) and whether a parsed proof is also verified (low
 * bits 2), the rest is the proof. A parse either fails with MPC_ERR_PARSE
 * and a zeroed proof, or re-serializes to the same bytes; a verify of a
 * parsed proof (statement K, base G, X = k·G of zk_mta_fixture.h) returns
 * MPC_OK or MPC_ERR_VERIFY, never anything else. */
#include <stdlib.h>
#include <string.h>

#include "mpc/transcript.h"
#include "mpc/zk_chi.h"
#include "tests/fuzz/zk_mta_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c))                                                              \
            abort();                                                           \
    } while (0)

static bool zero(const mpc_zk_chi_proof *p)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < sizeof p->y; i++)
        acc |= p->y[i];
    return acc == 0 && mpz_sgn(p->s) == 0 && mpz_sgn(p->a) == 0 &&
           mpz_sgn(p->d) == 0 && mpz_sgn(p->z1) == 0 && mpz_sgn(p->z2) == 0 &&
           mpz_sgn(p->z3) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const zkf_setting *z = zkf_get();
    const mpc_params *params =
        mpc_params_get(data[0] & 1 ? MPC_PARAMS_128 : MPC_PARAMS_COMPAT);
    const uint8_t *in = data + 1;
    size_t len = size - 1;
    mpc_zk_chi_proof p;
    mpc_zk_chi_proof_init(&p);
    mpc_err err = mpc_zk_chi_proof_parse(z->ctx, &p, params, in, len);
    if (err != MPC_OK) {
        CHECK(err == MPC_ERR_PARSE && zero(&p));
        mpc_zk_chi_proof_clear(&p);
        return 0;
    }
    uint8_t *out = malloc(len);
    CHECK(out != NULL);
    CHECK(mpc_zk_chi_proof_serialize(out, len, params, &p) == MPC_OK);
    CHECK(memcmp(out, in, len) == 0);
    free(out);
    if ((data[0] & 3) == 2) {
        mpc_transcript t;
        mpc_transcript_init(&t, "fuzz", (const uint8_t *)"sid", 3);
        mpc_transcript_append_u64(&t, "prover", 1);
        err = mpc_zk_chi_verify(z->ctx, &t, &z->rp, NULL, &z->prover.pk, z->K,
                                &z->G, &z->X, &p);
        CHECK(err == MPC_OK || err == MPC_ERR_VERIFY);
    }
    mpc_zk_chi_proof_clear(&p);
    return 0;
}
