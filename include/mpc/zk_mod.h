/*
 * mpc/zk_mod.h — Πmod: N is a Paillier-Blum modulus.
 *
 * The prover shows that its Paillier modulus N is a product of two primes
 * p ≡ q ≡ 3 (mod 4) with gcd(N, φ(N)) = 1, without revealing them.
 * CGGMP21 (eprint 2021/060, 2021 revision) Fig. 16, §6.3; 2024 revision
 * Fig. 12; LFDT cggmp21 spec/main.tex "Πmod". Aux-info round 3 (crypto.md
 * §2.5A): nobody encrypts under a peer's N before that peer's Πmod and Πfac
 * verified (BitForge, CVE-2023-33241).
 *
 * Statement: N (an mpc_paillier_pk). Witness: p, q (an mpc_paillier_sk).
 * m = params->m repetitions (80 or 128), soundness 2^-m.
 *
 *   prover     w ← Z*_N with Jacobi(w, N) = -1;
 *   challenge  y_1..y_m ∈ Z_N from the transcript (below);
 *   response   for every i: a_i, b_i ∈ {0,1} such that
 *              y'_i = (-1)^a_i w^b_i y_i is a square mod p and mod q,
 *              x_i = the 4th root of y'_i that is a square mod p and q,
 *              z_i = y_i^(N^-1 mod φ(N)) mod N.
 *
 * The verifier checks, in this order (any failure is MPC_ERR_VERIFY):
 *   1. N is odd and has at least params->n_min_bits bits;
 *   2. N is not prime: 2^(N-1) ≢ 1 (mod N) (a prime always fails this
 *      Fermat test; a composite that passes is rejected too, harmlessly);
 *   3. w ∈ Z*_N: 0 < w < N and gcd(w, N) = 1;
 *   4. Jacobi(w, N) = -1;
 *   and for every i:
 *   5. y_i ∈ Z*_N;
 *   6. x_i ∈ Z*_N and z_i ∈ Z*_N;
 *   7. z_i^N ≡ y_i (mod N);
 *   8. a_i, b_i ∈ {0, 1} and x_i^4 ≡ (-1)^a_i w^b_i y_i (mod N).
 * Checks 3, 4 and 6 are the ones the papers leave implicit and libraries
 * missed (Fireblocks mpc-lib, tss-lib #323, paillier-zk: CVE-2025-66016;
 * docs/security-cggmp.md). Without them, w ≡ 0 modulo a factor M of N
 * (and x_i ≡ 0 mod M) satisfies 7 and 8 for N = M·q with M a product of
 * 16-bit primes; Πfac accepts such an N too (it proves two large factors,
 * not two primes), and a peer's key share leaks through the MtA ciphertexts
 * encrypted under it.
 *
 * Fiat–Shamir. The caller forks a transcript bound to the session, the
 * prover's index and the aux-info randomness ρ (mpc_session_info_transcript
 * plus whatever the protocol adds). Prove and verify then absorb, in order:
 *   u64 "zk.mod.params" = params->id, u64 "zk.mod.m" = m,
 *   "zk.mod.N" = N, "zk.mod.w" = w (each n_bytes big-endian),
 * and draw y_i, i = 1..m, one after the other, each as bytelen(N) + 16
 * challenge bytes labelled "zk.mod.y" read big-endian and reduced mod N
 * (mpc_zk_challenge_below in lib/zk/zk_internal.h; 2^-128 from uniform).
 * Every y_i is a function of the statement and w only.
 *
 * Encoding (mpc_zk_mod_proof_bytes): w, then for i = 1..m: x_i, z_i (each
 * n_bytes big-endian, below N) and one byte a_i | b_i << 1.
 *
 * Rules for the whole header:
 * - Pointer arguments must not be NULL; a NULL yields MPC_ERR_INVALID_ARG.
 * - No function keeps a pointer to its inputs, except that a proof keeps
 *   its params pointer (params are static constants).
 * - On failure the proof is empty (all values 0, params NULL) and byte
 *   outputs are zeroed.
 */
#ifndef MPC_ZK_MOD_H
#define MPC_ZK_MOD_H

#include <stddef.h>
#include <stdint.h>

#include <gmp.h>

#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/transcript.h"

/** The largest m of any parameter set (MPC_PARAMS_128). */
#define MPC_ZK_MOD_ROUNDS_MAX 128

/** A Πmod proof; initialise with mpc_zk_mod_proof_init. Fields are public
 * (tests build malformed proofs) but are only meaningful after prove or
 * parse succeeded. */
typedef struct mpc_zk_mod_proof {
    /** The set the proof was made or parsed under; m = params->m. */
    const mpc_params *params;
    mpz_t w;
    mpz_t x[MPC_ZK_MOD_ROUNDS_MAX];
    mpz_t z[MPC_ZK_MOD_ROUNDS_MAX];
    uint8_t a[MPC_ZK_MOD_ROUNDS_MAX];
    uint8_t b[MPC_ZK_MOD_ROUNDS_MAX];
} mpc_zk_mod_proof;

/** Initialises an empty proof. */
void mpc_zk_mod_proof_init(mpc_zk_mod_proof *proof);
/** Releases a proof; NULL does nothing. */
void mpc_zk_mod_proof_clear(mpc_zk_mod_proof *proof);

/**
 * Proves that sk's N is a Paillier-Blum modulus.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (NULL, an empty key, a key whose
 * primes are not ≡ 3 mod 4 when that shows); MPC_ERR_NOMEM;
 * MPC_ERR_INTERNAL (the rng failed to give a w in 128 draws).
 * Out:    proof.
 * In/Out: t: the bound transcript; advanced.
 * In:     sk: the prover's key (from mpc_paillier_sk_from_primes).
 * Security: constant time in p and q (mpc/bn.h policy): every operation
 * modulo p or q, or with an exponent derived from them, is a `_sec`
 * function, with the CRT (two exponentiations per prime and round). b_i is
 * [Jacobi(y_i, N) = -1], public; a_i is read from x^4 ∈ {u, -u} mod p by
 * parity, not by a comparison. Branches depend only on w, a_i, b_i, the
 * y_i (all published) and the low three bits of p and q (public by the
 * bn.h policy).
 */
MPC_WARN_UNUSED mpc_err mpc_zk_mod_prove(const mpc_ctx *ctx,
                                         mpc_zk_mod_proof *proof,
                                         mpc_transcript *t,
                                         const mpc_paillier_sk *sk);

/**
 * Verifies a proof that pk's N is a Paillier-Blum modulus: every check of
 * the list at the top of this header.
 *
 * Returns: MPC_OK; MPC_ERR_VERIFY if a check fails (blame the prover);
 * MPC_ERR_INVALID_ARG (NULL, an empty key or proof, proof and key under
 * different parameter sets, an N longer than n_bytes: pass keys from
 * mpc_paillier_pk_parse).
 * In/Out: t: the same transcript the prover used; advanced (its state is
 *         unspecified after a failure).
 * In:     proof, pk: the prover's N.
 * Variable time; everything it reads is public.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_mod_verify(mpc_transcript *t,
                                          const mpc_zk_mod_proof *proof,
                                          const mpc_paillier_pk *pk);

/** Bytes of an encoded proof under `params`: n_bytes + m (2 n_bytes + 1);
 * 0 if params is NULL. */
size_t mpc_zk_mod_proof_bytes(const mpc_params *params);

/**
 * Writes the encoding described at the top.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if len is not
 * mpc_zk_mod_proof_bytes(proof->params) or a value does not fit its field
 * (out is zeroed).
 */
MPC_WARN_UNUSED mpc_err mpc_zk_mod_proof_serialize(
    uint8_t *out, size_t len, const mpc_zk_mod_proof *proof);

/**
 * Parses a peer's proof about pk's N: exactly mpc_zk_mod_proof_bytes
 * bytes, w, x_i, z_i each in [0, N), each a_i | b_i << 1 byte below 4.
 * Whether the values are units is checked by verify.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for bad bytes; MPC_ERR_INVALID_ARG
 * (NULL, an empty key). On failure the proof is empty.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_mod_proof_parse(mpc_zk_mod_proof *proof,
                                               const mpc_paillier_pk *pk,
                                               const uint8_t *in, size_t len);

#endif /* MPC_ZK_MOD_H */
