/*
 * node/client_proto_internal.h — what the client_*.c files share: a
 * growable byte buffer with a sticky failure flag, and the Go encoding/json
 * writers built on it.
 *
 * The sticky flag keeps encoders linear: every append is a no-op once an
 * append has failed, and the caller checks once, in node_client_buf_take.
 */
#ifndef NODE_CLIENT_PROTO_INTERNAL_H
#define NODE_CLIENT_PROTO_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"
#include "node/client_proto.h"

typedef struct node_client_buf {
    uint8_t *p;
    size_t len;
    size_t cap;
    mpc_err err; /* first failure; MPC_OK while healthy */
} node_client_buf;

/** An empty buffer (no allocation yet). */
void node_client_buf_init(node_client_buf *b);

/** Frees the buffer and resets it to empty. */
void node_client_buf_clear(node_client_buf *b);

/** Records `err` unless an earlier failure is already recorded. */
void node_client_buf_fail(node_client_buf *b, mpc_err err);

/**
 * Hands the bytes to the caller (*out, *out_len; the allocation is never
 * NULL on success) and resets `b`. On a recorded failure, frees the bytes,
 * sets *out = NULL, *out_len = 0 and returns the failure.
 */
MPC_WARN_UNUSED mpc_err node_client_buf_take(node_client_buf *b, uint8_t **out,
                                             size_t *out_len);

void node_client_buf_put(node_client_buf *b, const void *p, size_t len);
/** Appends a NUL-terminated literal (no escaping). */
void node_client_buf_lit(node_client_buf *b, const char *s);
/** Appends the decimal form of v. */
void node_client_buf_u64(node_client_buf *b, uint64_t v);

/** Appends Go's json.Marshal of the string s[0..len). */
void node_client_json_str(node_client_buf *b, const char *s, size_t len);
/** Same, for a NUL-terminated string; NULL is written as "". */
void node_client_json_cstr(node_client_buf *b, const char *s);
/** Appends Go's json.Marshal of a []byte: standard padded base64 in quotes,
 *  or null when p is NULL. */
void node_client_json_bytes(node_client_buf *b, const uint8_t *p, size_t len);
/** Appends `,"key":` — or `{"key":` for the first field (first == true). */
void node_client_json_key(node_client_buf *b, const char *key, bool first);

/** node_client_problem_set with a va_list. */
void node_client_problem_vset(node_client_problem *p, node_client_fail fail,
                              const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/** Length of a NUL-terminated string held in an array of `cap` bytes, or
 *  `cap` if no NUL is inside (the caller treats that as invalid). */
size_t node_client_strnlen(const char *s, size_t cap);

#endif /* NODE_CLIENT_PROTO_INTERNAL_H */
