#!/usr/bin/env bash
# Boot disks written by Debian's real zipl (s390-tools, run under
# qemu-s390x) through sipl-boot, so our reading of the on-disk format is
# checked against its real producer, and compare them with sipl-mkimage's
# image of the same files.
#
#   test-zipl.sh SRCDIR        (env: SIPL_MKIMAGE, SIPL_BOOT; optional
#                               SIPL_ZIPL_CACHE, default /var/tmp/sipl-zipl-cache)
#
# Real parts: Debian's s390x zipl, stage3.bin and kernel, sign-file from
# linux-kbuild-6.1, openssl, a loop device with an ext2 file system (zipl
# maps files to disk blocks with FIBMAP, so it needs a real block device).
#
# Exit 77 (skip) only when Debian's archive cannot be reached; anything
# else that is missing is a failure.
set -euo pipefail

src=${1:?usage: test-zipl.sh SRCDIR}
cache=${SIPL_ZIPL_CACHE:-/var/tmp/sipl-zipl-cache}
mkimage=${SIPL_MKIMAGE:?}
boot=${SIPL_BOOT:?}

fail() { echo "FAIL: $*" >&2; exit 1; }

rc=0
sysroot=$("$src/scripts/zipl-sysroot.sh" "$cache") || rc=$?
if ((rc == 77)); then
  echo "SKIP: Debian archive unreachable" >&2
  exit 77
fi
((rc == 0)) || fail "scripts/zipl-sysroot.sh exited $rc"
(($(id -u) == 0)) || fail "needs root (losetup, mount)"
command -v qemu-s390x >/dev/null || fail "qemu-s390x missing (qemu-user)"

work=$(mktemp -d)
mnt=$work/mnt
loop=
cleanup() {
  mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"
  [[ -n $loop ]] && losetup -d "$loop" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
mkdir "$mnt"

# A private copy of the sysroot: the stage3.bin zipl reads is replaced.
sr=$work/sysroot
cp -a "$sysroot" "$sr"
stage3=$sr/usr/lib/s390-tools/stage3.bin
cp "$stage3" stage3.debian
kernel=$(ls "$sr"/boot/vmlinuz-*-s390x | head -n1)
[[ -f $kernel ]] || fail "no kernel in the sysroot"

openssl req -x509 -newkey rsa:3072 -nodes -keyout key.pem -out cert.pem \
  -days 30 -subj "/CN=sipl zipl test" -addext keyUsage=digitalSignature \
  2>/dev/null
fp=$(openssl x509 -in cert.pem -outform DER | sha256sum | cut -d' ' -f1)

signfile() { # in out
  qemu-s390x -L "$sr" "$sr/usr/lib/linux-kbuild-6.1/scripts/sign-file" \
    sha256 key.pem cert.pem "$1" "$2"
}

# zipl --secure 1 onto a fresh loop-attached ext2 image.
zipl_disk() { # name stage3-signed blocksize
  local name=$1 s3=$2 bs=$3
  cp "$s3" "$stage3"
  truncate -s 64M "$name.img"
  loop=$(losetup -f --show "$name.img")
  mkfs.ext2 -q -b 4096 "$loop"
  mount "$loop" "$mnt"
  mkdir "$mnt/boot"
  cp kernel.signed "$mnt/boot/image"
  qemu-s390x -L "$sr" "$sr/sbin/zipl" --secure 1 -t "$mnt/boot" \
    -i "$mnt/boot/image" -P "root=/dev/vda" --targetbase "$loop" \
    --targettype SCSI --targetblocksize "$bs" --targetoffset 0 \
    >"$name.zipl.log" 2>&1 || { cat "$name.zipl.log"; fail "zipl ($name)"; }
  umount "$mnt"
  losetup -d "$loop"
  loop=
}

# run name args... : console lines to NAME.out, JSON to NAME.json
run() {
  local name=$1; shift
  local st=0
  "$boot" --json "$@" >"$name.all" 2>"$name.err" || st=$?
  head -n -1 "$name.all" >"$name.out"
  tail -n 1 "$name.all" >"$name.json"
  echo "$st" >"$name.status"
}

check() { # name expected-status python-assertions
  local st
  st=$(cat "$1.status")
  if [[ $st != "$2" ]] || ! python3 - "$1" "$fp" <<EOF
import json, sys
name, fp = sys.argv[1], sys.argv[2]
out = open(name + ".out").read().splitlines()
j = json.load(open(name + ".json"))
lines = [l for l in out if l.strip(".")]
$3
EOF
  then
    echo "--- $1: exit $st (want $2)"; cat "$1.out" "$1.json" "$1.err"
    fail "$1"
  fi
  echo "ok $1"
}

signfile "$kernel" kernel.signed
klen=$(stat -c %s "$kernel")

# A: Debian's stage3 as shipped: no SCLAB (spec/03 §4.3).
signfile stage3.debian stage3.plain.signed
zipl_disk a stage3.plain.signed 512
run a-secure --cert cert.pem --secure-boot a.img
check a-secure 1 '
assert lines == ["ERROR: Magic does not match. SCLAB does not exist"], lines
assert j["halt_reason"] == "Magic does not match. SCLAB does not exist"
'
run a-audit --cert cert.pem a.img
check a-audit 0 "
assert lines == ['AUDIT MODE WARNING: Magic does not match. SCLAB does not exist',
                 'Verified component', 'Verified component',
                 'AUDIT MODE WARNING: Global SCLAB does not exist'], lines
c = {e['addr']: e for e in j['components']}
assert c[0xA000]['flags'] == 0xC0 and c[0xA000]['cei'] == 0x80000000
# Debian's kernel carries Linux's own non-global SCLAB (spec/03 §4.3)
assert c[0x10000]['flags'] == 0xC0 and c[0x10000]['cei'] == 0
assert c[0x10000]['len'] == $klen
assert j['iiei'] == 0x2000
assert j['components'][-1] == dict(addr=0x000800008000A000, len=0, flags=0,
                                   cert_index=0, cei=0)
assert [x['sha256'] for x in j['certificates']] == [fp]
"

# B: stage3 with the global SCLAB appended by sipl-mkimage, then signed.
"$mkimage" append-sclab --component stage3 --sclab global stage3.debian \
  stage3.sclab
signfile stage3.sclab stage3.global.signed
zipl_disk b stage3.global.signed 512
run b-secure --cert cert.pem --secure-boot --report b.iirb b.img
check b-secure 0 "
assert lines == ['Verified component', 'Verified component'], lines
assert j['mode'] == 'secure' and j['outcome'] == 'started'
assert j['psw'] == 0x000800008000A000 and j['iiei'] == 0
c = {e['addr']: e for e in j['components']}
assert c[0xA000]['flags'] == 0xC0 and c[0xA000]['cei'] == 0
assert c[0x10000]['flags'] == 0xC0 and c[0x10000]['len'] == $klen
assert all(e['cei'] == 0 for e in j['components'])
assert [x['sha256'] for x in j['certificates']] == [fp]
"
[[ $(stat -c %s b.iirb) -gt 16 ]] || fail "b: no IIRB written"

# The same files through sipl-mkimage must boot exactly like zipl's disk.
"$mkimage" build --stage3 stage3.global.signed --kernel kernel.signed \
  --parmline "root=/dev/vda" -o m.img
run m-secure --cert cert.pem --secure-boot m.img
check m-secure 0 "
z = json.load(open('b-secure.json'))
zl = [l for l in open('b-secure.out').read().splitlines() if l.strip('.')]
assert lines == zl, (lines, zl)
assert j == z, (j, z)
"

# C: 4096-byte blocks (stage3 padded to 4096 before signing).
"$mkimage" append-sclab --component stage3 --sclab global --block-size 4096 \
  stage3.debian stage3.sclab4k
signfile stage3.sclab4k stage3.global4k.signed
zipl_disk c stage3.global4k.signed 4096
run c-secure --cert cert.pem --secure-boot --block-size 4096 c.img
check c-secure 0 "
assert lines == ['Verified component', 'Verified component'], lines
assert j['iiei'] == 0 and all(e['cei'] == 0 for e in j['components'])
"

# D: a tampered kernel block on zipl's disk stops secure mode.
python3 - b.img "$kernel" <<'EOF'
import sys
img, k = sys.argv[1], sys.argv[2]
data = bytearray(open(img, 'rb').read())
probe = open(k, 'rb').read()[65536:65536 + 4096]
at = data.find(probe)
assert at > 0, "kernel block not found on the disk"
data[at + 100] ^= 1
open(img, 'wb').write(data)
EOF
run d-secure --cert cert.pem --secure-boot b.img
check d-secure 1 "
assert lines == ['Verified component', 'ERROR: Could not verify component'], lines
"
echo "all real-zipl cases passed"
