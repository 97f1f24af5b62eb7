/* Fuzzes the Πenc proof decoder. The first byte picks the mode: bit 0 the
 * parameter set (compat-2048 or 128-3072); bit 1, at compat-2048, also
 * verifies the parsed proof against the fixed statement of
 * zk_mta_fixture.h (slow; the corpus holds one valid proof for it). The
 * rest is the encoding. Checked: a rejected input is MPC_ERR_PARSE with a
 * zeroed proof; an accepted one re-serializes to exactly the same bytes
 * (one encoding per proof); verification returns MPC_OK or
 * MPC_ERR_VERIFY and never crashes, whatever values the proof holds. */
#include <stdlib.h>
#include <string.h>

#include "mpc/transcript.h"
#include "mpc/zk_enc.h"
#include "tests/fuzz/zk_mta_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c))                                                              \
            abort();                                                           \
    } while (0)

static bool zero(const mpc_zk_enc_proof *p)
{
    return mpz_sgn(p->s) == 0 && mpz_sgn(p->a) == 0 && mpz_sgn(p->c) == 0 &&
           mpz_sgn(p->z1) == 0 && mpz_sgn(p->z2) == 0 && mpz_sgn(p->z3) == 0;
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
    mpc_zk_enc_proof p;
    mpc_zk_enc_proof_init(&p);
    mpc_err err = mpc_zk_enc_proof_parse(&p, params, in, len);
    if (err != MPC_OK) {
        CHECK(err == MPC_ERR_PARSE && zero(&p));
        mpc_zk_enc_proof_clear(&p);
        return 0;
    }
    uint8_t *out = malloc(len);
    CHECK(out != NULL);
    CHECK(mpc_zk_enc_proof_serialize(out, len, params, &p) == MPC_OK);
    CHECK(memcmp(out, in, len) == 0);
    free(out);
    if ((data[0] & 3) == 2) {
        mpc_transcript t;
        mpc_transcript_init(&t, "fuzz", (const uint8_t *)"sid", 3);
        mpc_transcript_append_u64(&t, "prover", 1);
        err = mpc_zk_enc_verify(&t, &z->rp, NULL, &z->prover.pk, z->K, &p);
        CHECK(err == MPC_OK || err == MPC_ERR_VERIFY);
    }
    mpc_zk_enc_proof_clear(&p);
    return 0;
}
