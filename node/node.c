/*
 * node/node.c — start-up, intake loops and shutdown (see node.h).
 */
#include "node/node.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/os_rng.h"
#include "mpc/ctx.h"
#include "node/client_proto.h"
#include "node/envelope.h"
#include "node/http.h"
#include "node/identity.h"
#include "node/jsetup.h"
#include "node/keystore.h"
#include "node/log.h"
#include "node/ops.h"
#include "node/password.h"
#include "node/sessions.h"
#include "node/transport.h"

/* Bounds how long stop waits for an intake thread. */
#define FETCH_WAIT_MS 500
#define NAK_DELAY_MS 1000
#define INTAKES 2

typedef struct intake {
    struct node *n;
    node_client_op op;
    node_pull *pull;
    pthread_t thread;
    bool running;
} intake;

struct node {
    const node_config *cfg;
    mpc_ctx *ctx;
    node_identity *id;
    node_peers *peers_file;
    node_envelope_self self;
    node_envelope_peer *peers;
    size_t n_peers;
    node_keystore *ks;
    node_transport *t;
    node_sessions *sessions;
    node_ops *ops;
    intake intake[INTAKES];
    node_http *http;
    atomic_bool stop;
};

/* ---- intake ------------------------------------------------------------- */

static void handle_one(intake *in, node_jsmsg *m)
{
    node_transport *t = in->n->t;
    /* Restart the AckWait clock: the whole session now has it (barrier,
     * rounds, members' reports) before JetStream redelivers. */
    if (node_transport_in_progress(t, m) != MPC_OK)
        node_log(NODE_LOG_WARN, "in-progress ack failed", NULL);
    const char *cid = node_msg_header(&m->msg, NODE_CLIENT_HDR_CLIENT_ID);
    node_ops_outcome oc;
    mpc_err e =
        node_ops_handle(in->n->ops, &oc, in->op, m->msg.data, m->msg.len, cid);
    mpc_err ae;
    if (e == MPC_OK) {
        node_log(NODE_LOG_INFO, "request answered",
                 "op=%d subject=%s code=%s replayed=%d", (int)in->op,
                 oc.subject, node_client_code_str(oc.code), (int)oc.replayed);
        ae = node_transport_ack(t, m);
    } else {
        node_log(NODE_LOG_WARN, "request not answered", "op=%d err=%s",
                 (int)in->op, mpc_err_str(e));
        ae = e == MPC_ERR_UNAVAILABLE || e == MPC_ERR_TIMEOUT
                 ? node_transport_nak(t, m, NAK_DELAY_MS)
                 : node_transport_term(t, m);
    }
    if (ae != MPC_OK)
        node_log(NODE_LOG_WARN, "ack failed", "err=%s", mpc_err_str(ae));
    node_ops_outcome_clear(&oc);
}

static void *intake_thread(void *arg)
{
    intake *in = arg;
    while (!atomic_load(&in->n->stop)) {
        node_jsmsg *m = NULL;
        size_t got = 0;
        mpc_err e = node_transport_pull_fetch(in->n->t, in->pull, &m, 1, &got,
                                              FETCH_WAIT_MS);
        if (e != MPC_OK || got == 0)
            continue;
        handle_one(in, m);
        node_transport_jsmsg_free(in->n->t, &m);
    }
    return NULL;
}

static mpc_err intake_start(node *n, intake *in, node_client_op op)
{
    in->n = n;
    in->op = op;
    mpc_err e = node_transport_pull_bind(n->t, &in->pull,
                                         node_client_request_stream(op),
                                         node_client_request_durable(op));
    if (e != MPC_OK)
        return e;
    if (pthread_create(&in->thread, NULL, intake_thread, in) != 0) {
        node_transport_pull_unbind(n->t, &in->pull);
        return MPC_ERR_INTERNAL;
    }
    in->running = true;
    return MPC_OK;
}

/* ---- start-up steps ----------------------------------------------------- */

static mpc_err load_password(const node_config *cfg, const char *const *envp,
                             node_password **pw, char *err, size_t err_len)
{
    node_password_source src;
    node_password_source_default(&src);
    src.file = cfg->password_file;
    src.env_name = "MPCIUM_DB_PASSWORD";
    src.envp = envp;
    src.prompt = cfg->prompt_credentials;
    src.prompt_text = "Keystore password: ";
    return node_password_read(pw, &src, err, err_len);
}

static mpc_err load_identity(node *n, const char *const *envp, char *err,
                             size_t err_len)
{
    const node_config *cfg = n->cfg;
    node_password *ipw = NULL;
    if (cfg->decrypt_private_key) {
        node_password_source src;
        node_password_source_default(&src);
        src.file = cfg->identity_password_file;
        src.env_name = "MPCIUM_IDENTITY_PASSWORD";
        src.envp = envp;
        src.prompt = true;
        src.prompt_text = "Identity password: ";
        mpc_err e = node_password_read(&ipw, &src, err, err_len);
        if (e != MPC_OK)
            return e;
    }
    mpc_err e =
        node_identity_load(&n->id, cfg->identity_dir, cfg->node_name,
                           ipw != NULL ? (const uint8_t *)ipw->data : NULL,
                           ipw != NULL ? ipw->len : 0, err, err_len);
    node_password_free(ipw);
    if (e == MPC_OK)
        e = node_envelope_self_init(&n->self, n->id->id, n->id->sk);
    return e;
}

static mpc_err load_peers(node *n, char *err, size_t err_len)
{
    const node_config *cfg = n->cfg;
    mpc_err e = node_peers_load(&n->peers_file, cfg->peers_file,
                                cfg->identity_dir, err, err_len);
    if (e == MPC_OK)
        e = node_peers_check_self(n->peers_file, n->id, err, err_len);
    if (e == MPC_OK)
        e = node_config_check_peers(cfg, n->peers_file->n, err, err_len);
    if (e != MPC_OK)
        return e;
    if (n->peers_file->n < 2) {
        snprintf(err, err_len, "peers file: at least two nodes needed");
        return MPC_ERR_INVALID_ARG;
    }
    n->peers = calloc(n->peers_file->n - 1, sizeof *n->peers);
    if (n->peers == NULL)
        return MPC_ERR_NOMEM;
    for (size_t i = 0; i < n->peers_file->n; i++) {
        const node_peer *p = &n->peers_file->peer[i];
        if (strcmp(p->id, n->id->id) == 0)
            continue;
        e = node_envelope_peer_init(&n->peers[n->n_peers], &n->self, p->id,
                                    p->pk);
        if (e != MPC_OK) {
            snprintf(err, err_len, "peer %s: unusable key", p->name);
            return e;
        }
        n->n_peers++;
    }
    return MPC_OK;
}

static mpc_err open_keystore(node *n, const char *const *envp, char *err,
                             size_t err_len)
{
    node_password *pw = NULL;
    mpc_err e = load_password(n->cfg, envp, &pw, err, err_len);
    if (e != MPC_OK)
        return e;
    char dir[4096];
    int k =
        snprintf(dir, sizeof dir, "%s/%s", n->cfg->db_path, n->cfg->node_name);
    if (k < 0 || (size_t)k >= sizeof dir) {
        node_password_free(pw);
        snprintf(err, err_len, "db_path: too long");
        return MPC_ERR_INVALID_ARG;
    }
    /* mpcium creates db_path on first start; the keystore creates its own
     * directory inside it. */
    if (mkdir(n->cfg->db_path, 0700) != 0 && errno != EEXIST) {
        node_password_free(pw);
        snprintf(err, err_len, "db_path %s: %s", n->cfg->db_path,
                 strerror(errno));
        return MPC_ERR_IO;
    }
    e = node_keystore_open(&n->ks, dir, (const uint8_t *)pw->data, pw->len,
                           NULL);
    node_password_free(pw);
    if (e != MPC_OK)
        snprintf(err, err_len, "keystore %s: %s", dir, mpc_err_str(e));
    return e;
}

static mpc_err connect_nats(node *n, char *err, size_t err_len)
{
    const node_config *cfg = n->cfg;
    node_nats_config nc;
    node_transport_nats_default(&nc);
    nc.url = cfg->nats_url;
    nc.name = cfg->node_name;
    nc.user = cfg->nats_username;
    nc.password = cfg->nats_password;
    nc.creds_file = cfg->nats_creds_file;
    nc.nkey_public = cfg->nats_nkey;
    nc.nkey_seed_file = cfg->nats_nkey_seed_file;
    nc.tls_ca_file = cfg->nats_tls_ca_cert;
    nc.tls_cert_file = cfg->nats_tls_client_cert;
    nc.tls_key_file = cfg->nats_tls_client_key;
    mpc_err e = node_transport_nats_new(&n->t, &nc);
    if (e != MPC_OK) {
        snprintf(err, err_len, "nats %s: %s", cfg->nats_url, mpc_err_str(e));
        return e;
    }
    node_jsetup_config jc;
    node_jsetup_config_default(&jc);
    node_jsetup_report *rep = calloc(1, sizeof *rep);
    if (rep == NULL)
        return MPC_ERR_NOMEM;
    e = node_jsetup_apply(n->t, &jc, rep);
    for (size_t i = 0; i < rep->n; i++)
        if (rep->items[i].action >= NODE_JSETUP_WARNING)
            node_log(NODE_LOG_WARN, "jetstream", "object=\"%s\" detail=\"%s\"",
                     rep->items[i].object, rep->items[i].detail);
    free(rep);
    if (e != MPC_OK)
        snprintf(err, err_len, "jetstream setup: %s", mpc_err_str(e));
    return e;
}

static mpc_err start_ops(node *n, char *err, size_t err_len)
{
    const node_config *cfg = n->cfg;
    mpc_err e = node_sessions_new(&n->sessions, n->t, n->ctx, &n->self,
                                  n->peers, n->n_peers);
    if (e != MPC_OK)
        return e;
    node_ops_config oc = {
        .t = n->t,
        .ctx = n->ctx,
        .self = &n->self,
        .peers = n->peers,
        .n_peers = n->n_peers,
        .sessions = n->sessions,
        .ks = n->ks,
        .threshold = cfg->threshold,
        .initiator_alg = cfg->event_initiator.alg,
        .initiator_key = cfg->event_initiator.bytes,
        .initiator_key_len = cfg->event_initiator.len,
        .allow_legacy_path = cfg->allow_legacy_unsigned_derivation_path,
        .barrier_timeout_ms = cfg->barrier_timeout_ms,
    };
    memcpy(oc.chain_code, cfg->chain_code, sizeof oc.chain_code);
    e = node_ops_new(&n->ops, &oc);
    if (e == MPC_OK)
        e = node_ops_listen(n->ops);
    if (e != MPC_OK) {
        snprintf(err, err_len, "ops: %s", mpc_err_str(e));
        return e;
    }
    static const node_client_op ops[INTAKES] = {NODE_CLIENT_OP_KEYGEN,
                                                NODE_CLIENT_OP_SIGN};
    for (size_t i = 0; i < INTAKES && e == MPC_OK; i++)
        e = intake_start(n, &n->intake[i], ops[i]);
    if (e != MPC_OK)
        snprintf(err, err_len, "intake: %s", mpc_err_str(e));
    return e;
}

/* The HTTP thread's snapshot. Until the registry's liveness view is wired
 * in, every peer of the peers file counts as up. */
static void metrics_view(void *ud, node_metrics_view *v)
{
    node *n = ud;
    memset(v, 0, sizeof *v);
    node_sessions_stats_get(n->sessions, &v->sessions);
    node_transport_stats_get(n->t, &v->transport);
    v->peers_total = n->n_peers + 1u;
    v->peers_ready = v->peers_total;
    v->threshold = n->cfg->threshold;
}

static mpc_err start_http(node *n, char *err, size_t err_len)
{
    if (!n->cfg->healthcheck_enabled)
        return MPC_OK;
    mpc_err e =
        node_http_start(&n->http, n->cfg->healthcheck_address, metrics_view, n);
    if (e != MPC_OK)
        snprintf(err, err_len, "healthcheck.address %s: %s",
                 n->cfg->healthcheck_address, mpc_err_str(e));
    return e;
}

mpc_err node_start(node **out, const node_config *cfg, const char *const *envp,
                   char *err, size_t err_len)
{
    char dummy[1];
    if (err == NULL) {
        err = dummy;
        err_len = sizeof dummy;
    }
    err[0] = '\0';
    if (out == NULL || cfg == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    node *n = calloc(1, sizeof *n);
    if (n == NULL)
        return MPC_ERR_NOMEM;
    n->cfg = cfg;
    atomic_init(&n->stop, false);
    mpc_ctx_config cc = {.rng = os_rng_fill};
    mpc_err e = mpc_ctx_new(&n->ctx, &cc);
    if (e == MPC_OK)
        e = load_identity(n, envp, err, err_len);
    if (e == MPC_OK)
        e = load_peers(n, err, err_len);
    if (e == MPC_OK)
        e = open_keystore(n, envp, err, err_len);
    if (e == MPC_OK)
        e = connect_nats(n, err, err_len);
    if (e == MPC_OK)
        e = start_ops(n, err, err_len);
    if (e == MPC_OK)
        e = start_http(n, err, err_len);
    if (e != MPC_OK) {
        if (err[0] == '\0')
            snprintf(err, err_len, "start-up: %s", mpc_err_str(e));
        node_stop(n);
        return e;
    }
    *out = n;
    return MPC_OK;
}

void node_stop(node *n)
{
    if (n == NULL)
        return;
    node_http_stop(n->http);
    atomic_store(&n->stop, true);
    for (size_t i = 0; i < INTAKES; i++) {
        if (n->intake[i].running)
            pthread_join(n->intake[i].thread, NULL);
        if (n->t != NULL)
            node_transport_pull_unbind(n->t, &n->intake[i].pull);
    }
    node_ops_free(n->ops);
    node_sessions_free(n->sessions);
    if (n->t != NULL)
        node_transport_free(n->t);
    node_keystore_close(n->ks);
    for (size_t i = 0; i < n->n_peers; i++)
        node_envelope_peer_clear(&n->peers[i]);
    free(n->peers);
    node_envelope_self_clear(&n->self);
    node_peers_free(n->peers_file);
    node_identity_free(n->id);
    mpc_ctx_free(n->ctx);
    free(n);
}
