/* The simulated network; see simnet.h. */
#include "tests/protocol/simnet.h"

#include <stdlib.h>
#include <string.h>

#include "mpc/rng.h"
#include "tests/harness/test.h"

#define MAX_DROPS 16
#define MAX_TWINS 8

struct flight {
    unsigned from, to;
    uint8_t *data;
    size_t len;
};

struct drop_rule {
    unsigned round, from, to;
};

struct simnet {
    unsigned n;
    mpc_session *s[MPC_SESSION_PARTIES_MAX];
    const mpc_ctx *ctx[MPC_SESSION_PARTIES_MAX];
    /* Contexts the net made (and frees), each with its own DRBG. */
    uint8_t ctx_seed[32];
    mpc_ctx *own[MPC_SESSION_PARTIES_MAX + MAX_TWINS];
    mpc_drbg own_drbg[MPC_SESSION_PARTIES_MAX + MAX_TWINS];
    size_t nown;
    mpc_err last_err[MPC_SESSION_PARTIES_MAX];
    bool started;
    uint8_t sid[MPC_SESSION_ID_BYTES];
    mpc_drbg rng;
    uint64_t now;

    struct flight *q;
    size_t qlen, qcap;
    size_t delivered;

    unsigned drop_pm, dup_pm, corrupt_pm;
    unsigned corrupt_from;
    bool fifo;
    struct drop_rule drops[MAX_DROPS];
    size_t ndrops;
    simnet_tamper_fn tamper[MPC_SESSION_PARTIES_MAX];
    void *tamper_ud[MPC_SESSION_PARTIES_MAX];
};

static uint32_t rnd(simnet *net, uint32_t bound)
{
    uint8_t b[4];
    mpc_drbg_fill(&net->rng, b, sizeof b);
    uint32_t v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
                 (uint32_t)b[2] << 8 | b[3];
    return bound == 0 ? 0 : v % bound;
}

static bool chance(simnet *net, unsigned per_mille)
{
    return per_mille > 0 && rnd(net, 1000) < per_mille;
}

simnet *simnet_new(const mpc_protocol *protocol, unsigned n, unsigned threshold,
                   const void *const *inputs)
{
    simnet_config cfg = {
        .protocol = protocol, .n = n, .threshold = threshold, .inputs = inputs};
    return simnet_new_cfg(&cfg);
}

/* A context whose DRBG is seeded by the net's seed and `party`: the same
 * party index always gives the same random stream. */
static const mpc_ctx *party_ctx(simnet *net, unsigned party)
{
    if (net->nown == sizeof net->own / sizeof net->own[0])
        return NULL;
    uint8_t seed[sizeof net->ctx_seed + 4];
    memcpy(seed, net->ctx_seed, sizeof net->ctx_seed);
    memcpy(seed + sizeof net->ctx_seed, &party, 4);
    mpc_drbg *d = &net->own_drbg[net->nown];
    mpc_drbg_init(d, seed, sizeof seed);
    mpc_ctx_config c = {.rng = mpc_drbg_fill, .rng_ud = d};
    mpc_ctx *ctx = NULL;
    if (mpc_ctx_new(&ctx, &c) != MPC_OK)
        return NULL;
    net->own[net->nown++] = ctx;
    return ctx;
}

const mpc_ctx *simnet_twin_ctx(simnet *net, unsigned party)
{
    return party_ctx(net, party);
}

simnet *simnet_new_cfg(const simnet_config *cfg)
{
    if (cfg->n == 0 || cfg->n > MPC_SESSION_PARTIES_MAX)
        return NULL;
    simnet *net = calloc(1, sizeof *net);
    if (net == NULL)
        return NULL;
    net->n = cfg->n;
    net->corrupt_from = SIMNET_ANY;
    uint8_t seed[32];
    mpc_drbg_fill(test_drbg(), seed, sizeof seed);
    mpc_drbg_init(&net->rng, seed, sizeof seed);
    mpc_drbg_fill(&net->rng, net->sid, sizeof net->sid);
    mpc_drbg_fill(&net->rng, net->ctx_seed, sizeof net->ctx_seed);

    for (unsigned i = 0; i < cfg->n; i++) {
        net->ctx[i] = cfg->ctxs != NULL ? cfg->ctxs[i] : party_ctx(net, i);
        if (net->ctx[i] == NULL) {
            simnet_free(net);
            return NULL;
        }
        mpc_session_params p;
        mpc_session_params_default(&p);
        p.protocol = cfg->protocol;
        memcpy(p.sid, net->sid, sizeof p.sid);
        p.self = i;
        p.n = cfg->n;
        p.threshold = cfg->threshold;
        p.input = cfg->inputs != NULL ? cfg->inputs[i] : NULL;
        if (cfg->round_timeout_ms != 0)
            p.round_timeout_ms = cfg->round_timeout_ms;
        else
            p.round_timeout_ms = SIMNET_TIMEOUT_MS;
        if (mpc_session_new(&net->s[i], net->ctx[i], &p) != MPC_OK) {
            simnet_free(net);
            return NULL;
        }
    }
    return net;
}

void simnet_free(simnet *net)
{
    if (net == NULL)
        return;
    for (unsigned i = 0; i < net->n; i++)
        mpc_session_free(net->s[i]);
    for (size_t k = 0; k < net->nown; k++) {
        mpc_ctx_free(net->own[k]);
        mpc_drbg_clear(&net->own_drbg[k]);
    }
    for (size_t k = 0; k < net->qlen; k++)
        free(net->q[k].data);
    free(net->q);
    free(net);
}

void simnet_set_drop_rate(simnet *net, unsigned per_mille)
{
    net->drop_pm = per_mille;
}

void simnet_set_dup_rate(simnet *net, unsigned per_mille)
{
    net->dup_pm = per_mille;
}

void simnet_set_corrupt_rate(simnet *net, unsigned per_mille)
{
    net->corrupt_pm = per_mille;
}

void simnet_set_corrupt_from(simnet *net, unsigned from)
{
    net->corrupt_from = from;
}

void simnet_set_fifo(simnet *net, bool fifo)
{
    net->fifo = fifo;
}

void simnet_drop_match(simnet *net, unsigned round, unsigned from, unsigned to)
{
    if (net->ndrops < MAX_DROPS)
        net->drops[net->ndrops++] = (struct drop_rule){round, from, to};
}

void simnet_set_tamper(simnet *net, unsigned party, simnet_tamper_fn fn,
                       void *ud)
{
    net->tamper[party] = fn;
    net->tamper_ud[party] = ud;
}

/* ---- the flight queue --------------------------------------------------- */

static void push(simnet *net, unsigned from, unsigned to, const uint8_t *data,
                 size_t len)
{
    if (net->qlen == net->qcap) {
        size_t cap = net->qcap ? 2 * net->qcap : 64;
        struct flight *q = realloc(net->q, cap * sizeof *q);
        if (q == NULL)
            abort();
        net->q = q;
        net->qcap = cap;
    }
    uint8_t *copy = malloc(len > 0 ? len : 1);
    if (copy == NULL)
        abort();
    if (len > 0)
        memcpy(copy, data, len);
    net->q[net->qlen++] = (struct flight){from, to, copy, len};
}

void simnet_inject(simnet *net, unsigned from, unsigned to,
                   const uint8_t *bytes, size_t len)
{
    push(net, from, to, bytes, len);
}

static bool drop_rule_hit(const simnet *net, unsigned round, unsigned from,
                          unsigned to)
{
    for (size_t k = 0; k < net->ndrops; k++) {
        const struct drop_rule *d = &net->drops[k];
        if ((d->round == SIMNET_ANY || d->round == round) &&
            (d->from == SIMNET_ANY || d->from == from) &&
            (d->to == SIMNET_ANY || d->to == to))
            return true;
    }
    return false;
}

/* Runs the hook of `from` on one copy; false means drop. The result is
 * pushed by the caller from *out (malloc'd when rewritten). */
static bool tamper(simnet *net, unsigned from, unsigned to, const uint8_t *data,
                   size_t len, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    mpc_session_frame f;
    if (net->tamper[from] == NULL ||
        mpc_session_frame_parse(&f, data, len) != MPC_OK)
        return true;
    f.to = to;
    mpc_wire_writer pw;
    mpc_wire_writer_init(&pw, net->ctx[from], MPC_SESSION_PAYLOAD_MAX_BYTES);
    simnet_verdict v = net->tamper[from](net->tamper_ud[from], &f, &pw);
    bool keep = v != SIMNET_DROP;
    if (v == SIMNET_REWRITE) {
        const uint8_t *p;
        size_t plen;
        if (mpc_wire_writer_finish(&pw, &p, &plen) == MPC_OK && plen > 0) {
            f.payload = p;
            f.payload_len = plen;
        }
        /* A broadcast copy re-encoded for one recipient keeps `to` as the
         * broadcast marker unless the hook changed the kind. */
        if (f.kind != MPC_SESSION_P2P && f.to == to)
            f.to = MPC_SESSION_TO_ALL;
        mpc_wire_writer w;
        mpc_wire_writer_init(&w, net->ctx[from], MPC_SESSION_FRAME_MAX_BYTES);
        const uint8_t *d;
        size_t dlen;
        if (mpc_session_frame_serialize(&w, &f) == MPC_OK &&
            mpc_wire_writer_finish(&w, &d, &dlen) == MPC_OK) {
            *out = malloc(dlen > 0 ? dlen : 1);
            if (*out == NULL)
                abort();
            memcpy(*out, d, dlen);
            *out_len = dlen;
        }
        mpc_wire_writer_clear(&w);
    }
    mpc_wire_writer_clear(&pw);
    return keep;
}

/* Sends one copy from `from` to `to` through the fault model. */
static void send_copy(simnet *net, unsigned from, unsigned to, unsigned round,
                      const uint8_t *data, size_t len)
{
    if (drop_rule_hit(net, round, from, to) || chance(net, net->drop_pm))
        return;
    uint8_t *rewritten;
    size_t rlen;
    if (!tamper(net, from, to, data, len, &rewritten, &rlen))
        return;
    if (rewritten != NULL) {
        data = rewritten;
        len = rlen;
    }
    push(net, from, to, data, len);
    free(rewritten);
    struct flight *fl = &net->q[net->qlen - 1];
    if (fl->len > 0 &&
        (net->corrupt_from == SIMNET_ANY || net->corrupt_from == from) &&
        chance(net, net->corrupt_pm)) {
        uint32_t bit = rnd(net, (uint32_t)(fl->len * 8));
        fl->data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    if (chance(net, net->dup_pm))
        push(net, from, to, fl->data, fl->len);
}

/* Moves everything party i has queued into flight. */
static void drain(simnet *net, unsigned i)
{
    mpc_session_msg m;
    while (mpc_session_pop_outgoing(net->s[i], &m)) {
        if (m.to != MPC_SESSION_TO_ALL) {
            send_copy(net, i, m.to, m.round, m.data, m.len);
            continue;
        }
        for (unsigned j = 0; j < net->n; j++)
            if (j != i)
                send_copy(net, i, j, m.round, m.data, m.len);
    }
}

/* ---- running ------------------------------------------------------------ */

void simnet_start(simnet *net)
{
    if (net->started)
        return;
    net->started = true;
    for (unsigned i = 0; i < net->n; i++) {
        net->last_err[i] = mpc_session_start(net->s[i], net->now);
        drain(net, i);
    }
}

static bool any_running(const simnet *net)
{
    for (unsigned i = 0; i < net->n; i++)
        if (mpc_session_status(net->s[i]) == MPC_SESSION_RUNNING)
            return true;
    return false;
}

static void deliver_one(simnet *net)
{
    size_t k = net->fifo ? 0 : rnd(net, (uint32_t)net->qlen);
    struct flight fl = net->q[k];
    if (net->fifo)
        memmove(net->q, net->q + 1, (net->qlen - 1) * sizeof *net->q);
    else
        net->q[k] = net->q[net->qlen - 1];
    net->qlen--;
    net->now++;
    if (mpc_session_status(net->s[fl.to]) == MPC_SESSION_RUNNING) {
        net->delivered++;
        net->last_err[fl.to] =
            mpc_session_recv(net->s[fl.to], fl.from, fl.data, fl.len, net->now);
        drain(net, fl.to);
    }
    free(fl.data);
}

static bool expire(simnet *net)
{
    uint64_t d = UINT64_MAX;
    for (unsigned i = 0; i < net->n; i++) {
        uint64_t di = mpc_session_deadline(net->s[i]);
        d = di < d ? di : d;
    }
    if (d == UINT64_MAX)
        return false;
    if (d > net->now)
        net->now = d;
    for (unsigned i = 0; i < net->n; i++)
        if (mpc_session_deadline(net->s[i]) <= net->now) {
            net->last_err[i] = mpc_session_handle_timeout(net->s[i], net->now);
            drain(net, i);
        }
    return true;
}

bool simnet_step(simnet *net)
{
    simnet_start(net);
    if (!any_running(net))
        return false;
    if (net->qlen > 0) {
        deliver_one(net);
        return true;
    }
    return expire(net);
}

simnet_outcome simnet_run(simnet *net, size_t max_steps)
{
    for (size_t k = 0; k < max_steps && simnet_step(net); k++)
        ;
    bool failed = false, running = false;
    for (unsigned i = 0; i < net->n; i++) {
        mpc_session_state st = mpc_session_status(net->s[i]);
        failed |= st == MPC_SESSION_FAILED;
        running |= st == MPC_SESSION_RUNNING;
    }
    if (running)
        return SIMNET_STALLED;
    return failed ? SIMNET_SOME_FAILED : SIMNET_ALL_DONE;
}

/* ---- accessors ---------------------------------------------------------- */

mpc_session *simnet_session(const simnet *net, unsigned i)
{
    return net->s[i];
}

const mpc_ctx *simnet_ctx(const simnet *net, unsigned i)
{
    return net->ctx[i];
}

const uint8_t *simnet_sid(const simnet *net)
{
    return net->sid;
}

uint64_t simnet_now(const simnet *net)
{
    return net->now;
}

size_t simnet_in_flight(const simnet *net)
{
    return net->qlen;
}

size_t simnet_delivered(const simnet *net)
{
    return net->delivered;
}

mpc_session_state simnet_status(const simnet *net, unsigned i)
{
    return mpc_session_status(net->s[i]);
}

mpc_err simnet_last_err(const simnet *net, unsigned i)
{
    return net->last_err[i];
}

mpc_err simnet_take_result(simnet *net, unsigned i, void *result, size_t len)
{
    return mpc_session_take_result(net->s[i], result, len);
}

mpc_blame simnet_blame(const simnet *net, unsigned i)
{
    mpc_blame b;
    if (mpc_session_blame(net->s[i], &b) != MPC_OK)
        memset(&b, 0, sizeof b);
    return b;
}
