/*
 * Tests of node/config: every key parsed, defaults, environment and flag
 * precedence, the threshold conversion in both directions, mpcium's
 * templates, and every error path with a message that names the key.
 */
#include <stdlib.h>
#include <string.h>

#include "node/config.h"
#include "tests/harness/test.h"
#include "tests/node/nodecfg_util.h"

#define ERRLEN 1024

#define ED_PK1                                                                 \
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define ED_PK2                                                                 \
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
#define P256_G_SPKI                                                            \
    "3059301306072a8648ce3d020106082a8648ce3d030107034200046b17d1f2e12c4247f"  \
    "8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a"  \
    "7c0f9e162bce33576b315ececbb6406837bf51f5"
#define CHAIN "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static const char minimal[] = "environment: development\n"
                              "node_name: node0\n"
                              "threshold: 2\n"
                              "event_initiator_pubkey: " ED_PK1 "\n"
                              "chain_code: " CHAIN "\n";

/* The minimal config without the line for `drop` (may be NULL), plus
 * `extra`. */
static char *yaml_with(const char *drop, const char *extra)
{
    size_t cap = sizeof minimal + strlen(extra) + 1;
    char *out = malloc(cap);
    size_t o = 0;
    const char *line = minimal;
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t len = (size_t)(nl - line) + 1;
        bool skip = drop != NULL && strncmp(line, drop, strlen(drop)) == 0 &&
                    line[strlen(drop)] == ':';
        if (!skip) {
            memcpy(out + o, line, len);
            o += len;
        }
        line += len;
    }
    memcpy(out + o, extra, strlen(extra) + 1);
    return out;
}

/* Writes `yaml` to a temporary config.yaml and loads it with `envp` and the
 * NULL-terminated flags `argv` (may be NULL); --config is added. */
static mpc_err load(node_config **out, char err[ERRLEN], const char *yaml,
                    const char *const *envp, const char *const *argv)
{
    char dir[NC_PATH], path[NC_PATH];
    char *args[NODE_CONFIG_MAX_OVERRIDES + 3];
    int argc = 0;
    node_config_args a;
    *out = NULL;
    err[0] = '\0';
    if (!nc_tmpdir(dir) || !nc_write_str(dir, "config.yaml", yaml, path))
        return MPC_ERR_IO;
    args[argc++] = (char *)"--config";
    args[argc++] = path;
    for (; argv != NULL && *argv != NULL; argv++)
        args[argc++] = (char *)*argv;
    mpc_err rc = node_config_args_parse(&a, argc, args, err, ERRLEN);
    if (rc == MPC_OK)
        rc = node_config_load(out, &a, envp, err, ERRLEN);
    nc_rmtree(dir);
    return rc;
}

static bool has(const char *haystack, const char *needle)
{
    return needle == NULL || strstr(haystack, needle) != NULL;
}

static bool has_warning(const node_config *cfg, const char *needle)
{
    for (size_t i = 0; i < cfg->n_warnings; i++)
        if (strstr(cfg->warnings[i], needle) != NULL)
            return true;
    return false;
}

static bool streq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

TEST(nodecfg_config_defaults)
{
    node_config *cfg = NULL;
    char err[ERRLEN];
    uint8_t chain[32], pk[32];
    CHECK_OK(load(&cfg, err, minimal, NULL, NULL));
    CHECK(test_unhex(chain, 32, CHAIN) && test_unhex(pk, 32, ED_PK1));
    CHECK(streq(cfg->node_name, "node0"));
    CHECK(streq(cfg->peers_file, "peers.json"));
    CHECK(streq(cfg->identity_dir, "identity"));
    CHECK(!cfg->decrypt_private_key && !cfg->prompt_credentials);
    CHECK(cfg->identity_password_file == NULL && cfg->password_file == NULL);
    CHECK(cfg->environment == NODE_ENV_DEVELOPMENT);
    CHECK(cfg->log_level == NODE_CONFIG_LOG_INFO);
    CHECK(streq(cfg->nats_url, "nats://127.0.0.1:4222"));
    CHECK(cfg->nats_username == NULL && cfg->nats_password == NULL);
    CHECK(cfg->nats_creds_file == NULL && cfg->nats_nkey == NULL &&
          cfg->nats_nkey_seed_file == NULL);
    CHECK(cfg->nats_tls_client_cert == NULL &&
          cfg->nats_tls_client_key == NULL && cfg->nats_tls_ca_cert == NULL);
    CHECK(cfg->threshold == 2);
    CHECK(cfg->event_initiator.alg == NODE_KEY_ALG_ED25519);
    CHECK(cfg->event_initiator.len == 32);
    CHECK_MEM(cfg->event_initiator.bytes, pk, 32);
    CHECK_MEM(cfg->chain_code, chain, 32);
    CHECK(!cfg->allow_legacy_unsigned_derivation_path);
    CHECK(streq(cfg->db_path, "./db"));
    CHECK(cfg->backup_enabled && cfg->backup_period_seconds == 300);
    CHECK(streq(cfg->backup_dir, "backups"));
    CHECK(cfg->max_concurrent_keygen == 2);
    CHECK(cfg->max_concurrent_signing == 20);
    CHECK(cfg->max_concurrent_reshare == 1);
    CHECK(cfg->max_concurrent_presign == 2);
    CHECK(cfg->barrier_timeout_ms == 10000);
    CHECK(cfg->keygen_timeout_ms == 120000);
    CHECK(cfg->signing_timeout_ms == 60000);
    CHECK(cfg->reshare_timeout_ms == 180000);
    CHECK(cfg->presign_timeout_ms == 120000);
    CHECK(!cfg->healthcheck_enabled);
    CHECK(streq(cfg->healthcheck_address, "0.0.0.0:8080"));
    CHECK(!cfg->authorization_enabled);
    CHECK(cfg->n_required_authorizers == 0 && cfg->n_authorizers == 0);
    CHECK(cfg->n_warnings == 0);
    CHECK(has(cfg->config_path, "config.yaml"));
    node_config_free(cfg);
    node_config_free(NULL);
}

TEST(nodecfg_config_every_key)
{
    node_config *cfg = NULL;
    char err[ERRLEN];
    node_config_args a;
    char *argv[] = {(char *)"-c", (char *)"tests/node/data/config.full.yaml"};
    uint8_t chain[32], spki[91], pk2[32], pk1[32];
    CHECK_OK(node_config_args_parse(&a, 2, argv, err, ERRLEN));
    CHECK_OK(node_config_load(&cfg, &a, NULL, err, ERRLEN));
    CHECK(test_unhex(chain, 32,
                     "ffeeddccbbaa99887766554433221100ffeeddccbbaa9"
                     "9887766554433221100"));
    CHECK(test_unhex(spki, 91, P256_G_SPKI));
    CHECK(test_unhex(pk1, 32, ED_PK1) && test_unhex(pk2, 32, ED_PK2));
    CHECK(streq(cfg->config_path, "tests/node/data/config.full.yaml"));
    CHECK(cfg->environment == NODE_ENV_PRODUCTION);
    CHECK(streq(cfg->node_name, "node-7"));
    CHECK(streq(cfg->peers_file, "/etc/mpcium/peers.json"));
    CHECK(streq(cfg->identity_dir, "/etc/mpcium/identity"));
    CHECK(cfg->decrypt_private_key && cfg->prompt_credentials);
    CHECK(streq(cfg->identity_password_file, "/run/secrets/identity-password"));
    CHECK(streq(cfg->password_file, "/run/secrets/db-password"));
    CHECK(cfg->log_level == NODE_CONFIG_LOG_WARN);
    CHECK(streq(cfg->nats_url, "tls://nats-1:4222,tls://nats-2:4222"));
    CHECK(streq(cfg->nats_username, "mpcium"));
    CHECK(streq(cfg->nats_password, "s3cr3t-nats"));
    CHECK(streq(cfg->nats_tls_client_cert, "/etc/mpcium/certs/client.pem"));
    CHECK(streq(cfg->nats_tls_client_key, "/etc/mpcium/certs/client.key"));
    CHECK(streq(cfg->nats_tls_ca_cert, "/etc/mpcium/certs/ca.pem"));
    CHECK(cfg->threshold == 3);
    CHECK(cfg->event_initiator.alg == NODE_KEY_ALG_P256);
    CHECK(cfg->event_initiator.len == 91);
    CHECK_MEM(cfg->event_initiator.bytes, spki, 91);
    CHECK_MEM(cfg->chain_code, chain, 32);
    CHECK(cfg->allow_legacy_unsigned_derivation_path);
    CHECK(streq(cfg->db_path, "/var/lib/mpcium/db"));
    CHECK(!cfg->backup_enabled && cfg->backup_period_seconds == 3600);
    CHECK(streq(cfg->backup_dir, "/var/lib/mpcium/backups"));
    CHECK(cfg->max_concurrent_keygen == 4);
    CHECK(cfg->max_concurrent_signing == 50);
    CHECK(cfg->max_concurrent_reshare == 3);
    CHECK(cfg->max_concurrent_presign == 5);
    CHECK(cfg->barrier_timeout_ms == 5000);
    CHECK(cfg->keygen_timeout_ms == 240000);
    CHECK(cfg->signing_timeout_ms == 30000);
    CHECK(cfg->reshare_timeout_ms == 600000);
    CHECK(cfg->presign_timeout_ms == 90000);
    CHECK(cfg->healthcheck_enabled);
    CHECK(streq(cfg->healthcheck_address, "[::1]:9090"));
    CHECK(cfg->authorization_enabled);
    CHECK(cfg->n_required_authorizers == 2);
    CHECK(streq(cfg->required_authorizers[0], "compliance"));
    CHECK(streq(cfg->required_authorizers[1], "risk-desk"));
    CHECK(cfg->n_authorizers == 3);
    const node_config_authorizer *c =
        node_config_find_authorizer(cfg, "compliance");
    const node_config_authorizer *r =
        node_config_find_authorizer(cfg, "risk-desk");
    const node_config_authorizer *d =
        node_config_find_authorizer(cfg, "audit_2");
    CHECK(c != NULL && r != NULL && d != NULL);
    CHECK(node_config_find_authorizer(cfg, "nobody") == NULL);
    CHECK(c->key.alg == NODE_KEY_ALG_ED25519 && c->key.len == 32);
    CHECK_MEM(c->key.bytes, pk2, 32);
    CHECK(r->key.alg == NODE_KEY_ALG_P256 && r->key.len == 91);
    CHECK_MEM(r->key.bytes, spki, 91);
    /* algorithm defaults to ed25519 */
    CHECK(d->key.alg == NODE_KEY_ALG_ED25519);
    CHECK_MEM(d->key.bytes, pk1, 32);
    CHECK(cfg->n_warnings == 0);
    node_config_free(cfg);
}

TEST(nodecfg_config_nats_nkey)
{
    node_config *cfg = NULL;
    char err[ERRLEN];
    node_config_args a;
    char *argv[] = {(char *)"--config",
                    (char *)"tests/node/data/config.nats-auth.yaml"};
    const char *envp[] = {"MPCIUM_NATS_CREDS_FILE=", NULL};
    CHECK_OK(node_config_args_parse(&a, 2, argv, err, ERRLEN));
    CHECK_OK(node_config_load(&cfg, &a, envp, err, ERRLEN));
    CHECK(streq(cfg->nats_nkey,
                "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4"));
    CHECK(streq(cfg->nats_nkey_seed_file, "/run/secrets/nats.nk"));
    CHECK(cfg->nats_creds_file == NULL);
    CHECK(cfg->threshold == 2);
    node_config_free(cfg);

    char *yaml = yaml_with(NULL, "nats:\n  creds_file: /run/nats.creds\n");
    CHECK_OK(load(&cfg, err, yaml, NULL, NULL));
    free(yaml);
    CHECK(streq(cfg->nats_creds_file, "/run/nats.creds"));
    node_config_free(cfg);
}

/* mpcium's development template loads unchanged, given only --name. */
TEST(nodecfg_config_mpcium_template)
{
    node_config *cfg = NULL;
    char err[ERRLEN];
    node_config_args a;
    char *argv[] = {(char *)"-c", (char *)"tests/node/data/config.mpcium.yaml",
                    (char *)"--name", (char *)"node1"};
    CHECK_OK(node_config_args_parse(&a, 4, argv, err, ERRLEN));
    CHECK_OK(node_config_load(&cfg, &a, NULL, err, ERRLEN));
    CHECK(streq(cfg->node_name, "node1"));
    CHECK(cfg->threshold == 3); /* mpc_threshold: 2 */
    CHECK(streq(cfg->db_path, "."));
    CHECK(cfg->max_concurrent_signing == 10);
    CHECK(!cfg->authorization_enabled && cfg->n_required_authorizers == 0);
    CHECK(has_warning(cfg, "consul"));
    CHECK(has_warning(cfg, "badger_password"));
    CHECK(has_warning(cfg, "session_warm_up_delay_ms"));
    CHECK(has_warning(cfg, "required_authorizers: 0 read as an empty list"));
    /* No warning may leak the password. */
    for (size_t i = 0; i < cfg->n_warnings; i++)
        CHECK(strstr(cfg->warnings[i], "not-a-real-password") == NULL);
    node_config_free(cfg);
}

TEST(nodecfg_config_mpcium_prod_template)
{
    node_config *cfg = NULL;
    char err[ERRLEN];
    node_config_args a;
    char *argv[] = {(char *)"-c",
                    (char *)"tests/node/data/config.mpcium-prod.yaml",
                    (char *)"-n", (char *)"node0"};
    uint8_t spki[91];
    CHECK_OK(node_config_args_parse(&a, 4, argv, err, ERRLEN));
    CHECK_OK(node_config_load(&cfg, &a, NULL, err, ERRLEN));
    CHECK(test_unhex(spki, 91, P256_G_SPKI));
    CHECK(cfg->environment == NODE_ENV_PRODUCTION);
    CHECK(cfg->threshold == 2);
    CHECK(streq(cfg->nats_url, "tls://127.0.0.1:4222"));
    CHECK(cfg->nats_username == NULL && cfg->nats_password == NULL);
    CHECK(
        streq(cfg->nats_tls_client_cert, "/etc/mpcium/certs/client-cert.pem"));
    CHECK(streq(cfg->nats_tls_ca_cert, "/etc/mpcium/certs/rootCA.pem"));
    CHECK(cfg->event_initiator.alg == NODE_KEY_ALG_P256);
    CHECK_MEM(cfg->event_initiator.bytes, spki, 91);
    CHECK(streq(cfg->healthcheck_address, "127.0.0.1:8080"));
    CHECK(has_warning(cfg, "consul"));
    node_config_free(cfg);
}

/* Production without TLS paths gets mpcium's ./certs defaults. */
TEST(nodecfg_config_production_tls_defaults)
{
    node_config *cfg = NULL;
    char err[ERRLEN];
    char *yaml = yaml_with("environment", "environment: production\n"
                                          "nats:\n  tls:\n"
                                          "    ca_cert: /ca.pem\n");
    CHECK_OK(load(&cfg, err, yaml, NULL, NULL));
    free(yaml);
    CHECK(streq(cfg->nats_tls_client_cert, "./certs/client-cert.pem"));
    CHECK(streq(cfg->nats_tls_client_key, "./certs/client-key.pem"));
    CHECK(streq(cfg->nats_tls_ca_cert, "/ca.pem"));
    node_config_free(cfg);
    /* Development: nothing is invented. */
    CHECK_OK(load(&cfg, err, minimal, NULL, NULL));
    CHECK(cfg->nats_tls_client_cert == NULL);
    node_config_free(cfg);
}

/* ---- threshold ----------------------------------------------------- */

struct thr_case {
    const char *yaml; /* replaces the minimal file's threshold line */
    const char *env[3];
    const char *flag; /* a --set value or NULL */
    mpc_err rc;
    unsigned signers;
    const char *msg1, *msg2;
};

TEST(nodecfg_config_threshold_conversion)
{
    static const struct thr_case cases[] = {
        {"threshold: 3\n", {NULL}, NULL, MPC_OK, 3, NULL, NULL},
        {"mpc_threshold: 2\n", {NULL}, NULL, MPC_OK, 3, NULL, NULL},
        {"mpc_threshold: 1\n", {NULL}, NULL, MPC_OK, 2, NULL, NULL},
        {"threshold: 3\nmpc_threshold: 2\n",
         {NULL},
         NULL,
         MPC_OK,
         3,
         NULL,
         NULL},
        {"threshold: 3\nmpc_threshold: 3\n",
         {NULL},
         NULL,
         MPC_ERR_CONFLICT,
         0,
         "threshold: 3 signers",
         "mpc_threshold: 3"},
        {"threshold: 2\nmpc_threshold: 2\n",
         {NULL},
         NULL,
         MPC_ERR_CONFLICT,
         0,
         "mpc_threshold",
         "signers - 1"},
        /* a higher source wins whichever spelling each uses */
        {"mpc_threshold: 1\n",
         {"MPCIUM_THRESHOLD=4"},
         NULL,
         MPC_OK,
         4,
         NULL,
         NULL},
        {"threshold: 4\n", {"MPC_THRESHOLD=1"}, NULL, MPC_OK, 2, NULL, NULL},
        {"threshold: 4\n",
         {"MPCIUM_MPC_THRESHOLD=2", "MPC_THRESHOLD=5"},
         NULL,
         MPC_OK,
         3,
         NULL,
         NULL},
        {"threshold: 4\n",
         {"MPCIUM_THRESHOLD=3", "MPC_THRESHOLD=1"},
         NULL,
         MPC_ERR_CONFLICT,
         0,
         "MPCIUM_THRESHOLD",
         "MPC_THRESHOLD"},
        {"threshold: 4\n",
         {"MPCIUM_THRESHOLD=3", "MPC_THRESHOLD=2"},
         NULL,
         MPC_OK,
         3,
         NULL,
         NULL},
        {"threshold: 4\n",
         {"MPC_THRESHOLD=1"},
         "threshold=5",
         MPC_OK,
         5,
         NULL,
         NULL},
        {"threshold: 4\n", {NULL}, "mpc_threshold=1", MPC_OK, 2, NULL, NULL},
        {"",
         {NULL},
         NULL,
         MPC_ERR_INVALID_ARG,
         0,
         "threshold is required",
         "mpc_threshold"},
        {"", {"MPC_THRESHOLD=1"}, NULL, MPC_OK, 2, NULL, NULL},
        {"threshold: 1\n",
         {NULL},
         NULL,
         MPC_ERR_PARSE,
         0,
         "threshold: expected an integer from 2 to 255",
         "got \"1\""},
        {"threshold: 256\n",
         {NULL},
         NULL,
         MPC_ERR_PARSE,
         0,
         "threshold:",
         "256"},
        {"mpc_threshold: 0\n",
         {NULL},
         NULL,
         MPC_ERR_PARSE,
         0,
         "mpc_threshold: expected an integer from 1 to 254",
         NULL},
        {"mpc_threshold: 255\n",
         {NULL},
         NULL,
         MPC_ERR_PARSE,
         0,
         "mpc_threshold",
         NULL},
        {"mpc_threshold: two\n",
         {NULL},
         NULL,
         MPC_ERR_PARSE,
         0,
         "mpc_threshold",
         "\"two\""},
        {"threshold: -3\n", {NULL}, NULL, MPC_ERR_PARSE, 0, "threshold", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct thr_case *c = &cases[i];
        char flag[64];
        const char *argv[3] = {NULL};
        if (c->flag != NULL) {
            nc_fmt(flag, sizeof flag, "--set=%s", c->flag);
            argv[0] = flag;
        }
        node_config *cfg = NULL;
        char err[ERRLEN];
        char *yaml = yaml_with("threshold", c->yaml);
        mpc_err rc = load(&cfg, err, yaml, c->env, argv);
        free(yaml);
        if (rc != c->rc || !has(err, c->msg1) || !has(err, c->msg2))
            test_fail(__FILE__, __LINE__, "case %zu: %s (%s)", i,
                      mpc_err_name(rc), err);
        CHECK(rc == c->rc);
        CHECK(has(err, c->msg1) && has(err, c->msg2));
        if (rc == MPC_OK)
            CHECK(cfg->threshold == c->signers);
        else
            CHECK(cfg == NULL);
        node_config_free(cfg);
    }
}

TEST(nodecfg_config_check_peers)
{
    node_config *cfg = NULL;
    char err[ERRLEN];
    char *yaml = yaml_with("threshold", "mpc_threshold: 2\n");
    CHECK_OK(load(&cfg, err, yaml, NULL, NULL));
    free(yaml);
    CHECK_OK(node_config_check_peers(cfg, 3, err, ERRLEN));
    CHECK_OK(node_config_check_peers(cfg, 5, NULL, 0));
    CHECK_ERR(node_config_check_peers(cfg, 2, err, ERRLEN),
              MPC_ERR_INVALID_ARG);
    CHECK(has(err, "threshold: 3 signers") && has(err, "only 2 nodes"));
    node_config_free(cfg);
}

/* ---- precedence ------------------------------------------------------ */

TEST(nodecfg_config_env_and_flag_precedence)
{
    node_config *cfg = NULL;
    char err[ERRLEN];
    char *yaml = yaml_with(NULL, "nats:\n  url: nats://file:4222\n"
                                 "max_concurrent_keygen: 3\n"
                                 "backup_dir: from-file\n");
    /* file < mpcium env name < MPCIUM_ env name < flag */
    const char *env1[] = {"NATS_URL=nats://viper:4222", NULL};
    CHECK_OK(load(&cfg, err, yaml, env1, NULL));
    CHECK(streq(cfg->nats_url, "nats://viper:4222"));
    CHECK(cfg->max_concurrent_keygen == 3);
    node_config_free(cfg);

    const char *env2[] = {"NATS_URL=nats://viper:4222",
                          "MPCIUM_NATS_URL=nats://ours:4222",
                          "MPCIUM_MAX_CONCURRENT_KEYGEN=7", NULL};
    CHECK_OK(load(&cfg, err, yaml, env2, NULL));
    CHECK(streq(cfg->nats_url, "nats://ours:4222"));
    CHECK(cfg->max_concurrent_keygen == 7);
    node_config_free(cfg);

    const char *flags[] = {"--set", "nats.url=tls://flag:4222",
                           "--set=max_concurrent_keygen=9", NULL};
    CHECK_OK(load(&cfg, err, yaml, env2, flags));
    CHECK(streq(cfg->nats_url, "tls://flag:4222"));
    CHECK(cfg->max_concurrent_keygen == 9);
    CHECK(streq(cfg->backup_dir, "from-file"));
    node_config_free(cfg);

    /* An empty variable is unset (viper's rule): the file value stays. */
    const char *env3[] = {"MPCIUM_NATS_URL=", "NATS_URL=", NULL};
    CHECK_OK(load(&cfg, err, yaml, env3, NULL));
    CHECK(streq(cfg->nats_url, "nats://file:4222"));
    node_config_free(cfg);

    /* Our own keys have no unprefixed name; mpcium's have both. */
    const char *env4[] = {"PEERS_FILE=nope.json",
                          "MPCIUM_PEERS_FILE=ours.json",
                          "BACKUP_DIR=viper-dir",
                          "MPCIUM_NODE_NAME=node9",
                          "ENVIRONMENT=production",
                          "MPCIUM_AUTHORIZATION_REQUIRED_AUTHORIZERS= a , b",
                          NULL};
    CHECK_OK(load(&cfg, err, yaml, env4, NULL));
    CHECK(streq(cfg->peers_file, "ours.json"));
    CHECK(streq(cfg->backup_dir, "viper-dir"));
    CHECK(streq(cfg->node_name, "node9"));
    CHECK(cfg->environment == NODE_ENV_PRODUCTION);
    CHECK(cfg->n_required_authorizers == 2);
    CHECK(streq(cfg->required_authorizers[0], "a") &&
          streq(cfg->required_authorizers[1], "b"));
    CHECK(has_warning(cfg, "required_authorizers is ignored"));
    node_config_free(cfg);

    /* Errors name the variable. */
    const char *env5[] = {"MPCIUM_BACKUP_PERIOD_SECONDS=soon", NULL};
    CHECK_ERR(load(&cfg, err, yaml, env5, NULL), MPC_ERR_PARSE);
    CHECK(has(err, "environment variable MPCIUM_BACKUP_PERIOD_SECONDS"));
    CHECK(has(err, "backup_period_seconds") && has(err, "\"soon\""));
    free(yaml);
}

TEST(nodecfg_config_dedicated_flags)
{
    node_config *cfg = NULL;
    char err[ERRLEN];
    const char *flags[] = {"--name",
                           "node3",
                           "--peers=/p.json",
                           "--identity-dir",
                           "/ids",
                           "--db-path",
                           "/db",
                           "-f",
                           "/pw",
                           "-p",
                           "-d",
                           "-k",
                           "/idpw",
                           "--debug",
                           NULL};
    CHECK_OK(load(&cfg, err, minimal, NULL, flags));
    CHECK(streq(cfg->node_name, "node3"));
    CHECK(streq(cfg->peers_file, "/p.json"));
    CHECK(streq(cfg->identity_dir, "/ids"));
    CHECK(streq(cfg->db_path, "/db"));
    CHECK(streq(cfg->password_file, "/pw"));
    CHECK(cfg->prompt_credentials && cfg->decrypt_private_key);
    CHECK(streq(cfg->identity_password_file, "/idpw"));
    CHECK(cfg->log_level == NODE_CONFIG_LOG_DEBUG);
    node_config_free(cfg);

    const char *bad[] = {"--name", "no/slash", NULL};
    CHECK_ERR(load(&cfg, err, minimal, NULL, bad), MPC_ERR_PARSE);
    CHECK(has(err, "flag --name") && has(err, "node_name"));
    const char *bad2[] = {"--set", "nats.ulr=nats://x:1", NULL};
    CHECK_ERR(load(&cfg, err, minimal, NULL, bad2), MPC_ERR_PARSE);
    CHECK(has(err, "nats.ulr: unknown key") &&
          has(err, "did you mean \"nats.url\""));
    const char *bad3[] = {"--set", "badger_password=x", NULL};
    CHECK_ERR(load(&cfg, err, minimal, NULL, bad3), MPC_ERR_PARSE);
    CHECK(has(err, "badger_password") && has(err, "not used"));
    CHECK(cfg == NULL);
}

TEST(nodecfg_config_args_parse)
{
    node_config_args a;
    char err[ERRLEN];
    char *ok[] = {(char *)"-c", (char *)"x.yaml", (char *)"--help",
                  (char *)"--set", (char *)"a.b=c=d"};
    CHECK_OK(node_config_args_parse(&a, 5, ok, err, ERRLEN));
    CHECK(streq(a.config_path, "x.yaml") && a.help && a.n_overrides == 1);
    CHECK(a.overrides[0].key_len == 3 &&
          memcmp(a.overrides[0].key, "a.b", 3) == 0);
    CHECK(streq(a.overrides[0].value, "c=d"));
    CHECK_OK(node_config_args_parse(&a, 0, ok, err, ERRLEN));
    CHECK(a.config_path == NULL && a.n_overrides == 0 && !a.help);

    static const struct {
        const char *argv[3];
        int argc;
        const char *msg;
    } bad[] = {
        {{"--nmae", "x"}, 2, "unknown flag --nmae"},
        {{"-x"}, 1, "unknown flag -x"},
        {{"start"}, 1, "unexpected argument \"start\""},
        {{"--name"}, 1, "flag --name needs a value"},
        {{"-c"}, 1, "flag -c needs a value"},
        {{"--debug=yes"}, 1, "flag --debug=yes takes no value"},
        {{"--set", "novalue"}, 2, "--set needs KEY=VALUE"},
        {{"--set", "=v"}, 2, "--set needs KEY=VALUE"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&a, 0xa5, sizeof a);
        CHECK_ERR(node_config_args_parse(
                      &a, bad[i].argc, (char *const *)bad[i].argv, err, ERRLEN),
                  MPC_ERR_INVALID_ARG);
        CHECK(has(err, bad[i].msg));
        CHECK(a.n_overrides == 0 && a.config_path == NULL);
    }
    char *many[2 * NODE_CONFIG_MAX_OVERRIDES + 2];
    for (int i = 0; i < NODE_CONFIG_MAX_OVERRIDES + 1; i++) {
        many[2 * i] = (char *)"--name";
        many[2 * i + 1] = (char *)"n";
    }
    CHECK_ERR(node_config_args_parse(&a, 2 * NODE_CONFIG_MAX_OVERRIDES + 2,
                                     many, err, ERRLEN),
              MPC_ERR_INVALID_ARG);
    CHECK(has(err, "too many flags"));
    CHECK(strstr(node_config_flags_help(), "--set KEY=VALUE") != NULL);
}

/* ---- every error names its key ------------------------------------- */

struct bad_case {
    const char *drop;  /* minimal line to remove */
    const char *extra; /* YAML appended */
    mpc_err rc;
    const char *msg1, *msg2;
};

static const struct bad_case bad_cases[] = {
    {"environment", "environment: staging\n", MPC_ERR_PARSE,
     "config.yaml:5: environment: expected production or development",
     "\"staging\""},
    {"environment", "", MPC_ERR_INVALID_ARG, "environment is required",
     "MPCIUM_ENVIRONMENT"},
    {"node_name", "", MPC_ERR_INVALID_ARG, "node_name is required", "--name"},
    {"node_name", "node_name: ../etc\n", MPC_ERR_PARSE,
     "node_name: expected a node name", NULL},
    {NULL, "log_level: loud\n", MPC_ERR_PARSE, "log_level: expected debug",
     NULL},
    {NULL, "nats:\n  url: http://x:4222\n", MPC_ERR_PARSE,
     "config.yaml:7: nats.url: expected nats://", "\"http://x:4222\""},
    {NULL, "nats:\n  url: nats://a:1,\n", MPC_ERR_PARSE, "nats.url", NULL},
    {NULL, "nats:\n  url: nats://\n", MPC_ERR_PARSE, "nats.url", NULL},
    {NULL, "nats:\n  password: \"hunter2\"\n", MPC_ERR_INVALID_ARG,
     "nats.password is set but nats.username is not", NULL},
    {NULL, "nats:\n  password: \"a\\tb-secret\"\n", MPC_ERR_PARSE,
     "nats.password: expected", "(hidden)"},
    {NULL, "nats:\n  username: u\n  creds_file: /c\n", MPC_ERR_CONFLICT,
     "nats: choose one authentication method", NULL},
    {NULL, "nats:\n  creds_file: /c\n  nkey: U\n  nkey_seed_file: /s\n",
     MPC_ERR_CONFLICT, "authentication method", NULL},
    {NULL, "nats:\n  nkey: UABC\n", MPC_ERR_INVALID_ARG,
     "nats.nkey and nats.nkey_seed_file", NULL},
    {NULL, "nats:\n  tls:\n    client_cert: /c.pem\n", MPC_ERR_INVALID_ARG,
     "nats.tls.client_cert and nats.tls.client_key", NULL},
    {"chain_code", "", MPC_ERR_INVALID_ARG, "chain_code is required", NULL},
    {"chain_code", "chain_code: abcd\n", MPC_ERR_PARSE,
     "chain_code: expected 64 hex digits", NULL},
    {"chain_code",
     "chain_code: "
     "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
     MPC_ERR_PARSE, "chain_code: expected 64 hex digits", NULL},
    {"chain_code", "chain_code: \"\"\n", MPC_ERR_INVALID_ARG,
     "chain_code is required", NULL},
    {"event_initiator_pubkey", "", MPC_ERR_INVALID_ARG,
     "event_initiator_pubkey is required", NULL},
    {"event_initiator_pubkey", "event_initiator_pubkey: 1234\n", MPC_ERR_PARSE,
     "event_initiator_pubkey: not a valid ed25519 public key", "64 hex digits"},
    {"event_initiator_pubkey",
     "event_initiator_pubkey: "
     "0100000000000000000000000000000000000000000000000000000000000000\n",
     MPC_ERR_PARSE, "event_initiator_pubkey", "small order"},
    {NULL, "event_initiator_algorithm: rsa\n", MPC_ERR_PARSE,
     "event_initiator_algorithm: expected ed25519 or p256", "\"rsa\""},
    {NULL, "event_initiator_algorithm: p256\n", MPC_ERR_PARSE,
     "event_initiator_pubkey: not a valid p256 public key", NULL},
    {NULL, "allow_legacy_unsigned_derivation_path: maybe\n", MPC_ERR_PARSE,
     "allow_legacy_unsigned_derivation_path: expected true or false", NULL},
    {NULL, "backup_enabled: yes please\n", MPC_ERR_PARSE,
     "backup_enabled: expected true or false", NULL},
    {NULL, "backup_period_seconds: 0\n", MPC_ERR_PARSE,
     "backup_period_seconds: expected an integer from 1 to 604800", NULL},
    {NULL, "backup_period_seconds: 99999999999999999999\n", MPC_ERR_PARSE,
     "backup_period_seconds", NULL},
    {NULL, "max_concurrent_keygen: 0\n", MPC_ERR_PARSE,
     "max_concurrent_keygen: expected an integer from 1 to 1024", NULL},
    {NULL, "max_concurrent_signing: 10001\n", MPC_ERR_PARSE,
     "max_concurrent_signing", NULL},
    {NULL, "max_concurrent_reshare: 1.5\n", MPC_ERR_PARSE,
     "max_concurrent_reshare", NULL},
    {NULL, "max_concurrent_presign: x\n", MPC_ERR_PARSE,
     "max_concurrent_presign", NULL},
    {NULL, "timeouts:\n  barrier_ms: 50\n", MPC_ERR_PARSE,
     "timeouts.barrier_ms: expected an integer from 100 to 600000", NULL},
    {NULL, "timeouts:\n  keygen_ms: 10\n", MPC_ERR_PARSE, "timeouts.keygen_ms",
     NULL},
    {NULL, "timeouts:\n  signing_ms: 0\n", MPC_ERR_PARSE, "timeouts.signing_ms",
     NULL},
    {NULL, "timeouts:\n  reshare_ms: 3600001\n", MPC_ERR_PARSE,
     "timeouts.reshare_ms", NULL},
    {NULL, "timeouts:\n  presign_ms: \"\"\n  bogus_ms: 1\n", MPC_ERR_PARSE,
     "timeouts.bogus_ms: unknown key", NULL},
    {NULL, "healthcheck:\n  address: \"8080\"\n", MPC_ERR_PARSE,
     "healthcheck.address: expected host:port", NULL},
    {NULL, "healthcheck:\n  address: \"host:0\"\n", MPC_ERR_PARSE,
     "healthcheck.address", NULL},
    {NULL, "healthcheck:\n  address: \"::1:80\"\n", MPC_ERR_PARSE,
     "healthcheck.address", NULL},
    {NULL, "healthcheck:\n  enabled: on\n", MPC_ERR_PARSE,
     "healthcheck.enabled: expected true or false", NULL},
    {NULL, "identity_dir: \"a\\nb\"\n", MPC_ERR_PARSE,
     "identity_dir: expected a string without control characters", NULL},
    {NULL, "authorization:\n  enabled: true\n  required_authorizers: [x]\n",
     MPC_ERR_INVALID_ARG,
     "authorization.required_authorizers: \"x\" has no entry in "
     "authorization.authorizer_public_keys",
     NULL},
    {NULL, "authorization:\n  required_authorizers: [\"a b\"]\n", MPC_ERR_PARSE,
     "authorization.required_authorizers: \"a b\" is not", NULL},
    {NULL, "authorization:\n  required_authorizers: [\"a,b\"]\n", MPC_ERR_PARSE,
     "authorization.required_authorizers", NULL},
    {NULL, "authorization:\n  required_authorizers: [a, a]\n", MPC_ERR_CONFLICT,
     "\"a\" listed twice", NULL},
    {NULL, "authorization:\n  required_authorizers: [[a]]\n", MPC_ERR_PARSE,
     "list items must be strings", NULL},
    {NULL, "authorization:\n  required_authorizers: {a: 1}\n", MPC_ERR_PARSE,
     "authorization.required_authorizers: expected a list", NULL},
    {NULL,
     "authorization:\n  authorizer_public_keys:\n    a1:\n"
     "      public_key: abcd\n",
     MPC_ERR_PARSE,
     "authorization.authorizer_public_keys.a1.public_key: not a valid "
     "ed25519 public key",
     NULL},
    {NULL,
     "authorization:\n  authorizer_public_keys:\n    a1:\n"
     "      public_key: " ED_PK2 "\n      algorithm: p256\n",
     MPC_ERR_PARSE,
     "authorization.authorizer_public_keys.a1.public_key: not a valid p256",
     NULL},
    {NULL,
     "authorization:\n  authorizer_public_keys:\n    a1:\n"
     "      public_key: " ED_PK2 "\n      algorithm: ecdsa\n",
     MPC_ERR_PARSE,
     "authorization.authorizer_public_keys.a1.algorithm: expected ed25519",
     NULL},
    {NULL,
     "authorization:\n  authorizer_public_keys:\n    a1:\n"
     "      algorithm: ed25519\n",
     MPC_ERR_INVALID_ARG,
     "authorization.authorizer_public_keys.a1.public_key is required", NULL},
    {NULL,
     "authorization:\n  authorizer_public_keys:\n    a1:\n"
     "      pubkey: " ED_PK2 "\n",
     MPC_ERR_PARSE,
     "authorization.authorizer_public_keys.a1.pubkey: unknown key", NULL},
    {NULL,
     "authorization:\n  authorizer_public_keys:\n    a1:\n"
     "      public_key: " ED_PK2 "\n      public_key: " ED_PK1 "\n",
     MPC_ERR_CONFLICT, "public_key: key given twice", NULL},
    {NULL,
     "authorization:\n  authorizer_public_keys:\n    \"a 1\":\n"
     "      public_key: " ED_PK2 "\n",
     MPC_ERR_PARSE, "\"a 1\" is not an authorizer id", NULL},
    {NULL, "authorization:\n  authorizer_public_keys:\n    a1: " ED_PK2 "\n",
     MPC_ERR_PARSE,
     "authorization.authorizer_public_keys.a1: expected a mapping", NULL},
    {NULL, "authorization:\n  authorizer_public_keys: [a]\n", MPC_ERR_PARSE,
     "authorization.authorizer_public_keys: expected a mapping", NULL},
    {NULL,
     "authorization:\n  authorizers:\n    a1:\n      pubkey: " ED_PK2 "\n",
     MPC_ERR_PARSE, "authorization.authorizers: the legacy authorizer list",
     NULL},
    {NULL, "nats:\n  ulr: nats://x:1\n", MPC_ERR_PARSE,
     "config.yaml:7: nats.ulr: unknown key (did you mean \"nats.url\"?)", NULL},
    {NULL, "treshold: 2\n", MPC_ERR_PARSE,
     "treshold: unknown key (did you mean \"threshold\"?)", NULL},
    {NULL, "frobnicate: 1\n", MPC_ERR_PARSE, "frobnicate: unknown key", NULL},
    {NULL, "node_name: node1\n", MPC_ERR_CONFLICT,
     "node_name: key given twice in one mapping (first at line 2)", NULL},
    {NULL, "nats: nats://x:4222\n", MPC_ERR_PARSE, "nats: expected a mapping",
     NULL},
    {"environment", "environment:\n  name: production\n", MPC_ERR_PARSE,
     "environment: expected a single value, got a mapping", NULL},
    {"node_name", "node_name: [a]\n", MPC_ERR_PARSE,
     "node_name: expected a single value, got a list", NULL},
    {NULL, "[1, 2]: x\n", MPC_ERR_PARSE, "keys must be strings", NULL},
    {NULL, "nats: {url: \"x\"\n", MPC_ERR_PARSE, "YAML syntax error", NULL},
    {NULL, "---\nenvironment: production\n", MPC_ERR_PARSE,
     "more than one YAML document", NULL},
    {NULL, "---\n{\n", MPC_ERR_PARSE, "YAML syntax error", NULL},
    {NULL, "backup_dir: \"a\\0b\"\n", MPC_ERR_PARSE,
     "backup_dir: value contains a NUL byte", NULL},
    {NULL,
     "authorization:\n  authorizer_public_keys:\n    a1:\n"
     "      public_key: {x: 1}\n",
     MPC_ERR_PARSE,
     "authorization.authorizer_public_keys.a1.public_key: "
     "expected a string",
     NULL},
    {NULL,
     "authorization:\n  authorizer_public_keys:\n    a1:\n"
     "      algorithm: \"ed\\0\"\n",
     MPC_ERR_PARSE, "a1.algorithm: contains a NUL byte", NULL},
    {NULL,
     "authorization:\n  authorizer_public_keys:\n    [a]:\n"
     "      public_key: x\n",
     MPC_ERR_PARSE,
     "authorization.authorizer_public_keys: keys must be "
     "strings",
     NULL},
    {NULL,
     "a_very_long_key_name_that_goes_on_and_on_and_on_and_on_and_on_and_on_"
     "and_on_and_on_and_on: 1\n",
     MPC_ERR_PARSE, "unknown key", NULL},
};

TEST(nodecfg_config_errors_name_the_key)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        node_config *cfg = (node_config *)1;
        char err[ERRLEN];
        char *yaml = yaml_with(c->drop, c->extra);
        mpc_err rc = load(&cfg, err, yaml, NULL, NULL);
        free(yaml);
        if (rc != c->rc || !has(err, c->msg1) || !has(err, c->msg2))
            test_fail(__FILE__, __LINE__, "case %zu: got %s: %s", i,
                      mpc_err_name(rc), err);
        CHECK(rc == c->rc && has(err, c->msg1) && has(err, c->msg2));
        CHECK(cfg == NULL);
        /* never echo a secret */
        CHECK(strstr(err, "hunter2") == NULL &&
              strstr(err, "b-secret") == NULL);
    }
}

TEST(nodecfg_config_yaml_shapes)
{
    node_config *cfg = NULL;
    char err[ERRLEN];
    /* Not a mapping at the root. */
    CHECK_ERR(load(&cfg, err, "- a\n- b\n", NULL, NULL), MPC_ERR_PARSE);
    CHECK(has(err, "expected a mapping of keys"));
    /* An empty file: every required key is missing. */
    CHECK_ERR(load(&cfg, err, "", NULL, NULL), MPC_ERR_INVALID_ARG);
    CHECK(has(err, "is required"));
    /* Nulls and empty sections are "unset"; quotes keep strings. */
    char *yaml = yaml_with(NULL, "nats:\nhealthcheck: ~\n"
                                 "peers_file: null\n"
                                 "backup_dir: \"null\"\n"
                                 "timeouts: {}\n"
                                 "consul:\n  address: x\n"
                                 "aws: {region: x}\ncosigner: {}\n"
                                 "mpcium_version: 1.0.0\n"
                                 "authorization:\n  authorizers: {}\n"
                                 "  authorizer_public_keys:\n"
                                 "  required_authorizers: []\n");
    CHECK_OK(load(&cfg, err, yaml, NULL, NULL));
    free(yaml);
    CHECK(streq(cfg->nats_url, "nats://127.0.0.1:4222"));
    CHECK(streq(cfg->peers_file, "peers.json"));
    CHECK(streq(cfg->backup_dir, "null"));
    CHECK(has_warning(cfg, "consul.* ignored"));
    CHECK(has_warning(cfg, "aws.* ignored"));
    CHECK(has_warning(cfg, "cosigner.* ignored"));
    CHECK(has_warning(cfg, "mpcium_version"));
    CHECK(cfg->n_required_authorizers == 0);
    node_config_free(cfg);
    /* Booleans and integers in every accepted spelling. */
    yaml = yaml_with(NULL, "backup_enabled: FALSE\nhealthcheck:\n"
                           "  enabled: 1\ndecrypt_private_key: True\n"
                           "max_concurrent_keygen: \"007\"\n");
    CHECK_OK(load(&cfg, err, yaml, NULL, NULL));
    free(yaml);
    CHECK(!cfg->backup_enabled && cfg->healthcheck_enabled);
    CHECK(cfg->decrypt_private_key && cfg->max_concurrent_keygen == 7);
    node_config_free(cfg);
}

TEST(nodecfg_config_lists_and_limits)
{
    node_config *cfg = NULL;
    char err[ERRLEN];
    /* a comma-separated string in YAML works like a list */
    char *yaml = yaml_with(NULL, "authorization:\n  enabled: true\n"
                                 "  required_authorizers: a1, b_2\n"
                                 "  authorizer_public_keys:\n"
                                 "    a1: {public_key: " ED_PK1 "}\n"
                                 "    b_2: {public_key: " ED_PK2 "}\n");
    CHECK_OK(load(&cfg, err, yaml, NULL, NULL));
    free(yaml);
    CHECK(cfg->n_required_authorizers == 2 && cfg->n_authorizers == 2);
    CHECK(streq(cfg->required_authorizers[1], "b_2"));
    node_config_free(cfg);
    /* at most NODE_CONFIG_MAX_AUTHORIZERS entries */
    size_t cap = 64 + (NODE_CONFIG_MAX_AUTHORIZERS + 1) * 100;
    char *extra = malloc(cap);
    size_t o = (size_t)sprintf(extra, "authorization:\n"
                                      "  authorizer_public_keys:\n");
    for (int i = 0; i <= NODE_CONFIG_MAX_AUTHORIZERS; i++)
        o += (size_t)sprintf(extra + o, "    a%d: {public_key: %s}\n", i,
                             ED_PK1);
    yaml = yaml_with(NULL, extra);
    free(extra);
    CHECK_ERR(load(&cfg, err, yaml, NULL, NULL), MPC_ERR_PARSE);
    free(yaml);
    CHECK(has(err, "more than 64 authorizers"));
}

TEST(nodecfg_config_warnings)
{
    node_config *cfg = NULL;
    char err[ERRLEN];
    const char *env[] = {"MPCIUM_NATS_URLS=nats://x:1",
                         "MPCIUM_DB_PASSWORD=ignored-here", "OTHER_THING=1",
                         NULL};
    char *yaml = yaml_with(NULL, "authorization:\n  enabled: true\n");
    CHECK_OK(load(&cfg, err, yaml, env, NULL));
    free(yaml);
    CHECK(has_warning(cfg, "MPCIUM_NATS_URLS is not a setting"));
    CHECK(!has_warning(cfg, "MPCIUM_DB_PASSWORD"));
    CHECK(!has_warning(cfg, "OTHER_THING"));
    CHECK(has_warning(cfg, "no authorizer keys are configured"));
    node_config_free(cfg);
}

TEST(nodecfg_config_file_errors)
{
    node_config *cfg = (node_config *)1;
    char err[ERRLEN], dir[NC_PATH], path[NC_PATH];
    node_config_args a;
    CHECK(nc_tmpdir(dir));

    /* --config names a file that does not exist */
    nc_fmt(path, sizeof path, "%s/none.yaml", dir);
    char *argv[] = {(char *)"-c", path};
    CHECK_OK(node_config_args_parse(&a, 2, argv, err, ERRLEN));
    CHECK_ERR(node_config_load(&cfg, &a, NULL, err, ERRLEN), MPC_ERR_NOT_FOUND);
    CHECK(cfg == NULL && has(err, "none.yaml"));

    /* a directory */
    argv[1] = dir;
    CHECK_OK(node_config_args_parse(&a, 2, argv, err, ERRLEN));
    CHECK_ERR(node_config_load(&cfg, &a, NULL, err, ERRLEN), MPC_ERR_IO);
    CHECK(has(err, "not a regular file"));

    /* more than 1 MiB */
    size_t big = 1024 * 1024 + 1;
    char *blob = malloc(big);
    memset(blob, '#', big);
    CHECK(nc_write(dir, "big.yaml", blob, big, path));
    free(blob);
    argv[1] = path;
    CHECK_OK(node_config_args_parse(&a, 2, argv, err, ERRLEN));
    CHECK_ERR(node_config_load(&cfg, &a, NULL, err, ERRLEN), MPC_ERR_IO);

    /* No --config: the search path, with $HOME from envp (only testable
     * where neither ./config.yaml nor /etc/mpcium/config.yaml exists). */
    if (access("config.yaml", F_OK) == 0 ||
        access("/etc/mpcium/config.yaml", F_OK) == 0) {
        nc_rmtree(dir);
        return;
    }
    char home[NC_PATH], sub[NC_PATH];
    nc_fmt(home, sizeof home, "HOME=%s", dir);
    const char *env[] = {home, NULL};
    CHECK_ERR(node_config_load(&cfg, NULL, env, err, ERRLEN),
              MPC_ERR_NOT_FOUND);
    CHECK(has(err, "--config"));
    nc_fmt(sub, sizeof sub, "%s/.mpcium", dir);
    CHECK(mkdir(sub, 0700) == 0);
    CHECK(nc_write_str(sub, "config.yaml", minimal, path));
    CHECK_OK(node_config_load(&cfg, NULL, env, err, ERRLEN));
    CHECK(streq(cfg->config_path, path));
    node_config_free(cfg);
    nc_rmtree(dir);
}
