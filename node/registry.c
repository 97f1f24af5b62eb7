/* node/registry.c — see registry.h. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "node/registry.h"

#define HEARTBEAT_MAX_BYTES 512
#define EVENTS_PER_POLL 1024
#define PUT_ATTEMPTS 5
#define PING_REPLY "OK"
#define RETRY_DIVISOR 4 /* a failed heartbeat is retried 4x as often */

struct peer {
    char id[NODE_REGISTRY_ID_MAX_BYTES + 1];
    bool seen;
    bool left; /* deleted its key */
    bool ready;
    int64_t seen_ms;
    int64_t ts_ms;
    char version[NODE_REGISTRY_VERSION_MAX_BYTES + 1];
};

struct node_registry {
    node_transport *t;
    char self[NODE_REGISTRY_ID_MAX_BYTES + 1];
    char version[NODE_REGISTRY_VERSION_MAX_BYTES + 1];
    int64_t interval_ms;
    int64_t window_ms;
    node_js_storage storage;
    node_keyinfo_fn on_keyinfo;
    void *keyinfo_ud;

    pthread_mutex_t mu; /* guards peers, ready, st */
    struct peer peers[NODE_REGISTRY_PEERS_MAX + 1];
    size_t npeers;
    bool ready;
    node_registry_stats st;

    /* The poll thread's. */
    int64_t next_heartbeat_ms;
    /* Our last heartbeat's revision until the watch echoes it back, and
     * when it was written: a watch that stays silent (cnats's ordered
     * consumer can take seconds to notice a server restart) is
     * restarted. */
    uint64_t echo_rev;
    int64_t echo_since_ms;
    node_kv_watch *hb_watch;
    node_kv_watch *ki_watch;
    node_sub *health;
    node_kv_entry ev;
};

/* ---- Validation ---- */

static bool id_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool node_registry_id_is_valid(const char *id)
{
    if (id == NULL)
        return false;
    size_t n = 0;
    for (; id[n] != 0; n++)
        if (!id_char((unsigned char)id[n]) || n >= NODE_REGISTRY_ID_MAX_BYTES)
            return false;
    return n > 0;
}

static bool version_is_valid(const char *v)
{
    if (v == NULL)
        return false;
    size_t n = 0;
    for (; v[n] != 0; n++) {
        unsigned char c = (unsigned char)v[n];
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' ||
            n >= NODE_REGISTRY_VERSION_MAX_BYTES)
            return false;
    }
    return n > 0;
}

static bool curve_is_valid(const char *c)
{
    if (c == NULL)
        return false;
    size_t n = 0;
    for (; c[n] != 0; n++)
        if (!((c[n] >= 'a' && c[n] <= 'z') || (c[n] >= '0' && c[n] <= '9')) ||
            n >= NODE_REGISTRY_CURVE_MAX_BYTES)
            return false;
    return n > 0;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

/* ---- JSON values ---- */

/* Serializes `root` (consumed) into out[0..*len). */
static mpc_err dump(json_t *root, uint8_t *out, size_t cap, size_t *len)
{
    *len = 0;
    if (root == NULL)
        return MPC_ERR_NOMEM;
    size_t n =
        json_dumpb(root, (char *)out, cap, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(root);
    if (n == 0 || n > cap) {
        if (cap > 0)
            memset(out, 0, cap);
        return MPC_ERR_INVALID_ARG;
    }
    *len = n;
    return MPC_OK;
}

mpc_err node_heartbeat_serialize(const node_heartbeat *hb, uint8_t *out,
                                 size_t cap, size_t *len)
{
    *len = 0;
    if (!node_registry_id_is_valid(hb->node_id) ||
        !version_is_valid(hb->version) || hb->ts_ms < 0)
        return MPC_ERR_INVALID_ARG;
    return dump(json_pack("{s:s, s:b, s:I, s:s}", "node_id", hb->node_id,
                          "ready", (int)hb->ready, "ts_ms",
                          (json_int_t)hb->ts_ms, "version", hb->version),
                out, cap, len);
}

mpc_err node_heartbeat_parse(const uint8_t *json, size_t len,
                             node_heartbeat *out)
{
    memset(out, 0, sizeof *out);
    if (json == NULL || len == 0 || len > HEARTBEAT_MAX_BYTES)
        return MPC_ERR_PARSE;
    json_error_t err;
    json_t *root =
        json_loadb((const char *)json, len, JSON_REJECT_DUPLICATES, &err);
    const char *id = NULL, *ver = NULL;
    size_t id_len = 0, ver_len = 0;
    int ready = 0;
    json_int_t ts = -1;
    bool ok = root != NULL &&
              json_unpack_ex(root, &err, JSON_STRICT, "{s:s%, s:b, s:I, s:s%}",
                             "node_id", &id, &id_len, "ready", &ready, "ts_ms",
                             &ts, "version", &ver, &ver_len) == 0 &&
              id_len == strlen(id) && node_registry_id_is_valid(id) &&
              ver_len == strlen(ver) && version_is_valid(ver) && ts >= 0;
    if (ok) {
        copy_str(out->node_id, sizeof out->node_id, id);
        copy_str(out->version, sizeof out->version, ver);
        out->ts_ms = (int64_t)ts;
        out->ready = ready != 0;
    }
    json_decref(root);
    return ok ? MPC_OK : MPC_ERR_PARSE;
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void sort_ids(node_keyinfo *ki)
{
    qsort(ki->participants, ki->nparticipants, sizeof ki->participants[0],
          cmp_id);
}

bool node_keyinfo_is_valid(const node_keyinfo *ki)
{
    if (ki->nparticipants == 0 || ki->nparticipants > NODE_REGISTRY_PEERS_MAX ||
        ki->threshold == 0 || ki->threshold > ki->nparticipants ||
        ki->version == 0)
        return false;
    for (size_t i = 0; i < ki->nparticipants; i++) {
        if (!node_registry_id_is_valid(ki->participants[i]))
            return false;
        for (size_t j = 0; j < i; j++)
            if (strcmp(ki->participants[i], ki->participants[j]) == 0)
                return false;
    }
    return true;
}

bool node_keyinfo_equal(const node_keyinfo *a, const node_keyinfo *b)
{
    if (a->threshold != b->threshold || a->version != b->version ||
        a->nparticipants != b->nparticipants ||
        a->nparticipants > NODE_REGISTRY_PEERS_MAX)
        return false;
    node_keyinfo x = *a, y = *b;
    sort_ids(&x);
    sort_ids(&y);
    for (size_t i = 0; i < x.nparticipants; i++)
        if (strcmp(x.participants[i], y.participants[i]) != 0)
            return false;
    return true;
}

mpc_err node_keyinfo_serialize(const node_keyinfo *ki, uint8_t *out, size_t cap,
                               size_t *len)
{
    *len = 0;
    if (!node_keyinfo_is_valid(ki))
        return MPC_ERR_INVALID_ARG;
    node_keyinfo sorted = *ki;
    sort_ids(&sorted);
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < sorted.nparticipants; i++)
        if (json_array_append_new(arr, json_string(sorted.participants[i])) !=
            0) {
            json_decref(arr);
            arr = NULL;
        }
    if (arr == NULL)
        return MPC_ERR_NOMEM;
    return dump(json_pack("{s:o, s:I, s:I}", "participant_peer_ids", arr,
                          "threshold", (json_int_t)ki->threshold, "version",
                          (json_int_t)ki->version),
                out, cap, len);
}

static bool parse_participants(json_t *arr, node_keyinfo *out)
{
    size_t n = json_array_size(arr);
    if (!json_is_array(arr) || n == 0 || n > NODE_REGISTRY_PEERS_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(arr, i);
        if (!json_is_string(v) ||
            json_string_length(v) != strlen(json_string_value(v)) ||
            !node_registry_id_is_valid(json_string_value(v)))
            return false;
        copy_str(out->participants[i], sizeof out->participants[i],
                 json_string_value(v));
    }
    out->nparticipants = n;
    return true;
}

mpc_err node_keyinfo_parse(const uint8_t *json, size_t len, node_keyinfo *out)
{
    memset(out, 0, sizeof *out);
    if (json == NULL || len == 0 || len > NODE_KV_VALUE_MAX_BYTES)
        return MPC_ERR_PARSE;
    json_error_t err;
    json_t *root =
        json_loadb((const char *)json, len, JSON_REJECT_DUPLICATES, &err);
    json_t *arr = NULL;
    json_int_t thr = 0, ver = 0;
    bool ok = root != NULL &&
              json_unpack_ex(root, &err, JSON_STRICT, "{s:o, s:I, s:I}",
                             "participant_peer_ids", &arr, "threshold", &thr,
                             "version", &ver) == 0 &&
              thr >= 1 && thr <= NODE_REGISTRY_PEERS_MAX && ver >= 1 &&
              ver <= UINT32_MAX && parse_participants(arr, out);
    json_decref(root);
    if (ok) {
        out->threshold = (uint32_t)thr;
        out->version = (uint32_t)ver;
        sort_ids(out);
        ok = node_keyinfo_is_valid(out);
    }
    if (!ok) {
        memset(out, 0, sizeof *out);
        return MPC_ERR_PARSE;
    }
    return MPC_OK;
}

/* ---- Key-info keys ---- */

static const char hexd[] = "0123456789ABCDEF";

mpc_err node_registry_keyinfo_key(char *out, size_t cap, const char *curve,
                                  const char *wallet)
{
    if (cap > 0)
        out[0] = 0;
    size_t wl = wallet != NULL ? strlen(wallet) : 0;
    if (!curve_is_valid(curve) || wl == 0 ||
        wl > NODE_REGISTRY_WALLET_MAX_BYTES)
        return MPC_ERR_INVALID_ARG;
    size_t n = strlen(curve);
    if (n + 1 >= cap)
        goto small;
    memcpy(out, curve, n);
    out[n++] = '.';
    for (size_t i = 0; i < wl; i++) {
        unsigned char c = (unsigned char)wallet[i];
        if (id_char(c)) {
            if (n + 1 >= cap)
                goto small;
            out[n++] = (char)c;
        } else {
            if (n + 3 >= cap)
                goto small;
            out[n++] = '=';
            out[n++] = hexd[c >> 4];
            out[n++] = hexd[c & 15];
        }
    }
    out[n] = 0;
    return MPC_OK;
small:
    memset(out, 0, cap);
    return MPC_ERR_INVALID_ARG;
}

static int hexval(char c)
{
    const char *p = c != 0 ? strchr(hexd, c) : NULL;
    return p != NULL ? (int)(p - hexd) : -1;
}

mpc_err
node_registry_keyinfo_key_parse(const char *key,
                                char curve[NODE_REGISTRY_CURVE_MAX_BYTES + 1],
                                char wallet[NODE_REGISTRY_WALLET_MAX_BYTES + 1])
{
    memset(curve, 0, NODE_REGISTRY_CURVE_MAX_BYTES + 1);
    memset(wallet, 0, NODE_REGISTRY_WALLET_MAX_BYTES + 1);
    const char *dot = strchr(key, '.');
    size_t cl = dot != NULL ? (size_t)(dot - key) : 0;
    if (cl == 0 || cl > NODE_REGISTRY_CURVE_MAX_BYTES)
        goto bad;
    memcpy(curve, key, cl);
    if (!curve_is_valid(curve))
        goto bad;
    size_t n = 0;
    for (const char *p = dot + 1; *p != 0; p++) {
        if (n == NODE_REGISTRY_WALLET_MAX_BYTES)
            goto bad;
        if (id_char((unsigned char)*p)) {
            wallet[n++] = *p;
            continue;
        }
        int hi = *p == '=' ? hexval(p[1]) : -1;
        int lo = hi >= 0 ? hexval(p[2]) : -1;
        /* Only the canonical escape of a byte that needs one. */
        if (lo < 0 || (hi << 4 | lo) == 0 ||
            id_char((unsigned char)(hi << 4 | lo)))
            goto bad;
        wallet[n++] = (char)(hi << 4 | lo);
        p += 2;
    }
    if (n == 0)
        goto bad;
    return MPC_OK;
bad:
    memset(curve, 0, NODE_REGISTRY_CURVE_MAX_BYTES + 1);
    memset(wallet, 0, NODE_REGISTRY_WALLET_MAX_BYTES + 1);
    return MPC_ERR_PARSE;
}

/* ---- The registry ---- */

void node_registry_config_default(node_registry_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->heartbeat_interval_ms = 2000;
    cfg->liveness_window_ms = 6000;
    cfg->health_responder = true;
    cfg->storage = NODE_JS_FILE;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct peer *peer_find(node_registry *r, const char *id)
{
    for (size_t i = 0; i < r->npeers; i++)
        if (strcmp(r->peers[i].id, id) == 0)
            return &r->peers[i];
    return NULL;
}

static bool alive(const node_registry *r, const struct peer *p, int64_t now)
{
    return p->seen && !p->left && now - p->seen_ms <= r->window_ms;
}

static void bucket_cfg(const node_registry *r, bool heartbeats,
                       node_kv_config *kc)
{
    memset(kc, 0, sizeof *kc);
    kc->bucket = heartbeats ? NODE_REGISTRY_BUCKET_HEARTBEATS
                            : NODE_REGISTRY_BUCKET_KEYINFO;
    kc->description =
        heartbeats ? "mpcium-node heartbeats" : "mpcium-node key info";
    kc->ttl_ms = heartbeats ? r->window_ms : 0;
    kc->history = 1;
    kc->storage = r->storage;
}

static mpc_err ensure_bucket(node_registry *r, bool heartbeats)
{
    node_kv_config kc;
    bucket_cfg(r, heartbeats, &kc);
    return node_transport_kv_bucket_ensure(r->t, &kc);
}

static void on_health(const node_msg *m, void *ud)
{
    node_registry *r = ud;
    if (m->reply == NULL)
        return;
    /* Counted before the reply leaves, so a requester that has the reply
     * always finds it counted (taken back if the reply cannot be sent).
     * Liveness only; the payload ("<sender>,<flag>") needs no answer. */
    pthread_mutex_lock(&r->mu);
    r->st.pings_answered++;
    pthread_mutex_unlock(&r->mu);
    if (node_transport_publish(r->t, m->reply, NULL, NULL, 0,
                               (const uint8_t *)PING_REPLY,
                               strlen(PING_REPLY)) == MPC_OK)
        return;
    pthread_mutex_lock(&r->mu);
    r->st.pings_answered--;
    pthread_mutex_unlock(&r->mu);
}

static bool config_ok(const node_registry_config *c)
{
    if (!node_registry_id_is_valid(c->node_id) ||
        !version_is_valid(c->version) || c->npeers > NODE_REGISTRY_PEERS_MAX ||
        (c->npeers > 0 && c->peers == NULL) || c->heartbeat_interval_ms <= 0 ||
        c->liveness_window_ms < 2 * c->heartbeat_interval_ms ||
        (c->storage != NODE_JS_FILE && c->storage != NODE_JS_MEMORY))
        return false;
    for (size_t i = 0; i < c->npeers; i++) {
        if (!node_registry_id_is_valid(c->peers[i]))
            return false;
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->peers[i], c->peers[j]) == 0)
                return false;
    }
    return true;
}

static mpc_err start_watch(node_registry *r, bool heartbeats)
{
    node_kv_watch **w = heartbeats ? &r->hb_watch : &r->ki_watch;
    const char *bucket = heartbeats ? NODE_REGISTRY_BUCKET_HEARTBEATS
                                    : NODE_REGISTRY_BUCKET_KEYINFO;
    node_transport_kv_unwatch(r->t, w);
    mpc_err e = node_transport_kv_watch(r->t, w, bucket, NULL);
    /* A bucket lost with a memory-storage server: ours to re-create. */
    if (e == MPC_ERR_NOT_FOUND && ensure_bucket(r, heartbeats) == MPC_OK)
        e = node_transport_kv_watch(r->t, w, bucket, NULL);
    return e;
}

mpc_err node_registry_new(node_registry **out, node_transport *t,
                          const node_registry_config *cfg)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    if (t == NULL || cfg == NULL || !config_ok(cfg))
        return MPC_ERR_INVALID_ARG;
    node_registry *r = calloc(1, sizeof *r);
    if (r == NULL)
        return MPC_ERR_NOMEM;
    if (pthread_mutex_init(&r->mu, NULL) != 0) {
        free(r);
        return MPC_ERR_NOMEM;
    }
    r->t = t;
    copy_str(r->self, sizeof r->self, cfg->node_id);
    copy_str(r->version, sizeof r->version, cfg->version);
    r->interval_ms = cfg->heartbeat_interval_ms;
    r->window_ms = cfg->liveness_window_ms;
    r->storage = cfg->storage;
    r->on_keyinfo = cfg->on_keyinfo;
    r->keyinfo_ud = cfg->keyinfo_ud;
    for (size_t i = 0; i < cfg->npeers; i++)
        copy_str(r->peers[r->npeers++].id, sizeof r->peers[0].id,
                 cfg->peers[i]);
    if (peer_find(r, r->self) == NULL)
        copy_str(r->peers[r->npeers++].id, sizeof r->peers[0].id, r->self);

    mpc_err e = ensure_bucket(r, true);
    if (e == MPC_OK)
        e = ensure_bucket(r, false);
    if (e == MPC_OK)
        e = start_watch(r, true);
    if (e == MPC_OK)
        e = start_watch(r, false);
    if (e == MPC_OK && cfg->health_responder) {
        char subj[sizeof NODE_REGISTRY_HEALTH_PREFIX +
                  NODE_REGISTRY_ID_MAX_BYTES];
        snprintf(subj, sizeof subj, NODE_REGISTRY_HEALTH_PREFIX "%s", r->self);
        e = node_transport_subscribe(t, &r->health, subj, on_health, r);
    }
    if (e != MPC_OK) {
        node_registry_free(r);
        return e;
    }
    *out = r;
    return MPC_OK;
}

void node_registry_free(node_registry *r)
{
    if (r == NULL)
        return;
    /* Leave cleanly: a delete is seen at once, expiry only after the
     * window. Best effort: we may be shutting down because NATS is gone. */
    mpc_err e = node_transport_kv_delete(r->t, NODE_REGISTRY_BUCKET_HEARTBEATS,
                                         r->self);
    (void)e;
    /* The health callback uses `r`: if it cannot be stopped, leak. */
    if (node_transport_unsubscribe(r->t, &r->health) != MPC_OK)
        return;
    node_transport_kv_unwatch(r->t, &r->hb_watch);
    node_transport_kv_unwatch(r->t, &r->ki_watch);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

static mpc_err write_heartbeat(node_registry *r, uint64_t *rev)
{
    node_heartbeat hb;
    memset(&hb, 0, sizeof hb);
    copy_str(hb.node_id, sizeof hb.node_id, r->self);
    copy_str(hb.version, sizeof hb.version, r->version);
    hb.ts_ms = wall_ms();
    pthread_mutex_lock(&r->mu);
    hb.ready = r->ready;
    pthread_mutex_unlock(&r->mu);
    uint8_t buf[HEARTBEAT_MAX_BYTES];
    size_t len = 0;
    mpc_err e = node_heartbeat_serialize(&hb, buf, sizeof buf, &len);
    if (e == MPC_OK)
        e = node_transport_kv_put(r->t, NODE_REGISTRY_BUCKET_HEARTBEATS,
                                  r->self, buf, len, rev);
    /* A memory-backed bucket vanishes with a server restart: recreate. */
    if (e == MPC_ERR_NOT_FOUND && ensure_bucket(r, true) == MPC_OK)
        e = node_transport_kv_put(r->t, NODE_REGISTRY_BUCKET_HEARTBEATS,
                                  r->self, buf, len, rev);
    pthread_mutex_lock(&r->mu);
    if (e == MPC_OK)
        r->st.heartbeats_sent++;
    else
        r->st.heartbeat_errors++;
    pthread_mutex_unlock(&r->mu);
    return e;
}

mpc_err node_registry_set_ready(node_registry *r, bool ready)
{
    pthread_mutex_lock(&r->mu);
    r->ready = ready;
    pthread_mutex_unlock(&r->mu);
    return write_heartbeat(r, NULL);
}

static void apply_heartbeat(node_registry *r, const node_kv_entry *ev,
                            int64_t now_ms)
{
    if (r->echo_rev != 0 && ev->revision >= r->echo_rev &&
        strcmp(ev->key, r->self) == 0)
        r->echo_rev = 0;
    node_heartbeat hb;
    bool put = ev->op == NODE_KV_PUT;
    bool parsed = put &&
                  node_heartbeat_parse(ev->value, ev->len, &hb) == MPC_OK &&
                  strcmp(hb.node_id, ev->key) == 0;
    /* Age from the server's write time, so an old entry replayed at watch
     * start does not count as fresh; never beyond the window. */
    int64_t age = wall_ms() - ev->created_ms;
    age = age < 0 ? 0 : age > r->window_ms ? r->window_ms : age;
    pthread_mutex_lock(&r->mu);
    struct peer *p = peer_find(r, ev->key);
    if (p == NULL) {
        r->st.unknown_heartbeats += put;
    } else if (!put) {
        p->left = true;
        p->ready = false;
    } else if (!parsed) {
        r->st.bad_entries++;
    } else if (!p->seen || now_ms - age >= p->seen_ms) {
        p->seen = true;
        p->left = false;
        p->seen_ms = now_ms - age;
        p->ready = hb.ready;
        p->ts_ms = hb.ts_ms;
        copy_str(p->version, sizeof p->version, hb.version);
    }
    pthread_mutex_unlock(&r->mu);
}

static void apply_keyinfo(node_registry *r, const node_kv_entry *ev)
{
    char curve[NODE_REGISTRY_CURVE_MAX_BYTES + 1];
    char wallet[NODE_REGISTRY_WALLET_MAX_BYTES + 1];
    node_keyinfo ki;
    bool ok =
        node_registry_keyinfo_key_parse(ev->key, curve, wallet) == MPC_OK &&
        (ev->op != NODE_KV_PUT ||
         node_keyinfo_parse(ev->value, ev->len, &ki) == MPC_OK);
    if (!ok) {
        pthread_mutex_lock(&r->mu);
        r->st.bad_entries++;
        pthread_mutex_unlock(&r->mu);
        return;
    }
    if (r->on_keyinfo != NULL)
        r->on_keyinfo(r->keyinfo_ud, curve, wallet,
                      ev->op == NODE_KV_PUT ? &ki : NULL);
}

/* Applies the queued events of one watcher; restarts it if it stopped. */
static mpc_err drain(node_registry *r, bool heartbeats, int64_t now_ms,
                     int64_t wait_ms)
{
    node_kv_watch *w = heartbeats ? r->hb_watch : r->ki_watch;
    if (w == NULL) {
        mpc_err e = start_watch(r, heartbeats);
        pthread_mutex_lock(&r->mu);
        r->st.watch_restarts++;
        pthread_mutex_unlock(&r->mu);
        return e;
    }
    for (int i = 0; i < EVENTS_PER_POLL; i++) {
        mpc_err e =
            node_transport_kv_watch_next(r->t, w, &r->ev, i == 0 ? wait_ms : 0);
        if (e == MPC_ERR_TIMEOUT)
            return MPC_OK;
        if (e == MPC_ERR_PARSE) {
            pthread_mutex_lock(&r->mu);
            r->st.bad_entries++;
            pthread_mutex_unlock(&r->mu);
            continue;
        }
        if (e != MPC_OK) {
            /* Stopped (bucket gone, connection closed): next poll
             * restarts it. */
            node_transport_kv_unwatch(r->t,
                                      heartbeats ? &r->hb_watch : &r->ki_watch);
            return e;
        }
        if (r->ev.op == NODE_KV_INIT_DONE)
            continue;
        if (heartbeats)
            apply_heartbeat(r, &r->ev, now_ms);
        else
            apply_keyinfo(r, &r->ev);
    }
    return MPC_OK;
}

/* Restarts both watchers when our own heartbeat was not echoed back. */
static void check_echo(node_registry *r, int64_t now_ms)
{
    if (r->echo_rev == 0 || now_ms - r->echo_since_ms <= r->interval_ms)
        return;
    node_transport_kv_unwatch(r->t, &r->hb_watch);
    node_transport_kv_unwatch(r->t, &r->ki_watch);
    r->echo_since_ms = now_ms; /* once per interval at most */
}

mpc_err node_registry_poll(node_registry *r, int64_t now_ms, int64_t wait_ms)
{
    mpc_err result = MPC_OK;
    if (now_ms >= r->next_heartbeat_ms) {
        uint64_t rev = 0;
        result = write_heartbeat(r, &rev);
        r->next_heartbeat_ms =
            now_ms + (result == MPC_OK ? r->interval_ms
                                       : r->interval_ms / RETRY_DIVISOR);
        if (result == MPC_OK && r->echo_rev == 0) {
            r->echo_rev = rev;
            r->echo_since_ms = now_ms;
        }
    }
    mpc_err e = drain(r, true, now_ms, wait_ms > 0 ? wait_ms : 0);
    if (result == MPC_OK)
        result = e;
    e = drain(r, false, now_ms, 0);
    check_echo(r, now_ms);
    return result == MPC_OK ? e : result;
}

mpc_err node_registry_peer_add(node_registry *r, const char *node_id)
{
    if (!node_registry_id_is_valid(node_id))
        return MPC_ERR_INVALID_ARG;
    mpc_err e = MPC_OK;
    pthread_mutex_lock(&r->mu);
    if (peer_find(r, node_id) == NULL) {
        /* The array holds the configured maximum and ourselves. */
        if (r->npeers < NODE_REGISTRY_PEERS_MAX + 1)
            copy_str(r->peers[r->npeers++].id, sizeof r->peers[0].id, node_id);
        else
            e = MPC_ERR_INVALID_ARG;
    }
    pthread_mutex_unlock(&r->mu);
    return e;
}

mpc_err node_registry_peer(node_registry *r, const char *node_id,
                           int64_t now_ms, node_peer_status *out)
{
    memset(out, 0, sizeof *out);
    mpc_err e = MPC_ERR_NOT_FOUND;
    pthread_mutex_lock(&r->mu);
    const struct peer *p = node_id != NULL ? peer_find(r, node_id) : NULL;
    if (p != NULL) {
        out->alive = alive(r, p, now_ms);
        out->ready = out->alive && p->ready;
        out->seen_ms = p->seen ? p->seen_ms : 0;
        out->ts_ms = p->ts_ms;
        copy_str(out->version, sizeof out->version, p->version);
        e = MPC_OK;
    }
    pthread_mutex_unlock(&r->mu);
    return e;
}

size_t node_registry_alive(node_registry *r, int64_t now_ms, bool ready_only,
                           const char **out, size_t cap)
{
    size_t n = 0;
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->npeers; i++) {
        const struct peer *p = &r->peers[i];
        if (!alive(r, p, now_ms) || (ready_only && !p->ready))
            continue;
        if (n < cap)
            out[n] = p->id;
        n++;
    }
    pthread_mutex_unlock(&r->mu);
    return n;
}

mpc_err node_registry_ping(node_registry *r, const char *node_id,
                           int64_t timeout_ms)
{
    if (!node_registry_id_is_valid(node_id) || timeout_ms <= 0)
        return MPC_ERR_INVALID_ARG;
    char subj[sizeof NODE_REGISTRY_HEALTH_PREFIX + NODE_REGISTRY_ID_MAX_BYTES];
    snprintf(subj, sizeof subj, NODE_REGISTRY_HEALTH_PREFIX "%s", node_id);
    char body[NODE_REGISTRY_ID_MAX_BYTES + 8];
    pthread_mutex_lock(&r->mu);
    int n = snprintf(body, sizeof body, "%s,%s", r->self,
                     r->ready ? "true" : "false");
    pthread_mutex_unlock(&r->mu);
    uint8_t reply[8];
    size_t len = 0;
    mpc_err e = node_transport_request(r->t, subj, NULL, 0,
                                       (const uint8_t *)body, (size_t)n,
                                       timeout_ms, reply, sizeof reply, &len);
    if (e == MPC_ERR_PARSE ||
        (e == MPC_OK &&
         (len != strlen(PING_REPLY) || memcmp(reply, PING_REPLY, len) != 0)))
        return MPC_ERR_PROTOCOL;
    return e;
}

/* ---- Key info ---- */

mpc_err node_registry_keyinfo_get(node_registry *r, const char *curve,
                                  const char *wallet, node_keyinfo *out)
{
    memset(out, 0, sizeof *out);
    char key[NODE_REGISTRY_KEY_MAX_BYTES + 1];
    mpc_err e = node_registry_keyinfo_key(key, sizeof key, curve, wallet);
    if (e != MPC_OK)
        return e;
    node_kv_entry ent;
    e = node_transport_kv_get(r->t, NODE_REGISTRY_BUCKET_KEYINFO, key, &ent);
    if (e == MPC_OK)
        e = node_keyinfo_parse(ent.value, ent.len, out);
    return e;
}

/* One attempt; MPC_ERR_CONFLICT from the store means "raced, retry". */
static mpc_err put_once(node_registry *r, const char *key,
                        const node_keyinfo *ki, const uint8_t *buf, size_t len,
                        bool *raced)
{
    node_kv_entry ent;
    node_keyinfo have;
    *raced = false;
    mpc_err e =
        node_transport_kv_get(r->t, NODE_REGISTRY_BUCKET_KEYINFO, key, &ent);
    if (e == MPC_ERR_NOT_FOUND) {
        e = node_transport_kv_create(r->t, NODE_REGISTRY_BUCKET_KEYINFO, key,
                                     buf, len, NULL);
        *raced = e == MPC_ERR_CONFLICT;
        return e;
    }
    if (e != MPC_OK)
        return e;
    e = node_keyinfo_parse(ent.value, ent.len, &have);
    if (e != MPC_OK)
        return e;
    if (node_keyinfo_equal(&have, ki))
        return MPC_OK;
    if (have.version >= ki->version)
        return MPC_ERR_CONFLICT; /* newer, or another outcome of ours */
    e = node_transport_kv_update(r->t, NODE_REGISTRY_BUCKET_KEYINFO, key, buf,
                                 len, ent.revision, NULL);
    *raced = e == MPC_ERR_CONFLICT;
    return e;
}

mpc_err node_registry_keyinfo_put(node_registry *r, const char *curve,
                                  const char *wallet, const node_keyinfo *ki)
{
    char key[NODE_REGISTRY_KEY_MAX_BYTES + 1];
    mpc_err e = node_registry_keyinfo_key(key, sizeof key, curve, wallet);
    if (e != MPC_OK)
        return e;
    uint8_t buf[NODE_KV_VALUE_MAX_BYTES];
    size_t len = 0;
    e = node_keyinfo_serialize(ki, buf, sizeof buf, &len);
    if (e != MPC_OK)
        return e;
    for (int i = 0; i < PUT_ATTEMPTS; i++) {
        bool raced = false;
        e = put_once(r, key, ki, buf, len, &raced);
        if (!raced)
            return e;
    }
    return MPC_ERR_CONFLICT;
}

void node_registry_stats_get(node_registry *r, node_registry_stats *out)
{
    pthread_mutex_lock(&r->mu);
    *out = r->st;
    pthread_mutex_unlock(&r->mu);
}
