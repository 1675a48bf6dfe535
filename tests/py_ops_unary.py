#!/usr/bin/env python3
"""py_ops_unary.py — the unary group of issue 15 against onnxruntime on ref and
OpenCL: element-wise math and activations (Abs, Erf, Tanh, Exp, Log, Sqrt,
Neg, Reciprocal, Gelu, Elu, Selu, Celu, Softplus, Softsign, Mish), Pow, PRelu,
the variadic Max/Min/Sum/Mean and LogSoftmax, at awkward shapes, with every
attribute variant and the opsets where the form changed; each activation also
after a Conv and a BatchNormalization (fused into their epilogues on OpenCL,
which run the vector forms of kernels_cl/act.cl), and refusals of attribute
values clcnn does not implement.

Compared like py_ops.py (max|diff| <= 1e-4 max|ref|), but stricter about
non-finite values: NaN and +-inf must sit where onnxruntime has them (the
shared check lets a NaN in the expected output hide any difference).

    python py_ops_unary.py --clcnn build/clcnn [--device ref,cpu] [-k pow]
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
from onnx import TensorProto as TP
from onnx import helper

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
    ("Gelu", {}, (20,), (-5, 5)),
    ("Gelu", {"approximate": "none"}, (20,), (-5, 5)),
    ("Gelu", {"approximate": "tanh"}, (20,), (-5, 5)),
    ("Elu", {}, (6, 22), (-4, 4)),
    ("Elu", {"alpha": 0.3}, (6,), (-4, 4)),
    ("Selu", {}, (6, 22), (-4, 4)),
    ("Selu", {"alpha": 1.2, "gamma": 0.7}, (6,), (-4, 4)),
    ("Celu", {}, (12, 22), (-4, 4)),
    ("Celu", {"alpha": 2.5}, (12,), (-4, 4)),
    ("Softplus", {}, (2, 22), (-30, 30)),
    ("Softsign", {}, (2, 22), (-5, 5)),
    ("Mish", {}, (18, 22), (-30, 30)),
]
EDGE_OPS = [("Abs", 13), ("Erf", 13), ("Tanh", 13), ("Exp", 13), ("Log", 13), ("Sqrt", 13), ("Neg", 13),
            ("Reciprocal", 13), ("Gelu", 20),
            ("Elu", 13), ("Selu", 13), ("Celu", 13), ("Softplus", 13), ("Softsign", 13), ("Mish", 18)]
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


def pow_cases():
    xb = rand([2, 3, 5, 7], 3000, 0.1, 3)           # positive base: any exponent
    xs = rand([2, 3, 5, 7], 3001, -3, 3)            # signed base: integral exponents only
    for e in (2.0, 0.5, 3.0, -1.5, 1.0, 0.0):
        for eshape in ([], [1]):
            P.case("pow", f"constant exponent {e} shape {eshape}", [node("Pow", ["x", "e"], ["y"])],
                   [("x", xb)], ["y"], [("e", np.full(eshape, e, np.float32))])
    P.case("pow", "signed base, exponent 2 and 3 (integral)",
           [node("Pow", ["x", "e2"], ["a"]), node("Pow", ["x", "e3"], ["b"]),
            node("Add", ["a", "b"], ["y"])], [("x", xs)], ["y"],
           [("e2", np.array(2.0, np.float32)), ("e3", np.array([3.0], np.float32))])
    P.case("pow", "runtime exponent, same shape, integral on a signed base",
           [node("Pow", ["x", "e"], ["y"])],
           [("x", xs), ("e", np.round(rand([2, 3, 5, 7], 3002, -3, 3)).astype(np.float32))], ["y"])
    pairs = [([2, 3, 5, 7], [7]), ([2, 1, 5, 1], [3, 1, 7]), ([1], [2, 3]), ([3, 1], [1, 17]),
             ([1, 17, 3, 3], [1, 17, 1, 1])]
    for k, (sa, sb) in enumerate(pairs):
        for opset in (7, 12, 13, 15):
            P.case("pow", f"broadcast {sa} ^ {sb} opset {opset}", [node("Pow", ["a", "b"], ["y"])],
                   [("a", rand(sa, 3010 + k, 0.1, 2)), ("b", rand(sb, 3020 + k, -2, 2))], ["y"],
                   opset=opset)
    P.case("pow", "int64 constant scalar exponent 3", [node("Pow", ["x", "e"], ["y"])],
           [("x", xs)], ["y"], [("e", np.array(3, np.int64))])
    P.case("pow", "int32 constant exponent [1]: 2", [node("Pow", ["x", "e"], ["y"])],
           [("x", xs)], ["y"], [("e", np.array([2], np.int32))], opset=15)
    P.case("pow", "constant base tensor, runtime exponent", [node("Pow", ["a", "b"], ["y"])],
           [("b", rand([2, 5], 3030, -2, 2))], ["y"], [("a", rand([5], 3031, 0.5, 2))])
    P.case("pow", "non-finite: negative base ^ 0.5 and ^ 1.5, 0 ^ -1",
           [node("Pow", ["x", "e"], ["y"])],
           [("x", np.array([-2.0, -0.5, 0.0, 4.0, 2.0, -1.0], np.float32)),
            ("e", np.array([0.5, 1.5, -1.0, 0.5, -2.0, 3.0], np.float32))], ["y"])
    # Pow by a constant after a Conv (fused on OpenCL): LayerNorm's x^2 and a sqrt
    x = rand([1, 3, 7, 9], 3040)
    inits = [("w", rand([5, 3, 3, 3], 3041)), ("e", np.array(2.0, np.float32))]
    P.case("pow", "after Conv, exponent 2", [node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
                                             node("Pow", ["c", "e"], ["y"])],
           [("x", x)], ["y"], inits)
    # the legacy exporter's LayerNorm: ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div
    x = rand([2, 7, 13], 3050, -2, 2)
    P.case("pow", "LayerNorm spelt out (TorchScript export)",
           [node("ReduceMean", ["x"], ["m"], axes=[-1]), node("Sub", ["x", "m"], ["d"]),
            node("Pow", ["d", "two"], ["d2"]), node("ReduceMean", ["d2"], ["v"], axes=[-1]),
            node("Add", ["v", "eps"], ["ve"]), node("Sqrt", ["ve"], ["sd"]),
            node("Div", ["d", "sd"], ["y"])],
           [("x", x)], ["y"], [("two", np.array(2.0, np.float32)), ("eps", np.array(1e-5, np.float32))])


def prelu_cases():
    x = rand([2, 5, 7, 3], 4000, -3, 3)
    slopes = [("scalar", np.array(0.2, np.float32)), ("[1]", np.array([-0.3], np.float32)),
              ("per channel [5,1,1]", rand([5, 1, 1], 4001)), ("[3] (last dim)", rand([3], 4002)),
              ("full [2,5,7,3]", rand([2, 5, 7, 3], 4003)), ("[7,1]", rand([7, 1], 4004))]
    for name, s in slopes:
        for opset in (7, 9, 16):
            P.case("prelu", f"constant slope {name} opset {opset}", [node("PRelu", ["x", "s"], ["y"])],
                   [("x", x)], ["y"], [("s", s)], opset=opset)
    P.case("prelu", "runtime slope [5,1,1]", [node("PRelu", ["x", "s"], ["y"])],
           [("x", x), ("s", rand([5, 1, 1], 4005))], ["y"])
    P.case("prelu", "2-D [3,17] slope [17]", [node("PRelu", ["x", "s"], ["y"])],
           [("x", rand([3, 17], 4006))], ["y"], [("s", rand([17], 4007))])
    for name, s in (("scalar", np.array(0.25, np.float32)), ("per channel [6,1,1]", rand([6, 1, 1], 4008))):
        xc = rand([1, 3, 9, 7], 4009)
        P.case("prelu", f"after Conv, slope {name}",
               [node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]), node("PRelu", ["c", "s"], ["y"])],
               [("x", xc)], ["y"], [("w", rand([6, 3, 3, 3], 4010)), ("b", rand([6], 4011)), ("s", s)])


def variadic_cases():
    sets = [
        [[2, 3, 4]],
        [[2, 3, 4], [2, 3, 4]],
        [[2, 3, 4], [4], [3, 1]],
        [[1], [2, 1, 5], [3, 1], [2, 3, 5]],
        [[1, 17, 3, 3], [1, 17, 1, 1], [1, 1, 3, 1], [17, 1, 1], [1]],
        [[1, 1, 1, 1], [1, 1, 1, 1]],
        [[7], [1]],
    ]
    for op in ("Max", "Min", "Sum", "Mean"):
        for k, shapes in enumerate(sets):
            ins = [(f"x{i}", rand(s, 5000 + 10 * k + i, -3, 3)) for i, s in enumerate(shapes)]
            for opset in (8, 13):
                P.case(op.lower(), f"{len(shapes)} inputs {shapes} opset {opset}",
                       [node(op, [n for n, _ in ins], ["y"])], ins, ["y"], opset=opset)
        # constants among the inputs, and NaN in either position
        P.case(op.lower(), "runtime + constant [4]", [node(op, ["a", "c"], ["y"])],
               [("a", rand([2, 3, 4], 5100))], ["y"], [("c", rand([4], 5101))])
        a = np.array([np.nan, 1, 2, np.nan, -1, 5], np.float32)
        b = np.array([1, np.nan, 3, np.nan, -2, 4], np.float32)
        c = np.array([0, 0, np.nan, 0, 0, 9], np.float32)
        P.case(op.lower(), "NaN in each position", [node(op, ["a", "b", "c"], ["y"])],
               [("a", a), ("b", b), ("c", c)], ["y"])
    # Max into a Conv's output (not fused: still right)
    x = rand([1, 3, 5, 5], 5200)
    P.case("max", "Conv then Max with a per-channel constant",
           [node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]), node("Max", ["c", "k"], ["y"])],
           [("x", x)], ["y"], [("w", rand([4, 3, 3, 3], 5201)), ("k", rand([4, 1, 1], 5202))])


def logsoftmax_cases():
    for shape in ([2, 3, 4], [1, 5, 2, 3], [3, 17], [1, 1], [7]):
        x = rand(shape, 6000 + len(shape), -40, 40)  # wide: exp underflows, log must not
        for opset in (2, 11, 13):
            for axis in (None, 0, -1) + ((1,) if len(shape) > 1 else ()):
                attrs = {} if axis is None else {"axis": axis}
                if opset < 13 and axis is None and len(shape) < 2:
                    continue  # default axis 1 is out of range for rank 1
                P.case("logsoftmax", f"shape={shape} opset={opset} axis={axis}",
                       [node("LogSoftmax", ["x"], ["y"], **attrs)], [("x", x)], ["y"], opset=opset)
    x = rand([2, 1000], 6100, -5, 5)
    P.case("logsoftmax", "Gemm then LogSoftmax 2x1000 (classifier head)",
           [node("Gemm", ["x", "w"], ["g"], transB=1), node("LogSoftmax", ["g"], ["y"], axis=1)],
           [("x", rand([2, 33], 6101))], ["y"], [("w", rand([1000, 33], 6102))])


GENERATORS = (unary_cases, fused_cases, pow_cases, prelu_cases, variadic_cases, logsoftmax_cases)


# ---- stricter comparison for non-finite values -------------------------------

_shared_run_case = P.run_case


def strict_run_case(clcnn, device, tmp, idx, path, ins, want, precision=None, rtol=None):
    """py_ops.run_case after checking that NaN and +-inf are exactly where
    onnxruntime puts them; the finite values then go through the shared check
    with the non-finite ones zeroed on both sides."""
    if all(np.isfinite(np.asarray(w)).all() for w in want):
        return _shared_run_case(clcnn, device, tmp, idx, path, ins, want, precision,
                                rtol if rtol is not None else P.RTOL)
    cmd = [clcnn, "run", path, "--device", device] + (["--precision", precision] if precision else [])
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
        if diff > (rtol if rtol is not None else P.RTOL) * scale + P.ATOL:
            return f"output {k}: max|diff| {diff:.3g} over the finite values (max|ref| {scale:.3g})"
    return None


P.run_case = strict_run_case  # py_ops.main looks run_case up at call time


# ---- refusals: one line naming the node and the attribute, non-zero status ----

def refusal_checks(clcnn, devices):
    """(op, attrs, opset, words the message must contain): values ONNX defines
    that clcnn does not implement, and opsets outside the op's range."""
    checks = [
        ("Gelu", {"approximate": "fast"}, 20, ["approximate", "fast", "node 'n0'"]),
        ("Gelu", {}, 18, ["opset 18", "n0"]),  # Gelu is new in opset 20
        ("LogSoftmax", {"axis": 3}, 13, ["axis", "node 'n0'"]),
        ("Max", {"no_inputs": True}, 13, ["no inputs", "node 'n0'"]),
    ]
    fails = 0
    with tempfile.TemporaryDirectory(prefix="clcnn_py_ops_unary_") as tmp:
        x = rand([2, 3], 7000)
        xp = os.path.join(tmp, "x.npy")
        np.save(xp, x)
        for i, (op, attrs, opset, words) in enumerate(checks):
            ins = [] if attrs.pop("no_inputs", False) else ["x"]
            g = helper.make_graph([node(op, ins, ["y"], name="n0", **attrs)], "g",
                                  [helper.make_tensor_value_info("x", TP.FLOAT, [2, 3])],
                                  [helper.make_tensor_value_info("y", TP.FLOAT, None)])
            m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
            m.ir_version = 8 if opset <= 18 else 9
            path = os.path.join(tmp, f"r{i}.onnx")
            with open(path, "wb") as f:
                f.write(m.SerializeToString())
            for d in devices:
                r = subprocess.run([clcnn, "run", path, "--device", d, "--input", xp, "--output",
                                    os.path.join(tmp, "o.npy")], capture_output=True, text=True,
                                   timeout=60)
                msg = (r.stderr or r.stdout).strip()
                if r.returncode == 0 or r.returncode < 0 or len(msg.splitlines()) != 1 or \
                        not all(w in msg for w in words):
                    fails += 1
                    print(f"FAIL refusal {op} {attrs} opset {opset} device={d}: rc={r.returncode} "
                          f"message {msg!r} (want one line with {words})", flush=True)
    print(f"refusals: {len(checks) * len(devices) - fails} passed, {fails} failed")
    return fails


if __name__ == "__main__":
    argv = sys.argv[1:]
    clcnn = argv[argv.index("--clcnn") + 1] if "--clcnn" in argv else None
    dev = argv[argv.index("--device") + 1] if "--device" in argv else ""
    rc = P.main(list(GENERATORS))
    if clcnn and "-k" not in argv and "--precision" not in argv:  # refusals: fp32 runs
        devs = [d for d in dev.split(",") if d] or P.default_devices(clcnn)
        rc = 1 if refusal_checks(clcnn, devs) else rc
    sys.exit(rc)

