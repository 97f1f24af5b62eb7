/*
 * Benchmarks of the presign proofs Πenc, Πlog*, Πaff-g (lib/zk) at 2048
 * and 3072 bits: prove with plain constant-time exponentiation ("naive":
 * ring-Pedersen parameters without comb tables) and optimized (the comb
 * tables mpc_rped_generate/parse build), verify naive (plain
 * exponentiation) and optimized (the verifier's fixed-base ring-Pedersen
 * tables; for Πaff-g also the CRT with the verifier's own key). Owner
 * encryptions use the CRT in both columns. And the sum a party
 * spends on proofs in one 2-party presign (1 Πenc + 2 Πaff-g + 2 Πlog*
 * proved and as many verified, per peer). `mpc-bench zk_mta`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "lib/zk/zk_internal.h"
#include "mpc/bn.h"
#include "mpc/group.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/transcript.h"
#include "mpc/zk_affg.h"
#include "mpc/zk_enc.h"
#include "mpc/zk_logstar.h"
#include "tests/bench/bench.h"

static void require(bool ok)
{
    bench_require(ok, "bench_zk_mta");
}

/* The first four fixture primes of `bits` bits: two keys. */
static void fixture_primes(size_t bits, mpz_t pr[4])
{
    require(bench_fixture_primes(bits, 0, pr, 4));
}

static void rand_signed(mpz_t x, size_t bits)
{
    mpz_t b;
    mpz_init(b);
    mpz_setbit(b, bits);
    require(mpc_bn_random_symmetric(bench_ctx(), x, b) == MPC_OK);
    mpz_clear(b);
}

/* Prover P (key N1 / N0 of its own proofs) and verifier V (key, ring-
 * Pedersen parameters and tables); the statements of the three proofs. */
typedef struct setup {
    const mpc_params *params;
    const mpc_group *g;
    mpc_paillier_sk skp, skv;
    mpc_rped rp;       /* with its comb tables (mpc_rped_generate) */
    mpc_rped rp_plain; /* the same values without tables: naive prover */
    mpc_rped_table tab;
    /* Πenc / Πlog*: K = Enc_P(k; rho), X = k·G. */
    mpz_t k, rho, K;
    mpc_point G, X;
    /* Πaff-g: C = Enc_V(c), D = C^x Enc_V(y; s), Y = Enc_P(y; ry). */
    mpz_t c, rc, C, x, y, s, ry, D, Y;
    mpc_point Xa;
} setup;

static void setup_init(setup *u, mpc_params_id id)
{
    const mpc_ctx *ctx = bench_ctx();
    u->params = mpc_params_get(id);
    u->g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
    mpz_t pr[4], lambda;
    for (int i = 0; i < 4; i++)
        mpz_init(pr[i]);
    mpz_init(lambda);
    fixture_primes(u->params->prime_bits, pr);
    mpc_paillier_sk_init(&u->skp);
    mpc_paillier_sk_init(&u->skv);
    mpc_rped_init(&u->rp);
    require(mpc_paillier_sk_from_primes(ctx, &u->skp, u->params, pr[0],
                                        pr[1]) == MPC_OK);
    require(mpc_paillier_sk_from_primes(ctx, &u->skv, u->params, pr[2],
                                        pr[3]) == MPC_OK);
    require(mpc_rped_generate(ctx, &u->rp, lambda, &u->skv) == MPC_OK);
    mpc_rped_init(&u->rp_plain);
    u->rp_plain.params = u->rp.params;
    mpz_set(u->rp_plain.n, u->rp.n);
    mpz_set(u->rp_plain.s, u->rp.s);
    mpz_set(u->rp_plain.t, u->rp.t);
    mpz_set(u->rp_plain.s_inv, u->rp.s_inv);
    mpz_set(u->rp_plain.t_inv, u->rp.t_inv);
    size_t bits = u->params->ell + u->params->eps + u->params->n_bits + 2;
    require(mpc_rped_table_init(ctx, &u->tab, &u->rp, bits) == MPC_OK);

    mpz_inits(u->k, u->rho, u->K, u->c, u->rc, u->C, u->x, u->y, u->s, u->ry,
              u->D, u->Y, NULL);
    const mpc_paillier_pk *pkp = &u->skp.pk, *pkv = &u->skv.pk;
    mpc_scalar sc;
    rand_signed(u->k, u->params->ell);
    require(mpc_paillier_nonce_random(ctx, pkp, u->rho) == MPC_OK);
    require(mpc_paillier_encrypt(ctx, pkp, u->K, u->k, u->rho) == MPC_OK);
    mpc_point_generator(u->g, &u->G);
    mpc_zk_scalar_from_int_var(u->g, &sc, u->k);
    mpc_point_mul_base(u->g, &u->X, &sc);

    rand_signed(u->c, u->params->ell);
    require(mpc_paillier_nonce_random(ctx, pkv, u->rc) == MPC_OK);
    require(mpc_paillier_encrypt(ctx, pkv, u->C, u->c, u->rc) == MPC_OK);
    rand_signed(u->x, u->params->ell);
    rand_signed(u->y, u->params->ell_prime);
    require(mpc_paillier_nonce_random(ctx, pkv, u->s) == MPC_OK);
    require(mpc_paillier_affine(ctx, pkv, u->D, u->C, u->x, u->params->ell + 1,
                                u->y, u->s) == MPC_OK);
    require(mpc_paillier_nonce_random(ctx, pkp, u->ry) == MPC_OK);
    require(mpc_paillier_encrypt(ctx, pkp, u->Y, u->y, u->ry) == MPC_OK);
    mpc_zk_scalar_from_int_var(u->g, &sc, u->x);
    mpc_point_mul_base(u->g, &u->Xa, &sc);
    for (int i = 0; i < 4; i++)
        mpz_clear(pr[i]);
    mpc_bn_clear(lambda);
}

static void setup_clear(setup *u)
{
    mpc_rped_table_clear(bench_ctx(), &u->tab);
    mpc_rped_clear(&u->rp);
    mpc_rped_clear(&u->rp_plain);
    mpc_paillier_sk_clear(&u->skp);
    mpc_paillier_sk_clear(&u->skv);
    mpz_clears(u->k, u->rho, u->K, u->c, u->rc, u->C, u->x, u->y, u->s, u->ry,
               u->D, u->Y, NULL);
}

static void fresh(mpc_transcript *t)
{
    mpc_transcript_init(t, "bench", (const uint8_t *)"sid", 3);
    mpc_transcript_append_u64(t, "prover", 1);
}

/* Mean CPU ms of `runs` proofs / verifications of each kind. */
typedef struct costs {
    double prove, prove_naive, verify_naive, verify_tab;
} costs;

static costs bench_enc(setup *u, int runs)
{
    const mpc_ctx *ctx = bench_ctx();
    mpc_zk_enc_proof pr;
    mpc_zk_enc_proof_init(&pr);
    mpc_transcript t;
    costs c;
    const mpc_rped *rps[2] = {&u->rp_plain, &u->rp};
    double *pout[2] = {&c.prove_naive, &c.prove};
    double t0;
    for (int v = 0; v < 2; v++) {
        t0 = bench_cpu_ms();
        for (int i = 0; i < runs; i++) {
            fresh(&t);
            require(mpc_zk_enc_prove(ctx, &pr, &t, rps[v], &u->skp, u->K, u->k,
                                     u->rho) == MPC_OK);
        }
        *pout[v] = (bench_cpu_ms() - t0) / runs;
    }
    const mpc_rped_table *tabs[2] = {NULL, &u->tab};
    double *out[2] = {&c.verify_naive, &c.verify_tab};
    for (int v = 0; v < 2; v++) {
        t0 = bench_cpu_ms();
        for (int i = 0; i < runs; i++) {
            fresh(&t);
            require(mpc_zk_enc_verify(&t, &u->rp, tabs[v], &u->skp.pk, u->K,
                                      &pr) == MPC_OK);
        }
        *out[v] = (bench_cpu_ms() - t0) / runs;
    }
    mpc_zk_enc_proof_clear(&pr);
    return c;
}

static costs bench_logstar(setup *u, int runs)
{
    const mpc_ctx *ctx = bench_ctx();
    mpc_zk_logstar_proof pr;
    mpc_zk_logstar_proof_init(&pr);
    mpc_transcript t;
    costs c;
    const mpc_rped *rps[2] = {&u->rp_plain, &u->rp};
    double *pout[2] = {&c.prove_naive, &c.prove};
    double t0;
    for (int v = 0; v < 2; v++) {
        t0 = bench_cpu_ms();
        for (int i = 0; i < runs; i++) {
            fresh(&t);
            require(mpc_zk_logstar_prove(ctx, &pr, &t, rps[v], &u->skp, u->K,
                                         &u->G, &u->X, u->k, u->rho) == MPC_OK);
        }
        *pout[v] = (bench_cpu_ms() - t0) / runs;
    }
    const mpc_rped_table *tabs[2] = {NULL, &u->tab};
    double *out[2] = {&c.verify_naive, &c.verify_tab};
    for (int v = 0; v < 2; v++) {
        t0 = bench_cpu_ms();
        for (int i = 0; i < runs; i++) {
            fresh(&t);
            require(mpc_zk_logstar_verify(ctx, &t, &u->rp, tabs[v], &u->skp.pk,
                                          u->K, &u->G, &u->X, &pr) == MPC_OK);
        }
        *out[v] = (bench_cpu_ms() - t0) / runs;
    }
    mpc_zk_logstar_proof_clear(&pr);
    return c;
}

static costs bench_affg(setup *u, int runs)
{
    const mpc_ctx *ctx = bench_ctx();
    mpc_zk_affg_proof pr;
    mpc_zk_affg_proof_init(&pr);
    mpc_transcript t;
    costs c;
    const mpc_rped *rps[2] = {&u->rp_plain, &u->rp};
    double *pout[2] = {&c.prove_naive, &c.prove};
    double t0;
    for (int v = 0; v < 2; v++) {
        t0 = bench_cpu_ms();
        for (int i = 0; i < runs; i++) {
            fresh(&t);
            require(mpc_zk_affg_prove(ctx, &pr, &t, rps[v], &u->skv.pk, &u->skp,
                                      u->C, u->D, u->Y, &u->Xa, u->x, u->y,
                                      u->s, u->ry) == MPC_OK);
        }
        *pout[v] = (bench_cpu_ms() - t0) / runs;
    }
    /* Naive: no tables, Enc_{N0} with the public key; optimized: tables
     * and the CRT with the verifier's own key. */
    const mpc_rped_table *tabs[2] = {NULL, &u->tab};
    const mpc_paillier_sk *sks[2] = {NULL, &u->skv};
    double *out[2] = {&c.verify_naive, &c.verify_tab};
    for (int v = 0; v < 2; v++) {
        t0 = bench_cpu_ms();
        for (int i = 0; i < runs; i++) {
            fresh(&t);
            require(mpc_zk_affg_verify(ctx, &t, &u->rp, tabs[v], sks[v],
                                       &u->skv.pk, &u->skp.pk, u->C, u->D, u->Y,
                                       &u->Xa, &pr) == MPC_OK);
        }
        *out[v] = (bench_cpu_ms() - t0) / runs;
    }
    mpc_zk_affg_proof_clear(&pr);
    return c;
}

static void report(const char *name, unsigned bits, const costs *c)
{
    char what[96];
    snprintf(what, sizeof what, "%s %u prove, naive", name, bits);
    bench_report(what, "proof", c->prove_naive);
    snprintf(what, sizeof what, "%s %u prove, optimized", name, bits);
    bench_report(what, "proof", c->prove);
    snprintf(what, sizeof what, "%s %u verify, naive", name, bits);
    bench_report(what, "proof", c->verify_naive);
    snprintf(what, sizeof what, "%s %u verify, optimized", name, bits);
    bench_report(what, "proof", c->verify_tab);
}

static void bench_set(mpc_params_id id, int runs)
{
    setup u;
    setup_init(&u, id);
    unsigned bits = u.params->n_bits;
    char what[96];
    /* The ring-Pedersen table is built once per peer, at aux-info time. */
    mpc_rped_table tab;
    double t0 = bench_cpu_ms();
    require(mpc_rped_table_init(bench_ctx(), &tab, &u.rp,
                                u.params->ell + u.params->eps +
                                    u.params->n_bits + 2) == MPC_OK);
    snprintf(what, sizeof what, "ring-Pedersen tables %u (once per peer)",
             bits);
    bench_report(what, "peer", bench_cpu_ms() - t0);
    mpc_rped_table_clear(bench_ctx(), &tab);

    costs enc = bench_enc(&u, runs);
    costs log = bench_logstar(&u, runs);
    costs aff = bench_affg(&u, runs);
    report("zk enc", bits, &enc);
    report("zk log*", bits, &log);
    report("zk aff-g", bits, &aff);
    double prove = enc.prove + 2 * aff.prove + 2 * log.prove;
    double prove_naive =
        enc.prove_naive + 2 * aff.prove_naive + 2 * log.prove_naive;
    double verify = enc.verify_tab + 2 * aff.verify_tab + 2 * log.verify_tab;
    double verify_naive =
        enc.verify_naive + 2 * aff.verify_naive + 2 * log.verify_naive;
    snprintf(what, sizeof what,
             "presign proofs %u: 1 enc + 2 aff-g + 2 log* proved, naive", bits);
    bench_report(what, "party per peer", prove_naive);
    snprintf(what, sizeof what, "presign proofs %u: the same, optimized", bits);
    bench_report(what, "party per peer", prove);
    snprintf(what, sizeof what, "presign proofs %u: verified, naive", bits);
    bench_report(what, "party per peer", verify_naive);
    snprintf(what, sizeof what, "presign proofs %u: verified, optimized", bits);
    bench_report(what, "party per peer", verify);
    setup_clear(&u);
}

BENCH(zk_mta_2048)
{
    bench_set(MPC_PARAMS_COMPAT, bench_iters(10));
}

BENCH(zk_mta_3072)
{
    bench_set(MPC_PARAMS_128, bench_iters(4));
}
