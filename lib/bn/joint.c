/*
 * Joint exponentiation b1^e1 * b2^e2 mod m with a secret signed e1 and a
 * public e2 over a secret base b2 (mpc_bn_powm_joint_sec): the MtA step
 * c^x * r^N mod N^2 in one pass.
 *
 * Interleaved windows (Straus): one squaring per bit, from the top,
 * shared by both terms. e1 is secret: fixed windows of WIN bits, each
 * multiplying by b1^digit read with mpc_bn_mont_select (every entry is
 * touched; a zero digit multiplies by the Montgomery one). e2 is public:
 * sliding windows of up to SWIN bits with odd digits, multiplying by
 * b2^digit from a table of odd powers indexed directly, so the memory
 * trace depends on e2 only. Montgomery arithmetic as lib/bn/mont.c,
 * constant time in the values.
 */
#include <string.h>

#include "lib/bn/bn_internal.h"
#include "mpc/bn.h"
#include "mpc/mem.h"

#define WIN 5
#define WSIZE ((size_t)1 << WIN)
#define SWIN 6
#define SSIZE ((size_t)1 << (SWIN - 1)) /* odd powers b2^1 .. b2^(2^SWIN-1) */
#define MAX_JOINT_BITS ((size_t)1 << 20)

/* tab[i] = x^i for i < WSIZE, in Montgomery form (x and one too). */
static void powers(const mpc_bn_mont *M, mp_limb_t *tab, const mp_limb_t *x,
                   const mp_limb_t *one)
{
    const size_t n = M->w;
    memcpy(tab, one, n * sizeof *tab);
    memcpy(tab + n, x, n * sizeof *tab);
    for (size_t i = 2; i < WSIZE; i++)
        mpc_bn_mont_mul(M, tab + i * n, tab + (i - 1) * n, x);
}

/* tab[i] = x^(2i+1) for i < SSIZE, in Montgomery form; sq is scratch. */
static void odd_powers(const mpc_bn_mont *M, mp_limb_t *tab, const mp_limb_t *x,
                       mp_limb_t *sq)
{
    const size_t n = M->w;
    memcpy(tab, x, n * sizeof *tab);
    mpc_bn_mont_sqr(M, sq, x);
    for (size_t i = 1; i < SSIZE; i++)
        mpc_bn_mont_mul(M, tab + i * n, tab + (i - 1) * n, sq);
}

/* The sliding-window recoding of the public e: dig[j] = the odd digit
 * whose lowest bit is bit j, or 0. Windows are taken from the top: at a
 * set bit i, bits [max(i - SWIN + 1, 0), i] without their low zero bits. */
static void recode(mp_limb_t *dig, size_t len, const mpz_t e)
{
    memset(dig, 0, len * sizeof *dig);
    for (size_t i = len; i-- > 0;) {
        if (!mpz_tstbit(e, i))
            continue;
        size_t j = i + 1 >= SWIN ? i + 1 - SWIN : 0;
        while (!mpz_tstbit(e, j))
            j++;
        mp_limb_t d = 0;
        for (size_t k = i + 1; k-- > j;)
            d = (d << 1) | (mp_limb_t)mpz_tstbit(e, k);
        dig[j] = d;
        i = j; /* the loop goes on at j - 1 */
    }
}

/* Whether |e| < 2^e_bits; only the (declassified) outcome is used. */
static bool fits(const mpz_t e, size_t e_bits)
{
    bool ok = mpz_sizeinbase(e, 2) <= e_bits;
    mpc_declassify(&ok, sizeof ok);
    return ok;
}

/* b * b_inv = 1 mod m, for public values. */
static bool inverse_ok(const mpz_t b, const mpz_t b_inv, const mpz_t m)
{
    mpz_t t;
    mpz_init(t);
    mpz_mul(t, b, b_inv);
    mpz_mod(t, t, m);
    bool ok = mpz_cmp_ui(t, 1) == 0;
    mpz_clear(t);
    return ok;
}

static bool args_ok(const mpz_t b1, const mpz_t b1_inv, const mpz_t e1,
                    size_t e1_bits, const mpz_t b2, const mpz_t e2,
                    const mpz_t m)
{
    return b1 != NULL && b1_inv != NULL && e1 != NULL && b2 != NULL &&
           e2 != NULL && m != NULL && mpz_cmp_ui(m, 3) >= 0 && mpz_odd_p(m) &&
           mpz_sgn(b1) >= 0 && mpz_sgn(b1_inv) >= 0 && mpz_sgn(b2) >= 0 &&
           mpz_sgn(e2) >= 0 && e1_bits > 0 && e1_bits <= MAX_JOINT_BITS &&
           mpz_sizeinbase(e2, 2) <= MAX_JOINT_BITS && fits(e1, e1_bits) &&
           inverse_ok(b1, b1_inv, m);
}

/* The interleaved loop over `bits` bit positions: acc = b1^|e1| b2^e2
 * from t1 (powers of b1), el (|e1|, en limbs), t2 (odd powers of b2) and
 * dig (e2 recoded). */
static void eval(const mpc_bn_mont *M, mp_limb_t *acc, mp_limb_t *sel,
                 size_t bits, const mp_limb_t *t1, const mp_limb_t *el,
                 size_t en, size_t e1_bits, const mp_limb_t *t2,
                 const mp_limb_t *dig)
{
    const size_t n = M->w;
    memcpy(acc, t1, n * sizeof *acc); /* t1[0] = one */
    for (size_t b = bits; b-- > 0;) {
        if (b + 1 != bits)
            mpc_bn_mont_sqr(M, acc, acc);
        if (b % WIN == 0 && b < e1_bits) {
            mpc_bn_mont_select(M, sel, t1, WSIZE,
                               mpc_bn_limbs_window(el, en, b, WIN));
            mpc_bn_mont_mul(M, acc, acc, sel);
        }
        if (dig[b] != 0) /* public */
            mpc_bn_mont_mul(M, acc, acc, t2 + (dig[b] >> 1) * n);
    }
}

mpc_err mpc_bn_powm_joint_sec(const mpc_ctx *ctx, mpz_t r, const mpz_t b1,
                              const mpz_t b1_inv, const mpz_t e1,
                              size_t e1_bits, const mpz_t b2, const mpz_t e2,
                              const mpz_t m)
{
    if (r == NULL)
        return MPC_ERR_INVALID_ARG;
    if (ctx == NULL || !args_ok(b1, b1_inv, e1, e1_bits, b2, e2, m)) {
        mpz_set_ui(r, 0);
        return MPC_ERR_INVALID_ARG;
    }
    const size_t n = mpz_size(m), en = mpc_bn_limbs_for_bits(e1_bits);
    const size_t wd = mpc_bn_mont_width(n);
    /* Whole windows of e1, so that every window start of e1 is visited. */
    const size_t b1_len = (e1_bits + WIN - 1) / WIN * WIN;
    const size_t e2_bits = mpz_sizeinbase(e2, 2);
    const size_t bits = b1_len > e2_bits ? b1_len : e2_bits;
    mpz_t t;
    mpz_init(t);
    mpc_err err = mpc_bn_mod_sec(ctx, t, b2, m);
    mpc_bn_ws w = {0};
    if (err == MPC_OK)
        err = mpc_bn_ws_init(&w, ctx,
                             mpc_bn_mont_scratch(n) + (3 + WSIZE + SSIZE) * wd +
                                 n + en + bits);
    if (err != MPC_OK) {
        mpc_bn_clear(t);
        mpz_set_ui(r, 0);
        return err;
    }
    mpc_bn_mont M;
    mpc_bn_mont_setup(&M, mpz_limbs_read(m), n,
                      mpc_bn_ws_take(&w, mpc_bn_mont_scratch(n)));
    mp_limb_t *t1 = mpc_bn_ws_take(&w, WSIZE * wd);
    mp_limb_t *t2 = mpc_bn_ws_take(&w, SSIZE * wd);
    mp_limb_t *x = mpc_bn_ws_take(&w, wd);
    mp_limb_t *y = mpc_bn_ws_take(&w, wd);
    mp_limb_t *one = mpc_bn_ws_take(&w, wd);
    mp_limb_t *out = mpc_bn_ws_take(&w, n);
    mp_limb_t *el = mpc_bn_ws_take(&w, en);
    mp_limb_t *dig = mpc_bn_ws_take(&w, bits);

    /* b2 (secret) into Montgomery form: a product with R^2 mod m. */
    mpc_bn_limbs_load(out, n, t);
    mpc_bn_mont_import(&M, x, out);
    mpz_set_ui(t, 0);
    mpz_setbit(t, (mp_bitcnt_t)M.rbits);
    mpc_bn_mont_load_var(&M, y, t, t); /* R^2 mod m; m is public */
    mpc_bn_mont_mul(&M, x, x, y);
    odd_powers(&M, t2, x, y);
    mpz_set_ui(t, 1);
    mpc_bn_mont_load_var(&M, one, t, t);

    /* b1 or b1^-1 by the sign of e1, chosen without a branch. */
    mpc_bn_mont_load_var(&M, x, b1, t);
    mpc_bn_mont_load_var(&M, y, b1_inv, t);
    mpc_bn_limbs_cnd_copy((mp_limb_t)(mpz_sgn(e1) < 0), x, y, wd);
    powers(&M, t1, x, one);
    mpc_bn_limbs_load(el, en, e1); /* |e1| */

    recode(dig, bits, e2);
    eval(&M, x, y, bits, t1, el, en, e1_bits, t2, dig);
    mpc_bn_mont_export(&M, out, x);
    mpc_bn_limbs_store(r, out, n);
    mpc_bn_ws_free(&w);
    mpc_bn_clear(t);
    return MPC_OK;
}
