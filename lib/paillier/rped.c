/*
 * Ring-Pedersen parameters and commitments (include/mpc/paillier.h),
 * CGGMP21 §2.5A / the LFDT spec "Ring-Pedersen Parameters".
 */
#include <string.h>

#include "mpc/bn.h"
#include "mpc/mem.h"
#include "mpc/paillier.h"

/* Draws of (r, λ) before giving up on s, t != 1; each failure has
 * probability about 2^-1000, so hitting the bound means a broken rng. */
#define MAX_DRAWS 16

void mpc_rped_init(mpc_rped *rp)
{
    if (rp == NULL)
        return;
    rp->params = NULL;
    mpz_inits(rp->n, rp->s, rp->t, rp->s_inv, rp->t_inv, NULL);
    rp->comb_s.mem = NULL;
    rp->comb_t.mem = NULL;
}

void mpc_rped_clear(mpc_rped *rp)
{
    if (rp == NULL)
        return;
    mpz_clears(rp->n, rp->s, rp->t, rp->s_inv, rp->t_inv, NULL);
    mpc_bn_comb_clear(&rp->comb_s);
    mpc_bn_comb_clear(&rp->comb_t);
    rp->params = NULL;
}

static void rped_reset(mpc_rped *rp)
{
    mpc_bn_comb_clear(&rp->comb_s);
    mpc_bn_comb_clear(&rp->comb_t);
    rp->params = NULL;
    mpz_set_ui(rp->n, 0);
    mpz_set_ui(rp->s, 0);
    mpz_set_ui(rp->t, 0);
    mpz_set_ui(rp->s_inv, 0);
    mpz_set_ui(rp->t_inv, 0);
}

static bool rped_ok(const mpc_rped *rp)
{
    return rp != NULL && rp->params != NULL && mpz_sgn(rp->n) > 0;
}

/* s and t are the public parameters, though computed from secrets (ctime
 * checks: see mpc/mem.h). */
static void declassify_st(const mpc_rped *rp)
{
    mpc_declassify(mpz_limbs_read(rp->s), mpz_size(rp->s) * sizeof(mp_limb_t));
    mpc_declassify(mpz_limbs_read(rp->t), mpz_size(rp->t) * sizeof(mp_limb_t));
}

/* The largest exponent bound of a commitment: the masks γ, δ, μ of the
 * range proofs, |γ| < 2^{ℓ+ε} N̂ <= 2^{ℓ+ε+n_bits}, passed with one bit of
 * slack (Πfac's largest, ℓ+ε+n_bits, is below it). */
static size_t comb_bits(const mpc_params *params)
{
    return (size_t)params->ell + params->eps + params->n_bits + 1;
}

/* Fills the inverses of s and t (units by now) and the comb tables of
 * mpc_rped_commit. A comb refuses only a non-unit base, ruled out here,
 * so a failure leaves that comb empty and commit takes the plain path. */
static void set_inverses(mpc_rped *rp, const mpc_params *params)
{
    mpz_invert(rp->s_inv, rp->s, rp->n);
    mpz_invert(rp->t_inv, rp->t, rp->n);
    if (mpc_bn_comb_init(&rp->comb_s, rp->s, rp->n, comb_bits(params)) !=
            MPC_OK ||
        mpc_bn_comb_init(&rp->comb_t, rp->t, rp->n, comb_bits(params)) !=
            MPC_OK)
        mpc_bn_comb_clear(&rp->comb_s);
}

mpc_err mpc_rped_generate(const mpc_ctx *ctx, mpc_rped *rp, mpz_t lambda,
                          const mpc_paillier_sk *sk)
{
    if (rp == NULL || lambda == NULL)
        return MPC_ERR_INVALID_ARG;
    rped_reset(rp);
    mpz_set_ui(lambda, 0);
    if (ctx == NULL || sk == NULL || sk->pk.params == NULL ||
        mpz_sgn(sk->pk.n) <= 0)
        return MPC_ERR_INVALID_ARG;
    const mpz_srcptr n = sk->pk.n;
    mpz_t r;
    mpz_init(r);
    mpc_err err = MPC_ERR_INTERNAL;
    for (int i = 0; i < MAX_DRAWS && err == MPC_ERR_INTERNAL; i++) {
        mpc_err e = mpc_bn_random_unit(ctx, r, n);
        if (e == MPC_OK)
            e = mpc_bn_mulmod_sec(ctx, rp->t, r, r, n);
        if (e == MPC_OK)
            e = mpc_bn_random_below(ctx, lambda, sk->phi);
        if (e == MPC_OK)
            e = mpc_paillier_sk_powm_n(ctx, sk, rp->s, rp->t, lambda);
        if (e == MPC_OK)
            declassify_st(rp);
        if (e != MPC_OK)
            err = e;
        else if (mpz_cmp_ui(rp->s, 1) != 0 && mpz_cmp_ui(rp->t, 1) != 0)
            err = MPC_OK; /* s and t are public: the test may branch */
    }
    mpc_bn_clear(r);
    if (err != MPC_OK) {
        rped_reset(rp);
        mpc_bn_wipe(lambda);
        return err;
    }
    mpz_set(rp->n, n);
    set_inverses(rp, sk->pk.params);
    rp->params = sk->pk.params;
    return MPC_OK;
}

mpc_err mpc_rped_serialize(uint8_t *out, size_t len, const mpc_rped *rp)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (!rped_ok(rp) || len != 3 * rp->params->n_bytes) {
        memset(out, 0, len);
        return MPC_ERR_INVALID_ARG;
    }
    size_t nb = rp->params->n_bytes;
    mpc_err err = mpc_bn_serialize(out, nb, rp->n);
    if (err == MPC_OK)
        err = mpc_bn_serialize(out + nb, nb, rp->s);
    if (err == MPC_OK)
        err = mpc_bn_serialize(out + 2 * nb, nb, rp->t);
    if (err != MPC_OK)
        memset(out, 0, len);
    return err;
}

/* x ∈ Z*_N and x != 1. */
static bool good_base(const mpz_t x, const mpz_t n)
{
    return mpc_bn_is_unit_var(x, n) && mpz_cmp_ui(x, 1) != 0;
}

mpc_err mpc_rped_parse(mpc_rped *rp, const mpc_params *params,
                       const uint8_t *in, size_t len)
{
    if (rp == NULL)
        return MPC_ERR_INVALID_ARG;
    rped_reset(rp);
    if (params == NULL || in == NULL || len == 0)
        return MPC_ERR_INVALID_ARG;
    if (len != 3 * params->n_bytes)
        return MPC_ERR_PARSE;
    size_t nb = params->n_bytes;
    mpz_import(rp->n, nb, 1, 1, 1, 0, in);
    mpz_import(rp->s, nb, 1, 1, 1, 0, in + nb);
    mpz_import(rp->t, nb, 1, 1, 1, 0, in + 2 * nb);
    if (mpz_even_p(rp->n) || mpz_sizeinbase(rp->n, 2) < params->n_min_bits ||
        !good_base(rp->s, rp->n) || !good_base(rp->t, rp->n)) {
        rped_reset(rp);
        return MPC_ERR_PARSE;
    }
    set_inverses(rp, params);
    rp->params = params;
    return MPC_OK;
}

/* The combs, if built for exactly rp's s, t and N (callers may have
 * changed the fields since) and for these bounds. */
static bool combs_usable(const mpc_rped *rp, size_t x_bits, size_t y_bits)
{
    return mpc_bn_comb_matches(&rp->comb_s, rp->s, rp->n) &&
           mpc_bn_comb_matches(&rp->comb_t, rp->t, rp->n) &&
           x_bits <= rp->comb_s.max_bits && y_bits <= rp->comb_t.max_bits;
}

mpc_err mpc_rped_commit_naive(const mpc_ctx *ctx, const mpc_rped *rp, mpz_t out,
                              const mpz_t x, size_t x_bits, const mpz_t y,
                              size_t y_bits)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (!rped_ok(rp)) {
        mpz_set_ui(out, 0);
        return MPC_ERR_INVALID_ARG;
    }
    mpz_t a, b;
    mpz_inits(a, b, NULL);
    mpc_err err =
        mpc_bn_powm_signed_sec(ctx, a, rp->s, rp->s_inv, x, x_bits, rp->n);
    if (err == MPC_OK)
        err =
            mpc_bn_powm_signed_sec(ctx, b, rp->t, rp->t_inv, y, y_bits, rp->n);
    if (err == MPC_OK)
        err = mpc_bn_mulmod_sec(ctx, out, a, b, rp->n);
    else
        mpz_set_ui(out, 0);
    mpc_bn_clear(a);
    mpc_bn_clear(b);
    return err;
}

mpc_err mpc_rped_commit(const mpc_ctx *ctx, const mpc_rped *rp, mpz_t out,
                        const mpz_t x, size_t x_bits, const mpz_t y,
                        size_t y_bits)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (!rped_ok(rp)) {
        mpz_set_ui(out, 0);
        return MPC_ERR_INVALID_ARG;
    }
    if (!combs_usable(rp, x_bits, y_bits))
        return mpc_rped_commit_naive(ctx, rp, out, x, x_bits, y, y_bits);
    return mpc_bn_comb_powm2_sec(ctx, out, &rp->comb_s, x, x_bits, &rp->comb_t,
                                 y, y_bits);
}

void mpc_rped_copy(mpc_rped *dst, const mpc_rped *src)
{
    if (dst == NULL || src == NULL || dst == src)
        return;
    rped_reset(dst);
    mpz_set(dst->n, src->n);
    mpz_set(dst->s, src->s);
    mpz_set(dst->t, src->t);
    mpz_set(dst->s_inv, src->s_inv);
    mpz_set(dst->t_inv, src->t_inv);
    mpc_bn_comb_copy(&dst->comb_s, &src->comb_s);
    mpc_bn_comb_copy(&dst->comb_t, &src->comb_t);
    dst->params = src->params;
}

mpc_err mpc_rped_commit_var(const mpc_rped *rp, mpz_t out, const mpz_t x,
                            const mpz_t y)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (!rped_ok(rp) || x == NULL || y == NULL) {
        mpz_set_ui(out, 0);
        return MPC_ERR_INVALID_ARG;
    }
    /* s and t are units (validated), so negative exponents cannot fail. */
    return mpc_bn_powm2_var(out, rp->s, x, rp->t, y, rp->n);
}

mpc_err mpc_rped_table_init(const mpc_ctx *ctx, mpc_rped_table *tab,
                            const mpc_rped *rp, size_t max_bits)
{
    if (tab == NULL)
        return MPC_ERR_INVALID_ARG;
    tab->s.pow = NULL;
    tab->t.pow = NULL;
    if (!rped_ok(rp))
        return MPC_ERR_INVALID_ARG;
    mpc_err err = mpc_bn_fbtable_init(ctx, &tab->s, rp->s, rp->n, max_bits);
    if (err == MPC_OK)
        err = mpc_bn_fbtable_init(ctx, &tab->t, rp->t, rp->n, max_bits);
    if (err != MPC_OK)
        mpc_rped_table_clear(ctx, tab);
    return err;
}

mpc_err mpc_rped_table_copy(const mpc_ctx *ctx, mpc_rped_table *dst,
                            const mpc_rped_table *src)
{
    if (dst == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = mpc_bn_fbtable_copy(ctx, &dst->s, src ? &src->s : NULL);
    if (err == MPC_OK)
        err = mpc_bn_fbtable_copy(ctx, &dst->t, &src->t);
    if (err != MPC_OK) {
        mpc_bn_fbtable_clear(ctx, &dst->s);
        dst->t.pow = NULL;
        dst->t.count = 0;
    }
    return err;
}

void mpc_rped_table_clear(const mpc_ctx *ctx, mpc_rped_table *tab)
{
    if (tab == NULL)
        return;
    mpc_bn_fbtable_clear(ctx, &tab->s);
    mpc_bn_fbtable_clear(ctx, &tab->t);
}

mpc_err mpc_rped_table_commit_var(const mpc_rped_table *tab, mpz_t out,
                                  const mpz_t x, const mpz_t y)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (tab == NULL) {
        mpz_set_ui(out, 0);
        return MPC_ERR_INVALID_ARG;
    }
    return mpc_bn_fbtable_powm2_var(out, &tab->s, x, &tab->t, y);
}
