#!/usr/bin/env bash
# ci/plan_profiles.sh — the GPU-shaped plan on the CPU device: the kernel suites
# (+ test_tune: conv_clblast and bias_act, planned from a stored decision),
# every built-in family at 64x64 and every zoo model on POCL with
# CLCNN_PLAN_PROFILE=nvidia and =mobile (README "Plan profiles"), so the
# planner's GPU branches (fitted work-groups, local-memory variants sized from
# the declared device) run before any GPU sees them. POCL runs them at CPU
# speed; ci/oclgrind.sh checks the same plans' memory accesses.
#
#   ci/plan_profiles.sh [BUILD_DIR]     (default: build)
# Env: PROFILES (default "nvidia mobile"), CLCNN_TEST_DEVICE (default cpu).
# Prints one line per item and "N passed, N failed"; exit 1 on any failure.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
ZOO="$ROOT/../shared/zoo"
CLCNN="$BUILD/clcnn"
export CLCNN_TEST_DEVICE=${CLCNN_TEST_DEVICE:-cpu}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/clcnn-profiles.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export CLCNN_CACHE_DIR="$BUILD/test-cache"
pass=0 fail=0 failed=()

item() { # NAME CMD...: passes on exit 0 without a skipped cmocka case
    local name=$1 log="$WORK/item.log" t0 rc
    shift
    t0=$(date +%s)
    "$@" >"$log" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ] && ! grep -q '^\[  SKIPPED \]' "$log"; then
        pass=$((pass + 1))
        printf 'ok    %-48s %4ds\n' "$name" $(($(date +%s) - t0))
    else
        fail=$((fail + 1))
        failed+=("$name")
        printf 'FAIL  %-48s %4ds  exit %d\n' "$name" $(($(date +%s) - t0)) "$rc"
        grep -E 'FAILED|first bad|culprit|error' "$log" | head -5 | sed 's/^/    /'
    fi
}

for prof in ${PROFILES:-nvidia mobile}; do
    export CLCNN_PLAN_PROFILE=$prof
    for t in test_kernels_conv test_kernels_eltwise test_kernels_gather test_kernels_gemm \
             test_kernels_plan test_kernels_pool test_kernels_shape test_kernels_stem \
             test_fusion test_shuffle test_tune; do
        item "[$prof] $t" "$BUILD/tests/$t"
    done
    for arch in $("$CLCNN" list | awk 'NR > 1 { print $1 }'); do
        m="$WORK/$arch.onnx"
        "$CLCNN" export "$arch" "$m" --input-size 64 >/dev/null 2>&1 || { item "[$prof] export $arch" false; continue; }
        item "[$prof] compare $arch@64" "$CLCNN" compare "$m" --device "$CLCNN_TEST_DEVICE"
    done
    for d in "$ZOO"/*/; do
        z=$(basename "$d")
        [ -f "$d/model.onnx" ] || continue
        item "[$prof] compare zoo/$z" "$CLCNN" compare "$d/model.onnx" --input "$d/input.npy" \
            --device "$CLCNN_TEST_DEVICE"
    done
done
echo "plan profiles (${PROFILES:-nvidia mobile}) on $CLCNN_TEST_DEVICE: $pass passed, $fail failed"
[ "$fail" -eq 0 ] || { printf '  failed: %s\n' "${failed[@]}"; exit 1; }
