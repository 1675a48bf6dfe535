#!/usr/bin/env bash
# ray.sh — clcnn.ray as a user gets it: a venv with `pip install .[ray]`
# (Ray Data, pyarrow), then tests/ray with pytest from outside the
# repository: the predictor against onnxruntime's top-5, a local Ray job
# (2 CPU workers, 49 photos + 3 broken files) whose Parquet rows must equal
# `clcnn classify --json` on the same photos (labels, order, the broken ones
# reported), and one actor killed with SIGKILL mid-batch with every photo
# still written exactly once. Fails if pytest passes nothing or skips any.
# Usage: bash ci/ray.sh [BUILD_DIR] [pytest args...]   (BUILD_DIR holds the clcnn CLI; default build)
#   VENV           the venv (default build-ray/venv, kept between runs: Ray is a large download)
#   CLCNN_SHARED   the shared folder (default: ../shared beside the repository)
#   PYTHON         the interpreter to make the venv from (default python3; needs its headers)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
B="$(cd "$ROOT" && cd "${1:-build}" 2>/dev/null && pwd)" || { echo "ray.sh: FAIL: no build dir ${1:-build}"; exit 1; }
shift || true
SHARED="${CLCNN_SHARED:-$(cd "$ROOT/.." && pwd)/shared}"
VENV="${VENV:-$ROOT/build-ray/venv}"
PY="${PYTHON:-python3}"
export CLCNN_SHARED="$SHARED" CLCNN_CLI="$B/clcnn"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"
# No usage reports to the network, no dashboard (init_ray), and a local-only Ray.
export RAY_USAGE_STATS_ENABLED=0
[ -x "$CLCNN_CLI" ] || { echo "ray.sh: FAIL: no clcnn CLI at $CLCNN_CLI (build it first)"; exit 1; }
t0=$(date +%s)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/clcnn-ray.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
if [ ! -x "$VENV/bin/python" ]; then
  echo "ray.sh: venv in $VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
fi
VPY="$VENV/bin/python"
echo "ray.sh: pip install $ROOT[ray]"
# A build dir beside the venv: a rerun rebuilds only what changed.
if ! "$VPY" -m pip install -q "$ROOT[ray]" pytest Pillow -C build-dir="$ROOT/build-ray/pip-build" \
      >"$WORK/pip.log" 2>&1; then
  tail -n 40 "$WORK/pip.log"
  echo "ray.sh: FAIL: pip install"
  exit 1
fi
echo "ray.sh: installed in $(( $(date +%s) - t0 )) s: $("$VPY" -c 'import ray, pyarrow, clcnn; print(f"ray {ray.__version__}, pyarrow {pyarrow.__version__}, clcnn {clcnn.__version__}")')"
[ -x "$VENV/bin/clcnn-ray" ] || { echo "ray.sh: FAIL: pip did not install the clcnn-ray script"; exit 1; }
# `import clcnn` alone must not pull Ray in.
"$VPY" -c 'import sys, clcnn; assert "ray" not in sys.modules, "import clcnn imported ray"'

cd "$WORK"  # the installed package, not the source tree, is imported
set +e
"$VPY" -m pytest -v -rs -p no:cacheprovider "$ROOT/tests/ray" "$@" 2>&1 | tee "$WORK/pytest.log"
rc=${PIPESTATUS[0]}
set -e
summary="$(grep -E '^(=+ )?[0-9]+ (passed|failed|skipped|error)|no tests ran' "$WORK/pytest.log" | tail -n 1)"
echo "ray.sh: pytest: ${summary:-no summary line}"
passed=$(echo "$summary" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
if [ "$rc" -ne 0 ]; then
  echo "ray.sh: FAIL: pytest exit status $rc"
  exit 1
fi
if [ "${passed:-0}" -eq 0 ] || echo "$summary" | grep -q skipped; then
  echo "ray.sh: FAIL: a test was skipped or none passed"
  exit 1
fi
echo "ray.sh: OK in $(( $(date +%s) - t0 )) s"
