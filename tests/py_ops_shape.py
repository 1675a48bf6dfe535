#!/usr/bin/env python3
"""py_ops_shape.py — the shape group's ops (ConstantOfShape, Range, Equal,
Less, Greater, LessOrEqual, GreaterOrEqual, And, Or, Xor, Not, Mod, Where,
Expand, Tile, Cast between every type, integer Add/Sub/Mul/Div) against
onnxruntime through tests/py_ops.py's harness, on the reference and on OpenCL,
at awkward shapes (odd sizes, 17 channels, broadcast both ways, empty
tensors, scalars). Non-float inputs are fed as float32 and Cast in the graph;
non-float outputs are Cast to float32, so every case also runs Cast on the
device. Then the double/float16 cases (reference only: the OpenCL path
refuses those dtypes, and this file checks that refusal's message), the
refusals of integer Clip and float Mod with fmod=0, and constant-only graphs
(no input at all). Integer data movement (Pad, Concat, Slice, Transpose,
Split, Gather) runs at run time on OpenCL too.

    python py_ops_shape.py --clcnn build/clcnn [--device ref,cpu] [-k where]
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

F = TP.FLOAT
NP = {TP.FLOAT: np.float32, TP.DOUBLE: np.float64, TP.FLOAT16: np.float16, TP.INT8: np.int8,
      TP.INT16: np.int16, TP.INT32: np.int32, TP.INT64: np.int64, TP.UINT8: np.uint8,
      TP.UINT16: np.uint16, TP.UINT32: np.uint32, TP.UINT64: np.uint64, TP.BOOL: np.bool_}
INTS = (TP.INT8, TP.INT16, TP.INT32, TP.INT64, TP.UINT8, TP.UINT16, TP.UINT32, TP.UINT64)
REF_ONLY = []  # (name, params, model, feeds): double/float16 cases, see ref_only_cases


def tcase(name, params, nodes, ins, outs, inits=(), opset=13, ref_only=False):
    """ins: (name, onnx dtype, float32 array of exactly representable values) fed
    as float32 and Cast to dtype in the graph; outs: (name, dtype) Cast to float32."""
    pre = [P.node("Cast", [n + "_f"], [n], to=dt) for n, dt, _ in ins if dt != F]
    post = [P.node("Cast", [n], [n + "_f"], to=F) for n, dt in outs if dt != F]
    feeds = [(n + "_f" if dt != F else n, np.asarray(a, np.float32)) for n, dt, a in ins]
    names = [n + "_f" if dt != F else n for n, dt in outs]
    before = len(P.CASES)
    P.case(name, params, pre + nodes + post, feeds, names, inits, opset)
    if ref_only:
        REF_ONLY.append(P.CASES.pop(before)[:4])


def ints(shape, seed, lo=-9, hi=9):
    return P.rng(seed).integers(lo, hi + 1, size=shape).astype(np.float32)


def rounded(shape, seed):
    """floats on a coarse grid, so comparisons meet ties"""
    return (np.round(P.rand(shape, seed, -2, 2) * 2) / 2).astype(np.float32)


PAIRS = [([2, 3, 5], [5]), ([1, 17, 7, 7], [1, 17, 1, 1]), ([3, 1], [1, 4]), ([1], [2, 3]),
         ([2, 1, 3, 1, 3], [1, 4, 1, 5, 1]), ([3, 3], [3, 3])]


# ---- ConstantOfShape, Range (folded at load) ---------------------------------

def generate_cases():
    x = P.rand([2, 3, 5], 1)
    for opset, val, dt in ((9, 0.02, TP.FLOAT), (9, None, TP.FLOAT), (20, 7, TP.INT64),
                           (20, 1, TP.BOOL), (9, -3, TP.INT32), (20, 2.5, TP.DOUBLE)):
        attrs = {} if val is None else {"value": helper.make_tensor("v", dt, [1], [val])}
        nodes = [P.node("ConstantOfShape", ["s"], ["c"], **attrs)]
        if dt == TP.FLOAT:
            nodes.append(P.node("Add", ["x", "c"], ["y"]))
        else:
            nodes += [P.node("Cast", ["c"], ["cf"], to=F), P.node("Add", ["x", "cf"], ["y"])]
        P.case("constantofshape", f"opset {opset} value={val} ({helper.tensor_dtype_to_np_dtype(dt)})",
               nodes, [("x", x)], ["y"], [("s", np.array([2, 3, 5], np.int64))], opset)
    # shape from Shape(x): the whole chain folds
    x4 = P.rand([1, 17, 3, 1], 2)
    P.case("constantofshape", "shape = Shape(x), value 1.5 then Mul",
           [P.node("Shape", ["x"], ["s"]),
            P.node("ConstantOfShape", ["s"], ["c"], value=helper.make_tensor("v", F, [1], [1.5])),
            P.node("Mul", ["x", "c"], ["y"])], [("x", x4)], ["y"], opset=11)
    # scalar (empty shape) and an empty tensor (a 0 dim) broadcast into x
    P.case("constantofshape", "shape [] (scalar) value 3",
           [P.node("ConstantOfShape", ["s"], ["c"], value=helper.make_tensor("v", F, [1], [3.0])),
            P.node("Mul", ["x", "c"], ["y"])], [("x", x)], ["y"], [("s", np.zeros([0], np.int64))], 12)
    P.case("constantofshape", "shape [2,0,5]: empty output concatenated to x",
           [P.node("ConstantOfShape", ["s"], ["c"]), P.node("Concat", ["x", "c"], ["y"], axis=1)],
           [("x", x)], ["y"], [("s", np.array([2, 0, 5], np.int64))], 12)
    # Range: int64 up/down/empty, int32, float with accumulated rounding
    for dt, s, l, d in ((TP.INT64, 0, 10, 3), (TP.INT64, 10, -7, -3), (TP.INT64, 5, 5, 1),
                        (TP.INT32, -4, 13, 2), (TP.FLOAT, 0.5, 3.2, 0.7), (TP.FLOAT, 1.0, -2.1, -0.3),
                        (TP.INT16, 3, 20, 4)):
        npd = NP[dt]
        cnt = max(int(np.ceil((npd(l) - npd(s)) / npd(d))), 0)
        x = P.rand([2, cnt], 3)
        nodes = [P.node("Range", ["s", "l", "d"], ["r"])]
        nodes += [P.node("Cast", ["r"], ["rf"], to=F)] if dt != F else [P.node("Identity", ["r"], ["rf"])]
        nodes.append(P.node("Add", ["x", "rf"], ["y"]))
        P.case("range", f"{npd.__name__} start={s} limit={l} delta={d}", nodes, [("x", x)], ["y"],
               [("s", np.array(s, npd)), ("l", np.array(l, npd)), ("d", np.array(d, npd))], 11)


# ---- comparisons, logic, Mod --------------------------------------------------

def compare_cases():
    for op in ("Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"):
        opset = 16 if "Or" in op else 13
        for i, (sa, sb) in enumerate(PAIRS):
            tcase(op.lower(), f"float {sa} vs {sb}", [P.node(op, ["a", "b"], ["y"])],
                  [("a", F, rounded(sa, 10 + i)), ("b", F, rounded(sb, 20 + i))], [("y", TP.BOOL)],
                  opset=opset)
        for dt in (TP.INT64, TP.INT32, TP.UINT8, TP.INT8, TP.UINT64, TP.INT16):
            lo = 0 if dt in (TP.UINT8, TP.UINT64) else -5
            tcase(op.lower(), f"{NP[dt].__name__} [2,3,5] vs [3,1]", [P.node(op, ["a", "b"], ["y"])],
                  [("a", dt, ints([2, 3, 5], 30, lo, 5)), ("b", dt, ints([3, 1], 31, lo, 5))],
                  [("y", TP.BOOL)], opset=opset)
        # a constant operand (uploaded as a non-float constant on OpenCL)
        tcase(op.lower(), "int64 [1,17,3] vs constant [17,1]", [P.node(op, ["a", "k"], ["y"])],
              [("a", TP.INT64, ints([1, 17, 3], 32))], [("y", TP.BOOL)],
              [("k", np.arange(-8, 9, dtype=np.int64).reshape(17, 1))], opset=opset)
    tcase("equal", "bool [2,3,5] vs [5]", [P.node("Equal", ["a", "b"], ["y"])],
          [("a", TP.BOOL, ints([2, 3, 5], 33, 0, 1)), ("b", TP.BOOL, ints([5], 34, 0, 1))],
          [("y", TP.BOOL)])
    tcase("equal", "opset 7 float", [P.node("Equal", ["a", "b"], ["y"])],
          [("a", TP.INT64, ints([3, 4], 35)), ("b", TP.INT64, ints([4], 36))], [("y", TP.BOOL)], opset=7)
    for op in ("And", "Or", "Xor"):
        for i, (sa, sb) in enumerate(PAIRS[:5]):
            tcase(op.lower(), f"bool {sa} vs {sb}", [P.node(op, ["a", "b"], ["y"])],
                  [("a", TP.BOOL, ints(sa, 40 + i, 0, 1)), ("b", TP.BOOL, ints(sb, 50 + i, 0, 1))],
                  [("y", TP.BOOL)], opset=7)
    for shape in ([2, 3, 5], [1, 17, 1, 1], [1]):
        tcase("not", f"bool {shape}", [P.node("Not", ["a"], ["y"])],
              [("a", TP.BOOL, ints(shape, 60, 0, 1))], [("y", TP.BOOL)], opset=7)
    # comparisons feeding logic: x > 0 and x < 0.5 -> Not
    x = P.rand([3, 17, 5], 61)
    tcase("and", "Greater/Less feeding And then Not", [
        P.node("Greater", ["x", "z"], ["g"]), P.node("Less", ["x", "h"], ["l"]),
        P.node("And", ["g", "l"], ["a"]), P.node("Not", ["a"], ["y"])],
        [("x", F, x)], [("y", TP.BOOL)], [("z", np.array(0, np.float32)), ("h", np.array([0.5], np.float32))])
    # Mod: Python (fmod 0) and C (fmod 1) remainders, negative operands, broadcast
    for dt in (TP.INT64, TP.INT32, TP.INT8, TP.INT16):
        for fm in (0, 1):
            b = ints([3, 1], 70, -4, 4)
            b[b == 0] = 3
            tcase("mod", f"{NP[dt].__name__} fmod={fm} [2,3,5] % [3,1]",
                  [P.node("Mod", ["a", "b"], ["y"], fmod=fm)],
                  [("a", dt, ints([2, 3, 5], 71, -20, 20)), ("b", dt, b)], [("y", dt)])
    tcase("mod", "uint8 fmod=0", [P.node("Mod", ["a", "b"], ["y"])],
          [("a", TP.UINT8, ints([17, 3], 72, 0, 200)), ("b", TP.UINT8, ints([3], 73, 1, 9))], [("y", TP.UINT8)])
    tcase("mod", "float fmod=1 [2,3,5] % [5]", [P.node("Mod", ["a", "b"], ["y"], fmod=1)],
          [("a", F, P.rand([2, 3, 5], 74, -5, 5)), ("b", F, P.rand([5], 75, 0.5, 2) * np.array([1, -1, 1, -1, 1], np.float32))],
          [("y", F)], opset=10)


# ---- Where, Expand, Tile -------------------------------------------------------

def select_cases():
    for i, (sc, sx, sy) in enumerate((([2, 3, 5], [2, 3, 5], [2, 3, 5]), ([3, 5], [2, 1, 5], [1]),
                                      ([1, 17, 1, 1], [1, 17, 7, 7], [1, 1, 7, 1]), ([1], [3, 1], [1, 4]),
                                      ([2, 1, 3, 1, 3], [1, 4, 1, 5, 1], [3]))):
        x, y = P.rand(sx, 80 + i), P.rand(sy, 90 + i)
        tcase("where", f"float cond {sc} x {sx} y {sy}",
              [P.node("Greater", ["c0", "z"], ["c"]), P.node("Where", ["c", "x", "y"], ["o"])],
              [("c0", F, P.rand(sc, 100 + i)), ("x", F, x), ("y", F, y)], [("o", F)],
              [("z", np.array(0, np.float32))], opset=9 if i % 2 else 16)
    for dt in (TP.INT64, TP.INT32, TP.UINT8):  # the types onnxruntime's CPU Where has
        hi = 9
        lo = 0 if dt == TP.UINT8 else -9
        tcase("where", f"{NP[dt].__name__} x [3,1] y [4]", [P.node("Where", ["c", "x", "y"], ["o"])],
              [("c", TP.BOOL, ints([2, 3, 4], 110, 0, 1)), ("x", dt, ints([3, 1], 111, lo, hi)),
               ("y", dt, ints([4], 112, lo, hi))], [("o", dt)])
    # constant condition (a folded mask, as Swin builds) and constant Y
    tcase("where", "constant bool condition [1,5], constant y", [P.node("Where", ["c", "x", "y"], ["o"])],
          [("x", F, P.rand([3, 5], 113))], [("o", F)],
          [("c", np.array([[True, False, False, True, True]])), ("y", np.array(-1.5, np.float32))])
    # Expand (opsets 8 and 13)
    for i, (sx, shape) in enumerate((([3, 1], [2, 3, 4]), ([1, 17, 1, 1], [2, 17, 3, 3]),
                                     ([2, 3, 4], [1, 1]), ([1], [3, 1, 5]), ([3, 1, 2], [3, 7, 1]),
                                     ([2, 1, 1, 3, 1], [2, 2, 3, 1, 2]))):
        tcase("expand", f"float {sx} to {shape}", [P.node("Expand", ["x", "s"], ["y"])],
              [("x", F, P.rand(sx, 120 + i))], [("y", F)], [("s", np.array(shape, np.int64))],
              opset=8 if i % 2 else 13)
    for dt in (TP.INT64, TP.BOOL, TP.INT8):
        tcase("expand", f"{NP[dt].__name__} [3,1] to [2,3,5]", [P.node("Expand", ["x", "s"], ["y"])],
              [("x", dt, ints([3, 1], 130, 0, 1 if dt == TP.BOOL else 9))], [("y", dt)],
              [("s", np.array([2, 3, 5], np.int64))])
    tcase("expand", "to a 0 dim", [P.node("Expand", ["x", "s"], ["y"])], [("x", F, P.rand([3, 1], 131))],
          [("y", F)], [("s", np.array([2, 3, 0], np.int64))])
    # Tile (opsets 6 and 13)
    for i, (sx, rep) in enumerate((([2, 3, 5], [1, 2, 3]), ([1, 17, 1, 1], [2, 1, 3, 3]), ([3], [5]),
                                   ([3, 1], [2, 0]), ([2, 1, 3, 1, 3], [1, 3, 1, 2, 1]), ([7, 7], [1, 1]))):
        tcase("tile", f"float {sx} repeats {rep}", [P.node("Tile", ["x", "r"], ["y"])],
              [("x", F, P.rand(sx, 140 + i))], [("y", F)], [("r", np.array(rep, np.int64))],
              opset=6 if i % 2 else 13)
    for dt in (TP.INT64, TP.UINT8, TP.INT16):
        tcase("tile", f"{NP[dt].__name__} [3,1] repeats [2,3]", [P.node("Tile", ["x", "r"], ["y"])],
              [("x", dt, ints([3, 1], 150, 0, 9))], [("y", dt)], [("r", np.array([2, 3], np.int64))])


# ---- integer arithmetic and Cast at run time ----------------------------------

def int_cases():
    for op in ("Add", "Sub", "Mul", "Div"):
        for dt in (TP.INT64, TP.INT32, TP.INT8, TP.UINT8, TP.INT16, TP.UINT32):
            uns = dt in (TP.UINT8, TP.UINT32)
            a = ints([2, 3, 5], 160, 0 if uns else -60, 60)
            b = ints([3, 1], 161, 1 if uns else -7, 7)
            b[b == 0] = 3
            if op == "Sub" and uns:  # uint8 wrap-around below zero is in range of the test too
                a = ints([2, 3, 5], 162, 0, 9)
            tcase(op.lower(), f"{NP[dt].__name__} [2,3,5] {op} [3,1] (Div truncates)",
                  [P.node(op, ["a", "b"], ["y"])], [("a", dt, a), ("b", dt, b)], [("y", dt)], opset=14)
    # int64 with a constant, as exporters' shape arithmetic does when it runs
    tcase("mul", "int64 x int64 constant [17,1]", [P.node("Mul", ["a", "k"], ["y"])],
          [("a", TP.INT64, ints([1, 17, 3], 163))], [("y", TP.INT64)],
          [("k", np.arange(17, dtype=np.int64).reshape(17, 1) - 8)])
    # in every type's range: out-of-range float -> int is undefined in ONNX and C
    xc = np.array([[-2.7, -0.5, 0.0, 0.5, 3.9, 100.2, 127.0, -128.0]], np.float32)
    for dt in INTS + (TP.BOOL,):
        v = np.abs(xc) if dt in (TP.UINT8, TP.UINT16, TP.UINT32, TP.UINT64) else xc
        tcase("cast", f"float -> {NP[dt].__name__} -> float", [P.node("Cast", ["x"], ["i"], to=dt)],
              [("x", F, v)], [("i", dt)])
    # integer -> narrower integer keeps the low bits (onnxruntime's static_cast)
    tcase("cast", "int64 -> int32 / int8 / uint8 wrap", [
        P.node("Mul", ["a", "big"], ["m"]), P.node("Cast", ["m"], ["i32"], to=TP.INT32),
        P.node("Cast", ["m"], ["i8"], to=TP.INT8), P.node("Cast", ["m"], ["u8"], to=TP.UINT8)],
        [("a", TP.INT64, ints([2, 5], 170, -9, 9))], [("i32", TP.INT32), ("i8", TP.INT8), ("u8", TP.UINT8)],
        [("big", np.array(1000003, np.int64))])
    tcase("cast", "bool -> int32 -> float", [P.node("Cast", ["b"], ["i"], to=TP.INT32)],
          [("b", TP.BOOL, ints([3, 5], 171, 0, 1))], [("i", TP.INT32)])
    # data movement of integers at run time (pad.cl/concat.cl/slice.cl as ELEM_T words)
    for dt in (TP.INT64, TP.INT32, TP.INT8, TP.UINT8):  # types onnxruntime's Pad has
        lo = 0 if dt == TP.UINT8 else -9
        a = ints([1, 3, 4, 5], 172, lo, 9)
        nm = NP[dt].__name__
        for mode in ("constant", "reflect", "edge"):
            ins = ["a", "p"] + (["v"] if mode == "constant" else [])
            inits = [("p", np.array([0, 1, 2, 3, 0, 0, 1, 2], np.int64))]
            if mode == "constant":
                inits.append(("v", np.array(7, NP[dt])))
            tcase("pad", f"{nm} mode={mode}", [P.node("Pad", ins, ["y"], mode=mode)],
                  [("a", dt, a)], [("y", dt)], inits)
        tcase("concat", f"{nm} runtime + constant, axis 1", [P.node("Concat", ["a", "k"], ["y"], axis=1)],
              [("a", dt, a)], [("y", dt)], [("k", np.full([1, 2, 4, 5], 3, NP[dt]))])
        tcase("slice", f"{nm} negative step", [P.node("Slice", ["a", "s", "e", "x", "st"], ["y"])],
              [("a", dt, a)], [("y", dt)], [("s", np.array([-1, 0], np.int64)), ("e", np.array([-6, 4], np.int64)),
                                             ("x", np.array([3, 2], np.int64)), ("st", np.array([-2, 3], np.int64))])
        tcase("transpose", f"{nm} perm [3,1,0,2]", [P.node("Transpose", ["a"], ["y"], perm=[3, 1, 0, 2])],
              [("a", dt, a)], [("y", dt)])
        tcase("split", f"{nm} axis 3 [2,3]", [P.node("Split", ["a", "sp"], ["y0", "y1"], axis=3)],
              [("a", dt, a)], [("y0", dt), ("y1", dt)], [("sp", np.array([2, 3], np.int64))])
        if dt in (TP.INT8, TP.UINT8):  # gather.cl moves 4/8-byte words: 1-byte data refused
            continue
        tcase("gather", f"{nm} data, runtime int64 indices", [
            P.node("Cast", ["ix"], ["i"], to=TP.INT64), P.node("Gather", ["a", "i"], ["y"], axis=2)],
            [("a", dt, a), ("ix", F, np.array([3, 0, -1], np.float32))], [("y", dt)])


# ---- double / float16: reference only; OpenCL refuses them by name ------------

def ref_only_cases():
    x = P.rand([2, 3, 5], 180, -4, 4)
    for dt in (TP.DOUBLE, TP.FLOAT16):
        tcase("cast", f"float -> {NP[dt].__name__} -> float", [P.node("Cast", ["x"], ["d"], to=dt)],
              [("x", F, x)], [("d", dt)], ref_only=True)
    # float16 arithmetic is not compared: onnxruntime's CPU provider computes it
    # in float32 (it inserts casts), so it is no float16 oracle
    for dt in (TP.DOUBLE,):
        tcase("add", f"{NP[dt].__name__} Add [2,3,5] + [5]", [P.node("Add", ["a", "b"], ["y"])],
              [("a", dt, x), ("b", dt, P.rand([5], 181))], [("y", dt)], ref_only=True)
        tcase("where", f"{NP[dt].__name__} Where", [P.node("Greater", ["a", "b"], ["c"]),
                                                  P.node("Where", ["c", "a", "b"], ["y"])],
              [("a", dt, x), ("b", dt, P.rand([5], 182))], [("y", dt)], ref_only=True)
    tcase("mod", "double fmod=1", [P.node("Mod", ["a", "b"], ["y"], fmod=1)],
          [("a", TP.DOUBLE, x), ("b", TP.DOUBLE, P.rand([5], 183, 0.5, 2))], [("y", TP.DOUBLE)], ref_only=True)
    tcase("cast", "float16 rounding (ties, subnormals, overflow)", [P.node("Cast", ["x"], ["h"], to=TP.FLOAT16)],
          [("x", F, np.array([1.0009765625 + 2**-11, 65504.0, 65520.0, 1e-7, 6e-8, -3e-5, 2049.0, 1e5],
                             np.float32))], [("h", TP.FLOAT16)], ref_only=True)


def scatter_cases():
    """ScatterND and Trilu: constant inputs fold at load (Swin's mask); run-time
    inputs run select.cl's kernels."""
    x = P.rand([4, 3, 5], 190)
    data = np.arange(60, dtype=np.float32).reshape(4, 3, 5)
    for opset, red, idx, upd in (
            (11, None, [[1], [3]], P.rand([2, 3, 5], 191)),
            (16, "add", [[0, 2], [0, 2], [3, -1]], P.rand([3, 5], 192)),
            (16, "mul", [[1, 0, 4], [2, 2, 0]], P.rand([2], 193)),
            (18, "max", [[-1, 1], [0, 0]], P.rand([2, 5], 194, 20, 80)),
            (18, "min", [[2]], P.rand([1, 3, 5], 195, 20, 80))):
        attrs = {"reduction": red} if red else {}
        P.case("scatternd", f"opset {opset} reduction={red} indices={idx} (folded)",
               [P.node("ScatterND", ["d", "i", "u"], ["s"], **attrs), P.node("Add", ["x", "s"], ["y"])],
               [("x", x)], ["y"], [("d", data), ("i", np.array(idx, np.int64)), ("u", upd)], opset)
    # Swin's attention-mask pattern: ConstantOfShape -> ScatterND -> Equal -> Not -> Where, all folded
    P.case("scatternd", "mask: ConstantOfShape/ScatterND/Equal/Not/Where (folded)", [
        P.node("ConstantOfShape", ["sh"], ["z"], value=helper.make_tensor("v", TP.INT64, [1], [0])),
        P.node("ScatterND", ["z", "i", "u"], ["m"]), P.node("Equal", ["m", "zero"], ["e"]),
        P.node("Not", ["e"], ["ne"]), P.node("Where", ["ne", "neg", "x"], ["y"])],
        [("x", P.rand([3, 5], 196))], ["y"],
        [("sh", np.array([3, 5], np.int64)), ("i", np.array([[0, 1], [2, 4]], np.int64)),
         ("u", np.array([1, 2], np.int64)), ("zero", np.array(0, np.int64)),
         ("neg", np.array(-100.0, np.float32))], 16)
    # run-time inputs: select.cl scatternd_apply / trilu_mask (data, indices, updates mixed)
    xr = P.rand([4, 3, 5], 199)
    for opset, red, dt in ((11, None, F), (16, "add", F), (16, "mul", TP.INT64), (18, "max", TP.INT32),
                           (18, "min", F), (16, "add", TP.INT8)):
        attrs = {"reduction": red} if red else {}
        idx = np.array([[1, 0], [3, -1], [1, 0]], np.int64)  # a duplicate: combined in order
        upd = ints([3, 5], 200, -5, 5) if dt != F else P.rand([3, 5], 200, -2, 2)
        if red is None:
            idx = idx[:2]
            upd = upd[:2]
        tcase("scatternd", f"run-time {NP[dt].__name__} reduction={red}",
              [P.node("ScatterND", ["a", "i", "u"], ["y"], **attrs)],
              [("a", dt, ints([4, 3, 5], 201, -5, 5) if dt != F else xr), ("u", dt, upd)], [("y", dt)],
              [("i", idx)], opset=opset)
    tcase("scatternd", "run-time int64 indices [2,1] (whole 3x5 slices)", [
        P.node("Cast", ["ix"], ["i"], to=TP.INT64), P.node("ScatterND", ["a", "i", "u"], ["y"])],
        [("a", F, xr), ("ix", F, np.array([[2], [0]], np.float32)), ("u", F, P.rand([2, 3, 5], 202))],
        [("y", F)], opset=13)
    for upper, k, shape in ((1, 0, [2, 3, 5]), (0, -2, [1, 7, 4]), (1, 3, [17, 3])):
        tcase("trilu", f"run-time upper={upper} k={k} {shape}", [P.node("Trilu", ["a", "k"], ["y"], upper=upper)],
              [("a", F, P.rand(shape, 203))], [("y", F)], [("k", np.array(k, np.int64))], opset=14)
    tcase("trilu", "run-time int64 lower", [P.node("Trilu", ["a"], ["y"], upper=0)],
          [("a", TP.INT64, ints([3, 4, 4], 204))], [("y", TP.INT64)], opset=14)
    for upper, k, shape in ((1, None, [3, 5]), (0, None, [5, 3]), (1, 2, [2, 4, 4]), (0, -1, [2, 3, 7]),
                            (1, -7, [4, 4]), (0, 9, [3, 4])):
        ins = ["d"] + (["k"] if k is not None else [])
        inits = [("d", P.rand(shape, 197))] + ([("k", np.array(k, np.int64))] if k is not None else [])
        P.case("trilu", f"upper={upper} k={k} {shape} (folded)",
               [P.node("Trilu", ins, ["t"], upper=upper), P.node("Add", ["x", "t"], ["y"])],
               [("x", P.rand(shape, 198))], ["y"], inits, 14)


def icase(name, params, nodes, ins, outs, inits=(), opset=13):
    """Graph inputs and outputs of their own dtype (int64 indices, bool masks):
    ins (name, typed array) fed as is, outs (name, onnx dtype) read back typed."""
    vin = [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype), list(a.shape))
           for n, a in ins]
    vout = [helper.make_tensor_value_info(n, dt, None) for n, dt in outs]
    g = helper.make_graph(nodes, name, vin, vout, [P.init(n, a) for n, a in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="py_ops_shape")
    m.ir_version = 8 if opset <= 18 else 9
    P.CASES.append((name, params, m, [a for _, a in ins], False))


def typed_input_cases():
    r = P.rng(210)
    a64 = r.integers(-50, 50, size=[2, 3, 5]).astype(np.int64)
    b64 = r.integers(1, 9, size=[3, 1]).astype(np.int64)
    icase("add", "int64 graph inputs and output", [P.node("Add", ["a", "b"], ["y"])],
          [("a", a64), ("b", b64)], [("y", TP.INT64)])
    icase("mod", "int32 graph inputs, fmod=0", [P.node("Mod", ["a", "b"], ["y"])],
          [("a", a64.astype(np.int32)), ("b", -b64.astype(np.int32))], [("y", TP.INT32)])
    m = r.integers(0, 2, size=[3, 5]).astype(np.bool_)
    icase("where", "bool mask graph input, float data", [P.node("Where", ["m", "x", "z"], ["y"])],
          [("m", m), ("x", P.rand([2, 3, 5], 211))], [("y", F)], [("z", np.array(0, np.float32))])
    icase("xor", "bool graph inputs and output", [P.node("Xor", ["p", "q"], ["y"])],
          [("p", m), ("q", r.integers(0, 2, size=[5]).astype(np.bool_))], [("y", TP.BOOL)])
    icase("gather", "int64 indices graph input", [P.node("Gather", ["x", "i"], ["y"], axis=1)],
          [("x", P.rand([2, 7, 3], 212)), ("i", np.array([[6, 0], [-1, 3]], np.int64))], [("y", F)])
    icase("less", "uint8 graph inputs", [P.node("Less", ["a", "b"], ["y"])],
          [("a", r.integers(0, 255, size=[4, 5]).astype(np.uint8)),
           ("b", r.integers(0, 255, size=[5]).astype(np.uint8))], [("y", TP.BOOL)])


GENERATORS = [generate_cases, compare_cases, select_cases, int_cases, scatter_cases, typed_input_cases]
OPENCL_REFUSAL = "on the reference backend"  # the refusal of double/float16 kernels


def run_extra(clcnn, devices, k):
    """The reference-only cases (compared on ref; on OpenCL the one-line refusal
    naming the dtype), the refusal of float Mod with fmod=0, and constant-only
    graphs. Returns the number of failures."""
    fails = 0
    with tempfile.TemporaryDirectory(prefix="clcnn_py_ops_shape_") as tmp:
        for i, (name, params, model, feeds) in enumerate(REF_ONLY):
            if k and k not in name:
                continue
            path, ins, want = P.reference(tmp, 9000 + i, model, feeds)
            for d in devices:
                why = P.run_case(clcnn, d, tmp, 9000 + i, path, ins, want)
                if d != "ref":
                    why = None if why and OPENCL_REFUSAL in why and "exited 1" in why else (
                        why or "ran on OpenCL; expected the double/float16 refusal")
                if why:
                    fails += 1
                    print(f"FAIL {name} [{params}] device={d}: {why}", flush=True)
        # float Mod with fmod=0 is undefined by ONNX: refused by name
        m = helper.make_model(helper.make_graph(
            [P.node("Mod", ["a", "b"], ["y"])], "m",
            [helper.make_tensor_value_info("a", F, [3]), helper.make_tensor_value_info("b", F, [3])],
            [helper.make_tensor_value_info("y", F, [3])]), opset_imports=[helper.make_opsetid("", 13)])
        m.ir_version = 8
        p = os.path.join(tmp, "mod_fmod0.onnx")
        with open(p, "wb") as f:
            f.write(m.SerializeToString())
        r = subprocess.run([clcnn, "summary", p], capture_output=True, text=True, timeout=60)
        msg = (r.stderr or r.stdout).strip()
        if r.returncode == 0 or "attribute 'fmod' = 0" not in msg or len(msg.splitlines()) != 1:
            fails += 1
            print(f"FAIL mod [float fmod=0 refusal]: exit {r.returncode}: {msg!r}", flush=True)
        # Clip on integers: refused on both paths, by name (a documented gap)
        m = helper.make_model(helper.make_graph(
            [P.node("Cast", ["x"], ["xi"], to=TP.INT64), P.node("Clip", ["xi", "lo", "hi"], ["yi"]),
             P.node("Cast", ["yi"], ["y"], to=F)], "c", [helper.make_tensor_value_info("x", F, [3])],
            [helper.make_tensor_value_info("y", F, [3])],
            [P.init("lo", np.array(-1, np.int64)), P.init("hi", np.array(1, np.int64))]),
            opset_imports=[helper.make_opsetid("", 13)])
        m.ir_version = 8
        p = os.path.join(tmp, "clip_int.onnx")
        with open(p, "wb") as f:
            f.write(m.SerializeToString())
        r = subprocess.run([clcnn, "summary", p], capture_output=True, text=True, timeout=60)
        msg = (r.stderr or r.stdout).strip()
        if r.returncode == 0 or "(Clip): input 'xi' has dtype int64, only float32" not in msg or len(msg.splitlines()) != 1:
            fails += 1
            print(f"FAIL clip [int64 refusal]: exit {r.returncode}: {msg!r}", flush=True)
        # constant-only graphs: no input at all, outputs computed at load
        for opset, nodes, out, want in (
                (13, [P.node("Constant", [], ["y"], value=helper.make_tensor("v", F, [2, 3], range(6)))],
                 "y", np.arange(6, dtype=np.float32).reshape(2, 3)),
                (11, [P.node("Range", ["s", "l", "d"], ["r"]), P.node("Cast", ["r"], ["y"], to=F)],
                 "y", np.arange(0, 10, 3).astype(np.float32))):
            inits = [P.init("s", np.array(0, np.int64)), P.init("l", np.array(10, np.int64)),
                     P.init("d", np.array(3, np.int64))] if opset == 11 else []
            g = helper.make_graph(nodes, "c", [], [helper.make_tensor_value_info(out, F, None)], inits)
            m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
            m.ir_version = 8
            p = os.path.join(tmp, f"const_only_{opset}.onnx")
            with open(p, "wb") as f:
                f.write(m.SerializeToString())
            for d in devices:
                o = os.path.join(tmp, f"const_only_{opset}_{d}.npy")
                r = subprocess.run([clcnn, "run", p, "--device", d, "--output", o], capture_output=True,
                                   text=True, timeout=60)
                ok = r.returncode == 0 and np.array_equal(np.load(o), want)
                if not ok:
                    fails += 1
                    print(f"FAIL constant-only graph (opset {opset}) device={d}: exit {r.returncode} "
                          f"{(r.stderr or r.stdout).strip()[-300:]}", flush=True)
    print(f"extra (ref-only dtypes, refusals, constant-only graphs): {fails} failed")
    return fails


if __name__ == "__main__":
    ref_only_cases()
    rc = P.main(GENERATORS)
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--clcnn", required=True)
    ap.add_argument("--shared")
    ap.add_argument("--device", default="")
    ap.add_argument("-k", default="")
    ap.add_argument("--precision", default=None)
    a, _ = ap.parse_known_args()
    devs = [d for d in a.device.split(",") if d] or P.default_devices(a.clcnn)
    # the extra checks are about dtypes and refusals, which storage precision does not change
    extra = 0 if a.precision else run_extra(a.clcnn, devs, a.k)
    sys.exit(1 if extra or rc else 0)
