#!/usr/bin/env python3
"""py_cache_fill.py — the background program-cache fill after a cold `clcnn
run` (host/cli/cache_fill.h, issue 17's "the first process ends within 1.5x
its result time"), on a tiny Conv+Relu+GlobalAveragePool ONNX graph, each
case with empty clcnn and POCL caches of its own:

- the fill itself (CLCNN_CACHE_FILL_CHILD=1, as the CLI starts it): builds
  and writes every program, never runs the model nor writes the output file;
  with the cache folder's fill.lock held by another process it exits 0 at
  once and writes nothing;
- CLCNN_CACHE_FILL=0: the command writes the cache itself by its exit;
- default: the command's output is right, and the detached fill leaves the
  same number of entries as the fill alone wrote; a warm run after it loads
  them (no entry rewritten) and gives the same output bytes;
- on POCL (its kernel cache on) every program the fill wrote has its lean
  copy beside it (the key plus "|lean=<workload>", rt_pocl_lean.h).
No timing thresholds (speed lives in bench/). No OpenCL CPU device: skipped.
Prints "N passed, N failed[, N skipped]"; exits 1 on any failure.
"""
import argparse
import fcntl
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper
from pyreport import Report, has_cpu_device

WAIT_S = 180  # for the detached fill on a loaded 2-core machine


def entry_keys(cache):
    """The keys of the cache's entries (rt_cache.c: magic[8] | u32 version | u32 key length | key)."""
    keys = []
    for f in sorted(os.listdir(cache)):
        if f.endswith(".clbin"):
            with open(os.path.join(cache, f), "rb") as fh:
                head = fh.read(16)
                keys.append(fh.read(int.from_bytes(head[12:16], "little")).decode())
    return keys


def tiny_model(path):
    rng = np.random.default_rng(3)
    w = helper.make_tensor("w", TensorProto.FLOAT, [5, 3, 3, 3], rng.standard_normal(135).astype(np.float32))
    g = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c"], ["r"]),
         helper.make_node("GlobalAveragePool", ["r"], ["y"])],
        "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 7, 9])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5, 1, 1])], [w])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)


def entries(cache):
    if not os.path.isdir(cache):
        return {}
    return {f: os.stat(os.path.join(cache, f)).st_mtime_ns for f in os.listdir(cache) if f.endswith(".clbin")}


class Case:
    """A work folder with empty caches; run() is `clcnn run` there."""

    def __init__(self, root, name, clcnn, model, inp):
        self.dir = os.path.join(root, name)
        os.makedirs(self.dir)
        self.cache = os.path.join(self.dir, "cache")
        self.clcnn, self.model, self.inp = clcnn, model, inp
        self.env = dict(os.environ, CLCNN_CACHE_DIR=self.cache, POCL_CACHE_DIR=os.path.join(self.dir, "pocl"))
        for k in ("CLCNN_CACHE_FILL", "CLCNN_CACHE_FILL_CHILD", "POCL_KERNEL_CACHE"):
            self.env.pop(k, None)

    def run(self, out, **env):
        e = dict(self.env, **env)
        cmd = [self.clcnn, "run", self.model, "--device", "cpu", "--input", self.inp,
               "--output", os.path.join(self.dir, out)]
        return subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=600)

    def out(self, name):
        p = os.path.join(self.dir, name)
        return np.load(p) if os.path.exists(p) else None

    def lock_free(self):
        path = os.path.join(self.cache, "fill.lock")
        if not os.path.exists(path):
            return True
        with open(path, "a") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except OSError:
                return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clcnn", required=True)
    ap.add_argument("--shared", default=None)
    args = ap.parse_args()
    rep = Report()
    if not has_cpu_device(args.clcnn):
        rep.skip("no OpenCL CPU device")
        rep.finish()
    with tempfile.TemporaryDirectory(prefix="clcnn_fill_") as root:
        model, inp = os.path.join(root, "tiny.onnx"), os.path.join(root, "x.npy")
        tiny_model(model)
        x = np.random.default_rng(4).standard_normal((1, 3, 7, 9)).astype(np.float32)
        np.save(inp, x)
        case = lambda name: Case(root, name, args.clcnn, model, inp)  # noqa: E731

        # the fill as the CLI starts it, its lock held by someone else
        c = case("locked")
        os.makedirs(c.cache)
        with open(os.path.join(c.cache, "fill.lock"), "w") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            p = c.run("y.npy", CLCNN_CACHE_FILL_CHILD="1")
        rep(p.returncode == 0 and c.out("y.npy") is None and not entries(c.cache),
            f"a fill that finds the lock held exits 0, writes nothing (rc {p.returncode}, "
            f"{len(entries(c.cache))} entries)")

        # the fill alone: every program written, the model not run
        c = case("child")
        p = c.run("y.npy", CLCNN_CACHE_FILL_CHILD="1")
        n_programs = len(entries(c.cache))
        rep(p.returncode == 0 and c.out("y.npy") is None and n_programs > 0 and c.lock_free(),
            f"the fill writes {n_programs} programs and no output file (rc {p.returncode} {p.stderr.strip()})")

        # turned off: the command stores by its own exit
        c = case("off")
        p = c.run("y.npy", CLCNN_CACHE_FILL="0")
        y0 = c.out("y.npy")
        rep(p.returncode == 0 and y0 is not None and len(entries(c.cache)) == n_programs,
            f"CLCNN_CACHE_FILL=0: {len(entries(c.cache))} of {n_programs} programs written by the command itself")

        # default: the detached fill
        c = case("default")
        p = c.run("y.npy")
        y1 = c.out("y.npy")
        rep(p.returncode == 0 and p.stderr == "" and y1 is not None and y0 is not None
            and np.array_equal(y0, y1), f"cold run: output as with the fill off (stderr {p.stderr.strip()!r})")
        deadline = time.time() + WAIT_S
        while time.time() < deadline and not (len(entries(c.cache)) >= n_programs and c.lock_free()):
            time.sleep(0.2)
        filled = entries(c.cache)
        rep(len(filled) == n_programs, f"the detached fill wrote {len(filled)} of {n_programs} programs")
        keys = entry_keys(c.cache)
        whole = [k for k in keys if "|lean=" not in k]
        lean = [k for k in keys if "|lean=" in k]
        pocl = all("platform=Portable Computing Language" in k for k in whole) and \
            os.environ.get("POCL_KERNEL_CACHE", "1") != "0"
        rep(len(whole) > 0 and all(k.split("|lean=")[0] in whole for k in lean) and
            len(lean) == (len(whole) if pocl else 0),
            f"{len(whole)} whole binaries, {len(lean)} lean copies of them (POCL: {pocl})")
        p = c.run("y2.npy")
        rep(p.returncode == 0 and np.array_equal(c.out("y2.npy"), y1) and entries(c.cache) == filled,
            "warm run: same output, every entry loaded, none rewritten")
    rep.finish()


if __name__ == "__main__":
    sys.exit(main())
