/*
 * mpc/zk_chi.h — Πlog*χ: Πlog* (mpc/zk_logstar.h) with the wide range of
 * a presign χ_i. Binds the point S_i = χ_i·Γ that presign publishes to the
 * χ_i that the public Paillier transcript defines, so that a wrong S_i is
 * blamed on its sender (crypto.md §2.6 level 3; docs/security-cggmp.md,
 * "Identifiable abort").
 *
 * Why a separate proof: χ_i is the integer plaintext of
 *   C_i = (w_i⊙K_i) ⊕ Σ_j D̂_{i,j} ⊕ Σ_j F̂_{j,i}⁻¹   (all under N_i),
 * a sum of t-1 MtA outputs of ±2^{ℓ'+1} each, not a value in ±2^ℓ.
 * Honest values satisfy |x| < 2^{ℓ_χ} with ℓ_χ = ℓ' + MPC_ZK_CHI_EXTRA_BITS
 * for every signer set of up to MPC_CGGMP_MAX_PARTIES = 64 signers
 * (|x| < 2^512 + 3 (t-1) 2^{ℓ'} < 2^{ℓ'+8}), provided every decrypted MtA
 * output was checked to lie in ±2^{ℓ'+1} (presign does).
 *
 * Statement: the prover's Paillier key N0, C ∈ Z*_{N0^2}, a base g ≠ O of
 *            secp256k1 and a point X.
 * Witness:   x ∈ ±2^{ℓ_χ} and ρ ∈ Z*_{N0} with C = Enc_{N0}(x; ρ), X = x·g.
 * Setup:     the VERIFIER's ring-Pedersen parameters (N̂, s, t); ℓ', ε, Q
 *            of the parameter set.
 * Proves:    C encrypts an integer x ∈ ±2^{ℓ_χ+ε+1} with X = (x mod q)·g.
 *            Sound because 2^{ℓ_χ+ε+1} < N0/2 in every set (compat:
 *            1288 + 512 + 1 < 2047; 128-bit: 856 + 230 + 1 < 3071), so the
 *            extracted integer is the centered plaintext itself (the
 *            argument of Πlog*, with ℓ replaced by ℓ_χ). Zero knowledge:
 *            α ∈ ±2^{ℓ_χ+ε} hides e·x (|e| <= Q) up to Q / 2^ε, as in
 *            Πlog*.
 *
 * Prover: α ← ±2^{ℓ_χ+ε}, μ ← ±2^{ℓ_χ} N̂, r ← Z*_{N0},
 *         γ ← ±2^{ℓ_χ+ε} N̂;
 *   S = s^x t^μ mod N̂,  A = Enc_{N0}(α; r),  Y = α·g,  D = s^α t^γ mod N̂;
 *   e ∈ ±Q from the transcript;
 *   z1 = α + e x,  z2 = r ρ^e mod N0,  z3 = γ + e μ.
 *
 * Verifier: every check below; any failure is MPC_ERR_VERIFY.
 *   1. N0 and N̂ odd with n_min_bits <= bitlen <= n_bits;
 *   2. C ∈ Z*_{N0^2} and A ∈ Z*_{N0^2};
 *   3. S, D ∈ Z*_{N̂}; z2 ∈ Z*_{N0};
 *   4. z1 ∈ ±2^{ℓ_χ+ε}; |z3| <= 2^{ℓ_χ+ε+n_bits+1} (encoding bound);
 *   5. g is not the identity; Y is a valid, non-identity point;
 *   6. Enc_{N0}(z1; z2) = A C^e mod N0^2;
 *   7. z1·g = Y + e·X (z1 and e reduced mod q);
 *   8. s^{z1} t^{z3} = D S^e mod N̂.
 *
 * Fiat–Shamir: on the caller's session-bound transcript, absorbs the label
 * "cggmp21/log*chi", the set and (N̂, s, t), the set and N0, C, g, X, then
 * Y, S, A, D, and draws e ∈ ±Q.
 *
 * Encoding: Y 33 bytes | S n_bytes | A ct_bytes | D n_bytes | z1 signed
 * (ℓ_χ+ε) | z2 n_bytes | z3 signed (ℓ_χ+ε+n_bits+1).
 *
 * Rules for the whole header: no NULL pointers unless stated; no pointer
 * kept; on failure the proof output is zeroed (Y as 33 zero bytes).
 */
#ifndef MPC_ZK_CHI_H
#define MPC_ZK_CHI_H

#include <stddef.h>
#include <stdint.h>

#include <gmp.h>

#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/group.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/transcript.h"

/** ℓ_χ - ℓ': room for the sum of up to 64 signers' MtA outputs. */
#define MPC_ZK_CHI_EXTRA_BITS 8

/** A Πlog*χ proof. */
typedef struct mpc_zk_chi_proof {
    uint8_t y[MPC_SECP256K1_POINT_BYTES]; /* Y = α·g, encoded */
    mpz_t s, a, d, z1, z2, z3;
} mpc_zk_chi_proof;

/** Initialises a proof (all fields 0). */
void mpc_zk_chi_proof_init(mpc_zk_chi_proof *proof);

/** Releases a proof; NULL does nothing. */
void mpc_zk_chi_proof_clear(mpc_zk_chi_proof *proof);

/** ℓ_χ of `params` (0 if params is NULL). */
size_t mpc_zk_chi_bits(const mpc_params *params);

/** Bytes of an encoded proof under `params`; 0 if params is NULL. */
size_t mpc_zk_chi_proof_bytes(const mpc_params *params);

/**
 * Proves that C encrypts the discrete log x ∈ ±2^{ℓ_χ} of X to base g.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (a NULL, empty or mismatched keys,
 * N̂ or N0 of the wrong size, C not in Z*_{N0^2}, x not in ±2^{ℓ_χ}, ρ not
 * in [1, N0), g the identity or X != x·g); MPC_ERR_NOMEM;
 * MPC_ERR_INTERNAL (broken rng; negligible range overflow). On failure
 * proof is zeroed.
 * Out:    proof (initialised by the caller).
 * In/Out: t: the session-bound transcript; advanced.
 * In:     rp: the verifier's ring-Pedersen parameters; sk: the prover's
 *         Paillier key (N0); C = Enc_{N0}(x; ρ); base: g; X = x·g;
 *         x, rho: the witness.
 * Security: constant time in x and ρ up to their limb counts, and in the
 * key; the masks are wiped.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_chi_prove(
    const mpc_ctx *ctx, mpc_zk_chi_proof *proof, mpc_transcript *t,
    const mpc_rped *rp, const mpc_paillier_sk *sk, const mpz_t C,
    const mpc_point *base, const mpc_point *X, const mpz_t x, const mpz_t rho);

/**
 * Verifies a Πlog*χ proof: every check listed at the top of this header.
 *
 * Returns: MPC_OK; MPC_ERR_VERIFY if any check fails (blame the prover);
 * MPC_ERR_INVALID_ARG if a pointer is NULL, pk or rp is empty, they are of
 * different sets, or tab is not a table of rp (tables of any size work:
 * mpc_rped_table_commit_var).
 * In/Out: t: the same transcript the prover used; advanced.
 * In:     rp, tab (may be NULL): the verifier's own ring-Pedersen
 *         parameters and their tables; pk: the prover's key N0; C, base,
 *         X: the statement; proof: as parsed from the prover.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_chi_verify(
    const mpc_ctx *ctx, mpc_transcript *t, const mpc_rped *rp,
    const mpc_rped_table *tab, const mpc_paillier_pk *pk, const mpz_t C,
    const mpc_point *base, const mpc_point *X, const mpc_zk_chi_proof *proof);

/**
 * Writes the encoding above.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if a pointer is NULL, len is not
 * mpc_zk_chi_proof_bytes(params) or a field does not fit (out zeroed).
 */
MPC_WARN_UNUSED mpc_err
mpc_zk_chi_proof_serialize(uint8_t *out, size_t len, const mpc_params *params,
                           const mpc_zk_chi_proof *proof);

/**
 * Parses a proof strictly: exactly mpc_zk_chi_proof_bytes(params) bytes;
 * Y a valid non-identity secp256k1 point in its canonical compressed
 * encoding; fixed-length unsigned fields; canonical signed fields within
 * their bounds.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for malformed bytes; MPC_ERR_INVALID_ARG
 * if a pointer is NULL. On failure proof is zeroed.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_chi_proof_parse(const mpc_ctx *ctx,
                                               mpc_zk_chi_proof *proof,
                                               const mpc_params *params,
                                               const uint8_t *in, size_t len);

#endif /* MPC_ZK_CHI_H */
