#!/usr/bin/env python3
"""py_tune.py — `clcnn tune` end to end (no timing assertions: the figures it
prints are measurements, not expectations).

- usage errors exit 2 (no model, unknown flag), a missing model exits 1;
- on a small built-in MobileNetV1, in a private cache folder: exit 0, --json lists
  every distinct pointwise shape with a CLBlast row whose decision follows the
  documented rule (CLBlast only below 90% of conv_pw's time) and a work-group row;
  the store file is written there with its header and one line per CLBlast row;
- a plan that reads that store still computes the model: `clcnn run` on the
  exported ONNX with the store in place matches the reference backend.
No OpenCL CPU device: the device cases are reported as skipped, never as passed.
Prints "N passed, N failed[, N skipped]"; exits 1 on any failure.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from pyreport import Report, has_cpu_device

TOL = 1e-4
ARCH = ["mobilenet_v1", "--width", "0.25", "--input-size", "32"]


def run(cmd, env=None):
    return subprocess.run(cmd, capture_output=True, text=True, env=env)


def check_usage(clcnn, report):
    for args, want in ((["tune"], 2), (["tune", *ARCH, "--bogus"], 2),
                       (["tune", "/nonexistent/model.onnx", "--device", "cpu"], 1)):
        p = run([clcnn, *args])
        one_line = len(p.stderr.strip().splitlines()) == 1
        report(p.returncode == want and one_line,
                     f"{' '.join(args)} -> exit {p.returncode} (want {want}), one stderr line: {one_line}")


def check_tune(clcnn, report):
    with tempfile.TemporaryDirectory() as tmp:
        # no background cache fill: `run` would leave a child writing into the
        # cache folder while this temp dir is removed (py_cache_fill tests the fill)
        env = dict(os.environ, CLCNN_CACHE_DIR=os.path.join(tmp, "cache"), CLCNN_CACHE_FILL="0")
        p = run([clcnn, "tune", *ARCH, "--device", "cpu", "--runs", "2", "--json"], env)
        report(p.returncode == 0, f"tune exits 0 ({p.stderr.strip()[:200]})")
        if p.returncode != 0:
            return
        doc = json.loads(p.stdout)
        blast = [r for r in doc["shapes"] if r["kind"] == "clblast"]
        lws = [r for r in doc["shapes"] if r["kind"] == "lws"]
        report(len(blast) > 0 and len(lws) == len(blast),
                     f"{len(blast)} CLBlast rows and {len(lws)} work-group rows")
        rule = all(r["ours_ms"] > 0 and
                   r["decision"] == ("clblast" if r["clblast_ms"] < 0.9 * r["ours_ms"] else "conv_pw")
                   for r in blast if r.get("clblast_ms", 0) > 0)
        report(rule, "each CLBlast decision follows the 90% rule")
        stores = glob.glob(os.path.join(tmp, "cache", "tune-*.txt"))
        report(len(stores) == 1 and doc["store"] == stores[0], f"store written: {stores}")
        if stores:
            lines = open(stores[0]).read().splitlines()
            report(lines[0].startswith("clcnn-tune ") and
                         sum(line.startswith("clblast ") for line in lines) == len(blast),
                         f"store header and {len(blast)} decision lines")
        model, x = os.path.join(tmp, "m.onnx"), os.path.join(tmp, "x.npy")
        report(run([clcnn, "export", ARCH[0], model, *ARCH[1:]]).returncode == 0, "export")
        np.save(x, np.random.default_rng(3).standard_normal((1, 3, 32, 32)).astype(np.float32))
        outs = {}
        for dev in ("ref", "cpu"):
            out = os.path.join(tmp, f"y_{dev}.npy")
            q = run([clcnn, "run", model, "--input", x, "--output", out, "--device", dev], env)
            report(q.returncode == 0, f"run on {dev} with the store in place "
                                            f"({q.stderr.strip()[:200]})")
            if q.returncode == 0:
                outs[dev] = np.load(out).astype(np.float64)
        if len(outs) == 2:
            err = float(np.max(np.abs(outs["cpu"] - outs["ref"]))) / (float(np.max(np.abs(outs["ref"]))) or 1)
            report(err <= TOL, f"tuned plan vs reference: max rel err {err:.2e} <= {TOL}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clcnn", required=True)
    ap.add_argument("--shared", help="unused; every suite takes it")
    args = ap.parse_args()
    report = Report()
    check_usage(args.clcnn, report)
    if has_cpu_device(args.clcnn):
        check_tune(args.clcnn, report)
    else:
        report.skip("tune on --device cpu: no OpenCL CPU device")
    report.finish()


if __name__ == "__main__":
    main()
