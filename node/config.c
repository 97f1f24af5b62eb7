/* node/config.c — YAML configuration, environment and flag overrides. */
#include "node/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <yaml.h>

#include "mpc/mem.h"
#include "mpc/params.h"

#define FILE_MAX (1024u * 1024u)
#define WHERE_BYTES 160
#define NAME_BYTES 96 /* longest dotted key or env name we build */

/* ------------------------------------------------------------------ */
/* The key table                                                        */

enum type {
    T_STR,    /* optional string; empty = unset */
    T_SECRET, /* like T_STR, never echoed, wiped */
    T_NAME,   /* a node name */
    T_BOOL,
    T_UINT,     /* [min, max] */
    T_ENV,      /* production | development */
    T_LOG,      /* debug | info | warn | error */
    T_ALG,      /* ed25519 | p256 (read with the public key) */
    T_PUBKEY,   /* parsed after the algorithm is known */
    T_HEX32,    /* 64 hex digits */
    T_SIGNERS,  /* threshold */
    T_TSS_T,    /* mpc_threshold = signers - 1 */
    T_NATS_URL, /* comma-separated nats:// or tls:// URLs */
    T_HOSTPORT, /* host:port */
    T_LIST,     /* comma-separated authorizer ids, or a YAML sequence */
    T_IGNORED,  /* mpcium key we accept and ignore with a warning */
};

enum {
    F_MPCIUM = 1,   /* mpcium knows it: its unprefixed env name works too */
    F_REQUIRED = 2, /* no default */
};

struct key {
    const char *name;
    enum type type;
    unsigned flags;
    const char *dflt;
    size_t off; /* field of node_config, where the type has one */
    unsigned min, max;
    const char *flag; /* its dedicated command-line flag, if any */
};

#define OFF(f) offsetof(node_config, f)
#define NONE 0

static const struct key keys[] = {
    {"node_name", T_NAME, F_REQUIRED, NULL, OFF(node_name), 0, 0, "--name"},
    {"peers_file", T_STR, 0, "peers.json", OFF(peers_file), 0, 0, "--peers"},
    {"identity_dir", T_STR, 0, "identity", OFF(identity_dir), 0, 0,
     "--identity-dir"},
    {"decrypt_private_key", T_BOOL, 0, "false", OFF(decrypt_private_key), 0, 0,
     "--decrypt-private-key"},
    {"identity_password_file", T_STR, 0, NULL, OFF(identity_password_file), 0,
     0, "--identity-password-file"},
    {"password_file", T_STR, 0, NULL, OFF(password_file), 0, 0,
     "--password-file"},
    {"prompt_credentials", T_BOOL, 0, "false", OFF(prompt_credentials), 0, 0,
     "--prompt-credentials"},
    {"environment", T_ENV, F_MPCIUM | F_REQUIRED, NULL, OFF(environment), 0, 0,
     NULL},
    {"log_level", T_LOG, 0, "info", OFF(log_level), 0, 0, "--debug"},

    {"nats.url", T_NATS_URL, F_MPCIUM, "nats://127.0.0.1:4222", OFF(nats_url),
     0, 0, NULL},
    {"nats.username", T_STR, F_MPCIUM, NULL, OFF(nats_username), 0, 0, NULL},
    {"nats.password", T_SECRET, F_MPCIUM, NULL, OFF(nats_password), 0, 0, NULL},
    {"nats.creds_file", T_STR, 0, NULL, OFF(nats_creds_file), 0, 0, NULL},
    {"nats.nkey", T_STR, 0, NULL, OFF(nats_nkey), 0, 0, NULL},
    {"nats.nkey_seed_file", T_STR, 0, NULL, OFF(nats_nkey_seed_file), 0, 0,
     NULL},
    {"nats.tls.client_cert", T_STR, F_MPCIUM, NULL, OFF(nats_tls_client_cert),
     0, 0, NULL},
    {"nats.tls.client_key", T_STR, F_MPCIUM, NULL, OFF(nats_tls_client_key), 0,
     0, NULL},
    {"nats.tls.ca_cert", T_STR, F_MPCIUM, NULL, OFF(nats_tls_ca_cert), 0, 0,
     NULL},

    {"threshold", T_SIGNERS, 0, NULL, OFF(threshold), NODE_THRESHOLD_MIN,
     NODE_THRESHOLD_MAX, NULL},
    {"mpc_threshold", T_TSS_T, F_MPCIUM, NULL, OFF(threshold),
     NODE_THRESHOLD_MIN - 1, NODE_THRESHOLD_MAX - 1, NULL},
    {"event_initiator_pubkey", T_PUBKEY, F_MPCIUM | F_REQUIRED, NULL,
     OFF(event_initiator), 0, 0, NULL},
    {"event_initiator_algorithm", T_ALG, F_MPCIUM, "ed25519", NONE, 0, 0, NULL},
    {"chain_code", T_HEX32, F_MPCIUM | F_REQUIRED, NULL, OFF(chain_code), 0, 0,
     NULL},
    {"allow_legacy_unsigned_derivation_path", T_BOOL, 0, "false",
     OFF(allow_legacy_unsigned_derivation_path), 0, 0, NULL},

    {"db_path", T_STR, F_MPCIUM, "./db", OFF(db_path), 0, 0, "--db-path"},
    {"backup_enabled", T_BOOL, F_MPCIUM, "true", OFF(backup_enabled), 0, 0,
     NULL},
    {"backup_period_seconds", T_UINT, F_MPCIUM, "300",
     OFF(backup_period_seconds), 1, 7 * 86400, NULL},
    {"backup_dir", T_STR, F_MPCIUM, "backups", OFF(backup_dir), 0, 0, NULL},
    {"backup_keep", T_UINT, 0, "48", OFF(backup_keep), 0, 100000, NULL},

    {"max_concurrent_keygen", T_UINT, F_MPCIUM, "2", OFF(max_concurrent_keygen),
     1, 1024, NULL},
    {"max_concurrent_signing", T_UINT, F_MPCIUM, "20",
     OFF(max_concurrent_signing), 1, 10000, NULL},
    {"max_concurrent_reshare", T_UINT, 0, "1", OFF(max_concurrent_reshare), 1,
     1024, NULL},
    {"max_concurrent_presign", T_UINT, 0, "2", OFF(max_concurrent_presign), 1,
     1024, NULL},

    {"timeouts.barrier_ms", T_UINT, 0, "10000", OFF(barrier_timeout_ms), 100,
     600000, NULL},
    {"timeouts.keygen_ms", T_UINT, 0, "120000", OFF(keygen_timeout_ms), 1000,
     3600000, NULL},
    {"timeouts.signing_ms", T_UINT, 0, "60000", OFF(signing_timeout_ms), 1000,
     3600000, NULL},
    {"timeouts.reshare_ms", T_UINT, 0, "180000", OFF(reshare_timeout_ms), 1000,
     3600000, NULL},
    {"timeouts.presign_ms", T_UINT, 0, "120000", OFF(presign_timeout_ms), 1000,
     3600000, NULL},

    {"healthcheck.enabled", T_BOOL, F_MPCIUM, "false", OFF(healthcheck_enabled),
     0, 0, NULL},
    {"healthcheck.address", T_HOSTPORT, F_MPCIUM, "0.0.0.0:8080",
     OFF(healthcheck_address), 0, 0, NULL},

    /* ECDSA: the Paillier parameter set of this node's primes. */
    {"paillier_params", T_STR, 0, "compat-2048", OFF(paillier_params), 0, 0,
     NULL},
    /* Test-only: Paillier primes from a public fixture file (refused in
     * production). */
    {"test_paillier_fixtures.file", T_STR, 0, NULL,
     OFF(test_paillier_fixtures_file), 0, 0, NULL},
    {"test_paillier_fixtures.index", T_UINT, 0, "0",
     OFF(test_paillier_fixtures_index), 0, 1000, NULL},

    {"authorization.enabled", T_BOOL, F_MPCIUM, "false",
     OFF(authorization_enabled), 0, 0, NULL},
    {"authorization.required_authorizers", T_LIST, F_MPCIUM, NULL, NONE, 0, 0,
     NULL},

    /* mpcium keys we do not use. */
    {"badger_password", T_IGNORED, 0, NULL, NONE, 0, 0, NULL},
    {"session_warm_up_delay_ms", T_IGNORED, 0, NULL, NONE, 0, 0, NULL},
    {"mpcium_version", T_IGNORED, 0, NULL, NONE, 0, 0, NULL},
};

#define NKEYS (sizeof keys / sizeof keys[0])

/* Whole mpcium subtrees we accept and ignore. */
static const struct {
    const char *name;
    const char *why;
} ignored_trees[] = {
    {"consul", "mpcium-node keeps its registry in NATS KV"},
    {"aws", "used only by mpcium's examples"},
    {"cosigner", "not supported by mpcium-node"},
};

/* Mappings the file may contain (each key's parent sections). */
static const char *const sections[] = {
    "nats",        "nats.tls",      "timeouts",
    "healthcheck", "authorization", "test_paillier_fixtures",
};

#define AUTH_KEYS "authorization.authorizer_public_keys"
#define AUTH_LEGACY "authorization.authorizers"

/* ------------------------------------------------------------------ */
/* Loader state                                                         */

enum layer { L_NONE = 0, L_FILE = 1, L_ENV = 2, L_FLAG = 3 };

struct slot {
    char *value;
    enum layer layer;
    char where[WHERE_BYTES];
};

struct auth_entry {
    char *id;
    char *public_key;
    char *algorithm;
    char where[WHERE_BYTES];
};

struct loader {
    node_config *cfg;
    struct slot slots[NKEYS];
    struct auth_entry auth[NODE_CONFIG_MAX_AUTHORIZERS];
    size_t n_auth;
    bool warned_tree[sizeof ignored_trees / sizeof ignored_trees[0]];
    const char *path;
    char *err;
    size_t err_len;
};

__attribute__((format(printf, 3, 4))) static mpc_err
fail(struct loader *ld, mpc_err code, const char *fmt, ...)
{
    if (ld->err != NULL && ld->err_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ld->err, ld->err_len, fmt, ap);
        va_end(ap);
    }
    return code;
}

__attribute__((format(printf, 2, 3))) static mpc_err warn(struct loader *ld,
                                                          const char *fmt, ...)
{
    node_config *cfg = ld->cfg;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **w = realloc(cfg->warnings, (cfg->n_warnings + 1) * sizeof *w);
    if (w == NULL)
        return MPC_ERR_NOMEM;
    cfg->warnings = w;
    if ((w[cfg->n_warnings] = strdup(buf)) == NULL)
        return MPC_ERR_NOMEM;
    cfg->n_warnings++;
    return MPC_OK;
}

static void free_str(char *s, bool secret)
{
    if (s == NULL)
        return;
    if (secret)
        mpc_wipe(s, strlen(s));
    free(s);
}

static void loader_clear(struct loader *ld)
{
    for (size_t i = 0; i < NKEYS; i++)
        free_str(ld->slots[i].value, keys[i].type == T_SECRET);
    for (size_t i = 0; i < ld->n_auth; i++) {
        free(ld->auth[i].id);
        free(ld->auth[i].public_key);
        free(ld->auth[i].algorithm);
    }
}

/* ------------------------------------------------------------------ */
/* Key lookup and suggestions                                           */

static const struct key *find_key(const char *name, size_t len)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strlen(keys[i].name) == len && memcmp(keys[i].name, name, len) == 0)
            return &keys[i];
    return NULL;
}

static bool is_section(const char *name)
{
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        if (strcmp(sections[i], name) == 0)
            return true;
    return false;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[NAME_BYTES + 1];
    if (la > NAME_BYTES || lb > NAME_BYTES)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* " (did you mean \"x\"?)" for a close known key, else "". */
static void suggest(char *out, size_t out_len, const char *name)
{
    const char *best = NULL;
    size_t best_d = 3; /* only suggest within two edits */
    out[0] = '\0';
    for (size_t i = 0; i < NKEYS; i++) {
        size_t d = edit_distance(name, keys[i].name);
        if (d < best_d) {
            best_d = d;
            best = keys[i].name;
        }
    }
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        size_t d = edit_distance(name, sections[i]);
        if (d < best_d) {
            best_d = d;
            best = sections[i];
        }
    }
    if (best != NULL)
        snprintf(out, out_len, " (did you mean \"%s\"?)", best);
}

/* MPCIUM_A_B_C (prefixed) or A_B_C for key a.b_c. */
static void env_name(char out[NAME_BYTES], const char *key, bool prefixed)
{
    size_t o = 0;
    if (prefixed) {
        memcpy(out, "MPCIUM_", 7);
        o = 7;
    }
    for (const char *c = key; *c && o + 1 < NAME_BYTES; c++)
        out[o++] = *c == '.'                  ? '_'
                   : (*c >= 'a' && *c <= 'z') ? (char)(*c - 'a' + 'A')
                                              : *c;
    out[o] = '\0';
}

/* ------------------------------------------------------------------ */
/* Setting values                                                       */

static mpc_err set_slot(struct loader *ld, const struct key *k,
                        const char *value, size_t len, enum layer layer,
                        const char *where)
{
    struct slot *s = &ld->slots[k - keys];
    if (memchr(value, '\0', len) != NULL)
        return fail(ld, MPC_ERR_PARSE, "%s: %s: value contains a NUL byte",
                    where, k->name);
    char *v = malloc(len + 1);
    if (v == NULL)
        return MPC_ERR_NOMEM;
    memcpy(v, value, len);
    v[len] = '\0';
    free_str(s->value, k->type == T_SECRET);
    s->value = v;
    s->layer = layer;
    snprintf(s->where, sizeof s->where, "%s", where);
    return MPC_OK;
}

static mpc_err set_ignored(struct loader *ld, const struct key *k,
                           const char *where)
{
    if (strcmp(k->name, "badger_password") == 0)
        return warn(ld,
                    "%s: badger_password is ignored: the keystore password "
                    "comes from --password-file, MPCIUM_DB_PASSWORD or "
                    "--prompt-credentials, never from the config file",
                    where);
    return warn(ld,
                "%s: %s is an mpcium setting that mpcium-node does not "
                "use; ignored",
                where, k->name);
}

/* ------------------------------------------------------------------ */
/* YAML                                                                 */

static const char *scalar(const yaml_node_t *n, size_t *len)
{
    *len = n->data.scalar.length;
    return (const char *)n->data.scalar.value;
}

static bool scalar_is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE ||
        n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *v = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    return len == 0 || (len == 1 && v[0] == '~') ||
           (len == 4 &&
            (memcmp(v, "null", 4) == 0 || memcmp(v, "Null", 4) == 0 ||
             memcmp(v, "NULL", 4) == 0));
}

static void where_line(struct loader *ld, char out[WHERE_BYTES],
                       const yaml_node_t *n)
{
    snprintf(out, WHERE_BYTES, "%s:%zu", ld->path,
             (size_t)n->start_mark.line + 1);
}

static mpc_err walk_mapping(struct loader *ld, yaml_document_t *doc,
                            const yaml_node_t *map, const char *prefix);

/* One field of an authorizer entry; must be a scalar. */
static mpc_err auth_field(struct loader *ld, char **dst, const char *id,
                          const char *field, const yaml_node_t *v)
{
    char where[WHERE_BYTES];
    size_t len;
    where_line(ld, where, v);
    if (v->type != YAML_SCALAR_NODE)
        return fail(ld, MPC_ERR_PARSE, "%s: %s.%s.%s: expected a string", where,
                    AUTH_KEYS, id, field);
    const char *s = scalar(v, &len);
    if (memchr(s, '\0', len) != NULL)
        return fail(ld, MPC_ERR_PARSE, "%s: %s.%s.%s: contains a NUL byte",
                    where, AUTH_KEYS, id, field);
    free(*dst);
    if ((*dst = strndup(s, len)) == NULL)
        return MPC_ERR_NOMEM;
    return MPC_OK;
}

static mpc_err check_duplicate(struct loader *ld, yaml_document_t *doc,
                               const yaml_node_t *map, yaml_node_pair_t *pair,
                               const char *prefix)
{
    const yaml_node_t *k = yaml_document_get_node(doc, pair->key);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < pair; p++) {
        const yaml_node_t *q = yaml_document_get_node(doc, p->key);
        if (q->type == YAML_SCALAR_NODE &&
            q->data.scalar.length == k->data.scalar.length &&
            memcmp(q->data.scalar.value, k->data.scalar.value,
                   k->data.scalar.length) == 0) {
            char where[WHERE_BYTES];
            where_line(ld, where, k);
            return fail(ld, MPC_ERR_CONFLICT,
                        "%s: %s%s%.*s: key given twice in one mapping "
                        "(first at line %zu)",
                        where, prefix, prefix[0] ? "." : "",
                        (int)k->data.scalar.length,
                        (const char *)k->data.scalar.value,
                        (size_t)q->start_mark.line + 1);
        }
    }
    return MPC_OK;
}

/* authorization.authorizer_public_keys: { <id>: {public_key, algorithm} } */
static mpc_err walk_authorizers(struct loader *ld, yaml_document_t *doc,
                                const yaml_node_t *map)
{
    char where[WHERE_BYTES];
    where_line(ld, where, map);
    if (scalar_is_null(map))
        return MPC_OK;
    if (map->type != YAML_MAPPING_NODE)
        return fail(ld, MPC_ERR_PARSE,
                    "%s: %s: expected a mapping of authorizer id to "
                    "{public_key, algorithm}",
                    where, AUTH_KEYS);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_document_get_node(doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(doc, p->value);
        where_line(ld, where, k);
        if (k->type != YAML_SCALAR_NODE)
            return fail(ld, MPC_ERR_PARSE, "%s: %s: keys must be strings",
                        where, AUTH_KEYS);
        mpc_err rc = check_duplicate(ld, doc, map, p, AUTH_KEYS);
        if (rc != MPC_OK)
            return rc;
        if (ld->n_auth == NODE_CONFIG_MAX_AUTHORIZERS)
            return fail(ld, MPC_ERR_PARSE, "%s: %s: more than %d authorizers",
                        where, AUTH_KEYS, NODE_CONFIG_MAX_AUTHORIZERS);
        struct auth_entry *e = &ld->auth[ld->n_auth++];
        size_t idlen;
        const char *id = scalar(k, &idlen);
        if ((e->id = strndup(id, idlen)) == NULL)
            return MPC_ERR_NOMEM;
        snprintf(e->where, sizeof e->where, "%s", where);
        if (v->type != YAML_MAPPING_NODE)
            return fail(ld, MPC_ERR_PARSE,
                        "%s: %s.%s: expected a mapping {public_key, "
                        "algorithm}",
                        where, AUTH_KEYS, e->id);
        char prefix[NAME_BYTES + NODE_NAME_MAX_BYTES];
        snprintf(prefix, sizeof prefix, "%s.%.64s", AUTH_KEYS, e->id);
        for (yaml_node_pair_t *q = v->data.mapping.pairs.start;
             q < v->data.mapping.pairs.top; q++) {
            const yaml_node_t *fk = yaml_document_get_node(doc, q->key);
            const yaml_node_t *fv = yaml_document_get_node(doc, q->value);
            size_t fl = 0;
            const char *f = "";
            if (fk->type == YAML_SCALAR_NODE) {
                f = scalar(fk, &fl);
                rc = check_duplicate(ld, doc, v, q, prefix);
                if (rc != MPC_OK)
                    return rc;
            }
            where_line(ld, where, fk);
            if (fl == 10 && memcmp(f, "public_key", 10) == 0)
                rc = auth_field(ld, &e->public_key, e->id, "public_key", fv);
            else if (fl == 9 && memcmp(f, "algorithm", 9) == 0)
                rc = auth_field(ld, &e->algorithm, e->id, "algorithm", fv);
            else
                rc = fail(ld, MPC_ERR_PARSE,
                          "%s: %s.%s.%.*s: unknown key (expected public_key "
                          "or algorithm)",
                          where, AUTH_KEYS, e->id, (int)fl, f);
            if (rc != MPC_OK)
                return rc;
        }
    }
    return MPC_OK;
}

/* A list key in YAML: a sequence of ids, joined with ',' for the slot. */
static mpc_err list_from_yaml(struct loader *ld, yaml_document_t *doc,
                              const struct key *k, const yaml_node_t *v,
                              const char *where)
{
    if (v->type == YAML_SCALAR_NODE) {
        size_t len;
        const char *s = scalar(v, &len);
        if (v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && len == 1 &&
            s[0] == '0') {
            /* mpcium's template says `required_authorizers: 0`. */
            mpc_err rc =
                warn(ld, "%s: %s: 0 read as an empty list", where, k->name);
            return rc != MPC_OK ? rc : set_slot(ld, k, "", 0, L_FILE, where);
        }
        return set_slot(ld, k, s, len, L_FILE, where);
    }
    if (v->type != YAML_SEQUENCE_NODE)
        return fail(ld, MPC_ERR_PARSE, "%s: %s: expected a list of ids", where,
                    k->name);
    size_t total = 0;
    yaml_node_item_t *it;
    for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        const yaml_node_t *e = yaml_document_get_node(doc, *it);
        if (e->type != YAML_SCALAR_NODE)
            return fail(ld, MPC_ERR_PARSE, "%s: %s: list items must be strings",
                        where, k->name);
        if (memchr(e->data.scalar.value, ',', e->data.scalar.length))
            return fail(ld, MPC_ERR_PARSE,
                        "%s: %s: \"%.*s\" is not an authorizer id", where,
                        k->name, (int)e->data.scalar.length,
                        (const char *)e->data.scalar.value);
        total += e->data.scalar.length + 1;
    }
    char *joined = malloc(total + 1);
    if (joined == NULL)
        return MPC_ERR_NOMEM;
    size_t o = 0;
    for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        const yaml_node_t *e = yaml_document_get_node(doc, *it);
        if (o > 0)
            joined[o++] = ',';
        memcpy(joined + o, e->data.scalar.value, e->data.scalar.length);
        o += e->data.scalar.length;
    }
    joined[o] = '\0';
    mpc_err rc = set_slot(ld, k, joined, o, L_FILE, where);
    free(joined);
    return rc;
}

static mpc_err walk_value(struct loader *ld, yaml_document_t *doc,
                          const char *full, const yaml_node_t *v,
                          const char *where)
{
    for (size_t i = 0; i < sizeof ignored_trees / sizeof ignored_trees[0];
         i++) {
        if (strcmp(full, ignored_trees[i].name) != 0)
            continue;
        if (ld->warned_tree[i])
            return MPC_OK;
        ld->warned_tree[i] = true;
        return warn(ld, "%s: %s.* ignored: %s", where, full,
                    ignored_trees[i].why);
    }
    if (strcmp(full, AUTH_KEYS) == 0)
        return walk_authorizers(ld, doc, v);
    if (strcmp(full, AUTH_LEGACY) == 0) {
        if (scalar_is_null(v) ||
            (v->type == YAML_MAPPING_NODE &&
             v->data.mapping.pairs.start == v->data.mapping.pairs.top))
            return MPC_OK;
        return fail(ld, MPC_ERR_PARSE,
                    "%s: %s: the legacy authorizer list is not supported; "
                    "move each entry to %s.<id> with public_key and "
                    "algorithm",
                    where, AUTH_LEGACY, AUTH_KEYS);
    }
    if (is_section(full)) {
        if (scalar_is_null(v))
            return MPC_OK;
        if (v->type != YAML_MAPPING_NODE)
            return fail(ld, MPC_ERR_PARSE, "%s: %s: expected a mapping", where,
                        full);
        return walk_mapping(ld, doc, v, full);
    }
    const struct key *k = find_key(full, strlen(full));
    if (k == NULL) {
        char hint[NAME_BYTES + 32];
        suggest(hint, sizeof hint, full);
        return fail(ld, MPC_ERR_PARSE, "%s: %s: unknown key%s", where, full,
                    hint);
    }
    if (k->type == T_IGNORED)
        return set_ignored(ld, k, where);
    if (k->type == T_LIST)
        return list_from_yaml(ld, doc, k, v, where);
    if (v->type != YAML_SCALAR_NODE)
        return fail(ld, MPC_ERR_PARSE,
                    "%s: %s: expected a single value, got a %s", where, k->name,
                    v->type == YAML_MAPPING_NODE ? "mapping" : "list");
    if (scalar_is_null(v))
        return MPC_OK;
    size_t len;
    const char *s = scalar(v, &len);
    return set_slot(ld, k, s, len, L_FILE, where);
}

static mpc_err walk_mapping(struct loader *ld, yaml_document_t *doc,
                            const yaml_node_t *map, const char *prefix)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_document_get_node(doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(doc, p->value);
        char where[WHERE_BYTES], full[NAME_BYTES];
        where_line(ld, where, k);
        if (k->type != YAML_SCALAR_NODE)
            return fail(ld, MPC_ERR_PARSE, "%s: keys must be strings", where);
        mpc_err rc = check_duplicate(ld, doc, map, p, prefix);
        if (rc != MPC_OK)
            return rc;
        size_t len;
        const char *name = scalar(k, &len);
        int n = snprintf(full, sizeof full, "%s%s%.*s", prefix,
                         prefix[0] ? "." : "", (int)len, name);
        if (n < 0 || (size_t)n >= sizeof full || memchr(name, '\0', len))
            return fail(ld, MPC_ERR_PARSE, "%s: unknown key \"%.60s...\"",
                        where, full);
        rc = walk_value(ld, doc, full, v, where);
        if (rc != MPC_OK)
            return rc;
    }
    return MPC_OK;
}

static mpc_err read_text(struct loader *ld, const char *path, char **out,
                         size_t *out_len)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(ld, errno == ENOENT ? MPC_ERR_NOT_FOUND : MPC_ERR_IO,
                    "config file %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size > FILE_MAX) {
        close(fd);
        return fail(ld, MPC_ERR_IO,
                    "config file %s: not a regular file of at most %u bytes",
                    path, FILE_MAX);
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        close(fd);
        return MPC_ERR_NOMEM;
    }
    size_t n = 0;
    while (n < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return MPC_OK;
}

/* libyaml frees without wiping; the document may hold nats.password. */
static void wipe_document(yaml_document_t *doc)
{
    for (yaml_node_t *n = doc->nodes.start; n < doc->nodes.top; n++)
        if (n->type == YAML_SCALAR_NODE)
            mpc_wipe(n->data.scalar.value, n->data.scalar.length);
}

static mpc_err load_file(struct loader *ld, const char *path)
{
    char *text = NULL;
    size_t len = 0;
    yaml_parser_t parser;
    yaml_document_t doc, extra;
    mpc_err rc = read_text(ld, path, &text, &len);
    if (rc != MPC_OK)
        return rc;
    ld->path = path;
    if (!yaml_parser_initialize(&parser)) {
        free(text);
        return MPC_ERR_NOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        rc = fail(ld, MPC_ERR_PARSE, "%s:%zu:%zu: YAML syntax error: %s%s%s",
                  path, (size_t)parser.problem_mark.line + 1,
                  (size_t)parser.problem_mark.column + 1,
                  parser.problem ? parser.problem : "malformed",
                  parser.context ? " " : "",
                  parser.context ? parser.context : "");
        goto out_parser;
    }
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root != NULL && !scalar_is_null(root)) {
        if (root->type != YAML_MAPPING_NODE)
            rc =
                fail(ld, MPC_ERR_PARSE, "%s: expected a mapping of keys", path);
        else
            rc = walk_mapping(ld, &doc, root, "");
    }
    if (rc == MPC_OK) {
        /* One document only: a second would be silently ignored. */
        if (!yaml_parser_load(&parser, &extra)) {
            rc = fail(ld, MPC_ERR_PARSE, "%s:%zu: YAML syntax error: %s", path,
                      (size_t)parser.problem_mark.line + 1,
                      parser.problem ? parser.problem : "malformed");
        } else {
            if (yaml_document_get_root_node(&extra) != NULL)
                rc = fail(ld, MPC_ERR_PARSE, "%s: more than one YAML document",
                          path);
            yaml_document_delete(&extra);
        }
    }
    wipe_document(&doc);
    yaml_document_delete(&doc);
out_parser:
    yaml_parser_delete(&parser);
    mpc_wipe(text, len); /* may hold nats.password */
    free(text);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Environment and flags                                                */

static const char *env_get(const char *const *envp, const char *name)
{
    size_t n = strlen(name);
    for (; envp != NULL && *envp != NULL; envp++)
        if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
            return *envp + n + 1;
    return NULL;
}

/* Variables of ours that are not configuration keys. */
static const char *const env_reserved[] = {
    "MPCIUM_DB_PASSWORD",
    "MPCIUM_IDENTITY_PASSWORD",
};

static mpc_err load_env(struct loader *ld, const char *const *envp)
{
    char name[NAME_BYTES], where[WHERE_BYTES];
    mpc_err rc = MPC_OK;
    for (size_t i = 0; i < NKEYS && rc == MPC_OK; i++) {
        const struct key *k = &keys[i];
        if (k->type == T_IGNORED)
            continue;
        env_name(name, k->name, true);
        const char *v = env_get(envp, name);
        if ((v == NULL || v[0] == '\0') && (k->flags & F_MPCIUM)) {
            env_name(name, k->name, false);
            v = env_get(envp, name);
        }
        if (v == NULL || v[0] == '\0') /* viper: empty means unset */
            continue;
        snprintf(where, sizeof where, "environment variable %s", name);
        rc = set_slot(ld, k, v, strlen(v), L_ENV, where);
    }
    /* A misspelt MPCIUM_ variable would otherwise do nothing. */
    for (; rc == MPC_OK && envp != NULL && *envp != NULL; envp++) {
        const char *e = *envp;
        const char *eq = strchr(e, '=');
        if (strncmp(e, "MPCIUM_", 7) != 0 || eq == NULL)
            continue;
        bool known = false;
        for (size_t i = 0; i < NKEYS && !known; i++) {
            env_name(name, keys[i].name, true);
            known = strlen(name) == (size_t)(eq - e) &&
                    memcmp(name, e, (size_t)(eq - e)) == 0;
        }
        for (size_t i = 0;
             i < sizeof env_reserved / sizeof env_reserved[0] && !known; i++)
            known = strlen(env_reserved[i]) == (size_t)(eq - e) &&
                    memcmp(env_reserved[i], e, (size_t)(eq - e)) == 0;
        if (!known)
            rc = warn(ld,
                      "environment variable %.*s is not a setting; "
                      "ignored",
                      (int)(eq - e), e);
    }
    return rc;
}

static mpc_err load_flags(struct loader *ld, const node_config_args *args)
{
    char where[WHERE_BYTES];
    for (size_t i = 0; i < args->n_overrides; i++) {
        const node_config_override *o = &args->overrides[i];
        const struct key *k = find_key(o->key, o->key_len);
        snprintf(where, sizeof where, "flag %s", o->flag);
        if (k == NULL || k->type == T_IGNORED) {
            char hint[NAME_BYTES + 32] = "";
            char name[NAME_BYTES];
            snprintf(name, sizeof name, "%.*s", (int)o->key_len, o->key);
            if (k == NULL)
                suggest(hint, sizeof hint, name);
            return fail(ld, MPC_ERR_PARSE, "%s: %s: %s%s", where, name,
                        k == NULL ? "unknown key" : "not used by mpcium-node",
                        hint);
        }
        mpc_err rc = set_slot(ld, k, o->value, strlen(o->value), L_FLAG, where);
        if (rc != MPC_OK)
            return rc;
    }
    return MPC_OK;
}

/* ------------------------------------------------------------------ */
/* Turning values into settings                                         */

static bool parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
    unsigned long long v = 0;
    if (*s == '\0')
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (unsigned)(*s - '0');
        if (v > max)
            return false;
    }
    if (v < min)
        return false;
    *out = (unsigned)v;
    return true;
}

static bool parse_bool(const char *s, bool *out)
{
    if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)
        *out = true;
    else if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0)
        *out = false;
    else
        return false;
    return true;
}

static bool has_ctl(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static bool valid_port(const char *s)
{
    unsigned port;
    return parse_uint(s, 1, 65535, &port);
}

static bool valid_hostport(const char *s)
{
    const char *colon = strrchr(s, ':');
    if (colon == NULL || !valid_port(colon + 1) || has_ctl(s) ||
        strchr(s, ' ') != NULL)
        return false;
    if (s[0] == '[')
        return colon > s + 1 && colon[-1] == ']';
    return memchr(s, ':', (size_t)(colon - s)) == NULL;
}

/* Comma-separated nats:// or tls:// URLs, each with a host. */
static bool valid_nats_urls(const char *s)
{
    if (has_ctl(s) || strchr(s, ' ') != NULL)
        return false;
    while (*s) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        size_t skip = 0;
        if (len > 7 && memcmp(s, "nats://", 7) == 0)
            skip = 7;
        else if (len > 6 && memcmp(s, "tls://", 6) == 0)
            skip = 6;
        if (skip == 0 || s[skip] == '/' || s[skip] == ',' || s[skip] == ':')
            return false;
        if (end == NULL)
            break;
        s = end + 1;
        if (*s == '\0')
            return false;
    }
    return true;
}

static bool authorizer_id_valid(const char *id, size_t len)
{
    if (len == 0 || len > NODE_NAME_MAX_BYTES)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = id[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
              (c >= 'A' && c <= 'Z') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* The text for a message: never a secret, at most 60 characters. */
static void shown(char out[80], const struct key *k, const char *v)
{
    if (k->type == T_SECRET)
        snprintf(out, 80, "(hidden)");
    else
        snprintf(out, 80, "\"%.60s%s\"", v, strlen(v) > 60 ? "..." : "");
}

static mpc_err required_missing(struct loader *ld, const struct key *k)
{
    char env[NAME_BYTES];
    env_name(env, k->name, true);
    return fail(ld, MPC_ERR_INVALID_ARG,
                "%s is required: set it in the config file, with %s or with "
                "%s%s%s",
                k->name, env, k->flag ? k->flag : "--set ",
                k->flag ? "" : k->name, k->flag ? "" : "=...");
}

static const char *expected(const struct key *k, char buf[96])
{
    switch (k->type) {
    case T_BOOL:
        return "true or false";
    case T_UINT:
    case T_SIGNERS:
    case T_TSS_T:
        snprintf(buf, 96, "an integer from %u to %u", k->min, k->max);
        return buf;
    case T_ENV:
        return "production or development";
    case T_LOG:
        return "debug, info, warn or error";
    case T_ALG:
        return "ed25519 or p256";
    case T_HEX32:
        return "64 hex digits (32 bytes; e.g. from `openssl rand -hex 32`)";
    case T_NAME:
        return "a node name (1-64 of A-Z a-z 0-9 _ . -, starting with a "
               "letter or digit)";
    case T_NATS_URL:
        return "nats://host:port or tls://host:port (comma-separated for "
               "several servers)";
    case T_HOSTPORT:
        return "host:port with a port from 1 to 65535";
    default:
        return "a string without control characters";
    }
}

/* Parses one scalar setting into the config. */
static mpc_err apply(struct loader *ld, const struct key *k, const char *v,
                     const char *where)
{
    node_config *cfg = ld->cfg;
    uint8_t *field = (uint8_t *)cfg + k->off;
    bool ok = true;
    switch (k->type) {
    case T_STR:
    case T_SECRET:
    case T_NAME:
    case T_NATS_URL:
    case T_HOSTPORT:
        ok = !has_ctl(v) && (k->type != T_NAME || node_name_is_valid(v)) &&
             (k->type != T_NATS_URL || valid_nats_urls(v)) &&
             (k->type != T_HOSTPORT || valid_hostport(v));
        if (ok) {
            char **dst = (char **)(void *)field;
            if ((*dst = strdup(v)) == NULL)
                return MPC_ERR_NOMEM;
        }
        break;
    case T_BOOL:
        ok = parse_bool(v, (bool *)(void *)field);
        break;
    case T_UINT:
        ok = parse_uint(v, k->min, k->max, (unsigned *)(void *)field);
        break;
    case T_ENV:
        ok = strcmp(v, "production") == 0 || strcmp(v, "development") == 0;
        cfg->environment =
            v[0] == 'p' ? NODE_ENV_PRODUCTION : NODE_ENV_DEVELOPMENT;
        break;
    case T_LOG: {
        static const char *const names[] = {"debug", "info", "warn", "error"};
        ok = false;
        for (int i = 0; i < 4 && !ok; i++)
            if (strcmp(v, names[i]) == 0) {
                cfg->log_level = (node_config_log_level)(i + 1);
                ok = true;
            }
        break;
    }
    case T_HEX32: {
        size_t got = 0;
        const char *end = NULL;
        ok = strlen(v) == 2 * NODE_CHAIN_CODE_BYTES &&
             sodium_hex2bin(field, NODE_CHAIN_CODE_BYTES, v, strlen(v), NULL,
                            &got, &end) == 0 &&
             got == NODE_CHAIN_CODE_BYTES && *end == '\0';
        if (!ok)
            memset(field, 0, NODE_CHAIN_CODE_BYTES);
        break;
    }
    default:
        return fail(ld, MPC_ERR_INTERNAL, "%s: unhandled type", k->name);
    }
    if (ok)
        return MPC_OK;
    char buf[96], val[80];
    shown(val, k, v);
    return fail(ld, MPC_ERR_PARSE, "%s: %s: expected %s, got %s", where,
                k->name, expected(k, buf), val);
}

static const struct key *key_named(const char *name)
{
    return find_key(name, strlen(name));
}

static struct slot *slot_of(struct loader *ld, const char *name)
{
    return &ld->slots[key_named(name) - keys];
}

/* threshold / mpc_threshold: see the top of config.h. */
static mpc_err apply_threshold(struct loader *ld)
{
    const struct key *ks = key_named("threshold");
    const struct key *kt = key_named("mpc_threshold");
    struct slot *s = slot_of(ld, "threshold");
    struct slot *t = slot_of(ld, "mpc_threshold");
    bool has_s = s->value != NULL && s->value[0] != '\0';
    bool has_t = t->value != NULL && t->value[0] != '\0';
    unsigned signers = 0, tss_t = 0;
    char buf[96], val[80];
    if (!has_s && !has_t)
        return fail(ld, MPC_ERR_INVALID_ARG,
                    "threshold is required: the number of signers, as "
                    "threshold: N or mpcium's mpc_threshold: N-1 (config "
                    "file, MPCIUM_THRESHOLD or MPC_THRESHOLD)");
    if (has_s && !parse_uint(s->value, ks->min, ks->max, &signers)) {
        shown(val, ks, s->value);
        return fail(ld, MPC_ERR_PARSE,
                    "%s: threshold: expected %s (the number of signers), got "
                    "%s",
                    s->where, expected(ks, buf), val);
    }
    if (has_t && !parse_uint(t->value, kt->min, kt->max, &tss_t)) {
        shown(val, kt, t->value);
        return fail(ld, MPC_ERR_PARSE,
                    "%s: mpc_threshold: expected %s (signers - 1), got %s",
                    t->where, expected(kt, buf), val);
    }
    if (has_s && has_t && s->layer == t->layer && signers != tss_t + 1)
        return fail(ld, MPC_ERR_CONFLICT,
                    "threshold: %u signers (%s) contradicts mpc_threshold: "
                    "%u (%s), which means %u signers; mpc_threshold counts "
                    "signers - 1: remove one of them",
                    signers, s->where, tss_t, t->where, tss_t + 1);
    if (has_s && (!has_t || s->layer >= t->layer))
        ld->cfg->threshold = signers;
    else
        ld->cfg->threshold = tss_t + 1;
    return MPC_OK;
}

static mpc_err apply_initiator(struct loader *ld)
{
    const struct key *kp = key_named("event_initiator_pubkey");
    const struct key *ka = key_named("event_initiator_algorithm");
    struct slot *p = slot_of(ld, kp->name);
    struct slot *a = slot_of(ld, ka->name);
    const char *alg_text = a->value && a->value[0] ? a->value : ka->dflt;
    node_key_alg alg;
    char why[256], buf[96], val[80];
    if (node_key_alg_parse(&alg, alg_text) != MPC_OK) {
        shown(val, ka, alg_text);
        return fail(ld, MPC_ERR_PARSE, "%s: %s: expected %s, got %s", a->where,
                    ka->name, expected(ka, buf), val);
    }
    if (p->value == NULL || p->value[0] == '\0')
        return required_missing(ld, kp);
    if (node_pubkey_parse(&ld->cfg->event_initiator, alg, p->value, why,
                          sizeof why) != MPC_OK)
        return fail(ld, MPC_ERR_PARSE, "%s: %s: not a valid %s public key: %s",
                    p->where, kp->name, node_key_alg_name(alg), why);
    return MPC_OK;
}

/* Splits "a,b , c" into ids. */
static mpc_err apply_required(struct loader *ld)
{
    struct slot *s = slot_of(ld, "authorization.required_authorizers");
    node_config *cfg = ld->cfg;
    if (s->value == NULL)
        return MPC_OK;
    size_t cap = 1;
    for (const char *c = s->value; *c; c++)
        cap += *c == ',';
    cfg->required_authorizers = calloc(cap, sizeof(char *));
    if (cfg->required_authorizers == NULL)
        return MPC_ERR_NOMEM;
    const char *p = s->value;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *b = p, *e = p + len;
        while (b < e && (*b == ' ' || *b == '\t'))
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (!authorizer_id_valid(b, (size_t)(e - b)))
            return fail(ld, MPC_ERR_PARSE,
                        "%s: authorization.required_authorizers: \"%.*s\" is "
                        "not an authorizer id (1-64 of A-Z a-z 0-9 _ -)",
                        s->where, (int)(e - b), b);
        for (size_t i = 0; i < cfg->n_required_authorizers; i++)
            if (strlen(cfg->required_authorizers[i]) == (size_t)(e - b) &&
                memcmp(cfg->required_authorizers[i], b, (size_t)(e - b)) == 0)
                return fail(ld, MPC_ERR_CONFLICT,
                            "%s: authorization.required_authorizers: \"%.*s\" "
                            "listed twice",
                            s->where, (int)(e - b), b);
        char *id = strndup(b, (size_t)(e - b));
        if (id == NULL)
            return MPC_ERR_NOMEM;
        cfg->required_authorizers[cfg->n_required_authorizers++] = id;
        if (end == NULL)
            break;
        p = end + 1;
    }
    return MPC_OK;
}

static mpc_err apply_authorizers(struct loader *ld)
{
    node_config *cfg = ld->cfg;
    char why[256];
    if (ld->n_auth == 0)
        return MPC_OK;
    cfg->authorizers = calloc(ld->n_auth, sizeof *cfg->authorizers);
    if (cfg->authorizers == NULL)
        return MPC_ERR_NOMEM;
    for (size_t i = 0; i < ld->n_auth; i++) {
        struct auth_entry *e = &ld->auth[i];
        node_config_authorizer *a = &cfg->authorizers[i];
        node_key_alg alg = NODE_KEY_ALG_ED25519;
        if (!authorizer_id_valid(e->id, strlen(e->id)))
            return fail(ld, MPC_ERR_PARSE,
                        "%s: %s: \"%.60s\" is not an authorizer id (1-64 of "
                        "A-Z a-z 0-9 _ -)",
                        e->where, AUTH_KEYS, e->id);
        if (e->algorithm != NULL && e->algorithm[0] != '\0' &&
            node_key_alg_parse(&alg, e->algorithm) != MPC_OK)
            return fail(ld, MPC_ERR_PARSE,
                        "%s: %s.%s.algorithm: expected ed25519 or p256, got "
                        "\"%.60s\"",
                        e->where, AUTH_KEYS, e->id, e->algorithm);
        if (e->public_key == NULL || e->public_key[0] == '\0')
            return fail(ld, MPC_ERR_INVALID_ARG,
                        "%s: %s.%s.public_key is required", e->where, AUTH_KEYS,
                        e->id);
        if (node_pubkey_parse(&a->key, alg, e->public_key, why, sizeof why) !=
            MPC_OK)
            return fail(ld, MPC_ERR_PARSE,
                        "%s: %s.%s.public_key: not a valid %s public key: %s",
                        e->where, AUTH_KEYS, e->id, node_key_alg_name(alg),
                        why);
        a->id = e->id;
        e->id = NULL;
        cfg->n_authorizers++;
    }
    return MPC_OK;
}

static mpc_err check_authorization(struct loader *ld)
{
    node_config *cfg = ld->cfg;
    if (!cfg->authorization_enabled) {
        if (cfg->n_required_authorizers > 0)
            return warn(ld, "authorization.required_authorizers is ignored: "
                            "authorization.enabled is false");
        return MPC_OK;
    }
    for (size_t i = 0; i < cfg->n_required_authorizers; i++)
        if (node_config_find_authorizer(cfg, cfg->required_authorizers[i]) ==
            NULL)
            return fail(ld, MPC_ERR_INVALID_ARG,
                        "authorization.required_authorizers: \"%s\" has no "
                        "entry in %s",
                        cfg->required_authorizers[i], AUTH_KEYS);
    if (cfg->n_authorizers == 0)
        return warn(ld, "authorization.enabled is true but no authorizer "
                        "keys are configured: requests without authorizer "
                        "signatures are accepted");
    return MPC_OK;
}

static mpc_err default_path(char **dst, const char *path)
{
    if (*dst != NULL)
        return MPC_OK;
    *dst = strdup(path);
    return *dst ? MPC_OK : MPC_ERR_NOMEM;
}

static mpc_err check_nats(struct loader *ld)
{
    node_config *cfg = ld->cfg;
    int methods = (cfg->nats_username || cfg->nats_password) +
                  (cfg->nats_creds_file != NULL) +
                  (cfg->nats_nkey || cfg->nats_nkey_seed_file);
    if (methods > 1)
        return fail(ld, MPC_ERR_CONFLICT,
                    "nats: choose one authentication method: "
                    "nats.username/nats.password, nats.creds_file or "
                    "nats.nkey/nats.nkey_seed_file");
    if (cfg->nats_password && !cfg->nats_username)
        return fail(ld, MPC_ERR_INVALID_ARG,
                    "nats.password is set but nats.username is not");
    if (!cfg->nats_nkey != !cfg->nats_nkey_seed_file)
        return fail(ld, MPC_ERR_INVALID_ARG,
                    "nats.nkey and nats.nkey_seed_file must be set together");
    /* mpcium's production mode uses client certificates from ./certs unless
     * told otherwise; so do we. */
    if (cfg->environment == NODE_ENV_PRODUCTION) {
        mpc_err rc =
            default_path(&cfg->nats_tls_client_cert, "./certs/client-cert.pem");
        if (rc == MPC_OK)
            rc = default_path(&cfg->nats_tls_client_key,
                              "./certs/client-key.pem");
        if (rc == MPC_OK)
            rc = default_path(&cfg->nats_tls_ca_cert, "./certs/rootCA.pem");
        if (rc != MPC_OK)
            return rc;
    }
    if (!cfg->nats_tls_client_cert != !cfg->nats_tls_client_key)
        return fail(ld, MPC_ERR_INVALID_ARG,
                    "nats.tls.client_cert and nats.tls.client_key must be set "
                    "together");
    return MPC_OK;
}

/* A known Paillier set; fixture primes are public: never in production,
 * loudly elsewhere. */
static mpc_err check_fixtures(struct loader *ld)
{
    node_config *cfg = ld->cfg;
    static const mpc_params_id sets[] = {MPC_PARAMS_COMPAT, MPC_PARAMS_128};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        if (cfg->paillier_params != NULL &&
            strcmp(cfg->paillier_params, mpc_params_get(sets[i])->name) == 0)
            cfg->paillier_params_id = sets[i];
    if (cfg->paillier_params_id == 0)
        return fail(ld, MPC_ERR_PARSE,
                    "paillier_params: \"%s\": expected compat-2048 or "
                    "128-3072",
                    cfg->paillier_params != NULL ? cfg->paillier_params : "");
    if (cfg->test_paillier_fixtures_file == NULL)
        return MPC_OK;
    if (cfg->environment == NODE_ENV_PRODUCTION)
        return fail(ld, MPC_ERR_INVALID_ARG,
                    "test_paillier_fixtures: test-only (public primes), "
                    "refused with environment: production");
    return warn(ld,
                "test_paillier_fixtures: Paillier primes come from the "
                "public test file %s (index %u): never use this node for "
                "real keys",
                cfg->test_paillier_fixtures_file,
                cfg->test_paillier_fixtures_index);
}

static mpc_err finalize(struct loader *ld)
{
    mpc_err rc = MPC_OK;
    for (size_t i = 0; i < NKEYS && rc == MPC_OK; i++) {
        const struct key *k = &keys[i];
        const struct slot *s = &ld->slots[i];
        const char *v = s->value && s->value[0] ? s->value : k->dflt;
        switch (k->type) {
        case T_IGNORED:
        case T_SIGNERS:
        case T_TSS_T:
        case T_PUBKEY:
        case T_ALG:
        case T_LIST:
            continue; /* below */
        default:
            break;
        }
        if (v == NULL) {
            if (k->flags & F_REQUIRED)
                rc = required_missing(ld, k);
            continue;
        }
        rc = apply(ld, k, v, s->value && s->value[0] ? s->where : "default");
    }
    if (rc == MPC_OK)
        rc = apply_threshold(ld);
    if (rc == MPC_OK)
        rc = apply_initiator(ld);
    if (rc == MPC_OK)
        rc = apply_required(ld);
    if (rc == MPC_OK)
        rc = apply_authorizers(ld);
    if (rc == MPC_OK)
        rc = check_authorization(ld);
    if (rc == MPC_OK)
        rc = check_nats(ld);
    if (rc == MPC_OK)
        rc = check_fixtures(ld);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Public API                                                           */

static mpc_err find_config(struct loader *ld, const char *const *envp,
                           char **out)
{
    char home_path[4096];
    const char *home = env_get(envp, "HOME");
    const char *cands[3] = {"config.yaml", "/etc/mpcium/config.yaml", NULL};
    if (home != NULL && home[0] != '\0') {
        snprintf(home_path, sizeof home_path, "%s/.mpcium/config.yaml", home);
        cands[2] = home_path;
    }
    for (size_t i = 0; i < 3; i++) {
        if (cands[i] != NULL && access(cands[i], F_OK) == 0) {
            *out = strdup(cands[i]);
            return *out ? MPC_OK : MPC_ERR_NOMEM;
        }
    }
    return fail(ld, MPC_ERR_NOT_FOUND,
                "no config file: looked for ./config.yaml, "
                "/etc/mpcium/config.yaml and $HOME/.mpcium/config.yaml; pass "
                "--config PATH");
}

mpc_err node_config_load(node_config **out, const node_config_args *args,
                         const char *const *envp, char *err, size_t err_len)
{
    struct loader *ld = calloc(1, sizeof *ld);
    mpc_err rc;
    *out = NULL;
    if (err != NULL && err_len > 0)
        err[0] = '\0';
    if (ld == NULL)
        return MPC_ERR_NOMEM;
    ld->err = err;
    ld->err_len = err_len;
    ld->cfg = calloc(1, sizeof *ld->cfg);
    if (ld->cfg == NULL) {
        free(ld);
        return MPC_ERR_NOMEM;
    }
    if (args != NULL && args->config_path != NULL) {
        ld->cfg->config_path = strdup(args->config_path);
        rc = ld->cfg->config_path ? MPC_OK : MPC_ERR_NOMEM;
    } else {
        rc = find_config(ld, envp, &ld->cfg->config_path);
    }
    if (rc == MPC_OK)
        rc = load_file(ld, ld->cfg->config_path);
    if (rc == MPC_OK)
        rc = load_env(ld, envp);
    if (rc == MPC_OK && args != NULL)
        rc = load_flags(ld, args);
    if (rc == MPC_OK)
        rc = finalize(ld);
    loader_clear(ld);
    if (rc == MPC_OK)
        *out = ld->cfg;
    else
        node_config_free(ld->cfg);
    free(ld);
    return rc;
}

const node_config_authorizer *
node_config_find_authorizer(const node_config *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->n_authorizers; i++)
        if (strcmp(cfg->authorizers[i].id, id) == 0)
            return &cfg->authorizers[i];
    return NULL;
}

mpc_err node_config_check_peers(const node_config *cfg, size_t n_peers,
                                char *err, size_t err_len)
{
    if (cfg->threshold <= n_peers)
        return MPC_OK;
    if (err != NULL && err_len > 0)
        snprintf(err, err_len,
                 "threshold: %u signers, but the peers file lists only %zu "
                 "nodes",
                 cfg->threshold, n_peers);
    return MPC_ERR_INVALID_ARG;
}

void node_config_free(node_config *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < NKEYS; i++) {
        switch (keys[i].type) {
        case T_STR:
        case T_SECRET:
        case T_NAME:
        case T_NATS_URL:
        case T_HOSTPORT:
            free_str(*(char **)(void *)((uint8_t *)cfg + keys[i].off),
                     keys[i].type == T_SECRET);
            break;
        default:
            break;
        }
    }
    for (size_t i = 0; i < cfg->n_required_authorizers; i++)
        free(cfg->required_authorizers[i]);
    free(cfg->required_authorizers);
    for (size_t i = 0; i < cfg->n_authorizers; i++)
        free(cfg->authorizers[i].id);
    free(cfg->authorizers);
    for (size_t i = 0; i < cfg->n_warnings; i++)
        free(cfg->warnings[i]);
    free(cfg->warnings);
    free(cfg->config_path);
    mpc_wipe(cfg, sizeof *cfg);
    free(cfg);
}

/* ------------------------------------------------------------------ */
/* Command line                                                         */

static const struct flag {
    const char *name;
    char short_name;
    const char *key;   /* NULL: --config, --set, --help */
    const char *fixed; /* value of a flag that takes none */
} flags[] = {
    {"config", 'c', NULL, NULL},
    {"set", 0, NULL, NULL},
    {"help", 'h', NULL, "true"},
    {"name", 'n', "node_name", NULL},
    {"peers", 0, "peers_file", NULL},
    {"identity-dir", 0, "identity_dir", NULL},
    {"db-path", 0, "db_path", NULL},
    {"password-file", 'f', "password_file", NULL},
    {"prompt-credentials", 'p', "prompt_credentials", "true"},
    {"decrypt-private-key", 'd', "decrypt_private_key", "true"},
    {"identity-password-file", 'k', "identity_password_file", NULL},
    {"debug", 0, "log_level", "debug"},
};

const char *node_config_flags_help(void)
{
    return "  -c, --config PATH        config file (default: ./config.yaml, "
           "/etc/mpcium/config.yaml,\n"
           "                           $HOME/.mpcium/config.yaml)\n"
           "  -n, --name NAME          this node's name in the peers file\n"
           "      --peers PATH         peers file (default peers.json)\n"
           "      --identity-dir DIR   identity files (default identity)\n"
           "      --db-path DIR        keystore base directory (default "
           "./db)\n"
           "  -f, --password-file PATH keystore password file\n"
           "  -p, --prompt-credentials ask for the keystore password\n"
           "  -d, --decrypt-private-key use the sealed identity key "
           "(<name>_private.key.enc)\n"
           "  -k, --identity-password-file PATH  its password\n"
           "      --debug              log_level=debug\n"
           "      --set KEY=VALUE      any other setting, e.g. --set "
           "nats.url=tls://nats:4222\n"
           "  -h, --help               this text\n";
}

static const struct flag *match_flag(const char *arg, const char **inline_val)
{
    *inline_val = NULL;
    if (arg[0] == '-' && arg[1] == '-') {
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
            if (strlen(flags[i].name) == len &&
                memcmp(flags[i].name, name, len) == 0) {
                *inline_val = eq ? eq + 1 : NULL;
                return &flags[i];
            }
        return NULL;
    }
    if (arg[0] == '-' && arg[1] != '\0' && arg[2] == '\0')
        for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
            if (flags[i].short_name == arg[1])
                return &flags[i];
    return NULL;
}

__attribute__((format(printf, 4, 5))) static mpc_err
args_fail(node_config_args *out, char *err, size_t err_len, const char *fmt,
          ...)
{
    memset(out, 0, sizeof *out);
    if (err != NULL && err_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_len, fmt, ap);
        va_end(ap);
    }
    return MPC_ERR_INVALID_ARG;
}

mpc_err node_config_args_parse(node_config_args *out, int argc,
                               char *const argv[], char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    if (err != NULL && err_len > 0)
        err[0] = '\0';
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = NULL;
        const struct flag *f = match_flag(arg, &val);
        if (f == NULL && arg[0] == '-')
            return args_fail(out, err, err_len, "unknown flag %s (see --help)",
                             arg);
        if (f == NULL)
            return args_fail(out, err, err_len, "unexpected argument \"%s\"",
                             arg);
        if (f->fixed != NULL && val != NULL)
            return args_fail(out, err, err_len, "flag %s takes no value", arg);
        if (f->fixed == NULL && val == NULL) {
            if (i + 1 >= argc)
                return args_fail(out, err, err_len, "flag %s needs a value",
                                 arg);
            val = argv[++i];
        }
        if (strcmp(f->name, "help") == 0) {
            out->help = true;
            continue;
        }
        if (strcmp(f->name, "config") == 0) {
            out->config_path = val;
            continue;
        }
        if (out->n_overrides == NODE_CONFIG_MAX_OVERRIDES)
            return args_fail(out, err, err_len, "too many flags (at %s)", arg);
        node_config_override *o = &out->overrides[out->n_overrides++];
        o->flag = arg;
        if (f->key != NULL) {
            o->key = f->key;
            o->key_len = strlen(f->key);
            o->value = f->fixed ? f->fixed : val;
            continue;
        }
        const char *eq = strchr(val, '=');
        if (eq == NULL || eq == val)
            return args_fail(out, err, err_len,
                             "--set needs KEY=VALUE, got \"%s\"", val);
        o->key = val;
        o->key_len = (size_t)(eq - val);
        o->value = eq + 1;
    }
    return MPC_OK;
}
