/*
 * tests/integration/test_node_eddsa.c — three mpcium-node processes on a
 * private nats-server: EdDSA keygen, then signing, through mpcium's client
 * protocol exactly as its clients publish it (JSON, initiator signature,
 * with and without ClientID). A client receives only its own results; the
 * signature is checked with libsodium.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/os_rng.h"
#include "node/client_proto.h"
#include "node/identity.h"
#include "node/transport.h"
#include "tests/harness/test.h"
#include "tests/integration/natsserver.h"

#define NODES 3
#define READY_WAIT_MS 30000
#define RESULT_WAIT_MS 20000

typedef struct inbox {
    pthread_mutex_t mu;
    char subject[NODE_SUBJECT_MAX_BYTES + 1];
    uint8_t data[8192];
    size_t len;
    int count;
} inbox;

typedef struct itfx {
    int http_port;
    natsserver *nats;
    char dir[64];
    pid_t pid[NODES];
    node_transport *client;
    uint8_t ipk[32];
    uint8_t isk[64];
} itfx;

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000,
                          .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static bool write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    REQUIRE(f != NULL);
    bool ok = fputs(text, f) >= 0;
    ok = fclose(f) == 0 && ok;
    REQUIRE(ok);
    return true;
}

static void hex(char *out, const uint8_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", in[i]);
}

/* Identities, peers file, password and one config per node. */
static bool write_cluster(itfx *f)
{
    char path[256], ids[NODES][NODE_UUID_BYTES + 1], err[256];
    char iddir[128];
    snprintf(iddir, sizeof iddir, "%s/identity", f->dir);
    for (int i = 0; i < NODES; i++) {
        char name[16];
        snprintf(name, sizeof name, "node%d", i);
        node_uuid_v4(ids[i], os_rng_fill, NULL);
        node_identity *id = NULL;
        REQUIRE_OK(node_identity_generate(&id, name, ids[i], os_rng_fill, NULL,
                                          err, sizeof err));
        mpc_err e = node_identity_save(id, iddir, (int64_t)time(NULL), NULL,
                                       false, err, sizeof err);
        node_identity_free(id);
        REQUIRE_OK(e);
    }
    char peers[512];
    snprintf(peers, sizeof peers,
             "{\"node0\": \"%s\", \"node1\": \"%s\", \"node2\": \"%s\"}\n",
             ids[0], ids[1], ids[2]);
    snprintf(path, sizeof path, "%s/peers.json", f->dir);
    REQUIRE(write_file(path, peers));
    snprintf(path, sizeof path, "%s/pw", f->dir);
    REQUIRE(write_file(path, "integration test password\n"));
    char ipk[65], cc[65];
    uint8_t chain[32];
    memset(chain, 0x5c, sizeof chain);
    hex(ipk, f->ipk, 32);
    hex(cc, chain, 32);
    for (int i = 0; i < NODES; i++) {
        char cfg[2048];
        snprintf(cfg, sizeof cfg,
                 "node_name: node%d\n"
                 "peers_file: %s/peers.json\n"
                 "identity_dir: %s\n"
                 "password_file: %s/pw\n"
                 "environment: development\n"
                 "nats:\n  url: %s\n"
                 "mpc_threshold: 1\n"
                 "event_initiator_pubkey: %s\n"
                 "chain_code: %s\n"
                 "db_path: %s/db\n"
                 "backup_enabled: false\n"
                 "timeouts:\n  barrier_ms: 5000\n"
                 "healthcheck:\n  enabled: %s\n  address: 127.0.0.1:%d\n",
                 i, f->dir, iddir, f->dir, natsserver_url(f->nats), ipk, cc,
                 f->dir, i == 0 ? "true" : "false", f->http_port);
        snprintf(path, sizeof path, "%s/node%d.yaml", f->dir, i);
        REQUIRE(write_file(path, cfg));
    }
    return true;
}

/* A free loopback port (another process may take it first: unlikely). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

/* GET path from node0's HTTP server; the whole response into out. */
static bool http_get(const itfx *f, const char *path, char *out, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)f->http_port);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    bool ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    char req[256];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                     path);
    ok = ok && write(fd, req, (size_t)n) == n;
    size_t len = 0;
    while (ok && len + 1 < cap) {
        ssize_t r = read(fd, out + len, cap - 1 - len);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    out[len] = '\0';
    close(fd);
    REQUIRE(ok && len > 0);
    return true;
}

/* /health is ready and /metrics shows every session torn down. */
static bool check_http(const itfx *f)
{
    char *buf = malloc(16384);
    REQUIRE(buf != NULL);
    bool ok = http_get(f, "/health", buf, 16384) &&
              strstr(buf, "200 OK") != NULL &&
              strstr(buf, "\"status\":\"ready\"") != NULL;
    ok = ok && http_get(f, "/metrics", buf, 16384) &&
         strstr(buf, "\nmpcium_sessions_live 0\n") != NULL &&
         strstr(buf, "\nmpcium_session_threads_live 0\n") != NULL &&
         strstr(buf, "\nmpcium_session_subscriptions_live 0\n") != NULL &&
         strstr(buf, "\nmpcium_sessions_failed_total 0\n") != NULL;
    if (!ok)
        printf("http: %s\n", buf);
    free(buf);
    return ok;
}

static bool node_binary(char *out, size_t cap)
{
    char self[512];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    REQUIRE(n > 0);
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    REQUIRE(slash != NULL);
    *slash = '\0';
    snprintf(out, cap, "%s/mpcium-node", self);
    REQUIRE(access(out, X_OK) == 0);
    return true;
}

static bool spawn_nodes(itfx *f)
{
    char bin[600];
    REQUIRE(node_binary(bin, sizeof bin));
    for (int i = 0; i < NODES; i++) {
        char cfg[256], log[256];
        snprintf(cfg, sizeof cfg, "%s/node%d.yaml", f->dir, i);
        snprintf(log, sizeof log, "%s/node%d.log", f->dir, i);
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (fd >= 0) {
                dup2(fd, STDERR_FILENO);
                dup2(fd, STDOUT_FILENO);
            }
            execl(bin, bin, "start", "-c", cfg, (char *)NULL);
            _exit(127);
        }
        f->pid[i] = pid;
    }
    return true;
}

static bool log_has(const itfx *f, int i, const char *needle)
{
    char path[256];
    snprintf(path, sizeof path, "%s/node%d.log", f->dir, i);
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return false;
    char line[4096];
    bool found = false;
    while (!found && fgets(line, sizeof line, fp) != NULL)
        found = strstr(line, needle) != NULL;
    fclose(fp);
    return found;
}

static bool wait_ready(itfx *f)
{
    for (long waited = 0; waited < READY_WAIT_MS; waited += 100) {
        int ready = 0;
        for (int i = 0; i < NODES; i++)
            ready += log_has(f, i, "[READY]");
        if (ready == NODES)
            return true;
        sleep_ms(100);
    }
    for (int i = 0; i < NODES; i++)
        if (!log_has(f, i, "[READY]"))
            printf("node%d not ready (see %s/node%d.log)\n", i, f->dir, i);
    return false;
}

static int rm_one(const char *p, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

/* SIGTERM every node; true when each exited 0 within 5 s. */
static bool stop_nodes(itfx *f)
{
    bool clean = true;
    for (int i = 0; i < NODES; i++) {
        if (f->pid[i] <= 0)
            continue;
        kill(f->pid[i], SIGTERM);
        int st = 0;
        pid_t r = 0;
        for (int k = 0; k < 100 && (r = waitpid(f->pid[i], &st, WNOHANG)) == 0;
             k++)
            sleep_ms(50);
        if (r == 0) {
            kill(f->pid[i], SIGKILL);
            waitpid(f->pid[i], &st, 0);
            clean = false;
        } else {
            clean = clean && WIFEXITED(st) && WEXITSTATUS(st) == 0;
        }
        f->pid[i] = 0;
    }
    return clean;
}

static void itfx_done(itfx *f, bool keep)
{
    (void)stop_nodes(f);
    if (f->client != NULL)
        node_transport_free(f->client);
    natsserver_stop(f->nats);
    if (!keep && f->dir[0] != '\0')
        nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    else if (keep)
        printf("kept %s for inspection\n", f->dir);
}

static void on_result(const node_msg *m, void *ud)
{
    inbox *in = ud;
    pthread_mutex_lock(&in->mu);
    in->count++;
    if (m->len <= sizeof in->data) {
        memcpy(in->data, m->data, m->len);
        in->len = m->len;
        snprintf(in->subject, sizeof in->subject, "%s", m->subject);
    }
    pthread_mutex_unlock(&in->mu);
}

static bool wait_count(inbox *in, int want)
{
    for (long waited = 0; waited < RESULT_WAIT_MS; waited += 50) {
        pthread_mutex_lock(&in->mu);
        int c = in->count;
        pthread_mutex_unlock(&in->mu);
        if (c >= want)
            return true;
        sleep_ms(50);
    }
    return false;
}

/* Publishes like mpcium's clients: JetStream, optional ClientID header. */
static bool publish_request(itfx *f, node_client_request *r, const char *cid)
{
    uint8_t *tbs = NULL, *body = NULL;
    size_t tbs_len = 0, len = 0;
    REQUIRE_OK(node_client_request_signed_bytes(&tbs, &tbs_len, r,
                                                NODE_CLIENT_SIGNED_CURRENT));
    crypto_sign_detached(r->signature, NULL, tbs, tbs_len, f->isk);
    free(tbs);
    r->signature_present = true;
    r->signature_len = 64;
    REQUIRE_OK(node_client_request_encode(&body, &len, r));
    char subject[NODE_CLIENT_NAME_MAX_BYTES];
    const char *id =
        r->op == NODE_CLIENT_OP_KEYGEN ? r->wallet_id.s : r->tx_id.s;
    mpc_err e = node_client_request_subject(subject, sizeof subject, r->op, id);
    node_header h = {.key = NODE_CLIENT_HDR_CLIENT_ID, .value = cid};
    if (e == MPC_OK)
        e = node_transport_js_publish(f->client, subject, &h, cid ? 1 : 0, body,
                                      len, NULL, 5000, NULL);
    free(body);
    REQUIRE_OK(e);
    return true;
}

static bool b64_field(const inbox *in, const char *key, uint8_t *out,
                      size_t want)
{
    json_error_t je;
    json_t *j = json_loadb((const char *)in->data, in->len, 0, &je);
    REQUIRE(j != NULL);
    const char *s = json_string_value(json_object_get(j, key));
    const char *rt = json_string_value(json_object_get(j, "result_type"));
    size_t n = 0;
    bool ok = rt != NULL && strcmp(rt, "success") == 0 && s != NULL &&
              sodium_base642bin(out, want, s, strlen(s), NULL, &n, NULL,
                                sodium_base64_VARIANT_ORIGINAL) == 0 &&
              n == want;
    if (!ok)
        printf("result: %.*s\n", (int)in->len, (const char *)in->data);
    json_decref(j);
    return ok;
}

static bool flow(itfx *f, inbox *mine, inbox *legacy, inbox *sign_mine,
                 inbox *sign_legacy)
{
    node_sub *subs[4] = {NULL, NULL, NULL, NULL};
    REQUIRE_OK(node_transport_subscribe(
        f->client, &subs[0], "mpc.mpc_keygen_result.svc-a.*", on_result, mine));
    REQUIRE_OK(node_transport_subscribe(
        f->client, &subs[1], "mpc.mpc_keygen_result.*", on_result, legacy));
    REQUIRE_OK(node_transport_subscribe(f->client, &subs[2],
                                        "mpc.mpc_signing_result.svc-a.*",
                                        on_result, sign_mine));
    REQUIRE_OK(node_transport_subscribe(f->client, &subs[3],
                                        "mpc.mpc_signing_result.*", on_result,
                                        sign_legacy));
    node_client_request *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL);
    r->op = NODE_CLIENT_OP_KEYGEN;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, "it-wallet-1");
    bool ok = publish_request(f, r, "svc-a");
    node_client_request_clear(r);
    ok = ok && wait_count(mine, 1);
    uint8_t pk[32], sig[64];
    ok = ok &&
         strcmp(mine->subject, "mpc.mpc_keygen_result.svc-a.it-wallet-1") == 0;
    ok = ok && b64_field(mine, "eddsa_pub_key", pk, sizeof pk);
    ok = ok && legacy->count == 0;

    /* Sign without ClientID: the legacy subject only. */
    static const char tx[] = "integration transfer";
    if (ok) {
        r->op = NODE_CLIENT_OP_SIGN;
        r->key_type = NODE_CLIENT_KEY_ED25519;
        snprintf(r->wallet_id.s, sizeof r->wallet_id.s, "it-wallet-1");
        snprintf(r->tx_id.s, sizeof r->tx_id.s, "it-tx-1");
        r->tx_len = sizeof tx - 1;
        r->tx = malloc(r->tx_len);
        ok = r->tx != NULL;
        if (ok)
            memcpy(r->tx, tx, r->tx_len);
        ok = ok && publish_request(f, r, NULL);
        node_client_request_clear(r);
    }
    ok = ok && wait_count(sign_legacy, 1);
    ok = ok &&
         strcmp(sign_legacy->subject, "mpc.mpc_signing_result.complete") == 0;
    ok = ok && b64_field(sign_legacy, "signature", sig, sizeof sig);
    ok = ok && crypto_sign_verify_detached(sig, (const uint8_t *)tx,
                                           sizeof tx - 1, pk) == 0;
    ok = ok && sign_mine->count == 0;
    free(r);
    for (int i = 0; i < 4; i++)
        if (node_transport_unsubscribe(f->client, &subs[i]) != MPC_OK)
            ok = false;
    return ok;
}

TEST(node_eddsa_keygen_then_sign_three_processes)
{
    itfx f;
    memset(&f, 0, sizeof f);
    inbox in[4];
    memset(in, 0, sizeof in);
    for (int i = 0; i < 4; i++)
        pthread_mutex_init(&in[i].mu, NULL);
    snprintf(f.dir, sizeof f.dir, "/tmp/mpc-it-eddsa-XXXXXX");
    bool ok = mkdtemp(f.dir) != NULL;
    ok = ok && crypto_sign_keypair(f.ipk, f.isk) == 0;
    f.http_port = free_port();
    ok = ok && f.http_port > 0 && natsserver_start(&f.nats);
    ok = ok && write_cluster(&f) && spawn_nodes(&f) && wait_ready(&f);
    ok = ok &&
         natsserver_connect(f.nats, &f.client, "client", NULL, NULL) == MPC_OK;
    ok = ok && flow(&f, &in[0], &in[1], &in[2], &in[3]) && check_http(&f);
    /* SIGTERM: every node shuts down cleanly, and says so. */
    ok = ok && stop_nodes(&f);
    for (int i = 0; ok && i < NODES; i++)
        ok = log_has(&f, i, "msg=\"stopped\"");
    itfx_done(&f, !ok);
    for (int i = 0; i < 4; i++)
        pthread_mutex_destroy(&in[i].mu);
    CHECK(ok);
}
