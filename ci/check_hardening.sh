#!/usr/bin/env bash
# check_hardening.sh — the release binaries carry the hardening the top-level
# CMakeLists.txt turns on by default (CLCNN_HARDEN): full RELRO + BIND_NOW,
# PIE for the CLI, stack protector and _FORTIFY_SOURCE checked calls in the
# library. Reads the ELF files only; runs in a second.
# Usage: ci/check_hardening.sh [BUILD_DIR]   (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
fail=0
check() { # file, what, command...
    local f=$1 what=$2; shift 2
    if "$@" >/dev/null 2>&1; then echo "  ok   $what"; else echo "  FAIL $what ($f)"; fail=1; fi
}
for f in "$B/clcnn" "$B"/libclcnn.so.*.*.*; do
    [ -f "$f" ] || { echo "check_hardening: no $f" >&2; exit 2; }
    echo "$f:"
    check "$f" "GNU_RELRO segment" bash -c "readelf -lW '$f' | grep -q GNU_RELRO"
    check "$f" "BIND_NOW" bash -c "readelf -dW '$f' | grep -qE 'BIND_NOW|FLAGS_1.*NOW'"
    check "$f" "stack protector (__stack_chk_fail)" bash -c "readelf -sW --dyn-syms '$f' | grep -q __stack_chk_fail"
done
echo "$B/clcnn:"
check "$B/clcnn" "PIE (ELF type DYN)" bash -c "readelf -hW '$B/clcnn' | grep -q 'DYN'"
lib=$(ls "$B"/libclcnn.so.*.*.* | head -1)
echo "$lib:"
check "$lib" "_FORTIFY_SOURCE (__*_chk calls)" bash -c "readelf -sW --dyn-syms '$lib' | grep -qE '__(memcpy|snprintf|vsnprintf|fread|read|sprintf)_chk'"
[ $fail -eq 0 ] && echo "check_hardening: all present" || echo "check_hardening: FAIL" >&2
exit $fail
