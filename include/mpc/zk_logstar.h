/*
 * mpc/zk_logstar.h — Πlog*: knowledge of exponent vs Paillier encryption,
 * in range.
 *
 * CGGMP21 (eprint 2021/060), 2021 revision, Fig. 25 (appendix; replaced by
 * Πelog / Πenc-elg in the 2024 revision); LFDT paillier-zk
 * "group_element_vs_paillier_encryption_in_range". Used in presign round
 * 2 with the generator G (Γ_i = γ_i·G against G_i = Enc(γ_i)) and round 3
 * with base Γ (Δ_i = k_i·Γ against K_i), so the base is part of the
 * statement.
 *
 * Statement: the prover's Paillier key N0, a ciphertext C ∈ Z*_{N0^2}, a
 *            base point g ≠ O of secp256k1 and a point X.
 * Witness:   x ∈ ±2^ℓ and ρ ∈ Z*_{N0} with C = Enc_{N0}(x; ρ), X = x·g.
 * Setup:     the VERIFIER's ring-Pedersen parameters (N̂, s, t); ℓ, ε, Q
 *            of the parameter set (mpc/zk_enc.h).
 * Proves:    x ∈ ±2^{ℓ+ε}, and the plaintext of C is the discrete log of
 *            X to base g (mod q).
 *
 * Prover: α ← ±2^{ℓ+ε}, μ ← ±2^ℓ N̂, r ← Z*_{N0}, γ ← ±2^{ℓ+ε} N̂;
 *   S = s^x t^μ mod N̂,  A = Enc_{N0}(α; r),  Y = α·g,  D = s^α t^γ mod N̂;
 *   e ∈ ±Q from the transcript;
 *   z1 = α + e x,  z2 = r ρ^e mod N0,  z3 = γ + e μ.
 * This is Πenc on C (with D in the place of Πenc's C) plus Y: the proof
 * embeds an mpc_zk_enc_proof and checks it exactly as Πenc does, under
 * Πlog*'s own challenge.
 *
 * Verifier: every check below; any failure is MPC_ERR_VERIFY.
 *   1. N0 and N̂ odd with n_min_bits <= bitlen <= n_bits;
 *   2. C ∈ Z*_{N0^2} and A ∈ Z*_{N0^2};
 *   3. S, D ∈ Z*_{N̂}; z2 ∈ Z*_{N0};
 *   4. z1 ∈ ±2^{ℓ+ε}; |z3| <= 2^{ℓ+ε+n_bits+1} (encoding bound);
 *   5. g is not the identity; Y is a valid, non-identity point;
 *   6. Enc_{N0}(z1; z2) = A C^e mod N0^2;
 *   7. z1·g = Y + e·X (z1 and e reduced mod q);
 *   8. s^{z1} t^{z3} = D S^e mod N̂.
 *
 * Fiat–Shamir: on the caller's session-bound transcript (mpc/zk_enc.h),
 * absorbs the label "cggmp21/log*", the set and (N̂, s, t), the set and
 * N0, C, g, X, then Y, S, A, D, and draws e ∈ ±Q.
 *
 * Encoding: Y 33 bytes (SEC1 compressed) | the Πenc encoding of
 * (S, A, D, z1, z2, z3) (1765 bytes at the compat set, 2461 at the
 * 128-bit set).
 *
 * Rules for the whole header: as mpc/zk_enc.h (no NULL pointers unless
 * stated; no pointer kept; on failure the proof output is zeroed — Y as 33
 * zero bytes, which is not a valid point).
 */
#ifndef MPC_ZK_LOGSTAR_H
#define MPC_ZK_LOGSTAR_H

#include <stddef.h>
#include <stdint.h>

#include <gmp.h>

#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/group.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/transcript.h"
#include "mpc/zk_enc.h"

/** A Πlog* proof. */
typedef struct mpc_zk_logstar_proof {
    /** Y = α·g in its 33-byte encoding, as on the wire (parsed and
     * validated by verify). */
    uint8_t y[MPC_SECP256K1_POINT_BYTES];
    /** (S, A, D, z1, z2, z3); D is in the field `c`. */
    mpc_zk_enc_proof enc;
} mpc_zk_logstar_proof;

/** Initialises a proof (all fields 0). */
void mpc_zk_logstar_proof_init(mpc_zk_logstar_proof *proof);

/** Releases a proof; NULL does nothing. */
void mpc_zk_logstar_proof_clear(mpc_zk_logstar_proof *proof);

/** Bytes of an encoded proof under `params`; 0 if params is NULL. */
size_t mpc_zk_logstar_proof_bytes(const mpc_params *params);

/**
 * Proves that C encrypts the discrete log x ∈ ±2^ℓ of X to base g.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG as mpc_zk_enc_prove (a NULL, empty
 * or mismatched keys, N̂ of the wrong size, C not in Z*_{N0^2}, x not in
 * ±2^ℓ, ρ not in [1, N0)), or if g is the identity or X != x·g;
 * MPC_ERR_NOMEM; MPC_ERR_INTERNAL (broken rng; negligible range
 * overflow). On failure proof is zeroed.
 * Out:    proof (initialised by the caller).
 * In/Out: t: the session-bound transcript; advanced.
 * In:     rp: the verifier's ring-Pedersen parameters; sk: the prover's
 *         Paillier key (N0); C = Enc_{N0}(x; ρ); base: g; X = x·g;
 *         x, rho: the witness.
 * Security: constant time in x, ρ and the key; the masks are wiped.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_logstar_prove(
    const mpc_ctx *ctx, mpc_zk_logstar_proof *proof, mpc_transcript *t,
    const mpc_rped *rp, const mpc_paillier_sk *sk, const mpz_t C,
    const mpc_point *base, const mpc_point *X, const mpz_t x, const mpz_t rho);

/**
 * Verifies a Πlog* proof: every check listed at the top of this header.
 *
 * Returns: MPC_OK; MPC_ERR_VERIFY if any check fails (blame the prover);
 * MPC_ERR_INVALID_ARG if a pointer is NULL, pk or rp is empty, they are of
 * different sets, or tab is not a table of rp.
 * In/Out: t: the same transcript the prover used; advanced.
 * In:     rp, tab (may be NULL): the verifier's own ring-Pedersen
 *         parameters and their tables; pk: the prover's key N0; C, base,
 *         X: the statement; proof: as parsed from the prover.
 */
MPC_WARN_UNUSED mpc_err
mpc_zk_logstar_verify(const mpc_ctx *ctx, mpc_transcript *t, const mpc_rped *rp,
                      const mpc_rped_table *tab, const mpc_paillier_pk *pk,
                      const mpz_t C, const mpc_point *base, const mpc_point *X,
                      const mpc_zk_logstar_proof *proof);

/**
 * Writes the encoding above.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if a pointer is NULL, len is not
 * mpc_zk_logstar_proof_bytes(params) or a field does not fit (out zeroed).
 */
MPC_WARN_UNUSED mpc_err mpc_zk_logstar_proof_serialize(
    uint8_t *out, size_t len, const mpc_params *params,
    const mpc_zk_logstar_proof *proof);

/**
 * Parses a proof strictly: exactly mpc_zk_logstar_proof_bytes(params)
 * bytes; Y a valid non-identity secp256k1 point in its canonical
 * compressed encoding; the rest as mpc_zk_enc_proof_parse.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for malformed bytes; MPC_ERR_INVALID_ARG
 * if a pointer is NULL. On failure proof is zeroed.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_logstar_proof_parse(const mpc_ctx *ctx,
                                                   mpc_zk_logstar_proof *proof,
                                                   const mpc_params *params,
                                                   const uint8_t *in,
                                                   size_t len);

#endif /* MPC_ZK_LOGSTAR_H */
