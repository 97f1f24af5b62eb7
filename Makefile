# mpcium-c — one entry point for building, testing and checking.
#
#   make demo     install missing Debian packages, build, run a local cluster demo
#   make test     install missing Debian packages, build, run every test suite
#                 (the arithmetic and protocol tests also on a build without
#                 AVX-512 IFMA, VARIANT=portable)
#   make asan     the same suite built with ASan+UBSan
#   make lint     lib/ purity, symbol prefix, standalone headers, error table, format
#   make bench    benchmarks (figures go in README.md)
#   make fuzz     every fuzz target for FUZZ_SECONDS seconds (clang + libFuzzer)
#
# Each variant builds into build/<variant>/ so objects built with different
# flags never mix; `build/bin` links to the release programs.

VARIANT ?= release
BUILD   ?= build/$(VARIANT)
CC      ?= gcc
ifeq ($(origin CC),default)
CC := gcc
endif

PKGS      := libsodium libsecp256k1 gmp
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lsodium -lsecp256k1 -lgmp)

WARN := -Wall -Wextra -Werror -pedantic -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wpointer-arith -Wvla -Wformat=2
BASE_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -g $(WARN) -Iinclude -I. -MMD -MP

ifeq ($(VARIANT),release)
OPT := -O2
else ifeq ($(VARIANT),asan)
OPT := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
       -fno-omit-frame-pointer
LDOPT := -fsanitize=address,undefined
else ifeq ($(VARIANT),portable)
# The limbs Montgomery engine only (no AVX-512 IFMA), as on CPUs without
# it: `make test` runs the arithmetic and protocol tests on it too.
OPT := -O2 -DMPC_BN_NO_IFMA
else ifeq ($(VARIANT),debug)
OPT := -O0 -DMPC_TEST_BUILD
else ifeq ($(VARIANT),fuzz)
CC  := clang
OPT := -O1 -fsanitize=fuzzer-no-link,address,undefined \
       -fno-sanitize-recover=all -fno-omit-frame-pointer -DMPC_FUZZ_BUILD
LDOPT := -fsanitize=address,undefined
endif

CFLAGS  := $(BASE_CFLAGS) $(OPT) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(LDOPT) $(EXTRA_LDFLAGS)
LDLIBS  := $(PKG_LIBS) -lm
# Test-only: jansson reads the JSON test vectors; OpenSSL cross-verifies.
TEST_LIBS := -ljansson -lcrypto

# lib/: every .c below lib/ goes into the archive; no list to keep in sync.
LIB_SRC := $(sort $(shell find lib -name '*.c'))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIBMPC  := $(BUILD)/libmpc.a

# node/: the daemon's modules go into libnode.a (so tests can link them);
# node/main.c is the program. Node-to-node messages are protobuf-c,
# generated from proto/ into $(BUILD)/gen (never committed).
NODE_PKGS   := jansson libnats libprotobuf-c yaml-0.1 libmicrohttpd lmdb libcrypto
NODE_CFLAGS  = $(shell pkg-config --cflags $(NODE_PKGS) 2>/dev/null)
NODE_LIBS    = $(shell pkg-config --libs $(NODE_PKGS) 2>/dev/null || echo -ljansson -lnats -lprotobuf-c -lyaml -lmicrohttpd -llmdb -lcrypto) -lpthread
PROTO_SRC   := $(sort $(shell find proto -name '*.proto' 2>/dev/null))
PROTO_GEN_C := $(PROTO_SRC:proto/%.proto=$(BUILD)/gen/%.pb-c.c)
PROTO_GEN_H := $(PROTO_GEN_C:.c=.h)
PROTO_OBJ   := $(PROTO_GEN_C:%.c=%.o)
NODE_SRC    := $(sort $(filter-out node/main.c,$(wildcard node/*.c)))
NODE_OBJ    := $(NODE_SRC:%.c=$(BUILD)/obj/%.o)
LIBNODE     := $(BUILD)/libnode.a
NODE_BIN    := $(BUILD)/bin/mpcium-node
CLI_SRC     := $(sort $(wildcard tools/cli/*.c))
CLI_OBJ     := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
CLI_BIN     := $(BUILD)/bin/mpcium-cli

# common/: OS adapters shared by programs and tests (never part of lib/).
COMMON_SRC := $(sort $(wildcard common/*.c))
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/obj/%.o)

# The unit + protocol suite: one runner, tests register themselves.
TEST_SRC := $(sort $(wildcard tests/harness/*.c tests/unit/*.c tests/protocol/*.c tests/node/*.c))
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(BUILD)/bin/mpc-tests

# Integration suite: real nats-server, nodes, gateway (own runner binary).
ITEST_SRC := $(sort $(wildcard tests/harness/*.c tests/integration/*.c))
ITEST_OBJ := $(ITEST_SRC:%.c=$(BUILD)/obj/%.o)
ITEST_BIN := $(BUILD)/bin/mpc-itests

BENCH_SRC := $(sort $(wildcard tests/bench/*.c))
BENCH_OBJ := $(BENCH_SRC:%.c=$(BUILD)/obj/%.o)
BENCH_BIN := $(BUILD)/bin/mpc-bench

# Fuzz targets: one binary per tests/fuzz/fuzz_*.c, shared helpers in tests/fuzz/*.c.
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_HELPERS := $(filter-out $(FUZZ_SRC),$(wildcard tests/fuzz/*.c))
FUZZ_SECONDS ?= 20

.PHONY: all lib test check asan debug bench lint fuzz fuzz-build deps clean \
        format ctime tests-bin help demo demo-stop
.DEFAULT_GOAL := all

PROGRAMS := $(if $(wildcard node/main.c),$(NODE_BIN)) $(if $(CLI_SRC),$(CLI_BIN))

all: $(LIBMPC) $(TEST_BIN) $(BENCH_BIN) $(PROGRAMS) $(if $(ITEST_SRC:tests/harness/%=),$(ITEST_BIN))
ifeq ($(BUILD),build/release)
	@ln -sfn release/bin build/bin
endif

lib: $(LIBMPC)

help:
	@sed -n '2,13p' Makefile

deps:
	@scripts/deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# node/, tools/ and node tests also see the generated protobuf headers and
# the daemon libraries' flags.
NODE_ALL_OBJ := $(NODE_OBJ) $(CLI_OBJ) $(BUILD)/obj/node/main.o \
                $(filter $(BUILD)/obj/tests/node/%,$(TEST_OBJ)) $(ITEST_OBJ)
$(NODE_ALL_OBJ): CFLAGS += -I$(BUILD)/gen $(NODE_CFLAGS)
$(NODE_ALL_OBJ): | $(PROTO_GEN_H)

$(BUILD)/gen/%.pb-c.c $(BUILD)/gen/%.pb-c.h: proto/%.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --proto_path=proto --c_out=$(BUILD)/gen $<

# Generated code is not ours to lint: compile it without -pedantic extras.
$(PROTO_OBJ): %.o: %.c
	$(CC) -std=c11 -O2 -g -I$(BUILD)/gen $(NODE_CFLAGS) -c $< -o $@

$(LIBNODE): $(NODE_OBJ) $(PROTO_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@
	ar rcs $@ $^

$(NODE_BIN): $(BUILD)/obj/node/main.o $(LIBNODE) $(COMMON_OBJ) $(LIBMPC)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(NODE_LIBS) $(LDLIBS)

$(CLI_BIN): $(CLI_OBJ) $(LIBNODE) $(COMMON_OBJ) $(LIBMPC)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(NODE_LIBS) $(LDLIBS)

$(ITEST_BIN): $(ITEST_OBJ) $(LIBNODE) $(COMMON_OBJ) $(LIBMPC)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(NODE_LIBS) $(LDLIBS) $(TEST_LIBS)

# Fault suite (`make test-faults`): tests/faults/*.c on the integration
# suite's cluster harness; slow (node kills, nats-server restarts, valgrind).
FTEST_SRC := $(sort $(wildcard tests/harness/*.c tests/faults/*.c) \
               tests/integration/cluster.c tests/integration/natsserver.c)
FTEST_OBJ := $(FTEST_SRC:%.c=$(BUILD)/obj/%.o)
FTEST_BIN := $(BUILD)/bin/mpc-ftests
$(FTEST_OBJ): CFLAGS += -I$(BUILD)/gen $(NODE_CFLAGS)
$(FTEST_OBJ): | $(PROTO_GEN_H)

$(FTEST_BIN): $(FTEST_OBJ) $(LIBNODE) $(COMMON_OBJ) $(LIBMPC)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(NODE_LIBS) $(LDLIBS) $(TEST_LIBS)

.PHONY: test-faults
test-faults: deps
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=$(VARIANT) $(FTEST_BIN) $(NODE_BIN)
	@MPC_SUITES=faults scripts/run-tests.sh $(BUILD)

# `make bench-cluster`: nats-server + 3 nodes on loopback, latency and
# throughput from a client's side (tests/bench-cluster/; figures in README).
BCLUSTER_SRC := $(sort $(wildcard tests/bench-cluster/*.c)) \
                tests/integration/cluster.c tests/integration/natsserver.c \
                tests/integration/e2e_util.c
BCLUSTER_OBJ := $(BCLUSTER_SRC:%.c=$(BUILD)/obj/%.o)
BCLUSTER_BIN := $(BUILD)/bin/mpc-bench-cluster
$(BCLUSTER_OBJ): CFLAGS += -I$(BUILD)/gen $(NODE_CFLAGS)
$(BCLUSTER_OBJ): | $(PROTO_GEN_H)

$(BCLUSTER_BIN): $(BCLUSTER_OBJ) $(LIBNODE) $(COMMON_OBJ) $(LIBMPC)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(NODE_LIBS) $(LDLIBS) $(TEST_LIBS)

.PHONY: bench-cluster
bench-cluster: deps
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=release \
	  build/release/bin/mpc-bench-cluster build/release/bin/mpcium-node
	build/release/bin/mpc-bench-cluster $(BENCH_CLUSTER_ARGS)

$(LIBMPC): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@
	ar rcs $@ $^

$(TEST_BIN): $(TEST_OBJ) $(COMMON_OBJ) $(LIBMPC) $(if $(NODE_SRC),$(LIBNODE))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(TEST_OBJ) $(if $(NODE_SRC),$(LIBNODE)) $(COMMON_OBJ) $(LIBMPC) $(if $(NODE_SRC),$(NODE_LIBS)) $(LDLIBS) $(TEST_LIBS)

$(BENCH_BIN): $(BENCH_OBJ) $(COMMON_OBJ) $(LIBMPC)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(BENCH_OBJ) $(COMMON_OBJ) $(LIBMPC) $(LDLIBS)

tests-bin: $(TEST_BIN) $(PROGRAMS) $(if $(wildcard tests/integration/*.c),$(ITEST_BIN))

# `make test`: set-up, build, then every suite; the aggregate line comes last.
# Builds use every core; the runners decide their own parallelism.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

test: deps
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=$(VARIANT) tests-bin
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=portable build/portable/bin/mpc-tests
	@MPC_SUITES="unit integration portable" scripts/run-tests.sh $(BUILD)

check: tests-bin
	@scripts/run-tests.sh $(BUILD)

asan: deps
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=asan tests-bin
	@ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:abort_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 scripts/run-tests.sh build/asan

bench: deps
	@$(MAKE) --no-print-directory VARIANT=release build/release/bin/mpc-bench
	build/release/bin/mpc-bench $(BENCH_ARGS)

lint: deps
	@$(MAKE) --no-print-directory VARIANT=release lib
	@scripts/lint.sh build/release/libmpc.a

# `make demo`: set-up, then a local cluster (nats-server + 3 nodes) runs
# keygen and signing (docs/demo.md). DEMO_KEEP=1 leaves it running and
# writes .demo/env; `make demo-stop` stops it.
demo: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all
	@BUILD=$(BUILD) scripts/demo.sh

demo-stop:
	@scripts/demo-stop.sh

# `make ctime`: constant-time checks under valgrind (docs/constant-time.md).
ctime: deps
	@scripts/ctime.sh

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

fuzz-build: deps
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=fuzz lib $(if $(NODE_SRC),build/fuzz/libnode.a)
	@mkdir -p build/fuzz/bin
	@for f in $(FUZZ_SRC); do \
	  n=$$(basename $$f .c); \
	  clang $(filter-out -MMD -MP,$(BASE_CFLAGS)) -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all $(PKG_CFLAGS) -DMPC_FUZZ_BUILD \
	    $(if $(NODE_SRC),-Ibuild/fuzz/gen $(NODE_CFLAGS)) \
	    -o build/fuzz/bin/$$n $$f $(FUZZ_HELPERS) \
	    $(if $(NODE_SRC),build/fuzz/libnode.a) build/fuzz/libmpc.a \
	    $(if $(NODE_SRC),$(NODE_LIBS)) $(PKG_LIBS) || exit 1; \
	done

fuzz: fuzz-build
	@scripts/fuzz.sh build/fuzz/bin $(FUZZ_SECONDS)

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BENCH_OBJ:.o=.d) $(COMMON_OBJ:.o=.d) \
         $(NODE_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(ITEST_OBJ:.o=.d) $(FTEST_OBJ:.o=.d)
