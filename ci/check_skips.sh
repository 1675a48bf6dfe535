#!/usr/bin/env bash
# check_skips.sh — run after ctest: fails when test cases were skipped on a
# machine where POCL is installed (the OpenCL suites must run there, a skip
# means the device was not found). Reads the log of the last ctest run:
#   "[  SKIPPED ] name"   cmocka cases (the suite also exits 77 -> ctest Skipped)
#   "SKIPPED ..."         Python suites through tests/pyreport.py (and py_compare)
# py_ops' "SKIP ... known gap" lines are documented gaps, not missing devices,
# and are not counted. Without POCL it only reports.
# Usage: ci/check_skips.sh [BUILD_DIR]   (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
LOG="$B/Testing/Temporary/LastTest.log"
[ -f "$LOG" ] || { echo "check_skips: no $LOG (run ctest first)" >&2; exit 2; }
# cmocka prints each skipped case twice (as it happens and in the summary):
# count the distinct "[  SKIPPED ] test_x" names, not the "N test(s)" lines
# (grep finds nothing on a clean run: with pipefail that must not end the script)
cm=$({ grep -E '^\[  SKIPPED \] ' "$LOG" || true; } | { grep -v 'test(s), listed below' || true; } | sort -u | wc -l)
py=$(grep -cE '^SKIPPED' "$LOG" || true)
pocl=0
if ls /etc/OpenCL/vendors/*pocl*.icd >/dev/null 2>&1; then
    pocl=1
fi
echo "check_skips: $cm cmocka case(s) and $py Python line(s) skipped; POCL installed: $pocl"
grep -E '^\[  SKIPPED \] |^SKIPPED' "$LOG" | grep -v 'listed below' | sort -u | head -20 || true
if [ "$pocl" = 1 ] && [ $((cm + py)) -gt 0 ]; then
    echo "check_skips: FAIL: POCL is installed but OpenCL test cases were skipped (is the ICD visible? clinfo)" >&2
    exit 1
fi
exit 0
