/*
 * Montgomery multiplication with AVX-512 IFMA (lib/bn/bn_internal.h,
 * mpc_bn_ifma_*): numbers as K digits of 52 bits in 64-bit lanes, K a
 * multiple of 8 (one zmm register holds 8 digits), R = 2^(52 K).
 *
 * The product is word-serial Montgomery ("almost Montgomery": inputs and
 * output below 2m, which needs 4m < R): for each digit a_i of a,
 *   acc += a_i b + q m   with q = (acc_0 + a_i b_0) (-m^-1) mod 2^52,
 * then acc /= 2^52. vpmadd52luq / vpmadd52huq give the low and high 52
 * bits of each digit product; the low halves are added in place and the
 * high halves one digit up, which is where they land after the division
 * (a one-lane shift across the registers). Lanes are not normalised inside
 * the loop: a lane gains at most 4 * 2^52 per step and lives K steps, so
 * K <= 128 stays below 2^61. The only carry taken per step is the one out
 * of digit 0, whose low 52 bits are zero by the choice of q. The result is
 * normalised to 52-bit digits once at the end.
 *
 * Constant time: the loops run a fixed number of times for a given K, no
 * branch or address depends on the digits, and the multiplications
 * (vpmadd52*, 64-bit imul) take the same time for every operand.
 */
#include <string.h>

#include "lib/bn/bn_internal.h"

#define MASK52 ((UINT64_C(1) << 52) - 1)

void mpc_bn_ifma_from_limbs(uint64_t *d, size_t k, const mp_limb_t *x, size_t n)
{
    for (size_t j = 0; j < k; j++) {
        size_t bit = 52 * j, li = bit / 64, sh = bit % 64;
        uint64_t v = li < n ? x[li] >> sh : 0;
        if (sh > 12 && li + 1 < n)
            v |= x[li + 1] << (64 - sh);
        d[j] = v & MASK52;
    }
}

void mpc_bn_ifma_to_limbs(mp_limb_t *x, size_t n, const uint64_t *d, size_t k)
{
    memset(x, 0, n * sizeof *x);
    for (size_t j = 0; j < k; j++) {
        size_t bit = 52 * j, li = bit / 64, sh = bit % 64;
        if (li < n)
            x[li] |= d[j] << sh;
        if (sh > 12 && li + 1 < n)
            x[li + 1] |= d[j] >> (64 - sh);
    }
}

size_t mpc_bn_ifma_digits(size_t n)
{
    /* 52 K >= 64 n + 2, so that 4 m < R. */
    size_t k = (64 * n + 2 + 51) / 52;
    return (k + 7) / 8 * 8;
}

/* MPC_BN_NO_IFMA (a build flag) keeps the limbs engine everywhere: for
 * measuring it, and for CPUs that misreport the feature. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(MPC_BN_NO_IFMA)
#include <immintrin.h>

#define MAX_VECS (MPC_BN_IFMA_MAX_DIGITS / 8)

bool mpc_bn_ifma_available(void)
{
    return __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512ifma");
}

__extension__ typedef unsigned __int128 u128;

/* r = the accumulator's value as 52-bit digits: one carry pass (the lanes
 * are below 2^61, the value below 2^(52 K)). */
__attribute__((target("avx512f"), always_inline)) static inline void
normalise(uint64_t *r, const __m512i *acc, size_t nv)
{
    uint64_t c = 0;
    for (size_t v = 0; v < nv; v++) {
        uint64_t lanes[8];
        _mm512_storeu_si512(lanes, acc[v]);
        for (size_t j = 0; j < 8; j++) {
            uint64_t x = lanes[j] + c;
            r[8 * v + j] = x & MASK52;
            c = x >> 52;
        }
    }
}

/*
 * The product for nv registers of digits. Always inlined into a switch on
 * nv with constant values, so that the loops over the registers unroll.
 *
 * Two latency cuts, for the 2048-bit sizes where the chain rather than the
 * multiplier throughput sets the pace:
 *  - q depends on digit 0 of the accumulator, and waiting for the vector
 *    lanes (multiply, shift, extract) would put that on every step. So
 *    digits 0 and 1 (z, y) are also kept in scalar registers, updated by
 *    the same sums, and digit 2 is read from the vector at the start of
 *    the step: that read waits for the previous step only, and is first
 *    needed two steps later.
 *  - The a_i b terms do not depend on q: they are formed off the chain
 *    and added in with one vpaddq per register (the low halves of step
 *    i + 1 together with the high halves of step i), so the accumulator
 *    itself passes through two multiplications, a shift and an add per
 *    step. The accumulator therefore already holds the low halves of
 *    a_i b when step i starts.
 * The vector still computes every digit, and holds the result at the end.
 */
__attribute__((target("avx512f,avx512ifma"), always_inline)) static inline void
mul_nv(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m,
       uint64_t k0, const size_t nv)
{
    const size_t k = 8 * nv;
    const __m512i zero = _mm512_setzero_si512();
    __m512i acc[MAX_VECS];
    const __m512i a0 = _mm512_set1_epi64((long long)a[0]);
    for (size_t v = 0; v < nv; v++)
        acc[v] = _mm512_madd52lo_epu64(zero, a0, _mm512_loadu_si512(b + 8 * v));
    uint64_t z = 0, y = 0;
    for (size_t i = 0; i < k; i++) {
        const uint64_t as = a[i];
        const uint64_t an = i + 1 < k ? a[i + 1] : 0; /* public index */
        /* Digit 2 with the low half of a_i b_2 already in. */
        const uint64_t d2 =
            (uint64_t)_mm_cvtsi128_si64(_mm512_extracti32x4_epi32(acc[0], 1));
        const u128 ab0 = (u128)as * b[0];
        const uint64_t t0 = z + ((uint64_t)ab0 & MASK52);
        const uint64_t q = (t0 * k0) & MASK52;
        const u128 qm0 = (u128)q * m[0];
        const uint64_t carry = (t0 + ((uint64_t)qm0 & MASK52)) >> 52;
        const u128 ab1 = (u128)as * b[1], qm1 = (u128)q * m[1];
        z = y + ((uint64_t)ab1 & MASK52) + ((uint64_t)qm1 & MASK52) +
            (uint64_t)(ab0 >> 52) + (uint64_t)(qm0 >> 52) + carry;
        y = d2 + ((q * m[2]) & MASK52) + (uint64_t)(ab1 >> 52) +
            (uint64_t)(qm1 >> 52);

        const __m512i ai = _mm512_set1_epi64((long long)as);
        const __m512i anv = _mm512_set1_epi64((long long)an);
        const __m512i qv = _mm512_set1_epi64((long long)q);
        __m512i add[MAX_VECS];
        for (size_t v = 0; v < nv; v++) {
            const __m512i bv = _mm512_loadu_si512(b + 8 * v);
            add[v] = _mm512_madd52lo_epu64(_mm512_madd52hi_epu64(zero, ai, bv),
                                           anv, bv);
        }
        add[0] = _mm512_add_epi64(add[0],
                                  _mm512_maskz_set1_epi64(1, (long long)carry));
        for (size_t v = 0; v < nv; v++)
            acc[v] = _mm512_madd52lo_epu64(acc[v], qv,
                                           _mm512_loadu_si512(m + 8 * v));
        /* Divide by 2^52: every lane moves down one digit; the high
         * halves, which belong one digit up, land in place. */
        for (size_t v = 0; v < nv; v++) {
            __m512i up = v + 1 < nv ? acc[v + 1] : zero;
            __m512i sh = _mm512_alignr_epi64(up, acc[v], 1);
            sh = _mm512_add_epi64(sh, add[v]);
            acc[v] =
                _mm512_madd52hi_epu64(sh, qv, _mm512_loadu_si512(m + 8 * v));
        }
    }
    normalise(r, acc, nv);
}

/* The plain form of the step, for the larger sizes: there the multiplier
 * throughput sets the pace, and the cuts of mul_nv only add work. */
__attribute__((target("avx512f,avx512ifma"))) static void
mul_wide(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m,
         uint64_t k0, size_t k)
{
    const size_t nv = k / 8;
    const __m512i zero = _mm512_setzero_si512();
    __m512i acc[MAX_VECS];
    for (size_t v = 0; v < nv; v++)
        acc[v] = zero;
    for (size_t i = 0; i < k; i++) {
        const __m512i ai = _mm512_set1_epi64((long long)a[i]);
        acc[0] = _mm512_madd52lo_epu64(acc[0], ai, _mm512_loadu_si512(b));
        const uint64_t t0 =
            (uint64_t)_mm_cvtsi128_si64(_mm512_castsi512_si128(acc[0]));
        const uint64_t q = (t0 * k0) & MASK52;
        const uint64_t carry = (t0 + ((q * m[0]) & MASK52)) >> 52;
        const __m512i qv = _mm512_set1_epi64((long long)q);
        acc[0] = _mm512_madd52lo_epu64(acc[0], qv, _mm512_loadu_si512(m));
        for (size_t v = 1; v < nv; v++) {
            acc[v] = _mm512_madd52lo_epu64(acc[v], ai,
                                           _mm512_loadu_si512(b + 8 * v));
            acc[v] = _mm512_madd52lo_epu64(acc[v], qv,
                                           _mm512_loadu_si512(m + 8 * v));
        }
        /* Divide by 2^52: every lane moves down one digit; the high
         * halves, which belong one digit up, land in place. */
        for (size_t v = 0; v < nv; v++) {
            __m512i up = v + 1 < nv ? acc[v + 1] : zero;
            __m512i s = _mm512_alignr_epi64(up, acc[v], 1);
            s = _mm512_madd52hi_epu64(s, ai, _mm512_loadu_si512(b + 8 * v));
            acc[v] =
                _mm512_madd52hi_epu64(s, qv, _mm512_loadu_si512(m + 8 * v));
        }
        acc[0] = _mm512_add_epi64(acc[0],
                                  _mm512_maskz_set1_epi64(1, (long long)carry));
    }
    normalise(r, acc, nv);
}

__attribute__((target("avx512f,avx512ifma"))) void
mpc_bn_ifma_mul(uint64_t *r, const uint64_t *a, const uint64_t *b,
                const uint64_t *m, uint64_t k0, size_t k)
{
    /* Measured per size (docs/bignum.md): the latency-cut form wins up to
     * 2048-bit moduli, the plain one above. */
    switch (k / 8) {
    case 3: /* 1024-bit moduli */
        mul_nv(r, a, b, m, k0, 3);
        break;
    case 4:
        mul_nv(r, a, b, m, k0, 4);
        break;
    case 5: /* 2048 */
        mul_nv(r, a, b, m, k0, 5);
        break;
    default:
        mul_wide(r, a, b, m, k0, k);
        break;
    }
}

/* Every entry is loaded and masked: the memory trace is the whole table
 * whatever idx is, as with mpn_sec_tabselect, at 64 bytes a load. */
__attribute__((target("avx512f"))) void
mpc_bn_ifma_select(uint64_t *r, const uint64_t *tab, size_t k, size_t count,
                   size_t idx)
{
    const size_t nv = k / 8;
    __m512i acc[MAX_VECS];
    for (size_t v = 0; v < nv; v++)
        acc[v] = _mm512_setzero_si512();
    for (size_t i = 0; i < count; i++) {
        const uint64_t diff = (uint64_t)(i ^ idx);
        const uint64_t hit = ((diff | (0 - diff)) >> 63) ^ 1;
        const __m512i mask = _mm512_set1_epi64((long long)(0 - hit));
        for (size_t v = 0; v < nv; v++)
            acc[v] = _mm512_or_si512(
                acc[v], _mm512_and_si512(
                            mask, _mm512_loadu_si512(tab + i * k + 8 * v)));
    }
    for (size_t v = 0; v < nv; v++)
        _mm512_storeu_si512(r + 8 * v, acc[v]);
}

#else

bool mpc_bn_ifma_available(void)
{
    return false;
}

void mpc_bn_ifma_select(uint64_t *r, const uint64_t *tab, size_t k,
                        size_t count, size_t idx)
{
    (void)r, (void)tab, (void)k, (void)count, (void)idx;
    abort(); /* never chosen: mpc_bn_ifma_available() is false */
}

void mpc_bn_ifma_mul(uint64_t *r, const uint64_t *a, const uint64_t *b,
                     const uint64_t *m, uint64_t k0, size_t k)
{
    (void)r, (void)a, (void)b, (void)m, (void)k0, (void)k;
    abort(); /* never chosen: mpc_bn_ifma_available() is false */
}

#endif
