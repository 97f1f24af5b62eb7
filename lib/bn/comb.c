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
 * s^x t^y. Each entry is read with mpc_bn_mont_select (every entry is
 * touched), so the memory trace does not depend on the exponent.
 *
 * Signed exponents: e' = e + 2^(B-1), with B the public bound rounded up
 * to whole chunks, is in [0, 2^B) and is computed without a branch on the
 * sign; the result is multiplied by the precomputed base^-(2^(B-1)).
 *
 * Arithmetic is in Montgomery form modulo the odd m on lib/bn/mont.c's
 * engine (constant time in the values; AVX-512 IFMA where the CPU has it,
 * docs/bignum.md); table entries are the engine's elements.
 * mpc_bn_comb_init builds the tables of a public base with plain mpz
 * arithmetic; mpc_bn_comb_init_sec builds the same tables with the engine
 * only, for a secret base or modulus.
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
 * offset constants and the Montgomery one, an element (w words) each. */
static size_t mem_limbs(size_t w)
{
    return ((size_t)GROUPS * ENTRIES + CHUNKS + 1) * w;
}

static mp_limb_t *entry(const mpc_bn_comb *c, size_t group, size_t d)
{
    return c->mem + (group * ENTRIES + d) * c->w;
}

static mp_limb_t *offset(const mpc_bn_comb *c, size_t chunks)
{
    return c->mem + ((size_t)GROUPS * ENTRIES + chunks - 1) * c->w;
}

static mp_limb_t *mont_one(const mpc_bn_comb *c)
{
    return c->mem + ((size_t)GROUPS * ENTRIES + CHUNKS) * c->w;
}

/* Fills the tables from pw[i] = base^(2^(i * spacing)), i < CHUNKS, and
 * inv[j] = base^-(2^((j+1) * spacing - 1)). */
static void fill(mpc_bn_comb *c, const mpc_bn_mont *M, mpz_t *pw, mpz_t *inv)
{
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
            mpc_bn_mont_load_var(M, entry(c, g, d), acc, tmp);
        }
    }
    for (size_t j = 0; j < CHUNKS; j++)
        mpc_bn_mont_load_var(M, offset(c, j + 1), inv[j], tmp);
    mpz_set_ui(acc, 1);
    mpc_bn_mont_load_var(M, mont_one(c), acc, tmp);
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
    c->w = mpc_bn_mont_width(c->n);
    c->max_bits = max_bits;
    /* e' = e + 2^(B-1) needs max_bits + 1 bits. */
    c->spacing = (max_bits + 1 + CHUNKS - 1) / CHUNKS;
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
    c->mem = mpc_bn_gmp_alloc(mem_limbs(c->w) * sizeof *c->mem);
    const size_t scratch = mpc_bn_mont_scratch(c->n);
    mp_limb_t *ms = mpc_bn_gmp_alloc(scratch * sizeof *ms);
    mpc_bn_mont M;
    mpc_bn_mont_setup(&M, mpz_limbs_read(c->m), c->n, ms);
    fill(c, &M, pw, inv);
    mpc_bn_gmp_free(ms, scratch * sizeof *ms); /* public values only */
    for (size_t i = 0; i < CHUNKS; i++)
        mpz_clears(pw[i], inv[i], NULL);
    mpz_clear(x);
    return MPC_OK;
}

void mpc_bn_comb_clear(mpc_bn_comb *c)
{
    if (c == NULL || c->mem == NULL)
        return;
    /* Wiped: a comb of mpc_bn_comb_init_sec holds powers of a secret. */
    size_t bytes = mem_limbs(c->w) * sizeof *c->mem;
    mpc_wipe(c->mem, bytes);
    mpc_bn_gmp_free(c->mem, bytes);
    mpc_bn_clear(c->base);
    mpc_bn_clear(c->m);
    c->mem = NULL;
}

void mpc_bn_comb_copy(mpc_bn_comb *dst, const mpc_bn_comb *src)
{
    if (dst == NULL || src == NULL || dst == src)
        return;
    mpc_bn_comb_clear(dst);
    if (src->mem == NULL)
        return;
    size_t bytes = mem_limbs(src->w) * sizeof *src->mem;
    dst->mem = mpc_bn_gmp_alloc(bytes);
    memcpy(dst->mem, src->mem, bytes);
    mpz_init_set(dst->base, src->base);
    mpz_init_set(dst->m, src->m);
    dst->n = src->n;
    dst->w = src->w;
    dst->spacing = src->spacing;
    dst->max_bits = src->max_bits;
}

bool mpc_bn_comb_matches(const mpc_bn_comb *c, const mpz_t base, const mpz_t m)
{
    return c != NULL && c->mem != NULL && mpz_cmp(c->m, m) == 0 &&
           mpz_cmp(c->base, base) == 0;
}

/* ---- Construction in constant time (secret base or modulus) ------------ */

/* Workspace of mpc_bn_comb_init_sec: Montgomery scratch, the running
 * squares x = base^(2^k) and y = base^-(2^k), the powers pw[i] =
 * base^(2^(i spacing)) and a limb buffer for loading. */
typedef struct build {
    mpc_bn_mont M;
    mp_limb_t *x, *y, *pw, *r2, *ld;
} build;

/* d = the Montgomery form of 0 <= v < m: v * R^2 * R^-1. */
static void to_mont_sec(build *b, mp_limb_t *d, const mpz_t v)
{
    mpc_bn_limbs_load(b->ld, b->M.n, v);
    mpc_bn_mont_import(&b->M, d, b->ld);
    mpc_bn_mont_mul(&b->M, d, d, b->r2);
}

/* The table entries of every group from pw[], by one multiplication per
 * entry (entry d = entry d without its top bit, times that tooth's power),
 * and the Montgomery one. Public loop indices only. */
static void fill_sec(mpc_bn_comb *c, build *b)
{
    const size_t n = c->w;
    mpz_t one;
    mpz_init_set_ui(one, 1);
    to_mont_sec(b, mont_one(c), one);
    mpz_clear(one);
    for (size_t g = 0; g < GROUPS; g++) {
        memcpy(entry(c, g, 0), mont_one(c), n * sizeof *c->mem);
        for (size_t d = 1; d < ENTRIES; d++) {
            size_t top = 0;
            while ((d >> (top + 1)) != 0)
                top++;
            mpc_bn_mont_mul(&b->M, entry(c, g, d),
                            entry(c, g, d ^ ((size_t)1 << top)),
                            b->pw + (g * TEETH + top) * n);
        }
    }
}

/* x, y = base^(2^k), base^-(2^k) for k = 0 .. CHUNKS * spacing - 1, keeping
 * pw[i] (k = i spacing) and the offsets base^-(2^((j+1) spacing - 1)). */
static void square_chain(mpc_bn_comb *c, build *b)
{
    const size_t n = c->w, sp = c->spacing;
    for (size_t k = 0; k < CHUNKS * sp; k++) {
        if (k % sp == 0)
            memcpy(b->pw + (k / sp) * n, b->x, n * sizeof *b->x);
        if ((k + 1) % sp == 0)
            memcpy(offset(c, k / sp + 1), b->y, n * sizeof *b->y);
        mpc_bn_mont_sqr(&b->M, b->x, b->x);
        mpc_bn_mont_sqr(&b->M, b->y, b->y);
    }
}

/* The tables of c from b = base mod m and binv = b^-1. */
static mpc_err build_tables(const mpc_ctx *ctx, mpc_bn_comb *c, const mpz_t b,
                            const mpz_t binv, const mpz_t m)
{
    const size_t n = c->n, wd = c->w;
    mpz_t r2;
    mpz_init(r2);
    mpz_setbit(r2, (mp_bitcnt_t)(2 * mpc_bn_mont_rbits(n)));
    mpc_err err = mpc_bn_mod_sec(ctx, r2, r2, m);
    mpc_bn_ws w = {0};
    if (err == MPC_OK)
        err = mpc_bn_ws_init(&w, ctx,
                             mpc_bn_mont_scratch(n) + (3 + CHUNKS) * wd + n);
    if (err != MPC_OK) {
        mpc_bn_clear(r2);
        return err;
    }
    build bd;
    mpc_bn_mont_setup(&bd.M, mpz_limbs_read(m), n,
                      mpc_bn_ws_take(&w, mpc_bn_mont_scratch(n)));
    bd.x = mpc_bn_ws_take(&w, wd);
    bd.y = mpc_bn_ws_take(&w, wd);
    bd.r2 = mpc_bn_ws_take(&w, wd);
    bd.ld = mpc_bn_ws_take(&w, n);
    bd.pw = mpc_bn_ws_take(&w, CHUNKS * wd);
    mpc_bn_limbs_load(bd.ld, n, r2);
    mpc_bn_mont_import(&bd.M, bd.r2, bd.ld);
    c->mem = mpc_bn_gmp_alloc(mem_limbs(wd) * sizeof *c->mem);
    to_mont_sec(&bd, bd.x, b);
    to_mont_sec(&bd, bd.y, binv);
    square_chain(c, &bd);
    fill_sec(c, &bd);
    mpc_bn_ws_free(&w); /* wipes the powers */
    mpc_bn_clear(r2);
    return MPC_OK;
}

mpc_err mpc_bn_comb_init_sec(const mpc_ctx *ctx, mpc_bn_comb *c,
                             const mpz_t base, const mpz_t m, size_t max_bits)
{
    if (c == NULL)
        return MPC_ERR_INVALID_ARG;
    c->mem = NULL;
    /* Branches on m only where a valid (odd, large) modulus always passes;
     * mpz_even_p reads the low limb, as GMP's own modulus set-up does. */
    if (ctx == NULL || base == NULL || m == NULL || mpz_cmp_ui(m, 3) < 0 ||
        mpz_even_p(m) || mpz_sgn(base) < 0 || max_bits == 0 ||
        max_bits > MAX_COMB_BITS)
        return MPC_ERR_INVALID_ARG;
    c->n = mpz_size(m);
    c->w = mpc_bn_mont_width(c->n);
    c->max_bits = max_bits;
    c->spacing = (max_bits + 1 + CHUNKS - 1) / CHUNKS;
    mpz_t b, binv;
    mpz_inits(b, binv, NULL);
    mpc_err err = mpc_bn_mod_sec(ctx, b, base, m);
    if (err == MPC_OK) /* a non-unit base is misuse: INVALID_ARG */
        err = mpc_bn_invert_sec(ctx, binv, b, m);
    if (err == MPC_OK)
        err = build_tables(ctx, c, b, binv, m);
    if (err == MPC_OK) {
        mpz_init_set(c->m, m);
        mpz_init(c->base);
        mpz_swap(c->base, b);
    }
    mpc_bn_clear(b);
    mpc_bn_clear(binv);
    return err;
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

static void eval(const mpc_bn_mont *M, mp_limb_t *acc, const term *ts, size_t k,
                 size_t spacing, mp_limb_t *sel)
{
    const size_t n = M->w;
    memcpy(acc, mont_one(ts[0].c), n * sizeof *acc);
    for (size_t col = spacing; col-- > 0;) {
        if (col + 1 != spacing)
            mpc_bn_mont_sqr(M, acc, acc);
        for (size_t i = 0; i < k; i++) {
            for (size_t g = 0; g < ts[i].groups; g++) {
                mp_limb_t d = 0;
                for (size_t r = 0; r < TEETH; r++)
                    d |= bit_at(ts[i].e, (g * TEETH + r) * spacing + col) << r;
                mpc_bn_mont_select(M, sel, entry(ts[i].c, g, 0), ENTRIES, d);
                mpc_bn_mont_mul(M, acc, acc, sel);
            }
        }
    }
    for (size_t i = 0; i < k; i++)
        mpc_bn_mont_mul(M, acc, acc, offset(ts[i].c, ts[i].chunks));
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

/* r = Π cs[i]^es[i] for k <= 2 checked terms sharing m and spacing. */
static mpc_err powm_terms(const mpc_ctx *ctx, mpz_t r,
                          const mpc_bn_comb *const *cs, const mpz_srcptr *es,
                          const size_t *bits, size_t k)
{
    const size_t n = cs[0]->n, wd = cs[0]->w, spacing = cs[0]->spacing;
    const size_t el = mpc_bn_limbs_for_bits(CHUNKS * spacing);
    mpc_bn_ws w;
    mpc_err err = mpc_bn_ws_init(
        &w, ctx, mpc_bn_mont_scratch(n) + 2 * wd + n + (2 + k) * el);
    if (err != MPC_OK) {
        mpz_set_ui(r, 0);
        return err;
    }
    mpc_bn_mont M;
    mpc_bn_mont_setup(&M, mpz_limbs_read(cs[0]->m), n,
                      mpc_bn_ws_take(&w, mpc_bn_mont_scratch(n)));
    MPC_BN_ASSERT(M.w == wd); /* tables built on this machine's engine */
    mp_limb_t *acc = mpc_bn_ws_take(&w, wd);
    mp_limb_t *sel = mpc_bn_ws_take(&w, wd);
    mp_limb_t *out = mpc_bn_ws_take(&w, n);
    mp_limb_t *tmp = mpc_bn_ws_take(&w, 2 * el);
    term ts[2] = {{.c = NULL}, {.c = NULL}};
    for (size_t i = 0; i < k; i++) {
        ts[i].c = cs[i];
        ts[i].e = mpc_bn_ws_take(&w, el);
        ts[i].chunks = (bits[i] + 1 + spacing - 1) / spacing;
        ts[i].groups = (ts[i].chunks + TEETH - 1) / TEETH;
        load_offset(&ts[i], es[i], el, tmp);
    }
    eval(&M, acc, ts, k, spacing, sel);
    mpc_bn_mont_export(&M, out, acc);
    mpc_bn_limbs_store(r, out, n);
    mpc_bn_ws_free(&w);
    return MPC_OK;
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
    const mpc_bn_comb *cs[2] = {c1, c2};
    const mpz_srcptr es[2] = {e1, e2};
    const size_t bits[2] = {e1_bits, e2_bits};
    return powm_terms(ctx, r, cs, es, bits, 2);
}

mpc_err mpc_bn_comb_powm_sec(const mpc_ctx *ctx, mpz_t r, const mpc_bn_comb *c,
                             const mpz_t e, size_t e_bits)
{
    if (r == NULL)
        return MPC_ERR_INVALID_ARG;
    if (ctx == NULL || !term_ok(c, e, e_bits)) {
        mpz_set_ui(r, 0);
        return MPC_ERR_INVALID_ARG;
    }
    const mpz_srcptr es[1] = {e};
    return powm_terms(ctx, r, &c, es, &e_bits, 1);
}
