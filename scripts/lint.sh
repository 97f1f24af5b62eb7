#!/usr/bin/env bash
# make lint: proves what review alone cannot.
#  1. lib/ purity: libmpc.a references no socket, clock, thread, file,
#     stdio, env or self-seeded randomness symbols.
#  2. Every external symbol defined in libmpc.a starts with mpc_.
#  3. Every public header compiles on its own.
#  4. Every error code has a row in the error table.
#  5. Formatting matches .clang-format.
set -uo pipefail
lib=${1:?usage: lint.sh path/to/libmpc.a}
fail=0
say() { printf 'lint: %s\n' "$*"; }

# 1. purity
forbidden='^(socket|connect|bind|listen|accept|accept4|send|sendto|sendmsg|recv|recvfrom|recvmsg|getaddrinfo|poll|select|epoll_.*|read|write|open|open64|openat|close|fopen|fopen64|fdopen|fclose|fread|fwrite|fgets|fputs|fflush|printf|fprintf|vfprintf|dprintf|puts|putchar|perror|stdout|stderr|stdin|clock_gettime|clock|time|gettimeofday|sleep|usleep|nanosleep|pthread_.*|thrd_.*|mtx_.*|getenv|secure_getenv|setenv|rand|random|srand|srandom|drand48|arc4random.*|getrandom|randombytes_.*|crypto_.*_keypair|crypto_core_ed25519_random|crypto_core_ed25519_scalar_random|crypto_core_ristretto255_random|crypto_core_ristretto255_scalar_random|fork|exec.*|system|syslog|dlopen)$'
bad=$(nm -u "$lib" 2>/dev/null | awk '{print $2}' | sed 's/@.*//' | sort -u | grep -E "$forbidden" || true)
if [ -n "$bad" ]; then say "lib/ references forbidden symbols:"; echo "$bad" | sed 's/^/  /'; fail=1; fi

# 2. prefix
bad=$(nm -g --defined-only "$lib" 2>/dev/null | awk 'NF==3 {print $3}' | grep -v '^mpc_' | sort -u || true)
if [ -n "$bad" ]; then say "external symbols without the mpc_ prefix:"; echo "$bad" | sed 's/^/  /'; fail=1; fi

# 3. standalone headers
cflags=$(pkg-config --cflags libsodium libsecp256k1 gmp 2>/dev/null)
for h in include/mpc/*.h; do
  if ! printf '#include "%s"\n' "${h#include/}" | gcc -std=c11 -Wall -Wextra -Werror -pedantic -Iinclude -I. $cflags -fsyntax-only -x c - 2>/tmp/lint-hdr.$$; then
    say "$h does not compile on its own:"; sed 's/^/  /' /tmp/lint-hdr.$$; fail=1
  fi
done
rm -f /tmp/lint-hdr.$$

# 4. error table
for code in $(grep -oE '^\s+MPC_(OK|ERR_[A-Z_]+) =' include/mpc/err.h | awk '{print $1}'); do
  grep -q "{$code, \"$code\"" lib/core/err.c || { say "no error-table row for $code"; fail=1; }
done

# 5. format
if command -v clang-format >/dev/null; then
  files=$(git ls-files '*.c' '*.h' 2>/dev/null)
  if [ -n "$files" ] && ! clang-format --dry-run -Werror $files >/tmp/lint-fmt.$$ 2>&1; then
    say "formatting differs from .clang-format (run: make format):"
    grep -E '^[^ ].*(warning|error)' /tmp/lint-fmt.$$ | sed 's/:.*//' | sort -u | sed 's/^/  /'; fail=1
  fi
  rm -f /tmp/lint-fmt.$$
else
  say "clang-format missing (make deps installs it)"; fail=1
fi

[ $fail -eq 0 ] && say "ok"
exit $fail
