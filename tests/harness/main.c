/* The test runner: registration, per-test forked processes, parallel jobs,
 * a printed seed, and the closing `N passed, N failed` line. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "mpc/mem.h"
#include "tests/harness/test.h"

#define MAX_TESTS 4096
#define MAX_EXTRA_CTX 64

struct test_case {
    const char *name;
    const char *file;
    test_fn fn;
};

static struct test_case tests[MAX_TESTS];
static size_t ntests;

static uint8_t run_seed[16];
static bool failed_flag;

static mpc_drbg cur_drbg;
static mpc_ctx *cur_ctx;
static mpc_drbg extra_drbg[MAX_EXTRA_CTX];
static mpc_ctx *extra_ctx[MAX_EXTRA_CTX];
static size_t nextra;
static const char *cur_name;

void test_register(const char *name, test_fn fn, const char *file)
{
    if (ntests == MAX_TESTS) {
        fprintf(stderr, "too many tests\n");
        exit(2);
    }
    tests[ntests++] = (struct test_case){name, file, fn};
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
    failed_flag = true;
    va_list ap;
    fprintf(stdout, "  FAIL %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

bool test_failed(void)
{
    return failed_flag;
}

static void seed_drbg(mpc_drbg *d, const char *label)
{
    uint8_t buf[sizeof run_seed + 256];
    size_t n = strlen(label);
    if (n > 256)
        n = 256;
    memcpy(buf, run_seed, sizeof run_seed);
    memcpy(buf + sizeof run_seed, label, n);
    mpc_drbg_init(d, buf, sizeof run_seed + n);
}

static mpc_ctx *make_ctx(mpc_drbg *d)
{
    mpc_ctx_config cfg = {.rng = mpc_drbg_fill, .rng_ud = d};
    mpc_ctx *ctx = NULL;
    if (mpc_ctx_new(&ctx, &cfg) != MPC_OK) {
        fprintf(stdout, "  FAIL: mpc_ctx_new\n");
        exit(1);
    }
    return ctx;
}

const mpc_ctx *test_ctx(void)
{
    return cur_ctx;
}
mpc_drbg *test_drbg(void)
{
    return &cur_drbg;
}

const mpc_ctx *test_new_ctx(const char *label)
{
    if (nextra == MAX_EXTRA_CTX) {
        fprintf(stdout, "  FAIL: too many test contexts\n");
        exit(1);
    }
    char full[512];
    snprintf(full, sizeof full, "%s/%s", cur_name, label);
    seed_drbg(&extra_drbg[nextra], full);
    extra_ctx[nextra] = make_ctx(&extra_drbg[nextra]);
    return extra_ctx[nextra++];
}

int test_iters(int dflt)
{
    const char *s = getenv("MPC_TEST_ITERS");
    long pct = s ? strtol(s, NULL, 10) : 100;
    long n = (long)dflt * pct / 100;
    return n < 1 ? 1 : (int)n;
}

bool test_unhex(uint8_t *out, size_t out_len, const char *hex)
{
    size_t bin_len = 0;
    if (strlen(hex) != 2 * out_len)
        return false;
    return sodium_hex2bin(out, out_len, hex, strlen(hex), NULL, &bin_len,
                          NULL) == 0 &&
           bin_len == out_len;
}

char *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, cap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    buf[n] = 0;
    if (len)
        *len = n;
    return buf;
}

/* Runs one test in the current process; returns 0 on pass. */
static int run_one(const struct test_case *tc)
{
    failed_flag = false;
    nextra = 0;
    cur_name = tc->name;
    seed_drbg(&cur_drbg, tc->name);
    cur_ctx = make_ctx(&cur_drbg);
    tc->fn();
    mpc_ctx_free(cur_ctx);
    for (size_t i = 0; i < nextra; i++)
        mpc_ctx_free(extra_ctx[i]);
    cur_ctx = NULL;
    return failed_flag ? 1 : 0;
}

struct job {
    pid_t pid;
    size_t idx;
    FILE *out;
    struct timespec start;
};

static double elapsed_ms(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) * 1e3 +
           (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

static void print_output(FILE *out)
{
    char buf[4096];
    size_t n;
    fflush(out);
    rewind(out);
    while ((n = fread(buf, 1, sizeof buf, out)) > 0)
        fwrite(buf, 1, n, stdout);
    fclose(out);
}

static bool selected(const struct test_case *tc, char **only, int nonly)
{
    if (nonly == 0)
        return true;
    for (int i = 0; i < nonly; i++)
        if (strstr(tc->name, only[i]) != NULL)
            return true;
    return false;
}

static int cmp_tests(const void *a, const void *b)
{
    const struct test_case *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    return c ? c : strcmp(x->name, y->name);
}

static void usage(void)
{
    puts("usage: mpc-tests [--list] [--only SUBSTR]... [--seed HEX32] "
         "[-j JOBS] [--no-fork]");
}

int main(int argc, char **argv)
{
    char *only[64];
    int nonly = 0, jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
    bool list = false, nofork = false, seeded = false;

    mpc_gmp_use_zeroing_allocator();
    if (sodium_init() < 0)
        return 2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--list"))
            list = true;
        else if (!strcmp(argv[i], "--no-fork"))
            nofork = true;
        else if (!strcmp(argv[i], "--only") && i + 1 < argc && nonly < 64)
            only[nonly++] = argv[++i];
        else if (!strcmp(argv[i], "-j") && i + 1 < argc)
            jobs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            if (!test_unhex(run_seed, sizeof run_seed, argv[++i])) {
                fprintf(stderr, "--seed takes 32 hex digits\n");
                return 2;
            }
            seeded = true;
        } else {
            usage();
            return 2;
        }
    }
    if (!seeded) {
        const char *env = getenv("MPC_TEST_SEED");
        if (env != NULL && test_unhex(run_seed, sizeof run_seed, env))
            seeded = true;
        else
            randombytes_buf(run_seed, sizeof run_seed);
    }
    if (jobs < 1)
        jobs = 1;
    qsort(tests, ntests, sizeof tests[0], cmp_tests);

    if (list) {
        for (size_t i = 0; i < ntests; i++)
            if (selected(&tests[i], only, nonly))
                printf("%s\n", tests[i].name);
        return 0;
    }

    char hex[2 * sizeof run_seed + 1];
    sodium_bin2hex(hex, sizeof hex, run_seed, sizeof run_seed);
    printf("seed %s (replay: --seed %s --only NAME)\n", hex, hex);
    fflush(stdout);

    size_t passed = 0, failed = 0, next = 0;
    struct job running[64];
    int nrun = 0;
    if (jobs > 64)
        jobs = 64;

    for (;;) {
        while (!nofork && nrun < jobs && next < ntests) {
            const struct test_case *tc = &tests[next];
            if (!selected(tc, only, nonly)) {
                next++;
                continue;
            }
            FILE *out = tmpfile();
            if (out == NULL) {
                perror("tmpfile");
                return 2;
            }
            fflush(stdout);
            struct job j = {.idx = next, .out = out};
            clock_gettime(CLOCK_MONOTONIC, &j.start);
            j.pid = fork();
            if (j.pid < 0) {
                perror("fork");
                return 2;
            }
            if (j.pid == 0) {
                dup2(fileno(out), STDOUT_FILENO);
                dup2(fileno(out), STDERR_FILENO);
                int rc = run_one(tc);
                fflush(stdout);
                _exit(rc);
            }
            running[nrun++] = j;
            next++;
        }
        if (nofork) {
            for (; next < ntests; next++) {
                if (!selected(&tests[next], only, nonly))
                    continue;
                struct timespec t0;
                clock_gettime(CLOCK_MONOTONIC, &t0);
                int rc = run_one(&tests[next]);
                printf("%s %s (%.0f ms)\n", rc ? "FAIL" : "ok  ",
                       tests[next].name, elapsed_ms(&t0));
                rc ? failed++ : passed++;
            }
            break;
        }
        if (nrun == 0)
            break;
        int status;
        pid_t pid = wait(&status);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            perror("wait");
            return 2;
        }
        for (int k = 0; k < nrun; k++) {
            if (running[k].pid != pid)
                continue;
            const struct test_case *tc = &tests[running[k].idx];
            bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            printf("%s %s (%.0f ms)\n", ok ? "ok  " : "FAIL", tc->name,
                   elapsed_ms(&running[k].start));
            if (!ok && WIFSIGNALED(status))
                printf("  FAIL: killed by signal %d\n", WTERMSIG(status));
            if (!ok || getenv("MPC_TEST_VERBOSE"))
                print_output(running[k].out);
            else
                fclose(running[k].out);
            ok ? passed++ : failed++;
            running[k] = running[--nrun];
            break;
        }
        fflush(stdout);
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    return failed ? 1 : 0;
}
