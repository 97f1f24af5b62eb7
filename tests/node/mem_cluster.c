/* Three nodes over transport_mem for the node tests (mem_cluster.h). */
#include "tests/node/mem_cluster.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/jsetup.h"
#include "tests/harness/test.h"

#define N MEM_CLUSTER_NODES

bool mem_cluster_init(mem_cluster *c, const char *const *ids, uint8_t seed_step,
                      const char *label)
{
    memset(c, 0, sizeof *c);
    uint8_t pk[N][32], sk[N][64];
    REQUIRE_OK(node_mem_bus_new(&c->bus));
    for (int i = 0; i < N; i++) {
        uint8_t seed[32];
        for (int k = 0; k < 32; k++)
            seed[k] = (uint8_t)(seed_step * (i + 1) + k);
        REQUIRE(crypto_sign_seed_keypair(pk[i], sk[i], seed) == 0);
        REQUIRE_OK(node_envelope_self_init(&c->self[i], ids[i], sk[i]));
        REQUIRE_OK(node_transport_mem_new(&c->t[i], c->bus, ids[i]));
        char ctx_label[64];
        snprintf(ctx_label, sizeof ctx_label, "%s-%d", label, i);
        c->ctx[i] = test_new_ctx(ctx_label);
        REQUIRE(c->ctx[i] != NULL);
    }
    for (int i = 0; i < N; i++) {
        int k = 0;
        for (int j = 0; j < N; j++)
            if (j != i)
                REQUIRE_OK(node_envelope_peer_init(&c->peers[i][k++],
                                                   &c->self[i], ids[j], pk[j]));
        REQUIRE_OK(node_sessions_new(&c->m[i], c->t[i], c->ctx[i], &c->self[i],
                                     c->peers[i], N - 1));
    }
    sodium_memzero(sk, sizeof sk);
    return true;
}

void mem_cluster_free(mem_cluster *c)
{
    for (int i = 0; i < N; i++) {
        node_sessions_free(c->m[i]);
        node_transport_free(c->t[i]);
        node_envelope_self_clear(&c->self[i]);
        for (int k = 0; k < N - 1; k++)
            node_envelope_peer_clear(&c->peers[i][k]);
    }
    node_mem_bus_free(c->bus);
    memset(c, 0, sizeof *c);
}

bool mem_ops_prepare(mem_ops *f, const char *const *ids, uint8_t seed_step,
                     const char *label)
{
    memset(f, 0, sizeof *f);
    REQUIRE(mem_cluster_init(&f->c, ids, seed_step, label));
    REQUIRE(crypto_sign_keypair(f->ipk, f->isk) == 0);
    node_jsetup_config jc;
    node_jsetup_config_default(&jc);
    node_jsetup_report *rep = calloc(1, sizeof *rep);
    REQUIRE(rep != NULL);
    mpc_err e = node_jsetup_apply(f->c.t[0], &jc, rep);
    free(rep);
    REQUIRE_OK(e);
    for (int i = 0; i < N; i++)
        REQUIRE(ks_fx_init(&f->ks[i]));
    return true;
}

bool mem_ops_start(mem_ops *f, int i, uint32_t round_timeout_ms,
                   node_auxinfo *aux)
{
    node_ops_config cfg = {
        .t = f->c.t[i],
        .ctx = f->c.ctx[i],
        .self = &f->c.self[i],
        .peers = f->c.peers[i],
        .n_peers = N - 1,
        .sessions = f->c.m[i],
        .ks = f->ks[i].ks,
        .threshold = 2,
        .initiator_alg = NODE_KEY_ALG_ED25519,
        .initiator_key = f->ipk,
        .initiator_key_len = 32,
        .round_timeout_ms = round_timeout_ms,
        .barrier_timeout_ms = 1500,
        .aux = aux,
    };
    memset(cfg.chain_code, 0xcc, sizeof cfg.chain_code);
    REQUIRE_OK(node_ops_new(&f->o[i], &cfg));
    REQUIRE_OK(node_ops_listen(f->o[i]));
    return true;
}

void mem_ops_done(mem_ops *f)
{
    for (int i = 0; i < N; i++) {
        node_ops_free(f->o[i]);
        f->o[i] = NULL;
        if (f->ks[i].ks != NULL || f->ks[i].root[0] != '\0')
            ks_fx_done(&f->ks[i]);
    }
    mem_cluster_free(&f->c);
}

/* r signed and encoded (or NULL). */
static uint8_t *signed_bytes(const mem_ops *f, node_client_request *r,
                             size_t *len, bool bad_sig)
{
    uint8_t *out = NULL, *tbs = NULL;
    size_t tbs_len = 0;
    if (node_client_request_signed_bytes(
            &tbs, &tbs_len, r, NODE_CLIENT_SIGNED_CURRENT) == MPC_OK) {
        crypto_sign_detached(r->signature, NULL, tbs, tbs_len, f->isk);
        r->signature_present = true;
        r->signature_len = 64;
        r->signature[5] ^= bad_sig ? 1u : 0u;
        if (node_client_request_encode(&out, len, r) != MPC_OK)
            out = NULL;
    }
    free(tbs);
    return out;
}

uint8_t *mem_ops_request(const mem_ops *f, size_t *len, const mem_ops_req *q)
{
    node_client_request *r = calloc(1, sizeof *r);
    *len = 0;
    if (r == NULL)
        return NULL;
    r->op = q->op;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, "%s", q->wallet);
    if (q->op == NODE_CLIENT_OP_SIGN) {
        r->key_type = q->key_type;
        snprintf(r->tx_id.s, sizeof r->tx_id.s, "%s", q->tx_id);
        if (q->network != NULL)
            snprintf(r->network_internal_code, sizeof r->network_internal_code,
                     "%s", q->network);
        r->tx = malloc(q->tx_len);
        if (r->tx != NULL)
            memcpy(r->tx, q->tx, q->tx_len);
        r->tx_len = q->tx_len;
        r->path_len = q->path_len;
        if (q->path_len > 0)
            memcpy(r->path, q->path, q->path_len * sizeof *q->path);
    }
    uint8_t *out = signed_bytes(f, r, len, q->bad_sig);
    node_client_request_clear(r);
    free(r);
    return out;
}
