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
    if (ctx == NULL || base == NULL || m == NULL || mpz_cmp_ui(m, 1) <= 0 ||
        mpz_sgn(base) < 0 || max_bits == 0 || max_bits > MAX_TABLE_BITS)
        return MPC_ERR_INVALID_ARG;
    size_t count = (max_bits + W - 1) / W;
    mpz_t *pow = mpc_ctx_alloc_array(ctx, count, sizeof *pow);
    if (pow == NULL)
        return MPC_ERR_NOMEM;
    for (size_t j = 0; j < count; j++)
        mpz_init(pow[j]);
    mpz_mod(pow[0], base, m);
    for (size_t j = 1; j < count; j++)
        mpz_powm_ui(pow[j], pow[j - 1], DIGITS, m);
    mpz_init_set(t->m, m);
    t->pow = pow;
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
    mpz_t *pow = mpc_ctx_alloc_array(ctx, src->count, sizeof *pow);
    if (pow == NULL)
        return MPC_ERR_NOMEM;
    for (size_t j = 0; j < src->count; j++)
        mpz_init_set(pow[j], src->pow[j]);
    mpz_init_set(dst->m, src->m);
    dst->pow = pow;
    dst->count = src->count;
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

/* Accumulates x into *acc (set = whether *acc holds a value yet). */
static void acc_mul(mpz_t acc, bool *set, const mpz_t x, const mpz_t m)
{
    if (*set) {
        mpz_mul(acc, acc, x);
        mpz_mod(acc, acc, m);
    } else {
        mpz_set(acc, x);
        *set = true;
    }
}

/*
 * out = Π_i base_i^|e_i| over the k terms whose exponent sign matches
 * `neg`; 1 if none.
 */
static void yao(mpz_t out, const mpc_bn_fbtable *const *t, const mpz_srcptr *e,
                size_t k, bool neg)
{
    const mpz_srcptr m = t[0]->m;
    mpz_t bucket[DIGITS], tail, tail_e;
    bool have[DIGITS] = {false};
    for (unsigned d = 0; d < DIGITS; d++)
        mpz_init(bucket[d]);
    mpz_inits(tail, tail_e, NULL);
    bool out_set = false;
    for (size_t i = 0; i < k; i++) {
        if (mpz_sgn(e[i]) == 0 || (mpz_sgn(e[i]) < 0) != neg)
            continue;
        size_t windows = (mpz_sizeinbase(e[i], 2) + W - 1) / W;
        size_t in_table = windows < t[i]->count ? windows : t[i]->count;
        for (size_t j = 0; j < in_table; j++) {
            unsigned d = digit(e[i], j);
            if (d != 0)
                acc_mul(bucket[d], &have[d], t[i]->pow[j], m);
        }
        if (windows > t[i]->count) {
            mpz_powm_ui(tail, t[i]->pow[t[i]->count - 1], DIGITS, m);
            mpz_tdiv_q_2exp(tail_e, e[i], W * t[i]->count);
            mpz_abs(tail_e, tail_e);
            mpz_powm(tail, tail, tail_e, m);
            acc_mul(out, &out_set, tail, m);
        }
    }
    /* Π_d bucket_d^d = Π_{d} (Π_{d' >= d} bucket_d'). */
    mpz_t running;
    mpz_init(running);
    bool running_set = false;
    for (unsigned d = DIGITS - 1; d >= 1; d--) {
        if (have[d])
            acc_mul(running, &running_set, bucket[d], m);
        if (running_set)
            acc_mul(out, &out_set, running, m);
    }
    if (!out_set)
        mpz_set_ui(out, 1);
    mpz_clear(running);
    for (unsigned d = 0; d < DIGITS; d++)
        mpz_clear(bucket[d]);
    mpz_clears(tail, tail_e, NULL);
}

static mpc_err multi(mpz_t r, const mpc_bn_fbtable *const *t,
                     const mpz_srcptr *e, size_t k)
{
    bool any_neg = false;
    for (size_t i = 0; i < k; i++)
        any_neg |= mpz_sgn(e[i]) < 0;
    mpz_t pos, neg;
    mpz_inits(pos, neg, NULL);
    mpc_err err = MPC_OK;
    yao(pos, t, e, k, false);
    if (any_neg) {
        yao(neg, t, e, k, true);
        if (mpz_invert(neg, neg, t[0]->m) == 0)
            err = MPC_ERR_VERIFY;
        mpz_mul(pos, pos, neg);
        mpz_mod(pos, pos, t[0]->m);
    }
    if (err == MPC_OK)
        mpz_set(r, pos);
    else
        mpz_set_ui(r, 0);
    mpz_clears(pos, neg, NULL);
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
