/*
 * tests/integration/test_transport_nats_churn.c — subscriptions made and
 * dropped while another connection floods their subjects with large
 * messages, as sessions do under load. libnats before 3.6 (nats.c issue
 * 637) lets its read loop use a subscription it looked up without a
 * reference: one destroyed in that window was written to after free (the
 * heap corruption of bench-cluster). Without read_loop_past in
 * node/transport_nats.c this test crashes within seconds.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/transport.h"
#include "tests/harness/test.h"
#include "tests/integration/natsserver.h"

#define CHURNERS 4
#define ROUNDS 500
/* Large: the read loop copies the payload inside the unsafe window. */
#define FLOOD_BYTES (48u * 1024u)
/* How long a subscription waits for its first message (100 us steps). */
#define FIRST_MSG_STEPS 40

typedef struct churn {
    node_transport *sub;
    node_transport *pub;
    atomic_bool stop;
    atomic_long delivered;
    atomic_int failures;
} churn;

typedef struct churner {
    churn *c;
    int index;
} churner;

static void subject_of(char *out, size_t cap, int i)
{
    snprintf(out, cap, "itest.churn.%d", i);
}

static void on_msg(const node_msg *m, void *ud)
{
    (void)m;
    churn *c = ud;
    atomic_fetch_add(&c->delivered, 1);
}

static void *flood(void *arg)
{
    churn *c = arg;
    uint8_t *buf = calloc(1, FLOOD_BYTES);
    char subject[32];
    for (unsigned i = 0; buf != NULL && !atomic_load(&c->stop); i++) {
        subject_of(subject, sizeof subject, (int)(i % CHURNERS));
        if (node_transport_publish(c->pub, subject, NULL, NULL, 0, buf,
                                   FLOOD_BYTES) != MPC_OK ||
            (i % 64 == 63 && node_transport_flush(c->pub, 2000) != MPC_OK))
            atomic_fetch_add(&c->failures, 1);
    }
    free(buf);
    return NULL;
}

/* Subscribes, waits (briefly) for the flood to reach it, unsubscribes. */
static void *churn_main(void *arg)
{
    churner *w = arg;
    churn *c = w->c;
    char subject[32];
    subject_of(subject, sizeof subject, w->index);
    const struct timespec step = {0, 100000};
    for (int r = 0; r < ROUNDS; r++) {
        node_sub *s = NULL;
        if (node_transport_subscribe(c->sub, &s, subject, on_msg, c) !=
            MPC_OK) {
            atomic_fetch_add(&c->failures, 1);
            continue;
        }
        long before = atomic_load(&c->delivered);
        for (int k = 0;
             k < FIRST_MSG_STEPS && atomic_load(&c->delivered) == before; k++)
            nanosleep(&step, NULL);
        if (node_transport_unsubscribe(c->sub, &s) != MPC_OK)
            atomic_fetch_add(&c->failures, 1);
    }
    return NULL;
}

static bool churn_body(natsserver *srv, churn *c)
{
    REQUIRE_OK(natsserver_connect(srv, &c->sub, "itest-churn-sub", NULL, NULL));
    REQUIRE_OK(natsserver_connect(srv, &c->pub, "itest-churn-pub", NULL, NULL));
    pthread_t fl;
    REQUIRE(pthread_create(&fl, NULL, flood, c) == 0);
    churner w[CHURNERS];
    pthread_t th[CHURNERS];
    int started = 0;
    for (int i = 0; i < CHURNERS; i++) {
        w[i] = (churner){.c = c, .index = i};
        if (pthread_create(&th[i], NULL, churn_main, &w[i]) != 0)
            break;
        started++;
    }
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    atomic_store(&c->stop, true);
    pthread_join(fl, NULL);
    REQUIRE(started == CHURNERS);
    REQUIRE(atomic_load(&c->failures) == 0);
    /* The flood did reach live subscriptions (the race was exercised). */
    REQUIRE(atomic_load(&c->delivered) > 0);
    node_transport_stats st;
    node_transport_stats_get(c->sub, &st);
    REQUIRE(st.live_subs == 0);
    return true;
}

TEST(itest_transport_unsubscribe_under_flood)
{
    natsserver *srv = NULL;
    CHECK(natsserver_start(&srv));
    if (srv == NULL)
        return;
    churn *c = calloc(1, sizeof *c);
    CHECK(c != NULL);
    if (c != NULL) {
        CHECK(churn_body(srv, c));
        node_transport_free(c->sub);
        node_transport_free(c->pub);
        free(c);
    }
    natsserver_stop(srv);
}
