#!/usr/bin/env python3
"""Sum meson's test logs of several build dirs into 'N passed, N failed'.

A build dir without a log (it failed to configure or build) counts as one
failure, so a broken configuration can never look green.
"""
import json
import os
import sys

passed = failed = skipped = 0
sub_ok = sub_not_ok = 0
for d in sys.argv[1:]:
    log = os.path.join(d, "meson-logs", "testlog.json")
    if not os.path.exists(log) or os.path.getmtime(log) < os.path.getmtime(
            os.path.join(d, "build.ninja") if os.path.exists(os.path.join(d, "build.ninja")) else log):
        print(f"{d}: no test log", file=sys.stderr)
        failed += 1
        continue
    with open(log) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            r = rec["result"]
            # TAP subtests, for information (GLib tests print one per case)
            for out in (rec.get("stdout") or "").splitlines():
                if out.startswith("ok "):
                    sub_ok += 1
                elif out.startswith("not ok "):
                    sub_not_ok += 1
            if r in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif r == "SKIP":
                skipped += 1
            else:
                failed += 1
print(f"subtests (TAP) of these tests: {sub_ok} ok, {sub_not_ok} not ok")
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed or passed == 0 else 0)
