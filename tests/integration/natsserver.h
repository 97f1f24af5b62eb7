/*
 * tests/integration/natsserver.h — a private nats-server for one test.
 *
 *   natsserver *s = NULL;
 *   if (!natsserver_start(&s)) ...fail...
 *   ... connect to natsserver_url(s) ...
 *   natsserver_stop(s);
 *
 * The server runs `nats-server -js -a 127.0.0.1 -p <port> -sd <dir>` on a
 * free loopback port (found by binding port 0; another process may take it
 * before the server binds, so start retries with a new port) with a private
 * store directory under $TMPDIR (default /tmp). It dies with the test
 * process (PR_SET_PDEATHSIG), so a test that returns early through CHECK
 * never leaves a server behind; still, call natsserver_stop to remove the
 * directory. Every wait here is bounded. Not thread-safe: one thread drives
 * a server.
 */
#ifndef TESTS_INTEGRATION_NATSSERVER_H
#define TESTS_INTEGRATION_NATSSERVER_H

#include <stdbool.h>

#include "node/transport.h"

typedef struct natsserver natsserver;

/**
 * Starts a server and waits until it accepts connections. Prints the reason
 * to stdout and returns false on failure (nats-server missing, no port after
 * several attempts, the server exited or never accepted).
 */
bool natsserver_start(natsserver **out);

/**
 * As natsserver_start, with extra command-line arguments for nats-server
 * (e.g. {"--user", "u", "--pass", "p", NULL}); `args` is NULL-terminated,
 * at most 8 entries, and copied.
 */
bool natsserver_start_args(natsserver **out, const char *const *args);

/** "nats://127.0.0.1:<port>", valid until natsserver_stop. */
const char *natsserver_url(const natsserver *s);

int natsserver_port(const natsserver *s);

/** The server's store directory (JetStream data under <dir>/jetstream). */
const char *natsserver_dir(const natsserver *s);

/**
 * Stops the process (SIGTERM, then SIGKILL after a bound) but keeps the
 * port and the store directory: the outage half of a restart test.
 * Returns false if the process could not be reaped.
 */
bool natsserver_kill(natsserver *s);

/**
 * Starts the server again on the same port with the same store (file-backed
 * streams and buckets survive), waiting until it accepts connections.
 * Retries while the old socket is being released. Returns false on failure.
 */
bool natsserver_restart(natsserver *s);

/**
 * Connects a NATS transport to `s` with test timings: 1 s dial timeout,
 * 100 ms between reconnect attempts, 2 s JetStream waits; `on_event` may
 * be NULL. Returns the mpc_err of node_transport_nats_new.
 */
mpc_err natsserver_connect(const natsserver *s, node_transport **out,
                           const char *name, node_transport_event_fn on_event,
                           void *event_ud);

/** Stops the server if running, removes its directory and frees `s`; NULL
 *  does nothing. */
void natsserver_stop(natsserver *s);

#endif /* TESTS_INTEGRATION_NATSSERVER_H */
