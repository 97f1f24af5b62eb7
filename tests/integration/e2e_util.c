/*
 * tests/integration/e2e_util.c — see e2e_util.h.
 */
#define _GNU_SOURCE
#include "tests/integration/e2e_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/harness/test.h"

void e2e_sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000,
                          .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

long long e2e_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *e2e_str(const json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));
    return s != NULL ? s : "";
}

bool e2e_b64(const json_t *j, const char *key, uint8_t *out, size_t want)
{
    REQUIRE(j != NULL);
    const char *s = json_string_value(json_object_get(j, key));
    size_t n = 0;
    bool ok = strcmp(e2e_str(j, "result_type"), "success") == 0 && s != NULL &&
              sodium_base642bin(out, want, s, strlen(s), NULL, &n, NULL,
                                sodium_base64_VARIANT_ORIGINAL) == 0 &&
              n == want;
    if (!ok) {
        char *d = json_dumps(j, JSON_COMPACT);
        printf("result without a valid %s: %s\n", key, d != NULL ? d : "?");
        free(d);
    }
    return ok;
}

/* Message idx as JSON when its `key` is `value`, else NULL. */
static json_t *match(cluster_inbox *in, int idx, const char *key,
                     const char *value)
{
    size_t len = 0;
    const char *d = cluster_inbox_get(in, idx, NULL, &len);
    if (d == NULL)
        return NULL;
    json_error_t je;
    json_t *j = json_loadb(d, len, 0, &je);
    if (j != NULL && strcmp(e2e_str(j, key), value) == 0)
        return j;
    json_decref(j);
    return NULL;
}

json_t *e2e_result_wait(cluster_inbox *in, const char *key, const char *value,
                        int timeout_ms)
{
    int seen = 0;
    for (long waited = 0; waited <= timeout_ms; waited += 20) {
        int n = cluster_inbox_count(in);
        for (; seen < n; seen++) {
            json_t *j = match(in, seen, key, value);
            if (j != NULL)
                return j;
        }
        e2e_sleep_ms(20);
    }
    printf("no result with %s=%s within %d ms\n", key, value, timeout_ms);
    return NULL;
}

int e2e_result_count(cluster_inbox *in, const char *key, const char *value)
{
    int count = 0;
    int n = cluster_inbox_count(in);
    for (int i = 0; i < n; i++) {
        json_t *j = match(in, i, key, value);
        count += j != NULL;
        json_decref(j);
    }
    return count;
}

bool e2e_publish_raw(cluster *c, node_client_op op, const char *id,
                     const void *body, size_t len, const char *cid)
{
    char subject[NODE_CLIENT_NAME_MAX_BYTES];
    REQUIRE_OK(node_client_request_subject(subject, sizeof subject, op, id));
    node_header h = {.key = NODE_CLIENT_HDR_CLIENT_ID, .value = cid};
    REQUIRE_OK(node_transport_js_publish(cluster_client(c), subject, &h,
                                         cid != NULL ? 1 : 0, body, len, NULL,
                                         5000, NULL));
    return true;
}

bool e2e_publish_signed(cluster *c, const node_client_request *r,
                        const char *cid)
{
    uint8_t *body = NULL;
    size_t len = 0;
    REQUIRE_OK(node_client_request_encode(&body, &len, r));
    const char *id =
        r->op == NODE_CLIENT_OP_KEYGEN ? r->wallet_id.s : r->tx_id.s;
    bool ok = e2e_publish_raw(c, r->op, id, body, len, cid);
    free(body);
    return ok;
}

bool e2e_keygen(cluster *c, cluster_inbox *in, const char *cid,
                const char *wallet, uint8_t eddsa_pk[32])
{
    node_client_request *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL);
    r->op = NODE_CLIENT_OP_KEYGEN;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, "%s", wallet);
    bool ok = cluster_publish(c, r, cid);
    node_client_request_clear(r);
    free(r);
    REQUIRE(ok);
    json_t *j = e2e_result_wait(in, "wallet_id", wallet, E2E_RESULT_WAIT_MS);
    ok = j != NULL && e2e_b64(j, "eddsa_pub_key", eddsa_pk, 32);
    json_decref(j);
    return ok;
}

bool e2e_sign_request(node_client_request *r, node_client_key_type kt,
                      const char *wallet, const char *tx_id, const void *tx,
                      size_t tx_len)
{
    memset(r, 0, sizeof *r);
    r->op = NODE_CLIENT_OP_SIGN;
    r->key_type = kt;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, "%s", wallet);
    snprintf(r->tx_id.s, sizeof r->tx_id.s, "%s", tx_id);
    r->tx_len = tx_len;
    r->tx = malloc(tx_len > 0 ? tx_len : 1);
    REQUIRE(r->tx != NULL);
    if (tx_len > 0)
        memcpy(r->tx, tx, tx_len);
    return true;
}

bool e2e_wait_aux(cluster *c, int i, int timeout_ms)
{
    enum { CAP = 65536 };
    char *buf = malloc(CAP);
    REQUIRE(buf != NULL);
    long long end = e2e_now_ms() + timeout_ms;
    bool ready = false, absent = false;
    while (!ready && !absent && e2e_now_ms() < end) {
        if (!cluster_http_get(c, i, "/metrics", buf, CAP))
            break;
        absent = strstr(buf, "\nmpcium_ecdsa_aux_ready ") == NULL;
        ready = strstr(buf, "\nmpcium_ecdsa_aux_ready 1\n") != NULL;
        if (!ready && !absent)
            e2e_sleep_ms(200);
    }
    free(buf);
    if (!ready && !absent)
        printf("node%d: ECDSA aux-info not ready within %d ms\n", i,
               timeout_ms);
    return ready || absent;
}

bool e2e_node_binary(char *out, size_t cap)
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

int e2e_run(char *const argv[], const char *log, int timeout_ms)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    for (long waited = 0; waited < timeout_ms; waited += 20) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        e2e_sleep_ms(20);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    printf("%s did not finish in %d ms (log %s)\n", argv[0], timeout_ms, log);
    return -1;
}
