/* tests/integration/cluster.c — see cluster.h. Linux only (prctl, /proc). */
#define _GNU_SOURCE
#include "tests/integration/cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/os_rng.h"
#include "node/identity.h"
#include "tests/harness/test.h"
#include "tests/integration/natsserver.h"

#define READY_WAIT_MS 30000
/* SIGTERM lets running sessions finish or reach their round deadline
 * (30 s by default). */
#define STOP_WAIT_MS 40000
/* Valgrind runs a node 20-50 times slower. */
#define VALGRIND_SLOWDOWN 8
#define VALGRIND_ERROR_EXIT 99
#define STR_(x) #x
#define STR(x) STR_(x)
/* Relative to the repository root, where tests run. */
#define VALGRIND_SUPP "tests/faults/valgrind.supp"

struct cluster {
    cluster_opts o;
    natsserver *nats;
    node_transport *client;
    char dir[64];
    char bin[600];
    pid_t pid[CLUSTER_NODES_MAX];
    long log_off[CLUSTER_NODES_MAX]; /* log size when node i was spawned */
    int http_port[CLUSTER_NODES_MAX];
    char id[CLUSTER_NODES_MAX][NODE_UUID_BYTES + 1];
    uint8_t ipk[32];
    uint8_t isk[64];
};

typedef struct inbox_msg {
    char *subject;
    char *data;
    size_t len;
} inbox_msg;

struct cluster_inbox {
    cluster *c;
    node_sub *sub;
    pthread_mutex_t mu;
    inbox_msg **msg;
    int count;
    int cap;
    bool oom;
};

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000,
                          .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static long slow(const cluster *c, long ms)
{
    return c->o.valgrind ? ms * VALGRIND_SLOWDOWN : ms;
}

static bool under_valgrind(const cluster *c, int i)
{
    return c->o.valgrind &&
           (c->o.valgrind_mask == 0 || (c->o.valgrind_mask >> i & 1));
}

static bool write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        printf("  cluster: cannot write %s\n", path);
        return false;
    }
    bool ok = fputs(text, f) >= 0;
    ok = fclose(f) == 0 && ok;
    if (!ok)
        printf("  cluster: cannot write %s\n", path);
    return ok;
}

static void hex(char *out, const uint8_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", in[i]);
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
    if (access(out, X_OK) != 0) {
        printf("  cluster: no node binary at %s\n", out);
        return false;
    }
    return true;
}

static bool write_identities(cluster *c)
{
    char err[256], iddir[128];
    snprintf(iddir, sizeof iddir, "%s/identity", c->dir);
    for (int i = 0; i < c->o.nodes; i++) {
        char name[16];
        snprintf(name, sizeof name, "node%d", i);
        node_uuid_v4(c->id[i], os_rng_fill, NULL);
        node_identity *id = NULL;
        REQUIRE_OK(node_identity_generate(&id, name, c->id[i], os_rng_fill,
                                          NULL, err, sizeof err));
        mpc_err e = node_identity_save(id, iddir, (int64_t)time(NULL), NULL,
                                       false, err, sizeof err);
        node_identity_free(id);
        REQUIRE_OK(e);
    }
    return true;
}

bool cluster_peers_write(cluster *c, int count)
{
    REQUIRE(c != NULL && count >= 1 && count <= c->o.nodes);
    char peers[64 + CLUSTER_NODES_MAX * 64];
    size_t n = (size_t)snprintf(peers, sizeof peers, "{");
    for (int i = 0; i < count; i++)
        n += (size_t)snprintf(peers + n, sizeof peers - n,
                              "%s\"node%d\": \"%s\"", i ? ", " : "", i,
                              c->id[i]);
    snprintf(peers + n, sizeof peers - n, "}\n");
    /* Replace atomically: a node may be reading it. */
    char path[128], tmp[140];
    snprintf(path, sizeof path, "%s/peers.json", c->dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    REQUIRE(write_file(tmp, peers));
    REQUIRE(rename(tmp, path) == 0);
    return true;
}

static bool write_config(cluster *c, int i)
{
    char ipk[65], cc[65], path[128], fix[512] = "";
    uint8_t chain[32];
    memset(chain, 0x5c, sizeof chain);
    hex(ipk, c->ipk, 32);
    hex(cc, chain, 32);
    if (c->o.ecdsa_fixtures) {
        char cwd[256];
        REQUIRE(getcwd(cwd, sizeof cwd) != NULL);
        snprintf(fix, sizeof fix,
                 "test_paillier_fixtures:\n"
                 "  file: %s/tests/vectors/paillier-fixtures.txt\n"
                 "  index: %d\n",
                 cwd, i);
    }
    bool http = c->http_port[i] > 0;
    const char *extra = c->o.extra_yaml != NULL ? c->o.extra_yaml : "";
    size_t cap = 4096 + strlen(extra) +
                 (c->o.nats_yaml != NULL ? strlen(c->o.nats_yaml) : 0);
    char *cfg = malloc(cap);
    REQUIRE(cfg != NULL);
    snprintf(cfg, cap,
             "node_name: node%d\n"
             "peers_file: %s/peers.json\n"
             "identity_dir: %s/identity\n"
             "password_file: %s/pw\n"
             "environment: development\n"
             "nats:\n  url: %s\n%s"
             "mpc_threshold: %d\n"
             "event_initiator_pubkey: %s\n"
             "chain_code: %s\n"
             "db_path: %s/db\n"
             "backup_enabled: false\n"
             "timeouts:\n  barrier_ms: %d\n"
             "healthcheck:\n  enabled: %s\n  address: 127.0.0.1:%d\n"
             "%s%s",
             i, c->dir, c->dir, c->dir, natsserver_url(c->nats),
             c->o.nats_yaml != NULL ? c->o.nats_yaml : "", c->o.mpc_threshold,
             ipk, cc, c->dir, c->o.valgrind ? 15000 : 5000,
             http ? "true" : "false", http ? c->http_port[i] : 1, fix, extra);
    snprintf(path, sizeof path, "%s/node%d.yaml", c->dir, i);
    bool ok = write_file(path, cfg);
    free(cfg);
    return ok;
}

static bool write_cluster(cluster *c)
{
    REQUIRE(write_identities(c));
    REQUIRE(cluster_peers_write(c, c->o.in_peers));
    char path[128];
    snprintf(path, sizeof path, "%s/pw", c->dir);
    REQUIRE(write_file(path, "integration test password\n"));
    for (int i = 0; i < c->o.nodes; i++) {
        if (i == 0 || c->o.healthcheck_all) {
            c->http_port[i] = free_port();
            REQUIRE(c->http_port[i] > 0);
        }
        REQUIRE(write_config(c, i));
    }
    return true;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

static void child_exec(const cluster *c, int i, const char *log)
{
    char cfg[128], vglog[160];
    snprintf(cfg, sizeof cfg, "%s/node%d.yaml", c->dir, i);
    snprintf(vglog, sizeof vglog, "--log-file=%s/node%d.vg", c->dir, i);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
        dup2(fd, STDERR_FILENO);
        dup2(fd, STDOUT_FILENO);
        close(fd);
    }
    if (under_valgrind(c, i))
        execlp("valgrind", "valgrind", "--tool=memcheck", "--quiet",
               "--error-exitcode=" STR(VALGRIND_ERROR_EXIT),
               "--leak-check=full",
               "--show-leak-kinds=definite,indirect,possible",
               "--errors-for-leak-kinds=definite,indirect,possible",
               "--suppressions=" VALGRIND_SUPP, vglog, c->bin, "start", "-c",
               cfg, (char *)NULL);
    else
        execl(c->bin, c->bin, "start", "-c", cfg, (char *)NULL);
    _exit(127);
}

static bool spawn(cluster *c, int i)
{
    char log[128];
    snprintf(log, sizeof log, "%s/node%d.log", c->dir, i);
    c->log_off[i] = file_size(log);
    pid_t parent = getpid();
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
            _exit(127);
        child_exec(c, i, log);
    }
    c->pid[i] = pid;
    return true;
}

/* True when node i's log has `needle` at or after byte `from`. */
static bool log_has_from(const cluster *c, int i, long from, const char *needle)
{
    char path[128];
    snprintf(path, sizeof path, "%s/node%d.log", c->dir, i);
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return false;
    bool found = false;
    if (fseek(fp, from, SEEK_SET) == 0) {
        char line[4096];
        while (!found && fgets(line, sizeof line, fp) != NULL)
            found = strstr(line, needle) != NULL;
    }
    fclose(fp);
    return found;
}

bool cluster_log_has(const cluster *c, int i, const char *needle)
{
    return c != NULL && i >= 0 && i < c->o.nodes &&
           log_has_from(c, i, 0, needle);
}

bool cluster_node_running(cluster *c, int i)
{
    if (c == NULL || i < 0 || i >= c->o.nodes || c->pid[i] <= 0)
        return false;
    int st = 0;
    if (waitpid(c->pid[i], &st, WNOHANG) == 0)
        return true;
    c->pid[i] = 0;
    return false;
}

/* Waits for [READY] from each node in `which` (a bit set). */
static bool wait_ready(cluster *c, unsigned which)
{
    unsigned ready = 0;
    for (long waited = 0; waited < slow(c, READY_WAIT_MS); waited += 100) {
        for (int i = 0; i < c->o.nodes; i++)
            if ((which >> i & 1) && !(ready >> i & 1) &&
                log_has_from(c, i, c->log_off[i], "[READY]"))
                ready |= 1u << i;
        if (ready == which)
            return true;
        bool dead = false;
        for (int i = 0; i < c->o.nodes; i++)
            if ((which >> i & 1) && !(ready >> i & 1) &&
                !cluster_node_running(c, i))
                dead = true;
        if (dead)
            break;
        sleep_ms(100);
    }
    for (int i = 0; i < c->o.nodes; i++)
        if ((which >> i & 1) && !(ready >> i & 1))
            printf("  cluster: node%d not ready (see %s/node%d.log)\n", i,
                   c->dir, i);
    return false;
}

bool cluster_nodes_start(cluster *c, unsigned which)
{
    REQUIRE(c != NULL && which != 0 && which >> c->o.nodes == 0);
    for (int i = 0; i < c->o.nodes; i++)
        REQUIRE(!(which >> i & 1) || !cluster_node_running(c, i));
    for (int i = 0; i < c->o.nodes; i++)
        if (which >> i & 1)
            REQUIRE(spawn(c, i));
    return wait_ready(c, which);
}

bool cluster_node_start(cluster *c, int i)
{
    REQUIRE(c != NULL && i >= 0 && i < c->o.nodes);
    return cluster_nodes_start(c, 1u << i);
}

void cluster_valgrind_set(cluster *c, unsigned mask)
{
    c->o.valgrind = mask != 0;
    c->o.valgrind_mask = mask;
}

static bool vg_clean(const cluster *c, int i)
{
    if (!under_valgrind(c, i))
        return true;
    char path[128];
    snprintf(path, sizeof path, "%s/node%d.vg", c->dir, i);
    if (file_size(path) == 0)
        return true;
    printf("  cluster: valgrind reported on node%d (see %s)\n", i, path);
    return false;
}

bool cluster_node_stop(cluster *c, int i, int sig)
{
    REQUIRE(c != NULL && i >= 0 && i < c->o.nodes);
    if (c->pid[i] <= 0)
        return true;
    kill(c->pid[i], sig);
    int st = 0;
    pid_t r = 0;
    long bound = slow(c, STOP_WAIT_MS);
    for (long waited = 0;
         waited < bound && (r = waitpid(c->pid[i], &st, WNOHANG)) == 0;
         waited += 50)
        sleep_ms(50);
    bool clean = true;
    if (r == 0) {
        kill(c->pid[i], SIGKILL);
        waitpid(c->pid[i], &st, 0);
        printf("  cluster: node%d did not exit in %ld ms\n", i, bound);
        clean = false;
    } else if (sig == SIGTERM) {
        clean = WIFEXITED(st) && WEXITSTATUS(st) == 0;
        if (!clean)
            printf("  cluster: node%d exited with status %d (signal %d); "
                   "see %s/node%d.log\n",
                   i, WIFEXITED(st) ? WEXITSTATUS(st) : -1,
                   WIFSIGNALED(st) ? WTERMSIG(st) : 0, c->dir, i);
        clean = vg_clean(c, i) && clean;
    }
    c->pid[i] = 0;
    return sig == SIGTERM ? clean : r != 0;
}

bool cluster_node_signal(cluster *c, int i, int sig)
{
    REQUIRE(c != NULL && i >= 0 && i < c->o.nodes);
    return c->pid[i] > 0 && kill(c->pid[i], sig) == 0;
}

static int rm_one(const char *p, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

void cluster_stop(cluster *c, bool keep_dir)
{
    if (c == NULL)
        return;
    for (int i = 0; i < c->o.nodes; i++)
        (void)cluster_node_stop(c, i, SIGTERM);
    if (c->client != NULL)
        node_transport_free(c->client);
    natsserver_stop(c->nats);
    if (keep_dir && c->dir[0] != '\0')
        printf("  cluster: kept %s for inspection\n", c->dir);
    else if (c->dir[0] != '\0')
        nftw(c->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    sodium_memzero(c->isk, sizeof c->isk);
    free(c);
}

static bool opts_fill(cluster_opts *o, const cluster_opts *in)
{
    if (in != NULL)
        *o = *in;
    if (o->nodes == 0)
        o->nodes = 3;
    if (o->in_peers == 0)
        o->in_peers = o->nodes;
    if (o->start == 0)
        o->start = o->in_peers;
    if (o->mpc_threshold == 0)
        o->mpc_threshold = 1;
    REQUIRE(o->nodes >= 1 && o->nodes <= CLUSTER_NODES_MAX);
    REQUIRE(o->in_peers >= 1 && o->in_peers <= o->nodes);
    REQUIRE(o->start >= 0 && o->start <= o->nodes);
    return true;
}

/* As natsserver_connect, with the credentials of o.client_nats. */
static bool client_connect(cluster *c)
{
    if (c->o.client_nats == NULL)
        return natsserver_connect(c->nats, &c->client, "client", NULL, NULL) ==
               MPC_OK;
    const node_nats_config *a = c->o.client_nats;
    node_nats_config nc;
    node_transport_nats_default(&nc);
    nc.url = natsserver_url(c->nats);
    nc.name = "client";
    nc.dial_timeout_ms = 1000;
    nc.reconnect_wait_ms = 100;
    nc.js_timeout_ms = 2000;
    nc.user = a->user;
    nc.password = a->password;
    nc.nkey_public = a->nkey_public;
    nc.nkey_seed_file = a->nkey_seed_file;
    nc.creds_file = a->creds_file;
    nc.tls_ca_file = a->tls_ca_file;
    nc.tls_cert_file = a->tls_cert_file;
    nc.tls_key_file = a->tls_key_file;
    nc.tls_hostname = a->tls_hostname;
    mpc_err e = node_transport_nats_new(&c->client, &nc);
    if (e != MPC_OK)
        printf("  cluster: client connect: %s\n", mpc_err_str(e));
    return e == MPC_OK;
}

bool cluster_start(cluster **out, const cluster_opts *o)
{
    REQUIRE(out != NULL);
    *out = NULL;
    cluster *c = calloc(1, sizeof *c);
    REQUIRE(c != NULL);
    bool ok = opts_fill(&c->o, o);
    snprintf(c->dir, sizeof c->dir, "/tmp/mpc-it-XXXXXX");
    if (ok && mkdtemp(c->dir) == NULL) {
        c->dir[0] = '\0';
        ok = false;
    }
    ok = ok && node_binary(c->bin, sizeof c->bin);
    ok = ok && sodium_init() >= 0 && crypto_sign_keypair(c->ipk, c->isk) == 0;
    ok = ok && natsserver_start_args(&c->nats, c->o.nats_args);
    ok = ok && write_cluster(c);
    unsigned which = 0;
    for (int i = 0; ok && i < c->o.start; i++) {
        ok = spawn(c, i);
        which |= 1u << i;
    }
    ok = ok && wait_ready(c, which);
    ok = ok && client_connect(c);
    if (!ok) {
        printf("  cluster: start failed; logs in %s\n", c->dir);
        cluster_stop(c, true);
        return false;
    }
    *out = c;
    return true;
}

bool cluster_nats_restart(cluster *c)
{
    REQUIRE(c != NULL);
    REQUIRE(natsserver_kill(c->nats));
    REQUIRE(natsserver_restart(c->nats));
    return true;
}

node_transport *cluster_client(cluster *c)
{
    return c->client;
}

const char *cluster_dir(const cluster *c)
{
    return c->dir;
}

const char *cluster_node_id(const cluster *c, int i)
{
    return i >= 0 && i < c->o.nodes ? c->id[i] : NULL;
}

const char *cluster_nats_url(const cluster *c)
{
    return natsserver_url(c->nats);
}

const uint8_t *cluster_initiator_sk(const cluster *c)
{
    return c->isk;
}

bool cluster_http_get(cluster *c, int i, const char *path, char *out,
                      size_t cap)
{
    REQUIRE(c != NULL && i >= 0 && i < c->o.nodes && cap > 0);
    out[0] = '\0';
    REQUIRE(c->http_port[i] > 0);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)c->http_port[i]);
    struct timeval tv = {.tv_sec = c->o.valgrind ? 30 : 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
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
    return ok && len > 0;
}

bool cluster_metric(cluster *c, int i, const char *name, double *value)
{
    *value = 0;
    enum { CAP = 65536 };
    char *buf = malloc(CAP);
    REQUIRE(buf != NULL);
    bool found = false;
    size_t nl = strlen(name);
    if (cluster_http_get(c, i, "/metrics", buf, CAP)) {
        for (char *p = strstr(buf, "\n"); p != NULL && !found;
             p = strchr(p + 1, '\n')) {
            if (strncmp(p + 1, name, nl) != 0 || p[1 + nl] != ' ')
                continue;
            char *end = NULL;
            *value = strtod(p + 2 + nl, &end);
            found = end != p + 2 + nl;
        }
    }
    free(buf);
    return found;
}

bool cluster_publish(cluster *c, node_client_request *r, const char *client_id)
{
    uint8_t *tbs = NULL, *body = NULL;
    size_t tbs_len = 0, len = 0;
    REQUIRE_OK(node_client_request_signed_bytes(&tbs, &tbs_len, r,
                                                NODE_CLIENT_SIGNED_CURRENT));
    crypto_sign_detached(r->signature, NULL, tbs, tbs_len, c->isk);
    free(tbs);
    r->signature_present = true;
    r->signature_len = 64;
    REQUIRE_OK(node_client_request_encode(&body, &len, r));
    char subject[NODE_CLIENT_NAME_MAX_BYTES];
    const char *id = r->op == NODE_CLIENT_OP_KEYGEN    ? r->wallet_id.s
                     : r->op == NODE_CLIENT_OP_RESHARE ? r->session_id.s
                     : r->op == NODE_CLIENT_OP_PRESIGN ? r->request_id.s
                                                       : r->tx_id.s;
    mpc_err e = node_client_request_subject(subject, sizeof subject, r->op, id);
    node_header h = {.key = NODE_CLIENT_HDR_CLIENT_ID, .value = client_id};
    if (e == MPC_OK)
        e = node_transport_js_publish(c->client, subject, &h, client_id ? 1 : 0,
                                      body, len, NULL, 5000, NULL);
    free(body);
    REQUIRE_OK(e);
    return true;
}

static void msg_free(inbox_msg *m)
{
    if (m == NULL)
        return;
    free(m->subject);
    free(m->data);
    free(m);
}

static void on_msg(const node_msg *m, void *ud)
{
    cluster_inbox *in = ud;
    inbox_msg *copy = calloc(1, sizeof *copy);
    if (copy != NULL) {
        copy->subject = strdup(m->subject);
        copy->data = malloc(m->len + 1);
        copy->len = m->len;
    }
    if (copy == NULL || copy->subject == NULL || copy->data == NULL) {
        msg_free(copy);
        copy = NULL;
    } else {
        if (m->len > 0)
            memcpy(copy->data, m->data, m->len);
        copy->data[m->len] = '\0';
    }
    pthread_mutex_lock(&in->mu);
    if (copy != NULL && in->count == in->cap) {
        int cap = in->cap ? 2 * in->cap : 16;
        inbox_msg **grown = realloc(in->msg, (size_t)cap * sizeof *grown);
        if (grown != NULL) {
            in->msg = grown;
            in->cap = cap;
        }
    }
    if (copy != NULL && in->count < in->cap) {
        in->msg[in->count++] = copy;
        copy = NULL;
    } else {
        in->oom = true;
    }
    pthread_mutex_unlock(&in->mu);
    msg_free(copy);
}

bool cluster_inbox_open(cluster *c, cluster_inbox **out,
                        const char *subject_pattern)
{
    REQUIRE(c != NULL && out != NULL);
    *out = NULL;
    cluster_inbox *in = calloc(1, sizeof *in);
    REQUIRE(in != NULL);
    in->c = c;
    pthread_mutex_init(&in->mu, NULL);
    mpc_err e = node_transport_subscribe(c->client, &in->sub, subject_pattern,
                                         on_msg, in);
    if (e != MPC_OK) {
        pthread_mutex_destroy(&in->mu);
        free(in);
        REQUIRE_OK(e);
    }
    *out = in;
    return true;
}

int cluster_inbox_count(cluster_inbox *in)
{
    pthread_mutex_lock(&in->mu);
    int n = in->count;
    pthread_mutex_unlock(&in->mu);
    return n;
}

bool cluster_inbox_wait(cluster_inbox *in, int count, int timeout_ms)
{
    for (long waited = 0;; waited += 20) {
        if (cluster_inbox_count(in) >= count)
            return true;
        if (waited >= timeout_ms)
            return false;
        sleep_ms(20);
    }
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

const char *cluster_inbox_find(cluster_inbox *in, const char *subject_suffix,
                               size_t *len)
{
    const char *data = NULL;
    pthread_mutex_lock(&in->mu);
    for (int i = 0; i < in->count && data == NULL; i++)
        if (ends_with(in->msg[i]->subject, subject_suffix)) {
            data = in->msg[i]->data;
            if (len != NULL)
                *len = in->msg[i]->len;
        }
    pthread_mutex_unlock(&in->mu);
    return data;
}

const char *cluster_inbox_get(cluster_inbox *in, int idx, const char **subject,
                              size_t *len)
{
    const char *data = NULL;
    pthread_mutex_lock(&in->mu);
    if (idx >= 0 && idx < in->count) {
        data = in->msg[idx]->data;
        if (subject != NULL)
            *subject = in->msg[idx]->subject;
        if (len != NULL)
            *len = in->msg[idx]->len;
    }
    pthread_mutex_unlock(&in->mu);
    return data;
}

void cluster_inbox_close(cluster_inbox *in)
{
    if (in == NULL)
        return;
    if (in->sub != NULL &&
        node_transport_unsubscribe(in->c->client, &in->sub) != MPC_OK)
        printf("  cluster: unsubscribe failed\n");
    for (int i = 0; i < in->count; i++)
        msg_free(in->msg[i]);
    free(in->msg);
    pthread_mutex_destroy(&in->mu);
    free(in);
}
