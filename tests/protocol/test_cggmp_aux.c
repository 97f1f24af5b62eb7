/*
 * tests/protocol/test_cggmp_aux.c — CGGMP21 aux-info on simnet: full runs
 * (compat and 128-bit sets) and a malicious party in every round, each
 * abort naming it.
 */
#include <string.h>

#include <gmp.h>

#include "lib/cggmp/cggmp_internal.h"
#include "mpc/cggmp_keys.h"
#include "mpc/zk_prm.h"
#include "tests/harness/test.h"
#include "tests/protocol/cggmp_fixture.h"
#include "tests/protocol/simnet.h"

#define MAXN 4
#define STEPS 100000

typedef struct aux_run {
    unsigned n;
    mpc_params_id id;
    const mpc_ctx *ctx[MAXN];
    uint8_t primes[MAXN][CGGMP_FIXTURE_PRIMES_MAX_BYTES];
    mpc_cggmp_aux_input in[MAXN];
    const void *inputs[MAXN];
    simnet *net;
} aux_run;

static bool run_new(aux_run *r, unsigned n, mpc_params_id id)
{
    memset(r, 0, sizeof *r);
    r->n = n;
    r->id = id;
    cggmp_fixture_ctxs(r->ctx, n);
    for (unsigned i = 0; i < n; i++) {
        size_t len = 0;
        REQUIRE(cggmp_fixture_primes_bytes(id, i, r->primes[i], &len));
        r->in[i] = (mpc_cggmp_aux_input){
            .params = id, .primes = r->primes[i], .primes_len = len};
        r->inputs[i] = &r->in[i];
    }
    simnet_config c = {.protocol = &mpc_cggmp_aux_protocol,
                       .n = n,
                       .threshold = 0,
                       .inputs = r->inputs,
                       .ctxs = r->ctx};
    r->net = simnet_new_cfg(&c);
    REQUIRE(r->net != NULL);
    return true;
}

static void run_free(aux_run *r)
{
    simnet_free(r->net);
    r->net = NULL;
}

/* The fixture runs the protocol on simnet and checks that every party's
 * view of every modulus and ring-Pedersen triple agrees. */
TEST(cggmp_aux_three_parties)
{
    const mpc_ctx *ctx[3];
    mpc_cggmp_aux_info aux[3];
    cggmp_fixture_ctxs(ctx, 3);
    if (!cggmp_fixture_aux(ctx, 3, MPC_PARAMS_COMPAT, aux))
        return;
    /* Distinct moduli; the own key is the one from the input primes. */
    CHECK(mpz_cmp(aux[0].sk.pk.n, aux[1].sk.pk.n) != 0);
    mpz_t p, q;
    mpz_inits(p, q, NULL);
    CHECK(cggmp_fixture_primes(MPC_PARAMS_COMPAT, 2, p, q));
    CHECK(mpz_cmp(aux[2].sk.p, p) == 0 && mpz_cmp(aux[2].sk.q, q) == 0);
    mpz_clears(p, q, NULL);
    cggmp_fixture_clear(ctx, 3, NULL, aux);
}

TEST(cggmp_aux_128bit_two_parties)
{
    const mpc_ctx *ctx[2];
    mpc_cggmp_aux_info aux[2];
    cggmp_fixture_ctxs(ctx, 2);
    if (!cggmp_fixture_aux(ctx, 2, MPC_PARAMS_128, aux))
        return;
    CHECK(mpz_sizeinbase(aux[0].pks[1].n, 2) == 3072);
    cggmp_fixture_clear(ctx, 2, NULL, aux);
}

TEST(cggmp_aux_bad_input)
{
    const mpc_ctx *ctx = test_ctx();
    uint8_t primes[CGGMP_FIXTURE_PRIMES_MAX_BYTES];
    size_t len = 0;
    if (!cggmp_fixture_primes_bytes(MPC_PARAMS_COMPAT, 0, primes, &len))
        return;
    mpc_cggmp_aux_input in = {
        .params = MPC_PARAMS_COMPAT, .primes = primes, .primes_len = len};
    mpc_session_params p;
    mpc_session_params_default(&p);
    p.protocol = &mpc_cggmp_aux_protocol;
    p.n = 3;
    p.input = &in;
    mpc_session *s = NULL;
    /* The wrong set for these primes, a short buffer, p == q, no input. */
    in.params = MPC_PARAMS_128;
    CHECK_ERR(mpc_session_new(&s, ctx, &p), MPC_ERR_INVALID_ARG);
    in.params = (mpc_params_id)99;
    CHECK_ERR(mpc_session_new(&s, ctx, &p), MPC_ERR_INVALID_ARG);
    in.params = MPC_PARAMS_COMPAT;
    in.primes_len = len - 1;
    CHECK_ERR(mpc_session_new(&s, ctx, &p), MPC_ERR_INVALID_ARG);
    in.primes_len = len;
    memcpy(primes + len / 2, primes, len / 2);
    CHECK_ERR(mpc_session_new(&s, ctx, &p), MPC_ERR_INVALID_ARG);
    p.input = NULL;
    CHECK_ERR(mpc_session_new(&s, ctx, &p), MPC_ERR_INVALID_ARG);
    CHECK(s == NULL);
}

/* ---- malicious party ----------------------------------------------------- */

/* Party 0 misbehaves; the others must blame it. */
static void expect_blame(unsigned n, cggmp_tamper *t, mpc_blame_reason reason,
                         unsigned honest)
{
    aux_run r;
    if (!run_new(&r, n, MPC_PARAMS_COMPAT))
        return;
    simnet_set_tamper(r.net, 0, cggmp_tamper_hook, t);
    CHECK(simnet_run(r.net, STEPS) != SIMNET_STALLED);
    CHECK(cggmp_fixture_blamed(r.net, honest, 0, reason));
    run_free(&r);
}

TEST(cggmp_aux_r1_commitment_length)
{
    cggmp_tamper t = {.round = 1,
                      .kind = MPC_SESSION_BCAST,
                      .victims = ~0u,
                      .new_len = MPC_CGGMP_COMMIT_BYTES + 1};
    expect_blame(3, &t, MPC_BLAME_PARSE, 0x6);
}

TEST(cggmp_aux_r2_decommitment_mismatch)
{
    cggmp_tamper t = {.round = 2,
                      .kind = MPC_SESSION_BCAST,
                      .victims = ~0u,
                      .fn = cggmp_flip_last};
    expect_blame(2, &t, MPC_BLAME_VERIFY, 0x2);
}

TEST(cggmp_aux_r3_bad_mod)
{
    cggmp_tamper t = {.round = 3,
                      .kind = MPC_SESSION_BCAST,
                      .victims = ~0u,
                      .fn = cggmp_flip_middle};
    expect_blame(2, &t, MPC_BLAME_NONE, 0x2);
}

TEST(cggmp_aux_r3_bad_fac_one_victim)
{
    /* Only party 2 gets a bad Πfac: it alone aborts, naming party 0. */
    cggmp_tamper t = {.round = 3,
                      .kind = MPC_SESSION_P2P,
                      .victims = 0x4,
                      .fn = cggmp_flip_middle};
    aux_run r;
    if (!run_new(&r, 3, MPC_PARAMS_COMPAT))
        return;
    simnet_set_tamper(r.net, 0, cggmp_tamper_hook, &t);
    CHECK(simnet_run(r.net, STEPS) == SIMNET_SOME_FAILED);
    CHECK(cggmp_fixture_blamed(r.net, 0x4, 0, MPC_BLAME_NONE));
    CHECK(simnet_status(r.net, 1) == MPC_SESSION_DONE);
    run_free(&r);
}

static void committed_blame(void (*fn)(uint8_t *, size_t),
                            mpc_blame_reason reason)
{
    aux_run r;
    if (!run_new(&r, 3, MPC_PARAMS_COMPAT))
        return;
    static cggmp_committed_tamper t;
    memset(&t, 0, sizeof t);
    t.net = r.net;
    t.n = 3;
    t.protocol_id = MPC_CGGMP_AUX_PROTOCOL_ID;
    t.fn = fn;
    simnet_set_tamper(r.net, 0, cggmp_committed_hook, &t);
    CHECK(simnet_run(r.net, STEPS) != SIMNET_STALLED);
    CHECK(cggmp_fixture_blamed(r.net, 0x6, 0, reason));
    run_free(&r);
}

static size_t compat_n_bytes(void)
{
    return mpc_params_get(MPC_PARAMS_COMPAT)->n_bytes;
}

/* A flipped byte in the middle of the Πprm responses. */
static void bad_prm(uint8_t *p, size_t len)
{
    (void)len;
    size_t off = 3 * compat_n_bytes() +
                 mpc_zk_prm_proof_bytes(mpc_params_get(MPC_PARAMS_COMPAT)) -
                 compat_n_bytes() / 2;
    p[off] ^= 0x10;
}

/* N of 2040 bits (BitForge: too small). */
static void small_n(uint8_t *p, size_t len)
{
    (void)len;
    p[0] = 0;
}

/* A full-size odd N divisible by 3. */
static void small_factor_n(uint8_t *p, size_t len)
{
    (void)len;
    size_t nb = compat_n_bytes();
    mpz_t n;
    mpz_init(n);
    mpz_import(n, nb, 1, 1, 1, 0, p);
    unsigned long r = mpz_fdiv_ui(n, 6);
    mpz_sub_ui(n, n, r);
    mpz_add_ui(n, n, 3);
    mpz_export(p + nb - mpz_sizeinbase(n, 256), NULL, 1, 1, 1, 0, n);
    mpz_clear(n);
}

TEST(cggmp_aux_committed_bad_prm)
{
    committed_blame(bad_prm, MPC_BLAME_VERIFY);
}

TEST(cggmp_aux_committed_small_n)
{
    committed_blame(small_n, MPC_BLAME_PARSE);
}

TEST(cggmp_aux_committed_small_factor_n)
{
    committed_blame(small_factor_n, MPC_BLAME_NONE);
}
