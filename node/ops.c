/*
 * node/ops.c — the ops object: SessionStart fan-out and acceptance, key
 * records, client results (see ops.h).
 *
 * Key record layout (share version 1, curve Ed25519), all in one sealed
 * keystore value:
 *   u8 format (1) | u8 n | u8 self | u8 threshold
 *   32 group key | 32 share (secret)
 *   n times: u8 len | node id | 32 identifier | 32 verifying share
 */
#include "node/ops_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mpc/frost_session.h"
#include "node/barrier.h"
#include "node/log.h"
#include "mpc/mem.h"

#define KEY_FORMAT 1
/* Share versions of one wallet a node may hold at once (a reshare adds one
 * until its commit deletes the others). */
#define KEY_VERSIONS_MAX 64
#define PUBLISH_TIMEOUT_MS 5000
#define ED25519 MPC_CURVE_ED25519

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t node_ops_wall_ms(void)
{
    return wall_ms();
}

/* ---- key records -------------------------------------------------------- */

void node_ops_sid_hex(char out[2 * NODE_ENVELOPE_SID_BYTES + 1],
                      const uint8_t sid[NODE_ENVELOPE_SID_BYTES])
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < NODE_ENVELOPE_SID_BYTES; i++) {
        out[2 * i] = digits[sid[i] >> 4];
        out[2 * i + 1] = digits[sid[i] & 15];
    }
    out[2 * NODE_ENVELOPE_SID_BYTES] = '\0';
}

mpc_err node_ops_key_store(node_ops *o, const char *wallet,
                           const mpc_frost_key_result *r,
                           const char *const *parties, size_t n,
                           const uint8_t sid[NODE_ENVELOPE_SID_BYTES])
{
    return node_ops_key_store_version(o, wallet, r, parties, n, 1, sid);
}

mpc_err node_ops_key_store_version(node_ops *o, const char *wallet,
                                   const mpc_frost_key_result *r,
                                   const char *const *parties, size_t n,
                                   uint32_t version,
                                   const uint8_t sid[NODE_ENVELOPE_SID_BYTES])
{
    if (n != r->n || n > NODE_OPS_COMMITTEE_MAX || !r->has_key)
        return MPC_ERR_INVALID_ARG;
    const mpc_group *g = mpc_ctx_group(o->cfg.ctx, ED25519);
    size_t cap = 4 + 64 + n * (1 + NODE_ENVELOPE_ID_MAX_BYTES + 64);
    uint8_t *buf = malloc(cap);
    if (buf == NULL)
        return MPC_ERR_NOMEM;
    size_t p = 0;
    buf[p++] = KEY_FORMAT;
    buf[p++] = (uint8_t)n;
    buf[p++] = (uint8_t)r->self;
    buf[p++] = (uint8_t)r->threshold;
    mpc_point_serialize(g, buf + p, &r->group_pk);
    p += 32;
    mpc_scalar_serialize(g, buf + p, &r->key.share);
    p += 32;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(parties[i]);
        buf[p++] = (uint8_t)len;
        memcpy(buf + p, parties[i], len);
        p += len;
        mpc_scalar_serialize(g, buf + p, &r->ids[i]);
        p += 32;
        mpc_point_serialize(g, buf + p, &r->vshares[i]);
        p += 32;
    }
    char session[2 * NODE_ENVELOPE_SID_BYTES + 1];
    node_ops_sid_hex(session, sid);
    mpc_err e = node_keystore_share_put_pending(
        o->cfg.ks, NODE_KEYSTORE_ED25519, wallet, version, buf, p, session,
        wall_ms());
    mpc_wipe(buf, cap);
    free(buf);
    return e;
}

void node_ops_key_clear(node_ops_key *k)
{
    if (k != NULL)
        mpc_wipe(k, sizeof *k);
}

/* mpc_point_parse of a key record's public point, through o->points: the
 * parse is a function of the 32 bytes alone, so a cached result for the
 * same bytes is the result the parse would give. */
static mpc_err point_parse(node_ops *o, const mpc_group *g, mpc_point *r,
                           const uint8_t in[32])
{
    node_ops_point_slot *slot =
        &o->points[(in[0] | (size_t)in[1] << 8) % NODE_OPS_POINTS_MAX];
    pthread_mutex_lock(&o->mu);
    bool hit = slot->used && memcmp(slot->enc, in, 32) == 0;
    if (hit)
        *r = slot->p;
    pthread_mutex_unlock(&o->mu);
    if (hit)
        return MPC_OK;
    mpc_err e = mpc_point_parse(g, r, in, 32);
    if (e != MPC_OK)
        return e;
    pthread_mutex_lock(&o->mu);
    slot->used = true;
    memcpy(slot->enc, in, 32);
    slot->p = *r;
    pthread_mutex_unlock(&o->mu);
    return MPC_OK;
}

static mpc_err key_parse(node_ops *o, node_ops_key *k, const uint8_t *b,
                         size_t len)
{
    const mpc_group *g = mpc_ctx_group(o->cfg.ctx, ED25519);
    if (len < 68 || b[0] != KEY_FORMAT || b[1] < 2 ||
        b[1] > NODE_OPS_COMMITTEE_MAX || b[2] >= b[1] || b[3] < 2 ||
        b[3] > b[1])
        return MPC_ERR_PARSE;
    k->n = b[1];
    k->self = b[2];
    k->key.threshold = b[3];
    size_t p = 4;
    if (point_parse(o, g, &k->key.group_pk, b + p) != MPC_OK ||
        mpc_scalar_parse(g, &k->key.share, b + p + 32) != MPC_OK)
        return MPC_ERR_PARSE;
    p += 64;
    for (size_t i = 0; i < k->n; i++) {
        if (p >= len)
            return MPC_ERR_PARSE;
        size_t idl = b[p++];
        if (idl == 0 || idl > NODE_ENVELOPE_ID_MAX_BYTES || len - p < idl + 64)
            return MPC_ERR_PARSE;
        memcpy(k->node_ids[i], b + p, idl);
        k->node_ids[i][idl] = '\0';
        p += idl;
        if (mpc_scalar_parse(g, &k->ids[i], b + p) != MPC_OK ||
            point_parse(o, g, &k->vshares[i], b + p + 32) != MPC_OK)
            return MPC_ERR_PARSE;
        p += 64;
    }
    if (p != len)
        return MPC_ERR_PARSE;
    k->key.id = k->ids[k->self];
    return MPC_OK;
}

mpc_err node_ops_key_load(node_ops *o, node_ops_key *k, uint32_t *version,
                          const char *wallet, uint32_t want_version)
{
    memset(k, 0, sizeof *k);
    *version = 0;
    uint8_t *b = NULL;
    size_t len = 0;
    mpc_err e = MPC_OK;
    if (want_version == 0) {
        /* The version in force is the oldest held: a reshare's newer one
         * waits for its commit, which deletes the older ones. */
        uint32_t held[KEY_VERSIONS_MAX];
        size_t count = 0;
        e = node_keystore_share_versions(o->cfg.ks, held, KEY_VERSIONS_MAX,
                                         &count, NODE_KEYSTORE_ED25519, wallet);
        /* Two versions: a commit we may have missed (node_ops_reshare_
         * catch_up), else the newer one is a reshare still running. */
        if (e == MPC_OK && count > 1) {
            node_ops_reshare_catch_up(o, NODE_KEYSTORE_ED25519, wallet);
            e = node_keystore_share_versions(o->cfg.ks, held, KEY_VERSIONS_MAX,
                                             &count, NODE_KEYSTORE_ED25519,
                                             wallet);
        }
        if (e == MPC_OK && count == 0)
            e = MPC_ERR_NOT_FOUND;
        want_version = e == MPC_OK ? held[0] : 0;
    }
    if (e == MPC_OK)
        e = node_keystore_share_get_committed(
            o->cfg.ks, &b, &len, NODE_KEYSTORE_ED25519, wallet, want_version);
    /* Pending: maybe committed already, the commit not here yet. */
    if (e == MPC_ERR_NOT_FOUND && want_version != 0) {
        node_ops_commit_catch_up(o, NODE_KEYSTORE_ED25519, wallet,
                                 want_version);
        e = node_keystore_share_get_committed(
            o->cfg.ks, &b, &len, NODE_KEYSTORE_ED25519, wallet, want_version);
    }
    if (e != MPC_OK)
        return e;
    *version = want_version;
    e = key_parse(o, k, b, len);
    node_keystore_value_free(b, len);
    if (e != MPC_OK) {
        node_ops_key_clear(k);
        *version = 0;
    }
    return e;
}

/* ---- shared helpers ----------------------------------------------------- */

bool node_ops_peer_alive(const node_ops *o, const char *node_id)
{
    return o->cfg.peer_alive == NULL ||
           o->cfg.peer_alive(o->cfg.peer_alive_ud, node_id);
}

void node_ops_session_spec_init(const node_ops *o, node_session_spec *spec,
                                const node_ops_start *st)
{
    memset(spec, 0, sizeof *spec);
    memcpy(spec->sid, st->sid, sizeof spec->sid);
    spec->op = st->op;
    spec->parties = st->parties;
    spec->n_parties = st->n_parties;
    spec->threshold = st->msg->threshold;
    spec->round_timeout_ms = st->msg->round_timeout_ms;
    spec->barrier_timeout_ms = st->msg->barrier_timeout_ms;
    (void)o;
}

void node_ops_problem_from_session(node_client_problem *p, mpc_err e,
                                   const mpc_blame *b,
                                   node_client_fail protocol)
{
    if (e == MPC_ERR_TIMEOUT)
        node_client_problem_set(p, NODE_CLIENT_FAIL_TIMEOUT,
                                "session: %s (round %u)", b->detail, b->round);
    else
        node_client_problem_set(p, protocol, "session: %s: %s", mpc_err_str(e),
                                b->detail);
}

static node_client_op client_op(node_envelope_op op)
{
    if (op == NODE_ENVELOPE_OP_RESHARE_EDDSA ||
        op == NODE_ENVELOPE_OP_RESHARE_ECDSA)
        return NODE_CLIENT_OP_RESHARE;
    if (op == NODE_ENVELOPE_OP_PRESIGN_ECDSA)
        return NODE_CLIENT_OP_PRESIGN;
    return op == NODE_ENVELOPE_OP_KEYGEN_EDDSA ? NODE_CLIENT_OP_KEYGEN
                                               : NODE_CLIENT_OP_SIGN;
}

/* The signing op of a request's curve. */
static node_envelope_op sign_op(const node_client_request *req)
{
    return req->key_type == NODE_CLIENT_KEY_SECP256K1
               ? NODE_ENVELOPE_OP_SIGN_ECDSA
               : NODE_ENVELOPE_OP_SIGN_EDDSA;
}

/* Whether `id` is this node or a node of the peers file. */
static bool known_node(const node_ops *o, const char *id)
{
    if (strcmp(id, o->cfg.self->id) == 0)
        return true;
    for (size_t i = 0; i < ops_n_peers(o); i++)
        if (strcmp(id, o->cfg.peers[i].id) == 0)
            return true;
    return false;
}

/* An aux-info start carries no client request: its trust is the signing
 * node of the peers file. It must name its committee in ascending order,
 * as node_ops_aux_run does, and come from the first of them (the session
 * id binds the coordinator's id). The committee is every node of the peers
 * file, or (for a key a reshare moved) any 2 or more nodes of it whose
 * aux-info this node does not hold yet: so no peer can make a committee
 * redo a stored one, except the peers file's as before. */
static bool aux_start_ok(const node_ops *o, const node_ops_start *st,
                         node_client_problem *p, const uint8_t *bytes,
                         size_t len)
{
    uint8_t sid[NODE_ENVELOPE_SID_BYTES];
    bool ok = st->msg->request.len == 0 && st->n_parties >= 2 &&
              st->n_parties <= ops_n_peers(o) + 1u &&
              st->msg->threshold == st->n_parties;
    ok = ok &&
         node_envelope_start_sid(sid, st->parties[0], bytes, len) == MPC_OK &&
         memcmp(sid, st->sid, sizeof sid) == 0;
    for (size_t i = 0; ok && i < st->n_parties; i++)
        ok = known_node(o, st->parties[i]) &&
             (i == 0 || strcmp(st->parties[i - 1], st->parties[i]) < 0);
    if (ok && st->n_parties != ops_n_peers(o) + 1u)
        ok = !node_auxinfo_has(o->cfg.aux, (const char *const *)st->parties,
                               st->n_parties);
    if (!ok)
        node_client_problem_set(p, NODE_CLIENT_FAIL_VALIDATION,
                                "aux-info: not the committee");
    return ok;
}

/* Parses and authenticates a client request; the problem says why not.
 * `authenticated`: these very bytes passed this check before (the
 * coordinator's own SessionStart carries the body it authenticated). */
static bool check_request(node_ops *o, node_client_request *req,
                          node_client_problem *p, node_client_op op,
                          const uint8_t *body, size_t len, bool authenticated)
{
    if (node_client_request_parse(req, p, op, body, len) != MPC_OK)
        return false;
    /* node_ops_new checked the initiator key. */
    return authenticated ||
           node_client_request_authenticate_prechecked(
               p, req, o->cfg.initiator_alg, o->cfg.initiator_key,
               o->cfg.initiator_key_len, o->cfg.auth,
               o->cfg.allow_legacy_path) == MPC_OK;
}

/* Fills `st` from a packed SessionStart and checks the request itself
 * (parsed only when `authenticated`: see check_request). */
static bool start_accept(node_ops *o, node_ops_start *st,
                         node_client_problem *p,
                         const uint8_t sid[NODE_ENVELOPE_SID_BYTES],
                         node_envelope_op op, const uint8_t *bytes, size_t len,
                         bool authenticated)
{
    memset(st, 0, sizeof *st);
    memcpy(st->sid, sid, sizeof st->sid);
    st->op = op;
    ProtobufCMessage *m = NULL;
    if (node_envelope_control_parse(&m, NODE_ENVELOPE_SESSION_START, bytes,
                                    len) != MPC_OK) {
        node_client_problem_set(p, NODE_CLIENT_FAIL_DECODE, "start: bad");
        return false;
    }
    st->msg = (Mpcium__V1__SessionStart *)m;
    bool self_in = false;
    st->n_parties = st->msg->n_parties;
    for (size_t i = 0; i < st->n_parties; i++) {
        st->parties[i] = st->msg->parties[i];
        self_in = self_in || strcmp(st->parties[i], o->cfg.self->id) == 0;
    }
    if (!self_in) {
        node_client_problem_set(p, NODE_CLIENT_FAIL_VALIDATION,
                                "start: not a party");
        return false;
    }
    if (op == NODE_ENVELOPE_OP_AUX_INFO_ECDSA)
        return aux_start_ok(o, st, p, bytes, len);
    if (!check_request(o, &st->req, p, client_op(op), st->msg->request.data,
                       st->msg->request.len, authenticated))
        return false;
    if (client_op(op) == NODE_CLIENT_OP_SIGN && sign_op(&st->req) != op) {
        node_client_problem_set(p, NODE_CLIENT_FAIL_VALIDATION,
                                "start: operation does not match the key type");
        return false;
    }
    return true;
}

static void start_clear(node_ops_start *st)
{
    node_client_request_clear(&st->req);
    node_envelope_control_free(&st->msg->base);
    memset(st, 0, sizeof *st);
}

static void run_member(node_ops *o, const node_ops_start *st,
                       node_ops_result *r)
{
    if (st->op == NODE_ENVELOPE_OP_KEYGEN_EDDSA)
        node_ops_keygen_member(o, st, r);
    else if (st->op == NODE_ENVELOPE_OP_AUX_INFO_ECDSA)
        node_ops_aux_member(o, st, r);
    else if (st->op == NODE_ENVELOPE_OP_SIGN_ECDSA ||
             st->op == NODE_ENVELOPE_OP_PRESIGN_ECDSA)
        node_ops_ecdsa_sign_member(o, st, r);
    else if (st->op == NODE_ENVELOPE_OP_RESHARE_EDDSA ||
             st->op == NODE_ENVELOPE_OP_RESHARE_ECDSA)
        node_ops_reshare_member(o, st, r);
    else
        node_ops_sign_member(o, st, r);
}

/* ---- member results (docs/wire.md §1 step 7) ----------------------------- */

#define RESULT_PREFIX "mpcium.v1.r."
/* Members report right after their own DONE, which the echoed last round
 * makes near-simultaneous: this only bounds a member that died. */
#define REPORT_WAIT_MS 5000u

void node_ops_result_subject(char *out, size_t cap, const uint8_t *sid)
{
    char hex[2 * NODE_ENVELOPE_SID_BYTES + 1];
    for (size_t i = 0; i < NODE_ENVELOPE_SID_BYTES; i++)
        snprintf(hex + 2 * i, 3, "%02x", sid[i]);
    snprintf(out, cap, RESULT_PREFIX "%s", hex);
}

/* What the coordinator hears back from the other members of a session. */
typedef struct collector {
    node_ops *o;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint8_t sid[NODE_ENVELOPE_SID_BYTES];
    node_envelope_op op;
    const char *const *parties;
    size_t n;
    size_t n_got;
    bool got[NODE_OPS_COMMITTEE_MAX];
    bool ok[NODE_OPS_COMMITTEE_MAX];
    uint8_t pub[NODE_OPS_COMMITTEE_MAX][32];
    /* Keygen: the member's key confirmation (both curves), if sent. */
    bool has_confirm[NODE_OPS_COMMITTEE_MAX];
    uint8_t confirm[NODE_OPS_COMMITTEE_MAX][32];
    char code[NODE_OPS_COMMITTEE_MAX][72];
    /* Pooled ECDSA signing: the member's share (SessionResult.signature). */
    bool has_share[NODE_OPS_COMMITTEE_MAX];
    uint8_t share[NODE_OPS_COMMITTEE_MAX][MPC_CGGMP_SIGN_SHARE_BYTES];
    node_sub *sub;
} collector;

/* Keygen's key confirmation: equal at two members iff both stored the
 * same Ed25519 and secp256k1 keys. */
static void keygen_confirm(uint8_t out[32], const node_ops_result *r)
{
    static const char domain[] = "mpcium-c/keygen-confirm/v1";
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const uint8_t *)domain, sizeof domain - 1);
    crypto_hash_sha256_update(&h, r->eddsa_pub, sizeof r->eddsa_pub);
    crypto_hash_sha256_update(&h, r->ecdsa_pub, sizeof r->ecdsa_pub);
    crypto_hash_sha256_final(&h, out);
}

/* Transport thread: authenticate, record, wake the coordinator. */
static void on_member_result(const node_msg *msg, void *ud)
{
    collector *c = ud;
    node_ops *o = c->o;
    node_envelope env;
    if (node_envelope_open(&env, o->cfg.self, o->cfg.peers, ops_n_peers(o),
                           msg->data, msg->len) != MPC_OK)
        return;
    size_t i = 0;
    while (i < c->n && strcmp(c->parties[i], env.sender) != 0)
        i++;
    if (env.meta.kind == NODE_ENVELOPE_SESSION_RESULT && env.meta.op == c->op &&
        memcmp(env.meta.sid, c->sid, sizeof c->sid) == 0 && i < c->n) {
        const Mpcium__V1__SessionResult *res =
            (const Mpcium__V1__SessionResult *)env.control;
        pthread_mutex_lock(&c->mu);
        if (!c->got[i]) {
            c->got[i] = true;
            c->n_got++;
            bool aux = c->op == NODE_ENVELOPE_OP_AUX_INFO_ECDSA;
            c->ok[i] = res->error == 0 && res->stored &&
                       (aux || res->public_key.len == 32);
            if (c->ok[i] && !aux)
                memcpy(c->pub[i], res->public_key.data, 32);
            c->has_confirm[i] = c->ok[i] && res->confirmation.len == 32;
            if (c->has_confirm[i])
                memcpy(c->confirm[i], res->confirmation.data, 32);
            snprintf(c->code[i], sizeof c->code[i], "%s", res->error_code);
            c->has_share[i] = c->ok[i] &&
                              c->op == NODE_ENVELOPE_OP_SIGN_ECDSA &&
                              res->signature.len == sizeof c->share[i];
            if (c->has_share[i])
                memcpy(c->share[i], res->signature.data, sizeof c->share[i]);
            pthread_cond_broadcast(&c->cv);
        }
        pthread_mutex_unlock(&c->mu);
    }
    node_envelope_clear(&env);
}

static bool collector_init(collector *c, node_ops *o, node_envelope_op op,
                           const char *const *parties, size_t n)
{
    memset(c, 0, sizeof *c);
    c->o = o;
    c->op = op;
    c->parties = parties;
    c->n = n;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&c->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0)
        return false;
    if (pthread_mutex_init(&c->mu, NULL) != 0) {
        pthread_cond_destroy(&c->cv);
        return false;
    }
    return true;
}

static mpc_err collector_listen(collector *c, const uint8_t *sid)
{
    memcpy(c->sid, sid, sizeof c->sid);
    char subject[NODE_SUBJECT_MAX_BYTES + 1];
    node_ops_result_subject(subject, sizeof subject, sid);
    return node_transport_subscribe(c->o->cfg.t, &c->sub, subject,
                                    on_member_result, c);
}

static void collector_clear(collector *c)
{
    if (node_transport_unsubscribe(c->o->cfg.t, &c->sub) != MPC_OK)
        c->sub = NULL;
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
}

void node_ops_reports_wait(pthread_mutex_t *mu, pthread_cond_t *cv,
                           const size_t *n_got, size_t n, uint64_t wait_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(wait_ms / 1000u);
    ts.tv_nsec += (long)(wait_ms % 1000u) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(mu);
    while (*n_got + 1u < n && pthread_cond_timedwait(cv, mu, &ts) == 0) {
    }
    pthread_mutex_unlock(mu);
}

/* Waits (bounded) until every other party has reported. */
static void collector_wait(collector *c, uint64_t wait_ms)
{
    node_ops_reports_wait(&c->mu, &c->cv, &c->n_got, c->n, wait_ms);
}

/* Keygen succeeds only when every other member stored the same keys (the
 * secp256k1 one too, through the key confirmation, when we made one). */
static void collector_check_keygen(collector *c, node_ops_result *r)
{
    uint8_t confirm[32];
    keygen_confirm(confirm, r);
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n && r->problem.fail == 0; i++) {
        if (strcmp(c->parties[i], c->o->cfg.self->id) == 0)
            continue;
        if (!c->got[i])
            node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_TIMEOUT,
                                    "keygen: %s did not confirm",
                                    c->parties[i]);
        else if (!c->ok[i] || memcmp(c->pub[i], r->eddsa_pub, 32) != 0)
            node_client_problem_set(
                &r->problem, NODE_CLIENT_FAIL_KEYGEN_PROTOCOL,
                "keygen: %s failed: %s", c->parties[i], c->code[i]);
        else if (r->has_ecdsa != c->has_confirm[i] ||
                 (r->has_ecdsa && memcmp(c->confirm[i], confirm, 32) != 0))
            node_client_problem_set(
                &r->problem, NODE_CLIENT_FAIL_KEYGEN_PROTOCOL,
                "keygen: %s stored another ecdsa key", c->parties[i]);
    }
    pthread_mutex_unlock(&c->mu);
}

/* Aux-info succeeds only when every other member stored it. */
static mpc_err collector_check_stored(collector *c)
{
    mpc_err e = MPC_OK;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n && e == MPC_OK; i++) {
        if (strcmp(c->parties[i], c->o->cfg.self->id) == 0)
            continue;
        if (!c->got[i])
            e = MPC_ERR_TIMEOUT;
        else if (!c->ok[i])
            e = MPC_ERR_PROTOCOL;
    }
    pthread_mutex_unlock(&c->mu);
    return e;
}

/* After a failure of our own: a member that refused or failed is the
 * better explanation (e.g. it already holds the wallet). */
static void collector_explain(collector *c, node_ops_result *r,
                              const char *what)
{
    /* Members that timed out only echo the culprit's silence: name one
     * that failed for a reason of its own first. */
    const char *timeout =
        node_client_code_str(node_client_fail_code(NODE_CLIENT_FAIL_TIMEOUT));
    pthread_mutex_lock(&c->mu);
    size_t pick = c->n;
    for (size_t i = 0; i < c->n; i++) {
        if (!c->got[i] || c->ok[i] || c->code[i][0] == '\0')
            continue;
        if (pick == c->n || strcmp(c->code[pick], timeout) == 0)
            pick = i;
    }
    /* A signer still without the committee's ECDSA aux-info (it is being
     * stored right now) means "retry shortly", whatever we saw. */
    const char *not_ready = node_client_code_str(
        node_client_fail_code(NODE_CLIENT_FAIL_CLUSTER_NOT_READY));
    if (pick < c->n)
        node_client_problem_set(&r->problem,
                                strcmp(c->code[pick], not_ready) == 0
                                    ? NODE_CLIENT_FAIL_CLUSTER_NOT_READY
                                    : r->problem.fail,
                                "%s: %s failed: %s", what, c->parties[pick],
                                c->code[pick]);
    pthread_mutex_unlock(&c->mu);
}

/* A member reports its outcome to the coordinator (`to`). */
static void send_member_result(node_ops *o, const node_envelope_peer *to,
                               const uint8_t *sid, node_envelope_op op,
                               const node_ops_result *r)
{
    Mpcium__V1__SessionResult res = MPCIUM__V1__SESSION_RESULT__INIT;
    bool fail = r->problem.fail != 0;
    char reason[NODE_CLIENT_REASON_BYTES];
    if (fail) {
        res.error = MPC_ERR_PROTOCOL;
        res.error_code = (char *)node_client_code_str(r->problem.code);
        snprintf(reason, sizeof reason, "%s", r->problem.reason);
        res.reason = reason;
    } else if (op == NODE_ENVELOPE_OP_AUX_INFO_ECDSA) {
        res.stored = true;
    } else if (op == NODE_ENVELOPE_OP_RESHARE_ECDSA) {
        res.public_key.data = (uint8_t *)r->ecdsa_pub;
        res.public_key.len = 33;
        res.stored = r->stored;
    } else {
        res.public_key.data = (uint8_t *)r->eddsa_pub;
        res.public_key.len = 32;
        res.stored = op == NODE_ENVELOPE_OP_KEYGEN_EDDSA || r->stored;
        if (op == NODE_ENVELOPE_OP_SIGN_ECDSA && r->pooled) {
            res.signature.data = (uint8_t *)r->sig;
            res.signature.len = MPC_CGGMP_SIGN_SHARE_BYTES;
        }
    }
    uint8_t confirm[32];
    if (!fail && op == NODE_ENVELOPE_OP_KEYGEN_EDDSA && r->has_ecdsa) {
        keygen_confirm(confirm, r);
        res.confirmation.data = confirm;
        res.confirmation.len = sizeof confirm;
    }
    uint8_t payload[1024];
    size_t plen = mpcium__v1__session_result__get_packed_size(&res);
    if (plen > sizeof payload)
        return;
    mpcium__v1__session_result__pack(&res, payload);
    node_envelope_meta meta = {.op = op,
                               .kind = NODE_ENVELOPE_SESSION_RESULT,
                               .timestamp_ms = wall_ms()};
    memcpy(meta.sid, sid, sizeof meta.sid);
    uint8_t env[2048];
    size_t elen = 0;
    char subject[NODE_SUBJECT_MAX_BYTES + 1];
    node_ops_result_subject(subject, sizeof subject, sid);
    if (node_envelope_seal(o->cfg.ctx, env, sizeof env, &elen, o->cfg.self, to,
                           &meta, payload, plen) == MPC_OK &&
        node_transport_publish(o->cfg.t, subject, NULL, NULL, 0, env, elen) !=
            MPC_OK) {
        /* The coordinator then reports this member as silent. */
    }
}

/* ---- members ------------------------------------------------------------ */

typedef struct member_job {
    node_ops *o;
    size_t len;
    uint8_t data[];
} member_job;

/* Records `sid`; false when it was seen before (a replayed start). The
 * ring's bound is far above what the start deadlines let an attacker
 * replay in time: a start older than the ring has long timed out. */
static bool sid_first_time(node_ops *o, const uint8_t *sid)
{
    pthread_mutex_lock(&o->mu);
    bool fresh = true;
    for (size_t i = 0; fresh && i < o->n_seen; i++)
        fresh = memcmp(o->seen[i], sid, NODE_ENVELOPE_SID_BYTES) != 0;
    if (fresh) {
        memcpy(o->seen[o->seen_next], sid, NODE_ENVELOPE_SID_BYTES);
        o->seen_next = (o->seen_next + 1u) % NODE_OPS_SEEN_MAX;
        if (o->n_seen < NODE_OPS_SEEN_MAX)
            o->n_seen++;
    }
    pthread_mutex_unlock(&o->mu);
    return fresh;
}

bool node_ops_start_open(node_ops *o, node_ops_start *st,
                         node_client_problem *p,
                         const uint8_t sid[NODE_ENVELOPE_SID_BYTES],
                         node_envelope_op op, const uint8_t *bytes, size_t len)
{
    if (!sid_first_time(o, sid)) {
        memset(st, 0, sizeof *st);
        node_client_problem_set(p, NODE_CLIENT_FAIL_INTERNAL,
                                "start: session id seen before");
        return false;
    }
    return start_accept(o, st, p, sid, op, bytes, len, false);
}

void node_ops_start_free(node_ops_start *st)
{
    if (st->msg != NULL)
        start_clear(st);
}

static void *member_thread(void *arg)
{
    member_job *job = arg;
    node_ops *o = job->o;
    node_envelope env;
    if (node_envelope_open(&env, o->cfg.self, o->cfg.peers, ops_n_peers(o),
                           job->data, job->len) == MPC_OK) {
        bool ok = env.meta.kind == NODE_ENVELOPE_SESSION_START &&
                  (env.meta.op == NODE_ENVELOPE_OP_KEYGEN_EDDSA ||
                   env.meta.op == NODE_ENVELOPE_OP_SIGN_EDDSA ||
                   env.meta.op == NODE_ENVELOPE_OP_SIGN_ECDSA ||
                   env.meta.op == NODE_ENVELOPE_OP_PRESIGN_ECDSA ||
                   env.meta.op == NODE_ENVELOPE_OP_AUX_INFO_ECDSA ||
                   env.meta.op == NODE_ENVELOPE_OP_RESHARE_EDDSA ||
                   env.meta.op == NODE_ENVELOPE_OP_RESHARE_ECDSA) &&
                  sid_first_time(o, env.meta.sid);
        node_ops_start *st = calloc(1, sizeof *st);
        node_ops_result *r = calloc(1, sizeof *r);
        if (ok && st != NULL && r != NULL) {
            if (start_accept(o, st, &r->problem, env.meta.sid, env.meta.op,
                             env.payload, env.payload_len, false))
                run_member(o, st, r);
            /* Refusals too: the coordinator names the refusing member. */
            send_member_result(o, &o->cfg.peers[env.peer], env.meta.sid,
                               env.meta.op, r);
        }
        if (st != NULL && st->msg != NULL)
            start_clear(st);
        free(st);
        if (r != NULL)
            mpc_wipe(r, sizeof *r);
        free(r);
        node_envelope_clear(&env);
    }
    free(job);
    pthread_mutex_lock(&o->mu);
    o->members--;
    pthread_cond_broadcast(&o->cv);
    pthread_mutex_unlock(&o->mu);
    return NULL;
}

/* Transport thread: copy and hand to a member thread, never block. */
static void on_start(const node_msg *msg, void *ud)
{
    node_ops *o = ud;
    if (msg->len > NODE_ENVELOPE_MAX_BYTES)
        return;
    member_job *job = malloc(sizeof *job + msg->len);
    if (job == NULL)
        return;
    job->o = o;
    job->len = msg->len;
    memcpy(job->data, msg->data, msg->len);
    pthread_mutex_lock(&o->mu);
    bool full = o->members >= NODE_OPS_MEMBERS_MAX;
    if (!full)
        o->members++;
    pthread_mutex_unlock(&o->mu);
    if (full) {
        free(job);
        return;
    }
    pthread_t th;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &at, member_thread, job) != 0) {
        free(job);
        pthread_mutex_lock(&o->mu);
        o->members--;
        pthread_cond_broadcast(&o->cv);
        pthread_mutex_unlock(&o->mu);
    }
    pthread_attr_destroy(&at);
}

/* ---- the object --------------------------------------------------------- */

mpc_err node_ops_new(node_ops **out, const node_ops_config *cfg)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    if (cfg == NULL || cfg->t == NULL || cfg->ctx == NULL ||
        cfg->self == NULL || cfg->peers == NULL || cfg->sessions == NULL ||
        cfg->ks == NULL || cfg->threshold < 2 ||
        cfg->threshold > cfg->n_peers + 1u ||
        cfg->n_peers + 1u > NODE_OPS_COMMITTEE_MAX ||
        node_client_pubkey_check(cfg->initiator_alg, cfg->initiator_key,
                                 cfg->initiator_key_len) != MPC_OK)
        return MPC_ERR_INVALID_ARG;
    node_ops *o = calloc(1, sizeof *o);
    if (o == NULL)
        return MPC_ERR_NOMEM;
    if (pthread_mutex_init(&o->mu, NULL) != 0) {
        free(o);
        return MPC_ERR_NOMEM;
    }
    if (pthread_cond_init(&o->cv, NULL) != 0) {
        pthread_mutex_destroy(&o->mu);
        free(o);
        return MPC_ERR_NOMEM;
    }
    o->cfg = *cfg;
    *out = o;
    return MPC_OK;
}

mpc_err node_ops_listen(node_ops *o)
{
    if (o == NULL)
        return MPC_ERR_INVALID_ARG;
    if (o->start_sub != NULL)
        return MPC_ERR_STATE;
    mpc_err e = node_transport_subscribe(o->cfg.t, &o->start_sub,
                                         NODE_OPS_START_SUBJECT, on_start, o);
    if (e == MPC_OK)
        e = node_ops_reshare_listen(o);
    /* After the commits kept in KV are applied: what is still pending and
     * old was left by sessions that ended while we were down. */
    if (e == MPC_OK)
        node_ops_pending_sweep(o);
    return e;
}

void node_ops_free(node_ops *o)
{
    if (o == NULL)
        return;
    if (node_transport_unsubscribe(o->cfg.t, &o->start_sub) != MPC_OK)
        o->start_sub = NULL;
    node_ops_reshare_unlisten(o);
    pthread_mutex_lock(&o->mu);
    while (o->members > 0)
        pthread_cond_wait(&o->cv, &o->mu);
    pthread_mutex_unlock(&o->mu);
    pthread_cond_destroy(&o->cv);
    pthread_mutex_destroy(&o->mu);
    free(o);
}

void node_ops_outcome_clear(node_ops_outcome *oc)
{
    if (oc == NULL)
        return;
    free(oc->result);
    memset(oc, 0, sizeof *oc);
}

/* ---- coordinator -------------------------------------------------------- */

/* The result JSON of `op` for `req` (may be partly empty when the request
 * did not parse) and `r`. */
static mpc_err encode_result(uint8_t **out, size_t *len, node_client_op op,
                             const node_client_request *req,
                             const node_ops_result *r)
{
    bool fail = r->problem.fail != 0;
    if (op == NODE_CLIENT_OP_RESHARE)
        return node_ops_reshare_encode(out, len, req, r);
    if (op == NODE_CLIENT_OP_PRESIGN)
        return node_client_presign_result(
            out, len, req->request_id.s, req->wallet_id.s, req->key_type,
            req->count, r->generated, fail ? &r->problem : NULL);
    if (op == NODE_CLIENT_OP_KEYGEN) {
        const char *w = req->wallet_id.s;
        return fail ? node_client_keygen_result_error(out, len, w, &r->problem)
                    : node_client_keygen_result_success(
                          out, len, w, r->has_ecdsa ? r->ecdsa_pub : NULL,
                          r->eddsa_pub);
    }
    node_client_sign_ids ids = {.network_internal_code =
                                    req->network_internal_code,
                                .wallet_id = req->wallet_id.s,
                                .tx_id = req->tx_id.s};
    if (fail)
        return node_client_sign_result_error(out, len, &ids, &r->problem,
                                             r->problem.fail ==
                                                 NODE_CLIENT_FAIL_TIMEOUT);
    if (req->key_type == NODE_CLIENT_KEY_SECP256K1)
        return node_client_sign_result_ecdsa(out, len, &ids, r->sig,
                                             r->sig + 32, r->recid);
    return node_client_sign_result_eddsa(out, len, &ids, r->sig);
}

static const char *request_id(node_client_op op, const node_client_request *req)
{
    const char *id = op == NODE_CLIENT_OP_KEYGEN    ? req->wallet_id.s
                     : op == NODE_CLIENT_OP_RESHARE ? req->session_id.s
                     : op == NODE_CLIENT_OP_PRESIGN ? req->request_id.s
                                                    : req->tx_id.s;
    return id[0] != '\0' ? id : "unknown";
}

static mpc_err publish(node_ops *o, node_ops_outcome *oc)
{
    node_header hdr = {.key = NODE_CLIENT_HDR_MSG_ID, .value = oc->msg_id};
    return node_transport_js_publish(o->cfg.t, oc->subject, &hdr, 1, oc->result,
                                     oc->result_len, oc->msg_id,
                                     PUBLISH_TIMEOUT_MS, NULL);
}

/* The replay guard's id for a request: SHA-256 of its result Nats-Msg-Id,
 * hex (keystore ids are at most 128 bytes). */
static void guard_id(char out[65], const char *msg_id)
{
    uint8_t h[32];
    crypto_hash_sha256(h, (const uint8_t *)msg_id, strlen(msg_id));
    for (size_t i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* Builds, signs and fans out the SessionStart; fills `st` for our part.
 * `body` is NULL (aux-info) or the request node_ops_handle authenticated:
 * our own part does not verify its signature again. */
static bool fan_out(node_ops *o, node_ops_start *st, collector *c,
                    node_client_problem *p, node_envelope_op op,
                    const uint8_t *body, size_t len, const char *const *parties,
                    size_t n, uint32_t threshold, uint32_t version,
                    const uint8_t *presig_id, uint8_t **start,
                    size_t *start_len)
{
    Mpcium__V1__SessionStart s = MPCIUM__V1__SESSION_START__INIT;
    uint8_t nonce[32];
    mpc_ctx_random(o->cfg.ctx, nonce, sizeof nonce);
    s.operation = (Mpcium__V1__Operation)op;
    s.nonce.data = nonce;
    s.nonce.len = sizeof nonce;
    s.request.data = (uint8_t *)body;
    s.request.len = len;
    s.n_parties = n;
    s.parties = (char **)parties;
    s.threshold = threshold;
    s.key_version = version;
    /* Pooled ECDSA signing: the pool entry every signer takes. */
    if (presig_id != NULL) {
        s.presignature_id.data = (uint8_t *)presig_id;
        s.presignature_id.len = NODE_OPS_POOL_ID_BYTES;
    }
    s.round_timeout_ms = o->cfg.round_timeout_ms != 0
                             ? o->cfg.round_timeout_ms
                             : MPC_SESSION_TIMEOUT_DEFAULT_MS;
    s.barrier_timeout_ms = o->cfg.barrier_timeout_ms != 0
                               ? o->cfg.barrier_timeout_ms
                               : NODE_BARRIER_TOTAL_DEFAULT_MS;
    size_t slen = mpcium__v1__session_start__get_packed_size(&s);
    uint8_t *sb = malloc(slen);
    size_t cap = node_envelope_seal_bound(slen);
    uint8_t *env = malloc(cap);
    bool ok = sb != NULL && env != NULL;
    uint8_t sid[NODE_ENVELOPE_SID_BYTES];
    size_t elen = 0;
    if (ok) {
        mpcium__v1__session_start__pack(&s, sb);
        ok = node_envelope_start_sid(sid, o->cfg.self->id, sb, slen) == MPC_OK;
    }
    if (ok) {
        node_envelope_meta meta = {.op = op,
                                   .kind = NODE_ENVELOPE_SESSION_START,
                                   .timestamp_ms = wall_ms()};
        memcpy(meta.sid, sid, sizeof sid);
        ok = node_envelope_seal(o->cfg.ctx, env, cap, &elen, o->cfg.self, NULL,
                                &meta, sb, slen) == MPC_OK;
    }
    /* Listen for the members' results before any member can send one. */
    if (ok)
        ok = collector_listen(c, sid) == MPC_OK;
    if (ok)
        ok = node_transport_publish(o->cfg.t, NODE_OPS_START_SUBJECT, NULL,
                                    NULL, 0, env, elen) == MPC_OK;
    bool published = ok;
    if (!ok)
        node_client_problem_set(p, NODE_CLIENT_FAIL_PEER_UNAVAILABLE,
                                "start: could not fan out");
    else
        ok = sid_first_time(o, sid) &&
             start_accept(o, st, p, sid, op, sb, slen, body != NULL);
    /* Published: the members may act on it, whatever we do next. */
    if (start != NULL && published) {
        memcpy(st->sid, sid, sizeof sid);
        *start = sb;
        *start_len = slen;
        sb = NULL;
    }
    free(sb);
    free(env);
    return ok;
}

/* ---- presignature pools (docs/operations.md "Presignature pools") ------- */

/* Most presignatures one request makes: a batch holds its intake slot and
 * its replay-guard lease (request_lease_ms) for all of its sessions. */
#define PRESIGN_BATCH_MAX 100u

/* The signer set of a presign request: its node_ids (this node among
 * them), else the set signing picks now; ascending, as ECDSA sessions run. */
static bool presign_signers(node_ops *o,
                            char (*names)[NODE_ENVELOPE_ID_MAX_BYTES + 1],
                            size_t *n, uint32_t *version,
                            node_client_problem *p,
                            const node_client_request *req)
{
    if (!node_ops_ecdsa_sign_committee(o, names, n, version, p, req))
        return false;
    if (req->n_node_ids == 0)
        return true;
    bool ok = req->n_node_ids == *n;
    bool self_in = false;
    for (size_t i = 0; ok && i < *n; i++) {
        self_in = self_in || strcmp(req->node_ids[i].s, o->cfg.self->id) == 0;
        ok = i == 0 || strcmp(req->node_ids[i - 1].s, req->node_ids[i].s) < 0;
    }
    if (!ok || !self_in) {
        node_client_problem_set(p, NODE_CLIENT_FAIL_VALIDATION,
                                "presign: node_ids must be %zu signers in "
                                "ascending order, this node among them",
                                *n);
        return false;
    }
    for (size_t i = 0; i < *n; i++)
        snprintf(names[i], sizeof names[i], "%s", req->node_ids[i].s);
    return true;
}

/* One presign session; true when every signer stored its presignature. */
static bool presign_one(node_ops *o, node_ops_result *r, const uint8_t *body,
                        size_t len, const char *const *parties, size_t n,
                        uint32_t version)
{
    const node_envelope_op op = NODE_ENVELOPE_OP_PRESIGN_ECDSA;
    node_ops_start *st = calloc(1, sizeof *st);
    collector *c = calloc(1, sizeof *c);
    node_ops_result *mine = calloc(1, sizeof *mine);
    if (st == NULL || c == NULL || mine == NULL ||
        !collector_init(c, o, op, parties, n)) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_NOMEM, "presign");
        free(st);
        free(c);
        free(mine);
        return false;
    }
    if (fan_out(o, st, c, &mine->problem, op, body, len, parties, n,
                (uint32_t)n, version, NULL, NULL, NULL))
        run_member(o, st, mine);
    else if (mine->problem.fail == 0)
        node_client_problem_set(&mine->problem, NODE_CLIENT_FAIL_INTERNAL,
                                "start: refused");
    bool ok = mine->problem.fail == 0;
    if (ok) {
        collector_wait(c, REPORT_WAIT_MS);
        ok = collector_check_stored(c) == MPC_OK;
        if (!ok)
            node_client_problem_set(&mine->problem,
                                    NODE_CLIENT_FAIL_SIGNING_PROTOCOL,
                                    "presign: a signer did not store");
    }
    if (!ok) {
        collector_explain(c, mine, "presign");
        r->problem = mine->problem;
    }
    collector_clear(c);
    free(c);
    if (st->msg != NULL)
        start_clear(st);
    free(st);
    mpc_wipe(mine, sizeof *mine);
    free(mine);
    return ok;
}

/* Warms the pool: up to req->count sessions, stopping at the first that
 * fails; the result counts the presignatures made. */
static void presign_batch(node_ops *o, node_ops_result *r,
                          const node_client_request *req, const uint8_t *body,
                          size_t len)
{
    if (o->cfg.pool == NULL) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_CONFIG,
                                "presign: no presignature pool");
        return;
    }
    if (req->count > PRESIGN_BATCH_MAX) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_VALIDATION,
                                "presign: count above %u", PRESIGN_BATCH_MAX);
        return;
    }
    char names[NODE_OPS_COMMITTEE_MAX][NODE_ENVELOPE_ID_MAX_BYTES + 1];
    const char *parties[NODE_OPS_COMMITTEE_MAX];
    size_t n = 0;
    uint32_t version = 0;
    if (!presign_signers(o, names, &n, &version, &r->problem, req))
        return;
    for (size_t i = 0; i < n; i++)
        parties[i] = names[i];
    while (r->generated < req->count &&
           presign_one(o, r, body, len, parties, n, version))
        r->generated++;
    node_log(NODE_LOG_INFO, "presign done",
             "wallet=%s requested=%u generated=%u", req->wallet_id.s,
             req->count, r->generated);
}

/* Pooled ECDSA signing (ops_pool.c): one fan-out naming presignature `id`,
 * every signer's share back, combined here. False (problem logged) when
 * the caller must fall back to an interactive session. */
static bool pooled_sign(node_ops *o, node_ops_result *r,
                        const node_client_request *req, const uint8_t *body,
                        size_t len, const char *const *parties, size_t n,
                        uint32_t version, uint64_t id)
{
    const node_envelope_op op = NODE_ENVELOPE_OP_SIGN_ECDSA;
    uint8_t pid[NODE_OPS_POOL_ID_BYTES];
    node_ops_pool_id_put(pid, id);
    node_ops_start *st = calloc(1, sizeof *st);
    collector *c = calloc(1, sizeof *c);
    node_ops_result *mine = calloc(1, sizeof *mine);
    mpc_cggmp_presig *p = calloc(1, sizeof *p);
    uint8_t(*shares)[MPC_CGGMP_SIGN_SHARE_BYTES] = calloc(n, sizeof *shares);
    bool ok = st != NULL && c != NULL && mine != NULL && p != NULL &&
              shares != NULL && collector_init(c, o, op, parties, n);
    bool ready = ok; /* the collector is initialised */
    if (ok) {
        mine->keep = p;
        ok = fan_out(o, st, c, &mine->problem, op, body, len, parties, n,
                     (uint32_t)n, version, pid, NULL, NULL);
    }
    if (ok)
        run_member(o, st, mine);
    ok = ok && mine->problem.fail == 0 && mine->pooled;
    if (ok) {
        collector_wait(c, REPORT_WAIT_MS);
        pthread_mutex_lock(&c->mu);
        for (size_t i = 0; ok && i < n; i++) {
            bool self = strcmp(parties[i], o->cfg.self->id) == 0;
            ok = self || c->has_share[i];
            memcpy(shares[i], self ? mine->sig : c->share[i], sizeof shares[i]);
        }
        pthread_mutex_unlock(&c->mu);
        if (!ok)
            node_client_problem_set(&mine->problem,
                                    NODE_CLIENT_FAIL_SIGNING_PROTOCOL,
                                    "sign: a signer sent no pooled share");
    }
    if (ok) {
        node_ops_pool_combine(
            o, mine, req, p, parties, n,
            (const uint8_t(*)[MPC_CGGMP_SIGN_SHARE_BYTES])shares);
        ok = mine->problem.fail == 0;
    }
    if (ok) {
        memcpy(r->sig, mine->sig, sizeof r->sig);
        r->recid = mine->recid;
        memcpy(r->ecdsa_pub, mine->ecdsa_pub, sizeof r->ecdsa_pub);
        r->has_ecdsa = true;
    } else if (ready) {
        collector_explain(c, mine, "pooled sign");
        node_log(NODE_LOG_WARN, "pooled sign failed, signing interactively",
                 "id=%016llx reason=\"%s\"", (unsigned long long)id,
                 mine->problem.reason);
    }
    if (ready)
        collector_clear(c);
    free(c);
    if (st != NULL && st->msg != NULL)
        start_clear(st);
    free(st);
    if (mine != NULL)
        mpc_wipe(mine, sizeof *mine);
    free(mine);
    if (p != NULL)
        mpc_cggmp_presig_clear(p);
    free(p);
    free(shares);
    return ok;
}

/* Everything after authentication and the replay guard. */
static void coordinate(node_ops *o, node_ops_result *r, node_client_op op,
                       const node_client_request *req, const uint8_t *body,
                       size_t len)
{
    if (op == NODE_CLIENT_OP_RESHARE) {
        node_ops_reshare_coordinate(o, r, req, body, len);
        return;
    }
    if (op == NODE_CLIENT_OP_PRESIGN) {
        presign_batch(o, r, req, body, len);
        return;
    }
    const char *parties[NODE_OPS_COMMITTEE_MAX];
    char names[NODE_OPS_COMMITTEE_MAX][NODE_ENVELOPE_ID_MAX_BYTES + 1];
    size_t n = 0;
    uint32_t threshold = o->cfg.threshold;
    uint32_t version = 0;
    if (op == NODE_CLIENT_OP_KEYGEN) {
        parties[n++] = o->cfg.self->id;
        for (size_t i = 0; i < ops_n_peers(o); i++)
            parties[n++] = o->cfg.peers[i].id;
    } else {
        if (!node_ops_sign_committee(o, names, &n, &version, &r->problem, req))
            return;
        for (size_t i = 0; i < n; i++)
            parties[i] = names[i];
        threshold = (uint32_t)n;
        uint64_t pid = 0;
        if (node_ops_pool_pick(o, &pid, req, parties, n, version) &&
            pooled_sign(o, r, req, body, len, parties, n, version, pid))
            return;
    }
    node_ops_start *st = calloc(1, sizeof *st);
    collector *c = calloc(1, sizeof *c);
    node_envelope_op eop = op == NODE_CLIENT_OP_KEYGEN
                               ? NODE_ENVELOPE_OP_KEYGEN_EDDSA
                               : sign_op(req);
    if (st == NULL || c == NULL || !collector_init(c, o, eop, parties, n)) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_NOMEM, "start");
        free(st);
        free(c);
        return;
    }
    uint8_t *sb = NULL;
    size_t slen = 0;
    bool keygen = op == NODE_CLIENT_OP_KEYGEN;
    if (fan_out(o, st, c, &r->problem, eop, body, len, parties, n, threshold,
                version, NULL, keygen ? &sb : NULL, &slen))
        run_member(o, st, r);
    else if (r->problem.fail == 0)
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_INTERNAL,
                                "start: refused");
    /* Keygen: every member must have stored the same key. */
    if (keygen && r->problem.fail == 0) {
        collector_wait(c, REPORT_WAIT_MS);
        collector_check_keygen(c, r);
    } else if (r->problem.fail != 0) {
        collector_explain(c, r, keygen ? "keygen" : "sign");
    }
    /* Keygen shares are pending until this: committed where every member
     * stored the key, else deleted wherever some were stored. */
    if (sb != NULL)
        node_ops_session_commit(o, eop, st->sid, sb, slen, req->wallet_id.s,
                                r->problem.fail != 0);
    if (keygen && r->problem.fail == 0)
        node_ops_keyinfo_publish(o, req->wallet_id.s, r, parties, n, threshold,
                                 1);
    free(sb);
    collector_clear(c);
    free(c);
    if (st->msg != NULL)
        start_clear(st);
    free(st);
}

mpc_err node_ops_aux_run(void *ud, const char *const *ids, size_t n)
{
    node_ops *o = ud;
    if (o == NULL || ids == NULL || n > NODE_OPS_COMMITTEE_MAX)
        return MPC_ERR_INVALID_ARG;
    if (o->cfg.aux == NULL)
        return MPC_ERR_STATE;
    /* Peers announce themselves ready once they have primes: ask only
     * then, rather than fail a session on a member that cannot join. */
    for (size_t i = 0; i < n; i++)
        if (!node_ops_peer_alive(o, ids[i]))
            return MPC_ERR_UNAVAILABLE;
    node_ops_start *st = calloc(1, sizeof *st);
    collector *c = calloc(1, sizeof *c);
    node_ops_result *r = calloc(1, sizeof *r);
    const node_envelope_op op = NODE_ENVELOPE_OP_AUX_INFO_ECDSA;
    if (st == NULL || c == NULL || r == NULL ||
        !collector_init(c, o, op, ids, n)) {
        free(st);
        free(c);
        free(r);
        return MPC_ERR_NOMEM;
    }
    mpc_err e = MPC_OK;
    if (fan_out(o, st, c, &r->problem, op, NULL, 0, ids, n, (uint32_t)n, 0,
                NULL, NULL, NULL))
        run_member(o, st, r);
    else
        e = MPC_ERR_UNAVAILABLE;
    if (e == MPC_OK && r->problem.fail != 0)
        e = r->problem.fail == NODE_CLIENT_FAIL_TIMEOUT ? MPC_ERR_TIMEOUT
                                                        : MPC_ERR_PROTOCOL;
    if (e == MPC_OK) {
        collector_wait(c, REPORT_WAIT_MS);
        e = collector_check_stored(c);
        /* Ours alone would stop the retries: the session runs again. */
        if (e != MPC_OK && node_auxinfo_forget(o->cfg.aux, ids, n) != MPC_OK)
            node_log(NODE_LOG_WARN, "aux-info: could not drop ours", NULL);
    }
    if (r->problem.fail != 0)
        node_log(NODE_LOG_WARN, "aux-info failed", "reason=\"%s\"",
                 r->problem.reason);
    collector_clear(c);
    free(c);
    if (st->msg != NULL)
        start_clear(st);
    free(st);
    mpc_wipe(r, sizeof *r);
    free(r);
    return e;
}

/* The lease of a processed-request record (node/keystore.h): how long the
 * sessions of one request can run at most (a keygen runs two: EdDSA, then
 * ECDSA), each through its barrier and every round at its deadline, then
 * the reports and the publish. A record a crashed coordinator left RUNNING
 * lapses only once all of them have ended, so a redelivery that takes it
 * over never runs beside them. */
static uint64_t request_lease_ms(const node_ops *o)
{
    uint64_t round = o->cfg.round_timeout_ms != 0
                         ? o->cfg.round_timeout_ms
                         : MPC_SESSION_TIMEOUT_DEFAULT_MS;
    uint64_t barrier = o->cfg.barrier_timeout_ms != 0
                           ? o->cfg.barrier_timeout_ms
                           : NODE_BARRIER_TOTAL_DEFAULT_MS;
    return 2u * (barrier + MPC_SESSION_ROUNDS_MAX * round + REPORT_WAIT_MS) +
           PUBLISH_TIMEOUT_MS;
}

void node_ops_pending_sweep(node_ops *o)
{
    /* A pending share whose commit we missed (down, or disconnected when
     * it was sent) is committed from KV first, never swept. */
    if (o->cfg.t != NULL)
        node_ops_commits_catch_up_all(o);
    size_t deleted = 0;
    mpc_err e = node_keystore_share_prune_pending(
        o->cfg.ks, &deleted, wall_ms(), request_lease_ms(o));
    if (e != MPC_OK || deleted > 0)
        node_log(e == MPC_OK ? NODE_LOG_INFO : NODE_LOG_WARN,
                 "pending shares swept", "deleted=%zu err=%s", deleted,
                 mpc_err_str(e));
}

mpc_err node_ops_handle(node_ops *o, node_ops_outcome *oc, node_client_op op,
                        const uint8_t *body, size_t len, const char *client_id)
{
    if (oc == NULL)
        return MPC_ERR_INVALID_ARG;
    memset(oc, 0, sizeof *oc);
    if (o == NULL || (body == NULL && len > 0) ||
        (op != NODE_CLIENT_OP_KEYGEN && op != NODE_CLIENT_OP_SIGN &&
         op != NODE_CLIENT_OP_RESHARE && op != NODE_CLIENT_OP_PRESIGN))
        return MPC_ERR_INVALID_ARG;
    const char *cid = client_id != NULL ? client_id : "";
    if (node_client_client_id_check(cid, strlen(cid)) != MPC_OK)
        cid = "";
    node_client_request *req = calloc(1, sizeof *req);
    node_ops_result *r = calloc(1, sizeof *r);
    if (req == NULL || r == NULL) {
        free(req);
        free(r);
        return MPC_ERR_NOMEM;
    }
    bool guarded = false;
    char gid[65];
    uint8_t digest[32];
    crypto_hash_sha256(digest, body, len);
    mpc_err e = MPC_OK;
    /* A failure leaves its problem in r: answered below, at once. */
    (void)check_request(o, req, &r->problem, op, body, len, false);
    /* A reshare needs a coordinator that holds the key: let one take it. */
    if (op == NODE_CLIENT_OP_RESHARE && r->problem.fail == 0 &&
        node_ops_reshare_defer(o, req)) {
        e = MPC_ERR_UNAVAILABLE;
        goto out;
    }
    const char *id = request_id(op, req);
    /* A refused request still names its ids (the client matches on them),
     * but its result must not take the Nats-Msg-Id of the real request's
     * result, or JetStream would drop that one as a duplicate: the body's
     * digest tells them apart. */
    char refused[2 * 16 + 1] = "";
    if (r->problem.fail != 0)
        sodium_bin2hex(refused, sizeof refused, digest, 16);
    if (node_client_result_subject(oc->subject, sizeof oc->subject, op, cid,
                                   id) != MPC_OK ||
        node_client_result_msg_id(oc->msg_id, sizeof oc->msg_id, op, cid, id,
                                  refused) != MPC_OK) {
        e = MPC_ERR_INTERNAL;
        goto out;
    }
    if (r->problem.fail == 0) {
        guard_id(gid, oc->msg_id);
        node_keystore_req state;
        uint8_t *stored = NULL;
        size_t stored_len = 0;
        mpc_err ge = node_keystore_request_begin_leased(
            o->cfg.ks, &state, &stored, &stored_len, gid, digest, wall_ms(),
            request_lease_ms(o));
        if (ge == MPC_OK && state == NODE_KEYSTORE_REQ_DONE) {
            /* Our buffer, so node_ops_outcome_clear's free() is right. */
            oc->result = malloc(stored_len);
            if (oc->result != NULL)
                memcpy(oc->result, stored, stored_len);
            oc->result_len = stored_len;
            node_keystore_value_free(stored, stored_len);
            oc->replayed = true;
            e = oc->result != NULL ? publish(o, oc) : MPC_ERR_NOMEM;
            goto out;
        }
        if (ge == MPC_OK && state == NODE_KEYSTORE_REQ_NEW) {
            guarded = true;
            coordinate(o, r, op, req, body, len);
        } else if (ge == MPC_OK || ge == MPC_ERR_CONFLICT) {
            node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_DUPLICATE,
                                    "request: duplicate");
        } else {
            node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_STORAGE_READ,
                                    "request: replay guard");
        }
    }
    oc->code = r->problem.fail != 0 ? r->problem.code : NODE_CLIENT_CODE_NONE;
    e = encode_result(&oc->result, &oc->result_len, op, req, r);
    if (e != MPC_OK)
        goto out;
    if (guarded &&
        node_keystore_request_finish(o->cfg.ks, gid, digest, oc->result,
                                     oc->result_len) != MPC_OK)
        e = MPC_ERR_IO;
    if (e == MPC_OK)
        e = publish(o, oc);
out:
    node_client_request_clear(req);
    free(req);
    mpc_wipe(r, sizeof *r);
    free(r);
    if (e != MPC_OK)
        node_ops_outcome_clear(oc);
    return e;
}
