/*
 * tests/node/test_keepalive.c — "in progress" ticks keep a request that
 * outlasts AckWait from being redelivered (node/keepalive.h).
 */
#include <time.h>

#include "node/keepalive.h"
#include "node/transport.h"
#include "tests/harness/test.h"

#define ACK_WAIT_MS 400

static void nap_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000,
                          .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

typedef struct ka_env {
    node_mem_bus *bus;
    node_transport *t;
    node_pull *p;
} ka_env;

static bool env_open(ka_env *v)
{
    const char *subj[] = {"ka.*"};
    node_js_stream_config sc = {.name = "KA",
                                .subjects = subj,
                                .nsubjects = 1,
                                .retention = NODE_JS_WORKQUEUE,
                                .storage = NODE_JS_MEMORY};
    node_js_consumer_config cc = {.stream = "KA",
                                  .durable = "ka_c",
                                  .filter_subject = "ka.*",
                                  .ack = NODE_JS_ACK_EXPLICIT,
                                  .ack_wait_ms = ACK_WAIT_MS,
                                  .max_deliver = 5,
                                  .max_ack_pending = 10};
    *v = (ka_env){0};
    return node_mem_bus_new(&v->bus) == MPC_OK &&
           node_transport_mem_new(&v->t, v->bus, "ka") == MPC_OK &&
           node_transport_stream_add(v->t, &sc) == MPC_OK &&
           node_transport_consumer_add(v->t, &cc) == MPC_OK &&
           node_transport_pull_bind(v->t, &v->p, "KA", "ka_c") == MPC_OK &&
           node_transport_js_publish(v->t, "ka.req", NULL, 0,
                                     (const uint8_t *)"r", 1, NULL, 2000,
                                     NULL) == MPC_OK;
}

static void env_close(ka_env *v)
{
    if (v->t != NULL) {
        node_transport_pull_unbind(v->t, &v->p);
        node_transport_free(v->t);
    }
    node_mem_bus_free(v->bus);
}

static size_t fetch(ka_env *v, node_jsmsg **m, int64_t wait_ms)
{
    size_t got = 0;
    if (node_transport_pull_fetch(v->t, v->p, m, 1, &got, wait_ms) != MPC_OK)
        return 0;
    return got;
}

TEST(node_keepalive_rejects_bad_args)
{
    node_keepalive *k = (node_keepalive *)1;
    CHECK_ERR(node_keepalive_start(NULL, NULL, 1), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_keepalive_start(&k, NULL, 1), MPC_ERR_INVALID_ARG);
    CHECK(k == NULL);
    ka_env v;
    CHECK(env_open(&v));
    CHECK_ERR(node_keepalive_start(&k, v.t, 0), MPC_ERR_INVALID_ARG);
    CHECK(k == NULL);
    /* NULL managers are no-ops. */
    node_keepalive_entry e = {0};
    node_keepalive_add(NULL, &e, NULL);
    node_keepalive_remove(NULL, &e);
    node_keepalive_stop(NULL);
    CHECK(node_keepalive_sent(NULL) == 0);
    env_close(&v);
}

TEST(node_keepalive_prevents_redelivery_past_ack_wait)
{
    ka_env v;
    CHECK(env_open(&v));
    node_keepalive *k = NULL;
    CHECK(node_keepalive_start(&k, v.t, ACK_WAIT_MS / 3) == MPC_OK);
    node_jsmsg *m = NULL, *again = NULL;
    CHECK(fetch(&v, &m, 2000) == 1);
    node_keepalive_entry e;
    node_keepalive_add(k, &e, m);
    /* Three AckWaits long: without the ticks it comes back. */
    CHECK(fetch(&v, &again, 3 * ACK_WAIT_MS) == 0);
    CHECK(node_keepalive_sent(k) >= 3);
    node_keepalive_remove(k, &e);
    uint64_t sent = node_keepalive_sent(k);
    nap_ms(ACK_WAIT_MS / 2);
    CHECK(node_keepalive_sent(k) == sent); /* removed: never touched again */
    CHECK_OK(node_transport_ack(v.t, m));
    node_transport_jsmsg_free(v.t, &m);
    CHECK(fetch(&v, &again, 2 * ACK_WAIT_MS) == 0);
    node_keepalive_stop(k);
    env_close(&v);
}

TEST(node_keepalive_removed_message_is_redelivered)
{
    /* The control: the same request, not kept alive, returns after
     * AckWait — so the test above can fail. */
    ka_env v;
    CHECK(env_open(&v));
    node_keepalive *k = NULL;
    CHECK(node_keepalive_start(&k, v.t, ACK_WAIT_MS / 3) == MPC_OK);
    node_jsmsg *m = NULL, *again = NULL;
    CHECK(fetch(&v, &m, 2000) == 1);
    node_keepalive_entry e;
    node_keepalive_add(k, &e, m);
    node_keepalive_remove(k, &e);
    CHECK(fetch(&v, &again, 3 * ACK_WAIT_MS) == 1);
    CHECK(node_keepalive_sent(k) == 0);
    if (again != NULL) {
        CHECK(again->delivered == 2);
        CHECK_OK(node_transport_ack(v.t, again));
        node_transport_jsmsg_free(v.t, &again);
    }
    node_transport_jsmsg_free(v.t, &m);
    node_keepalive_stop(k);
    env_close(&v);
}
