/*
 * FROST DKG as a round table (include/mpc/frost_session.h): the FROST
 * paper's Fig. 1 Pedersen DKG with proofs of knowledge, as mpc/frost.h
 * computes it, plus a key-confirmation round.
 */
#include <string.h>

#include "lib/frost/frost_session_internal.h"
#include "mpc/mem.h"
#include "mpc/transcript.h"
#include "mpc/wire.h"

/* Bytes of the proof-of-knowledge context (a transcript challenge). */
#define POK_CONTEXT_BYTES 64

struct dkg {
    const mpc_session_info *info;
    const mpc_group *g;
    size_t n, t, self;
    uint8_t context[POK_CONTEXT_BYTES];
    mpc_scalar *ids;    /* [n], moved to the result */
    mpc_point *vshares; /* [n], moved to the result */
    mpc_point *commit;  /* [n*t], row j from party j; until round 2 ends */
    mpc_scalar *coef;   /* [t], secret; until round 2 starts */
    mpc_scalar *shares; /* [n], f_j(id_self), secret; until round 2 ends */
    mpc_frost_pok pok;
    mpc_frost_key_package key; /* secret; moved to the result */
    uint8_t digest[MPC_FROST_CONFIRM_BYTES];
};

/*
 * The proof-of-knowledge context: the session seed (session id, protocol,
 * n, t) and the ordered identifier list, so that a proof made for one DKG
 * verifies in no other session and for no other party set.
 */
static void pok_context(struct dkg *st)
{
    mpc_transcript tr = st->info->seed;
    static const char label[] = "frost-ed25519-dkg proof of knowledge";
    mpc_transcript_append(&tr, "context", (const uint8_t *)label,
                          sizeof label - 1);
    mpc_transcript_append_u64(&tr, "parties", st->n);
    for (size_t i = 0; i < st->n; i++)
        mpc_transcript_append_scalar(&tr, st->g, "id", &st->ids[i]);
    mpc_transcript_challenge(&tr, "pok-context", st->context,
                             sizeof st->context);
    mpc_transcript_clear(&tr);
}

static mpc_err dkg_init(void *state, const mpc_session_info *info,
                        const void *input)
{
    struct dkg *st = state;
    const mpc_frost_dkg_input *in = input;
    const mpc_ctx *ctx = info->ctx;
    st->info = info;
    st->g = mpc_frost_session_group(info);
    st->n = info->n;
    st->t = info->threshold;
    st->self = info->self;
    bool own_ids = in != NULL && in->ids != NULL;
    if (st->g == NULL || st->t < 2 || st->t > st->n ||
        (in != NULL && in->n_ids != (own_ids ? st->n : 0)))
        return MPC_ERR_INVALID_ARG;

    st->ids = mpc_ctx_alloc_array(ctx, st->n, sizeof *st->ids);
    st->vshares = mpc_ctx_alloc_array(ctx, st->n, sizeof *st->vshares);
    st->commit = mpc_ctx_alloc_array(ctx, st->n * st->t, sizeof *st->commit);
    st->coef = mpc_ctx_alloc_array(ctx, st->t, sizeof *st->coef);
    st->shares = mpc_ctx_alloc_array(ctx, st->n, sizeof *st->shares);
    if (st->ids == NULL || st->vshares == NULL || st->commit == NULL ||
        st->coef == NULL || st->shares == NULL)
        return MPC_ERR_NOMEM;
    for (size_t i = 0; i < st->n; i++) {
        if (own_ids)
            st->ids[i] = in->ids[i];
        else
            mpc_scalar_set_u64(st->g, &st->ids[i], i + 1);
    }
    if (!mpc_frost_session_ids_ok(st->g, st->ids, st->n))
        return MPC_ERR_INVALID_ARG;
    pok_context(st);
    return MPC_OK;
}

static unsigned dkg_pattern(const void *state, unsigned round, unsigned from,
                            unsigned to)
{
    (void)state;
    (void)from;
    (void)to;
    return round == 2 ? MPC_PROTOCOL_P2P : MPC_PROTOCOL_BCAST;
}

/* Round 1: a random polynomial, its commitments and the proof. */
static mpc_err start1(struct dkg *st, mpc_session_outbox *out)
{
    mpc_point *mine = &st->commit[st->self * st->t];
    if (mpc_frost_dkg_part1(st->g, st->coef, mine, &st->pok, &st->ids[st->self],
                            st->t, st->context, sizeof st->context) != MPC_OK)
        return MPC_ERR_INTERNAL; /* every argument was checked at init */
    uint8_t *p = mpc_wire_write_reserve(mpc_session_outbox_bcast(out),
                                        MPC_FROST_DKG_ROUND1_BYTES(st->t));
    if (p != NULL)
        mpc_frost_dkg_round1_serialize(st->g, p, mine, st->t, &st->pok);
    return MPC_OK;
}

/* Round 2: f_i(id_j) to every j, then the polynomial is gone. */
static mpc_err start2(struct dkg *st, mpc_session_outbox *out)
{
    mpc_err err = MPC_OK;
    for (size_t j = 0; j < st->n && err == MPC_OK; j++) {
        mpc_scalar s;
        err = mpc_frost_dkg_share(st->g, &s, st->coef, st->t, &st->ids[j]);
        if (j == st->self)
            st->shares[j] = s;
        else
            mpc_wire_write_scalar(mpc_session_outbox_p2p(out, (unsigned)j),
                                  st->g, &s);
        mpc_scalar_clear(&s);
    }
    MPC_FROST_SESSION_FREE(st->info->ctx, st->coef, st->t);
    return err == MPC_OK ? MPC_OK : MPC_ERR_INTERNAL;
}

static mpc_err dkg_start(void *state, unsigned round, mpc_session_outbox *out)
{
    struct dkg *st = state;
    switch (round) {
    case 1:
        return start1(st, out);
    case 2:
        return start2(st, out);
    case 3:
        mpc_wire_write_bytes(mpc_session_outbox_bcast(out), st->digest,
                             sizeof st->digest);
        return MPC_OK;
    }
    return MPC_ERR_INTERNAL;
}

/* Checks party j's round-one package into commitment row j. */
static mpc_err check_package(struct dkg *st, mpc_session_inbox *in, unsigned j)
{
    const uint8_t *p;
    size_t len, got;
    mpc_frost_pok pok;
    mpc_point *row = &st->commit[j * st->t];
    /* The plan has every peer broadcast; a missing one reads as empty
     * (NULL, 0) and is refused below. */
    (void)mpc_session_inbox_bcast(in, j, &p, &len);
    size_t want = MPC_FROST_DKG_ROUND1_BYTES(st->t);
    if (len != want && len > MPC_FROST_POK_BYTES &&
        (len - MPC_FROST_POK_BYTES) % MPC_FROST_POINT_BYTES == 0) {
        /* More coefficients than t would raise the threshold past what
         * the others agreed to; fewer would lower it. */
        mpc_session_inbox_blame(in, j, MPC_BLAME_PROTOCOL,
                                "frost dkg: commitment count is not t");
        return MPC_ERR_PROTOCOL;
    }
    if (mpc_frost_dkg_round1_parse(st->g, row, st->t, &got, &pok, p, len) !=
        MPC_OK) {
        mpc_session_inbox_blame(in, j, MPC_BLAME_PARSE,
                                "frost dkg: malformed commitments or proof");
        return MPC_ERR_PARSE;
    }
    if (mpc_frost_dkg_round1_verify(st->g, &st->ids[j], row, got, &pok, st->t,
                                    st->context,
                                    sizeof st->context) != MPC_OK) {
        mpc_session_inbox_blame(in, j, MPC_BLAME_VERIFY,
                                "frost dkg: bad proof of knowledge");
        return MPC_ERR_VERIFY;
    }
    return MPC_OK;
}

static mpc_err complete1(struct dkg *st, mpc_session_inbox *in)
{
    mpc_err err = MPC_OK;
    for (unsigned j = 0; j < st->n; j++) {
        if (j == st->self)
            continue;
        mpc_err e = check_package(st, in, j);
        err = err != MPC_OK ? err : e;
    }
    return err;
}

/* Round 2: every share against its sender's commitments, then the key. */
static mpc_err complete2(struct dkg *st, mpc_session_inbox *in)
{
    mpc_err err = MPC_OK;
    for (unsigned j = 0; j < st->n; j++) {
        if (j == st->self)
            continue;
        mpc_err e = mpc_frost_session_read_scalar(
            st->g, in, j, true, &st->shares[j],
            "frost dkg: share is not a canonical scalar");
        err = err != MPC_OK ? err : e;
    }
    if (err != MPC_OK)
        return err;

    size_t culprits[MPC_SESSION_PARTIES_MAX], nc = 0;
    err = mpc_frost_dkg_part3(st->g, &st->key, st->vshares, culprits, &nc,
                              st->ids, st->n, st->self, st->t, st->commit,
                              st->shares);
    MPC_FROST_SESSION_FREE(st->info->ctx, st->shares, st->n);
    MPC_FROST_SESSION_FREE(st->info->ctx, st->commit, st->n * st->t);
    if (err == MPC_ERR_VERIFY) {
        for (size_t k = 0; k < nc; k++)
            mpc_session_inbox_blame(in, (unsigned)culprits[k], MPC_BLAME_VERIFY,
                                    "frost dkg: share does not match its "
                                    "commitments");
        return err;
    }
    if (err == MPC_ERR_PROTOCOL) {
        mpc_session_inbox_blame(in, MPC_BLAME_NOBODY, MPC_BLAME_PROTOCOL,
                                "frost dkg: group key is the identity");
        return err;
    }
    if (err != MPC_OK)
        return MPC_ERR_INTERNAL;
    mpc_frost_session_confirm_digest(st->info, st->digest, "frost-dkg",
                                     &st->key.group_pk, st->ids, st->vshares,
                                     st->n, st->t);
    return MPC_OK;
}

static mpc_err dkg_complete(void *state, unsigned round, mpc_session_inbox *in)
{
    struct dkg *st = state;
    switch (round) {
    case 1:
        return complete1(st, in);
    case 2:
        return complete2(st, in);
    case 3:
        return mpc_frost_session_confirm_check(
            in, (unsigned)st->n, (unsigned)st->self, st->digest,
            "frost dkg: parties derived different keys");
    }
    return MPC_ERR_INTERNAL;
}

static void dkg_take(void *state, void *result)
{
    struct dkg *st = state;
    mpc_frost_session_result_fill(result, st->info->ctx, &st->key, st->self,
                                  &st->key.group_pk, st->t, &st->ids,
                                  &st->vshares, st->n);
}

static void dkg_clear(void *state)
{
    struct dkg *st = state;
    if (st->info != NULL) {
        const mpc_ctx *ctx = st->info->ctx;
        MPC_FROST_SESSION_FREE(ctx, st->ids, st->n);
        MPC_FROST_SESSION_FREE(ctx, st->vshares, st->n);
        MPC_FROST_SESSION_FREE(ctx, st->commit, st->n * st->t);
        MPC_FROST_SESSION_FREE(ctx, st->coef, st->t);
        MPC_FROST_SESSION_FREE(ctx, st->shares, st->n);
    }
    mpc_wipe(st, sizeof *st);
}

const mpc_protocol mpc_frost_dkg_protocol = {
    .id = MPC_FROST_DKG_PROTOCOL_ID,
    .name = "frost-ed25519-dkg",
    .rounds = 3,
    .state_bytes = sizeof(struct dkg),
    .result_bytes = sizeof(mpc_frost_key_result),
    .max_payload_bytes = MPC_FROST_SESSION_PAYLOAD_MAX,
    .echo_exchange = MPC_PROTOCOL_ROUND(3),
    .init = dkg_init,
    .pattern = dkg_pattern,
    .round_start = dkg_start,
    .round_complete = dkg_complete,
    .take_result = dkg_take,
    .clear = dkg_clear,
};
