/*
 * tests/integration/test_node_natsauth.c — mpcium-node against a NATS
 * server that demands credentials: user/password, an NKey, a .creds file
 * (JWT) and mutual TLS. For each, three nodes reach [READY] and run an
 * EdDSA keygen and a signature; then a node with a wrong secret (password,
 * seed, creds, untrusted certificate), or facing a server whose
 * certificate names another host or whose max_payload is too small, must
 * exit non-zero within a bound and say why in its log, instead of retrying
 * forever.
 *
 * The NKeys and JWTs are made here from the NKeys format (base32 of a
 * prefix, the Ed25519 key and a CRC-16/XMODEM, little-endian) and the NATS
 * JWT layout; the certificates with the openssl command.
 */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include <ftw.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "node/client_proto.h"
#include "tests/harness/test.h"
#include "tests/integration/cluster.h"
#include "tests/integration/natsserver.h"

#define RESULT_WAIT_MS 20000
/* A refused node must be gone well within this (it should take < 1 s). */
#define REFUSED_EXIT_MS 15000

/* NKey prefix bytes (the first base32 character: S, U, A, O). */
#define NKEY_SEED (18u << 3)
#define NKEY_USER (20u << 3)
#define NKEY_ACCOUNT (0u << 3)
#define NKEY_OPERATOR (14u << 3)
/* Base32 of 2 + 32 + 2 bytes (seed) or 1 + 32 + 2 (public), unpadded. */
#define NKEY_TEXT_MAX 64

typedef struct nkey {
    char pub[NKEY_TEXT_MAX];
    char seed[NKEY_TEXT_MAX];
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
} nkey;

/* ---- Files and processes ---- */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static bool write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    REQUIRE(f != NULL);
    bool ok = fputs(text, f) >= 0;
    ok = fclose(f) == 0 && ok;
    REQUIRE(ok);
    return true;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    char *buf = calloc(1, 65536);
    if (buf != NULL)
        (void)fread(buf, 1, 65535, f);
    fclose(f);
    return buf;
}

static int rm_one(const char *p, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

/* Removes dir, or keeps it for inspection when the test failed. */
static void rm_tree(const char *dir, bool ok)
{
    if (dir[0] == '\0')
        return;
    if (ok)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    else
        printf("  kept %s for inspection\n", dir);
}

static bool run(const char *cmd)
{
    int st = system(cmd);
    if (st != 0)
        printf("  command failed (%d): %s\n", st, cmd);
    return st == 0;
}

/* ---- NKeys ---- */

static uint16_t crc16_xmodem(const uint8_t *p, size_t n)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint16_t)(p[i] << 8);
        for (int b = 0; b < 8; b++)
            crc = (uint16_t)(crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    return crc;
}

static void base32(char *out, const uint8_t *in, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    unsigned acc = 0, bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8 | in[i]) & 0xffff;
        bits += 8;
        while (bits >= 5) {
            out[o++] = abc[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[o++] = abc[(acc << (5 - bits)) & 31];
    out[o] = '\0';
}

/* prefix bytes || key || CRC-16 (little-endian), in base32. */
static void nkey_text(char *out, const uint8_t *prefix, size_t np,
                      const uint8_t key[32])
{
    uint8_t raw[2 + 32 + 2];
    memcpy(raw, prefix, np);
    memcpy(raw + np, key, 32);
    uint16_t crc = crc16_xmodem(raw, np + 32);
    raw[np + 32] = (uint8_t)crc;
    raw[np + 33] = (uint8_t)(crc >> 8);
    base32(out, raw, np + 34);
    sodium_memzero(raw, sizeof raw);
}

static void nkey_make(nkey *k, unsigned type)
{
    uint8_t seed[32], pk[32];
    randombytes_buf(seed, sizeof seed);
    crypto_sign_seed_keypair(pk, k->sk, seed);
    uint8_t sp[2] = {(uint8_t)(NKEY_SEED | type >> 5),
                     (uint8_t)((type & 31) << 3)};
    uint8_t pp[1] = {(uint8_t)type};
    nkey_text(k->seed, sp, 2, seed);
    nkey_text(k->pub, pp, 1, pk);
    sodium_memzero(seed, sizeof seed);
}

/* ---- JWTs (for the .creds file) ---- */

static char *b64url(const uint8_t *p, size_t n)
{
    size_t cap =
        sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *s = malloc(cap);
    if (s != NULL)
        sodium_bin2base64(s, cap, p, n,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return s;
}

/*
 * header.claims.signature, the signature by `issuer` over the first two
 * parts. The claims get iat, iss, sub, name and a jti (any unique string:
 * the server does not recompute it).
 */
static char *jwt_sign(json_t *claims, const nkey *issuer, const char *sub,
                      const char *name)
{
    static const char hdr[] = "{\"typ\":\"JWT\",\"alg\":\"ed25519-nkey\"}";
    uint8_t jti[16];
    char jti_text[40];
    randombytes_buf(jti, sizeof jti);
    base32(jti_text, jti, sizeof jti);
    json_object_set_new(claims, "jti", json_string(jti_text));
    json_object_set_new(claims, "iat", json_integer((json_int_t)time(NULL)));
    json_object_set_new(claims, "iss", json_string(issuer->pub));
    json_object_set_new(claims, "sub", json_string(sub));
    json_object_set_new(claims, "name", json_string(name));
    char *body = json_dumps(claims, JSON_COMPACT);
    json_decref(claims);
    char *h = b64url((const uint8_t *)hdr, sizeof hdr - 1);
    char *b = body != NULL ? b64url((const uint8_t *)body, strlen(body)) : NULL;
    free(body);
    char *out = NULL;
    if (h != NULL && b != NULL) {
        size_t cap = strlen(h) + strlen(b) + 128;
        out = malloc(cap);
        if (out != NULL) {
            int n = snprintf(out, cap, "%s.%s", h, b);
            uint8_t sig[crypto_sign_BYTES];
            crypto_sign_detached(sig, NULL, (const uint8_t *)out, (size_t)n,
                                 issuer->sk);
            char *s = b64url(sig, sizeof sig);
            if (s != NULL)
                snprintf(out + n, cap - (size_t)n, ".%s", s);
            else {
                free(out);
                out = NULL;
            }
            free(s);
        }
    }
    free(h);
    free(b);
    return out;
}

static json_t *nats_claims(const char *type)
{
    return json_pack("{s:{s:s,s:i}}", "nats", "type", type, "version", 2);
}

/* An account with JetStream and no limits. */
static json_t *account_claims(void)
{
    json_t *c = nats_claims("account");
    json_t *lim =
        json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:b,s:i,s:i,s:i,s:i,s:i}", "subs",
                  -1, "data", -1, "payload", -1, "imports", -1, "exports", -1,
                  "conn", -1, "wildcards", 1, "leaf", -1, "mem_storage", -1,
                  "disk_storage", -1, "streams", -1, "consumer", -1);
    json_object_set_new(json_object_get(c, "nats"), "limits", lim);
    return c;
}

static json_t *user_claims(void)
{
    json_t *c = nats_claims("user");
    json_t *nats = json_object_get(c, "nats");
    json_object_set_new(nats, "pub", json_object());
    json_object_set_new(nats, "sub", json_object());
    json_object_set_new(nats, "subs", json_integer(-1));
    json_object_set_new(nats, "data", json_integer(-1));
    json_object_set_new(nats, "payload", json_integer(-1));
    return c;
}

/*
 * Operator mode: the server trusts the operator, knows the account from a
 * preloaded JWT (MEMORY resolver); the user presents its JWT and proves
 * its seed. Writes <dir>/op.conf and <dir>/user.creds.
 */
static bool make_creds(const char *dir)
{
    nkey op, sys, acc, user;
    nkey_make(&op, NKEY_OPERATOR);
    nkey_make(&sys, NKEY_ACCOUNT);
    nkey_make(&acc, NKEY_ACCOUNT);
    nkey_make(&user, NKEY_USER);
    char *op_jwt = jwt_sign(nats_claims("operator"), &op, op.pub, "it-op");
    /* JetStream needs a system account in operator mode. */
    char *sys_jwt = jwt_sign(nats_claims("account"), &op, sys.pub, "SYS");
    char *acc_jwt = jwt_sign(account_claims(), &op, acc.pub, "it-acc");
    char *user_jwt = jwt_sign(user_claims(), &acc, user.pub, "it-user");
    bool ok = op_jwt != NULL && sys_jwt != NULL && acc_jwt != NULL &&
              user_jwt != NULL;
    size_t cap = 16384;
    char *text = malloc(cap);
    char path[256];
    ok = ok && text != NULL;
    if (ok) {
        snprintf(text, cap,
                 "operator: %s\nsystem_account: %s\nresolver: MEMORY\n"
                 "resolver_preload: {\n  %s: %s\n  %s: %s\n}\n",
                 op_jwt, sys.pub, sys.pub, sys_jwt, acc.pub, acc_jwt);
        snprintf(path, sizeof path, "%s/op.conf", dir);
        ok = write_text(path, text);
    }
    if (ok) {
        snprintf(text, cap,
                 "-----BEGIN NATS USER JWT-----\n%s\n"
                 "------END NATS USER JWT------\n\n"
                 "-----BEGIN USER NKEY SEED-----\n%s\n"
                 "------END USER NKEY SEED------\n",
                 user_jwt, user.seed);
        snprintf(path, sizeof path, "%s/user.creds", dir);
        ok = write_text(path, text);
        sodium_memzero(text, cap);
    }
    free(text);
    free(op_jwt);
    free(sys_jwt);
    free(acc_jwt);
    free(user_jwt);
    sodium_memzero(&op, sizeof op);
    sodium_memzero(&sys, sizeof sys);
    sodium_memzero(&acc, sizeof acc);
    sodium_memzero(&user, sizeof user);
    return ok;
}

/* ---- Certificates ---- */

static bool make_ca(const char *dir, const char *name)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt "
             "ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=%s "
             "-keyout %s/%s-key.pem -out %s/%s.pem >/dev/null 2>&1",
             name, dir, name, dir, name);
    return run(cmd);
}

/* A leaf certificate `name` issued by CA `ca`, for `eku`. */
static bool make_leaf(const char *dir, const char *ca, const char *name,
                      const char *eku, const char *san)
{
    char cmd[1536];
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt "
             "ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=%s "
             "-CA %s/%s.pem -CAkey %s/%s-key.pem "
             "-addext basicConstraints=critical,CA:FALSE "
             "-addext extendedKeyUsage=%s %s%s "
             "-keyout %s/%s-key.pem -out %s/%s.pem >/dev/null 2>&1",
             name, dir, ca, dir, ca, eku, san ? "-addext subjectAltName=" : "",
             san ? san : "", dir, name, dir, name);
    return run(cmd);
}

/* ca, server (127.0.0.1), client (node), a server certificate for
 * another host and a client from a rogue CA. */
static bool make_certs(const char *dir)
{
    return make_ca(dir, "ca") &&
           make_leaf(dir, "ca", "server", "serverAuth",
                     "IP:127.0.0.1,DNS:localhost") &&
           make_leaf(dir, "ca", "elsewhere", "serverAuth",
                     "DNS:elsewhere.example") &&
           make_leaf(dir, "ca", "client", "clientAuth", NULL) &&
           make_ca(dir, "rogue") &&
           make_leaf(dir, "rogue", "intruder", "clientAuth", NULL);
}

/* ---- EdDSA keygen + sign through the cluster ---- */

static bool result_b64(const char *data, size_t len, const char *key,
                       uint8_t *out, size_t want)
{
    REQUIRE(data != NULL);
    json_error_t je;
    json_t *j = json_loadb(data, len, 0, &je);
    REQUIRE(j != NULL);
    const char *s = json_string_value(json_object_get(j, key));
    const char *rt = json_string_value(json_object_get(j, "result_type"));
    size_t n = 0;
    bool ok = rt != NULL && strcmp(rt, "success") == 0 && s != NULL &&
              sodium_base642bin(out, want, s, strlen(s), NULL, &n, NULL,
                                sodium_base64_VARIANT_ORIGINAL) == 0 &&
              n == want;
    if (!ok)
        printf("  result: %.*s\n", (int)len, data);
    json_decref(j);
    return ok;
}

static bool keygen(cluster *c, cluster_inbox *in, uint8_t pk[32])
{
    node_client_request *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL);
    r->op = NODE_CLIENT_OP_KEYGEN;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, "auth-wallet");
    bool ok = cluster_publish(c, r, NULL);
    node_client_request_clear(r);
    free(r);
    REQUIRE(ok && cluster_inbox_wait(in, 1, RESULT_WAIT_MS));
    size_t len = 0;
    const char *d =
        cluster_inbox_find(in, "mpc.mpc_keygen_result.auth-wallet", &len);
    return result_b64(d, len, "eddsa_pub_key", pk, 32);
}

static bool sign(cluster *c, cluster_inbox *in, const uint8_t pk[32])
{
    static const char tx[] = "authenticated transfer";
    node_client_request *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL);
    r->op = NODE_CLIENT_OP_SIGN;
    r->key_type = NODE_CLIENT_KEY_ED25519;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, "auth-wallet");
    snprintf(r->tx_id.s, sizeof r->tx_id.s, "auth-tx");
    r->tx_len = sizeof tx - 1;
    r->tx = malloc(r->tx_len);
    bool ok = r->tx != NULL;
    if (ok)
        memcpy(r->tx, tx, r->tx_len);
    ok = ok && cluster_publish(c, r, NULL);
    node_client_request_clear(r);
    free(r);
    REQUIRE(ok && cluster_inbox_wait(in, 1, RESULT_WAIT_MS));
    size_t len = 0;
    const char *d =
        cluster_inbox_find(in, "mpc.mpc_signing_result.complete", &len);
    uint8_t sig[64];
    REQUIRE(result_b64(d, len, "signature", sig, sizeof sig));
    REQUIRE(crypto_sign_verify_detached(sig, (const uint8_t *)tx, sizeof tx - 1,
                                        pk) == 0);
    return true;
}

static bool eddsa_flow(cluster *c)
{
    cluster_inbox *kin = NULL, *sin = NULL;
    uint8_t pk[32];
    bool ok = cluster_inbox_open(c, &kin, "mpc.mpc_keygen_result.*") &&
              cluster_inbox_open(c, &sin, "mpc.mpc_signing_result.*") &&
              keygen(c, kin, pk) && sign(c, sin, pk);
    cluster_inbox_close(kin);
    cluster_inbox_close(sin);
    return ok;
}

/* ---- A node that must be refused ---- */

/* The node binary next to the test runner (as the cluster finds it). */
static bool node_bin(char *out, size_t cap)
{
    char self[512];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    REQUIRE(n > 0);
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    REQUIRE(slash != NULL);
    *slash = '\0';
    snprintf(out, cap, "%s/mpcium-node", self);
    return access(out, X_OK) == 0;
}

/* Replaces the one occurrence of `from` in the heap string *s by `to`. */
static bool replace(char **s, const char *from, const char *to)
{
    char *at = strstr(*s, from);
    REQUIRE(at != NULL);
    size_t head = (size_t)(at - *s), fl = strlen(from), tl = strlen(to);
    size_t tail = strlen(at + fl);
    char *r = malloc(head + tl + tail + 1);
    REQUIRE(r != NULL);
    memcpy(r, *s, head);
    memcpy(r + head, to, tl);
    memcpy(r + head + tl, at + fl, tail + 1);
    free(*s);
    *s = r;
    return true;
}

/* Runs `bin start -c cfg` with its output in `log`; its exit status, or -1
 * when it was still running after REFUSED_EXIT_MS (then killed). */
static int run_node(const char *bin, const char *cfg, const char *log,
                    long *took_ms)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
            _exit(127);
        FILE *f = freopen(log, "w", stderr);
        if (f == NULL || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
            _exit(127);
        execl(bin, bin, "start", "-c", cfg, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    for (*took_ms = 0; *took_ms < REFUSED_EXIT_MS; *took_ms += 20) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        sleep_ms(20);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

/*
 * A fourth process with node0's configuration, `from` replaced by `to`
 * (and its own database), must exit with status 1 in time (not a crash,
 * not a sanitizer report) with a log that has "start-up failed" and `why`.
 */
static bool refused(cluster *c, const char *from, const char *to,
                    const char *why)
{
    char bin[600], path[160], log[160];
    REQUIRE(node_bin(bin, sizeof bin));
    snprintf(path, sizeof path, "%s/node0.yaml", cluster_dir(c));
    char *cfg = read_text(path);
    REQUIRE(cfg != NULL);
    bool ok = replace(&cfg, from, to) && replace(&cfg, "/db\n", "/db-bad\n");
    snprintf(path, sizeof path, "%s/bad.yaml", cluster_dir(c));
    ok = ok && write_text(path, cfg);
    free(cfg);
    REQUIRE(ok);
    snprintf(log, sizeof log, "%s/bad.log", cluster_dir(c));
    long took = 0;
    int rc = run_node(bin, path, log, &took);
    char *text = read_text(log);
    /* The library's own reason is logged too (event="closed"). */
    ok = rc == 1 && text != NULL && strstr(text, "start-up failed") != NULL &&
         strstr(text, "event=\"closed\"") != NULL &&
         strstr(text, why) != NULL && strstr(text, "[READY]") == NULL;
    if (!ok)
        printf("  refused node: exit %d after %ld ms, want \"%s\"; log:\n%s\n",
               rc, took, why, text != NULL ? text : "(none)");
    free(text);
    return ok;
}

/* ---- The cases ---- */

typedef struct auth_case {
    const char *const *server_args;
    const char *node_yaml;
    node_nats_config client;
    /* The refused node: node_yaml's `bad_from` becomes `bad_to`. */
    const char *bad_from, *bad_to, *bad_why;
    /* More checks on the running cluster (may be NULL). */
    bool (*extra)(cluster *c);
} auth_case;

static bool run_case(const auth_case *a)
{
    cluster_opts o = {.nodes = 3,
                      .ecdsa_fixtures = true,
                      .nats_args = a->server_args,
                      .nats_yaml = a->node_yaml,
                      .client_nats = &a->client};
    cluster *c = NULL;
    bool ok = cluster_start(&c, &o);
    ok = ok && eddsa_flow(c);
    ok = ok && refused(c, a->bad_from, a->bad_to, a->bad_why);
    ok = ok && (a->extra == NULL || a->extra(c));
    cluster_stop(c, !ok);
    return ok;
}

static bool make_dir(char *dir)
{
    strcpy(dir, "/tmp/mpc-natsauth-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        dir[0] = '\0';
        return false;
    }
    return true;
}

/*
 * A server whose max_payload (64 KiB) is below what a node may publish
 * (node/payload.h): the node refuses it at start-up. Without authorization
 * configured, the server ignores the credentials the node presents.
 */
static bool small_max_payload(cluster *c)
{
    char dir[32], conf[64], url[64];
    REQUIRE(make_dir(dir));
    snprintf(conf, sizeof conf, "%s/small.conf", dir);
    const char *const args[] = {"-c", conf, NULL};
    natsserver *s = NULL;
    bool ok = write_text(conf, "max_payload: 65536\n") &&
              natsserver_start_args(&s, args);
    if (ok) {
        snprintf(url, sizeof url, "url: %s\n", natsserver_url(s));
        char from[64];
        snprintf(from, sizeof from, "url: %s\n", cluster_nats_url(c));
        ok = refused(c, from, url, "max_payload is 65536 bytes");
    }
    natsserver_stop(s);
    rm_tree(dir, ok);
    return ok;
}

TEST(node_natsauth_user_password)
{
    static const char *const args[] = {"--user", "mpcium", "--pass",
                                       "s3cret-pass", NULL};
    auth_case a = {
        .server_args = args,
        .node_yaml = "  username: mpcium\n  password: s3cret-pass\n",
        .client = {.user = "mpcium", .password = "s3cret-pass"},
        .bad_from = "s3cret-pass",
        .bad_to = "wrong-pass",
        .bad_why = "refused the credentials",
        .extra = small_max_payload,
    };
    CHECK(run_case(&a));
}

TEST(node_natsauth_nkey)
{
    char dir[32], conf[64], seedf[64], bad[64], text[256], yaml[256];
    CHECK(make_dir(dir));
    nkey k, other;
    nkey_make(&k, NKEY_USER);
    nkey_make(&other, NKEY_USER);
    snprintf(conf, sizeof conf, "%s/nkey.conf", dir);
    snprintf(seedf, sizeof seedf, "%s/user.nk", dir);
    snprintf(bad, sizeof bad, "%s/other.nk", dir);
    snprintf(text, sizeof text,
             "authorization {\n  users = [ { nkey: %s } ]\n}\n", k.pub);
    bool ok = write_text(conf, text) && write_text(seedf, k.seed) &&
              write_text(bad, other.seed);
    snprintf(yaml, sizeof yaml, "  nkey: %s\n  nkey_seed_file: %s\n", k.pub,
             seedf);
    const char *const args[] = {"-c", conf, NULL};
    /* The wrong seed: the signature of the server's nonce does not verify
     * under the configured public key. */
    auth_case a = {
        .server_args = args,
        .node_yaml = yaml,
        .client = {.nkey_public = k.pub, .nkey_seed_file = seedf},
        .bad_from = seedf,
        .bad_to = bad,
        .bad_why = "refused the credentials",
    };
    ok = ok && run_case(&a);
    sodium_memzero(&k, sizeof k);
    sodium_memzero(&other, sizeof other);
    rm_tree(dir, ok);
    CHECK(ok);
}

TEST(node_natsauth_creds_file)
{
    char dir[32], conf[64], creds[64], yaml[256];
    CHECK(make_dir(dir));
    bool ok = make_creds(dir);
    snprintf(conf, sizeof conf, "%s/op.conf", dir);
    snprintf(creds, sizeof creds, "%s/user.creds", dir);
    char *good = ok ? read_text(creds) : NULL;
    ok = good != NULL;
    /* The refused node: a .creds whose seed is not the key its JWT names,
     * so its signature of the server's nonce does not verify. */
    char bad[64];
    snprintf(bad, sizeof bad, "%s/bad.creds", dir);
    if (ok) {
        nkey stranger;
        nkey_make(&stranger, NKEY_USER);
        char *seed = strstr(good, "-----BEGIN USER NKEY SEED-----\n");
        ok = seed != NULL;
        if (ok) {
            seed += strlen("-----BEGIN USER NKEY SEED-----\n");
            memcpy(seed, stranger.seed, strlen(stranger.seed));
            ok = write_text(bad, good);
        }
        sodium_memzero(&stranger, sizeof stranger);
    }
    free(good);
    snprintf(yaml, sizeof yaml, "  creds_file: %s\n", creds);
    const char *const args[] = {"-c", conf, NULL};
    auth_case a = {
        .server_args = args,
        .node_yaml = yaml,
        .client = {.creds_file = creds},
        .bad_from = creds,
        .bad_to = bad,
        .bad_why = "refused the credentials",
    };
    ok = ok && run_case(&a);
    rm_tree(dir, ok);
    CHECK(ok);
}

/* The certificates of node_natsauth_mutual_tls (one test uses it). */
static char tls_dir[32];

/* A server whose certificate (from the right CA) names another host: the
 * node must not accept it. */
static bool wrong_host(cluster *c)
{
    char ca[64], cert[64], key[64], url[64], from[64];
    snprintf(ca, sizeof ca, "%s/ca.pem", tls_dir);
    snprintf(cert, sizeof cert, "%s/elsewhere.pem", tls_dir);
    snprintf(key, sizeof key, "%s/elsewhere-key.pem", tls_dir);
    const char *const args[] = {"--tlsverify", "--tlscert",   cert, "--tlskey",
                                key,           "--tlscacert", ca,   NULL};
    natsserver *s = NULL;
    REQUIRE(natsserver_start_args(&s, args));
    snprintf(url, sizeof url, "url: %s\n", natsserver_url(s));
    snprintf(from, sizeof from, "url: %s\n", cluster_nats_url(c));
    /* OpenSSL's reason, passed on by cnats. */
    bool ok = refused(c, from, url, "IP address mismatch");
    natsserver_stop(s);
    return ok;
}

TEST(node_natsauth_mutual_tls)
{
    char *dir = tls_dir, p[5][64], yaml[512], rogue[128];
    CHECK(make_dir(dir));
    static const char *const names[5] = {"ca", "server", "server-key", "client",
                                         "client-key"};
    for (int i = 0; i < 5; i++)
        snprintf(p[i], sizeof p[i], "%s/%s.pem", dir, names[i]);
    bool ok = make_certs(dir);
    snprintf(yaml, sizeof yaml,
             "  tls:\n    ca_cert: %s\n    client_cert: %s\n"
             "    client_key: %s\n",
             p[0], p[3], p[4]);
    snprintf(rogue, sizeof rogue,
             "%s/intruder.pem\n    client_key: %s/intruder-key.pem", dir, dir);
    /* verify: a client certificate from the CA is required. */
    const char *const args[] = {"--tlsverify", "--tlscert",   p[1], "--tlskey",
                                p[2],          "--tlscacert", p[0], NULL};
    /* The refused node: a certificate from another CA. cnats sees the
     * server's refusal as an SSL, I/O or protocol error (a race). */
    char from[160];
    snprintf(from, sizeof from, "%s\n    client_key: %s", p[3], p[4]);
    auth_case a = {
        .server_args = args,
        .node_yaml = yaml,
        .client = {.tls_ca_file = p[0],
                   .tls_cert_file = p[3],
                   .tls_key_file = p[4]},
        .bad_from = from,
        .bad_to = rogue,
        .bad_why = "the server may have refused this node's certificate",
        .extra = wrong_host,
    };
    ok = ok && run_case(&a);
    rm_tree(dir, ok);
    CHECK(ok);
}

/* ---- The transport alone ---- */

typedef struct last_event {
    node_transport_event ev;
    char detail[640];
} last_event;

static void keep_event(void *ud, node_transport_event ev, const char *detail)
{
    last_event *l = ud;
    if (l->ev != 0)
        return; /* the first one says why */
    l->ev = ev;
    snprintf(l->detail, sizeof l->detail, "%s", detail);
}

static mpc_err connect_with(const natsserver *s, const char *user,
                            const char *pass, int64_t need, last_event *l)
{
    node_nats_config c;
    node_transport_nats_default(&c);
    c.url = natsserver_url(s);
    c.dial_timeout_ms = 1000;
    c.user = user;
    c.password = pass;
    c.payload_need_bytes = need;
    c.on_event = keep_event;
    c.event_ud = l;
    memset(l, 0, sizeof *l);
    node_transport *t = NULL;
    mpc_err e = node_transport_nats_new(&t, &c);
    if ((e == MPC_OK) != (t != NULL))
        e = MPC_ERR_INTERNAL;
    node_transport_free(t);
    return e;
}

/* The checks behind the node's start-up errors: the server's max_payload
 * (1 MiB by default) against payload_need_bytes, and a refused password,
 * each with its reason on the event callback, at once. */
TEST(node_natsauth_transport_refusals)
{
    static const char *const args[] = {"--user", "u", "--pass", "p", NULL};
    natsserver *s = NULL;
    CHECK(natsserver_start_args(&s, args));
    last_event l;
    bool ok = connect_with(s, "u", "p", 1048576, &l) == MPC_OK;
    ok = ok && connect_with(s, "u", "p", 1048577, &l) == MPC_ERR_CONFLICT &&
         l.ev == NODE_TRANSPORT_CLOSED &&
         strstr(l.detail, "max_payload is 1048576 bytes") != NULL;
    ok = ok && connect_with(s, "u", "x", 0, &l) == MPC_ERR_AUTH &&
         l.ev == NODE_TRANSPORT_CLOSED &&
         strstr(l.detail, "Authorization Violation") != NULL;
    ok = ok && connect_with(s, "u", "p", -1, &l) == MPC_ERR_INVALID_ARG;
    if (!ok)
        printf("  last event %d: %s\n", (int)l.ev, l.detail);
    natsserver_stop(s);
    CHECK(ok);
}
