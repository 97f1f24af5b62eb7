/*
 * node/auxinfo.h — what ECDSA needs before a committee can sign: this
 * node's Paillier primes and the committee's aux-info (CGGMP21 §2.5A).
 *
 * Primes: two safe primes of the configured parameter set (params.h),
 * made once, at the first start, on a background thread (seconds of CPU
 * for the compat set), and kept SEALED in the keystore (META namespace,
 * id "paillier-primes.<set name>"; value: u8 format (1) | u8 params id |
 * p || q as mpc_paillier_sk_export_primes writes them). Later starts load
 * them. A test-only option loads fixture primes from a file instead
 * (never stored; refused in production by the configuration).
 *
 * Committee aux-info: the committee is every node of the peers file (and
 * any committee a reshare moved a key to: node_auxinfo_want); its
 * id is node_auxinfo_committee_id (SHA-256 over the parameter set and the
 * sorted node ids). Once the primes exist and no aux-info of the current
 * committee is stored, the node with the smallest id coordinates an
 * aux-info session through the `run` callback (node_ops): every member
 * runs mpc_cggmp_aux_protocol with its primes, the session's parties in
 * sorted id order, and stores the result (node_auxinfo_store). A failed
 * run is retried with a bounded backoff (1 s doubling to 30 s) until it
 * succeeds; the others wait to be asked. Aux-info records (AUX namespace,
 * id = committee id in hex; value: u8 format (1) | u8 params id | u8 n |
 * n times (u8 len | node id), sorted | the mpc_cggmp_aux_info_encode
 * bytes) are SECRET (they hold this node's Paillier key) and only ever
 * stored sealed.
 *
 * Party order: an aux-info's positions are the sorted node ids; a key
 * share used with it must list its committee in the same order (ECDSA
 * keygen runs its parties sorted for that reason; node_auxinfo_load
 * refuses any other order).
 *
 * Rules: pointer arguments must not be NULL unless stated (else
 * MPC_ERR_INVALID_ARG); outputs are zeroed on failure.
 * Threads: every function may be called from any thread after
 * node_auxinfo_new; node_auxinfo_free must come last.
 */
#ifndef NODE_AUXINFO_H
#define NODE_AUXINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/cggmp.h"
#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/params.h"
#include "node/keystore.h"

#define NODE_AUXINFO_COMMITTEE_ID_BYTES 32
/** p || q of the largest parameter set. */
#define NODE_AUXINFO_PRIMES_MAX_BYTES (2 * MPC_PARAMS_128_PRIME_BITS / 8)
/** Most nodes in a committee (the peers file's bound). */
#define NODE_AUXINFO_COMMITTEE_MAX 64
/** Longest node id (node/envelope.h's bound). */
#define NODE_AUXINFO_ID_MAX_BYTES 64

/**
 * Coordinates one aux-info session among `ids` (sorted, self first among
 * them is not implied) and returns MPC_OK only when every member stored
 * its aux-info. Called on the manager's thread.
 */
typedef mpc_err (*node_auxinfo_run_fn)(void *ud, const char *const *ids,
                                       size_t n);

typedef struct node_auxinfo_config {
    const mpc_ctx *ctx;
    node_keystore *ks;
    mpc_params_id params;
    /** Test-only: the fixture file and key index; NULL: real primes. */
    const char *fixture_file;
    unsigned fixture_index;
    /** This node's id and every node of the peers file (self included),
     *  copied. */
    const char *self_id;
    const char *const *committee;
    size_t n_committee;
} node_auxinfo_config;

typedef struct node_auxinfo node_auxinfo;

/**
 * Makes the object: loads the stored primes, or the fixture primes (read
 * and checked here, so a bad fixture fails the start). Nothing runs in
 * the background until node_auxinfo_start.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (a NULL, an unknown set, a
 *          committee of fewer than 2 or more than
 *          NODE_AUXINFO_COMMITTEE_MAX ids, or too long ids); MPC_ERR_IO
 *          (fixture file unreadable); MPC_ERR_PARSE (no such fixture key,
 *          or the stored primes are malformed); keystore errors;
 *          MPC_ERR_NOMEM. `err` (err_len bytes, may be NULL) says why.
 */
MPC_WARN_UNUSED mpc_err node_auxinfo_new(node_auxinfo **out,
                                         const node_auxinfo_config *cfg,
                                         char *err, size_t err_len);

/**
 * Starts the background thread: makes and stores the primes if there are
 * none, then keeps the current committee's aux-info present, calling
 * `run` (with `ud`) when this node coordinates.
 * Returns: MPC_OK; MPC_ERR_STATE (started already); MPC_ERR_INTERNAL (no
 *          thread).
 */
MPC_WARN_UNUSED mpc_err node_auxinfo_start(node_auxinfo *a,
                                           node_auxinfo_run_fn run, void *ud);

/** Stops the background thread (waits for a prime generation or a run in
 *  progress); the object stays usable for sessions. Idempotent; NULL ok. */
void node_auxinfo_stop(node_auxinfo *a);

/** Stops the thread if running and frees, wiping the primes and the
 *  cached aux-info; every acquired aux-info must have been released.
 *  NULL ok. */
void node_auxinfo_free(node_auxinfo *a);

/** The primes exist (readiness waits for this). */
bool node_auxinfo_primes_ready(node_auxinfo *a);

/** The current committee's aux-info is stored. */
bool node_auxinfo_committee_ready(node_auxinfo *a);

/** The parameter set of this node's primes. */
mpc_params_id node_auxinfo_params(const node_auxinfo *a);

/** Wakes the manager (a member stored aux-info, or the committee changed). */
void node_auxinfo_kick(node_auxinfo *a);

/**
 * Replaces the current committee (e.g. after the peers file changed) and
 * wakes the manager.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG as node_auxinfo_new.
 */
MPC_WARN_UNUSED mpc_err node_auxinfo_committee_set(node_auxinfo *a,
                                                   const char *const *ids,
                                                   size_t n);

/**
 * Asks the manager to keep the aux-info of one more committee `ids` (any
 * order) present besides the peers file's: the committee of a key a
 * reshare moved (a strict subset or superset of the peers file). The
 * committee's smallest id coordinates, as for the peers file's; the entry
 * is dropped once the record is stored. At most 8 are remembered (the
 * oldest is forgotten first) and none across restarts: a signing that
 * finds the aux-info missing asks again.
 * Returns: MPC_OK (also when already wanted); MPC_ERR_INVALID_ARG (fewer
 *          than 2 or more than NODE_AUXINFO_COMMITTEE_MAX ids, a repeated,
 *          empty or too long id); MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err node_auxinfo_want(node_auxinfo *a,
                                          const char *const *ids, size_t n);

/**
 * Copies this node's primes (p || q) for an aux-info session input.
 * Returns: MPC_OK; MPC_ERR_STATE (not ready yet); MPC_ERR_INVALID_ARG
 *          (cap too small).
 * Security: SECRET output: the caller wipes it.
 */
MPC_WARN_UNUSED mpc_err node_auxinfo_primes(node_auxinfo *a, uint8_t *out,
                                            size_t cap, size_t *len);

/**
 * The committee id: SHA-256("mpcium-c/aux-committee/v1" || u8 params ||
 * for each id in ascending byte order: u8 len || id). The order of `ids`
 * does not matter.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (n outside 1..
 *          NODE_AUXINFO_COMMITTEE_MAX, an empty or too long id, a repeated
 *          id).
 */
MPC_WARN_UNUSED mpc_err node_auxinfo_committee_id(
    uint8_t out[NODE_AUXINFO_COMMITTEE_ID_BYTES], mpc_params_id params,
    const char *const *ids, size_t n);

/**
 * Stores the aux-info of a session whose parties were `ids` (in that
 * order, which must be sorted), sealed, replacing an older one.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (ids not sorted or not aux's
 *          committee); codec and keystore errors.
 */
MPC_WARN_UNUSED mpc_err node_auxinfo_store(node_auxinfo *a,
                                           const char *const *ids, size_t n,
                                           const mpc_cggmp_aux_info *aux);

/**
 * Loads the aux-info of the committee `ids`, given in the order of the key
 * share it will be used with.
 * Returns: MPC_OK (`aux` init'ed by the caller, filled; release it with
 *          mpc_cggmp_aux_info_clear and the node's ctx); MPC_ERR_NOT_FOUND
 *          (none stored); MPC_ERR_INVALID_ARG (ids not sorted: positions
 *          would not match); MPC_ERR_PARSE (a malformed record or one of
 *          another committee); keystore errors.
 */
MPC_WARN_UNUSED mpc_err node_auxinfo_load(node_auxinfo *a,
                                          mpc_cggmp_aux_info *aux,
                                          const char *const *ids, size_t n);

/**
 * Deletes the aux-info of committee `ids` (any order): the coordinator's
 * own, when another member could not store its part, so the session runs
 * again.
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND; MPC_ERR_INVALID_ARG; keystore errors.
 */
MPC_WARN_UNUSED mpc_err node_auxinfo_forget(node_auxinfo *a,
                                            const char *const *ids, size_t n);

/**
 * As node_auxinfo_load, but shares one decoded copy per committee between
 * the sessions that use it at once (and keeps a few after): read-only,
 * valid until node_auxinfo_release. A replaced or deleted record is never
 * handed out again; copies still held stay valid until released.
 * Returns: as node_auxinfo_load; MPC_ERR_NOMEM. `*out` NULL on error.
 */
MPC_WARN_UNUSED mpc_err node_auxinfo_acquire(node_auxinfo *a,
                                             const mpc_cggmp_aux_info **out,
                                             const char *const *ids, size_t n);

/** Gives back what node_auxinfo_acquire handed out. NULL ok. */
void node_auxinfo_release(node_auxinfo *a, const mpc_cggmp_aux_info *aux);

/** Whether the aux-info of committee `ids` is stored (any order). */
bool node_auxinfo_has(node_auxinfo *a, const char *const *ids, size_t n);

/**
 * Parses the fixture text (lines `<bits> <hex>`, '#' comments): the key
 * `index` of `params` is the primes number 2*index and 2*index+1 of
 * params->prime_bits bits, in file order. Writes p || q. Pure (for tests).
 * Returns: MPC_OK; MPC_ERR_PARSE (no such key, bad hex, a prime of the
 *          wrong size); MPC_ERR_INVALID_ARG (unknown set, cap too small).
 */
MPC_WARN_UNUSED mpc_err node_auxinfo_fixture_parse(
    uint8_t *out, size_t cap, size_t *len, const char *text, size_t text_len,
    mpc_params_id params, unsigned index);

#endif /* NODE_AUXINFO_H */
