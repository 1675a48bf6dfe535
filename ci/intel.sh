#!/usr/bin/env bash
# ci/intel.sh — the C suites and the zoo on Intel's OpenCL CPU runtime (oneAPI,
# from PyPI), a second production compiler next to POCL: it rejects or
# miscompiles different things. Installs it idempotently into a venv inside
# the project (build-intel-ocl/, git-ignored as build*/) and registers it with
# the ICD loader through OCL_ICD_VENDORS, which replaces the system vendor
# directory: so the folder holds a copy of POCL's .icd too, and nothing is
# written outside the project.
#
#   ci/intel.sh [BUILD_DIR]        (default: build)
# Env: INTEL_OCL_DIR (default build-intel-ocl), PYTHON (default .venv/bin/python,
#      else python3: runs tests/py_zoo.py), CLCNN_PLAN_PROFILE (passed through).
# Prints one line per suite and "N passed, N failed"; exit 1 on any failure.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=python3

# 1. Install (idempotent), the .icd, OCL_ICD_VENDORS, Intel's platform listed:
#    shared with ci/fp16.sh.
. "$ROOT/ci/intel_env.sh"
intel_env_setup || exit 1
export CLCNN_TEST_DEVICE=intel CLCNN_CACHE_DIR="$BUILD/test-cache-intel"

pass=0 fail=0 failed=()
item() { # NAME CMD...: passes on exit 0 with no "skipping" (a suite that ran nothing)
    local name=$1 log t0 rc
    shift
    log="$BUILD/intel-$name.log"
    t0=$(date +%s)
    "$@" >"$log" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ] && ! grep -qiE '^\[  SKIPPED \]|skipping' "$log"; then
        pass=$((pass + 1))
        printf 'ok    %-28s %4ds\n' "$name" $(($(date +%s) - t0))
    else
        fail=$((fail + 1))
        failed+=("$name")
        printf 'FAIL  %-28s %4ds  exit %d\n' "$name" $(($(date +%s) - t0)) "$rc"
        grep -E 'FAILED|first bad|FAIL|error' "$log" | head -5 | sed 's/^/    /'
    fi
}

# 2. Every C suite on the Intel device (CLCNN_TEST_DEVICE=intel matches its platform).
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    item "$(basename "$t")" "$t"
done
# 3. The zoo (PyTorch's ref.npy and onnxruntime on the trained models) on it.
item py_zoo "$PY" "$ROOT/tests/py_zoo.py" --clcnn "$BUILD/clcnn" --shared "$ROOT/../shared" \
    --devices intel

echo "intel${CLCNN_PLAN_PROFILE:+ (plan profile $CLCNN_PLAN_PROFILE)}: $pass passed, $fail failed"
[ "$fail" -eq 0 ] || { printf '  failed: %s\n' "${failed[@]}"; exit 1; }
