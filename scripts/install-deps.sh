#!/usr/bin/env bash
# Install what sipl needs to build and test, from Debian's archive only.
# Idempotent and quick when everything is there: apt-get runs only when a
# package is missing. Add packages here, never only on your machine.
set -euo pipefail

packages=(
  # build
  meson ninja-build pkg-config gcc clang python3
  libglib2.0-dev libgnutls28-dev libp11-kit-dev libxml2-dev libvirt-dev
  # real parts the tests use
  gnutls-bin openssl softhsm2 p11-kit libxml2-utils
  libvirt-daemon libvirt-clients gettext
  # libvirt session daemon with the QEMU driver and Debian's s390x QEMU (tokens)
  libvirt-daemon-driver-qemu qemu-system-misc passwd util-linux
  # mgmt: glib-compile-resources (schema built in), libvirt's domain.rng
  libglib2.0-dev-bin libvirt0
  # guest half, big-endian: cross compiler and qemu-user
  gcc-s390x-linux-gnu libc6-dev-s390x-cross qemu-user
  # sipl-boot --json; real-zipl boot test (loop device, ext2, dpkg-deb)
  libjson-glib-dev e2fsprogs mount dpkg
)

missing=()
for p in "${packages[@]}"; do
  [[ $p == \#* ]] && continue
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "sipl: installing ${missing[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
