/* Shared committee of the CGGMP21 presign and blame tests (cggmp_run.h). */
#include "tests/protocol/cggmp_run.h"

#include <stdio.h>
#include <string.h>

#include "tests/harness/test.h"
#include "tests/protocol/cggmp_fixture.h"

bool cggmp_run_make(cggmp_run *r, const char *prefix, unsigned n, unsigned t)
{
    REQUIRE(n <= CGGMP_RUN_MAXN);
    r->n = n;
    r->t = t;
    for (unsigned i = 0; i < n; i++) {
        char label[32];
        snprintf(label, sizeof label, "%s%u", prefix, i);
        r->ctx[i] = test_new_ctx(label);
    }
    return cggmp_fixture_dealer(r->ctx, n, t, MPC_PARAMS_COMPAT, r->ks, r->aux);
}

void cggmp_run_clear(cggmp_run *r)
{
    cggmp_fixture_clear(r->ctx, r->n, r->ks, r->aux);
}

void cggmp_run_presign_inputs(const cggmp_run *r, const uint32_t *signers,
                              const mpc_hd_child *derive, uint8_t key_id_byte,
                              uint32_t key_version, mpc_cggmp_presign_input *in)
{
    for (unsigned k = 0; k < r->t; k++) {
        memset(&in[k], 0, sizeof(in[k]));
        in[k].key = &r->ks[signers[k]];
        in[k].aux = &r->aux[signers[k]];
        in[k].signers = signers;
        memset(in[k].key_id, key_id_byte, sizeof(in[k].key_id));
        in[k].key_version = key_version;
        in[k].derive = derive;
    }
}
