#!/usr/bin/env bash
# asan.sh — the whole CTest suite on an AddressSanitizer + UBSan build
# (build-asan): -fsanitize=address,undefined with -fno-sanitize-recover=all, so
# the first report of either kind ends the process with an error, and
# LeakSanitizer on at exit. ci/lsan.supp silences only leaks allocated inside
# the OpenCL driver (POCL, LLVM, the ICD loader), each entry with its reason;
# a report that reaches a clcnn frame fails. The hostile corpus runs on the
# same build as the hostile_corpus test (ci/hostile.sh).
# Usage: bash ci/asan.sh [build-dir] [ctest args...]     (default: build-asan)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build-asan}
shift || true
JOBS=${JOBS:-2}
PY=${PYTHON:-$PWD/.venv/bin/python}

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLCNN_SANITIZE=ON -DCLCNN_WERROR=ON \
      -DCMAKE_C_FLAGS="-fno-sanitize-recover=all" -DCLCNN_PYTHON="$PY" >/dev/null
cmake --build "$BUILD" -j"$JOBS"

# The Python suites drive the sanitized CLI (a subprocess); the interpreter
# itself is not instrumented, so nothing is preloaded into it.
export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:exitcode=86${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=86${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$PWD/ci/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
start=$(date +%s)
# install_check and py_package build and install other trees (the example, a
# wheel) that are not sanitized: they belong to the normal build's run.
# py_light runs nine whole ImageNet CNNs; VGG19 on the reference backend
# under ASan exceeds its per-run timeout (257 s for the suite, then a fail),
# and every op in those models is run under ASan by the op suites.
# --repeat until-pass:4: LeakSanitizer's exit-time stop-the-world now and
# then dies with "Tracer caught signal 11" or "LeakSanitizer has encountered a
# fatal error ... does not work under ptrace" while POCL's worker threads exit
# (no leak report: it could not look). py_ops_shape runs ~470 clcnn processes,
# so one of them hitting it is likely: 2026-12-06 it failed one try of two in
# one CI run and both tries in the next (cast cases, different each time). A
# real report repeats, so a suite fails only when every try fails.
(cd "$BUILD" && ctest --output-on-failure -j"$JOBS" --repeat until-pass:4 -E '^(install_check|py_package|py_light)$' "$@")
echo "asan: ctest clean in $(( $(date +%s) - start )) s"
