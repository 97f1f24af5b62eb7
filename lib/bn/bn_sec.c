/*
 * Constant-time arithmetic on secrets (include/mpc/bn.h, the `_sec`
 * functions).
 *
 * Every operand is loaded into a zero-padded limb array whose length is
 * fixed by the modulus (or by the operand's own limb count), and only
 * GMP's side-channel silent mpn_sec_* / mpn_cnd_* functions touch the
 * values. Scratch lives in one arena per call (mpc_bn_ws) from the ctx
 * allocator, wiped when released. Helpers release the scratch they took
 * by resetting the arena to a mark, so a call's arena holds its persistent
 * arrays plus the largest helper scratch.
 */
#include <string.h>

#include "lib/bn/bn_internal.h"
#include "mpc/bn.h"
#include "mpc/mem.h"

static size_t max2(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* ---- Limb-level building blocks --------------------------------------- */

static size_t reduce_itch(size_t an, size_t n)
{
    size_t k = max2(an, n);
    return k + (size_t)mpn_sec_div_r_itch((mp_size_t)k, (mp_size_t)n);
}

/* d[0..n) = a[0..an) mod m[0..n); m's top limb is non-zero. */
static void reduce(mp_limb_t *d, const mp_limb_t *a, size_t an,
                   const mp_limb_t *m, size_t n, mpc_bn_ws *w)
{
    size_t mark = w->used;
    size_t k = max2(an, n);
    mp_limb_t *t = mpc_bn_ws_take(w, k);
    mp_limb_t *tp = mpc_bn_ws_take(
        w, (size_t)mpn_sec_div_r_itch((mp_size_t)k, (mp_size_t)n));
    if (an > 0)
        memcpy(t, a, an * sizeof *t);
    mpn_sec_div_r(t, (mp_size_t)k, m, (mp_size_t)n, tp);
    memcpy(d, t, n * sizeof *d);
    w->used = mark;
}

/* d[0..n) = a mod m for an mpz a >= 0. */
static void reduce_mpz(mp_limb_t *d, const mpz_t a, const mp_limb_t *m,
                       size_t n, mpc_bn_ws *w)
{
    reduce(d, mpz_limbs_read(a), mpz_size(a), m, n, w);
}

static size_t mul_itch(size_t an, size_t bn)
{
    return an + bn +
           (size_t)mpn_sec_mul_itch((mp_size_t)max2(an, bn),
                                    (mp_size_t)(an < bn ? an : bn));
}

/* r[0..an+bn) = a * b; any order of sizes, both at least one limb. */
static void mul(mp_limb_t *r, const mp_limb_t *a, size_t an, const mp_limb_t *b,
                size_t bn, mpc_bn_ws *w)
{
    if (an < bn) {
        const mp_limb_t *t = a;
        a = b;
        b = t;
        size_t tn = an;
        an = bn;
        bn = tn;
    }
    size_t mark = w->used;
    mp_limb_t *tp = mpc_bn_ws_take(
        w, (size_t)mpn_sec_mul_itch((mp_size_t)an, (mp_size_t)bn));
    mpn_sec_mul(r, a, (mp_size_t)an, b, (mp_size_t)bn, tp);
    w->used = mark;
}

size_t mpc_bn_mulmod_limbs_itch(size_t n)
{
    return max2(mul_itch(n, n), 2 * n + reduce_itch(2 * n, n));
}

void mpc_bn_mulmod_limbs(mp_limb_t *r, const mp_limb_t *a, const mp_limb_t *b,
                         const mp_limb_t *m, size_t n, mpc_bn_ws *w)
{
    size_t mark = w->used;
    mp_limb_t *p = mpc_bn_ws_take(w, 2 * n);
    mul(p, a, n, b, n, w);
    reduce(r, p, 2 * n, m, n, w);
    w->used = mark;
}

/* Fixed windows of PWIN bits on lib/bn/mont.c's engine (IFMA where the
 * CPU has it), each entry read with mpc_bn_mont_select. One code path for
 * both engines, so that the valgrind checks (make ctime, which run the
 * limbs engine) see the same windows and conversions the IFMA path uses. */
#define PWIN 5
#define PSIZE ((size_t)1 << PWIN)

static size_t shifted_limbs(size_t n)
{
    return n + mpc_bn_mont_rbits(n) / GMP_NUMB_BITS + 2;
}

size_t mpc_bn_powm_limbs_itch(size_t n, size_t enb)
{
    (void)enb;
    size_t tn = shifted_limbs(n);
    return mpc_bn_mont_scratch(n) + (PSIZE + 2) * mpc_bn_mont_width(n) + tn +
           (size_t)mpn_sec_div_r_itch((mp_size_t)tn, (mp_size_t)n);
}

/* d = x 2^rbits mod m for x of n limbs: the shift written out (no branch
 * on x) and one mpn_sec_div_r. t holds tn limbs, tp the division's. */
static void times_r(mp_limb_t *d, const mp_limb_t *x, const mpc_bn_mont *M,
                    mp_limb_t *t, size_t tn, mp_limb_t *tp)
{
    const size_t n = M->n, off = M->rbits / GMP_NUMB_BITS;
    const unsigned sh = (unsigned)(M->rbits % GMP_NUMB_BITS);
    memset(t, 0, tn * sizeof *t);
    for (size_t i = 0; i < n; i++) {
        t[off + i] |= x[i] << sh;
        if (sh != 0) /* public */
            t[off + i + 1] = x[i] >> (GMP_NUMB_BITS - sh);
    }
    mpn_sec_div_r(t, (mp_size_t)tn, M->m, (mp_size_t)n, tp);
    memcpy(d, t, n * sizeof *d);
}

void mpc_bn_powm_limbs(mp_limb_t *r, const mp_limb_t *b, const mp_limb_t *e,
                       size_t enb, const mp_limb_t *m, size_t n, mpc_bn_ws *w)
{
    size_t mark = w->used;
    const size_t tn = shifted_limbs(n), en = mpc_bn_limbs_for_bits(enb);
    mpc_bn_mont M;
    mpc_bn_mont_setup(&M, m, n, mpc_bn_ws_take(w, mpc_bn_mont_scratch(n)));
    const size_t wd = M.w;
    mp_limb_t *tab = mpc_bn_ws_take(w, PSIZE * wd);
    mp_limb_t *sel = mpc_bn_ws_take(w, wd);
    mp_limb_t *acc = mpc_bn_ws_take(w, wd);
    mp_limb_t *t = mpc_bn_ws_take(w, tn);
    mp_limb_t *tp = mpc_bn_ws_take(
        w, (size_t)mpn_sec_div_r_itch((mp_size_t)tn, (mp_size_t)n));
    /* tab[0] = R mod m (the one), tab[1] = b R mod m, tab[i] = b^i R. */
    memset(r, 0, n * sizeof *r);
    r[0] = 1;
    times_r(r, r, &M, t, tn, tp);
    mpc_bn_mont_import(&M, tab, r);
    times_r(r, b, &M, t, tn, tp);
    mpc_bn_mont_import(&M, tab + wd, r);
    for (size_t i = 2; i < PSIZE; i++)
        mpc_bn_mont_mul(&M, tab + i * wd, tab + (i - 1) * wd, tab + wd);
    /* One squaring per bit, one multiplication per window, from the top;
     * the window count depends on the public length enb only. */
    const size_t nw = (enb + PWIN - 1) / PWIN;
    memcpy(acc, tab, wd * sizeof *acc);
    for (size_t i = nw; i-- > 0;) {
        if (i + 1 != nw)
            for (size_t k = 0; k < PWIN; k++)
                mpc_bn_mont_sqr(&M, acc, acc);
        mpc_bn_mont_select(&M, sel, tab, PSIZE,
                           mpc_bn_limbs_window(e, en, i * PWIN, PWIN));
        mpc_bn_mont_mul(&M, acc, acc, sel);
    }
    mpc_bn_mont_export(&M, r, acc);
    w->used = mark;
}

/* ---- Argument checks --------------------------------------------------- */

static bool nonneg(const mpz_t x)
{
    return x != NULL && mpz_sgn(x) >= 0;
}

static bool positive(const mpz_t x)
{
    return x != NULL && mpz_sgn(x) > 0;
}

static bool odd_modulus(const mpz_t m)
{
    return m != NULL && mpz_cmp_ui(m, 3) >= 0 && mpz_odd_p(m);
}

/* Sets r to 0 and returns err: the shape of every failure below. */
static mpc_err fail(mpz_t r, mpc_err err)
{
    if (r != NULL)
        mpz_set_ui(r, 0);
    return err;
}

/* ---- Public functions -------------------------------------------------- */

mpc_err mpc_bn_mod_sec(const mpc_ctx *ctx, mpz_t r, const mpz_t a,
                       const mpz_t m)
{
    if (r == NULL || ctx == NULL || a == NULL || !positive(m))
        return fail(r, MPC_ERR_INVALID_ARG);
    size_t n = mpz_size(m);
    mpc_bn_ws w;
    mpc_err err = mpc_bn_ws_init(&w, ctx, 2 * n + reduce_itch(mpz_size(a), n));
    if (err != MPC_OK)
        return fail(r, err);
    const mp_limb_t *ml = mpz_limbs_read(m);
    mp_limb_t *d = mpc_bn_ws_take(&w, n);
    mp_limb_t *t = mpc_bn_ws_take(&w, n);
    reduce_mpz(d, a, ml, n, &w); /* |a| mod m */
    /* a < 0 and |a| mod m != 0: m - (|a| mod m). */
    mp_limb_t flip =
        (mp_limb_t)(mpz_sgn(a) < 0) & (mpc_bn_limbs_is_zero(d, n) ^ 1);
    mpn_cnd_sub_n(1, t, ml, d, (mp_size_t)n);
    mpc_bn_limbs_cnd_copy(flip, d, t, n);
    mpc_bn_limbs_store(r, d, n);
    mpc_bn_ws_free(&w);
    return MPC_OK;
}

mpc_err mpc_bn_center_sec(const mpc_ctx *ctx, mpz_t r, const mpz_t a,
                          const mpz_t m)
{
    /* The range check compares a secret with m: it branches only when the
     * caller broke the contract. */
    if (r == NULL || ctx == NULL || !nonneg(a) || !odd_modulus(m))
        return fail(r, MPC_ERR_INVALID_ARG);
    bool below = mpz_cmp(a, m) < 0;
    mpc_declassify(&below, sizeof below);
    if (!below)
        return fail(r, MPC_ERR_INVALID_ARG);
    size_t n = mpz_size(m);
    mpc_bn_ws w;
    mpc_err err = mpc_bn_ws_init(&w, ctx, 4 * n);
    if (err != MPC_OK)
        return fail(r, err);
    const mp_limb_t *ml = mpz_limbs_read(m);
    mp_limb_t *x = mpc_bn_ws_take(&w, n);
    mp_limb_t *half = mpc_bn_ws_take(&w, n);
    mp_limb_t *neg = mpc_bn_ws_take(&w, n);
    mp_limb_t *tmp = mpc_bn_ws_take(&w, n);
    mpc_bn_limbs_load(x, n, a);
    mpn_rshift(half, ml, (mp_size_t)n, 1); /* (m - 1) / 2, m odd */
    mp_limb_t above = mpc_bn_limbs_lt(half, x, n, tmp);
    mpn_cnd_sub_n(1, neg, ml, x, (mp_size_t)n); /* m - a = |a - m| */
    mpc_bn_limbs_cnd_copy(above, x, neg, n);
    mpc_bn_limbs_store_signed(r, x, n, above);
    mpc_bn_ws_free(&w);
    return MPC_OK;
}

mpc_err mpc_bn_divmod_sec(const mpc_ctx *ctx, mpz_t q, mpz_t r, const mpz_t a,
                          const mpz_t d)
{
    if ((q == NULL && r == NULL) || q == r || ctx == NULL || !nonneg(a) ||
        !positive(d)) {
        fail(q, MPC_ERR_INVALID_ARG);
        return fail(r, MPC_ERR_INVALID_ARG);
    }
    size_t dn = mpz_size(d);
    size_t k = max2(mpz_size(a), dn);
    size_t qn = k - dn + 1;
    size_t itch = (size_t)mpn_sec_div_qr_itch((mp_size_t)k, (mp_size_t)dn);
    mpc_bn_ws w;
    mpc_err err = mpc_bn_ws_init(&w, ctx, k + qn + itch);
    if (err != MPC_OK) {
        fail(q, err);
        return fail(r, err);
    }
    mp_limb_t *num = mpc_bn_ws_take(&w, k);
    mp_limb_t *quo = mpc_bn_ws_take(&w, qn);
    mp_limb_t *tp = mpc_bn_ws_take(&w, itch);
    mpc_bn_limbs_load(num, k, a);
    /* The quotient has k - dn limbs plus the returned top limb. */
    quo[k - dn] = mpn_sec_div_qr(quo, num, (mp_size_t)k, mpz_limbs_read(d),
                                 (mp_size_t)dn, tp);
    if (q != NULL)
        mpc_bn_limbs_store(q, quo, qn);
    if (r != NULL)
        mpc_bn_limbs_store(r, num, dn);
    mpc_bn_ws_free(&w);
    return MPC_OK;
}

/* r = a + b (sub = 0) or a - b (sub = 1) mod m. */
static mpc_err addsub_mod(const mpc_ctx *ctx, mpz_t r, const mpz_t a,
                          const mpz_t b, const mpz_t m, int sub)
{
    if (r == NULL || ctx == NULL || !nonneg(a) || !nonneg(b) || !positive(m))
        return fail(r, MPC_ERR_INVALID_ARG);
    size_t n = mpz_size(m);
    size_t itch =
        max2(reduce_itch(mpz_size(a), n), reduce_itch(mpz_size(b), n));
    mpc_bn_ws w;
    mpc_err err = mpc_bn_ws_init(&w, ctx, 3 * n + itch);
    if (err != MPC_OK)
        return fail(r, err);
    const mp_limb_t *ml = mpz_limbs_read(m);
    mp_limb_t *x = mpc_bn_ws_take(&w, n);
    mp_limb_t *y = mpc_bn_ws_take(&w, n);
    mp_limb_t *t = mpc_bn_ws_take(&w, n);
    reduce_mpz(x, a, ml, n, &w);
    reduce_mpz(y, b, ml, n, &w);
    if (sub) {
        /* x - y, plus m when it borrowed. */
        mp_limb_t borrow = mpn_cnd_sub_n(1, x, x, y, (mp_size_t)n);
        mpn_cnd_add_n(borrow, x, x, ml, (mp_size_t)n);
    } else {
        /* x + y < 2m: subtract m when the sum carried out or is >= m. */
        mp_limb_t carry = mpn_cnd_add_n(1, x, x, y, (mp_size_t)n);
        mp_limb_t borrow = mpn_cnd_sub_n(1, t, x, ml, (mp_size_t)n);
        mpc_bn_limbs_cnd_copy(carry | (borrow ^ 1), x, t, n);
    }
    mpc_bn_limbs_store(r, x, n);
    mpc_bn_ws_free(&w);
    return MPC_OK;
}

mpc_err mpc_bn_addmod_sec(const mpc_ctx *ctx, mpz_t r, const mpz_t a,
                          const mpz_t b, const mpz_t m)
{
    return addsub_mod(ctx, r, a, b, m, 0);
}

mpc_err mpc_bn_submod_sec(const mpc_ctx *ctx, mpz_t r, const mpz_t a,
                          const mpz_t b, const mpz_t m)
{
    return addsub_mod(ctx, r, a, b, m, 1);
}

mpc_err mpc_bn_mul_sec(const mpc_ctx *ctx, mpz_t r, const mpz_t a,
                       const mpz_t b)
{
    if (r == NULL || ctx == NULL || !nonneg(a) || !nonneg(b))
        return fail(r, MPC_ERR_INVALID_ARG);
    size_t an = mpz_size(a), bn = mpz_size(b);
    if (an == 0 || bn == 0) { /* sizes are public under our policy */
        mpz_set_ui(r, 0);
        return MPC_OK;
    }
    mpc_bn_ws w;
    mpc_err err = mpc_bn_ws_init(&w, ctx, an + bn + mul_itch(an, bn));
    if (err != MPC_OK)
        return fail(r, err);
    mp_limb_t *p = mpc_bn_ws_take(&w, an + bn);
    mul(p, mpz_limbs_read(a), an, mpz_limbs_read(b), bn, &w);
    mpc_bn_limbs_store(r, p, an + bn);
    mpc_bn_ws_free(&w);
    return MPC_OK;
}

mpc_err mpc_bn_mulmod_sec(const mpc_ctx *ctx, mpz_t r, const mpz_t a,
                          const mpz_t b, const mpz_t m)
{
    if (r == NULL || ctx == NULL || !nonneg(a) || !nonneg(b) || !positive(m))
        return fail(r, MPC_ERR_INVALID_ARG);
    size_t n = mpz_size(m);
    size_t itch =
        max2(max2(reduce_itch(mpz_size(a), n), reduce_itch(mpz_size(b), n)),
             mpc_bn_mulmod_limbs_itch(n));
    mpc_bn_ws w;
    mpc_err err = mpc_bn_ws_init(&w, ctx, 3 * n + itch);
    if (err != MPC_OK)
        return fail(r, err);
    const mp_limb_t *ml = mpz_limbs_read(m);
    mp_limb_t *x = mpc_bn_ws_take(&w, n);
    mp_limb_t *y = mpc_bn_ws_take(&w, n);
    mp_limb_t *z = mpc_bn_ws_take(&w, n);
    reduce_mpz(x, a, ml, n, &w);
    reduce_mpz(y, b, ml, n, &w);
    mpc_bn_mulmod_limbs(z, x, y, ml, n, &w);
    mpc_bn_limbs_store(r, z, n);
    mpc_bn_ws_free(&w);
    return MPC_OK;
}

/* Whether |e| fits in e_bits bits. The bit length of a secret e is read
 * but only the outcome is used, and it differs only on misuse; `&` and no
 * `&&` so that no compiler branches before the outcome is declassified. */
static bool fits(const mpz_t e, size_t e_bits)
{
    bool ok = (e_bits > 0) & (mpz_sizeinbase(e, 2) <= e_bits);
    mpc_declassify(&ok, sizeof ok);
    return ok;
}

mpc_err mpc_bn_powm_sec(const mpc_ctx *ctx, mpz_t r, const mpz_t b,
                        const mpz_t e, size_t e_bits, const mpz_t m)
{
    if (r == NULL || ctx == NULL || !nonneg(b) || !nonneg(e) ||
        !odd_modulus(m) || !fits(e, e_bits))
        return fail(r, MPC_ERR_INVALID_ARG);
    size_t n = mpz_size(m);
    size_t en = mpc_bn_limbs_for_bits(e_bits);
    size_t itch =
        max2(reduce_itch(mpz_size(b), n), mpc_bn_powm_limbs_itch(n, e_bits));
    mpc_bn_ws w;
    mpc_err err = mpc_bn_ws_init(&w, ctx, 2 * n + en + itch);
    if (err != MPC_OK)
        return fail(r, err);
    const mp_limb_t *ml = mpz_limbs_read(m);
    mp_limb_t *base = mpc_bn_ws_take(&w, n);
    mp_limb_t *el = mpc_bn_ws_take(&w, en);
    mp_limb_t *res = mpc_bn_ws_take(&w, n);
    reduce_mpz(base, b, ml, n, &w);
    mpc_bn_limbs_load(el, en, e);
    mpc_bn_powm_limbs(res, base, el, e_bits, ml, n, &w);
    mpc_bn_limbs_store(r, res, n);
    mpc_bn_ws_free(&w);
    return MPC_OK;
}

mpc_err mpc_bn_powm_signed_sec(const mpc_ctx *ctx, mpz_t r, const mpz_t b,
                               const mpz_t b_inv, const mpz_t e, size_t e_bits,
                               const mpz_t m)
{
    if (r == NULL || ctx == NULL || !nonneg(b) || !nonneg(b_inv) || e == NULL ||
        !odd_modulus(m) || !fits(e, e_bits))
        return fail(r, MPC_ERR_INVALID_ARG);
    size_t n = mpz_size(m);
    size_t en = mpc_bn_limbs_for_bits(e_bits);
    size_t itch = max2(
        max2(reduce_itch(mpz_size(b), n), reduce_itch(mpz_size(b_inv), n)),
        max2(mpc_bn_mulmod_limbs_itch(n), mpc_bn_powm_limbs_itch(n, e_bits)));
    mpc_bn_ws w;
    mpc_err err = mpc_bn_ws_init(&w, ctx, 5 * n + en + itch);
    if (err != MPC_OK)
        return fail(r, err);
    const mp_limb_t *ml = mpz_limbs_read(m);
    mp_limb_t *base = mpc_bn_ws_take(&w, n);
    mp_limb_t *inv = mpc_bn_ws_take(&w, n);
    mp_limb_t *chk = mpc_bn_ws_take(&w, n);
    mp_limb_t *one = mpc_bn_ws_take(&w, n);
    mp_limb_t *res = mpc_bn_ws_take(&w, n);
    mp_limb_t *el = mpc_bn_ws_take(&w, en);
    reduce_mpz(base, b, ml, n, &w);
    reduce_mpz(inv, b_inv, ml, n, &w);
    mpc_bn_mulmod_limbs(chk, base, inv, ml, n, &w);
    one[0] = 1;
    /* Branches only when the caller broke the contract. */
    if (!mpc_bn_limbs_eq(chk, one, n)) {
        mpc_bn_ws_free(&w);
        return fail(r, MPC_ERR_INVALID_ARG);
    }
    mp_limb_t neg = (mp_limb_t)(mpz_sgn(e) < 0);
    mpc_bn_limbs_cnd_copy(neg, base, inv, n);
    mpc_bn_limbs_load(el, en, e); /* |e| */
    mpc_bn_powm_limbs(res, base, el, e_bits, ml, n, &w);
    mpc_bn_limbs_store(r, res, n);
    mpc_bn_ws_free(&w);
    return MPC_OK;
}

mpc_err mpc_bn_invert_sec(const mpc_ctx *ctx, mpz_t r, const mpz_t a,
                          const mpz_t m)
{
    if (r == NULL || ctx == NULL || !nonneg(a) || !odd_modulus(m))
        return fail(r, MPC_ERR_INVALID_ARG);
    size_t n = mpz_size(m);
    size_t itch = max2(reduce_itch(mpz_size(a), n),
                       (size_t)mpn_sec_invert_itch((mp_size_t)n));
    mpc_bn_ws w;
    mpc_err err = mpc_bn_ws_init(&w, ctx, 2 * n + itch);
    if (err != MPC_OK)
        return fail(r, err);
    const mp_limb_t *ml = mpz_limbs_read(m);
    mp_limb_t *x = mpc_bn_ws_take(&w, n);
    mp_limb_t *inv = mpc_bn_ws_take(&w, n);
    reduce_mpz(x, a, ml, n, &w);
    mp_limb_t *tp =
        mpc_bn_ws_take(&w, (size_t)mpn_sec_invert_itch((mp_size_t)n));
    /* x < m, so 2 * bitlen(m) bounds bitlen(x) + bitlen(m). */
    int ok = mpn_sec_invert(inv, x, ml, (mp_size_t)n,
                            2 * (mp_bitcnt_t)mpz_sizeinbase(m, 2), tp);
    /* Whether a was a unit: the caller learns it (mpc/bn.h). */
    mpc_declassify(&ok, sizeof ok);
    if (ok)
        mpc_bn_limbs_store(r, inv, n);
    mpc_bn_ws_free(&w);
    return ok ? MPC_OK : fail(r, MPC_ERR_INVALID_ARG);
}

mpc_err mpc_bn_crt_sec(const mpc_ctx *ctx, mpz_t r, const mpz_t a_p,
                       const mpz_t p, const mpz_t a_q, const mpz_t q,
                       const mpz_t q_inv_p)
{
    if (r == NULL || ctx == NULL || !nonneg(a_p) || !nonneg(a_q) ||
        !nonneg(q_inv_p) || !positive(p) || !positive(q))
        return fail(r, MPC_ERR_INVALID_ARG);
    size_t np = mpz_size(p), nq = mpz_size(q), nr = np + nq;
    size_t itch = max2(
        max2(reduce_itch(mpz_size(a_p), np), reduce_itch(mpz_size(a_q), nq)),
        max2(reduce_itch(mpz_size(q_inv_p), np), reduce_itch(nq, np)));
    itch = max2(itch, max2(mpc_bn_mulmod_limbs_itch(np), mul_itch(np, nq)));
    mpc_bn_ws w;
    mpc_err err = mpc_bn_ws_init(&w, ctx, 4 * np + nq + 2 * nr + itch);
    if (err != MPC_OK)
        return fail(r, err);
    const mp_limb_t *pl = mpz_limbs_read(p);
    const mp_limb_t *ql = mpz_limbs_read(q);
    mp_limb_t *xp = mpc_bn_ws_take(&w, np);
    mp_limb_t *xq_p = mpc_bn_ws_take(&w, np);
    mp_limb_t *qinv = mpc_bn_ws_take(&w, np);
    mp_limb_t *t = mpc_bn_ws_take(&w, np);
    mp_limb_t *xq = mpc_bn_ws_take(&w, nq);
    mp_limb_t *res = mpc_bn_ws_take(&w, nr);
    mp_limb_t *xq_wide = mpc_bn_ws_take(&w, nr);
    reduce_mpz(xp, a_p, pl, np, &w);
    reduce_mpz(xq, a_q, ql, nq, &w);
    reduce(xq_p, xq, nq, pl, np, &w);
    reduce_mpz(qinv, q_inv_p, pl, np, &w);
    /* t = (x_p - x_q) * q^-1 mod p; r = x_q + q * t < p * q. */
    mp_limb_t borrow = mpn_cnd_sub_n(1, xp, xp, xq_p, (mp_size_t)np);
    mpn_cnd_add_n(borrow, xp, xp, pl, (mp_size_t)np);
    mpc_bn_mulmod_limbs(t, xp, qinv, pl, np, &w);
    mul(res, ql, nq, t, np, &w);
    memcpy(xq_wide, xq, nq * sizeof *xq);
    mpn_cnd_add_n(1, res, res, xq_wide, (mp_size_t)nr);
    mpc_bn_limbs_store(r, res, nr);
    mpc_bn_ws_free(&w);
    return MPC_OK;
}
