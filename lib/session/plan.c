/* lib/session: the round plan — who sends what to whom in each round, and
 * how each round's broadcasts are echoed (mpc/protocol.h explains why). */
#include "lib/session/session_internal.h"

unsigned mpc_session_pset_count(const pset *s)
{
    unsigned c = 0;
    for (size_t k = 0; k < sizeof s->b; k++)
        for (uint8_t v = s->b[k]; v != 0; v &= (uint8_t)(v - 1))
            c++;
    return c;
}

/* The protocol's pattern, with unknown flag bits ignored. */
static unsigned pat(const mpc_session *s, unsigned round, unsigned from,
                    unsigned to)
{
    return s->proto->pattern(s->state, round, from, to) &
           (MPC_PROTOCOL_BCAST | MPC_PROTOCOL_P2P);
}

void mpc_session_view_of(const mpc_session *s, unsigned round, unsigned who,
                         pset *out)
{
    *out = (pset){0};
    bool sends = false;
    for (unsigned j = 0; j < s->info.n; j++) {
        if (j == who)
            continue;
        if (pat(s, round, j, who) & MPC_PROTOCOL_BCAST)
            pset_add(out, j);
        if (pat(s, round, who, j) & MPC_PROTOCOL_BCAST)
            sends = true;
    }
    if (sends)
        pset_add(out, who);
}

/* Whether round+1 carries a message, either way, between every two parties
 * whose views of `round` share a broadcaster: then the echo can ride in
 * round+1 (a one-way message suffices: its receiver cannot complete unless
 * the views agree). `link` is scratch space for n sets. */
static bool next_round_links(const mpc_session *s, unsigned round,
                             const pset *views, pset *link)
{
    unsigned n = s->info.n;
    for (unsigned i = 0; i < n; i++)
        link[i] = (pset){0};
    for (unsigned i = 0; i < n; i++)
        for (unsigned k = 0; k < n; k++)
            if (i != k && pat(s, round + 1, i, k) != 0) {
                pset_add(&link[i], k);
                pset_add(&link[k], i);
            }
    for (unsigned i = 0; i < n; i++)
        for (unsigned k = i + 1; k < n; k++)
            if (pset_intersects(&views[i], &views[k]) && !pset_has(&link[i], k))
                return false;
    return true;
}

static void plan_links(mpc_session *s, struct round_plan *p, unsigned round)
{
    unsigned self = s->info.self;
    for (unsigned j = 0; j < s->info.n; j++) {
        if (j == self)
            continue;
        unsigned in = pat(s, round, j, self);
        unsigned out = pat(s, round, self, j);
        if (in & MPC_PROTOCOL_BCAST)
            pset_add(&p->in_bcast, j);
        if (in & MPC_PROTOCOL_P2P)
            pset_add(&p->in_p2p, j);
        if (out & MPC_PROTOCOL_BCAST)
            pset_add(&p->out_bcast, j);
        if (out & MPC_PROTOCOL_P2P)
            pset_add(&p->out_p2p, j);
    }
}

static enum echo_mode choose_echo(const mpc_session *s, unsigned round,
                                  const pset *views, pset *link)
{
    bool any = false;
    for (unsigned i = 0; i < s->info.n && !any; i++)
        any = !pset_empty(&views[i]);
    if (!any)
        return ECHO_NONE;
    if ((s->proto->echo_exchange & MPC_PROTOCOL_ROUND(round)) != 0)
        return ECHO_ROUND;
    if (round == s->proto->rounds)
        return ECHO_NONE;
    return next_round_links(s, round, views, link) ? ECHO_NEXT : ECHO_ROUND;
}

mpc_err mpc_session_plan(mpc_session *s)
{
    unsigned n = s->info.n;
    unsigned self = s->info.self;
    pset *views = mpc_ctx_alloc_array(s->ctx, 2 * (size_t)n, sizeof *views);
    if (views == NULL)
        return MPC_ERR_NOMEM;
    pset *link = views + n;
    for (unsigned r = 1; r <= s->proto->rounds; r++) {
        struct round_plan *p = &s->plan[r];
        *p = (struct round_plan){0};
        plan_links(s, p, r);
        for (unsigned i = 0; i < n; i++)
            mpc_session_view_of(s, r, i, &views[i]);
        p->view = views[self];
        p->echo = choose_echo(s, r, views, link);
        if (p->echo != ECHO_ROUND)
            continue;
        for (unsigned k = 0; k < n; k++)
            if (k != self && pset_intersects(&views[self], &views[k]))
                pset_add(&p->echo_peers, k);
    }
    mpc_ctx_free_mem(s->ctx, views, 2 * (size_t)n * sizeof *views);
    return MPC_OK;
}
