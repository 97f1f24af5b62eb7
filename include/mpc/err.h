/*
 * mpc/err.h — the one error convention of mpcium-c.
 *
 * Every function that can fail returns an mpc_err. MPC_OK is zero; every
 * error is negative, so `< 0` never means success. The values are stable:
 * they travel in result events and logs, so a value is never reused or
 * renumbered; new codes are appended.
 *
 * Bad bytes from the network are data, never a crash: they yield PARSE,
 * VERIFY or PROTOCOL. Caller mistakes yield INVALID_ARG or STATE and leave
 * outputs zeroed.
 */
#ifndef MPC_ERR_H
#define MPC_ERR_H

#include <stdbool.h>

#if defined(__GNUC__) || defined(__clang__)
#define MPC_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define MPC_WARN_UNUSED
#endif

typedef enum mpc_err {
    /** Success. */
    MPC_OK = 0,
    /** An allocation failed; nothing was changed. */
    MPC_ERR_NOMEM = -1,
    /** API misuse: a NULL, an out-of-range parameter or a short buffer. */
    MPC_ERR_INVALID_ARG = -2,
    /** The call is not allowed in the object's current state. */
    MPC_ERR_STATE = -3,
    /** Malformed bytes: wrong length, non-canonical or invalid encoding. */
    MPC_ERR_PARSE = -4,
    /** A signature, proof or commitment did not verify. */
    MPC_ERR_VERIFY = -5,
    /** A peer misbehaved; the session's blame names it. */
    MPC_ERR_PROTOCOL = -6,
    /** A deadline passed; the blame names the parties that were missing. */
    MPC_ERR_TIMEOUT = -7,
    /** The named object does not exist. */
    MPC_ERR_NOT_FOUND = -8,
    /** The object exists with different content, or is already in use. */
    MPC_ERR_CONFLICT = -9,
    /** The caller is not authorized. */
    MPC_ERR_AUTH = -10,
    /** An operating-system I/O call failed (node and gateway only). */
    MPC_ERR_IO = -11,
    /** A dependency (NATS, a peer) is not reachable (node and gateway only). */
    MPC_ERR_UNAVAILABLE = -12,
    /** A broken internal invariant: our bug. */
    MPC_ERR_INTERNAL = -13,
} mpc_err;

/** The lowest (most negative) defined code; used by the error-table lint. */
#define MPC_ERR_MIN MPC_ERR_INTERNAL

/** A short, constant, human-readable description; never NULL. */
const char *mpc_err_str(mpc_err e);

/** The stable symbolic name, e.g. "MPC_ERR_VERIFY"; never NULL. */
const char *mpc_err_name(mpc_err e);

/**
 * True when the error leaves the object it came from unusable (a session is
 * FAILED after it). INVALID_ARG and STATE are caller mistakes and are not
 * fatal: the object is unchanged.
 */
bool mpc_err_is_fatal(mpc_err e);

#endif /* MPC_ERR_H */
