#!/usr/bin/env python3
"""py_run_batch.py — `clcnn run` on a model whose batch dimension is symbolic.

A small model (Conv, Relu, GlobalAveragePool, Flatten, Gemm, plus an int64 output
through Cast) is built with onnx.helper with input dims ['N', 3, 9, 7]. Then on ref
and on the OpenCL CPU device (skipped without one):
  - a batch-3 NPY gives batch-3 outputs, equal to three batch-1 runs exactly and to
    onnxruntime within 1e-4;
  - the int64 output is written as '<i8' and equals onnxruntime's;
  - the same model with a fixed batch of 1 refuses the batch-3 input, naming it;
  - a model with nine outputs (more than the old fixed limit of eight) writes all nine.
"""
import argparse
import os
import subprocess
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from pyreport import Report, has_cpu_device

TOL = 1e-4


def build_model(batch_dim):
    """batch_dim: 'N' (symbolic) or an int."""
    rng = np.random.default_rng(7)
    inits = [
        numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "w"),
        numpy_helper.from_array(rng.standard_normal(4).astype(np.float32), "b"),
        numpy_helper.from_array(rng.standard_normal((5, 4)).astype(np.float32), "fw"),
        numpy_helper.from_array(rng.standard_normal(5).astype(np.float32), "fb"),
        numpy_helper.from_array(np.array([100.0], np.float32), "hundred"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1], strides=[2, 1]),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("GlobalAveragePool", ["r"], ["p"], name="gap"),
        helper.make_node("Flatten", ["p"], ["f"], name="flat", axis=1),
        helper.make_node("Gemm", ["f", "fw", "fb"], ["y"], name="fc", transB=1),
        helper.make_node("Mul", ["y", "hundred"], ["y100"], name="scale"),
        helper.make_node("Cast", ["y100"], ["idx"], name="cast", to=TensorProto.INT64),
    ]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch_dim, 3, 9, 7])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch_dim, 5])
    idx = helper.make_tensor_value_info("idx", TensorProto.INT64, [batch_dim, 5])
    g = helper.make_graph(nodes, "batchnet", [x], [y, idx], initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def run(clcnn, model, x_path, outs, device):
    argv = [clcnn, "run", model, "--input", x_path, "--device", device]
    for o in outs:
        argv += ["--output", o]
    return subprocess.run(argv, capture_output=True, text=True)


def check_device(report, clcnn, tmp, model, fixed, x, device):
    x3 = os.path.join(tmp, "x3.npy")
    np.save(x3, x)
    y3, i3 = os.path.join(tmp, f"y3_{device}.npy"), os.path.join(tmp, f"i3_{device}.npy")
    p = run(clcnn, model, x3, [y3, i3], device)
    report(p.returncode == 0, f"[{device}] batch-3 run exits 0 ({p.stderr.strip()})")
    if p.returncode != 0:
        return
    y, idx = np.load(y3), np.load(i3)
    report(y.shape == (3, 5) and y.dtype == np.float32, f"[{device}] output y is float32 (3, 5): {y.dtype} {y.shape}")
    report(idx.shape == (3, 5) and idx.dtype == np.int64, f"[{device}] output idx is int64 (3, 5): {idx.dtype} {idx.shape}")
    sess = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    ry, ridx = sess.run(None, {"x": x})
    err = float(np.max(np.abs(y - ry)))
    report(err <= TOL, f"[{device}] batch 3 vs onnxruntime: max |diff| {err:.3g} <= {TOL}")
    # int64 through Cast truncates: an exact match unless a value sits on an integer edge
    report(int(np.max(np.abs(idx - ridx))) <= 1, f"[{device}] int64 output vs onnxruntime within 1")
    singles = []
    for b in range(3):
        xb, yb = os.path.join(tmp, f"x1_{b}.npy"), os.path.join(tmp, f"y1_{device}_{b}.npy")
        np.save(xb, x[b:b + 1])
        p = run(clcnn, model, xb, [yb], device)
        if p.returncode != 0:
            report(False, f"[{device}] batch-1 run {b}: {p.stderr.strip()}")
            return
        singles.append(np.load(yb))
    one_by_one = np.concatenate(singles, axis=0)
    report(np.array_equal(one_by_one, y),
           f"[{device}] batch 3 equals three batch-1 runs exactly "
           f"(max |diff| {float(np.max(np.abs(one_by_one - y))):.3g})")
    yf = os.path.join(tmp, f"yf_{device}.npy")
    p = run(clcnn, fixed, x3, [yf], device)
    report(p.returncode != 0 and "'x'" in p.stderr and "3x3x9x7" in p.stderr and "1x3x9x7" in p.stderr
           and not os.path.exists(yf),
           f"[{device}] fixed-batch model refuses batch 3, naming input and shapes ({p.stderr.strip()})")


def build_many_outputs(n):
    """x['N', 4] -> n outputs y_k = x * (k + 1)."""
    inits = [numpy_helper.from_array(np.array([k + 1.0], np.float32), f"k{k}") for k in range(n)]
    nodes = [helper.make_node("Mul", ["x", f"k{k}"], [f"y{k}"], name=f"mul{k}") for k in range(n)]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])
    ys = [helper.make_tensor_value_info(f"y{k}", TensorProto.FLOAT, ["N", 4]) for k in range(n)]
    g = helper.make_graph(nodes, "many", [x], ys, initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    return m


def check_many_outputs(report, clcnn, tmp, device, n=9):
    model = os.path.join(tmp, "many.onnx")
    onnx.save(build_many_outputs(n), model)
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    xp = os.path.join(tmp, "xm.npy")
    np.save(xp, x)
    outs = [os.path.join(tmp, f"m_{device}_{k}.npy") for k in range(n)]
    p = run(clcnn, model, xp, outs, device)
    ok = p.returncode == 0 and all(np.array_equal(np.load(o), x * (k + 1)) for k, o in enumerate(outs))
    report(ok, f"[{device}] {n} outputs all written ({p.stderr.strip()})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clcnn", required=True, help="path to the clcnn binary")
    ap.add_argument("--shared", required=True, help="shared data folder (unused: the model is built here)")
    args = ap.parse_args()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="clcnn_run_batch_") as tmp:
        model, fixed = os.path.join(tmp, "dyn.onnx"), os.path.join(tmp, "fixed.onnx")
        onnx.save(build_model("N"), model)
        onnx.save(build_model(1), fixed)
        x = np.random.default_rng(3).standard_normal((3, 3, 9, 7)).astype(np.float32)
        check_device(report, args.clcnn, tmp, model, fixed, x, "ref")
        check_many_outputs(report, args.clcnn, tmp, "ref")
        if has_cpu_device(args.clcnn):
            check_device(report, args.clcnn, tmp, model, fixed, x, "cpu")
            check_many_outputs(report, args.clcnn, tmp, "cpu")
        else:
            report.skip("[cpu] no OpenCL CPU device")
    report.finish()


if __name__ == "__main__":
    main()
