/*
 * tests/node/test_reshare_aux.c — aux-info for a committee other than the
 * peers file's (node_auxinfo_want): after a reshare to a strict subset,
 * the manager runs the new committee's aux-info when this node has the
 * smallest id, never when another member coordinates, and stops once the
 * record is stored. The run callback stands in for node_ops (fixture
 * primes, a dealer-made aux-info).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/auxinfo.h"
#include "tests/harness/test.h"
#include "tests/node/keystore_fixture.h"
#include "tests/protocol/cggmp_fixture.h"

#define FIXTURES "tests/vectors/paillier-fixtures.txt"

/* What the run callback saw, and the aux-info it stores for a committee
 * of two. */
typedef struct runs {
    pthread_mutex_t mu;
    node_auxinfo *a;
    const mpc_cggmp_aux_info *aux2;
    unsigned main_calls;  /* the peers file's committee (3 nodes) */
    unsigned pair_calls;  /* n1, n2 */
    unsigned other_calls; /* anything else */
} runs;

static mpc_err run(void *ud, const char *const *ids, size_t n)
{
    runs *r = ud;
    bool pair =
        n == 2 && strcmp(ids[0], "n1") == 0 && strcmp(ids[1], "n2") == 0;
    pthread_mutex_lock(&r->mu);
    if (n == 3)
        r->main_calls++;
    else if (pair)
        r->pair_calls++;
    else
        r->other_calls++;
    pthread_mutex_unlock(&r->mu);
    /* The peers file's committee is "not ready": the manager looks again
     * later, and meanwhile at the wanted ones. */
    if (!pair)
        return MPC_ERR_UNAVAILABLE;
    return node_auxinfo_store(r->a, ids, n, r->aux2);
}

static unsigned calls(runs *r, unsigned *field)
{
    pthread_mutex_lock(&r->mu);
    unsigned v = *field;
    pthread_mutex_unlock(&r->mu);
    return v;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static const char *const peers[3] = {"n1", "n2", "n3"};

/* The checks, on a made manager; the caller frees it (a failing CHECK
 * returns early). */
static void checks(runs *r)
{
    /* Misuse. */
    static const char *const one[1] = {"n1"};
    static const char *const dup[2] = {"n1", "n1"};
    static const char *const bad[2] = {"n1", ""};
    CHECK_ERR(node_auxinfo_want(NULL, peers, 2), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_auxinfo_want(r->a, NULL, 2), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_auxinfo_want(r->a, one, 1), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_auxinfo_want(r->a, dup, 2), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_auxinfo_want(r->a, bad, 2), MPC_ERR_INVALID_ARG);
    /* Another member coordinates n2, n3 (and we are not in it); the pair
     * n1, n2 (given in any order, twice) is ours. */
    static const char *const theirs[2] = {"n3", "n2"};
    static const char *const pair[2] = {"n2", "n1"};
    CHECK_OK(node_auxinfo_want(r->a, theirs, 2));
    CHECK_OK(node_auxinfo_start(r->a, run, r));
    CHECK_OK(node_auxinfo_want(r->a, pair, 2));
    CHECK_OK(node_auxinfo_want(r->a, pair, 2));
    /* The peers file's committee is also wanted: a no-op. */
    CHECK_OK(node_auxinfo_want(r->a, peers, 3));
    for (int i = 0; i < 200 && !node_auxinfo_has(r->a, pair, 2); i++)
        sleep_ms(50);
    CHECK(node_auxinfo_has(r->a, pair, 2));
    /* Stored: never run again (the manager looks every 2 s meanwhile). */
    sleep_ms(2500);
    CHECK(calls(r, &r->pair_calls) == 1);
    CHECK(calls(r, &r->other_calls) == 0);
    CHECK(calls(r, &r->main_calls) >= 1);
    CHECK(!node_auxinfo_has(r->a, theirs, 2));
    CHECK(!node_auxinfo_committee_ready(r->a));
}

static bool body(ks_fx *f, const mpc_cggmp_aux_info *aux2)
{
    node_auxinfo_config cfg = {.ctx = test_ctx(),
                               .ks = f->ks,
                               .params = MPC_PARAMS_COMPAT,
                               .fixture_file = FIXTURES,
                               .self_id = "n1",
                               .committee = peers,
                               .n_committee = 3};
    runs r = {.aux2 = aux2};
    REQUIRE(pthread_mutex_init(&r.mu, NULL) == 0);
    char err[256];
    mpc_err e = node_auxinfo_new(&r.a, &cfg, err, sizeof err);
    if (e == MPC_OK)
        checks(&r);
    node_auxinfo_free(r.a);
    pthread_mutex_destroy(&r.mu);
    REQUIRE_OK(e);
    return true;
}

KS_TEST(reshare_aux_wanted_committee_runs_once_when_ours)
{
    const mpc_ctx *ctx[2];
    mpc_cggmp_key_share shares[2];
    mpc_cggmp_aux_info aux[2];
    cggmp_fixture_ctxs(ctx, 2);
    if (!cggmp_fixture_dealer(ctx, 2, 2, MPC_PARAMS_COMPAT, shares, aux))
        return;
    CHECK(body(f, &aux[0]));
    cggmp_fixture_clear(ctx, 2, shares, aux);
}
