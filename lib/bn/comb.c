/*
 * Fixed-base comb exponentiation with secret exponents (mpc_bn_comb).
 *
 * Lim–Lee comb: an exponent of up to CHUNKS * spacing bits is cut into
 * CHUNKS chunks of `spacing` bits, and the chunks into GROUPS groups of
 * TEETH. For group g the table holds, for every TEETH-bit index d,
 *   tab[g][d] = Π_{r: bit r of d} base^(2^((g*TEETH + r) * spacing)).
 * Then base^e = Π_{c = spacing-1 .. 0} (...)^2 · Π_g tab[g][d_g(c)] where
 * d_g(c) gathers bit c of each chunk of group g: `spacing` squarings and
 * one multiplication per group and column, shared by both bases of
 * s^x t^y. Each entry is read with mpn_sec_tabselect (every entry is
 * touched), so the memory trace does not depend on the exponent.
 *
 * Signed exponents: e' = e + 2^(B-1), with B the public bound rounded up
 * to whole chunks, is in [0, 2^B) and is computed without a branch on the
 * sign; the result is multiplied by the precomputed base^-(2^(B-1)).
 *
 * Arithmetic is in Montgomery form modulo the odd m: products by
 * mpn_sec_mul / mpn_sec_sqr, reduction (REDC) by a fixed loop of
 * mpn_addmul_1 over the limbs, as GMP's own mpn_sec_powm does internally,
 * and a final subtraction chosen with mpn_cnd_* (no branch).
 */
#include <string.h>

#include "lib/bn/bn_internal.h"
#include "mpc/bn.h"
#include "mpc/mem.h"

#define TEETH 5
#define ENTRIES (1u << TEETH)
#define GROUPS 4
#define CHUNKS (TEETH * GROUPS)
#define MAX_COMB_BITS ((size_t)1 << 20)

/* Limbs of the one allocation: GROUPS * ENTRIES table entries, CHUNKS
 * offset constants and the Montgomery one, n limbs each. */
static size_t mem_limbs(size_t n)
{
    return ((size_t)GROUPS * ENTRIES + CHUNKS + 1) * n;
}

static void *gmp_alloc(size_t bytes)
{
    void *(*alloc)(size_t);
    mp_get_memory_functions(&alloc, NULL, NULL);
    return alloc(bytes);
}

static void gmp_free(void *p, size_t bytes)
{
    void (*release)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &release);
    release(p, bytes);
}

/* -m^-1 mod 2^64 for odd m0 (Newton: each step doubles the correct bits). */
static mp_limb_t neg_inverse_limb(mp_limb_t m0)
{
    mp_limb_t inv = m0; /* correct to 3 bits for odd m0 */
    for (int i = 0; i < 6; i++)
        inv *= 2 - m0 * inv;
    return (mp_limb_t)0 - inv;
}

/* Writes the Montgomery form x * 2^(64 n) mod m of 0 <= x < m as n limbs
 * (public values: plain mpz). */
static void to_mont(mp_limb_t *d, const mpz_t x, const mpz_t m, size_t n,
                    mpz_t tmp)
{
    mpz_mul_2exp(tmp, x, (mp_bitcnt_t)(n * GMP_NUMB_BITS));
    mpz_mod(tmp, tmp, m);
    mpc_bn_limbs_load(d, n, tmp);
}

static mp_limb_t *entry(const mpc_bn_comb *c, size_t group, size_t d)
{
    return c->mem + (group * ENTRIES + d) * c->n;
}

static mp_limb_t *offset(const mpc_bn_comb *c, size_t chunks)
{
    return c->mem + ((size_t)GROUPS * ENTRIES + chunks - 1) * c->n;
}

static mp_limb_t *mont_one(const mpc_bn_comb *c)
{
    return c->mem + ((size_t)GROUPS * ENTRIES + CHUNKS) * c->n;
}

/* Fills the tables from pw[i] = base^(2^(i * spacing)), i < CHUNKS, and
 * inv[j] = base^-(2^((j+1) * spacing - 1)). */
static void fill(mpc_bn_comb *c, mpz_t *pw, mpz_t *inv)
{
    const size_t n = c->n;
    mpz_t acc, tmp;
    mpz_inits(acc, tmp, NULL);
    for (size_t g = 0; g < GROUPS; g++) {
        for (size_t d = 0; d < ENTRIES; d++) {
            mpz_set_ui(acc, 1);
            for (size_t r = 0; r < TEETH; r++) {
                if ((d >> r) & 1) {
                    mpz_mul(acc, acc, pw[g * TEETH + r]);
                    mpz_mod(acc, acc, c->m);
                }
            }
            to_mont(entry(c, g, d), acc, c->m, n, tmp);
        }
    }
    for (size_t j = 0; j < CHUNKS; j++)
        to_mont(offset(c, j + 1), inv[j], c->m, n, tmp);
    mpz_set_ui(acc, 1);
    to_mont(mont_one(c), acc, c->m, n, tmp);
    mpz_clears(acc, tmp, NULL);
}

mpc_err mpc_bn_comb_init(mpc_bn_comb *c, const mpz_t base, const mpz_t m,
                         size_t max_bits)
{
    if (c == NULL)
        return MPC_ERR_INVALID_ARG;
    c->mem = NULL; /* the empty state: base and m are not initialised */
    if (base == NULL || m == NULL || mpz_cmp_ui(m, 3) < 0 || mpz_even_p(m) ||
        mpz_sgn(base) < 0 || max_bits == 0 || max_bits > MAX_COMB_BITS)
        return MPC_ERR_INVALID_ARG;
    mpz_t b, tmp;
    mpz_inits(b, tmp, NULL);
    mpz_mod(b, base, m);
    bool unit = mpz_invert(tmp, b, m) != 0;
    mpz_clears(b, tmp, NULL);
    if (!unit)
        return MPC_ERR_INVALID_ARG;

    c->n = mpz_size(m);
    c->max_bits = max_bits;
    /* e' = e + 2^(B-1) needs max_bits + 1 bits. */
    c->spacing = (max_bits + 1 + CHUNKS - 1) / CHUNKS;
    c->minv = neg_inverse_limb(mpz_limbs_read(m)[0]);
    mpz_init_set(c->m, m);
    mpz_init(c->base);
    mpz_mod(c->base, base, m);

    mpz_t pw[CHUNKS], inv[CHUNKS], x;
    mpz_init_set(x, c->base);
    for (size_t i = 0; i < CHUNKS; i++)
        mpz_inits(pw[i], inv[i], NULL);
    /* x runs through base^(2^k), k = 0 .. CHUNKS * spacing - 1. */
    for (size_t k = 0; k < CHUNKS * c->spacing; k++) {
        if (k % c->spacing == 0)
            mpz_set(pw[k / c->spacing], x);
        if ((k + 1) % c->spacing == 0)
            mpz_invert(inv[k / c->spacing], x, m); /* x is a unit */
        mpz_mul(x, x, x);
        mpz_mod(x, x, m);
    }
    c->mem = gmp_alloc(mem_limbs(c->n) * sizeof *c->mem);
    fill(c, pw, inv);
    for (size_t i = 0; i < CHUNKS; i++)
        mpz_clears(pw[i], inv[i], NULL);
    mpz_clear(x);
    return MPC_OK;
}

void mpc_bn_comb_clear(mpc_bn_comb *c)
{
    if (c == NULL || c->mem == NULL)
        return;
    gmp_free(c->mem, mem_limbs(c->n) * sizeof *c->mem);
    mpz_clears(c->base, c->m, NULL);
    c->mem = NULL;
}

void mpc_bn_comb_copy(mpc_bn_comb *dst, const mpc_bn_comb *src)
{
    if (dst == NULL || src == NULL || dst == src)
        return;
    mpc_bn_comb_clear(dst);
    if (src->mem == NULL)
        return;
    size_t bytes = mem_limbs(src->n) * sizeof *src->mem;
    dst->mem = gmp_alloc(bytes);
    memcpy(dst->mem, src->mem, bytes);
    mpz_init_set(dst->base, src->base);
    mpz_init_set(dst->m, src->m);
    dst->n = src->n;
    dst->spacing = src->spacing;
    dst->max_bits = src->max_bits;
    dst->minv = src->minv;
}

bool mpc_bn_comb_matches(const mpc_bn_comb *c, const mpz_t base, const mpz_t m)
{
    return c != NULL && c->mem != NULL && mpz_cmp(c->m, m) == 0 &&
           mpz_cmp(c->base, base) == 0;
}

/* ---- Montgomery arithmetic on n limbs ---------------------------------- */

typedef struct mont {
    const mp_limb_t *m;
    size_t n;
    mp_limb_t minv;
    mp_limb_t *prod; /* 2n limbs */
    mp_limb_t *tmp;  /* n limbs */
    mp_limb_t *tp;   /* mpn_sec_mul / mpn_sec_sqr scratch */
} mont;

/* r = prod * 2^(-64 n) mod m for prod < m^2 (destroys prod). The carry of
 * step i is kept in prod[i] and added in at the end, as GMP's redc_1. */
static void redc(const mont *M, mp_limb_t *r)
{
    const size_t n = M->n;
    mp_limb_t *t = M->prod;
    for (size_t i = 0; i < n; i++)
        t[i] = mpn_addmul_1(t + i, M->m, (mp_size_t)n, t[i] * M->minv);
    mp_limb_t carry = mpn_cnd_add_n(1, r, t + n, t, (mp_size_t)n);
    /* r + carry 2^(64n) < 2m: subtract m if the carry is set or r >= m. */
    mp_limb_t borrow = mpn_cnd_sub_n(1, M->tmp, r, M->m, (mp_size_t)n);
    mpc_bn_limbs_cnd_copy(carry | (borrow ^ 1), r, M->tmp, n);
}

static void mont_mul(const mont *M, mp_limb_t *r, const mp_limb_t *a,
                     const mp_limb_t *b)
{
    mpn_sec_mul(M->prod, a, (mp_size_t)M->n, b, (mp_size_t)M->n, M->tp);
    redc(M, r);
}

static void mont_sqr(const mont *M, mp_limb_t *r, const mp_limb_t *a)
{
    mpn_sec_sqr(M->prod, a, (mp_size_t)M->n, M->tp);
    redc(M, r);
}

/* ---- Evaluation ---------------------------------------------------------- */

/* One term b^e of a product: its comb, its offset exponent e' and the
 * number of chunks and groups its public bound needs. */
typedef struct term {
    const mpc_bn_comb *c;
    mp_limb_t *e; /* e' = e + 2^(B-1), el limbs */
    size_t chunks, groups;
} term;

/* Bit `pos` of the secret e[0..) (public position, no branch on values). */
static mp_limb_t bit_at(const mp_limb_t *e, size_t pos)
{
    return (e[pos / GMP_NUMB_BITS] >> (pos % GMP_NUMB_BITS)) & 1;
}

/* t->e = e + 2^(B-1) for signed e, |e| < 2^(B-1), B = chunks * spacing:
 * both off + |e| and off - |e| are formed and one is kept by the sign. */
static void load_offset(term *t, const mpz_t e, size_t el, mp_limb_t *tmp)
{
    size_t b = t->chunks * t->c->spacing;
    mpc_bn_limbs_load(t->e, el, e); /* |e| */
    memset(tmp, 0, el * sizeof *tmp);
    tmp[(b - 1) / GMP_NUMB_BITS] = (mp_limb_t)1 << ((b - 1) % GMP_NUMB_BITS);
    mp_limb_t neg = (mp_limb_t)(mpz_sgn(e) < 0);
    /* tmp + |e| into t->e's place only after off - |e| is known. */
    mp_limb_t *sum = tmp + el;
    mpn_cnd_add_n(1, sum, tmp, t->e, (mp_size_t)el);
    mpn_cnd_sub_n(1, tmp, tmp, t->e, (mp_size_t)el);
    mpc_bn_limbs_cnd_copy(neg ^ 1, tmp, sum, el);
    memcpy(t->e, tmp, el * sizeof *tmp);
}

static void eval(const mont *M, mp_limb_t *acc, const term *ts, size_t k,
                 size_t spacing, mp_limb_t *sel)
{
    const size_t n = M->n;
    memcpy(acc, mont_one(ts[0].c), n * sizeof *acc);
    for (size_t col = spacing; col-- > 0;) {
        if (col + 1 != spacing)
            mont_sqr(M, acc, acc);
        for (size_t i = 0; i < k; i++) {
            for (size_t g = 0; g < ts[i].groups; g++) {
                mp_limb_t d = 0;
                for (size_t r = 0; r < TEETH; r++)
                    d |= bit_at(ts[i].e, (g * TEETH + r) * spacing + col) << r;
                mpn_sec_tabselect(sel, entry(ts[i].c, g, 0), (mp_size_t)n,
                                  ENTRIES, d);
                mont_mul(M, acc, acc, sel);
            }
        }
    }
    for (size_t i = 0; i < k; i++)
        mont_mul(M, acc, acc, offset(ts[i].c, ts[i].chunks));
}

/* Whether |e| < 2^e_bits; only the (declassified) outcome is used. */
static bool fits(const mpz_t e, size_t e_bits)
{
    bool ok = mpz_sizeinbase(e, 2) <= e_bits;
    mpc_declassify(&ok, sizeof ok);
    return ok;
}

static bool term_ok(const mpc_bn_comb *c, const mpz_t e, size_t e_bits)
{
    return c != NULL && c->mem != NULL && e != NULL && e_bits > 0 &&
           e_bits <= c->max_bits && fits(e, e_bits);
}

mpc_err mpc_bn_comb_powm2_sec(const mpc_ctx *ctx, mpz_t r,
                              const mpc_bn_comb *c1, const mpz_t e1,
                              size_t e1_bits, const mpc_bn_comb *c2,
                              const mpz_t e2, size_t e2_bits)
{
    if (r == NULL)
        return MPC_ERR_INVALID_ARG;
    if (ctx == NULL || !term_ok(c1, e1, e1_bits) || !term_ok(c2, e2, e2_bits) ||
        c1->spacing != c2->spacing || mpz_cmp(c1->m, c2->m) != 0) {
        mpz_set_ui(r, 0);
        return MPC_ERR_INVALID_ARG;
    }
    const size_t n = c1->n, spacing = c1->spacing;
    const size_t el = mpc_bn_limbs_for_bits(CHUNKS * spacing);
    size_t itch = (size_t)mpn_sec_mul_itch((mp_size_t)n, (mp_size_t)n);
    size_t sitch = (size_t)mpn_sec_sqr_itch((mp_size_t)n);
    itch = itch > sitch ? itch : sitch;
    mpc_bn_ws w;
    mpc_err err = mpc_bn_ws_init(&w, ctx, 5 * n + 4 * el + itch);
    if (err != MPC_OK) {
        mpz_set_ui(r, 0);
        return err;
    }
    mont M = {.m = mpz_limbs_read(c1->m), .n = n, .minv = c1->minv};
    M.prod = mpc_bn_ws_take(&w, 2 * n);
    M.tmp = mpc_bn_ws_take(&w, n);
    M.tp = mpc_bn_ws_take(&w, itch);
    mp_limb_t *acc = mpc_bn_ws_take(&w, n);
    mp_limb_t *sel = mpc_bn_ws_take(&w, n);
    mp_limb_t *tmp = mpc_bn_ws_take(&w, 2 * el);
    const mpc_bn_comb *cs[2] = {c1, c2};
    const mpz_srcptr es[2] = {e1, e2};
    const size_t bits[2] = {e1_bits, e2_bits};
    term ts[2];
    for (size_t i = 0; i < 2; i++) {
        ts[i].c = cs[i];
        ts[i].e = mpc_bn_ws_take(&w, el);
        ts[i].chunks = (bits[i] + 1 + spacing - 1) / spacing;
        ts[i].groups = (ts[i].chunks + TEETH - 1) / TEETH;
        load_offset(&ts[i], es[i], el, tmp);
    }
    eval(&M, acc, ts, 2, spacing, sel);
    /* Out of Montgomery form: REDC of acc itself. */
    memset(M.prod, 0, 2 * n * sizeof *M.prod);
    memcpy(M.prod, acc, n * sizeof *acc);
    redc(&M, acc);
    mpc_bn_limbs_store(r, acc, n);
    mpc_bn_ws_free(&w);
    return MPC_OK;
}
