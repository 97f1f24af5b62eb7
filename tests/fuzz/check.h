/*
 * tests/fuzz/check.h — the fuzz targets' assertion: a broken contract
 * aborts, which libFuzzer reports as a crash with the input that caused it.
 */
#ifndef MPC_FUZZ_CHECK_H
#define MPC_FUZZ_CHECK_H

#include <stdlib.h>

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c))                                                              \
            abort();                                                           \
    } while (0)

#endif /* MPC_FUZZ_CHECK_H */
