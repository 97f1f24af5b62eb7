/* lib/hash/transcript: determinism, injectivity of the encoding, binding to
 * the session id, challenge chaining. */
#include "mpc/group.h"
#include "mpc/transcript.h"
#include "tests/harness/test.h"

static void challenge32(mpc_transcript t, uint8_t out[32])
{
    mpc_transcript_challenge(&t, "c", out, 32);
}

TEST(transcript_deterministic)
{
    mpc_transcript a, b;
    uint8_t sid[32] = {1}, x[32], y[32];
    mpc_transcript_init(&a, "proto", sid, sizeof sid);
    mpc_transcript_init(&b, "proto", sid, sizeof sid);
    mpc_transcript_append(&a, "m", (const uint8_t *)"hello", 5);
    mpc_transcript_append(&b, "m", (const uint8_t *)"hello", 5);
    challenge32(a, x);
    challenge32(b, y);
    CHECK_MEM(x, y, 32);
}

/* The TSSHOCK alpha-shuffle: moving bytes between adjacent fields, or
 * between a label and its value, must change the challenge. */
TEST(transcript_field_boundaries_are_injective)
{
    uint8_t sid[32] = {0}, x[32], y[32];
    mpc_transcript a, b;

    mpc_transcript_init(&a, "p", sid, sizeof sid);
    mpc_transcript_append(&a, "x", (const uint8_t *)"ab", 2);
    mpc_transcript_append(&a, "x", (const uint8_t *)"c", 1);
    mpc_transcript_init(&b, "p", sid, sizeof sid);
    mpc_transcript_append(&b, "x", (const uint8_t *)"a", 1);
    mpc_transcript_append(&b, "x", (const uint8_t *)"bc", 2);
    challenge32(a, x);
    challenge32(b, y);
    CHECK(memcmp(x, y, 32) != 0);

    mpc_transcript_init(&a, "p", sid, sizeof sid);
    mpc_transcript_append(&a, "ab", (const uint8_t *)"c", 1);
    mpc_transcript_init(&b, "p", sid, sizeof sid);
    mpc_transcript_append(&b, "a", (const uint8_t *)"bc", 2);
    challenge32(a, x);
    challenge32(b, y);
    CHECK(memcmp(x, y, 32) != 0);

    /* An empty field is still a field. */
    mpc_transcript_init(&a, "p", sid, sizeof sid);
    mpc_transcript_append(&a, "x", NULL, 0);
    mpc_transcript_init(&b, "p", sid, sizeof sid);
    challenge32(a, x);
    challenge32(b, y);
    CHECK(memcmp(x, y, 32) != 0);
}

TEST(transcript_bound_to_label_and_sid)
{
    uint8_t sid1[32] = {1}, sid2[32] = {2}, x[32], y[32], z[32];
    mpc_transcript a, b, c;
    mpc_transcript_init(&a, "proof-A", sid1, sizeof sid1);
    mpc_transcript_init(&b, "proof-B", sid1, sizeof sid1);
    mpc_transcript_init(&c, "proof-A", sid2, sizeof sid2);
    challenge32(a, x);
    challenge32(b, y);
    challenge32(c, z);
    CHECK(memcmp(x, y, 32) != 0);
    CHECK(memcmp(x, z, 32) != 0);
}

TEST(transcript_successive_challenges_differ_and_expand)
{
    uint8_t sid[32] = {0}, x[32], y[32], big[200], big2[200];
    mpc_transcript a, b;
    mpc_transcript_init(&a, "p", sid, sizeof sid);
    b = a;
    mpc_transcript_challenge(&a, "c", x, 32);
    mpc_transcript_challenge(&a, "c", y, 32);
    CHECK(memcmp(x, y, 32) != 0);
    /* A long challenge is an expansion, not a repetition of one block. */
    mpc_transcript_challenge(&b, "c", big, sizeof big);
    CHECK(memcmp(big, big + 64, 64) != 0);
    /* The requested length is absorbed: a prefix of a longer challenge is
     * not the shorter challenge. */
    mpc_transcript_init(&a, "p", sid, sizeof sid);
    mpc_transcript_challenge(&a, "c", big2, 32);
    CHECK(memcmp(big, big2, 32) != 0);
}

TEST(transcript_u64_and_scalar_point_values)
{
    const mpc_group *g = mpc_ctx_group(test_ctx(), MPC_CURVE_SECP256K1);
    const mpc_group *e = mpc_ctx_group(test_ctx(), MPC_CURVE_ED25519);
    uint8_t sid[32] = {0}, x[32], y[32];
    mpc_transcript a, b;
    mpc_scalar s;
    mpc_point p;

    mpc_transcript_init(&a, "p", sid, sizeof sid);
    mpc_transcript_append_u64(&a, "i", 1);
    mpc_transcript_init(&b, "p", sid, sizeof sid);
    mpc_transcript_append_u64(&b, "i", 256);
    challenge32(a, x);
    challenge32(b, y);
    CHECK(memcmp(x, y, 32) != 0);

    /* The same scalar value on two curves hashes differently for points
     * (the curve id is absorbed with the encoding). */
    mpc_scalar_set_u64(g, &s, 7);
    mpc_transcript_init(&a, "p", sid, sizeof sid);
    mpc_point_mul_base(g, &p, &s);
    mpc_transcript_append_point(&a, g, "P", &p);
    mpc_transcript_init(&b, "p", sid, sizeof sid);
    mpc_scalar_set_u64(e, &s, 7);
    mpc_point_mul_base(e, &p, &s);
    mpc_transcript_append_point(&b, e, "P", &p);
    challenge32(a, x);
    challenge32(b, y);
    CHECK(memcmp(x, y, 32) != 0);

    mpc_scalar c1, c2;
    mpc_transcript_init(&a, "p", sid, sizeof sid);
    b = a;
    mpc_transcript_challenge_scalar(&a, g, "c", &c1);
    mpc_transcript_challenge_scalar(&b, g, "c", &c2);
    CHECK(mpc_scalar_eq(&c1, &c2));
    CHECK(!mpc_scalar_is_zero(&c1));
    uint8_t enc[32];
    mpc_scalar_serialize(g, enc, &c1);
    CHECK_OK(mpc_scalar_parse(g, &c2, enc)); /* reduced: canonical */
}
