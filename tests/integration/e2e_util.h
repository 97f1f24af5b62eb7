/*
 * tests/integration/e2e_util.h — small steps the end-to-end scenarios
 * share (backup, auth, bad input, load): a keygen, a signing request,
 * finding the result of one request among many, reading its fields.
 *
 * Results are parsed with jansson; a json_t returned here belongs to the
 * caller (json_decref). Every wait is bounded.
 */
#ifndef TESTS_INTEGRATION_E2E_UTIL_H
#define TESTS_INTEGRATION_E2E_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/client_proto.h"
#include "tests/integration/cluster.h"

#define E2E_RESULT_WAIT_MS 20000

/** Keygen of `wallet` (client id `cid`, may be NULL); waits for its result
 *  on `in` (subscribed on the keygen result subject) and returns the EdDSA
 *  public key. */
bool e2e_keygen(cluster *c, cluster_inbox *in, const char *cid,
                const char *wallet, uint8_t eddsa_pk[32]);

/** Fills `r` (zeroed first) as a signing request; `tx` is copied. */
bool e2e_sign_request(node_client_request *r, node_client_key_type kt,
                      const char *wallet, const char *tx_id, const void *tx,
                      size_t tx_len);

/** Encodes `r` as it is (its signature fields already set) and publishes
 *  it like mpcium's Go client on the request subject of r->op (ClientID
 *  header unless `cid` is NULL). */
bool e2e_publish_signed(cluster *c, const node_client_request *r,
                        const char *cid);

/** Publishes `body` as is on the request subject of `op` for `id`. */
bool e2e_publish_raw(cluster *c, node_client_op op, const char *id,
                     const void *body, size_t len, const char *cid);

/** The first message on `in` whose JSON has string field `key` equal to
 *  `value`, waiting up to timeout_ms; NULL on timeout (prints why). */
json_t *e2e_result_wait(cluster_inbox *in, const char *key, const char *value,
                        int timeout_ms);

/** How many messages on `in` have string field `key` equal to `value`. */
int e2e_result_count(cluster_inbox *in, const char *key, const char *value);

/** A string field of `j`, or "" when absent. */
const char *e2e_str(const json_t *j, const char *key);

/** Base64 field `key` of a success result, exactly `want` bytes. */
bool e2e_b64(const json_t *j, const char *key, uint8_t *out, size_t want);

/** Waits until node i (its healthcheck on) reports the committee's ECDSA
 *  aux-info stored (mpcium_ecdsa_aux_ready 1), or has no such metric (no
 *  ECDSA engine). A node stopped while the aux-info session runs would
 *  wait for that session's deadline, and a restored backup taken before it
 *  would lack the aux-info. */
bool e2e_wait_aux(cluster *c, int i, int timeout_ms);

/** The mpcium-node binary next to the test runner. */
bool e2e_node_binary(char *out, size_t cap);

/** Runs argv (argv[0] the program) with stdout and stderr appended to
 *  `log`; its exit code, or -1 when it did not exit within timeout_ms
 *  (then killed). */
int e2e_run(char *const argv[], const char *log, int timeout_ms);

void e2e_sleep_ms(long ms);

/** Monotonic milliseconds (for deadlines). */
long long e2e_now_ms(void);

#endif /* TESTS_INTEGRATION_E2E_UTIL_H */
