/*
 * tests/integration/test_node_backup.c — backups end to end: three nodes
 * keygen and sign; node1 writes a backup on SIGUSR1; it is stopped and its
 * backup restored with `mpcium-node restore` into a NEW data directory
 * (a corrupted copy, a wrong password and a second restore over the first
 * without --force are refused; with --force it replaces the keystore); node1
 * starts from the restored keystore and, with node2 stopped, signs with
 * node0 — so the signature proves the restored share works. The restarted
 * node then writes periodic backups and keeps only backup_keep of them.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <ftw.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/client_proto.h"
#include "tests/harness/test.h"
#include "tests/integration/cluster.h"
#include "tests/integration/e2e_util.h"

#define BACKUP_WAIT_MS 10000
#define RESTORE_WAIT_MS 60000
#define SIGN_ATTEMPTS 5
#define KEEP 2
#define AUX_WAIT_MS 120000

typedef struct bk {
    cluster *c;
    const char *bak; /* backup_dir of every node */
    cluster_inbox *kg, *sg;
    uint8_t pk[32];
    char file[512]; /* node1's on-demand backup */
} bk;

/* Signs `tx_id` and checks the signature; false on an error result. */
static bool sign_once(bk *b, const char *tx_id)
{
    static const char tx[] = "restored transfer";
    node_client_request *r = malloc(sizeof *r);
    REQUIRE(r != NULL);
    bool ok = e2e_sign_request(r, NODE_CLIENT_KEY_ED25519, "bk-wallet", tx_id,
                               tx, sizeof tx - 1) &&
              cluster_publish(b->c, r, "bk");
    node_client_request_clear(r);
    free(r);
    REQUIRE(ok);
    json_t *j = e2e_result_wait(b->sg, "tx_id", tx_id, E2E_RESULT_WAIT_MS);
    uint8_t sig[64];
    ok = j != NULL && e2e_b64(j, "signature", sig, sizeof sig) &&
         crypto_sign_verify_detached(sig, (const uint8_t *)tx, sizeof tx - 1,
                                     b->pk) == 0;
    json_decref(j);
    return ok;
}

/* How many of node `name`'s backups are in b->bak; the newest (by name,
 * which sorts by time) into `newest` when not NULL. */
static int backups_of(const bk *b, const char *name, char *newest, size_t cap)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "backup-%s-", name);
    DIR *d = opendir(b->bak);
    if (d == NULL)
        return 0;
    int n = 0;
    char best[256] = "";
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 || len < 7 ||
            strcmp(e->d_name + len - 7, ".mpcbak") != 0)
            continue;
        n++;
        if (strcmp(e->d_name, best) > 0)
            snprintf(best, sizeof best, "%s", e->d_name);
    }
    closedir(d);
    if (newest != NULL && n > 0)
        snprintf(newest, cap, "%s/%s", b->bak, best);
    return n;
}

/* The pid of node i: the process whose command line names its config. */
static pid_t node_pid(const cluster *c, int i)
{
    char want[256];
    snprintf(want, sizeof want, "%s/node%d.yaml", cluster_dir(c), i);
    DIR *d = opendir("/proc");
    if (d == NULL)
        return -1;
    pid_t found = -1;
    struct dirent *e;
    while (found < 0 && (e = readdir(d)) != NULL) {
        char path[300], buf[4096];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        for (size_t k = 0; k < n; k += strlen(buf + k) + 1)
            if (strcmp(buf + k, want) == 0)
                found = (pid_t)atoi(e->d_name);
    }
    closedir(d);
    return found;
}

static bool on_demand_backup(bk *b)
{
    pid_t pid = node_pid(b->c, 1);
    REQUIRE(pid > 0 && kill(pid, SIGUSR1) == 0);
    for (long w = 0; w < BACKUP_WAIT_MS; w += 50) {
        if (backups_of(b, "node1", b->file, sizeof b->file) > 0 &&
            cluster_log_has(b->c, 1, "trigger=on-demand"))
            return true;
        e2e_sleep_ms(50);
    }
    printf("no on-demand backup of node1 in %s\n", b->bak);
    return false;
}

/* Replaces the first `from` in node i's YAML by `to`. */
static bool yaml_edit(const cluster *c, int i, const char *from, const char *to)
{
    char path[256];
    snprintf(path, sizeof path, "%s/node%d.yaml", cluster_dir(c), i);
    size_t len = 0;
    FILE *f = fopen(path, "r");
    REQUIRE(f != NULL);
    char old[8192];
    len = fread(old, 1, sizeof old - 1, f);
    fclose(f);
    old[len] = '\0';
    char *at = strstr(old, from);
    REQUIRE(at != NULL);
    f = fopen(path, "w");
    REQUIRE(f != NULL);
    bool ok = fwrite(old, 1, (size_t)(at - old), f) == (size_t)(at - old) &&
              fputs(to, f) >= 0 && fputs(at + strlen(from), f) >= 0;
    ok = fclose(f) == 0 && ok;
    REQUIRE(ok);
    return true;
}

/* `mpcium-node restore --from FROM -c node1.yaml [EXTRA [VALUE]]`. */
static int restore_cmd(const bk *b, const char *from, const char *extra,
                       const char *value)
{
    char bin[600], cfg[256], log[256];
    if (!e2e_node_binary(bin, sizeof bin))
        return -1;
    snprintf(cfg, sizeof cfg, "%s/node1.yaml", cluster_dir(b->c));
    snprintf(log, sizeof log, "%s/restore.log", cluster_dir(b->c));
    char *argv[] = {bin, "restore",     "--from",      (char *)from, "-c",
                    cfg, (char *)extra, (char *)value, NULL};
    return e2e_run(argv, log, RESTORE_WAIT_MS);
}

/* A copy of the backup with one byte of the last record flipped. */
static bool corrupt_copy(const bk *b, char *out, size_t cap)
{
    size_t len = 0;
    FILE *f = fopen(b->file, "rb");
    REQUIRE(f != NULL);
    static uint8_t buf[1 << 20];
    len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    REQUIRE(len > 64 && len < sizeof buf);
    buf[len - 20] ^= 0x01;
    snprintf(out, cap, "%s/corrupt.mpcbak", cluster_dir(b->c));
    f = fopen(out, "wb");
    REQUIRE(f != NULL);
    bool ok = fwrite(buf, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    REQUIRE(ok);
    return true;
}

static bool restore_into_new_dir(bk *b)
{
    const char *dir = cluster_dir(b->c);
    char from[300], to[300], ks[300], bad[300];
    snprintf(from, sizeof from, "db_path: %s/db\n", dir);
    snprintf(to, sizeof to, "db_path: %s/db-restored\n", dir);
    snprintf(ks, sizeof ks, "%s/db-restored/node1/data.mdb", dir);
    char wrong[300];
    snprintf(wrong, sizeof wrong, "%s/pw-wrong", dir);
    FILE *f = fopen(wrong, "w");
    REQUIRE(f != NULL);
    bool ok = fputs("not the keystore password\n", f) >= 0;
    REQUIRE(fclose(f) == 0 && ok);
    REQUIRE(cluster_node_stop(b->c, 1, SIGTERM));
    REQUIRE(yaml_edit(b->c, 1, from, to));
    REQUIRE(
        yaml_edit(b->c, 1, "backup_enabled: false", "backup_enabled: true"));
    /* An altered file is refused and leaves no keystore behind. */
    REQUIRE(corrupt_copy(b, bad, sizeof bad));
    REQUIRE(restore_cmd(b, bad, NULL, NULL) == 1);
    REQUIRE(access(ks, F_OK) != 0);
    /* So is the wrong password. */
    REQUIRE(restore_cmd(b, b->file, "--password-file", wrong) == 1);
    REQUIRE(access(ks, F_OK) != 0);
    REQUIRE(restore_cmd(b, b->file, NULL, NULL) == 0);
    REQUIRE(access(ks, F_OK) == 0);
    /* A keystore is there now: it is replaced only with --force. */
    REQUIRE(restore_cmd(b, b->file, NULL, NULL) == 1);
    REQUIRE(restore_cmd(b, b->file, "--force", NULL) == 0);
    return true;
}

/* node2 is down: any signature needs node1's restored share. The first
 * attempts may pick node2 until the liveness view drops it. */
static bool sign_with_restored(bk *b)
{
    REQUIRE(cluster_node_stop(b->c, 2, SIGTERM));
    REQUIRE(cluster_node_start(b->c, 1));
    for (int k = 0; k < SIGN_ATTEMPTS; k++) {
        char tx_id[32];
        snprintf(tx_id, sizeof tx_id, "bk-tx-2-%d", k);
        if (sign_once(b, tx_id))
            return true;
        e2e_sleep_ms(1000);
    }
    printf("no signature with node1 restored and node2 down\n");
    return false;
}

/* The restored node runs periodic backups (1 s) and rotates them. */
static bool periodic(bk *b)
{
    for (long w = 0; w < BACKUP_WAIT_MS; w += 100) {
        if (cluster_log_has(b->c, 1, "trigger=periodic") &&
            backups_of(b, "node1", NULL, 0) <= KEEP)
            return true;
        e2e_sleep_ms(100);
    }
    printf("node1: no periodic backup, or more than %d kept\n", KEEP);
    return false;
}

static bool scenario(bk *b)
{
    REQUIRE(cluster_inbox_open(b->c, &b->kg, "mpc.mpc_keygen_result.bk.*"));
    REQUIRE(cluster_inbox_open(b->c, &b->sg, "mpc.mpc_signing_result.bk.*"));
    REQUIRE(e2e_keygen(b->c, b->kg, "bk", "bk-wallet", b->pk));
    REQUIRE(sign_once(b, "bk-tx-1"));
    REQUIRE(e2e_wait_aux(b->c, 1, AUX_WAIT_MS));
    REQUIRE(on_demand_backup(b));
    REQUIRE(restore_into_new_dir(b));
    REQUIRE(sign_with_restored(b));
    REQUIRE(periodic(b));
    return true;
}

static int rm_one(const char *p, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

TEST(node_backup_restore_into_new_dir_then_sign)
{
    char dir[] = "/tmp/mpc-it-bak-XXXXXX";
    bool ok = mkdtemp(dir) != NULL;
    char extra[256];
    snprintf(extra, sizeof extra,
             "backup_dir: %s\nbackup_period_seconds: 1\nbackup_keep: %d\n", dir,
             KEEP);
    cluster_opts o = {.nodes = 3,
                      .extra_yaml = extra,
                      .ecdsa_fixtures = true,
                      .healthcheck_all = true};
    bk b = {.bak = dir};
    ok = ok && cluster_start(&b.c, &o);
    ok = ok && scenario(&b);
    cluster_inbox_close(b.kg);
    cluster_inbox_close(b.sg);
    cluster_stop(b.c, !ok);
    if (ok)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    else
        printf("kept backups in %s\n", dir);
    CHECK(ok);
}
