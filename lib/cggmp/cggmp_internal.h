/*
 * lib/cggmp/cggmp_internal.h — internals shared by the CGGMP21 protocol
 * files (keys and signing). Stable: the signing files rely on it.
 */
#ifndef MPC_CGGMP_INTERNAL_H
#define MPC_CGGMP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "mpc/cggmp.h"

/**
 * Value of mpc_cggmp_presig.magic while a presignature is unused. The
 * presign round sets it last; the sign round and mpc_cggmp_presig_clear
 * zero it.
 */
#define MPC_CGGMP_PRESIG_MAGIC 0x70724547u

/** Bytes of a commitment of mpc_cggmp_commit. */
#define MPC_CGGMP_COMMIT_BYTES 32

/**
 * The hash commitment of the commit-reveal rounds (aux-info V_i, keygen
 * V_i): out = H("mpc-cggmp-commit", sid, protocol id, party, payload),
 * where payload is the whole opening (it holds the randomizer u_i).
 * Binding to the session and the committer stops a party from replaying
 * another party's commitment. Bound to the session id rather than the
 * session seed so that tests can recompute it for a tampered opening.
 */
void mpc_cggmp_commit(uint8_t out[MPC_CGGMP_COMMIT_BYTES], const uint8_t *sid32,
                      uint32_t protocol_id, unsigned party,
                      const uint8_t *payload, size_t len);

/** The session's group (secp256k1 of info->ctx). */
#define MPC_CGGMP_GROUP(info) mpc_ctx_group((info)->ctx, MPC_CURVE_SECP256K1)

#endif /* MPC_CGGMP_INTERNAL_H */
