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
#include <time.h>
#include <unistd.h>

#include "common/os_rng.h"
#include "mpc/ctx.h"
#include "node/auxinfo.h"
#include "node/backup.h"
#include "node/client_proto.h"
#include "node/envelope.h"
#include "node/gate.h"
#include "node/http.h"
#include "node/identity.h"
#include "node/jsetup.h"
#include "node/keepalive.h"
#include "node/keystore.h"
#include "node/liveness.h"
#include "node/log.h"
#include "node/maxdeliver.h"
#include "node/ops.h"
#include "node/password.h"
#include "node/payload.h"
#include "node/presign.h"
#include "node/sessions.h"
#include "node/transport.h"

/* Bounds how long stop waits for an intake thread. */
#define FETCH_WAIT_MS 500
#define NAK_DELAY_MS 1000
/* Pause after a failed fetch (NATS down): no busy loop. */
#define FETCH_RETRY_MS 100
#define INTAKES 4

typedef struct intake {
    struct node *n;
    node_client_op op;
    node_pull *pull;
    pthread_t thread;
    bool running;
    /* max_concurrent_<op>: a slot per request pulled and not yet answered;
     * without a free slot nothing is pulled (the request waits in
     * JetStream). */
    node_gate gate;
    bool gate_ready;
} intake;

typedef struct intake_job {
    intake *in;
    node_jsmsg *m;
} intake_job;

struct node {
    const node_config *cfg;
    mpc_ctx *ctx;
    node_identity *id;
    node_peers *peers_file;
    node_envelope_self self;
    /* Room for NODE_PEERS_MAX - 1; grows on node_peers_reload. */
    node_envelope_peer *peers;
    _Atomic size_t n_peers;
    node_keystore *ks;
    /* One-time ECDSA presignatures, next to the keystore (node/presign.h). */
    node_presign_pool *pool;
    node_transport *t;
    /* "In progress" for every request in hand, each AckWait / 3. */
    node_keepalive *keepalive;
    node_sessions *sessions;
    node_ops *ops;
    /* The authorizer policy ops borrows (ids and keys point into cfg). */
    node_client_authorizer *authorizers;
    node_client_auth_policy auth;
    intake intake[INTAKES];
    node_http *http;
    node_liveness *liveness;
    /* Paillier primes and committee aux-info (ECDSA). */
    node_auxinfo *aux;
    /* Error results for signing requests JetStream gave up on. */
    node_maxdeliver *maxdeliver;
    atomic_bool stop;
    /* Backups: `backup_mu` serialises them and guards `last_txn` and
     * `backup_stop`; the periodic thread sleeps on `backup_cv`. */
    pthread_mutex_t backup_mu;
    pthread_cond_t backup_cv;
    bool backup_stop;
    uint64_t last_txn;
    pthread_t backup_thread;
    bool backup_running;
};

/* ---- intake ------------------------------------------------------------- */

static void handle_one(intake *in, node_jsmsg *m)
{
    node_transport *t = in->n->t;
    /* Pulled as we stop: another node takes it (ours would fail at once). */
    if (atomic_load(&in->n->stop)) {
        if (node_transport_nak(t, m, 0) != MPC_OK)
            node_log(NODE_LOG_WARN, "nak failed", NULL);
        return;
    }
    /* Restart the AckWait clock now, and every AckWait / 3 until answered:
     * a long session (ECDSA on a loaded machine) must not be redelivered
     * to another node while we still work on it. */
    if (node_transport_in_progress(t, m) != MPC_OK)
        node_log(NODE_LOG_WARN, "in-progress ack failed", NULL);
    node_keepalive_entry ka;
    node_keepalive_add(in->n->keepalive, &ka, m);
    const char *cid = node_msg_header(&m->msg, NODE_CLIENT_HDR_CLIENT_ID);
    node_ops_outcome oc;
    mpc_err e =
        node_ops_handle(in->n->ops, &oc, in->op, m->msg.data, m->msg.len, cid);
    node_keepalive_remove(in->n->keepalive, &ka);
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

/* Answers one request and gives its slot back (last: stop may then go). */
static void finish_one(intake *in, node_jsmsg *m)
{
    handle_one(in, m);
    node_transport_jsmsg_free(in->n->t, &m);
    node_gate_leave(&in->gate);
}

static void *intake_worker(void *arg)
{
    intake_job job = *(intake_job *)arg;
    free(arg);
    finish_one(job.in, job.m);
    return NULL;
}

/* A detached worker per request (the gate bounds them); inline when no
 * thread can be made. */
static void dispatch(intake *in, node_jsmsg *m)
{
    intake_job *job = malloc(sizeof *job);
    pthread_attr_t attr;
    bool started = false;
    if (job != NULL && pthread_attr_init(&attr) == 0) {
        *job = (intake_job){.in = in, .m = m};
        pthread_t th;
        started =
            pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
            pthread_create(&th, &attr, intake_worker, job) == 0;
        pthread_attr_destroy(&attr);
    }
    if (started)
        return;
    free(job);
    finish_one(in, m);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000,
                          .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void *intake_thread(void *arg)
{
    intake *in = arg;
    while (!atomic_load(&in->n->stop)) {
        if (!node_gate_enter(&in->gate, FETCH_WAIT_MS))
            continue;
        node_jsmsg *m = NULL;
        size_t got = 0;
        mpc_err e = node_transport_pull_fetch(in->n->t, in->pull, &m, 1, &got,
                                              FETCH_WAIT_MS);
        if (e == MPC_OK && got == 1) {
            dispatch(in, m);
            continue;
        }
        node_gate_leave(&in->gate);
        if (e != MPC_OK)
            sleep_ms(FETCH_RETRY_MS);
    }
    /* Workers still answering use the transport and ops: wait for them. */
    node_gate_drain(&in->gate);
    return NULL;
}

static mpc_err intake_start(node *n, intake *in, node_client_op op,
                            unsigned limit)
{
    in->n = n;
    in->op = op;
    mpc_err e = node_gate_init(&in->gate, limit);
    if (e != MPC_OK)
        return e;
    in->gate_ready = true;
    e = node_transport_pull_bind(n->t, &in->pull,
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
    n->peers = calloc(NODE_PEERS_MAX - 1, sizeof *n->peers);
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

/* Appends a peer of a re-read peers file that we do not know yet. */
static mpc_err peer_add(node *n, const node_peer *p, size_t *count)
{
    for (size_t i = 0; i < *count; i++) {
        if (strcmp(n->peers[i].id, p->id) != 0)
            continue;
        if (memcmp(n->peers[i].sign_pk, p->pk, sizeof n->peers[i].sign_pk))
            node_log(NODE_LOG_WARN, "peers file",
                     "peer=%s detail=\"key changed: restart to use it\"",
                     p->name);
        return MPC_OK;
    }
    if (*count >= NODE_PEERS_MAX - 1)
        return MPC_ERR_INVALID_ARG;
    mpc_err e =
        node_envelope_peer_init(&n->peers[*count], &n->self, p->id, p->pk);
    if (e == MPC_OK)
        e = node_liveness_peer_add(n->liveness, p->id);
    if (e == MPC_OK)
        (*count)++;
    else
        node_envelope_peer_clear(&n->peers[*count]);
    return e;
}

mpc_err node_peers_reload(node *n)
{
    if (n == NULL)
        return MPC_ERR_INVALID_ARG;
    char err[256] = "";
    node_peers *pf = NULL;
    mpc_err e = node_peers_load(&pf, n->cfg->peers_file, n->cfg->identity_dir,
                                err, sizeof err);
    if (e == MPC_OK)
        e = node_peers_check_self(pf, n->id, err, sizeof err);
    size_t before = n->n_peers, count = before;
    for (size_t i = 0; e == MPC_OK && i < pf->n; i++)
        if (strcmp(pf->peer[i].id, n->id->id) != 0)
            e = peer_add(n, &pf->peer[i], &count);
    if (e == MPC_OK && pf->n != count + 1u)
        node_log(NODE_LOG_WARN, "peers file",
                 "detail=\"removed peers stay until a restart\"");
    /* The new entries are written: publish them. */
    if (e == MPC_OK && count > before)
        e = node_sessions_peers_grow(n->sessions, count);
    if (e == MPC_OK && count > before) {
        node_ops_peers_grow(n->ops, count);
        n->n_peers = count;
        /* ECDSA's committee is every node of the peers file. */
        const char *ids[NODE_PEERS_MAX];
        ids[0] = n->self.id;
        for (size_t i = 0; i < count; i++)
            ids[i + 1] = n->peers[i].id;
        if (n->aux != NULL)
            e = node_auxinfo_committee_set(n->aux, ids, count + 1u);
    }
    node_peers_free(pf);
    if (e == MPC_OK)
        node_log(NODE_LOG_INFO, "peers reloaded", "added=%zu peers=%zu",
                 count - before, count + 1u);
    else
        node_log(NODE_LOG_ERROR, "peers reload failed", "err=%s detail=\"%s\"",
                 mpc_err_str(e), err);
    return e;
}

/* The presignature pool lives beside the keystore, never inside it:
 * <db_path>/<node_name>.presign (backups copy the keystore only). */
static mpc_err open_pool(node *n, const char *ks_dir, char *err, size_t err_len)
{
    char dir[4096 + 16];
    snprintf(dir, sizeof dir, "%s.presign", ks_dir);
    size_t discarded = 0;
    mpc_err e = node_presign_pool_open(&n->pool, &discarded, n->ks, dir, 0);
    if (e != MPC_OK)
        snprintf(err, err_len, "presignature pool %s: %s", dir, mpc_err_str(e));
    else if (discarded > 0)
        node_log(NODE_LOG_WARN, "presignature pool rebound (keystore restored)",
                 "discarded=%zu", discarded);
    return e;
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
    if (e != MPC_OK) {
        snprintf(err, err_len, "keystore %s: %s", dir, mpc_err_str(e));
        return e;
    }
    return open_pool(n, dir, err, err_len);
}

/* Connection events, and the reason a first connection failed. */
static void nats_event(void *ud, node_transport_event ev, const char *detail)
{
    (void)ud;
    static const char *const names[] = {"",       "disconnected", "reconnected",
                                        "closed", "error",        "lame duck"};
    const char *name =
        ev >= 1 && ev <= NODE_TRANSPORT_LAME_DUCK ? names[ev] : "event";
    /* A reasonless close is our own shutdown. */
    bool normal = ev == NODE_TRANSPORT_RECONNECTED ||
                  (ev == NODE_TRANSPORT_CLOSED && detail[0] == '\0');
    node_log(normal ? NODE_LOG_INFO : NODE_LOG_WARN, "nats",
             "event=\"%s\" detail=\"%s\"", name, detail);
}

/* What to check when the first connection fails. */
static const char *nats_hint(mpc_err e)
{
    switch (e) {
    case MPC_ERR_AUTH:
        return "the server refused the credentials (nats.username/password, "
               "nats.nkey/nkey_seed_file or nats.creds_file)";
    case MPC_ERR_IO:
        return "a nats.tls.*, nkey seed or creds file cannot be read";
    case MPC_ERR_UNAVAILABLE:
        return "no server reachable, or the TLS handshake failed (nats.url, "
               "nats.tls.*; the log line before says why)";
    case MPC_ERR_CONFLICT:
        return "the server's max_payload is too small (see "
               "docs/operations-nats.md)";
    default:
        return mpc_err_str(e);
    }
}

static mpc_err connect_nats(node *n, char *err, size_t err_len)
{
    const node_config *cfg = n->cfg;
    node_nats_config nc;
    node_transport_nats_default(&nc);
    nc.on_event = nats_event;
    nc.payload_need_bytes = (int64_t)node_payload_need_bytes();
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
        snprintf(err, err_len, "nats %s: %s", cfg->nats_url, nats_hint(e));
        return e;
    }
    node_jsetup_config jc;
    node_jsetup_config_default(&jc);
    /* As mpcium: the concurrency limits are also the request durables'
     * MaxAckPending (cluster-wide; the last node to start wins). */
    jc.keygen_max_ack_pending = cfg->max_concurrent_keygen;
    jc.signing_max_ack_pending = cfg->max_concurrent_signing;
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

/* Heartbeats and the liveness view (registry on NATS KV). */
static mpc_err start_liveness(node *n, char *err, size_t err_len)
{
    const char *ids[NODE_PEERS_MAX];
    for (size_t i = 0; i < n->n_peers; i++)
        ids[i] = n->peers[i].id;
    mpc_err e =
        node_liveness_start(&n->liveness, n->t, n->self.id, ids, n->n_peers);
    if (e != MPC_OK)
        snprintf(err, err_len, "registry: %s", mpc_err_str(e));
    return e;
}

static mpc_err auth_policy(node *n)
{
    const node_config *cfg = n->cfg;
    if (cfg->n_authorizers > 0) {
        n->authorizers = calloc(cfg->n_authorizers, sizeof *n->authorizers);
        if (n->authorizers == NULL)
            return MPC_ERR_NOMEM;
    }
    for (size_t i = 0; i < cfg->n_authorizers; i++) {
        const node_config_authorizer *a = &cfg->authorizers[i];
        n->authorizers[i] = (node_client_authorizer){
            .id = a->id,
            .alg = a->key.alg,
            .key = a->key.bytes,
            .key_len = a->key.len,
        };
    }
    n->auth = (node_client_auth_policy){
        .enabled = cfg->authorization_enabled,
        .authorizers = n->authorizers,
        .n_authorizers = cfg->n_authorizers,
        .required = (const char *const *)cfg->required_authorizers,
        .n_required = cfg->n_required_authorizers,
    };
    return MPC_OK;
}

/* Primes loaded (or made in the background once started); the committee
 * is every node of the peers file. */
static mpc_err start_aux(node *n, char *err, size_t err_len)
{
    const node_config *cfg = n->cfg;
    const char *ids[NODE_PEERS_MAX];
    for (size_t i = 0; i < n->peers_file->n && i < NODE_PEERS_MAX; i++)
        ids[i] = n->peers_file->peer[i].id;
    node_auxinfo_config ac = {
        .ctx = n->ctx,
        .ks = n->ks,
        .params = (mpc_params_id)cfg->paillier_params_id,
        .fixture_file = cfg->test_paillier_fixtures_file,
        .fixture_index = cfg->test_paillier_fixtures_index,
        .self_id = n->self.id,
        .committee = ids,
        .n_committee = n->peers_file->n,
    };
    return node_auxinfo_new(&n->aux, &ac, err, err_len);
}

static mpc_err start_ops(node *n, char *err, size_t err_len)
{
    const node_config *cfg = n->cfg;
    mpc_err e = node_sessions_new(&n->sessions, n->t, n->ctx, &n->self,
                                  n->peers, n->n_peers);
    if (e == MPC_OK)
        e = auth_policy(n);
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
        .auth = &n->auth,
        .barrier_timeout_ms = cfg->barrier_timeout_ms,
        .peer_alive = node_liveness_alive,
        .peer_alive_ud = n->liveness,
        .registry = node_liveness_registry(n->liveness),
        .aux = n->aux,
        .pool = n->pool,
    };
    memcpy(oc.chain_code, cfg->chain_code, sizeof oc.chain_code);
    e = node_ops_new(&n->ops, &oc);
    if (e == MPC_OK)
        e = node_ops_listen(n->ops);
    if (e != MPC_OK) {
        snprintf(err, err_len, "ops: %s", mpc_err_str(e));
        return e;
    }
    e = node_keepalive_start(&n->keepalive, n->t, NODE_KEEPALIVE_PERIOD_MS);
    if (e != MPC_OK) {
        snprintf(err, err_len, "keepalive: %s", mpc_err_str(e));
        return e;
    }
    static const node_client_op ops[INTAKES] = {
        NODE_CLIENT_OP_KEYGEN, NODE_CLIENT_OP_SIGN, NODE_CLIENT_OP_RESHARE,
        NODE_CLIENT_OP_PRESIGN};
    const unsigned limit[INTAKES] = {
        cfg->max_concurrent_keygen, cfg->max_concurrent_signing,
        cfg->max_concurrent_reshare, cfg->max_concurrent_presign};
    for (size_t i = 0; i < INTAKES && e == MPC_OK; i++)
        e = intake_start(n, &n->intake[i], ops[i], limit[i]);
    if (e != MPC_OK)
        snprintf(err, err_len, "intake: %s", mpc_err_str(e));
    return e;
}

/* The HTTP thread's snapshot; peers up from the liveness view. */
static void metrics_view(void *ud, node_metrics_view *v)
{
    node *n = ud;
    memset(v, 0, sizeof *v);
    node_sessions_stats_get(n->sessions, &v->sessions);
    node_transport_stats_get(n->t, &v->transport);
    v->peers_total = n->n_peers + 1u;
    v->peers_ready = node_liveness_count(n->liveness);
    v->threshold = n->cfg->threshold;
    v->starting = !node_auxinfo_primes_ready(n->aux);
    v->ecdsa_aux_ready = node_auxinfo_committee_ready(n->aux);
    size_t presign_in_hand = 0; /* no metric yet */
    size_t *in_hand[INTAKES] = {&v->keygen_in_hand, &v->signing_in_hand,
                                &v->reshare_in_hand, &presign_in_hand};
    for (size_t i = 0; i < INTAKES; i++)
        if (n->intake[i].gate_ready)
            *in_hand[i] = node_gate_busy(&n->intake[i].gate);
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

/* ---- backups ------------------------------------------------------------ */

/* Keystore directory of this node: <db_path>/<node_name>. */
static mpc_err keystore_dir(char *dir, size_t cap, const node_config *cfg,
                            char *err, size_t err_len)
{
    int k = snprintf(dir, cap, "%s/%s", cfg->db_path, cfg->node_name);
    if (k < 0 || (size_t)k >= cap) {
        snprintf(err, err_len, "db_path: too long");
        return MPC_ERR_INVALID_ARG;
    }
    return MPC_OK;
}

/* One backup, serialised with every other. The periodic one skips when
 * nothing was committed since the last; an operator's request (`force`)
 * always writes a file, because they expect one to exist afterwards. */
static mpc_err backup_once(node *n, bool force, const char *trigger, char *path,
                           size_t path_cap)
{
    const node_config *cfg = n->cfg;
    bool written = false;
    pthread_mutex_lock(&n->backup_mu);
    uint64_t txn = force ? 0 : n->last_txn;
    mpc_err e = node_backup_periodic(n->ks, &written, path, path_cap, &txn,
                                     cfg->backup_dir, cfg->node_name,
                                     (uint64_t)time(NULL), cfg->backup_keep);
    if (written)
        n->last_txn = txn;
    pthread_mutex_unlock(&n->backup_mu);
    if (written)
        node_log(NODE_LOG_INFO, "backup written", "trigger=%s path=\"%s\"",
                 trigger, path);
    if (e != MPC_OK)
        node_log(NODE_LOG_ERROR, "backup failed",
                 "trigger=%s dir=\"%s\" err=%s", trigger, cfg->backup_dir,
                 mpc_err_str(e));
    return e;
}

static void *backup_thread(void *arg)
{
    node *n = arg;
    char path[4096];
    pthread_mutex_lock(&n->backup_mu);
    while (!n->backup_stop) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += (time_t)n->cfg->backup_period_seconds;
        int rc = 0;
        while (!n->backup_stop && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&n->backup_cv, &n->backup_mu, &until);
        if (n->backup_stop)
            break;
        pthread_mutex_unlock(&n->backup_mu);
        (void)backup_once(n, false, "periodic", path, sizeof path);
        pthread_mutex_lock(&n->backup_mu);
    }
    pthread_mutex_unlock(&n->backup_mu);
    return NULL;
}

static mpc_err start_backups(node *n, char *err, size_t err_len)
{
    if (!n->cfg->backup_enabled)
        return MPC_OK;
    if (pthread_create(&n->backup_thread, NULL, backup_thread, n) != 0) {
        snprintf(err, err_len, "backup thread: cannot start");
        return MPC_ERR_INTERNAL;
    }
    n->backup_running = true;
    node_log(NODE_LOG_INFO, "periodic backups",
             "dir=\"%s\" period_s=%u keep=%u", n->cfg->backup_dir,
             n->cfg->backup_period_seconds, n->cfg->backup_keep);
    return MPC_OK;
}

static void stop_backups(node *n)
{
    if (!n->backup_running)
        return;
    pthread_mutex_lock(&n->backup_mu);
    n->backup_stop = true;
    pthread_cond_signal(&n->backup_cv);
    pthread_mutex_unlock(&n->backup_mu);
    pthread_join(n->backup_thread, NULL);
    n->backup_running = false;
}

mpc_err node_backup_now(node *n, char *path, size_t path_cap)
{
    if (n == NULL || path == NULL || path_cap == 0)
        return MPC_ERR_INVALID_ARG;
    mpc_err e = backup_once(n, true, "on-demand", path, path_cap);
    if (e != MPC_OK)
        path[0] = '\0';
    return e;
}

mpc_err node_restore(node_backup_info *info, const node_config *cfg,
                     const char *const *envp, const char *from, bool force,
                     char *err, size_t err_len)
{
    char dummy[1];
    if (err == NULL) {
        err = dummy;
        err_len = sizeof dummy;
    }
    err[0] = '\0';
    if (info != NULL)
        memset(info, 0, sizeof *info);
    if (cfg == NULL || from == NULL)
        return MPC_ERR_INVALID_ARG;
    if (access(from, R_OK) != 0) {
        snprintf(err, err_len, "%s: %s", from, strerror(errno));
        return MPC_ERR_IO;
    }
    char dir[4096];
    mpc_err e = keystore_dir(dir, sizeof dir, cfg, err, err_len);
    if (e != MPC_OK)
        return e;
    if (mkdir(cfg->db_path, 0700) != 0 && errno != EEXIST) {
        snprintf(err, err_len, "db_path %s: %s", cfg->db_path, strerror(errno));
        return MPC_ERR_IO;
    }
    node_password *pw = NULL;
    e = load_password(cfg, envp, &pw, err, err_len);
    if (e != MPC_OK)
        return e;
    e = node_backup_restore(info, from, (const uint8_t *)pw->data, pw->len, dir,
                            force, 0);
    node_password_free(pw);
    switch (e) {
    case MPC_OK:
        break;
    case MPC_ERR_AUTH:
        snprintf(err, err_len, "%s: wrong keystore password", from);
        break;
    case MPC_ERR_CONFLICT:
        snprintf(err, err_len,
                 "%s holds a keystore already (stop the node; --force "
                 "replaces it)",
                 dir);
        break;
    case MPC_ERR_PARSE:
    case MPC_ERR_VERIFY:
        snprintf(err, err_len,
                 "%s: not a valid backup (malformed, truncated or altered): %s",
                 from, mpc_err_str(e));
        break;
    default:
        snprintf(err, err_len, "restore %s into %s: %s", from, dir,
                 mpc_err_str(e));
        break;
    }
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
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&n->backup_mu, NULL);
    pthread_cond_init(&n->backup_cv, &ca);
    pthread_condattr_destroy(&ca);
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
        e = start_liveness(n, err, err_len);
    if (e == MPC_OK)
        e = start_aux(n, err, err_len);
    if (e == MPC_OK)
        e = start_ops(n, err, err_len);
    if (e == MPC_OK)
        e = node_auxinfo_start(n->aux, node_ops_aux_run, n->ops);
    if (e == MPC_OK) {
        e = node_maxdeliver_start(&n->maxdeliver, n->t);
        if (e != MPC_OK)
            snprintf(err, err_len, "max-deliveries advisory: %s",
                     mpc_err_str(e));
    }
    if (e == MPC_OK)
        e = start_http(n, err, err_len);
    if (e == MPC_OK)
        e = start_backups(n, err, err_len);
    /* Ready (peers select us) only with our Paillier primes: node_announce. */
    if (e != MPC_OK) {
        if (err[0] == '\0')
            snprintf(err, err_len, "start-up: %s", mpc_err_str(e));
        node_stop(n);
        return e;
    }
    *out = n;
    return MPC_OK;
}

bool node_ready(node *n)
{
    return n != NULL && node_auxinfo_primes_ready(n->aux);
}

void node_announce(node *n)
{
    /* Peers select us as a signer from here on. */
    if (n != NULL && node_liveness_set_ready(n->liveness, true) != MPC_OK)
        node_log(NODE_LOG_WARN, "registry",
                 "detail=\"first heartbeat failed\"");
}

void node_stop(node *n)
{
    if (n == NULL)
        return;
    /* Running sessions (aux-info takes seconds) fail now, as on any error,
     * rather than run to their end; new ones fail as they start. */
    node_sessions_cancel_all(n->sessions);
    atomic_store(&n->stop, true);
    node_http_stop(n->http);
    stop_backups(n);
    for (size_t i = 0; i < INTAKES; i++) {
        if (n->intake[i].running)
            pthread_join(n->intake[i].thread, NULL);
        if (n->t != NULL)
            node_transport_pull_unbind(n->t, &n->intake[i].pull);
        if (n->intake[i].gate_ready)
            node_gate_destroy(&n->intake[i].gate);
    }
    /* Every worker has answered (the intakes drained their gates). */
    node_keepalive_stop(n->keepalive);
    n->keepalive = NULL;
    node_maxdeliver_stop(n->maxdeliver);
    n->maxdeliver = NULL;
    /* The aux-info manager may be coordinating through ops: stop it first;
     * member sessions use the object until node_ops_free waited for them. */
    node_auxinfo_stop(n->aux);
    /* Peers see us gone now, not after our sessions finish. Nothing asks
     * the liveness view any more (intake and aux-info have stopped). */
    node_liveness_stop(n->liveness);
    n->liveness = NULL;
    node_ops_free(n->ops);
    node_presign_pool_close(n->pool);
    node_auxinfo_free(n->aux);
    n->aux = NULL;
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
    free(n->authorizers);
    pthread_cond_destroy(&n->backup_cv);
    pthread_mutex_destroy(&n->backup_mu);
    free(n);
}
