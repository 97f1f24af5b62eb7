/* lib/wire: the canonical payload codec — known encodings, round trips,
 * every bound, truncation at every byte, trailing bytes, oversize length
 * prefixes, strict scalars and points, sticky errors, zeroed outputs. */
#include <stdlib.h>
#include <string.h>

#include "mpc/ctx.h"
#include "mpc/group.h"
#include "mpc/wire.h"
#include "tests/harness/test.h"

static const mpc_group *secp(void)
{
    return mpc_ctx_group(test_ctx(), MPC_CURVE_SECP256K1);
}

static const mpc_group *ed(void)
{
    return mpc_ctx_group(test_ctx(), MPC_CURVE_ED25519);
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= b[i];
    return acc == 0;
}

TEST(wire_known_encoding)
{
    static const uint8_t want[] = {
        0xab,                                           /* u8 */
        0x01, 0x02,                                     /* u16 */
        0x01, 0x02, 0x03, 0x04,                         /* u32 */
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* u64 */
        'h',  'i',                                      /* bytes */
        0x00, 0x00, 0x00, 0x03, 'a',  'b',  'c',        /* var */
        0x00, 0x00, 0x00, 0x00,                         /* empty var */
    };
    uint8_t buf[sizeof want];
    mpc_wire_writer w;
    mpc_wire_writer_init_fixed(&w, buf, sizeof buf);
    mpc_wire_write_u8(&w, 0xab);
    mpc_wire_write_u16(&w, 0x0102);
    mpc_wire_write_u32(&w, 0x01020304);
    mpc_wire_write_u64(&w, 0x0102030405060708u);
    mpc_wire_write_bytes(&w, (const uint8_t *)"hi", 2);
    mpc_wire_write_var(&w, (const uint8_t *)"abc", 3);
    mpc_wire_write_var(&w, NULL, 0);
    const uint8_t *data;
    size_t len;
    CHECK_OK(mpc_wire_writer_finish(&w, &data, &len));
    CHECK(len == sizeof want && data == buf);
    CHECK_MEM(buf, want, sizeof want);

    mpc_wire_reader r;
    mpc_wire_reader_init(&r, want, sizeof want);
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    uint8_t two[2];
    const uint8_t *v;
    size_t vlen;
    CHECK_OK(mpc_wire_read_u8(&r, &u8));
    CHECK_OK(mpc_wire_read_u16(&r, &u16));
    CHECK_OK(mpc_wire_read_u32(&r, &u32));
    CHECK_OK(mpc_wire_read_u64(&r, &u64));
    CHECK_OK(mpc_wire_read_bytes(&r, two, 2));
    CHECK(u8 == 0xab && u16 == 0x0102 && u32 == 0x01020304 &&
          u64 == 0x0102030405060708u && memcmp(two, "hi", 2) == 0);
    CHECK(mpc_wire_reader_remaining(&r) == 11);
    CHECK_OK(mpc_wire_read_var(&r, &v, &vlen, 3));
    CHECK(vlen == 3 && v == want + 21 && memcmp(v, "abc", 3) == 0);
    CHECK_OK(mpc_wire_read_var(&r, &v, &vlen, 0));
    CHECK(vlen == 0 && v == NULL);
    CHECK_OK(mpc_wire_reader_finish(&r));
}

TEST(wire_integer_bounds_round_trip)
{
    static const uint64_t vals[] = {
        0,      1,       0x7f,        0x80,         0xff,      0x100,
        0xffff, 0x10000, 0xffffffffu, 0x100000000u, UINT64_MAX};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        uint8_t buf[15];
        mpc_wire_writer w;
        mpc_wire_writer_init_fixed(&w, buf, sizeof buf);
        mpc_wire_write_u8(&w, (uint8_t)vals[i]);
        mpc_wire_write_u16(&w, (uint16_t)vals[i]);
        mpc_wire_write_u32(&w, (uint32_t)vals[i]);
        mpc_wire_write_u64(&w, vals[i]);
        const uint8_t *d;
        size_t n;
        CHECK_OK(mpc_wire_writer_finish(&w, &d, &n));
        CHECK(n == 15);
        mpc_wire_reader r;
        mpc_wire_reader_init(&r, d, n);
        uint8_t a;
        uint16_t b;
        uint32_t c;
        uint64_t e;
        CHECK_OK(mpc_wire_read_u8(&r, &a));
        CHECK_OK(mpc_wire_read_u16(&r, &b));
        CHECK_OK(mpc_wire_read_u32(&r, &c));
        CHECK_OK(mpc_wire_read_u64(&r, &e));
        CHECK_OK(mpc_wire_reader_finish(&r));
        CHECK(a == (uint8_t)vals[i] && b == (uint16_t)vals[i] &&
              c == (uint32_t)vals[i] && e == vals[i]);
    }
}

/* A message with every field type, both curves. */
struct sample {
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    uint8_t fixed[5];
    uint8_t var[7];
    mpc_scalar ks, es;
    mpc_point kp, ep;
};

static void sample_make(struct sample *m)
{
    mpc_drbg_fill(test_drbg(), (uint8_t *)&m->u64, sizeof m->u64);
    m->u8 = (uint8_t)m->u64;
    m->u16 = (uint16_t)(m->u64 >> 8);
    m->u32 = (uint32_t)(m->u64 >> 16);
    mpc_drbg_fill(test_drbg(), m->fixed, sizeof m->fixed);
    mpc_drbg_fill(test_drbg(), m->var, sizeof m->var);
    mpc_scalar_random(secp(), &m->ks);
    mpc_scalar_random(ed(), &m->es);
    mpc_point_mul_base(secp(), &m->kp, &m->ks);
    mpc_point_mul_base(ed(), &m->ep, &m->es);
}

static void sample_write(mpc_wire_writer *w, const struct sample *m)
{
    mpc_wire_write_u8(w, m->u8);
    mpc_wire_write_u16(w, m->u16);
    mpc_wire_write_u32(w, m->u32);
    mpc_wire_write_u64(w, m->u64);
    mpc_wire_write_bytes(w, m->fixed, sizeof m->fixed);
    mpc_wire_write_var(w, m->var, sizeof m->var);
    mpc_wire_write_scalar(w, secp(), &m->ks);
    mpc_wire_write_scalar(w, ed(), &m->es);
    mpc_wire_write_point(w, secp(), &m->kp);
    mpc_wire_write_point(w, ed(), &m->ep);
}

#define SAMPLE_BYTES (1 + 2 + 4 + 8 + 5 + 4 + 7 + 32 + 32 + 33 + 32)

/* Reads a sample; stops at the first failure, which it returns. */
static mpc_err sample_read(mpc_wire_reader *r, struct sample *m)
{
    const uint8_t *v;
    size_t vlen;
    mpc_err e = mpc_wire_read_u8(r, &m->u8);
    if (e == MPC_OK)
        e = mpc_wire_read_u16(r, &m->u16);
    if (e == MPC_OK)
        e = mpc_wire_read_u32(r, &m->u32);
    if (e == MPC_OK)
        e = mpc_wire_read_u64(r, &m->u64);
    if (e == MPC_OK)
        e = mpc_wire_read_bytes(r, m->fixed, sizeof m->fixed);
    if (e == MPC_OK)
        e = mpc_wire_read_var(r, &v, &vlen, sizeof m->var);
    if (e == MPC_OK && vlen == sizeof m->var)
        memcpy(m->var, v, vlen);
    if (e == MPC_OK)
        e = mpc_wire_read_scalar(r, secp(), &m->ks);
    if (e == MPC_OK)
        e = mpc_wire_read_scalar(r, ed(), &m->es);
    if (e == MPC_OK)
        e = mpc_wire_read_point(r, secp(), &m->kp);
    if (e == MPC_OK)
        e = mpc_wire_read_point(r, ed(), &m->ep);
    return e;
}

static bool sample_eq(const struct sample *a, const struct sample *b)
{
    return a->u8 == b->u8 && a->u16 == b->u16 && a->u32 == b->u32 &&
           a->u64 == b->u64 && memcmp(a->fixed, b->fixed, 5) == 0 &&
           memcmp(a->var, b->var, 7) == 0 && mpc_scalar_eq(&a->ks, &b->ks) &&
           mpc_scalar_eq(&a->es, &b->es) &&
           mpc_point_eq(secp(), &a->kp, &b->kp) &&
           mpc_point_eq(ed(), &a->ep, &b->ep);
}

TEST(wire_every_type_round_trips_canonically)
{
    for (int it = 0; it < test_iters(16); it++) {
        struct sample m, got;
        sample_make(&m);
        mpc_wire_writer w;
        mpc_wire_writer_init(&w, test_ctx(), 4096);
        sample_write(&w, &m);
        const uint8_t *d;
        size_t n;
        CHECK_OK(mpc_wire_writer_finish(&w, &d, &n));
        CHECK(n == SAMPLE_BYTES);
        mpc_wire_reader r;
        mpc_wire_reader_init(&r, d, n);
        CHECK_OK(sample_read(&r, &got));
        CHECK_OK(mpc_wire_reader_finish(&r));
        CHECK(sample_eq(&m, &got));
        /* Canonical: re-encoding what was read gives the same bytes. */
        uint8_t again[SAMPLE_BYTES];
        mpc_wire_writer w2;
        mpc_wire_writer_init_fixed(&w2, again, sizeof again);
        sample_write(&w2, &got);
        const uint8_t *d2;
        size_t n2;
        CHECK_OK(mpc_wire_writer_finish(&w2, &d2, &n2));
        CHECK(n2 == n);
        CHECK_MEM(d2, d, n);
        mpc_wire_writer_clear(&w);
    }
}

TEST(wire_truncation_at_every_byte_fails)
{
    struct sample m, got;
    sample_make(&m);
    uint8_t buf[SAMPLE_BYTES];
    mpc_wire_writer w;
    mpc_wire_writer_init_fixed(&w, buf, sizeof buf);
    sample_write(&w, &m);
    const uint8_t *d;
    size_t n;
    CHECK_OK(mpc_wire_writer_finish(&w, &d, &n));
    for (size_t cut = 0; cut < n; cut++) {
        /* A copy of exactly `cut` bytes, so ASan sees any overread. */
        uint8_t *p = malloc(cut > 0 ? cut : 1);
        CHECK(p != NULL);
        memcpy(p, buf, cut);
        mpc_wire_reader r;
        mpc_wire_reader_init(&r, p, cut);
        mpc_err e = sample_read(&r, &got);
        mpc_err f = mpc_wire_reader_finish(&r);
        size_t left = mpc_wire_reader_remaining(&r);
        free(p);
        CHECK_ERR(e, MPC_ERR_PARSE);
        CHECK_ERR(f, MPC_ERR_PARSE);
        CHECK(left == 0);
    }
}

TEST(wire_trailing_bytes_are_rejected)
{
    struct sample m, got;
    sample_make(&m);
    uint8_t buf[SAMPLE_BYTES + 1];
    mpc_wire_writer w;
    mpc_wire_writer_init_fixed(&w, buf, sizeof buf);
    sample_write(&w, &m);
    mpc_wire_write_u8(&w, 0);
    const uint8_t *d;
    size_t n;
    CHECK_OK(mpc_wire_writer_finish(&w, &d, &n));
    mpc_wire_reader r;
    mpc_wire_reader_init(&r, d, n);
    CHECK_OK(sample_read(&r, &got));
    CHECK(mpc_wire_reader_remaining(&r) == 1);
    CHECK_ERR(mpc_wire_reader_finish(&r), MPC_ERR_PARSE);
    /* An empty message is complete only when nothing was expected. */
    mpc_wire_reader_init(&r, NULL, 0);
    CHECK_OK(mpc_wire_reader_finish(&r));
}

TEST(wire_oversize_length_prefixes_are_rejected)
{
    /* Prefix above the caller's max, above the input, and 0xffffffff:
     * each fails without consuming anything and zeroes the view. */
    static const uint8_t over_max[] = {0, 0, 0, 4, 1, 2, 3, 4};
    static const uint8_t over_input[] = {0, 0, 0, 5, 1, 2, 3, 4};
    static const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 1};
    static const uint8_t short_prefix[] = {0, 0, 0};
    struct {
        const uint8_t *p;
        size_t len, max;
    } cases[] = {
        {over_max, sizeof over_max, 3},
        {over_input, sizeof over_input, 100},
        {huge, sizeof huge, SIZE_MAX},
        {short_prefix, sizeof short_prefix, 100},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        mpc_wire_reader r;
        mpc_wire_reader_init(&r, cases[k].p, cases[k].len);
        const uint8_t *v = (const uint8_t *)"x";
        size_t vlen = 99;
        CHECK_ERR(mpc_wire_read_var(&r, &v, &vlen, cases[k].max),
                  MPC_ERR_PARSE);
        CHECK(v == NULL && vlen == 0);
        CHECK_ERR(mpc_wire_reader_finish(&r), MPC_ERR_PARSE);
    }
    /* At the max exactly is fine. */
    mpc_wire_reader r;
    mpc_wire_reader_init(&r, over_max, sizeof over_max);
    const uint8_t *v;
    size_t vlen;
    CHECK_OK(mpc_wire_read_var(&r, &v, &vlen, 4));
    CHECK(vlen == 4 && v == over_max + 4);
    CHECK_OK(mpc_wire_reader_finish(&r));
}

TEST(wire_reader_errors_are_sticky_and_zero_outputs)
{
    static const uint8_t in[] = {1, 2, 3};
    mpc_wire_reader r;
    mpc_wire_reader_init(&r, in, sizeof in);
    uint32_t u32 = 7;
    CHECK_ERR(mpc_wire_read_u32(&r, &u32), MPC_ERR_PARSE);
    CHECK(u32 == 0);
    /* These would fit, but the reader already failed. */
    uint8_t u8 = 7;
    uint16_t u16 = 7;
    uint64_t u64 = 7;
    uint8_t b[2] = {7, 7};
    const uint8_t *ref = in;
    mpc_scalar s;
    mpc_point p;
    memset(&s, 0xaa, sizeof s);
    CHECK_ERR(mpc_wire_read_u8(&r, &u8), MPC_ERR_PARSE);
    CHECK_ERR(mpc_wire_read_u16(&r, &u16), MPC_ERR_PARSE);
    CHECK_ERR(mpc_wire_read_u64(&r, &u64), MPC_ERR_PARSE);
    CHECK_ERR(mpc_wire_read_bytes(&r, b, 2), MPC_ERR_PARSE);
    CHECK_ERR(mpc_wire_read_ref(&r, &ref, 1), MPC_ERR_PARSE);
    CHECK_ERR(mpc_wire_read_scalar(&r, secp(), &s), MPC_ERR_PARSE);
    CHECK_ERR(mpc_wire_read_point(&r, ed(), &p), MPC_ERR_PARSE);
    CHECK(u8 == 0 && u16 == 0 && u64 == 0 && b[0] == 0 && b[1] == 0);
    CHECK(ref == NULL && all_zero(&s, sizeof s));
    CHECK(mpc_point_is_identity(ed(), &p));
    CHECK(mpc_wire_reader_remaining(&r) == 0);
    CHECK_ERR(mpc_wire_reader_finish(&r), MPC_ERR_PARSE);
}

TEST(wire_scalars_are_parsed_strictly)
{
    const mpc_group *gs[2] = {secp(), ed()};
    for (int k = 0; k < 2; k++) {
        const mpc_group *g = gs[k];
        bool le = mpc_group_curve(g) == MPC_CURVE_ED25519;
        uint8_t order_be[32], enc[32];
        mpc_group_order_be(g, order_be);
        for (int i = 0; i < 32; i++)
            enc[i] = le ? order_be[31 - i] : order_be[i];
        /* The order itself, and all-ones: not canonical. */
        mpc_scalar s;
        mpc_wire_reader r;
        mpc_wire_reader_init(&r, enc, 32);
        CHECK_ERR(mpc_wire_read_scalar(&r, g, &s), MPC_ERR_PARSE);
        CHECK(all_zero(&s, sizeof s));
        CHECK_ERR(mpc_wire_reader_finish(&r), MPC_ERR_PARSE);
        uint8_t ones[32];
        memset(ones, 0xff, sizeof ones);
        mpc_wire_reader_init(&r, ones, 32);
        CHECK_ERR(mpc_wire_read_scalar(&r, g, &s), MPC_ERR_PARSE);
        /* order - 1 is the largest canonical scalar. */
        enc[le ? 0 : 31]--;
        mpc_wire_reader_init(&r, enc, 32);
        CHECK_OK(mpc_wire_read_scalar(&r, g, &s));
        CHECK_OK(mpc_wire_reader_finish(&r));
        uint8_t back[32];
        mpc_wire_writer w;
        mpc_wire_writer_init_fixed(&w, back, sizeof back);
        mpc_wire_write_scalar(&w, g, &s);
        CHECK_MEM(back, enc, 32);
    }
}

static mpc_err read_point_bytes(const mpc_group *g, const char *hex,
                                bool allow_identity, mpc_point *p)
{
    uint8_t b[33];
    size_t n = strlen(hex) / 2;
    if (!test_unhex(b, n, hex))
        return MPC_ERR_INTERNAL;
    mpc_wire_reader r;
    mpc_wire_reader_init(&r, b, n);
    mpc_err e = allow_identity ? mpc_wire_read_point_allow_identity(&r, g, p)
                               : mpc_wire_read_point(&r, g, p);
    if (e == MPC_OK)
        e = mpc_wire_reader_finish(&r);
    return e;
}

TEST(wire_points_are_parsed_strictly)
{
    mpc_point p;
    /* secp256k1: bad prefix, x >= p, x not on the curve, identity. */
    CHECK_ERR(read_point_bytes(secp(),
                               "0579be667ef9dcbbac55a06295ce870b07029bfcdb2dc"
                               "e28d959f2815b16f81798",
                               false, &p),
              MPC_ERR_PARSE);
    CHECK(mpc_point_is_identity(secp(), &p));
    CHECK_ERR(read_point_bytes(secp(),
                               "02ffffffffffffffffffffffffffffffff"
                               "ffffffffffffffffffffffffffffffff",
                               false, &p),
              MPC_ERR_PARSE);
    CHECK_ERR(read_point_bytes(secp(),
                               "02000000000000000000000000000000"
                               "00000000000000000000000000000005",
                               false, &p),
              MPC_ERR_PARSE);
    const char *secp_inf = "000000000000000000000000000000000000000000000000"
                           "000000000000000000";
    CHECK_ERR(read_point_bytes(secp(), secp_inf, false, &p), MPC_ERR_PARSE);
    CHECK_OK(read_point_bytes(secp(), secp_inf, true, &p));
    CHECK(mpc_point_is_identity(secp(), &p));
    /* The generator parses. */
    CHECK_OK(read_point_bytes(secp(),
                              "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce2"
                              "8d959f2815b16f81798",
                              false, &p));

    /* Ed25519: y = p (non-canonical), a point of order 2, identity. */
    CHECK_ERR(read_point_bytes(ed(),
                               "edffffffffffffffffffffffffffffffffffffffffffff"
                               "ffffffffffffffffff7f",
                               false, &p),
              MPC_ERR_PARSE);
    CHECK_ERR(read_point_bytes(ed(),
                               "ecffffffffffffffffffffffffffffffffffffffffffff"
                               "ffffffffffffffffff7f",
                               false, &p),
              MPC_ERR_PARSE);
    const char *ed_id = "0100000000000000000000000000000000000000000000000000"
                        "000000000000";
    CHECK_ERR(read_point_bytes(ed(), ed_id, false, &p), MPC_ERR_PARSE);
    CHECK_OK(read_point_bytes(ed(), ed_id, true, &p));
    CHECK(mpc_point_is_identity(ed(), &p));
    CHECK_OK(read_point_bytes(ed(),
                              "5866666666666666666666666666666666666666666666"
                              "666666666666666666",
                              false, &p));
}

TEST(wire_failed_group_reads_consume_nothing)
{
    /* An invalid point followed by a valid u8: the reader stays failed
     * (a strict parse failure is a message failure). */
    uint8_t b[33 + 1];
    memset(b, 0xff, sizeof b);
    mpc_wire_reader r;
    mpc_wire_reader_init(&r, b, sizeof b);
    mpc_point p;
    CHECK_ERR(mpc_wire_read_point(&r, secp(), &p), MPC_ERR_PARSE);
    uint8_t u8 = 1;
    CHECK_ERR(mpc_wire_read_u8(&r, &u8), MPC_ERR_PARSE);
    CHECK(u8 == 0);
}

TEST(wire_fixed_writer_never_overflows)
{
    uint8_t buf[12];
    memset(buf, 0xcc, sizeof buf);
    mpc_wire_writer w;
    mpc_wire_writer_init_fixed(&w, buf, 10);
    mpc_wire_write_u64(&w, 1);
    mpc_wire_write_u32(&w, 2); /* 12 > 10 */
    mpc_wire_write_u8(&w, 3);  /* would fit, but the writer failed */
    const uint8_t *d = buf;
    size_t n = 5;
    CHECK_ERR(mpc_wire_writer_finish(&w, &d, &n), MPC_ERR_INVALID_ARG);
    CHECK(d == NULL && n == 0);
    CHECK(buf[10] == 0xcc && buf[11] == 0xcc);
    CHECK(buf[8] == 0xcc); /* the failed write wrote nothing */

    /* Exactly full is fine; one more byte is not. */
    mpc_wire_writer_init_fixed(&w, buf, 10);
    mpc_wire_write_var(&w, (const uint8_t *)"abcdef", 6);
    CHECK_OK(mpc_wire_writer_finish(&w, &d, &n));
    CHECK(n == 10);
    mpc_wire_write_u8(&w, 0);
    CHECK_ERR(mpc_wire_writer_finish(&w, &d, &n), MPC_ERR_INVALID_ARG);
    /* A failed var write writes neither prefix nor body. */
    mpc_wire_writer_init_fixed(&w, buf, 9);
    memset(buf, 0xcc, sizeof buf);
    mpc_wire_write_var(&w, (const uint8_t *)"abcdef", 6);
    CHECK(buf[0] == 0xcc);
    /* Zero-capacity writer: writing nothing is fine. */
    mpc_wire_writer_init_fixed(&w, NULL, 0);
    mpc_wire_write_bytes(&w, NULL, 0);
    CHECK(mpc_wire_write_reserve(&w, 0) == NULL);
    CHECK_OK(mpc_wire_writer_finish(&w, &d, &n));
    CHECK(n == 0);
}

TEST(wire_var_longer_than_u32_is_refused)
{
    uint8_t buf[8];
    mpc_wire_writer w;
    mpc_wire_writer_init_fixed(&w, buf, sizeof buf);
    /* The length is checked before the pointer is touched. */
    mpc_wire_write_var(&w, buf, (size_t)UINT32_MAX + 1);
    const uint8_t *d;
    size_t n;
    CHECK_ERR(mpc_wire_writer_finish(&w, &d, &n), MPC_ERR_INVALID_ARG);
}

TEST(wire_growing_writer_respects_its_max)
{
    mpc_wire_writer w;
    mpc_wire_writer_init(&w, test_ctx(), 100000);
    for (uint32_t i = 0; i < 20000; i++)
        mpc_wire_write_u32(&w, i);
    const uint8_t *d;
    size_t n;
    CHECK_OK(mpc_wire_writer_finish(&w, &d, &n));
    CHECK(n == 80000);
    mpc_wire_reader r;
    mpc_wire_reader_init(&r, d, n);
    for (uint32_t i = 0; i < 20000; i++) {
        uint32_t v;
        CHECK_OK(mpc_wire_read_u32(&r, &v));
        CHECK(v == i);
    }
    CHECK_OK(mpc_wire_reader_finish(&r));
    mpc_wire_write_bytes(&w, d, 20001); /* 100001 > max */
    CHECK_ERR(mpc_wire_writer_finish(&w, &d, &n), MPC_ERR_INVALID_ARG);
    mpc_wire_writer_clear(&w);
    CHECK(w.buf == NULL && w.len == 0 && w.cap == 0);

    /* Exactly max. */
    mpc_wire_writer_init(&w, test_ctx(), 300);
    uint8_t *p = mpc_wire_write_reserve(&w, 300);
    CHECK(p != NULL && all_zero(p, 300));
    CHECK_OK(mpc_wire_writer_finish(&w, &d, &n));
    CHECK(n == 300);
    mpc_wire_writer_clear(&w);
}

static size_t budget;
static void *budget_zalloc(size_t n, void *ud)
{
    (void)ud;
    if (budget == 0)
        return NULL;
    budget--;
    return calloc(1, n);
}
static void budget_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

TEST(wire_growing_writer_reports_nomem)
{
    mpc_mem mem = {.zalloc = budget_zalloc, .free = budget_free};
    mpc_ctx_config cfg = {
        .rng = mpc_drbg_fill, .rng_ud = test_drbg(), .mem = &mem};
    mpc_ctx *ctx = NULL;
    budget = SIZE_MAX;
    CHECK_OK(mpc_ctx_new(&ctx, &cfg));
    budget = 1; /* the first buffer, not the second */
    mpc_wire_writer w;
    mpc_wire_writer_init(&w, ctx, 1 << 20);
    mpc_wire_write_u64(&w, 1);
    CHECK(mpc_wire_write_reserve(&w, 1000) == NULL);
    mpc_wire_write_u8(&w, 1);
    const uint8_t *d;
    size_t n;
    CHECK_ERR(mpc_wire_writer_finish(&w, &d, &n), MPC_ERR_NOMEM);
    CHECK(d == NULL && n == 0);
    mpc_wire_writer_clear(&w);
    budget = SIZE_MAX;
    mpc_ctx_free(ctx);
}

TEST(wire_clear_wipes_a_fixed_buffer)
{
    uint8_t buf[16];
    memset(buf, 0xee, sizeof buf);
    mpc_wire_writer w;
    mpc_wire_writer_init_fixed(&w, buf, sizeof buf);
    mpc_wire_write_u64(&w, UINT64_MAX);
    mpc_wire_writer_clear(&w);
    CHECK(buf[8] == 0xee); /* only what was written */
#ifndef MPC_TEST_BUILD
    /* Debug builds poison wiped bytes for valgrind instead. */
    CHECK(all_zero(buf, 8));
#endif
    mpc_wire_writer zero = {0};
    mpc_wire_writer_clear(&zero);
}
