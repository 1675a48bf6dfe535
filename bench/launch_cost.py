#!/usr/bin/env python3
"""launch_cost.py — what one kernel launch costs through clcnn's executor, per
device (issue 17's "measure the per-launch cost on POCL and Intel's runtime").

Builds chains of N elementwise Adds on a 1x4x1x1 tensor (each Add reads the
previous result and a constant of its own, so the plan cannot fuse or fold
them: one launch each; checked against bench's kernel count), runs `clcnn bench
--json --no-cold --no-profile` on each, and fits median latency = a + b * N by
least squares: b is the wall cost of one launch (host enqueue + device
dispatch + the kernel's trivial body), a the fixed cost of a run (input and
output copies, the one sync). Devices alternate per round so that machine
noise hits them alike. Figures only, no threshold.

    .venv/bin/python bench/launch_cost.py --clcnn build/clcnn [--devices cpu,intel]
        [--sizes 1,64,256] [--rounds 3] [--runs 200]
Intel's runtime must be registered first for `intel` (ci/intel_env.sh).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper


def chain(path, n):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 1, 1])
    nodes, inits, prev = [], [], "x"
    for i in range(n):
        c = f"c{i}"
        inits.append(helper.make_tensor(c, TensorProto.FLOAT, [1, 4, 1, 1], [0.001 * (i + 1)] * 4))
        out = "y" if i == n - 1 else f"t{i}"
        nodes.append(helper.make_node("Add", [prev, c], [out], name=f"add{i}"))
        prev = out
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 1, 1])
    g = helper.make_graph(nodes, f"chain{n}", [x], [y], inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)


def bench(clcnn, model, device, runs):
    p = subprocess.run([clcnn, "bench", model, "--device", device, "--json", "--no-cold", "--no-profile",
                        "--quiet", "--runs", str(runs), "--warmup", "20"], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"bench {model} on {device}: {p.stderr.strip()}")
    doc = json.loads(p.stdout)
    return doc["latency_ms"]["median"], doc["kernels_per_inference"], doc["device"]


def fit(ns, ms):
    b, a = np.polyfit(np.asarray(ns, float), np.asarray(ms, float), 1)
    return a, b


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clcnn", default="build/clcnn")
    ap.add_argument("--devices", default="cpu")
    ap.add_argument("--sizes", default="1,64,256")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=200)
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    devices = a.devices.split(",")
    with tempfile.TemporaryDirectory(prefix="clcnn_launch_") as tmp:
        models = {}
        for n in sizes:
            models[n] = os.path.join(tmp, f"chain{n}.onnx")
            chain(models[n], n)
        med = {(d, n): [] for d in devices for n in sizes}
        names = {}
        for _ in range(a.rounds):
            for n in sizes:
                for d in devices:
                    ms, kernels, names[d] = bench(a.clcnn, models[n], d, a.runs)
                    if kernels != n:
                        sys.exit(f"chain of {n} Adds ran {kernels} kernels on {d}: not one launch per Add")
                    med[(d, n)].append(ms)
    print(f"{'device':<48} " + " ".join(f"{f'N={n} ms':>10}" for n in sizes) + f" {'fixed ms':>9} {'us/launch':>10}")
    for d in devices:
        ms = [statistics.median(med[(d, n)]) for n in sizes]
        fixed, slope = fit(sizes, ms)
        print(f"{names[d][:48]:<48} " + " ".join(f"{m:>10.3f}" for m in ms) + f" {fixed:>9.3f} {slope * 1e3:>10.2f}")
    print(f"(median of {a.rounds} rounds of bench medians over {a.runs} runs; fit median = fixed + N x per-launch)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
