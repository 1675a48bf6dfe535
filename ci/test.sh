#!/usr/bin/env bash
# test.sh — sets up (ci/setup.sh), builds, and runs every test: CTest (the
# cmocka suites, the Python suites against onnxruntime, the install check and
# the Python package), then the jobs that need their own build or device:
#   skips      no OpenCL suite skipped where POCL is installed
#   hardening  RELRO/BIND_NOW/PIE/stack protector/FORTIFY in what users run
#   tsan       the thread contract under ThreadSanitizer
#   asan       the whole suite + the hostile corpus under ASan+UBSan
#   fuzz       the libFuzzer targets, bounded time
#   oclgrind   kernel suites + small networks under Oclgrind, GPU and CPU plans
#   plan       the GPU-shaped plans (nvidia, mobile) on POCL
#   intel      the suites and the zoo on Intel's OpenCL CPU runtime
#   ray        clcnn.ray: a local Ray Data job vs `clcnn classify`, a killed worker
# Every job runs even when an earlier one failed; the last line is the tally.
# Usage: bash ci/test.sh [ctest args...]
#   CLCNN_CI_JOBS="ctest tsan ..." runs only those jobs (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
PY="$PWD/.venv/bin/python"

ALL_JOBS="ctest skips hardening tsan asan fuzz oclgrind plan intel fp16 ray"
JOBS="${CLCNN_CI_JOBS:-$ALL_JOBS}"
passed=0
failed=0
failed_names=""
ctest_args=("$@")

job_ctest() { (cd build && ctest --output-on-failure -j2 "${ctest_args[@]}" 2>&1 | tee ctest.log; exit "${PIPESTATUS[0]}"); }
job_skips() { bash ci/check_skips.sh build; }
job_hardening() { bash ci/check_hardening.sh build; }
job_tsan() { bash ci/tsan.sh build-tsan; }
job_asan() { bash ci/asan.sh build-asan; }
job_fuzz() { bash ci/fuzz.sh; }
job_oclgrind() {
    # The simulator reports a GPU, so its default is the GPU-shaped plan; the
    # CPU plan and the two declared profiles' kernel variants run too. The
    # full set (~5.5 min each) has every family, DenseNet and GoogLeNet too.
    # Both full runs also compare every network in fp16 (half storage, issue 18).
    OCLGRIND_FP16=1 OCLGRIND_SET=full PYTHON="$PY" bash ci/oclgrind.sh build &&
        OCLGRIND_FP16=1 OCLGRIND_SET=full CLCNN_PLAN_PROFILE=cpu PYTHON="$PY" bash ci/oclgrind.sh build &&
        CLCNN_PLAN_PROFILE=nvidia OCLGRIND_SET=kernels bash ci/oclgrind.sh build &&
        CLCNN_PLAN_PROFILE=mobile OCLGRIND_SET=kernels bash ci/oclgrind.sh build
}
job_plan() { bash ci/plan_profiles.sh build; }
job_intel() { PYTHON="$PY" bash ci/intel.sh build; }
job_fp16() { PYTHON="$PY" bash ci/fp16.sh build; }
job_ray() { bash ci/ray.sh build; }

for j in $JOBS; do
    start=$(date +%s)
    echo "=== ci job: $j"
    if "job_$j"; then
        passed=$((passed + 1))
        echo "=== ci job: $j passed in $(($(date +%s) - start)) s"
    else
        failed=$((failed + 1))
        failed_names="$failed_names $j"
        echo "=== ci job: $j FAILED in $(($(date +%s) - start)) s"
    fi
done
[ -n "$failed_names" ] && echo "ci: failed jobs:$failed_names"
echo "ci: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
