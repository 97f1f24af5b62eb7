/* Internals shared by the FROST round tables (lib/frost/frost_*_session.c,
 * lib/frost/frost_reshare_session.c). */
#ifndef MPC_FROST_SESSION_INTERNAL_H
#define MPC_FROST_SESSION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/frost.h"
#include "mpc/frost_session.h"
#include "mpc/protocol.h"

/* The largest payload of any round of these protocols: a DKG round-one
 * package with the most commitments a session can ask for. */
#define MPC_FROST_SESSION_PAYLOAD_MAX                                          \
    MPC_FROST_DKG_ROUND1_BYTES(MPC_SESSION_PARTIES_MAX)

/* The Ed25519 group of the session's context. */
const mpc_group *mpc_frost_session_group(const mpc_session_info *info);

/* Whether the first n ids are distinct and non-zero, and n is at least 1.
 * Public data only. */
bool mpc_frost_session_ids_ok(const mpc_group *g, const mpc_scalar *ids,
                              size_t n);

/*
 * Checks a party's own key against the public key data it was given:
 * ids valid, ids[self] == key->id, vshares[self] == key->share * B, the
 * group key not the identity, 2 <= key->threshold <= n.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG otherwise.
 * Security: constant time in key->share (one base multiplication).
 */
mpc_err mpc_frost_session_key_check(const mpc_group *g,
                                    const mpc_frost_key_package *key,
                                    const mpc_scalar *ids,
                                    const mpc_point *vshares, size_t n,
                                    size_t self);

/*
 * The key-confirmation digest: the session seed, `label`, the threshold,
 * the group key and every (id, verifying share) in order.
 */
void mpc_frost_session_confirm_digest(
    const mpc_session_info *info, uint8_t out[MPC_FROST_CONFIRM_BYTES],
    const char *label, const mpc_point *group_pk, const mpc_scalar *ids,
    const mpc_point *vshares, size_t n, size_t t);

/*
 * Round 3 of DKG, refresh and reshare: every broadcast this party received
 * must be `mine`. Blames each sender of another digest (VERIFY).
 * Returns: MPC_OK; MPC_ERR_PARSE or MPC_ERR_VERIFY with blame.
 */
mpc_err mpc_frost_session_confirm_check(
    mpc_session_inbox *in, unsigned n, unsigned self,
    const uint8_t mine[MPC_FROST_CONFIRM_BYTES], const char *detail);

/*
 * Reads party `from`'s broadcast of exactly t Feldman commitments (the
 * first may be the identity; the caller checks it). A payload whose length
 * is a whole number of points other than t is a threshold change and is
 * blamed as a protocol violation; anything else that does not parse as a
 * parse failure.
 * Returns: MPC_OK; MPC_ERR_PROTOCOL or MPC_ERR_PARSE with blame.
 * Out: commit[0..t) (the identity on error).
 */
mpc_err mpc_frost_session_read_commitments(const mpc_group *g,
                                           mpc_session_inbox *in, unsigned from,
                                           mpc_point *commit, size_t t,
                                           const char *detail);

/*
 * Reads a payload that is exactly one canonical scalar (a share), from
 * `from`'s P2P message (p2p) or broadcast. Blames the sender on failure.
 * Returns: MPC_OK; MPC_ERR_PARSE with blame (out zeroed).
 */
mpc_err mpc_frost_session_read_scalar(const mpc_group *g, mpc_session_inbox *in,
                                      unsigned from, bool p2p, mpc_scalar *out,
                                      const char *detail);

/*
 * Moves committee data into a key result: the result takes ownership of
 * *ids and *vshares (n each, allocated with ctx) and the pointers are
 * set to NULL; `key` (may be NULL: no key) is copied and wiped.
 */
void mpc_frost_session_result_fill(mpc_frost_key_result *r, const mpc_ctx *ctx,
                                   mpc_frost_key_package *key, size_t self,
                                   const mpc_point *group_pk, size_t t,
                                   mpc_scalar **ids, mpc_point **vshares,
                                   size_t n);

/* Wipes and frees an array of n elements made with mpc_ctx_alloc_array,
 * and sets the pointer to NULL. NULL is fine. */
#define MPC_FROST_SESSION_FREE(ctx, p, n)                                      \
    do {                                                                       \
        mpc_ctx_free_mem((ctx), (p), (size_t)(n) * sizeof *(p));               \
        (p) = NULL;                                                            \
    } while (0)

#endif /* MPC_FROST_SESSION_INTERNAL_H */
