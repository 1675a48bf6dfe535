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
DIR=${INTEL_OCL_DIR:-$ROOT/build-intel-ocl}
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=python3

# 1. Install (idempotent: a venv whose intel-opencl-rt imports nothing, so the
#    check is the library file itself).
LIB="$DIR/venv/lib/libintelocl.so"
if [ ! -e "$LIB" ]; then
    echo "intel.sh: installing intel-opencl-rt + intel-cmplr-lib-rt into $DIR/venv"
    python3 -m venv "$DIR/venv" &&
        "$DIR/venv/bin/pip" install -q intel-opencl-rt intel-cmplr-lib-rt || exit 1
fi
[ -e "$LIB" ] || { echo "intel.sh: $LIB missing after install" >&2; exit 1; }
# The wheel's own .icd names a placeholder prefix (/opt/anaconda1anaconda2...):
# ours names the library by absolute path; libintelocl finds its siblings
# through its $ORIGIN runpath, so no LD_LIBRARY_PATH (which would also put the
# wheel's libOpenCL.so ahead of the system ICD loader).
mkdir -p "$DIR/vendors"
echo "$LIB" >"$DIR/vendors/intel-cpu.icd"
if [ -f /etc/OpenCL/vendors/pocl.icd ]; then
    cp /etc/OpenCL/vendors/pocl.icd "$DIR/vendors/pocl.icd"
fi
export OCL_ICD_VENDORS="$DIR/vendors"
export CLCNN_TEST_DEVICE=intel CLCNN_CACHE_DIR="$BUILD/test-cache-intel"
if ! "$BUILD/clcnn" devices | grep -q "platform: Intel(R) OpenCL"; then
    echo "intel.sh: the ICD loader does not list Intel's platform" >&2
    "$BUILD/clcnn" devices >&2
    exit 1
fi

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
