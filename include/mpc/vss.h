/*
 * mpc/vss.h — Shamir sharing, Feldman commitments, Lagrange interpolation,
 * and the redistribution math (reshare to a new committee, refresh in
 * place) shared by FROST and CGGMP21.
 *
 * Over either group of group.h: secp256k1 or Ed25519.
 *
 * Rules for the whole header:
 * - Pointer arguments must not be NULL unless stated.
 * - Argument order: group, outputs, inputs; a count follows its array.
 * - No function allocates: callers pass arrays of the stated lengths.
 * - No function keeps a pointer to its inputs after it returns.
 * - Outputs may alias inputs only where stated.
 * - Functions are constant time in their secret arguments (coefficients,
 *   shares, secrets) unless their name ends in `_var`, which take public
 *   data only. Secret temporaries are wiped before return.
 * - On failure every output is zeroed: scalars to zero, points to the
 *   identity.
 *
 * Terms:
 * - A party's id is its x-coordinate: a non-zero scalar, distinct within a
 *   committee (e.g. index + 1, or a migrated tss-lib `Ks`).
 * - A polynomial of degree t-1 has t coefficients, coef[0] the secret; any
 *   t shares determine it, t-1 reveal nothing about it. t is the number of
 *   shares needed (the convention of crypto.md §2.5: t signers, not t+1).
 * - Feldman commitments: commit[k] = coef[k]*G; a share s at x is checked by
 *   s*G == sum_k x^k commit[k]. A commitment vector must have exactly t
 *   entries: a longer one silently raises the threshold (crypto.md §1.9).
 */
#ifndef MPC_VSS_H
#define MPC_VSS_H

#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"
#include "mpc/group.h"

/* ---- polynomials -------------------------------------------------------- */

/**
 * Draws a random polynomial of degree t-1 from the context rng.
 * Out: coef[0..t): coef[0] = *constant, or random if constant is NULL;
 *      every other coefficient is uniform and non-zero.
 * In:  t: number of coefficients (t == 0 writes nothing).
 *      constant: the secret to share (may be NULL).
 * Security: the coefficients are secrets; wipe them with mpc_scalar_clear.
 */
void mpc_poly_random(const mpc_group *g, mpc_scalar *coef, size_t t,
                     const mpc_scalar *constant);

/**
 * out = f(x) = sum_k coef[k] x^k, by Horner's rule (zero when t == 0).
 * `out` may alias `x` or a coefficient.
 * Security: constant time in coef and x.
 */
void mpc_poly_eval(const mpc_group *g, mpc_scalar *out, const mpc_scalar *coef,
                   size_t t, const mpc_scalar *x);

/**
 * Feldman commitments: commit[k] = coef[k]*G for k < t.
 * Security: constant time in coef.
 */
void mpc_poly_commit(const mpc_group *g, mpc_point *commit,
                     const mpc_scalar *coef, size_t t);

/* ---- Feldman commitments ------------------------------------------------ */

/**
 * out = F(x) = sum_k x^k commit[k] (the identity when t == 0). Public data
 * only: for a party id x, F(x) is that party's verifying share.
 */
void mpc_vss_commitment_eval_var(const mpc_group *g, mpc_point *out,
                                 const mpc_point *commit, size_t t,
                                 const mpc_scalar *x);

/**
 * Checks a share against Feldman commitments: share*G == F(x).
 * Returns: MPC_OK; MPC_ERR_VERIFY if it does not match;
 *          MPC_ERR_INVALID_ARG if t == 0 or x is zero (a "share" at 0
 *          would be the secret itself).
 * Security: constant time in share.
 */
MPC_WARN_UNUSED mpc_err mpc_vss_verify_share(const mpc_group *g,
                                             const mpc_point *commit, size_t t,
                                             const mpc_scalar *x,
                                             const mpc_scalar *share);

/**
 * Component-wise sum of n dealers' commitment vectors, each of t points:
 * out[k] = sum_d commits[d][k]. This is the commitment to the sum of the
 * dealers' polynomials: out[0] is the joint public key of a DKG and
 * F(x_j) over `out` is party j's verifying share. Public data only.
 * `out` may alias commits[d] for any d.
 */
void mpc_vss_commitments_sum(const mpc_group *g, mpc_point *out,
                             const mpc_point *const *commits, size_t n,
                             size_t t);

/** Bytes of a serialized vector of t commitments: t point encodings. */
size_t mpc_vss_commitment_bytes(const mpc_group *g, size_t t);

/**
 * Writes mpc_vss_commitment_bytes(g, t) bytes: the points in order. An
 * identity entry (the constant term in refresh) is written as group.h
 * writes the identity.
 */
void mpc_vss_commitment_serialize(const mpc_group *g, uint8_t *out,
                                  const mpc_point *commit, size_t t);

/**
 * Parses a peer's vector of exactly t commitments (t is what the protocol
 * expects, never what the peer says). Every point must pass
 * mpc_point_parse, except that commit[0] may be the identity: a refresh
 * shares zero. Callers still check commit[0] against what they expect.
 * Returns: MPC_OK;
 *          MPC_ERR_PARSE if len is not exactly t encodings (a dealer
 *          sending more coefficients tries to raise the threshold) or a
 *          point is invalid;
 *          MPC_ERR_INVALID_ARG if t == 0.
 *          On failure commit[0..t) are the identity.
 */
MPC_WARN_UNUSED mpc_err mpc_vss_commitment_parse(const mpc_group *g,
                                                 mpc_point *commit, size_t t,
                                                 const uint8_t *in, size_t len);

/* ---- Lagrange interpolation --------------------------------------------- */

/**
 * Checks a committee's ids: n >= 1, none zero, no two equal.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG otherwise.
 */
MPC_WARN_UNUSED mpc_err mpc_vss_ids_check_var(const mpc_group *g,
                                              const mpc_scalar *ids, size_t n);

/**
 * Lagrange coefficient of xs[i] over the set xs[0..n), evaluated at *at:
 * prod_{j != i} (at - xs[j]) / (xs[i] - xs[j]). With at = 0 (NULL),
 * sum_i lambda_i f(xs[i]) = f(0) for any f of degree < n.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if i >= n, an id is zero or two ids
 *          are equal (out zeroed).
 * In: at: the evaluation point (may be NULL: zero).
 * Security: variable time; ids and `at` are public.
 */
MPC_WARN_UNUSED mpc_err mpc_lagrange_coeff_var(const mpc_group *g,
                                               mpc_scalar *out,
                                               const mpc_scalar *xs, size_t n,
                                               size_t i, const mpc_scalar *at);

/* ---- dealing ------------------------------------------------------------ */

/**
 * Shamir-shares `secret` to n parties with threshold t: draws a polynomial
 * f of degree t-1 with f(0) = secret, writes its Feldman commitments and
 * every party's share f(ids[j]), and wipes f.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if t == 0, t > n, or the ids fail
 *          mpc_vss_ids_check_var (commit and shares zeroed).
 * Out: commit[0..t): commitments; commit[0] = secret*G.
 *      shares[0..n): shares[j] = f(ids[j]); secret, send each to its party.
 * In:  secret: the value to share (zero for a refresh).
 * Security: constant time in secret; randomness from the context rng.
 */
MPC_WARN_UNUSED mpc_err mpc_vss_deal(const mpc_group *g, mpc_point *commit,
                                     mpc_scalar *shares,
                                     const mpc_scalar *secret,
                                     const mpc_scalar *ids, size_t n, size_t t);

/* ---- redistribution: reshare and refresh -------------------------------- */

/*
 * Reshare (Wong–Wang–Wing REDIST, crypto.md §2.5F): a quorum Q of old
 * holders (|Q| >= t_old) moves the key to a new committee with a new
 * threshold; the public key Y does not change.
 *   Old party i in Q:  w_i = lambda_i^Q x_i; deals g_i of degree t_new-1
 *                      with g_i(0) = w_i (mpc_vss_reshare_deal).
 *   New party j:       checks every dealing, then x'_j = sum_i g_i(x'_j)
 *                      and X'_k = sum_i C_i(x'_k) (mpc_vss_reshare_receive).
 * Refresh (same committee and threshold): every party deals a sharing of
 * zero; new share = old share + sum, X'_k = X_k + sum_i C_i(x_k).
 *
 * Security: old parties erase their shares only after every new party has
 * acknowledged success. A refresh never changes t.
 */

/** A committee: its ids, its verifying shares and its threshold. */
typedef struct mpc_vss_committee {
    /** n distinct non-zero ids. */
    const mpc_scalar *ids;
    /** n verifying shares X_k = x_k*G, same order (NULL where unused). */
    const mpc_point *vshares;
    /** Number of members. */
    size_t n;
    /** Shares needed, 1 <= t <= n. */
    size_t t;
} mpc_vss_committee;

/** One dealer's dealing as received by one party. */
typedef struct mpc_vss_dealing {
    /** The dealer's commitments (may be NULL when commit_len is 0). */
    const mpc_point *commit;
    /** How many commitments the dealer sent; must equal the threshold. */
    size_t commit_len;
    /** The dealer's sub-share for this party: g_i(x_self). Secret. */
    const mpc_scalar *share;
} mpc_vss_dealing;

/** Why a dealer is blamed. Stable values. */
typedef enum mpc_vss_fault {
    /** Nobody is blamed. */
    MPC_VSS_FAULT_NONE = 0,
    /** The commitment vector does not have exactly t entries. */
    MPC_VSS_FAULT_LENGTH = 1,
    /** commit[0] is not lambda_i*X_i (reshare) or the identity (refresh). */
    MPC_VSS_FAULT_CONSTANT = 2,
    /** The sub-share does not match the dealer's commitments. */
    MPC_VSS_FAULT_SHARE = 3,
} mpc_vss_fault;

/** blame.dealer when no dealer is to blame. */
#define MPC_VSS_NO_DEALER SIZE_MAX

/** Which dealer failed, and how. */
typedef struct mpc_vss_blame {
    /** Index into the dealings array, or MPC_VSS_NO_DEALER. */
    size_t dealer;
    mpc_vss_fault fault;
} mpc_vss_blame;

/**
 * Reshare, old side: dealer `dealer` of quorum `from` deals its
 * Lagrange-weighted share to committee `to`.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if a committee is malformed (ids
 *          failing mpc_vss_ids_check_var, t == 0 or t > n), or
 *          dealer >= from->n (commit and shares zeroed).
 * Out: commit[0..to->t): commitments C_i, commit[0] = lambda_i x_i G.
 *      shares[0..to->n): sub-share for each new party, in to->ids order.
 * In:  from: the quorum of old holders dealing (from->t is the old
 *      threshold; from->vshares is unused and may be NULL).
 *      dealer: this party's index in from->ids.
 *      share: this party's old share x_i.
 *      to: the new committee (to->vshares unused, may be NULL).
 * Security: constant time in share; the polynomial is wiped.
 */
MPC_WARN_UNUSED mpc_err
mpc_vss_reshare_deal(const mpc_group *g, mpc_point *commit, mpc_scalar *shares,
                     const mpc_vss_committee *from, size_t dealer,
                     const mpc_scalar *share, const mpc_vss_committee *to);

/**
 * Reshare, new side: party `self` of committee `to` checks the dealings of
 * quorum `from` and derives its new share and every new verifying share.
 * Checks, dealer by dealer in order (the first failure is blamed):
 * commit_len == to->t; C_i[0] == lambda_i X_i; the sub-share against C_i.
 * Then sum_i C_i[0] == pubkey.
 * Returns: MPC_OK;
 *          MPC_ERR_PROTOCOL: blame names the first faulty dealer;
 *          MPC_ERR_VERIFY: every dealer is consistent with from->vshares
 *          but they do not sum to pubkey: from->vshares or pubkey are not
 *          this key's, or |Q| < the old threshold (no dealer blamed);
 *          MPC_ERR_INVALID_ARG: a malformed committee, from->vshares NULL,
 *          self >= to->n, or a NULL sub-share.
 *          On failure share and vshares are zeroed.
 * Out: share: x'_self, this party's new share (secret).
 *      vshares[0..to->n): X'_k, every new party's verifying share.
 *      blame: set on every return; MPC_VSS_FAULT_NONE unless PROTOCOL.
 * In:  pubkey: Y, the key being reshared.
 *      from: the dealing quorum with its ids and verifying shares X_i.
 *      dealings[0..from->n): what each dealer sent, in from->ids order.
 *      to: the new committee (to->vshares unused, may be NULL).
 *      self: this party's index in to->ids.
 * Outputs must not alias inputs.
 * Security: constant time in the sub-shares; X_i must be the verifying
 * shares this party holds for the key, never values sent by the dealers.
 */
MPC_WARN_UNUSED mpc_err mpc_vss_reshare_receive(
    const mpc_group *g, mpc_scalar *share, mpc_point *vshares,
    mpc_vss_blame *blame, const mpc_point *pubkey,
    const mpc_vss_committee *from, const mpc_vss_dealing *dealings,
    const mpc_vss_committee *to, size_t self);

/**
 * Refresh, dealer side: deals a sharing of zero to committee c
 * (mpc_vss_deal with a zero secret; commit[0] is the identity).
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for a malformed committee (outputs
 *          zeroed).
 * Out: commit[0..c->t), shares[0..c->n) (secret).
 * In:  c: the committee (c->vshares unused, may be NULL).
 */
MPC_WARN_UNUSED mpc_err mpc_vss_refresh_deal(const mpc_group *g,
                                             mpc_point *commit,
                                             mpc_scalar *shares,
                                             const mpc_vss_committee *c);

/**
 * Refresh, receiving side: party `self` of committee c checks n_dealings
 * dealings of zero (usually one from every member), then adds them to its
 * share and to every verifying share. Checks, dealer by dealer in order:
 * commit_len == c->t; C_i[0] is the identity; the sub-share against C_i.
 * Returns: MPC_OK;
 *          MPC_ERR_PROTOCOL: blame names the first faulty dealer;
 *          MPC_ERR_INVALID_ARG: a malformed committee, c->vshares NULL,
 *          self >= c->n, n_dealings == 0 or a NULL sub-share.
 *          On failure share and vshares are zeroed.
 * Out: share: old_share + sum_i g_i(x_self) (secret).
 *      vshares[0..c->n): X_k + sum_i C_i(x_k).
 *      blame: set on every return; MPC_VSS_FAULT_NONE unless PROTOCOL.
 * In:  c: the committee with its current verifying shares.
 *      self: this party's index in c->ids.
 *      old_share: this party's current share.
 *      dealings[0..n_dealings): indices into this array are what blame
 *      names.
 * Outputs must not alias inputs (a failed refresh must not destroy the
 * old share).
 * Security: constant time in old_share and the sub-shares.
 */
MPC_WARN_UNUSED mpc_err mpc_vss_refresh_receive(
    const mpc_group *g, mpc_scalar *share, mpc_point *vshares,
    mpc_vss_blame *blame, const mpc_vss_committee *c, size_t self,
    const mpc_scalar *old_share, const mpc_vss_dealing *dealings,
    size_t n_dealings);

#endif /* MPC_VSS_H */
