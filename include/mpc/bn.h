/*
 * mpc/bn.h — big integers over GMP with a constant-time policy; safe primes.
 *
 * Values are GMP mpz_t. This header adds what GMP's mpz layer lacks for
 * secrets: constant-time arithmetic on fixed limb counts (mpn_sec_*),
 * canonical fixed-length encodings, sampling from the context rng (never
 * GMP's own random state), wiping, and safe-prime generation.
 *
 * Rules for the whole header:
 * - Pointer arguments must not be NULL unless stated; a NULL yields
 *   MPC_ERR_INVALID_ARG.
 * - Argument order: ctx, outputs, inputs. mpz outputs may alias inputs.
 * - No function keeps a pointer to its inputs after it returns.
 * - On failure every mpz output is set to 0 and every byte output zeroed.
 * - Scratch memory comes from the ctx allocator and is wiped before it is
 *   released; a failed allocation yields MPC_ERR_NOMEM. GMP allocates the
 *   limbs of mpz values itself and aborts on out-of-memory (GMP manual,
 *   "Custom Allocation"); programs install mpc_gmp_use_zeroing_allocator.
 *
 * Constant-time policy (STYLE.md rule 19):
 * - `_sec` functions run on fixed limb counts through GMP's side-channel
 *   silent mpn_sec_* / mpn_cnd_* functions: their time and memory accesses
 *   depend on the limb counts of their arguments and on the public bit
 *   bounds passed in (e_bits), never on the values. GMP documents the same
 *   guarantee for mpz_powm_sec only "for any two same-size arguments",
 *   which is why exponents are padded to `e_bits` here instead.
 * - What remains observable is the mpz representation of a secret: its
 *   limb count (mpz strips leading zero limbs) and its sign. The limb
 *   count of a secret uniform in [0, B) only tells whether it is below
 *   2^(64(k-1)), k the limb count of B - 1: probability 2^-(t-1) with t
 *   the bits of B - 1's top limb. Our ranges have t = 64 (2048-bit set)
 *   and t >= 16 (3072-bit set: ±2^848 MtA masks; ±2^486 has t = 38).
 *   For structured secrets callers fix the size themselves (a prime has
 *   its top bit set).
 *   Signs of secrets are read and produced without branches here, but a
 *   plain mpz function applied afterwards branches on them.
 * - `_var` functions are variable time (mpz_powm, mpz_invert, gcd,
 *   Jacobi): pass only public values.
 * - Without a suffix: serializers, samplers and wipes are constant time
 *   in the values they read or produce (up to the limb count); the
 *   parsers read received, public bytes and are variable time; safe-prime
 *   generation has its own note below.
 * - Secret moduli (Paillier p, q, p^2, q^2, safe-prime candidates): GMP's
 *   set-up of a modulus is not fully silent. mpn_sec_div_r normalizes the
 *   divisor (a branch on its leading zero count: constant for a given bit
 *   length) and reads a table indexed by its top 9 bits (mpn_invert_limb);
 *   mpn_sec_powm reads a table indexed by its low 7 bits (binvert). For
 *   our primes, whose top two and low three bits are public, that exposes
 *   at most 11 bits of p to a cache attacker, far from the half of p's
 *   bits that factoring with partial knowledge needs (Coppersmith).
 * - GMP keeps temporaries of mpz functions on the stack (alloca), out of
 *   reach of our wiping; the `_sec` functions use only ctx scratch.
 */
#ifndef MPC_BN_H
#define MPC_BN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gmp.h>

#include "mpc/ctx.h"
#include "mpc/err.h"

/* ---- Wiping ------------------------------------------------------------ */

/**
 * Zeroes every allocated limb of `x` (not only the used ones) and sets it
 * to 0, keeping the allocation. Use on a secret before reusing the mpz for
 * something else.
 */
void mpc_bn_wipe(mpz_t x);

/**
 * Wipes `x` (mpc_bn_wipe) and releases it with mpz_clear. Use instead of
 * mpz_clear for every mpz that held a secret.
 */
void mpc_bn_clear(mpz_t x);

/* ---- Canonical encodings --------------------------------------------- */

/**
 * Canonical lengths. A value checked against `bound` travels in exactly
 * mpc_bn_len(bound) bytes (unsigned, values in [0, bound)) or
 * mpc_bn_len_signed(bound) bytes (signed, values in [-bound, bound]).
 * Sender and receiver derive the length from the bound they agree on, so
 * every value has exactly one encoding and a length mismatch is a parse
 * error.
 */

/** Byte length of bound - 1, at least 1; 0 if bound < 1. */
size_t mpc_bn_len(const mpz_t bound);

/** 1 (the sign byte) + the byte length of bound, at least 2; 0 if
 * bound < 0. */
size_t mpc_bn_len_signed(const mpz_t bound);

/**
 * Writes 0 <= x < 2^(8*len) as exactly `len` bytes, big-endian, with
 * leading zero bytes (len is normally mpc_bn_len of the field's bound).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if len is 0, x is negative or does
 * not fit (out is zeroed).
 * Security: constant time in x up to its limb count (usable for secrets).
 */
MPC_WARN_UNUSED mpc_err mpc_bn_serialize(uint8_t *out, size_t len,
                                         const mpz_t x);

/**
 * Parses a received value in [0, bound): exactly mpc_bn_len(bound)
 * big-endian bytes. For received (public) bytes: variable time.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE if len != mpc_bn_len(bound) or
 * value >= bound; MPC_ERR_INVALID_ARG if a pointer is NULL or bound < 1.
 * On failure out = 0.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_parse(mpz_t out, const uint8_t *in, size_t len,
                                     const mpz_t bound);

/**
 * Writes a signed integer as `len` bytes: one sign byte (0x00 for x >= 0,
 * 0x01 for x < 0) followed by |x| big-endian in len - 1 bytes (len is
 * normally mpc_bn_len_signed of the field's bound). Signed values are the
 * responses of the ZK proofs (x ∈ ±2^k).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if len < 2 or |x| >= 2^(8*(len-1))
 * (out is zeroed).
 */
MPC_WARN_UNUSED mpc_err mpc_bn_serialize_signed(uint8_t *out, size_t len,
                                                const mpz_t x);

/**
 * Parses a received value in [-bound, bound] (the paper's "x ∈ ±bound",
 * inclusive): exactly mpc_bn_len_signed(bound) bytes as written by
 * mpc_bn_serialize_signed.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for a wrong length, a sign byte other
 * than 0x00/0x01, a negative zero (not canonical) or |x| > bound;
 * MPC_ERR_INVALID_ARG if a pointer is NULL or bound < 0. On failure
 * out = 0.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_parse_signed(mpz_t out, const uint8_t *in,
                                            size_t len, const mpz_t bound);

/* ---- Sampling from the ctx rng ---------------------------------------- */

/**
 * out = a uniform integer in [0, m), by rejection sampling of
 * bitlen(m)-bit values (at most 2 draws expected).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if m <= 0; MPC_ERR_NOMEM;
 * MPC_ERR_INTERNAL if 128 draws in a row were rejected (the rng is broken).
 * Security: the accepted value is secret; comparisons run in constant time.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_random_below(const mpc_ctx *ctx, mpz_t out,
                                            const mpz_t m);

/**
 * out = a uniform element of Z*_n (1 <= out < n, gcd(out, n) = 1), n odd.
 * The unit test is a constant-time inversion (mpn_sec_invert, about
 * 0.75 ms at 2048 bits), so nothing about the value leaks.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if n is even or n < 3;
 * MPC_ERR_NOMEM; MPC_ERR_INTERNAL if 128 draws in a row were rejected.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_random_unit(const mpc_ctx *ctx, mpz_t out,
                                           const mpz_t n);

/**
 * out = a uniform integer in [-bound, bound] (the paper's ±bound).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if bound < 0; MPC_ERR_NOMEM;
 * MPC_ERR_INTERNAL (broken rng, as above).
 * Security: sign and magnitude are computed without branches.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_random_symmetric(const mpc_ctx *ctx, mpz_t out,
                                                const mpz_t bound);

/* ---- Constant-time arithmetic (secret operands) ----------------------- */

/**
 * r = a mod m in [0, m), for a of either sign and m > 0 (a negative a maps
 * to m - (|a| mod m), chosen without a branch).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if m <= 0; MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_mod_sec(const mpc_ctx *ctx, mpz_t r,
                                       const mpz_t a, const mpz_t m);

/**
 * The centered representative of a residue: for 0 <= a < m with m odd,
 * r = a if a <= (m - 1) / 2, else a - m; so r ∈ [-(m-1)/2, (m-1)/2], the
 * signed range of Paillier plaintexts.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if m is even or < 3, or a is not in
 * [0, m); MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_center_sec(const mpc_ctx *ctx, mpz_t r,
                                          const mpz_t a, const mpz_t m);

/**
 * q = floor(a / d) and r = a mod d, for a >= 0 and d > 0. Either output
 * may be NULL (not both).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (a < 0, d <= 0, both outputs NULL,
 * or q and r the same mpz); MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_divmod_sec(const mpc_ctx *ctx, mpz_t q, mpz_t r,
                                          const mpz_t a, const mpz_t d);

/**
 * r = (a + b) mod m, for a, b >= 0 (of any size) and m > 0.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (a or b < 0, m <= 0); MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_addmod_sec(const mpc_ctx *ctx, mpz_t r,
                                          const mpz_t a, const mpz_t b,
                                          const mpz_t m);

/**
 * r = (a - b) mod m, in [0, m), for a, b >= 0 and m > 0.
 *
 * Returns: as mpc_bn_addmod_sec.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_submod_sec(const mpc_ctx *ctx, mpz_t r,
                                          const mpz_t a, const mpz_t b,
                                          const mpz_t m);

/**
 * r = a * b, for a, b >= 0 (mpz_mul is not side-channel silent: its
 * Toom-Cook steps branch on the signs of intermediate differences).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (a or b < 0); MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_mul_sec(const mpc_ctx *ctx, mpz_t r,
                                       const mpz_t a, const mpz_t b);

/**
 * r = a * b mod m, for a, b >= 0 and m > 0.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (a or b < 0, m <= 0); MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_mulmod_sec(const mpc_ctx *ctx, mpz_t r,
                                          const mpz_t a, const mpz_t b,
                                          const mpz_t m);

/**
 * r = b^e mod m, for b >= 0, 0 <= e < 2^e_bits and m odd, m >= 3.
 *
 * The exponent is padded to e_bits, a public bound, so the time depends on
 * e_bits and the limb counts of b and m only; e = 0 is handled without a
 * branch (mpn_sec_powm requires e > 0). Choose e_bits as the bound the
 * protocol gives (e.g. bitlen(p) for p - 1), never bitlen(e).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if m is even or < 3, b < 0, e < 0,
 * e_bits is 0 or e >= 2^e_bits; MPC_ERR_NOMEM.
 * Security: a secret modulus (Paillier p, p^2) is fine up to the table
 * reads described at the top of this header.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_powm_sec(const mpc_ctx *ctx, mpz_t r,
                                        const mpz_t b, const mpz_t e,
                                        size_t e_bits, const mpz_t m);

/**
 * r = b^e mod m for a signed secret e with |e| < 2^e_bits: b^|e| or
 * b_inv^|e|, the base chosen in constant time by the sign of e. The caller
 * passes b_inv = b^-1 mod m (both are usually public, e.g. ring-Pedersen
 * s and s^-1); it is checked.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG as mpc_bn_powm_sec, or if b * b_inv
 * is not 1 mod m; MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_powm_signed_sec(const mpc_ctx *ctx, mpz_t r,
                                               const mpz_t b, const mpz_t b_inv,
                                               const mpz_t e, size_t e_bits,
                                               const mpz_t m);

/**
 * r = a^-1 mod m, for a >= 0 and m odd, m >= 3 (mpn_sec_invert).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if m is even or < 3, a < 0, or a
 * has no inverse mod m (the caller learns that, so use it only where a
 * missing inverse is a caller error); MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_invert_sec(const mpc_ctx *ctx, mpz_t r,
                                          const mpz_t a, const mpz_t m);

/**
 * r = b1^e1 * b2^e2 mod m in one pass (interleaved fixed windows sharing
 * the squarings), for a SECRET signed e1 (|e1| < 2^e1_bits) with a public
 * base b1 and its inverse b1_inv mod m (checked), and a PUBLIC e2 >= 0
 * with a SECRET base b2 >= 0: the MtA step c^x * r^N mod N^2 of
 * mpc_paillier_affine. m (odd, >= 3) is public. The result equals
 * mpc_bn_powm_signed_sec(b1, b1_inv, e1) * b2^e2 mod m.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (a NULL, m even or < 3, a negative
 * b1, b1_inv, b2 or e2, e1_bits 0 or above 2^20, |e1| >= 2^e1_bits,
 * b1 * b1_inv != 1 mod m); MPC_ERR_NOMEM.
 * Security: time and memory accesses depend on e1_bits, e2, m and the limb
 * counts of the secrets only: e1's table entries are read with
 * mpn_sec_tabselect, b2's table is indexed by the public e2.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_powm_joint_sec(const mpc_ctx *ctx, mpz_t r,
                                              const mpz_t b1,
                                              const mpz_t b1_inv,
                                              const mpz_t e1, size_t e1_bits,
                                              const mpz_t b2, const mpz_t e2,
                                              const mpz_t m);

/**
 * Chinese remaindering: r in [0, p*q) with r ≡ a_p (mod p) and
 * r ≡ a_q (mod q), given q_inv_p = q^-1 mod p (Garner:
 * r = a_q + q * ((a_p - a_q) * q_inv_p mod p)). a_p, a_q >= 0 of any size.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if a negative input or p, q <= 0;
 * MPC_ERR_NOMEM. q_inv_p is not checked: a wrong one gives a wrong r.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_crt_sec(const mpc_ctx *ctx, mpz_t r,
                                       const mpz_t a_p, const mpz_t p,
                                       const mpz_t a_q, const mpz_t q,
                                       const mpz_t q_inv_p);

/** Most terms of mpc_bn_multiexp_sec. */
#define MPC_BN_MULTIEXP_SEC_MAX 4

/**
 * r = Π b[i]^e[i] mod m for count <= MPC_BN_MULTIEXP_SEC_MAX terms over a
 * SECRET odd modulus m >= 3 (the Paillier owner's p^2) with secret-valued
 * bases b[i] >= 0, a SECRET exponent 0 <= e[0] < 2^e0_bits and PUBLIC
 * exponents e[1..] >= 0: one squaring chain shared by all terms (Straus,
 * fixed 4-bit windows; lib/bn/multiexp_sec.c). Pass e[0] = 1, e0_bits = 1
 * when no exponent is secret.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (NULL, count 0 or too large, m even
 * or < 3, a negative base or exponent, e0_bits 0 or e[0] >= 2^e0_bits);
 * MPC_ERR_NOMEM. On failure r = 0.
 * Security: time and memory accesses depend on the limb counts of m and
 * the b[i], on e0_bits and on the public e[1..] only (mpc/bn.h policy,
 * including its note on secret moduli).
 */
MPC_WARN_UNUSED mpc_err mpc_bn_multiexp_sec(const mpc_ctx *ctx, mpz_t r,
                                            const mpz_srcptr *b,
                                            const mpz_srcptr *e, size_t count,
                                            size_t e0_bits, const mpz_t m);

/* ---- Variable time (public values only) ------------------------------- */

/**
 * r = b^e mod m for a signed public e; a negative e uses b^-1 mod m.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if m <= 1; MPC_ERR_VERIFY if e < 0
 * and b has no inverse mod m (a value from a peer was not a unit).
 */
MPC_WARN_UNUSED mpc_err mpc_bn_powm_var(mpz_t r, const mpz_t b, const mpz_t e,
                                        const mpz_t m);

/**
 * r = b1^e1 * b2^e2 mod m for signed public exponents, as two separate
 * exponentiations (see mpc_bn_fbtable for the fast fixed-base form).
 *
 * Returns: as mpc_bn_powm_var.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_powm2_var(mpz_t r, const mpz_t b1,
                                         const mpz_t e1, const mpz_t b2,
                                         const mpz_t e2, const mpz_t m);

/**
 * r = Π b[i]^e[i] mod m for `count` public bases and signed public
 * exponents (a negative e[i] uses b[i]^-1 mod m), by Straus's
 * interleaving with sliding windows in Montgomery form: one squaring
 * chain as long as the longest exponent, shared by every base
 * (lib/bn/multiexp.c). count = 0 gives r = 1; r may alias any b[i] or
 * e[i]. Tables and scratch come from
 * GMP's allocator, like mpz limbs (no ctx, no MPC_ERR_NOMEM).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if m is even or < 3, or a pointer
 * is NULL; MPC_ERR_VERIFY if a base with a negative exponent has no
 * inverse mod m. On failure r = 0.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_multiexp_var(mpz_t r, const mpz_srcptr *b,
                                            const mpz_srcptr *e, size_t count,
                                            const mpz_t m);

/**
 * r = a^-1 mod m.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if m <= 1; MPC_ERR_VERIFY if a has
 * no inverse.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_invert_var(mpz_t r, const mpz_t a,
                                          const mpz_t m);

/** True iff 0 < a < m and gcd(a, m) = 1 (a ∈ Z*_m); false if m <= 1. */
bool mpc_bn_is_unit_var(const mpz_t a, const mpz_t m);

/**
 * The Jacobi symbol (a/n) ∈ {-1, 0, 1} for odd n >= 3. Returns 0 for any
 * other n, which fails safe where a caller requires -1 or 1 (Πmod).
 */
int mpc_bn_jacobi_var(const mpz_t a, const mpz_t n);

/* ---- Fixed-base exponentiation tables (public exponents) -------------- */

/**
 * Precomputed powers base^(2^(w*j)) mod m for a base reused with many
 * public exponents: a ring-Pedersen verifier raises a peer's s and t to
 * new exponents in every proof. An exponent of k bits then costs about
 * k/6 + 126 multiplications instead of k squarings and k/5 multiplications
 * (Brickell–Gordon–McCurley–Wilson / Yao digit buckets, window w = 6).
 * Contents are private; initialise with mpc_bn_fbtable_init.
 */
typedef struct mpc_bn_fbtable {
    mpz_t m;
    mpz_t *pow;
    mp_limb_t *el; /* pow in Montgomery form, w words each */
    size_t count, w;
} mpc_bn_fbtable;

/**
 * Builds the table of `base` mod m for exponents of up to max_bits bits
 * (longer exponents still work, at mpz_powm speed). Costs about max_bits
 * modular squarings; memory is 2 max_bits/6 residues mod m (plain and in
 * Montgomery form).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if m is even or below 3, base < 0
 * or max_bits is 0 or above 2^20; MPC_ERR_NOMEM. On failure the table is
 * empty: clear is then a no-op, as is a second clear.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_fbtable_init(const mpc_ctx *ctx,
                                            mpc_bn_fbtable *t, const mpz_t base,
                                            const mpz_t m, size_t max_bits);

/** Releases a table; an empty or already cleared table (or NULL) is fine. */
void mpc_bn_fbtable_clear(const mpc_ctx *ctx, mpc_bn_fbtable *t);

/**
 * dst = a copy of src, so that a table built once (e.g. with long-lived aux
 * info) serves sessions that must own theirs. dst is overwritten as if
 * empty (clear it first if it holds a table); an empty src gives an empty
 * dst.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (NULL arguments); MPC_ERR_NOMEM
 * (dst is then empty).
 */
MPC_WARN_UNUSED mpc_err mpc_bn_fbtable_copy(const mpc_ctx *ctx,
                                            mpc_bn_fbtable *dst,
                                            const mpc_bn_fbtable *src);

/**
 * r = base^e mod m for a signed public e.
 *
 * Returns: MPC_OK; MPC_ERR_VERIFY if e < 0 and base has no inverse.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_fbtable_powm_var(mpz_t r,
                                                const mpc_bn_fbtable *t,
                                                const mpz_t e);

/**
 * r = base1^e1 * base2^e2 mod m for signed public exponents; both tables
 * must share the modulus.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if the moduli differ;
 * MPC_ERR_VERIFY if a base with a negative exponent has no inverse.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_fbtable_powm2_var(mpz_t r,
                                                 const mpc_bn_fbtable *t1,
                                                 const mpz_t e1,
                                                 const mpc_bn_fbtable *t2,
                                                 const mpz_t e2);

/* ---- Fixed-base comb tables (secret exponents) ------------------------ */

/**
 * Constant-time fixed-base exponentiation for a public base and modulus
 * raised to many secret exponents: a prover commits with a peer's
 * ring-Pedersen s and t (s^x t^y) several times in every proof. A
 * Lim–Lee comb (20 chunks in 4 groups of 5) turns an exponent of k bits
 * into k/20 squarings and k/20 multiplications per group it spans, the
 * squarings shared by both bases of s^x t^y: about 3x faster than two
 * mpc_bn_powm_signed_sec calls. Entries are read with mpn_sec_tabselect.
 * Memory: 149 residues mod m (38 KB at 2048 bits), from GMP's allocator
 * (like mpz limbs), so init needs no ctx and does not fail for memory.
 * Contents are private; initialise with mpc_bn_comb_init.
 */
typedef struct mpc_bn_comb {
    mp_limb_t *mem; /**< NULL: empty (base and m are then not initialised) */
    mpz_t base, m;
    size_t n, w, spacing, max_bits; /* w: words of a table entry */
} mpc_bn_comb;

/**
 * Builds the comb of `base` mod m for signed exponents |e| < 2^max_bits.
 * Costs about max_bits modular squarings (public values, variable time).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if m is even or < 3, base < 0,
 * base is not a unit mod m, or max_bits is 0 or above 2^20. On failure
 * the comb is empty: clear is then a no-op, as is a second clear.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_comb_init(mpc_bn_comb *c, const mpz_t base,
                                         const mpz_t m, size_t max_bits);

/**
 * mpc_bn_comb_init for a SECRET base or modulus (the Paillier key owner's
 * fixed bases mod p and p^2): the same comb, built with constant-time
 * arithmetic only (mpc_bn_mod_sec, mpc_bn_invert_sec, Montgomery
 * squarings); about 2 * max_bits squarings mod m, and it needs ctx for
 * scratch.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG as mpc_bn_comb_init (also a NULL
 * ctx); MPC_ERR_NOMEM. On failure the comb is empty.
 * Security: time and memory accesses depend on max_bits and the limb
 * counts of base and m only; the argument checks read the low limb and
 * the size of m, and fail only on misuse.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_comb_init_sec(const mpc_ctx *ctx, mpc_bn_comb *c,
                                             const mpz_t base, const mpz_t m,
                                             size_t max_bits);

/** Wipes and releases a comb; an empty or already cleared comb (or NULL)
 * is fine. */
void mpc_bn_comb_clear(mpc_bn_comb *c);

/**
 * dst = a copy of src (dst empty or built: it is cleared first; an empty
 * src leaves dst empty).
 */
void mpc_bn_comb_copy(mpc_bn_comb *dst, const mpc_bn_comb *src);

/** True iff c is built for exactly base mod m = base (base < m) and m. */
bool mpc_bn_comb_matches(const mpc_bn_comb *c, const mpz_t base, const mpz_t m);

/**
 * r = base1^e1 * base2^e2 mod m for SECRET signed e1, e2 with
 * |e1| < 2^e1_bits and |e2| < 2^e2_bits (public bounds, at most each
 * comb's max_bits); both combs share m and max_bits.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (an empty comb, combs of different
 * moduli or sizes, a bound of 0 or above max_bits, an exponent over its
 * bound); MPC_ERR_NOMEM.
 * Security: time and memory accesses depend on the bounds, the limb
 * count of m and the limb counts of e1, e2 only (mpc/bn.h policy). The
 * Montgomery reduction is a fixed loop of mpn_addmul_1 and mpn_cnd_*,
 * the construction GMP's mpn_sec_powm uses internally.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_comb_powm2_sec(const mpc_ctx *ctx, mpz_t r,
                                              const mpc_bn_comb *c1,
                                              const mpz_t e1, size_t e1_bits,
                                              const mpc_bn_comb *c2,
                                              const mpz_t e2, size_t e2_bits);

/**
 * r = base^e mod m for a SECRET signed e, |e| < 2^e_bits: the one-base
 * form of mpc_bn_comb_powm2_sec (about half its time).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (an empty comb, a bound of 0 or
 * above max_bits, an exponent over its bound); MPC_ERR_NOMEM.
 * Security: as mpc_bn_comb_powm2_sec.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_comb_powm_sec(const mpc_ctx *ctx, mpz_t r,
                                             const mpc_bn_comb *c,
                                             const mpz_t e, size_t e_bits);

/* ---- Safe primes ------------------------------------------------------ */

/** Miller–Rabin rounds run on q and on p by generation and check. */
#define MPC_BN_SAFE_PRIME_MR_ROUNDS 40

/**
 * Generates a safe prime p = 2q + 1 of exactly `bits` bits (top two bits
 * set, so the product of two has exactly 2*bits bits) with q ≡ 3 (mod 4),
 * hence p ≡ 7 (mod 8) and p ≡ 3 (mod 4) (Blum).
 *
 * Method (Wiener, eprint 2003/186; LFDT spec "Safe-Prime Generation"): a
 * random q0 ≡ 11 (mod 12); candidates q = q0 + 12k are sieved together
 * with 2q + 1 against the odd primes below 2^15 by updating residues;
 * survivors get a base-2 Fermat test on p, then Miller–Rabin on q and on p
 * (MPC_BN_SAFE_PRIME_MR_ROUNDS random bases each).
 *
 * Security: candidates are public until one is accepted, but every
 * candidate differs from the accepted one by a known multiple of 12, so a
 * leak about any candidate is a leak about the result. Hence: residues are
 * computed with multiplications only (no division instruction, whose
 * latency varies) and updated and tested without branches; every
 * exponentiation is mpc_bn_powm_sec on a fixed bit length; q ≡ 3 (mod 4)
 * makes q - 1 and p - 1 twice an odd number, so Miller–Rabin has one
 * fixed squaring structure; GMP's mpz_probab_prime_p (trial division and
 * a variable-time powm) is not used. What still leaks is the number of
 * candidates tried and which test rejected each: facts about composites
 * near p, not usable bits of p.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if bits < 64 or bits > 8192;
 * MPC_ERR_NOMEM. Takes 0.8 s of CPU on average for 1024 bits, with a long
 * tail (bench: bn_safe_prime_1024).
 */
MPC_WARN_UNUSED mpc_err mpc_bn_safe_prime_generate(const mpc_ctx *ctx, mpz_t p,
                                                   size_t bits);

/**
 * Checks that p is a safe prime: p and q = (p - 1) / 2 pass
 * MPC_BN_SAFE_PRIME_MR_ROUNDS Miller–Rabin rounds with random bases (so a
 * composite passes with probability below 4^-40 even if chosen
 * adversarially), constant time in p as in generation.
 *
 * Returns: MPC_OK; MPC_ERR_VERIFY if p is not a safe prime, or p < 11
 * (the test needs q >= 5); MPC_ERR_INVALID_ARG (NULL); MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err mpc_bn_safe_prime_check(const mpc_ctx *ctx,
                                                const mpz_t p);

#endif /* MPC_BN_H */
