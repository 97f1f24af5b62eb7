/*
 * Subjects, stream and consumer names, Nats-Msg-Id keys and the ClientID
 * header (wire spec §1.1–§1.5), plus our extension streams for reshare and
 * presign requests.
 */
#include <string.h>

#include "node/client_proto.h"
#include "node/client_proto_internal.h"

typedef struct op_names {
    const char *stream;         /* request stream */
    const char *filter;         /* its subject filter */
    const char *request_prefix; /* request subject without the last token */
    const char *durable;        /* shared request consumer */
    const char *result_prefix;  /* result subject / Nats-Msg-Id prefix */
    const char *result_durable; /* client result consumer, legacy name */
} op_names;

static const op_names *names(node_client_op op)
{
    static const op_names keygen = {
        "mpc-keygen",          "mpc.keygen_request.*",  "mpc.keygen_request",
        "mpc_keygen_consumer", "mpc.mpc_keygen_result", "mpc_keygen_result"};
    static const op_names sign = {
        "mpc-signing",          "mpc.signing_request.*",  "mpc.signing_request",
        "mpc_signing_consumer", "mpc.mpc_signing_result", "mpc_signing_result"};
    static const op_names reshare = {
        "mpc-reshare",          "mpc.reshare_request.*",  "mpc.reshare_request",
        "mpc_reshare_consumer", "mpc.mpc_reshare_result", "mpc_reshare_result"};
    static const op_names presign = {
        "mpc-presign",          "mpc.presign_request.*",  "mpc.presign_request",
        "mpc_presign_consumer", "mpc.mpc_presign_result", "mpc_presign_result"};
    switch (op) {
    case NODE_CLIENT_OP_KEYGEN:
        return &keygen;
    case NODE_CLIENT_OP_SIGN:
        return &sign;
    case NODE_CLIENT_OP_RESHARE:
        return &reshare;
    case NODE_CLIENT_OP_PRESIGN:
        return &presign;
    }
    return NULL;
}

const char *node_client_request_stream(node_client_op op)
{
    const op_names *n = names(op);
    return n ? n->stream : NULL;
}

const char *node_client_request_filter(node_client_op op)
{
    const op_names *n = names(op);
    return n ? n->filter : NULL;
}

const char *node_client_request_durable(node_client_op op)
{
    const op_names *n = names(op);
    return n ? n->durable : NULL;
}

mpc_err node_client_client_id_check(const char *s, size_t len)
{
    if (len == 0)
        return MPC_OK;
    if (len > NODE_CLIENT_CLIENT_ID_MAX_BYTES ||
        !node_client_id_is_valid(s, len))
        return MPC_ERR_PARSE;
    return MPC_OK;
}

/* "" for NULL; false if the client id is neither empty nor valid. */
static bool client_id_ok(const char **cid)
{
    if (*cid == NULL)
        *cid = "";
    return node_client_client_id_check(*cid, strlen(*cid)) == MPC_OK;
}

static bool id_ok(const char *id)
{
    return id != NULL && node_client_id_is_valid(id, strlen(id));
}

/* A bounded string writer; the output stays NUL-terminated. */
typedef struct sbuf {
    char *out;
    size_t size;
    size_t len;
    bool overflow;
} sbuf;

static void sb_init(sbuf *sb, char *out, size_t size)
{
    *sb = (sbuf){.out = out, .size = size};
    if (size > 0)
        out[0] = '\0';
}

static void sb_put(sbuf *sb, const char *s, size_t n)
{
    if (sb->overflow || sb->size == 0 || n >= sb->size - sb->len) {
        sb->overflow = true;
        return;
    }
    memcpy(sb->out + sb->len, s, n);
    sb->len += n;
    sb->out[sb->len] = '\0';
}

static void sb_str(sbuf *sb, const char *s)
{
    sb_put(sb, s, strlen(s));
}

/* MPC_OK, or zeroes the output and reports a short buffer. */
static mpc_err sb_done(sbuf *sb)
{
    if (!sb->overflow && sb->size > 0)
        return MPC_OK;
    if (sb->out != NULL && sb->size > 0)
        memset(sb->out, 0, sb->size);
    return MPC_ERR_INVALID_ARG;
}

static mpc_err bad(char *out, size_t out_size)
{
    if (out != NULL && out_size > 0)
        memset(out, 0, out_size);
    return MPC_ERR_INVALID_ARG;
}

mpc_err node_client_request_subject(char *out, size_t out_size,
                                    node_client_op op, const char *id)
{
    const op_names *n = names(op);
    if (out == NULL || n == NULL || !id_ok(id))
        return bad(out, out_size);
    sbuf sb;
    sb_init(&sb, out, out_size);
    sb_str(&sb, n->request_prefix);
    sb_str(&sb, ".");
    sb_str(&sb, id);
    return sb_done(&sb);
}

/* prefix[.cid].tail */
static mpc_err result_name(char *out, size_t out_size, node_client_op op,
                           const char *cid, const char *tail)
{
    sbuf sb;
    sb_init(&sb, out, out_size);
    sb_str(&sb, names(op)->result_prefix);
    if (cid[0] != '\0') {
        sb_str(&sb, ".");
        sb_str(&sb, cid);
    }
    sb_str(&sb, ".");
    sb_str(&sb, tail);
    return sb_done(&sb);
}

mpc_err node_client_result_subject(char *out, size_t out_size,
                                   node_client_op op, const char *client_id,
                                   const char *id)
{
    if (out == NULL || names(op) == NULL || !client_id_ok(&client_id))
        return bad(out, out_size);
    if (op == NODE_CLIENT_OP_SIGN)
        id = "complete";
    else if (!id_ok(id))
        return bad(out, out_size);
    return result_name(out, out_size, op, client_id, id);
}

mpc_err node_client_result_filter(char *out, size_t out_size, node_client_op op,
                                  const char *client_id)
{
    if (out == NULL || names(op) == NULL || !client_id_ok(&client_id))
        return bad(out, out_size);
    return result_name(out, out_size, op, client_id,
                       op == NODE_CLIENT_OP_SIGN ? "complete" : "*");
}

/* Go's unicode.IsLetter(rune(b)) for one byte: ASCII and Latin-1
 * letters (ª µ º À–Ö Ø–ö ø–ÿ). */
static bool latin1_letter(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == 0xaa ||
           c == 0xb5 || c == 0xba || (c >= 0xc0 && c != 0xd7 && c != 0xf7);
}

mpc_err node_client_durable_sanitize_mpcium(char *out, size_t out_size,
                                            const char *name, size_t len)
{
    if (out == NULL || (name == NULL && len > 0))
        return bad(out, out_size);
    sbuf sb;
    sb_init(&sb, out, out_size);
    /* mpcium replaces in sequence; no replacement text contains a later
     * pattern, so one pass gives the same result. */
    for (size_t i = 0; i < len; i++) {
        switch (name[i]) {
        case '.':
        case ':':
        case ' ':
        case '-':
            sb_put(&sb, "_", 1);
            break;
        case '>':
            sb_str(&sb, "all");
            break;
        case '*':
            sb_str(&sb, "any");
            break;
        default:
            sb_put(&sb, name + i, 1);
            break;
        }
    }
    if (!sb.overflow && sb.len > 0 && out[0] != '_' &&
        !latin1_letter((unsigned char)out[0])) {
        sb_put(&sb, "_", 1); /* room check; then shift right by one */
        if (!sb.overflow) {
            memmove(out + 1, out, sb.len - 1);
            out[0] = '_';
        }
    }
    return sb_done(&sb);
}

mpc_err node_client_result_durable_mpcium(char *out, size_t out_size,
                                          node_client_op op,
                                          const char *client_id)
{
    if (out == NULL || names(op) == NULL || !client_id_ok(&client_id))
        return bad(out, out_size);
    /* mpcium: sanitize(base + "." + clientID), base alone without one. */
    char joined[NODE_CLIENT_NAME_MAX_BYTES];
    sbuf sb;
    sb_init(&sb, joined, sizeof joined);
    sb_str(&sb, names(op)->result_durable);
    if (client_id[0] != '\0') {
        sb_str(&sb, ".");
        sb_str(&sb, client_id);
    }
    if (sb_done(&sb) != MPC_OK)
        return bad(out, out_size);
    return node_client_durable_sanitize_mpcium(out, out_size, joined, sb.len);
}

mpc_err node_client_result_durable(char *out, size_t out_size,
                                   node_client_op op, const char *client_id)
{
    static const char hex[] = "0123456789abcdef";
    if (out == NULL || names(op) == NULL || !client_id_ok(&client_id))
        return bad(out, out_size);
    sbuf sb;
    sb_init(&sb, out, out_size);
    sb_str(&sb, names(op)->result_durable);
    if (client_id[0] != '\0')
        sb_str(&sb, "-");
    for (const unsigned char *c = (const unsigned char *)client_id; *c; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
            (*c >= '0' && *c <= '9') || *c == '-') {
            sb_put(&sb, (const char *)c, 1);
        } else if (*c == '_') {
            sb_str(&sb, "__");
        } else {
            char esc[3] = {'_', hex[*c >> 4], hex[*c & 0xf]};
            sb_put(&sb, esc, sizeof esc);
        }
    }
    return sb_done(&sb);
}

mpc_err node_client_result_msg_id(char *out, size_t out_size, node_client_op op,
                                  const char *client_id, const char *id,
                                  const char *session_id)
{
    if (session_id == NULL)
        session_id = "";
    if (out == NULL || names(op) == NULL || !client_id_ok(&client_id) ||
        !id_ok(id) || (session_id[0] != '\0' && !id_ok(session_id)))
        return bad(out, out_size);
    sbuf sb;
    sb_init(&sb, out, out_size);
    sb_str(&sb, names(op)->result_prefix);
    sb_str(&sb, ".");
    if (client_id[0] != '\0') {
        sb_str(&sb, client_id);
        sb_str(&sb, ":");
    }
    sb_str(&sb, id);
    if (session_id[0] != '\0') {
        sb_str(&sb, ":");
        sb_str(&sb, session_id);
    }
    return sb_done(&sb);
}
