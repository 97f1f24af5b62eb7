/*
 * mpc/paillier.h — Paillier-Blum encryption and ring-Pedersen parameters,
 * the number theory under CGGMP21 (aux-info, MtA, range proofs).
 *
 * Paillier (Paillier 1999, with g = 1 + N): N = p q for two safe primes of
 * params->prime_bits bits each, so p ≡ q ≡ 3 (mod 4) (a Blum integer, as
 * Πmod requires). Enc(m; r) = (1 + N)^m * r^N mod N^2 with
 * (1 + N)^m = 1 + (m mod N) N. Plaintexts are signed, in
 * [-(N-1)/2, (N-1)/2] (the paper's ±N/2), and decryption returns the
 * centered value.
 *
 * Ring-Pedersen (CGGMP21 §2.5A): over the same N, t = r^2 and s = t^λ with
 * λ uniform in Z_φ(N); a commitment is s^x t^y mod N for signed x, y.
 *
 * Rules for the whole header:
 * - Pointer arguments must not be NULL; a NULL yields MPC_ERR_INVALID_ARG
 *   (init/clear accept NULL and do nothing).
 * - Argument order: ctx, key, outputs, inputs. mpz outputs may alias
 *   inputs. No function keeps a pointer to its inputs, except that keys
 *   keep their `params` pointer (params are static constants).
 * - On failure mpz outputs are 0 and byte outputs zeroed.
 * - Functions are constant time in their secret arguments (key material,
 *   plaintexts, nonces, secret scalars) in the sense of mpc/bn.h: time
 *   depends on public sizes and limb counts only. `_var` functions take
 *   public values only. Ciphertexts, N and ring-Pedersen parameters are
 *   public.
 * - Values received from peers go through the `_parse` functions, which
 *   validate fully (BitForge size rule, units, ranges); the arithmetic
 *   functions assume validated inputs and return MPC_ERR_INVALID_ARG for
 *   out-of-range ones.
 */
#ifndef MPC_PAILLIER_H
#define MPC_PAILLIER_H

#include <stddef.h>
#include <stdint.h>

#include <gmp.h>

#include "mpc/bn.h"
#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/params.h"

/** A Paillier public key. Fields are read-only for callers. */
typedef struct mpc_paillier_pk {
    /** The set the key was made or parsed under (sizes); NULL if empty. */
    const mpc_params *params;
    mpz_t n;  /**< N */
    mpz_t n2; /**< N^2 */
} mpc_paillier_pk;

/**
 * A Paillier secret key with its CRT constants. Fields are read-only for
 * callers (the ZK provers read p, q, phi). Never copy the struct: clear it
 * with mpc_paillier_sk_clear, which wipes. There is no λ/μ pair:
 * decryption is the CRT form of Paillier 1999 (§7), whose per-prime
 * constants hp, hq play the role of μ.
 */
typedef struct mpc_paillier_sk {
    mpc_paillier_pk pk;
    mpz_t p, q;      /**< the safe primes */
    mpz_t phi;       /**< φ(N) = (p - 1)(q - 1) */
    mpz_t p2, q2;    /**< p^2, q^2 */
    mpz_t q_inv_p;   /**< q^-1 mod p (CRT to Z_N) */
    mpz_t q2_inv_p2; /**< q^-2 mod p^2 (CRT to Z_{N^2}) */
    mpz_t hp, hq;    /**< (-q)^-1 mod p, (-p)^-1 mod q (decryption) */
    mpz_t ep, eq;    /**< q mod (p-1), p mod (q-1): r^N by CRT */
    /**
     * Constant-time comb tables for mpc_paillier_nonce_own: of g_p = p - 4
     * (a generator of Z*_p) mod p and of g_p^N mod p^2, and the same for q.
     * Built by mpc_paillier_sk_from_primes (and so keygen and import),
     * kept by mpc_paillier_sk_copy; empty in a key copied field by field.
     */
    mpc_bn_comb gp, gq, gpn, gqn;
} mpc_paillier_sk;

/** Initialises an empty key (all values 0, params NULL). */
void mpc_paillier_pk_init(mpc_paillier_pk *pk);
/** Releases a public key; NULL does nothing. */
void mpc_paillier_pk_clear(mpc_paillier_pk *pk);
/** dst = src (both initialised; a NULL does nothing). */
void mpc_paillier_pk_copy(mpc_paillier_pk *dst, const mpc_paillier_pk *src);

/** Initialises an empty secret key. */
void mpc_paillier_sk_init(mpc_paillier_sk *sk);
/** Wipes and releases a secret key; NULL does nothing. */
void mpc_paillier_sk_clear(mpc_paillier_sk *sk);

/**
 * dst = src, comb tables included (both initialised; dst's old contents
 * are wiped; a NULL or dst == src does nothing). A src without tables
 * gives a dst without tables, which still works (the slow nonce path).
 * Security: copies secrets; time depends on the limb counts only.
 */
void mpc_paillier_sk_copy(mpc_paillier_sk *dst, const mpc_paillier_sk *src);

/* ---- Keys ---------------------------------------------------------------- */

/**
 * Generates a key: two safe primes of params->prime_bits bits (seconds of
 * CPU at 2048 bits; production draws them from a pre-generated pool and
 * calls mpc_paillier_sk_from_primes).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (NULL); MPC_ERR_NOMEM. On failure sk
 * is empty.
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_keygen(const mpc_ctx *ctx,
                                            mpc_paillier_sk *sk,
                                            const mpc_params *params);

/**
 * Builds a key from two primes. Checks what is cheap: p != q, each of
 * exactly params->prime_bits bits, p ≡ q ≡ 3 (mod 4), N of exactly
 * params->n_bits bits, the CRT inverses exist. It does not re-test
 * primality (tens of milliseconds): primes come from
 * mpc_bn_safe_prime_generate or the keystore; use mpc_bn_safe_prime_check
 * on anything else. Builds the comb tables of mpc_paillier_nonce_own
 * (about 11 ms and 115 KB at 2048 bits).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if a check fails or a NULL;
 * MPC_ERR_NOMEM. On failure sk is empty.
 * Security: constant time in p and q; the checks branch only on misuse.
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_sk_from_primes(const mpc_ctx *ctx,
                                                    mpc_paillier_sk *sk,
                                                    const mpc_params *params,
                                                    const mpz_t p,
                                                    const mpz_t q);

/**
 * Writes N as params->n_bytes big-endian bytes.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if len != params->n_bytes or the key
 * is empty (out zeroed).
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_pk_serialize(uint8_t *out, size_t len,
                                                  const mpc_paillier_pk *pk);

/**
 * Parses a peer's N under `params`: exactly params->n_bytes bytes, N odd,
 * bitlen(N) >= params->n_min_bits (2047 / 3071: the BitForge size rule).
 * This is not proof that N is a Paillier-Blum modulus without small
 * factors: Πmod and Πfac must verify before the key is used.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for bad bytes; MPC_ERR_INVALID_ARG for a
 * NULL or len 0. On failure pk is empty.
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_pk_parse(mpc_paillier_pk *pk,
                                              const mpc_params *params,
                                              const uint8_t *in, size_t len);

/**
 * SECRET OUTPUT, for the encrypted keystore only: writes p || q, each
 * params->prime_bits / 8 bytes big-endian. The caller encrypts the bytes
 * and wipes its copy.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if len != 2 * prime_bits / 8 or the
 * key is empty (out zeroed).
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_sk_export_primes(
    uint8_t *out, size_t len, const mpc_paillier_sk *sk);

/**
 * Inverse of mpc_paillier_sk_export_primes: reads p || q and calls
 * mpc_paillier_sk_from_primes.
 *
 * Returns: as mpc_paillier_sk_from_primes; MPC_ERR_INVALID_ARG also for a
 * wrong length.
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_sk_import_primes(const mpc_ctx *ctx,
                                                      mpc_paillier_sk *sk,
                                                      const mpc_params *params,
                                                      const uint8_t *in,
                                                      size_t len);

/* ---- Ciphertexts ------------------------------------------------------- */

/**
 * Checks a received ciphertext: 0 < c < N^2 and gcd(c, N) = 1.
 *
 * Returns: MPC_OK; MPC_ERR_VERIFY if it is not (the caller blames the
 * sender); MPC_ERR_INVALID_ARG for an empty key.
 */
MPC_WARN_UNUSED mpc_err
mpc_paillier_ciphertext_check_var(const mpc_paillier_pk *pk, const mpz_t c);

/**
 * Writes c as params->ct_bytes bytes (2 * n_bytes).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if len is not ct_bytes, the key is
 * empty or c is not in [0, N^2) (out zeroed).
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_ciphertext_serialize(
    uint8_t *out, size_t len, const mpc_paillier_pk *pk, const mpz_t c);

/**
 * Parses a ciphertext under pk: exactly ct_bytes bytes, then as
 * mpc_paillier_ciphertext_check_var.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for a wrong length, c >= N^2, c = 0 or
 * gcd(c, N) != 1; MPC_ERR_INVALID_ARG (NULL, empty key). On failure c = 0.
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_ciphertext_parse(const mpc_paillier_pk *pk,
                                                      mpz_t c,
                                                      const uint8_t *in,
                                                      size_t len);

/* ---- Encryption and decryption ---------------------------------------- */

/**
 * r = a uniform encryption nonce in Z*_N (mpc_bn_random_unit).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (empty key); MPC_ERR_NOMEM;
 * MPC_ERR_INTERNAL (broken rng).
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_nonce_random(const mpc_ctx *ctx,
                                                  const mpc_paillier_pk *pk,
                                                  mpz_t r);

/**
 * c = Enc(m; r) = (1 + m N) r^N mod N^2 under a public key, for a signed
 * plaintext |m| <= (N - 1) / 2 and a nonce r ∈ Z*_N. The ZK proofs need r,
 * so the caller draws it (mpc_paillier_nonce_random) and keeps it.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if the key is empty, m is out of
 * range, r is not in [1, N) or r is not a unit (seen from the public
 * result: gcd(c, N) != 1); MPC_ERR_NOMEM.
 * Security: constant time in m and r (mpc/bn.h policy); the range checks
 * branch only on misuse.
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_encrypt(const mpc_ctx *ctx,
                                             const mpc_paillier_pk *pk, mpz_t c,
                                             const mpz_t m, const mpz_t r);

/**
 * The same ciphertext as mpc_paillier_encrypt, computed by the key owner
 * with the CRT: r^N mod p^2 as ((r mod p)^(q mod (p-1)) mod p)^p mod p^2
 * (x^p mod p^2 depends only on x mod p), and likewise mod q^2: about a
 * third of the time of the public-key form.
 *
 * Returns: as mpc_paillier_encrypt.
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_encrypt_crt(const mpc_ctx *ctx,
                                                 const mpc_paillier_sk *sk,
                                                 mpz_t c, const mpz_t m,
                                                 const mpz_t r);

/**
 * The key owner's fast fresh nonce: r uniform in Z*_N and rn = r^N mod
 * N^2: 1.0 ms at 2048 bits, against 4.3 ms for mpc_paillier_nonce_random
 * followed by mpc_paillier_encrypt_crt (bench: paillier_2048).
 *
 * Method: g_p = p - 4 = -4 generates Z*_p (p = 2p' + 1 with p' an odd
 * prime: -1 has order 2, 4 = 2^2 order p'), so r_p = g_p^a with a uniform
 * in [0, p - 1) is uniform in Z*_p, and r_p^N mod p^2 = G_p^a with the
 * fixed G_p = g_p^N mod p^2 (x^N mod p^2 depends only on x mod p). The
 * same mod q with an independent exponent; r and rn by the CRT. Both
 * powers are fixed-base comb exponentiations (mpc_bn_comb_powm_sec) on
 * the key's tables. a is a (prime_bits + 128)-bit uniform value reduced
 * mod p - 1: its distance from uniform, and so r's, is below 2^-128 (per
 * prime). A key without tables (copied field by field) takes the plain
 * path: mpc_bn_random_unit and the CRT r^N, the same distribution.
 *
 * Requires safe primes, as the key's contract does (keygen, keystore);
 * for other primes r would not be uniform.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (NULL, r and rn the same mpz, an
 * empty key); MPC_ERR_NOMEM; MPC_ERR_INTERNAL (broken rng). On failure r
 * and rn are 0.
 * Security: constant time in the nonce and the key (time depends on
 * prime_bits and limb counts only).
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_nonce_own(const mpc_ctx *ctx,
                                               const mpc_paillier_sk *sk,
                                               mpz_t r, mpz_t rn);

/**
 * c = Enc(m; r) under the key owner's own key with a fresh nonce r from
 * mpc_paillier_nonce_own, returned for the ZK proofs: the same ciphertext
 * as mpc_paillier_encrypt(pk, m, r), 1.1 ms at 2048 bits instead of
 * 4.3 ms for mpc_paillier_nonce_random and mpc_paillier_encrypt_crt.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (NULL, c and r the same mpz, an
 * empty key, m out of range); MPC_ERR_NOMEM; MPC_ERR_INTERNAL (broken
 * rng). On failure c and r are 0.
 * Security: constant time in m, r and the key; the range check branches
 * only on misuse.
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_encrypt_own(const mpc_ctx *ctx,
                                                 const mpc_paillier_sk *sk,
                                                 mpz_t c, mpz_t r,
                                                 const mpz_t m);

/**
 * m = Dec(c), centered in [-(N-1)/2, (N-1)/2]: CRT decryption,
 * m_p = L_p(c^(p-1) mod p^2) * hp mod p with L_p(x) = (x - 1) / p (and the
 * same mod q), then Garner.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if the key is empty or c is not in
 * [0, N^2); MPC_ERR_NOMEM.
 * Security: constant time in the key and the plaintext.
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_decrypt(const mpc_ctx *ctx,
                                             const mpc_paillier_sk *sk, mpz_t m,
                                             const mpz_t c);

/**
 * out = Dec(c) mod q for a modulus q > 0 (the curve order in MtA): the
 * centered plaintext reduced without ever holding its sign in an mpz.
 *
 * Returns: as mpc_paillier_decrypt; MPC_ERR_INVALID_ARG also if q <= 0.
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_decrypt_mod(const mpc_ctx *ctx,
                                                 const mpc_paillier_sk *sk,
                                                 mpz_t out, const mpz_t c,
                                                 const mpz_t q);

/* ---- Homomorphic operations ------------------------------------------- */

/**
 * out = c1 * c2 mod N^2, an encryption of m1 + m2.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if the key is empty or a ciphertext
 * is not in [0, N^2).
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_add(const mpc_paillier_pk *pk, mpz_t out,
                                         const mpz_t c1, const mpz_t c2);

/**
 * out = c^k mod N^2, an encryption of k * m, for a PUBLIC signed k.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG as mpc_paillier_add; MPC_ERR_VERIFY
 * if k < 0 and c is not a unit.
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_mul_var(const mpc_paillier_pk *pk,
                                             mpz_t out, const mpz_t c,
                                             const mpz_t k);

/**
 * out = c^x mod N^2, an encryption of x * m, for a SECRET signed x with
 * |x| < 2^x_bits (a public bound, e.g. 256 for a scalar): the time depends
 * on x_bits, not on x.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (empty key, c out of range, |x| too
 * large, x_bits 0); MPC_ERR_VERIFY if c is not a unit; MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_mul(const mpc_ctx *ctx,
                                         const mpc_paillier_pk *pk, mpz_t out,
                                         const mpz_t c, const mpz_t x,
                                         size_t x_bits);

/**
 * The MtA step: out = c^x * Enc(y; r) mod N^2, an encryption of x m + y,
 * for secret signed x (|x| < 2^x_bits), y (|y| <= (N-1)/2) and r ∈ Z*_N.
 * c^x r^N is one joint exponentiation (mpc_bn_powm_joint_sec): the same
 * ciphertext as mpc_paillier_mul, mpc_paillier_encrypt and
 * mpc_paillier_add, in about 15% (x of 256 bits) to 25% (769 bits) less
 * time at 2048 bits (bench: paillier_2048).
 *
 * Returns: MPC_OK; errors as mpc_paillier_mul and mpc_paillier_encrypt.
 * Security: constant time in x, y and r; time depends on x_bits and N.
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_affine(const mpc_ctx *ctx,
                                            const mpc_paillier_pk *pk,
                                            mpz_t out, const mpz_t c,
                                            const mpz_t x, size_t x_bits,
                                            const mpz_t y, const mpz_t r);

/**
 * The same ciphertext as mpc_paillier_affine under the key owner's own
 * key, with Enc(y; r) computed by the CRT (mpc_paillier_encrypt_crt):
 * about 8 ms less at 2048 bits.
 *
 * Returns: as mpc_paillier_affine; MPC_ERR_INVALID_ARG also for a NULL sk.
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_affine_crt(const mpc_ctx *ctx,
                                                const mpc_paillier_sk *sk,
                                                mpz_t out, const mpz_t c,
                                                const mpz_t x, size_t x_bits,
                                                const mpz_t y, const mpz_t r);

/**
 * mpc_paillier_affine_crt with a fresh nonce: out = c^x * Enc(y; r) under
 * the key owner's own key, r drawn by mpc_paillier_nonce_own and returned.
 *
 * Returns: as mpc_paillier_affine_crt; MPC_ERR_INTERNAL (broken rng);
 * MPC_ERR_INVALID_ARG also if out and r are the same mpz. On failure out
 * and r are 0.
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_affine_own(const mpc_ctx *ctx,
                                                const mpc_paillier_sk *sk,
                                                mpz_t out, mpz_t r,
                                                const mpz_t c, const mpz_t x,
                                                size_t x_bits, const mpz_t y);

/* ---- Owner-side exponentiation ---------------------------------------- */

/**
 * r = b^e mod N by the key owner with the CRT: b^(e mod (p-1) + (p-1))
 * mod p and likewise mod q, then Garner. About 3x faster than a plain
 * exponentiation for a full-size e (Πprm, Πmod provers), and the work
 * depends on prime_bits, not on the size of e. Exact for every b >= 0 when
 * e >= 1 (units by Fermat; multiples of p stay 0 mod p); for e = 0 it
 * returns 1 only for b ∈ Z*_N.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (empty key, b < 0, e < 0);
 * MPC_ERR_NOMEM.
 * Security: constant time in b, e (up to its limb count) and the key.
 */
MPC_WARN_UNUSED mpc_err mpc_paillier_sk_powm_n(const mpc_ctx *ctx,
                                               const mpc_paillier_sk *sk,
                                               mpz_t r, const mpz_t b,
                                               const mpz_t e);

/* ---- Ring-Pedersen parameters ----------------------------------------- */

/**
 * Ring-Pedersen parameters (N, s, t), public. s_inv and t_inv are kept for
 * commitments with negative exponents. generate and parse also build
 * constant-time comb tables of s and t (mpc_bn_comb, 2 x 38 KB at 2048
 * bits, about 11 ms), which make every mpc_rped_commit with these
 * parameters about 3x faster; copy with mpc_rped_copy to keep them
 * (a field-by-field copy has none, and commits then take the plain path).
 * Fields are read-only for callers.
 */
typedef struct mpc_rped {
    const mpc_params *params;
    mpz_t n, s, t;
    mpz_t s_inv, t_inv;
    mpc_bn_comb comb_s, comb_t; /**< empty unless built by generate/parse */
} mpc_rped;

/** Initialises empty parameters. */
void mpc_rped_init(mpc_rped *rp);
/** Releases parameters; NULL does nothing. */
void mpc_rped_clear(mpc_rped *rp);

/**
 * dst = src, comb tables included (dst initialised; a NULL or dst == src
 * does nothing).
 */
void mpc_rped_copy(mpc_rped *dst, const mpc_rped *src);

/**
 * Generates parameters over the key's N: t = r^2 mod N for r uniform in
 * Z*_N, λ uniform in [0, φ(N)), s = t^λ mod N; redrawn while s or t is 1.
 * λ is the Πprm witness: the caller keeps it secret and clears it with
 * mpc_bn_clear.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (empty key); MPC_ERR_NOMEM;
 * MPC_ERR_INTERNAL (broken rng). On failure rp is empty and lambda = 0.
 */
MPC_WARN_UNUSED mpc_err mpc_rped_generate(const mpc_ctx *ctx, mpc_rped *rp,
                                          mpz_t lambda,
                                          const mpc_paillier_sk *sk);

/**
 * Writes N || s || t, each params->n_bytes bytes.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if len != 3 * n_bytes or rp is
 * empty (out zeroed).
 */
MPC_WARN_UNUSED mpc_err mpc_rped_serialize(uint8_t *out, size_t len,
                                           const mpc_rped *rp);

/**
 * Parses a peer's N || s || t: exact length, N odd with
 * bitlen(N) >= params->n_min_bits, s and t in Z*_N and != 1 (the TSSHOCK
 * checks). Πprm must still verify that s is in the group generated by t.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for bad bytes; MPC_ERR_INVALID_ARG (NULL).
 * On failure rp is empty.
 */
MPC_WARN_UNUSED mpc_err mpc_rped_parse(mpc_rped *rp, const mpc_params *params,
                                       const uint8_t *in, size_t len);

/**
 * out = s^x t^y mod N for SECRET signed x, y with |x| < 2^x_bits and
 * |y| < 2^y_bits (public bounds from the proof's ranges): one pass over
 * the comb tables (mpc_bn_comb_powm2_sec) when rp has them and the bounds
 * are within ℓ + ε + n_bits + 1 bits, else mpc_rped_commit_naive.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (empty rp, an exponent over its
 * bound, a bound of 0); MPC_ERR_NOMEM.
 * Security: constant time in x and y (mpc/bn.h policy) on both paths.
 */
MPC_WARN_UNUSED mpc_err mpc_rped_commit(const mpc_ctx *ctx, const mpc_rped *rp,
                                        mpz_t out, const mpz_t x, size_t x_bits,
                                        const mpz_t y, size_t y_bits);

/**
 * The same commitment as two constant-time exponentiations
 * (mpc_bn_powm_signed_sec) and a product, without the tables: the
 * reference the comb path is tested and benchmarked against.
 *
 * Returns: as mpc_rped_commit.
 */
MPC_WARN_UNUSED mpc_err mpc_rped_commit_naive(const mpc_ctx *ctx,
                                              const mpc_rped *rp, mpz_t out,
                                              const mpz_t x, size_t x_bits,
                                              const mpz_t y, size_t y_bits);

/**
 * out = s^x t^y mod N for PUBLIC signed x, y (verifier side), as two
 * plain exponentiations. See mpc_rped_table for the fast form.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (empty rp).
 */
MPC_WARN_UNUSED mpc_err mpc_rped_commit_var(const mpc_rped *rp, mpz_t out,
                                            const mpz_t x, const mpz_t y);

/**
 * Fixed-base tables of a peer's s and t (mpc_bn_fbtable), built once per
 * peer and reused by every proof verified against its parameters.
 */
typedef struct mpc_rped_table {
    mpc_bn_fbtable s, t;
} mpc_rped_table;

/**
 * Builds the tables for exponents of up to max_bits bits (the largest
 * range the proofs accept, e.g. ℓ + ε + n_bits + 1; longer ones still
 * work, more slowly). About 2 * max_bits squarings and
 * max_bits / 3 residues of memory.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (empty rp, max_bits 0 or above
 * 2^20); MPC_ERR_NOMEM. On failure the tables are empty (clear is a
 * no-op).
 */
MPC_WARN_UNUSED mpc_err mpc_rped_table_init(const mpc_ctx *ctx,
                                            mpc_rped_table *tab,
                                            const mpc_rped *rp,
                                            size_t max_bits);

/** Releases the tables; empty or already cleared tables (or NULL) are fine. */
void mpc_rped_table_clear(const mpc_ctx *ctx, mpc_rped_table *tab);

/**
 * dst = a copy of src (mpc_bn_fbtable_copy for both bases): a session
 * copies the tables cached with its aux info instead of rebuilding them.
 * dst is overwritten as if empty; an empty src gives an empty dst.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG; MPC_ERR_NOMEM (dst is then empty).
 */
MPC_WARN_UNUSED mpc_err mpc_rped_table_copy(const mpc_ctx *ctx,
                                            mpc_rped_table *dst,
                                            const mpc_rped_table *src);

/**
 * out = s^x t^y mod N for PUBLIC signed x, y, from the tables.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (uninitialised tables).
 */
MPC_WARN_UNUSED mpc_err mpc_rped_table_commit_var(const mpc_rped_table *tab,
                                                  mpz_t out, const mpz_t x,
                                                  const mpz_t y);

#endif /* MPC_PAILLIER_H */
