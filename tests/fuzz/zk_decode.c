/* The shared body of the MtA proof decoder fuzz targets (zk_decode.h). */
#include "tests/fuzz/zk_decode.h"

#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/check.h"

/* An accepted proof re-serializes to exactly its input. */
static void check_roundtrip(const zkf_proof *type, const void *proof,
                            const mpc_params *params, const uint8_t *in,
                            size_t len)
{
    uint8_t *out = malloc(len);
    CHECK(out != NULL);
    CHECK(type->serialize(out, len, params, proof) == MPC_OK);
    CHECK(memcmp(out, in, len) == 0);
    free(out);
}

/* Verification under the transcript the corpus proofs were made with. */
static void check_verify(const zkf_proof *type, const zkf_setting *z,
                         const void *proof)
{
    mpc_transcript t;
    mpc_transcript_init(&t, "fuzz", (const uint8_t *)"sid", 3);
    mpc_transcript_append_u64(&t, "prover", 1);
    mpc_err err = type->verify(z, &t, proof);
    CHECK(err == MPC_OK || err == MPC_ERR_VERIFY);
}

int zkf_decode_run(const zkf_proof *type, void *proof, const uint8_t *data,
                   size_t size)
{
    if (size == 0)
        return 0;
    const zkf_setting *z = zkf_get();
    const mpc_params *params =
        mpc_params_get(data[0] & 1 ? MPC_PARAMS_128 : MPC_PARAMS_COMPAT);
    const uint8_t *in = data + 1;
    size_t len = size - 1;

    type->init(proof);
    mpc_err err = type->parse(z, proof, params, in, len);
    if (err != MPC_OK) {
        CHECK(err == MPC_ERR_PARSE && type->is_zero(proof));
    } else {
        check_roundtrip(type, proof, params, in, len);
        if ((data[0] & 3) == 2)
            check_verify(type, z, proof);
    }
    type->clear(proof);
    return 0;
}
