/*
 * mpc/zk_batch.h — batch verification of the Paillier equations of Πenc,
 * Πlog* and Πaff-g under one prover's key.
 *
 * Each of those proofs has one equation under the PROVER's Paillier key
 * N (Πenc check 5, Πlog* check 6, Πaff-g check 8):
 *   (1+N)^{z_i} w_i^N ≡ A_i B_i^{e_i}   (mod N^2),
 * whose w^N (a 2048-bit exponent mod a 4096-bit modulus) dominates the
 * verifier's cost. A batch checks k of them at once: with ρ_1 = 1 and
 * ρ_2, ..., ρ_k drawn uniform in [1, 2^λ), λ = MPC_ZK_BATCH_RHO_BITS,
 * from the verifier's rng after the proofs are fixed,
 *   (1+N)^{Σ ρ_i z_i mod N} (Π w_i^{ρ_i})^N ≡ Π A_i^{ρ_i} B_i^{ρ_i e_i},
 * one exponentiation by N whose squarings the short exponents share
 * (mpc_bn_multiexp_var). In presign round 3 a party verifies three such
 * equations per peer (two Πaff-g, one Πlog*): about a third of the time
 * (bench: `mpc-bench zk_batch`).
 *
 * Soundness (docs/security-cggmp.md, "Batch verification"). The prover's
 * Πmod proves gcd(N, φ(N)) = 1, so Z*_{N^2} = <1+N> × {N-th residues} and
 * (m, r) ↦ (1+N)^m r^N is a bijection Z_N × Z*_N → Z*_{N^2}; its Πfac
 * proves that N's prime factors exceed 2^ℓ >= 2^λ. Write the error of
 * equation i (A_i, B_i, w_i are units, checked before they are added) as
 *   A_i B_i^{e_i} / ((1+N)^{z_i} w_i^N) = (1+N)^{a_i} v_i^N.
 * The batch holds iff Σ ρ_i a_i ≡ 0 (mod N) and Π v_i^{ρ_i} ≡ 1 (mod N).
 * - Plaintext errors: if some a_j ≢ 0 with j >= 2, fix every ρ except
 *   ρ_j: a_j ρ_j must hit one residue modulo N / gcd(a_j, N), a product of
 *   primes above 2^λ, so at most one ρ_j in [1, 2^λ) does: probability
 *   about 2^-λ (each value of ρ_j has probability below 2^{1-λ}). If
 *   only a_1 ≢ 0 (ρ_1 = 1) the sum is a_1 and the batch fails. So an
 *   accepted batch has every a_i ≡ 0 except with probability ~2^-λ.
 * - N-th residue errors (v_i != 1, a_i ≡ 0) can pass: v_i = -1 passes
 *   whenever ρ_i is even. They are harmless: with a_i ≡ 0 the equation
 *   holds exactly for the response w_i v_i in place of w_i, the same
 *   first message and challenge (responses are not hashed), so the proof
 *   is one the single verifier would accept with another w_i. The
 *   extractor of each proof (CGGMP21 Fig. 14, 15, 25) uses its Paillier
 *   equation only through plaintexts: from two accepting transcripts it
 *   gets B^{Δe} = (1+N)^{Δz} times an N-th residue, and concludes that B
 *   encrypts Δz / Δe because gcd(Δe, N) = 1; the nonce is only shown to
 *   exist. The statement (plaintext and range) is therefore as sound as
 *   with separate checks.
 * - Every equation of a batch is under one prover's key (the batch is
 *   bound to it), and in the protocol one batch holds one prover's
 *   proofs: a failed batch blames that prover, no per-proof fallback is
 *   needed to find the culprit.
 * - ρ is the verifier's own randomness: it must be drawn after the
 *   proofs are fixed (mpc_zk_batch_add draws it as each equation comes
 *   in, after the proof was parsed) and is never sent.
 *
 * Rules for the whole header:
 * - Pointer arguments must not be NULL; a NULL is MPC_ERR_INVALID_ARG
 *   (clear accepts NULL).
 * - Variable time: every value is public (proofs, ciphertexts, N); ρ is
 *   secret only in that the prover must not know it in advance.
 * - Thread safety: a batch is used by one thread at a time.
 */
#ifndef MPC_ZK_BATCH_H
#define MPC_ZK_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include <gmp.h>

#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/group.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/transcript.h"
#include "mpc/zk_affg.h"
#include "mpc/zk_enc.h"
#include "mpc/zk_logstar.h"

/** λ: bits of the batching coefficients ρ_i (soundness error ~2^-λ). */
#define MPC_ZK_BATCH_RHO_BITS 128

/**
 * Equations kept for the final multi-exponentiation; beyond that the
 * right-hand sides are folded into a running product (correct for any
 * number, a little slower past this many).
 */
#define MPC_ZK_BATCH_PENDING 8

/**
 * A batch bound to one Paillier public key. Contents are private;
 * initialise with mpc_zk_batch_init, release with mpc_zk_batch_clear.
 */
typedef struct mpc_zk_batch {
    const mpc_params *params; /**< NULL: empty (no key) */
    mpz_t n, n2;
    mpz_t z;   /**< Σ ρ_i z_i mod N */
    mpz_t w;   /**< Π w_i^{ρ_i} mod N */
    mpz_t acc; /**< folded right-hand sides mod N^2 */
    mpz_t base[2 * MPC_ZK_BATCH_PENDING], exp[2 * MPC_ZK_BATCH_PENDING];
    size_t count;   /**< equations added */
    size_t pending; /**< equations in base/exp */
    bool failed;    /**< a folded right-hand side was undefined */
} mpc_zk_batch;

/**
 * Initialises an empty batch for equations under pk (N and N^2 are
 * copied).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if b or pk is NULL or pk is empty.
 * On failure the batch is empty (no key): clear is still required and
 * every add or check refuses it.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_batch_init(mpc_zk_batch *b,
                                          const mpc_paillier_pk *pk);

/** Releases a batch; NULL does nothing. */
void mpc_zk_batch_clear(mpc_zk_batch *b);

/** Equations added so far; 0 for NULL. */
size_t mpc_zk_batch_count(const mpc_zk_batch *b);

/**
 * Appends (1+N)^z w^N ≡ A B^e (mod N^2) for public values: z and e
 * signed integers of any size (z is taken mod N), 0 < w < N,
 * 0 < A, B < N^2. The first equation gets ρ = 1; each later one draws
 * ρ from ctx's rng. Units are not checked here (the verifiers check them
 * first): a non-unit w or B makes the check fail, not crash.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (NULL, an empty batch, pk not the
 * batch's key, a value out of its range); nothing is appended on failure.
 * In: ctx (rng); pk: the key the equation is under (must be the batch's,
 * compared by N).
 */
MPC_WARN_UNUSED mpc_err mpc_zk_batch_add(const mpc_ctx *ctx, mpc_zk_batch *b,
                                         const mpc_paillier_pk *pk,
                                         const mpz_t z, const mpz_t w,
                                         const mpz_t A, const mpz_t B,
                                         const mpz_t e);

/**
 * Checks every equation added so far (an empty batch passes). The batch
 * is not changed: more equations may follow and be checked again.
 *
 * Returns: MPC_OK; MPC_ERR_VERIFY if the batch equation fails (blame the
 * prover whose key the batch is bound to); MPC_ERR_INVALID_ARG for NULL or
 * an empty batch.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_batch_check(const mpc_zk_batch *b);

/* ---- Verifiers that append their Paillier equation --------------------- */

/*
 * Each runs every check of its proof (mpc/zk_enc.h, zk_logstar.h,
 * zk_affg.h) except the one equation under the prover's key, which it
 * appends to `batch` instead (bound to that key). MPC_OK therefore means
 * "no check failed so far": the proof is verified only once
 * mpc_zk_batch_check passes. Arguments as the plain verifier's.
 *
 * Returns: MPC_OK; MPC_ERR_VERIFY if a check failed (nothing appended;
 * blame the prover); MPC_ERR_INVALID_ARG as the plain verifier, or if
 * batch is NULL, empty or bound to another key than the prover's.
 */

/** Πenc with check 5 batched; the prover's key is pk. */
MPC_WARN_UNUSED mpc_err mpc_zk_enc_verify_batched(
    const mpc_ctx *ctx, mpc_zk_batch *batch, mpc_transcript *t,
    const mpc_rped *rp, const mpc_rped_table *tab, const mpc_paillier_pk *pk,
    const mpz_t K, const mpc_zk_enc_proof *proof);

/** Πlog* with check 6 batched; the prover's key is pk. */
MPC_WARN_UNUSED mpc_err mpc_zk_logstar_verify_batched(
    const mpc_ctx *ctx, mpc_zk_batch *batch, mpc_transcript *t,
    const mpc_rped *rp, const mpc_rped_table *tab, const mpc_paillier_pk *pk,
    const mpz_t C, const mpc_point *base, const mpc_point *X,
    const mpc_zk_logstar_proof *proof);

/**
 * Πaff-g with check 8 batched; the prover's key is pk1. Check 6 (under
 * the verifier's own key N0) runs here, with sk0 as in mpc_zk_affg_verify.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_affg_verify_batched(
    const mpc_ctx *ctx, mpc_zk_batch *batch, mpc_transcript *t,
    const mpc_rped *rp, const mpc_rped_table *tab, const mpc_paillier_sk *sk0,
    const mpc_paillier_pk *pk0, const mpc_paillier_pk *pk1, const mpz_t C,
    const mpz_t D, const mpz_t Y, const mpc_point *X,
    const mpc_zk_affg_proof *proof);

#endif /* MPC_ZK_BATCH_H */
