#!/usr/bin/env python3
"""py_ops_gathernd.py — GatherND against onnxruntime through tests/py_ops.py's
harness, on ref and OpenCL. Constant data and indices fold at load (Swin-V2's
relative-position bias: a [4096, 1] index table into an MLP's output);
run-time data with constant indices runs gather.cl gathernd_words with one
flat index per tuple, run-time int64 indices (Cast in the graph) the same
kernel wrapping each tuple itself; int64 data moves as 8-byte words. Then the
shape rule's refusals of bad indices, one line naming the node.

    python py_ops_gathernd.py --clcnn build/clcnn [--device ref,cpu]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from onnx import TensorProto as TP
from onnx import helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import py_ops as P  # noqa: E402


# (data shape, indices, batch_dims, opset): k = 1 (Swin-V2's form), k = rank
# (whole-element tuples), negative indices, batch_dims 1 and 2, odd sizes
SHAPES = [
    ([7, 3], [[2], [0], [6], [-1], [2]], 0, 11),
    ([169, 5], np.random.default_rng(1).integers(-169, 169, size=(49, 1)), 0, 13),
    ([3, 4, 5], [[[0, 1], [2, -1]], [[-3, 0], [1, 3]]], 0, 12),
    ([3, 4, 5], [[0, 1, 2], [2, -1, -5], [1, 0, 4]], 0, 13),
    ([2, 3, 5], [[[1], [0]], [[2], [2]]], 1, 12),
    ([2, 3, 4, 5], [[[1, 2]], [[-1, 0]], [[0, -3]]] * 2, 0, 13),
    ([2, 3, 4, 5], np.array([[[1], [3]], [[0], [0]], [[2], [1]]] * 2).reshape(2, 3, 2, 1), 2, 13),
]


def gathernd_cases():
    for shape, idx, b, opset in SHAPES:
        idx = np.array(idx, np.int64)
        data = P.rand(shape, 301)
        attrs = {"batch_dims": b} if b else {}
        probe = P.node("GatherND", ["d", "i"], ["g"], **attrs)
        # the output's shape, to feed a run-time addend of it
        out = np.asarray(idx.shape[:-1]).tolist() + shape[b + idx.shape[-1]:]
        P.case("gathernd", f"opset {opset} data {shape} indices {list(idx.shape)} batch_dims={b} (folded)",
               [probe, P.node("Add", ["x", "g"], ["y"])], [("x", P.rand(out, 302))], ["y"],
               [("d", data), ("i", idx)], opset)
        P.case("gathernd", f"opset {opset} run-time data {shape} indices {list(idx.shape)} batch_dims={b}",
               [P.node("GatherND", ["d", "i"], ["y"], **attrs)], [("d", data)], ["y"], [("i", idx)], opset)
        P.case("gathernd", f"opset {opset} run-time int64 indices {list(idx.shape)} into {shape} batch_dims={b}",
               [P.node("Cast", ["fi"], ["i"], to=TP.INT64), P.node("GatherND", ["d", "i"], ["y"], **attrs)],
               [("d", data), ("fi", idx.astype(np.float32))], ["y"], opset=opset)
    # int64 data at run time (8-byte words), produced by a Cast
    P.case("gathernd", "int64 data [3,4,5] indices [2,2]",
           [P.node("Cast", ["x"], ["xi"], to=TP.INT64), P.node("GatherND", ["xi", "i"], ["g"]),
            P.node("Cast", ["g"], ["y"], to=TP.FLOAT)],
           [("x", np.round(P.rand([3, 4, 5], 303) * 50))], ["y"],
           [("i", np.array([[2, -1], [0, 3]], np.int64))])


def bad_model_cases(tmp):
    """(file, message) pairs: shape-rule refusals, one line each, naming the node."""
    out = []
    for tag, shape, idx, b, msg in (
            ("range", [3, 4], [[3]], 0, "index 3 is out of range for dim size 3"),
            ("tuple", [3, 4], [[0, 1, 2]], 0, "indices' last dim 3 must be in [1, 2]"),
            ("batch", [3, 4], [[1], [1]], 1, "indices dim 0 is 2, data's is 3")):
        idx = np.array(idx, np.int64)
        g = helper.make_graph([P.node("GatherND", ["d", "i"], ["y"], batch_dims=b, name="gnd")], "g",
                              [helper.make_tensor_value_info("d", 1, shape)],
                              [helper.make_tensor_value_info("y", 1, None)], [P.init("i", idx)])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
        m.ir_version = 8
        p = os.path.join(tmp, f"bad_{tag}.onnx")
        with open(p, "wb") as f:
            f.write(m.SerializeToString())
        out.append((p, msg))
    return out


def run_extra(clcnn):
    """The bad models' one-line refusals."""
    fails = 0
    with tempfile.TemporaryDirectory(prefix="clcnn_py_gathernd_") as tmp:
        for p, msg in bad_model_cases(tmp):
            r = subprocess.run([clcnn, "summary", p], capture_output=True, text=True, timeout=60)
            got = (r.stderr or r.stdout).strip()
            if r.returncode == 0 or msg not in got or "gnd" not in got or len(got.splitlines()) != 1:
                fails += 1
                print(f"FAIL gathernd [{os.path.basename(p)}]: exit {r.returncode}: {got!r}", flush=True)
    print(f"extra (GatherND refusals): {fails} failed")
    return fails


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--clcnn", required=True)
    ap.add_argument("--shared")
    ap.add_argument("--device", default="")
    ap.add_argument("-k", default="")
    ap.add_argument("--precision", default=None)
    a, _ = ap.parse_known_args()
    rc = P.main([gathernd_cases])
    # the extra checks are refusals, which storage precision does not change
    sys.exit(1 if (not a.precision and run_extra(a.clcnn)) or rc else 0)
