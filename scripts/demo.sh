#!/usr/bin/env bash
# The main job, end to end on the hypervisor half:
#   1. install what is missing and build sipl-diag,
#   2. make a signing key and a self-signed certificate (openssl),
#   3. sign a payload the way Linux's sign-file does (detached CMS, DER,
#      no signed attributes, no certificates),
#   4. ask the DIAG handlers: DIAG 0x320 subcode 1 (store size) and 2
#      (fetch the certificate), DIAG 0x508 subcode 0x8000 (verify), and show
#      that a tampered payload is refused with rc=0x0402.
# Exits non-zero if any answer is not the expected one. Builds in build/
# (or $SIPL_BUILDDIR).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

scripts/install-deps.sh
builddir=${SIPL_BUILDDIR:-build}   # another build directory, if wanted
if [[ ! -f $builddir/build.ninja ]]; then
  meson setup "$builddir" >/dev/null
fi
ninja -C "$builddir" tools/sipl-diag >/dev/null
diag=$top/$builddir/tools/sipl-diag

work=$(mktemp -d "${TMPDIR:-/tmp}/sipl-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "demo: FAILED: $*" >&2; exit 1; }
expect() { # what, got, want
  [[ $2 == "$3" ]] || fail "$1: got '$2', expected '$3'"
}

echo "== 1. A signing key and certificate"
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 365 \
  -subj "/CN=sipl demo signing key" \
  -addext "keyUsage=critical,digitalSignature" \
  -keyout signing-key.pem -out signer.pem 2>/dev/null
echo "   $(openssl x509 -in signer.pem -noout -subject)"

echo "== 2. A payload (64 KiB, block aligned), signed the sign-file way"
head -c 65536 /dev/urandom > payload.bin
openssl cms -sign -binary -noattr -nocerts -outform DER -md sha256 \
  -in payload.bin -signer signer.pem -inkey signing-key.pem -out payload.p7s
echo "   detached PKCS#7 signature: $(stat -c %s payload.p7s) bytes"

# Guest memory map: VCSSB 0x1000, VCB 0x2000 (3 pages), SVB 0x6000,
# signature 0x8000, payload 0x100000.
python3 - "$(stat -c %s payload.bin)" "$(stat -c %s payload.p7s)" <<'EOF'
import struct, sys
comp_len, sig_len = int(sys.argv[1]), int(sys.argv[2])
# VCSSB (spec/02 §5.5): length 128 in
open("vcssb.bin", "wb").write(struct.pack(">I", 128) + bytes(124))
# VCB header (spec/02 §5.6): in_len 12288, first 1, last 1
open("vcb.bin", "wb").write(struct.pack(">I4xHH", 12288, 1, 1) + bytes(52))
# SVB (spec/02 §6.3): length 64; comp_len, comp_addr, sig_len, sig_addr
open("svb.bin", "wb").write(struct.pack(">I28xQQQQ", 64, comp_len, 0x100000,
                                        sig_len, 0x8000))
EOF

echo "== 3. DIAG 0x320 subcode 1: how big is the certificate store?"
out=$("$diag" --cert signer.pem --load 0x1000=vcssb.bin \
      --diag 320 --subcode 1 --r1 0x1000 --dump 0x1000:128=vcssb.out)
expect "DIAG 0x320 subcode 1" "$out" "rc=0x0001"
python3 - <<'EOF'
import struct
b = open("vcssb.out", "rb").read()
length, = struct.unpack_from(">I", b, 0)
total, maxct = struct.unpack_from(">HH", b, 32)
single, alllen = struct.unpack_from(">II", b, 80)
print(f"   rc=0x0001: {total} certificate(s) of at most {maxct}; a VCB "
      f"needs {single} bytes for the largest one, {alllen} for all")
EOF

echo "== 4. DIAG 0x320 subcode 2: fetch certificate 1 as the BIOS does"
out=$("$diag" --cert signer.pem --load 0x2000=vcb.bin \
      --diag 320 --subcode 2 --r1 0x2000 --dump 0x2000:12288=vcb.out)
expect "DIAG 0x320 subcode 2" "$out" "rc=0x0001"
want_fp=$(openssl x509 -in signer.pem -noout -fingerprint -sha256 |
          sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
python3 - <<'EOF'
import struct
b = open("vcb.out", "rb").read()
stored, = struct.unpack_from(">H", b, 40)
v = b[64:]
vlen, flags, idx = struct.unpack_from(">IBxH", v, 0)
name = v[8:72].decode("cp500").rstrip()     # EBCDIC, blank padded
cert_len, = struct.unpack_from(">I", v, 84)
print(f"   rc=0x0001: {stored} entry, cert_idx {idx} (1-origin), "
      f"name '{name}', valid={'yes' if flags & 0x80 else 'no'}, "
      f"DER {cert_len} bytes")
open("vce-fingerprint.txt", "w").write(v[160:192].hex())
EOF
got_fp=$(cat vce-fingerprint.txt)
expect "VCE fingerprint" "$got_fp" "$want_fp"
echo "   fingerprint matches openssl's SHA-256: ${got_fp:0:16}..."

echo "== 5. DIAG 0x508 subcode 0x8000: verify the signed payload"
out=$("$diag" --cert signer.pem --load 0x6000=svb.bin \
      --load 0x8000=payload.p7s --load 0x100000=payload.bin \
      --diag 508 --subcode 0x8000 --r1 0x6000 --dump 0x6000:64=svb.out)
expect "DIAG 0x508 on the signed payload" "$out" "rc=0x0001"
python3 - <<'EOF'
import struct
b = open("svb.out", "rb").read()
print(f"   rc=0x0001: verified by store index {b[16]} (0-origin), "
      f"certificate {struct.unpack_from('>Q', b, 24)[0]} bytes of DER")
EOF

echo "== 6. The same signature over a tampered payload"
python3 - <<'EOF'
b = bytearray(open("payload.bin", "rb").read())
b[4096] ^= 0x01
open("tampered.bin", "wb").write(b)
EOF
out=$("$diag" --cert signer.pem --load 0x6000=svb.bin \
      --load 0x8000=payload.p7s --load 0x100000=tampered.bin \
      --diag 508 --subcode 0x8000 --r1 0x6000)
expect "DIAG 0x508 on the tampered payload" "$out" "rc=0x0402"
echo "   $out: no certificate verifies (one bit flipped at offset 4096)"

echo "demo: all answers as expected"
