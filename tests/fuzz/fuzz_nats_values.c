/*
 * libFuzzer target for the parsers of what the node reads back from NATS:
 * registry heartbeats and key info (KV values anyone with bucket access can
 * write), key-info KV keys, and JetStream max-deliveries advisories.
 *
 * Input: data[0] picks the parser, the rest is its input.
 *   0: node_heartbeat_parse   1: node_keyinfo_parse
 *   2: node_registry_keyinfo_key_parse (rest as a string)
 *   3: node_jsetup_advisory_parse
 *   4: node_registry_keyinfo_key of the rest as a wallet id
 * Checked besides memory safety: a failure is MPC_ERR_PARSE with a zeroed
 * output; an accepted value re-serializes to bytes that parse back to the
 * same value (keys: to exactly the input).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/jsetup.h"
#include "node/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

static void heartbeat(const uint8_t *in, size_t len)
{
    node_heartbeat hb, back;
    if (node_heartbeat_parse(in, len, &hb) != MPC_OK) {
        if (!zero(&hb, sizeof hb))
            abort();
        return;
    }
    uint8_t buf[600];
    size_t n = 0;
    if (node_heartbeat_serialize(&hb, buf, sizeof buf, &n) != MPC_OK ||
        node_heartbeat_parse(buf, n, &back) != MPC_OK ||
        memcmp(&hb, &back, sizeof hb) != 0)
        abort();
}

static void keyinfo(const uint8_t *in, size_t len)
{
    static node_keyinfo ki, back;
    if (node_keyinfo_parse(in, len, &ki) != MPC_OK) {
        if (!zero(&ki, sizeof ki))
            abort();
        return;
    }
    static uint8_t buf[NODE_KV_VALUE_MAX_BYTES];
    size_t n = 0;
    if (!node_keyinfo_is_valid(&ki) ||
        node_keyinfo_serialize(&ki, buf, sizeof buf, &n) != MPC_OK ||
        node_keyinfo_parse(buf, n, &back) != MPC_OK ||
        !node_keyinfo_equal(&ki, &back))
        abort();
    for (size_t i = 1; i < ki.nparticipants; i++)
        if (strcmp(ki.participants[i - 1], ki.participants[i]) >= 0)
            abort(); /* sorted, unique */
}

static void key(const char *s)
{
    char curve[NODE_REGISTRY_CURVE_MAX_BYTES + 1];
    char wallet[NODE_REGISTRY_WALLET_MAX_BYTES + 1];
    if (node_registry_keyinfo_key_parse(s, curve, wallet) != MPC_OK) {
        if (!zero(curve, sizeof curve) || !zero(wallet, sizeof wallet))
            abort();
        return;
    }
    char again[NODE_REGISTRY_KEY_MAX_BYTES + 1];
    if (node_registry_keyinfo_key(again, sizeof again, curve, wallet) !=
            MPC_OK ||
        strcmp(again, s) != 0)
        abort(); /* one key per wallet */
}

static void wallet_key(const char *w)
{
    char k[NODE_REGISTRY_KEY_MAX_BYTES + 1];
    if (node_registry_keyinfo_key(k, sizeof k, "ecdsa", w) != MPC_OK)
        return;
    char curve[NODE_REGISTRY_CURVE_MAX_BYTES + 1];
    char wallet[NODE_REGISTRY_WALLET_MAX_BYTES + 1];
    if (!node_kv_key_is_valid(k, false) ||
        node_registry_keyinfo_key_parse(k, curve, wallet) != MPC_OK ||
        strcmp(wallet, w) != 0 || strcmp(curve, "ecdsa") != 0)
        abort();
}

static void advisory(const uint8_t *in, size_t len)
{
    node_js_advisory a;
    if (node_jsetup_advisory_parse(in, len, &a) != MPC_OK) {
        if (!zero(&a, sizeof a))
            abort();
        return;
    }
    if (!node_js_name_is_valid(a.stream) ||
        !node_js_name_is_valid(a.consumer) || a.stream_seq == 0 ||
        a.deliveries == 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const uint8_t *in = data + 1;
    size_t len = size - 1;
    char *s = NULL;
    switch (data[0] % 5) {
    case 0:
        heartbeat(in, len);
        break;
    case 1:
        keyinfo(in, len);
        break;
    case 3:
        advisory(in, len);
        break;
    default:
        if (len > NODE_KV_KEY_MAX_BYTES)
            return 0;
        s = malloc(len + 1);
        if (s == NULL)
            return 0;
        memcpy(s, in, len);
        s[len] = 0;
        if (data[0] % 5 == 2)
            key(s);
        else
            wallet_key(s);
        free(s);
        break;
    }
    return 0;
}
