/*
 * tests/fuzz/zk_decode.h — the one body of the MtA proof decoder targets
 * (fuzz_zk_enc, fuzz_zk_logstar, fuzz_zk_affg, fuzz_zk_chi). A target
 * describes its proof type by a zkf_proof table and hands its input to
 * zkf_decode_run:
 *
 *   byte 0  bit 0: the parameter set (compat-2048, or 128-3072 when set);
 *           low two bits == 2: also verify an accepted proof against the
 *           statement of zk_mta_fixture.h (slow; compat-2048 only)
 *   rest    the proof encoding
 *
 * Checked besides memory safety: a rejected input is MPC_ERR_PARSE with a
 * zeroed proof; an accepted one re-serializes to exactly the same bytes
 * (one encoding per proof); verification returns MPC_OK or MPC_ERR_VERIFY,
 * whatever values the proof holds. A broken check aborts.
 */
#ifndef MPC_FUZZ_ZK_DECODE_H
#define MPC_FUZZ_ZK_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"
#include "mpc/params.h"
#include "mpc/transcript.h"
#include "tests/fuzz/zk_mta_fixture.h"

/* One proof type; `p` is the target's proof struct. */
typedef struct zkf_proof {
    void (*init)(void *p);
    void (*clear)(void *p);
    mpc_err (*parse)(const zkf_setting *z, void *p, const mpc_params *params,
                     const uint8_t *in, size_t len);
    mpc_err (*serialize)(uint8_t *out, size_t len, const mpc_params *params,
                         const void *p);
    /* p holds nothing (what a failed parse must leave). */
    bool (*is_zero)(const void *p);
    /* Verifies p against the fixture statement under transcript t. */
    mpc_err (*verify)(const zkf_setting *z, mpc_transcript *t, const void *p);
} zkf_proof;

/* The whole of LLVMFuzzerTestOneInput for proof type `type`; proof:
 * storage for one proof of that type. Returns 0. */
int zkf_decode_run(const zkf_proof *type, void *proof, const uint8_t *data,
                   size_t size);

#endif /* MPC_FUZZ_ZK_DECODE_H */
