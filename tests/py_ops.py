#!/usr/bin/env python3
"""py_ops.py — every op clcnn knows, on tiny single-op (or few-op) ONNX models
built with onnx.helper across attribute variants and opsets, run through
`clcnn run --device <dev>` and compared with onnxruntime (CPUExecutionProvider)
on the same inputs: pass when max|diff| / max|ref| <= 1e-4 (plus a tiny
absolute term). By default every case runs on the reference backend, then on
the OpenCL CPU device when `clcnn devices --json` lists one (--device picks
others, comma-separated). Prints one line per failing or skipped case with its
parameters, a pass/fail/skip line per device and a final "N passed, N failed,
N skipped"; exits 1 on any failure.

A case may be skipped only when it is marked as a known gap of the OpenCL path
(int64 tensors at run time) AND clcnn refuses it with exactly that reason; any
other outcome of such a case (a pass, a wrong value, another error) counts as
usual, so the skip disappears by itself once the gap is closed.

    python py_ops.py --clcnn build/clcnn --shared ../shared [--device ref,cpu] [-k conv]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto as TP
from onnx import helper, numpy_helper

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
RTOL = 1e-4
ATOL = 1e-6

CASES = []  # (name, params, model, feeds, gap)
# The OpenCL plan's refusal of int64/int32 tensors computed at run time
# (host/plan/plan.c); the only failure a known-gap case may be skipped for.
INT_GAP = "is not float32; the OpenCL path runs float32 only"


def rng(seed):
    return np.random.default_rng(seed)


def rand(shape, seed, lo=-1.0, hi=1.0):
    return rng(seed).uniform(lo, hi, size=shape).astype(np.float32)


def init(name, arr):
    arr = np.asarray(arr)
    return helper.make_tensor(name, helper.np_dtype_to_tensor_dtype(arr.dtype), arr.shape,
                              arr.flatten().tolist())


def case(name, params, nodes, inputs, outputs, inits=(), opset=13, int_runtime=False):
    """inputs: list of (name, float32 array) fed at run time; inits: (name, array) constants.
    int_runtime: the model computes int64/int32 tensors at run time (a known OpenCL gap)."""
    vin = [helper.make_tensor_value_info(n, TP.FLOAT, list(a.shape)) for n, a in inputs]
    vout = [helper.make_tensor_value_info(n, TP.FLOAT, None) for n in outputs]
    g = helper.make_graph(nodes, name, vin, vout, [init(n, a) for n, a in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name="py_ops")
    m.ir_version = 8 if opset <= 18 else 9
    CASES.append((name, params, m, [a for _, a in inputs], int_runtime))


def node(op, ins, outs, **attrs):
    return helper.make_node(op, ins, outs, **attrs)


# ---- Conv -------------------------------------------------------------------

def conv_cases():
    # (C, M, group, H, W, k, stride, dilation, pads or auto_pad, bias)
    specs = [
        (1, 1, 1, 1, 1, 1, 1, 1, [0, 0, 0, 0], True),
        (3, 4, 1, 7, 7, 3, 1, 1, [1, 1, 1, 1], True),
        (3, 8, 1, 13, 17, 3, 2, 1, [1, 1, 1, 1], True),
        (5, 5, 5, 13, 13, 3, 1, 1, [1, 1, 1, 1], True),     # depthwise
        (5, 5, 5, 17, 13, 3, 2, 1, [1, 1, 1, 1], False),    # depthwise stride 2
        (17, 17, 17, 7, 7, 5, 1, 1, [2, 2, 2, 2], True),    # depthwise k5
        (6, 9, 3, 7, 13, 3, 1, 1, [1, 1, 1, 1], True),      # 1 < group < C
        (4, 6, 2, 13, 7, 1, 1, 1, [0, 0, 0, 0], True),      # grouped 1x1
        (3, 5, 1, 17, 17, 7, 2, 1, [3, 3, 3, 3], True),     # stem-like k7 s2
        (3, 4, 1, 13, 13, 3, 1, 2, [2, 2, 2, 2], True),     # dilation 2
        (5, 3, 1, 7, 13, 3, 1, 2, [0, 1, 2, 0], True),      # dilation + asym pads
        (3, 4, 1, 7, 7, 3, 2, 1, [0, 1, 1, 0], False),      # asymmetric pads
        (1, 2, 1, 3, 3, 3, 1, 1, [0, 0, 0, 0], True),       # kernel = input
        (17, 3, 1, 3, 7, 5, 1, 1, [2, 2, 2, 2], True),      # 17 channels in
        (3, 4, 1, 7, 13, 3, 2, 1, "SAME_UPPER", True),
        (3, 4, 1, 8, 12, 3, 2, 1, "SAME_UPPER", True),
        (3, 4, 1, 8, 12, 4, 2, 1, "SAME_LOWER", True),
        (3, 4, 1, 7, 7, 2, 1, 1, "SAME_LOWER", False),
        (3, 4, 1, 13, 7, 3, 2, 1, "VALID", True),
        (4, 4, 4, 13, 13, 3, 2, 1, "SAME_UPPER", True),     # depthwise SAME
        (2, 4, 2, 7, 7, 3, 1, 1, [1, 1, 1, 1], True),       # depth multiplier 2
    ]
    for i, (c, m, grp, h, w, k, s, d, pad, bias) in enumerate(specs):
        x = rand([1, c, h, w], 100 + i)
        wt = rand([m, c // grp, k, k], 200 + i)
        attrs = dict(group=grp, strides=[s, s], dilations=[d, d])
        if isinstance(pad, str):
            attrs["auto_pad"] = pad
        else:
            attrs["pads"] = pad
        if i % 3 == 0:
            attrs["kernel_shape"] = [k, k]
        ins = ["x", "w"] + (["b"] if bias else [])
        inits = [("w", wt)] + ([("b", rand([m], 300 + i))] if bias else [])
        case("conv", f"C={c} M={m} group={grp} {h}x{w} k={k} s={s} d={d} pad={pad} bias={bias}",
             [node("Conv", ins, ["y"], **attrs)], [("x", x)], ["y"], inits, opset=11)
    # batch 2 + conv chained into relu
    x = rand([2, 3, 7, 7], 5)
    case("conv", "N=2 k3 + Relu", [node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
                                   node("Relu", ["c"], ["y"])],
         [("x", x)], ["y"], [("w", rand([4, 3, 3, 3], 6))])


# ---- pools, BN, activations -------------------------------------------------

def pool_cases():
    specs = [  # op, HxW, k, s, pads, ceil, count_include_pad, auto_pad, dil
        ("MaxPool", (7, 7), 2, 2, None, 0, 0, None, 1),
        ("MaxPool", (13, 13), 3, 2, [1, 1, 1, 1], 0, 0, None, 1),
        ("MaxPool", (13, 17), 3, 2, None, 1, 0, None, 1),
        ("MaxPool", (7, 13), 3, 1, [1, 0, 1, 2], 0, 0, None, 1),
        ("MaxPool", (7, 7), 3, 2, None, 0, 0, "SAME_UPPER", 1),
        ("MaxPool", (8, 8), 2, 2, None, 0, 0, "SAME_LOWER", 1),
        ("MaxPool", (13, 13), 3, 1, None, 0, 0, None, 2),
        ("MaxPool", (1, 1), 1, 1, None, 0, 0, None, 1),
        ("AveragePool", (7, 7), 2, 2, None, 0, 0, None, 1),
        ("AveragePool", (13, 13), 3, 2, [1, 1, 1, 1], 0, 0, None, 1),
        ("AveragePool", (13, 13), 3, 2, [1, 1, 1, 1], 0, 1, None, 1),
        ("AveragePool", (13, 17), 3, 2, None, 1, 0, None, 1),
        ("AveragePool", (13, 17), 3, 2, [1, 1, 1, 1], 1, 1, None, 1),
        ("AveragePool", (7, 13), 3, 1, [0, 1, 2, 0], 0, 1, None, 1),
        ("AveragePool", (7, 7), 3, 2, None, 0, 0, "SAME_UPPER", 1),
        ("AveragePool", (17, 17), 5, 3, [2, 2, 2, 2], 1, 0, None, 1),
    ]
    for i, (op, hw, k, s, pads, ceil, incl, ap, dil) in enumerate(specs):
        x = rand([1, 3, hw[0], hw[1]], 400 + i)
        attrs = dict(kernel_shape=[k, k], strides=[s, s])
        if pads:
            attrs["pads"] = pads
        if ceil:
            attrs["ceil_mode"] = 1
        if ap:
            attrs["auto_pad"] = ap
        if op == "AveragePool":
            attrs["count_include_pad"] = incl
        if dil != 1:
            attrs["dilations"] = [dil, dil]
        case(op.lower(), f"{hw[0]}x{hw[1]} k={k} s={s} pads={pads} ceil={ceil} incl={incl} auto_pad={ap} dil={dil}",
             [node(op, ["x"], ["y"], **attrs)], [("x", x)], ["y"], opset=12)
    for op in ("GlobalAveragePool", "GlobalMaxPool"):
        for shape in ([1, 5, 7, 7], [2, 3, 1, 13], [1, 17, 3, 5]):
            case(op.lower(), f"shape={shape}", [node(op, ["x"], ["y"])],
                 [("x", rand(shape, 500 + shape[1]))], ["y"])


def bn_act_cases():
    for shape in ([1, 3, 7, 7], [2, 5, 3, 1], [3, 17]):
        c = shape[1]
        inits = [("s", rand([c], 1, 0.5, 2)), ("b", rand([c], 2)), ("m", rand([c], 3)),
                 ("v", rand([c], 4, 0.1, 2))]
        case("batchnorm", f"shape={shape} eps=1e-3",
             [node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], epsilon=1e-3)],
             [("x", rand(shape, 5, -3, 3))], ["y"], inits, opset=9)
    x = rand([2, 3, 5, 7], 6, -6, 6)
    simple = [("Relu", {}, 13), ("LeakyRelu", {}, 13), ("LeakyRelu", {"alpha": 0.2}, 13),
              ("HardSigmoid", {}, 13), ("HardSigmoid", {"alpha": 0.3, "beta": 0.4}, 13),
              ("HardSwish", {}, 14), ("Sigmoid", {}, 13)]
    for op, attrs, opset in simple:
        case(op.lower(), f"attrs={attrs} opset={opset}", [node(op, ["x"], ["y"], **attrs)],
             [("x", x)], ["y"], opset=opset)
    case("clip", "opset 6 attrs min=0 max=6", [node("Clip", ["x"], ["y"], min=0.0, max=6.0)],
         [("x", x)], ["y"], opset=6)
    case("clip", "opset 6 attrs min only", [node("Clip", ["x"], ["y"], min=-1.0)],
         [("x", x)], ["y"], opset=6)
    lo, hi = np.array(-1.5, np.float32), np.array(2.5, np.float32)
    case("clip", "opset 13 inputs min,max", [node("Clip", ["x", "lo", "hi"], ["y"])],
         [("x", x)], ["y"], [("lo", lo), ("hi", hi)])
    case("clip", "opset 13 max only", [node("Clip", ["x", "", "hi"], ["y"])],
         [("x", x)], ["y"], [("hi", hi)])
    case("clip", "opset 11 no bounds", [node("Clip", ["x"], ["y"])], [("x", x)], ["y"], opset=11)


def runtime_operand_cases():
    """Clip's min/max and Pad's constant_value fed as graph inputs (read from
    their buffers at run time): both, one, mixed with a constant, min > max,
    behind a Conv (no fused epilogue), Pad cropping, on 1-D, on a 1x1 plane,
    before a Conv (not folded into its pads), reflect (value unread), axes."""
    lo, hi = np.array(-1.5, np.float32), np.array(2.5, np.float32)
    x = rand([2, 3, 5, 7], 40, -4, 4)
    case("clip", "runtime min,max [2,3,5,7]", [node("Clip", ["x", "lo", "hi"], ["y"])],
         [("x", x), ("lo", lo), ("hi", hi)], ["y"])
    case("clip", "runtime min only [3,17]", [node("Clip", ["x", "lo"], ["y"])],
         [("x", rand([3, 17], 41, -4, 4)), ("lo", lo)], ["y"])
    case("clip", "runtime max only [13] opset 11", [node("Clip", ["x", "", "hi"], ["y"])],
         [("x", rand([13], 42, -4, 4)), ("hi", hi)], ["y"], opset=11)
    case("clip", "runtime min > max [1,1,1]", [node("Clip", ["x", "lo", "hi"], ["y"])],
         [("x", rand([1, 1, 1], 43)), ("lo", np.array(1.0, np.float32)),
          ("hi", np.array(-1.0, np.float32))], ["y"])
    case("clip", "constant min, runtime max [2,5,3,1]", [node("Clip", ["x", "lo", "hi"], ["y"])],
         [("x", rand([2, 5, 3, 1], 44, -4, 4)), ("hi", hi)], ["y"], [("lo", lo)])
    case("clip", "runtime min, constant max [5,3]", [node("Clip", ["x", "lo", "hi"], ["y"])],
         [("x", rand([5, 3], 45, -4, 4)), ("lo", lo)], ["y"], [("hi", hi)])
    case("clip", "Conv 3x3 s2 -> runtime min,max", [node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1],
                                                         strides=[2, 2]),
                                                    node("Clip", ["c", "lo", "hi"], ["y"])],
         [("x", rand([1, 3, 7, 7], 46)), ("lo", np.array(-0.25, np.float32)),
          ("hi", np.array(0.3, np.float32))], ["y"], [("w", rand([5, 3, 3, 3], 47))])
    v = np.array(-0.5, np.float32)
    case("pad", "runtime value [1,3,4,5] pads [0,1,2,3,0,0,1,2]",
         [node("Pad", ["x", "p", "v"], ["y"])], [("x", rand([1, 3, 4, 5], 50)), ("v", v)], ["y"],
         [("p", np.array([0, 1, 2, 3, 0, 0, 1, 2], np.int64))])
    case("pad", "runtime value [2,3,5] crop and pad", [node("Pad", ["x", "p", "v"], ["y"])],
         [("x", rand([2, 3, 5], 51)), ("v", np.array(7.25, np.float32))], ["y"],
         [("p", np.array([0, -1, 2, 1, 2, -2], np.int64))])
    case("pad", "runtime value 1x1 plane, every edge", [node("Pad", ["x", "p", "v"], ["y"])],
         [("x", rand([1, 1, 1, 1], 52)), ("v", v)], ["y"],
         [("p", np.array([1, 1, 1, 1, 1, 1, 1, 1], np.int64))])
    case("pad", "runtime value 1-D [7]", [node("Pad", ["x", "p", "v"], ["y"])],
         [("x", rand([7], 53)), ("v", v)], ["y"], [("p", np.array([3, 0], np.int64))])
    case("pad", "runtime value 2 -> Conv 3x3 (not folded)",
         [node("Pad", ["x", "p", "v"], ["t"]), node("Conv", ["t", "w"], ["y"])],
         [("x", rand([1, 3, 6, 6], 54)), ("v", np.array(2.0, np.float32))], ["y"],
         [("p", np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64)), ("w", rand([4, 3, 3, 3], 55))])
    case("pad", "reflect with a runtime value (unread)",
         [node("Pad", ["x", "p", "v"], ["y"], mode="reflect")], [("x", rand([1, 2, 3, 3], 56)), ("v", v)],
         ["y"], [("p", np.array([0, 0, 2, 1, 0, 0, 1, 2], np.int64))])
    case("pad", "opset 18 axes [-1] runtime value [2,3,4]", [node("Pad", ["x", "p", "v", "a"], ["y"])],
         [("x", rand([2, 3, 4], 57)), ("v", v)], ["y"],
         [("p", np.array([2, 1], np.int64)), ("a", np.array([-1], np.int64))], opset=18)

# ---- element-wise, reduce, gemm ---------------------------------------------

def eltwise_cases():
    pairs = [([2, 3, 4], [4]), ([2, 1, 4], [3, 1]), ([1], [2, 3]), ([2, 3, 1, 5], [1, 3, 4, 1]),
             ([1, 17, 7, 7], [1, 17, 1, 1]), ([3, 5], [3, 5])]
    for op in ("Add", "Sub", "Mul", "Div"):
        for i, (sa, sb) in enumerate(pairs):
            a = rand(sa, 600 + i)
            b = rand(sb, 700 + i)
            if op == "Div":
                b = (np.abs(b) + 0.5).astype(np.float32) * np.sign(b + 0.01).astype(np.float32)
            case(op.lower(), f"{sa} {op} {sb} (both inputs)", [node(op, ["a", "b"], ["y"])],
                 [("a", a), ("b", b)], ["y"])
        case(op.lower(), "[2,3,4] with constant [3,1]", [node(op, ["a", "b"], ["y"])],
             [("a", rand([2, 3, 4], 8))], ["y"], [("b", rand([3, 1], 9, 0.5, 2))])
    # int64 arithmetic at run time: Cast to int64, op with int64 constant, Cast back
    x = np.array([[-7, 7, -8, 9, 0, -1]], np.float32)
    for op in ("Add", "Sub", "Mul", "Div"):
        case(op.lower(), "int64 runtime (Div truncates)",
             [node("Cast", ["x"], ["xi"], to=TP.INT64), node(op, ["xi", "k"], ["yi"]),
              node("Cast", ["yi"], ["y"], to=TP.FLOAT)],
             [("x", x)], ["y"], [("k", np.array([2, -2, 3, -3, 5, 4], np.int64))], int_runtime=True)


def reduce_cases():
    x = rand([2, 3, 5, 7], 10)
    for axes, keep in (([1], 1), ([-1, 2], 0), ([0, 1, 2, 3], 1), ([2, 3], 1)):
        case("reducemean", f"opset 13 axes={axes} keepdims={keep}",
             [node("ReduceMean", ["x"], ["y"], axes=axes, keepdims=keep)], [("x", x)], ["y"])
    case("reducemean", "opset 13 no axes (all)", [node("ReduceMean", ["x"], ["y"], keepdims=0)],
         [("x", x)], ["y"])
    for axes, keep in (([1], 0), ([-2, -1], 1)):
        case("reducemean", f"opset 18 input axes={axes} keepdims={keep}",
             [node("ReduceMean", ["x", "axes"], ["y"], keepdims=keep)], [("x", x)], ["y"],
             [("axes", np.array(axes, np.int64))], opset=18)
    case("reducemean", "opset 18 noop_with_empty_axes",
         [node("ReduceMean", ["x"], ["y"], noop_with_empty_axes=1)], [("x", x)], ["y"], opset=18)
    case("reducemean", "opset 18 no axes input (all)",
         [node("ReduceMean", ["x"], ["y"])], [("x", x)], ["y"], opset=18)


def gemm_cases():
    M, K, N = 3, 17, 5
    specs = [  # transA, transB, alpha, beta, C shape
        (0, 0, 1.0, 1.0, [N]), (0, 1, 1.0, 1.0, [N]), (1, 0, 0.5, 2.0, [M, N]),
        (1, 1, 2.0, 0.5, [1, N]), (0, 1, 1.0, 1.0, [1]), (0, 1, 1.0, 1.0, None),
        (0, 0, 1.0, 1.0, [M, 1]),
    ]
    for i, (ta, tb, al, be, cs) in enumerate(specs):
        a = rand([K, M] if ta else [M, K], 800 + i)
        b = rand([N, K] if tb else [K, N], 900 + i)
        ins = ["a", "b"] + (["c"] if cs else [])
        inits = [("b", b)] + ([("c", rand(cs, 950 + i))] if cs else [])
        case("gemm", f"transA={ta} transB={tb} alpha={al} beta={be} C={cs}",
             [node("Gemm", ins, ["y"], transA=ta, transB=tb, alpha=al, beta=be)],
             [("a", a)], ["y"], inits, opset=11)
    for sa, sb in (([3, 4], [4, 5]), ([2, 3, 4], [4, 5]), ([2, 1, 3, 4], [3, 4, 2]),
                   ([4], [4, 3]), ([2, 3, 4], [4]), ([1, 17], [17, 7]), ([5], [5])):
        case("matmul", f"{sa} @ {sb}", [node("MatMul", ["a", "b"], ["y"])],
             [("a", rand(sa, 11)), ("b", rand(sb, 12))], ["y"])
    case("matmul", "[2,3,4] @ constant [4,5]", [node("MatMul", ["a", "b"], ["y"])],
         [("a", rand([2, 3, 4], 13))], ["y"], [("b", rand([4, 5], 14))])


# ---- shape and data movement --------------------------------------------------

def movement_cases():
    x = rand([2, 3, 4, 5], 20)
    for axis in (0, 1, 2, -1, 4):
        case("flatten", f"axis={axis}", [node("Flatten", ["x"], ["y"], axis=axis)], [("x", x)], ["y"])
    for shape, az in (([0, -1], 0), ([-1, 20], 0), ([2, 0, 20], 0), ([6, -1, 1, 1], 0),
                      ([120], 0), ([2, 3, 20], 1)):
        case("reshape", f"shape={shape} allowzero={az}",
             [node("Reshape", ["x", "s"], ["y"], **({"allowzero": 1} if az else {}))],
             [("x", x)], ["y"], [("s", np.array(shape, np.int64))], opset=14)
    for perm in ([0, 2, 3, 1], [3, 2, 1, 0], [1, 0, 2, 3], None):
        attrs = {"perm": perm} if perm else {}
        case("transpose", f"perm={perm}", [node("Transpose", ["x"], ["y"], **attrs)], [("x", x)], ["y"])
    for axis in (1, -1, 0):
        sh = list(x.shape)
        sh[axis] = 2
        case("concat", f"axis={axis} (input + constant + input)",
             [node("Concat", ["x", "c", "x"], ["y"], axis=axis)], [("x", x)], ["y"],
             [("c", rand(sh, 21))])
    # Split: opset 11 attr, 13 input, 18 num_outputs (uneven), equal
    xs = rand([2, 7, 3], 22)
    split_variants = [
        (11, {"axis": 1, "split": [2, 5]}, None, 2),
        (13, {"axis": 1}, [3, 4], 2),
        (13, {"axis": -1}, None, 3),
        (18, {"axis": 1, "num_outputs": 3}, None, 3),
        (18, {"axis": 1}, [1, 1, 5], 3),
    ]
    for opset, attrs, sp, nout in split_variants:
        outs = [f"y{i}" for i in range(nout)]
        ins = ["x"] + (["sp"] if sp else [])
        inits = [("sp", np.array(sp, np.int64))] if sp else []
        case("split", f"opset {opset} attrs={attrs} split_input={sp}",
             [node("Split", ins, outs, **attrs)], [("x", xs)], outs, inits, opset=opset)
    # Slice opset 9 (attributes) and 13 (inputs, negative steps, clamping)
    case("slice", "opset 9 attrs starts=[1,0] ends=[3,-1] axes=[1,3]",
         [node("Slice", ["x"], ["y"], starts=[1, 0], ends=[3, -1], axes=[1, 3])], [("x", x)], ["y"], opset=9)
    case("slice", "opset 9 attrs no axes",
         [node("Slice", ["x"], ["y"], starts=[0, 1], ends=[1, 1000])], [("x", x)], ["y"], opset=9)
    slices = [
        ([1], [3], [1], None), ([-1], [INT64_MIN], [3], [-1]), ([4], [0], [-1], [-2]),
        ([0, INT64_MAX], [2, 1], [0, 2], [1, -1]), ([-3], [INT64_MAX], [-1], [2]),
        ([10], [20], [3], None), ([1, 1], [-1, -1], [-2, -1], [1, 1]),
    ]
    for s, e, a, st in slices:
        ins = ["x", "s", "e", "a"] + (["k"] if st else [])
        inits = [("s", np.array(s, np.int64)), ("e", np.array(e, np.int64)), ("a", np.array(a, np.int64))]
        if st:
            inits.append(("k", np.array(st, np.int64)))
        case("slice", f"opset 13 starts={s} ends={e} axes={a} steps={st}",
             [node("Slice", ins, ["y"])], [("x", x)], ["y"], inits)
    # Gather: float data, scalar / tensor / negative indices
    for axis, idx in ((0, np.array(1, np.int64)), (1, np.array([2, -1, 0], np.int64)),
                      (-1, np.array([[4, 0], [-5, 3]], np.int64)), (2, np.array(-1, np.int64))):
        case("gather", f"axis={axis} indices={idx.tolist()}",
             [node("Gather", ["x", "i"], ["y"], axis=axis)], [("x", x)], ["y"], [("i", idx)])
    # Gather on int64 data produced at run time
    xi = np.array([[3, -2, 7], [1, 0, -9]], np.float32)
    case("gather", "int64 data axis=1",
         [node("Cast", ["x"], ["xi"], to=TP.INT64), node("Gather", ["xi", "i"], ["g"], axis=1),
          node("Cast", ["g"], ["y"], to=TP.FLOAT)],
         [("x", xi)], ["y"], [("i", np.array([2, 0], np.int64))], int_runtime=True)
    # Squeeze / Unsqueeze: attr (11) vs input (13)
    xq = rand([1, 3, 1, 5], 23)
    case("squeeze", "opset 11 axes=[0,2]", [node("Squeeze", ["x"], ["y"], axes=[0, 2])], [("x", xq)], ["y"], opset=11)
    case("squeeze", "opset 11 no axes", [node("Squeeze", ["x"], ["y"])], [("x", xq)], ["y"], opset=11)
    case("squeeze", "opset 13 axes input [-2]", [node("Squeeze", ["x", "a"], ["y"])], [("x", xq)], ["y"],
         [("a", np.array([-2], np.int64))])
    case("unsqueeze", "opset 11 axes=[0,4]", [node("Unsqueeze", ["x"], ["y"], axes=[0, 4])], [("x", xq)], ["y"], opset=11)
    case("unsqueeze", "opset 13 axes input [-1,1]", [node("Unsqueeze", ["x", "a"], ["y"])], [("x", xq)], ["y"],
         [("a", np.array([-1, 1], np.int64))])
    # Pad: opset 2 attrs vs 13 inputs, three modes
    xp = rand([1, 3, 4, 5], 24)
    case("pad", "opset 2 constant value=1.5", [node("Pad", ["x"], ["y"], pads=[0, 0, 1, 2, 0, 0, 2, 1], value=1.5)],
         [("x", xp)], ["y"], opset=2)
    case("pad", "opset 2 reflect", [node("Pad", ["x"], ["y"], mode="reflect", pads=[0, 0, 3, 1, 0, 0, 2, 4])],
         [("x", xp)], ["y"], opset=2)
    for mode in ("constant", "reflect", "edge"):
        pads = np.array([0, 1, 2, 3, 0, 0, 1, 2], np.int64)
        ins = ["x", "p"] + (["v"] if mode == "constant" else [])
        inits = [("p", pads)] + ([("v", np.array(-0.5, np.float32))] if mode == "constant" else [])
        case("pad", f"opset 13 mode={mode} pads={pads.tolist()}", [node("Pad", ins, ["y"], mode=mode)],
             [("x", xp)], ["y"], inits)
    case("pad", "opset 13 constant no value", [node("Pad", ["x", "p"], ["y"])], [("x", xp)], ["y"],
         [("p", np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64))])


def softmax_misc_cases():
    for shape in ([2, 3, 4], [1, 5, 2, 3]):
        x = rand(shape, 30, -4, 4)
        for opset in (11, 13):
            for axis in (None, 1, -1, 0):
                attrs = {} if axis is None else {"axis": axis}
                case("softmax", f"shape={shape} opset={opset} axis={axis}",
                     [node("Softmax", ["x"], ["y"], **attrs)], [("x", x)], ["y"], opset=opset)
    x = rand([2, 3, 4, 5], 31)
    case("dropout", "opset 12 (inference copy)", [node("Dropout", ["x"], ["y"]), ], [("x", x)], ["y"], opset=12)
    case("dropout", "opset 7 then Relu", [node("Dropout", ["x"], ["d"]), node("Relu", ["d"], ["y"])],
         [("x", x)], ["y"], opset=7)
    case("identity", "before Relu", [node("Identity", ["x"], ["i"]), node("Relu", ["i"], ["y"])],
         [("x", x)], ["y"])
    case("identity", "after Relu (graph output)", [node("Relu", ["x"], ["r"]), node("Identity", ["r"], ["y"])],
         [("x", x)], ["y"])
    # Constant node feeding Reshape; Constant as an operand
    cshape = helper.make_tensor("cv", TP.INT64, [2], [6, -1])
    case("constant", "shape from a Constant node",
         [node("Constant", [], ["s"], value=cshape), node("Reshape", ["x", "s"], ["y"])], [("x", x)], ["y"])
    case("constant", "value_float operand",
         [node("Constant", [], ["k"], value_float=2.5), node("Mul", ["x", "k"], ["y"])], [("x", x)], ["y"])
    # Cast round trips
    xc = np.array([[-2.7, -0.5, 0.0, 0.5, 3.9, 100.2]], np.float32)
    case("cast", "float->int64->float truncates", [node("Cast", ["x"], ["i"], to=TP.INT64),
                                                   node("Cast", ["i"], ["y"], to=TP.FLOAT)], [("x", xc)], ["y"],
         int_runtime=True)
    case("cast", "float->int32->float", [node("Cast", ["x"], ["i"], to=TP.INT32),
                                         node("Cast", ["i"], ["y"], to=TP.FLOAT)], [("x", xc)], ["y"],
         int_runtime=True)
    # Shape chains as TorchScript emits them: x.view(x.size(0), -1)
    x4 = rand([2, 3, 4, 5], 32)
    case("shape", "Shape->Gather->Unsqueeze->Concat->Reshape",
         [node("Shape", ["x"], ["sh"]), node("Gather", ["sh", "zero"], ["n"], axis=0),
          node("Unsqueeze", ["n", "ax"], ["nu"]), node("Concat", ["nu", "m1"], ["s"], axis=0),
          node("Reshape", ["x", "s"], ["y"])],
         [("x", x4)], ["y"], [("zero", np.array(0, np.int64)), ("ax", np.array([0], np.int64)),
                              ("m1", np.array([-1], np.int64))])
    case("shape", "opset 11 chain with Mul/Div arithmetic on dims",
         [node("Shape", ["x"], ["sh"]), node("Gather", ["sh", "i23"], ["hw"], axis=0),
          node("Gather", ["sh", "i1"], ["c"], axis=0), node("Mul", ["c", "two"], ["c2"]),
          node("Div", ["c2", "two"], ["c1"]), node("Unsqueeze", ["c1"], ["cu"], axes=[0]),
          node("Gather", ["sh", "i0"], ["n0"], axis=0),
          node("Unsqueeze", ["n0"], ["nu"], axes=[0]),
          node("Concat", ["nu", "cu", "hw"], ["s"], axis=0), node("Reshape", ["x", "s"], ["y"])],
         [("x", x4)], ["y"], [("i23", np.array([2, 3], np.int64)), ("i1", np.array(1, np.int64)),
                              ("i0", np.array(0, np.int64)), ("two", np.array(2, np.int64))], opset=11)
    case("shape", "opset 15 start=1 end=-1 -> Cast", [node("Shape", ["x"], ["s"], start=1, end=-1),
                                                      node("Cast", ["s"], ["y"], to=TP.FLOAT)],
         [("x", x4)], ["y"], opset=15)


# ---- running ----------------------------------------------------------------

def reference(tmp, idx, model, feeds):
    """Saves the model and inputs once; returns (model path, input paths, onnxruntime outputs)."""
    path = os.path.join(tmp, f"c{idx}.onnx")
    onnx.save(model, path)
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]
    want = sess.run(None, dict(zip(names, feeds)))
    ins = []
    for k, a in enumerate(feeds):
        p = os.path.join(tmp, f"c{idx}_in{k}.npy")
        np.save(p, a)
        ins.append(p)
    return path, ins, want


HALF_MAX = 65504.0  # largest finite IEEE half
FP16_RTOL = 1e-2    # --precision fp16: every stored tensor rounds to 11 significant bits


HALF_TINY = 2.0**-14  # smallest normal half: below it half keeps fewer bits, or none


def beyond_half(arrays):
    """True when a finite value is out of half storage's range: too large (fp16
    makes it inf) or, nonzero, below the normal range (it loses its precision or
    flushes to 0: Log(1e-30) becomes -inf)."""
    for a in arrays:
        a = np.asarray(a)
        if a.dtype.kind != "f" or not a.size:
            continue
        m = np.abs(a[np.isfinite(a)])
        if np.any(m > HALF_MAX) or np.any((m > 0) & (m < HALF_TINY)):
            return True
    return False


def half_rounded(model, feeds):
    """The model and feeds with every float input and initializer rounded to
    half and back: what an fp16 plan actually computes on."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    for t in m.graph.initializer:
        a = numpy_helper.to_array(t)
        if a.dtype == np.float32:
            t.CopyFrom(numpy_helper.from_array(a.astype(np.float16).astype(np.float32), t.name))
    f = [np.asarray(x).astype(np.float16).astype(np.float32) if np.asarray(x).dtype == np.float32
         else x for x in feeds]
    return m, f


def run_case(clcnn, device, tmp, idx, path, ins, want, precision=None, rtol=RTOL):
    """None when clcnn matches onnxruntime, else why not."""
    cmd = [clcnn, "run", path, "--device", device]
    if precision:
        cmd += ["--precision", precision]
    for p in ins:
        cmd += ["--input", p]
    outs = [os.path.join(tmp, f"c{idx}_{device}_out{k}.npy") for k in range(len(want))]
    for p in outs:
        cmd += ["--output", p]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        return f"clcnn exited {r.returncode}: {(r.stderr or r.stdout).strip().splitlines()[-1:]}"
    for k, (p, w) in enumerate(zip(outs, want)):
        got = np.load(p)
        w = np.asarray(w).astype(np.float32)
        if got.shape != w.shape:
            return f"output {k}: shape {got.shape} != onnxruntime {w.shape}"
        if got.size == 0:
            continue
        # NaN and +-inf must sit where onnxruntime puts them; the finite rest is
        # compared by value (a NaN in the diff would make every comparison false
        # and pass the case unseen).
        for what, f in (("NaN", np.isnan), ("+inf", np.isposinf), ("-inf", np.isneginf)):
            if not np.array_equal(f(got), f(w)):
                return f"output {k}: {what} positions differ from onnxruntime's"
        fin = np.isfinite(w)
        if not fin.any():
            continue
        got, w = got[fin], w[fin]
        diff = float(np.max(np.abs(got.astype(np.float64) - w)))
        scale = float(np.max(np.abs(w)))
        if diff > rtol * scale + ATOL:
            bad = int(np.argmax(np.abs(got.astype(np.float64) - w)))
            return (f"output {k}: max|diff| {diff:.3g} vs max|ref| {scale:.3g} "
                    f"(flat index {bad}: got {got.flat[bad]:.7g} want {w.flat[bad]:.7g})")
    return None


def default_devices(clcnn):
    """ref, plus cpu when clcnn lists an OpenCL CPU device."""
    devs = ["ref"]
    try:
        r = subprocess.run([clcnn, "devices", "--json"], capture_output=True, text=True, timeout=60)
        if r.returncode == 0 and any(d.get("type") == "cpu" for d in json.loads(r.stdout or "[]")):
            devs.append("cpu")
        else:
            print("note: no OpenCL CPU device listed; running on ref only", flush=True)
    except (OSError, ValueError, subprocess.TimeoutExpired) as e:
        print(f"note: `clcnn devices --json` failed ({e}); running on ref only", flush=True)
    return devs


ALL_CASES = None  # set below: this file's case generators


def main(generators=None):
    """Runs the cases that `generators` (default: this file's) register. Other
    suites (py_ops_*.py) import this module and pass their own generators, so
    one harness compares every op with onnxruntime the same way."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clcnn", required=True, help="path to the clcnn binary")
    ap.add_argument("--shared", required=False, help="shared data dir (unused here)")
    ap.add_argument("--device", default="",
                    help="clcnn --device values, comma-separated (default: ref, then cpu when listed)")
    ap.add_argument("-k", default="", help="only cases whose op name contains this")
    ap.add_argument("--precision", default=None,
                    help="clcnn --precision (fp16: OpenCL devices only, tolerance 1e-2, cases "
                         "whose values exceed half's range skipped)")
    ap.add_argument("--rtol", type=float, default=None, help="relative tolerance (default 1e-4)")
    args = ap.parse_args()
    devices = [d for d in args.device.split(",") if d] or default_devices(args.clcnn)
    half = args.precision in ("fp16", "auto")
    if half:
        devices = [d for d in devices if d != "ref"]  # the reference always runs fp32
    rtol = args.rtol if args.rtol is not None else (FP16_RTOL if half else RTOL)
    for gen in generators or ALL_CASES:
        gen()
    ort.set_default_logger_severity(3)
    tally = {d: [0, 0, 0] for d in devices}  # passed, failed, skipped
    with tempfile.TemporaryDirectory(prefix="clcnn_py_ops_") as tmp:
        for i, (name, params, model, feeds, int_runtime) in enumerate(CASES):
            if args.k and args.k not in name:
                continue
            try:
                path, ins, want = reference(tmp, i, model, feeds)
            except Exception as e:  # the case itself is broken: a failure on every device
                for d in devices:
                    tally[d][1] += 1
                    print(f"FAIL {name} [{params}] device={d}: onnxruntime: {type(e).__name__}: {e}",
                          flush=True)
                continue
            if half and beyond_half(list(feeds) + list(want) + [
                    numpy_helper.to_array(t) for t in model.graph.initializer]):
                for d in devices:
                    tally[d][2] += 1
                    print(f"SKIP {name} [{params}] device={d}: values beyond half's range "
                          f"(+-{HALF_MAX:g}) cannot be stored in fp16", flush=True)
                continue
            if half and any(np.asarray(w).dtype.kind in "iub" for w in want):
                # an index or boolean output (ArgMax, comparisons) of values that
                # half storage rounds to a tie answers for the rounded values:
                # onnxruntime on half-rounded inputs is the oracle there
                hm, hf = half_rounded(model, feeds)
                _, _, want_h = reference(tmp, f"{i}h", hm, hf)
                want = [wh if np.asarray(w).dtype.kind in "iub" else w for w, wh in zip(want, want_h)]
            for d in devices:
                try:
                    why = run_case(args.clcnn, d, tmp, i, path, ins, want, args.precision, rtol)
                    if why and half and "exited" not in why:
                        # fp16 computes on half-rounded values: a result that
                        # matches onnxruntime on those (a near-tie's index cast
                        # to float, ...) is right for the precision asked
                        hm, hf = half_rounded(model, feeds)
                        _, _, want_h = reference(tmp, f"{i}h", hm, hf)
                        if run_case(args.clcnn, d, tmp, i, path, ins, want_h, args.precision, rtol) is None:
                            why = None
                except Exception as e:  # a crash of one case must not hide the others
                    why = f"{type(e).__name__}: {e}"
                if why and int_runtime and d != "ref" and INT_GAP in why:
                    tally[d][2] += 1
                    print(f"SKIP {name} [{params}] device={d}: known gap (int64 at run time on "
                          f"OpenCL): {why}", flush=True)
                elif why:
                    tally[d][1] += 1
                    print(f"FAIL {name} [{params}] device={d}: {why}", flush=True)
                else:
                    tally[d][0] += 1
    for d in devices:
        p, f, s = tally[d]
        print(f"device {d}: {p} passed, {f} failed, {s} skipped")
    p, f, s = (sum(t[k] for t in tally.values()) for k in range(3))
    print(f"{p} passed, {f} failed, {s} skipped")
    return 1 if f or not p else 0


ALL_CASES = (conv_cases, pool_cases, bn_act_cases, runtime_operand_cases, eltwise_cases, reduce_cases,
             gemm_cases, movement_cases, softmax_misc_cases)

if __name__ == "__main__":
    sys.exit(main())
