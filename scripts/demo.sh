#!/usr/bin/env bash
# The main job, end to end:
#   A. the hypervisor half alone (sipl-diag): the DIAG 0x320 certificate
#      store queries and a DIAG 0x508 verification, good and tampered;
#   B. a secure IPL through both halves: a stage3-like loader and a
#      kernel-like payload get SCLABs (sipl-mkimage append-sclab), are signed
#      the way Linux's sign-file signs, go into a zipl-style SCSI disk image
#      (sipl-mkimage build), and are IPLed (sipl-boot) in secure mode, then
#      with one kernel byte flipped in secure mode and in audit mode.
# Every step checks its result; the script exits non-zero on any mismatch.
#
# Installs what is missing (scripts/install-deps.sh) and builds the three
# tools in build/ or $SIPL_BUILDDIR. With SIPL_DIAG, SIPL_BOOT and
# SIPL_MKIMAGE all set to built tools it installs and builds nothing (for
# running it as a meson test).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

fail() { echo "demo: FAILED: $*" >&2; exit 1; }
expect() { # what, got, want
  [[ $2 == "$3" ]] || fail "$1: got '$2', expected '$3'"
}

if [[ -n ${SIPL_DIAG:-} && -n ${SIPL_BOOT:-} && -n ${SIPL_MKIMAGE:-} ]]; then
  diag=$SIPL_DIAG boot=$SIPL_BOOT mkimage=$SIPL_MKIMAGE
else
  scripts/install-deps.sh
  builddir=${SIPL_BUILDDIR:-build}   # another build directory, if wanted
  [[ $builddir == /* ]] || builddir=$top/$builddir
  if [[ ! -f $builddir/build.ninja ]]; then
    meson setup "$builddir" >"$builddir.setup.log" 2>&1 ||
      { cat "$builddir.setup.log"; fail "meson setup $builddir"; }
  fi
  ninja -C "$builddir" tools/sipl-diag tools/sipl-boot tools/sipl-mkimage \
    >/dev/null || fail "ninja -C $builddir (the three tools)"
  diag=$builddir/tools/sipl-diag
  boot=$builddir/tools/sipl-boot
  mkimage=$builddir/tools/sipl-mkimage
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sipl-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

# sign-file's way: a detached CMS signature (DER, no signed attributes, no
# certificates) appended to the file, then the 12-byte module_signature info
# and the magic string (spec/04 §1.1).
sign_file() { # in, out
  openssl cms -sign -binary -noattr -nocerts -outform DER -md sha256 \
    -in "$1" -signer signer.pem -inkey signing-key.pem -out "$1.p7s"
  python3 - "$1" "$1.p7s" "$2" <<'EOF'
import struct, sys
payload, sig = (open(p, "rb").read() for p in sys.argv[1:3])
# algo 0, hash 0, id_type 2 (PKCS#7), signer_len 0, key_id_len 0,
# 3 pad bytes, sig_len (big-endian u32)
info = struct.pack(">BBBBB3xI", 0, 0, 2, 0, 0, len(sig))
open(sys.argv[3], "wb").write(payload + sig + info +
                              b"~Module signature appended~\n")
EOF
}

show() { # text: each line marked as guest console output
  local line
  while IFS= read -r line; do echo "   | $line"; done <<<"$1"
}

echo "== 1. A signing key and certificate"
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 365 \
  -subj "/CN=sipl demo signing key" \
  -addext "keyUsage=critical,digitalSignature" \
  -keyout signing-key.pem -out signer.pem 2>/dev/null
want_fp=$(openssl x509 -in signer.pem -noout -fingerprint -sha256 |
          sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
echo "   $(openssl x509 -in signer.pem -noout -subject)," \
     "SHA-256 ${want_fp:0:16}..."

echo
echo "Part A: the hypervisor half alone (sipl-diag)"
echo
echo "== 2. A payload (64 KiB of random bytes), signed with openssl cms"
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

echo "== 3. DIAG 0x320 subcodes 1 and 2: store size, then certificate 1"
out=$("$diag" --cert signer.pem --load 0x1000=vcssb.bin \
      --diag 320 --subcode 1 --r1 0x1000 --dump 0x1000:128=vcssb.out)
expect "DIAG 0x320 subcode 1" "$out" "rc=0x0001"
out=$("$diag" --cert signer.pem --load 0x2000=vcb.bin \
      --diag 320 --subcode 2 --r1 0x2000 --dump 0x2000:12288=vcb.out)
expect "DIAG 0x320 subcode 2" "$out" "rc=0x0001"
python3 - <<'EOF'
import struct
b = open("vcssb.out", "rb").read()
total, maxct = struct.unpack_from(">HH", b, 32)
print(f"   subcode 1 rc=0x0001: {total} certificate(s) of at most {maxct}")
b = open("vcb.out", "rb").read()
v = b[64:]                                  # the first VCE
idx, = struct.unpack_from(">H", v, 6)
name = v[8:72].decode("cp500").rstrip()     # EBCDIC, blank padded
cert_len, = struct.unpack_from(">I", v, 84)
print(f"   subcode 2 rc=0x0001: cert_idx {idx} (1-origin), name '{name}', "
      f"DER {cert_len} bytes")
open("vce-fingerprint.txt", "w").write(v[160:192].hex())
EOF
expect "VCE fingerprint" "$(cat vce-fingerprint.txt)" "$want_fp"
echo "   its fingerprint is openssl's SHA-256 of the certificate"

echo "== 4. DIAG 0x508 subcode 0x8000: verify the payload, then a tampered one"
out=$("$diag" --cert signer.pem --load 0x6000=svb.bin \
      --load 0x8000=payload.p7s --load 0x100000=payload.bin \
      --diag 508 --subcode 0x8000 --r1 0x6000 --dump 0x6000:64=svb.out)
expect "DIAG 0x508 on the signed payload" "$out" "rc=0x0001"
echo "   $out: verified by store index $(od -An -tu1 -j16 -N1 svb.out |
      tr -d ' ') (0-origin)"
python3 - <<'EOF'
b = bytearray(open("payload.bin", "rb").read())
b[4096] ^= 0x01
open("tampered.bin", "wb").write(b)
EOF
out=$("$diag" --cert signer.pem --load 0x6000=svb.bin \
      --load 0x8000=payload.p7s --load 0x100000=tampered.bin \
      --diag 508 --subcode 0x8000 --r1 0x6000)
expect "DIAG 0x508 on the tampered payload" "$out" "rc=0x0402"
echo "   $out: one bit flipped at offset 4096, no certificate verifies"

echo
echo "Part B: a secure IPL through both halves (sipl-mkimage, sipl-boot)"
echo
echo "== 5. A stage3-like loader and a kernel-like payload, with SCLABs"
echo "   (synthetic random bytes, not real code: the machine checks"
echo "   signatures and SCLABs and stops at the start PSW, it runs neither)"
head -c 8000 /dev/urandom > stage3.raw
head -c 300000 /dev/urandom > kernel.raw
"$mkimage" append-sclab --component stage3 --sclab global \
  stage3.raw stage3.sclab
"$mkimage" append-sclab --component kernel --sclab ola \
  kernel.raw kernel.sclab
expect "stage3 with its SCLAB" "$(stat -c %s stage3.sclab)" 8192
expect "kernel with its SCLAB" "$(stat -c %s kernel.sclab)" 300032
echo "   stage3: 8000 -> 8192 bytes, global SCLAB (OPSW|OLA, load address 0xA000)"
echo "   kernel: 300000 -> 300032 bytes, non-global SCLAB (OLA, 0x10000)"

echo "== 6. Both signed the sign-file way (CMS + module-signature trailer)"
sign_file stage3.sclab stage3.signed
sign_file kernel.sclab kernel.signed
echo "   stage3.signed $(stat -c %s stage3.signed) bytes," \
     "kernel.signed $(stat -c %s kernel.signed) bytes"
expect "trailer" "$(tail -c 28 kernel.signed)" "~Module signature appended~"

echo "== 7. The disk image, as zipl --secure writes it for a SCSI disk"
"$mkimage" build --stage3 stage3.signed --kernel kernel.signed \
  --parmline "root=/dev/vda" -o disk.img
echo "   disk.img: $(stat -c %s disk.img) bytes, 512-byte blocks"

boot_rc() { # sipl-boot args...: sets $out and $rc
  rc=0
  out=$("$boot" "$@") || rc=$?
}

echo "== 8. Secure IPL: sipl-boot --cert signer.pem --secure-boot disk.img"
boot_rc --cert signer.pem --secure-boot disk.img
show "$out"
echo "   exit $rc (a '.' per block pointer loaded, as s390-ccw prints)"
expect "secure IPL exit code" "$rc" 0
expect "'Verified component' lines" \
  "$(grep -c '^Verified component$' <<<"$out")" 2

echo "== 9. The same IPL with --json, summarised"
boot_rc --cert signer.pem --secure-boot --json disk.img
expect "secure IPL --json exit code" "$rc" 0
tail -n 1 <<<"$out" > boot.json
python3 - "$want_fp" <<'EOF'
import json, sys
j = json.load(open("boot.json"))
names = {0x2000: "heap dummy", 0xF000: "stack dummy", 0xA000: "stage3",
         0x9000: "parameters", 0x10000: "kernel"}
def flags(f):
    s = [n for bit, n in ((0x80, "SIGNED"), (0x40, "VERIFIED")) if f & bit]
    return "|".join(s) or "-"
print(f"   mode {j['mode']}, outcome {j['outcome']}, iiei {j['iiei']}")
print(f"   {'component':12} {'addr':>18} {'len':>8}  flags")
for i, c in enumerate(j["components"]):
    last = i == len(j["components"]) - 1
    name = "PSW" if last else names.get(c["addr"], "parmline")
    addr = f"{c['addr']:#018x}" if last else f"{c['addr']:#x}"
    extra = f"  cert_index {c['cert_index']}" if c["flags"] & 0x40 else ""
    print(f"   {name:12} {addr:>18} {c['len']:8}  "
          f"{flags(c['flags'])}{extra}")
for c in j["certificates"]:
    print(f"   certificate {c['index']}: sha256 {c['sha256'][:16]}...")
byaddr = {c["addr"]: c for c in j["components"]}
ok = (j["mode"] == "secure" and j["outcome"] == "started"
      and byaddr[0xA000]["flags"] == 0xC0 and byaddr[0x10000]["flags"] == 0xC0
      and byaddr[0x10000]["cert_index"] == 0
      and [c["sha256"] for c in j["certificates"]] == [sys.argv[1]])
if not ok:
    sys.exit("demo: FAILED: --json is not secure/started with stage3 and "
             "kernel SIGNED|VERIFIED by signer.pem")
print("   stage3 and kernel verified by signer.pem (same fingerprint)")
EOF

echo "== 10. Flip one byte of the kernel on the disk, IPL in secure mode"
python3 - <<'EOF'
disk = bytearray(open("disk.img", "rb").read())
kernel = open("kernel.raw", "rb").read()
at = disk.find(kernel[:4096])
assert at > 0 and disk.find(kernel[:4096], at + 1) < 0, "kernel not found"
disk[at + 150000] ^= 0xFF
open("tampered.img", "wb").write(disk)
print(f"   kernel found at disk offset {at:#x}; byte {at + 150000:#x} flipped")
EOF
boot_rc --cert signer.pem --secure-boot tampered.img
show "$out"
echo "   exit $rc"
expect "tampered secure IPL exit code" "$rc" 1
expect "tampered secure IPL last line" "$(tail -n 1 <<<"$out")" \
  "ERROR: Could not verify component"

echo "== 11. The same disk in audit mode (certificates, no --secure-boot)"
boot_rc --cert signer.pem tampered.img
show "$out"
echo "   exit $rc"
expect "tampered audit IPL exit code" "$rc" 0
grep -qx 'AUDIT MODE WARNING: Could not verify component' <<<"$out" ||
  fail "audit IPL: no 'AUDIT MODE WARNING: Could not verify component'"
boot_rc --cert signer.pem --json tampered.img
expect "tampered audit IPL --json exit code" "$rc" 0
kflags=$(tail -n 1 <<<"$out" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(j["mode"], [c["flags"] for c in j["components"] if c["addr"] == 0x10000])')
expect "tampered audit IPL: mode and kernel flags" "$kflags" "audit [128]"
echo "   audit mode warns and boots; the report lists the kernel as SIGNED," \
     "not VERIFIED"

echo
echo "demo: all answers as expected"
