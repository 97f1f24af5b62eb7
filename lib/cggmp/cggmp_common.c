/*
 * lib/cggmp/cggmp_common.c — round-table steps shared by the CGGMP21
 * keygen, refresh, reshare and aux-info protocols (cggmp_internal.h).
 */
#include <string.h>

#include "lib/cggmp/cggmp_internal.h"
#include "mpc/mem.h"
#include "mpc/schnorr.h"
#include "mpc/wire.h"

mpc_err mpc_cggmp_blame(mpc_session_inbox *in, unsigned j, mpc_blame_reason r,
                        mpc_err err, const char *detail)
{
    mpc_session_inbox_blame(in, j, r, detail);
    return err;
}

mpc_err mpc_cggmp_commits_read(mpc_session_inbox *in, unsigned n, unsigned self,
                               uint8_t *commits, const char *detail)
{
    mpc_err err = MPC_OK;
    for (unsigned j = 0; j < n; j++) {
        const uint8_t *p;
        size_t len;
        if (j == self)
            continue;
        (void)mpc_session_inbox_bcast(in, j, &p, &len);
        if (len != MPC_CGGMP_COMMIT_BYTES) {
            err =
                mpc_cggmp_blame(in, j, MPC_BLAME_PARSE, MPC_ERR_PARSE, detail);
            continue;
        }
        memcpy(&commits[j * MPC_CGGMP_COMMIT_BYTES], p, len);
    }
    return err;
}

void mpc_cggmp_key_take(void *result, mpc_cggmp_key_share *key, bool *have_key)
{
    memcpy(result, key, sizeof *key);
    mpc_wipe(key, sizeof *key);
    *have_key = false;
}

mpc_err mpc_cggmp_sch_send(const mpc_group *g, mpc_session_outbox *out,
                           mpc_transcript *t, const mpc_point *X,
                           const mpc_scalar *x)
{
    mpc_schnorr_proof proof;
    mpc_err err = mpc_schnorr_prove(g, &proof, t, X, x);
    mpc_transcript_clear(t);
    if (err != MPC_OK)
        return MPC_ERR_INTERNAL;
    uint8_t *p = mpc_wire_write_reserve(mpc_session_outbox_bcast(out),
                                        mpc_schnorr_proof_bytes(g));
    if (p != NULL)
        mpc_schnorr_proof_serialize(g, p, &proof);
    return MPC_OK;
}
