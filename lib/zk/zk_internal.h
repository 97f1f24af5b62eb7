/*
 * lib/zk/zk_internal.h — helpers shared by the CGGMP21 zero-knowledge
 * proofs (Πenc, Πlog*, Πaff-g, Πmod, Πprm, Πfac).
 *
 * Every proof follows the same Fiat–Shamir pattern: the caller hands in a
 * transcript already bound to (session id, prover index) by
 * mpc_session_info_transcript; the proof absorbs its own label, the full
 * statement (moduli, ring-Pedersen parameters, ciphertexts, points) and its
 * first message, each in its canonical wire encoding, then draws the
 * challenge. The helpers below make "canonical" and "challenge" mean the
 * same thing in every proof.
 *
 * Rules for the whole header:
 * - Pointer arguments must not be NULL (these are internal: a NULL is a
 *   bug in lib/zk, not a caller error, and is not checked).
 * - Functions are variable time and take PUBLIC values only, unless their
 *   name ends in `_sec` or their comment has a Security: line (secret
 *   witnesses and masks: mpc_zk_affine_sec, mpc_zk_nonce_response_sec,
 *   mpc_zk_scalar_from_int_sec, mpc_zk_int_from_scalar and the Πenc core
 *   at the end).
 * - On failure mpz outputs are 0.
 */
#ifndef MPC_ZK_INTERNAL_H
#define MPC_ZK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gmp.h>

#include "mpc/bn.h"
#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/group.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/transcript.h"
#include "mpc/zk_affg.h"
#include "mpc/zk_batch.h"
#include "mpc/zk_enc.h"
#include "mpc/zk_logstar.h"

/**
 * Largest integer encoding the helpers absorb or serialize at once
 * (bytes): above every field of every proof, the largest being a
 * ciphertext of the 128-bit set (MPC_PARAMS_MAX_CT_BYTES = 768) and the
 * challenge draw; signed responses are at most 446 bytes (z3 of Πenc at
 * the 128-bit set).
 */
#define MPC_ZK_INT_MAX_BYTES 1024

_Static_assert(MPC_ZK_INT_MAX_BYTES >= MPC_PARAMS_MAX_CT_BYTES,
               "a ciphertext must fit the absorb buffer");

/* ---- Challenges --------------------------------------------------------- */

/**
 * The challenge bound Q of the single-challenge proofs (e ∈ ±Q):
 * - MPC_PARAMS_COMPAT: Q = q, the secp256k1 group order (the paper's
 *   e ← ±q; z1 = α + e x with α ∈ ±2^{ℓ+ε}, ε = 512, stays in range except
 *   with probability 2^-256).
 * - MPC_PARAMS_128: Q = 2^128 (LFDT SecurityLevel128: soundness 2^-128;
 *   with ε = 230 the honest prover's z1 leaves ±2^{ℓ+ε} with probability
 *   2^-102, whereas e ∈ ±q would fail almost always).
 * An unknown set gives Q = 0.
 */
void mpc_zk_challenge_bound(mpz_t out, const mpc_params *params);

/**
 * out = a challenge uniform in [0, bound) up to 2^-128 statistical
 * distance: L = bytelen(bound) + 16 challenge bytes are drawn from `t`
 * under `label` (mpc_transcript_challenge), read as a big-endian integer
 * x < 2^(8L), and reduced: out = x mod bound. The bias of a reduction of
 * an L-byte value is below bound / 2^(8L) <= 2^-128. Advances `t`.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if bound < 1 or bytelen(bound) + 16
 * exceeds MPC_ZK_INT_MAX_BYTES.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_challenge_below(mpc_transcript *t,
                                               const char *label, mpz_t out,
                                               const mpz_t bound);

/**
 * e = the challenge of a single-challenge proof, uniform in [-Q, Q]
 * (Q = mpc_zk_challenge_bound(params)) up to 2^-128: e = u - Q with u from
 * mpc_zk_challenge_below(t, label, 2Q + 1). Advances `t`.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for an unknown parameter set.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_challenge(mpc_transcript *t, const char *label,
                                         const mpc_params *params, mpz_t e);

/* ---- Range and unit checks --------------------------------------------- */

/** True iff |x| <= 2^bits (the paper's x ∈ ±2^bits, inclusive). */
bool mpc_zk_in_range_var(const mpz_t x, size_t bits);

/**
 * True iff |x| <= 2^bits * scale, for scale >= 0 (Πfac's ±2^{ℓ+ε}·√N with
 * scale = floor(sqrt(N))). False if scale < 0.
 */
bool mpc_zk_in_range_scaled_var(const mpz_t x, size_t bits, const mpz_t scale);

/**
 * Checks a = received value in Z*_n: 0 < a < n and gcd(a, n) = 1.
 *
 * Returns: MPC_OK; MPC_ERR_VERIFY otherwise (also when n <= 1).
 */
MPC_WARN_UNUSED mpc_err mpc_zk_check_unit_var(const mpz_t a, const mpz_t n);

/**
 * The prover's misuse check of a SECRET witness x ∈ ±2^bits: true iff
 * |x| <= 2^bits. Constant time in x up to its limb count; only the
 * outcome is declassified (it is the same for every valid witness).
 */
bool mpc_zk_witness_in_range(const mpz_t x, size_t bits);

/**
 * The prover's misuse check of a SECRET nonce: true iff 0 < r < n (n > 0
 * public). Constant time in r up to its limb count; only the outcome is
 * declassified.
 */
bool mpc_zk_nonce_ok(const mpz_t r, const mpz_t n);

/* ---- Canonical encodings ------------------------------------------------ */

/**
 * Wire length of a signed field x ∈ ±2^bits: mpc_bn_len_signed(2^bits),
 * i.e. 1 sign byte + bits/8 + 1 bytes.
 */
size_t mpc_zk_signed_len(size_t bits);

/**
 * Serializes a signed field x ∈ ±2^bits in exactly mpc_zk_signed_len(bits)
 * bytes (mpc_bn_serialize_signed).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if len is not
 * mpc_zk_signed_len(bits) or |x| > 2^bits (out zeroed).
 */
MPC_WARN_UNUSED mpc_err mpc_zk_serialize_signed(uint8_t *out, size_t len,
                                                const mpz_t x, size_t bits);

/**
 * Parses a signed field x ∈ ±2^bits: exactly mpc_zk_signed_len(bits)
 * bytes, canonical (mpc_bn_parse_signed with bound 2^bits).
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for a wrong length, a non-canonical
 * encoding or |x| > 2^bits. On failure out = 0.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_parse_signed(mpz_t out, const uint8_t *in,
                                            size_t len, size_t bits);

/**
 * Absorbs an unsigned integer 0 <= x < 2^(8 len) as exactly `len`
 * big-endian bytes (its wire encoding: len = params->n_bytes for residues
 * mod N, params->ct_bytes for ciphertexts).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if x < 0, x does not fit, len is 0
 * or len > MPC_ZK_INT_MAX_BYTES (nothing absorbed).
 */
MPC_WARN_UNUSED mpc_err mpc_zk_absorb_uint(mpc_transcript *t, const char *label,
                                           const mpz_t x, size_t len);

/**
 * out = x as exactly len big-endian bytes, for a public x the caller has
 * checked: 0 <= x < 2^(8 len). Variable time.
 */
void mpc_zk_put_uint_var(uint8_t *out, size_t len, const mpz_t x);

/**
 * Absorbs a public x the caller has checked (0 <= x < 2^(8 nb),
 * nb <= MPC_PARAMS_MAX_N_BYTES) as exactly nb big-endian bytes: the
 * infallible form used by Πprm and Πfac, which check their statement and
 * proof sizes before they build the transcript.
 */
void mpc_zk_absorb_uint_var(mpc_transcript *t, const char *label, const mpz_t x,
                            size_t nb);

/**
 * Absorbs a signed integer x ∈ ±2^bits in its wire encoding
 * (mpc_zk_serialize_signed, mpc_zk_signed_len(bits) bytes).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if |x| > 2^bits or the encoding
 * exceeds MPC_ZK_INT_MAX_BYTES (nothing absorbed).
 */
MPC_WARN_UNUSED mpc_err mpc_zk_absorb_signed(mpc_transcript *t,
                                             const char *label, const mpz_t x,
                                             size_t bits);

/**
 * Absorbs a Paillier modulus N (the key's params->n_bytes bytes), after
 * the parameter set id, so a statement under one set never verifies under
 * another.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for an empty key or an N that does
 * not fit n_bytes.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_absorb_paillier_pk(mpc_transcript *t,
                                                  const char *label,
                                                  const mpc_paillier_pk *pk);

/**
 * Absorbs ring-Pedersen parameters (N, s, t), each n_bytes bytes, after
 * the parameter set id.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for empty parameters or a value
 * that does not fit n_bytes.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_absorb_rped(mpc_transcript *t, const char *label,
                                           const mpc_rped *rp);

/**
 * The common head of the Πenc, Πlog* and Πaff-g statements: the proof name
 * `proof` (a C string, under the label "proof"), the ring-Pedersen
 * parameters ("aux") and the prover's Paillier key ("N0"), in that order.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG as mpc_zk_absorb_rped and
 * mpc_zk_absorb_paillier_pk.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_absorb_head(mpc_transcript *t, const char *proof,
                                           const mpc_rped *rp,
                                           const mpc_paillier_pk *pk0);

/**
 * Layout of one integer field of a proof encoding: `len` bytes on the
 * wire; `bits` > 0 marks a signed field x ∈ ±2^bits (len is then
 * mpc_zk_signed_len(bits)), bits = 0 an unsigned fixed-length field
 * 0 <= x < 2^(8 len).
 */
typedef struct mpc_zk_field {
    size_t len;
    size_t bits;
} mpc_zk_field;

/** An unsigned field of `len` bytes. */
mpc_zk_field mpc_zk_field_uint(size_t len);

/** A signed field x ∈ ±2^bits. */
mpc_zk_field mpc_zk_field_signed(size_t bits);

/** Total bytes of n fields. */
size_t mpc_zk_fields_bytes(const mpc_zk_field *f, size_t n);

/**
 * Writes the n values v[i] with layouts f[i], one after the other.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if len is not
 * mpc_zk_fields_bytes(f, n) or a value does not fit its field (out
 * zeroed).
 */
MPC_WARN_UNUSED mpc_err mpc_zk_fields_serialize(uint8_t *out, size_t len,
                                                const mpc_zk_field *f,
                                                const mpz_srcptr *v, size_t n);

/**
 * Parses n fields: exactly mpc_zk_fields_bytes(f, n) bytes; signed fields
 * canonical and within ±2^bits (mpc_zk_parse_signed).
 *
 * Returns: MPC_OK; MPC_ERR_PARSE otherwise, with every v[i] = 0.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_fields_parse(mpz_ptr *v, const mpc_zk_field *f,
                                            size_t n, const uint8_t *in,
                                            size_t len);

/* ---- Ring-Pedersen ------------------------------------------------------ */

/**
 * True iff tab is NULL or holds fixed-base tables of exactly rp's s and t
 * over rp's N (what mpc_zk_rped_commit_var requires).
 */
bool mpc_zk_rped_table_ok(const mpc_rped *rp, const mpc_rped_table *tab);

/**
 * out = s^x t^y mod N for public signed x, y (verifier side): through the
 * fixed-base tables `tab` when non-NULL (they must be of rp's s and t),
 * else two plain exponentiations.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (empty parameters or tables, or
 * tables of other bases or another modulus).
 */
MPC_WARN_UNUSED mpc_err mpc_zk_rped_commit_var(mpz_t out, const mpc_rped *rp,
                                               const mpc_rped_table *tab,
                                               const mpz_t x, const mpz_t y);

/**
 * Checks one verification equation of the form lhs = a b^e (mod m), for
 * public values and a signed public exponent e (b^e with e < 0 needs b to
 * be a unit mod m).
 *
 * Returns: MPC_OK; MPC_ERR_VERIFY if the equation does not hold or b^e is
 * undefined.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_check_eq_var(const mpz_t lhs, const mpz_t a,
                                            const mpz_t b, const mpz_t e,
                                            const mpz_t m);

/* ---- Moduli, encryption and responses ---------------------------------- */

/**
 * Checks the size of a modulus in a statement (a Paillier N or a
 * ring-Pedersen N̂) against its parameter set: odd, and
 * params->n_min_bits <= bitlen(n) <= params->n_bits (the BitForge /
 * Alpha-Rays size rule; the range proofs are sound only if their ranges
 * cannot wrap modulo n). Parsed keys already satisfy this; verifiers
 * check again because a statement may be assembled without a parser.
 *
 * Returns: MPC_OK; MPC_ERR_VERIFY otherwise.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_check_modulus_var(const mpz_t n,
                                                 const mpc_params *params);

/**
 * out = Enc_N(m; r) = (1 + (m mod N) N) r^N mod N^2 for PUBLIC m (any
 * sign) and r (verifier side: mpz_powm, several times faster than the
 * constant-time mpc_paillier_encrypt).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for an empty key.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_paillier_enc_var(mpz_t out,
                                                const mpc_paillier_pk *pk,
                                                const mpz_t m, const mpz_t r);

/** True iff b is bound to a key and pk is that key (same set and N). */
bool mpc_zk_batch_is_for(const mpc_zk_batch *b, const mpc_paillier_pk *pk);

/**
 * The equation under the prover's key of Πenc (check 5), Πlog* (check 6)
 * and Πaff-g (check 8): (1+N)^z w^N ≡ A B^e (mod N^2). With a batch it
 * is appended (mpc_zk_batch_add: the batch must be bound to pk, and ctx
 * draws ρ); with batch NULL it is checked now, as a batch of one (ρ = 1,
 * no rng, ctx unused), so both paths run the same arithmetic
 * (lib/zk/zk_batch.c).
 *
 * Returns: MPC_OK; MPC_ERR_VERIFY if checked now and false (or a value
 * out of range); MPC_ERR_INVALID_ARG (empty key; batch not bound to pk;
 * with a batch, values out of range or a NULL ctx).
 */
MPC_WARN_UNUSED mpc_err mpc_zk_paillier_eq_var(
    const mpc_ctx *ctx, mpc_zk_batch *batch, const mpc_paillier_pk *pk,
    const mpz_t z, const mpz_t w, const mpz_t A, const mpz_t B, const mpz_t e);

/**
 * out = a + e x exactly, for SECRET signed a and x and a PUBLIC signed e,
 * given a public bound |a + e x| < 2^bits, computed without branching on
 * the secrets: every operand is reduced into Z_M with M = 2^(bits+1) + 1
 * (mpc_bn_mod_sec handles the signs), the sum is formed there and the
 * centered representative taken (mpc_bn_center_sec), which is a + e x
 * itself because it lies in ±(M-1)/2. This is how responses z = α + e w
 * of the range proofs are formed; the output is the public response.
 *
 * Returns: MPC_OK; MPC_ERR_NOMEM; MPC_ERR_INVALID_ARG if bits is 0. On
 * failure out = 0.
 * Security: constant time in a and x up to their limb counts.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_affine_sec(const mpc_ctx *ctx, mpz_t out,
                                          const mpz_t a, const mpz_t e,
                                          const mpz_t x, size_t bits);

/**
 * out = r rho^e mod n for SECRET r, rho ∈ Z*_n and a PUBLIC signed e with
 * |e| < 2^e_bits: the response to a Paillier nonce (z2 = r ρ^e mod N). A
 * negative e uses rho^-1 (constant-time inversion).
 *
 * Returns: MPC_OK; MPC_ERR_NOMEM; MPC_ERR_INVALID_ARG (n even or < 3,
 * |e| >= 2^e_bits, or e < 0 and rho not a unit). On failure out = 0.
 * Security: constant time in r and rho.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_nonce_response_sec(const mpc_ctx *ctx, mpz_t out,
                                                  const mpz_t r,
                                                  const mpz_t rho,
                                                  const mpz_t e, size_t e_bits,
                                                  const mpz_t n);

/**
 * Marks the limbs of the n values v[i] as public for the constant-time
 * checks (mpc_declassify; a no-op outside test builds). Provers call it on
 * every field of the first message before hashing it and on every response
 * before its range check: the values are published in the proof, but they
 * are computed from secrets, and the variable-time code that follows
 * (transcript encoding, challenge arithmetic, range checks) would
 * otherwise be reported.
 */
void mpc_zk_publish(const mpz_srcptr *v, size_t n);

/* ---- Integers and curve scalars ---------------------------------------- */

/** out = the order of g as an integer. */
void mpc_zk_group_order(mpz_t out, const mpc_group *g);

/**
 * out = x mod order, as a scalar of g, for a PUBLIC signed integer x
 * (responses, challenges).
 */
void mpc_zk_scalar_from_int_var(const mpc_group *g, mpc_scalar *out,
                                const mpz_t x);

/**
 * out = x mod order for a SECRET signed integer x (a witness or a mask
 * such as α ∈ ±2^{ℓ+ε}), without branching on its value or sign
 * (mpc_bn_mod_sec).
 *
 * Returns: MPC_OK; MPC_ERR_NOMEM (out zeroed).
 * Security: constant time in x up to its limb count (mpc/bn.h policy).
 */
MPC_WARN_UNUSED mpc_err mpc_zk_scalar_from_int_sec(const mpc_ctx *ctx,
                                                   const mpc_group *g,
                                                   mpc_scalar *out,
                                                   const mpz_t x);

/**
 * out = the integer in [0, order) that the scalar a encodes (its curve's
 * byte order).
 * Security: constant time up to the limb count of the result.
 */
void mpc_zk_int_from_scalar(const mpc_group *g, mpz_t out, const mpc_scalar *a);

/* ---- Per-proof challenges ---------------------------------------------- */

/*
 * The Fiat–Shamir challenge of each proof, exactly as its prove and verify
 * derive it from the statement and the proof's first message (the
 * responses are not read). Exposed for white-box tests that build
 * cheating proofs. Returns: MPC_OK; MPC_ERR_INVALID_ARG for empty or
 * mismatched keys or a value that does not fit its encoding (e = 0).
 */

MPC_WARN_UNUSED mpc_err mpc_zk_enc_challenge(
    mpc_transcript *t, const mpc_rped *rp, const mpc_paillier_pk *pk,
    const mpz_t K, const mpc_zk_enc_proof *proof, mpz_t e);

MPC_WARN_UNUSED mpc_err mpc_zk_logstar_challenge(
    mpc_transcript *t, const mpc_group *g, const mpc_rped *rp,
    const mpc_paillier_pk *pk, const mpz_t C, const mpc_point *base,
    const mpc_point *X, const mpc_zk_logstar_proof *proof, mpz_t e);

MPC_WARN_UNUSED mpc_err mpc_zk_affg_challenge(
    mpc_transcript *t, const mpc_group *g, const mpc_rped *rp,
    const mpc_paillier_pk *pk0, const mpc_paillier_pk *pk1, const mpz_t C,
    const mpz_t D, const mpz_t Y, const mpc_point *X,
    const mpc_zk_affg_proof *proof, mpz_t e);

/* ---- The Πenc core, shared with Πlog* ---------------------------------- */

/*
 * Πlog* is Πenc on its ciphertext plus the curve relation Y = α·g under the
 * same α and challenge, so it reuses these steps of Πenc on its embedded
 * mpc_zk_enc_proof (lib/zk/zk_enc.c). The arguments are validated by the
 * caller (mpc_zk_enc_check_prove_args) and the keys are of one set.
 */

/** The prover's secret masks α, μ, r, γ. */
typedef struct mpc_zk_enc_masks {
    mpz_t alpha, mu, r, gamma;
} mpc_zk_enc_masks;

/** Sets every field of proof to 0. */
void mpc_zk_enc_proof_zero(mpc_zk_enc_proof *proof);

void mpc_zk_enc_masks_init(mpc_zk_enc_masks *m);
/** Wipes and releases the masks. */
void mpc_zk_enc_masks_clear(mpc_zk_enc_masks *m);

/**
 * The prover's misuse checks (mpc_zk_enc_prove's MPC_ERR_INVALID_ARG
 * list, except NULLs). Returns: MPC_OK or MPC_ERR_INVALID_ARG.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_enc_check_prove_args(const mpc_rped *rp,
                                                    const mpc_paillier_sk *sk,
                                                    const mpz_t K,
                                                    const mpz_t k,
                                                    const mpz_t rho);

/**
 * Samples the masks and sets S, A, C of proof. Returns: MPC_OK;
 * MPC_ERR_NOMEM; MPC_ERR_INTERNAL (broken rng).
 * Security: constant time in k, the masks and sk.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_enc_commit(
    const mpc_ctx *ctx, mpc_zk_enc_proof *proof, mpc_zk_enc_masks *m,
    const mpc_rped *rp, const mpc_paillier_sk *sk, const mpz_t k);

/**
 * Sets z1, z2, z3 of proof for challenge e. Returns: MPC_OK;
 * MPC_ERR_NOMEM; MPC_ERR_INTERNAL if z1 left its range (negligible).
 * Security: constant time in k, rho and the masks.
 */
MPC_WARN_UNUSED mpc_err mpc_zk_enc_respond(
    const mpc_ctx *ctx, mpc_zk_enc_proof *proof, const mpc_zk_enc_masks *m,
    const mpc_rped *rp, const mpc_paillier_pk *pk, const mpz_t e, const mpz_t k,
    const mpz_t rho);

/** Verifier checks 1-4 of mpc/zk_enc.h. Returns: MPC_OK or MPC_ERR_VERIFY. */
MPC_WARN_UNUSED mpc_err mpc_zk_enc_check_values(const mpc_rped *rp,
                                                const mpc_paillier_pk *pk,
                                                const mpz_t K,
                                                const mpc_zk_enc_proof *proof);

/**
 * Verifier checks 5 and 6 of mpc/zk_enc.h for challenge e; check 5 is
 * appended to `batch` when non-NULL (mpc_zk_paillier_eq_var). Returns:
 * MPC_OK; MPC_ERR_VERIFY; MPC_ERR_INVALID_ARG (tab not of rp, batch not
 * bound to pk).
 */
MPC_WARN_UNUSED mpc_err mpc_zk_enc_check_equations(
    const mpc_ctx *ctx, mpc_zk_batch *batch, const mpc_rped *rp,
    const mpc_rped_table *tab, const mpc_paillier_pk *pk, const mpz_t K,
    const mpc_zk_enc_proof *proof, const mpz_t e);

#endif /* MPC_ZK_INTERNAL_H */
