/* mpcium-cli generate-peers: a peers file with random UUIDv4 node ids. */
#include <stdio.h>

#include "common/os_rng.h"
#include "node/identity.h"
#include "tools/cli/cli.h"

static const char usage[] =
    "usage: mpcium-cli generate-peers --number N [--output peers.json]\n"
    "\n"
    "  -n, --number N     number of nodes (1-255), named node0 ... node<N-1>\n"
    "  -o, --output PATH  file to write (default peers.json); an existing\n"
    "                     file is never overwritten\n";

int cli_generate_peers(int argc, char **argv)
{
    const char *number = NULL, *output = "peers.json";
    bool help = false;
    const struct cli_opt opts[] = {
        {"number", 'n', &number, NULL},
        {"output", 'o', &output, NULL},
    };
    int rc = cli_parse("generate-peers", argc, argv, opts,
                       sizeof opts / sizeof opts[0], &help);
    if (rc != CLI_EXIT_OK || help) {
        fputs(usage, help && rc == CLI_EXIT_OK ? stdout : stderr);
        return rc;
    }
    size_t n = 0;
    if (number == NULL)
        return cli_usage_error(usage, "generate-peers: --number is required");
    if (!cli_parse_count(number, 1, NODE_PEERS_MAX, &n))
        return cli_usage_error(usage,
                               "generate-peers: --number must be 1 to %d, "
                               "got \"%s\"",
                               NODE_PEERS_MAX, number);
    char err[512];
    if (node_peers_generate(output, n, false, os_rng_fill, NULL, err,
                            sizeof err) != MPC_OK) {
        cli_error("generate-peers: %s", err);
        return CLI_EXIT_FAIL;
    }
    printf("wrote %s with %zu peers\n", output, n);
    return CLI_EXIT_OK;
}
