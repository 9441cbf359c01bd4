#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds four configurations
# and runs their tests, then prints one line "N passed, N failed".
#
#   build/        everything (unit, golden, integration tests)
#   build-asan/   AddressSanitizer + UndefinedBehaviorSanitizer, unit tests
#   build-fuzz/   clang + libFuzzer targets, a fixed number of runs each
#   build-s390x/  bios/ and its tests cross-built for s390x, run big-endian
#                 under qemu-user
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD

scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

configure() { # dir, meson args...
  local dir=$1; shift
  if [[ -f $dir/build.ninja ]]; then
    meson setup --reconfigure "$dir" "$@" >"$dir.setup.log" 2>&1
  else
    meson setup "$dir" "$@" >"$dir.setup.log" 2>&1
  fi || { cat "$dir.setup.log"; return 1; }
}

status=0
run() { # dir, meson test args...
  local dir=$1; shift
  echo "== $dir"
  if ! ninja -C "$dir" >"$dir.build.log" 2>&1; then
    cat "$dir.build.log"; status=1; return
  fi
  meson test -C "$dir" --no-rebuild --print-errorlogs "$@" || status=1
}

configure build && run build
configure build-asan -Db_sanitize=address,undefined -Db_lundef=false \
  && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
     run build-asan --suite unit
CC=clang configure build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined \
  -Db_lundef=false -Dwerror=true && run build-fuzz --suite fuzz
configure build-s390x --cross-file cross/s390x.ini -Dbios_only=true \
  && run build-s390x

python3 "$top/scripts/count-tests.py" build build-asan build-fuzz build-s390x
count_status=$?
[[ $status -eq 0 && $count_status -eq 0 ]]
