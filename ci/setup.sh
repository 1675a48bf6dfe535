#!/usr/bin/env bash
# setup.sh — installs what clcnn needs on a fresh Debian 12 machine (idempotent),
# makes the Python venv the tests use, and builds into ./build.
# Usage: bash ci/setup.sh        (CI=true adds -Werror)
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(build-essential cmake pkg-config
      ocl-icd-opencl-dev opencl-headers pocl-opencl-icd clinfo libclblast-dev
      libcmocka-dev protobuf-c-compiler libprotobuf-c-dev libonnx-dev
      libjpeg62-turbo-dev libpng-dev python3-venv python3-dev graphviz
      oclgrind                  # ci/oclgrind.sh: the OpenCL simulator that checks every access
      clang libclang-rt-dev     # ci/fuzz.sh: libFuzzer (clang's compiler-rt)
      binutils file)            # ci/install_check.sh, check_hardening.sh: readelf, nm, strings
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python only for tests and benchmarks (onnx builds test graphs, onnxruntime
# computes expected outputs); the build itself needs no Python.
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import onnx, onnxruntime, numpy, PIL" 2>/dev/null; then
  echo "setup: creating .venv (numpy, onnx, onnxruntime, Pillow)"
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip >/dev/null
  .venv/bin/pip install -q numpy onnx onnxruntime Pillow
fi

WERROR=OFF
[ "${CI:-}" = "true" ] && WERROR=ON
# No test-hooks option: the library and CLI users run never have them; a test
# build adds tests/clcnn-testhooks (CLCNN_BUILD_TESTS, on by default).
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLCNN_WERROR=$WERROR \
      -DCLCNN_PYTHON="$PWD/.venv/bin/python" >/dev/null
cmake --build build -j"$(nproc)"
