/*
 * Fuzzes every decoder of bytes the keystore reads back from disk or from
 * a backup file (node/keystore_format): sealed records, the three header
 * kinds, request records, pending-share markers, backup-stream messages and
 * record-name numbers.
 *
 * The first input byte picks the decoder; the rest is its input. Besides
 * memory safety it checks the contracts: a failure leaves zeroed outputs;
 * an accepted input re-encodes to the same bytes (one encoding per value);
 * a sealed record opens to what was sealed and not under another name.
 */
#include <stdlib.h>
#include <string.h>

#include "node/keystore_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t key[NODE_KSF_KEY_BYTES] = {1, 2, 3, 4, 5, 6, 7, 8};

static void check(bool ok)
{
    if (!ok)
        abort();
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= b[i];
    return acc == 0;
}

/* Opening arbitrary bytes as a record; sealing them and opening back. */
static void fuzz_record(const uint8_t *in, size_t n)
{
    static const uint8_t name[] = "share:ecdsa:w:v0000000001";
    size_t cap = n + 1;
    uint8_t *out = malloc(cap);
    check(out != NULL);
    size_t len = 1;
    mpc_err err =
        node_ksf_record_open(out, cap, &len, key, name, sizeof name - 1, in, n);
    if (err == MPC_OK) /* a seed sealed under this key */
        check(len == n - NODE_KSF_RECORD_OVERHEAD_BYTES);
    else
        check((err == MPC_ERR_PARSE || err == MPC_ERR_VERIFY) && len == 0 &&
              all_zero(out, cap));
    free(out);

    if (n > NODE_KSF_PLAIN_MAX_BYTES)
        return;
    size_t rec_len = n + NODE_KSF_RECORD_OVERHEAD_BYTES;
    uint8_t *rec = malloc(rec_len);
    out = malloc(n + 1);
    check(rec != NULL && out != NULL);
    uint8_t nonce[NODE_KSF_NONCE_BYTES] = {9};
    check(node_ksf_record_seal(rec, rec_len, key, nonce, name, sizeof name - 1,
                               in, n) == MPC_OK);
    check(node_ksf_record_open(out, n, &len, key, name, sizeof name - 1, rec,
                               rec_len) == MPC_OK);
    check(len == n && (n == 0 || memcmp(out, in, n) == 0));
    check(node_ksf_record_open(out, n, &len, key, name, sizeof name - 2, rec,
                               rec_len) == MPC_ERR_VERIFY);
    free(rec);
    free(out);
}

static void fuzz_headers(const uint8_t *in, size_t n)
{
    node_ksf_header h;
    if (node_ksf_header_parse(&h, in, n) == MPC_OK) {
        uint8_t out[NODE_KSF_HEADER_BYTES];
        node_ksf_header_encode(out, &h, key);
        /* Equal up to the MAC, which depends on the key. */
        check(memcmp(out, in, NODE_KSF_HEADER_BYTES - NODE_KSF_MAC_BYTES) == 0);
        check(node_ksf_kdf_check(&h.kdf) == MPC_OK);
    } else {
        check(all_zero(&h, sizeof h));
    }
    node_ksf_pool_header ph;
    if (node_ksf_pool_header_parse(&ph, in, n) == MPC_OK) {
        uint8_t out[NODE_KSF_POOL_HEADER_BYTES];
        node_ksf_pool_header_encode(out, &ph, key);
        check(memcmp(out, in, sizeof out - NODE_KSF_MAC_BYTES) == 0);
    } else {
        check(all_zero(&ph, sizeof ph));
    }
    node_ksf_kdf kdf;
    uint8_t s24[24];
    if (node_ksf_backup_header_parse(&kdf, s24, in, n) == MPC_OK) {
        uint8_t out[NODE_KSF_BACKUP_HEADER_BYTES];
        node_ksf_backup_header_encode(out, &kdf, key, s24);
        check(memcmp(out, in, NODE_KSF_BACKUP_AD_BYTES - NODE_KSF_MAC_BYTES) ==
              0);
        check(memcmp(out + NODE_KSF_BACKUP_AD_BYTES,
                     in + NODE_KSF_BACKUP_AD_BYTES, 24) == 0);
    } else {
        check(all_zero(&kdf, sizeof kdf) && all_zero(s24, sizeof s24));
    }
    mpc_err err = node_ksf_header_verify(in, n, key);
    check(err == MPC_OK || err == MPC_ERR_AUTH || err == MPC_ERR_PARSE);
}

static void fuzz_request(const uint8_t *in, size_t n)
{
    node_ksf_request r;
    if (node_ksf_request_parse(&r, in, n) != MPC_OK) {
        check(all_zero(&r, sizeof r));
        return;
    }
    uint8_t *out = malloc(n);
    check(out != NULL);
    check(node_ksf_request_encode(out, n, &r) == MPC_OK);
    check(memcmp(out, in, n) == 0);
    free(out);
}

/* Shares its selector with request records (the corpus keeps its map). */
static void fuzz_pending(const uint8_t *in, size_t n)
{
    node_ksf_pending p;
    if (node_ksf_pending_parse(&p, in, n) != MPC_OK) {
        check(all_zero(&p, sizeof p));
        return;
    }
    uint8_t out[NODE_KSF_PENDING_MAX_BYTES];
    size_t len = 0;
    check(node_ksf_pending_encode(out, sizeof out, &len, &p) == MPC_OK);
    check(len == n && memcmp(out, in, n) == 0);
}

static void fuzz_msg(const uint8_t *in, size_t n)
{
    node_ksf_msg m;
    if (node_ksf_msg_parse(&m, in, n) != MPC_OK) {
        check(all_zero(&m, sizeof m));
        return;
    }
    uint8_t *out = malloc(n);
    size_t len = 0;
    check(out != NULL);
    check(node_ksf_msg_encode(out, n, &len, &m) == MPC_OK);
    check(len == n && memcmp(out, in, n) == 0);
    free(out);
}

static void fuzz_name(const uint8_t *in, size_t n)
{
    if (n == 0)
        return;
    size_t prefix = in[0] % 32;
    for (int hex = 0; hex < 2; hex++) {
        uint64_t v = 1;
        if (node_ksf_name_number(&v, in + 1, n - 1, prefix, hex) != MPC_OK) {
            check(v == 0);
            continue;
        }
        check(n - 1 == prefix + (hex ? 16 : 10));
        check(hex || v <= UINT32_MAX);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const uint8_t *in = data + 1;
    size_t n = size - 1;
    switch (data[0] % 5) {
    case 0:
        fuzz_record(in, n);
        break;
    case 1:
        fuzz_headers(in, n);
        break;
    case 2:
        fuzz_request(in, n);
        fuzz_pending(in, n);
        break;
    case 3:
        fuzz_msg(in, n);
        break;
    default:
        fuzz_name(in, n);
        break;
    }
    return 0;
}
