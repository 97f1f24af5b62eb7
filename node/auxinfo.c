/*
 * node/auxinfo.c — Paillier primes and committee aux-info (see auxinfo.h).
 */
#include "node/auxinfo.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/os_rng.h"
#include "mpc/bn.h"
#include "mpc/cggmp_codec.h"
#include "mpc/mem.h"
#include "mpc/paillier.h"
#include "node/log.h"

#define FORMAT 1
#define PRIMES_ID_PREFIX "paillier-primes."
#define BACKOFF_MIN_MS 1000u
#define BACKOFF_MAX_MS 30000u
/* How often a node that is not the coordinator looks for the record (a
 * member's store also wakes it at once). */
#define RECHECK_MS 2000u
/* And once the committee has it. */
#define IDLE_RECHECK_MS 30000u
#define FIXTURE_MAX_BYTES (1u << 20)
#define COMMITTEE_DOMAIN "mpcium-c/aux-committee/v1"

/* A decoded aux-info shared read-only by the sessions that acquired it
 * (decoding builds the ring-Pedersen tables: worth doing once). `aux` is
 * first so that a released pointer finds its entry. */
typedef struct entry {
    mpc_cggmp_aux_info aux;
    uint8_t cid[NODE_AUXINFO_COMMITTEE_ID_BYTES];
    unsigned refs;
    /* False once the record was replaced or deleted: freed at refs 0. */
    bool current;
    struct entry *next;
} entry;

/* Unreferenced current entries kept; referenced ones are never evicted. */
#define CACHE_KEEP 4
/* Committees other than the peers file's kept present (node_auxinfo_want);
 * the oldest is dropped when a new one does not fit. */
#define WANT_MAX 8

typedef struct wanted {
    char ids[NODE_AUXINFO_COMMITTEE_MAX][NODE_AUXINFO_ID_MAX_BYTES + 1];
    size_t n;
} wanted;

struct node_auxinfo {
    const mpc_ctx *ctx;
    node_keystore *ks;
    const mpc_params *params;
    char self[NODE_AUXINFO_ID_MAX_BYTES + 1];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* The current committee, sorted. */
    char ids[NODE_AUXINFO_COMMITTEE_MAX][NODE_AUXINFO_ID_MAX_BYTES + 1];
    size_t n;
    bool have_primes;
    uint8_t primes[NODE_AUXINFO_PRIMES_MAX_BYTES];
    size_t primes_len;
    bool committee_ready;
    bool stop;
    bool kicked;
    bool started;
    pthread_t thread;
    node_auxinfo_run_fn run;
    void *ud;
    /* Guarded by mu; gen counts record replacements. */
    entry *cache;
    uint64_t gen;
    /* Guarded by mu: the wanted committees, sorted ids each, oldest first. */
    wanted want[WANT_MAX];
    size_t n_want;
};

static void cache_invalidate(node_auxinfo *a, const uint8_t *cid);

/* ---- pure helpers -------------------------------------------------------- */

static int cmp_id(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool id_ok(const char *id)
{
    size_t len = strlen(id);
    return len >= 1 && len <= NODE_AUXINFO_ID_MAX_BYTES;
}

/* ids sorted, distinct and of valid lengths. */
static bool sorted_ok(const char *const *ids, size_t n)
{
    if (n < 1 || n > NODE_AUXINFO_COMMITTEE_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!id_ok(ids[i]) || (i > 0 && strcmp(ids[i - 1], ids[i]) >= 0))
            return false;
    return true;
}

/* sorted[] = the n ids in ascending order; false if invalid. */
static bool sort_ids(const char **sorted, const char *const *ids, size_t n)
{
    if (n < 1 || n > NODE_AUXINFO_COMMITTEE_MAX)
        return false;
    memcpy(sorted, ids, n * sizeof *ids);
    qsort(sorted, n, sizeof *sorted, cmp_id);
    return sorted_ok(sorted, n);
}

mpc_err node_auxinfo_committee_id(uint8_t out[NODE_AUXINFO_COMMITTEE_ID_BYTES],
                                  mpc_params_id params, const char *const *ids,
                                  size_t n)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    memset(out, 0, NODE_AUXINFO_COMMITTEE_ID_BYTES);
    const char *sorted[NODE_AUXINFO_COMMITTEE_MAX];
    if (ids == NULL || !sort_ids(sorted, ids, n))
        return MPC_ERR_INVALID_ARG;
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const uint8_t *)COMMITTEE_DOMAIN,
                              sizeof COMMITTEE_DOMAIN - 1);
    uint8_t b = (uint8_t)params;
    crypto_hash_sha256_update(&h, &b, 1);
    for (size_t i = 0; i < n; i++) {
        b = (uint8_t)strlen(sorted[i]);
        crypto_hash_sha256_update(&h, &b, 1);
        crypto_hash_sha256_update(&h, (const uint8_t *)sorted[i], b);
    }
    crypto_hash_sha256_final(&h, out);
    return MPC_OK;
}

/* Finds the next line of text; returns its length, advances *pos. */
static size_t next_line(const char *text, size_t len, size_t *pos,
                        const char **line)
{
    size_t s = *pos;
    size_t e = s;
    while (e < len && text[e] != '\n')
        e++;
    *line = text + s;
    *pos = e < len ? e + 1 : e;
    return e - s;
}

/* The bit count at the start of a line, or 0; *hex points after "<bits> ". */
static unsigned line_bits(const char *line, size_t len, const char **hex,
                          size_t *hex_len)
{
    unsigned bits = 0;
    size_t i = 0;
    while (i < len && i < 6 && line[i] >= '0' && line[i] <= '9')
        bits = bits * 10u + (unsigned)(line[i++] - '0');
    if (i == 0 || i >= len || line[i] != ' ')
        return 0;
    *hex = line + i + 1;
    *hex_len = len - i - 1;
    while (*hex_len > 0 && (*hex)[*hex_len - 1] == '\r')
        (*hex_len)--;
    return bits;
}

mpc_err node_auxinfo_fixture_parse(uint8_t *out, size_t cap, size_t *len,
                                   const char *text, size_t text_len,
                                   mpc_params_id params, unsigned index)
{
    if (len == NULL)
        return MPC_ERR_INVALID_ARG;
    *len = 0;
    const mpc_params *ps = mpc_params_get(params);
    if (out == NULL || text == NULL || ps == NULL || index > 1000u)
        return MPC_ERR_INVALID_ARG;
    size_t pb = ps->prime_bits / 8;
    if (cap < 2 * pb)
        return MPC_ERR_INVALID_ARG;
    unsigned want = 2 * index;
    unsigned seen = 0;
    unsigned found = 0;
    size_t pos = 0;
    while (pos < text_len && found < 2) {
        const char *line;
        size_t ll = next_line(text, text_len, &pos, &line);
        const char *hex = NULL;
        size_t hl = 0;
        if (ll == 0 || line[0] == '#' ||
            line_bits(line, ll, &hex, &hl) != ps->prime_bits)
            continue;
        if (seen++ != want + found)
            continue;
        size_t got = 0;
        if (hl != 2 * pb ||
            sodium_hex2bin(out + found * pb, pb, hex, hl, NULL, &got, NULL) !=
                0 ||
            got != pb || (out[found * pb] & 0x80) == 0)
            break;
        found++;
    }
    if (found != 2) {
        mpc_wipe(out, cap);
        return MPC_ERR_PARSE;
    }
    *len = 2 * pb;
    return MPC_OK;
}

/* ---- primes -------------------------------------------------------------- */

static void primes_id(char *out, size_t cap, const mpc_params *ps)
{
    snprintf(out, cap, PRIMES_ID_PREFIX "%s", ps->name);
}

/* The primes make a valid key of the set (cheap checks, no primality). */
static mpc_err primes_check(const node_auxinfo *a, const uint8_t *p, size_t len)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    mpc_err e = mpc_paillier_sk_import_primes(a->ctx, &sk, a->params, p, len);
    mpc_paillier_sk_clear(&sk);
    return e == MPC_OK ? MPC_OK : MPC_ERR_PARSE;
}

static mpc_err primes_load_stored(node_auxinfo *a)
{
    char id[96];
    primes_id(id, sizeof id, a->params);
    uint8_t *b = NULL;
    size_t len = 0;
    mpc_err e = node_keystore_blob_get(a->ks, &b, &len, NODE_KEYSTORE_META, id);
    if (e != MPC_OK)
        return e;
    size_t want = 2 * (a->params->prime_bits / 8);
    if (len != 2 + want || b[0] != FORMAT || b[1] != (uint8_t)a->params->id ||
        primes_check(a, b + 2, want) != MPC_OK)
        e = MPC_ERR_PARSE;
    if (e == MPC_OK) {
        memcpy(a->primes, b + 2, want);
        a->primes_len = want;
        a->have_primes = true;
    }
    node_keystore_value_free(b, len);
    return e;
}

static mpc_err primes_load_fixture(node_auxinfo *a, const char *path,
                                   unsigned index)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return MPC_ERR_IO;
    char *text = malloc(FIXTURE_MAX_BYTES);
    size_t len = text != NULL ? fread(text, 1, FIXTURE_MAX_BYTES, f) : 0;
    bool err = ferror(f) != 0;
    fclose(f);
    if (text == NULL)
        return MPC_ERR_NOMEM;
    mpc_err e = err ? MPC_ERR_IO
                    : node_auxinfo_fixture_parse(a->primes, sizeof a->primes,
                                                 &a->primes_len, text, len,
                                                 a->params->id, index);
    free(text);
    if (e == MPC_OK)
        e = primes_check(a, a->primes, a->primes_len);
    if (e == MPC_OK)
        a->have_primes = true;
    else
        mpc_wipe(a->primes, sizeof a->primes);
    return e;
}

/*
 * The two safe primes are searched on two detached threads that own all
 * they use (their own context on the OS generator, the job), because a
 * search can take half a minute and a stopping node must not wait for it:
 * the waiter polls the stop flag and may leave first. Whoever leaves last
 * (the waiter or a search) wipes and frees the job.
 */
#define PRIME_POLL_MS 100

typedef struct prime_job prime_job;

typedef struct prime_slot {
    prime_job *j;
    mpz_t p; /* SECRET */
    mpc_err e;
} prime_slot;

struct prime_job {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned refs; /* the waiter and each search not yet finished */
    unsigned done;
    size_t bits;
    prime_slot slot[2];
};

/* Called with j->mu held; releases it. */
static void job_unref(prime_job *j)
{
    bool last = --j->refs == 0;
    pthread_mutex_unlock(&j->mu);
    if (!last)
        return;
    mpc_bn_clear(j->slot[0].p);
    mpc_bn_clear(j->slot[1].p);
    pthread_cond_destroy(&j->cv);
    pthread_mutex_destroy(&j->mu);
    free(j);
}

static void *prime_search(void *arg)
{
    prime_slot *sl = arg;
    prime_job *j = sl->j;
    mpz_t p;
    mpz_init(p);
    mpc_ctx *ctx = NULL;
    mpc_ctx_config cc = {.rng = os_rng_fill};
    mpc_err e = mpc_ctx_new(&ctx, &cc);
    if (e == MPC_OK)
        e = mpc_bn_safe_prime_generate(ctx, p, j->bits);
    mpc_ctx_free(ctx);
    pthread_mutex_lock(&j->mu);
    mpz_swap(sl->p, p);
    sl->e = e;
    j->done++;
    pthread_cond_broadcast(&j->cv);
    job_unref(j);
    mpc_bn_clear(p);
    return NULL;
}

static prime_job *job_new(size_t bits)
{
    prime_job *j = calloc(1, sizeof *j);
    if (j == NULL)
        return NULL;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&j->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0 || pthread_mutex_init(&j->mu, NULL) != 0) {
        if (rc == 0)
            pthread_cond_destroy(&j->cv);
        free(j);
        return NULL;
    }
    j->refs = 1;
    j->bits = bits;
    for (size_t i = 0; i < 2; i++) {
        j->slot[i].j = j;
        mpz_init(j->slot[i].p);
    }
    return j;
}

/* Starts a detached search; runs it here when no thread can be made. */
static void search_spawn(prime_job *j, prime_slot *sl)
{
    pthread_mutex_lock(&j->mu);
    j->refs++;
    pthread_mutex_unlock(&j->mu);
    pthread_attr_t attr;
    bool started = false;
    if (pthread_attr_init(&attr) == 0) {
        pthread_t th;
        started =
            pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
            pthread_create(&th, &attr, prime_search, sl) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!started)
        prime_search(sl);
}

static bool stopping(node_auxinfo *a);

/* Waits for both searches; false when the node stops first. Called and
 * returns with j->mu held. */
static bool job_wait(node_auxinfo *a, prime_job *j)
{
    while (j->done < 2) {
        if (stopping(a))
            return false;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += PRIME_POLL_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        (void)pthread_cond_timedwait(&j->cv, &j->mu, &ts);
    }
    return true;
}

/* A Paillier key from two safe primes made in parallel (the search is most
 * of a node's first start). MPC_ERR_STATE: the node is stopping. */
static mpc_err keygen_parallel(node_auxinfo *a, mpc_paillier_sk *sk)
{
    prime_job *j = job_new(a->params->prime_bits);
    if (j == NULL)
        return MPC_ERR_NOMEM;
    search_spawn(j, &j->slot[0]);
    search_spawn(j, &j->slot[1]);
    pthread_mutex_lock(&j->mu);
    mpc_err e = MPC_ERR_STATE;
    if (job_wait(a, j)) {
        mpz_t *p = &j->slot[0].p, *q = &j->slot[1].p;
        e = j->slot[0].e != MPC_OK ? j->slot[0].e : j->slot[1].e;
        while (e == MPC_OK && mpz_cmp(*p, *q) == 0)
            e = mpc_bn_safe_prime_generate(a->ctx, *q, a->params->prime_bits);
        if (e == MPC_OK)
            e = mpc_paillier_sk_from_primes(a->ctx, sk, a->params, *p, *q);
    }
    job_unref(j);
    return e;
}

/* Makes two safe primes and stores them sealed (the manager's thread). */
static mpc_err primes_make(node_auxinfo *a)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* Seconds to minutes of CPU: say so before, not only after. */
    node_log(NODE_LOG_INFO, "generating paillier primes", "set=%s bits=%u",
             a->params->name, a->params->prime_bits);
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    size_t want = 2 * (a->params->prime_bits / 8);
    uint8_t rec[2 + NODE_AUXINFO_PRIMES_MAX_BYTES];
    rec[0] = FORMAT;
    rec[1] = (uint8_t)a->params->id;
    mpc_err e = keygen_parallel(a, &sk);
    if (e == MPC_OK)
        e = mpc_paillier_sk_export_primes(rec + 2, want, &sk);
    mpc_paillier_sk_clear(&sk);
    char id[96];
    primes_id(id, sizeof id, a->params);
    if (e == MPC_OK)
        e = node_keystore_blob_put(a->ks, NODE_KEYSTORE_META, id, rec,
                                   2 + want);
    if (e == MPC_OK) {
        pthread_mutex_lock(&a->mu);
        memcpy(a->primes, rec + 2, want);
        a->primes_len = want;
        a->have_primes = true;
        pthread_mutex_unlock(&a->mu);
    }
    mpc_wipe(rec, sizeof rec);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (long)(t1.tv_sec - t0.tv_sec) * 1000L +
              (t1.tv_nsec - t0.tv_nsec) / 1000000L;
    node_log(e == MPC_OK ? NODE_LOG_INFO : NODE_LOG_WARN,
             e == MPC_ERR_STATE ? "paillier primes abandoned (stopping)"
                                : "paillier primes generated",
             "set=%s ms=%ld err=%s", a->params->name, ms, mpc_err_str(e));
    return e;
}

/* ---- aux-info records ---------------------------------------------------- */

static void record_id(char out[2 * NODE_AUXINFO_COMMITTEE_ID_BYTES + 1],
                      const uint8_t cid[NODE_AUXINFO_COMMITTEE_ID_BYTES])
{
    sodium_bin2hex(out, 2 * NODE_AUXINFO_COMMITTEE_ID_BYTES + 1, cid,
                   NODE_AUXINFO_COMMITTEE_ID_BYTES);
}

mpc_err node_auxinfo_store(node_auxinfo *a, const char *const *ids, size_t n,
                           const mpc_cggmp_aux_info *aux)
{
    if (a == NULL || ids == NULL || aux == NULL || !sorted_ok(ids, n) ||
        aux->n != n || aux->params != a->params->id)
        return MPC_ERR_INVALID_ARG;
    uint8_t cid[NODE_AUXINFO_COMMITTEE_ID_BYTES];
    mpc_err e = node_auxinfo_committee_id(cid, aux->params, ids, n);
    if (e != MPC_OK)
        return e;
    size_t enc = mpc_cggmp_aux_info_encoded_bytes(aux);
    size_t head = 3;
    for (size_t i = 0; i < n; i++)
        head += 1 + strlen(ids[i]);
    if (enc == 0)
        return MPC_ERR_INVALID_ARG;
    size_t cap = head + enc;
    uint8_t *buf = malloc(cap);
    if (buf == NULL)
        return MPC_ERR_NOMEM;
    size_t p = 0;
    buf[p++] = FORMAT;
    buf[p++] = (uint8_t)aux->params;
    buf[p++] = (uint8_t)n;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(ids[i]);
        buf[p++] = (uint8_t)len;
        memcpy(buf + p, ids[i], len);
        p += len;
    }
    size_t got = 0;
    e = mpc_cggmp_aux_info_encode(buf + p, cap - p, &got, aux);
    char rid[2 * NODE_AUXINFO_COMMITTEE_ID_BYTES + 1];
    record_id(rid, cid);
    if (e == MPC_OK)
        e = node_keystore_blob_put(a->ks, NODE_KEYSTORE_AUX, rid, buf, p + got);
    mpc_wipe(buf, cap);
    free(buf);
    if (e == MPC_OK) {
        cache_invalidate(a, cid);
        node_auxinfo_kick(a);
    }
    return e;
}

/* Reads the record of committee `ids` (sorted); checks its header. */
static mpc_err record_get(node_auxinfo *a, uint8_t **b, size_t *len,
                          size_t *body, const char *const *ids, size_t n)
{
    *b = NULL;
    *len = 0;
    uint8_t cid[NODE_AUXINFO_COMMITTEE_ID_BYTES];
    mpc_err e = node_auxinfo_committee_id(cid, a->params->id, ids, n);
    if (e != MPC_OK)
        return e;
    char rid[2 * NODE_AUXINFO_COMMITTEE_ID_BYTES + 1];
    record_id(rid, cid);
    e = node_keystore_blob_get(a->ks, b, len, NODE_KEYSTORE_AUX, rid);
    if (e != MPC_OK)
        return e;
    const uint8_t *r = *b;
    size_t p = 3;
    bool ok = *len >= 3 && r[0] == FORMAT && r[1] == (uint8_t)a->params->id &&
              r[2] == n;
    for (size_t i = 0; ok && i < n; i++) {
        size_t il = strlen(ids[i]);
        ok = p < *len && r[p] == il && *len - p - 1 >= il &&
             memcmp(r + p + 1, ids[i], il) == 0;
        p += 1 + il;
    }
    if (!ok) {
        node_keystore_value_free(*b, *len);
        *b = NULL;
        *len = 0;
        return MPC_ERR_PARSE;
    }
    *body = p;
    return MPC_OK;
}

mpc_err node_auxinfo_load(node_auxinfo *a, mpc_cggmp_aux_info *aux,
                          const char *const *ids, size_t n)
{
    if (a == NULL || aux == NULL || ids == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_cggmp_aux_info_clear(a->ctx, aux);
    if (!sorted_ok(ids, n))
        return MPC_ERR_INVALID_ARG;
    uint8_t *b = NULL;
    size_t len = 0, body = 0;
    mpc_err e = record_get(a, &b, &len, &body, ids, n);
    if (e != MPC_OK)
        return e;
    e = mpc_cggmp_aux_info_decode(a->ctx, aux, b + body, len - body);
    node_keystore_value_free(b, len);
    if (e == MPC_OK && aux->n != n)
        e = MPC_ERR_PARSE;
    if (e != MPC_OK) {
        mpc_cggmp_aux_info_clear(a->ctx, aux);
        return e == MPC_ERR_NOMEM ? e : MPC_ERR_PARSE;
    }
    return MPC_OK;
}

mpc_err node_auxinfo_forget(node_auxinfo *a, const char *const *ids, size_t n)
{
    if (a == NULL || ids == NULL)
        return MPC_ERR_INVALID_ARG;
    uint8_t cid[NODE_AUXINFO_COMMITTEE_ID_BYTES];
    mpc_err e = node_auxinfo_committee_id(cid, a->params->id, ids, n);
    if (e != MPC_OK)
        return e;
    char rid[2 * NODE_AUXINFO_COMMITTEE_ID_BYTES + 1];
    record_id(rid, cid);
    e = node_keystore_blob_delete(a->ks, NODE_KEYSTORE_AUX, rid);
    cache_invalidate(a, cid);
    node_auxinfo_kick(a);
    return e;
}

bool node_auxinfo_has(node_auxinfo *a, const char *const *ids, size_t n)
{
    const char *sorted[NODE_AUXINFO_COMMITTEE_MAX];
    if (a == NULL || ids == NULL || !sort_ids(sorted, ids, n))
        return false;
    uint8_t *b = NULL;
    size_t len = 0, body = 0;
    mpc_err e = record_get(a, &b, &len, &body, sorted, n);
    node_keystore_value_free(b, len);
    return e == MPC_OK;
}

/* ---- decoded aux-info, shared -------------------------------------------- */

/* Under mu: unlinks `e` and frees it. */
static void cache_unlink(node_auxinfo *a, entry *e)
{
    for (entry **p = &a->cache; *p != NULL; p = &(*p)->next) {
        if (*p == e) {
            *p = e->next;
            break;
        }
    }
    mpc_cggmp_aux_info_clear(a->ctx, &e->aux);
    free(e);
}

/* Under mu: keeps at most CACHE_KEEP unreferenced entries (the newest:
 * entries are added at the head). */
static void cache_trim(node_auxinfo *a)
{
    size_t idle = 0;
    for (entry *e = a->cache, *next; e != NULL; e = next) {
        next = e->next;
        if (e->refs == 0 && ++idle > CACHE_KEEP)
            cache_unlink(a, e);
    }
}

/* The record of `cid` changed: its entries are no longer current. */
static void cache_invalidate(node_auxinfo *a, const uint8_t *cid)
{
    pthread_mutex_lock(&a->mu);
    a->gen++;
    for (entry *e = a->cache, *next; e != NULL; e = next) {
        next = e->next;
        if (!e->current || memcmp(e->cid, cid, sizeof e->cid) != 0)
            continue;
        e->current = false;
        if (e->refs == 0)
            cache_unlink(a, e);
    }
    pthread_mutex_unlock(&a->mu);
}

/* Under mu: the current entry of `cid`, referenced once more, or NULL. */
static entry *cache_get(node_auxinfo *a, const uint8_t *cid)
{
    for (entry *e = a->cache; e != NULL; e = e->next) {
        if (e->current && memcmp(e->cid, cid, sizeof e->cid) == 0) {
            e->refs++;
            return e;
        }
    }
    return NULL;
}

mpc_err node_auxinfo_acquire(node_auxinfo *a, const mpc_cggmp_aux_info **out,
                             const char *const *ids, size_t n)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    uint8_t cid[NODE_AUXINFO_COMMITTEE_ID_BYTES];
    if (a == NULL || ids == NULL || !sorted_ok(ids, n) ||
        node_auxinfo_committee_id(cid, a->params->id, ids, n) != MPC_OK)
        return MPC_ERR_INVALID_ARG;
    pthread_mutex_lock(&a->mu);
    entry *hit = cache_get(a, cid);
    uint64_t gen = a->gen;
    pthread_mutex_unlock(&a->mu);
    if (hit != NULL) {
        *out = &hit->aux;
        return MPC_OK;
    }
    entry *fresh = calloc(1, sizeof *fresh);
    if (fresh == NULL)
        return MPC_ERR_NOMEM;
    mpc_cggmp_aux_info_init(&fresh->aux);
    mpc_err e = node_auxinfo_load(a, &fresh->aux, ids, n);
    if (e != MPC_OK) {
        free(fresh);
        return e;
    }
    memcpy(fresh->cid, cid, sizeof cid);
    fresh->refs = 1;
    pthread_mutex_lock(&a->mu);
    /* Decoded meanwhile by another session: share theirs. A record
     * replaced since we read it: ours serves this session only. */
    hit = cache_get(a, cid);
    if (hit == NULL) {
        fresh->current = a->gen == gen;
        fresh->next = a->cache;
        a->cache = fresh;
        cache_trim(a);
    }
    pthread_mutex_unlock(&a->mu);
    if (hit != NULL) {
        mpc_cggmp_aux_info_clear(a->ctx, &fresh->aux);
        free(fresh);
    }
    *out = hit != NULL ? &hit->aux : &fresh->aux;
    return MPC_OK;
}

void node_auxinfo_release(node_auxinfo *a, const mpc_cggmp_aux_info *aux)
{
    if (a == NULL || aux == NULL)
        return;
    pthread_mutex_lock(&a->mu);
    for (entry *e = a->cache; e != NULL; e = e->next) {
        if (&e->aux != aux)
            continue;
        if (--e->refs == 0 && !e->current)
            cache_unlink(a, e);
        else
            cache_trim(a);
        break;
    }
    pthread_mutex_unlock(&a->mu);
}

/* ---- the object ---------------------------------------------------------- */

static mpc_err committee_copy(node_auxinfo *a, const char *const *ids, size_t n)
{
    const char *sorted[NODE_AUXINFO_COMMITTEE_MAX];
    if (ids == NULL || n < 2 || !sort_ids(sorted, ids, n))
        return MPC_ERR_INVALID_ARG;
    for (size_t i = 0; i < n; i++)
        snprintf(a->ids[i], sizeof a->ids[i], "%s", sorted[i]);
    a->n = n;
    a->committee_ready = false;
    return MPC_OK;
}

mpc_err node_auxinfo_new(node_auxinfo **out, const node_auxinfo_config *cfg,
                         char *err, size_t err_len)
{
    char dummy[1];
    if (err == NULL) {
        err = dummy;
        err_len = sizeof dummy;
    }
    err[0] = '\0';
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    if (cfg == NULL || cfg->ctx == NULL || cfg->ks == NULL ||
        cfg->self_id == NULL || !id_ok(cfg->self_id) ||
        mpc_params_get(cfg->params) == NULL) {
        snprintf(err, err_len, "aux-info: bad configuration");
        return MPC_ERR_INVALID_ARG;
    }
    node_auxinfo *a = calloc(1, sizeof *a);
    if (a == NULL)
        return MPC_ERR_NOMEM;
    a->ctx = cfg->ctx;
    a->ks = cfg->ks;
    a->params = mpc_params_get(cfg->params);
    snprintf(a->self, sizeof a->self, "%s", cfg->self_id);
    mpc_err e = committee_copy(a, cfg->committee, cfg->n_committee);
    if (e != MPC_OK) {
        snprintf(err, err_len, "aux-info: bad committee");
        free(a);
        return e;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&a->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0 || pthread_mutex_init(&a->mu, NULL) != 0) {
        if (rc == 0)
            pthread_cond_destroy(&a->cv);
        free(a);
        return MPC_ERR_NOMEM;
    }
    if (cfg->fixture_file != NULL) {
        e = primes_load_fixture(a, cfg->fixture_file, cfg->fixture_index);
        if (e != MPC_OK)
            snprintf(err, err_len, "test_paillier_fixtures: %s index %u: %s",
                     cfg->fixture_file, cfg->fixture_index, mpc_err_str(e));
    } else {
        e = primes_load_stored(a);
        if (e == MPC_ERR_NOT_FOUND)
            e = MPC_OK; /* made in the background */
        else if (e != MPC_OK)
            snprintf(err, err_len, "paillier primes in the keystore: %s",
                     mpc_err_str(e));
    }
    if (e != MPC_OK) {
        node_auxinfo_free(a);
        return e;
    }
    *out = a;
    return MPC_OK;
}

/* Waits up to ms, or until kicked or stopped; false when stopping. */
static bool wait_ms(node_auxinfo *a, unsigned ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000u);
    ts.tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&a->mu);
    while (!a->stop && !a->kicked &&
           pthread_cond_timedwait(&a->cv, &a->mu, &ts) == 0) {
    }
    a->kicked = false;
    bool go = !a->stop;
    pthread_mutex_unlock(&a->mu);
    return go;
}

static bool stopping(node_auxinfo *a)
{
    pthread_mutex_lock(&a->mu);
    bool s = a->stop;
    pthread_mutex_unlock(&a->mu);
    return s;
}

static unsigned backoff_next(unsigned ms)
{
    return ms >= BACKOFF_MAX_MS / 2 ? BACKOFF_MAX_MS : 2 * ms;
}

/* Asks the coordinator's callback for committee ptr (sorted, ours to
 * coordinate); returns how long to wait before the next look. */
static unsigned run_committee(node_auxinfo *a, const char *const *ptr, size_t n,
                              unsigned *backoff)
{
    mpc_err e = a->run(a->ud, ptr, n);
    /* Peers not ready yet (no session was started): just look again. */
    if (e == MPC_ERR_UNAVAILABLE)
        return RECHECK_MS;
    node_log(e == MPC_OK ? NODE_LOG_INFO : NODE_LOG_WARN, "aux-info session",
             "nodes=%zu err=%s retry_ms=%u", n, mpc_err_str(e),
             e == MPC_OK ? 0u : *backoff);
    if (e == MPC_OK) {
        *backoff = BACKOFF_MIN_MS;
        return 0;
    }
    unsigned wait = *backoff;
    *backoff = backoff_next(*backoff);
    return wait;
}

/* One look at the peers file's committee; returns how long to wait before
 * the next. */
static unsigned manage_main(node_auxinfo *a, unsigned *backoff)
{
    char ids[NODE_AUXINFO_COMMITTEE_MAX][NODE_AUXINFO_ID_MAX_BYTES + 1];
    const char *ptr[NODE_AUXINFO_COMMITTEE_MAX];
    pthread_mutex_lock(&a->mu);
    size_t n = a->n;
    memcpy(ids, a->ids, sizeof ids);
    pthread_mutex_unlock(&a->mu);
    for (size_t i = 0; i < n; i++)
        ptr[i] = ids[i];
    bool has = node_auxinfo_has(a, ptr, n);
    pthread_mutex_lock(&a->mu);
    bool changed = a->n != n || memcmp(a->ids, ids, sizeof ids) != 0;
    if (!changed)
        a->committee_ready = has;
    pthread_mutex_unlock(&a->mu);
    /* Every change (a store, a delete, a new committee) kicks us: the
     * timed look only backs that up. */
    if (has)
        return IDLE_RECHECK_MS;
    if (changed || strcmp(ptr[0], a->self) != 0 || a->run == NULL)
        return RECHECK_MS;
    return run_committee(a, ptr, n, backoff);
}

/* Drops wanted committee `w` if it is still at index i. */
static void want_drop(node_auxinfo *a, size_t i, const wanted *w)
{
    pthread_mutex_lock(&a->mu);
    if (i < a->n_want && a->want[i].n == w->n &&
        memcmp(a->want[i].ids, w->ids, sizeof w->ids) == 0) {
        memmove(&a->want[i], &a->want[i + 1],
                (a->n_want - i - 1) * sizeof a->want[0]);
        a->n_want--;
    }
    pthread_mutex_unlock(&a->mu);
}

/* One look at the wanted committees: a stored one is dropped from the
 * list, the first missing one we coordinate runs. */
static unsigned manage_wanted(node_auxinfo *a, unsigned *backoff)
{
    wanted *w = malloc(sizeof *w);
    if (w == NULL)
        return RECHECK_MS;
    const char *ptr[NODE_AUXINFO_COMMITTEE_MAX];
    unsigned wait = IDLE_RECHECK_MS;
    for (size_t i = 0;; i++) {
        pthread_mutex_lock(&a->mu);
        bool more = i < a->n_want;
        if (more)
            *w = a->want[i];
        pthread_mutex_unlock(&a->mu);
        if (!more)
            break;
        for (size_t j = 0; j < w->n; j++)
            ptr[j] = w->ids[j];
        if (node_auxinfo_has(a, ptr, w->n)) {
            want_drop(a, i--, w);
            continue;
        }
        wait = RECHECK_MS;
        if (strcmp(ptr[0], a->self) == 0 && a->run != NULL) {
            wait = run_committee(a, ptr, w->n, backoff);
            break;
        }
    }
    free(w);
    return wait;
}

/* One look at every committee; returns how long to wait before the next. */
static unsigned manage_once(node_auxinfo *a, unsigned *backoff)
{
    unsigned wait = manage_main(a, backoff);
    if (wait == 0 || stopping(a))
        return wait;
    unsigned more = manage_wanted(a, backoff);
    return more < wait ? more : wait;
}

static void *manager(void *arg)
{
    node_auxinfo *a = arg;
    unsigned backoff = BACKOFF_MIN_MS;
    while (!stopping(a)) {
        pthread_mutex_lock(&a->mu);
        bool primes = a->have_primes;
        pthread_mutex_unlock(&a->mu);
        unsigned wait;
        if (!primes) {
            wait = primes_make(a) == MPC_OK ? 0 : backoff;
            backoff = wait == 0 ? BACKOFF_MIN_MS : backoff_next(backoff);
        } else {
            wait = manage_once(a, &backoff);
        }
        if (wait > 0 && !wait_ms(a, wait))
            break;
    }
    return NULL;
}

mpc_err node_auxinfo_start(node_auxinfo *a, node_auxinfo_run_fn run, void *ud)
{
    if (a == NULL)
        return MPC_ERR_INVALID_ARG;
    if (a->started)
        return MPC_ERR_STATE;
    a->run = run;
    a->ud = ud;
    if (pthread_create(&a->thread, NULL, manager, a) != 0)
        return MPC_ERR_INTERNAL;
    a->started = true;
    return MPC_OK;
}

void node_auxinfo_stop(node_auxinfo *a)
{
    if (a == NULL || !a->started)
        return;
    pthread_mutex_lock(&a->mu);
    a->stop = true;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->thread, NULL);
    a->started = false;
}

void node_auxinfo_free(node_auxinfo *a)
{
    if (a == NULL)
        return;
    node_auxinfo_stop(a);
    while (a->cache != NULL)
        cache_unlink(a, a->cache);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    mpc_wipe(a, sizeof *a);
    free(a);
}

bool node_auxinfo_primes_ready(node_auxinfo *a)
{
    if (a == NULL)
        return false;
    pthread_mutex_lock(&a->mu);
    bool r = a->have_primes;
    pthread_mutex_unlock(&a->mu);
    return r;
}

bool node_auxinfo_committee_ready(node_auxinfo *a)
{
    if (a == NULL)
        return false;
    pthread_mutex_lock(&a->mu);
    bool r = a->committee_ready;
    pthread_mutex_unlock(&a->mu);
    return r;
}

mpc_params_id node_auxinfo_params(const node_auxinfo *a)
{
    return a != NULL ? a->params->id : 0;
}

void node_auxinfo_kick(node_auxinfo *a)
{
    if (a == NULL)
        return;
    pthread_mutex_lock(&a->mu);
    a->kicked = true;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

mpc_err node_auxinfo_committee_set(node_auxinfo *a, const char *const *ids,
                                   size_t n)
{
    if (a == NULL)
        return MPC_ERR_INVALID_ARG;
    pthread_mutex_lock(&a->mu);
    mpc_err e = committee_copy(a, ids, n);
    a->kicked = true;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    return e;
}

mpc_err node_auxinfo_want(node_auxinfo *a, const char *const *ids, size_t n)
{
    const char *sorted[NODE_AUXINFO_COMMITTEE_MAX];
    if (a == NULL || ids == NULL || n < 2 || !sort_ids(sorted, ids, n))
        return MPC_ERR_INVALID_ARG;
    wanted *w = calloc(1, sizeof *w);
    if (w == NULL)
        return MPC_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        snprintf(w->ids[i], sizeof w->ids[i], "%s", sorted[i]);
    w->n = n;
    pthread_mutex_lock(&a->mu);
    bool known = a->n == n && memcmp(a->ids, w->ids, sizeof w->ids) == 0;
    for (size_t i = 0; !known && i < a->n_want; i++)
        known = a->want[i].n == n &&
                memcmp(a->want[i].ids, w->ids, sizeof w->ids) == 0;
    if (!known) {
        if (a->n_want == WANT_MAX) {
            memmove(&a->want[0], &a->want[1],
                    (WANT_MAX - 1) * sizeof a->want[0]);
            a->n_want--;
        }
        a->want[a->n_want++] = *w;
        a->kicked = true;
        pthread_cond_broadcast(&a->cv);
    }
    pthread_mutex_unlock(&a->mu);
    free(w);
    return MPC_OK;
}

mpc_err node_auxinfo_primes(node_auxinfo *a, uint8_t *out, size_t cap,
                            size_t *len)
{
    if (len == NULL)
        return MPC_ERR_INVALID_ARG;
    *len = 0;
    if (a == NULL || out == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err e = MPC_OK;
    pthread_mutex_lock(&a->mu);
    if (!a->have_primes)
        e = MPC_ERR_STATE;
    else if (cap < a->primes_len)
        e = MPC_ERR_INVALID_ARG;
    else {
        memcpy(out, a->primes, a->primes_len);
        *len = a->primes_len;
    }
    pthread_mutex_unlock(&a->mu);
    return e;
}
