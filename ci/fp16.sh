#!/usr/bin/env bash
# ci/fp16.sh — issue 18's acceptance for fp16 storage on a device that has
# cl_khr_fp16: Intel's OpenCL CPU runtime (installed and registered like
# ci/intel.sh does, through ci/intel_env.sh; POCL here has no fp16). Runs
# tests/fp16/check_fp16.py: the zoo and every built-in family in fp16/auto vs
# fp32, classify's top-1 fp16 vs fp32 on the photos, the op suites with
# --precision fp16, MobileNetV2's memory, and a latency table (figures only);
# then (without flags) the Python package's test on a cl_khr_fp16 device
# (ci/python.sh -k test_fp16_on_device_with_cl_khr_fp16: ctest's py_package leaves it out on POCL).
#
#   ci/fp16.sh [BUILD_DIR [check_fp16.py flags...]]   (default: build; e.g. --only ops)
# Env: INTEL_OCL_DIR (default build-intel-ocl), PYTHON (default .venv/bin/python,
#      else python3; needs numpy, onnx, onnxruntime).
# Exit 1 when a check fails, a suite ran nothing, or Intel's device is missing.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
shift $(($# > 0 ? 1 : 0))
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=python3

. "$ROOT/ci/intel_env.sh"
intel_env_setup || exit 1
# ci/intel.sh's cache: the fp32 programs it built are reused here.
export CLCNN_CACHE_DIR="$BUILD/test-cache-intel"
mkdir -p "$BUILD/fp16-logs"
"$PY" "$ROOT/tests/fp16/check_fp16.py" --clcnn "$BUILD/clcnn" --shared "$ROOT/../shared" \
    --platform "Intel(R) OpenCL" --logdir "$BUILD/fp16-logs" "$@"
rc=$?
# The Python package on a real cl_khr_fp16 device (the one test ctest's
# py_package leaves out on POCL): only with the full check, not with --only.
if [ $# -eq 0 ]; then
    PYTHON=python3 bash "$ROOT/ci/python.sh" -k test_fp16_on_device_with_cl_khr_fp16 || rc=1
fi
exit $rc
