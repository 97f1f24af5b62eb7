/*
 * node/config.h — the node's configuration: mpcium's config.yaml keys plus
 * ours, environment overrides and command-line flags, validated in one
 * place. docs/configuration.md lists every key.
 *
 * Precedence, lowest to highest: built-in defaults < the YAML file <
 * environment variables < command-line flags. Every key `a.b_c` can be set
 * from the environment as MPCIUM_A_B_C; the keys mpcium knows can also be
 * set by mpcium's own (viper) names, A_B_C, which lose to MPCIUM_A_B_C.
 *
 * Threshold — stated once, here and in docs/configuration.md:
 *   `threshold` is the number of signers: any `threshold` of the n nodes
 *   can sign, fewer cannot. mpcium's `mpc_threshold` is tss-lib's t, which
 *   is one less: threshold = mpc_threshold + 1. Either key may be given;
 *   if both are given by the same source (the file, the environment or the
 *   flags) they must agree; a higher-precedence source overrides a lower
 *   one whichever spelling each uses. Inside the node every threshold is a
 *   signer count.
 *
 * Strictness: an unknown key is an error (typos must not pass silently),
 * with a suggestion when a known key is close. Keys mpcium knows but we do
 * not use (consul.*, badger_password, session_warm_up_delay_ms, aws.*,
 * cosigner.*, mpcium_version) are accepted with a warning. Every bad value
 * is an error whose message names the key, where it came from (file:line,
 * environment variable or flag) and what is expected; secret values are
 * never echoed.
 *
 * Rules: pointer arguments must not be NULL unless stated; `err` may be
 * NULL, otherwise it receives a NUL-terminated message of at most `err_len`
 * bytes; `*out` is written only on success. Not thread-safe while loading;
 * a loaded node_config is immutable and may be read from any thread.
 */
#ifndef NODE_CONFIG_H
#define NODE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"
#include "node/identity.h"

/** Most flags one command line may carry. */
#define NODE_CONFIG_MAX_OVERRIDES 64
/** Most authorizers the configuration may list. */
#define NODE_CONFIG_MAX_AUTHORIZERS 64
#define NODE_CHAIN_CODE_BYTES 32
/** Signer counts the configuration accepts. */
#define NODE_THRESHOLD_MIN 2
#define NODE_THRESHOLD_MAX NODE_PEERS_MAX

typedef enum node_environment {
    NODE_ENV_DEVELOPMENT = 1,
    NODE_ENV_PRODUCTION = 2,
} node_environment;

typedef enum node_config_log_level {
    NODE_CONFIG_LOG_DEBUG = 1,
    NODE_CONFIG_LOG_INFO = 2,
    NODE_CONFIG_LOG_WARN = 3,
    NODE_CONFIG_LOG_ERROR = 4,
} node_config_log_level;

typedef struct node_config_authorizer {
    char *id;
    node_pubkey key;
} node_config_authorizer;

/**
 * The loaded configuration. Strings are NULL when unset (optional keys
 * without a default); paths are as written (relative ones are relative to
 * the working directory).
 */
typedef struct node_config {
    /* The file that was read. */
    char *config_path;

    /* This node and its files. */
    char *node_name;          /* node_name, --name; required */
    char *peers_file;         /* peers_file, --peers; "peers.json" */
    char *identity_dir;       /* identity_dir; "identity" */
    bool decrypt_private_key; /* use <name>_private.key.enc */
    char *identity_password_file;
    char *password_file; /* keystore password file */
    bool prompt_credentials;
    node_environment environment; /* required */
    node_config_log_level log_level;

    /* NATS. */
    char *nats_url;
    char *nats_username;
    char *nats_password; /* secret: wiped by node_config_free */
    char *nats_creds_file;
    char *nats_nkey;           /* public nkey (U...) */
    char *nats_nkey_seed_file; /* file holding its seed */
    char *nats_tls_client_cert;
    char *nats_tls_client_key;
    char *nats_tls_ca_cert;

    /* Protocol. */
    unsigned threshold; /* signers (see the top of this file) */
    node_pubkey event_initiator;
    uint8_t chain_code[NODE_CHAIN_CODE_BYTES];
    bool allow_legacy_unsigned_derivation_path;

    /* Storage. */
    char *db_path; /* the keystore lives in <db_path>/<node_name> */
    bool backup_enabled;
    unsigned backup_period_seconds;
    char *backup_dir;
    unsigned backup_keep; /* this node's newest backups kept (0: all) */

    /* Concurrency: sessions per operation type (and MaxAckPending). */
    unsigned max_concurrent_keygen;
    unsigned max_concurrent_signing;
    unsigned max_concurrent_reshare;
    unsigned max_concurrent_presign;

    /* Timeouts in milliseconds. */
    unsigned barrier_timeout_ms;
    unsigned keygen_timeout_ms;
    unsigned signing_timeout_ms;
    unsigned reshare_timeout_ms;
    unsigned presign_timeout_ms;

    /* Health endpoint. */
    bool healthcheck_enabled;
    char *healthcheck_address; /* host:port */

    /* ECDSA: the Paillier parameter set (name, and its mpc_params_id). */
    char *paillier_params;
    unsigned paillier_params_id;
    /* Test-only: fixture Paillier primes (file NULL: real primes). */
    char *test_paillier_fixtures_file;
    unsigned test_paillier_fixtures_index;

    /* Authorization (mpcium §3.3). */
    bool authorization_enabled;
    char **required_authorizers;
    size_t n_required_authorizers;
    node_config_authorizer *authorizers;
    size_t n_authorizers;

    /* Warnings for the caller to log (ignored keys, unusual settings). */
    char **warnings;
    size_t n_warnings;
} node_config;

/** One command-line override: `key` (not NUL-terminated, `key_len` bytes)
 * set to `value`. Both point into argv. */
typedef struct node_config_override {
    const char *key;
    size_t key_len;
    const char *value;
    const char *flag; /* the flag as typed, for messages */
} node_config_override;

/** The command line, parsed. */
typedef struct node_config_args {
    /** --config/-c, or NULL to search ./config.yaml,
     * /etc/mpcium/config.yaml and $HOME/.mpcium/config.yaml. */
    const char *config_path;
    /** -h/--help was given. */
    bool help;
    node_config_override overrides[NODE_CONFIG_MAX_OVERRIDES];
    size_t n_overrides;
} node_config_args;

/**
 * Parses node flags (see node_config_flags_help). `argv[0..argc)` are all
 * flags: skip the program name and any subcommand first. Keeps pointers into
 * `argv`, which must outlive `out`.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (unknown flag, missing value, a
 * positional argument, --set without '=', too many flags); `err` names the
 * flag. `*out` is zeroed on failure.
 */
MPC_WARN_UNUSED mpc_err node_config_args_parse(node_config_args *out, int argc,
                                               char *const argv[], char *err,
                                               size_t err_len);

/** The flag list for usage messages (static text). */
const char *node_config_flags_help(void);

/**
 * Loads the configuration: defaults, the YAML file (args->config_path or
 * the search path; `args` may be NULL), then `envp` (NULL-terminated
 * "NAME=value" strings, may be NULL), then the overrides in `args`; then
 * validates everything, including the initiator and authorizer keys.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND (no config file found); MPC_ERR_IO
 * (file unreadable or larger than 1 MiB); MPC_ERR_PARSE (YAML syntax, an
 * unknown key, a value of the wrong type or out of range, a bad key or
 * hex string); MPC_ERR_CONFLICT (threshold and mpc_threshold disagree,
 * two NATS authentication methods, a key set twice in one mapping);
 * MPC_ERR_INVALID_ARG (a required key is missing); MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err node_config_load(node_config **out,
                                         const node_config_args *args,
                                         const char *const *envp, char *err,
                                         size_t err_len);

/**
 * Checks the settings that depend on the peers file: threshold <= n_peers.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG with a message naming `threshold`.
 */
MPC_WARN_UNUSED mpc_err node_config_check_peers(const node_config *cfg,
                                                size_t n_peers, char *err,
                                                size_t err_len);

/** The authorizer with this id, or NULL. */
const node_config_authorizer *
node_config_find_authorizer(const node_config *cfg, const char *id);

/** Wipes secrets and frees; NULL does nothing. */
void node_config_free(node_config *cfg);

#endif /* NODE_CONFIG_H */
