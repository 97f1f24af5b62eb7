/*
 * tools/cli/cli.h — shared pieces of mpcium-cli: option parsing, messages
 * and exit codes. Each subcommand lives in its own file and uses the node's
 * file-format implementation (libnode.a), so the CLI cannot drift from what
 * the node reads.
 */
#ifndef MPCIUM_CLI_H
#define MPCIUM_CLI_H

#include <stdbool.h>
#include <stddef.h>

#define CLI_VERSION "0.1.0"
/* The mpcium release whose file formats and commands we follow. */
#define CLI_MPCIUM_VERSION "0.3.5"

/* Exit codes: success, the operation failed, the command line was wrong. */
enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2 };

/* One option: `value` receives its argument, or `flag` is set to true for
 * options without one. */
struct cli_opt {
    const char *name;
    char short_name;
    const char **value;
    bool *flag;
};

/* Parses argv[0..argc) against `opts`. Returns CLI_EXIT_OK, or
 * CLI_EXIT_USAGE after printing the problem; sets *help for -h/--help. */
int cli_parse(const char *cmd, int argc, char **argv,
              const struct cli_opt *opts, size_t n_opts, bool *help);

/* "mpcium-cli: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints `usage` and a pointer to --help; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parses a decimal count in [min, max]. */
bool cli_parse_count(const char *s, size_t min, size_t max, size_t *out);

int cli_generate_peers(int argc, char **argv);
int cli_generate_identity(int argc, char **argv);
int cli_generate_initiator(int argc, char **argv);
int cli_client_keygen(int argc, char **argv);
int cli_client_sign(int argc, char **argv);

#endif /* MPCIUM_CLI_H */
