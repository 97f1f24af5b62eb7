/*
 * CGGMP21 threshold key generation and refresh as round tables
 * (include/mpc/cggmp_keys.h, crypto.md §2.5B and E): commit-reveal of
 * Feldman commitments, rid and a chain-code share; P2P Shamir shares
 * checked against the commitments; Πsch on every new verifying share.
 * A refresh is the same protocol with every constant term zero, added to
 * the existing shares.
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

#define RID_BYTES 32
#define CHAIN_BYTES 32
#define U_BYTES 32
/* rid_i || c_i || u_i, then the t commitments. */
#define OPENING_FIXED_BYTES (RID_BYTES + CHAIN_BYTES + U_BYTES)

struct keygen {
    const mpc_session_info *info;
    const mpc_group *g;
    unsigned n, t, self;
    bool refresh;       /* zero constants, added to the key in `key` */
    mpc_scalar *coef;   /* [t], secret; until round 2 starts */
    mpc_point *commit;  /* [n*t], row j from party j; until round 2 ends */
    mpc_scalar *shares; /* [n], f_j(I(self)), secret; until round 2 ends */
    uint8_t *opening;   /* own round-2 broadcast; until round 2 starts */
    size_t opening_bytes;
    uint8_t *commits; /* [n * MPC_CGGMP_COMMIT_BYTES] */
    bool have_key;
    mpc_cggmp_key_share key; /* secret share; moved to the result */
};

/* Refresh: the current share must be this session's committee, and its
 * secret must match its own verifying share. */
static mpc_err copy_old_key(struct keygen *st, const mpc_cggmp_key_share *old)
{
    mpc_point xg;
    if (old->n != st->n || old->t != st->t || old->self != st->self ||
        old->ids == NULL || old->vshares == NULL ||
        mpc_vss_ids_check_var(st->g, old->ids, st->n) != MPC_OK ||
        mpc_point_is_identity(st->g, &old->pubkey))
        return MPC_ERR_INVALID_ARG;
    mpc_point_mul_base(st->g, &xg, &old->x);
    if (!mpc_point_eq(st->g, &xg, &old->vshares[st->self]))
        return MPC_ERR_INVALID_ARG;
    st->key.x = old->x;
    st->key.pubkey = old->pubkey;
    memcpy(st->key.chain_code, old->chain_code, CHAIN_BYTES);
    for (unsigned j = 0; j < st->n; j++) {
        st->key.ids[j] = old->ids[j];
        st->key.vshares[j] = old->vshares[j];
    }
    return MPC_OK;
}

static mpc_err setup(struct keygen *st, const mpc_session_info *info,
                     const mpc_cggmp_key_share *old)
{
    const mpc_ctx *ctx = info->ctx;
    st->info = info;
    st->g = MPC_CGGMP_GROUP(info);
    st->n = info->n;
    st->t = info->threshold;
    st->self = info->self;
    mpc_cggmp_key_share_init(&st->key);
    st->have_key = true;
    if (st->g == NULL || st->t < 2 || st->t > st->n ||
        st->n > MPC_CGGMP_MAX_PARTIES)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = mpc_cggmp_key_share_alloc(ctx, &st->key, st->n);
    if (err != MPC_OK)
        return err;
    st->key.t = st->t;
    st->key.self = st->self;
    if (old != NULL) {
        err = copy_old_key(st, old);
        if (err != MPC_OK)
            return err;
    } else {
        for (unsigned j = 0; j < st->n; j++)
            mpc_scalar_set_u64(st->g, &st->key.ids[j], j + 1);
    }
    st->opening_bytes =
        OPENING_FIXED_BYTES + mpc_vss_commitment_bytes(st->g, st->t);
    st->coef = mpc_ctx_alloc_array(ctx, st->t, sizeof *st->coef);
    st->commit =
        mpc_ctx_alloc_array(ctx, (size_t)st->n * st->t, sizeof *st->commit);
    st->shares = mpc_ctx_alloc_array(ctx, st->n, sizeof *st->shares);
    st->opening = mpc_ctx_alloc(ctx, st->opening_bytes);
    st->commits =
        mpc_ctx_alloc_array(ctx, st->n, (size_t)MPC_CGGMP_COMMIT_BYTES);
    if (st->coef == NULL || st->commit == NULL || st->shares == NULL ||
        st->opening == NULL || st->commits == NULL)
        return MPC_ERR_NOMEM;
    return MPC_OK;
}

static mpc_err kg_init(void *state, const mpc_session_info *info,
                       const void *input)
{
    struct keygen *st = state;
    mpc_err err = setup(st, info, NULL);
    return err == MPC_OK && input != NULL ? MPC_ERR_INVALID_ARG : err;
}

static mpc_err refresh_init(void *state, const mpc_session_info *info,
                            const void *input)
{
    struct keygen *st = state;
    st->refresh = true;
    if (input == NULL)
        return MPC_ERR_INVALID_ARG;
    return setup(st, info, input);
}

static uint32_t protocol_id(const struct keygen *st)
{
    return st->refresh ? MPC_CGGMP_REFRESH_PROTOCOL_ID
                       : MPC_CGGMP_KEYGEN_PROTOCOL_ID;
}

static unsigned kg_pattern(const void *state, unsigned round, unsigned from,
                           unsigned to)
{
    (void)state;
    (void)from;
    (void)to;
    return round == 2 ? MPC_PROTOCOL_BCAST | MPC_PROTOCOL_P2P
                      : MPC_PROTOCOL_BCAST;
}

/* Round 1: f_i, S_i, rid_i, c_i, u_i into the opening; broadcast V_i. */
static mpc_err start1(struct keygen *st, mpc_session_outbox *out)
{
    mpc_point *row = &st->commit[st->self * st->t];
    mpc_scalar zero;
    mpc_scalar_set_zero(&zero);
    mpc_poly_random(st->g, st->coef, st->t, st->refresh ? &zero : NULL);
    mpc_poly_commit(st->g, row, st->coef, st->t);
    mpc_ctx_random(st->info->ctx, st->opening, OPENING_FIXED_BYTES);
    memcpy(st->key.rid, st->opening, RID_BYTES);
    if (st->refresh) /* the chain code of a key never changes */
        memset(st->opening + RID_BYTES, 0, CHAIN_BYTES);
    else
        memcpy(st->key.chain_code, st->opening + RID_BYTES, CHAIN_BYTES);
    mpc_vss_commitment_serialize(st->g, st->opening + OPENING_FIXED_BYTES, row,
                                 st->t);
    uint8_t *v = &st->commits[st->self * MPC_CGGMP_COMMIT_BYTES];
    mpc_cggmp_commit(v, st->info->sid, protocol_id(st), st->self, st->opening,
                     st->opening_bytes);
    mpc_wire_write_bytes(mpc_session_outbox_bcast(out), v,
                         MPC_CGGMP_COMMIT_BYTES);
    return MPC_OK;
}

/* Round 2: the opening to all, f_i(I(j)) to each j; f_i is then gone. */
static mpc_err start2(struct keygen *st, mpc_session_outbox *out)
{
    const mpc_ctx *ctx = st->info->ctx;
    mpc_wire_write_bytes(mpc_session_outbox_bcast(out), st->opening,
                         st->opening_bytes);
    mpc_ctx_free_mem(ctx, st->opening, st->opening_bytes);
    st->opening = NULL;
    for (unsigned j = 0; j < st->n; j++) {
        mpc_scalar s;
        mpc_poly_eval(st->g, &s, st->coef, st->t, &st->key.ids[j]);
        if (j == st->self)
            st->shares[j] = s;
        else
            mpc_wire_write_scalar(mpc_session_outbox_p2p(out, j), st->g, &s);
        mpc_scalar_clear(&s);
    }
    mpc_ctx_free_mem(ctx, st->coef, (size_t)st->t * sizeof *st->coef);
    st->coef = NULL;
    return MPC_OK;
}

/* Round 3: Πsch for X_self, bound to (sid, self, rid). */
static void sch_transcript(const struct keygen *st, mpc_transcript *t,
                           unsigned prover)
{
    mpc_session_info_transcript(st->info, t, "cggmp.keygen.sch", prover);
    mpc_transcript_append_u64(t, "cggmp.keygen.refresh", st->refresh);
    mpc_transcript_append(t, "cggmp.keygen.rid", st->key.rid, RID_BYTES);
}

static mpc_err start3(struct keygen *st, mpc_session_outbox *out)
{
    mpc_transcript t;
    sch_transcript(st, &t, st->self);
    return mpc_cggmp_sch_send(st->g, out, &t, &st->key.vshares[st->self],
                              &st->key.x);
}

static mpc_err kg_start(void *state, unsigned round, mpc_session_outbox *out)
{
    struct keygen *st = state;
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

static mpc_err complete1(struct keygen *st, mpc_session_inbox *in)
{
    return mpc_cggmp_commits_read(in, st->n, st->self, st->commits,
                                  "cggmp keygen: commitment is not 32 bytes");
}

/* Party j's opening and share: decommitment, Feldman check; rid, c. */
static mpc_err check_dealer(struct keygen *st, mpc_session_inbox *in,
                            unsigned j)
{
    const uint8_t *p;
    size_t len;
    uint8_t v[MPC_CGGMP_COMMIT_BYTES];
    mpc_point *row = &st->commit[j * st->t];
    (void)mpc_session_inbox_bcast(in, j, &p, &len);
    if (len != st->opening_bytes)
        /* Also a vector of t+1 commitments: it would raise the threshold. */
        return mpc_cggmp_blame(
            in, j, MPC_BLAME_PARSE, MPC_ERR_PARSE,
            "cggmp keygen: opening length (commitments != t)");
    mpc_cggmp_commit(v, st->info->sid, protocol_id(st), j, p, len);
    if (memcmp(v, &st->commits[j * MPC_CGGMP_COMMIT_BYTES], sizeof v) != 0)
        return mpc_cggmp_blame(
            in, j, MPC_BLAME_VERIFY, MPC_ERR_VERIFY,
            "cggmp keygen: opening does not match commitment");
    if (mpc_vss_commitment_parse(st->g, row, st->t, p + OPENING_FIXED_BYTES,
                                 len - OPENING_FIXED_BYTES) != MPC_OK)
        return mpc_cggmp_blame(in, j, MPC_BLAME_PARSE, MPC_ERR_PARSE,
                               "cggmp keygen: malformed commitments");
    /* A refresh deals zero; a non-zero constant would move the key. */
    if (st->refresh != mpc_point_is_identity(st->g, &row[0]))
        return mpc_cggmp_blame(in, j, MPC_BLAME_PROTOCOL, MPC_ERR_PROTOCOL,
                               st->refresh
                                   ? "cggmp refresh: constant term is not zero"
                                   : "cggmp keygen: constant term is zero");
    const uint8_t *sp;
    size_t slen;
    mpc_wire_reader r;
    (void)mpc_session_inbox_p2p(in, j, &sp, &slen);
    mpc_wire_reader_init(&r, sp, slen);
    if (mpc_wire_read_scalar(&r, st->g, &st->shares[j]) != MPC_OK ||
        mpc_wire_reader_finish(&r) != MPC_OK)
        return mpc_cggmp_blame(in, j, MPC_BLAME_PARSE, MPC_ERR_PARSE,
                               "cggmp keygen: share is not a canonical scalar");
    if (mpc_vss_verify_share(st->g, row, st->t, &st->key.ids[st->self],
                             &st->shares[j]) != MPC_OK)
        return mpc_cggmp_blame(
            in, j, MPC_BLAME_VERIFY, MPC_ERR_VERIFY,
            "cggmp keygen: share does not match its commitments");
    for (size_t k = 0; k < RID_BYTES; k++)
        st->key.rid[k] ^= p[k];
    for (size_t k = 0; k < CHAIN_BYTES && !st->refresh; k++)
        st->key.chain_code[k] ^= p[RID_BYTES + k];
    return MPC_OK;
}

/* x_self, Y and every X_k from the checked dealings. */
static mpc_err combine(struct keygen *st, mpc_session_inbox *in)
{
    const mpc_point *rows[MPC_CGGMP_MAX_PARTIES];
    mpc_point sum[MPC_CGGMP_MAX_PARTIES];
    for (unsigned j = 0; j < st->n; j++)
        rows[j] = &st->commit[j * st->t];
    mpc_vss_commitments_sum(st->g, sum, rows, st->n, st->t);
    if (!st->refresh) {
        mpc_scalar_set_zero(&st->key.x);
        for (unsigned k = 0; k < st->n; k++)
            mpc_point_set_identity(st->g, &st->key.vshares[k]);
        st->key.pubkey = sum[0];
    }
    for (unsigned j = 0; j < st->n; j++)
        mpc_scalar_add(st->g, &st->key.x, &st->key.x, &st->shares[j]);
    if (mpc_point_is_identity(st->g, &st->key.pubkey))
        return mpc_cggmp_blame(in, MPC_BLAME_NOBODY, MPC_BLAME_PROTOCOL,
                               MPC_ERR_PROTOCOL,
                               "cggmp keygen: joint key is the identity");
    for (unsigned k = 0; k < st->n; k++) {
        mpc_point d;
        mpc_vss_commitment_eval_var(st->g, &d, sum, st->t, &st->key.ids[k]);
        mpc_point_add(st->g, &st->key.vshares[k], &st->key.vshares[k], &d);
    }
    return MPC_OK;
}

static mpc_err complete2(struct keygen *st, mpc_session_inbox *in)
{
    const mpc_ctx *ctx = st->info->ctx;
    mpc_err err = MPC_OK;
    for (unsigned j = 0; j < st->n; j++) {
        if (j == st->self)
            continue;
        mpc_err e = check_dealer(st, in, j);
        err = err != MPC_OK ? err : e;
    }
    if (err == MPC_OK)
        err = combine(st, in);
    mpc_ctx_free_mem(ctx, st->shares, (size_t)st->n * sizeof *st->shares);
    mpc_ctx_free_mem(ctx, st->commit,
                     (size_t)st->n * st->t * sizeof *st->commit);
    st->shares = NULL;
    st->commit = NULL;
    return err;
}

static mpc_err complete3(struct keygen *st, mpc_session_inbox *in)
{
    mpc_err err = MPC_OK;
    for (unsigned j = 0; j < st->n; j++) {
        const uint8_t *p;
        size_t len;
        mpc_schnorr_proof proof;
        mpc_transcript t;
        if (j == st->self)
            continue;
        (void)mpc_session_inbox_bcast(in, j, &p, &len);
        if (mpc_schnorr_proof_parse(st->g, &proof, p, len) != MPC_OK) {
            err = mpc_cggmp_blame(in, j, MPC_BLAME_PARSE, MPC_ERR_PARSE,
                                  "cggmp keygen: malformed Πsch");
            continue;
        }
        sch_transcript(st, &t, j);
        mpc_err e = mpc_schnorr_verify(st->g, &t, &st->key.vshares[j], &proof);
        mpc_transcript_clear(&t);
        if (e != MPC_OK)
            err = mpc_cggmp_blame(in, j, MPC_BLAME_VERIFY, MPC_ERR_VERIFY,
                                  "cggmp keygen: Πsch does not verify");
    }
    return err;
}

static mpc_err kg_complete(void *state, unsigned round, mpc_session_inbox *in)
{
    struct keygen *st = state;
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

static void kg_take(void *state, void *result)
{
    struct keygen *st = state;
    mpc_cggmp_key_take(result, &st->key, &st->have_key);
}

static void kg_clear(void *state)
{
    struct keygen *st = state;
    if (st->info != NULL) {
        const mpc_ctx *ctx = st->info->ctx;
        if (st->have_key)
            mpc_cggmp_key_share_clear(ctx, &st->key);
        mpc_ctx_free_mem(ctx, st->coef, (size_t)st->t * sizeof *st->coef);
        mpc_ctx_free_mem(ctx, st->commit,
                         (size_t)st->n * st->t * sizeof *st->commit);
        mpc_ctx_free_mem(ctx, st->shares, (size_t)st->n * sizeof *st->shares);
        mpc_ctx_free_mem(ctx, st->opening, st->opening_bytes);
        mpc_ctx_free_mem(ctx, st->commits,
                         (size_t)st->n * MPC_CGGMP_COMMIT_BYTES);
    }
    mpc_wipe(st, sizeof *st);
}

const mpc_protocol mpc_cggmp_keygen_protocol = {
    .id = MPC_CGGMP_KEYGEN_PROTOCOL_ID,
    .name = "cggmp-secp256k1-keygen",
    .rounds = 3,
    .state_bytes = sizeof(struct keygen),
    .result_bytes = sizeof(mpc_cggmp_key_share),
    .max_payload_bytes = 0,
    .echo_exchange = MPC_PROTOCOL_ROUND(3),
    .init = kg_init,
    .pattern = kg_pattern,
    .round_start = kg_start,
    .round_complete = kg_complete,
    .take_result = kg_take,
    .clear = kg_clear,
};

const mpc_protocol mpc_cggmp_refresh_protocol = {
    .id = MPC_CGGMP_REFRESH_PROTOCOL_ID,
    .name = "cggmp-secp256k1-refresh",
    .rounds = 3,
    .state_bytes = sizeof(struct keygen),
    .result_bytes = sizeof(mpc_cggmp_key_share),
    .max_payload_bytes = 0,
    .echo_exchange = MPC_PROTOCOL_ROUND(3),
    .init = refresh_init,
    .pattern = kg_pattern,
    .round_start = kg_start,
    .round_complete = kg_complete,
    .take_result = kg_take,
    .clear = kg_clear,
};
