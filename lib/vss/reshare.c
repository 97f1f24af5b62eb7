/* Redistribution math: reshare to a new committee (Wong–Wang–Wing REDIST,
 * crypto.md §2.5F) and refresh in place (dealings of zero, §2.5E). */
#include "mpc/vss.h"

#include <stdbool.h>

static bool committee_ok(const mpc_group *g, const mpc_vss_committee *c)
{
    return c->ids != NULL && c->t >= 1 && c->t <= c->n &&
           mpc_vss_ids_check_var(g, c->ids, c->n) == MPC_OK;
}

/* Caller mistakes in a dealings array; a wrong commit_len is the dealer's
 * fault and is blamed later, a missing pointer is ours. */
static bool dealings_ok(const mpc_vss_dealing *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (d[i].share == NULL || (d[i].commit == NULL && d[i].commit_len != 0))
            return false;
    return true;
}

static void clear_outputs(const mpc_group *g, mpc_scalar *share,
                          mpc_point *vshares, size_t n)
{
    mpc_scalar_clear(share);
    for (size_t k = 0; k < n; k++)
        mpc_point_set_identity(g, &vshares[k]);
}

/* One dealing as seen by the party at x_self: the length, then the
 * constant term (`constant`, or the identity when NULL), then the
 * sub-share against the commitments. */
static mpc_vss_fault check_dealing(const mpc_group *g, const mpc_vss_dealing *d,
                                   size_t t, const mpc_point *constant,
                                   const mpc_scalar *x_self)
{
    if (d->commit_len != t)
        return MPC_VSS_FAULT_LENGTH;
    bool constant_ok = constant != NULL
                           ? mpc_point_eq(g, &d->commit[0], constant)
                           : mpc_point_is_identity(g, &d->commit[0]);
    if (!constant_ok)
        return MPC_VSS_FAULT_CONSTANT;
    if (mpc_vss_verify_share(g, d->commit, t, x_self, d->share) != MPC_OK)
        return MPC_VSS_FAULT_SHARE;
    return MPC_VSS_FAULT_NONE;
}

/* After every dealing has been checked: share = base + sum_i s_i and
 * vshares[k] = base_k + sum_i C_i(ids[k]); NULL bases are zero. */
static void accumulate(const mpc_group *g, mpc_scalar *share,
                       mpc_point *vshares, const mpc_scalar *base_share,
                       const mpc_point *base_vshares,
                       const mpc_vss_dealing *dealings, size_t m,
                       const mpc_scalar *ids, size_t n, size_t t)
{
    mpc_scalar acc;
    if (base_share != NULL)
        acc = *base_share;
    else
        mpc_scalar_set_zero(&acc);
    for (size_t i = 0; i < m; i++)
        mpc_scalar_add(g, &acc, &acc, dealings[i].share);
    *share = acc;
    mpc_scalar_clear(&acc);

    for (size_t k = 0; k < n; k++) {
        mpc_point sum, term;
        if (base_vshares != NULL)
            sum = base_vshares[k];
        else
            mpc_point_set_identity(g, &sum);
        for (size_t i = 0; i < m; i++) {
            mpc_vss_commitment_eval_var(g, &term, dealings[i].commit, t,
                                        &ids[k]);
            mpc_point_add(g, &sum, &sum, &term);
        }
        vshares[k] = sum;
    }
}

mpc_err mpc_vss_reshare_deal(const mpc_group *g, mpc_point *commit,
                             mpc_scalar *shares, const mpc_vss_committee *from,
                             size_t dealer, const mpc_scalar *share,
                             const mpc_vss_committee *to)
{
    mpc_scalar lambda, w;
    if (!committee_ok(g, from) || dealer >= from->n ||
        mpc_lagrange_coeff_var(g, &lambda, from->ids, from->n, dealer, NULL) !=
            MPC_OK) {
        for (size_t k = 0; k < to->t; k++)
            mpc_point_set_identity(g, &commit[k]);
        for (size_t j = 0; j < to->n; j++)
            mpc_scalar_clear(&shares[j]);
        return MPC_ERR_INVALID_ARG;
    }
    /* sum over Q of lambda_i x_i is the secret, so the dealers' w_i are an
     * additive sharing of it, and so are the constants of their g_i. */
    mpc_scalar_mul(g, &w, &lambda, share);
    mpc_err err = mpc_vss_deal(g, commit, shares, &w, to->ids, to->n, to->t);
    mpc_scalar_clear(&w);
    return err;
}

mpc_err mpc_vss_reshare_receive(const mpc_group *g, mpc_scalar *share,
                                mpc_point *vshares, mpc_vss_blame *blame,
                                const mpc_point *pubkey,
                                const mpc_vss_committee *from,
                                const mpc_vss_dealing *dealings,
                                const mpc_vss_committee *to, size_t self)
{
    mpc_err err = MPC_ERR_INVALID_ARG;
    mpc_point sum;
    *blame = (mpc_vss_blame){MPC_VSS_NO_DEALER, MPC_VSS_FAULT_NONE};
    if (!committee_ok(g, from) || from->vshares == NULL ||
        !committee_ok(g, to) || self >= to->n ||
        !dealings_ok(dealings, from->n))
        goto fail;

    mpc_point_set_identity(g, &sum);
    for (size_t i = 0; i < from->n; i++) {
        mpc_scalar lambda;
        mpc_point want;
        if (mpc_lagrange_coeff_var(g, &lambda, from->ids, from->n, i, NULL) !=
            MPC_OK)
            goto fail; /* unreachable: from->ids were checked */
        mpc_point_mul(g, &want, &lambda, &from->vshares[i]);
        mpc_vss_fault f =
            check_dealing(g, &dealings[i], to->t, &want, &to->ids[self]);
        if (f != MPC_VSS_FAULT_NONE) {
            *blame = (mpc_vss_blame){i, f};
            err = MPC_ERR_PROTOCOL;
            goto fail;
        }
        mpc_point_add(g, &sum, &sum, &dealings[i].commit[0]);
    }
    /* Every C_i[0] matched lambda_i X_i, so a mismatch here means the X_i
     * do not interpolate to Y over Q: wrong key data or too few dealers. */
    if (!mpc_point_eq(g, &sum, pubkey)) {
        err = MPC_ERR_VERIFY;
        goto fail;
    }
    accumulate(g, share, vshares, NULL, NULL, dealings, from->n, to->ids, to->n,
               to->t);
    return MPC_OK;
fail:
    clear_outputs(g, share, vshares, to->n);
    return err;
}

mpc_err mpc_vss_refresh_deal(const mpc_group *g, mpc_point *commit,
                             mpc_scalar *shares, const mpc_vss_committee *c)
{
    mpc_scalar zero;
    mpc_scalar_set_zero(&zero);
    if (c->ids == NULL) {
        for (size_t k = 0; k < c->t; k++)
            mpc_point_set_identity(g, &commit[k]);
        for (size_t j = 0; j < c->n; j++)
            mpc_scalar_clear(&shares[j]);
        return MPC_ERR_INVALID_ARG;
    }
    return mpc_vss_deal(g, commit, shares, &zero, c->ids, c->n, c->t);
}

mpc_err mpc_vss_refresh_receive(const mpc_group *g, mpc_scalar *share,
                                mpc_point *vshares, mpc_vss_blame *blame,
                                const mpc_vss_committee *c, size_t self,
                                const mpc_scalar *old_share,
                                const mpc_vss_dealing *dealings,
                                size_t n_dealings)
{
    mpc_err err = MPC_ERR_INVALID_ARG;
    *blame = (mpc_vss_blame){MPC_VSS_NO_DEALER, MPC_VSS_FAULT_NONE};
    if (!committee_ok(g, c) || c->vshares == NULL || self >= c->n ||
        n_dealings == 0 || !dealings_ok(dealings, n_dealings))
        goto fail;

    for (size_t i = 0; i < n_dealings; i++) {
        mpc_vss_fault f =
            check_dealing(g, &dealings[i], c->t, NULL, &c->ids[self]);
        if (f != MPC_VSS_FAULT_NONE) {
            *blame = (mpc_vss_blame){i, f};
            err = MPC_ERR_PROTOCOL;
            goto fail;
        }
    }
    accumulate(g, share, vshares, old_share, c->vshares, dealings, n_dealings,
               c->ids, c->n, c->t);
    return MPC_OK;
fail:
    clear_outputs(g, share, vshares, c->n);
    return err;
}
