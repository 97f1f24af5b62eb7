/*
 * node/maxdeliver.c — mpcium's timeout consumer (see maxdeliver.h).
 */
#include "node/maxdeliver.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/jsetup.h"
#include "node/log.h"

/* Advisories waiting for the thread; more at once are dropped (logged):
 * each already means a request the cluster failed on. */
#define QUEUE_CAP 64
#define PUBLISH_TIMEOUT_MS 5000
/* The result stream may be unavailable for a moment (the very reason the
 * request ran out of deliveries): retry, spaced, within a bound. */
#define PUBLISH_TRIES 10
#define RETRY_WAIT_MS 1000

struct node_maxdeliver {
    node_transport *t;
    node_sub *sub;
    pthread_t thread;
    bool running;
    /* mu guards the queue and stop; cv wakes the thread. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t queue[QUEUE_CAP];
    size_t head;
    size_t count;
    bool stop;
};

void node_maxdeliver_result_clear(node_maxdeliver_result *r)
{
    if (r == NULL)
        return;
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* The ids the result echoes; all "" when the request does not parse. */
static mpc_err encode(node_maxdeliver_result *out,
                      const node_client_request *req, bool parsed)
{
    node_client_problem p;
    node_client_problem_set(&p, NODE_CLIENT_FAIL_MAX_DELIVERY, "%s",
                            NODE_MAXDELIVER_REASON);
    node_client_sign_ids ids = {
        .network_internal_code = parsed ? req->network_internal_code : "",
        .wallet_id = parsed ? req->wallet_id.s : "",
        .tx_id = parsed ? req->tx_id.s : "",
    };
    return node_client_sign_result_error(&out->body, &out->len, &ids, &p, true);
}

mpc_err node_maxdeliver_result_make(node_maxdeliver_result *out,
                                    const uint8_t *request, size_t len,
                                    const char *client_id, uint64_t stream_seq)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if ((request == NULL && len > 0) || stream_seq == 0)
        return MPC_ERR_INVALID_ARG;
    const char *cid = client_id != NULL ? client_id : "";
    if (node_client_client_id_check(cid, strlen(cid)) != MPC_OK)
        cid = "";
    node_client_request *req = calloc(1, sizeof *req);
    if (req == NULL)
        return MPC_ERR_NOMEM;
    bool parsed = node_client_request_parse(req, NULL, NODE_CLIENT_OP_SIGN,
                                            request, len) == MPC_OK;
    mpc_err e = node_client_result_subject(out->subject, sizeof out->subject,
                                           NODE_CLIENT_OP_SIGN, cid, NULL);
    if (e == MPC_OK &&
        (!parsed || node_client_result_msg_id(out->msg_id, sizeof out->msg_id,
                                              NODE_CLIENT_OP_SIGN, cid,
                                              req->tx_id.s, NULL) != MPC_OK))
        snprintf(out->msg_id, sizeof out->msg_id,
                 "mpc.mpc_signing_result.max-delivery:%" PRIu64, stream_seq);
    if (e == MPC_OK)
        e = encode(out, req, parsed);
    node_client_request_clear(req);
    free(req);
    if (e != MPC_OK)
        node_maxdeliver_result_clear(out);
    return e;
}

/* ---- the advisory thread ------------------------------------------------ */

/* Transport thread: parse, queue, never block. */
static void on_advisory(const node_msg *m, void *ud)
{
    node_maxdeliver *md = ud;
    node_js_advisory adv;
    if (node_jsetup_advisory_parse(m->data, m->len, &adv) != MPC_OK ||
        strcmp(adv.stream, NODE_JSETUP_STREAM_SIGNING) != 0) {
        node_log(NODE_LOG_WARN, "max-deliveries advisory", "detail=\"%s\"",
                 "malformed or not for the signing stream: ignored");
        return;
    }
    pthread_mutex_lock(&md->mu);
    bool queued = md->count < QUEUE_CAP;
    if (queued) {
        md->queue[(md->head + md->count) % QUEUE_CAP] = adv.stream_seq;
        md->count++;
        pthread_cond_signal(&md->cv);
    }
    pthread_mutex_unlock(&md->mu);
    if (!queued)
        node_log(NODE_LOG_ERROR, "max-deliveries advisory",
                 "seq=%" PRIu64 " detail=\"queue full: no result\"",
                 adv.stream_seq);
}

/* Waits up to ms on cv (mu held); true when stopping. */
static bool wait_or_stop(node_maxdeliver *md, int64_t ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += (time_t)(ms / 1000);
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    int rc = 0;
    while (!md->stop && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&md->cv, &md->mu, &until);
    return md->stop;
}

static mpc_err publish(node_maxdeliver *md, const node_maxdeliver_result *r)
{
    node_header hdr = {.key = NODE_CLIENT_HDR_MSG_ID, .value = r->msg_id};
    mpc_err e = MPC_ERR_UNAVAILABLE;
    for (int k = 0; k < PUBLISH_TRIES; k++) {
        e = node_transport_js_publish(md->t, r->subject, &hdr, 1, r->body,
                                      r->len, r->msg_id, PUBLISH_TIMEOUT_MS,
                                      NULL);
        if (e != MPC_ERR_UNAVAILABLE && e != MPC_ERR_TIMEOUT)
            break;
        pthread_mutex_lock(&md->mu);
        bool stop = wait_or_stop(md, RETRY_WAIT_MS);
        pthread_mutex_unlock(&md->mu);
        if (stop)
            break;
    }
    return e;
}

static void answer(node_maxdeliver *md, uint64_t seq)
{
    node_jsmsg *m = NULL;
    node_maxdeliver_result r;
    memset(&r, 0, sizeof r);
    mpc_err e =
        node_transport_stream_get(md->t, &m, NODE_JSETUP_STREAM_SIGNING, seq);
    if (e == MPC_OK)
        e = node_maxdeliver_result_make(
            &r, m->msg.data, m->msg.len,
            node_msg_header(&m->msg, NODE_CLIENT_HDR_CLIENT_ID), seq);
    if (e == MPC_OK)
        e = publish(md, &r);
    if (e == MPC_OK)
        node_log(NODE_LOG_WARN, "request abandoned by JetStream",
                 "seq=%" PRIu64 " subject=%s code=ERROR_MAX_DELIVERY_ATTEMPTS",
                 seq, r.subject);
    else
        node_log(NODE_LOG_ERROR, "max-deliveries result not published",
                 "seq=%" PRIu64 " err=%s", seq, mpc_err_str(e));
    node_maxdeliver_result_clear(&r);
    if (m != NULL)
        node_transport_jsmsg_free(md->t, &m);
}

static void *advisory_thread(void *arg)
{
    node_maxdeliver *md = arg;
    pthread_mutex_lock(&md->mu);
    while (!md->stop) {
        if (md->count == 0) {
            pthread_cond_wait(&md->cv, &md->mu);
            continue;
        }
        uint64_t seq = md->queue[md->head];
        md->head = (md->head + 1) % QUEUE_CAP;
        md->count--;
        pthread_mutex_unlock(&md->mu);
        answer(md, seq);
        pthread_mutex_lock(&md->mu);
    }
    pthread_mutex_unlock(&md->mu);
    return NULL;
}

mpc_err node_maxdeliver_start(node_maxdeliver **out, node_transport *t)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    if (t == NULL)
        return MPC_ERR_INVALID_ARG;
    node_maxdeliver *md = calloc(1, sizeof *md);
    if (md == NULL)
        return MPC_ERR_NOMEM;
    md->t = t;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&md->mu, NULL);
    pthread_cond_init(&md->cv, &ca);
    pthread_condattr_destroy(&ca);
    mpc_err e = MPC_ERR_INTERNAL;
    if (pthread_create(&md->thread, NULL, advisory_thread, md) == 0) {
        md->running = true;
        char subject[NODE_SUBJECT_MAX_BYTES + 1];
        e = node_jsetup_advisory_subject(
            subject, sizeof subject, NODE_JSETUP_STREAM_SIGNING,
            node_client_request_durable(NODE_CLIENT_OP_SIGN));
        if (e == MPC_OK)
            e = node_transport_subscribe(t, &md->sub, subject, on_advisory, md);
    }
    if (e != MPC_OK) {
        node_maxdeliver_stop(md);
        return e;
    }
    *out = md;
    return MPC_OK;
}

void node_maxdeliver_stop(node_maxdeliver *md)
{
    if (md == NULL)
        return;
    if (md->sub != NULL &&
        node_transport_unsubscribe(md->t, &md->sub) != MPC_OK)
        node_log(NODE_LOG_WARN, "max-deliveries advisory",
                 "detail=\"unsubscribe failed\"");
    pthread_mutex_lock(&md->mu);
    md->stop = true;
    pthread_cond_broadcast(&md->cv);
    pthread_mutex_unlock(&md->mu);
    if (md->running)
        pthread_join(md->thread, NULL);
    pthread_cond_destroy(&md->cv);
    pthread_mutex_destroy(&md->mu);
    free(md);
}
