/* lib/session: the driver API — creation, message intake, the round loop,
 * deadlines, results (include/mpc/session.h). */
#include <string.h>

#include "lib/session/session_internal.h"
#include "mpc/mem.h"
#include "mpc/transcript.h"

void mpc_session_params_default(mpc_session_params *p)
{
    if (p == NULL)
        return;
    memset(p, 0, sizeof *p);
    p->round_timeout_ms = MPC_SESSION_TIMEOUT_DEFAULT_MS;
}

void mpc_session_info_transcript(const mpc_session_info *info,
                                 mpc_transcript *t, const char *label,
                                 unsigned prover)
{
    *t = info->seed;
    mpc_transcript_append(t, "proof", (const uint8_t *)label, strlen(label));
    mpc_transcript_append_u64(t, "prover", prover);
}

static bool protocol_valid(const mpc_protocol *p)
{
    return p->id != 0 && p->name != NULL && p->rounds >= 1 &&
           p->rounds <= MPC_SESSION_ROUNDS_MAX && p->state_bytes > 0 &&
           p->max_payload_bytes <= MPC_SESSION_PAYLOAD_MAX_BYTES &&
           p->init != NULL && p->pattern != NULL && p->round_start != NULL &&
           p->round_complete != NULL && p->take_result != NULL &&
           p->clear != NULL;
}

static bool params_valid(const mpc_session_params *p)
{
    return p->protocol != NULL && protocol_valid(p->protocol) && p->n >= 1 &&
           p->n <= MPC_SESSION_PARTIES_MAX && p->self < p->n &&
           p->threshold <= p->n && p->round_timeout_ms >= 1;
}

static void seed_transcript(mpc_session_info *info, const mpc_protocol *p)
{
    mpc_transcript *t = &info->seed;
    mpc_transcript_init(t, "mpcium-c/session", info->sid, sizeof info->sid);
    mpc_transcript_append_u64(t, "protocol-id", p->id);
    mpc_transcript_append(t, "protocol-name", (const uint8_t *)p->name,
                          strlen(p->name));
    mpc_transcript_append_u64(t, "parties", info->n);
    mpc_transcript_append_u64(t, "threshold", info->threshold);
}

mpc_err mpc_session_new(mpc_session **out, const mpc_ctx *ctx,
                        const mpc_session_params *params)
{
    if (out == NULL || ctx == NULL || params == NULL || !params_valid(params))
        return MPC_ERR_INVALID_ARG;
    const mpc_protocol *proto = params->protocol;
    mpc_session *s = mpc_ctx_alloc(ctx, sizeof *s);
    if (s == NULL)
        return MPC_ERR_NOMEM;
    s->ctx = ctx;
    s->proto = proto;
    s->timeout_ms = params->round_timeout_ms;
    s->max_payload = proto->max_payload_bytes != 0
                         ? proto->max_payload_bytes
                         : MPC_SESSION_PAYLOAD_MAX_BYTES;
    s->status = MPC_SESSION_RUNNING;
    s->blame.broadcaster = MPC_BLAME_NOBODY;
    s->info.ctx = ctx;
    memcpy(s->info.sid, params->sid, sizeof s->info.sid);
    s->info.self = params->self;
    s->info.n = params->n;
    s->info.threshold = params->threshold;
    seed_transcript(&s->info, proto);

    mpc_err e = MPC_ERR_NOMEM;
    s->nslots = (size_t)proto->rounds * params->n * 3;
    s->slots = mpc_ctx_alloc_array(ctx, s->nslots, sizeof *s->slots);
    s->state = mpc_ctx_alloc(ctx, proto->state_bytes);
    if (s->slots == NULL || s->state == NULL)
        goto fail;
    s->state_live = true;
    e = proto->init(s->state, &s->info, params->input);
    if (e == MPC_OK)
        e = mpc_session_plan(s);
    if (e != MPC_OK)
        goto fail;
    *out = s;
    return MPC_OK;
fail:
    mpc_session_free(s);
    return e;
}

void mpc_session_free(mpc_session *s)
{
    if (s == NULL)
        return;
    mpc_session_wipe_secrets(s);
    mpc_session_queue_drop(s);
    const mpc_ctx *ctx = s->ctx;
    if (s->state != NULL)
        mpc_ctx_free_mem(ctx, s->state, s->proto->state_bytes);
    if (s->slots != NULL)
        mpc_ctx_free_mem(ctx, s->slots, s->nslots * sizeof *s->slots);
    mpc_ctx_free_mem(ctx, s, sizeof *s);
}

/* ---- the round loop ----------------------------------------------------- */

static bool all_filled(const mpc_session *s, unsigned round, const pset *from,
                       mpc_session_kind kind, pset *missing)
{
    bool ok = true;
    for (unsigned j = 0; j < s->info.n; j++)
        if (pset_has(from, j) && !mpc_session_slot(s, round, j, kind)->filled) {
            ok = false;
            if (missing != NULL)
                pset_add(missing, j);
        }
    return ok;
}

/* Whether the current stage has everything; fills `missing` if asked. */
static bool stage_complete(const mpc_session *s, pset *missing)
{
    const struct round_plan *p = &s->plan[s->round];
    if (s->in_echo)
        return all_filled(s, s->round, &p->echo_peers, MPC_SESSION_ECHO,
                          missing);
    bool b = all_filled(s, s->round, &p->in_bcast, MPC_SESSION_BCAST, missing);
    bool q = all_filled(s, s->round, &p->in_p2p, MPC_SESSION_P2P, missing);
    return b && q;
}

static mpc_err echo_mismatch(mpc_session *s, unsigned round, unsigned echoer,
                             unsigned broadcaster)
{
    s->blame.round = round;
    s->blame.broadcaster = broadcaster;
    if (broadcaster == echoer)
        return mpc_session_fail(s, MPC_ERR_PROTOCOL, MPC_BLAME_ECHO_MISMATCH,
                                echoer, true,
                                "echo contradicts its own broadcast");
    if (broadcaster == s->info.self)
        return mpc_session_fail(s, MPC_ERR_PROTOCOL, MPC_BLAME_ECHO_MISMATCH,
                                echoer, true, "echo misstates our broadcast");
    /* Either the broadcaster equivocated or the echoer lies: name both,
     * blame neither. */
    mpc_session_blame_add(s, broadcaster);
    return mpc_session_fail(s, MPC_ERR_PROTOCOL, MPC_BLAME_ECHO_MISMATCH,
                            echoer, false, "broadcast echoes differ");
}

/* Compares the echo `sl` carries from `echoer` about `round` with this
 * party's digests. Pass 0 checks only what makes the blame certain (the
 * echoer's own broadcast, and ours); pass 1 checks the rest. */
static mpc_err compare_echo(mpc_session *s, unsigned round, unsigned echoer,
                            const struct slot *sl, int pass)
{
    pset theirs;
    mpc_session_view_of(s, round, echoer, &theirs);
    const pset *mine = &s->plan[round].view;
    const uint8_t *d = sl->frame + sl->echo_off;
    for (unsigned j = 0; j < s->info.n; j++) {
        if (!pset_has(&theirs, j))
            continue;
        const uint8_t *digest = d;
        d += MPC_SESSION_DIGEST_BYTES;
        bool certain = j == echoer || j == s->info.self;
        if (!pset_has(mine, j) || certain != (pass == 0))
            continue;
        const struct slot *own =
            mpc_session_slot(s, round, j, MPC_SESSION_BCAST);
        if (memcmp(digest, own->digest, MPC_SESSION_DIGEST_BYTES) != 0)
            return echo_mismatch(s, round, echoer, j);
    }
    return MPC_OK;
}

/* Checks the echoes that party j's frames of the current stage carry: its
 * ECHO frame of this round, or the digests of the previous round riding in
 * its messages of this round. */
static mpc_err check_echoes_from(mpc_session *s, unsigned j, int pass)
{
    unsigned r = s->round;
    const struct round_plan *p = &s->plan[r];
    if (s->in_echo)
        return pset_has(&p->echo_peers, j)
                   ? compare_echo(s, r, j,
                                  mpc_session_slot(s, r, j, MPC_SESSION_ECHO),
                                  pass)
                   : MPC_OK;
    if (r == 1 || s->plan[r - 1].echo != ECHO_NEXT)
        return MPC_OK;
    mpc_err e = MPC_OK;
    if (pset_has(&p->in_bcast, j))
        e = compare_echo(s, r - 1, j,
                         mpc_session_slot(s, r, j, MPC_SESSION_BCAST), pass);
    if (e == MPC_OK && pset_has(&p->in_p2p, j))
        e = compare_echo(s, r - 1, j,
                         mpc_session_slot(s, r, j, MPC_SESSION_P2P), pass);
    return e;
}

/* Checks every echo of the current stage, the certain cases first so that
 * blame is attributable whenever the evidence allows. */
static mpc_err check_echoes(mpc_session *s)
{
    for (int pass = 0; pass < 2; pass++)
        for (unsigned j = 0; j < s->info.n; j++) {
            mpc_err e = check_echoes_from(s, j, pass);
            if (e != MPC_OK)
                return e;
        }
    return MPC_OK;
}

/* Fails the session for a local reason: nobody to blame. */
static mpc_err fail_local(mpc_session *s, mpc_err e)
{
    return mpc_session_fail(s, e, MPC_BLAME_NONE, MPC_BLAME_NOBODY, false,
                            NULL);
}

/* Runs every stage that has what it needs: the round loop. */
static mpc_err advance(mpc_session *s, uint64_t now_ms)
{
    while (s->status == MPC_SESSION_RUNNING && stage_complete(s, NULL)) {
        mpc_err e = check_echoes(s);
        if (e != MPC_OK)
            return e;
        if (!s->in_echo && s->plan[s->round].echo == ECHO_ROUND) {
            e = mpc_session_echo_send(s);
            if (e != MPC_OK)
                return fail_local(s, e);
            s->in_echo = true;
            s->began_ms = now_ms;
            continue;
        }
        e = mpc_session_round_finish(s);
        if (e != MPC_OK)
            return fail_local(s, e); /* keeps the protocol's blame */
        if (s->round == s->proto->rounds) {
            s->status = MPC_SESSION_DONE;
            return MPC_OK;
        }
        s->round++;
        e = mpc_session_round_begin(s, now_ms);
        if (e != MPC_OK)
            return fail_local(s, e);
    }
    return MPC_OK;
}

mpc_err mpc_session_start(mpc_session *s, uint64_t now_ms)
{
    if (s == NULL)
        return MPC_ERR_INVALID_ARG;
    if (s->started || s->status != MPC_SESSION_RUNNING)
        return MPC_ERR_STATE;
    mpc_session_release_popped(s);
    s->started = true;
    s->round = 1;
    mpc_err e = mpc_session_round_begin(s, now_ms);
    if (e != MPC_OK)
        return fail_local(s, e);
    return advance(s, now_ms);
}

/* ---- message intake ----------------------------------------------------- */

/* Why the session must not accept frame `f` from `from`, or NULL. */
static const char *unexpected(const mpc_session *s, unsigned from,
                              const mpc_session_frame *f)
{
    if (f->protocol != s->proto->id)
        return "wrong protocol";
    if (memcmp(f->sid, s->info.sid, sizeof f->sid) != 0)
        return "wrong session id";
    if (f->from != from)
        return "header sender is not the sender";
    if (f->round > s->proto->rounds)
        return "round out of range";
    const struct round_plan *p = &s->plan[f->round];
    switch (f->kind) {
    case MPC_SESSION_BCAST:
        return pset_has(&p->in_bcast, from) ? NULL : "unexpected broadcast";
    case MPC_SESSION_P2P:
        if (f->to != s->info.self)
            return "wrong recipient";
        return pset_has(&p->in_p2p, from) ? NULL : "unexpected p2p message";
    case MPC_SESSION_ECHO:
        return p->echo == ECHO_ROUND && pset_has(&p->echo_peers, from)
                   ? NULL
                   : "unexpected echo";
    }
    return "unknown kind";
}

/* The echo length a frame must carry: the sender's view of the round it
 * echoes, one digest per broadcast. */
static size_t echo_len_for(const mpc_session *s, const mpc_session_frame *f)
{
    unsigned round;
    if (f->kind == MPC_SESSION_ECHO)
        round = f->round;
    else if (f->round > 1 && s->plan[f->round - 1].echo == ECHO_NEXT)
        round = f->round - 1;
    else
        return 0;
    pset v;
    mpc_session_view_of(s, round, f->from, &v);
    return (size_t)mpc_session_pset_count(&v) * MPC_SESSION_DIGEST_BYTES;
}

mpc_err mpc_session_recv(mpc_session *s, unsigned from, const uint8_t *bytes,
                         size_t len, uint64_t now_ms)
{
    if (s == NULL || (bytes == NULL && len > 0))
        return MPC_ERR_INVALID_ARG;
    if (from >= s->info.n || from == s->info.self)
        return MPC_ERR_INVALID_ARG;
    if (!s->started || s->status != MPC_SESSION_RUNNING)
        return MPC_ERR_STATE;
    mpc_session_release_popped(s);

    mpc_session_frame f;
    if (len > MPC_SESSION_FRAME_MAX_BYTES ||
        mpc_session_frame_parse(&f, bytes, len) != MPC_OK)
        return mpc_session_fail(s, MPC_ERR_PARSE, MPC_BLAME_PARSE, from, true,
                                "malformed frame");
    const char *why = unexpected(s, from, &f);
    if (why != NULL)
        return mpc_session_fail(s, MPC_ERR_PROTOCOL, MPC_BLAME_UNEXPECTED, from,
                                true, why);
    if (f.echo_len != echo_len_for(s, &f))
        return mpc_session_fail(s, MPC_ERR_PARSE, MPC_BLAME_PARSE, from, true,
                                "echo of the wrong length");
    if (f.payload_len > s->max_payload)
        return mpc_session_fail(s, MPC_ERR_PARSE, MPC_BLAME_PARSE, from, true,
                                "payload too long");

    struct slot *sl = mpc_session_slot(s, f.round, from, f.kind);
    if (sl->filled) {
        uint8_t digest[MPC_SESSION_DIGEST_BYTES];
        mpc_session_frame_digest(digest, bytes, len);
        if (memcmp(digest, sl->digest, sizeof digest) == 0)
            return MPC_OK; /* a copy: the transport may deliver twice */
        return mpc_session_fail(s, MPC_ERR_PROTOCOL, MPC_BLAME_EQUIVOCATION,
                                from, true, "two different messages");
    }
    mpc_err e = mpc_session_slot_store(s, sl, bytes, len);
    if (e != MPC_OK)
        return fail_local(s, e);
    return advance(s, now_ms);
}

/* ---- time --------------------------------------------------------------- */

uint64_t mpc_session_deadline(const mpc_session *s)
{
    if (s == NULL || !s->started || s->status != MPC_SESSION_RUNNING)
        return UINT64_MAX;
    if (s->began_ms > UINT64_MAX - s->timeout_ms)
        return UINT64_MAX;
    return s->began_ms + s->timeout_ms;
}

mpc_err mpc_session_handle_timeout(mpc_session *s, uint64_t now_ms)
{
    if (s == NULL)
        return MPC_ERR_INVALID_ARG;
    if (!s->started || s->status != MPC_SESSION_RUNNING)
        return MPC_ERR_STATE;
    mpc_session_release_popped(s);
    if (now_ms < mpc_session_deadline(s))
        return MPC_OK;
    pset missing = {0};
    (void)stage_complete(s, &missing);
    memcpy(s->blame.parties, missing.b, sizeof missing.b);
    return mpc_session_fail(
        s, MPC_ERR_TIMEOUT, MPC_BLAME_TIMEOUT, MPC_BLAME_NOBODY, false,
        s->in_echo ? "echo deadline passed" : "round deadline passed");
}

/* ---- outcome ------------------------------------------------------------ */

mpc_session_state mpc_session_status(const mpc_session *s)
{
    return s == NULL ? MPC_SESSION_FAILED : s->status;
}

unsigned mpc_session_round(const mpc_session *s)
{
    return s == NULL ? 0 : s->round;
}

mpc_err mpc_session_take_result(mpc_session *s, void *result, size_t result_len)
{
    if (result != NULL && result_len > 0)
        memset(result, 0, result_len);
    if (s == NULL || result == NULL || result_len != s->proto->result_bytes)
        return MPC_ERR_INVALID_ARG;
    if (s->status != MPC_SESSION_DONE || s->result_taken)
        return MPC_ERR_STATE;
    mpc_session_release_popped(s);
    s->proto->take_result(s->state, result);
    s->result_taken = true;
    mpc_session_wipe_secrets(s);
    return MPC_OK;
}
