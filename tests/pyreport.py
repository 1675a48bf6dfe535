"""pyreport.py — what the Python suites share (not a suite: ctest runs py_*.py):
the PASS/FAIL/SKIPPED tally that ends in the "N passed, N failed[, N skipped]"
line, and whether clcnn sees an OpenCL CPU device."""
import subprocess
import sys

# tests/CMakeLists.txt sets SKIP_RETURN_CODE 77 on every suite (cmocka's too).
SKIP_EXIT = 77


class Report:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def __call__(self, ok, what):
        print(("PASS " if ok else "FAIL ") + what, flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1

    def skip(self, what):
        print("SKIPPED " + what, flush=True)
        self.skipped += 1

    def finish(self):
        """Prints the closing line; exits 1 on any failure, SKIP_EXIT when
        every case was skipped (CTest maps it to Skipped through the suite's
        SKIP_RETURN_CODE: a machine without a device must not show Passed),
        else 0. Partial skips stay visible as SKIPPED lines, which
        ci/check_skips.sh counts."""
        print(f"{self.passed} passed, {self.failed} failed"
              + (f", {self.skipped} skipped" if self.skipped else ""))
        if self.failed:
            sys.exit(1)
        sys.exit(SKIP_EXIT if self.skipped and not self.passed else 0)


def has_cpu_device(clcnn):
    p = subprocess.run([clcnn, "devices"], capture_output=True, text=True)
    return p.returncode == 0 and "cpu" in p.stdout.lower()
