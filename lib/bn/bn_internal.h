/*
 * Internals shared by lib/bn (and lib/paillier): fixed-size limb arrays,
 * the scratch arena of constant-time operations, branch-free helpers.
 *
 * A constant-time operation loads its mpz operands into zero-padded limb
 * arrays of a fixed count, computes with mpn_sec_* / mpn_cnd_* only, and
 * stores the result back. Plain mpn_add_n/mpn_sub_n are not documented as
 * side-channel silent, so additions and subtractions are mpn_cnd_add_n /
 * mpn_cnd_sub_n with cnd = 1 (as lib/ec does).
 */
#ifndef MPC_BN_INTERNAL_H
#define MPC_BN_INTERNAL_H

#include <gmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "mpc/bn.h"
#include "mpc/ctx.h"

_Static_assert(GMP_NAIL_BITS == 0, "GMP with nail bits is not supported");

#define MPC_BN_LIMB_BYTES (GMP_NUMB_BITS / 8)

/* A broken internal invariant (our bug): cheap checks, always on. */
#define MPC_BN_ASSERT(cond)                                                    \
    do {                                                                       \
        if (!(cond))                                                           \
            abort();                                                           \
    } while (0)

/* Limbs needed for `bits` bits. */
static inline size_t mpc_bn_limbs_for_bits(size_t bits)
{
    return (bits + GMP_NUMB_BITS - 1) / GMP_NUMB_BITS;
}

/*
 * Scratch arena: one allocation from the ctx allocator per operation,
 * carved with mpc_bn_ws_take (zeroed regions); a helper may release what
 * it took by resetting `used` to a mark taken before. mpc_bn_ws_free wipes
 * and releases everything (safe on a failed init, or on `= {0}`).
 */
typedef struct mpc_bn_ws {
    const mpc_ctx *ctx;
    mp_limb_t *mem;
    size_t cap;
    size_t used;
} mpc_bn_ws;

mpc_err mpc_bn_ws_init(mpc_bn_ws *w, const mpc_ctx *ctx, size_t limbs);
/* `n` zeroed limbs; aborts if the arena was sized too small (our bug). */
mp_limb_t *mpc_bn_ws_take(mpc_bn_ws *w, size_t n);
void mpc_bn_ws_free(mpc_bn_ws *w);

/* Memory from GMP's allocator (the zeroing one where the program set it,
 * mpc/mem.h), for tables kept like mpz limbs by functions without a ctx;
 * aborts on exhaustion as GMP does. */
void *mpc_bn_gmp_alloc(size_t bytes);
void mpc_bn_gmp_free(void *p, size_t bytes);

/* d[0..n) = |x|, zero-padded; requires mpz_size(x) <= n. */
void mpc_bn_limbs_load(mp_limb_t *d, size_t n, const mpz_t x);
/* r = the non-negative value d[0..n). */
void mpc_bn_limbs_store(mpz_t r, const mp_limb_t *d, size_t n);
/* r = d[0..n) if neg = 0, -d[0..n) if neg = 1; the sign without a branch. */
void mpc_bn_limbs_store_signed(mpz_t r, const mp_limb_t *d, size_t n,
                               mp_limb_t neg);
/* d[0..n) = the big-endian bytes in[0..len); requires len <= n limbs. */
void mpc_bn_limbs_from_bytes(mp_limb_t *d, size_t n, const uint8_t *in,
                             size_t len);
/* out[0..len) = d[0..n) big-endian; the caller ensures it fits. */
void mpc_bn_limbs_to_bytes(uint8_t *out, size_t len, const mp_limb_t *d,
                           size_t n);

/* 1 if d[0..n) is zero, else 0; no branch. */
mp_limb_t mpc_bn_limbs_is_zero(const mp_limb_t *d, size_t n);
/* 1 if a == b over n limbs, else 0; no branch. */
mp_limb_t mpc_bn_limbs_eq(const mp_limb_t *a, const mp_limb_t *b, size_t n);
/* 1 if a < b over n limbs, else 0; `tmp` holds n limbs of scratch. */
mp_limb_t mpc_bn_limbs_lt(const mp_limb_t *a, const mp_limb_t *b, size_t n,
                          mp_limb_t *tmp);
/* Bits [pos, pos + width) of e[0..en) as a number, zero above en limbs;
 * width < 64. Branches on the public positions only, never on the bits
 * (a secret exponent's window selects a table entry by
 * mpc_bn_mont_select). */
mp_limb_t mpc_bn_limbs_window(const mp_limb_t *e, size_t en, size_t pos,
                              unsigned width);
/* dst = src if cnd = 1; unchanged if cnd = 0; no branch. */
void mpc_bn_limbs_cnd_copy(mp_limb_t cnd, mp_limb_t *dst, const mp_limb_t *src,
                           size_t n);

/* x[0..n) = uniform in [0, m[0..n)), m of `bits` bits, by rejection;
 * `buf` and `tmp` hold n limbs each. MPC_ERR_INTERNAL: broken rng. */
mpc_err mpc_bn_limbs_random_below(const mpc_ctx *ctx, mp_limb_t *x,
                                  const mp_limb_t *m, size_t n, size_t bits,
                                  uint8_t *buf, mp_limb_t *tmp);

/* r[0..n) = a * b mod m, all n limbs, m's top limb non-zero. */
size_t mpc_bn_mulmod_limbs_itch(size_t n);
void mpc_bn_mulmod_limbs(mp_limb_t *r, const mp_limb_t *a, const mp_limb_t *b,
                         const mp_limb_t *m, size_t n, mpc_bn_ws *w);

/*
 * Fixed-size modular exponentiation on limbs: r[0..n) = b^e mod m where
 * b has n limbs (already < m or not), e has enb significant bits in
 * ceil(enb / GMP_NUMB_BITS) limbs, m is odd with n limbs (top limb
 * non-zero). e = 0 gives 1. Scratch from `w`: mpc_bn_powm_limbs_itch.
 */
size_t mpc_bn_powm_limbs_itch(size_t n, size_t enb);
void mpc_bn_powm_limbs(mp_limb_t *r, const mp_limb_t *b, const mp_limb_t *e,
                       size_t enb, const mp_limb_t *m, size_t n, mpc_bn_ws *w);

/*
 * Montgomery arithmetic modulo an odd m of n limbs (top limb non-zero),
 * constant time in the values (also of m), on one of two engines chosen
 * by mpc_bn_mont_setup for this machine and size:
 *  - limbs: radix 2^64, R = 2^(64 n), products by mpn_sec_mul /
 *    mpn_sec_sqr, reduction (REDC) by a fixed loop of mpn_addmul_1 and a
 *    final subtraction chosen with mpn_cnd_* (lib/bn/mont.c); elements
 *    are fully reduced, below m;
 *  - ifma: radix 2^52 with AVX-512 IFMA, R = 2^(52 K) (lib/bn/mont_ifma.c);
 *    elements are below 2m ("almost Montgomery").
 * An element is M->w words either way: callers size tables and buffers by
 * w, never by n, and leave the engine's representation only through
 * mpc_bn_mont_export (fully reduced, n limbs). Used by the comb (comb.c),
 * the joint exponentiation (joint.c) and the multi-exponentiations.
 */
typedef struct mpc_bn_mont {
    const mp_limb_t *m;
    size_t n;
    size_t w;        /* words of an element */
    size_t rbits;    /* R = 2^rbits */
    bool ifma;       /* which engine */
    mp_limb_t minv;  /* -m^-1 mod 2^64 (limbs) or mod 2^52 (ifma) */
    mp_limb_t *m52;  /* ifma: m as w digits */
    mp_limb_t *prod; /* 2w + 1 limbs */
    mp_limb_t *tmp;  /* w + 1 limbs */
    mp_limb_t *tp;   /* mpn_sec_mul / mpn_sec_sqr scratch */
} mpc_bn_mont;

/* -m0^-1 mod 2^64 for an odd m0 (no branch). */
mp_limb_t mpc_bn_mont_minv(mp_limb_t m0);
/* Words of an element modulo an n-limb m on this machine. */
size_t mpc_bn_mont_width(size_t n);
/* log2 R modulo an n-limb m on this machine (R^2 mod m brings values in). */
size_t mpc_bn_mont_rbits(size_t n);
/* Limbs of scratch mpc_bn_mont_setup needs for an n-limb m. */
size_t mpc_bn_mont_scratch(size_t n);
/* Sets M up for m (n limbs, odd, top limb non-zero, kept by reference),
 * carving its buffers from `scratch` (mpc_bn_mont_scratch(n) limbs). */
void mpc_bn_mont_setup(mpc_bn_mont *M, const mp_limb_t *m, size_t n,
                       mp_limb_t *scratch);
/* As mpc_bn_mont_setup with the engine named (tests run both); false if
 * ifma is asked for where it cannot run (CPU, or more than
 * MPC_BN_IFMA_MAX_DIGITS digits). */
bool mpc_bn_mont_setup_engine(mpc_bn_mont *M, const mp_limb_t *m, size_t n,
                              mp_limb_t *scratch, bool ifma);
/* e = x R mod m for a public 0 <= x (plain mpz; tmp is scratch). */
void mpc_bn_mont_load_var(const mpc_bn_mont *M, mp_limb_t *e, const mpz_t x,
                          mpz_t tmp);
/* e = the element of value x (n limbs, x < m), not in Montgomery form:
 * a product with R^2 mod m (from mpc_bn_mont_load_var of R) brings it in.
 * No branch on x. */
void mpc_bn_mont_import(const mpc_bn_mont *M, mp_limb_t *e, const mp_limb_t *x);
/* x (n limbs) = e R^-1 mod m, fully reduced; no branch on e. */
void mpc_bn_mont_export(const mpc_bn_mont *M, mp_limb_t *x, const mp_limb_t *e);
/* r = a b R^-1 mod m; r may alias a or b. */
void mpc_bn_mont_mul(const mpc_bn_mont *M, mp_limb_t *r, const mp_limb_t *a,
                     const mp_limb_t *b);
/* r = a^2 R^-1 mod m; r may alias a. */
void mpc_bn_mont_sqr(const mpc_bn_mont *M, mp_limb_t *r, const mp_limb_t *a);
/* r = tab[idx] of `count` elements, every entry read (mpn_sec_tabselect's
 * contract, faster on the ifma engine). */
void mpc_bn_mont_select(const mpc_bn_mont *M, mp_limb_t *r,
                        const mp_limb_t *tab, size_t count, size_t idx);

/*
 * The AVX-512 IFMA kernel (lib/bn/mont_ifma.c). Digits are 52 bits in
 * uint64_t lanes, k of them, k a multiple of 8 and at most
 * MPC_BN_IFMA_MAX_DIGITS.
 */
#define MPC_BN_IFMA_MAX_DIGITS 128
/* Whether this CPU and OS run AVX-512 IFMA. */
bool mpc_bn_ifma_available(void);
/* k for an n-limb modulus: 52 k >= 64 n + 2. */
size_t mpc_bn_ifma_digits(size_t n);
/* r = a b 2^(-52 k) mod m, below 2m for a, b below 2m; r may alias a or b;
 * k0 = -m^-1 mod 2^52. */
void mpc_bn_ifma_mul(uint64_t *r, const uint64_t *a, const uint64_t *b,
                     const uint64_t *m, uint64_t k0, size_t k);
/* r = tab[idx] of `count` entries of k words (k a multiple of 8), reading
 * every entry: the constant-time table lookup of the ifma engine. */
void mpc_bn_ifma_select(uint64_t *r, const uint64_t *tab, size_t k,
                        size_t count, size_t idx);
/* Radix conversions: k digits from n limbs (the value must fit), and n
 * limbs from k digits (bits above 64 n dropped). */
void mpc_bn_ifma_from_limbs(uint64_t *d, size_t k, const mp_limb_t *x,
                            size_t n);
void mpc_bn_ifma_to_limbs(mp_limb_t *x, size_t n, const uint64_t *d, size_t k);

#endif /* MPC_BN_INTERNAL_H */
