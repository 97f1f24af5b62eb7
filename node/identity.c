/* node/identity.c — node identities, the peers file, initiator keys. */
#include "node/identity.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "mpc/mem.h"

/* Identity and peers files are small; anything larger is not ours. */
#define JSON_FILE_MAX (64u * 1024u)
#define PEERS_FILE_MAX (1024u * 1024u)
#define KEY_FILE_MAX 4096u
#define SEAL_PURPOSE_MAX 256u
#define PATH_BYTES 4096u

static const uint8_t seal_magic[8] = {'M', 'P', 'C', 'S', 'E', 'A', 'L', 1};
enum { SEAL_VERSION = 1, SEAL_KDF_ARGON2ID13 = 1 };

/* DER prefix of a P-256 SubjectPublicKeyInfo with an uncompressed point:
 * SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING 0x00 04..}
 */
static const uint8_t p256_spki_prefix[26] = {
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
    0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
    0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
_Static_assert(sizeof p256_spki_prefix + 65 == NODE_P256_SPKI_BYTES,
               "SPKI layout");

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

__attribute__((format(printf, 4, 5))) static mpc_err
fail(char *err, size_t err_len, mpc_err code, const char *fmt, ...)
{
    if (err != NULL && err_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_len, fmt, ap);
        va_end(ap);
    }
    return code;
}

static void clear_err(char *err, size_t err_len)
{
    if (err != NULL && err_len > 0)
        err[0] = '\0';
}

static bool init_sodium(void)
{
    return sodium_init() >= 0;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

/* Decodes exactly `len` bytes from exactly 2*len hex digits (constant time
 * in the digits: libsodium's decoder has no tables or digit branches). */
static bool unhex_exact(uint8_t *out, size_t len, const char *hex,
                        size_t hex_len)
{
    size_t got = 0;
    const char *end = NULL;
    if (hex_len != 2 * len)
        return false;
    if (sodium_hex2bin(out, len, hex, hex_len, NULL, &got, &end) != 0 ||
        got != len || end != hex + hex_len) {
        mpc_wipe(out, len);
        return false;
    }
    return true;
}

static bool is_hex_digit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

static mpc_err join_path(char out[PATH_BYTES], const char *dir,
                         const char *name, const char *suffix, char *err,
                         size_t err_len)
{
    int n = snprintf(out, PATH_BYTES, "%s/%s%s", dir, name, suffix);
    if (n < 0 || (size_t)n >= PATH_BYTES)
        return fail(err, err_len, MPC_ERR_INVALID_ARG, "path too long: %s/%s%s",
                    dir, name, suffix);
    return MPC_OK;
}

static void fmt_time(char out[32], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL ||
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "1970-01-01T00:00:00Z");
}

/* ------------------------------------------------------------------ */
/* Files                                                                */

/* Reads a whole regular file of at most `max` bytes into a NUL-terminated
 * malloc'd buffer. Callers that read secrets wipe the buffer themselves. */
static mpc_err read_file(const char *path, size_t max, char **out,
                         size_t *out_len, char *err, size_t err_len)
{
    *out = NULL;
    *out_len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(err, err_len,
                    errno == ENOENT ? MPC_ERR_NOT_FOUND : MPC_ERR_IO, "%s: %s",
                    path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return fail(err, err_len, MPC_ERR_IO, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return fail(err, err_len, MPC_ERR_IO,
                    "%s: too large (%lld bytes, at most %zu)", path,
                    (long long)st.st_size, max);
    }
    size_t cap = (size_t)st.st_size + 1;
    char *buf = malloc(cap + 1);
    if (buf == NULL) {
        close(fd);
        return MPC_ERR_NOMEM;
    }
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            mpc_wipe(buf, cap + 1);
            free(buf);
            return fail(err, err_len, MPC_ERR_IO, "%s: %s", path, strerror(e));
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n == cap) { /* the file grew while we read it */
            close(fd);
            mpc_wipe(buf, cap + 1);
            free(buf);
            return fail(err, err_len, MPC_ERR_IO, "%s: changed while read",
                        path);
        }
    }
    close(fd);
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return MPC_OK;
}

static void free_secret_buf(char *buf, size_t len)
{
    if (buf != NULL) {
        mpc_wipe(buf, len);
        free(buf);
    }
}

static bool write_all(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        len -= (size_t)w;
    }
    return true;
}

/* Fills and closes `fd`; the file then has exactly `mode` (umask aside). */
static bool fill_fd(int fd, const void *data, size_t len, mode_t mode)
{
    bool ok =
        fchmod(fd, mode) == 0 && write_all(fd, data, len) && fsync(fd) == 0;
    return close(fd) == 0 && ok;
}

/* Creates `path` with `data`. Without `overwrite` the create is exclusive
 * (O_EXCL): an existing file is never touched. With it, the content goes
 * to a temporary file in the same directory that is renamed over `path`,
 * so readers see the old file or the new one, never a mix. */
static mpc_err write_file(const char *path, const void *data, size_t len,
                          mode_t mode, bool overwrite, char *err,
                          size_t err_len)
{
    if (!overwrite) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
            return fail(err, err_len,
                        errno == EEXIST ? MPC_ERR_CONFLICT : MPC_ERR_IO,
                        "%s: %s", path,
                        errno == EEXIST ? "already exists; not overwritten"
                                        : strerror(errno));
        if (!fill_fd(fd, data, len, mode)) {
            int e = errno;
            unlink(path);
            return fail(err, err_len, MPC_ERR_IO, "%s: %s", path, strerror(e));
        }
        return MPC_OK;
    }
    char tmp[PATH_BYTES];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return fail(err, err_len, MPC_ERR_INVALID_ARG, "path too long: %s",
                    path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return fail(err, err_len, MPC_ERR_IO, "%s: %s", tmp, strerror(errno));
    if (!fill_fd(fd, data, len, mode) || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return fail(err, err_len, MPC_ERR_IO, "%s: %s", path, strerror(e));
    }
    return MPC_OK;
}

static bool path_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* mkdir -p with mode 0700 for the directories it creates. */
static mpc_err ensure_dir(const char *dir, char *err, size_t err_len)
{
    char buf[PATH_BYTES];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf)
        return fail(err, err_len, MPC_ERR_INVALID_ARG,
                    "bad directory name \"%s\"", dir);
    memcpy(buf, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return fail(err, err_len, MPC_ERR_IO, "cannot create %s: %s", buf,
                        strerror(errno));
        buf[i] = c;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return fail(err, err_len, MPC_ERR_IO, "%s: not a directory", dir);
    return MPC_OK;
}

/* Serializes `obj` (insertion order, two-space indent, final newline) and
 * writes it. Steals the reference to `obj`. */
static mpc_err write_json(const char *path, json_t *obj, mode_t mode,
                          bool overwrite, char *err, size_t err_len)
{
    if (obj == NULL)
        return MPC_ERR_NOMEM;
    char *text = json_dumps(obj, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(obj);
    if (text == NULL)
        return MPC_ERR_NOMEM;
    size_t len = strlen(text);
    char *full = malloc(len + 2);
    if (full == NULL) {
        free(text);
        return MPC_ERR_NOMEM;
    }
    memcpy(full, text, len);
    full[len] = '\n';
    full[len + 1] = '\0';
    free(text);
    mpc_err rc = write_file(path, full, len + 1, mode, overwrite, err, err_len);
    free(full);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Algorithms, public keys                                              */

mpc_err node_key_alg_parse(node_key_alg *out, const char *s)
{
    *out = 0;
    if (strcmp(s, "ed25519") == 0)
        *out = NODE_KEY_ALG_ED25519;
    else if (strcmp(s, "p256") == 0)
        *out = NODE_KEY_ALG_P256;
    else
        return MPC_ERR_PARSE;
    return MPC_OK;
}

const char *node_key_alg_name(node_key_alg alg)
{
    switch (alg) {
    case NODE_KEY_ALG_ED25519:
        return "ed25519";
    case NODE_KEY_ALG_P256:
        return "p256";
    }
    return "unknown";
}

static mpc_err parse_ed25519(node_pubkey *out, const char *text, char *err,
                             size_t err_len)
{
    size_t n = strlen(text);
    if (!unhex_exact(out->bytes, NODE_ED25519_PK_BYTES, text, n))
        return fail(err, err_len, MPC_ERR_PARSE,
                    "expected 64 hex digits (a 32-byte Ed25519 public key), "
                    "got %zu characters",
                    n);
    if (!init_sodium() || crypto_core_ed25519_is_valid_point(out->bytes) != 1)
        return fail(err, err_len, MPC_ERR_PARSE,
                    "not a valid Ed25519 public key (off the curve, "
                    "non-canonical or of small order)");
    out->alg = NODE_KEY_ALG_ED25519;
    out->len = NODE_ED25519_PK_BYTES;
    return MPC_OK;
}

/* Text → DER bytes: hex (optional 0x) if the text is all hex digits, else
 * standard padded base64. A DER SPKI starts with 0x30, whose base64 form
 * starts with 'M', so the two readings never overlap. */
static mpc_err p256_text_to_der(uint8_t *der, size_t cap, size_t *der_len,
                                const char *text, char *err, size_t err_len)
{
    const char *h = text;
    if (h[0] == '0' && (h[1] == 'x' || h[1] == 'X'))
        h += 2;
    size_t hn = strlen(h);
    bool all_hex = hn > 0;
    for (size_t i = 0; i < hn && all_hex; i++)
        all_hex = is_hex_digit(h[i]);
    if (all_hex || h != text) {
        if (hn % 2 != 0 || hn / 2 > cap || !all_hex ||
            !unhex_exact(der, hn / 2, h, hn))
            return fail(err, err_len, MPC_ERR_PARSE,
                        "expected hex (even number of digits) or base64 of "
                        "a DER SubjectPublicKeyInfo");
        *der_len = hn / 2;
        return MPC_OK;
    }
    size_t tn = strlen(text);
    if (tn / 4 * 3 > cap ||
        sodium_base642bin(der, cap, text, tn, NULL, der_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return fail(err, err_len, MPC_ERR_PARSE,
                    "not valid hex or standard base64");
    return MPC_OK;
}

static mpc_err p256_canonical(node_pubkey *out, EVP_PKEY *pkey, char *err,
                              size_t err_len)
{
    char group[64];
    size_t glen = 0;
    BIGNUM *x = NULL, *y = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    mpc_err rc = MPC_ERR_PARSE;
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC) {
        fail(err, err_len, rc, "not an elliptic-curve key");
        goto out;
    }
    if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &glen) != 1 ||
        OBJ_sn2nid(group) != NID_X9_62_prime256v1) {
        fail(err, err_len, rc, "curve is not P-256");
        goto out;
    }
    pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (pctx == NULL || EVP_PKEY_public_check(pctx) != 1) {
        fail(err, err_len, rc, "not a valid P-256 point");
        goto out;
    }
    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1) {
        rc = fail(err, err_len, MPC_ERR_INTERNAL, "OpenSSL: no coordinates");
        goto out;
    }
    uint8_t *p = out->bytes;
    memcpy(p, p256_spki_prefix, sizeof p256_spki_prefix);
    p += sizeof p256_spki_prefix;
    *p++ = 0x04;
    if (BN_bn2binpad(x, p, 32) != 32 || BN_bn2binpad(y, p + 32, 32) != 32) {
        rc = fail(err, err_len, MPC_ERR_INTERNAL, "OpenSSL: bad coordinate");
        goto out;
    }
    out->alg = NODE_KEY_ALG_P256;
    out->len = NODE_P256_SPKI_BYTES;
    rc = MPC_OK;
out:
    BN_free(x);
    BN_free(y);
    EVP_PKEY_CTX_free(pctx);
    return rc;
}

static mpc_err parse_p256(node_pubkey *out, const char *text, char *err,
                          size_t err_len)
{
    uint8_t der[512];
    size_t der_len = 0;
    mpc_err rc =
        p256_text_to_der(der, sizeof der, &der_len, text, err, err_len);
    if (rc != MPC_OK)
        return rc;
    const unsigned char *p = der;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)der_len);
    if (pkey == NULL)
        return fail(err, err_len, MPC_ERR_PARSE,
                    "not a DER SubjectPublicKeyInfo of a valid key");
    if (p != der + der_len) {
        EVP_PKEY_free(pkey);
        return fail(err, err_len, MPC_ERR_PARSE,
                    "%zu bytes after the SubjectPublicKeyInfo",
                    (size_t)(der + der_len - p));
    }
    rc = p256_canonical(out, pkey, err, err_len);
    EVP_PKEY_free(pkey);
    return rc;
}

mpc_err node_pubkey_parse(node_pubkey *out, node_key_alg alg, const char *text,
                          char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    clear_err(err, err_len);
    if (text[0] == '\0')
        return fail(err, err_len, MPC_ERR_PARSE, "empty");
    mpc_err rc;
    switch (alg) {
    case NODE_KEY_ALG_ED25519:
        rc = parse_ed25519(out, text, err, err_len);
        break;
    case NODE_KEY_ALG_P256:
        rc = parse_p256(out, text, err, err_len);
        break;
    default:
        rc = fail(err, err_len, MPC_ERR_INVALID_ARG, "unknown algorithm");
        break;
    }
    if (rc != MPC_OK)
        memset(out, 0, sizeof *out);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Names, ids, UUIDs                                                    */

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
}

bool node_name_is_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > NODE_NAME_MAX_BYTES || !is_alnum(name[0]))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!is_alnum(c) && c != '_' && c != '-' && c != '.')
            return false;
    }
    return true;
}

bool node_id_is_valid(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > NODE_ID_MAX_BYTES)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)id[i];
        if (c <= 0x20 || c >= 0x7f || c == ':' || c == '.' || c == '*' ||
            c == '>')
            return false;
    }
    return true;
}

void node_uuid_v4(char out[NODE_UUID_BYTES + 1], mpc_rng_fn rng, void *rng_ud)
{
    static const char digits[] = "0123456789abcdef";
    uint8_t b[16];
    rng(rng_ud, b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 9562 variant */
    size_t o = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = digits[b[i] >> 4];
        out[o++] = digits[b[i] & 15];
    }
    out[o] = '\0';
}

/* ------------------------------------------------------------------ */
/* Sealing                                                              */

void node_kdf_params_default(node_kdf_params *p)
{
    p->opslimit = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
    p->memlimit_kib = crypto_pwhash_argon2id_MEMLIMIT_MODERATE / 1024u;
}

static bool kdf_in_range(uint32_t ops, uint32_t mem_kib)
{
    return ops >= crypto_pwhash_argon2id_OPSLIMIT_MIN &&
           ops <= NODE_SEAL_OPSLIMIT_MAX &&
           mem_kib >= crypto_pwhash_argon2id_MEMLIMIT_MIN / 1024u &&
           mem_kib <= NODE_SEAL_MEMLIMIT_KIB_MAX;
}

/* ad = header ‖ purpose */
static bool seal_ad(uint8_t *ad, size_t *ad_len, const uint8_t *header,
                    const char *purpose)
{
    size_t pn = strlen(purpose);
    if (pn > SEAL_PURPOSE_MAX)
        return false;
    memcpy(ad, header, NODE_SEAL_HEADER_BYTES);
    memcpy(ad + NODE_SEAL_HEADER_BYTES, purpose, pn);
    *ad_len = NODE_SEAL_HEADER_BYTES + pn;
    return true;
}

static bool seal_key(uint8_t key[32], const uint8_t *header,
                     const uint8_t *password, size_t password_len)
{
    return crypto_pwhash(key, 32, (const char *)password, password_len,
                         header + 20, get32(header + 12),
                         (size_t)get32(header + 16) * 1024u,
                         crypto_pwhash_ALG_ARGON2ID13) == 0;
}

mpc_err node_identity_seal(uint8_t *out, size_t out_len, const uint8_t *pt,
                           size_t pt_len, const char *purpose,
                           const uint8_t *password, size_t password_len,
                           const node_kdf_params *kdf, mpc_rng_fn rng,
                           void *rng_ud)
{
    uint8_t key[32];
    uint8_t ad[NODE_SEAL_HEADER_BYTES + SEAL_PURPOSE_MAX];
    size_t ad_len = 0;
    if (out_len != pt_len + NODE_SEAL_OVERHEAD_BYTES || pt_len > SIZE_MAX / 2)
        return MPC_ERR_INVALID_ARG;
    memset(out, 0, out_len);
    if (password_len == 0 || !kdf_in_range(kdf->opslimit, kdf->memlimit_kib))
        return MPC_ERR_INVALID_ARG;
    if (!init_sodium())
        return MPC_ERR_INTERNAL;
    memcpy(out, seal_magic, sizeof seal_magic);
    out[8] = SEAL_VERSION;
    out[9] = SEAL_KDF_ARGON2ID13;
    put32(out + 12, kdf->opslimit);
    put32(out + 16, kdf->memlimit_kib);
    rng(rng_ud, out + 20, 16 + 24); /* salt, nonce */
    if (!seal_ad(ad, &ad_len, out, purpose)) {
        memset(out, 0, out_len);
        return MPC_ERR_INVALID_ARG;
    }
    if (!seal_key(key, out, password, password_len)) {
        memset(out, 0, out_len);
        return MPC_ERR_NOMEM;
    }
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + NODE_SEAL_HEADER_BYTES,
                                               NULL, pt, pt_len, ad, ad_len,
                                               NULL, out + 36, key);
    mpc_wipe(key, sizeof key);
    return MPC_OK;
}

mpc_err node_identity_unseal(uint8_t *out, size_t out_len, const uint8_t *in,
                             size_t in_len, const char *purpose,
                             const uint8_t *password, size_t password_len)
{
    uint8_t key[32];
    uint8_t ad[NODE_SEAL_HEADER_BYTES + SEAL_PURPOSE_MAX];
    size_t ad_len = 0;
    if (in_len < NODE_SEAL_OVERHEAD_BYTES ||
        out_len != in_len - NODE_SEAL_OVERHEAD_BYTES) {
        if (out_len > 0)
            memset(out, 0, out_len);
        return in_len < NODE_SEAL_OVERHEAD_BYTES ? MPC_ERR_PARSE
                                                 : MPC_ERR_INVALID_ARG;
    }
    memset(out, 0, out_len);
    if (memcmp(in, seal_magic, sizeof seal_magic) != 0 ||
        in[8] != SEAL_VERSION || in[9] != SEAL_KDF_ARGON2ID13 || in[10] != 0 ||
        in[11] != 0 || !kdf_in_range(get32(in + 12), get32(in + 16)))
        return MPC_ERR_PARSE;
    if (!seal_ad(ad, &ad_len, in, purpose) || password_len == 0)
        return MPC_ERR_INVALID_ARG;
    if (!init_sodium())
        return MPC_ERR_INTERNAL;
    if (!seal_key(key, in, password, password_len))
        return MPC_ERR_NOMEM;
    int r = crypto_aead_xchacha20poly1305_ietf_decrypt(
        out, NULL, NULL, in + NODE_SEAL_HEADER_BYTES,
        in_len - NODE_SEAL_HEADER_BYTES, ad, ad_len, in + 36, key);
    mpc_wipe(key, sizeof key);
    if (r != 0) {
        memset(out, 0, out_len);
        return MPC_ERR_AUTH;
    }
    return MPC_OK;
}

/* ------------------------------------------------------------------ */
/* Node identity                                                        */

static void purpose_for(char out[SEAL_PURPOSE_MAX], const char *name)
{
    snprintf(out, SEAL_PURPOSE_MAX, "mpcium node identity %s", name);
}

static node_identity *identity_alloc(void)
{
    if (!init_sodium())
        return NULL;
    node_identity *id = sodium_malloc(sizeof *id);
    if (id != NULL)
        memset(id, 0, sizeof *id);
    return id;
}

void node_identity_free(node_identity *id)
{
    if (id != NULL)
        sodium_free(id); /* wipes */
}

mpc_err node_identity_generate(node_identity **out, const char *name,
                               const char *id, mpc_rng_fn rng, void *rng_ud,
                               char *err, size_t err_len)
{
    *out = NULL;
    clear_err(err, err_len);
    if (!node_name_is_valid(name))
        return fail(err, err_len, MPC_ERR_INVALID_ARG,
                    "invalid node name \"%.80s\" (1-%d of A-Z a-z 0-9 _ . -, "
                    "starting with a letter or digit)",
                    name, NODE_NAME_MAX_BYTES);
    if (!node_id_is_valid(id))
        return fail(err, err_len, MPC_ERR_INVALID_ARG,
                    "invalid node id \"%.80s\" (1-%d printable characters, "
                    "none of ':' '.' '*' '>' or space)",
                    id, NODE_ID_MAX_BYTES);
    node_identity *ident = identity_alloc();
    if (ident == NULL)
        return MPC_ERR_NOMEM;
    uint8_t seed[NODE_ED25519_SEED_BYTES];
    rng(rng_ud, seed, sizeof seed);
    crypto_sign_seed_keypair(ident->pk, ident->sk, seed);
    mpc_wipe(seed, sizeof seed);
    memcpy(ident->name, name, strlen(name) + 1);
    memcpy(ident->id, id, strlen(id) + 1);
    *out = ident;
    return MPC_OK;
}

static json_t *identity_json(const node_identity *id, int64_t created_unix)
{
    char pk_hex[2 * NODE_ED25519_PK_BYTES + 1];
    char when[32];
    sodium_bin2hex(pk_hex, sizeof pk_hex, id->pk, sizeof id->pk);
    fmt_time(when, created_unix);
    return json_pack("{s:s, s:s, s:s, s:s}", "node_name", id->name, "node_id",
                     id->id, "public_key", pk_hex, "created_at", when);
}

mpc_err node_identity_save(const node_identity *id, const char *dir,
                           int64_t created_unix,
                           const node_identity_seal_opts *seal, bool overwrite,
                           char *err, size_t err_len)
{
    char json_path[PATH_BYTES], key_path[PATH_BYTES];
    uint8_t blob[NODE_ED25519_SK_BYTES + NODE_SEAL_OVERHEAD_BYTES];
    char hex[2 * NODE_ED25519_SK_BYTES + 1];
    const void *key_data = hex;
    size_t key_len = 2 * NODE_ED25519_SK_BYTES;
    mpc_err rc;

    clear_err(err, err_len);
    if (!node_name_is_valid(id->name) || !node_id_is_valid(id->id))
        return fail(err, err_len, MPC_ERR_INVALID_ARG, "invalid identity");
    if (seal != NULL && (seal->password == NULL || seal->rng == NULL))
        return fail(err, err_len, MPC_ERR_INVALID_ARG, "bad seal options");
    rc = join_path(json_path, dir, id->name, "_identity.json", err, err_len);
    if (rc == MPC_OK)
        rc =
            join_path(key_path, dir, id->name,
                      seal ? "_private.key.enc" : "_private.key", err, err_len);
    if (rc == MPC_OK)
        rc = ensure_dir(dir, err, err_len);
    if (rc != MPC_OK)
        return rc;
    if (!overwrite && (path_exists(json_path) || path_exists(key_path)))
        return fail(err, err_len, MPC_ERR_CONFLICT,
                    "%s: already exists; not overwritten",
                    path_exists(key_path) ? key_path : json_path);

    if (seal != NULL) {
        char purpose[SEAL_PURPOSE_MAX];
        purpose_for(purpose, id->name);
        rc = node_identity_seal(blob, sizeof blob, id->sk, sizeof id->sk,
                                purpose, seal->password, seal->password_len,
                                &seal->kdf, seal->rng, seal->rng_ud);
        if (rc != MPC_OK)
            return fail(err, err_len, rc, "cannot seal the private key: %s",
                        mpc_err_str(rc));
        key_data = blob;
        key_len = sizeof blob;
    } else {
        sodium_bin2hex(hex, sizeof hex, id->sk, sizeof id->sk);
    }
    rc = write_file(key_path, key_data, key_len, 0600, overwrite, err, err_len);
    mpc_wipe(hex, sizeof hex);
    mpc_wipe(blob, sizeof blob);
    if (rc != MPC_OK)
        return rc;
    rc = write_json(json_path, identity_json(id, created_unix), 0644, overwrite,
                    err, err_len);
    if (rc != MPC_OK && !overwrite)
        unlink(key_path);
    return rc;
}

/* Parses `<dir>/<name>_identity.json`: node_name must equal `name`,
 * node_id must be valid, public_key must be 64 hex digits of a valid
 * Ed25519 point. */
static mpc_err read_identity_json(const char *path, const char *name,
                                  char id_out[NODE_ID_MAX_BYTES + 1],
                                  uint8_t pk[NODE_ED25519_PK_BYTES], char *err,
                                  size_t err_len)
{
    char *text = NULL;
    size_t len = 0;
    json_error_t jerr;
    mpc_err rc = read_file(path, JSON_FILE_MAX, &text, &len, err, err_len);
    if (rc != MPC_OK)
        return rc;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    if (root == NULL)
        return fail(err, err_len, MPC_ERR_PARSE, "%s:%d: %s", path, jerr.line,
                    jerr.text);
    const char *jname = json_string_value(json_object_get(root, "node_name"));
    const char *jid = json_string_value(json_object_get(root, "node_id"));
    const char *jpk = json_string_value(json_object_get(root, "public_key"));
    rc = MPC_ERR_PARSE;
    if (!json_is_object(root))
        fail(err, err_len, rc, "%s: not a JSON object", path);
    else if (jname == NULL || jid == NULL || jpk == NULL)
        fail(err, err_len, rc,
             "%s: node_name, node_id and public_key must be strings", path);
    else if (strcmp(jname, name) != 0)
        rc = fail(err, err_len, MPC_ERR_VERIFY,
                  "%s: node_name is \"%.80s\", expected \"%s\"", path, jname,
                  name);
    else if (!node_id_is_valid(jid))
        fail(err, err_len, rc, "%s: invalid node_id \"%.80s\"", path, jid);
    else if (!unhex_exact(pk, NODE_ED25519_PK_BYTES, jpk, strlen(jpk)))
        fail(err, err_len, rc,
             "%s: public_key must be 64 hex digits (32-byte Ed25519 key)",
             path);
    else if (!init_sodium() || crypto_core_ed25519_is_valid_point(pk) != 1)
        fail(err, err_len, rc, "%s: public_key is not a valid Ed25519 key",
             path);
    else {
        memcpy(id_out, jid, strlen(jid) + 1);
        rc = MPC_OK;
    }
    json_decref(root);
    if (rc != MPC_OK) {
        memset(pk, 0, NODE_ED25519_PK_BYTES);
        memset(id_out, 0, NODE_ID_MAX_BYTES + 1);
    }
    return rc;
}

/* The hex private key file: 128 hex digits, optionally followed by
 * whitespace (editors add a newline). */
static mpc_err read_plain_key(uint8_t sk[NODE_ED25519_SK_BYTES],
                              const char *path, char *err, size_t err_len)
{
    char *text = NULL;
    size_t len = 0;
    mpc_err rc = read_file(path, KEY_FILE_MAX, &text, &len, err, err_len);
    if (rc != MPC_OK)
        return rc;
    size_t n = len;
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' ||
                     text[n - 1] == ' ' || text[n - 1] == '\t'))
        n--;
    if (!unhex_exact(sk, NODE_ED25519_SK_BYTES, text, n))
        rc = fail(err, err_len, MPC_ERR_PARSE,
                  "%s: expected 128 hex digits (64-byte Ed25519 secret key)",
                  path);
    free_secret_buf(text, len + 1);
    return rc;
}

static mpc_err read_sealed_key(uint8_t sk[NODE_ED25519_SK_BYTES],
                               const char *path, const char *name,
                               const uint8_t *password, size_t password_len,
                               char *err, size_t err_len)
{
    char *blob = NULL;
    size_t len = 0;
    char purpose[SEAL_PURPOSE_MAX];
    mpc_err rc = read_file(path, KEY_FILE_MAX, &blob, &len, err, err_len);
    if (rc != MPC_OK)
        return rc;
    purpose_for(purpose, name);
    if (len != NODE_ED25519_SK_BYTES + NODE_SEAL_OVERHEAD_BYTES)
        rc = MPC_ERR_PARSE;
    else
        rc = node_identity_unseal(sk, NODE_ED25519_SK_BYTES,
                                  (const uint8_t *)blob, len, purpose, password,
                                  password_len);
    free(blob);
    if (rc == MPC_ERR_AUTH)
        return fail(err, err_len, rc, "%s: wrong password or modified file",
                    path);
    if (rc != MPC_OK)
        return fail(err, err_len, rc, "%s: not a sealed identity key (%s)",
                    path, mpc_err_str(rc));
    return MPC_OK;
}

mpc_err node_identity_load(node_identity **out, const char *dir,
                           const char *name, const uint8_t *password,
                           size_t password_len, char *err, size_t err_len)
{
    char json_path[PATH_BYTES], key_path[PATH_BYTES];
    uint8_t pk2[NODE_ED25519_PK_BYTES];
    uint8_t sk2[NODE_ED25519_SK_BYTES];
    node_identity *id = NULL;
    mpc_err rc;

    *out = NULL;
    clear_err(err, err_len);
    if (!node_name_is_valid(name))
        return fail(err, err_len, MPC_ERR_INVALID_ARG,
                    "invalid node name \"%.80s\"", name);
    if (password != NULL && password_len == 0)
        return fail(err, err_len, MPC_ERR_INVALID_ARG, "empty password");
    rc = join_path(json_path, dir, name, "_identity.json", err, err_len);
    if (rc == MPC_OK)
        rc = join_path(key_path, dir, name,
                       password ? "_private.key.enc" : "_private.key", err,
                       err_len);
    if (rc != MPC_OK)
        return rc;
    id = identity_alloc();
    if (id == NULL)
        return MPC_ERR_NOMEM;
    rc = read_identity_json(json_path, name, id->id, id->pk, err, err_len);
    if (rc != MPC_OK)
        goto out;
    rc = password ? read_sealed_key(id->sk, key_path, name, password,
                                    password_len, err, err_len)
                  : read_plain_key(id->sk, key_path, err, err_len);
    if (rc != MPC_OK)
        goto out;
    /* The stored public half must be what the seed derives, and both must
     * be the key the peers know from the JSON file. */
    crypto_sign_seed_keypair(pk2, sk2, id->sk);
    if (sodium_memcmp(sk2, id->sk, sizeof sk2) != 0)
        rc = fail(err, err_len, MPC_ERR_VERIFY,
                  "%s: the public half of the secret key does not match its "
                  "seed",
                  key_path);
    else if (memcmp(pk2, id->pk, sizeof pk2) != 0)
        rc = fail(err, err_len, MPC_ERR_VERIFY,
                  "%s: private key does not belong to the public_key in %s",
                  key_path, json_path);
    else
        memcpy(id->name, name, strlen(name) + 1);
out:
    mpc_wipe(sk2, sizeof sk2);
    if (rc != MPC_OK) {
        node_identity_free(id);
        return rc;
    }
    *out = id;
    return MPC_OK;
}

/* ------------------------------------------------------------------ */
/* Peers                                                                */

static int peer_cmp(const void *a, const void *b)
{
    return strcmp(((const node_peer *)a)->id, ((const node_peer *)b)->id);
}

void node_peers_free(node_peers *peers)
{
    free(peers);
}

static mpc_err peers_from_json(node_peers **out, json_t *root, const char *path,
                               char *err, size_t err_len)
{
    if (!json_is_object(root))
        return fail(err, err_len, MPC_ERR_PARSE,
                    "%s: expected a JSON object {\"<node name>\": "
                    "\"<node id>\", ...}",
                    path);
    size_t n = json_object_size(root);
    if (n == 0 || n > NODE_PEERS_MAX)
        return fail(err, err_len, MPC_ERR_PARSE,
                    "%s: %zu peers; expected 1 to %d", path, n, NODE_PEERS_MAX);
    node_peers *peers = calloc(1, sizeof *peers + n * sizeof(node_peer));
    if (peers == NULL)
        return MPC_ERR_NOMEM;
    const char *name;
    json_t *val;
    size_t i = 0;
    json_object_foreach(root, name, val)
    {
        const char *id = json_string_value(val);
        if (!node_name_is_valid(name)) {
            free(peers);
            return fail(err, err_len, MPC_ERR_PARSE,
                        "%s: invalid node name \"%.80s\" (1-%d of A-Z a-z "
                        "0-9 _ . -, starting with a letter or digit)",
                        path, name, NODE_NAME_MAX_BYTES);
        }
        if (id == NULL || !node_id_is_valid(id)) {
            free(peers);
            return fail(err, err_len, MPC_ERR_PARSE,
                        "%s: node %s: invalid node id%s%.80s%s (1-%d "
                        "printable characters, none of ':' '.' '*' '>' or "
                        "space)",
                        path, name, id ? " \"" : " (not a string)",
                        id ? id : "", id ? "\"" : "", NODE_ID_MAX_BYTES);
        }
        memcpy(peers->peer[i].name, name, strlen(name) + 1);
        memcpy(peers->peer[i].id, id, strlen(id) + 1);
        i++;
    }
    peers->n = n;
    qsort(peers->peer, n, sizeof(node_peer), peer_cmp);
    for (i = 1; i < n; i++) {
        if (strcmp(peers->peer[i - 1].id, peers->peer[i].id) == 0) {
            mpc_err rc = fail(err, err_len, MPC_ERR_CONFLICT,
                              "%s: nodes %s and %s have the same id %s", path,
                              peers->peer[i - 1].name, peers->peer[i].name,
                              peers->peer[i].id);
            free(peers);
            return rc;
        }
    }
    *out = peers;
    return MPC_OK;
}

mpc_err node_peers_read(node_peers **out, const char *path, char *err,
                        size_t err_len)
{
    char *text = NULL;
    size_t len = 0;
    json_error_t jerr;
    *out = NULL;
    clear_err(err, err_len);
    mpc_err rc = read_file(path, PEERS_FILE_MAX, &text, &len, err, err_len);
    if (rc != MPC_OK)
        return rc;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    if (root == NULL)
        return fail(err, err_len,
                    json_error_code(&jerr) == json_error_duplicate_key
                        ? MPC_ERR_CONFLICT
                        : MPC_ERR_PARSE,
                    "%s:%d: %s", path, jerr.line, jerr.text);
    rc = peers_from_json(out, root, path, err, err_len);
    json_decref(root);
    return rc;
}

mpc_err node_peers_load_identities(node_peers *peers, const char *dir,
                                   char *err, size_t err_len)
{
    char path[PATH_BYTES];
    char id[NODE_ID_MAX_BYTES + 1];
    mpc_err rc = MPC_OK;
    clear_err(err, err_len);
    peers->have_keys = false;
    for (size_t i = 0; i < peers->n && rc == MPC_OK; i++) {
        node_peer *p = &peers->peer[i];
        rc = join_path(path, dir, p->name, "_identity.json", err, err_len);
        if (rc == MPC_OK)
            rc = read_identity_json(path, p->name, id, p->pk, err, err_len);
        if (rc == MPC_ERR_NOT_FOUND)
            fail(err, err_len, rc, "missing identity file for peer %s (%s): %s",
                 p->name, p->id, path);
        else if (rc == MPC_OK && strcmp(id, p->id) != 0)
            rc = fail(err, err_len, MPC_ERR_VERIFY,
                      "node id mismatch for %s: %s in the peers file, %s in "
                      "%s",
                      p->name, p->id, id, path);
        for (size_t j = 0; j < i && rc == MPC_OK; j++)
            if (memcmp(peers->peer[j].pk, p->pk, sizeof p->pk) == 0)
                rc = fail(err, err_len, MPC_ERR_CONFLICT,
                          "peers %s and %s have the same public key",
                          peers->peer[j].name, p->name);
    }
    if (rc != MPC_OK) {
        for (size_t i = 0; i < peers->n; i++)
            memset(peers->peer[i].pk, 0, NODE_ED25519_PK_BYTES);
        return rc;
    }
    peers->have_keys = true;
    return MPC_OK;
}

mpc_err node_peers_load(node_peers **out, const char *path, const char *dir,
                        char *err, size_t err_len)
{
    node_peers *peers = NULL;
    mpc_err rc = node_peers_read(&peers, path, err, err_len);
    if (rc == MPC_OK)
        rc = node_peers_load_identities(peers, dir, err, err_len);
    if (rc != MPC_OK) {
        node_peers_free(peers);
        *out = NULL;
        return rc;
    }
    *out = peers;
    return MPC_OK;
}

const node_peer *node_peers_find_id(const node_peers *peers, const char *id)
{
    node_peer key;
    size_t n = strlen(id);
    if (n > NODE_ID_MAX_BYTES)
        return NULL;
    memcpy(key.id, id, n + 1);
    return bsearch(&key, peers->peer, peers->n, sizeof(node_peer), peer_cmp);
}

const node_peer *node_peers_find_name(const node_peers *peers, const char *name)
{
    for (size_t i = 0; i < peers->n; i++)
        if (strcmp(peers->peer[i].name, name) == 0)
            return &peers->peer[i];
    return NULL;
}

mpc_err node_peers_check_self(const node_peers *peers,
                              const node_identity *self, char *err,
                              size_t err_len)
{
    clear_err(err, err_len);
    const node_peer *p = node_peers_find_name(peers, self->name);
    if (p == NULL)
        return fail(err, err_len, MPC_ERR_NOT_FOUND,
                    "node %s is not in the peers file", self->name);
    if (strcmp(p->id, self->id) != 0)
        return fail(err, err_len, MPC_ERR_VERIFY,
                    "node %s: id %s in the peers file, %s in its identity",
                    self->name, p->id, self->id);
    if (peers->have_keys && memcmp(p->pk, self->pk, sizeof p->pk) != 0)
        return fail(err, err_len, MPC_ERR_VERIFY,
                    "node %s: public key differs from its peers entry",
                    self->name);
    return MPC_OK;
}

mpc_err node_peers_generate(const char *path, size_t n, bool overwrite,
                            mpc_rng_fn rng, void *rng_ud, char *err,
                            size_t err_len)
{
    clear_err(err, err_len);
    if (n == 0 || n > NODE_PEERS_MAX)
        return fail(err, err_len, MPC_ERR_INVALID_ARG,
                    "number of peers must be 1 to %d, got %zu", NODE_PEERS_MAX,
                    n);
    if (!overwrite && path_exists(path))
        return fail(err, err_len, MPC_ERR_CONFLICT,
                    "%s: already exists; not overwritten", path);
    json_t *obj = json_object();
    if (obj == NULL)
        return MPC_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        char name[32], uuid[NODE_UUID_BYTES + 1];
        snprintf(name, sizeof name, "node%zu", i);
        node_uuid_v4(uuid, rng, rng_ud);
        if (json_object_set_new(obj, name, json_string(uuid)) != 0) {
            json_decref(obj);
            return MPC_ERR_NOMEM;
        }
    }
    return write_json(path, obj, 0600, overwrite, err, err_len);
}

/* ------------------------------------------------------------------ */
/* Initiator keys                                                       */

/* Ed25519: key file = hex(seed), public = raw key. */
static mpc_err initiator_ed25519(char **key_hex, node_pubkey *pub,
                                 mpc_rng_fn rng, void *rng_ud)
{
    uint8_t seed[NODE_ED25519_SEED_BYTES];
    uint8_t sk[NODE_ED25519_SK_BYTES];
    char *hex = sodium_malloc(2 * sizeof seed + 1);
    if (hex == NULL)
        return MPC_ERR_NOMEM;
    rng(rng_ud, seed, sizeof seed);
    crypto_sign_seed_keypair(pub->bytes, sk, seed);
    sodium_bin2hex(hex, 2 * sizeof seed + 1, seed, sizeof seed);
    mpc_wipe(seed, sizeof seed);
    mpc_wipe(sk, sizeof sk);
    pub->alg = NODE_KEY_ALG_ED25519;
    pub->len = NODE_ED25519_PK_BYTES;
    *key_hex = hex;
    return MPC_OK;
}

/* P-256: key file = hex(SEC1 DER ECPrivateKey), public = DER SPKI. */
static mpc_err initiator_p256(char **key_hex, node_pubkey *pub, char *err,
                              size_t err_len)
{
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    OSSL_ENCODER_CTX *enc = NULL;
    unsigned char *der = NULL;
    size_t der_len = 0;
    char *hex = NULL;
    mpc_err rc = MPC_ERR_INTERNAL;
    if (pkey == NULL)
        goto out;
    enc = OSSL_ENCODER_CTX_new_for_pkey(pkey, EVP_PKEY_KEYPAIR, "DER",
                                        "type-specific", NULL);
    if (enc == NULL || OSSL_ENCODER_to_data(enc, &der, &der_len) != 1)
        goto out;
    rc = p256_canonical(pub, pkey, err, err_len);
    if (rc != MPC_OK)
        goto out;
    hex = sodium_malloc(2 * der_len + 1);
    if (hex == NULL) {
        rc = MPC_ERR_NOMEM;
        goto out;
    }
    sodium_bin2hex(hex, 2 * der_len + 1, der, der_len);
    *key_hex = hex;
out:
    if (rc == MPC_ERR_INTERNAL)
        fail(err, err_len, rc, "OpenSSL could not generate a P-256 key");
    OPENSSL_clear_free(der, der_len);
    OSSL_ENCODER_CTX_free(enc);
    EVP_PKEY_free(pkey);
    return rc;
}

static json_t *initiator_json(const char *name, const node_pubkey *pub,
                              int64_t created_unix)
{
    char pub_hex[2 * NODE_PUBKEY_MAX_BYTES + 1];
    char when[32], host[256] = "unknown", os[64] = "unknown";
    char user[256] = "unknown";
    struct utsname u;
    struct passwd pw, *res = NULL;
    char pwbuf[1024];
    sodium_bin2hex(pub_hex, sizeof pub_hex, pub->bytes, pub->len);
    fmt_time(when, created_unix);
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    if (uname(&u) == 0) {
        snprintf(os, sizeof os, "%.63s", u.sysname);
        for (char *c = os; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
    }
    if (getpwuid_r(geteuid(), &pw, pwbuf, sizeof pwbuf, &res) == 0 &&
        res != NULL)
        snprintf(user, sizeof user, "%s", pw.pw_name);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "node_name", name,
                     "algorithm", node_key_alg_name(pub->alg), "public_key",
                     pub_hex, "created_at", when, "created_by", user,
                     "machine_os", os, "machine_name", host);
}

mpc_err node_initiator_generate(node_pubkey *pub_out, const char *dir,
                                const char *name, node_key_alg alg,
                                int64_t created_unix, bool overwrite,
                                mpc_rng_fn rng, void *rng_ud, char *err,
                                size_t err_len)
{
    char key_path[PATH_BYTES], json_path[PATH_BYTES];
    node_pubkey pub;
    char *key_hex = NULL;
    mpc_err rc;

    memset(&pub, 0, sizeof pub);
    if (pub_out != NULL)
        memset(pub_out, 0, sizeof *pub_out);
    clear_err(err, err_len);
    if (!node_name_is_valid(name))
        return fail(err, err_len, MPC_ERR_INVALID_ARG,
                    "invalid name \"%.80s\" (1-%d of A-Z a-z 0-9 _ . -, "
                    "starting with a letter or digit)",
                    name, NODE_NAME_MAX_BYTES);
    if (alg != NODE_KEY_ALG_ED25519 && alg != NODE_KEY_ALG_P256)
        return fail(err, err_len, MPC_ERR_INVALID_ARG, "unknown algorithm");
    if (!init_sodium())
        return MPC_ERR_INTERNAL;
    rc = join_path(key_path, dir, name, ".key", err, err_len);
    if (rc == MPC_OK)
        rc = join_path(json_path, dir, name, ".identity.json", err, err_len);
    if (rc == MPC_OK)
        rc = ensure_dir(dir, err, err_len);
    if (rc != MPC_OK)
        return rc;
    if (!overwrite && (path_exists(key_path) || path_exists(json_path)))
        return fail(err, err_len, MPC_ERR_CONFLICT,
                    "%s: already exists; not overwritten",
                    path_exists(key_path) ? key_path : json_path);

    rc = alg == NODE_KEY_ALG_ED25519
             ? initiator_ed25519(&key_hex, &pub, rng, rng_ud)
             : initiator_p256(&key_hex, &pub, err, err_len);
    if (rc != MPC_OK)
        return rc;
    rc = write_file(key_path, key_hex, strlen(key_hex), 0600, overwrite, err,
                    err_len);
    sodium_free(key_hex); /* wipes */
    if (rc != MPC_OK)
        return rc;
    rc = write_json(json_path, initiator_json(name, &pub, created_unix), 0644,
                    overwrite, err, err_len);
    if (rc != MPC_OK) {
        if (!overwrite)
            unlink(key_path);
        return rc;
    }
    if (pub_out != NULL)
        *pub_out = pub;
    return MPC_OK;
}
