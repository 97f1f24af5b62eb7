/* lib/session: the frame format (layout in mpc/session.h). */
#include <string.h>

#include <sodium.h>

#include "lib/session/session_internal.h"
#include "mpc/mem.h"
#include "mpc/wire.h"

/* Field rules shared by parse and serialize. */
static bool fields_valid(mpc_session_kind kind, unsigned round, unsigned from,
                         unsigned to, size_t echo_len, size_t payload_len)
{
    if (kind != MPC_SESSION_BCAST && kind != MPC_SESSION_P2P &&
        kind != MPC_SESSION_ECHO)
        return false;
    if (round < 1 || round > 255 || from >= MPC_SESSION_PARTIES_MAX)
        return false;
    if (kind == MPC_SESSION_P2P) {
        if (to >= MPC_SESSION_PARTIES_MAX || to == from)
            return false;
    } else if (to != MPC_SESSION_TO_ALL) {
        return false;
    }
    if (echo_len % MPC_SESSION_DIGEST_BYTES != 0 ||
        echo_len > MPC_SESSION_ECHO_MAX_BYTES)
        return false;
    if (payload_len > MPC_SESSION_PAYLOAD_MAX_BYTES)
        return false;
    return kind != MPC_SESSION_ECHO || payload_len == 0;
}

mpc_err mpc_session_frame_parse(mpc_session_frame *f, const uint8_t *bytes,
                                size_t len)
{
    if (f == NULL)
        return MPC_ERR_INVALID_ARG;
    *f = (mpc_session_frame){0};
    if (bytes == NULL)
        return len == 0 ? MPC_ERR_PARSE : MPC_ERR_INVALID_ARG;

    mpc_wire_reader r;
    mpc_wire_reader_init(&r, bytes, len);
    uint8_t version = 0, kind = 0, round = 0, from = 0, to = 0;
    uint32_t protocol = 0;
    mpc_session_frame g = {0};
    mpc_err e = mpc_wire_read_u8(&r, &version);
    if (e == MPC_OK)
        e = mpc_wire_read_u8(&r, &kind);
    if (e == MPC_OK)
        e = mpc_wire_read_u32(&r, &protocol);
    if (e == MPC_OK)
        e = mpc_wire_read_bytes(&r, g.sid, sizeof g.sid);
    if (e == MPC_OK)
        e = mpc_wire_read_u8(&r, &round);
    if (e == MPC_OK)
        e = mpc_wire_read_u8(&r, &from);
    if (e == MPC_OK)
        e = mpc_wire_read_u8(&r, &to);
    if (e == MPC_OK)
        e = mpc_wire_read_var(&r, &g.echo, &g.echo_len,
                              MPC_SESSION_ECHO_MAX_BYTES);
    if (e == MPC_OK)
        e = mpc_wire_read_var(&r, &g.payload, &g.payload_len,
                              MPC_SESSION_PAYLOAD_MAX_BYTES);
    if (e == MPC_OK)
        e = mpc_wire_reader_finish(&r);
    g.kind = (mpc_session_kind)kind;
    g.protocol = protocol;
    g.round = round;
    g.from = from;
    g.to = to;
    if (e != MPC_OK || version != MPC_SESSION_VERSION ||
        !fields_valid(g.kind, g.round, g.from, g.to, g.echo_len, g.payload_len))
        return MPC_ERR_PARSE;
    *f = g;
    return MPC_OK;
}

mpc_err mpc_session_frame_serialize(mpc_wire_writer *w,
                                    const mpc_session_frame *f)
{
    if (w == NULL || f == NULL)
        return MPC_ERR_INVALID_ARG;
    if (!fields_valid(f->kind, f->round, f->from, f->to, f->echo_len,
                      f->payload_len) ||
        (f->echo == NULL && f->echo_len > 0) ||
        (f->payload == NULL && f->payload_len > 0))
        return MPC_ERR_INVALID_ARG;
    mpc_wire_write_u8(w, MPC_SESSION_VERSION);
    mpc_wire_write_u8(w, (uint8_t)f->kind);
    mpc_wire_write_u32(w, f->protocol);
    mpc_wire_write_bytes(w, f->sid, sizeof f->sid);
    mpc_wire_write_u8(w, (uint8_t)f->round);
    mpc_wire_write_u8(w, (uint8_t)f->from);
    mpc_wire_write_u8(w, (uint8_t)f->to);
    mpc_wire_write_var(w, f->echo, f->echo_len);
    mpc_wire_write_var(w, f->payload, f->payload_len);
    return MPC_OK;
}

void mpc_session_frame_digest(uint8_t out[MPC_SESSION_DIGEST_BYTES],
                              const uint8_t *frame, size_t len)
{
    static const char domain[] = "mpcium-c/session/frame-digest/v1";
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)domain, sizeof domain);
    crypto_hash_sha256_update(&st, frame, len);
    crypto_hash_sha256_final(&st, out);
}

mpc_err mpc_session_frame_build(const mpc_session *s, struct out_frame **out,
                                mpc_session_kind kind, unsigned round,
                                unsigned to, const uint8_t *echo,
                                size_t echo_len, const uint8_t *payload,
                                size_t payload_len)
{
    *out = NULL;
    mpc_session_frame f = {
        .kind = kind,
        .protocol = s->proto->id,
        .round = round,
        .from = s->info.self,
        .to = to,
        .echo = echo,
        .echo_len = echo_len,
        .payload = payload,
        .payload_len = payload_len,
    };
    memcpy(f.sid, s->info.sid, sizeof f.sid);
    size_t len = MPC_SESSION_HEADER_BYTES + 2 * MPC_WIRE_VAR_PREFIX_BYTES +
                 echo_len + payload_len;
    struct out_frame *of = mpc_ctx_alloc(s->ctx, sizeof *of + len);
    if (of == NULL)
        return MPC_ERR_NOMEM;
    of->refs = 1; /* the builder's; each queue entry adds one */
    of->len = len;
    mpc_wire_writer w;
    mpc_wire_writer_init_fixed(&w, of->data, len);
    mpc_err e = mpc_session_frame_serialize(&w, &f);
    const uint8_t *data;
    size_t n;
    if (e == MPC_OK)
        e = mpc_wire_writer_finish(&w, &data, &n);
    if (e != MPC_OK || n != len) {
        /* The engine only builds frames its plan allows. */
        mpc_ctx_free_mem(s->ctx, of, sizeof *of + len);
        return MPC_ERR_INTERNAL;
    }
    *out = of;
    return MPC_OK;
}

void mpc_session_frame_release(const mpc_session *s, struct out_frame *f)
{
    if (f == NULL || --f->refs > 0)
        return;
    mpc_ctx_free_mem(s->ctx, f, sizeof *f + f->len);
}
