/*
 * The round engine under the toy protocol (session_toy.h): whole runs on
 * the simulated network with faults, and identifiable abort for each kind
 * of misbehaviour — equivocation, misdirected or malformed messages, echo
 * mismatches, timeouts, bad payloads.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/session/session_internal.h"
#include "mpc/protocol.h"
#include "mpc/session.h"
#include "tests/harness/test.h"
#include "tests/protocol/session_toy.h"
#include "tests/protocol/simnet.h"

#define MAXN 8
#define STEPS 200000

static uint64_t rnd64(void)
{
    uint64_t v;
    mpc_drbg_fill(test_drbg(), (uint8_t *)&v, sizeof v);
    return v;
}

/* Inputs for n parties; dealers given as a bit mask. */
static void make_inputs(toy_input *in, const void **ptrs, unsigned n,
                        unsigned dealer_mask)
{
    for (unsigned i = 0; i < n; i++) {
        memset(&in[i], 0, sizeof in[i]);
        in[i].a = rnd64();
        in[i].x = rnd64();
        for (unsigned d = 0; d < n; d++)
            if (dealer_mask >> d & 1)
                toy_set_dealer(&in[i], d);
        ptrs[i] = &in[i];
    }
}

static void expected(const toy_input *in, unsigned n, unsigned dealer_mask,
                     toy_result *want)
{
    *want = (toy_result){0};
    for (unsigned i = 0; i < n; i++) {
        want->sum_public += in[i].a;
        if (dealer_mask >> i & 1)
            want->sum_secret += in[i].x;
    }
}

/* Every party is DONE with the right sums. */
static bool all_correct(simnet *net, const toy_input *in, unsigned n,
                        unsigned dealer_mask)
{
    toy_result want, got;
    expected(in, n, dealer_mask, &want);
    for (unsigned i = 0; i < n; i++) {
        REQUIRE(simnet_status(net, i) == MPC_SESSION_DONE);
        REQUIRE_OK(simnet_take_result(net, i, &got, sizeof got));
        REQUIRE(got.sum_public == want.sum_public);
        REQUIRE(got.sum_secret == want.sum_secret);
    }
    return true;
}

static bool blame_is(const mpc_blame *b, mpc_err err, mpc_blame_reason reason,
                     bool attributable, unsigned parties_mask)
{
    REQUIRE(b->err == err);
    REQUIRE(b->reason == reason);
    REQUIRE(b->attributable == attributable);
    for (unsigned i = 0; i < 32; i++)
        REQUIRE(mpc_blame_has(b, i) == ((parties_mask >> i & 1) != 0));
    REQUIRE(b->detail[0] != '\0');
    return true;
}

TEST(session_toy_all_parties_done_in_random_order)
{
    int iters = test_iters(12);
    for (int it = 0; it < iters; it++) {
        unsigned n = 2 + (unsigned)it % 5;
        unsigned mask = (unsigned)rnd64() & ((1u << n) - 1);
        const mpc_protocol *p = it % 2 ? &toy_protocol : &toy_protocol_noecho;
        toy_input in[MAXN];
        const void *ptrs[MAXN];
        make_inputs(in, ptrs, n, mask);
        simnet *net = simnet_new(p, n, 1, ptrs);
        CHECK(net != NULL);
        CHECK(simnet_run(net, STEPS) == SIMNET_ALL_DONE);
        CHECK(all_correct(net, in, n, mask));
        /* The last round's messages all went out and nothing is left. */
        CHECK(simnet_in_flight(net) == 0);
        simnet_free(net);
    }
}

TEST(session_single_party_finishes_at_start)
{
    toy_input in;
    const void *ptr;
    make_inputs(&in, &ptr, 1, 1);
    simnet *net = simnet_new(&toy_protocol, 1, 1, &ptr);
    CHECK(net != NULL);
    CHECK(simnet_run(net, 10) == SIMNET_ALL_DONE);
    CHECK(all_correct(net, &in, 1, 1));
    simnet_free(net);
}

TEST(session_duplicates_and_reordering_are_harmless)
{
    for (int fifo = 0; fifo < 2; fifo++) {
        toy_input in[5];
        const void *ptrs[5];
        make_inputs(in, ptrs, 5, 0x0b);
        simnet *net = simnet_new(&toy_protocol, 5, 1, ptrs);
        CHECK(net != NULL);
        simnet_set_dup_rate(net, 400);
        simnet_set_fifo(net, fifo != 0);
        CHECK(simnet_run(net, STEPS) == SIMNET_ALL_DONE);
        CHECK(all_correct(net, in, 5, 0x0b));
        simnet_free(net);
    }
}

/* Counts frames by kind and round, and keeps them. */
struct kind_count {
    unsigned n[4][4];
};

static simnet_verdict count_kinds(void *ud, mpc_session_frame *f,
                                  mpc_wire_writer *w)
{
    struct kind_count *c = ud;
    (void)w;
    if (f->round < 4)
        c->n[f->kind][f->round]++;
    return SIMNET_KEEP;
}

TEST(session_echo_rides_in_the_next_round_or_gets_its_own)
{
    /* All deal: round 2 links every pair, so round 1 is echoed inside it;
     * round 3 (last) has its own echo exchange only when listed. */
    toy_input in[4];
    const void *ptrs[4];
    make_inputs(in, ptrs, 4, 0x0f);
    simnet *net = simnet_new(&toy_protocol, 4, 1, ptrs);
    CHECK(net != NULL);
    const mpc_session *s = simnet_session(net, 0);
    CHECK(s->plan[1].echo == ECHO_NEXT);
    CHECK(s->plan[2].echo == ECHO_NONE);
    CHECK(s->plan[3].echo == ECHO_ROUND);
    struct kind_count c = {0};
    for (unsigned i = 0; i < 4; i++)
        simnet_set_tamper(net, i, count_kinds, &c);
    CHECK(simnet_run(net, STEPS) == SIMNET_ALL_DONE);
    CHECK(c.n[MPC_SESSION_ECHO][1] == 0);
    CHECK(c.n[MPC_SESSION_ECHO][3] == 4 * 3);
    CHECK(all_correct(net, in, 4, 0x0f));
    simnet_free(net);

    /* One dealer: the non-dealers 1, 2, 3 exchange nothing in round 2, so
     * round 1 needs an echo exchange; the noecho variant skips round 3's. */
    make_inputs(in, ptrs, 4, 0x01);
    net = simnet_new(&toy_protocol_noecho, 4, 1, ptrs);
    CHECK(net != NULL);
    s = simnet_session(net, 2);
    CHECK(s->plan[1].echo == ECHO_ROUND);
    CHECK(s->plan[3].echo == ECHO_NONE);
    memset(&c, 0, sizeof c);
    for (unsigned i = 0; i < 4; i++)
        simnet_set_tamper(net, i, count_kinds, &c);
    CHECK(simnet_run(net, STEPS) == SIMNET_ALL_DONE);
    CHECK(c.n[MPC_SESSION_ECHO][1] == 4 * 3);
    CHECK(c.n[MPC_SESSION_ECHO][3] == 0);
    CHECK(c.n[MPC_SESSION_P2P][2] == 3);
    CHECK(all_correct(net, in, 4, 0x01));
    simnet_free(net);

    /* A protocol may ask for an exchange where the echo could ride. */
    mpc_protocol confirm = toy_protocol;
    confirm.echo_exchange = MPC_PROTOCOL_ROUND(1) | MPC_PROTOCOL_ROUND(3);
    make_inputs(in, ptrs, 4, 0x0f);
    net = simnet_new(&confirm, 4, 1, ptrs);
    CHECK(net != NULL);
    CHECK(simnet_session(net, 1)->plan[1].echo == ECHO_ROUND);
    memset(&c, 0, sizeof c);
    for (unsigned i = 0; i < 4; i++)
        simnet_set_tamper(net, i, count_kinds, &c);
    CHECK(simnet_run(net, STEPS) == SIMNET_ALL_DONE);
    CHECK(c.n[MPC_SESSION_ECHO][1] == 4 * 3);
    CHECK(all_correct(net, in, 4, 0x0f));
    simnet_free(net);
}

/* ---- a party that lies -------------------------------------------------- */

/* Rewrites the round-`round` broadcast `from` sends to `victim` into a
 * validly tagged one for a different value; optionally also tailors the
 * sender's echo of that broadcast in its round+1 P2P message to the victim,
 * so that the echo agrees with the victim's view. */
struct equivocate {
    const mpc_session_info *info; /* the cheater's */
    unsigned round;
    unsigned victim;
    bool tailor_echo;
    uint8_t forged_digest[MPC_SESSION_DIGEST_BYTES];
    uint8_t echo[MPC_SESSION_ECHO_MAX_BYTES];
    uint8_t payload[8 + 32];
};

static simnet_verdict equivocate_hook(void *ud, mpc_session_frame *f,
                                      mpc_wire_writer *w)
{
    struct equivocate *e = ud;
    if (f->to != e->victim)
        return SIMNET_KEEP;
    if (f->kind == MPC_SESSION_BCAST && f->round == e->round) {
        if (e->round == 1) {
            toy_round1_payload(e->info, 12345, f->from, e->payload);
            mpc_wire_write_bytes(w, e->payload, sizeof e->payload);
        } else {
            mpc_wire_write_u64(w, 777);
        }
        /* What the victim will hold: the digest of the re-encoded frame. */
        uint8_t buf[512];
        mpc_session_frame g = *f;
        g.to = MPC_SESSION_TO_ALL;
        const uint8_t *d;
        size_t n;
        if (mpc_wire_writer_finish(w, &g.payload, &g.payload_len) != MPC_OK)
            return SIMNET_KEEP;
        mpc_wire_writer fw;
        mpc_wire_writer_init_fixed(&fw, buf, sizeof buf);
        if (mpc_session_frame_serialize(&fw, &g) == MPC_OK &&
            mpc_wire_writer_finish(&fw, &d, &n) == MPC_OK)
            mpc_session_frame_digest(e->forged_digest, d, n);
        return SIMNET_REWRITE;
    }
    if (e->tailor_echo && f->round == e->round + 1 && f->echo_len > 0) {
        /* The sender's own broadcast sits at its rank among the senders. */
        memcpy(e->echo, f->echo, f->echo_len);
        memcpy(e->echo + f->from * MPC_SESSION_DIGEST_BYTES, e->forged_digest,
               MPC_SESSION_DIGEST_BYTES);
        f->echo = e->echo;
        return SIMNET_REWRITE;
    }
    return SIMNET_KEEP;
}

static simnet *equivocation_net(const mpc_protocol *p, unsigned n,
                                unsigned mask, unsigned cheater,
                                struct equivocate *e, toy_input *in)
{
    const void *ptrs[MAXN];
    make_inputs(in, ptrs, n, mask);
    simnet *net = simnet_new(p, n, 1, ptrs);
    if (net == NULL)
        return NULL;
    e->info = &simnet_session(net, cheater)->info;
    simnet_set_tamper(net, cheater, equivocate_hook, e);
    return net;
}

TEST(session_equivocating_broadcaster_is_named_by_its_own_echo)
{
    /* Party 0 sends party 2 another round-1 value. Its own echo (sent to
     * everybody in round 2) then contradicts what party 2 holds: party 2
     * can prove party 0 lied. Party 1 only sees party 2's echo disagree
     * with its own view: it names both 0 and 2 and blames neither. */
    struct equivocate e = {.round = 1, .victim = 2};
    toy_input in[3];
    simnet *net = equivocation_net(&toy_protocol, 3, 0x7, 0, &e, in);
    CHECK(net != NULL);
    simnet_set_fifo(net, true);
    CHECK(simnet_run(net, STEPS) == SIMNET_SOME_FAILED);
    mpc_blame b2 = simnet_blame(net, 2);
    CHECK(blame_is(&b2, MPC_ERR_PROTOCOL, MPC_BLAME_ECHO_MISMATCH, true,
                   1u << 0));
    CHECK(b2.broadcaster == 0);
    CHECK(b2.round == 1);
    mpc_blame b1 = simnet_blame(net, 1);
    CHECK(b1.reason == MPC_BLAME_ECHO_MISMATCH);
    CHECK(b1.broadcaster == 0);
    if (b1.attributable)
        CHECK(blame_is(&b1, MPC_ERR_PROTOCOL, MPC_BLAME_ECHO_MISMATCH, true,
                       1u << 0));
    else
        CHECK(blame_is(&b1, MPC_ERR_PROTOCOL, MPC_BLAME_ECHO_MISMATCH, false,
                       1u << 0 | 1u << 2));
    simnet_free(net);
}

TEST(session_tailored_echo_is_detected_but_never_blamed_on_the_honest)
{
    /* The cheater also lies in its echo to the victim, so the victim's
     * only evidence is the honest party 1's echo: "0 or 1 lied". */
    for (int order = 0; order < 4; order++) {
        struct equivocate e = {.round = 1, .victim = 2, .tailor_echo = true};
        toy_input in[3];
        simnet *net = equivocation_net(&toy_protocol, 3, 0x7, 0, &e, in);
        CHECK(net != NULL);
        simnet_set_fifo(net, order == 0);
        CHECK(simnet_run(net, STEPS) == SIMNET_SOME_FAILED);
        for (unsigned i = 1; i < 3; i++) {
            mpc_blame b = simnet_blame(net, i);
            if (simnet_status(net, i) != MPC_SESSION_FAILED ||
                b.reason == MPC_BLAME_TIMEOUT)
                continue;
            CHECK(b.reason == MPC_BLAME_ECHO_MISMATCH);
            CHECK(b.broadcaster == 0);
            CHECK(mpc_blame_has(&b, 0));
            /* An honest party is never blamed with certainty. */
            CHECK(!(b.attributable && mpc_blame_has(&b, 3 - i)));
        }
        mpc_blame b2 = simnet_blame(net, 2);
        CHECK(blame_is(&b2, MPC_ERR_PROTOCOL, MPC_BLAME_ECHO_MISMATCH, false,
                       1u << 0 | 1u << 1));
        simnet_free(net);
    }
}

TEST(session_equivocation_caught_in_an_echo_exchange)
{
    /* One dealer: round 1 is echoed in its own exchange. Party 1 lies to
     * party 3 about its round-1 value. */
    struct equivocate e = {.round = 1, .victim = 3};
    toy_input in[4];
    simnet *net = equivocation_net(&toy_protocol, 4, 0x1, 1, &e, in);
    CHECK(net != NULL);
    CHECK(simnet_run(net, STEPS) == SIMNET_SOME_FAILED);
    mpc_blame b3 = simnet_blame(net, 3);
    CHECK(simnet_status(net, 3) == MPC_SESSION_FAILED);
    CHECK(b3.reason == MPC_BLAME_ECHO_MISMATCH);
    CHECK(b3.broadcaster == 1);
    CHECK(mpc_blame_has(&b3, 1));
    /* Every honest party fails; none blames anybody but party 1 with
     * certainty. (Party 1's own engine is honest, but its network output
     * is the cheater's: what it reports does not count.) */
    for (unsigned i = 0; i < 4; i++) {
        mpc_blame b = simnet_blame(net, i);
        CHECK(simnet_status(net, i) == MPC_SESSION_FAILED);
        if (b.attributable && i != 1)
            CHECK(mpc_blame_count(&b) == 1 && mpc_blame_has(&b, 1));
    }
    simnet_free(net);
}

TEST(session_last_round_echo_makes_outputs_agree)
{
    /* Party 0 sends party 2 another round-3 broadcast. With the final echo
     * the parties notice; without it they finish with different sums. */
    struct equivocate e = {.round = 3, .victim = 2};
    toy_input in[3];
    simnet *net = equivocation_net(&toy_protocol, 3, 0x7, 0, &e, in);
    CHECK(net != NULL);
    CHECK(simnet_run(net, STEPS) == SIMNET_SOME_FAILED);
    mpc_blame b = simnet_blame(net, 2);
    CHECK(b.reason == MPC_BLAME_ECHO_MISMATCH && b.round == 3);
    CHECK(mpc_blame_has(&b, 0));
    CHECK(simnet_status(net, 1) == MPC_SESSION_FAILED);
    simnet_free(net);

    net = equivocation_net(&toy_protocol_noecho, 3, 0x7, 0, &e, in);
    CHECK(net != NULL);
    CHECK(simnet_run(net, STEPS) == SIMNET_ALL_DONE);
    toy_result r1, r2;
    CHECK_OK(simnet_take_result(net, 1, &r1, sizeof r1));
    CHECK_OK(simnet_take_result(net, 2, &r2, sizeof r2));
    CHECK(r1.sum_secret != r2.sum_secret);
    simnet_free(net);
}

/* ---- a party whose payloads are wrong ----------------------------------- */

struct payload_lie {
    unsigned round;
    mpc_session_kind kind;
    unsigned victim;
    int what; /* 0: short payload, 1: wrong value, 2: tag for another
                 prover */
    const mpc_session_info *info;
    uint8_t buf[40];
};

static simnet_verdict payload_hook(void *ud, mpc_session_frame *f,
                                   mpc_wire_writer *w)
{
    struct payload_lie *l = ud;
    if (f->round != l->round || f->kind != l->kind || f->to != l->victim)
        return SIMNET_KEEP;
    switch (l->what) {
    case 0:
        mpc_wire_write_u32(w, 1);
        break;
    case 1:
        mpc_wire_write_u64(w, 0xdead);
        break;
    default:
        /* The same value, tagged as if proved by party 1. */
        memcpy(l->buf, f->payload, 8);
        toy_round1_payload(
            l->info,
            (uint64_t)l->buf[0] << 56 | (uint64_t)l->buf[1] << 48 |
                (uint64_t)l->buf[2] << 40 | (uint64_t)l->buf[3] << 32 |
                (uint64_t)l->buf[4] << 24 | (uint64_t)l->buf[5] << 16 |
                (uint64_t)l->buf[6] << 8 | l->buf[7],
            1, l->buf);
        mpc_wire_write_bytes(w, l->buf, sizeof l->buf);
        break;
    }
    return SIMNET_REWRITE;
}

TEST(session_bad_payloads_are_blamed_by_the_protocol)
{
    struct {
        unsigned round;
        mpc_session_kind kind;
        int what;
        mpc_err err;
        mpc_blame_reason reason;
    } cases[] = {
        {1, MPC_SESSION_BCAST, 0, MPC_ERR_PARSE, MPC_BLAME_PARSE},
        {1, MPC_SESSION_BCAST, 2, MPC_ERR_VERIFY, MPC_BLAME_VERIFY},
        {2, MPC_SESSION_P2P, 0, MPC_ERR_PARSE, MPC_BLAME_PARSE},
        {3, MPC_SESSION_BCAST, 0, MPC_ERR_PARSE, MPC_BLAME_PARSE},
        {3, MPC_SESSION_P2P, 1, MPC_ERR_VERIFY, MPC_BLAME_VERIFY},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        toy_input in[3];
        const void *ptrs[3];
        make_inputs(in, ptrs, 3, 0x7);
        simnet *net = simnet_new(&toy_protocol_noecho, 3, 1, ptrs);
        CHECK(net != NULL);
        struct payload_lie l = {.round = cases[k].round,
                                .kind = cases[k].kind,
                                .victim = 1,
                                .what = cases[k].what,
                                .info = &simnet_session(net, 2)->info};
        simnet_set_tamper(net, 2, payload_hook, &l);
        CHECK(simnet_run(net, STEPS) == SIMNET_SOME_FAILED);
        mpc_blame b = simnet_blame(net, 1);
        CHECK(blame_is(&b, cases[k].err, cases[k].reason, true, 1u << 2));
        CHECK(b.round == cases[k].round);
        simnet_free(net);
    }
}

/* ---- the network loses things ------------------------------------------- */

TEST(session_timeout_names_the_missing_sender)
{
    toy_input in[3];
    const void *ptrs[3];
    make_inputs(in, ptrs, 3, 0x7);
    simnet *net = simnet_new(&toy_protocol, 3, 1, ptrs);
    CHECK(net != NULL);
    simnet_drop_match(net, 1, 2, 0);
    CHECK(simnet_run(net, STEPS) == SIMNET_SOME_FAILED);
    CHECK(simnet_last_err(net, 0) == MPC_ERR_TIMEOUT);
    mpc_blame b = simnet_blame(net, 0);
    CHECK(blame_is(&b, MPC_ERR_TIMEOUT, MPC_BLAME_TIMEOUT, false, 1u << 2));
    CHECK(b.round == 1);
    /* The others then wait for party 0, which fell silent. */
    for (unsigned i = 1; i < 3; i++) {
        b = simnet_blame(net, i);
        CHECK(b.reason == MPC_BLAME_TIMEOUT && mpc_blame_has(&b, 0));
        CHECK(!b.attributable);
    }
    simnet_free(net);
}

static simnet_verdict drop_echoes(void *ud, mpc_session_frame *f,
                                  mpc_wire_writer *w)
{
    (void)ud;
    (void)w;
    return f->kind == MPC_SESSION_ECHO ? SIMNET_DROP : SIMNET_KEEP;
}

TEST(session_timeout_in_an_echo_exchange_names_the_silent_echoer)
{
    toy_input in[4];
    const void *ptrs[4];
    make_inputs(in, ptrs, 4, 0x1);
    simnet *net = simnet_new(&toy_protocol, 4, 1, ptrs);
    CHECK(net != NULL);
    simnet_set_tamper(net, 3, drop_echoes, NULL);
    CHECK(simnet_run(net, STEPS) == SIMNET_SOME_FAILED);
    for (unsigned i = 0; i < 3; i++) {
        mpc_blame b = simnet_blame(net, i);
        CHECK(blame_is(&b, MPC_ERR_TIMEOUT, MPC_BLAME_TIMEOUT, false, 1u << 3));
        CHECK(b.round == 1);
        CHECK(strcmp(b.detail, "echo deadline passed") == 0);
    }
    simnet_free(net);
}

TEST(session_random_loss_only_ever_times_out)
{
    int iters = test_iters(6);
    for (int it = 0; it < iters; it++) {
        toy_input in[4];
        const void *ptrs[4];
        make_inputs(in, ptrs, 4, 0x5);
        simnet *net = simnet_new(&toy_protocol, 4, 1, ptrs);
        CHECK(net != NULL);
        simnet_set_drop_rate(net, 30);
        simnet_set_dup_rate(net, 100);
        simnet_outcome o = simnet_run(net, STEPS);
        CHECK(o != SIMNET_STALLED);
        if (o == SIMNET_ALL_DONE) {
            CHECK(all_correct(net, in, 4, 0x5));
        } else {
            for (unsigned i = 0; i < 4; i++) {
                if (simnet_status(net, i) != MPC_SESSION_FAILED)
                    continue;
                mpc_blame b = simnet_blame(net, i);
                CHECK(b.err == MPC_ERR_TIMEOUT && !b.attributable);
                CHECK(mpc_blame_count(&b) >= 1);
            }
        }
        simnet_free(net);
    }
}

TEST(session_corrupted_frames_blame_only_their_sender)
{
    int iters = test_iters(8);
    for (int it = 0; it < iters; it++) {
        toy_input in[4];
        const void *ptrs[4];
        make_inputs(in, ptrs, 4, 0xf);
        simnet *net = simnet_new(&toy_protocol, 4, 1, ptrs);
        CHECK(net != NULL);
        simnet_set_corrupt_from(net, 0);
        simnet_set_corrupt_rate(net, 300);
        CHECK(simnet_run(net, STEPS) != SIMNET_STALLED);
        for (unsigned i = 1; i < 4; i++) {
            if (simnet_status(net, i) != MPC_SESSION_FAILED)
                continue;
            mpc_blame b = simnet_blame(net, i);
            if (b.reason == MPC_BLAME_TIMEOUT)
                continue;
            CHECK(mpc_blame_has(&b, 0));
            if (b.attributable)
                CHECK(mpc_blame_count(&b) == 1);
        }
        simnet_free(net);
    }
}

/* ---- buffering ---------------------------------------------------------- */

struct recorder {
    uint8_t *frames[64];
    size_t lens[64];
    unsigned from[64];
    unsigned key[64]; /* 2*round, +1 for echo frames */
    size_t n;
};

static simnet_verdict record_to_0(void *ud, mpc_session_frame *f,
                                  mpc_wire_writer *w)
{
    struct recorder *r = ud;
    (void)w;
    if (f->to != 0 || r->n == 64)
        return SIMNET_KEEP;
    mpc_session_frame g = *f;
    if (g.kind != MPC_SESSION_P2P)
        g.to = MPC_SESSION_TO_ALL;
    uint8_t buf[1024];
    mpc_wire_writer fw;
    mpc_wire_writer_init_fixed(&fw, buf, sizeof buf);
    const uint8_t *d;
    size_t len;
    if (mpc_session_frame_serialize(&fw, &g) != MPC_OK ||
        mpc_wire_writer_finish(&fw, &d, &len) != MPC_OK)
        return SIMNET_KEEP;
    r->frames[r->n] = malloc(len);
    if (r->frames[r->n] == NULL)
        return SIMNET_KEEP;
    memcpy(r->frames[r->n], d, len);
    r->lens[r->n] = len;
    r->from[r->n] = g.from;
    r->key[r->n] = 2 * g.round + (g.kind == MPC_SESSION_ECHO);
    r->n++;
    return SIMNET_KEEP;
}

/* Feeds an identical twin of party 0 everything it received in `rec`,
 * latest round first; it must hold it all, stay in round 1 until the last
 * round-1 message, then finish with `want`. */
static bool replay_backwards(const struct recorder *rec, const mpc_ctx *twin,
                             const uint8_t *sid, const toy_input *in0,
                             const toy_result *want)
{
    mpc_session_params p;
    mpc_session_params_default(&p);
    p.protocol = &toy_protocol;
    memcpy(p.sid, sid, sizeof p.sid);
    p.n = 4;
    p.threshold = 1;
    p.input = in0;
    mpc_session *s = NULL;
    REQUIRE(twin != NULL);
    REQUIRE_OK(mpc_session_new(&s, twin, &p));
    REQUIRE_OK(mpc_session_start(s, 0));
    mpc_session_msg m;
    while (mpc_session_pop_outgoing(s, &m))
        ;
    size_t left = rec->n;
    for (unsigned key = 7; key >= 2; key--)
        for (size_t k = 0; k < rec->n; k++) {
            if (rec->key[k] != key)
                continue;
            REQUIRE(mpc_session_status(s) == MPC_SESSION_RUNNING);
            REQUIRE(mpc_session_round(s) == 1);
            REQUIRE_OK(mpc_session_recv(s, rec->from[k], rec->frames[k],
                                        rec->lens[k], 10));
            /* A second copy is ignored, before and after its round ran;
             * once the session is DONE it is refused as out of state. */
            left--;
            REQUIRE(mpc_session_recv(s, rec->from[k], rec->frames[k],
                                     rec->lens[k], 10) ==
                    (left > 0 ? MPC_OK : MPC_ERR_STATE));
            if (left > 0)
                REQUIRE(mpc_session_status(s) == MPC_SESSION_RUNNING);
        }
    REQUIRE(mpc_session_status(s) == MPC_SESSION_DONE);
    toy_result got;
    REQUIRE_OK(mpc_session_take_result(s, &got, sizeof got));
    REQUIRE(memcmp(&got, want, sizeof got) == 0);
    mpc_session_free(s);
    return true;
}

TEST(session_future_rounds_are_buffered)
{
    static const unsigned masks[] = {0x1, 0xf};
    for (size_t mi = 0; mi < 2; mi++) {
        toy_input in[4];
        const void *ptrs[4];
        make_inputs(in, ptrs, 4, masks[mi]);
        simnet *net = simnet_new(&toy_protocol, 4, 1, ptrs);
        CHECK(net != NULL);
        struct recorder rec = {0};
        for (unsigned i = 1; i < 4; i++)
            simnet_set_tamper(net, i, record_to_0, &rec);
        CHECK(simnet_run(net, STEPS) == SIMNET_ALL_DONE);
        toy_result want;
        CHECK_OK(simnet_take_result(net, 0, &want, sizeof want));
        bool ok = replay_backwards(&rec, simnet_twin_ctx(net, 0),
                                   simnet_sid(net), &in[0], &want);
        for (size_t k = 0; k < rec.n; k++)
            free(rec.frames[k]);
        simnet_free(net);
        CHECK(ok);
    }
}
