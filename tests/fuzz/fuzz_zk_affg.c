/* Fuzzes the Πaff-g proof decoder (mpc/zk_affg.h); modes and checks in
 * zk_decode.h. The verified statement: C, D under the verifier's key, Y
 * under the prover's, Xa of zk_mta_fixture.h (verification with the
 * verifier's key for the CRT). */
#include "mpc/zk_affg.h"
#include "tests/fuzz/zk_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void init(void *p)
{
    mpc_zk_affg_proof_init(p);
}

static void clear(void *p)
{
    mpc_zk_affg_proof_clear(p);
}

static mpc_err parse(const zkf_setting *z, void *p, const mpc_params *params,
                     const uint8_t *in, size_t len)
{
    return mpc_zk_affg_proof_parse(z->ctx, p, params, in, len);
}

static mpc_err serialize(uint8_t *out, size_t len, const mpc_params *params,
                         const void *p)
{
    return mpc_zk_affg_proof_serialize(out, len, params, p);
}

static bool is_zero(const void *proof)
{
    const mpc_zk_affg_proof *p = proof;
    const mpz_srcptr v[12] = {p->a,  p->by, p->e,  p->s,  p->f, p->t,
                              p->z1, p->z2, p->z3, p->z4, p->w, p->wy};
    uint8_t acc = 0;
    for (size_t i = 0; i < sizeof p->bx; i++)
        acc |= p->bx[i];
    for (size_t i = 0; i < 12; i++)
        acc |= (uint8_t)(mpz_sgn(v[i]) != 0);
    return acc == 0;
}

static mpc_err verify(const zkf_setting *z, mpc_transcript *t, const void *p)
{
    return mpc_zk_affg_verify(z->ctx, t, &z->rp, NULL, &z->verifier,
                              &z->verifier.pk, &z->prover.pk, z->C, z->D, z->Y,
                              &z->Xa, p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const zkf_proof type = {init,      clear,   parse,
                                   serialize, is_zero, verify};
    mpc_zk_affg_proof p;
    return zkf_decode_run(&type, &p, data, size);
}
