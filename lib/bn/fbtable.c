/*
 * Fixed-base exponentiation with public exponents (mpc_bn_fbtable).
 *
 * The table holds g_j = base^(2^(W*j)) mod m. Writing a public exponent in
 * base 2^W as e = Σ d_j 2^(W*j), base^e = Π_d (Π_{j: d_j = d} g_j)^d, and
 * the outer product is evaluated with two running products from the top
 * digit down (Yao's method, as in Brickell–Gordon–McCurley–Wilson): one
 * multiplication per non-zero digit plus at most 2 * (2^W - 1). Several
 * tables over the same modulus share the digit buckets, which is what makes
 * the ring-Pedersen product s^x * t^y cheap.
 *
 * Negative exponents: the positive and the negative terms are accumulated
 * separately and combined as P * Q^-1 (one inversion).
 *
 * Exponents longer than the table: the part above W * count bits is
 * raised with mpz_powm from g_count = g_{count-1}^(2^W).
 *
 * The products run on lib/bn/mont.c's Montgomery engine (IFMA where the
 * CPU has it: about three times mpz_mul + mpz_mod at 2048 bits), with the
 * g_j kept in its element form next to the plain residues.
 */
#include <string.h>

#include "lib/bn/bn_internal.h"
#include "mpc/bn.h"

#define W 6
#define DIGITS (1u << W)
#define MAX_TABLE_BITS ((size_t)1 << 20)

mpc_err mpc_bn_fbtable_init(const mpc_ctx *ctx, mpc_bn_fbtable *t,
                            const mpz_t base, const mpz_t m, size_t max_bits)
{
    if (t == NULL)
        return MPC_ERR_INVALID_ARG;
    /* Empty until the very end: `pow == NULL` is the empty state, in which
     * t->m is not initialised and clear does nothing. */
    t->pow = NULL;
    t->count = 0;
    if (ctx == NULL || base == NULL || m == NULL || mpz_cmp_ui(m, 3) < 0 ||
        mpz_even_p(m) || mpz_sgn(base) < 0 || max_bits == 0 ||
        max_bits > MAX_TABLE_BITS)
        return MPC_ERR_INVALID_ARG;
    const size_t count = (max_bits + W - 1) / W, n = mpz_size(m);
    const size_t w = mpc_bn_mont_width(n), ms = mpc_bn_mont_scratch(n);
    mpz_t *pow = mpc_ctx_alloc_array(ctx, count, sizeof *pow);
    mp_limb_t *el = mpc_ctx_alloc_array(ctx, count * w, sizeof *el);
    mp_limb_t *scratch = mpc_ctx_alloc_array(ctx, ms, sizeof *scratch);
    if (pow == NULL || el == NULL || scratch == NULL) {
        mpc_ctx_free_mem(ctx, pow, pow ? count * sizeof *pow : 0);
        mpc_ctx_free_mem(ctx, el, el ? count * w * sizeof *el : 0);
        mpc_ctx_free_mem(ctx, scratch, scratch ? ms * sizeof *scratch : 0);
        return MPC_ERR_NOMEM;
    }
    mpc_bn_mont M;
    mpc_bn_mont_setup(&M, mpz_limbs_read(m), n, scratch);
    mpz_t tmp;
    mpz_init(tmp);
    for (size_t j = 0; j < count; j++) {
        mpz_init(pow[j]);
        if (j == 0)
            mpz_mod(pow[0], base, m);
        else
            mpz_powm_ui(pow[j], pow[j - 1], DIGITS, m);
        mpc_bn_mont_load_var(&M, el + j * w, pow[j], tmp);
    }
    mpz_clear(tmp);
    mpc_ctx_free_mem(ctx, scratch, ms * sizeof *scratch);
    mpz_init_set(t->m, m);
    t->pow = pow;
    t->el = el;
    t->w = w;
    t->count = count;
    return MPC_OK;
}

void mpc_bn_fbtable_clear(const mpc_ctx *ctx, mpc_bn_fbtable *t)
{
    if (t == NULL || t->pow == NULL)
        return;
    for (size_t j = 0; j < t->count; j++)
        mpz_clear(t->pow[j]);
    mpc_ctx_free_mem(ctx, t->pow, t->count * sizeof *t->pow);
    mpc_ctx_free_mem(ctx, t->el, t->count * t->w * sizeof *t->el);
    mpz_clear(t->m);
    t->pow = NULL;
    t->count = 0;
}

mpc_err mpc_bn_fbtable_copy(const mpc_ctx *ctx, mpc_bn_fbtable *dst,
                            const mpc_bn_fbtable *src)
{
    if (dst == NULL)
        return MPC_ERR_INVALID_ARG;
    dst->pow = NULL;
    dst->count = 0;
    if (ctx == NULL || src == NULL)
        return MPC_ERR_INVALID_ARG;
    if (src->pow == NULL)
        return MPC_OK;
    const size_t count = src->count, w = src->w;
    mpz_t *pow = mpc_ctx_alloc_array(ctx, count, sizeof *pow);
    mp_limb_t *el = mpc_ctx_alloc_array(ctx, count * w, sizeof *el);
    if (pow == NULL || el == NULL) {
        mpc_ctx_free_mem(ctx, pow, pow ? count * sizeof *pow : 0);
        mpc_ctx_free_mem(ctx, el, el ? count * w * sizeof *el : 0);
        return MPC_ERR_NOMEM;
    }
    for (size_t j = 0; j < count; j++)
        mpz_init_set(pow[j], src->pow[j]);
    memcpy(el, src->el, count * w * sizeof *el);
    mpz_init_set(dst->m, src->m);
    dst->pow = pow;
    dst->el = el;
    dst->w = w;
    dst->count = count;
    return MPC_OK;
}

/* Digit j (W bits at position W*j) of |e|. */
static unsigned digit(const mpz_t e, size_t j)
{
    const mp_limb_t *d = mpz_limbs_read(e);
    size_t n = mpz_size(e);
    size_t pos = W * j, li = pos / GMP_NUMB_BITS, sh = pos % GMP_NUMB_BITS;
    mp_limb_t v = li < n ? d[li] >> sh : 0;
    if (sh + W > GMP_NUMB_BITS && li + 1 < n)
        v |= d[li + 1] << (GMP_NUMB_BITS - sh);
    return (unsigned)(v & (DIGITS - 1));
}

/* The engine and buffers of one evaluation (elements of M.w words). */
typedef struct eval {
    mpc_bn_mont M;
    mp_limb_t *bucket; /* DIGITS elements */
    mp_limb_t *running, *out, *tail;
    mp_limb_t *ld; /* n limbs */
    mpz_t tmp, tail_e;
} eval;

/* Accumulates the element x into acc (set = whether acc holds a value). */
static void acc_mul(const eval *ev, mp_limb_t *acc, bool *set,
                    const mp_limb_t *x)
{
    if (*set)
        mpc_bn_mont_mul(&ev->M, acc, acc, x);
    else
        memcpy(acc, x, ev->M.w * sizeof *acc);
    *set = true;
}

/* The exponent bits above the table: g_count^(e >> W count) by mpz_powm,
 * multiplied into ev->out. */
static void tail_mul(eval *ev, bool *out_set, const mpc_bn_fbtable *t,
                     const mpz_t e)
{
    mpz_powm_ui(ev->tmp, t->pow[t->count - 1], DIGITS, t->m);
    mpz_tdiv_q_2exp(ev->tail_e, e, W * t->count);
    mpz_abs(ev->tail_e, ev->tail_e);
    mpz_powm(ev->tmp, ev->tmp, ev->tail_e, t->m);
    mpc_bn_mont_load_var(&ev->M, ev->tail, ev->tmp, ev->tail_e);
    acc_mul(ev, ev->out, out_set, ev->tail);
}

/*
 * ev->out = Π_i base_i^|e_i| over the k terms whose exponent sign matches
 * `neg`, as an element; false if there are none (the product is 1).
 */
static bool yao(eval *ev, const mpc_bn_fbtable *const *t, const mpz_srcptr *e,
                size_t k, bool neg)
{
    const size_t w = ev->M.w;
    bool have[DIGITS] = {false}, out_set = false;
    for (size_t i = 0; i < k; i++) {
        if (mpz_sgn(e[i]) == 0 || (mpz_sgn(e[i]) < 0) != neg)
            continue;
        size_t windows = (mpz_sizeinbase(e[i], 2) + W - 1) / W;
        size_t in_table = windows < t[i]->count ? windows : t[i]->count;
        for (size_t j = 0; j < in_table; j++) {
            unsigned d = digit(e[i], j);
            if (d != 0)
                acc_mul(ev, ev->bucket + d * w, &have[d], t[i]->el + j * w);
        }
        if (windows > t[i]->count)
            tail_mul(ev, &out_set, t[i], e[i]);
    }
    /* Π_d bucket_d^d = Π_{d} (Π_{d' >= d} bucket_d'). */
    bool running_set = false;
    for (unsigned d = DIGITS - 1; d >= 1; d--) {
        if (have[d])
            acc_mul(ev, ev->running, &running_set, ev->bucket + d * w);
        if (running_set)
            acc_mul(ev, ev->out, &out_set, ev->running);
    }
    return out_set;
}

/* r = the value of ev->out (or 1 if unset). */
static void store(eval *ev, mpz_t r, bool set)
{
    if (!set) {
        mpz_set_ui(r, 1);
        return;
    }
    mpc_bn_mont_export(&ev->M, ev->ld, ev->out);
    mpc_bn_limbs_store(r, ev->ld, ev->M.n);
}

static mpc_err multi(mpz_t r, const mpc_bn_fbtable *const *t,
                     const mpz_srcptr *e, size_t k)
{
    const mpz_srcptr m = t[0]->m;
    const size_t n = mpz_size(m), w = t[0]->w, ms = mpc_bn_mont_scratch(n);
    const size_t limbs = ms + (DIGITS + 3) * w + n;
    bool any_neg = false;
    for (size_t i = 0; i < k; i++)
        any_neg |= mpz_sgn(e[i]) < 0;
    mp_limb_t *mem = mpc_bn_gmp_alloc(limbs * sizeof *mem);
    eval ev;
    mpc_bn_mont_setup(&ev.M, mpz_limbs_read(m), n, mem);
    MPC_BN_ASSERT(ev.M.w == w); /* tables built on this machine's engine */
    ev.bucket = mem + ms;
    ev.running = ev.bucket + DIGITS * w;
    ev.out = ev.running + w;
    ev.tail = ev.out + w;
    ev.ld = ev.tail + w;
    mpz_inits(ev.tmp, ev.tail_e, NULL);
    mpc_err err = MPC_OK;
    mpz_t neg;
    mpz_init(neg);
    if (any_neg) {
        store(&ev, neg, yao(&ev, t, e, k, true));
        if (mpz_invert(neg, neg, m) == 0)
            err = MPC_ERR_VERIFY;
    }
    if (err == MPC_OK) {
        store(&ev, r, yao(&ev, t, e, k, false));
        if (any_neg) {
            mpz_mul(r, r, neg);
            mpz_mod(r, r, m);
        }
    } else {
        mpz_set_ui(r, 0);
    }
    mpz_clears(neg, ev.tmp, ev.tail_e, NULL);
    mpc_bn_gmp_free(mem, limbs * sizeof *mem);
    return err;
}

static bool ready(const mpc_bn_fbtable *t)
{
    return t != NULL && t->pow != NULL && t->count > 0;
}

mpc_err mpc_bn_fbtable_powm_var(mpz_t r, const mpc_bn_fbtable *t, const mpz_t e)
{
    if (r == NULL)
        return MPC_ERR_INVALID_ARG;
    if (!ready(t) || e == NULL) {
        mpz_set_ui(r, 0);
        return MPC_ERR_INVALID_ARG;
    }
    const mpc_bn_fbtable *ts[1] = {t};
    mpz_srcptr es[1] = {e};
    return multi(r, ts, es, 1);
}

mpc_err mpc_bn_fbtable_powm2_var(mpz_t r, const mpc_bn_fbtable *t1,
                                 const mpz_t e1, const mpc_bn_fbtable *t2,
                                 const mpz_t e2)
{
    if (r == NULL)
        return MPC_ERR_INVALID_ARG;
    if (!ready(t1) || !ready(t2) || e1 == NULL || e2 == NULL ||
        mpz_cmp(t1->m, t2->m) != 0) {
        mpz_set_ui(r, 0);
        return MPC_ERR_INVALID_ARG;
    }
    const mpc_bn_fbtable *ts[2] = {t1, t2};
    mpz_srcptr es[2] = {e1, e2};
    return multi(r, ts, es, 2);
}
