/*
 * tests/bench-cluster/bench_cluster.c — `make bench-cluster`: a private
 * nats-server and three mpcium-node processes (2-of-3, loopback, fixture
 * Paillier primes) driven by one client exactly as mpcium's Go client
 * drives a cluster (JetStream requests, ClientID-scoped results).
 *
 * Measured, from the client's side (publish -> result received):
 *   keygen latency (both curves in one request, as mpcium);
 *   EdDSA sign latency, one request in flight;
 *   EdDSA sustained throughput with --inflight requests outstanding;
 *   ECDSA interactive sign latency, one in flight (when the nodes have an
 *   ECDSA engine: keygen returns an ECDSA key).
 * Every result must be a success: a failure stops the run (exit 1).
 * Latencies are nearest-rank percentiles over the samples.
 *
 *   mpc-bench-cluster [--keygens N] [--signs N] [--throughput N]
 *                     [--inflight K] [--ecdsa N]
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "node/client_proto.h"
#include "tests/harness/test.h"
#include "tests/integration/cluster.h"
#include "tests/integration/e2e_util.h"

#define WAIT_MS 120000
#define AUX_WAIT_MS 180000

typedef struct opts {
    int keygens, signs, throughput, inflight, ecdsa;
} opts;

typedef struct bench {
    cluster *c;
    cluster_inbox *kg, *sg;
    bool ecdsa; /* keygen produced an ECDSA key */
    int seq;    /* tx id counter */
} bench;

/* The cluster harness reports through the test harness's hook. */
void test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "bench-cluster: %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Waits (polling every 100 µs) until the inbox holds n messages. */
static bool wait_count(cluster_inbox *in, int n)
{
    const struct timespec tick = {.tv_nsec = 100000};
    double end = now_ms() + WAIT_MS;
    while (cluster_inbox_count(in) < n) {
        if (now_ms() > end) {
            fprintf(stderr, "bench-cluster: %d of %d results\n",
                    cluster_inbox_count(in), n);
            return false;
        }
        nanosleep(&tick, NULL);
    }
    return true;
}

/* Message idx of the inbox is a success result. */
static bool success(cluster_inbox *in, int idx)
{
    size_t len = 0;
    const char *d = cluster_inbox_get(in, idx, NULL, &len);
    REQUIRE(d != NULL);
    json_error_t je;
    json_t *j = json_loadb(d, len, 0, &je);
    bool ok = j != NULL && strcmp(e2e_str(j, "result_type"), "success") == 0;
    if (!ok)
        fprintf(stderr, "bench-cluster: failed request: %.*s\n", (int)len, d);
    json_decref(j);
    return ok;
}

static bool publish_sign(bench *b, node_client_key_type kt)
{
    char tx_id[32];
    snprintf(tx_id, sizeof tx_id, "bc-tx-%d", b->seq++);
    uint8_t m[32];
    crypto_hash_sha256(m, (const uint8_t *)tx_id, strlen(tx_id));
    node_client_request *r = malloc(sizeof *r);
    REQUIRE(r != NULL);
    bool ok = e2e_sign_request(r, kt, "bc-wallet-0", tx_id, m, sizeof m) &&
              cluster_publish(b->c, r, "bc");
    node_client_request_clear(r);
    free(r);
    return ok;
}

static bool publish_keygen(bench *b, int i)
{
    node_client_request *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL);
    r->op = NODE_CLIENT_OP_KEYGEN;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, "bc-wallet-%d", i);
    bool ok = cluster_publish(b->c, r, "bc");
    node_client_request_clear(r);
    free(r);
    return ok;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest rank. */
static double pct(const double *v, int n, double q)
{
    int k = (int)ceil(q * n);
    return v[k < 1 ? 0 : k - 1];
}

static void row(const char *what, double *v, int n, const char *target)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    printf("%-34s %6d %9.1f %9.1f %9.1f   %s\n", what, n, pct(v, n, 0.50),
           pct(v, n, 0.95), pct(v, n, 0.99), target);
}

static bool keygens(bench *b, int n, double *lat)
{
    for (int i = 0; i < n; i++) {
        double t0 = now_ms();
        REQUIRE(publish_keygen(b, i) && wait_count(b->kg, i + 1));
        lat[i] = now_ms() - t0;
        REQUIRE(success(b->kg, i));
    }
    size_t len = 0;
    const char *d = cluster_inbox_get(b->kg, 0, NULL, &len);
    json_error_t je;
    json_t *j = json_loadb(d, len, 0, &je);
    b->ecdsa = j != NULL && json_is_string(json_object_get(j, "ecdsa_pub_key"));
    json_decref(j);
    return true;
}

/* Sequential signs: one in flight. */
static bool latency(bench *b, node_client_key_type kt, int n, double *lat)
{
    for (int i = 0; i < n; i++) {
        int before = cluster_inbox_count(b->sg);
        double t0 = now_ms();
        REQUIRE(publish_sign(b, kt) && wait_count(b->sg, before + 1));
        lat[i] = now_ms() - t0;
        REQUIRE(success(b->sg, before));
    }
    return true;
}

/* n signs, keeping `inflight` outstanding; signs per second. */
static bool throughput(bench *b, int n, int inflight, double *rate)
{
    int base = cluster_inbox_count(b->sg), sent = 0;
    const struct timespec tick = {.tv_nsec = 100000};
    double t0 = now_ms(), end = t0 + WAIT_MS;
    while (cluster_inbox_count(b->sg) - base < n) {
        int done = cluster_inbox_count(b->sg) - base;
        if (sent < n && sent - done < inflight) {
            REQUIRE(publish_sign(b, NODE_CLIENT_KEY_ED25519));
            sent++;
            continue;
        }
        REQUIRE(now_ms() < end);
        nanosleep(&tick, NULL);
    }
    double secs = (now_ms() - t0) / 1e3;
    for (int i = 0; i < n; i++)
        REQUIRE(success(b->sg, base + i));
    *rate = n / secs;
    return true;
}

/* ECDSA answers ERROR_CLUSTER_NOT_READY until the committee's aux-info
 * exists; not measured. */
static bool wait_aux(bench *b)
{
    double end = now_ms() + AUX_WAIT_MS;
    while (now_ms() < end) {
        int before = cluster_inbox_count(b->sg);
        REQUIRE(publish_sign(b, NODE_CLIENT_KEY_SECP256K1) &&
                wait_count(b->sg, before + 1));
        size_t len = 0;
        const char *d = cluster_inbox_get(b->sg, before, NULL, &len);
        if (strstr(d, "\"result_type\":\"success\"") != NULL)
            return true;
        if (strstr(d, "ERROR_CLUSTER_NOT_READY") == NULL)
            return success(b->sg, before);
        e2e_sleep_ms(500);
    }
    fprintf(stderr, "bench-cluster: ECDSA aux-info never ready\n");
    return false;
}

static bool run(bench *b, const opts *o)
{
    REQUIRE(cluster_inbox_open(b->c, &b->kg, "mpc.mpc_keygen_result.bc.*"));
    REQUIRE(cluster_inbox_open(b->c, &b->sg, "mpc.mpc_signing_result.bc.*"));
    int nmax = o->keygens;
    if (o->signs > nmax)
        nmax = o->signs;
    if (o->ecdsa > nmax)
        nmax = o->ecdsa;
    double *lat = calloc((size_t)nmax, sizeof *lat);
    REQUIRE(lat != NULL);
    bool ok = keygens(b, o->keygens, lat);
    printf("\n%-34s %6s %9s %9s %9s   %s\n", "operation (client side, ms)", "n",
           "p50", "p95", "p99", "target (issue 4)");
    if (ok)
        row(b->ecdsa ? "keygen (Ed25519 + secp256k1)" : "keygen (Ed25519 only)",
            lat, o->keygens, "p50 <= 500 ms");
    ok = ok && latency(b, NODE_CLIENT_KEY_ED25519, o->signs, lat);
    if (ok)
        row("EdDSA sign, 1 in flight", lat, o->signs, "p50 <= 10 ms");
    double rate = 0;
    ok = ok && throughput(b, o->throughput, o->inflight, &rate);
    if (ok) {
        char what[64];
        snprintf(what, sizeof what, "EdDSA sign, %d in flight", o->inflight);
        printf("%-34s %6d %22.0f signs/s   >= 200 signs/s\n", what,
               o->throughput, rate);
    }
    if (ok && b->ecdsa && o->ecdsa > 0) {
        ok =
            wait_aux(b) && latency(b, NODE_CLIENT_KEY_SECP256K1, o->ecdsa, lat);
        if (ok)
            row("ECDSA sign (interactive), 1 in fl.", lat, o->ecdsa,
                "p50 <= 400 ms");
    } else if (ok) {
        printf("%-34s   not measured (no ECDSA engine)\n", "ECDSA sign");
    }
    if (ok)
        printf("%-34s   not measured (presign pools not wired in the node)\n",
               "ECDSA sign (pooled)");
    free(lat);
    return ok;
}

static bool parse(opts *o, int argc, char **argv)
{
    *o = (opts){.keygens = 10,
                .signs = 200,
                .throughput = 1000,
                .inflight = 32,
                .ecdsa = 20};
    for (int i = 1; i < argc; i++) {
        int *slot = NULL;
        if (strcmp(argv[i], "--keygens") == 0)
            slot = &o->keygens;
        else if (strcmp(argv[i], "--signs") == 0)
            slot = &o->signs;
        else if (strcmp(argv[i], "--throughput") == 0)
            slot = &o->throughput;
        else if (strcmp(argv[i], "--inflight") == 0)
            slot = &o->inflight;
        else if (strcmp(argv[i], "--ecdsa") == 0)
            slot = &o->ecdsa;
        if (slot == NULL || i + 1 >= argc)
            return false;
        *slot = atoi(argv[++i]);
    }
    return o->keygens >= 1 && o->signs >= 1 && o->throughput >= 1 &&
           o->inflight >= 1 && o->ecdsa >= 0;
}

int main(int argc, char **argv)
{
    opts o;
    if (!parse(&o, argc, argv)) {
        fprintf(stderr, "usage: mpc-bench-cluster [--keygens N] [--signs N] "
                        "[--throughput N] [--inflight K] [--ecdsa N]\n");
        return 2;
    }
    if (sodium_init() < 0)
        return 2;
    char host[256] = "?";
    gethostname(host, sizeof host);
    printf("mpcium-node cluster benchmark: 3 nodes (2-of-3), one nats-server, "
           "loopback, host %s, %ld CPUs\n",
           host, sysconf(_SC_NPROCESSORS_ONLN));
    fflush(stdout);
    bench b = {0};
    cluster_opts co = {.nodes = 3, .ecdsa_fixtures = true};
    bool ok = cluster_start(&b.c, &co) && run(&b, &o);
    cluster_inbox_close(b.kg);
    cluster_inbox_close(b.sg);
    cluster_stop(b.c, !ok);
    return ok ? 0 : 1;
}
