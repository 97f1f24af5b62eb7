/*
 * FROST refresh and reshare as round tables (include/mpc/frost_session.h):
 * Feldman redistribution as mpc/vss.h computes it — dealings of zero for a
 * refresh, Wong–Wang–Wing REDIST (crypto.md §2.5F) for a reshare — plus the
 * key-confirmation round.
 */
#include <string.h>

#include "lib/frost/frost_session_internal.h"
#include "mpc/mem.h"
#include "mpc/vss.h"
#include "mpc/wire.h"

/* A dealer's fault, as mpc_vss_*_receive reports it, for the blame. */
static const char *fault_detail(mpc_vss_fault f)
{
    switch (f) {
    case MPC_VSS_FAULT_LENGTH:
        return "frost: commitment count is not the threshold";
    case MPC_VSS_FAULT_CONSTANT:
        return "frost: wrong constant term";
    default:
        return "frost: sub-share does not match its commitments";
    }
}

/* Copies the first n entries of `src` into a new array; NULL on NOMEM. */
static mpc_point *dup_points(const mpc_ctx *ctx, const mpc_point *src, size_t n)
{
    mpc_point *p = mpc_ctx_alloc_array(ctx, n, sizeof *p);
    if (p != NULL)
        memcpy(p, src, n * sizeof *p);
    return p;
}

/* ======================================================================== */
/* Refresh                                                                  */
/* ======================================================================== */

struct refresh {
    const mpc_session_info *info;
    const mpc_group *g;
    size_t n, t, self;
    mpc_frost_key_package key; /* the current key; secret */
    mpc_scalar *ids;           /* [n], moved to the result */
    mpc_point *old_vshares;    /* [n] */
    mpc_point *vshares;        /* [n] new, moved to the result */
    mpc_point *commit;         /* [n*t], row j from party j */
    mpc_scalar *deal;          /* [n] this party's sub-shares; secret */
    mpc_scalar *sub;           /* [n] sub-shares received; secret */
    uint8_t digest[MPC_FROST_CONFIRM_BYTES];
};

static mpc_err refresh_init(void *state, const mpc_session_info *info,
                            const void *input)
{
    struct refresh *st = state;
    const mpc_frost_refresh_input *in = input;
    const mpc_ctx *ctx = info->ctx;
    st->info = info;
    st->g = mpc_frost_session_group(info);
    st->n = info->n;
    st->t = info->threshold;
    st->self = info->self;
    /* A refresh never changes the threshold (crypto.md §2.5E). */
    if (st->g == NULL || in == NULL || in->n_parties != st->n ||
        in->key == NULL || in->key->threshold != st->t ||
        mpc_frost_session_key_check(st->g, in->key, in->ids, in->vshares, st->n,
                                    st->self) != MPC_OK)
        return MPC_ERR_INVALID_ARG;
    st->key = *in->key;
    st->ids = mpc_ctx_alloc_array(ctx, st->n, sizeof *st->ids);
    st->old_vshares = dup_points(ctx, in->vshares, st->n);
    st->vshares = mpc_ctx_alloc_array(ctx, st->n, sizeof *st->vshares);
    st->commit = mpc_ctx_alloc_array(ctx, st->n * st->t, sizeof *st->commit);
    st->deal = mpc_ctx_alloc_array(ctx, st->n, sizeof *st->deal);
    st->sub = mpc_ctx_alloc_array(ctx, st->n, sizeof *st->sub);
    if (st->ids == NULL || st->old_vshares == NULL || st->vshares == NULL ||
        st->commit == NULL || st->deal == NULL || st->sub == NULL)
        return MPC_ERR_NOMEM;
    memcpy(st->ids, in->ids, st->n * sizeof *st->ids);
    return MPC_OK;
}

static unsigned refresh_pattern(const void *state, unsigned round,
                                unsigned from, unsigned to)
{
    (void)state;
    (void)from;
    (void)to;
    return round == 2 ? MPC_PROTOCOL_P2P : MPC_PROTOCOL_BCAST;
}

static mpc_err refresh_start(void *state, unsigned round,
                             mpc_session_outbox *out)
{
    struct refresh *st = state;
    const mpc_group *g = st->g;
    if (round == 1) {
        mpc_vss_committee c = {st->ids, NULL, st->n, st->t};
        mpc_point *mine = &st->commit[st->self * st->t];
        if (mpc_vss_refresh_deal(g, mine, st->deal, &c) != MPC_OK)
            return MPC_ERR_INTERNAL; /* the committee was checked */
        uint8_t *p = mpc_wire_write_reserve(mpc_session_outbox_bcast(out),
                                            mpc_vss_commitment_bytes(g, st->t));
        if (p != NULL)
            mpc_vss_commitment_serialize(g, p, mine, st->t);
        return MPC_OK;
    }
    if (round == 2) {
        for (size_t j = 0; j < st->n; j++)
            if (j != st->self)
                mpc_wire_write_scalar(mpc_session_outbox_p2p(out, (unsigned)j),
                                      g, &st->deal[j]);
        st->sub[st->self] = st->deal[st->self];
        MPC_FROST_SESSION_FREE(st->info->ctx, st->deal, st->n);
        return MPC_OK;
    }
    mpc_wire_write_bytes(mpc_session_outbox_bcast(out), st->digest,
                         sizeof st->digest);
    return MPC_OK;
}

/* Round 1: every dealing commits to a polynomial of degree t-1 with a zero
 * constant term. */
static mpc_err refresh_complete1(struct refresh *st, mpc_session_inbox *in)
{
    mpc_err err = MPC_OK;
    for (unsigned j = 0; j < st->n; j++) {
        if (j == st->self)
            continue;
        mpc_point *row = &st->commit[j * st->t];
        mpc_err e = mpc_frost_session_read_commitments(
            st->g, in, j, row, st->t, "frost refresh: malformed commitments");
        if (e == MPC_OK && !mpc_point_is_identity(st->g, &row[0])) {
            mpc_session_inbox_blame(in, j, MPC_BLAME_VERIFY,
                                    "frost refresh: constant term is not zero");
            e = MPC_ERR_VERIFY;
        }
        err = err != MPC_OK ? err : e;
    }
    return err;
}

/* The new verifying shares must still interpolate to the group key: over
 * the first t members (the rest follow from the same commitments). */
static bool key_unchanged(const mpc_group *g, const mpc_point *group_pk,
                          const mpc_scalar *ids, const mpc_point *vshares,
                          size_t t)
{
    mpc_point acc, term;
    mpc_point_set_identity(g, &acc);
    for (size_t k = 0; k < t; k++) {
        mpc_scalar lambda;
        if (mpc_lagrange_coeff_var(g, &lambda, ids, t, k, NULL) != MPC_OK)
            return false;
        mpc_point_mul(g, &term, &lambda, &vshares[k]);
        mpc_point_add(g, &acc, &acc, &term);
    }
    return mpc_point_eq(g, &acc, group_pk);
}

static mpc_err refresh_complete2(struct refresh *st, mpc_session_inbox *in)
{
    mpc_err err = MPC_OK;
    for (unsigned j = 0; j < st->n; j++) {
        if (j == st->self)
            continue;
        mpc_err e = mpc_frost_session_read_scalar(
            st->g, in, j, true, &st->sub[j],
            "frost refresh: sub-share is not a canonical scalar");
        err = err != MPC_OK ? err : e;
    }
    if (err != MPC_OK)
        return err;

    mpc_vss_dealing d[MPC_SESSION_PARTIES_MAX];
    for (size_t j = 0; j < st->n; j++)
        d[j] = (mpc_vss_dealing){&st->commit[j * st->t], st->t, &st->sub[j]};
    mpc_vss_committee c = {st->ids, st->old_vshares, st->n, st->t};
    mpc_vss_blame vb;
    mpc_scalar share;
    err = mpc_vss_refresh_receive(st->g, &share, st->vshares, &vb, &c, st->self,
                                  &st->key.share, d, st->n);
    MPC_FROST_SESSION_FREE(st->info->ctx, st->sub, st->n);
    if (err == MPC_ERR_PROTOCOL) {
        mpc_session_inbox_blame(in, (unsigned)vb.dealer, MPC_BLAME_VERIFY,
                                fault_detail(vb.fault));
        return MPC_ERR_VERIFY;
    }
    if (err != MPC_OK)
        return MPC_ERR_INTERNAL;
    st->key.share = share;
    mpc_scalar_clear(&share);
    if (!key_unchanged(st->g, &st->key.group_pk, st->ids, st->vshares, st->t)) {
        /* Every dealing was of zero, so only inconsistent verifying shares
         * in this party's input get here. */
        mpc_session_inbox_blame(in, MPC_BLAME_NOBODY, MPC_BLAME_VERIFY,
                                "frost refresh: verifying shares are not "
                                "this key's");
        return MPC_ERR_VERIFY;
    }
    mpc_frost_session_confirm_digest(st->info, st->digest, "frost-refresh",
                                     &st->key.group_pk, st->ids, st->vshares,
                                     st->n, st->t);
    return MPC_OK;
}

static mpc_err refresh_complete(void *state, unsigned round,
                                mpc_session_inbox *in)
{
    struct refresh *st = state;
    switch (round) {
    case 1:
        return refresh_complete1(st, in);
    case 2:
        return refresh_complete2(st, in);
    case 3:
        return mpc_frost_session_confirm_check(
            in, (unsigned)st->n, (unsigned)st->self, st->digest,
            "frost refresh: parties derived different shares");
    }
    return MPC_ERR_INTERNAL;
}

static void refresh_take(void *state, void *result)
{
    struct refresh *st = state;
    mpc_frost_session_result_fill(result, st->info->ctx, &st->key, st->self,
                                  &st->key.group_pk, st->t, &st->ids,
                                  &st->vshares, st->n);
}

static void refresh_clear(void *state)
{
    struct refresh *st = state;
    if (st->info != NULL) {
        const mpc_ctx *ctx = st->info->ctx;
        MPC_FROST_SESSION_FREE(ctx, st->ids, st->n);
        MPC_FROST_SESSION_FREE(ctx, st->old_vshares, st->n);
        MPC_FROST_SESSION_FREE(ctx, st->vshares, st->n);
        MPC_FROST_SESSION_FREE(ctx, st->commit, st->n * st->t);
        MPC_FROST_SESSION_FREE(ctx, st->deal, st->n);
        MPC_FROST_SESSION_FREE(ctx, st->sub, st->n);
    }
    mpc_frost_key_package_clear(&st->key);
    mpc_wipe(st, sizeof *st);
}

const mpc_protocol mpc_frost_refresh_protocol = {
    .id = MPC_FROST_REFRESH_PROTOCOL_ID,
    .name = "frost-ed25519-refresh",
    .rounds = 3,
    .state_bytes = sizeof(struct refresh),
    .result_bytes = sizeof(mpc_frost_key_result),
    .max_payload_bytes = MPC_FROST_SESSION_PAYLOAD_MAX,
    .echo_exchange = MPC_PROTOCOL_ROUND(3),
    .init = refresh_init,
    .pattern = refresh_pattern,
    .round_start = refresh_start,
    .round_complete = refresh_complete,
    .take_result = refresh_take,
    .clear = refresh_clear,
};

/* ======================================================================== */
/* Reshare                                                                  */
/* ======================================================================== */

#define DEALER MPC_FROST_RESHARE_DEALER
#define MEMBER MPC_FROST_RESHARE_MEMBER

struct reshare {
    const mpc_session_info *info;
    const mpc_group *g;
    size_t n, self;
    size_t t_old, t_new, n_new;
    uint8_t roles[MPC_SESSION_PARTIES_MAX];
    /* The session party of each dealer and each member, and back
     * (UINT8_MAX for a party without that role). */
    uint8_t dealer_party[MPC_SESSION_PARTIES_MAX];
    uint8_t member_party[MPC_SESSION_PARTIES_MAX];
    uint8_t dealer_pos[MPC_SESSION_PARTIES_MAX];
    uint8_t member_pos[MPC_SESSION_PARTIES_MAX];
    mpc_point group_pk;
    mpc_frost_key_package key;     /* DEALER: the old key; secret */
    mpc_frost_key_package new_key; /* MEMBER: the new key; secret */
    mpc_scalar *old_ids;           /* [t_old] */
    mpc_point *old_vshares;        /* [t_old] X_i */
    mpc_point *want;               /* [t_old] lambda_i X_i */
    mpc_scalar *new_ids;           /* [n_new], moved to the result */
    mpc_point *new_vshares;        /* [n_new], moved to the result */
    mpc_point *commit;             /* [t_old*t_new], row per dealer */
    mpc_scalar *deal;              /* DEALER: [n_new] sub-shares; secret */
    mpc_scalar *sub;               /* MEMBER: [t_old] received; secret */
    uint8_t digest[MPC_FROST_CONFIRM_BYTES];
};

static bool has(const struct reshare *st, size_t party, unsigned role)
{
    return (st->roles[party] & role) != 0;
}

/* Splits the parties into dealers and members; checks counts and ids. */
static mpc_err sort_roles(struct reshare *st, const mpc_frost_reshare_input *in)
{
    size_t nd = 0, nm = 0;
    for (size_t i = 0; i < st->n; i++) {
        unsigned r = in->parties[i].roles;
        if (r == 0 || (r & ~(unsigned)(DEALER | MEMBER)) != 0)
            return MPC_ERR_INVALID_ARG;
        st->roles[i] = (uint8_t)r;
        st->dealer_pos[i] = st->member_pos[i] = UINT8_MAX;
        if (r & DEALER) {
            st->dealer_pos[i] = (uint8_t)nd;
            st->dealer_party[nd++] = (uint8_t)i;
        }
        if (r & MEMBER) {
            st->member_pos[i] = (uint8_t)nm;
            st->member_party[nm++] = (uint8_t)i;
        }
    }
    if (in->old_threshold < 2 || nd != in->old_threshold || st->t_new < 2 ||
        st->t_new > nm)
        return MPC_ERR_INVALID_ARG;
    st->t_old = nd;
    st->n_new = nm;
    return MPC_OK;
}

/*
 * The dealers' old verifying shares, their Lagrange-weighted values
 * lambda_i X_i (what each C_{i,0} must be), and that these sum to the
 * group key: so a failed check later is always one dealer's fault.
 */
static mpc_err weigh_dealers(struct reshare *st)
{
    const mpc_group *g = st->g;
    mpc_point sum;
    mpc_point_set_identity(g, &sum);
    for (size_t d = 0; d < st->t_old; d++) {
        mpc_scalar lambda;
        if (mpc_lagrange_coeff_var(g, &lambda, st->old_ids, st->t_old, d,
                                   NULL) != MPC_OK ||
            mpc_point_is_identity(g, &st->old_vshares[d]))
            return MPC_ERR_INVALID_ARG;
        mpc_point_mul(g, &st->want[d], &lambda, &st->old_vshares[d]);
        mpc_point_add(g, &sum, &sum, &st->want[d]);
    }
    return mpc_point_eq(g, &sum, &st->group_pk) ? MPC_OK : MPC_ERR_INVALID_ARG;
}

/* A dealer's own old key must be the one the others will check it by. */
static mpc_err check_dealer_key(struct reshare *st,
                                const mpc_frost_key_package *key)
{
    size_t d = st->dealer_pos[st->self];
    if (key == NULL || key->threshold != st->t_old ||
        !mpc_point_eq(st->g, &key->group_pk, &st->group_pk) ||
        mpc_frost_session_key_check(st->g, key, st->old_ids, st->old_vshares,
                                    st->t_old, d) != MPC_OK)
        return MPC_ERR_INVALID_ARG;
    st->key = *key;
    return MPC_OK;
}

static mpc_err reshare_alloc(struct reshare *st)
{
    const mpc_ctx *ctx = st->info->ctx;
    st->old_ids = mpc_ctx_alloc_array(ctx, st->t_old, sizeof *st->old_ids);
    st->old_vshares =
        mpc_ctx_alloc_array(ctx, st->t_old, sizeof *st->old_vshares);
    st->want = mpc_ctx_alloc_array(ctx, st->t_old, sizeof *st->want);
    st->new_ids = mpc_ctx_alloc_array(ctx, st->n_new, sizeof *st->new_ids);
    st->new_vshares =
        mpc_ctx_alloc_array(ctx, st->n_new, sizeof *st->new_vshares);
    st->commit =
        mpc_ctx_alloc_array(ctx, st->t_old * st->t_new, sizeof *st->commit);
    st->deal = mpc_ctx_alloc_array(ctx, st->n_new, sizeof *st->deal);
    st->sub = mpc_ctx_alloc_array(ctx, st->t_old, sizeof *st->sub);
    bool ok = st->old_ids != NULL && st->old_vshares != NULL &&
              st->want != NULL && st->new_ids != NULL &&
              st->new_vshares != NULL && st->commit != NULL &&
              st->deal != NULL && st->sub != NULL;
    return ok ? MPC_OK : MPC_ERR_NOMEM;
}

static mpc_err reshare_init(void *state, const mpc_session_info *info,
                            const void *input)
{
    struct reshare *st = state;
    const mpc_frost_reshare_input *in = input;
    st->info = info;
    st->g = mpc_frost_session_group(info);
    st->n = info->n;
    st->self = info->self;
    st->t_new = info->threshold;
    if (st->g == NULL || in == NULL || in->parties == NULL ||
        in->n_parties != st->n || in->group_pk == NULL ||
        mpc_point_is_identity(st->g, in->group_pk))
        return MPC_ERR_INVALID_ARG;
    st->group_pk = *in->group_pk;
    mpc_err err = sort_roles(st, in);
    if (err == MPC_OK)
        err = reshare_alloc(st);
    if (err != MPC_OK)
        return err;
    for (size_t d = 0; d < st->t_old; d++) {
        st->old_ids[d] = in->parties[st->dealer_party[d]].old_id;
        st->old_vshares[d] = in->parties[st->dealer_party[d]].old_vshare;
    }
    for (size_t m = 0; m < st->n_new; m++)
        st->new_ids[m] = in->parties[st->member_party[m]].new_id;
    if (!mpc_frost_session_ids_ok(st->g, st->old_ids, st->t_old) ||
        !mpc_frost_session_ids_ok(st->g, st->new_ids, st->n_new) ||
        (err = weigh_dealers(st)) != MPC_OK)
        return MPC_ERR_INVALID_ARG;
    if (has(st, st->self, DEALER))
        return check_dealer_key(st, in->key);
    return in->key == NULL ? MPC_OK : MPC_ERR_INVALID_ARG;
}

static unsigned reshare_pattern(const void *state, unsigned round,
                                unsigned from, unsigned to)
{
    const struct reshare *st = state;
    switch (round) {
    case 1:
        return has(st, from, DEALER) ? MPC_PROTOCOL_BCAST : 0;
    case 2:
        return has(st, from, DEALER) && has(st, to, MEMBER) ? MPC_PROTOCOL_P2P
                                                            : 0;
    case 3:
        return has(st, from, MEMBER) ? MPC_PROTOCOL_BCAST : 0;
    }
    return 0;
}

static mpc_err reshare_start1(struct reshare *st, mpc_session_outbox *out)
{
    const mpc_group *g = st->g;
    size_t d = st->dealer_pos[st->self];
    mpc_point *mine = &st->commit[d * st->t_new];
    mpc_vss_committee from = {st->old_ids, NULL, st->t_old, st->t_old};
    mpc_vss_committee to = {st->new_ids, NULL, st->n_new, st->t_new};
    if (mpc_vss_reshare_deal(g, mine, st->deal, &from, d, &st->key.share,
                             &to) != MPC_OK)
        return MPC_ERR_INTERNAL;           /* both committees were checked */
    mpc_frost_key_package_clear(&st->key); /* dealt: no longer needed */
    uint8_t *p = mpc_wire_write_reserve(mpc_session_outbox_bcast(out),
                                        mpc_vss_commitment_bytes(g, st->t_new));
    if (p != NULL)
        mpc_vss_commitment_serialize(g, p, mine, st->t_new);
    return MPC_OK;
}

static mpc_err reshare_start(void *state, unsigned round,
                             mpc_session_outbox *out)
{
    struct reshare *st = state;
    bool dealer = has(st, st->self, DEALER);
    bool member = has(st, st->self, MEMBER);
    if (round == 1)
        return dealer ? reshare_start1(st, out) : MPC_OK;
    if (round == 2 && dealer) {
        for (size_t m = 0; m < st->n_new; m++) {
            unsigned j = st->member_party[m];
            if (j == st->self)
                st->sub[st->dealer_pos[j]] = st->deal[m];
            else
                mpc_wire_write_scalar(mpc_session_outbox_p2p(out, j), st->g,
                                      &st->deal[m]);
        }
        MPC_FROST_SESSION_FREE(st->info->ctx, st->deal, st->n_new);
    }
    if (round == 3 && member)
        mpc_wire_write_bytes(mpc_session_outbox_bcast(out), st->digest,
                             sizeof st->digest);
    return MPC_OK;
}

/* X'_k = sum_i C_i(x'_k): the new verifying shares from the commitments,
 * for a party that receives no sub-share. */
static void new_vshares_public(struct reshare *st)
{
    for (size_t k = 0; k < st->n_new; k++) {
        mpc_point_set_identity(st->g, &st->new_vshares[k]);
        for (size_t d = 0; d < st->t_old; d++) {
            mpc_point term;
            mpc_vss_commitment_eval_var(st->g, &term,
                                        &st->commit[d * st->t_new], st->t_new,
                                        &st->new_ids[k]);
            mpc_point_add(st->g, &st->new_vshares[k], &st->new_vshares[k],
                          &term);
        }
    }
}

static void reshare_digest(struct reshare *st)
{
    mpc_frost_session_confirm_digest(st->info, st->digest, "frost-reshare",
                                     &st->group_pk, st->new_ids,
                                     st->new_vshares, st->n_new, st->t_new);
}

/* Round 1, at every party: each dealer's C_i has t_new entries and the
 * constant lambda_i X_i. */
static mpc_err reshare_complete1(struct reshare *st, mpc_session_inbox *in)
{
    mpc_err err = MPC_OK;
    for (size_t d = 0; d < st->t_old; d++) {
        unsigned j = st->dealer_party[d];
        if (j == st->self)
            continue;
        mpc_point *row = &st->commit[d * st->t_new];
        mpc_err e = mpc_frost_session_read_commitments(
            st->g, in, j, row, st->t_new,
            "frost reshare: malformed commitments");
        if (e == MPC_OK && !mpc_point_eq(st->g, &row[0], &st->want[d])) {
            mpc_session_inbox_blame(in, j, MPC_BLAME_VERIFY,
                                    "frost reshare: constant term is not "
                                    "lambda_i X_i");
            e = MPC_ERR_VERIFY;
        }
        err = err != MPC_OK ? err : e;
    }
    if (err == MPC_OK && !has(st, st->self, MEMBER)) {
        new_vshares_public(st);
        reshare_digest(st);
    }
    return err;
}

/* Round 2, at a new member: the sub-shares, then the new key. */
static mpc_err reshare_complete2(struct reshare *st, mpc_session_inbox *in)
{
    mpc_err err = MPC_OK;
    for (size_t d = 0; d < st->t_old; d++) {
        unsigned j = st->dealer_party[d];
        if (j == st->self)
            continue;
        mpc_err e = mpc_frost_session_read_scalar(
            st->g, in, j, true, &st->sub[d],
            "frost reshare: sub-share is not a canonical scalar");
        err = err != MPC_OK ? err : e;
    }
    if (err != MPC_OK)
        return err;

    mpc_vss_dealing dl[MPC_SESSION_PARTIES_MAX];
    for (size_t d = 0; d < st->t_old; d++)
        dl[d] = (mpc_vss_dealing){&st->commit[d * st->t_new], st->t_new,
                                  &st->sub[d]};
    mpc_vss_committee from = {st->old_ids, st->old_vshares, st->t_old,
                              st->t_old};
    mpc_vss_committee to = {st->new_ids, NULL, st->n_new, st->t_new};
    mpc_vss_blame vb;
    size_t me = st->member_pos[st->self];
    err = mpc_vss_reshare_receive(st->g, &st->new_key.share, st->new_vshares,
                                  &vb, &st->group_pk, &from, dl, &to, me);
    MPC_FROST_SESSION_FREE(st->info->ctx, st->sub, st->t_old);
    if (err == MPC_ERR_PROTOCOL) {
        mpc_session_inbox_blame(in, st->dealer_party[vb.dealer],
                                MPC_BLAME_VERIFY, fault_detail(vb.fault));
        return MPC_ERR_VERIFY;
    }
    if (err != MPC_OK)
        return MPC_ERR_INTERNAL; /* the constants were checked in round 1 */
    st->new_key.id = st->new_ids[me];
    st->new_key.group_pk = st->group_pk;
    st->new_key.threshold = st->t_new;
    reshare_digest(st);
    return MPC_OK;
}

static mpc_err reshare_complete(void *state, unsigned round,
                                mpc_session_inbox *in)
{
    struct reshare *st = state;
    switch (round) {
    case 1:
        return reshare_complete1(st, in);
    case 2:
        return has(st, st->self, MEMBER) ? reshare_complete2(st, in) : MPC_OK;
    case 3:
        return mpc_frost_session_confirm_check(
            in, (unsigned)st->n, (unsigned)st->self, st->digest,
            "frost reshare: members derived different keys");
    }
    return MPC_ERR_INTERNAL;
}

static void reshare_take(void *state, void *result)
{
    struct reshare *st = state;
    bool member = has(st, st->self, MEMBER);
    mpc_frost_session_result_fill(
        result, st->info->ctx, member ? &st->new_key : NULL,
        member ? st->member_pos[st->self] : 0, &st->group_pk, st->t_new,
        &st->new_ids, &st->new_vshares, st->n_new);
}

static void reshare_clear(void *state)
{
    struct reshare *st = state;
    if (st->info != NULL) {
        const mpc_ctx *ctx = st->info->ctx;
        MPC_FROST_SESSION_FREE(ctx, st->old_ids, st->t_old);
        MPC_FROST_SESSION_FREE(ctx, st->old_vshares, st->t_old);
        MPC_FROST_SESSION_FREE(ctx, st->want, st->t_old);
        MPC_FROST_SESSION_FREE(ctx, st->new_ids, st->n_new);
        MPC_FROST_SESSION_FREE(ctx, st->new_vshares, st->n_new);
        MPC_FROST_SESSION_FREE(ctx, st->commit, st->t_old * st->t_new);
        MPC_FROST_SESSION_FREE(ctx, st->deal, st->n_new);
        MPC_FROST_SESSION_FREE(ctx, st->sub, st->t_old);
    }
    mpc_frost_key_package_clear(&st->key);
    mpc_frost_key_package_clear(&st->new_key);
    mpc_wipe(st, sizeof *st);
}

const mpc_protocol mpc_frost_reshare_protocol = {
    .id = MPC_FROST_RESHARE_PROTOCOL_ID,
    .name = "frost-ed25519-reshare",
    .rounds = 3,
    .state_bytes = sizeof(struct reshare),
    .result_bytes = sizeof(mpc_frost_key_result),
    .max_payload_bytes = MPC_FROST_SESSION_PAYLOAD_MAX,
    .echo_exchange = MPC_PROTOCOL_ROUND(3),
    .init = reshare_init,
    .pattern = reshare_pattern,
    .round_start = reshare_start,
    .round_complete = reshare_complete,
    .take_result = reshare_take,
    .clear = reshare_clear,
};
