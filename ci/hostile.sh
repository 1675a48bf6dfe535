#!/usr/bin/env bash
# hostile.sh — every file of the generated hostile corpus (tests/hostile/
# make_corpus.py: ~390 malformed ONNX models, NPY files and images) through
# the clcnn CLI, 10 s each (30 s for an image, which when it decodes runs the
# whole reference MobileNetV1 under ASan: 5-10 s on a loaded 2-core machine,
# where 10 s flagged healthy runs as hangs), and a tally of what must never
# happen:
#   crash   killed by a signal, or exit codes >= 126 other than ours
#   hang    the timeout fired
#   report  an AddressSanitizer / UBSan / LeakSanitizer report on stderr
#   loud    more than one stderr line on a failure (the one-line rule)
# Any of them non-zero fails the script (exit 1). Clean failures (exit 1/2
# with one line) and successes are both fine: the corpus also holds valid
# seeds. Meant for the ASan+UBSan build (ci/asan.sh builds build-asan), but
# works on any clcnn binary.
# Usage: ci/hostile.sh [CLCNN_BINARY] [WORKDIR]   (defaults build-asan/clcnn, build-asan/hostile)
set -uo pipefail
cd "$(dirname "$0")/.."
CLCNN=${1:-build-asan/clcnn}
WORK=${2:-build-asan/hostile}
PY=${PYTHON:-.venv/bin/python}
[ -n "$PY" ] || PY=.venv/bin/python
MODEL=${HOSTILE_MODEL:-../shared/models/mobilenet_v1_0.75_224.onnx}
[ -x "$CLCNN" ] || { echo "hostile: no clcnn binary at $CLCNN" >&2; exit 2; }
CLCNN=$(realpath "$CLCNN")
rm -rf "$WORK"
mkdir -p "$WORK/out"
"$PY" tests/hostile/make_corpus.py "$WORK/corpus" >/dev/null || { echo "hostile: corpus generation failed" >&2; exit 2; }
"$PY" -c "import numpy as np; np.save('$WORK/x13.npy', np.ones((1,3),np.float32)); np.save('$WORK/x1255.npy', np.ones((1,2,5,5),np.float32))"
"$PY" -c "
import sys; sys.path.insert(0, 'tests/hostile'); import make_corpus as mc
open('$WORK/relu.onnx','wb').write(mc.relu_model().SerializeToString())"
export CLCNN_CACHE_DIR="$WORK/cache"
# Leaks are errors; the suppression file covers reports inside the OpenCL driver only.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=86}"
[ -f ci/lsan.supp ] && export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/ci/lsan.supp:print_suppressions=0}"

total=0 crash=0 hang=0 report=0 loud=0 ok=0 clean=0
limit=10 # seconds a run may take before it counts as a hang
declare -a bad=()
check() { # label, then the command
    local label=$1; shift
    total=$((total + 1))
    timeout -k 2 "$limit" "$@" >"$WORK/stdout" 2>"$WORK/stderr" </dev/null
    local rc=$?
    local lines
    # classify's closing "N of M image(s) failed" tally is not a second error
    lines=$(grep -vc "image(s) failed$" "$WORK/stderr")
    if grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: (Address|Undefined|Leak)" "$WORK/stderr"; then
        report=$((report + 1)); bad+=("report $label: $(grep -m1 -E 'ERROR|runtime error' "$WORK/stderr")")
    elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        hang=$((hang + 1)); bad+=("hang $label")
    elif [ $rc -ge 126 ]; then
        crash=$((crash + 1)); bad+=("crash $label: exit $rc $(tail -c 300 "$WORK/stderr")")
    elif [ $rc -eq 0 ]; then
        ok=$((ok + 1))
    elif [ "$lines" -ne 1 ] && ! grep -q "^clcnn: " "$WORK/stderr"; then
        loud=$((loud + 1)); bad+=("loud $label: $lines stderr lines")
    else
        clean=$((clean + 1))
    fi
}

start=$(date +%s)
for f in "$WORK"/corpus/onnx/*.onnx "$WORK"/corpus/seed_onnx/*.onnx; do
    check "summary $(basename "$f")" "$CLCNN" summary "$f"
    check "run $(basename "$f")" "$CLCNN" run "$f" --input "$WORK/x13.npy" --output "$WORK/out/o.npy" --device ref
done
for f in "$WORK"/corpus/npy/*.npy; do
    check "npy $(basename "$f")" "$CLCNN" run "$WORK/relu.onnx" --input "$f" --output "$WORK/out/o.npy" --device ref
done
if [ -f "$MODEL" ]; then
    limit=30
    for f in "$WORK"/corpus/img/*; do
        check "image $(basename "$f")" "$CLCNN" classify --model "$MODEL" --device ref "$f"
    done
    limit=10
fi
# Half-written outputs: no temp file may survive any of the runs above.
left=$(find "$WORK/out" -name '*.tmp*' | wc -l)
end=$(date +%s)
echo "hostile: $total runs in $((end - start)) s: $ok ran, $clean clean failures," \
     "$crash crashes, $hang hangs, $report sanitizer reports, $loud multi-line errors, $left temp files left"
for b in "${bad[@]}"; do echo "  $b"; done
[ $((crash + hang + report + loud + left)) -eq 0 ]
