#!/usr/bin/env bash
# python.sh — the Python package as a user gets it: a fresh venv, `pip install`
# of the repository (scikit-build-core builds the extension with the project's
# CMake), then pytest on tests/python from outside the repository, so the
# installed package is what gets imported. Fails when pytest collects nothing
# or skips everything. Also runs examples/classify.py once.
# Usage: bash ci/python.sh [pytest args...]
#   CLCNN_SHARED   the shared folder (default: ../shared beside the repository)
#   CLCNN_CLI      a clcnn binary: also compare classify with it
#   PYTHON         the interpreter to make the venv from (default python3; needs its headers)
#   PIP_CACHE_DIR  pip's cache (kept between runs; the build itself is fresh)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${CLCNN_SHARED:-$(cd "$ROOT/.." && pwd)/shared}"
export CLCNN_SHARED="$SHARED"
export CLCNN_MODEL_PATH="$SHARED/models${CLCNN_MODEL_PATH:+:$CLCNN_MODEL_PATH}"
# The C build dominates; the machine is shared, so two jobs at most.
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"
PY="${PYTHON:-python3}"

# The extension compiles against the interpreter's headers (Debian: python3-dev).
if ! "$PY" -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'; then
  echo "python.sh: FAIL: no Python.h for $("$PY" -c 'import sys; print(sys.executable)') (install python3-dev)"
  exit 1
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/clcnn-python.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
t0=$(date +%s)

echo "python.sh: fresh venv in $WORK"
"$PY" -m venv "$WORK/venv"
VPY="$WORK/venv/bin/python"
"$VPY" -m pip install -q --upgrade pip
"$VPY" -m pip install -q numpy onnx onnxruntime pytest Pillow
echo "python.sh: pip install $ROOT"
# build-dir inside $WORK: a fresh build every time, never the repository's build/
if ! "$VPY" -m pip install -q "$ROOT" -C build-dir="$WORK/build" >"$WORK/pip.log" 2>&1; then
  tail -n 40 "$WORK/pip.log"
  echo "python.sh: FAIL: pip install"
  exit 1
fi
t1=$(date +%s)
echo "python.sh: installed in $((t1 - t0)) s"

# From outside the repository: `import clcnn` must find the installed package.
cd "$WORK"
"$VPY" - <<'PYEOF'
import clcnn, os, sys
f = clcnn._clcnn.__file__
assert "site-packages" in f, f"clcnn imported from {f}, not the installed package"
print(f"python.sh: clcnn {clcnn.__version__} from {os.path.dirname(f)}; devices: "
      + (", ".join(f"{d['index']}: {d['name']} ({d['type']})" for d in clcnn.devices()) or "none"))
PYEOF
# The module must not need the build tree (it is deleted at exit anyway): no
# RPATH/RUNPATH, and every library it needs is a system one.
SO="$("$VPY" -c 'import clcnn._clcnn as m; print(m.__file__)')"
if readelf -d "$SO" | grep -Eq 'R(UN)?PATH'; then
  readelf -d "$SO" | grep -E 'R(UN)?PATH'
  echo "python.sh: FAIL: the module has an RPATH"
  exit 1
fi
if ldd "$SO" | grep -E "not found|$WORK/build|$ROOT"; then
  echo "python.sh: FAIL: the module needs something outside the system"
  exit 1
fi
# Paths of this build (the repository, the build dir, scikit-build-core's
# temporary install prefix) have no business inside the module.
if paths="$(strings "$SO" | grep -E "$ROOT/|$WORK/|/wheel/platlib")"; then
  echo "python.sh: FAIL: the module embeds build-time paths: $paths"
  exit 1
fi

set +e
"$VPY" -m pytest -q -rs -p no:cacheprovider "$ROOT/tests/python" "$@" 2>&1 | tee "$WORK/pytest.log"
rc=${PIPESTATUS[0]}
set -e
summary="$(grep -E '^(=+ )?[0-9]+ (passed|failed|skipped|error)|no tests ran' "$WORK/pytest.log" | tail -n 1)"
echo "python.sh: pytest: ${summary:-no summary line}"
passed=$(echo "$summary" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
if [ "$rc" -ne 0 ]; then
  echo "python.sh: FAIL: pytest exit status $rc"
  exit 1
fi
if [ "${passed:-0}" -eq 0 ]; then
  echo "python.sh: FAIL: no test passed (nothing collected, or everything skipped)"
  exit 1
fi

echo "python.sh: examples/classify.py"
"$VPY" "$ROOT/examples/classify.py" --device ref "$SHARED/data/images/dog.jpg"
echo "python.sh: OK in $(( $(date +%s) - t0 )) s"
