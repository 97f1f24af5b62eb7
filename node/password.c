/* node/password.c — operator password from a file, the environment or the
 * terminal. */
#include "node/password.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "mpc/mem.h"

/* Room for the longest password plus a CRLF line end and the NUL. */
#define CAPACITY (NODE_PASSWORD_MAX_BYTES + 3)
/* sodium_malloc does not align what it returns unless the size is a
 * multiple of the alignment; keep the struct that starts the block aligned.
 */
#define BLOCK_BYTES ((sizeof(node_password) + CAPACITY + 15) & ~(size_t)15)

enum {
    KEY_ETX = 0x03, /* Ctrl-C */
    KEY_EOT = 0x04, /* Ctrl-D */
    KEY_BS = 0x08,
    KEY_NAK = 0x15, /* Ctrl-U */
    KEY_DEL = 0x7f,
};

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

void node_password_source_default(node_password_source *src)
{
    memset(src, 0, sizeof *src);
    src->tty_fd = -1;
}

/* One guarded block holds the struct and the bytes. */
static node_password *pw_new(void)
{
    if (sodium_init() < 0)
        return NULL;
    uint8_t *block = sodium_malloc(BLOCK_BYTES);
    if (block == NULL)
        return NULL;
    memset(block, 0, BLOCK_BYTES);
    node_password *pw = (node_password *)(void *)block;
    pw->data = (char *)(block + sizeof(node_password));
    return pw;
}

void node_password_free(node_password *pw)
{
    if (pw != NULL)
        sodium_free(pw); /* wipes the whole block */
}

static mpc_err check(const char *data, size_t len, size_t min_len,
                     const char *what, char *err, size_t err_len)
{
    if (min_len == 0)
        min_len = 1;
    if (len == 0)
        return fail(err, err_len, MPC_ERR_PARSE, "%s: password is empty", what);
    if (len > NODE_PASSWORD_MAX_BYTES)
        return fail(err, err_len, MPC_ERR_PARSE,
                    "%s: password longer than %d bytes", what,
                    NODE_PASSWORD_MAX_BYTES);
    if (memchr(data, '\0', len) != NULL)
        return fail(err, err_len, MPC_ERR_PARSE,
                    "%s: password contains a NUL byte", what);
    if (len < min_len)
        return fail(err, err_len, MPC_ERR_PARSE,
                    "%s: password shorter than %zu bytes", what, min_len);
    return MPC_OK;
}

static mpc_err finish(node_password **out, node_password *pw, size_t len,
                      size_t min_len, const char *what, char *err,
                      size_t err_len)
{
    pw->len = len;
    mpc_err rc = check(pw->data, len, min_len, what, err, err_len);
    if (rc != MPC_OK) {
        node_password_free(pw);
        return rc;
    }
    pw->data[len] = '\0';
    *out = pw;
    return MPC_OK;
}

mpc_err node_password_from_bytes(node_password **out, const char *data,
                                 size_t len, size_t min_len, char *err,
                                 size_t err_len)
{
    *out = NULL;
    if (len > NODE_PASSWORD_MAX_BYTES)
        return check(data, len, min_len, "password", err, err_len);
    node_password *pw = pw_new();
    if (pw == NULL)
        return MPC_ERR_NOMEM;
    memcpy(pw->data, data, len);
    return finish(out, pw, len, min_len, "password", err, err_len);
}

static mpc_err from_file(node_password **out, const char *path, size_t min_len,
                         char *err, size_t err_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(err, err_len, MPC_ERR_IO, "password file %s: %s", path,
                    strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size > CAPACITY - 1) {
        close(fd);
        return fail(err, err_len, MPC_ERR_IO,
                    "password file %s: not a regular file of at most %d "
                    "bytes",
                    path, NODE_PASSWORD_MAX_BYTES + 2);
    }
    node_password *pw = pw_new();
    if (pw == NULL) {
        close(fd);
        return MPC_ERR_NOMEM;
    }
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, pw->data + n, CAPACITY - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            node_password_free(pw);
            return fail(err, err_len, MPC_ERR_IO, "password file %s: %s", path,
                        strerror(e));
        }
        if (r == 0 || (n += (size_t)r) == CAPACITY - 1)
            break;
    }
    close(fd);
    while (n > 0 && (pw->data[n - 1] == '\n' || pw->data[n - 1] == '\r'))
        pw->data[--n] = '\0';
    return finish(out, pw, n, min_len, "password file", err, err_len);
}

static const char *env_lookup(const char *const *envp, const char *name)
{
    size_t n = strlen(name);
    for (; envp != NULL && *envp != NULL; envp++)
        if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
            return *envp + n + 1;
    return NULL;
}

static bool write_str(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        s += w;
        n -= (size_t)w;
    }
    return true;
}

/* Reads one line with the terminal already in raw, no-echo mode. */
static mpc_err read_line(int fd, char *buf, size_t cap, size_t *len, char *err,
                         size_t err_len)
{
    size_t n = 0;
    unsigned char c = 0;
    mpc_err rc = MPC_OK;
    for (;;) {
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = fail(err, err_len, MPC_ERR_IO, "terminal closed");
            break;
        }
        if (c == '\n' || c == '\r')
            break;
        if (c == KEY_ETX || (c == KEY_EOT && n == 0)) {
            rc = fail(err, err_len, MPC_ERR_IO, "password entry cancelled");
            break;
        }
        if (c == KEY_DEL || c == KEY_BS) {
            if (n > 0)
                buf[--n] = '\0';
        } else if (c == KEY_NAK) {
            mpc_wipe(buf, n);
            n = 0;
        } else if (c != KEY_EOT) {
            if (n == cap) {
                rc = fail(err, err_len, MPC_ERR_PARSE,
                          "password longer than %d bytes",
                          NODE_PASSWORD_MAX_BYTES);
                break;
            }
            buf[n++] = (char)c;
        }
    }
    c = 0;
    if (rc != MPC_OK) {
        mpc_wipe(buf, cap);
        n = 0;
    }
    *len = n;
    return rc;
}

/* One prompt: no echo, no canonical editing, no signals (so Ctrl-C cannot
 * kill us with echo still off), then the old settings back. */
static mpc_err prompt_once(int fd, const char *prompt, char *buf, size_t cap,
                           size_t *len, char *err, size_t err_len)
{
    struct termios old, raw;
    *len = 0;
    if (!isatty(fd) || tcgetattr(fd, &old) != 0)
        return fail(err, err_len, MPC_ERR_IO,
                    "cannot prompt for a password: not a terminal (use a "
                    "password file)");
    raw = old;
    raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(fd, TCSAFLUSH, &raw) != 0)
        return fail(err, err_len, MPC_ERR_IO, "cannot turn off echo: %s",
                    strerror(errno));
    mpc_err rc = MPC_OK;
    if (!write_str(fd, prompt))
        rc = fail(err, err_len, MPC_ERR_IO, "cannot write the prompt");
    else
        rc = read_line(fd, buf, cap, len, err, err_len);
    /* Discard anything typed past the line (e.g. after an overlong entry)
     * while restoring. */
    tcsetattr(fd, TCSAFLUSH, &old);
    (void)write_str(fd, "\n");
    return rc;
}

mpc_err node_password_prompt(node_password **out, int fd, const char *prompt,
                             bool confirm, size_t min_len, char *err,
                             size_t err_len)
{
    *out = NULL;
    node_password *pw = pw_new();
    node_password *again = NULL;
    size_t len = 0, len2 = 0;
    mpc_err rc;
    if (pw == NULL)
        return MPC_ERR_NOMEM;
    if (prompt == NULL)
        prompt = "Password: ";
    rc = prompt_once(fd, prompt, pw->data, NODE_PASSWORD_MAX_BYTES, &len, err,
                     err_len);
    if (rc == MPC_OK)
        rc = check(pw->data, len, min_len, "prompt", err, err_len);
    if (rc == MPC_OK && confirm) {
        again = pw_new();
        if (again == NULL)
            rc = MPC_ERR_NOMEM;
        else
            rc = prompt_once(fd, "Repeat to confirm: ", again->data,
                             NODE_PASSWORD_MAX_BYTES, &len2, err, err_len);
        if (rc == MPC_OK &&
            (len2 != len || sodium_memcmp(again->data, pw->data, len) != 0))
            rc = fail(err, err_len, MPC_ERR_CONFLICT, "the two entries differ");
        node_password_free(again);
    }
    if (rc != MPC_OK) {
        node_password_free(pw);
        return rc;
    }
    return finish(out, pw, len, min_len, "prompt", err, err_len);
}

static mpc_err prompt_tty(node_password **out, const node_password_source *src,
                          char *err, size_t err_len)
{
    int fd = src->tty_fd;
    if (fd < 0) {
        fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
            return fail(err, err_len, MPC_ERR_IO,
                        "cannot prompt for a password: no terminal (%s); use "
                        "a password file",
                        strerror(errno));
    }
    mpc_err rc = node_password_prompt(out, fd, src->prompt_text, src->confirm,
                                      src->min_len, err, err_len);
    if (src->tty_fd < 0)
        close(fd);
    return rc;
}

mpc_err node_password_read(node_password **out, const node_password_source *src,
                           char *err, size_t err_len)
{
    *out = NULL;
    if (err != NULL && err_len > 0)
        err[0] = '\0';
    if (src->file != NULL)
        return from_file(out, src->file, src->min_len, err, err_len);
    const char *env =
        src->env_name != NULL ? env_lookup(src->envp, src->env_name) : NULL;
    if (env != NULL) {
        mpc_err rc = node_password_from_bytes(out, env, strlen(env),
                                              src->min_len, err, err_len);
        if (rc != MPC_OK)
            fail(err, err_len, rc, "%s: %s", src->env_name,
                 rc == MPC_ERR_PARSE ? "password empty, too short or too long"
                                     : mpc_err_str(rc));
        return rc;
    }
    if (src->prompt)
        return prompt_tty(out, src, err, err_len);
    return fail(err, err_len, MPC_ERR_NOT_FOUND,
                "no password given: use a password file%s%s or an "
                "interactive prompt",
                src->env_name ? ", " : "", src->env_name ? src->env_name : "");
}
