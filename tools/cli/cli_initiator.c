/* mpcium-cli generate-initiator: the event-initiator key pair. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/os_rng.h"
#include "node/identity.h"
#include "tools/cli/cli.h"

static const char usage[] =
    "usage: mpcium-cli generate-initiator [--node-name event_initiator]\n"
    "           [--output-dir .] [--algorithm ed25519|p256] [--overwrite]\n"
    "\n"
    "  -n, --node-name NAME  base name of the files (default "
    "event_initiator)\n"
    "  -o, --output-dir DIR  where to write them (default .)\n"
    "  -a, --algorithm ALG   ed25519 (default) or p256\n"
    "  -f, --overwrite       replace existing files\n"
    "\n"
    "Writes NAME.key (private, 0600) and NAME.identity.json; put the\n"
    "printed public key in the nodes' event_initiator_pubkey.\n";

int cli_generate_initiator(int argc, char **argv)
{
    const char *name = "event_initiator", *dir = ".", *alg_name = "ed25519";
    bool overwrite = false, help = false;
    const struct cli_opt opts[] = {
        {"node-name", 'n', &name, NULL},
        {"output-dir", 'o', &dir, NULL},
        {"algorithm", 'a', &alg_name, NULL},
        {"overwrite", 'f', NULL, &overwrite},
    };
    int rc = cli_parse("generate-initiator", argc, argv, opts,
                       sizeof opts / sizeof opts[0], &help);
    if (rc != CLI_EXIT_OK || help) {
        fputs(usage, help && rc == CLI_EXIT_OK ? stdout : stderr);
        return rc;
    }
    node_key_alg alg;
    if (node_key_alg_parse(&alg, alg_name) != MPC_OK)
        return cli_usage_error(usage,
                               "generate-initiator: --algorithm must be "
                               "ed25519 or p256, got \"%s\"",
                               alg_name);
    if (!node_name_is_valid(name))
        return cli_usage_error(usage,
                               "generate-initiator: invalid name \"%s\" "
                               "(A-Z a-z 0-9 _ . -, starting with a letter "
                               "or digit)",
                               name);
    node_pubkey pub;
    char err[512];
    mpc_err e =
        node_initiator_generate(&pub, dir, name, alg, (int64_t)time(NULL),
                                overwrite, os_rng_fill, NULL, err, sizeof err);
    if (e != MPC_OK) {
        cli_error("generate-initiator: %s%s", err,
                  e == MPC_ERR_CONFLICT ? " (--overwrite replaces it)" : "");
        return CLI_EXIT_FAIL;
    }
    char hex[2 * NODE_PUBKEY_MAX_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, pub.bytes, pub.len);
    printf("wrote %s/%s.key and %s/%s.identity.json\n", dir, name, dir, name);
    printf("event_initiator_algorithm: %s\n", node_key_alg_name(alg));
    printf("event_initiator_pubkey: %s\n", hex);
    return CLI_EXIT_OK;
}
