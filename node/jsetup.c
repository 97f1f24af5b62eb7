/* node/jsetup.c — see jsetup.h for the layout and the policy. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "node/jsetup.h"

#define DAY_MS (24 * 3600 * INT64_C(1000))
#define STREAM_MAX_BYTES INT64_C(100000000)
#define DUPLICATES_MS INT64_C(120000)
#define ACK_WAIT_MS INT64_C(30000)
#define RESULT_MAX_ACK_PENDING 1000
#define ADVISORY_TYPE "io.nats.jetstream.advisory.v1.max_deliver"
#define ADVISORY_PREFIX "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES."

/* ---- The layout ---- */

struct stream_spec {
    const char *name;
    const char *description;
    const char *const *subjects;
    size_t nsubjects;
    node_js_retention retention;
    int64_t max_age_ms;
    bool extension;
    /* A request stream also works as a work queue (the TypeScript client
     * creates it that way); a results stream also works with limits. */
    node_js_retention tolerated;
};

static const char *const keygen_subjects[] = {"mpc.keygen_request.*"};
static const char *const signing_subjects[] = {"mpc.signing_request.*"};
static const char *const results_subjects[] = {"mpc.mpc_keygen_result.>",
                                               "mpc.mpc_signing_result.>",
                                               "mpc.mpc_reshare_result.>"};
static const char *const reshare_subjects[] = {"mpc.reshare_request.*"};
static const char *const presign_subjects[] = {"mpc.presign_request.*"};
static const char *const ext_results_subjects[] = {"mpc.mpc_presign_result.>"};

#define N(a) (sizeof(a) / sizeof *(a))

static const struct stream_spec streams[NODE_JSETUP_S_COUNT] = {
    [NODE_JSETUP_S_KEYGEN] = {NODE_JSETUP_STREAM_KEYGEN,
                              "Stream for " NODE_JSETUP_STREAM_KEYGEN,
                              keygen_subjects, N(keygen_subjects),
                              NODE_JS_LIMITS, 7 * DAY_MS, false,
                              NODE_JS_WORKQUEUE},
    [NODE_JSETUP_S_SIGNING] = {NODE_JSETUP_STREAM_SIGNING,
                               "Stream for " NODE_JSETUP_STREAM_SIGNING,
                               signing_subjects, N(signing_subjects),
                               NODE_JS_LIMITS, 7 * DAY_MS, false,
                               NODE_JS_WORKQUEUE},
    [NODE_JSETUP_S_RESULTS] = {NODE_JSETUP_STREAM_RESULTS,
                               "Stream for " NODE_JSETUP_STREAM_RESULTS,
                               results_subjects, N(results_subjects),
                               NODE_JS_WORKQUEUE, 0, false, NODE_JS_LIMITS},
    [NODE_JSETUP_S_RESHARE] = {NODE_JSETUP_STREAM_RESHARE,
                               "Stream for " NODE_JSETUP_STREAM_RESHARE,
                               reshare_subjects, N(reshare_subjects),
                               NODE_JS_LIMITS, 7 * DAY_MS, true,
                               NODE_JS_WORKQUEUE},
    [NODE_JSETUP_S_PRESIGN] = {NODE_JSETUP_STREAM_PRESIGN,
                               "Stream for " NODE_JSETUP_STREAM_PRESIGN,
                               presign_subjects, N(presign_subjects),
                               NODE_JS_LIMITS, 7 * DAY_MS, true,
                               NODE_JS_WORKQUEUE},
    [NODE_JSETUP_S_EXT_RESULTS] = {NODE_JSETUP_STREAM_EXT_RESULTS,
                                   "Stream for " NODE_JSETUP_STREAM_EXT_RESULTS,
                                   ext_results_subjects,
                                   N(ext_results_subjects), NODE_JS_WORKQUEUE,
                                   0, true, NODE_JS_LIMITS},
};

struct consumer_spec {
    node_jsetup_stream stream;
    const char *durable;
    const char *filter;
    int64_t max_deliver;
    bool backoff;
    bool result; /* a legacy result durable */
};

/* mpcium: MaxDeliver 4 = 3 back-offs + 1 (the server wants MaxDeliver >
 * the number of BackOff steps). */
static const int64_t request_backoff_ms[3] = {ACK_WAIT_MS, ACK_WAIT_MS,
                                              ACK_WAIT_MS};

static const struct consumer_spec consumers[NODE_JSETUP_C_COUNT] = {
    [NODE_JSETUP_C_KEYGEN] = {NODE_JSETUP_S_KEYGEN, NODE_JSETUP_DURABLE_KEYGEN,
                              "mpc.keygen_request.*", 4, true, false},
    [NODE_JSETUP_C_SIGNING] = {NODE_JSETUP_S_SIGNING,
                               NODE_JSETUP_DURABLE_SIGNING,
                               "mpc.signing_request.*", 4, true, false},
    [NODE_JSETUP_C_RESHARE] = {NODE_JSETUP_S_RESHARE,
                               NODE_JSETUP_DURABLE_RESHARE,
                               "mpc.reshare_request.*", 4, true, false},
    [NODE_JSETUP_C_PRESIGN] = {NODE_JSETUP_S_PRESIGN,
                               NODE_JSETUP_DURABLE_PRESIGN,
                               "mpc.presign_request.*", 4, true, false},
    [NODE_JSETUP_C_KEYGEN_RESULT] = {NODE_JSETUP_S_RESULTS,
                                     NODE_JSETUP_DURABLE_KEYGEN_RESULT,
                                     "mpc.mpc_keygen_result.*", 3, false, true},
    [NODE_JSETUP_C_SIGNING_RESULT] = {NODE_JSETUP_S_RESULTS,
                                      NODE_JSETUP_DURABLE_SIGNING_RESULT,
                                      "mpc.mpc_signing_result.complete", 3,
                                      false, true},
    [NODE_JSETUP_C_RESHARE_RESULT] = {NODE_JSETUP_S_RESULTS,
                                      NODE_JSETUP_DURABLE_RESHARE_RESULT,
                                      "mpc.mpc_reshare_result.*", 3, false,
                                      true},
};

void node_jsetup_config_default(node_jsetup_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->keygen_max_ack_pending = 2;
    cfg->signing_max_ack_pending = 20;
    cfg->reshare_max_ack_pending = 2;
    cfg->presign_max_ack_pending = 4;
    cfg->extensions = true;
    cfg->result_durables = true;
}

static bool config_ok(const node_jsetup_config *cfg)
{
    return cfg->keygen_max_ack_pending >= 1 &&
           cfg->signing_max_ack_pending >= 1 &&
           cfg->reshare_max_ack_pending >= 1 &&
           cfg->presign_max_ack_pending >= 1;
}

mpc_err node_jsetup_stream_config(node_jsetup_stream s,
                                  node_js_stream_config *out)
{
    memset(out, 0, sizeof *out);
    if ((unsigned)s >= NODE_JSETUP_S_COUNT)
        return MPC_ERR_INVALID_ARG;
    const struct stream_spec *sp = &streams[s];
    out->name = sp->name;
    out->description = sp->description;
    out->subjects = sp->subjects;
    out->nsubjects = sp->nsubjects;
    out->retention = sp->retention;
    out->storage = NODE_JS_FILE;
    out->discard = NODE_JS_DISCARD_OLD;
    out->max_age_ms = sp->max_age_ms;
    out->max_bytes = STREAM_MAX_BYTES;
    out->max_msgs = -1;
    out->duplicates_ms = DUPLICATES_MS;
    return MPC_OK;
}

static int64_t max_ack_pending(node_jsetup_consumer c,
                               const node_jsetup_config *cfg)
{
    switch (c) {
    case NODE_JSETUP_C_KEYGEN:
        return cfg->keygen_max_ack_pending;
    case NODE_JSETUP_C_SIGNING:
        return cfg->signing_max_ack_pending;
    case NODE_JSETUP_C_RESHARE:
        return cfg->reshare_max_ack_pending;
    case NODE_JSETUP_C_PRESIGN:
        return cfg->presign_max_ack_pending;
    default:
        return RESULT_MAX_ACK_PENDING;
    }
}

mpc_err node_jsetup_consumer_config(node_jsetup_consumer c,
                                    const node_jsetup_config *cfg,
                                    node_js_consumer_config *out)
{
    memset(out, 0, sizeof *out);
    if ((unsigned)c >= NODE_JSETUP_C_COUNT || !config_ok(cfg))
        return MPC_ERR_INVALID_ARG;
    const struct consumer_spec *cp = &consumers[c];
    out->stream = streams[cp->stream].name;
    out->durable = cp->durable;
    out->filter_subject = cp->filter;
    out->deliver = NODE_JS_DELIVER_ALL;
    out->ack = NODE_JS_ACK_EXPLICIT;
    out->ack_wait_ms = ACK_WAIT_MS;
    out->max_deliver = cp->max_deliver;
    out->backoff_ms = cp->backoff ? request_backoff_ms : NULL;
    out->nbackoff = cp->backoff ? N(request_backoff_ms) : 0;
    out->max_ack_pending = max_ack_pending(c, cfg);
    return MPC_OK;
}

/* ---- The report ---- */

__attribute__((format(printf, 5, 6))) static void
note(node_jsetup_report *rep, node_jsetup_action action, mpc_err err,
     const char *object, const char *fmt, ...)
{
    if (rep->n == NODE_JSETUP_ITEMS_MAX)
        return;
    node_jsetup_item *it = &rep->items[rep->n++];
    it->action = action;
    it->err = err;
    snprintf(it->object, sizeof it->object, "%s", object);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->detail, sizeof it->detail, fmt, ap);
    va_end(ap);
}

static const char *retention_name(node_js_retention r)
{
    switch (r) {
    case NODE_JS_LIMITS:
        return "limits";
    case NODE_JS_INTEREST:
        return "interest";
    case NODE_JS_WORKQUEUE:
        return "work queue";
    }
    return "unknown";
}

static bool is_transport_failure(mpc_err e)
{
    return e == MPC_ERR_UNAVAILABLE || e == MPC_ERR_TIMEOUT ||
           e == MPC_ERR_NOMEM;
}

/* ---- Streams ---- */

/* Differences an update can fix; writes a short list into `why`. */
static bool stream_differs(const node_js_stream_info *have,
                           const node_js_stream_config *want, char *why,
                           size_t cap)
{
    why[0] = 0;
    size_t used = 0;
#define DIFF(cond, what)                                                       \
    if (cond)                                                                  \
    used += (size_t)snprintf(why + used, used < cap ? cap - used : 0, "%s%s",  \
                             used ? ", " : "", what)
    bool subj = have->nsubjects != want->nsubjects;
    for (size_t i = 0; !subj && i < want->nsubjects; i++)
        subj = strcmp(have->subjects[i], want->subjects[i]) != 0;
    DIFF(subj, "subjects");
    DIFF(strcmp(have->description, want->description) != 0, "description");
    DIFF(have->max_age_ms != want->max_age_ms, "max age");
    DIFF(have->max_bytes != want->max_bytes, "max bytes");
    DIFF(have->max_msgs != want->max_msgs, "max msgs");
    DIFF(have->discard != want->discard, "discard policy");
    DIFF(have->duplicates_ms != want->duplicates_ms, "duplicate window");
#undef DIFF
    return used > 0;
}

/*
 * Checks the kept-as-is properties. Returns false when the stream is not
 * usable as it is (FAILED noted).
 */
static bool stream_compatible(node_jsetup_report *rep, const char *object,
                              const struct stream_spec *sp,
                              const node_js_stream_info *have)
{
    if (have->retention != sp->retention) {
        bool ok = have->retention == sp->tolerated;
        note(rep, ok ? NODE_JSETUP_WARNING : NODE_JSETUP_FAILED,
             ok ? MPC_OK : MPC_ERR_CONFLICT, object,
             "retention is %s, mpcium uses %s; left as is (the server cannot "
             "change it)%s",
             retention_name(have->retention), retention_name(sp->retention),
             ok ? "; it works"
                : ": unusable. With no node running, delete the stream "
                  "(nats stream rm) and restart a node to recreate it");
        if (!ok)
            return false;
    }
    if (have->storage != NODE_JS_FILE)
        note(rep, NODE_JSETUP_WARNING, MPC_OK, object,
             "memory storage (mpcium uses file): requests and results are "
             "lost when the server restarts; left as is");
    return true;
}

/* Returns false when the stream's consumers must be skipped. */
static bool apply_stream(node_transport *t, const node_jsetup_config *cfg,
                         node_jsetup_stream s, node_jsetup_report *rep,
                         mpc_err *fatal)
{
    const struct stream_spec *sp = &streams[s];
    char object[NODE_JSETUP_OBJECT_BYTES];
    snprintf(object, sizeof object, "stream %s", sp->name);
    node_js_stream_config want;
    mpc_err e = node_jsetup_stream_config(s, &want);
    node_js_stream_info have;
    if (e == MPC_OK)
        e = node_transport_stream_info(t, sp->name, &have);
    if (e == MPC_ERR_NOT_FOUND) {
        e = cfg->dry_run ? MPC_OK : node_transport_stream_add(t, &want);
        if (e == MPC_OK) {
            note(rep, NODE_JSETUP_CREATED, MPC_OK, object, "%s",
                 cfg->dry_run ? "missing; would be created" : "created");
            return true;
        }
        /* Nodes start together: another one may have created it between
         * our read and our create. Then go on as if it had been there. */
        if (cfg->dry_run ||
            node_transport_stream_info(t, sp->name, &have) != MPC_OK) {
            note(rep, NODE_JSETUP_FAILED, e, object, "create failed: %s%s",
                 mpc_err_str(e),
                 e == MPC_ERR_CONFLICT
                     ? " (its subjects overlap another stream's; remove that "
                       "stream or its subjects)"
                     : "");
            *fatal = e;
            return false;
        }
        e = MPC_OK;
    }
    if (e != MPC_OK) {
        note(rep, NODE_JSETUP_FAILED, e, object, "cannot read: %s",
             mpc_err_str(e));
        *fatal = e;
        return false;
    }
    if (!stream_compatible(rep, object, sp, &have)) {
        *fatal = MPC_ERR_CONFLICT;
        return false;
    }
    char why[160];
    if (!stream_differs(&have, &want, why, sizeof why)) {
        note(rep, NODE_JSETUP_UNCHANGED, MPC_OK, object, "as expected");
        return true;
    }
    /* Keep what cannot change; fix the rest. */
    want.retention = have.retention;
    want.storage = have.storage;
    e = cfg->dry_run ? MPC_OK : node_transport_stream_update(t, &want);
    if (e == MPC_OK) {
        note(rep, NODE_JSETUP_UPDATED, MPC_OK, object, "%s: %s",
             cfg->dry_run ? "differs, would be updated" : "updated", why);
        return true;
    }
    note(rep, NODE_JSETUP_FAILED, e, object, "update (%s) failed: %s", why,
         mpc_err_str(e));
    *fatal = e;
    return false;
}

/* ---- Consumers ---- */

static bool consumer_differs(const node_js_consumer_info *have,
                             const node_js_consumer_config *want, char *why,
                             size_t cap)
{
    why[0] = 0;
    size_t used = 0;
#define DIFF(cond, what)                                                       \
    if (cond)                                                                  \
    used += (size_t)snprintf(why + used, used < cap ? cap - used : 0, "%s%s",  \
                             used ? ", " : "", what)
    bool bo = have->nbackoff != want->nbackoff;
    for (size_t i = 0; !bo && i < want->nbackoff; i++)
        bo = have->backoff_ms[i] != want->backoff_ms[i];
    DIFF(strcmp(have->filter_subject, want->filter_subject) != 0, "filter");
    DIFF(have->ack_wait_ms != want->ack_wait_ms, "ack wait");
    DIFF(have->max_deliver != want->max_deliver, "max deliver");
    DIFF(bo, "backoff");
    DIFF(have->max_ack_pending != want->max_ack_pending, "max ack pending");
#undef DIFF
    return used > 0;
}

static void apply_consumer(node_transport *t, const node_jsetup_config *cfg,
                           node_jsetup_consumer c, node_jsetup_report *rep,
                           mpc_err *fatal)
{
    node_js_consumer_config want;
    mpc_err e = node_jsetup_consumer_config(c, cfg, &want);
    char object[NODE_JSETUP_OBJECT_BYTES];
    snprintf(object, sizeof object, "consumer %s/%s", want.stream,
             want.durable);
    node_js_consumer_info have;
    if (e == MPC_OK)
        e = node_transport_consumer_info(t, want.stream, want.durable, &have);
    if (e == MPC_ERR_NOT_FOUND) {
        e = cfg->dry_run ? MPC_OK : node_transport_consumer_add(t, &want);
        if (e == MPC_OK) {
            note(rep, NODE_JSETUP_CREATED, MPC_OK, object, "%s",
                 cfg->dry_run ? "missing; would be created" : "created");
            return;
        }
        /* Created meanwhile by another node starting with us? */
        if (cfg->dry_run ||
            node_transport_consumer_info(t, want.stream, want.durable, &have) !=
                MPC_OK) {
            note(rep, NODE_JSETUP_FAILED, e, object, "create failed: %s%s",
                 mpc_err_str(e),
                 e == MPC_ERR_CONFLICT
                     ? " (on a work-queue stream, another consumer already "
                       "covers this filter)"
                     : "");
            *fatal = e;
            return;
        }
        e = MPC_OK;
    }
    if (e != MPC_OK) {
        note(rep, NODE_JSETUP_FAILED, e, object, "cannot read: %s",
             mpc_err_str(e));
        *fatal = e;
        return;
    }
    if (have.deliver != want.deliver || have.ack != want.ack) {
        note(rep, NODE_JSETUP_FAILED, MPC_ERR_CONFLICT, object,
             "deliver or ack policy differs and cannot be updated; with no "
             "node running, delete the consumer and restart a node "
             "(recreating a request consumer replays the requests its "
             "stream still holds)");
        *fatal = MPC_ERR_CONFLICT;
        return;
    }
    char why[160];
    if (!consumer_differs(&have, &want, why, sizeof why)) {
        note(rep, NODE_JSETUP_UNCHANGED, MPC_OK, object, "as expected");
        return;
    }
    e = cfg->dry_run ? MPC_OK : node_transport_consumer_update(t, &want);
    if (e == MPC_OK) {
        note(rep, NODE_JSETUP_UPDATED, MPC_OK, object, "%s: %s",
             cfg->dry_run ? "differs, would be updated" : "updated", why);
        return;
    }
    note(rep, NODE_JSETUP_FAILED, e, object, "update (%s) failed: %s", why,
         mpc_err_str(e));
    *fatal = e;
}

/* The first transport failure wins: it stops apply at once. */
static mpc_err merge(mpc_err have, mpc_err now)
{
    if (is_transport_failure(have))
        return have;
    if (is_transport_failure(now))
        return now;
    return have != MPC_OK ? have : now;
}

mpc_err node_jsetup_apply(node_transport *t, const node_jsetup_config *cfg,
                          node_jsetup_report *rep)
{
    memset(rep, 0, sizeof *rep);
    if (!config_ok(cfg))
        return MPC_ERR_INVALID_ARG;
    bool usable[NODE_JSETUP_S_COUNT] = {false};
    mpc_err result = MPC_OK;
    for (int s = 0; s < NODE_JSETUP_S_COUNT; s++) {
        if (streams[s].extension && !cfg->extensions)
            continue;
        mpc_err fatal = MPC_OK;
        usable[s] = apply_stream(t, cfg, (node_jsetup_stream)s, rep, &fatal);
        result = merge(result, fatal);
        if (is_transport_failure(result))
            return result;
    }
    for (int c = 0; c < NODE_JSETUP_C_COUNT; c++) {
        const struct consumer_spec *cp = &consumers[c];
        if (!usable[cp->stream] || (cp->result && !cfg->result_durables))
            continue;
        mpc_err fatal = MPC_OK;
        apply_consumer(t, cfg, (node_jsetup_consumer)c, rep, &fatal);
        result = merge(result, fatal);
        if (is_transport_failure(result))
            return result;
    }
    /* Refusals by the server and kept-as-is incompatibilities alike. */
    return result == MPC_OK ? MPC_OK : MPC_ERR_CONFLICT;
}

/* ---- Advisories ---- */

static bool get_name(json_t *root, const char *key, char *out, size_t cap)
{
    json_t *v = json_object_get(root, key);
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n != strlen(s) || n >= cap || !node_js_name_is_valid(s))
        return false;
    memcpy(out, s, n + 1);
    return true;
}

static bool get_count(json_t *root, const char *key, uint64_t *out)
{
    json_t *v = json_object_get(root, key);
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return false;
    *out = (uint64_t)json_integer_value(v);
    return true;
}

mpc_err node_jsetup_advisory_parse(const uint8_t *json, size_t len,
                                   node_js_advisory *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0 || json == NULL || len > NODE_JS_ADVISORY_MAX_BYTES)
        return MPC_ERR_PARSE;
    json_error_t jerr;
    json_t *root =
        json_loadb((const char *)json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return MPC_ERR_PARSE;
    json_t *type = json_object_get(root, "type");
    bool ok = json_is_object(root) && json_is_string(type) &&
              strcmp(json_string_value(type), ADVISORY_TYPE) == 0 &&
              get_name(root, "stream", out->stream, sizeof out->stream) &&
              get_name(root, "consumer", out->consumer, sizeof out->consumer) &&
              get_count(root, "stream_seq", &out->stream_seq) &&
              get_count(root, "deliveries", &out->deliveries);
    json_decref(root);
    if (!ok) {
        memset(out, 0, sizeof *out);
        return MPC_ERR_PARSE;
    }
    return MPC_OK;
}

mpc_err node_jsetup_advisory_subject(char *out, size_t cap, const char *stream,
                                     const char *durable)
{
    if (cap > 0)
        out[0] = 0;
    if (!node_js_name_is_valid(stream) || !node_js_name_is_valid(durable))
        return MPC_ERR_INVALID_ARG;
    int n = snprintf(out, cap, ADVISORY_PREFIX "%s.%s", stream, durable);
    if (n < 0 || (size_t)n >= cap) {
        if (cap > 0)
            memset(out, 0, cap);
        return MPC_ERR_INVALID_ARG;
    }
    return MPC_OK;
}
