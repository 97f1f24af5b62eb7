/* Fuzzes the Πlog*χ proof decoder (mpc/zk_chi.h); modes and checks in
 * zk_decode.h. The verified statement: K, base G, X = k·G of
 * zk_mta_fixture.h. */
#include "mpc/zk_chi.h"
#include "tests/fuzz/zk_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void init(void *p)
{
    mpc_zk_chi_proof_init(p);
}

static void clear(void *p)
{
    mpc_zk_chi_proof_clear(p);
}

static mpc_err parse(const zkf_setting *z, void *p, const mpc_params *params,
                     const uint8_t *in, size_t len)
{
    return mpc_zk_chi_proof_parse(z->ctx, p, params, in, len);
}

static mpc_err serialize(uint8_t *out, size_t len, const mpc_params *params,
                         const void *p)
{
    return mpc_zk_chi_proof_serialize(out, len, params, p);
}

static bool is_zero(const void *proof)
{
    const mpc_zk_chi_proof *p = proof;
    uint8_t acc = 0;
    for (size_t i = 0; i < sizeof p->y; i++)
        acc |= p->y[i];
    return acc == 0 && mpz_sgn(p->s) == 0 && mpz_sgn(p->a) == 0 &&
           mpz_sgn(p->d) == 0 && mpz_sgn(p->z1) == 0 && mpz_sgn(p->z2) == 0 &&
           mpz_sgn(p->z3) == 0;
}

static mpc_err verify(const zkf_setting *z, mpc_transcript *t, const void *p)
{
    return mpc_zk_chi_verify(z->ctx, t, &z->rp, NULL, &z->prover.pk, z->K,
                             &z->G, &z->X, p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const zkf_proof type = {init,      clear,   parse,
                                   serialize, is_zero, verify};
    mpc_zk_chi_proof p;
    return zkf_decode_run(&type, &p, data, size);
}
