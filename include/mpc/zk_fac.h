/*
 * mpc/zk_fac.h — Πfac: the prover's Paillier modulus N has no small
 * factor, proved against the verifier's ring-Pedersen parameters.
 *
 * CGGMP21 (eprint 2021/060, 2021 revision) Fig. 28 (App. C.5); 2024
 * revision Fig. 26 (App. A.4), which drops the public σ of the 2021 text;
 * LFDT cggmp21 spec/main.tex "Πfac", followed here. Aux-info round 3
 * (crypto.md §2.5A): every party proves its N to every other party j,
 * against j's (N̂, s, t). Together with Πmod it closes BitForge
 * (CVE-2023-33241): Πmod proves N = p q for two primes, Πfac that both are
 * large.
 *
 * Statement: N (the prover's mpc_paillier_pk), the verifier's (N̂, s, t).
 * Witness: p, q with N = p q. Parameters ℓ, ε, n = n_bits, h = prime_bits.
 * Guarantee: p, q > 2^ℓ, given 2^(2ℓ+ε) ≲ √N (LFDT spec).
 *
 *   prover     α, β ← ±2^(ℓ+ε)·⌊√N⌋,  μ, ν ← ±2^ℓ·N̂,
 *              r ← ±2^(ℓ+ε)·N·N̂,      x, y ← ±2^(ℓ+ε)·N̂;
 *              P = s^p t^μ, Q = s^q t^ν, A = s^α t^x, B = s^β t^y,
 *              T = Q^α t^r (all mod N̂);
 *   challenge  e ∈ ±Q from the transcript (below): Q = q, the secp256k1
 *              order, for MPC_PARAMS_COMPAT, Q = 2^128 for MPC_PARAMS_128,
 *              as for every single-challenge proof (crypto.md §2.3). With
 *              ε = 230 a challenge of 2^ℓ would not be hidden: the mask x
 *              of w1 = x + e μ must dwarf e μ, or w1 leaks μ, the
 *              randomness that hides p in P;
 *   response   z1 = α + e p, z2 = β + e q, w1 = x + e μ, w2 = y + e ν,
 *              v = r - e ν p.
 * (±B is the closed interval [-B, B], as in the paper and mpc/bn.h.)
 *
 * The verifier checks, in this order (any failure is MPC_ERR_VERIFY):
 *   1. N has at least params->n_min_bits bits and N > 2^(4ℓ);
 *   2. P, Q, A, B, T ∈ Z*_N̂ (so every product below is a unit too);
 *   3. z1, z2 ∈ ±2^(ℓ+ε)·⌊√N⌋ — ⌊√N⌋ from mpz_sqrt. Using the floor
 *      keeps the bound at or below the real 2^(ℓ+ε)·√N the soundness
 *      argument needs, and the prover samples α, β against the same
 *      integer, so completeness is unchanged;
 *   4. s^z1 t^w1 ≡ A P^e (mod N̂);
 *   5. s^z2 t^w2 ≡ B Q^e (mod N̂);
 *   6. Q^z1 t^v ≡ T s^(N e) (mod N̂).
 * The range check 3 is what rejects a small factor: with p ≈ 2^k the
 * cofactor q ≈ N / 2^k makes |e q| exceed the bound.
 *
 * Fiat–Shamir. The caller forks a transcript bound to the session, the
 * prover's and (for this P2P proof) the verifier's index. Prove and verify
 * absorb, in order: u64 "zk.fac.params" = params->id, then "zk.fac.Nhat",
 * "zk.fac.s", "zk.fac.t" (the verifier's parameters), "zk.fac.N", and
 * "zk.fac.P", "zk.fac.Q", "zk.fac.A", "zk.fac.B", "zk.fac.T" (each
 * n_bytes big-endian); then draw e labelled "zk.fac.e" with
 * mpc_zk_challenge (lib/zk/zk_internal.h: u uniform in [0, 2Q] from
 * bytelen(2Q + 1) + 16 challenge bytes reduced mod 2Q + 1, e = u - Q).
 *
 * Encoding (mpc_zk_fac_proof_bytes): P, Q, A, B, T (n_bytes each, below
 * N̂), then z1, z2, w1, w2, v as mpc_bn_serialize_signed with the bounds
 * 2^kz, 2^kz, 2^kw, 2^kw, 2^kv, kz = ℓ+ε+h+1, kw = max(ℓ+ε, 2ℓ)+n+1,
 * kv = ℓ+ε+2n+1: the largest values an honest prover can produce, so the
 * lengths are fixed by the parameter set.
 *
 * Rules for the whole header:
 * - Pointer arguments must not be NULL unless stated; a NULL yields
 *   MPC_ERR_INVALID_ARG.
 * - No function keeps a pointer to its inputs, except that a proof keeps
 *   its params pointer (params are static constants).
 * - On failure the proof is empty (all values 0, params NULL) and byte
 *   outputs are zeroed.
 */
#ifndef MPC_ZK_FAC_H
#define MPC_ZK_FAC_H

#include <stddef.h>
#include <stdint.h>

#include <gmp.h>

#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/transcript.h"

/** A Πfac proof; initialise with mpc_zk_fac_proof_init. Fields are public
 * but only meaningful after prove or parse succeeded. */
typedef struct mpc_zk_fac_proof {
    /** The set the proof was made or parsed under. */
    const mpc_params *params;
    mpz_t P, Q, A, B, T;     /**< first message, mod N̂ */
    mpz_t z1, z2, w1, w2, v; /**< signed responses */
} mpc_zk_fac_proof;

/** Initialises an empty proof. */
void mpc_zk_fac_proof_init(mpc_zk_fac_proof *proof);
/** Releases a proof; NULL does nothing. */
void mpc_zk_fac_proof_clear(mpc_zk_fac_proof *proof);

/**
 * Proves that sk's N has no small factor, for the verifier whose
 * parameters are rp.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (NULL, an empty key or rp, key and
 * rp under different parameter sets, p q ≠ N or a prime longer than
 * prime_bits); MPC_ERR_NOMEM; MPC_ERR_INTERNAL (broken rng, or z1 or z2
 * fell outside the verifier's range: probability about 2^-ε, not worth a
 * retry loop).
 * Out:    proof.
 * In/Out: t: the bound transcript; advanced.
 * In:     sk: the prover's key; rp: the verifier's parameters (from
 *         mpc_rped_parse, Πprm verified).
 * Security: constant time in p, q and every nonce: commitments with
 * mpc_rped_commit / mpc_bn_powm_signed_sec on public bit bounds; the
 * responses are computed modulo a public power of two with `_sec`
 * functions and only then read as signed integers (they are public).
 * Nonces are wiped.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_fac_prove(const mpc_ctx *ctx,
                                         mpc_zk_fac_proof *proof,
                                         mpc_transcript *t,
                                         const mpc_paillier_sk *sk,
                                         const mpc_rped *rp);

/**
 * Verifies a peer's proof about its modulus pk, made against our own
 * parameters rp: every check of the list at the top of this header.
 *
 * Returns: MPC_OK; MPC_ERR_VERIFY if a check fails (blame the prover);
 * MPC_ERR_INVALID_ARG (NULL, empty inputs, different parameter sets, an
 * N or N̂ longer than n_bytes, a table over another modulus).
 * In/Out: t: the same transcript the prover used; advanced (its state is
 *         unspecified after a failure).
 * In:     proof, pk: the prover's N; rp: the verifier's own parameters;
 *         tab: fixed-base tables of rp (mpc_rped_table_init), or NULL for
 *         plain exponentiations.
 * Variable time; everything it reads is public.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_fac_verify(mpc_transcript *t,
                                          const mpc_zk_fac_proof *proof,
                                          const mpc_paillier_pk *pk,
                                          const mpc_rped *rp,
                                          const mpc_rped_table *tab);

/** Bytes of an encoded proof under `params` (3050 for MPC_PARAMS_COMPAT);
 * 0 if params is NULL. */
size_t mpc_zk_fac_proof_bytes(const mpc_params *params);

/**
 * Writes the encoding described at the top.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if len is not
 * mpc_zk_fac_proof_bytes(proof->params) or a value does not fit its field
 * (out is zeroed).
 */
MPC_WARN_UNUSED mpc_err mpc_zk_fac_proof_serialize(
    uint8_t *out, size_t len, const mpc_zk_fac_proof *proof);

/**
 * Parses a proof made against rp (the verifier's own parameters): exactly
 * mpc_zk_fac_proof_bytes bytes, P, Q, A, B, T in [0, N̂), the responses
 * canonical and within their field bounds.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for bad bytes; MPC_ERR_INVALID_ARG
 * (NULL, an empty rp). On failure the proof is empty.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_fac_proof_parse(mpc_zk_fac_proof *proof,
                                               const mpc_rped *rp,
                                               const uint8_t *in, size_t len);

#endif /* MPC_ZK_FAC_H */
