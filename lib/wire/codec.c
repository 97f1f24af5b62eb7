/* lib/wire: the canonical payload codec (include/mpc/wire.h). */
#include "mpc/wire.h"

#include <string.h>

#include "mpc/mem.h"

/* ---- writer ------------------------------------------------------------- */

void mpc_wire_writer_init(mpc_wire_writer *w, const mpc_ctx *ctx, size_t max)
{
    *w = (mpc_wire_writer){.ctx = ctx, .max = max, .err = MPC_OK};
}

void mpc_wire_writer_init_fixed(mpc_wire_writer *w, uint8_t *buf, size_t cap)
{
    *w = (mpc_wire_writer){.buf = buf, .cap = cap, .max = cap, .err = MPC_OK};
}

void mpc_wire_writer_clear(mpc_wire_writer *w)
{
    if (w->ctx != NULL)
        mpc_ctx_free_mem(w->ctx, w->buf, w->cap);
    else
        mpc_wipe(w->buf, w->len);
    *w = (mpc_wire_writer){.err = MPC_OK};
}

mpc_err mpc_wire_writer_finish(const mpc_wire_writer *w, const uint8_t **data,
                               size_t *len)
{
    *data = NULL;
    *len = 0;
    if (w->err != MPC_OK)
        return w->err;
    *data = w->buf;
    *len = w->len;
    return MPC_OK;
}

/* Makes room for `n` more bytes; records the error and returns false if it
 * cannot. Growth doubles (from 256 bytes) and is capped at `max`. */
static bool reserve(mpc_wire_writer *w, size_t n)
{
    if (w->err != MPC_OK)
        return false;
    if (n > w->max - w->len) {
        w->err = MPC_ERR_INVALID_ARG;
        return false;
    }
    if (n <= w->cap - w->len)
        return true;
    size_t want = w->len + n;
    size_t cap = w->cap < 256 ? 256 : w->cap;
    while (cap < want)
        cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
    if (cap > w->max)
        cap = w->max;
    uint8_t *nb = mpc_ctx_alloc(w->ctx, cap);
    if (nb == NULL) {
        w->err = MPC_ERR_NOMEM;
        return false;
    }
    if (w->len > 0)
        memcpy(nb, w->buf, w->len);
    mpc_ctx_free_mem(w->ctx, w->buf, w->cap);
    w->buf = nb;
    w->cap = cap;
    return true;
}

uint8_t *mpc_wire_write_reserve(mpc_wire_writer *w, size_t len)
{
    if (!reserve(w, len) || len == 0)
        return NULL;
    uint8_t *p = w->buf + w->len;
    memset(p, 0, len);
    w->len += len;
    return p;
}

static void put_be(mpc_wire_writer *w, uint64_t v, size_t n)
{
    uint8_t *p = mpc_wire_write_reserve(w, n);
    if (p == NULL)
        return;
    for (size_t i = n; i-- > 0; v >>= 8)
        p[i] = (uint8_t)v;
}

void mpc_wire_write_u8(mpc_wire_writer *w, uint8_t v)
{
    put_be(w, v, 1);
}

void mpc_wire_write_u16(mpc_wire_writer *w, uint16_t v)
{
    put_be(w, v, 2);
}

void mpc_wire_write_u32(mpc_wire_writer *w, uint32_t v)
{
    put_be(w, v, 4);
}

void mpc_wire_write_u64(mpc_wire_writer *w, uint64_t v)
{
    put_be(w, v, 8);
}

/* A NULL source with a length is a caller bug: fail the writer rather than
 * hand NULL to memcpy. */
static bool source_ok(mpc_wire_writer *w, const uint8_t *p, size_t len)
{
    if (p == NULL && len > 0 && w->err == MPC_OK)
        w->err = MPC_ERR_INVALID_ARG;
    return w->err == MPC_OK;
}

void mpc_wire_write_bytes(mpc_wire_writer *w, const uint8_t *p, size_t len)
{
    if (!source_ok(w, p, len))
        return;
    uint8_t *dst = mpc_wire_write_reserve(w, len);
    if (dst != NULL && len > 0)
        memcpy(dst, p, len);
}

void mpc_wire_write_var(mpc_wire_writer *w, const uint8_t *p, size_t len)
{
    if (w->err == MPC_OK && len > MPC_WIRE_VAR_MAX_BYTES) {
        w->err = MPC_ERR_INVALID_ARG;
        return;
    }
    if (!source_ok(w, p, len))
        return;
    /* Reserve prefix and body together so a failure writes neither. */
    uint8_t *dst = mpc_wire_write_reserve(w, MPC_WIRE_VAR_PREFIX_BYTES + len);
    if (dst == NULL)
        return;
    uint32_t n = (uint32_t)len;
    dst[0] = (uint8_t)(n >> 24);
    dst[1] = (uint8_t)(n >> 16);
    dst[2] = (uint8_t)(n >> 8);
    dst[3] = (uint8_t)n;
    if (len > 0)
        memcpy(dst + MPC_WIRE_VAR_PREFIX_BYTES, p, len);
}

void mpc_wire_write_scalar(mpc_wire_writer *w, const mpc_group *g,
                           const mpc_scalar *s)
{
    uint8_t *dst = mpc_wire_write_reserve(w, MPC_SCALAR_BYTES);
    if (dst != NULL)
        mpc_scalar_serialize(g, dst, s);
}

void mpc_wire_write_point(mpc_wire_writer *w, const mpc_group *g,
                          const mpc_point *p)
{
    uint8_t *dst = mpc_wire_write_reserve(w, mpc_group_point_bytes(g));
    if (dst != NULL)
        mpc_point_serialize(g, dst, p);
}

/* ---- reader ------------------------------------------------------------- */

void mpc_wire_reader_init(mpc_wire_reader *r, const uint8_t *data, size_t len)
{
    *r = (mpc_wire_reader){.p = data, .len = len, .err = MPC_OK};
}

mpc_err mpc_wire_reader_finish(const mpc_wire_reader *r)
{
    if (r->err != MPC_OK || r->off != r->len)
        return MPC_ERR_PARSE;
    return MPC_OK;
}

size_t mpc_wire_reader_remaining(const mpc_wire_reader *r)
{
    return r->err != MPC_OK ? 0 : r->len - r->off;
}

/* Consumes `n` bytes and returns them, or records PARSE and returns NULL.
 * A zero-length take of an empty input returns a non-NULL dummy so callers
 * can tell success from failure by the pointer alone. */
static const uint8_t *take(mpc_wire_reader *r, size_t n)
{
    static const uint8_t empty[1];
    if (r->err != MPC_OK)
        return NULL;
    if (n > r->len - r->off) {
        r->err = MPC_ERR_PARSE;
        return NULL;
    }
    const uint8_t *p = n == 0 ? empty : r->p + r->off;
    r->off += n;
    return p;
}

static mpc_err get_be(mpc_wire_reader *r, uint64_t *v, size_t n)
{
    *v = 0;
    const uint8_t *p = take(r, n);
    if (p == NULL)
        return MPC_ERR_PARSE;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++)
        x = x << 8 | p[i];
    *v = x;
    return MPC_OK;
}

mpc_err mpc_wire_read_u8(mpc_wire_reader *r, uint8_t *v)
{
    uint64_t x;
    mpc_err e = get_be(r, &x, 1);
    *v = (uint8_t)x;
    return e;
}

mpc_err mpc_wire_read_u16(mpc_wire_reader *r, uint16_t *v)
{
    uint64_t x;
    mpc_err e = get_be(r, &x, 2);
    *v = (uint16_t)x;
    return e;
}

mpc_err mpc_wire_read_u32(mpc_wire_reader *r, uint32_t *v)
{
    uint64_t x;
    mpc_err e = get_be(r, &x, 4);
    *v = (uint32_t)x;
    return e;
}

mpc_err mpc_wire_read_u64(mpc_wire_reader *r, uint64_t *v)
{
    return get_be(r, v, 8);
}

mpc_err mpc_wire_read_bytes(mpc_wire_reader *r, uint8_t *out, size_t len)
{
    const uint8_t *p = take(r, len);
    if (p == NULL) {
        if (len > 0)
            memset(out, 0, len);
        return MPC_ERR_PARSE;
    }
    if (len > 0)
        memcpy(out, p, len);
    return MPC_OK;
}

mpc_err mpc_wire_read_ref(mpc_wire_reader *r, const uint8_t **p, size_t len)
{
    *p = take(r, len);
    if (*p == NULL)
        return MPC_ERR_PARSE;
    if (len == 0)
        *p = NULL;
    return MPC_OK;
}

mpc_err mpc_wire_read_var(mpc_wire_reader *r, const uint8_t **p, size_t *len,
                          size_t max)
{
    *p = NULL;
    *len = 0;
    if (r->err != MPC_OK)
        return r->err;
    /* Check prefix and body before consuming either, so a failed read
     * consumes nothing. */
    size_t left = r->len - r->off;
    if (left < MPC_WIRE_VAR_PREFIX_BYTES) {
        r->err = MPC_ERR_PARSE;
        return MPC_ERR_PARSE;
    }
    const uint8_t *q = r->p + r->off;
    uint32_t n = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
                 (uint32_t)q[2] << 8 | q[3];
    if (n > max || n > left - MPC_WIRE_VAR_PREFIX_BYTES) {
        r->err = MPC_ERR_PARSE;
        return MPC_ERR_PARSE;
    }
    r->off += MPC_WIRE_VAR_PREFIX_BYTES + n;
    *p = n > 0 ? q + MPC_WIRE_VAR_PREFIX_BYTES : NULL;
    *len = n;
    return MPC_OK;
}

/* A strict group parse that fails must not consume its bytes either. */
static mpc_err fail_at(mpc_wire_reader *r, size_t off)
{
    r->off = off;
    r->err = MPC_ERR_PARSE;
    return MPC_ERR_PARSE;
}

mpc_err mpc_wire_read_scalar(mpc_wire_reader *r, const mpc_group *g,
                             mpc_scalar *s)
{
    size_t off = r->off;
    const uint8_t *p = take(r, MPC_SCALAR_BYTES);
    if (p == NULL) {
        mpc_scalar_set_zero(s);
        return MPC_ERR_PARSE;
    }
    if (mpc_scalar_parse(g, s, p) != MPC_OK)
        return fail_at(r, off);
    return MPC_OK;
}

static mpc_err read_point(mpc_wire_reader *r, const mpc_group *g, mpc_point *pt,
                          bool allow_identity)
{
    size_t off = r->off;
    size_t n = mpc_group_point_bytes(g);
    const uint8_t *p = take(r, n);
    if (p == NULL) {
        mpc_point_set_identity(g, pt);
        return MPC_ERR_PARSE;
    }
    mpc_err e = allow_identity ? mpc_point_parse_allow_identity(g, pt, p, n)
                               : mpc_point_parse(g, pt, p, n);
    if (e != MPC_OK) {
        mpc_point_set_identity(g, pt);
        return fail_at(r, off);
    }
    return MPC_OK;
}

mpc_err mpc_wire_read_point(mpc_wire_reader *r, const mpc_group *g,
                            mpc_point *p)
{
    return read_point(r, g, p, false);
}

mpc_err mpc_wire_read_point_allow_identity(mpc_wire_reader *r,
                                           const mpc_group *g, mpc_point *p)
{
    return read_point(r, g, p, true);
}
