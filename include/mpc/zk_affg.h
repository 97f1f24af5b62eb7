/*
 * mpc/zk_affg.h — Πaff-g: Paillier affine operation with group commitment
 * in range.
 *
 * CGGMP21 (eprint 2021/060), 2021 revision Fig. 15 (§6.2); LFDT cggmp21
 * spec §"Πaff-g" (masks as in the paper: γ, δ ∈ ±2^{ℓ+ε} N̂ and
 * m, μ ∈ ±2^ℓ N̂). Used in presign round 2, once per MtA: P_i answers P_j's
 * K_j with D = (γ_i ⊙ K_j) ⊕ Enc_j(β) and proves it to P_j.
 *
 * Which key is whose: N0 is the VERIFIER's Paillier key (C and D are its
 * ciphertexts: C = K_j, D its MtA answer), N1 is the PROVER's own key (Y
 * encrypts the same y under it, so the prover's later claims about y can
 * be checked), and (N̂, s, t) are the verifier's ring-Pedersen
 * parameters (in CGGMP21, N̂ = N0).
 *
 * Statement: N0, N1; C, D ∈ Z*_{N0^2}; Y ∈ Z*_{N1^2}; a point X.
 * Witness:   x ∈ ±2^ℓ, y ∈ ±2^{ℓ'}, ρ ∈ Z*_{N0}, ρ_y ∈ Z*_{N1} with
 *            D = C^x Enc_{N0}(y; ρ) mod N0^2, Y = Enc_{N1}(y; ρ_y), X = x·G.
 * Proves:    x ∈ ±2^{ℓ+ε}, y ∈ ±2^{ℓ'+ε}.
 *
 * Prover: α ← ±2^{ℓ+ε}, β ← ±2^{ℓ'+ε}, r ← Z*_{N0}, r_y ← Z*_{N1},
 *         γ, δ ← ±2^{ℓ+ε} N̂, m, μ ← ±2^ℓ N̂;
 *   A = C^α Enc_{N0}(β; r) mod N0^2,  B_x = α·G,  B_y = Enc_{N1}(β; r_y),
 *   E = s^α t^γ,  S = s^x t^m,  F = s^β t^δ,  T = s^y t^μ  (mod N̂);
 *   e ∈ ±Q from the transcript;
 *   z1 = α + e x,  z2 = β + e y,  z3 = γ + e m,  z4 = δ + e μ,
 *   w = r ρ^e mod N0,  w_y = r_y ρ_y^e mod N1.
 *
 * Verifier: every check below; any failure is MPC_ERR_VERIFY.
 *   1. N0, N1 and N̂ odd with n_min_bits <= bitlen <= n_bits;
 *   2. C, D, A ∈ Z*_{N0^2}; Y, B_y ∈ Z*_{N1^2};
 *   3. E, S, F, T ∈ Z*_{N̂}; w ∈ Z*_{N0}; w_y ∈ Z*_{N1};
 *   4. z1 ∈ ±2^{ℓ+ε}; z2 ∈ ±2^{ℓ'+ε}; |z3|, |z4| <= 2^{ℓ+ε+n_bits+1}
 *      (encoding bound);
 *   5. B_x is a valid, non-identity point;
 *   6. C^{z1} Enc_{N0}(z2; w) = A D^e mod N0^2;
 *   7. z1·G = B_x + e·X (z1 and e reduced mod q);
 *   8. Enc_{N1}(z2; w_y) = B_y Y^e mod N1^2;
 *   9. s^{z1} t^{z3} = E S^e mod N̂;
 *  10. s^{z2} t^{z4} = F T^e mod N̂.
 *
 * Fiat–Shamir: on the caller's session-bound transcript (mpc/zk_enc.h),
 * absorbs the label "cggmp21/aff-g", the set and (N̂, s, t), the set and
 * N0, the set and N1, C, D, Y, X, then B_x, A, B_y, E, S, F, T, and draws
 * e ∈ ±Q.
 *
 * Encoding (fixed lengths, mpc/zk_enc.h conventions):
 *   B_x 33 | A ct | B_y ct | E | S | F | T n_bytes each |
 *   z1 ±2^{ℓ+ε} | z2 ±2^{ℓ'+ε} | z3, z4 ±2^{ℓ+ε+n_bits+1} |
 *   w, w_y n_bytes each
 * (3625 bytes at the compat set, 4963 at the 128-bit set).
 *
 * Rules for the whole header: as mpc/zk_enc.h (no NULL pointers unless
 * stated; no pointer kept; on failure the proof output is zeroed).
 */
#ifndef MPC_ZK_AFFG_H
#define MPC_ZK_AFFG_H

#include <stddef.h>
#include <stdint.h>

#include <gmp.h>

#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/group.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/transcript.h"

/**
 * A Πaff-g proof. Field names follow the paper in lower case: `e` is the
 * commitment E = s^α t^γ, not the challenge (which is not stored).
 */
typedef struct mpc_zk_affg_proof {
    /** B_x = α·G in its 33-byte encoding, as on the wire. */
    uint8_t bx[MPC_SECP256K1_POINT_BYTES];
    mpz_t a, by, e, s, f, t;
    mpz_t z1, z2, z3, z4, w, wy;
} mpc_zk_affg_proof;

/** Initialises a proof (all fields 0). */
void mpc_zk_affg_proof_init(mpc_zk_affg_proof *proof);

/** Releases a proof; NULL does nothing. */
void mpc_zk_affg_proof_clear(mpc_zk_affg_proof *proof);

/** Bytes of an encoded proof under `params`; 0 if params is NULL. */
size_t mpc_zk_affg_proof_bytes(const mpc_params *params);

/**
 * Proves that D = C^x Enc_{N0}(y; ρ) and Y = Enc_{N1}(y; ρ_y) with X = x·G
 * and x, y in range.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if a pointer is NULL, a key or rp
 * is empty or of another set, N0 or N̂ has the wrong size, C or D is not
 * in Z*_{N0^2} or Y not in Z*_{N1^2}, x is not in ±2^ℓ, y not in ±2^{ℓ'},
 * ρ not in [1, N0), ρ_y not in [1, N1), or X != x·G; MPC_ERR_NOMEM;
 * MPC_ERR_INTERNAL (broken rng; negligible range overflow). On failure
 * proof is zeroed.
 * Out:    proof (initialised by the caller).
 * In/Out: t: the session-bound transcript; advanced.
 * In:     rp: the verifier's ring-Pedersen parameters; pk0: the
 *         verifier's Paillier key N0; sk1: the prover's own key (N1, used
 *         for CRT encryption); C, D, Y, X: the statement; x, y, rho,
 *         rho_y: the witness. D and Y are not recomputed: a statement
 *         that does not match the witness gives a proof that fails.
 * Security: constant time in x, y, ρ, ρ_y and sk1; the masks are wiped.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_affg_prove(
    const mpc_ctx *ctx, mpc_zk_affg_proof *proof, mpc_transcript *t,
    const mpc_rped *rp, const mpc_paillier_pk *pk0, const mpc_paillier_sk *sk1,
    const mpz_t C, const mpz_t D, const mpz_t Y, const mpc_point *X,
    const mpz_t x, const mpz_t y, const mpz_t rho, const mpz_t rho_y);

/**
 * Verifies a Πaff-g proof: every check listed at the top of this header.
 *
 * Returns: MPC_OK; MPC_ERR_VERIFY if any check fails (blame the prover);
 * MPC_ERR_INVALID_ARG if a pointer is NULL, a key or rp is empty, they are
 * of different sets, tab is not a table of rp, or sk0 is not the key of
 * pk0.
 * In/Out: t: the same transcript the prover used; advanced.
 * In:     rp, tab (may be NULL): the verifier's own ring-Pedersen
 *         parameters and their tables; sk0 (may be NULL): the verifier's
 *         own secret key for N0, with which all of check 6 is computed
 *         modulo p^2 and q^2 and joined by the CRT (constant time in the
 *         key, values public; about 2.4 ms faster than the public-key
 *         form at 2048 bits: bench_zk_mta); pk0: the verifier's key N0;
 *         pk1: the prover's key N1; C, D, Y, X: the statement; proof: as
 *         parsed from the prover.
 */
MPC_WARN_UNUSED mpc_err
mpc_zk_affg_verify(const mpc_ctx *ctx, mpc_transcript *t, const mpc_rped *rp,
                   const mpc_rped_table *tab, const mpc_paillier_sk *sk0,
                   const mpc_paillier_pk *pk0, const mpc_paillier_pk *pk1,
                   const mpz_t C, const mpz_t D, const mpz_t Y,
                   const mpc_point *X, const mpc_zk_affg_proof *proof);

/**
 * Writes the encoding above.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if a pointer is NULL, len is not
 * mpc_zk_affg_proof_bytes(params) or a field does not fit (out zeroed).
 */
MPC_WARN_UNUSED mpc_err
mpc_zk_affg_proof_serialize(uint8_t *out, size_t len, const mpc_params *params,
                            const mpc_zk_affg_proof *proof);

/**
 * Parses a proof strictly: exactly mpc_zk_affg_proof_bytes(params) bytes;
 * B_x a valid non-identity point in canonical compressed form; signed
 * fields canonical and within their bounds (z1 ∈ ±2^{ℓ+ε},
 * z2 ∈ ±2^{ℓ'+ε}). Membership of the other fields in their groups is
 * checked by mpc_zk_affg_verify.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for malformed bytes; MPC_ERR_INVALID_ARG
 * if a pointer is NULL. On failure proof is zeroed.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_affg_proof_parse(const mpc_ctx *ctx,
                                                mpc_zk_affg_proof *proof,
                                                const mpc_params *params,
                                                const uint8_t *in, size_t len);

#endif /* MPC_ZK_AFFG_H */
