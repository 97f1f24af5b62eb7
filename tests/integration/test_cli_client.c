/*
 * tests/integration/test_cli_client.c — mpcium-cli keygen / sign against a
 * real cluster, started by scripts/demo.sh (DEMO_KEEP=1 in a temp dir):
 * the demo's keygen and both signatures verify; an unknown wallet is
 * answered with mpcium's error code and exit 1; bad command lines exit 2;
 * scripts/demo-stop.sh stops the cluster and removes the directory.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/harness/test.h"

/* The directory holding this runner, mpcium-cli and mpcium-node. */
static bool bin_dir(char *out, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", out, cap - 1);
    REQUIRE(n > 0);
    out[n] = '\0';
    char *slash = strrchr(out, '/');
    REQUIRE(slash != NULL);
    *slash = '\0';
    return true;
}

/* Runs `cmd` with sh; its stdout+stderr into out; the exit status. */
static int run(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    size_t len = 0, r;
    while (len + 1 < cap && (r = fread(out + len, 1, cap - 1 - len, p)) > 0)
        len += r;
    out[len] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *s = hay; (s = strstr(s, needle)) != NULL; s++)
        n++;
    return n;
}

/* KEY=value from the demo's env file. */
static bool env_get(const char *dir, const char *key, char *out, size_t cap)
{
    char path[256], line[512];
    snprintf(path, sizeof path, "%s/env", dir);
    FILE *f = fopen(path, "r");
    REQUIRE(f != NULL);
    size_t kl = strlen(key);
    bool found = false;
    while (!found && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, key, kl) == 0 && line[kl] == '=') {
            line[strcspn(line, "\n")] = '\0';
            snprintf(out, cap, "%s", line + kl + 1);
            found = true;
        }
    fclose(f);
    REQUIRE(found);
    return true;
}

TEST(cli_client_usage_errors_exit_2)
{
    char bin[512], cmd[1024], out[4096];
    CHECK(bin_dir(bin, sizeof bin));
    snprintf(cmd, sizeof cmd, "%s/mpcium-cli keygen 2>&1", bin);
    CHECK(run(cmd, out, sizeof out) == 2);
    CHECK(strstr(out, "--nats and --initiator-key are needed") != NULL);
    snprintf(cmd, sizeof cmd,
             "%s/mpcium-cli sign --nats nats://127.0.0.1:1 --initiator-key x "
             "--wallet w --key-type secp256k1 --message 00 2>&1",
             bin);
    CHECK(run(cmd, out, sizeof out) == 2);
    CHECK(strstr(out, "only --key-type ed25519") != NULL);
    snprintf(cmd, sizeof cmd,
             "%s/mpcium-cli sign --nats nats://127.0.0.1:1 --initiator-key x "
             "--wallet w --key-type ed25519 --message 0 2>&1",
             bin);
    CHECK(run(cmd, out, sizeof out) == 2);
    snprintf(cmd, sizeof cmd,
             "%s/mpcium-cli sign --nats nats://127.0.0.1:1 --initiator-key x "
             "--wallet w --key-type ed25519 --message-text hi --path 1/x "
             "2>&1",
             bin);
    CHECK(run(cmd, out, sizeof out) == 2);
    CHECK(strstr(out, "bad --path") != NULL);
}

/* Runs `cmd`; true when it exits `want` and its output has `needle`. */
static bool expect(const char *cmd, int want, const char *needle, char *out,
                   size_t cap)
{
    int rc = run(cmd, out, cap);
    bool ok = rc == want && (needle == NULL || strstr(out, needle) != NULL);
    if (!ok)
        printf("%s\n(exit %d, wanted %d with \"%s\"):\n%s\n", cmd, rc, want,
               needle != NULL ? needle : "", out);
    return ok;
}

/* Against the kept demo cluster in `demo`. */
static bool client_cases(const char *bin, const char *dir, const char *demo,
                         char *out, size_t cap)
{
    char cmd[2048], url[128], key[256];
    REQUIRE(env_get(demo, "NATS_URL", url, sizeof url));
    REQUIRE(env_get(demo, "INITIATOR_KEY_FILE", key, sizeof key));
    /* A wallet nobody holds: mpcium's error code, exit 1. */
    snprintf(cmd, sizeof cmd,
             "%s/mpcium-cli sign --nats %s --initiator-key %s --wallet "
             "no-such-wallet --key-type ed25519 --message 00ff "
             "--client-id it-cli --timeout 30 2>&1",
             bin, url, key);
    bool ok = expect(cmd, 1, "the cluster answered an error: ERROR_", out, cap);
    /* Another keygen with a fresh client id and a random wallet id. */
    snprintf(cmd, sizeof cmd,
             "%s/mpcium-cli keygen --nats %s --initiator-key %s "
             "--client-id it-cli-2 --timeout 30 2>&1",
             bin, url, key);
    ok = expect(cmd, 0, "eddsa_pub_key: ", out, cap) && ok;
    /* Another initiator key: the nodes refuse the request. */
    snprintf(cmd, sizeof cmd,
             "printf '%%064d' 7 > %s/other.key && %s/mpcium-cli keygen "
             "--nats %s --initiator-key %s/other.key --client-id it-cli-3 "
             "--timeout 30 2>&1",
             dir, bin, url, dir);
    ok = expect(cmd, 1, "ERROR_INVALID_INITIATOR_SIGNATURE", out, cap) && ok;
    return ok;
}

TEST(cli_client_demo_cluster_keygen_sign_and_errors)
{
    enum { CAP = 65536 };
    char bin[512], dir[64] = "/tmp/mpc-it-cli-XXXXXX", demo[128], cmd[1024];
    char *out = malloc(CAP);
    CHECK(out != NULL);
    bool ok = bin_dir(bin, sizeof bin) && mkdtemp(dir) != NULL;
    snprintf(demo, sizeof demo, "%s/c", dir);
    snprintf(cmd, sizeof cmd,
             "DEMO_KEEP=1 DEMO_DIR=%s BUILD=%s/.. scripts/demo.sh 2>&1", demo,
             bin);
    bool demo_ok = ok && expect(cmd, 0, "derived_pub_key: ", out, CAP) &&
                   count(out, "verified: yes (libsodium)") == 2 &&
                   count(out, "ecdsa_pub_key: null") == 1;
    bool cases_ok = demo_ok && client_cases(bin, dir, demo, out, CAP);
    /* Always stop the cluster before any CHECK can return. */
    snprintf(cmd, sizeof cmd, "DEMO_DIR=%s scripts/demo-stop.sh 2>&1", demo);
    bool stop_ok = expect(cmd, 0, "removed", out, CAP);
    struct stat sb;
    bool gone = stat(demo, &sb) != 0;
    bool again = expect(cmd, 0, "nothing to stop", out, CAP);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    bool rm_ok = run(cmd, out, CAP) == 0;
    free(out);
    CHECK(demo_ok);
    CHECK(cases_ok);
    CHECK(stop_ok && gone && again && rm_ok);
}
