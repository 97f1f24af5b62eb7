/*
 * tests/node/test_auxinfo_stop.c — a node stopping during its safe-prime
 * search does not wait for it (node/auxinfo.c: detached searches).
 */
#include <time.h>

#include "mpc/params.h"
#include "node/auxinfo.h"
#include "tests/harness/test.h"
#include "tests/node/keystore_fixture.h"

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

KS_TEST(node_auxstop_abandons_prime_search)
{
    static const char *const ids[3] = {"n1", "n2", "n3"};
    /* 1536-bit safe primes: seconds each, so the search is surely under
     * way when the stop comes. */
    node_auxinfo_config cfg = {.ctx = test_ctx(),
                               .ks = f->ks,
                               .params = MPC_PARAMS_128,
                               .self_id = "n1",
                               .committee = ids,
                               .n_committee = 3};
    char err[256] = "";
    node_auxinfo *a = NULL;
    CHECK_OK(node_auxinfo_new(&a, &cfg, err, sizeof err));
    CHECK(!node_auxinfo_primes_ready(a));
    CHECK_OK(node_auxinfo_start(a, NULL, NULL));
    struct timespec nap = {.tv_sec = 0, .tv_nsec = 50 * 1000000L};
    nanosleep(&nap, NULL);
    int64_t t0 = mono_ms();
    node_auxinfo_stop(a);
    int64_t took = mono_ms() - t0;
    CHECK(!node_auxinfo_primes_ready(a));
    /* The waiter polls every 100 ms; a search would take seconds. */
    CHECK(took < 1000);
    node_auxinfo_free(a);
}
