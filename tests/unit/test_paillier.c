/* lib/paillier: parameter sets, fixtures, keys, encryption and CRT
 * decryption, homomorphic operations, validation of received values,
 * ring-Pedersen parameters and commitments, misuse. */
#include <gmp.h>
#include <stdlib.h>

#include "mpc/bn.h"
#include "mpc/ctx.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "tests/harness/test.h"

#define FIXTURES "tests/vectors/paillier-fixtures.txt"
#define MAX_FIXTURES 32

/* ---- helpers ----------------------------------------------------------- */

/* Loads up to `max` fixture primes of `bits` bits, in file order. */
static size_t load_primes(size_t bits, mpz_t *out, size_t max)
{
    size_t len = 0, n = 0;
    char *text = test_read_file(FIXTURES, &len);
    if (text == NULL)
        return 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line != NULL && n < max;
         line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#')
            continue;
        char *hex = NULL;
        size_t b = strtoul(line, &hex, 10);
        if (b != bits || hex == NULL || *hex != ' ')
            continue;
        if (mpz_set_str(out[n], hex + 1, 16) == 0)
            n++;
    }
    free(text);
    return n;
}

/* sk = the fixture key number `index` of the set `id`. */
static bool fixture_key(mpc_paillier_sk *sk, mpc_params_id id, size_t index)
{
    const mpc_params *params = mpc_params_get(id);
    REQUIRE(params != NULL);
    mpz_t pr[MAX_FIXTURES];
    for (size_t i = 0; i < MAX_FIXTURES; i++)
        mpz_init(pr[i]);
    size_t n = load_primes(params->prime_bits, pr, MAX_FIXTURES);
    bool ok = 2 * index + 1 < n &&
              mpc_paillier_sk_from_primes(test_ctx(), sk, params, pr[2 * index],
                                          pr[2 * index + 1]) == MPC_OK;
    for (size_t i = 0; i < MAX_FIXTURES; i++)
        mpz_clear(pr[i]);
    REQUIRE(ok);
    return true;
}

/* x = uniform in [-2^bits, 2^bits] from the test DRBG (public test data). */
static void rand_signed(mpz_t x, size_t bits)
{
    mpz_t b;
    mpz_init(b);
    mpz_setbit(b, bits);
    if (mpc_bn_random_symmetric(test_ctx(), x, b) != MPC_OK)
        mpz_set_ui(x, 0);
    mpz_clear(b);
}

static bool all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

static bool pk_empty(const mpc_paillier_pk *pk)
{
    return pk->params == NULL && mpz_sgn(pk->n) == 0 && mpz_sgn(pk->n2) == 0;
}

/* Encrypts m both ways with a fresh nonce, checks they agree, decrypts. */
static bool roundtrip(const mpc_paillier_sk *sk, const mpz_t m)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t r, c1, c2, d;
    mpz_inits(r, c1, c2, d, NULL);
    REQUIRE_OK(mpc_paillier_nonce_random(ctx, &sk->pk, r));
    REQUIRE_OK(mpc_paillier_encrypt(ctx, &sk->pk, c1, m, r));
    REQUIRE_OK(mpc_paillier_encrypt_crt(ctx, sk, c2, m, r));
    REQUIRE(mpz_cmp(c1, c2) == 0);
    REQUIRE_OK(mpc_paillier_ciphertext_check_var(&sk->pk, c1));
    REQUIRE_OK(mpc_paillier_decrypt(ctx, sk, d, c1));
    REQUIRE(mpz_cmp(d, m) == 0);
    mpz_clears(r, c1, c2, d, NULL);
    return true;
}

/* A context whose allocator fails once `fail_alloc` is set. */
static bool fail_alloc;
static void *flaky_zalloc(size_t n, void *ud)
{
    (void)ud;
    return fail_alloc ? NULL : calloc(1, n);
}
static void flaky_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

/* ---- parameter sets and fixtures -------------------------------------- */

TEST(paillier_params_table)
{
    const mpc_params *c = mpc_params_get(MPC_PARAMS_COMPAT);
    const mpc_params *h = mpc_params_get(MPC_PARAMS_128);
    CHECK(c != NULL && h != NULL);
    CHECK(c->id == MPC_PARAMS_COMPAT && h->id == MPC_PARAMS_128);
    CHECK(c->prime_bits == 1024 && c->n_bits == 2048 && c->n_min_bits == 2047);
    CHECK(c->n_bytes == 256 && c->ct_bytes == 512);
    CHECK(c->ell == 256 && c->ell_prime == 1280 && c->eps == 512 && c->m == 80);
    CHECK(h->prime_bits == 1536 && h->n_bits == 3072 && h->n_min_bits == 3071);
    CHECK(h->n_bytes == 384 && h->ct_bytes == 768);
    CHECK(h->ell == 256 && h->ell_prime == 848 && h->eps == 230 && h->m == 128);
    CHECK(strcmp(c->name, h->name) != 0);
    CHECK(mpc_params_get((mpc_params_id)0) == NULL);
    CHECK(mpc_params_get((mpc_params_id)3) == NULL);
}

/* Every fixture prime of `bits` bits is a safe prime (our constant-time
 * Miller–Rabin on p and q, and GMP's independent BPSW test), distinct. */
static bool fixtures_ok(size_t bits, size_t want)
{
    mpz_t pr[MAX_FIXTURES], q;
    for (size_t i = 0; i < MAX_FIXTURES; i++)
        mpz_init(pr[i]);
    mpz_init(q);
    size_t n = load_primes(bits, pr, MAX_FIXTURES);
    REQUIRE(n >= want);
    for (size_t i = 0; i < n; i++) {
        REQUIRE(mpz_sizeinbase(pr[i], 2) == bits);
        REQUIRE(mpz_fdiv_ui(pr[i], 4) == 3);
        REQUIRE_OK(mpc_bn_safe_prime_check(test_ctx(), pr[i]));
        mpz_fdiv_q_2exp(q, pr[i], 1);
        REQUIRE(mpz_probab_prime_p(pr[i], 25) != 0);
        REQUIRE(mpz_probab_prime_p(q, 25) != 0);
        for (size_t j = 0; j < i; j++)
            REQUIRE(mpz_cmp(pr[i], pr[j]) != 0);
    }
    for (size_t i = 0; i < MAX_FIXTURES; i++)
        mpz_clear(pr[i]);
    mpz_clear(q);
    return true;
}

TEST(paillier_fixtures_1024_are_safe_primes)
{
    CHECK(fixtures_ok(1024, 16)); /* eight 2048-bit keys */
}

TEST(paillier_fixtures_1536_are_safe_primes)
{
    CHECK(fixtures_ok(1536, 4)); /* two 3072-bit keys */
}

/* ---- keys -------------------------------------------------------------- */

TEST(paillier_key_from_fixture_primes)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(fixture_key(&sk, MPC_PARAMS_COMPAT, 0));
    mpz_t t, u;
    mpz_inits(t, u, NULL);
    CHECK(mpz_sizeinbase(sk.pk.n, 2) == 2048);
    mpz_mul(t, sk.p, sk.q);
    CHECK(mpz_cmp(t, sk.pk.n) == 0);
    mpz_mul(t, t, t);
    CHECK(mpz_cmp(t, sk.pk.n2) == 0);
    mpz_sub_ui(t, sk.p, 1);
    mpz_sub_ui(u, sk.q, 1);
    mpz_mul(t, t, u);
    CHECK(mpz_cmp(t, sk.phi) == 0);
    /* CRT constants */
    mpz_mul(t, sk.q, sk.q_inv_p);
    mpz_mod(t, t, sk.p);
    CHECK(mpz_cmp_ui(t, 1) == 0);
    mpz_mul(t, sk.q2, sk.q2_inv_p2);
    mpz_mod(t, t, sk.p2);
    CHECK(mpz_cmp_ui(t, 1) == 0);
    mpz_mul(t, sk.q, sk.hp);
    mpz_add_ui(t, t, 1);
    CHECK(mpz_divisible_p(t, sk.p)); /* hp * (-q) ≡ 1 */
    mpz_mul(t, sk.p, sk.hq);
    mpz_add_ui(t, t, 1);
    CHECK(mpz_divisible_p(t, sk.q));
    mpz_sub_ui(t, sk.p, 1);
    mpz_mod(u, sk.q, t);
    CHECK(mpz_cmp(u, sk.ep) == 0);
    mpz_sub_ui(t, sk.q, 1);
    mpz_mod(u, sk.p, t);
    CHECK(mpz_cmp(u, sk.eq) == 0);
    mpc_paillier_sk_clear(&sk);
    /* both sets */
    mpc_paillier_sk_init(&sk);
    CHECK(fixture_key(&sk, MPC_PARAMS_128, 0));
    CHECK(mpz_sizeinbase(sk.pk.n, 2) == 3072);
    CHECK(sk.pk.params == mpc_params_get(MPC_PARAMS_128));
    mpc_paillier_sk_clear(&sk);
    mpz_clears(t, u, NULL);
}

TEST(paillier_keygen_fresh_small_set)
{
    /* A toy set so that keygen runs its own prime generation quickly. */
    const mpc_params toy = {.id = MPC_PARAMS_COMPAT,
                            .name = "toy-512",
                            .prime_bits = 256,
                            .n_bits = 512,
                            .n_min_bits = 511,
                            .n_bytes = 64,
                            .ct_bytes = 128};
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK_OK(mpc_paillier_keygen(test_ctx(), &sk, &toy));
    CHECK(mpz_sizeinbase(sk.pk.n, 2) == 512);
    CHECK_OK(mpc_bn_safe_prime_check(test_ctx(), sk.p));
    CHECK_OK(mpc_bn_safe_prime_check(test_ctx(), sk.q));
    mpz_t m;
    mpz_init_set_si(m, -123456789);
    CHECK(roundtrip(&sk, m));
    mpz_clear(m);
    mpc_paillier_sk_clear(&sk);
}

TEST(paillier_from_primes_misuse)
{
    const mpc_ctx *ctx = test_ctx();
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    mpz_t pr[4], bad;
    for (size_t i = 0; i < 4; i++)
        mpz_init(pr[i]);
    mpz_init(bad);
    CHECK(load_primes(1024, pr, 4) == 4);
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK_ERR(mpc_paillier_sk_from_primes(ctx, &sk, params, pr[0], pr[0]),
              MPC_ERR_INVALID_ARG);
    CHECK(pk_empty(&sk.pk) && mpz_sgn(sk.p) == 0);
    /* a 1536-bit prime under the 2048-bit set */
    mpz_t big;
    mpz_init(big);
    CHECK(load_primes(1536, &big, 1) == 1);
    CHECK_ERR(mpc_paillier_sk_from_primes(ctx, &sk, params, pr[0], big),
              MPC_ERR_INVALID_ARG);
    mpz_clear(big);
    /* p ≡ 1 (mod 4): not a Blum prime */
    mpz_set(bad, pr[1]);
    mpz_sub_ui(bad, bad, 2);
    CHECK(mpz_fdiv_ui(bad, 4) == 1);
    CHECK_ERR(mpc_paillier_sk_from_primes(ctx, &sk, params, pr[0], bad),
              MPC_ERR_INVALID_ARG);
    /* N one bit short: two primes whose product has 2047 bits */
    mpz_set_ui(bad, 0);
    mpz_setbit(bad, 1023);
    mpz_add_ui(bad, bad, 3); /* 2^1023 + 3 ≡ 3 (mod 4) */
    CHECK_ERR(mpc_paillier_sk_from_primes(ctx, &sk, params, bad, pr[2]),
              MPC_ERR_INVALID_ARG);
    CHECK(pk_empty(&sk.pk));
    CHECK_ERR(mpc_paillier_sk_from_primes(NULL, &sk, params, pr[0], pr[1]),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_paillier_sk_from_primes(ctx, &sk, NULL, pr[0], pr[1]),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_paillier_sk_from_primes(ctx, NULL, params, pr[0], pr[1]),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_paillier_keygen(ctx, &sk, NULL), MPC_ERR_INVALID_ARG);
    mpc_paillier_sk_clear(&sk);
    mpc_paillier_sk_clear(NULL);
    mpc_paillier_pk_clear(NULL);
    for (size_t i = 0; i < 4; i++)
        mpz_clear(pr[i]);
    mpz_clear(bad);
}

TEST(paillier_pk_serialize_parse)
{
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    const mpc_params *p128 = mpc_params_get(MPC_PARAMS_128);
    mpc_paillier_sk sk;
    mpc_paillier_pk pk;
    mpc_paillier_sk_init(&sk);
    mpc_paillier_pk_init(&pk);
    CHECK(fixture_key(&sk, MPC_PARAMS_COMPAT, 1));
    uint8_t buf[384];
    CHECK_OK(mpc_paillier_pk_serialize(buf, 256, &sk.pk));
    CHECK_OK(mpc_paillier_pk_parse(&pk, params, buf, 256));
    CHECK(mpz_cmp(pk.n, sk.pk.n) == 0 && mpz_cmp(pk.n2, sk.pk.n2) == 0);
    CHECK(pk.params == params);
    /* wrong lengths and the other set's length */
    CHECK_ERR(mpc_paillier_pk_parse(&pk, params, buf, 255), MPC_ERR_PARSE);
    CHECK(pk_empty(&pk));
    CHECK_ERR(mpc_paillier_pk_parse(&pk, p128, buf, 256), MPC_ERR_PARSE);
    /* even N */
    buf[255] &= 0xFE;
    CHECK_ERR(mpc_paillier_pk_parse(&pk, params, buf, 256), MPC_ERR_PARSE);
    /* 2047 bits is the smallest accepted size, 2046 is rejected */
    memset(buf, 0, sizeof buf);
    buf[0] = 0x40;
    buf[255] = 0x01;
    CHECK_OK(mpc_paillier_pk_parse(&pk, params, buf, 256));
    buf[0] = 0x20;
    CHECK_ERR(mpc_paillier_pk_parse(&pk, params, buf, 256), MPC_ERR_PARSE);
    CHECK(pk_empty(&pk));
    /* serialize misuse */
    CHECK_ERR(mpc_paillier_pk_serialize(buf, 255, &sk.pk), MPC_ERR_INVALID_ARG);
    CHECK(all_zero(buf, 255));
    CHECK_ERR(mpc_paillier_pk_serialize(buf, 256, &pk), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_paillier_pk_parse(&pk, params, NULL, 256),
              MPC_ERR_INVALID_ARG);
    /* copy */
    mpc_paillier_pk_copy(&pk, &sk.pk);
    CHECK(mpz_cmp(pk.n, sk.pk.n) == 0 && pk.params == params);
    mpc_paillier_pk_clear(&pk);
    mpc_paillier_sk_clear(&sk);
}

TEST(paillier_sk_export_import)
{
    const mpc_ctx *ctx = test_ctx();
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    mpc_paillier_sk sk, sk2;
    mpc_paillier_sk_init(&sk);
    mpc_paillier_sk_init(&sk2);
    CHECK(fixture_key(&sk, MPC_PARAMS_COMPAT, 2));
    uint8_t buf[256];
    CHECK_OK(mpc_paillier_sk_export_primes(buf, 256, &sk));
    CHECK_OK(mpc_paillier_sk_import_primes(ctx, &sk2, params, buf, 256));
    CHECK(mpz_cmp(sk.pk.n, sk2.pk.n) == 0 && mpz_cmp(sk.hq, sk2.hq) == 0);
    mpz_t m;
    mpz_init_set_si(m, -42);
    CHECK(roundtrip(&sk2, m));
    CHECK_ERR(mpc_paillier_sk_export_primes(buf, 255, &sk),
              MPC_ERR_INVALID_ARG);
    CHECK(all_zero(buf, 255));
    CHECK_ERR(mpc_paillier_sk_import_primes(ctx, &sk2, params, buf, 255),
              MPC_ERR_INVALID_ARG);
    CHECK(pk_empty(&sk2.pk) && mpz_sgn(sk2.p) == 0);
    memset(buf, 0, sizeof buf);
    CHECK_ERR(mpc_paillier_sk_import_primes(ctx, &sk2, params, buf, 256),
              MPC_ERR_INVALID_ARG);
    mpz_clear(m);
    mpc_paillier_sk_clear(&sk);
    mpc_paillier_sk_clear(&sk2);
}

/* ---- encryption and decryption ----------------------------------------- */

TEST(paillier_roundtrip_signed_and_edges)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(fixture_key(&sk, MPC_PARAMS_COMPAT, 0));
    mpz_t m, half;
    mpz_inits(m, half, NULL);
    mpz_fdiv_q_2exp(half, sk.pk.n, 1); /* (N - 1) / 2 */
    static const long small[] = {0, 1, -1, 2, -2, 1000000007, -1000000007};
    for (size_t i = 0; i < sizeof small / sizeof *small; i++) {
        mpz_set_si(m, small[i]);
        CHECK(roundtrip(&sk, m));
    }
    CHECK(roundtrip(&sk, half)); /* N/2, the top of the range */
    mpz_neg(m, half);
    CHECK(roundtrip(&sk, m)); /* -N/2 (exclusive bound: -(N-1)/2) */
    mpz_sub_ui(m, half, 1);
    CHECK(roundtrip(&sk, m));
    static const size_t bits[] = {64, 256, 1280, 1792, 2040};
    for (size_t i = 0; i < sizeof bits / sizeof *bits; i++) {
        rand_signed(m, bits[i]);
        CHECK(roundtrip(&sk, m));
    }
    mpz_clears(m, half, NULL);
    mpc_paillier_sk_clear(&sk);
}

TEST(paillier_roundtrip_3072)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(fixture_key(&sk, MPC_PARAMS_128, 1));
    mpz_t m;
    mpz_init(m);
    rand_signed(m, 848);
    CHECK(roundtrip(&sk, m));
    mpz_fdiv_q_2exp(m, sk.pk.n, 1);
    mpz_neg(m, m);
    CHECK(roundtrip(&sk, m));
    mpz_clear(m);
    mpc_paillier_sk_clear(&sk);
}

TEST(paillier_encrypt_known_structure)
{
    /* Enc(m; r) must equal (1 + N)^m r^N mod N^2 computed naively. */
    const mpc_ctx *ctx = test_ctx();
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(fixture_key(&sk, MPC_PARAMS_COMPAT, 3));
    mpz_t m, r, c, want, t;
    mpz_inits(m, r, c, want, t, NULL);
    mpz_set_si(m, -77);
    CHECK_OK(mpc_paillier_nonce_random(ctx, &sk.pk, r));
    CHECK_OK(mpc_paillier_encrypt(ctx, &sk.pk, c, m, r));
    mpz_add_ui(t, sk.pk.n, 1);
    CHECK_OK(mpc_bn_powm_var(want, t, m, sk.pk.n2));
    mpz_powm(t, r, sk.pk.n, sk.pk.n2);
    mpz_mul(want, want, t);
    mpz_mod(want, want, sk.pk.n2);
    CHECK(mpz_cmp(c, want) == 0);
    mpz_clears(m, r, c, want, t, NULL);
    mpc_paillier_sk_clear(&sk);
}

TEST(paillier_decrypt_mod_q)
{
    const mpc_ctx *ctx = test_ctx();
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(fixture_key(&sk, MPC_PARAMS_COMPAT, 4));
    mpz_t q, m, r, c, out, want;
    mpz_inits(q, m, r, c, out, want, NULL);
    /* the secp256k1 group order */
    mpz_set_str(
        q, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141",
        16);
    for (int i = 0; i < 4; i++) {
        rand_signed(m, i < 2 ? 1280 : 100);
        CHECK_OK(mpc_paillier_nonce_random(ctx, &sk.pk, r));
        CHECK_OK(mpc_paillier_encrypt_crt(ctx, &sk, c, m, r));
        CHECK_OK(mpc_paillier_decrypt_mod(ctx, &sk, out, c, q));
        mpz_mod(want, m, q);
        CHECK(mpz_cmp(out, want) == 0);
    }
    mpz_set_si(q, 0);
    mpz_set_ui(out, 5);
    CHECK_ERR(mpc_paillier_decrypt_mod(ctx, &sk, out, c, q),
              MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(out) == 0);
    mpz_clears(q, m, r, c, out, want, NULL);
    mpc_paillier_sk_clear(&sk);
}

TEST(paillier_homomorphic_ops)
{
    const mpc_ctx *ctx = test_ctx();
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(fixture_key(&sk, MPC_PARAMS_COMPAT, 5));
    const mpc_paillier_pk *pk = &sk.pk;
    mpz_t m1, m2, r1, r2, c1, c2, c, d, k, want, y, ry;
    mpz_inits(m1, m2, r1, r2, c1, c2, c, d, k, want, y, ry, NULL);
    rand_signed(m1, 1000);
    rand_signed(m2, 1000);
    CHECK_OK(mpc_paillier_nonce_random(ctx, pk, r1));
    CHECK_OK(mpc_paillier_nonce_random(ctx, pk, r2));
    CHECK_OK(mpc_paillier_encrypt(ctx, pk, c1, m1, r1));
    CHECK_OK(mpc_paillier_encrypt(ctx, pk, c2, m2, r2));
    /* add */
    CHECK_OK(mpc_paillier_add(pk, c, c1, c2));
    CHECK_OK(mpc_paillier_decrypt(ctx, &sk, d, c));
    mpz_add(want, m1, m2);
    CHECK(mpz_cmp(d, want) == 0);
    /* public scalar, both signs */
    for (int sign = 0; sign < 2; sign++) {
        rand_signed(k, 256);
        if ((mpz_sgn(k) < 0) != sign)
            mpz_neg(k, k);
        CHECK_OK(mpc_paillier_mul_var(pk, c, c1, k));
        CHECK_OK(mpc_paillier_decrypt(ctx, &sk, d, c));
        mpz_mul(want, m1, k);
        CHECK(mpz_cmp(d, want) == 0);
        /* secret scalar: same ciphertext, constant-time path */
        CHECK_OK(mpc_paillier_mul(ctx, pk, d, c1, k, 257));
        CHECK(mpz_cmp(d, c) == 0);
    }
    /* affine: c1^x * Enc(y; ry) decrypts to x m1 + y */
    rand_signed(k, 255);
    rand_signed(y, 1280);
    CHECK_OK(mpc_paillier_nonce_random(ctx, pk, ry));
    CHECK_OK(mpc_paillier_affine(ctx, pk, c, c1, k, 256, y, ry));
    CHECK_OK(mpc_paillier_decrypt(ctx, &sk, d, c));
    mpz_mul(want, m1, k);
    mpz_add(want, want, y);
    CHECK(mpz_cmp(d, want) == 0);
    /* sums that leave the range wrap modulo N into the centered range */
    mpz_fdiv_q_2exp(m1, pk->n, 1);
    mpz_set_ui(m2, 1);
    CHECK_OK(mpc_paillier_encrypt(ctx, pk, c1, m1, r1));
    CHECK_OK(mpc_paillier_encrypt(ctx, pk, c2, m2, r2));
    CHECK_OK(mpc_paillier_add(pk, c, c1, c2));
    CHECK_OK(mpc_paillier_decrypt(ctx, &sk, d, c));
    mpz_neg(want, m1);
    CHECK(mpz_cmp(d, want) == 0);
    /* misuse */
    mpz_set(c, pk->n2);
    CHECK_ERR(mpc_paillier_add(pk, d, c, c1), MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(d) == 0);
    CHECK_ERR(mpc_paillier_mul_var(pk, d, c, k), MPC_ERR_INVALID_ARG);
    mpz_set_ui(k, 1);
    mpz_mul_2exp(k, k, 256);
    CHECK_ERR(mpc_paillier_mul(ctx, pk, d, c1, k, 256), MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(d) == 0);
    mpz_set(c, sk.p); /* not a unit */
    mpz_set_si(k, -3);
    CHECK_ERR(mpc_paillier_mul_var(pk, d, c, k), MPC_ERR_VERIFY);
    CHECK_ERR(mpc_paillier_mul(ctx, pk, d, c, k, 8), MPC_ERR_VERIFY);
    CHECK_ERR(mpc_paillier_affine(ctx, pk, d, c, k, 8, y, ry), MPC_ERR_VERIFY);
    CHECK(mpz_sgn(d) == 0);
    mpz_clears(m1, m2, r1, r2, c1, c2, c, d, k, want, y, ry, NULL);
    mpc_paillier_sk_clear(&sk);
}

TEST(paillier_encrypt_decrypt_misuse)
{
    const mpc_ctx *ctx = test_ctx();
    mpc_paillier_sk sk;
    mpc_paillier_pk empty;
    mpc_paillier_sk_init(&sk);
    mpc_paillier_pk_init(&empty);
    CHECK(fixture_key(&sk, MPC_PARAMS_COMPAT, 6));
    mpz_t m, r, c;
    mpz_inits(m, r, c, NULL);
    CHECK_OK(mpc_paillier_nonce_random(ctx, &sk.pk, r));
#define MISUSE(call)                                                           \
    do {                                                                       \
        mpz_set_ui(c, 77);                                                     \
        CHECK_ERR(call, MPC_ERR_INVALID_ARG);                                  \
        CHECK(mpz_sgn(c) == 0);                                                \
    } while (0)
    /* plaintext just outside ±(N-1)/2 */
    mpz_fdiv_q_2exp(m, sk.pk.n, 1);
    mpz_add_ui(m, m, 1);
    MISUSE(mpc_paillier_encrypt(ctx, &sk.pk, c, m, r));
    MISUSE(mpc_paillier_encrypt_crt(ctx, &sk, c, m, r));
    mpz_neg(m, m);
    MISUSE(mpc_paillier_encrypt(ctx, &sk.pk, c, m, r));
    mpz_set_ui(m, 5);
    /* nonces: 0, N, and a non-unit */
    mpz_set_ui(r, 0);
    MISUSE(mpc_paillier_encrypt(ctx, &sk.pk, c, m, r));
    mpz_set(r, sk.pk.n);
    MISUSE(mpc_paillier_encrypt_crt(ctx, &sk, c, m, r));
    mpz_set(r, sk.q);
    MISUSE(mpc_paillier_encrypt(ctx, &sk.pk, c, m, r));
    MISUSE(mpc_paillier_encrypt_crt(ctx, &sk, c, m, r));
    /* empty key, NULL ctx */
    mpz_set_ui(r, 3);
    MISUSE(mpc_paillier_encrypt(ctx, &empty, c, m, r));
    MISUSE(mpc_paillier_encrypt(NULL, &sk.pk, c, m, r));
    MISUSE(mpc_paillier_nonce_random(ctx, &empty, c));
    /* decryption of values outside [0, N^2) */
    mpz_set(m, sk.pk.n2);
    MISUSE(mpc_paillier_decrypt(ctx, &sk, c, m));
    mpz_set_si(m, -1);
    MISUSE(mpc_paillier_decrypt(ctx, &sk, c, m));
#undef MISUSE
    CHECK_ERR(mpc_paillier_encrypt(ctx, &sk.pk, NULL, m, r),
              MPC_ERR_INVALID_ARG);
    mpz_clears(m, r, c, NULL);
    mpc_paillier_pk_clear(&empty);
    mpc_paillier_sk_clear(&sk);
}

TEST(paillier_nomem_leaves_outputs_clean)
{
    static const mpc_mem mem = {.zalloc = flaky_zalloc, .free = flaky_free};
    mpc_ctx_config cfg = {
        .rng = mpc_drbg_fill, .rng_ud = test_drbg(), .mem = &mem};
    mpc_ctx *ctx = NULL;
    fail_alloc = false;
    CHECK_OK(mpc_ctx_new(&ctx, &cfg));
    mpc_paillier_sk sk, sk2;
    mpc_paillier_sk_init(&sk);
    mpc_paillier_sk_init(&sk2);
    CHECK(fixture_key(&sk, MPC_PARAMS_COMPAT, 7));
    mpz_t m, r, c;
    mpz_init_set_ui(m, 9);
    mpz_init_set_ui(r, 3);
    mpz_init_set_ui(c, 5);
    fail_alloc = true;
    CHECK_ERR(mpc_paillier_encrypt(ctx, &sk.pk, c, m, r), MPC_ERR_NOMEM);
    CHECK(mpz_sgn(c) == 0);
    CHECK_ERR(mpc_paillier_encrypt_crt(ctx, &sk, c, m, r), MPC_ERR_NOMEM);
    mpz_set_ui(c, 5);
    CHECK_ERR(mpc_paillier_decrypt(ctx, &sk, m, c), MPC_ERR_NOMEM);
    CHECK(mpz_sgn(m) == 0);
    CHECK_ERR(mpc_paillier_sk_from_primes(ctx, &sk2, sk.pk.params, sk.p, sk.q),
              MPC_ERR_NOMEM);
    CHECK(pk_empty(&sk2.pk) && mpz_sgn(sk2.phi) == 0);
    CHECK_ERR(mpc_paillier_keygen(ctx, &sk2, sk.pk.params), MPC_ERR_NOMEM);
    CHECK(pk_empty(&sk2.pk));
    CHECK_ERR(mpc_paillier_nonce_random(ctx, &sk.pk, r), MPC_ERR_NOMEM);
    CHECK(mpz_sgn(r) == 0);
    mpc_rped rp;
    mpc_rped_init(&rp);
    mpc_rped_table tab;
    CHECK_ERR(mpc_rped_generate(ctx, &rp, m, &sk), MPC_ERR_NOMEM);
    CHECK(mpz_sgn(rp.n) == 0 && mpz_sgn(m) == 0);
    fail_alloc = false;
    CHECK_OK(mpc_rped_generate(ctx, &rp, m, &sk));
    fail_alloc = true;
    CHECK_ERR(mpc_rped_table_init(ctx, &tab, &rp, 1024), MPC_ERR_NOMEM);
    mpc_rped_table_clear(ctx, &tab); /* a no-op on the empty tables */
    CHECK_ERR(mpc_rped_commit(ctx, &rp, c, m, 2048, m, 2048), MPC_ERR_NOMEM);
    CHECK(mpz_sgn(c) == 0);
    mpc_rped_clear(&rp);
    fail_alloc = false;
    mpz_clears(m, r, c, NULL);
    mpc_paillier_sk_clear(&sk);
    mpc_paillier_sk_clear(&sk2);
    mpc_ctx_free(ctx);
}

/* A broken rng (all 0xFF) makes sampling give up instead of spinning. */
static void stuck_rng(void *ud, uint8_t *buf, size_t len)
{
    (void)ud;
    memset(buf, 0xFF, len);
}

TEST(paillier_broken_rng_is_internal)
{
    mpc_ctx_config cfg = {.rng = stuck_rng};
    mpc_ctx *ctx = NULL;
    CHECK_OK(mpc_ctx_new(&ctx, &cfg));
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(fixture_key(&sk, MPC_PARAMS_COMPAT, 0));
    mpz_t r, lambda;
    mpz_init_set_ui(r, 5);
    mpz_init_set_ui(lambda, 5);
    CHECK_ERR(mpc_paillier_nonce_random(ctx, &sk.pk, r), MPC_ERR_INTERNAL);
    CHECK(mpz_sgn(r) == 0);
    mpc_rped rp;
    mpc_rped_init(&rp);
    CHECK_ERR(mpc_rped_generate(ctx, &rp, lambda, &sk), MPC_ERR_INTERNAL);
    CHECK(mpz_sgn(lambda) == 0 && mpz_sgn(rp.n) == 0);
    mpc_rped_clear(&rp);
    mpz_clears(r, lambda, NULL);
    mpc_paillier_sk_clear(&sk);
    mpc_ctx_free(ctx);
}

/* ---- received ciphertexts ---------------------------------------------- */

TEST(paillier_bad_ciphertexts_rejected)
{
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(fixture_key(&sk, MPC_PARAMS_COMPAT, 0));
    const mpc_paillier_pk *pk = &sk.pk;
    mpz_t c, out;
    mpz_inits(c, out, NULL);
    uint8_t buf[513];
    /* 0, N, p, 3q, N^2 - p, N^2, N^2 + 1, -1 */
    mpz_t bad[8];
    for (int i = 0; i < 8; i++)
        mpz_init(bad[i]);
    mpz_set(bad[1], pk->n);
    mpz_set(bad[2], sk.p);
    mpz_mul_ui(bad[3], sk.q, 3);
    mpz_sub(bad[4], pk->n2, sk.p);
    mpz_set(bad[5], pk->n2);
    mpz_add_ui(bad[6], pk->n2, 1);
    mpz_set_si(bad[7], -1);
    for (int i = 0; i < 8; i++) {
        CHECK_ERR(mpc_paillier_ciphertext_check_var(pk, bad[i]),
                  MPC_ERR_VERIFY);
        if (i == 7 || i == 6)
            continue; /* not encodable in 512 bytes */
        memset(buf, 0, sizeof buf);
        size_t cnt = (mpz_sizeinbase(bad[i], 2) + 7) / 8;
        if (mpz_sgn(bad[i]) > 0)
            mpz_export(buf + 512 - cnt, NULL, 1, 1, 1, 0, bad[i]);
        mpz_set_ui(out, 7);
        CHECK_ERR(mpc_paillier_ciphertext_parse(pk, out, buf, 512),
                  MPC_ERR_PARSE);
        CHECK(mpz_sgn(out) == 0);
    }
    /* a good one round-trips; wrong lengths are PARSE */
    mpz_set_ui(c, 2);
    mpz_powm(c, c, pk->n, pk->n2);
    CHECK_OK(mpc_paillier_ciphertext_serialize(buf, 512, pk, c));
    CHECK_OK(mpc_paillier_ciphertext_parse(pk, out, buf, 512));
    CHECK(mpz_cmp(out, c) == 0);
    CHECK_ERR(mpc_paillier_ciphertext_parse(pk, out, buf, 511), MPC_ERR_PARSE);
    CHECK_ERR(mpc_paillier_ciphertext_parse(pk, out, buf, 513), MPC_ERR_PARSE);
    CHECK(mpz_sgn(out) == 0);
    CHECK_ERR(mpc_paillier_ciphertext_serialize(buf, 512, pk, bad[5]),
              MPC_ERR_INVALID_ARG);
    CHECK(all_zero(buf, 512));
    CHECK_ERR(mpc_paillier_ciphertext_serialize(buf, 511, pk, c),
              MPC_ERR_INVALID_ARG);
    for (int i = 0; i < 8; i++)
        mpz_clear(bad[i]);
    mpz_clears(c, out, NULL);
    mpc_paillier_sk_clear(&sk);
}

/* ---- owner-side exponentiation ---------------------------------------- */

TEST(paillier_sk_powm_n_matches_powm)
{
    const mpc_ctx *ctx = test_ctx();
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(fixture_key(&sk, MPC_PARAMS_COMPAT, 1));
    mpz_t b, e, r, want;
    mpz_inits(b, e, r, want, NULL);
    static const size_t ebits[] = {1, 64, 1024, 2048, 4000};
    for (size_t i = 0; i < sizeof ebits / sizeof *ebits; i++) {
        CHECK_OK(mpc_bn_random_unit(ctx, b, sk.pk.n));
        rand_signed(e, ebits[i]);
        mpz_abs(e, e);
        CHECK_OK(mpc_paillier_sk_powm_n(ctx, &sk, r, b, e));
        mpz_powm(want, b, e, sk.pk.n);
        CHECK(mpz_cmp(r, want) == 0);
    }
    /* non-units: multiples of p, and e = 1 */
    mpz_mul_ui(b, sk.p, 12345);
    mpz_set_ui(e, 1);
    CHECK_OK(mpc_paillier_sk_powm_n(ctx, &sk, r, b, e));
    mpz_powm(want, b, e, sk.pk.n);
    CHECK(mpz_cmp(r, want) == 0);
    mpz_set(e, sk.phi);
    CHECK_OK(mpc_paillier_sk_powm_n(ctx, &sk, r, b, e));
    mpz_powm(want, b, e, sk.pk.n);
    CHECK(mpz_cmp(r, want) == 0);
    /* e = 0 on a unit */
    mpz_set_ui(b, 3);
    mpz_set_ui(e, 0);
    CHECK_OK(mpc_paillier_sk_powm_n(ctx, &sk, r, b, e));
    CHECK(mpz_cmp_ui(r, 1) == 0);
    mpz_set_si(e, -1);
    CHECK_ERR(mpc_paillier_sk_powm_n(ctx, &sk, r, b, e), MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(r) == 0);
    mpz_clears(b, e, r, want, NULL);
    mpc_paillier_sk_clear(&sk);
}

/* ---- ring-Pedersen ----------------------------------------------------- */

TEST(paillier_rped_generate_relation_and_commit)
{
    const mpc_ctx *ctx = test_ctx();
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(fixture_key(&sk, MPC_PARAMS_COMPAT, 2));
    mpc_rped rp, rp2;
    mpc_rped_init(&rp);
    mpc_rped_init(&rp2);
    mpz_t lambda, t, x, y, c1, c2, c3;
    mpz_inits(lambda, t, x, y, c1, c2, c3, NULL);
    CHECK_OK(mpc_rped_generate(ctx, &rp, lambda, &sk));
    /* s = t^λ, λ < φ(N), t a square (Jacobi 1), s, t units != 1 */
    CHECK(mpz_sgn(lambda) >= 0 && mpz_cmp(lambda, sk.phi) < 0);
    mpz_powm(t, rp.t, lambda, rp.n);
    CHECK(mpz_cmp(t, rp.s) == 0);
    CHECK(mpz_jacobi(rp.t, rp.n) == 1);
    CHECK(mpc_bn_is_unit_var(rp.s, rp.n) && mpc_bn_is_unit_var(rp.t, rp.n));
    CHECK(mpz_cmp_ui(rp.s, 1) != 0 && mpz_cmp_ui(rp.t, 1) != 0);
    CHECK(mpz_cmp(rp.n, sk.pk.n) == 0);
    /* serialize / parse */
    uint8_t buf[768];
    CHECK_OK(mpc_rped_serialize(buf, 768, &rp));
    CHECK_OK(mpc_rped_parse(&rp2, rp.params, buf, 768));
    CHECK(mpz_cmp(rp2.s, rp.s) == 0 && mpz_cmp(rp2.t, rp.t) == 0);
    CHECK(mpz_cmp(rp2.s_inv, rp.s_inv) == 0);
    /* commitments: secret path = naive public path = fixed-base tables */
    mpc_rped_table tab;
    CHECK_OK(mpc_rped_table_init(ctx, &tab, &rp2, 2817));
    static const size_t xb[] = {1, 256, 768, 1280, 2816, 3000};
    for (size_t i = 0; i < sizeof xb / sizeof *xb; i++) {
        rand_signed(x, xb[i]);
        rand_signed(y, xb[(i + 2) % 6]);
        CHECK_OK(mpc_rped_commit(ctx, &rp, c1, x, xb[i] + 1, y,
                                 xb[(i + 2) % 6] + 1));
        CHECK_OK(mpc_rped_commit_var(&rp2, c2, x, y));
        CHECK_OK(mpc_rped_table_commit_var(&tab, c3, x, y));
        CHECK(mpz_cmp(c1, c2) == 0 && mpz_cmp(c2, c3) == 0);
    }
    /* misuse: exponent over its bound */
    mpz_set_ui(x, 1);
    mpz_mul_2exp(x, x, 300);
    CHECK_ERR(mpc_rped_commit(ctx, &rp, c1, x, 300, y, 4000),
              MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(c1) == 0);
    mpc_rped_table_clear(ctx, &tab);
    mpc_rped_table_clear(ctx, &tab); /* idempotent */
    mpz_clears(lambda, t, x, y, c1, c2, c3, NULL);
    mpc_rped_clear(&rp);
    mpc_rped_clear(&rp2);
    mpc_paillier_sk_clear(&sk);
}

/* Writes (N, s, t) into buf as the wire format (256 bytes each). */
static void put3(uint8_t *buf, const mpz_t n, const mpz_t s, const mpz_t t)
{
    const mpz_srcptr v[3] = {n, s, t};
    memset(buf, 0, 768);
    for (int i = 0; i < 3; i++) {
        size_t cnt = (mpz_sizeinbase(v[i], 2) + 7) / 8;
        if (mpz_sgn(v[i]) > 0)
            mpz_export(buf + 256 * i + 256 - cnt, NULL, 1, 1, 1, 0, v[i]);
    }
}

static bool rped_empty(const mpc_rped *rp)
{
    return rp->params == NULL && mpz_sgn(rp->n) == 0 && mpz_sgn(rp->s) == 0 &&
           mpz_sgn(rp->t) == 0;
}

TEST(paillier_rped_parse_rejects)
{
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(fixture_key(&sk, MPC_PARAMS_COMPAT, 3));
    mpc_rped rp;
    mpc_rped_init(&rp);
    const mpz_srcptr n = sk.pk.n;
    mpz_t good, one, zero, even, shortn;
    mpz_inits(good, one, zero, even, shortn, NULL);
    mpz_set_ui(good, 4);
    mpz_set_ui(one, 1);
    mpz_sub_ui(even, n, 1);
    mpz_fdiv_q_2exp(shortn, n, 2); /* 2046 bits */
    mpz_setbit(shortn, 0);
    uint8_t buf[768];
    put3(buf, n, good, good);
    CHECK_OK(mpc_rped_parse(&rp, params, buf, 768));
    CHECK_ERR(mpc_rped_parse(&rp, params, buf, 767), MPC_ERR_PARSE);
    CHECK(rped_empty(&rp));
    struct {
        mpz_srcptr n, s, t;
    } bad[] = {
        {n, one, good},     {n, good, one},       {n, zero, good},
        {n, good, n},       {n, sk.p, good},      {n, good, sk.q},
        {even, good, good}, {shortn, good, good},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        put3(buf, bad[i].n, bad[i].s, bad[i].t);
        CHECK_ERR(mpc_rped_parse(&rp, params, buf, 768), MPC_ERR_PARSE);
        CHECK(rped_empty(&rp));
    }
    /* s >= N */
    put3(buf, n, good, good);
    memset(buf + 256, 0xFF, 256);
    CHECK_ERR(mpc_rped_parse(&rp, params, buf, 768), MPC_ERR_PARSE);
    CHECK_ERR(mpc_rped_parse(&rp, NULL, buf, 768), MPC_ERR_INVALID_ARG);
    /* empty parameters */
    CHECK_ERR(mpc_rped_serialize(buf, 768, &rp), MPC_ERR_INVALID_ARG);
    CHECK(all_zero(buf, 768));
    mpz_t out;
    mpz_init_set_ui(out, 3);
    CHECK_ERR(mpc_rped_commit_var(&rp, out, good, good), MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(out) == 0);
    mpc_rped_table tab;
    CHECK_ERR(mpc_rped_table_init(test_ctx(), &tab, &rp, 64),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_rped_table_commit_var(&tab, out, good, good),
              MPC_ERR_INVALID_ARG);
    mpc_rped_table_clear(test_ctx(), &tab);
    mpz_t lambda;
    mpz_init(lambda);
    mpc_paillier_sk empty;
    mpc_paillier_sk_init(&empty);
    CHECK_ERR(mpc_rped_generate(test_ctx(), &rp, lambda, &empty),
              MPC_ERR_INVALID_ARG);
    mpc_paillier_sk_clear(&empty);
    mpz_clears(out, lambda, NULL);
    mpz_clears(good, one, zero, even, shortn, NULL);
    mpc_rped_clear(&rp);
    mpc_paillier_sk_clear(&sk);
}

/* The owner's two-step CRT encryption (x^p mod p^2 depends on x mod p
 * only) against (1 + m N) r^N mod N^2 with mpz_powm, at edge nonces and
 * plaintexts, and the non-unit nonces the public form refuses too. */
TEST(paillier_encrypt_crt_matches_naive)
{
    const mpc_ctx *ctx = test_ctx();
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(fixture_key(&sk, MPC_PARAMS_COMPAT, 0));
    mpz_t m, r, c, want, g;
    mpz_inits(m, r, c, want, g, NULL);
    for (int i = 0; i < 8; i++) {
        switch (i) {
        case 0:
            mpz_set_ui(r, 1);
            break;
        case 1:
            mpz_sub_ui(r, sk.pk.n, 1);
            break;
        case 2:
            mpz_add_ui(r, sk.p, 1);
            break;
        case 3:
            mpz_sub_ui(r, sk.q, 1);
            break;
        default:
            CHECK_OK(mpc_paillier_nonce_random(ctx, &sk.pk, r));
        }
        if (i == 4)
            mpz_fdiv_q_2exp(m, sk.pk.n, 1); /* (N - 1) / 2 */
        else if (i == 5)
            mpz_set_ui(m, 0);
        else
            rand_signed(m, i < 2 ? 2040 : 256);
        mpz_mod(g, m, sk.pk.n);
        mpz_mul(g, g, sk.pk.n);
        mpz_add_ui(g, g, 1);
        mpz_powm(want, r, sk.pk.n, sk.pk.n2);
        mpz_mul(want, want, g);
        mpz_mod(want, want, sk.pk.n2);
        CHECK_OK(mpc_paillier_encrypt_crt(ctx, &sk, c, m, r));
        CHECK(mpz_cmp(c, want) == 0);
    }
    /* r = p or 2q is not a unit: refused, output zeroed. */
    mpz_set(r, sk.p);
    mpz_set_ui(c, 7);
    CHECK_ERR(mpc_paillier_encrypt_crt(ctx, &sk, c, m, r), MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(c) == 0);
    mpz_mul_ui(r, sk.q, 2);
    CHECK_ERR(mpc_paillier_encrypt_crt(ctx, &sk, c, m, r), MPC_ERR_INVALID_ARG);
    mpz_clears(m, r, c, want, g, NULL);
    mpc_paillier_sk_clear(&sk);
}

/* mpc_rped_commit through the comb tables built by generate and parse,
 * against mpc_rped_commit_naive and plain mpz, at edge exponents (0, ±1,
 * ±(2^b - 1)) and the largest bound the tables cover; copies keep the
 * tables; parameters changed behind the tables' back, a field-by-field
 * copy and bounds above the tables take the naive path. */
TEST(paillier_rped_comb_matches_naive)
{
    const mpc_ctx *ctx = test_ctx();
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    const size_t top = params->ell + params->eps + params->n_bits + 1;
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(fixture_key(&sk, MPC_PARAMS_COMPAT, 1));
    mpc_rped rp, rp2, rp3;
    mpc_rped_init(&rp);
    mpc_rped_init(&rp2);
    mpc_rped_init(&rp3);
    mpz_t lambda, x, y, c1, c2, c3;
    mpz_inits(lambda, x, y, c1, c2, c3, NULL);
    CHECK_OK(mpc_rped_generate(ctx, &rp, lambda, &sk));
    CHECK(mpc_bn_comb_matches(&rp.comb_s, rp.s, rp.n));
    CHECK(mpc_bn_comb_matches(&rp.comb_t, rp.t, rp.n));
    uint8_t buf[768];
    CHECK_OK(mpc_rped_serialize(buf, sizeof buf, &rp));
    CHECK_OK(mpc_rped_parse(&rp2, params, buf, sizeof buf));
    CHECK(mpc_bn_comb_matches(&rp2.comb_t, rp.t, rp.n));
    mpc_rped_copy(&rp3, &rp2);
    CHECK(mpc_bn_comb_matches(&rp3.comb_s, rp.s, rp.n));
    static const size_t bits[] = {1, 257, 769, 1281, 2305, 2817, 2817};
    for (size_t i = 0; i < sizeof bits / sizeof *bits; i++) {
        size_t xb = bits[i], yb = bits[(i + 3) % 7];
        for (int v = 0; v < 4; v++) {
            if (v < 2) {
                rand_signed(x, xb - 1);
                rand_signed(y, yb - 1);
            } else if (v == 2) {
                mpz_set_ui(x, 0);
                mpz_set_si(y, -1);
            } else { /* -(2^xb - 1), 2^yb - 1 */
                mpz_set_ui(x, 0);
                mpz_setbit(x, xb);
                mpz_sub_ui(x, x, 1);
                mpz_neg(x, x);
                mpz_set_ui(y, 0);
                mpz_setbit(y, yb);
                mpz_sub_ui(y, y, 1);
            }
            CHECK_OK(
                mpc_rped_commit(ctx, i % 2 ? &rp : &rp3, c1, x, xb, y, yb));
            CHECK_OK(mpc_rped_commit_naive(ctx, &rp2, c2, x, xb, y, yb));
            CHECK_OK(mpc_rped_commit_var(&rp, c3, x, y));
            CHECK(mpz_cmp(c1, c2) == 0 && mpz_cmp(c1, c3) == 0);
        }
    }
    CHECK(bits[5] == top);
    /* above the tables: the naive path, same value */
    /* |x| = 2^(top+4) + r: always above `top` bits (a plain random x of
     * top + 5 bits fits in `top` one time in 32). */
    rand_signed(x, 64);
    mpz_abs(x, x);
    mpz_setbit(x, top + 4);
    mpz_neg(x, x);
    mpz_set_ui(y, 3);
    CHECK_ERR(mpc_rped_commit(ctx, &rp, c1, x, top, y, 8), MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(c1) == 0);
    CHECK_OK(mpc_rped_commit(ctx, &rp, c1, x, top + 6, y, 8));
    CHECK_OK(mpc_rped_commit_var(&rp, c3, x, y));
    CHECK(mpz_cmp(c1, c3) == 0);
    /* s changed after the tables were built: they no longer match */
    mpz_set(rp3.s, rp.t);
    mpz_set(rp3.s_inv, rp.t_inv);
    rand_signed(x, 256);
    CHECK_OK(mpc_rped_commit(ctx, &rp3, c1, x, 257, y, 8));
    CHECK_OK(mpc_rped_commit_var(&rp3, c3, x, y));
    CHECK(mpz_cmp(c1, c3) == 0);
    /* a failed parse leaves no tables */
    buf[300] ^= 1;
    buf[0] = 0;
    CHECK_ERR(mpc_rped_parse(&rp2, params, buf, sizeof buf), MPC_ERR_PARSE);
    CHECK(rp2.comb_s.mem == NULL && rp2.comb_t.mem == NULL);
    mpc_rped_copy(&rp3, &rp2);
    CHECK(rp3.comb_s.mem == NULL && rp3.params == NULL);
    mpz_clears(lambda, x, y, c1, c2, c3, NULL);
    mpc_rped_clear(&rp);
    mpc_rped_clear(&rp2);
    mpc_rped_clear(&rp3);
    mpc_paillier_sk_clear(&sk);
}

/* The owner's affine operation (Enc by the CRT) gives the ciphertext of
 * the public-key form; misuse is refused with a zeroed output. */
TEST(paillier_affine_crt_matches_affine)
{
    const mpc_ctx *ctx = test_ctx();
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    CHECK(fixture_key(&sk, MPC_PARAMS_COMPAT, 2));
    mpz_t m, rc, c, x, y, r, d1, d2;
    mpz_inits(m, rc, c, x, y, r, d1, d2, NULL);
    rand_signed(m, 256);
    CHECK_OK(mpc_paillier_nonce_random(ctx, &sk.pk, rc));
    CHECK_OK(mpc_paillier_encrypt_crt(ctx, &sk, c, m, rc));
    for (int i = 0; i < 4; i++) {
        rand_signed(x, 255);
        rand_signed(y, i == 0 ? 1 : 1280);
        if (i == 3)
            mpz_set_ui(x, 0);
        CHECK_OK(mpc_paillier_nonce_random(ctx, &sk.pk, r));
        CHECK_OK(mpc_paillier_affine(ctx, &sk.pk, d1, c, x, 256, y, r));
        CHECK_OK(mpc_paillier_affine_crt(ctx, &sk, d2, c, x, 256, y, r));
        CHECK(mpz_cmp(d1, d2) == 0);
    }
    mpz_set_ui(d2, 5);
    CHECK_ERR(mpc_paillier_affine_crt(ctx, NULL, d2, c, x, 256, y, r),
              MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(d2) == 0);
    mpz_set_ui(d2, 5);
    mpz_setbit(x, 300);
    CHECK_ERR(mpc_paillier_affine_crt(ctx, &sk, d2, c, x, 256, y, r),
              MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(d2) == 0);
    CHECK_ERR(mpc_paillier_affine_crt(ctx, &sk, NULL, c, x, 256, y, r),
              MPC_ERR_INVALID_ARG);
    mpz_clears(m, rc, c, x, y, r, d1, d2, NULL);
    mpc_paillier_sk_clear(&sk);
}
