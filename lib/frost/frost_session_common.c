/* What the FROST round tables share: key checks, key confirmation, payload
 * readers that blame, and key results (include/mpc/frost_session.h). */
#include <string.h>

#include "lib/frost/frost_session_internal.h"
#include "mpc/mem.h"
#include "mpc/transcript.h"
#include "mpc/vss.h"
#include "mpc/wire.h"

const mpc_group *mpc_frost_session_group(const mpc_session_info *info)
{
    return mpc_ctx_group(info->ctx, MPC_CURVE_ED25519);
}

bool mpc_frost_session_ids_ok(const mpc_group *g, const mpc_scalar *ids,
                              size_t n)
{
    return ids != NULL && mpc_vss_ids_check_var(g, ids, n) == MPC_OK;
}

mpc_err mpc_frost_session_key_check(const mpc_group *g,
                                    const mpc_frost_key_package *key,
                                    const mpc_scalar *ids,
                                    const mpc_point *vshares, size_t n,
                                    size_t self)
{
    if (key == NULL || vshares == NULL || self >= n ||
        !mpc_frost_session_ids_ok(g, ids, n) || key->threshold < 2 ||
        key->threshold > n ||
        memcmp(ids[self].v, key->id.v, sizeof key->id.v) != 0 ||
        mpc_point_is_identity(g, &key->group_pk))
        return MPC_ERR_INVALID_ARG;
    /* A share that does not match its published verifying share would get
     * this party blamed by every other one: refuse it here. */
    mpc_point mine;
    mpc_point_mul_base(g, &mine, &key->share);
    bool ok = mpc_point_eq(g, &mine, &vshares[self]);
    mpc_wipe(&mine, sizeof mine);
    return ok ? MPC_OK : MPC_ERR_INVALID_ARG;
}

void mpc_frost_session_confirm_digest(
    const mpc_session_info *info, uint8_t out[MPC_FROST_CONFIRM_BYTES],
    const char *label, const mpc_point *group_pk, const mpc_scalar *ids,
    const mpc_point *vshares, size_t n, size_t t)
{
    const mpc_group *g = mpc_frost_session_group(info);
    mpc_transcript tr = info->seed;
    mpc_transcript_append(&tr, "confirm", (const uint8_t *)label,
                          strlen(label));
    mpc_transcript_append_u64(&tr, "threshold", t);
    mpc_transcript_append_point(&tr, g, "group-key", group_pk);
    mpc_transcript_append_u64(&tr, "members", n);
    for (size_t k = 0; k < n; k++) {
        mpc_transcript_append_scalar(&tr, g, "id", &ids[k]);
        mpc_transcript_append_point(&tr, g, "vshare", &vshares[k]);
    }
    mpc_transcript_challenge(&tr, "digest", out, MPC_FROST_CONFIRM_BYTES);
    mpc_transcript_clear(&tr);
}

mpc_err mpc_frost_session_confirm_check(
    mpc_session_inbox *in, unsigned n, unsigned self,
    const uint8_t mine[MPC_FROST_CONFIRM_BYTES], const char *detail)
{
    mpc_err err = MPC_OK;
    for (unsigned j = 0; j < n; j++) {
        const uint8_t *p;
        size_t len;
        if (j == self || !mpc_session_inbox_bcast(in, j, &p, &len))
            continue;
        if (len != MPC_FROST_CONFIRM_BYTES) {
            mpc_session_inbox_blame(in, j, MPC_BLAME_PARSE, detail);
            err = err != MPC_OK ? err : MPC_ERR_PARSE;
        } else if (memcmp(p, mine, MPC_FROST_CONFIRM_BYTES) != 0) {
            /* Public digests: memcmp is fine. */
            mpc_session_inbox_blame(in, j, MPC_BLAME_VERIFY, detail);
            err = err != MPC_OK ? err : MPC_ERR_VERIFY;
        }
    }
    return err;
}

mpc_err mpc_frost_session_read_commitments(const mpc_group *g,
                                           mpc_session_inbox *in, unsigned from,
                                           mpc_point *commit, size_t t,
                                           const char *detail)
{
    const uint8_t *p;
    size_t len;
    size_t pt = mpc_group_point_bytes(g);
    /* Callers ask for planned broadcasts only; a missing one would read
     * as empty (NULL, 0) and be refused below. */
    (void)mpc_session_inbox_bcast(in, from, &p, &len);
    if (len != t * pt && len > 0 && len % pt == 0) {
        for (size_t k = 0; k < t; k++)
            mpc_point_set_identity(g, &commit[k]);
        mpc_session_inbox_blame(in, from, MPC_BLAME_PROTOCOL,
                                "frost: commitment count is not the threshold");
        return MPC_ERR_PROTOCOL;
    }
    if (mpc_vss_commitment_parse(g, commit, t, p, len) != MPC_OK) {
        mpc_session_inbox_blame(in, from, MPC_BLAME_PARSE, detail);
        return MPC_ERR_PARSE;
    }
    return MPC_OK;
}

mpc_err mpc_frost_session_read_scalar(const mpc_group *g, mpc_session_inbox *in,
                                      unsigned from, bool p2p, mpc_scalar *out,
                                      const char *detail)
{
    const uint8_t *p;
    size_t len;
    bool there = p2p ? mpc_session_inbox_p2p(in, from, &p, &len)
                     : mpc_session_inbox_bcast(in, from, &p, &len);
    if (there && mpc_frost_share_parse(g, out, p, len) == MPC_OK)
        return MPC_OK;
    mpc_scalar_set_zero(out);
    mpc_session_inbox_blame(in, from, MPC_BLAME_PARSE, detail);
    return MPC_ERR_PARSE;
}

void mpc_frost_session_result_fill(mpc_frost_key_result *r, const mpc_ctx *ctx,
                                   mpc_frost_key_package *key, size_t self,
                                   const mpc_point *group_pk, size_t t,
                                   mpc_scalar **ids, mpc_point **vshares,
                                   size_t n)
{
    memset(r, 0, sizeof *r);
    r->ctx = ctx;
    r->group_pk = *group_pk; /* first: it may point into *key */
    r->has_key = key != NULL;
    if (key != NULL) {
        r->key = *key;
        r->self = self;
        mpc_frost_key_package_clear(key);
    }
    r->n = n;
    r->threshold = t;
    r->ids = *ids;
    r->vshares = *vshares;
    *ids = NULL;
    *vshares = NULL;
}

void mpc_frost_key_result_clear(mpc_frost_key_result *r)
{
    if (r == NULL)
        return;
    mpc_frost_key_package_clear(&r->key);
    if (r->ctx != NULL) {
        MPC_FROST_SESSION_FREE(r->ctx, r->ids, r->n);
        MPC_FROST_SESSION_FREE(r->ctx, r->vshares, r->n);
    }
    /* The share is wiped above; the rest is public. Defined zeros (not
     * poisoned memory) let callers test a cleared result. */
    memset(r, 0, sizeof *r);
}
