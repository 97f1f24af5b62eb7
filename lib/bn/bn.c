/*
 * Big integers: limb helpers, wiping, canonical encodings, sampling and the
 * variable-time helpers for public values (include/mpc/bn.h).
 */
#include <string.h>

#include "lib/bn/bn_internal.h"
#include "mpc/bn.h"
#include "mpc/mem.h"

/* Consecutive rejected draws after which the rng is declared broken. */
#define MAX_DRAWS 128

/* ---- Scratch arena and limb helpers ----------------------------------- */

mpc_err mpc_bn_ws_init(mpc_bn_ws *w, const mpc_ctx *ctx, size_t limbs)
{
    *w = (mpc_bn_ws){.ctx = ctx};
    if (limbs == 0)
        limbs = 1;
    w->mem = mpc_ctx_alloc_array(ctx, limbs, sizeof(mp_limb_t));
    if (w->mem == NULL)
        return MPC_ERR_NOMEM;
    w->cap = limbs;
    return MPC_OK;
}

mp_limb_t *mpc_bn_ws_take(mpc_bn_ws *w, size_t n)
{
    MPC_BN_ASSERT(n <= w->cap - w->used);
    mp_limb_t *p = w->mem + w->used;
    w->used += n;
    /* Regions are reused after a release (w->used reset to a mark). */
    memset(p, 0, n * sizeof *p);
    return p;
}

void mpc_bn_ws_free(mpc_bn_ws *w)
{
    if (w->mem != NULL)
        mpc_ctx_free_mem(w->ctx, w->mem, w->cap * sizeof(mp_limb_t));
    *w = (mpc_bn_ws){0};
}

void mpc_bn_limbs_load(mp_limb_t *d, size_t n, const mpz_t x)
{
    size_t xn = mpz_size(x);
    MPC_BN_ASSERT(xn <= n);
    if (xn > 0)
        memcpy(d, mpz_limbs_read(x), xn * sizeof *d);
    memset(d + xn, 0, (n - xn) * sizeof *d);
}

void mpc_bn_limbs_store(mpz_t r, const mp_limb_t *d, size_t n)
{
    mpc_bn_limbs_store_signed(r, d, n, 0);
}

void mpc_bn_limbs_store_signed(mpz_t r, const mp_limb_t *d, size_t n,
                               mp_limb_t neg)
{
    if (n == 0) {
        mpz_set_ui(r, 0);
        return;
    }
    mp_limb_t *rp = mpz_limbs_write(r, (mp_size_t)n);
    memcpy(rp, d, n * sizeof *d);
    /* size = neg ? -n : n, computed without a branch. */
    mp_size_t mask = -(mp_size_t)neg;
    mpz_limbs_finish(r, ((mp_size_t)n ^ mask) - mask);
    /* mpz_limbs_finish strips leading zero limbs: the limb count and sign
     * of a result are observable (mpc/bn.h, "What remains observable"). */
    mpc_declassify(&r->_mp_size, sizeof r->_mp_size);
}

void mpc_bn_limbs_from_bytes(mp_limb_t *d, size_t n, const uint8_t *in,
                             size_t len)
{
    MPC_BN_ASSERT(len <= n * MPC_BN_LIMB_BYTES);
    memset(d, 0, n * sizeof *d);
    for (size_t i = 0; i < len; i++)
        d[i / MPC_BN_LIMB_BYTES] |= (mp_limb_t)in[len - 1 - i]
                                    << (8 * (i % MPC_BN_LIMB_BYTES));
}

void mpc_bn_limbs_to_bytes(uint8_t *out, size_t len, const mp_limb_t *d,
                           size_t n)
{
    for (size_t i = 0; i < len; i++) {
        size_t li = i / MPC_BN_LIMB_BYTES;
        mp_limb_t limb = li < n ? d[li] : 0;
        out[len - 1 - i] = (uint8_t)(limb >> (8 * (i % MPC_BN_LIMB_BYTES)));
    }
}

mp_limb_t mpc_bn_limbs_is_zero(const mp_limb_t *d, size_t n)
{
    mp_limb_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= d[i];
    return ((acc | (0 - acc)) >> (GMP_NUMB_BITS - 1)) ^ 1;
}

mp_limb_t mpc_bn_limbs_eq(const mp_limb_t *a, const mp_limb_t *b, size_t n)
{
    mp_limb_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= a[i] ^ b[i];
    return ((acc | (0 - acc)) >> (GMP_NUMB_BITS - 1)) ^ 1;
}

mp_limb_t mpc_bn_limbs_lt(const mp_limb_t *a, const mp_limb_t *b, size_t n,
                          mp_limb_t *tmp)
{
    return mpn_cnd_sub_n(1, tmp, a, b, (mp_size_t)n);
}

void *mpc_bn_gmp_alloc(size_t bytes)
{
    void *(*alloc)(size_t);
    mp_get_memory_functions(&alloc, NULL, NULL);
    return alloc(bytes);
}

void mpc_bn_gmp_free(void *p, size_t bytes)
{
    void (*release)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &release);
    release(p, bytes);
}

mp_limb_t mpc_bn_limbs_window(const mp_limb_t *e, size_t en, size_t pos,
                              unsigned width)
{
    mp_limb_t d = 0;
    for (unsigned k = 0; k < width; k++) {
        size_t b = pos + k;
        if (b / GMP_NUMB_BITS < en)
            d |= ((e[b / GMP_NUMB_BITS] >> (b % GMP_NUMB_BITS)) & 1) << k;
    }
    return d;
}

void mpc_bn_limbs_cnd_copy(mp_limb_t cnd, mp_limb_t *dst, const mp_limb_t *src,
                           size_t n)
{
    mp_limb_t mask = 0 - cnd;
    for (size_t i = 0; i < n; i++)
        dst[i] ^= mask & (dst[i] ^ src[i]);
}

/* ---- Wiping ------------------------------------------------------------ */

void mpc_bn_wipe(mpz_t x)
{
    /* _mp_alloc and _mp_d are documented in the GMP manual ("Integer
     * Internals"). With _mp_alloc == 0, _mp_d points to a shared dummy
     * limb that must not be written. */
    if (x->_mp_alloc > 0)
        mpc_wipe(x->_mp_d, (size_t)x->_mp_alloc * sizeof(mp_limb_t));
    x->_mp_size = 0;
}

void mpc_bn_clear(mpz_t x)
{
    mpc_bn_wipe(x);
    mpz_clear(x);
}

/* ---- Encodings --------------------------------------------------------- */

static size_t bytes_of(const mpz_t x)
{
    return mpz_sgn(x) == 0 ? 0 : (mpz_sizeinbase(x, 2) + 7) / 8;
}

/* Whether 0 <= x < 2^bits, for a possibly secret x: the bit length is
 * read without a branch and only the outcome, the same for every valid
 * input, is declassified. */
static bool fits_bits(const mpz_t x, size_t bits)
{
    bool ok = (mpz_sgn(x) >= 0) & (mpz_sizeinbase(x, 2) <= bits);
    mpc_declassify(&ok, sizeof ok);
    return ok;
}

mpc_err mpc_bn_serialize(uint8_t *out, size_t len, const mpz_t x)
{
    if (out == NULL || len == 0)
        return MPC_ERR_INVALID_ARG;
    if (x == NULL || !fits_bits(x, 8 * len)) {
        memset(out, 0, len);
        return MPC_ERR_INVALID_ARG;
    }
    mpc_bn_limbs_to_bytes(out, len, mpz_limbs_read(x), mpz_size(x));
    return MPC_OK;
}

mpc_err mpc_bn_serialize_signed(uint8_t *out, size_t len, const mpz_t x)
{
    if (out == NULL || len < 2) {
        if (out != NULL && len > 0)
            memset(out, 0, len);
        return MPC_ERR_INVALID_ARG;
    }
    if (x == NULL || bytes_of(x) > len - 1) {
        memset(out, 0, len);
        return MPC_ERR_INVALID_ARG;
    }
    out[0] = (uint8_t)(mpz_sgn(x) < 0);
    mpc_bn_limbs_to_bytes(out + 1, len - 1, mpz_limbs_read(x), mpz_size(x));
    return MPC_OK;
}

size_t mpc_bn_len(const mpz_t bound)
{
    if (bound == NULL || mpz_sgn(bound) <= 0)
        return 0;
    mpz_t t;
    mpz_init(t);
    mpz_sub_ui(t, bound, 1);
    size_t len = bytes_of(t);
    mpz_clear(t);
    return len > 0 ? len : 1;
}

size_t mpc_bn_len_signed(const mpz_t bound)
{
    if (bound == NULL || mpz_sgn(bound) < 0)
        return 0;
    size_t len = bytes_of(bound);
    return 1 + (len > 0 ? len : 1);
}

/* Received bytes are public: mpz_import and mpz_cmp are fine here. */
mpc_err mpc_bn_parse(mpz_t out, const uint8_t *in, size_t len,
                     const mpz_t bound)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    mpz_set_ui(out, 0);
    if (in == NULL || bound == NULL || mpz_sgn(bound) <= 0)
        return MPC_ERR_INVALID_ARG;
    if (len != mpc_bn_len(bound))
        return MPC_ERR_PARSE;
    mpz_import(out, len, 1, 1, 1, 0, in);
    if (mpz_cmp(out, bound) >= 0) {
        mpz_set_ui(out, 0);
        return MPC_ERR_PARSE;
    }
    return MPC_OK;
}

mpc_err mpc_bn_parse_signed(mpz_t out, const uint8_t *in, size_t len,
                            const mpz_t bound)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    mpz_set_ui(out, 0);
    if (in == NULL || bound == NULL || mpz_sgn(bound) < 0)
        return MPC_ERR_INVALID_ARG;
    if (len != mpc_bn_len_signed(bound) || in[0] > 1)
        return MPC_ERR_PARSE;
    mpz_import(out, len - 1, 1, 1, 1, 0, in + 1);
    if ((in[0] == 1 && mpz_sgn(out) == 0) || mpz_cmp(out, bound) > 0) {
        mpz_set_ui(out, 0);
        return MPC_ERR_PARSE;
    }
    if (in[0] == 1)
        mpz_neg(out, out);
    return MPC_OK;
}

/* ---- Sampling ---------------------------------------------------------- */

/* Draws are big-endian bytes with the excess top bits cleared, so results
 * do not depend on the host's endianness. */
mpc_err mpc_bn_limbs_random_below(const mpc_ctx *ctx, mp_limb_t *x,
                                  const mp_limb_t *m, size_t n, size_t bits,
                                  uint8_t *buf, mp_limb_t *tmp)
{
    size_t nbytes = (bits + 7) / 8;
    uint8_t top_mask = (uint8_t)(0xFF >> (8 * nbytes - bits));
    for (int i = 0; i < MAX_DRAWS; i++) {
        mpc_ctx_random(ctx, buf, nbytes);
        buf[0] &= top_mask;
        mpc_bn_limbs_from_bytes(x, n, buf, nbytes);
        /* Rejection reveals only that a discarded draw was >= m. */
        mp_limb_t below = mpc_bn_limbs_lt(x, m, n, tmp);
        mpc_declassify(&below, sizeof below);
        if (below)
            return MPC_OK;
    }
    return MPC_ERR_INTERNAL;
}

mpc_err mpc_bn_random_below(const mpc_ctx *ctx, mpz_t out, const mpz_t m)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (ctx == NULL || m == NULL || mpz_sgn(m) <= 0) {
        mpz_set_ui(out, 0);
        return MPC_ERR_INVALID_ARG;
    }
    size_t n = mpz_size(m);
    size_t bits = mpz_sizeinbase(m, 2);
    mpc_bn_ws w;
    mpc_err err = mpc_bn_ws_init(&w, ctx, 4 * n);
    if (err != MPC_OK)
        goto out;
    mp_limb_t *ml = mpc_bn_ws_take(&w, n);
    mp_limb_t *x = mpc_bn_ws_take(&w, n);
    mp_limb_t *tmp = mpc_bn_ws_take(&w, n);
    uint8_t *buf = (uint8_t *)mpc_bn_ws_take(&w, n);
    mpc_bn_limbs_load(ml, n, m);
    err = mpc_bn_limbs_random_below(ctx, x, ml, n, bits, buf, tmp);
    if (err == MPC_OK)
        mpc_bn_limbs_store(out, x, n);
out:
    if (err != MPC_OK)
        mpz_set_ui(out, 0);
    mpc_bn_ws_free(&w);
    return err;
}

mpc_err mpc_bn_random_unit(const mpc_ctx *ctx, mpz_t out, const mpz_t mod)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (ctx == NULL || mod == NULL || mpz_cmp_ui(mod, 3) < 0 ||
        mpz_even_p(mod)) {
        mpz_set_ui(out, 0);
        return MPC_ERR_INVALID_ARG;
    }
    size_t n = mpz_size(mod);
    size_t bits = mpz_sizeinbase(mod, 2);
    size_t itch = (size_t)mpn_sec_invert_itch((mp_size_t)n);
    mpc_bn_ws w;
    mpc_err err = mpc_bn_ws_init(&w, ctx, 6 * n + itch);
    if (err != MPC_OK)
        goto out;
    mp_limb_t *ml = mpc_bn_ws_take(&w, n);
    mp_limb_t *x = mpc_bn_ws_take(&w, n);
    mp_limb_t *a = mpc_bn_ws_take(&w, n);
    mp_limb_t *inv = mpc_bn_ws_take(&w, n);
    mp_limb_t *tmp = mpc_bn_ws_take(&w, n);
    uint8_t *buf = (uint8_t *)mpc_bn_ws_take(&w, n);
    mp_limb_t *tp = mpc_bn_ws_take(&w, itch);
    mpc_bn_limbs_load(ml, n, mod);
    err = MPC_ERR_INTERNAL;
    for (int i = 0; i < MAX_DRAWS && err == MPC_ERR_INTERNAL; i++) {
        mpc_err e = mpc_bn_limbs_random_below(ctx, x, ml, n, bits, buf, tmp);
        if (e != MPC_OK)
            break;
        /* A unit has an inverse; mpn_sec_invert says so in constant time
         * (and fails for 0). It destroys its input, hence the copy. */
        memcpy(a, x, n * sizeof *a);
        int unit =
            mpn_sec_invert(inv, a, ml, (mp_size_t)n, 2 * (mp_bitcnt_t)bits, tp);
        /* A redraw reveals only that a discarded draw was not a unit. */
        mpc_declassify(&unit, sizeof unit);
        if (unit)
            err = MPC_OK;
    }
    if (err == MPC_OK)
        mpc_bn_limbs_store(out, x, n);
out:
    if (err != MPC_OK)
        mpz_set_ui(out, 0);
    mpc_bn_ws_free(&w);
    return err;
}

mpc_err mpc_bn_random_symmetric(const mpc_ctx *ctx, mpz_t out,
                                const mpz_t bound)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (ctx == NULL || bound == NULL || mpz_sgn(bound) < 0) {
        mpz_set_ui(out, 0);
        return MPC_ERR_INVALID_ARG;
    }
    /* u uniform in [0, 2B], then out = u - B, sign and magnitude chosen
     * without a branch. */
    mpz_t range;
    mpz_init(range);
    mpz_mul_2exp(range, bound, 1);
    mpz_add_ui(range, range, 1);
    size_t n = mpz_size(range);
    size_t bits = mpz_sizeinbase(range, 2);
    mpc_bn_ws w;
    mpc_err err = mpc_bn_ws_init(&w, ctx, 7 * n);
    if (err != MPC_OK)
        goto out;
    mp_limb_t *rl = mpc_bn_ws_take(&w, n);
    mp_limb_t *bl = mpc_bn_ws_take(&w, n);
    mp_limb_t *u = mpc_bn_ws_take(&w, n);
    mp_limb_t *pos = mpc_bn_ws_take(&w, n);
    mp_limb_t *neg = mpc_bn_ws_take(&w, n);
    mp_limb_t *tmp = mpc_bn_ws_take(&w, n);
    uint8_t *buf = (uint8_t *)mpc_bn_ws_take(&w, n);
    mpc_bn_limbs_load(rl, n, range);
    mpc_bn_limbs_load(bl, n, bound);
    err = mpc_bn_limbs_random_below(ctx, u, rl, n, bits, buf, tmp);
    if (err != MPC_OK)
        goto out;
    mp_limb_t is_neg = mpn_cnd_sub_n(1, pos, u, bl, (mp_size_t)n);
    mpn_cnd_sub_n(1, neg, bl, u, (mp_size_t)n);
    mpc_bn_limbs_cnd_copy(is_neg, pos, neg, n);
    mpc_bn_limbs_store_signed(out, pos, n, is_neg);
out:
    if (err != MPC_OK)
        mpz_set_ui(out, 0);
    mpc_bn_ws_free(&w);
    mpz_clear(range);
    return err;
}

/* ---- Variable time ----------------------------------------------------- */

mpc_err mpc_bn_invert_var(mpz_t r, const mpz_t a, const mpz_t m)
{
    if (r == NULL)
        return MPC_ERR_INVALID_ARG;
    if (a == NULL || m == NULL || mpz_cmp_ui(m, 1) <= 0) {
        mpz_set_ui(r, 0);
        return MPC_ERR_INVALID_ARG;
    }
    if (mpz_invert(r, a, m) == 0) {
        mpz_set_ui(r, 0);
        return MPC_ERR_VERIFY;
    }
    return MPC_OK;
}

mpc_err mpc_bn_powm_var(mpz_t r, const mpz_t b, const mpz_t e, const mpz_t m)
{
    if (r == NULL)
        return MPC_ERR_INVALID_ARG;
    if (b == NULL || e == NULL || m == NULL || mpz_cmp_ui(m, 1) <= 0) {
        mpz_set_ui(r, 0);
        return MPC_ERR_INVALID_ARG;
    }
    /* On the IFMA engine the Straus loop of mpc_bn_multiexp_var is about
     * three times mpz_powm (docs/bignum.md); it also handles e < 0. */
    if (mpz_odd_p(m) && mpc_bn_mont_width(mpz_size(m)) != mpz_size(m)) {
        mpz_srcptr bs[1] = {b}, es[1] = {e};
        return mpc_bn_multiexp_var(r, bs, es, 1, m);
    }
    if (mpz_sgn(e) >= 0) {
        mpz_powm(r, b, e, m);
        return MPC_OK;
    }
    /* mpz_powm would raise SIGFPE for a non-invertible base. */
    mpz_t inv, abs_e;
    mpz_inits(inv, abs_e, NULL);
    mpc_err err = MPC_ERR_VERIFY;
    if (mpz_invert(inv, b, m) != 0) {
        mpz_neg(abs_e, e);
        mpz_powm(r, inv, abs_e, m);
        err = MPC_OK;
    } else {
        mpz_set_ui(r, 0);
    }
    mpz_clears(inv, abs_e, NULL);
    return err;
}

mpc_err mpc_bn_powm2_var(mpz_t r, const mpz_t b1, const mpz_t e1,
                         const mpz_t b2, const mpz_t e2, const mpz_t m)
{
    if (r == NULL)
        return MPC_ERR_INVALID_ARG;
    mpz_t x, y;
    mpz_inits(x, y, NULL);
    mpc_err err = mpc_bn_powm_var(x, b1, e1, m);
    if (err == MPC_OK)
        err = mpc_bn_powm_var(y, b2, e2, m);
    if (err == MPC_OK) {
        mpz_mul(r, x, y);
        mpz_mod(r, r, m);
    } else {
        mpz_set_ui(r, 0);
    }
    mpz_clears(x, y, NULL);
    return err;
}

bool mpc_bn_is_unit_var(const mpz_t a, const mpz_t m)
{
    if (a == NULL || m == NULL || mpz_cmp_ui(m, 1) <= 0 || mpz_sgn(a) <= 0 ||
        mpz_cmp(a, m) >= 0)
        return false;
    mpz_t g;
    mpz_init(g);
    mpz_gcd(g, a, m);
    bool ok = mpz_cmp_ui(g, 1) == 0;
    mpz_clear(g);
    return ok;
}

int mpc_bn_jacobi_var(const mpz_t a, const mpz_t n)
{
    if (a == NULL || n == NULL || mpz_cmp_ui(n, 3) < 0 || mpz_even_p(n))
        return 0;
    return mpz_jacobi(a, n);
}
