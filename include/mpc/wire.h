/*
 * mpc/wire.h — the canonical binary encoding of round-message payloads.
 *
 * A bounded writer and a bounded reader for the few shapes round messages
 * are made of: big-endian unsigned integers, fixed-size byte strings,
 * byte strings with a u32 length prefix, and scalars and points of an
 * mpc_group in their fixed-size group encoding (group.h). There are no
 * optional fields, no varints and no padding, so every value has exactly
 * one encoding: a payload can be hashed into a transcript or compared
 * byte for byte.
 *
 * Rules for the whole header:
 * - Pointer arguments must not be NULL unless stated; a zero length may
 *   come with a NULL pointer.
 * - Argument order: writer or reader first, then (for reads) the output,
 *   then inputs; a length follows its buffer.
 * - No function keeps a pointer to its inputs after it returns, except the
 *   reader, which borrows its input for its whole life (the `_ref` and
 *   `_var` reads return views into it).
 *
 * Writer errors are sticky. The write functions return nothing: the first
 * failure (a full caller buffer, the writer's size bound, an allocation)
 * is recorded in the writer, every later write does nothing, and
 * mpc_wire_writer_finish reports it. So a message is built with straight-
 * line code and checked once, and a writer never overflows.
 *
 * Reader errors are sticky too, and every read also returns its result:
 * after the first failure every read fails with the same error and zeroes
 * its output, and mpc_wire_reader_finish fails. A reader never reads out
 * of bounds; bad input is always MPC_ERR_PARSE, never a crash.
 */
#ifndef MPC_WIRE_H
#define MPC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/group.h"

/** Bytes of the length prefix of a variable-length byte string. */
#define MPC_WIRE_VAR_PREFIX_BYTES 4

/** The largest length a variable-length string can have (u32 prefix). */
#define MPC_WIRE_VAR_MAX_BYTES UINT32_MAX

/**
 * A writer: appends to a buffer it grows through the context allocator, or
 * to a fixed caller buffer. Fields are private; use the functions.
 */
typedef struct mpc_wire_writer {
    const mpc_ctx *ctx; /* allocator; NULL for a fixed caller buffer */
    uint8_t *buf;
    size_t len;
    size_t cap;
    size_t max; /* len never exceeds max */
    mpc_err err;
} mpc_wire_writer;

/**
 * Starts a writer whose buffer grows through `ctx`'s allocator up to `max`
 * bytes. Allocates nothing until the first write.
 * Args: w: the writer to set up (its old contents are ignored).
 * In:   ctx: the allocator; kept until mpc_wire_writer_clear.
 *       max: the hard bound on the encoded length.
 */
void mpc_wire_writer_init(mpc_wire_writer *w, const mpc_ctx *ctx, size_t max);

/**
 * Starts a writer over a caller buffer of `cap` bytes; writing more fails
 * with MPC_ERR_INVALID_ARG. The buffer is borrowed until the last write.
 */
void mpc_wire_writer_init_fixed(mpc_wire_writer *w, uint8_t *buf, size_t cap);

/**
 * Ends a writer: wipes the bytes written (payloads often carry secret
 * shares) and, for a growing writer, frees its buffer. The writer may be
 * initialized again afterwards. A zero-filled writer may be cleared.
 */
void mpc_wire_writer_clear(mpc_wire_writer *w);

/**
 * Reports the outcome of every write so far and gives a view of the bytes.
 * Returns: MPC_OK;
 *          MPC_ERR_INVALID_ARG: a write went past the fixed buffer, past
 *            `max`, a variable string was longer than
 *            MPC_WIRE_VAR_MAX_BYTES, or a source was NULL with a non-zero
 *            length;
 *          MPC_ERR_NOMEM: the buffer could not grow.
 *          On error *data is NULL and *len is 0.
 * Out:  data: the encoding, valid until the next write or clear (may be
 *             NULL when *len is 0).
 *       len:  its length.
 */
MPC_WARN_UNUSED mpc_err mpc_wire_writer_finish(const mpc_wire_writer *w,
                                               const uint8_t **data,
                                               size_t *len);

void mpc_wire_write_u8(mpc_wire_writer *w, uint8_t v);
void mpc_wire_write_u16(mpc_wire_writer *w, uint16_t v);
void mpc_wire_write_u32(mpc_wire_writer *w, uint32_t v);
void mpc_wire_write_u64(mpc_wire_writer *w, uint64_t v);

/** Appends `len` bytes with no length prefix (a fixed-size field). */
void mpc_wire_write_bytes(mpc_wire_writer *w, const uint8_t *p, size_t len);

/** Appends a u32 big-endian length, then the `len` bytes. */
void mpc_wire_write_var(mpc_wire_writer *w, const uint8_t *p, size_t len);

/**
 * Appends `len` zero bytes the caller then fills in place (e.g. a big
 * integer exported straight into the message). Returns a pointer to them,
 * valid until the next write or clear; NULL when `len` is 0 or after an
 * error (recorded as for any write).
 */
uint8_t *mpc_wire_write_reserve(mpc_wire_writer *w, size_t len);

/** Appends a scalar: MPC_SCALAR_BYTES in the group's encoding. */
void mpc_wire_write_scalar(mpc_wire_writer *w, const mpc_group *g,
                           const mpc_scalar *s);

/** Appends a point: mpc_group_point_bytes(g) bytes. */
void mpc_wire_write_point(mpc_wire_writer *w, const mpc_group *g,
                          const mpc_point *p);

/**
 * A reader over borrowed bytes. Fields are private; use the functions.
 */
typedef struct mpc_wire_reader {
    const uint8_t *p;
    size_t len;
    size_t off;
    mpc_err err;
} mpc_wire_reader;

/**
 * Starts a reader over `len` bytes at `data` (may be NULL when len is 0).
 * The bytes are borrowed for the reader's life.
 */
void mpc_wire_reader_init(mpc_wire_reader *r, const uint8_t *data, size_t len);

/**
 * Requires that every byte was consumed and no read failed: this is what
 * rejects trailing garbage. Call it after the last read of a message.
 * Returns: MPC_OK; MPC_ERR_PARSE if a read failed or bytes remain.
 */
MPC_WARN_UNUSED mpc_err mpc_wire_reader_finish(const mpc_wire_reader *r);

/** Bytes not yet consumed (0 after an error). */
size_t mpc_wire_reader_remaining(const mpc_wire_reader *r);

/*
 * Every read below:
 * Returns: MPC_OK; MPC_ERR_PARSE if the input is too short, a bound or a
 *          strict-parse rule is violated, or an earlier read failed. On
 *          error the outputs are zeroed (views set to NULL) and nothing is
 *          consumed.
 */

MPC_WARN_UNUSED mpc_err mpc_wire_read_u8(mpc_wire_reader *r, uint8_t *v);
MPC_WARN_UNUSED mpc_err mpc_wire_read_u16(mpc_wire_reader *r, uint16_t *v);
MPC_WARN_UNUSED mpc_err mpc_wire_read_u32(mpc_wire_reader *r, uint32_t *v);
MPC_WARN_UNUSED mpc_err mpc_wire_read_u64(mpc_wire_reader *r, uint64_t *v);

/** Copies the next `len` bytes to `out`. */
MPC_WARN_UNUSED mpc_err mpc_wire_read_bytes(mpc_wire_reader *r, uint8_t *out,
                                            size_t len);

/** Consumes the next `len` bytes and returns a view of them in `*p`. */
MPC_WARN_UNUSED mpc_err mpc_wire_read_ref(mpc_wire_reader *r, const uint8_t **p,
                                          size_t len);

/**
 * Reads a u32-length-prefixed byte string and returns a view of it.
 * A length above `max` is MPC_ERR_PARSE before anything is consumed, so a
 * peer cannot make the caller accept (or allocate for) more than it
 * expects.
 * Out: p: the string (NULL when *len is 0 or on error); len: its length.
 */
MPC_WARN_UNUSED mpc_err mpc_wire_read_var(mpc_wire_reader *r, const uint8_t **p,
                                          size_t *len, size_t max);

/** Reads a canonical scalar (mpc_scalar_parse: value below the order). */
MPC_WARN_UNUSED mpc_err mpc_wire_read_scalar(mpc_wire_reader *r,
                                             const mpc_group *g, mpc_scalar *s);

/**
 * Reads a point with mpc_point_parse: canonical, in the prime-order
 * subgroup, not the identity. On error *p is the identity.
 */
MPC_WARN_UNUSED mpc_err mpc_wire_read_point(mpc_wire_reader *r,
                                            const mpc_group *g, mpc_point *p);

/**
 * As mpc_wire_read_point, but also accepts the identity (for refresh
 * commitments, whose constant term must be the identity).
 */
MPC_WARN_UNUSED mpc_err mpc_wire_read_point_allow_identity(mpc_wire_reader *r,
                                                           const mpc_group *g,
                                                           mpc_point *p);

#endif /* MPC_WIRE_H */
