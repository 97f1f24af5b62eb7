/* lib/bn: encodings, sampling, constant-time arithmetic against mpz,
 * variable-time helpers, fixed-base tables, safe primes, misuse. */
#include <gmp.h>
#include <stdlib.h>

#include "mpc/bn.h"
#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/rng.h"
#include "tests/harness/test.h"

/* ---- helpers ----------------------------------------------------------- */

/* x = a uniform value of exactly `bits` bits (top bit set) from the test
 * DRBG; the reference side of the tests uses plain mpz functions. */
static void rand_bits(mpz_t x, size_t bits)
{
    uint8_t buf[1024];
    size_t nbytes = (bits + 7) / 8;
    mpc_drbg_fill(test_drbg(), buf, nbytes);
    mpz_import(x, nbytes, 1, 1, 1, 0, buf);
    mpz_fdiv_r_2exp(x, x, bits);
    mpz_setbit(x, bits - 1);
}

/* A context whose allocator fails once `fail` is set. */
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
static mpc_ctx *flaky_ctx(void)
{
    static const mpc_mem mem = {.zalloc = flaky_zalloc, .free = flaky_free};
    mpc_ctx_config cfg = {
        .rng = mpc_drbg_fill, .rng_ud = test_drbg(), .mem = &mem};
    mpc_ctx *ctx = NULL;
    fail_alloc = false;
    if (mpc_ctx_new(&ctx, &cfg) != MPC_OK)
        return NULL;
    return ctx;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* ---- wiping ------------------------------------------------------------ */

TEST(bn_wipe_zeroes_every_allocated_limb)
{
    mpz_t x;
    mpz_init(x);
    mpc_bn_wipe(x); /* no allocation yet: must not write the dummy limb */
    mpz_set_str(x, "123456789abcdef0123456789abcdef0123456789abcdef", 16);
    mpz_set_ui(x, 7); /* the old high limbs stay behind in the allocation */
    size_t alloc = (size_t)x->_mp_alloc;
    mp_limb_t *d = x->_mp_d;
    mpc_bn_wipe(x);
    CHECK(mpz_sgn(x) == 0);
    mp_limb_t acc = 0;
    for (size_t i = 0; i < alloc; i++)
        acc |= d[i];
    CHECK(acc == 0);
    mpz_set_ui(x, 5); /* still usable */
    CHECK(mpz_cmp_ui(x, 5) == 0);
    mpc_bn_clear(x);
}

/* ---- encodings --------------------------------------------------------- */

TEST(bn_canonical_lengths)
{
    mpz_t b;
    mpz_init(b);
    static const struct {
        long bound;
        size_t len, len_signed;
    } v[] = {{-1, 0, 0},  {0, 0, 2},   {1, 1, 2},    {255, 1, 2},
             {256, 1, 3}, {257, 2, 3}, {65536, 2, 4}};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        mpz_set_si(b, v[i].bound);
        CHECK(mpc_bn_len(b) == v[i].len);
        CHECK(mpc_bn_len_signed(b) == v[i].len_signed);
    }
    mpz_set_ui(b, 0);
    mpz_setbit(b, 2048); /* values below 2^2048: 256 bytes */
    CHECK(mpc_bn_len(b) == 256);
    CHECK(mpc_bn_len_signed(b) == 258); /* ±2^2048 needs a 257th byte */
    mpz_clear(b);
}

TEST(bn_serialize_parse_fixed_length)
{
    mpz_t x, y, bound;
    mpz_inits(x, y, bound, NULL);
    uint8_t buf[40];
    mpz_set_str(x, "0102030405", 16);
    mpz_set_str(bound, "10000000000", 16); /* 2^40: 5 bytes */
    CHECK_OK(mpc_bn_serialize(buf, 5, x));
    static const uint8_t want[5] = {1, 2, 3, 4, 5};
    CHECK_MEM(buf, want, 5);
    CHECK_OK(mpc_bn_parse(y, buf, 5, bound));
    CHECK(mpz_cmp(x, y) == 0);
    /* the serializer pads to any length; the parser wants exactly 5 */
    CHECK_OK(mpc_bn_serialize(buf, 8, x));
    static const uint8_t want8[8] = {0, 0, 0, 1, 2, 3, 4, 5};
    CHECK_MEM(buf, want8, 8);
    CHECK_ERR(mpc_bn_parse(y, buf, 8, bound), MPC_ERR_PARSE);
    CHECK(mpz_sgn(y) == 0);
    /* zero encodes as all zero bytes */
    mpz_set_ui(x, 0);
    CHECK_OK(mpc_bn_serialize(buf, 3, x));
    CHECK(all_zero(buf, 3));
    /* a random 300-bit value round-trips at 40 bytes */
    rand_bits(x, 300);
    mpz_set_ui(bound, 0);
    mpz_setbit(bound, 320);
    CHECK_OK(mpc_bn_serialize(buf, mpc_bn_len(bound), x));
    CHECK_OK(mpc_bn_parse(y, buf, 40, bound));
    CHECK(mpz_cmp(x, y) == 0);
    mpz_clears(x, y, bound, NULL);
}

TEST(bn_serialize_rejects_what_does_not_fit)
{
    mpz_t x;
    mpz_init_set_ui(x, 0x10000);
    uint8_t buf[4] = {0xAA, 0xAA, 0xAA, 0xAA};
    CHECK_ERR(mpc_bn_serialize(buf, 2, x), MPC_ERR_INVALID_ARG);
    CHECK(all_zero(buf, 2));
    mpz_set_si(x, -1);
    buf[0] = 0xAA;
    CHECK_ERR(mpc_bn_serialize(buf, 4, x), MPC_ERR_INVALID_ARG);
    CHECK(all_zero(buf, 4));
    CHECK_ERR(mpc_bn_serialize(buf, 0, x), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_bn_serialize(NULL, 4, x), MPC_ERR_INVALID_ARG);
    mpz_clear(x);
}

TEST(bn_parse_enforces_bound_and_zeroes_output)
{
    mpz_t out, bound;
    mpz_init_set_ui(out, 99);
    mpz_init_set_ui(bound, 0x0101); /* values 0..256: 2 bytes */
    static const uint8_t ok[3] = {0x01, 0x00, 0x00};
    static const uint8_t big[2] = {0x01, 0x01}; /* == bound */
    CHECK_OK(mpc_bn_parse(out, ok, 2, bound));
    CHECK(mpz_cmp_ui(out, 256) == 0);
    CHECK_ERR(mpc_bn_parse(out, big, 2, bound), MPC_ERR_PARSE);
    CHECK(mpz_sgn(out) == 0);
    mpz_set_ui(out, 99);
    CHECK_ERR(mpc_bn_parse(out, ok, 1, bound), MPC_ERR_PARSE);
    CHECK(mpz_sgn(out) == 0);
    CHECK_ERR(mpc_bn_parse(out, ok, 3, bound), MPC_ERR_PARSE);
    CHECK_ERR(mpc_bn_parse(out, ok, 0, bound), MPC_ERR_PARSE);
    CHECK_ERR(mpc_bn_parse(out, NULL, 2, bound), MPC_ERR_INVALID_ARG);
    mpz_set_ui(bound, 0);
    mpz_set_ui(out, 99);
    CHECK_ERR(mpc_bn_parse(out, ok, 2, bound), MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(out) == 0);
    CHECK_ERR(mpc_bn_parse(NULL, ok, 2, bound), MPC_ERR_INVALID_ARG);
    mpz_clears(out, bound, NULL);
}

TEST(bn_signed_encoding)
{
    mpz_t x, y, bound;
    mpz_inits(x, y, bound, NULL);
    uint8_t buf[10];
    mpz_set_si(x, -0x1234);
    mpz_set_ui(bound, 0x1234);
    CHECK_OK(mpc_bn_serialize_signed(buf, mpc_bn_len_signed(bound), x));
    static const uint8_t want[3] = {0x01, 0x12, 0x34};
    CHECK_MEM(buf, want, 3);
    CHECK_OK(mpc_bn_parse_signed(y, buf, 3, bound)); /* |x| == bound ok */
    CHECK(mpz_cmp(x, y) == 0);
    mpz_set_ui(bound, 0x1233);
    CHECK_ERR(mpc_bn_parse_signed(y, buf, 3, bound), MPC_ERR_PARSE);
    CHECK(mpz_sgn(y) == 0);
    /* negative zero and unknown sign bytes are not canonical */
    static const uint8_t negzero[3] = {0x01, 0x00, 0x00};
    static const uint8_t badsign[3] = {0x02, 0x00, 0x01};
    CHECK_ERR(mpc_bn_parse_signed(y, negzero, 3, bound), MPC_ERR_PARSE);
    CHECK_ERR(mpc_bn_parse_signed(y, badsign, 3, bound), MPC_ERR_PARSE);
    /* zero */
    mpz_set_ui(x, 0);
    CHECK_OK(mpc_bn_serialize_signed(buf, 3, x));
    CHECK(all_zero(buf, 3));
    CHECK_OK(mpc_bn_parse_signed(y, buf, 3, bound));
    CHECK(mpz_sgn(y) == 0);
    /* a positive 64-bit value within ±2^64: 1 + 9 bytes */
    rand_bits(x, 64);
    mpz_set_ui(bound, 0);
    mpz_setbit(bound, 64);
    CHECK(mpc_bn_len_signed(bound) == 10);
    CHECK_OK(mpc_bn_serialize_signed(buf, 10, x));
    CHECK(buf[0] == 0);
    CHECK_OK(mpc_bn_parse_signed(y, buf, 10, bound));
    CHECK(mpz_cmp(x, y) == 0);
    CHECK_ERR(mpc_bn_parse_signed(y, buf + 1, 9, bound), MPC_ERR_PARSE);
    /* misuse */
    CHECK_ERR(mpc_bn_serialize_signed(buf, 8, x), MPC_ERR_INVALID_ARG);
    CHECK(all_zero(buf, 8));
    CHECK_ERR(mpc_bn_serialize_signed(buf, 1, x), MPC_ERR_INVALID_ARG);
    mpz_set_si(bound, -1);
    CHECK_ERR(mpc_bn_parse_signed(y, buf, 10, bound), MPC_ERR_INVALID_ARG);
    mpz_clears(x, y, bound, NULL);
}

/* ---- sampling ---------------------------------------------------------- */

TEST(bn_random_below_covers_range)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t x, m;
    mpz_inits(x, m, NULL);
    mpz_set_ui(m, 10);
    int seen[10] = {0};
    for (int i = 0; i < 400; i++) {
        CHECK_OK(mpc_bn_random_below(ctx, x, m));
        CHECK(mpz_sgn(x) >= 0 && mpz_cmp(x, m) < 0);
        seen[mpz_get_ui(x)]++;
    }
    for (int i = 0; i < 10; i++)
        CHECK(seen[i] > 10);
    mpz_set_ui(m, 1);
    CHECK_OK(mpc_bn_random_below(ctx, x, m));
    CHECK(mpz_sgn(x) == 0);
    /* multi-limb bound just above a power of two: both halves reached */
    mpz_setbit(m, 200);
    mpz_add_ui(m, m, 1);
    bool high = false, low = false;
    for (int i = 0; i < 64; i++) {
        CHECK_OK(mpc_bn_random_below(ctx, x, m));
        CHECK(mpz_cmp(x, m) < 0);
        high |= mpz_sizeinbase(x, 2) == 200;
        low |= mpz_sizeinbase(x, 2) < 200;
    }
    CHECK(high && low);
    mpz_set_ui(m, 0);
    mpz_set_ui(x, 5);
    CHECK_ERR(mpc_bn_random_below(ctx, x, m), MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(x) == 0);
    CHECK_ERR(mpc_bn_random_below(NULL, x, m), MPC_ERR_INVALID_ARG);
    mpz_clears(x, m, NULL);
}

TEST(bn_random_unit_is_a_unit)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t x, n, g;
    mpz_inits(x, n, g, NULL);
    /* n = 3 * 5 * 7 * 11 * 13: many non-units to reject */
    mpz_set_ui(n, 15015);
    for (int i = 0; i < 200; i++) {
        CHECK_OK(mpc_bn_random_unit(ctx, x, n));
        mpz_gcd(g, x, n);
        CHECK(mpz_cmp_ui(g, 1) == 0);
        CHECK(mpz_sgn(x) > 0 && mpz_cmp(x, n) < 0);
    }
    rand_bits(n, 1024);
    mpz_setbit(n, 0);
    CHECK_OK(mpc_bn_random_unit(ctx, x, n));
    CHECK(mpc_bn_is_unit_var(x, n));
    mpz_set_ui(n, 16);
    CHECK_ERR(mpc_bn_random_unit(ctx, x, n), MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(x) == 0);
    mpz_set_ui(n, 1);
    CHECK_ERR(mpc_bn_random_unit(ctx, x, n), MPC_ERR_INVALID_ARG);
    mpz_clears(x, n, g, NULL);
}

TEST(bn_random_symmetric_range_and_signs)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t x, b, negb;
    mpz_inits(x, b, negb, NULL);
    mpz_set_ui(b, 3);
    int seen[7] = {0};
    for (int i = 0; i < 700; i++) {
        CHECK_OK(mpc_bn_random_symmetric(ctx, x, b));
        long v = mpz_get_si(x);
        CHECK(v >= -3 && v <= 3);
        seen[v + 3]++;
    }
    for (int i = 0; i < 7; i++)
        CHECK(seen[i] > 40);
    /* ±2^300: both signs, never beyond the bound */
    mpz_set_ui(b, 0);
    mpz_setbit(b, 300);
    mpz_neg(negb, b);
    bool pos = false, neg = false;
    for (int i = 0; i < 32; i++) {
        CHECK_OK(mpc_bn_random_symmetric(ctx, x, b));
        CHECK(mpz_cmpabs(x, b) <= 0);
        pos |= mpz_sgn(x) > 0;
        neg |= mpz_sgn(x) < 0;
    }
    CHECK(pos && neg);
    mpz_set_ui(b, 0);
    CHECK_OK(mpc_bn_random_symmetric(ctx, x, b));
    CHECK(mpz_sgn(x) == 0);
    CHECK_ERR(mpc_bn_random_symmetric(ctx, x, negb), MPC_ERR_INVALID_ARG);
    mpz_clears(x, b, negb, NULL);
}

TEST(bn_random_nomem)
{
    mpc_ctx *ctx = flaky_ctx();
    CHECK(ctx != NULL);
    mpz_t x, m;
    mpz_init_set_ui(x, 5);
    mpz_init_set_ui(m, 1003); /* ≡ 3 mod 4: passes the free pre-checks */
    fail_alloc = true;
    CHECK_ERR(mpc_bn_random_below(ctx, x, m), MPC_ERR_NOMEM);
    CHECK(mpz_sgn(x) == 0);
    CHECK_ERR(mpc_bn_random_unit(ctx, x, m), MPC_ERR_NOMEM);
    CHECK_ERR(mpc_bn_random_symmetric(ctx, x, m), MPC_ERR_NOMEM);
    CHECK_ERR(mpc_bn_powm_sec(ctx, x, m, m, 16, m), MPC_ERR_NOMEM);
    CHECK(mpz_sgn(x) == 0);
    CHECK_ERR(mpc_bn_mulmod_sec(ctx, x, m, m, m), MPC_ERR_NOMEM);
    CHECK_ERR(mpc_bn_safe_prime_generate(ctx, x, 64), MPC_ERR_NOMEM);
    CHECK_ERR(mpc_bn_safe_prime_check(ctx, m), MPC_ERR_NOMEM);
    mpc_bn_fbtable t;
    CHECK_ERR(mpc_bn_fbtable_init(ctx, &t, m, m, 64), MPC_ERR_NOMEM);
    mpc_bn_fbtable_clear(ctx, &t);
    fail_alloc = false;
    mpz_clears(x, m, NULL);
    mpc_ctx_free(ctx);
}

/* A broken rng (all 0xFF) makes rejection sampling give up, not spin. */
static void stuck_rng(void *ud, uint8_t *buf, size_t len)
{
    (void)ud;
    memset(buf, 0xFF, len);
}

TEST(bn_random_broken_rng_is_internal)
{
    mpc_ctx_config cfg = {.rng = stuck_rng};
    mpc_ctx *ctx = NULL;
    CHECK_OK(mpc_ctx_new(&ctx, &cfg));
    mpz_t x, m;
    mpz_init_set_ui(x, 5);
    mpz_init_set_ui(m, 1001);
    CHECK_ERR(mpc_bn_random_below(ctx, x, m), MPC_ERR_INTERNAL);
    CHECK(mpz_sgn(x) == 0);
    CHECK_ERR(mpc_bn_random_unit(ctx, x, m), MPC_ERR_INTERNAL);
    mpz_clears(x, m, NULL);
    mpc_ctx_free(ctx);
}

/* ---- constant-time arithmetic against mpz ------------------------------ */

TEST(bn_sec_arith_matches_mpz)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t a, b, m, r, want, q, e, inv, g;
    mpz_inits(a, b, m, r, want, q, e, inv, g, NULL);
    /* 1600 bits and up: the IFMA engine where the CPU has it. */
    static const size_t msizes[] = {64, 65, 127, 512, 1024, 1600, 2048, 4096};
    static const size_t asizes[] = {1, 63, 64, 300, 2048, 4100};
    int iters = test_iters(3);
    for (int it = 0; it < iters; it++)
        for (size_t i = 0; i < sizeof msizes / sizeof *msizes; i++)
            for (size_t j = 0; j < sizeof asizes / sizeof *asizes; j++) {
                rand_bits(m, msizes[i]);
                mpz_setbit(m, 0); /* odd, for powm and invert */
                rand_bits(a, asizes[j]);
                rand_bits(b, asizes[(j + 1) % 6]);

                CHECK_OK(mpc_bn_mod_sec(ctx, r, a, m));
                mpz_mod(want, a, m);
                CHECK(mpz_cmp(r, want) == 0);
                mpz_neg(g, a);
                CHECK_OK(mpc_bn_mod_sec(ctx, r, g, m));
                mpz_mod(want, g, m);
                CHECK(mpz_cmp(r, want) == 0);

                CHECK_OK(mpc_bn_center_sec(ctx, r, want, m));
                if (mpz_cmp(r, want) != 0) {
                    mpz_add(g, r, m);
                    CHECK(mpz_sgn(r) < 0 && mpz_cmp(g, want) == 0);
                }
                mpz_mul_2exp(g, r, 1);
                CHECK(mpz_cmpabs(g, m) < 0);

                CHECK_OK(mpc_bn_divmod_sec(ctx, q, r, a, m));
                mpz_fdiv_qr(want, g, a, m);
                CHECK(mpz_cmp(q, want) == 0 && mpz_cmp(r, g) == 0);

                CHECK_OK(mpc_bn_addmod_sec(ctx, r, a, b, m));
                mpz_add(want, a, b);
                mpz_mod(want, want, m);
                CHECK(mpz_cmp(r, want) == 0);

                CHECK_OK(mpc_bn_submod_sec(ctx, r, a, b, m));
                mpz_sub(want, a, b);
                mpz_mod(want, want, m);
                CHECK(mpz_cmp(r, want) == 0);

                CHECK_OK(mpc_bn_mul_sec(ctx, r, a, b));
                mpz_mul(want, a, b);
                CHECK(mpz_cmp(r, want) == 0);

                CHECK_OK(mpc_bn_mulmod_sec(ctx, r, a, b, m));
                mpz_mul(want, a, b);
                mpz_mod(want, want, m);
                CHECK(mpz_cmp(r, want) == 0);

                rand_bits(e, 1 + asizes[j] % 700);
                CHECK_OK(mpc_bn_powm_sec(ctx, r, a, e, 700, m));
                mpz_powm(want, a, e, m);
                CHECK(mpz_cmp(r, want) == 0);

                if (mpz_invert(want, a, m) != 0) {
                    CHECK_OK(mpc_bn_invert_sec(ctx, r, a, m));
                    CHECK(mpz_cmp(r, want) == 0);
                    /* signed exponent, both signs */
                    CHECK_OK(mpc_bn_invert_var(inv, a, m));
                    mpz_neg(e, e);
                    CHECK_OK(mpc_bn_powm_signed_sec(ctx, r, a, inv, e, 700, m));
                    CHECK_OK(mpc_bn_powm_var(want, a, e, m));
                    CHECK(mpz_cmp(r, want) == 0);
                    mpz_neg(e, e);
                    CHECK_OK(mpc_bn_powm_signed_sec(ctx, r, a, inv, e, 700, m));
                    mpz_powm(want, a, e, m);
                    CHECK(mpz_cmp(r, want) == 0);
                }
            }
    mpz_clears(a, b, m, r, want, q, e, inv, g, NULL);
}

TEST(bn_sec_edge_values)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t a, e, m, r;
    mpz_inits(a, e, m, r, NULL);
    rand_bits(m, 2048);
    mpz_setbit(m, 2047);
    mpz_setbit(m, 0);
    mpz_set_ui(a, 12345);
    /* e = 0 gives 1, even with the exponent padded to many bits */
    mpz_set_ui(e, 0);
    CHECK_OK(mpc_bn_powm_sec(ctx, r, a, e, 2048, m));
    CHECK(mpz_cmp_ui(r, 1) == 0);
    rand_bits(m, 256);
    mpz_setbit(m, 0);
    CHECK_OK(mpc_bn_powm_sec(ctx, r, a, e, 256, m));
    CHECK(mpz_cmp_ui(r, 1) == 0);
    /* base 0 and base m (≡ 0) */
    mpz_set_ui(a, 0);
    mpz_set_ui(e, 5);
    CHECK_OK(mpc_bn_powm_sec(ctx, r, a, e, 3, m));
    CHECK(mpz_sgn(r) == 0);
    CHECK_OK(mpc_bn_powm_sec(ctx, r, m, e, 3, m));
    CHECK(mpz_sgn(r) == 0);
    /* e = 2^e_bits - 1 is the largest allowed */
    mpz_set_ui(a, 3);
    mpz_set_ui(e, 7);
    CHECK_OK(mpc_bn_powm_sec(ctx, r, a, e, 3, m));
    CHECK(mpz_cmp_ui(r, 2187) == 0);
    /* outputs may alias inputs */
    mpz_set_ui(r, 3);
    CHECK_OK(mpc_bn_powm_sec(ctx, r, r, e, 3, m));
    CHECK(mpz_cmp_ui(r, 2187) == 0);
    mpz_set_ui(r, 10);
    CHECK_OK(mpc_bn_mulmod_sec(ctx, r, r, r, m));
    CHECK(mpz_cmp_ui(r, 100) == 0);
    /* addmod wraps at m exactly */
    mpz_sub_ui(a, m, 1);
    mpz_set_ui(e, 1);
    CHECK_OK(mpc_bn_addmod_sec(ctx, r, a, e, m));
    CHECK(mpz_sgn(r) == 0);
    CHECK_OK(mpc_bn_submod_sec(ctx, r, e, e, m));
    CHECK(mpz_sgn(r) == 0);
    mpz_set_ui(a, 0);
    CHECK_OK(mpc_bn_submod_sec(ctx, r, a, e, m));
    mpz_sub_ui(a, m, 1);
    CHECK(mpz_cmp(r, a) == 0);
    /* negative multiples of m reduce to 0, not m */
    mpz_neg(a, m);
    mpz_mul_ui(a, a, 3);
    CHECK_OK(mpc_bn_mod_sec(ctx, r, a, m));
    CHECK(mpz_sgn(r) == 0);
    /* centering at the boundary: (m-1)/2 stays, (m+1)/2 becomes -(m-1)/2 */
    mpz_fdiv_q_2exp(a, m, 1);
    CHECK_OK(mpc_bn_center_sec(ctx, r, a, m));
    CHECK(mpz_cmp(r, a) == 0);
    mpz_add_ui(e, a, 1);
    CHECK_OK(mpc_bn_center_sec(ctx, r, e, m));
    mpz_neg(e, a);
    CHECK(mpz_cmp(r, e) == 0);
    mpz_set_ui(a, 0);
    CHECK_OK(mpc_bn_center_sec(ctx, r, a, m));
    CHECK(mpz_sgn(r) == 0);
    /* products with zero */
    mpz_set_ui(a, 0);
    CHECK_OK(mpc_bn_mul_sec(ctx, r, a, m));
    CHECK(mpz_sgn(r) == 0);
    /* divmod with only one output */
    mpz_set_ui(a, 100);
    mpz_set_ui(e, 7);
    CHECK_OK(mpc_bn_divmod_sec(ctx, r, NULL, a, e));
    CHECK(mpz_cmp_ui(r, 14) == 0);
    CHECK_OK(mpc_bn_divmod_sec(ctx, NULL, r, a, e));
    CHECK(mpz_cmp_ui(r, 2) == 0);
    mpz_clears(a, e, m, r, NULL);
}

TEST(bn_crt_sec_matches_reference)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t p, q, qinv, ap, aq, r, pq, t;
    mpz_inits(p, q, qinv, ap, aq, r, pq, t, NULL);
    static const size_t sizes[][2] = {
        {64, 64}, {100, 300}, {300, 100}, {1024, 1024}, {2048, 2048}};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        /* coprime moduli; Garner needs no primes */
        rand_bits(p, sizes[i][0]);
        rand_bits(q, sizes[i][1]);
        while (mpz_invert(qinv, q, p) == 0)
            mpz_add_ui(q, q, 1);
        rand_bits(ap, sizes[i][0] + 70); /* unreduced inputs are fine */
        rand_bits(aq, sizes[i][1] / 2);
        CHECK_OK(mpc_bn_crt_sec(ctx, r, ap, p, aq, q, qinv));
        mpz_mul(pq, p, q);
        CHECK(mpz_sgn(r) >= 0 && mpz_cmp(r, pq) < 0);
        mpz_sub(t, r, ap);
        CHECK(mpz_divisible_p(t, p));
        mpz_sub(t, r, aq);
        CHECK(mpz_divisible_p(t, q));
    }
    mpz_clears(p, q, qinv, ap, aq, r, pq, t, NULL);
}

TEST(bn_sec_misuse)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t a, e, m, even, neg, r, r2;
    mpz_inits(a, e, m, even, neg, r, r2, NULL);
    mpz_set_ui(a, 5);
    mpz_set_ui(e, 9);
    mpz_set_ui(m, 101);
    mpz_set_ui(even, 100);
    mpz_set_si(neg, -3);
#define MISUSE(call)                                                           \
    do {                                                                       \
        mpz_set_ui(r, 77);                                                     \
        CHECK_ERR(call, MPC_ERR_INVALID_ARG);                                  \
        CHECK(mpz_sgn(r) == 0);                                                \
    } while (0)
    MISUSE(mpc_bn_powm_sec(ctx, r, a, e, 4, even));
    MISUSE(mpc_bn_powm_sec(ctx, r, a, e, 3, m)); /* 9 >= 2^3 */
    MISUSE(mpc_bn_powm_sec(ctx, r, a, e, 0, m));
    MISUSE(mpc_bn_powm_sec(ctx, r, a, neg, 8, m));
    MISUSE(mpc_bn_powm_sec(ctx, r, neg, e, 8, m));
    MISUSE(mpc_bn_powm_sec(NULL, r, a, e, 8, m));
    MISUSE(mpc_bn_powm_signed_sec(ctx, r, a, a, e, 8, m)); /* a*a != 1 */
    MISUSE(mpc_bn_mod_sec(ctx, r, a, neg));
    MISUSE(mpc_bn_center_sec(ctx, r, a, even));
    MISUSE(mpc_bn_center_sec(ctx, r, neg, m));
    MISUSE(mpc_bn_center_sec(ctx, r, m, m));
    MISUSE(mpc_bn_addmod_sec(ctx, r, a, neg, m));
    MISUSE(mpc_bn_submod_sec(ctx, r, neg, a, m));
    MISUSE(mpc_bn_mul_sec(ctx, r, a, neg));
    MISUSE(mpc_bn_mulmod_sec(ctx, r, a, a, neg));
    MISUSE(mpc_bn_invert_sec(ctx, r, a, even));
    mpz_set_ui(a, 0);
    MISUSE(mpc_bn_invert_sec(ctx, r, a, m)); /* no inverse */
    mpz_set_ui(a, 5);
    MISUSE(mpc_bn_crt_sec(ctx, r, a, m, a, neg, a));
    MISUSE(mpc_bn_divmod_sec(ctx, r, r2, a, neg));
    MISUSE(mpc_bn_divmod_sec(ctx, r, r, a, m));
    CHECK_ERR(mpc_bn_divmod_sec(ctx, NULL, NULL, a, m), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_bn_powm_sec(ctx, NULL, a, e, 8, m), MPC_ERR_INVALID_ARG);
#undef MISUSE
    mpz_clears(a, e, m, even, neg, r, r2, NULL);
}

/* ---- variable time ----------------------------------------------------- */

TEST(bn_var_helpers)
{
    mpz_t a, e, m, r, want;
    mpz_inits(a, e, m, r, want, NULL);
    mpz_set_ui(m, 1000003); /* prime */
    mpz_set_ui(a, 2);
    mpz_set_si(e, -3);
    CHECK_OK(mpc_bn_powm_var(r, a, e, m));
    mpz_mul_ui(want, r, 8);
    mpz_mod(want, want, m);
    CHECK(mpz_cmp_ui(want, 1) == 0);
    CHECK_OK(mpc_bn_powm2_var(r, a, e, a, e, m)); /* 2^-6 */
    mpz_mul_ui(want, r, 64);
    mpz_mod(want, want, m);
    CHECK(mpz_cmp_ui(want, 1) == 0);
    /* not invertible: VERIFY, output zeroed, no SIGFPE */
    mpz_set_ui(m, 15);
    mpz_set_ui(a, 5);
    mpz_set_ui(r, 9);
    CHECK_ERR(mpc_bn_powm_var(r, a, e, m), MPC_ERR_VERIFY);
    CHECK(mpz_sgn(r) == 0);
    CHECK_ERR(mpc_bn_powm2_var(r, a, e, a, e, m), MPC_ERR_VERIFY);
    CHECK_ERR(mpc_bn_invert_var(r, a, m), MPC_ERR_VERIFY);
    mpz_set_ui(a, 4);
    CHECK_OK(mpc_bn_invert_var(r, a, m));
    CHECK(mpz_cmp_ui(r, 4) == 0);
    mpz_set_ui(m, 1);
    CHECK_ERR(mpc_bn_powm_var(r, a, e, m), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_bn_invert_var(r, a, m), MPC_ERR_INVALID_ARG);
    /* units */
    mpz_set_ui(m, 15);
    mpz_set_ui(a, 4);
    CHECK(mpc_bn_is_unit_var(a, m));
    mpz_set_ui(a, 6);
    CHECK(!mpc_bn_is_unit_var(a, m));
    mpz_set_ui(a, 0);
    CHECK(!mpc_bn_is_unit_var(a, m));
    mpz_set_ui(a, 16);
    CHECK(!mpc_bn_is_unit_var(a, m)); /* not reduced */
    mpz_set_si(a, -1);
    CHECK(!mpc_bn_is_unit_var(a, m));
    /* Jacobi */
    for (unsigned long x = 0; x < 30; x++) {
        mpz_set_ui(a, x);
        CHECK(mpc_bn_jacobi_var(a, m) == mpz_jacobi(a, m));
    }
    mpz_set_ui(m, 16);
    CHECK(mpc_bn_jacobi_var(a, m) == 0);
    mpz_set_ui(m, 1);
    CHECK(mpc_bn_jacobi_var(a, m) == 0);
    mpz_clears(a, e, m, r, want, NULL);
}

/* ---- fixed-base tables ------------------------------------------------- */

TEST(bn_fbtable_matches_powm)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t m, s, t, x, y, r, want, tmp;
    mpz_inits(m, s, t, x, y, r, want, tmp, NULL);
    rand_bits(m, 1024);
    mpz_nextprime(m, m); /* every base invertible: negative exponents */
    rand_bits(s, 1000);
    rand_bits(t, 1030); /* bases above m are reduced */
    mpc_bn_fbtable ts, tt;
    CHECK_OK(mpc_bn_fbtable_init(ctx, &ts, s, m, 600));
    CHECK_OK(mpc_bn_fbtable_init(ctx, &tt, t, m, 600));
    static const size_t xbits[] = {1, 5, 6, 7, 300, 599, 600, 601, 900};
    for (size_t i = 0; i < sizeof xbits / sizeof *xbits; i++) {
        for (int sign = 0; sign < 4; sign++) {
            rand_bits(x, xbits[i]);
            rand_bits(y, xbits[(i + 3) % 9]);
            if (sign & 1)
                mpz_neg(x, x);
            if (sign & 2)
                mpz_neg(y, y);
            CHECK_OK(mpc_bn_powm2_var(want, s, x, t, y, m));
            CHECK_OK(mpc_bn_fbtable_powm2_var(r, &ts, x, &tt, y));
            CHECK(mpz_cmp(r, want) == 0);
            CHECK_OK(mpc_bn_powm_var(want, s, x, m));
            CHECK_OK(mpc_bn_fbtable_powm_var(r, &ts, x));
            CHECK(mpz_cmp(r, want) == 0);
        }
    }
    mpz_set_ui(x, 0);
    mpz_set_ui(y, 0);
    CHECK_OK(mpc_bn_fbtable_powm2_var(r, &ts, x, &tt, y));
    CHECK(mpz_cmp_ui(r, 1) == 0);
    /* mismatched moduli and empty tables are misuse */
    mpc_bn_fbtable other;
    mpz_add_ui(tmp, m, 2);
    CHECK_OK(mpc_bn_fbtable_init(ctx, &other, s, tmp, 64));
    CHECK_ERR(mpc_bn_fbtable_powm2_var(r, &ts, x, &other, y),
              MPC_ERR_INVALID_ARG);
    mpc_bn_fbtable_clear(ctx, &other);
    CHECK_ERR(mpc_bn_fbtable_powm_var(r, &other, x), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_bn_fbtable_init(ctx, &other, s, m, 0), MPC_ERR_INVALID_ARG);
    mpc_bn_fbtable_clear(ctx, &other);
    mpc_bn_fbtable_clear(ctx, &ts);
    mpc_bn_fbtable_clear(ctx, &tt);
    mpc_bn_fbtable_clear(ctx, NULL);
    mpz_clears(m, s, t, x, y, r, want, tmp, NULL);
}

TEST(bn_fbtable_non_invertible_base_is_verify)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t m, b, e, r;
    mpz_inits(m, b, e, r, NULL);
    mpz_set_ui(m, 35);
    mpz_set_ui(b, 7);
    mpz_set_si(e, -5);
    mpc_bn_fbtable t;
    CHECK_OK(mpc_bn_fbtable_init(ctx, &t, b, m, 16));
    mpz_set_ui(r, 3);
    CHECK_ERR(mpc_bn_fbtable_powm_var(r, &t, e), MPC_ERR_VERIFY);
    CHECK(mpz_sgn(r) == 0);
    mpc_bn_fbtable_clear(ctx, &t);
    mpz_clears(m, b, e, r, NULL);
}

/* ---- constant-time comb -------------------------------------------------- */

/* s^x t^y mod m through the combs against mpz_powm, over bounds around
 * chunk edges, both signs, exponent 0, +-1 and the largest |e| of each
 * bound, for a modulus of `mbits` bits. */
static bool comb_case(size_t mbits, size_t max_bits)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t m, s, t, x, y, r, want, tmp;
    mpz_inits(m, s, t, x, y, r, want, tmp, NULL);
    rand_bits(m, mbits);
    mpz_nextprime(m, m);
    rand_bits(s, mbits - 3);
    rand_bits(t, mbits + 7); /* above m: reduced */
    mpc_bn_comb cs, ct;
    REQUIRE_OK(mpc_bn_comb_init(&cs, s, m, max_bits));
    REQUIRE_OK(mpc_bn_comb_init(&ct, t, m, max_bits));
    mpz_mod(tmp, t, m);
    REQUIRE(mpc_bn_comb_matches(&ct, tmp, m));
    REQUIRE(!mpc_bn_comb_matches(&ct, s, m));
    const size_t spacing = (max_bits + 20) / 20;
    const size_t bounds[] = {1,
                             2,
                             spacing - 1,
                             spacing,
                             spacing + 1,
                             5 * spacing - 1,
                             max_bits / 2,
                             max_bits - 1,
                             max_bits};
    const size_t nb = sizeof bounds / sizeof *bounds;
    for (size_t i = 0; i < nb; i++) {
        size_t xb = bounds[i], yb = bounds[(i * 5 + 2) % nb];
        if (xb == 0 || yb == 0)
            continue;
        for (int v = 0; v < 6; v++) {
            switch (v) {
            case 0: /* random full-length */
            case 1:
                rand_bits(x, xb);
                rand_bits(y, yb);
                break;
            case 2: /* zero and one */
                mpz_set_ui(x, 0);
                mpz_set_ui(y, 1);
                break;
            default: /* the extremes 2^b - 1 */
                mpz_set_ui(x, 0);
                mpz_setbit(x, xb);
                mpz_sub_ui(x, x, 1);
                mpz_set_ui(y, 0);
                mpz_setbit(y, yb);
                mpz_sub_ui(y, y, 1);
            }
            if (v & 1)
                mpz_neg(x, x);
            if (v == 1 || v == 5)
                mpz_neg(y, y);
            REQUIRE_OK(mpc_bn_powm2_var(want, s, x, t, y, m));
            REQUIRE_OK(mpc_bn_comb_powm2_sec(ctx, r, &cs, x, xb, &ct, y, yb));
            REQUIRE(mpz_cmp(r, want) == 0);
        }
    }
    mpc_bn_comb_clear(&cs);
    mpc_bn_comb_clear(&ct);
    mpz_clears(m, s, t, x, y, r, want, tmp, NULL);
    return true;
}

TEST(bn_comb_matches_powm)
{
    CHECK(comb_case(256, 100));
    CHECK(comb_case(1024, 1500));
    CHECK(comb_case(2048, 2817));
    CHECK(comb_case(130, 40)); /* a modulus of 3 limbs, tiny bounds */
}

TEST(bn_comb_misuse)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t m, b, x, y, r, m2;
    mpz_inits(m, b, x, y, r, m2, NULL);
    mpz_set_ui(m, 1000003);
    mpz_set_ui(b, 5);
    mpc_bn_comb c, d, e;
    CHECK_OK(mpc_bn_comb_init(&c, b, m, 64));
    /* empty, bad modulus, non-unit base, bad max_bits */
    mpz_set_ui(m2, 1000002);
    CHECK_ERR(mpc_bn_comb_init(&d, b, m2, 64), MPC_ERR_INVALID_ARG);
    mpc_bn_comb_clear(&d);
    mpc_bn_comb_clear(&d);
    mpz_set_ui(m2, 35);
    mpz_set_ui(r, 7);
    CHECK_ERR(mpc_bn_comb_init(&d, r, m2, 64), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_bn_comb_init(&d, b, m, 0), MPC_ERR_INVALID_ARG);
    CHECK(!mpc_bn_comb_matches(&d, b, m));
    mpz_set_ui(x, 3);
    mpz_set_ui(r, 9);
    CHECK_ERR(mpc_bn_comb_powm2_sec(ctx, r, &c, x, 64, &d, x, 64),
              MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(r) == 0);
    /* exponent over its bound, bound over max_bits, bound 0 */
    mpz_set_ui(x, 0);
    mpz_setbit(x, 10);
    mpz_set_si(y, -1);
    mpz_set_ui(r, 9);
    CHECK_ERR(mpc_bn_comb_powm2_sec(ctx, r, &c, x, 10, &c, y, 1),
              MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(r) == 0);
    CHECK_OK(mpc_bn_comb_powm2_sec(ctx, r, &c, x, 11, &c, y, 1));
    CHECK_ERR(mpc_bn_comb_powm2_sec(ctx, r, &c, x, 65, &c, y, 1),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_bn_comb_powm2_sec(ctx, r, &c, x, 11, &c, y, 0),
              MPC_ERR_INVALID_ARG);
    /* moduli or sizes that differ */
    mpz_set_ui(m2, 1000033);
    CHECK_OK(mpc_bn_comb_init(&e, b, m2, 64));
    CHECK_ERR(mpc_bn_comb_powm2_sec(ctx, r, &c, x, 11, &e, y, 1),
              MPC_ERR_INVALID_ARG);
    mpc_bn_comb_clear(&e);
    CHECK_OK(mpc_bn_comb_init(&e, b, m, 128));
    CHECK_ERR(mpc_bn_comb_powm2_sec(ctx, r, &c, x, 11, &e, y, 1),
              MPC_ERR_INVALID_ARG);
    mpc_bn_comb_clear(&e);
    /* out of memory */
    mpc_ctx *fc = flaky_ctx();
    CHECK(fc != NULL);
    fail_alloc = true;
    mpz_set_ui(r, 9);
    CHECK_ERR(mpc_bn_comb_powm2_sec(fc, r, &c, x, 11, &c, y, 1), MPC_ERR_NOMEM);
    CHECK(mpz_sgn(r) == 0);
    fail_alloc = false;
    mpc_ctx_free(fc);
    mpc_bn_comb_clear(&c);
    mpc_bn_comb_clear(NULL);
    mpz_clears(m, b, x, y, r, m2, NULL);
}

/* ---- safe primes ------------------------------------------------------- */

/* p is a safe prime of exactly `bits` bits with the generator's shape,
 * judged by GMP's own (variable-time, test-only) BPSW test. */
static bool is_our_safe_prime(const mpz_t p, size_t bits)
{
    mpz_t q;
    mpz_init(q);
    mpz_fdiv_q_2exp(q, p, 1);
    bool ok = mpz_sizeinbase(p, 2) == bits && mpz_tstbit(p, bits - 2) &&
              mpz_fdiv_ui(p, 8) == 7 && mpz_probab_prime_p(p, 30) &&
              mpz_probab_prime_p(q, 30);
    mpz_clear(q);
    return ok;
}

TEST(bn_safe_prime_small_sizes)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t p;
    mpz_init(p);
    static const size_t sizes[] = {64, 65, 128, 200, 256, 384, 512};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        CHECK_OK(mpc_bn_safe_prime_generate(ctx, p, sizes[i]));
        CHECK(is_our_safe_prime(p, sizes[i]));
        CHECK_OK(mpc_bn_safe_prime_check(ctx, p));
    }
    mpz_clear(p);
}

TEST(bn_safe_prime_1024)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t p;
    mpz_init(p);
    CHECK_OK(mpc_bn_safe_prime_generate(ctx, p, 1024));
    CHECK(is_our_safe_prime(p, 1024));
    mpz_clear(p);
}

TEST(bn_safe_prime_check_rejects)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t p;
    mpz_init(p);
    /* known small safe primes pass (q ≡ 1 mod 4 included: 11, 59, 107) */
    static const unsigned long safe[] = {11, 23, 47, 59, 83, 107, 167, 179};
    for (size_t i = 0; i < sizeof safe / sizeof *safe; i++) {
        mpz_set_ui(p, safe[i]);
        CHECK_OK(mpc_bn_safe_prime_check(ctx, p));
    }
    /* primes that are not safe, composites, tiny and even values fail */
    static const unsigned long bad[] = {0,  1,  2,  5,  7,  13, 29,  31,
                                        37, 41, 43, 49, 77, 91, 1729};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        mpz_set_ui(p, bad[i]);
        CHECK_ERR(mpc_bn_safe_prime_check(ctx, p), MPC_ERR_VERIFY);
    }
    mpz_set_ui(p, 1);
    mpz_mul_2exp(p, p, 521);
    mpz_sub_ui(p, p, 1); /* Mersenne prime 2^521 - 1: (p-1)/2 even */
    CHECK_ERR(mpc_bn_safe_prime_check(ctx, p), MPC_ERR_VERIFY);
    /* a large prime whose (p - 1) / 2 is odd but composite */
    mpz_t q;
    mpz_init(q);
    rand_bits(p, 300);
    do {
        mpz_nextprime(p, p);
        mpz_fdiv_q_2exp(q, p, 1);
    } while (mpz_even_p(q) || mpz_probab_prime_p(q, 30));
    CHECK_ERR(mpc_bn_safe_prime_check(ctx, p), MPC_ERR_VERIFY);
    /* ... and a composite 2q + 1 over a prime q */
    rand_bits(q, 300);
    do {
        mpz_nextprime(q, q);
        mpz_mul_2exp(p, q, 1);
        mpz_add_ui(p, p, 1);
    } while (mpz_probab_prime_p(p, 30));
    CHECK_ERR(mpc_bn_safe_prime_check(ctx, p), MPC_ERR_VERIFY);
    mpz_clear(q);
    /* 2^200 + 3: q - 1 = 2^199, many trailing zeros, no abort */
    mpz_set_ui(p, 0);
    mpz_setbit(p, 200);
    mpz_add_ui(p, p, 3);
    CHECK_ERR(mpc_bn_safe_prime_check(ctx, p), MPC_ERR_VERIFY);
    CHECK_ERR(mpc_bn_safe_prime_check(NULL, p), MPC_ERR_INVALID_ARG);
    mpz_set_ui(p, 9);
    CHECK_ERR(mpc_bn_safe_prime_generate(ctx, p, 63), MPC_ERR_INVALID_ARG);
    CHECK(mpz_sgn(p) == 0);
    CHECK_ERR(mpc_bn_safe_prime_generate(ctx, p, 8193), MPC_ERR_INVALID_ARG);
    mpz_clear(p);
}
