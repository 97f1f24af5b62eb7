/* Shamir/Feldman VSS and Lagrange interpolation over either group. */
#include "mpc/vss.h"

#include "mpc/mem.h"

void mpc_poly_random(const mpc_group *g, mpc_scalar *coef, size_t t,
                     const mpc_scalar *constant)
{
    if (t == 0)
        return;
    if (constant != NULL)
        coef[0] = *constant;
    else
        mpc_scalar_random(g, &coef[0]);
    for (size_t k = 1; k < t; k++)
        mpc_scalar_random(g, &coef[k]);
}

void mpc_poly_eval(const mpc_group *g, mpc_scalar *out, const mpc_scalar *coef,
                   size_t t, const mpc_scalar *x)
{
    mpc_scalar acc, xv = *x;
    mpc_scalar_set_zero(&acc);
    for (size_t k = t; k-- > 0;) {
        mpc_scalar_mul(g, &acc, &acc, &xv);
        mpc_scalar_add(g, &acc, &acc, &coef[k]);
    }
    *out = acc;
    mpc_scalar_clear(&acc);
    mpc_scalar_clear(&xv);
}

void mpc_poly_commit(const mpc_group *g, mpc_point *commit,
                     const mpc_scalar *coef, size_t t)
{
    for (size_t k = 0; k < t; k++)
        mpc_point_mul_base(g, &commit[k], &coef[k]);
}

void mpc_vss_commitment_eval_var(const mpc_group *g, mpc_point *out,
                                 const mpc_point *commit, size_t t,
                                 const mpc_scalar *x)
{
    if (t == 0) {
        mpc_point_set_identity(g, out);
        return;
    }
    /* Horner: t-1 multiplications by x instead of one per power. */
    mpc_point acc = commit[t - 1];
    for (size_t k = t - 1; k-- > 0;) {
        mpc_point_mul(g, &acc, x, &acc);
        mpc_point_add(g, &acc, &acc, &commit[k]);
    }
    *out = acc;
}

mpc_err mpc_vss_verify_share(const mpc_group *g, const mpc_point *commit,
                             size_t t, const mpc_scalar *x,
                             const mpc_scalar *share)
{
    if (t == 0 || mpc_scalar_is_zero(x))
        return MPC_ERR_INVALID_ARG;
    mpc_point want, got;
    mpc_vss_commitment_eval_var(g, &want, commit, t, x);
    mpc_point_mul_base(g, &got, share);
    return mpc_point_eq(g, &got, &want) ? MPC_OK : MPC_ERR_VERIFY;
}

void mpc_vss_commitments_sum(const mpc_group *g, mpc_point *out,
                             const mpc_point *const *commits, size_t n,
                             size_t t)
{
    /* Column by column: out[k] is written only after every commits[d][k]
     * has been read, so out may alias any dealer's vector. */
    for (size_t k = 0; k < t; k++) {
        mpc_point acc;
        mpc_point_set_identity(g, &acc);
        for (size_t d = 0; d < n; d++)
            mpc_point_add(g, &acc, &acc, &commits[d][k]);
        out[k] = acc;
    }
}

size_t mpc_vss_commitment_bytes(const mpc_group *g, size_t t)
{
    return t * mpc_group_point_bytes(g);
}

void mpc_vss_commitment_serialize(const mpc_group *g, uint8_t *out,
                                  const mpc_point *commit, size_t t)
{
    size_t pb = mpc_group_point_bytes(g);
    for (size_t k = 0; k < t; k++)
        mpc_point_serialize(g, out + k * pb, &commit[k]);
}

static void set_identity_all(const mpc_group *g, mpc_point *p, size_t n)
{
    for (size_t k = 0; k < n; k++)
        mpc_point_set_identity(g, &p[k]);
}

mpc_err mpc_vss_commitment_parse(const mpc_group *g, mpc_point *commit,
                                 size_t t, const uint8_t *in, size_t len)
{
    size_t pb = mpc_group_point_bytes(g);
    if (t == 0)
        return MPC_ERR_INVALID_ARG;
    /* Compared by division: t * pb could overflow for a huge t. */
    mpc_err err = MPC_ERR_PARSE;
    if (len % pb != 0 || len / pb != t)
        goto fail;
    if (mpc_point_parse_allow_identity(g, &commit[0], in, pb) != MPC_OK)
        goto fail;
    for (size_t k = 1; k < t; k++)
        if (mpc_point_parse(g, &commit[k], in + k * pb, pb) != MPC_OK)
            goto fail;
    return MPC_OK;
fail:
    set_identity_all(g, commit, t);
    return err;
}

mpc_err mpc_vss_ids_check_var(const mpc_group *g, const mpc_scalar *ids,
                              size_t n)
{
    (void)g;
    if (n == 0)
        return MPC_ERR_INVALID_ARG;
    for (size_t i = 0; i < n; i++) {
        if (mpc_scalar_is_zero(&ids[i]))
            return MPC_ERR_INVALID_ARG;
        for (size_t j = 0; j < i; j++)
            if (mpc_scalar_eq(&ids[i], &ids[j]))
                return MPC_ERR_INVALID_ARG;
    }
    return MPC_OK;
}

mpc_err mpc_lagrange_coeff_var(const mpc_group *g, mpc_scalar *out,
                               const mpc_scalar *xs, size_t n, size_t i,
                               const mpc_scalar *at)
{
    mpc_scalar_set_zero(out);
    if (i >= n || mpc_vss_ids_check_var(g, xs, n) != MPC_OK)
        return MPC_ERR_INVALID_ARG;

    mpc_scalar x0, num, den, diff, inv;
    if (at != NULL)
        x0 = *at;
    else
        mpc_scalar_set_zero(&x0);
    mpc_scalar_set_u64(g, &num, 1);
    mpc_scalar_set_u64(g, &den, 1);
    for (size_t j = 0; j < n; j++) {
        if (j == i)
            continue;
        mpc_scalar_sub(g, &diff, &x0, &xs[j]);
        mpc_scalar_mul(g, &num, &num, &diff);
        mpc_scalar_sub(g, &diff, &xs[i], &xs[j]);
        mpc_scalar_mul(g, &den, &den, &diff);
    }
    /* den is a product of non-zero differences: the ids are distinct. */
    mpc_err err = mpc_scalar_inv_var(g, &inv, &den);
    if (err != MPC_OK)
        return MPC_ERR_INTERNAL;
    mpc_scalar_mul(g, out, &num, &inv);
    return MPC_OK;
}

/* Sets outputs to zero. Not mpc_scalar_clear: that wipes, and in test
 * builds marks the bytes undefined for valgrind, which an output that is
 * read afterwards must not be. */
static void zero_scalars(mpc_scalar *s, size_t n)
{
    for (size_t j = 0; j < n; j++)
        mpc_scalar_set_zero(&s[j]);
}

mpc_err mpc_vss_deal(const mpc_group *g, mpc_point *commit, mpc_scalar *shares,
                     const mpc_scalar *secret, const mpc_scalar *ids, size_t n,
                     size_t t)
{
    if (t == 0 || t > n || mpc_vss_ids_check_var(g, ids, n) != MPC_OK) {
        set_identity_all(g, commit, t);
        zero_scalars(shares, n);
        return MPC_ERR_INVALID_ARG;
    }
    /* Coefficients are drawn from the top down and folded into every share
     * by Horner's rule as they appear, so only one coefficient exists at a
     * time and nothing needs to be allocated. */
    mpc_scalar a;
    zero_scalars(shares, n);
    for (size_t k = t; k-- > 0;) {
        if (k == 0)
            a = *secret;
        else
            mpc_scalar_random(g, &a);
        mpc_point_mul_base(g, &commit[k], &a);
        for (size_t j = 0; j < n; j++) {
            mpc_scalar_mul(g, &shares[j], &shares[j], &ids[j]);
            mpc_scalar_add(g, &shares[j], &shares[j], &a);
        }
    }
    mpc_scalar_clear(&a);
    return MPC_OK;
}
