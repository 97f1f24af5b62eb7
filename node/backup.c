/*
 * node/backup.c — encrypted hot backups and restore (see backup.h; the
 * file format is in docs/storage.md).
 */
#include "node/backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "node/keystore_internal.h"

#define PATH_BUF 4096
#define NODE_NAME_MAX 64u
#define STAMP_LEN 16u /* YYYYMMDDTHHMMSSZ */
#define TXN_DIGITS 20u
/* 9999-12-31T23:59:59Z: later times do not fit the 16-character stamp. */
#define MAX_UNIX_TIME UINT64_C(253402300799)
#define DEFAULT_MAP_BYTES ((size_t)1 << 30)

typedef crypto_secretstream_xchacha20poly1305_state stream_state;

static const uint8_t tag_message =
    crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
static const uint8_t tag_final =
    crypto_secretstream_xchacha20poly1305_TAG_FINAL;

/* ---- file helpers ------------------------------------------------------ */

static mpc_err write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return MPC_ERR_IO;
        p += w;
        n -= (size_t)w;
    }
    return MPC_OK;
}

/* Reads exactly `n` bytes; MPC_ERR_PARSE if the file ends first. */
static mpc_err read_exact(int fd, uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return MPC_ERR_IO;
        if (r == 0)
            return MPC_ERR_PARSE;
        p += r;
        n -= (size_t)r;
    }
    return MPC_OK;
}

static mpc_err at_eof(int fd)
{
    uint8_t b;
    ssize_t r;
    do {
        r = read(fd, &b, 1);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return MPC_ERR_IO;
    return r == 0 ? MPC_OK : MPC_ERR_PARSE;
}

static mpc_err join(char out[PATH_BUF], const char *dir, const char *name)
{
    int w = snprintf(out, PATH_BUF, "%s/%s", dir, name);
    return w > 0 && w < PATH_BUF ? MPC_OK : MPC_ERR_INVALID_ARG;
}

/* Makes a rename in the directory of `path` durable. */
static mpc_err sync_parent(const char *path)
{
    char dir[PATH_BUF];
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL ? 1 : (size_t)(slash - path);
    if (n == 0)
        n = 1; /* "/file" */
    if (n >= sizeof dir)
        return MPC_ERR_INVALID_ARG;
    memcpy(dir, slash == NULL ? "." : path, n);
    dir[n] = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return MPC_ERR_IO;
    int rc = fsync(fd);
    close(fd);
    return rc == 0 ? MPC_OK : MPC_ERR_IO;
}

/* ---- writing ------------------------------------------------------------ */

struct writer {
    int fd;
    stream_state st;
    uint8_t ad[NODE_KSF_BACKUP_AD_BYTES];
    uint8_t *msg;   /* NODE_KSF_MSG_MAX_BYTES */
    uint8_t *frame; /* length + NODE_KSF_FRAME_MAX_BYTES */
};

static mpc_err push(struct writer *w, const node_ksf_msg *m, uint8_t tag)
{
    size_t len;
    mpc_err err = node_ksf_msg_encode(w->msg, NODE_KSF_MSG_MAX_BYTES, &len, m);
    if (err != MPC_OK)
        return MPC_ERR_PARSE; /* a stored value out of bounds: damage */
    size_t clen = len + NODE_KSF_STREAM_ABYTES;
    crypto_secretstream_xchacha20poly1305_push(
        &w->st, w->frame + NODE_KSF_FRAME_LEN_BYTES, NULL, w->msg, len, w->ad,
        sizeof w->ad, tag);
    node_ksf_put_u32(w->frame, (uint32_t)clen);
    return write_all(w->fd, w->frame, NODE_KSF_FRAME_LEN_BYTES + clen);
}

static mpc_err write_header(node_keystore *ks, struct writer *w)
{
    uint8_t stream24[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    uint8_t hdr[NODE_KSF_BACKUP_HEADER_BYTES];
    const node_ksf_keys *keys = node_ks_vault_acquire(&ks->st.vault);
    if (keys == NULL)
        return MPC_ERR_INTERNAL;
    crypto_secretstream_xchacha20poly1305_init_push(&w->st, stream24,
                                                    keys->backup);
    node_ksf_backup_header_encode(hdr, &ks->header.kdf, keys->verify, stream24);
    node_ks_vault_release(&ks->st.vault);
    memcpy(w->ad, hdr, sizeof w->ad);
    return write_all(w->fd, hdr, sizeof hdr);
}

/* Streams every record of one read snapshot. */
static mpc_err dump(node_keystore *ks, struct writer *w, node_backup_info *info,
                    uint64_t now)
{
    MDB_txn *txn = NULL;
    MDB_cursor *cur = NULL;
    mpc_err err = node_ks_txn_begin(&ks->st, &txn, false);
    if (err != MPC_OK)
        return err;
    info->created = now;
    info->txn_id = (uint64_t)mdb_txn_id(txn);
    err = write_header(ks, w);
    node_ksf_msg m = {
        .type = NODE_KSF_MSG_INFO, .created = now, .txn_id = info->txn_id};
    if (err == MPC_OK)
        err = push(w, &m, tag_message);
    int rc = 0;
    if (err == MPC_OK)
        rc = mdb_cursor_open(txn, ks->st.dbi, &cur);
    MDB_val k, v;
    uint64_t n = 0;
    if (err == MPC_OK && rc == 0)
        rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    for (; err == MPC_OK && rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        m = (node_ksf_msg){.type = NODE_KSF_MSG_ENTRY,
                           .name = k.mv_data,
                           .name_len = k.mv_size,
                           .value = v.mv_data,
                           .value_len = v.mv_size};
        err = push(w, &m, tag_message);
        n++;
    }
    if (err == MPC_OK && rc != MDB_NOTFOUND)
        err = node_ks_mdb_err(rc);
    m = (node_ksf_msg){.type = NODE_KSF_MSG_END, .count = n};
    if (err == MPC_OK)
        err = push(w, &m, tag_final);
    if (cur != NULL)
        mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    if (err == MPC_OK)
        info->records = n;
    return err;
}

mpc_err node_backup_write(node_keystore *ks, node_backup_info *info,
                          const char *path, uint64_t now)
{
    node_backup_info local = {0};
    if (info != NULL)
        memset(info, 0, sizeof *info);
    char tmp[PATH_BUF];
    if (ks == NULL || path == NULL)
        return MPC_ERR_INVALID_ARG;
    int w = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (w <= 0 || (size_t)w >= sizeof tmp)
        return MPC_ERR_INVALID_ARG;

    struct writer wr = {.fd = -1};
    wr.msg = malloc(NODE_KSF_MSG_MAX_BYTES);
    wr.frame = malloc(NODE_KSF_FRAME_LEN_BYTES + NODE_KSF_FRAME_MAX_BYTES);
    mpc_err err = MPC_OK;
    if (wr.msg == NULL || wr.frame == NULL) {
        err = MPC_ERR_NOMEM;
        goto out;
    }
    wr.fd =
        open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (wr.fd < 0) {
        err = MPC_ERR_IO;
        goto out;
    }
    err = dump(ks, &wr, &local, now);
    if (err == MPC_OK && fsync(wr.fd) != 0)
        err = MPC_ERR_IO;
    if (close(wr.fd) != 0 && err == MPC_OK)
        err = MPC_ERR_IO;
    wr.fd = -1;
    if (err == MPC_OK && rename(tmp, path) != 0)
        err = MPC_ERR_IO;
    if (err == MPC_OK)
        err = sync_parent(path);
    if (err != MPC_OK)
        (void)unlink(tmp);
out:
    sodium_memzero(&wr.st, sizeof wr.st);
    free(wr.msg);
    free(wr.frame);
    if (err == MPC_OK && info != NULL)
        *info = local;
    return err;
}

/* ---- periodic backups --------------------------------------------------- */

static bool node_name_ok(const char *name)
{
    size_t n = strnlen(name, NODE_NAME_MAX + 1);
    if (n == 0 || n > NODE_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* True if `name` is "<prefix><stamp>-<20 digits>.mpcbak" exactly, so
 * node "a" never matches the backups of node "a-1". */
static bool is_backup_of(const char *name, const char *prefix, size_t plen)
{
    static const size_t suffix_len = sizeof NODE_BACKUP_SUFFIX - 1;
    size_t n = strlen(name);
    if (n != plen + STAMP_LEN + 1 + TXN_DIGITS + suffix_len ||
        strncmp(name, prefix, plen) != 0)
        return false;
    const char *s = name + plen;
    for (size_t i = 0; i < STAMP_LEN; i++) {
        bool digit = s[i] >= '0' && s[i] <= '9';
        if (i == 8 ? s[i] != 'T' : i == 15 ? s[i] != 'Z' : !digit)
            return false;
    }
    s += STAMP_LEN;
    if (*s++ != '-')
        return false;
    for (size_t i = 0; i < TXN_DIGITS; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return strcmp(s + TXN_DIGITS, NODE_BACKUP_SUFFIX) == 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Deletes this node's backups in `dir` beyond the newest `keep` (names
 * sort by time, then by snapshot). */
static mpc_err rotate(const char *dir, const char *prefix, unsigned keep)
{
    if (keep == 0)
        return MPC_OK;
    DIR *d = opendir(dir);
    if (d == NULL)
        return MPC_ERR_IO;
    char **names = NULL;
    size_t n = 0, cap = 0;
    mpc_err err = MPC_OK;
    size_t plen = strlen(prefix);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!is_backup_of(e->d_name, prefix, plen))
            continue;
        if (n == cap) {
            size_t ncap = cap == 0 ? 16 : 2 * cap;
            char **p = realloc(names, ncap * sizeof *names);
            if (p == NULL) {
                err = MPC_ERR_NOMEM;
                break;
            }
            names = p;
            cap = ncap;
        }
        if ((names[n] = strdup(e->d_name)) == NULL) {
            err = MPC_ERR_NOMEM;
            break;
        }
        n++;
    }
    if (err == MPC_OK && n > keep) {
        qsort(names, n, sizeof *names, cmp_names);
        for (size_t i = 0; i < n - keep; i++) {
            if (unlinkat(dirfd(d), names[i], 0) != 0 && errno != ENOENT)
                err = MPC_ERR_IO;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return err;
}

static mpc_err snapshot_txn(node_keystore *ks, uint64_t *txn_id)
{
    MDB_txn *txn = NULL;
    mpc_err err = node_ks_txn_begin(&ks->st, &txn, false);
    if (err != MPC_OK)
        return err;
    *txn_id = (uint64_t)mdb_txn_id(txn);
    mdb_txn_abort(txn);
    return MPC_OK;
}

mpc_err node_backup_periodic(node_keystore *ks, bool *written, char *path,
                             size_t path_cap, uint64_t *last_txn,
                             const char *dir, const char *node_name,
                             uint64_t now, unsigned keep)
{
    if (written != NULL)
        *written = false;
    if (path != NULL && path_cap != 0)
        memset(path, 0, path_cap);
    if (ks == NULL || written == NULL || last_txn == NULL || dir == NULL ||
        node_name == NULL || !node_name_ok(node_name) ||
        (path == NULL && path_cap != 0) || now > MAX_UNIX_TIME)
        return MPC_ERR_INVALID_ARG;

    uint64_t current;
    mpc_err err = snapshot_txn(ks, &current);
    if (err != MPC_OK || current == *last_txn)
        return err;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return MPC_ERR_IO;

    char prefix[NODE_NAME_MAX + 16], stamp[STAMP_LEN + 1], file[PATH_BUF];
    time_t t = (time_t)now;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL ||
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm) != STAMP_LEN)
        return MPC_ERR_INVALID_ARG;
    snprintf(prefix, sizeof prefix, "backup-%s-", node_name);
    int w = snprintf(file, sizeof file, "%s/%s%s-%020" PRIu64 "%s", dir, prefix,
                     stamp, current, NODE_BACKUP_SUFFIX);
    if (w <= 0 || (size_t)w >= sizeof file ||
        (path != NULL && (size_t)w >= path_cap))
        return MPC_ERR_INVALID_ARG;

    node_backup_info info;
    err = node_backup_write(ks, &info, file, now);
    if (err != MPC_OK)
        return err;
    /* The snapshot may be newer than `current` if a commit came between;
     * the file name keeps the older id, which only means that the next
     * run sees no change. */
    *last_txn = info.txn_id;
    *written = true;
    if (path != NULL)
        memcpy(path, file, (size_t)w + 1);
    return rotate(dir, prefix, keep);
}

/* ---- reading ------------------------------------------------------------ */

struct reader {
    int fd;
    stream_state st;
    uint8_t header[NODE_KSF_BACKUP_HEADER_BYTES];
    node_ksf_kdf kdf;
    uint8_t *frame; /* NODE_KSF_FRAME_MAX_BYTES */
    uint8_t *msg;   /* NODE_KSF_MSG_MAX_BYTES */
};

static mpc_err pull(struct reader *r, node_ksf_msg *m, uint8_t *tag)
{
    uint8_t len4[NODE_KSF_FRAME_LEN_BYTES];
    mpc_err err = read_exact(r->fd, len4, sizeof len4);
    if (err != MPC_OK)
        return err;
    size_t clen = node_ksf_get_u32(len4);
    if (clen <= NODE_KSF_STREAM_ABYTES || clen > NODE_KSF_FRAME_MAX_BYTES)
        return MPC_ERR_PARSE;
    err = read_exact(r->fd, r->frame, clen);
    if (err != MPC_OK)
        return err;
    unsigned long long mlen = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(
            &r->st, r->msg, &mlen, tag, r->frame, clen, r->header,
            NODE_KSF_BACKUP_AD_BYTES) != 0)
        return MPC_ERR_VERIFY;
    return node_ksf_msg_parse(m, r->msg, (size_t)mlen);
}

typedef mpc_err (*entry_fn)(void *ud, const node_ksf_msg *m);

/*
 * Reads the stream from just after the file header to its end: INFO, the
 * entries (each passed to `fn`), END with the right count and the FINAL
 * tag, then end of file.
 */
static mpc_err scan(struct reader *r, node_backup_info *info, entry_fn fn,
                    void *ud, const uint8_t *backup_key)
{
    if (lseek(r->fd, NODE_KSF_BACKUP_HEADER_BYTES, SEEK_SET) < 0)
        return MPC_ERR_IO;
    if (crypto_secretstream_xchacha20poly1305_init_pull(
            &r->st, r->header + NODE_KSF_BACKUP_AD_BYTES, backup_key) != 0)
        return MPC_ERR_PARSE;
    node_ksf_msg m;
    uint8_t tag;
    mpc_err err = pull(r, &m, &tag);
    if (err != MPC_OK)
        return err;
    if (m.type != NODE_KSF_MSG_INFO || tag != tag_message)
        return MPC_ERR_PARSE;
    info->created = m.created;
    info->txn_id = m.txn_id;
    uint64_t n = 0;
    for (;;) {
        err = pull(r, &m, &tag);
        if (err != MPC_OK)
            return err;
        if (m.type == NODE_KSF_MSG_END && tag == tag_final)
            break;
        if (m.type != NODE_KSF_MSG_ENTRY || tag != tag_message)
            return MPC_ERR_PARSE;
        err = fn(ud, &m);
        if (err != MPC_OK)
            return err;
        n++;
    }
    if (m.count != n)
        return MPC_ERR_VERIFY;
    info->records = n;
    return at_eof(r->fd);
}

static bool is_header_entry(const node_ksf_msg *m)
{
    return m->name_len == sizeof NODE_KSF_HEADER_NAME - 1 &&
           memcmp(m->name, NODE_KSF_HEADER_NAME, m->name_len) == 0;
}

/* Pass 1: the keystore header must match the file's KDF parameters and
 * authenticate; every record must open under the keystore key. */
struct check {
    const node_ksf_keys *keys;
    const node_ksf_kdf *kdf;
    uint8_t *buf; /* NODE_KSF_PLAIN_MAX_BYTES */
    bool have_header;
};

static mpc_err check_header(struct check *c, const node_ksf_msg *m)
{
    node_ksf_header h;
    if (c->have_header)
        return MPC_ERR_PARSE;
    mpc_err err = node_ksf_header_parse(&h, m->value, m->value_len);
    if (err != MPC_OK)
        return err;
    if (h.kdf.opslimit != c->kdf->opslimit ||
        h.kdf.memlimit != c->kdf->memlimit ||
        memcmp(h.kdf.salt, c->kdf->salt, sizeof h.kdf.salt) != 0)
        return MPC_ERR_VERIFY;
    if (node_ksf_header_verify(m->value, m->value_len, c->keys->verify) !=
        MPC_OK)
        return MPC_ERR_VERIFY;
    c->have_header = true;
    return MPC_OK;
}

static mpc_err check_entry(void *ud, const node_ksf_msg *m)
{
    struct check *c = ud;
    if (is_header_entry(m))
        return check_header(c, m);
    /* Exactly the plaintext's room: record_open clears all of `cap`. */
    size_t cap = m->value_len > NODE_KSF_RECORD_OVERHEAD_BYTES
                     ? m->value_len - NODE_KSF_RECORD_OVERHEAD_BYTES
                     : 0;
    size_t n = 0;
    mpc_err err =
        node_ksf_record_open(c->buf, cap, &n, c->keys->record, m->name,
                             m->name_len, m->value, m->value_len);
    sodium_memzero(c->buf, n);
    return err;
}

/* Pass 2: copy every record; the header gets a new instance id. */
struct restore {
    MDB_txn *txn;
    MDB_dbi dbi;
    const node_ksf_keys *keys;
    const node_ksf_kdf *kdf;
};

static mpc_err restore_entry(void *ud, const node_ksf_msg *m)
{
    struct restore *rs = ud;
    uint8_t hdr[NODE_KSF_HEADER_BYTES];
    MDB_val k = {.mv_size = m->name_len, .mv_data = (void *)m->name};
    MDB_val v = {.mv_size = m->value_len, .mv_data = (void *)m->value};
    if (is_header_entry(m)) {
        node_ksf_header h = {.kdf = *rs->kdf};
        randombytes_buf(h.instance, sizeof h.instance);
        node_ksf_header_encode(hdr, &h, rs->keys->verify);
        v = (MDB_val){.mv_size = sizeof hdr, .mv_data = hdr};
    }
    int rc = mdb_put(rs->txn, rs->dbi, &k, &v, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST)
        return MPC_ERR_PARSE; /* a name twice: not a keystore snapshot */
    return node_ks_mdb_err(rc);
}

static void reader_clear(struct reader *r)
{
    if (r->fd >= 0)
        close(r->fd);
    sodium_memzero(&r->st, sizeof r->st);
    if (r->msg != NULL) {
        sodium_memzero(r->msg, NODE_KSF_MSG_MAX_BYTES);
        free(r->msg);
    }
    free(r->frame);
    memset(r, 0, sizeof *r);
    r->fd = -1;
}

/* Opens a backup file, checks its header and derives the keys into
 * `vault` (initialized here; the caller clears it). */
static mpc_err reader_open(struct reader *r, node_ks_vault *vault,
                           const char *path, const uint8_t *pw, size_t pw_len)
{
    uint8_t stream24[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    if (sodium_init() < 0)
        return MPC_ERR_INTERNAL;
    r->frame = malloc(NODE_KSF_FRAME_MAX_BYTES);
    r->msg = malloc(NODE_KSF_MSG_MAX_BYTES);
    if (r->frame == NULL || r->msg == NULL)
        return MPC_ERR_NOMEM;
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0)
        return MPC_ERR_IO;
    mpc_err err = read_exact(r->fd, r->header, sizeof r->header);
    if (err == MPC_OK)
        err = node_ksf_backup_header_parse(&r->kdf, stream24, r->header,
                                           sizeof r->header);
    if (err == MPC_OK)
        err = node_ks_vault_init(vault);
    if (err == MPC_OK)
        err = node_ksf_keys_derive(vault->keys, pw, pw_len, &r->kdf);
    if (err == MPC_OK)
        err = node_ksf_header_verify(r->header, sizeof r->header,
                                     vault->keys->verify);
    return err;
}

/* Pass 1 over an open reader. */
static mpc_err verify_all(struct reader *r, const node_ks_vault *vault,
                          node_backup_info *info)
{
    struct check c = {.keys = vault->keys, .kdf = &r->kdf};
    c.buf = malloc(NODE_KSF_PLAIN_MAX_BYTES);
    if (c.buf == NULL)
        return MPC_ERR_NOMEM;
    mpc_err err = scan(r, info, check_entry, &c, vault->keys->backup);
    if (err == MPC_OK && !c.have_header)
        err = MPC_ERR_PARSE;
    free(c.buf);
    return err;
}

static bool pw_args_ok(const char *path, const uint8_t *pw, size_t pw_len)
{
    return path != NULL && pw != NULL && pw_len >= 1 &&
           pw_len <= NODE_KEYSTORE_PASSWORD_MAX_BYTES;
}

mpc_err node_backup_verify(node_backup_info *info, const char *path,
                           const uint8_t *pw, size_t pw_len)
{
    if (info != NULL)
        memset(info, 0, sizeof *info);
    if (!pw_args_ok(path, pw, pw_len))
        return MPC_ERR_INVALID_ARG;
    struct reader r = {.fd = -1};
    node_ks_vault vault = {0};
    node_backup_info local = {0};
    mpc_err err = reader_open(&r, &vault, path, pw, pw_len);
    if (err == MPC_OK)
        err = verify_all(&r, &vault, &local);
    reader_clear(&r);
    node_ks_vault_clear(&vault);
    if (err == MPC_OK && info != NULL)
        *info = local;
    return err;
}

/* ---- restore ------------------------------------------------------------ */

/* Whether `dir` exists and whether it holds anything. */
static mpc_err target_state(const char *dir, bool *exists, bool *empty)
{
    *exists = false;
    *empty = true;
    DIR *d = opendir(dir);
    if (d == NULL)
        return errno == ENOENT ? MPC_OK : MPC_ERR_IO;
    *exists = true;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            *empty = false;
            break;
        }
    }
    closedir(d);
    return MPC_OK;
}

static mpc_err remove_env_files(const char *dir)
{
    static const char *const files[] = {"data.mdb", "lock.mdb"};
    char p[PATH_BUF];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        mpc_err err = join(p, dir, files[i]);
        if (err != MPC_OK)
            return err;
        if (unlink(p) != 0 && errno != ENOENT)
            return MPC_ERR_IO;
    }
    return MPC_OK;
}

/* Pass 2: writes the records into a new environment in one transaction
 * that commits only once the stream verified to its end. */
static mpc_err write_env(struct reader *r, const node_ks_vault *vault,
                         node_backup_info *info, const char *dir,
                         size_t map_bytes)
{
    node_ks_store st = {0};
    mpc_err err = node_ks_env_open(
        &st.env, &st.dbi, dir, map_bytes != 0 ? map_bytes : DEFAULT_MAP_BYTES);
    if (err != MPC_OK)
        return err;
    MDB_txn *txn = NULL;
    err = node_ks_txn_begin(&st, &txn, true);
    if (err == MPC_OK) {
        struct restore rs = {
            .txn = txn, .dbi = st.dbi, .keys = vault->keys, .kdf = &r->kdf};
        err = scan(r, info, restore_entry, &rs, vault->keys->backup);
        if (err == MPC_OK)
            err = node_ks_txn_commit(txn);
        else
            mdb_txn_abort(txn);
    }
    mdb_env_close(st.env);
    return err;
}

mpc_err node_backup_restore(node_backup_info *info, const char *path,
                            const uint8_t *pw, size_t pw_len, const char *dir,
                            bool force, size_t map_bytes)
{
    if (info != NULL)
        memset(info, 0, sizeof *info);
    if (!pw_args_ok(path, pw, pw_len) || dir == NULL)
        return MPC_ERR_INVALID_ARG;
    bool exists, empty, created = false;
    mpc_err err = target_state(dir, &exists, &empty);
    if (err != MPC_OK)
        return err;
    if (!empty && !force)
        return MPC_ERR_CONFLICT;

    struct reader r = {.fd = -1};
    node_ks_vault vault = {0};
    node_backup_info local = {0};
    err = reader_open(&r, &vault, path, pw, pw_len);
    if (err == MPC_OK)
        err = verify_all(&r, &vault, &local);
    if (err != MPC_OK)
        goto out;

    /* Verified: only now touch the target. */
    if (!exists) {
        if (mkdir(dir, 0700) != 0) {
            err = MPC_ERR_IO;
            goto out;
        }
        created = true;
    }
    err = remove_env_files(dir);
    if (err == MPC_OK)
        err = write_env(&r, &vault, &local, dir, map_bytes);
    if (err != MPC_OK) {
        (void)remove_env_files(dir);
        if (created)
            (void)rmdir(dir);
    }
out:
    reader_clear(&r);
    node_ks_vault_clear(&vault);
    if (err == MPC_OK && info != NULL)
        *info = local;
    return err;
}
