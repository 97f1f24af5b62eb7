/*
 * tests/integration/cluster.h — a private nats-server and N mpcium-node
 * processes for one integration or fault test.
 *
 *   cluster *c = NULL;
 *   cluster_opts o = {.nodes = 3};
 *   bool ok = cluster_start(&c, &o);       // every node printed [READY]
 *   ... cluster_publish(c, &req, "svc-a"); cluster_inbox_wait(...) ...
 *   cluster_stop(c, !ok);                  // keep the dir when failing
 *
 * Everything lives under one temporary directory (cluster_dir): identities,
 * peers.json, the password file, node<i>.yaml, node<i>.log (appended across
 * restarts), node<i>.vg (valgrind's report) and the nodes' databases. Nodes
 * wait timeouts.barrier_ms = 5000 for their peers (15000 under valgrind). The
 * node binary is mpcium-node next to the test runner. Every wait is bounded;
 * a failing call prints why (and where the logs are) to stdout. The nodes die
 * with the test process (PR_SET_PDEATHSIG). Not thread-safe: one thread
 * drives a cluster (an inbox's callback runs on the client's thread).
 */
#ifndef TESTS_INTEGRATION_CLUSTER_H
#define TESTS_INTEGRATION_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/client_proto.h"
#include "node/transport.h"

#define CLUSTER_NODES_MAX 6

typedef struct cluster_opts {
    int nodes;              /* identities made (default 3) */
    int in_peers;           /* how many of them peers.json lists at first
                               (default: nodes) */
    int start;              /* how many start at once (default: in_peers) */
    int mpc_threshold;      /* mpcium meaning, written as mpc_threshold
                               (default 1) */
    const char *extra_yaml; /* appended verbatim to every node's YAML config
                               (NULL: none) */
    bool ecdsa_fixtures;    /* nodes use fixture Paillier primes
                               (test_paillier_fixtures) instead of generating
                               safe primes */
    bool valgrind;          /* run the nodes under valgrind memcheck */
    unsigned valgrind_mask; /* with valgrind: only these nodes (bit i = node
                               i); 0: all */
    bool healthcheck_all;   /* /health + /metrics on every node (default:
                               node 0 only) */
    const char *const *nats_args; /* extra nats-server arguments,
                                     NULL-terminated, at most 8 (NULL: none) */
    const char *nats_yaml;        /* lines appended inside every node's `nats:`
                                     mapping, each indented two spaces (NULL:
                                     none) */
    const node_nats_config *client_nats; /* credentials and TLS files for
                               the test client: user, password, nkey_public,
                               nkey_seed_file, creds_file, tls_* (NULL:
                               none) */
} cluster_opts;

typedef struct cluster cluster;

/** Starts nats-server and the first o->start nodes (o NULL: defaults) and
 *  waits for each node's [READY]; connects a client. On failure everything
 *  started is stopped, the directory kept and *out is NULL. */
bool cluster_start(cluster **out, const cluster_opts *o);

/** SIGTERMs every running node, reaps it (SIGKILL after a bound), stops the
 *  server, frees `c` and removes the directory unless keep_dir (then prints
 *  it). NULL does nothing. */
void cluster_stop(cluster *c, bool keep_dir);

/** (Re)spawns node i and waits for a new [READY] in its log. */
bool cluster_node_start(cluster *c, int i);

/** As cluster_node_start for every node in `which` (bit i = node i) at
 *  once; none of them may be running. */
bool cluster_nodes_start(cluster *c, unsigned which);

/** From now on nodes (re)spawn under valgrind when their bit is in `mask`
 *  (0: none), e.g. to restart survivors under valgrind once the committee
 *  is set up natively. Bounds then allow for valgrind's slowness. */
void cluster_valgrind_set(cluster *c, unsigned mask);

/** Sends `sig` to node i and reaps it. With SIGTERM true only when the node
 *  exited 0 in time (under valgrind: no error and no leak either); with any
 *  other signal true once reaped. A node not running: true. */
bool cluster_node_stop(cluster *c, int i, int sig);

/** Sends `sig` to node i without waiting (e.g. SIGSTOP to hang it, SIGCONT);
 *  false when it is not running. */
bool cluster_node_signal(cluster *c, int i, int sig);

/** True while node i's process runs (reaps it when it has exited). */
bool cluster_node_running(cluster *c, int i);

/** Rewrites peers.json with the first `count` identities. */
bool cluster_peers_write(cluster *c, int count);

/** Stops nats-server and starts it again on the same port and store. */
bool cluster_nats_restart(cluster *c);

/** The client connection (cnats), owned by the cluster. */
node_transport *cluster_client(cluster *c);

const char *cluster_dir(const cluster *c);
const char *cluster_node_id(const cluster *c, int i);
/** The server URL, nats://127.0.0.1:<port>. */
const char *cluster_nats_url(const cluster *c);

/** The event initiator's Ed25519 secret key (64 bytes, libsodium layout). */
const uint8_t *cluster_initiator_sk(const cluster *c);

/** GETs `path` from node i's HTTP server (healthcheck on for it); the whole
 *  response, headers included, NUL-terminated into out. */
bool cluster_http_get(cluster *c, int i, const char *path, char *out,
                      size_t cap);

/** The value of the unlabelled sample `name` in node i's /metrics. */
bool cluster_metric(cluster *c, int i, const char *name, double *value);

/** True when node i's log (every run of it) has a line containing needle. */
bool cluster_log_has(const cluster *c, int i, const char *needle);

/** Signs r with the initiator key (current signed bytes) and publishes it
 *  like mpcium's Go client: JetStream, request subject of r->op, a ClientID
 *  header unless client_id is NULL. Sets r's signature fields. */
bool cluster_publish(cluster *c, node_client_request *r, const char *client_id);

/* A result collector: every message on a subject pattern, copied. */
typedef struct cluster_inbox cluster_inbox;

/** Subscribes the client on subject_pattern. Close before cluster_stop. */
bool cluster_inbox_open(cluster *c, cluster_inbox **out,
                        const char *subject_pattern);

/** Waits until at least `count` messages arrived; false on timeout. */
bool cluster_inbox_wait(cluster_inbox *in, int count, int timeout_ms);

/** The data (NUL-terminated, *len bytes) of the first message whose subject
 *  ends with subject_suffix, or NULL; valid until close. */
const char *cluster_inbox_find(cluster_inbox *in, const char *subject_suffix,
                               size_t *len);

/** Message `idx` (arrival order): its data (NUL-terminated, *len bytes) and,
 *  when subject is not NULL, its subject; NULL when idx is out of range. */
const char *cluster_inbox_get(cluster_inbox *in, int idx, const char **subject,
                              size_t *len);

int cluster_inbox_count(cluster_inbox *in);

/** Unsubscribes and frees; NULL does nothing. */
void cluster_inbox_close(cluster_inbox *in);

#endif /* TESTS_INTEGRATION_CLUSTER_H */
