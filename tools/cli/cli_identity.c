/* mpcium-cli generate-identity: a node's Ed25519 identity files. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/os_rng.h"
#include "node/identity.h"
#include "node/password.h"
#include "tools/cli/cli.h"

/* Sealing passwords protect a long-term key: ask for some length. */
#define MIN_PASSWORD 12

static const char usage[] =
    "usage: mpcium-cli generate-identity --node NAME [--peers peers.json]\n"
    "           [--output-dir identity] [--encrypt [--password-file PATH]\n"
    "           [--kdf interactive|moderate|sensitive]] [--overwrite]\n"
    "\n"
    "  -n, --node NAME        node name as listed in the peers file\n"
    "  -p, --peers PATH       peers file (default peers.json)\n"
    "  -o, --output-dir DIR   where to write (default identity)\n"
    "  -e, --encrypt          seal the private key with a password\n"
    "                         (NAME_private.key.enc; Argon2id +\n"
    "                         XChaCha20-Poly1305)\n"
    "      --password-file P  read that password from P instead of\n"
    "                         MPCIUM_IDENTITY_PASSWORD or the terminal\n"
    "                         (at least 12 bytes)\n"
    "      --kdf LEVEL        Argon2id cost: interactive (64 MiB),\n"
    "                         moderate (256 MiB, default), sensitive (1 GiB)\n"
    "  -f, --overwrite        replace existing files\n";

static bool kdf_level(const char *s, node_kdf_params *p)
{
    node_kdf_params_default(p);
    if (strcmp(s, "moderate") == 0)
        return true;
    if (strcmp(s, "interactive") == 0) {
        p->opslimit = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
        p->memlimit_kib = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE / 1024u;
        return true;
    }
    if (strcmp(s, "sensitive") == 0) {
        p->opslimit = crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE;
        p->memlimit_kib = crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE / 1024u;
        return true;
    }
    return false;
}

static int get_password(node_password **pw, const char *file, char **envp)
{
    node_password_source src;
    char err[512];
    node_password_source_default(&src);
    src.file = file;
    src.env_name = "MPCIUM_IDENTITY_PASSWORD";
    src.envp = (const char *const *)envp;
    src.prompt = true;
    src.confirm = true;
    src.prompt_text = "Password for the identity key: ";
    src.min_len = MIN_PASSWORD;
    if (node_password_read(pw, &src, err, sizeof err) != MPC_OK) {
        cli_error("generate-identity: %s", err);
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}

extern char **environ;

int cli_generate_identity(int argc, char **argv)
{
    const char *node = NULL, *peers_path = "peers.json", *dir = "identity";
    const char *password_file = NULL, *kdf = NULL;
    bool encrypt = false, overwrite = false, help = false;
    const struct cli_opt opts[] = {
        {"node", 'n', &node, NULL},
        {"peers", 'p', &peers_path, NULL},
        {"output-dir", 'o', &dir, NULL},
        {"encrypt", 'e', NULL, &encrypt},
        {"password-file", 0, &password_file, NULL},
        {"kdf", 0, &kdf, NULL},
        {"overwrite", 'f', NULL, &overwrite},
    };
    int rc = cli_parse("generate-identity", argc, argv, opts,
                       sizeof opts / sizeof opts[0], &help);
    if (rc != CLI_EXIT_OK || help) {
        fputs(usage, help && rc == CLI_EXIT_OK ? stdout : stderr);
        return rc;
    }
    if (node == NULL)
        return cli_usage_error(usage, "generate-identity: --node is required");
    if ((password_file != NULL || kdf != NULL) && !encrypt)
        return cli_usage_error(usage, "generate-identity: --password-file and "
                                      "--kdf only apply with --encrypt");
    node_identity_seal_opts seal = {.rng = os_rng_fill};
    if (!kdf_level(kdf ? kdf : "moderate", &seal.kdf))
        return cli_usage_error(usage,
                               "generate-identity: --kdf must be "
                               "interactive, moderate or sensitive, got "
                               "\"%s\"",
                               kdf);

    char err[512];
    node_peers *peers = NULL;
    node_identity *id = NULL;
    node_password *pw = NULL;
    rc = CLI_EXIT_FAIL;
    if (node_peers_read(&peers, peers_path, err, sizeof err) != MPC_OK) {
        cli_error("generate-identity: %s", err);
        goto out;
    }
    const node_peer *me = node_peers_find_name(peers, node);
    if (me == NULL) {
        cli_error("generate-identity: node \"%s\" is not in %s", node,
                  peers_path);
        goto out;
    }
    if (node_identity_generate(&id, me->name, me->id, os_rng_fill, NULL, err,
                               sizeof err) != MPC_OK) {
        cli_error("generate-identity: %s", err);
        goto out;
    }
    if (encrypt) {
        if (get_password(&pw, password_file, environ) != CLI_EXIT_OK)
            goto out;
        seal.password = (const uint8_t *)pw->data;
        seal.password_len = pw->len;
    }
    mpc_err e =
        node_identity_save(id, dir, (int64_t)time(NULL), encrypt ? &seal : NULL,
                           overwrite, err, sizeof err);
    if (e != MPC_OK) {
        cli_error("generate-identity: %s%s", err,
                  e == MPC_ERR_CONFLICT ? " (--overwrite replaces it)" : "");
        goto out;
    }
    char pk_hex[2 * NODE_ED25519_PK_BYTES + 1];
    sodium_bin2hex(pk_hex, sizeof pk_hex, id->pk, sizeof id->pk);
    printf("wrote %s/%s_identity.json and %s/%s_private.key%s\n", dir, id->name,
           dir, id->name, encrypt ? ".enc" : "");
    printf("node %s  id %s  public key %s\n", id->name, id->id, pk_hex);
    printf("copy %s/%s_identity.json to every peer's identity directory\n", dir,
           id->name);
    rc = CLI_EXIT_OK;
out:
    node_password_free(pw);
    node_identity_free(id);
    node_peers_free(peers);
    return rc;
}
