"""pyreport.py — what the Python suites share (not a suite: ctest runs py_*.py):
the PASS/FAIL/SKIPPED tally that ends in the "N passed, N failed[, N skipped]"
line, and whether clcnn sees an OpenCL CPU device.

Run as a script it is the runner ctest wraps every suite in:
    pyreport.py SUITE.py ARGS...
It runs the suite, passes its output through, and judges its closing tally
line: a suite that passed nothing and failed nothing ran nothing (no device,
no models) and exits SKIP_RC, which ctest reports as skipped, never passed;
a suite that printed no tally line fails."""
import re
import subprocess
import sys

SKIP_RC = 77  # tests/CMakeLists.txt: SKIP_RETURN_CODE
TALLY = re.compile(r"^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$")


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
        """Prints the closing line; exits 1 on any failure, SKIP_RC when
        nothing passed (CTest maps it to Skipped through the suite's
        SKIP_RETURN_CODE: a machine without a device must not show Passed),
        else 0. Partial skips stay visible as SKIPPED lines, which
        ci/check_skips.sh counts."""
        print(f"{self.passed} passed, {self.failed} failed"
              + (f", {self.skipped} skipped" if self.skipped else ""))
        sys.exit(verdict(self.passed, self.failed, 0))


def has_cpu_device(clcnn):
    p = subprocess.run([clcnn, "devices"], capture_output=True, text=True)
    return p.returncode == 0 and "cpu" in p.stdout.lower()


def verdict(passed, failed, rc):
    """Exit status for a tally: failures or a failing rc -> 1; nothing run -> SKIP_RC."""
    if failed or rc not in (0, SKIP_RC):
        return 1
    return 0 if passed else SKIP_RC


def run_suite(argv):
    p = subprocess.Popen([sys.executable] + argv, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    tally = None
    for line in p.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        m = TALLY.match(line.strip())
        if m:
            tally = (int(m.group(1)), int(m.group(2)))
    rc = p.wait()
    if tally is None:
        print(f"pyreport: {argv[0]} printed no 'N passed, N failed' line (exit {rc}): failed")
        return 1
    v = verdict(tally[0], tally[1], rc)
    if v == SKIP_RC:
        print(f"pyreport: {argv[0]} ran nothing (0 passed, 0 failed): reported as skipped")
    return v


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: pyreport.py SUITE.py [ARGS...]")
    sys.exit(run_suite(sys.argv[1:]))
