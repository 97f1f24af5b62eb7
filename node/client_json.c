/*
 * Go encoding/json output, reproduced exactly: the bytes mpcium signs and
 * verifies (Raw()) and the result events its clients parse.
 *
 * Go's string encoder (encoding/json appendString, Go >= 1.22, escapeHTML
 * on as in json.Marshal) walks the input rune by rune:
 *   - ASCII " and \ get a backslash; \b \f \n \r \t their short escapes;
 *     other bytes below 0x20 and < > & become \u00XX (lowercase hex);
 *     everything else in ASCII, DEL included, is copied;
 *   - a valid UTF-8 sequence is copied, except U+2028 and U+2029 which
 *     become \u2028 and \u2029 (JavaScript line terminators);
 *   - a byte that does not start a valid sequence becomes \ufffd and the
 *     walk moves on by one byte (utf8.DecodeRuneInString returns width 1).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "node/client_proto.h"
#include "node/client_proto_internal.h"

void node_client_buf_init(node_client_buf *b)
{
    memset(b, 0, sizeof *b);
}

void node_client_buf_clear(node_client_buf *b)
{
    free(b->p);
    node_client_buf_init(b);
}

void node_client_buf_fail(node_client_buf *b, mpc_err err)
{
    if (b->err == MPC_OK)
        b->err = err;
}

mpc_err node_client_buf_take(node_client_buf *b, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (b->err == MPC_OK && b->p == NULL) {
        /* An empty result is still an allocation, so callers can tell
         * success from failure by the pointer too. */
        b->p = malloc(1);
        if (b->p == NULL)
            b->err = MPC_ERR_NOMEM;
    }
    mpc_err err = b->err;
    if (err != MPC_OK) {
        node_client_buf_clear(b);
        return err;
    }
    *out = b->p;
    *out_len = b->len;
    node_client_buf_init(b);
    return MPC_OK;
}

/* Makes room for `extra` more bytes; false (and failed) if impossible. */
static bool reserve(node_client_buf *b, size_t extra)
{
    if (b->err != MPC_OK)
        return false;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->err = MPC_ERR_NOMEM;
        return false;
    }
    size_t need = b->len + extra;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (p == NULL) {
        b->err = MPC_ERR_NOMEM;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void node_client_buf_put(node_client_buf *b, const void *p, size_t len)
{
    if (len == 0 || !reserve(b, len))
        return;
    memcpy(b->p + b->len, p, len);
    b->len += len;
}

void node_client_buf_lit(node_client_buf *b, const char *s)
{
    node_client_buf_put(b, s, strlen(s));
}

void node_client_buf_u64(node_client_buf *b, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    node_client_buf_put(b, tmp + sizeof tmp - n, n);
}

/*
 * Length of the valid UTF-8 sequence at s[0..n), or 0 if none starts
 * there. Valid means what Go's utf8 package accepts: shortest form, no
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
 */
static size_t utf8_len(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    size_t len;
    uint8_t lo = 0x80, hi = 0xbf; /* bounds of the second byte */
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0; /* overlong below U+0800 */
        else if (c == 0xed)
            hi = 0x9f; /* surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90; /* overlong below U+10000 */
        else if (c == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

/* The escape for ASCII byte c, or NULL if Go copies it as is. */
static const char *ascii_escape(uint8_t c, char tmp[7])
{
    static const char hex[] = "0123456789abcdef";
    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\b':
        return "\\b";
    case '\f':
        return "\\f";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    case '<':
    case '>':
    case '&':
        break;
    default:
        if (c >= 0x20)
            return NULL;
        break;
    }
    memcpy(tmp, "\\u00", 4);
    tmp[4] = hex[c >> 4];
    tmp[5] = hex[c & 0xf];
    tmp[6] = '\0';
    return tmp;
}

void node_client_json_str(node_client_buf *b, const char *str, size_t len)
{
    const uint8_t *s = (const uint8_t *)str;
    node_client_buf_put(b, "\"", 1);
    size_t i = 0, start = 0; /* s[start..i) is pending verbatim output */
    while (i < len) {
        const char *esc = NULL;
        char tmp[7];
        size_t width = 1;
        if (s[i] < 0x80) {
            esc = ascii_escape(s[i], tmp);
        } else {
            width = utf8_len(s + i, len - i);
            if (width == 0) {
                esc = "\\ufffd";
                width = 1;
            } else if (width == 3 && s[i] == 0xe2 && s[i + 1] == 0x80 &&
                       (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
                esc = s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029";
            }
        }
        if (esc != NULL) {
            node_client_buf_put(b, s + start, i - start);
            node_client_buf_lit(b, esc);
            start = i + width;
        }
        i += width;
    }
    node_client_buf_put(b, s + start, len - start);
    node_client_buf_put(b, "\"", 1);
}

void node_client_json_cstr(node_client_buf *b, const char *s)
{
    node_client_json_str(b, s ? s : "", s ? strlen(s) : 0);
}

void node_client_json_bytes(node_client_buf *b, const uint8_t *p, size_t len)
{
    if (p == NULL) {
        node_client_buf_lit(b, "null");
        return;
    }
    if (len > (SIZE_MAX / 4) * 3 - 3) {
        node_client_buf_fail(b, MPC_ERR_NOMEM);
        return;
    }
    /* sodium writes the NUL too; reserve it, then do not count it. */
    size_t enc = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    node_client_buf_put(b, "\"", 1);
    if (!reserve(b, enc))
        return;
    sodium_bin2base64((char *)b->p + b->len, enc, p, len,
                      sodium_base64_VARIANT_ORIGINAL);
    b->len += enc - 1;
    node_client_buf_put(b, "\"", 1);
}

void node_client_json_key(node_client_buf *b, const char *key, bool first)
{
    node_client_buf_put(b, first ? "{" : ",", 1);
    node_client_json_cstr(b, key);
    node_client_buf_put(b, ":", 1);
}

mpc_err node_client_gojson_string(uint8_t **out, size_t *out_len, const char *s,
                                  size_t len)
{
    if (out == NULL || out_len == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    *out_len = 0;
    if (s == NULL && len > 0)
        return MPC_ERR_INVALID_ARG;
    node_client_buf b;
    node_client_buf_init(&b);
    node_client_json_str(&b, s ? s : "", len);
    return node_client_buf_take(&b, out, out_len);
}
