#!/usr/bin/env bash
# fuzz.sh — builds the libFuzzer targets of fuzz/ with clang
# (-fsanitize=fuzzer,address,undefined, -fno-sanitize-recover=all) over a
# sanitized libclcnn.a in build-fuzz, replays the committed seeds and the
# regression corpus (fuzz/corpus/<target>, plus any crash-* inputs kept
# there), then fuzzes each target: in CI a fixed seed and a fixed number of
# runs (~20-30 s a target, reproducible), or FUZZ_SECONDS seconds a target
# with a random seed to explore. Any crash, sanitizer report, leak, timeout
# (> 10 s per input) or allocation over 2 GB (-malloc_limit_mb/-rss_limit_mb)
# fails. New inputs found go to build-fuzz/corpus-<target>, not into git.
# Usage: bash ci/fuzz.sh [target...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-}
JOBS=${JOBS:-2}
command -v clang >/dev/null || { echo "fuzz: clang not found (apt-get install clang)" >&2; exit 2; }
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

cmake -S . -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCLCNN_BUILD_TESTS=OFF -DCLCNN_HARDEN=OFF -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link $SAN" >/dev/null
cmake --build "$BUILD" -j"$JOBS" --target clcnn_static >/dev/null
LIBS="$BUILD/libclcnn.a $(pkg-config --libs libprotobuf-c) -lOpenCL -ljpeg -lpng -lm -lpthread"
ldconfig -p 2>/dev/null | grep -q libclblast && LIBS="$LIBS -lclblast"
INC="-Ihost/include -I$BUILD/gen/include -Ihost -I$BUILD/gen -Ihost/cli -Ifuzz"
DEFS="-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DCL_TARGET_OPENCL_VERSION=120"
declare -A EXTRA=([npy]=host/cli/npy.c)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(onnx npy image cache sidecar)
for t in "${TARGETS[@]}"; do
    clang -std=c11 -g -O1 -fsanitize=fuzzer $SAN $DEFS $INC fuzz/fuzz_$t.c ${EXTRA[$t]:-} $LIBS \
          -o "$BUILD/fuzz_$t"
done

export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
LIMITS=(-rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10)
# CI's budget is a fixed seed and a fixed number of runs from a fresh corpus:
# the same inputs every time, so a red CI is a reproducible find and a green
# one stays green for the same code. FUZZ_SECONDS=N explores instead (a random
# seed, N seconds a target, new inputs kept in $BUILD/corpus-<target>).
if [ -n "${FUZZ_SECONDS:-}" ]; then
    BUDGET=(-max_total_time="$SECONDS_EACH")
else
    rm -rf "$BUILD"/corpus-*
fi
# Runs a target for ~20-30 s on this 2-core machine (measured exec/s: onnx
# ~200k, npy ~6k, cache and sidecar ~5k, image slowest: it decodes and resizes).
declare -A RUNS=([onnx]=2000000 [npy]=150000 [image]=25000 [cache]=150000 [sidecar]=100000)
for t in "${TARGETS[@]}"; do
    seeds=fuzz/corpus/$t
    work=$BUILD/corpus-$t
    mkdir -p "$work"
    [ -n "${FUZZ_SECONDS:-}" ] || BUDGET=(-seed="${FUZZ_SEED:-1}" -runs="${FUZZ_RUNS:-${RUNS[$t]}}")
    dict=()
    [ -f fuzz/$t.dict ] && dict=(-dict=fuzz/$t.dict)
    # the regression pass: every committed input once (exit != 0 on any report)
    "$BUILD/fuzz_$t" "${LIMITS[@]}" -runs=0 "$seeds" >"$BUILD/fuzz_$t.replay.log" 2>&1 || {
        tail -40 "$BUILD/fuzz_$t.replay.log"; echo "fuzz: $t: a committed input fails" >&2; exit 1; }
    start=$(date +%s)
    "$BUILD/fuzz_$t" "${LIMITS[@]}" "${dict[@]}" "${BUDGET[@]}" -print_final_stats=1 \
        -artifact_prefix="$BUILD/crash-$t-" "$work" "$seeds" >"$BUILD/fuzz_$t.log" 2>&1 || {
        tail -60 "$BUILD/fuzz_$t.log"; echo "fuzz: $t: failure (input kept as $BUILD/crash-$t-*)" >&2; exit 1; }
    echo "fuzz: $t: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$BUILD/fuzz_$t.log" | grep -o '[0-9]*$') runs in $(( $(date +%s) - start )) s, $(ls "$work" | wc -l) corpus inputs, clean"
done
