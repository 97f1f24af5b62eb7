/*
 * tests/integration/test_node_shutdown.c — SIGTERM during a running
 * session (the committee's aux-info, seconds long) stops the node at once:
 * its sessions fail as on any error (node_sessions_cancel_all) instead of
 * running to their end, and it exits 0.
 */
#include <signal.h>
#include <stdio.h>

#include "tests/harness/test.h"
#include "tests/integration/cluster.h"
#include "tests/integration/e2e_util.h"

#define SESSION_WAIT_MS 30000
#define STOP_BOUND_MS 3000

/* The first node seen holding a session, or -1. */
static int node_in_session(cluster *c)
{
    for (long w = 0; w <= SESSION_WAIT_MS; w += 50) {
        for (int i = 0; i < 3; i++) {
            double live = 0;
            if (cluster_metric(c, i, "mpcium_sessions_live", &live) && live > 0)
                return i;
        }
        e2e_sleep_ms(50);
    }
    return -1;
}

static bool scenario(cluster *c)
{
    /* Every node ready: the committee's aux-info session starts now. */
    int i = node_in_session(c);
    if (i < 0)
        printf("no node ever held a session\n");
    REQUIRE(i >= 0);
    long long t0 = e2e_now_ms();
    bool clean = cluster_node_stop(c, i, SIGTERM);
    long long took = e2e_now_ms() - t0;
    printf("  node%d stopped in %lld ms (clean %d)\n", i, took, (int)clean);
    REQUIRE(clean);
    REQUIRE(took < STOP_BOUND_MS);
    REQUIRE(cluster_log_has(c, i, "stopped"));
    /* The others fail their session on the missing party and stop too. */
    for (int k = 0; k < 3; k++) {
        if (k == i)
            continue;
        t0 = e2e_now_ms();
        REQUIRE(cluster_node_stop(c, k, SIGTERM));
        REQUIRE(e2e_now_ms() - t0 < STOP_BOUND_MS);
    }
    return true;
}

TEST(node_shutdown_during_session_is_prompt)
{
    cluster *c = NULL;
    cluster_opts o = {
        .nodes = 3, .ecdsa_fixtures = true, .healthcheck_all = true};
    bool ok = cluster_start(&c, &o) && scenario(c);
    if (!ok && c != NULL)
        printf("  node logs: %s\n", cluster_dir(c));
    cluster_stop(c, !ok);
    CHECK(ok);
}
