/*
 * tests/integration/test_cli_client.c — mpcium-cli keygen / sign against a
 * real cluster, started by scripts/demo.sh (DEMO_KEEP=1 in a temp dir):
 * the demo's keygen makes both keys and its four signatures (EdDSA and
 * ECDSA, each with and without a derivation path) verify; an unknown
 * wallet is answered with mpcium's error code and exit 1; an ECDSA
 * signature checked against another key is refused; bad command lines
 * exit 2; scripts/demo-stop.sh stops the cluster and removes the directory.
 * A demo without DEMO_KEEP leaves no process behind either.
 *
 * Every command runs under timeout(1): a node's first start generates
 * safe primes (tens of seconds on a loaded machine), so the bounds are
 * generous. On failure the demo's output and the node logs are printed.
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
             "--wallet w --key-type secp256k1 --message 0 2>&1",
             bin);
    CHECK(run(cmd, out, sizeof out) == 2);
    CHECK(strstr(out, "bad message") != NULL);
    snprintf(cmd, sizeof cmd,
             "%s/mpcium-cli sign --nats nats://127.0.0.1:1 --initiator-key x "
             "--wallet w --key-type rsa --message 00 2>&1",
             bin);
    CHECK(run(cmd, out, sizeof out) == 2);
    CHECK(strstr(out, "bad --key-type") != NULL);
    snprintf(cmd, sizeof cmd,
             "%s/mpcium-cli sign --nats nats://127.0.0.1:1 --initiator-key x "
             "--wallet w --key-type ed25519 --message 00 --hash sha256 2>&1",
             bin);
    CHECK(run(cmd, out, sizeof out) == 2);
    CHECK(strstr(out, "bad --hash") != NULL);
    snprintf(cmd, sizeof cmd,
             "%s/mpcium-cli sign --nats nats://127.0.0.1:1 --initiator-key x "
             "--wallet w --key-type secp256k1 --message 00 --hash SHA256 2>&1",
             bin);
    CHECK(run(cmd, out, sizeof out) == 2);
    CHECK(strstr(out, "bad --hash") != NULL);
    /* 33 bytes: too long for a digest without --hash. */
    snprintf(cmd, sizeof cmd,
             "%s/mpcium-cli sign --nats nats://127.0.0.1:1 --initiator-key x "
             "--wallet w --key-type secp256k1 --message-text "
             "123456789012345678901234567890123 2>&1",
             bin);
    CHECK(run(cmd, out, sizeof out) == 2);
    CHECK(strstr(out, "bad message") != NULL);
    snprintf(cmd, sizeof cmd,
             "%s/mpcium-cli sign --nats nats://127.0.0.1:1 --initiator-key x "
             "--wallet w --key-type secp256k1 --message 00 --pubkey 0011 2>&1",
             bin);
    CHECK(run(cmd, out, sizeof out) == 2);
    CHECK(strstr(out, "--pubkey is not a secp256k1 point") != NULL);
    /* X || Y of the generator with the last digit of Y changed: the point
     * is checked whole, not only X and the parity of Y. */
    snprintf(cmd, sizeof cmd,
             "%s/mpcium-cli sign --nats nats://127.0.0.1:1 --initiator-key x "
             "--wallet w --key-type secp256k1 --message 00 --pubkey "
             "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
             "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b6"
             " 2>&1",
             bin);
    CHECK(run(cmd, out, sizeof out) == 2);
    CHECK(strstr(out, "--pubkey is not a secp256k1 point") != NULL);
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
             "timeout 120 %s/mpcium-cli sign --nats %s --initiator-key %s "
             "--wallet "
             "no-such-wallet --key-type ed25519 --message 00ff "
             "--client-id it-cli --timeout 90 2>&1",
             bin, url, key);
    bool ok = expect(cmd, 1, "the cluster answered an error: ERROR_", out, cap);
    /* Another keygen with a fresh client id and a random wallet id. */
    snprintf(cmd, sizeof cmd,
             "timeout 120 %s/mpcium-cli keygen --nats %s --initiator-key %s "
             "--client-id it-cli-2 --timeout 90 2>&1",
             bin, url, key);
    ok = expect(cmd, 0, "eddsa_pub_key: ", out, cap) && ok;
    /* Another initiator key: the nodes refuse the request. */
    snprintf(cmd, sizeof cmd,
             "printf '%%064d' 7 > %s/other.key && timeout 120 "
             "%s/mpcium-cli keygen "
             "--nats %s --initiator-key %s/other.key --client-id it-cli-3 "
             "--timeout 90 2>&1",
             dir, bin, url, dir);
    ok = expect(cmd, 1, "ERROR_INVALID_INITIATOR_SIGNATURE", out, cap) && ok;
    /* An ECDSA signature checked against another key (the generator):
     * the signature is made, the check fails, exit 1. */
    snprintf(
        cmd, sizeof cmd,
        "timeout 120 %s/mpcium-cli sign --nats %s --initiator-key %s "
        "--wallet demo-wallet-1 --key-type secp256k1 --message-text hi "
        "--hash sha256 --pubkey "
        "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
        " --client-id it-cli-4 --timeout 90 2>&1",
        bin, url, key);
    ok = expect(cmd, 1, "verified: NO", out, cap) && ok;
    return ok;
}

/* The demo's output, then the tail of each node log in `demo` (kept by
 * the demo when it fails). */
static void show_logs(const char *demo, const char *out)
{
    char cmd[512], buf[8192];
    printf("---- demo output ----\n%s\n", out);
    for (int i = 0; i < 3; i++) {
        snprintf(cmd, sizeof cmd, "tail -n 40 %s/node%d.log 2>&1", demo, i);
        run(cmd, buf, sizeof buf);
        printf("---- %s/node%d.log (tail) ----\n%s\n", demo, i, buf);
    }
}

/* No process still runs whose command line names `demo` (the nodes' -c
 * and nats-server's -sd point into it). The pattern's first character is
 * bracketed so that it does not match the shell running pgrep. */
static bool no_process_left(const char *demo)
{
    char cmd[512], buf[1024];
    snprintf(cmd, sizeof cmd, "pgrep -af '[%c]%s/' 2>&1", demo[0], demo + 1);
    int rc = run(cmd, buf, sizeof buf);
    if (rc != 1)
        printf("processes left behind (pgrep exit %d):\n%s\n", rc, buf);
    return rc == 1;
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
             "DEMO_KEEP=1 DEMO_DIR=%s BUILD=%s/.. timeout 600 scripts/demo.sh "
             "2>&1",
             demo, bin);
    bool demo_ok = ok && expect(cmd, 0, "derived_pub_key: ", out, CAP) &&
                   count(out, "verified: yes (libsodium)") == 2 &&
                   count(out, "verified: yes (libsecp256k1") == 2 &&
                   count(out, "ecdsa_pub_key: null") == 0;
    if (!demo_ok)
        show_logs(demo, out);
    bool cases_ok = demo_ok && client_cases(bin, dir, demo, out, CAP);
    if (demo_ok && !cases_ok)
        show_logs(demo, "");
    /* Always stop the cluster before any CHECK can return. */
    snprintf(cmd, sizeof cmd,
             "DEMO_DIR=%s timeout 120 scripts/demo-stop.sh 2>&1", demo);
    bool stop_ok = expect(cmd, 0, "removed", out, CAP);
    bool clean = strstr(out, "SIGKILL") == NULL;
    if (!clean)
        printf("demo-stop needed SIGKILL:\n%s\n", out);
    struct stat sb;
    bool gone = stat(demo, &sb) != 0;
    bool none_left = no_process_left(demo);
    bool again = expect(cmd, 0, "nothing to stop", out, CAP);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    bool rm_ok = run(cmd, out, CAP) == 0;
    free(out);
    CHECK(demo_ok);
    CHECK(cases_ok);
    CHECK(stop_ok && gone && again && rm_ok);
    CHECK(clean && none_left);
}

TEST(cli_client_demo_without_keep_stops_everything)
{
    enum { CAP = 65536 };
    char bin[512], dir[64] = "/tmp/mpc-it-demo-XXXXXX", demo[128], cmd[1024];
    char *out = malloc(CAP);
    CHECK(out != NULL);
    bool ok = bin_dir(bin, sizeof bin) && mkdtemp(dir) != NULL;
    snprintf(demo, sizeof demo, "%s/d", dir);
    snprintf(cmd, sizeof cmd,
             "DEMO_DIR=%s BUILD=%s/.. timeout 600 scripts/demo.sh 2>&1", demo,
             bin);
    bool demo_ok = ok && expect(cmd, 0, "four signatures verified", out, CAP);
    if (!demo_ok)
        show_logs(demo, out);
    bool clean = strstr(out, "SIGKILL") == NULL;
    if (demo_ok && !clean)
        printf("the demo's stop needed SIGKILL:\n%s\n", out);
    struct stat sb;
    bool gone = stat(demo, &sb) != 0;
    bool none_left = no_process_left(demo);
    /* A failed demo keeps its directory and may leave processes: stop. */
    snprintf(cmd, sizeof cmd,
             "DEMO_DIR=%s timeout 120 scripts/demo-stop.sh >/dev/null 2>&1; "
             "rm -rf %s",
             demo, dir);
    run(cmd, out, CAP);
    free(out);
    CHECK(demo_ok);
    CHECK(clean && gone && none_left);
}
