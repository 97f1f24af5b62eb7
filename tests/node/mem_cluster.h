/*
 * tests/node/mem_cluster.h — three nodes in one process over transport_mem
 * (node/transport.h): each with its envelope identity (a seeded Ed25519
 * key), its peers, its own test context and a session manager; and, for
 * the ops tests, a keystore and node_ops on each node (mem_ops). Shared by
 * the session-manager and ops tests.
 *
 *     static const char *const ids[MEM_CLUSTER_NODES] = {"node0", ...};
 *     mem_cluster c;
 *     if (mem_cluster_init(&c, ids, 0x11, "sessions"))
 *         ...
 *     mem_cluster_free(&c);
 */
#ifndef TESTS_NODE_MEM_CLUSTER_H
#define TESTS_NODE_MEM_CLUSTER_H

#include <stdbool.h>
#include <stdint.h>

#include "mpc/ctx.h"
#include "node/auxinfo.h"
#include "node/client_proto.h"
#include "node/envelope.h"
#include "node/ops.h"
#include "node/sessions.h"
#include "node/transport.h"
#include "tests/node/keystore_fixture.h"

#define MEM_CLUSTER_NODES 3

typedef struct mem_cluster {
    node_mem_bus *bus;
    node_transport *t[MEM_CLUSTER_NODES];
    node_envelope_self self[MEM_CLUSTER_NODES];
    node_envelope_peer peers[MEM_CLUSTER_NODES][MEM_CLUSTER_NODES - 1];
    const mpc_ctx *ctx[MEM_CLUSTER_NODES];
    node_sessions *m[MEM_CLUSTER_NODES];
} mem_cluster;

/* Builds c for the nodes ids[] (which must outlive c): node i's key is
 * seeded with bytes seed_step·(i+1) + k, its context with "<label>-<i>".
 * False after recording a failure (REQUIRE); mem_cluster_free then frees
 * what was built. */
bool mem_cluster_init(mem_cluster *c, const char *const *ids, uint8_t seed_step,
                      const char *label);

/* Frees c (also a partly built one) and zeroes it. */
void mem_cluster_free(mem_cluster *c);

/* A mem_cluster whose nodes answer client requests (node_ops), signed by
 * the initiator key ipk/isk. */
typedef struct mem_ops {
    mem_cluster c;
    ks_fx ks[MEM_CLUSTER_NODES];
    node_ops *o[MEM_CLUSTER_NODES];
    uint8_t ipk[32];
    uint8_t isk[64];
} mem_ops;

/* Zeroes f, builds f->c (as mem_cluster_init), runs the JetStream setup
 * through node 0, opens a keystore per node and makes the initiator key;
 * no ops yet. False after recording a failure; mem_ops_done frees. */
bool mem_ops_prepare(mem_ops *f, const char *const *ids, uint8_t seed_step,
                     const char *label);

/* Makes node i's ops with the tests' settings (threshold 2, Ed25519
 * initiator key f->ipk, chain code 0xcc..., 1500 ms barrier),
 * round_timeout_ms and aux (NULL: no ECDSA), and starts it listening. */
bool mem_ops_start(mem_ops *f, int i, uint32_t round_timeout_ms,
                   node_auxinfo *aux);

/* Frees the ops, the keystores and the cluster. */
void mem_ops_done(mem_ops *f);

/* A client request for mem_ops_request; what a KEYGEN does not carry is
 * ignored for it. */
typedef struct mem_ops_req {
    node_client_op op;
    const char *wallet;
    /* SIGN only: */
    node_client_key_type key_type;
    const char *network; /* network_internal_code; NULL: none */
    const char *tx_id;
    const uint8_t *tx;
    size_t tx_len;
    const uint32_t *path;
    size_t path_len;
    /* One bit of the signature flipped. */
    bool bad_sig;
} mem_ops_req;

/* The request body q describes, signed with f->isk as mpcium's Go client
 * signs it; the bytes (caller frees, *len their length), or NULL. */
uint8_t *mem_ops_request(const mem_ops *f, size_t *len, const mem_ops_req *q);

#endif /* TESTS_NODE_MEM_CLUSTER_H */
