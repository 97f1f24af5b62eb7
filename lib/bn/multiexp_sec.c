/*
 * Multi-exponentiation over a SECRET modulus (mpc_bn_multiexp_sec): the
 * Paillier key owner's products mod p^2, where the bases and the result
 * depend on p, one exponent is secret (p itself, in w^N mod p^2) and the
 * others are public (proof responses and challenges).
 *
 * Straus with fixed windows of WIN bits: WIN squarings per window shared
 * by every term, then one multiplication per term. The secret exponent's
 * digit selects its table entry with mpc_bn_mont_select (every entry read)
 * and multiplies even for a zero digit; the public exponents index their
 * tables directly and skip zero digits, so the memory trace depends on
 * public values only. Montgomery arithmetic as lib/bn/mont.c, constant
 * time in the values (also of m); R^2 mod m by mpc_bn_mod_sec.
 */
#include <string.h>

#include "lib/bn/bn_internal.h"
#include "mpc/bn.h"
#include "mpc/mem.h"

#define WIN 4
#define WSIZE ((size_t)1 << WIN)
#define MAX_BITS ((size_t)1 << 20)

static bool args_ok(const mpz_srcptr *b, const mpz_srcptr *e, size_t count,
                    size_t e0_bits, const mpz_t m)
{
    if (b == NULL || e == NULL || m == NULL || count == 0 ||
        count > MPC_BN_MULTIEXP_SEC_MAX || e0_bits == 0 || e0_bits > MAX_BITS ||
        mpz_cmp_ui(m, 3) < 0 || mpz_even_p(m))
        return false;
    for (size_t i = 0; i < count; i++)
        if (b[i] == NULL || e[i] == NULL || mpz_sgn(b[i]) < 0 ||
            mpz_sgn(e[i]) < 0)
            return false;
    for (size_t i = 1; i < count; i++)
        if (mpz_sizeinbase(e[i], 2) > MAX_BITS)
            return false;
    /* Only the outcome is declassified: the same for every valid e[0]. */
    bool fits = mpz_sizeinbase(e[0], 2) <= e0_bits;
    mpc_declassify(&fits, sizeof fits);
    return fits;
}

/* tab[i] = x^i for i < WSIZE in Montgomery form (tab[0] = one). */
static void powers(const mpc_bn_mont *M, mp_limb_t *tab, const mp_limb_t *x,
                   const mp_limb_t *one)
{
    const size_t n = M->w;
    memcpy(tab, one, n * sizeof *tab);
    memcpy(tab + n, x, n * sizeof *tab);
    for (size_t i = 2; i < WSIZE; i++)
        mpc_bn_mont_mul(M, tab + i * n, tab + (i - 1) * n, x);
}

/* The window loop over the tables tab[i] (count of them, WSIZE * n limbs
 * each): acc = Π tab_i[digits of e_i], e_0 secret in el[0..en). */
static void eval(const mpc_bn_mont *M, mp_limb_t *acc, mp_limb_t *sel,
                 const mp_limb_t *tab, size_t count, const mp_limb_t *el,
                 size_t en, size_t e0_bits, const mpz_srcptr *e)
{
    const size_t n = M->w;
    size_t bits = e0_bits;
    for (size_t i = 1; i < count; i++)
        if (mpz_sgn(e[i]) != 0 && mpz_sizeinbase(e[i], 2) > bits)
            bits = mpz_sizeinbase(e[i], 2);
    const size_t nw = (bits + WIN - 1) / WIN;
    memcpy(acc, tab, n * sizeof *acc); /* one */
    for (size_t w = nw; w-- > 0;) {
        if (w + 1 != nw)
            for (size_t k = 0; k < WIN; k++)
                mpc_bn_mont_sqr(M, acc, acc);
        const size_t pos = w * WIN;
        if (pos < e0_bits) {
            mpc_bn_mont_select(M, sel, tab, WSIZE,
                               mpc_bn_limbs_window(el, en, pos, WIN));
            mpc_bn_mont_mul(M, acc, acc, sel);
        }
        for (size_t i = 1; i < count; i++) {
            mp_limb_t d = mpc_bn_limbs_window(
                mpz_limbs_read(e[i]), mpz_size(e[i]), pos, WIN); /* public */
            if (d != 0)
                mpc_bn_mont_mul(M, acc, acc, tab + (i * WSIZE + d) * n);
        }
    }
}

/* x[i] = b[i] mod m, and r2 = R^2 mod m, all in constant time. */
static mpc_err reduce_all(const mpc_ctx *ctx, mpz_t *x, mpz_t r2,
                          const mpz_srcptr *b, size_t count, const mpz_t m)
{
    mpz_set_ui(r2, 0);
    mpz_setbit(r2, (mp_bitcnt_t)(2 * mpc_bn_mont_rbits(mpz_size(m))));
    mpc_err err = mpc_bn_mod_sec(ctx, r2, r2, m);
    for (size_t i = 0; err == MPC_OK && i < count; i++)
        err = mpc_bn_mod_sec(ctx, x[i], b[i], m);
    return err;
}

static void compute(mpc_bn_ws *w, mpz_t r, mpz_t *x, const mpz_t r2,
                    const mpz_srcptr *e, size_t count, size_t e0_bits,
                    const mpz_t m)
{
    const size_t n = mpz_size(m), en = mpc_bn_limbs_for_bits(e0_bits);
    const size_t wd = mpc_bn_mont_width(n);
    mpc_bn_mont M;
    mpc_bn_mont_setup(&M, mpz_limbs_read(m), n,
                      mpc_bn_ws_take(w, mpc_bn_mont_scratch(n)));
    mp_limb_t *tab = mpc_bn_ws_take(w, count * WSIZE * wd);
    mp_limb_t *acc = mpc_bn_ws_take(w, wd);
    mp_limb_t *sel = mpc_bn_ws_take(w, wd);
    mp_limb_t *rr = mpc_bn_ws_take(w, wd);
    mp_limb_t *one = mpc_bn_ws_take(w, wd);
    mp_limb_t *ld = mpc_bn_ws_take(w, n);
    mp_limb_t *el = mpc_bn_ws_take(w, en);
    mpc_bn_limbs_load(ld, n, r2);
    mpc_bn_mont_import(&M, rr, ld);
    /* one = 1 * R^2 * R^-1 = R mod m. */
    memset(ld, 0, n * sizeof *ld);
    ld[0] = 1;
    mpc_bn_mont_import(&M, sel, ld);
    mpc_bn_mont_mul(&M, one, sel, rr);
    for (size_t i = 0; i < count; i++) {
        mpc_bn_limbs_load(ld, n, x[i]);
        mpc_bn_mont_import(&M, acc, ld);
        mpc_bn_mont_mul(&M, acc, acc, rr);
        powers(&M, tab + i * WSIZE * wd, acc, one);
    }
    mpc_bn_limbs_load(el, en, e[0]);
    eval(&M, acc, sel, tab, count, el, en, e0_bits, e);
    mpc_bn_mont_export(&M, ld, acc);
    mpc_bn_limbs_store(r, ld, n);
}

mpc_err mpc_bn_multiexp_sec(const mpc_ctx *ctx, mpz_t r, const mpz_srcptr *b,
                            const mpz_srcptr *e, size_t count, size_t e0_bits,
                            const mpz_t m)
{
    if (r == NULL)
        return MPC_ERR_INVALID_ARG;
    if (ctx == NULL || !args_ok(b, e, count, e0_bits, m)) {
        mpz_set_ui(r, 0);
        return MPC_ERR_INVALID_ARG;
    }
    const size_t n = mpz_size(m), en = mpc_bn_limbs_for_bits(e0_bits);
    mpz_t x[MPC_BN_MULTIEXP_SEC_MAX], r2;
    mpz_init(r2);
    for (size_t i = 0; i < count; i++)
        mpz_init(x[i]);
    mpc_err err = reduce_all(ctx, x, r2, b, count, m);
    mpc_bn_ws w = {0};
    if (err == MPC_OK)
        err = mpc_bn_ws_init(&w, ctx,
                             mpc_bn_mont_scratch(n) +
                                 (4 + count * WSIZE) * mpc_bn_mont_width(n) +
                                 n + en);
    /* The exponents are read before r is written: r may alias them. */
    if (err == MPC_OK)
        compute(&w, r, x, r2, e, count, e0_bits, m);
    else
        mpz_set_ui(r, 0);
    mpc_bn_ws_free(&w);
    for (size_t i = 0; i < count; i++)
        mpc_bn_clear(x[i]);
    mpc_bn_clear(r2);
    return err;
}
