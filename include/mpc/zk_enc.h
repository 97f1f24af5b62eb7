/*
 * mpc/zk_enc.h — Πenc: Paillier encryption in range.
 *
 * CGGMP21 (eprint 2021/060), 2021 revision Fig. 14 (§6.1); LFDT cggmp21
 * spec §"Πenc: Paillier Encryption in Range". Used in presign round 1:
 * P_i proves to each P_j that K_i encrypts a nonce share in range.
 *
 * Statement: the prover's Paillier key N0 and a ciphertext K ∈ Z*_{N0^2}.
 * Witness:   k ∈ ±2^ℓ and ρ ∈ Z*_{N0} with K = Enc_{N0}(k; ρ).
 * Setup:     the VERIFIER's ring-Pedersen parameters (N̂, s, t), proven by
 *            its Πprm; ℓ, ε and the challenge bound Q of the parameter
 *            set (Q = q at the compat set, 2^128 at the 128-bit set).
 * Proves:    k ∈ ±2^{ℓ+ε}.
 *
 * Prover: α ← ±2^{ℓ+ε}, μ ← ±2^ℓ N̂, r ← Z*_{N0}, γ ← ±2^{ℓ+ε} N̂;
 *   S = s^k t^μ mod N̂,   A = Enc_{N0}(α; r),   C = s^α t^γ mod N̂;
 *   e ∈ ±Q from the transcript (below);
 *   z1 = α + e k,   z2 = r ρ^e mod N0,   z3 = γ + e μ.
 *
 * Verifier: every check below; any failure is MPC_ERR_VERIFY.
 *   1. N0 and N̂ are odd with n_min_bits <= bitlen <= n_bits;
 *   2. K ∈ Z*_{N0^2} and A ∈ Z*_{N0^2} (0 < x < N0^2, gcd(x, N0) = 1);
 *   3. S, C ∈ Z*_{N̂}; z2 ∈ Z*_{N0};
 *   4. z1 ∈ ±2^{ℓ+ε} (the range the proof is about); |z3| within its
 *      encoding bound 2^{ℓ+ε+n_bits+1} (always true for honest proofs);
 *   5. Enc_{N0}(z1; z2) = A K^e mod N0^2;
 *   6. s^{z1} t^{z3} = C S^e mod N̂.
 *
 * Fiat–Shamir: the caller passes a transcript bound to the session id and
 * the prover's index (mpc_session_info_transcript). prove and verify then
 * absorb, in this order: the label "cggmp21/enc", the parameter set and
 * (N̂, s, t), the set and N0, K, then S, A, C, each in its fixed-length
 * wire encoding, and draw e (lib/zk/zk_internal.h, mpc_zk_challenge). A
 * proof therefore verifies only for the same session, prover, verifier
 * parameters, key and ciphertext.
 *
 * Encoding (lengths from the parameter set, big-endian, signed fields as
 * a sign byte 0x00/0x01 and the magnitude, mpc/bn.h):
 *   S n_bytes | A ct_bytes | C n_bytes | z1 signed ±2^{ℓ+ε} |
 *   z2 n_bytes | z3 signed ±2^{ℓ+ε+n_bits+1}
 * (1732 bytes at the compat set, 2428 at the 128-bit set).
 *
 * Rules for the whole header:
 * - Pointer arguments must not be NULL unless stated; a NULL is
 *   MPC_ERR_INVALID_ARG.
 * - No function keeps a pointer to its inputs after it returns.
 * - On failure the proof output is zeroed (every field 0).
 * - Thread safety: none of these functions has state; a proof object is
 *   used by one thread at a time.
 */
#ifndef MPC_ZK_ENC_H
#define MPC_ZK_ENC_H

#include <stddef.h>
#include <stdint.h>

#include <gmp.h>

#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/transcript.h"

/** A Πenc proof: the first message (S, A, C) and the responses. */
typedef struct mpc_zk_enc_proof {
    mpz_t s, a, c;
    mpz_t z1, z2, z3;
} mpc_zk_enc_proof;

/** Initialises a proof (all fields 0). */
void mpc_zk_enc_proof_init(mpc_zk_enc_proof *proof);

/** Releases a proof; NULL does nothing. */
void mpc_zk_enc_proof_clear(mpc_zk_enc_proof *proof);

/** Bytes of an encoded proof under `params`; 0 if params is NULL. */
size_t mpc_zk_enc_proof_bytes(const mpc_params *params);

/**
 * Proves that K encrypts k ∈ ±2^ℓ under the prover's own key.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if a pointer is NULL, the key or
 * rp is empty or of another parameter set, N̂ has the wrong size, K is
 * not in Z*_{N0^2}, k is not in ±2^ℓ or ρ not in [1, N0);
 * MPC_ERR_NOMEM; MPC_ERR_INTERNAL (broken rng, or a response out of range
 * with probability below 2^-100). On failure proof is zeroed.
 * Out:    proof (initialised by the caller).
 * In/Out: t: the session-bound transcript; advanced.
 * In:     rp: the verifier's ring-Pedersen parameters; sk: the prover's
 *         Paillier key (N0 = sk->pk.n, used for CRT encryption);
 *         K = Enc_{N0}(k; ρ); k, rho: the witness. The statement K is not
 *         re-encrypted here: a K that does not match gives a proof that
 *         fails to verify.
 * Security: constant time in k, ρ and the key (mpc/bn.h policy); the
 * masks α, μ, r, γ are wiped.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_enc_prove(const mpc_ctx *ctx,
                                         mpc_zk_enc_proof *proof,
                                         mpc_transcript *t, const mpc_rped *rp,
                                         const mpc_paillier_sk *sk,
                                         const mpz_t K, const mpz_t k,
                                         const mpz_t rho);

/**
 * Verifies a Πenc proof: every check listed at the top of this header.
 *
 * Returns: MPC_OK; MPC_ERR_VERIFY if any check fails (blame the prover);
 * MPC_ERR_INVALID_ARG if a pointer is NULL, pk or rp is empty, they are of
 * different parameter sets, or tab is not a table of rp.
 * In/Out: t: the same transcript the prover used; advanced (its state
 *         after a failure is unspecified).
 * In:     rp: the verifier's own ring-Pedersen parameters; tab (may be
 *         NULL): fixed-base tables of rp's s and t (mpc_rped_table_init),
 *         which make check 6 several times faster; pk: the prover's key
 *         N0; K: the statement; proof: as parsed from the prover.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_enc_verify(mpc_transcript *t, const mpc_rped *rp,
                                          const mpc_rped_table *tab,
                                          const mpc_paillier_pk *pk,
                                          const mpz_t K,
                                          const mpc_zk_enc_proof *proof);

/**
 * Writes the encoding above.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if a pointer is NULL, len is not
 * mpc_zk_enc_proof_bytes(params) or a field does not fit its encoding
 * (out zeroed).
 */
MPC_WARN_UNUSED mpc_err
mpc_zk_enc_proof_serialize(uint8_t *out, size_t len, const mpc_params *params,
                           const mpc_zk_enc_proof *proof);

/**
 * Parses a proof strictly: exactly mpc_zk_enc_proof_bytes(params) bytes,
 * signed fields canonical (no negative zero, sign byte 0x00 or 0x01) and
 * within their bounds (z1 ∈ ±2^{ℓ+ε}). Membership of the other fields in
 * Z*_{N0^2}, Z*_{N̂}, Z*_{N0} depends on the keys and is checked by
 * mpc_zk_enc_verify.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for malformed bytes; MPC_ERR_INVALID_ARG
 * if a pointer is NULL. On failure proof is zeroed.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_enc_proof_parse(mpc_zk_enc_proof *proof,
                                               const mpc_params *params,
                                               const uint8_t *in, size_t len);

#endif /* MPC_ZK_ENC_H */
