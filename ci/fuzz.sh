#!/usr/bin/env bash
# fuzz.sh — builds the libFuzzer targets of fuzz/ with clang
# (-fsanitize=fuzzer,address,undefined, -fno-sanitize-recover=all) over a
# sanitized libclcnn.a in build-fuzz, replays the committed seeds and the
# regression corpus (fuzz/corpus/<target>, plus any crash-* inputs kept
# there), then fuzzes each target for FUZZ_SECONDS (default 30 s each, five
# targets: about 3 minutes in all). Any crash, sanitizer report, leak, timeout
# (> 10 s per input) or allocation over 2 GB (-malloc_limit_mb/-rss_limit_mb)
# fails. New inputs found go to build-fuzz/corpus-<target>, not into git.
# Usage: bash ci/fuzz.sh [target...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-30}
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
for t in "${TARGETS[@]}"; do
    seeds=fuzz/corpus/$t
    work=$BUILD/corpus-$t
    mkdir -p "$work"
    dict=()
    [ -f fuzz/$t.dict ] && dict=(-dict=fuzz/$t.dict)
    # the regression pass: every committed input once (exit != 0 on any report)
    "$BUILD/fuzz_$t" "${LIMITS[@]}" -runs=0 "$seeds" >"$BUILD/fuzz_$t.replay.log" 2>&1 || {
        tail -40 "$BUILD/fuzz_$t.replay.log"; echo "fuzz: $t: a committed input fails" >&2; exit 1; }
    start=$(date +%s)
    "$BUILD/fuzz_$t" "${LIMITS[@]}" "${dict[@]}" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
        -artifact_prefix="$BUILD/crash-$t-" "$work" "$seeds" >"$BUILD/fuzz_$t.log" 2>&1 || {
        tail -60 "$BUILD/fuzz_$t.log"; echo "fuzz: $t: failure (input kept as $BUILD/crash-$t-*)" >&2; exit 1; }
    echo "fuzz: $t: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$BUILD/fuzz_$t.log" | grep -o '[0-9]*$') runs in $(( $(date +%s) - start )) s, $(ls "$work" | wc -l) corpus inputs, clean"
done
