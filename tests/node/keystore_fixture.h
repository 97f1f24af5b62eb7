/*
 * tests/node/keystore_fixture.h — shared by the keystore, presignature
 * pool and backup tests: a private temporary directory, a keystore opened
 * with the cheapest Argon2id parameters, and raw LMDB access for tampering.
 *
 * Tests run as `TEST(x) { ks_fx f; if (ks_fx_init(&f)) { body(&f); }
 * ks_fx_done(&f); }` so a failing CHECK in `body` still cleans up.
 */
#ifndef TESTS_NODE_KEYSTORE_FIXTURE_H
#define TESTS_NODE_KEYSTORE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/keystore.h"
#include "tests/harness/test.h"

#define KS_FX_PW ((const uint8_t *)"correct horse battery staple")
#define KS_FX_PW_LEN (sizeof "correct horse battery staple" - 1)

typedef struct ks_fx {
    char root[64];      /* the temporary directory, removed by done */
    char dir[128];      /* root/main: the keystore */
    char pool_dir[128]; /* root/pool: a presignature pool */
    node_keystore *ks;  /* open on `dir` after init */
} ks_fx;

/* A test with a fixture: `f` is ready in the body, cleaned up after it
 * even when a CHECK fails. */
#define KS_TEST(name)                                                          \
    static void name##_body(ks_fx *f);                                         \
    TEST(name)                                                                 \
    {                                                                          \
        ks_fx fx;                                                              \
        if (ks_fx_init(&fx))                                                   \
            name##_body(&fx);                                                  \
        ks_fx_done(&fx);                                                       \
    }                                                                          \
    static void name##_body(ks_fx *f)

/* Argon2id at its minimum: tests measure logic, not the KDF. */
void ks_fx_params(node_keystore_params *p);

/* Makes the temporary tree and opens the keystore; false (after a test
 * failure is recorded) if that fails. */
bool ks_fx_init(ks_fx *f);

/* Closes the keystore (if open) and removes the temporary tree. */
void ks_fx_done(ks_fx *f);

/* Closes and reopens f->ks with the fixture password. */
bool ks_fx_reopen(ks_fx *f);

/* Writes "<root>/<name>" into `out`. */
void ks_fx_path(const ks_fx *f, char out[256], const char *name);

/* Raw LMDB access to an environment (no keystore open on it). */
bool ks_raw_get(const char *dir, const char *name, uint8_t *out, size_t cap,
                size_t *len);
bool ks_raw_put(const char *dir, const char *name, const uint8_t *v,
                size_t len);
bool ks_raw_del(const char *dir, const char *name);
/* Flips bit 0 of byte `at` of the value of `name`. */
bool ks_raw_flip(const char *dir, const char *name, size_t at);
/* Number of records and whether any key starts with `prefix`. */
bool ks_raw_scan(const char *dir, size_t *entries, const char *prefix,
                 bool *found);

/* True if the file contains `needle` (whole or any 16-byte window). */
bool ks_file_has(const char *path, const uint8_t *needle, size_t n);

/* Reads / writes a whole file (malloc'd; caller frees). */
uint8_t *ks_file_read(const char *path, size_t *len);
bool ks_file_write(const char *path, const uint8_t *p, size_t len);

#endif
