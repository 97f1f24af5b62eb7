/*
 * Montgomery arithmetic on fixed limb counts, constant time in the values
 * (lib/bn/bn_internal.h): the construction GMP's mpn_sec_powm uses
 * internally, with the public mpn_sec_* and mpn_cnd_* functions.
 */
#include "lib/bn/bn_internal.h"

mp_limb_t mpc_bn_mont_minv(mp_limb_t m0)
{
    /* Newton: m0 is its own inverse to 3 bits, each step doubles them. */
    mp_limb_t inv = m0;
    for (int i = 0; i < 6; i++)
        inv *= 2 - m0 * inv;
    return (mp_limb_t)0 - inv;
}

size_t mpc_bn_mont_itch(size_t n)
{
    size_t itch = (size_t)mpn_sec_mul_itch((mp_size_t)n, (mp_size_t)n);
    size_t sitch = (size_t)mpn_sec_sqr_itch((mp_size_t)n);
    return itch > sitch ? itch : sitch;
}

/* The carry of step i is kept in prod[i] and added in at the end, as
 * GMP's redc_1. */
void mpc_bn_mont_redc(const mpc_bn_mont *M, mp_limb_t *r)
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
    mpn_sec_mul(M->prod, a, (mp_size_t)M->n, b, (mp_size_t)M->n, M->tp);
    mpc_bn_mont_redc(M, r);
}

void mpc_bn_mont_sqr(const mpc_bn_mont *M, mp_limb_t *r, const mp_limb_t *a)
{
    mpn_sec_sqr(M->prod, a, (mp_size_t)M->n, M->tp);
    mpc_bn_mont_redc(M, r);
}
