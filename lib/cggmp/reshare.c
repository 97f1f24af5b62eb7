/*
 * CGGMP21 key resharing to a new committee and threshold as a round table
 * (include/mpc/cggmp_keys.h, crypto.md §2.5F): Wong–Wang–Wing REDIST
 * (mpc/vss.h reshare math) with commit-reveal of the dealers' Feldman
 * commitments and Πsch on every new verifying share.
 */
#include <string.h>

#include "lib/cggmp/cggmp_internal.h"
#include "mpc/cggmp_keys.h"
#include "mpc/mem.h"
#include "mpc/protocol.h"
#include "mpc/schnorr.h"
#include "mpc/transcript.h"
#include "mpc/vss.h"
#include "mpc/wire.h"

#define U_BYTES 32
#define NONE 0xFFu

struct reshare {
    const mpc_session_info *info;
    const mpc_group *g;
    unsigned n, self;
    size_t nq, t_old, nn, t_new;
    uint8_t qpos[MPC_SESSION_PARTIES_MAX];   /* session index -> quorum pos */
    uint8_t npos[MPC_SESSION_PARTIES_MAX];   /* session index -> new pos */
    unsigned quorum[MPC_CGGMP_MAX_PARTIES];  /* quorum pos -> session */
    unsigned members[MPC_CGGMP_MAX_PARTIES]; /* new pos -> session */
    mpc_scalar qids[MPC_CGGMP_MAX_PARTIES];
    mpc_point qvshares[MPC_CGGMP_MAX_PARTIES];
    mpc_scalar new_ids[MPC_CGGMP_MAX_PARTIES];
    mpc_point pubkey;
    mpc_scalar old_x;   /* secret: this dealer's old share */
    mpc_scalar *out;    /* [nn], secret: own dealing's sub-shares */
    mpc_point *commit;  /* [nq * t_new], row q from dealer q */
    mpc_scalar *shares; /* [nq], secret: g_q(I'(self)) */
    uint8_t *opening;   /* own u || C, until round 2 starts */
    size_t opening_bytes;
    uint8_t *commits; /* [nq * MPC_CGGMP_COMMIT_BYTES] */
    bool have_key;
    mpc_cggmp_key_share key; /* for a new member; moved to the result */
};

static bool is_dealer(const struct reshare *st, unsigned i)
{
    return st->qpos[i] != NONE;
}

static bool is_member(const struct reshare *st, unsigned i)
{
    return st->npos[i] != NONE;
}

/* Copies a party list into pos/list, checking range and uniqueness. */
static bool copy_parties(const struct reshare *st, uint8_t *pos, unsigned *list,
                         const unsigned *in, size_t len)
{
    if (in == NULL || len == 0 || len > MPC_CGGMP_MAX_PARTIES)
        return false;
    for (size_t k = 0; k < len; k++) {
        if (in[k] >= st->n || pos[in[k]] != NONE)
            return false;
        pos[in[k]] = (uint8_t)k;
        list[k] = in[k];
    }
    return true;
}

/* The dealer's own share must be the quorum's entry for it. */
static mpc_err check_own_share(struct reshare *st,
                               const mpc_cggmp_key_share *ks)
{
    size_t q = st->qpos[st->self];
    mpc_point x;
    if (ks == NULL || ks->ids == NULL || ks->self >= ks->n ||
        ks->t != st->t_old ||
        !mpc_scalar_eq(&ks->ids[ks->self], &st->qids[q]) ||
        !mpc_point_eq(st->g, &ks->pubkey, &st->pubkey))
        return MPC_ERR_INVALID_ARG;
    mpc_point_mul_base(st->g, &x, &ks->x);
    if (!mpc_point_eq(st->g, &x, &st->qvshares[q]))
        return MPC_ERR_INVALID_ARG;
    st->old_x = ks->x;
    return MPC_OK;
}

static mpc_err copy_input(struct reshare *st, const mpc_cggmp_reshare_input *in)
{
    memset(st->qpos, NONE, sizeof st->qpos);
    memset(st->npos, NONE, sizeof st->npos);
    st->nq = in->n_quorum;
    st->nn = in->n_members;
    st->t_old = in->t_old;
    if (!copy_parties(st, st->qpos, st->quorum, in->quorum, st->nq) ||
        !copy_parties(st, st->npos, st->members, in->members, st->nn) ||
        in->quorum_ids == NULL || in->quorum_vshares == NULL || st->t_old < 1 ||
        st->nq < st->t_old || st->t_new < 2 || st->t_new > st->nn ||
        mpc_point_is_identity(st->g, &in->pubkey))
        return MPC_ERR_INVALID_ARG;
    /* Every session party deals, receives, or both. */
    for (unsigned i = 0; i < st->n; i++)
        if (!is_dealer(st, i) && !is_member(st, i))
            return MPC_ERR_INVALID_ARG;
    for (size_t k = 0; k < st->nq; k++) {
        st->qids[k] = in->quorum_ids[k];
        st->qvshares[k] = in->quorum_vshares[k];
    }
    for (size_t k = 0; k < st->nn; k++)
        mpc_scalar_set_u64(st->g, &st->new_ids[k], k + 1);
    st->pubkey = in->pubkey;
    if (mpc_vss_ids_check_var(st->g, st->qids, st->nq) != MPC_OK)
        return MPC_ERR_INVALID_ARG;
    if (is_dealer(st, st->self))
        return check_own_share(st, in->share);
    return in->share == NULL ? MPC_OK : MPC_ERR_INVALID_ARG;
}

static mpc_err alloc_state(struct reshare *st,
                           const mpc_cggmp_reshare_input *in)
{
    const mpc_ctx *ctx = st->info->ctx;
    st->opening_bytes = U_BYTES + mpc_vss_commitment_bytes(st->g, st->t_new);
    st->commit =
        mpc_ctx_alloc_array(ctx, st->nq * st->t_new, sizeof *st->commit);
    st->shares = mpc_ctx_alloc_array(ctx, st->nq, sizeof *st->shares);
    st->out = mpc_ctx_alloc_array(ctx, st->nn, sizeof *st->out);
    st->opening = mpc_ctx_alloc(ctx, st->opening_bytes);
    st->commits = mpc_ctx_alloc_array(ctx, st->nq, MPC_CGGMP_COMMIT_BYTES);
    if (st->commit == NULL || st->shares == NULL || st->out == NULL ||
        st->opening == NULL || st->commits == NULL)
        return MPC_ERR_NOMEM;
    if (!is_member(st, st->self))
        return MPC_OK;
    mpc_err err = mpc_cggmp_key_share_alloc(ctx, &st->key, (uint32_t)st->nn);
    if (err != MPC_OK)
        return err;
    st->key.t = (uint32_t)st->t_new;
    st->key.self = st->npos[st->self];
    st->key.pubkey = st->pubkey;
    memcpy(st->key.chain_code, in->chain_code, sizeof st->key.chain_code);
    for (size_t k = 0; k < st->nn; k++)
        st->key.ids[k] = st->new_ids[k];
    return MPC_OK;
}

static mpc_err rs_init(void *state, const mpc_session_info *info,
                       const void *input)
{
    struct reshare *st = state;
    st->info = info;
    st->g = MPC_CGGMP_GROUP(info);
    st->n = info->n;
    st->self = info->self;
    st->t_new = info->threshold;
    mpc_cggmp_key_share_init(&st->key);
    st->have_key = true;
    if (input == NULL || st->g == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = copy_input(st, input);
    if (err != MPC_OK)
        return err;
    return alloc_state(st, input);
}

static unsigned rs_pattern(const void *state, unsigned round, unsigned from,
                           unsigned to)
{
    const struct reshare *st = state;
    if (round == 3)
        return is_member(st, from) ? MPC_PROTOCOL_BCAST : 0;
    if (!is_dealer(st, from) || !is_member(st, to))
        return 0;
    return round == 2 ? MPC_PROTOCOL_BCAST | MPC_PROTOCOL_P2P
                      : MPC_PROTOCOL_BCAST;
}

/* Round 1 (dealers): g_i with g_i(0) = λ_i x_i, commit to (u_i, C_i). */
static mpc_err start1(struct reshare *st, mpc_session_outbox *out)
{
    if (!is_dealer(st, st->self))
        return MPC_OK;
    size_t q = st->qpos[st->self];
    mpc_point *row = &st->commit[q * st->t_new];
    mpc_vss_committee from = {.ids = st->qids, .n = st->nq, .t = st->t_old};
    mpc_vss_committee to = {.ids = st->new_ids, .n = st->nn, .t = st->t_new};
    if (mpc_vss_reshare_deal(st->g, row, st->out, &from, q, &st->old_x, &to) !=
        MPC_OK)
        return MPC_ERR_INTERNAL; /* checked at init */
    mpc_scalar_clear(&st->old_x);
    mpc_ctx_random(st->info->ctx, st->opening, U_BYTES);
    for (size_t k = 0; k < U_BYTES && is_member(st, st->self); k++)
        st->key.rid[k] ^= st->opening[k];
    mpc_vss_commitment_serialize(st->g, st->opening + U_BYTES, row, st->t_new);
    uint8_t *v = &st->commits[q * MPC_CGGMP_COMMIT_BYTES];
    mpc_cggmp_commit(v, st->info->sid, MPC_CGGMP_RESHARE_PROTOCOL_ID, st->self,
                     st->opening, st->opening_bytes);
    mpc_wire_write_bytes(mpc_session_outbox_bcast(out), v,
                         MPC_CGGMP_COMMIT_BYTES);
    return MPC_OK;
}

/* Round 2 (dealers): the opening, and g_i(I'(k)) to each new member. */
static mpc_err start2(struct reshare *st, mpc_session_outbox *out)
{
    const mpc_ctx *ctx = st->info->ctx;
    if (is_dealer(st, st->self)) {
        mpc_wire_write_bytes(mpc_session_outbox_bcast(out), st->opening,
                             st->opening_bytes);
        for (size_t k = 0; k < st->nn; k++) {
            if (st->members[k] == st->self)
                st->shares[st->qpos[st->self]] = st->out[k];
            else
                mpc_wire_write_scalar(
                    mpc_session_outbox_p2p(out, st->members[k]), st->g,
                    &st->out[k]);
        }
    }
    mpc_ctx_free_mem(ctx, st->out, st->nn * sizeof *st->out);
    mpc_ctx_free_mem(ctx, st->opening, st->opening_bytes);
    st->out = NULL;
    st->opening = NULL;
    return MPC_OK;
}

static void sch_transcript(const struct reshare *st, mpc_transcript *t,
                           unsigned prover)
{
    mpc_session_info_transcript(st->info, t, "cggmp.reshare.sch", prover);
    mpc_transcript_append(t, "cggmp.reshare.rid", st->key.rid,
                          sizeof st->key.rid);
}

/* Round 3 (new members): Πsch for X'_self. */
static mpc_err start3(struct reshare *st, mpc_session_outbox *out)
{
    if (!is_member(st, st->self))
        return MPC_OK;
    mpc_transcript t;
    sch_transcript(st, &t, st->self);
    return mpc_cggmp_sch_send(st->g, out, &t, &st->key.vshares[st->key.self],
                              &st->key.x);
}

static mpc_err rs_start(void *state, unsigned round, mpc_session_outbox *out)
{
    struct reshare *st = state;
    switch (round) {
    case 1:
        return start1(st, out);
    case 2:
        return start2(st, out);
    case 3:
        return start3(st, out);
    }
    return MPC_ERR_INTERNAL;
}

static mpc_err complete1(struct reshare *st, mpc_session_inbox *in)
{
    mpc_err err = MPC_OK;
    if (!is_member(st, st->self))
        return MPC_OK;
    for (size_t q = 0; q < st->nq; q++) {
        unsigned j = st->quorum[q];
        const uint8_t *p;
        size_t len;
        if (j == st->self)
            continue;
        (void)mpc_session_inbox_bcast(in, j, &p, &len);
        if (len != MPC_CGGMP_COMMIT_BYTES) {
            err = mpc_cggmp_blame(in, j, MPC_BLAME_PARSE, MPC_ERR_PARSE,
                                  "cggmp reshare: commitment is not 32 bytes");
            continue;
        }
        memcpy(&st->commits[q * MPC_CGGMP_COMMIT_BYTES], p, len);
    }
    return err;
}

/* Dealer q's opening and sub-share; rid absorbs its u. */
static mpc_err read_dealing(struct reshare *st, mpc_session_inbox *in, size_t q)
{
    unsigned j = st->quorum[q];
    const uint8_t *p;
    size_t len;
    uint8_t v[MPC_CGGMP_COMMIT_BYTES];
    (void)mpc_session_inbox_bcast(in, j, &p, &len);
    if (len != st->opening_bytes)
        return mpc_cggmp_blame(
            in, j, MPC_BLAME_PARSE, MPC_ERR_PARSE,
            "cggmp reshare: opening length (commitments != t)");
    mpc_cggmp_commit(v, st->info->sid, MPC_CGGMP_RESHARE_PROTOCOL_ID, j, p,
                     len);
    if (memcmp(v, &st->commits[q * MPC_CGGMP_COMMIT_BYTES], sizeof v) != 0)
        return mpc_cggmp_blame(
            in, j, MPC_BLAME_VERIFY, MPC_ERR_VERIFY,
            "cggmp reshare: opening does not match commitment");
    if (mpc_vss_commitment_parse(st->g, &st->commit[q * st->t_new], st->t_new,
                                 p + U_BYTES, len - U_BYTES) != MPC_OK)
        return mpc_cggmp_blame(in, j, MPC_BLAME_PARSE, MPC_ERR_PARSE,
                               "cggmp reshare: malformed commitments");
    const uint8_t *sp;
    size_t slen;
    mpc_wire_reader r;
    (void)mpc_session_inbox_p2p(in, j, &sp, &slen);
    mpc_wire_reader_init(&r, sp, slen);
    if (mpc_wire_read_scalar(&r, st->g, &st->shares[q]) != MPC_OK ||
        mpc_wire_reader_finish(&r) != MPC_OK)
        return mpc_cggmp_blame(
            in, j, MPC_BLAME_PARSE, MPC_ERR_PARSE,
            "cggmp reshare: share is not a canonical scalar");
    for (size_t k = 0; k < U_BYTES; k++)
        st->key.rid[k] ^= p[k];
    return MPC_OK;
}

/* x'_self and every X'_k (mpc_vss_reshare_receive), blaming a dealer. */
static mpc_err receive(struct reshare *st, mpc_session_inbox *in)
{
    mpc_vss_dealing d[MPC_CGGMP_MAX_PARTIES];
    for (size_t q = 0; q < st->nq; q++)
        d[q] = (mpc_vss_dealing){.commit = &st->commit[q * st->t_new],
                                 .commit_len = st->t_new,
                                 .share = &st->shares[q]};
    mpc_vss_committee from = {
        .ids = st->qids, .vshares = st->qvshares, .n = st->nq, .t = st->t_old};
    mpc_vss_committee to = {.ids = st->new_ids, .n = st->nn, .t = st->t_new};
    mpc_vss_blame b;
    mpc_err err =
        mpc_vss_reshare_receive(st->g, &st->key.x, st->key.vshares, &b,
                                &st->pubkey, &from, d, &to, st->key.self);
    if (err == MPC_ERR_PROTOCOL && b.dealer < st->nq)
        return mpc_cggmp_blame(
            in, st->quorum[b.dealer], MPC_BLAME_VERIFY, err,
            b.fault == MPC_VSS_FAULT_CONSTANT
                ? "cggmp reshare: constant is not λ_i X_i"
                : "cggmp reshare: share does not match commitments");
    if (err == MPC_ERR_VERIFY)
        /* Consistent dealings that do not add up to Y: the inputs (Y, the
         * quorum's X_i) are not this key's, or the quorum is too small. */
        return mpc_cggmp_blame(in, MPC_BLAME_NOBODY, MPC_BLAME_PROTOCOL,
                               MPC_ERR_PROTOCOL,
                               "cggmp reshare: dealings do not sum to the key");
    return err == MPC_OK ? MPC_OK : MPC_ERR_INTERNAL;
}

static mpc_err complete2(struct reshare *st, mpc_session_inbox *in)
{
    const mpc_ctx *ctx = st->info->ctx;
    mpc_err err = MPC_OK;
    if (is_member(st, st->self)) {
        for (size_t q = 0; q < st->nq; q++) {
            if (st->quorum[q] == st->self)
                continue;
            mpc_err e = read_dealing(st, in, q);
            err = err != MPC_OK ? err : e;
        }
        if (err == MPC_OK)
            err = receive(st, in);
    }
    mpc_ctx_free_mem(ctx, st->shares, st->nq * sizeof *st->shares);
    mpc_ctx_free_mem(ctx, st->commit, st->nq * st->t_new * sizeof *st->commit);
    st->shares = NULL;
    st->commit = NULL;
    return err;
}

/* Every party that learned the new verifying shares checks the proofs;
 * an old-only party just takes the proofs as acks. */
static mpc_err complete3(struct reshare *st, mpc_session_inbox *in)
{
    mpc_err err = MPC_OK;
    for (size_t k = 0; k < st->nn; k++) {
        unsigned j = st->members[k];
        const uint8_t *p;
        size_t len;
        mpc_schnorr_proof proof;
        mpc_transcript t;
        if (j == st->self)
            continue;
        (void)mpc_session_inbox_bcast(in, j, &p, &len);
        if (mpc_schnorr_proof_parse(st->g, &proof, p, len) != MPC_OK) {
            err = mpc_cggmp_blame(in, j, MPC_BLAME_PARSE, MPC_ERR_PARSE,
                                  "cggmp reshare: malformed Πsch");
            continue;
        }
        if (!is_member(st, st->self))
            continue;
        sch_transcript(st, &t, j);
        mpc_err e = mpc_schnorr_verify(st->g, &t, &st->key.vshares[k], &proof);
        mpc_transcript_clear(&t);
        if (e != MPC_OK)
            err = mpc_cggmp_blame(in, j, MPC_BLAME_VERIFY, MPC_ERR_VERIFY,
                                  "cggmp reshare: Πsch does not verify");
    }
    return err;
}

static mpc_err rs_complete(void *state, unsigned round, mpc_session_inbox *in)
{
    struct reshare *st = state;
    switch (round) {
    case 1:
        return complete1(st, in);
    case 2:
        return complete2(st, in);
    case 3:
        return complete3(st, in);
    }
    return MPC_ERR_INTERNAL;
}

static void rs_take(void *state, void *result)
{
    struct reshare *st = state;
    mpc_cggmp_key_take(result, &st->key, &st->have_key);
}

static void rs_clear(void *state)
{
    struct reshare *st = state;
    if (st->info != NULL) {
        const mpc_ctx *ctx = st->info->ctx;
        if (st->have_key)
            mpc_cggmp_key_share_clear(ctx, &st->key);
        mpc_ctx_free_mem(ctx, st->out, st->nn * sizeof *st->out);
        mpc_ctx_free_mem(ctx, st->commit,
                         st->nq * st->t_new * sizeof *st->commit);
        mpc_ctx_free_mem(ctx, st->shares, st->nq * sizeof *st->shares);
        mpc_ctx_free_mem(ctx, st->opening, st->opening_bytes);
        mpc_ctx_free_mem(ctx, st->commits, st->nq * MPC_CGGMP_COMMIT_BYTES);
    }
    mpc_wipe(st, sizeof *st);
}

const mpc_protocol mpc_cggmp_reshare_protocol = {
    .id = MPC_CGGMP_RESHARE_PROTOCOL_ID,
    .name = "cggmp-secp256k1-reshare",
    .rounds = 3,
    .state_bytes = sizeof(struct reshare),
    .result_bytes = sizeof(mpc_cggmp_key_share),
    .max_payload_bytes = 0,
    .echo_exchange = MPC_PROTOCOL_ROUND(3),
    .init = rs_init,
    .pattern = rs_pattern,
    .round_start = rs_start,
    .round_complete = rs_complete,
    .take_result = rs_take,
    .clear = rs_clear,
};
