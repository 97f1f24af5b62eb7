/*
 * node/main.c — mpcium-node: flags, start-up, `[READY]`, clean shutdown on
 * SIGINT/SIGTERM, a backup on SIGUSR1, and the restore command.
 *
 *   mpcium-node start [flags]      (mpcium's command form; `start` optional)
 *   mpcium-node restore --from FILE [--force] [flags]
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "node/config.h"
#include "node/log.h"
#include "node/node.h"
#include "node/transport.h"

extern char **environ;

static int usage(int code)
{
    fprintf(
        code == 0 ? stdout : stderr,
        "usage: mpcium-node [start] [flags]\n"
        "       mpcium-node restore --from FILE [--force] [flags]\n"
        "  restore: writes backup FILE into <db_path>/<node_name> (the node\n"
        "  must be stopped); --force replaces a keystore already there.\n"
        "  kill -USR1 <pid> makes a running node write a backup now.\n%s",
        node_config_flags_help());
    return code;
}

static node_log_level log_level(node_config_log_level l)
{
    switch (l) {
    case NODE_CONFIG_LOG_DEBUG:
        return NODE_LOG_DEBUG;
    case NODE_CONFIG_LOG_WARN:
        return NODE_LOG_WARN;
    case NODE_CONFIG_LOG_ERROR:
        return NODE_LOG_ERROR;
    default:
        return NODE_LOG_INFO;
    }
}

/* The restore command's own flags, taken out of argv (the rest are node
 * flags). Returns false on a malformed one. */
static bool restore_flags(int *argc, char **argv, const char **from,
                          bool *force)
{
    int kept = 0;
    for (int i = 0; i < *argc; i++) {
        if (strcmp(argv[i], "--force") == 0) {
            *force = true;
        } else if (strcmp(argv[i], "--from") == 0) {
            if (i + 1 >= *argc)
                return false;
            *from = argv[++i];
        } else if (strncmp(argv[i], "--from=", 7) == 0) {
            *from = argv[i] + 7;
        } else {
            argv[kept++] = argv[i];
        }
    }
    *argc = kept;
    return *from != NULL && (*from)[0] != '\0';
}

static int restore(const node_config *cfg, const char *const *envp,
                   const char *from, bool force)
{
    char err[512] = "";
    node_backup_info info;
    if (node_restore(&info, cfg, envp, from, force, err, sizeof err) !=
        MPC_OK) {
        fprintf(stderr, "mpcium-node: restore: %s\n", err);
        return 1;
    }
    printf("restored %s into %s/%s: %llu records, snapshot txn %llu, "
           "made at %llu (Unix time)\n",
           from, cfg->db_path, cfg->node_name, (unsigned long long)info.records,
           (unsigned long long)info.txn_id, (unsigned long long)info.created);
    return 0;
}

/* SIGUSR1: the operator asks for a backup now. */
static void backup_on_signal(node *n)
{
    char path[4096];
    mpc_err e = node_backup_now(n, path, sizeof path);
    (void)e; /* logged by node_backup_now; the node keeps running */
}

/* SIGHUP: the operator added nodes to the peers file. */
static void reload_on_signal(node *n)
{
    mpc_err e = node_peers_reload(n);
    (void)e; /* logged by node_peers_reload; the node keeps running */
}

/* Waits for signals until SIGINT or SIGTERM; SIGUSR1 writes a backup,
 * SIGHUP re-reads the peers file. */
static int wait_for_stop(node *n, const sigset_t *set)
{
    for (;;) {
        int sig = 0;
        if (sigwait(set, &sig) != 0)
            continue;
        if (sig == SIGHUP)
            reload_on_signal(n);
        else if (sig != SIGUSR1)
            return sig;
        else
            backup_on_signal(n);
    }
}

/* Waits until node_ready (the Paillier primes exist), polling, while
 * still taking signals. Returns 0 when ready, else the stop signal. */
static int wait_until_ready(node *n, const sigset_t *set)
{
    const struct timespec poll = {.tv_sec = 0, .tv_nsec = 100000000L};
    while (!node_ready(n)) {
        int sig = sigtimedwait(set, NULL, &poll);
        if (sig == SIGINT || sig == SIGTERM)
            return sig;
        if (sig == SIGUSR1)
            backup_on_signal(n);
        if (sig == SIGHUP)
            reload_on_signal(n);
    }
    return 0;
}

int main(int argc, char **argv)
{
    bool is_restore = argc > 1 && strcmp(argv[1], "restore") == 0;
    int skip =
        argc > 1 && (is_restore || strcmp(argv[1], "start") == 0) ? 2 : 1;
    int nargs = argc - skip;
    const char *from = NULL;
    bool force = false;
    if (is_restore && !restore_flags(&nargs, argv + skip, &from, &force)) {
        fprintf(stderr, "mpcium-node: restore: --from FILE is required\n");
        return usage(2);
    }
    char err[512] = "";
    node_config_args args;
    if (node_config_args_parse(&args, nargs, argv + skip, err, sizeof err) !=
        MPC_OK) {
        fprintf(stderr, "mpcium-node: %s\n", err);
        return usage(2);
    }
    if (args.help)
        return usage(0);
    const char *const *envp = (const char *const *)environ;
    node_config *cfg = NULL;
    if (node_config_load(&cfg, &args, envp, err, sizeof err) != MPC_OK) {
        fprintf(stderr, "mpcium-node: config: %s\n", err);
        return 1;
    }
    if (is_restore) {
        int rc = restore(cfg, envp, from, force);
        node_config_free(cfg);
        return rc;
    }
    node_log_set_level(log_level(cfg->log_level));
    for (size_t i = 0; i < cfg->n_warnings; i++)
        node_log(NODE_LOG_WARN, "config", "detail=\"%s\"", cfg->warnings[i]);

    /* Every thread started from here on inherits the blocked signals; only
     * sigwait below receives them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    node *n = NULL;
    if (node_start(&n, cfg, envp, err, sizeof err) != MPC_OK) {
        node_log(NODE_LOG_ERROR, "start-up failed", "detail=\"%s\"", err);
        node_config_free(cfg);
        node_transport_nats_shutdown(2000);
        return 1;
    }
    int sig = wait_until_ready(n, &set);
    if (sig == 0) {
        node_announce(n);
        node_log(NODE_LOG_INFO, "[READY]", "node=%s", cfg->node_name);
        sig = wait_for_stop(n, &set);
    }
    node_log(NODE_LOG_INFO, "shutting down", "signal=%d", sig);
    node_stop(n);
    node_config_free(cfg);
    node_transport_nats_shutdown(2000);
    node_log(NODE_LOG_INFO, "stopped", NULL);
    return 0;
}
