#!/usr/bin/env python3
"""py_ops_unary.py — the unary group of issue 15 against onnxruntime on ref and
OpenCL: element-wise math and activations (Abs), at awkward shapes, with every
attribute variant and the opsets where the form changed; each activation also
after a Conv and a BatchNormalization (fused into their epilogues on OpenCL,
which run the vector forms of kernels_cl/act.cl).

Compared like py_ops.py (max|diff| <= 1e-4 max|ref|), but stricter about
non-finite values: NaN and +-inf must sit where onnxruntime has them (the
shared check lets a NaN in the expected output hide any difference).

    python py_ops_unary.py --clcnn build/clcnn [--device ref,cpu] [-k pow]
"""
import os
import subprocess
import sys

import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import py_ops as P  # noqa: E402

node, rand = P.node, P.rand

# (op, attrs, opsets, input range): the ranges keep Log/Sqrt/Reciprocal
# finite (the non-finite cases are separate) and Exp below float overflow.
UNARY = [
    ("Abs", {}, (6, 13), (-3, 3)),
    ("Erf", {}, (9, 13), (-3, 3)),
    ("Tanh", {}, (6, 13), (-4, 4)),
    ("Exp", {}, (6, 13), (-5, 5)),
    ("Log", {}, (6, 13), (0.01, 5)),
    ("Sqrt", {}, (6, 13), (0.0, 5)),
    ("Neg", {}, (6, 13), (-3, 3)),
    ("Reciprocal", {}, (6, 13), (0.2, 3)),
]
EDGE_OPS = [("Abs", 13), ("Erf", 13), ("Tanh", 13), ("Exp", 13), ("Log", 13), ("Sqrt", 13), ("Neg", 13),
            ("Reciprocal", 13)]
SHAPES = ([1, 1, 1, 1], [2, 3, 2, 2], [1, 5, 3, 3], [3, 17], [7], [2, 3, 13, 7])


def unary_cases():
    for i, (op, attrs, opsets, (lo, hi)) in enumerate(UNARY):
        for opset in opsets:
            for j, shape in enumerate(SHAPES):
                x = rand(shape, 1000 + 10 * i + j, lo, hi)
                P.case(op.lower(), f"attrs={attrs} opset={opset} shape={shape}",
                       [node(op, ["x"], ["y"], **attrs)], [("x", x)], ["y"], opset=opset)
    # zeros, tiny, huge and the non-finite values, exactly where onnxruntime has them
    edge = np.array([0.0, -0.0, -1.0, 1e-30, np.inf, -np.inf, np.nan, 100.0, -100.0, 3.0],
                    np.float32)
    for op, opset in EDGE_OPS:
        P.case(op.lower(), f"edges {edge.tolist()}", [node(op, ["x"], ["y"])],
               [("x", edge)], ["y"], opset=opset)


def fused_cases():
    """Each activation after a Conv (3x3 generic, 1x1 pointwise, 3x3 depthwise with
    stride 2 and pads on every edge) and after a BatchNormalization."""
    convs = [  # C, M, group, H, W, k, stride, pads
        (3, 5, 1, 7, 9, 3, 1, [1, 1, 1, 1]),
        (8, 13, 1, 7, 7, 1, 1, [0, 0, 0, 0]),
        (6, 6, 6, 9, 13, 3, 2, [1, 0, 2, 1]),
    ]
    for i, (op, attrs, opsets, (lo, hi)) in enumerate(UNARY):
        opset = max(opsets[-1], 13)
        # Log/Sqrt/Reciprocal: a bias that keeps every output >= 1 (|conv| < 5 by
        # construction), so 1/x is not amplifying the conv's rounding near 0
        positive = op in ("Log", "Sqrt", "Reciprocal")
        for j, (c, m, grp, h, w, k, s, pads) in enumerate(convs):
            x = rand([1, c, h, w], 2000 + 10 * i + j)
            wt = rand([m, c // grp, k, k], 2100 + j) * (np.float32(0.15) if positive else 1)
            b = rand([m], 2200 + j) + (np.float32(6) if positive else 0)
            P.case(op.lower(), f"after Conv C={c} M={m} g={grp} {h}x{w} k={k} s={s} pads={pads} "
                   f"attrs={attrs}",
                   [node("Conv", ["x", "w", "b"], ["c"], group=grp, strides=[s, s], pads=pads),
                    node(op, ["c"], ["y"], **attrs)], [("x", x)], ["y"], [("w", wt), ("b", b)],
                   opset=opset)
        cch = 5  # |(x - m) / sqrt(v) * s| < 10 below, so a bias of 10 keeps it positive
        bn = [("s", rand([cch], 1, 0.5, 2)), ("bb", rand([cch], 2) + (np.float32(10) if positive else 0)),
              ("m", rand([cch], 3)), ("v", rand([cch], 4, 0.1, 2))]
        x = rand([2, cch, 7, 3], 2300 + i, -0.5, 0.5) if positive else rand([2, cch, 7, 3], 2300 + i)
        P.case(op.lower(), f"after BatchNormalization 2x5x7x3 attrs={attrs}",
               [node("BatchNormalization", ["x", "s", "bb", "m", "v"], ["c"]),
                node(op, ["c"], ["y"], **attrs)], [("x", x)], ["y"], bn, opset=opset)


GENERATORS = (unary_cases, fused_cases)


# ---- stricter comparison for non-finite values -------------------------------

_shared_run_case = P.run_case


def strict_run_case(clcnn, device, tmp, idx, path, ins, want):
    """py_ops.run_case after checking that NaN and +-inf are exactly where
    onnxruntime puts them; the finite values then go through the shared check
    with the non-finite ones zeroed on both sides."""
    if all(np.isfinite(np.asarray(w)).all() for w in want):
        return _shared_run_case(clcnn, device, tmp, idx, path, ins, want)
    cmd = [clcnn, "run", path, "--device", device]
    for p in ins:
        cmd += ["--input", p]
    outs = [os.path.join(tmp, f"c{idx}_{device}_out{k}.npy") for k in range(len(want))]
    for p in outs:
        cmd += ["--output", p]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        return f"clcnn exited {r.returncode}: {(r.stderr or r.stdout).strip().splitlines()[-1:]}"
    for k, (p, w) in enumerate(zip(outs, want)):
        got, w = np.load(p), np.asarray(w, np.float32)
        if got.shape != w.shape:
            return f"output {k}: shape {got.shape} != onnxruntime {w.shape}"
        for what, f in (("NaN", np.isnan), ("+inf", np.isposinf), ("-inf", np.isneginf)):
            if not np.array_equal(f(got), f(w)):
                return f"output {k}: {what} at {np.flatnonzero(f(got)).tolist()}, " \
                       f"onnxruntime at {np.flatnonzero(f(w)).tolist()} (got {got.tolist()})"
        fin = np.isfinite(w)
        diff = float(np.max(np.abs(got[fin].astype(np.float64) - w[fin]), initial=0.0))
        scale = float(np.max(np.abs(w[fin]), initial=0.0))
        if diff > P.RTOL * scale + P.ATOL:
            return f"output {k}: max|diff| {diff:.3g} over the finite values (max|ref| {scale:.3g})"
    return None


P.run_case = strict_run_case  # py_ops.main looks run_case up at call time


if __name__ == "__main__":
    sys.exit(P.main(list(GENERATORS)))
