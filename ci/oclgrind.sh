#!/usr/bin/env bash
# ci/oclgrind.sh — the kernel suites and `clcnn compare` on small networks under
# Oclgrind (an OpenCL simulator that checks every memory access against the
# buffer it belongs to, and data races), with 0 diagnostics allowed outside the
# reviewed list ci/oclgrind.supp. POCL runs the same kernels but forgives reads
# past a buffer; a GPU may fault or read another tensor. Leaves out the runtime /
# cache / CLI suites (they test the ICD loader and disk cache, which Oclgrind's
# interception replaces), test_tune (conv_clblast: CLBlast's static program
# cache releases its programs in __cxa_finalize after Oclgrind's LLVM state is
# gone, "corrupted double-linked list" at exit in ~1 run of 4; every case
# passes first) and large inputs (the simulator runs ~1e6x slower).
#
#   ci/oclgrind.sh [BUILD_DIR]      (default: build; needs oclgrind on PATH)
# Env: OCLGRIND_SET=kernels|quick|full (default quick: the suites and 9 networks,
#      ~3 min; kernels: the suites only, ~30 s; full: every family, GoogLeNet and
#      DenseNet too, and every narrow zoo model, ~8 min),
#      CLCNN_PLAN_PROFILE (passed through: Oclgrind is a "GPU", so its own plan
#      is GPU-shaped; CLCNN_PLAN_PROFILE=cpu checks the CPU plan, nvidia /
#      mobile the declared GPU profiles, see README),
#      PYTHON (with the onnx package, for the zoo resize; default .venv/bin/python),
#      OCLGRIND_FP16=1: each network also runs `compare --precision fp16` (every
#      float tensor stored half, issue 18). Oclgrind 21.10 lists no cl_khr_fp16,
#      but the fp16 kernels use only vload_half/vstore_half, which are core
#      OpenCL 1.2, so those runs use the CLCNN_FP16_ANY_DEVICE=1 test hook.
# Prints one line per item and "N passed, N failed"; exit 1 on any failure.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
SET=${OCLGRIND_SET:-quick}
SUPP="$ROOT/ci/oclgrind.supp"
ZOO="$ROOT/../shared/zoo"
CLCNN="$BUILD/clcnn"
if ! command -v oclgrind >/dev/null; then
    echo "oclgrind.sh: oclgrind not installed (apt-get install -y oclgrind)" >&2
    exit 1
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/clcnn-oclgrind.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# A private program cache: binaries Oclgrind "compiles" are its own IR.
export CLCNN_CACHE_DIR="$WORK/cache" CLCNN_TEST_DEVICE=oclgrind
pass=0 fail=0 failed=()

# Diagnostics in an Oclgrind log: each kernel diagnostic block names its
# kernel ("Kernel: conv_pw"), each API error says "runtime error detected".
# A block is dropped when a line of ci/oclgrind.supp (KERNEL<TAB>REGEX<TAB>reason;
# KERNEL * = any) matches its kernel and its first line. Prints the kept count.
count_diags() {
    awk -v supp="$SUPP" '
        BEGIN { n = 0
                while ((getline l < supp) > 0) {
                    if (l ~ /^#/ || l ~ /^[ \t]*$/) continue
                    split(l, f, "\t"); sk[++n] = f[1]; sr[n] = f[2] }
                kept = 0 }
        function judge(   i) {
            if (head == "") return
            for (i = 1; i <= n; i++)
                if ((sk[i] == "*" || sk[i] == kern) && head ~ sr[i]) { head = ""; return }
            kept++; if (kept <= 3) print "    " head " [" kern "]" > "/dev/stderr"
            head = "" }
        /runtime error detected/ { judge(); head = $0; kern = "(api)"; next }
        /^(Invalid|Uninitiali|Work-group divergence|Barrier|Read-write|Write-write|Unaligned|.*data race)/ {
            judge(); head = $0; kern = "?"; next }
        /^[ \t]+Kernel: / { k = $0; sub(/^[ \t]+Kernel: */, "", k); kern = k; next }
        /^[ \t]+Function: / { k = $0; sub(/^[ \t]+Function: */, "", k); kern = "(api) " k; next }
        END { judge(); print kept }' "$1"
}

# run NAME CMD...: CMD under Oclgrind; passes when it exits 0 with 0 diagnostics.
run() {
    local name=$1 log t0 rc diags
    log="$WORK/$(printf '%s' "$1" | tr -c 'A-Za-z0-9_.@-' '_').log"
    shift
    t0=$(date +%s)
    oclgrind --check-api --data-races --log "$log.og" "$@" >"$log" 2>&1
    rc=$?
    touch "$log.og"
    diags=$(count_diags "$log.og")
    if [ "$rc" -eq 0 ] && [ "$diags" -eq 0 ]; then
        pass=$((pass + 1))
        printf 'ok    %-44s %4ds\n' "$name" $(($(date +%s) - t0))
    else
        fail=$((fail + 1))
        failed+=("$name")
        printf 'FAIL  %-44s %4ds  exit %d, %d diagnostics\n' "$name" $(($(date +%s) - t0)) "$rc" "$diags"
        grep -E 'FAILED|first bad|error|culprit|over tol' "$log" | head -5 | sed 's/^/    /'
    fi
}

# 1. Kernel suites (every variant against the reference at awkward shapes).
for t in test_kernels_conv test_kernels_eltwise test_kernels_gather test_kernels_gemm \
         test_kernels_plan test_kernels_pool test_kernels_shape test_kernels_stem \
         test_kernels_norm test_kernels_unary test_fusion test_shuffle; do
    run "$t" "$BUILD/tests/$t"
done

# 2. Networks at 32x32: late stages down to 1x1 planes (the shapes where
#    conv_pw read past its buffer). Built-ins with a width multiplier at 0.5;
#    the families without one (ResNet-50 at 32 is 84 MMACs, Xception 95: minutes
#    each in the simulator) as their narrow zoo models (../shared/zoo, the
#    exporters' real graphs) with the input resized to 32 (ci/onnx_resize.py).
[ "$SET" = kernels ] && families="" zoo="" || {
    families="mobilenet_v1:0.5 mobilenet_v2:0.5 mobilenet_v3_large:0.5 mobilenet_v3_small:1
              efficientnet_b0:0.5 shufflenet_v2:0.5"
    zoo="xception_w0125 resnet_bottleneck_1111 mnasnet0_5"
}
[ "$SET" = full ] && families="$families mnasnet:-" &&
    zoo="$zoo googlenet densenet_small mobilenet_v1_a025 mobilenet_v2_w035 mobilenet_v3_large_w05
         mobilenet_v3_small_w05 efficientnet_b0_w05"
# (shufflenet_v2_x0_5 is left out: its legacy export reshapes to constants of
# the 224 input, so it cannot be resized; the built-in covers the family.)
for f in $families; do
    IFS=: read -r arch width <<<"$f"
    m="$WORK/${arch}_32_w${width}.onnx"
    wflag=()
    [ "$width" = - ] || wflag=(--width "$width")
    if ! "$CLCNN" export "$arch" "$m" --input-size 32 "${wflag[@]}" >"$WORK/export.log" 2>&1; then
        fail=$((fail + 1)); failed+=("export $arch"); echo "FAIL  export $arch"; cat "$WORK/export.log"
        continue
    fi
    run "compare $arch@32 w$width" "$CLCNN" compare "$m" --device oclgrind
    [ "${OCLGRIND_FP16:-0}" = 1 ] && run "compare $arch@32 w$width fp16" \
        env CLCNN_FP16_ANY_DEVICE=1 "$CLCNN" compare "$m" --device oclgrind --precision fp16
done
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=python3
for z in $zoo; do
    if [ ! -f "$ZOO/$z/model.onnx" ]; then
        echo "skip  zoo $z (no $ZOO/$z)"
        continue
    fi
    if ! "$PY" "$ROOT/ci/onnx_resize.py" "$ZOO/$z/model.onnx" "$WORK/$z.onnx" 32 >"$WORK/resize.log" 2>&1; then
        fail=$((fail + 1)); failed+=("resize $z"); echo "FAIL  resize zoo/$z"; cat "$WORK/resize.log"
        continue
    fi
    run "compare zoo/$z@32" "$CLCNN" compare "$WORK/$z.onnx" --device oclgrind
    [ "${OCLGRIND_FP16:-0}" = 1 ] && run "compare zoo/$z@32 fp16" \
        env CLCNN_FP16_ANY_DEVICE=1 "$CLCNN" compare "$WORK/$z.onnx" --device oclgrind --precision fp16
done

# 3. The spatial ops (Resize, ConvTranspose, DepthToSpace/SpaceToDepth, 1-D
#    Conv/pools, the segmentation net) on py_ops_spatial's awkward shapes: every
#    8th case (every 2nd in the full set) and each segnet, compared node by node.
if [ "$SET" != kernels ]; then
    every=8
    [ "$SET" = full ] && every=2
    if "$PY" "$ROOT/tests/py_ops_spatial.py" --export "$WORK/spatial" --every "$every" \
            >"$WORK/spatial.log" 2>&1; then
        for m in "$WORK"/spatial/*.onnx; do
            run "compare $(basename "$m" .onnx)" "$CLCNN" compare "$m" --device oclgrind
        done
    else
        fail=$((fail + 1)); failed+=("export spatial"); echo "FAIL  export spatial"; cat "$WORK/spatial.log"
    fi
fi

echo "oclgrind (${SET}${CLCNN_PLAN_PROFILE:+, plan profile $CLCNN_PLAN_PROFILE}): $pass passed, $fail failed"
[ "$fail" -eq 0 ] || { printf '  failed: %s\n' "${failed[@]}"; exit 1; }
