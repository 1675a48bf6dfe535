#!/usr/bin/env python3
"""py_prewarm.py — the helper process of a cold start on POCL
(host/cli/prewarm.h, issue 17's cold start), on a small ONNX graph whose plan
uses a kernel at both ends (Conv, Relu, Conv, Relu, GlobalAveragePool,
Sigmoid), each case with empty clcnn and POCL caches of its own:

- the helper alone (CLCNN_PREWARM_CHILD=1, as the CLI starts it): exits 0,
  writes no output file and no clcnn cache entry, and leaves in POCL's kernel
  cache exactly the kernels (name and work-group shape) a cold run compiles;
- the default cold `clcnn run` and `clcnn bench`: the same output bytes as
  with CLCNN_PREWARM=0, nothing on stderr but the device line;
- classify --labels from a FIFO: no helper is started (it would block reading
  it again), and the command ends with those labels.
No timing thresholds (speed lives in bench/). Only on POCL (other drivers
compile at build time: the helper is never started there); no OpenCL CPU
device: skipped. Prints "N passed, N failed[, N skipped]"; exits 1 on any failure.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import threading

import numpy as np
import onnx
from onnx import TensorProto, helper
from pyreport import Report, has_cpu_device


def model(path):
    rng = np.random.default_rng(5)
    w = lambda n: helper.make_tensor(n, TensorProto.FLOAT, [4, 4, 3, 3],  # noqa: E731
                                     (rng.standard_normal(144) * 0.3).astype(np.float32))
    g = helper.make_graph(
        [helper.make_node("Conv", ["x", "w1"], ["c1"], pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c1"], ["r1"]),
         helper.make_node("Conv", ["r1", "w2"], ["c2"], pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c2"], ["r2"]),
         helper.make_node("GlobalAveragePool", ["r2"], ["p"]),
         helper.make_node("Sigmoid", ["p"], ["y"])],
        "prewarm", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 9, 7])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 1, 1])], [w("w1"), w("w2")])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)


def kernels(pocl):
    """(kernel, work-group dir) of every specialised work-group function POCL compiled."""
    out = set()
    for root, _, files in os.walk(pocl):
        for f in files:
            if f.endswith(".so"):
                wg, kname = os.path.basename(root), os.path.basename(os.path.dirname(root))
                if wg != "0-0-0":
                    out.add((kname, wg))
    return out


def entries(cache):
    return [f for f in os.listdir(cache) if f.endswith(".clbin")] if os.path.isdir(cache) else []


class Case:
    def __init__(self, root, name, clcnn, model_path, inp):
        self.dir = os.path.join(root, name)
        os.makedirs(self.dir)
        self.cache, self.pocl = os.path.join(self.dir, "cache"), os.path.join(self.dir, "pocl")
        self.clcnn, self.model, self.inp = clcnn, model_path, inp
        self.env = dict(os.environ, CLCNN_CACHE_DIR=self.cache, POCL_CACHE_DIR=self.pocl)
        for k in ("CLCNN_PREWARM", "CLCNN_PREWARM_CHILD", "CLCNN_CACHE_FILL_CHILD", "POCL_KERNEL_CACHE"):
            self.env.pop(k, None)
        self.env["CLCNN_CACHE_FILL"] = "0"  # no detached fill writing into the folders later

    def run(self, out, inp=None, **env):
        cmd = [self.clcnn, "run", self.model, "--device", "cpu", "--input", inp or self.inp,
               "--output", os.path.join(self.dir, out)]
        return subprocess.run(cmd, capture_output=True, text=True, env=dict(self.env, **env), timeout=600)

    def out(self, name):
        p = os.path.join(self.dir, name)
        return np.load(p) if os.path.exists(p) else None


def on_pocl(clcnn):
    p = subprocess.run([clcnn, "devices"], capture_output=True, text=True)
    return "Portable Computing Language" in p.stdout or "pocl" in p.stdout.lower()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clcnn", required=True)
    ap.add_argument("--shared", default=None)
    args = ap.parse_args()
    rep = Report()
    if not has_cpu_device(args.clcnn) or not on_pocl(args.clcnn):
        rep.skip("no POCL CPU device")
        rep.finish()
    with tempfile.TemporaryDirectory(prefix="clcnn_prewarm_") as root:
        mpath, inp = os.path.join(root, "m.onnx"), os.path.join(root, "x.npy")
        model(mpath)
        np.save(inp, np.random.default_rng(6).standard_normal((1, 4, 9, 7)).astype(np.float32))
        case = lambda name: Case(root, name, args.clcnn, mpath, inp)  # noqa: E731

        c = case("off")
        p = c.run("y.npy", CLCNN_PREWARM="0")
        y0, k0 = c.out("y.npy"), kernels(c.pocl)
        rep(p.returncode == 0 and y0 is not None and len(k0) >= 2,
            f"cold run without the helper: {len(k0)} kernels compiled (rc {p.returncode} {p.stderr.strip()})")

        c = case("helper")
        p = c.run("y.npy", CLCNN_PREWARM_CHILD="1")
        kh = kernels(c.pocl)
        rep(p.returncode == 0 and c.out("y.npy") is None and not entries(c.cache),
            f"the helper alone writes no output and no cache entry (rc {p.returncode})")
        rep(kh == k0, f"the helper compiles the run's kernels: {sorted(kh)} vs {sorted(k0)}")

        c = case("default")
        p = c.run("y.npy")
        y1 = c.out("y.npy")
        lines = [l for l in p.stderr.splitlines() if not l.startswith("clcnn: device auto")]
        rep(p.returncode == 0 and not lines and y1 is not None and y0 is not None and np.array_equal(y0, y1)
            and kernels(c.pocl) == k0, f"cold run with the helper: same output bytes and kernels "
            f"(rc {p.returncode}, stderr {p.stderr.strip()!r})")

        c = case("bench")
        b = subprocess.run([args.clcnn, "bench", mpath, "--device", "cpu", "--runs", "2", "--no-profile",
                            "--input", inp, "--output", os.path.join(c.dir, "yb.npy")],
                           capture_output=True, text=True, env=c.env, timeout=600)
        yb = c.out("yb.npy")
        rep(b.returncode == 0 and "cold start" in b.stdout and yb is not None and np.array_equal(y0, yb),
            f"bench's cold start with its helper: rc {b.returncode}, same output")

        # classify reads --labels before its context: from a FIFO, a helper
        # (which reads its arguments again) would wait on it; none is started
        c = case("fifo")
        fifo = os.path.join(c.dir, "labels.fifo")
        os.mkfifo(fifo)
        img = os.path.join(args.shared or "../shared", "data", "images", "dog.jpg")
        if not os.path.exists(img):
            img = None

        def feed():
            with open(fifo, "w") as f:
                f.write("".join(f"L{i}\n" for i in range(1000)))
        if img is None:
            rep.skip("classify --labels FIFO: no ../shared/data/images/dog.jpg")
        else:
            t = threading.Thread(target=feed, daemon=True)
            t.start()
            p = subprocess.run([args.clcnn, "classify", "--device", "cpu", "--model", "mobilenet_v2",
                                "--labels", fifo, img], capture_output=True, text=True, env=c.env, timeout=600)
            t.join(5)
            rep(p.returncode == 0 and " L" in p.stdout,
                f"classify --labels FIFO: ends with its labels (rc {p.returncode} {p.stderr.strip()[:200]})")
    rep.finish()


if __name__ == "__main__":
    sys.exit(main())
