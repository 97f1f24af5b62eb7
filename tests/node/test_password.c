/*
 * Tests of node/password: files (line ends trimmed, nothing else), the
 * environment, source order, limits, and the terminal prompt driven through
 * a pseudo-terminal: no echo, line editing, cancel, confirmation, and the
 * terminal settings restored.
 */
#define _GNU_SOURCE /* posix_openpt, ptsname */
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>

#include "node/password.h"
#include "tests/harness/test.h"
#include "tests/node/nodecfg_util.h"

#define ERRLEN 512

static bool has(const char *haystack, const char *needle)
{
    return needle == NULL || strstr(haystack, needle) != NULL;
}

static mpc_err from_file_text(node_password **pw, const void *data, size_t len,
                              size_t min_len, char *err)
{
    char dir[NC_PATH], path[NC_PATH];
    node_password_source src;
    if (!nc_tmpdir(dir) || !nc_write(dir, "pw", data, len, path))
        return MPC_ERR_IO;
    node_password_source_default(&src);
    src.file = path;
    src.min_len = min_len;
    mpc_err rc = node_password_read(pw, &src, err, ERRLEN);
    nc_rmtree(dir);
    return rc;
}

TEST(nodecfg_password_file)
{
    static const struct {
        const char *text;
        const char *want; /* NULL: rejected with PARSE */
    } cases[] = {
        {"secret", "secret"},
        {"secret\n", "secret"},
        {"secret\r\n", "secret"},
        {"secret\n\n\r\n", "secret"},
        {" spaced out \t\n", " spaced out \t"},
        {"two\nlines\n", "two\nlines"},
        {"\n", NULL},
        {"", NULL},
    };
    char err[ERRLEN];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        node_password *pw = (node_password *)1;
        mpc_err rc =
            from_file_text(&pw, cases[i].text, strlen(cases[i].text), 0, err);
        if (cases[i].want == NULL) {
            CHECK(rc == MPC_ERR_PARSE && pw == NULL);
            CHECK(has(err, "password is empty"));
            continue;
        }
        CHECK(rc == MPC_OK);
        CHECK(pw->len == strlen(cases[i].want));
        CHECK(strcmp(pw->data, cases[i].want) == 0);
        node_password_free(pw);
    }
    node_password_free(NULL);
}

TEST(nodecfg_password_file_limits)
{
    char err[ERRLEN], buf[NODE_PASSWORD_MAX_BYTES + 8];
    node_password *pw = NULL;
    /* exactly the maximum, with a CRLF */
    memset(buf, 'x', sizeof buf);
    memcpy(buf + NODE_PASSWORD_MAX_BYTES, "\r\n", 2);
    CHECK_OK(from_file_text(&pw, buf, NODE_PASSWORD_MAX_BYTES + 2, 0, err));
    CHECK(pw->len == NODE_PASSWORD_MAX_BYTES);
    node_password_free(pw);
    /* one byte more */
    memset(buf, 'x', sizeof buf);
    CHECK_ERR(from_file_text(&pw, buf, NODE_PASSWORD_MAX_BYTES + 1, 0, err),
              MPC_ERR_PARSE);
    CHECK(has(err, "longer than 1024"));
    /* far too large: refused before reading */
    CHECK_ERR(from_file_text(&pw, buf, NODE_PASSWORD_MAX_BYTES + 3, 0, err),
              MPC_ERR_IO);
    CHECK(has(err, "password file") && pw == NULL);
    /* a NUL inside */
    CHECK_ERR(from_file_text(&pw, "ab\0cd", 5, 0, err), MPC_ERR_PARSE);
    CHECK(has(err, "NUL"));
    /* a minimum length */
    CHECK_ERR(from_file_text(&pw, "short\n", 6, 12, err), MPC_ERR_PARSE);
    CHECK(has(err, "shorter than 12"));
    CHECK_OK(from_file_text(&pw, "exactly12345\n", 13, 12, err));
    node_password_free(pw);

    /* missing file, a directory */
    node_password_source src;
    node_password_source_default(&src);
    src.file = "/nonexistent/pw";
    CHECK_ERR(node_password_read(&pw, &src, err, ERRLEN), MPC_ERR_IO);
    CHECK(has(err, "/nonexistent/pw"));
    src.file = "/tmp";
    CHECK_ERR(node_password_read(&pw, &src, err, ERRLEN), MPC_ERR_IO);
    CHECK(has(err, "not a regular file") && pw == NULL);
}

TEST(nodecfg_password_env_and_order)
{
    char err[ERRLEN];
    node_password *pw = NULL;
    node_password_source src;
    const char *envp[] = {"MPCIUM_DB_PASSWORDX=no", "MPCIUM_DB_PASSWORD=env pw",
                          "EMPTY=", NULL};
    node_password_source_default(&src);
    CHECK(src.tty_fd == -1 && src.file == NULL && !src.prompt);
    src.env_name = "MPCIUM_DB_PASSWORD";
    src.envp = envp;
    CHECK_OK(node_password_read(&pw, &src, err, ERRLEN));
    CHECK(strcmp(pw->data, "env pw") == 0 && pw->len == 6);
    node_password_free(pw);

    /* the file comes first, and a broken file is not skipped */
    char dir[NC_PATH], path[NC_PATH];
    CHECK(nc_tmpdir(dir));
    CHECK(nc_write_str(dir, "pw", "file pw\n", path));
    src.file = path;
    CHECK_OK(node_password_read(&pw, &src, err, ERRLEN));
    CHECK(strcmp(pw->data, "file pw") == 0);
    node_password_free(pw);
    src.file = "/nonexistent/pw";
    CHECK_ERR(node_password_read(&pw, &src, err, ERRLEN), MPC_ERR_IO);
    nc_rmtree(dir);

    /* an empty variable is an error naming it */
    src.file = NULL;
    src.env_name = "EMPTY";
    CHECK_ERR(node_password_read(&pw, &src, err, ERRLEN), MPC_ERR_PARSE);
    CHECK(has(err, "EMPTY"));
    src.min_len = 12;
    src.env_name = "MPCIUM_DB_PASSWORD";
    CHECK_ERR(node_password_read(&pw, &src, err, ERRLEN), MPC_ERR_PARSE);
    CHECK(has(err, "MPCIUM_DB_PASSWORD"));
    CHECK(!has(err, "env pw"));

    /* nothing configured or found */
    src.min_len = 0;
    src.env_name = "ABSENT";
    CHECK_ERR(node_password_read(&pw, &src, err, ERRLEN), MPC_ERR_NOT_FOUND);
    CHECK(has(err, "no password given") && has(err, "ABSENT"));
    src.envp = NULL;
    src.env_name = "MPCIUM_DB_PASSWORD";
    CHECK_ERR(node_password_read(&pw, &src, err, ERRLEN), MPC_ERR_NOT_FOUND);
    node_password_source_default(&src);
    CHECK_ERR(node_password_read(&pw, &src, NULL, 0), MPC_ERR_NOT_FOUND);
    CHECK(pw == NULL);
}

TEST(nodecfg_password_from_bytes)
{
    char err[ERRLEN];
    node_password *pw = NULL;
    CHECK_OK(node_password_from_bytes(&pw, "abc", 3, 0, err, ERRLEN));
    CHECK(pw->len == 3 && pw->data[3] == '\0');
    node_password_free(pw);
    CHECK_ERR(node_password_from_bytes(&pw, "", 0, 0, err, ERRLEN),
              MPC_ERR_PARSE);
    CHECK_ERR(node_password_from_bytes(&pw, "a\0b", 3, 0, err, ERRLEN),
              MPC_ERR_PARSE);
    char big[NODE_PASSWORD_MAX_BYTES + 1];
    memset(big, 'a', sizeof big);
    CHECK_ERR(node_password_from_bytes(&pw, big, sizeof big, 0, err, ERRLEN),
              MPC_ERR_PARSE);
    CHECK_OK(
        node_password_from_bytes(&pw, big, sizeof big - 1, 0, err, ERRLEN));
    node_password_free(pw);
    CHECK_ERR(node_password_from_bytes(&pw, "abc", 3, 4, err, ERRLEN),
              MPC_ERR_PARSE);
    CHECK(pw == NULL);
}

/* ---- the prompt, through a pseudo-terminal ----------------------------- */

struct pty {
    int master, slave;
};

static bool pty_open(struct pty *p)
{
    p->master = posix_openpt(O_RDWR | O_NOCTTY);
    if (p->master < 0 || grantpt(p->master) != 0 || unlockpt(p->master) != 0)
        return false;
    const char *name = ptsname(p->master);
    p->slave = name ? open(name, O_RDWR | O_NOCTTY) : -1;
    return p->slave >= 0;
}

static void pty_close(struct pty *p)
{
    close(p->slave);
    if (p->master >= 0)
        close(p->master);
}

struct job {
    int fd;
    bool confirm;
    size_t min_len;
    const char *via_read; /* non-NULL: go through node_password_read */
    mpc_err rc;
    node_password *pw;
    char err[ERRLEN];
};

static void *prompt_thread(void *arg)
{
    struct job *j = arg;
    if (j->via_read != NULL) {
        node_password_source src;
        node_password_source_default(&src);
        src.prompt = true;
        src.prompt_text = j->via_read;
        src.tty_fd = j->fd;
        src.confirm = j->confirm;
        src.min_len = j->min_len;
        j->rc = node_password_read(&j->pw, &src, j->err, sizeof j->err);
    } else {
        j->rc = node_password_prompt(&j->pw, j->fd, "PW> ", j->confirm,
                                     j->min_len, j->err, sizeof j->err);
    }
    return NULL;
}

/* Reads the terminal's output until it contains `needle` (5 s bound). */
static bool wait_for(int master, char *seen, size_t cap, size_t *len,
                     const char *needle)
{
    for (int rounds = 0; rounds < 50; rounds++) {
        seen[*len] = '\0';
        if (strstr(seen, needle) != NULL)
            return true;
        struct pollfd pfd = {master, POLLIN, 0};
        if (poll(&pfd, 1, 100) == 1) {
            ssize_t r = read(master, seen + *len, cap - 1 - *len);
            if (r > 0)
                *len += (size_t)r;
        }
    }
    return false;
}

/* Types each of `inputs` after the matching prompt appears; returns the
 * terminal's whole output in `seen`. */
static bool converse(struct pty *p, struct job *j, const char *const *prompts,
                     const char *const *inputs, size_t n, char *seen,
                     size_t cap)
{
    pthread_t t;
    size_t len = 0;
    j->fd = p->slave;
    if (pthread_create(&t, NULL, prompt_thread, j) != 0)
        return false;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        /* The prompt is written after echo is off: typing now is safe. */
        ok = wait_for(p->master, seen, cap, &len, prompts[i]) &&
             write(p->master, inputs[i], strlen(inputs[i])) ==
                 (ssize_t)strlen(inputs[i]);
        /* consume this prompt so the next wait looks for a new one */
        char *at = strstr(seen, prompts[i]);
        if (ok && at != NULL)
            memset(at, '_', strlen(prompts[i]));
    }
    /* A prompt that never returns must fail the test, not hang the run:
     * hanging up the terminal makes its read fail. */
    struct timespec limit;
    clock_gettime(CLOCK_REALTIME, &limit);
    limit.tv_sec += 5;
    if (!ok || pthread_timedjoin_np(t, NULL, &limit) != 0) {
        close(p->master);
        p->master = -1;
        pthread_join(t, NULL);
        return false;
    }
    /* whatever the prompt printed last (the final newline) */
    struct pollfd pfd = {p->master, POLLIN, 0};
    while (poll(&pfd, 1, 50) == 1) {
        ssize_t r = read(p->master, seen + len, cap - 1 - len);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    seen[len] = '\0';
    return true;
}

TEST(nodecfg_password_prompt_no_echo)
{
    struct pty p;
    struct termios before, after;
    char seen[4096];
    struct job j = {0};
    CHECK(pty_open(&p));
    CHECK(tcgetattr(p.slave, &before) == 0);
    CHECK((before.c_lflag & ECHO) != 0); /* the pty echoes by default */
    const char *prompts[] = {"PW> "};
    const char *inputs[] = {"hunter2-typed\r"};
    CHECK(converse(&p, &j, prompts, inputs, 1, seen, sizeof seen));
    CHECK_OK(j.rc);
    CHECK(strcmp(j.pw->data, "hunter2-typed") == 0);
    CHECK(strstr(seen, "hunter2") == NULL); /* never echoed */
    CHECK(tcgetattr(p.slave, &after) == 0);
    CHECK(after.c_lflag == before.c_lflag);
    CHECK(after.c_cc[VMIN] == before.c_cc[VMIN]);
    node_password_free(j.pw);
    pty_close(&p);
}

TEST(nodecfg_password_prompt_editing)
{
    static const struct {
        const char *typed;
        const char *want;
    } cases[] = {
        {"abx\x7f"
         "c\n",
         "abc"}, /* DEL */
        {"abx\b"
         "c\r",
         "abc"}, /* backspace */
        {"\x7f\x7f"
         "a\n",
         "a"},                         /* erase on an empty line */
        {"wrong\x15right\n", "right"}, /* Ctrl-U */
        {"a\x04"
         "b\n",
         "ab"}, /* Ctrl-D inside a line is ignored */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pty p;
        char seen[4096];
        struct job j = {0};
        CHECK(pty_open(&p));
        const char *prompts[] = {"PW> "};
        const char *inputs[] = {cases[i].typed};
        CHECK(converse(&p, &j, prompts, inputs, 1, seen, sizeof seen));
        CHECK_OK(j.rc);
        CHECK(strcmp(j.pw->data, cases[i].want) == 0);
        node_password_free(j.pw);
        pty_close(&p);
    }
}

TEST(nodecfg_password_prompt_cancel_and_limits)
{
    static const struct {
        const char *typed;
        size_t min_len;
        mpc_err rc;
        const char *msg;
    } cases[] = {
        {"abc\x03", 0, MPC_ERR_IO, "cancelled"}, /* Ctrl-C */
        {"\x04", 0, MPC_ERR_IO, "cancelled"},    /* Ctrl-D, empty line */
        {"\n", 0, MPC_ERR_PARSE, "password is empty"},
        {"short\n", 12, MPC_ERR_PARSE, "shorter than 12"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pty p;
        struct termios before, after;
        char seen[4096];
        struct job j = {.min_len = cases[i].min_len};
        CHECK(pty_open(&p));
        CHECK(tcgetattr(p.slave, &before) == 0);
        const char *prompts[] = {"PW> "};
        const char *inputs[] = {cases[i].typed};
        CHECK(converse(&p, &j, prompts, inputs, 1, seen, sizeof seen));
        CHECK(j.rc == cases[i].rc && j.pw == NULL);
        CHECK(has(j.err, cases[i].msg));
        CHECK(tcgetattr(p.slave, &after) == 0);
        CHECK(after.c_lflag == before.c_lflag); /* restored on errors too */
        pty_close(&p);
    }
    /* longer than the maximum */
    struct pty p;
    char seen[4096];
    struct job j = {0};
    char *big = malloc(NODE_PASSWORD_MAX_BYTES + 3);
    memset(big, 'y', NODE_PASSWORD_MAX_BYTES + 1);
    big[NODE_PASSWORD_MAX_BYTES + 1] = '\n';
    big[NODE_PASSWORD_MAX_BYTES + 2] = '\0';
    CHECK(pty_open(&p));
    const char *prompts[] = {"PW> "};
    const char *inputs[] = {big};
    CHECK(converse(&p, &j, prompts, inputs, 1, seen, sizeof seen));
    free(big);
    CHECK(j.rc == MPC_ERR_PARSE && has(j.err, "longer than 1024"));
    pty_close(&p);
}

TEST(nodecfg_password_prompt_confirm)
{
    const char *prompts[] = {"Key password: ", "Repeat to confirm: "};
    {
        struct pty p;
        char seen[4096];
        struct job j = {.confirm = true, .via_read = "Key password: "};
        const char *inputs[] = {"same thing\n", "same thing\n"};
        CHECK(pty_open(&p));
        CHECK(converse(&p, &j, prompts, inputs, 2, seen, sizeof seen));
        CHECK_OK(j.rc);
        CHECK(strcmp(j.pw->data, "same thing") == 0);
        CHECK(strstr(seen, "same") == NULL);
        node_password_free(j.pw);
        pty_close(&p);
    }
    {
        struct pty p;
        char seen[4096];
        struct job j = {.confirm = true, .via_read = "Key password: "};
        const char *inputs[] = {"same thing\n", "same thinG\n"};
        CHECK(pty_open(&p));
        CHECK(converse(&p, &j, prompts, inputs, 2, seen, sizeof seen));
        CHECK(j.rc == MPC_ERR_CONFLICT && j.pw == NULL);
        CHECK(has(j.err, "differ"));
        pty_close(&p);
    }
}

/* The terminal goes away in the middle of a line. */
TEST(nodecfg_password_prompt_hangup)
{
    struct pty p;
    pthread_t t;
    char seen[256];
    size_t len = 0;
    struct job j = {0};
    CHECK(pty_open(&p));
    j.fd = p.slave;
    CHECK(pthread_create(&t, NULL, prompt_thread, &j) == 0);
    CHECK(wait_for(p.master, seen, sizeof seen, &len, "PW> "));
    CHECK(write(p.master, "half", 4) == 4);
    close(p.master);
    pthread_join(t, NULL);
    CHECK(j.rc == MPC_ERR_IO && j.pw == NULL);
    CHECK(has(j.err, "terminal closed"));
    close(p.slave);
}

TEST(nodecfg_password_prompt_needs_a_terminal)
{
    int fds[2];
    char err[ERRLEN];
    node_password *pw = NULL;
    CHECK(pipe(fds) == 0);
    CHECK(write(fds[1], "secret\n", 7) == 7);
    CHECK_ERR(node_password_prompt(&pw, fds[0], NULL, false, 0, err, ERRLEN),
              MPC_ERR_IO);
    CHECK(has(err, "not a terminal") && pw == NULL);
    close(fds[0]);
    close(fds[1]);
}
