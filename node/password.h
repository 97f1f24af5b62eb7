/*
 * node/password.h — the operator password: from a file, an environment
 * variable or an interactive prompt with echo off.
 *
 * The password unlocks the keystore (Argon2id key) and, optionally, the
 * node's sealed identity key. It is never logged and never part of an error
 * message; it lives in guarded, locked memory (sodium_malloc) and is wiped
 * by node_password_free.
 *
 * Rules: pointer arguments must not be NULL unless stated; `err` may be
 * NULL, otherwise it receives a NUL-terminated message of at most `err_len`
 * bytes; `*out` is written only on success; no function keeps a pointer to
 * its inputs.
 */
#ifndef NODE_PASSWORD_H
#define NODE_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "mpc/err.h"

/** Longest accepted password (bytes). */
#define NODE_PASSWORD_MAX_BYTES 1024

/** A password: `len` bytes at `data`, NUL-terminated, never containing NUL.
 */
typedef struct node_password {
    char *data;
    size_t len;
} node_password;

/** Where to look for a password; see node_password_read. */
typedef struct node_password_source {
    /** Read the password from this file (may be NULL). */
    const char *file;
    /** Read it from this environment variable of `envp` (may be NULL). */
    const char *env_name;
    /** The environment, NULL-terminated "NAME=value" strings (may be NULL,
     * which disables the variable). */
    const char *const *envp;
    /** Ask on the terminal. */
    bool prompt;
    /** When prompting, ask twice and require the same answer (use when the
     * password is being chosen, e.g. sealing a new key). */
    bool confirm;
    /** Prompt text (may be NULL: "Password: "). */
    const char *prompt_text;
    /** Terminal to prompt on; -1 opens /dev/tty. */
    int tty_fd;
    /** Minimum length in bytes (0 means 1): applied to every source. */
    size_t min_len;
} node_password_source;

/** Fills `src` with: no sources, prompt text NULL, tty_fd -1, min_len 0. */
void node_password_source_default(node_password_source *src);

/**
 * Gets the password from the first source that is configured, in this
 * order: `file`; `env_name` if the variable exists in `envp`; the prompt.
 * A configured source that fails is an error (there is no fall-through
 * from a broken file to the prompt).
 *
 * File: the whole file (at most NODE_PASSWORD_MAX_BYTES plus a line end)
 * with trailing CR/LF removed; other whitespace is part of the password.
 * Environment: the variable's value as is. The variable stays in the
 * process environment; callers should unsetenv it after reading.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND (no source configured or available);
 * MPC_ERR_IO (file unreadable; no terminal; prompt cancelled with Ctrl-C or
 * Ctrl-D); MPC_ERR_PARSE (empty, shorter than min_len, longer than
 * NODE_PASSWORD_MAX_BYTES, or contains a NUL byte); MPC_ERR_CONFLICT (the
 * two prompted entries differ); MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err node_password_read(node_password **out,
                                           const node_password_source *src,
                                           char *err, size_t err_len);

/**
 * Prompts on terminal `fd` (not echoed): writes `prompt`, reads one line in
 * non-canonical mode and restores the terminal settings before returning.
 * Backspace/DEL erase one byte, Ctrl-U erases the line, Enter ends it,
 * Ctrl-C or Ctrl-D (on an empty line) cancel. Signals are not generated
 * while the prompt runs, so the terminal is always restored.
 *
 * Returns: as node_password_read (MPC_ERR_IO if `fd` is not a terminal).
 */
MPC_WARN_UNUSED mpc_err node_password_prompt(node_password **out, int fd,
                                             const char *prompt, bool confirm,
                                             size_t min_len, char *err,
                                             size_t err_len);

/** Copies `len` bytes into a new password (same checks as the sources). */
MPC_WARN_UNUSED mpc_err node_password_from_bytes(node_password **out,
                                                 const char *data, size_t len,
                                                 size_t min_len, char *err,
                                                 size_t err_len);

/** Wipes and frees; NULL does nothing. */
void node_password_free(node_password *pw);

#endif /* NODE_PASSWORD_H */
