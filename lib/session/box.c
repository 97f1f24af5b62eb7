/* lib/session: running one round — the outbox a round_start fills, the
 * inbox a round_complete reads, the echo frames, and the outgoing queue. */
#include <string.h>

#include "lib/session/session_internal.h"
#include "mpc/mem.h"

struct mpc_session_outbox {
    mpc_session *s;
    unsigned round;
    mpc_wire_writer bcast;
    mpc_wire_writer *p2p; /* n writers, indexed by recipient */
    mpc_wire_writer sink; /* handed out on misuse; holds nothing */
    bool asked_bcast;
    pset asked_p2p;
    bool misuse;
};

struct mpc_session_inbox {
    mpc_session *s;
    unsigned round;
};

/* ---- the outgoing queue ------------------------------------------------- */

mpc_err mpc_session_queue(mpc_session *s, struct out_frame *f, unsigned to,
                          unsigned round, mpc_session_kind kind)
{
    struct out_msg *m = mpc_ctx_alloc(s->ctx, sizeof *m);
    if (m == NULL)
        return MPC_ERR_NOMEM;
    *m = (struct out_msg){.to = to, .round = round, .kind = kind, .frame = f};
    f->refs++;
    if (s->out_tail != NULL)
        s->out_tail->next = m;
    else
        s->out_head = m;
    s->out_tail = m;
    return MPC_OK;
}

static void msg_free(mpc_session *s, struct out_msg *m)
{
    mpc_session_frame_release(s, m->frame);
    mpc_ctx_free_mem(s->ctx, m, sizeof *m);
}

void mpc_session_release_popped(mpc_session *s)
{
    if (s->popped != NULL)
        msg_free(s, s->popped);
    s->popped = NULL;
}

void mpc_session_queue_drop(mpc_session *s)
{
    mpc_session_release_popped(s);
    while (s->out_head != NULL) {
        struct out_msg *m = s->out_head;
        s->out_head = m->next;
        msg_free(s, m);
    }
    s->out_tail = NULL;
}

bool mpc_session_pop_outgoing(mpc_session *s, mpc_session_msg *out)
{
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (s == NULL || out == NULL)
        return false;
    mpc_session_release_popped(s);
    struct out_msg *m = s->out_head;
    if (m == NULL)
        return false;
    s->out_head = m->next;
    if (s->out_head == NULL)
        s->out_tail = NULL;
    s->popped = m;
    *out = (mpc_session_msg){.to = m->to,
                             .round = m->round,
                             .kind = m->kind,
                             .data = m->frame->data,
                             .len = m->frame->len};
    return true;
}

/* Queues `f` to every party of `set`: once as MPC_SESSION_TO_ALL when that
 * is every other party, else once per recipient. */
static mpc_err queue_set(mpc_session *s, struct out_frame *f, const pset *set,
                         unsigned round, mpc_session_kind kind)
{
    if (mpc_session_pset_count(set) + 1 == s->info.n)
        return mpc_session_queue(s, f, MPC_SESSION_TO_ALL, round, kind);
    for (unsigned j = 0; j < s->info.n; j++) {
        if (!pset_has(set, j))
            continue;
        mpc_err e = mpc_session_queue(s, f, j, round, kind);
        if (e != MPC_OK)
            return e;
    }
    return MPC_OK;
}

/* ---- slots -------------------------------------------------------------- */

struct slot *mpc_session_slot(const mpc_session *s, unsigned round,
                              unsigned from, mpc_session_kind kind)
{
    size_t i = ((size_t)(round - 1) * s->info.n + from) * 3 + (kind - 1);
    return &s->slots[i];
}

mpc_err mpc_session_slot_store(mpc_session *s, struct slot *sl,
                               const uint8_t *bytes, size_t len)
{
    mpc_session_frame f;
    if (mpc_session_frame_parse(&f, bytes, len) != MPC_OK)
        return MPC_ERR_INTERNAL; /* callers store parsed frames only */
    uint8_t *copy = mpc_ctx_alloc(s->ctx, len);
    if (copy == NULL)
        return MPC_ERR_NOMEM;
    memcpy(copy, bytes, len);
    *sl = (struct slot){
        .frame = copy,
        .len = len,
        .echo_off = f.echo != NULL ? (size_t)(f.echo - bytes) : 0,
        .echo_len = f.echo_len,
        .payload_off = f.payload != NULL ? (size_t)(f.payload - bytes) : 0,
        .payload_len = f.payload_len,
        .filled = true,
    };
    mpc_session_frame_digest(sl->digest, bytes, len);
    return MPC_OK;
}

/* The digests of the broadcasts this party holds after `round`, in
 * ascending sender order: its echo. Returns the length written. */
static size_t echo_of(const mpc_session *s, unsigned round,
                      uint8_t out[MPC_SESSION_ECHO_MAX_BYTES])
{
    size_t len = 0;
    for (unsigned j = 0; j < s->info.n; j++) {
        if (!pset_has(&s->plan[round].view, j))
            continue;
        const struct slot *sl =
            mpc_session_slot(s, round, j, MPC_SESSION_BCAST);
        memcpy(out + len, sl->digest, MPC_SESSION_DIGEST_BYTES);
        len += MPC_SESSION_DIGEST_BYTES;
    }
    return len;
}

/* ---- outbox ------------------------------------------------------------- */

mpc_wire_writer *mpc_session_outbox_bcast(mpc_session_outbox *out)
{
    if (pset_empty(&out->s->plan[out->round].out_bcast)) {
        out->misuse = true;
        return &out->sink;
    }
    out->asked_bcast = true;
    return &out->bcast;
}

mpc_wire_writer *mpc_session_outbox_p2p(mpc_session_outbox *out, unsigned to)
{
    if (!pset_has(&out->s->plan[out->round].out_p2p, to)) {
        out->misuse = true;
        return &out->sink;
    }
    pset_add(&out->asked_p2p, to);
    return &out->p2p[to];
}

/* A writer error is the protocol's doing unless memory ran out. */
static mpc_err writer_err(const mpc_wire_writer *w, const uint8_t **data,
                          size_t *len)
{
    mpc_err e = mpc_wire_writer_finish(w, data, len);
    return e == MPC_OK || e == MPC_ERR_NOMEM ? e : MPC_ERR_INTERNAL;
}

/* Frames and queues what round_start wrote. */
static mpc_err send_round(mpc_session *s, mpc_session_outbox *ob)
{
    const struct round_plan *p = &s->plan[ob->round];
    if (ob->misuse || ob->asked_bcast == pset_empty(&p->out_bcast) ||
        memcmp(&ob->asked_p2p, &p->out_p2p, sizeof(pset)) != 0)
        return MPC_ERR_INTERNAL;

    uint8_t echo[MPC_SESSION_ECHO_MAX_BYTES];
    size_t echo_len = 0;
    if (ob->round > 1 && s->plan[ob->round - 1].echo == ECHO_NEXT)
        echo_len = echo_of(s, ob->round - 1, echo);

    const uint8_t *data;
    size_t len;
    struct out_frame *f = NULL;
    mpc_err e = MPC_OK;
    if (ob->asked_bcast) {
        e = writer_err(&ob->bcast, &data, &len);
        if (e == MPC_OK)
            e = mpc_session_frame_build(s, &f, MPC_SESSION_BCAST, ob->round,
                                        MPC_SESSION_TO_ALL, echo, echo_len,
                                        data, len);
        if (e == MPC_OK)
            e = mpc_session_slot_store(
                s,
                mpc_session_slot(s, ob->round, s->info.self, MPC_SESSION_BCAST),
                f->data, f->len);
        if (e == MPC_OK)
            e = queue_set(s, f, &p->out_bcast, ob->round, MPC_SESSION_BCAST);
        mpc_session_frame_release(s, f);
    }
    for (unsigned j = 0; j < s->info.n && e == MPC_OK; j++) {
        if (!pset_has(&p->out_p2p, j))
            continue;
        f = NULL;
        e = writer_err(&ob->p2p[j], &data, &len);
        if (e == MPC_OK)
            e = mpc_session_frame_build(s, &f, MPC_SESSION_P2P, ob->round, j,
                                        echo, echo_len, data, len);
        if (e == MPC_OK)
            e = mpc_session_queue(s, f, j, ob->round, MPC_SESSION_P2P);
        mpc_session_frame_release(s, f);
    }
    return e;
}

mpc_err mpc_session_round_begin(mpc_session *s, uint64_t now_ms)
{
    s->began_ms = now_ms;
    s->in_echo = false;
    unsigned n = s->info.n;
    mpc_session_outbox ob = {.s = s, .round = s->round};
    mpc_wire_writer_init(&ob.bcast, s->ctx, s->max_payload);
    mpc_wire_writer_init_fixed(&ob.sink, NULL, 0);
    ob.p2p = mpc_ctx_alloc_array(s->ctx, n, sizeof *ob.p2p);
    if (ob.p2p == NULL)
        return MPC_ERR_NOMEM;
    for (unsigned j = 0; j < n; j++)
        mpc_wire_writer_init(&ob.p2p[j], s->ctx, s->max_payload);

    mpc_err e = s->proto->round_start(s->state, s->round, &ob);
    if (e == MPC_OK)
        e = send_round(s, &ob);

    /* Payloads may hold secrets (P2P shares): the writers wipe them. */
    mpc_wire_writer_clear(&ob.bcast);
    for (unsigned j = 0; j < n; j++)
        mpc_wire_writer_clear(&ob.p2p[j]);
    mpc_ctx_free_mem(s->ctx, ob.p2p, n * sizeof *ob.p2p);
    return e;
}

mpc_err mpc_session_echo_send(mpc_session *s)
{
    const struct round_plan *p = &s->plan[s->round];
    if (pset_empty(&p->echo_peers))
        return MPC_OK;
    uint8_t echo[MPC_SESSION_ECHO_MAX_BYTES];
    size_t echo_len = echo_of(s, s->round, echo);
    struct out_frame *f = NULL;
    mpc_err e =
        mpc_session_frame_build(s, &f, MPC_SESSION_ECHO, s->round,
                                MPC_SESSION_TO_ALL, echo, echo_len, NULL, 0);
    if (e == MPC_OK)
        e = queue_set(s, f, &p->echo_peers, s->round, MPC_SESSION_ECHO);
    mpc_session_frame_release(s, f);
    return e;
}

/* ---- inbox -------------------------------------------------------------- */

static bool inbox_get(const mpc_session_inbox *in, unsigned from,
                      mpc_session_kind kind, const uint8_t **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    const mpc_session *s = in->s;
    if (from >= s->info.n)
        return false;
    const struct round_plan *p = &s->plan[in->round];
    bool expected;
    if (kind == MPC_SESSION_BCAST)
        expected = from == s->info.self ? !pset_empty(&p->out_bcast)
                                        : pset_has(&p->in_bcast, from);
    else
        expected = pset_has(&p->in_p2p, from);
    const struct slot *sl = mpc_session_slot(s, in->round, from, kind);
    if (!expected || sl->frame == NULL)
        return false;
    *data = sl->payload_len > 0 ? sl->frame + sl->payload_off : NULL;
    *len = sl->payload_len;
    return true;
}

bool mpc_session_inbox_bcast(const mpc_session_inbox *in, unsigned from,
                             const uint8_t **data, size_t *len)
{
    return inbox_get(in, from, MPC_SESSION_BCAST, data, len);
}

bool mpc_session_inbox_p2p(const mpc_session_inbox *in, unsigned from,
                           const uint8_t **data, size_t *len)
{
    return inbox_get(in, from, MPC_SESSION_P2P, data, len);
}

void mpc_session_inbox_blame(mpc_session_inbox *in, unsigned party,
                             mpc_blame_reason reason, const char *detail)
{
    mpc_session *s = in->s;
    s->blamed = true;
    if (party < s->info.n) {
        mpc_session_blame_add(s, party);
        s->blame.attributable = true;
    }
    mpc_session_blame_note(s, reason, detail);
}

mpc_err mpc_session_round_finish(mpc_session *s)
{
    mpc_session_inbox in = {.s = s, .round = s->round};
    s->blamed = false;
    mpc_err e = s->proto->round_complete(s->state, s->round, &in);
    if (e == MPC_OK && s->blamed)
        e = MPC_ERR_PROTOCOL;
    /* The round's frames are done with; their digests stay for the echo
     * and for telling late duplicates from equivocation. */
    for (unsigned j = 0; j < s->info.n; j++)
        for (unsigned k = MPC_SESSION_BCAST; k <= MPC_SESSION_ECHO; k++) {
            struct slot *sl =
                mpc_session_slot(s, s->round, j, (mpc_session_kind)k);
            mpc_ctx_free_mem(s->ctx, sl->frame, sl->len);
            sl->frame = NULL;
        }
    return e;
}
