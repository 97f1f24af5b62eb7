/* lib/session: failing a session and recording who is to blame. */
#include <string.h>

#include "lib/session/session_internal.h"
#include "mpc/mem.h"

bool mpc_blame_has(const mpc_blame *b, unsigned party)
{
    return b != NULL && party < 8 * MPC_BLAME_SET_BYTES &&
           (b->parties[party / 8] >> (party % 8) & 1) != 0;
}

unsigned mpc_blame_count(const mpc_blame *b)
{
    if (b == NULL)
        return 0;
    pset p;
    memcpy(p.b, b->parties, sizeof p.b);
    return mpc_session_pset_count(&p);
}

const char *mpc_blame_reason_str(mpc_blame_reason r)
{
    switch (r) {
    case MPC_BLAME_NONE:
        return "none";
    case MPC_BLAME_PARSE:
        return "malformed message";
    case MPC_BLAME_UNEXPECTED:
        return "unexpected message";
    case MPC_BLAME_EQUIVOCATION:
        return "equivocation";
    case MPC_BLAME_ECHO_MISMATCH:
        return "echo mismatch";
    case MPC_BLAME_TIMEOUT:
        return "timeout";
    case MPC_BLAME_VERIFY:
        return "verification failed";
    case MPC_BLAME_PROTOCOL:
        return "protocol violation";
    }
    return "unknown";
}

void mpc_session_blame_add(mpc_session *s, unsigned party)
{
    if (party >= s->info.n)
        return;
    s->blame.parties[party / 8] |= (uint8_t)(1u << (party % 8));
}

void mpc_session_blame_note(mpc_session *s, mpc_blame_reason reason,
                            const char *detail)
{
    if (s->blame.reason != MPC_BLAME_NONE || s->blame.detail[0] != '\0')
        return;
    s->blame.reason = reason;
    if (detail == NULL)
        detail = mpc_blame_reason_str(reason);
    size_t n = strlen(detail);
    if (n >= sizeof s->blame.detail)
        n = sizeof s->blame.detail - 1;
    memcpy(s->blame.detail, detail, n);
    s->blame.detail[n] = '\0';
}

void mpc_session_wipe_secrets(mpc_session *s)
{
    if (s->state_live) {
        s->proto->clear(s->state);
        s->state_live = false;
    }
    if (s->state != NULL)
        mpc_wipe(s->state, s->proto->state_bytes);
    for (size_t i = 0; s->slots != NULL && i < s->nslots; i++) {
        struct slot *sl = &s->slots[i];
        mpc_ctx_free_mem(s->ctx, sl->frame, sl->len);
        sl->frame = NULL;
    }
}

mpc_err mpc_session_fail(mpc_session *s, mpc_err err, mpc_blame_reason reason,
                         unsigned party, bool attributable, const char *detail)
{
    if (s->status == MPC_SESSION_FAILED)
        return err;
    s->status = MPC_SESSION_FAILED;
    s->blame.err = err;
    if (s->blame.round == 0)
        s->blame.round = s->round;
    mpc_session_blame_add(s, party);
    if (attributable && party < s->info.n)
        s->blame.attributable = true;
    if (reason == MPC_BLAME_NONE && detail == NULL)
        detail = mpc_err_str(err);
    mpc_session_blame_note(s, reason, detail);
    /* What was queued before the failure stays queued: it was produced
     * by the protocol before anything went wrong, and peers need it to
     * finish their round or to identify the culprit. Nothing new is
     * queued from here on. */
    mpc_session_wipe_secrets(s);
    return err;
}

mpc_err mpc_session_blame(const mpc_session *s, mpc_blame *out)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (s == NULL)
        return MPC_ERR_INVALID_ARG;
    if (s->status != MPC_SESSION_FAILED)
        return MPC_ERR_STATE;
    *out = s->blame;
    return MPC_OK;
}
