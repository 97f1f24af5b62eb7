/*
 * tests/ctime/ctime_tests.c — constant-time checks under valgrind memcheck.
 *
 * Method (as libsecp256k1's ctime_tests.c): secret inputs are marked
 * undefined with VALGRIND_MAKE_MEM_UNDEFINED, the operation runs, and the
 * outputs that are meant to be public are marked defined again ("declassified")
 * before anything branches on them. Memcheck then reports every conditional
 * jump and every memory address that depends on a secret, inside lib/ and
 * inside libsecp256k1, libsodium and GMP.
 *
 * Every random byte the library draws is secret too: the context rng marks
 * its output undefined, so nonces, masks and polynomial coefficients are
 * checked as well as the explicit inputs.
 *
 * The few branches that the headers document (zero scalars, GMP's modulus
 * set-up, mpz limb counts, rejection sampling) are suppressed by
 * tests/ctime/ctime.supp; docs/constant-time.md lists each one and why.
 *
 * Run through scripts/ctime.sh (`make ctime`). Outside valgrind the program
 * refuses to run: the checks would pass vacuously. `--canary` runs one
 * deliberate secret-dependent branch, which the script expects valgrind to
 * report, so a build without the valgrind client requests cannot pass.
 *
 * The other files of tests/ctime/ add their checks with CTIME_REGISTER
 * and CTIME_REGISTER_FINDING (ctime.h); main runs them after its own.
 */
#include <gmp.h>
#include <stdio.h>
#include <string.h>

#include <valgrind/memcheck.h>

#include "mpc/bn.h"
#include "mpc/ctx.h"
#include "mpc/frost.h"
#include "mpc/group.h"
#include "mpc/hd.h"
#include "mpc/mem.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/rng.h"
#include "mpc/transcript.h"
#include "mpc/vss.h"
#include "mpc/zk_enc.h"

#include "lib/zk/zk_internal.h"
#include "tests/ctime/ctime.h"

static int failures;
static int checks;

/* A functional check on a declassified result: the operations must also
 * compute the right thing, or a broken build could pass vacuously. */
#define EXPECT(cond)                                                           \
    do {                                                                       \
        checks++;                                                              \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                        \
        }                                                                      \
    } while (0)

/* ---- the context: every random byte is secret -------------------------- */

static void secret_rng(void *ud, uint8_t *buf, size_t len)
{
    mpc_drbg_fill(ud, buf, len);
    SECRET(buf, len);
}

static mpc_drbg drbg;
static mpc_ctx *ctx;

static int ctx_setup(void)
{
    static const uint8_t seed[] = "mpcium-c ctime";
    mpc_drbg_init(&drbg, seed, sizeof seed);
    mpc_ctx_config cfg = {.rng = secret_rng, .rng_ud = &drbg};
    return mpc_ctx_new(&ctx, &cfg) == MPC_OK ? 0 : -1;
}

/* A secret scalar: random (so already undefined), declassified copies are
 * made only where a known answer is compared. */
static void secret_scalar(const mpc_group *g, mpc_scalar *s)
{
    mpc_scalar_random(g, s);
    SECRET(s->v, sizeof s->v);
}

static bool scalar_eq_public(const mpc_scalar *a, const mpc_scalar *b)
{
    bool eq = mpc_scalar_eq(a, b);
    DECLASSIFY(&eq, sizeof eq);
    return eq;
}

/* ---- group: scalar arithmetic and multiplication ----------------------- */

static void check_scalars(const mpc_group *g)
{
    mpc_scalar a, b, r, s, inv, one;
    secret_scalar(g, &a);
    secret_scalar(g, &b);

    mpc_scalar_add(g, &r, &a, &b);
    mpc_scalar_sub(g, &s, &r, &b);
    EXPECT(scalar_eq_public(&s, &a));
    mpc_scalar_neg(g, &s, &a);
    mpc_scalar_add(g, &s, &s, &a);
    bool zero = mpc_scalar_is_zero(&s);
    DECLASSIFY(&zero, sizeof zero);
    EXPECT(zero);

    mpc_scalar_mul(g, &r, &a, &b);
    /* mpc_scalar_inv: the zero test is documented (group.h, "whether a
     * scalar is zero"); its result is the error code, declassified. */
    mpc_err err = mpc_scalar_inv(g, &inv, &b);
    DECLASSIFY(&err, sizeof err);
    EXPECT(err == MPC_OK);
    mpc_scalar_mul(g, &s, &r, &inv);
    EXPECT(scalar_eq_public(&s, &a));
    mpc_scalar_mul(g, &s, &inv, &b);
    mpc_scalar_set_u64(g, &one, 1);
    EXPECT(scalar_eq_public(&s, &one));

    /* Hash outputs reduced to secret scalars (nonces, derived shares). */
    uint8_t wide[64];
    mpc_ctx_random(ctx, wide, sizeof wide);
    mpc_scalar_reduce_be(g, &r, wide, sizeof wide);
    mpc_scalar_reduce_le(g, &s, wide, sizeof wide);
    uint8_t enc[MPC_SCALAR_BYTES];
    mpc_scalar_serialize(g, enc, &a);
    err = mpc_scalar_parse(g, &s, enc);
    DECLASSIFY(&err, sizeof err);
    EXPECT(err == MPC_OK);
    EXPECT(scalar_eq_public(&s, &a));

    mpc_wipe(wide, sizeof wide);
    mpc_wipe(enc, sizeof enc);
    mpc_scalar_clear(&a);
    mpc_scalar_clear(&b);
    mpc_scalar_clear(&r);
    mpc_scalar_clear(&s);
    mpc_scalar_clear(&inv);
}

static void check_points(const mpc_group *g)
{
    mpc_scalar a, b, ab;
    mpc_point pa, pab, q;
    secret_scalar(g, &a);
    secret_scalar(g, &b);
    mpc_scalar_mul(g, &ab, &a, &b);

    /* Products of secrets with points are public (group.h). */
    mpc_point_mul_base(g, &pa, &a);
    DECLASSIFY(&pa, sizeof pa);
    mpc_point_mul(g, &q, &b, &pa);
    DECLASSIFY(&q, sizeof q);
    mpc_point_mul_base(g, &pab, &ab);
    DECLASSIFY(&pab, sizeof pab);
    EXPECT(mpc_point_eq(g, &q, &pab));

    mpc_scalar_clear(&a);
    mpc_scalar_clear(&b);
    mpc_scalar_clear(&ab);
}

/* ---- Feldman VSS and HD ------------------------------------------------- */

static void check_vss_hd(const mpc_group *g)
{
    enum { T = 3 };
    mpc_scalar coef[T], x, y, delta, shifted;
    /* mpc_poly_random draws from the (secret) rng. */
    mpc_poly_random(g, coef, T, NULL);
    mpc_scalar_set_u64(g, &x, 5);
    mpc_poly_eval(g, &y, coef, T, &x);

    mpc_point commit[T], want;
    mpc_poly_commit(g, commit, coef, T);
    DECLASSIFY(commit, sizeof commit);
    mpc_point_mul_base(g, &want, &y);
    DECLASSIFY(&want, sizeof want);
    mpc_point got;
    mpc_vss_commitment_eval_var(g, &got, commit, T, &x);
    EXPECT(mpc_point_eq(g, &got, &want));

    /* HD: the tweak delta is public, the share is not. */
    uint8_t d[MPC_SCALAR_BYTES] = {0};
    d[g == mpc_ctx_group(ctx, MPC_CURVE_ED25519) ? 0 : 31] = 7;
    EXPECT(mpc_scalar_parse(g, &delta, d) == MPC_OK);
    mpc_hd_share_shift(g, &shifted, &y, &delta);
    mpc_point_mul_base(g, &got, &shifted);
    DECLASSIFY(&got, sizeof got);
    mpc_hd_point_shift(g, &want, &want, &delta);
    EXPECT(mpc_point_eq(g, &got, &want));

    /* mpc_vss_deal: a secret shared to three parties; the shares are
     * checked against the (public) commitments. */
    mpc_scalar ids[3], shares[3], secret;
    for (size_t j = 0; j < 3; j++)
        mpc_scalar_set_u64(g, &ids[j], j + 1);
    secret_scalar(g, &secret);
    EXPECT(mpc_vss_deal(g, commit, shares, &secret, ids, 3, T) == MPC_OK);
    DECLASSIFY(commit, sizeof commit);
    for (size_t j = 0; j < 3; j++) {
        mpc_point_mul_base(g, &want, &shares[j]);
        DECLASSIFY(&want, sizeof want);
        mpc_vss_commitment_eval_var(g, &got, commit, T, &ids[j]);
        EXPECT(mpc_point_eq(g, &got, &want));
        mpc_scalar_clear(&shares[j]);
    }
    mpc_scalar_clear(&secret);

    for (size_t k = 0; k < T; k++)
        mpc_scalar_clear(&coef[k]);
    mpc_scalar_clear(&y);
    mpc_scalar_clear(&shifted);
}

/* ---- FROST: nonce generation and signature share ------------------------ */

static void check_frost(void)
{
    const mpc_group *g = mpc_ctx_group(ctx, MPC_CURVE_ED25519);
    mpc_frost_key_package key[2];
    mpc_frost_nonce nonce[2];
    mpc_frost_commitment list[2];
    mpc_scalar gsk;
    secret_scalar(g, &gsk);
    mpc_point gpk;
    mpc_point_mul_base(g, &gpk, &gsk);
    DECLASSIFY(&gpk, sizeof gpk);
    for (size_t i = 0; i < 2; i++) {
        memset(&key[i], 0, sizeof key[i]);
        mpc_scalar_set_u64(g, &key[i].id, i + 1);
        secret_scalar(g, &key[i].share);
        key[i].group_pk = gpk;
        key[i].threshold = 2;
        mpc_err err = mpc_frost_commit(g, &nonce[i], &list[i], &key[i]);
        EXPECT(err == MPC_OK);
        /* The commitment is published. */
        DECLASSIFY(&list[i], sizeof list[i]);
        DECLASSIFY(&nonce[i].commitment, sizeof nonce[i].commitment);
    }
    static const uint8_t msg[] = "ctime";
    for (size_t i = 0; i < 2; i++) {
        mpc_scalar z;
        mpc_err err = mpc_frost_sign(g, &z, &nonce[i], &key[i], NULL, msg,
                                     sizeof msg, list, 2);
        EXPECT(err == MPC_OK);
        /* The signature share is published: check it as a verifier. */
        DECLASSIFY(&z, sizeof z);
        mpc_point vshare;
        mpc_point_mul_base(g, &vshare, &key[i].share);
        DECLASSIFY(&vshare, sizeof vshare);
        EXPECT(mpc_frost_verify_share(g, &key[i].id, &z, &vshare, &gpk, NULL,
                                      msg, sizeof msg, list, 2) == MPC_OK);
        mpc_frost_key_package_clear(&key[i]);
    }
    mpc_scalar_clear(&gsk);
}

/* ---- bn: constant-time arithmetic -------------------------------------- */

static void check_bn(const mpz_t p, const mpz_t q)
{
    mpz_t a, b, m, r, r2, e, bi;
    mpz_inits(a, b, m, r, r2, e, bi, NULL);
    mpz_mul(m, p, q);

    /* Secret operands below a public modulus; secret modulus below. */
    EXPECT(mpc_bn_random_below(ctx, a, m) == MPC_OK);
    EXPECT(mpc_bn_random_below(ctx, b, m) == MPC_OK);

    EXPECT(mpc_bn_addmod_sec(ctx, r, a, b, m) == MPC_OK);
    EXPECT(mpc_bn_submod_sec(ctx, r, r, b, m) == MPC_OK);
    ctime_declassify_mpz(r);
    ctime_declassify_mpz(a);
    EXPECT(mpz_cmp(r, a) == 0);
    ctime_secret_mpz(a);

    EXPECT(mpc_bn_mul_sec(ctx, r, a, b) == MPC_OK);
    EXPECT(mpc_bn_mod_sec(ctx, r2, r, m) == MPC_OK);
    EXPECT(mpc_bn_mulmod_sec(ctx, r, a, b, m) == MPC_OK);
    ctime_declassify_mpz(r);
    ctime_declassify_mpz(r2);
    EXPECT(mpz_cmp(r, r2) == 0);

    EXPECT(mpc_bn_center_sec(ctx, r, a, m) == MPC_OK);

    EXPECT(mpc_bn_invert_sec(ctx, r, a, m) == MPC_OK);
    EXPECT(mpc_bn_mulmod_sec(ctx, r, r, a, m) == MPC_OK);
    ctime_declassify_mpz(r);
    EXPECT(mpz_cmp_ui(r, 1) == 0);

    /* Secret exponent, public base and modulus. */
    EXPECT(mpc_bn_random_below(ctx, e, m) == MPC_OK);
    mpz_set_ui(bi, 3);
    EXPECT(mpc_bn_powm_sec(ctx, r, bi, e, mpz_sizeinbase(m, 2), m) == MPC_OK);
    ctime_declassify_mpz(r);
    ctime_declassify_mpz(e);
    mpz_powm(r2, bi, e, m);
    EXPECT(mpz_cmp(r, r2) == 0);

    /* Signed secret exponent (ring-Pedersen style). */
    EXPECT(mpc_bn_random_symmetric(ctx, e, m) == MPC_OK);
    ctime_declassify_mpz(b);
    mpz_invert(bi, b, m);
    EXPECT(mpc_bn_powm_signed_sec(ctx, r, b, bi, e, mpz_sizeinbase(m, 2), m) ==
           MPC_OK);

    /* Secret modulus (Paillier p, q) and CRT. */
    mpz_t sp, sq, qinv;
    mpz_inits(sp, sq, qinv, NULL);
    mpz_set(sp, p);
    mpz_set(sq, q);
    mpz_invert(qinv, q, p);
    ctime_secret_modulus(sp);
    ctime_secret_modulus(sq);
    ctime_secret_mpz(qinv);
    EXPECT(mpc_bn_mod_sec(ctx, r, a, sp) == MPC_OK);
    EXPECT(mpc_bn_mod_sec(ctx, r2, a, sq) == MPC_OK);
    EXPECT(mpc_bn_crt_sec(ctx, r, r, sp, r2, sq, qinv) == MPC_OK);
    ctime_declassify_mpz(r);
    ctime_declassify_mpz(a);
    EXPECT(mpz_cmp(r, a) == 0);
    EXPECT(mpc_bn_divmod_sec(ctx, r, r2, a, sq) == MPC_OK);
    EXPECT(mpc_bn_random_below(ctx, e, p) == MPC_OK);
    EXPECT(mpc_bn_powm_sec(ctx, r, a, e, mpz_sizeinbase(p, 2), sp) == MPC_OK);

    mpc_bn_clear(sp);
    mpc_bn_clear(sq);
    mpc_bn_clear(qinv);
    mpc_bn_clear(a);
    mpc_bn_clear(b);
    mpc_bn_clear(e);
    mpc_bn_clear(r);
    mpc_bn_clear(r2);
    mpz_clears(m, bi, NULL);
}

/* ---- Paillier, ring-Pedersen, Πenc -------------------------------------- */

static void check_paillier(const mpc_params *params, mpc_paillier_sk *sk,
                           mpc_paillier_sk *sk2)
{
    const mpc_paillier_pk *pk = &sk->pk;
    mpz_t m, r, c, c2, d, x, bound, order;
    mpz_inits(m, r, c, c2, d, x, bound, order, NULL);

    /* A secret signed plaintext |m| < 2^ell and a secret nonce. */
    mpz_setbit(bound, params->ell);
    EXPECT(mpc_bn_random_symmetric(ctx, m, bound) == MPC_OK);
    EXPECT(mpc_paillier_nonce_random(ctx, pk, r) == MPC_OK);

    EXPECT(mpc_paillier_encrypt_crt(ctx, sk, c, m, r) == MPC_OK);
    EXPECT(mpc_paillier_encrypt(ctx, pk, c2, m, r) == MPC_OK);
    ctime_declassify_mpz(c);
    ctime_declassify_mpz(c2);
    EXPECT(mpz_cmp(c, c2) == 0);

    EXPECT(mpc_paillier_decrypt(ctx, sk, d, c) == MPC_OK);
    ctime_declassify_mpz(d);
    ctime_declassify_mpz(m);
    EXPECT(mpz_cmp(d, m) == 0);
    ctime_secret_mpz(m);

    uint8_t q_be[MPC_SCALAR_BYTES];
    mpc_group_order_be(mpc_ctx_group(ctx, MPC_CURVE_SECP256K1), q_be);
    mpz_import(order, sizeof q_be, 1, 1, 0, 0, q_be);
    EXPECT(mpc_paillier_decrypt_mod(ctx, sk, d, c, order) == MPC_OK);

    /* MtA: secret x, y under another party's key. */
    EXPECT(mpc_bn_random_symmetric(ctx, x, bound) == MPC_OK);
    EXPECT(mpc_paillier_mul(ctx, pk, c2, c, x, params->ell + 1) == MPC_OK);
    EXPECT(mpc_paillier_affine(ctx, pk, c2, c, x, params->ell + 1, m, r) ==
           MPC_OK);
    ctime_declassify_mpz(c2);

    /* Owner-side r^e mod N with a secret e >= 0 (the Πprm / Πmod provers). */
    EXPECT(mpc_bn_random_below(ctx, c2, pk->n) == MPC_OK);
    EXPECT(mpc_paillier_sk_powm_n(ctx, sk, d, r, c2) == MPC_OK);

    /* Ring-Pedersen over the second key, with secret exponents. */
    mpc_rped rp;
    mpc_rped_init(&rp);
    mpz_t lambda;
    mpz_init(lambda);
    EXPECT(mpc_rped_generate(ctx, &rp, lambda, sk2) == MPC_OK);
    ctime_declassify_mpz(rp.s);
    ctime_declassify_mpz(rp.t);
    ctime_declassify_mpz(rp.s_inv);
    ctime_declassify_mpz(rp.t_inv);
    EXPECT(mpc_rped_commit(ctx, &rp, d, m, params->ell + 1, x,
                           params->ell + 1) == MPC_OK);
    ctime_declassify_mpz(d);

    /* Πenc: K = Enc(k; rho) under sk, proven against rp. mpc_zk_enc_prove
     * does not declassify its first message (S, A, C) before hashing it,
     * so the steps run one by one here, declassifying what is published
     * (docs/constant-time.md). */
    mpc_zk_enc_proof proof;
    mpc_zk_enc_proof_init(&proof);
    mpc_zk_enc_masks masks;
    mpc_zk_enc_masks_init(&masks);
    mpc_transcript t;
    static const uint8_t sid[] = "ctime";
    mpc_transcript_init(&t, "ctime-enc", sid, sizeof sid);
    mpz_t e;
    mpz_init(e);
    EXPECT(mpc_zk_enc_commit(ctx, &proof, &masks, &rp, sk, m) == MPC_OK);
    ctime_declassify_mpz(proof.s);
    ctime_declassify_mpz(proof.a);
    ctime_declassify_mpz(proof.c);
    EXPECT(mpc_zk_enc_challenge(&t, &rp, pk, c, &proof, e) == MPC_OK);
    mpc_err err = mpc_zk_enc_respond(ctx, &proof, &masks, &rp, pk, e, m, r);
    /* Depends only on whether the published z1 is in range. */
    DECLASSIFY(&err, sizeof err);
    EXPECT(err == MPC_OK);
    mpc_zk_enc_masks_clear(&masks);
    mpz_clear(e);
    /* The proof is published; it must verify. */
    ctime_declassify_mpz(proof.z1);
    ctime_declassify_mpz(proof.z2);
    ctime_declassify_mpz(proof.z3);
    mpc_transcript_init(&t, "ctime-enc", sid, sizeof sid);
    EXPECT(mpc_zk_enc_verify(&t, &rp, NULL, pk, c, &proof) == MPC_OK);
    mpc_zk_enc_proof_clear(&proof);
    mpc_transcript_clear(&t);

    mpc_rped_clear(&rp);
    mpc_bn_clear(lambda);
    mpc_bn_clear(m);
    mpc_bn_clear(r);
    mpc_bn_clear(x);
    mpc_bn_clear(d);
    mpc_bn_clear(c2);
    mpz_clears(c, bound, order, NULL);
}

static void check_bn_paillier(void)
{
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    mpz_t p, q, p2, q2;
    mpz_inits(p, q, p2, q2, NULL);
    bool ok = ctime_fixture_primes(p, q, params->prime_bits, 0) &&
              ctime_fixture_primes(p2, q2, params->prime_bits, 2);
    EXPECT(ok);
    if (!ok)
        return;
    check_bn(p, q);

    mpc_paillier_sk sk, sk2;
    mpc_paillier_sk_init(&sk);
    mpc_paillier_sk_init(&sk2);
    EXPECT(mpc_paillier_sk_from_primes(ctx, &sk, params, p, q) == MPC_OK);
    EXPECT(mpc_paillier_sk_from_primes(ctx, &sk2, params, p2, q2) == MPC_OK);
    ctime_secret_sk(&sk);
    ctime_secret_sk(&sk2);
    check_paillier(params, &sk, &sk2);
    mpc_paillier_sk_clear(&sk);
    mpc_paillier_sk_clear(&sk2);
    mpz_clears(p, q, p2, q2, NULL);
}

/*
 * `--findings`: calls that valgrind still reports, kept runnable so that a
 * fix can be checked (docs/constant-time.md, "Open findings"); not part of
 * `make ctime`. They are the entry points registered with
 * CTIME_REGISTER_FINDING. None is open: the last two no longer reproduce
 * and run in `make ctime` instead, mpc_paillier_sk_from_primes with
 * secret primes in ctime_paillier_key.c and the whole mpc_zk_enc_prove in
 * ctime_zk_prove.c.
 */

/* ---- the other files' checks (ctime.h) ---------------------------------- */

#define MAX_REGISTERED 16

static struct {
    const char *name;
    ctime_check_fn fn;
    bool finding;
} registered[MAX_REGISTERED];
static size_t nregistered;

void ctime_register(const char *name, ctime_check_fn fn, bool finding)
{
    if (nregistered == MAX_REGISTERED) {
        fprintf(stderr, "mpc-ctime: too many checks, %s not run\n", name);
        failures++;
        return;
    }
    registered[nregistered].name = name;
    registered[nregistered].fn = fn;
    registered[nregistered++].finding = finding;
}

/* Runs the registered checks (findings: those of `--findings`). */
static void run_registered(bool findings_mode)
{
    for (size_t i = 0; i < nregistered; i++) {
        if (registered[i].finding != findings_mode)
            continue;
        if (findings_mode)
            fprintf(stderr, "findings: %s\n", registered[i].name);
        int failed = registered[i].fn(ctx);
        checks++;
        if (failed != 0) {
            fprintf(stderr, "%s: %d failed\n", registered[i].name, failed);
            failures += failed;
        }
    }
}

/* A deliberate branch on a secret: valgrind must report it. */
static int canary(void)
{
    unsigned char s = 1;
    SECRET(&s, 1);
    volatile int r = 0;
    if (s)
        r = 1;
    return r == 1 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (!RUNNING_ON_VALGRIND) {
        fprintf(stderr, "mpc-ctime: run under valgrind (scripts/ctime.sh): "
                        "outside it the checks pass vacuously\n");
        return 2;
    }
    if (argc > 1 && strcmp(argv[1], "--canary") == 0)
        return canary();
    mpc_gmp_use_zeroing_allocator();
    if (ctx_setup() != 0) {
        fprintf(stderr, "mpc-ctime: no context\n");
        return 1;
    }
    if (argc > 1 && strcmp(argv[1], "--findings") == 0) {
        run_registered(true);
        mpc_ctx_free(ctx);
        mpc_drbg_clear(&drbg);
        return failures == 0 ? 0 : 1;
    }
    const mpc_curve curves[] = {MPC_CURVE_SECP256K1, MPC_CURVE_ED25519};
    for (size_t i = 0; i < sizeof curves / sizeof curves[0]; i++) {
        const mpc_group *g = mpc_ctx_group(ctx, curves[i]);
        check_scalars(g);
        check_points(g);
        check_vss_hd(g);
    }
    check_frost();
    check_bn_paillier();
    run_registered(false);
    mpc_ctx_free(ctx);
    mpc_drbg_clear(&drbg);
    printf("mpc-ctime: %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
