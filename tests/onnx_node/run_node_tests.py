#!/usr/bin/env python3
"""run_node_tests.py — the ONNX backend node tests as clcnn's conformance suite.

Generates the node tests from the installed `onnx` package (collect.py),
keeps those of every op host/core/op_list.h claims, and runs each through
`clcnn run model.onnx --input ... --output ...` on the reference backend and
on the OpenCL path (`--device cpu` when `clcnn devices --json` lists a CPU
device), two at a time. Each (test, device) ends as one of:
  pass      outputs match onnx's expected outputs (compare.py)
  refused   exit 1 with one clean line whose library status is
            CLCNN_ERR_UNSUPPORTED (the CLI prints no status: a clcnn_api.py
            child repeats the run through the C API and reads it)
  wrong     ran, but an output differs
  internal  crash, signal, timeout, another exit code, extra stderr, or a
            failure with any other status
Wrong, internal and refusals not documented in refusals.txt fail, and so
does a stale refusal entry (see refusals.py). Prints a per-op table, the
totals and the float32 pass rate per device, then "N passed, N failed".

    python run_node_tests.py --clcnn build/clcnn [--device ref,cpu] [-k conv] [--jobs 2]
                             [--markdown table.md]
"""
import argparse
import collections
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the shared source tree
sys.path.insert(0, HERE)
import collect  # noqa: E402
import compare  # noqa: E402
import refusals  # noqa: E402
import report  # noqa: E402

SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
TIMEOUT_S = 120   # per run; the largest node test takes well under a second
UNSUPPORTED = "CLCNN_ERR_UNSUPPORTED"


def dev_class(dev):
    """refusals.txt names the OpenCL path 'cl', whatever the device."""
    return "ref" if dev == "ref" else "cl"


def default_devices(clcnn):
    devs = ["ref"]
    try:
        r = subprocess.run([clcnn, "devices", "--json"], capture_output=True, text=True, timeout=60)
        if r.returncode == 0 and any(d.get("type") == "cpu" for d in json.loads(r.stdout or "[]")):
            devs.append("cpu")
        else:
            # "SKIPPED" lines are what ci/check_skips.sh counts where POCL is installed
            print("SKIPPED the OpenCL path: `clcnn devices --json` lists no CPU device", flush=True)
    except (OSError, ValueError, subprocess.TimeoutExpired) as e:
        print(f"SKIPPED the OpenCL path: `clcnn devices --json` failed ({e})", flush=True)
    return devs


def find_lib(clcnn):
    """The libclcnn the CLI runs with: beside it in a build tree, else as ldd resolves it."""
    d = os.path.dirname(os.path.abspath(clcnn))
    for name in ("libclcnn.so.0", "libclcnn.so"):
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    r = subprocess.run(["ldd", clcnn], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        if "libclcnn" in line and "=>" in line:
            return line.split("=>")[1].split()[0]
    raise RuntimeError(f"cannot find the libclcnn that {clcnn} uses")


def lib_env(lib):
    """The environment for Python processes that load lib: a sanitized build
    (ci/asan.sh) needs its ASan runtime preloaded into the uninstrumented
    interpreter, and leak checks off there (the interpreter's own leaks; the
    CLI runs keep theirs)."""
    env = dict(os.environ)
    r = subprocess.run(["ldd", lib], capture_output=True, text=True)
    asan = [ln.split("=>")[1].split()[0] for ln in r.stdout.splitlines() if "libasan" in ln and "=>" in ln]
    if asan:
        env["LD_PRELOAD"] = asan[0]
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "detect_leaks=0"]))
    return env


class Prober:
    """The library's status for a failed run, from one `clcnn_api.py serve`
    child (restarted if it dies). Probes go one at a time: they are few and fast."""

    def __init__(self, lib, env, tmp):
        self.lib, self.env, self.tmp = lib, env, tmp
        self.proc, self.lock = None, threading.Lock()

    def _start(self):
        self.log = open(os.path.join(self.tmp, "probe.log"), "w+")
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "clcnn_api.py"), "serve", self.lib],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                                     text=True, env=self.env)

    def probe(self, dev, model, in_paths):
        """(stage, status, message); status CLCNN_OK when the run succeeded."""
        with self.lock:
            if self.proc is None:
                self._start()
            try:
                self.proc.stdin.write(json.dumps({"device": dev, "model": model, "inputs": in_paths}) + "\n")
                self.proc.stdin.flush()
                reply = self.proc.stdout.readline()
            except OSError:
                reply = ""
            if reply:
                r = json.loads(reply)
                return r["stage"], r["status"], r["message"]
            rc = self.proc.wait()
            self.log.seek(0)
            tail = " | ".join(self.log.read().strip().splitlines()[-3:])
            self.proc = None
            return "probe", "crash", f"the probe process died (exit {rc}): {tail[-300:]}"

    def close(self):
        if self.proc:
            self.proc.stdin.close()
            self.proc.wait()


class Runner:
    """Runs (test, device) pairs through `clcnn run`, probing failures."""

    def __init__(self, clcnn, lib_path, tmp):
        self.clcnn, self.lib_path, self.tmp = clcnn, lib_path, tmp
        self.env = lib_env(lib_path)
        self.prober = Prober(lib_path, self.env, tmp)

    def close(self):
        self.prober.close()

    def prepare(self, i, t):
        """Writes the model and its inputs; returns (model path, input paths)."""
        base = os.path.join(self.tmp, f"t{i}")
        onnx.save(t.model, base + ".onnx")
        paths = []
        for k, a in enumerate(t.inputs):
            paths.append(f"{base}_in{k}.npy")
            np.save(paths[-1], a)
        return base + ".onnx", paths

    def run(self, i, t, dev, model, in_paths):
        """(kind, detail) for test t on device dev."""
        outs = [os.path.join(self.tmp, f"t{i}_{dev}_out{k}.npy") for k in range(len(t.outputs))]
        if t.inputs:
            cmd = [self.clcnn, "run", model, "--device", dev]
            for p in in_paths:
                cmd += ["--input", p]
            prefix = "clcnn run: "
        else:  # `clcnn run` needs an --input: the same steps through the C API
            cmd = [sys.executable, os.path.join(HERE, "clcnn_api.py"), "run", self.lib_path, model, dev]
            prefix = "clcnn_api: "
        for p in outs:
            cmd += ["--output", p] if t.inputs else [p]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S,
                               env=None if t.inputs else self.env)
        except subprocess.TimeoutExpired:
            return "internal", f"timed out after {TIMEOUT_S} s"
        if r.returncode < 0:
            return "internal", f"killed by signal {-r.returncode}: {r.stderr.strip()[-300:]}"
        # "clcnn: ..." lines are the library's log (info/warn), not errors
        errs = [ln for ln in r.stderr.splitlines() if ln.strip() and not ln.startswith("clcnn: ")]
        if r.returncode == 0:
            if errs:
                return "internal", f"exit 0 but stderr says: {errs[0][:300]}"
            return self._check(t, outs)
        if r.returncode != 1 or len(errs) != 1 or not errs[0].startswith(prefix):
            return "internal", f"exit {r.returncode}, stderr {len(errs)} line(s): {' | '.join(errs)[:400]}"
        msg = errs[0][len(prefix):].replace(model, t.name + ".onnx")
        if not t.inputs:  # the script printed "<stage>: <STATUS>: <message>"
            parts = msg.split(": ", 2)
            status, msg = (parts[1], parts[2]) if len(parts) == 3 else ("?", msg)
            return ("refused", msg) if status == UNSUPPORTED else ("internal", f"{status}: {msg}")
        stage, status, _ = self.prober.probe(dev, model, in_paths)
        if status == "CLCNN_OK":
            return "internal", f"`clcnn run` failed ({msg}) but the same run through the API succeeded"
        if status != UNSUPPORTED:
            return "internal", f"{status} at {stage}: {msg}"
        return "refused", msg

    def _check(self, t, outs):
        rtol, atol = compare.tolerance(t.name, t.op)
        for k, (p, want) in enumerate(zip(outs, t.outputs)):
            if not os.path.exists(p):
                return "internal", f"exit 0 but output {k} was not written"
            if want is None:
                return "wrong", f"output {k}: onnx expects a non-tensor value"
            why = compare.compare(np.load(p), want, rtol, atol)
            if why:
                return "wrong", f"output {k}: {why}"
        return "pass", ""


def run_all(args, tests, devices):
    """{(test index, device): (kind, detail)}, run `args.jobs` at a time."""
    lib = args.lib or find_lib(args.clcnn)
    results = {}
    with tempfile.TemporaryDirectory(prefix="clcnn_node_") as tmp:
        runner = Runner(args.clcnn, lib, tmp)
        try:
            files = [runner.prepare(i, t) for i, t in enumerate(tests)]
            with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
                futs = {pool.submit(runner.run, i, t, d, *files[i]): (i, d)
                        for i, t in enumerate(tests) for d in devices}
                for f in concurrent.futures.as_completed(futs):
                    try:
                        results[futs[f]] = f.result()
                    except Exception as e:  # a harness error on one test must not hide the others
                        results[futs[f]] = ("internal", f"runner: {type(e).__name__}: {e}")
        finally:
            runner.close()
    return results


def suggest(tests, devices, results, refs):
    """refusals.txt lines for the refusals the list does not document yet."""
    lines = []
    for i, t in enumerate(tests):
        on = [d for d in devices if results[(i, d)][0] == "refused" and refs.entry(t.name, dev_class(d)) is None]
        if on:
            cls = sorted({dev_class(d) for d in on})
            devs = "*" if len(cls) == len(refusals.DEVICES) else ",".join(cls)
            lines.append(f"{t.name:<60} {devs:<4} {refs.guess(results[(i, on[0])][1])}")
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clcnn", required=True, help="path to the clcnn binary")
    ap.add_argument("--shared", help="shared data dir (unused: the tests come from the onnx package)")
    ap.add_argument("--device", default="", help="clcnn --device values, comma-separated "
                    "(default: ref, then cpu when listed)")
    ap.add_argument("--jobs", type=int, default=2, help="runs at a time (default 2)")
    ap.add_argument("-k", default="", help="only tests whose name or op contains this")
    ap.add_argument("--lib", default="", help="libclcnn for the status probe (default: the CLI's)")
    ap.add_argument("--refusals", default=os.path.join(HERE, "refusals.txt"))
    ap.add_argument("--markdown", default="", help="also write the per-op table as Markdown here")
    ap.add_argument("--suggest", action="store_true",
                    help="print refusals.txt lines for the undocumented refusals (category guessed)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every documented refusal")
    args = ap.parse_args(argv)
    # A compiled-program cache shared by every run (ctest sets its own)
    os.environ.setdefault("CLCNN_CACHE_DIR", os.path.join(os.path.dirname(os.path.abspath(args.clcnn)),
                                                          "test-cache"))
    refs = refusals.Refusals(args.refusals)
    devices = [d for d in args.device.split(",") if d] or default_devices(args.clcnn)
    ops = collect.claimed_ops(SOURCE_DIR)
    tests, left_out = collect.collect(ops)
    if args.k:
        tests = [t for t in tests if args.k in t.name or args.k == t.op]
    n_exp = sum(t.expanded for t in tests)
    print(f"onnx {onnx.__version__}: {len(ops)} ops claimed in host/core/op_list.h; {len(tests)} node tests "
          f"selected ({len(tests) - n_exp} + {n_exp} function-expanded); devices {', '.join(devices)}", flush=True)
    unclaimed = collections.Counter(op for _, missing in left_out for op in missing)
    print(f"not selected: {len(left_out)} function-expanded tests of claimed ops whose body uses unclaimed ops ("
          + ", ".join(f"{op} {n}" for op, n in unclaimed.most_common()) + ")", flush=True)
    start = time.monotonic()
    results = run_all(args, tests, devices)
    print(f"{len(results)} runs in {time.monotonic() - start:.0f} s, {args.jobs} at a time", flush=True)
    counts, failures, refused = report.judge(tests, devices, results, refs, dev_class)
    tot = report.totals(tests, devices, results)
    print()
    print("\n".join(report.text_table(tests, devices, counts)))
    print("\ndocumented refusals by category:")
    print("\n".join(report.category_lines(refused, devices)))
    print("float32 tests not passing, by reason:")
    print("\n".join(report.float32_shortfall(tests, devices, results, refused)))
    if args.verbose:
        for d, cat, name, msg in sorted(refused):
            print(f"refused {d} {name} [{cat}]: {msg}")
    ran = {dev_class(d) for d in devices}
    stale = refs.stale(ran)
    unused = [] if args.k else refs.unused(ran)
    for line in stale + unused:
        failures.append("FAIL stale refusal entry " + line)
    print()
    for line in failures:
        print(line)
    for d in devices:
        c, p32, n32 = tot[d]
        undoc = sum(counts[(op, d)]["undocumented"] for op in {t.op for t in tests})
        print(f"device {d}: {c['pass']} pass, {c['refused']} refused ({undoc} undocumented), {c['wrong']} wrong, "
              f"{c['internal']} internal error; float32 tests: {p32}/{n32} pass = {100.0 * p32 / max(1, n32):.1f}%")
    if args.suggest:
        print("\n".join(suggest(tests, devices, results, refs)))
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write("\n".join(report.markdown(tests, devices, counts, tot)) + "\n")
    passed = sum(tot[d][0]["pass"] for d in devices)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
