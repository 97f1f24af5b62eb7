/*
 * node/ops_reshare.c — key info in NATS KV, and reshare (see ops.h).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mpc/cggmp_keys.h"
#include "mpc/mem.h"
#include "node/barrier.h"
#include "node/log.h"
#include "node/ops_internal.h"

/* ---- key info ----------------------------------------------------------- */

static void keyinfo_put(node_ops *o, const char *curve, const char *wallet,
                        const char *const *parties, size_t n,
                        uint32_t threshold, uint32_t version)
{
    if (o->cfg.registry == NULL)
        return;
    node_keyinfo *ki = calloc(1, sizeof *ki);
    if (ki == NULL)
        return;
    mpc_err e = n <= NODE_REGISTRY_PEERS_MAX ? MPC_OK : MPC_ERR_INVALID_ARG;
    for (size_t i = 0; e == MPC_OK && i < n; i++) {
        size_t len = strlen(parties[i]);
        if (len > NODE_REGISTRY_ID_MAX_BYTES)
            e = MPC_ERR_INVALID_ARG;
        else
            memcpy(ki->participants[i], parties[i], len + 1);
    }
    ki->nparticipants = n;
    ki->threshold = threshold;
    ki->version = version;
    if (e == MPC_OK)
        e = node_registry_keyinfo_put(o->cfg.registry, curve, wallet, ki);
    if (e != MPC_OK)
        node_log(NODE_LOG_WARN, "key info not published",
                 "curve=%s wallet=%s version=%u err=%s", curve, wallet,
                 (unsigned)version, mpc_err_str(e));
    free(ki);
}

void node_ops_keyinfo_publish(node_ops *o, const char *wallet,
                              const node_ops_result *r,
                              const char *const *parties, size_t n,
                              uint32_t threshold, uint32_t version)
{
    if (o->cfg.registry == NULL)
        return;
    keyinfo_put(o, "eddsa", wallet, parties, n, threshold, version);
    if (r->has_ecdsa)
        keyinfo_put(o, "ecdsa", wallet, parties, n, threshold, version);
}

/* ---- reshare: the plan every party derives from the start ---------------- */

#define ED25519 MPC_CURVE_ED25519
#define SECP MPC_CURVE_SECP256K1
#define PK 32
#define EC_PK MPC_SECP256K1_POINT_BYTES
/* ECDSA old_public: key, chain code, then per dealer (id, verifying
 * share). */
#define EC_PUBLIC_BYTES(t) (EC_PK + 32u + (32u + EC_PK) * (t))
/* old_public: group key, then per dealer (identifier, verifying share). */
#define OLD_PUBLIC_BYTES(t) (PK + 64u * (t))
#define REPORT_WAIT_MS 5000u
#define PUBLISH_TIMEOUT_MS 5000

/* Who does what in one reshare session, as every party derives it from the
 * SessionStart (docs/operations.md "Reshare"): the first `threshold`
 * parties deal their old shares; the parties listed in new_committee
 * receive new ones. */
typedef struct plan {
    size_t t_old;
    size_t t_new;
    size_t self;
    bool dealer;
    mpc_point group_pk;
    mpc_frost_reshare_party parties[NODE_OPS_COMMITTEE_MAX];
    /* The new committee in session order (the order of the result). */
    const char *members[NODE_OPS_COMMITTEE_MAX];
    size_t n_members;
} plan;

static size_t index_of(const char *id, const char *const *list, size_t n)
{
    size_t i = 0;
    while (i < n && strcmp(list[i], id) != 0)
        i++;
    return i;
}

/* The start must carry exactly what the client signed. */
static bool start_matches_request(const node_ops_start *st)
{
    const Mpcium__V1__SessionStart *m = st->msg;
    const node_client_request *req = &st->req;
    if (m->new_threshold != req->threshold ||
        m->n_new_committee != req->n_node_ids)
        return false;
    for (size_t i = 0; i < req->n_node_ids; i++)
        if (strcmp(m->new_committee[i], req->node_ids[i].s) != 0)
            return false;
    return true;
}

static bool plan_roles(const node_ops *o, const node_ops_start *st, plan *pl)
{
    const Mpcium__V1__SessionStart *m = st->msg;
    const mpc_group *g = mpc_ctx_group(o->cfg.ctx, ED25519);
    for (size_t i = 0; i < st->n_parties; i++) {
        mpc_frost_reshare_party *q = &pl->parties[i];
        size_t j =
            index_of(st->parties[i], (const char *const *)m->new_committee,
                     m->n_new_committee);
        if (i < pl->t_old)
            q->roles |= MPC_FROST_RESHARE_DEALER;
        if (j < m->n_new_committee) {
            q->roles |= MPC_FROST_RESHARE_MEMBER;
            mpc_scalar_set_u64(g, &q->new_id, (uint64_t)j + 1u);
            pl->members[pl->n_members++] = st->parties[i];
        }
        if (q->roles == 0)
            return false;
    }
    pl->self = index_of(o->cfg.self->id, st->parties, st->n_parties);
    pl->dealer = pl->self < pl->t_old;
    return pl->n_members == m->n_new_committee;
}

static bool plan_build(const node_ops *o, const node_ops_start *st, plan *pl,
                       node_client_problem *p)
{
    const Mpcium__V1__SessionStart *m = st->msg;
    const mpc_group *g = mpc_ctx_group(o->cfg.ctx, ED25519);
    memset(pl, 0, sizeof *pl);
    pl->t_old = m->threshold;
    pl->t_new = m->new_threshold;
    bool ok =
        st->req.key_type == NODE_CLIENT_KEY_ED25519 &&
        start_matches_request(st) && pl->t_old >= 2 && pl->t_new >= 2 &&
        m->key_version >= 1 && st->n_parties <= NODE_OPS_COMMITTEE_MAX &&
        m->old_public.len == OLD_PUBLIC_BYTES(pl->t_old) &&
        mpc_point_parse(g, &pl->group_pk, m->old_public.data, PK) == MPC_OK;
    const uint8_t *b = ok ? m->old_public.data + PK : NULL;
    for (size_t i = 0; ok && i < pl->t_old; i++, b += 64) {
        mpc_frost_reshare_party *q = &pl->parties[i];
        ok = mpc_scalar_parse(g, &q->old_id, b) == MPC_OK &&
             mpc_point_parse(g, &q->old_vshare, b + 32, PK) == MPC_OK;
    }
    if (ok)
        ok = plan_roles(o, st, pl);
    if (!ok)
        node_client_problem_set(p, NODE_CLIENT_FAIL_VALIDATION,
                                "reshare: inconsistent session start");
    return ok;
}

static bool key_load(node_ops *o, node_ops_key *k, uint32_t *version,
                     const char *wallet, uint32_t want, node_client_problem *p)
{
    mpc_err e = node_ops_key_load(o, k, version, wallet, want);
    if (e == MPC_OK)
        return true;
    if (e == MPC_ERR_NOT_FOUND)
        node_client_problem_set(p, NODE_CLIENT_FAIL_KEY_NOT_FOUND,
                                "reshare: no key for wallet %s", wallet);
    else
        node_client_problem_set(p, NODE_CLIENT_FAIL_STORAGE_READ,
                                "reshare: keystore: %s", mpc_err_str(e));
    return false;
}

/* Writes the old public data of `dealers` from our key record. */
static bool old_public_write(const mpc_group *g, uint8_t *out,
                             const node_ops_key *k, const char *const *dealers,
                             size_t t)
{
    mpc_point_serialize(g, out, &k->key.group_pk);
    out += PK;
    for (size_t i = 0; i < t; i++, out += 64) {
        size_t j = 0;
        while (j < k->n && strcmp(k->node_ids[j], dealers[i]) != 0)
            j++;
        if (j == k->n)
            return false;
        mpc_scalar_serialize(g, out, &k->ids[j]);
        mpc_point_serialize(g, out + 32, &k->vshares[j]);
    }
    return true;
}

/* A dealer checks the start's old public data against its own record, so
 * a coordinator cannot feed new members a key of its choosing. */
static bool dealer_check(node_ops *o, const node_ops_start *st, const plan *pl,
                         node_ops_key *k, node_client_problem *p)
{
    uint32_t v = 0;
    if (!key_load(o, k, &v, st->req.wallet_id.s, st->msg->key_version, p))
        return false;
    const mpc_group *g = mpc_ctx_group(o->cfg.ctx, ED25519);
    uint8_t *mine = malloc(OLD_PUBLIC_BYTES(pl->t_old));
    bool ok = mine != NULL && k->key.threshold == pl->t_old &&
              old_public_write(g, mine, k, st->parties, pl->t_old) &&
              memcmp(mine, st->msg->old_public.data,
                     OLD_PUBLIC_BYTES(pl->t_old)) == 0;
    free(mine);
    if (!ok)
        node_client_problem_set(p, NODE_CLIENT_FAIL_VALIDATION,
                                "reshare: old key data mismatch");
    return ok;
}

static void reshare_run(node_ops *o, const node_ops_start *st, const plan *pl,
                        const node_ops_key *k, node_ops_result *r)
{
    mpc_frost_reshare_input in = {.parties = pl->parties,
                                  .n_parties = st->n_parties,
                                  .group_pk = &pl->group_pk,
                                  .old_threshold = pl->t_old,
                                  .key = pl->dealer ? &k->key : NULL};
    node_session_spec spec;
    node_ops_session_spec_init(o, &spec, st);
    spec.protocol = &mpc_frost_reshare_protocol;
    spec.input = &in;
    /* The library's threshold is the new one. */
    spec.threshold = (unsigned)pl->t_new;
    node_session *s = NULL;
    mpc_err e = node_session_start(o->cfg.sessions, &s, &spec);
    if (e != MPC_OK) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_INTERNAL,
                                "reshare: session: %s", mpc_err_str(e));
        return;
    }
    mpc_frost_key_result res;
    mpc_blame blame;
    e = node_session_join(s, &res, sizeof res, &blame);
    if (e != MPC_OK) {
        node_ops_problem_from_session(&r->problem, e, &blame,
                                      NODE_CLIENT_FAIL_RESHARE_PROTOCOL);
        return;
    }
    const mpc_group *g = mpc_ctx_group(o->cfg.ctx, ED25519);
    mpc_point_serialize(g, r->eddsa_pub, &res.group_pk);
    if (res.has_key) {
        e = node_ops_key_store_version(o, st->req.wallet_id.s, &res,
                                       pl->members, pl->n_members,
                                       st->msg->key_version + 1u, st->sid);
        if (e != MPC_OK)
            node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_STORAGE_WRITE,
                                    "reshare: store: %s", mpc_err_str(e));
        r->stored = e == MPC_OK;
    }
    mpc_frost_key_result_clear(&res);
}

static void ed_member(node_ops *o, const node_ops_start *st, node_ops_result *r)
{
    plan *pl = calloc(1, sizeof *pl);
    node_ops_key *k = calloc(1, sizeof *k);
    if (pl == NULL || k == NULL)
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_NOMEM, "reshare");
    else if (plan_build(o, st, pl, &r->problem) &&
             (!pl->dealer || dealer_check(o, st, pl, k, &r->problem)))
        reshare_run(o, st, pl, k, r);
    node_ops_key_clear(k);
    free(k);
    if (pl != NULL)
        mpc_wipe(pl, sizeof *pl);
    free(pl);
}

/* ---- ECDSA (CGGMP21) ---------------------------------------------------- */

/* Everything an ECDSA reshare party derives from the start. The new
 * committee's shares are in ascending node-id order (the order of ECDSA
 * sessions and of the committee's aux-info). */
typedef struct ecplan {
    size_t t_old;
    size_t t_new;
    size_t self;
    bool dealer;
    mpc_point pubkey;
    uint8_t chain_code[32];
    unsigned quorum[NODE_OPS_COMMITTEE_MAX];
    mpc_scalar qids[NODE_OPS_COMMITTEE_MAX];
    mpc_point qvsh[NODE_OPS_COMMITTEE_MAX];
    unsigned members[NODE_OPS_COMMITTEE_MAX];
    const char *member_ids[NODE_OPS_COMMITTEE_MAX];
    size_t n_members;
} ecplan;

static int cmp_id(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The old public data of `dealers` from our ECDSA key record. */
static bool ec_public_write(const mpc_group *g, uint8_t *out,
                            const node_ops_ecdsa_key *k,
                            const char *const *dealers, size_t t)
{
    mpc_point_serialize(g, out, &k->share.pubkey);
    memcpy(out + EC_PK, k->share.chain_code, 32);
    out += EC_PK + 32;
    for (size_t i = 0; i < t; i++, out += 32 + EC_PK) {
        size_t j = 0;
        while (j < k->n && strcmp(k->node_ids[j], dealers[i]) != 0)
            j++;
        if (j == k->n)
            return false;
        mpc_scalar_serialize(g, out, &k->share.ids[j]);
        mpc_point_serialize(g, out + 32, &k->share.vshares[j]);
    }
    return true;
}

static bool ec_plan_build(const node_ops *o, const node_ops_start *st,
                          ecplan *pl, node_client_problem *p)
{
    const Mpcium__V1__SessionStart *m = st->msg;
    const mpc_group *g = mpc_ctx_group(o->cfg.ctx, SECP);
    memset(pl, 0, sizeof *pl);
    pl->t_old = m->threshold;
    pl->t_new = m->new_threshold;
    const uint8_t *b = m->old_public.data;
    bool ok = st->req.key_type == NODE_CLIENT_KEY_SECP256K1 &&
              start_matches_request(st) && pl->t_old >= 2 && pl->t_new >= 2 &&
              m->key_version >= 1 && st->n_parties <= NODE_OPS_COMMITTEE_MAX &&
              m->old_public.len == EC_PUBLIC_BYTES(pl->t_old) &&
              mpc_point_parse(g, &pl->pubkey, b, EC_PK) == MPC_OK;
    if (ok)
        memcpy(pl->chain_code, b + EC_PK, 32);
    b = ok ? b + EC_PK + 32 : NULL;
    for (size_t i = 0; ok && i < pl->t_old; i++, b += 32 + EC_PK) {
        pl->quorum[i] = (unsigned)i;
        ok = mpc_scalar_parse(g, &pl->qids[i], b) == MPC_OK &&
             mpc_point_parse(g, &pl->qvsh[i], b + 32, EC_PK) == MPC_OK;
    }
    pl->n_members = m->n_new_committee;
    for (size_t i = 0; ok && i < pl->n_members; i++)
        pl->member_ids[i] = m->new_committee[i];
    if (ok)
        qsort(pl->member_ids, pl->n_members, sizeof pl->member_ids[0], cmp_id);
    for (size_t i = 0; ok && i < pl->n_members; i++)
        pl->members[i] =
            (unsigned)index_of(pl->member_ids[i], st->parties, st->n_parties);
    /* Every party deals or receives. */
    for (size_t i = pl->t_old; ok && i < st->n_parties; i++)
        ok = index_of(st->parties[i], pl->member_ids, pl->n_members) <
             pl->n_members;
    pl->self = index_of(o->cfg.self->id, st->parties, st->n_parties);
    pl->dealer = pl->self < pl->t_old;
    if (!ok)
        node_client_problem_set(p, NODE_CLIENT_FAIL_VALIDATION,
                                "reshare: inconsistent session start");
    return ok;
}

/* A dealer checks the start's old public data against its own record. */
static bool ec_dealer_check(node_ops *o, const node_ops_start *st,
                            const ecplan *pl, node_ops_ecdsa_key *k,
                            node_client_problem *p)
{
    uint32_t v = 0;
    mpc_err e = node_ops_ecdsa_key_load(o, k, &v, st->req.wallet_id.s,
                                        st->msg->key_version);
    if (e != MPC_OK) {
        node_client_problem_set(p,
                                e == MPC_ERR_NOT_FOUND
                                    ? NODE_CLIENT_FAIL_KEY_NOT_FOUND
                                    : NODE_CLIENT_FAIL_STORAGE_READ,
                                "reshare: ecdsa key: %s", mpc_err_str(e));
        return false;
    }
    uint8_t *mine = malloc(EC_PUBLIC_BYTES(pl->t_old));
    bool ok =
        mine != NULL && k->share.t == pl->t_old &&
        ec_public_write(mpc_ctx_group(o->cfg.ctx, SECP), mine, k, st->parties,
                        pl->t_old) &&
        memcmp(mine, st->msg->old_public.data, EC_PUBLIC_BYTES(pl->t_old)) == 0;
    free(mine);
    if (!ok)
        node_client_problem_set(p, NODE_CLIENT_FAIL_VALIDATION,
                                "reshare: old key data mismatch");
    return ok;
}

static void ec_run(node_ops *o, const node_ops_start *st, const ecplan *pl,
                   const node_ops_ecdsa_key *k, node_ops_result *r)
{
    mpc_cggmp_reshare_input in;
    memset(&in, 0, sizeof in);
    in.share = pl->dealer ? &k->share : NULL;
    in.pubkey = pl->pubkey;
    memcpy(in.chain_code, pl->chain_code, sizeof in.chain_code);
    in.quorum = pl->quorum;
    in.quorum_ids = pl->qids;
    in.quorum_vshares = pl->qvsh;
    in.n_quorum = pl->t_old;
    in.t_old = pl->t_old;
    in.members = pl->members;
    in.n_members = pl->n_members;
    node_session_spec spec;
    node_ops_session_spec_init(o, &spec, st);
    spec.protocol = &mpc_cggmp_reshare_protocol;
    spec.input = &in;
    spec.threshold = (unsigned)pl->t_new;
    node_session *s = NULL;
    mpc_err e = node_session_start(o->cfg.sessions, &s, &spec);
    if (e != MPC_OK) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_INTERNAL,
                                "reshare: session: %s", mpc_err_str(e));
        return;
    }
    mpc_cggmp_key_share res;
    mpc_cggmp_key_share_init(&res);
    mpc_blame blame;
    e = node_session_join(s, &res, sizeof res, &blame);
    if (e != MPC_OK) {
        node_ops_problem_from_session(&r->problem, e, &blame,
                                      NODE_CLIENT_FAIL_RESHARE_PROTOCOL);
        return;
    }
    mpc_point_serialize(mpc_ctx_group(o->cfg.ctx, SECP), r->ecdsa_pub,
                        &pl->pubkey);
    if (res.n > 0) {
        e = node_ops_ecdsa_key_store(o, st->req.wallet_id.s,
                                     st->msg->key_version + 1u, &res,
                                     pl->member_ids, pl->n_members, st->sid);
        if (e != MPC_OK)
            node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_STORAGE_WRITE,
                                    "reshare: store: %s", mpc_err_str(e));
        r->stored = e == MPC_OK;
    }
    mpc_cggmp_key_share_clear(o->cfg.ctx, &res);
    /* The new committee signs once its aux-info exists: a committee other
     * than the peers file's has none yet (its smallest id runs it). */
    if (r->stored && o->cfg.aux != NULL &&
        node_auxinfo_want(o->cfg.aux, pl->member_ids, pl->n_members) != MPC_OK)
        node_log(NODE_LOG_WARN, "reshare: aux-info not asked for", NULL);
}

static void ec_member(node_ops *o, const node_ops_start *st, node_ops_result *r)
{
    ecplan *pl = calloc(1, sizeof *pl);
    node_ops_ecdsa_key *k = calloc(1, sizeof *k);
    if (k != NULL)
        mpc_cggmp_key_share_init(&k->share);
    if (pl == NULL || k == NULL)
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_NOMEM, "reshare");
    else if (ec_plan_build(o, st, pl, &r->problem) &&
             (!pl->dealer || ec_dealer_check(o, st, pl, k, &r->problem)))
        ec_run(o, st, pl, k, r);
    if (k != NULL)
        node_ops_ecdsa_key_clear(o->cfg.ctx, k);
    free(k);
    free(pl);
}

void node_ops_reshare_member(node_ops *o, const node_ops_start *st,
                             node_ops_result *r)
{
    if (st->op == NODE_ENVELOPE_OP_RESHARE_ECDSA)
        ec_member(o, st, r);
    else
        ed_member(o, st, r);
}

/* ---- coordinator -------------------------------------------------------- */

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The members' reports: everyone must succeed, new members must have
 * stored the same key. */
typedef struct reports {
    node_ops *o;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint8_t sid[NODE_ENVELOPE_SID_BYTES];
    node_envelope_op op;
    size_t pk_len;
    const char *const *parties;
    size_t n;
    size_t n_got;
    bool got[NODE_OPS_COMMITTEE_MAX];
    bool ok[NODE_OPS_COMMITTEE_MAX];
    bool stored[NODE_OPS_COMMITTEE_MAX];
    uint8_t pub[NODE_OPS_COMMITTEE_MAX][EC_PK];
    char code[NODE_OPS_COMMITTEE_MAX][72];
    node_sub *sub;
} reports;

/* Transport thread: authenticate, record, wake the coordinator. */
static void on_report(const node_msg *msg, void *ud)
{
    reports *c = ud;
    node_ops *o = c->o;
    node_envelope env;
    if (node_envelope_open(&env, o->cfg.self, o->cfg.peers, ops_n_peers(o),
                           msg->data, msg->len) != MPC_OK)
        return;
    size_t i = index_of(env.sender, c->parties, c->n);
    if (env.meta.kind == NODE_ENVELOPE_SESSION_RESULT && env.meta.op == c->op &&
        memcmp(env.meta.sid, c->sid, sizeof c->sid) == 0 && i < c->n) {
        const Mpcium__V1__SessionResult *res =
            (const Mpcium__V1__SessionResult *)env.control;
        pthread_mutex_lock(&c->mu);
        if (!c->got[i]) {
            c->got[i] = true;
            c->n_got++;
            c->ok[i] = res->error == 0 && res->public_key.len == c->pk_len;
            c->stored[i] = c->ok[i] && res->stored;
            if (c->ok[i])
                memcpy(c->pub[i], res->public_key.data, c->pk_len);
            snprintf(c->code[i], sizeof c->code[i], "%s", res->error_code);
            pthread_cond_broadcast(&c->cv);
        }
        pthread_mutex_unlock(&c->mu);
    }
    node_envelope_clear(&env);
}

static bool reports_init(reports *c, node_ops *o, node_envelope_op op,
                         const char *const *parties, size_t n)
{
    memset(c, 0, sizeof *c);
    c->o = o;
    c->op = op;
    c->pk_len = op == NODE_ENVELOPE_OP_RESHARE_ECDSA ? EC_PK : PK;
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

static mpc_err reports_listen(reports *c, const uint8_t *sid)
{
    memcpy(c->sid, sid, sizeof c->sid);
    char subject[NODE_SUBJECT_MAX_BYTES + 1];
    node_ops_result_subject(subject, sizeof subject, sid);
    return node_transport_subscribe(c->o->cfg.t, &c->sub, subject, on_report,
                                    c);
}

static void reports_clear(reports *c)
{
    if (node_transport_unsubscribe(c->o->cfg.t, &c->sub) != MPC_OK)
        c->sub = NULL;
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
}

/* Waits (bounded) until every other party has reported. */
static void reports_wait(reports *c, uint64_t wait_ms)
{
    node_ops_reports_wait(&c->mu, &c->cv, &c->n_got, c->n, wait_ms);
}

/* Success only when every party reported success and every new member
 * stored the key we hold. */
static void reports_check(reports *c, const char *const *members,
                          size_t n_members, const uint8_t *pub,
                          node_ops_result *r)
{
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n && r->problem.fail == 0; i++) {
        if (strcmp(c->parties[i], c->o->cfg.self->id) == 0)
            continue;
        bool member = index_of(c->parties[i], members, n_members) < n_members;
        if (!c->got[i])
            node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_TIMEOUT,
                                    "reshare: %s did not confirm",
                                    c->parties[i]);
        else if (!c->ok[i] || memcmp(c->pub[i], pub, c->pk_len) != 0 ||
                 (member && !c->stored[i]))
            node_client_problem_set(
                &r->problem, NODE_CLIENT_FAIL_RESHARE_PROTOCOL,
                "reshare: %s failed: %s", c->parties[i], c->code[i]);
    }
    pthread_mutex_unlock(&c->mu);
}

/* The old key as the coordinator holds it, either curve. */
typedef struct oldkey {
    node_envelope_op op;
    uint32_t version;
    size_t n;
    size_t self;
    size_t t;
    const char (*ids)[NODE_ENVELOPE_ID_MAX_BYTES + 1];
    node_ops_key ed;
    node_ops_ecdsa_key ec;
} oldkey;

static bool oldkey_load(node_ops *o, oldkey *k, const node_client_request *req,
                        node_client_problem *p)
{
    const char *wallet = req->wallet_id.s;
    mpc_err e;
    if (req->key_type == NODE_CLIENT_KEY_ED25519) {
        k->op = NODE_ENVELOPE_OP_RESHARE_EDDSA;
        e = node_ops_key_load(o, &k->ed, &k->version, wallet, 0);
        k->n = k->ed.n;
        k->self = k->ed.self;
        k->t = k->ed.key.threshold;
        k->ids = (const char(*)[NODE_ENVELOPE_ID_MAX_BYTES + 1]) k->ed.node_ids;
    } else {
        k->op = NODE_ENVELOPE_OP_RESHARE_ECDSA;
        mpc_cggmp_key_share_init(&k->ec.share);
        e = node_ops_ecdsa_key_load(o, &k->ec, &k->version, wallet, 0);
        k->n = k->ec.n;
        k->self = k->ec.share.self;
        k->t = k->ec.share.t;
        k->ids = (const char(*)[NODE_ENVELOPE_ID_MAX_BYTES + 1]) k->ec.node_ids;
    }
    if (e == MPC_OK)
        return true;
    node_client_problem_set(
        p,
        e == MPC_ERR_NOT_FOUND ? NODE_CLIENT_FAIL_KEY_NOT_FOUND
                               : NODE_CLIENT_FAIL_STORAGE_READ,
        "reshare: key of wallet %s: %s", wallet, mpc_err_str(e));
    return false;
}

static void oldkey_clear(node_ops *o, oldkey *k)
{
    if (k->op == NODE_ENVELOPE_OP_RESHARE_ECDSA)
        node_ops_ecdsa_key_clear(o->cfg.ctx, &k->ec);
    node_ops_key_clear(&k->ed);
}

/* The start's old_public for `dealers` (malloc'ed, *len bytes). */
static uint8_t *oldkey_public(node_ops *o, const oldkey *k,
                              const char *const *dealers, size_t *len)
{
    bool ec = k->op == NODE_ENVELOPE_OP_RESHARE_ECDSA;
    *len = ec ? EC_PUBLIC_BYTES(k->t) : OLD_PUBLIC_BYTES(k->t);
    uint8_t *b = malloc(*len);
    bool ok =
        b != NULL && (ec ? ec_public_write(mpc_ctx_group(o->cfg.ctx, SECP), b,
                                           &k->ec, dealers, k->t)
                         : old_public_write(mpc_ctx_group(o->cfg.ctx, ED25519),
                                            b, &k->ed, dealers, k->t));
    if (!ok) {
        free(b);
        return NULL;
    }
    return b;
}

/* Dealers: this node and the first other holders the liveness view has up,
 * in committee order; then the new members that do not deal. */
static bool pick_parties(node_ops *o, const oldkey *k,
                         const node_client_request *req, const char **parties,
                         size_t *n, node_client_problem *p)
{
    size_t t = k->t;
    *n = 0;
    parties[(*n)++] = o->cfg.self->id;
    for (size_t i = 0; i < k->n && *n < t; i++)
        if (i != k->self && node_ops_peer_alive(o, k->ids[i]))
            parties[(*n)++] = k->ids[i];
    if (*n < t) {
        node_client_problem_set(p, NODE_CLIENT_FAIL_INSUFFICIENT_PARTICIPANTS,
                                "reshare: %zu of %zu old holders alive", *n, t);
        return false;
    }
    for (size_t i = 0; i < req->n_node_ids; i++) {
        const char *id = req->node_ids[i].s;
        bool known = strcmp(id, o->cfg.self->id) == 0;
        for (size_t j = 0; !known && j < ops_n_peers(o); j++)
            known = strcmp(id, o->cfg.peers[j].id) == 0;
        if (!known) {
            node_client_problem_set(p, NODE_CLIENT_FAIL_VALIDATION,
                                    "reshare: %s is not in the peers file", id);
            return false;
        }
        if (!node_ops_peer_alive(o, id)) {
            node_client_problem_set(p,
                                    NODE_CLIENT_FAIL_INSUFFICIENT_PARTICIPANTS,
                                    "reshare: %s is not ready", id);
            return false;
        }
        if (index_of(id, parties, *n) == *n) {
            if (*n == NODE_OPS_COMMITTEE_MAX) {
                node_client_problem_set(p, NODE_CLIENT_FAIL_VALIDATION,
                                        "reshare: too many parties");
                return false;
            }
            parties[(*n)++] = id;
        }
    }
    return true;
}

/* The packed SessionStart of this reshare (malloc'ed). */
static uint8_t *start_pack(node_ops *o, size_t *len, const uint8_t *body,
                           size_t body_len, const char *const *parties,
                           size_t n, const oldkey *k,
                           const node_client_request *req)
{
    size_t old_len = 0;
    uint8_t *old = oldkey_public(o, k, parties, &old_len);
    if (old == NULL)
        return NULL;
    const char *committee[NODE_CLIENT_NODES_MAX];
    for (size_t i = 0; i < req->n_node_ids; i++)
        committee[i] = req->node_ids[i].s;
    uint8_t nonce[32];
    mpc_ctx_random(o->cfg.ctx, nonce, sizeof nonce);
    Mpcium__V1__SessionStart s = MPCIUM__V1__SESSION_START__INIT;
    s.operation = (Mpcium__V1__Operation)k->op;
    s.nonce.data = nonce;
    s.nonce.len = sizeof nonce;
    s.request.data = (uint8_t *)body;
    s.request.len = body_len;
    s.n_parties = n;
    s.parties = (char **)parties;
    s.threshold = (uint32_t)k->t;
    s.key_version = k->version;
    s.n_new_committee = req->n_node_ids;
    s.new_committee = (char **)committee;
    s.new_threshold = req->threshold;
    s.old_public.data = old;
    s.old_public.len = old_len;
    s.round_timeout_ms = o->cfg.round_timeout_ms != 0
                             ? o->cfg.round_timeout_ms
                             : MPC_SESSION_TIMEOUT_DEFAULT_MS;
    s.barrier_timeout_ms = o->cfg.barrier_timeout_ms != 0
                               ? o->cfg.barrier_timeout_ms
                               : NODE_BARRIER_TOTAL_DEFAULT_MS;
    *len = mpcium__v1__session_start__get_packed_size(&s);
    uint8_t *sb = malloc(*len);
    if (sb != NULL)
        mpcium__v1__session_start__pack(&s, sb);
    free(old);
    return sb;
}

static void commit_keep(node_ops *o, const char *key, const uint8_t *env,
                        size_t len);

/* Signs `payload` (a control message of `kind`) for everyone and
 * publishes it on `subject`; with `kv_key`, also keeps it in NATS KV (a
 * commit, "commit delivery" below). */
static mpc_err broadcast(node_ops *o, const char *subject, node_envelope_op op,
                         node_envelope_kind kind, const uint8_t *sid,
                         const uint8_t *payload, size_t len, const char *kv_key)
{
    size_t cap = node_envelope_seal_bound(len);
    uint8_t *env = malloc(cap);
    if (env == NULL)
        return MPC_ERR_NOMEM;
    node_envelope_meta meta = {
        .op = op, .kind = kind, .timestamp_ms = wall_ms()};
    memcpy(meta.sid, sid, sizeof meta.sid);
    size_t elen = 0;
    mpc_err e = node_envelope_seal(o->cfg.ctx, env, cap, &elen, o->cfg.self,
                                   NULL, &meta, payload, len);
    if (e == MPC_OK)
        e = node_transport_publish(o->cfg.t, subject, NULL, NULL, 0, env, elen);
    if (e == MPC_OK && kv_key != NULL)
        commit_keep(o, kv_key, env, elen);
    free(env);
    return e;
}

static void commit_apply(node_ops *o, const char *coordinator,
                         const uint8_t *sid, const uint8_t *start, size_t len,
                         bool abort);

static bool commit_key(char *out, size_t cap, node_envelope_op op,
                       const char *wallet);

/* Every new member stored its share: tell every node (old holders outside
 * the session too) to commit the new version and drop the old one; or,
 * with `abort`, to delete what the session stored. Only a commit is kept
 * in KV: a node that misses an abort has its pending share swept once the
 * session's lease has lapsed (node_ops_pending_sweep). */
void node_ops_session_commit(node_ops *o, node_envelope_op op,
                             const uint8_t sid[NODE_ENVELOPE_SID_BYTES],
                             const uint8_t *start, size_t len,
                             const char *wallet, bool abort)
{
    char key[NODE_REGISTRY_KEY_MAX_BYTES + 1];
    bool keep = !abort && commit_key(key, sizeof key, op, wallet);
    Mpcium__V1__SessionAck ack = MPCIUM__V1__SESSION_ACK__INIT;
    ack.error = abort ? MPC_ERR_PROTOCOL : MPC_OK;
    ack.start.data = (uint8_t *)start;
    ack.start.len = len;
    size_t alen = mpcium__v1__session_ack__get_packed_size(&ack);
    uint8_t *ab = malloc(alen);
    mpc_err e = MPC_ERR_NOMEM;
    if (ab != NULL) {
        mpcium__v1__session_ack__pack(&ack, ab);
        e = broadcast(o, NODE_OPS_COMMIT_SUBJECT, op, NODE_ENVELOPE_SESSION_ACK,
                      sid, ab, alen, keep ? key : NULL);
    }
    free(ab);
    if (e != MPC_OK)
        node_log(NODE_LOG_WARN, "commit not sent", "abort=%d err=%s",
                 (int)abort, mpc_err_str(e));
    commit_apply(o, o->cfg.self->id, sid, start, len, abort);
}

/* Fans out, runs our part, collects the reports, commits. */
static void run_session(node_ops *o, node_ops_result *r, reports *c,
                        const uint8_t *sb, size_t slen, const oldkey *k,
                        const node_client_request *req)
{
    uint8_t sid[NODE_ENVELOPE_SID_BYTES];
    bool ok =
        node_envelope_start_sid(sid, o->cfg.self->id, sb, slen) == MPC_OK &&
        reports_listen(c, sid) == MPC_OK &&
        broadcast(o, NODE_OPS_START_SUBJECT, k->op, NODE_ENVELOPE_SESSION_START,
                  sid, sb, slen, NULL) == MPC_OK;
    if (!ok) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_PEER_UNAVAILABLE,
                                "reshare: could not fan out");
        return;
    }
    node_ops_start *st = calloc(1, sizeof *st);
    if (st == NULL) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_NOMEM, "reshare");
        return;
    }
    if (node_ops_start_open(o, st, &r->problem, sid, k->op, sb, slen))
        node_ops_reshare_member(o, st, r);
    bool ec = k->op == NODE_ENVELOPE_OP_RESHARE_ECDSA;
    const char *members[NODE_CLIENT_NODES_MAX];
    for (size_t i = 0; i < req->n_node_ids; i++)
        members[i] = req->node_ids[i].s;
    if (r->problem.fail == 0) {
        reports_wait(c, REPORT_WAIT_MS);
        reports_check(c, members, req->n_node_ids,
                      ec ? r->ecdsa_pub : r->eddsa_pub, r);
    }
    /* The new shares are pending: committed, or deleted wherever some
     * member stored one. */
    node_ops_session_commit(o, k->op, sid, sb, slen, req->wallet_id.s,
                            r->problem.fail != 0);
    if (r->problem.fail == 0)
        keyinfo_put(o, ec ? "ecdsa" : "eddsa", req->wallet_id.s, members,
                    req->n_node_ids, req->threshold, k->version + 1u);
    node_ops_start_free(st);
    free(st);
}

void node_ops_reshare_coordinate(node_ops *o, node_ops_result *r,
                                 const node_client_request *req,
                                 const uint8_t *body, size_t len)
{
    if (req->key_type == NODE_CLIENT_KEY_SECP256K1 && o->cfg.aux == NULL) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_CONFIG,
                                "reshare: no ecdsa on this node");
        return;
    }
    oldkey *k = calloc(1, sizeof *k);
    reports *c = calloc(1, sizeof *c);
    const char *parties[NODE_OPS_COMMITTEE_MAX];
    size_t n = 0;
    uint8_t *sb = NULL;
    size_t slen = 0;
    if (k == NULL || c == NULL) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_NOMEM, "reshare");
        goto out;
    }
    if (!oldkey_load(o, k, req, &r->problem) ||
        !pick_parties(o, k, req, parties, &n, &r->problem))
        goto out;
    sb = start_pack(o, &slen, body, len, parties, n, k, req);
    if (sb == NULL || !reports_init(c, o, k->op, parties, n)) {
        node_client_problem_set(&r->problem, NODE_CLIENT_FAIL_NOMEM, "reshare");
        goto out;
    }
    run_session(o, r, c, sb, slen, k, req);
    reports_clear(c);
out:
    free(sb);
    free(c);
    if (k != NULL)
        oldkey_clear(o, k);
    free(k);
}

/* ---- commit: pending shares made the key, old versions deleted ---------- */

/* A keygen's shares (version 1, both curves) become the key. A missing
 * version 1 is no error: no secp256k1 share where ECDSA is not configured,
 * none at all on a node that joined later or once a reshare replaced it
 * (kept commits are applied again at every start). */
static mpc_err commit_keygen(node_ops *o, const char *wallet)
{
    mpc_err e = node_keystore_share_commit(
        o->cfg.ks, NULL, NODE_KEYSTORE_ED25519, wallet, 1, false);
    mpc_err ec = node_keystore_share_commit(
        o->cfg.ks, NULL, NODE_KEYSTORE_SECP256K1, wallet, 1, false);
    if (e == MPC_ERR_NOT_FOUND)
        e = MPC_OK;
    return e != MPC_OK ? e : ec == MPC_ERR_NOT_FOUND ? MPC_OK : ec;
}

/* Deletes the shares the session stored (still pending: a committed share
 * is never touched). */
static void abort_apply(node_ops *o, const uint8_t *sid, const char *wallet)
{
    char session[2 * NODE_ENVELOPE_SID_BYTES + 1];
    node_ops_sid_hex(session, sid);
    size_t deleted = 0;
    mpc_err e = node_keystore_share_abort(o->cfg.ks, &deleted, session);
    node_log(e == MPC_OK ? NODE_LOG_INFO : NODE_LOG_WARN, "session rolled back",
             "wallet=%s deleted=%zu err=%s", wallet, deleted, mpc_err_str(e));
}

/* Checks a commit's start as a member checks a SessionStart (the client's
 * signature included: only a keygen or reshare the initiator asked for
 * changes anything), then applies it: a keygen's pending shares committed;
 * a reshare's new version committed and the older ones deleted (a node
 * outside the new committee deletes what it holds up to the old version);
 * with `abort`, the session's pending shares deleted. */
static void commit_apply(node_ops *o, const char *coordinator,
                         const uint8_t *sid, const uint8_t *start, size_t len,
                         bool abort)
{
    uint8_t want[NODE_ENVELOPE_SID_BYTES];
    ProtobufCMessage *m = NULL;
    const Mpcium__V1__SessionStart *s = NULL;
    node_client_request *req = calloc(1, sizeof *req);
    const char *why = NULL;
    if (req == NULL)
        goto out;
    if (node_envelope_start_sid(want, coordinator, start, len) != MPC_OK ||
        memcmp(want, sid, sizeof want) != 0)
        why = "session id";
    else if (node_envelope_control_parse(&m, NODE_ENVELOPE_SESSION_START, start,
                                         len) != MPC_OK)
        why = "start";
    else if ((s = (const Mpcium__V1__SessionStart *)m)->operation !=
                 MPCIUM__V1__OPERATION__OPERATION_RESHARE_EDDSA &&
             s->operation != MPCIUM__V1__OPERATION__OPERATION_RESHARE_ECDSA &&
             s->operation != MPCIUM__V1__OPERATION__OPERATION_KEYGEN_EDDSA)
        why = "operation";
    else if (index_of(coordinator, (const char *const *)s->parties,
                      s->n_parties) == s->n_parties)
        why = "sender not a party";
    else if (node_client_request_parse(
                 req, NULL,
                 s->operation == MPCIUM__V1__OPERATION__OPERATION_KEYGEN_EDDSA
                     ? NODE_CLIENT_OP_KEYGEN
                     : NODE_CLIENT_OP_RESHARE,
                 s->request.data, s->request.len) != MPC_OK ||
             node_client_request_authenticate(
                 NULL, req, o->cfg.initiator_alg, o->cfg.initiator_key,
                 o->cfg.initiator_key_len, o->cfg.auth,
                 o->cfg.allow_legacy_path) != MPC_OK)
        why = "client request";
    if (why != NULL) {
        node_log(NODE_LOG_WARN, "commit refused", "from=%s reason=%s",
                 coordinator, why);
        goto out;
    }
    bool ec = s->operation == MPCIUM__V1__OPERATION__OPERATION_RESHARE_ECDSA;
    const char *wallet = req->wallet_id.s;
    if (abort) {
        abort_apply(o, sid, wallet);
        goto out;
    }
    if (s->operation == MPCIUM__V1__OPERATION__OPERATION_KEYGEN_EDDSA) {
        mpc_err ke = commit_keygen(o, wallet);
        node_log(ke == MPC_OK ? NODE_LOG_INFO : NODE_LOG_WARN,
                 "keygen committed", "wallet=%s err=%s", wallet,
                 mpc_err_str(ke));
        goto out;
    }
    bool member =
        index_of(o->cfg.self->id, (const char *const *)s->new_committee,
                 s->n_new_committee) < s->n_new_committee;
    node_keystore_curve curve =
        ec ? NODE_KEYSTORE_SECP256K1 : NODE_KEYSTORE_ED25519;
    size_t deleted = 0;
    mpc_err e =
        member ? node_keystore_share_commit(o->cfg.ks, &deleted, curve, wallet,
                                            s->key_version + 1u, true)
               : node_keystore_share_delete_upto(o->cfg.ks, &deleted, curve,
                                                 wallet, s->key_version);
    node_log(e == MPC_OK ? NODE_LOG_INFO : NODE_LOG_WARN, "reshare committed",
             "curve=%s wallet=%s version=%u member=%d deleted=%zu err=%s",
             ec ? "ecdsa" : "eddsa", wallet, (unsigned)s->key_version + 1u,
             (int)member, deleted, mpc_err_str(e));
    /* Presignatures of the old shares are never used again: drop them. */
    if (ec)
        node_ops_pool_purge(o, wallet, s->key_version + 1u);
out:
    if (m != NULL)
        node_envelope_control_free(m);
    node_client_request_clear(req);
    free(req);
}

typedef struct job {
    node_ops *o;
    bool core; /* a client request from mpc:reshare, else a commit */
    char client_id[NODE_CLIENT_CLIENT_ID_MAX_BYTES + 1];
    size_t len;
    uint8_t data[];
} job;

/* Opens a commit envelope (from the subject or from KV: the coordinator's
 * signature, then commit_apply's checks) and applies it. */
static void commit_job(node_ops *o, const uint8_t *data, size_t len)
{
    node_envelope env;
    if (node_envelope_open(&env, o->cfg.self, o->cfg.peers, ops_n_peers(o),
                           data, len) != MPC_OK)
        return;
    const Mpcium__V1__SessionAck *ack =
        env.meta.kind == NODE_ENVELOPE_SESSION_ACK &&
                (env.meta.op == NODE_ENVELOPE_OP_RESHARE_EDDSA ||
                 env.meta.op == NODE_ENVELOPE_OP_RESHARE_ECDSA ||
                 env.meta.op == NODE_ENVELOPE_OP_KEYGEN_EDDSA)
            ? (const Mpcium__V1__SessionAck *)env.control
            : NULL;
    /* error 0: a commit; any other: an abort. */
    if (ack != NULL && ack->start.len > 0)
        commit_apply(o, env.sender, env.meta.sid, ack->start.data,
                     ack->start.len, ack->error != 0);
    node_envelope_clear(&env);
}

/* mpc:reshare is core NATS (no redelivery, every node gets a copy): each
 * node moves its copy into the mpc-reshare stream under one Nats-Msg-Id,
 * so JetStream keeps exactly one and the shared durable hands it to one
 * node, which answers it like any JetStream request. */
static void core_job(node_ops *o, const job *j)
{
    node_client_request *req = calloc(1, sizeof *req);
    if (req == NULL)
        return;
    const char *sid = "invalid";
    if (node_client_request_parse(req, NULL, NODE_CLIENT_OP_RESHARE, j->data,
                                  j->len) == MPC_OK)
        sid = req->session_id.s;
    char subject[NODE_CLIENT_NAME_MAX_BYTES];
    uint8_t h[32];
    crypto_hash_sha256_state hs;
    crypto_hash_sha256_init(&hs);
    crypto_hash_sha256_update(&hs, (const uint8_t *)j->client_id,
                              strlen(j->client_id) + 1);
    crypto_hash_sha256_update(&hs, j->data, j->len);
    crypto_hash_sha256_final(&hs, h);
    char msg_id[16 + 65] = "core-reshare-";
    for (size_t i = 0; i < 32; i++)
        snprintf(msg_id + 13 + 2 * i, 3, "%02x", h[i]);
    node_header hdr[2] = {{NODE_CLIENT_HDR_MSG_ID, msg_id},
                          {NODE_CLIENT_HDR_CLIENT_ID, j->client_id}};
    mpc_err e = node_client_request_subject(subject, sizeof subject,
                                            NODE_CLIENT_OP_RESHARE, sid);
    if (e == MPC_OK)
        e = node_transport_js_publish(
            o->cfg.t, subject, hdr, j->client_id[0] != '\0' ? 2u : 1u, j->data,
            j->len, msg_id, PUBLISH_TIMEOUT_MS, NULL);
    if (e != MPC_OK)
        node_log(NODE_LOG_WARN, "mpc:reshare not forwarded", "err=%s",
                 mpc_err_str(e));
    node_client_request_clear(req);
    free(req);
}

static void *job_thread(void *arg)
{
    job *j = arg;
    node_ops *o = j->o;
    if (j->core)
        core_job(o, j);
    else
        commit_job(o, j->data, j->len);
    free(j);
    pthread_mutex_lock(&o->mu);
    o->members--;
    pthread_cond_broadcast(&o->cv);
    pthread_mutex_unlock(&o->mu);
    return NULL;
}

/* Transport thread: copy and hand to a thread of ours, never block. The
 * member-thread bound covers these too. */
static void spawn(node_ops *o, const node_msg *msg, bool core)
{
    size_t max = core ? NODE_CLIENT_REQUEST_MAX_BYTES : NODE_ENVELOPE_MAX_BYTES;
    if (msg->len > max)
        return;
    job *j = calloc(1, sizeof *j + msg->len);
    if (j == NULL)
        return;
    j->o = o;
    j->core = core;
    j->len = msg->len;
    memcpy(j->data, msg->data, msg->len);
    const char *cid =
        core ? node_msg_header(msg, NODE_CLIENT_HDR_CLIENT_ID) : NULL;
    if (cid != NULL && strlen(cid) < sizeof j->client_id)
        memcpy(j->client_id, cid, strlen(cid) + 1);
    pthread_mutex_lock(&o->mu);
    bool full = o->members >= NODE_OPS_MEMBERS_MAX;
    if (!full)
        o->members++;
    pthread_mutex_unlock(&o->mu);
    if (full) {
        free(j);
        return;
    }
    pthread_t th;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &at, job_thread, j) != 0) {
        free(j);
        pthread_mutex_lock(&o->mu);
        o->members--;
        pthread_cond_broadcast(&o->cv);
        pthread_mutex_unlock(&o->mu);
    }
    pthread_attr_destroy(&at);
}

static void on_commit(const node_msg *msg, void *ud)
{
    spawn(ud, msg, false);
}

static void on_core_request(const node_msg *msg, void *ud)
{
    spawn(ud, msg, true);
}

/* ---- commit delivery: the signed commit kept in NATS KV ------------------
 *
 * A node that misses the commit message (down, or cut off) would keep the
 * old version (an old member) or both (a new member, which then signs
 * with the old one). So the coordinator also keeps the commit envelope,
 * byte for byte, in KV (bucket COMMITS_BUCKET, key <curve>.<escaped
 * wallet>, the newest commit of the key), and every node applies what it
 * finds there: all of it at start, and a key's own on each load of a key
 * of which it holds more than one version. KV is not trusted: an entry is
 * applied only through commit_job, i.e. if the coordinator's envelope
 * signature and the initiator's signature on the reshare request verify,
 * exactly as a commit message. Applying a commit is idempotent and deletes
 * only versions up to the one it replaced, so an old or replayed entry
 * never deletes a newer version. */

#define COMMITS_BUCKET "mpc_reshare_commits"
#define CATCH_UP_WAIT_MS 2000

/* Key "<ecdsa|eddsa>.<wallet>" for a reshare, "keygen.<wallet>" for a
 * keygen (both curves). */
static bool commit_key(char *out, size_t cap, node_envelope_op op,
                       const char *wallet)
{
    const char *name = op == NODE_ENVELOPE_OP_KEYGEN_EDDSA    ? "keygen"
                       : op == NODE_ENVELOPE_OP_RESHARE_ECDSA ? "ecdsa"
                                                              : "eddsa";
    return node_registry_keyinfo_key(out, cap, name, wallet) == MPC_OK;
}

static mpc_err commits_bucket(node_ops *o)
{
    node_kv_config kc = {.bucket = COMMITS_BUCKET,
                         .description = "mpcium-node reshare commits",
                         .history = 1,
                         .storage = NODE_JS_FILE};
    return node_transport_kv_bucket_ensure(o->cfg.t, &kc);
}

/* Keeps a commit envelope we sealed in KV under its key's name. */
static void commit_keep(node_ops *o, const char *key, const uint8_t *env,
                        size_t len)
{
    mpc_err e = len <= NODE_KV_VALUE_MAX_BYTES ? commits_bucket(o)
                                               : MPC_ERR_INVALID_ARG;
    if (e == MPC_OK)
        e = node_transport_kv_put(o->cfg.t, COMMITS_BUCKET, key, env, len,
                                  NULL);
    if (e != MPC_OK)
        node_log(NODE_LOG_WARN, "reshare commit not kept in kv",
                 "key=%s err=%s", key, mpc_err_str(e));
}

static void catch_up(node_ops *o, node_envelope_op op, const char *wallet)
{
    char key[NODE_REGISTRY_KEY_MAX_BYTES + 1];
    /* No transport (unit tests of the keystore rules): nothing kept. */
    if (o->cfg.t == NULL)
        return;
    node_kv_entry *e = calloc(1, sizeof *e);
    if (e != NULL && commit_key(key, sizeof key, op, wallet) &&
        node_transport_kv_get(o->cfg.t, COMMITS_BUCKET, key, e) == MPC_OK)
        commit_job(o, e->value, e->len);
    free(e);
}

void node_ops_reshare_catch_up(node_ops *o, node_keystore_curve curve,
                               const char *wallet)
{
    catch_up(o,
             curve == NODE_KEYSTORE_SECP256K1 ? NODE_ENVELOPE_OP_RESHARE_ECDSA
                                              : NODE_ENVELOPE_OP_RESHARE_EDDSA,
             wallet);
}

void node_ops_commit_catch_up(node_ops *o, node_keystore_curve curve,
                              const char *wallet, uint32_t version)
{
    if (node_keystore_share_pending_get(o->cfg.ks, NULL, curve, wallet,
                                        version) != MPC_OK)
        return;
    if (version == 1)
        catch_up(o, NODE_ENVELOPE_OP_KEYGEN_EDDSA, wallet);
    else
        node_ops_reshare_catch_up(o, curve, wallet);
}

/* Applies every commit kept in KV: what we missed while down or
 * disconnected. */
void node_ops_commits_catch_up_all(node_ops *o)
{
    node_kv_watch *w = NULL;
    node_kv_entry *e = calloc(1, sizeof *e);
    size_t n = 0;
    if (e != NULL && commits_bucket(o) == MPC_OK &&
        node_transport_kv_watch(o->cfg.t, &w, COMMITS_BUCKET, ">") == MPC_OK) {
        while (node_transport_kv_watch_next(o->cfg.t, w, e, CATCH_UP_WAIT_MS) ==
                   MPC_OK &&
               e->op != NODE_KV_INIT_DONE) {
            if (e->op == NODE_KV_PUT) {
                commit_job(o, e->value, e->len);
                n++;
            }
        }
        node_transport_kv_unwatch(o->cfg.t, &w);
    }
    free(e);
    node_log(NODE_LOG_INFO, "reshare commits caught up", "seen=%zu", n);
}

mpc_err node_ops_reshare_listen(node_ops *o)
{
    mpc_err e = node_transport_subscribe(o->cfg.t, &o->commit_sub,
                                         NODE_OPS_COMMIT_SUBJECT, on_commit, o);
    if (e == MPC_OK)
        e = node_transport_subscribe(o->cfg.t, &o->core_sub,
                                     NODE_CLIENT_SUBJECT_RESHARE_CORE,
                                     on_core_request, o);
    /* The commits kept in KV are applied next, by node_ops_pending_sweep
     * (node_ops_listen), after the subscription: a commit sent meanwhile
     * arrives either way. */
    return e;
}

void node_ops_reshare_unlisten(node_ops *o)
{
    if (node_transport_unsubscribe(o->cfg.t, &o->core_sub) != MPC_OK)
        o->core_sub = NULL;
    if (node_transport_unsubscribe(o->cfg.t, &o->commit_sub) != MPC_OK)
        o->commit_sub = NULL;
}

/* ---- intake helpers ----------------------------------------------------- */

void node_ops_peers_grow(node_ops *o, size_t n_peers)
{
    /* Readers load the count without a lock: the release store orders the
     * new entries before it. */
    __atomic_store_n(&o->cfg.n_peers, n_peers, __ATOMIC_RELEASE);
}

bool node_ops_reshare_defer(node_ops *o, const node_client_request *req)
{
    if (o->cfg.registry == NULL)
        return false;
    bool ec = req->key_type == NODE_CLIENT_KEY_SECP256K1;
    size_t count = 0;
    if (node_keystore_share_versions(o->cfg.ks, NULL, 0, &count,
                                     ec ? NODE_KEYSTORE_SECP256K1
                                        : NODE_KEYSTORE_ED25519,
                                     req->wallet_id.s) == MPC_OK &&
        count == 0) {
        /* We hold nothing: if key info says others do, let one of them
         * coordinate (the message is redelivered); if nobody does, we
         * answer KEY_NOT_FOUND ourselves. */
        node_keyinfo *ki = calloc(1, sizeof *ki);
        bool held = ki != NULL && node_registry_keyinfo_get(
                                      o->cfg.registry, ec ? "ecdsa" : "eddsa",
                                      req->wallet_id.s, ki) == MPC_OK;
        free(ki);
        return held;
    }
    return false;
}

mpc_err node_ops_reshare_encode(uint8_t **out, size_t *len,
                                const node_client_request *req,
                                const node_ops_result *r)
{
    if (r->problem.fail != 0)
        return node_client_reshare_result_error(out, len, req->wallet_id.s,
                                                req->threshold, req->key_type,
                                                &r->problem);
    bool ec = req->key_type == NODE_CLIENT_KEY_SECP256K1;
    return node_client_reshare_result_success(
        out, len, req->wallet_id.s, req->threshold, req->key_type,
        ec ? r->ecdsa_pub : r->eddsa_pub, ec ? EC_PK : PK);
}
