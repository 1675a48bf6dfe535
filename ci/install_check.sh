#!/usr/bin/env bash
# install_check.sh — clcnn as a user gets it: `cmake --install` into a temp
# prefix, then what a packager and an embedder rely on: the layout, the SONAME,
# only clcnn_* exported, no build-machine path in what was installed, and
# examples/classify.c built against the prefix alone four ways (pkg-config
# shared and static, find_package shared and static) classifying dog.jpg to
# the same top-5 as the installed `clcnn classify`.
# Usage: bash ci/install_check.sh [BUILD_DIR]
#   BUILD_DIR: a built tree to install from (CTest passes its own); without it
#   a tests-off build is made in a temp dir. Everything else lives in one
#   mktemp dir, removed on exit.
# Env: CLCNN_SHARED (default <repo>/../shared); CLCNN_CHECK_DEVICE (default
#   cpu when an OpenCL CPU device exists, else ref).
# Prints PASS/FAIL per check and "install_check: N passed, M failed"; exits 1
# on any failure.
# pipefail: a failing command inside a check's pipeline fails the check (hence
# `grep >/dev/null`, which reads its whole input, rather than `grep -q`).
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "${CLCNN_SHARED:-$repo/../shared}" 2>/dev/null && pwd) || {
  echo "install_check: no shared folder at ${CLCNN_SHARED:-$repo/../shared} (set CLCNN_SHARED)"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/clcnn_install_check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
image=$shared/data/images/dog.jpg
export CLCNN_CACHE_DIR=${CLCNN_CACHE_DIR:-$tmp/cache}
passed=0
failed=0

# check NAME COMMAND...: one PASS/FAIL line; on failure the command's last output lines.
check() {
  local name=$1
  shift
  if "$@" >"$tmp/check.log" 2>&1; then
    echo "PASS $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    tail -n 15 "$tmp/check.log" | sed 's/^/    /'
    failed=$((failed + 1))
  fi
}

finish() {
  echo "install_check: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

# ---- build (or reuse) and install ----
if [ $# -ge 1 ]; then
  build=$(cd "$1" && pwd) || { echo "install_check: no build dir '$1'"; exit 1; }
else
  build=$tmp/build
  build_tree() {
    cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLCNN_BUILD_TESTS=OFF &&
      cmake --build "$build" -j2
  }
  check "configure + build (tests off)" build_tree
fi
check "cmake --install into a temp prefix" cmake --install "$build" --prefix "$prefix"
[ -f "$prefix/bin/clcnn" ] || finish # nothing below can run without an install

so=$(find "$prefix" -name libclcnn.so -print -quit)
libdir=$(dirname "${so:-$prefix/lib/libclcnn.so}")
version=$(sed -n 's/^#define CLCNN_VERSION "\(.*\)"/\1/p' "$prefix/include/clcnn_version.h" 2>/dev/null)
major=${version%%.*}

layout() {
  local f
  for f in include/clcnn.h include/clcnn_tools.h include/clcnn_version.h bin/clcnn; do
    [ -f "$prefix/$f" ] || { echo "missing $f"; return 1; }
  done
  for f in libclcnn.a pkgconfig/clcnn.pc cmake/clcnn/clcnnConfig.cmake cmake/clcnn/clcnnConfigVersion.cmake; do
    [ -f "$libdir/$f" ] || { echo "missing ${libdir#"$prefix"/}/$f"; return 1; }
  done
  [ -n "$version" ] || { echo "no CLCNN_VERSION in clcnn_version.h"; return 1; }
  [ "$(readlink "$libdir/libclcnn.so")" = "libclcnn.so.$major" ] &&
    [ "$(readlink "$libdir/libclcnn.so.$major")" = "libclcnn.so.$version" ] &&
    [ -f "$libdir/libclcnn.so.$version" ] || { ls -l "$libdir"; return 1; }
}
check "layout: headers, libclcnn.so -> .so.$major -> .so.$version, .a, .pc, CMake package, bin/clcnn" layout

soname() {
  readelf -d "$libdir/libclcnn.so.$version" | tee /dev/stderr | grep "(SONAME).*\[libclcnn\.so\.$major\]" >/dev/null
}
check "readelf -d: SONAME libclcnn.so.$major" soname

# CLBlast is loaded on first use (host/runtime/rt_clblast.c), never linked:
# a process that runs no CLBlast layer must not map it or run its initializers
no_clblast_needed() {
  ! readelf -d "$libdir/libclcnn.so.$version" "$prefix/bin/clcnn" | grep "(NEEDED).*clblast"
}
check "readelf -d: libclblast not NEEDED (dlopen'ed on first use)" no_clblast_needed

exports() {
  local all others
  all=$(nm -D --defined-only "$libdir/libclcnn.so.$version" | awk '{print $3}')
  others=$(grep -v '^clcnn_' <<<"$all")
  echo "$(wc -l <<<"$all") exported; not clcnn_*: ${others:-none}"
  [ -n "$all" ] && [ -z "$others" ]
}
check "nm -D: only clcnn_* symbols exported" exports

# The static archive carries the generated protobuf code itself (the bug
# issue 12 started from: 34 undefined onnx__* references).
archive() {
  nm --defined-only "$libdir/libclcnn.a" 2>/dev/null | grep ' onnx__model_proto__descriptor$' >/dev/null
}
check "libclcnn.a contains the ONNX protobuf code" archive

no_build_paths() {
  local f bad=0
  for f in "$prefix"/bin/clcnn "$libdir"/libclcnn.so.* "$libdir"/libclcnn.a; do
    if strings -a "$f" | grep -F -e "$repo" -e "$build"; then
      echo "build-machine path in $f"
      bad=1
    fi
  done
  readelf -d "$prefix/bin/clcnn" | grep -E 'RUNPATH|RPATH'
  readelf -d "$prefix/bin/clcnn" | grep 'R.*PATH.*\[\$ORIGIN/\.\./' >/dev/null || { echo "bin/clcnn: no \$ORIGIN runpath"; bad=1; }
  return $bad
}
check "strings: no source/build path in bin/ and lib/; bin/clcnn RUNPATH \$ORIGIN/../" no_build_paths

# ---- the installed CLI is the reference answer ----
cd "$tmp" || exit 1 # nothing relative to the repo may be found by accident
export CLCNN_MODEL_PATH=$shared/models
unset LD_LIBRARY_PATH
device=${CLCNN_CHECK_DEVICE:-}
if [ -z "$device" ]; then
  device=ref
  "$prefix/bin/clcnn" devices 2>/dev/null | grep -Ei 'type +cpu' >/dev/null && device=cpu
fi
echo "device: $device; model: the default, through CLCNN_MODEL_PATH=$CLCNN_MODEL_PATH"

cli_reference() {
  local got
  got=$(ldd "$prefix/bin/clcnn" | awk '$1 == "libclcnn.so.'"$major"'" {print $3}')
  echo "libclcnn.so.$major => $got"
  [ -n "$got" ] && [ "$(realpath "$got")" = "$(realpath "$libdir/libclcnn.so.$major")" ] || return 1
  "$prefix/bin/clcnn" classify --device "$device" "$image" >"$tmp/want.txt" &&
    cat "$tmp/want.txt" && [ "$(wc -l <"$tmp/want.txt")" -eq 6 ]
}
check "installed clcnn classify (runs on the installed libclcnn.so)" cli_reference

# run_diff EXE [ENV=VALUE...]: the example's stdout must equal the CLI's.
run_diff() {
  local exe=$1
  shift
  env "$@" "$exe" "$image" "$device" >"$tmp/got.txt" && diff "$tmp/want.txt" "$tmp/got.txt"
}

# ---- examples/classify.c with pkg-config ----
export PKG_CONFIG_PATH=$libdir/pkgconfig
pc_shared() {
  # shellcheck disable=SC2046 # pkg-config output is a word list by design
  cc -std=c11 -Wall -Werror "$repo/examples/classify.c" -o "$tmp/classify_pc" \
    $(pkg-config --cflags --libs clcnn) -lm &&
    readelf -d "$tmp/classify_pc" | grep "NEEDED.*\[libclcnn\.so\.$major\]" >/dev/null &&
    run_diff "$tmp/classify_pc" "LD_LIBRARY_PATH=$libdir"
}
check "pkg-config --cflags --libs: example builds, runs, same top-5 as clcnn classify" pc_shared

pc_static() {
  local libs
  # -l:libclcnn.a picks the archive although libclcnn.so sits beside it
  libs=$(pkg-config --static --libs clcnn | sed 's/-lclcnn\( \|$\)/-l:libclcnn.a\1/')
  echo "libs: $libs"
  # shellcheck disable=SC2086
  cc -std=c11 -Wall -Werror "$repo/examples/classify.c" -o "$tmp/classify_pc_static" \
    $(pkg-config --cflags clcnn) $libs -lm &&
    ! readelf -d "$tmp/classify_pc_static" | grep 'NEEDED.*libclcnn' >/dev/null &&
    run_diff "$tmp/classify_pc_static"
}
check "pkg-config --static against libclcnn.a: example builds, runs, same top-5" pc_static

# ---- examples/ as a CMake project with find_package(clcnn) ----
cmake_example() {
  cmake -S "$repo/examples" -B "$tmp/examples-build" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_FLAGS="-Wall -Werror" && cmake --build "$tmp/examples-build" -j2
}
check "find_package(clcnn): examples/ configures and builds" cmake_example
check "find_package: clcnn::clcnn example, same top-5" run_diff "$tmp/examples-build/classify"
static_target() {
  [ -x "$tmp/examples-build/classify_static" ] || { echo "no clcnn::clcnn_static target"; return 1; }
  ! readelf -d "$tmp/examples-build/classify_static" | grep 'NEEDED.*libclcnn' >/dev/null &&
    run_diff "$tmp/examples-build/classify_static"
}
check "find_package COMPONENTS static: clcnn::clcnn_static example, same top-5" static_target

finish
