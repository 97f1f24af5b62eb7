/*
 * lib/cggmp/cggmp_internal.h — internals shared by the CGGMP21 protocol
 * files (keys and signing). Stable: the signing files rely on it.
 */
#ifndef MPC_CGGMP_INTERNAL_H
#define MPC_CGGMP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/cggmp.h"
#include "mpc/protocol.h"
#include "mpc/transcript.h"

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

/* The largest exponent a presign verifier raises its own ring-Pedersen
 * bases to (z3, z4 of Πaff-g: ℓ + ε + N bits, and a sign): the size of
 * mpc_cggmp_aux_info.tab and of the session's own tables. */
static inline size_t mpc_cggmp_rped_table_bits(const mpc_params *p)
{
    return (size_t)p->ell + p->eps + p->n_bits + 2;
}

/**
 * Blames party j (or MPC_BLAME_NOBODY) for `r` with `detail` and returns
 * `err`, so that a completion step can blame and fail in one statement.
 */
MPC_WARN_UNUSED mpc_err mpc_cggmp_blame(mpc_session_inbox *in, unsigned j,
                                        mpc_blame_reason r, mpc_err err,
                                        const char *detail);

/**
 * Round one of the commit-reveal protocols (keygen, aux-info): copies every
 * other party j's broadcast commitment V_j into
 * commits[j * MPC_CGGMP_COMMIT_BYTES]. Blames each party whose broadcast is
 * not MPC_CGGMP_COMMIT_BYTES long (PARSE, `detail`) and goes on with the
 * rest.
 * Returns: MPC_OK; MPC_ERR_PARSE with blame.
 */
MPC_WARN_UNUSED mpc_err mpc_cggmp_commits_read(mpc_session_inbox *in,
                                               unsigned n, unsigned self,
                                               uint8_t *commits,
                                               const char *detail);

/**
 * The take step of a round table whose result is a key share: moves `key`
 * to `result` (an mpc_cggmp_key_share), wipes `key` and clears *have_key
 * so that the clear step does not free what the caller now owns.
 * Security: `key` holds the secret share; only `result` keeps it.
 */
void mpc_cggmp_key_take(void *result, mpc_cggmp_key_share *key, bool *have_key);

/**
 * Round three of keygen, refresh and reshare: proves knowledge of x with
 * X = x*G (Πsch) under transcript t, clears t, and broadcasts the proof.
 * Returns: MPC_OK; MPC_ERR_INTERNAL if the prover fails (X = x*G holds by
 * construction).
 * Security: constant time in x.
 */
MPC_WARN_UNUSED mpc_err mpc_cggmp_sch_send(const mpc_group *g,
                                           mpc_session_outbox *out,
                                           mpc_transcript *t,
                                           const mpc_point *X,
                                           const mpc_scalar *x);

/** The session's group (secp256k1 of info->ctx). */
#define MPC_CGGMP_GROUP(info) mpc_ctx_group((info)->ctx, MPC_CURVE_SECP256K1)

#endif /* MPC_CGGMP_INTERNAL_H */
