#!/usr/bin/env bash
# Build an s390x sysroot with Debian's real zipl (s390-tools), kernel
# (linux-image-*-s390x) and sign-file (linux-kbuild-6.1), for the real-zipl
# boot test (tests/boot). Run the binaries with `qemu-s390x -L SYSROOT`.
#
#   scripts/zipl-sysroot.sh CACHEDIR
#
# Prints the sysroot path on stdout. Packages are fetched with
# `apt-get download` (after `dpkg --add-architecture s390x` and
# `apt-get update` when the s390x indexes are missing) and unpacked with
# `dpkg-deb -x`; a finished sysroot is reused. Only Debian's archive is used.
#
# Exit codes: 0 ready; 77 the archive cannot be reached (the test skips);
# 1 anything else (the test fails).
set -euo pipefail

cache=${1:?usage: zipl-sysroot.sh CACHEDIR}
sysroot=$cache/sysroot
stamp=$sysroot/.sipl-complete

if [[ -f $stamp ]]; then
  echo "$sysroot"
  exit 0
fi

sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo -n)

unreachable() {
  echo "zipl-sysroot: Debian archive unreachable: $*" >&2
  exit 77
}

if ! dpkg --print-foreign-architectures | grep -qx s390x; then
  "${sudo_cmd[@]}" dpkg --add-architecture s390x
fi
if ! apt-cache show s390-tools:s390x >/dev/null 2>&1; then
  "${sudo_cmd[@]}" apt-get update -qq || unreachable "apt-get update failed"
  apt-cache show s390-tools:s390x >/dev/null 2>&1 ||
    unreachable "no s390x package index after apt-get update"
fi

# The kernel flavour the linux-image-s390x metapackage points at, so the
# test follows Debian's current 6.1 kernel.
kimage=$(apt-cache depends linux-image-s390x:s390x 2>/dev/null |
  sed -n 's/^ *Depends: \(linux-image-[0-9.-]*-s390x\)\(:s390x\)\?$/\1/p' | head -n1)
[[ -n $kimage ]] || { echo "zipl-sysroot: cannot resolve linux-image-s390x" >&2; exit 1; }

# zipl and sign-file plus the shared libraries they load.
pkgs=(s390-tools linux-kbuild-6.1 "$kimage"
      libc6 libgcc-s1 zlib1g libssl3 libelf1)

debs=$cache/debs
mkdir -p "$debs"
for p in "${pkgs[@]}"; do
  if ! compgen -G "$debs/${p}_*_s390x.deb" >/dev/null; then
    (cd "$debs" && apt-get download -q "$p:s390x" >/dev/null 2>"$debs/$p.log") ||
      { cat "$debs/$p.log" >&2
        if grep -qiE 'temporary failure|could not resolve|failed to fetch|connection' "$debs/$p.log"; then
          unreachable "apt-get download $p:s390x"
        fi
        exit 1; }
  fi
done

tmp=$(mktemp -d "$cache/sysroot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for d in "$debs"/*.deb; do
  dpkg-deb -x "$d" "$tmp"
done
# Kernel modules are not needed and make per-test copies slow.
rm -rf "$tmp/lib/modules" "$tmp/usr/lib/modules"
# merged-/usr layout of Debian 12: the s390x loader is looked up as /lib/...
for l in lib lib64 bin sbin; do
  if [[ -d $tmp/usr/$l && ! -e $tmp/$l ]]; then
    ln -s "usr/$l" "$tmp/$l"
  elif [[ -d $tmp/usr/$l && -d $tmp/$l && ! -L $tmp/$l ]]; then
    cp -a "$tmp/$l/." "$tmp/usr/$l/" && rm -rf "${tmp:?}/$l" && ln -s "usr/$l" "$tmp/$l"
  fi
done
touch "$tmp/.sipl-complete"
rm -rf "$sysroot"
mv "$tmp" "$sysroot"
trap - EXIT
echo "$sysroot"
