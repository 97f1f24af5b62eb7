/*
 * tests/bench/bench_fixture.c — the committed fixture primes for benches
 * (tests/vectors/paillier-fixtures.txt, read from the repo root as `make
 * bench` runs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/bench/bench.h"

#define FIXTURES "tests/vectors/paillier-fixtures.txt"

bool bench_fixture_primes(size_t bits, size_t first, mpz_t *out, size_t count)
{
    FILE *f = fopen(FIXTURES, "r");
    if (f == NULL) {
        fprintf(stderr, "bench: cannot open %s\n", FIXTURES);
        return false;
    }
    char line[2048];
    size_t seen = 0, got = 0;
    while (got < count && fgets(line, sizeof line, f) != NULL) {
        char *hex = NULL;
        if (line[0] == '#' || strtoul(line, &hex, 10) != bits || *hex != ' ')
            continue;
        if (seen++ < first)
            continue;
        hex[strcspn(hex, "\n")] = 0;
        if (mpz_set_str(out[got], hex + 1, 16) == 0)
            got++;
    }
    fclose(f);
    return got == count;
}

void bench_require(bool ok, const char *who)
{
    if (!ok) {
        fprintf(stderr, "%s: set-up failed\n", who);
        abort();
    }
}
