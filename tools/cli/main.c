/*
 * mpcium-cli — operator tools: peers file, node identities, initiator keys.
 *
 *   mpcium-cli generate-peers --number N [--output peers.json]
 *   mpcium-cli generate-identity --node NAME [--peers peers.json]
 *              [--output-dir identity] [--encrypt] [--overwrite]
 *   mpcium-cli generate-initiator [--node-name event_initiator]
 *              [--output-dir .] [--algorithm ed25519|p256] [--overwrite]
 *   mpcium-cli version | help
 *
 * Exit codes: 0 success, 1 the operation failed, 2 bad command line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tools/cli/cli.h"

static const char usage_text[] =
    "usage: mpcium-cli <command> [options]\n"
    "\n"
    "commands:\n"
    "  generate-peers      write a peers file with random node ids\n"
    "  generate-identity   create a node's Ed25519 identity files\n"
    "  generate-initiator  create an event-initiator key pair\n"
    "  keygen              ask the cluster for a new wallet (client)\n"
    "  sign                ask the cluster to sign a message (client)\n"
    "  version             print the version\n"
    "  help                this text\n"
    "\n"
    "Run `mpcium-cli <command> --help` for a command's options.\n";

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("mpcium-cli: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage_error(const char *usage, const char *fmt, ...)
{
    va_list ap;
    fputs("mpcium-cli: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", usage);
    return CLI_EXIT_USAGE;
}

static const struct cli_opt *find_opt(const char *arg,
                                      const struct cli_opt *opts, size_t n,
                                      const char **inline_val)
{
    *inline_val = NULL;
    if (arg[0] == '-' && arg[1] == '-') {
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        for (size_t i = 0; i < n; i++)
            if (strlen(opts[i].name) == len &&
                memcmp(opts[i].name, name, len) == 0) {
                *inline_val = eq ? eq + 1 : NULL;
                return &opts[i];
            }
        return NULL;
    }
    if (arg[0] == '-' && arg[1] != '\0' && arg[2] == '\0')
        for (size_t i = 0; i < n; i++)
            if (opts[i].short_name != 0 && opts[i].short_name == arg[1])
                return &opts[i];
    return NULL;
}

int cli_parse(const char *cmd, int argc, char **argv,
              const struct cli_opt *opts, size_t n_opts, bool *help)
{
    *help = false;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = NULL;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            *help = true;
            continue;
        }
        const struct cli_opt *o = find_opt(arg, opts, n_opts, &val);
        if (o == NULL) {
            cli_error("%s: %s \"%s\" (see mpcium-cli %s --help)", cmd,
                      arg[0] == '-' ? "unknown option" : "unexpected argument",
                      arg, cmd);
            return CLI_EXIT_USAGE;
        }
        if (o->flag != NULL) {
            if (val != NULL) {
                cli_error("%s: option --%s takes no value", cmd, o->name);
                return CLI_EXIT_USAGE;
            }
            *o->flag = true;
            continue;
        }
        if (val == NULL) {
            if (i + 1 >= argc) {
                cli_error("%s: option --%s needs a value", cmd, o->name);
                return CLI_EXIT_USAGE;
            }
            val = argv[++i];
        }
        *o->value = val;
    }
    return CLI_EXIT_OK;
}

bool cli_parse_count(const char *s, size_t min, size_t max, size_t *out)
{
    size_t v = 0;
    if (*s == '\0')
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (size_t)(*s - '0');
        if (v > max)
            return false;
    }
    if (v < min)
        return false;
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        cli_error("libsodium failed to initialise");
        return CLI_EXIT_FAIL;
    }
    if (argc < 2) {
        fputs(usage_text, stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    int sub_argc = argc - 2;
    char **sub_argv = argv + 2;
    if (strcmp(cmd, "generate-peers") == 0)
        return cli_generate_peers(sub_argc, sub_argv);
    if (strcmp(cmd, "generate-identity") == 0)
        return cli_generate_identity(sub_argc, sub_argv);
    if (strcmp(cmd, "generate-initiator") == 0)
        return cli_generate_initiator(sub_argc, sub_argv);
    if (strcmp(cmd, "keygen") == 0)
        return cli_client_keygen(sub_argc, sub_argv);
    if (strcmp(cmd, "sign") == 0)
        return cli_client_sign(sub_argc, sub_argv);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("mpcium-cli %s (mpcium %s file formats)\n", CLI_VERSION,
               CLI_MPCIUM_VERSION);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
        strcmp(cmd, "-h") == 0) {
        fputs(usage_text, stdout);
        return CLI_EXIT_OK;
    }
    cli_error("unknown command \"%s\"", cmd);
    fputs(usage_text, stderr);
    return CLI_EXIT_USAGE;
}
