/*
 * libFuzzer target for lib/wire: arbitrary bytes through a script of reads.
 *
 * Input: n = data[0] % 17, then n op bytes, then the bytes to read. Each op
 * picks a read (its high bits give a length or bound). Checked:
 * - no read goes out of bounds (ASan) and a failed read zeroes its output;
 * - after a failure every later read fails too and finish fails;
 * - canonical encoding: writing back what was read reproduces exactly the
 *   bytes consumed, and finish succeeds iff everything was consumed.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mpc/ctx.h"
#include "mpc/group.h"
#include "mpc/rng.h"
#include "mpc/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mpc_ctx *fuzz_ctx;
static mpc_drbg fuzz_drbg;

static const mpc_ctx *ctx(void)
{
    if (fuzz_ctx == NULL) {
        mpc_drbg_init(&fuzz_drbg, (const uint8_t *)"fuzz-wire", 9);
        mpc_ctx_config cfg = {.rng = mpc_drbg_fill, .rng_ud = &fuzz_drbg};
        if (mpc_ctx_new(&fuzz_ctx, &cfg) != MPC_OK)
            abort();
    }
    return fuzz_ctx;
}

static void require(bool ok)
{
    if (!ok)
        abort();
}

static bool zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

/* Runs one op: reads, and on success writes the value back to `w` (a
 * failed read's outputs are only checked to be zero). */
static mpc_err run_op(uint8_t op, mpc_wire_reader *r, mpc_wire_writer *w)
{
    const mpc_group *k1 = mpc_ctx_group(ctx(), MPC_CURVE_SECP256K1);
    const mpc_group *ed = mpc_ctx_group(ctx(), MPC_CURVE_ED25519);
    const mpc_group *g = op & 0x80 ? ed : k1;
    size_t n = op >> 4;
    mpc_err e = MPC_ERR_INTERNAL;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    uint8_t buf[16];
    const uint8_t *p;
    size_t len;
    mpc_scalar s;
    mpc_point pt;
    switch (op % 11) {
    case 0:
        e = mpc_wire_read_u8(r, &u8);
        require(e == MPC_OK || u8 == 0);
        if (e == MPC_OK)
            mpc_wire_write_u8(w, u8);
        break;
    case 1:
        e = mpc_wire_read_u16(r, &u16);
        require(e == MPC_OK || u16 == 0);
        if (e == MPC_OK)
            mpc_wire_write_u16(w, u16);
        break;
    case 2:
        e = mpc_wire_read_u32(r, &u32);
        require(e == MPC_OK || u32 == 0);
        if (e == MPC_OK)
            mpc_wire_write_u32(w, u32);
        break;
    case 3:
        e = mpc_wire_read_u64(r, &u64);
        require(e == MPC_OK || u64 == 0);
        if (e == MPC_OK)
            mpc_wire_write_u64(w, u64);
        break;
    case 4:
        e = mpc_wire_read_bytes(r, buf, n);
        require(e == MPC_OK || zero(buf, n));
        if (e == MPC_OK)
            mpc_wire_write_bytes(w, buf, n);
        break;
    case 5:
        e = mpc_wire_read_ref(r, &p, n);
        require(e == MPC_OK || p == NULL);
        if (e == MPC_OK)
            mpc_wire_write_bytes(w, p, n);
        break;
    case 6:
        e = mpc_wire_read_var(r, &p, &len, n * 8);
        require(len <= n * 8 && (e == MPC_OK || (p == NULL && len == 0)));
        if (e == MPC_OK)
            mpc_wire_write_var(w, p, len);
        break;
    case 7:
        e = mpc_wire_read_scalar(r, g, &s);
        require(e == MPC_OK || zero(&s, sizeof s));
        if (e == MPC_OK)
            mpc_wire_write_scalar(w, g, &s);
        break;
    case 8:
        e = mpc_wire_read_point(r, g, &pt);
        require(e == MPC_OK || mpc_point_is_identity(g, &pt));
        require(e != MPC_OK || !mpc_point_is_identity(g, &pt));
        if (e == MPC_OK)
            mpc_wire_write_point(w, g, &pt);
        break;
    default:
        e = mpc_wire_read_point_allow_identity(r, g, &pt);
        require(e == MPC_OK || mpc_point_is_identity(g, &pt));
        if (e == MPC_OK)
            mpc_wire_write_point(w, g, &pt);
        break;
    }
    require(e == MPC_OK || e == MPC_ERR_PARSE);
    return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t nops = data[0] % 17;
    if (size < 1 + nops)
        return 0;
    const uint8_t *ops = data + 1;
    const uint8_t *in = data + 1 + nops;
    size_t len = size - 1 - nops;

    mpc_wire_reader r;
    mpc_wire_reader_init(&r, in, len);
    mpc_wire_writer w;
    mpc_wire_writer_init(&w, ctx(), len + 64);
    bool failed = false;
    for (size_t i = 0; i < nops && !failed; i++)
        failed = run_op(ops[i], &r, &w) != MPC_OK;
    if (failed) {
        /* Sticky: everything after a failure fails. */
        require(run_op(0, &r, &w) == MPC_ERR_PARSE);
        require(mpc_wire_reader_remaining(&r) == 0);
        require(mpc_wire_reader_finish(&r) == MPC_ERR_PARSE);
    } else {
        size_t consumed = len - mpc_wire_reader_remaining(&r);
        const uint8_t *out;
        size_t out_len;
        require(mpc_wire_writer_finish(&w, &out, &out_len) == MPC_OK);
        require(out_len == consumed);
        require(consumed == 0 || memcmp(out, in, consumed) == 0);
        require((mpc_wire_reader_finish(&r) == MPC_OK) == (consumed == len));
    }
    mpc_wire_writer_clear(&w);
    return 0;
}
