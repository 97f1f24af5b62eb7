/*
 * Tests of node/barrier on a virtual clock: no sleeps, exact times.
 */
#include <string.h>

#include "node/barrier.h"
#include "tests/harness/test.h"

static node_barrier_policy policy(uint64_t retry, uint64_t total)
{
    node_barrier_policy p = {.retry_ms = retry, .total_ms = total};
    return p;
}

/* A simulated network: peer i answers a ping `lat[i]` ms after it was
 * sent, but only pings sent at or after `up[i]` (when it has subscribed);
 * UINT64_MAX means never. The driver sleeps until the next wake-up or the
 * next answer, as a real one would. */
typedef struct sim {
    size_t n;
    uint64_t up[NODE_BARRIER_PEERS_MAX];
    uint64_t lat[NODE_BARRIER_PEERS_MAX];
    /* When each peer's answer arrives (UINT64_MAX: none pending). */
    uint64_t answer_at[NODE_BARRIER_PEERS_MAX];
    bool answered[NODE_BARRIER_PEERS_MAX];
    /* Every ping time, per peer (the first 64). */
    uint64_t ping_at[NODE_BARRIER_PEERS_MAX][64];
    uint32_t pings[NODE_BARRIER_PEERS_MAX];
} sim;

static void sim_init(sim *s, size_t n)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    for (size_t i = 0; i < n; i++)
        s->answer_at[i] = UINT64_MAX;
}

/* Runs the barrier to completion; returns the time it ended at. */
static uint64_t run(sim *s, node_barrier *b, uint64_t now)
{
    for (int steps = 0; steps < 100000; steps++) {
        size_t p;
        while (node_barrier_next_ping(b, now, &p)) {
            if (s->pings[p] < 64)
                s->ping_at[p][s->pings[p]] = now;
            s->pings[p]++;
            if (s->up[p] != UINT64_MAX && now >= s->up[p] &&
                s->answer_at[p] == UINT64_MAX && !s->answered[p])
                s->answer_at[p] = now + s->lat[p];
        }
        if (node_barrier_status(b) != NODE_BARRIER_WAITING)
            return now;
        uint64_t next = node_barrier_next_wakeup(b);
        for (size_t i = 0; i < s->n; i++)
            if (s->answer_at[i] < next)
                next = s->answer_at[i];
        now = next;
        for (size_t i = 0; i < s->n; i++) {
            if (s->answer_at[i] == now) {
                s->answer_at[i] = UINT64_MAX;
                s->answered[i] = true; /* a peer answers once */
                mpc_err err = node_barrier_on_pong(b, i, now);
                if (err != MPC_OK && err != MPC_ERR_TIMEOUT)
                    return 0;
            }
        }
    }
    return 0;
}

TEST(barrier_all_answer_ready_at_the_right_time)
{
    node_barrier b;
    node_barrier_policy p = policy(300, 10000);
    sim s;
    sim_init(&s, 3);
    /* Peer 0 is up, peer 1 subscribes at t=1200, peer 2 is slow (40 ms). */
    s.up[0] = 0, s.lat[0] = 5;
    s.up[1] = 1200, s.lat[1] = 5;
    s.up[2] = 0, s.lat[2] = 40;
    CHECK_OK(node_barrier_init(&b, 3, 1000, &p));
    CHECK(node_barrier_status(&b) == NODE_BARRIER_WAITING);
    CHECK(node_barrier_deadline(&b) == 11000);
    CHECK(node_barrier_next_wakeup(&b) == 1000);
    /* Pings at 1000 (missed by peer 1), 1300 (answered at 1305). */
    uint64_t end = run(&s, &b, 1000);
    CHECK(end == 1305);
    CHECK(node_barrier_status(&b) == NODE_BARRIER_READY);
    CHECK(node_barrier_pings(&b, 0) == 1);
    CHECK(node_barrier_pings(&b, 1) == 2);
    CHECK(node_barrier_pings(&b, 2) == 1);
    CHECK(node_barrier_missing(&b, NULL, 0) == 0);
    CHECK(node_barrier_next_wakeup(&b) == UINT64_MAX);
    size_t peer = 99;
    CHECK(!node_barrier_next_ping(&b, 2000, &peer) && peer == 0);
    /* READY is final: a late pong changes nothing. */
    CHECK_OK(node_barrier_on_pong(&b, 1, 20000));
    CHECK(node_barrier_status(&b) == NODE_BARRIER_READY);
}

TEST(barrier_silent_peer_times_out_at_the_bound_and_is_named)
{
    node_barrier b;
    node_barrier_policy p = policy(300, 10000);
    sim s;
    sim_init(&s, 4);
    s.up[0] = 0, s.lat[0] = 1;
    s.up[1] = UINT64_MAX; /* never answers */
    s.up[2] = 0, s.lat[2] = 2;
    s.up[3] = 5000, s.lat[3] = 3;
    CHECK_OK(node_barrier_init(&b, 4, 0, &p));
    uint64_t end = run(&s, &b, 0);
    CHECK(end == 10000);
    CHECK(node_barrier_status(&b) == NODE_BARRIER_TIMED_OUT);
    size_t missing[4] = {9, 9, 9, 9};
    CHECK(node_barrier_missing(&b, missing, 4) == 1);
    CHECK(missing[0] == 1 && missing[1] == 9);
    CHECK(node_barrier_is_answered(&b, 0) && !node_barrier_is_answered(&b, 1));
    CHECK(node_barrier_is_answered(&b, 3));
    /* Pinged at 0, 300, ..., 9900: never at or after the bound. */
    CHECK(node_barrier_pings(&b, 1) == 34);
    CHECK(s.ping_at[1][33] == 9900);
    CHECK(node_barrier_next_wakeup(&b) == UINT64_MAX);
}

TEST(barrier_retries_are_spaced_by_the_interval)
{
    node_barrier b;
    node_barrier_policy p = policy(250, 3000);
    sim s;
    sim_init(&s, 5);
    for (size_t i = 0; i < 5; i++)
        s.up[i] = UINT64_MAX;
    CHECK_OK(node_barrier_init(&b, 5, 100, &p));
    CHECK(run(&s, &b, 100) == 3100);
    for (size_t i = 0; i < 5; i++) {
        CHECK(s.pings[i] == 12); /* 100, 350, ..., 2850 */
        for (uint32_t k = 1; k < s.pings[i]; k++)
            CHECK(s.ping_at[i][k] - s.ping_at[i][k - 1] == 250);
    }
    CHECK(node_barrier_missing(&b, NULL, 0) == 5);
    size_t two[2];
    CHECK(node_barrier_missing(&b, two, 2) == 5);
    CHECK(two[0] == 0 && two[1] == 1);
}

/* The wait starts at first_retry_ms and doubles up to retry_ms, so a
 * peer that subscribes a few ms late is found at once. */
TEST(barrier_retries_back_off_from_the_first_wait)
{
    node_barrier b;
    node_barrier_policy p = {
        .retry_ms = 300, .first_retry_ms = 2, .total_ms = 2000};
    sim s;
    sim_init(&s, 2);
    s.up[0] = UINT64_MAX;
    s.up[1] = 5;
    s.lat[1] = 1;
    CHECK_OK(node_barrier_init(&b, 2, 0, &p));
    CHECK(run(&s, &b, 0) == 2000);
    /* Peer 1 pinged at 0, 2 and 6 (up at 5), answered at 7. */
    CHECK(s.pings[1] == 3);
    CHECK(s.ping_at[1][1] == 2 && s.ping_at[1][2] == 6);
    CHECK(node_barrier_is_answered(&b, 1));
    /* Peer 0: waits 2, 4, ..., 256, then 300 each time. */
    static const uint64_t want[] = {0, 2, 6, 14, 30, 62, 126, 254, 510, 810};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
        CHECK(s.ping_at[0][k] == want[k]);
    CHECK(s.pings[0] == 13); /* ..., 1110, 1410, 1710 */
    /* first_retry_ms 0 or above retry_ms: retry_ms every time. */
    node_barrier_policy flat = {
        .retry_ms = 100, .first_retry_ms = 500, .total_ms = 1000};
    sim_init(&s, 1);
    s.up[0] = UINT64_MAX;
    CHECK_OK(node_barrier_init(&b, 1, 0, &flat));
    CHECK(run(&s, &b, 0) == 1000);
    CHECK(s.pings[0] == 10 && s.ping_at[0][1] == 100);
    node_barrier_policy d;
    node_barrier_policy_default(&d);
    CHECK(d.first_retry_ms == NODE_BARRIER_FIRST_RETRY_DEFAULT_MS &&
          d.retry_ms == NODE_BARRIER_RETRY_DEFAULT_MS);
}

/* A driver that wakes at arbitrary times never pings a peer early. */
TEST(barrier_irregular_wakeups_never_ping_early)
{
    for (int it = 0; it < test_iters(50); it++) {
        node_barrier b;
        node_barrier_policy p = policy(1 + (uint64_t)it * 7, 5000);
        CHECK_OK(node_barrier_init(&b, 7, 0, &p));
        uint64_t last[7] = {0}, now = 0;
        bool pinged[7] = {false};
        while (node_barrier_status(&b) == NODE_BARRIER_WAITING) {
            size_t peer;
            while (node_barrier_next_ping(&b, now, &peer)) {
                CHECK(peer < 7);
                CHECK(!pinged[peer] || now - last[peer] >= p.retry_ms);
                pinged[peer] = true;
                last[peer] = now;
            }
            uint8_t r;
            mpc_drbg_fill(test_drbg(), &r, 1);
            now += r % 64;
            if (r % 97 == 0) {
                mpc_err e = node_barrier_on_pong(&b, r % 7, now);
                CHECK(e == MPC_OK || (e == MPC_ERR_TIMEOUT && now >= 5000));
            }
        }
        CHECK(now >= 5000 || node_barrier_status(&b) == NODE_BARRIER_READY);
    }
}

TEST(barrier_late_pong_after_timeout_is_ignored)
{
    node_barrier b;
    node_barrier_policy p = policy(100, 1000);
    CHECK_OK(node_barrier_init(&b, 2, 0, &p));
    CHECK_OK(node_barrier_on_pong(&b, 0, 999));
    CHECK(node_barrier_status(&b) == NODE_BARRIER_WAITING);
    /* At the deadline it is already too late, even before next_ping. */
    CHECK_ERR(node_barrier_on_pong(&b, 1, 1000), MPC_ERR_TIMEOUT);
    CHECK(node_barrier_status(&b) == NODE_BARRIER_TIMED_OUT);
    CHECK(!node_barrier_is_answered(&b, 1));
    CHECK_ERR(node_barrier_on_pong(&b, 1, 5000), MPC_ERR_TIMEOUT);
    CHECK(node_barrier_status(&b) == NODE_BARRIER_TIMED_OUT);
    size_t m;
    CHECK(node_barrier_missing(&b, &m, 1) == 1 && m == 1);

    /* The same through next_ping. */
    CHECK_OK(node_barrier_init(&b, 1, 0, &p));
    size_t peer;
    CHECK(node_barrier_next_ping(&b, 0, &peer) && peer == 0);
    CHECK(!node_barrier_next_ping(&b, 1000, &peer));
    CHECK(node_barrier_status(&b) == NODE_BARRIER_TIMED_OUT);
    CHECK_ERR(node_barrier_on_pong(&b, 0, 1001), MPC_ERR_TIMEOUT);
}

TEST(barrier_order_duplicates_and_clock)
{
    node_barrier b;
    node_barrier_policy p = policy(100, 1000);
    CHECK_OK(node_barrier_init(&b, 3, 50, &p));
    size_t peer;
    /* All due at once: lowest index first. */
    CHECK(node_barrier_next_ping(&b, 50, &peer) && peer == 0);
    CHECK(node_barrier_next_ping(&b, 60, &peer) && peer == 1);
    CHECK(node_barrier_next_ping(&b, 70, &peer) && peer == 2);
    CHECK(!node_barrier_next_ping(&b, 70, &peer));
    CHECK(node_barrier_next_wakeup(&b) == 150);
    /* Earliest due first: peer 0 (150) before peer 2 (170). */
    CHECK(node_barrier_next_ping(&b, 200, &peer) && peer == 0);
    CHECK(node_barrier_next_ping(&b, 200, &peer) && peer == 1);
    CHECK(node_barrier_next_ping(&b, 200, &peer) && peer == 2);
    /* Time running backwards is taken as the latest time seen. */
    CHECK(!node_barrier_next_ping(&b, 0, &peer));
    CHECK(node_barrier_next_wakeup(&b) == 300);
    /* A repeated pong counts once. */
    CHECK_OK(node_barrier_on_pong(&b, 1, 210));
    CHECK_OK(node_barrier_on_pong(&b, 1, 220));
    CHECK(node_barrier_status(&b) == NODE_BARRIER_WAITING);
    CHECK(node_barrier_missing(&b, NULL, 0) == 2);
    /* An answered peer is never pinged again. */
    CHECK(node_barrier_next_ping(&b, 300, &peer) && peer == 0);
    CHECK(node_barrier_next_ping(&b, 300, &peer) && peer == 2);
    CHECK(!node_barrier_next_ping(&b, 300, &peer));
    CHECK_OK(node_barrier_on_pong(&b, 0, 301));
    CHECK_OK(node_barrier_on_pong(&b, 2, 302));
    CHECK(node_barrier_status(&b) == NODE_BARRIER_READY);
    CHECK(node_barrier_pings(&b, 1) == 2);
}

TEST(barrier_edges)
{
    node_barrier b;
    node_barrier_policy p;
    node_barrier_policy_default(&p);
    CHECK(p.retry_ms == 300 && p.total_ms == 10000);
    /* No peers: nothing to wait for. */
    CHECK_OK(node_barrier_init(&b, 0, 7, &p));
    CHECK(node_barrier_status(&b) == NODE_BARRIER_READY);
    CHECK(node_barrier_next_wakeup(&b) == UINT64_MAX);
    /* The most peers, and a deadline that would overflow. */
    CHECK_OK(node_barrier_init(&b, NODE_BARRIER_PEERS_MAX, UINT64_MAX - 5, &p));
    CHECK(node_barrier_deadline(&b) == UINT64_MAX);
    size_t peer, count = 0;
    while (node_barrier_next_ping(&b, UINT64_MAX - 5, &peer))
        count++;
    CHECK(count == NODE_BARRIER_PEERS_MAX);
    /* Retries due past the end of time still count as unanswered. */
    CHECK(node_barrier_missing(&b, NULL, 0) == NODE_BARRIER_PEERS_MAX);
    for (size_t i = 0; i < NODE_BARRIER_PEERS_MAX; i++)
        CHECK_OK(node_barrier_on_pong(&b, i, UINT64_MAX - 1));
    CHECK(node_barrier_status(&b) == NODE_BARRIER_READY);
}

TEST(barrier_misuse)
{
    node_barrier b;
    node_barrier_policy p = policy(100, 1000);
    memset(&b, 0xee, sizeof b);
    CHECK_ERR(node_barrier_init(&b, NODE_BARRIER_PEERS_MAX + 1, 0, &p),
              MPC_ERR_INVALID_ARG);
    uint8_t zero[sizeof b];
    memset(zero, 0, sizeof zero);
    CHECK_MEM(&b, zero, sizeof b);
    CHECK_ERR(node_barrier_init(&b, 1, 0, NULL), MPC_ERR_INVALID_ARG);
    node_barrier_policy z = policy(0, 1000);
    CHECK_ERR(node_barrier_init(&b, 1, 0, &z), MPC_ERR_INVALID_ARG);
    z = policy(10, 0);
    CHECK_ERR(node_barrier_init(&b, 1, 0, &z), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_barrier_init(NULL, 1, 0, &p), MPC_ERR_INVALID_ARG);

    CHECK_OK(node_barrier_init(&b, 2, 0, &p));
    CHECK_ERR(node_barrier_on_pong(&b, 2, 1), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_barrier_on_pong(NULL, 0, 1), MPC_ERR_INVALID_ARG);
    size_t peer = 5;
    CHECK(!node_barrier_next_ping(NULL, 0, &peer) && peer == 0);
    CHECK(!node_barrier_next_ping(&b, 0, NULL));
    CHECK(node_barrier_status(NULL) == NODE_BARRIER_TIMED_OUT);
    CHECK(node_barrier_deadline(NULL) == UINT64_MAX);
    CHECK(node_barrier_next_wakeup(NULL) == UINT64_MAX);
    CHECK(!node_barrier_is_answered(NULL, 0));
    CHECK(!node_barrier_is_answered(&b, 2));
    CHECK(node_barrier_pings(NULL, 0) == 0 && node_barrier_pings(&b, 9) == 0);
    CHECK(node_barrier_missing(NULL, NULL, 0) == 0);
    node_barrier_policy_default(NULL);
    /* Nothing changed. */
    CHECK(node_barrier_status(&b) == NODE_BARRIER_WAITING);
    CHECK(node_barrier_missing(&b, NULL, 0) == 2);
}
