/*
 * lib/cggmp/sign_internal.h — what presign.c and sign.c share.
 */
#ifndef MPC_CGGMP_SIGN_INTERNAL_H
#define MPC_CGGMP_SIGN_INTERNAL_H

#include <stdint.h>

#include "mpc/cggmp_sign.h"

/*
 * σ_i = k_i·m + r·χ_i for a raw digest (interactive mode only: the
 * presignature was made in the same session for this digest). Consumes
 * the presignature on every path.
 * Returns: MPC_OK; MPC_ERR_STATE (not fresh); MPC_ERR_VERIFY (R unusable).
 */
mpc_err
mpc_cggmp_sign_share_digest(const mpc_group *g, mpc_scalar *sigma,
                            mpc_cggmp_presig *presig,
                            const uint8_t digest[MPC_ECDSA_DIGEST_BYTES]);

#endif /* MPC_CGGMP_SIGN_INTERNAL_H */
