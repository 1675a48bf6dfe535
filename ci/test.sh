#!/usr/bin/env bash
# test.sh — sets up (ci/setup.sh), builds, and runs every test through CTest:
# the cmocka suites and the Python-driven suites against onnxruntime.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
cd build
ctest --output-on-failure -j2 "$@"
