/*
 * lib/bn Montgomery engines (lib/bn/mont.c, mont_ifma.c): the limbs engine
 * and, where the CPU has AVX-512 IFMA, the ifma engine, each against mpz
 * over chains of products and squares, at every size the protocols use and
 * at the edges of the almost-Montgomery bound (m just below 2^(64 n), zero,
 * m - 1). The exponentiations above the engines run on the machine's own
 * choice in their own tests; under valgrind (make ctime) that is the limbs
 * engine, here it is ifma where the CPU has it.
 */
#include <gmp.h>
#include <string.h>

#include "lib/bn/bn_internal.h"
#include "mpc/bn.h"
#include "tests/harness/test.h"
#include "tests/unit/bn_test_util.h"

#define MAXN 100

/* The element of x (x < m) in Montgomery form, through R^2 as callers do. */
static void load(const mpc_bn_mont *M, mp_limb_t *e, const mpz_t x,
                 mp_limb_t *r2, mp_limb_t *ld)
{
    mpc_bn_limbs_load(ld, M->n, x);
    mpc_bn_mont_import(M, e, ld);
    mpc_bn_mont_mul(M, e, e, r2);
}

/* A chain of 40 products and squares on both sides; the element is only
 * compared after export (ifma elements are below 2m, not canonical). */
static bool chain_case(const mpz_t m, bool ifma, const mpz_t x0, const mpz_t y0)
{
    const size_t n = mpz_size(m);
    mp_limb_t scratch[8 * MAXN + 1024], x[2 * MAXN], y[2 * MAXN], r2[2 * MAXN];
    mp_limb_t ld[MAXN], out[MAXN];
    REQUIRE(mpc_bn_mont_scratch(n) <= sizeof scratch / sizeof *scratch);
    mpc_bn_mont M;
    if (!mpc_bn_mont_setup_engine(&M, mpz_limbs_read(m), n, scratch, ifma))
        return true; /* no IFMA on this CPU: the limbs case covers it */
    REQUIRE(M.w <= 2 * MAXN);
    REQUIRE(M.rbits == (ifma ? 52 * mpc_bn_ifma_digits(n) : 64 * n));
    mpz_t r, a, b, t;
    mpz_inits(r, a, b, t, NULL);
    mpz_set_ui(t, 0);
    mpz_setbit(t, M.rbits);
    mpc_bn_mont_load_var(&M, r2, t, r); /* R^2 mod m */
    load(&M, x, x0, r2, ld);
    load(&M, y, y0, r2, ld);
    mpz_set(a, x0);
    mpz_set(b, y0);
    bool ok = true;
    for (int i = 0; i < 40 && ok; i++) {
        if (i % 3 == 2) {
            mpc_bn_mont_sqr(&M, x, x);
            mpz_mul(a, a, a);
        } else {
            mpc_bn_mont_mul(&M, x, x, y);
            mpz_mul(a, a, b);
        }
        mpz_mod(a, a, m);
        mpc_bn_mont_export(&M, out, x);
        mpc_bn_limbs_store(r, out, n);
        ok = mpz_cmp(r, a) == 0;
    }
    /* load_var of a public value agrees with the R^2 route. */
    mpc_bn_mont_load_var(&M, y, a, t);
    mpc_bn_mont_export(&M, out, y);
    mpc_bn_limbs_store(r, out, n);
    ok = ok && mpz_cmp(r, a) == 0;
    mpz_clears(r, a, b, t, NULL);
    REQUIRE(ok);
    return true;
}

static bool sizes_case(bool ifma)
{
    static const size_t limbs[] = {16, 17, 24, 32, 33, 48, 64, 96};
    mpz_t m, x, y;
    mpz_inits(m, x, y, NULL);
    for (size_t i = 0; i < sizeof limbs / sizeof *limbs; i++) {
        size_t bits = 64 * limbs[i];
        REQUIRE(bn_test_rand_bits(m, bits - 1));
        mpz_setbit(m, bits - 1);
        mpz_setbit(m, 0);
        REQUIRE(bn_test_rand_bits(x, bits));
        mpz_mod(x, x, m);
        REQUIRE(bn_test_rand_bits(y, bits));
        mpz_mod(y, y, m);
        REQUIRE(chain_case(m, ifma, x, y));
        /* The largest modulus of this size: 4m < R is tightest here. */
        mpz_set_ui(m, 0);
        mpz_setbit(m, bits);
        mpz_sub_ui(m, m, 1);
        mpz_sub_ui(x, m, 1);
        REQUIRE(chain_case(m, ifma, x, x));
        mpz_set_ui(y, 0);
        REQUIRE(chain_case(m, ifma, x, y)); /* zero stays zero */
    }
    mpz_clears(m, x, y, NULL);
    return true;
}

TEST(bn_mont_limbs_engine_matches_mpz)
{
    CHECK(sizes_case(false));
}

TEST(bn_mont_ifma_engine_matches_mpz)
{
    CHECK(sizes_case(true));
}

/* The radix conversions are inverse to each other, and the IFMA product
 * is below 2m for inputs below 2m (the almost-Montgomery bound). */
static bool radix_case(void)
{
    mp_limb_t x[64], back[64];
    uint64_t d[MPC_BN_IFMA_MAX_DIGITS];
    mpz_t v;
    mpz_init(v);
    REQUIRE(bn_test_rand_bits(v, 64 * 64));
    mpc_bn_limbs_load(x, 64, v);
    size_t k = mpc_bn_ifma_digits(64);
    REQUIRE(k % 8 == 0 && 52 * k >= 64 * 64 + 2 && k <= 80);
    mpc_bn_ifma_from_limbs(d, k, x, 64);
    for (size_t j = 0; j < k; j++)
        REQUIRE(d[j] >> 52 == 0);
    mpc_bn_ifma_to_limbs(back, 64, d, k);
    REQUIRE(memcmp(x, back, sizeof x) == 0);
    mpz_clear(v);
    return true;
}

TEST(bn_mont_ifma_radix_round_trip)
{
    CHECK(radix_case());
}

/* A modulus above the kernel's digit limit falls back to the limbs
 * engine, and asking for ifma there is refused. */
static bool limit_case(void)
{
    const size_t n = 120; /* 7680 bits: 148 digits > 128 */
    static mp_limb_t m[120], scratch[4096];
    memset(m, 0xff, sizeof m);
    REQUIRE(mpc_bn_mont_scratch(n) <= sizeof scratch / sizeof *scratch);
    mpc_bn_mont M;
    REQUIRE(!mpc_bn_mont_setup_engine(&M, m, n, scratch, true));
    REQUIRE(mpc_bn_mont_width(n) == n);
    mpc_bn_mont_setup(&M, m, n, scratch);
    REQUIRE(!M.ifma && M.w == n);
    return true;
}

TEST(bn_mont_large_modulus_uses_limbs)
{
    CHECK(limit_case());
}

/* The lookup returns exactly entry idx for every idx, and nothing (zero)
 * for an idx past the table, on both engines. */
static bool select_case(bool ifma)
{
    static mp_limb_t m[32], scratch[2048], tab[32 * 48], out[48];
    memset(m, 0xa5, sizeof m);
    m[0] |= 1;
    m[31] |= (mp_limb_t)1 << 63;
    mpc_bn_mont M;
    if (!mpc_bn_mont_setup_engine(&M, m, 32, scratch, ifma))
        return true;
    REQUIRE(M.w <= 48);
    for (size_t i = 0; i < 32 * M.w; i++)
        tab[i] = (mp_limb_t)(i * 0x9e3779b97f4a7c15u);
    for (size_t idx = 0; idx <= 32; idx++) {
        mpc_bn_mont_select(&M, out, tab, 32, idx);
        for (size_t j = 0; j < M.w; j++)
            REQUIRE(out[j] == (idx < 32 ? tab[idx * M.w + j] : 0));
    }
    return true;
}

TEST(bn_mont_select_every_entry)
{
    CHECK(select_case(false));
    CHECK(select_case(true));
}
