/* The toy "sum of secrets" protocol; see session_toy.h. */
#include "tests/protocol/session_toy.h"

#include <string.h>

#include "mpc/mem.h"
#include "mpc/transcript.h"
#include "mpc/wire.h"

struct toy_state {
    const mpc_session_info *info;
    uint64_t a;
    uint64_t x;
    uint8_t dealers[32];
    uint64_t a_of[MPC_SESSION_PARTIES_MAX];
    uint64_t share; /* of this party's own secret, kept */
    uint64_t y;
    toy_result result;
};

void toy_set_dealer(toy_input *in, unsigned party)
{
    in->dealers[party / 8] |= (uint8_t)(1u << (party % 8));
}

static bool is_dealer(const struct toy_state *st, unsigned party)
{
    return (st->dealers[party / 8] >> (party % 8) & 1) != 0;
}

static uint64_t receipt(uint64_t a, unsigned sender)
{
    return a ^ (0x9e3779b97f4a7c15u * (sender + 1));
}

void toy_round1_payload(const mpc_session_info *info, uint64_t a,
                        unsigned prover, uint8_t out[8 + 32])
{
    mpc_wire_writer w;
    mpc_wire_writer_init_fixed(&w, out, 8);
    mpc_wire_write_u64(&w, a);
    mpc_transcript t;
    mpc_session_info_transcript(info, &t, "toy-tag", prover);
    mpc_transcript_append(&t, "a", out, 8);
    mpc_transcript_challenge(&t, "tag", out + 8, 32);
}

static mpc_err toy_init(void *state, const mpc_session_info *info,
                        const void *input)
{
    struct toy_state *st = state;
    const toy_input *in = input;
    if (in == NULL)
        return MPC_ERR_INVALID_ARG;
    for (unsigned i = info->n; i < 8 * sizeof in->dealers; i++)
        if ((in->dealers[i / 8] >> (i % 8) & 1) != 0)
            return MPC_ERR_INVALID_ARG;
    st->info = info;
    st->a = in->a;
    st->x = in->x;
    memcpy(st->dealers, in->dealers, sizeof st->dealers);
    return MPC_OK;
}

static unsigned toy_pattern(const void *state, unsigned round, unsigned from,
                            unsigned to)
{
    const struct toy_state *st = state;
    (void)to;
    switch (round) {
    case 1:
        return MPC_PROTOCOL_BCAST;
    case 2:
        return is_dealer(st, from) ? MPC_PROTOCOL_P2P : 0;
    case 3:
        return MPC_PROTOCOL_BCAST | MPC_PROTOCOL_P2P;
    }
    return 0;
}

static mpc_err deal(struct toy_state *st, mpc_session_outbox *out)
{
    unsigned n = st->info->n;
    uint64_t left = st->x;
    for (unsigned j = 0; j < n; j++) {
        if (j == st->info->self)
            continue;
        uint64_t s;
        mpc_ctx_random(st->info->ctx, (uint8_t *)&s, sizeof s);
        left -= s;
        mpc_wire_write_u64(mpc_session_outbox_p2p(out, j), s);
        mpc_wipe(&s, sizeof s);
    }
    st->share = left;
    mpc_wipe(&left, sizeof left);
    return MPC_OK;
}

static mpc_err toy_start(void *state, unsigned round, mpc_session_outbox *out)
{
    struct toy_state *st = state;
    unsigned self = st->info->self;
    if (round == 1) {
        uint8_t p[8 + 32];
        toy_round1_payload(st->info, st->a, self, p);
        if (st->info->n > 1)
            mpc_wire_write_bytes(mpc_session_outbox_bcast(out), p, sizeof p);
        return MPC_OK;
    }
    if (round == 2)
        return is_dealer(st, self) ? deal(st, out) : MPC_OK;
    if (st->info->n > 1)
        mpc_wire_write_u64(mpc_session_outbox_bcast(out), st->y);
    for (unsigned j = 0; j < st->info->n; j++)
        if (j != self)
            mpc_wire_write_u64(mpc_session_outbox_p2p(out, j),
                               receipt(st->a_of[j], self));
    return MPC_OK;
}

/* Reads a payload that must be exactly one u64. */
static bool read_u64(const uint8_t *p, size_t len, uint64_t *v)
{
    mpc_wire_reader r;
    mpc_wire_reader_init(&r, p, len);
    return mpc_wire_read_u64(&r, v) == MPC_OK &&
           mpc_wire_reader_finish(&r) == MPC_OK;
}

static mpc_err complete1(struct toy_state *st, mpc_session_inbox *in)
{
    mpc_err e = MPC_OK;
    st->a_of[st->info->self] = st->a;
    st->result.sum_public = st->a;
    for (unsigned j = 0; j < st->info->n; j++) {
        const uint8_t *p;
        size_t len;
        if (j == st->info->self || !mpc_session_inbox_bcast(in, j, &p, &len))
            continue;
        uint8_t want[8 + 32];
        const uint8_t *tag = NULL;
        uint64_t a = 0;
        mpc_wire_reader r;
        mpc_wire_reader_init(&r, p, len);
        if (mpc_wire_read_u64(&r, &a) != MPC_OK ||
            mpc_wire_read_ref(&r, &tag, 32) != MPC_OK ||
            mpc_wire_reader_finish(&r) != MPC_OK) {
            mpc_session_inbox_blame(in, j, MPC_BLAME_PARSE, "toy: round 1");
            e = MPC_ERR_PARSE;
            continue;
        }
        toy_round1_payload(st->info, a, j, want);
        if (memcmp(want + 8, tag, 32) != 0) {
            mpc_session_inbox_blame(in, j, MPC_BLAME_VERIFY, "toy: bad tag");
            e = MPC_ERR_VERIFY;
            continue;
        }
        st->a_of[j] = a;
        st->result.sum_public += a;
    }
    return e;
}

static mpc_err complete2(struct toy_state *st, mpc_session_inbox *in)
{
    st->y = is_dealer(st, st->info->self) ? st->share : 0;
    for (unsigned j = 0; j < st->info->n; j++) {
        const uint8_t *p;
        size_t len;
        uint64_t s;
        if (!mpc_session_inbox_p2p(in, j, &p, &len))
            continue;
        if (!read_u64(p, len, &s)) {
            mpc_session_inbox_blame(in, j, MPC_BLAME_PARSE, "toy: share");
            return MPC_ERR_PARSE;
        }
        st->y += s;
        mpc_wipe(&s, sizeof s);
    }
    return MPC_OK;
}

static mpc_err complete3(struct toy_state *st, mpc_session_inbox *in)
{
    unsigned self = st->info->self;
    st->result.sum_secret = st->y;
    for (unsigned j = 0; j < st->info->n; j++) {
        const uint8_t *p;
        size_t len;
        uint64_t v;
        if (j == self)
            continue;
        if (!mpc_session_inbox_bcast(in, j, &p, &len) || !read_u64(p, len, &v))
            goto bad_parse;
        st->result.sum_secret += v;
        if (!mpc_session_inbox_p2p(in, j, &p, &len) || !read_u64(p, len, &v))
            goto bad_parse;
        if (v != receipt(st->a, j)) {
            mpc_session_inbox_blame(in, j, MPC_BLAME_VERIFY, "toy: receipt");
            return MPC_ERR_VERIFY;
        }
        continue;
    bad_parse:
        mpc_session_inbox_blame(in, j, MPC_BLAME_PARSE, "toy: round 3");
        return MPC_ERR_PARSE;
    }
    return MPC_OK;
}

static mpc_err toy_complete(void *state, unsigned round, mpc_session_inbox *in)
{
    struct toy_state *st = state;
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

static void toy_take(void *state, void *result)
{
    struct toy_state *st = state;
    memcpy(result, &st->result, sizeof st->result);
    mpc_wipe(&st->result, sizeof st->result);
}

static void toy_clear(void *state)
{
    struct toy_state *st = state;
    mpc_wipe(st, sizeof *st);
}

const mpc_protocol toy_protocol = {
    .id = TOY_PROTOCOL_ID,
    .name = "test-toy-sum",
    .rounds = 3,
    .state_bytes = sizeof(struct toy_state),
    .result_bytes = sizeof(toy_result),
    .max_payload_bytes = TOY_MAX_PAYLOAD_BYTES,
    .echo_exchange = MPC_PROTOCOL_ROUND(3),
    .init = toy_init,
    .pattern = toy_pattern,
    .round_start = toy_start,
    .round_complete = toy_complete,
    .take_result = toy_take,
    .clear = toy_clear,
};

const mpc_protocol toy_protocol_noecho = {
    .id = TOY_PROTOCOL_NOECHO_ID,
    .name = "test-toy-sum-noecho",
    .rounds = 3,
    .state_bytes = sizeof(struct toy_state),
    .result_bytes = sizeof(toy_result),
    .max_payload_bytes = TOY_MAX_PAYLOAD_BYTES,
    .echo_exchange = 0,
    .init = toy_init,
    .pattern = toy_pattern,
    .round_start = toy_start,
    .round_complete = toy_complete,
    .take_result = toy_take,
    .clear = toy_clear,
};
