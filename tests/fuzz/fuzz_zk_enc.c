/* Fuzzes the Πenc proof decoder (mpc/zk_enc.h); modes and checks in
 * zk_decode.h. The verified statement is K of zk_mta_fixture.h (the
 * corpus holds one valid proof for it). */
#include "mpc/zk_enc.h"
#include "tests/fuzz/zk_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void init(void *p)
{
    mpc_zk_enc_proof_init(p);
}

static void clear(void *p)
{
    mpc_zk_enc_proof_clear(p);
}

static mpc_err parse(const zkf_setting *z, void *p, const mpc_params *params,
                     const uint8_t *in, size_t len)
{
    (void)z;
    return mpc_zk_enc_proof_parse(p, params, in, len);
}

static mpc_err serialize(uint8_t *out, size_t len, const mpc_params *params,
                         const void *p)
{
    return mpc_zk_enc_proof_serialize(out, len, params, p);
}

static bool is_zero(const void *proof)
{
    const mpc_zk_enc_proof *p = proof;
    return mpz_sgn(p->s) == 0 && mpz_sgn(p->a) == 0 && mpz_sgn(p->c) == 0 &&
           mpz_sgn(p->z1) == 0 && mpz_sgn(p->z2) == 0 && mpz_sgn(p->z3) == 0;
}

static mpc_err verify(const zkf_setting *z, mpc_transcript *t, const void *p)
{
    return mpc_zk_enc_verify(t, &z->rp, NULL, &z->prover.pk, z->K, p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const zkf_proof type = {init,      clear,   parse,
                                   serialize, is_zero, verify};
    mpc_zk_enc_proof p;
    return zkf_decode_run(&type, &p, data, size);
}
