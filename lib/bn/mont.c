/*
 * Montgomery arithmetic on fixed limb counts, constant time in the values
 * (lib/bn/bn_internal.h). The limbs engine is the construction GMP's
 * mpn_sec_powm uses internally, with the public mpn_sec_* and mpn_cnd_*
 * functions; the ifma engine (lib/bn/mont_ifma.c) is three to four times
 * faster at 2048 to 4096 bits where the CPU has AVX-512 IFMA.
 */
#include <string.h>

#include "lib/bn/bn_internal.h"

/* Below 1024 bits the IFMA kernel's serial chain costs more than the
 * limbs engine saves (per-size figures in docs/bignum.md). */
#define IFMA_MIN_LIMBS 16

mp_limb_t mpc_bn_mont_minv(mp_limb_t m0)
{
    /* Newton: m0 is its own inverse to 3 bits, each step doubles them. */
    mp_limb_t inv = m0;
    for (int i = 0; i < 6; i++)
        inv *= 2 - m0 * inv;
    return (mp_limb_t)0 - inv;
}

static bool use_ifma(size_t n)
{
    return n >= IFMA_MIN_LIMBS &&
           mpc_bn_ifma_digits(n) <= MPC_BN_IFMA_MAX_DIGITS &&
           mpc_bn_ifma_available();
}

size_t mpc_bn_mont_width(size_t n)
{
    return use_ifma(n) ? mpc_bn_ifma_digits(n) : n;
}

size_t mpc_bn_mont_rbits(size_t n)
{
    return use_ifma(n) ? 52 * mpc_bn_ifma_digits(n) : 64 * n;
}

static size_t sec_itch(size_t n)
{
    size_t itch = (size_t)mpn_sec_mul_itch((mp_size_t)n, (mp_size_t)n);
    size_t sitch = (size_t)mpn_sec_sqr_itch((mp_size_t)n);
    return itch > sitch ? itch : sitch;
}

size_t mpc_bn_mont_scratch(size_t n)
{
    /* Enough for either engine (mpc_bn_mont_setup_engine). */
    size_t k = mpc_bn_ifma_digits(n), w = k > n ? k : n;
    return w + (2 * w + 1) + (w + 1) + sec_itch(n);
}

bool mpc_bn_mont_setup_engine(mpc_bn_mont *M, const mp_limb_t *m, size_t n,
                              mp_limb_t *scratch, bool ifma)
{
    if (ifma && (mpc_bn_ifma_digits(n) > MPC_BN_IFMA_MAX_DIGITS ||
                 !mpc_bn_ifma_available()))
        return false;
    const size_t w = ifma ? mpc_bn_ifma_digits(n) : n;
    *M = (mpc_bn_mont){.m = m, .n = n, .w = w, .ifma = ifma};
    M->m52 = scratch;
    M->prod = M->m52 + w;
    M->tmp = M->prod + 2 * w + 1;
    M->tp = M->tmp + w + 1;
    if (ifma) {
        mpc_bn_ifma_from_limbs(M->m52, w, m, n);
        M->minv = mpc_bn_mont_minv(m[0]) & ((UINT64_C(1) << 52) - 1);
        M->rbits = 52 * w;
    } else {
        M->minv = mpc_bn_mont_minv(m[0]);
        M->rbits = 64 * n;
    }
    return true;
}

void mpc_bn_mont_setup(mpc_bn_mont *M, const mp_limb_t *m, size_t n,
                       mp_limb_t *scratch)
{
    bool ok = mpc_bn_mont_setup_engine(M, m, n, scratch, use_ifma(n));
    MPC_BN_ASSERT(ok);
}

/* r = prod R^-1 mod m for prod < m R (2n limbs, destroyed). The carry of
 * step i is kept in prod[i] and added in at the end, as GMP's redc_1. */
static void redc(const mpc_bn_mont *M, mp_limb_t *r)
{
    const size_t n = M->n;
    mp_limb_t *t = M->prod;
    for (size_t i = 0; i < n; i++)
        t[i] = mpn_addmul_1(t + i, M->m, (mp_size_t)n, t[i] * M->minv);
    mp_limb_t carry = mpn_cnd_add_n(1, r, t + n, t, (mp_size_t)n);
    /* r + carry 2^(64n) < 2m: subtract m if the carry is set or r >= m. */
    mp_limb_t borrow = mpn_cnd_sub_n(1, M->tmp, r, M->m, (mp_size_t)n);
    mpc_bn_limbs_cnd_copy(carry | (borrow ^ 1), r, M->tmp, n);
}

void mpc_bn_mont_mul(const mpc_bn_mont *M, mp_limb_t *r, const mp_limb_t *a,
                     const mp_limb_t *b)
{
    if (M->ifma) {
        mpc_bn_ifma_mul(r, a, b, M->m52, M->minv, M->w);
        return;
    }
    mpn_sec_mul(M->prod, a, (mp_size_t)M->n, b, (mp_size_t)M->n, M->tp);
    redc(M, r);
}

void mpc_bn_mont_sqr(const mpc_bn_mont *M, mp_limb_t *r, const mp_limb_t *a)
{
    if (M->ifma) {
        mpc_bn_ifma_mul(r, a, a, M->m52, M->minv, M->w);
        return;
    }
    mpn_sec_sqr(M->prod, a, (mp_size_t)M->n, M->tp);
    redc(M, r);
}

void mpc_bn_mont_select(const mpc_bn_mont *M, mp_limb_t *r,
                        const mp_limb_t *tab, size_t count, size_t idx)
{
    if (M->ifma)
        mpc_bn_ifma_select(r, tab, M->w, count, idx);
    else
        mpn_sec_tabselect(r, tab, (mp_size_t)M->w, (mp_size_t)count,
                          (mp_size_t)idx);
}

void mpc_bn_mont_load_var(const mpc_bn_mont *M, mp_limb_t *e, const mpz_t x,
                          mpz_t tmp)
{
    mpz_t m;
    mpz_roinit_n(m, M->m, (mp_size_t)M->n);
    mpz_mul_2exp(tmp, x, (mp_bitcnt_t)M->rbits);
    mpz_mod(tmp, tmp, m);
    if (M->ifma)
        mpc_bn_ifma_from_limbs(e, M->w, mpz_limbs_read(tmp), mpz_size(tmp));
    else
        mpc_bn_limbs_load(e, M->n, tmp);
}

void mpc_bn_mont_import(const mpc_bn_mont *M, mp_limb_t *e, const mp_limb_t *x)
{
    if (M->ifma)
        mpc_bn_ifma_from_limbs(e, M->w, x, M->n);
    else
        memcpy(e, x, M->n * sizeof *x);
}

void mpc_bn_mont_export(const mpc_bn_mont *M, mp_limb_t *x, const mp_limb_t *e)
{
    const size_t n = M->n;
    if (!M->ifma) {
        memset(M->prod, 0, 2 * n * sizeof *M->prod);
        memcpy(M->prod, e, n * sizeof *e);
        redc(M, x);
        return;
    }
    /* e * 1 / R is at most m (m exactly when e = 0 mod m). */
    mp_limb_t *one = M->prod;
    memset(one, 0, M->w * sizeof *one);
    one[0] = 1;
    mpc_bn_ifma_mul(M->tmp, e, one, M->m52, M->minv, M->w);
    mpc_bn_ifma_to_limbs(x, n, M->tmp, M->w);
    mp_limb_t borrow = mpn_cnd_sub_n(1, M->prod, x, M->m, (mp_size_t)n);
    mpc_bn_limbs_cnd_copy(borrow ^ 1, x, M->prod, n);
}
