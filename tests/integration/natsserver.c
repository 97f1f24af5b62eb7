/* tests/integration/natsserver.c — see natsserver.h. Linux only (prctl). */
#define _GNU_SOURCE /* nftw flags, mkdtemp */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/integration/natsserver.h"

#define START_ATTEMPTS 5
#define ACCEPT_WAIT_MS 5000
#define TERM_WAIT_MS 5000
#define KILL_WAIT_MS 2000
#define POLL_MS 10
#define EXTRA_MAX 8

struct natsserver {
    pid_t pid;
    int port;
    char dir[256];
    char url[64];
    char *extra[EXTRA_MAX + 1];
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* A port nobody listens on right now (the kernel picks it). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static bool port_accepts(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

static pid_t spawn(const natsserver *s)
{
    char port[16], log[300];
    snprintf(port, sizeof port, "%d", s->port);
    snprintf(log, sizeof log, "%s/server.log", s->dir);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* Child: die with the test process, whatever path it takes out. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
        _exit(127);
    int fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO)
            close(fd);
    }
    char *argv[12 + EXTRA_MAX] = {"nats-server", "-js", "-a",  "127.0.0.1",
                                  "-p",          port,  "-sd", (char *)s->dir,
                                  "-l",          log};
    for (int i = 0; s->extra[i] != NULL; i++)
        argv[10 + i] = s->extra[i];
    execvp("nats-server", argv);
    _exit(127);
}

/* Reaps the child if it exited; true when it is gone. */
static bool reaped(natsserver *s)
{
    int status;
    pid_t r = waitpid(s->pid, &status, WNOHANG);
    if (r == s->pid || (r < 0 && errno == ECHILD)) {
        s->pid = 0;
        return true;
    }
    return false;
}

/* Waits until the server accepts, or it exits (e.g. port taken). */
static bool wait_ready(natsserver *s)
{
    int64_t end = mono_ms() + ACCEPT_WAIT_MS;
    while (mono_ms() < end) {
        if (reaped(s))
            return false;
        if (port_accepts(s->port))
            return true;
        sleep_ms(POLL_MS);
    }
    return false;
}

static bool wait_gone(natsserver *s, int ms)
{
    int64_t end = mono_ms() + ms;
    while (mono_ms() < end) {
        if (reaped(s))
            return true;
        sleep_ms(POLL_MS);
    }
    return reaped(s);
}

bool natsserver_kill(natsserver *s)
{
    if (s->pid <= 0)
        return true;
    kill(s->pid, SIGTERM);
    if (wait_gone(s, TERM_WAIT_MS))
        return true;
    kill(s->pid, SIGKILL);
    return wait_gone(s, KILL_WAIT_MS);
}

static bool launch(natsserver *s)
{
    s->pid = spawn(s);
    if (s->pid < 0) {
        s->pid = 0;
        return false;
    }
    if (wait_ready(s))
        return true;
    natsserver_kill(s);
    return false;
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

bool natsserver_start(natsserver **out)
{
    return natsserver_start_args(out, NULL);
}

bool natsserver_start_args(natsserver **out, const char *const *args)
{
    *out = NULL;
    natsserver *s = calloc(1, sizeof *s);
    if (s == NULL)
        return false;
    for (int i = 0; args != NULL && args[i] != NULL; i++) {
        if (i == EXTRA_MAX || (s->extra[i] = strdup(args[i])) == NULL) {
            natsserver_stop(s);
            return false;
        }
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(s->dir, sizeof s->dir, "%s/mpc-itest-nats-XXXXXX",
             tmp != NULL && tmp[0] != 0 ? tmp : "/tmp");
    if (mkdtemp(s->dir) == NULL) {
        printf("  natsserver: mkdtemp: %s\n", strerror(errno));
        free(s);
        return false;
    }
    for (int i = 0; i < START_ATTEMPTS; i++) {
        s->port = free_port();
        if (s->port <= 0)
            continue;
        snprintf(s->url, sizeof s->url, "nats://127.0.0.1:%d", s->port);
        if (launch(s)) {
            *out = s;
            return true;
        }
    }
    printf("  natsserver: nats-server did not start (is it installed? see "
           "%s/server.log)\n",
           s->dir);
    natsserver_stop(s);
    return false;
}

bool natsserver_restart(natsserver *s)
{
    if (!natsserver_kill(s))
        return false;
    /* The old listener may linger briefly; the port is ours to reuse. */
    for (int i = 0; i < START_ATTEMPTS; i++) {
        if (launch(s))
            return true;
        sleep_ms(100);
    }
    printf("  natsserver: restart on port %d failed\n", s->port);
    return false;
}

mpc_err natsserver_connect(const natsserver *s, node_transport **out,
                           const char *name, node_transport_event_fn on_event,
                           void *event_ud)
{
    node_nats_config c;
    node_transport_nats_default(&c);
    c.url = s->url;
    c.name = name;
    c.dial_timeout_ms = 1000;
    c.reconnect_wait_ms = 100;
    c.js_timeout_ms = 2000;
    c.on_event = on_event;
    c.event_ud = event_ud;
    return node_transport_nats_new(out, &c);
}

const char *natsserver_url(const natsserver *s)
{
    return s->url;
}

int natsserver_port(const natsserver *s)
{
    return s->port;
}

const char *natsserver_dir(const natsserver *s)
{
    return s->dir;
}

void natsserver_stop(natsserver *s)
{
    if (s == NULL)
        return;
    natsserver_kill(s);
    if (s->dir[0] != 0)
        nftw(s->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    for (int i = 0; i < EXTRA_MAX; i++)
        free(s->extra[i]);
    free(s);
}
