/*
 * tests/node/test_gate.c — the counting gate behind the per-operation
 * concurrency limits (node/gate.h).
 */
#include <pthread.h>
#include <time.h>

#include "node/gate.h"
#include "tests/harness/test.h"

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

TEST(node_gate_init_rejects_bad_limits)
{
    node_gate g;
    CHECK_ERR(node_gate_init(NULL, 1), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_gate_init(&g, 0), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_gate_init(&g, NODE_GATE_LIMIT_MAX + 1), MPC_ERR_INVALID_ARG);
    CHECK_OK(node_gate_init(&g, NODE_GATE_LIMIT_MAX));
    node_gate_destroy(&g);
}

TEST(node_gate_admits_limit_then_times_out)
{
    node_gate g;
    CHECK_OK(node_gate_init(&g, 2));
    CHECK(node_gate_enter(&g, 0));
    CHECK(node_gate_enter(&g, 0));
    CHECK(node_gate_busy(&g) == 2);
    CHECK(!node_gate_enter(&g, 0));
    int64_t t0 = mono_ms();
    CHECK(!node_gate_enter(&g, 50));
    CHECK(mono_ms() - t0 >= 45);
    CHECK(node_gate_busy(&g) == 2);
    node_gate_leave(&g);
    CHECK(node_gate_enter(&g, 0));
    node_gate_leave(&g);
    node_gate_leave(&g);
    CHECK(node_gate_busy(&g) == 0);
    /* An unbalanced leave does not open extra slots. */
    node_gate_leave(&g);
    CHECK(node_gate_busy(&g) == 0);
    CHECK(node_gate_enter(&g, 0) && node_gate_enter(&g, 0));
    CHECK(!node_gate_enter(&g, 0));
    node_gate_leave(&g);
    node_gate_leave(&g);
    node_gate_destroy(&g);
}

typedef struct holder {
    node_gate *g;
    int hold_ms;
} holder;

static void *hold_then_leave(void *arg)
{
    holder *h = arg;
    struct timespec ts = {.tv_nsec = (long)h->hold_ms * 1000000L};
    nanosleep(&ts, NULL);
    node_gate_leave(h->g);
    return NULL;
}

TEST(node_gate_leave_on_another_thread_wakes_enter_and_drain)
{
    node_gate g;
    CHECK_OK(node_gate_init(&g, 1));
    CHECK(node_gate_enter(&g, 0));
    holder h = {.g = &g, .hold_ms = 30};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, hold_then_leave, &h) == 0);
    /* Woken by the leave, well before this bound. */
    CHECK(node_gate_enter(&g, 5000));
    pthread_join(th, NULL);
    CHECK(pthread_create(&th, NULL, hold_then_leave, &h) == 0);
    node_gate_drain(&g);
    CHECK(node_gate_busy(&g) == 0);
    pthread_join(th, NULL);
    node_gate_destroy(&g);
}
