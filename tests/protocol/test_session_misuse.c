/*
 * The round engine, driven by hand: every misuse of the API, every reason
 * a frame is refused (with the blame it earns), deadlines, protocol-table
 * bugs, allocation failure at every step, and wiping.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/session/session_internal.h"
#include "mpc/protocol.h"
#include "mpc/session.h"
#include "tests/harness/test.h"
#include "tests/protocol/session_toy.h"
#include "tests/protocol/simnet.h"

/* ---- a hand-driven trio ------------------------------------------------- */

#define TRIO 3
#define MAX_SENT 64

struct sent {
    unsigned from, to, round;
    mpc_session_kind kind;
    uint8_t *data;
    size_t len;
};

struct trio {
    mpc_session *s[TRIO];
    toy_input in[TRIO];
    uint8_t sid[MPC_SESSION_ID_BYTES];
    struct sent sent[MAX_SENT];
    size_t nsent;
};

static void trio_drain(struct trio *t, unsigned i)
{
    mpc_session_msg m;
    while (mpc_session_pop_outgoing(t->s[i], &m))
        if (t->nsent < MAX_SENT) {
            struct sent *x = &t->sent[t->nsent++];
            *x = (struct sent){i, m.to, m.round, m.kind, malloc(m.len), m.len};
            if (x->data != NULL)
                memcpy(x->data, m.data, m.len);
        }
}

static mpc_err trio_params(struct trio *t, mpc_session_params *p, unsigned i,
                           const mpc_protocol *proto)
{
    mpc_session_params_default(p);
    p->protocol = proto;
    memcpy(p->sid, t->sid, sizeof p->sid);
    p->self = i;
    p->n = TRIO;
    p->threshold = 2;
    p->input = &t->in[i];
    p->round_timeout_ms = 100;
    return MPC_OK;
}

/* Three started toy sessions with `dealers`; their round-1 frames are in
 * t->sent. */
static bool trio_new(struct trio *t, unsigned dealers)
{
    memset(t, 0, sizeof *t);
    mpc_drbg_fill(test_drbg(), t->sid, sizeof t->sid);
    for (unsigned i = 0; i < TRIO; i++) {
        t->in[i].a = 100 + i;
        t->in[i].x = 1000 + i;
        for (unsigned d = 0; d < TRIO; d++)
            if (dealers >> d & 1)
                toy_set_dealer(&t->in[i], d);
    }
    for (unsigned i = 0; i < TRIO; i++) {
        mpc_session_params p;
        REQUIRE_OK(trio_params(t, &p, i, &toy_protocol));
        REQUIRE_OK(mpc_session_new(&t->s[i], test_ctx(), &p));
        REQUIRE_OK(mpc_session_start(t->s[i], 0));
        trio_drain(t, i);
    }
    return true;
}

static void trio_free(struct trio *t)
{
    for (unsigned i = 0; i < TRIO; i++)
        mpc_session_free(t->s[i]);
    for (size_t k = 0; k < t->nsent; k++)
        free(t->sent[k].data);
}

static const struct sent *trio_find(const struct trio *t, unsigned from,
                                    unsigned round, mpc_session_kind kind)
{
    for (size_t k = 0; k < t->nsent; k++)
        if (t->sent[k].from == from && t->sent[k].round == round &&
            t->sent[k].kind == kind)
            return &t->sent[k];
    return NULL;
}

/* Delivers everything sent so far to everybody, repeatedly, until nothing
 * new is sent. */
static void trio_flush(struct trio *t, uint64_t now)
{
    for (size_t k = 0; k < t->nsent; k++) {
        struct sent x = t->sent[k];
        for (unsigned j = 0; j < TRIO; j++) {
            if (j == x.from || (x.to != MPC_SESSION_TO_ALL && x.to != j))
                continue;
            if (mpc_session_recv(t->s[j], x.from, x.data, x.len, now) == MPC_OK)
                trio_drain(t, j);
        }
    }
}

static size_t encode(const mpc_session_frame *f, uint8_t *out, size_t cap)
{
    mpc_wire_writer w;
    mpc_wire_writer_init_fixed(&w, out, cap);
    const uint8_t *d;
    size_t n;
    if (mpc_session_frame_serialize(&w, f) != MPC_OK ||
        mpc_wire_writer_finish(&w, &d, &n) != MPC_OK)
        return 0;
    return n;
}

static bool failed_with(const mpc_session *s, mpc_err err,
                        mpc_blame_reason reason, unsigned culprit)
{
    mpc_blame b;
    REQUIRE(mpc_session_status(s) == MPC_SESSION_FAILED);
    REQUIRE_OK(mpc_session_blame(s, &b));
    REQUIRE(b.err == err && b.reason == reason);
    REQUIRE(b.attributable);
    REQUIRE(mpc_blame_count(&b) == 1 && mpc_blame_has(&b, culprit));
    return true;
}

/* Whether the protocol state is all zero. Debug builds poison wiped memory
 * for valgrind (mpc_wipe), so there the check is left to valgrind. */
static bool state_wiped(const mpc_session *s)
{
#ifdef MPC_TEST_BUILD
    (void)s;
    return true;
#else
    const uint8_t *st = s->state;
    uint8_t acc = 0;
    for (size_t i = 0; i < s->proto->state_bytes; i++)
        acc |= st[i];
    return acc == 0;
#endif
}

/* ---- the happy path by hand --------------------------------------------- */

TEST(session_hand_driven_trio_completes)
{
    struct trio t;
    CHECK(trio_new(&t, 0x7));
    for (int pass = 0; pass < 4; pass++)
        trio_flush(&t, 10);
    toy_result r;
    for (unsigned i = 0; i < TRIO; i++) {
        CHECK(mpc_session_status(t.s[i]) == MPC_SESSION_DONE);
        CHECK(mpc_session_deadline(t.s[i]) == UINT64_MAX);
        CHECK_OK(mpc_session_take_result(t.s[i], &r, sizeof r));
        CHECK(r.sum_public == 100 + 101 + 102);
        CHECK(r.sum_secret == 1000 + 1001 + 1002);
    }
    trio_free(&t);
}

/* ---- misuse ------------------------------------------------------------- */

TEST(session_new_rejects_bad_params)
{
    struct trio t = {0};
    mpc_session *s = (mpc_session *)&t; /* must stay untouched */
    mpc_session *const sentinel = s;
    mpc_session_params p;
    CHECK_OK(trio_params(&t, &p, 0, &toy_protocol));

    CHECK_ERR(mpc_session_new(NULL, test_ctx(), &p), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_session_new(&s, NULL, &p), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_session_new(&s, test_ctx(), NULL), MPC_ERR_INVALID_ARG);
    mpc_session_params bad;
#define BAD(stmt)                                                              \
    do {                                                                       \
        bad = p;                                                               \
        stmt;                                                                  \
        CHECK_ERR(mpc_session_new(&s, test_ctx(), &bad), MPC_ERR_INVALID_ARG); \
        CHECK(s == sentinel);                                                  \
    } while (0)
    BAD(bad.protocol = NULL);
    BAD(bad.n = 0);
    BAD(bad.n = MPC_SESSION_PARTIES_MAX + 1);
    BAD(bad.self = bad.n);
    BAD(bad.threshold = bad.n + 1);
    BAD(bad.round_timeout_ms = 0);
    BAD(bad.input = NULL); /* the protocol's init refuses it */
    toy_input wrong = t.in[0];
    toy_set_dealer(&wrong, 5); /* a dealer that is not a party */
    BAD(bad.input = &wrong);

    /* Incomplete protocol tables. */
    mpc_protocol proto;
#define BAD_TABLE(stmt)                                                        \
    do {                                                                       \
        proto = toy_protocol;                                                  \
        stmt;                                                                  \
        BAD(bad.protocol = &proto);                                            \
    } while (0)
    BAD_TABLE(proto.id = 0);
    BAD_TABLE(proto.name = NULL);
    BAD_TABLE(proto.rounds = 0);
    BAD_TABLE(proto.rounds = MPC_SESSION_ROUNDS_MAX + 1);
    BAD_TABLE(proto.state_bytes = 0);
    BAD_TABLE(proto.max_payload_bytes = MPC_SESSION_PAYLOAD_MAX_BYTES + 1);
    BAD_TABLE(proto.init = NULL);
    BAD_TABLE(proto.pattern = NULL);
    BAD_TABLE(proto.round_start = NULL);
    BAD_TABLE(proto.round_complete = NULL);
    BAD_TABLE(proto.take_result = NULL);
    BAD_TABLE(proto.clear = NULL);
#undef BAD_TABLE
#undef BAD
    mpc_session_params_default(NULL);
    mpc_session_free(NULL);
}

TEST(session_calls_out_of_order_are_refused)
{
    struct trio t = {0};
    mpc_session_params p;
    CHECK_OK(trio_params(&t, &p, 1, &toy_protocol));
    mpc_session *s = NULL;
    CHECK_OK(mpc_session_new(&s, test_ctx(), &p));
    uint8_t junk[4] = {0};
    toy_result r;
    mpc_blame b;
    mpc_session_msg m;

    /* Before start. */
    CHECK(mpc_session_status(s) == MPC_SESSION_RUNNING);
    CHECK(mpc_session_round(s) == 0);
    CHECK(mpc_session_deadline(s) == UINT64_MAX);
    CHECK_ERR(mpc_session_recv(s, 0, junk, sizeof junk, 0), MPC_ERR_STATE);
    CHECK_ERR(mpc_session_handle_timeout(s, 1000), MPC_ERR_STATE);
    memset(&m, 0xaa, sizeof m);
    CHECK(!mpc_session_pop_outgoing(s, &m));
    CHECK(m.data == NULL && m.len == 0 && m.to == 0);
    memset(&r, 0xaa, sizeof r);
    CHECK_ERR(mpc_session_take_result(s, &r, sizeof r), MPC_ERR_STATE);
    CHECK(r.sum_public == 0 && r.sum_secret == 0);
    memset(&b, 0xaa, sizeof b);
    CHECK_ERR(mpc_session_blame(s, &b), MPC_ERR_STATE);
    CHECK(b.err == 0 && b.reason == 0 && mpc_blame_count(&b) == 0);

    CHECK_OK(mpc_session_start(s, 50));
    CHECK_ERR(mpc_session_start(s, 50), MPC_ERR_STATE);
    CHECK(mpc_session_round(s) == 1);
    CHECK(mpc_session_deadline(s) == 150);

    /* Driver bugs change nothing. */
    CHECK_ERR(mpc_session_recv(s, 1, junk, sizeof junk, 0),
              MPC_ERR_INVALID_ARG); /* self */
    CHECK_ERR(mpc_session_recv(s, 3, junk, sizeof junk, 0),
              MPC_ERR_INVALID_ARG); /* not a party */
    CHECK_ERR(mpc_session_recv(s, 0, NULL, 4, 0), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_session_recv(NULL, 0, junk, 4, 0), MPC_ERR_INVALID_ARG);
    CHECK(mpc_session_status(s) == MPC_SESSION_RUNNING);

    /* Result-type check. */
    memset(&r, 0xaa, sizeof r);
    CHECK_ERR(mpc_session_take_result(s, &r, sizeof r - 1),
              MPC_ERR_INVALID_ARG);
    CHECK(r.sum_public == 0);
    CHECK_ERR(mpc_session_take_result(s, NULL, sizeof r), MPC_ERR_INVALID_ARG);

    /* NULL sessions. */
    CHECK_ERR(mpc_session_start(NULL, 0), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_session_handle_timeout(NULL, 0), MPC_ERR_INVALID_ARG);
    CHECK(mpc_session_status(NULL) == MPC_SESSION_FAILED);
    CHECK(mpc_session_round(NULL) == 0);
    CHECK(mpc_session_deadline(NULL) == UINT64_MAX);
    CHECK(!mpc_session_pop_outgoing(NULL, &m));
    CHECK(!mpc_session_pop_outgoing(s, NULL));
    memset(&r, 0xaa, sizeof r);
    CHECK_ERR(mpc_session_take_result(NULL, &r, sizeof r), MPC_ERR_INVALID_ARG);
    CHECK(r.sum_public == 0);
    memset(&b, 0xaa, sizeof b);
    CHECK_ERR(mpc_session_blame(NULL, &b), MPC_ERR_INVALID_ARG);
    CHECK(b.err == 0);
    CHECK_ERR(mpc_session_blame(s, NULL), MPC_ERR_INVALID_ARG);
    mpc_session_free(s);
}

TEST(session_result_is_taken_once_and_late_calls_are_refused)
{
    struct trio t;
    CHECK(trio_new(&t, 0x7));
    for (int pass = 0; pass < 4; pass++)
        trio_flush(&t, 10);
    mpc_session *s = t.s[0];
    CHECK(mpc_session_status(s) == MPC_SESSION_DONE);
    toy_result r;
    CHECK_OK(mpc_session_take_result(s, &r, sizeof r));
    memset(&r, 0xaa, sizeof r);
    CHECK_ERR(mpc_session_take_result(s, &r, sizeof r), MPC_ERR_STATE);
    CHECK(r.sum_public == 0 && r.sum_secret == 0);
    /* Late copies and timers after DONE. */
    const struct sent *x = trio_find(&t, 1, 1, MPC_SESSION_BCAST);
    CHECK(x != NULL);
    CHECK_ERR(mpc_session_recv(s, 1, x->data, x->len, 20), MPC_ERR_STATE);
    CHECK_ERR(mpc_session_handle_timeout(s, UINT64_MAX), MPC_ERR_STATE);
    mpc_blame b;
    CHECK_ERR(mpc_session_blame(s, &b), MPC_ERR_STATE);
    CHECK(mpc_session_status(s) == MPC_SESSION_DONE);
    /* The taken state holds nothing any more. */
    CHECK(!s->state_live);
    CHECK(state_wiped(s));
    for (size_t i = 0; i < s->nslots; i++)
        CHECK(s->slots[i].frame == NULL);
    trio_free(&t);
}

/* ---- frames the engine refuses ------------------------------------------ */

enum forge {
    F_SID,
    F_PROTOCOL,
    F_FROM,
    F_ROUND_HIGH,
    F_P2P_TO_US,
    F_P2P_TO_OTHER,
    F_BCAST_ROUND2,
    F_ECHO_ROUND1,
    F_ECHO_LEN,
    F_PAYLOAD_LONG,
    F_COUNT,
};

static void forge(mpc_session_frame *f, enum forge how, uint8_t *payload)
{
    static const uint8_t digests[3 * MPC_SESSION_DIGEST_BYTES];
    switch (how) {
    case F_SID:
        f->sid[7] ^= 1;
        break;
    case F_PROTOCOL:
        f->protocol = TOY_PROTOCOL_NOECHO_ID;
        break;
    case F_FROM:
        f->from = 2;
        break;
    case F_ROUND_HIGH:
        f->round = 4;
        break;
    case F_P2P_TO_US:
        f->kind = MPC_SESSION_P2P;
        f->to = 1;
        break;
    case F_P2P_TO_OTHER:
        f->kind = MPC_SESSION_P2P;
        f->to = 2;
        break;
    case F_BCAST_ROUND2:
        f->round = 2;
        break;
    case F_ECHO_ROUND1:
        f->kind = MPC_SESSION_ECHO;
        f->payload_len = 0;
        f->echo = digests;
        f->echo_len = sizeof digests;
        break;
    case F_ECHO_LEN:
        /* Round 3 frames carry no echo of round 2 (no broadcasts). */
        f->round = 3;
        f->echo = digests;
        f->echo_len = MPC_SESSION_DIGEST_BYTES;
        break;
    case F_PAYLOAD_LONG:
        memset(payload, 0, TOY_MAX_PAYLOAD_BYTES + 1);
        f->payload = payload;
        f->payload_len = TOY_MAX_PAYLOAD_BYTES + 1;
        break;
    case F_COUNT:
        break;
    }
}

TEST(session_misdirected_frames_fail_and_blame_the_sender)
{
    static const struct {
        mpc_err err;
        mpc_blame_reason reason;
        const char *detail;
    } want[F_COUNT] = {
        [F_SID] = {MPC_ERR_PROTOCOL, MPC_BLAME_UNEXPECTED, "wrong session id"},
        [F_PROTOCOL] = {MPC_ERR_PROTOCOL, MPC_BLAME_UNEXPECTED,
                        "wrong protocol"},
        [F_FROM] = {MPC_ERR_PROTOCOL, MPC_BLAME_UNEXPECTED,
                    "header sender is not the sender"},
        [F_ROUND_HIGH] = {MPC_ERR_PROTOCOL, MPC_BLAME_UNEXPECTED,
                          "round out of range"},
        [F_P2P_TO_US] = {MPC_ERR_PROTOCOL, MPC_BLAME_UNEXPECTED,
                         "unexpected p2p message"},
        [F_P2P_TO_OTHER] = {MPC_ERR_PROTOCOL, MPC_BLAME_UNEXPECTED,
                            "wrong recipient"},
        [F_BCAST_ROUND2] = {MPC_ERR_PROTOCOL, MPC_BLAME_UNEXPECTED,
                            "unexpected broadcast"},
        [F_ECHO_ROUND1] = {MPC_ERR_PROTOCOL, MPC_BLAME_UNEXPECTED,
                           "unexpected echo"},
        [F_ECHO_LEN] = {MPC_ERR_PARSE, MPC_BLAME_PARSE,
                        "echo of the wrong length"},
        [F_PAYLOAD_LONG] = {MPC_ERR_PARSE, MPC_BLAME_PARSE, "payload too long"},
    };
    for (int how = 0; how < F_COUNT; how++) {
        struct trio t;
        CHECK(trio_new(&t, 0x7));
        const struct sent *x = trio_find(&t, 0, 1, MPC_SESSION_BCAST);
        CHECK(x != NULL);
        mpc_session_frame f;
        CHECK_OK(mpc_session_frame_parse(&f, x->data, x->len));
        uint8_t payload[TOY_MAX_PAYLOAD_BYTES + 1];
        forge(&f, (enum forge)how, payload);
        uint8_t buf[512];
        size_t n = encode(&f, buf, sizeof buf);
        CHECK(n > 0);
        CHECK_ERR(mpc_session_recv(t.s[1], 0, buf, n, 1), want[how].err);
        CHECK(failed_with(t.s[1], want[how].err, want[how].reason, 0));
        mpc_blame b;
        CHECK_OK(mpc_session_blame(t.s[1], &b));
        CHECK(strcmp(b.detail, want[how].detail) == 0);
        CHECK(b.round == 1);
        /* A FAILED session refuses everything from now on. */
        CHECK_ERR(mpc_session_recv(t.s[1], 0, x->data, x->len, 1),
                  MPC_ERR_STATE);
        trio_free(&t);
    }
}

TEST(session_p2p_from_a_party_that_sends_none_is_refused)
{
    /* Only party 2 deals: a round-2 share from party 0 is unexpected, even
     * while party 1 is still in round 1 (it is checked at arrival). */
    struct trio t;
    CHECK(trio_new(&t, 0x4));
    const struct sent *x = trio_find(&t, 0, 1, MPC_SESSION_BCAST);
    mpc_session_frame f;
    CHECK_OK(mpc_session_frame_parse(&f, x->data, x->len));
    uint8_t share[8] = {0};
    f.kind = MPC_SESSION_P2P;
    f.to = 1;
    f.round = 2;
    f.payload = share;
    f.payload_len = sizeof share;
    uint8_t buf[512];
    size_t n = encode(&f, buf, sizeof buf);
    CHECK_ERR(mpc_session_recv(t.s[1], 0, buf, n, 1), MPC_ERR_PROTOCOL);
    CHECK(failed_with(t.s[1], MPC_ERR_PROTOCOL, MPC_BLAME_UNEXPECTED, 0));
    trio_free(&t);
}

TEST(session_equivocation_is_blamed_and_copies_are_not)
{
    struct trio t;
    CHECK(trio_new(&t, 0x7));
    const struct sent *x = trio_find(&t, 0, 1, MPC_SESSION_BCAST);
    CHECK_OK(mpc_session_recv(t.s[1], 0, x->data, x->len, 1));
    CHECK_OK(mpc_session_recv(t.s[1], 0, x->data, x->len, 2));
    CHECK(mpc_session_status(t.s[1]) == MPC_SESSION_RUNNING);
    mpc_session_frame f;
    CHECK_OK(mpc_session_frame_parse(&f, x->data, x->len));
    uint8_t other[8 + 32];
    toy_round1_payload(&t.s[0]->info, 999, 0, other);
    f.payload = other;
    uint8_t buf[512];
    size_t n = encode(&f, buf, sizeof buf);
    CHECK_ERR(mpc_session_recv(t.s[1], 0, buf, n, 3), MPC_ERR_PROTOCOL);
    CHECK(failed_with(t.s[1], MPC_ERR_PROTOCOL, MPC_BLAME_EQUIVOCATION, 0));
    trio_free(&t);
}

TEST(session_malformed_frames_never_crash_and_blame_the_sender)
{
    /* Every truncation and every single-bit flip of a valid frame, each to
     * a fresh party: refused with the sender blamed, or (a flip inside the
     * payload or the echo) accepted as that sender's message. */
    struct trio base;
    CHECK(trio_new(&base, 0x7));
    const struct sent *x = trio_find(&base, 0, 1, MPC_SESSION_BCAST);
    size_t n = x->len;
    uint8_t *frame = malloc(n + 1);
    CHECK(frame != NULL);
    for (size_t variant = 0; variant < n + 1 + 8 * n; variant++) {
        size_t len = n;
        memcpy(frame, x->data, n);
        if (variant < n) {
            len = variant; /* truncated */
        } else if (variant == n) {
            frame[n] = 0; /* one trailing byte */
            len = n + 1;
        } else {
            size_t bit = variant - n - 1;
            frame[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        uint8_t *exact = malloc(len > 0 ? len : 1);
        CHECK(exact != NULL);
        memcpy(exact, frame, len);
        mpc_session_params p;
        CHECK_OK(trio_params(&base, &p, 1, &toy_protocol));
        mpc_session *s = NULL;
        CHECK_OK(mpc_session_new(&s, test_ctx(), &p));
        CHECK_OK(mpc_session_start(s, 0));
        mpc_err e = mpc_session_recv(s, 0, exact, len, 1);
        free(exact);
        if (variant <= n) {
            CHECK_ERR(e, MPC_ERR_PARSE);
            CHECK(failed_with(s, MPC_ERR_PARSE, MPC_BLAME_PARSE, 0));
        } else if (e != MPC_OK) {
            mpc_blame b;
            CHECK_OK(mpc_session_blame(s, &b));
            CHECK(b.attributable && mpc_blame_count(&b) == 1 &&
                  mpc_blame_has(&b, 0));
        } else {
            CHECK(mpc_session_status(s) == MPC_SESSION_RUNNING);
        }
        mpc_session_free(s);
    }
    free(frame);
    /* Longer than any frame may be. */
    size_t big = MPC_SESSION_FRAME_MAX_BYTES + 1;
    uint8_t *huge = calloc(1, big);
    CHECK(huge != NULL);
    CHECK_ERR(mpc_session_recv(base.s[1], 0, huge, big, 1), MPC_ERR_PARSE);
    free(huge);
    CHECK(failed_with(base.s[1], MPC_ERR_PARSE, MPC_BLAME_PARSE, 0));
    /* Empty. */
    CHECK_ERR(mpc_session_recv(base.s[2], 0, NULL, 0, 1), MPC_ERR_PARSE);
    trio_free(&base);
}

/* ---- frame syntax ------------------------------------------------------- */

TEST(session_frame_round_trips_and_rejects_bad_fields)
{
    static const uint8_t echo[2 * MPC_SESSION_DIGEST_BYTES] = {1};
    static const uint8_t payload[5] = {9, 8, 7, 6, 5};
    mpc_session_frame f = {.kind = MPC_SESSION_P2P,
                           .protocol = 0x01020304,
                           .round = 3,
                           .from = 4,
                           .to = 7,
                           .echo = echo,
                           .echo_len = sizeof echo,
                           .payload = payload,
                           .payload_len = sizeof payload};
    memset(f.sid, 0x5a, sizeof f.sid);
    uint8_t buf[256];
    size_t n = encode(&f, buf, sizeof buf);
    CHECK(n == MPC_SESSION_HEADER_BYTES + 4 + sizeof echo + 4 + sizeof payload);
    static const uint8_t head[] = {1, 2, 1, 2, 3, 4};
    CHECK_MEM(buf, head, sizeof head);
    CHECK(buf[38] == 3 && buf[39] == 4 && buf[40] == 7);
    mpc_session_frame g;
    CHECK_OK(mpc_session_frame_parse(&g, buf, n));
    CHECK(g.kind == f.kind && g.protocol == f.protocol && g.round == 3 &&
          g.from == 4 && g.to == 7 && g.echo == buf + 45 &&
          g.echo_len == sizeof echo && g.payload_len == sizeof payload);
    CHECK_MEM(g.sid, f.sid, sizeof f.sid);
    CHECK_MEM(g.payload, payload, sizeof payload);

    /* Fields serialize refuses (and parse would). */
    mpc_session_frame bad;
    uint8_t out[256];
#define REFUSE(stmt)                                                           \
    do {                                                                       \
        bad = f;                                                               \
        stmt;                                                                  \
        mpc_wire_writer w;                                                     \
        mpc_wire_writer_init_fixed(&w, out, sizeof out);                       \
        CHECK_ERR(mpc_session_frame_serialize(&w, &bad), MPC_ERR_INVALID_ARG); \
        CHECK(w.len == 0);                                                     \
    } while (0)
    REFUSE(bad.kind = (mpc_session_kind)0);
    REFUSE(bad.kind = (mpc_session_kind)4);
    REFUSE(bad.round = 0);
    REFUSE(bad.round = 256);
    REFUSE(bad.from = 255);
    REFUSE(bad.to = 255);
    REFUSE(bad.to = bad.from);
    REFUSE(bad.kind = MPC_SESSION_BCAST); /* to must be TO_ALL */
    REFUSE(bad.echo_len = 31);
    REFUSE(bad.echo_len = MPC_SESSION_ECHO_MAX_BYTES + 32);
    REFUSE(bad.payload_len = MPC_SESSION_PAYLOAD_MAX_BYTES + 1);
    REFUSE(bad.kind = MPC_SESSION_ECHO; bad.to = MPC_SESSION_TO_ALL);
    REFUSE(bad.payload = NULL);
    REFUSE(bad.echo = NULL);
#undef REFUSE
    CHECK_ERR(mpc_session_frame_serialize(NULL, &f), MPC_ERR_INVALID_ARG);

    /* Bytes parse refuses. */
    uint8_t c[256];
#define REJECT(off, val)                                                       \
    do {                                                                       \
        memcpy(c, buf, n);                                                     \
        c[off] = (val);                                                        \
        CHECK_ERR(mpc_session_frame_parse(&g, c, n), MPC_ERR_PARSE);           \
        CHECK(g.kind == 0 && g.payload == NULL && g.round == 0);               \
    } while (0)
    REJECT(0, 2);    /* version */
    REJECT(1, 0);    /* kind */
    REJECT(1, 4);    /* kind */
    REJECT(38, 0);   /* round 0 */
    REJECT(39, 255); /* from */
    REJECT(40, 4);   /* to == from */
    REJECT(40, 255); /* P2P to everybody */
    REJECT(44, 65);  /* echo not a whole digest, runs past the payload */
#undef REJECT
    CHECK_ERR(mpc_session_frame_parse(NULL, buf, n), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_session_frame_parse(&g, NULL, 5), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_session_frame_parse(&g, NULL, 0), MPC_ERR_PARSE);
    for (size_t cut = 0; cut < n; cut++)
        CHECK_ERR(mpc_session_frame_parse(&g, buf, cut), MPC_ERR_PARSE);
    buf[n] = 0;
    CHECK_ERR(mpc_session_frame_parse(&g, buf, n + 1), MPC_ERR_PARSE);
}

/* ---- deadlines ---------------------------------------------------------- */

TEST(session_deadline_follows_each_round)
{
    struct trio t;
    CHECK(trio_new(&t, 0x7));
    mpc_session *s = t.s[0];
    CHECK(mpc_session_deadline(s) == 100);
    CHECK_OK(mpc_session_handle_timeout(s, 99));
    CHECK(mpc_session_status(s) == MPC_SESSION_RUNNING);
    /* Round 1 completes at t=40: round 2's deadline is 140. */
    for (unsigned j = 1; j < TRIO; j++) {
        const struct sent *x = trio_find(&t, j, 1, MPC_SESSION_BCAST);
        CHECK_OK(mpc_session_recv(s, j, x->data, x->len, 40));
    }
    CHECK(mpc_session_round(s) == 2);
    CHECK(mpc_session_deadline(s) == 140);
    CHECK_OK(mpc_session_handle_timeout(s, 139));
    CHECK_ERR(mpc_session_handle_timeout(s, 140), MPC_ERR_TIMEOUT);
    mpc_blame b;
    CHECK_OK(mpc_session_blame(s, &b));
    CHECK(b.err == MPC_ERR_TIMEOUT && b.reason == MPC_BLAME_TIMEOUT);
    CHECK(!b.attributable && b.round == 2);
    CHECK(mpc_blame_has(&b, 1) && mpc_blame_has(&b, 2) &&
          !mpc_blame_has(&b, 0));
    CHECK(mpc_session_deadline(s) == UINT64_MAX);
    CHECK_ERR(mpc_session_handle_timeout(s, 1000), MPC_ERR_STATE);
    trio_free(&t);

    /* A deadline past the end of the clock saturates. */
    struct trio u = {0};
    mpc_session_params p;
    CHECK_OK(trio_params(&u, &p, 0, &toy_protocol));
    p.input = &u.in[0];
    p.round_timeout_ms = UINT64_MAX;
    mpc_session *v = NULL;
    CHECK_OK(mpc_session_new(&v, test_ctx(), &p));
    CHECK_OK(mpc_session_start(v, 5));
    CHECK(mpc_session_deadline(v) == UINT64_MAX);
    CHECK_OK(mpc_session_handle_timeout(v, UINT64_MAX - 1));
    mpc_session_free(v);
}

/* ---- protocol-table bugs ------------------------------------------------ */

enum bug {
    BUG_NONE,
    BUG_P2P_NOT_IN_PLAN,
    BUG_BCAST_MISSING,
    BUG_TOO_LONG,
    BUG_START_NOMEM,
    BUG_BLAME_BUT_OK,
    BUG_VERIFY_NO_BLAME,
    BUG_BLAME_NOBODY,
};

struct bug_state {
    enum bug bug;
    const mpc_session_info *info;
};

static mpc_err bug_init(void *state, const mpc_session_info *info,
                        const void *input)
{
    struct bug_state *st = state;
    st->bug = *(const enum bug *)input;
    st->info = info;
    return MPC_OK;
}

static unsigned bug_pattern(const void *state, unsigned round, unsigned from,
                            unsigned to)
{
    (void)state, (void)round, (void)from, (void)to;
    return MPC_PROTOCOL_BCAST;
}

static mpc_err bug_start(void *state, unsigned round, mpc_session_outbox *out)
{
    struct bug_state *st = state;
    (void)round;
    switch (st->bug) {
    case BUG_P2P_NOT_IN_PLAN:
        mpc_wire_write_u8(mpc_session_outbox_p2p(out, 1 - st->info->self), 1);
        break;
    case BUG_BCAST_MISSING:
        return MPC_OK;
    case BUG_TOO_LONG:
        mpc_wire_write_bytes(mpc_session_outbox_bcast(out),
                             (const uint8_t *)"0123456789abcdefX", 17);
        return MPC_OK;
    case BUG_START_NOMEM:
        return MPC_ERR_NOMEM;
    default:
        break;
    }
    mpc_wire_write_u8(mpc_session_outbox_bcast(out), 7);
    return MPC_OK;
}

static mpc_err bug_complete(void *state, unsigned round, mpc_session_inbox *in)
{
    struct bug_state *st = state;
    (void)round;
    const uint8_t *p;
    size_t len;
    unsigned peer = 1 - st->info->self;
    if (!mpc_session_inbox_bcast(in, peer, &p, &len) || len != 1 || p[0] != 7)
        return MPC_ERR_INTERNAL;
    if (!mpc_session_inbox_bcast(in, st->info->self, &p, &len) || len != 1)
        return MPC_ERR_INTERNAL;
    if (mpc_session_inbox_p2p(in, peer, &p, &len) || p != NULL || len != 0)
        return MPC_ERR_INTERNAL;
    if (mpc_session_inbox_bcast(in, 5, &p, &len))
        return MPC_ERR_INTERNAL;
    switch (st->bug) {
    case BUG_BLAME_BUT_OK:
        mpc_session_inbox_blame(in, peer, MPC_BLAME_VERIFY, NULL);
        return MPC_OK;
    case BUG_VERIFY_NO_BLAME:
        return MPC_ERR_VERIFY;
    case BUG_BLAME_NOBODY:
        mpc_session_inbox_blame(in, MPC_BLAME_NOBODY, MPC_BLAME_PROTOCOL,
                                "a check nobody can be named for");
        return MPC_ERR_PROTOCOL;
    default:
        return MPC_OK;
    }
}

static void bug_take(void *state, void *result)
{
    (void)state;
    *(uint8_t *)result = 1;
}

static void bug_clear(void *state)
{
    memset(state, 0, sizeof(struct bug_state));
}

static const mpc_protocol bug_protocol = {
    .id = 0x62756701,
    .name = "test-buggy",
    .rounds = 1,
    .state_bytes = sizeof(struct bug_state),
    .result_bytes = 1,
    .max_payload_bytes = 16,
    .init = bug_init,
    .pattern = bug_pattern,
    .round_start = bug_start,
    .round_complete = bug_complete,
    .take_result = bug_take,
    .clear = bug_clear,
};

TEST(session_protocol_bugs_fail_without_blaming_peers)
{
    static const struct {
        enum bug bug;
        mpc_err at_start, at_recv;
    } cases[] = {
        {BUG_NONE, MPC_OK, MPC_OK},
        {BUG_P2P_NOT_IN_PLAN, MPC_ERR_INTERNAL, MPC_ERR_STATE},
        {BUG_BCAST_MISSING, MPC_ERR_INTERNAL, MPC_ERR_STATE},
        {BUG_TOO_LONG, MPC_ERR_INTERNAL, MPC_ERR_STATE},
        {BUG_START_NOMEM, MPC_ERR_NOMEM, MPC_ERR_STATE},
        {BUG_BLAME_BUT_OK, MPC_OK, MPC_ERR_PROTOCOL},
        {BUG_VERIFY_NO_BLAME, MPC_OK, MPC_ERR_VERIFY},
        {BUG_BLAME_NOBODY, MPC_OK, MPC_ERR_PROTOCOL},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        enum bug good = BUG_NONE, bad = cases[k].bug;
        mpc_session_params p;
        mpc_session_params_default(&p);
        p.protocol = &bug_protocol;
        p.n = 2;
        p.input = &good;
        mpc_session *peer = NULL, *s = NULL;
        CHECK_OK(mpc_session_new(&peer, test_ctx(), &p));
        p.self = 1;
        p.input = &bad;
        CHECK_OK(mpc_session_new(&s, test_ctx(), &p));
        CHECK_OK(mpc_session_start(peer, 0));
        mpc_session_msg m;
        CHECK(mpc_session_pop_outgoing(peer, &m));
        CHECK(m.to == MPC_SESSION_TO_ALL && m.kind == MPC_SESSION_BCAST);
        CHECK_ERR(mpc_session_start(s, 0), cases[k].at_start);
        CHECK_ERR(mpc_session_recv(s, 0, m.data, m.len, 1), cases[k].at_recv);
        mpc_blame b;
        if (cases[k].at_start == MPC_OK && cases[k].at_recv == MPC_OK) {
            CHECK(mpc_session_status(s) == MPC_SESSION_DONE);
        } else {
            mpc_err err = cases[k].at_start != MPC_OK ? cases[k].at_start
                                                      : cases[k].at_recv;
            CHECK_OK(mpc_session_blame(s, &b));
            CHECK(b.err == err);
            bool names_peer = bad == BUG_BLAME_BUT_OK;
            CHECK(b.attributable == names_peer);
            CHECK(mpc_blame_count(&b) == (names_peer ? 1u : 0u));
            CHECK(b.detail[0] != '\0');
            if (bad == BUG_BLAME_NOBODY)
                CHECK(b.reason == MPC_BLAME_PROTOCOL &&
                      strcmp(b.detail, "a check nobody can be named for") == 0);
            if (bad == BUG_BLAME_BUT_OK)
                CHECK(b.reason == MPC_BLAME_VERIFY &&
                      strcmp(b.detail, "verification failed") == 0);
            if (bad == BUG_VERIFY_NO_BLAME || cases[k].at_start != MPC_OK)
                CHECK(b.reason == MPC_BLAME_NONE);
        }
        mpc_session_free(s);
        mpc_session_free(peer);
    }
}

/* ---- allocation failure at every step ----------------------------------- */

static size_t budget;
static void *budget_zalloc(size_t n, void *ud)
{
    (void)ud;
    if (budget == 0)
        return NULL;
    budget--;
    return calloc(1, n);
}
static void budget_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

TEST(session_allocation_failure_anywhere_is_clean)
{
    mpc_mem mem = {.zalloc = budget_zalloc, .free = budget_free};
    mpc_ctx_config cfg = {
        .rng = mpc_drbg_fill, .rng_ud = test_drbg(), .mem = &mem};
    mpc_ctx *weak = NULL;
    budget = SIZE_MAX;
    CHECK_OK(mpc_ctx_new(&weak, &cfg));
    toy_input in[3] = {{.a = 1, .x = 2}, {.a = 3, .x = 4}, {.a = 5, .x = 6}};
    const void *ptrs[3] = {&in[0], &in[1], &in[2]};
    for (unsigned i = 0; i < 3; i++)
        toy_set_dealer(&in[i], 0), toy_set_dealer(&in[i], 2);
    bool finished = false;
    for (size_t k = 0; k < 400 && !finished; k++) {
        const mpc_ctx *ctxs[3] = {weak, test_ctx(), test_ctx()};
        simnet_config c = {.protocol = &toy_protocol,
                           .n = 3,
                           .threshold = 1,
                           .inputs = ptrs,
                           .ctxs = ctxs};
        budget = k;
        simnet *net = simnet_new_cfg(&c);
        if (net == NULL) {
            budget = SIZE_MAX;
            continue; /* mpc_session_new failed: nothing leaked (ASan) */
        }
        simnet_outcome o = simnet_run(net, 100000);
        budget = SIZE_MAX;
        CHECK(o != SIMNET_STALLED);
        if (o == SIMNET_ALL_DONE) {
            finished = true;
        } else if (simnet_status(net, 0) == MPC_SESSION_FAILED) {
            mpc_blame b = simnet_blame(net, 0);
            CHECK(b.err == MPC_ERR_NOMEM || b.err == MPC_ERR_TIMEOUT);
            if (b.err == MPC_ERR_NOMEM)
                CHECK(!b.attributable && mpc_blame_count(&b) == 0 &&
                      b.reason == MPC_BLAME_NONE);
        }
        simnet_free(net);
    }
    CHECK(finished);
    mpc_ctx_free(weak);
}

/* ---- wiping ------------------------------------------------------------- */

TEST(session_failure_wipes_state_and_frames)
{
    struct trio t;
    CHECK(trio_new(&t, 0x7));
    mpc_session *s = t.s[1];
    const struct sent *x = trio_find(&t, 0, 1, MPC_SESSION_BCAST);
    CHECK_OK(mpc_session_recv(s, 0, x->data, x->len, 1));
    CHECK(s->state_live);
    uint8_t junk[3] = {1, 2, 3};
    CHECK_ERR(mpc_session_recv(s, 2, junk, sizeof junk, 2), MPC_ERR_PARSE);
    CHECK(!s->state_live);
    CHECK(state_wiped(s));
    for (size_t i = 0; i < s->nslots; i++)
        CHECK(s->slots[i].frame == NULL);
    trio_free(&t);
}
