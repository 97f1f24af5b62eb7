/*
 * node/payload.c — see payload.h. Each bound names the round it comes from;
 * sizes of proofs and ciphertexts are the library's own (mpc_zk_*_bytes,
 * params->ct_bytes), so only the list of what a round writes lives here.
 */
#include "node/payload.h"

#include "mpc/cggmp.h"
#include "mpc/frost.h"
#include "mpc/group.h"
#include "mpc/schnorr.h"
#include "mpc/session.h"
#include "mpc/zk_affg.h"
#include "mpc/zk_chi.h"
#include "mpc/zk_enc.h"
#include "mpc/zk_fac.h"
#include "mpc/zk_logstar.h"
#include "mpc/zk_mod.h"
#include "mpc/zk_prm.h"
#include "node/envelope.h"

/* Random strings in CGGMP openings: ρ/rid, chain code, u (32 bytes each). */
#define CGGMP_RAND_BYTES 32u

static size_t max2(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* Engine framing around a payload, with an echo digest per party. */
static size_t frame(unsigned n, size_t payload)
{
    return MPC_SESSION_HEADER_BYTES + 4 + (size_t)n * MPC_SESSION_DIGEST_BYTES +
           4 + payload;
}

/* Keygen and reshare openings: random strings and t <= n VSS points;
 * their other messages are a scalar, a hash or a Schnorr proof. */
static size_t opening_bytes(unsigned n)
{
    return 3 * CGGMP_RAND_BYTES + (size_t)n * MPC_SECP256K1_POINT_BYTES +
           MPC_SCHNORR_PROOF_MAX_BYTES;
}

/* lib/cggmp/aux_info.c: N, s, t, Πprm, ρ, u (round 2 broadcast); Πmod
 * (round 3 broadcast); Πfac (round 3 P2P). */
static size_t aux_bytes(const mpc_params *p)
{
    size_t r2 =
        3 * p->n_bytes + mpc_zk_prm_proof_bytes(p) + 2 * CGGMP_RAND_BYTES;
    return max2(r2, max2(mpc_zk_mod_proof_bytes(p), mpc_zk_fac_proof_bytes(p)));
}

/* lib/cggmp/presign.c. Round 1: K, G (broadcast), Πenc (P2P). Round 2: Γ
 * and D, F, D̂, F̂ for each peer (broadcast: the largest CGGMP message at
 * 64 parties); two Πaff-g and Πlog* (P2P). Round 3: δ, Δ, S (broadcast);
 * Πlog* (P2P). Round 4, only after failed output checks: D⁰, Y⁰ twice
 * (broadcast); two Πaff-g and two Πlog*χ (P2P); else empty, or in
 * interactive signing one scalar. */
static size_t presign_bytes(unsigned n, const mpc_params *p)
{
    size_t ct = p->ct_bytes, affg = mpc_zk_affg_proof_bytes(p);
    size_t logstar = mpc_zk_logstar_proof_bytes(p);
    size_t r1 = max2(2 * ct, mpc_zk_enc_proof_bytes(p));
    size_t r2b = MPC_SECP256K1_POINT_BYTES + (size_t)(n - 1) * 4 * ct;
    size_t r2p = 2 * affg + logstar;
    size_t r3 = max2(MPC_SCALAR_BYTES + 2 * MPC_SECP256K1_POINT_BYTES, logstar);
    size_t r4 = max2(4 * ct, 2 * (affg + mpc_zk_chi_proof_bytes(p)));
    return max2(max2(r1, r2b), max2(r2p, max2(r3, r4)));
}

size_t node_payload_cggmp_frame_bytes(unsigned n, mpc_params_id params)
{
    const mpc_params *p = mpc_params_get(params);
    if (p == NULL || n < 2 || n > MPC_CGGMP_MAX_PARTIES)
        return 0;
    size_t payload =
        max2(opening_bytes(n), max2(aux_bytes(p), presign_bytes(n, p)));
    return frame(n, payload);
}

size_t node_payload_frost_frame_bytes(unsigned n)
{
    if (n < 2 || n > MPC_SESSION_PARTIES_MAX)
        return 0;
    /* The DKG round-1 package (t <= n commitments and a proof) is the
     * largest; sign and reshare rounds send commitments and scalars. */
    size_t payload = max2(MPC_FROST_DKG_ROUND1_BYTES(n),
                          max2(MPC_FROST_COMMITMENT_BYTES, MPC_SCALAR_BYTES));
    return frame(n, payload);
}

size_t node_payload_need_bytes(void)
{
    size_t round =
        max2(max2(node_payload_cggmp_frame_bytes(MPC_CGGMP_MAX_PARTIES,
                                                 MPC_PARAMS_128),
                  node_payload_cggmp_frame_bytes(MPC_CGGMP_MAX_PARTIES,
                                                 MPC_PARAMS_COMPAT)),
             node_payload_frost_frame_bytes(MPC_SESSION_PARTIES_MAX));
    size_t body = max2(round, NODE_ENVELOPE_CONTROL_MAX_BYTES);
    return body + NODE_ENVELOPE_P2P_OVERHEAD_BYTES +
           NODE_ENVELOPE_FIELDS_MAX_BYTES + NODE_PAYLOAD_HEADERS_BYTES;
}
