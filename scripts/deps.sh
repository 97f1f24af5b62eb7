#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, and only those
# that are missing: a no-op when everything is present. Waits for the dpkg
# lock instead of failing when another apt is running. Uses sudo only when
# not root.
set -euo pipefail

PACKAGES=(
  build-essential pkg-config git
  libsodium-dev libsecp256k1-dev libgmp-dev
  clang libclang-rt-14-dev valgrind clang-format
  openssl libssl-dev libjansson-dev
  libnats-dev nats-server liblmdb-dev lmdb-utils libprotobuf-c-dev protobuf-c-compiler
  libyaml-dev libmicrohttpd-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
APT=(-o DPkg::Lock::Timeout=600 -y -q)
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get "${APT[@]}" update >/dev/null
$SUDO apt-get "${APT[@]}" install --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
