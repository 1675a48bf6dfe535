#!/usr/bin/env bash
# tsan.sh — the thread contract of clcnn.h under ThreadSanitizer: a separate
# build (build-tsan) of the library and tests/test_api_threads with
# -fsanitize=thread, run with halt_on_error so any race inside clcnn fails CI.
# ci/tsan.supp silences only reports whose frames all lie in the OpenCL driver
# (POCL, libOpenCL, LLVM), which TSan cannot see into (it is not instrumented).
# Usage: bash ci/tsan.sh [build-dir]     (default: build-tsan)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build-tsan}
JOBS=${JOBS:-2}
FLAGS="-fsanitize=thread -g -O1 -fno-omit-frame-pointer"

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLCNN_WERROR=ON \
      -DCMAKE_C_FLAGS="$FLAGS" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" \
      -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" >/dev/null
cmake --build "$BUILD" -j"$JOBS" --target test_api_threads

# A private program cache: the first context builds, the others load binaries,
# so both paths run under TSan without racing another build's cache.
CACHE=$(mktemp -d)
trap 'rm -rf "$CACHE"' EXIT
export CLCNN_CACHE_DIR=$CACHE
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/ci/tsan.supp ${TSAN_OPTIONS:-}"
"$BUILD/tests/test_api_threads"
echo "tsan: test_api_threads clean"
