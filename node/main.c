/*
 * node/main.c — mpcium-node: flags, start-up, `[READY]`, clean shutdown on
 * SIGINT/SIGTERM.
 *
 *   mpcium-node start [flags]      (mpcium's command form; `start` optional)
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "node/config.h"
#include "node/log.h"
#include "node/node.h"

extern char **environ;

static int usage(int code)
{
    fprintf(code == 0 ? stdout : stderr,
            "usage: mpcium-node [start] [flags]\n%s", node_config_flags_help());
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

int main(int argc, char **argv)
{
    int skip = argc > 1 && strcmp(argv[1], "start") == 0 ? 2 : 1;
    char err[512] = "";
    node_config_args args;
    if (node_config_args_parse(&args, argc - skip, argv + skip, err,
                               sizeof err) != MPC_OK) {
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
    node_log_set_level(log_level(cfg->log_level));
    for (size_t i = 0; i < cfg->n_warnings; i++)
        node_log(NODE_LOG_WARN, "config", "detail=\"%s\"", cfg->warnings[i]);

    /* Every thread started from here on inherits the blocked signals; only
     * sigwait below receives them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    node *n = NULL;
    if (node_start(&n, cfg, envp, err, sizeof err) != MPC_OK) {
        node_log(NODE_LOG_ERROR, "start-up failed", "detail=\"%s\"", err);
        node_config_free(cfg);
        return 1;
    }
    node_log(NODE_LOG_INFO, "[READY]", "node=%s", cfg->node_name);
    int sig = 0;
    sigwait(&set, &sig);
    node_log(NODE_LOG_INFO, "shutting down", "signal=%d", sig);
    node_stop(n);
    node_config_free(cfg);
    node_log(NODE_LOG_INFO, "stopped", NULL);
    return 0;
}
