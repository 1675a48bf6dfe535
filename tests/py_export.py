#!/usr/bin/env python3
"""py_export.py — `clcnn export` / `summary` / `list` against independent tools.

Each built-in is exported to ONNX, checked by onnx.checker, run by
onnxruntime, and compared with `clcnn run <arch> --device ref` on the same
input (and with `clcnn run` on the exported file, which goes through the
ONNX loader). The summary's totals are checked against the seed documents'
Keras summaries, --json must parse, --dot/--svg must produce files, and an
export to an unwritable path must fail without leaving a file.

usage: py_export.py --clcnn PATH --shared DIR [--all]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort

# Small/medium built-ins keep the reference backend fast; --all adds the big ones.
ARCHS = ["mobilenet_v3_small", "shufflenet_v2", "mnasnet", "mobilenet_v1",
         "mobilenet_v3_large_seed004", "mobilenet_v3_large", "mobilenet_v2",
         "efficientnet_b0", "googlenet"]
BIG_ARCHS = ["densenet121", "resnet50", "xception"]
REL_TOL = 1e-4

# Totals printed by the seeds' own Keras summaries (000 MnasNet, 003 Xception).
SEED_TOTALS = {
    "mnasnet": ("6,679,396", "6,645,908", "33,488"),
    "xception": ("22,817,480", "22,805,848", "11,632"),
}


class Runner:
    def __init__(self, clcnn):
        self.clcnn = clcnn
        self.passed = 0
        self.failed = 0

    def run(self, *args, timeout=600):
        return subprocess.run([self.clcnn, *args], capture_output=True, text=True, timeout=timeout)

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}: {detail}")
        return ok


def rel_err(got, want):
    scale = float(np.max(np.abs(want))) or 1.0
    return float(np.max(np.abs(got.astype(np.float64) - want))) / scale


def check_arch(r, arch, tmp):
    size = 299 if arch == "xception" else 224
    path = os.path.join(tmp, f"{arch}.onnx")
    p = r.run("export", arch, path)
    if not r.check(f"{arch}: export", p.returncode == 0 and os.path.isfile(path), p.stderr.strip()):
        return
    try:
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        r.check(f"{arch}: onnx.checker", True)
    except Exception as e:  # noqa: BLE001 - any checker failure is a test failure
        r.check(f"{arch}: onnx.checker", False, str(e))
        return
    x = np.random.RandomState(1234).standard_normal((1, 3, size, size)).astype(np.float32)
    xin = os.path.join(tmp, f"{arch}_x.npy")
    np.save(xin, x)
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    want = sess.run(None, {sess.get_inputs()[0].name: x})[0].astype(np.float64)
    r.check(f"{arch}: output shape", want.shape == (1, 1000), str(want.shape))
    for label, target in (("built-in", arch), ("exported file", path)):
        out = os.path.join(tmp, f"{arch}_y.npy")
        t0 = time.time()
        p = r.run("run", target, "--input", xin, "--output", out, "--device", "ref")
        dt = time.time() - t0
        if not r.check(f"{arch}: clcnn run {label}", p.returncode == 0, p.stderr.strip()):
            continue
        got = np.load(out)
        err = rel_err(got, want) if got.shape == want.shape else float("inf")
        r.check(f"{arch}: {label} vs onnxruntime rel err {err:.2e} ({dt:.1f}s)", err <= REL_TOL,
                f"shape {got.shape} vs {want.shape}, max |ort| {np.max(np.abs(want)):.3g}")
        os.unlink(out)
    os.unlink(path)


def check_summary(r, tmp):
    for arch, (total, trainable, non_trainable) in SEED_TOTALS.items():
        p = r.run("summary", arch)
        lines = p.stdout.splitlines()
        r.check(f"summary {arch}: totals match the seed", p.returncode == 0
                and f"Total params: {total}" in lines and f"Trainable params: {trainable}" in lines
                and f"Non-trainable params: {non_trainable}" in lines,
                p.stderr.strip() or "\n".join(lines[-6:]))
    p = r.run("summary", "mobilenet_v2", "--json", "--width", "0.5", "--classes", "10",
              "--input-size", "96")
    try:
        j = json.loads(p.stdout)
        ok = (p.returncode == 0 and j["layers"][-1]["shape"] == [1, 10]
              and j["total_params"] == sum(L["params"] for L in j["layers"])
              and j["trainable_params"] + j["non_trainable_params"] == j["total_params"])
        r.check("summary --json parses and adds up", ok, p.stderr.strip())
    except (ValueError, KeyError, IndexError) as e:
        r.check("summary --json parses and adds up", False, f"{e}: {p.stdout[:200]}")
    dot = os.path.join(tmp, "m.dot")
    p = r.run("summary", "mobilenet_v3_small", "--dot", dot)
    text = open(dot).read() if os.path.isfile(dot) else ""
    r.check("summary --dot writes a clustered digraph", p.returncode == 0 and text.startswith("digraph")
            and "subgraph cluster_" in text and "->" in text, p.stderr.strip())
    svg = os.path.join(tmp, "m.svg")
    p = r.run("summary", "mobilenet_v3_small", "--svg", svg)
    if shutil.which("dot"):
        ok = p.returncode == 0 and os.path.isfile(svg) and "<svg" in open(svg).read()
        r.check("summary --svg renders with Graphviz", ok, p.stderr.strip())
    else:
        r.check("summary --svg without Graphviz says so", p.returncode == 1 and "Graphviz" in p.stderr
                and not os.path.exists(svg), p.stderr.strip())
    leftovers = [f for f in os.listdir(tmp) if ".tmp" in f or ".svg" in f and f != "m.svg"]
    r.check("summary leaves no temp files", not leftovers, str(leftovers))
    p = r.run("summary", "no_such_net")
    r.check("summary of an unknown name fails naming the known ones",
            p.returncode != 0 and "no_such_net" in p.stderr and "mobilenet_v2" in p.stderr
            and len(p.stderr.strip().splitlines()) == 1, p.stderr.strip())
    p = r.run("summary", "resnet50", "--width", "0.5")
    r.check("summary rejects a width the family lacks", p.returncode != 0 and "width" in p.stderr,
            p.stderr.strip())
    p = r.run("summary", "mobilenet_v2", "--width", "abc")
    r.check("summary rejects a non-numeric width as usage", p.returncode == 2, p.stderr.strip())


def check_list_and_errors(r, tmp):
    p = r.run("list")
    rows = [L.split() for L in p.stdout.splitlines()[1:] if L.strip()]
    names = [row[0] for row in rows]
    r.check("list: one line per architecture", p.returncode == 0 and len(rows) == 12
            and "mnasnet" in names and "xception" in names, p.stderr.strip() or p.stdout[:300])
    mn = [row for row in rows if row[0] == "mnasnet"]
    r.check("list: mnasnet params", bool(mn) and mn[0][3] == "6,679,396", str(mn))
    bad = os.path.join(tmp, "no_such_dir", "m.onnx")
    p = r.run("export", "mobilenet_v3_small", bad)
    r.check("export to an unwritable path fails, no file", p.returncode != 0 and not os.path.exists(bad)
            and bad in p.stderr, p.stderr.strip())
    ro = os.path.join(tmp, "ro")
    os.mkdir(ro)
    os.chmod(ro, 0o500)
    target = os.path.join(ro, "m.onnx")
    p = r.run("export", "mobilenet_v3_small", target)
    if os.access(ro, os.W_OK):  # root ignores the mode: nothing to check
        print("skip export into a read-only folder (running as root)")
    else:
        r.check("export into a read-only folder fails, no file",
                p.returncode != 0 and not os.listdir(ro), p.stderr.strip())
    os.chmod(ro, 0o700)
    shutil.rmtree(ro)
    p = r.run("export", "mobilenet_v9", os.path.join(tmp, "x.onnx"))
    r.check("export of an unknown arch fails", p.returncode != 0 and "unknown architecture" in p.stderr
            and not os.path.exists(os.path.join(tmp, "x.onnx")), p.stderr.strip())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clcnn", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--all", action="store_true", help="also the big built-ins (slow on ref)")
    args = ap.parse_args()
    r = Runner(args.clcnn)
    with tempfile.TemporaryDirectory(prefix="clcnn_export_") as tmp:
        check_list_and_errors(r, tmp)
        check_summary(r, tmp)
        for arch in ARCHS + (BIG_ARCHS if args.all else []):
            check_arch(r, arch, tmp)
    print(f"{r.passed} passed, {r.failed} failed")
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
